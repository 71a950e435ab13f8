"""Conditional requests: ETag and Last-Modified from one cheap query, 304 when nothing changed.

The data version is the newest change in every table the API shows, records
and their history rows (which also record deletions), read with one ``SELECT``
of per-table ``MAX()`` over indexed columns. The ETag also varies with the
request's path and query, the representation chosen and who is asking (curators
see drafts).
"""

from __future__ import annotations

import datetime
import functools
import hashlib

from django.db import DatabaseError, connection, models
from django.db.backends.signals import connection_created
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


class PreconditionRequired(exceptions.APIException):
    status_code = 428  # RFC 6585
    default_code = "precondition_required"
    default_detail = (
        "Send If-Match with the ETag of your last GET of this record, so that nobody's change is overwritten."
    )


STALE = (
    "The record (or something it shows) has changed since the ETag you sent; nothing was saved. "
    "GET it again, then make your change again with the new ETag."
)


def require_if_match(request) -> str:
    """The ``If-Match`` header of a write that replaces or changes a record; 428 without one."""
    value = request.headers.get("If-Match", "").strip()
    if not value:
        raise PreconditionRequired()
    return value


def check_if_match(request, instance, if_match: str) -> None:
    """412 unless ``If-Match`` names the ETag a GET of this record would have now.

    Called inside the write's transaction: the no-op UPDATE locks the row (and, on SQLite, the
    database) first, so a concurrent write to it either committed before this check (and changed
    the ETag) or waits until this transaction ends. Check and save are one step.
    """
    model = type(instance)
    model._default_manager.filter(pk=instance.pk).update(updated_at=models.F("updated_at"))
    if if_match == "*":
        return
    etag, _ = validators(request, request.accepted_media_type or "")
    offered = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if etag not in offered:
        raise PreconditionFailed(STALE)


def _as_datetime(value) -> datetime.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


@functools.cache
def _data_version_sql(vendor: str) -> str:
    """One ``SELECT`` of every table's newest change, built once per database kind (``model.history`` makes
    a manager class at each use)."""
    # Table and column names come from the models, never from a request.
    quote = connection.ops.quote_name
    parts = []
    for model in VERSIONED_MODELS:
        table, history = quote(model._meta.db_table), quote(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {table})")  # noqa: S608
        parts.append(f"(SELECT MAX({quote('history_date')}) FROM {history})")  # noqa: S608
    return "SELECT " + ", ".join(parts)


# On PostgreSQL the query is prepared once per database connection: planning its 22 subqueries took
# about 2 ms on every API read, four times what running it takes (PREPARE outlives a transaction's
# rollback, and a new connection starts without it). A connection pooler in transaction mode, which
# hands one session's statements to another, is not supported; connect directly, as CONN_MAX_AGE does.
PREPARED_NAME = "timeline_data_version"
PREPARED_FLAG = "timeline_data_version_prepared"
# The session lost the statement (``DISCARD ALL``), or a column's type changed under it.
LOST_STATEMENT = {"26000", "0A000"}


def _new_connection(sender, connection, **kwargs):
    setattr(connection, PREPARED_FLAG, False)


connection_created.connect(_new_connection, dispatch_uid=PREPARED_FLAG)


def _prepare(sql: str) -> None:
    """The connection's set-up, on the driver's own cursor (like Django's ``SET TIME ZONE``): it is not
    one of the request's queries, and query counts and logs do not show it. Errors are Django's."""
    setattr(connection, PREPARED_FLAG, False)  # until it is done: a failure may come after the DEALLOCATE
    with connection.wrap_database_errors, connection.connection.cursor() as setup:
        setup.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [PREPARED_NAME])
        if setup.fetchone():
            setup.execute(f"DEALLOCATE {PREPARED_NAME}")
        setup.execute(f"PREPARE {PREPARED_NAME} AS {sql}")
    setattr(connection, PREPARED_FLAG, True)


def _execute_prepared(cursor, sql: str) -> None:
    """``EXECUTE`` the statement, preparing it first on a connection that has not."""
    if not getattr(connection, PREPARED_FLAG, False):
        _prepare(sql)
    try:
        cursor.execute(f"EXECUTE {PREPARED_NAME}")
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) not in LOST_STATEMENT:
            raise
        # Prepared afresh on the next call; now, unless a transaction failed with it.
        setattr(connection, PREPARED_FLAG, False)
        if connection.in_atomic_block:
            raise
        _prepare(sql)
        cursor.execute(f"EXECUTE {PREPARED_NAME}")


def data_version() -> tuple[datetime.datetime | None, ...]:
    """The newest ``updated_at`` and history date of every table, in one query."""
    sql = _data_version_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(cursor, sql)
        else:
            cursor.execute(sql)
        return tuple(_as_datetime(value) for value in cursor.fetchone())


def validators(request, media_type: str) -> tuple[str, datetime.datetime | None]:
    version = data_version()
    user = request.user
    who = f"user:{user.pk}" if user.is_authenticated else "anonymous"
    key = "|".join([*(v.isoformat() if v else "-" for v in version), request.get_full_path(), media_type, who])
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    stamps = [v for v in version if v is not None]
    return etag, max(stamps) if stamps else None
