"""Results: a point projection and an ensemble behind one interface, and the notes and warnings
they carry (one computation, per-year shares, one wording)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import projection
from projection import Ensemble, Projection, ProjectionError, Result

PAPER = "scenarios/paper-targets.yaml"


@pytest.fixture(scope="module")
def point():
    return projection.run(PAPER)


@pytest.fixture(scope="module")
def ensemble():
    return projection.run(PAPER, samples=1000, seed=1)


INTERFACE = [
    "central",
    "bands",
    "quantiles",
    "samples",
    "seed",
    "sampler",
    "point",
    "notes",
    "violations",
    "name",
    "scenario",
    "years",
    "units",
    "indicators",
]


def test_both_kinds_share_the_interface(point, ensemble):
    assert isinstance(point, Result) and isinstance(point, Projection)
    assert isinstance(ensemble, Result) and isinstance(ensemble, Ensemble)
    for r in (point, ensemble):
        for name in INTERFACE:
            getattr(r, name)
        assert set(r.central) == set(r.indicators) == set(r.units)
        assert all(v.shape == r.years.shape for v in r.central.values())
        assert isinstance(r.value("ev_sales_share", 2030), float)
        assert isinstance(r.table(), pd.DataFrame)
        assert isinstance(r.to_frame(), pd.DataFrame)
        n = len(r.scenario.targets)
        assert isinstance(r.targets(), pd.DataFrame) and len(r.targets()) == n == 7
        assert isinstance(r.check_constraints(), pd.DataFrame)
        assert isinstance(r.warnings(), list)
        assert isinstance(r.to_iamc(), pd.DataFrame)
        assert "<table" in r._repr_html_()


def test_what_differs_is_data(point, ensemble):
    assert point.bands == {} and point.quantiles == () and point.samples == 0
    assert point.point is point and point.seed is None and point.sampler is None
    assert ensemble.samples == 1000 and ensemble.seed == 1 and ensemble.sampler == "lhs"
    assert ensemble.central is ensemble.median
    assert set(ensemble.bands) == set(ensemble.indicators)
    # an ensemble carries its point projection: nothing needs to run the engine again for it
    np.testing.assert_array_equal(
        ensemble.point.values["ev_sales_share"], point.values["ev_sales_share"]
    )


def test_table_refuses_a_year_off_the_grid():
    """A 2027 on a five-year grid is refused, not answered with 2030's value. (The shipped
    paper-targets sums flows into stocks, which a five-year grid refuses: the frozen copy
    without them, tests/data/frozen, has every other kind of indicator.)"""
    frozen = "tests/data/frozen/paper-targets.yaml"
    s = projection.load_scenario(frozen).with_overrides(
        {"horizon.step": 5, "report_years": [2025, 2030], "targets": {}}, name="five"
    )
    for r in (projection.run(s), projection.run(s, samples=50, seed=1)):
        with pytest.raises(
            ProjectionError, match=r"2027 is not a projected year of 'five' \(2025..2040 step 5\)"
        ):
            r.table([2027])
        with pytest.raises(ProjectionError, match="2027 is not a projected year"):
            r.value("ev_sales_share", 2027)
        assert list(r.table([2025, 2030]).columns) == ["unit", 2025, 2030]


def test_an_ensemble_table_has_a_row_per_quantile(ensemble):
    table = ensemble.table([2030])
    assert table.index.names == ["indicator", "quantile"]
    low, mid, high = table.loc["ev_sales_share", 2030]
    assert low <= mid <= high


def test_constraint_checks_of_an_ensemble_give_the_share_per_year(ensemble):
    frame = projection.check_constraints(ensemble)
    assert list(frame.columns)[-1] == "share"
    traffic = frame[frame["constraint"] == "traffic_within_capacity"].set_index("year")
    share = ensemble.violation_share["traffic_within_capacity"]
    for year, row in traffic.iterrows():
        assert row["share"] == pytest.approx(share[ensemble.column(year)])
        assert row["margin"] < 0
    # years with no failing member are not listed
    assert set(traffic.index) == {int(y) for y in ensemble.years[share > 0]}
    point_rows = projection.check_constraints(ensemble.point)
    assert (point_rows["share"] == 1.0).all()


def _years_and_shares(text: str) -> dict[int, str]:
    """``2025 (100 % of members), 2027-2028 (50 %)`` -> {2025: '100 %', 2027: '50 %', 2028: ...}."""
    out = {}
    for span, share in re.findall(r"(\d{4}(?:-\d{4})?) \(([^)]*?%)", text):
        a, _, b = span.partition("-")
        for y in range(int(a), int(b or a) + 1):
            out[y] = share
    return out


def test_notes_and_warnings_about_one_condition_agree(ensemble):
    """``ofc_utilisation > 100 %`` and ``ofc_traffic <= ofc_capacity`` are one condition: the
    note and the constraint warning give the same years with the same share of members, and
    both match the members themselves."""
    (note,) = [n for n in ensemble.notes if n.startswith("ofc_utilisation:")]
    (v,) = [v for v in ensemble.violations if v.constraint == "traffic_within_capacity"]
    assert _years_and_shares(note) == _years_and_shares(v.failing_years())
    # against the members
    e = projection.run(PAPER, samples=1000, seed=1, keep_samples=True)
    above = (e.members["ofc_utilisation"] > 100.0).mean(axis=0)
    shown = _years_and_shares(note)
    assert set(shown) == {int(y) for y in e.years[above > 0]}
    for year, share in shown.items():
        assert share == f"{100 * above[e.column(year)]:.3g} %"


def test_solar_note_and_warning_agree(ensemble):
    """The note on solar_share above 100 % and the solar_within_demand warning count the same
    members (one tolerance)."""
    (note,) = [n for n in ensemble.notes if n.startswith("solar_share:")]
    (v,) = [v for v in ensemble.violations if v.constraint == "solar_within_demand"]
    assert note.split(" in ", 1)[1].split(" (a derived")[0] == v.failing_years()


def test_a_point_projection_notes_years_without_shares(point):
    (note,) = point.notes
    assert note == (
        "ofc_utilisation: above 100 % in 2025, 2027 (a derived value: its inputs disagree "
        "there; not clipped)"
    )
    (warning,) = point.warnings()
    assert warning.startswith("paper-targets violates 1 constraint: traffic_within_capacity")
    assert "fails in 2025, 2027; worst margin -30 Gbps in 2025" in warning


def test_clipping_is_counted_per_year_in_an_ensemble():
    mapping = {
        "name": "clip",
        "horizon": {"start": 2025, "end": 2030},
        "indicators": {
            "s": {
                "unit": "%",
                "model": "linear",
                "params": {
                    "start": {"value": 90, "unit": "%", "source": "assumption: t"},
                    "slope": {
                        "value": 4,
                        "unit": "%/yr",
                        "source": "assumption: t",
                        "distribution": {"type": "uniform", "lower": 0, "upper": 8},
                    },
                },
            }
        },
    }
    e = projection.run(mapping, samples=400, seed=3, keep_samples=True)
    (note,) = e.notes[-1:]
    assert note.startswith("s: trajectory above 100 % in ") and note.endswith("clipped to 100 %")
    assert e.members["s"].max() == 100.0
    # the count per year matches the unclipped values: 90 + slope * d > 100
    slopes = e.draws["indicators.s.params.slope"]
    shown = _years_and_shares(note)
    for year in range(2026, 2031):
        share = float(np.mean(90 + slopes * (year - 2025) > 100))
        if share:
            assert year in shown
