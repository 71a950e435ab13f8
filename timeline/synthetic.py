"""A realistic synthetic data set, for benchmarks: reproducible from a seed, fast, and clearly marked.

Every synthetic record's slug starts with ``synthetic-`` and every synthetic
passage belongs to a synthetic source, so the generated data can be told from
the real data at a glance and removed with :func:`purge` without touching it.
Records are written with ``bulk_create`` in batches; derived date fields are
computed here, since ``bulk_create`` does not call ``save()``.
"""

from __future__ import annotations

import calendar
import datetime
import io
import random
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.utils import timezone

from timeline import cache as response_cache
from timeline import dates
from timeline.models import (
    Actor,
    Citation,
    DateBasis,
    Event,
    EventRelation,
    EventType,
    Membership,
    Occurrence,
    Organisation,
    OrganisationKind,
    OrganisationPassage,
    ParticipantRole,
    Participation,
    Passage,
    Period,
    Place,
    PlaceKind,
    PlacePassage,
    Quote,
    RelationType,
    Source,
    SourceKind,
    Status,
)

PREFIX = "synthetic-"
BATCH = 5000

WORDS = (
    "assembly strike miners union congress government parliament army workers peasants reform tax gas oil "
    "referendum coup insurrection blockade march rally decree minister president federation council election "
    "mine factory harbour railway corridor treaty summit report statement demand truce crisis budget deficit"
).split()
FIRST_NAMES = "Ana Luis Rosa Juan Elena Pedro Carmen Jorge Lucia Mario Teresa Victor Julia Oscar Silvia".split()
LAST_NAMES = "Quispe Mamani Flores Rojas Vargas Torres Gutierrez Choque Condori Rios Medina Salazar".split()


@dataclass(frozen=True)
class Sizes:
    events: int

    @property
    def actors(self) -> int:
        return max(10, self.events // 5)

    @property
    def organisations(self) -> int:
        return max(5, self.events // 10)

    @property
    def places(self) -> int:
        return max(5, self.events // 20)

    @property
    def periods(self) -> int:
        return max(3, self.events // 500)

    @property
    def sources(self) -> int:
        return max(2, self.events // 100)

    @property
    def quotes(self) -> int:
        return max(5, self.events * 3 // 10)


def _edtf(rng: random.Random) -> dict:
    """A date over five centuries at a mixed precision, with every derived field a record stores."""
    year = rng.randint(1525, 2024)
    month = rng.randint(1, 12)
    last_day = calendar.monthrange(year, month)[1]
    day = rng.randint(1, last_day)
    kind = rng.random()
    approximate = rng.random() < 0.1
    mark = "~" if approximate else ""
    if kind < 0.45:
        value = datetime.date(year, month, day)
        edtf, earliest, latest, precision = f"{value.isoformat()}{mark}", value, value, dates.DatePrecision.DAY
        shown = dates.format_ends(dates.End(year, month, day, approximate=approximate))
    elif kind < 0.75:
        earliest, latest = datetime.date(year, month, 1), datetime.date(year, month, last_day)
        edtf, precision = f"{year:04d}-{month:02d}{mark}", dates.DatePrecision.MONTH
        shown = dates.format_ends(dates.End(year, month, approximate=approximate))
    elif kind < 0.9:
        earliest, latest = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        edtf, precision = f"{year:04d}{mark}", dates.DatePrecision.YEAR
        shown = dates.format_ends(dates.End(year, approximate=approximate))
    else:
        approximate = False
        earliest = datetime.date(year, month, day)
        latest = earliest + datetime.timedelta(days=rng.randint(1, 400))
        edtf, precision = f"{earliest.isoformat()}/{latest.isoformat()}", dates.DatePrecision.RANGE
        shown = dates.format_ends(
            dates.End(earliest.year, earliest.month, earliest.day), dates.End(latest.year, latest.month, latest.day)
        )
    return {
        "date_edtf": edtf,
        "date_earliest": earliest,
        "date_latest": latest,
        "date_precision": precision,
        "date_display": shown,
        "date_approximate": approximate,
    }


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _dated(rng: random.Random) -> dict:
    fields = _edtf(rng)
    return {
        **fields,
        "date_as_written": fields["date_edtf"],
        "date_basis": rng.choice([DateBasis.STATED, DateBasis.INFERRED, DateBasis.RELATIVE]),
    }


def _cell(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _insert(model, rows: list[dict]) -> None:
    """Insert rows (dicts of field attnames) fast: COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname != "search_vector"]
    defaults = {f.attname: f.get_default() for f in fields}
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_cell(row.get(f.attname, defaults[f.attname])) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def _ids(model, **filters) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def generate(*, events: int, seed: int = 1) -> dict[str, int]:
    """Create a synthetic data set of ``events`` events and proportional linked records."""
    if Event.objects.filter(slug__startswith=PREFIX).exists():
        raise ValueError("Synthetic data is already present; purge it first.")
    rng = random.Random(seed)  # noqa: S311 (not for security)
    sizes = Sizes(events)
    now = timezone.now()
    stamp = {"created_at": now, "updated_at": now}

    # Sources with text, and passages as exact spans of it.
    passages_per_source = max(1, (events * 2) // sizes.sources)
    texts = [[_sentence(rng, rng.randint(6, 14)) for _ in range(passages_per_source)] for _ in range(sizes.sources)]
    _insert(
        Source,
        [
            {
                "slug": f"{PREFIX}source-{i}",
                "title": f"Synthetic source {i}",
                "kind": rng.choice(SourceKind.values),
                "language": "en",
                "text": " ".join(sentences),
                **_dated(rng),
                **stamp,
            }
            for i, sentences in enumerate(texts)
        ],
    )
    source_ids = _ids(Source, slug__startswith=PREFIX)
    passages = []
    for i, (source_id, sentences) in enumerate(zip(source_ids, texts, strict=True)):
        position = 0
        for sentence in sentences:
            start, end = position, position + len(sentence)
            passages.append(
                {
                    "slug": Passage.make_slug(f"{PREFIX}source-{i}", start, end),
                    "source_id": source_id,
                    "start": start,
                    "end": end,
                    "text": sentence,
                    **stamp,
                }
            )
            position = end + 1
    _insert(Passage, passages)
    passage_ids = _ids(Passage, source_id__in=source_ids)
    passage_texts = {pk: row["text"] for pk, row in zip(passage_ids, passages, strict=True)}

    _insert(
        Place,
        [
            {
                "slug": f"{PREFIX}place-{i}",
                "name": f"{rng.choice(LAST_NAMES)}ville {i}",
                "kind": rng.choice([PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.MINE, PlaceKind.SQUARE]),
                "latitude": round(rng.uniform(-22, -10), 6),
                "longitude": round(rng.uniform(-69, -58), 6),
                **stamp,
            }
            for i in range(sizes.places)
        ],
    )
    periods = []
    for i in range(sizes.periods):
        start = rng.randint(1525, 2000)
        end = start + rng.randint(1, 40)
        periods.append(
            {
                "slug": f"{PREFIX}period-{i}",
                "name": f"Synthetic era {i}",
                "date_edtf": f"{start}/{end}",
                "date_earliest": datetime.date(start, 1, 1),
                "date_latest": datetime.date(end, 12, 31),
                "date_precision": dates.DatePrecision.RANGE,
                "date_display": dates.format_ends(dates.End(start), dates.End(end)),
                "date_basis": DateBasis.INFERRED,
                **stamp,
            }
        )
    _insert(Period, periods)
    _insert(
        Organisation,
        [
            {
                "slug": f"{PREFIX}organisation-{i}",
                "name": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} federation {i}",
                "acronym": f"S{i}",
                "kind": rng.choice(OrganisationKind.values),
                "status": Status.PUBLISHED,
                "description": _sentence(rng, 12),
                **stamp,
            }
            for i in range(sizes.organisations)
        ],
    )
    _insert(
        Actor,
        [
            {
                "slug": f"{PREFIX}actor-{i}",
                "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {i}",
                "description": _sentence(rng, 10),
                "status": Status.PUBLISHED,
                **stamp,
            }
            for i in range(sizes.actors)
        ],
    )
    place_ids = _ids(Place, slug__startswith=PREFIX)
    period_ids = _ids(Period, slug__startswith=PREFIX)
    organisation_ids = _ids(Organisation, slug__startswith=PREFIX)
    actor_ids = _ids(Actor, slug__startswith=PREFIX)

    _insert(
        Event,
        [
            {
                "slug": f"{PREFIX}event-{i}",
                "title": f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {i}",
                "summary": _sentence(rng, 20),
                "event_type": rng.choice(EventType.values),
                "occurrence": rng.choice(Occurrence.values),
                "importance": rng.choices([1, 2, 3], weights=[70, 25, 5])[0],
                "status": Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
                "place_id": rng.choice(place_ids) if rng.random() < 0.8 else None,
                "period_id": rng.choice(period_ids) if rng.random() < 0.6 else None,
                **_dated(rng),
                **stamp,
            }
            for i in range(events)
        ],
    )
    event_ids = _ids(Event, slug__startswith=f"{PREFIX}event-")

    _insert(
        Event.passages.through,
        [
            {"event_id": event_id, "passage_id": passage_ids[(2 * n + k) % len(passage_ids)]}
            for n, event_id in enumerate(event_ids)
            for k in range(2)
        ],
    )
    for model, ids, field in (
        (PlacePassage, place_ids, "place_id"),
        (OrganisationPassage, organisation_ids, "organisation_id"),
        (Citation, source_ids, "source_id"),
        (Actor.passages.through, actor_ids, "actor_id"),
        (Period.passages.through, period_ids, "period_id"),
    ):
        _insert(model, [{field: pk, "passage_id": rng.choice(passage_ids)} for pk in ids])

    participations, seen = [], set()
    for event_id in event_ids:
        for _ in range(3):
            role = rng.choice(ParticipantRole.values)
            as_actor = rng.random() < 0.6
            participant = rng.choice(actor_ids if as_actor else organisation_ids)
            key = (event_id, as_actor, participant, role)
            if key in seen:
                continue
            seen.add(key)
            participations.append(
                {
                    "event_id": event_id,
                    "actor_id": participant if as_actor else None,
                    "organisation_id": None if as_actor else participant,
                    "role": role,
                    **stamp,
                }
            )
    _insert(Participation, participations)
    _insert(
        Membership,
        [
            {"actor_id": pk, "organisation_id": rng.choice(organisation_ids), "role": "member", **stamp}
            for pk in actor_ids
        ],
    )
    _insert(
        Membership.passages.through,
        [
            {"membership_id": pk, "passage_id": rng.choice(passage_ids)}
            for pk in _ids(Membership, actor_id__in=actor_ids)
        ],
    )
    relations, seen = [], set()
    for _ in range(events // 2):
        a, b = rng.sample(event_ids, 2)
        relation = rng.choice(RelationType.values)
        if (a, b, relation) not in seen:
            seen.add((a, b, relation))
            relations.append({"from_event_id": a, "to_event_id": b, "relation": relation, **stamp})
    _insert(EventRelation, relations)

    quotes = []
    for i in range(sizes.quotes):
        passage_id = rng.choice(passage_ids)
        quotes.append(
            {
                "slug": f"{PREFIX}quote-{i}",
                "text": passage_texts[passage_id],
                "passage_id": passage_id,
                "speaker_actor_id": rng.choice(actor_ids),
                "event_id": rng.choice(event_ids),
                **_dated(rng),
                **stamp,
            }
        )
    _insert(Quote, quotes)
    # Bulk writes send no signals: say so to the response cache.
    response_cache.bump_now_and_on_commit()
    return counts()


def counts() -> dict[str, int]:
    return {
        "events": Event.objects.filter(slug__startswith=PREFIX).count(),
        "actors": Actor.objects.filter(slug__startswith=PREFIX).count(),
        "organisations": Organisation.objects.filter(slug__startswith=PREFIX).count(),
        "places": Place.objects.filter(slug__startswith=PREFIX).count(),
        "periods": Period.objects.filter(slug__startswith=PREFIX).count(),
        "sources": Source.objects.filter(slug__startswith=PREFIX).count(),
        "passages": Passage.objects.filter(source__slug__startswith=PREFIX).count(),
        "quotes": Quote.objects.filter(slug__startswith=PREFIX).count(),
        "participations": Participation.objects.filter(event__slug__startswith=PREFIX).count(),
    }


def _delete(queryset) -> None:
    # A raw DELETE: no per-row signals (history would write a row per deleted record) and no
    # cascade collection in Python; the order below deletes links before what they point to.
    queryset._raw_delete(queryset.db)


@transaction.atomic
def purge() -> None:
    """Delete every synthetic record, and nothing else."""
    events = Event.objects.filter(slug__startswith=PREFIX)
    passages = Passage.objects.filter(source__slug__startswith=PREFIX)
    for through in (
        Event.passages.through,
        Actor.passages.through,
        Period.passages.through,
        Membership.passages.through,
        Participation.passages.through,
        EventRelation.passages.through,
        Quote.attribution_passages.through,
        PlacePassage,
        OrganisationPassage,
        Citation,
    ):
        _delete(through.objects.filter(passage__in=passages))
    quotes = Quote.objects.filter(slug__startswith=PREFIX)
    _delete(Quote.attribution_passages.through.objects.filter(quote__in=quotes))
    _delete(quotes)
    Quote.objects.filter(event__in=events).update(event=None)
    _delete(Participation.objects.filter(event__in=events))
    _delete(EventRelation.objects.filter(from_event__in=events))
    _delete(EventRelation.objects.filter(to_event__in=events))
    _delete(events)
    actors = Actor.objects.filter(slug__startswith=PREFIX)
    _delete(Membership.objects.filter(actor__in=actors))
    _delete(actors)
    organisations = Organisation.objects.filter(slug__startswith=PREFIX)
    _delete(organisations)
    _delete(Place.objects.filter(slug__startswith=PREFIX))
    _delete(Period.objects.filter(slug__startswith=PREFIX))
    _delete(passages)
    _delete(Source.objects.filter(slug__startswith=PREFIX))
    response_cache.bump_now_and_on_commit()
