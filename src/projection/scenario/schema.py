"""The JSON Schema of scenario files, for editors that validate and complete YAML."""

from __future__ import annotations

from typing import Any

from .model import Scenario

__all__ = ["json_schema"]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, from the pydantic models (with descriptions and
    examples), for editors that validate and complete YAML.

    Semantic rules (units that fit, parameters of the chosen family, ``extends``) are checked
    by :func:`load_scenario`, not by the schema. A file with ``extends`` inherits what it does
    not name, so the schema requires ``horizon`` and ``indicators`` only of files without it,
    and an indicator's or the horizon's keys are never required (a child may override one).
    Keys and types are checked everywhere: a misspelt key is flagged by the editor.

    Examples
    --------
    >>> from projection.scenario import json_schema
    >>> schema = json_schema()
    >>> schema["then"]["required"]
    ['horizon', 'indicators']
    """
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "projection scenario file"
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "Parent scenario file, relative to this one; this file is deep-merged "
        "onto it (a record with a `source` replaces the parent's whole).",
    }
    schema.pop("required", None)
    schema["if"] = {"not": {"required": ["extends"]}}
    schema["then"] = {"required": ["horizon", "indicators"]}
    for name in ("Indicator", "Horizon"):
        schema["$defs"][name].pop("required", None)
    return schema
