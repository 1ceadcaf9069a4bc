"""Scenario discovery (projection.discover): PRIM and CART recover a planted box and leave
the irrelevant inputs alone; the refusals; the command line."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import cli
from hypothesis import example, given, settings
from hypothesis import strategies as st

import projection
from projection.exceptions import ProjectionError

pytest.importorskip("prim")
pytest.importorskip("sklearn")

#: The planted box: the target fails exactly where a < A and b < B.
A, B = 0.3, 0.5


def planted() -> dict:
    """Four uniform(0, 1) inputs a, b, c, d (constant indicators) and a target met where
    max(a - A, b - B) >= 0, i.e. missed exactly in the box a < A and b < B; c and d play
    no part."""
    xs = {
        n: {
            "model": "linear",
            "unit": "dimensionless",
            "params": {
                "start": {
                    "value": 0.5,
                    "distribution": {"type": "uniform", "lower": 0, "upper": 1},
                    "source": "assumption: a test input",
                },
                "slope": {"value": 0, "unit": "1/yr", "source": "definition: constant"},
            },
        }
        for n in "abcd"
    }
    xs["ok"] = {"model": "derived", "unit": "dimensionless", "expression": f"max(a - {A}, b - {B})"}
    return {
        "name": "planted",
        "horizon": {"start": 2025, "end": 2026},
        "indicators": xs,
        "targets": {
            "T": {"indicator": "ok", "year": 2025, "at_least": 0, "source": "assumption: planted"}
        },
    }


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_discovery_recovers_the_planted_box(method):
    """Both methods name a and b with upper bounds at the planted thresholds (within 0.02:
    PRIM peels 5 % slices, CART splits between draws), no lower bounds, and leave c and d
    unrestricted; the box holds nearly every miss and little else."""
    d = projection.discover(planted(), "T", samples=5000, seed=1, method=method)
    assert d.box.restricted == ("a.start", "b.start")
    (lo_a, hi_a), (lo_b, hi_b) = d.box.bounds["a.start"], d.box.bounds["b.start"]
    assert lo_a is None and lo_b is None
    assert hi_a == pytest.approx(A, abs=0.02) and hi_b == pytest.approx(B, abs=0.02)
    assert d.box.coverage >= 0.95 and d.box.density >= 0.95
    assert "T is missed in" in d.sentence() and "a.start <= 0.3" in d.sentence()
    assert "not restricted: c.start, d.start" in d.summary()
    if method == "prim":
        assert max(d.box.quasi_p.values()) < 1e-6
        assert list(d.trajectory.columns) == ["coverage", "density", "mass", "restricted"]
        assert d.trajectory["coverage"].iloc[0] == 1.0  # the trajectory starts from everything
    frame = d.to_frame()
    assert list(frame["input"]) == ["a.start", "b.start"]


def test_discovery_of_where_a_target_is_met():
    d = projection.discover(planted(), "T", samples=3000, seed=2, outcome="met", method="cart")
    assert d.outcome == "met" and d.box.density >= 0.95
    assert set(d.box.restricted) <= {"a.start", "b.start"}


def test_paper_t1_misses_are_explained_by_the_adoption_rate():
    d = projection.discover("scenarios/paper-targets.yaml", "T1", samples=3000, seed=1)
    assert "ev_sales_share.rate" in d.box.restricted
    lo, hi = d.box.bounds["ev_sales_share.rate"]
    assert hi is not None and hi < 0.70  # misses: slower than the rate the target needs
    assert len(d.plot().axes) == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "T9"}, "unknown target 'T9'"),
        ({"method": "tree"}, "unknown method 'tree'"),
        ({"outcome": "late"}, "unknown outcome 'late'"),
        ({"threshold": 1.5}, "threshold must be a density"),
        ({"samples": 5}, "samples"),
    ],
)
def test_bad_discoveries_are_refused(kwargs, message):
    args = {"target": "T", **kwargs}
    with pytest.raises(ProjectionError, match=message):
        projection.discover(planted(), args.pop("target"), **args)


def test_a_target_never_missed_has_nothing_to_discover():
    with pytest.raises(ProjectionError, match="T2a is missed in no member"):
        projection.discover("scenarios/paper-targets.yaml", "T2a", samples=200, seed=1)


def test_discover_command(tmp_path):
    out, fig = tmp_path / "box.csv", tmp_path / "box.png"
    r = cli(
        "discover",
        "paper-targets",
        "-t",
        "T1",
        "-n",
        "2000",
        "--seed",
        "1",
        "-o",
        out,
        "--plot",
        fig,
    )
    assert r.returncode == 0, r.stderr
    assert "T1 is missed in" in r.stdout and "quasi-p" in r.stdout
    frame = pd.read_csv(out)
    assert "ev_sales_share.rate" in set(frame["input"])
    assert fig.stat().st_size > 0
    r = cli(
        "discover",
        "paper-targets",
        "-t",
        "T1",
        "-n",
        "500",
        "--seed",
        "1",
        "-m",
        "cart",
        "-f",
        "json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["method"] == "cart"


@pytest.mark.parametrize(
    "args, message",
    [
        (["-t", "T9"], "unknown target 'T9'"),
        (["-t", "T1", "-m", "box"], "unknown method 'box'"),
    ],
)
def test_discover_bad_input_is_one_line_exit_2(args, message):
    r = cli("discover", "paper-targets", "-n", "300", *args)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_discovery_and_levers_in_the_report(tmp_path):
    """The report shows the box in words with its restrictions and quasi-p-values, and the
    levers' table; with figures, the peeling trajectory and the heat map are embedded."""
    from projection.render.report import report

    d = projection.discover("scenarios/paper-targets.yaml", "T1", samples=1000, seed=1)
    x = projection.explore("scenarios/paper-targets.yaml", samples=300, seed=1)
    run = projection.run("scenarios/paper-targets.yaml")
    page = report(run, figures=False, discoveries=[d], explorations=[x])
    assert '<section class="discovery">' in page and '<section class="levers">' in page
    assert "T1 is missed in" in page and "quasi-p" in page
    assert page.count("<tr>") >= len(x.settings) + len(d.box.restricted)
    assert "most robust (satisficing)" in page
    with_figures = report(run, discoveries=[d], explorations=[x])
    assert with_figures.count('<figure class="discovery"') == 1
    assert with_figures.count('<figure class="levers"') == 1
    assert with_figures.count('<figure class="robustness"') == 1
    out = tmp_path / "r.html"
    r = cli(
        "discover", "paper-targets", "-t", "T1", "-n", "500", "--seed", "1", "--report", out, "-q"
    )
    assert r.returncode == 0, r.stderr
    assert '<section class="discovery">' in out.read_text(encoding="utf-8")
    r = cli("levers", "paper-targets", "-n", "200", "--seed", "1", "--report", tmp_path / "x.txt")
    assert r.returncode == 2 and "html" in r.stderr


def _with_thresholds(a: float, b: float) -> dict:
    data = planted()
    data["indicators"]["ok"]["expression"] = f"max(a - {a}, b - {b})"
    return data


@settings(max_examples=8, deadline=None)
@given(st.floats(0.2, 0.8), st.floats(0.2, 0.8))
@example(0.5, 0.41796875)  # found by a random run: a split between draws leaves one miss out
def test_cart_finds_any_planted_box_at_its_thresholds(a, b):
    """Invariant: when a target is missed exactly where a < A and b < B, the tree's box
    restricts a and b only, from above, at A and B within the spacing of the draws' split
    points (0.02 at 3,000 members), and holds all but a member or two of the misses (a
    split falls between two draws, not on the threshold) and almost nothing else."""
    d = projection.discover(
        _with_thresholds(round(a, 3), round(b, 3)), "T", samples=3000, seed=5, method="cart"
    )
    assert d.box.restricted == ("a.start", "b.start")
    assert d.box.bounds["a.start"][1] == pytest.approx(round(a, 3), abs=0.02)
    assert d.box.bounds["b.start"][1] == pytest.approx(round(b, 3), abs=0.02)
    assert d.box.coverage >= 0.99 and d.box.density >= 0.99
