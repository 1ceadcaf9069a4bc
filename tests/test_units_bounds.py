"""Unit text is bounded before pint sees it (projection.units_bounds), on every path into pint.

pint evaluates the arithmetic in a unit: ``Gbps**9**9**9`` computes ``9**387420489`` for
minutes. Every function of :mod:`projection.units` that takes unit text (and the scenario,
``--set`` and history paths that use them) refuses such text with a one-line
:class:`~projection.UnitError` in a fraction of a second, before pint and before the disk cache
is asked. The time limits below are generous: they guard against a hang, not for speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import projection_command
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
import projection.units as units
from projection import UnitError
from projection.analysis.calibrate import read_history
from projection.scenario.model import convert
from projection.units_bounds import (
    MAX_EXPONENT,
    MAX_FORMATTED_LENGTH,
    MAX_SCALE,
    MAX_UNIT_DEPTH,
    MAX_UNIT_LENGTH,
    check_unit_text,
)
from projection.units_cache import _entries

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
HANG_GUARD = 1.0  # seconds: each refusal takes microseconds; pint would take minutes

TOWERS = ["Gbps**9**9**9", "Gbps^9^9^9", "9**9**9", "Gbps**(9**9**9)", "((((9**9)**9)**9)**9)"]

# (text, part of the message)
REFUSED = [
    ("Gbps**9**9**9", "raises a power to a power"),
    ("Gbps^9**9", "raises a power to a power"),
    ("9**9**9", "raises a power to a power"),
    ("Gbps**(9**9)", "is not closed"),
    ("((((9**9)**9)**9)**9)", "has an exponent of 81, too large"),
    ("Gbps**11", "has an exponent of 11, too large (expected exponents between -10 and 10"),
    ("Gbps**-11", "has an exponent of 11"),
    ("(m**4)**3", "has an exponent of 12"),
    ("m**99999999999", "has an exponent of 1e+11"),
    ("m**x", "the exponent 'x' is not a plain number"),
    ("m**1e400", "the exponent '1e400' is not finite"),
    ("G" * (MAX_UNIT_LENGTH + 1), f"is too long ({MAX_UNIT_LENGTH + 1} characters, at most 100"),
    ("(" * 6 + "m" + ")" * 6, "nests parentheses more than 5 deep"),
    ("m²", "has the character '²'"),
    ("m·s", "has the character '·'"),
    ("9,999 GW", "has the character ','"),
    ("GW;", "has the character ';'"),
    ("GW)", "cannot parse unit 'GW)' (unexpected ')'"),
    ("(GW", "a '(' is not closed"),
    ("GW/", "it ends where a name or number is expected"),
    ("-1", "'-' where a name or number is expected"),
    ("%**200", "has an exponent of 200"),
    ("Ybit**5/s", "is out of range: it is about 1e120 times its base unit (bit ** 5 / second)"),
    ("ybit**5", "is out of range: it is about 1e-120 times its base unit (bit ** 5)"),
    ("(Ybit/ybit)**7*Gbps", "its factor to its base unit (bit / second) overflows"),
    ("%**10*%**10*%**10*%**10*%**10*%**10", "about 1e-120 times its base unit (a plain ratio)"),
]

ACCEPTED = [
    "", "1", "dimensionless", "%", "Gbps", "Tbps", "GW", "TWh", "1/yr", "%/yr", "GW / yr",
    "kg*m^2/s**3", "s**-1", "s**(-1)", "s^-2", "m**0.5", "(GW/yr)**2", "(m**2)**5", "GW GW",
    "°C", "degC", "‰", "µs", "Ω", "GW per yr", "m squared", "Ybit**4/s", "%**10", "ppm**-5",
    "  TWh  ", "Gbps" + "*bit/bit" * 12,
]  # fmt: skip


@pytest.fixture(autouse=True, scope="module")
def _pint_built():
    """pint imported and its registry built before anything is timed: the guard times the
    refusal, not pint's start-up."""
    units.registry()


def timed(fn, *args):
    """``fn(*args)``'s result or exception, and the seconds it took."""
    start = time.monotonic()
    try:
        out = fn(*args)
    except Exception as err:  # noqa: BLE001 - returned for the test to check
        out = err
    return out, time.monotonic() - start


# ------------------------------------------------------------------------------ the bounds


def test_the_limits_are_what_the_docs_say():
    assert (MAX_UNIT_LENGTH, MAX_EXPONENT, MAX_UNIT_DEPTH, MAX_SCALE) == (100, 10, 5, 1e100)
    text = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for name in ("MAX_UNIT_LENGTH", "MAX_EXPONENT", "MAX_UNIT_DEPTH", "MAX_SCALE"):
        assert f"projection.units_bounds.{name}" in text, name


@pytest.mark.parametrize("text, fragment", REFUSED)
def test_out_of_bounds_text_is_refused_with_one_line(text, fragment):
    err, seconds = timed(units.parse_unit, text)
    assert isinstance(err, UnitError), err
    assert fragment in str(err) and "\n" not in str(err), str(err)
    assert seconds < HANG_GUARD


@pytest.mark.parametrize("text", ACCEPTED)
def test_ordinary_units_pass(text):
    assert len(text) <= MAX_UNIT_LENGTH
    check_unit_text(text)
    units.check_unit(text)  # and pint parses them, within the scale


def test_one_past_each_limit_is_refused_and_the_limit_itself_is_not():
    check_unit_text("m" * MAX_UNIT_LENGTH)
    check_unit_text(f"m**{MAX_EXPONENT}")
    check_unit_text("(" * MAX_UNIT_DEPTH + "m" + ")" * MAX_UNIT_DEPTH)
    for text in (
        "m" * (MAX_UNIT_LENGTH + 1),
        f"m**{MAX_EXPONENT + 1}",
        "(" * (MAX_UNIT_DEPTH + 1) + "m" + ")" * (MAX_UNIT_DEPTH + 1),
    ):
        with pytest.raises(UnitError):
            check_unit_text(text)


def test_pint_formatted_units_have_looser_limits():
    """The unit of a derived expression (pint's long names, the expression's exponents) is
    checked against MAX_FORMATTED_LENGTH and MAX_FORMATTED_EXPONENT; a tower never passes."""
    long_unit = " * ".join(["gigabit_per_second", "terawatt_hour", "gigawatt", "hour"] * 3)
    assert MAX_UNIT_LENGTH < len(long_unit) < MAX_FORMATTED_LENGTH
    check_unit_text(long_unit, formatted=True)
    check_unit_text("percent ** 20", formatted=True)
    assert units.exact_factor("percent ** 20", "") == pytest.approx(1e-40)
    with pytest.raises(UnitError, match="too long"):
        check_unit_text(long_unit)
    for tower in TOWERS:
        with pytest.raises(UnitError):
            check_unit_text(tower, formatted=True)
    # a factor that underflows to 0 is refused, not returned
    with pytest.raises(UnitError, match="out of range"):
        units.exact_factor("percent ** 200", "")


ENTRY_POINTS = {
    "parse_unit": lambda u: units.parse_unit(u),
    "check_unit": lambda u: units.check_unit(u),
    "parse_quantity (value)": lambda u: units.parse_quantity(f"5 {u}"),
    "parse_quantity (unit)": lambda u: units.parse_quantity(5, u),
    "conversion_factor (from)": lambda u: units.conversion_factor(u, "Gbps"),
    "conversion_factor (to)": lambda u: units.conversion_factor("Gbps", u),
    "exact_factor": lambda u: units.exact_factor(u, "Gbps"),
    "dimension_of": lambda u: units.dimension_of(u),
    "is_share": lambda u: units.is_share(u),
    "share_cap": lambda u: units.share_cap(u),
    "unit_text": lambda u: units.unit_text(u),
    "unit_label": lambda u: units.unit_label(u),
}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("tower", TOWERS)
def test_every_entry_point_refuses_a_tower_without_pint(entry, tower, monkeypatch):
    """Every function of projection.units that takes unit text refuses a tower before pint
    parses anything: pint's parser is replaced by one that fails the test."""

    def no_pint(*args, **kwargs):  # pragma: no cover - reached only on a failure
        raise AssertionError(f"{entry} sent {tower!r} to pint")

    monkeypatch.setattr(units.registry(), "parse_expression", no_pint)
    units._parse_unit.cache_clear()
    try:
        err, seconds = timed(ENTRY_POINTS[entry], tower)
    finally:
        units._parse_unit.cache_clear()
    assert isinstance(err, UnitError), err
    assert seconds < HANG_GUARD


@pytest.mark.parametrize("entry", ["conversion_factor (from)", "dimension_of", "unit_text"])
def test_the_disk_cache_never_answers_for_text_out_of_bounds(entry):
    """An answer planted in the cache under a tower's key is never given: the bounds are
    checked before the cache is asked."""
    tower = "Gbps**9**9**9"
    planted = {
        "conversion_factor (from)": (["factor", tower, "Gbps", True], 1.0),
        "dimension_of": (["dimension", tower], "[information] / [time]"),
        "unit_text": (["text", tower], "gigabit_per_second"),
    }[entry]
    key = json.dumps(planted[0], separators=(",", ":"))
    entries = _entries()
    entries[key] = planted[1]
    try:
        with pytest.raises(UnitError, match="raises a power to a power"):
            ENTRY_POINTS[entry](tower)
    finally:
        entries.pop(key, None)


def test_a_legitimate_unit_is_still_answered_from_the_cache():
    """The bounds do not stop the cache from answering for a unit within them."""
    assert units.conversion_factor("Tbps", "Gbps") == 1000.0
    key = json.dumps(["factor", "Tbps", "Gbps", True], separators=(",", ":"))
    assert _entries()[key] == 1000.0


# ----------------------------------------------------------------- numbers and conversions


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("5e GW", "'5e' has no exponent digits"),
        ("5e", "'5e' has no exponent digits"),
        ("5E*GW", "'5E' has no exponent digits"),
        ("5e+ GW", "cannot read a number"),
    ],
)
def test_a_number_followed_by_a_bare_e_is_refused(text, fragment):
    with pytest.raises(UnitError, match=fragment):
        units.parse_quantity(text)


@pytest.mark.parametrize(
    "text, expected",
    [("5eV", (5.0, "eV")), ("5 eV", (5.0, "eV")), ("5e3 GW", (5000.0, "GW")), ("5EJ", (5.0, "EJ"))],
)
def test_a_unit_starting_with_e_still_reads(text, expected):
    assert units.parse_quantity(text) == expected


@pytest.mark.parametrize(
    "quantity, to_unit, fragment",
    [
        ((1e300, "Tbps"), "kbps", r"1e\+300 Tbps overflows in 'kbps'"),
        ((5e-324, "Gbps"), "Tbps", "Gbps underflows to 0 in 'Tbps'"),
        ((1e150, "Ybit**4/s"), "ybit**4/s", "overflows"),
    ],
)
def test_a_conversion_that_overflows_or_underflows_is_a_unit_error(quantity, to_unit, fragment):
    with pytest.raises(UnitError, match=fragment):
        convert(quantity, to_unit)


def test_converting_zero_and_small_values_is_fine():
    assert convert((0.0, "Gbps"), "Tbps") == 0.0
    assert convert((1e-300, "Tbps"), "Gbps") == pytest.approx(1e-297)
    assert units.share_cap("%**10") == pytest.approx(1e20)  # 1 = 1e20 %**10


# ----------------------------------------------------------- scenarios, --set and histories

CORPUS = [
    "unit-exponent-tower.yaml",
    "unit-too-long.yaml",
    "value-unit-tower.yaml",
    "unit-exponent-large.yaml",
    "unit-overflow.yaml",
    "unit-underflow.yaml",
    "unit-scale-overflow.yaml",
    "share-unit-overflow.yaml",
    "value-exponent-no-digits.yaml",
]
HISTORIES = [
    "history/unit-tower-header.csv",
    "history/unit-tower-column.csv",
    "history/near-float-max.csv",
    "history/unit-out-of-range.csv",
]


@pytest.mark.parametrize("case", CORPUS)
def test_corpus_scenarios_are_refused_within_a_second(case):
    err, seconds = timed(projection.load_scenario, BAD / case)
    assert isinstance(err, UnitError), err
    assert err.path and err.line, str(err)
    assert seconds < HANG_GUARD, seconds


@pytest.mark.parametrize("case", HISTORIES)
def test_corpus_histories_are_refused_within_a_second(case):
    err, seconds = timed(lambda: read_history(BAD / case, unit="%"))
    assert isinstance(err, projection.ScenarioError), err
    assert err.file == str(BAD / case) and err.line, str(err)
    assert seconds < HANG_GUARD, seconds


def test_set_with_an_exponent_tower_is_one_line_and_exit_2():
    """``projection run ... --set indicators.ofc_capacity.unit=Gbps**9**9**9``: exit 2, one
    located line, no traceback, well within the timeout (pint alone would take minutes)."""
    done = subprocess.run(
        [
            *projection_command(),
            "run",
            "scenarios/paper-targets.yaml",
            "--set",
            "indicators.ofc_capacity.unit=Gbps**9**9**9",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert (
        "indicators.ofc_capacity.unit: unit 'Gbps**9**9**9' raises a power to a power" in lines[0]
    )


# ------------------------------------------------------------------------------ fuzzing

_PIECES = st.sampled_from(
    ["Gbps", "GW", "%", "m", "s", "yr", "Ybit", "ybit", "9", "99", "1e308", "0", "0.5", "e",
     "*", "/", "**", "^", " ", "(", ")", "-", "+", "**9**9", "**99", "²", ",", "ppm", "_x"]
)  # fmt: skip
UNIT_TEXT = st.one_of(
    st.lists(_PIECES, max_size=25).map("".join),
    st.text(alphabet="Gbps%m9()*/^ -.e", max_size=60),
    st.sampled_from(TOWERS),
)


@settings(max_examples=300, deadline=None)
@given(text=UNIT_TEXT)
def test_any_unit_text_is_parsed_or_refused_quickly(text):
    """Invariant: any unit text built from unit names, numbers, operators and parentheses is
    either a unit (whose scale is within MAX_SCALE, and which converts to itself with factor
    1) or refused with a one-line UnitError; either way within a second."""
    out, seconds = timed(units.check_unit, text)
    assert seconds < HANG_GUARD, (text, seconds)
    if isinstance(out, Exception):
        assert isinstance(out, UnitError), f"{type(out).__name__}: {out}"
        assert str(out).strip() and "\n" not in str(out)
        return
    assert len(text) <= MAX_UNIT_LENGTH
    assert units.conversion_factor(text, text) == 1.0
    if units.is_share(text):
        assert 0 < units.share_cap(text) < float("inf")


def test_a_tower_does_not_hang_a_fresh_process():
    """The hang guard end to end, in a process of its own: pint never sees the tower."""
    code = (
        "import time; from projection.units import parse_unit\n"
        "t = time.monotonic()\n"
        "try:\n    parse_unit('Gbps**9**9**9')\n"
        "except Exception as e:\n    print(type(e).__name__, round(time.monotonic() - t, 3))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    name, seconds = done.stdout.split()
    assert name == "UnitError" and float(seconds) < HANG_GUARD, done.stdout + done.stderr
