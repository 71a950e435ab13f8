import pytest
from django.core.cache import cache


@pytest.fixture
def curator(db):
    from tests.factories import UserFactory

    return UserFactory(
        username="curator",
        permissions=[f"timeline.{action}_{model}" for action in ("add", "change") for model in ("event", "actor")],
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached responses (the cache outlives the rolled-back database)."""
    cache.clear()
    yield
    cache.clear()


def _answers(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=3).close()
    except OSError:
        return False
    return True


def pytest_sessionstart(session):
    """In CI nothing the suite needs may be missing: a missing tool would only skip tests quietly."""
    import os
    import shutil

    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    missing = []
    if not os.path.exists("/usr/bin/chromium"):
        missing.append("Debian's chromium (make browser)")
    if shutil.which("wrk") is None:
        missing.append("wrk (make load-deps)")
    if not _answers(5432):
        missing.append("PostgreSQL on 127.0.0.1:5432")
    if not _answers(6379):
        missing.append("Redis on 127.0.0.1:6379")
    if missing:
        pytest.exit("CI needs " + ", ".join(missing) + "; refusing to skip the tests that use them.", returncode=1)
