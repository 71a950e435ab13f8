"""Every API endpoint does a bounded number of queries: the same with 10 records of each kind as with 500."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ActorFactory,
    EventFactory,
    EventRelationFactory,
    MembershipFactory,
    OrganisationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.models import (
    Actor,
    DateBasis,
    Event,
    EventType,
    Organisation,
    Participation,
    Place,
    Status,
)

pytestmark = pytest.mark.django_db

# The most queries each endpoint may make (anonymous, response cache off), whatever the data size.
ENDPOINTS = {
    "/api/v1/events/": 4,
    "/api/v1/events/?page_size=100&type=strike&after=1950&before=2000": 4,
    "/api/v1/events/?q=strike": 4,
    "/api/v1/events/?ordering=title&page=3": 4,
    "/api/v1/events/{event}/": 4,
    "/api/v1/events/csv/": 5,
    "/api/v1/events/jsonld/": 5,
    "/api/v1/events/{event}/jsonld/": 4,
    "/api/v1/events/timelinejs/": 6,
    "/api/v1/events/ics/": 5,
    "/api/v1/actors/": 4,
    "/api/v1/actors/{actor}/": 4,
    "/api/v1/actors/csv/": 5,
    "/api/v1/actors/jsonld/": 5,
    "/api/v1/organisations/": 4,
    "/api/v1/organisations/{organisation}/": 4,
    "/api/v1/organisations/csv/": 5,
    "/api/v1/organisations/jsonld/": 5,
    "/api/v1/places/": 3,
    "/api/v1/places/{place}/": 3,
    "/api/v1/places/csv/": 4,
    "/api/v1/places/geojson/": 5,
    "/api/v1/places/jsonld/": 4,
    "/api/v1/periods/": 3,
    "/api/v1/periods/{period}/": 3,
    "/api/v1/periods/csv/": 4,
    "/api/v1/sources/": 3,
    "/api/v1/sources/{source}/": 3,
    "/api/v1/sources/csv/": 4,
    "/api/v1/passages/": 2,
    "/api/v1/passages/{passage}/": 2,
    "/api/v1/passages/csv/": 3,
    "/api/v1/quotes/": 4,
    "/api/v1/quotes/{quote}/": 4,
    "/api/v1/quotes/csv/": 5,
    "/api/schema/": 1,
    "/api/": 1,
}


def records(count):
    """``count`` events, people, organisations and places, linked, with passages (bulk, fast)."""
    source = SourceFactory(slug="article")
    passage = PassageFactory(source=source)
    period = PeriodFactory(slug="mesa", date_edtf="1917/2007")
    country = PlaceFactory(slug="bolivia", name="Bolivia", kind="country")
    places = Place.objects.bulk_create(
        Place(slug=f"place-{n}", name=f"Place {n}", kind="city", latitude=-16.5, longitude=-68.1, within=country)
        for n in range(count)
    )
    actors = Actor.objects.bulk_create(
        Actor(slug=f"actor-{n}", name=f"Person {n}", status=Status.PUBLISHED) for n in range(count)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(slug=f"org-{n}", name=f"Union {n}", acronym=f"U{n}", kind="union", status=Status.PUBLISHED)
        for n in range(count)
    )
    events = []
    for n in range(count):
        day = datetime.date(1917, 1, 1) + datetime.timedelta(days=n * 32_000 // count)
        events.append(
            Event(
                slug=f"bulk-{n}",
                title=f"General strike {n}",
                summary="A general strike.",
                event_type=EventType.STRIKE,
                date_edtf=day.isoformat(),
                date_earliest=day,
                date_latest=day,
                date_precision="day",
                date_basis=DateBasis.STATED,
                status=Status.PUBLISHED,
                place=places[n],
                period=period,
            )
        )
    events = Event.objects.bulk_create(events)
    Participation.objects.bulk_create(
        [Participation(event=e, actor=a) for e, a in zip(events, actors, strict=True)]
        + [Participation(event=e, organisation=o) for e, o in zip(events, organisations, strict=True)]
    )
    for through, key, objects in (
        (Event.passages.through, "event_id", events),
        (Actor.passages.through, "actor_id", actors),
    ):
        through.objects.bulk_create(through(**{key: obj.pk, "passage_id": passage.pk}) for obj in objects)
    actor, organisation = ActorFactory(slug="solares"), OrganisationFactory(slug="cob")
    MembershipFactory(actor=actor, organisation=organisation)
    event = EventFactory(slug="focus", date_edtf="1971-07-18", period=period, place=PlaceFactory(slug="la-paz"))
    EventRelationFactory(from_event=event, to_event=events[0])
    quote = QuoteFactory(
        slug="words", speaker_actor=actor, event=event, passage=PassageFactory(source=source, words="the workers")
    )
    return {
        "event": event.slug,
        "actor": actor.slug,
        "organisation": organisation.slug,
        "place": "la-paz",
        "period": period.slug,
        "source": source.slug,
        "passage": passage.slug,
        "quote": quote.slug,
    }


@pytest.mark.parametrize("count", [10, 500])
def test_every_endpoint_does_a_bounded_number_of_queries(client, settings, count):
    settings.RESPONSE_CACHE = False
    slugs = records(count)
    made = {}
    for template in ENDPOINTS:
        url = template.format(**slugs)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        made[template] = len(queries)

    assert {url: n for url, n in made.items() if n > ENDPOINTS[url]} == {}
    assert max(made.values()) <= 10
