"""The time in derived expressions (``year``, ``elapsed``) and the cyclical functions
(``sin``, ``cos``): values, units, precedence, and refusals."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection.exceptions import ScenarioError

TWO_PI = 6.283185307179586


def scenario(expression: str, **params) -> dict:
    """A linear base in GW and a derived indicator ``wave`` over it."""
    source = {"source": "assumption: a test constant"}
    return {
        "name": "cycle",
        "horizon": {"start": 2025, "end": 2047},
        "indicators": {
            "base": {
                "unit": "GW",
                "model": "linear",
                "params": {
                    "start": {"value": 10, **source},
                    "slope": {"value": 1, "unit": "GW/yr", **source},
                },
            },
            "wave": {
                "unit": "GW",
                "model": "derived",
                "expression": expression,
                "params": {k: {**v, **source} for k, v in params.items()},
            },
        },
    }


def values(result, name: str) -> np.ndarray:
    f = result.to_frame()
    return f[f.indicator == name].value.to_numpy()


def test_a_cycle_and_a_trend_in_time():
    s = scenario(
        f"base + amplitude * sin({TWO_PI} * (year - 2025) / 11) + trend * elapsed",
        amplitude={"value": 2, "unit": "GW"},
        trend={"value": 0.5, "unit": "GW/yr"},
    )
    p = projection.run(s)
    t = np.arange(2025, 2048)
    expected = values(p, "base") + 2 * np.sin(TWO_PI * (t - 2025) / 11) + 0.5 * (t - 2025)
    np.testing.assert_allclose(values(p, "wave"), expected, rtol=1e-13, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(2000, 2100), st.integers(1, 5), st.floats(-3, 3))
def test_elapsed_counts_from_the_horizon_start_on_any_step(start, step, phase):
    """Invariant: ``elapsed`` is the year minus the horizon's start on every grid, and
    ``sin(x)**2 + cos(x)**2`` is 1 (within rounding) whatever the argument."""
    s = scenario(
        "base * (sin(year + phase) ** 2 + cos(year + phase) ** 2) + rate * elapsed",
        phase={"value": phase},
        rate={"value": 1, "unit": "GW/yr"},
    )
    s["horizon"] = {"start": start, "end": start + 4 * step, "step": step}
    p = projection.run(s)
    elapsed = np.arange(0, 4 * step + 1, step)
    np.testing.assert_allclose(values(p, "wave") - values(p, "base"), elapsed, atol=1e-9)


def test_an_ensemble_and_calibration_years_see_the_same_time():
    s = scenario("base + trend * elapsed", trend={"value": 1, "unit": "GW/yr"})
    s["indicators"]["wave"]["params"]["trend"]["distribution"] = {
        "type": "uniform",
        "lower": 0,
        "upper": 2,
    }
    c = projection.compile_scenario(s)
    ev = c.evaluate({"indicators.wave.params.trend": [0.0, 2.0]}, years=[2030, 2040])
    base = 10 + np.array([5.0, 15.0])
    np.testing.assert_allclose(ev.values["wave"], [base, base + 2 * np.array([5.0, 15.0])])


def test_an_indicator_named_year_takes_precedence():
    s = scenario(
        "year * 1",
    )
    s["indicators"]["year"] = copy.deepcopy(s["indicators"]["base"])
    p = projection.run(s)
    np.testing.assert_array_equal(values(p, "wave"), values(p, "year"))


@pytest.mark.parametrize(
    "expression, message",
    [
        ("base * sin(elapsed)", r"sin\(\) needs a dimensionless argument, got yr"),
        ("base + elapsed", "cannot add"),
        ("base + yeer", "did you mean 'year'"),
    ],
)
def test_time_names_keep_their_units(expression, message):
    with pytest.raises(ScenarioError, match=message) as info:
        projection.load_scenario(scenario(expression))
    assert "indicators.wave.expression" in str(info.value)
