"""Figures: one panel per indicator, every scenario's trajectory, its targets and milestones.

:func:`plot_projections` draws projections side by side on a :class:`matplotlib.figure.Figure`;
ensembles (:class:`~projection.engine.Ensemble`) are drawn as fan charts, a median line with
shaded quantile bands, alone or beside projections. The figure is built with the
object-oriented API only (no :mod:`matplotlib.pyplot`, no GUI backend, no global state left
behind); :func:`save_figure` writes it as PNG, SVG or PDF, chosen by the extension,
atomically (a temporary file beside the destination, then :func:`os.replace`).
:func:`check_plot_path` validates a destination before any work is done.

matplotlib is imported only when a figure is drawn or saved, so the rest of the package (and
:func:`check_plot_path`) works without it.

This module lays the figure out; :mod:`projection.render.panels` draws one panel (lines, fan
bands, targets, milestones), :mod:`projection.render.labels` places the labels where they fit,
:mod:`projection.render.legend` adds the legend and :mod:`projection.render.style` holds the
font sizes and colours they share.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.results import Result
from ..exceptions import ProjectionError
from ..files import atomic_path, check_destination
from ..validation import is_whole_number, real_number, whole_number
from .labels import place_labels
from .legend import add_legend
from .panels import Panel, band_alpha, band_pairs, draw_panel, fit_note
from .style import LEGEND, SUPTITLE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PLOT_FORMATS", "check_plot_path", "plot_projections", "save_figure"]

#: Extension -> format passed to :meth:`matplotlib.figure.Figure.savefig`.
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

#: Size of one panel, inches (width, height).
PANEL_SIZE = (5.5, 3.6)


# ---------------------------------------------------------------------------------- public API
def plot_projections(
    projections: Result | Sequence[Result],
    *,
    indicators: Sequence[str] | str | None = None,
    years: tuple[int, int] | None = None,
    ncols: int | None = None,
    title: str | None = None,
) -> Figure:
    """Draw projections side by side: one panel per indicator, one line per scenario.

    Each panel shows every scenario that has the indicator as a line (one colour per scenario,
    the same in every panel, one legend for the figure), in the unit of the first projection
    that has it: a scenario reporting ``ofc_capacity`` in Tbps and another in Gbps share one
    axis. The y axis is labelled with that unit, the panel titled with the indicator's name,
    the x axis is the year. Targets set on the indicator are points at (year, required value),
    an upward triangle for ``at_least`` and a downward one for ``at_most``, labelled with the
    target's id and drawn once per distinct (id, year, value). Milestones of ``staged``
    indicators are small dots on their scenario's line, labelled with the milestone's value in
    its own unit (``4 Tbps``) where the label has room: over no other label, marker or line
    (a label that would be is left out; the dot stays). Lines of ``step`` milestones are
    drawn as steps. Where scenarios' lines coincide, the panel says so at its top right
    (``baseline = paper-targets``), as the later line hides the earlier one (an ensemble's
    median counts as coinciding where it is nowhere farther from the other line than 0.5 % of
    the panel's range: ensembles of the same inputs differ by sampling noise).

    An :class:`~projection.engine.Ensemble` is drawn as a fan chart: its median is the
    scenario's line (solid, in the scenario's colour, labelled with its name, as steps where
    the indicator is staged with step interpolation), and its quantile bands are shaded in the
    same colour, faintly, so that overlapping scenarios stay readable. Bands pair the
    ensemble's quantiles below 0.5 with those above it, the lowest with the highest, then
    inwards: ``(0.05, 0.25, 0.5, 0.75, 0.95)`` gives a 5-95 % band and, darker where it
    stacks on it, a 25-75 % band; a quantile left without a partner on the other side of the
    median draws no band. The legend explains each band once, in grey. Targets are drawn as
    for projections; milestones are not marked on an ensemble's line (their years and values
    may be uncertain, so the median need not pass through them).

    Parameters
    ----------
    projections : Projection, Ensemble, or a sequence of them
        The results to draw, e.g. from :func:`projection.run` (an ``Ensemble`` with
        ``samples=``); projections and ensembles may be mixed. Scenarios are coloured in this
        order; two with the same name are told apart in the legend as ``name (2)``.
    indicators : sequence of str, optional
        The indicators to draw, in this order. Default: every indicator of any projection,
        sorted by name.
    years : (int, int), optional
        ``(start, end)``: draw only these years (inclusive). Default: every projected year.
    ncols : int, optional
        Panels per row. Default: ``min(3, number of panels)``.
    title : str, optional
        A title above the figure. Default: none for projections only; with ensembles, one
        saying what the lines and shading are and the number of members
        (``n = 2,000 members``). ``""`` draws no title.

    Returns
    -------
    matplotlib.figure.Figure
        A figure with constrained layout, ``PANEL_SIZE`` (5.5 x 3.6 in) per panel, not
        attached to :mod:`matplotlib.pyplot`. Save it with :func:`save_figure`. Its axes are
        the panels, in order; the lines of each are the scenarios' trajectories or ensemble
        medians (labelled with the scenario names), targets and milestones are scatter
        collections, and an ensemble's bands are ``fill_between`` collections labelled
        ``"<scenario>: 5-95 % band"``.

    Raises
    ------
    ProjectionError
        No projections, an indicator no projection has (the message lists the known ones),
        a bad ``years`` or ``ncols``, or an indicator whose units differ in dimension between
        scenarios.

    Examples
    --------
    >>> import projection
    >>> from projection.render.plot import plot_projections
    >>> src = {"source": "assumption: example"}
    >>> p = projection.run({
    ...     "name": "demo", "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {
    ...         "solar": {"unit": "GW", "model": "linear", "params": {
    ...             "start": {"value": 39, **src}, "slope": {"value": 5, "unit": "GW/yr", **src}}},
    ...         "cable": {"unit": "Gbps", "model": "staged", "params": {
    ...             "start": {"value": 450, **src}},
    ...             "milestones": [{"year": 2028, "value": "4 Tbps", **src}]}},
    ...     "targets": {"T": {"indicator": "solar", "year": 2030, "at_least": "60 GW", **src}}})
    >>> fig = plot_projections(p)
    >>> [(ax.get_title(), ax.get_ylabel()) for ax in fig.axes]
    [('cable', 'Gbps'), ('solar', 'GW')]
    >>> fig.axes[1].lines[0].get_label(), fig.axes[1].lines[0].get_ydata().tolist()
    ('demo', [39.0, 44.0, 49.0, 54.0, 59.0, 64.0])
    >>> sorted(t.get_text() for ax in fig.axes for t in ax.texts)
    ['4 Tbps', 'T']

    An ensemble (here of a scenario without distributions, so its bands have no width):

    >>> e = projection.run(p.scenario, samples=50, seed=1)
    >>> fig = plot_projections(e, indicators="solar")
    >>> fig.get_suptitle()
    'Ensemble medians (lines) and quantile bands (shaded), n = 50 members'
    >>> [c.get_label() for c in fig.axes[0].collections if c.get_label().endswith("band")]
    ['demo: 5-95 % band']
    """
    mpl = _matplotlib()
    projs = _as_projections(projections)
    names = _indicator_names(projs, indicators)
    span = _year_span(projs, years)
    ncols = _ncols(ncols, len(names))
    nrows = math.ceil(len(names) / ncols)
    labels = _scenario_labels(projs)
    colours = _colours(mpl, len(projs))
    alpha = band_alpha(sum(bool(p.samples) for p in projs))

    if title is None:
        title = _ensemble_title(projs)

    fig = mpl.figure.Figure(
        figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), layout="constrained"
    )
    engine = fig.get_layout_engine()
    engine.set(h_pad=0.06, w_pad=0.08, hspace=0.06, wspace=0.04)
    grid = fig.add_gridspec(nrows, ncols)

    panels: list[tuple[Axes, Panel]] = []
    kinds: set[str] = set()
    bands: dict[str, tuple[float, float, int]] = {}
    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[i // ncols, i % ncols])
        panel = draw_panel(mpl, ax, name, projs, labels, colours, span, alpha)
        panels.append((ax, panel))
        kinds |= panel.kinds
        for text, key in panel.bands.items():
            bands.setdefault(text, key)

    extra = 0.0  # inches added below and above the panels, so they keep their size
    if title:
        fig.suptitle(title, fontsize=SUPTITLE, fontweight="bold", parse_math=False)
        extra += 0.35
    legend_rows = add_legend(
        mpl,
        fig,
        labels,
        colours,
        kinds,
        bands,
        alpha,
        n_panels=len(names),
        ncols=ncols,
        nrows=nrows,
    )
    if legend_rows:
        extra += 0.2 + legend_rows * LEGEND * 1.6 / 72
    if extra:
        extra = math.ceil(extra * 10) / 10  # a round size
        fig.set_size_inches(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows + extra)

    # Place labels where they fit: this needs the final layout, so draw once (no rendering).
    fig.draw_without_rendering()
    for ax, panel in panels:
        place_labels(ax, panel.labels, panel.markers, panel.paths)
        fit_note(panel)
    return fig


def check_plot_path(path: str | Path) -> str:
    """Check a figure's destination before any work is done; return the format name.

    Parameters
    ----------
    path : str or Path
        Where the figure goes; the extension picks the format (``.png``, ``.svg``, ``.pdf``,
        any case).

    Returns
    -------
    str
        ``"png"``, ``"svg"`` or ``"pdf"``.

    Raises
    ------
    ProjectionError
        An unknown extension (the message names the allowed ones), a directory that does not
        exist, or a path that is a directory.

    Examples
    --------
    >>> check_plot_path("comparison.PNG")
    'png'
    >>> check_plot_path("comparison.jpg")
    Traceback (most recent call last):
    ...
    projection.exceptions.OutputError: comparison.jpg: unknown figure format '.jpg' (expected one of: .pdf, .png, .svg)
    """
    return check_destination(path, PLOT_FORMATS, "figure format")


def save_figure(fig: Figure, path: str | Path, *, dpi: float = 150) -> Path:
    """Write ``fig`` to ``path`` as PNG, SVG or PDF (by extension), atomically.

    The figure is drawn into a temporary file in the destination's directory, which then
    replaces ``path`` (:func:`os.replace`); on any error the temporary file is removed and an
    existing ``path`` is left as it was. The extension and directory are checked
    (:func:`check_plot_path`) before anything is drawn. PDF and SVG carry no creation date.
    A new file gets the permissions a plain ``open()`` would give it (not the temporary file's
    0600); a replaced file keeps its own.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        E.g. from :func:`plot_projections`.
    path : str or Path
        Destination; ``.png``, ``.svg`` or ``.pdf``.
    dpi : float, default 150
        Resolution of a PNG (pixels = figure size in inches x ``dpi``); also the resolution of
        anything rasterised inside an SVG or PDF.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ProjectionError
        Unknown extension, missing directory, or a ``dpi`` that is not a positive number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> out = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "f.png", dpi=100)
    >>> out.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    fmt = check_plot_path(path)
    real_number("dpi", dpi, positive=True)
    _matplotlib()
    target = Path(path)
    metadata: dict[str, Any] = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    with atomic_path(target) as tmp_path:
        fig.savefig(tmp_path, format=fmt, dpi=dpi, metadata=metadata)
    return target


# ---------------------------------------------------------------------------------- arguments
def _matplotlib() -> Any:
    """The matplotlib modules used here, imported on first use."""
    try:
        import matplotlib.collections
        import matplotlib.colors
        import matplotlib.figure
        import matplotlib.lines
        import matplotlib.patches
        import matplotlib.ticker
    except ImportError:
        raise ProjectionError("plotting needs matplotlib (pip install matplotlib)") from None
    return matplotlib


def _as_projections(projections: Result | Iterable[Result]) -> list[Result]:
    single = isinstance(projections, Result)
    projs = [projections] if single else list(projections)
    if not projs:
        raise ProjectionError("nothing to plot (expected at least one projection)")
    for p in projs:
        if not isinstance(p, Result):
            raise ProjectionError(
                "expected Projection or Ensemble objects (from projection.run), "
                f"got {type(p).__name__}"
            )
    return projs


def _ensemble_title(projs: list[Result]) -> str | None:
    ensembles = [p for p in projs if p.samples]
    if not ensembles:
        return None
    sizes = sorted({e.samples for e in ensembles})
    n = f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,}"
    if any(band_pairs(e.quantiles) for e in ensembles):
        return f"Ensemble medians (lines) and quantile bands (shaded), n = {n} members"
    return f"Ensemble medians, n = {n} members"


def _indicator_names(projs: list[Result], wanted: Sequence[str] | str | None) -> list[str]:
    known = sorted({name for p in projs for name in p.central})
    if wanted is None:
        return known
    asked = [wanted] if isinstance(wanted, str) else list(wanted)
    if not asked:
        raise ProjectionError(f"no indicators to plot (known: {', '.join(known)})")
    unknown = [n for n in asked if n not in known]
    if unknown:
        raise ProjectionError(
            f"unknown indicator{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} (known: {', '.join(known)})"
        )
    return list(dict.fromkeys(asked))  # drop repeats, keep order


def _year_span(projs: list[Result], years: tuple[int, int] | None) -> tuple[float, float]:
    if years is None:
        lo = min(float(p.years[0]) for p in projs)
        hi = max(float(p.years[-1]) for p in projs)
        return lo, hi
    try:
        start, end = years
    except (TypeError, ValueError):
        raise ProjectionError(f"years must be (start, end), got {years!r}") from None
    if not (is_whole_number(start) and is_whole_number(end)):
        raise ProjectionError(f"years must be two whole years (start, end), got {years!r}")
    if end < start:
        raise ProjectionError(f"years: end ({end}) is before start ({start})")
    if not any(((p.years >= start) & (p.years <= end)).any() for p in projs):
        covered = ", ".join(f"{p.name} {int(p.years[0])}..{int(p.years[-1])}" for p in projs)
        raise ProjectionError(f"years {start}..{end}: no projected year there ({covered})")
    return float(start), float(end)


def _ncols(ncols: int | None, n_panels: int) -> int:
    if ncols is None:
        return min(3, n_panels)
    return whole_number("ncols", ncols, minimum=1)


def _scenario_labels(projs: list[Result]) -> list[str]:
    """Scenario names; a repeated name gets `` (2)``, `` (3)`` ... so the legend tells them apart."""
    seen: dict[str, int] = {}
    out = []
    for p in projs:
        seen[p.name] = seen.get(p.name, 0) + 1
        out.append(p.name if seen[p.name] == 1 else f"{p.name} ({seen[p.name]})")
    return out


def _colours(mpl: Any, n: int) -> list[tuple[float, ...]]:
    cmap = mpl.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
