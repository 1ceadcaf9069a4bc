"""Levers x uncertainties (projection.explore): the same members in every setting, outcomes
equal to separate runs, regret and satisficing, and the refusals."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection.analysis.levers import parse_sweep
from projection.exceptions import ProjectionError, ScenarioError

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "scenarios" / "paper-targets.yaml"
RATE = "indicators.ev_sales_share.params.rate"


def paper() -> dict:
    return projection.load_scenario(PAPER).to_dict()


def test_paper_levers_are_declared_with_sources():
    s = projection.load_scenario(PAPER)
    assert list(s.levers) == ["ev_incentives", "cable_upgrade"]
    assert s.levers["cable_upgrade"].settings() == [2027, 2028, 2029]
    rows = {r["path"]: r for r in s.sources()}
    assert rows["levers.ev_incentives"]["kind"] == "assumption"
    assert "0.55, 0.7, 0.85" in rows["levers.ev_incentives"]["value"]


def test_a_setting_that_moves_a_distribution_equals_an_ensemble_of_that_scenario():
    """Moving a distribution's mean keeps the same uncertain inputs, so the setting's members
    are exactly those of an ensemble of the overridden scenario with the same seed: the
    probabilities and first years agree to the member."""
    x = projection.explore(PAPER, levers=["ev_incentives"], samples=3000, seed=4)
    frame = x.to_frame().set_index(["ev_incentives", "target"])
    s = projection.load_scenario(PAPER)
    for mean in (0.55, 0.85):
        e = projection.run(
            s.with_overrides({f"{RATE}.distribution.mean": mean}), samples=3000, seed=4
        )
        t = projection.evaluate_targets(e).set_index("target")
        for tid in ("T1", "T2c", "T2d"):
            assert frame.loc[(mean, tid), "probability"] == t.loc[tid, "probability"]
            assert frame.loc[(mean, tid), "first_year_median"] == t.loc[tid, "first_year_median"]


def test_a_deterministic_sweep_equals_runs_with_set():
    """Without samples each setting is one run at the point values: its gap and first year
    are those of `run` with the same override."""
    values = [0.5, 0.7, 0.9]
    x = projection.explore(PAPER, sweep={RATE: values}, target="T1")
    frame = x.to_frame()
    assert frame["samples"].eq(0).all()
    s = projection.load_scenario(PAPER)
    for v, (_, row) in zip(values, frame.iterrows()):
        t = projection.evaluate_targets(projection.run(s.with_overrides({RATE: v})))
        t = t.set_index("target").loc["T1"]
        assert row["gap_median"] == pytest.approx(t["gap"], rel=1e-12)
        assert row["probability"] == (1.0 if t["status"] == "met" else 0.0)
        assert row["first_year_median"] == t["first_year"]


def test_regret_is_the_shortfall_against_the_best_setting():
    """Deterministically, the regret of a setting is the best setting's margin minus its
    own; the highest rate is best for an at-least target, so its regret is 0."""
    x = projection.explore(PAPER, sweep={RATE: [0.5, 0.7, 0.9]}, target="T1")
    gaps = x.to_frame()["gap_median"].to_numpy()
    assert x.regret_max[:, 0] == pytest.approx(gaps.max() - gaps)
    assert x.regret_max[-1, 0] == 0
    assert x.minimax_regret("T1") == {"ev_sales_share.rate": 0.9}


def test_satisficing_is_every_target_met_in_the_same_member():
    x = projection.explore(PAPER, samples=2000, seed=1)
    rob = x.robustness()
    assert rob["rank"].is_monotonic_increasing
    table = x.probability_table()
    # never above the least likely target of the setting, and 0 where one target always fails
    assert (table["all"] <= table[list(x.targets)].min(axis=1) + 1e-12).all()
    late = table[table["cable_upgrade"] == 2029]
    assert (late["T2c"] == 0).all() and (late["all"] == 0).all()
    # the cable does not touch T1: the same members give the same T1 in every cable year
    for _, group in table.groupby("ev_incentives"):
        assert group["T1"].nunique() == 1
    assert x.best()["cable_upgrade"] in (2027, 2028)
    assert x.best()["ev_incentives"] == 0.85
    # ties are said as such: 2027 and 2028 give the same members meeting every target
    assert (
        "most robust (satisficing): ev_incentives = 0.85, cable_upgrade = 2027 or 2028"
        in x.summary()
    )
    assert "least regret on T1: ev_incentives = 0.85, any cable_upgrade" in x.summary()


def test_exploration_does_not_depend_on_blocks():
    """Members are drawn by block: an exploration across two blocks equals one drawn in
    the same blocks as an ensemble (the T1 probability of a distribution lever)."""
    n = 2**16 + 500
    x = projection.explore(PAPER, levers=["ev_incentives"], samples=n, seed=9, target="T1")
    s = projection.load_scenario(PAPER).with_overrides({f"{RATE}.distribution.mean": 0.7})
    e = projection.run(s, samples=n, seed=9)
    p = projection.evaluate_targets(e).set_index("target").loc["T1", "probability"]
    assert x.to_frame().set_index("ev_incentives").loc[0.7, "probability"] == p


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.3, 1.2), min_size=2, max_size=5, unique=True))
def test_probability_never_falls_as_the_rate_rises(rates):
    """Invariant: for an at-least target on a logistic share, a higher rate (everything else
    the same, members shared) is met in at least as many members."""
    rates = sorted(rates)
    x = projection.explore(
        PAPER, sweep={f"{RATE}.distribution.mean": rates}, samples=300, seed=3, target="T1"
    )
    p = x.probability_table()["T1"].to_numpy()
    assert np.all(np.diff(p) >= 0)


def test_parse_sweep_forms_and_refusals():
    assert parse_sweep("a.b=1,2,5") == ("a.b", [1, 2, 5])
    assert parse_sweep("a.b=0:1:3") == ("a.b", [0.0, 0.5, 1.0])
    for bad, message in [
        ("a.b=0:1:1", "N must be at least 2"),
        ("a.b=1:0:3", "LO must be below HI"),
        ("a.b", "expected PATH=LO:HI:N"),
        ("a.b=1:x:3", "expected PATH=LO:HI:N"),
        ("a.b=1", "at least two distinct values"),
    ]:
        with pytest.raises(ProjectionError, match=message):
            parse_sweep(bad)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"levers": ["nope"]}, "unknown lever 'nope'"),
        ({"target": "T9"}, "unknown target 'T9'"),
        ({"sweep": {RATE: [0.5]}}, "at least two values"),
        ({"sweep": {"indicators.ev_sales_share.params.rte": [0.5, 0.6]}}, "did you mean 'rate'"),
        ({}, "sets a distribution: give samples"),
        (
            {
                "sweep": {
                    RATE: list(np.linspace(0.3, 1.2, 101)),
                    "indicators.ev_sales_share.params.ceiling": list(range(30, 131)),
                }
            },
            "at most 10,000",
        ),
    ],
)
def test_bad_explorations_are_refused(kwargs, message):
    with pytest.raises(ProjectionError, match=message):
        projection.explore(PAPER, **kwargs)


def test_a_scenario_without_levers_asks_for_a_sweep():
    data = paper()
    data.pop("levers")
    with pytest.raises(ProjectionError, match="declares no levers"):
        projection.explore(data)


def test_a_lever_value_the_scenario_cannot_take_names_the_lever():
    data = paper()
    data["levers"]["cable_upgrade"]["values"] = [2027, 2031]  # after the 12 Tbps milestone
    with pytest.raises(ScenarioError, match="cable_upgrade"):
        projection.explore(data, samples=10, seed=1)


@pytest.mark.parametrize(
    "lever, message",
    [
        ({"path": RATE, "values": [1], "source": "assumption: x"}, "at least 2 items"),
        ({"path": RATE, "values": [1, 1], "source": "assumption: x"}, "distinct"),
        ({"path": RATE, "lower": 1, "upper": 2, "source": "assumption: x"}, "all three"),
        ({"path": RATE, "lower": 2, "upper": 1, "n": 3, "source": "assumption: x"}, "below"),
        (
            {"path": RATE, "values": [1, 2], "lower": 1, "upper": 2, "n": 2, "source": "a"},
            "not both",
        ),
        ({"path": RATE, "values": [1, 2]}, "source"),
        ({"path": RATE, "values": [1, 10**400], "source": "a"}, "too large"),  # fuzz
        ({"path": RATE, "lower": 0, "upper": 10**200, "n": 3, "source": "a"}, "finite numbers"),
        (
            {"path": "indicators.ev_sales_share.params.rat", "values": [1, 2], "source": "a"},
            "did you mean 'rate'",
        ),
    ],
)
def test_bad_levers_are_refused_where_they_are_written(lever, message):
    data = paper()
    data["levers"] = {"x": copy.deepcopy(lever)}
    with pytest.raises(ScenarioError, match=message) as info:
        projection.load_scenario(data)
    assert "levers.x" in str(info.value)


def test_plots_of_one_and_two_levers():
    one = projection.explore(PAPER, sweep={RATE: [0.5, 0.9]}, target="T1")
    assert len(one.plot().axes) == 1
    two = projection.explore(PAPER, samples=200, seed=1)
    fig = two.plot()
    assert len(fig.axes) == len(two.targets) + 2  # a heat map per target, all, colour bar
    assert len(two.plot_robustness().axes) == len(two.targets)
    meta = two.metadata()
    assert meta["samples"] == 200 and [lv["name"] for lv in meta["levers"]] == list(two.names)
