"""Checks of plain arguments (projection.validation): whole and real numbers, "did you mean",
and the one years syntax."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projection.exceptions import OutputError, ProjectionError
from projection.validation import (
    closest,
    is_whole_number,
    parse_years,
    real_number,
    suggest,
    whole_number,
)

# --------------------------------------------------------------------------- whole numbers


@pytest.mark.parametrize(
    "value, whole",
    [
        (0, True),
        (-3, True),
        (10**30, True),
        (np.int64(5), True),
        (np.int8(-1), True),
        (np.uint32(7), True),
        (True, False),
        (False, False),
        (np.bool_(True), False),
        (2.0, False),
        (np.float64(2.0), False),
        ("2", False),
        (None, False),
    ],
)
def test_is_whole_number(value, whole):
    assert is_whole_number(value) is whole


def test_whole_number_returns_a_plain_int():
    assert whole_number("workers", 2, minimum=1) == 2
    got = whole_number("samples", np.int64(7), minimum=1)
    assert got == 7 and type(got) is int
    assert whole_number("n", -5) == -5  # no bounds: any whole number


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_whole_number_refuses_booleans(value):
    with pytest.raises(ProjectionError, match=rf"^workers must be .* \(got {value!r}\)$"):
        whole_number("workers", value, minimum=0)


@pytest.mark.parametrize("value", [2.0, 2.5, "2", None, [2]])
def test_whole_number_refuses_non_integers(value):
    with pytest.raises(ProjectionError, match=r"^seed must be a whole number"):
        whole_number("seed", value)


@pytest.mark.parametrize(
    "value, minimum, maximum, message",
    [
        (0, 1, None, "samples must be a positive whole number (got 0)"),
        (0, 1, 100_000_000, "samples must be a whole number from 1 to 100,000,000 (got 0)"),
        (200_000_000, 1, 100_000_000, "from 1 to 100,000,000 (got 200000000)"),
        (-1, 0, None, "samples must be a whole number >= 0 (got -1)"),
        (11, None, 10, "samples must be a whole number <= 10 (got 11)"),
        (5000, 2, None, None),  # in range
    ],
)
def test_whole_number_range_messages_name_the_argument(value, minimum, maximum, message):
    if message is None:  # in range: accepted
        assert whole_number("samples", value, minimum=minimum, maximum=maximum) == value
        return
    with pytest.raises(ProjectionError) as info:
        whole_number("samples", value, minimum=minimum, maximum=maximum)
    assert message in str(info.value)
    assert str(info.value).startswith("samples must be")


def test_whole_number_bounds_are_inclusive():
    assert whole_number("n", 1, minimum=1, maximum=3) == 1
    assert whole_number("n", 3, minimum=1, maximum=3) == 3


def test_whole_number_raises_the_class_asked_for():
    with pytest.raises(OutputError, match="chunk must be"):
        whole_number("chunk", 0, minimum=1, error=OutputError)


# --------------------------------------------------------------------------- real numbers


@pytest.mark.parametrize(
    "value, expected",
    [(2, 2.0), (-1.5, -1.5), (0, 0.0), (np.float32(0.5), 0.5), (np.int64(3), 3.0)],
)
def test_real_number_accepts(value, expected):
    got = real_number("confidence", value)
    assert got == expected and type(got) is float


@pytest.mark.parametrize(
    "value", [True, False, np.bool_(False), float("nan"), float("inf"), -float("inf"), "1", None]
)
def test_real_number_refuses(value):
    with pytest.raises(ProjectionError, match=r"^tol must be a finite number \(got "):
        real_number("tol", value)


@pytest.mark.parametrize("value", [0, -1.0, 0.0])
def test_real_number_positive(value):
    assert real_number("tol", value) == value  # fine without positive=
    with pytest.raises(ProjectionError, match=r"^tol must be a positive number"):
        real_number("tol", value, positive=True)
    assert real_number("tol", 1e-300, positive=True) == 1e-300


def test_real_number_raises_the_class_asked_for():
    with pytest.raises(OutputError):
        real_number("dpi", float("nan"), error=OutputError)


# --------------------------------------------------------------------------- did you mean


def test_closest_and_suggest():
    options = ["start", "ceiling", "rate"]
    assert closest("cieling", options) == "ceiling"
    assert closest("rat", options) == "rate"
    assert closest("zzzz", options) is None
    assert closest("x", []) is None
    assert suggest("cieling", options) == ", did you mean 'ceiling'?"
    assert suggest("zzzz", options) == ""


def test_closest_takes_any_options_as_text():
    assert closest(2031, [2030, 1990]) == "2030"
    assert closest("ev_share", {"ev_sales_share": 1, "grid": 2}) == "ev_sales_share"


# --------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2030", [2030]),
        ("2025,2030", [2025, 2030]),
        (" 2025 , 2030 ", [2025, 2030]),
        ("2030,2025", [2030, 2025]),  # the order given is kept
        ("2025:2028", [2025, 2026, 2027, 2028]),  # both ends included
        ("2030:2030", [2030]),
        ("2025:2040:5", [2025, 2030, 2035, 2040]),
        ("2025:2041:5", [2025, 2030, 2035, 2040]),  # the end need not be on the step
        ("2025:2027:10", [2025]),
        ("2025,2030:2032", [2025, 2030, 2031, 2032]),
        ("2020:2022,2030:2040:10", [2020, 2021, 2022, 2030, 2040]),
        ("2025,,2026,", [2025, 2026]),  # empty parts are skipped
    ],
)
def test_parse_years_text(text, expected):
    assert parse_years(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("2030:2025", "the range 2030:2025 runs backwards"),
        ("abc", "'abc' is not a year"),
        ("2025-2030", "'2025-2030' is not a year"),
        ("2025.5", "'2025.5' is not a year"),
        ("2025:", "'2025:' is not a year"),
        ("2025:2030:0", "'2025:2030:0' is not a range"),
        ("2025:2030:-5", "is not a range"),
        ("2025:2030:5:1", "is not a range"),
        ("", "is empty"),
        (" , ", "is empty"),
    ],
)
def test_parse_years_refuses_bad_text_naming_the_option(text, fragment):
    with pytest.raises(ProjectionError) as info:
        parse_years(text, name="--years")
    message = str(info.value)
    assert message.startswith("--years")
    assert fragment in message


def test_parse_years_default_name():
    with pytest.raises(ProjectionError, match=r"^years 'x':"):
        parse_years("x")


@pytest.mark.parametrize(
    "years, expected",
    [
        ([2030, 2025], [2030, 2025]),
        ((2025,), [2025]),
        (range(2025, 2028), [2025, 2026, 2027]),
        (np.array([2025, 2030]), [2025, 2030]),
        ((y for y in (2040, 2041)), [2040, 2041]),
    ],
)
def test_parse_years_iterables_of_whole_numbers(years, expected):
    got = parse_years(years)
    assert got == expected
    assert all(type(y) is int for y in got)


@pytest.mark.parametrize(
    "years", [[2025, True], [False], [2025.0], ["2025"], np.array([2025.0]), [None]]
)
def test_parse_years_refuses_what_is_not_a_whole_number(years):
    with pytest.raises(ProjectionError, match="a year must be a whole number"):
        parse_years(years)


def test_parse_years_refuses_an_empty_iterable():
    with pytest.raises(ProjectionError, match="--years is empty"):
        parse_years([], name="--years")


@pytest.mark.parametrize("year", [2030, np.int64(2030)])
def test_parse_years_takes_a_bare_year(year):
    got = parse_years(year)
    assert got == [2030] and type(got[0]) is int


@pytest.mark.parametrize("years", [True, False, np.bool_(True), 2030.0, None, object()])
def test_parse_years_refuses_what_is_not_years_naming_the_option(years):
    # a boolean is not the year 1, and a float or None is not a list of years: a
    # ProjectionError, never a TypeError from list()
    with pytest.raises(ProjectionError) as info:
        parse_years(years, name="--years")
    assert str(info.value).startswith("--years")
    assert repr(years) in str(info.value)


@settings(max_examples=80)
@given(
    st.integers(min_value=1900, max_value=2200),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=1, max_value=12),
)
def test_a_range_gives_every_step_from_start_to_at_most_end(start, width, step):
    """``START:END:STEP`` gives START, START+STEP, ... up to END (included when on the step):
    the first is START, the gaps are STEP, the last is within STEP of END."""
    end = start + width
    years = parse_years(f"{start}:{end}:{step}")
    assert years[0] == start
    assert all(b - a == step for a, b in zip(years, years[1:]))
    assert years[-1] <= end < years[-1] + step
    assert parse_years(f"{start}:{end}") == list(range(start, end + 1))
