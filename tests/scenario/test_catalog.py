"""Shipped scenarios by name (`projection list`, `projection run NAME`) and `projection init`."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cli

import projection
from projection.exceptions import OutputError, ScenarioError
from projection.scenario.catalog import find, scenario_dir, shipped, starter, write_starter

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_scenarios_are_the_repository_files():
    names = [s.name for s in shipped()]
    assert names == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    for s in shipped():
        assert s.path.read_bytes() == (ROOT / "scenarios" / s.path.name).read_bytes()
        assert s.description
    assert (scenario_dir() / "common" / "base.yaml").is_file()


def test_a_name_loads_the_shipped_scenario_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = projection.load_scenario("paper-targets")
    assert s.name == "paper-targets" and Path(s.file) == find("paper-targets")
    # a file of that name in the working directory wins over the shipped one
    (tmp_path / "paper-targets").write_text((ROOT / "tests/data/bad/misspelt-key.yaml").read_text())
    with pytest.raises(ScenarioError):
        projection.load_scenario("paper-targets")


def test_unknown_name_lists_the_shipped_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="shipped: accelerated, baseline, delayed"):
        projection.load_scenario("paper")
    with pytest.raises(ScenarioError, match="file not found"):  # a path is never a name
        projection.load_scenario("paper.yaml")


def test_cli_list_and_run_by_name_outside_the_repository(tmp_path):
    r = cli("list", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for s in shipped():
        assert s.name in r.stdout
    r = cli("list", "--format", "csv", cwd=tmp_path)
    assert r.stdout.splitlines()[0] == "name,description,file"
    assert len(r.stdout.splitlines()) == 1 + len(shipped())
    r = cli("run", "paper-targets", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "T1" in r.stdout and "ev_sales_share" in r.stdout
    r = cli("run", "nope", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "no shipped scenario of that name" in r.stderr


def test_starter_is_a_valid_runnable_scenario_with_sources(tmp_path):
    path = write_starter("my-case", tmp_path / "my-case.yaml")
    s = projection.load_scenario(path)
    assert s.name == "my-case"
    p = projection.run(s)
    assert p.violations == []  # a starter runs clean
    assert all(row["source"] for row in s.sources())
    text = path.read_text()
    assert text.count("#") > 10  # commented
    assert starter("x").startswith("# x: a starter scenario")


def test_init_refuses_to_overwrite_and_bad_names(tmp_path):
    r = cli("init", "demo", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "demo.yaml").is_file() and "wrote demo.yaml" in r.stdout
    before = (tmp_path / "demo.yaml").read_text()
    r = cli("init", "demo", cwd=tmp_path)
    assert r.returncode == 2 and "already exists (use --force" in r.stderr
    assert (tmp_path / "demo.yaml").read_text() == before
    assert cli("init", "demo", "--force", cwd=tmp_path).returncode == 0
    r = cli("validate", "demo.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for bad in ("../x", ".hidden", "a/b"):
        r = cli("init", bad, cwd=tmp_path)
        assert r.returncode == 2 and "plain word" in r.stderr, bad
    r = cli("init", "x", "-o", tmp_path / "x.txt", cwd=tmp_path)
    assert r.returncode == 2 and "ends in .yaml" in r.stderr
    with pytest.raises(OutputError, match="does not exist"):
        write_starter("x", tmp_path / "missing" / "x.yaml")
