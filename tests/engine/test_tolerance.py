"""The one tolerance (projection.engine.tolerance): the fast comparisons give exactly the
answers of the formulas they document, for every finite value, near a bound or far from it."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from projection.engine.tolerance import RTOL, exceeds, holds, violated

# Every value the engine compares is finite and at most MAX_ABS (1e150) in size; up to 1e300
# leaves room for a tolerance without overflow.
FINITE = st.floats(-1e300, 1e300)


def reference_holds(values, bound, required):
    tol = RTOL * np.maximum(abs(required), np.abs(values))
    return values >= required - tol if bound == "at_least" else values <= required + tol


def reference_exceeds(values, upper):
    if np.isinf(upper):
        return np.zeros(values.shape, dtype=bool)
    return values - upper > RTOL * np.maximum(abs(upper), np.abs(values))


def reference_violated(lhs, rhs, margin):
    return margin < -RTOL * np.maximum(np.abs(lhs), np.abs(rhs))


@st.composite
def near(draw, bound):
    """Values at, around and far from ``bound``: within a few tolerances of it, a few ulps
    from the edge of the tolerance, and anywhere."""
    scale = max(abs(bound), 1e-300)
    offsets = st.one_of(
        st.floats(-5 * RTOL, 5 * RTOL).map(lambda f: bound + f * scale),
        st.sampled_from([-1, 1]).map(lambda s: bound + s * RTOL * scale),
        st.sampled_from([-1, 1]).map(lambda s: np.nextafter(bound + s * RTOL * scale, s * np.inf)),
        st.sampled_from([-1, 1]).map(lambda s: np.nextafter(bound + s * RTOL * scale, -s * np.inf)),
        FINITE,
    )
    values = draw(st.lists(offsets, min_size=1, max_size=30))
    return np.array([v for v in values if abs(v) <= 1e300] or [bound], dtype=float)


@given(data=st.data(), required=FINITE, bound=st.sampled_from(["at_least", "at_most"]))
@example(data=None, required=0.0, bound="at_least")
@example(data=None, required=-100.0, bound="at_least")
@example(data=None, required=100.0, bound="at_most")
@example(data=None, required=5e-324, bound="at_most")
def test_holds_is_its_formula(data, required, bound):
    """``holds`` equals ``values >= required - RTOL * max(|required|, |values|)`` (or its
    ``at_most`` mirror) for every finite value and bound."""
    if data is None:
        scale = max(abs(required), 1e-300)
        values = required + np.array([-3, -1, -0.5, 0, 0.5, 1, 3]) * RTOL * scale
        values = np.concatenate([values, [-1e300, 1e300, 0.0, -0.0]])
    else:
        values = data.draw(near(required))
    np.testing.assert_array_equal(
        holds(values, bound, required), reference_holds(values, bound, required)
    )


@given(data=st.data(), upper=FINITE)
@example(data=None, upper=100.0)
@example(data=None, upper=0.0)
@example(data=None, upper=-1.0)
def test_exceeds_is_its_formula(data, upper):
    """``exceeds`` equals ``values - upper > RTOL * max(|upper|, |values|)`` for every finite
    value and upper bound."""
    if data is None:
        scale = max(abs(upper), 1e-300)
        values = upper + np.array([-3, -1, -0.5, 0, 0.5, 1, 1.5, 3]) * RTOL * scale
    else:
        values = data.draw(near(upper))
    np.testing.assert_array_equal(exceeds(values, upper), reference_exceeds(values, upper))


def test_nothing_exceeds_an_infinite_bound():
    assert not exceeds(np.array([1e308, -1.0]), np.inf).any()


@given(
    lhs=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e12, 1e12)),
    data=st.data(),
)
def test_violated_is_its_formula(lhs, data):
    """``violated`` equals ``margin < -RTOL * max(|lhs|, |rhs|)`` for any sides, the right one
    often within a tolerance of the left."""
    scale = np.maximum(np.abs(lhs), 1.0)
    offset = data.draw(hnp.arrays(np.float64, lhs.shape, elements=st.floats(-3 * RTOL, 3 * RTOL)))
    rhs = lhs + offset * scale
    margin = rhs - lhs
    np.testing.assert_array_equal(violated(lhs, rhs, margin), reference_violated(lhs, rhs, margin))
    np.testing.assert_array_equal(
        violated(lhs, rhs[:1], rhs[:1] - lhs), reference_violated(lhs, rhs[:1], rhs[:1] - lhs)
    )
