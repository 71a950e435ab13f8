"""``loaddata`` loads the timeline's records in bulk (timeline/loading.py) with Django's results."""

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.commands.loaddata import Command as DjangoLoaddata
from django.core.serializers.base import DeserializationError
from django.db import connection
from django.db.models.signals import m2m_changed, post_save
from django.test.utils import CaptureQueriesContext
from simple_history.models import HistoricalChanges

from tests.factories import (
    DATA_MODELS,
    EventFactory,
    EventRelationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.loading import NATURAL_KEYS, Keys, handles
from timeline.models import Actor, Event, Organisation, Passage, Quote, Source

FIXTURE = settings.FIXTURES_DIR / "bolivia-third-uprising-2004.json"
TEXT = "The union called a strike. The army answered. The strike went on."


def passage(start: int, end: int) -> dict:
    return {
        "model": "timeline.passage",
        "fields": {"slug": f"article-{start}-{end}", "source": ["article"], "start": start, "end": end,
                   "text": TEXT[start:end]},
    }  # fmt: skip


ARTICLE = {
    "model": "timeline.source",
    "fields": {"slug": "article", "title": "Article", "kind": "article", "text": TEXT},
}
PASSAGES = [passage(0, 9), passage(27, 35), passage(46, 56)]


def event(slug: str, passages: list[str], **fields) -> dict:
    return {
        "model": "timeline.event",
        "fields": {"slug": slug, "title": slug.title(), "event_type": "strike",
                   "passages": [[p] for p in passages], **fields},
    }  # fmt: skip


def organisation(slug: str, parent: str | None = None) -> dict:
    return {
        "model": "timeline.organisation",
        "fields": {"slug": slug, "name": slug.upper(), "kind": "union", "parent": [parent] if parent else None},
    }


def load(tmp_path, objects: list[dict], *args, name: str = "data.json", **options) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(objects))
    call_command("loaddata", str(path), *args, verbosity=0, **options)


def links(record) -> list[str]:
    return sorted(record.passages.values_list("slug", flat=True))


def history_models() -> list:
    """Every model simple-history made: versions of records, and of their many-to-many links if tracked."""
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]


def dump_with_primary_keys() -> list[dict]:
    """Every record of the data models, with its primary key, foreign keys as ids and links as id lists."""
    return json.loads(serializers.serialize("json", [o for m in DATA_MODELS for o in m.objects.order_by("pk")]))


# The table of natural keys --------------------------------------------------------------------


@pytest.mark.django_db
def test_every_timeline_model_with_a_natural_key_is_loaded_in_bulk():
    with_natural_keys = {
        model._meta.label_lower
        for model in apps.get_app_config("timeline").get_models()
        if hasattr(model, "natural_key") and hasattr(model._default_manager, "get_by_natural_key")
    }

    assert with_natural_keys == set(NATURAL_KEYS)
    assert {model._meta.label_lower for model in DATA_MODELS} == set(NATURAL_KEYS)
    assert all(handles(model) for model in DATA_MODELS)


@pytest.mark.django_db
def test_the_table_of_natural_keys_agrees_with_natural_key_and_get_by_natural_key():
    passage = PassageFactory(words="gathered in Cochabamba")
    place = PlaceFactory(slug="cochabamba", within=PlaceFactory(slug="bolivia", kind="country"))
    cob = OrganisationFactory(slug="cob", parent=None)
    for record in (place, cob, SourceFactory(slug="el-diario", cited_in=passage.source, outlet=cob)):
        record.passages.add(passage)
    membership = MembershipFactory(organisation=cob)
    meeting = EventFactory(slug="meeting", place=place, period=PeriodFactory(slug="mesa"))
    ParticipationFactory(event=meeting, actor=membership.actor)
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role="organiser")
    EventRelationFactory(from_event=meeting, to_event=EventFactory(slug="strike"), relation="led_to")
    QuoteFactory(slug="democracy", speaker_actor=membership.actor, event=meeting)
    keys = Keys("default")
    checked = 0

    for model in DATA_MODELS:
        for obj in model.objects.all():
            parts = []
            for name in NATURAL_KEYS[model._meta.label_lower]:
                value = getattr(obj, name)
                parts.append(value.natural_key()[0] if hasattr(value, "natural_key") else value)
            assert tuple(parts) == tuple(obj.natural_key())
            assert keys.pk(model, obj.natural_key()) == obj.pk == model.objects.get_by_natural_key(*parts).pk
            checked += 1

    assert checked == sum(model.objects.count() for model in DATA_MODELS)
    assert {model for model in DATA_MODELS if model.objects.exists()} == set(DATA_MODELS)
    assert keys.pk(Event, ("no-such-event",)) is None


# Django's results --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_real_fixtures_give_the_same_rows_as_djangos_own_loaddata():
    call_command("flush", interactive=False, verbosity=0)  # primary keys from 1 (sequences outlive rollbacks)
    call_command(DjangoLoaddata(), str(FIXTURE), verbosity=0)
    by_django = dump_with_primary_keys()
    call_command("flush", interactive=False, verbosity=0)

    call_command("loaddata", str(FIXTURE), verbosity=0)

    assert dump_with_primary_keys() == by_django
    assert len(by_django) == len(json.loads(FIXTURE.read_text()))


@pytest.mark.django_db
def test_loading_the_real_fixtures_writes_no_history_and_sends_no_signal_per_record():
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    post_save.connect(receiver, weak=False, dispatch_uid="test_loading")
    m2m_changed.connect(receiver, weak=False, dispatch_uid="test_loading_m2m")
    try:
        call_command("loaddata", str(FIXTURE), verbosity=0)
    finally:
        post_save.disconnect(dispatch_uid="test_loading")
        m2m_changed.disconnect(dispatch_uid="test_loading_m2m")

    assert Event.objects.count() == 103
    assert Event.passages.through.objects.count() > 100
    assert sent == []
    assert {"HistoricalEvent", "HistoricalEvent_passages", "HistoricalQuote_attribution_passages"} <= {
        model.__name__ for model in history_models()
    }
    assert {model.__name__: model.objects.count() for model in history_models()} == {
        model.__name__: 0 for model in history_models()
    }


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_records(tmp_path):
    def queries_to_load(events: int) -> int:
        objects = [ARTICLE, *PASSAGES, *(event(f"e{n}", ["article-0-9", "article-27-35"]) for n in range(events))]
        with CaptureQueriesContext(connection) as queries:
            load(tmp_path, objects, name=f"{events}.json")
        return len(queries)

    few = queries_to_load(3)
    Event.objects.all().delete()
    Passage.objects.all().delete()
    Source.objects.all().delete()
    many = queries_to_load(25)

    assert Event.objects.count() == 25
    assert Event.passages.through.objects.count() == 50
    assert many == few


# Natural keys, forward references, reloading -----------------------------------------------------


@pytest.mark.django_db
def test_forward_references_are_finished_at_the_end(tmp_path):
    objects = [
        {**ARTICLE, "fields": {**ARTICLE["fields"], "outlet": ["publisher"]}},
        organisation("cob-command", parent="cob"),
        event("strike", ["article-0-9", "article-46-56"], place=["la-paz"]),
        *PASSAGES,
        organisation("cob"),
        organisation("publisher"),
        {"model": "timeline.place", "fields": {"slug": "la-paz", "name": "La Paz", "kind": "city"}},
    ]

    load(tmp_path, objects)

    assert Source.objects.get().outlet.slug == "publisher"
    assert Organisation.objects.get(slug="cob-command").parent.slug == "cob"
    strike = Event.objects.get()
    assert (strike.place.slug, links(strike)) == ("la-paz", ["article-0-9", "article-46-56"])
    assert [model.objects.count() for model in history_models()] == [0] * len(history_models())


@pytest.mark.django_db
def test_records_that_name_earlier_records_of_the_same_model(tmp_path):
    load(
        tmp_path, [ARTICLE, organisation("cob"), organisation("cob-command", "cob"), organisation("sub", "cob-command")]
    )

    assert [(o.slug, o.parent and o.parent.slug) for o in Organisation.objects.order_by("pk")] == [
        ("cob", None),
        ("cob-command", "cob"),
        ("sub", "cob-command"),
    ]


@pytest.mark.django_db
def test_reloading_updates_records_in_place_and_replaces_their_links(tmp_path):
    load(tmp_path, [ARTICLE, *PASSAGES, event("strike", ["article-0-9", "article-27-35"]), organisation("cob")])
    strike = Event.objects.get()

    load(tmp_path, [event("strike", ["article-27-35", "article-46-56"], title="The strike"), organisation("cob")])

    reloaded = Event.objects.get()
    assert (reloaded.pk, reloaded.title) == (strike.pk, "The strike")
    assert links(reloaded) == ["article-27-35", "article-46-56"]
    assert (Organisation.objects.count(), Passage.objects.count(), Source.objects.count()) == (1, 3, 1)
    assert [model.objects.count() for model in history_models()] == [0] * len(history_models())


@pytest.mark.django_db
def test_the_same_record_twice_in_one_fixture_is_saved_once(tmp_path):
    load(tmp_path, [ARTICLE, *PASSAGES, event("strike", ["article-0-9"]), event("strike", ["article-46-56"])])

    assert [(e.slug, links(e)) for e in Event.objects.all()] == [("strike", ["article-46-56"])]


@pytest.mark.django_db
def test_a_fixture_with_primary_keys_keeps_them_and_updates_on_reload(tmp_path):
    objects = [
        {"model": "timeline.source", "pk": 7, "fields": ARTICLE["fields"]},
        {"model": "timeline.passage", "pk": 40, "fields": {**PASSAGES[0]["fields"], "source": 7}},
        {"model": "timeline.event", "pk": 500, "fields": {"slug": "strike", "title": "Strike", "event_type": "strike",
                                                         "passages": [40]}},
    ]  # fmt: skip

    load(tmp_path, objects)
    objects[2]["fields"]["title"] = "The strike"
    load(tmp_path, objects)

    assert [(e.pk, e.title, links(e)) for e in Event.objects.all()] == [(500, "The strike", ["article-0-9"])]
    assert Source.objects.get().pk == 7
    assert Event.objects.create(slug="next", title="Next", event_type="strike").pk > 500


@pytest.mark.django_db
def test_objects_of_other_apps_are_saved_by_django_in_their_place(tmp_path):
    load(
        tmp_path,
        [
            {
                "model": "auth.group",
                "fields": {"name": "editors", "permissions": [["view_event", "timeline", "event"]]},
            },
            ARTICLE,
        ],
    )

    editors = apps.get_model("auth", "Group").objects.get(name="editors")
    assert list(editors.permissions.values_list("codename", flat=True)) == ["view_event"]
    assert Source.objects.get().slug == "article"


@pytest.mark.django_db
def test_exclude_and_ignorenonexistent(tmp_path):
    objects = [
        ARTICLE,
        *PASSAGES,
        {"model": "timeline.quote", "fields": {"slug": "q", "text": "a strike", "passage": ["article-0-9"],
                                               "speaker_description": "the union"}},
        {"model": "timeline.actor", "fields": {"slug": "solares", "name": "Solares", "height": 180}},
        {"model": "timeline.nosuchmodel", "fields": {}},
    ]  # fmt: skip

    load(tmp_path, objects, "--exclude", "timeline.quote", "--ignorenonexistent")

    assert (Source.objects.count(), Passage.objects.count(), Quote.objects.count()) == (1, 3, 0)
    assert Actor.objects.get().name == "Solares"


@pytest.mark.django_db
def test_a_reference_to_a_record_that_never_comes_fails_and_loads_nothing(tmp_path):
    with pytest.raises(DeserializationError, match="Organisation matching query does not exist"):
        load(tmp_path, [ARTICLE, organisation("cob-command", parent="no-such-organisation")])

    assert (Source.objects.count(), Organisation.objects.count()) == (0, 0)
