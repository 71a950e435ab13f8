"""GET /health/: the database answers and the version is reported; 503 when it does not."""

import tomllib
from http import HTTPStatus
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db

VERSION = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]["version"]


def test_health_reports_database_and_version(client):
    response = client.get("/health/")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "version": VERSION}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_health_is_503_when_the_database_fails(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/health/")

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "error", "database": "error", "version": VERSION}


def test_health_answers_get_and_head_only(client):
    assert client.head("/health/").status_code == HTTPStatus.OK
    assert client.post("/health/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
