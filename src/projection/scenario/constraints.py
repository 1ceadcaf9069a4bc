"""Consistency constraints between indicators: ``ofc_traffic <= ofc_capacity``.

A scenario may declare constraints that must hold in every projected year::

    constraints:
      traffic_within_capacity:
        expression: ofc_traffic <= ofc_capacity
        source: "definition: a cable cannot carry more traffic than its capacity"
      solar_share_at_most_all:
        expression: solar_share <= 100 %
        source: "definition: a share of electricity is at most all of it"

Each side is a safe expression over indicator names (see
:mod:`projection.scenario.expressions`) or a quantity such as ``100 %`` or ``4 Tbps``; the two
sides must have the same dimension, which is checked when the scenario is loaded. This module
parses constraints and checks their units; the engine compiles and evaluates them
(:mod:`projection.engine.compiled`) and reports violations
(:mod:`projection.engine.constraints`): never hidden or clipped, ``projection check`` lists every
violated constraint with the years it fails and the margin, and ``run`` and ``targets`` print a
one-line warning.

The margin is the room left, in the left side's unit: ``rhs - lhs`` for ``<=``/``<`` and
``lhs - rhs`` for ``>=``/``>``. It is negative where the constraint is violated. Both strict
and non-strict comparisons allow the relative tolerance of every comparison
(:data:`projection.engine.tolerance.RTOL`, so ``4 Tbps <= 4000 Gbps`` holds despite rounding).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ExpressionError, UnitError
from ..units import dimension_of, parse_quantity, unit_text
from .expressions import Expression, parse_expression

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = ["Comparison", "Side", "parse_constraint"]

_OPERATOR = re.compile(r"<=|>=|<|>")


@dataclass(frozen=True)
class Side:
    """One side of a comparison: an expression, or a constant quantity."""

    text: str
    expression: Expression | None = None
    constant: tuple[float, str] | None = None

    @property
    def names(self) -> frozenset[str]:
        return self.expression.names if self.expression is not None else frozenset()

    def unit(self, units: Mapping[str, str]) -> pint.Unit:
        if self.expression is not None:
            return self.expression.unit(units)
        from ..units import parse_unit

        return parse_unit(self.constant[1])  # type: ignore[index]

    def unit_facts(self, units: Mapping[str, str]) -> tuple[str, str]:
        """``(unit, dimension)`` as text (see :meth:`Expression.unit_facts`)."""
        if self.expression is not None:
            return self.expression.unit_facts(units)
        unit = self.constant[1]  # type: ignore[index]
        return unit_text(unit), dimension_of(unit)

    def evaluate(self, env: Mapping[str, pint.Quantity]) -> pint.Quantity:
        if self.expression is not None:
            return self.expression.evaluate(env)
        from ..units import Quantity

        return Quantity(*self.constant)  # type: ignore[misc]


@dataclass(frozen=True)
class Comparison:
    """A parsed constraint ``lhs OP rhs``."""

    text: str
    lhs: Side
    op: str
    rhs: Side

    @property
    def names(self) -> frozenset[str]:
        """Indicator names the constraint refers to."""
        return self.lhs.names | self.rhs.names

    def check_units(self, units: Mapping[str, str]) -> str:
        """Raise :class:`UnitError` unless both sides share a dimension; return the lhs unit."""
        (left, left_dim), (_, right_dim) = self.lhs.unit_facts(units), self.rhs.unit_facts(units)
        if left_dim != right_dim:
            raise UnitError(
                f"the two sides of {self.text!r} have different dimensions "
                f"({left_dim or 'a share'} and {right_dim or 'a share'})"
            )
        return left

    def margin(
        self, env: Mapping[str, pint.Quantity]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
        """``(lhs, rhs, margin, unit)``: both sides in the lhs unit and the room left.

        ``margin`` is negative where the constraint is violated beyond :data:`RTOL`.
        """
        left = self.lhs.evaluate(env)
        with np.errstate(all="ignore"):  # overflow is caught below, as a non-finite value
            right = self.rhs.evaluate(env).to(left.units)
            lv = np.asarray(left.magnitude, dtype=float)
            rv = np.asarray(right.magnitude, dtype=float)
            lv, rv = np.broadcast_arrays(lv, rv)
            room = rv - lv if self.op in ("<=", "<") else lv - rv
        if not (np.isfinite(rv).all() and np.isfinite(room).all()):
            raise ExpressionError(
                f"cannot compare the two sides of {self.text!r} in "
                f"{_unit_text(left) or 'dimensionless'!r}: "
                "the difference is too large (not finite; check the magnitudes of its inputs)"
            )
        return lv, rv, room, _unit_text(left)


def parse_constraint(text: str) -> Comparison:
    """Parse ``"lhs OP rhs"`` with OP one of ``<=``, ``<``, ``>=``, ``>``.

    Examples
    --------
    >>> c = parse_constraint("ofc_traffic <= ofc_capacity")
    >>> sorted(c.names), c.op
    (['ofc_capacity', 'ofc_traffic'], '<=')
    >>> parse_constraint("solar_share <= 100 %").rhs.constant
    (100.0, '%')
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("a constraint needs an expression such as 'a <= b'")
    ops = _OPERATOR.findall(text)
    if len(ops) != 1:
        raise ExpressionError(
            f"a constraint compares two sides with exactly one of <=, <, >=, > (got {text!r})"
        )
    left, right = _OPERATOR.split(text)
    return Comparison(text=" ".join(text.split()), lhs=_side(left), op=ops[0], rhs=_side(right))


def _side(text: str) -> Side:
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("a side of the comparison is empty")
    if stripped[0].isdigit() or stripped[0] in ".+-":
        try:
            return Side(text=stripped, constant=parse_quantity(stripped))
        except UnitError:
            pass  # e.g. "0.9 * capacity": an expression
    return Side(text=stripped, expression=parse_expression(stripped))


def _unit_text(q: Any) -> str:
    text = f"{q.units:~P}"
    return text if text else ""
