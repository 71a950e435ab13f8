"""The OpenAPI schema: drf-spectacular's, with every error response the API can give documented."""

from __future__ import annotations

import django_filters as filters
from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from timeline.filters import EDTFFilter


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        required=False,
        child=serializers.JSONField(),
        help_text="Messages by query parameter (reads) or body field (writes); the date object's fields nest "
        "under ``date``.",
    )


ERRORS = {
    "400": "Unknown query parameter, invalid value (named in `errors`), or invalid body.",
    "401": "Not authenticated: writes need session or token authentication.",
    "403": "Authenticated, but without the Django model permission for this write.",
    "404": "No such record (or a draft the client may not see).",
    "409": "Other records depend on this one.",
    "412": "A precondition in the request headers failed.",
    "428": "A PUT or PATCH without If-Match: send the ETag of your last GET of the record.",
    "429": "Too many requests from an anonymous client; see Retry-After.",
}

#: The actions that answer a whole filtered list at once, up to ``settings.API_MAX_EXPORT`` records.
EXPORT_ACTIONS = frozenset({"csv", "jsonld_list", "timelinejs", "ics", "geojson"})

IF_MATCH = (
    "The ETag of your last GET of this record. A write is refused with 412 when the record (or anything "
    "its representation shows) changed since, so that two curators never silently overwrite each other."
)


class AutoSchema(openapi.AutoSchema):
    def error_codes(self) -> list[str]:
        method = self.method.upper()
        codes = ["400", "429"]
        if self._is_list_view() is False or "slug" in self.path:
            codes.append("404")
        if method in ("GET", "HEAD"):
            codes.append("412")
        else:
            codes += ["401", "403"]
        if method == "DELETE":
            codes.append("409")
        if method in ("PUT", "PATCH"):
            codes += ["412", "428"]
        return codes

    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        if direction != "response":
            return bodies
        if self.method.upper() == "GET":
            bodies.setdefault("304", {"description": "Not modified since the ETag or date the client holds."})
        for code in self.error_codes():
            if code not in bodies:
                body = self._get_response_for_code(ErrorSerializer, code, media_types=["application/json"])
                body["description"] = ERRORS[code]
                if code == "400" and getattr(self.view, "action", None) in EXPORT_ACTIONS:
                    body["description"] += (
                        " Or filters that match more records than one export holds: "
                        f"{settings.API_MAX_EXPORT:,} (`DJANGO_API_MAX_EXPORT`)."
                    )
                bodies[code] = body
        return bodies

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if "{slug}" in self.path:
            parameters.append(
                OpenApiParameter(
                    "slug", str, OpenApiParameter.PATH, pattern=SLUG_PATTERN, description="The record's slug."
                )
            )
        if self.method.upper() in ("PUT", "PATCH"):
            parameters.append(
                OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True, description=IF_MATCH)
            )
        return parameters

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "jsonld_list":
            operation_id = operation_id.replace("_retrieve", "_list")
        return operation_id


SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class StrictFilterExtension(DjangoFilterExtension):
    """Types for the shared vocabulary: EDTF values and slugs of linked records are strings."""

    target_class = "api.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, EDTFFilter):
            schema = {"type": "string", "minLength": 1, "examples": ["1971", "2003-10", "2003-10/2004-02"]}
        elif isinstance(filter_field, filters.ModelChoiceFilter) and filter_field.extra.get("to_field_name") == "slug":
            schema = {"type": "string", "pattern": SLUG_PATTERN}
        else:
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        return [
            build_parameter_type(
                name=field_name,
                required=False,
                location=OpenApiParameter.QUERY,
                description=self._get_field_description(filter_field, None),
                schema=schema,
            )
        ]


class JSONLDExtension(OpenApiSerializerExtension):
    """JSON-LD keys start with ``@``, which no serializer field can be called."""

    target_class = "api.schema_shapes.JSONLDSerializer"

    def map_serializer(self, auto_schema, direction):
        node = {
            "type": "object",
            "required": ["@type", "@id"],
            "properties": {
                "@type": {"type": "string", "pattern": "^(Event|Person|Organization|Place)$"},
                "@id": {"type": "string", "format": "uri", "description": "The record's page on the site."},
            },
            "additionalProperties": True,
        }
        return {
            "type": "object",
            "description": "JSON-LD with an inline schema.org context: one node, or a list in `@graph`.",
            "required": ["@context"],
            "properties": {
                "@context": {
                    "type": "object",
                    "properties": {"@vocab": {"type": "string", "const": "https://schema.org/"}},
                    "required": ["@vocab"],
                },
                "@graph": {"type": "array", "items": node},
                **node["properties"],
            },
            "additionalProperties": True,
        }
