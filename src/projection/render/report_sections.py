"""A scenario's section of the HTML report (:mod:`projection.render.report`), as text.

:func:`scenario_section` gathers what the page shows of one result: its summary, the
indicators at the years that matter, the targets (in the words of ``projection run``:
:func:`projection.render.text.target_cells`), the consistency warnings (each
:class:`~projection.engine.constraints.Violation`'s summary and the run's notes), the figures
(:mod:`projection.render.report_figures`) and the provenance of every number. Everything is
plain text, control characters escaped (:func:`projection.text.printable`); the templates lay
it out and escape it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine.results import Result
from ..engine.targets import MET, MISSED, NOT_REACHED
from ..scenario import Scenario, source_counts, source_kind, sources
from ..text import count, format_value, one_line, printable
from .report_figures import scenario_figures
from .text import TARGET_HEADINGS, run_label, target_cells, target_keys

__all__ = ["scenario_section"]

_STATUS_CLASS = {MET: "met", MISSED: "missed", NOT_REACHED: "not-reached"}
_RIGHT = {"year", "required", "projected", "first_reached", "gap", "gap_relative"}
_RIGHT |= {"probability", "first_reached_members"}


def scenario_section(i: int, r: Result, fmt: str | None) -> dict[str, Any]:
    """What the ``i``-th scenario's section shows of ``r``; its figures as ``fmt`` (``png``
    or ``svg``; ``None``: no figures)."""
    s = r.scenario
    h = s.horizon
    summary = [
        ("horizon", f"{h.start}–{h.end}" + (f", every {h.step} years" if h.step != 1 else ""))
    ]
    if s.file:
        summary.append(("file", printable(s.file)))
    summary.append(("indicators", printable(", ".join(sorted(s.indicators)))))
    if r.quantiles:
        summary.append(("quantiles", ", ".join(f"{q:g}" for q in r.quantiles)))
    return {
        "index": i,
        "name": printable(r.name),
        "run": run_label(r),
        "samples": r.samples,
        "members": f"{r.samples:,}",
        "description": one_line(s.description),
        "summary": summary,
        "indicators": _indicators(r),
        "targets": _targets(r),
        "warnings": _warnings(r),
        "figures": scenario_figures(r, fmt) if fmt else None,
        "provenance": _provenance(s),
    }


def _indicators(r: Result) -> dict[str, Any]:
    """The central values at the years that matter and, where the result has quantiles on
    both sides of the median, the outermost band below each."""
    years = r.report_years()
    cols = [r.column(y) for y in years]
    lo, hi = _outer_band(r.quantiles)
    rows = []
    for name in sorted(r.central):
        cells = []
        for c in cols:
            interval = None
            if lo is not None:
                band = r.bands[name]
                interval = (
                    f"{format_value(float(band[lo, c]), '')} – "
                    f"{format_value(float(band[hi, c]), '')}"
                )
            cells.append(
                {"value": format_value(float(r.central[name][c]), ""), "interval": interval}
            )
        rows.append(
            {
                "name": printable(name),
                "unit": printable(r.units[name] or "no unit"),
                "model": r.scenario.indicators[name].model,
                "cells": cells,
            }
        )
    band = f"{r.quantiles[lo]:g}–{r.quantiles[hi]:g}" if lo is not None else None
    return {"years": years, "rows": rows, "band": band}


def _outer_band(quantiles: Sequence[float]) -> tuple[int | None, int | None]:
    """Rows of the lowest quantile below 0.5 and the highest above it (None if either lacks)."""
    below = [k for k, q in enumerate(quantiles) if q < 0.5]
    above = [k for k, q in enumerate(quantiles) if q > 0.5]
    if not below or not above:
        return None, None
    return below[0], above[-1]


def _targets(r: Result) -> dict[str, Any] | None:
    """The targets table: the columns ``projection run`` shows with the gaps, in its words."""
    frame = r.targets()
    if frame.empty:
        return None
    keys = target_keys(frame, with_gap=True)
    headings = [(TARGET_HEADINGS[k], _cell_class(k)) for k in keys]
    rows = []
    for _, row in frame.iterrows():
        cells = target_cells(row, ge="≥", le="≤")
        rows.append(
            {
                "target": cells["target"],
                "status": _STATUS_CLASS[cells["status"]],
                "cells": [(k, _cell_class(k), cells[k]) for k in keys[1:]],
            }
        )
    return {"headings": headings, "rows": rows}


def _cell_class(key: str) -> str:
    if key == "status":
        return "status"
    if key == "probability":
        return "num probability"
    return "num" if key in _RIGHT else ""


def _warnings(r: Result) -> dict[str, Any]:
    """Each violated constraint in the words of :meth:`Violation.summary` (its id set apart),
    with why it must hold; then the run's notes."""
    violations = []
    for v in r.violations:
        summary = printable(v.summary())
        head = printable(v.constraint)
        if not summary.startswith(head):
            head = ""
        violations.append({"id": head, "rest": summary[len(head) :], "why": one_line(v.source)})
    checked = len(r.scenario.constraints)
    return {
        "violations": violations,
        "notes": [printable(n) for n in [*r.scenario.warnings(), *r.notes]],
        "checked": checked,
        "holding": checked - len(r.violations),
    }


# -------------------------------------------------------------------------------- provenance
def _provenance(s: Scenario) -> dict[str, Any]:
    """Every number (:func:`projection.scenario.sources`) with its distribution, then the
    constraints, each with its source and the source's kind."""
    rows = [{**rec, "distribution": _distribution_of(s, rec["path"])} for rec in sources(s)]
    for cid, c in s.constraints.items():
        rows.append(
            {
                "path": f"constraints.{cid}",
                "value": c.expression,
                "unit": "",
                "source": c.source,
                "kind": source_kind(c.source),
                "distribution": None,
            }
        )
    numbers = source_counts(s)
    kinds = ", ".join(f"{n} {kind}" for kind, n in numbers.items())
    counts = count(sum(numbers.values()), "number") + (f": {kinds}" if kinds else "")
    if s.constraints:
        counts += f"; {count(len(s.constraints), 'constraint')}"
    return {
        "counts": counts,
        "rows": [
            {
                "path": [printable(part) for part in row["path"].split(".")],
                "value": printable(_plain(row["value"])),
                "unit": printable(row["unit"]),
                "distribution": row["distribution"],
                "kind": row["kind"],
                "source": one_line(row["source"]),
            }
            for row in rows
        ],
    }


def _distribution_of(s: Scenario, path: str) -> tuple[str, str] | None:
    """``(type, arguments)`` of the distribution of the number at ``path``, if it has one."""
    parts = path.split(".")
    try:
        if parts[0] != "indicators":
            return None
        ind = s.indicators[parts[1]]
        if parts[2] == "params":
            dist = ind.params[parts[3]].distribution
        else:
            m = (ind.milestones or [])[int(parts[3])]
            dist = m.year_distribution if parts[4] == "year" else m.distribution
    except (IndexError, KeyError, ValueError):
        return None
    if dist is None:
        return None
    return printable(dist.type), printable(dist.arguments())


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return f"{int(v)}" if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)
