"""The OpenAPI schema and its documentation, served by the project."""

from http import HTTPStatus

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_generates_valid_without_warnings(tmp_path):
    # --validate checks it against the OpenAPI specification; --fail-on-warn makes every warning an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.1.0")


def test_schema_is_served(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == HTTPStatus.OK
    schema = response.json()
    assert schema["info"]["title"] == "Bolivia timeline API"
    parameters = {p["name"] for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    assert parameters == {
        "after",
        "before",
        "date",
        "actor",
        "organisation",
        "place",
        "period",
        "source",
        "type",
        "importance",
        "q",
        "ordering",
        "page",
        "page_size",
        "cursor",
    }
    described = schema["paths"]["/api/v1/events/"]["get"]["parameters"]
    assert all(p.get("description") and p.get("schema") for p in described)


def test_documentation_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html.replace("https://schema", "")


def test_browsable_api_is_available():
    response = APIClient().get("/api/v1/events/", HTTP_ACCEPT="text/html")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_exports_document_their_limit_and_lists_do_not(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    limit = " Or filters that match more records than one export holds: 5,000 (`DJANGO_API_MAX_EXPORT`)."
    plain = "Unknown query parameter, invalid value (named in `errors`), or invalid body."

    exports = ["/api/v1/events/csv/", "/api/v1/events/ics/", "/api/v1/events/timelinejs/", "/api/v1/places/geojson/"]
    assert {path: paths[path]["get"]["responses"]["400"]["description"] for path in exports} == dict.fromkeys(
        exports, plain + limit
    )
    assert paths["/api/v1/events/"]["get"]["responses"]["400"]["description"] == plain
    features = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert {"event_count", "events_url"} <= set(features["GeoJSONProperties"]["properties"])
