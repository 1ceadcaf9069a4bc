"""The figure of a scenario discovery: coverage against density of every box PRIM's peeling
trajectory passed through (coloured by how many inputs each restricts), or of every leaf of
a CART tree, the reported box circled; beside it, the box's ranges on each restricted input
against the range drawn.

Built with matplotlib's object-oriented API (no pyplot); save with
:func:`projection.render.plot.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .plot import _matplotlib
from .style import LEGEND, SUPTITLE, TICK

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_discovery"]


def plot_discovery(d: Any) -> Figure:
    """Coverage against density (left), the chosen box's ranges (right).

    Examples
    --------
    >>> import projection
    >>> from projection.render.discovery_plot import plot_discovery
    >>> d = projection.discover("scenarios/paper-targets.yaml", "T1", samples=2000, seed=1)
    >>> len(plot_discovery(d).axes)  # trajectory, its colour bar, the ranges
    3
    """
    mpl = _matplotlib()
    fig = mpl.figure.Figure(figsize=(10.5, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
    t = d.trajectory
    points = left.scatter(t["coverage"], t["density"], c=t["restricted"], cmap="viridis", s=16)
    fig.colorbar(points, ax=left, label="inputs restricted")
    row = t.iloc[d.chosen]
    left.scatter(
        [row["coverage"]],
        [row["density"]],
        s=120,
        facecolors="none",
        edgecolors="C3",
        linewidths=1.5,
        label="reported box",
    )
    left.axhline(d.threshold, color="0.5", lw=0.8, ls=":", label=f"density {d.threshold:g}")
    left.set_xlabel("coverage (share of all cases in the box)")
    left.set_ylabel("density (share of the box that are cases)")
    left.set_xlim(-0.02, 1.02)
    left.set_ylim(-0.02, 1.02)
    left.legend(fontsize=LEGEND - 2, loc="lower left")
    left.set_title("peeling trajectory" if d.method == "prim" else "tree leaves", fontsize=LEGEND)
    names = list(d.box.restricted) or ["(none)"]
    for i, name in enumerate(names):
        if name not in d.ranges:
            continue
        lo_all, hi_all = d.ranges[name]
        lo, hi = d.box.bounds[name]
        span = (hi_all - lo_all) or 1.0
        a = ((lo if lo is not None else lo_all) - lo_all) / span
        b = ((hi if hi is not None else hi_all) - lo_all) / span
        right.barh(i, 1.0, height=0.5, color="0.9")
        right.barh(i, b - a, left=a, height=0.5, color="C3", alpha=0.7)
        right.text(a, i + 0.3, f"{lo if lo is not None else lo_all:.3g}", fontsize=TICK - 1)
        right.text(
            b, i + 0.3, f"{hi if hi is not None else hi_all:.3g}", fontsize=TICK - 1, ha="right"
        )
    right.set_yticks(range(len(names)), names, fontsize=TICK)
    right.set_xlim(0, 1)
    right.set_xlabel("share of the range drawn")
    right.set_title("the box", fontsize=LEGEND)
    fig.suptitle(
        f"{d.target} {d.outcome}: {d.scenario} ({d.method.upper()}, {d.samples:,} members)",
        fontsize=SUPTITLE - 2,
    )
    return fig
