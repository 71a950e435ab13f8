"""The real data, tested as data: the seed, the fixtures' integrity and provenance, spot checks."""

import datetime
import hashlib
import json
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from simple_history.models import HistoricalChanges

from tests.factories import DATA_MODELS
from tests.timeline.test_year_counts import counted_from_events, kept
from timeline.management.commands.check_provenance import provenance_problems
from timeline.models import (
    Actor,
    Event,
    Membership,
    Organisation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
)

SEED = settings.SEEDS_DIR / "bolivia-third-uprising-2004.txt"
SEED_SHA256 = "338e66770825811c00e7aab81233775adae5e342acb4ed433e144f9a92b5c82b"
FIXTURE = settings.FIXTURES_DIR / "bolivia-third-uprising-2004.json"
CURATION = settings.FIXTURES_DIR / "curation"
MODELS = DATA_MODELS


def curated(key: str) -> list[dict]:
    return [
        item for path in sorted(CURATION.glob("*.yaml")) for item in yaml.safe_load(path.read_text()).get(key) or []
    ]


def empty_the_timeline_tables():
    """Like ``flush``, but only the timeline's tables: what migrations created elsewhere (the curator group) stays."""
    tables = [model._meta.db_table for model in apps.get_app_config("timeline").get_models(include_auto_created=True)]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, reset_sequences=True))


@pytest.fixture(scope="module")
def real_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("loaddata", FIXTURE, verbosity=0)
        yield
        empty_the_timeline_tables()


def test_seed_is_the_document_as_received():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256


def test_fixture_is_up_to_date_with_the_curation():
    call_command("build_fixtures", "--check", verbosity=0)


def test_fixture_carries_no_primary_keys_and_no_machine_paths():
    objects = json.loads(FIXTURE.read_text())

    assert all("pk" not in obj for obj in objects)
    text = FIXTURE.read_text()
    for fragment in ("/work/", "/home/", "/tmp/", "C:\\"):
        assert fragment not in text


@pytest.mark.django_db
def test_article_holds_the_seed_text_and_only_what_the_document_says(real_data):
    article = Source.objects.get(slug="bolivia-third-uprising-2004")

    assert article.text == SEED.read_text(encoding="utf-8")
    assert article.title == "Bolivia is moving towards a third uprising"
    assert (article.kind, article.language, article.author, article.url, article.outlet) == (
        "article",
        "en",
        "",
        "",
        None,
    )
    assert (article.date_earliest, article.date_latest) == (datetime.date(2004, 1, 26), datetime.date(2004, 1, 31))
    assert article.date_basis == "inferred"


@pytest.mark.django_db
def test_every_curated_record_is_loaded(real_data):
    assert Event.objects.count() == len(curated("events"))
    assert Actor.objects.count() == len(curated("actors"))
    assert Organisation.objects.count() == len(curated("organisations"))
    assert Place.objects.count() == len(curated("places"))
    assert Period.objects.count() == len(curated("periods"))
    assert Quote.objects.count() == len(curated("quotes"))
    assert Source.objects.filter(cited_in__slug="bolivia-third-uprising-2004").count() == len(curated("sources"))
    assert Membership.objects.count() == sum(len(a.get("memberships") or []) for a in curated("actors"))


@pytest.mark.django_db
def test_extraction_meets_the_expected_scale(real_data):
    assert Event.objects.count() >= 55
    assert Actor.objects.count() >= 18
    assert Organisation.objects.count() >= 35
    assert Source.objects.exclude(cited_in=None).count() >= 12
    assert Quote.objects.count() >= 40
    assert Place.objects.count() >= 20
    assert Period.objects.count() >= 5


@pytest.mark.django_db
def test_provenance_is_intact(real_data):
    assert provenance_problems() == []
    call_command("check_provenance", verbosity=0)


@pytest.mark.django_db
def test_every_passage_is_the_article_text_at_its_offsets(real_data):
    text = SEED.read_text(encoding="utf-8")
    passages = list(Passage.objects.all())

    assert len(passages) > 300
    assert all(text[p.start : p.end] == p.text for p in passages)


@pytest.mark.django_db
def test_every_record_links_a_passage(real_data):
    for model in (Event, Actor, Organisation, Place, Period, Membership):
        assert not model.objects.filter(passages=None).exists(), model.__name__
    assert not Source.objects.exclude(cited_in=None).filter(passages=None).exists()
    assert all(quote.text in quote.passage.text for quote in Quote.objects.select_related("passage"))


@pytest.mark.django_db
def test_every_dated_record_has_a_basis(real_data):
    for model in (Event, Period, Quote, Membership, Source):
        assert not model.objects.exclude(date_edtf="").filter(date_basis="").exists(), model.__name__


# Transactional tests empty the database when they end, so each loads the data itself.


@pytest.mark.django_db(transaction=True)
def test_loading_twice_changes_nothing():
    call_command("loaddata", FIXTURE, verbosity=0)
    before = serializers.serialize("json", [o for m in MODELS for o in m.objects.order_by("pk")])
    assert Event.objects.count() == len(curated("events"))

    call_command("loaddata", FIXTURE, verbosity=0)

    assert serializers.serialize("json", [o for m in MODELS for o in m.objects.order_by("pk")]) == before


@pytest.mark.django_db(transaction=True)
def test_dump_and_reload_into_an_empty_database_gives_the_same_data(tmp_path):
    def snapshot():
        dumped = serializers.serialize(
            "json",
            [o for m in MODELS for o in m.objects.all()],
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
        )
        return sorted(json.dumps(obj, sort_keys=True) for obj in json.loads(dumped))

    call_command("loaddata", FIXTURE, verbosity=0)
    before = snapshot()
    assert len(before) == len(json.loads(FIXTURE.read_text()))
    dump = Path(tmp_path) / "dump.json"
    call_command("dumpdata", "timeline", natural_foreign=True, natural_primary=True, output=str(dump), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert snapshot() == []
    call_command("loaddata", dump, verbosity=0)

    assert snapshot() == before
    history = [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]
    assert [model.objects.count() for model in history] == [0] * len(history)


def test_the_events_counted_per_year_are_those_of_the_real_data(real_data):
    counts = kept()

    assert counts == counted_from_events()
    assert counts[("published", 0)] == 12  # the undated events
    assert sum(counts.values()) == Event.objects.count() == len(curated("events"))


# Spot checks with exact values ----------------------------------------------


@pytest.mark.django_db
def test_cob_meeting_of_22_january_2004(real_data):
    meeting = Event.objects.get(slug="cob-enlarged-meeting-2004-01-22")

    assert (meeting.date_edtf, meeting.date_as_written, meeting.date_basis) == (
        "2004-01-22",
        "Thursday, January 22",
        "relative",
    )
    assert meeting.date_display == "22 January 2004"
    assert meeting.place_as_written == "the headquarters of the La Paz Urban Teachers’ Federation"
    assert "gathered in Cochabamba" in meeting.notes
    assert meeting.participations.filter(actor__slug="jaime-solares", role="leader").exists()
    assert meeting.participations.filter(organisation__slug="cob", role="organiser").exists()
    assert "the national enlarged meeting of the COB on Thursday, January 22" in " ".join(
        p.text for p in meeting.passages.all()
    )
    assert meeting.relations_out.filter(to_event__slug="indefinite-general-strike-2004-02", relation="caused").exists()


@pytest.mark.django_db
def test_goni_resolves_to_sanchez_de_lozada(real_data):
    assert [actor.slug for actor in Actor.objects.search("Goni")] == ["sanchez-de-lozada"]
    assert Actor.objects.get(slug="sanchez-de-lozada").alias_list == ["Goni"]
    assert Actor.objects.get(slug="felipe-quispe").alias_list == ["Mallku"]


@pytest.mark.django_db
def test_banzer_coup_attempt_keeps_the_documents_contradiction(real_data):
    attempt = Event.objects.get(slug="banzer-coup-attempt-1971-01")

    assert attempt.date_as_written == "events of January 1970. On January 10"
    assert attempt.date_basis == "inferred"
    assert "January 1970" in attempt.notes
    assert "January 1971" in attempt.notes


@pytest.mark.django_db
def test_strike_date_is_computed_twenty_days_after_the_meeting(real_data):
    strike = Event.objects.get(slug="indefinite-general-strike-2004-02")

    assert (strike.date_edtf, strike.date_basis, strike.date_as_written) == (
        "2004-02-11~",
        "computed",
        "in twenty days time",
    )
    assert strike.date_display == "c. 11 February 2004"
    assert strike.occurrence == "planned"


@pytest.mark.django_db
def test_citation_without_an_outlet_is_recorded_as_written(real_data):
    source = Source.objects.get(slug="unnamed-outlet-2004-01-23")

    assert source.outlet is None
    assert source.citation == "(, 23/1/04)"
    assert source.passages.count() == 3
    assert all(p.text == "(, 23/1/04)" for p in source.passages.all())


@pytest.mark.django_db
def test_solares_is_cob_executive_secretary_and_is_quoted(real_data):
    membership = Membership.objects.get(actor__slug="jaime-solares", organisation__slug="cob")

    assert membership.role == "executive secretary"
    assert Quote.objects.get(slug="solares-mesa-continuation-of-ousted-president").source.slug == (
        "el-diario-2004-01-23"
    )
