import pytest
from django.http import QueryDict

from tests.factories import (
    ActorFactory,
    EventFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    SourceFactory,
)
from timeline.filters import EventFilterSet
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    la_paz, period = PlaceFactory(slug="la-paz"), PeriodFactory(slug="mesa")
    solares, cob = ActorFactory(slug="solares"), OrganisationFactory(slug="cob")
    source = SourceFactory(slug="article")
    made = {
        "coup": EventFactory(slug="coup", title="Banzer's coup", event_type="coup", date_edtf="1971-07-18/1971-07-20"),
        "october": EventFactory(
            slug="october", title="October insurrection", event_type="insurrection", date_edtf="2003-10", importance=3
        ),
        "meeting": EventFactory(
            slug="meeting", title="COB enlarged meeting", date_edtf="2004-01-22", place=la_paz, period=period
        ),
        "strike": EventFactory(
            slug="strike", title="General strike", event_type="strike", date_edtf="2004-02-11~", period=period
        ),
    }
    ParticipationFactory(event=made["meeting"], actor=solares)
    ParticipationFactory(event=made["october"], actor=None, organisation=cob)
    made["meeting"].passages.add(PassageFactory(source=source))
    return made


def run(query: str):
    filterset = EventFilterSet(QueryDict(query), queryset=Event.objects.chronological())
    valid = filterset.is_valid()
    return valid, [event.slug for event in filterset.qs] if valid else filterset.error_messages


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["coup", "october", "meeting", "strike"]),
        ("after=2003-10", ["october", "meeting", "strike"]),
        ("before=1971", ["coup"]),
        ("after=2004-01&before=2004-01", ["meeting"]),
        ("date=1971", ["coup"]),
        ("date=2003-10/2004-01", ["october", "meeting"]),
        ("actor=solares", ["meeting"]),
        ("organisation=cob", ["october"]),
        ("place=la-paz", ["meeting"]),
        ("period=mesa", ["meeting", "strike"]),
        ("source=article", ["meeting"]),
        ("type=strike", ["strike"]),
        ("importance=3", ["october"]),
        ("q=coup", ["coup"]),
        ("period=mesa&type=strike", ["strike"]),
        ("ordering=-date", ["strike", "meeting", "october", "coup"]),
        ("ordering=title", ["coup", "meeting", "strike", "october"]),
    ],
)
def test_each_filter_alone_and_combined(events, query, expected):
    assert run(query) == (True, expected)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("colour=red", {"__all__": ["Unknown parameter “colour”."]}),
        ("type=picnic", {"type": ["Select a valid choice. picnic is not one of the available choices."]}),
        ("actor=nobody", {"actor": ["Select a valid choice. That choice is not one of the available choices."]}),
        (
            "after=January",
            {
                "after": [
                    "“January” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
                    "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain)."
                ]
            },
        ),
        ("date=1972/1971", {"date": ["“1972/1971” ends before it starts."]}),
        ("importance=9", {"importance": ["Select a valid choice. 9 is not one of the available choices."]}),
        ("ordering=secret", {"ordering": ["Select a valid choice. secret is not one of the available choices."]}),
        ("type=coup&type=strike", {"__all__": ["Give “type” once."]}),
    ],
)
def test_invalid_parameters_are_errors_naming_the_parameter(events, query, errors):
    assert run(query) == (False, errors)


def test_draft_actors_cannot_be_used_as_filters_by_anonymous_visitors(events):
    ActorFactory(slug="hidden", status="draft")

    assert run("actor=hidden")[0] is False


def test_extra_parameters_can_be_allowed():
    filterset = EventFilterSet(QueryDict("page=2"), queryset=Event.objects.all(), allowed_extra={"page"})

    assert filterset.is_valid()


def test_undated_events_sort_last_in_both_directions(events):
    EventFactory(slug="undated", date_edtf="", date_basis="")

    assert run("ordering=date")[1][-1] == "undated"
    assert run("ordering=-date")[1] == ["strike", "meeting", "october", "coup", "undated"]
