"""Report every record whose provenance is broken; exit non-zero on any."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from timeline import dates
from timeline.models import (
    Actor,
    Event,
    Membership,
    Organisation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
)

EVIDENCED = [Event, Actor, Organisation, Place, Period, Membership]
DATED = [Source, Period, Membership, Event, Quote]


def provenance_problems() -> list[str]:
    problems = []
    for passage in Passage.objects.select_related("source").only("slug", "start", "end", "text", "source__text"):
        if passage.source.text[passage.start : passage.end] != passage.text:
            problems.append(f"passage {passage.slug}: text does not match its source at {passage.start}–{passage.end}")
    for model in EVIDENCED:
        for record in model.objects.annotate(n=Count("passages")).filter(n=0):
            problems.append(f"{model._meta.verbose_name} {record}: no supporting passage")
    for source in Source.objects.filter(cited_in__isnull=False).annotate(n=Count("passages")).filter(n=0):
        problems.append(f"source {source.slug}: no passage where it is cited")
    for quote in Quote.objects.select_related("passage"):
        if quote.text not in quote.passage.text:
            problems.append(f"quote {quote.slug}: its words are not in its passage")
    for model in DATED:
        fields = ["pk", "date_edtf", "date_earliest", "date_latest", "date_display"]
        for record in model.objects.exclude(date_edtf="").only(*fields):
            try:
                parsed = dates.parse(record.date_edtf)
            except ValidationError as exc:
                problems.append(f"{model._meta.verbose_name} {record}: {' '.join(exc.messages)}")
                continue
            if (parsed.earliest, parsed.latest) != (record.date_earliest, record.date_latest):
                problems.append(
                    f"{model._meta.verbose_name} {record}: stored bounds {record.date_earliest}–{record.date_latest} "
                    f"do not match {record.date_edtf!r} ({parsed.earliest}–{parsed.latest})"
                )
            if record.date_display != dates.display(record.date_edtf):
                problems.append(
                    f"{model._meta.verbose_name} {record}: shown as {record.date_display!r}, "
                    f"not {dates.display(record.date_edtf)!r}"
                )
    return problems


class Command(BaseCommand):
    help = (
        "Report passages that no longer match their source, records without a supporting passage, "
        "and dates whose EDTF value does not parse; exit non-zero on any."
    )

    def handle(self, *args, **options):
        problems = provenance_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} provenance problem(s).")
        self.stdout.write(self.style.SUCCESS(f"Provenance intact: {Passage.objects.count()} passages checked."))
