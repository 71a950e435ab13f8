"""What an event list shows with each event, read as plain rows: who took part, and the passages.

A page of fifty events shows about 150 participants and 100 passages. With
``prefetch_related`` Django builds a model instance for each linked record and a
related manager per event; reading the same two queries as value rows costs about
a third of that (at 100,000 events, about 7 ms against 20 ms a page). The rows
carry exactly what the list's summaries read (slug, name, acronym, status) and
nothing else, so they are for display only.

:func:`attach` sets ``participant_rows`` and ``passage_rows`` on each event;
:func:`participants_of` and :func:`passages_of` return them, or fall back to the
related managers (and their prefetch) for an event loaded some other way.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from timeline.models import Actor, Event, Organisation, Participation, Passage


class LinkedRecord:
    """A person or an organisation as a summary shows it (``_meta`` names the model for permission checks)."""

    __slots__ = ("acronym", "name", "pk", "slug", "status")
    _meta = None

    def __init__(self, pk, slug, name, acronym, status):
        self.pk, self.slug, self.name, self.acronym, self.status = pk, slug, name, acronym, status

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class ActorRecord(LinkedRecord):
    __slots__ = ()
    _meta = Actor._meta


class OrganisationRecord(LinkedRecord):
    __slots__ = ()
    _meta = Organisation._meta


class ParticipantRow:
    """One participation: the role and the person or organisation."""

    __slots__ = ("actor", "actor_id", "organisation", "organisation_id", "role", "role_as_written")

    def __init__(self, actor, organisation, role, role_as_written):
        self.actor, self.organisation = actor, organisation
        self.actor_id = actor.pk if actor else None
        self.organisation_id = organisation.pk if organisation else None
        self.role, self.role_as_written = role, role_as_written

    @property
    def participant(self):
        return self.actor or self.organisation


class SourceRecord:
    __slots__ = ("pk", "slug")

    def __init__(self, pk, slug):
        self.pk, self.slug = pk, slug


class PassageRow:
    """One passage: where it lies in its source, and its words."""

    __slots__ = ("end", "slug", "source", "source_id", "start", "text")

    def __init__(self, slug, source, start, end, text):
        self.slug, self.source, self.source_id = slug, source, source.pk
        self.start, self.end, self.text = start, end, text


PARTICIPANT_FIELDS = (
    "event_id",
    "role",
    "role_as_written",
    "actor_id",
    "actor__slug",
    "actor__name",
    "actor__status",
    "organisation_id",
    "organisation__slug",
    "organisation__name",
    "organisation__acronym",
    "organisation__status",
)


def attach(events: Sequence[Event], *, participants: Q | None = None, passages: bool = True) -> None:
    """Read the events' participants (in ``pk`` order) and passages (in source order) in two queries.

    ``participants`` narrows the participations (the HTML pages leave out draft people
    there); the API keeps them all and asks about each one, as it does with the
    related managers.
    """
    ids = [event.pk for event in events]
    by_event: dict[int, list] = {pk: [] for pk in ids}
    rows = Participation.objects.filter(event_id__in=ids)
    if participants is not None:
        rows = rows.filter(participants)
    for row in rows.order_by("pk").values_list(*PARTICIPANT_FIELDS):
        event_id, role, as_written, actor_id, a_slug, a_name, a_status, organisation_id, *organisation = row
        actor = ActorRecord(actor_id, a_slug, a_name, "", a_status) if actor_id is not None else None
        organisation = OrganisationRecord(organisation_id, *organisation) if organisation_id is not None else None
        by_event[event_id].append(ParticipantRow(actor, organisation, role, as_written))
    for event in events:
        event.participant_rows = by_event[event.pk]
    if not passages:
        return
    by_event = {pk: [] for pk in ids}
    sources: dict[int, SourceRecord] = {}
    links = Passage.objects.filter(events__in=ids).order_by("source_id", "start", "end", "pk")
    for event_id, slug, source_id, source_slug, start, end, text in links.values_list(
        "events", "slug", "source_id", "source__slug", "start", "end", "text"
    ):
        source = sources.get(source_id) or sources.setdefault(source_id, SourceRecord(source_id, source_slug))
        by_event[event_id].append(PassageRow(slug, source, start, end, text))
    for event in events:
        event.passage_rows = by_event[event.pk]


def participants_of(event) -> list:
    rows = getattr(event, "participant_rows", None)
    return rows if rows is not None else list(event.participations.all())


def passages_of(event) -> list:
    rows = getattr(event, "passage_rows", None)
    return rows if rows is not None else list(event.passages.all())
