"""What would it take: solving for the parameter value that meets a target exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import projection
from projection.analysis.solve import SOLVE_RTOL
from projection.engine.targets import MET


def test_baseline_ev_rate_matches_the_closed_form():
    # logistic: 30 = 60 expit(5 r + logit(2/60))  =>  r = (logit(0.5) - logit(1/30)) / 5 = ln(29) / 5
    sol = projection.solve(
        "scenarios/baseline.yaml", target="T1", param="indicators.ev_sales_share.params.rate"
    )
    assert sol.found and sol.unit == "1/yr" and sol.current == 0.35
    assert sol.value == pytest.approx(math.log(29) / 5, rel=1e-9)
    assert sol.achieved == pytest.approx(30.0, rel=SOLVE_RTOL)
    rerun = projection.evaluate_targets(projection.run(sol.scenario)).set_index("target")
    assert rerun.loc["T1", "status"] == MET


def test_no_value_within_bounds_is_said_clearly():
    sol = projection.solve(
        "scenarios/baseline.yaml", target="T1", param="indicators.ev_sales_share.params.ceiling"
    )
    assert not sol.found and sol.value is None
    assert "no value of indicators.ev_sales_share.params.ceiling" in sol.message


def test_parameter_that_does_not_matter():
    sol = projection.solve(
        "scenarios/baseline.yaml", target="T1", param="indicators.ofc_traffic.params.rate"
    )
    assert not sol.found and "does not depend on" in sol.message


def test_user_bounds_and_milestone_values():
    sol = projection.solve(
        "scenarios/baseline.yaml",
        target="T2b",
        param="indicators.ofc_traffic.params.start",
        bounds=(100, 900),
    )
    # 1000 = x e^(0.2 * 2) bent under a 4 Tbps ceiling: about 670 Gbps
    assert sol.found and 600 < sol.value < 700 and sol.bounds == (100.0, 900.0)
    too_narrow = projection.solve(
        "scenarios/baseline.yaml",
        target="T2b",
        param="indicators.ofc_traffic.params.start",
        bounds=(100, 500),
    )
    assert not too_narrow.found


def test_bad_requests():
    with pytest.raises(projection.ScenarioError, match="unknown target"):
        projection.solve(
            "scenarios/baseline.yaml", target="T9", param="indicators.ev_sales_share.params.rate"
        )
    with pytest.raises(projection.ScenarioError, match="no parameter"):
        projection.solve(
            "scenarios/baseline.yaml", target="T1", param="indicators.ev_sales_share.params.slope"
        )
    with pytest.raises(projection.ScenarioError, match="years are discrete"):
        projection.solve(
            "scenarios/baseline.yaml",
            target="T2c",
            param="indicators.ofc_capacity.milestones.0.year",
        )


@settings(max_examples=25, deadline=None)
@given(
    start=st.floats(0.5, 10),
    ceiling=st.floats(40, 100),
    required=st.floats(1, 39),
    year=st.integers(2026, 2040),
    which=st.sampled_from(["rate", "start", "ceiling"]),
)
def test_solve_round_trips(start, ceiling, required, year, which):
    """Whenever solve finds a value, setting the parameter to it meets the target, with the
    projected value within SOLVE_RTOL (relative) of the required one."""
    assume(required > start)
    scenario = {
        "name": "p",
        "horizon": {"start": 2025, "end": 2040},
        "indicators": {
            "s": {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": {"value": start, "unit": "%", "source": "assumption: t"},
                    "ceiling": {"value": ceiling, "unit": "%", "source": "assumption: t"},
                    "rate": {"value": 0.3, "unit": "1/yr", "source": "assumption: t"},
                },
            }
        },
        "targets": {
            "T": {
                "indicator": "s",
                "year": year,
                "at_least": f"{required} %",
                "source": "assumption: t",
            }
        },
    }
    sol = projection.solve(scenario, target="T", param=f"indicators.s.params.{which}")
    if which == "rate":
        assert sol.found  # a positive rate large enough always gets there
    if sol.found:
        p = projection.run(
            projection.load_scenario(scenario).with_overrides(
                {f"indicators.s.params.{which}": sol.value}
            )
        )
        assert p.value("s", year) == pytest.approx(required, rel=SOLVE_RTOL)
        assert projection.evaluate_targets(p).iloc[0]["status"] == MET
