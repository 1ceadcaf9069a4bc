"""Bounded resources: file size, alias expansion ("billion laughs"), nesting depth, sample
count. Each limit is refused with a one-line error before any work, never by running out of
memory or stack."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from helpers import cli as run_cli

import projection
from projection.engine.sampling import MAX_SAMPLES
from projection.exceptions import ProjectionError, ScenarioError
from projection.scenario.loading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

ROOT = Path(__file__).resolve().parents[1]

LAUGHS = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    + [
        f"{b}: &{b} [*{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}, *{a}]"
        for a, b in zip("abcdefgh", "bcdefghi")
    ]
    + ["name: laughs", "horizon: {start: 2025, end: 2030}", "indicators: {}"]
)


def cli(*args, **kwargs):
    return run_cli(*args, timeout=60, **kwargs)


def _one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in r.stderr, (n, r.stderr)


def test_billion_laughs_is_refused_without_expanding(write):
    """10^9 values after alias expansion: refused after counting MAX_NODES of them, using
    little memory (the aliases are never copied)."""
    path = write("laughs.yaml", LAUGHS)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError, match=f"more than {MAX_NODES} values after expanding"):
            projection.load_scenario(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    _one_line_error(cli("validate", path), "laughs.yaml:", "after expanding aliases")


def test_aliases_within_the_limit_still_work(write, mini):
    """Plain YAML anchors (a shared source string) are fine."""
    import yaml

    text = (
        yaml.safe_dump(mini)
        .replace("source: 'assumption: test'", "source: &src 'assumption: test'", 1)
        .replace("source: 'assumption: test'", "source: *src")
    )
    assert "*src" in text
    assert projection.load_scenario(write("ok.yaml", text)).name == "mini"


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 10_000, 200_000])
def test_deep_flow_nesting_is_refused(write, depth):
    """Deeply nested lists: refused with a message, never a RecursionError."""
    path = write("deep.yaml", "name: x\nhorizon: " + "[" * depth + "]" * depth + "\n")
    if path.stat().st_size > MAX_FILE_BYTES:
        match = "scenario files are limited to"
    else:
        match = f"nested deeper than {MAX_DEPTH} levels"
    with pytest.raises(ScenarioError, match=match) as info:
        projection.load_scenario(path)
    assert info.value.file == str(path)


def test_deep_block_nesting_names_the_line(write):
    lines = ["name: x", "horizon: {start: 2025, end: 2030}", "indicators:"]
    lines += [" " * (2 * i) + f"k{i}:" for i in range(1, MAX_DEPTH + 3)]
    lines[-1] += " 1"
    path = write("deep-block.yaml", "\n".join(lines) + "\n")
    r = cli("validate", path)
    # the first mapping too deep is the one under indicators.k1...k{MAX_DEPTH}: its first key
    _one_line_error(r, f"deep-block.yaml:{3 + MAX_DEPTH + 1}:", f"deeper than {MAX_DEPTH} levels")


def test_deep_toml_is_refused(write):
    path = write("deep.toml", 'name = "x"\nh = ' + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ScenarioError, match="nested deeper than"):
        projection.load_scenario(path)


def test_a_mapping_that_contains_itself_is_refused(mini):
    mini["indicators"]["share"]["params"]["loop"] = mini
    with pytest.raises(ScenarioError, match="nested deeper than"):
        projection.load_scenario(mini)


def test_file_size_limit(write):
    path = write("big.yaml", "name: big\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    r = cli("run", path)
    _one_line_error(r, "big.yaml", f"limited to {MAX_FILE_BYTES} bytes")


@pytest.mark.parametrize("n", ["0", "-5", str(MAX_SAMPLES + 1)])
def test_samples_limit(n):
    r = cli("run", "scenarios/baseline.yaml", "--samples", n)
    _one_line_error(r, "samples")
    with pytest.raises(ProjectionError, match="samples"):
        projection.run("scenarios/baseline.yaml", samples=int(n), seed=1)
