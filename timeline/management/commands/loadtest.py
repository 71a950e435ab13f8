"""``manage.py loadtest``: gunicorn under wrk with curators writing; fails unless nothing errs and nothing is lost."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline import loadtest


class Command(BaseCommand):
    help = (
        "Load-test gunicorn (production settings, scratch PostgreSQL database, loopback only) with wrk over "
        "pages and API calls while curators write through the API; check zero errors and no lost write."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="Duration (default 60).")
        parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64).")
        parser.add_argument("--writers", type=int, default=2, help="Curator threads writing (default 2).")
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 2 x CPUs + 1, <= 8).")
        parser.add_argument("--threads", type=int, default=4, help="Threads per gunicorn worker (default 4).")
        parser.add_argument("--database", default="timeline_load", help="The scratch database (dropped first).")
        parser.add_argument("--json", type=Path, default=None, help="Also write the figures to this JSON file.")

    def handle(self, *args, **options):
        result = loadtest.run(
            seconds=options["seconds"],
            connections=options["connections"],
            writers=options["writers"],
            workers=options["workers"],
            threads=options["threads"],
            database=options["database"],
            echo=self.stdout.write,
        )
        self.stdout.write(result.summary())
        if options["json"]:
            options["json"].write_text(loadtest.as_json(result) + "\n")
        if not result.ok:
            raise CommandError("The load test failed: " + "; ".join(result.problems))
