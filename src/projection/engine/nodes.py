"""The parts a compiled scenario is made of: inputs, nodes, targets, constraints, evaluations.

Each is a plain, picklable record of floats, arrays and compiled expressions: what is left of a
scenario once units, domains and expressions have been worked out
(:mod:`projection.engine.compiled`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..exceptions import ProjectionError
from ..models import Domain, Family
from .derived import CompiledExpression, Unevaluable
from .tolerance import exceeds, holds

__all__ = [
    "BETWEEN",
    "CompiledConstraint",
    "CompiledTarget",
    "DerivedNode",
    "Evaluation",
    "FamilyNode",
    "Input",
    "bound",
    "in_written_unit",
    "time_values",
    "year_index",
]

#: The bound of a range target (both ``at_least`` and ``at_most`` written).
BETWEEN = "between"


@dataclass(frozen=True)
class Input:
    """One number of a scenario that an evaluation may vary.

    Attributes
    ----------
    path : str
        Dotted path: ``indicators.NAME.params.PARAM``, ``indicators.NAME.milestones.I.value``
        or ``indicators.NAME.milestones.I.year``.
    indicator : str
        The indicator it belongs to.
    key : str or (str, int)
        Where the indicator uses it: a family parameter or a derived constant's name, or
        (``milestone_values`` | ``milestone_years``, index).
    value : float
        The point value, in :attr:`unit`.
    unit : str
        The unit the file writes it in (``""`` for a bare number, which is in
        :attr:`canonical`).
    canonical : str
        The unit the engine computes in: the indicator's unit for a level, ``1/yr`` for a
        rate; a derived constant keeps its own unit.
    factor : float
        Multiply a value in :attr:`unit` by this to get it in :attr:`canonical`.
    kind : str
        ``level``, ``rate``, ``level_rate``, ``year`` or ``constant``.
    domain : Domain
        The values it may take on its own, in :attr:`unit`: the family's domain of the
        parameter with the share cap (``start <= cap`` is the family's to check, as both may
        vary; :meth:`CompiledScenario.domain` adds it at the other parameters' values).
    distribution : Distribution or None
        Its distribution (in :attr:`unit`), if it has one.
    source : str
        Where the number comes from.
    """

    path: str
    indicator: str
    key: Any
    value: float
    unit: str
    canonical: str
    factor: float
    kind: str
    domain: Domain
    distribution: Any
    source: str

    @property
    def uncertain(self) -> bool:
        """Whether it has a distribution."""
        return self.distribution is not None


@dataclass(frozen=True)
class CompiledTarget:
    """A target reduced to numbers: ``indicator`` in column ``column`` (year ``year``) is
    ``bound`` (``at_least``/``at_most``) ``required`` [``unit``], or with ``bound``
    ``between``, from ``required`` to ``upper`` (a range target: both ``at_least`` and
    ``at_most`` written).

    :meth:`holds`, :meth:`gap` and :meth:`margin` are the one place a target's values are
    judged, for every bound alike.

    Examples
    --------
    >>> import numpy as np
    >>> t = CompiledTarget("T3", "share", 2030, 5, "between", 10.0, "%", "s", upper=15.0)
    >>> v = np.array([8.0, 12.0, 16.0])
    >>> t.holds(v).tolist(), t.gap(v).tolist(), t.margin(v).tolist()
    ([False, True, False], [-2.0, 0.0, 1.0], [-2.0, 2.0, -1.0])
    >>> t.requirement
    '10 to 15 %'
    """

    id: str
    indicator: str
    year: int
    column: int
    bound: str
    required: float
    unit: str
    source: str
    upper: float | None = None

    def holds(self, values: Any) -> np.ndarray:
        """Whether each value meets the target, within :data:`~.tolerance.RTOL`."""
        if self.bound != BETWEEN:
            return holds(values, self.bound, self.required)
        return holds(values, "at_least", self.required) & holds(values, "at_most", self.upper)

    def gap(self, values: Any) -> np.ndarray:
        """``value - required``; for a range, the distance outside it (negative below, positive
        above, 0 inside)."""
        v = np.asarray(values, dtype=float)
        if self.bound != BETWEEN:
            return v - self.required
        return np.where(v < self.required, v - self.required, np.maximum(v - self.upper, 0.0))

    def margin(self, values: Any) -> np.ndarray:
        """How far inside the target each value is, in its unit (negative: missed by that much):
        the distance to the nearer edge of a range."""
        v = np.asarray(values, dtype=float)
        if self.bound == "at_least":
            return v - self.required
        if self.bound == "at_most":
            return self.required - v
        return np.minimum(v - self.required, self.upper - v)

    def relative_gap(self, values: Any) -> np.ndarray:
        """:meth:`gap` over the bound it is measured from (NaN where that bound is 0)."""
        v = np.asarray(values, dtype=float)
        edge = self.required
        if self.bound == BETWEEN:
            edge = np.where(v > self.upper, self.upper, self.required)
        edge = np.abs(np.asarray(edge, dtype=float))
        with np.errstate(all="ignore"):  # a tiny bound gives an infinite relative gap
            return np.where(edge != 0, self.gap(v) / np.where(edge != 0, edge, 1.0), np.nan)

    @property
    def requirement(self) -> str:
        """The bound in words: ``>= 30 %``, ``<= 100 %`` or ``10 to 15 %``."""
        unit = f" {self.unit}" if self.unit else ""
        if self.bound == BETWEEN:
            return f"{self.required:.6g} to {self.upper:.6g}{unit}"
        return f"{'>=' if self.bound == 'at_least' else '<='} {self.required:.6g}{unit}"

    def one_sided(self, bound: str) -> CompiledTarget:
        """This range target's lower (``at_least``) or upper (``at_most``) edge alone."""
        if self.bound != BETWEEN:
            return self
        value = self.required if bound == "at_least" else float(self.upper)  # type: ignore[arg-type]
        return replace(self, bound=bound, required=value, upper=None)


@dataclass(frozen=True, eq=False)
class CompiledConstraint:
    """A constraint ``lhs OP rhs`` with both sides compiled to magnitudes in the left side's
    unit (:attr:`unit`)."""

    id: str
    text: str
    op: str
    lhs: CompiledExpression | float
    rhs: CompiledExpression | float
    rhs_factor: float
    names: tuple[str, ...]
    unit: str
    source: str

    def evaluate(
        self, values: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lhs, rhs, margin)`` in :attr:`unit`, broadcast against each other. The margin is
        the room left: ``rhs - lhs`` for ``<=``/``<``, ``lhs - rhs`` for ``>=``/``>``;
        negative where the constraint is violated.

        Raises
        ------
        Unevaluable
            A side cannot be evaluated at these values, or the two cannot be compared in
            :attr:`unit` (an overflow).
        """
        env = {n: values[n] for n in self.names}
        lv = self.lhs(env) if callable(self.lhs) else np.float64(self.lhs)
        rv = self.rhs(env) if callable(self.rhs) else np.float64(self.rhs)
        try:
            with np.errstate(over="raise", invalid="raise", under="ignore"):
                if self.rhs_factor != 1.0:
                    rv = rv * self.rhs_factor
                lv, rv = np.broadcast_arrays(np.asarray(lv, float), np.asarray(rv, float))
                margin = rv - lv if self.op in ("<=", "<") else lv - rv
        except FloatingPointError as err:
            raise Unevaluable(str(err)) from None
        return lv, rv, margin


@dataclass(frozen=True)
class Evaluation:
    """What :meth:`CompiledScenario.evaluate` returns.

    Attributes
    ----------
    values : dict of str to ndarray
        Every evaluated indicator in its unit: shape ``(m, T)`` where it depends on the
        inputs given, ``(T,)`` where it does not (broadcast it for ``m`` members).
    above, below : dict of str to ndarray of int, shape (T,)
        Per indicator that left its bounds, how many members were above its cap (a share's
        100 %) or below 0 in each year, before clipping.
    members : int
        ``m``, or 1 when no input was given.
    years : ndarray of int
    """

    values: dict[str, np.ndarray]
    above: dict[str, np.ndarray]
    below: dict[str, np.ndarray]
    members: int
    years: np.ndarray

    def full(self, indicator: str) -> np.ndarray:
        """One indicator broadcast to ``(members, T)`` (read-only where it was ``(T,)``)."""
        v = self.values[indicator]
        return v if v.ndim == 2 else np.broadcast_to(v, (self.members, v.shape[-1]))


@dataclass(frozen=True, eq=False)
class FamilyNode:
    """An indicator on a growth family: parameters in canonical units, clipped to its bounds."""

    clip = True  # a trajectory is clipped to [0, cap], and the clip noted

    name: str
    family: Family
    base_year: float
    params: dict[str, Any]  # canonical units; milestones as tuples
    options: dict[str, str]

    def evaluate(
        self, years: np.ndarray, drawn: Mapping[Any, np.ndarray], values: Mapping[str, Any]
    ) -> np.ndarray:
        params: dict[str, Any] = dict(self.params)
        for key, value in drawn.items():
            if isinstance(key, tuple):  # a milestone's value or year: one column of (m, K)
                field_, i = key
                column = np.asarray(params[field_], dtype=float)
                table = (
                    np.repeat(column[None, :], len(value), axis=0) if column.ndim == 1 else column
                )
                table[:, i] = value
                params[field_] = table
            else:
                params[key] = value
        if "milestone_years" in params and np.ndim(params["milestone_years"]) == 2:
            vals = np.asarray(params["milestone_values"], dtype=float)
            params["milestone_values"] = np.broadcast_to(vals, params["milestone_years"].shape)
        return np.asarray(
            self.family.evaluate(years, base_year=self.base_year, **params, **self.options),
            dtype=float,
        )


@dataclass(frozen=True, eq=False)
class DerivedNode:
    """A derived indicator: its compiled expression, never clipped (a value out of range means
    the inputs disagree, and is noted)."""

    clip = False
    family = None

    name: str
    expression: CompiledExpression
    factor: float  # from the expression's unit to the indicator's
    deps: tuple[str, ...]
    constants: dict[str, float]  # as written, in their own unit
    #: the time names the expression uses (``year``, ``elapsed``), and the horizon's start
    times: tuple[str, ...] = ()
    start: float = 0.0
    #: the first function across years it calls (``cumulative``, ``lag``, ...), if any, and
    #: the scenario's years: such an expression is evaluated on those years only
    across: str | None = None
    grid: tuple[float, ...] = ()

    def evaluate(
        self, years: np.ndarray, drawn: Mapping[Any, np.ndarray], values: Mapping[str, Any]
    ) -> np.ndarray:
        env: dict[str, Any] = {dep: values[dep] for dep in self.deps}
        env.update(time_values(self.times, years, self.start))
        if self.across is not None:
            if tuple(float(y) for y in years) != self.grid:
                raise ProjectionError(
                    f"{self.name} uses {self.across}(), which runs over the scenario's projected "
                    f"years: it cannot be evaluated at other years ({_years_text(years)})"
                )
            env["__years__"] = years
        for cname, value in self.constants.items():
            env[cname] = drawn[cname][:, None] if cname in drawn else value
        magnitude = self.expression(env)
        if self.factor != 1.0:
            try:
                with np.errstate(over="raise", invalid="raise", under="ignore"):
                    magnitude = magnitude * self.factor
            except FloatingPointError as err:
                raise Unevaluable(str(err)) from None
        shape = magnitude.shape[:-1] + years.shape if magnitude.ndim > 1 else years.shape
        return np.broadcast_to(magnitude, shape).copy()


def _years_text(years: np.ndarray) -> str:
    shown = ", ".join(str(int(y)) for y in years[:6])
    return shown + (", ..." if len(years) > 6 else "")


def time_values(names: Iterable[str], years: np.ndarray, start: float) -> dict[str, np.ndarray]:
    """The magnitudes of the time names an expression uses, at ``years``: ``year`` the
    calendar year, ``elapsed`` the years since ``start`` (in yr)."""
    t = np.asarray(years, dtype=float)
    known = {"year": lambda: t, "elapsed": lambda: t - start}
    return {n: known[n]() for n in names}


def in_written_unit(domain: Domain, factor: float) -> Domain:
    """A domain in canonical units expressed in the written unit (``factor`` > 0)."""
    if factor == 1.0:
        return domain
    return Domain(domain.lower / factor, domain.upper / factor, domain.lower_inclusive)


def bound(
    out: np.ndarray, cap: float, *, clip: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Count members outside ``[0, cap]`` per year (above the cap beyond the tolerance, as a
    constraint ``x <= cap`` counts them) and, with ``clip``, clip the values to the range."""
    low = out < 0.0
    high = out > cap
    if not (low.any() or high.any()):  # the usual case: two passes, nothing else
        return out, None, None

    def counts(mask: np.ndarray) -> np.ndarray | None:
        if not mask.any():
            return None
        return mask.sum(axis=0) if mask.ndim > 1 else mask.astype(np.int64)

    hi, lo = counts(exceeds(out, cap)), counts(low)
    if clip:
        out = np.clip(out, 0.0, cap)
    return out, hi, lo


def year_index(years: np.ndarray, year: Any, scenario: Any = None) -> int:
    """Index of ``year`` in ``years``; a year not projected is refused, naming the grid."""
    y = int(year) if whole(year) else None
    i = int(np.searchsorted(years, y)) if y is not None else len(years)
    if i >= len(years) or int(years[i]) != y:
        step = int(years[1] - years[0]) if len(years) > 1 else 1
        name = f" of {scenario.name!r}" if scenario is not None else ""
        raise ProjectionError(
            f"{year!r} is not a projected year{name} ({int(years[0])}..{int(years[-1])} "
            f"step {step})"
        )
    return i


def whole(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and float(value).is_integer()
    except (TypeError, ValueError):
        return False
