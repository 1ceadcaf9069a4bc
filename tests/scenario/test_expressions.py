"""Tests of projection.expressions: the safe parser/evaluator of derived indicators."""

from __future__ import annotations

import itertools
import os
import string
import warnings

import numpy as np
import pint
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from projection.exceptions import ExpressionError, ScenarioError
from projection.scenario.expressions import (
    ALLOWED_FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    dependency_order,
    parse_expression,
)
from projection.units import Quantity, ureg


def q(value, unit=""):
    """A quantity of the shared registry with a float (array) magnitude."""
    return Quantity(np.asarray(value, dtype=float), unit)


def error_of(text: str) -> str:
    """The message of the ExpressionError that parsing ``text`` raises."""
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    return str(info.value)


# ---------------------------------------------------------------------------------------------
# Parsing: what is allowed


def test_names_exclude_function_names():
    expr = parse_expression("max(a, b) + exp(-rate * t) * sqrt(abs(c)) + clip(x, lo, hi) - log(d)")
    assert expr.names == frozenset({"a", "b", "rate", "t", "c", "x", "lo", "hi", "d"})
    assert expr.text == "max(a, b) + exp(-rate * t) * sqrt(abs(c)) + clip(x, lo, hi) - log(d)"


def test_surrounding_whitespace_and_parenthesised_newlines_are_accepted():
    expr = parse_expression("  (a +\n b)  ")
    assert expr.evaluate({"a": q(1.0), "b": q(2.0)}).magnitude == 3.0


def test_expression_is_immutable_and_compares_by_text():
    a, b = parse_expression("a + b"), Expression("a + b")
    assert a == b and hash(a) == hash(b)
    assert a != parse_expression("b + a")
    assert repr(a) == "Expression('a + b')"
    with pytest.raises(AttributeError):
        a.text = "c"  # type: ignore[misc]


def test_exactly_max_length_and_max_depth_are_accepted():
    long_text = "a" * MAX_LENGTH
    assert parse_expression(long_text).names == {long_text}
    chain = "+".join(["a"] * MAX_DEPTH)  # 49 operators: depth 50
    assert parse_expression(chain).evaluate({"a": q(1.0)}).magnitude == MAX_DEPTH
    parens = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse_expression(parens).names == {"a"}


# ---------------------------------------------------------------------------------------------
# Parsing: what is rejected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("__import__('os').system('x')", "attribute access is not allowed"),
        ("().__class__", "attribute access is not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "is not allowed"),
        (
            "open('f')",
            "function 'open' is not allowed (allowed: abs, clip, cos, cumulative, diff, exp, lag, "
            "log, max, min, sin, sqrt, stock, weibull_stock)",
        ),
        ("eval('1')", "function 'eval' is not allowed"),
        ("a.b", "attribute access is not allowed"),
        ("a.b(1)", "attribute access is not allowed"),
        ("a[0]", "subscripts are not allowed"),
        ("lambda: 1", "lambda expressions are not allowed"),
        ("'a' * 10", "strings are not allowed"),
        ("b'a'", "bytes are not allowed"),
        ("f'{a}'", "f-strings are not allowed"),
        ("[x for x in y]", "comprehensions are not allowed"),
        ("{x: 1 for x in y}", "comprehensions are not allowed"),
        ("sum(x for x in y)", "function 'sum' is not allowed"),
        ("min(x for x in y)", "comprehensions (generator expressions) are not allowed"),
        ("a if b else c", "conditional expressions"),
        ("a < b", "comparisons are not allowed"),
        ("a == b", "comparisons are not allowed"),
        ("a and b", "boolean operators"),
        ("not a", "boolean operator 'not'"),
        ("True + 1", "booleans are not allowed"),
        ("None", "None is not allowed"),
        ("1j * a", "complex numbers are not allowed"),
        ("[a, b]", "lists are not allowed"),
        ("(a, b)", "tuples are not allowed"),
        ("{a, b}", "sets are not allowed"),
        ("{a: b}", "dicts are not allowed"),
        ("(x := 1)", "assignment expressions (:=) are not allowed"),
        ("max(*a)", "starred arguments are not allowed"),
        ("min(a, b, key=c)", "keyword arguments are not allowed"),
        ("a // b", "operator '//' is not allowed"),
        ("a % b", "operator '%' is not allowed"),
        ("a @ b", "operator '@' is not allowed"),
        ("a ^ b", "operator '^' is not allowed"),
        ("~a", "operator '~' is not allowed"),
        ("f(a)(b)", "only functions called by name"),
        ("_secret + 1", "name '_secret' is not allowed"),
        ("__builtins__", "name '__builtins__' is not allowed"),
        ("a ** b", "exponent 'b' is not a plain number"),
        ("a ** (1 / 2)", "pint needs scalar exponents"),
        ("2 ** 2 ** 2 ** 2 ** 100", "is not a plain number"),
        ("1e999 * a", "number is not finite"),
        ("1" + "0" * 400, "number is too large"),
        ("min(a)", "min() needs at least 2 arguments, got 1"),
        ("max()", "max() needs at least 2 arguments, got 0"),
        ("exp(a, b)", "exp() takes 1 argument, got 2"),
        ("clip(a, b)", "clip() takes 3 arguments, got 2"),
    ],
)
def test_forbidden_constructs_are_named(text, fragment):
    assert fragment in error_of(text)


def test_function_message_lists_every_allowed_function():
    message = error_of("open('f')")
    assert message.endswith("(allowed: " + ", ".join(sorted(ALLOWED_FUNCTIONS)) + ")")


def test_hostile_input_runs_nothing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args))
    monkeypatch.chdir(tmp_path)
    for text in ["__import__('os').system('x')", "open('f', 'w')", "exec('open(1)')"]:
        with pytest.raises(ExpressionError):
            parse_expression(text)
    assert calls == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "expression is empty"),
        ("   \n ", "expression is empty"),
        ("a" * 10_000, "too long (10000 characters, at most 1000)"),
        ("(" * 200 + "a" + ")" * 200, "nested too deeply"),
        ("(" * 51 + "a" + ")" * 51, "nested too deeply (51 levels of parentheses"),
        ("+".join(["a"] * 60), "nested too deeply"),
        ("-" * 500 + "a", "nested too deeply"),
        ("sqrt(" * 60 + "a" + ")" * 60, "nested too deeply"),
        ("a\x00", "NUL"),
        (42, "must be a string"),
    ],
)
def test_limits(text, fragment):
    assert fragment in error_of(text)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a + * b", "syntax error at column 5"),
        ("  a + * b", "syntax error at column 7"),
        ("a +", "syntax error at column 4: unexpected end of expression"),
        ("min(a, b", "was never closed"),
        ("a b", "syntax error at column 3"),
        ("a +\nb", "syntax error at line 1, column 4"),
    ],
)
def test_syntax_errors_say_where(text, fragment):
    assert fragment in error_of(text)


def test_error_is_a_scenario_error_that_can_be_located():
    with pytest.raises(ScenarioError) as info:
        parse_expression("a.b")
    located = info.value.located(file="s.yaml", line=7, path="indicators.x.expression")
    assert isinstance(located, ExpressionError)
    assert str(located).startswith("s.yaml:7: indicators.x.expression: attribute access")


# ---------------------------------------------------------------------------------------------
# Evaluation


def test_architecture_example_matches_numpy_on_ensemble_arrays():
    rng = np.random.default_rng(0)
    solar = rng.uniform(10, 20, size=(4, 6))  # GW, (N, T)
    demand = rng.uniform(100, 200, size=6)  # TWh, (T,)
    expr = parse_expression("solar_capacity * capacity_factor * hours / electricity_demand")
    env = {
        "solar_capacity": q(solar, "GW"),
        "capacity_factor": q(0.16),
        "hours": q(8760, "h"),
        "electricity_demand": q(demand, "TWh"),
    }
    share = expr.evaluate(env)
    assert isinstance(share.magnitude, np.ndarray) and share.magnitude.shape == (4, 6)
    expected = solar * 0.16 * 8760 / 1000 / demand  # GWh -> TWh
    np.testing.assert_allclose(share.to("").magnitude, expected, rtol=1e-12)
    np.testing.assert_allclose(share.to("%").magnitude, expected * 100, rtol=1e-12)


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("a + b * c - a / c", lambda a, b, c: a + b * c - a / c),
        ("-a + +b", lambda a, b, c: -a + b),
        ("a ** 2 + c ** -0.5", lambda a, b, c: a**2 + c**-0.5),
        ("min(a, b, c)", lambda a, b, c: np.minimum(np.minimum(a, b), c)),
        ("max(a, b)", lambda a, b, c: np.maximum(a, b)),
        ("clip(b, 0.5, c)", lambda a, b, c: np.clip(b, 0.5, c)),
        ("exp(-a / c)", lambda a, b, c: np.exp(-a / c)),
        ("log(c) * sqrt(b)", lambda a, b, c: np.log(c) * np.sqrt(b)),
        ("abs(a - b)", lambda a, b, c: np.abs(a - b)),
        ("2 * (a + 1) ** 3", lambda a, b, c: 2 * (a + 1) ** 3),
    ],
)
def test_evaluation_matches_numpy(text, reference):
    rng = np.random.default_rng(1)
    a = rng.uniform(-3, 3, size=(3, 5))
    b = rng.uniform(0, 1, size=5)
    c = 2.5
    got = parse_expression(text).evaluate({"a": q(a), "b": q(b), "c": q(c)})
    want = reference(a, b, c)
    assert got.magnitude.shape == np.shape(want)
    np.testing.assert_allclose(got.to("").magnitude, want, rtol=1e-12)


def test_scalar_inputs_give_a_float_and_plain_numbers_count_as_dimensionless():
    got = parse_expression("a * b").evaluate({"a": 2.0, "b": q(3.0, "GW")})
    assert type(got.magnitude) is float and got.magnitude == 6.0
    assert got.units == ureg.GW


def test_mixed_units_of_one_dimension_are_converted():
    got = parse_expression("traffic / capacity").evaluate(
        {"traffic": q([450.0, 900.0], "Gbps"), "capacity": q(4.5, "Tbps")}
    )
    np.testing.assert_allclose(got.to("%").magnitude, [10.0, 20.0], rtol=1e-12)
    total = parse_expression("a + b").evaluate({"a": q(1.0, "Tbps"), "b": q(500.0, "Gbps")})
    assert total.to("Gbps").magnitude == pytest.approx(1500.0)


def test_percent_is_a_ratio_in_functions_and_sums():
    env = {"s": q(50.0, "%")}
    assert parse_expression("log(s)").evaluate(env).magnitude == pytest.approx(np.log(0.5))
    assert parse_expression("s + 1").evaluate(env).to("").magnitude == pytest.approx(1.5)
    assert parse_expression("sqrt(s)").evaluate(env).to("").magnitude == pytest.approx(0.5**0.5)


def test_literal_zero_fits_any_unit():
    env = {"demand": q([1.0, 5.0], "TWh"), "supply": q([3.0, 2.0], "TWh")}
    got = parse_expression("max(demand - supply, 0)").evaluate(env)
    assert got.units == ureg.TWh
    np.testing.assert_array_equal(got.magnitude, [0.0, 3.0])
    assert parse_expression("clip(demand, 0, supply)").evaluate(env).units == ureg.TWh
    assert "different dimensions" in _eval_error("max(demand, 1)", env)


def _eval_error(text, env):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text).evaluate(env)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a + b", ["cannot add", "GW", "TWh", "'a + b'"]),
        ("a - b", ["cannot subtract", "GW", "TWh"]),
        ("exp(a)", ["exp() needs a dimensionless argument", "GW"]),
        ("log(b)", ["log() needs a dimensionless argument", "TWh"]),
        ("min(a, b)", ["min(a, b)", "GW", "TWh", "different dimensions"]),
        ("max(a, a, b)", ["GW", "TWh"]),
        ("clip(a, 0, b)", ["clip", "GW", "TWh"]),
        ("a * a + b", ["cannot add", "GW ** 2", "TWh"]),
    ],
)
def test_unit_errors_name_operation_and_units(text, fragments):
    env = {"a": q([1.0, 2.0], "GW"), "b": q([1.0, 2.0], "TWh")}
    for message in (_eval_error(text, env), _unit_error(text, {"a": "GW", "b": "TWh"})):
        for fragment in fragments:
            assert fragment in message


def _unit_error(text, units):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text).unit(units)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "env", "fragment"),
    [
        ("a / b", {"a": q([1.0, 2.0]), "b": q([1.0, 0.0])}, "division by zero in 'a / b'"),
        ("a / (b - b)", {"a": q(1.0), "b": q(3.0, "GW")}, "division by zero in 'a / (b - b)'"),
        ("a * a", {"a": q([1e200, 1.0])}, "'a * a' produced a non-finite value"),
        ("exp(a)", {"a": q(1000.0)}, "'exp(a)' produced a non-finite value"),
        ("a * a - a * a", {"a": q(1e200)}, "'a * a' produced a non-finite value"),
        ("a ** 400", {"a": q(10.0)}, "non-finite"),
        ("log(a)", {"a": q([1.0, 0.0])}, "log of a value <= 0"),
        ("sqrt(a)", {"a": q([1.0, -1.0])}, "sqrt of a negative value"),
        ("a ** 0.5", {"a": q(-4.0)}, "negative number raised to the non-integer power 0.5"),
        ("a ** -1", {"a": q(0.0)}, "zero raised to a negative power"),
        ("clip(a, 2, 1)", {"a": q(1.5)}, "lower bound above upper bound"),
        ("a + b", {"a": q(np.ones(3)), "b": q(np.ones(4))}, "shapes (3,) and (4,)"),
        ("a + 1", {"a": q([1.0, np.nan])}, "value of 'a' is not finite"),
        ("a + 1", {"a": "12"}, "value of 'a' must be a number"),
        ("a + 1", {"a": True}, "booleans"),
    ],
)
def test_value_errors_are_expression_errors_without_numpy_warnings(text, env, fragment):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = _eval_error(text, env)
    assert fragment in message
    assert caught == []


def test_unknown_name_lists_known_names():
    message = _eval_error("x + a", {"a": q(1.0), "c": q(1.0), "b": q(1.0)})
    assert message == "unknown name 'x' (known: a, b, c)"
    assert "did you mean 'solar_capacity'?" in _eval_error(
        "solar_capcity * 2", {"solar_capacity": q(1.0)}
    )
    assert "unknown names 'x', 'y'" in _eval_error("x + y", {})
    assert _unit_error("x + a", {"a": "GW"}) == "unknown name 'x' (known: a)"


def test_evaluation_ignores_extra_names_and_does_not_modify_inputs():
    a = np.array([1.0, 2.0])
    env = {"a": q(a, "GW"), "unused": q(1.0, "TWh")}
    parse_expression("-a + a * 2").evaluate(env)
    np.testing.assert_array_equal(env["a"].magnitude, [1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# Units at validation time


def test_unit_of_energy_share_is_dimensionless_with_factor_1e_minus_3():
    unit = parse_expression("c * h / e").unit({"c": "GW", "h": "h", "e": "TWh"})
    assert unit.dimensionality == ureg.dimensionless.dimensionality
    assert Quantity(1.0, unit).to("").magnitude == pytest.approx(1e-3, rel=1e-12)
    assert Quantity(1.0, unit).to("%").magnitude == pytest.approx(0.1, rel=1e-12)


def test_unit_of_traffic_over_capacity():
    unit = parse_expression("traffic / capacity").unit({"traffic": "Gbps", "capacity": "Tbps"})
    assert unit.dimensionless
    assert Quantity(1.0, unit).to("").magnitude == pytest.approx(1e-3, rel=1e-12)
    rate = parse_expression("traffic / t").unit({"traffic": "Gbps", "t": "yr"})
    assert not rate.dimensionless


def test_unit_does_not_depend_on_values():
    # with every input equal to 1, b - b is 0: unit() must still answer
    unit = parse_expression("a / (b - b) + log(c - c + 1) * a / b").unit(
        {"a": "GW", "b": "h", "c": ""}
    )
    assert unit == ureg.GW / ureg.h
    assert parse_expression("sqrt(a)").unit({"a": ureg.GW}) == ureg.GW**0.5


# ---------------------------------------------------------------------------------------------
# Order of derived indicators


def test_dependency_order_places_dependencies_first():
    graph = {"share": ["solar", "demand"], "solar": [], "demand": [], "ratio": ["share", "x"]}
    order = dependency_order(graph)
    assert order == ["demand", "solar", "share", "x", "ratio"]


def test_dependency_order_does_not_depend_on_insertion_order():
    graph = {"e": ["c", "d"], "d": ["a"], "c": ["a", "b"], "b": [], "a": [], "f": []}
    orders = {
        tuple(dependency_order({k: list(reversed(graph[k])) for k in keys}))
        for keys in itertools.permutations(graph)
    }
    assert orders == {("a", "b", "c", "d", "e", "f")}


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ({"a": ["b"], "b": ["a"]}, "cycle between derived indicators: a -> b -> a"),
        ({"b": ["a"], "a": ["b"]}, "cycle between derived indicators: a -> b -> a"),
        ({"x": ["x"]}, "cycle between derived indicators: x -> x"),
        ({"z": ["c"], "c": ["d"], "d": ["c"]}, "cycle between derived indicators: c -> d -> c"),
        (
            {"a": ["b"], "b": ["c"], "c": ["a"]},
            "cycle between derived indicators: a -> b -> c -> a",
        ),
    ],
)
def test_cycles_are_reported_deterministically(graph, message):
    with pytest.raises(ExpressionError) as info:
        dependency_order(graph)
    assert str(info.value) == message


def test_dependency_given_as_a_string_is_one_name():
    assert dependency_order({"ratio": "share", "share": ()}) == ["share", "ratio"]


# ---------------------------------------------------------------------------------------------
# Properties

EXPRESSION_CHARS = string.ascii_lowercase[:6] + "0123456789.+-*/() ,_e" + "minaxlogsqrtclipbe"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=EXPRESSION_CHARS, max_size=40)))
def test_any_text_parses_or_raises_expression_error(text):
    """Invariant: for any text, parse_expression either returns an Expression whose names are
    plain identifiers not starting with '_', or raises ExpressionError -- never any other
    exception."""
    try:
        expr = parse_expression(text)
    except ExpressionError as err:
        assert str(err)
        return
    assert isinstance(expr, Expression)
    assert all(n.isidentifier() and not n.startswith("_") for n in expr.names)
    assert expr.text == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=EXPRESSION_CHARS, min_size=1, max_size=40))
def test_any_parsed_text_evaluates_or_raises_expression_error(text):
    """Invariant: an expression that parses, evaluated on finite arrays for every name, returns
    a finite pint Quantity or raises ExpressionError; unit() returns a pint Unit or raises
    ExpressionError. No other exception and no warning escapes."""
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    env = {name: q(np.linspace(-2.0, 2.0, 5)) for name in expr.names}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = expr.evaluate(env)
        except ExpressionError:
            pass
        else:
            assert isinstance(result, pint.Quantity)
            assert np.isfinite(result.magnitude).all()
        try:
            unit = expr.unit({name: "" for name in expr.names})
        except ExpressionError:
            pass
        else:
            assert isinstance(unit, pint.Unit)
    assert caught == []


# Random trees of the whitelisted language: nested tuples, rendered to text on one side and
# computed directly with numpy on the other.

LEAF_VALUES = [0.0, 0.5, 1.0, 2.0, 3.0, 10.0]
EXPONENTS = [2, 3, -1, 0.5, -0.5, 0]


def _trees():
    leaves = st.one_of(
        st.sampled_from(["a", "b", "c"]).map(lambda n: ("name", n)),
        st.sampled_from(LEAF_VALUES).map(lambda v: ("num", v)),
    )

    def extend(sub):
        return st.one_of(
            st.tuples(st.sampled_from(["+", "-", "*", "/"]), sub, sub).map(lambda t: ("bin", *t)),
            st.tuples(sub, st.sampled_from(EXPONENTS)).map(lambda t: ("pow", *t)),
            sub.map(lambda t: ("neg", t)),
            st.tuples(st.sampled_from(["exp", "log", "sqrt", "abs"]), sub).map(
                lambda t: ("fn", *t)
            ),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(sub, min_size=2, max_size=3)).map(
                lambda t: ("agg", *t)
            ),
            st.tuples(sub, sub, sub).map(lambda t: ("clip", *t)),
        )

    return st.recursive(leaves, extend, max_leaves=10)


def _render(tree) -> str:
    kind = tree[0]
    if kind == "name":
        return tree[1]
    if kind == "num":
        return repr(tree[1])
    if kind == "bin":
        return f"({_render(tree[2])} {tree[1]} {_render(tree[3])})"
    if kind == "pow":
        return f"({_render(tree[1])}) ** {tree[2]!r}"
    if kind == "neg":
        return f"(-{_render(tree[1])})"
    if kind == "fn":
        return f"{tree[1]}({_render(tree[2])})"
    if kind == "agg":
        return f"{tree[1]}({', '.join(_render(t) for t in tree[2])})"
    return f"clip({_render(tree[1])}, {_render(tree[2])}, {_render(tree[3])})"


class _Undefined(Exception):
    """The reference finds the value undefined (division by zero, domain, overflow)."""


def _reference(tree, env):
    """Compute ``tree`` directly with numpy; raise _Undefined where the result is undefined."""
    kind = tree[0]
    if kind == "name":
        out = env[tree[1]]
    elif kind == "num":
        out = np.asarray(tree[1])
    elif kind == "bin":
        x, y = _reference(tree[2], env), _reference(tree[3], env)
        if tree[1] == "/" and np.any(y == 0):
            raise _Undefined
        out = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[tree[1]](x, y)
    elif kind == "pow":
        x, e = _reference(tree[1], env), float(tree[2])
        if (not e.is_integer() and np.any(x < 0)) or (e < 0 and np.any(x == 0)):
            raise _Undefined
        out = np.power(x, e)
    elif kind == "neg":
        out = -_reference(tree[1], env)
    elif kind == "fn":
        x = _reference(tree[2], env)
        if (tree[1] == "log" and np.any(x <= 0)) or (tree[1] == "sqrt" and np.any(x < 0)):
            raise _Undefined
        out = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs}[tree[1]](x)
    elif kind == "agg":
        values = [_reference(t, env) for t in tree[2]]
        reduce = np.minimum if tree[1] == "min" else np.maximum
        out = values[0]
        for v in values[1:]:
            out = reduce(out, v)
    else:
        x, lo, hi = (_reference(t, env) for t in tree[1:])
        if np.any(lo > hi):
            raise _Undefined
        out = np.minimum(np.maximum(x, lo), hi)
    if not np.all(np.isfinite(out)):
        raise _Undefined
    return out


def _tree_depth(tree) -> int:
    children = [t for t in tree[1:] if isinstance(t, tuple)]
    children += [t for item in tree[1:] if isinstance(item, list) for t in item]
    return 1 + max((_tree_depth(t) for t in children), default=0)


finite = st.floats(-4.0, 4.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=_trees(),
    a=st.lists(finite, min_size=3, max_size=3).map(lambda v: np.array([v, v[::-1]])),
    b=st.lists(finite, min_size=3, max_size=3).map(np.array),
    c=finite,
)
def test_random_expression_trees_match_numpy(tree, a, b, c):
    """Invariant: a random expression of the whitelisted language, evaluated on arrays of shapes
    (2, 3), (3,) and a scalar, equals the same computation done directly with numpy (same
    shape, values equal to 1e-12 relative); where numpy finds the value undefined (division by
    zero, log/sqrt/power outside their domain, clip with lo > hi, overflow) evaluation raises
    ExpressionError instead."""
    assume(_tree_depth(tree) <= 20)
    text = _render(tree)
    expr = parse_expression(text)
    env = {"a": a, "b": b, "c": np.asarray(c)}
    try:
        with np.errstate(all="ignore"):
            want = _reference(tree, env)
    except _Undefined:
        with pytest.raises(ExpressionError):
            expr.evaluate({k: q(v) for k, v in env.items() if k in expr.names})
        return
    got = expr.evaluate({k: q(v) for k, v in env.items() if k in expr.names})
    assert got.units == ureg.dimensionless
    assert np.shape(got.magnitude) == np.shape(want)
    np.testing.assert_allclose(got.magnitude, want, rtol=1e-12, atol=0)


@settings(max_examples=200, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
    seed=st.randoms(use_true_random=False),
)
def test_dependency_order_of_random_dags(edges, seed):
    """Invariant: for a random acyclic graph (edges only from a higher to a lower node number),
    dependency_order lists every node once, after all of its dependencies, and gives the same
    list whatever the order of the keys and of each dependency list."""
    names = [f"n{i}" for i in range(8)]
    graph: dict[str, list[str]] = {n: [] for n in names}
    for i, j in edges:
        if i > j:
            graph[names[i]].append(names[j])
    order = dependency_order(graph)
    assert sorted(order) == sorted(names)
    position = {n: k for k, n in enumerate(order)}
    for node, deps in graph.items():
        assert all(position[d] < position[node] for d in deps)
    keys = list(graph)
    seed.shuffle(keys)
    shuffled = {k: seed.sample(graph[k], len(graph[k])) for k in keys}
    assert dependency_order(shuffled) == order
