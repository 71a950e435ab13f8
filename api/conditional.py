"""Conditional requests: ETag and Last-Modified from one cheap query, 304 when nothing changed.

The data version is the newest change in every table the API shows, records
and their history rows (which also record deletions), read with one ``SELECT``
of per-table ``MAX()`` over indexed columns. The ETag also varies with the
request's path and query, the representation chosen and who is asking (curators
see drafts).
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import exceptions, status

from timeline.models import (
    Actor,
    Event,
    EventRelation,
    Membership,
    Organisation,
    Participation,
    Passage,
    Period,
    Place,
    Quote,
    Source,
)

VERSIONED_MODELS = (
    Event,
    Actor,
    Organisation,
    Place,
    Period,
    Source,
    Passage,
    Quote,
    Participation,
    Membership,
    EventRelation,
)


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = ""


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The precondition given in the request headers failed."


def _as_datetime(value) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def data_version() -> tuple[datetime.datetime | None, ...]:
    """The newest ``updated_at`` and history date of every table, in one query."""
    # Table and column names come from the models, never from a request.
    quote = connection.ops.quote_name
    parts = []
    for model in VERSIONED_MODELS:
        table, history = quote(model._meta.db_table), quote(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({quote('history_date')}) FROM {history})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(_as_datetime(value) for value in cursor.fetchone())


def validators(request, media_type: str) -> tuple[str, datetime.datetime | None]:
    version = data_version()
    user = request.user
    who = f"user:{user.pk}" if user.is_authenticated else "anonymous"
    key = "|".join([*(v.isoformat() if v else "-" for v in version), request.get_full_path(), media_type, who])
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    stamps = [v for v in version if v is not None]
    return etag, max(stamps) if stamps else None
