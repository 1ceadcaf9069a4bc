"""The figure's one legend: the scenarios' colours, each fan band once (in grey), and the
target and milestone markers drawn."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .panels import line_widths
from .style import EDGE_ALPHA, EDGE_WIDTH, LEGEND, TARGET_COLOUR

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["add_legend"]

_BAND_KEY_COLOUR = "0.3"  # the legend's grey band swatches


def add_legend(
    mpl: Any,
    fig: Figure,
    labels: list[str],
    colours: list[Any],
    kinds: set[str],
    bands: dict[str, tuple[float, float, int]],
    alpha: float,
    *,
    n_panels: int,
    ncols: int,
    nrows: int,
) -> int:
    """Add the figure's legend; return its number of rows if it sits outside the panels."""
    Line2D = mpl.lines.Line2D
    handles = [
        Line2D([], [], color=c, linewidth=w) for c, w in zip(colours, line_widths(len(colours)))
    ]
    names = list(labels)
    # each band once, widest first, as grey as it looks stacked on the bands around it
    for text, (_, _, depth) in sorted(bands.items(), key=lambda kv: (kv[1][0], -kv[1][1])):
        handles.append(
            mpl.patches.Patch(
                facecolor=mpl.colors.to_rgba(
                    _BAND_KEY_COLOUR, 1 - (1 - max(alpha, 0.15)) ** (depth + 1)
                ),
                edgecolor=mpl.colors.to_rgba(_BAND_KEY_COLOUR, EDGE_ALPHA if depth == 0 else 0),
                linewidth=EDGE_WIDTH,
            )
        )
        names.append(text)
    keys = [
        ("at_least", "^", "target (at least)", TARGET_COLOUR, 8),
        ("at_most", "v", "target (at most)", TARGET_COLOUR, 8),
        ("milestone", "o", "milestone", "0.45", 5.5),
    ]
    for kind, marker, text, colour, size in keys:
        if kind in kinds:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    color=colour,
                    markeredgecolor="white",
                    markersize=size,
                )
            )
            names.append(text)

    spare = nrows * ncols - n_panels
    common = dict(fontsize=LEGEND, frameon=False, handlelength=2.2, borderaxespad=0.2)
    if spare > 0:
        # the empty cells at the end of the last row: the legend goes there, off the data
        used = ncols - spare
        x = (used / ncols + 1.0) / 2
        y = 0.5 / nrows
        per_col = max(4, math.ceil(len(names) / spare))
        legend = fig.legend(
            handles,
            names,
            loc="center",
            bbox_to_anchor=(x, y),
            ncols=math.ceil(len(names) / per_col),
            **common,
        )
        rows = 0
    else:
        # as many entries per row as fit the figure's width (a rough width per entry)
        entry = (0.6 * max(map(len, names)) + 2.2 + 0.8 + 2.0) * LEGEND / 72  # inches
        fit = max(1, int(fig.get_figwidth() // entry))
        per_row = min(len(names), fit)
        per_row = math.ceil(len(names) / math.ceil(len(names) / per_row))  # even rows
        legend = fig.legend(handles, names, loc="outside lower center", ncols=per_row, **common)
        rows = math.ceil(len(names) / per_row)
    for text in legend.get_texts():
        text.set_parse_math(False)
    return rows
