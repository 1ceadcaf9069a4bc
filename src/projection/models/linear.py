"""Linear growth: a constant increment per year."""

from __future__ import annotations

import numpy as np

from .family import Family
from .kernels import _full
from .params import ParamSpec

__all__ = ["Linear", "linear"]


class Linear(Family):
    r"""Linear growth: the indicator changes by the same amount every year.

    Parameters
    ----------
    start : float or array_like
        Value at ``base_year`` [indicator unit]. Any sign.
    slope : float or array_like
        Change per year [indicator unit/yr]. Any sign.

    Notes
    -----
    With :math:`d = t - t_0` the years since ``base_year``,

    .. math:: y(d) = y_0 + s\,d

    where :math:`y_0` is ``start`` and :math:`s` is ``slope``. The line extends before
    ``base_year`` too. Nothing keeps it non-negative: a falling line crosses zero, so bound the
    horizon (or use a saturating family) for quantities that cannot be negative.

    Examples
    --------
    100 km of cable in 2025, 12.5 km more every year:

    >>> linear.evaluate([2024, 2025, 2027, 2033], base_year=2025, start=100.0, slope=12.5)
    array([ 87.5, 100. , 125. , 200. ])

    An ensemble of three slopes gives one row per member:

    >>> linear.evaluate([2025, 2029], base_year=2025, start=100.0, slope=[-5.0, 0.0, 5.0])
    array([[100.,  80.],
           [100., 100.],
           [100., 120.]])
    """

    name = "linear"
    params = (
        ParamSpec("start", "level", "value at base_year"),
        ParamSpec("slope", "level_rate", "change per year"),
    )

    def _kernel(self, d: np.ndarray, *, start: np.ndarray, slope: np.ndarray) -> np.ndarray:
        # start + slope * d, in place in one buffer
        out = _full(d, start, slope)
        np.multiply(slope, d, out=out)
        np.add(start, out, out=out)
        return out

    def _reference_kernel(
        self, d: np.ndarray, *, start: np.ndarray, slope: np.ndarray
    ) -> np.ndarray:
        """The formula as written: what :meth:`_kernel` must equal."""
        return start + slope * d


linear = Linear()
