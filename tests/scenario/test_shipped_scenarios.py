"""The shipped scenarios: they validate, every number carries its source, paper citations
point at lines of the paper that hold the number, and the paper-targets scenario meets the
paper's targets while the baseline shows the gaps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import projection
from projection.scenario import source_kind

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
ALL_FILES = SHIPPED + sorted((SCENARIOS / "common").glob("*.yaml"))
PAPER = ROOT.parent / "shared" / "seeds" / "000_f991e0431bbd75f5.txt"
CITATION = re.compile(r"^paper, [^,]+(, [^,]+)*, line (\d+)")


def sourced_items(scenario):
    """(path, source, value) for every number of a scenario."""
    return [(r["path"], r["source"], r["value"]) for r in scenario.sources()]


def test_sources_cover_every_number():
    s = projection.load_scenario(SCENARIOS / "paper-targets.yaml")
    paths = {r["path"] for r in s.sources()}
    n_params = sum(len(i.params) for i in s.indicators.values())
    n_milestones = sum(len(i.milestones or []) for i in s.indicators.values())
    n_bounds = sum(len(t.bounds) for t in s.targets.values())  # a range target has two
    assert n_bounds == len(s.targets) + 1  # T3
    assert len(paths) == n_params + 2 * n_milestones + n_bounds + len(s.levers)
    assert {"targets.T3.at_least", "targets.T3.at_most"} <= paths
    assert "indicators.ofc_capacity.milestones.2.year" in paths
    assert {f"levers.{name}" for name in s.levers} <= paths


def test_the_four_scenarios_are_shipped():
    assert {p.stem for p in SHIPPED} == {"baseline", "paper-targets", "accelerated", "delayed"}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_number_has_a_paper_citation_or_a_reasoned_assumption(path):
    scenario = projection.load_scenario(path)
    for where, source, _ in sourced_items(scenario):
        kind = source_kind(source)
        assert kind in ("paper", "assumption", "definition"), f"{path.name}: {where}: {source!r}"
        if kind == "paper":
            assert CITATION.match(source), (
                f"{where}: citation must read 'paper, <section>, line N': {source!r}"
            )
        if kind == "assumption":
            reason = source.split(":", 1)[1].strip() if ":" in source else ""
            assert len(reason) >= 15, f"{where}: an assumption needs a reason: {source!r}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_years_the_paper_does_not_give_are_marked(path):
    """The 1 Tbps phase and the 12 Tbps cable have no year in the paper: their year sources
    must be assumptions, never the paper."""
    scenario = projection.load_scenario(path)
    for m in scenario.indicators["ofc_capacity"].milestones:
        value = projection.units.conversion_factor(m.unit or "Gbps", "Gbps") * float(
            m.quantity()[0]
        )
        if value in (1000.0, 12000.0):
            assert m.year_source and source_kind(m.year_source) == "assumption", (path.name, m)


@pytest.mark.skipif(
    not PAPER.exists(), reason="the seed paper (../shared) is not beside this checkout"
)
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_paper_citations_point_at_lines_holding_the_number(path):
    lines = PAPER.read_text(encoding="utf-8").splitlines()
    scenario = projection.load_scenario(path)
    for where, source, value in sourced_items(scenario):
        m = CITATION.match(source)
        if not m or where.endswith(".year"):
            continue
        line = lines[int(m.group(2)) - 1]
        number = (
            projection.units.parse_quantity(value)[0] if isinstance(value, str) else float(value)
        )
        text = f"{number:g}"
        written = {text, f"{number:,.0f}"} if number == int(number) else {text}  # 300,000
        assert any(t in line for t in written), (
            f"{path.name}: {where}: {text} not on paper line {m.group(2)}"
        )


def test_paper_targets_meets_the_paper_and_baseline_misses_ev():
    paper = projection.run(SCENARIOS / "paper-targets.yaml")
    assert paper.value("ev_sales_share", 2030) >= 30.0
    cap = paper["ofc_capacity"]
    assert cap[2026] >= 450 and cap[2028] >= 4000 and cap.max() >= 12000
    assert (cap >= 1000).any()
    baseline = projection.run(SCENARIOS / "baseline.yaml")
    assert baseline.value("ev_sales_share", 2030) < 30.0


def test_scenarios_are_ordered_as_named():
    """accelerated >= paper-targets >= baseline >= delayed for the EV share in every year."""
    runs = {
        n: projection.run(SCENARIOS / f"{n}.yaml")["ev_sales_share"]
        for n in ("accelerated", "paper-targets", "baseline", "delayed")
    }
    years = runs["baseline"].index[1:]
    assert (runs["accelerated"][years] >= runs["paper-targets"][years]).all()
    assert (runs["paper-targets"][years] > runs["baseline"][years]).all()
    assert (runs["baseline"][years] > runs["delayed"][years]).all()


def test_paper_inconsistency_is_visible():
    """The paper's 480 Gbps of traffic exceeds its 450 Gbps capacity: utilisation > 100 % in
    2025, reported in the run's notes rather than clipped away."""
    p = projection.run(SCENARIOS / "baseline.yaml")
    assert p.value("ofc_utilisation", 2025) == pytest.approx(480 / 450 * 100)
    assert any("ofc_utilisation" in n for n in p.notes)


def test_solar_share_starts_near_the_papers_25_percent():
    p = projection.run(SCENARIOS / "baseline.yaml")
    assert 20 <= p.value("solar_share", 2025) <= 30
