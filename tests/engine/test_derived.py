"""Derived expressions compiled to numpy compute what the pint interpreter computes, bit for bit.

The compiled form (:mod:`projection.engine.derived`) is the one the engine runs; the interpreter
(:mod:`projection.scenario.expression_eval`) is the reference: same operations, same conversion
factors, so the same floats.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projection.engine.derived import Unevaluable, compile_expression
from projection.scenario.expressions import parse_expression
from projection.units import Quantity, exact_factor

# names with their units: two of each dimension, so conversions happen
UNITS = {
    "cap_gw": "GW",
    "cap_mw": "MW",
    "energy_twh": "TWh",
    "energy_gwh": "GWh",
    "hours": "h",
    "share_pct": "%",
    "share": "",
    "rate": "1/yr",
    "traffic_gbps": "Gbps",
    "traffic_tbps": "Tbps",
}

# expressions over those names whose units fit (each a different shape of the language)
EXPRESSIONS = [
    "cap_gw * hours / energy_twh",
    "cap_gw + cap_mw",
    "cap_mw - cap_gw * 2",
    "min(cap_gw, cap_mw, 0)",
    "max(energy_twh - energy_gwh, 0)",
    "clip(traffic_gbps, 0, traffic_tbps)",
    "traffic_gbps / traffic_tbps",
    "exp(-rate * hours) * share_pct",
    "log(share_pct + 1) + share",
    "sqrt(cap_gw * cap_mw)",
    "abs(cap_gw - cap_mw) ** 2 / cap_gw",
    "(share_pct + share) ** 0.5",
    "-traffic_tbps + traffic_gbps",
    "cap_gw * hours / energy_gwh * share_pct",
    "cap_gw * sin(share_pct) + cap_mw * cos(rate * hours)",
]

positive = st.floats(0.01, 1e4, allow_nan=False)


def interpreter(expr, env):
    return expr.evaluate({n: Quantity(v, UNITS[n]) for n, v in env.items()})


@settings(max_examples=80, deadline=None)
@given(
    text=st.sampled_from(EXPRESSIONS),
    values=st.fixed_dictionaries({n: positive for n in UNITS}),
    members=st.integers(1, 5),
)
def test_compiled_expression_equals_the_interpreter_bit_for_bit(text, values, members):
    """For every expression and positive inputs (scalars, or arrays of members x years), the
    compiled expression's magnitude, converted to the interpreter's unit, equals the pint
    interpreter's magnitude exactly: the same operations on the same floats."""
    expr = parse_expression(text)
    compiled = compile_expression(expr, UNITS)
    rng = np.random.default_rng(len(text))
    env = {
        n: v * rng.uniform(0.5, 2.0, (members, 3)) if n.startswith("cap") else v
        for n, v in values.items()
        if n in expr.names
    }
    reference = interpreter(expr, env)
    got = compiled({n: env[n] for n in expr.names})
    assert compiled.unit == str(reference.units)
    np.testing.assert_array_equal(got, np.asarray(reference.magnitude, dtype=float))


def test_the_result_unit_is_the_interpreters_unsimplified():
    expr = parse_expression("cap_gw * hours / energy_twh")
    compiled = compile_expression(expr, UNITS)
    assert compiled.unit == str(expr.unit(UNITS))
    # 1 GW for 1 h is 1 GWh, a thousandth of 1 TWh: 0.1 %
    assert exact_factor(compiled.unit, "%") == pytest.approx(0.1, rel=1e-15)


@pytest.mark.parametrize(
    "text, env",
    [
        ("traffic_gbps / traffic_tbps", {"traffic_gbps": 1.0, "traffic_tbps": 0.0}),
        ("log(share)", {"share": 0.0}),
        ("sqrt(cap_gw - cap_mw)", {"cap_gw": 1.0, "cap_mw": 5000.0}),
        ("exp(share)", {"share": 1000.0}),
        ("clip(cap_gw, cap_mw, 0)", {"cap_gw": 1.0, "cap_mw": 5000.0}),
    ],
)
def test_values_it_cannot_take_are_unevaluable_and_the_interpreter_says_why(text, env):
    """A division by zero, the log of 0, an invalid square root, an overflow or a clip whose
    bounds cross: the compiled expression stops (Unevaluable), and the interpreter, which the
    engine then runs for the message, refuses the same values."""
    expr = parse_expression(text)
    compiled = compile_expression(expr, UNITS)
    env = {n: np.array([v]) for n, v in env.items()}  # the engine passes arrays
    with pytest.raises(Unevaluable):
        compiled(env)
    with pytest.raises(Exception) as info:
        interpreter(expr, env)
    assert type(info.value).__name__ == "ExpressionError"


def test_compiled_expressions_survive_pickling():
    """Worker processes receive compiled scenarios pickled: the expression is compiled again."""
    import pickle

    compiled = compile_expression(parse_expression("cap_gw + cap_mw"), UNITS)
    again = pickle.loads(pickle.dumps(compiled))
    assert again({"cap_gw": 1.0, "cap_mw": 500.0}) == compiled({"cap_gw": 1.0, "cap_mw": 500.0})
    assert again.unit == compiled.unit
