"""Ensembles: distributions, sampling, reproducibility, chunking, quantiles, probabilities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

import projection
from projection import ScenarioError
from projection.engine.sampling import SAMPLERS, sample, uncertain_parameters
from projection.scenario.distributions import Distribution


def src(value=None, unit=None, dist=None):
    p = {"source": "assumption: test"}
    if value is not None:
        p["value"] = value
    if unit:
        p["unit"] = unit
    if dist:
        p["distribution"] = dist
    return p


def linear(dist_start=None, dist_slope=None, end=2035):
    return {
        "name": "lin",
        "horizon": {"start": 2025, "end": end},
        "indicators": {
            "x": {
                "unit": "GW",
                "model": "linear",
                "params": {
                    # with a distribution, no value: the point value is its median
                    "start": src(None if dist_start else 10, "GW", dist_start),
                    "slope": src(None if dist_slope else 2, "GW/yr", dist_slope),
                },
            }
        },
        "targets": {
            "T": {"indicator": "x", "year": 2030, "at_least": "21 GW", "source": "assumption: t"}
        },
    }


UNIFORM = {"type": "uniform", "lower": 1, "upper": 3}


def test_same_seed_same_numbers_bit_for_bit():
    a = projection.run("scenarios/paper-targets.yaml", samples=500, seed=7)
    b = projection.run("scenarios/paper-targets.yaml", samples=500, seed=7)
    c = projection.run("scenarios/paper-targets.yaml", samples=500, seed=8)
    for name in a.bands:
        assert np.array_equal(a.bands[name], b.bands[name])
    assert a.to_frame().equals(b.to_frame())
    assert not np.array_equal(a.bands["ev_sales_share"], c.bands["ev_sales_share"])


@pytest.mark.parametrize("chunk", [1, 7, 64, 10_000])
def test_results_do_not_depend_on_chunk_size(chunk):
    ref = projection.run("scenarios/baseline.yaml", samples=300, seed=3, keep_samples=True)
    other = projection.run(
        "scenarios/baseline.yaml", samples=300, seed=3, keep_samples=True, chunk_size=chunk
    )
    for name in ref.bands:
        assert np.array_equal(ref.members[name], other.members[name])
        assert np.array_equal(ref.bands[name], other.bands[name])
    for tid in ref.target_met:
        assert ref.target_met[tid] == other.target_met[tid]
        assert np.array_equal(ref.first_year_counts[tid], other.first_year_counts[tid])
    for name in ref.mean:
        assert np.array_equal(ref.mean[name], other.mean[name])


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_quantiles_are_ordered_in_every_year(sampler):
    e = projection.run(
        "scenarios/baseline.yaml",
        samples=256,
        seed=1,
        sampler=sampler,
        quantiles=(0.05, 0.25, 0.5, 0.75, 0.95),
    )
    for name, band in e.bands.items():
        assert np.all(np.diff(band, axis=0) >= 0), name


def test_sample_mean_converges_to_the_analytic_mean_of_a_linear_model():
    """x(t) = start + slope (t - 2025) with start ~ U(8, 12), slope ~ U(1, 3): the mean is
    10 + 2 (t - 2025); LHS makes the sample mean very close already at n = 4000."""
    m = linear(
        {"type": "uniform", "lower": 8, "upper": 12}, {"type": "uniform", "lower": 1, "upper": 3}
    )
    e = projection.run(m, samples=4000, seed=2)
    expected = 10 + 2 * (e.years - 2025)
    np.testing.assert_allclose(e.mean["x"], expected, rtol=2e-3)
    mc = projection.run(m, samples=40_000, seed=2, sampler="mc")
    np.testing.assert_allclose(mc.mean["x"], expected, rtol=1e-2)


def test_lhs_puts_one_point_in_every_stratum():
    """Latin hypercube: in each dimension, each of the n equal strata holds exactly one draw."""
    m = linear(
        {"type": "uniform", "lower": 0, "upper": 1}, {"type": "uniform", "lower": 0, "upper": 1}
    )
    n = 97
    draws = sample(projection.load_scenario(m), n, sampler="lhs", seed=5)
    for values in draws.values():
        strata = np.floor(values * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n))


def test_point_valued_scenario_gives_the_deterministic_trajectory():
    det = projection.run("scenarios/delayed.yaml")
    e = projection.run(linear(), samples=50, seed=1)
    assert e.notes and "no parameter has a distribution" in e.notes[0]
    np.testing.assert_array_equal(
        e.bands["x"], np.tile(projection.run(linear()).values["x"], (3, 1))
    )
    # and a scenario whose inputs are all fixed except none: identical across quantiles
    assert det.values  # the deterministic run itself still works


def test_target_probability_and_first_years_match_the_members():
    m = linear(None, {"type": "uniform", "lower": 1, "upper": 3})
    e = projection.run(m, samples=2000, seed=4, keep_samples=True)
    t = projection.evaluate_targets(e).iloc[0]
    at_2030 = e.members["x"][:, 5]
    # x(2030) = 10 + 5 slope >= 21  <=>  slope >= 2.2: probability 0.4 for U(1, 3)
    assert t["probability"] == pytest.approx((at_2030 >= 21).mean())
    assert t["probability"] == pytest.approx(0.4, abs=0.01)
    assert t["probability_se"] == pytest.approx(np.sqrt(0.4 * 0.6 / 2000), rel=0.05)
    assert t["first_year_p05"] <= t["first_year_median"] <= t["first_year_p95"]
    assert t["first_year_p05"] == 2029  # slope near 3: 10 + 4 * 3 = 22 >= 21 in 2029


def test_milestone_years_and_values_can_be_uncertain():
    s = projection.load_scenario("scenarios/paper-targets.yaml")
    paths = [u.path for u in uncertain_parameters(s)]
    assert "indicators.ofc_capacity.milestones.1.year" in paths
    e = projection.run(s, samples=1000, seed=1)
    t = projection.evaluate_targets(e).set_index("target")
    # 4 Tbps in 2028 or 2029 with equal weights: T2c (4 Tbps by 2028) is a coin flip
    assert t.loc["T2c", "probability"] == pytest.approx(0.5, abs=0.05)


def test_ensemble_frame_is_tidy_with_quantile_and_optional_samples():
    e = projection.run(linear(UNIFORM), samples=10, seed=1, keep_samples=True)
    f = e.to_frame()
    assert list(f.columns) == ["scenario", "indicator", "year", "quantile", "value", "unit"]
    assert sorted(f["quantile"].unique()) == [0.05, 0.5, 0.95] and len(f) == 3 * 11
    g = e.to_frame(samples=True)
    assert list(g.columns) == [
        "scenario",
        "indicator",
        "year",
        "quantile",
        "sample",
        "value",
        "unit",
    ]
    assert len(g) == 3 * 11 + 10 * 11
    assert g["sample"].isna().sum() == 3 * 11
    with pytest.raises(projection.ProjectionError, match="keep_samples"):
        projection.run(linear(UNIFORM), samples=10, seed=1).to_frame(samples=True)


@pytest.mark.parametrize(
    "dist, message",
    [
        ({"type": "uniform", "lower": 3, "upper": 1}, "bounds must be ordered"),
        ({"type": "normal", "mean": 1, "sd": 0}, "sd must be positive"),
        (
            {"type": "truncnormal", "mean": 1, "sd": 1, "lower": 2, "upper": 2},
            "bounds must be ordered",
        ),
        ({"type": "lognormal", "median": -1, "sigma": 1}, "median must be positive"),
        ({"type": "triangular", "lower": 0, "mode": 5, "upper": 3}, "mode must lie in"),
        ({"type": "beta", "alpha": 0, "beta": 1}, "alpha must be positive"),
        ({"type": "choice", "values": [1, 1]}, "distinct"),
        ({"type": "choice", "values": [1, 2], "weights": [1]}, "weights must match"),
        (
            {"type": "gamma", "k": 1},
            "unknown distribution type 'gamma' \\(expected one of: uniform, normal",
        ),
    ],
)
def test_bad_distributions_are_validation_errors(dist, message):
    m = linear()
    m["indicators"]["x"]["params"]["start"]["distribution"] = dist
    with pytest.raises(ScenarioError, match=message) as info:
        projection.load_scenario(m)
    assert info.value.path.startswith("indicators.x.params.start")


def test_distribution_outside_the_domain_is_refused():
    m = {
        "name": "d",
        "horizon": {"start": 2025, "end": 2030},
        "indicators": {
            "s": {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": src(2, "%"),
                    "ceiling": src(60, "%", {"type": "uniform", "lower": 50, "upper": 120}),
                    "rate": src(0.3, None, {"type": "normal", "mean": 0.3, "sd": 0.1}),
                },
            }
        },
    }
    with pytest.raises(ScenarioError, match="above the largest allowed, 100 %") as info:
        projection.load_scenario(m)
    assert info.value.path == "indicators.s.params.ceiling.distribution"
    m["indicators"]["s"]["params"]["ceiling"]["distribution"]["upper"] = 90
    with pytest.raises(ScenarioError, match="below the smallest allowed, -100") as info:
        projection.load_scenario(m)
    assert info.value.path == "indicators.s.params.rate.distribution"


def test_linear_start_may_be_normal():
    """`linear` allows any start, so an unbounded normal is fine there."""
    m = linear()
    m["indicators"]["x"]["params"]["start"]["distribution"] = {
        "type": "normal",
        "mean": 10,
        "sd": 1,
    }
    # start of a linear family has no lower bound: only the share/other bounds apply
    s = projection.load_scenario(m)
    assert uncertain_parameters(s)[0].path == "indicators.x.params.start"


def test_value_may_be_omitted_when_a_distribution_is_given():
    m = linear()
    m["indicators"]["x"]["params"]["slope"] = src(
        None, "GW/yr", {"type": "triangular", "lower": 1, "mode": 2, "upper": 3}
    )
    p = projection.run(m)
    assert p.value("x", 2026) == pytest.approx(10 + 2.0)  # the median of a symmetric triangle
    m["indicators"]["x"]["params"]["slope"].pop("distribution")
    with pytest.raises(ScenarioError, match="give a `value`, a `distribution`, or both"):
        projection.load_scenario(m)


def test_invalid_combination_of_draws_is_a_clear_error():
    m = {
        "name": "bad",
        "horizon": {"start": 2025, "end": 2030},
        "indicators": {
            "s": {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": src(None, "%", {"type": "uniform", "lower": 5, "upper": 50}),
                    "ceiling": src(None, "%", {"type": "uniform", "lower": 10, "upper": 60}),
                    "rate": src(0.3),
                },
            }
        },
    }
    # validation evaluates the corners of the distributions with the engine's own checks, so
    # the scenario is refused before any run, naming the draws that break it
    with pytest.raises(ScenarioError, match="ceiling: must be >= start") as info:
        projection.load_scenario(m)
    assert info.value.path == "indicators.s.params"
    assert "for members of an ensemble with s.start = 50 % (its high end)" in str(info.value)
    with pytest.raises(ScenarioError, match="ceiling: must be >= start"):
        projection.run(m, samples=1000, seed=1)


@pytest.mark.parametrize(
    "bad",
    [
        {"samples": 0},
        {"samples": 10, "sampler": "halton"},
        {"samples": 10, "seed": -1},
        {"samples": 10, "quantiles": (0.5, 1.5)},
    ],
)
def test_bad_ensemble_options(bad):
    with pytest.raises(projection.ProjectionError):
        projection.run(linear(UNIFORM), **bad)


DISTS = st.sampled_from(
    [
        {"type": "uniform", "lower": -1, "upper": 2},
        {"type": "normal", "mean": 0.5, "sd": 2},
        {"type": "truncnormal", "mean": 0.2, "sd": 1, "lower": -1, "upper": 1},
        {"type": "lognormal", "median": 2, "sigma": 0.5},
        {"type": "triangular", "lower": 0, "mode": 0.2, "upper": 1},
        {"type": "beta", "alpha": 2, "beta": 5, "lower": 1, "upper": 3},
        {"type": "choice", "values": [3, 1, 2], "weights": [1, 0, 2]},
    ]
)


@settings(max_examples=40, deadline=None)
@given(DISTS, st.lists(st.floats(0, 1, exclude_max=True), min_size=2, max_size=20))
def test_ppf_is_monotone_and_within_support(spec, us):
    """Every distribution's ppf is non-decreasing in u and stays within its support, so the
    samplers' stratification carries over to the values."""
    d = TypeAdapter(Distribution).validate_python(spec)
    u = np.sort(np.asarray(us))
    x = d.ppf(u)
    low, high = d.support()
    assert np.all(np.diff(x) >= 0)
    assert np.all((x >= low) & (x <= high))
    if spec["type"] == "choice":
        assert set(x.tolist()) <= {2.0, 3.0}  # 1 has weight 0: never drawn


def test_an_indicator_that_does_not_vary_has_its_point_values_as_every_band():
    """paper-targets' ofc_traffic has no uncertain input: every member is the point
    trajectory, so every quantile and the median are exactly the point values (computed
    without partitioning the members), and its mean is too."""
    e = projection.run("scenarios/paper-targets.yaml", samples=3000, seed=1)
    point = projection.run("scenarios/paper-targets.yaml").values["ofc_traffic"]
    assert np.array_equal(e.bands["ofc_traffic"], np.repeat(point[None, :], 3, axis=0))
    assert np.array_equal(e.median["ofc_traffic"], point)
    np.testing.assert_allclose(e.mean["ofc_traffic"], point, rtol=1e-12)
