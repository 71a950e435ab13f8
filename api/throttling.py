"""Throttling for anonymous clients: ``DJANGO_API_ANON_RATE`` requests (default 1000/hour)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle, reading its rate when asked rather than at import.

    DRF binds ``THROTTLE_RATES`` once; reading the reloaded ``api_settings``
    lets ``override_settings`` (and so the tests of HTTP 429) change it.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
