import datetime

import pytest

from tests.factories import ActorFactory, EventFactory, OrganisationFactory, ParticipationFactory, UserFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return {
        "revolution": EventFactory(slug="revolution", date_edtf="1952-04~", date_basis="curator"),
        "coup": EventFactory(slug="coup", date_edtf="1971-07-18/1971-07-20"),
        "october": EventFactory(slug="october", date_edtf="2003-10", date_basis="relative"),
        "meeting": EventFactory(slug="meeting", date_edtf="2004-01-22"),
        "undated": EventFactory(slug="undated", date_edtf="", date_basis=""),
        "draft": EventFactory(slug="draft", date_edtf="2004-01-23", status="draft"),
    }


def slugs(queryset):
    return [event.slug for event in queryset]


def test_default_order_is_chronological_with_undated_last(events):
    assert slugs(Event.objects.all()) == ["revolution", "coup", "october", "meeting", "draft", "undated"]


def test_published_leaves_drafts_out(events):
    assert slugs(Event.objects.published()) == ["revolution", "coup", "october", "meeting", "undated"]


def test_between_returns_events_overlapping_the_range(events):
    assert slugs(Event.objects.between(datetime.date(1971, 7, 20), datetime.date(2003, 10, 15))) == [
        "coup",
        "october",
    ]
    assert slugs(Event.objects.between(lower=datetime.date(2004, 1, 1))) == ["meeting", "draft"]
    assert slugs(Event.objects.between(upper=datetime.date(1960, 1, 1))) == ["revolution"]


def test_between_chains_with_published(events):
    assert slugs(Event.objects.published().between(datetime.date(2004, 1, 1), datetime.date(2004, 1, 31))) == [
        "meeting"
    ]


def test_involving_an_actor_or_an_organisation(events):
    solares, cob = ActorFactory(slug="solares"), OrganisationFactory(slug="cob")
    ParticipationFactory(event=events["meeting"], actor=solares, role="leader")
    ParticipationFactory(event=events["meeting"], actor=solares, role="speaker")
    ParticipationFactory(event=events["october"], actor=None, organisation=cob)
    ParticipationFactory(event=events["meeting"], actor=None, organisation=cob)

    assert slugs(Event.objects.involving(solares)) == ["meeting"]
    assert slugs(Event.objects.involving(cob)) == ["october", "meeting"]
    with pytest.raises(TypeError):
        Event.objects.involving(events["coup"])


def test_at_least_filters_by_importance(events):
    Event.objects.filter(slug__in=["coup", "october"]).update(importance=3)

    assert slugs(Event.objects.at_least(3)) == ["coup", "october"]


def test_visible_to_shows_drafts_to_curators_only(events, curator):
    anonymous = UserFactory(username="reader")

    assert "draft" not in slugs(Event.objects.visible_to(anonymous))
    assert "draft" in slugs(Event.objects.visible_to(curator))


def test_with_related_loads_a_list_in_a_fixed_number_of_queries(events, django_assert_num_queries):
    for event in Event.objects.all():
        ParticipationFactory(event=event)

    with django_assert_num_queries(2):
        rows = [
            (event.place, event.period, [p.participant.name for p in event.participations.all()])
            for event in Event.objects.with_related()
        ]

    assert len(rows) == 6
