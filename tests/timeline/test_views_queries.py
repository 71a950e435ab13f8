"""Every page does a bounded number of queries, with 10 events and with 500: at most 10, pinned at the real count.

The anonymous response cache is off here: these are the queries of a page rendered afresh.
"""

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
        ("/", 8),
        ("/?date=1971", 8),
        ("/?actor=solares&type=strike&q=strike", 10),
        ("/?page=2", 8),
        ("/?date=bogus", 2),
        ("/events/focus/", 8),
        ("/events/bulk-3/", 8),
        ("/actors/", 2),
        ("/actors/solares/", 8),
        ("/organisations/", 2),
        ("/organisations/cob/", 10),
        ("/places/", 2),
        ("/places/la-paz/", 8),
        ("/periods/", 2),
        ("/periods/mesa/", 6),
        ("/sources/", 3),
        ("/sources/article/", 6),
        ("/quotes/words/", 2),
        ("/search/?q=strike", 4),
    ],
)
def test_pages_do_a_bounded_number_of_queries(client, settings, many, django_assert_max_num_queries, url, most):
    settings.RESPONSE_CACHE = False
    if url == "/?page=2" and many < 60:
        url = "/"
    with django_assert_max_num_queries(most):
        response = client.get(url)

    assert response.status_code in (200, 400)


def test_cursor_pages_do_a_bounded_number_of_queries(client, settings, many, django_assert_max_num_queries):
    """The Later and Earlier links: no OFFSET, no COUNT(*) (the count is kept), the same queries at any depth."""
    import re
    from html import unescape

    settings.RESPONSE_CACHE = False
    url, visited = "/", 0
    while url and visited < 4:
        with django_assert_max_num_queries(9) as counted:
            response = client.get(url)
        assert response.status_code == 200
        assert not any("OFFSET" in query["sql"] for query in counted.captured_queries)
        if visited:
            assert not any("COUNT(*)" in query["sql"] for query in counted.captured_queries)
        found = re.search(r'<a href="([^"]+)" rel="(?:next|prev)">', response.content.decode())
        url = unescape(found.group(1)) if found and "cursor=" in found.group(1) else None
        visited += 1

    assert visited == (1 if many < 60 else 4)


@pytest.mark.parametrize("quotes", [1, 30])
def test_search_reads_the_speakers_with_the_quotations(client, settings, django_assert_num_queries, quotes):
    """One query per kind of result, however many quotations by organisations match."""
    settings.RESPONSE_CACHE = False
    for n in range(quotes):
        QuoteFactory(slug=f"q-{n}", speaker_actor=None, speaker_organisation=OrganisationFactory(name=f"Union {n}"))

    with django_assert_num_queries(4):
        response = client.get("/search/?q=workers")

    assert response.content.decode().count("— Union ") == min(quotes, 20)
