"""Reading scenario files: YAML (safe) or TOML, with line numbers, and ``extends``.

The loader turns a file into a plain mapping plus a *position map* that says where each field
stands (file, line, column), so an error found later, by pydantic or by a semantic check, can
still be reported as ``FILE:LINE:COL: path: problem``.

Safety
------
* YAML is read with :class:`yaml.SafeLoader` only: ``!!python/object`` and every other custom
  tag is refused, so no scenario file can run code.
* Duplicate keys are errors (plain YAML silently keeps the last one).
* Files above :data:`MAX_FILE_BYTES`, documents with more than :data:`MAX_NODES` nodes after
  alias expansion (a "billion laughs" file fails fast, without expanding anything) and
  nesting deeper than :data:`MAX_DEPTH` are refused.

``extends``
-----------
``extends: base.yaml`` names a parent file, relative to the child. The parent is loaded first
(recursively; cycles are errors) and the child is deep-merged onto it: mappings merge key by key,
anything else (numbers, strings, lists) is replaced whole. ``name`` and ``description`` are
never inherited: a child that does not name itself is named after its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..exceptions import ScenarioError
from .document import (
    MAX_DEPTH,
    MAX_EXTENDS_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Document,
    Path_,
    Position,
    check_finite_tree,
    dotted,
)
from .formats import read_toml, read_yaml

__all__ = [
    "Document",
    "Path_",
    "Position",
    "dotted",
    "load_document",
    "merge",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
]


def load_document(source: str | Path | Mapping[str, Any]) -> Document:
    """Read a scenario file (or take a mapping) and resolve ``extends``.

    Parameters
    ----------
    source : str, Path or mapping
        A path to a ``.yaml``/``.yml``/``.toml`` file, or an already-parsed mapping (then
        ``extends`` is resolved relative to the current directory).

    Raises
    ------
    ScenarioError
        Unreadable file, syntax error, duplicate key, refused tag, ``extends`` missing or cyclic.
    """
    if isinstance(source, Mapping):
        data = check_finite_tree(dict(source), None, {})
        return _resolve_extends(Document(data=data), Path.cwd(), stack=[])
    path = Path(source)
    return _load_file(path, stack=[])


def _load_file(path: Path, stack: list[Path]) -> Document:
    doc = _read_file(path)
    # _read_file has read the file, so its links end somewhere and resolve
    return _resolve_extends(doc, path.parent, stack=stack + [_resolved(path) or path])


def _resolved(path: Path) -> Path | None:
    """``path`` with its symbolic links followed, or None for a link loop (which
    :meth:`Path.resolve` reports as RuntimeError before Python 3.13, OSError after)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return None


def _resolve_extends(doc: Document, base_dir: Path, stack: list[Path]) -> Document:
    parent_ref = doc.data.get("extends")
    if parent_ref is None:
        doc.data.pop("extends", None)
        if doc.file is not None:
            doc.chain = [doc.file]
        return doc
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise doc.error(
            f"`extends` must be a file name, got {parent_ref!r} (expected e.g. 'base.yaml')",
            ("extends",),
        )
    parent_path = _resolved(base_dir / parent_ref)
    if parent_path is None:
        raise doc.error(
            f"`extends` file {parent_ref!r} is a symbolic link that leads back to itself "
            "(expected a link that ends at a scenario file)",
            ("extends",),
        )
    if parent_path in stack:
        cycle = " -> ".join(p.name for p in stack[stack.index(parent_path) :] + [parent_path])
        raise doc.error(f"`extends` cycle: {cycle}", ("extends",))
    if len(stack) >= MAX_EXTENDS_DEPTH:
        raise doc.error(f"`extends` chain deeper than {MAX_EXTENDS_DEPTH} files", ("extends",))
    if not parent_path.is_file():
        what = "is a directory" if parent_path.is_dir() else "does not exist"
        raise doc.error(
            f"`extends` file {parent_ref!r} {what} (looked at {parent_path})", ("extends",)
        )
    parent = _load_file(parent_path, stack)
    child = dict(doc.data)
    child.pop("extends")
    parent_data = dict(parent.data)
    for own in ("name", "description"):
        parent_data.pop(own, None)
    positions = {
        k: v for k, v in parent.positions.items() if k and k[0] not in ("name", "description")
    }
    positions.update(doc.positions)
    _keep_parent_units(parent_data, child)
    merged = merge(parent_data, child)
    if "name" not in merged and doc.file is not None:
        merged["name"] = Path(doc.file).stem
    chain = ([doc.file] if doc.file else []) + parent.chain
    return Document(data=merged, positions=positions, file=doc.file, chain=chain)


def _keep_parent_units(parent: dict[str, Any], child: Mapping[str, Any]) -> None:
    """A child that gives an indicator another ``unit`` converts the parent's bare numbers,
    which mean the parent's unit, rather than relabelling them (see
    :mod:`projection.scenario.bare_units`)."""
    from .bare_units import pin_bare_units

    theirs, ours = parent.get("indicators"), child.get("indicators")
    if not isinstance(theirs, Mapping) or not isinstance(ours, Mapping):
        return
    for name, indicator in ours.items():
        before = theirs.get(name)
        if not isinstance(indicator, Mapping) or not isinstance(before, Mapping):
            continue
        old, new = before.get("unit"), indicator.get("unit")
        if isinstance(old, str) and isinstance(new, str) and old.strip() != new.strip():
            pin_bare_units(parent, name, old)


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``override`` onto ``base``: mappings merge, everything else is replaced.

    A mapping with a ``source`` key is a sourced record (a parameter: value, unit,
    distribution and the source that explains them) and is replaced whole, never merged: a
    child that gives a new ``value`` must not inherit the parent's distribution or source.

    Examples
    --------
    >>> merge({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]})
    {'a': {'x': 1, 'y': 3}, 'b': [2]}
    >>> merge({"p": {"value": 1, "distribution": {}, "source": "a"}}, {"p": {"value": 2, "source": "b"}})
    {'p': {'value': 2, 'source': 'b'}}
    """
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and "source" in value:
            out[key] = value
        elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


# --------------------------------------------------------------------------- reading one file


def _read_file(path: Path) -> Document:
    name = str(path)
    if path.is_dir():
        raise ScenarioError(
            "is a directory, not a scenario file (expected a .yaml, .yml or .toml file)",
            file=name,
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError(
            "file not found (expected a scenario file, or the name of a shipped scenario: "
            "see `projection list`)",
            file=name,
        ) from None
    except OSError as err:
        raise ScenarioError(f"cannot read file ({err.strerror})", file=name) from None
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"file is {size} bytes (scenario files are limited to {MAX_FILE_BYTES} bytes)",
            file=name,
        )
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"cannot read file ({err.strerror})", file=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, col = _byte_place(raw, err.start)
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise ScenarioError(
            f"not a UTF-8 text file: {'UTF-16' if utf16 else 'byte ' + hex(raw[err.start])} "
            "(expected a YAML or TOML text file in UTF-8; save it as UTF-8)",
            file=name,
            line=line,
            col=col,
        ) from None
    if "\x00" in text:
        line, col = _byte_place(raw, raw.index(b"\x00"))
        raise ScenarioError(
            "binary file: contains NUL bytes (expected a YAML or TOML text file)",
            file=name,
            line=line,
            col=col,
        )
    if path.suffix.lower() == ".toml":
        return read_toml(text, name)
    return read_yaml(text, name)


def _byte_place(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``raw[offset]``."""
    return raw.count(b"\n", 0, offset) + 1, offset - raw.rfind(b"\n", 0, offset)
