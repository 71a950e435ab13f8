"""The timeline's pages: keyset cursors in the Earlier and Later links, counts kept until the data changes."""

import base64
import json
import re
from html import unescape
from http import HTTPStatus

import pytest

from tests.factories import EventFactory, PeriodFactory
from tests.timeline.test_views import texts
from timeline import keyset, views
from timeline.filters import PRIMARY_KEY, EventFilterSet, SortKey
from timeline.models import Event, EventType, Importance, Status

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')


def link(response, pattern):
    found = pattern.search(response.content.decode())
    return unescape(found.group(1)) if found else None


def titles(response):
    return texts(response, "h4", "event-card__title") or texts(response, "h3", "event-card__title")


IN_TIME_KEYS = EventFilterSet.default_sort_keys()
BY_TITLE = [SortKey("title", kind="str"), PRIMARY_KEY]
BY_TITLE_DOWN = [SortKey("title", True, "str"), SortKey("pk", True, "int")]


def by_rank(words):
    return [SortKey("search_key", True, "float", context=words), SortKey("date_earliest", nullable=True), PRIMARY_KEY]


def cursor(direction, *values, keys=IN_TIME_KEYS):
    """A cursor as the site makes them, for the order ``keys``, with any values."""
    raw = json.dumps([direction, keyset.signature(keys), *values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.fixture
def history(monkeypatch):
    """Eleven published events, three a page: ties on the same day, three undated, a draft."""
    monkeypatch.setattr(views, "EVENTS_PER_PAGE", 3)
    period = PeriodFactory(slug="torres", name="Torres government", date_edtf="1970-10/1971-07")
    rows = [
        ("revolution", "Revolution of 1952", "1952-04~", EventType.REVOLUTION, Importance.MAJOR),
        ("assembly-opens", "Assembly opens", "1971-06-22", EventType.ASSEMBLY, Importance.NOTABLE),
        ("miners-strike", "Miners strike", "1971-06-22", EventType.STRIKE, Importance.MINOR),
        ("coup", "Banzer coup", "1971-08-19/1971-08-22", EventType.COUP, Importance.MAJOR),
        ("coup-day", "Coup day", "1971-08-19", EventType.COUP, Importance.NOTABLE),
        ("october", "October insurrection", "2003-10", EventType.INSURRECTION, Importance.MAJOR),
        ("general-strike", "General strike called", "2004-01-22", EventType.STRIKE, Importance.MAJOR),
        ("road-blockade", "Road blockade", "2004-02", EventType.BLOCKADE, Importance.MINOR),
        ("rumoured-strike", "Rumoured strike", "", EventType.STRIKE, Importance.MINOR),
        ("undated-meeting", "Undated meeting", "", EventType.MEETING, Importance.NOTABLE),
        ("another-undated", "Another undated", "", EventType.OTHER, Importance.MINOR),
    ]
    for slug, title, date, kind, importance in rows:
        EventFactory(
            slug=slug,
            title=title,
            date_edtf=date,
            date_basis="stated" if date else "",
            event_type=kind,
            importance=importance,
            period=period if date.startswith("1971") else None,
        )
    EventFactory(slug="draft", title="Draft strike", date_edtf="1971-06-23", status=Status.DRAFT)


IN_TIME = [
    "Revolution of 1952",
    "Assembly opens",
    "Miners strike",
    "Banzer coup",  # same first day as "Coup day", but it ends later
    "Coup day",
    "October insurrection",
    "General strike called",
    "Road blockade",
    "Rumoured strike",  # the undated, last, in the order they were made
    "Undated meeting",
    "Another undated",
]
IN_TIME = [IN_TIME[0], *IN_TIME[1:3], IN_TIME[4], IN_TIME[3], *IN_TIME[5:]]


def walk(client, url):
    """Every page from ``url`` by the Later links, then back by the Earlier links: (forward, backward, pages)."""
    forward, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK
        pages.append(titles(response))
        forward += pages[-1]
        last, url = url, link(response, NEXT)
    backward, url = [], last
    while url:
        response = client.get(url)
        backward = titles(response) + backward
        url = link(response, PREVIOUS)
    return forward, backward, pages


def test_the_later_and_earlier_links_walk_the_whole_timeline_in_time(client, history):
    forward, backward, pages = walk(client, "/")

    assert forward == IN_TIME
    assert backward == IN_TIME
    assert [len(page) for page in pages] == [3, 3, 3, 2]
    # Ties on a day are broken by the latest date, then by creation.
    assert pages[1] == ["Coup day", "Banzer coup", "October insurrection"]


@pytest.mark.parametrize(
    "query",
    [
        "ordering=-date",
        "ordering=title",
        "ordering=-title",
        "ordering=importance,-date",
        "ordering=-importance",
        "q=strike",
        "q=strike&ordering=-date",
        "type=strike",
        "date=1971",
        "period=torres&ordering=-date",
    ],
)
def test_the_links_carry_every_filter_and_order_and_match_the_numbered_pages(client, history, query):
    numbered, number = [], 1
    while (response := client.get(f"/?{query}&page={number}")).status_code == HTTPStatus.OK:
        numbered += titles(response)
        number += 1

    forward, backward, _ = walk(client, f"/?{query}")

    assert numbered
    assert forward == numbered
    assert backward == numbered


def test_ordered_lists_are_walked_with_previous_and_next(client, history):
    response = client.get("/?ordering=title")
    later = link(response, NEXT)

    assert texts(response, "nav", "pagination") == ["3 of 11 events Next events →"]
    assert later.startswith("/?ordering=title&cursor=")
    assert titles(response) == ["Another undated", "Assembly opens", "Banzer coup"]
    assert titles(client.get(later)) == ["Coup day", "General strike called", "Miners strike"]


def test_a_page_says_what_it_shows_and_links_to_the_first_page(client, history):
    second = client.get(link(client.get("/?date=1971"), NEXT))

    assert texts(second, "nav", "pagination") == [
        "1 of 4 events, 19–22 August 1971 First page of events ← Earlier events"
    ]
    assertions = re.findall(r'<a href="([^"]+)">First page', second.content.decode())
    assert assertions == ["/?date=1971"]


def test_filter_and_zoom_links_start_again_from_the_first_page(client, history):
    response = client.get(link(client.get("/"), NEXT))
    html = response.content.decode()

    assert "cursor=" not in "".join(re.findall(r'<h3 class="year__heading"[^>]*>.*?</h3>', html))
    assert all("cursor" not in href for href in re.findall(r'<nav class="zoom".*?</nav>', html, re.S))
    assert 'action="/"' in html


def test_curators_walk_the_drafts_too(client, history, curator):
    client.force_login(curator)

    forward, backward, _ = walk(client, "/")

    assert forward == backward == [*IN_TIME[:3], "Draft strike", *IN_TIME[3:]]


def test_a_cursor_past_the_end_says_so_and_links_to_the_first_page(client, history):
    response = client.get(f"/?cursor={cursor('a', None, None, 10**9)}")

    assert response.status_code == HTTPStatus.OK
    assert titles(response) == []
    assert texts(response, "p", None).count("No more events: the list has changed since this link was made.") == 1
    assert texts(response, "nav", "pagination") == ["First page of events"]


MESSAGE = (
    "The “cursor” parameter is not a place in this list of events. Follow the Earlier and Later links, "
    "or start again from the first page."
)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cursor=not-a-cursor!", MESSAGE),
        (f"cursor={'A' * 1001}", MESSAGE),
        (f"cursor={base64.urlsafe_b64encode(b'not json').decode()}", MESSAGE),
        (f"cursor={base64.urlsafe_b64encode(bytes([255, 254, 253])).decode()}", MESSAGE),
        (f"cursor={cursor('a', '1971-06-22', '1971-06-22')}", MESSAGE),  # one value short
        (f"cursor={cursor('c', '1971-06-22', '1971-06-22', 1)}", MESSAGE),  # no such direction
        (f"cursor={cursor('a', '1971-13-22', '1971-06-22', 1)}", MESSAGE),  # no such date
        (f"cursor={cursor('a', 19710622, '1971-06-22', 1)}", MESSAGE),  # not a date
        (f"cursor={cursor('a', '1971-06-22', '1971-06-22', '1')}", MESSAGE),  # not a key
        (f"cursor={cursor('a', '1971-06-22', '1971-06-22', 2**70)}", MESSAGE),  # beyond any key
        (f"cursor={cursor('a', '1971-06-22', '1971-06-22', True)}", MESSAGE),
        (f"cursor={cursor('a', 'x' + chr(0), 1, keys=BY_TITLE)}&ordering=title", MESSAGE),  # a null character
        (f"cursor={cursor('a', 'x' * 1001, 1, keys=BY_TITLE)}&ordering=title", MESSAGE),
        (f"cursor={cursor('a', chr(0xD800), 1, keys=BY_TITLE)}&ordering=title", MESSAGE),  # a lone surrogate
        (f"cursor={cursor('a', float('nan'), None, 1, keys=by_rank('strike'))}&q=strike", MESSAGE),
        (f"cursor={cursor('a', 10**400, None, 1, keys=by_rank('strike'))}&q=strike", MESSAGE),  # not a float
        (f"cursor={cursor('a', 1, None, 1, keys=by_rank('strike'))}&q=strike", MESSAGE),  # nor is 1
        # Cursors of another order, of the same shape: refused, not read as a place in this one.
        (f"cursor={cursor('a', 'Coup', 1, keys=BY_TITLE)}&ordering=-title", MESSAGE),
        (f"cursor={cursor('a', 'Coup', 1, keys=BY_TITLE_DOWN)}&ordering=title", MESSAGE),
        (f"cursor={cursor('a', 0.5, None, 1, keys=by_rank('strike'))}&q=coup", MESSAGE),
        (f"cursor={cursor('a', '1971-06-22', '1971-06-22', 1)}&ordering=date,title", MESSAGE),
        (f"cursor={cursor('a', None, None, 1)}&cursor={cursor('b', None, None, 1)}", "Give “cursor” once."),
        (f"cursor={cursor('a', None, None, 1)}&page=2", "Give “cursor” or “page”, not both."),
    ],
)
def test_a_cursor_the_site_did_not_make_is_a_400_with_the_reason(client, history, query, message):
    response = client.get(f"/?{query}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert texts(response, "div", "errors") == [
        f"These filters cannot be applied {message} Show every event or correct the filters below."
    ]
    assert titles(response) == []


@pytest.mark.parametrize("page", ["0", "-1", "x", "5", "1" * 5000])
def test_numbered_pages_that_do_not_exist_are_not_found(client, history, page):
    assert client.get(f"/?page={page}").status_code == HTTPStatus.NOT_FOUND


def test_the_count_is_kept_until_the_data_changes(client, history, settings, django_assert_num_queries):
    settings.RESPONSE_CACHE = False
    first = client.get("/?type=strike")
    with django_assert_num_queries(7) as counted:  # the same page, without its COUNT(*)
        again = client.get("/?type=strike")

    assert texts(first, "h2", "results__count") == texts(again, "h2", "results__count") == ["3 events match"]
    assert not any("COUNT(" in query["sql"] for query in counted.captured_queries)

    EventFactory(title="Another strike", event_type=EventType.STRIKE, date_edtf="1980")

    assert texts(client.get("/?type=strike"), "h2", "results__count") == ["4 events match"]
    assert Event.objects.filter(event_type=EventType.STRIKE, status=Status.PUBLISHED).count() == 4


def test_with_the_count_cache_off_every_request_counts_afresh(client, history, settings, django_assert_num_queries):
    settings.RESPONSE_CACHE = False
    settings.COUNT_CACHE = False
    first = client.get("/?type=strike")
    # The same page, with its COUNT(*) and the figure's events per year counted again.
    with django_assert_num_queries(9) as counted:
        again = client.get("/?type=strike")

    assert texts(first, "h2", "results__count") == texts(again, "h2", "results__count") == ["3 events match"]
    counts = [query["sql"] for query in counted.captured_queries if "COUNT(" in query["sql"]]
    assert len(counts) == 2
    assert counts[0].startswith('SELECT COUNT(*) AS "__count" FROM "timeline_event"')
    # COUNT(*) lets PostgreSQL count from the dates index alone.
    assert ' AS "bucket", COUNT(*) AS "n" FROM "timeline_event"' in counts[1]


@pytest.mark.parametrize("ordering", ["date,", ",", ",title"])
def test_an_empty_item_in_ordering_is_a_400_naming_it(client, history, ordering):
    response = client.get(f"/?ordering={ordering}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "An item is empty; give the fields separated by commas, e.g. title,-date." in response.content.decode()
    assert titles(response) == []


def test_a_later_link_given_out_before_cursors_named_their_order_still_works(client, history):
    first = client.get("/")
    signed = link(first, NEXT)
    values = json.loads(base64.urlsafe_b64decode(signed.split("cursor=")[1] + "=" * 4))
    unsigned = base64.urlsafe_b64encode(json.dumps([values[0], *values[2:]]).encode()).decode()

    assert titles(client.get(f"/?cursor={unsigned}")) == titles(client.get(signed)) == IN_TIME[3:6]
    assert client.get(f"/?cursor={unsigned}&ordering=title").status_code == HTTPStatus.BAD_REQUEST
