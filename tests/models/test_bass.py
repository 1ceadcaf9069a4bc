"""bass: the textbook curve, the ODE, adoption per year, edge cases, an ensemble, validation."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from projection.exceptions import ParameterError
from projection.models import bass

P, Q, M = 0.03, 0.38, 100.0  # Bass (1969)-like coefficients, market of 100


def bass_ode(t, y, p=P, q=Q, m=M):
    """dy/dt = (p + q y/m)(m - y)."""
    return (p + q * y / m) * (m - y)


def test_from_zero_is_the_textbook_curve():
    # start = 0 puts tau0 = 0: y = m F(d), F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})
    d = np.arange(0.0, 31.0)
    e = np.exp(-(P + Q) * d)
    expected = M * (1 - e) / (1 + (Q / P) * e)
    y = bass.evaluate(2025 + d, base_year=2025, start=0.0, market=M, p=P, q=Q)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-13)


def test_peak_adoption_time_and_height():
    # Bass (1969): adoption peaks at t* = ln(q/p) / (p + q) with m (p + q)**2 / (4 q) per year
    # and F(t*) = (q - p) / (2q). Here t* = ln(38/3) / 0.41 = 6.1945... years,
    # peak = 100 * 0.41**2 / 1.52 = 11.0592... per year, F(t*) = 0.35 / 0.76 = 0.46052...
    t_star = np.log(Q / P) / (P + Q)
    years = 2025 + np.array([t_star - 0.5, t_star, t_star + 0.5])
    rate = bass.adoption(years, base_year=2025, start=0.0, market=M, p=P, q=Q)
    np.testing.assert_allclose(rate[1], M * (P + Q) ** 2 / (4 * Q), rtol=1e-12)
    assert rate[1] > rate[0] and rate[1] > rate[2]
    y = bass.evaluate(years[1:2], base_year=2025, start=0.0, market=M, p=P, q=Q)
    np.testing.assert_allclose(y, [M * (Q - P) / (2 * Q)], rtol=1e-12)


@pytest.mark.parametrize(
    ("start", "p", "q"),
    [(12.5, P, Q), (0.0, P, Q), (60.0, 0.01, 0.6), (5.0, 0.0, 0.5), (5.0, 0.2, 0.0)],
)
def test_matches_numerical_integration_of_the_ode(start, p, q):
    # forward from y(base) = start with solve_ivp, rtol 1e-10
    d = np.linspace(0.0, 40.0, 161)
    sol = solve_ivp(
        bass_ode,
        (0.0, 40.0),
        [start],
        t_eval=d,
        args=(p, q, M),
        rtol=1e-10,
        atol=1e-12,
        method="DOP853",
    )
    y = bass.evaluate(2025 + d, base_year=2025, start=start, market=M, p=p, q=q)
    np.testing.assert_allclose(y, sol.y[0], rtol=1e-8, atol=1e-9)


def test_matches_the_ode_backwards_while_adoption_is_under_way():
    # 30 % adopted at base; integrating the ODE back 4 years stays above zero
    d = np.linspace(0.0, -4.0, 41)
    sol = solve_ivp(bass_ode, (0.0, -4.0), [30.0], t_eval=d, rtol=1e-10, atol=1e-12)
    assert sol.y[0].min() > 0
    y = bass.evaluate(2025 + d, base_year=2025, start=30.0, market=M, p=P, q=Q)
    np.testing.assert_allclose(y, sol.y[0], rtol=1e-8)


def test_before_adoption_began_is_zero():
    # start = 0 at base: adoption begins at base_year; every earlier year is 0, and so is the
    # adoption rate; at base_year the rate is m p = 100 * 0.03 = 3 per year
    years = np.arange(2000, 2026)
    y = bass.evaluate(years, base_year=2025, start=0.0, market=M, p=P, q=Q)
    np.testing.assert_array_equal(y, 0.0)
    rate = bass.adoption(years, base_year=2025, start=0.0, market=M, p=P, q=Q)
    np.testing.assert_array_equal(rate[:-1], 0.0)
    np.testing.assert_allclose(rate[-1], 3.0, rtol=1e-14)


def test_pure_imitation_is_logistic():
    # p = 0: y = m / (1 + (m/start - 1) e^{-q d}); with m/start - 1 = 9, q = ln 9 / 2:
    #   d = 2: 50;  d = 4: 90
    y = bass.evaluate([2027, 2029], base_year=2025, start=10.0, market=M, p=0.0, q=np.log(9) / 2)
    np.testing.assert_allclose(y, [50.0, 90.0], rtol=1e-13)


def test_pure_innovation_closes_the_gap_exponentially():
    # q = 0: y = m - (m - start) e^{-p d}; start 20, p = ln 2: d = 1: 60; d = 2: 80; d = -1: -60
    # (negative: adoption had not begun, so 0)
    y = bass.evaluate(
        [2024, 2025, 2026, 2027], base_year=2025, start=20.0, market=M, p=np.log(2), q=0.0
    )
    np.testing.assert_allclose(y, [0.0, 20.0, 60.0, 80.0], rtol=1e-13)


@pytest.mark.parametrize(
    ("start", "p", "q", "expected"),
    [
        (0.0, 0.0, 0.5, 0.0),  # nobody innovates, nobody to imitate
        (7.0, 0.0, 0.0, 7.0),  # no drive at all
        (M, 0.03, 0.38, M),  # market exhausted
    ],
)
def test_no_drive_or_full_market_is_constant(start, p, q, expected):
    years = np.arange(1950, 2100)
    y = bass.evaluate(years, base_year=2025, start=start, market=M, p=p, q=q)
    np.testing.assert_array_equal(y, expected)
    rate = bass.adoption(years, base_year=2025, start=start, market=M, p=p, q=q)
    np.testing.assert_array_equal(rate, 0.0)


def test_adoption_is_the_derivative_and_the_ode_right_hand_side():
    # F(tau0) = 1/8: (1 - e) / (1 + (q/p) e) = 1/8 gives e = 0.875 / (1 + 38/24) = 0.3387,
    # tau0 = -ln(0.3387) / 0.41 = 2.64 years, so adoption is under way from d = -2.5 on
    years = 2025 + np.linspace(-2.5, 30.0, 66)
    kw = {"base_year": 2025, "start": 12.5, "market": M, "p": P, "q": Q}
    rate = bass.adoption(years, **kw)
    y = bass.evaluate(years, **kw)
    assert y.min() > 0
    # the ODE right-hand side at the curve; (m - y) there cancels to ~1e-14 absolute
    np.testing.assert_allclose(rate, bass_ode(0.0, y), rtol=1e-12, atol=1e-13)
    # central difference of the curve: truncation ~h**2 * |y'''| / 6 ~ 1e-9, rounding
    # ~1e-14 * m / h = 1e-10
    h = 1e-4
    numeric = (bass.evaluate(years + h, **kw) - bass.evaluate(years - h, **kw)) / (2 * h)
    np.testing.assert_allclose(rate, numeric, rtol=1e-7, atol=1e-8)


def test_ensemble_shapes_and_rows():
    start = np.array([0.0, 10.0, 50.0])
    q = np.array([0.3, 0.4, 0.5])
    years = np.arange(2025, 2046)
    y = bass.evaluate(years, base_year=2025, start=start, market=M, p=0.02, q=q)
    rate = bass.adoption(years, base_year=2025, start=start, market=M, p=0.02, q=q)
    assert y.shape == rate.shape == (3, years.size)
    for i in range(3):
        sol = solve_ivp(
            bass_ode,
            (0.0, 20.0),
            [start[i]],
            t_eval=years - 2025.0,
            args=(0.02, q[i], M),
            rtol=1e-10,
            atol=1e-12,
            method="DOP853",
        )
        np.testing.assert_allclose(y[i], sol.y[0], rtol=1e-8, atol=1e-9)
    assert bass.adoption([2025], base_year=2025, start=1.0, market=M, p=0.02, q=0.3).shape == (1,)


@pytest.mark.parametrize(
    ("params", "name", "text"),
    [
        (
            {"start": 120.0, "market": 100.0, "p": 0.01, "q": 0.3},
            "start",
            "must be <= market (got start=120, market=100)",
        ),
        ({"start": 0.0, "market": 0.0, "p": 0.01, "q": 0.3}, "market", "must be > 0 (got 0)"),
        ({"start": 0.0, "market": 1.0, "p": 11.0, "q": 0.3}, "p", "must be <= 10 (got 11)"),
        ({"start": 0.0, "market": 1.0, "p": 0.01, "q": -0.1}, "q", "must be >= 0 (got -0.1)"),
    ],
)
def test_validation_messages(params, name, text):
    for method in (bass.evaluate, bass.adoption):
        with pytest.raises(ParameterError) as info:
            method([2025], base_year=2025, **params)
        assert info.value.param == name
        assert info.value.message == text


def test_start_just_below_market_keeps_precision():
    # pure innovation: y = m - (m - start) e^{-p d}, with m - start = 3e-12 exact; going back
    # 130 years at p = 0.2 multiplies the gap by e^{26}: y(-130) = 3 - 3e-12 * e^{26} ~ 2.41
    m = 3.0
    start = m - 3e-12
    d = np.arange(-130.0, 1.0)
    expected = m - (m - start) * np.exp(-0.2 * d)
    y = bass.evaluate(2025 + d, base_year=2025, start=start, market=m, p=0.2, q=0.0)
    assert expected[0] < 0.9 * m
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_subnormal_coefficients_keep_precision():
    # p = 2.2e-313 (subnormal), q = 0: y = m - (m - start) e^{-p d} = start to ~1e-310
    years = np.arange(2025, 2226)
    y = bass.evaluate(years, base_year=2025, start=0.25, market=1.0, p=2.2250738585e-313, q=0.0)
    np.testing.assert_allclose(y, 0.25, rtol=1e-15)
    # and as a share of a tiny p with a large q: the exact solution from 0 takes off after
    # ln(q/p)/(p+q) = ln(100/1e-300)/100 ~ 6.95 years; at d = 6 it is still ~ (p/q) e^{600}
    y = bass.evaluate([2031.0], base_year=2025, start=0.0, market=1.0, p=1e-300, q=100.0)
    np.testing.assert_allclose(y, [1e-302 * np.exp(600.0)], rtol=1e-10)
