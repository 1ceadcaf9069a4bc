"""The in-place kernels give, bit for bit, what the reference formulas give.

Every family's ``_kernel`` is written for speed on ensembles: one full-size buffer worked in
place, edge cases decided on the ``(N,)`` parameters and fixed on the rows concerned only.
Each family keeps the formula as written, array by array, as ``_reference_kernel``. Here
ensembles that mix ordinary members with every kind of edge case (``start = 0``,
``start = ceiling``, rates at their bounds, values that must be capped, adoption that has not
begun, milestones shared or not) are evaluated both ways, over years before and after
``base_year``, in any order: the results must be identical, and the fast path must stay free
of numpy warnings.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projection.models import FAMILIES, MAX_HORIZON, get_family, staged
from projection.models.kernels import _patch_rows, _set_rows

SETTINGS = settings(max_examples=60, deadline=None)
BASE = 2025.0

RATE_EDGES = [0.0, 1e-300, 1e-12, -1e-12, 100.0, -100.0, 0.5, -0.5]
FRACTION_EDGES = [0.0, 1.0, 1 - 1e-16, 5e-324, 1e-300, 0.5]
LEVEL_EDGES = [1e-300, 1e-9, 1.0, 1e6, 1e12, 1e150]


def _mixed(rng, n, edges, lo, hi):
    """``n`` uniform values in [lo, hi] with about half of them replaced by edge values."""
    x = rng.uniform(lo, hi, n)
    pick = rng.random(n) < 0.5
    x[pick] = rng.choice(edges, int(pick.sum()))
    return x


def _params(name, rng, n, data):
    """A valid ensemble of ``n`` members of family ``name`` mixing ordinary and edge members."""
    if name == "linear":
        return {"start": rng.normal(0, 1e3, n), "slope": _mixed(rng, n, [0.0, -1e10], -50, 50)}
    level = _mixed(rng, n, LEVEL_EDGES, 1e-3, 1e3)
    frac = _mixed(rng, n, FRACTION_EDGES, 0.0, 1.0)
    if name == "exponential":
        rate = _mixed(rng, n, RATE_EDGES, -3.0, 3.0)
        if data.draw(st.booleans(), label="ceiling"):
            return {"start": frac * level, "rate": rate, "ceiling": level}
        return {"start": _mixed(rng, n, [0.0, *LEVEL_EDGES], 0.0, 1e3), "rate": rate}
    if name in ("logistic", "gompertz"):
        rate = _mixed(rng, n, RATE_EDGES, -3.0, 3.0)
        return {"start": frac * level, "ceiling": level, "rate": rate}
    if name == "bass":
        p = _mixed(rng, n, [0.0, 5e-324, 1e-12, 10.0], 0.0, 0.1)
        q = _mixed(rng, n, [0.0, 1e-12, 100.0], 0.0, 1.0)
        return {"start": frac * level, "market": level, "p": p, "q": q}
    assert name == "staged"
    interpolation = data.draw(st.sampled_from(staged.options["interpolation"]), label="interp")
    k = data.draw(st.integers(0, 4), label="k")
    lo = 1e-6 if interpolation == "log-linear" else 0.0
    edges = [1e-300, 1.0, 1e12] + ([] if lo else [0.0])
    shape = data.draw(
        st.sampled_from(["shared", "identical rows", "per member"]), label="milestone years"
    )
    rows = n if shape == "per member" else 1
    gaps = rng.choice([1e-6, 0.5, 1.0, 3.0, 17.5, 60.0], (rows, k))
    years = BASE + np.cumsum(gaps, axis=-1)
    if shape == "shared":
        years = years[0]
    elif shape == "identical rows":
        years = np.repeat(years, n, axis=0)
    values = _mixed(rng, n * k, edges, lo, 1e3).reshape(n, k)
    if data.draw(st.booleans(), label="shared values") and shape == "shared":
        values = values[0]
    return {
        "start": _mixed(rng, n, edges, lo, 1e3),
        "milestone_years": years,
        "milestone_values": values,
        "interpolation": interpolation,
    }


def _years(rng, data):
    """Years around BASE: sorted or shuffled, with or without base_year, before and after."""
    kind = data.draw(
        st.sampled_from(["ahead", "around", "behind", "shuffled", "long", "empty"]), label="years"
    )
    if kind == "ahead":
        return BASE + np.arange(0.0, 27.0)
    if kind == "around":
        return BASE + np.arange(-200.0, 201.0, 7.0)
    if kind == "behind":
        return BASE - np.arange(1.0, 30.0)
    if kind == "long":
        return BASE + np.array([-MAX_HORIZON, -1000.0, 0.0, 1e-6, 1000.0, MAX_HORIZON])
    if kind == "empty":
        return np.array([])
    return BASE + rng.permutation(np.concatenate([[0.0, 0.0], rng.uniform(-80, 80, 20)]))


def _member(key, value, i):
    """Member ``i``'s value of parameter ``key`` (shared milestone arrays stay as they are)."""
    if isinstance(value, str) or (key.startswith("milestone") and np.ndim(value) == 1):
        return value
    return np.asarray(value)[i]


def _quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return fn(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(FAMILIES))
@SETTINGS
@given(data=st.data())
def test_fast_kernel_equals_reference_bit_for_bit(name, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    n = data.draw(st.sampled_from([1, 2, 7, 40]), label="n")
    params = _params(name, rng, n, data)
    years = _years(rng, data)
    family = get_family(name)
    y = _quietly(family.evaluate, years, base_year=BASE, **params)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # the reference may warn where the fast path need not
        ref = family._run(family._reference_kernel, years, BASE, params, anchor=True)
    assert y.shape == ref.shape == (n, years.size)
    assert y.dtype == np.float64 and y.flags.c_contiguous and y.flags.writeable
    np.testing.assert_array_equal(y, ref)
    # and one member alone (scalar parameters, a (T,) trajectory) gives the same row
    i = int(rng.integers(n))
    alone = {key: _member(key, value, i) for key, value in params.items()}
    np.testing.assert_array_equal(_quietly(family.evaluate, years, base_year=BASE, **alone), y[i])


def test_bass_adoption_is_unchanged_by_the_fast_path():
    """adoption keeps using the reference fractions; evaluate and adoption agree in shape."""
    years = BASE + np.arange(-5.0, 27.0)
    params = {"start": [0.0, 5.0, 100.0], "market": 100.0, "p": [0.03, 0.0, 0.01], "q": 0.4}
    family = get_family("bass")
    assert family.evaluate(years, base_year=BASE, **params).shape == (3, years.size)
    assert family.adoption(years, base_year=BASE, **params).shape == (3, years.size)


def test_set_rows_touches_the_flagged_rows_only():
    out = np.arange(12.0).reshape(3, 4)
    _set_rows(out, np.array([[False], [True], [False]]), np.array([[7.0], [8.0], [9.0]]))
    np.testing.assert_array_equal(out[1], 8.0)
    np.testing.assert_array_equal(out[[0, 2]], [[0, 1, 2, 3], [8, 9, 10, 11]])
    _set_rows(out, np.array(False), 5.0)  # nothing flagged: nothing written
    np.testing.assert_array_equal(out[0], [0, 1, 2, 3])
    one = np.zeros(4)
    _set_rows(one, np.array(True), 2.0)  # a single trajectory (scalar parameters)
    np.testing.assert_array_equal(one, 2.0)


def test_patch_rows_evaluates_the_flagged_rows_only():
    seen = []

    def kernel(d, *, a, b):
        seen.append((a.shape, np.shape(b)))
        return a + b * d

    out = np.zeros((4, 3))
    a = np.arange(4.0)[:, None]
    mask = np.array([[True], [False], [False], [True]])
    _patch_rows(out, mask, kernel, np.array([0.0, 1.0, 2.0]), {"a": a, "b": 1.0})
    assert seen == [((2, 1), ())]
    np.testing.assert_array_equal(out, [[0, 1, 2], [0, 0, 0], [0, 0, 0], [3, 4, 5]])


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_evaluate_returns_a_fresh_array(name):
    """The kernel's buffer is returned as it is, so it must never be shared with the inputs
    or with another call."""
    family = get_family(name)
    years = BASE + np.arange(-3.0, 10.0)
    params = _params(name, np.random.default_rng(1), 3, _FixedData())
    y1 = family.evaluate(years, base_year=BASE, **params)
    y2 = family.evaluate(years, base_year=BASE, **params)
    assert not np.shares_memory(y1, y2)
    for value in params.values():
        if not isinstance(value, str):
            assert not np.shares_memory(y1, np.asarray(value))


class _FixedData:
    """Stands in for hypothesis' ``data`` outside @given: fixed choices, by label."""

    def draw(self, strategy, label):
        return _FIRST[label]


_FIRST = {
    "ceiling": True,
    "interp": "linear",
    "k": 2,
    "milestone years": "shared",
    "shared values": False,
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("years", [BASE + np.arange(-3.0, 10.0), np.array([BASE]), np.array([])])
def test_an_empty_ensemble_gives_zero_rows(name, years):
    family = get_family(name)
    params = {
        key: value if isinstance(value, str) else np.asarray(value)[:0]
        for key, value in _params(name, np.random.default_rng(2), 3, _FixedData()).items()
    }
    if name == "staged":  # an empty table of milestone years, one row per (no) member
        params["milestone_years"] = np.empty((0, 2))
    y = _quietly(family.evaluate, years, base_year=BASE, **params)
    assert y.shape == (0, years.size)
