"""staged: hand-computed values for each interpolation, ensembles, validation."""

import numpy as np
import pytest

from projection.exceptions import ParameterError
from projection.models import staged

YEARS = np.arange(2023, 2036)  # 2023 ... 2035
MS_YEARS = [2028, 2032]
MS_VALUES = [4000.0, 10000.0]


def run(interpolation, years=YEARS, **kw):
    params = {"start": 450.0, "milestone_years": MS_YEARS, "milestone_values": MS_VALUES}
    params.update(kw)
    return staged.evaluate(years, base_year=2025, interpolation=interpolation, **params)


def test_step_is_the_default_and_jumps_in_the_milestone_year():
    # start until 2027, 4000 from 2028 to 2031, 10000 from 2032
    expected = [450.0] * 5 + [4000.0] * 4 + [10000.0] * 4
    np.testing.assert_array_equal(run("step"), expected)
    np.testing.assert_array_equal(
        staged.evaluate(
            YEARS,
            base_year=2025,
            start=450.0,
            milestone_years=MS_YEARS,
            milestone_values=MS_VALUES,
        ),
        expected,
    )


def test_linear_interpolates_between_points():
    # 2025 -> 2028: 450 + (4000 - 450)/3 per year = 450, 1633.33.., 2816.66.., 4000
    # 2028 -> 2032: 4000 + 1500 per year; before 2025: 450; after 2032: 10000
    a = (4000.0 - 450.0) / 3
    expected = [
        450,
        450,
        450,
        450 + a,
        450 + 2 * a,
        4000,
        5500,
        7000,
        8500,
        10000,
        10000,
        10000,
        10000,
    ]
    np.testing.assert_allclose(run("linear"), expected, rtol=1e-14)


def test_log_linear_is_geometric_between_points():
    # 1 -> 1000 over 3 years: x10 a year; 1000 -> 16000 over 4 years: x2 a year
    y = staged.evaluate(
        np.arange(2024, 2031),
        base_year=2025,
        start=1.0,
        milestone_years=[2028, 2032],
        milestone_values=[1000.0, 16000.0],
        interpolation="log-linear",
    )
    np.testing.assert_allclose(y, [1, 1, 10, 100, 1000, 2000, 4000], rtol=1e-13)


def test_fractional_years_inside_a_segment():
    # halfway between (2025, 0) and (2027, 10): 5 (linear); sqrt(1 * 100) = 10 (log-linear)
    lin = staged.evaluate(
        [2026.0],
        base_year=2025,
        start=0.0,
        milestone_years=[2027],
        milestone_values=[10.0],
        interpolation="linear",
    )
    geo = staged.evaluate(
        [2026.0],
        base_year=2025,
        start=1.0,
        milestone_years=[2027],
        milestone_values=[100.0],
        interpolation="log-linear",
    )
    np.testing.assert_allclose(lin, [5.0], rtol=1e-14)
    np.testing.assert_allclose(geo, [10.0], rtol=1e-14)


def test_values_may_fall():
    # capacity retired: 100 -> 40 (2030) -> 10 (2035), linear: 2027.5 is halfway to 40: 70
    y = staged.evaluate(
        [2027.5, 2030, 2032.5, 2040],
        base_year=2025,
        start=100.0,
        milestone_years=[2030, 2035],
        milestone_values=[40.0, 10.0],
        interpolation="linear",
    )
    np.testing.assert_allclose(y, [70.0, 40.0, 25.0, 10.0], rtol=1e-14)


def test_no_milestones_is_constant():
    y = staged.evaluate(
        YEARS,
        base_year=2025,
        start=3.0,
        milestone_years=[],
        milestone_values=[],
        interpolation="linear",
    )
    np.testing.assert_array_equal(y, 3.0)


def test_ensemble_with_per_member_milestones():
    # member 0: 0 -> 10 at 2027; member 1: 2 -> 4 at 2026 -> 1 at 2028 (linear)
    y = staged.evaluate(
        [2024, 2025, 2026, 2027, 2028, 2029],
        base_year=2025,
        start=[0.0, 2.0],
        milestone_years=[[2027, 2029], [2026, 2028]],
        milestone_values=[[10.0, 10.0], [4.0, 1.0]],
        interpolation="linear",
    )
    np.testing.assert_allclose(y, [[0, 0, 5, 10, 10, 10], [2, 2, 4, 2.5, 1, 1]], rtol=1e-14)


def test_shared_years_with_uncertain_values_and_starts():
    # years (K,) broadcast against values (N, K); starts (N,)
    y = staged.evaluate(
        [2025, 2030],
        base_year=2025,
        start=[1.0, 2.0, 3.0],
        milestone_years=[2030],
        milestone_values=[[10.0], [20.0], [30.0]],
    )
    np.testing.assert_array_equal(y, [[1, 10], [2, 20], [3, 30]])
    # starts (N,) with shared milestones
    y = staged.evaluate(
        [2025, 2030],
        base_year=2025,
        start=[1.0, 2.0],
        milestone_years=[2030],
        milestone_values=[7.0],
    )
    np.testing.assert_array_equal(y, [[1, 7], [2, 7]])


@pytest.mark.parametrize(
    ("params", "name", "text"),
    [
        (
            {"milestone_years": [2030, 2028]},
            "milestones",
            "years must be strictly increasing (got 2030 then 2028 at positions 0 and 1)",
        ),
        (
            {"milestone_years": [2028, 2028]},
            "milestones",
            "years must be strictly increasing (got 2028 then 2028 at positions 0 and 1)",
        ),
        (
            {"milestone_years": [2025, 2030]},
            "milestones",
            "years must be after base_year=2025 (got 2025 at index 0)",
        ),
        (
            {"milestone_years": [2026, 2027, 2028]},
            "milestones",
            "milestone_years has 3 entries but milestone_values has 2 (expected one value per year)",
        ),
        ({"milestone_values": [1.0, -2.0]}, "milestone_values", "must be >= 0 (got -2 at index 1)"),
        (
            {"milestone_values": [0.0, 2.0], "interpolation": "log-linear"},
            "milestone_values",
            "must be > 0 for interpolation='log-linear' (got 0 at index 0)",
        ),
        (
            {"start": 0.0, "interpolation": "log-linear"},
            "start",
            "must be > 0 for interpolation='log-linear' (got 0)",
        ),
        (
            {"interpolation": "cubic"},
            "interpolation",
            "must be one of 'step', 'linear', 'log-linear' (got 'cubic')",
        ),
        (
            {"milestone_years": 2030.0, "milestone_values": 1.0},
            "milestone_years",
            "must be a 1-D array (K,) or a 2-D array (N, K) (got an array of shape ())",
        ),
        (
            {"milestone_years": [[2026, 2030], [2027, 2027]]},
            "milestones",
            "years must be strictly increasing (got 2027 then 2027 in row 1 at positions 0 and 1)",
        ),
    ],
)
def test_validation_messages(params, name, text):
    full = {"start": 1.0, "milestone_years": [2026, 2030], "milestone_values": [1.0, 2.0]}
    full.update(params)
    with pytest.raises(ParameterError) as info:
        staged.evaluate([2025], base_year=2025, **full)
    assert info.value.param == name
    assert info.value.message == text


def test_validate_without_base_year_checks_order_only():
    staged.validate(start=1.0, milestone_years=[2000, 2010], milestone_values=[1.0, 2.0])
    with pytest.raises(ParameterError, match="after base_year=2025"):
        staged.validate(
            base_year=2025, start=1.0, milestone_years=[2000, 2010], milestone_values=[1.0, 2.0]
        )
    with pytest.raises(ParameterError, match="strictly increasing"):
        staged.validate(start=1.0, milestone_years=[2010, 2000], milestone_values=[1.0, 2.0])
