"""Figures of a lever exploration (:class:`~projection.analysis.exploration.Exploration`).

:func:`plot_exploration` shows the probability of meeting each target per lever setting:
one lever, a line per target against the lever's value; two levers, one heat map per target
(and one for all targets together) over the grid of the two; more, horizontal bars of the
probability of meeting every target, per setting. :func:`plot_robustness` plots each
setting's satisficing (every target met) against its largest regret, one panel per target.

Built with matplotlib's object-oriented API (no pyplot); save with
:func:`projection.render.plot.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .plot import _matplotlib
from .style import LEGEND, SUPTITLE, TICK

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_exploration", "plot_robustness"]

PANEL = (4.4, 3.6)
MAX_PANELS = 9
MAX_BARS = 40


def plot_exploration(x: Any, target: str | None = None) -> Figure:
    """The probability of each target (or of ``target`` only) per lever setting.

    Examples
    --------
    >>> import projection
    >>> from projection.render.levers_plot import plot_exploration
    >>> x = projection.explore("scenarios/paper-targets.yaml", target="T1", sweep={
    ...     "indicators.ev_sales_share.params.rate": "0.4:1.0:4",
    ...     "indicators.ev_sales_share.params.ceiling": "40:70:4"})
    >>> len(plot_exploration(x).axes)  # one heat map and its colour bar
    2
    """
    mpl = _matplotlib()
    table = x.probability_table()
    columns = [target] if target is not None else [*x.targets, "all"]
    if target is not None and target not in x.targets:
        raise KeyError(f"{target!r} was not explored (targets: {', '.join(x.targets)})")
    if len(x.targets) == 1 and target is None:
        columns = list(x.targets)
    what = f"{x.samples:,} members per setting" if x.samples else "point values"
    title = f"Probability of meeting each target: {x.scenario} ({what})"
    if len(x.levers) == 1:
        fig = mpl.figure.Figure(figsize=(6.4, 4.2), layout="constrained")
        ax = fig.add_subplot()
        lv = x.levers[0]
        for k, col in enumerate(columns):
            style = {"ls": "--", "color": "0.2"} if col == "all" else {"color": f"C{k}"}
            label = "all targets" if col == "all" else col
            ax.plot(table[lv.name], table[col], marker="o", ms=4, label=label, **style)
        ax.set_xlabel(_axis(lv))
        ax.set_ylabel("probability")
        ax.set_ylim(-0.03, 1.03)
        ax.legend(fontsize=LEGEND - 1)
    elif len(x.levers) == 2:
        # too many targets: the first ones, and always the probability of all of them
        panels = columns if len(columns) <= MAX_PANELS else [*columns[: MAX_PANELS - 1], "all"]
        fig, axes = _panels(mpl, len(panels))
        a, b = x.levers
        image = None
        for ax, col in zip(axes, panels):
            grid = table.pivot(index=b.name, columns=a.name, values=col)
            image = ax.imshow(
                grid.to_numpy(), origin="lower", aspect="auto", vmin=0, vmax=1, cmap="viridis"
            )
            _ticks(ax.set_xticks, ax.set_xticklabels, list(grid.columns))
            _ticks(ax.set_yticks, ax.set_yticklabels, list(grid.index))
            if grid.size <= 64:
                for (r, c), p in np.ndenumerate(grid.to_numpy()):
                    ax.text(
                        c,
                        r,
                        f"{p:.2f}",
                        ha="center",
                        va="center",
                        fontsize=TICK - 1,
                        color="white" if p < 0.6 else "black",
                    )
            ax.set_title("all targets" if col == "all" else col, fontsize=LEGEND)
            ax.set_xlabel(_axis(a))
            ax.set_ylabel(_axis(b))
        fig.colorbar(image, ax=axes[: len(panels)], label="probability", shrink=0.9)
    else:
        rows = table.sort_values("all", ascending=True).tail(MAX_BARS)
        fig = mpl.figure.Figure(figsize=(7.0, 1.2 + 0.25 * len(rows)), layout="constrained")
        ax = fig.add_subplot()
        labels = [", ".join(f"{n}={_value(r[n])}" for n in x.names) for _, r in rows.iterrows()]
        ax.barh(range(len(rows)), rows["all"], color="C0")
        ax.set_yticks(range(len(rows)), labels, fontsize=TICK - 1)
        ax.set_xlabel("probability that every target is met")
        ax.set_xlim(0, 1)
    fig.suptitle(title, fontsize=SUPTITLE - 2)
    return fig


def plot_robustness(x: Any) -> Figure:
    """Each setting's satisficing (probability that every target is met) against its
    largest regret, one panel per target; the most robust setting is labelled."""
    mpl = _matplotlib()
    rob = x.robustness()
    targets = list(x.targets)[:MAX_PANELS]
    fig, axes = _panels(mpl, len(targets))
    best = rob.iloc[0]
    label = ", ".join(f"{n}={_value(best[n])}" for n in x.names)
    for ax, tid in zip(axes, targets):
        k = x.targets.index(tid)
        ax.scatter(rob[f"regret_max_{tid}"], rob["satisficing"], s=18, color="C0")
        ax.scatter([best[f"regret_max_{tid}"]], [best["satisficing"]], s=40, color="C3")
        ax.annotate(
            label,
            (best[f"regret_max_{tid}"], best["satisficing"]),
            fontsize=TICK - 1,
            xytext=(4, -10),
            textcoords="offset points",
        )
        ax.set_xlabel(f"largest regret on {tid} [{x.target_units[k]}]")
        ax.set_ylabel("every target met (probability)")
        ax.set_ylim(-0.03, 1.03)
    fig.suptitle(f"Robustness of each lever setting: {x.scenario}", fontsize=SUPTITLE - 2)
    return fig


def _panels(mpl: Any, count: int) -> tuple[Figure, list]:
    """A figure of ``count`` panels, at most three a row, and its axes (unused ones removed)."""
    ncols = min(3, count)
    nrows = -(-count // ncols)
    fig = mpl.figure.Figure(figsize=(PANEL[0] * ncols, PANEL[1] * nrows), layout="constrained")
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for extra in axes[count:]:
        fig.delaxes(extra)
    return fig, axes[:count]


def _axis(lv: Any) -> str:
    unit = f" [{lv.unit}]" if lv.unit else ""
    return f"{lv.name}{unit}"


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _ticks(set_ticks: Any, set_labels: Any, values: list) -> None:
    step = max(1, len(values) // 10)
    positions = list(range(0, len(values), step))
    set_ticks(positions)
    set_labels([_value(values[i]) for i in positions], fontsize=TICK - 1)
