"""Reading one scenario file, by format: YAML (safe, with libyaml when it is there) or TOML,
each with the position of every field, so that a later error can name file, line and column.

Safety: YAML is read with :class:`yaml.SafeLoader`'s constructor only (``!!python/object`` and
every other custom tag is refused), duplicate keys are errors, documents with more than
:data:`~projection.scenario.document.MAX_NODES` values after alias expansion ("billion laughs")
or nested deeper than :data:`~projection.scenario.document.MAX_DEPTH` are refused.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..exceptions import ScenarioError
from .document import (
    MAX_DEPTH,
    MAX_NODES,
    Document,
    Path_,
    Position,
    check_finite_tree,
    dotted,
    first_line,
    too_deep,
)

__all__ = ["read_toml", "read_yaml"]


def read_toml(text: str, name: str) -> Document:
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise too_deep(name) from None
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
        raise ScenarioError(f"TOML: cannot read a value ({first_line(err)})", file=name) from None
    if not data:
        raise ScenarioError(
            "empty scenario file (expected a mapping with `name`, `horizon`, `indicators`)",
            file=name,
        )
    positions = _toml_positions(text, name)
    return Document(data=check_finite_tree(data, name, positions), positions=positions, file=name)


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


class _NoDuplicates:
    """A constructor mixin that refuses duplicate keys (plain YAML keeps the last silently)."""

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


class _Loader(_NoDuplicates, yaml.SafeLoader):
    """The reference loader: pure Python, plain data only, duplicate keys refused. Its errors
    are the ones reported."""


try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None


if CParser is not None:

    class _FastLoader(
        CParser,
        yaml.composer.Composer,
        _NoDuplicates,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):  # type: ignore[misc,valid-type]
        """libyaml's parser (C, about seven times faster) under the same composer, constructor
        and resolver as :class:`_Loader`, so the nodes, their positions and the data are the
        same (tested). Composition stays in Python: nesting too deep for it is a RecursionError,
        never a crash of the C stack."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node
        get_single_node = yaml.composer.Composer.get_single_node


def read_yaml(text: str, name: str) -> Document:
    """Read a YAML document. A well-formed file is parsed by libyaml (fast); anything it finds
    wrong, or a character the reference loader refuses, is read again by the reference loader,
    whose message names the problem exactly as it always has."""
    if CParser is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        fast = _FastLoader(text)
        try:
            node = fast.get_single_node()
            if node is not None:
                positions: dict[Path_, Position] = {}
                _walk_positions(node, (), positions, name, [0])
                data = fast.construct_document(node)
                if isinstance(data, dict):
                    tree = check_finite_tree(data, name, positions)
                    return Document(data=tree, positions=positions, file=name)
        except Exception:  # noqa: BLE001 - the reference loader says what is wrong
            pass
        finally:
            fast.dispose()
    return _read_yaml_reference(text, name)


def _read_yaml_reference(text: str, name: str) -> Document:
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
        raise ScenarioError(f"YAML: cannot read a value ({first_line(err)})", file=name) from None
    except RecursionError:  # the composer recurses once per level, before we can count
        raise too_deep(name) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ScenarioError(
            f"a scenario file must be a mapping, got {type(data).__name__}",
            file=name,
            line=1,
            col=1,
        )
    return Document(data=check_finite_tree(data, name, positions), positions=positions, file=name)


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
        raise too_deep(name, node.start_mark.line + 1, node.start_mark.column + 1)
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
