"""Range targets: ``at_least`` and ``at_most`` written together (the paper's T3, 10-15 %)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import projection
from projection.engine.nodes import CompiledTarget
from projection.engine.targets import MET, MISSED
from projection.engine.tolerance import holds
from projection.render.text import target_cells


def src(value, unit=None):
    p = {"value": value, "source": "assumption: test"}
    if unit:
        p["unit"] = unit
    return p


def linear(year: int, lower="10 %", upper="15 %", **extra) -> dict:
    """A share rising 2 points a year from 2 % in 2025 (12 % in 2030, 22 % in 2035)."""
    return {
        "name": "r",
        "horizon": {"start": 2025, "end": 2035},
        "indicators": {
            "share": {
                "unit": "%",
                "model": "linear",
                "params": {
                    "start": {**src(2, "%"), **extra},
                    "slope": src(2, "%/yr"),
                },
            }
        },
        "targets": {
            "T": {
                "indicator": "share",
                "year": year,
                "at_least": lower,
                "at_most": upper,
                "source": "assumption: t",
            }
        },
    }


def row(mapping) -> pd.Series:
    return projection.evaluate_targets(projection.run(mapping)).iloc[0]


def test_inside_the_range_is_met():
    r = row(linear(2030))
    assert r.bound == "between" and r.required == 10.0 and r.required_upper == 15.0
    assert r.status == MET and r.first_year == 2029 and r.gap == 0.0
    assert target_cells(r)["required"] == "10 % to 15 %"


def test_above_the_range_is_missed_by_the_excess():
    r = row(linear(2035))
    assert r.status == MISSED and r.first_year == 2029
    assert r.gap == pytest.approx(22 - 15) and r.gap_relative == pytest.approx(7 / 15)


def test_below_the_range_is_missed_by_the_shortfall():
    r = row(linear(2027))
    assert r.status == MISSED and r.gap == pytest.approx(6 - 10)


def test_one_sided_targets_have_no_upper_end():
    m = linear(2030)
    del m["targets"]["T"]["at_most"]
    r = row(m)
    assert r.bound == "at_least" and pd.isna(r.required_upper)


def test_inverted_range_is_refused_with_its_place():
    with pytest.raises(projection.ScenarioError) as err:
        projection.load_scenario(linear(2030, lower="15 %", upper="10 %"))
    assert err.value.path == "targets.T.at_most" and "below `at_most`" in str(err.value)


def test_ensemble_probability_is_the_share_of_members_inside():
    """P(met) of a range counts the members between both ends, no more."""
    m = linear(2030, distribution={"type": "uniform", "lower": 0, "upper": 10})
    e = projection.run(m, samples=4000, seed=3, keep_samples=True)
    r = projection.evaluate_targets(e).iloc[0]
    v = e.members["share"][:, 5]  # 2030 = start + 10 %
    assert r.probability == ((v >= 10) & (v <= 15)).mean()
    # inside 10-15 % when start lies in [0, 5]: about half the members
    assert r.probability == pytest.approx(0.5, abs=0.04)


def test_solve_aims_at_the_edge_the_projection_lies_beyond():
    """Above the range the solver finds where it falls to the upper end; below, the lower."""
    above = projection.solve(linear(2035), target="T", param="indicators.share.params.slope")
    assert above.found and above.value == pytest.approx((15 - 2) / 10, rel=1e-6)
    below = projection.solve(linear(2027), target="T", param="indicators.share.params.slope")
    assert below.found and below.value == pytest.approx((10 - 2) / 2, rel=1e-6)


def test_explore_margin_is_the_distance_to_the_nearer_edge():
    m = linear(2030)
    m["levers"] = {
        "pace": {
            "path": "indicators.share.params.slope.value",
            "values": [1.0, 1.5, 2.5],
            "source": "assumption: t",
        }
    }
    x = projection.explore(m, samples=64, seed=1)
    p = x.probability_table().set_index("pace")
    # 2030: 7 %, 9.5 % (below), 14.5 % (inside)
    assert list(p["T"]) == [0.0, 0.0, 1.0]
    assert x.best() == {"pace": 2.5}
    frame = x.to_frame().set_index("pace")
    assert frame.loc[1.0, "gap_median"] == pytest.approx(-3.0)
    # regret: the best setting's margin (0.5 from 15 %) minus this one's (-3)
    assert frame.loc[1.0, "regret_max"] == pytest.approx(3.5)


values = st.floats(-1e6, 1e6, allow_nan=False)


@given(st.lists(values, min_size=1, max_size=20), values, st.floats(0, 1e6))
def test_range_is_both_one_sided_targets(v, lower, width):
    """A value meets a range exactly when it meets the floor and the ceiling as two targets;
    its gap is 0 exactly then, and its margin (distance to the nearer edge) is negative
    exactly when it lies outside beyond the tolerance."""
    upper = lower + width
    t = CompiledTarget("T", "x", 2030, 0, "between", lower, "", "s", upper=upper)
    x = np.array(v)
    ok = t.holds(x)
    np.testing.assert_array_equal(ok, holds(x, "at_least", lower) & holds(x, "at_most", upper))
    inside = (x >= lower) & (x <= upper)
    np.testing.assert_array_equal(t.gap(x) == 0, inside)
    assert (t.margin(x)[inside] >= 0).all() and (t.margin(x)[~ok] < 0).all()
    for side in ("at_least", "at_most"):
        one = t.one_sided(side)
        np.testing.assert_array_equal(
            one.holds(x), holds(x, side, lower if side == "at_least" else upper)
        )
