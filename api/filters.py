"""Strict filters for every list: unknown parameters and unreadable values are HTTP 400.

Events use the shared :class:`timeline.filters.EventFilterSet` unchanged; the
other resources' filter sets are built here on the same
:class:`~timeline.filters.StrictFilterSet` and speak the same vocabulary:
``after``/``before`` (EDTF), slugs for linked records, ``q`` where the model is
searchable, ``ordering``.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Exists, OuterRef
from django_filters.rest_framework import DjangoFilterBackend

from api.exceptions import InvalidQuery
from timeline.filters import EDTFFilter, EventFilterSet, NullsLastOrderingFilter, StrictFilterSet
from timeline.models import (
    Actor,
    Event,
    Membership,
    Organisation,
    OrganisationKind,
    Participation,
    Passage,
    Period,
    Place,
    PlaceKind,
    Quote,
    Source,
    SourceKind,
)

__all__ = [
    "ActorFilterSet",
    "EventFilterSet",
    "OrganisationFilterSet",
    "PassageFilterSet",
    "PeriodFilterSet",
    "PlaceFilterSet",
    "QuoteFilterSet",
    "SourceFilterSet",
    "StrictFilterBackend",
]


def _visible(model):
    def queryset(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return queryset


def query_errors(filterset: StrictFilterSet) -> dict[str, list[str]]:
    """The filter set's errors keyed by the parameter at fault (never ``__all__``)."""
    errors = {key: list(messages) for key, messages in filterset.error_messages.items() if key != "__all__"}
    for key in filterset.unknown_parameters():
        errors[key] = [f"Unknown parameter “{key}”."]
    for key in filterset.filters:
        if len(filterset.data.getlist(key)) > 1:
            errors[key] = [f"Give “{key}” once."]
    return errors


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, made strict: an invalid filter set is HTTP 400, never an unfiltered list.

    The view says which other parameters it reads (pagination, ``format``)
    through ``allowed_query_parameters()``.
    """

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["allowed_extra"] = view.allowed_query_parameters()
        return kwargs

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise InvalidQuery(query_errors(filterset))
        view.filterset = filterset  # its order, for the keyset pagination
        return filterset.qs


class DatedFilterMixin(filters.FilterSet):
    after = EDTFFilter(
        method="filter_after", help_text="Records that end on or after the start of this EDTF date, e.g. 1971."
    )
    before = EDTFFilter(
        method="filter_before", help_text="Records that start on or before the end of this EDTF date, e.g. 2003-10."
    )

    def filter_after(self, queryset, name, value):
        return queryset.between(lower=value.earliest)

    def filter_before(self, queryset, name, value):
        return queryset.between(upper=value.latest)


class SearchFilterMixin(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q", help_text="Full-text search (PostgreSQL's, ranked; every word on other databases)."
    )

    def filter_q(self, queryset, name, value):
        queryset = queryset.search(value)
        if not self.data.get("ordering"):
            queryset = queryset.order_by("-search_rank", *queryset.model._meta.ordering, "pk")
        return queryset


class ActorFilterSet(SearchFilterMixin, StrictFilterSet):
    organisation = filters.ModelChoiceFilter(
        queryset=_visible(Organisation),
        to_field_name="slug",
        method="filter_organisation",
        help_text="Slug of an organisation: its members.",
    )
    event = filters.ModelChoiceFilter(
        queryset=_visible(Event), to_field_name="slug", method="filter_event", help_text="Slug of an event: its people."
    )
    ordering = NullsLastOrderingFilter(fields=(("name", "name"),), help_text="name or -name.")

    class Meta:
        model = Actor
        fields = []

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Exists(Membership.objects.filter(actor=OuterRef("pk"), organisation=value)))

    def filter_event(self, queryset, name, value):
        return queryset.filter(Exists(Participation.objects.filter(actor=OuterRef("pk"), event=value)))


class OrganisationFilterSet(SearchFilterMixin, StrictFilterSet):
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices, help_text="Kind of organisation.")
    actor = filters.ModelChoiceFilter(
        queryset=_visible(Actor),
        to_field_name="slug",
        method="filter_actor",
        help_text="Slug of a person: the organisations they belong to.",
    )
    event = filters.ModelChoiceFilter(
        queryset=_visible(Event),
        to_field_name="slug",
        method="filter_event",
        help_text="Slug of an event: the organisations that took part.",
    )
    ordering = NullsLastOrderingFilter(fields=(("name", "name"),), help_text="name or -name.")

    class Meta:
        model = Organisation
        fields = ["kind"]

    def filter_actor(self, queryset, name, value):
        return queryset.filter(Exists(Membership.objects.filter(organisation=OuterRef("pk"), actor=value)))

    def filter_event(self, queryset, name, value):
        return queryset.filter(Exists(Participation.objects.filter(organisation=OuterRef("pk"), event=value)))


class PlaceFilterSet(StrictFilterSet):
    kind = filters.ChoiceFilter(choices=PlaceKind.choices, help_text="Kind of place.")
    within = filters.ModelChoiceFilter(
        queryset=Place.objects.all(), to_field_name="slug", help_text="Slug of the place that contains it."
    )
    ordering = NullsLastOrderingFilter(fields=(("name", "name"),), help_text="name or -name.")

    class Meta:
        model = Place
        fields = ["kind", "within"]


class PeriodFilterSet(DatedFilterMixin, StrictFilterSet):
    ordering = NullsLastOrderingFilter(
        fields=(("date_earliest", "date"), ("name", "name")), help_text="date, -date, name or -name."
    )

    class Meta:
        model = Period
        fields = []


class SourceFilterSet(DatedFilterMixin, StrictFilterSet):
    kind = filters.ChoiceFilter(choices=SourceKind.choices, help_text="Kind of source.")
    cited_in = filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="slug", help_text="Slug of the document that cites it."
    )
    ordering = NullsLastOrderingFilter(
        fields=(("title", "title"), ("date_earliest", "date")), help_text="title, -title, date or -date."
    )

    class Meta:
        model = Source
        fields = ["kind", "cited_in"]


class PassageFilterSet(StrictFilterSet):
    source = filters.ModelChoiceFilter(
        queryset=Source.objects.all(), to_field_name="slug", help_text="Slug of the source that holds it."
    )

    class Meta:
        model = Passage
        fields = ["source"]


class QuoteFilterSet(DatedFilterMixin, SearchFilterMixin, StrictFilterSet):
    actor = filters.ModelChoiceFilter(
        queryset=_visible(Actor), field_name="speaker_actor", to_field_name="slug", help_text="Slug of the speaker."
    )
    organisation = filters.ModelChoiceFilter(
        queryset=_visible(Organisation),
        field_name="speaker_organisation",
        to_field_name="slug",
        help_text="Slug of the speaking organisation.",
    )
    event = filters.ModelChoiceFilter(queryset=_visible(Event), to_field_name="slug", help_text="Slug of the occasion.")
    source = filters.ModelChoiceFilter(
        queryset=Source.objects.all(),
        field_name="passage__source",
        to_field_name="slug",
        help_text="Slug of a source: quotations found in its text.",
    )
    ordering = NullsLastOrderingFilter(fields=(("date_earliest", "date"),), help_text="date or -date.")

    class Meta:
        model = Quote
        fields = ["actor", "organisation", "event", "source"]
