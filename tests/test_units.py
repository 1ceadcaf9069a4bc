"""Units: parsing units and quantities, conversion factors, shares, and the information dimension.

Facts are checked against pint itself (a fresh, unmodified registry where the question is what
pint says) and against hand arithmetic (1 GB = 8e9 bit, 1 % = 0.01).
"""

from __future__ import annotations

import math

import numpy as np
import pint
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projection.exceptions import ProjectionError, ScenarioError, UnitError
from projection.units import (
    Quantity,
    conversion_factor,
    dimension_text,
    exact_factor,
    is_share,
    parse_quantity,
    parse_unit,
    share_cap,
    ureg,
)

# --------------------------------------------------------------------------- parse_unit


@pytest.mark.parametrize("text", ["", "  ", "1", "dimensionless"])
def test_empty_and_one_are_dimensionless(text):
    assert parse_unit(text) == ureg.dimensionless


@pytest.mark.parametrize(
    "text, same_as",
    [
        ("Gbps", "gigabit / second"),
        ("Tbps", "terabit / second"),
        ("GW", "gigawatt"),
        ("TWh", "terawatt * hour"),
        ("1/yr", "1 / year"),
        ("%", "percent"),
    ],
)
def test_parse_unit_gives_the_named_unit(text, same_as):
    unit = parse_unit(text)
    assert isinstance(unit, pint.Unit)
    # same dimension and same size as pint's spelled-out unit
    assert unit.dimensionality == ureg.Unit(same_as).dimensionality
    assert Quantity(1.0, unit).to(same_as).magnitude == pytest.approx(1.0, rel=1e-15)


def test_tbps_is_terabit_per_second_not_terabaud():
    # 4 Tbps = 4e12 bit/s
    assert Quantity(4.0, parse_unit("Tbps")).to("bit/s").magnitude == pytest.approx(4e12)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("foo", "cannot parse unit 'foo'"),
        ("GW x", "cannot parse unit 'GW x'"),
        ("4 Tbps", "is a quantity, not a unit"),
        ("1000 GW", "is a quantity, not a unit"),
    ],
)
def test_parse_unit_refuses_non_units(text, fragment):
    with pytest.raises(UnitError, match=fragment):
        parse_unit(text)


@pytest.mark.parametrize("value", [None, 3, 2.5, ("GW",)])
def test_parse_unit_refuses_non_strings(value):
    with pytest.raises(UnitError, match="unit must be a string"):
        parse_unit(value)


@pytest.mark.parametrize("value", [["GW"], {"unit": "GW"}])
def test_parse_unit_refuses_unhashable_non_strings(value):
    with pytest.raises(UnitError, match="unit must be a string"):
        parse_unit(value)


def test_unit_error_is_a_scenario_error():
    # callers that catch ScenarioError (or ProjectionError, or ValueError) see unit errors too
    assert issubclass(UnitError, ScenarioError)
    assert issubclass(UnitError, ProjectionError)
    assert issubclass(UnitError, ValueError)


# --------------------------------------------------------------------------- parse_quantity


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        ("4 Tbps", None, (4.0, "Tbps")),
        ("4Tbps", None, (4.0, "Tbps")),
        ("25%", None, (25.0, "%")),
        ("25 %", None, (25.0, "%")),
        ("  16.5   GW  ", None, (16.5, "GW")),
        ("0.35 1/yr", None, (0.35, "1/yr")),
        ("12", None, (12.0, "")),
        ("-3 GW", None, (-3.0, "GW")),
        ("+3 GW", None, (3.0, "GW")),
        ("1_000 GW", None, (1000.0, "GW")),
        # exponents are part of the number...
        ("1e3 GW", None, (1000.0, "GW")),
        ("2.5E-3 %", None, (0.0025, "%")),
        ("5e+2GW", None, (500.0, "GW")),
        # ...but a unit that starts with e/E is not an exponent
        ("5 EJ", None, (5.0, "EJ")),
        ("5EJ", None, (5.0, "EJ")),
        ("2eV", None, (2.0, "eV")),
        ("5e-3EJ", None, (0.005, "EJ")),
        # a bare number takes the unit given beside it
        (4, "Tbps", (4.0, "Tbps")),
        (25, "%", (25.0, "%")),
        (2.5, None, (2.5, "")),
        (np.float64(2.5), "GW", (2.5, "GW")),
        ("7", "GW", (7.0, "GW")),
    ],
)
def test_parse_quantity(value, unit, expected):
    got = parse_quantity(value, unit)
    assert got == expected
    assert type(got[0]) is float


def test_five_exajoule_is_energy():
    magnitude, unit = parse_quantity("5 EJ")
    assert Quantity(magnitude, parse_unit(unit)).to("J").magnitude == pytest.approx(5e18)


@pytest.mark.parametrize(
    "value, unit, fragment",
    [
        ("4 Tbps", "Gbps", "give the unit once"),
        ("abc", None, "cannot read a number in 'abc'"),
        ("GW 4", None, "cannot read a number"),
        ("", None, "cannot read a number"),
        ("inf GW", None, "cannot read a number"),
        ("4 furlongz", None, "cannot parse unit"),
        (True, None, "got True"),
        (False, "%", "got False"),
        (None, None, "got NoneType"),
        ([4], "GW", "got list"),
        (float("nan"), "GW", "must be finite"),
        (float("inf"), None, "must be finite"),
        ("1e999 GW", None, "must be finite"),
        (10**400, None, "too large"),
    ],
)
def test_parse_quantity_refuses(value, unit, fragment):
    with pytest.raises(UnitError, match=fragment):
        parse_quantity(value, unit)


# --------------------------------------------------------------------------- conversion factors


def test_tbps_to_gbps_is_exactly_1000():
    # pint's own factor is 1000.0000000000001; the rounded factor is the round number
    assert conversion_factor("Tbps", "Gbps") == 1000.0
    assert conversion_factor(" Tbps ", "Gbps ") == 1000.0


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("%", "", 0.01),
        ("", "%", 100.0),
        ("ppm", "", 1e-6),
        ("GW", "MW", 1000.0),
        ("MW", "GW", 0.001),
        ("TWh", "GWh", 1000.0),
        ("1/month", "1/yr", 12.0),
        ("GB", "bit", 8e9),  # a byte is 8 bits, giga is 1e9
        ("byte", "bit", 8.0),
        ("Gbps", "Mbps", 1000.0),
        ("Gbps", "Gbps", 1.0),
        ("kWh", "MJ", 3.6),  # 1000 W * 3600 s = 3.6e6 J
    ],
)
def test_conversion_factor_by_hand(a, b, expected):
    assert conversion_factor(a, b) == expected


@pytest.mark.parametrize("a, b", [("Gbps", "%"), ("GW", "TWh"), ("1/yr", "Gbps"), ("%", "GW")])
def test_mismatched_dimensions_raise_naming_both(a, b):
    with pytest.raises(UnitError) as info:
        conversion_factor(a, b)
    text = str(info.value)
    assert repr(a) in text and repr(b) in text
    assert "does not fit" in text
    assert dimension_text(parse_unit(b)) in text and dimension_text(parse_unit(a)) in text


def test_dimensionless_is_named_in_words():
    with pytest.raises(UnitError, match=r"'dimensionless'.*dimensionless \(a share\)"):
        conversion_factor("GW", "")


@pytest.mark.parametrize(
    "a, b",
    [
        ("Tbps", "Gbps"),
        ("GW", "MW"),
        ("kW", "GW"),
        ("EJ", "TWh"),
        ("%", ""),
        ("ppm", "%"),
        ("1/month", "1/yr"),
        ("h", "yr"),
        ("GW/yr", "MW/month"),
        ("GB", "bit"),
    ],
)
def test_exact_factor_is_what_pint_multiplies_by(a, b):
    """``x * exact_factor(a, b)`` is ``Quantity(x, a).to(b).magnitude`` bit for bit."""
    factor = exact_factor(a, b)
    assert factor == Quantity(1.0, a).to(b).magnitude  # x = 1: the factor itself
    for x in (3.0, 0.1, -7.25, 1e-30, 6.02e23, 123456.789):
        assert x * factor == Quantity(x, a).to(b).magnitude
    # pint units are accepted as well as strings
    assert exact_factor(parse_unit(a), parse_unit(b)) == factor
    # the rounded factor differs from the exact one by at most the 15-digit rounding
    assert conversion_factor(a, b) == pytest.approx(factor, rel=1e-14)


def test_exact_factor_is_not_rounded():
    # 1 Tbps = 1e12 bit/s and 1 Gbps = 1e9 bit/s are two rounded floats: their ratio is not
    # exactly 1000 in floating point, and exact_factor keeps what pint computes
    assert exact_factor("Tbps", "Gbps") == Quantity(1.0, "Tbps").to("Gbps").magnitude
    with pytest.raises(UnitError):
        exact_factor("GW", "%")


# --------------------------------------------------------------------------- shares


@pytest.mark.parametrize(
    "unit, cap",
    [("%", 100.0), ("", 1.0), (" % ", 100.0), ("ppm", 1e6), ("Gbps", math.inf), ("GW", math.inf)],
)
def test_share_cap(unit, cap):
    assert share_cap(unit) == cap


@pytest.mark.parametrize(
    "unit, share",
    [("%", True), ("", True), ("ppm", True), ("1/yr", False), ("Gbps", False), ("GW", False)],
)
def test_is_share(unit, share):
    assert is_share(unit) is share


# --------------------------------------------------------------------------- information


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("bit", "[information]"),
        ("byte", "[information]"),
        ("GB", "[information]"),
        ("baud", "[information] / [time]"),
        ("bps", "[information] / [time]"),
        ("Gbps", "[information] / [time]"),
        ("Tbps", "[information] / [time]"),
        ("Mbps", "[information] / [time]"),
    ],
)
def test_information_has_its_own_dimension(unit, expected):
    assert str(parse_unit(unit).dimensionality) == expected
    assert not is_share(unit)


def test_plain_pint_would_confuse_a_rate_with_a_capacity():
    """Why the registry redefines ``bit``: in pint's default registry a bit is dimensionless,
    so a growth rate (1/yr) and a data rate (bit/s) would share a dimension."""
    plain = pint.UnitRegistry(cache_folder=None)
    assert plain.Unit("bit / second").dimensionality == plain.Unit("1 / year").dimensionality
    assert parse_unit("Gbps").dimensionality != parse_unit("1/yr").dimensionality


@pytest.mark.parametrize("rate", ["1/yr", "1/s", "Hz"])
def test_a_rate_does_not_convert_to_gbps(rate):
    with pytest.raises(UnitError):
        conversion_factor(rate, "Gbps")
    with pytest.raises(UnitError):
        conversion_factor("Gbps", rate)


def test_gigabyte_is_eight_billion_bits():
    assert conversion_factor("GB", "bit") == 8e9
    assert conversion_factor("bit", "GB") == pytest.approx(1.25e-10, rel=1e-15)


# --------------------------------------------------------------------------- properties

GROUPS = [
    ["GW", "MW", "kW"],
    ["TWh", "GWh", "MWh"],
    ["Gbps", "Tbps", "Mbps"],
    ["%", "", "ppm"],
    ["1/yr", "1/month"],
]


@st.composite
def same_dimension(draw):
    group = draw(st.sampled_from(GROUPS))
    return draw(st.sampled_from(group)), draw(st.sampled_from(group))


@settings(max_examples=80)
@given(same_dimension())
def test_factor_there_and_back_is_one(pair):
    """For two multiplicative units of one dimension, converting there and back multiplies by
    one: ``conversion_factor(a, b) * conversion_factor(b, a) == 1`` within 1e-12."""
    a, b = pair
    assert conversion_factor(a, b) * conversion_factor(b, a) == pytest.approx(1.0, rel=1e-12)
    assert exact_factor(a, b) * exact_factor(b, a) == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=60)
@given(st.sampled_from(GROUPS), st.sampled_from(GROUPS), st.data())
def test_units_of_different_groups_never_convert(g1, g2, data):
    """Units from two different groups (power, energy, data rate, share, growth rate) have
    different dimensions: converting one into the other raises UnitError."""
    a, b = data.draw(st.sampled_from(g1)), data.draw(st.sampled_from(g2))
    if g1 is g2:
        assert conversion_factor(a, b) > 0
    else:
        with pytest.raises(UnitError):
            conversion_factor(a, b)
