"""The fast read shapes (plain functions, routes reversed once) answer exactly what DRF's declared fields would.

The serializers keep their declared fields for the schema and the CSV columns, and read through
plain functions (api/serializers.py). Here every response is also rendered the slow way, with
DRF's own ``Serializer.to_representation`` over the declared fields and a nested serializer per
linked record, as the serializers did before, and the two bodies must be the same bytes.
"""

from contextlib import ExitStack
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework import serializers as drf
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.test import APIRequestFactory

from api import serializers
from tests.factories import (
    ActorFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
    PassageFactory,
    PeriodFactory,
    PlaceFactory,
    QuoteFactory,
    SourceFactory,
)
from timeline.models import Actor, Event, Organisation, Passage, Period, Place, Quote, Source, Status

pytestmark = pytest.mark.django_db


def _reference_summary(serializer, obj, summary_class):
    return summary_class(obj, context=serializer.context).data


def _visible_rows(serializer, rows, attribute):
    request = serializer.context.get("request")
    return [row for row in rows if serializers.visible(getattr(row, attribute), request)]


def _reference_participants(self, obj):
    rows = _visible_rows(self, list(obj.participations.all()), "participant")
    return serializers.ParticipantSerializer(rows, many=True, context=self.context).data


def _reference_memberships(self, obj):
    rows = _visible_rows(self, obj.memberships.all(), "organisation")
    return serializers.ActorMembershipSerializer(rows, many=True, context=self.context).data


def _reference_members(self, obj):
    rows = _visible_rows(self, obj.memberships.all(), "actor")
    return serializers.OrganisationMemberSerializer(rows, many=True, context=self.context).data


def _reference_linked(attribute):
    def method(self, obj):
        linked = getattr(obj, attribute)
        if not serializers.visible(linked, self.context.get("request")):
            return None
        return _reference_summary(self, linked, serializers.OrganisationSummarySerializer)

    return method


def _reference_quote_summary(self, obj, summary_class):
    if not serializers.visible(obj, self.context.get("request")):
        return None
    return _reference_summary(self, obj, summary_class)


def _reference_api_url(request, basename, slug):
    return drf_reverse(f"api:{basename}-detail", kwargs={"slug": slug}, request=request)


def _reference_site_url(request, obj):
    path = obj.get_absolute_url()
    return request.build_absolute_uri(path) if request is not None else path


def drf_reads():
    """Patches that make every read go through DRF's declared fields, as before."""
    stack = ExitStack()
    generic = drf.Serializer.to_representation
    for serializer_class in (
        serializers.DateSerializer,
        serializers.SummarySerializer,
        serializers.PassageSummarySerializer,
        serializers.ParticipantSerializer,
        serializers.EventSerializer,
    ):
        stack.enter_context(mock.patch.object(serializer_class, "to_representation", generic))
    replacements = [
        (serializers.EventSerializer, "get_participants", _reference_participants),
        (serializers.ActorSerializer, "get_memberships", _reference_memberships),
        (serializers.OrganisationSerializer, "get_members", _reference_members),
        (serializers.OrganisationSerializer, "get_parent", _reference_linked("parent")),
        (serializers.SourceSerializer, "get_outlet", _reference_linked("outlet")),
        (serializers.QuoteSerializer, "_summary", _reference_quote_summary),
    ]
    for owner, name, replacement in replacements:
        stack.enter_context(mock.patch.object(owner, name, replacement))
    stack.enter_context(mock.patch.object(serializers, "api_url", _reference_api_url))
    stack.enter_context(mock.patch.object(serializers, "site_url", _reference_site_url))
    links = mock.patch.object(
        serializers.Links, "api", lambda self, basename, slug: _reference_api_url(self.request, basename, slug)
    )
    stack.enter_context(links)
    stack.enter_context(
        mock.patch.object(serializers.Links, "site", lambda self, obj: _reference_site_url(self.request, obj))
    )
    return stack


@pytest.fixture
def records():
    source = SourceFactory(slug="cob-article", title="The COB article")
    first = PassageFactory(source=source, words="gathered in Cochabamba")
    second = PassageFactory(source=source, words="twenty days time")
    union = OrganisationFactory(slug="cob", name="COB", acronym="COB", aliases="Central Obrera\nCOB")
    hidden_union = OrganisationFactory(slug="draft-union", name="Draft union", status=Status.DRAFT)
    party = OrganisationFactory(slug="party", name="Party", parent=union, country=PlaceFactory(slug="bolivia"))
    child = OrganisationFactory(slug="branch", name="Branch", parent=hidden_union)
    leader = ActorFactory(slug="leader", name="Jaime Solares", aliases="Solares")
    hidden_actor = ActorFactory(slug="draft-person", name="Draft person", status=Status.DRAFT)
    MembershipFactory(
        actor=leader, organisation=union, role="executive secretary", date_edtf="2003~", date_basis="stated"
    )
    MembershipFactory(actor=leader, organisation=hidden_union, role="")
    MembershipFactory(actor=hidden_actor, organisation=union)
    place = PlaceFactory(slug="cochabamba", name="Cochabamba", latitude="-17.3895", longitude="-66.1568")
    period = PeriodFactory(slug="mesa", name="Mesa government")
    meeting = EventFactory(
        slug="meeting",
        title="Enlarged meeting",
        place=place,
        period=period,
        importance=3,
        date_edtf="2004-01-22?",
        date_as_written="January 22",
        notes="A note.",
    )
    meeting.passages.set([second, first])
    ParticipationFactory(event=meeting, actor=leader, role_as_written="the leader")
    ParticipationFactory(event=meeting, actor=None, organisation=union, role="organiser")
    ParticipationFactory(event=meeting, actor=hidden_actor)
    ParticipationFactory(event=meeting, actor=None, organisation=hidden_union)
    EventFactory(slug="undated", title="Undated", date_edtf="", date_basis="")
    EventFactory(slug="draft-event", status=Status.DRAFT, date_edtf="1971")
    QuoteFactory(slug="words", passage=PassageFactory(source=source, words="the workers defend real democracy"))
    QuoteFactory(slug="org-words", speaker_actor=hidden_actor, speaker_organisation=union, event=meeting)
    SourceFactory(slug="cited", title="Cited", outlet=party, cited_in=source)
    SourceFactory(slug="hidden-outlet", title="Hidden outlet", outlet=hidden_union)
    return {"child": child}


URLS = [
    "/api/v1/events/",
    "/api/v1/events/?format=json",
    "/api/v1/events/?page_size=1",
    "/api/v1/events/meeting/",
    "/api/v1/events/csv/",
    "/api/v1/actors/",
    "/api/v1/actors/leader/",
    "/api/v1/actors/csv/",
    "/api/v1/organisations/",
    "/api/v1/organisations/?format=json",
    "/api/v1/places/",
    "/api/v1/periods/",
    "/api/v1/sources/",
    "/api/v1/passages/",
    "/api/v1/quotes/",
    "/api/v1/places/geojson/",
    "/api/v1/events/jsonld/",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_reads_answer_what_the_declared_fields_answer(client, curator_client, records, url, who, settings):
    settings.RESPONSE_CACHE = False
    reader = client if who == "anonymous" else curator_client
    fast = reader.get(url)
    with drf_reads():
        slow = reader.get(url)

    assert fast.status_code == slow.status_code == 200
    assert fast.content == slow.content
    assert fast.content.count(b"http://testserver/") > 0


def test_an_event_shows_its_fields_in_the_declared_order(client, records):
    event = client.get("/api/v1/events/meeting/").json()

    assert list(event) == serializers.EventSerializer.Meta.fields
    assert [p["participant"]["slug"] for p in event["participants"]] == ["leader", "cob"]


# Links ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "factory"),
    [
        (Event, EventFactory),
        (Actor, ActorFactory),
        (Organisation, OrganisationFactory),
        (Place, PlaceFactory),
        (Period, PeriodFactory),
        (Source, SourceFactory),
        (Quote, QuoteFactory),
        (Passage, PassageFactory),
    ],
)
def test_site_urls_are_the_records_own(model, factory):
    obj = factory()
    request = APIRequestFactory().get("/api/v1/events/")
    links = serializers.Links(request)

    assert links.site(obj) == f"http://testserver{obj.get_absolute_url()}"
    assert links.site(obj) == links.site(obj)
    assert serializers.Links(None).site(obj) == obj.get_absolute_url()


def test_api_urls_are_reversed_once_per_request_and_keep_the_format_override():
    request = APIRequestFactory().get("/api/v1/events/?format=json")
    links = serializers.Links(request)

    with mock.patch.object(serializers, "reverse", wraps=serializers.reverse) as reversing:
        urls = [links.api("event", slug) for slug in ("meeting", "strike", "coup-1971")]
        place = links.api("place", "cochabamba")

    assert urls == [
        "http://testserver/api/v1/events/meeting/?format=json",
        "http://testserver/api/v1/events/strike/?format=json",
        "http://testserver/api/v1/events/coup-1971/?format=json",
    ]
    assert place == "http://testserver/api/v1/places/cochabamba/?format=json"
    assert reversing.call_count == 2
    assert serializers.Links(None).api("event", "meeting") == reverse("api:event-detail", kwargs={"slug": "meeting"})
