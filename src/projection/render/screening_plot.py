"""The figure of a Morris screening: ``mu*`` against ``sigma`` for each input, one panel per
output (up to six), the most influential inputs labelled.

Built with matplotlib's object-oriented API (no pyplot); save it with
:func:`projection.render.plot.save_figure`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .plot import _matplotlib
from .style import LEGEND, SUPTITLE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_screening"]

PANEL = (4.6, 3.6)
MAX_PANELS = 9
LABELLED = 4


def plot_screening(m: Any) -> Figure:
    """``mu*`` (how much an input matters) against ``sigma`` (interactions, non-linearity),
    one panel per output of ``m`` (a :class:`~projection.analysis.screening.MorrisResult`).

    Examples
    --------
    >>> import projection
    >>> from projection.render.screening_plot import plot_screening
    >>> m = projection.screening("scenarios/paper-targets.yaml", target="T1", trajectories=10,
    ...                          seed=1)
    >>> len(plot_screening(m).axes)
    1
    """
    mpl = _matplotlib()
    outputs = list(m.outputs)[:MAX_PANELS]
    ncols = min(3, len(outputs))
    nrows = -(-len(outputs) // ncols)
    fig = mpl.figure.Figure(figsize=(PANEL[0] * ncols, PANEL[1] * nrows), layout="constrained")
    grid = fig.subplots(nrows, ncols, squeeze=False)
    axes = list(grid.ravel())
    for extra in axes[len(outputs) :]:
        fig.delaxes(extra)
    short = [name.removeprefix("indicators.") for name in m.names]
    for k, (ax, out) in enumerate(zip(axes, outputs)):
        x, y = m.mu_star[:, k], m.sigma[:, k]
        ax.errorbar(x, y, xerr=m.mu_star_conf[:, k], fmt="o", ms=4, color="C0", elinewidth=0.8)
        for name in m.ranking(out)[:LABELLED]:
            i = m.names.index(name)
            if x[i] > 0:
                ax.annotate(
                    short[i],
                    (x[i], y[i]),
                    fontsize=LEGEND - 2,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        ax.set_title(str(out), fontsize=LEGEND)
        ax.set_xlabel("mu* (mean |elementary effect|)")
        ax.set_ylabel("sigma")
    fig.suptitle(f"Morris screening: {m.label}", fontsize=SUPTITLE)
    return fig
