"""Morris screening (projection.screening) against a published case, and its refusals."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

import projection

pytest.importorskip("SALib")

#: Sobol's G function, a_i as in Campolongo, Cariboni and Saltelli (2007), section 4: the
#: smaller a_i, the more x_i matters; x5-x8 (a = 99) hardly matter at all.
A = [0, 1, 4.5, 9, 99, 99, 99, 99]


def g_function_scenario() -> dict:
    """The G function as a scenario: eight constant indicators x_i whose `start` is
    uniform(0, 1), and a derived indicator prod (|4 x_i - 2| + a_i) / (1 + a_i)."""
    xs = {
        f"x{i + 1}": {
            "model": "linear",
            "unit": "dimensionless",
            "params": {
                "start": {
                    "value": 0.5,
                    "distribution": {"type": "uniform", "lower": 0, "upper": 1},
                    "source": "assumption: the test function's input",
                },
                "slope": {"value": 0, "unit": "1/yr", "source": "definition: constant"},
            },
        }
        for i in range(8)
    }
    terms = [f"(abs(4 * x{i + 1} - 2) + {a}) / (1 + {a})" for i, a in enumerate(A)]
    xs["g"] = {"model": "derived", "unit": "dimensionless", "expression": " * ".join(terms)}
    return {"name": "g-function", "horizon": {"start": 2025, "end": 2026}, "indicators": xs}


def test_morris_ranks_the_g_function_inputs_in_the_published_order():
    """Campolongo et al. (2007) find mu* ordered x1 > x2 > x3 > x4 and x5..x8 negligible
    for this G function; projection's screening on the scenario form of it agrees."""
    m = projection.screening(
        g_function_scenario(), indicator="g", year=2025, trajectories=100, seed=1
    )
    order = [name.split(".")[1] for name in m.ranking()]
    assert order[:4] == ["x1", "x2", "x3", "x4"]
    mu = dict(zip([n.split(".")[1] for n in m.names], m.mu_star[:, 0]))
    assert max(mu[f"x{i}"] for i in range(5, 9)) < 0.05 * mu["x1"]
    frame = m.to_frame()
    assert set(frame.columns) >= {"input", "mu_star", "sigma", "mu", "rank"}
    assert frame.loc[frame["rank"] == 1, "input"].item().endswith("x1.params.start")
    assert m.evaluations == 100 * (8 + 1)
    assert "Morris screening of g" in m.summary()


def test_screening_targets_of_the_paper_scenario():
    m = projection.screening("scenarios/paper-targets.yaml", seed=2, trajectories=20)
    assert set(m.outputs) == set(projection.load_scenario("scenarios/paper-targets.yaml").targets)
    # the 12 Tbps year decides T2d; the EV rate T1
    assert m.ranking("T1")[0].endswith("ev_sales_share.params.rate")
    assert "ofc_capacity.milestones" in m.ranking("T2d")[0]
    assert np.all(m.mu_star >= 0)


def test_screening_refusals(monkeypatch):
    with pytest.raises(projection.ProjectionError, match="levels must be even"):
        projection.screening("scenarios/paper-targets.yaml", target="T1", levels=5)
    with pytest.raises(projection.ProjectionError, match="trajectories must be"):
        projection.screening("scenarios/paper-targets.yaml", target="T1", trajectories=1)
    real_import = builtins.__import__

    def no_salib(name, *args, **kwargs):
        if name.startswith("SALib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_salib)
    with pytest.raises(projection.ProjectionError, match=r"pip install 'projection\[screening\]'"):
        projection.screening("scenarios/paper-targets.yaml", target="T1")


def test_screen_command_prints_the_ranking_and_bad_input_is_one_line(tmp_path):
    from helpers import cli

    r = cli("screen", "scenarios/paper-targets.yaml", "--target", "T1", "-r", "10", "--seed", "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Morris screening of whether each target is met")
    assert "1  indicators.ev_sales_share.params.rate" in lines[2]
    r = cli("screen", "scenarios/paper-targets.yaml", "--levels", "3")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "levels must be even" in r.stderr


def test_screen_plot_writes_a_figure(tmp_path):
    from helpers import cli

    out = tmp_path / "morris.png"
    r = cli(
        "screen", "scenarios/paper-targets.yaml", "-r", "10", "--seed", "1", "--plot", out, "-q"
    )
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    m = projection.screening("scenarios/paper-targets.yaml", trajectories=10, seed=1)
    fig = m.plot()
    assert len(fig.axes) == len(m.outputs)  # one panel per target, the spare cells removed


@pytest.mark.parametrize("analysis", ["sensitivity", "screening"])
def test_correlated_inputs_are_refused_by_both_analyses(analysis):
    """Sobol' and Morris both assume independent inputs: a `correlations` section is refused,
    naming the correlated parameters."""
    s = projection.load_scenario("scenarios/paper-targets.yaml").to_dict()
    pair = ["indicators.ev_sales_share.params.rate", "indicators.ev_sales_share.params.ceiling"]
    s["correlations"] = {
        "parameters": pair,
        "matrix": [[1, 0.3], [0.3, 1]],
        "source": "assumption: t",
    }
    with pytest.raises(projection.ProjectionError, match="assume independent inputs.*params.rate"):
        getattr(projection, analysis)(s, target="T1")
