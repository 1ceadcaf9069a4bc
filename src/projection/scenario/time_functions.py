"""Functions of an expression that look across years: lags, differences, sums and stocks.

Each takes magnitudes whose **last axis is the projected years** (shape ``(T,)`` or
``(N, T)``; a constant is spread over the years first) and returns the same shape. The
compiled expression (:mod:`projection.engine.derived`) and the reference interpreter
(:mod:`projection.scenario.expression_eval`) both call these, so they agree bit for bit.

``lag(x, k)``
    ``x`` ``k`` years earlier; before the horizon's first year, ``x`` is taken at its first
    value (the horizon starts from a steady state). ``k`` is a whole number of steps.
``diff(x)``
    ``x`` minus its value one projected year earlier (0 in the first year).
``cumulative(x)``
    The sum of a flow over the years so far, the current one included:
    ``C_t = sum_{s <= t} x_s * 1 yr`` (a flow in GW/yr accumulates into GW).
``stock(x, lifetime)``
    A stock fed by the flow ``x`` whose units retire at random, the mean lifetime
    ``lifetime``: a cohort entering in year ``s`` counts in full that year and is
    ``exp(-(t - s) / lifetime)`` of itself in year ``t``. With an infinite lifetime it is
    ``cumulative(x)``.
``weibull_stock(x, median, shape)``
    The same with a Weibull survival curve by age, half of a cohort gone at ``median`` years:
    ``S(a) = exp(-ln 2 (a / median) ** shape)``; ``shape`` 1 is the exponential, larger
    shapes retire units closer to the median age (vehicles: about 2 to 4).

The stock of year ``t`` is a sum over the cohorts of every earlier year, each by its age, so
a vintage fleet is exact on the yearly grid (no Euler step). A stock present before the
horizon is added in the expression, e.g. ``initial * exp(-elapsed / lifetime) + stock(x,
lifetime)``. ``cumulative``, ``stock`` and ``weibull_stock`` need a yearly horizon: on a
coarser grid the flow between projected years is unknown (a scenario is refused).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "TIME_FUNCTIONS",
    "YEARLY_ONLY",
    "spread",
    "lag",
    "diff",
    "cumulative",
    "stock",
    "weibull_stock",
]

#: The functions that look across years, with their number of arguments.
TIME_FUNCTIONS = {"lag": 2, "diff": 1, "cumulative": 1, "stock": 2, "weibull_stock": 3}
#: Those that integrate a flow, and so need a horizon step of one year.
YEARLY_ONLY = ("cumulative", "stock", "weibull_stock")


def spread(x: np.ndarray, years: int) -> np.ndarray:
    """``x`` with a last axis of ``years``: a constant (or a column per member) repeated."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 0 or x.shape[-1] != years:
        x = np.broadcast_to(x, np.broadcast_shapes(x.shape, (years,)))
    return x


def lag(x: np.ndarray, steps: int) -> np.ndarray:
    """``x`` shifted ``steps`` years later along its last axis, the first value held before."""
    if steps == 0:
        return np.array(x, dtype=float)
    head = np.repeat(x[..., :1], steps, axis=-1)
    return np.concatenate([head, x[..., : x.shape[-1] - steps]], axis=-1)


def diff(x: np.ndarray) -> np.ndarray:
    """``x`` minus its previous year's value (0 in the first year)."""
    return x - lag(x, 1)


def cumulative(x: np.ndarray) -> np.ndarray:
    """The running sum of ``x`` along the years (one year per step)."""
    return np.cumsum(x, axis=-1)


def _cohorts(x: np.ndarray, survival) -> np.ndarray:
    """``sum over ages a`` of ``x`` entered ``a`` years ago times ``survival(a)``."""
    years = x.shape[-1]
    out = np.zeros(np.broadcast_shapes(x.shape, np.shape(survival(0.0))), dtype=float)
    for a in range(years):
        out[..., a:] += x[..., : years - a] * survival(float(a))
    return out


def stock(x: np.ndarray, lifetime: np.ndarray) -> np.ndarray:
    """Cohorts of ``x`` retiring exponentially with mean ``lifetime`` (years, > 0; a column
    per member, or one number)."""
    life = np.asarray(lifetime, dtype=float)
    return _cohorts(x, lambda a: np.exp(-a / life))


def weibull_stock(x: np.ndarray, median: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """Cohorts of ``x`` surviving ``exp(-ln 2 (age / median) ** shape)``."""
    m = np.asarray(median, dtype=float)
    k = np.asarray(shape, dtype=float)
    return _cohorts(x, lambda a: np.exp(-math.log(2.0) * (a / m) ** k))
