"""One generic battery over every family in FAMILIES (in the spirit of scipy.stats' tests).

Each family needs an entry in EXAMPLES (a valid parameter set) and ENSEMBLES (three valid
members, one array per parameter); a new family without one fails ``test_every_family_has_*``.
"""

import re
import warnings

import numpy as np
import pytest

from projection.exceptions import ParameterError
from projection.models import FAMILIES, MAX_HORIZON, get_family

YEARS = np.arange(2015, 2061)
BASE = 2025

EXAMPLES = {
    "linear": {"start": 100.0, "slope": 12.5},
    "exponential": {"start": 3.0, "rate": 0.2, "ceiling": 50.0},
    "logistic": {"start": 2.0, "ceiling": 60.0, "rate": 0.45},
    "gompertz": {"start": 2.0, "ceiling": 60.0, "rate": 0.3},
    "bass": {"start": 5.0, "market": 100.0, "p": 0.03, "q": 0.38},
    "staged": {
        "start": 450.0,
        "milestone_years": [2028, 2032],
        "milestone_values": [4000.0, 10000.0],
        "interpolation": "linear",
    },
}

ENSEMBLES = {
    "linear": {"start": [1.0, 2.0, 3.0], "slope": [-1.0, 0.0, 2.5]},
    "exponential": {
        "start": [0.0, 3.0, 50.0],
        "rate": [0.1, -0.2, 1.0],
        "ceiling": [1.0, 60.0, 50.0],
    },
    "logistic": {
        "start": [0.0, 2.0, 60.0],
        "ceiling": [1.0, 60.0, 60.0],
        "rate": [0.45, -0.1, 2.0],
    },
    "gompertz": {"start": [0.0, 2.0, 59.0], "ceiling": [1.0, 60.0, 60.0], "rate": [0.3, -0.1, 2.0]},
    "bass": {
        "start": [0.0, 5.0, 100.0],
        "market": [100.0, 100.0, 100.0],
        "p": [0.03, 0.0, 0.01],
        "q": [0.38, 0.5, 0.0],
    },
    "staged": {
        "start": [1.0, 2.0, 3.0],
        "milestone_years": [[2026, 2030], [2027, 2040], [2030, 2031]],
        "milestone_values": [[5.0, 1.0], [2.0, 8.0], [3.0, 30.0]],
        "interpolation": "log-linear",
    },
}

UNIT_BRACKETS = {
    "level": "[indicator unit]",
    "rate": "[1/yr]",
    "level_rate": "[indicator unit/yr]",
    "year": "[yr]",
}

FAMILY_NAMES = sorted(FAMILIES)


def member(params, i):
    """Member ``i`` of an ensemble parameter set (row ``i`` of every array)."""
    return {k: v if isinstance(v, str) else np.asarray(v)[i] for k, v in params.items()}


def test_every_family_has_an_example():
    assert set(EXAMPLES) == set(FAMILIES)


def test_every_family_has_an_ensemble():
    assert set(ENSEMBLES) == set(FAMILIES)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_scalar_parameters_give_one_row(name):
    y = get_family(name).evaluate(YEARS, base_year=BASE, **EXAMPLES[name])
    assert y.shape == YEARS.shape
    assert y.dtype == np.float64
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_anchored_at_base_year(name):
    """At base_year the value is start, exactly."""
    y = get_family(name).evaluate(YEARS, base_year=BASE, **EXAMPLES[name])
    assert y[YEARS == BASE][0] == EXAMPLES[name]["start"]


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_ensemble_is_n_by_t_and_equals_members(name):
    family = get_family(name)
    params = ENSEMBLES[name]
    y = family.evaluate(YEARS, base_year=BASE, **params)
    assert y.shape == (3, YEARS.size)
    np.testing.assert_array_equal(y[:, YEARS == BASE][:, 0], params["start"])
    for i in range(3):
        row = family.evaluate(YEARS, base_year=BASE, **member(params, i))
        np.testing.assert_allclose(y[i], row, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_ensemble_of_one_member_keeps_its_axis(name):
    params = {k: v if isinstance(v, str) else np.asarray(v)[:1] for k, v in ENSEMBLES[name].items()}
    y = get_family(name).evaluate(YEARS, base_year=BASE, **params)
    assert y.shape == (1, YEARS.size)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_validate_accepts_the_example(name):
    assert get_family(name).validate(base_year=BASE, **EXAMPLES[name]) is None


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_unknown_parameter_is_named(name):
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **EXAMPLES[name], growth=1.0)
    assert info.value.param == "growth"
    assert "unknown parameter" in info.value.message
    for spec in get_family(name).params:
        assert spec.name in info.value.message  # the message lists the valid names


@pytest.mark.parametrize(
    ("name", "param"),
    [(f.name, s.name) for f in FAMILIES.values() for s in f.params if s.required],
)
def test_missing_required_parameter_is_named(name, param):
    params = {k: v for k, v in EXAMPLES[name].items() if k != param}
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **params)
    assert info.value.param == param
    assert "required" in info.value.message


def _replace(name, param, value):
    params = dict(EXAMPLES[name])
    if get_family(name).spec(param).kind == "year" or param.startswith("milestone"):
        params[param] = [value] * len(params[param])
    else:
        params[param] = value
    return params


@pytest.mark.parametrize(
    ("name", "param"), [(f.name, s.name) for f in FAMILIES.values() for s in f.params]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_rejected(name, param, bad):
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **_replace(name, param, bad))
    assert info.value.param == param
    assert "finite" in info.value.message


@pytest.mark.parametrize(
    ("name", "param"), [(f.name, s.name) for f in FAMILIES.values() for s in f.params]
)
@pytest.mark.parametrize("bad", [True, "1.0", 1 + 2j, object()])
def test_non_numbers_are_rejected(name, param, bad):
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **_replace(name, param, bad))
    assert info.value.param == param


def _out_of_domain():
    """(family, parameter, value just outside its declared domain) from the ParamSpec table."""
    cases = []
    for family in FAMILIES.values():
        for spec in family.params:
            if spec.lower is not None:
                below = spec.lower if not spec.lower_inclusive else spec.lower - 0.5
                cases.append((family.name, spec.name, below))
            if spec.upper is not None:
                cases.append((family.name, spec.name, spec.upper + 0.5))
    return cases


@pytest.mark.parametrize(("name", "param", "value"), _out_of_domain())
def test_values_outside_the_declared_domain_are_rejected(name, param, value):
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **_replace(name, param, value))
    assert info.value.param == param
    assert re.search(r"must be [<>]=? ", info.value.message)


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (f.name, s.name)
        for f in FAMILIES.values()
        for s in f.params
        if s.name not in f._vector_params
    ],
)
def test_matrix_for_an_ensemble_parameter_is_rejected(name, param):
    params = dict(EXAMPLES[name])
    params[param] = np.full((2, 2), params[param])
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **params)
    assert info.value.param == param
    assert "(2, 2)" in info.value.message


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_ensemble_lengths_must_agree(name):
    params = dict(ENSEMBLES[name])
    params["start"] = np.asarray(params["start"])[:2]
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(YEARS, base_year=BASE, **params)
    assert "ensemble" in info.value.message
    assert "3" in info.value.message and "2" in info.value.message


@pytest.mark.parametrize("name", FAMILY_NAMES)
@pytest.mark.parametrize(
    ("years", "base_year", "param"),
    [
        (np.array([[2025, 2026]]), BASE, "years"),
        (np.array([2025.0, np.nan]), BASE, "years"),
        (np.array([2025.0, BASE + MAX_HORIZON + 1]), BASE, "years"),
        ("2025", BASE, "years"),
        (YEARS, np.nan, "base_year"),
        (YEARS, None, "base_year"),
        (YEARS, [2025, 2026], "base_year"),
    ],
)
def test_bad_years_or_base_year_are_named(name, years, base_year, param):
    with pytest.raises(ParameterError) as info:
        get_family(name).evaluate(years, base_year=base_year, **EXAMPLES[name])
    assert info.value.param == param


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_empty_years_give_empty_output(name):
    assert get_family(name).evaluate([], base_year=BASE, **EXAMPLES[name]).shape == (0,)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_inputs_are_not_modified(name):
    params = {
        k: v if isinstance(v, str) else np.array(v, dtype=float) for k, v in ENSEMBLES[name].items()
    }
    copies = {k: v if isinstance(v, str) else v.copy() for k, v in params.items()}
    years = YEARS.astype(float)
    get_family(name).evaluate(years, base_year=BASE, **params)
    np.testing.assert_array_equal(years, YEARS)
    for k, v in params.items():
        np.testing.assert_array_equal(v, copies[k])


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_unit_scaling_by_kind(name):
    """Multiplying every level and level_rate parameter by 1000 (Gbps -> Mbps) multiplies the
    output by 1000; rates and years are unchanged."""
    family = get_family(name)
    scaled = {}
    for key, value in EXAMPLES[name].items():
        if key in family.param_names and family.spec(key).kind in ("level", "level_rate"):
            scaled[key] = np.asarray(value) * 1000.0
        else:
            scaled[key] = value
    y = family.evaluate(YEARS, base_year=BASE, **EXAMPLES[name])
    np.testing.assert_allclose(
        family.evaluate(YEARS, base_year=BASE, **scaled), 1000.0 * y, rtol=1e-12
    )


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_no_numpy_warnings_on_the_example(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            get_family(name).evaluate(YEARS, base_year=BASE, **ENSEMBLES[name])


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_docstring_documents_every_parameter_with_its_unit(name):
    family = get_family(name)
    doc = type(family).__doc__
    for section in ("Parameters\n", "Notes\n", "Examples\n", ">>> "):
        assert section in doc, section
    lines = doc.splitlines()
    for spec in family.params:
        start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{spec.name} :"))
        indent = len(lines[start]) - len(lines[start].lstrip())
        body = []
        for line in lines[start + 1 :]:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(line)
        assert UNIT_BRACKETS[spec.kind] in " ".join(body), (spec.name, body)
    for option in family.options:
        assert f"{option} :" in doc


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_options_have_a_default_and_reject_other_values(name):
    family = get_family(name)
    for option, allowed in family.options.items():
        assert allowed  # the first is the default
        params = {k: v for k, v in EXAMPLES[name].items() if k != option}
        family.validate(base_year=BASE, **params)
        with pytest.raises(ParameterError) as info:
            family.validate(base_year=BASE, **params, **{option: "nope"})
        assert info.value.param == option
