"""The registry (FAMILIES, get_family, DERIVED) and the ParamSpec table."""

import dataclasses

import numpy as np
import pytest

from projection.exceptions import ParameterError, ProjectionError
from projection.models import DERIVED, FAMILIES, Family, ParamSpec, get_family

NAMES = ["bass", "exponential", "gompertz", "linear", "logistic", "staged"]


def test_registry_holds_the_six_families_by_name():
    assert sorted(FAMILIES) == NAMES
    for name, family in FAMILIES.items():
        assert isinstance(family, Family)
        assert family.name == name
        assert get_family(name) is family


def test_unknown_family_lists_every_valid_name_including_derived():
    with pytest.raises(ParameterError) as info:
        get_family("sigmoid")
    assert info.value.param == "model"
    assert info.value.message == (
        "unknown growth family 'sigmoid' (expected one of: bass, derived, exponential, "
        "gompertz, linear, logistic, staged)"
    )


def test_derived_is_named_but_not_a_growth_family():
    assert DERIVED == "derived"
    assert DERIVED not in FAMILIES
    with pytest.raises(ParameterError) as info:
        get_family(DERIVED)
    assert info.value.param == "model"
    assert "not a growth family" in info.value.message


@pytest.mark.parametrize("name", [None, 3, "Logistic", " logistic"])
def test_get_family_is_exact(name):
    with pytest.raises(ParameterError) as info:
        get_family(name)
    assert info.value.param == "model"
    assert repr(name) in info.value.message


def test_parameter_error_is_a_value_error_and_a_projection_error():
    with pytest.raises(ValueError):
        get_family("nope")
    with pytest.raises(ProjectionError):
        get_family("nope")


def test_paramspec_is_frozen_and_checks_its_kind():
    spec = ParamSpec("rate", "rate", "growth rate", lower=-1.0, upper=1.0)
    assert spec.unit == "1/yr"
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.lower = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="kind"):
        ParamSpec("x", "speed", "not a kind")


@pytest.mark.parametrize(
    ("spec", "value", "text"),
    [
        (ParamSpec("c", "level", "", lower=0.0, lower_inclusive=False), 0.0, "must be > 0 (got 0)"),
        (
            ParamSpec("s", "level", "", lower=0.0),
            [1.0, 2.0, -0.5],
            "must be >= 0 (got -0.5 at index 2)",
        ),
        (ParamSpec("r", "rate", "", upper=10.0), 10.5, "must be <= 10 (got 10.5)"),
        (ParamSpec("r", "rate", ""), [0.0, np.inf], "must be finite (got inf at index 1)"),
        (ParamSpec("r", "rate", ""), 1e200, "must be between -1e+150 and 1e+150 (got 1e+200)"),
    ],
)
def test_paramspec_check_messages(spec, value, text):
    with pytest.raises(ParameterError) as info:
        spec.check(np.asarray(value, dtype=float))
    assert info.value.param == spec.name
    assert info.value.message == text


def test_paramspec_check_accepts_the_bounds_themselves():
    spec = ParamSpec("q", "rate", "", lower=0.0, upper=100.0)
    spec.check(np.array([0.0, 100.0]))  # must not raise
    with pytest.raises(ParameterError):
        spec.check(np.array([0.0, np.nextafter(100.0, 200.0)]))
