"""Whole-response caching for anonymous reads, invalidated by any write.

Every public page and API response that an anonymous client reads with GET or
HEAD is stored in Django's default cache (Redis in production, see
``DJANGO_CACHE_URL``; process memory otherwise) under a key made of the
**data version**, the method, scheme, host, full path with query and, under
``/api/``, the ``Accept`` header. The data version is one token in the cache;
any write bumps it, which invalidates every stored response at once:

- ``post_save``, ``post_delete`` and ``m2m_changed`` of every model of the
  ``timeline`` app (the admin, the API, the shell);
- any POST, PUT, PATCH or DELETE request that reaches the site (writes that do
  not send signals, such as ``QuerySet.update()`` in an admin action);
- :func:`bump` called by code that writes in bulk (``timeline.synthetic``, and
  ``loaddata`` once at the end, as it sends no signal per record);
- every ``migrate`` run, which ``make serve`` makes at each start: new code may
  render the same data differently, and never serves what the old code stored.

A request with a session cookie or an ``Authorization`` header is never served
from the cache nor stored (curators see drafts and edit links), nor is the admin,
nor a response that sets a cookie, used the CSRF token, is not a 200, or asks
not to be stored. Conditional requests (``If-None-Match``/``If-Modified-Since``)
go to the view, which answers 304 itself.

Every anonymous API read, cached or not, counts against the anonymous throttle
(:mod:`api.throttling`): this middleware counts it, in the same Redis round trip
as its read of the data version, and serves a hit only to a client within its
rate; a client over it goes on to the view, whose throttle answers HTTP 429 with
``Retry-After`` from that same count (a request is never counted twice).

Each worker process also keeps the responses it served last in memory (up to
``LOCAL_BYTES``), under the same versioned keys: a hit then costs one small
read of the data version from the shared cache, never the transfer of the
whole body, and a write still invalidates it at once, since the version is read
on every request. With Redis that read goes through one client object kept by
the process (:func:`api.throttling.redis_access`), not a new one per command.

``DJANGO_RESPONSE_CACHE=0`` turns the response cache off (the benchmark's
"uncached" figures).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse

from api import throttling

logger = logging.getLogger(__name__)

VERSION_KEY = "timeline:data-version"
KEY_PREFIX = "timeline:response"
TIMEOUT = 60 * 60 * 24  # a day; any write invalidates sooner
SAFE_METHODS = ("GET", "HEAD")
EXCLUDED_PREFIXES = ("/admin/", "/static/", "/bench/")
# Headers kept with a stored response (the rest are per-request or recomputed).
SKIPPED_HEADERS = {"set-cookie", "date"}
LOCAL_BYTES = 32 * 1024 * 1024


class LocalResponses:
    """A small least-recently-used store of stored responses, in this process's memory."""

    def __init__(self, budget: int):
        self.budget = budget
        self.items: OrderedDict[str, tuple] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            item = self.items.get(key)
            if item is not None:
                self.items.move_to_end(key)
            return item

    def put(self, key: str, item: tuple) -> None:
        size = len(item[2])
        if size > self.budget // 4:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = item
            self.size += size
            while self.size > self.budget:
                _, oldest = self.items.popitem(last=False)
                self.size -= len(oldest[2])


local = LocalResponses(LOCAL_BYTES)


def data_version() -> str:
    """The current data version, created on first use."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two processes starting at once agree on one version.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump() -> None:
    """Invalidate every stored response: the next read renders afresh."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def bump_now_and_on_commit() -> None:
    """Bump at once and again when the transaction commits.

    The second bump drops anything a concurrent request rendered from the old,
    still uncommitted-over data between the write and its commit.
    """
    bump()
    transaction.on_commit(bump)


def enabled() -> bool:
    return getattr(settings, "RESPONSE_CACHE", True)


def cacheable_request(request) -> bool:
    if request.method not in SAFE_METHODS or not enabled():
        return False
    if request.path.startswith(EXCLUDED_PREFIXES):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    # DRF's test client signs a user in without a cookie or a header.
    if getattr(request, "_force_auth_user", None) is not None:
        return False
    # Conditional requests are answered (304) by the view itself.
    return not ("HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META)


def cache_key(request, version: str) -> str:
    accept = request.META.get("HTTP_ACCEPT", "") if request.path.startswith("/api/") else ""
    raw = "\n".join([request.method, request.scheme, request.get_host(), request.get_full_path(), accept])
    return f"{KEY_PREFIX}:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"


def storable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    return "private" not in cache_control and "no-store" not in cache_control


def api_throttle(request):
    """The anonymous throttle of an API request, or None (not under ``/api/``, or no rate set)."""
    if not request.path.startswith("/api/"):
        return None
    throttle = throttling.AnonRateThrottle()
    return throttle if throttle.rate is not None else None


def version_and_count(request, throttle) -> str:
    """The data version; for an API read, also count the request against ``throttle``.

    With Redis both are one round trip. The count is left on the request for the view's throttle.
    """
    key = throttle.get_cache_key(request, None) if throttle is not None else None
    access = throttling.redis_access(caches["default"])
    if access is None:
        version = data_version()
        if key is not None:
            setattr(request, throttling.COUNTED_ATTRIBUTE, throttling.count_request(key, throttle.duration))
        return version
    if key is None:
        raw = access.redis.get(access.make_key(VERSION_KEY))
    else:
        counted, raw = access.count_request(key, throttle.duration, also_get=VERSION_KEY)
        setattr(request, throttling.COUNTED_ATTRIBUTE, counted)
    return access.serializer.loads(raw) if raw is not None else data_version()


def within_rate(request, throttle) -> bool:
    counted = getattr(request, throttling.COUNTED_ATTRIBUTE, None)
    return throttle is None or counted is None or counted[0] <= throttle.num_requests


class ResponseCacheMiddleware:
    """Serve and store whole anonymous GET/HEAD responses (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            response = self.get_response(request)
            if request.method not in SAFE_METHODS:
                bump_now_and_on_commit()
            return response
        throttle = api_throttle(request)
        key = cache_key(request, version_and_count(request, throttle))
        # Over its rate, a client goes on to the view, whose throttle answers 429.
        within = within_rate(request, throttle)
        stored = local.get(key) if within else None
        if stored is None and within:
            stored = cache.get(key)
            if stored is not None:
                local.put(key, stored)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Response-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if storable_response(request, response):
            headers = [(name, value) for name, value in response.items() if name.lower() not in SKIPPED_HEADERS]
            stored = (response.status_code, headers, response.content)
            cache.set(key, stored, TIMEOUT)
            local.put(key, stored)
            response["X-Response-Cache"] = "miss"
        return response


def on_model_change(sender, **kwargs) -> None:
    if sender._meta.app_label == "timeline":
        bump_now_and_on_commit()


def on_migrate(sender, **kwargs) -> None:
    """A ``migrate`` run (``make serve`` runs one at every start) drops the stored responses.

    New code may render the same data differently (a cursor's format, an export's fields);
    a deploy must not serve pages the previous code rendered. If the cache cannot be
    reached, the migration still stands and the failure is logged.
    """
    if sender.label != "timeline":
        return
    try:
        bump()
    except Exception:  # a cache server down must not undo a finished migration
        logger.exception("The response cache could not be cleared after migrate.")


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    post_migrate.connect(on_migrate, dispatch_uid="timeline.cache.post_migrate")
    post_save.connect(on_model_change, dispatch_uid="timeline.cache.post_save")
    post_delete.connect(on_model_change, dispatch_uid="timeline.cache.post_delete")
    m2m_changed.connect(on_model_change, dispatch_uid="timeline.cache.m2m_changed")
