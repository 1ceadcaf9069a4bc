"""`projection levers` and `--sweep` on `run` and `targets`: tables, files, one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import cli

RATE = "indicators.ev_sales_share.params.rate"


def test_levers_prints_settings_and_the_robust_choice_and_writes_files(tmp_path):
    out, fig, rob = tmp_path / "levers.csv", tmp_path / "levers.png", tmp_path / "rob.svg"
    r = cli(
        "levers",
        "paper-targets",
        "-n",
        "2000",
        "--seed",
        "1",
        "-o",
        out,
        "--plot",
        fig,
        "--robustness-plot",
        rob,
    )
    assert r.returncode == 0, r.stderr
    assert "Levers of paper-targets: 9 settings x 2,000 members each" in r.stdout
    assert "most robust (satisficing): ev_incentives = 0.85" in r.stdout
    frame = pd.read_csv(out)
    assert len(frame) == 9 * 7  # settings x paper-targets' targets
    assert {"ev_incentives", "cable_upgrade", "target", "probability", "regret_max"} <= set(
        frame.columns
    )
    meta = json.loads((tmp_path / "levers.csv.resource.json").read_text())
    assert meta["projection"]["samples"] == 2000
    assert fig.stat().st_size > 0 and rob.read_text().startswith("<?xml")


def test_one_lever_of_the_file_and_json():
    r = cli(
        "levers",
        "paper-targets",
        "--lever",
        "cable_upgrade",
        "-n",
        "100",
        "--seed",
        "1",
        "-f",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {row["cable_upgrade"] for row in rows} == {2027, 2028, 2029}
    assert "ev_incentives" not in rows[0]


def test_targets_sweep_csv_and_a_heat_map(tmp_path):
    fig = tmp_path / "grid.png"
    r = cli(
        "targets",
        "paper-targets",
        "--sweep",
        f"{RATE}=0.5:0.9:3",
        "--sweep",
        "indicators.ev_sales_share.params.ceiling=40:70:4",
        "-f",
        "csv",
        "--plot",
        fig,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("scenario,ev_sales_share.rate,ev_sales_share.ceiling,target")
    assert len(lines) == 1 + 3 * 4 * 7
    assert fig.stat().st_size > 0


def test_run_sweep_prints_the_table():
    r = cli("run", "paper-targets", "--sweep", f"{RATE}=0.5,0.9")
    assert r.returncode == 0, r.stderr
    assert "2 settings x one run at the point values each" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["levers", "paper-targets", "-t", "T9"], "unknown target 'T9'"),
        (["levers", "paper-targets", "--lever", "nope"], "unknown lever 'nope'"),
        (["levers", "paper-targets"], "sets a distribution: give samples"),
        (["levers", "baseline"], "declares no levers"),
        (["run", "paper-targets", "--sweep", f"{RATE}=0.5:0.9:1"], "N must be at least 2"),
        (
            ["targets", "paper-targets", "--sweep", "indicators.ev_sales_share.params.rte=1,2"],
            "did you mean 'rate'",
        ),
        (["targets", "paper-targets", "--plot", "x.png"], "give --sweep"),
        (
            ["run", "paper-targets", "--sweep", f"{RATE}=0.5,0.9", "--years", "2030"],
            "--sweep does not take --years",
        ),
        (
            ["targets", "paper-targets", "--sweep", f"{RATE}=0.5,0.9", "--fail-on-miss"],
            "--sweep does not take --fail-on-miss",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    r = cli(*args)
    assert r.returncode == 2, r.stdout
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
