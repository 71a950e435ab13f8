"""Page-number pagination that never counts the whole table, and keyset cursors for the events.

A page is read with ``LIMIT page_size + 1 OFFSET (page - 1) * page_size``: the
extra row tells whether there is a next page, so no ``COUNT(*)`` runs on any
request, and the page numbers stay simple for people and scripts. Offsets walk
an index in list order; a keyset (cursor) pagination would do better still past
a few hundred thousand rows, at the cost of page numbers. Invalid ``page`` or
``page_size`` values are errors (HTTP 400), never silently clamped.

The events list pages with a keyset instead (:mod:`timeline.keyset`, shared
with the HTML timeline), in whatever order it is asked for: in time, by
``ordering``, or by relevance with ``q``. ``next`` and ``previous`` carry an
opaque ``cursor`` naming the last (or first) event shown, and the page is read
with ``WHERE (keys) > (cursor) ORDER BY keys LIMIT page_size + 1``; in time it
walks the ``(status, date_earliest, date_latest)`` index, so page 2,000 costs
what page 1 costs. ``page`` numbers still work there, by offset, for whoever
asks for one.
"""

from __future__ import annotations

from django.db.models import Subquery
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.exceptions import InvalidQuery
from timeline.filters import EventFilterSet
from timeline.keyset import CursorError, encode_cursor, keyset_page

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
    """Keyset cursors in the list's order, whatever it is; page numbers when ``page`` is given."""

    cursor_query_param = "cursor"
    query_params = (*PageNumberWithoutCount.query_params, cursor_query_param)
    invalid_cursor = "Invalid cursor; follow the “next” and “previous” links."

    @classmethod
    def cursor_for(cls, event) -> str:
        """The cursor of the page that starts after ``event`` in the default (chronological) order."""
        return encode_cursor("a", EventFilterSet.default_sort_keys(), event)

    def paginate_queryset(self, queryset, request, view=None):
        values = request.query_params.getlist(self.cursor_query_param)
        errors = {}
        if len(values) > 1:
            errors["cursor"] = ["Give “cursor” once."]
        elif values and request.query_params.get(self.page_query_param):
            errors["cursor"] = ["Give “cursor” or “page”, not both."]
        if errors:
            raise InvalidQuery(errors)
        self.mode = "page"
        if not values and request.query_params.get(self.page_query_param):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page_size = self._read(request, self.page_size_query_param, self.page_size, self.max_page_size, errors)
        if errors:
            raise InvalidQuery(errors)
        filterset = getattr(view, "filterset", None)
        self.keys = filterset.sort_keys() if filterset is not None else EventFilterSet.default_sort_keys()
        cursor = None
        if values:
            try:
                cursor = EventFilterSet.decode_cursor(values[0], self.keys)
            except CursorError:
                raise InvalidQuery({"cursor": [self.invalid_cursor]}) from None
        if filterset is not None:
            queryset = filterset.with_sort_annotations(queryset, self.keys)
        page = keyset_page(queryset, self.keys, cursor, size=self.page_size)
        self.mode = "cursor"
        self.page = None
        self.rows, self.has_next, self.has_previous = page.rows, page.has_next, page.has_previous
        return page.rows

    def get_next_link(self):
        if self.mode == "page":
            return super().get_next_link()
        if not self.has_next or not self.rows:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, encode_cursor("a", self.keys, self.rows[-1]))

    def get_previous_link(self):
        if self.mode == "page":
            return super().get_previous_link()
        if not self.has_previous:
            return None
        url = self.request.build_absolute_uri()
        if not self.rows:
            return remove_query_param(url, self.cursor_query_param)
        return replace_query_param(url, self.cursor_query_param, encode_cursor("b", self.keys, self.rows[0]))

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "An opaque position in the list, from the `next` and `previous` links, in any "
                "order (`ordering`, relevance with `q`, or in time): every page costs the same, however deep. "
                "Not with `page`.",
                "schema": {"type": "string"},
            },
        ]
