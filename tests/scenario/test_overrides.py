"""Overrides (``--set``, ``Scenario.with_overrides``) and ``extends``: what a change of unit
does to bare numbers, and which sources an override marks (projection.scenario.overrides,
projection.scenario.bare_units)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection.units import conversion_factor

ROOT = Path(__file__).resolve().parents[2]
BASELINE = projection.load_scenario(ROOT / "scenarios" / "baseline.yaml")
PAPER = projection.load_scenario(ROOT / "scenarios" / "paper-targets.yaml")

CAP = """\
name: cap
horizon: {start: 2025, end: 2030}
indicators:
  cap:
    unit: Gbps
    model: staged
    interpolation: linear
    params:
      start: {value: 450, source: "paper, Future Direction, line 251"}
    milestones:
      - {year: 2027, value: 950, source: "assumption: test"}
      - {year: 2029, value: "2 Tbps", source: "assumption: test"}
  share:
    unit: "%"
    model: linear
    params:
      start: {value: 2, source: "assumption: test"}
      slope: {value: 1.5, source: "assumption: test"}
targets:
  T1: {indicator: cap, year: 2030, at_least: 1500, source: "assumption: test"}
  T2: {indicator: share, year: 2030, at_least: 9, source: "assumption: test"}
"""

BARE = projection.load_scenario(yaml.safe_load(CAP))  # numbers written without units

# units an indicator may be switched to, by the unit it has
OTHER_UNITS = {
    "Gbps": ["Tbps", "Mbps", "Pbps", "kbit/s", "Gbps", "GB/s"],
    "%": ["", "dimensionless", "percent", "%"],
    "GW": ["MW", "TW", "kW", "GW"],
}


@pytest.fixture
def cap(tmp_path):
    (tmp_path / "cap.yaml").write_text(CAP)
    return projection.load_scenario(tmp_path / "cap.yaml")


def test_changing_the_unit_converts_bare_numbers(cap):
    """The issue's case: 450 and 950 Gbps written bare, shown in Tbps, are 0.45 and 0.95 Tbps
    (not 450 and 950 Tbps); the number written with its own unit is unchanged too."""
    tbps = projection.run(cap.with_overrides({"indicators.cap.unit": "Tbps"}))
    gbps = projection.run(cap)
    np.testing.assert_allclose(tbps.central["cap"] * 1000, gbps.central["cap"])
    assert tbps.value("cap", 2025) == pytest.approx(0.45)
    assert tbps.value("cap", 2027) == pytest.approx(0.95)
    assert tbps.value("cap", 2029) == pytest.approx(2.0)
    # the target written bare (1500) meant 1500 Gbps: still met the same way
    t_old, t_new = gbps.targets().set_index("target"), tbps.targets().set_index("target")
    assert t_old.loc["T1", "status"] == t_new.loc["T1", "status"]


def test_a_child_file_with_another_unit_converts_the_parents_bare_numbers(tmp_path, cap):
    """`extends` with a new unit for an indicator: the parent's bare numbers keep the parent's
    unit; the child's own bare numbers are in the child's unit."""
    (tmp_path / "child.yaml").write_text(
        "name: child\nextends: cap.yaml\nindicators:\n  cap:\n    unit: Tbps\n"
    )
    (tmp_path / "child2.yaml").write_text(
        "name: child2\nextends: cap.yaml\nindicators:\n  cap:\n    unit: Tbps\n    milestones:\n"
        "      - {year: 2028, value: 3, source: 'assumption: test'}\n"
    )
    child = projection.run(projection.load_scenario(tmp_path / "child.yaml"))
    np.testing.assert_allclose(child.central["cap"] * 1000, projection.run(cap).central["cap"])
    child2 = projection.run(projection.load_scenario(tmp_path / "child2.yaml"))
    assert child2.value("cap", 2025) == pytest.approx(0.45)  # the parent's 450 Gbps
    assert child2.value("cap", 2028) == pytest.approx(3.0)  # the child's own 3, in Tbps


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_unit_override_never_changes_what_the_numbers_mean(data):
    """Invariant: switching any indicator of a scenario (shipped, or with bare numbers) to another unit of the same
    dimension changes its trajectory only by the conversion factor, and leaves every target's
    status, every other indicator and every derived indicator as they were."""
    scenario = data.draw(st.sampled_from([BARE, BASELINE, PAPER]), label="scenario")
    names = [
        n
        for n, ind in sorted(scenario.indicators.items())
        if ind.model != "derived" and ind.unit in OTHER_UNITS
    ]
    name = data.draw(st.sampled_from(names), label="indicator")
    old = scenario.indicators[name].unit
    new = data.draw(st.sampled_from(OTHER_UNITS[old]), label="unit")
    before = projection.run(scenario)
    after = projection.run(scenario.with_overrides({f"indicators.{name}.unit": new}))
    factor = conversion_factor(old, new or "dimensionless")
    for other in scenario.indicators:
        expected = before.central[other] * (factor if other == name else 1.0)
        np.testing.assert_allclose(after.central[other], expected, rtol=1e-9, err_msg=other)
    status = ["target", "status", "first_year"]
    a = before.targets()[status].astype(str)
    b = after.targets()[status].astype(str)
    assert a.equals(b)


def test_overriding_a_milestone_value_marks_only_the_value(cap):
    """An override marks exactly what it set: a milestone's year keeps its source when only
    the value is overridden, whether the path ends at the value or at the milestone."""
    for path in ("indicators.cap.milestones.0.value", "indicators.cap.milestones.0"):
        s = cap.with_overrides({path: "2 Tbps"})
        rows = {r["path"]: r for r in s.sources() if r["path"].startswith("indicators.cap.mile")}
        assert rows["indicators.cap.milestones.0.value"]["kind"] == "override"
        assert rows["indicators.cap.milestones.0.year"]["kind"] == "assumption"
        assert rows["indicators.cap.milestones.0.year"]["source"] == "assumption: test"
        assert sum(r["kind"] == "override" for r in s.sources()) == 1


def test_overriding_a_milestone_year_marks_only_the_year(cap):
    s = cap.with_overrides({"indicators.cap.milestones.1.year": 2028})
    rows = {r["path"]: r["kind"] for r in s.sources()}
    assert rows["indicators.cap.milestones.1.year"] == "override"
    assert rows["indicators.cap.milestones.1.value"] == "assumption"
    assert sum(k == "override" for k in rows.values()) == 1


@pytest.mark.parametrize(
    "path, value", [("targets.T1.at_least", "1.5 Tbps"), ("targets.T1.year", 2029)]
)
def test_overriding_a_target_marks_the_target(cap, path, value):
    """A target has one source, for its year and its bound alike: an override of either marks
    it (and never adds a milestone's `year_source`, which a target does not have)."""
    s = cap.with_overrides({path: value})
    rows = {r["path"]: r for r in s.sources()}
    assert rows["targets.T1.at_least"]["kind"] == "override"
    assert rows["targets.T1.at_least"]["source"] == f"override: {path}={value}"
    assert sum(r["kind"] == "override" for r in rows.values()) == 1
