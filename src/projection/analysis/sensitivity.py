"""Which uncertain assumption of a scenario drives a result: Sobol' indices on the scenario.

:func:`sensitivity` applies the generic :func:`~projection.analysis.sobol.sobol` to a scenario:
the inputs are the parameters that carry a ``distribution`` (the compiled scenario's uncertain
inputs), the outputs are an indicator in one year, an indicator year by year, whether a
target is met (0/1), or whether each of several targets (by default every target) is met.
One Saltelli design serves every output: the model is the compiled scenario itself
(:meth:`~projection.engine.compiled.CompiledScenario.evaluate`), evaluated in one pass over
the whole design, for the indicators the outputs need and what they depend on only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.compiled import CompiledScenario, compile_scenario
from ..exceptions import ProjectionError
from ..validation import parse_years
from .sobol import sobol
from .sobol_result import FRAME_COLUMNS, SobolResult, summary

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ..scenario import Scenario

__all__ = [
    "sensitivity",
    "select_outputs",
    "independent_inputs",
    "output_values",
    "SobolResult",
    "summary",
    "FRAME_COLUMNS",
    "RARE_EVENTS",
]

#: A target met (or missed) in fewer evaluated parameter sets than this gets a note: the
#: indices of a rare event are imprecise.
RARE_EVENTS = 100


def sensitivity(
    scenario: Scenario | str | Path | dict,
    *,
    indicator: str | None = None,
    year: int | None = None,
    years: Iterable[int] | str | None = None,
    target: str | Sequence[str] | None = None,
    n: int = 1024,
    seed: int | np.random.Generator | None = None,
    confidence: float | None = 0.95,
    interval: str = "asymptotic",
    n_resamples: int = 200,
) -> SobolResult:
    """Which uncertain assumption of a scenario drives an indicator, or decides its targets.

    Give at most one of:

    * ``indicator`` and ``year``: the indicator's value in that year;
    * ``indicator`` and ``years``: its value in each of those years (an iterable of years,
      ``"2025:2040"`` for a range, or ``"2025,2030"``), one output per year;
    * ``target``: whether the target is met in its year (1) or not (0), so the indices say
      which assumption decides it; a list of target ids: one output per target;
    * nothing: every target of the scenario, one output per target (the whole answer in one
      pass).

    Parameters
    ----------
    scenario : Scenario, path or mapping
        Anything :func:`projection.load_scenario` accepts.
    indicator : str, optional
    year : int, optional
    years : iterable of int or str, optional
    target : str or sequence of str, optional
        A target id of the scenario, e.g. ``"T1"``, or several, e.g. ``["T1", "T2a"]``.
    n, seed, confidence, interval, n_resamples
        As for :func:`~projection.analysis.sobol.sobol`: the engine is evaluated
        ``n * (d + 2)`` times for ``d`` uncertain parameters, all at once, whatever the number
        of outputs; the intervals are asymptotic (delta method) unless ``interval="bca"``.

    Returns
    -------
    SobolResult
        Inputs named by dotted path (``indicators.ev_sales_share.params.rate``), outputs
        labelled by year (``output_name="year"``) or, for several targets, by target id
        (``output_name="target"``); ``label`` naming the indicator and unit or the target.
        For targets, a note gives the share of evaluated parameter sets that meet each.

    Raises
    ------
    ProjectionError
        The selection is not one of the forms; an unknown indicator, year or target (the
        message lists the valid ones); nothing selected and the scenario has no targets; no
        parameter has a ``distribution``.

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
    >>> sensitivity(s, n=256, seed=1).outputs   # every target, one design
    ('T1',)
    """
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    scenario = compiled.scenario
    indicator, chosen, ids = select_outputs(scenario, indicator, year, years, target)
    inputs = independent_inputs(compiled, "Sobol' indices")
    paths = [u.path for u in inputs]
    met_share: list[np.ndarray] = []
    columns = [compiled.column(y) for y in chosen]
    targets = None if ids is None else [compiled.targets[t] for t in ids]

    if targets is None:  # an indicator, in one or several years
        outputs: list[Any] = chosen
        output_name = "year"
        label = f"{indicator} [{compiled.units[indicator]}] ({scenario.name})"
    else:
        if isinstance(target, str):
            one = targets[0]
            outputs, output_name = [int(one.year)], "year"
            label = (
                f"{one.id} met ({one.indicator} {one.requirement} in {one.year}; {scenario.name})"
            )
        else:
            outputs, output_name = list(ids), "target"
            label = f"whether each target is met ({scenario.name})"

    def func(x: np.ndarray) -> np.ndarray:
        draws = {path: x[i] for i, path in enumerate(paths)}
        values = output_values(compiled, draws, indicator, columns, targets).T  # (s, m)
        if targets is not None:
            met_share.append(values.mean(axis=1))
        return values

    result = sobol(
        func,
        [u.distribution for u in inputs],
        paths,
        n=n,
        seed=seed,
        confidence=confidence,
        interval=interval,
        n_resamples=n_resamples,
        outputs=outputs,
        label=label,
        output_name=output_name,
    )
    if ids is not None:
        m = result.evaluations
        notes = []
        for tid, share in zip(ids, met_share[0]):
            met = round(share * m)
            notes.append(f"{tid} is met in {100 * share:.1f} % of the {m} evaluated parameter sets")
            few = min(met, m - met)
            what = "it" if len(ids) == 1 else tid
            if 0 < few < RARE_EVENTS:
                verb = ("meet", "meets") if met < m - met else ("miss", "misses")
                notes.append(
                    f"only {few} of them {verb[few == 1]} {what}: indices of so rare an event "
                    "are imprecise (see the intervals); a larger n helps"
                )
        result = dataclasses.replace(result, notes=(*notes, *result.notes))
    return result


def independent_inputs(compiled: CompiledScenario, method: str) -> tuple[Any, ...]:
    """The scenario's uncertain inputs, refused when there are none or when the scenario
    correlates some (``method``, e.g. "Sobol' indices", assumes independent inputs)."""
    scenario = compiled.scenario
    if not compiled.uncertain:
        raise ProjectionError(
            f"{scenario.name}: no uncertain parameters: give a parameter a `distribution`"
        )
    if scenario.correlations is not None:
        raise ProjectionError(
            f"{scenario.name}: {method} assume independent inputs, and this scenario "
            f"correlates {', '.join(scenario.correlations.parameters)} (its `correlations`): "
            "remove that section for an analysis of the marginals"
        )
    return compiled.uncertain


def output_values(
    compiled: CompiledScenario,
    draws: dict[str, np.ndarray],
    indicator: str | None,
    columns: Sequence[int],
    targets: Sequence[Any] | None,
) -> np.ndarray:
    """The outputs of ``m`` parameter sets, shape (m, outputs): the indicator in the
    ``columns`` years, or with ``targets`` whether each is met (1.0) or not (0.0)."""
    if targets is None:
        return compiled.evaluate(draws, only=[indicator]).full(indicator)[:, columns]
    ev = compiled.evaluate(draws, only=list(dict.fromkeys(t.indicator for t in targets)))
    return np.stack([t.holds(ev.full(t.indicator)[:, t.column]) for t in targets], axis=1).astype(
        float
    )


def select_outputs(
    scenario: Scenario,
    indicator: str | None,
    year: int | None,
    years: Iterable[int] | str | None,
    target: str | Sequence[str] | None,
) -> tuple[str | None, list[int], list[str] | None]:
    """Validate the choice of outputs: ``(indicator, years, None)`` or ``(None, [], ids)``."""
    forms = (
        "give at most one of: indicator= with year=, indicator= with years=, or target= "
        "(nothing: every target)"
    )
    if target is not None:
        if indicator is not None or year is not None or years is not None:
            raise ProjectionError(f"target= takes no indicator, year or years ({forms})")
        ids = [target] if isinstance(target, str) else list(target)
        if not ids:
            raise ProjectionError("target= is empty: give a target id, or several")
        for t in ids:
            if t not in scenario.targets:
                raise ProjectionError(
                    f"unknown target {t!r} in {scenario.name!r} "
                    f"({_choices(scenario.targets, 'the scenario has no targets')})"
                )
        if len(set(ids)) != len(ids):
            raise ProjectionError(f"target= names a target twice ({', '.join(map(str, ids))})")
        return None, [], ids
    if indicator is None and year is None and years is None:
        if not scenario.targets:
            raise ProjectionError(f"nothing to analyse: {scenario.name!r} has no targets ({forms})")
        return None, [], list(scenario.targets)
    if indicator is None:
        raise ProjectionError(f"year= and years= need indicator= ({forms})")
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
