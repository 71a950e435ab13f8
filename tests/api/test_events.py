"""/api/v1/events/: list, detail, filters, ordering, pagination, strictness and query counts."""

from http import HTTPStatus

import pytest

from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    SourceFactory,
)
from timeline.models import Event

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
STAMP = "2004-01-26T12:00:00Z"


def stamp(*records):
    Event.objects.filter(pk__in=[r.pk for r in records]).update(created_at=STAMP, updated_at=STAMP)


@pytest.fixture
def meeting():
    source = SourceFactory(slug="article")
    passage = PassageFactory(source=source, words="gathered in Cochabamba")
    event = EventFactory(
        slug="meeting",
        title="COB enlarged meeting",
        summary="It called a general strike.",
        event_type="assembly",
        date_edtf="2004-01-22",
        date_as_written="Thursday, January 22",
        place=PlaceFactory(slug="cochabamba", name="Cochabamba"),
        period=PeriodFactory(slug="mesa", name="Mesa's government"),
        importance=3,
    )
    event.passages.add(passage)
    ParticipationFactory(event=event, actor=ActorFactory(slug="solares", name="Jaime Solares"), role="leader")
    ParticipationFactory(
        event=event, actor=None, organisation=OrganisationFactory(slug="cob", name="COB"), role="organiser"
    )
    stamp(event)
    return event


MEETING = {
    "slug": "meeting",
    "title": "COB enlarged meeting",
    "summary": "It called a general strike.",
    "type": "assembly",
    "occurrence": "occurred",
    "importance": 3,
    "status": "published",
    "date": {
        "edtf": "2004-01-22",
        "earliest": "2004-01-22",
        "latest": "2004-01-22",
        "display": "22 January 2004",
        "precision": "day",
        "approximate": False,
        "uncertain": False,
        "as_written": "Thursday, January 22",
        "basis": "stated",
        "note": "",
    },
    "place": {"slug": "cochabamba", "name": "Cochabamba", "url": f"{BASE}/api/v1/places/cochabamba/"},
    "place_as_written": "",
    "period": {"slug": "mesa", "name": "Mesa's government", "url": f"{BASE}/api/v1/periods/mesa/"},
    "participants": [
        {
            "role": "leader",
            "role_as_written": "",
            "kind": "actor",
            "participant": {"slug": "solares", "name": "Jaime Solares", "url": f"{BASE}/api/v1/actors/solares/"},
        },
        {
            "role": "organiser",
            "role_as_written": "",
            "kind": "organisation",
            "participant": {"slug": "cob", "name": "COB", "url": f"{BASE}/api/v1/organisations/cob/"},
        },
    ],
    "passages": [
        {
            "slug": "article-43-65",
            "source": "article",
            "start": 43,
            "end": 65,
            "text": "gathered in Cochabamba",
            "url": f"{BASE}/api/v1/passages/article-43-65/",
        }
    ],
    "notes": "",
    "url": f"{BASE}/api/v1/events/meeting/",
    "site_url": f"{BASE}/events/meeting/",
    "created_at": STAMP,
    "updated_at": STAMP,
}


def test_event_detail_is_the_whole_record(client, meeting):
    response = client.get("/api/v1/events/meeting/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == MEETING


def test_event_list_is_paginated_without_a_count(client, meeting):
    response = client.get("/api/v1/events/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": None, "results": [MEETING]}


def test_event_detail_of_unknown_slug_is_404(client):
    response = client.get("/api/v1/events/nothing/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"detail": "No Event matches the given query."}


def test_drafts_are_hidden_from_anonymous_clients(client, curator_client):
    EventFactory(slug="draft", status="draft")
    EventFactory(slug="public")

    assert [e["slug"] for e in client.get("/api/v1/events/").json()["results"]] == ["public"]
    assert client.get("/api/v1/events/draft/").status_code == HTTPStatus.NOT_FOUND
    assert [e["slug"] for e in curator_client.get("/api/v1/events/").json()["results"]] == ["draft", "public"]
    assert curator_client.get("/api/v1/events/draft/").status_code == HTTPStatus.OK


def test_draft_participants_are_hidden_from_anonymous_clients(client, curator_client):
    event = EventFactory(slug="meeting")
    ParticipationFactory(event=event, actor=ActorFactory(slug="hidden", status="draft"))
    ParticipationFactory(event=event, actor=ActorFactory(slug="shown"))

    def participants(api):
        return [p["participant"]["slug"] for p in api.get("/api/v1/events/meeting/").json()["participants"]]

    assert participants(client) == ["shown"]
    assert participants(curator_client) == ["hidden", "shown"]


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_list_entries_are_the_detail_records(client, curator_client, who):
    """The list reads participants and passages as plain rows, the detail through the ORM: the same JSON."""
    api = client if who == "anonymous" else curator_client
    first, second = SourceFactory(slug="first"), SourceFactory(slug="second")
    meeting, strike = (
        EventFactory(slug="meeting", date_edtf="2004-01-22"),
        EventFactory(slug="strike", date_edtf="2004-02"),
    )
    EventFactory(slug="alone", date_edtf="2004-03")
    meeting.passages.add(
        PassageFactory(source=second, words="The national"), PassageFactory(source=first, words="general strike")
    )
    strike.passages.add(PassageFactory(source=first, words="The leader"))
    ParticipationFactory(event=meeting, actor=ActorFactory(slug="hidden", status="draft"), role_as_written="a delegate")
    ParticipationFactory(
        event=meeting, actor=None, organisation=OrganisationFactory(slug="cob", name="Workers' Union", acronym="COB")
    )
    ParticipationFactory(event=strike, actor=None, organisation=OrganisationFactory(slug="fsutmb", status="draft"))

    listed = api.get("/api/v1/events/").json()["results"]

    assert listed == [api.get(f"/api/v1/events/{slug}/").json() for slug in ("meeting", "strike", "alone")]
    assert [[p["participant"]["slug"] for p in event["participants"]] for event in listed] == (
        [["cob"], [], []] if who == "anonymous" else [["hidden", "cob"], ["fsutmb"], []]
    )
    assert [[p["source"] for p in event["passages"]] for event in listed] == [["first", "second"], ["first"], []]


@pytest.fixture
def events():
    la_paz, period = PlaceFactory(slug="la-paz"), PeriodFactory(slug="mesa")
    solares, cob = ActorFactory(slug="solares"), OrganisationFactory(slug="cob")
    source = SourceFactory(slug="article")
    made = {
        "coup": EventFactory(slug="coup", title="Banzer's coup", event_type="coup", date_edtf="1971-07-18/1971-07-20"),
        "october": EventFactory(
            slug="october", title="October insurrection", event_type="insurrection", date_edtf="2003-10", importance=3
        ),
        "meeting": EventFactory(
            slug="meeting", title="COB enlarged meeting", date_edtf="2004-01-22", place=la_paz, period=period
        ),
        "strike": EventFactory(
            slug="strike", title="General strike", event_type="strike", date_edtf="2004-02-11~", period=period
        ),
        "undated": EventFactory(slug="undated", title="A coming election", date_edtf="", date_basis=""),
    }
    ParticipationFactory(event=made["meeting"], actor=solares)
    ParticipationFactory(event=made["october"], actor=None, organisation=cob)
    made["meeting"].passages.add(PassageFactory(source=source))
    return made


def slugs(response):
    assert response.status_code == HTTPStatus.OK, response.json()
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["coup", "october", "meeting", "strike", "undated"]),
        ("after=2003-10", ["october", "meeting", "strike"]),
        ("after=2004", ["meeting", "strike"]),
        ("before=1971", ["coup"]),
        ("after=2004-01&before=2004-01", ["meeting"]),
        ("date=1971", ["coup"]),
        ("date=2003-10/2004-01", ["october", "meeting"]),
        ("actor=solares", ["meeting"]),
        ("organisation=cob", ["october"]),
        ("place=la-paz", ["meeting"]),
        ("period=mesa", ["meeting", "strike"]),
        ("source=article", ["meeting"]),
        ("type=strike", ["strike"]),
        ("importance=3", ["october"]),
        ("q=coup", ["coup"]),
        ("q=general strike", ["strike"]),
        ("period=mesa&type=strike", ["strike"]),
        ("after=2003&before=2004-01&actor=solares", ["meeting"]),
        ("date=1900/2100&ordering=-date", ["strike", "meeting", "october", "coup"]),
        ("ordering=title", ["undated", "coup", "meeting", "strike", "october"]),
        ("ordering=-importance,title", ["october", "undated", "coup", "meeting", "strike"]),
        ("period=mesa&ordering=-date", ["strike", "meeting"]),
    ],
)
def test_event_filters_alone_and_combined(client, events, query, expected):
    assert slugs(client.get(f"/api/v1/events/?{query}")) == expected


INVALID_EDTF = (
    "“January” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
    "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain)."
)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"colour": ["Unknown parameter “colour”."]}),
        ("colour=red&size=2", {"colour": ["Unknown parameter “colour”."], "size": ["Unknown parameter “size”."]}),
        ("type=picnic", {"type": ["Select a valid choice. picnic is not one of the available choices."]}),
        ("actor=nobody", {"actor": ["Select a valid choice. That choice is not one of the available choices."]}),
        (
            "organisation=nobody",
            {"organisation": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        ("place=atlantis", {"place": ["Select a valid choice. That choice is not one of the available choices."]}),
        ("period=nowhen", {"period": ["Select a valid choice. That choice is not one of the available choices."]}),
        ("source=none", {"source": ["Select a valid choice. That choice is not one of the available choices."]}),
        ("after=January", {"after": [INVALID_EDTF]}),
        ("date=1972/1971", {"date": ["“1972/1971” ends before it starts."]}),
        ("before=1971/..", {"before": ["“1971/..” is open-ended or has an unknown end; give both ends of the range."]}),
        ("importance=9", {"importance": ["Select a valid choice. 9 is not one of the available choices."]}),
        ("ordering=secret", {"ordering": ["Select a valid choice. secret is not one of the available choices."]}),
        ("type=coup&type=strike", {"type": ["Give “type” once."]}),
        ("page_size=0", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “0”."]}),
        ("page_size=-1", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “-1”."]}),
        (
            "page_size=1000000000",
            {"page_size": ["“page_size” must be a whole number from 1 to 100; got “1000000000”."]},
        ),
        ("page_size=ten", {"page_size": ["“page_size” must be a whole number from 1 to 100; got “ten”."]}),
        ("page=0", {"page": ["“page” must be a whole number from 1 to 1000000; got “0”."]}),
        ("page=2.5", {"page": ["“page” must be a whole number from 1 to 1000000; got “2.5”."]}),
        ("page=1&page=2", {"page": ["Give “page” once."]}),
        ("format=xml", {"format": ["“xml” is not a format this endpoint offers."]}),
    ],
)
def test_invalid_query_is_400_naming_the_parameter(client, events, query, errors):
    response = client.get(f"/api/v1/events/?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": f"Invalid query parameter(s): {', '.join(sorted(errors))}.", "errors": errors}


def test_unknown_parameters_on_a_detail_are_400(client, events):
    response = client.get("/api/v1/events/coup/?type=coup")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "detail": "Invalid query parameter(s): type.",
        "errors": {"type": ["Unknown parameter “type”."]},
    }


def test_draft_actor_cannot_be_used_as_filter_by_anonymous_clients(client, curator_client, events):
    hidden = ActorFactory(slug="hidden", status="draft")
    ParticipationFactory(event=events["coup"], actor=hidden)

    assert client.get("/api/v1/events/?actor=hidden").status_code == HTTPStatus.BAD_REQUEST
    assert slugs(curator_client.get("/api/v1/events/?actor=hidden")) == ["coup"]


def test_pagination_links_walk_the_list(client, events):
    first = client.get("/api/v1/events/?page=1&page_size=2").json()
    second = client.get("/api/v1/events/?page_size=2&page=2").json()
    third = client.get("/api/v1/events/?page_size=2&page=3").json()

    assert [e["slug"] for e in first["results"]] == ["coup", "october"]
    assert first["next"] == f"{BASE}/api/v1/events/?page=2&page_size=2"
    assert first["previous"] is None
    assert [e["slug"] for e in second["results"]] == ["meeting", "strike"]
    assert second["next"] == f"{BASE}/api/v1/events/?page=3&page_size=2"
    assert second["previous"] == f"{BASE}/api/v1/events/?page_size=2"
    assert [e["slug"] for e in third["results"]] == ["undated"]
    assert third["next"] is None


def test_page_past_the_end_is_empty(client, events):
    response = client.get("/api/v1/events/?page=9")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"next": None, "previous": f"{BASE}/api/v1/events/?page=8", "results": []}


def test_default_and_maximum_page_sizes(client):
    EventFactory.create_batch(120)

    assert len(client.get("/api/v1/events/").json()["results"]) == 50
    assert len(client.get("/api/v1/events/?page_size=100").json()["results"]) == 100


@pytest.mark.parametrize("count", [10, 500])
def test_event_list_queries_are_bounded(client, django_assert_max_num_queries, count):
    place, period, source = PlaceFactory(), PeriodFactory(), SourceFactory()
    passage = PassageFactory(source=source)
    actor, organisation = ActorFactory(), OrganisationFactory()
    for event in EventFactory.create_batch(count, place=place, period=period):
        event.passages.add(passage)
        ParticipationFactory(event=event, actor=actor)
        ParticipationFactory(event=event, actor=None, organisation=organisation)

    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/events/?page_size=100")
    with django_assert_max_num_queries(5):
        client.get("/api/v1/events/timelinejs/")
    with django_assert_max_num_queries(6):
        client.get(f"/api/v1/events/?page_size=100&actor={actor.slug}&place={place.slug}")

    assert len(response.json()["results"]) == min(count, 100)


def test_event_detail_queries_are_bounded(client, meeting, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/events/meeting/").status_code == HTTPStatus.OK
