"""Labels placed where they fit: a target's id or a milestone's value next to its marker,
over no other label, marker or line (see :func:`place_labels`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import NOTE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["Label", "place_labels"]


@dataclass
class Label:
    """A text label to place near a marker: targets first, then milestones."""

    x: float
    y: float
    text: str
    colour: Any
    required: bool  # a target's id: always drawn, even where nothing fits


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


def place_labels(
    ax: Axes,
    labels: list[Label],
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


def _annotate(ax: Axes, lab: Label, offset: tuple[float, float], ha: str, va: str) -> Any:
    ann = ax.annotate(
        lab.text,
        xy=(lab.x, lab.y),
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va=va,
        fontsize=NOTE,
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
