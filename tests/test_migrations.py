"""Migrations run forward over the real data without losing or changing anything.

The real fixtures are loaded at the latest schema; the database is migrated back to an early state
(``0001_initial``: before the search vectors, the curator group, the evidence links' explicit
tables and the stored display dates), keeping the rows that state holds, then forward again. Every
record, every link and every derived value must come back exactly: counts, the links by natural
key, the display dates that 0005 recomputes, and search (PostgreSQL's vectors, refilled by 0002).
"""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.timeline.test_year_counts import counted_from_events, kept
from timeline.models import Event, Participation, Passage, Quote

# Transactional: migrations cannot run inside the test's transaction. The flush afterwards removes the
# curator group that 0003 creates; pytest-django runs transactional tests after all the others.
pytestmark = pytest.mark.django_db(transaction=True)

EARLY = ("timeline", "0001_initial")
LINKED = ["timeline.event", "timeline.actor", "timeline.organisation", "timeline.place", "timeline.quote"]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes("timeline")[0]


def _snapshot() -> dict:
    """Everything the app holds, as natural-key JSON (links included), and what derived values say."""
    out = StringIO()
    call_command("dumpdata", "timeline", natural_foreign=True, natural_primary=True, indent=0, stdout=out)
    return {
        "dump": out.getvalue(),
        "counts": {model.__name__: model.objects.count() for model in (Event, Passage, Participation, Quote)},
        "events": list(
            Event.objects.order_by("slug").values_list("slug", "date_edtf", "date_display", "date_earliest")
        ),
        "event_passages": sorted(Event.passages.through.objects.values_list("event__slug", "passage__slug")),
        "search": sorted(Event.objects.search("strike").values_list("slug", flat=True)),
    }


def test_migrations_forward_from_an_early_state_keep_the_real_data():
    fixtures = sorted(str(path) for path in settings.FIXTURES_DIR.glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    before = _snapshot()
    assert before["counts"]["Event"] > 0
    latest = _latest()

    try:
        _migrate(EARLY)
        _migrate(latest)
    finally:
        _migrate(latest)  # whatever happened, the next test gets the current schema

    after = _snapshot()
    assert kept() == counted_from_events()  # 0013 counted the events it found
    assert after["counts"] == before["counts"]
    assert after["event_passages"] == before["event_passages"]
    assert after["events"] == before["events"]
    assert after["search"] == before["search"]
    assert after["dump"] == before["dump"]


def test_loading_the_fixtures_again_changes_nothing():
    fixtures = sorted(str(path) for path in settings.FIXTURES_DIR.glob("*.json"))
    call_command("loaddata", *fixtures, verbosity=0)
    first = _snapshot()

    call_command("loaddata", *fixtures, verbosity=0)

    second = _snapshot()
    assert second["counts"] == first["counts"]
    assert second["dump"] == first["dump"]
