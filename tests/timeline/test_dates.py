import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from timeline import dates

D = datetime.date


@pytest.mark.parametrize(
    ("value", "earliest", "latest", "precision", "approximate", "uncertain"),
    [
        ("2004-01-22", D(2004, 1, 22), D(2004, 1, 22), "day", False, False),
        ("2003-10", D(2003, 10, 1), D(2003, 10, 31), "month", False, False),
        ("2004-02", D(2004, 2, 1), D(2004, 2, 29), "month", False, False),
        ("1971", D(1971, 1, 1), D(1971, 12, 31), "year", False, False),
        ("1971-07-18/1971-07-20", D(1971, 7, 18), D(1971, 7, 20), "range", False, False),
        ("2003-10/2004-02", D(2003, 10, 1), D(2004, 2, 29), "range", False, False),
        ("1952-04~", D(1952, 4, 1), D(1952, 4, 30), "month", True, False),
        ("2004-02-11~", D(2004, 2, 11), D(2004, 2, 11), "day", True, False),
        ("1970?", D(1970, 1, 1), D(1970, 12, 31), "year", False, True),
        ("1952-04%", D(1952, 4, 1), D(1952, 4, 30), "month", True, True),
        ("197X", D(1970, 1, 1), D(1979, 12, 31), "decade", False, False),
        ("19XX", D(1900, 1, 1), D(1999, 12, 31), "century", False, False),
        ("1970-10~/1971-08", D(1970, 10, 1), D(1971, 8, 31), "range", True, False),
    ],
)
def test_parse_gives_bounds_precision_and_qualifiers(value, earliest, latest, precision, approximate, uncertain):
    parsed = dates.parse(value)

    assert (parsed.earliest, parsed.latest) == (earliest, latest)
    assert parsed.precision == precision
    assert (parsed.approximate, parsed.uncertain) == (approximate, uncertain)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter an EDTF date."),
        ("January 1970", "“January 1970” is not a valid EDTF date."),
        ("2004-13-01", "“2004-13-01” is not a valid EDTF date."),
        ("2004-02-30", "“2004-02-30” is not a valid EDTF date."),
        ("1972/1971", "“1972/1971” ends before it starts."),
        ("../2007-08", "“../2007-08” is open-ended or has an unknown end; give both ends of the range."),
        ("-0500", "“-0500” is outside the supported years 1–9999."),
        ("Y-170000002", "“Y-170000002” is outside the supported years 1–9999."),
        ("2004-01-22T10:00:00", "“2004-01-22T10:00:00” has a time of day; give the date only."),
    ],
)
def test_parse_rejects_invalid_values_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as excinfo:
        dates.parse(value)

    assert excinfo.value.messages[0].startswith(message)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2004-01-22", "22 January 2004"),
        ("2003-10", "October 2003"),
        ("1971", "1971"),
        ("1952-04~", "c. April 1952"),
        ("1970?", "1970?"),
        ("1952-04%", "c. April 1952?"),
        ("197X", "1970s"),
        ("1971-07-18/1971-07-20", "18–20 July 1971"),
        ("2003-10-03/2003-11-05", "3 October – 5 November 2003"),
        ("1970-10/1970-12", "October–December 1970"),
        ("1931/1937", "1931–1937"),
        ("2003-10/2004-02", "October 2003 – February 2004"),
        ("1970-10~/1971-08", "c. October 1970 – August 1971"),
        ("", "undated"),
    ],
)
def test_display_renders_the_real_precision(value, shown):
    assert dates.display(value) == shown


@pytest.mark.parametrize(
    ("value", "ends"),
    [
        ("2004-01-22", ("day", "day")),
        ("1971-07/1982~", ("month", "year")),
        ("1971-07-18/1971-07-20", ("day", "day")),
        ("2003-12-31/2004-01", ("day", "month")),
    ],
)
def test_end_precisions_gives_each_end_of_a_range(value, ends):
    assert dates.end_precisions(value) == ends


RANGES = [
    "1971-07/1982~",
    "1971-07-18/1971-07-20",
    "2003-12-31/2004-01",
    "1952/1964",
    "1952?/1964-11-04%",
    "2004-02-11~/2004-02-12",
    "1971/..",
    "../1971",
    "1970/",
    "19XX/2004",
    "2001-21/2002",
    "1971-07-18T10:00:00/1971-07-20",
    "2004-02-31/2004-03",
]


@pytest.mark.parametrize("value", RANGES)
def test_end_precisions_read_from_the_text_agree_with_the_edtf_package(value):
    try:
        expected = dates.parsed_end_precisions(value)
    except Exception as error:  # the text reading must refuse what the package refuses
        with pytest.raises(type(error)):
            dates.end_precisions(value)
        return
    assert dates.end_precisions(value) == expected


def test_end_precisions_of_every_real_and_synthetic_range_agree_with_the_edtf_package():
    import json
    import random

    from timeline import synthetic

    fixture = json.loads((settings.BASE_DIR / "fixtures" / "bolivia-third-uprising-2004.json").read_text())
    values = {row["fields"].get("date_edtf", "") for row in fixture} | {
        synthetic._edtf(random.Random(seed))["date_edtf"]  # noqa: S311 (reproducible test data)
        for seed in range(2000)
    }
    ranges = sorted(value for value in values if "/" in value)

    assert len(ranges) > 100
    assert [dates.end_precisions(value) for value in ranges] == [dates.parsed_end_precisions(value) for value in ranges]
