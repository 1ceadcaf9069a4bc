"""logistic: hand-computed values, the ODE, an ensemble, validation."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from projection.exceptions import ParameterError
from projection.models import logistic


def test_hand_computed_values():
    # C / (1 + (C/start - 1) e^{-rd}) with C/start - 1 = 9 and e^{-r} = 1/3 (r = ln 9 / 2):
    #   d = -2: 100 / (1 + 9 * 9) = 100/82;  d = 0: 10;  d = 2: 100 / (1 + 1) = 50;
    #   d = 4: 100 / (1 + 1/9) = 90
    y = logistic.evaluate(
        [2023, 2025, 2027, 2029], base_year=2025, start=10.0, ceiling=100.0, rate=np.log(9) / 2
    )
    np.testing.assert_allclose(y, [100 / 82, 10.0, 50.0, 90.0], rtol=1e-13)


def test_negative_rate_falls():
    # from 90 of 100 at r = -ln 9 / 2: C/start - 1 = 1/9, e^{-rd} = 9**(d/2)
    #   d = 2: 100 / (1 + 1) = 50;  d = 4: 100 / (1 + 9) = 10
    y = logistic.evaluate(
        [2027, 2029], base_year=2025, start=90.0, ceiling=100.0, rate=-np.log(9) / 2
    )
    np.testing.assert_allclose(y, [50.0, 10.0], rtol=1e-13)


def test_matches_the_logistic_ode():
    # dy/dt = r y (1 - y/C), y(0) = start, integrated numerically
    start, c, r = 2.0, 60.0, 0.45
    d = np.linspace(0.0, 30.0, 61)
    sol = solve_ivp(
        lambda t, y: r * y * (1 - y / c),
        (0.0, 30.0),
        [start],
        t_eval=d,
        rtol=1e-11,
        atol=1e-12,
    )
    y = logistic.evaluate(2025 + d, base_year=2025, start=start, ceiling=c, rate=r)
    np.testing.assert_allclose(y, sol.y[0], rtol=1e-8)


def test_edges_stay_put():
    years = np.arange(1900, 2200)
    np.testing.assert_array_equal(
        logistic.evaluate(years, base_year=2025, start=0.0, ceiling=1.0, rate=5.0), 0.0
    )
    np.testing.assert_array_equal(
        logistic.evaluate(years, base_year=2025, start=1.0, ceiling=1.0, rate=5.0), 1.0
    )


def test_ensemble_rows_follow_the_textbook_formula():
    start = np.array([1.0, 5.0, 20.0])
    rate = np.array([0.2, 0.5, -0.3])
    d = np.arange(-10.0, 31.0)
    y = logistic.evaluate(2025 + d, base_year=2025, start=start, ceiling=50.0, rate=rate)
    assert y.shape == (3, d.size)
    expected = 50.0 / (1 + (50.0 / start[:, None] - 1) * np.exp(-rate[:, None] * d))
    np.testing.assert_allclose(y, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "name", "text"),
    [
        (
            {"start": 30.0, "ceiling": 20.0, "rate": 0.1},
            "ceiling",
            "must be >= start (got ceiling=20, start=30)",
        ),
        ({"start": 0.0, "ceiling": -1.0, "rate": 0.1}, "ceiling", "must be > 0 (got -1)"),
        ({"start": 1.0, "ceiling": 2.0, "rate": 250.0}, "rate", "must be <= 100 (got 250)"),
        (
            {"start": 1.0, "ceiling": 2.0},
            "rate",
            "is required by growth family 'logistic' (got nothing)",
        ),
        (
            {"start": [0.5, np.nan], "ceiling": 2.0, "rate": 1.0},
            "start",
            "must be finite (got nan at index 1)",
        ),
    ],
)
def test_validation_messages(params, name, text):
    with pytest.raises(ParameterError) as info:
        logistic.evaluate([2025], base_year=2025, **params)
    assert info.value.param == name
    assert info.value.message == text


def test_start_just_below_ceiling_keeps_precision():
    # C - start = 3e-12 is exact in floating point (Sterbenz); the textbook form
    # C / (1 + ((C - start)/start) e^{-rd}) is then accurate, also once the falling curve
    # (r = -1) has come down to mid-height after ~27 years
    c = 3.0
    start = c - 3e-12
    d = np.arange(0.0, 41.0)
    expected = c / (1 + ((c - start) / start) * np.exp(d))
    y = logistic.evaluate(2025 + d, base_year=2025, start=start, ceiling=c, rate=-1.0)
    assert expected[-1] < 0.9 * c  # the curve did come down
    np.testing.assert_allclose(y, expected, rtol=1e-12)
