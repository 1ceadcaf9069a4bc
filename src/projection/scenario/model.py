"""The pydantic models of a scenario file: what each key may hold.

A scenario names a horizon, a set of indicators (each a growth family with sourced parameters),
the targets set for them and the constraints that must hold between them. These models check
the structure (``extra="forbid"``: unknown keys are errors); :mod:`projection.scenario.checks`
then checks the meaning, and :func:`projection.scenario.load_scenario` does both, reporting the
first problem as a located :class:`~projection.exceptions.ScenarioError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    model_validator,
)

from ..exceptions import ScenarioError, UnitError
from ..models import DERIVED, FAMILIES, get_family
from ..units import conversion_factor, parse_quantity
from ..validation import refuse_boolean
from .constraints import Comparison
from .correlations import Correlations
from .distributions import Choice, Distribution
from .expressions import Expression
from .levers import Lever
from .loading import Document
from .sources import sources as _sources

__all__ = [
    "Scenario",
    "Indicator",
    "Param",
    "Milestone",
    "Target",
    "Constraint",
    "Horizon",
    "convert",
    "split_path",
]


def convert(quantity: tuple[float, str], to_unit: str) -> float:
    """A ``(magnitude, unit)`` in ``to_unit``; a bare number (no unit) is already in it: a rate
    written as ``0.35`` is 0.35/yr, a level written as ``450`` is in the indicator's unit.

    Raises :class:`~projection.exceptions.UnitError` when the conversion overflows (``1e300
    Tbps`` in ``kbps``) or turns a non-zero value into 0 (``5e-324 Gbps`` in ``Tbps``)."""
    magnitude, unit = quantity
    if not unit:
        return magnitude
    value = magnitude * conversion_factor(unit, to_unit)
    if not math.isfinite(value) or (value == 0 and magnitude != 0):
        what = "overflows" if value else "underflows to 0"
        raise UnitError(
            f"{magnitude:g} {unit} {what} in {to_unit or 'dimensionless'!r} (expected a value "
            "that stays a finite, non-zero number in the indicator's unit)"
        )
    return value


def split_path(path: str) -> list[str | int]:
    """``"indicators.x.milestones.0.year"`` -> ``["indicators", "x", "milestones", 0, "year"]``."""
    return [int(p) if p.isdigit() else p for p in path.split(".")]


NonEmpty = Annotated[str, Field(min_length=1)]
Number = float | int


def _not_bool(value: Any) -> Any:
    return refuse_boolean(value, "a number or a quantity such as '4 Tbps'")


ValueField = Annotated[Number | str, Field(union_mode="left_to_right"), BeforeValidator(_not_bool)]


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
    compare_with: str | None = Field(
        None,
        description="Another indicator, in a unit of the same kind, that reports draw in one "
        "panel with this one: the gap between them is the point (a fleet share beside a sales "
        "share).",
        examples=["ev_sales_share"],
    )
    observation_noise: Param | None = Field(
        None,
        description="Standard deviation of observations around the indicator's curve (a value "
        "and/or a distribution, in the indicator's unit); `run --predictive` adds it to the "
        "members. Written by `calibrate --posterior --output`.",
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
            out[spec.name] = convert(param.quantity(), spec.unit_for(self.unit))
        if self.model == "staged":
            ms = self.milestones or []
            out["milestone_years"] = [float(m.year) for m in ms]  # type: ignore[assignment]
            out["milestone_values"] = [convert(m.quantity(), self.unit) for m in ms]  # type: ignore[assignment]
        return out


class Target(_Model):
    """A target: ``indicator`` is at least / at most a value in ``year``, or both (a range)."""

    indicator: str
    year: StrictInt
    at_least: ValueField | None = None
    at_most: ValueField | None = None
    unit: str | None = None
    source: NonEmpty
    description: str = ""

    @property
    def bounds(self) -> list[tuple[str, float | int | str]]:
        """The bounds written, ``[("at_least", value)]``, ``[("at_most", value)]`` or both (a
        range target)."""
        out = [("at_least", self.at_least), ("at_most", self.at_most)]
        return [(k, v) for k, v in out if v is not None]  # type: ignore[misc]

    @property
    def kind(self) -> str:
        """``at_least``, ``at_most`` or ``between`` (both written)."""
        keys = [k for k, _ in self.bounds]
        return "between" if len(keys) == 2 else keys[0]

    def required(self, unit: str, bound: str | None = None) -> float:
        """The required value (of ``bound``, by default the first written) in ``unit``."""
        value = dict(self.bounds)[bound] if bound else self.bounds[0][1]
        return convert(parse_quantity(value, self.unit), unit)


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
    correlations: Correlations | None = Field(
        None,
        description="A Gaussian copula over some parameters' distributions (default: all "
        "independent).",
    )
    levers: dict[str, Lever] = Field(
        default_factory=dict,
        description="Numbers a policy controls, each with the values to explore "
        "(`projection levers`); a run keeps the values as written.",
    )

    _document: Document | None = PrivateAttr(default=None)
    _order: tuple[str, ...] = PrivateAttr(default=())
    _expressions: dict[str, Expression] = PrivateAttr(default_factory=dict)
    _comparisons: dict[str, Comparison] = PrivateAttr(default_factory=dict)
    _warnings: list[str] | None = PrivateAttr(default=None)

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
        pos = self._document.locate(tuple(split_path(path))) if self._document else None
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

    def warnings(self) -> list[str]:
        """Likely mistakes the scenario is valid with, one located line each: a fraction
        written for a percentage, ... (see :mod:`projection.scenario.advice`)."""
        if self._warnings is None:
            from .advice import likely_mistakes

            self._warnings = likely_mistakes(self)
        return list(self._warnings)

    def sources(self) -> list[dict[str, Any]]:
        """Every number of the scenario with where it comes from: one record per parameter,
        milestone and target (see :func:`projection.scenario.sources.sources`)."""
        return _sources(self)

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario (``extends`` applied) as plain data."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)

    def with_overrides(self, overrides: Mapping[str, Any], *, name: str | None = None) -> Scenario:
        """A new validated scenario with the dotted paths in ``overrides`` set.

        A path that ends at a parameter (``indicators.x.params.rate``) sets its ``value``
        (and ``unit``, when the new value is a string such as ``"5 Tbps"``) and marks its
        ``source`` as an override. Any other path sets that field. List items are addressed
        by index (``indicators.ofc_capacity.milestones.0.year``).

        An override pins what it sets: a parameter's (or milestone value's) ``distribution``
        and a milestone's ``year_distribution`` are dropped, so an ensemble uses the set value
        in every member. To change a distribution instead, set it
        (``indicators.x.params.rate.distribution.upper=0.9``).

        The new scenario is named ``name``, or by default after what was set
        (``baseline with ev_sales_share.rate=0.7``), so that results of a scenario and of its
        variant are told apart (an override of ``name`` itself wins).

        Raises
        ------
        ScenarioError
            If a path does not exist or the result does not validate.
        """
        from .overrides import with_overrides

        return with_overrides(self, overrides, name=name)
