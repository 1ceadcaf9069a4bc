"""Exponential growth, optionally bent smoothly under a ceiling."""

from __future__ import annotations

import math

import numpy as np

from .family import Family
from .kernels import _full, _log_fraction, _patch_rows, _set_rows
from .params import ParamSpec

__all__ = ["Exponential", "exponential", "SHARPNESS", "MAX_VALUE"]

#: Sharpness :math:`k` of the smooth minimum between the exponential and the ceiling. Larger
#: values follow the exponential longer and bend more abruptly; 4 bends over roughly a
#: doubling: where the plain exponential would reach the ceiling the curve is at
#: :math:`2^{-1/4} \approx 0.84` of it.
SHARPNESS: float = 4.0

#: Without a ceiling, values are capped at this large finite number rather than overflowing.
MAX_VALUE: float = 1e300
_LOG_MAX_VALUE = math.log(MAX_VALUE)
_MAX_EXP = 700.0  # exp(700) ~ 1e304 is still finite
_TINY = np.finfo(float).tiny


class Exponential(Family):
    r"""Exponential growth at a constant rate, with an optional ceiling.

    Parameters
    ----------
    start : float or array_like
        Value at ``base_year`` [indicator unit], ``>= 0``.
    rate : float or array_like
        Continuous growth rate [1/yr], ``-100 <= rate <= 100``; negative values decay.
    ceiling : float or array_like, optional
        Level the curve bends under [indicator unit], ``> 0`` and ``>= start``. Omitted (or
        ``None``): plain exponential.

    Notes
    -----
    With :math:`d = t - t_0` the years since ``base_year``, :math:`y_0` = ``start``,
    :math:`r` = ``rate``, without a ceiling

    .. math:: y(d) = y_0 e^{r d},

    capped at :data:`MAX_VALUE` (``1e300``) so that it stays finite.

    With a ceiling :math:`C` the curve is the smooth minimum of an exponential :math:`x(d)` and
    :math:`C` (the reciprocal :math:`k`-norm, sharpness :math:`k` = :data:`SHARPNESS` = 4):

    .. math::

        y(d) = C \left(1 + (C / x(d))^k\right)^{-1/k}, \qquad
        x(d) = x_0 e^{r d}, \qquad
        x_0 = \frac{y_0}{\left(1 - (y_0/C)^k\right)^{1/k}},

    where :math:`x_0` re-anchors the curve so that :math:`y(0) = y_0`. Far below the ceiling
    it grows at rate :math:`r`; it never exceeds :math:`C` and approaches it for
    :math:`r > 0`. ``start = 0`` stays 0; ``start = ceiling`` stays at the ceiling. It is
    evaluated in log space (``numpy.logaddexp``), so nothing overflows.

    Examples
    --------
    Doubling every year (``rate = ln 2``) from 1:

    >>> import numpy as np
    >>> exponential.evaluate([2025, 2026, 2028], base_year=2025, start=1.0, rate=np.log(2))
    array([1., 2., 8.])

    With a ceiling of 100 the same curve bends under it and never exceeds it:

    >>> y = exponential.evaluate(np.arange(2025, 2036), base_year=2025, start=1.0,
    ...                          rate=np.log(2), ceiling=100.0)
    >>> float(y[0]), bool(np.all(y <= 100.0)), bool(np.all(np.diff(y) > 0))
    (1.0, True, True)

    References
    ----------
    .. [1] T. R. Malthus, *An Essay on the Principle of Population*, London, 1798.
    """

    name = "exponential"
    cap = "ceiling"
    params = (
        ParamSpec("start", "level", "value at base_year", lower=0.0),
        ParamSpec("rate", "rate", "continuous growth rate", lower=-100.0, upper=100.0),
        ParamSpec(
            "ceiling",
            "level",
            "level the curve bends under",
            required=False,
            lower=0.0,
            lower_inclusive=False,
        ),
    )

    def _kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        rate: np.ndarray,
        ceiling: np.ndarray | None = None,
    ) -> np.ndarray:
        # the operations of _reference_kernel for the usual rows, in place in one buffer; the
        # rows that need care are recognised on the (N, 1) parameters and handed to it
        if ceiling is None:
            # start * exp(rate * d) is the reference's value wherever rate * d needs no cap;
            # the largest rate * d of a row is at one end of the horizon (rounding is monotone)
            careful = start <= 0
            if d.size:
                log_start = np.log(np.where(careful, 1.0, start))
                top = np.maximum(rate * d.min(), rate * d.max())
                careful = careful | (top > np.minimum(_LOG_MAX_VALUE - log_start, _MAX_EXP))
            rows = careful.any()
            out = _full(d, start, rate)
            np.multiply(np.where(careful, 0.0, rate) if rows else rate, d, out=out)
            np.exp(out, out=out)
            np.multiply(start, out, out=out)
            if rows:
                params = {"start": start, "rate": rate}
                _patch_rows(out, careful, self._reference_kernel, d, params)
            return out
        k = SHARPNESS
        log_frac = _log_fraction(start, ceiling)  # log(start / C) < 0 inside (0, C)
        gap = np.maximum(-np.expm1(k * log_frac), _TINY)  # 1 - (start / C)**k
        z0 = np.log(gap) - k * log_frac
        out = _full(d, z0, rate, ceiling)
        np.multiply(k * rate, d, out=out)
        np.subtract(z0, out, out=out)  # z = k * log(C / x(d))
        np.logaddexp(0.0, out, out=out)
        np.divide(out, -k, out=out)  # -(.) / k, the same bits
        np.exp(out, out=out)
        np.multiply(ceiling, out, out=out)
        _set_rows(out, start >= ceiling, ceiling)  # start = ceiling stays at the ceiling
        _set_rows(out, start <= 0, 0.0)  # start = 0 stays 0
        return out

    def _reference_kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        rate: np.ndarray,
        ceiling: np.ndarray | None = None,
    ) -> np.ndarray:
        """The formula as written, array by array: what :meth:`_kernel` must equal."""
        if ceiling is None:
            log_start = np.log(np.where(start > 0, start, 1.0))
            # exponent capped so that start * exp(e) <= MAX_VALUE; start * exp(e) is exact at
            # e = 0 and used while exp(e) alone is finite, exp(log(start) + e) beyond that
            e = np.minimum(rate * d, _LOG_MAX_VALUE - log_start)
            y = np.where(
                e <= _MAX_EXP, start * np.exp(np.minimum(e, _MAX_EXP)), np.exp(log_start + e)
            )
            return np.where(start > 0, y, 0.0)
        k = SHARPNESS
        log_frac = _log_fraction(start, ceiling)  # log(start / C) < 0 inside (0, C)
        gap = np.maximum(-np.expm1(k * log_frac), _TINY)  # 1 - (start / C)**k
        z = (np.log(gap) - k * log_frac) - k * rate * d  # k * log(C / x(d))
        y = ceiling * np.exp(-np.logaddexp(0.0, z) / k)
        return np.where(start <= 0, 0.0, np.where(start >= ceiling, ceiling, y))


exponential = Exponential()
