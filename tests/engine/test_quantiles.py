"""Exact row quantiles by sampled selection (projection.engine.quantiles): the same numbers as
numpy's inverted_cdf quantiles, bit for bit, whatever the data, and the fast path is taken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import projection
from projection.engine import quantiles as Q
from projection.engine.quantiles import inverted_cdf_ranks, row_quantiles

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

QS = np.array([0.05, 0.5, 0.95, 0.5])


def numpy_quantiles(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.quantile(a, q, axis=1, method="inverted_cdf")


values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False),  # continuous
    st.integers(0, 3).map(float),  # a few levels (a staged capacity): many ties
)


@settings(max_examples=150, deadline=None)
@given(
    a=st.tuples(st.integers(1, 4), st.integers(8, 400)).flatmap(
        lambda shape: hnp.arrays(float, shape, elements=values)
    ),
    q=st.lists(st.floats(0, 1), min_size=1, max_size=5).map(np.array),
    pilot=st.integers(1, 50),
)
@example(a=np.arange(64.0)[None, :], q=np.array([0.0, 1.0]), pilot=8)
@example(a=np.full((2, 80), 3.0), q=QS, pilot=10)
def test_row_quantiles_are_numpys(a, q, pilot):
    """Invariant: for any rows of finite values (continuous or a few tied levels), any
    probabilities and any pilot size, row_quantiles returns numpy's inverted_cdf quantiles
    exactly: the same element of each row for each probability."""
    assert np.array_equal(row_quantiles(a, q, pilot=pilot), numpy_quantiles(a, q))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 5000),
    q=st.lists(st.floats(0, 1), min_size=1, max_size=6).map(np.array),
)
def test_ranks_are_the_elements_numpy_picks(n, q):
    """Invariant: the k-th smallest of n values, for the ranks inverted_cdf_ranks gives, is
    the value numpy's inverted_cdf quantile returns (on a shuffled 0..n-1 the quantile is its
    rank)."""
    a = np.random.default_rng(n).permutation(n).astype(float)
    assert inverted_cdf_ranks(n, q).tolist() == np.quantile(a, q, method="inverted_cdf").tolist()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_rows_with_a_nan_or_an_infinity_get_numpys_answer(bad):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 2000))
    a[1, 17] = bad
    got = row_quantiles(a, QS, pilot=64)
    np.testing.assert_array_equal(got, numpy_quantiles(a, QS))  # NaN where numpy has NaN
    assert np.isfinite(got[:, [0, 2]]).all()


def test_a_bracket_that_misses_falls_back_to_a_full_partition(monkeypatch):
    """With no margin at all the brackets miss their ranks in most rows: the answer is still
    numpy's, from the fallback."""
    rng = np.random.default_rng(5)
    a = rng.lognormal(size=(8, 5000))
    sample = np.sort(a[:, :: 5000 // 64], axis=1)
    ranks = inverted_cdf_ranks(5000, QS[:3])
    monkeypatch.setattr(Q, "MARGIN_SD", -3.0)
    _, missed = Q._select(a, sample, ranks)
    assert missed  # the fallback really runs
    assert np.array_equal(row_quantiles(a, QS, pilot=64), numpy_quantiles(a, QS))


def test_continuous_rows_take_the_fast_path_and_never_miss():
    """On continuous data every row is selected from its bracket (nothing falls back), and
    rows of a few levels are left to numpy."""
    rng = np.random.default_rng(7)
    a = rng.lognormal(size=(6, 40_000))
    sample = np.sort(a[:, :: 40_000 // Q.PILOT], axis=1)
    found, missed = Q._select(a, sample, inverted_cdf_ranks(40_000, QS[:3]))
    assert missed == []
    assert np.array_equal(found, numpy_quantiles(a, QS[:3]))


def test_ensemble_bands_are_numpys_quantiles_of_the_members():
    """Above the size where the selection is used (8 x PILOT members), an ensemble's bands and
    medians are numpy's inverted_cdf quantiles of all its members."""
    n = 8 * Q.PILOT + 1000
    e = projection.run(SCENARIOS / "paper-targets.yaml", samples=n, seed=2, keep_samples=True)
    for name, members in e.members.items():
        expected = np.quantile(members, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
        np.testing.assert_array_equal(e.bands[name], expected, err_msg=name)
        np.testing.assert_array_equal(e.median[name], expected[1], err_msg=name)
