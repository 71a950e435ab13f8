import importlib

import pytest
from django.db import connection

from tests.factories import ActorFactory, EventFactory, OrganisationFactory, QuoteFactory
from timeline.models import Actor, Event, Organisation, Quote

pytestmark = pytest.mark.django_db

on_postgresql = connection.vendor == "postgresql"


def test_migration_weights_match_the_models():
    migration = importlib.import_module("timeline.migrations.0002_search_vector")

    for model in (Event, Actor, Organisation, Quote):
        expected = {weight: list(columns) for weight, columns in model.SEARCH_WEIGHTS}
        assert migration.SEARCH_WEIGHTS[model._meta.db_table] == expected


def test_event_search_matches_every_word_and_ignores_others():
    EventFactory(slug="strike", title="General strike called", summary="Road blockades in twenty days.")
    EventFactory(slug="coup", title="Banzer's coup", summary="The army rose.")

    assert [e.slug for e in Event.objects.search("strike blockades")] == ["strike"]
    assert [e.slug for e in Event.objects.search("coup")] == ["coup"]
    assert list(Event.objects.search("parliament")) == []


def test_empty_search_returns_everything():
    EventFactory(slug="a")

    assert [e.slug for e in Event.objects.search("  ")] == ["a"]


def test_search_finds_aliases_acronyms_and_quotes():
    ActorFactory(slug="sanchez-de-lozada", name="Sanchez de Lozada", aliases="Goni")
    OrganisationFactory(slug="cob", name="Bolivian Workers’ Union", acronym="COB")
    QuoteFactory(slug="democracy", text="the workers defend real democracy")

    assert [a.slug for a in Actor.objects.search("Goni")] == ["sanchez-de-lozada"]
    assert [o.slug for o in Organisation.objects.search("COB")] == ["cob"]
    assert [q.slug for q in Quote.objects.search("democracy")] == ["democracy"]


@pytest.mark.skipif(not on_postgresql, reason="PostgreSQL full-text search: stemming and ranking")
def test_postgresql_search_stems_and_ranks_title_above_summary():
    EventFactory(slug="in-summary", title="A meeting", summary="The miners were striking.")
    EventFactory(slug="in-title", title="Miners strike", summary="A meeting.")

    results = list(Event.objects.search("strikes").order_by("-search_rank"))

    assert [e.slug for e in results] == ["in-title", "in-summary"]
    assert results[0].search_rank > results[1].search_rank


@pytest.mark.skipif(not on_postgresql, reason="the stored vector is PostgreSQL's")
def test_postgresql_keeps_the_stored_vector_current_on_insert_and_update():
    event = EventFactory(slug="e", title="Referendum on gas")
    assert [e.slug for e in Event.objects.search("referendum")] == ["e"]

    Event.objects.filter(pk=event.pk).update(title="Postponed vote")

    assert list(Event.objects.search("referendum")) == []
    assert [e.slug for e in Event.objects.search("postponed")] == ["e"]
