"""Bass diffusion: cumulative adoption driven by innovators and imitators."""

from __future__ import annotations

from typing import Any

import numpy as np

from .family import Family
from .kernels import _full, _patch_rows
from .params import ParamSpec

__all__ = ["Bass", "bass"]


class Bass(Family):
    r"""Bass diffusion model of cumulative adoption, anchored at ``start``.

    Parameters
    ----------
    start : float or array_like
        Cumulative adoption at ``base_year`` [indicator unit], ``0 <= start <= market``.
    market : float or array_like
        Market potential :math:`m`, the eventual cumulative adoption [indicator unit], ``> 0``.
    p : float or array_like
        Coefficient of innovation [1/yr], ``0 <= p <= 10`` (typically 0.001-0.03).
    q : float or array_like
        Coefficient of imitation [1/yr], ``0 <= q <= 100`` (typically 0.3-0.5).

    Notes
    -----
    The adopted fraction :math:`F = y/m` obeys :math:`dF/dt = (p + qF)(1 - F)`; from
    :math:`F(0) = 0` its solution is

    .. math:: F(t) = \frac{1 - e^{-(p+q)t}}{1 + (q/p)\,e^{-(p+q)t}}.

    The trajectory is :math:`y(d) = m F(\tau_0 + d)`, with :math:`d` the years since
    ``base_year`` and :math:`\tau_0` chosen so that :math:`y(0) = y_0` = ``start``. With
    :math:`F_0 = y_0/m` and :math:`g = e^{-(p+q)d}` this is, in closed form,

    .. math::

        y(d) = m\,\frac{1 - E_0 g}{1 + A g}, \qquad
        E_0 = \frac{p (1 - F_0)}{p + q F_0}, \qquad
        A = \frac{q (1 - F_0)}{p + q F_0},

    which also covers :math:`p = 0` with :math:`F_0 > 0` (pure imitation: a logistic curve
    with rate :math:`q` and ceiling :math:`m`) and :math:`q = 0` (pure innovation:
    :math:`y = m - (m - y_0) e^{-pd}`). When :math:`p + qF_0 = 0` (``p = 0`` and
    ``start = 0``, or ``p = q = 0``) nothing drives adoption and :math:`y = y_0` throughout.
    Before adoption began (:math:`\tau_0 + d < 0`, where the formula turns negative) the
    value is 0. For :math:`d < 0` numerator and denominator are divided by :math:`g`, so
    nothing overflows. :meth:`adoption` gives the adoption per year,
    :math:`dy/dt = m (p + qF)(1 - F)`.

    Examples
    --------
    With ``p = 0`` the model is logistic in ``q``: from 10 % of the market at
    ``q = ln 9 / 2`` adoption reaches half the market after 2 years and 90 % after 4:

    >>> import numpy as np
    >>> bass.evaluate([2025, 2027, 2029], base_year=2025, start=10.0, market=100.0,
    ...               p=0.0, q=np.log(9) / 2)
    array([10., 50., 90.])

    With ``q = 0`` only innovators adopt, and the gap to the market shrinks by
    :math:`e^{-p}` a year; here it halves:

    >>> bass.evaluate([2025, 2026, 2027], base_year=2025, start=0.0, market=100.0,
    ...               p=np.log(2), q=0.0)
    array([ 0., 50., 75.])

    References
    ----------
    .. [1] F. M. Bass, "A new product growth for model consumer durables",
       *Management Science* 15(5), 215-227, 1969.
    """

    name = "bass"
    cap = "market"
    cap_blame = "start"
    params = (
        ParamSpec("start", "level", "cumulative adoption at base_year", lower=0.0),
        ParamSpec("market", "level", "market potential", lower=0.0, lower_inclusive=False),
        ParamSpec("p", "rate", "coefficient of innovation", lower=0.0, upper=10.0),
        ParamSpec("q", "rate", "coefficient of imitation", lower=0.0, upper=100.0),
    )

    @staticmethod
    def _fractions(
        d: np.ndarray, start: np.ndarray, market: np.ndarray, p: np.ndarray, q: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``F``, ``1 - F`` (without cancellation), "adoption not begun" and "no drive"."""
        f0 = start / market  # in [0, 1]
        rest0 = (market - start) / market  # 1 - F0, accurate when start is close to market
        g = np.exp(-(p + q) * np.abs(d))  # in (0, 1]: e^{-(p+q)d} ahead, its inverse behind
        # F is homogeneous of degree 0 in (p, q) below: scale tiny coefficients up by an exact
        # power of two so that subnormal p, q do not cost precision
        _, exponent = np.frexp(p + q)
        shift = np.maximum(-exponent, 0)
        p, q = np.ldexp(p, shift), np.ldexp(q, shift)
        drive = p + q * f0  # p + q F0; 0 means nothing ever happens
        a = p * rest0  # E0 * drive
        b = q * rest0  # A * drive
        ahead = d >= 0
        # ahead:  F = (drive - a g) / (drive + b g);  behind: both divided by g
        num = np.where(ahead, drive - a * g, drive * g - a)
        den = np.where(ahead, drive + b * g, drive * g + b)
        gap = (a + b) * np.where(ahead, g, 1.0)  # den - num
        started = num > 0  # then den >= num > 0
        den_safe = np.where(started, den, 1.0)
        f = np.where(started, num / den_safe, 0.0)
        rest = np.where(started, np.clip(gap / den_safe, 0.0, 1.0), 1.0)
        const = drive <= 0
        full = start >= market
        f = np.where(const, f0, np.where(full, 1.0, f))
        rest = np.where(const, rest0, np.where(full, 0.0, rest))
        before = (num < 0) & ~const & ~full
        return f, rest, before, const

    def _kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        market: np.ndarray,
        p: np.ndarray,
        q: np.ndarray,
    ) -> np.ndarray:
        # years from base_year on take the fast path; years before it (where adoption may
        # not have begun yet) the reference formula, on those columns only
        ahead = d >= 0
        if ahead.all():
            return self._ahead(d, start, market, p, q)
        out = _full(d, start, market, p, q)
        behind = np.flatnonzero(~ahead)
        out[..., behind] = self._reference_kernel(d[behind], start=start, market=market, p=p, q=q)
        ahead = np.flatnonzero(ahead)
        if ahead.size:
            out[..., ahead] = self._ahead(d[ahead], start, market, p, q)
        return out

    def _ahead(
        self, d: np.ndarray, start: np.ndarray, market: np.ndarray, p: np.ndarray, q: np.ndarray
    ) -> np.ndarray:
        """:meth:`_reference_kernel` for ``d >= 0``, in place in two full-size buffers.

        There ``0 <= a g <= a <= drive``, so the numerator never goes negative and, when
        adoption is driven (``drive > 0``) and the market is not full, ``F = num / den`` needs
        none of the masks of :meth:`_fractions`: the same operations give the same bits. The
        other rows are recognised on the ``(N, 1)`` parameters and handed to the reference.
        """
        f0 = start / market
        rest0 = (market - start) / market
        _, exponent = np.frexp(p + q)
        shift = np.maximum(-exponent, 0)
        ps, qs = np.ldexp(p, shift), np.ldexp(q, shift)
        drive = ps + qs * f0
        a = ps * rest0
        b = qs * rest0
        careful = (drive <= 0) | (start >= market)
        rows = careful.any()
        if rows:  # harmless placeholders (F = 1), overwritten below
            drive = np.where(careful, 1.0, drive)
            a = np.where(careful, 0.0, a)
            b = np.where(careful, 0.0, b)
        g = _full(d, start, market, p, q)
        np.multiply(-(p + q), np.abs(d), out=g)
        np.exp(g, out=g)  # e^{-(p+q)d} in (0, 1]
        out = _full(d, start, market, p, q)
        np.multiply(a, g, out=out)
        np.subtract(drive, out, out=out)  # numerator
        np.multiply(b, g, out=g)
        np.add(drive, g, out=g)  # denominator > 0
        np.divide(out, g, out=out)  # F
        del g
        np.multiply(market, out, out=out)
        if rows:
            params = {"start": start, "market": market, "p": p, "q": q}
            _patch_rows(out, careful, self._reference_kernel, d, params)
        return out

    def _reference_kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        market: np.ndarray,
        p: np.ndarray,
        q: np.ndarray,
    ) -> np.ndarray:
        """The formula with every mask, array by array: what :meth:`_kernel` must equal."""
        f, _, _, const = self._fractions(d, start, market, p, q)
        # with nothing driving adoption the value is start itself (market * (start / market)
        # can be off by an ulp)
        return np.where(const, start, market * f)

    def _adoption_kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        market: np.ndarray,
        p: np.ndarray,
        q: np.ndarray,
    ) -> np.ndarray:
        f, rest, before, _ = self._fractions(d, start, market, p, q)
        # before adoption began nobody adopts (the curve is flat at 0 there)
        return np.where(before, 0.0, market * (p + q * f) * rest)

    def adoption(
        self, years: Any, *, base_year: float, start: Any, market: Any, p: Any, q: Any
    ) -> np.ndarray:
        """Adoption per year, the derivative of :meth:`evaluate` with respect to time.

        Parameters
        ----------
        years : array_like, shape (T,)
            Calendar years [yr].
        base_year : float
            Calendar year [yr] at which cumulative adoption equals ``start``.
        start, market, p, q : float or array_like
            As for :meth:`evaluate`.

        Returns
        -------
        numpy.ndarray
            :math:`dy/dt = m (p + qF)(1 - F)` [indicator unit/yr], shape ``(T,)`` or
            ``(N, T)`` like :meth:`evaluate`; 0 before adoption began.

        Examples
        --------
        Pure innovation (``q = 0``) adopts :math:`p` times the remaining market per year:

        >>> import numpy as np
        >>> bass.adoption([2025, 2026], base_year=2025, start=0.0, market=100.0,
        ...               p=np.log(2), q=0.0) / np.log(2)
        array([100.,  50.])
        """
        params = {"start": start, "market": market, "p": p, "q": q}
        return self._run(self._adoption_kernel, years, base_year, params, anchor=False)


bass = Bass()
