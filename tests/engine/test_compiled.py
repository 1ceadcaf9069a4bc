"""The compiled scenario: one evaluation entry point for any input, fixed or uncertain."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection import ProjectionError, ScenarioError
from projection.engine import compile_scenario

BASELINE = "scenarios/baseline.yaml"
PAPER = "scenarios/paper-targets.yaml"


@pytest.fixture(scope="module")
def baseline():
    return compile_scenario(BASELINE)


def test_every_number_of_the_scenario_is_an_input(baseline):
    """Every parameter, milestone value and milestone year the file writes can be varied, by
    its dotted path; the uncertain ones are those with a distribution, sorted."""
    s = baseline.scenario
    for name, ind in s.indicators.items():
        for pname in ind.params:
            assert f"indicators.{name}.params.{pname}" in baseline.inputs
        for i, _ in enumerate(ind.milestones or []):
            assert f"indicators.{name}.milestones.{i}.value" in baseline.inputs
            assert f"indicators.{name}.milestones.{i}.year" in baseline.inputs
    paths = [u.path for u in baseline.uncertain]
    assert paths == sorted(paths) and all(baseline.inputs[p].uncertain for p in paths)
    assert list(baseline.inputs) == sorted(baseline.inputs)


def test_point_evaluation_is_the_projection(baseline):
    ev = baseline.evaluate()
    p = projection.run(BASELINE)
    assert ev.members == 1
    for name in baseline.order:
        np.testing.assert_array_equal(ev.values[name], p.values[name])


def test_fixed_and_uncertain_inputs_vary_alike(baseline):
    """A fixed parameter (no distribution) can be varied like an uncertain one; only the
    indicators that depend on it get a member axis."""
    rate = "indicators.ev_sales_share.params.rate"  # uncertain
    start = "indicators.ofc_traffic.params.start"  # fixed
    assert baseline.inputs[rate].uncertain and not baseline.inputs[start].uncertain
    ev = baseline.evaluate({rate: [0.35, 0.7], start: [480.0, 600.0]})
    assert ev.values["ev_sales_share"].shape == (2, len(baseline.years))
    assert ev.values["ofc_traffic"].shape == (2, len(baseline.years))
    assert ev.values["solar_capacity"].shape == (len(baseline.years),)
    assert ev.values["ofc_utilisation"].shape == (2, len(baseline.years))  # derived from traffic
    # each member is the scenario with that value set (the slow way: override and run again)
    for k, (r, s0) in enumerate([(0.35, 480.0), (0.7, 600.0)]):
        again = projection.run(baseline.scenario.with_overrides({rate: r, start: s0}, name="again"))
        for name in ("ev_sales_share", "ofc_traffic", "ofc_utilisation"):
            np.testing.assert_array_equal(ev.values[name][k], again.values[name])


def test_values_are_in_the_written_unit_or_canonical(baseline):
    """``written=True`` (default) takes a milestone value in the unit the file writes it in
    (Tbps here), ``written=False`` in the indicator's (Gbps)."""
    path = "indicators.ofc_capacity.milestones.1.value"
    inp = baseline.inputs[path]
    assert inp.unit == "Tbps" and inp.canonical == "Gbps" and inp.factor == 1000.0
    a = baseline.evaluate({path: [5.0]}).values["ofc_capacity"]
    b = baseline.evaluate({path: [5000.0]}, written=False).values["ofc_capacity"]
    np.testing.assert_array_equal(a, b)
    assert a.max() == 5000.0


def test_only_evaluates_what_is_asked_and_its_dependencies(baseline):
    ev = baseline.evaluate(only=["solar_share"])
    assert set(ev.values) == {"solar_share", "solar_capacity", "electricity_demand"}
    with pytest.raises(ProjectionError, match="unknown indicator 'solar_shar', did you mean"):
        baseline.evaluate(only=["solar_shar"])


def test_other_years(baseline):
    ev = baseline.evaluate(years=[2015, 2020, 2025], only=["ev_sales_share"])
    assert ev.values["ev_sales_share"].shape == (3,) and ev.years.tolist() == [2015, 2020, 2025]
    assert ev.values["ev_sales_share"][-1] == 2.0  # anchored at base_year


def test_bad_requests_are_located_errors(baseline):
    with pytest.raises(ScenarioError, match="did you mean 'indicators.ev_sales_share.params.rate'"):
        baseline.evaluate({"indicators.ev_sales_share.params.rte": [0.3]})
    with pytest.raises(ProjectionError, match="has 3 values but"):
        baseline.evaluate(
            {
                "indicators.ev_sales_share.params.rate": [0.3, 0.4],
                "indicators.ev_sales_share.params.start": [1.0, 2.0, 3.0],
            }
        )
    with pytest.raises(ScenarioError) as info:  # a share above 100 %
        baseline.evaluate({"indicators.ev_sales_share.params.ceiling": [150.0]})
    assert info.value.path == "indicators.ev_sales_share.params.ceiling" and info.value.line
    with pytest.raises(ScenarioError, match="an ensemble member is invalid"):  # start > ceiling
        baseline.evaluate({"indicators.ev_sales_share.params.start": [1.0, 70.0]})


def test_a_derived_value_that_cannot_be_computed_names_the_expression(baseline):
    with pytest.raises(ScenarioError, match="division by zero") as info:
        baseline.evaluate({"indicators.ofc_capacity.params.start": [0.0]})
    assert info.value.path == "indicators.ofc_utilisation.expression"


def test_domain_adds_the_cap_at_the_other_values(baseline):
    start = baseline.domain("indicators.ev_sales_share.params.start")
    own = baseline.inputs["indicators.ev_sales_share.params.start"].domain
    assert (own.lower, own.upper) == (0.0, 100.0)
    ceiling = baseline.inputs["indicators.ev_sales_share.params.ceiling"].value
    assert (start.lower, start.upper) == (0.0, ceiling)


def test_a_compiled_scenario_pickles_as_its_scenario(baseline):
    """Workers receive the scenario and compile it once; the copy evaluates the same."""
    again = pickle.loads(pickle.dumps(baseline))
    values = {"indicators.ev_sales_share.params.rate": [0.2, 0.9]}
    a, b = baseline.evaluate(values), again.evaluate(values)
    for name in baseline.order:
        np.testing.assert_array_equal(a.values[name], b.values[name])


def test_run_accepts_a_compiled_scenario(baseline):
    np.testing.assert_array_equal(
        projection.run(baseline).values["solar_share"],
        projection.run(BASELINE).values["solar_share"],
    )


def test_nothing_is_loaded_or_converted_again_when_evaluating(monkeypatch, baseline):
    """The point of compiling: evaluations call neither the loader nor pint."""
    import projection.scenario.validate as validate
    import projection.units as units

    def refuse(*args, **kwargs):
        raise AssertionError("the scenario was worked out again")

    import projection.scenario.loading as loading

    monkeypatch.setattr(validate, "validate_document", refuse)
    monkeypatch.setattr(loading, "load_document", refuse)
    # every unit fact comes from pint through parse_unit and registry() once the remembered
    # answers are forgotten (and the disk cache is off)
    import projection.units_cache as units_cache

    monkeypatch.setenv("PROJECTION_CACHE_DIR", "")
    units_cache.clear_memory()
    units._share_cap.cache_clear()
    monkeypatch.setattr(units, "parse_unit", refuse)
    monkeypatch.setattr(units, "registry", refuse)
    baseline.evaluate({"indicators.ev_sales_share.params.rate": np.linspace(0.1, 1, 50)})
    projection.run(baseline, samples=200, seed=1)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.05, 0.99), min_size=1, max_size=20), st.integers(1, 7))
def test_evaluating_members_together_or_apart_gives_the_same_bits(rates, chunk):
    """Members do not interact: evaluating them in one array or in any chunks gives the same
    values, bit for bit."""
    compiled = compile_scenario(PAPER)
    path = "indicators.ev_sales_share.params.rate"
    whole = compiled.evaluate({path: rates}).full("ev_sales_share")
    parts = [
        compiled.evaluate({path: rates[i : i + chunk]}).full("ev_sales_share")
        for i in range(0, len(rates), chunk)
    ]
    np.testing.assert_array_equal(whole, np.concatenate(parts))
