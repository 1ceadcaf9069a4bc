"""Derived expressions compiled to plain numpy: units resolved once, arrays at run time.

A ``derived`` indicator's expression (``solar_capacity * capacity_factor * hours /
electricity_demand``) is checked with units when the scenario is loaded. Evaluating it through
pint on every chunk of an ensemble would convert units again and again; instead
:func:`compile_expression` walks the checked tree once, works out the unit of every node with
pint, and records a plain factor wherever the interpreter would convert (the operands of
``+``, ``-``, ``min``, ``max`` and ``clip`` to the first one's unit, the argument of ``exp`` and
``log`` to a pure number). What is left runs on floats and arrays only.

It computes what the pint interpreter (:mod:`projection.scenario.expression_eval`) computes,
bit for bit: the same operations on the same magnitudes in the same order, each conversion a
multiplication by the factor pint itself would use (:func:`projection.units.exact_factor`).
``tests/engine/test_derived.py`` holds it to that.

Values it cannot take (a division by zero, the log of 0, an overflow) are caught by numpy's
floating-point checks (:func:`numpy.errstate`), at no cost when nothing goes wrong, and
reported as :class:`Unevaluable`: the caller then runs the interpreter, whose message names
the operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..scenario import time_functions as tf
from ..scenario.expression_tree import Binary, Call, Name, Node, Num, Unary, is_zero
from ..scenario.expressions import Expression, parse_expression
from ..scenario.time_functions import TIME_FUNCTIONS, YEARLY_ONLY
from ..units import parse_unit, registry
from ..units_cache import cached

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["CompiledExpression", "Unevaluable", "compile_expression", "FLOAT_CHECKS"]

#: numpy's floating-point checks while a compiled expression runs: a division by zero, an
#: invalid operation (log of a negative number, 0/0) or an overflow stops it; underflow to 0
#: is fine.
FLOAT_CHECKS = {"divide": "raise", "over": "raise", "invalid": "raise", "under": "ignore"}


class Unevaluable(Exception):
    """A compiled expression met a value it cannot take; the interpreter will say which."""


# ------------------------------------------------------------------------------ nodes
# Each node computes a magnitude from an environment of magnitudes (floats or arrays).


@dataclass(frozen=True, slots=True)
class _Const:
    value: float

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return np.float64(self.value)


@dataclass(frozen=True, slots=True)
class _Var:
    name: str

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return env[self.name]


@dataclass(frozen=True, slots=True)
class _Scale:
    """``x * factor``: a unit conversion."""

    x: Any
    factor: float

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return self.x(env) * self.factor


@dataclass(frozen=True, slots=True)
class _Neg:
    x: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return -self.x(env)


@dataclass(frozen=True, slots=True)
class _Op:
    op: str
    left: Any
    right: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        a, b = self.left(env), self.right(env)
        op = self.op
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return a / b


@dataclass(frozen=True, slots=True)
class _Pow:
    x: Any
    exponent: float

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return self.x(env) ** self.exponent


@dataclass(frozen=True, slots=True)
class _Fold:
    """``min`` or ``max`` of two or more operands, folded left to right."""

    func: str
    args: tuple[Any, ...]

    def __call__(self, env: Mapping[str, Any]) -> Any:
        ufunc = np.minimum if self.func == "min" else np.maximum
        out = np.asarray(self.args[0](env))
        for arg in self.args[1:]:
            out = ufunc(out, arg(env))
        return out


@dataclass(frozen=True, slots=True)
class _Clip:
    x: Any
    lo: Any
    hi: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        x, lo, hi = self.x(env), self.lo(env), self.hi(env)
        if np.any(np.asarray(lo) > np.asarray(hi)):
            raise Unevaluable("clip with a lower bound above the upper bound")
        return np.minimum(np.maximum(x, lo), hi)


@dataclass(frozen=True, slots=True)
class _Unary:
    func: str
    x: Any

    def __call__(self, env: Mapping[str, Any]) -> Any:
        x = self.x(env)
        if self.func == "abs":
            return np.abs(x)
        if self.func == "exp":
            return np.exp(x)
        if self.func == "sin":
            return np.sin(x)
        if self.func == "cos":
            return np.cos(x)
        return np.log(x)


@dataclass(frozen=True, slots=True)
class _Time:
    """A function across years (:mod:`projection.scenario.time_functions`): ``func`` of
    ``x`` with ``args`` (compiled lifetimes and shapes, in years and pure numbers) or, for
    ``lag``, ``years`` back; the projected years are ``env["__years__"]``."""

    func: str
    x: Any
    args: tuple[Any, ...]
    years: float = 0.0

    def __call__(self, env: Mapping[str, Any]) -> Any:
        x = np.asarray(self.x(env), dtype=float)
        t = env.get("__years__")
        if t is None:
            if x.ndim == 0:
                raise Unevaluable(f"{self.func}() needs the years")
            t = np.arange(x.shape[-1], dtype=float)
        x = tf.spread(x, len(t))
        if self.func == "lag":
            step = float(t[1] - t[0]) if len(t) > 1 else 1.0
            return tf.lag(x, int(round(self.years / step)))
        if self.func == "diff":
            return tf.diff(x)
        if self.func == "cumulative":
            return tf.cumulative(x)
        args = [np.asarray(a(env), dtype=float) for a in self.args]
        if any(np.any(a <= 0) for a in args):
            raise Unevaluable(f"{self.func}() with a lifetime or shape <= 0")
        return (tf.stock if self.func == "stock" else tf.weibull_stock)(x, *args)


# --------------------------------------------------------------------------- compiling


@dataclass(frozen=True, eq=False)
class CompiledExpression:
    """An expression ready to evaluate on magnitudes.

    Attributes
    ----------
    expression : Expression
        What was compiled.
    units : dict of str to str
        The unit each name's magnitude must be in.
    unit : str
        The unit of the result, as the interpreter gives it (not simplified), as pint prints
        it.
    """

    expression: Expression
    units: dict[str, str]
    unit: str
    root: Any

    def __call__(self, env: Mapping[str, Any]) -> np.ndarray:
        """The magnitude of the expression, in :attr:`unit`, for magnitudes in ``env``.

        Raises
        ------
        Unevaluable
            A division by zero, an invalid operation or an overflow on the way.
        """
        try:
            with np.errstate(**FLOAT_CHECKS):
                return np.asarray(self.root(env), dtype=float)
        except FloatingPointError as err:
            raise Unevaluable(str(err)) from None

    def __reduce__(self) -> tuple:
        # compiled again where it is unpickled (worker processes): units are not picklable
        # across registries
        return (compile_expression, (self.expression, self.units))


def compile_expression(expression: Expression, units: Mapping[str, str]) -> CompiledExpression:
    """Compile ``expression`` for names whose magnitudes are in ``units``.

    Parameters
    ----------
    expression : Expression
        A checked expression; its units must fit (as :meth:`Expression.unit` checks).
    units : mapping of str to str
        The unit of every name of the expression.

    Examples
    --------
    >>> import numpy as np
    >>> from projection.scenario.expressions import parse_expression
    >>> from projection.units import exact_factor
    >>> c = compile_expression(parse_expression("traffic / capacity"),
    ...                        {"traffic": "Gbps", "capacity": "Tbps"})
    >>> share = c({"traffic": np.array([1000.0, 3000.0]), "capacity": 4.0})
    >>> (share * exact_factor(c.unit, "%")).tolist()
    [25.0, 75.0]
    """
    units = {name: str(units[name]) for name in expression.names}
    unit, plan = _plan(expression.text, sorted(units.items()))
    return CompiledExpression(expression, units, unit, _decode(plan))


@cached("derived")
def _plan(text: str, units: list[list[str]]) -> list[Any]:
    """``[unit, plan]``: the compiled tree of ``text`` as plain lists (see :func:`_encode`),
    worked out with pint once and remembered (:mod:`projection.units_cache`)."""
    ureg = registry()
    root, unit = _Compiler({n: parse_unit(u) for n, u in units}, ureg).compile(
        parse_expression(text).root
    )
    return [str(unit), _encode(root)]


def _encode(node: Any) -> list[Any]:
    """A compiled node as plain lists (JSON), children first encoded."""
    if isinstance(node, _Const):
        return ["const", node.value]
    if isinstance(node, _Var):
        return ["var", node.name]
    if isinstance(node, _Scale):
        return ["scale", _encode(node.x), node.factor]
    if isinstance(node, _Neg):
        return ["neg", _encode(node.x)]
    if isinstance(node, _Op):
        return ["op", node.op, _encode(node.left), _encode(node.right)]
    if isinstance(node, _Pow):
        return ["pow", _encode(node.x), node.exponent]
    if isinstance(node, _Fold):
        return ["fold", node.func, [_encode(a) for a in node.args]]
    if isinstance(node, _Clip):
        return ["clip", _encode(node.x), _encode(node.lo), _encode(node.hi)]
    if isinstance(node, _Time):
        return ["time", node.func, _encode(node.x), [_encode(a) for a in node.args], node.years]
    assert isinstance(node, _Unary), node
    return ["unary", node.func, _encode(node.x)]


def _decode(plan: list[Any]) -> Any:
    """The inverse of :func:`_encode`."""
    kind = plan[0]
    if kind == "const":
        return _Const(float(plan[1]))
    if kind == "var":
        return _Var(plan[1])
    if kind == "scale":
        return _Scale(_decode(plan[1]), float(plan[2]))
    if kind == "neg":
        return _Neg(_decode(plan[1]))
    if kind == "op":
        return _Op(plan[1], _decode(plan[2]), _decode(plan[3]))
    if kind == "pow":
        return _Pow(_decode(plan[1]), float(plan[2]))
    if kind == "fold":
        return _Fold(plan[1], tuple(_decode(a) for a in plan[2]))
    if kind == "clip":
        return _Clip(_decode(plan[1]), _decode(plan[2]), _decode(plan[3]))
    if kind == "time":
        return _Time(plan[1], _decode(plan[2]), tuple(_decode(a) for a in plan[3]), float(plan[4]))
    return _Unary(plan[1], _decode(plan[2]))


def _scaled(node: Any, factor: float) -> Any:
    return node if factor == 1.0 else _Scale(node, factor)


class _Compiler:
    """Walks the checked tree, computing each node's unit as the interpreter does."""

    def __init__(self, units: Mapping[str, pint.Unit], ureg: pint.UnitRegistry) -> None:
        self.units = units
        self.ureg = ureg

    def one(self, unit: pint.Unit) -> pint.Quantity:
        return self.ureg.Quantity(np.asarray(1.0), unit)

    def factor(self, src: pint.Unit, dst: pint.Unit) -> float:
        """The factor pint multiplies a magnitude by to convert ``src`` to ``dst``."""
        return float(self.ureg.Quantity(1.0, src).to(dst).magnitude)

    def compile(self, node: Node) -> tuple[Any, pint.Unit]:
        if isinstance(node, Num):
            return _Const(node.value), self.ureg.dimensionless
        if isinstance(node, Name):
            return _Var(node.name), self.units[node.name]
        if isinstance(node, Unary):
            x, unit = self.compile(node.operand)
            return (_Neg(x) if node.op == "-" else x), unit
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def same_unit(self, nodes: tuple[Node, ...]) -> tuple[list[Any], pint.Unit]:
        """Operands converted to the unit of the first that is not a literal 0 (which stays
        0 in any unit)."""
        compiled = [self.compile(n) for n in nodes]
        reference = next(
            (u for n, (_, u) in zip(nodes, compiled) if not is_zero(n)), compiled[0][1]
        )
        out = []
        for n, (c, u) in zip(nodes, compiled):
            out.append(_Const(0.0) if is_zero(n) else _scaled(c, self.factor(u, reference)))
        return out, reference

    def binary(self, node: Binary) -> tuple[Any, pint.Unit]:
        if node.op in ("+", "-"):
            (a, b), unit = self.same_unit((node.left, node.right))
            return _Op(node.op, a, b), unit
        left, lu = self.compile(node.left)
        if node.op == "**":
            assert isinstance(node.right, Num)  # the parser allows number literals only
            exponent = node.right.value
            return _Pow(left, exponent), (self.one(lu) ** exponent).units
        right, ru = self.compile(node.right)
        unit = (
            (self.one(lu) * self.one(ru)).units
            if node.op == "*"
            else (self.one(lu) / self.one(ru)).units
        )
        return _Op(node.op, left, right), unit

    def call(self, node: Call) -> tuple[Any, pint.Unit]:
        func = node.func
        if func in TIME_FUNCTIONS:
            return self.across_years(node)
        if func in ("min", "max"):
            args, unit = self.same_unit(node.args)
            return _Fold(func, tuple(args)), unit
        if func == "clip":
            (x, lo, hi), unit = self.same_unit(node.args)
            return _Clip(x, lo, hi), unit
        (arg,) = node.args
        x, unit = self.compile(arg)
        if func == "abs":
            return _Unary("abs", x), unit
        if func == "sqrt":
            return _Pow(x, 0.5), (self.one(unit) ** 0.5).units
        # exp, log, sin, cos: of a pure number (a % is converted to a ratio first)
        dimensionless = self.ureg.dimensionless
        return _Unary(func, _scaled(x, self.factor(unit, dimensionless))), dimensionless

    def across_years(self, node: Call) -> tuple[Any, pint.Unit]:
        """A function across years: ``x``'s unit (``lag``, ``diff``) or ``x``'s unit times a
        year (the sums and stocks); lifetimes converted to years, shapes to pure numbers."""
        x, unit = self.compile(node.args[0])
        if node.func == "lag":
            lag_years = node.args[1]
            assert isinstance(lag_years, Num)  # the parser allows a number literal only
            return _Time("lag", x, (), float(lag_years.value)), unit
        if node.func in YEARLY_ONLY:
            unit = (self.one(unit) * self.one(self.ureg.year)).units
        args = []
        for i, arg in enumerate(node.args[1:]):
            a, au = self.compile(arg)
            shape = node.func == "weibull_stock" and i == 1
            target = self.ureg.dimensionless if shape else self.ureg.year
            args.append(_scaled(a, self.factor(au, target)))
        return _Time(node.func, x, tuple(args)), unit
