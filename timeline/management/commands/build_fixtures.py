"""Build fixtures/*.json from the curated YAML in fixtures/curation/ (the source of truth)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from timeline import curation


class Command(BaseCommand):
    help = "Build the JSON fixtures from the curated extraction, computing every passage's offsets."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the fixture on disk is not up to date.")
        parser.add_argument("--curation-dir", type=Path, default=settings.FIXTURES_DIR / "curation")
        parser.add_argument("--output", type=Path, default=None, help="Default: fixtures/<article slug>.json")

    def handle(self, *args, check, curation_dir, output, **options):
        try:
            loaded = curation.load(curation_dir, settings.SEEDS_DIR)
            objects = curation.Builder(loaded).build()
        except curation.CurationError as exc:
            raise CommandError(str(exc)) from exc
        output = output or settings.FIXTURES_DIR / f"{loaded.article['slug']}.json"
        rendered = curation.render(objects)
        counts = {}
        for obj in objects:
            counts[obj["model"]] = counts.get(obj["model"], 0) + 1
        summary = ", ".join(f"{n} {model.split('.')[1]}" for model, n in counts.items())
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else None
            if current != rendered:
                raise CommandError(f"{output.name} is out of date: run `manage.py build_fixtures`.")
            self.stdout.write(self.style.SUCCESS(f"{output.name} is up to date ({summary})."))
            return
        output.write_text(rendered, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {output.name}: {summary}."))
