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

import math
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import ScenarioError

__all__ = ["Document", "load_document", "merge", "MAX_FILE_BYTES", "MAX_NODES", "MAX_DEPTH"]

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
        data = _check_finite_tree(dict(source), None, {})
        return _resolve_extends(Document(data=data), Path.cwd(), stack=[])
    path = Path(source)
    return _load_file(path, stack=[])


def _load_file(path: Path, stack: list[Path]) -> Document:
    doc = _read_file(path)
    return _resolve_extends(doc, path.parent, stack=stack + [path.resolve()])


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
    parent_path = (base_dir / parent_ref).resolve()
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
    merged = merge(parent_data, child)
    if "name" not in merged and doc.file is not None:
        merged["name"] = Path(doc.file).stem
    chain = ([doc.file] if doc.file else []) + parent.chain
    return Document(data=merged, positions=positions, file=doc.file, chain=chain)


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
        return _read_toml(text, name)
    return _read_yaml(text, name)


def _byte_place(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in bytes) of ``raw[offset]``."""
    return raw.count(b"\n", 0, offset) + 1, offset - raw.rfind(b"\n", 0, offset)


def _read_toml(text: str, name: str) -> Document:
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(name) from None
    except tomllib.TOMLDecodeError as err:
        # tomllib: "Invalid value (at line 3, column 7)"
        msg = str(err)
        line = col = None
        if "(at line " in msg:
            head, _, where = msg.rpartition(" (at line ")
            try:
                line_s, col_s = where.rstrip(")").split(", column ")
                line, col = int(line_s), int(col_s)
                msg = head
            except ValueError:
                pass
        raise ScenarioError(f"TOML syntax error: {msg}", file=name, line=line, col=col) from None
    except ValueError as err:  # not a TOMLDecodeError: an integer of more than 4300 digits
        raise ScenarioError(f"TOML: cannot read a value ({_first_line(err)})", file=name) from None
    if not data:
        raise ScenarioError(
            "empty scenario file (expected a mapping with `name`, `horizon`, `indicators`)",
            file=name,
        )
    positions = _toml_positions(text, name)
    return Document(data=_check_finite_tree(data, name, positions), positions=positions, file=name)


_TOML_MASK = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
)
_TOML_BARE = r'(?:[A-Za-z0-9_-]+|"[^"\n]*"|\'[^\'\n]*\')'
_TOML_TOKEN = re.compile(
    rf"(?P<key>{_TOML_BARE}(?:\s*\.\s*{_TOML_BARE})*)\s*=(?!=)|(?P<punct>[{{}}\[\],])"
)
_TOML_HEADER = re.compile(r"\s*(\[\[?)\s*(?P<key>[^\[\]]+?)\s*\]\]?\s*$")


def _toml_positions(text: str, name: str) -> dict[Path_, Position]:
    """Where each key of a TOML document stands: tables, keys, inline tables and arrays.

    tomllib gives no positions, so this scans the text (strings and comments blanked out,
    columns kept). It is best effort: a field it misses is located at its nearest ancestor.
    """

    def blank(m: re.Match) -> str:
        t = m.group()
        if t.startswith("#"):
            return " " * len(t)
        q = 3 if t[:3] in ('"""', "'''") else 1
        return t[:q] + re.sub(r"[^\n]", " ", t[q:-q]) + t[-q:]

    out: dict[Path_, Position] = {}
    table: Path_ = ()
    tables_seen: dict[Path_, int] = {}
    stack: list[list] = []  # open inline tables ["t", path] and arrays ["a", path, index]
    last: Path_ = ()
    masked = _TOML_MASK.sub(blank, text).splitlines()
    for number, (raw, line) in enumerate(zip(text.splitlines(), masked), start=1):
        header = None if stack else _TOML_HEADER.match(line)
        if header:
            keys = _toml_key(raw[header.start("key") : header.end("key")])
            if header.group(1) == "[[":
                tables_seen[keys] = tables_seen.get(keys, -1) + 1
                keys = keys + (tables_seen[keys],)
            table = keys
            for cut in range(1, len(keys) + 1):
                out.setdefault(keys[:cut], (name, number, header.start("key") + 1))
            continue
        for tok in _TOML_TOKEN.finditer(line):
            top = stack[-1] if stack else None
            here = (name, number, tok.start() + 1)
            if tok.group("key"):
                base = table if top is None else top[1]
                last = base + _toml_key(raw[tok.start("key") : tok.end("key")])
                for cut in range(len(base) + 1, len(last) + 1):
                    out.setdefault(last[:cut], here)
                continue
            punct = tok.group("punct")
            if punct in "{[":
                path = top[1] + (top[2],) if top is not None and top[0] == "a" else last
                out.setdefault(path, here)
                stack.append(["t", path] if punct == "{" else ["a", path, 0])
            elif punct in "}]":
                if stack:
                    stack.pop()
            elif top is not None and top[0] == "a":
                top[2] += 1
    return out


def _toml_key(text: str) -> Path_:
    """``a."b.c".d`` -> ``("a", "b.c", "d")``."""
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', text)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # <<: *anchor, merged below
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first defined on line {seen[key].line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        self.flatten_mapping(node)  # merge keys: the mapping's own keys win, as YAML says
        return super().construct_mapping(node, deep=deep)


def _read_yaml(text: str, name: str) -> Document:
    try:
        loader = _Loader(text)  # checks the characters: a control character is refused here
    except yaml.reader.ReaderError as err:
        before = text[: err.position]
        line, col = before.count("\n") + 1, len(before) - before.rfind("\n")
        raise ScenarioError(
            f"YAML: unacceptable character #x{err.character:04x} (special characters are not "
            "allowed)",
            file=name,
            line=line,
            col=col,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(
                "empty scenario file (expected a mapping with `name`, `horizon`, `indicators`)",
                file=name,
            )
        positions: dict[Path_, Position] = {}
        _walk_positions(node, (), positions, name, [0])
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        if "could not determine a constructor" in problem:
            problem = f"tag {problem.split('tag ', 1)[-1]} is not allowed (scenario files hold plain data only)"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise ScenarioError(f"YAML: {problem}", file=name, line=line, col=col) from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"YAML: {' '.join(str(err).split())}", file=name) from None
    except ScenarioError:  # already located (empty file, duplicate key, too many values)
        raise
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise ScenarioError(f"YAML: cannot read a value ({_first_line(err)})", file=name) from None
    except RecursionError:  # the composer recurses once per level, before we can count
        raise _too_deep(name) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a scenario file must be a mapping, got {type(data).__name__}",
            file=name,
            line=1,
            col=1,
        )
    return Document(data=_check_finite_tree(data, name, positions), positions=positions, file=name)


def _walk_positions(node, path: Path_, out: dict, name: str, count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ScenarioError(
            f"document has more than {MAX_NODES} values after expanding aliases (refused)",
            file=name,
            line=node.start_mark.line + 1,
        )
    out.setdefault(path, (name, node.start_mark.line + 1, node.start_mark.column + 1))
    if len(path) > MAX_DEPTH:
        raise _too_deep(name, node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else str(key_node.start_mark)
            )
            if isinstance(key_node, yaml.ScalarNode) and key != "<<":
                mark = key_node.start_mark
                if (key_node.tag, key) in seen:
                    raise ScenarioError(
                        f"duplicate key {key!r} (first defined on line {seen[key_node.tag, key]};"
                        " expected each key once: YAML would silently keep the last)",
                        file=name,
                        line=mark.line + 1,
                        col=mark.column + 1,
                        path=dotted(path + (key,)),
                    )
                seen[key_node.tag, key] = mark.line + 1
            out.setdefault(
                path + (key,), (name, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            )
            _walk_positions(value_node, path + (key,), out, name, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk_positions(item, path + (i,), out, name, count)


def _too_deep(name: str | None, line: int | None = None, col: int | None = None) -> ScenarioError:
    return ScenarioError(
        f"nested deeper than {MAX_DEPTH} levels (refused; a scenario needs about 8)",
        file=name,
        line=line,
        col=col,
    )


def _first_line(err: Exception) -> str:
    """The first sentence of an exception's message, for a one-line error."""
    return (
        str(err).split(";")[0].strip().splitlines()[0] if str(err).strip() else type(err).__name__
    )


def _check_finite_tree(data: Any, name: str | None, positions: dict, path: Path_ = ()) -> Any:
    """Refuse ``.nan``/``.inf`` anywhere and nesting deeper than :data:`MAX_DEPTH`; return
    ``data`` unchanged."""
    if len(path) > MAX_DEPTH:
        pos = positions.get(path)
        raise _too_deep(name, pos[1] if pos else None, pos[2] if pos else None)
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
            _check_finite_tree(v, name, positions, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _check_finite_tree(v, name, positions, path + (i,))
    return data
