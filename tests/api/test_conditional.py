"""ETag and Last-Modified on reads; 304 for conditional requests; throttling of anonymous clients."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError, ProgrammingError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings

from api import conditional
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/api/v1/events/", "/api/v1/events/meeting/", "/api/v1/events/csv/", "/api/v1/places/geojson/"]
)
def test_reads_answer_if_none_match_with_304(client, url):
    EventFactory(slug="meeting")
    first = client.get(url)

    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == HTTPStatus.OK
    assert first["ETag"].startswith('"')
    assert first["Last-Modified"]
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_if_modified_since_gives_304(client):
    EventFactory(slug="meeting")
    first = client.get("/api/v1/events/")

    assert client.get("/api/v1/events/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_a_change_gives_a_new_etag(client):
    event = EventFactory(slug="meeting")
    first = client.get("/api/v1/events/")
    event.title = "Changed"
    event.save()

    again = client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == HTTPStatus.OK
    assert again["ETag"] != first["ETag"]


def test_a_deletion_gives_a_new_etag(client):
    EventFactory(slug="one")
    EventFactory(slug="two").delete()
    first = client.get("/api/v1/events/")
    EventFactory(slug="three").delete()

    assert client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == HTTPStatus.OK


def test_etag_differs_by_query_and_by_client(client, curator_client):
    EventFactory(slug="meeting")

    assert client.get("/api/v1/events/")["ETag"] != client.get("/api/v1/events/?type=coup")["ETag"]
    assert client.get("/api/v1/events/")["ETag"] != curator_client.get("/api/v1/events/")["ETag"]


def test_anonymous_clients_are_throttled_with_429(client):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [client.get("/api/v1/events/").status_code for _ in range(3)]
        response = client.get("/api/v1/events/")

    assert statuses == [200, 200, 429]
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.json()["detail"].startswith("Request was throttled. Expected available in ")
    assert int(response["Retry-After"]) > 0


def test_the_429_says_how_long_is_left_of_the_clients_window(client):
    EventFactory(slug="meeting")
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    with (
        override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}),
        mock.patch("time.time") as now,
    ):
        answers = []
        for second in (1000.0, 1015.0, 1030.5, 1059.0, 1061.0):
            now.return_value = second
            answers.append(client.get("/api/v1/events/"))

    assert [answer.status_code for answer in answers] == [200, 200, 429, 429, 200]
    assert [answer.get("Retry-After") for answer in answers] == [None, None, "30", "1", None]
    assert answers[2].json()["detail"] == "Request was throttled. Expected available in 30 seconds."


def test_every_anonymous_read_counts_once_cached_or_not(client):
    EventFactory(slug="meeting")
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        answers = [client.get("/api/v1/events/") for _ in range(4)]

    assert [(answer.status_code, answer.get("X-Response-Cache")) for answer in answers] == [
        (200, "miss"),
        (200, "hit"),
        (200, "hit"),
        (429, None),
    ]


def test_curators_are_not_throttled(curator_client):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "1/minute"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = {curator_client.get("/api/v1/events/").status_code for _ in range(3)}

    assert statuses == {200}


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.django_db(transaction=True)  # closes the connection, which a test's transaction would not survive
def test_the_data_version_is_prepared_once_per_connection_and_follows_changes():
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        before = conditional.data_version()
        again = conditional.data_version()
    event = EventFactory(slug="meeting")
    after = conditional.data_version()
    connection.close()  # a new connection has no prepared statement: the next call prepares it again
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert cursor.fetchall() == []
    fresh = conditional.data_version()

    assert [q["sql"] for q in queries] == ["EXECUTE timeline_data_version"] * 2
    assert again == before
    assert after[0] == event.updated_at
    assert after != before
    assert fresh == after
    with connection.cursor() as cursor:
        cursor.execute(conditional._data_version_sql(connection.vendor))
        assert tuple(conditional._as_datetime(value) for value in cursor.fetchone()) == fresh


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.django_db(transaction=True)  # DISCARD ALL runs outside a transaction only
def test_a_statement_the_session_lost_is_prepared_again():
    first = conditional.data_version()
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")  # what a pooler does between clients

    assert conditional.data_version() == first
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert cursor.fetchall() == [("timeline_data_version",)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
@pytest.mark.django_db(transaction=True)
def test_a_statement_lost_inside_a_transaction_fails_it_and_is_prepared_on_the_next_call():
    first = conditional.data_version()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE timeline_data_version")
        with pytest.raises(OperationalError, match="timeline_data_version"):
            conditional.data_version()
        transaction.set_rollback(True)

    assert conditional.data_version() == first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_preparing_raises_djangos_errors_and_the_next_call_prepares_again():
    first = conditional.data_version()
    with pytest.raises(ProgrammingError, match="no_such_table"), transaction.atomic():
        conditional._prepare("SELECT * FROM no_such_table")

    assert conditional.data_version() == first
