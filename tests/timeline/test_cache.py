"""The response cache: anonymous reads are served whole, and any write is visible on the next read."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api import throttling
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


def test_a_migrate_run_drops_the_stored_responses(client, meeting):
    """A deploy runs migrate (make serve does): pages the previous code rendered are not served after it."""
    assert client.get("/api/v1/events/meeting/")["X-Response-Cache"] == "miss"
    assert client.get("/api/v1/events/meeting/")["X-Response-Cache"] == "hit"

    call_command("migrate", verbosity=0)

    assert client.get("/api/v1/events/meeting/")["X-Response-Cache"] == "miss"


def test_a_cache_that_cannot_be_reached_does_not_fail_migrate(monkeypatch, caplog):
    def unreachable():
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(response_cache, "bump", unreachable)

    call_command("migrate", verbosity=0)

    assert [record.getMessage() for record in caplog.records if record.name == "timeline.cache"] == [
        "The response cache could not be cleared after migrate."
    ]


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


# With Redis (production's cache): one round trip per cached API read, counts that workers never lose.


@pytest.fixture
def redis_cache():
    """The default cache on Redis (database 9, under a key prefix of this test's own)."""
    import uuid

    prefix = f"test-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/9",
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        from django.core.cache import caches as handler

        backend = handler["default"]
        client = throttling.redis_access(backend).redis
        yield backend
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_with_redis_a_cached_api_read_is_one_round_trip_and_still_throttled(client, meeting, redis_cache):
    from django.conf import settings
    from redis.connection import Connection
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        first = client.get("/api/v1/events/")
        send = Connection.send_packed_command
        with mock.patch.object(Connection, "send_packed_command", autospec=True, side_effect=send) as sent:
            second = client.get("/api/v1/events/")
        third = client.get("/api/v1/events/")

    assert (first.status_code, first["X-Response-Cache"]) == (200, "miss")
    assert (second.status_code, second["X-Response-Cache"]) == (200, "hit")
    assert second.content == first.content
    assert sent.call_count == 1
    assert third.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert third["Retry-After"] in ("59", "60")


def test_with_redis_concurrent_workers_never_lose_a_count(redis_cache):
    import threading

    counts = []

    def worker():
        counts.extend(throttling.count_request("throttle_anon_192.0.2.1", 60)[0] for _ in range(25))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(counts) == list(range(1, 201))
    count, seconds_left = throttling.count_request("throttle_anon_192.0.2.1", 60)
    assert count == 201
    assert 59 < seconds_left <= 60
