"""Page-number pagination that never counts the whole table, and keyset cursors for the events.

A page is read with ``LIMIT page_size + 1 OFFSET (page - 1) * page_size``: the
extra row tells whether there is a next page, so no ``COUNT(*)`` runs on any
request, and the page numbers stay simple for people and scripts. Offsets walk
an index in list order; a keyset (cursor) pagination would do better still past
a few hundred thousand rows, at the cost of page numbers and of arbitrary
``ordering``. Invalid ``page`` or ``page_size`` values are errors (HTTP 400),
never silently clamped.

The events list, in its default (chronological) order, pages with a keyset
instead: ``next`` and ``previous`` carry an opaque ``cursor`` naming the last
(or first) event shown, and the page is read with ``WHERE (date_earliest,
date_latest, id) > (...) ORDER BY ... LIMIT page_size + 1`` along the
``(status, date_earliest, date_latest)`` index, so page 2,000 costs what page 1
costs. ``page`` numbers still work there, and are the only way with ``q`` or
``ordering``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json

from django.db.models import F, Q, Subquery
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.exceptions import InvalidQuery

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


class PageNumberWithoutCount(BasePagination):
    page_query_param = "page"
    page_size_query_param = "page_size"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE
    max_page = MAX_PAGE

    query_params = (page_query_param, page_size_query_param)

    def _read(self, request, name: str, default: int, maximum: int, errors: dict) -> int:
        values = request.query_params.getlist(name)
        if not values:
            return default
        if len(values) > 1:
            errors[name] = [f"Give “{name}” once."]
            return default
        value = values[0].strip()
        # The length first: Python refuses to convert integers of more than 4,300 digits (a 500).
        readable = value.isascii() and value.isdigit() and len(value) <= len(str(maximum))
        if not readable or not 1 <= int(value) <= maximum:
            errors[name] = [f"“{name}” must be a whole number from 1 to {maximum}; got “{values[0]}”."]
            return default
        return int(value)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        errors: dict[str, list[str]] = {}
        self.page_size = self._read(request, self.page_size_query_param, self.page_size, self.max_page_size, errors)
        self.page = self._read(request, self.page_query_param, 1, self.max_page, errors)
        if errors:
            raise InvalidQuery(errors)
        offset = (self.page - 1) * self.page_size
        # The page is chosen on the keys alone, then its rows read whole: sorting (and skipping) tens of
        # thousands of narrow rows, not of whole records with their texts.
        keys = queryset.values("pk")[offset : offset + self.page_size + 1]
        rows = list(queryset.filter(pk__in=Subquery(keys)))
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.page + 1)

    def get_previous_link(self):
        if self.page <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.page == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.page - 1)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, if any."},
                "previous": {"type": ["string", "null"], "format": "uri", "description": "The previous page."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": f"Page number, from 1 (at most {self.max_page}). No total count is computed; "
                "follow `next` until it is null.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Records per page, 1 to {self.max_page_size} (default {DEFAULT_PAGE_SIZE}); "
                "other values are refused with HTTP 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class EventCursorPagination(PageNumberWithoutCount):
    """Page numbers, or a keyset cursor along the chronological order (undated events last)."""

    cursor_query_param = "cursor"
    query_params = (*PageNumberWithoutCount.query_params, cursor_query_param)

    @staticmethod
    def chronological(request) -> bool:
        return not (request.query_params.get("q") or request.query_params.get("ordering"))

    @staticmethod
    def encode(direction: str, event) -> str:
        earliest = event.date_earliest.isoformat() if event.date_earliest else None
        latest = event.date_latest.isoformat() if event.date_latest else None
        raw = json.dumps([direction, earliest, latest, event.pk], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def cursor_for(cls, event) -> str:
        """The cursor of the page that starts after ``event``."""
        return cls.encode("a", event)

    @staticmethod
    def decode(value: str):
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            direction, earliest, latest, pk = json.loads(raw)
            if direction not in ("a", "b") or type(pk) is not int or (earliest is None) != (latest is None):
                raise ValueError
            earliest = datetime.date.fromisoformat(earliest) if earliest is not None else None
            latest = datetime.date.fromisoformat(latest) if latest is not None else None
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise InvalidQuery({"cursor": ["Invalid cursor; follow the “next” and “previous” links."]}) from None
        return direction, earliest, latest, pk

    def paginate_queryset(self, queryset, request, view=None):
        values = request.query_params.getlist(self.cursor_query_param)
        self.mode = "page"
        if not values:
            if request.query_params.get(self.page_query_param) or not self.chronological(request):
                return super().paginate_queryset(queryset, request, view)
            cursor = None
        else:
            errors = {}
            if len(values) > 1:
                errors["cursor"] = ["Give “cursor” once."]
            elif request.query_params.get(self.page_query_param):
                errors["cursor"] = ["Give “cursor” or “page”, not both."]
            elif not self.chronological(request):
                errors["cursor"] = ["“cursor” follows the default order; with “q” or “ordering”, use “page”."]
            if errors:
                raise InvalidQuery(errors)
            cursor = self.decode(values[0])
        self.request = request
        errors = {}
        self.page_size = self._read(request, self.page_size_query_param, self.page_size, self.max_page_size, errors)
        if errors:
            raise InvalidQuery(errors)
        self.mode = "cursor"
        self.page = None
        want = self.page_size + 1
        if cursor is None or cursor[0] == "a":
            rows = self._after(queryset, cursor, want)
            self.has_next = len(rows) > self.page_size
            rows = rows[: self.page_size]
            self.has_previous = cursor is not None
        else:
            rows = self._before(queryset, cursor, want)
            self.has_previous = len(rows) > self.page_size
            rows = list(reversed(rows[: self.page_size]))
            self.has_next = True
        self.rows = rows
        return rows

    @staticmethod
    def _after(queryset, cursor, want):
        """Up to ``want`` rows after the cursor: dated ones along the index, then undated ones by pk."""
        if cursor is None:
            return list(queryset[:want])
        _, earliest, latest, pk = cursor
        undated = queryset.filter(date_earliest__isnull=True)
        if earliest is None:
            return list(undated.filter(pk__gt=pk)[:want])
        later = (
            Q(date_earliest__gt=earliest)
            | Q(date_earliest=earliest, date_latest__gt=latest)
            | Q(date_earliest=earliest, date_latest=latest, pk__gt=pk)
        )
        rows = list(queryset.filter(later, date_earliest__gte=earliest)[:want])
        if len(rows) < want:
            rows += list(undated[: want - len(rows)])
        return rows

    @staticmethod
    def _before(queryset, cursor, want):
        """Up to ``want`` rows before the cursor, nearest first."""
        _, earliest, latest, pk = cursor
        backwards = queryset.order_by(
            F("date_earliest").desc(nulls_first=True), F("date_latest").desc(nulls_first=True), "-pk"
        )
        dated = backwards.filter(date_earliest__isnull=False)
        if earliest is None:
            rows = list(backwards.filter(date_earliest__isnull=True, pk__lt=pk)[:want])
            if len(rows) < want:
                rows += list(dated[: want - len(rows)])
            return rows
        earlier = (
            Q(date_earliest__lt=earliest)
            | Q(date_earliest=earliest, date_latest__lt=latest)
            | Q(date_earliest=earliest, date_latest=latest, pk__lt=pk)
        )
        return list(dated.filter(earlier, date_earliest__lte=earliest)[:want])

    def get_next_link(self):
        if self.mode == "page":
            return super().get_next_link()
        if not self.has_next or not self.rows:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, self.encode("a", self.rows[-1]))

    def get_previous_link(self):
        if self.mode == "page":
            return super().get_previous_link()
        if not self.has_previous:
            return None
        url = self.request.build_absolute_uri()
        if not self.rows:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, self.encode("b", self.rows[0]))

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "An opaque position in the default (chronological) order, from the `next` and "
                "`previous` links: every page costs the same, however deep. Not with `page`, `q` or `ordering`.",
                "schema": {"type": "string"},
            },
        ]
