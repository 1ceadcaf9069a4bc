"""Exact empirical quantiles of many rows at once, faster than a full partition.

An ensemble's bands are a few quantiles (5, 50 and 95 % by default) of each indicator in each
year over up to :data:`~projection.engine.ensemble.KEEP` members. ``numpy.quantile`` with
``method="inverted_cdf"`` partitions every row around every requested rank (introselect,
about 15 ns per value for three ranks). :func:`row_quantiles` returns the same numbers with
less than half the work, by the sampling idea of Floyd and Rivest's selection algorithm:

1. sort a systematic pilot of about :data:`PILOT` values of each row;
2. for each rank ``k`` take two pilot values ``lo <= hi`` that bracket it with a margin of
   :data:`MARGIN_SD` binomial standard deviations;
3. count the values below ``lo`` and gather the few values in ``[lo, hi]`` (two comparisons
   per value); if ``k`` falls among them, the answer is a partition of those few values;
4. otherwise (a bracket that missed, with probability below 1e-4 per rank and row) the row is
   partitioned in full, as ``numpy.quantile`` would. Rows of few distinct values (a staged
   capacity, which numpy partitions fast) and rows with a NaN or an infinite value go to
   ``numpy.quantile`` directly.

The ranks are numpy's own (:func:`inverted_cdf_ranks` asks ``numpy.quantile`` for them on
``0, 1, ..., n - 1``), and every answer is an element of its row, so the results equal
``numpy.quantile(a, q, axis=1, method="inverted_cdf")`` exactly (a property test; a zero may
come back as the other of 0.0 and -0.0, which compare equal).

References
----------
R. W. Floyd and R. L. Rivest, "Expected time bounds for selection", Communications of the ACM
18(3), 165-172, 1975.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["row_quantiles", "inverted_cdf_ranks", "METHOD", "PILOT", "MARGIN_SD"]

#: How bands are read off the members (numpy's ``method``): the empirical quantile, never an
#: interpolation between two members (a staged capacity that is 1 Tbps in half the members
#: and 4 Tbps in the other half has no "2.5 Tbps" median).
METHOD = "inverted_cdf"

#: Values per row in the sorted pilot (rows shorter than ``8 * PILOT`` are partitioned whole).
PILOT = 4096
#: Half-width of the bracket around each rank, in binomial standard deviations of the pilot.
MARGIN_SD = 4.0


def inverted_cdf_ranks(n: int, q: np.ndarray) -> np.ndarray:
    """The 0-based ranks numpy's ``inverted_cdf`` quantiles ``q`` of ``n`` values take.

    Examples
    --------
    >>> inverted_cdf_ranks(7, np.array([0.0, 0.05, 0.5, 0.95, 1.0])).tolist()
    [0, 0, 3, 6, 6]
    """
    return np.array(_ranks(n, tuple(np.asarray(q, dtype=float).tolist())), dtype=np.intp)


@functools.lru_cache(maxsize=64)
def _ranks(n: int, q: tuple[float, ...]) -> tuple[int, ...]:
    # numpy's own rule, read off 0, 1, ..., n - 1 (kept: every indicator of a run asks)
    return tuple(int(i) for i in np.quantile(np.arange(n, dtype=float), q, method=METHOD))


def row_quantiles(a: np.ndarray, q: np.ndarray, *, pilot: int = PILOT) -> np.ndarray:
    """``numpy.quantile(a, q, axis=1, method="inverted_cdf")``, computed by sampled selection.

    Parameters
    ----------
    a : ndarray, shape (rows, n)
        The values, one row per quantity (an indicator's year); read, never changed.
    q : ndarray, shape (w,)
        Probabilities in [0, 1].
    pilot : int, optional
        Values per row in the sorted pilot; rows shorter than ``8 * pilot`` are partitioned
        whole (numpy's own path).

    Returns
    -------
    ndarray, shape (w, rows)
        The quantiles, equal to numpy's.

    Examples
    --------
    >>> a = np.random.default_rng(1).normal(size=(3, 50_000))
    >>> q = np.array([0.05, 0.5, 0.95])
    >>> bool(np.array_equal(row_quantiles(a, q, pilot=512),
    ...                     np.quantile(a, q, axis=1, method="inverted_cdf")))
    True
    """
    rows, n = a.shape
    q = np.asarray(q, dtype=float)
    if n < 8 * pilot or rows == 0:
        return np.quantile(a, q, axis=1, method=METHOD)
    ranks, back = np.unique(inverted_cdf_ranks(n, q), return_inverse=True)
    sample = np.sort(a[:, :: n // pilot], axis=1)
    p = sample.shape[1]
    # rows of a few distinct values (a staged capacity) numpy partitions fast: leave them to
    # it, as rows with a NaN or an infinite value (a sum that is not finite)
    distinct = np.count_nonzero(sample[:, 1:] != sample[:, :-1], axis=1) >= p // 2
    ours = np.flatnonzero(distinct & np.isfinite(a.sum(axis=1)))
    out = np.empty((len(ranks), rows))
    rest = np.setdiff1d(np.arange(rows), ours)
    if len(ours):
        values = a if len(ours) == rows else a[ours]
        found, missed = _select(values, sample[ours], ranks)
        out[:, ours] = found
        rest = np.union1d(rest, ours[missed])
    if len(rest):
        values = a if len(rest) == rows else a[rest]
        at = q[np.unique(back, return_index=True)[1]]  # a probability for each rank
        out[:, rest] = np.quantile(values, at, axis=1, method=METHOD)
    return out[back]


def _select(a: np.ndarray, sample: np.ndarray, ranks: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The values of ``ranks`` in each row of ``a`` (finite, ``sample`` its sorted pilot), and
    the rows where a bracket missed its rank."""
    rows, n = a.shape
    p = sample.shape[1]
    out = np.empty((len(ranks), rows))
    missed: set[int] = set()
    at_least = np.empty(n, dtype=bool)  # two buffers for every row and rank: no fresh pages
    inside = np.empty(n, dtype=bool)
    for j, k in enumerate(ranks.tolist()):
        f = (k + 0.5) / n
        reach = int(MARGIN_SD * np.sqrt(p * f * (1 - f))) + 2
        i_lo, i_hi = int(f * p) - reach, int(f * p) + reach
        for r in range(rows):  # one contiguous row at a time: the fastest passes
            row = a[r]
            lo = sample[r, i_lo] if i_lo >= 0 else -np.inf
            hi = sample[r, i_hi] if i_hi < p else np.inf
            np.greater_equal(row, lo, out=at_least)
            np.less_equal(row, hi, out=inside)
            np.logical_and(inside, at_least, out=inside)
            kk = k - (n - np.count_nonzero(at_least))
            if not 0 <= kk < np.count_nonzero(inside):
                missed.add(r)
            elif lo == hi:  # every value in the bracket is this one
                out[j, r] = lo
            else:
                out[j, r] = np.partition(row[inside], kk)[kk]
    return out, sorted(missed)
