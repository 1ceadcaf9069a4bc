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
  the same dimension), ``exp(x)`` and ``log(x)`` (dimensionless ``x``), ``sqrt(x)``,
  ``abs(x)``, ``clip(x, lo, hi)`` (same dimension)
* a literal ``0`` fits any unit in ``+``, ``-``, ``min``, ``max`` and ``clip``, so
  ``max(demand - supply, 0)`` works for a dimensional ``demand``

Limits: at most 1000 characters; at most 50 levels of nesting, counted both as nested
operations (each operator, call and argument adds a level, so ``a + b + ... `` with 50 terms is
the longest flat sum) and as nested parentheses.

Every problem raises :class:`~projection.exceptions.ExpressionError`; the caller adds the file,
line and field with ``.located(...)``.
"""

from __future__ import annotations

import ast
import difflib
import graphlib
import io
import math
import tokenize
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pint

from .exceptions import ExpressionError
from .units import Quantity, parse_unit, ureg

__all__ = [
    "ALLOWED_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Expression",
    "dependency_order",
    "parse_expression",
]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting accepted, of operations and, separately, of parentheses.
MAX_DEPTH = 50

#: Functions an expression may call, with their number of arguments (``None``: two or more).
ALLOWED_FUNCTIONS: Mapping[str, int | None] = {
    "abs": 1,
    "clip": 3,
    "exp": 1,
    "log": 1,
    "max": None,
    "min": None,
    "sqrt": 1,
}

_FUNCTION_LIST = ", ".join(sorted(ALLOWED_FUNCTIONS))

_BINARY_OPS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}
_FORBIDDEN_BINARY_OPS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
_OP_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "raise"}

# What to say about a node type that is not on the whitelist.
_FORBIDDEN_NODES: dict[type, str] = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "subscripts are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda expressions are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions (generator expressions) are not allowed",
    ast.IfExp: "conditional expressions (a if b else c) are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "boolean operators (and, or) are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
}

_ALLOWED_HINT = "allowed: numbers, names, + - * / **, parentheses and " + _FUNCTION_LIST


# ---------------------------------------------------------------------------------------------
# The checked tree: the only thing the interpreter ever walks.


@dataclass(frozen=True, slots=True)
class _Num:
    value: float
    src: str


@dataclass(frozen=True, slots=True)
class _Name:
    name: str
    src: str


@dataclass(frozen=True, slots=True)
class _Unary:
    op: str  # "+" or "-"
    operand: _Node
    src: str


@dataclass(frozen=True, slots=True)
class _Binary:
    op: str  # "+", "-", "*", "/" or "**"
    left: _Node
    right: _Node
    src: str


@dataclass(frozen=True, slots=True)
class _Call:
    func: str
    args: tuple[_Node, ...]
    src: str


_Node = _Num | _Name | _Unary | _Binary | _Call


# ---------------------------------------------------------------------------------------------
# Parsing


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
    >>> from projection.expressions import Expression
    >>> expr = Expression("max(traffic / capacity, 0)")
    >>> sorted(expr.names)
    ['capacity', 'traffic']
    """

    __slots__ = ("_names", "_root", "_text")

    def __init__(self, text: str) -> None:
        root, names = _parse(text)
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

    def evaluate(self, env: Mapping[str, pint.Quantity]) -> pint.Quantity:
        """Compute the expression.

        Parameters
        ----------
        env : mapping of str to pint.Quantity
            A value for every name in :attr:`names`. Magnitudes are floats or numpy arrays of
            shape ``(T,)`` or ``(N, T)``; they broadcast as numpy arrays do. A plain number or
            array counts as dimensionless. Extra entries are ignored.

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
        >>> from projection.expressions import parse_expression
        >>> from projection.units import Quantity
        >>> expr = parse_expression("traffic / capacity")
        >>> env = {"traffic": Quantity(np.array([1.0, 3.0]), "Tbps"),
        ...        "capacity": Quantity(4.0, "Tbps")}
        >>> expr.evaluate(env).to("%").magnitude.tolist()
        [25.0, 75.0]
        """
        values = _lookup(self, env, _to_quantity)
        with np.errstate(all="ignore"):
            result = _Evaluator(values, check_values=True).run(self._root)
        magnitude = np.asarray(result.magnitude, dtype=float)
        if magnitude.ndim == 0:
            return Quantity(float(magnitude), result.units)
        return Quantity(magnitude, result.units)

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
        >>> from projection.expressions import parse_expression
        >>> from projection.units import Quantity
        >>> expr = parse_expression("capacity * hours / demand")
        >>> u = expr.unit({"capacity": "GW", "hours": "h", "demand": "TWh"})
        >>> u.dimensionless
        True
        >>> round(Quantity(1.0, u).to("%").magnitude, 12)
        0.1
        """

        def one(value: object, name: str) -> pint.Quantity:
            if isinstance(value, pint.Unit):
                unit = value
            else:
                unit = parse_unit(value)  # type: ignore[arg-type]
            if unit._REGISTRY is not ureg:
                unit = parse_unit(str(unit))
            return Quantity(np.asarray(1.0), unit)

        values = _lookup(self, units, one)
        with np.errstate(all="ignore"):
            result = _Evaluator(values, check_values=False).run(self._root)
        return result.units


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
        than ``min, max, exp, log, sqrt, abs, clip``, a name starting with ``_``, an exponent
        that is not a plain number, ...

    Examples
    --------
    >>> from projection.expressions import parse_expression
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


def _parse(text: object) -> tuple[_Node, frozenset[str]]:
    if not isinstance(text, str):
        raise ExpressionError(f"expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is too long ({len(text)} characters, at most {MAX_LENGTH})"
        )
    source = text.strip()
    if not source:
        raise ExpressionError("expression is empty (expected e.g. 'traffic / capacity')")
    if "\x00" in source:
        raise ExpressionError("expression contains a NUL character")
    lead = len(text) - len(text.lstrip())
    try:
        with warnings.catch_warnings():
            # e.g. SyntaxWarning for "1if": the whitelist rejects whatever it parses to
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ExpressionError(_syntax_message(err, source, lead)) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"cannot parse expression ({type(err).__name__})") from None

    depth = _depth(tree.body)
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"expression is nested too deeply ({depth} levels, at most {MAX_DEPTH})"
        )
    names: set[str] = set()
    root = _Checker(source, names).convert(tree.body)
    brackets = _bracket_depth(source)
    if brackets > MAX_DEPTH:
        raise ExpressionError(
            f"expression is nested too deeply ({brackets} levels of parentheses, "
            f"at most {MAX_DEPTH})"
        )
    return root, frozenset(names)


def _syntax_message(err: SyntaxError, source: str, lead: int) -> str:
    what = err.msg or "invalid syntax"
    if "nested parentheses" in what:
        return f"expression is nested too deeply ({what})"
    lines = source.split("\n")
    line = min(max(err.lineno or 1, 1), len(lines))
    text = lines[line - 1]
    col = err.offset or 0
    if col < 1 or col > len(text):  # Python reports some errors at the end as offset 0
        col = len(text) + 1
        if what == "invalid syntax":
            what = "unexpected end of expression"
        near = ""
    else:
        near = f" near {_clip(text[col - 1 :], 20)!r}"
    if line == 1:
        col += lead
    where = f"column {col}" if len(lines) == 1 else f"line {line}, column {col}"
    return f"syntax error at {where}: {what}{near}"


def _clip(text: str, limit: int = 60) -> str:
    """``text`` shortened to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _depth(root: ast.AST) -> int:
    """Nesting depth counted in expression nodes, iteratively (no recursion on hostile input)."""
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                return deepest
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1 if isinstance(child, ast.expr) else depth))
    return deepest


def _bracket_depth(source: str) -> int:
    """Deepest nesting of parentheses (called after the whitelist, so there are no strings)."""
    depth = deepest = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                    deepest = max(deepest, depth)
                elif token.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError, ValueError):  # pragma: no cover - parsed above
        pass
    return deepest


class _Checker:
    """Converts a parsed tree into the checked tree, rejecting everything off the whitelist."""

    def __init__(self, source: str, names: set[str]) -> None:
        self.source = source
        self.names = names

    def src(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.source, node)
        return _clip(segment if segment is not None else self.source)

    def reject(self, node: ast.AST, message: str, hint: str = _ALLOWED_HINT) -> ExpressionError:
        return ExpressionError(f"{message} in {self.src(node)!r} ({hint})")

    def convert(self, node: ast.AST) -> _Node:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        message = _FORBIDDEN_NODES.get(type(node))
        if message is None:
            message = f"{type(node).__name__} is not allowed"
        raise self.reject(node, message)

    def constant(self, node: ast.Constant) -> _Num:
        value = node.value
        if isinstance(value, bool):
            raise self.reject(node, "booleans are not allowed")
        if value is None:
            raise self.reject(node, "None is not allowed")
        if value is Ellipsis:
            raise self.reject(node, "'...' is not allowed")
        if isinstance(value, str):
            raise self.reject(node, "strings are not allowed")
        if isinstance(value, bytes):
            raise self.reject(node, "bytes are not allowed")
        if isinstance(value, complex):
            raise self.reject(node, "complex numbers are not allowed")
        if not isinstance(value, (int, float)):  # pragma: no cover - no other literal exists
            raise self.reject(node, f"{type(value).__name__} literals are not allowed")
        try:
            number = float(value)
        except OverflowError:
            raise self.reject(node, "number is too large", "at most about 1.8e308") from None
        if not math.isfinite(number):
            raise self.reject(node, "number is not finite", "at most about 1.8e308")
        return _Num(number, self.src(node))

    def name(self, node: ast.Name) -> _Name:
        if node.id.startswith("_"):
            raise self.reject(
                node, f"name {node.id!r} is not allowed", "names may not start with '_'"
            )
        self.names.add(node.id)
        return _Name(node.id, self.src(node))

    def unary(self, node: ast.UnaryOp) -> _Node:
        if isinstance(node.op, ast.Not):
            raise self.reject(node, "boolean operator 'not' is not allowed")
        if isinstance(node.op, ast.Invert):
            raise self.reject(node, "operator '~' is not allowed")
        op = "-" if isinstance(node.op, ast.USub) else "+"
        operand = self.convert(node.operand)
        if isinstance(operand, _Num):  # fold a signed literal: -1 is the number -1
            value = -operand.value if op == "-" else operand.value
            return _Num(value + 0.0, self.src(node))
        return _Unary(op, operand, self.src(node))

    def binary(self, node: ast.BinOp) -> _Binary:
        op = _BINARY_OPS.get(type(node.op))
        if op is None:
            symbol = _FORBIDDEN_BINARY_OPS.get(type(node.op), type(node.op).__name__)
            raise self.reject(node, f"operator {symbol!r} is not allowed", "allowed: + - * / **")
        left = self.convert(node.left)
        if op == "**" and not _is_number_literal(node.right):
            raise self.reject(
                node,
                f"exponent {self.src(node.right)!r} is not a plain number",
                "pint needs scalar exponents to know the unit: write e.g. x ** 2 or x ** -0.5",
            )
        right = self.convert(node.right)
        return _Binary(op, left, right, self.src(node))

    def call(self, node: ast.Call) -> _Call:
        func = node.func
        if not isinstance(func, ast.Name):
            if isinstance(func, ast.Attribute):
                raise self.reject(func, "attribute access is not allowed")
            raise self.reject(
                node, "only functions called by name are allowed", f"allowed: {_FUNCTION_LIST}"
            )
        name = func.id
        if name not in ALLOWED_FUNCTIONS:
            raise ExpressionError(f"function {name!r} is not allowed (allowed: {_FUNCTION_LIST})")
        if node.keywords:
            raise self.reject(
                node, "keyword arguments are not allowed", "pass arguments by position"
            )
        args = tuple(self.convert(arg) for arg in node.args)
        arity = ALLOWED_FUNCTIONS[name]
        count = len(node.args)
        if arity is None and count < 2:
            raise self.reject(
                node, f"{name}() needs at least 2 arguments, got {count}", f"e.g. {name}(a, b)"
            )
        if arity is not None and count != arity:
            usage = "clip(x, lo, hi)" if name == "clip" else f"{name}(x)"
            raise self.reject(
                node,
                f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, got {count}",
                f"usage: {usage}",
            )
        return _Call(name, args, self.src(node))


def _is_number_literal(node: ast.AST) -> bool:
    """A number, optionally signed: ``2``, ``0.5``, ``-1``, ``(-1)``."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )


# ---------------------------------------------------------------------------------------------
# Evaluation


def _lookup(
    expr: Expression,
    env: Mapping[str, object],
    convert: Callable[[object, str], pint.Quantity],
) -> dict[str, pint.Quantity]:
    missing = sorted(name for name in expr.names if name not in env)
    if missing:
        known = sorted(str(k) for k in env)
        shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        hint = f"known: {shown}" if known else "no names are defined"
        close = difflib.get_close_matches(missing[0], known, n=1)
        if close:
            hint = f"did you mean {close[0]!r}? {hint}"
        listed = ", ".join(repr(m) for m in missing)
        noun = "name" if len(missing) == 1 else "names"
        raise ExpressionError(f"unknown {noun} {listed} ({hint})")
    return {name: convert(env[name], name) for name in expr.names}


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
    text = format(unit, "~")
    return text if text else "dimensionless"


def _is_zero(node: _Node) -> bool:
    return isinstance(node, _Num) and node.value == 0.0


class _Evaluator:
    """Walks the checked tree. ``check_values=False`` checks units only (for ``unit()``)."""

    def __init__(self, env: Mapping[str, pint.Quantity], *, check_values: bool) -> None:
        self.env = env
        self.check_values = check_values

    def run(self, node: _Node) -> pint.Quantity:
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
        self, what: str, src: str, nodes: tuple[_Node, ...], values: list[pint.Quantity]
    ) -> tuple[list[np.ndarray], pint.Unit]:
        """Magnitudes of ``values`` in the unit of the first one that is not a literal 0."""
        reference = next(
            (v.units for n, v in zip(nodes, values) if not _is_zero(n)), values[0].units
        )
        out = []
        for node, value in zip(nodes, values):
            if _is_zero(node):
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

    def eval(self, node: _Node) -> pint.Quantity:
        if isinstance(node, _Num):
            return Quantity(np.asarray(node.value), ureg.dimensionless)
        if isinstance(node, _Name):
            return self.env[node.name]
        if isinstance(node, _Unary):
            value = self.eval(node.operand)
            return Quantity(-value.magnitude, value.units) if node.op == "-" else value
        if isinstance(node, _Binary):
            return self.binary(node)
        return self.call(node)

    def binary(self, node: _Binary) -> pint.Quantity:
        left = self.eval(node.left)
        right = self.eval(node.right)
        self.shapes(node.src, left, right)
        op = node.op
        if op in ("+", "-"):
            (a, b), unit = self.same_dimension(
                _OP_VERBS[op], node.src, (node.left, node.right), [left, right]
            )
            result = Quantity(a + b if op == "+" else a - b, unit)
        elif op == "/":
            if self.check_values and np.any(right.magnitude == 0):
                raise ExpressionError(f"division by zero in {node.src!r}")
            result = self.units_op(node, lambda: left / right, left, right)
        elif op == "*":
            result = self.units_op(node, lambda: left * right, left, right)
        else:
            assert isinstance(node.right, _Num)
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
        node: _Binary,
        compute: Callable[[], pint.Quantity],
        left: pint.Quantity,
        right: pint.Quantity,
    ) -> pint.Quantity:
        try:
            return compute()
        except pint.errors.PintError as err:
            raise ExpressionError(
                f"cannot {_OP_VERBS[node.op]} {_fmt(left.units)} and {_fmt(right.units)} "
                f"in {node.src!r}: {err}"
            ) from None

    def call(self, node: _Call) -> pint.Quantity:
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
        # exp, log: the argument must be dimensionless (a % is converted to a ratio first)
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
        else:
            out = np.exp(x)
        result = Quantity(out, ureg.dimensionless)
        if self.check_values:
            self.finite(result, node.src)
        return result


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
    >>> from projection.expressions import dependency_order
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
