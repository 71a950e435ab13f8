"""Keyset ("cursor") pages of a list in any order, for the HTML timeline and the API alike.

A list's order is a sequence of :class:`~timeline.filters.SortKey` ending with
the primary key, so the keys of a row name its place exactly. A cursor is those
keys, with a direction (the rows after ``"a"``, or before ``"b"``) and the
order's signature (a cursor is refused by any other order), in base64 JSON; a
page is read with ``WHERE (keys) > (cursor) ORDER BY keys LIMIT n + 1``
(the extra row says whether there is more). No ``OFFSET`` and no ``COUNT(*)``:
page 2,000 costs what page 1 costs, in every order.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
import json
import math
import operator
from dataclasses import dataclass

from django.db.models import BooleanField, F, Func, Q, Subquery, Value


class CursorError(ValueError):
    """A ``cursor`` parameter this site did not make (or made for another order)."""


# The longest cursor the site makes: three keys, of which one title of 255 characters, each written
# as up to six bytes (a control character's \u escape), in base64.
MAX_CURSOR_LENGTH = 3000
BIGINT = 2**63


def signature(keys) -> str:
    """A short digest of the order ``keys`` describe, which a cursor carries.

    A cursor is a place in one order: the same values read in another (a date taken for
    a title, a rank of one search in another, a title cursor in ``-title``) would give a
    page silently wrong, so a cursor whose signature differs is refused.
    """
    described = json.dumps([[key.field, key.descending, key.context] for key in keys], ensure_ascii=False)
    return hashlib.sha256(described.encode()).hexdigest()[:10]


def encode_cursor(direction: str, keys, row) -> str:
    """An opaque ``cursor`` for the rows after (``"a"``) or before (``"b"``) ``row`` in the order ``keys``."""
    values = []
    for key in keys:
        value = getattr(row, key.field)
        values.append(value.isoformat() if isinstance(value, datetime.date) else value)
    raw = json.dumps([direction, signature(keys), *values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_value(key, value):
    if value is None and key.nullable:
        return None
    if key.kind == "date" and isinstance(value, str) and len(value) == 10:
        return datetime.date.fromisoformat(value)  # ValueError if it is not a date
    if key.kind == "int" and type(value) is int and -BIGINT < value < BIGINT:
        return value
    if key.kind == "float" and type(value) is float and math.isfinite(value):
        return value
    if key.kind == "str" and isinstance(value, str) and len(value) <= 1000 and "\x00" not in value:
        value.encode()  # UnicodeEncodeError (a ValueError) for a lone surrogate, which no database takes
        return value
    raise CursorError(f"Bad value for {key.field}.")


def decode_cursor(raw: str, keys, *, unsigned_ok: bool = False) -> tuple[str, list]:
    """(direction, values) from a ``cursor`` parameter, checked against ``keys``; ``CursorError`` otherwise.

    ``unsigned_ok`` also takes a cursor without a signature, as the site made them before
    cursors named their order: the caller allows it for an order whose meaning has not
    changed since (in time), so that links already given out keep working.
    """
    if not raw or len(raw) > MAX_CURSOR_LENGTH:
        raise CursorError("Empty or too long.")
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, TypeError, binascii.Error) as exc:  # UnicodeDecodeError and JSONDecodeError too
        raise CursorError("Not a cursor.") from exc
    if not isinstance(data, list) or not data or data[0] not in ("a", "b"):
        raise CursorError("Not a cursor.")
    if unsigned_ok and len(data) == len(keys) + 1:
        values = data[1:]
    elif len(data) == len(keys) + 2 and data[1] == signature(keys):
        values = data[2:]
    else:
        raise CursorError("Not a cursor for this order.")
    try:
        return data[0], [_cursor_value(key, value) for key, value in zip(keys, values, strict=True)]
    except ValueError as exc:
        raise CursorError(str(exc)) from exc


def ordering(keys, *, reverse: bool, lead_plain: bool = False) -> list:
    """ORDER BY for ``keys`` (empty values last), or its exact reverse.

    ``lead_plain`` leaves the first key without a NULLS clause: its part of the
    list has no empty values, and the plain direction is what an index gives.
    """
    result = []
    for index, key in enumerate(keys):
        descending = key.descending != reverse
        expression = F(key.field)
        if not key.nullable or (lead_plain and index == 0):
            result.append(expression.desc() if descending else expression.asc())
        elif reverse:  # empty values come first when the list is read backwards
            result.append(expression.desc(nulls_first=True) if descending else expression.asc(nulls_first=True))
        else:
            result.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
    return result


def _beyond(key, value, *, reverse: bool) -> Q | None:
    """Rows strictly after ``value`` in this key's order (before it, with ``reverse``); None if there are none."""
    if value is None:
        return Q(**{f"{key.field}__isnull": False}) if reverse else None
    lookup = "gt" if key.descending == reverse else "lt"
    condition = Q(**{f"{key.field}__{lookup}": value})
    if key.nullable and not reverse:
        condition |= Q(**{f"{key.field}__isnull": True})
    return condition


def _from(key, value, *, reverse: bool) -> Q:
    """Rows at or after ``value`` of the first key (at or before, with ``reverse``): a plain range an index
    scan can start from, beside the keyset condition."""
    lookup = "lte" if key.descending != reverse else "gte"
    return Q(**{f"{key.field}__{lookup}": value})


def _past(keys, values, *, reverse: bool) -> Q | None:
    """Rows strictly after the row with ``values`` (before it, with ``reverse``): the keyset condition."""
    terms, ties = [], Q()
    for key, value in zip(keys, values, strict=True):
        beyond = _beyond(key, value, reverse=reverse)
        if beyond is not None:
            terms.append(ties & beyond)
        ties &= Q(**{f"{key.field}__isnull": True}) if value is None else Q(**{key.field: value})
    return functools.reduce(operator.or_, terms) if terms else None


class RowCompare(Func):
    """``(a, b, ...) > (x, y, ...)`` (or ``<``): rows after (or before) a place in an order of one direction."""

    output_field = BooleanField()

    def __init__(self, fields, values, *, after: bool):
        super().__init__(*(F(field) for field in fields), *(Value(value) for value in values))
        self.operator = ">" if after else "<"

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        half = len(parts) // 2
        return f"({', '.join(parts[:half])}) {self.operator} ({', '.join(parts[half:])})", params


@dataclass
class KeysetPage:
    rows: list
    has_previous: bool
    has_next: bool


def keyset_page(queryset, keys, cursor=None, *, size: int) -> KeysetPage:
    """A page of ``queryset`` in the order ``keys``: the first page, or the one after or before a cursor.

    No ``OFFSET`` and no ``COUNT(*)``: page 2,000 costs what page 1 costs. When the
    first key may be empty (undated events, last), its dated and undated rows are
    read as two runs, so the dated run walks the date index from the cursor; the
    second run is read only when the first does not fill the page (at most two
    queries). Prefetches are left to the caller, for the rows of both runs at once.
    """
    direction, values = cursor if cursor else ("a", None)
    reverse = direction == "b"
    lead = keys[0]
    runs = []  # (condition or None for "no rows", keys to order by, plain lead), in reading order
    if values is None and not (lead.nullable and lead.descending):
        # The first page in an order the index gives as it is (ascending puts empty values last): one run.
        runs = [(Q(), keys, False)]
    elif lead.nullable:
        dated, undated = Q(**{f"{lead.field}__isnull": False}), Q(**{f"{lead.field}__isnull": True})
        if values is None:
            runs = [(dated, keys, True), (undated, keys[1:], False)]
        elif values[0] is None:
            past = _past(keys[1:], values[1:], reverse=reverse)
            undated_run = (undated & past if past is not None else None, keys[1:], False)
            runs = [(dated, keys, True), undated_run] if reverse else [undated_run]
        else:
            # A plain range on the first key, beside the keyset condition, lets the database walk its index.
            condition = dated & _from(lead, values[0], reverse=reverse) & _past(keys, values, reverse=reverse)
            runs = [(condition, keys, True)] if reverse else [(condition, keys, True), (undated, keys[1:], False)]
        if reverse:
            runs.reverse()
    elif all(key.descending == lead.descending and not key.nullable for key in keys):
        # One direction throughout (a field and its tie-break): a row comparison, which an index on the
        # keys (after an equality on the status) takes as where to start, however deep the cursor. The
        # page's keys are chosen alone, without the joins: PostgreSQL misjudges how many rows a row
        # comparison keeps, and with joins to plan it would sort every row after the cursor.
        after = RowCompare([key.field for key in keys], values, after=lead.descending == reverse)
        page_keys = queryset.select_related(None).prefetch_related(None).filter(after)
        page_keys = page_keys.order_by(*ordering(keys, reverse=reverse)).values("pk")[: size + 1]
        runs = [(Q(pk__in=Subquery(page_keys)), keys, False)]
    else:
        # A plain range on the first key lets the database start its index scan near the cursor,
        # where the keyset condition alone (an OR) would be checked on every row before it.
        runs = [(_from(lead, values[0], reverse=reverse) & _past(keys, values, reverse=reverse), keys, False)]
    rows, wanted = [], size + 1
    base = queryset.prefetch_related(None)
    for condition, run_keys, lead_plain in runs:
        if condition is None or len(rows) >= wanted:
            continue
        ordered = base.filter(condition).order_by(*ordering(run_keys, reverse=reverse, lead_plain=lead_plain))
        rows.extend(ordered[: wanted - len(rows)])
    more = len(rows) > size
    rows = rows[:size]
    if reverse:
        rows.reverse()
        return KeysetPage(rows, has_previous=more, has_next=True)
    return KeysetPage(rows, has_previous=values is not None, has_next=more)
