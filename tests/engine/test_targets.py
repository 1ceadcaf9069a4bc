"""Target status: met, missed, not reached within horizon; first year reached; gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection.engine.targets import MET, MISSED, NOT_REACHED, TARGET_COLUMNS, holds


def src(value, unit=None):
    p = {"value": value, "source": "assumption: test"}
    if unit:
        p["unit"] = unit
    return p


def staged(step_year: int, step_value: str, target: dict) -> dict:
    return {
        "name": "s",
        "horizon": {"start": 2025, "end": 2035},
        "indicators": {
            "cap": {
                "unit": "Gbps",
                "model": "staged",
                "params": {"start": src(450, "Gbps")},
                "milestones": [{"year": step_year, "value": step_value, "source": "assumption: t"}],
            }
        },
        "targets": {"T": {"indicator": "cap", "source": "assumption: t", **target}},
    }


def status(mapping) -> pd.Series:
    return projection.evaluate_targets(projection.run(mapping)).iloc[0]


def test_columns():
    row = projection.evaluate_targets(
        projection.run(staged(2028, "4 Tbps", {"year": 2028, "at_least": "4 Tbps"}))
    )
    assert tuple(row.columns) == TARGET_COLUMNS


def test_exactly_met_at_the_boundary():
    """4 Tbps reached in exactly the target year, in another unit than the target's: met, gap 0."""
    r = status(staged(2028, "4 Tbps", {"year": 2028, "at_least": "4000 Gbps"}))
    assert r.status == MET and r.first_year == 2028 and r.gap == 0.0 and r.gap_relative == 0.0
    assert r.required == 4000.0 and r.projected == 4000.0 and r.unit == "Gbps"


def test_met_one_year_late():
    r = status(staged(2029, "4 Tbps", {"year": 2028, "at_least": "4 Tbps"}))
    assert r.status == MISSED
    assert r.first_year == 2029
    assert r.gap == pytest.approx(450 - 4000) and r.gap_relative == pytest.approx(
        (450 - 4000) / 4000
    )


def test_never_met_within_horizon():
    r = status(staged(2030, "4 Tbps", {"year": 2032, "at_least": "12 Tbps"}))
    assert r.status == NOT_REACHED and pd.isna(r.first_year)


def test_at_most_targets():
    met = status(staged(2030, "4 Tbps", {"year": 2029, "at_most": "1 Tbps"}))
    assert met.status == MET and met.first_year == 2025 and met.gap == pytest.approx(450 - 1000)
    missed = status(staged(2030, "4 Tbps", {"year": 2031, "at_most": "1 Tbps"}))
    assert (
        missed.status == MISSED and missed.first_year == 2025 and missed.gap == pytest.approx(3000)
    )


def test_shipped_scenarios_paper_targets_meets_baseline_shows_gaps():
    runs = [projection.run(f"scenarios/{n}.yaml") for n in ("paper-targets", "baseline", "delayed")]
    t = projection.evaluate_targets(runs).set_index(["scenario", "target"])
    for tid in ("T1", "T2a", "T2b", "T2c", "T2d"):
        assert t.loc[("paper-targets", tid), "status"] == MET
    assert t.loc[("baseline", "T1"), "status"] == MISSED
    assert t.loc[("baseline", "T1"), "gap"] < -15
    assert t.loc[("baseline", "T2d"), "status"] == NOT_REACHED
    assert (t.loc["delayed", "status"] != MET).sum() >= 4


def test_holds_uses_a_relative_tolerance():
    assert holds(np.array([4000.0 * (1 - 1e-12)]), "at_least", 4000.0)[0]
    assert not holds(np.array([4000.0 * (1 - 1e-6)]), "at_least", 4000.0)[0]
    assert holds(np.array([1.0 + 1e-12]), "at_most", 1.0)[0]


LOGISTIC = st.fixed_dictionaries(
    {
        "start": st.floats(0.1, 10),
        "ceiling": st.floats(20, 100),
        "rate": st.floats(-1, 2),
        "year": st.integers(2025, 2040),
        "required": st.floats(0, 100),
    }
)


def logistic_target(d, required=None, bound="at_least"):
    return {
        "name": "l",
        "horizon": {"start": 2025, "end": 2040},
        "indicators": {
            "s": {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": src(d["start"], "%"),
                    "ceiling": src(d["ceiling"], "%"),
                    "rate": src(d["rate"]),
                },
            }
        },
        "targets": {
            "T": {
                "indicator": "s",
                "year": d["year"],
                bound: f"{required if required is not None else d['required']} %",
                "source": "assumption: t",
            }
        },
    }


@settings(max_examples=50, deadline=None)
@given(LOGISTIC, st.floats(0, 50))
def test_raising_the_requirement_never_turns_missed_into_met(d, extra):
    """For an at_least target, raising the required value can only make the status worse:
    a target that is not met stays not met."""
    low = status(logistic_target(d))
    # a share's target lies in 0..100 % (a higher one is refused at load time)
    high = status(logistic_target(d, required=min(d["required"] + extra, 100.0)))
    if low.status != MET:
        assert high.status != MET
    assert high.gap <= low.gap + 1e-9


@settings(max_examples=50, deadline=None)
@given(LOGISTIC, st.sampled_from(["at_least", "at_most"]))
def test_first_year_agrees_with_the_trajectory(d, bound):
    """`first_year` is the first projected year whose value satisfies the bound: the bound
    holds then, and in no earlier year; `status` is met exactly when it holds in the target year."""
    m = logistic_target(d, bound=bound)
    p = projection.run(m)
    r = projection.evaluate_targets(p).iloc[0]
    values = p["s"]
    ok = holds(values.to_numpy(), bound, r.required)
    if pd.isna(r.first_year):
        assert not ok.any() and r.status == NOT_REACHED
    else:
        first = int(r.first_year)
        assert ok[values.index.get_loc(first)]
        assert not ok[: values.index.get_loc(first)].any()
    assert (r.status == MET) == bool(ok[values.index.get_loc(d["year"])])
