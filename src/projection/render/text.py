"""Results as display text: the cells of every table the terminal and the report show.

The command line (:mod:`projection.cli`) prints these with rich; the HTML report
(:mod:`projection.render.report`) puts the same text in its tables. So a value, a status, a
probability or a year reads the same in both, and neither decides how on its own.

Examples
--------
>>> import projection
>>> from projection.render.text import target_cells
>>> frame = projection.run("scenarios/baseline.yaml").targets()
>>> cells = target_cells(frame.iloc[0])
>>> cells["required"], cells["projected"], cells["status"], cells["gap"]
('>= 30 %', '9.935 %', 'missed', '-20.07 %')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..text import count, format_probability, format_value, printable

__all__ = [
    "TARGET_HEADINGS",
    "ensemble_label",
    "difference_text",
    "indicator_rows",
    "names",
    "run_label",
    "scenario_title",
    "sources_lines",
    "target_cells",
    "target_keys",
    "validation_line",
    "year_text",
]

#: Column headings of the target tables, by the keys of :func:`target_cells`.
TARGET_HEADINGS = {
    "target": "target",
    "indicator": "indicator",
    "year": "year",
    "required": "required",
    "projected": "projected",
    "status": "status",
    "first_reached": "first reached",
    "gap": "gap",
    "gap_relative": "gap %",
    "probability": "P(met)",
    "first_reached_members": "first reached [90 %]",
}


def scenario_title(scenario: Any) -> str:
    """``name: the first line of its description`` (printable: no control characters)."""
    desc = scenario.description.strip().splitlines()[0] if scenario.description.strip() else ""
    return printable(scenario.name) + (f": {printable(desc)}" if desc else "")


def run_label(result: Any) -> str:
    """What kind of run: ``point projection`` or ``ensemble of 1,000 (lhs, seed 1)``."""
    if not result.samples:
        return "point projection"
    return f"ensemble of {result.samples:,} ({result.sampler}, seed {result.seed})"


def ensemble_label(result: Any) -> str:
    """``ensemble: 1,000 members, lhs sampler, seed 1`` (empty for a point projection)."""
    if not result.samples:
        return ""
    return f"ensemble: {result.samples:,} members, {result.sampler} sampler, seed {result.seed}"


def year_text(value: Any) -> str:
    """A year, or ``never`` for a missing one (not reached within the horizon)."""
    try:
        import pandas as pd

        if pd.isna(value):
            return "never"
    except (TypeError, ValueError):
        pass
    return "never" if value is None else str(int(value))


def target_keys(frame: Any, *, with_gap: bool = True) -> list[str]:
    """The columns a targets table shows, by the keys of :data:`TARGET_HEADINGS`: for an
    ensemble's rows (a ``probability`` column) P(met) and the members' first year instead of
    the median's first year; the gaps with ``with_gap``."""
    ensemble = "probability" in frame.columns
    keys = ["target", "indicator", "year", "required", "projected", "status"]
    keys += [] if ensemble else ["first_reached"]
    keys += ["gap", "gap_relative"] if with_gap else []
    keys += ["probability", "first_reached_members"] if ensemble else []
    return keys


def _required(get: Any, unit: str, ge: str, le: str) -> str:
    """``>= 30 %``, ``<= 100 %``, or a range target's ``10 % to 15 %``."""
    bound = get("bound")
    if bound == "between":
        upper = float(get("required_upper"))
        return f"{format_value(float(get('required')), unit)} to {format_value(upper, unit)}"
    return f"{ge if bound == 'at_least' else le} " + format_value(float(get("required")), unit)


def target_cells(row: Any, *, ge: str = ">=", le: str = "<=") -> dict[str, str]:
    """The display text of one row of :func:`projection.evaluate_targets`, by the keys of
    :data:`TARGET_HEADINGS` (the ensemble keys only for an ensemble's row)."""
    get = row.get if isinstance(row, Mapping) else row.__getitem__
    unit = get("unit")
    gap = float(get("gap"))
    rel = get("gap_relative")
    cells = {
        "target": printable(get("target")),
        "indicator": get("indicator"),
        "year": str(int(get("year"))),
        "required": _required(get, unit, ge, le),
        "projected": format_value(float(get("projected")), unit),
        "status": get("status"),
        "first_reached": year_text(get("first_year")),
        "gap": f"{'+' if gap >= 0 else '-'}{format_value(abs(gap), unit)}",
        "gap_relative": "" if rel is None or np.isnan(float(rel)) else f"{float(rel):+.1%}",
    }
    try:
        probability = get("probability")
    except KeyError:
        probability = None
    if probability is not None and not (isinstance(probability, float) and np.isnan(probability)):
        cells["probability"] = format_probability(
            float(probability), float(get("probability_se")), int(get("samples"))
        )
        cells["first_reached_members"] = (
            f"{year_text(get('first_year_median'))} [{year_text(get('first_year_p05'))}, "
            f"{year_text(get('first_year_p95'))}]"
        )
    return cells


def indicator_rows(
    result: Any, years: Iterable[int] | None = None, indicators: Iterable[str] | None = None
) -> tuple[list[str], list[list[str]], list[int]]:
    """The indicators of a result at ``years`` as text: ``(headings, rows, section ends)``.

    A point projection gives one row per indicator (``indicator, model, year...``); an
    ensemble one row per indicator and quantile (``indicator, quantile, year...``), the
    indicator named on its first row; ``section ends`` are the rows that end an indicator's
    block. Years off the grid are refused (:meth:`~projection.engine.Result.table`). With
    ``indicators``, only those (the ones ``result`` has), in the table's order.
    """
    frame = result.table(years)
    if indicators is not None:
        keep = set(indicators)
        names = frame.index.get_level_values(0) if frame.index.nlevels > 1 else frame.index
        frame = frame[[n in keep for n in names]]
    years_shown = [c for c in frame.columns if c != "unit"]
    models = {name: ind.model for name, ind in result.scenario.indicators.items()}
    quantiles = result.quantiles
    head = ["indicator", "quantile" if quantiles else "model", *(str(y) for y in years_shown)]
    rows: list[list[str]] = []
    ends: list[int] = []
    previous = None
    for key, row in frame.iterrows():
        name, q = (key if quantiles else (key, None)) if isinstance(key, tuple) else (key, None)
        label = name if name != previous else ""
        second = f"{q:g}" if quantiles else models[name]
        cells = [format_value(float(row[y]), row["unit"]) for y in years_shown]
        rows.append([label, second, *cells])
        if quantiles and q == quantiles[-1]:
            ends.append(len(rows) - 1)
        previous = name
    return head, rows, ends


def sources_lines(frame: Any) -> list[str]:
    """``T1: paper, Analysis I, line 155``, one per target of a targets frame."""
    return [f"{printable(r.target)}: {printable(r.source)}" for r in frame.itertuples(index=False)]


def names(items: Sequence[Any]) -> str:
    """Scenario names, comma separated, printable."""
    return ", ".join(printable(getattr(i, "name", i)) for i in items)


def difference_text(value: float, difference: Any) -> str:
    """`` (+1.5)`` after a compared value, `` (±0)`` below the precision shown, ``""`` for
    none."""
    if difference is None or np.isnan(float(difference)):
        return ""
    d = float(difference)
    if abs(d) < 5e-4 * max(abs(value), abs(value - d)):
        return " (±0)"
    return f" ({'+' if d >= 0 else '-'}{format_value(abs(d), '')})"


def validation_line(scenario: Any) -> str:
    """``ok: FILE: scenario 'x', 19 indicators, 7 targets; 39 numbers: 15 paper, 23 assumption,
    1 definition``: what a valid scenario holds, its numbers counted by kind of source.

    Examples
    --------
    >>> import projection
    >>> validation_line(projection.load_scenario("scenarios/baseline.yaml"))
    "ok: scenarios/baseline.yaml: scenario 'baseline', 19 indicators, 7 targets; 39 numbers: 15 paper, 23 assumption, 1 definition"
    """
    from ..scenario import source_counts

    counts = source_counts(scenario)
    total = sum(counts.values())
    kinds = ", ".join(f"{k} {kind}" for kind, k in counts.items())
    return (
        f"ok: {printable(scenario.file or scenario.name)}: scenario {printable(scenario.name)!r}, "
        f"{count(len(scenario.indicators), 'indicator')}, {count(len(scenario.targets), 'target')}; "
        f"{count(total, 'number')}" + (f": {kinds}" if kinds else "")
    )
