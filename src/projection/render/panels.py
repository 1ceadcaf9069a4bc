"""One panel of a figure: an indicator's lines (or an ensemble's median and fan bands), its
targets and milestones, axes, ticks and the note on lines that coincide (see
:func:`draw_panel`). :func:`projection.render.plot.plot_projections` lays the panels out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ProjectionError
from ..units import conversion_factor
from .labels import Label
from .style import EDGE_ALPHA, EDGE_WIDTH, LABEL, NOTE, TARGET_COLOUR, TICK, TITLE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..engine.results import Result

__all__ = ["Panel", "band_alpha", "band_pairs", "draw_panel", "fit_note", "line_widths"]

_MILESTONE_SIZE = 22  # scatter marker area, points^2
_TARGET_SIZE = 60
#: Ensemble medians closer than this share of the panel's height coincide (as drawn, one hides
#: the other; two ensembles of the same inputs differ by sampling noise).
_MEDIAN_CLOSE = 0.005


@dataclass
class Panel:
    """What :func:`draw_panel` drew, for the figure to finish: labels to place once the
    layout is final, and what the legend has to explain."""

    labels: list[Label]
    markers: list[tuple[float, float]]
    paths: list[np.ndarray]  # each line as drawn, (n, 2) in data coordinates
    kinds: set[str]  # "at_least", "at_most", "milestone": what the legend has to explain
    bands: dict[str, tuple[float, float, int]]  # "5-95 % band" -> (low, high, depth)
    heading: Any  # the panel's title
    note: Any  # "baseline = paper-targets": lines that coincide, or None
    short_note: str  # the same, shorter, for where the long one does not fit


def draw_panel(
    mpl: Any,
    ax: Axes,
    name: str,
    projs: list[Result],
    labels: list[str],
    colours: list[Any],
    span: tuple[float, float],
    alpha: float,
) -> Panel:
    """Draw indicator ``name`` of every result in ``projs`` on ``ax``: each scenario's line in
    its colour (a projection's trajectory, an ensemble's median over its fan bands), the
    milestones of a projection's staged indicators, the targets, and a note where lines
    coincide; in the unit of the first result that has the indicator, over the years
    ``span``. Labels are not placed yet (that needs the final layout: see
    :func:`projection.render.labels.place_labels`)."""
    lo, hi = span
    unit = next(p.units[name] for p in projs if name in p.central)
    targets: dict[tuple[str, int, float], str] = {}  # (id, year, value) -> kind
    milestone_labels: list[Label] = []
    markers: list[tuple[float, float]] = []
    kinds: set[str] = set()
    curves: list[tuple[str, np.ndarray, np.ndarray, bool]] = []  # label, x, y, is a median
    paths: list[np.ndarray] = []
    bands: dict[str, tuple[float, float, int]] = {}

    widths = line_widths(len(projs))
    for p, label, colour, width in zip(projs, labels, colours, widths):
        if name not in p.central:
            continue
        own_unit = p.units[name]
        factor = _factor(own_unit, unit, name, p.name)
        years = np.asarray(p.years, dtype=float)
        keep = (years >= lo) & (years <= hi)
        indicator = p.scenario.indicators[name]
        stepwise = indicator.model == "staged" and indicator.interpolation in (None, "step")
        xs_line = years[keep]
        ys_line = np.asarray(p.central[name], dtype=float)[keep] * factor
        for text, key in _draw_fan(mpl, ax, p, name, keep, factor, stepwise, label, colour, alpha):
            bands.setdefault(text, key)
        # an ensemble's median is drawn where a projection's trajectory is
        median = bool(p.samples)
        curves.append((label, xs_line, ys_line, median))
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
        if indicator.model == "staged" and not median:
            xs, ys = [], []
            for m in indicator.milestones or []:
                if not lo <= m.year <= hi:
                    continue
                magnitude, m_unit = m.quantity()
                value = magnitude * _factor(m_unit or own_unit, unit, name, p.name)
                xs.append(float(m.year))
                ys.append(value)
                milestone_labels.append(
                    Label(
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
            for bound, _ in t.bounds:  # a range target: both ends, each with its marker
                value = t.required(own_unit, bound) * factor
                key = (tid, int(t.year), float(f"{value:.12g}"))
                targets.setdefault(key, bound)

    target_labels = []
    labelled = set()  # a range target has two markers and one label, at its lower end
    for (tid, year, value), kind in targets.items():
        ax.scatter(
            [year],
            [value],
            s=_TARGET_SIZE,
            marker="^" if kind == "at_least" else "v",
            color=TARGET_COLOUR,
            edgecolors="white",
            linewidths=0.8,
            zorder=5,
        )
        markers.append((float(year), value))
        if (tid, year) not in labelled:
            labelled.add((tid, year))
            target_labels.append(Label(float(year), value, tid, TARGET_COLOUR, required=True))
        kinds.add(kind)

    # one label per distinct milestone text and place
    unique: dict[tuple[float, float, str], Label] = {}
    for lab in milestone_labels:
        unique.setdefault((lab.x, float(f"{lab.y:.12g}"), lab.text), lab)

    heading = ax.set_title(name, fontsize=TITLE, fontweight="bold", parse_math=False)
    same, short = _coinciding(curves, n_scenarios=len(projs))
    note = None
    if same:
        note = ax.set_title(same, fontsize=NOTE, loc="right", color="0.35", parse_math=False)
    ax.set_ylabel(unit if unit else "dimensionless", fontsize=LABEL)
    ax.yaxis.label.set_parse_math(False)
    ax.set_xlabel("year", fontsize=LABEL)
    ax.tick_params(labelsize=TICK)
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
    return Panel(
        target_labels + list(unique.values()), markers, paths, kinds, bands, heading, note, short
    )


def _draw_fan(
    mpl: Any,
    ax: Axes,
    p: Result,
    name: str,
    keep: np.ndarray,
    factor: float,
    stepwise: bool,
    label: str,
    colour: Any,
    alpha: float,
) -> list[tuple[str, tuple[float, float, int]]]:
    """Shade the quantile bands of ``p`` (none for a projection: it has no quantiles), the
    outermost bounded by thin lines; return each band's legend text with ``(low, high,
    depth)``."""
    drawn = []
    xs = np.asarray(p.years, dtype=float)[keep]
    for depth, (i, j) in enumerate(band_pairs(p.quantiles)):
        rows = np.asarray(p.bands[name], dtype=float)[:, keep] * factor
        text = _band_text(p.quantiles[i], p.quantiles[j])
        ax.fill_between(
            xs,
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
            # the outermost band's bounds as thin lines, so that each scenario's band can be
            # told apart where faint bands overlap
            ax.add_collection(
                mpl.collections.LineCollection(
                    [_drawn_path(xs, rows[i], stepwise), _drawn_path(xs, rows[j], stepwise)],
                    colors=[mpl.colors.to_rgba(colour, EDGE_ALPHA)],
                    linewidths=EDGE_WIDTH,
                    label=f"{label}: {text} bounds",
                    zorder=1.5,
                )
            )
        drawn.append((text, (p.quantiles[i], p.quantiles[j], depth)))
    return drawn


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


def fit_note(panel: Panel) -> None:
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


def line_widths(n: int) -> list[float]:
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


def band_pairs(quantiles: Sequence[float]) -> list[tuple[int, int]]:
    """Rows of the quantiles that bound a band, outermost first: those below 0.5 paired with
    those above it, the lowest with the highest, then inwards. An unpaired quantile (and 0.5,
    the median) bounds no band."""
    qs = [float(q) for q in quantiles]
    order = sorted(range(len(qs)), key=qs.__getitem__)
    below = [i for i in order if qs[i] < 0.5]
    above = [i for i in reversed(order) if qs[i] > 0.5]
    return list(zip(below, above))


def band_alpha(n_ensembles: int) -> float:
    """Opacity of one band: fainter the more ensembles share the figure, so that bands that
    overlap (or coincide) stay see-through. Nested bands stack, so inner ones look darker."""
    return min(0.22, max(0.08, 0.3 / max(n_ensembles, 1)))


def _band_text(lo: float, hi: float) -> str:
    """``5-95 % band``."""
    return f"{lo * 100:.4g}-{hi * 100:.4g} % band"
