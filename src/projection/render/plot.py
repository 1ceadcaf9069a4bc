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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.results import Result
from ..exceptions import ProjectionError
from ..files import atomic_path, check_destination
from ..units import conversion_factor

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["PLOT_FORMATS", "check_plot_path", "plot_projections", "save_figure"]

#: Extension -> format passed to :meth:`matplotlib.figure.Figure.savefig`.
PLOT_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

#: Size of one panel, inches (width, height).
PANEL_SIZE = (5.5, 3.6)

# font sizes, points
_TITLE, _LABEL, _TICK, _NOTE, _LEGEND, _SUPTITLE = 11.5, 10, 9, 8, 10, 13
_TARGET_COLOUR = "0.12"
_MILESTONE_SIZE = 22  # scatter marker area, points^2
_TARGET_SIZE = 60
_BAND_KEY_COLOUR = "0.3"  # the legend's grey band swatches
_EDGE_ALPHA, _EDGE_WIDTH = 0.55, 0.7  # the thin lines bounding an ensemble's widest band
#: Ensemble medians closer than this share of the panel's height coincide (as drawn, one hides
#: the other; two ensembles of the same inputs differ by sampling noise).
_MEDIAN_CLOSE = 0.005


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
    alpha = _band_alpha(sum(bool(p.samples) for p in projs))

    if title is None:
        title = _ensemble_title(projs)

    fig = mpl.figure.Figure(
        figsize=(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows), layout="constrained"
    )
    engine = fig.get_layout_engine()
    engine.set(h_pad=0.06, w_pad=0.08, hspace=0.06, wspace=0.04)
    grid = fig.add_gridspec(nrows, ncols)

    panels: list[tuple[Axes, _Panel]] = []
    kinds: set[str] = set()
    bands: dict[str, tuple[float, float, int]] = {}
    for i, name in enumerate(names):
        ax = fig.add_subplot(grid[i // ncols, i % ncols])
        panel = _draw_panel(mpl, ax, name, projs, labels, colours, span, alpha)
        panels.append((ax, panel))
        kinds |= panel.kinds
        for text, key in panel.bands.items():
            bands.setdefault(text, key)

    extra = 0.0  # inches added below and above the panels, so they keep their size
    if title:
        fig.suptitle(title, fontsize=_SUPTITLE, fontweight="bold", parse_math=False)
        extra += 0.35
    legend_rows = _legend(
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
        extra += 0.2 + legend_rows * _LEGEND * 1.6 / 72
    if extra:
        extra = math.ceil(extra * 10) / 10  # a round size
        fig.set_size_inches(PANEL_SIZE[0] * ncols, PANEL_SIZE[1] * nrows + extra)

    # Place labels where they fit: this needs the final layout, so draw once (no rendering).
    fig.draw_without_rendering()
    for ax, panel in panels:
        _place_labels(ax, panel.labels, panel.markers, panel.paths)
        _fit_note(panel)
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
    if (
        isinstance(dpi, bool)
        or not isinstance(dpi, (int, float))
        or not (math.isfinite(dpi) and dpi > 0)
    ):
        raise ProjectionError(f"dpi must be a positive number (got {dpi!r})")
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


def _central(p: Result) -> dict[str, np.ndarray]:
    """The line drawn for each indicator: a projection's trajectory, an ensemble's median."""
    return p.central


def _band_pairs(quantiles: Sequence[float]) -> list[tuple[int, int]]:
    """Rows of the quantiles that bound a band, outermost first: those below 0.5 paired with
    those above it, the lowest with the highest, then inwards. An unpaired quantile (and 0.5,
    the median) bounds no band."""
    qs = [float(q) for q in quantiles]
    order = sorted(range(len(qs)), key=qs.__getitem__)
    below = [i for i in order if qs[i] < 0.5]
    above = [i for i in reversed(order) if qs[i] > 0.5]
    return list(zip(below, above))


def _band_alpha(n_ensembles: int) -> float:
    """Opacity of one band: fainter the more ensembles share the figure, so that bands that
    overlap (or coincide) stay see-through. Nested bands stack, so inner ones look darker."""
    return min(0.22, max(0.08, 0.3 / max(n_ensembles, 1)))


def _band_text(lo: float, hi: float) -> str:
    """``5-95 % band``."""
    return f"{lo * 100:.4g}-{hi * 100:.4g} % band"


def _ensemble_title(projs: list[Result]) -> str | None:
    ensembles = [p for p in projs if p.samples]
    if not ensembles:
        return None
    sizes = sorted({e.samples for e in ensembles})
    n = f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,}"
    if any(_band_pairs(e.quantiles) for e in ensembles):
        return f"Ensemble medians (lines) and quantile bands (shaded), n = {n} members"
    return f"Ensemble medians, n = {n} members"


def _indicator_names(projs: list[Result], wanted: Sequence[str] | str | None) -> list[str]:
    known = sorted({name for p in projs for name in _central(p)})
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
    for y in (start, end):
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
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
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ProjectionError(f"ncols must be a positive whole number (got {ncols!r})")
    return int(ncols)


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


# ---------------------------------------------------------------------------------- panels
@dataclass
class _Label:
    """A text label to place near a marker: targets first, then milestones."""

    x: float
    y: float
    text: str
    colour: Any
    required: bool  # a target's id: always drawn, even where nothing fits


@dataclass
class _Panel:
    labels: list[_Label]
    markers: list[tuple[float, float]]
    paths: list[np.ndarray]  # each line as drawn, (n, 2) in data coordinates
    kinds: set[str]  # "at_least", "at_most", "milestone": what the legend has to explain
    bands: dict[str, tuple[float, float, int]]  # "5-95 % band" -> (low, high, depth)
    heading: Any  # the panel's title
    note: Any  # "baseline = paper-targets": lines that coincide, or None
    short_note: str  # the same, shorter, for where the long one does not fit


def _draw_panel(
    mpl: Any,
    ax: Axes,
    name: str,
    projs: list[Result],
    labels: list[str],
    colours: list[Any],
    span: tuple[float, float],
    alpha: float,
) -> _Panel:
    lo, hi = span
    unit = next(p.units[name] for p in projs if name in _central(p))
    targets: dict[tuple[str, int, float], str] = {}  # (id, year, value) -> kind
    milestone_labels: list[_Label] = []
    markers: list[tuple[float, float]] = []
    kinds: set[str] = set()
    curves: list[tuple[str, np.ndarray, np.ndarray, bool]] = []  # label, x, y, is a median
    paths: list[np.ndarray] = []
    bands: dict[str, tuple[float, float, int]] = {}

    widths = _line_widths(len(projs))
    for p, label, colour, width in zip(projs, labels, colours, widths):
        ensemble = bool(p.samples)
        if name not in _central(p):
            continue
        own_unit = p.units[name]
        factor = _factor(own_unit, unit, name, p.name)
        years = np.asarray(p.years, dtype=float)
        keep = (years >= lo) & (years <= hi)
        indicator = p.scenario.indicators[name]
        stepwise = indicator.model == "staged" and indicator.interpolation in (None, "step")
        xs_line = years[keep]
        ys_line = np.asarray(_central(p)[name], dtype=float)[keep] * factor
        if ensemble:
            rows = np.asarray(p.bands[name], dtype=float)[:, keep] * factor
            for depth, (i, j) in enumerate(_band_pairs(p.quantiles)):
                text = _band_text(p.quantiles[i], p.quantiles[j])
                ax.fill_between(
                    xs_line,
                    rows[i],
                    rows[j],
                    step="post" if stepwise else None,
                    facecolor=colour,
                    edgecolor="none",
                    linewidth=0,
                    alpha=alpha,
                    label=f"{label}: {text}",
                    zorder=1,
                )
                if depth == 0:
                    # the outermost band's bounds as thin lines, so that each scenario's band
                    # can be told apart where faint bands overlap
                    ax.add_collection(
                        mpl.collections.LineCollection(
                            [
                                _drawn_path(xs_line, rows[i], stepwise),
                                _drawn_path(xs_line, rows[j], stepwise),
                            ],
                            colors=[mpl.colors.to_rgba(colour, _EDGE_ALPHA)],
                            linewidths=_EDGE_WIDTH,
                            label=f"{label}: {text} bounds",
                            zorder=1.5,
                        )
                    )
                bands.setdefault(text, (p.quantiles[i], p.quantiles[j], depth))
        curves.append((label, xs_line, ys_line, ensemble))
        paths.append(_drawn_path(xs_line, ys_line, stepwise))
        ax.plot(
            xs_line,
            ys_line,
            color=colour,
            linewidth=width,
            label=label,
            drawstyle="steps-post" if stepwise else "default",
            solid_joinstyle="miter",
            zorder=2,
        )

        # an ensemble's milestones may move in year and value: not marked on its median
        if indicator.model == "staged" and not ensemble:
            xs, ys = [], []
            for m in indicator.milestones or []:
                if not lo <= m.year <= hi:
                    continue
                magnitude, m_unit = m.quantity()
                value = magnitude * _factor(m_unit or own_unit, unit, name, p.name)
                xs.append(float(m.year))
                ys.append(value)
                milestone_labels.append(
                    _Label(
                        float(m.year),
                        value,
                        _quantity_text(magnitude, m_unit or own_unit),
                        colour,
                        required=False,
                    )
                )
            if xs:
                ax.scatter(
                    xs,
                    ys,
                    s=_MILESTONE_SIZE,
                    marker="o",
                    color=colour,
                    edgecolors="white",
                    linewidths=0.8,
                    zorder=4,
                )
                markers += zip(xs, ys)
                kinds.add("milestone")

        for tid, t in p.scenario.targets.items():
            if t.indicator != name or not lo <= t.year <= hi:
                continue
            # required() leaves a bare number as it is: in the scenario's own unit
            value = t.required(own_unit) * factor
            key = (tid, int(t.year), float(f"{value:.12g}"))
            targets.setdefault(key, t.bound[0])

    target_labels = []
    for (tid, year, value), kind in targets.items():
        ax.scatter(
            [year],
            [value],
            s=_TARGET_SIZE,
            marker="^" if kind == "at_least" else "v",
            color=_TARGET_COLOUR,
            edgecolors="white",
            linewidths=0.8,
            zorder=5,
        )
        markers.append((float(year), value))
        target_labels.append(_Label(float(year), value, tid, _TARGET_COLOUR, required=True))
        kinds.add(kind)

    # one label per distinct milestone text and place
    unique: dict[tuple[float, float, str], _Label] = {}
    for lab in milestone_labels:
        unique.setdefault((lab.x, float(f"{lab.y:.12g}"), lab.text), lab)

    heading = ax.set_title(name, fontsize=_TITLE, fontweight="bold", parse_math=False)
    same, short = _coinciding(curves, n_scenarios=len(projs))
    note = None
    if same:
        note = ax.set_title(same, fontsize=_NOTE, loc="right", color="0.35", parse_math=False)
    ax.set_ylabel(unit if unit else "dimensionless", fontsize=_LABEL)
    ax.yaxis.label.set_parse_math(False)
    ax.set_xlabel("year", fontsize=_LABEL)
    ax.tick_params(labelsize=_TICK)
    ax.xaxis.set_major_locator(
        mpl.ticker.MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True, min_n_ticks=2)
    )
    ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda x, _: f"{x:.0f}"))
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(_tick_text))
    ax.grid(True, color="0.88", linewidth=0.7, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    pad = max(0.5, 0.03 * (hi - lo))
    ax.set_xlim(lo - pad, hi + pad)
    # head-room above the highest point for labels, a little below
    ax.margins(y=0.06)
    ymin, ymax = ax.get_ylim()
    ax.set_ylim(ymin, ymax + 0.10 * (ymax - ymin))
    return _Panel(
        target_labels + list(unique.values()), markers, paths, kinds, bands, heading, note, short
    )


def _drawn_path(x: np.ndarray, y: np.ndarray, stepwise: bool) -> np.ndarray:
    """The vertices of a line as drawn (``steps-post`` adds the corners)."""
    if stepwise and len(x) > 1:
        xs = np.repeat(x, 2)[1:]
        ys = np.repeat(y, 2)[:-1]
        return np.column_stack([xs, ys])
    return np.column_stack([x, y])


def _coinciding(
    curves: list[tuple[str, np.ndarray, np.ndarray, bool]], *, n_scenarios: int
) -> tuple[str, str]:
    """A note naming scenarios whose lines coincide (and so hide each other), and a short
    form of it; ``("", "")`` when none do. Two projections' lines coincide when equal (to
    rounding); where one line is an ensemble's median, when nowhere farther apart than
    ``_MEDIAN_CLOSE`` of the lines' range, as drawn one hides the other (and two ensembles of
    the same inputs differ by sampling noise)."""
    ys = [y[np.isfinite(y)] for _, _, y, _ in curves]
    finite = np.concatenate([np.empty(0), *ys])
    span = float(np.ptp(finite)) if finite.size else 0.0
    groups: list[list[int]] = []
    for i, (_, x, y, median) in enumerate(curves):
        for group in groups:
            _, gx, gy, gmedian = curves[group[0]]
            close = (
                dict(rtol=0.0, atol=_MEDIAN_CLOSE * span)
                if (median or gmedian) and span > 0
                else dict(rtol=1e-9, atol=0.0)
            )
            if np.array_equal(x, gx) and np.allclose(y, gy, equal_nan=True, **close):
                group.append(i)
                break
        else:
            groups.append([i])
    shared = [g for g in groups if len(g) > 1]
    if not shared:
        return "", ""
    if len(shared) == 1 and len(shared[0]) == len(curves) == n_scenarios:
        return "same in every scenario", "all the same"
    long = "; ".join(" = ".join(curves[i][0] for i in g) for g in shared)
    n = sum(len(g) for g in shared)
    return long, f"{n} lines coincide"


def _fit_note(panel: _Panel) -> None:
    """Shorten, then drop, a panel's note where it would run into the panel's title."""
    note = panel.note
    if note is None:
        return
    gap = 6 * panel.heading.get_figure().dpi / 72  # 6 points between the two
    for text in (panel.short_note, ""):
        if not note.get_window_extent().overlaps(
            panel.heading.get_window_extent().expanded(1, 1).padded(gap)
        ):
            return
        note.set_text(text)


def _line_widths(n: int) -> list[float]:
    """Thick to thin in drawing order, so a line hidden under a later identical one still
    shows as a coloured edge around it (scenarios often share a stretch, or a whole curve)."""
    if n == 1:
        return [2.2]
    thick, thin = min(1.4 + 0.7 * (n - 1), 3.6), 1.4
    return [thick - (thick - thin) * i / (n - 1) for i in range(n)]


def _factor(from_unit: str, to_unit: str, indicator: str, scenario: str) -> float:
    try:
        return conversion_factor(from_unit, to_unit)
    except ProjectionError as err:
        raise ProjectionError(
            f"{indicator}: scenario {scenario!r} reports it in {from_unit or 'no unit'!r}, "
            f"which cannot share an axis with {to_unit or 'no unit'!r} ({err})"
        ) from None


def _tick_text(x: float, _pos: Any = None) -> str:
    """``12,000``, ``2.5``, ``0``: thousands separated, no trailing zeros, no offset."""
    if x == 0:
        return "0"
    return f"{x:,.6g}"


def _quantity_text(magnitude: float, unit: str) -> str:
    """``4 Tbps``, ``450 Gbps``, ``30 %``."""
    number = f"{magnitude:,.4g}"
    return f"{number} {unit}" if unit else number


# ---------------------------------------------------------------------------------- legend
def _legend(
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
        Line2D([], [], color=c, linewidth=w) for c, w in zip(colours, _line_widths(len(colours)))
    ]
    names = list(labels)
    # each band once, widest first, as grey as it looks stacked on the bands around it
    for text, (_, _, depth) in sorted(bands.items(), key=lambda kv: (kv[1][0], -kv[1][1])):
        handles.append(
            mpl.patches.Patch(
                facecolor=mpl.colors.to_rgba(
                    _BAND_KEY_COLOUR, 1 - (1 - max(alpha, 0.15)) ** (depth + 1)
                ),
                edgecolor=mpl.colors.to_rgba(_BAND_KEY_COLOUR, _EDGE_ALPHA if depth == 0 else 0),
                linewidth=_EDGE_WIDTH,
            )
        )
        names.append(text)
    keys = [
        ("at_least", "^", "target (at least)", _TARGET_COLOUR, 8),
        ("at_most", "v", "target (at most)", _TARGET_COLOUR, 8),
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
    common = dict(fontsize=_LEGEND, frameon=False, handlelength=2.2, borderaxespad=0.2)
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
        entry = (0.6 * max(map(len, names)) + 2.2 + 0.8 + 2.0) * _LEGEND / 72  # inches
        fit = max(1, int(fig.get_figwidth() // entry))
        per_row = min(len(names), fit)
        per_row = math.ceil(len(names) / math.ceil(len(names) / per_row))  # even rows
        legend = fig.legend(handles, names, loc="outside lower center", ncols=per_row, **common)
        rows = math.ceil(len(names) / per_row)
    for text in legend.get_texts():
        text.set_parse_math(False)
    return rows


# ---------------------------------------------------------------------------------- labels
# (offset in points, horizontal alignment, vertical alignment), tried in order
_PLACES = [
    ((-3, 4), "right", "bottom"),  # above left: clear of a rising step's horizontal run
    ((4, 4), "left", "bottom"),  # above right
    ((6, 0), "left", "center"),  # right
    ((-6, 0), "right", "center"),  # left
    ((4, -5), "left", "top"),  # below right
    ((-3, -5), "right", "top"),  # below left
    # farther out, with a leader line
    ((-6, 14), "right", "bottom"),
    ((6, 14), "left", "bottom"),
    ((6, -14), "left", "top"),
    ((-6, -14), "right", "top"),
]
_LEADER = 10  # points: a label farther than this from its point gets a leader line


def _place_labels(
    ax: Axes,
    labels: list[_Label],
    markers: list[tuple[float, float]],
    paths: list[np.ndarray],
) -> None:
    """Annotate each label at the best place near its point.

    A place must lie inside the axes and cover no other label and no marker; a milestone's
    label must also cross no line, and is dropped where nothing fits. A target's id is always
    drawn: where it crosses no line if it can, else at the first place that covers no label
    or marker, else at the first place. Needs the final
    layout: call after the figure is laid out.
    """
    if not labels:
        return
    frame = ax.get_window_extent()
    px = ax.get_figure().dpi / 72.0  # display pixels per point
    half = 4.0 * px
    obstacles = []  # markers and placed labels, as boxes in display space
    for x, y in markers:
        dx, dy = ax.transData.transform((x, y))
        obstacles.append((dx - half, dy - half, dx + half, dy + half))
    ink = _sample(ax, paths, step=1.5 * px)  # points along every line, display space

    for lab in labels:
        fits: list[tuple[tuple[float, float], str, str]] = []
        clear = None
        for offset, ha, va in _PLACES:
            ann = _annotate(ax, lab, offset, ha, va)
            box = _text_box(ann)
            ann.remove()
            rect = (box.x0, box.y0, box.x1, box.y1)
            inside = (
                rect[0] >= frame.x0
                and rect[2] <= frame.x1
                and rect[1] >= frame.y0
                and rect[3] <= frame.y1
            )
            if not inside or any(_overlap(rect, o) for o in obstacles):
                continue
            fits.append((offset, ha, va))
            if not _crosses(rect, ink):
                clear = (offset, ha, va)
                break
        # a milestone's label only where it crosses nothing; a target's id always
        place = clear or (((fits or _PLACES)[0]) if lab.required else None)
        if place is None:
            continue
        ann = _annotate(ax, lab, *place)
        box = _text_box(ann)
        obstacles.append((box.x0, box.y0, box.x1, box.y1))


def _text_box(ann: Any) -> Any:
    """The display box of an annotation's text, without its leader line."""
    from matplotlib.text import Text

    ann.get_window_extent()  # positions the text
    return Text.get_window_extent(ann)


def _sample(ax: Axes, paths: list[np.ndarray], step: float) -> np.ndarray:
    """Points every ``step`` display pixels along each path (a gap where a value is not
    finite: the line is not drawn there either)."""
    chunks = [np.empty((0, 2))]
    for path in paths:
        pts = ax.transData.transform(path)
        for p, q in zip(pts[:-1], pts[1:]):
            if not (np.isfinite(p).all() and np.isfinite(q).all()):
                continue
            n = int(np.hypot(*(q - p)) // step) + 2
            t = np.linspace(0.0, 1.0, n)[:, None]
            chunks.append(p + t * (q - p))
        chunks.append(pts[np.isfinite(pts).all(axis=1)])
    return np.concatenate(chunks)


def _crosses(rect: tuple[float, ...], points: np.ndarray) -> bool:
    x, y = points[:, 0], points[:, 1]
    return bool(np.any((x > rect[0]) & (x < rect[2]) & (y > rect[1]) & (y < rect[3])))


def _annotate(ax: Axes, lab: _Label, offset: tuple[float, float], ha: str, va: str) -> Any:
    ann = ax.annotate(
        lab.text,
        xy=(lab.x, lab.y),
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=_NOTE,
        fontweight="bold" if lab.required else "normal",
        color=lab.colour,
        zorder=6,
        parse_math=False,
        bbox=dict(boxstyle="square,pad=0.12", facecolor="white", edgecolor="none", alpha=0.75),
        arrowprops=(
            dict(arrowstyle="-", color=lab.colour, linewidth=0.6, shrinkA=0, shrinkB=3)
            if max(map(abs, offset)) > _LEADER
            else None
        ),
    )
    ann.set_in_layout(False)  # labels never move the panels
    return ann


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
