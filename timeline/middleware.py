"""Small pieces of request handling Django does not provide.

- :class:`ContentSecurityPolicyMiddleware` is django-csp's, allowing inline *styles* (never scripts)
  under the paths in ``CSP_INLINE_STYLE_PATHS``: the Django admin's widgets, the Swagger UI and DRF's
  browsable API set ``style`` attributes from their own code. The public pages need no exemption.
- :class:`PermissionsPolicyMiddleware` sets ``Permissions-Policy`` on every response.
- :func:`client_ip` is the client's address for django-axes, trusting as many reverse
  proxies as ``DJANGO_TRUSTED_PROXY_COUNT`` says (as DRF's ``NUM_PROXIES`` does).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(tuple(getattr(settings, "CSP_INLINE_STYLE_PATHS", ()))):
            styles = [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"], "'unsafe-inline'"]
            parts.update = {**(parts.update or {}), "style-src": styles}
        return parts


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


def client_ip(request) -> str | None:
    """``REMOTE_ADDR``, or the address the last trusted proxy saw, from ``X-Forwarded-For``."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR")
