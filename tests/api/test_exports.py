"""Exports, each parsed back by a real parser: csv, geojson, pyld, icalendar; TimelineJS by its documented shape."""

import csv
import io
import json
from http import HTTPStatus

import geojson
import icalendar
import pytest
from pyld import jsonld

from api import exports
from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    UserFactory,
)
from timeline.models import Actor, Place

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def timeline():
    la_paz = PlaceFactory(slug="la-paz", name="La Paz", latitude="-16.5", longitude="-68.15")
    PlaceFactory(slug="nowhere", name="Nowhere")
    period = PeriodFactory(slug="mesa", name="Mesa's government", date_edtf="2003-10/2005-06")
    coup = EventFactory(
        slug="coup", title="Banzer's coup", event_type="coup", date_edtf="1971-07-18/1971-07-20", place=la_paz
    )
    EventFactory(slug="october", title="October insurrection", event_type="insurrection", date_edtf="2003-10")
    meeting = EventFactory(
        slug="meeting", title="COB meeting", summary="A strike is called.", date_edtf="2004-01-22", period=period
    )
    EventFactory(slug="strike", title="General strike", event_type="strike", date_edtf="2004-02-11~", place=la_paz)
    EventFactory(slug="undated", title="An election", date_edtf="", date_basis="")
    EventFactory(slug="secret", title="Draft", status="draft", date_edtf="2004-01-23", place=la_paz)
    ParticipationFactory(event=meeting, actor=ActorFactory(slug="solares", name="Jaime Solares"), role="leader")
    ParticipationFactory(
        event=meeting, actor=None, organisation=OrganisationFactory(slug="cob", name="COB"), role="participant"
    )
    ParticipationFactory(event=coup, actor=ActorFactory(slug="banzer", name="Banzer"), role="leader")


def test_timelinejs_follows_the_documented_format(client, timeline):
    response = client.get("/api/v1/events/timelinejs/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "title": {
            "text": {
                "headline": "Bolivia timeline",
                "text": "<p>4 events from the documents, each linked to the passage that states it.</p>",
            },
            "unique_id": "title",
        },
        "events": [
            {
                "start_date": {"year": 1971, "month": 7, "day": 18},
                "end_date": {"year": 1971, "month": 7, "day": 20},
                "text": {
                    "headline": "Banzer&#x27;s coup",
                    "text": f'<p>What happened.</p><p><a href="{BASE}/events/coup/">18–20 July 1971 · sources</a></p>',
                },
                "group": "coup",
                "unique_id": "coup",
            },
            {
                "start_date": {"year": 2003, "month": 10},
                "text": {
                    "headline": "October insurrection",
                    "text": f'<p>What happened.</p><p><a href="{BASE}/events/october/">October 2003 · sources</a></p>',
                },
                "group": "insurrection",
                "unique_id": "october",
            },
            {
                "start_date": {"year": 2004, "month": 1, "day": 22},
                "text": {
                    "headline": "COB meeting",
                    "text": "<p>A strike is called.</p>"
                    f'<p><a href="{BASE}/events/meeting/">22 January 2004 · sources</a></p>',
                },
                "group": "meeting",
                "unique_id": "meeting",
            },
            {
                "start_date": {"year": 2004, "month": 2, "day": 11},
                "text": {
                    "headline": "General strike",
                    "text": "<p>What happened.</p>"
                    f'<p><a href="{BASE}/events/strike/">c. 11 February 2004 · sources</a></p>',
                },
                "group": "strike",
                "unique_id": "strike",
                "display_date": "c. 11 February 2004",
            },
        ],
        "eras": [
            {
                "start_date": {"year": 2003, "month": 10},
                "end_date": {"year": 2005, "month": 6},
                "text": {"headline": "Mesa&#x27;s government"},
            }
        ],
        "scale": "human",
    }


def test_timelinejs_is_filterable_like_the_list(client, timeline):
    response = client.get("/api/v1/events/timelinejs/?after=2004&type=strike")

    assert [slide["unique_id"] for slide in response.json()["events"]] == ["strike"]
    assert client.get("/api/v1/events/timelinejs/?page=2").status_code == HTTPStatus.BAD_REQUEST


def test_events_csv_parses_back_one_row_per_event(client, timeline):
    response = client.get("/api/v1/events/csv/?after=2004")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="events.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == [
        "slug",
        "title",
        "summary",
        "type",
        "occurrence",
        "importance",
        "status",
        "date_edtf",
        "date_earliest",
        "date_latest",
        "date_display",
        "date_precision",
        "date_approximate",
        "date_uncertain",
        "date_as_written",
        "date_basis",
        "date_note",
        "place",
        "place_as_written",
        "period",
        "participants",
        "passages",
        "notes",
        "url",
        "site_url",
        "created_at",
        "updated_at",
    ]
    assert [(row["slug"], row["date_display"], row["participants"], row["period"]) for row in rows] == [
        ("meeting", "22 January 2004", "solares (leader); cob (participant)", "mesa"),
        ("strike", "c. 11 February 2004", "", ""),
    ]


@pytest.mark.parametrize("resource", ["actors", "organisations", "places", "periods", "sources", "passages", "quotes"])
def test_every_list_exports_csv(client, timeline, resource):
    response = client.get(f"/api/v1/{resource}/csv/")
    listed = client.get(f"/api/v1/{resource}/?page_size=100").json()["results"]

    assert response.status_code == HTTPStatus.OK
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [row["slug"] for row in rows] == [item["slug"] for item in listed]


def test_places_geojson_is_valid_with_the_events_at_each_place(client, timeline):
    response = client.get("/api/v1/places/geojson/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/geo+json"
    collection = geojson.loads(response.content.decode())
    assert collection.is_valid, collection.errors()
    assert response.json() == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": "la-paz",
                "geometry": {"type": "Point", "coordinates": [-68.15, -16.5]},
                "properties": {
                    "slug": "la-paz",
                    "name": "La Paz",
                    "kind": "city",
                    "coordinates_by_curator": True,
                    "url": f"{BASE}/api/v1/places/la-paz/",
                    "site_url": f"{BASE}/places/la-paz/",
                    "events": [
                        {
                            "slug": "coup",
                            "title": "Banzer's coup",
                            "date": "18–20 July 1971",
                            "url": f"{BASE}/api/v1/events/coup/",
                        },
                        {
                            "slug": "strike",
                            "title": "General strike",
                            "date": "c. 11 February 2004",
                            "url": f"{BASE}/api/v1/events/strike/",
                        },
                    ],
                    "event_count": 2,
                    "events_url": f"{BASE}/api/v1/events/?place=la-paz",
                },
            }
        ],
    }


def test_a_places_feature_lists_its_first_events_and_counts_them_all(client, timeline, monkeypatch):
    monkeypatch.setattr(exports, "GEOJSON_EVENTS", 1)
    PlaceFactory(slug="oruro", name="Oruro", latitude="-17.97", longitude="-67.11")
    EventFactory(slug="oruro-march", title="March", date_edtf="2003-09", place=Place.objects.get(slug="oruro"))

    features = client.get("/api/v1/places/geojson/").json()["features"]

    assert [
        (f["id"], [e["slug"] for e in f["properties"]["events"]], f["properties"]["event_count"]) for f in features
    ] == [("la-paz", ["coup"], 2), ("oruro", ["oruro-march"], 1)]
    # A curator counts the draft at La Paz too.
    client.force_login(UserFactory(permissions=["timeline.change_event"]))
    curated = client.get("/api/v1/places/geojson/").json()["features"]
    assert [f["properties"]["event_count"] for f in curated] == [3, 1]


LIMITED_EXPORTS = [
    # What the export holds: five published events, four of them dated (TimelineJS and iCalendar).
    ("/api/v1/events/csv/", 5, "events", "/api/v1/events/"),
    ("/api/v1/events/jsonld/", 5, "events", "/api/v1/events/"),
    ("/api/v1/events/timelinejs/", 4, "events", "/api/v1/events/"),
    ("/api/v1/events/ics/", 4, "events", "/api/v1/events/"),
    ("/api/v1/actors/csv/", 2, "actors", "/api/v1/actors/"),
    ("/api/v1/actors/jsonld/", 2, "actors", "/api/v1/actors/"),
    ("/api/v1/quotes/csv/", 3, "quotes", "/api/v1/quotes/"),
]


@pytest.mark.parametrize(("url", "matched", "noun", "listed"), LIMITED_EXPORTS)
def test_an_export_past_the_limit_is_400_saying_how_to_narrow_it(
    client, timeline, settings, url, matched, noun, listed, django_assert_max_num_queries
):
    if noun == "quotes":
        QuoteFactory.create_batch(3, speaker_actor=Actor.objects.get(slug="banzer"))
    settings.API_MAX_EXPORT = matched - 1

    with django_assert_max_num_queries(3):  # the rows up to one past the limit, the count, a session
        response = client.get(url)

    narrow = "Narrow the filters" if noun == "actors" else "Narrow the filters (for example after and before)"
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {
        "detail": f"The filters match {matched} {noun}; one export holds at most {matched - 1}. {narrow}, or "
        f"read the paginated list, {BASE}{listed}, page by page."
    }
    settings.API_MAX_EXPORT = matched
    assert client.get(url).status_code == HTTPStatus.OK


def test_the_export_limit_counts_the_filtered_records(client, timeline, settings):
    settings.API_MAX_EXPORT = 2

    assert client.get("/api/v1/events/csv/").status_code == HTTPStatus.BAD_REQUEST
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/events/csv/?after=2004").content.decode())))
    assert [row["slug"] for row in rows] == ["meeting", "strike"]


def test_the_limit_counts_what_the_export_holds(client, timeline, settings):
    """Places on the map (with coordinates: La Paz, not Nowhere), dated events in TimelineJS and iCalendar."""
    PlaceFactory(slug="oruro", name="Oruro", latitude="-17.97", longitude="-67.11")
    settings.API_MAX_EXPORT = 4  # the four dated events of five, and two of the three places

    assert client.get("/api/v1/events/timelinejs/").status_code == HTTPStatus.OK
    assert client.get("/api/v1/events/ics/").status_code == HTTPStatus.OK
    assert client.get("/api/v1/events/csv/").status_code == HTTPStatus.BAD_REQUEST
    settings.API_MAX_EXPORT = 1
    response = client.get("/api/v1/places/geojson/")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"].startswith("The filters match 2 places; one export holds at most 1.")


def offline_loader(url, options=None):
    raise AssertionError(f"JSON-LD expansion tried to fetch {url}")


def expand(response):
    return jsonld.expand(json.loads(response.content), {"documentLoader": offline_loader})


def test_event_jsonld_expands_to_schema_org(client, timeline):
    response = client.get("/api/v1/events/meeting/jsonld/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/ld+json"
    [node] = expand(response)
    assert node["@type"] == ["https://schema.org/Event"]
    assert node["@id"] == f"{BASE}/events/meeting/"
    assert node["https://schema.org/name"] == [{"@value": "COB meeting"}]
    assert node["https://schema.org/startDate"] == [{"@value": "2004-01-22"}]
    assert node["https://schema.org/organizer"][0]["@type"] == ["https://schema.org/Person"]
    assert node["https://schema.org/attendee"][0]["@type"] == ["https://schema.org/Organization"]
    assert node["https://schema.org/superEvent"][0]["@id"] == f"{BASE}/periods/mesa/"


def test_event_jsonld_dates_keep_their_precision(client, timeline):
    graph = client.get("/api/v1/events/jsonld/?before=2003-12").json()["@graph"]

    assert [(n["name"], n["startDate"], n["endDate"]) for n in graph] == [
        ("Banzer's coup", "1971-07-18", "1971-07-20"),
        ("October insurrection", "2003-10", "2003-10"),
    ]


@pytest.mark.parametrize(
    ("url", "schema_type"),
    [
        ("/api/v1/actors/solares/jsonld/", "Person"),
        ("/api/v1/organisations/cob/jsonld/", "Organization"),
        ("/api/v1/places/la-paz/jsonld/", "Place"),
    ],
)
def test_entity_jsonld_expands_to_schema_org(client, timeline, url, schema_type):
    [node] = expand(client.get(url))

    assert node["@type"] == [f"https://schema.org/{schema_type}"]


@pytest.mark.parametrize("resource", ["events", "actors", "organisations", "places"])
def test_jsonld_lists_expand(client, timeline, resource):
    nodes = expand(client.get(f"/api/v1/{resource}/jsonld/"))

    assert nodes
    assert all(node["@id"].startswith(f"{BASE}/{resource}/") for node in nodes)


def test_icalendar_has_the_events_dated_to_the_day(client, timeline):
    response = client.get("/api/v1/events/ics/")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {
        str(e["uid"]): (e.decoded("dtstart").isoformat(), e.decoded("dtend").isoformat(), str(e["status"]))
        for e in calendar.walk("VEVENT")
    }
    assert events == {
        "coup@testserver": ("1971-07-18", "1971-07-21", "CONFIRMED"),
        "meeting@testserver": ("2004-01-22", "2004-01-23", "CONFIRMED"),
        "strike@testserver": ("2004-02-11", "2004-02-12", "TENTATIVE"),
    }


def test_export_errors_are_json(client, timeline):
    response = client.get("/api/v1/events/ics/?colour=red")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Invalid query parameter(s): colour.",
        "errors": {"colour": ["Unknown parameter “colour”."]},
    }


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_prefixed_with_a_quote(client):
    EventFactory(
        slug="formula",
        title='=HYPERLINK("http://example.org/","click")',
        summary="+1+1",
        notes="@SUM(A1:A2)",
        place_as_written="-2+3",
        date_as_written="\tJanuary",
        place=PlaceFactory(slug="south", name="South", latitude="-16.5", longitude="-68.15"),
    )
    EventFactory(slug="plain", title="A plain title", summary="1+1", date_edtf="2004-01-23")
    ActorFactory(slug="speaker", name="\rSomeone", aliases="=1+1\nSafe alias")

    events = list(csv.DictReader(io.StringIO(client.get("/api/v1/events/csv/").content.decode("utf-8"))))
    actors = list(csv.DictReader(io.StringIO(client.get("/api/v1/actors/csv/").content.decode("utf-8"))))
    places = list(csv.DictReader(io.StringIO(client.get("/api/v1/places/csv/").content.decode("utf-8"))))

    cells = ("title", "summary", "notes", "place_as_written", "date_as_written", "importance")
    assert [tuple(row[cell] for cell in cells) for row in events] == [
        ('\'=HYPERLINK("http://example.org/","click")', "'+1+1", "'@SUM(A1:A2)", "'-2+3", "'\tJanuary", "2"),
        ("A plain title", "1+1", "", "", "", "2"),
    ]
    assert [(row["name"], row["aliases"]) for row in actors] == [("'\rSomeone", "'=1+1; Safe alias")]
    assert [(row["latitude"], row["longitude"]) for row in places] == [("-16.500000", "-68.150000")]
