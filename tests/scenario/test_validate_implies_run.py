"""Validate implies run: what ``load_scenario`` accepts, ``run`` and an ensemble complete.

The shipped scenarios (``scenarios/*.yaml``, ``extends`` resolved) are mutated where numbers
carry units: a unit replaced by a prefixed or scaled variant of the same dimension (``Gbps`` ->
``ybit/Ys``, ``(Gbps) * (Ybit/bit)**4``, ``%`` -> ``%**10``), a value, ``at_least`` or
``at_most`` replaced by an extreme float (near the float maximum, subnormal, zero) or by a
string quantity in such a unit. Whenever :func:`projection.load_scenario` accepts a mutant,
:func:`projection.run` (the deterministic projection), a 50-member ensemble (fixed seed) and the
targets of both must complete without any exception (a ``ProjectionError`` from ``run`` fails
too: whatever ``run`` would refuse about a scenario's own numbers and units, ``validate`` must
refuse first) and without numpy overflow warnings, with a finite projection. A mutant that
``load_scenario`` refuses must be refused with a one-line ``ProjectionError``.

Distributions are mutated too (an end, a mean or a spread, a choice made extreme or moved
past another parameter): ``load_scenario`` evaluates the scenario at the corners of its
distributions (:mod:`projection.engine.probe`), so a member that the ensemble would refuse is
refused by validate first. Two classes of failure that validate used to miss, derived
expressions on the actual values (a capacity of 0 divides by zero) and distributions against
the other parameters (a ceiling drawn below the start), are pinned below with plain numbers.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

import projection
from projection import ProjectionError
from projection.scenario.loading import load_document

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
MERGED = {name: load_document(ROOT / "scenarios" / name).data for name in SHIPPED}

EXTREME = [
    1.7976931348623157e308, -1.7976931348623157e308, 1e308, 1e300, 1.5e150, 1e150, 1e100,
    1e-100, 1e-150, 1e-300, 2.2250738585072014e-308, 1e-320, 5e-324, -5e-324, 0.0, -0.0,
]  # fmt: skip

#: Units of the same dimension as each unit the shipped scenarios use, prefixed or scaled.
VARIANTS = {
    "%": ["ppm", "permille", "", "percent", "%**10", "%**-10", "ppm**5 / ppm**4", "ppm**10"],
    "Gbps": ["bit/s", "kbps", "Tbps", "Pbps", "Ybit/s", "ybit/s", "Ybit/ys", "ybit/Ys"],
    "Tbps": ["Gbps", "kbit/ms", "Ebit/s", "ybit/Ys", "Ybit/ys", "bit/ys"],
    "GW": ["W", "kW", "TW", "yW", "YW", "YW/ys*s", "EJ/ys"],
    "TWh": ["Wh", "kWh", "YWh", "yWh", "EJ", "yJ", "YJ*Ys/s"],
    "1/yr": ["1/s", "1/ys", "1/Ys", "%/yr", "1/Yyr", "1/yyr"],
    "h": ["s", "ys", "Ys", "yr", "Yyr"],
}
#: Scalings that keep any unit's dimension: ``(unit) * factor``, k from -10 to 10.
SCALINGS = ["(Ybit/bit)**{k}", "(ybit/bit)**{k}", "%**{k}", "(Ebit/ybit)**{k}", "ppm**{k}"]
#: The fields whose numbers are in a unit.
VALUE_KEYS = ("value", "at_least", "at_most")


def _leaves(node, path=()):
    """Every (path, value) of a nested mapping/list."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    else:
        yield path, node


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def _set(doc, path, value):
    _get(doc, path[:-1])[path[-1]] = value


@st.composite
def unit_variant(draw, unit: str) -> str:
    """A unit of the same dimension as ``unit``, prefixed or scaled."""
    scaled = [f"({unit or '1'}) * {s}" for s in SCALINGS]
    choice = draw(st.sampled_from([*VARIANTS.get(unit.strip(), []), *scaled]))
    return choice.format(k=draw(st.integers(-10, 10)))


@st.composite
def mutant(draw, name: str) -> dict:
    """The merged scenario ``name`` with 1 to 3 mutations of its units and valued numbers."""
    doc = copy.deepcopy(MERGED[name])
    for _ in range(draw(st.integers(1, 3))):
        leaves = list(_leaves(doc))
        units = [p for p, v in leaves if p and p[-1] == "unit" and isinstance(v, str)]
        numbers = [
            p
            for p, v in leaves
            if p and p[-1] in VALUE_KEYS and isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        dists = [
            p
            for p, v in leaves
            if len(p) > 1
            and p[-2] in ("distribution", "year_distribution")
            and p[-1] in ("lower", "upper", "mean", "sd", "median", "sigma", "mode")
            and isinstance(v, (int, float))
        ] + [
            (*p, i)
            for p, v in leaves
            if p and p[-1] == "values" and isinstance(v, list)
            for i in range(len(v))
        ]
        kind = draw(st.sampled_from(["unit", "number", "quantity", "distribution"]))
        if kind == "unit":
            path = draw(st.sampled_from(units))
            _set(doc, path, draw(unit_variant(_get(doc, path))))
        elif kind == "number" and numbers:
            path = draw(st.sampled_from(numbers))
            old = float(_get(doc, path))
            scaled = [old * 1e150, old * 1e-150, old * 1e300, old * 1e-300]
            _set(doc, path, draw(st.sampled_from(EXTREME + scaled) | st.floats(width=64)))
        elif kind == "distribution" and dists:  # an end, a spread or a choice moved
            path = draw(st.sampled_from(dists))
            old = float(_get(doc, path))
            moved = [old * 10, old / 10, old * 1e150, -old, 0.0, old + 1000, old - 1000]
            _set(doc, path, draw(st.sampled_from(EXTREME + moved)))
        elif kind == "quantity":  # a value as a string quantity, in a variant of its unit
            owners = [p[:-1] for p in units if "value" in _get(doc, p[:-1])]
            if owners:
                parent = _get(doc, draw(st.sampled_from(owners)))
                magnitude = draw(st.sampled_from(EXTREME) | st.just(parent["value"]))
                parent["value"] = f"{magnitude!r} {draw(unit_variant(parent.pop('unit')))}"
    return doc


def note(text: str) -> None:
    if currently_in_test_context():
        event(text)


def validate_then_run(doc: dict) -> str:
    """The invariant for one mutant; returns what happened."""
    try:
        scenario = projection.load_scenario(doc)
    except ProjectionError as err:
        assert str(err).strip() and "\n" not in str(err), repr(str(err))
        return "refused"
    stage = "run"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # numpy overflow: an inf on its way
            result = projection.run(scenario)
            for name, values in result.values.items():
                assert np.all(np.isfinite(values)), name
            projection.evaluate_targets([result])
            stage = "ensemble"
            ensemble = projection.run(scenario, samples=50, seed=12)
            projection.evaluate_targets([ensemble])
    except (ProjectionError, RuntimeWarning) as err:
        raise AssertionError(f"validate accepted it, {stage} failed: {err}") from err
    return "ran"


def _edit(name: str, path: tuple, value) -> dict:
    doc = copy.deepcopy(MERGED[name])
    if path[-1] == "value" and isinstance(value, str):
        _get(doc, path[:-1]).pop("unit", None)  # the string carries its unit
    _set(doc, path, value)
    return doc


CAPACITY = ("indicators", "ofc_capacity")
SHARE = ("indicators", "ev_sales_share")

#: Mutants that crashed validate, or passed it and crashed run, before units were bounded
#: (found by this property and by hand), pinned: each must now be refused by validate.
FOUND = [
    # a share unit whose factor to a ratio underflows to 0 (ZeroDivisionError in share_cap)
    # or overflows (OverflowError in pint)
    ((*SHARE, "unit"), "%**200"),
    ((*SHARE, "unit"), "%**-200"),
    ((*SHARE, "unit"), "(%**10) * %**10 * %**10 * %**10 * %**10 * %**10"),
    # a capacity unit 1e336 times bit/s (ZeroDivisionError in run)
    ((*CAPACITY, "unit"), "(Ybit/ybit)**7*Gbps"),
    ((*CAPACITY, "params", "start", "unit"), "(Ybit/ybit)**7*Gbps"),
    ((*CAPACITY, "unit"), "Tbps*%**-170"),
    # values that overflow or underflow in the indicator's unit
    ((*CAPACITY, "params", "start", "value"), "1e300 Ybit/s"),
    ((*CAPACITY, "params", "start", "value"), "5e-324 ybit/s"),
    ((*CAPACITY, "milestones", 0, "value"), "1e308 Tbps"),
    ((*CAPACITY, "params", "start", "value"), "5 Gbps**9**9**9"),
]


def _with_found(test):
    for path, value in FOUND:
        test = example(doc=_edit("paper-targets.yaml", path, value))(test)
    return test


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(doc=st.sampled_from(SHIPPED).flatmap(mutant))
@_with_found
def test_a_mutant_that_validates_runs(doc):
    """Invariant: a shipped scenario with rescaled units or extreme values is either refused by
    ``load_scenario`` with a one-line ProjectionError, or ``run``, a 50-member ensemble and the
    targets all complete, without an exception or a numpy overflow warning, and the projection
    is finite."""
    note(validate_then_run(doc))


@pytest.mark.parametrize("path, value", FOUND)
def test_found_cases_are_refused_by_validate(path, value):
    """The pinned mutants are refused by ``load_scenario`` itself, not by ``run``."""
    assert validate_then_run(_edit("paper-targets.yaml", path, value)) == "refused"


# ------------------------------------------- what validate used to miss, with plain numbers

GAPS = [
    # derived expressions on the values: ofc_utilisation divides by zero, or
    # (a capacity of 2.2e-308 Tbps) overflows, or its ensemble mean does
    ("baseline.yaml", (*CAPACITY, "params", "start", "value"), 0),
    ("accelerated.yaml", (*CAPACITY, "milestones", 0, "value"), 2.2250738585072014e-308),
    # a distribution against the other parameters:
    # members with a ceiling below the start
    ("baseline.yaml", ("indicators", "solar_capacity", "params", "ceiling", "distribution"),
     {"type": "uniform", "lower": 10, "upper": 200}),
    # ... against MAX_ABS (1e150) when the domain has no bound of its own
    ("baseline.yaml", ("indicators", "solar_capacity", "params", "ceiling", "distribution"),
     {"type": "uniform", "lower": 100, "upper": 2e152}),
    # a truncnormal so far in its tail, or so narrow, that its draws are nan (found by the
    # property with random seeds)
    ("baseline.yaml", (*SHARE, "params", "rate", "distribution"),
     {"type": "truncnormal", "mean": 1e300, "sd": 0.1, "lower": 0.1, "upper": 0.8}),
    ("baseline.yaml", (*SHARE, "params", "rate", "distribution"),
     {"type": "truncnormal", "mean": 1.7976931348623157e308, "sd": 1.7976931348623157e308,
      "lower": 0.1, "upper": 0.8}),
    # ... a milestone's year choices against the next milestone
    ("baseline.yaml", (*CAPACITY, "milestones", 0, "year_distribution"),
     {"type": "choice", "values": [2026, 2027, 3000]}),
]  # fmt: skip


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name, path, value", GAPS)
def test_what_run_refuses_validate_refuses_first(name, path, value):
    """Each case, with no unit involved: run (or the ensemble) would refuse it, so
    ``load_scenario`` refuses it, with one line at the field concerned."""
    doc = copy.deepcopy(MERGED[name])
    _set(doc, path, value)
    with pytest.raises(ProjectionError) as info:
        projection.load_scenario(doc)
    assert "\n" not in str(info.value) and info.value.path.startswith("indicators.")
