"""Distributions on parameters (projection.scenario.distributions): validation, ppf against
scipy.stats and closed forms, medians, supports, truncation, choice frequencies."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from projection.scenario.distributions import (
    DISTRIBUTIONS,
    Beta,
    Choice,
    Distribution,
    Empirical,
    LogNormal,
    Normal,
    Triangular,
    TruncNormal,
    Uniform,
    field_names,
)

ADAPTER = TypeAdapter(Distribution)

#: u in (0, 1), denser near both ends
U = np.concatenate([[1e-12, 1e-6, 1e-3], np.linspace(0.01, 0.99, 99), [1 - 1e-3, 1 - 1e-6]])

#: A valid example of every type, and the scipy.stats distribution it must equal, built from
#: the parameterisation the module documents (not from the module's own ``frozen``).
EXAMPLES = {
    "uniform": ({"lower": 8, "upper": 12}, stats.uniform(loc=8, scale=4)),
    "normal": ({"mean": 0.35, "sd": 0.1}, stats.norm(loc=0.35, scale=0.1)),
    "truncnormal": (
        {"mean": 0.35, "sd": 0.1, "lower": 0.05, "upper": 1.0},
        stats.truncnorm((0.05 - 0.35) / 0.1, (1.0 - 0.35) / 0.1, loc=0.35, scale=0.1),
    ),
    "lognormal": ({"median": 20.0, "sigma": 0.5}, stats.lognorm(s=0.5, scale=20.0)),
    "triangular": (
        {"lower": 1, "mode": 2, "upper": 5},
        stats.triang(0.25, loc=1, scale=4),
    ),
    "beta": (
        {"alpha": 2, "beta": 5, "lower": 10, "upper": 30},
        stats.beta(2, 5, loc=10, scale=20),
    ),
}


def make(kind: str, **fields):
    return ADAPTER.validate_python({"type": kind, **fields})


def names(err: ValidationError, field: str) -> bool:
    """Whether a validation error names ``field``, in its location or its message."""
    return any(field in map(str, e["loc"]) or field in e["msg"] for e in err.errors())


# --------------------------------------------------------------------------- the registry


def test_registry_lists_every_type():
    assert DISTRIBUTIONS == {
        "uniform": Uniform,
        "normal": Normal,
        "truncnormal": TruncNormal,
        "lognormal": LogNormal,
        "triangular": Triangular,
        "beta": Beta,
        "choice": Choice,
        "empirical": Empirical,
    }
    assert set(EXAMPLES) | {"choice", "empirical"} == set(DISTRIBUTIONS)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_the_union_picks_the_class_by_type(kind):
    fields, _ = EXAMPLES[kind]
    assert type(make(kind, **fields)) is DISTRIBUTIONS[kind]


def test_field_names_lists_every_key_any_type_takes():
    expected = set()
    for cls in DISTRIBUTIONS.values():
        for name, info in cls.model_fields.items():
            expected.add(info.alias or name)
    assert field_names() == sorted(expected)
    # by hand: the keys the module's table documents
    assert set(field_names()) == {
        "type",
        "lower",
        "upper",
        "mean",
        "sd",
        "median",
        "sigma",
        "mode",
        "alpha",
        "beta",
        "values",
        "weights",
        "quantiles",
    }
    assert "median_" not in field_names()  # the alias, not the Python name


def test_unknown_type_is_refused():
    with pytest.raises(ValidationError) as info:
        ADAPTER.validate_python({"type": "gamma", "shape": 2})
    assert "gamma" in str(info.value)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kind, fields, field",
    [
        ("uniform", {"lower": 2, "upper": 1}, "lower"),
        ("uniform", {"lower": 1, "upper": 1}, "lower"),
        ("uniform", {"lower": 1}, "upper"),
        ("uniform", {"lower": float("nan"), "upper": 1}, "lower"),
        ("uniform", {"lower": 0, "upper": float("inf")}, "upper"),
        ("uniform", {"lower": -1e308, "upper": 1e308}, "upper - lower"),
        ("uniform", {"lower": 0, "upper": 1, "mean": 0.5}, "mean"),  # not a uniform's field
        ("normal", {"mean": 0, "sd": 0}, "sd"),
        ("normal", {"mean": 0, "sd": -1}, "sd"),
        ("normal", {"mean": "abc", "sd": 1}, "mean"),
        ("normal", {"mean": True, "sd": 1}, "mean"),  # YAML's yes is not 1
        ("truncnormal", {"mean": 0, "sd": 0, "lower": -1, "upper": 1}, "sd"),
        ("truncnormal", {"mean": 0, "sd": 1, "lower": 1, "upper": -1}, "lower"),
        ("truncnormal", {"mean": 0, "sd": 1e-320, "lower": -1, "upper": 1}, "sd"),
        ("lognormal", {"median": 0, "sigma": 1}, "median"),
        ("lognormal", {"median": -2, "sigma": 1}, "median"),
        ("lognormal", {"median": 1, "sigma": 0}, "sigma"),
        ("lognormal", {"median": 1, "sigma": False}, "sigma"),
        ("triangular", {"lower": 0, "mode": 2, "upper": 1}, "mode"),
        ("triangular", {"lower": 0, "mode": -1, "upper": 1}, "mode"),
        ("triangular", {"lower": 1, "mode": 1, "upper": 1}, "lower"),
        ("beta", {"alpha": 0, "beta": 1}, "alpha"),
        ("beta", {"alpha": 1, "beta": -1}, "beta"),
        ("beta", {"alpha": 1, "beta": 1, "lower": 1, "upper": 0}, "lower"),
        ("choice", {"values": []}, "values"),
        ("choice", {"values": [1, 1]}, "values"),
        ("choice", {"values": [1, float("nan")]}, "values"),
        ("choice", {"values": [1, True]}, "values"),
        ("choice", {"values": [1, 2], "weights": [1]}, "weights"),
        ("choice", {"values": [1, 2], "weights": [0, 0]}, "weights"),
        ("choice", {"values": [1, 2], "weights": [-1, 2]}, "weights"),
        ("choice", {"values": [1, 2], "weights": [1, float("inf")]}, "weights"),
    ],
)
def test_bad_fields_raise_naming_the_field(kind, fields, field):
    with pytest.raises(ValidationError) as info:
        make(kind, **fields)
    assert names(info.value, field), str(info.value)
    # the class on its own refuses it too
    with pytest.raises(ValidationError):
        DISTRIBUTIONS[kind].model_validate({"type": kind, **fields})


def test_distributions_are_frozen():
    d = make("uniform", lower=0, upper=1)
    with pytest.raises(ValidationError):
        d.lower = 5


def test_edge_values_that_are_valid():
    # a triangular with its mode on a bound, a choice with one value, zero weights
    assert make("triangular", lower=0, mode=0, upper=1).support() == (0.0, 1.0)
    assert make("triangular", lower=0, mode=1, upper=1).median() == pytest.approx(math.sqrt(0.5))
    assert make("choice", values=[7]).ppf(np.array([0.0, 0.5, 0.99])).tolist() == [7, 7, 7]
    assert make("choice", values=[1, 2, 3], weights=[0, 1, 0]).ppf(U).tolist() == [2] * len(U)


# --------------------------------------------------------------------------- ppf


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_ppf_matches_scipy(kind):
    fields, reference = EXAMPLES[kind]
    got = make(kind, **fields).ppf(U)
    np.testing.assert_allclose(got, reference.ppf(U), rtol=1e-12, atol=0)


def test_ppf_closed_forms():
    u = np.linspace(0.01, 0.99, 99)
    np.testing.assert_allclose(make("uniform", lower=8, upper=12).ppf(u), 8 + 4 * u, atol=1e-12)
    # triangular on [a, b] with mode c: a + sqrt(u (b-a)(c-a)) below F(c), else
    # b - sqrt((1-u)(b-a)(b-c))
    a, c, b = 1.0, 2.0, 5.0
    fc = (c - a) / (b - a)
    expected = np.where(
        u < fc, a + np.sqrt(u * (b - a) * (c - a)), b - np.sqrt((1 - u) * (b - a) * (b - c))
    )
    got = make("triangular", lower=a, mode=c, upper=b).ppf(u)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # lognormal: exp(log(median) + sigma * z)
    z = stats.norm.ppf(U)
    np.testing.assert_allclose(
        make("lognormal", median=20, sigma=0.5).ppf(U), np.exp(np.log(20) + 0.5 * z), rtol=1e-12
    )
    # beta(1, 1) is uniform on [lower, upper]
    np.testing.assert_allclose(
        make("beta", alpha=1, beta=1, lower=-2, upper=2).ppf(u), -2 + 4 * u, atol=1e-12
    )


@pytest.mark.parametrize("kind", ["normal", "lognormal"])
def test_unbounded_ppf_is_finite_at_zero_and_one(kind):
    fields, _ = EXAMPLES[kind]
    values = make(kind, **fields).ppf(np.array([0.0, 1.0]))
    assert np.all(np.isfinite(values))
    assert values[0] < values[1]


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_u_is_kept_within_1e_15_of_zero_and_one(kind):
    # documented: ppf(0) is ppf(1e-15) and ppf(1) is ppf(1 - 1e-15)
    d = make(kind, **EXAMPLES[kind][0])
    assert d.ppf(np.array([0.0, -1.0]))[0] == d.ppf(np.array([1e-15]))[0]
    assert d.ppf(np.array([1.0, 2.0]))[1] == d.ppf(np.array([1 - 1e-15]))[0]


def test_ppf_of_a_scalar_and_of_a_list():
    d = make("uniform", lower=0, upper=10)
    assert float(d.ppf(0.25)) == 2.5
    assert d.ppf([0.1, 0.5]).tolist() == pytest.approx([1.0, 5.0])


# --------------------------------------------------------------------------- median, support


@pytest.mark.parametrize(
    "kind, fields, median",
    [
        ("uniform", {"lower": 8, "upper": 12}, 10.0),
        ("normal", {"mean": 0.35, "sd": 0.1}, 0.35),
        ("truncnormal", {"mean": 5, "sd": 2, "lower": 3, "upper": 7}, 5.0),  # symmetric
        ("lognormal", {"median": 20, "sigma": 0.5}, 20.0),
        # triangular [0, 4] with mode 4: F(x) = (x/4)^2, so the median is 4 sqrt(1/2)
        ("triangular", {"lower": 0, "mode": 4, "upper": 4}, 4 * math.sqrt(0.5)),
        ("beta", {"alpha": 3, "beta": 3, "lower": 10, "upper": 20}, 15.0),  # symmetric
        ("choice", {"values": [3, 1, 2]}, 2.0),
        ("choice", {"values": [1, 2, 3], "weights": [1, 0, 8]}, 3.0),
    ],
)
def test_median(kind, fields, median):
    got = make(kind, **fields).median()
    assert type(got) is float
    assert got == pytest.approx(median, rel=1e-12)


@pytest.mark.parametrize(
    "kind, fields, support",
    [
        ("uniform", {"lower": 8, "upper": 12}, (8.0, 12.0)),
        ("normal", {"mean": 0, "sd": 1}, (-math.inf, math.inf)),
        ("truncnormal", {"mean": 0.35, "sd": 0.1, "lower": 0.05, "upper": 1}, (0.05, 1.0)),
        ("lognormal", {"median": 20, "sigma": 0.5}, (0.0, math.inf)),
        ("triangular", {"lower": 1, "mode": 2, "upper": 5}, (1.0, 5.0)),
        ("beta", {"alpha": 2, "beta": 5}, (0.0, 1.0)),
        ("beta", {"alpha": 2, "beta": 5, "lower": 10, "upper": 30}, (10.0, 30.0)),
        ("choice", {"values": [3, -1, 2]}, (-1.0, 3.0)),
    ],
)
def test_support(kind, fields, support):
    d = make(kind, **fields)
    assert d.support() == pytest.approx(support)
    values = d.ppf(U)
    assert np.all((values >= support[0]) & (values <= support[1]))


# --------------------------------------------------------------------------- truncnormal


@pytest.mark.parametrize(
    "mean, sd, lower, upper",
    [
        (0.35, 0.1, 0.05, 1.0),
        (0.0, 1.0, 8.0, 9.0),  # a window far in the upper tail
        (0.0, 1.0, -40.0, -39.0),  # far in the lower tail
        (100.0, 1e-3, 99.0, 101.0),  # bounds a thousand sd away
        (0.0, 1e6, -1e-6, 1e-6),  # a sliver of the peak
    ],
)
def test_truncnormal_stays_inside_its_bounds(mean, sd, lower, upper):
    d = make("truncnormal", mean=mean, sd=sd, lower=lower, upper=upper)
    u = np.concatenate([[0.0, 1e-300, 1e-17, 1e-15], U, [1 - 1e-15, 1 - 1e-17, 1.0]])
    values = d.ppf(u)
    assert np.all(np.isfinite(values))
    assert np.all(values >= lower) and np.all(values <= upper)
    assert np.all(np.diff(values) >= 0)


# --------------------------------------------------------------------------- choice


@pytest.mark.parametrize(
    "values, weights",
    [
        ([10, 20, 30], None),
        ([3, 1, 2], [1, 2, 1]),  # unsorted values: weights follow their values
        ([0.5, 1.5, 2.5, 3.5], [0.1, 0.0, 0.6, 0.3]),
        ([-1, 1], [1e308, 1e308]),  # huge weights do not overflow
    ],
)
def test_choice_draws_only_its_values_with_the_weights_frequencies(values, weights):
    d = make("choice", values=values, weights=weights)
    n = 100_000
    u = (np.arange(n) + 0.5) / n  # a fine, even grid of [0, 1)
    drawn = d.ppf(u)
    assert set(drawn.tolist()) <= {float(v) for v in values}
    w = np.ones(len(values)) if weights is None else np.asarray(weights, float) / 1e300
    expected = w / w.sum()
    for value, p in zip(values, expected):
        assert np.mean(drawn == value) == pytest.approx(p, abs=2 / n)
    assert np.all(np.diff(drawn) >= 0)  # the values come in increasing order of u


def test_a_value_of_weight_zero_is_never_drawn():
    d = make("choice", values=list(range(1, 9)), weights=[0.1] * 6 + [0.37, 0])
    u = np.array([np.nextafter(1.0, 0.0)])  # 1 - 2**-53, which rng.random() can return
    assert d.ppf(u)[0] != 8


# --------------------------------------------------------------------------- property


def finite(lo: float, hi: float):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


@st.composite
def any_distribution(draw):
    kind = draw(st.sampled_from(sorted(DISTRIBUTIONS)))
    lower = draw(finite(-1e3, 1e3))
    upper = lower + draw(finite(1e-3, 1e3))
    if kind == "uniform":
        return make(kind, lower=lower, upper=upper)
    if kind == "normal":
        return make(kind, mean=draw(finite(-1e3, 1e3)), sd=draw(finite(1e-3, 1e3)))
    if kind == "truncnormal":
        mean = draw(finite(-1e3, 1e3))
        gap = max(lower - mean, mean - upper, 0.0)  # the validator: at most 1000 sd out
        return make(
            kind, mean=mean, sd=draw(finite(max(1e-2, gap / 900), 1e3)), lower=lower, upper=upper
        )
    if kind == "lognormal":
        return make(kind, median=draw(finite(1e-3, 1e3)), sigma=draw(finite(1e-2, 3)))
    if kind == "triangular":
        mode = lower + draw(finite(0, 1)) * (upper - lower)
        return make(kind, lower=lower, mode=min(max(mode, lower), upper), upper=upper)
    if kind == "beta":
        return make(
            kind, alpha=draw(finite(0.1, 50)), beta=draw(finite(0.1, 50)), lower=lower, upper=upper
        )
    if kind == "empirical":
        steps = draw(st.lists(finite(0, 1e2), min_size=1, max_size=20))
        knots = np.concatenate([[lower], lower + np.cumsum(steps)]).tolist()
        if knots[-1] <= knots[0]:
            knots[-1] = knots[0] + 1.0
        return make(kind, quantiles=knots)
    values = draw(st.lists(finite(-1e3, 1e3), min_size=1, max_size=6, unique=True))
    weights = draw(
        st.none()
        | st.lists(finite(0, 10), min_size=len(values), max_size=len(values)).filter(
            lambda w: sum(w) > 0
        )
    )
    return make(kind, values=values, weights=weights)


@settings(max_examples=100)
@given(
    any_distribution(),
    st.lists(finite(0, 1).filter(lambda x: x < 1), min_size=2, max_size=30),
)
def test_ppf_is_non_decreasing_and_inside_the_support(dist, us):
    """For every type and any valid parameters, ppf is non-decreasing in u (a larger uniform
    number never gives a smaller value), and every value lies within the support."""
    u = np.sort(np.asarray(us))
    values = dist.ppf(u)
    assert values.shape == u.shape
    assert np.all(np.diff(values) >= 0), (u, values)
    low, high = dist.support()
    assert np.all((values >= low) & (values <= high))


# --------------------------------------------------------------------------- direct ppf
# ppf no longer goes through scipy.stats (issue 13): each type has a direct inverse CDF. Where
# the method is scipy's own arithmetic (uniform, normal, lognormal, triangular, beta) the
# values are scipy.stats' bit for bit; the truncated normal has a new inverse CDF, checked
# against exact values and against scipy where scipy is accurate.

EPS = np.finfo(float).eps


def scipy_ppf(dist, u):
    """The draws as they were before: scipy.stats' frozen ppf of the clipped u."""
    return dist.frozen().ppf(np.clip(u, 1e-15, 1 - 1e-15))


def truncnormal_floor(mean, sd, lower, upper):
    """The rounding floor of a truncated normal's draws: a few units in the last place of
    the standardised problem, eps (|mean| + sd max(1, |a|, |b|))."""
    a, b = (lower - mean) / sd, (upper - mean) / sd
    return EPS * (abs(mean) + sd * max(1.0, abs(a), abs(b)))


@st.composite
def unchanged_distribution(draw):
    kind = draw(st.sampled_from(["uniform", "normal", "lognormal", "triangular", "beta"]))
    lower = draw(finite(-1e6, 1e6))
    upper = lower + draw(finite(1e-6, 1e6))
    if kind == "uniform":
        return make(kind, lower=lower, upper=upper)
    if kind == "normal":
        return make(kind, mean=draw(finite(-1e6, 1e6)), sd=draw(finite(1e-6, 1e6)))
    if kind == "lognormal":
        return make(kind, median=draw(finite(1e-6, 1e6)), sigma=draw(finite(1e-3, 10)))
    if kind == "triangular":
        mode = lower + draw(finite(0, 1)) * (upper - lower)
        return make(kind, lower=lower, mode=min(max(mode, lower), upper), upper=upper)
    return make(
        kind, alpha=draw(finite(0.05, 100)), beta=draw(finite(0.05, 100)), lower=lower, upper=upper
    )


QUANTILES = st.lists(finite(0, 1), min_size=1, max_size=20).map(
    lambda us: np.array(us + [0.0, 1e-15, 0.5, 1 - 1e-15, 1.0])
)


@settings(max_examples=150, deadline=None)
@given(unchanged_distribution(), QUANTILES)
def test_direct_ppf_is_scipy_stats_bit_for_bit(dist, u):
    """For uniform, normal, lognormal, triangular and beta, the direct ppf is the arithmetic
    scipy.stats does (u scale + loc, ndtri, exp, the triangular's square roots, betaincinv),
    so it gives the same values, bit for bit: the same seed draws the same ensemble."""
    np.testing.assert_array_equal(dist.ppf(u), scipy_ppf(dist, u))


def test_choice_ppf_is_unchanged():
    d = make("choice", values=[2028, 2029, 2030], weights=[1, 2, 1])
    assert d.ppf(np.array([0.0, 0.25, 0.2500001, 0.75, 0.7500001, 1 - 2**-53])).tolist() == [
        2028,
        2029,
        2029,
        2030,
        2030,
        2030,
    ]


#: Exact quantiles (mpmath, 60 digits, of the float parameters as written) of windows far in a
#: tail, narrow windows and windows where scipy.stats' truncnorm loses digits (scipy is off by
#: 6e-11 of the window on the shipped (0.35, 0.1, 0.05, 1) at u = 1 - 1e-15, by 1.5e-6 on
#: [-3, 30], by 2e-4 on the 2e-12 sd sliver, by 0.6 of the window on [999, 999 + 1e-9]).
EXACT_U = [1e-15, 1e-6, 0.3, 0.5, 0.9, 1 - 1e-15]
EXACT = [
    (
        (0.0, 1.0, 999.0, 999.5),
        [
            999.0,
            999.000000001001,
            999.0003570315544,
            999.0006938400854,
            999.0023048850146,
            999.0345735172381,
        ],
    ),  # noqa: E501
    (
        (0.0, 1.0, -1000.0, -999.99),
        [
            -1000.0,
            -999.9999782144745,
            -999.9912038769828,
            -999.9906931077776,
            -999.9901053564137,
            -999.99,
        ],
    ),  # noqa: E501
    (
        (0.0, 1.0, 999.0, 999.0002),
        [
            999.0,
            999.0000000001813,
            999.0000559192667,
            999.0000950132858,
            999.0001781032612,
            999.0002,
        ],
    ),  # noqa: E501
    (
        (0.0, 1.0, 999.0, 999.000000001),
        [999.0, 999.0, 999.0000000003, 999.0000000005, 999.0000000009, 999.000000001],
    ),  # noqa: E501
    (
        (0.0, 1e6, -1e-6, 1e-6),
        [-9.99999999999998e-07, -9.99998e-07, -4e-07, 0.0, 8e-07, 9.99999999999998e-07],
    ),  # noqa: E501
    (
        (0.0, 1.0, 0.5, 0.50011),
        [
            0.5,
            0.500000000109997,
            0.5000329993646941,
            0.5000549992436668,
            0.5000989997277081,
            0.50011,
        ],
    ),  # noqa: E501
    (
        (0.0, 1.0, -3.0, 30.0),
        [
            -2.999999999999775,
            -2.999774741231291,
            -0.5216847314661317,
            0.0016918470940848107,
            1.2823211249554847,
            7.9416120039812235,
        ],
    ),  # noqa: E501
    (
        (0.35, 0.1, 0.05, 1.0),
        [
            0.05000000000002253,
            0.05002252587687001,
            0.2978315268499266,
            0.35016918470437514,
            0.4782321124749331,
            0.9999996262151641,
        ],
    ),  # noqa: E501
    (
        (-1000.0, 1.0, 0.0, 0.01),
        [
            9.99953602842546e-19,
            9.999541027964827e-10,
            0.0003566550679269221,
            0.0006931008510908961,
            0.002302171649423812,
            0.009999999999977992,
        ],
    ),  # noqa: E501
    (
        (1e10, 1e10, 0.0, 1.0),
        [
            1.00000000005e-15,
            1.0000000000499999e-06,
            0.3000000000105,
            0.5000000000125,
            0.9000000000045,
            0.999999999999999,
        ],
    ),  # noqa: E501
    (
        (0.0, 1.0, 45.0, 47.0),
        [
            45.0,
            45.000000022211275,
            45.0079215049834,
            45.01539304522889,
            45.05111432541714,
            45.76074361563815,
        ],
    ),  # noqa: E501
]


@pytest.mark.parametrize("params, exact", EXACT, ids=[str(p) for p, _ in EXACT])
def test_truncnormal_ppf_against_exact_values(params, exact):
    """The documented tolerance: within 4 eps (|mean| + sd max(1, |a|, |b|)) of the exact
    quantile, up to 1000 sd out and down to 1e-12 sd wide."""
    mean, sd, lower, upper = params
    d = make("truncnormal", mean=mean, sd=sd, lower=lower, upper=upper)
    got = d.ppf(np.array(EXACT_U))
    np.testing.assert_allclose(got, exact, rtol=0, atol=4 * truncnormal_floor(*params))


def symmetric_scipy_truncnorm_ppf(mean, sd, lower, upper, u):
    """scipy.stats' truncnorm, asked in the tail each quantile lies in (its own reflection
    symmetry): for u > 1/2, minus the quantile 1 - u of the reflected window. scipy alone
    loses digits near u = 1 on windows with a < 0 (it solves Phi(x) = p with p near 1)."""
    a, b = (lower - mean) / sd, (upper - mean) / sd
    low = stats.truncnorm(a, b).ppf(u)
    high = -stats.truncnorm(-b, -a).ppf(1 - u)
    return mean + sd * np.where(u <= 0.5, low, high)


@settings(max_examples=200, deadline=None)
@given(
    mean=finite(-1e3, 1e3),
    sd=finite(1e-3, 1e3),
    a=finite(-30, 30),
    width=finite(1e-2, 60),
    u=QUANTILES,
)
def test_truncnormal_ppf_matches_scipy_where_scipy_is_accurate(mean, sd, a, width, u):
    """Against scipy.stats' truncnorm on windows within 30 sd of the mean and at least 0.01 sd
    wide (where scipy, asked in the right tail, is accurate): equal within 1e-12 of the
    window plus 8 eps (|mean| + sd max(1, |a|, |b|))."""
    lower, upper = mean + a * sd, mean + (a + width) * sd
    if not upper > lower:
        return
    d = make("truncnormal", mean=mean, sd=sd, lower=lower, upper=upper)
    u = np.clip(u, 1e-15, 1 - 1e-15)
    ref = np.clip(symmetric_scipy_truncnorm_ppf(mean, sd, lower, upper, u), lower, upper)
    tol = 1e-12 * (upper - lower) + 8 * truncnormal_floor(mean, sd, lower, upper)
    np.testing.assert_allclose(d.ppf(u), ref, rtol=0, atol=tol)


@settings(max_examples=200, deadline=None)
@given(
    mean=finite(-1e3, 1e3),
    sd=finite(1e-3, 1e3),
    a=finite(-1000, 1000),
    log_width=finite(-12, 3),
    us=st.lists(finite(0, 1), min_size=2, max_size=30),
)
# found by a local random run: a subnormal alpha made the reference's own log1p/expm1 lose
# precision (the draws were right); the reference now takes alpha = 0 there
@example(mean=0.0, sd=1.0, a=2.2250738585e-313, log_width=-8.0, us=[0.0, 0.75])
def test_truncnormal_far_and_narrow_windows_are_monotone_and_inside(mean, sd, a, log_width, us):
    """Any window the validator accepts, up to 1000 sd out and down to 1e-12 sd wide: ppf is
    finite, non-decreasing in u and inside [lower, upper]. For windows narrower than 1e-7 sd
    the distribution on the window is a truncated exponential to within w**2 / 8 < 2e-15, so
    its closed form is an exact reference: equal within 1e-12 of the window plus 4 eps
    (|mean| + sd max(1, |a|, |b|))."""
    w = 10.0**log_width
    lower, upper = mean + a * sd, mean + (a + w) * sd
    try:
        d = make("truncnormal", mean=mean, sd=sd, lower=lower, upper=upper)
    except ValidationError:
        return  # rounding made the window too narrow, or too far out: refused, fine
    u = np.sort(np.asarray(us))
    values = d.ppf(u)
    assert np.all(np.isfinite(values))
    assert np.all(np.diff(values) >= 0), (u, values)
    assert np.all((values >= lower) & (values <= upper))
    if w <= 1e-7:
        a_, w_ = (lower - mean) / sd, (upper - lower) / sd
        alpha = a_ * w_
        uc = np.clip(u, 1e-15, 1 - 1e-15)
        tiny = abs(alpha) < np.finfo(float).tiny  # 0, or subnormal: uniform to 1e-300
        t = uc if tiny else np.log1p(uc * np.expm1(-alpha)) / -alpha
        tol = 1e-12 * (upper - lower) + 4 * truncnormal_floor(mean, sd, lower, upper)
        np.testing.assert_allclose(values, lower + t * (upper - lower), rtol=0, atol=tol)


@settings(max_examples=60)
@given(
    knots=st.lists(finite(-1e3, 1e3), min_size=2, max_size=40)
    .map(sorted)
    .filter(lambda k: k[-1] > k[0])
)
@example(knots=[0.0, 2.225073858507203e-309])  # a random run: scipy's density overflows
def test_empirical_ppf_passes_through_its_quantiles_and_frozen_agrees(knots):
    """Invariant: an empirical distribution's inverse CDF gives its k-th quantile at
    probability k/K exactly, is linear in between (equal mass per interval), and the
    scipy.stats histogram it freezes to has the same inverse CDF."""
    d = make("empirical", quantiles=knots)
    k = len(knots) - 1
    at = np.arange(1, k) / k  # inner knots (ppf clips u to [1e-15, 1 - 1e-15])
    np.testing.assert_allclose(d.ppf(at), knots[1:-1], rtol=0, atol=1e-9 * (1 + np.ptp(knots)))
    assert d.support() == (knots[0], knots[-1])
    u = np.linspace(0.01, 0.99, 37)
    tiny = np.finfo(float).tiny  # a subnormal bin width: scipy's density 1/width overflows
    if all(b - a > tiny for a, b in zip(knots, knots[1:])):  # no point masses: scipy holds it
        np.testing.assert_allclose(
            d.frozen().ppf(u), d.ppf(u), rtol=0, atol=1e-7 * (1 + np.ptp(knots))
        )


def test_arguments_and_description_read_as_written():
    """One description of a distribution for `diff` and the report: fields by the names a
    file writes (median, not the Python name median_), whole numbers without a point, and an
    empirical one by three quantiles, not all of them."""
    assert make("lognormal", median=20.0, sigma=0.5).arguments() == "median=20, sigma=0.5"
    assert make("uniform", lower=0.1, upper=1.5).describe("1/yr") == (
        "uniform(lower=0.1, upper=1.5) 1/yr"
    )
    e = make("empirical", quantiles=list(np.linspace(0.0, 100.0, 101)))
    assert e.arguments() == "5/50/95 % at 5, 50, 95"
    assert e.describe("%") == "empirical: 5/50/95 % at 5, 50, 95 %"
