"""Overrides: a scenario with some of its fields set from the command line or from code.

``--set indicators.ev_sales_share.params.rate=0.7`` (or ``scenario.with_overrides({...})``)
sets the field at a dotted path and validates the result again. An override is marked where it
lands: a parameter's (or milestone's) ``source`` reads ``override: PATH=VALUE``, so an
overridden number is never mistaken for a sourced one, and it pins what it sets (a
distribution of the overridden value is dropped). A scenario with overrides is named apart
from the one it came from (``baseline with ev_sales_share.rate=0.7``), unless a name is
given, so that a scenario can be compared with a variant of itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from ..exceptions import ScenarioError
from ..models import DERIVED, FAMILIES
from ..text import printable
from ..units import parse_quantity
from ..validation import suggest
from .bare_units import pin_bare_units
from .errors import allowed_keys
from .loading import Document, dotted
from .model import Scenario, split_path
from .validate import validate_document

__all__ = ["parse_override", "parse_variant", "with_overrides", "variant_name", "with_variants"]


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"a.b.c=value"`` (a ``--set`` option) into a path and a YAML-parsed value.

    Examples
    --------
    >>> parse_override("indicators.x.params.rate=0.5")
    ('indicators.x.params.rate', 0.5)
    >>> parse_override("indicators.ofc.params.start=500 Gbps")
    ('indicators.ofc.params.start', '500 Gbps')
    """
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise ScenarioError(f"--set {text!r}: expected dotted.path=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else raw
    except yaml.YAMLError:
        value = raw
    return path.strip(), value


def parse_variant(text: str) -> tuple[str | None, dict[str, Any]]:
    """Split a ``--variant`` option, ``[NAME:]PATH=VALUE[;PATH=VALUE...]``, into a name (or
    None) and its overrides.

    Examples
    --------
    >>> parse_variant("fast:indicators.x.params.rate=0.7")
    ('fast', {'indicators.x.params.rate': 0.7})
    >>> parse_variant("indicators.x.params.rate=0.7; indicators.x.params.start=3")
    (None, {'indicators.x.params.rate': 0.7, 'indicators.x.params.start': 3})
    """
    head, sep, rest = text.partition("=")
    name = None
    if ":" in head:  # paths have no ':', so a colon before the first '=' ends a name
        name, _, head = head.partition(":")
        name = name.strip() or None
    overrides = dict(
        parse_override(part) for part in f"{head}{sep}{rest}".split(";") if part.strip()
    )
    if not overrides:
        raise ScenarioError(f"--variant {text!r}: expected [NAME:]PATH=VALUE")
    return name, overrides


def with_variants(
    scenarios: list[Scenario], variants: list[tuple[str | None, Mapping[str, Any]]]
) -> list[Scenario]:
    """Each scenario followed by its variants: one per ``(name, overrides)`` of ``variants``,
    named ``name`` (or by :func:`variant_name`). Names must end up distinct."""
    out = []
    for s in scenarios:
        out.append(s)
        out += [s.with_overrides(overrides, name=name) for name, overrides in variants]
    seen: dict[str, int] = {}
    for s in out:
        seen[s.name] = seen.get(s.name, 0) + 1
    twice = [n for n, k in seen.items() if k > 1]
    if twice:
        raise ScenarioError(
            f"two scenarios are called {twice[0]!r}: give each variant its own name "
            "(--variant NAME:PATH=VALUE)"
        )
    return out


def with_overrides(
    scenario: Scenario, overrides: Mapping[str, Any], *, name: str | None = None
) -> Scenario:
    """A new validated scenario with the dotted paths in ``overrides`` set.

    See :meth:`Scenario.with_overrides`. ``name`` names the result; by default a scenario with
    overrides is named by :func:`variant_name` (``baseline with ev_sales_share.rate=0.7``), so
    it is told apart from the scenario it came from (an override of ``name`` itself wins).
    """
    data = scenario.to_dict()
    for path in overrides:  # bare numbers keep the unit the file declares (see bare_units)
        parts = split_path(str(path))
        if len(parts) == 3 and parts[0] == "indicators" and parts[2] == "unit":
            old = (data.get("indicators") or {}).get(parts[1], {}).get("unit")
            if isinstance(old, str):
                pin_bare_units(data, str(parts[1]), old)
    for path, value in overrides.items():
        try:
            _apply_override(data, str(path), value)
        except ScenarioError as err:  # a path that does not exist: named with the file
            raise ScenarioError(err.message, file=scenario.file) from None
    _drop_pinned_correlations(data)
    _drop_stranded_levers(data, overrides)
    if name is not None:
        data["name"] = name
    elif overrides and "name" not in overrides:
        data["name"] = variant_name(scenario.name, overrides)
    doc = scenario._document
    new_doc = Document(
        data=data,
        positions=doc.positions if doc else {},
        file=doc.file if doc else None,
        chain=doc.chain if doc else [],
    )
    return validate_document(new_doc)


def variant_name(name: str, overrides: Mapping[str, Any]) -> str:
    """The name of scenario ``name`` with ``overrides``: what was set, briefly.

    Examples
    --------
    >>> variant_name("baseline", {"indicators.ev_sales_share.params.rate": 0.7})
    'baseline with ev_sales_share.rate=0.7'
    >>> variant_name("baseline", {f"indicators.x.params.p{i}": i for i in range(9)})
    'baseline with 9 overrides'
    """
    parts = [
        printable(f"{_short_path(str(path))}={_short_value(v)}") for path, v in overrides.items()
    ]
    text = ", ".join(parts)
    if len(text) > 60:
        text = f"{len(parts)} overrides"
    return f"{name} with {text}"


def _short_path(path: str) -> str:
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "indicators" and parts[2] == "params":
        return f"{parts[1]}.{parts[3]}"
    if parts[0] == "indicators" and len(parts) > 2:
        return ".".join(parts[1:])
    return path


def _short_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return "{...}" if isinstance(value, dict) else "[...]"
    return str(value)


# keyed collections of a scenario: a new key there adds an item (a mapping)
_COLLECTIONS = (("indicators",), ("targets",), ("constraints",))


def _apply_override(data: dict[str, Any], path: str, value: Any) -> None:
    parts = split_path(path)
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, parts[: i + 1], path)
    last = parts[-1]
    if isinstance(node, dict) and last not in node:
        value = _new_key(data, node, parts, path, value)
    current = _child(node, last, parts, path) if _has(node, last) else None
    if (
        isinstance(current, dict)
        and "source" in current
        and "value" in current
        and not isinstance(value, dict)
    ):
        current["value"] = value
        current.pop("distribution", None)  # an override pins the value, in ensembles too
        if isinstance(value, str) and parse_quantity(value)[1]:
            current.pop("unit", None)
        _mark_value_source(current, f"override: {path}={value}", milestone=_in_milestone(parts))
        return
    if isinstance(node, list):
        if not isinstance(last, int) or not 0 <= last < len(node):
            raise ScenarioError(
                f"override {path!r}: no item {last} (the list has {len(node)})", path=path
            )
        node[last] = value
        return
    if not isinstance(node, dict):
        raise ScenarioError(
            f"override {path!r}: cannot set a field inside a {type(node).__name__}", path=path
        )
    node[last] = value
    if last == "value" and isinstance(value, str) and parse_quantity(value)[1]:
        node.pop("unit", None)  # "5 Tbps" carries its own unit
    _mark_parent_override(data, parts, path, value)


def _new_key(data: dict, node: dict, parts: list, path: str, value: Any) -> Any:
    """Check a key that ``node`` does not hold yet; return the value to store under it.

    A parameter the family takes but the file leaves out becomes a sourced record
    (``{value, source: override: ...}``); a field the model allows is set; an item of a keyed
    collection must be a mapping; anything else is an error with the closest valid name.
    """
    last = parts[-1]
    parent = tuple(parts[:-1])
    if len(parent) == 3 and parent[0] == "indicators" and parent[2] == "params":
        model = data["indicators"][parent[1]].get("model")
        family = FAMILIES.get(model) if isinstance(model, str) else None
        valid = (
            [s.name for s in family.params if s.name not in ("milestone_years", "milestone_values")]
            if family is not None
            else None
        )
        if model == DERIVED or (valid is not None and last in valid):
            if isinstance(value, Mapping):
                return value
            return {"value": value, "source": f"override: {path}={value}"}
        known = valid if valid is not None else list(node)
        raise ScenarioError(
            f"override {path!r}: no parameter {last!r} for {model}{suggest(last, known)} "
            f"(parameters: {', '.join(known)})",
            path=path,
        )
    if parent in _COLLECTIONS:
        if isinstance(value, Mapping):
            return value
        known = [str(k) for k in node]
        raise ScenarioError(
            f"override {path!r}: no {parent[0][:-1]} {last!r}{suggest(last, known)} "
            f"(there: {', '.join(known) or 'none'})",
            path=path,
        )
    allowed = allowed_keys(parent)
    if allowed and str(last) not in allowed:
        raise ScenarioError(
            f"override {path!r}: no field {last!r}{suggest(last, allowed)} "
            f"(expected one of: {', '.join(allowed)})",
            path=path,
        )
    return value


def _mark_parent_override(data: dict, parts: list, path: str, value: Any) -> None:
    """``...params.rate.value=3``, ``...rate.distribution.upper=1`` or ``milestones.0.year=2030``:
    say so in the source of the nearest record holding the field (``year_source`` for a
    milestone's year), and drop the distribution of what was pinned."""
    if parts[-1] in ("source", "year_source"):
        return
    chain: list[Any] = [data]
    for p in parts[:-1]:
        chain.append(chain[-1][p])
    for depth in range(len(chain) - 1, 0, -1):
        record = chain[depth]
        if isinstance(record, dict) and "source" in record:
            field = parts[depth]  # the first part below the record
            if field in ("year", "year_distribution") and _in_milestone(parts[:depth]):
                record["year_source"] = f"override: {path}={value}"
            else:
                _mark_value_source(
                    record, f"override: {path}={value}", milestone=_in_milestone(parts[:depth])
                )
            pinned = {"value": "distribution", "year": "year_distribution"}.get(field)
            if pinned and depth == len(parts) - 1:
                record.pop(pinned, None)
            return


def _in_milestone(parts: list) -> bool:
    """Whether ``parts`` is the path of a milestone (``indicators.X.milestones.N``)."""
    return len(parts) == 4 and parts[0] == "indicators" and parts[2] == "milestones"


def _mark_value_source(record: dict, text: str, *, milestone: bool) -> None:
    """Mark the value of ``record`` as overridden. A milestone's ``source`` speaks for its year
    too unless it has a ``year_source``: that year keeps the source it had."""
    if milestone and not record.get("year_source"):
        record["year_source"] = record["source"]
    record["source"] = text


def _has(node: Any, key: Any) -> bool:
    if isinstance(node, dict):
        return key in node
    if isinstance(node, list):
        return isinstance(key, int) and 0 <= key < len(node)
    return False


def _child(node: Any, key: Any, sofar: list, path: str) -> Any:
    if _has(node, key):
        return node[key]
    where = dotted(tuple(sofar))
    if isinstance(node, dict):
        hint = suggest(str(key), [str(k) for k in node])
        raise ScenarioError(
            f"override {path!r}: no field {where!r}{hint} (there: {', '.join(map(str, node)) or 'nothing'})",
            path=where,
        )
    raise ScenarioError(f"override {path!r}: no field {where!r}", path=where)


def _drop_pinned_correlations(data: dict[str, Any]) -> None:
    """A parameter an override pinned (its distribution dropped) leaves the ``correlations``
    section with its row and column; fewer than two left, the section goes."""
    c = data.get("correlations")
    if not isinstance(c, dict) or not isinstance(c.get("parameters"), list):
        return

    def has_distribution(path: Any) -> bool:
        parts = str(path).split(".")
        if len(parts) != 4 or parts[0] != "indicators" or parts[2] != "params":
            return True  # not ours to judge: validation names it
        param = (data.get("indicators") or {}).get(parts[1], {}).get("params", {}).get(parts[3])
        return not isinstance(param, dict) or "distribution" in param

    keep = [i for i, p in enumerate(c["parameters"]) if has_distribution(p)]
    if len(keep) == len(c["parameters"]):
        return
    if len(keep) < 2:
        data.pop("correlations")
        return
    matrix = c.get("matrix")
    c["parameters"] = [c["parameters"][i] for i in keep]
    if isinstance(matrix, list) and all(isinstance(row, list) for row in matrix):
        c["matrix"] = [[matrix[i][j] for j in keep] for i in keep]


def _drop_stranded_levers(data: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """A lever whose path an override took away (a lever on ``rate.distribution.mean`` once
    ``--set`` pinned the rate) goes, as a pinned parameter leaves ``correlations``: the
    policy's choice it stood for is now the override's."""
    levers = data.get("levers")
    if not isinstance(levers, dict) or not overrides:
        return
    import copy

    for name in list(levers):
        lever = levers[name]
        if not isinstance(lever, dict) or not isinstance(lever.get("path"), str):
            continue  # not ours to judge: validation names it
        try:
            _apply_override(copy.deepcopy(data), lever["path"], 0)
        except ScenarioError:
            levers.pop(name)
