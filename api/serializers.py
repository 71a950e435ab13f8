"""Serializers: one read shape per resource, one write shape per writable resource.

Reads carry the record's fields, its date in every form, its URLs in the API
and on the site, compact summaries of linked records and its timestamps. Writes
take slugs for linked records and go through the model's ``full_clean()`` (or a
service) in one transaction; a model's errors come back under the API's names.
"""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from timeline import dates, history, services
from timeline.models import (
    Actor,
    DateBasis,
    Event,
    EventType,
    Membership,
    Organisation,
    Participation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
    Status,
)
from timeline.rows import participants_of, passages_of

# Helpers ----------------------------------------------------------------------

#: Stands for the slug while a route is reversed once; it matches every ``lookup_value_regex``.
SLUG_PLACEHOLDER = "0slug0placeholder0"
_plain_slug = re.compile(r"[-a-zA-Z0-9_]+").fullmatch

#: Each model's page on the site, by slug (``get_absolute_url()``; tests/api pin the two as equal).
SITE_ROUTES = {
    Event: "timeline:event-detail",
    Actor: "timeline:actor-detail",
    Organisation: "timeline:organisation-detail",
    Place: "timeline:place-detail",
    Period: "timeline:period-detail",
    Source: "timeline:source-detail",
    Quote: "timeline:quote-detail",
}


class Links:
    """The URLs of one request's records: each route is reversed once, then every slug is put in.

    ``rest_framework.reverse`` costs tens of microseconds (URL resolver, host check, the
    ``format`` override), and a page of events shows hundreds of links. The ends of a route
    around the slug are the same for every record, so they are computed once per request.
    Slugs with characters a URL would escape (none that the models accept) take the slow path.
    """

    __slots__ = ("api_routes", "permissions", "request", "site_routes")

    def __init__(self, request):
        self.request = request
        self.api_routes: dict[str, tuple[str, str] | None] = {}
        self.site_routes: dict[str, tuple[str, str] | None] = {}
        self.permissions: dict[str, bool] = {}

    @staticmethod
    def _split(url: str) -> tuple[str, str] | None:
        head, found, tail = url.partition(SLUG_PLACEHOLDER)
        return (head, tail) if found and SLUG_PLACEHOLDER not in tail else None

    def api(self, basename: str, slug: str) -> str:
        try:
            route = self.api_routes[basename]
        except KeyError:
            route = self.api_routes[basename] = self._split(_reverse_api(self.request, basename, SLUG_PLACEHOLDER))
        if route is None or not _plain_slug(slug):
            return _reverse_api(self.request, basename, slug)
        return route[0] + slug + route[1]

    def site(self, obj) -> str:
        name = SITE_ROUTES.get(type(obj))
        slug = obj.slug
        if name is None or not _plain_slug(slug):
            return self._absolute(obj.get_absolute_url())
        try:
            route = self.site_routes[name]
        except KeyError:
            route = self.site_routes[name] = self._split(self._absolute(reverse_path(name, SLUG_PLACEHOLDER)))
        if route is None:
            return self._absolute(obj.get_absolute_url())
        return route[0] + slug + route[1]

    def _absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path) if self.request is not None else path

    def visible(self, obj) -> bool:
        """:func:`visible`, with each model's permission asked once per request."""
        if obj is None:
            return False
        status = getattr(obj, "status", None)
        if status is None or status == Status.PUBLISHED:
            return True
        model_name = obj._meta.model_name
        try:
            return self.permissions[model_name]
        except KeyError:
            allowed = self.permissions[model_name] = visible(obj, self.request)
            return allowed


def _reverse_api(request, basename: str, slug: str) -> str:
    return reverse(f"api:{basename}-detail", kwargs={"slug": slug}, request=request)


def reverse_path(name: str, slug: str) -> str:
    return django_reverse(name, kwargs={"slug": slug})


def links_for(request) -> Links:
    """The request's :class:`Links`, made on first use (without a request: paths, nothing kept)."""
    if request is None:
        return Links(None)
    links = getattr(request, "_timeline_links", None)
    if links is None:
        links = Links(request)
        request._timeline_links = links
    return links


def api_url(request, basename: str, slug: str) -> str:
    return links_for(request).api(basename, slug)


def site_url(request, obj) -> str:
    return links_for(request).site(obj)


def visible(obj, request) -> bool:
    """Whether a linked record may be shown: the rule of ``visible_to()``, applied to a loaded row.

    Linked records arrive through ``select_related``/``prefetch_related``, so
    the rule is checked on the row rather than with one query per link.
    """
    if obj is None:
        return False
    status = getattr(obj, "status", None)
    if status is None or status == Status.PUBLISHED:
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.has_perm(f"timeline.change_{obj._meta.model_name}"))


class LinksMixin(serializers.Serializer):
    """``url`` (this record in the API) and ``site_url`` (its page on the site)."""

    basename: str = ""

    url = serializers.SerializerMethodField(help_text="This record in the API.")
    site_url = serializers.SerializerMethodField(help_text="This record's page on the site.")

    @property
    def links(self) -> Links:
        return links_for(self.context.get("request"))

    def get_url(self, obj) -> str:
        return self.links.api(self.basename, obj.slug)

    def get_site_url(self, obj) -> str:
        return self.links.site(obj)


# Reading without DRF's field machinery ------------------------------------------
#
# A page of events holds hundreds of nested values. DRF builds each nested serializer's
# fields (deep copies) per instance and walks them per value; the read shapes below are
# plain functions instead, returning exactly what the declared fields would (the fields
# stay, for the schema and for CSV columns). tests/api compare both with exact JSON.

_DATE_FIELD = serializers.DateField()
_DATETIME_FIELD = serializers.DateTimeField()


def _text(value):
    """What ``CharField``/``SlugField``/``ChoiceField`` show for a stored string."""
    return value if value is None or type(value) is str else str(value)


def _boolean(value):
    return None if value is None else bool(value)


def _date(value):
    return _DATE_FIELD.to_representation(value) if value is not None else None


def _datetime(value):
    return _DATETIME_FIELD.to_representation(value) if value is not None else None


def date_data(obj) -> dict:
    """:class:`DateSerializer`'s shape."""
    return {
        "edtf": _text(obj.date_edtf),
        "earliest": _date(obj.date_earliest),
        "latest": _date(obj.date_latest),
        "display": _text(obj.date_display),
        "precision": obj.date_precision,
        "approximate": _boolean(obj.date_approximate),
        "uncertain": _boolean(obj.date_uncertain),
        "as_written": _text(obj.date_as_written),
        "basis": obj.date_basis,
        "note": _text(obj.date_note),
    }


def summary_data(obj, links: Links, basename: str, name_attribute: str = "name") -> dict:
    """:class:`SummarySerializer`'s shape."""
    return {"slug": _text(obj.slug), "name": getattr(obj, name_attribute), "url": links.api(basename, obj.slug)}


def passage_summary_data(passage, links: Links) -> dict:
    """:class:`PassageSummarySerializer`'s shape (``source`` must be loaded with it)."""
    source = passage.source
    return {
        "slug": _text(passage.slug),
        "source": None if source is None else source.slug,
        "start": passage.start,
        "end": passage.end,
        "text": _text(passage.text),
        "url": links.api("passage", passage.slug),
    }


def membership_data(membership, links: Links, linked: str) -> dict:
    """:class:`ActorMembershipSerializer`'s shape (``linked="organisation"``) or
    :class:`OrganisationMemberSerializer`'s (``linked="actor"``)."""
    record = getattr(membership, linked)
    return {
        linked: None if record is None else summary_data(record, links, linked),
        "role": _text(membership.role),
        "role_as_written": _text(membership.role_as_written),
        "date": date_data(membership),
    }


def participant_data(participation, links: Links) -> dict:
    """:class:`ParticipantSerializer`'s shape."""
    if participation.actor_id:
        kind, participant = "actor", summary_data(participation.actor, links, "actor")
    else:
        kind, participant = "organisation", summary_data(participation.organisation, links, "organisation")
    return {
        "role": participation.role,
        "role_as_written": _text(participation.role_as_written),
        "kind": kind,
        "participant": participant,
    }


# Dates ------------------------------------------------------------------------


class DateSerializer(serializers.Serializer):
    """A date as historians give it (read from the record's ``date_*`` fields)."""

    edtf = serializers.CharField(source="date_edtf", read_only=True, help_text="EDTF value; empty when undated.")
    earliest = serializers.DateField(
        source="date_earliest", read_only=True, allow_null=True, help_text="Earliest calendar date it can mean."
    )
    latest = serializers.DateField(
        source="date_latest", read_only=True, allow_null=True, help_text="Latest calendar date it can mean."
    )
    display = serializers.CharField(source="date_display", read_only=True, help_text="As shown to readers.")
    precision = serializers.ChoiceField(
        choices=[*dates.DatePrecision.choices, ("", "undated")], source="date_precision", read_only=True
    )
    approximate = serializers.BooleanField(source="date_approximate", read_only=True)
    uncertain = serializers.BooleanField(source="date_uncertain", read_only=True)
    as_written = serializers.CharField(
        source="date_as_written", read_only=True, help_text="The document's own words for the date."
    )
    basis = serializers.ChoiceField(
        choices=[*DateBasis.choices, ("", "undated")],
        source="date_basis",
        read_only=True,
        help_text="How the date was obtained.",
    )
    note = serializers.CharField(source="date_note", read_only=True)

    def to_representation(self, instance):
        return date_data(instance)


class DateWriteSerializer(serializers.Serializer):
    edtf = serializers.CharField(
        source="date_edtf",
        allow_blank=True,
        required=False,
        max_length=64,
        help_text="EDTF: 2004-01-22, 2003-10, 1971, 1971-07-18/1971-07-20, 1952-04~, 1970?. Empty when undated.",
    )
    as_written = serializers.CharField(source="date_as_written", allow_blank=True, required=False, max_length=255)
    basis = serializers.ChoiceField(choices=[*DateBasis.choices, ("", "undated")], source="date_basis", required=False)
    note = serializers.CharField(source="date_note", allow_blank=True, required=False)


# Summaries of linked records ---------------------------------------------------


class SummarySerializer(serializers.Serializer):
    basename: str = ""
    name_attribute = "name"

    slug = serializers.SlugField(read_only=True)
    name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The record in the API.")

    def get_name(self, obj) -> str:
        return getattr(obj, self.name_attribute)

    def get_url(self, obj) -> str:
        return api_url(self.context.get("request"), self.basename, obj.slug)

    def to_representation(self, instance):
        return summary_data(instance, links_for(self.context.get("request")), self.basename, self.name_attribute)


class EventSummarySerializer(SummarySerializer):
    basename, name_attribute = "event", "title"


class ActorSummarySerializer(SummarySerializer):
    basename = "actor"


class OrganisationSummarySerializer(SummarySerializer):
    basename = "organisation"


class PlaceSummarySerializer(SummarySerializer):
    basename = "place"


class PeriodSummarySerializer(SummarySerializer):
    basename = "period"


class SourceSummarySerializer(SummarySerializer):
    basename, name_attribute = "source", "title"


class PassageSummarySerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.SerializerMethodField(help_text="The passage in the API.")

    class Meta:
        model = Passage
        fields = ["slug", "source", "start", "end", "text", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return api_url(self.context.get("request"), "passage", obj.slug)

    def to_representation(self, instance):
        return passage_summary_data(instance, links_for(self.context.get("request")))


class ParticipantSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="actor (a person) or organisation.")
    participant = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = ["role", "role_as_written", "kind", "participant"]
        read_only_fields = fields

    def get_kind(self, obj) -> str:
        return "actor" if obj.actor_id else "organisation"

    @extend_schema_field(ActorSummarySerializer)
    def get_participant(self, obj):
        summary = ActorSummarySerializer if obj.actor_id else OrganisationSummarySerializer
        return summary(obj.participant, context=self.context).data

    def to_representation(self, instance):
        return participant_data(instance, links_for(self.context.get("request")))


class ActorMembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)
    date = DateSerializer(source="*", read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "role_as_written", "date"]
        read_only_fields = fields


class OrganisationMemberSerializer(serializers.ModelSerializer):
    actor = ActorSummarySerializer(read_only=True)
    date = DateSerializer(source="*", read_only=True)

    class Meta:
        model = Membership
        fields = ["actor", "role", "role_as_written", "date"]
        read_only_fields = fields


def visible_memberships(serializer, rows, linked: str) -> list[dict]:
    links = links_for(serializer.context.get("request"))
    return [membership_data(row, links, linked) for row in rows if links.visible(getattr(row, linked))]


# Reads -------------------------------------------------------------------------

TIMESTAMPS = ["created_at", "updated_at"]


class EventSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "event"

    type = serializers.ChoiceField(source="event_type", choices=EventType.choices, read_only=True)
    date = DateSerializer(source="*", read_only=True)
    place = PlaceSummarySerializer(read_only=True, allow_null=True)
    period = PeriodSummarySerializer(read_only=True, allow_null=True)
    participants = serializers.SerializerMethodField(help_text="People and organisations that took part.")
    passages = PassageSummarySerializer(many=True, read_only=True, help_text="The passages that state it.")

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "summary",
            "type",
            "occurrence",
            "importance",
            "status",
            "date",
            "place",
            "place_as_written",
            "period",
            "participants",
            "passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_participants(self, obj):
        links = self.links
        return [participant_data(row, links) for row in participants_of(obj) if links.visible(row.participant)]

    def to_representation(self, instance):
        links = self.links
        place, period = instance.place, instance.period
        return {
            "slug": _text(instance.slug),
            "title": _text(instance.title),
            "summary": _text(instance.summary),
            "type": instance.event_type,
            "occurrence": instance.occurrence,
            "importance": instance.importance,
            "status": instance.status,
            "date": date_data(instance),
            "place": None if place is None else summary_data(place, links, "place"),
            "place_as_written": _text(instance.place_as_written),
            "period": None if period is None else summary_data(period, links, "period"),
            "participants": self.get_participants(instance),
            "passages": [passage_summary_data(passage, links) for passage in passages_of(instance)],
            "notes": _text(instance.notes),
            "url": links.api("event", instance.slug),
            "site_url": links.site(instance),
            "created_at": _datetime(instance.created_at),
            "updated_at": _datetime(instance.updated_at),
        }


class ActorSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "actor"

    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)
    memberships = serializers.SerializerMethodField(help_text="Organisations and roles, as the documents give them.")
    passages = PassageSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Actor
        fields = [
            "slug",
            "name",
            "aliases",
            "description",
            "status",
            "memberships",
            "passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    @extend_schema_field(ActorMembershipSerializer(many=True))
    def get_memberships(self, obj):
        return visible_memberships(self, obj.memberships.all(), "organisation")


def _aliases(text: str) -> list[str]:
    return [alias.strip() for alias in text.splitlines() if alias.strip()]


class OrganisationSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "organisation"

    aliases = serializers.SerializerMethodField()
    country = PlaceSummarySerializer(read_only=True, allow_null=True)
    parent = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField(help_text="People and their roles.")
    passages = PassageSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "acronym",
            "aliases",
            "kind",
            "country",
            "parent",
            "description",
            "status",
            "members",
            "passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    def get_aliases(self, obj) -> list[str]:
        return _aliases(obj.aliases)

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_parent(self, obj):
        links = self.links
        return summary_data(obj.parent, links, "organisation") if links.visible(obj.parent) else None

    @extend_schema_field(OrganisationMemberSerializer(many=True))
    def get_members(self, obj):
        return visible_memberships(self, obj.memberships.all(), "actor")


class PlaceSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "place"

    aliases = serializers.SerializerMethodField()
    within = PlaceSummarySerializer(read_only=True, allow_null=True)
    passages = PassageSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Place
        fields = [
            "slug",
            "name",
            "kind",
            "within",
            "aliases",
            "description",
            "latitude",
            "longitude",
            "coordinates_by_curator",
            "passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    def get_aliases(self, obj) -> list[str]:
        return _aliases(obj.aliases)


class PeriodSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "period"

    date = DateSerializer(source="*", read_only=True)
    passages = PassageSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Period
        fields = ["slug", "name", "description", "date", "passages", "notes", "url", "site_url", *TIMESTAMPS]
        read_only_fields = fields


class SourceSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "source"

    outlet = serializers.SerializerMethodField()
    cited_in = SourceSummarySerializer(read_only=True, allow_null=True)
    external_url = serializers.CharField(source="url", read_only=True, help_text="Where the document is published.")
    date = DateSerializer(source="*", read_only=True)
    passages = PassageSummarySerializer(many=True, read_only=True, help_text="Where the citing document cites it.")

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "kind",
            "author",
            "outlet",
            "citation",
            "page",
            "cited_in",
            "language",
            "external_url",
            "date",
            "text",
            "passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_outlet(self, obj):
        links = self.links
        return summary_data(obj.outlet, links, "organisation") if links.visible(obj.outlet) else None


class PassageSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "passage"

    source = SourceSummarySerializer(read_only=True)

    class Meta:
        model = Passage
        fields = ["slug", "source", "start", "end", "text", "note", "url", "site_url", *TIMESTAMPS]
        read_only_fields = fields


class QuoteSerializer(LinksMixin, serializers.ModelSerializer):
    basename = "quote"

    passage = PassageSummarySerializer(read_only=True)
    speaker = serializers.SerializerMethodField(help_text="Who spoke, as one line.")
    speaker_actor = serializers.SerializerMethodField()
    speaker_organisation = serializers.SerializerMethodField()
    source = SourceSummarySerializer(read_only=True, allow_null=True)
    event = serializers.SerializerMethodField()
    date = DateSerializer(source="*", read_only=True)
    attribution_passages = PassageSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "slug",
            "text",
            "passage",
            "speaker",
            "speaker_actor",
            "speaker_organisation",
            "speaker_description",
            "source",
            "event",
            "date",
            "attribution_passages",
            "notes",
            "url",
            "site_url",
            *TIMESTAMPS,
        ]
        read_only_fields = fields

    def _summary(self, obj, summary_class):
        links = self.links
        if not links.visible(obj):
            return None
        return summary_data(obj, links, summary_class.basename, summary_class.name_attribute)

    def get_speaker(self, obj) -> str:
        links = self.links
        names = [str(s) for s in (obj.speaker_actor, obj.speaker_organisation) if s and links.visible(s)]
        return ", ".join(names) or obj.speaker_description

    @extend_schema_field(ActorSummarySerializer(allow_null=True))
    def get_speaker_actor(self, obj):
        return self._summary(obj.speaker_actor, ActorSummarySerializer)

    @extend_schema_field(OrganisationSummarySerializer(allow_null=True))
    def get_speaker_organisation(self, obj):
        return self._summary(obj.speaker_organisation, OrganisationSummarySerializer)

    @extend_schema_field(EventSummarySerializer(allow_null=True))
    def get_event(self, obj):
        return self._summary(obj.event, EventSummarySerializer)


# Writes ------------------------------------------------------------------------


def _slugs(model, **kwargs):
    return serializers.SlugRelatedField(slug_field="slug", queryset=model.objects.all(), **kwargs)


def _optional_slug(model, **kwargs):
    return _slugs(model, allow_null=True, required=False, **kwargs)


def _passages(**kwargs):
    return _slugs(Passage, many=True, required=False, help_text="Slugs of the passages that support it.", **kwargs)


class AliasesField(serializers.ListField):
    child = serializers.CharField(max_length=255)

    def to_internal_value(self, data):
        return "\n".join(alias.strip() for alias in super().to_internal_value(data) if alias.strip())


class CleanModelSerializer(serializers.ModelSerializer):
    """Create and update through the model's ``full_clean()``, in one transaction.

    The model's rules (EDTF parsing, constraints, unique slugs) are applied by
    the model; its errors are returned under this serializer's field names.
    """

    def create(self, validated_data):
        return self.save_instance(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self.save_instance(instance, validated_data)

    @transaction.atomic
    def save_instance(self, instance, validated_data):
        many = {}
        for name, value in validated_data.items():
            if instance._meta.get_field(name).many_to_many:
                many[name] = value
            else:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(self.api_errors(exc)) from exc
        with history.one_version_per_record():  # one version, holding the links as written
            instance.save()
            for name, value in many.items():
                getattr(instance, name).set(value)
        return instance

    def api_errors(self, exc: DjangoValidationError) -> dict:
        paths: dict[str, tuple[str, ...]] = {NON_FIELD_ERRORS: ("non_field_errors",)}
        for name, field in self.fields.items():
            if isinstance(field, serializers.Serializer) and field.source == "*":
                for child_name, child in field.fields.items():
                    paths[child.source] = (name, child_name)
            else:
                paths[field.source] = (name,)
        errors: dict = {}
        for model_name, messages in exc.message_dict.items():
            path = paths.get(model_name, (model_name,))
            node = errors
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node.setdefault(path[-1], []).extend(messages)
        return errors


class EventWriteSerializer(CleanModelSerializer):
    type = serializers.ChoiceField(source="event_type", choices=EventType.choices)
    date = DateWriteSerializer(source="*", required=False)
    place = _optional_slug(Place)
    period = _optional_slug(Period)
    passages = _passages()

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "summary",
            "type",
            "occurrence",
            "importance",
            "status",
            "date",
            "place",
            "place_as_written",
            "period",
            "passages",
            "notes",
        ]


class ActorWriteSerializer(CleanModelSerializer):
    aliases = AliasesField(required=False)
    passages = _passages()

    class Meta:
        model = Actor
        fields = ["slug", "name", "aliases", "description", "status", "passages", "notes"]


class OrganisationWriteSerializer(CleanModelSerializer):
    aliases = AliasesField(required=False)
    country = _optional_slug(Place)
    parent = _optional_slug(Organisation)
    passages = _passages()

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "acronym",
            "aliases",
            "kind",
            "country",
            "parent",
            "description",
            "status",
            "passages",
            "notes",
        ]


class PlaceWriteSerializer(CleanModelSerializer):
    aliases = AliasesField(required=False)
    within = _optional_slug(Place)
    passages = _passages()

    class Meta:
        model = Place
        fields = [
            "slug",
            "name",
            "kind",
            "within",
            "aliases",
            "description",
            "latitude",
            "longitude",
            "coordinates_by_curator",
            "passages",
            "notes",
        ]


class PeriodWriteSerializer(CleanModelSerializer):
    date = DateWriteSerializer(source="*")
    passages = _passages()

    class Meta:
        model = Period
        fields = ["slug", "name", "description", "date", "passages", "notes"]


class SourceWriteSerializer(CleanModelSerializer):
    outlet = _optional_slug(Organisation)
    cited_in = _optional_slug(Source)
    external_url = serializers.URLField(source="url", allow_blank=True, required=False, max_length=200)
    date = DateWriteSerializer(source="*", required=False)
    passages = _passages()

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "kind",
            "author",
            "outlet",
            "citation",
            "page",
            "cited_in",
            "language",
            "external_url",
            "date",
            "text",
            "passages",
            "notes",
        ]


class QuoteWriteSerializer(CleanModelSerializer):
    passage = _slugs(Passage, help_text="Slug of the passage where the words appear.")
    speaker_actor = _optional_slug(Actor)
    speaker_organisation = _optional_slug(Organisation)
    source = _optional_slug(Source)
    event = _optional_slug(Event)
    date = DateWriteSerializer(source="*", required=False)
    attribution_passages = _passages()

    class Meta:
        model = Quote
        fields = [
            "slug",
            "text",
            "passage",
            "speaker_actor",
            "speaker_organisation",
            "speaker_description",
            "source",
            "event",
            "date",
            "attribution_passages",
            "notes",
        ]


class PassageCreateSerializer(serializers.Serializer):
    """A passage is created from the words it quotes; its offsets are found, never sent."""

    source = _slugs(Source, help_text="Slug of the source that holds the words.")
    words = serializers.CharField(trim_whitespace=False, help_text="The words exactly as the source has them.")
    occurrence = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Which occurrence (from 1), when the words recur."
    )
    note = serializers.CharField(allow_blank=True, required=False, default="")

    error_fields = {"no_text": "source", "bad_occurrence": "occurrence", "ambiguous": "occurrence"}

    def create(self, validated_data):
        try:
            return services.passage_get_or_create(
                source=validated_data["source"],
                words=validated_data["words"],
                occurrence=validated_data.get("occurrence"),
                note=validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            field = self.error_fields.get(exc.code, "words")
            raise serializers.ValidationError({field: exc.messages}) from exc


class PassageUpdateSerializer(CleanModelSerializer):
    """Only the note changes: the words and offsets are the source's."""

    class Meta:
        model = Passage
        fields = ["note"]
