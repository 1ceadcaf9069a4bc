"""What would it take? The parameter value at which a target is met exactly.

:func:`solve` varies one parameter of a scenario (a growth parameter such as
``indicators.ev_sales_share.params.rate``, or a milestone value) and finds the value at which a
target's projected value equals the required one, with a bracketing root search
(:func:`scipy.optimize.brentq`).

The bracket
-----------
``bounds`` when given; else the parameter's declared domain (for ``rate`` of a logistic
``[-100, 100]`` 1/yr; for a share ``[0, 100 %]``); where the domain is open, a default of 0 to
ten times the current value (at least 1). An end that makes the scenario invalid (a ``start``
above the ``ceiling``, say) is moved towards the current value until it is valid. The bracket
is scanned on a grid of :data:`GRID` points first, evaluated in one call of the compiled
scenario, so a trajectory that is not monotone in the parameter still gives a root where the
target changes from missed to met.

Every candidate value is evaluated by the compiled scenario
(:meth:`~projection.engine.compiled.CompiledScenario.evaluate`), for the target's indicator
and what it depends on only: nothing is loaded or validated again.

Tolerance
---------
At the solved value the projected value equals the required one within a relative
:data:`SOLVE_RTOL` (1e-6), and the target's status is ``met``.

A range target (``at_least`` and ``at_most`` both written) is solved for the edge its current
projection lies beyond: the upper one when it projects above the range, else the lower one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.compiled import CompiledScenario, Input, compile_scenario
from ..engine.nodes import BETWEEN
from ..engine.tolerance import holds
from ..exceptions import ProjectionError, ScenarioError
from ..scenario import Scenario

__all__ = ["solve", "Solution", "SOLVE_RTOL", "GRID"]

#: Relative tolerance on the projected value at the solved parameter value.
SOLVE_RTOL = 1e-6
#: Points of the grid scanned for a sign change before the root search.
GRID = 17


@dataclass(frozen=True)
class Solution:
    """The result of :func:`solve`.

    Attributes
    ----------
    found : bool
        Whether a value within ``bounds`` meets the target exactly.
    value : float or None
        The solved value, in ``unit`` (None when not found).
    unit : str
        Unit of the parameter as written in the scenario (e.g. ``1/yr``, ``%``, ``Gbps``).
    current : float
        The parameter's value in the scenario, in ``unit``.
    bounds : (float, float)
        The bracket searched, in ``unit``.
    required, achieved : float
        The target's required value and the projected value at ``value`` (or, when not found,
        at the bound that comes closest), in ``target_unit``.
    message : str
        One sentence saying what was found.
    """

    target: str
    param: str
    found: bool
    value: float | None
    unit: str
    current: float
    bounds: tuple[float, float]
    required: float
    achieved: float
    target_unit: str
    message: str
    scenario: Scenario | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for JSON)."""
        return {k: v for k, v in self.__dict__.items() if k != "scenario"}

    def details(self) -> list[str]:
        """What supports :attr:`message`, one line each (none when nothing was found)."""
        if not self.found:
            return []
        lo, hi = self.bounds
        return [
            f"{self.target}: required {self.required:.6g} {self.target_unit}, projected "
            f"{self.achieved:.6g} {self.target_unit} at the solved value; searched "
            f"[{lo:.6g}, {hi:.6g}] {self.unit}".rstrip()
        ]


def solve(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    target: str,
    param: str,
    bounds: tuple[float, float] | None = None,
) -> Solution:
    """Find the value of ``param`` at which ``target`` is met exactly.

    Parameters
    ----------
    scenario : Scenario, path or mapping
    target : str
        Target id, e.g. ``"T1"``.
    param : str
        Dotted path of a parameter (``indicators.NAME.params.PARAM``) or of a milestone value
        (``indicators.NAME.milestones.I.value``).
    bounds : (float, float), optional
        Bracket to search, in the parameter's unit as written in the scenario.

    Returns
    -------
    Solution
        ``found`` is False, with a message saying why, when no value in the bracket meets the
        target (or every value does, so nothing needs solving).

    Raises
    ------
    ScenarioError
        Unknown target or parameter path.

    Examples
    --------
    >>> import projection
    >>> sol = projection.solve("scenarios/baseline.yaml", target="T1",
    ...                        param="indicators.ev_sales_share.params.rate")
    >>> round(sol.value, 4), sol.unit
    (0.6735, '1/yr')
    """
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    s = compiled.scenario
    if target not in compiled.targets:
        raise ScenarioError(
            f"unknown target {target!r} (targets: {', '.join(s.targets) or 'none'})", path="targets"
        )
    t = compiled.targets[target]
    if t.bound == BETWEEN:  # a range: solve for the edge the projection lies beyond (or the lower)
        now = compiled.evaluate({}, only=[t.indicator]).full(t.indicator)[0, t.column]
        t = t.one_sided("at_most" if now > t.upper else "at_least")
    inp = _parameter(compiled, param)
    path, current, unit = inp.path, inp.value, inp.unit
    lo, hi = _bracket(compiled, inp)
    if bounds is not None:
        lo, hi = float(bounds[0]), float(bounds[1])
        if not lo < hi:
            raise ProjectionError(f"bounds must be increasing (got {lo}, {hi})")
    target_unit = t.unit
    required = t.required
    bound = t.bound
    sign = 1.0 if bound == "at_least" else -1.0

    def projected_many(xs: np.ndarray) -> np.ndarray:
        """The target's projected value for each candidate value (NaN where the scenario
        cannot take it)."""
        try:
            ev = compiled.evaluate({path: xs}, only=[t.indicator])
        except ProjectionError:  # some candidates are invalid: find which, one by one
            return np.array([projected(x) for x in xs])
        return np.array(ev.full(t.indicator)[:, t.column], dtype=float)

    def projected(x: float) -> float:
        """The target's projected value with the parameter at ``x`` (NaN where the scenario
        is invalid or cannot be run there, e.g. a capacity of 0 under a ratio)."""
        try:
            ev = compiled.evaluate({path: [float(x)]}, only=[t.indicator])
        except ProjectionError:
            return float("nan")
        return float(ev.full(t.indicator)[0, t.column])

    lo = _valid_end(lambda x: np.isfinite(projected(x)), lo, current)
    hi = _valid_end(lambda x: np.isfinite(projected(x)), hi, current)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, GRID), [current]]))
    grid = grid[(grid >= lo) & (grid <= hi)]
    values = projected_many(grid)
    grid, values = grid[np.isfinite(values)], values[np.isfinite(values)]
    margins = sign * (values - required)
    met = holds(values, bound, required)
    where = f"{param} in [{lo:.6g}, {hi:.6g}] {unit}".rstrip()
    common = dict(
        target=target,
        param=param,
        unit=unit,
        current=current,
        bounds=(float(lo), float(hi)),
        required=required,
        target_unit=target_unit,
    )

    def not_found(achieved: float, message: str) -> Solution:
        return Solution(found=False, value=None, achieved=achieved, message=message, **common)

    if met.all() and (margins > 0).all():
        best = float(grid[np.argmin(margins)])
        return not_found(
            projected(best), f"{target} is met for every {where}: this parameter does not decide it"
        )
    if np.ptp(values) == 0:
        return not_found(
            float(values[0]),
            f"{target} does not depend on {param}: it projects {values[0]:.6g} {target_unit} "
            f"against {required:.6g} for every value in [{lo:.6g}, {hi:.6g}] {unit}".rstrip(),
        )
    if not met.any():
        i = int(np.argmax(margins))
        return not_found(
            projected(grid[i]),
            f"no value of {where} meets {target}: the closest, at {grid[i]:.6g}, projects "
            f"{projected(grid[i]):.6g} {target_unit} against the required {required:.6g} "
            f"{target_unit}".rstrip(),
        )
    change = np.flatnonzero(np.sign(margins[:-1]) != np.sign(margins[1:]))
    if change.size == 0:  # met on the grid with zero margin: that grid point is the answer
        x = float(grid[np.flatnonzero(met)[0]])
    else:
        a, b = float(grid[change[0]]), float(grid[change[0] + 1])
        from scipy.optimize import brentq

        x = brentq(lambda v: sign * (projected(v) - required), a, b, xtol=1e-14, rtol=1e-13)
        x = _met_side(
            lambda v: bool(holds(np.array([projected(v)]), bound, required)[0]),
            x,
            a if margins[change[0]] >= 0 else b,
        )
    return Solution(
        found=True,
        value=float(x),
        achieved=projected(x),
        message=f"{target} is met exactly at {param} = {x:.6g} {unit} "
        f"(now {current:.6g} {unit})".replace("  ", " "),
        scenario=s.with_overrides({path: float(x)}),
        **common,
    )


def _met_side(is_met, x: float, good: float) -> float:
    """``x`` if the target is met there, else the nearest point towards ``good`` (where it is
    met) found by bisection: the root search may land a rounding error on the wrong side."""
    if is_met(x):
        return x
    bad = x
    for _ in range(200):
        mid = 0.5 * (bad + good)
        if mid in (bad, good):
            break
        if is_met(mid):
            good = mid
        else:
            bad = mid
    return good


def _parameter(compiled: CompiledScenario, param: str) -> Input:
    """The input ``param`` names, if it is one that can be solved for."""
    parts = param.split(".")
    is_param = len(parts) >= 4 and parts[0] == "indicators" and parts[2] == "params"
    is_value = (
        len(parts) == 5
        and parts[0] == "indicators"
        and parts[2] == "milestones"
        and parts[4] == "value"
    )
    if not (is_param or is_value):
        raise ScenarioError(
            f"cannot solve for {param!r}: expected indicators.NAME.params.PARAM or "
            "indicators.NAME.milestones.I.value (years are discrete: try them with --set)",
            path=param,
        )
    path = ".".join(parts[:4]) if is_param else param
    if path not in compiled.inputs:
        what = "parameter" if is_param else "milestone"
        raise ScenarioError(f"no {what} {param!r} in scenario {compiled.name!r}", path=param)
    return compiled.inputs[path]


def _bracket(compiled: CompiledScenario, inp: Input) -> tuple[float, float]:
    """The default bracket: the input's own domain (in its written unit); where that is
    open, 0 (or below a negative value) to ten times the current value, at least 1."""
    domain = inp.domain
    lo = domain.lower if math.isfinite(domain.lower) else None
    hi = domain.upper if math.isfinite(domain.upper) else None
    if lo is None:
        lo = 0.0 if inp.value >= 0 else inp.value * 10 - 1
    if hi is None:
        hi = max(10.0 * abs(inp.value), 1.0)
    return float(lo), float(hi)


def _valid_end(is_valid, end: float, current: float) -> float:
    """``end`` if the scenario is valid there, else the valid point nearest to it on the way to
    ``current`` (which is valid), found by bisection."""
    if is_valid(end):
        return float(end)
    bad, good = float(end), float(current)
    for _ in range(60):
        mid = 0.5 * (bad + good)
        if mid in (bad, good):
            break
        if is_valid(mid):
            good = mid
        else:
            bad = mid
    return good
