"""Importance sampling helpers for :mod:`projection.analysis.calibrate.bayes`: weights and their
effective sample size, the adaptive multivariate t proposal, and systematic resampling.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["normalised", "proposal", "systematic"]


def normalised(logw: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights from log weights (``-inf``: none), and their effective sample size."""
    top = np.max(logw)
    if not np.isfinite(top):
        return np.full(len(logw), 1.0 / len(logw)), 0.0
    w = np.exp(logw - top)
    w /= w.sum()
    return w, float(1.0 / (w @ w))


def proposal(
    inputs: list[Any],
    x: np.ndarray,
    w: np.ndarray,
    prior: np.ndarray,
    size: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``size`` draws from a multivariate t (4 degrees of freedom) centred on the weighted
    draws ``x``, its scale their weighted covariance inflated by 2 plus (5 % of each prior
    standard deviation) squared, so it is never narrower than that; discrete inputs (choices)
    are drawn from their prior. Returns the draws and log(prior / proposal) of each (-inf
    outside the prior's support)."""
    from scipy import stats

    cont = [j for j, inp in enumerate(inputs) if inp.distribution.type != "choice"]
    out = np.empty((size, len(inputs)))
    log_ratio = np.zeros(size)
    for j, inp in enumerate(inputs):
        if j not in cont:
            out[:, j] = inp.distribution.ppf(rng.random(size))
    if cont:
        xc = x[:, cont]
        mean = w @ xc
        dev = xc - mean
        cov = (dev * w[:, None]).T @ dev
        ridge = (0.05 * prior[:, cont].std(axis=0)) ** 2
        shape = 2.0 * cov + np.diag(np.maximum(ridge, np.finfo(float).tiny))
        t = stats.multivariate_t(loc=mean, shape=shape, df=4, allow_singular=True)
        draws = np.atleast_2d(t.rvs(size=size, random_state=rng)).reshape(size, len(cont))
        out[:, cont] = draws
        log_ratio -= t.logpdf(draws)
        for k, j in enumerate(cont):
            with np.errstate(divide="ignore"):
                log_ratio += inputs[j].distribution.frozen().logpdf(draws[:, k])
        log_ratio[~np.isfinite(log_ratio)] = -np.inf
        lo = np.array([inputs[j].distribution.support()[0] for j in cont])
        hi = np.array([inputs[j].distribution.support()[1] for j in cont])
        outside = ((draws < lo) | (draws > hi)).any(axis=1)
        log_ratio[outside] = -np.inf
        out[outside] = prior[0]  # any value the engine accepts; its weight is zero
    return out, log_ratio


def systematic(w: np.ndarray, m: int, rng: np.random.Generator) -> np.ndarray:
    """``m`` indices drawn in proportion to the weights ``w`` (systematic resampling: one
    uniform offset, ``m`` evenly spaced points on the weights' cumulative sum)."""
    points = (rng.random() + np.arange(m)) / m
    cum = np.cumsum(w)
    cum[-1] = 1.0
    return np.minimum(np.searchsorted(cum, points, side="right"), len(w) - 1)
