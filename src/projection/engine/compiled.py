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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..exceptions import ExpressionError, ParameterError, ProjectionError, ScenarioError
from ..models import DERIVED, Domain
from ..models.params import MAX_ABS
from ..scenario import Scenario, load_scenario
from ..scenario.expressions import TIME_NAMES
from ..units import conversion_factor, share_cap
from ..validation import suggest
from .builders import build_constraint, build_derived, build_family
from .derived import Unevaluable
from .nodes import (
    BETWEEN,
    CompiledConstraint,
    CompiledTarget,
    Evaluation,
    Input,
    bound,
    in_written_unit,
    time_values,
    year_index,
)

__all__ = [
    "CompiledScenario",
    "CompiledTarget",
    "CompiledConstraint",
    "Evaluation",
    "Input",
    "compile_scenario",
    "year_index",
]


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
    #: indicator -> (distribution or None, point value, factor to the indicator's unit) of
    #: its ``observation_noise`` (``run --predictive``)
    noise: dict[str, tuple[Any, float, float]] = field(default_factory=dict)

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
            out[name], hi, lo = bound(raw, self.caps[name], clip=node.clip)
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
            check_domain(inp, arr if written else arr / inp.factor, self)
            if written and inp.factor != 1.0:
                arr = arr * inp.factor
            drawn.setdefault(inp.indicator, {})[inp.key] = arr
        return drawn, (1 if m is None else m)

    def domain(self, path: str) -> Domain:
        """The values input ``path`` may take (in its written unit) with every other input at
        its point value: its own domain and ``start <= cap`` against the family's cap."""
        inp = self.input(path)
        node = self._nodes[inp.indicator]
        if node.family is None or not isinstance(inp.key, str):  # a derived constant, a milestone
            return inp.domain
        others = {k: v for k, v in node.params.items() if k != inp.key and np.ndim(v) == 0}
        d = node.family.domain(inp.key, share_cap=self.caps[inp.indicator], values=others)
        return in_written_unit(d, inp.factor)

    def requires(self, names: Iterable[str]) -> tuple[str, ...]:
        """The indicators ``names`` are computed from, themselves included, in evaluation
        order (an unknown name is an error naming the known ones)."""
        return self._closure(names)

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
        from ..units import Quantity

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
        node = self._nodes[name]
        for tname, t in time_values(node.times, years, node.start).items():
            env[tname] = Quantity(t, TIME_NAMES[tname])
        try:
            result = expr.evaluate(env, years if node.across else None)
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
            from ..units import Quantity

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


def compile_scenario(scenario: Scenario | Any) -> CompiledScenario:
    """Compile a scenario (anything :func:`~projection.load_scenario` accepts).

    Examples
    --------
    >>> import projection
    >>> c = projection.compile_scenario("scenarios/paper-targets.yaml")
    >>> [i.path for i in c.uncertain][:2]
    ['indicators.china_international_traffic.params.rate', 'indicators.china_international_traffic.params.start']
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
            nodes[name], deps[name] = build_derived(s, name, inputs)
        else:
            nodes[name], deps[name] = build_family(s, name, caps[name], inputs), ()
    targets = {}
    for tid, t in s.targets.items():
        unit = units[t.indicator]
        targets[tid] = CompiledTarget(
            id=tid,
            indicator=t.indicator,
            year=int(t.year),
            column=int(np.searchsorted(years, t.year)),
            bound=t.kind,
            required=t.required(unit),
            upper=t.required(unit, "at_most") if t.kind == BETWEEN else None,
            unit=unit,
            source=" ".join(t.source.split()),
        )
    constraints = {cid: build_constraint(s, cid, units) for cid in s.constraints}
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
        noise={
            name: (
                ind.observation_noise.distribution,
                float(ind.observation_noise.quantity()[0]),
                conversion_factor(ind.observation_noise.written_unit or ind.unit, ind.unit),
            )
            for name, ind in s.indicators.items()
            if ind.observation_noise is not None
        },
    )


def check_domain(inp: Input, values: np.ndarray, compiled: CompiledScenario) -> None:
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
    elif abs(bad) > MAX_ABS:
        what = f"at most {MAX_ABS:g}{unit} in magnitude"
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


def _years(years: Iterable[float]) -> np.ndarray:
    t = np.asarray(list(years) if not isinstance(years, np.ndarray) else years, dtype=float)
    if t.ndim != 1:
        raise ProjectionError(f"years must be a 1-D list of years (got shape {t.shape})")
    return t


def _listed(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")
