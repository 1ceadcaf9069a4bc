"""Gompertz growth: an asymmetric S-curve towards a ceiling."""

from __future__ import annotations

import numpy as np

from .family import Family
from .kernels import _flagged_rows, _full, _log_fraction, _set_rows
from .params import ParamSpec

__all__ = ["Gompertz", "gompertz"]

#: The inner exponent is clipped here so that ``exp`` cannot overflow (``exp(700) ~ 1e304``);
#: the curve is then ``C * exp(-1e304) = 0`` to double precision anyway.
_MAX_INNER = 700.0


class Gompertz(Family):
    r"""Gompertz growth: an S-curve that rises fast and approaches its ceiling slowly.

    Parameters
    ----------
    start : float or array_like
        Value at ``base_year`` [indicator unit], ``0 <= start <= ceiling``.
    ceiling : float or array_like
        Saturation level [indicator unit], ``> 0``.
    rate : float or array_like
        Gompertz rate [1/yr], ``-100 <= rate <= 100``: the log-distance to the ceiling,
        :math:`-\ln(y/C)`, shrinks by the factor :math:`e^{-r}` every year.

    Notes
    -----
    With :math:`d = t - t_0` the years since ``base_year``, :math:`y_0` = ``start``,
    :math:`C` = ``ceiling`` and :math:`r` = ``rate``,

    .. math::

        y(d) = C \exp\!\left(\ln(y_0/C)\, e^{-r d}\right)
             = C \exp\!\left(-\exp\!\left(\ln(-\ln(y_0/C)) - r d\right)\right),

    the solution of :math:`dy/dt = r\,y\,\ln(C/y)` with :math:`y(0) = y_0`. It is evaluated in
    the second form with the inner exponent clipped at 700, so nothing overflows.
    ``start = 0`` stays 0 and ``start = ceiling`` stays at the ceiling. Unlike the logistic
    curve the inflection is at :math:`C/e \approx 0.37\,C`, not at :math:`C/2`.

    Examples
    --------
    From :math:`C e^{-4}` with rate ln 2: the log-distance to the ceiling halves every year,
    4, 2, 1, so the value is :math:`C e^{-4}, C e^{-2}, C e^{-1}`:

    >>> import numpy as np
    >>> y = gompertz.evaluate([2025, 2026, 2027], base_year=2025, start=100 * np.exp(-4),
    ...                       ceiling=100.0, rate=np.log(2))
    >>> np.round(y / 100.0, 6)
    array([0.018316, 0.135335, 0.367879])

    References
    ----------
    .. [1] B. Gompertz, "On the nature of the function expressive of the law of human
       mortality", *Philosophical Transactions of the Royal Society of London* 115, 513-583,
       1825.
    .. [2] C. P. Winsor, "The Gompertz curve as a growth curve", *PNAS* 18(1), 1-8, 1932.
    """

    name = "gompertz"
    cap = "ceiling"
    params = (
        ParamSpec("start", "level", "value at base_year", lower=0.0),
        ParamSpec("ceiling", "level", "saturation level", lower=0.0, lower_inclusive=False),
        ParamSpec("rate", "rate", "Gompertz rate", lower=-100.0, upper=100.0),
    )

    def _kernel(
        self, d: np.ndarray, *, start: np.ndarray, ceiling: np.ndarray, rate: np.ndarray
    ) -> np.ndarray:
        # the operations of _reference_kernel, in place in one buffer; edge cases and the clip
        # of the inner exponent are decided on the (N, 1) parameters and applied to the rows
        # that need them only
        zero = start <= 0
        full = start >= ceiling
        edge = zero | full
        distance = -_log_fraction(start, ceiling)  # -ln(start/C) > 0
        if edge.any():
            distance = np.where(edge, 1.0, distance)
        log_distance = np.log(distance)
        out = _full(d, log_distance, rate, ceiling)
        np.multiply(rate, d, out=out)
        np.subtract(log_distance, out, out=out)  # the inner exponent
        if d.size:
            # the largest inner exponent of each row is at one end of the horizon (rounding
            # is monotone): clip only where some value exceeds _MAX_INNER
            lo, hi = d.min(), d.max()
            top = np.maximum(log_distance - rate * lo, log_distance - rate * hi)
            rows = _flagged_rows(out, top > _MAX_INNER)
            if rows is not None:
                out[rows] = np.minimum(out[rows], _MAX_INNER)
        np.exp(out, out=out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        np.multiply(out, ceiling, out=out)
        _set_rows(out, full, ceiling)  # start = ceiling stays at the ceiling
        _set_rows(out, zero, 0.0)  # start = 0 stays 0
        return out

    def _reference_kernel(
        self, d: np.ndarray, *, start: np.ndarray, ceiling: np.ndarray, rate: np.ndarray
    ) -> np.ndarray:
        """The formula as written, array by array: what :meth:`_kernel` must equal."""
        inside = (start > 0) & (start < ceiling)
        distance = np.where(inside, -_log_fraction(start, ceiling), 1.0)  # -ln(start/C) > 0
        inner = np.minimum(np.log(distance) - rate * d, _MAX_INNER)
        y = ceiling * np.exp(-np.exp(inner))
        return np.where(start <= 0, 0.0, np.where(start >= ceiling, ceiling, y))


gompertz = Gompertz()
