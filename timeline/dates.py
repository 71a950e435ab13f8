"""Dates as historians write them: EDTF values, their bounds and their display.

Every dated record stores an EDTF string (Library of Congress Extended
Date/Time Format). This module is the one place that turns such a string into
the earliest and latest calendar dates it can mean, its precision, and the
words a reader sees ("22 January 2004", "c. April 1952", "18–20 July 1971").
Parsing is done by the maintained ``edtf`` package, never by hand.

Approximate (``~``) and uncertain (``?``) values keep the nominal bounds of
the date they qualify ("1952-04~" spans April 1952); the qualifier is kept as
a flag and shown to readers, rather than widened by an arbitrary margin.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException
from edtf.parser.parser_classes import (
    DateAndTime,
    EDTFObject,
    Interval,
    Level1Interval,
    UncertainOrApproximate,
)

MIN_YEAR = datetime.MINYEAR
MAX_YEAR = datetime.MAXYEAR


class DatePrecision(models.TextChoices):
    DAY = "day", "day"
    MONTH = "month", "month"
    SEASON = "season", "season"
    YEAR = "year", "year"
    DECADE = "decade", "decade"
    CENTURY = "century", "century"
    MILLENNIUM = "millennium", "millennium"
    RANGE = "range", "range"


@dataclass(frozen=True)
class ParsedDate:
    """What an EDTF value means, as stored on a dated record."""

    edtf: str
    earliest: datetime.date
    latest: datetime.date
    precision: str
    approximate: bool
    uncertain: bool


def _to_date(value, edtf_value: str) -> datetime.date:
    if isinstance(value, float) and math.isinf(value):
        raise ValidationError(
            "“%(value)s” is open-ended or has an unknown end; give both ends of the range.",
            code="open_interval",
            params={"value": edtf_value},
        )
    year = value.tm_year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            "“%(value)s” is outside the supported years %(min)s–%(max)s.",
            code="out_of_range",
            params={"value": edtf_value, "min": MIN_YEAR, "max": MAX_YEAR},
        )
    return datetime.date(year, value.tm_mon, value.tm_mday)


def _precision(obj: EDTFObject) -> str:
    if isinstance(obj, Interval | Level1Interval):
        return DatePrecision.RANGE
    if isinstance(obj, UncertainOrApproximate | DateAndTime):
        obj = obj.date
    precision = getattr(obj, "precision", None)
    if precision in DatePrecision.values:
        return precision
    if getattr(obj, "season", None):
        return DatePrecision.SEASON
    return DatePrecision.DAY if getattr(obj, "_day", None) else DatePrecision.YEAR


def _flag(obj: EDTFObject, name: str) -> bool:
    """Whether the value or either end of it carries the qualifier (``%`` carries both)."""
    parts = [obj]
    if isinstance(obj, Interval | Level1Interval):
        parts += [obj.lower, obj.upper, getattr(obj.lower, "other", None), getattr(obj.upper, "other", None)]
    return any(getattr(part, name, False) or getattr(part, "_uncertain_and_approximate", False) for part in parts)


# The forms nearly every record uses (a day, a month or a year, qualified or not, and ranges of them),
# read without the full EDTF grammar: the edtf package's parser takes milliseconds per value, which a
# page of fifty dates cannot afford. Anything else goes to the edtf package; tests check both agree.
_SIMPLE_END = r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(\d{2}))?)?([~?%])?"
_SIMPLE = re.compile(rf"{_SIMPLE_END}(?:/{_SIMPLE_END})?")


@dataclass(frozen=True)
class _End:
    year: int
    month: int | None
    day: int | None
    qualifier: str

    @property
    def precision(self) -> str:
        return DatePrecision.DAY if self.day else DatePrecision.MONTH if self.month else DatePrecision.YEAR

    @property
    def earliest(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> datetime.date:
        if self.day:
            return self.earliest
        month = self.month or 12
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])


@functools.lru_cache(maxsize=65536)
def _simple(value: str) -> tuple[_End, ...] | None:
    """A simple EDTF value as its one or two ends, or None when the full grammar is needed."""
    match = _SIMPLE.fullmatch(value)
    if match is None:
        return None
    groups = match.groups()
    ends = []
    for year, month, day, qualifier in (groups[:4], groups[4:]):
        if year is None:
            continue
        end = _End(int(year), int(month) if month else None, int(day) if day else None, qualifier or "")
        if end.year < 1:
            return None
        try:
            end.earliest  # noqa: B018 (a real calendar day)
        except ValueError:
            return None
        ends.append(end)
    return tuple(ends)


def _parse_simple(edtf_value: str, ends: tuple[_End, ...]) -> ParsedDate:
    earliest, latest = ends[0].earliest, ends[-1].latest
    if latest < earliest:
        raise ValidationError(
            "“%(value)s” ends before it starts.", code="end_before_start", params={"value": edtf_value}
        )
    return ParsedDate(
        edtf=edtf_value,
        earliest=earliest,
        latest=latest,
        precision=DatePrecision.RANGE if len(ends) == 2 else ends[0].precision,
        approximate=any(end.qualifier in "~%" and end.qualifier for end in ends),
        uncertain=any(end.qualifier in "?%" and end.qualifier for end in ends),
    )


def parse(value: str) -> ParsedDate:
    """Parse an EDTF string; raise ``ValidationError`` with a readable message."""
    edtf_value = (value or "").strip()
    if not edtf_value:
        raise ValidationError("Enter an EDTF date.", code="required")
    ends = _simple(edtf_value)
    if ends is not None:
        return _parse_simple(edtf_value, ends)
    return _parse_edtf(edtf_value)


def _parse_edtf(edtf_value: str) -> ParsedDate:
    """The full EDTF grammar (the edtf package)."""
    try:
        obj = parse_edtf(edtf_value)
        lower, upper = obj.lower_strict(), obj.upper_strict()
    except (EDTFParseException, ValueError, OverflowError, TypeError, AttributeError) as exc:
        raise ValidationError(
            "“%(value)s” is not a valid EDTF date. Use forms such as 2004-01-22, 2003-10, 1971, "
            "1971-07-18/1971-07-20, 1952-04~ (approximate) or 1970? (uncertain).",
            code="invalid_edtf",
            params={"value": edtf_value},
        ) from exc
    if isinstance(obj, DateAndTime):
        raise ValidationError(
            "“%(value)s” has a time of day; give the date only.", code="time_of_day", params={"value": edtf_value}
        )
    earliest, latest = _to_date(lower, edtf_value), _to_date(upper, edtf_value)
    if latest < earliest:
        raise ValidationError(
            "“%(value)s” ends before it starts.", code="end_before_start", params={"value": edtf_value}
        )
    return ParsedDate(
        edtf=edtf_value,
        earliest=earliest,
        latest=latest,
        precision=_precision(obj),
        approximate=_flag(obj, "_is_approximate"),
        uncertain=_flag(obj, "_is_uncertain"),
    )


def end_precisions(value: str) -> tuple[str, str]:
    """The precision of each end of an EDTF value: a range's ends may differ ("1971-07/1982")."""
    ends = _simple(value)
    if ends is not None:
        return ends[0].precision, ends[-1].precision
    return _end_precisions_edtf(value)


def _end_precisions_edtf(value: str) -> tuple[str, str]:
    obj = parse_edtf(value)
    if isinstance(obj, Interval | Level1Interval):
        return _precision(obj.lower), _precision(obj.upper)
    precision = _precision(obj)
    return precision, precision


def bounds(value: str) -> tuple[datetime.date, datetime.date]:
    """The earliest and latest dates an EDTF value can mean (for filters)."""
    parsed = parse(value)
    return parsed.earliest, parsed.latest


# Display ------------------------------------------------------------------

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}


def _format_single(obj: EDTFObject) -> str:
    qualifier_prefix, qualifier_suffix = "", ""
    if isinstance(obj, UncertainOrApproximate):
        if obj._is_approximate or obj._uncertain_and_approximate:
            qualifier_prefix = "c. "
        if obj._is_uncertain or obj._uncertain_and_approximate:
            qualifier_suffix = "?"
        obj = obj.date
    precision = _precision(obj)
    lower = obj.lower_strict()
    if precision == DatePrecision.DAY:
        text = f"{lower.tm_mday} {MONTHS[lower.tm_mon - 1]} {lower.tm_year}"
    elif precision == DatePrecision.MONTH:
        text = f"{MONTHS[lower.tm_mon - 1]} {lower.tm_year}"
    elif precision == DatePrecision.SEASON:
        text = f"{SEASONS.get(int(obj.season), 'Season')} {lower.tm_year}"
    elif precision in (DatePrecision.DECADE, DatePrecision.CENTURY, DatePrecision.MILLENNIUM):
        text = f"{lower.tm_year}s"
    else:
        text = str(lower.tm_year)
    return f"{qualifier_prefix}{text}{qualifier_suffix}"


def _format_interval(lower: EDTFObject, upper: EDTFObject) -> str:
    plain = not any(isinstance(end, UncertainOrApproximate) for end in (lower, upper))
    lo, hi = lower.lower_strict(), upper.upper_strict()
    lo_precision, hi_precision = _precision(lower), _precision(upper)
    if plain and lo_precision == hi_precision == DatePrecision.DAY and lo.tm_year == hi.tm_year:
        if lo.tm_mon == hi.tm_mon:
            return f"{lo.tm_mday}–{hi.tm_mday} {MONTHS[lo.tm_mon - 1]} {lo.tm_year}"
        return f"{lo.tm_mday} {MONTHS[lo.tm_mon - 1]} – {hi.tm_mday} {MONTHS[hi.tm_mon - 1]} {lo.tm_year}"
    if plain and lo_precision == hi_precision == DatePrecision.MONTH and lo.tm_year == hi.tm_year:
        return f"{MONTHS[lo.tm_mon - 1]}–{MONTHS[hi.tm_mon - 1]} {lo.tm_year}"
    if plain and lo_precision == hi_precision == DatePrecision.YEAR:
        return f"{lo.tm_year}–{hi.tm_year}"
    return f"{_format_single(lower)} – {_format_single(upper)}"


def _display_end(end: _End) -> str:
    prefix = "c. " if end.qualifier in ("~", "%") else ""
    suffix = "?" if end.qualifier in ("?", "%") else ""
    if end.day:
        text = f"{end.day} {MONTHS[end.month - 1]} {end.year}"
    elif end.month:
        text = f"{MONTHS[end.month - 1]} {end.year}"
    else:
        text = str(end.year)
    return f"{prefix}{text}{suffix}"


def _display_simple(ends: tuple[_End, ...]) -> str:
    if len(ends) == 1:
        return _display_end(ends[0])
    lo, hi = ends
    plain = not (lo.qualifier or hi.qualifier)
    if plain and lo.precision == hi.precision == DatePrecision.DAY and lo.year == hi.year:
        if lo.month == hi.month:
            return f"{lo.day}–{hi.day} {MONTHS[lo.month - 1]} {lo.year}"
        return f"{lo.day} {MONTHS[lo.month - 1]} – {hi.day} {MONTHS[hi.month - 1]} {lo.year}"
    if plain and lo.precision == hi.precision == DatePrecision.MONTH and lo.year == hi.year:
        return f"{MONTHS[lo.month - 1]}–{MONTHS[hi.month - 1]} {lo.year}"
    if plain and lo.precision == hi.precision == DatePrecision.YEAR:
        return f"{lo.year}–{hi.year}"
    return f"{_display_end(lo)} – {_display_end(hi)}"


@functools.lru_cache(maxsize=65536)
def display(value: str) -> str:
    """Render an EDTF value at its real precision; an empty value reads "undated"."""
    if not value:
        return "undated"
    ends = _simple(value)
    if ends is not None:
        return _display_simple(ends)
    return _display_edtf(value)


def _display_edtf(value: str) -> str:
    """The full EDTF grammar (the edtf package)."""
    try:
        obj = parse_edtf(value)
    except EDTFParseException:
        return value
    if isinstance(obj, Interval | Level1Interval):
        return _format_interval(obj.lower, obj.upper)
    return _format_single(obj)
