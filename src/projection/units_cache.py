"""Unit facts pint worked out once, remembered on disk so that later runs need no pint.

Every question the package asks of units while it validates, compiles and runs a scenario
takes strings and gives plain data: the factor from ``Tbps`` to ``Gbps``, the dimension of
``GW``, the unit of ``ofc_traffic / ofc_capacity`` given the units of its names, the compiled
form of a derived expression. pint answers each the first time (importing pint and building
its registry costs more than everything else a command does); the answer is kept here, in
memory and in a JSON file in the user's cache folder, and the next process that asks reads it
back instead of importing pint. Units repeat across scenarios (``%``, ``Gbps``, ``GW``,
``1/yr``), so after the first run almost every question is answered from the file.

What is kept is exactly what pint computed (floats written to their last digit), so results
do not depend on whether an answer came from pint or from the file (tested). Errors are not
kept: a unit that does not parse is asked of pint every time, whose message is then raised.
Unit text is checked against the bounds of :mod:`projection.units_bounds` before the cache is
asked, so text out of bounds never gets an answer, from the file or from pint.

The file is named after a fingerprint of everything an answer depends on (the modules that
compute the answers, as installed, pint's installation, the unit definitions projection adds),
so an upgrade, a reinstall or an edit starts a new file. ``PROJECTION_CACHE_DIR`` sets the folder; set to an empty string, nothing is read or
written. A file that cannot be read or written is ignored: the cache is an optimisation only.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

__all__ = ["cached", "cache_file", "clear_memory", "MAX_ENTRIES"]

#: A file with more entries than this is started afresh (a guard, not a limit ever reached by
#: real use: a few hundred units and expressions).
MAX_ENTRIES = 20_000

#: Bumped when the meaning or layout of an entry changes.
FORMAT = 1

_memory: dict[str, Any] | None = None  # what the file held when read, plus what was added
_added: dict[str, Any] = {}
_registered = False
_MISSING = object()


def _folder() -> Path | None:
    configured = os.environ.get("PROJECTION_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "projection" / "Cache"
    if sys.platform == "darwin":  # pragma: no cover - exercised on macOS only
        return Path.home() / "Library" / "Caches" / "projection"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "projection"


#: The modules whose code computes the answers kept (an edited one starts a new file, so a
#: developer never reads answers an older version computed).
_MODULES = (
    "units.py",
    "units_bounds.py",
    "units_cache.py",
    "engine/derived.py",
    "scenario/expressions.py",
    "scenario/expression_tree.py",
    "scenario/expression_eval.py",
    "scenario/time_functions.py",
)


def _fingerprint() -> str:
    """What every answer depends on: this package's version and the code that computes the
    answers, pint's files, the added definitions."""
    from importlib.util import find_spec

    from .units import DEFINITIONS

    # the modules' sizes and times stand for this package's version: an install or upgrade
    # writes them anew (and reading the version would import importlib.metadata)
    parts = [f"format {FORMAT}", *DEFINITIONS]
    here = Path(__file__).resolve().parent
    files = [here / name for name in _MODULES]
    spec = find_spec("pint")
    if spec is not None and spec.origin:
        origin = Path(spec.origin)
        files += [origin, origin.parent / "default_en.txt"]
    for path in files:
        try:
            st = path.stat()
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}:missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def cache_file() -> Path | None:
    """The file answers are kept in (None: the disk cache is off)."""
    folder = _folder()
    return None if folder is None else folder / f"units-{_fingerprint()}.json"


def _read(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or len(data) > MAX_ENTRIES:
        return {}
    return data


def _entries() -> dict[str, Any]:
    global _memory
    if _memory is None:
        _memory = _read(cache_file())
    return _memory


def _flush() -> None:
    """Write what this process added (merged with what another process may have written)."""
    if not _added:
        return
    path = cache_file()
    if path is None:
        return
    try:
        data = _read(path)
        data.update(_added)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
        _added.clear()
    except OSError:  # a read-only home, a full disk: run without the cache
        pass


def clear_memory() -> None:
    """Forget what this process read or learnt (the file stays): the next question reads the
    file again. For tests."""
    global _memory
    _flush()
    _memory = None
    _added.clear()


def cached(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Remember the answers of a function of strings whose answer is plain JSON data.

    The key is ``kind`` and the arguments; an exception is raised as it is, never kept.
    """

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)
        def answer(*args: Any) -> Any:
            global _registered
            key = json.dumps([kind, *args], separators=(",", ":"))
            entries = _entries()
            found = entries.get(key, _MISSING)
            if found is not _MISSING:
                return found
            value = json.loads(json.dumps(func(*args)))  # what the file gives back: lists
            entries[key] = _added[key] = value
            if not _registered:
                atexit.register(_flush)
                _registered = True
            return value

        answer.uncached = func  # type: ignore[attr-defined]
        return answer

    return wrap
