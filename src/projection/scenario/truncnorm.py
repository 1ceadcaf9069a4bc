"""The inverse CDF of a truncated normal distribution, accurate far in the tails.

:class:`~projection.scenario.distributions.TruncNormal` draws through
:func:`truncnorm_ppf`: the window is reflected so that the work is done in the lower tail,
each ``u`` is solved in its own tail, plain probabilities (``ndtr``/``ndtri``) are used within
35 sd and log space (``log_ndtr``, ``ndtri_exp`` with one Newton step far out) beyond, and
windows narrower than 1e-4 sd are solved as a fraction of the window. Accurate to
``4 eps (|mean| + sd max(1, |a|, |b|))`` up to 1000 sd out and down to 1e-12 sd wide (tested
against exact values in ``tests/scenario/test_distributions.py``).

References
----------
N. Chopin, "Fast simulation of truncated Gaussian distributions", Statistics and Computing
21 (2011) 275-288. Z. I. Botev, "The normal law under linear restrictions: simulation and
estimation via minimax tilting", J. R. Stat. Soc. B 79 (2017) 125-148.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["truncnorm_ppf"]


#: Windows narrower than this (in sd) are drawn by :func:`_truncnorm_narrow`.
_NARROW_SD = 1e-4
_LOG_HALF = -math.log(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
#: log Phi(z) below which ``ndtri_exp`` is polished (z < -45: its error grows to 6e-13
#: relative 1000 sd out).
_FAR_LOG_P = -1000.0
#: In the (reflected) frame, windows from this many sd up are drawn with plain
#: probabilities (``ndtr``, ``ndtri``); further out, in log space.
_PLAIN_SD = -35.0


def truncnorm_ppf(u: np.ndarray, mean: float, sd: float, lower: float, upper: float) -> np.ndarray:
    """Inverse CDF of the normal(``mean``, ``sd``) truncated to [``lower``, ``upper``].

    Parameters
    ----------
    u : ndarray
        Quantiles in [1e-15, 1 - 1e-15].
    mean, sd, lower, upper : float
        The distribution, as validated by :class:`TruncNormal` (the window at most
        :data:`MAX_TAIL_SD` from the mean and at least :data:`MIN_WINDOW_SD` wide).

    Returns
    -------
    ndarray
        Values in [``lower``, ``upper``], non-decreasing in ``u``.

    Notes
    -----
    With ``a, b`` the standardised bounds and ``Z = Phi(b) - Phi(a)``, the quantile is the
    ``x`` with ``Phi(x) = Phi(a) + u Z``, or equally ``Q(x) = Q(b) + (1 - u) Z`` (``Q(x) =
    Phi(-x)``). Both are solved in log space, ``log Phi(x) = logaddexp(log Phi(a), log u +
    log Z)``, with ``log_ndtr`` and ``ndtri_exp``, so that nothing underflows 1000 sd out
    (``Phi(-1000)`` is ``1e-217147``); windows whose lower end (after the reflection below)
    is within 35 sd, where ``Phi`` cannot underflow, use the plain probabilities with
    ``ndtr`` and ``ndtri``, which is faster and as accurate. These choices keep every digit that double precision
    allows (the symmetric, log-space formulation of [1]_ and [2]_, as in scipy's own
    ``truncnorm``):

    * the window is reflected (``[a, b] -> [-b, -a]``) when most of it lies above the mean,
      so that ``Z`` is a difference in the lower tail, where ``Phi`` keeps its relative
      precision;
    * each ``u`` is solved in the tail its quantile lies in: through ``Phi`` below the
      mean, through ``Q`` above, so ``ndtri_exp`` never sees a probability near 1. Of ``u``
      and ``1 - u`` only the exact one is used (``1 - u`` is exact for ``u >= 1/2``);
    * beyond 45 sd, where ``ndtri_exp`` keeps only about 12 digits, one Newton step on
      ``log_ndtr(x) = log Phi(x)`` restores the rest;
    * windows narrower than ``1e-4`` sd go to :func:`_truncnorm_narrow`, which solves for
      the fraction of the window (there, ``Phi(b) - Phi(a)`` would cancel).

    References
    ----------
    .. [1] N. Chopin, "Fast simulation of truncated Gaussian distributions", *Statistics and
       Computing* 21 (2011) 275-288, doi:10.1007/s11222-009-9168-1.
    .. [2] Z. I. Botev, "The normal law under linear restrictions: simulation and estimation
       via minimax tilting", *J. R. Stat. Soc. B* 79 (2017) 125-148, doi:10.1111/rssb.12162.
    """
    from scipy.special import log_ndtr, ndtr, ndtri

    a = (lower - mean) / sd
    b = (upper - mean) / sd
    w = (upper - lower) / sd
    if w <= _NARROW_SD:
        t = _truncnorm_narrow(u, a * w, w * w)
        return np.clip(t * (upper - lower) + lower, lower, upper)
    one_minus_u = 1.0 - u
    flip = a + b > 0
    if flip:  # work in the lower tail: x on [a, b] at u is -(x on [-b, -a] at 1 - u)
        a, b = -b, -a
        up, uq = one_minus_u, u  # the quantile measured from a, and from b
    else:
        up, uq = u, one_minus_u
    if a >= _PLAIN_SD:  # Phi(a) >= 1e-268: no underflow, plain probabilities and ndtri
        pa, pb, qb = float(ndtr(a)), float(ndtr(b)), float(ndtr(-b))
        zmass = pb - pa
        p = pa + up * zmass  # Phi(x)
        below = p <= 0.5
        z = ndtri(np.where(below, p, qb + uq * zmass))  # ... or Q(x)
    else:
        log_pa, log_pb, log_qb = float(log_ndtr(a)), float(log_ndtr(b)), float(log_ndtr(-b))
        log_z = log_pb + math.log1p(-math.exp(log_pa - log_pb))
        log_p = np.logaddexp(log_pa, np.log(up) + log_z)  # log Phi(x)
        log_q = np.logaddexp(log_qb, np.log(uq) + log_z)  # log Q(x)
        below = log_p <= _LOG_HALF
        z = _ndtri_exp(np.where(below, log_p, log_q))
    # x <= 0 through Phi, x >= 0 through Q: monotone across the seam
    x = np.where(below, np.minimum(z, 0.0), np.maximum(-z, 0.0))
    if flip:
        x = -x
    return np.clip(x * sd + mean, lower, upper)


def _ndtri_exp(log_p: np.ndarray) -> np.ndarray:
    """``z`` with ``log Phi(z) = log_p``: ``scipy.special.ndtri_exp``, polished by one Newton
    step on ``log_ndtr`` below 45 sd (where ``ndtri_exp`` keeps about 12 digits, 1000 sd
    out)."""
    from scipy.special import log_ndtr, ndtri_exp

    z = np.asarray(ndtri_exp(log_p), dtype=float)
    far = log_p < _FAR_LOG_P
    if far.any():
        sel = slice(None) if far.all() else far
        zf, log_pf = z[sel], log_p[sel]
        log_phi = log_ndtr(zf)
        # d log Phi(z) / dz = phi(z) / Phi(z)
        z[sel] = zf - (log_phi - log_pf) * np.exp(log_phi + 0.5 * zf * zf + _LOG_SQRT_2PI)
    return z


def _truncnorm_narrow(u: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Fraction ``t`` of a narrow window ``[a, a + w]`` at which a truncated normal has
    quantile ``u``, with ``alpha = a w`` and ``beta = w**2`` (``w <= 1e-4``).

    On the window, ``x = a + w t`` has density proportional to ``g(t) = exp(-alpha t -
    beta t**2 / 2)`` on [0, 1]. Without the ``beta`` term it is a truncated exponential with
    the closed-form inverse ``t0 = log1p(u expm1(-alpha)) / -alpha``; one Newton step on
    ``G(t) = u G(1)``, ``G(t) = int_0^t g``, adds the ``beta`` term. ``G`` is expanded to
    first order in ``beta <= 1e-8`` (the second order is below 1e-17), its ``t**2``
    moment as a series in ``alpha t`` (``|alpha| <= 0.1``, seven terms). ``t0`` is within
    ``beta`` of ``t``, so after the Newton step the error is of order ``beta**2``: ``t``
    is accurate to a few units in the last place, however narrow the window.
    """
    from scipy.special import exprel

    if abs(alpha) < 1e-20:  # a window at the mean: the density is flat to 1e-20
        t0 = u
    else:
        t0 = np.log1p(u * math.expm1(-alpha)) / -alpha

    def big_g(t):
        moment2 = sum(
            (-alpha) ** k / (math.factorial(k) * (k + 3)) * t ** (k + 3) for k in range(7)
        )
        return t * exprel(-alpha * t) - 0.5 * beta * moment2

    g0 = np.exp(-alpha * t0 - 0.5 * beta * t0 * t0)
    return t0 + (u * big_g(1.0) - big_g(t0)) / g0
