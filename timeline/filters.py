"""Event filters, declared once and shared by the HTML timeline and the API.

The vocabulary: ``after``, ``before`` and ``date`` (EDTF values such as
``1971``, ``2003-10`` or ``2003-10/2004-02``), ``actor``, ``organisation``,
``place``, ``period`` and ``source`` (slugs), ``type``, ``importance`` (the
least importance shown), ``q`` (full-text search) and ``ordering``.

Filters are strict: a parameter the filter set does not know, or a value it
cannot read, is an error naming the parameter. A request is never answered with
a silently unfiltered list.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, FloatField, OuterRef
from django.db.models.functions import Cast
from django_filters.fields import BaseCSVField

from timeline import dates, keyset
from timeline.models import (
    Actor,
    Event,
    EventType,
    Importance,
    Organisation,
    Period,
    Place,
    Source,
)


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order: the field (or annotation), its direction and the type of its values.

    Every order puts empty values last, in either direction, and ends with the
    primary key, so a row's keys name its place in the list exactly (what a
    keyset cursor carries).
    """

    field: str
    descending: bool = False
    kind: str = "date"  # "date", "int", "float" or "str": what a cursor may carry for it
    nullable: bool = False
    # What else gives the values their meaning (the search words, for a rank): part of the order a
    # cursor is made for, so a cursor of one search is refused by another.
    context: str = ""


# The fields the ordering parameter can name, by the type of their values.
ORDERING_KINDS = {"date_earliest": ("date", True), "title": ("str", False), "importance": ("int", False)}
PRIMARY_KEY = SortKey("pk", kind="int")


class EDTFFormField(forms.CharField):
    """A form field that reads an EDTF value and cleans it to its parsed form."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return dates.parse(value)


class EDTFFilter(filters.Filter):
    field_class = EDTFFormField


class NoEmptyItemsCSVField(BaseCSVField):
    """A comma-separated value in which every item is given: ``date,`` is an error, not ``date`` and nothing."""

    def clean(self, value):
        if value and any(item in self.empty_values for item in value):
            raise ValidationError("An item is empty; give the fields separated by commas, e.g. title,-date.")
        return super().clean(value)


class NullsLastOrderingFilter(filters.OrderingFilter):
    """Orders undated records last in either direction, on every database, with a stable tie-break.

    A field named twice counts once, where it is first named. Ties are broken by
    the primary key in the direction of the last field, so one index on
    ``(field, id)`` serves the order both ways (read backwards for ``-field``).
    """

    base_field_class = NoEmptyItemsCSVField

    def names(self, value) -> list[str]:
        """The fields to order by, each once, as ``name`` or ``-name``."""
        names, seen = [], set()
        for param in value:
            name = self.get_ordering_value(param)
            if name.lstrip("-") not in seen:
                seen.add(name.lstrip("-"))
                names.append(name)
        return names

    def filter(self, qs, value):
        if not value:
            return qs
        names = self.names(value)
        ordering = []
        for name in names:
            field = F(name.lstrip("-"))
            ordering.append(field.desc(nulls_last=True) if name.startswith("-") else field.asc(nulls_last=True))
        return qs.order_by(*ordering, "-pk" if names[-1].startswith("-") else "pk")


def _published_or_curated(model):
    def queryset(request):
        user = getattr(request, "user", None)
        return model.objects.visible_to(user)

    return queryset


class StrictFilterSet(filters.FilterSet):
    """A filter set that refuses parameters it does not know.

    ``allowed_extra`` names the parameters handled elsewhere (pagination,
    format negotiation).
    """

    allowed_extra: frozenset[str] = frozenset()

    def __init__(self, data=None, *args, allowed_extra=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.allowed_extra = frozenset(self.allowed_extra) | frozenset(allowed_extra)

    def unknown_parameters(self) -> list[str]:
        if self.data is None:
            return []
        known = set(self.filters) | self.allowed_extra
        return sorted(key for key in self.data if key not in known)

    def is_valid(self):
        valid = super().is_valid()
        unknown = self.unknown_parameters()
        for key in unknown:
            self.form.add_error(None, ValidationError(f"Unknown parameter “{key}”.", code="unknown_parameter"))
        repeated = [key for key in self.filters if self.data is not None and len(self.data.getlist(key)) > 1]
        for key in repeated:
            self.form.add_error(None, ValidationError(f"Give “{key}” once.", code="repeated_parameter"))
        return valid and not unknown and not repeated

    @property
    def error_messages(self) -> dict[str, list[str]]:
        """Errors by parameter name (``__all__`` for unknown or repeated parameters)."""
        return {key: [str(message) for message in messages] for key, messages in self.form.errors.items()}


class EventFilterSet(StrictFilterSet):
    after = EDTFFilter(
        method="filter_after",
        label="From",
        help_text="Events that end on or after the start of this EDTF date, e.g. 1971 or 2003-10.",
    )
    before = EDTFFilter(
        method="filter_before",
        label="Until",
        help_text="Events that start on or before the end of this EDTF date, e.g. 2004-02.",
    )
    date = EDTFFilter(
        method="filter_date",
        label="Date",
        help_text="Events overlapping this EDTF date or range, e.g. 1971 or 2003-10/2004-02.",
    )
    actor = filters.ModelChoiceFilter(
        queryset=_published_or_curated(Actor),
        to_field_name="slug",
        method="filter_actor",
        label="Person",
        help_text="Slug of a person who took part.",
    )
    organisation = filters.ModelChoiceFilter(
        queryset=_published_or_curated(Organisation),
        to_field_name="slug",
        method="filter_organisation",
        label="Organisation",
        help_text="Slug of an organisation that took part.",
    )
    place = filters.ModelChoiceFilter(
        queryset=Place.objects.all(), to_field_name="slug", label="Place", help_text="Slug of the place."
    )
    period = filters.ModelChoiceFilter(
        queryset=Period.objects.all(), to_field_name="slug", label="Period", help_text="Slug of the period."
    )
    source = filters.ModelChoiceFilter(
        queryset=Source.objects.all(),
        to_field_name="slug",
        method="filter_source",
        label="Source",
        help_text="Slug of a source: events supported by a passage of it.",
    )
    type = filters.ChoiceFilter(
        field_name="event_type", choices=EventType.choices, label="Type", help_text="Event type."
    )
    importance = filters.TypedChoiceFilter(
        choices=Importance.choices,
        coerce=int,
        method="filter_importance",
        label="Importance",
        help_text="Show events of at least this importance (1 minor, 2 notable, 3 major).",
    )
    q = filters.CharFilter(method="filter_q", label="Search", help_text="Full-text search.")
    ordering = NullsLastOrderingFilter(
        fields=(("date_earliest", "date"), ("title", "title"), ("importance", "importance")),
        help_text="date, -date, title, -title, importance or -importance; several separated by commas.",
    )

    class Meta:
        model = Event
        fields = ["place", "period", "type"]

    def filter_after(self, queryset, name, value):
        return queryset.between(lower=value.earliest)

    def filter_before(self, queryset, name, value):
        return queryset.between(upper=value.latest)

    def filter_date(self, queryset, name, value):
        return queryset.between(value.earliest, value.latest)

    def filter_actor(self, queryset, name, value):
        return queryset.involving(value)

    def filter_organisation(self, queryset, name, value):
        return queryset.involving(value)

    def filter_source(self, queryset, name, value):
        through = Event.passages.through
        return queryset.filter(Exists(through.objects.filter(event=OuterRef("pk"), passage__source=value)))

    def filter_importance(self, queryset, name, value):
        return queryset.at_least(value)

    def filter_q(self, queryset, name, value):
        queryset = queryset.search(value)
        if not self.data.get("ordering"):
            queryset = queryset.order_by(F("search_rank").desc(), F("date_earliest").asc(nulls_last=True), "pk")
        return queryset

    def sort_keys(self) -> list[SortKey]:
        """The order of ``self.qs``, as keys (call after ``is_valid()``).

        ``ordering`` when given; otherwise by relevance for a search; otherwise in
        time. Each ends with the primary key, as the querysets do.
        """
        data = self.form.cleaned_data
        if data.get("ordering"):
            keys = []
            for name in self.filters["ordering"].names(data["ordering"]):
                kind, nullable = ORDERING_KINDS[name.lstrip("-")]
                keys.append(SortKey(name.lstrip("-"), name.startswith("-"), kind, nullable))
            return [*keys, SortKey("pk", keys[-1].descending, "int")]  # as NullsLastOrderingFilter breaks ties
        if data.get("q"):
            # The rank as double precision (``search_key``, see ``with_sort_annotations``): PostgreSQL's
            # ts_rank is a real, whose printed value a cursor could not compare equal to it again.
            rank = SortKey("search_key", True, "float", context=data["q"])
            return [rank, SortKey("date_earliest", nullable=True), PRIMARY_KEY]
        return self.default_sort_keys()

    @staticmethod
    def with_sort_annotations(queryset, keys):
        """``queryset`` with the annotations ``keys`` name that filtering did not add."""
        if any(key.field == "search_key" for key in keys):
            queryset = queryset.annotate(search_key=Cast("search_rank", FloatField()))
        return queryset

    @classmethod
    def decode_cursor(cls, raw: str, keys) -> tuple[str, list]:
        """A ``cursor`` of this list in the order ``keys`` (``CursorError`` otherwise).

        In time, a cursor without a signature is taken too: links given out before cursors
        named their order keep working, since that order's meaning has not changed.
        """
        return keyset.decode_cursor(raw, keys, unsigned_ok=keys == cls.default_sort_keys())

    @staticmethod
    def default_sort_keys() -> list[SortKey]:
        """In time: by earliest date, then latest date, undated events last."""
        return [SortKey("date_earliest", nullable=True), SortKey("date_latest", nullable=True), PRIMARY_KEY]

    @property
    def active(self) -> dict[str, str]:
        """The filters in force, as given: for "remove filter" links and result summaries."""
        if not hasattr(self.form, "cleaned_data"):
            return {}
        return {key: self.data[key] for key in self.filters if self.data.get(key)}
