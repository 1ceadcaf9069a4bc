"""gompertz: hand-computed values, the ODE, an ensemble, validation."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from projection.exceptions import ParameterError
from projection.models import gompertz


def test_hand_computed_values():
    # C exp(ln(start/C) e^{-rd}) with ln(start/C) = -4 and e^{-r} = 1/2 (r = ln 2):
    #   d = -1: C e^{-8};  d = 0: C e^{-4};  d = 1: C e^{-2};  d = 2: C e^{-1} (the inflection)
    c = 100.0
    y = gompertz.evaluate(
        [2024, 2025, 2026, 2027],
        base_year=2025,
        start=c * np.exp(-4),
        ceiling=c,
        rate=np.log(2),
    )
    np.testing.assert_allclose(y, c * np.exp([-8.0, -4.0, -2.0, -1.0]), rtol=1e-13)


def test_matches_the_gompertz_ode():
    # dy/dt = r y ln(C / y), y(0) = start, integrated numerically
    start, c, r = 3.0, 80.0, 0.25
    d = np.linspace(0.0, 40.0, 81)
    sol = solve_ivp(
        lambda t, y: r * y * np.log(c / y),
        (0.0, 40.0),
        [start],
        t_eval=d,
        rtol=1e-11,
        atol=1e-12,
    )
    y = gompertz.evaluate(2025 + d, base_year=2025, start=start, ceiling=c, rate=r)
    np.testing.assert_allclose(y, sol.y[0], rtol=1e-8)


def test_negative_rate_decays_towards_zero():
    # ln(start/C) = -1, r = -ln 2: exponent -e^{d ln 2} = -2**d; d = 3: C e^{-8}
    c = 10.0
    y = gompertz.evaluate([2028], base_year=2025, start=c / np.e, ceiling=c, rate=-np.log(2))
    np.testing.assert_allclose(y, [c * np.exp(-8.0)], rtol=1e-12)


def test_edges_stay_put():
    years = np.arange(1900, 2200)
    np.testing.assert_array_equal(
        gompertz.evaluate(years, base_year=2025, start=0.0, ceiling=1.0, rate=5.0), 0.0
    )
    np.testing.assert_array_equal(
        gompertz.evaluate(years, base_year=2025, start=1.0, ceiling=1.0, rate=-5.0), 1.0
    )


def test_ensemble_rows_follow_the_textbook_formula():
    start = np.array([0.5, 5.0, 40.0])
    rate = np.array([0.1, 0.4, -0.2])
    d = np.arange(-10.0, 31.0)
    y = gompertz.evaluate(2025 + d, base_year=2025, start=start, ceiling=50.0, rate=rate)
    assert y.shape == (3, d.size)
    expected = 50.0 * np.exp(np.log(start[:, None] / 50.0) * np.exp(-rate[:, None] * d))
    np.testing.assert_allclose(y, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("params", "name", "text"),
    [
        (
            {"start": 30.0, "ceiling": 20.0, "rate": 0.1},
            "ceiling",
            "must be >= start (got ceiling=20, start=30)",
        ),
        ({"start": -0.5, "ceiling": 2.0, "rate": 0.1}, "start", "must be >= 0 (got -0.5)"),
        ({"start": 1.0, "ceiling": 2.0, "rate": -100.25}, "rate", "must be >= -100 (got -100.25)"),
    ],
)
def test_validation_messages(params, name, text):
    with pytest.raises(ParameterError) as info:
        gompertz.evaluate([2025], base_year=2025, **params)
    assert info.value.param == name
    assert info.value.message == text


def test_start_just_below_ceiling_keeps_precision():
    # ln(start/C) = ln(1 - delta) = -delta - delta**2/2 - ... with delta = (C - start)/C ~ 1e-12
    # (C - start exact), so y = C exp(ln(start/C) e^{-rd}) can be written without rounding
    # start/C; with r = -1 the curve falls away from the ceiling over 40 years
    c = 3.0
    start = c - 3e-12
    delta = (c - start) / c
    log_frac = -delta - delta**2 / 2
    d = np.arange(0.0, 41.0)
    expected = c * np.exp(log_frac * np.exp(d))
    y = gompertz.evaluate(2025 + d, base_year=2025, start=start, ceiling=c, rate=-1.0)
    assert expected[-1] < 0.5 * c
    np.testing.assert_allclose(y, expected, rtol=1e-12)
