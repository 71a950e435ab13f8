"""Fixtures carry natural keys, never primary keys; loading twice creates no duplicates."""

import json

import pytest
from django.core import serializers
from django.core.management import call_command

from tests.factories import (
    DATA_MODELS,
    EventFactory,
    EventRelationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.models import (
    Membership,
    Organisation,
)

pytestmark = pytest.mark.django_db

MODELS = DATA_MODELS


@pytest.fixture
def small_dataset():
    passage = PassageFactory(words="gathered in Cochabamba")
    place = PlaceFactory(slug="cochabamba", name="Cochabamba", within=PlaceFactory(slug="bolivia", kind="country"))
    cob = OrganisationFactory(slug="cob", acronym="COB", parent=None)
    cob.passages.add(passage)
    place.passages.add(passage)
    SourceFactory(slug="el-diario", cited_in=passage.source, outlet=cob).passages.add(passage)
    OrganisationFactory(slug="cob-political-command", parent=cob)
    membership = MembershipFactory(organisation=cob)
    membership.passages.add(passage)
    meeting = EventFactory(slug="meeting", place=place)
    meeting.passages.add(passage)
    strike = EventFactory(slug="strike", date_edtf="2004-02-11~", date_basis="computed")
    ParticipationFactory(event=meeting, actor=membership.actor)
    ParticipationFactory(event=meeting, actor=None, organisation=cob, role="organiser")
    EventRelationFactory(from_event=meeting, to_event=strike, relation="led_to")
    QuoteFactory(slug="democracy", speaker_actor=membership.actor, event=meeting)


def dump() -> list[dict]:
    data = serializers.serialize(
        "json",
        [obj for model in MODELS for obj in model.objects.order_by("pk")],
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )
    return json.loads(data)


def to_the_millisecond(fields: dict) -> dict:
    """Timestamps as a dump writes them, whatever their microseconds were.

    Django's serializer keeps milliseconds: a time of 12:00:56.000400 is written
    ``12:00:56.000Z`` and, loaded back (microseconds 0), dumped again as ``12:00:56Z``.
    """
    return {
        name: f"{value[:-1]}.000Z" if name.endswith("_at") and str(value).endswith("Z") and "." not in value else value
        for name, value in fields.items()
    }


def snapshot() -> dict[str, list]:
    return {
        model.__name__: sorted(
            json.dumps(to_the_millisecond(obj["fields"]), sort_keys=True, default=str)
            for obj in dump()
            if obj["model"] == f"timeline.{model._meta.model_name}"
        )
        for model in MODELS
    }


def test_every_model_has_a_natural_key_and_a_manager_to_find_it(small_dataset):
    for model in MODELS:
        for obj in model.objects.all():
            assert model.objects.get_by_natural_key(*obj.natural_key()) == obj


def test_dump_carries_no_primary_keys(small_dataset):
    assert all("pk" not in obj for obj in dump())


def test_loading_a_dump_twice_creates_no_duplicates_and_changes_nothing(small_dataset, tmp_path):
    fixture = tmp_path / "data.json"
    fixture.write_text(json.dumps(dump()))
    before = snapshot()
    counts = {model.__name__: model.objects.count() for model in MODELS}

    call_command("loaddata", fixture, verbosity=0)
    call_command("loaddata", fixture, verbosity=0)

    assert {model.__name__: model.objects.count() for model in MODELS} == counts
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_dump_loads_into_an_empty_database_with_every_link(small_dataset, tmp_path):
    fixture = tmp_path / "data.json"
    fixture.write_text(json.dumps(dump()))
    before = snapshot()
    call_command("flush", interactive=False, verbosity=0)
    assert sum(model.objects.count() for model in MODELS) == 0

    call_command("loaddata", fixture, verbosity=0)

    assert snapshot() == before
    assert Membership.objects.get().passages.get().text == "gathered in Cochabamba"
    assert Organisation.objects.get(slug="cob-political-command").parent.slug == "cob"
