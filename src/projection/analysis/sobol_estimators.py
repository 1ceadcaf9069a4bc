"""The Sobol' estimators and their confidence intervals, on the outputs of a Saltelli design.

:func:`projection.analysis.sobol.sobol` evaluates the design; this module turns the outputs
into indices (:func:`_saltelli`: Saltelli 2010's first-order estimator, Jansen 1999's total
order) and intervals: asymptotic (:func:`_asymptotic`, the delta method on each row's
contribution, Janon et al. 2014) or BCa bootstrap (:func:`_bootstrap`, Efron 1987).

References
----------
A. Saltelli et al., "Variance based sensitivity analysis of model output. Design and estimator
for the total sensitivity index", Computer Physics Communications 181 (2010) 259-270.
M. J. W. Jansen, "Analysis of variance designs for model output", Computer Physics
Communications 117 (1999) 35-43. A. Janon et al., "Asymptotic normality and efficiency of two
Sobol index estimators", ESAIM: Probability and Statistics 18 (2014) 342-364. B. Efron,
"Better bootstrap confidence intervals", JASA 82 (1987) 171-185.
"""

from __future__ import annotations

import warnings
from statistics import NormalDist

import numpy as np

__all__ = ["_saltelli", "_asymptotic", "_bootstrap"]

# Elements of the largest array one bootstrap batch gathers (bounds its memory to ~32 MB).
_BATCH_ELEMENTS = 2**22


def _saltelli(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """Saltelli 2010 estimators, stacked ``(2, d, s, ...)``: [first order, total order].

    ``f_a``, ``f_b`` have shape ``(s, ..., k)`` and ``f_ab`` ``(d, s, ..., k)``, centred; the
    last axis holds the ``k`` rows of the design (``...``: bootstrap or jackknife resamples).
    """
    var = np.var(np.stack([f_a, f_b]), axis=(0, -1))
    first = np.mean(f_b * (f_ab - f_a), axis=-1) / var
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var
    return np.stack([first, total])


def _asymptotic(
    f_a: np.ndarray,
    f_b: np.ndarray,
    f_ab: np.ndarray,
    estimate: np.ndarray,
    *,
    confidence: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delta-method intervals of both indices, ``(2, d, s)`` each, and which outputs had none.

    ``f_a``, ``f_b`` ``(s, n)`` and ``f_ab`` ``(d, s, n)`` are centred on the mean over ``A``
    and ``B``; ``estimate`` is ``(2, d, s)``: [first order, total order].
    """
    n = f_a.shape[-1]
    w = 0.5 * (f_a**2 + f_b**2)  # (s, n); its mean is the variance V
    var = np.var(np.stack([f_a, f_b]), axis=(0, -1))[:, None]  # (s, 1), as the estimators
    diff = f_ab - f_a  # (d, s, n)
    # first order: u_j = f(B)_j (f(AB_i)_j - f(A)_j), plus the term of the estimated mean
    u = f_b * diff - diff.mean(axis=-1, keepdims=True) * (0.5 * (f_a + f_b))
    first = (u - estimate[0][..., None] * w) / var
    total = (0.5 * diff**2 - estimate[1][..., None] * w) / var
    influence = np.stack([first, total])  # (2, d, s, n)
    se = np.sqrt(np.sum(influence**2, axis=-1) / (n * max(n - 1, 1)))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    low, high = estimate - z * se, estimate + z * se
    failed = ~(np.isfinite(low) & np.isfinite(high)).all(axis=(0, 1))
    return low, high, failed


def _bootstrap(
    f_a: np.ndarray,
    f_b: np.ndarray,
    f_ab: np.ndarray,
    estimate: np.ndarray,
    *,
    confidence: float,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BCa intervals of both indices, ``(2, d, s)`` each, and which outputs had none."""
    d, s, n = f_ab.shape

    def statistic(rows: np.ndarray, axis: int = -1) -> np.ndarray:
        return _saltelli(f_a[:, rows], f_b[:, rows], f_ab[:, :, rows])

    batch = max(1, _BATCH_ELEMENTS // ((d + 2) * s * n))
    # A parameter that cannot move an output has the same index (0) in every resample: a
    # degenerate bootstrap distribution, for which BCa divides 0 by 0 and scipy warns. Those
    # intervals are repaired below; nothing here runs user code, so silencing is local.
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from scipy import stats

        boot = stats.bootstrap(
            (np.arange(n),),
            statistic,
            n_resamples=n_resamples,
            batch=batch,
            vectorized=True,
            method="BCa",
            confidence_level=confidence,
            rng=rng,
        )
    low = np.array(boot.confidence_interval.low, dtype=float).reshape(2, d, s)
    high = np.array(boot.confidence_interval.high, dtype=float).reshape(2, d, s)
    dist = np.asarray(boot.bootstrap_distribution).reshape(2, d, s, -1)
    with np.errstate(invalid="ignore"):
        degenerate = np.isfinite(dist).all(axis=-1) & (np.ptp(dist, axis=-1) == 0)
    fix = degenerate & ~(np.isfinite(low) & np.isfinite(high))
    low[fix] = high[fix] = estimate[fix]
    failed = ~(np.isfinite(low) & np.isfinite(high)).all(axis=(0, 1))
    return low, high, failed
