"""pydantic's validation errors in the words of a scenario file.

pydantic reports where a field failed in its own terms (union tags, ``function-after[...]``,
``Input tag 'unifrom' found using 'type' ...``). :func:`from_pydantic` turns the first error into
one located message that names the user's field path, what was wrong and what was expected,
with a "did you mean" for a misspelt key or distribution type.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from ..exceptions import ScenarioError
from ..validation import suggest
from .distributions import DISTRIBUTIONS, field_names
from .loading import Document, Path_
from .model import Constraint, Horizon, Indicator, Milestone, Param, Scenario, Target

__all__ = ["from_pydantic", "allowed_keys"]


def from_pydantic(err: ValidationError, doc: Document) -> ScenarioError:
    """The first of pydantic's errors as one located message in the words of a scenario file."""
    errors = err.errors(include_url=False)
    # a misspelt key also makes its right spelling "missing": report the misspelling first
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _clean_loc(first["loc"])
    kind = first["type"]
    msg = first["msg"]
    inp = first.get("input")
    if (
        kind in ("model_type", "dict_type")
        and loc
        and loc[-2:-1] in (("params",),)
        or (kind == "model_type" and len(loc) >= 3 and loc[-3] == "milestones")
    ):
        msg = (
            f"expected a mapping with `value`, `source` and optional `unit` "
            f"(got {type(inp).__name__} {_short(inp)})"
        )
    elif kind == "string_too_short" and loc and loc[-1] in ("source", "year_source"):
        msg = (
            "a source may not be empty (expected 'paper, <section>, line N' or "
            "'assumption: <reason>')"
        )
    elif kind == "extra_forbidden":
        allowed = allowed_keys(loc[:-1])
        hint = suggest(str(loc[-1]), allowed)
        expected = f"expected one of: {', '.join(allowed)}" if allowed else "not expected here"
        msg = f"unknown key {loc[-1]!r}{hint} ({expected})"
    elif kind == "union_tag_invalid":
        tag = first.get("ctx", {}).get("tag", inp)
        kinds = list(DISTRIBUTIONS)
        msg = (
            f"unknown distribution type {tag!r}{suggest(str(tag), kinds)} "
            f"(expected one of: {', '.join(kinds)})"
        )
        loc = (*loc, "type")
    elif kind == "union_tag_not_found":
        msg = f"a distribution needs a `type` (expected one of: {', '.join(DISTRIBUTIONS)})"
    elif kind == "missing":
        msg = f"missing required key {loc[-1]!r}"
    elif kind == "literal_error":
        msg = f"got {_short(inp)} (expected {first.get('ctx', {}).get('expected', msg)})"
    elif kind in _EXPECTED:
        what = _EXPECTED[kind]
        if loc and loc[-1] in _UNION_FIELDS:
            what = "a number or a quantity such as '4 Tbps'"
        msg = f"wrong type: got {type(inp).__name__} {_short(inp)} (expected {what})"
    elif kind.startswith(
        ("int_", "float_", "string_", "dict_", "list_", "model_", "literal_", "bool_")
    ):
        msg = f"{msg} (got {type(inp).__name__} {_short(inp)})"
    elif kind == "value_error":
        msg = msg.removeprefix("Value error, ")
    return doc.error(msg, loc)


# pydantic error type -> what was expected, in the words of a scenario file
_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "dict_type": "a mapping of names to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "list_type": "a list",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}

_UNION_TAGS = {"int", "float", "str", "bool"}
_PYDANTIC_TAG = re.compile(r"[a-z][a-z0-9_-]*\[.*\]", re.S)


def _clean_loc(loc: tuple) -> Path_:
    """Drop the tags pydantic adds for union members (``float``, ``str``,
    ``function-after[...]``) so the path is the user's field path."""
    out: list[str | int] = []
    for i, p in enumerate(loc):
        if isinstance(p, str) and (
            # a tag such as function-after[...]; never the last item, which is the user's key
            (i < len(loc) - 1 and _PYDANTIC_TAG.fullmatch(p) is not None)
            or (p in _UNION_TAGS and out and out[-1] in _UNION_FIELDS)
            or (p in _DISTRIBUTION_TAGS and out and out[-1] in _DISTRIBUTION_FIELDS)
        ):
            continue
        out.append(p)
    return tuple(out)


_UNION_FIELDS = {"value", "at_least", "at_most"}
_DISTRIBUTION_FIELDS = {"distribution", "year_distribution"}
_DISTRIBUTION_TAGS = set(DISTRIBUTIONS)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# (model, field) -> (model of the field's items, whether a key/index comes before them)
_NESTED: dict[tuple[type[BaseModel], str], tuple[type[BaseModel], bool]] = {
    (Scenario, "horizon"): (Horizon, False),
    (Scenario, "indicators"): (Indicator, True),
    (Scenario, "targets"): (Target, True),
    (Scenario, "constraints"): (Constraint, True),
    (Indicator, "params"): (Param, True),
    (Indicator, "milestones"): (Milestone, True),
}


def allowed_keys(parent: Path_) -> list[str]:
    """Field names allowed at ``parent`` (for "did you mean" hints)."""
    if parent and parent[-1] in _DISTRIBUTION_FIELDS:  # any distribution type's fields
        return field_names()
    model: type[BaseModel] | None = Scenario
    path = list(parent)
    while path and model is not None:
        head = str(path.pop(0))
        nested = _NESTED.get((model, head))
        if nested is None:
            return []
        model, keyed = nested
        if keyed:
            path = path[1:]
    return sorted(model.model_fields) if model is not None else []
