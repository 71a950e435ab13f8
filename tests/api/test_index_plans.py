"""The date filters read their indexes: both dates (and the status) checked in the index, not the table.

A window (``date=…``, ``after``/``before``) asks for events with ``date_earliest <= end`` and
``date_latest >= start``. An index on one of the two dates reads every event on one side of
the window from the table, to check the other date: at 100,000 events, 4,000 table rows for
167 answers. These tests take the SQL the API really sends and ask PostgreSQL for its plan
with sequential and bitmap scans off, so that the plan shows which index can answer it.

A period's or a place's events, in time, are looked up by the entity and read in date order
from one index; the plan is asked for with sorting off as well.
"""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory, PeriodFactory, PlaceFactory
from timeline import synthetic

EVENTS = 3000

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans"),
]


@pytest.fixture
def many_events():
    """The synthetic generator's events (dates over centuries), enough for the planner to weigh its indexes."""
    synthetic.generate(events=EVENTS, seed=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timeline_event")


def explained(client, path: str, chosen, *off: str) -> str:
    """The plan of the first query of ``path`` that ``chosen`` accepts, with the planner settings ``off``."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    sql = next(q["sql"] for q in queries if chosen(q["sql"]))
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in off:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # a savepoint's release would keep the SET LOCALs
    return plan


def plan_of(client, path: str, containing: str = "") -> str:
    """The plan of the first query of ``path`` that selects events with a date condition (and ``containing``)."""

    def chosen(sql):
        return 'FROM "timeline_event"' in sql and '"date_latest" >=' in sql and containing in sql

    return explained(client, path, chosen, "enable_seqscan", "enable_bitmapscan")


def index_conditions(plan: str, index: str) -> str:
    """The ``Index Cond`` of the scan of ``index``; the plan in the message when it reads another."""
    lines = plan.splitlines()
    at = next((i for i, line in enumerate(lines) if f"using {index} on timeline_event" in line), None)
    assert at is not None, f"{index} is not read:\n{plan}"
    return next(line for line in lines[at + 1 :] if "Index Cond:" in line)


WINDOW = ("date_latest >= '2003-10-01'::date", "date_earliest <= '2004-02-29'::date")
PUBLISHED = "(status)::text = 'published'::text"


def test_an_export_of_a_window_reads_the_overlap_index_with_both_dates(client, many_events):
    condition = index_conditions(plan_of(client, "/api/v1/events/timelinejs/?date=2003-10/2004-02"), "event_overlap")

    assert all(part in condition for part in (*WINDOW, PUBLISHED)), condition


def test_a_curators_export_reads_the_overlap_index_too(curator_client, many_events):
    condition = index_conditions(
        plan_of(curator_client, "/api/v1/events/timelinejs/?date=2003-10/2004-02"), "event_overlap"
    )

    assert all(part in condition for part in WINDOW), condition
    assert "status" not in condition


@pytest.fixture
def site_curator_client(curator):
    site = Client()
    site.force_login(curator)
    return site


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("client", "/api/v1/events/?date=2003-10/2004-02"),
        ("curator_client", "/api/v1/events/?date=2003-10/2004-02"),
        ("client", "/?date=2003-10/2004-02"),
        ("site_curator_client", "/?date=2003-10/2004-02"),
    ],
)
def test_a_window_of_the_list_walks_the_dates_index_with_both_dates(request, who, path, many_events):
    """The page's query: in time order, along the index, until a page is found."""
    page = plan_of(request.getfixturevalue(who), path, containing=" LIMIT ")
    condition = index_conditions(page, "event_dates")

    assert all(part in condition for part in WINDOW), condition
    assert (PUBLISHED in condition) is (who == "client")


def test_a_type_in_a_window_reads_the_type_index_with_both_dates_and_the_status(client, many_events):
    plan = plan_of(client, "/api/v1/events/?type=strike&after=1950&before=1980")

    condition = index_conditions(plan, "event_type_dates")
    assert "event_type)::text = 'strike'::text" in condition
    assert "date_earliest <= '1980-12-31'::date" in condition
    assert "date_latest >= '1950-01-01'::date" in condition
    assert PUBLISHED in condition


def entity_page_plan(client, path: str, column: str) -> str:
    """The plan of the page's query of one entity's events (in time, ``LIMIT``ed), with no full sort allowed."""

    def chosen(sql):
        return (
            sql.startswith('SELECT "timeline_event"."id"')
            and f'"timeline_event"."{column}" =' in sql
            and " LIMIT " in sql
        )

    # Which index can give the entity's events in time order, without sorting them all.
    return explained(client, path, chosen, "enable_seqscan", "enable_bitmapscan", "enable_sort")


@pytest.fixture
def lone_entities(many_events):
    """A period and a place of one event each, like the 1952 revolution in the real data."""
    period, place = PeriodFactory(slug="lone-period"), PlaceFactory(slug="lone-place")
    EventFactory(period=period, place=place)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timeline_event")
    return {"period": period.slug, "place": place.slug}


@pytest.mark.parametrize("kind", ["period", "place"])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("client", "/{kind}s/{slug}/"),
        ("site_curator_client", "/{kind}s/{slug}/"),
        ("client", "/?{kind}={slug}"),
        ("client", "/api/v1/events/?{kind}={slug}"),
        ("curator_client", "/api/v1/events/?{kind}={slug}"),
    ],
)
def test_an_entitys_events_are_looked_up_by_the_entity(request, kind, who, path, lone_entities):
    """In an index on the entity, never checked row by row along the dates index: for an entity of one
    event that walk reads the whole index (58 ms at 100,000 events for the 1952 revolution)."""
    slug = lone_entities[kind]
    plan = entity_page_plan(request.getfixturevalue(who), path.format(kind=kind, slug=slug), f"{kind}_id")

    conditions = [line.strip() for line in plan.splitlines() if line.strip().startswith(("Index Cond:", "Filter:"))]
    assert any(c.startswith("Index Cond:") and f"{kind}_id = " in c for c in conditions), plan
    assert not any(c.startswith("Filter:") and f"{kind}_id" in c for c in conditions), plan
