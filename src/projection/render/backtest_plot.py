"""The figure of a back-test: one panel per split, the observed history, each method's central
projection of the held-out years and the family's 50 % and 80 % predictive bands.

Built with matplotlib's object-oriented API (no pyplot); save it with
:func:`projection.render.plot.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .plot import _matplotlib
from .style import LEGEND, SUPTITLE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_backtest"]

#: Size of one panel, inches (width, height).
PANEL = (4.6, 3.4)
STYLES = {"naive": ":", "linear trend": "--"}


def plot_backtest(bt: Any, history: Any = None) -> Figure:
    """One panel per split of ``bt`` (a :class:`~projection.analysis.backtest.Backtest`):
    the observations (fitted years filled, held-out years open), each method's median
    projection, and the bands of the methods that have them.

    Examples
    --------
    >>> import projection
    >>> from projection.render.backtest_plot import plot_backtest
    >>> bt = projection.backtest("data/norway-plugin.yaml", indicator="plugin_share",
    ...                          history="data/norway-plugin-sales-share.csv",
    ...                          splits=[2016, 2017], samples=5000, seed=1)
    >>> fig = plot_backtest(bt)
    >>> len(fig.axes)
    2
    """
    mpl = _matplotlib()
    splits = list(bt.splits)
    fig = mpl.figure.Figure(figsize=(PANEL[0] * len(splits), PANEL[1]), layout="constrained")
    axes = fig.subplots(1, len(splits), squeeze=False)[0]
    observed = bt.observed
    for ax, split in zip(axes, splits):
        fit = observed[observed.year <= split]
        ax.plot(fit.year, fit.value, "o", color="black", ms=4, label="observed (fitted)")
        later = observed[observed.year > split]
        ax.plot(
            later.year, later.value, "o", mfc="none", color="black", ms=5, label="observed later"
        )
        here = bt.predictions[bt.predictions.split == split]
        for i, (method, rows) in enumerate(here.groupby("method", sort=False)):
            colour = f"C{i}"
            if rows.q10.notna().all():
                ax.fill_between(rows.year, rows.q10, rows.q90, color=colour, alpha=0.15, lw=0)
                ax.fill_between(rows.year, rows.q25, rows.q75, color=colour, alpha=0.25, lw=0)
            ax.plot(rows.year, rows.q50, STYLES.get(method, "-"), color=colour, label=method)
        ax.axvline(split + 0.5, color="grey", lw=0.8)
        ax.set_title(f"fitted to {split}", fontsize=LEGEND)
        ax.set_xlabel("year")
        ax.set_ylabel(bt.unit)
    axes[0].legend(fontsize=LEGEND - 1, loc="upper left")
    fig.suptitle(
        f"back-test of {bt.indicator}: bands 50 % and 80 %, held-out years open",
        fontsize=SUPTITLE,
    )
    return fig
