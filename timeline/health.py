"""``GET /health/``: is the database answering, and which version is running. Never cached.

Load balancers probe it over plain HTTP (it is exempt from the HTTPS redirect)
and take 503 as "take this server out of rotation".
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def project_version() -> str:
    """The version in pyproject.toml (the source of truth), or the installed distribution's."""
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with pyproject.open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        try:
            return package_version("timeline")
        except PackageNotFoundError:
            return "unknown"


VERSION = project_version()


@never_cache
@require_safe
def health(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        database = "error"
    ok = database == "ok"
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "version": VERSION}, status=200 if ok else 503
    )
