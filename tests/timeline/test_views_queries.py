"""Every page does a bounded number of queries, with 10 events and with 500."""

import datetime

import pytest

from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.models import DateBasis, Event, EventType, Importance, Participation, Status

pytestmark = pytest.mark.django_db


def make_events(count, *, place, period, actor, organisation, passage):
    """``count`` published events spread over 1917-2007, with participants and passages (bulk, fast)."""
    events = []
    for n in range(count):
        day = datetime.date(1917, 1, 1) + datetime.timedelta(days=n * 32_000 // count)
        events.append(
            Event(
                slug=f"bulk-{n}",
                title=f"Bulk event {n}",
                summary="A general strike.",
                event_type=EventType.STRIKE,
                date_edtf=day.isoformat(),
                date_earliest=day,
                date_latest=day,
                date_precision="day",
                date_basis=DateBasis.STATED,
                importance=Importance.MAJOR if n % 7 == 0 else Importance.MINOR,
                status=Status.PUBLISHED,
                place=place,
                period=period,
            )
        )
    events = Event.objects.bulk_create(events)
    Participation.objects.bulk_create(
        [Participation(event=e, actor=actor) for e in events]
        + [Participation(event=e, organisation=organisation) for e in events]
    )
    Event.passages.through.objects.bulk_create(
        [Event.passages.through(event_id=e.pk, passage_id=passage.pk) for e in events]
    )
    return events


@pytest.fixture(params=[10, 500], ids=["10-events", "500-events"])
def many(request):
    source = SourceFactory(slug="article")
    place, period = PlaceFactory(slug="la-paz"), PeriodFactory(slug="mesa", date_edtf="1917/2007")
    actor, organisation = ActorFactory(slug="solares"), OrganisationFactory(slug="cob")
    passage = PassageFactory(source=source)
    actor.passages.add(passage)
    make_events(request.param, place=place, period=period, actor=actor, organisation=organisation, passage=passage)
    event = EventFactory(slug="focus", date_edtf="1971-07-18", period=period, place=place)
    ParticipationFactory(event=event, actor=actor)
    QuoteFactory(
        slug="words", speaker_actor=actor, event=event, passage=PassageFactory(source=source, words="the workers")
    )
    return request.param


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/", 16),
        ("/?date=1971", 16),
        ("/?actor=solares&type=strike&q=strike", 18),
        ("/?page=2", 16),
        ("/?date=bogus", 10),
        ("/events/focus/", 12),
        ("/events/bulk-3/", 12),
        ("/actors/", 4),
        ("/actors/solares/", 14),
        ("/organisations/", 4),
        ("/organisations/cob/", 16),
        ("/places/", 4),
        ("/places/la-paz/", 14),
        ("/periods/", 4),
        ("/periods/mesa/", 14),
        ("/sources/", 4),
        ("/sources/article/", 24),
        ("/quotes/words/", 6),
        ("/search/?q=strike", 14),
    ],
)
def test_pages_do_a_bounded_number_of_queries(client, many, django_assert_max_num_queries, url, most):
    if url == "/?page=2" and many < 60:
        url = "/"
    with django_assert_max_num_queries(most):
        response = client.get(url)

    assert response.status_code in (200, 400)
