"""`projection calibrate --posterior`: the priors of a shipped scenario updated with a history,
in plain words, as JSON and CSV; bad input is one line and exit code 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli

from projection.models import logistic

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "scenarios" / "paper-targets.yaml"


@pytest.fixture
def history(tmp_path) -> Path:
    """Nine noisy years of a logistic EV share: 2 % in 2025, rate 0.7/yr, ceiling 60 %."""
    years = np.arange(2025, 2034)
    y = logistic.evaluate(years, base_year=2025, start=2.0, ceiling=60.0, rate=0.7)
    y = y + np.random.default_rng(1).normal(0, 0.5, len(years))
    path = tmp_path / "h.csv"
    pd.DataFrame({"year": years, "value": y.round(3)}).to_csv(path, index=False)
    return path


def posterior_cli(history: Path, *extra):
    return cli(
        "calibrate", PAPER, "-i", "ev_sales_share", "--history", history, "--posterior", *extra
    )


def test_posterior_in_plain_words(history):
    r = posterior_cli(history, "-p", "rate,ceiling", "--seed", "1", "-n", "50000")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "posterior of 2 parameters of ev_sales_share" in out
    assert "effective sample size" in out
    assert "indicators.ev_sales_share.params.rate: updated by the data" in out
    assert "posterior correlations: rate/ceiling" in out


def test_posterior_json_and_csv(history):
    r = posterior_cli(history, "-p", "rate", "--seed", "2", "--noise", "0.5", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["noise"] == "given: normal, sd 0.5 %"
    (row,) = d["parameters"]
    assert row["parameter"] == "indicators.ev_sales_share.params.rate"
    assert row["q05"] < 0.7 < row["q95"] and row["posterior_sd"] < row["prior_sd"]
    r = posterior_cli(history, "-p", "rate", "--seed", "2", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("parameter,unit,prior_mean")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["-p", "rate", "--noise", "abc"], "--noise 'abc': expected numbers"),
        (["-p", "rate", "--noise", "-1"], 'noise: must be "fit" or a number above 0'),
        (["-p", "rat"], "'rat' is not a parameter of ev_sales_share"),
        (["-p", "rate", "-n", "100", "--noise", "0.001"], "effective sample size"),
    ],
)
def test_bad_posterior_input_is_one_line_exit_2(history, extra, message):
    r = posterior_cli(history, *extra)
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_posterior_output_is_a_scenario_that_runs(history, tmp_path):
    out = tmp_path / "fitted.yaml"
    r = posterior_cli(history, "-p", "rate,ceiling", "--seed", "3", "-n", "50000", "--output", out)
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stdout
    text = out.read_text()
    assert "type: empirical" in text and "correlations:" in text
    assert "calibrated: posterior from" in text and "sha256" in text
    r = cli("run", out, "--samples", "2000", "--seed", "1")
    assert r.returncode == 0, r.stderr
    assert "T1" in r.stdout  # the paper's EV target, now with posterior draws


def test_posterior_with_distributions_flag_is_refused(history, tmp_path):
    out = tmp_path / "fitted.yaml"
    r = posterior_cli(history, "-p", "rate", "--output", out, "--distributions")
    assert r.returncode == 2 and "--distributions is for least squares" in r.stderr
    assert not out.exists()


def test_run_predictive_on_a_written_posterior(history, tmp_path):
    out = tmp_path / "fitted.yaml"
    r = posterior_cli(history, "-p", "rate", "--seed", "3", "-n", "20000", "--output", out, "-q")
    assert r.returncode == 0, r.stderr
    assert "observation_noise:" in out.read_text()
    r = cli("run", out, "--samples", "2000", "--seed", "1", "--predictive")
    assert r.returncode == 0, r.stderr
    assert "predictive: ev_sales_share includes observation noise" in r.stdout + r.stderr
    r = cli("run", PAPER, "--samples", "100", "--predictive")
    assert r.returncode == 2 and "has an observation_noise" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
