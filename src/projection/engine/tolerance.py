"""When a value meets a bound: one relative tolerance for targets, constraints and bounds.

A capacity of exactly 4 Tbps meets "at least 4000 Gbps" although the conversion rounds, and a
share that is 100 % up to rounding is not "above 100 %". Every comparison the engine makes
allows the same relative tolerance, :data:`RTOL`, so a target, a constraint and a note about
the same condition always agree.

Ensembles make these comparisons on arrays of millions of values, almost none of them within
a tolerance of the bound. So each function decides every value with one plain comparison and
works out the tolerance only for the values close enough for it to matter: the same answers
as the formulas in the docstrings (``tests/engine/test_tolerance.py`` holds them to that), in
a fraction of the passes over memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["RTOL", "holds", "exceeds", "violated"]

#: Relative tolerance of every comparison of a value with a bound.
RTOL = 1e-9

# A value within RTOL * max(|bound|, |value|) of a bound is within RTOL / (1 - RTOL) * |bound|
# of it: the band outside which no tolerance can change an answer. Twice RTOL is wider still.
_BAND = 2 * RTOL


def holds(values: Any, bound: str, required: float) -> np.ndarray:
    """Whether finite ``values`` satisfy ``bound`` (``at_least``/``at_most``) ``required``, within RTOL:
    ``values >= required - RTOL * max(|required|, |values|)`` for ``at_least``, ``values <=
    required + RTOL * max(|required|, |values|)`` for ``at_most`` (NaN never holds).

    Examples
    --------
    >>> import numpy as np
    >>> holds(np.array([3.9, 4.0 - 1e-12, 4.1]), "at_least", 4.0).tolist()
    [False, True, True]
    """
    values = np.asarray(values, dtype=float)
    required = float(required)
    if bound == "at_least":
        out = values >= required
        near = (values >= required - _BAND * abs(required)) & ~out
    else:
        out = values <= required
        near = (values <= required + _BAND * abs(required)) & ~out
    if near.any():
        v = values[near]
        tol = RTOL * np.maximum(abs(required), np.abs(v))
        out[near] = v >= required - tol if bound == "at_least" else v <= required + tol
    return out


def exceeds(values: Any, upper: float) -> np.ndarray:
    """Whether ``values`` lie above ``upper`` by more than the tolerance, ``values - upper >
    RTOL * max(|upper|, |values|)``: ``holds(values, "at_most", upper)`` turned round (the two
    can both be true for a value within a rounding error of the edge of the tolerance).

    Examples
    --------
    >>> import numpy as np
    >>> exceeds(np.array([99.0, 100.0 + 1e-12, 101.0]), 100.0).tolist()
    [False, False, True]
    """
    values = np.asarray(values, dtype=float)
    upper = float(upper)
    if np.isinf(upper):
        return np.zeros(values.shape, dtype=bool)
    edge = upper + _BAND * abs(upper)
    out = values > edge
    near = (values > upper) & ~out
    if near.any():
        v = values[near]
        out[near] = v - upper > RTOL * np.maximum(abs(upper), np.abs(v))
    return out


def violated(lhs: np.ndarray, rhs: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """Where a constraint fails: its margin is negative beyond :data:`RTOL` of the larger
    side, ``margin < -RTOL * max(|lhs|, |rhs|)``. The three arrays broadcast together.

    Examples
    --------
    >>> import numpy as np
    >>> lhs, rhs = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0 - 1e-12, 2.0])
    >>> violated(lhs, rhs, rhs - lhs).tolist()
    [False, False, True]
    """
    lhs, rhs, margin = np.broadcast_arrays(
        np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float), np.asarray(margin, dtype=float)
    )
    out = margin < 0
    negative = int(np.count_nonzero(out))
    if negative * 16 > out.size:
        # many negative margins (a constraint failing in many members): the formula on every
        # value costs a few passes, less than gathering and scattering each of them
        tol = np.maximum(np.abs(lhs), np.abs(rhs))
        tol *= -RTOL
        return margin < tol
    if negative:
        at = np.nonzero(out)
        out[at] = margin[at] < -RTOL * np.maximum(np.abs(lhs[at]), np.abs(rhs[at]))
    return out
