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


def parse(value: str) -> ParsedDate:
    """Parse an EDTF string; raise ``ValidationError`` with a readable message."""
    return _parse((value or "").strip())


# The edtf package takes milliseconds per value; its answers for a given string never change,
# so the three entry points remember them (parsing stays the package's).
@functools.lru_cache(maxsize=65536)
def _parse(edtf_value: str) -> ParsedDate:
    if not edtf_value:
        raise ValidationError("Enter an EDTF date.", code="required")
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


#: A plain end of a range: a year, a month or a day, perhaps qualified ("1971", "2003-10~", "2004-02-11?").
_PLAIN_END = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?[~?%]?")
_PLAIN_END_PRECISIONS = {4: DatePrecision.YEAR, 7: DatePrecision.MONTH, 10: DatePrecision.DAY}


@functools.lru_cache(maxsize=65536)
def end_precisions(value: str) -> tuple[str, str]:
    """The precision of each end of an EDTF value: a range's ends may differ ("1971-07/1982").

    Ranges of plain ends are read from the text (the edtf package takes milliseconds
    per value, and an export reads many); anything else is parsed.
    """
    ends = [end.rstrip("~?%") for end in value.split("/")]
    if len(ends) == 2 and all(_PLAIN_END.fullmatch(end) and _real_day(end) for end in value.split("/")):
        lower, upper = (_PLAIN_END_PRECISIONS[len(end)] for end in ends)
        return lower, upper
    return parsed_end_precisions(value)


def _real_day(end: str) -> bool:
    """Whether a plain end's day exists (2004-02-31 does not); years and months always do."""
    try:
        return len(end.rstrip("~?%")) < 10 or bool(datetime.date.fromisoformat(end.rstrip("~?%")))
    except ValueError:
        return False


def parsed_end_precisions(value: str) -> tuple[str, str]:
    """:func:`end_precisions` by the edtf package, for every value."""
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
#
# Displaying is formatting, not parsing: an EDTF value is parsed by the edtf
# package into its ends, and each end is formatted from its parts. Records
# store the result (``date_display``) when they are saved, so lists never parse.

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


@dataclass(frozen=True)
class End:
    """One end of a date, as a reader sees it."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False
    label: str = ""  # for seasons and decades: "Spring 2000", "1970s"

    @property
    def plain(self) -> bool:
        return not (self.approximate or self.uncertain or self.label)

    @property
    def precision(self) -> str:
        return DatePrecision.DAY if self.day else DatePrecision.MONTH if self.month else DatePrecision.YEAR


def _end(obj: EDTFObject) -> End:
    approximate = uncertain = False
    if isinstance(obj, UncertainOrApproximate):
        approximate = bool(obj._is_approximate or obj._uncertain_and_approximate)
        uncertain = bool(obj._is_uncertain or obj._uncertain_and_approximate)
        obj = obj.date
    precision = _precision(obj)
    lower = obj.lower_strict()
    label = ""
    if precision == DatePrecision.SEASON:
        label = f"{SEASONS.get(int(obj.season), 'Season')} {lower.tm_year}"
    elif precision in (DatePrecision.DECADE, DatePrecision.CENTURY, DatePrecision.MILLENNIUM):
        label = f"{lower.tm_year}s"
    return End(
        year=lower.tm_year,
        month=lower.tm_mon if precision in (DatePrecision.DAY, DatePrecision.MONTH) else None,
        day=lower.tm_mday if precision == DatePrecision.DAY else None,
        approximate=approximate,
        uncertain=uncertain,
        label=label,
    )


def format_end(end: End) -> str:
    if end.label:
        text = end.label
    elif end.day:
        text = f"{end.day} {MONTHS[end.month - 1]} {end.year}"
    elif end.month:
        text = f"{MONTHS[end.month - 1]} {end.year}"
    else:
        text = str(end.year)
    return f"{'c. ' if end.approximate else ''}{text}{'?' if end.uncertain else ''}"


def format_ends(lower: End, upper: End | None = None) -> str:
    """A single date ("22 January 2004") or a range, merged where it reads better ("18–20 July 1971")."""
    if upper is None:
        return format_end(lower)
    lo, hi = lower, upper
    if lo.plain and hi.plain and lo.precision == hi.precision:
        if lo.precision == DatePrecision.DAY and lo.year == hi.year:
            if lo.month == hi.month:
                return f"{lo.day}–{hi.day} {MONTHS[lo.month - 1]} {lo.year}"
            return f"{lo.day} {MONTHS[lo.month - 1]} – {hi.day} {MONTHS[hi.month - 1]} {lo.year}"
        if lo.precision == DatePrecision.MONTH and lo.year == hi.year:
            return f"{MONTHS[lo.month - 1]}–{MONTHS[hi.month - 1]} {lo.year}"
        if lo.precision == DatePrecision.YEAR:
            return f"{lo.year}–{hi.year}"
    return f"{format_end(lo)} – {format_end(hi)}"


@functools.lru_cache(maxsize=65536)
def display(value: str) -> str:
    """Render an EDTF value at its real precision; an empty value reads "undated"."""
    if not value:
        return "undated"
    try:
        obj = parse_edtf(value)
    except EDTFParseException:
        return value
    if isinstance(obj, Interval | Level1Interval):
        return format_ends(_end(obj.lower), _end(obj.upper))
    return format_ends(_end(obj))
