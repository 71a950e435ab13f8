"""Keyset (cursor) pagination of the events list: stable, complete, strict, and as cheap deep as on page 1."""

import base64
import json
import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.pagination import EventCursorPagination
from tests.factories import EventFactory
from timeline import keyset
from timeline.filters import PRIMARY_KEY, SortKey
from timeline.models import Event

pytestmark = pytest.mark.django_db

INVALID = "Invalid cursor; follow the “next” and “previous” links."
BY_TITLE = [SortKey("title", kind="str"), PRIMARY_KEY]
BY_IMPORTANCE = [SortKey("importance", kind="int"), PRIMARY_KEY]


def by_rank(words):
    return [SortKey("search_key", True, "float", context=words), SortKey("date_earliest", nullable=True), PRIMARY_KEY]


def cursor(direction, *values, keys):
    """A cursor as the site makes them, for the order ``keys``, with any values."""
    raw = json.dumps([direction, keyset.signature(keys), *values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


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
        ("cursor=bogus", INVALID),
        ("cursor=WyJ4IiwxLDIsM10", INVALID),
        ("cursor=a&cursor=b", "Give “cursor” once."),
        ("cursor=a&page=2", "Give “cursor” or “page”, not both."),
        # The right signature and number of values, of the wrong kind: a title where the importance goes.
        (f"cursor={cursor('a', 'Event 3', 3, keys=BY_IMPORTANCE)}&ordering=importance", INVALID),
        # Values no database takes: a lone surrogate, an integer beyond any float.
        (f"cursor={cursor('a', chr(0xD800), 3, keys=BY_TITLE)}&ordering=title", INVALID),
        (f"cursor={cursor('a', 10**400, None, 3, keys=by_rank('event'))}&q=event", INVALID),
        (f"cursor={cursor('a', 0.5, None, 3, keys=by_rank('event'))}&q=event&cursor=x", "Give “cursor” once."),
    ],
)
def test_invalid_cursors_are_400(client, dated, query, message):
    response = client.get(f"/api/v1/events/?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"cursor": [message]}


def test_page_numbers_still_page_by_number(client, dated):
    body = client.get("/api/v1/events/?ordering=title&page=2&page_size=2").json()

    assert [item["slug"] for item in body["results"]] == ["e2", "e3"]
    assert body["next"] == "http://testserver/api/v1/events/?ordering=title&page=3&page_size=2"
    assert body["previous"] == "http://testserver/api/v1/events/?ordering=title&page_size=2"


@pytest.fixture
def ranked():
    """Events whose titles, importance and dates tie in different ways."""
    rows = [
        ("b", "Strike", 3, "2003-10"),
        ("a", "Strike", 2, "1952-04"),
        ("c", "Assembly", 3, ""),
        ("d", "Coup", 1, "1971-08-21"),
        ("e", "Assembly", 2, "1971"),
        ("f", "Blockade", 3, "2003-10"),
    ]
    for slug, title, importance, edtf in rows:
        EventFactory(slug=slug, title=title, importance=importance, date_edtf=edtf)


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        # Ties broken by the primary key (the order of creation) in the direction of the last field; undated
        # events last in either direction.
        ("title", ["c", "e", "f", "d", "b", "a"]),
        ("-title", ["a", "b", "d", "f", "e", "c"]),
        ("-importance", ["f", "c", "b", "e", "a", "d"]),
        ("importance,-date", ["d", "e", "a", "f", "b", "c"]),
        ("-date", ["f", "b", "d", "e", "a", "c"]),
        ("date", ["a", "e", "d", "b", "f", "c"]),
        ("title,-title", ["c", "e", "f", "d", "b", "a"]),  # a field counts where it is first named
    ],
)
@pytest.mark.parametrize("size", [1, 2, 4])
def test_cursors_walk_any_ordering_both_ways(client, ranked, ordering, expected, size):
    forward = walk(client, f"/api/v1/events/?ordering={ordering}&page_size={size}")
    last = client.get(f"/api/v1/events/?ordering={ordering}&page_size={size}")
    url = last.json()["next"]
    while url:
        last = client.get(url)
        url = last.json()["next"]
    backward = walk(client, last.json()["previous"], key="previous") if last.json()["previous"] else []

    numbered = client.get(f"/api/v1/events/?ordering={ordering}&page=1&page_size=100").json()["results"]

    assert [slug for page in forward for slug in page] == expected
    assert [item["slug"] for item in numbered] == expected
    assert all(len(page) == size for page in forward[:-1])
    assert [slug for page in reversed(backward) for slug in page] == expected[: len(expected) - len(forward[-1])]


def test_next_links_of_an_ordered_list_carry_a_cursor(client, ranked):
    body = client.get("/api/v1/events/?ordering=title&page_size=2").json()

    assert body["previous"] is None
    assert parse_qs(urlsplit(body["next"]).query).keys() == {"ordering", "page_size", "cursor"}


@pytest.mark.parametrize("size", [1, 2, 5])
def test_cursors_walk_search_results_in_order_of_relevance(client, size):
    for n, title in enumerate(["general strike", "strike", "strike against the strike", "coup", "a strike"]):
        EventFactory(slug=f"s{n}", title=title, date_edtf=f"200{n}")
    whole = client.get("/api/v1/events/?q=strike&page_size=100").json()["results"]

    pages = walk(client, f"/api/v1/events/?q=strike&page_size={size}")

    assert sorted(item["slug"] for item in whole) == ["s0", "s1", "s2", "s4"]
    assert [slug for page in pages for slug in page] == [item["slug"] for item in whole]


def test_a_deep_cursor_in_another_order_reads_no_offset(client, django_assert_max_num_queries):
    EventFactory.create_batch(30)
    by_title = list(Event.objects.order_by("title", "pk"))
    cursor = client.get("/api/v1/events/?ordering=title&page_size=25").json()["next"]

    with django_assert_max_num_queries(5) as captured:
        response = client.get(cursor.replace("page_size=25", "page_size=2"))

    assert [e["slug"] for e in response.json()["results"]] == [e.slug for e in by_title[25:27]]
    assert not any("OFFSET" in query["sql"] for query in captured.captured_queries)


def test_a_deep_cursor_costs_what_the_first_page_costs(client, django_assert_max_num_queries):
    EventFactory.create_batch(30)
    deep = EventCursorPagination.cursor_for(Event.objects.chronological()[25])

    with django_assert_max_num_queries(5):
        first = client.get("/api/v1/events/?page_size=2")
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/events/?page_size=2&cursor={deep}")

    assert first.status_code == response.status_code == HTTPStatus.OK
    assert [e["slug"] for e in response.json()["results"]] == [e.slug for e in Event.objects.chronological()[26:28]]


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [
        ("", "ordering=date,title"),  # in time: a date read as a title
        ("ordering=title", "ordering=-title"),  # the same shape, the other way
        ("ordering=importance,date", "q=Z2"),  # an importance read as a rank
        ("q=strike", "q=coup"),  # a rank of another search
        ("ordering=-title", ""),
    ],
)
def test_a_cursor_of_one_order_is_refused_by_another(client, ranked, made_for, used_with):
    EventFactory(slug="z2", title="Z2 event")
    made = client.get(f"/api/v1/events/?{made_for}&page_size=1").json()["next"]
    given = parse_qs(urlsplit(made).query)["cursor"][0]

    response = client.get(f"/api/v1/events/?{used_with}&cursor={given}&page_size=1")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"cursor": [INVALID]}
    assert client.get(f"/api/v1/events/?{made_for}&cursor={given}&page_size=1").status_code == HTTPStatus.OK


def test_search_results_put_undated_events_last_by_number_and_by_cursor(client):
    for slug, edtf in [("s0", "2001"), ("s1", ""), ("s2", "2000")]:
        EventFactory(slug=slug, title="strike", date_edtf=edtf)

    numbered = [item["slug"] for item in client.get("/api/v1/events/?q=strike&page=1").json()["results"]]
    walked = [slug for page in walk(client, "/api/v1/events/?q=strike&page_size=1") for slug in page]

    assert numbered == walked == ["s2", "s0", "s1"]


@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/actors/"])
@pytest.mark.parametrize("ordering", ["date,", ",", ",title"])
def test_an_empty_item_in_ordering_is_400(client, url, ordering):
    response = client.get(f"{url}?ordering={ordering}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {
        "ordering": ["An item is empty; give the fields separated by commas, e.g. title,-date."]
    }


def test_a_cursor_given_out_before_cursors_named_their_order_still_works_in_time(client, dated):
    """Links already given out (bookmarks, crawlers, stored ``next`` URLs) name a place in time, unsigned."""
    after = Event.objects.chronological()[1]
    old = base64.urlsafe_b64encode(
        json.dumps(["a", after.date_earliest.isoformat(), after.date_latest.isoformat(), after.pk]).encode()
    ).decode()

    in_time = client.get(f"/api/v1/events/?cursor={old}&page_size=2")
    by_title = client.get(f"/api/v1/events/?cursor={old}&page_size=2&ordering=title")

    assert [item["slug"] for item in in_time.json()["results"]] == dated[2:4]
    assert by_title.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("letter", ["€", "😀", "\x07"])
def test_cursors_of_the_longest_titles_are_followed(client, letter):
    for slug in ("a", "b", "c"):
        EventFactory(slug=slug, title=letter * 254 + slug)

    pages = walk(client, "/api/v1/events/?ordering=title&page_size=1")

    assert pages == [["a"], ["b"], ["c"]]


@pytest.mark.parametrize(
    ("ordering", "compared"),
    [("title", r'\(\w+\."title", \w+\."id"\) > \('), ("-importance", r'\(\w+\."importance", \w+\."id"\) < \(')],
)
def test_a_cursor_in_one_direction_starts_the_index_scan_at_its_place(client, ranked, ordering, compared):
    """A row comparison: an index on (status, field, id) starts there, however deep (no OR to check row by row)."""
    cursor = client.get(f"/api/v1/events/?ordering={ordering}&page_size=2").json()["next"]

    with CaptureQueriesContext(connection) as captured:
        assert client.get(cursor).status_code == HTTPStatus.OK

    assert (
        sum(len(re.findall(compared, query["sql"].replace('"U0"', "U0"))) for query in captured.captured_queries) == 1
    )
