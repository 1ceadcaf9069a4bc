"""The look of the figures :mod:`projection.render.plot` draws: font sizes and the colours
shared by the panels (:mod:`.panels`), their labels (:mod:`.labels`) and the legend
(:mod:`.legend`)."""

from __future__ import annotations

# font sizes, points
TITLE, LABEL, TICK, NOTE, LEGEND, SUPTITLE = 11.5, 10, 9, 8, 10, 13
TARGET_COLOUR = "0.12"
EDGE_ALPHA, EDGE_WIDTH = 0.55, 0.7  # the thin lines bounding an ensemble's widest band
