"""Functions across years (lag, diff, cumulative, stock, weibull_stock): their invariants on
arrays, the compiled engine against the pint interpreter, units, and located refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import projection
from projection.engine.derived import compile_expression
from projection.exceptions import ProjectionError, ScenarioError
from projection.scenario import time_functions as tf
from projection.scenario.expressions import parse_expression
from projection.units import Quantity

flows = arrays(float, st.tuples(st.integers(1, 4), st.integers(1, 20)), elements=st.floats(0, 1e6))
lifetimes = st.floats(0.5, 200)


@settings(max_examples=60, deadline=None)
@given(flows, lifetimes, st.floats(0.5, 6))
def test_a_stock_fed_by_non_negative_flows_is_never_negative(x, life, shape):
    """Invariant: cohorts of non-negative inflows that only retire stay non-negative, and
    never exceed everything that ever came in."""
    for s in (tf.stock(x, life), tf.weibull_stock(x, life, shape)):
        assert np.all(s >= 0)
        assert np.all(s <= tf.cumulative(x) * (1 + 1e-12))


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e6, 1e6), st.integers(1, 40))
def test_the_cumulative_sum_of_a_constant_flow_is_linear(c, years):
    """Invariant: a constant flow c per year adds up to c, 2c, 3c, ... ."""
    got = tf.cumulative(tf.spread(np.float64(c), years))
    np.testing.assert_allclose(got, c * np.arange(1, years + 1), rtol=1e-12, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(flows, st.floats(0.5, 6))
def test_an_infinite_lifetime_keeps_everything(x, shape):
    """Invariant: with no retirement (an infinite lifetime) a stock is the cumulative sum of
    its inflow, for the exponential and the Weibull curve alike (within the rounding of
    adding the cohorts in another order)."""
    np.testing.assert_allclose(tf.stock(x, np.inf), tf.cumulative(x), rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(
        tf.weibull_stock(x, np.inf, shape), tf.cumulative(x), rtol=1e-12, atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(flows)
def test_a_lag_of_zero_is_the_identity_and_diff_undoes_cumulative(x):
    """Invariant: lag(x, 0) is x; diff(cumulative(x)) is x after the first year."""
    np.testing.assert_array_equal(tf.lag(x, 0), x)
    np.testing.assert_allclose(tf.diff(tf.cumulative(x))[..., 1:], x[..., 1:], rtol=1e-9, atol=1e-6)


def test_a_weibull_of_shape_one_is_the_exponential_of_the_same_median():
    x = np.linspace(1, 5, 12)
    median = 10.0
    np.testing.assert_allclose(
        tf.weibull_stock(x, median, 1.0), tf.stock(x, median / np.log(2)), rtol=1e-12
    )


def test_a_cohort_retires_by_its_age():
    """One cohort of 1000 in the first year: its survivors follow the curve by age."""
    x = np.zeros(6)
    x[0] = 1000.0
    np.testing.assert_allclose(tf.stock(x, 10.0), 1000 * np.exp(-np.arange(6) / 10))
    np.testing.assert_allclose(
        tf.weibull_stock(x, 3.0, 2.0), 1000 * np.exp(-np.log(2) * (np.arange(6) / 3) ** 2)
    )


EXPRESSIONS = [
    "stock(flow, life) + cumulative(flow * 2)",
    "weibull_stock(flow, life, shape) - lag(stock(flow, life), 2)",
    "diff(flow) * life",
]
UNITS = {"flow": "GW/yr", "life": "yr", "shape": ""}


@settings(max_examples=40, deadline=None)
@given(
    text=st.sampled_from(EXPRESSIONS),
    life=st.floats(1, 50),
    members=st.integers(1, 4),
)
def test_compiled_functions_across_years_equal_the_interpreter_bit_for_bit(text, life, members):
    """The compiled expression and the pint interpreter give the same floats, flows by
    member and year, the lifetime per member."""
    expr = parse_expression(text)
    compiled = compile_expression(expr, UNITS)
    rng = np.random.default_rng(len(text))
    years = np.arange(2025.0, 2037.0)
    env = {
        "flow": rng.uniform(0, 5, (members, len(years))),
        "life": life * rng.uniform(0.5, 2, (members, 1)),
        "shape": 2.5,
    }
    env = {n: v for n, v in env.items() if n in expr.names}
    reference = expr.evaluate({n: Quantity(v, UNITS[n]) for n, v in env.items()}, years)
    got = compiled({**env, "__years__": years})
    assert compiled.unit == str(reference.units)
    np.testing.assert_array_equal(got, np.asarray(reference.magnitude, dtype=float))


def fleet(expression: str = "stock(sales, life)", step: int = 1, **params) -> dict:
    src = {"source": "assumption: a test number"}
    defaults = {"life": {"value": 15, "unit": "yr"}}
    return {
        "name": "fleet",
        "horizon": {"start": 2025, "end": 2045, "step": step},
        "indicators": {
            "sales": {
                "unit": "1/yr",
                "model": "linear",
                "params": {
                    "start": {"value": 1000, "unit": "1/yr", **src},
                    "slope": {"value": 100, "unit": "1/yr**2", **src},
                },
            },
            "fleet": {
                "unit": "dimensionless",
                "model": "derived",
                "expression": expression,
                "params": {k: {**v, **src} for k, v in (params or defaults).items()},
            },
        },
    }


def test_an_ensemble_of_stocks_does_not_depend_on_chunks():
    """Members are cut into chunks, never years: any chunk size gives the same stocks."""
    s = fleet()
    s["indicators"]["fleet"]["params"]["life"]["distribution"] = {
        "type": "uniform",
        "lower": 5,
        "upper": 25,
    }
    a = projection.run(s, samples=3000, seed=2, keep_samples=True)
    b = projection.run(s, samples=3000, seed=2, keep_samples=True, chunk_size=700)
    np.testing.assert_array_equal(a.members["fleet"], b.members["fleet"])


def test_a_stock_with_an_initial_fleet_from_the_shell():
    s = fleet(
        "initial * exp(-elapsed / life) + stock(sales, life)",
        initial={"value": 50000},
        life={"value": 12, "unit": "yr"},
    )
    p = projection.run(s)
    f = p.to_frame().set_index(["indicator", "year"])["value"]
    sales = 1000 + 100 * np.arange(21.0)
    expected = 50000 * np.exp(-np.arange(21) / 12) + tf.stock(sales, 12.0)
    np.testing.assert_allclose(f["fleet"].to_numpy(), expected, rtol=1e-12)


def test_functions_across_years_run_on_the_projected_years_only():
    c = projection.compile_scenario(fleet())
    with pytest.raises(ProjectionError, match=r"fleet uses stock\(\).*2030, 2040"):
        c.evaluate(years=[2030, 2040])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"expression": "stock(sales, life)", "life": {"value": -3, "unit": "yr"}},
            "lifetime must be positive",
        ),
        ({"expression": "lag(sales, 30)"}, "reaches beyond the horizon"),
        ({"expression": "lag(sales, 1.5)"}, "whole number of years"),
        ({"expression": "lag(sales, life)"}, "whole number of years"),
        ({"expression": "cumulative(sales)", "step": 5}, "needs a horizon step of 1"),
        ({"expression": "lag(sales, 2)", "step": 5}, "give a multiple of 5"),
        (
            {"expression": "stock(sales, life)", "life": {"value": 3, "unit": "GW"}},
            "must be a duration",
        ),
        ({"expression": "stock(sales * life, life)"}, "does not fit the indicator's unit"),
    ],
)
def test_bad_time_expressions_are_one_located_line(kwargs, message):
    kwargs = copy.deepcopy(kwargs)
    expression = kwargs.pop("expression")
    step = kwargs.pop("step", 1)
    params = kwargs or ({"life": {"value": 15, "unit": "yr"}} if "life" in expression else {})
    with pytest.raises(ScenarioError, match=message) as info:
        projection.load_scenario(fleet(expression, step, **params))
    assert "indicators.fleet" in str(info.value)


def test_a_cycle_through_a_lag_is_refused():
    s = fleet("lag(other, 1)")
    s["indicators"]["fleet"].pop("params")
    s["indicators"]["other"] = {
        "unit": "dimensionless",
        "model": "derived",
        "expression": "fleet * 2",
    }
    with pytest.raises(ScenarioError, match="cycle"):
        projection.load_scenario(s)


def test_the_paper_fleet_keeps_sales_and_fleet_apart():
    """paper-targets' fleet: counts in vehicles (never read as a share), EV sales as T1's
    share of car sales, and a fleet share far below the sales share while the fleet turns
    over (the policy message of docs/stocks-and-flows.md)."""
    p = projection.run("scenarios/paper-targets.yaml")
    c = p.compiled
    assert c.units["car_fleet"] == "vehicle" and c.units["vehicle_sales"] == "vehicle/yr"
    assert c.caps["car_fleet"] == np.inf  # a count, not a share
    v = p.to_frame().pivot(index="year", columns="indicator", values="value")
    np.testing.assert_allclose(
        v["ev_sales"], v["ev_sales_share"] / 100 * v["vehicle_sales"], rtol=1e-12
    )
    assert v.loc[2030, "ev_sales_share"] >= 30 > 5 > v.loc[2030, "ev_fleet_share"]
    assert (v["ev_fleet"] <= v["car_fleet"]).all()
    assert v["ev_fleet_share"].is_monotonic_increasing


@pytest.mark.parametrize("name", ["baseline", "paper-targets", "accelerated", "delayed"])
def test_shipped_solar_imports_accumulate_from_the_papers_39_gw(name):
    """solar_imports_total is the paper's 39 GW of 2020-2024 plus every year's imports (a
    flow in GW/yr into GW), and solar_not_installed is what of it is not installed."""
    p = projection.run(f"scenarios/{name}.yaml")
    v = p.to_frame().pivot(index="year", columns="indicator", values="value")
    assert p.compiled.units["solar_imports"] == "GW/yr"
    np.testing.assert_allclose(
        v["solar_imports_total"], 39 + np.cumsum(v["solar_imports"]), rtol=1e-12
    )
    np.testing.assert_allclose(
        v["solar_not_installed"], v["solar_imports_total"] - v["solar_capacity"], rtol=1e-12
    )


def test_paper_solar_imports_start_from_the_2024_figure():
    """The import curve's 2024 value is the paper's 16.5 GW/yr (base_year 2024): 2025 is one
    year of the assumed rate on from it."""
    p = projection.run("scenarios/paper-targets.yaml")
    s = p.scenario.indicators["solar_imports"]
    rate = s.params["rate"].value
    assert s.base_year == 2024
    assert p["solar_imports"][2025] == pytest.approx(16.5 * np.exp(rate))


def test_installations_outrun_imports_in_some_members_only():
    """The S2 check: the point projection installs less than it imports, but members whose
    imports fall fast violate installed_within_imports, and the ensemble says in how many."""
    point = projection.run("scenarios/paper-targets.yaml")
    assert "installed_within_imports" not in {v.constraint for v in point.violations}
    e = projection.run("scenarios/paper-targets.yaml", samples=2000, seed=1)
    share = e.violation_share["installed_within_imports"]
    assert 0 < share.max() < 1


def test_t4_is_a_cumulative_count_of_people():
    """T4 counts people trained since 2025: the running sum of the yearly flow, in people,
    met in paper-targets' 2030 (its assumed scale-up) and missed in the baseline."""
    runs = {n: projection.run(f"scenarios/{n}.yaml") for n in ("paper-targets", "baseline")}
    for p in runs.values():
        v = p.to_frame().pivot(index="year", columns="indicator", values="value")
        np.testing.assert_allclose(v["people_trained_total"], np.cumsum(v["people_trained"]))
        assert p.compiled.units["people_trained_total"] == "people"
    t = projection.evaluate_targets(list(runs.values())).set_index(["scenario", "target"])
    assert t.loc[("paper-targets", "T4"), "status"] == "met"
    assert t.loc[("baseline", "T4"), "status"] == "missed"
    assert t.loc[("paper-targets", "T4"), "required"] == 300000


def test_t3_is_a_range_target_missed_in_every_shipped_scenario():
    """T3 (10-15 % of China's international traffic through Pakistan) is a range; the
    cable's capacity under T2 cannot carry 10 % of the traffic assumed for 2030."""
    runs = [projection.run(f"scenarios/{n}.yaml") for n in ("paper-targets", "baseline")]
    t = projection.evaluate_targets(runs).set_index("target").loc["T3"]
    assert (t["bound"] == "between").all()
    assert (t["required"] == 10).all() and (t["required_upper"] == 15).all()
    assert (t["status"] != "met").all() and (t["gap"] < 0).all()


def test_s2_two_figures_agree_only_if_2024_was_a_boom():
    """S2's figures, as the shipped base carries them: 16-17 GW imported in 2024 out of about
    39 GW over 2020-2024 leaves 22-23 GW for the four years before, 5.5-5.75 GW a year: 2024
    is about three times the earlier pace, which the import rate's source must say (the
    curve after 2024 is not 2024's growth carried on)."""
    s = projection.load_scenario("scenarios/paper-targets.yaml")
    imports = s.indicators["solar_imports"]
    start = imports.params["start"]
    total = s.indicators["solar_imports_total"].params["imported_2020_2024"]
    low, high = start.distribution.lower, start.distribution.upper
    assert (low, high) == (16, 17) and total.value == 39
    earlier = [(total.value - x) / 4 for x in (high, low)]
    assert earlier == [5.5, 5.75]
    assert 2.5 < start.value / earlier[1] < 3.1
    assert "boom" in imports.params["rate"].source and "5.6 GW/yr" in imports.params["rate"].source
    assert imports.params["rate"].value <= 0  # imports ease after 2024 in the central case
