"""Consistency constraints between indicators: parsing, units, violations, reporting."""

from __future__ import annotations

import copy

import pytest

import projection
from projection import ScenarioError, UnitError
from projection.scenario.constraints import parse_constraint
from projection.text import format_years


def src(value, unit=None):
    p = {"value": value, "source": "assumption: test"}
    if unit:
        p["unit"] = unit
    return p


BASE = {
    "name": "c",
    "horizon": {"start": 2025, "end": 2030},
    "indicators": {
        "traffic": {
            "unit": "Gbps",
            "model": "exponential",
            "params": {"start": src(300, "Gbps"), "rate": src(0.5)},
        },
        "capacity": {
            "unit": "Tbps",
            "model": "linear",
            "params": {"start": src(0.45, "Tbps"), "slope": src(0.1, "Tbps/yr")},
        },
    },
    "constraints": {"fits": {"expression": "traffic <= capacity", "source": "definition: test"}},
}


def test_planted_violation_is_caught_with_years_and_margin():
    p = projection.run(BASE)
    assert len(p.violations) == 1
    v = p.violations[0]
    # traffic 300 e^(0.5 d) Gbps against a capacity of 450 + 100 d Gbps, d = year - 2025
    traffic = {y: 300 * 2.718281828459045 ** (0.5 * (y - 2025)) for y in range(2025, 2031)}
    capacity = {y: 450 + 100 * (y - 2025) for y in range(2025, 2031)}
    expected = [y for y in traffic if traffic[y] > capacity[y]]
    assert v.years.tolist() == expected
    assert v.unit == "Gbps"  # the left side's unit; the right side is converted from Tbps
    for y, m in zip(v.years, v.margin):
        assert m == pytest.approx(capacity[int(y)] - traffic[int(y)])
    frame = projection.check_constraints(p)
    assert frame["year"].tolist() == expected and (frame["margin"] < 0).all()


def test_clean_file_passes():
    clean = copy.deepcopy(BASE)
    clean["indicators"]["traffic"]["params"]["rate"]["value"] = 0.0
    p = projection.run(clean)
    assert p.violations == [] and projection.check_constraints(p).empty


def test_constant_side_with_unit():
    m = copy.deepcopy(BASE)
    m["constraints"] = {"cap": {"expression": "capacity <= 0.8 Tbps", "source": "definition: t"}}
    v = projection.run(m).violations
    assert v and v[0].years.tolist() == [2029, 2030]  # 0.85 and 0.95 Tbps


def test_equal_sides_hold_despite_rounding():
    m = copy.deepcopy(BASE)
    m["constraints"] = {"eq": {"expression": "capacity <= 450 Gbps", "source": "definition: t"}}
    m["indicators"]["capacity"]["params"]["slope"]["value"] = 0.0
    assert projection.run(m).violations == []


@pytest.mark.parametrize(
    "expression, error, message",
    [
        ("traffic <= capacity <= 5 Tbps", ScenarioError, "exactly one of"),
        ("traffic", ScenarioError, "exactly one of"),
        ("traffic <= capacty", ScenarioError, "did you mean 'capacity'"),
        ("traffic <= 5 GW", UnitError, "different dimensions"),
        ("traffic.real <= capacity", ScenarioError, "attribute"),
    ],
)
def test_bad_constraints_are_validation_errors(expression, error, message):
    m = copy.deepcopy(BASE)
    m["constraints"]["fits"]["expression"] = expression
    with pytest.raises(error, match=message) as info:
        projection.load_scenario(m)
    assert info.value.path == "constraints.fits.expression"


def test_shipped_scenarios_show_the_papers_traffic_above_capacity():
    """The paper's 480 Gbps of traffic against its 450 Gbps capacity is a violation in 2025 in
    every shipped scenario, by 30 Gbps."""
    for name in ("baseline", "paper-targets", "accelerated", "delayed"):
        v = {x.constraint: x for x in projection.run(f"scenarios/{name}.yaml").violations}
        fits = v["traffic_within_capacity"]
        assert fits.years[0] == 2025 and fits.margin[0] == pytest.approx(-30.0)


def test_parse_and_format_helpers():
    c = parse_constraint("solar_share >= 0.5 * other")
    assert (
        c.op == ">="
        and c.rhs.expression is not None
        and sorted(c.names) == ["other", "solar_share"]
    )
    assert format_years([2025, 2026, 2027, 2029]) == "2025-2027, 2029"
    assert format_years([2025, 2030, 2035], step=5) == "2025-2035"
