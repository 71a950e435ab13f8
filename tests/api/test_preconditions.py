"""Writes that change a record need If-Match: two curators never silently overwrite each other."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection

from api.conditional import STALE
from tests.api.conftest import openapi
from tests.factories import EventFactory
from timeline.models import Event

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/meeting/"


@pytest.fixture
def meeting():
    return EventFactory(slug="meeting", title="Old title", summary="Old summary")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_write_without_if_match_is_428_and_writes_nothing(curator_client, meeting, method):
    response = getattr(curator_client, method)(URL, {"title": "New"}, format="json")

    assert response.status_code == 428
    assert response.json() == {
        "detail": "Send If-Match with the ETag of your last GET of this record, so that nobody's change is overwritten."
    }
    assert Event.objects.get().title == "Old title"


def test_the_second_of_two_curators_is_412_and_the_first_change_is_kept(curator_client, meeting):
    etag = curator_client.get(URL)["ETag"]  # both curators opened the record: same client, same ETag
    first = curator_client.patch(URL, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)

    second = curator_client.patch(URL, {"summary": "Second"}, format="json", HTTP_IF_MATCH=etag)

    assert first.status_code == HTTPStatus.OK
    assert second.status_code == HTTPStatus.PRECONDITION_FAILED
    assert second.json() == {"detail": STALE}
    meeting.refresh_from_db()
    assert (meeting.title, meeting.summary) == ("First", "Old summary")


def test_the_response_to_a_write_carries_the_etag_for_the_next(curator_client, meeting):
    etag = curator_client.get(URL)["ETag"]
    first = curator_client.patch(URL, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    fresh = curator_client.get(URL)["ETag"]

    second = curator_client.patch(URL, {"title": "Second"}, format="json", HTTP_IF_MATCH=first["ETag"])

    assert first["ETag"] != etag
    assert first["ETag"] == fresh
    assert second.status_code == HTTPStatus.OK
    assert Event.objects.get().title == "Second"


def test_put_with_a_fresh_etag_replaces(curator_client, meeting):
    etag = curator_client.get(URL)["ETag"]
    body = curator_client.get(URL).json()
    payload = {"slug": "meeting", "title": "Replaced", "date": body["date"], "type": body["type"]}

    response = curator_client.put(URL, payload, format="json", HTTP_IF_MATCH=f'W/{etag}, "other"')

    assert response.status_code == HTTPStatus.OK, response.json()
    assert Event.objects.get().title == "Replaced"


def test_if_match_star_means_any_current_version(curator_client, meeting):
    response = curator_client.patch(URL, {"title": "New"}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == HTTPStatus.OK


def test_a_change_elsewhere_also_makes_the_etag_stale(curator_client, meeting):
    etag = curator_client.get(URL)["ETag"]
    EventFactory(slug="other")

    response = curator_client.patch(URL, {"title": "New"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == HTTPStatus.PRECONDITION_FAILED


def test_anonymous_writes_are_401_before_any_precondition(client, meeting):
    response = client.patch(URL, {"title": "New"}, format="json")

    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_the_schema_documents_if_match_412_and_428():
    for method in ("put", "patch"):
        operation = openapi()["paths"]["/api/v1/events/{slug}/"][method]
        header = next(p for p in operation["parameters"] if p["in"] == "header")

        assert (header["name"], header["required"]) == ("If-Match", True)
        assert {"412", "428"} <= set(operation["responses"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks across connections: PostgreSQL")
def test_concurrent_writes_with_the_same_etag_one_wins(meeting):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    user = UserFactory(username="racer", permissions=["timeline.change_event", "timeline.view_event"])
    reader = APIClient()
    reader.force_authenticate(user)
    etag = reader.get(URL)["ETag"]
    statuses, barrier = [], threading.Barrier(4)

    def write(n):
        api = APIClient()
        api.force_authenticate(user)
        barrier.wait()
        statuses.append(api.patch(URL, {"title": f"Writer {n}"}, format="json", HTTP_IF_MATCH=etag).status_code)
        connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 412, 412, 412]
    assert Event.objects.get().title in {f"Writer {n}" for n in range(4)}
