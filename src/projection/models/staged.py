"""Staged trajectories: through a start value and a list of dated milestones."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ParameterError
from .family import Family
from .kernels import _full
from .params import ParamSpec, _at, _fmt

__all__ = ["Staged", "staged"]


class Staged(Family):
    r"""A trajectory through ``(base_year, start)`` and dated milestones.

    Parameters
    ----------
    start : float or array_like
        Value at ``base_year`` [indicator unit], ``>= 0``.
    milestone_years : array_like, shape (K,) or (N, K)
        Calendar years of the milestones [yr], strictly increasing and after ``base_year``.
    milestone_values : array_like, shape (K,) or (N, K)
        Values reached at those years [indicator unit], ``>= 0``. They need not increase: a
        capacity can be retired, so a later milestone may be lower than an earlier one.
    interpolation : {"step", "linear", "log-linear"}, default "step"
        How to get from one point to the next (see Notes).

    Notes
    -----
    Write :math:`(d_0, v_0) = (0, y_0)` for the start and :math:`(d_k, v_k)` for milestone
    :math:`k`, with :math:`d` the years since ``base_year``. Before ``base_year`` the value is
    :math:`y_0`; from the last milestone on it is :math:`v_K`. In between, for
    :math:`d_{k} \le d < d_{k+1}` and :math:`s = (d - d_k)/(d_{k+1} - d_k)`:

    * ``"step"``: :math:`y = v_k`, the value of the latest point at or before :math:`d` (a
      milestone takes effect in its own year);
    * ``"linear"``: :math:`y = (1 - s)\,v_k + s\,v_{k+1}`;
    * ``"log-linear"``: :math:`y = v_k^{1 - s}\,v_{k+1}^{s}`, constant growth rate between
      points; requires ``start`` and every milestone value ``> 0``.

    The curve passes exactly through every point for each interpolation. Milestone arrays
    may be ``(K,)`` (shared) or ``(N, K)`` (one row per ensemble member); years and values
    broadcast against each other, so fixed years with uncertain values work. The loop runs
    over the ``K`` segments only, never over ensemble members.

    Examples
    --------
    450 in 2025, 4000 from 2028, 10000 from 2032:

    >>> years = [2024, 2025, 2027, 2028, 2030, 2032, 2035]
    >>> staged.evaluate(years, base_year=2025, start=450.0, milestone_years=[2028, 2032],
    ...                 milestone_values=[4000.0, 10000.0])
    array([  450.,   450.,   450.,  4000.,  4000., 10000., 10000.])

    Linear interpolation between the points:

    >>> staged.evaluate([2025, 2026, 2027, 2030], base_year=2025, start=0.0,
    ...                 milestone_years=[2027], milestone_values=[10.0], interpolation="linear")
    array([ 0.,  5., 10., 10.])

    Log-linear interpolation grows at a constant rate between the points (here a factor 10
    a year):

    >>> staged.evaluate([2025, 2026, 2027], base_year=2025, start=1.0, milestone_years=[2027],
    ...                 milestone_values=[100.0], interpolation="log-linear")
    array([  1.,  10., 100.])
    """

    name = "staged"
    params = (
        ParamSpec("start", "level", "value at base_year", lower=0.0),
        ParamSpec("milestone_years", "year", "calendar years of the milestones"),
        ParamSpec("milestone_values", "level", "values reached at the milestones", lower=0.0),
    )
    options = {"interpolation": ("step", "linear", "log-linear")}
    _vector_params = frozenset({"milestone_years", "milestone_values"})

    def _check(
        self, values: dict[str, np.ndarray], options: dict[str, str], base_year: float | None
    ) -> None:
        years = values["milestone_years"]
        vals = values["milestone_values"]
        if years.shape[-1] != vals.shape[-1]:
            raise ParameterError(
                "milestones",
                f"milestone_years has {years.shape[-1]} entries but milestone_values has "
                f"{vals.shape[-1]} (expected one value per year)",
            )
        if years.shape[-1] > 1:
            step = np.diff(years, axis=-1)
            bad = step <= 0
            if bad.any():
                index, _ = _at(bad)
                k = index[-1]
                row = f" in row {index[0]}" if len(index) == 2 else ""
                raise ParameterError(
                    "milestones",
                    "years must be strictly increasing (got "
                    f"{_fmt(years[index[:-1] + (k,)])} then {_fmt(years[index[:-1] + (k + 1,)])}"
                    f"{row} at positions {k} and {k + 1})",
                )
        if base_year is not None and years.size:
            bad = years <= base_year
            if bad.any():
                index, where = _at(bad)
                raise ParameterError(
                    "milestones",
                    f"years must be after base_year={_fmt(base_year)} "
                    f"(got {_fmt(years[index])}{where})",
                )
        if options["interpolation"] == "log-linear":
            for name in ("start", "milestone_values"):
                bad = values[name] <= 0
                if bad.any():
                    index, where = _at(bad)
                    raise ParameterError(
                        name,
                        "must be > 0 for interpolation='log-linear' "
                        f"(got {_fmt(values[name][index])}{where})",
                    )

    def _kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        milestone_years: np.ndarray,
        milestone_values: np.ndarray,
        interpolation: str,
    ) -> np.ndarray:
        # milestone_years arrive as offsets from base_year, (K,) or (N, K)
        x = milestone_years
        if x.ndim == 2:
            if x.shape[0] == 0:  # an empty ensemble
                return self._reference_kernel(
                    d,
                    start=start,
                    milestone_years=x,
                    milestone_values=milestone_values,
                    interpolation=interpolation,
                )
            if not np.all(x == x[:1]):
                return self._rowwise_kernel(
                    d,
                    start=start,
                    milestone_years=x,
                    milestone_values=milestone_values,
                    interpolation=interpolation,
                )
            x = x[0]  # one set of years shared by every member
        return self._shared_kernel(d, start, x, milestone_values, interpolation)

    @staticmethod
    def _shared_kernel(
        d: np.ndarray,
        start: np.ndarray,
        x: np.ndarray,
        milestone_values: np.ndarray,
        interpolation: str,
    ) -> np.ndarray:
        """Milestone years ``x`` of shape (K,) shared by all members.

        Which segment a year falls in then depends on the year alone: it is found once on
        the (T,) axis, and the (N, T) result is gathered from the (N, K + 1) table of point
        values (``numpy.take``), with the operations of :meth:`_reference_kernel` for each
        element, so the same bits, in a few full-size passes.
        """
        k = x.shape[-1]
        lead = np.broadcast_shapes(np.shape(start)[:-1], milestone_values.shape[:-1])
        points = np.empty(lead + (k + 1,))  # (start, v_1, ..., v_K) of every member
        points[..., :1] = start
        points[..., 1:] = milestone_values
        xs = np.concatenate([[0.0], x])
        seg = np.searchsorted(xs, d, side="right") - 1  # point at or before d; -1 before 0
        if interpolation == "step" or k == 0:
            return np.take(points, np.clip(seg, 0, k), axis=-1)
        i = np.clip(seg, 0, k - 1)
        s = np.clip((d - xs[i]) / (xs[i + 1] - xs[i]), 0.0, 1.0)
        if interpolation == "linear":
            out = np.take(points, i, axis=-1)
            out *= 1.0 - s
            after = np.take(points, i + 1, axis=-1)
            after *= s
            out += after
            del after
            exact = seg < 0  # only the ends need fixing: before base_year, start
        else:  # log-linear; exact at s == 0 (exp(log(v)) may be off by an ulp)
            logs = np.log(points)
            out = np.take(logs[..., 1:] - logs[..., :-1], i, axis=-1)
            out *= s
            out += np.take(logs, i, axis=-1)
            np.exp(out, out=out)
            exact = (seg < 0) | (s == 0)
        exact = np.flatnonzero(exact)
        if exact.size:
            out[..., exact] = np.take(points, np.clip(seg[exact], 0, k), axis=-1)
        last = np.flatnonzero(seg >= k)  # from the last milestone on, its value
        if last.size:
            out[..., last] = points[..., k:]
        return out

    def _rowwise_kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        milestone_years: np.ndarray,
        milestone_values: np.ndarray,
        interpolation: str,
    ) -> np.ndarray:
        """Milestone years that differ between members: the loop of
        :meth:`_reference_kernel`, the same operations, in a few preallocated buffers."""
        out = _full(d, start, milestone_years[..., :1], milestone_values[..., :1])
        np.add(start, 0.0, out=out)  # start + zeros_like(d), as in the reference
        inside = np.empty(out.shape, dtype=bool)
        below = np.empty(out.shape, dtype=bool)
        if interpolation != "step":
            s = np.empty(out.shape)
            seg = np.empty(out.shape)
        x_prev: Any = 0.0
        v_prev: Any = start
        for k in range(milestone_years.shape[-1]):
            x_next = milestone_years[..., k, None]
            v_next = milestone_values[..., k, None]
            np.greater_equal(d, x_prev, out=inside)
            np.less(d, x_next, out=below)
            inside &= below
            if interpolation == "step":
                np.copyto(out, v_prev, where=inside)
            else:
                np.subtract(d, x_prev, out=s)
                np.divide(s, x_next - x_prev, out=s)
                np.clip(s, 0.0, 1.0, out=s)
                if interpolation == "linear":  # (1 - s) v_prev + s v_next
                    np.subtract(1.0, s, out=seg)
                    seg *= v_prev
                    s *= v_next
                    seg += s
                else:  # log-linear; exact at s == 0 (exp(log(v)) may be off by an ulp)
                    log_prev = np.log(v_prev)
                    np.multiply(s, np.log(v_next) - log_prev, out=seg)
                    np.add(log_prev, seg, out=seg)
                    np.exp(seg, out=seg)
                    np.equal(s, 0.0, out=below)
                    np.copyto(seg, v_prev, where=below)
                np.copyto(out, seg, where=inside)
            x_prev, v_prev = x_next, v_next
        np.greater_equal(d, x_prev, out=inside)
        np.copyto(out, v_prev, where=inside)
        return out

    def _reference_kernel(
        self,
        d: np.ndarray,
        *,
        start: np.ndarray,
        milestone_years: np.ndarray,
        milestone_values: np.ndarray,
        interpolation: str,
    ) -> np.ndarray:
        """The loop over segments as written: what :meth:`_kernel` must equal."""
        # milestone_years arrive as offsets from base_year; [..., k, None] is (1,) or (N, 1)
        y: Any = start + np.zeros_like(d)
        x_prev: Any = 0.0
        v_prev: Any = start
        for k in range(milestone_years.shape[-1]):
            x_next = milestone_years[..., k, None]
            v_next = milestone_values[..., k, None]
            if interpolation == "step":
                seg = v_prev
            else:
                s = np.clip((d - x_prev) / (x_next - x_prev), 0.0, 1.0)
                if interpolation == "linear":
                    seg = (1.0 - s) * v_prev + s * v_next
                else:  # log-linear; exact at s == 0 (exp(log(v)) may be off by an ulp)
                    log_prev = np.log(v_prev)
                    seg = np.where(
                        s == 0, v_prev, np.exp(log_prev + s * (np.log(v_next) - log_prev))
                    )
            y = np.where((d >= x_prev) & (d < x_next), seg, y)
            x_prev, v_prev = x_next, v_next
        return np.where(d >= x_prev, v_prev, y)


staged = Staged()
