"""Page-number pagination that never counts the whole table.

A page is read with ``LIMIT page_size + 1 OFFSET (page - 1) * page_size``: the
extra row tells whether there is a next page, so no ``COUNT(*)`` runs on any
request, and the page numbers stay simple for people and scripts. Offsets walk
an index in list order; a keyset (cursor) pagination would do better still past
a few hundred thousand rows, at the cost of page numbers and of arbitrary
``ordering``. Invalid ``page`` or ``page_size`` values are errors (HTTP 400),
never silently clamped.
"""

from __future__ import annotations

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
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= maximum:
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
        rows = list(queryset[offset : offset + self.page_size + 1])
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
