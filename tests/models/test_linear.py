"""linear: hand-computed values, an ensemble, validation."""

import numpy as np
import pytest

from projection.exceptions import ParameterError
from projection.models import linear


def test_hand_computed_values():
    # start + slope * (year - base_year):
    #   2024: 100 + 12.5 * -1 = 87.5;  2025: 100;  2033: 100 + 12.5 * 8 = 200
    y = linear.evaluate([2024, 2025, 2033], base_year=2025, start=100.0, slope=12.5)
    np.testing.assert_array_equal(y, [87.5, 100.0, 200.0])


def test_falling_line_is_not_clipped_at_zero():
    # 5 - 2 * 3 = -1: the family is a plain line (documented), a negative value is kept
    y = linear.evaluate([2028], base_year=2025, start=5.0, slope=-2.0)
    np.testing.assert_array_equal(y, [-1.0])


def test_fractional_base_year():
    # d = 2026 - 2025.5 = 0.5 -> 10 + 4 * 0.5 = 12
    y = linear.evaluate([2025.5, 2026.0], base_year=2025.5, start=10.0, slope=4.0)
    np.testing.assert_array_equal(y, [10.0, 12.0])


def test_ensemble_of_slopes_and_starts():
    # row i: start[i] + slope[i] * d for d = 0, 2
    y = linear.evaluate([2025, 2027], base_year=2025, start=[1.0, 2.0, 3.0], slope=[0.5, -1.0, 0.0])
    assert y.shape == (3, 2)
    np.testing.assert_array_equal(y, [[1.0, 2.0], [2.0, 0.0], [3.0, 3.0]])


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"start": np.nan, "slope": 1.0}, "start"),
        ({"start": 1.0, "slope": np.inf}, "slope"),
        ({"start": 1.0}, "slope"),
        ({"start": 1.0, "slope": 1.0, "rate": 0.1}, "rate"),
    ],
)
def test_validation_names_the_parameter(params, name):
    with pytest.raises(ParameterError) as info:
        linear.evaluate([2025], base_year=2025, **params)
    assert info.value.param == name
    assert str(info.value).startswith(f"{name}: ")
