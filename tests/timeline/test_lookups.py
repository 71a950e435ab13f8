"""A number beyond an integer column's range finds no row, on SQLite as on PostgreSQL (timeline/lookups.py)."""

import pytest

from tests.factories import EventFactory, ParticipationFactory, PlaceFactory
from timeline.models import Event, Participation

pytestmark = pytest.mark.django_db

TOO_BIG, TOO_SMALL = 2**63, -(2**63) - 1


@pytest.fixture
def events():
    la_paz = PlaceFactory(slug="la-paz")
    return EventFactory(slug="in-la-paz", place=la_paz), EventFactory(slug="nowhere", place=None)


def slugs(queryset):
    return sorted(queryset.values_list("slug", flat=True))


def test_in_keeps_the_numbers_that_fit_and_drops_the_others(events):
    in_la_paz, _ = events

    assert slugs(Event.objects.filter(pk__in=[in_la_paz.pk, TOO_BIG, TOO_SMALL])) == ["in-la-paz"]
    assert slugs(Event.objects.filter(pk__in=[TOO_BIG])) == []
    assert slugs(Event.objects.filter(pk__in=[None, TOO_BIG, str(in_la_paz.pk)])) == ["in-la-paz"]
    assert slugs(Event.objects.filter(pk__in=[])) == []
    assert slugs(Event.objects.exclude(pk__in=[TOO_BIG])) == ["in-la-paz", "nowhere"]


def test_a_foreign_keys_exact_and_in_find_nothing_beyond_the_range(events):
    in_la_paz, _ = events

    assert slugs(Event.objects.filter(place=in_la_paz.place_id)) == ["in-la-paz"]
    assert slugs(Event.objects.filter(place=TOO_BIG)) == []
    assert slugs(Event.objects.exclude(place=TOO_BIG)) == ["in-la-paz", "nowhere"]
    assert slugs(Event.objects.filter(place__in=[TOO_SMALL, in_la_paz.place_id])) == ["in-la-paz"]
    assert slugs(Event.objects.filter(place__in=[TOO_BIG])) == []


def test_a_relation_followed_backwards_finds_nothing_beyond_the_range(events):
    in_la_paz, _ = events
    ParticipationFactory(event=in_la_paz)

    assert Participation.objects.filter(event__in=[TOO_BIG]).count() == 0
    assert slugs(Event.objects.filter(participations__in=[TOO_BIG])) == []
    assert slugs(Event.objects.filter(participations__actor=TOO_BIG)) == []


def test_a_comparison_beyond_the_range_matches_nothing_or_every_row_with_a_value(events):
    assert slugs(Event.objects.filter(place__lt=TOO_BIG)) == ["in-la-paz"]  # not the event without a place
    assert slugs(Event.objects.filter(place__lte=TOO_BIG)) == ["in-la-paz"]
    assert slugs(Event.objects.filter(place__gt=TOO_SMALL)) == ["in-la-paz"]
    assert slugs(Event.objects.filter(place__gte=TOO_SMALL)) == ["in-la-paz"]
    assert slugs(Event.objects.filter(place__gt=TOO_BIG)) == []
    assert slugs(Event.objects.filter(place__lt=TOO_SMALL)) == []
    assert slugs(Event.objects.exclude(place__lt=TOO_BIG)) == ["nowhere"]
    assert slugs(Event.objects.exclude(place__gt=TOO_BIG)) == ["in-la-paz", "nowhere"]


def test_the_list_a_queryset_was_given_is_kept_whatever_it_is_compiled_for(events):
    in_la_paz, _ = events
    queryset = Event.objects.filter(pk__in=[in_la_paz.pk, TOO_BIG])

    assert queryset.count() == 1
    assert slugs(queryset) == ["in-la-paz"]
    assert queryset.query.where.children[0].rhs == [in_la_paz.pk, TOO_BIG]
