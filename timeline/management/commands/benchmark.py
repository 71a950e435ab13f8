"""``manage.py benchmark``: the site under load at several data sizes (see :mod:`timeline.benchmark`)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from timeline import benchmark


class Command(BaseCommand):
    help = (
        "Benchmark the site as it runs in production (gunicorn, PostgreSQL, Redis, whitenoise) with wrk: "
        "requests per second and p50/p95/p99 per request type, cached and uncached, as ratios to a trivial "
        "baseline view, and the queries per request. Uses its own PostgreSQL database, never DATABASE_URL's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="1000,10000,100000", help="Comma-separated event counts (default 1000,10000,100000)."
        )
        parser.add_argument("--seconds", type=int, default=10, help="wrk duration per request type (default 10).")
        parser.add_argument("--connections", type=int, default=10, help="Concurrent connections (default 10).")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4).")
        parser.add_argument(
            "--postgres",
            default="postgres://postgres@127.0.0.1:5432/postgres",
            help="A PostgreSQL URL with the right to create databases.",
        )
        parser.add_argument("--database", default="timeline_bench", help="The benchmark's own database name.")
        parser.add_argument(
            "--cache-url", default="redis://127.0.0.1:6379/2", help="The Redis cache shared by the workers."
        )
        parser.add_argument(
            "--output",
            default=str(settings.BASE_DIR / "timeline" / "benchmark_results"),
            help="Where results.json and results.md go.",
        )
        # Steps run in a child process on the benchmark's database.
        parser.add_argument("--internal-paths", action="store_true", help="(internal)")
        parser.add_argument("--internal-count-queries", action="store_true", help="(internal)")

    def handle(self, *args, **options):
        if options["internal_paths"]:
            self.stdout.write(json.dumps(benchmark.paths_from_data()))
            return
        if options["internal_count_queries"]:
            self.stdout.write(json.dumps(benchmark.count_queries(benchmark.paths_from_data())))
            return
        try:
            sizes = [int(size) for size in options["sizes"].split(",") if size.strip()]
        except ValueError as exc:
            raise CommandError("--sizes takes comma-separated whole numbers, e.g. 1000,10000.") from exc
        if not sizes or min(sizes) < 1:
            raise CommandError("--sizes needs at least one positive size.")
        if options["database"] in {settings.DATABASES["default"].get("NAME"), "postgres"}:
            raise CommandError("The benchmark needs a database of its own: pass another --database.")
        try:
            report = benchmark.run(
                sizes=sizes,
                seconds=options["seconds"],
                connections=options["connections"],
                workers=options["workers"],
                admin_url=options["postgres"],
                database=options["database"],
                cache_url=options["cache_url"],
                output=Path(options["output"]),
                log=self.stdout.write,
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(benchmark.markdown(report))
        self.stdout.write(self.style.SUCCESS(f"Results written to {options['output']}/results.{{json,md}}"))
