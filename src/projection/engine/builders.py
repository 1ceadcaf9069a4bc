"""Building a compiled scenario's parts from a validated scenario (units resolved once).

:func:`build_family`, :func:`build_derived` and :func:`build_constraint` turn one indicator or
constraint of a :class:`~projection.scenario.Scenario` into the plain records of
:mod:`projection.engine.nodes`, converting every number to the unit the engine computes in and
recording each input's factor, domain and distribution.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..models import Domain, get_family
from ..scenario import Scenario
from ..scenario.expressions import TIME_NAMES
from ..scenario.time_functions import TIME_FUNCTIONS
from ..units import conversion_factor, exact_factor, unit_label, unit_text
from .derived import CompiledExpression, compile_expression
from .nodes import CompiledConstraint, DerivedNode, FamilyNode, Input, in_written_unit

__all__ = ["build_constraint", "build_derived", "build_family"]


def build_family(s: Scenario, name: str, cap: float, inputs: dict[str, Input]) -> FamilyNode:
    ind = s.indicators[name]
    family = get_family(ind.model)
    base_year = ind.base_year if ind.base_year is not None else s.horizon.start
    params: dict[str, Any] = {}
    written: dict[str, tuple[float, str]] = {}
    for spec in family.params:
        if spec.name in ("milestone_years", "milestone_values"):
            continue
        param = ind.params.get(spec.name)
        if param is None:
            if spec.default is not None:
                params[spec.name] = float(spec.default)
            continue
        magnitude, unit = param.quantity()
        canonical = spec.unit_for(ind.unit)
        factor = conversion_factor(unit, canonical) if unit else 1.0
        params[spec.name] = magnitude * factor if unit else magnitude
        written[spec.name] = (magnitude, unit)
    for pname, (magnitude, unit) in written.items():
        spec = family.spec(pname)
        canonical = spec.unit_for(ind.unit)
        factor = conversion_factor(unit, canonical) if unit else 1.0
        domain = family.domain(pname, share_cap=cap)
        param = ind.params[pname]
        inputs[f"indicators.{name}.params.{pname}"] = Input(
            path=f"indicators.{name}.params.{pname}",
            indicator=name,
            key=pname,
            value=magnitude,
            unit=unit,
            canonical=canonical,
            factor=factor,
            kind=spec.kind,
            domain=in_written_unit(domain, factor),
            distribution=param.distribution,
            source=" ".join(param.source.split()),
        )
    if ind.model == "staged":
        milestones = ind.milestones or []
        values = []
        for i, m in enumerate(milestones):
            magnitude, unit = m.quantity()
            factor = conversion_factor(unit, ind.unit) if unit else 1.0
            values.append(magnitude * factor if unit else magnitude)
            path = f"indicators.{name}.milestones.{i}"
            inputs[f"{path}.value"] = Input(
                path=f"{path}.value",
                indicator=name,
                key=("milestone_values", i),
                value=magnitude,
                unit=unit,
                canonical=ind.unit,
                factor=factor,
                kind="level",
                domain=in_written_unit(family.domain("milestone_values", share_cap=cap), factor),
                distribution=m.distribution,
                source=" ".join(m.source.split()),
            )
            inputs[f"{path}.year"] = Input(
                path=f"{path}.year",
                indicator=name,
                key=("milestone_years", i),
                value=float(m.year),
                unit="",
                canonical="",
                factor=1.0,
                kind="year",
                domain=Domain(float(base_year), math.inf, lower_inclusive=False),
                distribution=m.year_distribution,
                source=" ".join((m.year_source or m.source).split()),
            )
        params["milestone_years"] = tuple(float(m.year) for m in milestones)
        params["milestone_values"] = tuple(values)
    options = {"interpolation": ind.interpolation or "step"} if ind.model == "staged" else {}
    return FamilyNode(name, family, float(base_year), params, options)


def build_derived(
    s: Scenario, name: str, inputs: dict[str, Input]
) -> tuple[DerivedNode, tuple[str, ...]]:
    ind = s.indicators[name]
    expr = s.expression(name)
    units: dict[str, str] = {}
    constants: dict[str, float] = {}
    for pname, param in ind.params.items():
        magnitude, unit = param.quantity()
        units[pname] = unit
        constants[pname] = magnitude
        inputs[f"indicators.{name}.params.{pname}"] = Input(
            path=f"indicators.{name}.params.{pname}",
            indicator=name,
            key=pname,
            value=magnitude,
            unit=unit,
            canonical=unit,
            factor=1.0,
            kind="constant",
            domain=Domain(),
            distribution=param.distribution,
            source=" ".join(param.source.split()),
        )
    names = [n for n in expr.names if n not in ind.params]
    deps = tuple(sorted(n for n in names if n in s.indicators))
    times = tuple(sorted(n for n in names if n not in s.indicators))  # year, elapsed
    for dep in deps:
        units[dep] = s.indicators[dep].unit
    for t in times:
        units[t] = TIME_NAMES[t]
    compiled = compile_expression(expr, units)
    factor = exact_factor(compiled.unit, ind.unit)
    across = next((c.func for c in expr.calls() if c.func in TIME_FUNCTIONS), None)
    grid = tuple(float(y) for y in s.years)
    node = DerivedNode(
        name, compiled, factor, deps, constants, times, float(s.horizon.start), across, grid
    )
    return node, deps


def build_constraint(s: Scenario, cid: str, units: Mapping[str, str]) -> CompiledConstraint:
    comparison = s.comparison(cid)
    c = s.constraints[cid]

    def side(sd: Any) -> tuple[CompiledExpression | float, str]:
        if sd.expression is not None:
            compiled = compile_expression(sd.expression, {n: units[n] for n in sd.names})
            return compiled, compiled.unit
        magnitude, unit = sd.constant
        return float(magnitude), unit_text(unit)

    lhs, lunit = side(comparison.lhs)
    rhs, runit = side(comparison.rhs)
    factor = exact_factor(runit, lunit)
    text = unit_label(lunit, "~P")
    return CompiledConstraint(
        id=cid,
        text=comparison.text,
        op=comparison.op,
        lhs=lhs,
        rhs=rhs,
        rhs_factor=factor,
        names=tuple(sorted(comparison.names)),
        unit=text,
        source=" ".join(c.source.split()),
    )
