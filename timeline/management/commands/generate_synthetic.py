"""Generate (or remove) a synthetic data set for benchmarks; the real data is never touched."""

import time

from django.core.management.base import BaseCommand, CommandError

from timeline import synthetic


class Command(BaseCommand):
    help = (
        "Generate a reproducible synthetic data set of N events with proportional people, organisations, "
        "places, periods, sources, passages, quotes and links. Synthetic slugs start with 'synthetic-'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=1000, help="How many events (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")
        parser.add_argument(
            "--purge", action="store_true", help="Remove the synthetic data set (and generate nothing)."
        )
        parser.add_argument("--replace", action="store_true", help="Remove any synthetic data first.")

    def handle(self, *args, events, seed, purge, replace, **options):
        started = time.perf_counter()
        if purge or replace:
            synthetic.purge()
            if purge:
                self.stdout.write(self.style.SUCCESS("Synthetic data removed."))
                return
        if events < 1:
            raise CommandError("--events must be at least 1.")
        try:
            counts = synthetic.generate(events=events, seed=seed)
        except ValueError as exc:
            raise CommandError(f"{exc} (use --replace)") from exc
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {time.perf_counter() - started:.1f} s."))
