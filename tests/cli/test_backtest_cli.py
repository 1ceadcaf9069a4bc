"""`projection backtest`: the table from the shell, CSV and JSON, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import cli

ROOT = Path(__file__).resolve().parents[2]
CHINA = ROOT / "data" / "china-nev.yaml"
HISTORY = ROOT / "data" / "china-nev-sales-share.csv"


def backtest(*extra):
    return cli("backtest", CHINA, "-i", "nev_share", "--history", HISTORY, *extra)


def test_backtest_table_csv_and_json():
    r = backtest("--split", "2018,2020", "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert "back-test of nev_share" in r.stdout
    assert "logistic (posterior)" in r.stdout and "coverage over all splits" in r.stdout
    r = backtest("--split", "2020", "--seed", "1", "--format", "csv")
    assert r.returncode == 0, r.stderr
    header = r.stdout.splitlines()[0].split(",")
    assert header[:4] == ["split", "method", "n_fit", "n_held"]
    r = backtest("--split", "2020", "--seed", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert {s["method"] for s in json.loads(r.stdout)["scores"]} == {
        "naive",
        "linear trend",
        "logistic (posterior)",
    }


@pytest.mark.parametrize(
    "split, message",
    [
        ("2024", "split 2024: no observed year after it (the history runs 2015-2024)"),
        ("2016", "split 2016: 2 observed years up to it, at least 3 needed"),
        ("20x", "20x"),
    ],
)
def test_bad_split_is_one_line_exit_2(split, message):
    r = backtest("--split", split)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_backtest_plot_writes_a_figure_and_a_bad_plot_path_is_refused_first(tmp_path):
    out = tmp_path / "bt.png"
    r = backtest("--split", "2018,2020", "--seed", "1", "--plot", out, "-q")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = tmp_path / "bt.bmp"
    r = backtest("--split", "2018", "--plot", bad)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert not bad.exists()


def test_backtest_families_side_by_side_and_a_family_that_does_not_fit():
    r = backtest("--split", "2020", "--seed", "1", "--families", "logistic,gompertz")
    assert r.returncode == 0, r.stderr
    assert "gompertz (posterior)" in r.stdout and "logistic (posterior)" in r.stdout
    r = backtest("--split", "2020", "--families", "bass")
    assert r.returncode == 2 and "unknown parameter 'rate' for bass" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_backtest_report_is_the_scenarios_report_with_the_backtest(tmp_path):
    out = tmp_path / "bt.html"
    r = backtest("--split", "2018,2020", "--seed", "1", "--report", out, "-q")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<section class="backtest"><h2>Back-test of nev_share' in page
    assert page.count('<figure class="backtest"') == 1 and "data:image/png;base64," in page
    assert "logistic (posterior)" in page and "80 % band" in page
    bad = tmp_path / "bt.txt"
    r = backtest("--split", "2018", "--report", bad)
    assert r.returncode == 2 and not bad.exists()
