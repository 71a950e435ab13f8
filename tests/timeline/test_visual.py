import datetime

import pytest

from timeline.visual import (
    LABEL_ALL_BELOW,
    BucketInput,
    EventInput,
    PeriodInput,
    Window,
    layout,
    year_step,
)

d = datetime.date


def event(title, first, last=None, importance=2):
    return EventInput(title, f"/events/{title}/", first, last or first, str(first), importance)


@pytest.mark.parametrize(
    ("window", "edtf", "label"),
    [
        (Window.covering(d(1917, 3, 1), d(2007, 8, 1)), "1917/2007", "1917–2007"),
        (Window.covering(d(1971, 7, 18), d(1971, 7, 20)), "1971", "1971"),
        (Window.covering(d(2003, 10, 1), d(2004, 2, 29), whole_years=False), "2003-10/2004-02", ""),
        (Window.covering(d(2003, 10, 5), d(2003, 10, 9), whole_years=False), "2003-10", "October 2003"),
    ],
)
def test_window_edtf_and_label(window, edtf, label):
    assert window.edtf == edtf
    if label:
        assert window.label == label


def test_zooming_in_halves_down_to_a_single_month():
    window = Window.covering(d(1917, 1, 1), d(2007, 12, 31))
    steps = []
    while window is not None:
        steps.append(window.edtf)
        window = window.zoom_in()

    assert steps == [
        "1917/2007",
        "1939/1984",
        "1950/1972",
        "1955/1966",
        "1958/1963",
        "1959/1961",
        "1959/1960",
        "1960",
        "1960-04/1960-09",
        "1960-05/1960-07",
        "1960-05/1960-06",
        "1960-05",
    ]


def test_zooming_out_widens_and_stops_at_the_whole_span():
    limit = Window.covering(d(1917, 1, 1), d(2007, 12, 31))
    month = Window.covering(d(2003, 10, 1), d(2003, 10, 31), whole_years=False)

    assert month.zoom_out(limit).edtf == "2003-10/2003-11"
    assert Window.covering(d(2003, 1, 1), d(2003, 12, 31)).zoom_out(limit).edtf == "2002/2003"
    assert Window.covering(d(1930, 1, 1), d(2000, 12, 31)).zoom_out(limit) is None


def test_panning_moves_by_half_a_window_and_stops_at_the_edges():
    limit = Window.covering(d(1917, 1, 1), d(2007, 12, 31))
    window = Window.covering(d(1970, 1, 1), d(1973, 12, 31))

    assert window.shift(-1, limit).edtf == "1968/1971"
    assert window.shift(1, limit).edtf == "1972/1975"
    assert Window.covering(d(2004, 1, 1), d(2007, 12, 31)).shift(1, limit) is None
    assert Window.covering(d(1917, 1, 1), d(1920, 12, 31)).shift(-1, limit) is None


def test_positions_are_proportional_to_time():
    window = Window.covering(d(2000, 1, 1), d(2001, 12, 31))

    assert window.x(d(2000, 1, 1)) == 16.0
    assert window.x(d(2001, 12, 31), end=True) == 984.0
    assert window.x(d(2001, 1, 1)) == pytest.approx(16 + 968 * 366 / 731, abs=0.1)
    assert window.x(d(1990, 1, 1)) == 16.0  # clamped to the window


def test_layout_labels_every_event_in_a_small_window_and_draws_ranges_as_bars():
    window = Window.covering(d(1971, 1, 1), d(1971, 12, 31))
    result = layout(
        window,
        events=[event("coup", d(1971, 7, 18)), event("assembly", d(1971, 6, 22), d(1971, 7, 31))],
        periods=[PeriodInput("Torres", "/periods/torres/", d(1970, 10, 1), d(1971, 7, 31), "1970–1971")],
    )

    assert [(m.label, m.is_range, m.label_anchor) for m in result.marks] == [
        ("assembly", True, "start"),
        ("coup", False, "start"),
    ]
    assert result.marks[0].y != result.marks[1].y  # overlapping labels go to separate lanes
    (band,) = result.bands
    assert (band.x, band.label, band.title) == (16.0, "Torres", "Torres, 1970–1971")
    assert [t.label for t in result.ticks] == ["Jan 1971", "Mar", "May", "Jul", "Sep", "Nov"]
    assert result.summary == "2 events from 1971; 1 period shown as bands."


def test_layout_zoomed_out_labels_only_major_events_and_ticks_the_others():
    window = Window.covering(d(1917, 1, 1), d(2007, 12, 31))
    events = [event(f"minor-{n}", d(1920 + n, 1, 1), importance=1) for n in range(LABEL_ALL_BELOW)]
    events.append(event("revolution", d(1952, 4, 9), importance=3))

    result = layout(window, events=events)

    assert [m.label for m in result.labelled] == ["revolution"]
    assert len(result.unlabelled) == LABEL_ALL_BELOW
    assert all(m.label == "" for m in result.unlabelled)
    assert [t.label for t in result.ticks] == ["1920", "1930", "1940", "1950", "1960", "1970", "1980", "1990", "2000"]
    assert result.ticks[0].href == "?date=1920"


def test_layout_draws_counts_as_bars_linked_to_their_year():
    window = Window.covering(d(2000, 1, 1), d(2009, 12, 31))
    result = layout(
        window,
        buckets=[BucketInput(d(2003, 1, 1), 40), BucketInput(d(2004, 1, 1), 10)],
        total=50,
        link=lambda edtf: f"/?date={edtf}",
    )

    assert [(b.title, b.href, b.height) for b in result.bars] == [
        ("2003: 40 events", "/?date=2003", 48.0),
        ("2004: 10 events", "/?date=2004", 12.0),
    ]
    assert result.summary == "50 events from 2000–2009; counts per year shown as bars."


@pytest.mark.parametrize(
    ("first_year", "last_year", "width", "step"),
    [
        (2000, 2009, 1000, 1),
        (1525, 2025, 1000, 5),  # 502 years touched: 1 year would give bars narrower than 6 units
        (1525, 2025, 340, 10),
        (1900, 2000, 340, 2),
        (1, 2025, 340, 50),
    ],
)
def test_year_step_keeps_bars_at_least_six_units_wide(first_year, last_year, width, step):
    assert year_step(Window.covering(d(first_year, 1, 1), d(last_year, 12, 31)), width) == step


def test_narrow_layout_merges_years_into_decades_clamped_to_the_window():
    window = Window.covering(d(1503, 1, 1), d(2002, 12, 31))
    buckets = [BucketInput(d(1504, 1, 1), 1), BucketInput(d(1803, 1, 1), 3), BucketInput(d(1809, 1, 1), 2)]
    buckets.append(BucketInput(d(1812, 1, 1), 1))

    result = layout(window, buckets=buckets, total=7, link=lambda edtf: f"/?date={edtf}", width=340)

    assert [(b.title, b.href, b.height) for b in result.bars] == [
        ("1503–1509: 1 event", "/?date=1503/1509", 9.6),
        ("1800–1809: 5 events", "/?date=1800/1809", 48.0),
        ("1810–1819: 1 event", "/?date=1810/1819", 9.6),
    ]
    assert result.bar_span == "decade"
    assert result.summary == "7 events from 1503–2002; counts per decade shown as bars."
    wide = layout(window, buckets=buckets, total=7, link=lambda edtf: f"/?date={edtf}")
    assert [b.title for b in wide.bars] == [
        "1503–1504: 1 event",
        "1800–1804: 3 events",
        "1805–1809: 2 events",
        "1810–1814: 1 event",
    ]
    assert wide.summary == "7 events from 1503–2002; counts per 5 years shown as bars."


def test_counts_from_before_the_window_go_to_its_first_column():
    # An event from 1900/1960 is counted under 1900, outside a 1950–2049 window it runs into.
    window = Window.covering(d(1950, 1, 1), d(2049, 12, 31))
    buckets = [BucketInput(d(1900, 1, 1), 1), BucketInput(d(1950, 1, 1), 2), BucketInput(d(2049, 1, 1), 1)]

    wide = layout(window, buckets=buckets, total=4, link=lambda edtf: f"/?date={edtf}")
    narrow = layout(window, buckets=buckets, total=4, link=lambda edtf: f"/?date={edtf}", width=340)

    assert [(b.title, b.href, b.x) for b in wide.bars] == [
        ("1950: 3 events", "/?date=1950", 16.0),
        ("2049: 1 event", "/?date=2049", 974.3),
    ]
    assert [(b.title, b.href) for b in narrow.bars] == [
        ("1950–1951: 3 events", "/?date=1950/1951"),
        ("2048–2049: 1 event", "/?date=2048/2049"),
    ]


def test_the_first_span_at_year_one_ends_before_the_second_begins():
    window = Window.covering(d(1, 1, 1), d(1000, 12, 31))
    buckets = [BucketInput(d(year, 1, 1), 1) for year in range(1, 1001)]

    result = layout(window, buckets=buckets, total=1000, link=lambda edtf: f"/?date={edtf}")

    assert [(b.title, b.href) for b in result.bars[:2]] == [
        ("1–9: 9 events", "/?date=0001/0009"),
        ("10–19: 10 events", "/?date=0010/0019"),
    ]
    assert result.bars[0].x + result.bars[0].width < result.bars[1].x


def test_beside_the_bars_ticks_that_find_no_free_lane_are_left_out_not_piled_up():
    window = Window.covering(d(1900, 1, 1), d(2000, 12, 31))
    events = [event(f"minor-{n:02d}", d(1950, 6, 1), importance=1) for n in range(30)]

    result = layout(window, events=events, buckets=[BucketInput(d(1950, 1, 1), 30)], total=30)

    assert [mark.title for mark in result.marks] == [f"minor-{n:02d}, 1950-06-01" for n in range(5)]
    assert sorted(mark.y for mark in result.marks) == [68.0, 78.0, 88.0, 98.0, 108.0]
    assert result.left_out == 25
    assert result.summary == (
        "30 events from 1900–2000; counts per year shown as bars; 25 not drawn where marks would overlap."
    )


def test_without_bars_every_event_is_drawn_the_crowded_ones_on_the_last_tick_lane():
    window = Window.covering(d(1900, 1, 1), d(2000, 12, 31))
    events = [event(f"minor-{n:02d}", d(1950, 6, 1), importance=1) for n in range(30)]

    result = layout(window, events=events)

    assert [mark.title for mark in result.marks] == [f"minor-{n:02d}, 1950-06-01" for n in range(30)]
    assert sorted(mark.y for mark in result.marks) == [12.0, 22.0, 32.0, 42.0] + [52.0] * 26
    assert result.left_out == 0
    assert result.summary == "30 events from 1900–2000."


def test_summary_counts_the_major_events_marked_beside_the_bars():
    window = Window.covering(d(1900, 1, 1), d(1999, 12, 31))
    majors = [event("revolution", d(1952, 4, 9), importance=3), event("coup", d(1971, 8, 21), importance=3)]

    result = layout(window, events=majors, buckets=[BucketInput(d(1952, 1, 1), 1200)], total=1200)

    assert result.summary == ("1,200 events from 1900–1999; counts per year shown as bars; 2 major events marked.")


def test_narrow_layout_shortens_labels_to_fit():
    window = Window.covering(d(2000, 1, 1), d(2000, 12, 31))
    long_title = "A very long event title that cannot possibly fit in a narrow figure at all"

    result = layout(window, events=[event(long_title, d(2000, 6, 1), importance=3)], width=340)

    (mark,) = result.marks
    assert mark.label.endswith("…")
    assert len(mark.label) < len(long_title)
