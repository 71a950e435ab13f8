"""Shared fixtures for the API tests: a client whose every response is checked against the OpenAPI schema."""

import json
import re
from functools import cache

import pytest
from django.core.cache import cache as django_cache
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from tests.factories import UserFactory


@cache
def openapi() -> dict:
    """The schema the API serves at /api/schema/, as plain JSON."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@cache
def _templates() -> list[tuple[re.Pattern, str]]:
    templates = []
    for template in openapi()["paths"]:
        pattern = re.escape(template).replace(r"\{slug\}", "[^/]+")
        templates.append((re.compile(f"^{pattern}$"), template))
    # Literal segments win over {slug}: /events/csv/ is not /events/{slug}/.
    return sorted(templates, key=lambda item: item[1].count("{"))


def response_schema(method: str, path: str, status: int, content_type: str) -> dict | None:
    """The schema documented for this response; fails the test when the response is undocumented."""
    template = next((t for pattern, t in _templates() if pattern.match(path)), None)
    assert template is not None, f"{path} is not in the schema"
    operation = openapi()["paths"][template][method.lower()]
    assert str(status) in operation["responses"], f"{method} {template} does not document HTTP {status}"
    documented = operation["responses"][str(status)]
    if "content" not in documented:
        return None
    media_type = content_type.split(";")[0].strip()
    assert media_type in documented["content"], f"{method} {template} {status} does not document {media_type}"
    return documented["content"][media_type].get("schema", {})


def validate_response(method: str, path: str, response) -> None:
    schema = response_schema(method, path, response.status_code, response.get("Content-Type", ""))
    if schema is None:
        assert not response.content
        return
    media_type = response["Content-Type"].split(";")[0]
    body = json.loads(response.content) if media_type.endswith("json") else response.content.decode()
    validator = Draft202012Validator({**schema, "components": openapi()["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, f"{method} {path} breaks its schema: {errors[0]}"


class SchemaCheckedClient(APIClient):
    """DRF's test client; each response from /api/v1/ is validated against the OpenAPI schema."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        method, path = kwargs["REQUEST_METHOD"], kwargs["PATH_INFO"]
        if path.startswith("/api/v1/") and method not in ("HEAD", "OPTIONS"):
            validate_response(method, path, response)
        return response


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Each test starts with no anonymous requests counted."""
    django_cache.clear()
    yield
    django_cache.clear()


@pytest.fixture
def client():
    return SchemaCheckedClient()


@pytest.fixture
def curator_client(db):
    user = UserFactory(
        username="api-curator",
        permissions=[
            f"timeline.{action}_{model}"
            for action in ("add", "change", "delete")
            for model in ("event", "actor", "organisation", "place", "period", "source", "passage", "quote")
        ],
    )
    api = SchemaCheckedClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def reader_client(db):
    """Signed in, without any permission."""
    api = SchemaCheckedClient()
    api.force_authenticate(UserFactory(username="reader"))
    return api
