"""exponential: hand-computed values with and without a ceiling, an ensemble, validation."""

import numpy as np
import pytest

from projection.exceptions import ParameterError
from projection.models import exponential
from projection.models.exponential import MAX_VALUE, SHARPNESS


def test_hand_computed_values_without_ceiling():
    # 2 * 3**d at d = -1, 0, 1, 2: 2/3, 2, 6, 18
    y = exponential.evaluate([2024, 2025, 2026, 2027], base_year=2025, start=2.0, rate=np.log(3))
    np.testing.assert_allclose(y, [2 / 3, 2.0, 6.0, 18.0], rtol=1e-14)


def test_decay_with_negative_rate():
    # 8 * 2**-3 = 1
    y = exponential.evaluate([2028], base_year=2025, start=8.0, rate=-np.log(2))
    np.testing.assert_allclose(y, [1.0], rtol=1e-14)


def test_zero_rate_is_constant():
    y = exponential.evaluate(np.arange(2000, 2060), base_year=2025, start=3.5, rate=0.0)
    np.testing.assert_array_equal(y, 3.5)


def test_runaway_growth_is_capped_at_max_value():
    # 1 * e**(100 * 50) would overflow; the documented cap is MAX_VALUE = 1e300
    y = exponential.evaluate([2025, 2075], base_year=2025, start=1.0, rate=100.0)
    assert y[0] == 1.0
    np.testing.assert_allclose(y[1], MAX_VALUE, rtol=1e-12)


def test_sharpness_is_four():
    assert SHARPNESS == 4


def test_hand_computed_values_with_ceiling():
    # With start = C * 2**(-1/4): (start/C)**4 = 1/2, so x0 = start / (1 - 1/2)**(1/4) = C.
    # rate = ln 2 doubles x every year: x(-1) = C/2, x(0) = C, x(1) = 2C, and
    # y = C * (1 + (C/x)**4)**(-1/4):
    #   d = -1: C * 17**(-1/4);  d = 0: C * 2**(-1/4);  d = 1: C * (1 + 1/16)**(-1/4)
    c = 40.0
    y = exponential.evaluate(
        [2024, 2025, 2026], base_year=2025, start=c * 2**-0.25, rate=np.log(2), ceiling=c
    )
    expected = [c * 17**-0.25, c * 2**-0.25, c * (17 / 16) ** -0.25]
    np.testing.assert_allclose(y, expected, rtol=1e-13)


def test_with_ceiling_matches_direct_formula():
    # the smooth minimum evaluated directly (no log space) on a moderate range
    start, rate, c = 3.0, 0.3, 50.0
    d = np.arange(-20.0, 41.0)
    x0 = start / (1 - (start / c) ** 4) ** 0.25
    expected = c * (1 + (c / (x0 * np.exp(rate * d))) ** 4) ** -0.25
    y = exponential.evaluate(2025 + d, base_year=2025, start=start, rate=rate, ceiling=c)
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_far_below_ceiling_grows_at_rate_and_saturates_at_ceiling():
    rate, c = 0.2, 1000.0
    y = exponential.evaluate(
        np.arange(2025, 2126), base_year=2025, start=0.01, rate=rate, ceiling=c
    )
    # at 0.01 / 1000 of the ceiling the bend is negligible: ratio e**rate per year
    np.testing.assert_allclose(y[1:6] / y[:5], np.exp(rate), rtol=1e-12)
    # after 100 years x would be 0.01 * e**20 ~ 4.9e6 = 4900 C: y = C (1 + 4900**-4)**-1/4
    np.testing.assert_allclose(y[-1], c, rtol=1e-12)
    assert np.all(y <= c)


def test_edges_with_ceiling_stay_put():
    years = np.arange(1900, 2200)
    zero = exponential.evaluate(years, base_year=2025, start=0.0, rate=3.0, ceiling=5.0)
    full = exponential.evaluate(years, base_year=2025, start=5.0, rate=3.0, ceiling=5.0)
    np.testing.assert_array_equal(zero, 0.0)
    np.testing.assert_array_equal(full, 5.0)


def test_ceiling_none_means_no_ceiling():
    a = exponential.evaluate([2030], base_year=2025, start=1.0, rate=0.1, ceiling=None)
    b = exponential.evaluate([2030], base_year=2025, start=1.0, rate=0.1)
    np.testing.assert_array_equal(a, b)
    # 1 * e**(0.1 * 5) = e**0.5
    np.testing.assert_allclose(a, [np.exp(0.5)], rtol=1e-14)


def test_ensemble_with_ceilings():
    # member 0: no bend far below its ceiling; member 1: start = ceiling stays at 10
    y = exponential.evaluate(
        [2025, 2026],
        base_year=2025,
        start=[1e-6, 10.0],
        rate=[np.log(2), 1.0],
        ceiling=[1e6, 10.0],
    )
    assert y.shape == (2, 2)
    np.testing.assert_allclose(y[0], [1e-6, 2e-6], rtol=1e-12)
    np.testing.assert_array_equal(y[1], [10.0, 10.0])


@pytest.mark.parametrize(
    ("params", "name", "text"),
    [
        (
            {"start": 30.0, "rate": 0.1, "ceiling": 20.0},
            "ceiling",
            "must be >= start (got ceiling=20, start=30)",
        ),
        ({"start": 0.0, "rate": 0.1, "ceiling": 0.0}, "ceiling", "must be > 0 (got 0)"),
        ({"start": -1.0, "rate": 0.1}, "start", "must be >= 0 (got -1)"),
        ({"start": 1.0, "rate": 100.5}, "rate", "must be <= 100 (got 100.5)"),
        ({"start": 1.0, "rate": -101.0}, "rate", "must be >= -100 (got -101)"),
        (
            {"start": [1.0, 2.0], "rate": 0.1, "ceiling": [3.0, 1.5]},
            "ceiling",
            "must be >= start (got ceiling=1.5, start=2 at index 1)",
        ),
    ],
)
def test_validation_messages(params, name, text):
    with pytest.raises(ParameterError) as info:
        exponential.evaluate([2025], base_year=2025, **params)
    assert info.value.param == name
    assert info.value.message == text


def test_start_just_below_ceiling_keeps_precision():
    # (start/C)**4 = (1 - delta)**4 with delta = (C - start)/C ~ 1e-12 (C - start exact), so
    # 1 - (start/C)**4 = 4 delta - 6 delta**2 + ... and x0**4 = start**4 / that; then
    # y = C (1 + C**4 / (x0**4 e^{4 r d}))**(-1/4) falls from the ceiling for r = -1
    c = 3.0
    start = c - 3e-12
    delta = (c - start) / c
    x0_4 = start**4 / (4 * delta - 6 * delta**2)
    d = np.arange(0.0, 41.0)
    expected = c * (1 + c**4 / (x0_4 * np.exp(-4.0 * d))) ** -0.25
    y = exponential.evaluate(2025 + d, base_year=2025, start=start, rate=-1.0, ceiling=c)
    assert expected[-1] < 0.5 * c
    np.testing.assert_allclose(y, expected, rtol=1e-11)
