"""The command line, through its real entry point (the installed `projection` script when
present, else `python -m projection`): exit codes, one-line errors, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def counts(name: str) -> tuple[int, int]:
    """The number of indicators and of targets of a shipped scenario."""
    import projection

    s = projection.load_scenario(SCENARIOS / f"{name}.yaml")
    return len(s.indicators), len(s.targets)


def test_run_paper_targets_prints_targets_with_units():
    r = cli("run", "scenarios/paper-targets.yaml")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "ev_sales_share" in out and "ofc_capacity" in out
    assert "%" in out and "Gbps" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("T")}
    assert set(rows) == {"T1", "T2a", "T2b", "T2c", "T2d", "T3", "T4"}
    for tid, cells in rows.items():  # T3 (a range) the paper's T2 cannot carry: see base.yaml
        assert ("missed" in cells) == (tid == "T3"), (tid, cells)
    assert rows["T3"][3:7] == ["10", "%", "to", "15"]
    assert rows["T1"][1:5] == ["ev_sales_share", "2030", ">=", "30"]
    assert rows["T2d"][1:6] == ["ofc_capacity", "2032", ">=", "12,000", "Gbps"]


def test_run_all_shipped_to_csv(tmp_path):
    out = tmp_path / "out.csv"
    r = cli("run", *SHIPPED, "--output", out)
    assert r.returncode == 0, r.stderr
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["scenario", "indicator", "year", "value", "unit"]
    assert set(frame["scenario"]) == {"baseline", "paper-targets", "accelerated", "delayed"}
    # one row per scenario, indicator and year
    assert not frame.duplicated(["scenario", "indicator", "year"]).any()
    per = frame.groupby("scenario").size()
    assert (per == per.iloc[0]).all()


@pytest.mark.parametrize("ext", [".json", ".parquet"])
def test_other_output_formats_hold_the_same_frame(tmp_path, ext):
    csv, other = tmp_path / "a.csv", tmp_path / f"a{ext}"
    assert cli("run", SCENARIOS / "baseline.yaml", "-o", csv, "-q").returncode == 0
    r = cli("run", SCENARIOS / "baseline.yaml", "-o", other, "-q")
    assert r.returncode == 0, r.stderr
    expected = pd.read_csv(csv)
    got = pd.read_parquet(other) if ext == ".parquet" else pd.read_json(other)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected, check_dtype=False, check_categorical=False
    )


def test_set_moves_the_result(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    base = SCENARIOS / "baseline.yaml"
    assert cli("run", base, "-o", a, "-q").returncode == 0
    r = cli("run", base, "--set", "indicators.ev_sales_share.params.rate=0.9", "-o", b, "-q")
    assert r.returncode == 0, r.stderr
    fa, fb = pd.read_csv(a), pd.read_csv(b)
    sel = lambda f: f[(f.indicator == "ev_sales_share") & (f.year == 2030)]["value"].item()  # noqa: E731
    assert sel(fb) > sel(fa)
    moved = {"ev_sales_share", "ev_sales", "ev_fleet", "ev_fleet_share"}  # and what follows it
    other = lambda f: f[~f.indicator.isin(moved)]["value"].to_numpy()  # noqa: E731
    fleet = lambda f: f[(f.indicator == "ev_fleet_share") & (f.year == 2030)]["value"].item()  # noqa: E731
    assert fleet(fb) > fleet(fa)
    assert (other(fa) == other(fb)).all()


def test_validate_ok_and_counts_assumptions():
    r = cli("validate", *SHIPPED)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("ok:") == len(SHIPPED)
    # counted by kind of source, and the kinds add up to the numbers
    import re

    for line in r.stdout.splitlines():
        total, kinds = re.search(r"(\d+) numbers: (.*)$", line).groups()
        counts = {k: int(n) for n, k in (part.split() for part in kinds.split(", "))}
        assert sum(counts.values()) == int(total), line
        assert {"paper", "assumption"} <= set(counts), line


BAD = {
    "misspelt.yaml": (
        "name: m\nhorizon: {start: 2025, end: 2030}\nindicators:\n  x:\n    unit: GW\n    model: linear\n"
        "    params:\n      start: {value: 1, source: 'assumption: t'}\n      slpoe: {value: 1, source: 'assumption: t'}\n",
        ":9:7: indicators.x.params.slpoe: unknown parameter 'slpoe' for linear, did you mean 'slope'?",
    ),
    "unit.yaml": (
        "name: u\nhorizon: {start: 2025, end: 2030}\nindicators:\n  x:\n    unit: '%'\n    model: linear\n"
        "    params:\n      start: {value: 4, unit: Tbps, source: 'assumption: t'}\n      slope: {value: 1, source: 'assumption: t'}\n",
        ":8:7: indicators.x.params.start: unit 'Tbps' does not fit",
    ),
    "extends.yaml": (
        "extends: missing-base.yaml\nname: e\n",
        ":1:1: extends: `extends` file 'missing-base.yaml' does not exist",
    ),
    "syntax.yaml": ("name: [unclosed\n", "YAML:"),
}


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_file_gives_one_line_and_exit_2(tmp_path, name, command):
    text, expected = BAD[name]
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "out.csv"
    args = [command, path] + (["-o", out] if command == "run" else [])
    r = cli(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"error: {path}")
    assert expected in lines[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_bad_second_file_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\n")
    out = tmp_path / "out.csv"
    r = cli("run", SCENARIOS / "baseline.yaml", bad, "-o", out)
    assert r.returncode == 2 and not out.exists()
    assert list(tmp_path.iterdir()) == [bad]  # no temporary file left behind either


def test_existing_output_survives_a_failed_run(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\n")
    assert cli("run", bad, "-o", out).returncode == 2
    assert out.read_text() == "old\n"


def test_bad_set_and_bad_output_extension(tmp_path):
    r = cli("run", SCENARIOS / "baseline.yaml", "--set", "indicators.nope.params.rate=1")
    assert (
        r.returncode == 2
        and r.stderr.startswith("error:")
        and len(r.stderr.strip().splitlines()) == 1
    )
    r = cli("run", SCENARIOS / "baseline.yaml", "-o", tmp_path / "out.xyz")
    assert r.returncode == 2 and "unknown output format" in r.stderr


def test_debug_shows_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\n")
    r = cli("--debug", "validate", bad)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_version():
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("projection ")


# ------------------------------------------------------------------ targets, solve, check, ...


def test_targets_table_shows_each_target_per_scenario():
    r = cli("targets", *SHIPPED)
    assert r.returncode == 0, r.stderr
    for name in ("baseline", "paper-targets", "accelerated", "delayed"):
        assert name in r.stdout
    assert "not reached within horizon" in r.stdout  # baseline never gets the 12 Tbps cable
    assert "warning: baseline violates 1 constraint: traffic_within_capacity" in r.stderr


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_targets_machine_formats(fmt):
    r = cli(
        "targets", SCENARIOS / "paper-targets.yaml", SCENARIOS / "baseline.yaml", "--format", fmt
    )
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        import io

        frame = pd.read_csv(io.StringIO(r.stdout))
    else:
        frame = pd.DataFrame(json.loads(r.stdout))
    assert len(frame) == counts("paper-targets")[1] + counts("baseline")[1]
    t1 = frame[(frame.scenario == "paper-targets") & (frame.target == "T1")].iloc[0]
    assert t1["status"] == "met" and t1["required"] == 30.0 and int(t1["first_year"]) == 2030


def test_fail_on_miss_exit_codes():
    # paper-targets misses T3 alone; with China's traffic small enough the cable carries it
    assert cli("targets", SCENARIOS / "paper-targets.yaml", "--fail-on-miss").returncode == 1
    small = "indicators.china_international_traffic.params.start=11.5"
    r = cli("targets", SCENARIOS / "paper-targets.yaml", "--set", small, "--fail-on-miss")
    assert r.returncode == 0, r.stdout
    assert cli("targets", SCENARIOS / "baseline.yaml", "--fail-on-miss").returncode == 1


def test_solve_prints_the_rate_the_2030_target_needs():
    r = cli(
        "solve",
        SCENARIOS / "baseline.yaml",
        "--target",
        "T1",
        "--param",
        "indicators.ev_sales_share.params.rate",
    )
    assert r.returncode == 0, r.stderr
    assert "T1 is met exactly at indicators.ev_sales_share.params.rate = 0.673459 1/yr" in r.stdout
    r = cli(
        "solve",
        SCENARIOS / "baseline.yaml",
        "-t",
        "T1",
        "-p",
        "indicators.ev_sales_share.params.rate",
        "--format",
        "json",
    )
    assert json.loads(r.stdout)["value"] == pytest.approx(0.6734591659972947, rel=1e-9)


def test_solve_without_a_solution_exits_1_and_says_so():
    r = cli(
        "solve",
        SCENARIOS / "baseline.yaml",
        "-t",
        "T1",
        "-p",
        "indicators.ev_sales_share.params.ceiling",
    )
    assert r.returncode == 1 and r.stdout.startswith("no value of")


def test_solve_bad_input_exits_2():
    r = cli(
        "solve",
        SCENARIOS / "baseline.yaml",
        "-t",
        "T9",
        "-p",
        "indicators.ev_sales_share.params.rate",
    )
    assert r.returncode == 2 and r.stderr.startswith("error:") and "unknown target 'T9'" in r.stderr
    r = cli(
        "solve",
        SCENARIOS / "baseline.yaml",
        "-t",
        "T1",
        "-p",
        "indicators.ev_sales_share.params.rate",
        "--bounds",
        "x",
    )
    assert r.returncode == 2 and "--bounds" in r.stderr


def test_check_reports_traffic_above_capacity(tmp_path):
    r = cli("check", SCENARIOS / "baseline.yaml")
    assert r.returncode == 1
    assert "traffic_within_capacity: ofc_traffic <= ofc_capacity" in r.stdout
    assert "2025-2026, 2029" in r.stdout and "-136.2 Gbps" in r.stdout
    clean = tmp_path / "clean.yaml"
    clean.write_text(
        "extends: " + str(SCENARIOS / "baseline.yaml") + "\n"
        "name: clean\n"
        "constraints:\n  traffic_within_capacity:\n    expression: ofc_traffic <= 10 * ofc_capacity\n"
        "    source: 'definition: test'\n"
    )
    r = cli("check", clean)
    assert r.returncode == 0 and "ok: clean: all 3 constraints hold" in r.stdout
    r = cli("check", SCENARIOS / "baseline.yaml", "--format", "csv")
    assert (
        r.stdout.splitlines()[0]
        == "scenario,constraint,expression,year,lhs,rhs,margin,unit,source,share"
    )


def test_compare_prints_differences_and_writes_outputs(tmp_path):
    out = tmp_path / "cmp.csv"
    r = cli("compare", *SHIPPED, "--indicator", "ev_sales_share", "--years", "2025,2030", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "differences against accelerated" in r.stdout  # the first file given
    assert "ofc_capacity" not in r.stdout
    frame = pd.read_csv(out)
    assert set(frame.indicator) == {"ev_sales_share"} and len(frame) == 4 * 16


def test_compare_unknown_indicator_and_year():
    r = cli("compare", SCENARIOS / "baseline.yaml", "--indicator", "ev")
    assert r.returncode == 2 and "unknown indicator 'ev'" in r.stderr
    r = cli("compare", SCENARIOS / "baseline.yaml", "--years", "2050")
    assert r.returncode == 2 and "2050 is not a projected year" in r.stderr


def test_diff_lists_parameters_with_sources():
    r = cli("diff", SCENARIOS / "baseline.yaml", SCENARIOS / "paper-targets.yaml")
    assert r.returncode == 0, r.stderr
    assert "indicators.ev_sales_share.params.rate" in r.stdout and "0.35 1/yr" in r.stdout
    assert "12 differences between baseline (a) and paper-targets (b)" in r.stdout
    # distributions are compared too (issue 14: prior against posterior)
    assert "indicators.ev_sales_share.params.rate.distribution" in r.stdout
    r = cli("diff", SCENARIOS / "baseline.yaml", SCENARIOS / "baseline.yaml")
    assert "do not differ" in r.stdout


# ------------------------------------------------------------------------------ ensembles


def test_ensemble_run_is_identical_when_repeated(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    args = ["run", SCENARIOS / "paper-targets.yaml", "--samples", "2000", "--seed", "1"]
    r1 = cli(*args, "-o", a)
    r2 = cli(*args, "-o", b)
    assert r1.returncode == 0, r1.stderr
    assert a.read_bytes() == b.read_bytes()
    # the output's path and its metadata sidecar's name are the only differences
    assert r1.stdout.replace(str(a), "OUT").replace(a.name, "OUT") == r2.stdout.replace(
        str(b), "OUT"
    ).replace(b.name, "OUT")
    assert "quantile" in r1.stdout and "0.05" in r1.stdout and "0.95" in r1.stdout
    frame = pd.read_csv(a)
    assert list(frame.columns) == ["scenario", "indicator", "year", "quantile", "value", "unit"]
    assert sorted(frame["quantile"].unique()) == [0.05, 0.5, 0.95]


def test_ensemble_keep_samples_and_quantiles(tmp_path):
    out = tmp_path / "m.parquet"
    r = cli(
        "run",
        SCENARIOS / "baseline.yaml",
        "-n",
        "50",
        "--seed",
        "2",
        "--quantiles",
        "0.1,0.9",
        "--keep-samples",
        "-o",
        out,
        "-q",
    )
    assert r.returncode == 0, r.stderr
    frame = pd.read_parquet(out)
    assert frame["sample"].notna().sum() == 50 * 16 * counts("baseline")[0]
    assert sorted(frame["quantile"].dropna().unique()) == [0.1, 0.9]


def test_targets_with_samples_prints_a_probability_for_every_target():
    r = cli(
        "targets",
        SCENARIOS / "baseline.yaml",
        "--samples",
        "2000",
        "--seed",
        "1",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == counts("baseline")[1]
    for row in rows:
        assert 0.0 <= row["probability"] <= 1.0 and row["probability_se"] >= 0.0
    table = cli("targets", SCENARIOS / "baseline.yaml", "--samples", "2000", "--seed", "1")
    assert "P(met)" in table.stdout
    # a standard error where some members meet the target and some do not; the 95 % bound
    # 3/n where all or none do
    uncertain = sum(0 < row["probability"] < 1 for row in rows)
    assert table.stdout.count(" ± ") == uncertain
    assert (
        table.stdout.count("(> 0.998)") + table.stdout.count("(< 0.002)") == len(rows) - uncertain
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["--samples", "0"], "samples must be"),
        (["--samples", "10", "--sampler", "halton"], "'halton' is not one of 'lhs', 'sobol', 'mc'"),
        (["--samples", "10", "--quantiles", "0.5,2"], "quantiles must be"),
    ],
)
def test_bad_ensemble_options_exit_2(args, message):
    r = cli("run", SCENARIOS / "baseline.yaml", *args)
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------- calibrate, sensitivity


def test_calibrate_writes_a_scenario_that_run_accepts(tmp_path):
    out = tmp_path / "fitted.yaml"
    r = cli(
        "calibrate",
        SCENARIOS / "baseline.yaml",
        "--indicator",
        "ev_sales_share",
        "--history",
        ROOT / "data" / "china-nev-sales-share.csv",
        "--params",
        "start,rate,ceiling",
        "--output",
        out,
        "--distributions",
    )
    assert r.returncode == 0, r.stderr
    assert "ceiling is not identifiable" in r.stdout
    text = out.read_text()
    assert "calibrated to china-nev-sales-share.csv, years 2015-2024" in text
    r = cli("run", out, "--samples", "200", "--seed", "1", "-q")
    assert r.returncode == 0, r.stderr


def test_calibrate_bad_history_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "h.csv"
    bad.write_text("year,value\n2020,1\n2020,2\n2021,x\n")
    out = tmp_path / "fitted.yaml"
    r = cli(
        "calibrate",
        SCENARIOS / "baseline.yaml",
        "-i",
        "ev_sales_share",
        "--history",
        bad,
        "-p",
        "rate",
        "-o",
        out,
    )
    assert (
        r.returncode == 2
        and r.stderr.startswith(f"error: {bad}")
        and len(r.stderr.strip().splitlines()) == 1
    )
    assert not out.exists()


def test_sensitivity_ranks_the_uncertain_parameters():
    r = cli(
        "sensitivity",
        SCENARIOS / "paper-targets.yaml",
        "--indicator",
        "ev_sales_share",
        "--years",
        "2030",
        "--seed",
        "1",
    )
    assert r.returncode == 0, r.stderr
    ranked = [line.split() for line in r.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert ranked[0][1] == "indicators.ev_sales_share.params.rate"
    r = cli(
        "sensitivity",
        SCENARIOS / "paper-targets.yaml",
        "--target",
        "T1",
        "--seed",
        "1",
        "--format",
        "json",
    )
    rows = json.loads(r.stdout)
    assert {row["parameter"] for row in rows} >= {"indicators.ev_sales_share.params.rate"}
    r = cli(
        "sensitivity",
        SCENARIOS / "paper-targets.yaml",
        "--indicator",
        "ev_sales_share",
        "--years",
        "2025:2030",
        "--samples",
        "256",
        "--format",
        "csv",
    )
    assert r.returncode == 0 and r.stdout.startswith("output,parameter,first_order")


def test_sensitivity_bad_requests_exit_2():
    r = cli(
        "sensitivity",
        SCENARIOS / "paper-targets.yaml",
        "--indicator",
        "ev_sales_share",
        "--years",
        "2030",
        "--samples",
        "1000",
    )
    assert r.returncode == 2 and "power of two" in r.stderr
    r = cli("sensitivity", SCENARIOS / "paper-targets.yaml", "--target", "T9")
    assert r.returncode == 2 and "T9" in r.stderr


def test_compare_ensembles_draws_fan_charts(tmp_path):
    png = tmp_path / "fan.png"
    r = cli(
        "compare",
        SCENARIOS / "baseline.yaml",
        SCENARIOS / "paper-targets.yaml",
        "--indicator",
        "ev_sales_share",
        "--years",
        "2025,2030",
        "--samples",
        "256",
        "--seed",
        "1",
        "--plot",
        png,
    )
    assert r.returncode == 0, r.stderr
    assert "medians of ensembles" in r.stdout and "│ paper-targets" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_workers_option_gives_the_same_output(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    args = ["run", SCENARIOS / "baseline.yaml", "--samples", "140000", "--seed", "4", "-q"]
    assert cli(*args, "--workers", "1", "-o", a).returncode == 0
    r = cli(*args, "--workers", "2", "-o", b)
    assert r.returncode == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()


def test_unreachable_scheduler_is_one_line_exit_2():
    r = cli(
        "run", SCENARIOS / "baseline.yaml", "--samples", "10", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("error: --scheduler tcp://127.0.0.1:9: cannot connect")
