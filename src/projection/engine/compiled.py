"""The compiled scenario: worked out once, then evaluated on arrays.

:func:`compile_scenario` turns a validated :class:`~projection.scenario.Scenario` into a
:class:`CompiledScenario`: every number converted to the unit the engine computes in, every
input that can vary listed with its unit factor, its domain and its distribution, indicators in
dependency order, derived expressions and constraints compiled to plain numpy
(:mod:`projection.engine.derived`), targets reduced to a column and a required value. No pint,
no pydantic and no validation are left for the evaluation.

:meth:`CompiledScenario.evaluate` is the one evaluation entry point. It takes values for any
inputs, fixed or uncertain, by dotted path (``indicators.ev_sales_share.params.rate``), each an
array of ``m`` values, and returns every indicator for those ``m`` parameter sets at once:
single runs, ensembles, :func:`~projection.solve`, sensitivity analysis and calibration all go
through it, with the same clipping and the same checks.

Bounds
------
A share (a dimensionless unit such as ``%``) lies in [0, 100 %] and every other indicator here
(capacity, installed power, energy, traffic) is non-negative. Families that saturate respect
this by construction; a ``linear`` trajectory can leave the range. Values outside are clipped
to it, and :class:`Evaluation` counts, per year, the members that were: the results turn the
counts into notes, so a clip is visible, never silent. A ``derived`` indicator is a computation
on other indicators, so it is never clipped: a ratio above 100 % (traffic above capacity)
means the inputs disagree, and the count says where.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import ExpressionError, ParameterError, ProjectionError, ScenarioError
from ..models import DERIVED, Domain, Family, get_family
from ..scenario import Scenario, load_scenario
from ..units import Quantity, conversion_factor, exact_factor, share_cap
from ..validation import suggest
from .derived import CompiledExpression, Unevaluable, compile_expression
from .tolerance import exceeds

__all__ = [
    "CompiledScenario",
    "CompiledTarget",
    "CompiledConstraint",
    "Evaluation",
    "Input",
    "compile_scenario",
]


@dataclass(frozen=True)
class Input:
    """One number of a scenario that an evaluation may vary.

    Attributes
    ----------
    path : str
        Dotted path: ``indicators.NAME.params.PARAM``, ``indicators.NAME.milestones.I.value``
        or ``indicators.NAME.milestones.I.year``.
    indicator : str
        The indicator it belongs to.
    key : str or (str, int)
        Where the indicator uses it: a family parameter or a derived constant's name, or
        (``milestone_values`` | ``milestone_years``, index).
    value : float
        The point value, in :attr:`unit`.
    unit : str
        The unit the file writes it in (``""`` for a bare number, which is in
        :attr:`canonical`).
    canonical : str
        The unit the engine computes in: the indicator's unit for a level, ``1/yr`` for a
        rate; a derived constant keeps its own unit.
    factor : float
        Multiply a value in :attr:`unit` by this to get it in :attr:`canonical`.
    kind : str
        ``level``, ``rate``, ``level_rate``, ``year`` or ``constant``.
    domain : Domain
        The values it may take on its own, in :attr:`unit`: the family's domain of the
        parameter with the share cap (``start <= cap`` is the family's to check, as both may
        vary; :meth:`CompiledScenario.domain` adds it at the other parameters' values).
    distribution : Distribution or None
        Its distribution (in :attr:`unit`), if it has one.
    source : str
        Where the number comes from.
    """

    path: str
    indicator: str
    key: Any
    value: float
    unit: str
    canonical: str
    factor: float
    kind: str
    domain: Domain
    distribution: Any
    source: str

    @property
    def uncertain(self) -> bool:
        """Whether it has a distribution."""
        return self.distribution is not None


@dataclass(frozen=True)
class CompiledTarget:
    """A target reduced to numbers: ``indicator`` in column ``column`` (year ``year``) is
    ``bound`` (``at_least``/``at_most``) ``required`` [``unit``]."""

    id: str
    indicator: str
    year: int
    column: int
    bound: str
    required: float
    unit: str
    source: str


@dataclass(frozen=True, eq=False)
class CompiledConstraint:
    """A constraint ``lhs OP rhs`` with both sides compiled to magnitudes in the left side's
    unit (:attr:`unit`)."""

    id: str
    text: str
    op: str
    lhs: CompiledExpression | float
    rhs: CompiledExpression | float
    rhs_factor: float
    names: tuple[str, ...]
    unit: str
    source: str

    def evaluate(
        self, values: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lhs, rhs, margin)`` in :attr:`unit`, broadcast against each other. The margin is
        the room left: ``rhs - lhs`` for ``<=``/``<``, ``lhs - rhs`` for ``>=``/``>``;
        negative where the constraint is violated.

        Raises
        ------
        Unevaluable
            A side cannot be evaluated at these values, or the two cannot be compared in
            :attr:`unit` (an overflow).
        """
        env = {n: values[n] for n in self.names}
        lv = self.lhs(env) if callable(self.lhs) else np.float64(self.lhs)
        rv = self.rhs(env) if callable(self.rhs) else np.float64(self.rhs)
        try:
            with np.errstate(over="raise", invalid="raise", under="ignore"):
                if self.rhs_factor != 1.0:
                    rv = rv * self.rhs_factor
                lv, rv = np.broadcast_arrays(np.asarray(lv, float), np.asarray(rv, float))
                margin = rv - lv if self.op in ("<=", "<") else lv - rv
        except FloatingPointError as err:
            raise Unevaluable(str(err)) from None
        return lv, rv, margin


@dataclass(frozen=True)
class Evaluation:
    """What :meth:`CompiledScenario.evaluate` returns.

    Attributes
    ----------
    values : dict of str to ndarray
        Every evaluated indicator in its unit: shape ``(m, T)`` where it depends on the
        inputs given, ``(T,)`` where it does not (broadcast it for ``m`` members).
    above, below : dict of str to ndarray of int, shape (T,)
        Per indicator that left its bounds, how many members were above its cap (a share's
        100 %) or below 0 in each year, before clipping.
    members : int
        ``m``, or 1 when no input was given.
    years : ndarray of int
    """

    values: dict[str, np.ndarray]
    above: dict[str, np.ndarray]
    below: dict[str, np.ndarray]
    members: int
    years: np.ndarray

    def full(self, indicator: str) -> np.ndarray:
        """One indicator broadcast to ``(members, T)`` (read-only where it was ``(T,)``)."""
        v = self.values[indicator]
        return v if v.ndim == 2 else np.broadcast_to(v, (self.members, v.shape[-1]))


# ------------------------------------------------------------------------------ nodes


@dataclass(frozen=True, eq=False)
class _FamilyNode:
    name: str
    family: Family
    base_year: float
    params: dict[str, Any]  # canonical units; milestones as tuples
    options: dict[str, str]

    def evaluate(
        self, years: np.ndarray, drawn: Mapping[Any, np.ndarray], values: Mapping[str, Any]
    ) -> np.ndarray:
        params: dict[str, Any] = dict(self.params)
        for key, value in drawn.items():
            if isinstance(key, tuple):  # a milestone's value or year: one column of (m, K)
                field_, i = key
                column = np.asarray(params[field_], dtype=float)
                table = (
                    np.repeat(column[None, :], len(value), axis=0) if column.ndim == 1 else column
                )
                table[:, i] = value
                params[field_] = table
            else:
                params[key] = value
        if "milestone_years" in params and np.ndim(params["milestone_years"]) == 2:
            vals = np.asarray(params["milestone_values"], dtype=float)
            params["milestone_values"] = np.broadcast_to(vals, params["milestone_years"].shape)
        return np.asarray(
            self.family.evaluate(years, base_year=self.base_year, **params, **self.options),
            dtype=float,
        )


@dataclass(frozen=True, eq=False)
class _DerivedNode:
    name: str
    expression: CompiledExpression
    factor: float  # from the expression's unit to the indicator's
    deps: tuple[str, ...]
    constants: dict[str, float]  # as written, in their own unit

    def evaluate(
        self, years: np.ndarray, drawn: Mapping[Any, np.ndarray], values: Mapping[str, Any]
    ) -> np.ndarray:
        env: dict[str, Any] = {dep: values[dep] for dep in self.deps}
        for cname, value in self.constants.items():
            env[cname] = drawn[cname][:, None] if cname in drawn else value
        magnitude = self.expression(env)
        if self.factor != 1.0:
            try:
                with np.errstate(over="raise", invalid="raise", under="ignore"):
                    magnitude = magnitude * self.factor
            except FloatingPointError as err:
                raise Unevaluable(str(err)) from None
        shape = magnitude.shape[:-1] + years.shape if magnitude.ndim > 1 else years.shape
        return np.broadcast_to(magnitude, shape).copy()


# ---------------------------------------------------------------------------- compiled


@dataclass(frozen=True, eq=False)
class CompiledScenario:
    """A scenario ready to evaluate. Build one with :func:`compile_scenario`.

    Attributes
    ----------
    scenario : Scenario
        What was compiled.
    years : ndarray of int, shape (T,)
        The projected years.
    order : tuple of str
        Indicators in evaluation order (dependencies first).
    units : dict of str to str
        Each indicator's unit.
    caps : dict of str to float
        Each indicator's upper bound: 100 % for a share, ``inf`` otherwise.
    inputs : dict of str to Input
        Every number an evaluation may vary, by dotted path, sorted.
    uncertain : tuple of Input
        The inputs with a distribution, sorted by path: what an ensemble draws.
    targets : dict of str to CompiledTarget
    constraints : dict of str to CompiledConstraint
    """

    scenario: Scenario
    years: np.ndarray
    order: tuple[str, ...]
    units: dict[str, str]
    caps: dict[str, float]
    inputs: dict[str, Input]
    uncertain: tuple[Input, ...]
    targets: dict[str, CompiledTarget]
    constraints: dict[str, CompiledConstraint]
    _nodes: dict[str, Any] = field(repr=False)
    _deps: dict[str, tuple[str, ...]] = field(repr=False)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def indicators(self) -> list[str]:
        """Indicator names, sorted (the order results report them in)."""
        return sorted(self.order)

    def input(self, path: str) -> Input:
        """The input at ``path``; a path that is not one names the closest that is."""
        try:
            return self.inputs[path]
        except KeyError:
            pass
        known = list(self.inputs)
        raise ScenarioError(
            f"{path!r} is not a number of scenario {self.name!r}{suggest(path, known)} "
            f"(numbers: {_listed(known)})",
            path=path,
        )

    def column(self, year: int) -> int:
        """Index of ``year`` in :attr:`years`; a year off the grid is refused."""
        return year_index(self.years, year, self.scenario)

    def evaluate(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        years: Iterable[float] | None = None,
        only: Iterable[str] | None = None,
        written: bool = True,
    ) -> Evaluation:
        """Every indicator for ``m`` sets of input values, at once.

        Parameters
        ----------
        values : mapping of str to array_like, optional
            Values of inputs by dotted path (any of :attr:`inputs`, fixed or uncertain), each a
            number or an array of ``m`` values; inputs not given keep their point value.
        years : array_like, optional
            Evaluate at these years instead of the scenario's (calibration compares with
            observed years).
        only : iterable of str, optional
            Evaluate these indicators and what they depend on, not the others.
        written : bool, default True
            Values are in each input's written unit (:attr:`Input.unit`, as in the file and
            its distributions); ``False``: in its canonical unit (:attr:`Input.canonical`).

        Returns
        -------
        Evaluation

        Raises
        ------
        ScenarioError
            An unknown path, values of different lengths, or values the scenario cannot take
            (outside a family's domain, a division by zero in a derived indicator), located
            in the scenario file.

        Examples
        --------
        >>> import projection
        >>> c = projection.compile_scenario("scenarios/baseline.yaml")
        >>> ev = c.evaluate({"indicators.ev_sales_share.params.rate": [0.35, 0.7]})
        >>> ev.values["ev_sales_share"].shape, ev.values["ofc_capacity"].shape
        ((2, 16), (16,))
        >>> [round(float(v), 2) for v in ev.values["ev_sales_share"][:, c.column(2030)]]
        [9.93, 31.99]
        """
        drawn, m = self._drawn(values or {}, written)
        t = self.years.astype(float) if years is None else _years(years)
        names = self.order if only is None else self._closure(only)
        out: dict[str, np.ndarray] = {}
        above: dict[str, np.ndarray] = {}
        below: dict[str, np.ndarray] = {}
        for name in names:
            node = self._nodes[name]
            try:
                raw = node.evaluate(t, drawn.get(name, {}), out)
            except ParameterError as err:  # values outside the family's domain
                where = "an ensemble member is invalid: " if m > 1 else ""
                raise self._locate(
                    ScenarioError(f"{where}{err}"), f"indicators.{name}.params"
                ) from None
            except Unevaluable:
                raise self._derived_error(name, t, drawn.get(name, {}), out) from None
            derived = isinstance(node, _DerivedNode)
            out[name], hi, lo = _bound(raw, self.caps[name], clip=not derived)
            if hi is not None:
                above[name] = hi
            if lo is not None:
                below[name] = lo
        return Evaluation(out, above, below, m, t.astype(int))

    # ------------------------------------------------------------------ helpers
    def _drawn(
        self, values: Mapping[str, Any], written: bool
    ) -> tuple[dict[str, dict[Any, np.ndarray]], int]:
        drawn: dict[str, dict[Any, np.ndarray]] = {}
        m: int | None = None
        first = ""
        for path, raw in values.items():
            inp = self.input(str(path))
            arr = np.atleast_1d(np.asarray(raw, dtype=float))
            if arr.ndim != 1:
                raise ProjectionError(
                    f"{path}: expected one value per member (got shape {arr.shape})"
                )
            if m is None:
                m, first = len(arr), str(path)
            elif len(arr) != m:
                raise ProjectionError(
                    f"{path} has {len(arr)} values but {first} has {m} (give every input the "
                    "same number of values)"
                )
            _check_domain(inp, arr if written else arr / inp.factor, self)
            if written and inp.factor != 1.0:
                arr = arr * inp.factor
            drawn.setdefault(inp.indicator, {})[inp.key] = arr
        return drawn, (1 if m is None else m)

    def domain(self, path: str) -> Domain:
        """The values input ``path`` may take (in its written unit) with every other input at
        its point value: its own domain and ``start <= cap`` against the family's cap."""
        inp = self.input(path)
        node = self._nodes[inp.indicator]
        if not isinstance(node, _FamilyNode) or not isinstance(inp.key, str):
            return inp.domain
        others = {k: v for k, v in node.params.items() if k != inp.key and np.ndim(v) == 0}
        d = node.family.domain(inp.key, share_cap=self.caps[inp.indicator], values=others)
        return _in_written_unit(d, inp.factor)

    def _closure(self, only: Iterable[str]) -> tuple[str, ...]:
        wanted: set[str] = set()
        stack = []
        for name in only:
            if name not in self._nodes:
                known = sorted(self._nodes)
                raise ProjectionError(
                    f"unknown indicator {name!r}{suggest(name, known)} (known: {', '.join(known)})"
                )
            stack.append(name)
        while stack:
            name = stack.pop()
            if name not in wanted:
                wanted.add(name)
                stack.extend(self._deps[name])
        return tuple(n for n in self.order if n in wanted)

    def _locate(self, err: ScenarioError, path: str) -> ScenarioError:
        return self.scenario.locate(err, path)

    def _derived_error(
        self, name: str, years: np.ndarray, drawn: Mapping[Any, np.ndarray], values: Mapping
    ) -> ScenarioError:
        """The interpreter's message for a derived value the compiled expression could not
        compute (a division by zero, an overflow)."""
        ind = self.scenario.indicators[name]
        expr = self.scenario.expression(name)
        where = f"indicators.{name}.expression"
        env: dict[str, Any] = {
            dep: Quantity(values[dep], self.units[dep]) for dep in expr.names if dep in values
        }
        for pname, param in ind.params.items():
            magnitude, unit = param.quantity()
            value = drawn[pname][:, None] if pname in drawn else magnitude
            env[pname] = Quantity(value, unit or "")
        try:
            result = expr.evaluate(env)
            with np.errstate(all="ignore"):
                magnitude = np.asarray(result.to(ind.unit).magnitude, dtype=float)
        except ScenarioError as err:
            return self._locate(err, where)
        if not np.isfinite(magnitude).all():
            return self._locate(
                ExpressionError(
                    f"the value of {expr.text!r} is too large to express in "
                    f"{ind.unit or 'dimensionless'!r} (not finite; check the magnitudes of its "
                    "inputs)"
                ),
                where,
            )
        return self._locate(  # pragma: no cover - the interpreter found nothing wrong
            ExpressionError(f"cannot evaluate {expr.text!r} at these values"), where
        )

    def constraint_sides(
        self, cid: str, values: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(lhs, rhs, margin)`` of constraint ``cid`` for indicator ``values``, in the
        constraint's unit; an overflow is a located error."""
        c = self.constraints[cid]
        try:
            return c.evaluate(values)
        except Unevaluable:
            comparison = self.scenario.comparison(cid)
            env = {n: Quantity(values[n], self.units[n]) for n in comparison.names}
            try:
                comparison.margin(env)
            except ScenarioError as err:
                raise self._locate(err, f"constraints.{cid}.expression") from None
            raise self._locate(  # pragma: no cover - the interpreter found nothing wrong
                ExpressionError(f"cannot evaluate {c.text!r} at these values"),
                f"constraints.{cid}.expression",
            ) from None

    def __reduce__(self) -> tuple:
        # sent to worker processes as the scenario, compiled there once
        return (compile_scenario, (self.scenario,))


# --------------------------------------------------------------------------- compiling


def compile_scenario(scenario: Scenario | Any) -> CompiledScenario:
    """Compile a scenario (anything :func:`~projection.load_scenario` accepts).

    Examples
    --------
    >>> import projection
    >>> c = projection.compile_scenario("scenarios/paper-targets.yaml")
    >>> [i.path for i in c.uncertain][:2]
    ['indicators.electricity_demand.params.rate', 'indicators.ev_sales_share.params.ceiling']
    >>> c.inputs["indicators.ofc_capacity.milestones.1.value"].factor  # written in Tbps
    1000.0
    """
    s = load_scenario(scenario)
    years = np.asarray(s.years, dtype=int)
    units = {name: ind.unit for name, ind in s.indicators.items()}
    caps = {name: share_cap(unit) for name, unit in units.items()}
    inputs: dict[str, Input] = {}
    nodes: dict[str, Any] = {}
    deps: dict[str, tuple[str, ...]] = {}
    for name in s.order:
        ind = s.indicators[name]
        if ind.model == DERIVED:
            nodes[name], deps[name] = _derived(s, name, inputs)
        else:
            nodes[name], deps[name] = _family(s, name, caps[name], inputs), ()
    targets = {}
    for tid, t in s.targets.items():
        unit = units[t.indicator]
        targets[tid] = CompiledTarget(
            id=tid,
            indicator=t.indicator,
            year=int(t.year),
            column=int(np.searchsorted(years, t.year)),
            bound=t.bound[0],
            required=t.required(unit),
            unit=unit,
            source=" ".join(t.source.split()),
        )
    constraints = {cid: _constraint(s, cid, units) for cid in s.constraints}
    ordered = dict(sorted(inputs.items()))
    return CompiledScenario(
        scenario=s,
        years=years,
        order=tuple(s.order),
        units=units,
        caps=caps,
        inputs=ordered,
        uncertain=tuple(i for i in ordered.values() if i.uncertain),
        targets=targets,
        constraints=constraints,
        _nodes=nodes,
        _deps=deps,
    )


def _family(s: Scenario, name: str, cap: float, inputs: dict[str, Input]) -> _FamilyNode:
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
            domain=_in_written_unit(domain, factor),
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
                domain=_in_written_unit(family.domain("milestone_values", share_cap=cap), factor),
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
    return _FamilyNode(name, family, float(base_year), params, options)


def _derived(
    s: Scenario, name: str, inputs: dict[str, Input]
) -> tuple[_DerivedNode, tuple[str, ...]]:
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
    deps = tuple(sorted(n for n in expr.names if n not in ind.params))
    for dep in deps:
        units[dep] = s.indicators[dep].unit
    compiled = compile_expression(expr, units)
    factor = exact_factor(compiled.unit, ind.unit)
    return _DerivedNode(name, compiled, factor, deps, constants), deps


def _constraint(s: Scenario, cid: str, units: Mapping[str, str]) -> CompiledConstraint:
    comparison = s.comparison(cid)
    c = s.constraints[cid]

    def side(sd: Any) -> tuple[CompiledExpression | float, Any]:
        if sd.expression is not None:
            compiled = compile_expression(sd.expression, {n: units[n] for n in sd.names})
            return compiled, compiled.unit
        magnitude, unit = sd.constant
        return float(magnitude), Quantity(1.0, unit).units

    lhs, lunit = side(comparison.lhs)
    rhs, runit = side(comparison.rhs)
    factor = exact_factor(runit, lunit)
    text = f"{Quantity(1.0, lunit).units:~P}"
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


def _check_domain(inp: Input, values: np.ndarray, compiled: CompiledScenario) -> None:
    """Refuse values of an input outside its own domain (a share above 100 %, a negative
    capacity), located at the input's path: two reductions per input."""
    if not values.size:
        return
    lo, hi = float(values.min()), float(values.max())
    if lo in inp.domain and hi in inp.domain:
        return
    bad = next(v for v in (lo, hi) if v not in inp.domain)
    d = inp.domain
    unit = f" {inp.unit}" if inp.unit else ""
    if not np.isfinite(bad):
        what = "a finite number"
    elif bad > d.upper:
        what = f"at most {d.upper:g}{unit}"
    else:
        what = f"{'at least' if d.lower_inclusive else 'above'} {d.lower:g}{unit}"
    raise compiled._locate(
        ScenarioError(
            f"{inp.key if isinstance(inp.key, str) else 'value'} must be {what} (got {bad:g}{unit})"
        ),
        inp.path,
    )


def _in_written_unit(domain: Domain, factor: float) -> Domain:
    """A domain in canonical units expressed in the written unit (``factor`` > 0)."""
    if factor == 1.0:
        return domain
    return Domain(domain.lower / factor, domain.upper / factor, domain.lower_inclusive)


def _bound(
    out: np.ndarray, cap: float, *, clip: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Count members outside ``[0, cap]`` per year (above the cap beyond the tolerance, as a
    constraint ``x <= cap`` counts them) and, with ``clip``, clip the values to the range."""
    low = out < 0.0
    high = out > cap
    if not (low.any() or high.any()):  # the usual case: two passes, nothing else
        return out, None, None

    def counts(mask: np.ndarray) -> np.ndarray | None:
        if not mask.any():
            return None
        return mask.sum(axis=0) if mask.ndim > 1 else mask.astype(np.int64)

    hi, lo = counts(exceeds(out, cap)), counts(low)
    if clip:
        out = np.clip(out, 0.0, cap)
    return out, hi, lo


def year_index(years: np.ndarray, year: Any, scenario: Scenario | None = None) -> int:
    """Index of ``year`` in ``years``; a year not projected is refused, naming the grid."""
    y = int(year) if _whole(year) else None
    i = int(np.searchsorted(years, y)) if y is not None else len(years)
    if i >= len(years) or int(years[i]) != y:
        step = int(years[1] - years[0]) if len(years) > 1 else 1
        name = f" of {scenario.name!r}" if scenario is not None else ""
        raise ProjectionError(
            f"{year!r} is not a projected year{name} ({int(years[0])}..{int(years[-1])} "
            f"step {step})"
        )
    return i


def _whole(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and float(value).is_integer()
    except (TypeError, ValueError):
        return False


def _years(years: Iterable[float]) -> np.ndarray:
    t = np.asarray(list(years) if not isinstance(years, np.ndarray) else years, dtype=float)
    if t.ndim != 1:
        raise ProjectionError(f"years must be a 1-D list of years (got shape {t.shape})")
    return t


def _listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
