"""Logistic (S-curve) growth towards a ceiling."""

from __future__ import annotations

import numpy as np

from .family import Family
from .kernels import _full, _set_rows
from .params import ParamSpec

__all__ = ["Logistic", "logistic"]


class Logistic(Family):
    r"""Logistic growth: a symmetric S-curve from 0 to a ceiling.

    Parameters
    ----------
    start : float or array_like
        Value at ``base_year`` [indicator unit], ``0 <= start <= ceiling``.
    ceiling : float or array_like
        Saturation level [indicator unit], ``> 0``.
    rate : float or array_like
        Logistic growth rate [1/yr], ``-100 <= rate <= 100``; early on the curve grows by a
        factor :math:`e^r` a year. Negative values give a falling S-curve.

    Notes
    -----
    With :math:`d = t - t_0` the years since ``base_year``, :math:`y_0` = ``start``,
    :math:`C` = ``ceiling`` and :math:`r` = ``rate``,

    .. math::

        y(d) = \frac{C}{1 + (C/y_0 - 1)\,e^{-r d}}
             = C\,\mathrm{expit}\!\left(r d + \mathrm{logit}(y_0 / C)\right),

    the solution of :math:`dy/dt = r\,y\,(1 - y/C)` with :math:`y(0) = y_0`. It is evaluated as
    :math:`C / (1 + e^{-(r d + \mathrm{logit}(y_0/C))})`, the logit from logarithms (accurate
    near both ends); far below the curve the denominator overflows to infinity and the value is
    0, never a wrong number. ``start = 0`` stays 0 and ``start = ceiling`` stays at the ceiling. The curve reaches half the ceiling at
    :math:`d = \mathrm{logit}(1/2) - \mathrm{logit}(y_0/C)` divided by :math:`r`, i.e.
    :math:`\ln(C/y_0 - 1)/r` years after ``base_year``. The Fisher-Pry substitution model [2]_
    is this curve for a market share (ceiling 1, or 100 %).

    Examples
    --------
    From 10 % with a ceiling of 100 % at rate ln 9 / 2 per year the share reaches the midpoint
    (50 %) after 2 years and 90 % after 4:

    >>> import numpy as np
    >>> logistic.evaluate([2025, 2027, 2029], base_year=2025, start=10.0, ceiling=100.0,
    ...                   rate=np.log(9) / 2)
    array([10., 50., 90.])

    References
    ----------
    .. [1] P.-F. Verhulst, "Notice sur la loi que la population suit dans son accroissement",
       *Correspondance mathematique et physique* 10, 113-121, 1838.
    .. [2] J. C. Fisher and R. H. Pry, "A simple substitution model of technological change",
       *Technological Forecasting and Social Change* 3, 75-88, 1971.
    """

    name = "logistic"
    cap = "ceiling"
    params = (
        ParamSpec("start", "level", "value at base_year", lower=0.0),
        ParamSpec("ceiling", "level", "saturation level", lower=0.0, lower_inclusive=False),
        ParamSpec("rate", "rate", "logistic growth rate", lower=-100.0, upper=100.0),
    )

    def _kernel(
        self, d: np.ndarray, *, start: np.ndarray, ceiling: np.ndarray, rate: np.ndarray
    ) -> np.ndarray:
        # edge cases are decided on the (N, 1) parameters; the (N, T) work is five in-place
        # passes over one buffer (numpy's exp is vectorised: twice as fast as
        # scipy.special.expit, and no scipy to import), the same operations as
        # _reference_kernel, so the same bits
        zero = start <= 0
        full = start >= ceiling
        edge = zero | full
        if edge.any():
            s = np.where(edge, 1.0, start)
            c = np.where(edge, 2.0, ceiling)
        else:
            s, c = start, ceiling
        z0 = np.log(s) - np.log(c - s)  # logit(start / C), accurate near both ends
        out = _full(d, z0, rate, ceiling)
        np.multiply(-rate, d, out=out)  # -(rate d), exactly
        np.subtract(out, z0, out=out)  # -(z0 + rate d), exactly
        with np.errstate(over="ignore"):  # exp(-x) = inf far below the curve: C / inf = 0
            np.exp(out, out=out)
        out += 1.0
        np.divide(ceiling, out, out=out)
        _set_rows(out, full, ceiling)  # start = ceiling stays at the ceiling
        _set_rows(out, zero, 0.0)  # start = 0 stays 0
        return out

    def _reference_kernel(
        self, d: np.ndarray, *, start: np.ndarray, ceiling: np.ndarray, rate: np.ndarray
    ) -> np.ndarray:
        """The formula as written, array by array: what :meth:`_kernel` must equal."""
        inside = (start > 0) & (start < ceiling)
        s = np.where(inside, start, 1.0)
        c = np.where(inside, ceiling, 2.0)
        z0 = np.log(s) - np.log(c - s)  # logit(start / C), accurate near both ends
        with np.errstate(over="ignore"):
            y = ceiling / (1.0 + np.exp(-(z0 + rate * d)))
        return np.where(start <= 0, 0.0, np.where(start >= ceiling, ceiling, y))


logistic = Logistic()
