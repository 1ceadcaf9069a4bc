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
from typing import TYPE_CHECKING, Any

import numpy as np

from .constraints import Violation
from .exceptions import ExpressionError, ParameterError, ScenarioError
from .models import DERIVED, get_family
from .result import Projection
from .sampling import Uncertain, uncertain_parameters
from .scenario import Scenario, load_scenario
from .units import Quantity, conversion_factor, is_share

if TYPE_CHECKING:  # pragma: no cover
    from .ensemble import Ensemble

__all__ = ["run", "evaluate"]


def run(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    samples: int | None = None,
    sampler: str = "lhs",
    seed: int | None = None,
    quantiles: tuple[float, ...] | list[float] = (0.05, 0.5, 0.95),
    keep_samples: bool = False,
    chunk_size: int | None = None,
    workers: int | None = 1,
    client: Any = None,
    progress: Any = None,
) -> Projection | Ensemble:
    """Project every indicator of a scenario over its horizon.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        A validated scenario, or anything :func:`~projection.load_scenario` accepts.
    samples : int, optional
        Run an ensemble of this many members drawn from the parameters' distributions
        (see :func:`projection.ensemble.run_ensemble`); the other keywords apply to it.
    sampler : {"lhs", "sobol", "mc"}
    seed : int, optional
    quantiles : sequence of float
    keep_samples : bool
    chunk_size : int, optional
    workers : int or None
        Local processes for an ensemble (None: all cores). Results do not depend on it.
    client : dask.distributed.Client, optional
        Run an ensemble's blocks on this cluster; results identical to a local run.
    progress : callable, optional
        ``progress(members_done, n)``, called as an ensemble's blocks finish.

    Returns
    -------
    Projection or Ensemble
        Without ``samples``: trajectories per indicator, in the indicator's unit, from the
        point values. With ``samples``: an :class:`~projection.ensemble.Ensemble`.

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
    if samples is not None:
        from .ensemble import DEFAULT_CHUNK, run_ensemble

        return run_ensemble(
            scenario,
            samples,
            sampler=sampler,
            seed=seed,
            quantiles=quantiles,
            keep_samples=keep_samples,
            chunk_size=chunk_size or DEFAULT_CHUNK,
            workers=workers,
            client=client,
            progress=progress,
        )
    years = np.asarray(scenario.years, dtype=float)
    values, notes = _evaluate(scenario, years, {})
    ordered = {name: values[name] for name in sorted(scenario.indicators)}
    violations = _violations(scenario, years, ordered)
    return Projection(
        scenario=scenario,
        years=years.astype(int),
        values=ordered,
        notes=notes,
        violations=violations,
    )


def evaluate(scenario: Scenario, draws: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every indicator of ``scenario`` for ``m`` sets of its uncertain inputs, at once.

    Parameters
    ----------
    scenario : Scenario
    draws : mapping of str to ndarray of shape (m,)
        Values of uncertain inputs (see :func:`projection.sampling.uncertain_parameters`),
        keyed by dotted path and **in each parameter's written unit**. Inputs not given keep
        their point value.

    Returns
    -------
    dict of str to ndarray of shape (m, T)
        Each indicator in its unit, for the ``T`` projected years (broadcast, read-only, where
        an indicator does not depend on the draws).
    """
    years = np.asarray(scenario.years, dtype=float)
    values, _ = _evaluate(scenario, years, draws)
    m = len(next(iter(draws.values()))) if draws else 1
    return {k: np.broadcast_to(v, (m, len(years))) for k, v in values.items()}


def _evaluate(
    scenario: Scenario, years: np.ndarray, draws: Mapping[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Evaluate every indicator in dependency order; ``draws`` replace uncertain inputs.

    Without draws every trajectory has shape (T,); with draws of length m, those that depend
    on them have shape (m, T). Parameters are vectorised: no loop over ensemble members.
    """
    by_indicator: dict[str, list[Uncertain]] = {}
    if draws:
        known = {u.path: u for u in uncertain_parameters(scenario)}
        for path in draws:
            if path not in known:
                raise ScenarioError(
                    f"{path!r} is not an uncertain input of {scenario.name!r} "
                    f"(uncertain: {', '.join(known) or 'none'})"
                )
            by_indicator.setdefault(known[path].indicator, []).append(known[path])
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for name in scenario.order:
        ind = scenario.indicators[name]
        drawn = {
            u.key: np.asarray(draws[u.path], dtype=float) * u.factor
            for u in by_indicator.get(name, [])
        }
        if ind.model == DERIVED:
            env = {
                dep: Quantity(values[dep], scenario.indicators[dep].unit)
                for dep in scenario.expression(name).names
                if dep in values
            }
            for pname, param in ind.params.items():
                magnitude, unit = param.quantity()
                value = drawn[pname][:, None] if pname in drawn else magnitude
                env[pname] = Quantity(value, unit or "")
            try:
                result = scenario.expression(name).evaluate(env)
            except ScenarioError as err:  # e.g. a division by zero in these values
                raise scenario.locate(err, f"indicators.{name}.expression") from None
            with np.errstate(all="ignore"):  # e.g. 1e307 GW/MW in ppm overflows
                magnitude = np.asarray(result.to(ind.unit).magnitude, dtype=float)
            if not np.isfinite(magnitude).all():
                raise scenario.locate(
                    ExpressionError(
                        f"the value of {scenario.expression(name).text!r} is too large to "
                        f"express in {ind.unit or 'dimensionless'!r} (not finite; check the "
                        "magnitudes of its inputs)"
                    ),
                    f"indicators.{name}.expression",
                )
            shape = magnitude.shape[:-1] + years.shape if magnitude.ndim > 1 else years.shape
            out = np.broadcast_to(magnitude, shape).copy()
        else:
            family = get_family(ind.model)
            params: dict[str, Any] = dict(ind.resolved())
            for key, value in drawn.items():
                if isinstance(key, tuple):  # a milestone's value or year
                    field, i = key
                    column = np.array(params[field], dtype=float)
                    table = (
                        np.repeat(column[None, :], len(value), axis=0)
                        if column.ndim == 1
                        else column
                    )
                    table[:, i] = value
                    params[field] = table
                else:
                    params[key] = value
            if "milestone_years" in params and np.ndim(params["milestone_years"]) == 2:
                values_ = np.asarray(params["milestone_values"], dtype=float)
                params["milestone_values"] = np.broadcast_to(
                    values_, params["milestone_years"].shape
                )
            base_year = ind.base_year if ind.base_year is not None else scenario.horizon.start
            kwargs: dict[str, Any] = {}
            if ind.model == "staged":
                kwargs["interpolation"] = ind.interpolation or "step"
            try:
                out = np.asarray(
                    family.evaluate(years, base_year=base_year, **params, **kwargs), dtype=float
                )
            except ParameterError as err:  # a combination of draws outside the family's domain
                raise scenario.locate(
                    ScenarioError(f"an ensemble member is invalid: {err}"),
                    f"indicators.{name}.params",
                ) from None
        out, note = _bound(name, ind.unit, years, out, clip=ind.model != DERIVED)
        if note:
            notes.append(note)
        values[name] = out
    return values, notes


def _violations(
    scenario: Scenario, years: np.ndarray, values: dict[str, np.ndarray]
) -> list[Violation]:
    """Every declared constraint that fails in some year (see :mod:`projection.constraints`)."""
    found = []
    for cid, constraint in scenario.constraints.items():
        comparison = scenario.comparison(cid)
        env = {n: Quantity(values[n], scenario.indicators[n].unit) for n in comparison.names}
        try:
            lhs, rhs, margin, unit = comparison.margin(env)
        except ScenarioError as err:  # e.g. a side that overflows in these values
            raise scenario.locate(err, f"constraints.{cid}.expression") from None
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
            who = f" in {mask.any(axis=1).mean():.0%} of members" if mask.ndim > 1 else ""
            if clip:
                parts.append(f"{what}{who} from {first}, clipped to {bound}")
            else:
                listed = ", ".join(str(int(y)) for y in years[hit])
                parts.append(
                    f"{what}{who} in {listed} (a derived value: its inputs disagree there; "
                    "not clipped)"
                )
    if not clip:
        return out, f"{name}: " + "; ".join(parts)
    return np.clip(out, 0.0, upper), f"{name}: trajectory " + "; ".join(parts)
