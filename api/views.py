"""The API's viewsets: reads through the domain's querysets, writes through serializers and services.

Every viewset reads with ``visible_to(request.user)`` where the model has
drafts, loads linked records with ``select_related``/``prefetch_related`` (a
fixed number of queries per page), refuses query parameters it does not know,
and answers conditional GETs with 304.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api import exports, serializers
from api import filters as api_filters
from api.conditional import NotModified, PreconditionFailed, check_if_match, require_if_match, validators
from api.exceptions import ExportTooLarge, InvalidQuery
from api.pagination import EventCursorPagination, PageNumberWithoutCount
from api.schema_shapes import GeoJSONSerializer, JSONLDSerializer, TimelineJSSerializer
from timeline.models import (
    Actor,
    Event,
    Membership,
    Organisation,
    Participation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
    counted_per,
)
from timeline.rows import attach as attach_rows

#: What a passage's summary shows; above all not its source's text (tens of kilobytes per passage).
PASSAGE_SUMMARY_FIELDS = ("slug", "source", "start", "end", "text", "source__slug")


def passages_with_source(lookup: str = "passages") -> Prefetch:
    passages = Passage.objects.select_related("source").only(*PASSAGE_SUMMARY_FIELDS)
    return Prefetch(lookup, queryset=passages.order_by("source_id", "start", "end"))


def summary_fields(relation: str, *extra: str) -> tuple[str, ...]:
    """The fields of a linked record's summary (``SummarySerializer``), for ``only()``."""
    return (relation, f"{relation}__slug", f"{relation}__name", *(f"{relation}__{name}" for name in extra))


#: An event's own fields, all but the search vector (the list never shows it).
EVENT_FIELDS = tuple(
    field.name for field in Event._meta.concrete_fields if field.name not in ("search_vector", "place", "period")
)


WRITE_ACTIONS = {"create", "update", "partial_update"}
CSV_RESPONSE = {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="UTF-8 CSV, one row per record.")}


class TimelineViewSet(viewsets.ModelViewSet):
    """List, detail, create, update and delete a resource, looked up by slug."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    model = None
    write_serializer_class = None
    #: Actions that read a filtered list (and so accept the filter parameters).
    list_actions = frozenset({"list", "csv"})

    # Reading ------------------------------------------------------------------

    def related(self, queryset):
        """Linked records the serializer shows, in a fixed number of queries."""
        return queryset

    def get_queryset(self):
        queryset = self.model.objects.all()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(self.request.user)
        return self.related(queryset)

    def get_object(self):
        # Filters apply to lists only: a detail URL names one record.
        obj = get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_class(self):
        if self.action in WRITE_ACTIONS:
            return self.write_serializer_class
        return self.serializer_class

    def allowed_query_parameters(self) -> set[str]:
        allowed = {"format"}
        if self.action == "list":
            allowed |= set(getattr(self.pagination_class, "query_params", PageNumberWithoutCount.query_params))
        return allowed

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except (exceptions.NotFound, Http404) as exc:
            value = request.query_params.get("format")
            raise InvalidQuery({"format": [f"“{value}” is not a format this endpoint offers."]}) from exc

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action not in self.list_actions:
            unknown = sorted(set(request.query_params) - self.allowed_query_parameters())
            if unknown:
                raise InvalidQuery({key: [f"Unknown parameter “{key}”."] for key in unknown})
        if request.method in ("GET", "HEAD") and self.action is not None:
            self.check_conditions(request)

    # Conditional requests ---------------------------------------------------------

    def check_conditions(self, request):
        self.etag, self.last_modified = validators(request, request.accepted_media_type or "")
        # HTTP dates have whole seconds.
        timestamp = int(self.last_modified.timestamp()) if self.last_modified else None
        response = get_conditional_response(request._request, etag=self.etag, last_modified=timestamp)
        if response is not None:
            if response.status_code == status.HTTP_304_NOT_MODIFIED:
                raise NotModified()
            raise PreconditionFailed()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "etag", None) and response.status_code in (200, 304):
            response["ETag"] = self.etag
            if self.last_modified:
                response["Last-Modified"] = http_date(self.last_modified.timestamp())
        return response

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # Errors from an export endpoint are JSON, whatever the export's format.
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is None or isinstance(renderer, exports.EXPORT_RENDERERS):
            self.request.accepted_renderer = renderers.JSONRenderer()
            self.request.accepted_media_type = "application/json"
        return response

    # Writing ------------------------------------------------------------------------

    def read_representation(self, instance) -> dict:
        fresh = self.related(type(instance).objects.filter(pk=instance.pk)).get()
        return self.serializer_class(fresh, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = serializer.save()
        data = self.read_representation(instance)
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        if_match = require_if_match(request)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            check_if_match(request, instance, if_match)
            instance = serializer.save()
        data = self.read_representation(instance)
        # The new ETag, for the next write without another GET.
        self.etag, self.last_modified = validators(request, request.accepted_media_type or "")
        return Response(data)

    @transaction.atomic
    def perform_destroy(self, instance):
        instance.delete()

    # Exports --------------------------------------------------------------------------

    def export_records(self, queryset=None) -> list:
        """The filtered records of an export, at most ``settings.API_MAX_EXPORT``; more is HTTP 400.

        The keys alone say whether there is a record past the limit (any one: no sort), and the count
        for the message is made only then; an export within it is read as usual.
        """
        if queryset is None:
            queryset = self.filter_queryset(self.get_queryset())
        limit = settings.API_MAX_EXPORT
        if queryset.order_by().values_list("pk", flat=True)[limit : limit + 1]:
            raise ExportTooLarge(
                matched=queryset.count(),
                limit=limit,
                noun=str(self.model._meta.verbose_name_plural),
                list_url=self.request.build_absolute_uri(reverse(f"api:{self.basename}-list")),
                dated="after" in self.filterset_class.base_filters,
            )
        return list(queryset)

    def export_rows(self):
        records = self.export_records()
        data = self.serializer_class(records, many=True, context=self.get_serializer_context()).data
        return exports.csv_rows(self.serializer_class, data)

    @extend_schema(responses=CSV_RESPONSE, filters=True)
    @action(detail=False, url_path="csv", renderer_classes=[exports.CSVRenderer], pagination_class=None)
    def csv(self, request, *args, **kwargs):
        """The filtered list as CSV (UTF-8, one row per record, stable columns), unpaginated."""
        filename = f"{self.model._meta.verbose_name_plural}.csv".replace(" ", "-")
        return Response(self.export_rows(), headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    def site_url(self, obj) -> str:
        return serializers.site_url(self.request, obj)

    def api_url(self, basename: str, slug: str) -> str:
        return serializers.api_url(self.request, basename, slug)

    def visible(self, obj) -> bool:
        return serializers.visible(obj, self.request)


class JSONLDMixin:
    """``jsonld/`` on the list and on each record: schema.org types with an inline context."""

    def jsonld_node(self, obj) -> dict:
        raise NotImplementedError

    @extend_schema(responses={(200, "application/ld+json"): JSONLDSerializer}, filters=True)
    @action(
        detail=False,
        url_path="jsonld",
        url_name="jsonld-list",
        renderer_classes=[exports.JSONLDRenderer],
        pagination_class=None,
    )
    def jsonld_list(self, request, *args, **kwargs):
        """The filtered list as JSON-LD (schema.org), one node per record in ``@graph``."""
        return Response(exports.jsonld_document([self.jsonld_node(obj) for obj in self.export_records()]))

    @extend_schema(responses={(200, "application/ld+json"): JSONLDSerializer})
    @action(detail=True, url_path="jsonld", url_name="jsonld", renderer_classes=[exports.JSONLDRenderer])
    def jsonld(self, request, *args, **kwargs):
        """One record as JSON-LD (schema.org)."""
        return Response(exports.jsonld_single(self.jsonld_node(self.get_object())))


WRITES_DOC = {
    "create": extend_schema(description="Create a record (curators with the add permission)."),
    "update": extend_schema(description="Replace a record (curators with the change permission)."),
    "partial_update": extend_schema(description="Change some fields (curators with the change permission)."),
    "destroy": extend_schema(description="Delete a record (curators with the delete permission)."),
}


def documented(read, write, **extra):
    """The schema of a resource's operations: reads in ``read``, writes take ``write`` and answer ``read``."""
    docs = {
        "list": extend_schema(description="The list, filtered and paginated."),
        "retrieve": extend_schema(description="One record, by slug."),
        "create": extend_schema(request=write, responses={201: read}),
        "update": extend_schema(request=write, responses={200: read}),
        "partial_update": extend_schema(request=write, responses={200: read}),
        "destroy": extend_schema(responses={204: None}),
    }
    docs.update(extra)
    return extend_schema_view(**docs)


@documented(serializers.EventSerializer, serializers.EventWriteSerializer)
class EventViewSet(JSONLDMixin, TimelineViewSet):
    """Events: what happened when, who took part, where, and the passages that say so."""

    model = Event
    serializer_class = serializers.EventSerializer
    write_serializer_class = serializers.EventWriteSerializer
    filterset_class = api_filters.EventFilterSet
    pagination_class = EventCursorPagination
    list_actions = frozenset({"list", "csv", "jsonld_list", "timelinejs", "ics"})

    #: Exports that show nothing of the linked records but the place.
    place_only_actions = frozenset({"timelinejs", "ics"})

    def related(self, queryset):
        """What each action shows, and no more: summaries of linked records, never their long texts."""
        if self.action in ("jsonld", "jsonld_list"):
            # The place's node names the place that contains it.
            return queryset.with_related().select_related("place__within").defer("search_vector")
        if self.action in self.place_only_actions:
            return queryset.select_related("place").only(*EVENT_FIELDS, *summary_fields("place"))
        participations = Participation.objects.select_related("actor", "organisation").only(
            "event",
            "role",
            "role_as_written",
            *summary_fields("actor", "status"),
            *summary_fields("organisation", "status"),
        )
        queryset = queryset.select_related("place", "period").only(
            *EVENT_FIELDS, *summary_fields("place"), *summary_fields("period")
        )
        if self.action == "list":
            return queryset  # the page's participants and passages are read as plain rows (paginate_queryset)
        return queryset.prefetch_related(
            Prefetch("participations", queryset=participations.order_by("pk")), passages_with_source()
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            attach_rows(page)
        return page

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.chronological() if self.action in self.list_actions else queryset

    def jsonld_node(self, obj):
        return exports.event_jsonld(obj, site_url=self.site_url, visible=self.visible)

    def dated_export_records(self) -> list:
        """The filtered events an export in time can show (the dated ones), counted against the limit."""
        return self.export_records(self.filter_queryset(self.get_queryset()).filter(date_earliest__isnull=False))

    @extend_schema(responses={200: TimelineJSSerializer}, filters=True)
    @action(detail=False, url_path="timelinejs", renderer_classes=[renderers.JSONRenderer], pagination_class=None)
    def timelinejs(self, request, *args, **kwargs):
        """The filtered events as a TimelineJS3 document (opens in Knight Lab's TimelineJS as it is).

        Dated events only, at their real precision; periods become eras.
        """
        events = self.dated_export_records()
        periods = Period.objects.chronological()
        return Response(
            exports.timelinejs_document(
                events,
                periods,
                request=request,
                site_url=self.site_url,
                title_text=f"{len(events)} events from the documents, each linked to the passage that states it.",
            )
        )

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="iCalendar (RFC 5545).")},
        filters=True,
    )
    @action(detail=False, url_path="ics", renderer_classes=[exports.ICalendarRenderer], pagination_class=None)
    def ics(self, request, *args, **kwargs):
        """The filtered events dated to the day (or a range of days) as an iCalendar file."""
        events = self.dated_export_records()
        body = exports.icalendar_document(events, host=request.get_host().split(":")[0], site_url=self.site_url)
        return Response(body, headers={"Content-Disposition": 'attachment; filename="events.ics"'})


@documented(serializers.ActorSerializer, serializers.ActorWriteSerializer)
class ActorViewSet(JSONLDMixin, TimelineViewSet):
    """People named in the documents."""

    model = Actor
    serializer_class = serializers.ActorSerializer
    write_serializer_class = serializers.ActorWriteSerializer
    filterset_class = api_filters.ActorFilterSet
    list_actions = frozenset({"list", "csv", "jsonld_list"})

    def related(self, queryset):
        return queryset.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("organisation")),
            passages_with_source(),
        )

    def jsonld_node(self, obj):
        return exports.actor_jsonld(obj, site_url=self.site_url, visible=self.visible)


@documented(serializers.OrganisationSerializer, serializers.OrganisationWriteSerializer)
class OrganisationViewSet(JSONLDMixin, TimelineViewSet):
    """Unions, parties, state bodies and the other organisations in the documents."""

    model = Organisation
    serializer_class = serializers.OrganisationSerializer
    write_serializer_class = serializers.OrganisationWriteSerializer
    filterset_class = api_filters.OrganisationFilterSet
    list_actions = frozenset({"list", "csv", "jsonld_list"})

    def related(self, queryset):
        return queryset.select_related("country", "parent").prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("actor")),
            passages_with_source(),
        )

    def jsonld_node(self, obj):
        return exports.organisation_jsonld(obj, site_url=self.site_url, visible=self.visible)


@documented(serializers.PlaceSerializer, serializers.PlaceWriteSerializer)
class PlaceViewSet(JSONLDMixin, TimelineViewSet):
    """Places, with coordinates where the curator added them."""

    model = Place
    serializer_class = serializers.PlaceSerializer
    write_serializer_class = serializers.PlaceWriteSerializer
    filterset_class = api_filters.PlaceFilterSet
    list_actions = frozenset({"list", "csv", "jsonld_list", "geojson"})

    def related(self, queryset):
        return queryset.select_related("within").prefetch_related(passages_with_source())

    def jsonld_node(self, obj):
        return exports.place_jsonld(obj, site_url=self.site_url)

    @extend_schema(responses={(200, "application/geo+json"): GeoJSONSerializer}, filters=True)
    @action(detail=False, url_path="geojson", renderer_classes=[exports.GeoJSONRenderer], pagination_class=None)
    def geojson(self, request, *args, **kwargs):
        """Places with coordinates as a GeoJSON FeatureCollection, with the first events at each and their count."""
        events = Event.objects.visible_to(request.user)
        first_events = events.chronological().only("slug", "title", "date_display", "place")
        places = (
            self.filter_queryset(self.get_queryset())
            .filter(latitude__isnull=False, longitude__isnull=False)
            .annotate(event_count=counted_per(events, "place"))
            .prefetch_related(
                Prefetch("events", queryset=first_events[: exports.GEOJSON_EVENTS], to_attr="visible_events")
            )
        )
        places = self.export_records(places)
        events_url = request.build_absolute_uri(reverse("api:event-list"))
        return Response(
            exports.geojson_document(places, api_url=self.api_url, site_url=self.site_url, events_url=events_url)
        )


@documented(serializers.PeriodSerializer, serializers.PeriodWriteSerializer)
class PeriodViewSet(TimelineViewSet):
    """Named eras with a date range."""

    model = Period
    serializer_class = serializers.PeriodSerializer
    write_serializer_class = serializers.PeriodWriteSerializer
    filterset_class = api_filters.PeriodFilterSet

    def related(self, queryset):
        return queryset.prefetch_related(passages_with_source())


@documented(serializers.SourceSerializer, serializers.SourceWriteSerializer)
class SourceViewSet(TimelineViewSet):
    """The documents: the article we hold and those it cites."""

    model = Source
    serializer_class = serializers.SourceSerializer
    write_serializer_class = serializers.SourceWriteSerializer
    filterset_class = api_filters.SourceFilterSet

    def related(self, queryset):
        return queryset.select_related("outlet", "cited_in").prefetch_related(passages_with_source())


@documented(
    serializers.PassageSerializer,
    serializers.PassageUpdateSerializer,
    create=extend_schema(
        request=serializers.PassageCreateSerializer,
        responses={201: serializers.PassageSerializer},
        description="Find the words in the source and store the passage (its offsets are computed, never sent); "
        "an existing passage with the same span is returned as it is.",
    ),
)
class PassageViewSet(TimelineViewSet):
    """Exact spans of a source's text: the evidence every other record cites.

    Listed by source, in the order the sources were added, then in document order.
    """

    model = Passage
    serializer_class = serializers.PassageSerializer
    write_serializer_class = serializers.PassageUpdateSerializer
    filterset_class = api_filters.PassageFilterSet

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.PassageCreateSerializer
        return super().get_serializer_class()

    def related(self, queryset):
        # In document order: by source (as the sources were added), then by position, along the index of
        # the unique (source, start, end) span. Ordering by the sources' titles sorted every passage.
        return (
            queryset.select_related("source")
            .defer("source__text", "source__notes")
            .order_by("source_id", "start", "end")
        )


@documented(serializers.QuoteSerializer, serializers.QuoteWriteSerializer)
class QuoteViewSet(TimelineViewSet):
    """Words a document attributes to someone, verbatim."""

    model = Quote
    serializer_class = serializers.QuoteSerializer
    write_serializer_class = serializers.QuoteWriteSerializer
    filterset_class = api_filters.QuoteFilterSet

    def related(self, queryset):
        return queryset.with_related().prefetch_related(passages_with_source("attribution_passages"))
