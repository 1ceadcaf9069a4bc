"""The engine: evaluate every indicator of a scenario over its horizon.

:func:`run` resolves each indicator's parameters to numbers in the indicator's unit (once, at
validation), evaluates the indicators in dependency order (``derived`` ones after what they
use) and returns a :class:`~projection.result.Projection`.

Bounds
------
A share (a dimensionless unit such as ``%``) lies in [0, 100 %] and every other indicator here
(capacity, installed power, energy, traffic) is non-negative. Families that saturate respect
this by construction; a ``linear`` trajectory can leave the range. The engine then clips the
values to the range and records a note naming the indicator and the first year clipped, which
``projection run`` prints: the clip is visible, never silent.

A ``derived`` indicator is a computation on other indicators, so it is never clipped: a ratio
above 100 % (traffic above capacity, solar output above demand) means the inputs disagree,
and the engine records a note saying so instead of hiding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .constraints import Violation
from .exceptions import ScenarioError
from .models import DERIVED, get_family
from .result import Projection
from .scenario import Scenario, load_scenario
from .units import Quantity, conversion_factor, is_share

__all__ = ["run"]


def run(scenario: Scenario | str | Path | Mapping[str, Any]) -> Projection:
    """Project every indicator of a scenario over its horizon.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        A validated scenario, or anything :func:`~projection.load_scenario` accepts.

    Returns
    -------
    Projection
        Trajectories per indicator, in the indicator's unit.

    Examples
    --------
    >>> import projection
    >>> s = projection.load_scenario({
    ...     "name": "demo",
    ...     "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"solar": {"unit": "GW", "model": "linear", "params": {
    ...         "start": {"value": 39, "source": "paper, Analysis I, line 159"},
    ...         "slope": {"value": 16.5, "unit": "GW/yr", "source": "paper, Analysis I, line 159"}}}},
    ... })
    >>> p = projection.run(s)
    >>> float(p["solar"][2027])
    72.0
    """
    scenario = load_scenario(scenario)
    years = np.asarray(scenario.years, dtype=float)
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for name in scenario.order:
        ind = scenario.indicators[name]
        if ind.model == DERIVED:
            env = {
                dep: Quantity(values[dep], scenario.indicators[dep].unit)
                for dep in scenario.expression(name).names
                if dep in values
            }
            for pname, param in ind.params.items():
                magnitude, unit = param.quantity()
                env[pname] = Quantity(magnitude, unit or "")
            try:
                result = scenario.expression(name).evaluate(env)
            except ScenarioError as err:  # e.g. a division by zero in these values
                raise scenario.locate(err, f"indicators.{name}.expression") from None
            out = np.broadcast_to(
                np.asarray(result.to(ind.unit).magnitude, dtype=float), years.shape
            ).copy()
        else:
            family = get_family(ind.model)
            params = ind.resolved()
            base_year = ind.base_year if ind.base_year is not None else scenario.horizon.start
            kwargs: dict[str, Any] = {}
            if ind.model == "staged":
                kwargs["interpolation"] = ind.interpolation or "step"
            out = np.asarray(
                family.evaluate(years, base_year=base_year, **params, **kwargs), dtype=float
            )
        out, note = _bound(name, ind.unit, years, out, clip=ind.model != DERIVED)
        if note:
            notes.append(note)
        values[name] = out
    ordered = {name: values[name] for name in sorted(scenario.indicators)}
    violations = _violations(scenario, years, ordered)
    return Projection(
        scenario=scenario,
        years=years.astype(int),
        values=ordered,
        notes=notes,
        violations=violations,
    )


def _violations(
    scenario: Scenario, years: np.ndarray, values: dict[str, np.ndarray]
) -> list[Violation]:
    """Every declared constraint that fails in some year (see :mod:`projection.constraints`)."""
    found = []
    for cid, constraint in scenario.constraints.items():
        comparison = scenario.comparison(cid)
        env = {n: Quantity(values[n], scenario.indicators[n].unit) for n in comparison.names}
        lhs, rhs, margin, unit = comparison.margin(env)
        lhs, rhs, margin = (np.broadcast_to(a, years.shape) for a in (lhs, rhs, margin))
        bad = comparison.violated(lhs, rhs, margin)
        if bad.any():
            found.append(
                Violation(
                    constraint=cid,
                    expression=comparison.text,
                    years=years[bad].astype(int),
                    lhs=lhs[bad],
                    rhs=rhs[bad],
                    margin=margin[bad],
                    unit=unit,
                    source=" ".join(constraint.source.split()),
                )
            )
    return found


def _bound(
    name: str, unit: str, years: np.ndarray, out: np.ndarray, *, clip: bool
) -> tuple[np.ndarray, str | None]:
    """Clip (or, with ``clip=False``, only report) values outside [0, 100 %] or below 0."""
    upper = 1.0 / conversion_factor(unit, "") if is_share(unit) else np.inf
    low, high = out < 0.0, out > upper
    if not (low.any() or high.any()):
        return out, None
    parts = []
    for mask, what, bound in ((high, "above 100 %", "100 %"), (low, "below 0", "0")):
        if mask.any():
            hit = mask.any(axis=0) if mask.ndim > 1 else mask
            first = int(years[np.argmax(hit)])
            if clip:
                parts.append(f"{what} from {first}, clipped to {bound}")
            else:
                listed = ", ".join(str(int(y)) for y in years[hit])
                parts.append(
                    f"{what} in {listed} (a derived value: its inputs disagree there; not clipped)"
                )
    if not clip:
        return out, f"{name}: " + "; ".join(parts)
    return np.clip(out, 0.0, upper), f"{name}: trajectory " + "; ".join(parts)
