"""The visual timeline: events and periods laid out on a time axis, as data for an SVG.

Pure functions, no database: the view hands over what it fetched (a few rows or
counts per bucket) and :func:`layout` returns positions in a 1000-unit wide
coordinate space. The template draws them as an inline SVG that works without
JavaScript: zooming and panning are links that change the ``date`` filter to
an EDTF window ("1917/2007", "2003", "2003-10").
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

WIDTH = 1000
MARGIN = 16
NARROW_WIDTH = 340  # the figure drawn for phones
BAND_HEIGHT = 22
LANE_HEIGHT = 24
TICK_LANE_HEIGHT = 10
MAX_TICK_LANES = 5
HISTOGRAM_HEIGHT = 48
AXIS_HEIGHT = 30
MAX_LABEL_LANES = 10
MAX_BAND_LANES = 4
CHAR_WIDTH = 8.0  # average width of a bold 13-unit sans-serif glyph, generously
LABEL_ALL_BELOW = 25  # with this few events in the window, every event is labelled
MAJOR = 3
MIN_BAR_WIDTH = 6  # narrower yearly columns are merged into spans of several years
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


# Windows -------------------------------------------------------------------


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(index: int) -> datetime.date:
    return _month_start(index + 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A span of whole months (or whole years) shown on the axis."""

    first_month: int  # months since year 0, as _month_index
    last_month: int

    @classmethod
    def covering(cls, earliest: datetime.date, latest: datetime.date, *, whole_years: bool = True) -> Window:
        first, last = _month_index(earliest), _month_index(latest)
        if whole_years:
            first, last = first - first % 12, last - last % 12 + 11
        return cls(first, max(first, last))

    @cached_property
    def start(self) -> datetime.date:
        return _month_start(self.first_month)

    @cached_property
    def end(self) -> datetime.date:
        return _month_end(self.last_month)

    @cached_property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> int:
        return self.last_month - self.first_month + 1

    @property
    def whole_years(self) -> bool:
        return self.first_month % 12 == 0 and self.last_month % 12 == 11

    @property
    def edtf(self) -> str:
        """The window as an EDTF value, at year precision when it is made of whole years."""
        if self.whole_years:
            first, last = self.first_month // 12, self.last_month // 12
            return f"{first:04d}" if first == last else f"{first:04d}/{last:04d}"
        first, last = self.start.strftime("%Y-%m"), self.end.strftime("%Y-%m")
        return first if first == last else f"{first}/{last}"

    @property
    def label(self) -> str:
        if self.whole_years:
            first, last = self.first_month // 12, self.last_month // 12
            return str(first) if first == last else f"{first}–{last}"
        first, last = self.start.strftime("%B %Y"), self.end.strftime("%B %Y")
        return first if first == last else f"{first} – {last}"

    def zoom_in(self) -> Window | None:
        """Half the span around the centre; None at a single month."""
        if self.months == 1:
            return None
        if self.whole_years and self.months > 24:
            years = self.months // 12
            keep = math.ceil(years / 2)
            first = self.first_month + ((years - keep) // 2) * 12
            return Window(first, first + keep * 12 - 1)
        if self.whole_years and self.months > 12:
            centre_year = (self.first_month + self.months // 2) // 12
            return Window(centre_year * 12, centre_year * 12 + 11)
        keep = math.ceil(self.months / 2)
        first = self.first_month + (self.months - keep) // 2
        return Window(first, first + keep - 1)

    def zoom_out(self, limit: Window) -> Window | None:
        """Double the span, never beyond ``limit``; None when the result is the whole span."""
        if self.months < 12:
            keep = self.months * 2
            first = self.first_month - (keep - self.months) // 2
            if keep >= 12:
                centre_year = (self.first_month + self.months // 2) // 12
                first, keep = centre_year * 12, 12
            wider = Window(first, first + keep - 1)
        else:
            years = math.ceil(self.months / 12)
            first_year = self.first_month // 12 - math.ceil(years / 2)
            wider = Window(first_year * 12, (first_year + years * 2) * 12 - 1)
        if wider.first_month <= limit.first_month and wider.last_month >= limit.last_month:
            return None
        return wider.clamp(limit)

    def shift(self, direction: int, limit: Window) -> Window | None:
        """Pan by half the span (-1 earlier, +1 later); None if already at that edge of ``limit``."""
        if (direction < 0 and self.first_month <= limit.first_month) or (
            direction > 0 and self.last_month >= limit.last_month
        ):
            return None
        step = max(1, self.months // 2)
        if self.whole_years:
            step = max(12, step - step % 12)
        moved = Window(self.first_month + direction * step, self.last_month + direction * step)
        if moved.first_month < limit.first_month:
            moved = Window(limit.first_month, limit.first_month + self.months - 1)
        if moved.last_month > limit.last_month:
            moved = Window(limit.last_month - self.months + 1, limit.last_month)
        return moved

    def clamp(self, limit: Window) -> Window:
        first = max(self.first_month, limit.first_month)
        last = min(self.last_month, limit.last_month)
        return Window(first, max(first, last))

    def x(self, day: datetime.date, *, end: bool = False, width: int = WIDTH) -> float:
        """The horizontal position of the start (or the end) of a day in a figure ``width`` wide."""
        total = self.days
        offset = (day - self.start).days + (1 if end else 0)
        offset = min(max(offset, 0), total)
        return round(MARGIN + (width - 2 * MARGIN) * offset / total, 1)


# Inputs and outputs --------------------------------------------------------


@dataclass(frozen=True)
class EventInput:
    title: str
    url: str
    earliest: datetime.date
    latest: datetime.date
    date_label: str
    importance: int


@dataclass(frozen=True)
class PeriodInput:
    name: str
    url: str
    earliest: datetime.date
    latest: datetime.date
    date_label: str
    selected: bool = False


@dataclass(frozen=True)
class BucketInput:
    start: datetime.date  # first day of the year or month counted
    count: int


@dataclass
class Band:
    name: str
    url: str
    title: str
    x: float
    width: float
    y: float
    label: str
    label_x: float
    selected: bool


@dataclass
class Mark:
    title: str
    url: str
    x: float
    width: float
    y: float
    is_range: bool
    major: bool
    label: str
    label_x: float
    label_anchor: str  # "start" or "end"

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def shape_width(self) -> float:
        """Drawn width: at least 2 units, so a single day stays visible."""
        return max(self.width, 2.0)

    @property
    def middle_y(self) -> float:
        return self.y + 9


@dataclass
class Bar:
    title: str
    href: str
    x: float
    width: float
    y: float
    height: float


@dataclass
class Tick:
    x: float
    label: str
    href: str
    anchor: str = "middle"  # labels near the edges are aligned inwards so they are not cut off


@dataclass
class Layout:
    window: Window
    height: float
    width: int = WIDTH
    limit: Window | None = None  # the whole span zooming out may reach
    narrow: Layout | None = None  # the same data drawn for narrow screens
    bands: list[Band] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks_row_y: float | None = None
    bars: list[Bar] = field(default_factory=list)
    axis_y: float = 0
    ticks: list[Tick] = field(default_factory=list)
    summary: str = ""
    bar_span: str = ""  # what one bar counts: "year", "month", "decade", "5 years"...
    left_out: int = 0  # events not drawn for lack of room (the list below has them)

    @property
    def labelled(self) -> list[Mark]:
        return [mark for mark in self.marks if mark.label]

    @property
    def unlabelled(self) -> list[Mark]:
        return [mark for mark in self.marks if not mark.label]


# Layout --------------------------------------------------------------------


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH + 10


def _fit(text: str, width: float) -> str:
    """The text, shortened with an ellipsis to fit ``width``; empty if nothing useful fits."""
    if _text_width(text) <= width:
        return text
    chars = int((width - 10) / CHAR_WIDTH) - 1
    return f"{text[:chars].rstrip()}…" if chars >= 4 else ""


def _pack(intervals: list[tuple[float, float]], lanes: int) -> list[int | None]:
    """Greedy lane assignment: each interval goes to the first lane free at its start."""
    ends: list[float] = []
    assigned: list[int | None] = []
    for start, end in intervals:
        for lane, lane_end in enumerate(ends):
            if lane_end <= start:
                ends[lane] = end
                assigned.append(lane)
                break
        else:
            if len(ends) < lanes:
                ends.append(end)
                assigned.append(len(ends) - 1)
            else:
                assigned.append(None)
    return assigned


def year_step(window: Window, width: int = WIDTH) -> int:
    """How many years one bar counts, so that no bar is narrower than ``MIN_BAR_WIDTH``."""
    years = math.ceil(window.months / 12) + 1  # a window of whole months may touch one more year
    room = (width - 2 * MARGIN) / MIN_BAR_WIDTH
    return next((step for step in YEAR_STEPS if years / step <= room), YEAR_STEPS[-1])


def _span_name(years: int) -> str:
    return {10: "decade", 100: "century"}.get(years, f"{years} years")


def _year_spans(buckets: list[BucketInput], step: int, window: Window) -> list[tuple[int, int, int]]:
    """Yearly counts as ``(first year, last year, count)`` per span of ``step`` years.

    Spans start at multiples of ``step`` and are cut to the window's years. A count
    for a year outside the window (events that began before it and run into it) goes
    to the window's first (or last) year, so that every column and its link lie
    inside the window.
    """
    first_year, last_year = window.first_month // 12, window.last_month // 12
    merged: dict[int, int] = {}
    for bucket in buckets:
        year = min(max(bucket.start.year, first_year), last_year)
        key = year - year % step
        merged[key] = merged.get(key, 0) + bucket.count
    return [(max(key, first_year), min(key + step - 1, last_year), n) for key, n in sorted(merged.items())]


def _ticks(window: Window, link: Callable[[str], str], width: int) -> list[Tick]:
    most = max(3, width // 85)
    ticks = []
    if window.months > 24:
        years = window.months / 12
        step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if years / s <= most)
        first_year = window.first_month // 12
        start = first_year + (-first_year) % step
        for year in range(start, window.last_month // 12 + 1, step):
            ticks.append(Tick(window.x(datetime.date(year, 1, 1), width=width), str(year), link(f"{year:04d}")))
    else:
        step = next(s for s in (1, 2, 3, 6, 12) if window.months / s <= most)
        for index in range(window.first_month, window.last_month + 1):
            if (index % 12) % step:
                continue
            day = _month_start(index)
            first = index % 12 == 0 or index == window.first_month
            label = day.strftime("%b %Y") if first else day.strftime("%b")
            ticks.append(Tick(window.x(day, width=width), label, link(day.strftime("%Y-%m"))))
    for tick in ticks:
        if tick.x < MARGIN + 30:
            tick.anchor = "start"
        elif tick.x > width - MARGIN - 30:
            tick.anchor = "end"
    return ticks


def layout(
    window: Window,
    *,
    events: Iterable[EventInput] = (),
    periods: Iterable[PeriodInput] = (),
    buckets: Iterable[BucketInput] | None = None,
    bucket_unit: str = "year",
    total: int | None = None,
    link: Callable[[str], str] = lambda edtf: f"?date={edtf}",
    width: int = WIDTH,
) -> Layout:
    """Place periods as bands, events as marks (or counts as bars) and the axis.

    ``events`` are the events to draw individually: every event in the window
    when there are few, only the major ones otherwise (then ``buckets`` carries
    the counts per year or month of all of them). Major events, and every event
    when the window holds fewer than ``LABEL_ALL_BELOW``, get labels; the others
    are ticks on one row. ``total`` is the number of events in the window.
    """
    result = Layout(window=window, height=0, width=width)

    # Window.x, with its constants taken out of the loop: a figure places hundreds of bars and marks.
    first_day, days, inner = window.start.toordinal(), window.days, width - 2 * MARGIN

    def x(day: datetime.date, *, end: bool = False) -> float:
        offset = day.toordinal() - first_day + end
        offset = 0 if offset < 0 else days if offset > days else offset
        return round(MARGIN + inner * offset / days, 1)

    y = 8.0

    # Period bands, packed into lanes.
    period_list = sorted(periods, key=lambda p: (p.earliest, -(p.latest - p.earliest).days, p.name))
    spans = [(x(p.earliest), x(p.latest, end=True)) for p in period_list]
    lanes = _pack([(x0, x1 + 1) for x0, x1 in spans], MAX_BAND_LANES)
    used = 0
    for period, (x0, x1), lane in zip(period_list, spans, lanes, strict=True):
        if lane is None or x1 <= x0:
            continue
        used = max(used, lane + 1)
        span = max(x1 - x0, 2)
        result.bands.append(
            Band(
                name=period.name,
                url=period.url,
                title=f"{period.name}, {period.date_label}",
                x=x0,
                width=round(span, 1),
                y=y + lane * BAND_HEIGHT,
                label=_fit(period.name, span - 4),
                label_x=round(x0 + 5, 1),
                selected=period.selected,
            )
        )
    y += used * BAND_HEIGHT + (8 if used else 0)

    # Counts per bucket, when there are too many events to draw.
    step = 1
    if buckets is not None:
        bucket_list = [b for b in buckets if b.count]
        columns = []  # (first day, last day, EDTF, name, count)
        if bucket_unit == "year":
            step = year_step(window, width)
            for first, last, count in _year_spans(bucket_list, step, window):
                edtf, name = (
                    (f"{first:04d}", str(first)) if first == last else (f"{first:04d}/{last:04d}", f"{first}–{last}")
                )
                columns.append((datetime.date(first, 1, 1), datetime.date(last, 12, 31), edtf, name, count))
        else:  # months; as with years, counts from before the window go to its first month
            by_month: dict[int, int] = {}
            for bucket in bucket_list:
                index = min(max(_month_index(bucket.start), window.first_month), window.last_month)
                by_month[index] = by_month.get(index, 0) + bucket.count
            for index, count in sorted(by_month.items()):
                start = _month_start(index)
                columns.append((start, _month_end(index), start.strftime("%Y-%m"), start.strftime("%B %Y"), count))
        highest = max((column[4] for column in columns), default=1)
        bars = result.bars
        for start, last, edtf, name, count in columns:
            x0, x1 = x(start), x(last, end=True)
            height = max(2.0, round(HISTOGRAM_HEIGHT * count / highest, 1))
            bars.append(
                Bar(
                    f"{name}: {count} event{'s' if count != 1 else ''}",
                    link(edtf),
                    x0,
                    round(max(x1 - x0 - 1, 1.5), 1),
                    y + HISTOGRAM_HEIGHT - height,
                    height,
                )
            )
        y += HISTOGRAM_HEIGHT + 8

    # Event marks: labelled lanes first, then one row of ticks.
    event_list = sorted(events, key=lambda e: (e.earliest, e.latest, e.title))
    label_all = (total if total is not None else len(event_list)) < LABEL_ALL_BELOW
    labelled, ticked = [], []
    for event in event_list:
        (labelled if label_all or event.importance >= MAJOR else ticked).append(event)
    geometry = []
    for event in labelled:
        x0, x1 = x(event.earliest), x(event.latest, end=True)
        span = max(x1 - x0, 0)
        is_range = span >= 6
        centre = x0 + span / 2
        # Labels sit right of the mark, or left of it near the right edge; shortened if neither fits.
        right_edge, left_edge = (x1, x0) if is_range else (centre + 2, centre - 2)
        right_room, left_room = width - 2 - (right_edge + 6), left_edge - 6 - 2
        label = event.title
        if _text_width(label) > right_room and _text_width(label) > left_room:
            label = _fit(label, max(right_room, left_room))
            if not label:
                ticked.append(event)
                continue
        text_width = _text_width(label)
        if text_width <= right_room:
            anchor, label_x = "start", right_edge + 6
            occupied = (x0 - 6, label_x + text_width)
        else:
            anchor, label_x = "end", left_edge - 6
            occupied = (label_x - text_width, x1 + 6)
        geometry.append((event, x0, span, is_range, anchor, occupied, label, label_x))
    lanes = _pack([g[5] for g in geometry], MAX_LABEL_LANES)
    used = 0
    for (event, x0, span, is_range, anchor, _, label, label_x), lane in zip(geometry, lanes, strict=True):
        if lane is None:
            ticked.append(event)
            continue
        used = max(used, lane + 1)
        mark_y = y + lane * LANE_HEIGHT
        result.marks.append(
            Mark(
                title=f"{event.title}, {event.date_label}",
                url=event.url,
                x=round(x0, 1),
                width=round(span, 1),
                y=mark_y,
                is_range=is_range,
                major=event.importance >= MAJOR,
                label=label,
                label_x=round(label_x, 1),
                label_anchor=anchor,
            )
        )
    y += used * LANE_HEIGHT
    if ticked:
        ticked.sort(key=lambda e: (e.earliest, e.latest, e.title))
        spans = [(x(e.earliest), x(e.latest, end=True)) for e in ticked]
        # A tick with no free lane goes on the last one, over another. Beside the bars it is left out
        # instead: they count it, and a pile of marks on one spot is unreadable at that scale.
        lanes = _pack([(x0 - 1, max(x1, x0 + 2) + 1) for x0, x1 in spans], MAX_TICK_LANES)
        result.ticks_row_y = y + 4
        for event, (x0, x1), lane in zip(ticked, spans, lanes, strict=True):
            if lane is None and result.bars:
                result.left_out += 1
                continue
            lane = MAX_TICK_LANES - 1 if lane is None else lane
            span = max(x1 - x0, 0)
            result.marks.append(
                Mark(
                    title=f"{event.title}, {event.date_label}",
                    url=event.url,
                    x=round(x0, 1),
                    width=round(span, 1),
                    y=y + 4 + lane * TICK_LANE_HEIGHT,
                    is_range=span >= 6,
                    major=event.importance >= MAJOR,
                    label="",
                    label_x=0,
                    label_anchor="start",
                )
            )
        y += 4 + (max((lane for lane in lanes if lane is not None), default=0) + 1) * TICK_LANE_HEIGHT
    result.axis_y = y + 6
    result.ticks = _ticks(window, link, width)
    result.height = result.axis_y + AXIS_HEIGHT

    shown = total if total is not None else len(event_list)
    parts = [f"{shown:,} event{'s' if shown != 1 else ''} from {window.label}"]
    if result.bands:
        parts.append(f"{len(result.bands)} period{'s' if len(result.bands) != 1 else ''} shown as bands")
    if result.bars:
        result.bar_span = bucket_unit if step == 1 else _span_name(step)
        parts.append(f"counts per {result.bar_span} shown as bars")
        marked = sum(mark.major for mark in result.marks)
        if marked:
            parts.append(f"{marked} major event{'s' if marked != 1 else ''} marked")
    if result.left_out:
        parts.append(f"{result.left_out} not drawn where marks would overlap")
    result.summary = "; ".join(parts) + "."
    return result
