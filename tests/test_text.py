"""Numbers, years, shares and probabilities as text (projection.text)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projection.text import (
    count,
    format_probability,
    format_share,
    format_value,
    format_year_shares,
    format_years,
    one_line,
    printable,
)

# --------------------------------------------------------------------------- format_value


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (4000.0, "Gbps", "4,000 Gbps"),
        (1234567.8, "GW", "1,234,568 GW"),  # >= 1000: no decimals, separators
        (-2500.0, "GW", "-2,500 GW"),
        (0.0, "GW", "0 GW"),
        (-0.0, "GW", "0 GW"),
        (3.89612, "%", "3.896 %"),  # four significant digits
        (12.34567, "%", "12.35 %"),
        (123.456, "TWh", "123.5 TWh"),
        (0.000123456, "", "0.0001235"),  # no unit: no trailing space
        (2.5, "", "2.5"),
        (2.0, "GW", "2 GW"),  # trailing zeros and the point dropped
        (10.0, "%", "10 %"),
        (999.96, "GW", "1,000 GW"),  # rounds up across the thousands boundary cleanly
    ],
)
def test_format_value(value, unit, expected):
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    "value, expected", [(math.inf, "inf GW"), (-math.inf, "-inf GW"), (math.nan, "nan GW")]
)
def test_format_value_non_finite(value, expected):
    assert format_value(value, "GW") == expected


@settings(max_examples=100)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(lambda v: v != 0))
def test_format_value_reads_back_within_four_significant_digits(value):
    """The number format_value writes, read back, is the value to within half a unit in the
    fourth significant digit (or to the nearest whole number for values of 1000 and more)."""
    text = format_value(value, "GW")
    assert text.endswith(" GW")
    back = float(text[: -len(" GW")].replace(",", ""))
    tolerance = 0.5 if abs(value) >= 1000 else 0.5 * 10 ** (math.floor(math.log10(abs(value))) - 3)
    assert abs(back - value) <= tolerance * (1 + 1e-9)


# --------------------------------------------------------------------------- format_years


@pytest.mark.parametrize(
    "years, step, expected",
    [
        ([], 1, ""),
        ([2030], 1, "2030"),
        ([2025, 2026, 2027, 2030], 1, "2025-2027, 2030"),
        ([2025, 2027, 2029], 1, "2025, 2027, 2029"),
        ([2025, 2027, 2029], 2, "2025-2029"),
        ([2025, 2030, 2035], 5, "2025-2035"),
        ([2025, 2030, 2040], 5, "2025-2030, 2040"),
        ([2025, 2026], 5, "2025, 2026"),  # one year apart is not a run at step 5
        (range(2025, 2031), 1, "2025-2030"),
        (np.array([2025, 2026, 2028]), 1, "2025-2026, 2028"),  # numpy ints
        ((y for y in (2030, 2031)), 1, "2030-2031"),  # any iterable
        (["2025", 2026.0], 1, "2025-2026"),  # anything int() takes
    ],
)
def test_format_years(years, step, expected):
    assert format_years(years, step) == expected


def parse_back(text: str, step: int) -> list[int]:
    """Expand ``"2025-2027, 2030"`` (runs ``step`` apart) into the list of years."""
    if not text:
        return []
    out: list[int] = []
    for part in text.split(", "):
        first, _, last = part.partition("-")
        out.extend(range(int(first), int(last or first) + 1, step))
    return out


@settings(max_examples=100)
@given(
    st.lists(st.integers(min_value=1, max_value=3000), max_size=30),
    st.integers(min_value=1, max_value=10),
)
def test_format_years_parses_back(years, step):
    """Any list of (positive) years, written by format_years and expanded again run by run,
    gives back exactly the input years, in order (nothing dropped, merged or invented)."""
    assert parse_back(format_years(years, step), step) == years


@settings(max_examples=100)
@given(st.sets(st.integers(min_value=1900, max_value=2200), min_size=1, max_size=40))
def test_sorted_distinct_years_give_the_fewest_runs(years):
    """For sorted distinct years the number of runs written is the number of gaps plus one."""
    ys = sorted(years)
    gaps = sum(1 for a, b in zip(ys, ys[1:]) if b - a != 1)
    assert len(format_years(ys).split(", ")) == gaps + 1


# --------------------------------------------------------------------------- format_share


@pytest.mark.parametrize(
    "k, n, expected",
    [
        (0, 10, "0 %"),
        (10, 10, "100 %"),
        (11, 10, "100 %"),  # more than all is all
        (-1, 10, "0 %"),
        (5, 0, "n/a"),
        (0, -3, "n/a"),
        (50, 100, "50 %"),
        (1, 3, "33.3 %"),
        (2, 3, "66.7 %"),
        (1, 1000, "0.1 %"),  # exactly 0.1 %: shown, not "< 0.1 %"
        (999, 1000, "99.9 %"),
        (1, 1001, "< 0.1 %"),  # some, though fewer than 0.1 %
        (1000, 1001, "> 99.9 %"),  # not all, though more than 99.9 %
        (1, 10**8, "< 0.1 %"),
        (10**8 - 1, 10**8, "> 99.9 %"),
    ],
)
def test_format_share(k, n, expected):
    assert format_share(k, n) == expected


SHARE = re.compile(r"^(?:(< 0\.1|> 99\.9)|(\d+(?:\.\d+)?)) %$")


@settings(max_examples=100)
@given(
    st.integers(min_value=1, max_value=10**9).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_format_share_never_rounds_some_to_none_or_all(kn):
    """format_share(k, n) is "0 %" only for k = 0 and "100 %" only for k = n; in between it
    is a percentage strictly between 0 and 100 (or "< 0.1 %" / "> 99.9 %") within rounding
    of 100 k / n."""
    k, n = kn
    text = format_share(k, n)
    assert (text == "0 %") == (k == 0)
    assert (text == "100 %") == (k == n)
    if 0 < k < n:
        m = SHARE.match(text)
        assert m is not None, text
        pct = 100 * k / n
        if m.group(1) == "< 0.1":
            assert pct < 0.1
        elif m.group(1) == "> 99.9":
            assert pct > 99.9
        else:
            shown = float(m.group(2))
            assert 0 < shown < 100
            assert shown == pytest.approx(pct, rel=5e-3)


# --------------------------------------------------------------------------- format_year_shares


def test_year_shares_of_one_member_are_plain_runs():
    assert format_year_shares([2025, 2026, 2028], [1, 1, 1], n=1) == "2025-2026, 2028"
    # a year with a count of 0 is left out
    assert format_year_shares([2025, 2026, 2027], [1, 0, 1], n=1) == "2025, 2027"
    assert format_year_shares([2025, 2030, 2035], [1, 1, 1], n=1, step=5) == "2025-2035"


def test_year_shares_list_each_run_once_with_of_members_on_the_first():
    text = format_year_shares([2030, 2031, 2032, 2034], [10, 10, 0, 10], n=20)
    # 10 of 20 members is 50 %; 2032 has no member and splits the years into two runs
    assert text == "2030-2031 (50 % of members), 2034 (50 %)"
    text = format_year_shares([2025, 2026, 2027, 2028], [3, 3, 1, 2], n=3)
    assert text == "2025-2026 (100 % of members), 2027 (33.3 %), 2028 (66.7 %)"
    assert text.count("of members") == 1


def test_year_shares_join_runs_with_the_step():
    text = format_year_shares([2025, 2030, 2035, 2040], [3, 3, 3, 1], n=6, step=5)
    assert text == "2025-2035 (50 % of members), 2040 (16.7 %)"


def test_year_shares_with_no_member_in_any_year_is_empty():
    assert format_year_shares([2025, 2026], [0, 0], n=10) == ""
    assert format_year_shares([], [], n=10) == ""


def test_more_runs_than_the_limit_are_summed_up():
    # shares alternate 50 % / 10 %: 8 runs of one year each, more than the default 6
    years = list(range(2040, 2048))
    counts = [5, 1] * 4
    text = format_year_shares(years, counts, n=10)
    assert text == "2040-2047 (10-50 % of members; most in 2040, 2042, 2044, 2046)"
    # at the limit itself the runs are still listed one by one
    listed = format_year_shares(years[:6], counts[:6], n=10)
    assert listed.count("(") == 6 and "most in" not in listed
    # a lower limit sums up earlier
    assert "most in" in format_year_shares(years[:3], counts[:3], n=10, limit=2)


def test_summary_with_a_share_below_a_tenth_of_a_percent_says_up_to():
    # 1 of 10,000 is "< 0.1 %": a range "< 0.1-0.2 %" would not read, so "up to 0.2 %"
    years = list(range(2030, 2037))
    counts = [1, 20, 1, 20, 1, 20, 1]
    text = format_year_shares(years, counts, n=10_000)
    assert text == "2030-2036 (up to 0.2 % of members; most in 2031, 2033, 2035)"


def test_runs_with_the_same_shown_share_merge():
    # 1..7 of 10,000 all read "< 0.1 %": one run, not seven
    text = format_year_shares(range(2030, 2037), range(1, 8), n=10_000)
    assert text == "2030-2036 (< 0.1 % of members)"


@settings(max_examples=60)
@given(
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=25),
    st.integers(min_value=2, max_value=50),
)
def test_year_shares_name_exactly_the_years_with_members(counts, n):
    """Whichever form format_year_shares takes (runs or a summary), the years it names are
    exactly the years with a count above 0."""
    counts = [min(c, n) for c in counts]
    years = list(range(2030, 2030 + len(counts)))
    text = format_year_shares(years, counts, n=n)
    with_members = [y for y, c in zip(years, counts) if c > 0]
    if not with_members:
        assert text == ""
        return
    if "most in" in text:
        named = parse_back(text.split(" (")[0], 1)
    else:
        named = []
        for part in re.findall(r"(\d{4}(?:-\d{4})?) \(", text):
            named += parse_back(part, 1)
    assert named == with_members


# --------------------------------------------------------------------------- format_probability


def test_probability_with_its_standard_error():
    assert format_probability(0.594, 0.0156, 1000) == "0.594 ± 0.016"
    assert format_probability(0.5, 0.0, 0) == "0.500 ± 0.000"  # n = 0: no bound to state


@pytest.mark.parametrize(
    "p, n, expected",
    [
        # 3 / 300 = 0.01
        (0.0, 300, "0.000 (< 0.010)"),
        (1.0, 300, "1.000 (> 0.990)"),
        # 3 / 7 = 0.42857...: the bound is rounded away from the estimate (conservative)
        (0.0, 7, "0.000 (< 0.429)"),
        (1.0, 7, "1.000 (> 0.571)"),
        # 3 / 30,000 = 0.0001: more digits, enough to show the bound is not 0 or 1
        (0.0, 30_000, "0.000 (< 0.0001)"),
        (1.0, 30_000, "1.000 (> 0.9999)"),
        # 3 / n above 1 is capped at 1
        (0.0, 2, "0.000 (< 1.000)"),
        (1.0, 2, "1.000 (> 0.000)"),
    ],
)
def test_rule_of_three_at_zero_and_one(p, n, expected):
    assert format_probability(p, 0.0, n) == expected


@settings(max_examples=100)
@given(st.integers(min_value=4, max_value=10**9), st.sampled_from([0.0, 1.0]))
def test_rule_of_three_bound_is_conservative_and_not_trivial(n, p):
    """At p = 0 the stated bound is at least 3 / n and above 0; at p = 1 it is at most
    1 - 3 / n and below 1; either way it is within one shown digit of the exact bound."""
    text = format_probability(p, 0.0, n)
    m = re.fullmatch(r"(0\.000|1\.000) \(([<>]) (\d\.\d+)\)", text)
    assert m is not None, text
    shown, digits = float(m.group(3)), len(m.group(3)) - 2
    exact = 3 / n
    if p == 0.0:
        assert m.group(1) == "0.000" and m.group(2) == "<"
        assert 0 < shown and shown >= exact * (1 - 1e-12)
        assert shown - exact <= 10**-digits * (1 + 1e-9)
    else:
        assert m.group(1) == "1.000" and m.group(2) == ">"
        assert shown < 1 and shown <= (1 - exact) * (1 + 1e-12)
        assert (1 - exact) - shown <= 10**-digits * (1 + 1e-9)


# --------------------------------------------------------------------------- printable


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain", "plain"),
        ("élan 25 % ± 1", "élan 25 % ± 1"),  # printable non-ASCII is kept
        ("\x1b[2J", "\\x1b[2J"),
        ("a\rb", "a\\rb"),
        ("two\nlines", "two\\nlines"),
        ("tab\there", "tab\\there"),
        ("nul\x00", "nul\\x00"),
        ("line\u2028sep", "line\\u2028sep"),
        (42, "42"),
    ],
)
def test_printable(text, expected):
    out = printable(text)
    assert out == expected
    assert out.isprintable() and "\n" not in out and "\r" not in out


@settings(max_examples=100)
@given(st.text())
def test_printable_is_one_printable_line(text):
    """Whatever the text, printable() gives one printable line, and text that is already
    printable comes back unchanged."""
    out = printable(text)
    assert out.isprintable()
    if text.isprintable():
        assert out == text


def test_one_line_and_count():
    assert one_line("a\n  b\r\n\tc") == "a b c"
    assert one_line("x\x1b[2Jy") == "x\\x1b[2Jy"
    assert one_line(None) == ""
    assert count(1, "target") == "1 target"
    assert count(0, "target") == "0 targets"
    assert count(2, "member", "members of the ensemble") == "2 members of the ensemble"
