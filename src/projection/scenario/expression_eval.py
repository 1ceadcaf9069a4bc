"""Evaluating a checked expression tree with units (pint): the reference interpreter.

The engine evaluates compiled expressions on plain arrays (:mod:`projection.engine.derived`);
this interpreter is the reference it is tested against, the unit check a scenario is validated
with (:func:`result_unit`), and what produces the exact error message when a compiled
evaluation meets a value it cannot take (a division by zero, say).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pint

from ..exceptions import ExpressionError
from ..units import Quantity, parse_unit, ureg
from ..validation import closest
from . import time_functions as tf
from .expression_tree import OP_VERBS, Binary, Call, Name, Node, Num, Unary, is_zero
from .time_functions import TIME_FUNCTIONS, YEARLY_ONLY

__all__ = ["evaluate", "result_unit"]


def evaluate(
    root: Node, names: frozenset[str], env: Mapping[str, object], years: object = None
) -> pint.Quantity:
    """The value of the tree ``root`` (naming ``names``) in ``env`` (see
    :meth:`projection.scenario.expressions.Expression.evaluate`); ``years``, the projected
    years along the last axis, for the functions that look across years."""
    values = _lookup(names, env, _to_quantity)
    with np.errstate(all="ignore"):
        result = _Evaluator(values, check_values=True, years=years).run(root)
    magnitude = np.asarray(result.magnitude, dtype=float)
    if magnitude.ndim == 0:
        return Quantity(float(magnitude), result.units)
    return Quantity(magnitude, result.units)


def result_unit(root: Node, names: frozenset[str], units: Mapping[str, object]) -> pint.Unit:
    """The unit of the tree's value given each name's unit (see
    :meth:`projection.scenario.expressions.Expression.unit`)."""

    def one(value: object, name: str) -> pint.Quantity:
        unit = value if isinstance(value, pint.Unit) else parse_unit(value)  # type: ignore[arg-type]
        if unit._REGISTRY is not ureg:
            unit = parse_unit(str(unit))
        return Quantity(np.asarray(1.0), unit)

    values = _lookup(names, units, one)
    with np.errstate(all="ignore"):
        result = _Evaluator(values, check_values=False).run(root)
    return result.units


def _lookup(
    names: frozenset[str],
    env: Mapping[str, object],
    convert: Callable[[object, str], pint.Quantity],
) -> dict[str, pint.Quantity]:
    missing = sorted(name for name in names if name not in env)
    if missing:
        known = sorted(str(k) for k in env)
        shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        hint = f"known: {shown}" if known else "no names are defined"
        close = closest(missing[0], known)
        if close is not None:
            hint = f"did you mean {close!r}? {hint}"
        listed = ", ".join(repr(m) for m in missing)
        noun = "name" if len(missing) == 1 else "names"
        raise ExpressionError(f"unknown {noun} {listed} ({hint})")
    return {name: convert(env[name], name) for name in names}


def _to_quantity(value: object, name: str) -> pint.Quantity:
    if isinstance(value, pint.Quantity):
        magnitude, unit = value.magnitude, value.units
        if value._REGISTRY is not ureg:
            unit = parse_unit(str(unit))
    else:
        magnitude, unit = value, ureg.dimensionless
    if isinstance(magnitude, (str, bytes)):
        raise ExpressionError(
            f"value of {name!r} must be a number or array, got {type(magnitude).__name__}"
        )
    if isinstance(magnitude, (bool, np.bool_)) or (
        isinstance(magnitude, np.ndarray) and magnitude.dtype == bool
    ):
        raise ExpressionError(f"value of {name!r} must be a number or array, got booleans")
    try:
        array = np.asarray(magnitude, dtype=float)
    except (TypeError, ValueError):
        raise ExpressionError(
            f"value of {name!r} must be a number or array, got {type(magnitude).__name__}"
        ) from None
    if not np.isfinite(array).all():
        raise ExpressionError(f"value of {name!r} is not finite (contains nan or inf)")
    return Quantity(array, unit)


def _fmt(unit: pint.Unit) -> str:
    """A unit as messages show it: pint's short form, with its ``a`` (annum) written ``yr``."""
    text = re.sub(r"(?<!\w)a(?!\w)", "yr", format(unit, "~"))
    return text if text else "dimensionless"


class _Evaluator:
    """Walks the checked tree. ``check_values=False`` checks units only (for ``unit()``)."""

    def __init__(
        self, env: Mapping[str, pint.Quantity], *, check_values: bool, years: object = None
    ) -> None:
        self.env = env
        self.check_values = check_values
        self.years = None if years is None else np.asarray(years, dtype=float)

    def run(self, node: Node) -> pint.Quantity:
        result = self.eval(node)
        if self.check_values:
            self.finite(result, node.src)
        return result

    # -- helpers -------------------------------------------------------------------------

    def finite(self, q: pint.Quantity, src: str) -> None:
        if not np.isfinite(q.magnitude).all():
            raise ExpressionError(
                f"{src!r} produced a non-finite value (overflow or an invalid operation; "
                "check the magnitudes of its inputs)"
            )

    def shapes(self, src: str, *values: pint.Quantity) -> None:
        try:
            np.broadcast_shapes(*(np.shape(v.magnitude) for v in values))
        except ValueError:
            listed = " and ".join(str(np.shape(v.magnitude)) for v in values)
            raise ExpressionError(
                f"cannot combine arrays of shapes {listed} in {src!r} (they do not broadcast)"
            ) from None

    def same_dimension(
        self, what: str, src: str, nodes: tuple[Node, ...], values: list[pint.Quantity]
    ) -> tuple[list[np.ndarray], pint.Unit]:
        """Magnitudes of ``values`` in the unit of the first one that is not a literal 0."""
        reference = next(
            (v.units for n, v in zip(nodes, values) if not is_zero(n)), values[0].units
        )
        out = []
        for node, value in zip(nodes, values):
            if is_zero(node):
                out.append(np.zeros_like(value.magnitude))
                continue
            try:
                out.append(np.asarray(value.m_as(reference), dtype=float))
            except pint.DimensionalityError:
                raise ExpressionError(
                    f"cannot {what} {_fmt(reference)} and {_fmt(value.units)} in {src!r} "
                    "(the units have different dimensions)"
                ) from None
            except pint.errors.PintError as err:
                raise ExpressionError(f"cannot {what} in {src!r}: {err}") from None
        return out, reference

    # -- nodes ---------------------------------------------------------------------------

    def eval(self, node: Node) -> pint.Quantity:
        if isinstance(node, Num):
            return Quantity(np.asarray(node.value), ureg.dimensionless)
        if isinstance(node, Name):
            return self.env[node.name]
        if isinstance(node, Unary):
            value = self.eval(node.operand)
            return Quantity(-value.magnitude, value.units) if node.op == "-" else value
        if isinstance(node, Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: Binary) -> pint.Quantity:
        left = self.eval(node.left)
        right = self.eval(node.right)
        self.shapes(node.src, left, right)
        op = node.op
        if op in ("+", "-"):
            (a, b), unit = self.same_dimension(
                OP_VERBS[op], node.src, (node.left, node.right), [left, right]
            )
            result = Quantity(a + b if op == "+" else a - b, unit)
        elif op == "/":
            if self.check_values and np.any(right.magnitude == 0):
                raise ExpressionError(f"division by zero in {node.src!r}")
            result = self.units_op(node, lambda: left / right, left, right)
        elif op == "*":
            result = self.units_op(node, lambda: left * right, left, right)
        else:
            assert isinstance(node.right, Num)
            exponent = node.right.value
            if (
                self.check_values
                and not float(exponent).is_integer()
                and np.any(left.magnitude < 0)
            ):
                raise ExpressionError(
                    f"negative number raised to the non-integer power {exponent:g} in {node.src!r}"
                )
            if self.check_values and exponent < 0 and np.any(left.magnitude == 0):
                raise ExpressionError(f"zero raised to a negative power in {node.src!r}")
            result = self.units_op(node, lambda: left**exponent, left, right)
        if self.check_values:
            self.finite(result, node.src)
        return result

    def units_op(
        self,
        node: Binary,
        compute: Callable[[], pint.Quantity],
        left: pint.Quantity,
        right: pint.Quantity,
    ) -> pint.Quantity:
        try:
            return compute()
        except pint.errors.PintError as err:
            raise ExpressionError(
                f"cannot {OP_VERBS[node.op]} {_fmt(left.units)} and {_fmt(right.units)} "
                f"in {node.src!r}: {err}"
            ) from None

    def call(self, node: Call) -> pint.Quantity:
        if node.func in TIME_FUNCTIONS:
            return self.across_years(node)
        values = [self.eval(arg) for arg in node.args]
        self.shapes(node.src, *values)
        name = node.func
        if name in ("min", "max", "clip"):
            verb = "compare" if name != "clip" else "clip"
            mags, unit = self.same_dimension(verb, node.src, node.args, values)
            if name == "min":
                out = np.asarray(mags[0])
                for m in mags[1:]:
                    out = np.minimum(out, m)
            elif name == "max":
                out = np.asarray(mags[0])
                for m in mags[1:]:
                    out = np.maximum(out, m)
            else:
                x, lo, hi = mags
                if self.check_values and np.any(np.asarray(lo) > np.asarray(hi)):
                    raise ExpressionError(
                        f"lower bound above upper bound in {node.src!r} (clip(x, lo, hi) "
                        "needs lo <= hi)"
                    )
                out = np.minimum(np.maximum(x, lo), hi)
            return Quantity(np.asarray(out, dtype=float), unit)

        (value,) = values
        if name == "abs":
            return Quantity(np.abs(value.magnitude), value.units)
        if name == "sqrt":
            if self.check_values and np.any(value.magnitude < 0):
                raise ExpressionError(f"sqrt of a negative value in {node.src!r}")
            try:
                return value**0.5
            except pint.errors.PintError as err:  # pragma: no cover - pint handles any unit
                raise ExpressionError(f"cannot take {node.src!r}: {err}") from None
        # exp, log, sin, cos: the argument must be dimensionless (a % is converted to a ratio
        # first; sin and cos read it in radians)
        try:
            x = np.asarray(value.m_as(ureg.dimensionless), dtype=float)
        except pint.errors.PintError:
            raise ExpressionError(
                f"{name}() needs a dimensionless argument, got {_fmt(value.units)} in {node.src!r}"
            ) from None
        if name == "log":
            if self.check_values and np.any(x <= 0):
                raise ExpressionError(f"log of a value <= 0 in {node.src!r}")
            out = np.log(x)
        elif name == "sin":
            out = np.sin(x)
        elif name == "cos":
            out = np.cos(x)
        else:
            out = np.exp(x)
        result = Quantity(out, ureg.dimensionless)
        if self.check_values:
            self.finite(result, node.src)
        return result

    def across_years(self, node: Call) -> pint.Quantity:
        """``lag``, ``diff``, ``cumulative``, ``stock``, ``weibull_stock`` (see
        :mod:`projection.scenario.time_functions`); units only when values are not checked."""
        name = node.func
        x = self.eval(node.args[0])
        extra = [self.eval(a) for a in node.args[1:]] if name != "lag" else []
        unit = x.units
        if name in YEARLY_ONLY:
            unit = (Quantity(np.asarray(1.0), x.units) * Quantity(np.asarray(1.0), ureg.year)).units
        args = []
        for what, value in zip(_ARGUMENTS.get(name, ()), extra):
            args.append(self.argument(node, what, value))
        if not self.check_values:
            return Quantity(np.asarray(1.0), unit)
        years = self.years
        if years is None:
            shape = np.shape(x.magnitude)
            if not shape:
                raise ExpressionError(f"{node.src!r} needs the years (values along a last axis)")
            years = np.arange(shape[-1], dtype=float)
        mag = tf.spread(x.magnitude, len(years))
        if name == "lag":
            step = float(years[1] - years[0]) if len(years) > 1 else 1.0
            out = tf.lag(mag, int(round(node.args[1].value / step)))  # type: ignore[union-attr]
        elif name == "diff":
            out = tf.diff(mag)
        elif name == "cumulative":
            out = tf.cumulative(mag)
        elif name == "stock":
            out = tf.stock(mag, *args)
        else:
            out = tf.weibull_stock(mag, *args)
        result = Quantity(out, unit)
        self.finite(result, node.src)
        return result

    def argument(self, node: Call, what: str, value: pint.Quantity) -> np.ndarray:
        """A lifetime in years (> 0) or a shape (a pure number > 0), as a magnitude."""
        target = ureg.year if what != "shape" else ureg.dimensionless
        try:
            m = np.asarray(value.m_as(target), dtype=float)
        except pint.errors.PintError:
            need = "a duration (e.g. in yr)" if what != "shape" else "a pure number"
            raise ExpressionError(
                f"the {what} of {node.func}() must be {need}, got {_fmt(value.units)} in "
                f"{node.src!r}"
            ) from None
        if self.check_values and np.any(m <= 0):
            raise ExpressionError(f"the {what} must be positive in {node.src!r}")
        return m


#: The extra arguments of the stocks, by what they are.
_ARGUMENTS = {"stock": ("lifetime",), "weibull_stock": ("median lifetime", "shape")}
