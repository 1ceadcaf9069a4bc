"""Back-testing (projection.backtest): the comparison methods are what they say, the family's
posterior beats them on data from the family, and bad splits are refused plainly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import logistic_priors

import projection
from projection.models import logistic

ROOT = Path(__file__).resolve().parents[2]


def scenario() -> dict:
    return logistic_priors()


def noisy(years, sd=1.0, seed=0, **truth) -> pd.DataFrame:
    truth = {"start": 2.0, "ceiling": 70.0, "rate": 0.5} | truth
    y = logistic.evaluate(np.asarray(years, float), base_year=2010, **truth)
    y = y + sd * np.random.default_rng(seed).standard_normal(len(years))
    return pd.DataFrame({"year": list(years), "value": y})


def test_naive_and_linear_trend_are_what_they_say():
    """On an exact straight line the linear trend is exact and its bands have no width; the
    naive forecast is the last fitted value."""
    years = list(range(2010, 2021))
    line = pd.DataFrame({"year": years, "value": [3.0 + 2.0 * (y - 2010) for y in years]})
    bt = projection.backtest(scenario(), indicator="share", history=line, splits=[2015], seed=1)
    rows = bt.table.set_index("method")
    assert rows.mae["linear trend"] == pytest.approx(0.0, abs=1e-9)
    assert rows.coverage_80["linear trend"] == 1.0
    p = bt.predictions[bt.predictions.method == "naive"]
    assert (p.q50 == 13.0).all()  # 2015's value, carried forward
    assert np.isnan(rows.coverage_80["naive"])
    assert list(p.year) == list(range(2016, 2021))


def test_the_familys_posterior_beats_naive_and_trend_on_its_own_curves():
    h = noisy(range(2010, 2031), sd=1.0, seed=4)
    bt = projection.backtest(scenario(), indicator="share", history=h, splits="2016,2019", seed=2)
    assert bt.splits == (2016, 2019)
    for split, rows in bt.table.groupby("split"):
        mae = rows.set_index("method").mae
        assert mae["logistic (posterior)"] < mae["linear trend"], split
        assert mae["logistic (posterior)"] < mae["naive"], split
    fam = bt.table[bt.table.method == "logistic (posterior)"]
    assert (fam.coverage_80 >= fam.coverage_50).all()
    assert ((fam.coverage_80 >= 0) & (fam.coverage_80 <= 1)).all()
    text = bt.summary()
    assert "coverage over all splits" in text and "logistic (posterior)" in text


def test_a_method_that_cannot_run_is_reported_not_fatal():
    """Exact data of the family make the fitted noise zero: the posterior cannot be weighted,
    and says why in its row; the other methods still score."""
    exact = noisy(range(2010, 2025), sd=0.0)
    bt = projection.backtest(scenario(), indicator="share", history=exact, splits=[2016])
    rows = bt.table.set_index("method")
    assert "effective sample size" in rows.failed["logistic (posterior)"]
    assert rows.failed["naive"] == "" and np.isfinite(rows.mae["linear trend"])
    assert "not run:" in bt.summary()


@pytest.mark.parametrize(
    "splits, message",
    [
        ([2030], r"split 2030: no observed year after it \(the history runs 2010-2020\)"),
        ([2011], r"split 2011: 2 observed years up to it, at least 3 needed"),
        ([], "give at least one year"),
        (["x"], "splits: must be years"),
    ],
)
def test_bad_splits_are_refused_plainly(splits, message):
    with pytest.raises(projection.ProjectionError, match=message):
        projection.backtest(
            scenario(), indicator="share", history=noisy(range(2010, 2021)), splits=splits
        )


def test_the_shipped_china_history_backtest_runs(tmp_path):
    bt = projection.backtest(
        ROOT / "data" / "china-nev.yaml",
        indicator="nev_share",
        history=ROOT / "data" / "china-nev-sales-share.csv",
        splits=[2018, 2020],
        seed=1,
    )
    assert set(bt.table.method) == {"naive", "linear trend", "logistic (posterior)"}
    assert bt.to_dict()["scores"][0]["split"] == 2018


def test_the_shipped_norway_history_backtest_runs():
    bt = projection.backtest(
        ROOT / "data" / "norway-plugin.yaml",
        indicator="plugin_share",
        history=ROOT / "data" / "norway-plugin-sales-share.csv",
        splits="2016,2017",
        seed=1,
    )
    mae = bt.table.set_index(["split", "method"]).mae
    # the straight-line years: the trend beats the logistic from three years of data
    assert mae[(2016, "linear trend")] < mae[(2016, "logistic (posterior)")]


def test_families_are_scored_side_by_side_with_the_same_priors():
    h = noisy(range(2010, 2031), sd=1.0, seed=4)
    bt = projection.backtest(
        scenario(),
        indicator="share",
        history=h,
        splits=[2018],
        families="logistic,gompertz",
        seed=2,
    )
    methods = list(bt.table.method)
    assert methods == ["naive", "linear trend", "logistic (posterior)", "gompertz (posterior)"]
    mae = bt.table.set_index("method").mae
    # the data come from a logistic: the logistic does better than the gompertz
    assert mae["logistic (posterior)"] < mae["gompertz (posterior)"]
    with pytest.raises(projection.ScenarioError, match="unknown parameter '.*' for bass"):
        projection.backtest(
            scenario(), indicator="share", history=h, splits=[2018], families=["bass"]
        )
