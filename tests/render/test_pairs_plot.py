"""`compare_with`: an indicator drawn in one panel with another (the fleet beside the sales)."""

from __future__ import annotations

import numpy as np
import pytest

import projection
from projection.render.pairs_plot import pairs, plot_pairs
from projection.render.report import report


def mini(**extra) -> dict:
    src = {"source": "assumption: test"}
    return {
        "name": "m",
        "horizon": {"start": 2025, "end": 2030},
        "indicators": {
            "sales": {
                "unit": "%",
                "model": "linear",
                "params": {"start": {"value": 1, **src}, "slope": {"value": 2, **src}},
            },
            "fleet": {
                "unit": "%",
                "model": "linear",
                "params": {"start": {"value": 0, **src}, "slope": {"value": 0.5, **src}},
                **extra,
            },
            "gw": {
                "unit": "GW",
                "model": "linear",
                "params": {"start": {"value": 1, **src}, "slope": {"value": 1, **src}},
            },
        },
        "targets": {"T": {"indicator": "sales", "year": 2030, "at_least": "10 %", **src}},
    }


def test_the_pair_is_one_panel_with_both_lines_and_the_target():
    p = projection.run(mini(compare_with="sales"))
    assert pairs(p) == [("fleet", "sales")]
    (ax,) = plot_pairs(p).axes
    lines = {line.get_label(): line.get_ydata() for line in ax.lines if line.get_label()[0] != "_"}
    np.testing.assert_array_equal(lines["sales"], p.values["sales"])
    np.testing.assert_array_equal(lines["fleet"], p.values["fleet"])
    assert [a.get_text() for a in ax.texts] == ["T"]


def test_no_pairs_no_figure():
    assert plot_pairs(projection.run(mini())) is None


@pytest.mark.parametrize(
    "other, message",
    [
        ("sale", "unknown indicator 'sale', did you mean 'sales'? to compare fleet with"),
        ("fleet", "unknown indicator 'fleet'"),
        ("gw", "gw is in 'GW', which cannot be drawn on fleet's axis ('%')"),
    ],
)
def test_a_bad_compare_with_is_one_located_line(other, message):
    with pytest.raises(projection.ScenarioError) as err:
        projection.load_scenario(mini(compare_with=other))
    assert err.value.path == "indicators.fleet.compare_with"
    assert message in str(err.value)


def test_the_report_draws_the_shipped_fleet_beside_the_sales():
    page = report(projection.run("scenarios/paper-targets.yaml"))
    assert page.count('<figure class="pairs"') == 1
    assert "ev_fleet_share beside ev_sales_share" in page
