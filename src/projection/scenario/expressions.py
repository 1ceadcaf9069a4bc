"""Safe expressions for ``derived`` indicators.

A derived indicator is computed from other indicators and named constants by an expression
written in a scenario file::

    solar_capacity * capacity_factor * hours / electricity_demand

Scenario files are shared between people, so an expression must never run code. The text is
parsed with :func:`ast.parse` (``mode="eval"``) and every node is checked against a strict
whitelist; evaluation is done by a small recursive interpreter over pint quantities. Nothing is
ever passed to ``eval``, ``exec`` or ``compile``.

The language
------------
* numbers: ``2``, ``0.5``, ``1e-3`` (finite; no booleans, no complex numbers)
* names: identifiers not starting with ``_``; values come from the environment
* operators: ``+ - * / **`` and unary ``+ -``; parentheses
* exponents (``x ** 2``, ``x ** -0.5``) must be plain number literals: pint needs scalar
  exponents to compute the unit of the result
* functions: ``min(a, b, ...)`` and ``max(a, b, ...)`` (elementwise, two or more arguments of
  the same dimension), ``exp(x)``, ``log(x)``, ``sin(x)`` and ``cos(x)`` (dimensionless
  ``x``; radians for ``sin`` and ``cos``), ``sqrt(x)``, ``abs(x)``, ``clip(x, lo, hi)`` (same
  dimension)
* the time, in a derived indicator (:data:`TIME_NAMES`): ``year``, the calendar year as a
  plain number, and ``elapsed``, the years since the horizon's start as a duration (``yr``),
  so ``slope * elapsed`` with a slope in GW/yr is in GW and
  ``sin(6.283 * (year - 2025) / 11)`` is an 11-year cycle; an indicator or a constant of the
  same name takes precedence
* a literal ``0`` fits any unit in ``+``, ``-``, ``min``, ``max`` and ``clip``, so
  ``max(demand - supply, 0)`` works for a dimensional ``demand``

Limits: at most 1000 characters; at most 50 levels of nesting, counted both as nested
operations (each operator, call and argument adds a level, so ``a + b + ... `` with 50 terms is
the longest flat sum) and as nested parentheses.

Every problem raises :class:`~projection.exceptions.ExpressionError`; the caller adds the file,
line and field with ``.located(...)``.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..exceptions import ExpressionError
from ..units_cache import cached
from .expression_tree import (
    ALLOWED_FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Call,
    Node,
    Unary,
    parse,
)

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "TIME_NAMES",
    "ALLOWED_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Expression",
    "dependency_order",
    "parse_expression",
]


#: Names a derived indicator's expression can use for the time, with their units: the
#: calendar year (a plain number) and the years since the horizon's start (a duration).
TIME_NAMES: Mapping[str, str] = {"year": "dimensionless", "elapsed": "yr"}


class Expression:
    """A parsed, checked expression of a derived indicator.

    Build one with :func:`parse_expression` (or ``Expression(text)``, which does the same).
    Instances are immutable; two expressions are equal when their texts are equal.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"ofc_traffic / ofc_capacity"``.

    Attributes
    ----------
    text : str
        The expression as written.
    names : frozenset of str
        The names the expression refers to (function names excluded).

    Raises
    ------
    ExpressionError
        If ``text`` is empty, too long, not valid syntax, too deeply nested or uses anything
        outside the whitelist.

    Examples
    --------
    >>> from projection.scenario.expressions import Expression
    >>> expr = Expression("max(traffic / capacity, 0)")
    >>> sorted(expr.names)
    ['capacity', 'traffic']
    """

    __slots__ = ("_names", "_root", "_text")

    def __init__(self, text: str) -> None:
        root, names = parse(text)
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_names", names)

    @property
    def text(self) -> str:
        """The expression as written."""
        return self._text

    @property
    def names(self) -> frozenset[str]:
        """The names the expression refers to, function names excluded."""
        return self._names

    @property
    def root(self) -> Node:
        """The checked tree (see :mod:`projection.scenario.expression_tree`)."""
        return self._root

    def calls(self) -> list[Call]:
        """Every function call of the expression, outermost first."""
        found: list[Call] = []
        stack: list[Node] = [self._root]
        while stack:
            node = stack.pop(0)
            if isinstance(node, Call):
                found.append(node)
                stack.extend(node.args)
            elif isinstance(node, Binary):
                stack.extend((node.left, node.right))
            elif isinstance(node, Unary):
                stack.append(node.operand)
        return found

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple:
        # pickled as its text and parsed again (ensembles ship scenarios to worker processes)
        return (type(self), (self._text,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self._text == other._text

    def __hash__(self) -> int:
        return hash((Expression, self._text))

    def __repr__(self) -> str:
        return f"Expression({self._text!r})"

    def __str__(self) -> str:
        return self._text

    def evaluate(self, env: Mapping[str, pint.Quantity], years: Any = None) -> pint.Quantity:
        """Compute the expression.

        Parameters
        ----------
        env : mapping of str to pint.Quantity
            A value for every name in :attr:`names`. Magnitudes are floats or numpy arrays of
            shape ``(T,)`` or ``(N, T)``; they broadcast as numpy arrays do. A plain number or
            array counts as dimensionless. Extra entries are ignored.
        years : array_like, optional
            The ``T`` years along the last axis, for the functions that look across years
            (``lag``, ``diff``, ``cumulative``, ``stock``, ``weibull_stock``); default: the
            last axis of their argument, one year per step.

        Returns
        -------
        pint.Quantity
            Magnitude a float when every input is a scalar, else a float array.

        Raises
        ------
        ExpressionError
            An unknown name; units that do not fit the operation (adding ``GW`` to ``TWh``,
            ``exp`` of a dimensional quantity, ``min`` of different dimensions); shapes that do
            not broadcast; division by zero; ``log`` of a non-positive value, ``sqrt`` of a
            negative value, a negative number raised to a fractional power, ``clip`` with a
            lower bound above the upper bound; or a result that is not finite.

        Examples
        --------
        >>> import numpy as np
        >>> from projection.scenario.expressions import parse_expression
        >>> from projection.units import Quantity
        >>> expr = parse_expression("traffic / capacity")
        >>> env = {"traffic": Quantity(np.array([1.0, 3.0]), "Tbps"),
        ...        "capacity": Quantity(4.0, "Tbps")}
        >>> expr.evaluate(env).to("%").magnitude.tolist()
        [25.0, 75.0]
        """
        from . import expression_eval

        return expression_eval.evaluate(self._root, self._names, env, years)

    def unit(self, units: Mapping[str, str | pint.Unit]) -> pint.Unit:
        """The unit of the result, given the unit of each name.

        Only units are checked here, not values: use it when a scenario is validated, to check
        that the expression fits the unit the derived indicator declares.

        Parameters
        ----------
        units : mapping of str to str or pint.Unit
            The unit of every name in :attr:`names` (``""`` for dimensionless).

        Returns
        -------
        pint.Unit
            Not simplified: ``GW * h / TWh`` stays as written and is dimensionless.

        Raises
        ------
        ExpressionError
            An unknown name, or units that do not fit an operation.
        UnitError
            A unit string that cannot be parsed.

        Examples
        --------
        >>> from projection.scenario.expressions import parse_expression
        >>> from projection.units import Quantity
        >>> expr = parse_expression("capacity * hours / demand")
        >>> u = expr.unit({"capacity": "GW", "hours": "h", "demand": "TWh"})
        >>> u.dimensionless
        True
        >>> round(Quantity(1.0, u).to("%").magnitude, 12)
        0.1
        """

        from . import expression_eval

        return expression_eval.result_unit(self._root, self._names, units)

    def unit_facts(self, units: Mapping[str, str]) -> tuple[str, str]:
        """What :meth:`unit` gives, as text: ``(unit, dimension)``, the dimension ``""`` for a
        pure number. Answers are remembered (:mod:`projection.units_cache`), so a check of a
        known expression needs no pint.

        Examples
        --------
        >>> from projection.scenario.expressions import parse_expression
        >>> parse_expression("traffic / capacity").unit_facts({"traffic": "Gbps", "capacity": "Tbps"})
        ('Gbps / Tbps', '')
        """
        pairs = [[name, str(units[name])] for name in sorted(self._names) if name in units]
        unit, dimension = _unit_facts(self._text, pairs)
        return unit, dimension


def parse_expression(text: str) -> Expression:
    """Parse and check an expression of a derived indicator.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"solar_capacity * capacity_factor * hours / demand"``.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        If ``text`` is empty, longer than 1000 characters, not valid syntax (the message gives
        the column), nested more than 50 levels deep, or uses anything outside the whitelist:
        attribute access, subscripts, strings, comparisons, keyword arguments, a function other
        than ``min, max, exp, log, sin, cos, sqrt, abs, clip``, a name starting with ``_``, an exponent
        that is not a plain number, ...

    Examples
    --------
    >>> from projection.scenario.expressions import parse_expression
    >>> sorted(parse_expression("a * exp(-rate * t) + b ** 2").names)
    ['a', 'b', 'rate', 't']
    >>> parse_expression("a.real")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    projection.exceptions.ExpressionError: attribute access is not allowed in 'a.real' (...)
    >>> parse_expression("open('f')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    projection.exceptions.ExpressionError: function 'open' is not allowed (allowed: abs, clip, ...)
    """
    return Expression(text)


# ---------------------------------------------------------------------------------------------
# Order of evaluation


def dependency_order(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Order indicator names so that every name comes after the names it depends on.

    Parameters
    ----------
    graph : mapping of str to iterable of str
        Each name's dependencies. A dependency that is not a key is included in the order too
        (as a name without dependencies). A single string counts as one name.

    Returns
    -------
    list of str
        Deterministic: among names whose dependencies are all placed, the alphabetically first
        comes first, so the order does not depend on the order of indicators in a file.

    Raises
    ------
    ExpressionError
        ``cycle between derived indicators: a -> b -> a`` (read "a depends on b, which depends
        on a").

    Examples
    --------
    >>> from projection.scenario.expressions import dependency_order
    >>> dependency_order({"share": ["solar", "demand"], "solar": [], "demand": []})
    ['demand', 'solar', 'share']
    >>> dependency_order({"a": ["b"], "b": ["a"]})
    Traceback (most recent call last):
      ...
    projection.exceptions.ExpressionError: cycle between derived indicators: a -> b -> a
    """
    deps: dict[str, set[str]] = {}
    for name, needs in graph.items():
        items = [needs] if isinstance(needs, str) else list(needs)
        deps.setdefault(str(name), set()).update(str(d) for d in items)
        for d in items:
            deps.setdefault(str(d), set())

    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name in sorted(deps):
        sorter.add(name, *sorted(deps[name]))
    try:
        sorter.prepare()
    except graphlib.CycleError:
        raise ExpressionError(
            "cycle between derived indicators: " + " -> ".join(_find_cycle(deps))
        ) from None

    order: list[str] = []
    ready = sorted(sorter.get_ready())
    # smallest-name-first among all ready names (a heap would do too; graphs are small)
    while ready:
        name = ready.pop(0)
        order.append(name)
        sorter.done(name)
        ready = sorted(set(ready) | set(sorter.get_ready()))
    return order


def _find_cycle(deps: Mapping[str, set[str]]) -> list[str]:
    """A cycle, deterministic: follows dependencies in sorted order from the smallest name."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(deps, white)
    for start in sorted(deps):
        if colour[start] != white:
            continue
        path: list[str] = [start]
        colour[start] = grey
        iters = [iter(sorted(deps[start]))]
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                iters.pop()
                continue
            if colour[nxt] == grey:
                cycle = path[path.index(nxt) :]
                i = cycle.index(min(cycle))
                cycle = cycle[i:] + cycle[:i]
                return [*cycle, cycle[0]]
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                iters.append(iter(sorted(deps[nxt])))
    raise AssertionError("no cycle found")  # pragma: no cover - only called on a cycle


@cached("expression-unit")
def _unit_facts(text: str, units: list[list[str]]) -> list[str]:
    unit = parse_expression(text).unit(dict(units))
    d = unit.dimensionality
    return [str(unit), str(d) if d else ""]
