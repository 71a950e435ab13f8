"""Deployment settings and security headers: check --deploy is clean, every response carries the headers,
the admin login locks out after repeated failures."""

import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import EventFactory, UserFactory
from timeline.models import Status

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "timeline.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://timeline.example.org",
}


def manage(*args, env):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_production_defaults_are_https_only():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.X_FRAME_OPTIONS, "
        "s.SECURE_REFERRER_POLICY, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.AXES_ENABLED)"
    )
    result = manage("shell", "-c", code, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "False True 31536000 True True True True DENY strict-origin-when-cross-origin "
        "('HTTP_X_FORWARDED_PROTO', 'https') ['https://timeline.example.org'] True"
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_plain_http_is_redirected_to_https_except_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/actors/")
    health = client.get("/health/")

    assert page.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert page["Location"] == "https://testserver/actors/"
    assert health.status_code == HTTPStatus.OK


STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/events/meeting/",
        "/actors/",
        "/search/?q=strike",
        "/no-such-page/",
        "/api/v1/events/",
        "/api/v1/events/csv/",
        "/api/schema/",
        "/admin/login/",
        "/health/",
        "/static/timeline/site.css",
    ],
)
def test_every_response_carries_the_security_headers(client, url):
    EventFactory(slug="meeting", status=Status.PUBLISHED)

    response = client.get(url, secure=True)

    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Permissions-Policy"] == django_settings.PERMISSIONS_POLICY
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    if not url.startswith("/static/"):
        # whitenoise answers static files before Django's middleware: they are not documents.
        assert response["X-Frame-Options"] == "DENY"
        expected = STRICT_POLICY
        if url.startswith(("/admin/", "/api/")):
            expected = expected.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        assert sorted(response["Content-Security-Policy"].split("; ")) == sorted(expected.split("; "))


def test_public_templates_have_no_inline_script_or_style():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for marker in ("<style", " style=", "<script>", " onclick=", " onload=", "javascript:"):
            if marker in text:
                offenders.append(f"{template.relative_to(ROOT)}: {marker}")
        for line in text.splitlines():
            if "<script" in line and "src=" not in line and 'type="application/ld+json"' not in line:
                offenders.append(f"{template.relative_to(ROOT)}: {line.strip()}")

    assert offenders == []


def test_session_and_csrf_cookies_are_secure_in_production():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"

    assert manage("shell", "-c", code, env=PRODUCTION_ENV).stdout.strip().splitlines()[-1] == "True True"


# Brute force ---------------------------------------------------------------------------------------------


def _login(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "ana", "password": password})


def test_admin_login_locks_out_after_five_failures(client):
    UserFactory(username="ana", is_staff=True, is_superuser=True, password="the-right-password-1")

    failures = [_login(client, f"wrong-{n}").status_code for n in range(4)]
    fifth = _login(client, "wrong-5")
    right_password_now = _login(client, "the-right-password-1")

    assert failures == [HTTPStatus.OK] * 4  # the form again, with its error
    assert fifth.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert right_password_now.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert b"Account locked: too many login attempts" in right_password_now.content
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_username_and_address(client):
    UserFactory(username="ana", is_staff=True, is_superuser=True, password="the-right-password-1")
    UserFactory(username="bea", is_staff=True, is_superuser=True, password="the-right-password-2")
    for n in range(5):
        _login(client, f"wrong-{n}")

    other_user = client.post("/admin/login/?next=/admin/", {"username": "bea", "password": "the-right-password-2"})
    other_address = client.post(
        "/admin/login/?next=/admin/",
        {"username": "ana", "password": "the-right-password-1"},
        REMOTE_ADDR="10.0.0.9",
    )

    assert other_user.status_code == HTTPStatus.FOUND
    assert other_address.status_code == HTTPStatus.FOUND


def test_a_success_resets_the_count(client):
    UserFactory(username="ana", is_staff=True, is_superuser=True, password="the-right-password-1")
    for n in range(4):
        _login(client, f"wrong-{n}")
    assert _login(client, "the-right-password-1").status_code == HTTPStatus.FOUND
    client.logout()

    assert [_login(client, f"again-{n}").status_code for n in range(4)] == [HTTPStatus.OK] * 4


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    from timeline.middleware import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "10.0.0.1"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_ip(request) == "203.0.113.7"
