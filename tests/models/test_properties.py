"""Property tests (hypothesis): invariants every growth family must keep.

Strategies draw valid parameter sets per family, including the edges of the domains (rates of
0, tiny and at the bounds, start = 0, start = ceiling), so the invariants are exercised where
the closed forms are most fragile. Evaluation runs over 200 years either side of base_year.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from projection.models import FAMILIES, bass, exponential, get_family, gompertz, logistic, staged

SETTINGS = settings(max_examples=60, deadline=None)
BASE = 2025.0
OFFSETS = np.arange(-200.0, 201.0)  # years relative to base_year
YEARS = BASE + OFFSETS
AHEAD = OFFSETS >= 0

FINITE = {"allow_nan": False, "allow_infinity": False}


def rates(lo=-100.0, hi=100.0):
    """Rates [1/yr] in [lo, hi], biased towards 0, tiny values and the bounds."""
    edges = [x for x in (0.0, 1e-12, -1e-12, 1e-300, lo, hi) if lo <= x <= hi]
    return st.one_of(
        st.sampled_from(edges),
        st.floats(max(lo, -2.0), min(hi, 2.0), **FINITE),
        st.floats(lo, hi, **FINITE),
    )


def fractions(hi=1.0):
    """start / ceiling: 0, 1 (when allowed) or anything in between."""
    edges = [0.0, hi] if hi == 1.0 else [0.0]
    return st.one_of(st.sampled_from(edges), st.floats(0.0, hi, **FINITE))


def levels(hi=1e6):
    return st.one_of(st.sampled_from([1e-9, 1.0, hi]), st.floats(1e-6, hi, **FINITE))


@st.composite
def saturating(draw, name, *, share=False, frac_hi=1.0, rate_lo=-100.0, rate_hi=100.0):
    """Valid parameters of a family with a ceiling (or market)."""
    c = draw(st.floats(1e-6, 1.0, **FINITE) | st.just(1.0)) if share else draw(levels())
    start = draw(fractions(frac_hi)) * c
    if name == "bass":
        p = draw(
            st.sampled_from([0.0, 10.0])
            | st.floats(0.0, 0.1, **FINITE)
            | st.floats(0.0, 10.0, **FINITE)
        )
        q = draw(rates(max(rate_lo, 0.0), rate_hi))
        return {"start": start, "market": c, "p": p, "q": q}
    return {"start": start, "ceiling": c, "rate": draw(rates(rate_lo, rate_hi))}


@st.composite
def staged_params(draw, *, k=None, interpolation=None, share=False):
    k = draw(st.integers(0, 4)) if k is None else k
    interpolation = interpolation or draw(st.sampled_from(staged.options["interpolation"]))
    lo = 1e-6 if interpolation == "log-linear" else 0.0
    hi = 1.0 if share else 1e6
    value = st.floats(lo, hi, **FINITE)
    if interpolation != "log-linear":
        value = value | st.just(0.0)
    gaps = draw(st.lists(st.floats(0.25, 60.0, **FINITE), min_size=k, max_size=k))
    return {
        "start": draw(value),
        "milestone_years": BASE + np.cumsum(gaps),
        "milestone_values": np.array(draw(st.lists(value, min_size=k, max_size=k))),
        "interpolation": interpolation,
    }


@st.composite
def params_for(draw, name, config=None):
    """Valid scalar parameters of family ``name``; ``config`` fixes the structure (ceiling or
    not, number of milestones and interpolation) so that members can be stacked."""
    config = config or {}
    if name == "linear":
        return {
            "start": draw(st.floats(-1e6, 1e6, **FINITE)),
            "slope": draw(st.floats(-1e4, 1e4, **FINITE)),
        }
    if name == "exponential":
        if config.get("ceiling", draw(st.booleans())):
            return draw(saturating("exponential"))
        return {"start": draw(fractions() | levels()), "rate": draw(rates())}
    if name in ("logistic", "gompertz", "bass"):
        return draw(saturating(name))
    return draw(staged_params(k=config.get("k"), interpolation=config.get("interpolation")))


@st.composite
def ensembles(draw, name):
    """A list of 1-4 member parameter sets that share one structure."""
    config = {
        "ceiling": draw(st.booleans()),
        "k": draw(st.integers(0, 3)),
        "interpolation": draw(st.sampled_from(staged.options["interpolation"])),
    }
    n = draw(st.integers(1, 4))
    return [draw(params_for(name, config)) for _ in range(n)]


def stack(members):
    """Stack member parameter sets into one ensemble parameter set."""
    return {
        k: v if isinstance(v, str) else np.array([m[k] for m in members])
        for k, v in members[0].items()
    }


def evaluate_quietly(family, years, **params):
    """Evaluate with every warning (and numpy over/invalid/divide) turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return family.evaluate(years, base_year=BASE, **params)


def bound(params):
    return params.get("ceiling", params.get("market"))


FAMILY_NAMES = sorted(FAMILIES)
SATURATING = ["bass", "gompertz", "logistic", "exponential"]


# ----------------------------------------------------------------------------- anchoring


@pytest.mark.parametrize("name", FAMILY_NAMES)
@SETTINGS
@given(data=st.data())
def test_every_family_equals_start_at_base_year(name, data):
    """Whatever the (valid) parameters, the trajectory equals start at base_year, exactly."""
    members = data.draw(ensembles(name))
    params = stack(members)
    y = evaluate_quietly(get_family(name), YEARS, **params)
    np.testing.assert_array_equal(y[:, OFFSETS == 0][:, 0], params["start"])


# ----------------------------------------------------------------------------- saturation


@pytest.mark.parametrize("name", SATURATING)
@SETTINGS
@given(data=st.data())
def test_saturating_families_stay_in_zero_to_ceiling(name, data):
    """Logistic, Gompertz, Bass and exponential with a ceiling never go below 0 nor above the
    ceiling (market), at any year, before or after base_year."""
    params = data.draw(saturating(name))
    y = evaluate_quietly(get_family(name), YEARS, **params)
    assert np.all(np.isfinite(y))
    assert np.all(y >= 0)
    assert np.all(y <= bound(params))


@pytest.mark.parametrize("name", SATURATING)
@SETTINGS
@given(data=st.data())
def test_saturating_families_rise_when_the_rate_is_positive(name, data):
    """With rate > 0 (Bass: p, q >= 0 always) the trajectory never falls from one year to the
    next, up to rounding (1e-12 of the ceiling)."""
    params = data.draw(saturating(name, rate_lo=0.0))
    y = evaluate_quietly(get_family(name), YEARS, **params)
    assert np.all(np.diff(y) >= -1e-12 * bound(params))


@pytest.mark.parametrize("name", ["bass", "gompertz", "logistic", "exponential"])
@SETTINGS
@given(data=st.data())
def test_shares_stay_in_zero_one(name, data):
    """For a share (start and ceiling/market in [0, 1]) the saturating families stay in [0, 1]."""
    params = data.draw(saturating(name, share=True))
    y = evaluate_quietly(get_family(name), YEARS, **params)
    assert np.all((y >= 0) & (y <= 1))


@SETTINGS
@given(params=staged_params(share=True))
def test_staged_shares_stay_in_zero_one(params):
    """A staged share through points in [0, 1] stays in [0, 1] for every interpolation."""
    y = evaluate_quietly(staged, YEARS, **params)
    assert np.all((y >= 0) & (y <= 1))


# ----------------------------------------------------------------------------- rate order


def _two_rates(data, lo=-100.0, hi=100.0):
    r1, r2 = sorted([data.draw(rates(lo, hi)), data.draw(rates(lo, hi))])
    return r1, r2


@pytest.mark.parametrize(
    "name", ["logistic", "gompertz", "exponential-ceiling", "exponential-free"]
)
@SETTINGS
@given(data=st.data())
def test_higher_rate_is_never_lower_after_base_year(name, data):
    """For d >= 0 a higher rate never gives a lower value (logistic, Gompertz, exponential with
    and without ceiling), up to rounding (1e-12 relative)."""
    family = get_family(name.split("-")[0])
    if name == "exponential-free":
        params = {"start": data.draw(fractions() | levels())}
    else:
        params = data.draw(saturating(family.name))
        del params["rate"]
    r1, r2 = _two_rates(data)
    y1 = evaluate_quietly(family, YEARS, rate=r1, **params)[AHEAD]
    y2 = evaluate_quietly(family, YEARS, rate=r2, **params)[AHEAD]
    assert np.all(y2 >= y1 - 1e-12 * np.maximum(np.abs(y1), params["start"]))


@SETTINGS
@given(data=st.data())
def test_bass_higher_imitation_is_never_lower_after_base_year(data):
    """For d >= 0 a higher imitation coefficient q never gives less cumulative adoption, up to
    rounding (1e-12 of the market)."""
    params = data.draw(saturating("bass"))
    q1, q2 = _two_rates(data, 0.0, 100.0)
    params.pop("q")
    y1 = evaluate_quietly(bass, YEARS, q=q1, **params)[AHEAD]
    y2 = evaluate_quietly(bass, YEARS, q=q2, **params)[AHEAD]
    assert np.all(y2 >= y1 - 1e-12 * params["market"])


# ----------------------------------------------------------------------------- staged


@pytest.mark.parametrize("interpolation", staged.options["interpolation"])
@SETTINGS
@given(data=st.data())
def test_staged_passes_through_every_milestone(interpolation, data):
    """For every interpolation the trajectory passes exactly through (base_year, start) and every
    (milestone year, value); before base_year it is start, after the last milestone it holds."""
    params = data.draw(staged_params(k=data.draw(st.integers(1, 4)), interpolation=interpolation))
    ms_years = params["milestone_years"]
    years = np.concatenate([[BASE - 10.0, BASE], ms_years, [ms_years[-1] + 50.0]])
    y = evaluate_quietly(staged, years, **params)
    np.testing.assert_array_equal(y[:2], params["start"])
    np.testing.assert_array_equal(y[2:-1], params["milestone_values"])
    assert y[-1] == params["milestone_values"][-1]


@SETTINGS
@given(params=staged_params(k=3))
def test_staged_stays_between_neighbouring_points(params):
    """Between two consecutive points the value lies between their values (no overshoot), for
    every interpolation."""
    years = np.linspace(BASE, params["milestone_years"][-1], 97)
    y = evaluate_quietly(staged, years, **params)
    points_d = np.concatenate([[BASE], params["milestone_years"]])
    points_v = np.concatenate([[params["start"]], params["milestone_values"]])
    seg = np.clip(np.searchsorted(points_d, years, side="right") - 1, 0, len(points_d) - 2)
    lo = np.minimum(points_v[seg], points_v[seg + 1])
    hi = np.maximum(points_v[seg], points_v[seg + 1])
    assert np.all(y >= lo * (1 - 1e-12)) and np.all(y <= hi * (1 + 1e-12))


# ----------------------------------------------------------------------------- ensembles


@pytest.mark.parametrize("name", FAMILY_NAMES)
@SETTINGS
@given(data=st.data())
def test_ensemble_equals_members_one_by_one(name, data):
    """Evaluating an ensemble at once gives, row by row, what evaluating each member alone gives
    (rtol 1e-12; absolute 1e-12 of the member's scale where a value cancels to ~0)."""
    members = data.draw(ensembles(name))
    family = get_family(name)
    y = evaluate_quietly(family, YEARS, **stack(members))
    assert y.shape == (len(members), YEARS.size)
    for i, member in enumerate(members):
        alone = evaluate_quietly(family, YEARS, **member)
        np.testing.assert_allclose(y[i], alone, rtol=1e-12, atol=1e-12 * scale_of(family, member))


# ----------------------------------------------------------------------------- units


def scale_of(family, params):
    """Magnitude of a trajectory: largest level, plus slope times the horizon."""
    total = 0.0
    for spec in family.params:
        if spec.name not in params:
            continue
        value = np.max(np.abs(np.asarray(params[spec.name], dtype=float)), initial=0.0)
        if spec.kind == "level":
            total = max(total, value)
        elif spec.kind == "level_rate":
            total += value * np.max(np.abs(OFFSETS))
    return total + np.max(np.abs(np.asarray(params.get("start", 0.0))))


@st.composite
def well_conditioned(draw, name):
    """Valid parameters away from start ~ ceiling (where rounding the scaled inputs alone is
    amplified by C / (C - start)) and, for the uncapped exponential, below the 1e300 cap."""
    if name == "linear" or name == "staged":
        return draw(params_for(name))
    if name == "exponential" and draw(st.booleans()):
        return {"start": draw(fractions() | levels()), "rate": draw(rates(-3.0, 3.0))}
    params = draw(saturating(name, frac_hi=0.999))
    if draw(st.booleans()):  # start = ceiling is exact: include it
        params["start"] = params.get("ceiling", params.get("market"))
    return params


@pytest.mark.parametrize("name", FAMILY_NAMES)
@SETTINGS
@given(data=st.data())
def test_scaling_the_unit_scales_the_output(name, data):
    """Multiplying start, ceiling, market, milestone values and slope by 1000 (Gbps -> Mbps)
    multiplies the output by 1000 (rtol 1e-12; absolute 1e-12 of the scale where a value
    cancels to ~0), for well-conditioned parameters in the normal floating-point range."""
    family = get_family(name)
    params = data.draw(well_conditioned(name))
    # subnormal inputs carry fewer than 53 bits, so x1000 cannot be exact to 1e-12 for them
    assume(all(_normal(v) for k, v in params.items() if k in family.param_names))
    scaled = {
        k: (np.asarray(v) * 1000.0 if family.spec(k).kind in ("level", "level_rate") else v)
        if k in family.param_names
        else v
        for k, v in params.items()
    }
    y = evaluate_quietly(family, YEARS, **params)
    y1000 = evaluate_quietly(family, YEARS, **scaled)
    # absolute floor: results that underflow into the subnormal range lose precision there
    atol = 1e-12 * 1000.0 * scale_of(family, params) + 1e-300
    np.testing.assert_allclose(y1000, 1000.0 * y, rtol=1e-12, atol=atol)


def _normal(value):
    """True when every element is 0 or a normal (not subnormal) float."""
    a = np.abs(np.asarray(value, dtype=float))
    return bool(np.all((a == 0) | (a >= np.finfo(float).tiny)))


# ----------------------------------------------------------------------------- extremes

EXTREMES = {
    "linear": [{"start": 1e12, "slope": -1e10}, {"start": 0.0, "slope": 0.0}],
    "exponential": [
        {"start": s, "rate": r, **c}
        for s in (0.0, 1e-300, 1.0, 1e12)
        for r in (-100.0, -1e-12, 0.0, 1e-300, 100.0)
        for c in ({}, {"ceiling": max(s, 1e-300)}, {"ceiling": 1e13})
    ],
    "logistic": [
        {"start": s, "ceiling": 1.0, "rate": r}
        for s in (0.0, 5e-324, 1e-300, 0.5, 1 - 1e-16, 1.0)
        for r in (-100.0, -1e-12, 0.0, 1e-300, 100.0)
    ],
    "gompertz": [
        {"start": s, "ceiling": 1.0, "rate": r}
        for s in (0.0, 5e-324, 1e-300, 0.5, 1 - 1e-16, 1.0)
        for r in (-100.0, -1e-12, 0.0, 1e-300, 100.0)
    ],
    "bass": [
        {"start": s, "market": 1.0, "p": p, "q": q}
        for s in (0.0, 1e-300, 0.5, 1.0)
        for p in (0.0, 5e-324, 1e-12, 10.0)
        for q in (0.0, 1e-12, 100.0)
    ],
    "staged": [
        {
            "start": s,
            "milestone_years": [BASE + 1e-6, BASE + 200.0],
            "milestone_values": [v, 1e12],
            "interpolation": i,
        }
        for s in (1e-300, 1.0)
        for v in (1e-300, 1e12)
        for i in staged.options["interpolation"]
    ],
}


def test_every_family_has_extremes():
    assert set(EXTREMES) == set(FAMILIES)


@pytest.mark.parametrize(
    ("name", "params"), [(name, p) for name, cases in EXTREMES.items() for p in cases]
)
def test_extreme_but_valid_values_give_finite_output_without_warnings(name, params):
    """Rates near 0 and at their bounds, start = 0, start = ceiling, tiny and huge levels over
    horizons of 200 years: finite output, no numpy warnings, anchored at start."""
    family = get_family(name)
    y = evaluate_quietly(family, YEARS, **params)
    assert np.all(np.isfinite(y))
    assert y[OFFSETS == 0][0] == params["start"]
    top = bound(params)
    if top is not None:
        assert np.all((y >= 0) & (y <= top))
    if name == "bass":
        rate = bass.adoption(YEARS, base_year=BASE, **params)
        assert np.all(np.isfinite(rate)) and np.all(rate >= 0)


@pytest.mark.parametrize("name", FAMILY_NAMES)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_long_horizons_are_finite(name, data):
    """Over the longest allowed horizon (MAX_HORIZON either side) every valid parameter set gives
    finite output without warnings."""
    from projection.models import MAX_HORIZON

    params = data.draw(params_for(name))
    years = BASE + np.array([-MAX_HORIZON, -1000.0, 0.0, 1000.0, MAX_HORIZON])
    y = evaluate_quietly(get_family(name), years, **params)
    assert np.all(np.isfinite(y))


def test_logistic_and_bass_with_pure_imitation_agree():
    """Bass with p = 0 is the logistic curve with rate q and ceiling m (a cross-family check)."""
    years = BASE + np.linspace(-30, 60, 91)
    y_bass = bass.evaluate(years, base_year=BASE, start=3.0, market=70.0, p=0.0, q=0.4)
    y_log = logistic.evaluate(years, base_year=BASE, start=3.0, ceiling=70.0, rate=0.4)
    np.testing.assert_allclose(y_bass, y_log, rtol=1e-12)


def test_gompertz_and_exponential_with_ceiling_saturate_at_the_ceiling():
    """Far ahead with a positive rate both reach the ceiling to double precision."""
    years = np.array([BASE + 200.0])
    assert gompertz.evaluate(years, base_year=BASE, start=1.0, ceiling=9.0, rate=0.5)[0] == 9.0
    y = exponential.evaluate(years, base_year=BASE, start=1.0, ceiling=9.0, rate=0.5)
    np.testing.assert_allclose(y, [9.0], rtol=1e-15)
