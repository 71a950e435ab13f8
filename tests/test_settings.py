"""The settings module: environment-driven, safe by default, and the database CI asked for."""

import os
import subprocess
import sys

from django.conf import settings
from django.db import connection

SCRIPT = "import django; django.setup()"


def run_django(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "timeline.settings", **env_overrides})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR, check=False
    )


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_django({"DJANGO_DEBUG": "0"})

    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY is not set." in result.stderr


def test_starts_with_a_development_key_in_debug_mode():
    assert run_django({"DJANGO_DEBUG": "1"}).returncode == 0


def test_rejects_a_malformed_debug_flag():
    result = run_django({"DJANGO_DEBUG": "maybe", "DJANGO_SECRET_KEY": "x"})

    assert result.returncode == 1
    assert "DJANGO_DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'maybe'." in result.stderr


def test_the_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"

    assert connection.vendor == expected


def test_rejects_an_export_limit_that_is_not_a_whole_number_from_1_to_a_million():
    for value in ("0", "-5", "many", "1e3", "1000001", str(2**63), "9" * 5000):
        result = run_django({"DJANGO_DEBUG": "1", "DJANGO_API_MAX_EXPORT": value})

        assert result.returncode == 1, value
        assert "DJANGO_API_MAX_EXPORT must be a whole number from 1 to 1000000." in result.stderr


def test_the_export_limit_is_5000_unless_set():
    assert settings.API_MAX_EXPORT == 5000
