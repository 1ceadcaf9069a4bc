"""MkDocs hooks: the generated parts of the documentation, produced at build time.

``mkdocs.yml`` names this file under ``hooks:``. Pages hold a marker, an HTML comment that
renders as nothing, where generated Markdown goes:

* ``<!-- cli-reference -->`` (docs/cli.md): every command of the typer app
  :data:`projection.cli.app`, with its help, usage, arguments and options, walked through the
  click group ``typer.main.get_command(app)``; a new command appears with the next build;
* ``<!-- schema-reference -->`` (docs/scenario-reference.md): every field of a scenario file
  from the JSON Schema :func:`projection.scenario.json_schema`, with type, required, default,
  description and examples;
* ``<!-- family-params: NAME -->`` (docs/families.md): the parameter table of a growth family
  from its ``ParamSpec`` tuple (unit and domain).

A marker that a page promises but that cannot be filled fails the build. The functions are
plain and importable, so the tests can call them without MkDocs.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from typing import Any

from projection.scenario.distributions import DISTRIBUTIONS

log = logging.getLogger("mkdocs.hooks.projection")

CLI_MARKER = "<!-- cli-reference -->"
SCHEMA_MARKER = "<!-- schema-reference -->"
FAMILY_MARKER = re.compile(r"<!-- family-params: ([\w-]+) -->")


_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _cell(text: Any) -> str:
    """Text made safe for one cell of a Markdown table: one line, ``|`` escaped, and ``<``
    outside code spans escaped (``<section>`` is text, not an HTML tag)."""
    text = " ".join(str(text).split())
    parts, last = [], 0
    for m in _CODE_SPAN.finditer(text):
        parts.append(text[last : m.start()].replace("<", "&lt;"))
        parts.append(m.group(0))
        last = m.end()
    parts.append(text[last:].replace("<", "&lt;"))
    return "".join(parts).replace("|", "\\|")


def _code(text: Any) -> str:
    """Inline code that survives backticks in the text (doubled fences)."""
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# ------------------------------------------------------------------------------------- CLI
# Duck-typed over the click objects typer builds (``param_type_name``, ``opts``, ``commands``):
# recent typer releases ship their own copy of click's classes, older ones use click itself.


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False))


_TYPE_NAMES = {int: "integer", float: "number", str: "text", bool: "flag"}


def _annotation_type(annotation: Any) -> str | None:
    """``integer``, ``path``, ``text`` ... from a parameter's annotation (None: unknown)."""
    import enum
    import pathlib
    import types
    import typing

    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _annotation_type(args[0]) if len(args) == 1 else None
    if origin in (list, tuple, set):
        args = typing.get_args(annotation)
        return _annotation_type(args[0]) if args else None
    if origin is typing.Literal:
        return " \\| ".join(_code(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return " \\| ".join(_code(m.value) for m in annotation)
        if issubclass(annotation, pathlib.PurePath):
            return "path"
        return _TYPE_NAMES.get(annotation)
    return None


def _param_type(param: Any) -> str:
    if _is_flag(param):
        return "flag"
    descriptor = getattr(param, "type_descriptor", None)
    found = _annotation_type(getattr(descriptor, "annotation", None)) if descriptor else None
    if found:
        return found
    kind = getattr(param, "type", None)
    choices = getattr(kind, "choices", None)
    if choices:
        return " \\| ".join(_code(c) for c in choices)
    name = getattr(kind, "name", "") or ""
    return {"float": "number", "boolean": "flag"}.get(name, name or "text")


def _param_default(param: Any) -> str:
    default = param.default
    if _is_flag(param):
        return "on" if default else "off"
    if callable(default) or default is None or default == () or default == []:
        return ""
    if getattr(param, "show_default", True) is False:
        return ""
    return _code(default)


def _help_text(text: str | None) -> str:
    """A click help text as Markdown paragraphs (``\\b`` markers dropped)."""
    text = inspect.cleandoc(text or "")
    return "\n".join(line for line in text.splitlines() if line.strip() != "\b")


def _metavar(param: Any) -> str:
    name = (getattr(param, "metavar", None) or param.name).upper()
    return f"{name}..." if param.nargs == -1 else name


def _usage(path: str, command: Any) -> str:
    parts = [path]
    if any(not _is_argument(p) and not p.hidden for p in command.params):
        parts.append("[OPTIONS]")
    for p in command.params:
        if _is_argument(p):
            parts.append(_metavar(p) if p.required else f"[{_metavar(p)}]")
    if _subcommands(command):
        parts.append("COMMAND [ARGS]...")
    return " ".join(parts)


def _subcommands(command: Any) -> dict[str, Any]:
    commands = getattr(command, "commands", None) or {}
    return {name: c for name, c in commands.items() if not getattr(c, "hidden", False)}


def _options_table(options: list[Any]) -> list[str]:
    out = ["| option | type | default | description |", "|---|---|---|---|"]
    for p in options:
        names = ", ".join(_code(o) for o in [*p.opts, *p.secondary_opts])
        doc = p.help or ""
        if p.multiple and "repeatable" not in doc.lower():
            doc = f"{doc} Repeatable.".strip()
        if p.required:
            doc = f"Required. {doc}".strip()
        out.append(f"| {names} | {_param_type(p)} | {_param_default(p)} | {_cell(doc)} |")
    return out + [""]


def _command_section(path: str, command: Any, level: int = 2) -> list[str]:
    out = [f"{'#' * level} `{path}`", ""]
    help_text = _help_text(command.help)
    if help_text:
        out += [help_text, ""]
    out += ["```text", _usage(path, command), "```", ""]
    arguments = [p for p in command.params if _is_argument(p)]
    options = [p for p in command.params if not _is_argument(p) and not p.hidden]
    if arguments:
        out += ["| argument | type | required | description |", "|---|---|---|---|"]
        for p in arguments:
            doc = getattr(p, "help", None) or ""
            if p.nargs == -1:
                doc = f"{doc} One or more.".strip()
            required = "yes" if p.required else "no"
            out.append(f"| {_code(_metavar(p))} | {_param_type(p)} | {required} | {_cell(doc)} |")
        out.append("")
    if options:
        out += _options_table(options)
    for name, sub in _subcommands(command).items():
        out += _command_section(f"{path} {name}", sub, level + 1)
    return out


def cli_reference() -> str:
    """Markdown reference of the ``projection`` command, from the typer app."""
    import typer

    from projection.cli import app

    group = typer.main.get_command(app)
    commands = _subcommands(group)
    out = [
        "```text",
        _usage("projection", group),
        "```",
        "",
        "## Commands",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for name, cmd in commands.items():
        first = _help_text(cmd.help).split("\n\n")[0]
        out.append(f"| [`{name}`](#projection-{name}) | {_cell(first)} |")
    out += [
        "",
        "## Global options",
        "",
        "Given before the command: `projection --debug run ...`.",
        "",
    ]
    out += _options_table([p for p in group.params if not _is_argument(p) and not p.hidden])
    for name, cmd in commands.items():
        out += _command_section(f"projection {name}", cmd)
    return "\n".join(out)


# ---------------------------------------------------------------------------------- schema

#: Descriptions of fields the schema leaves undescribed. The schema's own description wins
#: when it has one, so these can only fill gaps, never contradict it.
FIELD_NOTES: dict[str, str] = {
    "Scenario.name": "Name of the scenario, used in tables and output files.",
    "Scenario.description": "One line on what the scenario assumes; printed by `run`.",
    "Scenario.horizon": "The years projected.",
    "Scenario.indicators": "The indicators, by name (used in expressions and targets).",
    "Scenario.targets": "The targets, by id (e.g. `T1`); evaluated by `projection targets`.",
    "Scenario.constraints": "Relations that must hold in every year, by name.",
    "Horizon.start": "First year projected.",
    "Horizon.end": "Last year projected (inclusive).",
    "Horizon.step": "Years between projected years.",
    "Indicator.description": "What the indicator measures (e.g. a share of sales, not stock).",
    "Indicator.params": "The family's parameters (or a derived expression's constants), by "
    "name; see [Growth families](families.md).",
    "Target.indicator": "Name of the indicator the target is set on.",
    "Target.year": "Year by which the target should be met.",
    "Target.at_least": "Required minimum: a number in `unit` (or the indicator's unit) or a "
    "string with a unit, e.g. `30 %`. Give `at_least` or `at_most`.",
    "Target.at_most": "Required maximum, as for `at_least`.",
    "Target.unit": "Unit of a bare-number `at_least` / `at_most` (default: the indicator's).",
    "Target.source": "Where the target comes from: `paper, <section>, line N` or "
    "`assumption: <reason>`.",
    "Target.description": "Optional note on the target.",
    "Constraint.description": "Optional note on the constraint.",
    "Milestone.year": "Calendar year from which the indicator has `value` (after `base_year`).",
    "Correlations.method": "How the parameters are made dependent: `gaussian copula` (the only "
    "method; each keeps its own distribution).",
}

#: Fields of the distributions, in the parameter's own unit; `type` selects the distribution.
_DISTRIBUTION_FIELDS = {
    "type": "Selects the distribution.",
    "lower": "Lower bound.",
    "upper": "Upper bound.",
    "mean": "Mean (before truncation, for `truncnormal`).",
    "sd": "Standard deviation (before truncation, for `truncnormal`), `> 0`.",
    "median": "Median, `> 0`.",
    "sigma": "Standard deviation of `log(x)`, `> 0`.",
    "mode": "Peak, between `lower` and `upper`.",
    "alpha": "First shape parameter, `> 0`.",
    "beta": "Second shape parameter, `> 0`.",
    "values": "The possible values, distinct.",
    "weights": "Relative probabilities of `values`, one each (default: equal).",
    "quantiles": "Values at probabilities 0, 1/K, ..., 1 (K + 1 of them, not decreasing); "
    "linear in between. Written by `calibrate --posterior --output`.",
}
# every distribution class, from the registry the loader reads (a new type needs no edit here)
_DISTRIBUTIONS = tuple(cls.__name__ for cls in DISTRIBUTIONS.values())
FIELD_NOTES.update(
    {f"{d}.{f}": note for d in _DISTRIBUTIONS for f, note in _DISTRIBUTION_FIELDS.items()}
)
FIELD_NOTES["Beta.lower"] = "Lower end of the interval the beta is stretched onto."
FIELD_NOTES["Beta.upper"] = "Upper end of the interval the beta is stretched onto."

#: Order of the sections after the top level.
_SECTIONS = ("Horizon", "Indicator", "Param", "Milestone", "Target", "Constraint")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _anchor(name: str) -> str:
    return name.lower()


def _type(schema: dict[str, Any]) -> str:
    """A JSON Schema type as short Markdown: ``number or string``, ``list of integer``, ..."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return f"[{name}](#{_anchor(name)})"
    if "const" in schema:
        return _code(json.dumps(schema["const"]))
    if "enum" in schema:
        return " \\| ".join(_code(v) for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts: list[str] = []
            for option in schema[key]:
                if option.get("type") == "null":
                    continue
                text = _type(option)
                if text not in parts:
                    parts.append(text)
            if "integer" in parts and "number" in parts:
                parts.remove("integer")
            return " or ".join(parts)
    kind = schema.get("type")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"mapping of name to {_type(schema['additionalProperties'])}"
    return str(kind or "any")


def _constraints(schema: dict[str, Any]) -> list[str]:
    notes = []
    if "minLength" in schema:
        notes.append(
            "non-empty" if schema["minLength"] == 1 else f"min length {schema['minLength']}"
        )
    if "minItems" in schema:
        n = schema["minItems"]
        notes.append("at least one item" if n == 1 else f"at least {n} items")
    for key, word in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">")):
        if key in schema:
            notes.append(f"{word} {schema[key]}")
    return notes


def _examples(schema: dict[str, Any]) -> str:
    values = schema.get("examples") or []
    return "<br>".join(
        _code(v if isinstance(v, str) else json.dumps(v, separators=(", ", ": "))) for v in values
    )


def _fields_table(
    name: str, schema: dict[str, Any], required: set[str], required_note: str = "yes"
) -> list[str]:
    out = [
        "| field | type | required | default | description | examples |",
        "|---|---|---|---|---|---|",
    ]
    for field, prop in schema.get("properties", {}).items():
        description = prop.get("description") or FIELD_NOTES.get(f"{name}.{field}", "")
        if not description:
            log.warning(
                "scenario reference: no description for %s.%s: give the pydantic field a "
                "description (src/projection/scenario.py) or add it to FIELD_NOTES in "
                "docs/hooks.py",
                name,
                field,
            )
        extra = _constraints(prop)
        if extra:
            description = f"{description} ({', '.join(extra)})".strip()
        default = _code(json.dumps(prop["default"])) if "default" in prop else ""
        if prop.get("default") is None and "default" in prop:
            default = "none"
        out.append(
            f"| `{field}` | {_type(prop)} | {required_note if field in required else 'no'} "
            f"| {default} | {_cell(description)} | {_examples(prop)} |"
        )
    return out + [""]


def _summary(schema: dict[str, Any]) -> str:
    """First paragraph of a model's description (docstrings may carry doctest examples)."""
    text = (schema.get("description") or "").split("\n\n")[0]
    return re.sub(r"``([^`]+)``", r"`\1`", " ".join(text.split()))


def schema_reference(schema: dict[str, Any] | None = None) -> str:
    """Markdown reference of the scenario file, from its JSON Schema."""
    if schema is None:
        from projection.scenario import json_schema

        schema = json_schema()
    defs: dict[str, dict[str, Any]] = schema["$defs"]
    top_required = set(schema.get("then", {}).get("required", []))
    out = [
        "## Scenario file (top level)",
        "",
        "The keys of a scenario file. `horizon` and `indicators` are required unless the file "
        "has `extends` (it then inherits them).",
        "",
        *_fields_table("Scenario", schema, top_required, "yes (without `extends`)"),
    ]
    names = [n for n in _SECTIONS if n in defs]
    tagged = [n for n in defs if defs[n].get("properties", {}).get("type", {}).get("const")]
    distributions = [n for n in _DISTRIBUTIONS if n in tagged]
    distributions += sorted(n for n in tagged if n not in distributions and n not in names)
    names += [n for n in sorted(defs) if n not in names and n not in distributions]
    for n in names:
        d = defs[n]
        out += [f"## {n}", "", _summary(d), ""]
        if n in ("Horizon", "Indicator"):
            out += [
                "No key is required by the schema: a file with `extends` may override one key "
                "alone. The loader checks that the resolved scenario has what it needs.",
                "",
            ]
        out += _fields_table(n, d, set(d.get("required", [])))
    if distributions:
        out += [
            "## Distributions",
            "",
            "The `distribution` of a [Param](#param) or [Milestone](#milestone), in the "
            "parameter's own unit; `type` selects one of these.",
            "",
        ]
        for n in distributions:
            d = defs[n]
            out += [f"### {n}", "", _summary(d), ""]
            out += _fields_table(n, d, set(d.get("required", [])))
    return "\n".join(out)


# -------------------------------------------------------------------------------- families


def _domain(spec: Any) -> str:
    parts = []
    if spec.lower is not None:
        parts.append(f"{'>=' if spec.lower_inclusive else '>'} {spec.lower:g}")
    if spec.upper is not None:
        parts.append(f"<= {spec.upper:g}")
    if spec.kind == "year":
        return "calendar years after `base_year`, increasing"
    return ", ".join(parts) if parts else "any real number"


def family_params(name: str) -> str:
    """Markdown table of one growth family's parameters, from its ``ParamSpec`` tuple."""
    from projection.models import get_family

    family = get_family(name)
    out = [
        "| parameter | meaning | unit | domain | required |",
        "|---|---|---|---|---|",
    ]
    for spec in family.params:
        required = "yes" if spec.required else "no"
        out.append(
            f"| `{spec.name}` | {_cell(spec.doc)} | {spec.unit} | {_cell(_domain(spec))} "
            f"| {required} |"
        )
    for option, allowed in family.options.items():
        choices = ", ".join(_code(a) for a in allowed)
        out.append(f"| `{option}` | option | | {choices} (default {_code(allowed[0])}) | no |")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ the hook


def expand(markdown: str) -> str:
    """Replace every marker in ``markdown`` with its generated Markdown."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if SCHEMA_MARKER in markdown:
        markdown = markdown.replace(SCHEMA_MARKER, schema_reference())
    return FAMILY_MARKER.sub(lambda m: family_params(m.group(1)), markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: fill the markers of a page before it is converted to HTML."""
    return expand(markdown)
