"""The expression language of ``derived`` indicators: text to a checked tree.

:func:`parse` turns the text of an expression into a small tree of :class:`Num`, :class:`Name`,
:class:`Unary`, :class:`Binary` and :class:`Call` nodes, refusing everything outside the
whitelist described in :mod:`projection.scenario.expressions`. Nothing here evaluates
anything: :mod:`projection.scenario.expression_eval` interprets the tree with units (pint),
and :mod:`projection.engine.derived` compiles it to plain numpy.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from ..exceptions import ExpressionError
from .time_functions import TIME_FUNCTIONS

__all__ = [
    "ALLOWED_FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "OP_VERBS",
    "Binary",
    "Call",
    "Name",
    "Node",
    "Num",
    "Unary",
    "is_zero",
    "parse",
]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting accepted, of operations and, separately, of parentheses.
MAX_DEPTH = 50

#: Functions an expression may call, with their number of arguments (``None``: two or more).
ALLOWED_FUNCTIONS: Mapping[str, int | None] = {
    "abs": 1,
    "clip": 3,
    "cos": 1,
    "exp": 1,
    "log": 1,
    "max": None,
    "min": None,
    "sin": 1,
    "sqrt": 1,
    **TIME_FUNCTIONS,
}

#: How each function is called, for messages about its arguments.
USAGE = {
    "clip": "clip(x, lo, hi)",
    "lag": "lag(x, years), years a whole number such as 1",
    "stock": "stock(inflow, mean_lifetime)",
    "weibull_stock": "weibull_stock(inflow, median_lifetime, shape)",
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
OP_VERBS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "raise"}

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


# The checked tree: the only thing the interpreter and the compiler ever walk.


@dataclass(frozen=True, slots=True)
class Num:
    value: float
    src: str


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    src: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "+" or "-"
    operand: Node
    src: str


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # "+", "-", "*", "/" or "**"
    left: Node
    right: Node
    src: str


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]
    src: str


Node = Num | Name | Unary | Binary | Call


# ---------------------------------------------------------------------------------------------


def is_zero(node: Node) -> bool:
    """A literal ``0``, which fits any unit in ``+``, ``-``, ``min``, ``max`` and ``clip``."""
    return isinstance(node, Num) and node.value == 0.0


# ---------------------------------------------------------------------------------------------
# Parsing


def parse(text: object) -> tuple[Node, frozenset[str]]:
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

    def convert(self, node: ast.AST) -> Node:
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

    def constant(self, node: ast.Constant) -> Num:
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
        return Num(number, self.src(node))

    def name(self, node: ast.Name) -> Name:
        if node.id.startswith("_"):
            raise self.reject(
                node, f"name {node.id!r} is not allowed", "names may not start with '_'"
            )
        self.names.add(node.id)
        return Name(node.id, self.src(node))

    def unary(self, node: ast.UnaryOp) -> Node:
        if isinstance(node.op, ast.Not):
            raise self.reject(node, "boolean operator 'not' is not allowed")
        if isinstance(node.op, ast.Invert):
            raise self.reject(node, "operator '~' is not allowed")
        op = "-" if isinstance(node.op, ast.USub) else "+"
        operand = self.convert(node.operand)
        if isinstance(operand, Num):  # fold a signed literal: -1 is the number -1
            value = -operand.value if op == "-" else operand.value
            return Num(value + 0.0, self.src(node))
        return Unary(op, operand, self.src(node))

    def binary(self, node: ast.BinOp) -> Binary:
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
        return Binary(op, left, right, self.src(node))

    def call(self, node: ast.Call) -> Call:
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
            usage = USAGE.get(name, f"{name}(x)")
            raise self.reject(
                node,
                f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, got {count}",
                f"usage: {usage}",
            )
        if name == "lag":
            k = node.args[1]
            value = k.value if isinstance(k, ast.Constant) else None
            if not (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and value >= 0
                and float(value).is_integer()
            ):
                raise self.reject(
                    k,
                    "the lag must be a whole number of years written as a number",
                    f"usage: {USAGE['lag']}",
                )
        return Call(name, args, self.src(node))


def _is_number_literal(node: ast.AST) -> bool:
    """A number, optionally signed: ``2``, ``0.5``, ``-1``, ``(-1)``."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )
