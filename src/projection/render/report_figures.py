"""The figures of the HTML report (:mod:`projection.render.report`), as images to embed.

Each figure is drawn by :func:`projection.render.plot.plot_projections` and saved into memory
as PNG or SVG, to be embedded in the page as a ``data:`` URI: the page loads nothing from
elsewhere. A figure is described by a :class:`Figure` (its ``<figure>`` class, image and
caption); the page template lays it out.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.results import Result
from .text import names

__all__ = [
    "FIGURE_FORMATS",
    "Figure",
    "Image",
    "backtest_figure",
    "comparison_figure",
    "scenario_figures",
]

#: Figure formats the report can embed.
FIGURE_FORMATS = ("png", "svg")

_DPI = 130  # PNG resolution: about 1.4x the width the page shows a two-column figure at
_NCOLS = 2  # panels per row: wide enough to read at the page's width
_CSS_DPI = 96  # the page shows a figure at most at 96 px per inch (CSS), sharper on dense screens


@dataclass(frozen=True)
class Image:
    """An ``<img>``: a ``data:`` URI, its text alternative and its size in pixels."""

    src: str
    alt: str
    width: int
    height: int
    css_width: int  # the widest the page shows it, CSS pixels


@dataclass(frozen=True)
class Figure:
    """A ``<figure>``: its class (``comparison``, ``pairs``, ``trajectory``, ``fan-chart``), the image
    and the caption (plain text)."""

    cls: str
    image: Image
    caption: str
    id: str | None = None


def embed(fig: Any, fmt: str, *, alt: str) -> Image:
    """A matplotlib figure as an :class:`Image` (``fmt``: ``png`` or ``svg``)."""
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
        mime, scale = "image/svg+xml", 72
    else:
        fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
        mime, scale = "image/png", _DPI
    width, height = fig.get_size_inches()
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return Image(
        src=f"data:{mime};base64,{data}",
        alt=alt,
        width=int(round(width * scale)),
        height=int(round(height * scale)),
        css_width=int(round(width * _CSS_DPI)),
    )


def comparison_figure(runs: Sequence[Result], fmt: str) -> Figure:
    """Every scenario's trajectories side by side, one panel per indicator."""
    from .plot import plot_projections

    listed = names(runs)
    image = embed(
        plot_projections(list(runs), ncols=_NCOLS),
        fmt,
        alt=f"Trajectories of every indicator, scenarios {listed} side by side",
    )
    caption = (
        f"Every scenario's trajectories, one panel per indicator ({listed}); targets are "
        "triangles, milestones dots."
    )
    return Figure("comparison", image, caption, id="figure-comparison")


def scenario_figures(r: Result, fmt: str) -> list[Figure]:
    """A result's figures: its compared indicators (``compare_with``, when it has any), the
    trajectories of its point projection (:attr:`Result.point`, never run again) and, for an
    ensemble, its fan chart."""
    from .plot import plot_projections

    name = names([r])
    point = embed(
        plot_projections(r.point, ncols=_NCOLS),
        fmt,
        alt=f"Trajectories of every indicator of scenario {name}",
    )
    which = " of the point projection (every parameter at its written value)" if r.samples else ""
    figures = [
        Figure(
            "trajectory",
            point,
            f"Trajectories{which}; targets are triangles, milestones dots.",
        )
    ]
    from .pairs_plot import pairs, plot_pairs

    found = pairs(r)
    if found:
        listed = "; ".join(f"{a} beside {b}" for a, b in found)
        figures.insert(
            0,
            Figure(
                "pairs",
                embed(plot_pairs(r), fmt, alt=f"Compared indicators of scenario {name}: {listed}"),
                f"Indicators the scenario compares (compare_with): {listed}. The gap between "
                "the lines is the point, e.g. a share of new sales against the share of the "
                "stock it turns into.",
            ),
        )
    if r.samples:
        fan = embed(
            plot_projections(r, ncols=_NCOLS),
            fmt,
            alt=f"Fan chart of scenario {name}: medians and quantile bands",
        )
        figures.append(
            Figure(
                "fan-chart",
                fan,
                f"Fan chart: the median of {r.samples:,} members (line) and the quantile "
                "bands (shaded).",
            )
        )
    return figures


def backtest_figure(bt: Any, fmt: str) -> Figure:
    """A back-test's panels (:func:`projection.render.backtest_plot.plot_backtest`)."""
    from .backtest_plot import plot_backtest

    image = embed(
        plot_backtest(bt),
        fmt,
        alt=f"Back-test of {bt.indicator}: fits up to {', '.join(map(str, bt.splits))} and the "
        "years that followed",
    )
    caption = (
        f"Back-test of {bt.indicator} on {bt.history}: each panel fits the years up to its split "
        "(filled dots) and projects the observed years after it (open dots); lines are each "
        "method's median, shading the family's 50 % and 80 % predictive bands."
    )
    return Figure("backtest", image, caption)
