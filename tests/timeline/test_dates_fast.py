"""The fast reading of simple EDTF values agrees with the edtf package's full grammar."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from timeline import dates

SINGLES = [
    "2004-01-22",
    "2004-02-29",
    "1900-02-29",
    "2003-10",
    "1971",
    "0950",
    "0001-01-01",
    "2003-02-31",
    "1952-04~",
    "1970?",
    "2001-05-06%",
    "2004-12",
    "9999-12-31",
]
VALUES = [
    *SINGLES,
    *(f"{a}/{b}" for a, b in itertools.product(SINGLES, repeat=2)),
    "1971-07-18/1971-07-20",
    "1971-07-18/1971-08-02",
    "2003-10/2003-12",
    "1970/1982",
]


def full_grammar(value):
    try:
        parsed = dates._parse_edtf(value)
    except ValidationError as exc:
        return ("error", exc.code)
    return parsed, dates._display_edtf(value), dates._end_precisions_edtf(value)


def fast(value):
    try:
        parsed = dates.parse(value)
    except ValidationError as exc:
        return ("error", exc.code)
    return parsed, dates.display(value), dates.end_precisions(value)


@pytest.mark.parametrize("value", VALUES)
def test_fast_reading_agrees_with_the_edtf_package(value, monkeypatch):
    if dates._simple(value) is None:
        pytest.skip("read by the full grammar")
    expected = full_grammar(value)

    assert fast(value) == expected


@pytest.mark.parametrize("value", ["2004-01-22T10:00:00", "197X", "2004-21", "1970-01/..", "[1667,1668]", "-0100"])
def test_other_forms_go_to_the_full_grammar(value):
    assert dates._simple(value) is None
