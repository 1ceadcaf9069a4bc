"""IAMC exports: the layout, the values, the metadata, reading back, and pyam loading them."""

from __future__ import annotations

import gc
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli

import projection
from projection.exceptions import ScenarioError
from projection.io.iamc import IAMC_COLUMNS, percentile_name, read_iamc, to_iamc, write_iamc
from projection.io.metadata import run_metadata, scenario_hash
from projection.io.sidecar import sidecar_path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def shipped_runs():
    return [projection.run(p) for p in SHIPPED]


def test_layout_and_values_match_the_projection(shipped_runs):
    frame = to_iamc(shipped_runs)
    assert list(frame.columns[:5]) == list(IAMC_COLUMNS)
    assert all(isinstance(c, int) for c in frame.columns[5:])
    assert not frame.duplicated(["scenario", "variable"]).any()
    for p in shipped_runs:
        rows = frame[frame["scenario"] == p.name]
        assert len(rows) == len(p.values)
        assert set(rows["region"]) == {p.scenario.region}
        for name, values in p.values.items():
            ind = p.scenario.indicators[name]
            row = rows[rows["variable"] == (ind.variable or name)]
            assert row["unit"].item() == ind.unit
            np.testing.assert_array_equal(row[list(map(int, p.years))].to_numpy()[0], values)


def test_variable_defaults_to_the_indicator_key(mini):
    p = projection.run(mini)
    frame = p.to_iamc()
    assert set(frame["variable"]) == {"share", "cap"}
    assert set(frame["region"]) == {"World"}
    assert frame["model"].iloc[0] == f"projection {projection.__version__}"


def test_ensemble_rows_are_the_mean_and_each_band():
    e = projection.run(SHIPPED[0], samples=64, seed=2, quantiles=[0.1, 0.5, 0.9])
    frame = e.to_iamc()
    years = list(map(int, e.years))
    ind = e.scenario.indicators["ev_sales_share"]
    base = ind.variable
    got = frame.set_index("variable")
    np.testing.assert_array_equal(
        got.loc[f"{base}|Mean", years].to_numpy(float), e.mean["ev_sales_share"]
    )
    for k, q in enumerate(e.quantiles):
        np.testing.assert_array_equal(
            got.loc[f"{base}|{percentile_name(q)}", years].to_numpy(float),
            e.bands["ev_sales_share"][k],
        )
    assert len(frame) == len(e.bands) * (1 + len(e.quantiles))


@pytest.mark.parametrize(
    "q, name",
    [
        (0.05, "5th Percentile"),
        (0.5, "50th Percentile"),
        (0.01, "1st Percentile"),
        (0.02, "2nd Percentile"),
        (0.03, "3rd Percentile"),
        (0.11, "11th Percentile"),
        (0.975, "97.5th Percentile"),
        (0.21, "21st Percentile"),
    ],
)
def test_percentile_names_follow_ar6(q, name):
    assert percentile_name(q) == name


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_write_and_read_back(tmp_path, shipped_runs, ext):
    out = write_iamc(shipped_runs, tmp_path / f"r{ext}")
    long = read_iamc(out)
    wide = to_iamc(shipped_runs)
    expected = wide.melt(id_vars=list(IAMC_COLUMNS), var_name="year", value_name="value")
    merged = long.merge(expected, on=["scenario", "variable", "year"], suffixes=("", "_x"))
    assert len(merged) == len(expected) == len(long)
    np.testing.assert_allclose(merged["value"], merged["value_x"], rtol=1e-15)


def test_csv_is_plain_with_the_metadata_in_a_sidecar(tmp_path, shipped_runs):
    out = write_iamc(shipped_runs[:1], tmp_path / "r.csv")
    assert out.read_text().startswith("model,scenario,region,variable,unit,2025,")
    assert "#" not in out.read_text()
    wide = pd.read_csv(out)  # no extra arguments
    assert list(wide.columns[:5]) == list(IAMC_COLUMNS) and len(wide) == len(shipped_runs[0].values)
    meta = json.loads(sidecar_path(out).read_text())["projection"]
    assert meta["projection_version"] == projection.__version__
    assert meta["scenarios"][0]["sha256"] == scenario_hash(shipped_runs[0].scenario)


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_read_iamc_gives_back_the_metadata(tmp_path, ext):
    e = projection.run(SHIPPED[0], samples=32, seed=5)
    out = write_iamc([e], tmp_path / f"r{ext}")
    meta = read_iamc(out).attrs["metadata"]
    expected = run_metadata([e])
    if ext == ".csv":  # the sidecar holds the metadata as written
        assert meta == expected
    else:  # the meta sheet: one row per scenario
        assert meta == {k: expected[k] for k in ("projection_version", "scenarios")}


def test_read_iamc_still_reads_files_with_comment_lines(tmp_path, shipped_runs):
    """An IAMC CSV written before the sidecar (metadata as leading ``# key: value`` lines)
    reads back with its values and its metadata."""
    meta = run_metadata(shipped_runs[:2])
    lines = [
        f"# {k}: {v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))}"
        for k, v in meta.items()
    ]
    old = tmp_path / "old.csv"
    old.write_text("\n".join(lines) + "\n" + to_iamc(shipped_runs[:2]).to_csv(index=False))
    long = read_iamc(old)
    assert long.attrs["metadata"] == meta
    fresh = read_iamc(write_iamc(shipped_runs[:2], tmp_path / "new.csv"))
    pd.testing.assert_frame_equal(long, fresh)


def test_read_iamc_of_a_file_from_another_tool_has_no_metadata(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Model,Scenario,Region,Variable,Unit,2020\nm,s#1,r,v,u,1.5\n")
    long = read_iamc(path)
    assert long.attrs["metadata"] == {}
    assert long["scenario"].tolist() == ["s#1"] and long["value"].tolist() == [1.5]


def test_xlsx_meta_sheet_has_one_row_per_scenario(tmp_path):
    e = projection.run(SHIPPED[0], samples=32, seed=5)
    out = write_iamc([e], tmp_path / "r.xlsx")
    meta = pd.read_excel(out, sheet_name="meta")
    assert meta.loc[0, "scenario"] == e.name
    assert (meta.loc[0, "seed"], meta.loc[0, "sampler"], meta.loc[0, "samples"]) == (5, "lhs", 32)
    assert meta.loc[0, "scenario_sha256"] == scenario_hash(e.scenario)


@pytest.mark.parametrize(
    "text, message",
    [
        ("model,scenario,region,variable,2025\nm,s,r,v,1\n", "missing column(s) unit"),
        ("model,scenario,region,variable,unit,total\nm,s,r,v,u,1\n", "'total' is not a year"),
        ("model,scenario,region,variable,unit,2025\nm,s,r,v,u,abc\n", "'abc' is not a number"),
    ],
)
def test_read_iamc_errors_name_the_file_and_problem(tmp_path, text, message):
    path = tmp_path / "h.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        read_iamc(path)
    assert message in str(info.value) and str(path) in str(info.value)
    with pytest.raises(ScenarioError, match="no such file"):
        read_iamc(tmp_path / "missing.csv")


def test_cli_format_iamc_checks_before_running(tmp_path):
    r = cli("run", SHIPPED[0], "--layout", "iamc")
    assert r.returncode == 2 and "--layout iamc: give the file to write with --output" in r.stderr
    r = cli("run", SHIPPED[0], "--layout", "iamc", "-o", tmp_path / "r.parquet")
    assert r.returncode == 2 and "unknown IAMC format '.parquet'" in r.stderr
    assert not (tmp_path / "r.parquet").exists()
    r = cli("run", SHIPPED[0], "--layout", "wide", "-o", tmp_path / "r.csv")
    assert r.returncode == 2 and "'wide' is not one of 'tidy', 'iamc'" in r.stderr


def _pyam():
    with warnings.catch_warnings():  # pyam's own imports warn (ixmp4, starlette, jwt)
        warnings.simplefilter("ignore")
        return pytest.importorskip("pyam", reason="pyam is optional: pip install '.[pyam]'")


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_pyam_loads_the_export_of_the_four_shipped_scenarios(tmp_path, shipped_runs, ext):
    """The issue's acceptance test: pyam reads the CLI's IAMC file with the right values."""
    pyam = _pyam()
    out = tmp_path / f"results{ext}"
    r = cli("run", *SHIPPED, "--output", out, "--layout", "iamc", "-q")
    assert r.returncode == 0, r.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pyam.IamDataFrame(out)  # no extra arguments
        if ext == ".xlsx":
            gc.collect()  # pyam leaves the .xlsx it opened unclosed: collect it while ignoring
    assert set(df.scenario) == {p.name for p in shipped_runs}
    assert set(df.region) == {"Pakistan"}
    data = df.data
    for p in shipped_runs:
        for name, values in p.values.items():
            variable = p.scenario.indicators[name].variable
            got = data[(data["scenario"] == p.name) & (data["variable"] == variable)]
            got = got.sort_values("year")
            assert list(got["year"]) == list(map(int, p.years))
            assert set(got["unit"]) == {p.scenario.indicators[name].unit}
            np.testing.assert_allclose(got["value"].to_numpy(), values, rtol=1e-12)
    if ext == ".xlsx":  # the meta sheet becomes pyam's meta indicators
        meta = df.meta.reset_index().set_index("scenario")
        for p in shipped_runs:
            assert meta.loc[p.name, "scenario_sha256"] == scenario_hash(p.scenario)
            assert meta.loc[p.name, "samples"] == 0


def test_pyam_loads_an_ensemble_export_with_no_arguments(tmp_path):
    """``projection run ... -n 200 --seed 1 --layout iamc -o results.csv``: pyam reads the
    plain CSV as it is, mean and percentile rows included."""
    pyam = _pyam()
    out = tmp_path / "results.csv"
    paper = ROOT / "scenarios" / "paper-targets.yaml"
    r = cli("run", paper, "-n", "200", "--seed", "1", "--layout", "iamc", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pyam.IamDataFrame(out)
    e = projection.run(paper, samples=200, seed=1)
    assert set(df.scenario) == {"paper-targets"}
    data = df.data
    got = data[data["variable"] == "Transport|EV Sales Share|50th Percentile"].sort_values("year")
    np.testing.assert_allclose(got["value"].to_numpy(), e.bands["ev_sales_share"][1], rtol=1e-12)
    indicators = len(projection.load_scenario(paper).indicators)
    assert len(df.variable) == indicators * 4  # |Mean and three percentiles per indicator


# ------------------------------------------------------------------ IAMC history for calibrate


def test_history_from_iamc_selects_one_series(tmp_path, shipped_runs):
    from projection.io.iamc import history_from_iamc

    out = write_iamc(shipped_runs, tmp_path / "h.csv")
    by_name = {p.name: p for p in shipped_runs}
    h = history_from_iamc(out, "Transport|EV Sales Share", scenario="delayed", region="Pakistan")
    np.testing.assert_array_equal(h["value"], by_name["delayed"].values["ev_sales_share"])
    assert set(h["unit"]) == {"%"} and "scenario delayed" in h.attrs["source"]
    with pytest.raises(ScenarioError, match="4 series of 'Transport|EV Sales Share'"):
        history_from_iamc(out, "Transport|EV Sales Share")
    with pytest.raises(ScenarioError, match="no variable 'EV'.*Transport\\|EV Sales Share"):
        history_from_iamc(out, "EV")
    with pytest.raises(ScenarioError, match="has no region 'World' \\(it has: Pakistan\\)"):
        history_from_iamc(out, "Transport|EV Sales Share", region="World")


def test_calibrate_recovers_a_rate_from_an_iamc_file(tmp_path):
    """Fit the baseline's EV rate to the trajectory of a scenario exported as IAMC: the fit
    finds the exporting scenario's rate, and the history's source names the series."""
    truth = projection.load_scenario(SHIPPED[0]).with_overrides(
        {"indicators.ev_sales_share.params.rate": 0.55, "name": "truth"}
    )
    out = write_iamc([projection.run(truth)], tmp_path / "h.xlsx")
    r = cli(
        "calibrate",
        SHIPPED[0],
        "-i",
        "ev_sales_share",
        "--history",
        out,
        "--variable",
        "Transport|EV Sales Share",
        "-p",
        "rate",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    import json

    fit = json.loads(r.stdout)
    rate = next(p for p in fit["params"] if p["param"] == "rate")
    assert rate["estimate"] == pytest.approx(0.55, rel=1e-6)
    assert "variable Transport|EV Sales Share" in fit["history_source"]
    # a whole IAMC file given as a plain history: told how to pick a series
    r = cli("calibrate", SHIPPED[0], "-i", "ev_sales_share", "--history", out, "-p", "rate")
    assert r.returncode == 2 and "--variable" in r.stderr and r.stderr.count("\n") == 1
