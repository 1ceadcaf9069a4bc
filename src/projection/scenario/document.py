"""A scenario document: the mapping read from a file, where each field stands, and the limits.

Shared by the readers of each format (:mod:`projection.scenario.formats`) and the loader that
resolves ``extends`` (:mod:`projection.scenario.loading`).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

from ..exceptions import ScenarioError

__all__ = [
    "Document",
    "Path_",
    "Position",
    "dotted",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_EXTENDS_DEPTH",
    "check_finite_tree",
    "too_deep",
    "first_line",
]

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists accepted (a scenario needs about 8 levels).
MAX_DEPTH = 32
MAX_EXTENDS_DEPTH = 20

Path_ = tuple[str | int, ...]
Position = tuple[str, int, int]  # file, line (1-based), column (1-based)


@dataclass
class Document:
    """A scenario mapping read from a file, with where each field stands.

    Attributes
    ----------
    data : dict
        The merged mapping (``extends`` resolved).
    positions : dict
        ``(key, key, index, ...) -> (file, line, col)`` for every field read from a file.
    file : str or None
        The file the document was read from (the child, when ``extends`` was used).
    chain : list of str
        The files that make up the document, child first.
    """

    data: dict[str, Any]
    positions: dict[Path_, Position] = field(default_factory=dict)
    file: str | None = None
    chain: list[str] = field(default_factory=list)

    def locate(self, path: Path_) -> Position | None:
        """Position of ``path`` or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:cut]))
            if pos is not None:
                return pos
        return None

    def error(self, message: str, path: Path_ = (), cls: type[ScenarioError] = ScenarioError):
        """Build a located :class:`ScenarioError` for ``path``."""
        pos = self.locate(path)
        file, line, col = pos if pos else (self.file, None, None)
        return cls(message, file=file, line=line, col=col, path=dotted(path) or None)


def dotted(path: Path_) -> str:
    """``("indicators", "ev", "params", "rate")`` -> ``"indicators.ev.params.rate"``."""
    return ".".join(str(p) for p in path)


def too_deep(name: str | None, line: int | None = None, col: int | None = None) -> ScenarioError:
    return ScenarioError(
        f"nested deeper than {MAX_DEPTH} levels (refused; a scenario needs about 8)",
        file=name,
        line=line,
        col=col,
    )


def first_line(err: Exception) -> str:
    """The first sentence of an exception's message, for a one-line error."""
    return (
        str(err).split(";")[0].strip().splitlines()[0] if str(err).strip() else type(err).__name__
    )


def check_finite_tree(data: Any, name: str | None, positions: dict, path: Path_ = ()) -> Any:
    """Refuse ``.nan``/``.inf`` anywhere and nesting deeper than :data:`MAX_DEPTH`; return
    ``data`` unchanged."""
    if len(path) > MAX_DEPTH:
        pos = positions.get(path)
        raise too_deep(name, pos[1] if pos else None, pos[2] if pos else None)
    too_large = isinstance(data, int) and abs(data) > sys.float_info.max  # e.g. 10**400
    if too_large or (isinstance(data, float) and not math.isfinite(data)):
        pos = positions.get(path)
        raise ScenarioError(
            "number too large (at most about 1.8e308)"
            if too_large
            else f"non-finite number {data!r} (expected a finite number)",
            file=name,
            line=pos[1] if pos else None,
            col=pos[2] if pos else None,
            path=dotted(path) or None,
        )
    if isinstance(data, dict):
        for k, v in data.items():
            check_finite_tree(v, name, positions, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            check_finite_tree(v, name, positions, path + (i,))
    return data
