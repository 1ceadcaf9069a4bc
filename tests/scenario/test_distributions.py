"""Distributions on parameters (projection.scenario.distributions): validation, ppf against
scipy.stats and closed forms, medians, supports, truncation, choice frequencies."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from projection.scenario.distributions import (
    DISTRIBUTIONS,
    Beta,
    Choice,
    Distribution,
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
    }
    assert set(EXAMPLES) | {"choice"} == set(DISTRIBUTIONS)


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
        return make(
            kind,
            mean=draw(finite(-1e3, 1e3)),
            sd=draw(finite(1e-2, 1e3)),
            lower=lower,
            upper=upper,
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
