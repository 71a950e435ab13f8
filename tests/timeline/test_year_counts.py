"""The events counted per status and year by the database (migration 0013), and the timeline that reads them."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction

from tests.factories import EventFactory, UserFactory
from tests.timeline.test_views import texts
from timeline.models import Event, Status
from timeline.views import events_per_year, figure
from timeline.visual import Window

pytestmark = pytest.mark.django_db

PUBLISHED, DRAFT = Status.PUBLISHED, Status.DRAFT


def rows(where="n > 0"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, year, n FROM timeline_eventyearcount WHERE {where}")  # noqa: S608
        return cursor.fetchall()


def kept():
    """The kept counts, the years whose events are all gone left out."""
    return {(status, year): n for status, year, n in rows()}


def event(slug, edtf, status=PUBLISHED):
    return EventFactory(slug=slug, title=slug, date_edtf=edtf, status=status)


def test_every_kind_of_write_keeps_the_counts_exact():
    coup = event("coup", "1971-08-19/1971-08-22")
    assembly = event("assembly", "1971")
    october = event("october", "2003-10", DRAFT)
    event("undated", "")
    assert kept() == {(PUBLISHED, 1971): 2, (DRAFT, 2003): 1, (PUBLISHED, 0): 1}

    coup.title = "Banzer's coup"
    coup.save()  # neither status nor year changes
    october.status = PUBLISHED
    october.save()
    assembly.date_edtf = "1952-04"
    assembly.save()
    assert kept() == {(PUBLISHED, 1952): 1, (PUBLISHED, 1971): 1, (PUBLISHED, 2003): 1, (PUBLISHED, 0): 1}

    Event.objects.filter(slug__in=["coup", "undated"]).update(status=DRAFT)
    Event.objects.bulk_create(
        [
            Event(
                slug=f"old-{n}",
                title="Old",
                date_edtf="1809",
                date_earliest=datetime.date(1809, 1, 1),
                date_latest=datetime.date(1809, 12, 31),
                date_basis="stated",
                status=PUBLISHED,
            )
            for n in range(3)
        ]
    )
    assert kept() == {
        (PUBLISHED, 1809): 3,
        (PUBLISHED, 1952): 1,
        (DRAFT, 1971): 1,
        (PUBLISHED, 2003): 1,
        (DRAFT, 0): 1,
    }

    october.delete()
    Event.objects.filter(slug__startswith="old-").delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM timeline_event WHERE slug = %s", ["undated"])
    assert kept() == {(PUBLISHED, 1952): 1, (DRAFT, 1971): 1}
    # Emptied rows stay: 1809, 1971 and 2003 published, 2003 draft, and the undated of each status (with any
    # that earlier tests emptied: a flush on SQLite deletes the events, and the triggers leave their rows at 0).
    emptied = {(status, year) for status, year, _ in rows("n = 0")}
    assert emptied >= {
        (PUBLISHED, 1809),
        (PUBLISHED, 1971),
        (PUBLISHED, 2003),
        (DRAFT, 2003),
        (PUBLISHED, 0),
        (DRAFT, 0),
    }


def counted_from_events():
    """What the kept counts must be: the events counted per status and year (0 for undated)."""
    from django.db.models import Count
    from django.db.models.functions import Coalesce, ExtractYear

    per_key = Event.objects.order_by().values_list("status", Coalesce(ExtractYear("date_earliest"), 0))
    return {(status, year): n for status, year, n in per_key.annotate(n=Count("*"))}


def test_moves_between_dated_and_undated_and_of_status_and_year_at_once():
    strike = event("strike", "")
    assert kept() == {(PUBLISHED, 0): 1}

    strike.date_edtf = "2004-02"
    strike.save()
    assert kept() == {(PUBLISHED, 2004): 1}

    strike.date_edtf, strike.status = "1971", DRAFT
    strike.save()
    assert kept() == {(DRAFT, 1971): 1}

    strike.date_edtf, strike.status = "", PUBLISHED
    strike.save()
    assert kept() == {(PUBLISHED, 0): 1}


def test_one_statement_over_many_events_and_raw_sql_keep_the_counts_exact():
    for slug, edtf in [("a", "1952"), ("b", "1952-04"), ("c", "1971"), ("d", "2003"), ("e", "")]:
        event(slug, edtf)

    Event.objects.filter(date_earliest__year__lt=2000).update(status=DRAFT)  # three events, two years, one statement
    assert kept() == {(DRAFT, 1952): 2, (DRAFT, 1971): 1, (PUBLISHED, 2003): 1, (PUBLISHED, 0): 1}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE timeline_event SET status = 'published' WHERE slug IN ('a', 'c')")
        cursor.execute("UPDATE timeline_event SET title = 'Renamed'")  # moves nothing
        cursor.execute("DELETE FROM timeline_event WHERE slug IN ('d', 'e')")

    assert kept() == {(DRAFT, 1952): 1, (PUBLISHED, 1952): 1, (PUBLISHED, 1971): 1}
    assert kept() == counted_from_events()


def test_the_triggers_are_in_place():
    """SQLite drops a table's triggers when a migration rebuilds it: a later migration must make them again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'timeline_event'::regclass AND tgname LIKE %s",
                ["timeline_event_year_count%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'timeline_event'"
                " AND name LIKE %s",
                ["timeline_event_year_count%"],
            )
        names = sorted(name for (name,) in cursor.fetchall())

    kinds = (
        ["delete", "insert", "truncate", "update"]
        if connection.vendor == "postgresql"
        else ["delete", "insert", "update"]
    )
    assert names == [f"timeline_event_year_count_{kind}" for kind in kinds]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's (SQLite deletes row by row)")
@pytest.mark.django_db(transaction=True)  # the event committed: TRUNCATE refuses a table with checks pending
def test_truncating_the_events_empties_the_counts():
    event("coup", "1971")

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE timeline_event CASCADE")

    assert rows("TRUE") == []


def test_the_database_refuses_a_negative_count_and_a_second_row_for_a_year():
    event("coup", "1971")

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE timeline_eventyearcount SET n = -1")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO timeline_eventyearcount (status, year, n) VALUES ('published', 1971, 1)")
    assert kept() == {(PUBLISHED, 1971): 1}


def test_events_per_year_leaves_out_drafts_except_for_curators():
    event("coup", "1971")
    event("assembly", "1971-06-22")
    event("october", "2003-10", DRAFT)
    event("undated", "")
    event("undated-draft", "", DRAFT)
    curator = UserFactory(permissions=["timeline.change_event"])

    assert events_per_year(AnonymousUser()) == ([(1971, 2)], 1)
    assert events_per_year(curator) == ([(1971, 2), (2003, 1)], 2)


@pytest.mark.parametrize("spread", [1, 3], ids=["marks-every-event", "counts-per-year"])
def test_the_figure_from_the_kept_counts_is_the_one_counted_from_the_events(monkeypatch, spread):
    monkeypatch.setattr("timeline.views.MAX_MARKS", 8)
    monkeypatch.setattr("timeline.views.MARK_SPANS", 2)
    monkeypatch.setattr("timeline.views.MARKS_PER_SPAN", 4)
    for year in range(1950, 1956):
        for n in range(spread):
            EventFactory(slug=f"e-{year}-{n}", date_edtf=f"{year}-0{n + 1}", importance=3 if n == 0 else 2)
    event("draft", "1953", DRAFT)
    window = Window.covering(datetime.date(1950, 1, 1), datetime.date(1955, 12, 31))
    queryset = Event.objects.published()

    counted = figure(queryset, window=window, limit=window, link=str)
    from_kept = figure(queryset, window=window, limit=window, link=str, per_year=events_per_year(None)[0])

    assert from_kept == counted
    assert from_kept.narrow == counted.narrow
    assert [bar.title for bar in from_kept.bars] == (
        [] if spread == 1 else [f"{year}: 3 events" for year in range(1950, 1956)]
    )


def test_the_unfiltered_timeline_reads_its_total_and_figure_counts_from_the_kept_counts(
    client, settings, django_assert_num_queries
):
    settings.RESPONSE_CACHE = False
    settings.COUNT_CACHE = False
    for year in range(1900, 2000, 4):
        event(f"e-{year}", str(year))
    event("undated", "")
    event("draft", "1950", DRAFT)

    with django_assert_num_queries(7) as counted:
        response = client.get("/")

    assert texts(response, "h2", "results__count") == ["26 events"]
    assert texts(response, "desc")[0] == "25 events from 1900–1996. Every event is also listed in words below."
    sql = [query["sql"] for query in counted.captured_queries]
    assert not any("COUNT(" in statement for statement in sql)
    assert sum("FROM timeline_eventyearcount" in statement for statement in sql) == 1


def test_a_curator_counts_the_drafts_on_the_unfiltered_timeline(client, settings):
    settings.RESPONSE_CACHE = False
    event("coup", "1971")
    event("draft", "1950", DRAFT)
    client.force_login(UserFactory(permissions=["timeline.change_event"]))

    response = client.get("/")

    assert texts(response, "h2", "results__count") == ["2 events"]
