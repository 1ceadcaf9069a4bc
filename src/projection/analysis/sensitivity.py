"""Which uncertain assumption of a scenario drives a result: Sobol' indices on the scenario.

:func:`sensitivity` applies the generic :func:`~projection.analysis.sobol.sobol` to a scenario:
the inputs are the parameters that carry a ``distribution`` (the compiled scenario's uncertain
inputs), the output is an indicator in one year, an indicator year by year, or whether a
target is met (0/1). The model is the compiled scenario itself
(:meth:`~projection.engine.compiled.CompiledScenario.evaluate`), evaluated once for the whole
Saltelli design, for the chosen indicator and what it depends on only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.compiled import CompiledScenario, compile_scenario
from ..engine.tolerance import holds
from ..exceptions import ProjectionError
from ..validation import parse_years
from .sobol import sobol
from .sobol_result import FRAME_COLUMNS, SobolResult, summary

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ..scenario import Scenario

__all__ = ["sensitivity", "SobolResult", "summary", "FRAME_COLUMNS", "RARE_EVENTS"]

#: A target met (or missed) in fewer evaluated parameter sets than this gets a note: the
#: indices of a rare event are imprecise.
RARE_EVENTS = 100


def sensitivity(
    scenario: Scenario | str | Path | dict,
    *,
    indicator: str | None = None,
    year: int | None = None,
    years: Iterable[int] | str | None = None,
    target: str | None = None,
    n: int = 1024,
    seed: int | np.random.Generator | None = None,
    confidence: float | None = 0.95,
    n_resamples: int = 200,
) -> SobolResult:
    """Which uncertain assumption of a scenario drives an indicator, or decides a target.

    Give exactly one of:

    * ``indicator`` and ``year``: the indicator's value in that year;
    * ``indicator`` and ``years``: its value in each of those years (an iterable of years,
      ``"2025:2040"`` for a range, or ``"2025,2030"``), one output per year;
    * ``target``: whether the target is met in its year (1) or not (0), so the indices say
      which assumption decides it.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        Anything :func:`projection.load_scenario` accepts.
    indicator : str, optional
    year : int, optional
    years : iterable of int or str, optional
    target : str, optional
        A target id of the scenario, e.g. ``"T1"``.
    n, seed, confidence, n_resamples
        As for :func:`sobol`; the engine is evaluated ``n * (d + 2)`` times for ``d``
        uncertain parameters, all at once.

    Returns
    -------
    SobolResult
        Inputs named by dotted path (``indicators.ev_sales_share.params.rate``), outputs
        labelled by year (``output_name="year"``), ``label`` naming the indicator and unit or
        the target. For a target, a note gives the share of evaluated parameter sets that meet
        it.

    Raises
    ------
    ProjectionError
        The selection is not exactly one of the three forms; an unknown indicator, year or
        target (the message lists the valid ones); no parameter has a ``distribution``.

    Notes
    -----
    Only parameters with a ``distribution`` are inputs; every other number keeps its point
    value. Draws are passed to the engine in each parameter's written unit
    (:meth:`~projection.engine.compiled.CompiledScenario.evaluate`). For a target the output is an indicator function:
    its total-order index is the share of the variance of "met or not" (``p (1 - p)``) that
    goes away once the parameter is known, interactions included.

    Examples
    --------
    >>> import numpy as np
    >>> import projection
    >>> from projection.analysis.sensitivity import sensitivity
    >>> s = projection.load_scenario({
    ...     "name": "demo",
    ...     "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"ev": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 2, "source": "assumption: example"},
    ...         "ceiling": {"value": 60, "source": "assumption: example",
    ...                     "distribution": {"type": "uniform", "lower": 50, "upper": 70}},
    ...         "rate": {"value": 0.7, "unit": "1/yr", "source": "assumption: example",
    ...                  "distribution": {"type": "uniform", "lower": 0.4, "upper": 1.0}}}}},
    ...     "targets": {"T1": {"indicator": "ev", "year": 2030, "at_least": "30 %",
    ...                        "source": "assumption: example"}},
    ... })
    >>> r = sensitivity(s, target="T1", n=256, seed=1)
    >>> r.ranked()["parameter"].tolist()
    ['indicators.ev.params.rate', 'indicators.ev.params.ceiling']
    >>> r = sensitivity(s, indicator="ev", years="2025:2027", n=256, seed=1)
    >>> r.outputs, bool(np.isnan(r.total_order[:, 0]).all())   # 2025 is the fixed start
    ((2025, 2026, 2027), True)
    """
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    scenario = compiled.scenario
    indicator, chosen, tgt = _selection(scenario, indicator, year, years, target)
    inputs = compiled.uncertain
    if not inputs:
        raise ProjectionError(
            f"{scenario.name}: no uncertain parameters: give a parameter a `distribution`"
        )
    paths = [u.path for u in inputs]
    columns = [compiled.column(y) for y in chosen]
    unit = compiled.units[indicator]
    met_share: list[float] = []

    if tgt is None:
        label = f"{indicator} [{unit}] ({scenario.name})"
    else:
        ctarget = compiled.targets[target]
        bound, required = ctarget.bound, ctarget.required
        op = ">=" if bound == "at_least" else "<="
        label = (
            f"{target} met ({indicator} {op} {required:.6g} {unit} in {tgt.year}; {scenario.name})"
        )

    def func(x: np.ndarray) -> np.ndarray:
        draws = {path: x[i] for i, path in enumerate(paths)}
        values = compiled.evaluate(draws, only=[indicator]).full(indicator)
        out = values[:, columns].T  # (s, m)
        if tgt is None:
            return out
        met = holds(out[0], bound, required).astype(float)
        met_share.append(float(met.mean()))
        return met

    result = sobol(
        func,
        [u.distribution for u in inputs],
        paths,
        n=n,
        seed=seed,
        confidence=confidence,
        n_resamples=n_resamples,
        outputs=chosen,
        label=label,
        output_name="year",
    )
    if tgt is not None:
        m = result.evaluations
        met = round(met_share[0] * m)
        notes = [
            f"{target} is met in {100 * met_share[0]:.1f} % of the {m} evaluated parameter sets"
        ]
        few = min(met, m - met)
        if 0 < few < RARE_EVENTS:
            verb = ("meet", "meets") if met < m - met else ("miss", "misses")
            notes.append(
                f"only {few} of them {verb[few == 1]} it: indices of so rare an event are "
                "imprecise (see the intervals); a larger n helps"
            )
        result = dataclasses.replace(result, notes=(*notes, *result.notes))
    return result


def _selection(
    scenario: Scenario,
    indicator: str | None,
    year: int | None,
    years: Iterable[int] | str | None,
    target: str | None,
) -> tuple[str, list[int], Any]:
    """Validate the choice of output: ``(indicator, years, target or None)``."""
    forms = "give exactly one of: indicator= with year=, indicator= with years=, or target="
    if target is not None:
        if indicator is not None or year is not None or years is not None:
            raise ProjectionError(f"target= takes no indicator, year or years ({forms})")
        if target not in scenario.targets:
            raise ProjectionError(
                f"unknown target {target!r} in {scenario.name!r} "
                f"({_choices(scenario.targets, 'the scenario has no targets')})"
            )
        tgt = scenario.targets[target]
        return tgt.indicator, [int(tgt.year)], tgt
    if indicator is None:
        raise ProjectionError(f"nothing to analyse ({forms})")
    if indicator not in scenario.indicators:
        raise ProjectionError(
            f"unknown indicator {indicator!r} in {scenario.name!r} "
            f"({_choices(scenario.indicators, 'none')})"
        )
    if (year is None) == (years is None):
        raise ProjectionError(
            f"indicator= needs either year= or years=, not {'both' if year is not None else 'neither'} "
            f"(e.g. years='{scenario.horizon.start}:{scenario.horizon.end}')"
        )
    chosen = parse_years([year] if year is not None else years)
    for y in chosen:
        if y not in scenario.years:
            raise ProjectionError(
                f"{y} is not a projected year of {scenario.name!r} (expected {_horizon(scenario)})"
            )
    return indicator, sorted({int(y) for y in chosen}), None


def _horizon(scenario: Scenario) -> str:
    h = scenario.horizon
    every = "" if h.step == 1 else f" every {h.step} years"
    return f"a year from {h.start} to {h.end}{every}"


def _choices(options: Iterable[str], empty: str) -> str:
    names = sorted(options)
    return f"expected one of: {', '.join(names)}" if names else empty
