"""Throttling for anonymous clients: ``DJANGO_API_ANON_RATE`` requests (default 1000/hour).

Each client (by address) has a counter in the shared cache. Its first request opens a window
of the rate's duration (an hour for ``1000/hour``); every request in the window adds one, and
once the count passes the rate the client is answered HTTP 429 with ``Retry-After`` (the
seconds left in its window). Counting is one atomic ``INCR``, so gunicorn's workers never
lose each other's counts; with Redis, opening the window, counting and reading what is left of
it are one round trip, which the response cache shares with its read of the data version
(:mod:`timeline.cache`): a cached API read pays no extra round trip for its throttle.

DRF's own throttle keeps a list of timestamps per client (read and rewritten whole on each
request, racing between workers); a counter per window is cheaper and, unlike that list, counts
every request of concurrent workers. The windows are fixed (a client's window opens with its
first request), not sliding: a client may spend one window's allowance at its end and the next
one's at the start of the next window.
"""

from __future__ import annotations

import math
import time

from django.core.cache import caches
from rest_framework import throttling
from rest_framework.settings import api_settings

#: Set by the response cache on the Django request once it has counted it: (count, seconds left).
COUNTED_ATTRIBUTE = "_anon_throttle_counted"


class RedisAccess:
    """One Redis client object for the default cache, made once.

    Django's Redis backend builds a new ``redis.Redis`` for every command, which costs more
    than the command itself (redis-py copies its table of response callbacks each time).
    """

    def __init__(self, backend):
        client = backend._cache
        self.redis = client._client(connection_pool=client._get_connection_pool(True))
        self.serializer = client._serializer
        self.make_key = backend.make_and_validate_key
        self.count = self.redis.register_script(COUNT_SCRIPT)

    def count_request(self, key: str, duration: int, *, also_get: str | None = None):
        """Count one request in ``key``'s window: ((count, seconds left), the raw value of ``also_get``).

        One command, run whole by Redis (a Lua script): the window opened with its expiry if it is
        new, the count, what is left of the window, and another key's value (the response cache's
        data version) in the same round trip.
        """
        keys = [self.make_key(key)] + ([self.make_key(also_get)] if also_get is not None else [])
        count, milliseconds, *value = self.count(keys=keys, args=[duration])
        return window_of(count, milliseconds, duration), (value[0] if value else None)


def redis_access(backend) -> RedisAccess | None:
    """Fast access to ``backend`` when it is Django's Redis cache, else None."""
    access = backend.__dict__.get("_timeline_redis_access", False)
    if access is False:
        from django.core.cache.backends.redis import RedisCache

        access = RedisAccess(backend) if type(backend) is RedisCache else None
        backend._timeline_redis_access = access
    return access


#: Open the window (with its expiry) if there is none, count, and read the milliseconds left in it; with
#: a second key, read it too. Atomic: a window can never be counted into after losing its expiry.
COUNT_SCRIPT = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
local count = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if KEYS[2] then
  return {count, left, redis.call('GET', KEYS[2])}
end
return {count, left}
"""


def window_of(count, milliseconds, duration: int) -> tuple[int, float]:
    """(requests counted in the window, seconds left in it)."""
    return int(count), (milliseconds / 1000 if milliseconds and milliseconds > 0 else float(duration))


def count_request(key: str, duration: int) -> tuple[int, float]:
    """Count one request in the client's window: (requests so far in it, seconds left in it)."""
    backend = caches["default"]
    access = redis_access(backend)
    if access is not None:
        return access.count_request(key, duration)[0]
    # Other caches (process memory in development and tests): the window's end under a second key.
    now = time.time()
    end_key = f"{key}:end"
    if backend.add(key, 1, duration):
        backend.set(end_key, now + duration, duration)
        return 1, float(duration)
    try:
        count = backend.incr(key)
    except ValueError:  # the window closed between add() and incr()
        backend.set(key, 1, duration)
        backend.set(end_key, now + duration, duration)
        return 1, float(duration)
    end = backend.get(end_key)
    return count, (end - now if end is not None else float(duration))


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle with a counter per window (see the module's docstring).

    The rate is read when asked rather than at import (DRF binds ``THROTTLE_RATES`` once;
    reading the reloaded ``api_settings`` lets ``override_settings`` change it).
    """

    wait_seconds: float | None = None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        # The response cache asks before authentication: a request without a user is anonymous.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        counted = getattr(request, COUNTED_ATTRIBUTE, None)
        count, seconds_left = counted if counted is not None else count_request(key, self.duration)
        if count <= self.num_requests:
            return True
        self.wait_seconds = max(1, math.ceil(seconds_left))
        return False

    def wait(self):
        return self.wait_seconds
