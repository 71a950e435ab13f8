"""The response cache: anonymous reads are served whole, and any write is visible on the next read."""

from http import HTTPStatus

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import EventFactory, UserFactory
from tests.timeline.test_admin import form_data, make_curator
from timeline import cache as response_cache
from timeline.models import Event, Status

pytestmark = pytest.mark.django_db

PAGES = ["/", "/events/meeting/", "/search/?q=meeting", "/api/v1/events/", "/api/v1/events/meeting/"]


@pytest.fixture
def meeting():
    return EventFactory(slug="meeting", title="Enlarged meeting", date_edtf="2004-01-22")


@pytest.mark.parametrize("url", PAGES)
def test_a_second_anonymous_read_is_served_from_the_cache_without_queries(
    client, meeting, url, django_assert_num_queries
):
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert first["X-Response-Cache"] == "miss"
    assert second["X-Response-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_the_cache_can_be_turned_off(client, meeting):
    with override_settings(RESPONSE_CACHE=False):
        client.get("/")
        response = client.get("/")

    assert "X-Response-Cache" not in response


def test_a_save_anywhere_is_visible_on_the_next_read(client, meeting):
    assert b"Enlarged meeting" in client.get("/").content
    meeting.title = "Renamed meeting"
    meeting.save()

    response = client.get("/")

    assert response["X-Response-Cache"] == "miss"
    assert b"Renamed meeting" in response.content


def test_an_edit_through_the_api_is_visible_on_the_next_read(client, meeting):
    curator = UserFactory(username="api-curator", permissions=["timeline.change_event"])
    api = APIClient()
    api.force_authenticate(curator)
    assert client.get("/api/v1/events/meeting/").json()["title"] == "Enlarged meeting"
    etag = api.get("/api/v1/events/meeting/")["ETag"]

    patched = api.patch("/api/v1/events/meeting/", {"title": "Changed"}, format="json", HTTP_IF_MATCH=etag)

    assert patched.status_code == HTTPStatus.OK
    assert client.get("/api/v1/events/meeting/").json()["title"] == "Changed"
    assert b"Changed" in client.get("/events/meeting/").content


def test_an_edit_through_the_admin_is_visible_on_the_next_read(client, meeting):
    curator = Client()
    curator.force_login(make_curator("ana"))
    assert b"Enlarged meeting" in client.get("/events/meeting/").content
    url = reverse("admin:timeline_event_change", args=[meeting.pk])
    data = form_data(curator.get(url))
    data["title"] = "Edited in the admin"

    response = curator.post(url, data)

    assert response.status_code == HTTPStatus.FOUND
    assert b"Edited in the admin" in client.get("/events/meeting/").content
    assert client.get("/api/v1/events/meeting/").json()["title"] == "Edited in the admin"


def test_an_admin_action_without_signals_is_visible_on_the_next_read(client, meeting):
    curator = Client()
    curator.force_login(make_curator("ana"))
    assert client.get("/api/v1/events/meeting/").status_code == HTTPStatus.OK
    url = reverse("admin:timeline_event_changelist")

    curator.post(url, {"action": "unpublish", "_selected_action": [meeting.pk], "post": "yes"})

    assert Event.objects.get(pk=meeting.pk).status == Status.DRAFT
    assert client.get("/api/v1/events/meeting/").status_code == HTTPStatus.NOT_FOUND


def test_a_bulk_write_that_bumps_the_version_is_visible(client, meeting):
    client.get("/api/v1/events/meeting/")
    Event.objects.filter(pk=meeting.pk).update(title="Bulk")  # no signal

    assert client.get("/api/v1/events/meeting/").json()["title"] == "Enlarged meeting"
    response_cache.bump()
    assert client.get("/api/v1/events/meeting/").json()["title"] == "Bulk"


def test_curators_are_never_served_nor_stored(client, meeting):
    EventFactory(slug="draft", title="A draft", status=Status.DRAFT)
    curator = Client()
    curator.force_login(make_curator("ana"))

    seen_by_curator = curator.get("/")
    seen_by_anonymous = client.get("/")

    assert "X-Response-Cache" not in seen_by_curator
    assert b"A draft" in seen_by_curator.content
    assert b"A draft" not in seen_by_anonymous.content
    assert b"A draft" in curator.get("/").content


def test_token_clients_bypass_the_cache(client, meeting):
    client.get("/api/v1/events/")

    response = client.get("/api/v1/events/", HTTP_AUTHORIZATION="Token nonsense")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "X-Response-Cache" not in response


def test_conditional_requests_reach_the_view(client, meeting):
    etag = client.get("/api/v1/events/")["ETag"]

    assert client.get("/api/v1/events/", HTTP_IF_NONE_MATCH=etag).status_code == HTTPStatus.NOT_MODIFIED


def test_errors_and_the_admin_are_not_stored(client, meeting):
    client.get("/events/nothing/")
    client.get("/admin/login/")

    assert "X-Response-Cache" not in client.get("/events/nothing/")
    assert "X-Response-Cache" not in client.get("/admin/login/")


def test_cached_api_reads_still_count_against_the_throttle(client, meeting):
    from django.conf import settings
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [client.get("/api/v1/events/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@pytest.mark.django_db(False)
def test_each_process_keeps_its_last_responses_within_a_budget():
    local = response_cache.LocalResponses(budget=40)
    item = (200, [], b"0123456789")
    for key in "abcd":
        local.put(key, item)
    local.get("a")
    local.put("e", item)  # over budget: the least recently used ("b") goes

    assert [key for key in "abcde" if local.get(key)] == ["a", "c", "d", "e"]
    local.put("big", (200, [], b"x" * 11))  # more than a quarter of the budget: never kept
    assert local.get("big") is None
