"""Scenario files: the pydantic models, their semantic checks, and :func:`load_scenario`.

A scenario names a horizon, a set of indicators (each a growth family with sourced parameters)
and the targets set for them. :func:`load_scenario` reads a file (or a mapping), resolves
``extends``, validates structure with pydantic (``extra="forbid"``: unknown keys are errors) and
then meaning (units fit, parameters belong to the family, targets name real indicators), and
reports the first problem as a :class:`~projection.exceptions.ScenarioError` that names the file,
line, column and dotted field path.

Parameters are resolved to numbers *in the indicator's unit* by :meth:`Indicator.resolved`, so
the engine never converts units in its hot path.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationError,
    model_validator,
)

from .constraints import Comparison, parse_constraint
from .distributions import Choice, Distribution
from .exceptions import ExpressionError, ParameterError, ScenarioError, UnitError
from .expressions import Expression, dependency_order, parse_expression
from .loader import Document, Path_, dotted, load_document
from .models import DERIVED, FAMILIES, get_family
from .units import conversion_factor, is_share, parse_quantity, parse_unit

__all__ = [
    "Scenario",
    "Indicator",
    "Param",
    "Milestone",
    "Target",
    "Constraint",
    "Horizon",
    "load_scenario",
    "json_schema",
    "source_kind",
]

SOURCE_KINDS = ("paper", "assumption", "definition", "calibrated", "override", "data")
MAX_HORIZON_YEARS = 1000
MAX_YEAR = 1_000_000

NonEmpty = Annotated[str, Field(min_length=1)]
Number = float | int


def _not_bool(value: Any) -> Any:
    """YAML reads ``yes``/``no``/``on``/``off`` as booleans: never take one for 1 or 0."""
    if isinstance(value, bool):
        raise ValueError(
            f"got the boolean {str(value).lower()} (expected a number or a quantity such as "
            "'4 Tbps'; YAML reads yes/no/on/off as booleans)"
        )
    return value


ValueField = Annotated[Number | str, Field(union_mode="left_to_right"), BeforeValidator(_not_bool)]


def source_kind(source: str) -> str:
    """Classify a source string: ``paper``, ``assumption``, ..., or ``other``.

    Examples
    --------
    >>> source_kind("paper, Analysis I, line 155")
    'paper'
    >>> source_kind("assumption: the paper gives no date")
    'assumption'
    >>> source_kind("IRENA Renewable Capacity Statistics 2025")
    'other'
    """
    head = source.strip().lower()
    for kind in SOURCE_KINDS:
        if head.startswith(kind) and head[len(kind) : len(kind) + 1] in (",", ":", " ", ""):
            return kind
    return "other"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class _Uncertain(_Model):
    """A value with a unit and, optionally, a distribution in that unit."""

    value: ValueField | None = Field(
        None,
        description="A number, or a string with its unit such as '4 Tbps'. May be omitted when "
        "a distribution is given (its median is then the point value).",
    )
    unit: str | None = Field(
        None, description="Unit of a bare-number value, e.g. 'GW', '%', '1/yr'."
    )
    distribution: Distribution | None = Field(
        None,
        description="Uncertainty of the value, in the same unit: uniform, normal, truncnormal, "
        "lognormal, triangular, beta or choice.",
        examples=[{"type": "truncnormal", "mean": 0.35, "sd": 0.1, "lower": 0.05, "upper": 1.0}],
    )

    @model_validator(mode="after")
    def _value_or_distribution(self):
        if self.value is None and self.distribution is None:
            raise ValueError("give a `value`, a `distribution`, or both")
        return self

    @property
    def written_unit(self) -> str:
        """The unit the value and the distribution are written in."""
        if self.value is not None:
            return parse_quantity(self.value, self.unit)[1]
        return (self.unit or "").strip()

    def quantity(self) -> tuple[float, str]:
        """``(magnitude, unit)`` of the point value as written (the median of the distribution
        when no value is given)."""
        if self.value is None:
            return self.distribution.median(), self.written_unit  # type: ignore[union-attr]
        return parse_quantity(self.value, self.unit)


class Param(_Uncertain):
    """One parameter: a value (and/or a distribution), its unit, and where it comes from."""

    source: NonEmpty = Field(
        description="'paper, <section>, line N' or 'assumption: <reason>' (or 'definition:', 'data:').",
        examples=["paper, Analysis I, line 155", "assumption: the paper gives no date"],
    )


class Milestone(_Uncertain):
    """A dated step of a ``staged`` indicator: by ``year`` the indicator is ``value``."""

    year: StrictInt
    year_distribution: Choice | None = Field(
        None,
        description="Uncertain year: a `choice` of years, e.g. {type: choice, values: [2030, 2032]}.",
    )
    source: NonEmpty = Field(
        description="Source of the value (and of the year unless year_source is given)."
    )
    year_source: str | None = Field(
        None, description="Source of the year when it differs from the value's, e.g. an assumption."
    )


class Horizon(_Model):
    """The years projected: ``start`` to ``end`` inclusive, every ``step`` years."""

    start: StrictInt
    end: StrictInt
    step: StrictInt = 1


class Indicator(_Model):
    """An indicator: its unit, its growth family and the family's parameters."""

    unit: str = Field(
        description="Unit the indicator is reported in, e.g. '%', 'Gbps', 'GW', 'TWh'."
    )
    model: str = Field(
        description="Growth family: " + ", ".join(sorted(FAMILIES) + [DERIVED]) + "."
    )
    description: str = ""
    variable: str | None = Field(
        None,
        description="Name of the indicator in IAMC exports (default: the indicator's key).",
        examples=["Transport|EV Sales Share", "Energy|Solar Capacity"],
    )
    base_year: StrictInt | None = Field(
        None, description="Year at which the trajectory equals `start` (default: horizon start)."
    )
    params: dict[str, Param] = Field(default_factory=dict)
    milestones: list[Milestone] | None = Field(None, description="`staged` only: dated values.")
    interpolation: Literal["step", "linear", "log-linear"] | None = Field(
        None, description="`staged` only: how values move between milestones (default step)."
    )
    expression: str | None = Field(
        None, description="`derived` only: e.g. 'ofc_traffic / ofc_capacity'."
    )

    def resolved(self) -> dict[str, float]:
        """Parameters as floats in the indicator's unit (rates in 1/yr)."""
        family = get_family(self.model)
        out: dict[str, float] = {}
        for spec in family.params:
            if spec.name in ("milestone_years", "milestone_values"):
                continue
            param = self.params.get(spec.name)
            if param is None:
                if spec.default is not None:
                    out[spec.name] = float(spec.default)
                continue
            out[spec.name] = _convert(param.quantity(), _expected_unit(spec.kind, self.unit))
        if self.model == "staged":
            ms = self.milestones or []
            out["milestone_years"] = [float(m.year) for m in ms]  # type: ignore[assignment]
            out["milestone_values"] = [_convert(m.quantity(), self.unit) for m in ms]  # type: ignore[assignment]
        return out


class Target(_Model):
    """A target: ``indicator`` is at least / at most a value in ``year``."""

    indicator: str
    year: StrictInt
    at_least: ValueField | None = None
    at_most: ValueField | None = None
    unit: str | None = None
    source: NonEmpty
    description: str = ""

    @property
    def bound(self) -> tuple[str, float | int | str]:
        """``("at_least", value)`` or ``("at_most", value)``."""
        if self.at_least is not None:
            return "at_least", self.at_least
        return "at_most", self.at_most  # type: ignore[return-value]

    def required(self, unit: str) -> float:
        """The required value converted to ``unit``."""
        return _convert(parse_quantity(self.bound[1], self.unit), unit)


class Constraint(_Model):
    """A relation that must hold in every year, e.g. ``ofc_traffic <= ofc_capacity``."""

    expression: NonEmpty = Field(
        description="'lhs OP rhs' with OP one of <=, <, >=, >; each side an expression over "
        "indicator names or a quantity such as '100 %'.",
        examples=["ofc_traffic <= ofc_capacity", "solar_share <= 100 %"],
    )
    source: NonEmpty = Field(description="Why the relation must hold.")
    description: str = ""


class Scenario(_Model):
    """A validated scenario. Build one with :func:`load_scenario`.

    Examples
    --------
    >>> from projection import load_scenario
    >>> s = load_scenario({
    ...     "name": "demo",
    ...     "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"x": {"unit": "GW", "model": "linear", "params": {
    ...         "start": {"value": 39, "source": "paper, Analysis I, line 159"},
    ...         "slope": {"value": 16.5, "unit": "GW/yr", "source": "paper, Analysis I, line 159"}}}},
    ... })
    >>> s2 = s.with_overrides({"indicators.x.params.slope": 10})
    >>> s2.indicators["x"].params["slope"].value
    10.0
    >>> s2.indicators["x"].params["slope"].source
    'override: indicators.x.params.slope=10'
    """

    name: NonEmpty
    description: str = ""
    region: NonEmpty = Field(
        "World", description="Region the scenario is about (the `region` of IAMC exports)."
    )
    horizon: Horizon
    report_years: list[StrictInt] | None = Field(
        None, description="Years printed by `projection run`."
    )
    indicators: dict[str, Indicator]
    targets: dict[str, Target] = Field(default_factory=dict)
    constraints: dict[str, Constraint] = Field(default_factory=dict)

    _document: Document | None = PrivateAttr(default=None)
    _order: tuple[str, ...] = PrivateAttr(default=())
    _expressions: dict[str, Expression] = PrivateAttr(default_factory=dict)
    _comparisons: dict[str, Comparison] = PrivateAttr(default_factory=dict)

    # ------------------------------------------------------------------ convenience
    @property
    def file(self) -> str | None:
        """The file the scenario was read from, if any."""
        return self._document.file if self._document else None

    @property
    def years(self) -> list[int]:
        """The projected years."""
        h = self.horizon
        return list(range(h.start, h.end + 1, h.step))

    @property
    def order(self) -> tuple[str, ...]:
        """Indicators in evaluation order (dependencies first, ties sorted by name)."""
        return self._order

    def expression(self, indicator: str) -> Expression:
        """The parsed expression of a ``derived`` indicator."""
        return self._expressions[indicator]

    def locate(self, err: ScenarioError, path: str) -> ScenarioError:
        """``err`` with the file, line and column of ``path`` in this scenario's file."""
        pos = self._document.locate(tuple(_split_path(path))) if self._document else None
        if pos:
            return err.located(file=pos[0], line=pos[1], col=pos[2], path=path)
        return err.located(file=self.file, path=path)

    def comparison(self, constraint: str) -> Comparison:
        """The parsed comparison of a constraint."""
        return self._comparisons[constraint]

    def milestone_years(self) -> list[int]:
        """Years to print: ``report_years``, or start, end, targets' years and every 5th year."""
        years = set(self.years)
        if self.report_years:
            return sorted(y for y in self.report_years if y in years)
        wanted = {self.horizon.start, self.horizon.end}
        wanted |= {t.year for t in self.targets.values()}
        wanted |= {y for y in years if y % 5 == 0}
        return sorted(wanted & years)

    def sources(self) -> list[dict[str, Any]]:
        """Every number of the scenario with where it comes from.

        One record per parameter, milestone value, milestone year and target, with keys
        ``path`` (dotted), ``value``, ``unit``, ``source`` and ``kind`` (``paper``,
        ``assumption``, ``definition``, ``override``, ... see :func:`source_kind`).

        Examples
        --------
        >>> from projection import load_scenario
        >>> s = load_scenario("scenarios/paper-targets.yaml")
        >>> [r["kind"] for r in s.sources() if r["path"] == "targets.T1.at_least"]
        ['paper']
        """
        rows: list[dict[str, Any]] = []

        def add(path: str, value: Any, unit: str | None, source: str) -> None:
            rows.append(
                {
                    "path": path,
                    "value": value,
                    "unit": unit or "",
                    "source": " ".join(source.split()),
                    "kind": source_kind(source),
                }
            )

        for name in sorted(self.indicators):
            ind = self.indicators[name]
            for pname, p in ind.params.items():
                add(f"indicators.{name}.params.{pname}", p.value, p.unit, p.source)
            for i, m in enumerate(ind.milestones or []):
                add(f"indicators.{name}.milestones.{i}.value", m.value, m.unit, m.source)
                add(f"indicators.{name}.milestones.{i}.year", m.year, "", m.year_source or m.source)
        for tid, t in self.targets.items():
            add(f"targets.{tid}.{t.bound[0]}", t.bound[1], t.unit, t.source)
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario (``extends`` applied) as plain data."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """A new validated scenario with the dotted paths in ``overrides`` set.

        A path that ends at a parameter (``indicators.x.params.rate``) sets its ``value``
        (and ``unit``, when the new value is a string such as ``"5 Tbps"``) and marks its
        ``source`` as an override. Any other path sets that field. List items are addressed
        by index (``indicators.ofc_capacity.milestones.0.year``).

        An override pins what it sets: a parameter's (or milestone value's) ``distribution``
        and a milestone's ``year_distribution`` are dropped, so an ensemble uses the set value
        in every member. To change a distribution instead, set it
        (``indicators.x.params.rate.distribution.upper=0.9``).

        Raises
        ------
        ScenarioError
            If a path does not exist or the result does not validate.
        """
        data = self.to_dict()
        for path, value in overrides.items():
            _apply_override(data, str(path), value)
        doc = self._document
        new_doc = Document(
            data=data,
            positions=doc.positions if doc else {},
            file=doc.file if doc else None,
            chain=doc.chain if doc else [],
        )
        return _validate(new_doc)


# (model, field) -> (model of the field's items, whether a key/index comes before them)
_NESTED: dict[tuple[type[BaseModel], str], tuple[type[BaseModel], bool]] = {
    (Scenario, "horizon"): (Horizon, False),
    (Scenario, "indicators"): (Indicator, True),
    (Scenario, "targets"): (Target, True),
    (Indicator, "params"): (Param, True),
    (Indicator, "milestones"): (Milestone, True),
}


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


# ---------------------------------------------------------------------------- public loader


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """Read, merge and validate a scenario.

    Parameters
    ----------
    source : str, Path, mapping or Scenario
        A YAML/TOML file, a mapping with the same structure, or a Scenario (returned as is).
        A bare name such as ``"paper-targets"``, when no file of that name exists, is the
        shipped scenario of that name (see :mod:`projection.catalog`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With ``file``, ``line``, ``col`` and ``path`` set as far as they are known.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, str | Path) and not Path(source).exists():
        from . import catalog

        if catalog.is_name(str(source)):
            source = catalog.find(str(source))
    doc = load_document(source)
    if doc.file is not None and "name" not in doc.data:
        doc.data["name"] = Path(doc.file).stem
    return _validate(doc)


def _validate(doc: Document) -> Scenario:
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as err:
        raise _from_pydantic(err, doc) from None
    scenario._document = doc
    try:
        _check(scenario)
    except ScenarioError as err:
        path = tuple(_split_path(err.path)) if err.path else ()
        pos = doc.locate(path)
        if pos and not err.line:
            raise err.located(file=pos[0], line=pos[1], col=pos[2]) from None
        raise err.located(file=doc.file) from None
    return scenario


def _split_path(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _from_pydantic(err: ValidationError, doc: Document) -> ScenarioError:
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
        allowed = _allowed_keys(loc[:-1])
        hint = _suggest(str(loc[-1]), allowed)
        expected = f"expected one of: {', '.join(allowed)}" if allowed else "not expected here"
        msg = f"unknown key {loc[-1]!r}{hint} ({expected})"
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
_DISTRIBUTION_TAGS = {
    "uniform",
    "normal",
    "truncnormal",
    "lognormal",
    "triangular",
    "beta",
    "choice",
}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(parent: Path_) -> list[str]:
    """Field names allowed at ``parent`` (for 'did you mean' hints)."""
    if parent and parent[-1] in _DISTRIBUTION_FIELDS:  # any distribution type's fields
        from . import distributions as d

        kinds = (d.Uniform, d.Normal, d.TruncNormal, d.LogNormal, d.Triangular, d.Beta, d.Choice)
        return sorted({i.alias or f for cls in kinds for f, i in cls.model_fields.items()})
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


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f", did you mean {close[0]!r}?" if close else ""


# ----------------------------------------------------------------------- semantic checks


def _expected_unit(kind: str, unit: str) -> str:
    if kind == "rate":
        return "1/yr"
    if kind == "level_rate":
        return f"({unit or 'dimensionless'})/yr"
    return unit


def _convert(quantity: tuple[float, str], to_unit: str) -> float:
    magnitude, unit = quantity
    if not unit:
        # a bare number is in the expected unit (a rate in 1/yr, a level in the indicator's unit)
        return magnitude
    return magnitude * conversion_factor(unit, to_unit)


def _check(s: Scenario) -> None:
    h = s.horizon
    if h.step <= 0:
        raise ScenarioError(
            f"step must be a positive number of years (got {h.step})", path="horizon.step"
        )
    for key in ("start", "end"):  # years are computed as floats: keep them exact
        if abs(getattr(h, key)) > MAX_YEAR:
            raise ScenarioError(
                f"year {getattr(h, key)} is out of range (expected a calendar year between "
                f"-{MAX_YEAR} and {MAX_YEAR})",
                path=f"horizon.{key}",
            )
    if h.end < h.start:
        raise ScenarioError(
            f"end ({h.end}) is before start ({h.start}) (expected end >= start)", path="horizon.end"
        )
    if h.end - h.start > MAX_HORIZON_YEARS:
        raise ScenarioError(
            f"horizon spans {h.end - h.start} years (at most {MAX_HORIZON_YEARS})",
            path="horizon.end",
        )
    if not s.indicators:
        raise ScenarioError("a scenario needs at least one indicator", path="indicators")
    for name in s.indicators:
        if not name.isidentifier() or name.startswith("_"):
            raise ScenarioError(
                f"indicator name {name!r} must be a plain identifier (letters, digits, underscores)",
                path=f"indicators.{name}",
            )
    graph: dict[str, set[str]] = {}
    for name, ind in s.indicators.items():
        graph[name] = _check_indicator(s, name, ind)
    try:
        s._order = tuple(dependency_order(graph))
    except ExpressionError as err:
        # "cycle between derived indicators: a -> b -> a": point at a's expression
        first = err.message.rpartition(": ")[2].split(" -> ")[0]
        where = f"indicators.{first}.expression" if first in s.indicators else "indicators"
        raise err.located(path=where) from None
    for y in s.report_years or []:
        if y not in s.years:
            raise ScenarioError(
                f"{y} is not a projected year ({h.start}..{h.end} step {h.step})",
                path="report_years",
            )
    for tid, t in s.targets.items():
        where = f"targets.{tid}"
        if t.indicator not in s.indicators:
            raise ScenarioError(
                f"unknown indicator {t.indicator!r}{_suggest(t.indicator, list(s.indicators))} "
                f"(expected one of: {', '.join(sorted(s.indicators))})",
                path=f"{where}.indicator",
            )
        if (t.at_least is None) == (t.at_most is None):
            raise ScenarioError("give exactly one of `at_least` or `at_most`", path=where)
        if t.year not in s.years:
            raise ScenarioError(
                f"target year {t.year} is not a projected year ({h.start}..{h.end} step {h.step})",
                path=f"{where}.year",
            )
        key = t.bound[0]
        unit = s.indicators[t.indicator].unit
        try:
            required = t.required(unit)
        except UnitError as err:
            raise err.located(path=f"{where}.{key}") from None
        if is_share(unit) and not 0.0 <= required * conversion_factor(unit, "") <= 1.0:
            raise ScenarioError(
                f"a share can never be {_written(t.bound[1], t.unit)} "
                "(expected a value between 0 and 100 %)",
                path=f"{where}.{key}",
            )
    for cid, c in s.constraints.items():
        where = f"constraints.{cid}.expression"
        try:
            comparison = parse_constraint(c.expression)
            unknown = sorted(comparison.names - set(s.indicators))
            if unknown:
                known = sorted(s.indicators)
                raise ExpressionError(
                    f"unknown indicator {unknown[0]!r}{_suggest(unknown[0], known)} "
                    f"(known: {', '.join(known)})"
                )
            comparison.check_units({n: s.indicators[n].unit for n in comparison.names})
        except ScenarioError as err:
            raise err.located(path=where) from None
        s._comparisons[cid] = comparison


def _check_indicator(s: Scenario, name: str, ind: Indicator) -> set[str]:
    where = f"indicators.{name}"
    if ind.model != DERIVED and ind.model not in FAMILIES:
        options = sorted(FAMILIES) + [DERIVED]
        raise ScenarioError(
            f"unknown growth family {ind.model!r}{_suggest(ind.model, options)} "
            f"(expected one of: {', '.join(options)})",
            path=f"{where}.model",
        )
    if ind.base_year is not None and not (
        s.horizon.start - MAX_HORIZON_YEARS <= ind.base_year <= s.horizon.end
    ):
        raise ScenarioError(
            f"base_year {ind.base_year} is after the horizon end {s.horizon.end}",
            path=f"{where}.base_year",
        )
    try:
        share = is_share(ind.unit)
    except UnitError as err:
        raise err.located(path=f"{where}.unit") from None
    if ind.model == DERIVED:
        return _check_derived(s, name, ind)
    for key in ("expression",):
        if getattr(ind, key) is not None:
            raise ScenarioError(f"`{key}` is only for `derived` indicators", path=f"{where}.{key}")
    if ind.model != "staged":
        for key in ("milestones", "interpolation"):
            if getattr(ind, key) is not None:
                raise ScenarioError(
                    f"`{key}` is only for `staged` indicators", path=f"{where}.{key}"
                )
    family = get_family(ind.model)
    specs = {
        p.name: p for p in family.params if p.name not in ("milestone_years", "milestone_values")
    }
    for pname in ind.params:
        if pname not in specs:
            raise ScenarioError(
                f"unknown parameter {pname!r} for {ind.model}{_suggest(pname, list(specs))} "
                f"(expected: {', '.join(specs)})",
                path=f"{where}.params.{pname}",
            )
    for spec in specs.values():
        if spec.required and spec.name not in ind.params:
            raise ScenarioError(
                f"missing parameter {spec.name!r} for {ind.model} (expected: {', '.join(specs)})",
                path=f"{where}.params",
            )
    for pname, param in ind.params.items():
        spec = specs[pname]
        expected = _expected_unit(spec.kind, ind.unit)
        try:
            value = _convert(param.quantity(), expected)
        except UnitError as err:
            raise err.located(path=f"{where}.params.{pname}") from None
        if (
            share
            and spec.kind == "level"
            and not (0.0 <= value * conversion_factor(ind.unit, "") <= 1.0)
        ):
            raise ScenarioError(
                f"a share must lie between 0 and 100 % (got {_written(param.value, param.unit)})",
                path=f"{where}.params.{pname}",
            )
        if param.distribution is not None:
            upper = spec.upper
            if share and spec.kind == "level":
                cap = 1.0 / conversion_factor(ind.unit, "")
                upper = cap if upper is None else min(upper, cap)
            _check_support(param, expected, spec.lower, upper, f"{where}.params.{pname}")
    if ind.model == "staged":
        if not ind.milestones:
            raise ScenarioError(
                "a `staged` indicator needs at least one milestone", path=f"{where}.milestones"
            )
        for i, m in enumerate(ind.milestones):
            try:
                v = _convert(m.quantity(), ind.unit)
            except UnitError as err:
                raise err.located(path=f"{where}.milestones.{i}") from None
            if share and not (0.0 <= v * conversion_factor(ind.unit, "") <= 1.0):
                raise ScenarioError(
                    f"a share must lie between 0 and 100 % (got {_written(m.value, m.unit)})",
                    path=f"{where}.milestones.{i}.value",
                )
            if v < 0:
                raise ScenarioError(
                    f"negative milestone value {_written(m.value, m.unit)} (expected a value >= 0)",
                    path=f"{where}.milestones.{i}.value",
                )
            if i and m.year <= ind.milestones[i - 1].year:
                raise ScenarioError(
                    f"milestone year {m.year} does not come after the one before, "
                    f"{ind.milestones[i - 1].year} (expected milestones in increasing years)",
                    path=f"{where}.milestones.{i}.year",
                )
            if m.distribution is not None:
                cap = 1.0 / conversion_factor(ind.unit, "") if share else None
                _check_support(m, ind.unit, 0.0, cap, f"{where}.milestones.{i}")
            if m.year_distribution is not None:
                base = ind.base_year if ind.base_year is not None else s.horizon.start
                early = [y for y in m.year_distribution.values if y <= base or y != int(y)]
                if early:
                    raise ScenarioError(
                        f"milestone years must be whole years after base_year={base} "
                        f"(got {early[0]:g})",
                        path=f"{where}.milestones.{i}.year_distribution",
                    )
    # the family's own domain checks, with its message naming the parameter
    try:
        base_year = ind.base_year if ind.base_year is not None else s.horizon.start
        family.validate(base_year=base_year, **ind.resolved())
    except ParameterError as err:
        pname = err.param
        if pname in ("milestone_years", "milestone_values", "milestones"):
            path = f"{where}.milestones"
        elif pname in ind.params:
            path = f"{where}.params.{pname}"
        else:
            path = f"{where}.params"
        raise ScenarioError(err.message, path=path) from None
    return set()


def _written(value: Any, unit: str | None) -> str:
    """A value as the file wrote it: ``150 %``, ``'4 Tbps'`` -> ``4 Tbps``."""
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{value} {unit}" if unit and value is not None else str(value)


def _check_support(
    item: Any, expected: str, lower: float | None, upper: float | None, path: str
) -> None:
    """A distribution must not give values outside the parameter's domain."""
    written = item.written_unit
    try:
        factor = conversion_factor(written, expected) if written else 1.0
    except UnitError as err:
        raise err.located(path=f"{path}.distribution") from None
    low, high = (v * factor for v in item.distribution.support())
    kind = item.distribution.type
    unit_text = f" {written}" if written else ""
    if lower is not None and low < lower - 1e-12 * max(1.0, abs(lower)):
        raise ScenarioError(
            f"this {kind} distribution can give values below the smallest allowed, "
            f"{lower / factor:g}{unit_text} (bound it, e.g. with truncnormal or uniform)",
            path=f"{path}.distribution",
        )
    if upper is not None and high > upper + 1e-12 * max(1.0, abs(upper)):
        raise ScenarioError(
            f"this {kind} distribution can give values above the largest allowed, "
            f"{upper / factor:g}{unit_text} (bound it, e.g. with truncnormal or uniform)",
            path=f"{path}.distribution",
        )


def _check_derived(s: Scenario, name: str, ind: Indicator) -> set[str]:
    where = f"indicators.{name}"
    for key in ("milestones", "interpolation"):
        if getattr(ind, key) is not None:
            raise ScenarioError(f"`{key}` is only for `staged` indicators", path=f"{where}.{key}")
    if not ind.expression:
        raise ScenarioError(
            "a `derived` indicator needs an `expression`", path=f"{where}.expression"
        )
    try:
        expr = parse_expression(ind.expression)
    except ExpressionError as err:
        raise err.located(path=f"{where}.expression") from None
    units: dict[str, str] = {}
    deps: set[str] = set()
    for n in expr.names:
        if n in ind.params:
            units[n] = ind.params[n].quantity()[1]
        elif n in s.indicators and n != name:
            units[n] = s.indicators[n].unit
            deps.add(n)
        elif n == name:
            raise ExpressionError(f"{name!r} refers to itself", path=f"{where}.expression")
        else:
            known = sorted(set(s.indicators) - {name} | set(ind.params))
            raise ExpressionError(
                f"unknown name {n!r}{_suggest(n, known)} (known: {', '.join(known)})",
                path=f"{where}.expression",
            )
    for pname, param in ind.params.items():
        if pname not in expr.names:
            raise ScenarioError(
                f"parameter {pname!r} is not used in the expression", path=f"{where}.params.{pname}"
            )
        try:
            param.quantity()
        except UnitError as err:
            raise err.located(path=f"{where}.params.{pname}") from None
    try:
        result = expr.unit(units)
    except ExpressionError as err:
        raise err.located(path=f"{where}.expression") from None
    target = parse_unit(ind.unit)
    if result.dimensionality != target.dimensionality:
        raise UnitError(
            f"the expression gives {result.dimensionality or 'a share'} ({result}), "
            f"which does not fit the indicator's unit {ind.unit!r}",
            path=f"{where}.expression",
        )
    s._expressions[name] = expr
    return deps


# -------------------------------------------------------------------------- overrides


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


def _apply_override(data: dict[str, Any], path: str, value: Any) -> None:
    parts = _split_path(path)
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        node = _child(node, part, parts[: i + 1], path)
    last = parts[-1]
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
        current["source"] = f"override: {path}={value}"
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
            if field in ("year", "year_distribution") and "year" in record:
                record["year_source"] = f"override: {path}={value}"
            else:
                record["source"] = f"override: {path}={value}"
            pinned = {"value": "distribution", "year": "year_distribution"}.get(field)
            if pinned and depth == len(parts) - 1:
                record.pop(pinned, None)
            return


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
        hint = _suggest(str(key), [str(k) for k in node])
        raise ScenarioError(
            f"override {path!r}: no field {where!r}{hint} (there: {', '.join(map(str, node)) or 'nothing'})",
            path=where,
        )
    raise ScenarioError(f"override {path!r}: no field {where!r}", path=where)
