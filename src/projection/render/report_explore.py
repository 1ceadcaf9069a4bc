"""Report sections of exploratory analysis: a lever exploration (probabilities per setting,
the robust choices, the heat map and the robustness figure) and a scenario discovery (the box
in words, its restrictions, the peeling-trajectory figure)."""

from __future__ import annotations

from typing import Any

from ..text import printable
from .report_figures import Figure, embed

__all__ = ["exploration_section", "discovery_section"]


def exploration_section(x: Any, fmt: str | None) -> dict[str, Any]:
    """Title, table (header and rows of text), the summary's closing lines, and figures."""
    table = x.probability_table()
    header = [*x.names, *x.targets, "all targets"]
    rows = [
        [_cell(v) for v in row[: len(x.names)]] + [f"{p:.3f}" for p in row[len(x.names) :]]
        for row in table.itertuples(index=False)
    ]
    lines = [
        line.strip()
        for line in x.summary().splitlines()
        if line.strip().startswith(("most robust", "least regret")) or "no regret" in line
    ]
    levers = [
        f"{lv.name}: {lv.path} in ({', '.join(_cell(v) for v in lv.values)})"
        f"{' ' + lv.unit if lv.unit else ''}. Source: {lv.source}"
        for lv in x.levers
    ]
    figures = []
    if fmt:
        what = f"{x.samples:,} members" if x.samples else "the point values"
        figures = [
            Figure(
                "levers",
                embed(
                    x.plot(),
                    fmt,
                    alt=f"Probability of each target per lever setting of {x.scenario}",
                ),
                f"Probability of meeting each target per lever setting, every setting over the "
                f"same {what}.",
            ),
            Figure(
                "robustness",
                embed(
                    x.plot_robustness(),
                    fmt,
                    alt=f"Robustness of the lever settings of {x.scenario}",
                ),
                "Each setting's satisficing (every target met) against its largest regret on "
                "each target; the most robust setting is labelled.",
            ),
        ]
    what = f"{x.samples:,} members each" if x.samples else "one run at the point values each"
    return {
        "title": printable(f"Levers of {x.scenario}: {len(x.settings)} settings x {what}"),
        "levers": [printable(s) for s in levers],
        "header": [printable(h) for h in header],
        "rows": rows,
        "lines": [printable(s) for s in lines],
        "figures": figures,
    }


def discovery_section(d: Any, fmt: str | None) -> dict[str, Any]:
    """Title, the box's sentence, its restrictions as rows of text, and its figure."""
    rows = []
    for name in d.box.restricted:
        lo, hi = d.box.bounds[name]
        qp = (d.box.quasi_p or {}).get(name)
        rows.append(
            [
                name,
                "" if lo is None else f"{lo:.4g}",
                "" if hi is None else f"{hi:.4g}",
                d.units.get(name, ""),
                "" if qp is None else (f"{qp:.2g}" if qp > 0 else "< 1e-300"),
            ]
        )
    figure = None
    if fmt:
        caption = (
            "Coverage against density of every box on PRIM's peeling trajectory (colour: inputs "
            "restricted), the reported box circled; right, its ranges within those drawn."
            if d.method == "prim"
            else "Coverage against density of every leaf of the tree, the reported box "
            "circled; right, its ranges within those drawn."
        )
        figure = Figure(
            "discovery",
            embed(d.plot(), fmt, alt=f"Scenario discovery for {d.target} {d.outcome}"),
            caption,
        )
    method = "PRIM" if d.method == "prim" else "CART"
    return {
        "title": printable(
            f"Where {d.target} is {d.outcome}: scenario discovery ({method}, {d.samples:,} members)"
        ),
        "sentence": printable(d.sentence()),
        "rows": rows,
        "figure": figure,
    }


def _cell(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)
