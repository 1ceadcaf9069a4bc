"""Indicators drawn beside the one they are compared with (``compare_with`` in a scenario).

A share of new sales and the share of the fleet it turns into, a capacity and the traffic it
carries: where the **gap** between two indicators is the message, a scenario says so with
``compare_with``, and :func:`plot_pairs` draws each such pair in one panel, on the first
indicator's axis: point projections as lines, ensembles as medians with their outermost
quantile band, targets on either as triangles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .plot import _matplotlib
from .style import LEGEND, SUPTITLE, TICK

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["pairs", "plot_pairs"]

PANEL = (6.4, 3.8)


def pairs(result: Any) -> list[tuple[str, str]]:
    """The ``(indicator, compare_with)`` pairs of a result's scenario, in the file's order.

    Examples
    --------
    >>> import projection
    >>> pairs(projection.run("scenarios/paper-targets.yaml"))
    [('ev_fleet_share', 'ev_sales_share')]
    """
    return [
        (name, ind.compare_with)
        for name, ind in result.scenario.indicators.items()
        if ind.compare_with is not None
    ]


def plot_pairs(result: Any) -> Figure | None:
    """One panel per pair of :func:`pairs` (None when the scenario has none).

    Parameters
    ----------
    result : Result
        A point projection or an ensemble (:func:`projection.run`).

    Returns
    -------
    matplotlib.figure.Figure or None

    Examples
    --------
    >>> import projection
    >>> fig = plot_pairs(projection.run("scenarios/paper-targets.yaml"))
    >>> [ax.get_title() for ax in fig.axes]
    ['ev_fleet_share beside ev_sales_share']
    """
    from ..units import conversion_factor

    found = pairs(result)
    if not found:
        return None
    mpl = _matplotlib()
    fig = mpl.figure.Figure(figsize=(PANEL[0], PANEL[1] * len(found)), layout="constrained")
    axes = fig.subplots(len(found), 1, squeeze=False)[:, 0]
    years = result.years
    for ax, (name, other) in zip(axes, found):
        unit = result.units[name]
        for k, indicator in enumerate((other, name)):
            factor = conversion_factor(result.units[indicator], unit)
            colour = f"C{k}"
            if result.samples and result.quantiles:
                bands = result.bands[indicator]
                low, high = bands[0] * factor, bands[-1] * factor
                ax.fill_between(years, low, high, color=colour, alpha=0.2, lw=0)
                q = f" (median, {result.quantiles[0]:g}-{result.quantiles[-1]:g} band)"
            else:
                q = ""
            line = result.central[indicator]  # an ensemble's median
            ax.plot(years, np.asarray(line) * factor, color=colour, label=f"{indicator}{q}")
            for tid, t in result.compiled.targets.items():
                if t.indicator == indicator:
                    ends = [t.required] + ([t.upper] if t.upper is not None else [])
                    for end, marker in zip(ends, ("^", "v")):
                        value = end * factor
                        ax.plot([t.year], [value], marker, color="k", ms=7)
                        ax.annotate(
                            tid, (t.year, value), xytext=(5, -3), textcoords="offset points"
                        )
        ax.set_title(f"{name} beside {other}", fontsize=TICK + 1)
        ax.set_xlabel("year")
        ax.set_ylabel(unit)
        ax.grid(True, color="0.92")
        ax.legend(fontsize=LEGEND - 1, loc="upper left")
    what = f"{result.samples:,} members" if result.samples else "point projection"
    fig.suptitle(f"{result.name}: compared indicators ({what})", fontsize=SUPTITLE - 2)
    return fig
