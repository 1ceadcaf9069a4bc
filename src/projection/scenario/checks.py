"""The meaning of a scenario: the checks pydantic's structure cannot express.

Units fit their indicator (a level has the indicator's dimension, a rate is per year); a share
lies in 0-100 %; parameters belong to the indicator's family and lie in its domain
(:meth:`projection.models.Family.domain`); distributions cannot draw outside it; milestones are
dated in order; derived expressions are safe, refer to known names and give the indicator's
unit; targets and constraints name real indicators and years. :func:`check` raises the first
problem with its dotted path.
"""

from __future__ import annotations

import math
from typing import Any

from ..exceptions import ExpressionError, ParameterError, ScenarioError, UnitError
from ..models import DERIVED, FAMILIES, Domain, get_family
from ..units import conversion_factor, dimension_of, is_share, share_cap
from ..validation import suggest
from .constraints import parse_constraint
from .correlations import check_correlations
from .expressions import TIME_NAMES, dependency_order, parse_expression
from .levers import check_levers
from .model import Indicator, Scenario, convert
from .time_functions import YEARLY_ONLY

__all__ = ["check", "MAX_HORIZON_YEARS", "MAX_YEAR"]

#: Longest horizon accepted, in years.
MAX_HORIZON_YEARS = 1000
#: Largest calendar year (in magnitude) accepted.
MAX_YEAR = 1_000_000


def check(s: Scenario) -> None:
    """Check the meaning of a structurally valid scenario; raise the first problem as a
    :class:`~projection.exceptions.ScenarioError` with its dotted path (the caller locates it
    in the file). Records the dependency order, parsed expressions and comparisons on ``s``."""
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
    for name, ind in s.indicators.items():
        if ind.compare_with is not None:
            _check_compare_with(s, name, ind.compare_with)
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
                f"unknown indicator {t.indicator!r}{suggest(t.indicator, list(s.indicators))} "
                f"(expected one of: {', '.join(sorted(s.indicators))})",
                path=f"{where}.indicator",
            )
        if t.at_least is None and t.at_most is None:
            raise ScenarioError("give `at_least`, `at_most`, or both for a range", path=where)
        if t.year not in s.years:
            raise ScenarioError(
                f"target year {t.year} is not a projected year ({h.start}..{h.end} step {h.step})",
                path=f"{where}.year",
            )
        unit = s.indicators[t.indicator].unit
        required = {}
        for key, value in t.bounds:
            try:
                required[key] = t.required(unit, key)
            except UnitError as err:
                raise err.located(path=f"{where}.{key}") from None
            if is_share(unit) and not 0.0 <= required[key] <= share_cap(unit):
                raise ScenarioError(
                    f"a share can never be {_written(value, t.unit)} "
                    "(expected a value between 0 and 100 %)",
                    path=f"{where}.{key}",
                )
        if len(required) == 2 and not required["at_least"] < required["at_most"]:
            raise ScenarioError(
                f"a range target needs `at_least` ({_written(t.at_least, t.unit)}) below "
                f"`at_most` ({_written(t.at_most, t.unit)})",
                path=f"{where}.at_most",
            )
    for cid, c in s.constraints.items():
        where = f"constraints.{cid}.expression"
        try:
            comparison = parse_constraint(c.expression)
            unknown = sorted(comparison.names - set(s.indicators))
            if unknown:
                known = sorted(s.indicators)
                raise ExpressionError(
                    f"unknown indicator {unknown[0]!r}{suggest(unknown[0], known)} "
                    f"(known: {', '.join(known)})"
                )
            comparison.check_units({n: s.indicators[n].unit for n in comparison.names})
        except ScenarioError as err:
            raise err.located(path=where) from None
        s._comparisons[cid] = comparison
    check_correlations(s)
    check_levers(s)


def _check_compare_with(s: Scenario, name: str, other: str) -> None:
    """``compare_with`` names another indicator whose unit converts to this one's."""
    where = f"indicators.{name}.compare_with"
    if other not in s.indicators or other == name:
        known = [n for n in s.indicators if n != name]
        raise ScenarioError(
            f"unknown indicator {other!r}{suggest(other, known)} to compare {name} with",
            path=where,
        )
    unit, theirs = s.indicators[name].unit, s.indicators[other].unit
    try:
        conversion_factor(theirs, unit)
    except UnitError:
        raise ScenarioError(
            f"{other} is in {theirs!r}, which cannot be drawn on {name}'s axis ({unit!r})",
            path=where,
        ) from None


def _check_indicator(s: Scenario, name: str, ind: Indicator) -> set[str]:
    where = f"indicators.{name}"
    if ind.model != DERIVED and ind.model not in FAMILIES:
        options = sorted(FAMILIES) + [DERIVED]
        raise ScenarioError(
            f"unknown growth family {ind.model!r}{suggest(ind.model, options)} "
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
    _check_noise(name, ind)
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
                f"unknown parameter {pname!r} for {ind.model}{suggest(pname, list(specs))} "
                f"(expected: {', '.join(specs)})",
                path=f"{where}.params.{pname}",
            )
    for spec in specs.values():
        if spec.required and spec.name not in ind.params:
            raise ScenarioError(
                f"missing parameter {spec.name!r} for {ind.model} (expected: {', '.join(specs)})",
                path=f"{where}.params",
            )
    cap = share_cap(ind.unit) if share else math.inf
    for pname, param in ind.params.items():
        spec = specs[pname]
        expected = spec.unit_for(ind.unit)
        try:
            value = convert(param.quantity(), expected)
        except UnitError as err:
            raise err.located(path=f"{where}.params.{pname}") from None
        if share and spec.kind == "level" and not (0.0 <= value <= cap):
            raise ScenarioError(
                f"a share must lie between 0 and 100 % (got {_written(param.value, param.unit)})",
                path=f"{where}.params.{pname}",
            )
        if param.distribution is not None:
            domain = family.domain(pname, share_cap=cap)  # its own: start <= cap is per member
            _check_support(param, expected, domain, f"{where}.params.{pname}")
    if ind.model == "staged":
        if not ind.milestones:
            raise ScenarioError(
                "a `staged` indicator needs at least one milestone", path=f"{where}.milestones"
            )
        for i, m in enumerate(ind.milestones):
            try:
                v = convert(m.quantity(), ind.unit)
            except UnitError as err:
                raise err.located(path=f"{where}.milestones.{i}") from None
            if share and not (0.0 <= v <= cap):
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
                domain = family.domain("milestone_values", share_cap=cap)
                _check_support(m, ind.unit, domain, f"{where}.milestones.{i}")
            if m.year_distribution is not None:
                if m.year not in m.year_distribution.values:
                    shown = ", ".join(f"{y:g}" for y in m.year_distribution.values)
                    raise ScenarioError(
                        f"year {m.year} is not one of its year_distribution's choices ({shown}) "
                        "(expected one of them: the point run uses `year`)",
                        path=f"{where}.milestones.{i}.year",
                    )
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


def _check_value_in_distribution(item: Any, path: str) -> None:
    """A value given together with a distribution must be one the distribution can give: the
    point run would use a number no member of an ensemble is ever drawn near (``value: 0.9``
    with ``uniform(0.25, 0.55)`` can only be a mistake)."""
    if item.value is None or item.distribution is None:
        return
    value = item.quantity()[0]
    dist = item.distribution
    unit = f" {item.written_unit}" if item.written_unit else ""
    if dist.type == "choice":
        if not any(math.isclose(value, v, rel_tol=1e-9, abs_tol=1e-12) for v in dist.values):
            shown = ", ".join(f"{v:g}" for v in dist.values)
            raise ScenarioError(
                f"value {value:g}{unit} is not one of its distribution's choices ({shown}) "
                "(expected one of them, or no value: the median is then used)",
                path=f"{path}.value",
            )
        return
    low, high = dist.support()
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    if not low - slack <= value <= high + slack:
        raise ScenarioError(
            f"value {value:g}{unit} lies outside its own {dist.type} distribution, which gives "
            f"values in [{low:g}, {high:g}] (expected a value inside it, or no value: the "
            "median is then used)",
            path=f"{path}.value",
        )


def _check_support(item: Any, expected: str, domain: Domain, path: str) -> None:
    """A distribution must not give values outside the parameter's domain, and the value
    given with it must be one it can give."""
    _check_value_in_distribution(item, path)
    lower = domain.lower if math.isfinite(domain.lower) else None
    upper = domain.upper if math.isfinite(domain.upper) else None
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
    _check_across_years(s, expr, f"{where}.expression")
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
        elif n in TIME_NAMES:
            units[n] = TIME_NAMES[n]
        else:
            known = sorted(set(s.indicators) - {name} | set(ind.params) | set(TIME_NAMES))
            raise ExpressionError(
                f"unknown name {n!r}{suggest(n, known)} (known: {', '.join(known)})",
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
        result, dimension = expr.unit_facts(units)
    except ExpressionError as err:
        raise err.located(path=f"{where}.expression") from None
    if dimension != dimension_of(ind.unit):
        raise UnitError(
            f"the expression gives {dimension or 'a share'} ({result}), "
            f"which does not fit the indicator's unit {ind.unit!r}",
            path=f"{where}.expression",
        )
    s._expressions[name] = expr
    return deps


def _check_across_years(s: Scenario, expr: Any, where: str) -> None:
    """Functions across years on this horizon: the sums and stocks need yearly steps, a lag a
    whole number of steps within the horizon."""
    h = s.horizon
    for call in expr.calls():
        if call.func in YEARLY_ONLY and h.step != 1:
            raise ExpressionError(
                f"{call.func}() sums a flow year by year: it needs a horizon step of 1 (this "
                f"horizon steps {h.step} years, and the flow between projected years is "
                "unknown)",
                path=where,
            )
        if call.func == "lag":
            years = call.args[1].value  # a number literal (the parser's rule)
            if years % h.step:
                raise ExpressionError(
                    f"lag of {years:g} years on a grid of {h.step}-year steps in {call.src!r}: "
                    f"give a multiple of {h.step}",
                    path=where,
                )
            if years > h.end - h.start:
                raise ExpressionError(
                    f"lag of {years:g} years in {call.src!r} reaches beyond the horizon "
                    f"({h.start}-{h.end}): every value would come from before it",
                    path=where,
                )


def _check_noise(name: str, ind: Indicator) -> None:
    """An observation noise is a standard deviation in the indicator's unit: not negative."""
    noise = ind.observation_noise
    if noise is None:
        return
    where = f"indicators.{name}.observation_noise"
    unit = noise.written_unit or ind.unit
    try:
        factor = conversion_factor(unit, ind.unit)
    except UnitError:
        raise UnitError(
            f"unit {unit!r} is not the indicator's ({ind.unit}): the noise is a standard "
            "deviation of the indicator's values",
            path=f"{where}.unit",
        ) from None
    low = noise.distribution.support()[0] if noise.distribution is not None else math.inf
    value = noise.quantity()[0] if noise.value is not None else math.inf
    if min(low, value) * factor < 0:
        raise ScenarioError(
            "a standard deviation cannot be negative (expected a value and a distribution >= 0)",
            path=where,
        )
