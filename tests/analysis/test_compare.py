"""Comparing trajectories and diffing assumptions across scenarios."""

from __future__ import annotations

import numpy as np
import pytest

import projection
from projection.analysis.compare import COMPARE_COLUMNS, DIFF_COLUMNS

SHIPPED = [f"scenarios/{n}.yaml" for n in ("baseline", "paper-targets", "accelerated", "delayed")]


def test_compare_differences_against_the_first():
    c = projection.compare(SHIPPED)
    assert tuple(c.columns) == COMPARE_COLUMNS
    assert set(c["scenario"]) == {"baseline", "paper-targets", "accelerated", "delayed"}
    base = c[c.scenario == "baseline"]
    assert (base["difference"] == 0).all()
    ev = c[(c.indicator == "ev_sales_share") & (c.year == 2030)].set_index("scenario")
    b, p = projection.run(SHIPPED[0]), projection.run(SHIPPED[1])
    assert ev.loc["paper-targets", "difference"] == pytest.approx(
        p.value("ev_sales_share", 2030) - b.value("ev_sales_share", 2030)
    )
    assert ev.loc["paper-targets", "relative_difference"] == pytest.approx(
        ev.loc["paper-targets", "difference"] / b.value("ev_sales_share", 2030)
    )


def test_compare_converts_to_the_first_scenarios_unit():
    tbps = projection.load_scenario(SHIPPED[1]).with_overrides(
        {"indicators.ofc_capacity.unit": "Tbps"}
    )
    c = projection.compare([SHIPPED[1], tbps], indicators=["ofc_capacity"], years=[2028, 2032])
    assert set(c["unit"]) == {"Gbps"}
    assert np.allclose(c["difference"], 0.0)
    assert c["value"].tolist() == [4000.0, 12000.0, 4000.0, 12000.0]


def test_compare_unknown_indicator():
    with pytest.raises(projection.ProjectionError, match="unknown indicator 'ev'"):
        projection.compare(SHIPPED[:1], indicators=["ev"])


def test_diff_lists_what_differs_with_sources():
    d = projection.diff(SHIPPED[0], SHIPPED[1])
    assert tuple(d.columns) == DIFF_COLUMNS
    rows = d.set_index("path")
    rate = rows.loc["indicators.ev_sales_share.params.rate"]
    assert rate["change"] == "value" and rate["a"] == "0.35 1/yr" and rate["b"] == "0.7 1/yr"
    assert rate["source_a"].startswith("assumption:") and rate["source_b"].startswith("assumption:")
    assert rows.loc["indicators.ofc_capacity.milestones.2.value", "change"] == "only in b"
    # the same value written with another source is a source change, not a value change
    assert rows.loc["indicators.ofc_capacity.milestones.0.value", "change"] == "source"
    # inherited, identical numbers are not listed
    assert "indicators.solar_capacity.params.start" not in rows.index


def test_diff_compares_numbers_after_unit_conversion():
    s = projection.load_scenario(SHIPPED[0])
    same = s.with_overrides({"indicators.ofc_traffic.params.start": "0.48 Tbps"})
    d = projection.diff(s, same).set_index("path")
    assert d.loc["indicators.ofc_traffic.params.start", "change"] == "source"
    assert projection.diff(s, s).empty
