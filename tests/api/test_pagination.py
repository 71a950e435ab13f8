"""Keyset (cursor) pagination of the events list: stable, complete, strict, and as cheap deep as on page 1."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest

from api.pagination import EventCursorPagination
from tests.factories import EventFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db

# Ties on both dates, ranges, a year, and undated events (always last).
DATES = ["2004-01-22", "2004-01-22", "2003-10", "1971", "1971-07-18/1971-07-20", "2004-01-22", "", "", "1952-04"]


@pytest.fixture
def dated():
    for n, edtf in enumerate(DATES):
        EventFactory(slug=f"e{n}", date_edtf=edtf)
    return [e.slug for e in Event.objects.chronological()]


def walk(client, url, key="next"):
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, response.json()
        body = response.json()
        pages.append([item["slug"] for item in body["results"]])
        url = body[key]
    return pages


@pytest.mark.parametrize("size", [1, 2, 4, 100])
def test_next_links_walk_every_event_once_in_order(client, dated, size):
    pages = walk(client, f"/api/v1/events/?page_size={size}")

    assert [slug for page in pages for slug in page] == dated
    assert all(len(page) == size for page in pages[:-1])


def test_next_links_are_cursors_and_previous_links_walk_back(client, dated):
    first = client.get("/api/v1/events/?page_size=2").json()
    assert first["previous"] is None
    assert set(parse_qs(urlsplit(first["next"]).query)) == {"cursor", "page_size"}

    url = first["next"]
    forward = [first]
    while url:
        forward.append(client.get(url).json())
        url = forward[-1]["next"]
    backward = walk(client, forward[-1]["previous"], key="previous")

    assert [slug for page in reversed(backward) for slug in page] == dated[: len(dated) - len(forward[-1]["results"])]


def test_a_cursor_keeps_the_filters(client, dated):
    EventFactory(slug="coup", date_edtf="1971-08-21", event_type="coup")
    EventFactory(slug="coup-2", date_edtf="1980-07-17", event_type="coup")

    assert walk(client, "/api/v1/events/?type=coup&page_size=1") == [["coup"], ["coup-2"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cursor=bogus", "Invalid cursor; follow the “next” and “previous” links."),
        ("cursor=WyJ4IiwxLDIsM10", "Invalid cursor; follow the “next” and “previous” links."),
        ("cursor=a&cursor=b", "Give “cursor” once."),
        ("cursor=a&page=2", "Give “cursor” or “page”, not both."),
        ("cursor=a&ordering=title", "“cursor” follows the default order; with “q” or “ordering”, use “page”."),
    ],
)
def test_invalid_cursors_are_400(client, dated, query, message):
    response = client.get(f"/api/v1/events/?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"cursor": [message]}


def test_page_numbers_and_ordering_still_page_by_number(client, dated):
    body = client.get("/api/v1/events/?ordering=title&page_size=2").json()

    assert body["next"] == "http://testserver/api/v1/events/?ordering=title&page=2&page_size=2"


def test_a_deep_cursor_costs_what_the_first_page_costs(client, django_assert_max_num_queries):
    EventFactory.create_batch(30)
    deep = EventCursorPagination.cursor_for(Event.objects.chronological()[25])

    with django_assert_max_num_queries(5):
        first = client.get("/api/v1/events/?page_size=2")
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/events/?page_size=2&cursor={deep}")

    assert first.status_code == response.status_code == HTTPStatus.OK
    assert [e["slug"] for e in response.json()["results"]] == [e.slug for e in Event.objects.chronological()[26:28]]
