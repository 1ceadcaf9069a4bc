"""Numerical robustness, end to end: whole scenarios with extreme but valid numbers.

Hypothesis builds complete scenario mappings (every growth family, staged milestones with every
interpolation mode, exponentials with and without a ceiling, derived indicators that divide,
take min/max, powers, logs ...), horizons of up to 200 years in steps of 1 to 5 years, and
parameters at the edges of their domains: rates of 0, 1e-9 and the family's largest, starts
of 0, 1e-12 of the ceiling and the ceiling itself, magnitudes from 1e-300 to 1e150.

Whatever validates must project to finite numbers, shares of the growth families stay within
[0, 100 %], non-shares are >= 0, and numpy emits no warning. A derived indicator is never
clipped; where its expression has no finite value (a division by a capacity of 0, an overflow)
the run raises a :class:`~projection.ProjectionError` naming the derived indicator, never a NaN.
Each property test states its invariant in its docstring.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

import projection
from projection import ProjectionError
from projection.units import conversion_factor, is_share

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FINITE = {"allow_nan": False, "allow_infinity": False}
SRC = "assumption: robustness test"

# Indicators of one scenario share a dimension, so derived expressions combine them.
UNIT_GROUPS = {
    "share": ["%", "", "percent"],
    "power": ["GW", "MW", "TW", "kW"],
    "bandwidth": ["Gbps", "Tbps", "Mbps", "kbps"],
    "energy": ["TWh", "GWh", "EJ"],
}
FAMILY_RATES = {  # (lowest, highest) rate the family allows [1/yr]
    "exponential": (-100.0, 100.0),
    "logistic": (-100.0, 100.0),
    "gompertz": (-100.0, 100.0),
}


def note(text: str) -> None:
    """Count an outcome in hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(text)


def param(value, unit=None):
    p = {"value": value, "source": SRC}
    if unit is not None:
        p["unit"] = unit
    return p


def upper_of(unit: str) -> float:
    """Largest value of a share in ``unit`` (100 for %, 1 for a bare ratio), else inf."""
    return 1.0 / conversion_factor(unit, "") if is_share(unit) else math.inf


# ------------------------------------------------------------------------------ strategies


def rates(lo: float, hi: float):
    """Rates in [lo, hi]: the edges, tiny ones, and log-uniform magnitudes of both signs."""
    edges = [x for x in (0.0, 1e-9, -1e-9, 1e-300, lo, hi, hi / 2) if lo <= x <= hi]
    magnitude = st.floats(-9.0, math.log10(hi)).map(lambda e: 10.0**e)
    if lo < 0:
        magnitude = st.tuples(magnitude, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
    return st.one_of(st.sampled_from(edges), magnitude, st.floats(lo, hi, **FINITE))


def fractions():
    """start / ceiling: 0, 1e-12, just below 1, exactly 1, or anything in between."""
    return st.one_of(
        st.sampled_from([0.0, 1e-12, 1e-6, 0.5, 1.0 - 1e-12, 1.0]),
        st.floats(0.0, 1.0, **FINITE),
    )


def levels(unit: str):
    """A positive level in ``unit``: up to 100 % for a share, 1e-300 .. 1e150 otherwise."""
    top = upper_of(unit)
    if math.isfinite(top):
        return st.one_of(
            st.sampled_from([top, top * 1e-12, top / 2]),
            st.floats(0.0, 1.0, exclude_min=True, **FINITE).map(lambda f: f * top),
        )
    return st.one_of(
        st.sampled_from([1e-300, 1e-12, 1.0, 1e12, 1e150]),
        st.floats(-300.0, 150.0).map(lambda e: 10.0**e),
    )


def signed_levels(unit: str):
    top = upper_of(unit)
    if math.isfinite(top):
        return levels(unit) | st.just(0.0)
    return st.tuples(levels(unit), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


@st.composite
def level_param(draw, value: float, unit: str):
    """A level written as a bare number, with `unit:`, or as a string with its unit."""
    how = draw(st.sampled_from(["bare", "unit", "string"]))
    if how == "bare" or not unit:
        return param(value)
    if how == "unit":
        return param(value, unit)
    return param(f"{value!r} {unit}")


@st.composite
def growth_indicator(draw, family: str, unit: str, base: int):
    ind: dict = {"unit": unit, "model": family}
    if family == "linear":
        ind["params"] = {
            "start": draw(level_param(draw(signed_levels(unit)), unit)),
            "slope": param(draw(signed_levels(unit))),
        }
    elif family == "exponential":
        lo, hi = FAMILY_RATES[family]
        params = {"rate": param(draw(rates(lo, hi)), "1/yr")}
        if draw(st.booleans()):
            ceiling = draw(levels(unit))
            params["ceiling"] = draw(level_param(ceiling, unit))
            params["start"] = draw(level_param(draw(fractions()) * ceiling, unit))
        else:
            top = upper_of(unit)
            start = draw(levels(unit) | st.just(0.0))
            params["start"] = draw(level_param(min(start, top), unit))
        ind["params"] = params
    elif family in ("logistic", "gompertz"):
        lo, hi = FAMILY_RATES[family]
        ceiling = draw(levels(unit))
        ind["params"] = {
            "start": draw(level_param(draw(fractions()) * ceiling, unit)),
            "ceiling": draw(level_param(ceiling, unit)),
            "rate": param(draw(rates(lo, hi))),
        }
    elif family == "bass":
        market = draw(levels(unit))
        ind["params"] = {
            "start": draw(level_param(draw(fractions()) * market, unit)),
            "market": draw(level_param(market, unit)),
            "p": param(draw(rates(0.0, 10.0))),
            "q": param(draw(rates(0.0, 100.0)), "1/yr"),
        }
    else:  # staged
        interpolation = draw(st.sampled_from(["step", "linear", "log-linear"]))
        value = levels(unit) if interpolation == "log-linear" else levels(unit) | st.just(0.0)
        k = draw(st.integers(1, 5))
        gaps = draw(st.lists(st.integers(1, 80), min_size=k, max_size=k))
        years = list(base + np.cumsum(gaps))
        ind["interpolation"] = interpolation
        ind["params"] = {"start": draw(level_param(draw(value), unit))}
        ind["milestones"] = [
            {"year": int(y), "value": draw(value), "unit": unit or "", "source": SRC} for y in years
        ]
        if not unit:
            for m in ind["milestones"]:
                m.pop("unit")
    return ind


# Derived expressions over two indicators a, b of one dimension: ("same" gives a's dimension,
# "ratio" a share).
DERIVED = [
    ("{a} / {b}", "ratio"),
    ("({a} - {b}) / {b}", "ratio"),
    ("{a} / ({a} + {b})", "ratio"),
    ("{a} * k / {b}", "ratio"),
    ("{a} ** -1 * {b}", "ratio"),
    ("log({a} / {b})", "ratio"),
    ("exp(-{a} / {b})", "ratio"),
    ("clip({a} / {b}, 0, 1)", "ratio"),
    ("min({a}, {b})", "same"),
    ("max({a}, {b})", "same"),
    ("max({a} - {b}, 0)", "same"),
    ("{a} ** 2 / {b}", "same"),
    ("sqrt({a} * {b})", "same"),
    ("{a} ** 0.5 * {b} ** 0.5", "same"),
    ("abs({a} - {b}) + k * {a}", "same"),
    ("{a} ** 3 / ({b} ** 2 + {a} ** 2)", "same"),
]


@st.composite
def scenarios(draw, families=("linear", "exponential", "logistic", "gompertz", "bass", "staged")):
    """A whole scenario mapping: 1-4 growth indicators of one dimension, 0-2 derived ones."""
    group = draw(st.sampled_from(sorted(UNIT_GROUPS)))
    start = draw(st.integers(1800, 2200))
    length = draw(st.integers(0, 200))
    step = draw(st.integers(1, 5))
    end = start + length
    base = draw(st.one_of(st.none(), st.integers(start - 300, end)))
    base_year = start if base is None else base
    n = draw(st.integers(1, 4))
    indicators = {}
    for i in range(n):
        family = draw(st.sampled_from(families))
        unit = draw(st.sampled_from(UNIT_GROUPS[group]))
        ind = draw(growth_indicator(family, unit, base_year))
        if base is not None:
            ind["base_year"] = base
        indicators[f"g{i}"] = ind
    growth = sorted(indicators)
    for j in range(draw(st.integers(0, 2))):
        template, kind = draw(st.sampled_from(DERIVED))
        a = draw(st.sampled_from(growth))
        b = draw(st.sampled_from(growth))
        expression = template.format(a=a, b=b)
        if kind == "ratio":
            unit = draw(st.sampled_from(["%", "", "ppm"]))
        else:
            unit = draw(st.sampled_from(UNIT_GROUPS[group]))
        ind = {"unit": unit, "model": "derived", "expression": expression}
        if " k " in f" {expression} ".replace("*", " ").replace("(", " "):
            ind["params"] = {"k": param(draw(st.sampled_from([0.0, 1e-12, 1.0, 1e12])))}
        indicators[f"d{j}"] = ind
    constraints = {}
    names = sorted(indicators)
    for j in range(draw(st.integers(0, 2))):
        lhs = draw(st.sampled_from(names))
        quantity = "100 %" if group == "share" else f"1 {UNIT_GROUPS[group][0]}"
        rhs = draw(st.sampled_from([*names, quantity]))
        op = draw(st.sampled_from(["<=", "<", ">=", ">"]))
        factor = draw(st.sampled_from(["", "2 * ", "1e-12 * ", "1e150 * "]))
        constraints[f"c{j}"] = {"expression": f"{factor}{lhs} {op} {rhs}", "source": SRC}
    return {
        "name": "robust",
        "horizon": {"start": start, "end": end, "step": step},
        "indicators": indicators,
        "constraints": constraints,
    }


# ------------------------------------------------------------------------------ checks


def load_or_skip(mapping):
    """The validated scenario; an invalid draw (a ProjectionError) is skipped."""
    try:
        return projection.load_scenario(mapping)
    except ProjectionError as err:
        assert str(err).strip(), "a ProjectionError must say what is wrong"
        note(f"invalid: {getattr(err, 'message', str(err))[:40]}")
        assume(False)


def check_bounds(scenario, name: str, values: np.ndarray) -> None:
    ind = scenario.indicators[name]
    assert np.all(np.isfinite(values)), f"{name}: non-finite values {values}"
    if ind.model == "derived":
        return
    assert np.all(values >= 0.0), f"{name}: below 0: {values.min()}"
    top = upper_of(ind.unit)
    if math.isfinite(top):
        assert np.all(values <= top), f"{name}: a share above 100 %: {values.max()} {ind.unit}"


def run_checked(mapping):
    """Load and run ``mapping`` with numpy warnings as errors; check every invariant."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = load_or_skip(mapping)
        try:
            result = projection.run(scenario)
        except ProjectionError as err:
            # only a derived expression or a constraint may fail at run time (a division by
            # zero, an overflow), and it must say where and why
            message = str(err)
            assert message.strip() and "\n" not in message
            derived = [n for n, i in scenario.indicators.items() if i.model == "derived"]
            where = [f"indicators.{n}.expression" for n in derived]
            where += [f"constraints.{c}.expression" for c in scenario.constraints]
            assert any(w in message for w in where), message
            note(f"derived fails: {err.message[:30]}")
            return None
        note("ran")
        assert list(result.years) == scenario.years
        for name, values in result.values.items():
            assert values.shape == (len(scenario.years),)
            check_bounds(scenario, name, values)
        return result


# ------------------------------------------------------------------------------ tests


@SETTINGS
@given(scenarios())
def test_valid_scenarios_project_to_finite_bounded_values(mapping):
    """Every scenario that validates projects, with no numpy warning, to finite values; the
    shares of growth families lie in [0, 100 %] and their other indicators are >= 0; a derived
    indicator is finite or the run raises a one-line ProjectionError naming its expression."""
    run_checked(mapping)


@pytest.mark.parametrize("family", ["linear", "exponential", "logistic", "gompertz", "bass"])
@settings(SETTINGS, max_examples=60)
@given(data=st.data())
def test_each_family_alone_is_finite_and_bounded(family, data):
    """Per family, over horizons of up to 200 years with extreme valid parameters, the run is
    finite, warning-free and within the bounds of the indicator's unit."""
    run_checked(data.draw(scenarios(families=(family,))))


@settings(SETTINGS, max_examples=100)
@given(data=st.data())
def test_staged_all_interpolations_finite_and_bounded(data):
    """Staged indicators, every interpolation mode, milestones 1..80 years apart and values
    from 0 to 1e150 (or 100 %): finite, within bounds, no warnings."""
    run_checked(data.draw(scenarios(families=("staged",))))


def _one(ind: dict, **horizon) -> dict:
    h = {"start": 2025, "end": 2225, "step": 1}
    h.update(horizon)
    return {"name": "edge", "horizon": h, "indicators": ind}


EDGE_CASES = [
    # exponential without a ceiling at the largest rate and magnitude: capped, finite
    {
        "x": {
            "unit": "GW",
            "model": "exponential",
            "params": {"start": param(1e150), "rate": param(100.0)},
        }
    },
    # a share growing exponentially without a ceiling: clipped to 100 %
    {
        "x": {
            "unit": "%",
            "model": "exponential",
            "params": {"start": param(100), "rate": param(100)},
        }
    },
    # logistic from 1e-12 of a 1e150 ceiling at the fastest rate, and from the ceiling itself
    {
        "x": {
            "unit": "TWh",
            "model": "logistic",
            "params": {"start": param(1e138), "ceiling": param(1e150), "rate": param(100)},
        },
        "y": {
            "unit": "TWh",
            "model": "gompertz",
            "params": {"start": param(1e-300), "ceiling": param(1e-300), "rate": param(-100)},
        },
    },
    # bass at the largest p and q, start at the market
    {
        "x": {
            "unit": "%",
            "model": "bass",
            "params": {
                "start": param(100),
                "market": param(100),
                "p": param(10),
                "q": param(100),
            },
        }
    },
    # linear falling far below 0: clipped to 0
    {"x": {"unit": "GW", "model": "linear", "params": {"start": param(1), "slope": param(-1e150)}}},
]


@pytest.mark.parametrize("indicators", EDGE_CASES)
def test_named_edge_cases(indicators):
    """Hand-picked extremes (largest rates and magnitudes, start at 0 or at the ceiling) over 200
    years are finite and within bounds, with no warnings."""
    assert run_checked(_one(indicators)) is not None


def test_derived_division_by_zero_capacity_raises_a_located_error():
    """A derived ratio over an indicator that is 0 has no value: the run raises a
    ProjectionError naming the derived indicator's expression, never a NaN or inf."""
    mapping = _one(
        {
            "traffic": {
                "unit": "Gbps",
                "model": "linear",
                "params": {"start": param(1), "slope": param(1)},
            },
            "capacity": {
                "unit": "Gbps",
                "model": "linear",
                "params": {"start": param(0), "slope": param(0)},
            },
            "util": {"unit": "%", "model": "derived", "expression": "traffic / capacity"},
        },
        end=2030,
    )
    with pytest.raises(ProjectionError, match=r"indicators\.util\.expression.*division by zero"):
        projection.run(mapping)


def test_derived_value_too_large_for_its_unit_raises_instead_of_overflowing():
    """Regression: a finite ratio (1e307 GW/MW) converted to the derived indicator's unit (ppm)
    overflowed with a numpy RuntimeWarning; now the run raises a located ProjectionError."""
    mapping = _one(
        {
            "a": {
                "unit": "GW",
                "model": "linear",
                "params": {"start": param(1e150), "slope": param(0)},
            },
            "b": {
                "unit": "MW",
                "model": "linear",
                "params": {"start": param(1e-157), "slope": param(0)},
            },
            "r": {"unit": "ppm", "model": "derived", "expression": "a / b"},
        },
        end=2026,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProjectionError, match=r"indicators\.r\.expression.*too large"):
            projection.run(mapping)


def test_constraint_between_extreme_magnitudes_raises_instead_of_overflowing():
    """Regression: a constraint comparing 1e300 TW with kW overflowed converting TW to kW (a
    numpy RuntimeWarning); now the run raises a ProjectionError naming the constraint."""
    mapping = _one(
        {
            "a": {
                "unit": "TW",
                "model": "exponential",
                "params": {"start": param(1e150), "rate": param(100)},
            },
            "b": {
                "unit": "kW",
                "model": "linear",
                "params": {"start": param(1), "slope": param(0)},
            },
        },
        end=2035,
    )
    mapping["constraints"] = {"c": {"expression": "b <= a", "source": SRC}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ProjectionError, match=r"constraints\.c\.expression.*too large"):
            projection.run(mapping)
    mapping["constraints"] = {"c": {"expression": "1e150 * a <= b", "source": SRC}}
    with pytest.raises(ProjectionError, match=r"constraints\.c\.expression.*non-finite"):
        projection.run(mapping)


# ------------------------------------------------------------------------------ ensembles


@st.composite
def near_edge_distribution(draw, lo: float, hi: float, unit_hi: float | None = None):
    """A distribution whose support touches the edges of [lo, hi] (hi may be inf)."""
    top = hi if math.isfinite(hi) else (unit_hi or 1e6)
    width = top - lo
    kind = draw(st.sampled_from(["uniform", "truncnormal", "triangular", "beta", "lognormal"]))
    if kind == "uniform":
        a = draw(st.sampled_from([lo, lo + 1e-12 * width, top - 1e-9 * width]))
        return {"type": "uniform", "lower": a, "upper": top}
    if kind == "truncnormal":
        sd = draw(st.sampled_from([1e-9 * width, width, 1e3 * width]))
        mean = draw(st.sampled_from([lo, top, lo - width, top + width]))
        return {"type": "truncnormal", "mean": mean, "sd": sd, "lower": lo, "upper": top}
    if kind == "triangular":
        mode = draw(st.sampled_from([lo, top]))
        return {"type": "triangular", "lower": lo, "mode": mode, "upper": top}
    if kind == "beta":
        a = draw(st.sampled_from([0.01, 1.0, 100.0]))
        b = draw(st.sampled_from([0.01, 1.0, 100.0]))
        return {"type": "beta", "alpha": a, "beta": b, "lower": lo, "upper": top}
    # lognormal: support (0, inf); refused where the domain is bounded above
    median = draw(st.sampled_from([1e-12, 1.0, 1e6])) * (top if lo >= 0 else 1.0)
    sigma = draw(st.sampled_from([1e-6, 1.0, 10.0, 60.0, 1000.0]))
    return {"type": "lognormal", "median": median, "sigma": sigma}


@st.composite
def ensemble_scenarios(draw):
    unit = draw(st.sampled_from(["%", "GW"]))
    top = upper_of(unit)
    family = draw(st.sampled_from(["logistic", "gompertz", "exponential", "bass", "staged"]))
    length = draw(st.integers(0, 200))
    step = draw(st.integers(1, 5))
    ceiling_hi = top if math.isfinite(top) else 1e12
    if family == "bass":
        params = {
            "start": param(0.0),
            "market": param(ceiling_hi),
            "p": param(0.01),
            "q": param(0.5),
        }
        uncertain = {"p": (0.0, 10.0), "q": (0.0, 100.0), "market": (1e-12, top)}
    elif family == "staged":
        params = {"start": param(ceiling_hi / 2)}
        uncertain = {"start": (0.0, top)}
    else:
        params = {
            "start": param(ceiling_hi * 1e-12),
            "ceiling": param(ceiling_hi),
            "rate": param(0.3),
        }
        uncertain = {"rate": (-100.0, 100.0), "start": (0.0, ceiling_hi)}
    for name in draw(st.sets(st.sampled_from(sorted(uncertain)), min_size=1)):
        lo, hi = uncertain[name]
        params[name]["distribution"] = draw(near_edge_distribution(lo, hi, ceiling_hi))
        if draw(st.booleans()):
            del params[name]["value"]  # the median is the point value
    ind = {"unit": unit, "model": family, "params": params}
    if family == "staged":
        ind["interpolation"] = draw(st.sampled_from(["step", "linear", "log-linear"]))
        ind["milestones"] = [
            {
                "year": 2030,
                "year_distribution": {"type": "choice", "values": [2026, 2030, 2224]},
                "value": ceiling_hi,
                "distribution": draw(near_edge_distribution(1e-12, top, ceiling_hi)),
                "source": SRC,
            }
        ]
    indicators = {
        "x": ind,
        "y": {"unit": "%", "model": "derived", "expression": "x / (x + z)"},
        "z": {
            "unit": unit,
            "model": "linear",
            "params": {"start": param(ceiling_hi), "slope": param(0)},
        },
    }
    return {
        "name": "ens",
        "horizon": {"start": 2025, "end": 2025 + length, "step": step},
        "indicators": indicators,
    }


@settings(SETTINGS, max_examples=100)
@given(ensemble_scenarios(), st.sampled_from(["lhs", "sobol", "mc"]))
def test_small_ensembles_near_domain_edges(mapping, sampler):
    """An ensemble of 16 members whose distributions touch the edges of the parameters' domains
    either runs, with finite bands, means and members within the unit's bounds and no numpy
    warning, or raises a one-line ProjectionError (a member outside the family's domain)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = load_or_skip(mapping)
        try:
            e = projection.run(scenario, samples=16, seed=1, sampler=sampler, keep_samples=True)
        except ProjectionError as err:
            message = str(err)
            assert message.strip() and "\n" not in message
            note(f"ensemble fails: {getattr(err, 'message', message)[:40]}")
            return
        note("ran")
        for name in scenario.indicators:
            for values in (e.bands[name], e.mean[name], e.median[name], e.members[name]):
                check_bounds(scenario, name, np.asarray(values))
        for values in e.draws.values():
            assert np.all(np.isfinite(values))


EXTREME_DISTRIBUTIONS = [
    # regressions: each emitted a numpy RuntimeWarning (or gave a NaN point value) before
    {"type": "lognormal", "median": 1, "sigma": 1000},  # ppf overflows to inf
    {"type": "lognormal", "median": 1e-300, "sigma": 1e300},
    {"type": "normal", "mean": 0, "sd": 1e308},
    {"type": "uniform", "lower": -1e308, "upper": 1e308},  # upper - lower overflows
    {"type": "triangular", "lower": -1e308, "mode": 0, "upper": 1e308},
    {"type": "beta", "alpha": 1e-300, "beta": 1e-300, "lower": -1e308, "upper": 1e308},
    {"type": "beta", "alpha": 1e-300, "beta": 1e300, "lower": -1e150, "upper": 1e150},
    {"type": "truncnormal", "mean": 0, "sd": 1e308, "lower": -1e308, "upper": 1e308},
    {"type": "truncnormal", "mean": 1e308, "sd": 1e-308, "lower": -1e308, "upper": -1e307},
    {"type": "choice", "values": [1e308, -1e308], "weights": [1e308, 1e308]},  # sum overflows
    {"type": "choice", "values": [1e150, -1e150], "weights": [5e-324, 0]},
]


@pytest.mark.parametrize("samples", [None, 16])
@pytest.mark.parametrize("model", ["exponential", "linear", "derived"])
@pytest.mark.parametrize("distribution", EXTREME_DISTRIBUTIONS)
def test_extreme_distributions_are_refused_or_run_finite(distribution, model, samples):
    """A distribution with extreme numbers, on a family's parameter or a derived indicator's
    constant, is refused at load or in the run with a one-line ProjectionError, or the run is
    finite; numpy never warns and no value is NaN."""
    x = {"unit": "TW", "model": "linear", "params": {"start": param(1), "slope": param(1)}}
    uncertain = {"source": SRC, "distribution": distribution}
    if model == "derived":
        y = {"unit": "TW", "model": "derived", "expression": "x * k", "params": {"k": uncertain}}
    elif model == "exponential":
        y = {"unit": "TW", "model": model, "params": {"start": uncertain, "rate": param(0.1)}}
    else:
        y = {"unit": "TW", "model": model, "params": {"start": uncertain, "slope": param(0)}}
    mapping = _one({"x": x, "y": y}, end=2035)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = projection.run(mapping, samples=samples, seed=1)
        except ProjectionError as err:
            assert str(err).strip() and "\n" not in str(err)
            return
    values = result.values if samples is None else result.mean
    for name, v in values.items():
        assert np.all(np.isfinite(v)), name
