"""When a value meets a bound: one relative tolerance for targets, constraints and bounds.

A capacity of exactly 4 Tbps meets "at least 4000 Gbps" although the conversion rounds, and a
share that is 100 % up to rounding is not "above 100 %". Every comparison the engine makes
allows the same relative tolerance, :data:`RTOL`, so a target, a constraint and a note about
the same condition always agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["RTOL", "holds", "exceeds"]

#: Relative tolerance of every comparison of a value with a bound.
RTOL = 1e-9


def holds(values: Any, bound: str, required: float) -> np.ndarray:
    """Whether ``values`` satisfy ``bound`` (``at_least``/``at_most``) ``required``, within RTOL.

    Examples
    --------
    >>> import numpy as np
    >>> holds(np.array([3.9, 4.0, 4.1]), "at_least", 4.0).tolist()
    [False, True, True]
    """
    values = np.asarray(values)
    tol = RTOL * np.maximum(abs(required), np.abs(values))
    if bound == "at_least":
        return values >= required - tol
    return values <= required + tol


def exceeds(values: Any, upper: float) -> np.ndarray:
    """Whether ``values`` lie above ``upper`` by more than the tolerance: the negation of
    ``holds(values, "at_most", upper)``, computed in one pass for the common case.

    Examples
    --------
    >>> import numpy as np
    >>> exceeds(np.array([99.0, 100.0 + 1e-12, 101.0]), 100.0).tolist()
    [False, False, True]
    """
    values = np.asarray(values)
    if np.isinf(upper):
        return np.zeros(values.shape, dtype=bool)
    # values > upper + RTOL * max(|upper|, |values|); for values <= upper this is False anyway,
    # and for values > upper >= 0 the max is |values|
    return values - upper > RTOL * np.maximum(abs(upper), np.abs(values))
