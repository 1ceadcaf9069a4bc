"""`projection run --indicators`: a subset of the table and the figure; the file keeps all."""

from __future__ import annotations

import pandas as pd
from helpers import cli


def test_only_the_chosen_rows_are_printed_and_the_file_keeps_every_indicator(tmp_path):
    out = tmp_path / "all.csv"
    r = cli(
        "run",
        "paper-targets",
        "-i",
        "ev_sales_share,ev_fleet_share",
        "--years",
        "2025,2030",
        "-o",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.startswith("│")]
    assert [line.split("│")[1].strip() for line in rows] == ["ev_fleet_share", "ev_sales_share"]
    assert "T1" in r.stdout  # the targets are still all stated
    frame = pd.read_csv(out)
    assert {"car_fleet", "ofc_capacity", "ev_fleet_share"} <= set(frame["indicator"])


def test_an_unknown_indicator_is_one_line_with_a_suggestion_and_nothing_is_written(tmp_path):
    out = tmp_path / "x.csv"
    r = cli("run", "paper-targets", "-i", "ev_fleet_shar", "-o", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'ev_fleet_share'" in lines[0]
    assert not out.exists()


def test_a_sweep_refuses_indicators():
    r = cli("run", "paper-targets", "-i", "ev_sales_share", "--sweep", "levers.x=1,2")
    assert r.returncode == 2 and "--indicators" in r.stderr
