"""Calibration: fitting growth parameters to an observed history (projection.calibrate)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import projection
from projection.analysis.calibrate import calibrate, read_history
from projection.exceptions import ParameterError, ScenarioError
from projection.models import get_family, logistic

ROOT = Path(__file__).resolve().parents[2]
CHINA = ROOT / "data" / "china-nev-sales-share.csv"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def mapping(model: str, unit: str, init: dict, *, base_year: int = 2025) -> dict:
    """A one-indicator scenario ``x`` whose parameters start at ``init``."""
    params = {k: {"value": v, "source": "assumption: test"} for k, v in init.items()}
    return {
        "name": "synthetic",
        "horizon": {"start": base_year, "end": base_year + 10},
        "indicators": {"x": {"unit": unit, "model": model, "params": params}},
    }


def history(years, values) -> pd.DataFrame:
    return pd.DataFrame({"year": np.asarray(years), "value": np.asarray(values, dtype=float)})


# ------------------------------------------------------------------ noise-free recovery

CASES = {
    "logistic": (
        "%",
        dict(start=5.0, ceiling=70.0, rate=0.45),
        dict(start=2, ceiling=50, rate=0.3),
    ),
    "gompertz": (
        "GW",
        dict(start=39.0, ceiling=150.0, rate=0.31),
        dict(start=20, ceiling=300, rate=0.2),
    ),
    "bass": (
        "%",
        dict(start=2.0, market=80.0, p=0.01, q=0.4),
        dict(start=1, market=50, p=0.03, q=0.3),
    ),
    "exponential": ("TWh", dict(start=140.0, rate=0.03), dict(start=100, rate=0.1)),
    "exponential-ceiling": (
        "Gbps",
        dict(start=480.0, rate=0.2, ceiling=4000.0),
        dict(start=300, rate=0.1, ceiling=8000),
    ),
    # a capacity is never negative, and the engine clips it at 0 as calibration does: the
    # line stays above 0 over the observed years (300 - 16.5 * 17 = 19.5 GW in 2008)
    "linear": ("GW", dict(start=300.0, slope=16.5), dict(start=100, slope=5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_noise_free_data_recover_the_parameters(case):
    unit, truth, init = CASES[case]
    model = case.split("-")[0]
    years = np.arange(2008, 2041)  # both sides of base_year 2025
    values = get_family(model).evaluate(years, base_year=2025, **truth)
    cal = calibrate(
        mapping(model, unit, init),
        indicator="x",
        history=history(years, values),
        params=list(truth),
    )
    for name, value in truth.items():
        assert cal.estimates[name] == pytest.approx(value, rel=1e-6), name
        assert cal.identifiable[name], (name, cal.warnings)
        low, high = cal.intervals[name]
        assert low <= cal.estimates[name] <= high
    assert cal.rmse < 1e-6 * np.abs(values).max()
    assert cal.r_squared == pytest.approx(1.0, abs=1e-10)
    assert cal.warnings == []
    assert cal.n == years.size and cal.years == (2008, 2040)


def test_history_entirely_before_base_year_is_extrapolated_backwards():
    truth = dict(start=55.0, ceiling=60.0, rate=0.6)  # base 2025, history 2008-2024
    years = np.arange(2008, 2025)
    values = logistic.evaluate(years, base_year=2025, **truth)
    cal = calibrate(
        mapping("logistic", "%", dict(start=2, ceiling=80, rate=0.3)),
        indicator="x",
        history=history(years, values),
        params=["start", "ceiling", "rate"],
    )
    assert cal.base_year == 2025
    for name, value in truth.items():
        assert cal.estimates[name] == pytest.approx(value, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    ceiling=st.floats(10.0, 100.0),
    fraction=st.floats(0.01, 0.3),
    rate=st.floats(0.2, 1.5),
)
def test_logistic_recovery_property(ceiling, fraction, rate):
    start = fraction * ceiling
    midpoint = 2020 + math.log(ceiling / start - 1.0) / rate  # the inflection year
    years = np.arange(2015, math.ceil(midpoint + 3.0 / rate) + 4)
    values = logistic.evaluate(years, base_year=2020, start=start, ceiling=ceiling, rate=rate)
    cal = calibrate(
        mapping("logistic", "%", dict(start=5, ceiling=50, rate=0.4), base_year=2020),
        indicator="x",
        history=history(years, values),
        params=["start", "ceiling", "rate"],
    )
    assert cal.estimates["start"] == pytest.approx(start, rel=1e-6)
    assert cal.estimates["ceiling"] == pytest.approx(ceiling, rel=1e-6)
    assert cal.estimates["rate"] == pytest.approx(rate, rel=1e-6)


def test_parameters_not_fitted_stay_fixed_and_start_is_flagged():
    truth = dict(start=5.0, ceiling=70.0, rate=0.45)
    years = np.arange(2015, 2041)
    values = logistic.evaluate(years, base_year=2025, **truth)
    cal = calibrate(
        mapping("logistic", "%", dict(start=5.0, ceiling=70.0, rate=0.2)),
        indicator="x",
        history=history(years, values),
        params=["rate"],
    )
    assert cal.estimates["rate"] == pytest.approx(0.45, rel=1e-6)
    assert cal.params == ("rate",)
    assert any(w.startswith("start is not fitted") for w in cal.warnings)


def test_a_wrong_fixed_start_shows_as_a_poor_fit():
    # Pakistan's assumed 2 % in 2025 forced onto China's history: nothing fits
    cal = calibrate(BASELINE, indicator="ev_sales_share", history=CHINA, params=["rate", "ceiling"])
    assert cal.r_squared < 0.5
    assert any("explains little of the history" in w for w in cal.warnings)
    assert any(w.startswith("start is not fitted: the curve is anchored") for w in cal.warnings)


# ----------------------------------------------------------------- intervals and noise


def test_confidence_intervals_cover_the_truth_at_about_the_nominal_rate():
    truth = dict(start=10.0, ceiling=60.0, rate=0.5)
    years = np.arange(2015, 2036)  # the whole S-curve: 10 % -> 59.8 %
    clean = logistic.evaluate(years, base_year=2020, **truth)
    scen = projection.load_scenario(
        mapping("logistic", "%", dict(start=8, ceiling=50, rate=0.4), base_year=2020)
    )
    runs, covered, identified = 200, 0, 0
    for seed in range(runs):
        noisy = clean + np.random.default_rng(seed).normal(0.0, 1.5, years.size)
        cal = calibrate(
            scen, indicator="x", history=history(years, noisy), params=["start", "ceiling", "rate"]
        )
        low, high = cal.intervals["rate"]
        covered += low <= truth["rate"] <= high
        identified += cal.identifiable["rate"]
    assert 0.88 <= covered / runs <= 0.99
    assert identified == runs


def test_interval_is_estimate_plus_minus_t_standard_errors_for_a_linear_model():
    # linear least squares: the Wald interval is exact, check it against a direct computation
    # (a capacity above 0 in every year, where the engine's clipping at 0 never acts)
    years = np.arange(2000, 2012)
    rng = np.random.default_rng(7)
    values = 8.0 + 0.5 * (years - 2010) + rng.normal(0, 0.2, years.size)
    cal = calibrate(
        mapping("linear", "GW", dict(start=1, slope=1), base_year=2010),
        indicator="x",
        history=history(years, values),
        params=["start", "slope"],
        confidence=0.9,
    )
    X = np.column_stack([np.ones(years.size), years - 2010.0])
    beta, ssr, *_ = np.linalg.lstsq(X, values, rcond=None)
    cov = ssr[0] / (years.size - 2) * np.linalg.inv(X.T @ X)
    t = stats.t.ppf(0.95, years.size - 2)
    for k, name in enumerate(["start", "slope"]):
        se = math.sqrt(cov[k, k])
        assert cal.estimates[name] == pytest.approx(beta[k], rel=1e-8)
        assert cal.std_errors[name] == pytest.approx(se, rel=1e-5)
        assert cal.intervals[name][0] == pytest.approx(beta[k] - t * se, rel=1e-5)
        assert cal.intervals[name][1] == pytest.approx(beta[k] + t * se, rel=1e-5)


@pytest.mark.parametrize("seed", range(20))
def test_early_years_never_give_a_tight_ceiling(seed):
    truth = dict(start=1.0, ceiling=60.0, rate=0.5)
    years = np.arange(2015, 2021)  # 1 % -> 10 %: the early, near-exponential part
    clean = logistic.evaluate(years, base_year=2015, **truth)
    noisy = clean * np.exp(np.random.default_rng(seed).normal(0.0, 0.05, years.size))
    cal = calibrate(
        mapping("logistic", "%", dict(start=2, ceiling=50, rate=0.4), base_year=2015),
        indicator="x",
        history=history(years, noisy),
        params=["start", "ceiling", "rate"],
    )
    assert not cal.identifiable["ceiling"]
    assert any(w.startswith("ceiling is not identifiable") for w in cal.warnings)
    low, high = cal.intervals["ceiling"]
    assert high == 100.0  # the data cannot exclude any higher ceiling
    assert high - low >= 50.0
    assert low <= truth["ceiling"] <= high
    assert "ceiling" not in _distributions(cal)


@pytest.mark.parametrize("last, past", [(2025, 2), (2026, 3)])
def test_a_ceiling_needs_observations_beyond_the_inflection(last, past):
    """Exact data, so every interval would be tight: the ceiling still counts as identified
    only once three observations lie beyond the inflection (here 30 %, reached in 2023.2)."""
    truth = dict(start=1.0, ceiling=60.0, rate=0.5)
    years = np.arange(2015, last + 1)
    values = logistic.evaluate(years, base_year=2015, **truth)
    assert int(np.sum(values >= 30.0)) == past
    cal = calibrate(
        mapping("logistic", "%", dict(start=2, ceiling=50, rate=0.4), base_year=2015),
        indicator="x",
        history=history(years, values),
        params=["start", "ceiling", "rate"],
    )
    assert cal.estimates["ceiling"] == pytest.approx(60.0, rel=1e-6)
    if past < 3:
        assert not cal.identifiable["ceiling"]
        assert cal.intervals["ceiling"][1] == 100.0
        assert any(
            f"only {past} of the {years.size} observations lie beyond the inflection" in w
            for w in cal.warnings
        )
    else:
        assert cal.identifiable["ceiling"]
        assert cal.intervals["ceiling"] == pytest.approx((60.0, 60.0), rel=1e-6)
        assert cal.warnings == []


def test_china_history_rate_is_identified_and_ceiling_is_not():
    early = calibrate(
        BASELINE,
        indicator="ev_sales_share",
        history=CHINA,
        params=["start", "rate", "ceiling"],
        years=(2015, 2020),
    )
    full = calibrate(
        BASELINE, indicator="ev_sales_share", history=CHINA, params=["start", "rate", "ceiling"]
    )
    assert (early.n, early.years) == (6, (2015, 2020))
    assert (full.n, full.years) == (10, (2015, 2024))
    for cal in (early, full):
        assert cal.identifiable["rate"]
        assert not cal.identifiable["ceiling"]
        assert cal.intervals["ceiling"][1] == 100.0
        assert any("usually not identifiable" in w for w in cal.warnings)
    # the six early years put the "ceiling" at about 6 %, just above their last value, and
    # would have predicted China at that level in 2025; it was 40.9 % in 2024
    assert early.estimates["ceiling"] < 10
    assert not early.identifiable["start"]
    # more years narrow the rate's interval
    width = {
        k: c.intervals["rate"][1] - c.intervals["rate"][0] for k, c in (("e", early), ("f", full))
    }
    assert width["f"] < 0.6 * width["e"]
    assert 0.4 < full.estimates["rate"] < 1.0


def test_user_bounds_are_respected_and_an_estimate_on_them_is_not_identifiable():
    truth = dict(start=10.0, ceiling=60.0, rate=0.5)
    years = np.arange(2015, 2036)
    values = logistic.evaluate(years, base_year=2020, **truth)
    cal = calibrate(
        mapping("logistic", "%", dict(start=8, ceiling=75, rate=0.4), base_year=2020),
        indicator="x",
        history=history(years, values),
        params=["start", "ceiling", "rate"],
        bounds={"ceiling": (70, 90)},
    )
    assert cal.estimates["ceiling"] == pytest.approx(70.0)
    assert cal.bounds["ceiling"] == (70.0, 90.0)
    assert not cal.identifiable["ceiling"]
    # the profile from the bound inward (issue 14), not the whole allowed range: the data
    # (a true ceiling of 60) reject ceilings a little above 70
    low, high = cal.intervals["ceiling"]
    assert low == 70.0 and 70.0 < high < 75.0
    assert any("at the lower end of its allowed range, 70 %" in w for w in cal.warnings)
    assert not any("usually not identifiable" in w for w in cal.warnings)  # not an early-years case


def test_as_many_observations_as_parameters_gives_no_uncertainty():
    cal = calibrate(
        mapping("linear", "GW", dict(start=1, slope=1), base_year=2020),
        indicator="x",
        history=history([2020, 2022], [39.0, 72.0]),
        params=["start", "slope"],
    )
    assert cal.estimates == pytest.approx({"start": 39.0, "slope": 16.5})
    assert all(math.isnan(se) for se in cal.std_errors.values())
    assert not any(cal.identifiable.values())
    assert cal.intervals["slope"] == (-math.inf, math.inf)  # the allowed range: unbounded
    assert any("as many parameters as observations" in w for w in cal.warnings)
    assert _distributions(cal) == {}


# ------------------------------------------------------------------ calibrated scenarios


def _distributions(cal, **kwargs) -> dict:
    params = cal.to_scenario(distributions=True, **kwargs).indicators[cal.indicator].params
    return {k: p.distribution for k, p in params.items() if p.distribution is not None}


@pytest.fixture(scope="module")
def china():
    return calibrate(
        BASELINE, indicator="ev_sales_share", history=CHINA, params=["start", "rate", "ceiling"]
    )


def test_written_scenario_loads_runs_and_states_its_provenance(china, tmp_path):
    path = china.write(tmp_path / "calibrated.yaml")
    text = path.read_text(encoding="utf-8")
    head = [line for line in text.splitlines() if line.startswith("#")]
    assert head[0].startswith("# Generated by projection.calibrate on ")
    assert "scenario 'baseline'" in text and "china-nev-sales-share.csv" in text
    assert "\nextends:" not in text  # fully resolved
    assert [p.name for p in tmp_path.iterdir()] == ["calibrated.yaml"]  # no temporary left

    moved = tmp_path / "elsewhere" / "c.yaml"  # self-contained: loads from anywhere
    moved.parent.mkdir()
    shutil.copy(path, moved)
    scen = projection.load_scenario(moved)
    assert scen.name == "baseline-calibrated"
    run = projection.run(scen)
    assert run.value("ev_sales_share", 2025) == pytest.approx(china.estimates["start"], rel=1e-8)
    original = projection.run(BASELINE)
    assert run.value("solar_capacity", 2030) == original.value("solar_capacity", 2030)

    sources = {r["path"]: r for r in scen.sources()}
    for name in ("start", "rate", "ceiling"):
        record = sources[f"indicators.ev_sales_share.params.{name}"]
        assert record["kind"] == "calibrated"
        assert (
            "calibrated to china-nev-sales-share.csv, years 2015-2024 (least squares; "
            in (record["source"])
        )
    assert "not identifiable" in sources["indicators.ev_sales_share.params.ceiling"]["source"]
    assert "not identifiable" not in sources["indicators.ev_sales_share.params.rate"]["source"]


def test_distributions_go_on_identifiable_parameters_only(china):
    dists = _distributions(china)
    assert set(dists) == {"start", "rate"}  # the ceiling is not identifiable
    for name, dist in dists.items():
        assert dist.type == "truncnormal"
        assert dist.mean == pytest.approx(china.estimates[name], rel=1e-9)
        assert dist.sd == pytest.approx(china.std_errors[name], rel=1e-9)
        assert china.bounds[name][0] <= dist.lower < dist.upper <= china.bounds[name][1]
    # start's draws stay below the (fixed) fitted ceiling, as the scenario writes it (both
    # rounded to the same significant digits)
    written = china.to_scenario(distributions=True).indicators["ev_sales_share"].params
    assert dists["start"].upper <= written["ceiling"].value
    assert written["ceiling"].value == pytest.approx(china.estimates["ceiling"], rel=1e-9)


def test_start_and_ceiling_distributions_never_cross(tmp_path):
    truth = dict(start=10.0, ceiling=60.0, rate=0.5)
    years = np.arange(2015, 2036)
    noisy = logistic.evaluate(years, base_year=2020, **truth) + np.random.default_rng(1).normal(
        0, 1.5, years.size
    )
    cal = calibrate(
        mapping("logistic", "%", dict(start=8, ceiling=50, rate=0.4), base_year=2020),
        indicator="x",
        history=history(years, noisy),
        params=["start", "ceiling", "rate"],
    )
    assert all(cal.identifiable.values())
    dists = _distributions(cal)
    assert set(dists) == {"start", "ceiling", "rate"}
    assert dists["start"].support()[1] <= dists["ceiling"].support()[0]
    assert all(math.isfinite(v) for d in dists.values() for v in d.support())
    path = cal.write(tmp_path / "c.yaml", distributions=True)
    projection.run(projection.load_scenario(path))  # loads and runs


def test_transferring_only_the_rate_keeps_the_scenarios_own_start(china):
    scen = china.to_scenario(params=["rate"])
    params = scen.indicators["ev_sales_share"].params
    assert params["start"].value == 2 and params["ceiling"].value == 60
    assert params["rate"].value == pytest.approx(china.estimates["rate"], rel=1e-9)
    assert params["rate"].source.startswith("calibrated to china-nev-sales-share.csv")
    assert params["ceiling"].source.startswith("assumption:")
    expected = logistic.evaluate(
        [2030], base_year=2025, start=2.0, ceiling=60.0, rate=params["rate"].value
    )[0]
    assert projection.run(scen).value("ev_sales_share", 2030) == pytest.approx(expected)
    with pytest.raises(ScenarioError, match="'market' was not fitted"):
        china.to_scenario(params=["market"])


def test_summary_frame_and_dict(china):
    frame = china.to_frame()
    assert list(frame.columns)[:7] == [
        "param",
        "estimate",
        "unit",
        "std_error",
        "ci_low",
        "ci_high",
        "identifiable",
    ]
    assert list(frame.param) == ["start", "rate", "ceiling"]
    assert list(frame.identifiable) == [True, True, False]
    assert list(frame.unit) == ["%", "1/yr", "%"]
    data = json.loads(json.dumps(china.to_dict(), allow_nan=False))
    assert data["years"] == [2015, 2024] and data["n"] == 10
    assert data["params"][2]["identifiable"] is False
    text = china.summary()
    assert "china-nev-sales-share.csv" in text and "95 % interval" in text
    assert any(
        line.split()[:1] == ["ceiling"] and line.rstrip().endswith("NO")
        for line in text.splitlines()
    )
    assert "warnings:" in text


# ----------------------------------------------------------------------- bad histories

GOOD = "# source: test\nyear,value\n2015,1.3\n2016,1.8\n2017,2.7\n2018,4.5\n"

BAD = {
    "missing column": ("# source: test\nyear,share\n2015,1\n", 2, "missing column 'value'"),
    "not a number": ("year,value\n2015,1\n2016,n/a\n", 3, "value 'n/a' for 2016 is not a number"),
    "duplicate year": (
        "year,value\n2015,1\n2016,2\n2015,3\n",
        4,
        "year 2015 appears twice (first on line 2)",
    ),
    "missing value": ("year,value\n2015,1\n2016,\n2017,3\n", 3, "missing value for 2016"),
    "nan value": ("year,value\n2015,1\n2016,nan\n", 3, "missing value for 2016"),
    "fractional year": ("year,value\n2015.5,1\n", 2, "year '2015.5' is not a whole year"),
    "year not a number": ("year,value\nFY15,1\n", 2, "year 'FY15' is not a number"),
    "extra field": ("year,value\n2015,1,2\n", 2, "3 fields but the header has 2"),
    "bad unit": ("# unit: zorkmids\nyear,value\n2015,1\n", 1, "cannot parse unit 'zorkmids'"),
    "unit of another kind": ("# unit: GW\nyear,value\n2015,1\n2016,2\n", 3, "does not fit"),
    "no header": ("# only a comment\n", None, "no header line"),
    "no data": ("# source\nyear,value\n", None, "no data rows"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_history_names_file_and_line(case, write):
    text, line, message = BAD[case]
    path = write("history.csv", text)
    with pytest.raises(ScenarioError) as info:
        calibrate(BASELINE, indicator="ev_sales_share", history=path, params=["rate"])
    err = info.value
    assert err.file == str(path)
    assert err.line == line
    assert message in str(err)
    if line:
        assert str(err).startswith(f"{path}:{line}: ")


def test_missing_history_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(ScenarioError, match="history file not found") as info:
        calibrate(BASELINE, indicator="ev_sales_share", history=path, params=["rate"])
    assert info.value.file == str(path)


def test_fewer_observations_than_parameters(write):
    path = write("short.csv", "year,value\n2015,1.3\n2016,1.8\n")
    with pytest.raises(ScenarioError) as info:
        calibrate(
            BASELINE, indicator="ev_sales_share", history=path, params=["start", "rate", "ceiling"]
        )
    assert info.value.file == str(path)
    assert "2 observations (2015-2016) but 3 parameters to fit" in str(info.value)


def test_no_observations_in_the_years_asked_for():
    with pytest.raises(ScenarioError, match="no observations between 1990 and 2000") as info:
        calibrate(
            BASELINE, indicator="ev_sales_share", history=CHINA, params=["rate"], years=(1990, 2000)
        )
    assert info.value.file == str(CHINA)


@pytest.mark.parametrize(
    "frame, message",
    [
        (pd.DataFrame({"year": [2015, 2016]}), "missing column 'value'"),
        (
            pd.DataFrame({"year": [2015, 2016], "value": [1.0, np.nan]}),
            "row 1: missing value for 2016",
        ),
        (pd.DataFrame({"year": [2015, 2015], "value": [1.0, 2.0]}), "year 2015 appears twice"),
        (pd.DataFrame({"year": [2015.5], "value": [1.0]}), "is not a whole year"),
    ],
)
def test_bad_history_frame(frame, message):
    with pytest.raises(ScenarioError, match=message) as info:
        calibrate(BASELINE, indicator="ev_sales_share", history=frame, params=["rate"])
    assert info.value.path == "history"


def test_history_in_another_unit_is_converted(write):
    fraction = write(
        "fraction.csv",
        "# unit: dimensionless\nyear,value\n"
        + "".join(f"{y},{v / 100}\n" for y, v in zip(range(2015, 2025), _china_values())),
    )
    mixed = write(
        "mixed.csv",
        "year,value,unit\n"
        + "".join(
            f"{y},{v / 100 if y % 2 else v},{'dimensionless' if y % 2 else '%'}\n"
            for y, v in zip(range(2015, 2025), _china_values())
        ),
    )
    assert read_history(fraction, unit="%").value.tolist() == pytest.approx(_china_values())
    assert read_history(mixed, unit="%").value.tolist() == pytest.approx(_china_values())
    args = dict(indicator="ev_sales_share", params=["start", "rate", "ceiling"])
    a = calibrate(BASELINE, history=CHINA, **args)
    b = calibrate(BASELINE, history=fraction, **args)
    for name in a.params:
        assert b.estimates[name] == pytest.approx(a.estimates[name], rel=1e-8)


def _china_values() -> list[float]:
    return [1.3, 1.8, 2.7, 4.5, 4.7, 5.4, 13.4, 25.6, 31.6, 40.9]


# ------------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            dict(params=["cieling"]),
            ScenarioError,
            "unknown parameter 'cieling' for logistic, did you mean 'ceiling'? (expected: start, ceiling, rate)",
        ),
        (
            dict(params=[]),
            ScenarioError,
            "no parameters to fit (expected some of: start, ceiling, rate)",
        ),
        (dict(params=["rate", "rate"]), ScenarioError, "parameter 'rate' is listed twice"),
        (dict(indicator="ev_share"), ScenarioError, "unknown indicator 'ev_share', did you mean"),
        (
            dict(indicator="ofc_utilisation", params=["start"]),
            ScenarioError,
            "cannot calibrate a 'derived' indicator",
        ),
        (
            dict(indicator="ofc_capacity", params=["start"]),
            ScenarioError,
            "cannot calibrate a 'staged' indicator",
        ),
        (dict(confidence=1.5), ParameterError, "confidence: must be between 0 and 1"),
        (
            dict(bounds={"ceiling": (50, 70)}),
            ScenarioError,
            "bounds given for 'ceiling', which is not fitted",
        ),
        (dict(bounds={"rate": (0.9, 0.1)}), ScenarioError, "must have low < high"),
        (dict(bounds={"rate": (200, 300)}), ScenarioError, "no value of 'rate' is allowed"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    args = {"indicator": "ev_sales_share", "history": CHINA, "params": ["rate"], **kwargs}
    with pytest.raises(error) as info:
        calibrate(BASELINE, **args)
    assert message in str(info.value)


def test_an_unset_optional_parameter_cannot_be_fitted():
    years = np.arange(2015, 2025)
    with pytest.raises(ScenarioError, match="cannot fit 'ceiling': the scenario gives it no value"):
        calibrate(
            mapping("exponential", "TWh", dict(start=140, rate=0.03)),
            indicator="x",
            history=history(years, 100 + years - 2015),
            params=["ceiling"],
        )


# ------------------------------------------------------------------ the shipped history


def test_shipped_history_loads_and_states_its_source():
    h = read_history(CHINA)
    assert h.attrs["unit"] == "%"
    assert h.year.tolist() == list(range(2015, 2025))
    assert h.value.tolist() == _china_values()
    assert ((h.value > 0) & (h.value < 100)).all()
    source = h.attrs["source"]
    assert "China Association of Automobile Manufacturers (CAAM)" in source
    for year in range(2015, 2025):  # every value says how it was checked
        assert f"  {year}  " in source
    lines = CHINA.read_text(encoding="utf-8").splitlines()
    header = lines.index("year,value")
    assert header > 0 and all(line.startswith("#") for line in lines[:header])


# ------------------------------------------------------------- a history in the wrong scale

FRACTION_HINT = "Every value of the history lies between 0 and 1 and has no unit"


def _china_as(tmp_path, header: str, scale: float) -> Path:
    """The China history rewritten with ``header`` and its values times ``scale``."""
    frame = pd.read_csv(CHINA, comment="#")
    path = tmp_path / "h.csv"
    rows = "".join(f"{int(y)},{v * scale:.6g}\n" for y, v in zip(frame.year, frame.value))
    path.write_text(header + "year,value\n" + rows)
    return path


def test_a_history_of_fractions_fitted_to_a_percent_indicator_is_flagged(tmp_path):
    """The issue's case: fractions (0.013 for 1.3 %) are read as % without a word; now the
    warning says how to declare them, and declared as dimensionless they fit as the % history
    does."""
    kwargs = dict(indicator="ev_sales_share", params=["start", "rate"])
    fractions = calibrate(BASELINE, history=_china_as(tmp_path, "", 0.01), **kwargs)
    assert any(
        w.startswith(FRACTION_HINT) and "# unit: dimensionless" in w for w in fractions.warnings
    )
    declared = calibrate(
        BASELINE, history=_china_as(tmp_path, "# unit: dimensionless\n", 0.01), **kwargs
    )
    percent = calibrate(BASELINE, history=CHINA, **kwargs)
    assert not any(w.startswith(FRACTION_HINT) for w in declared.warnings + percent.warnings)
    assert declared.estimates["rate"] == pytest.approx(percent.estimates["rate"], rel=1e-4)
    # small percentages, declared as such: no warning either
    small = calibrate(BASELINE, history=_china_as(tmp_path, "# unit: %\n", 0.01), **kwargs)
    assert not any(w.startswith(FRACTION_HINT) for w in small.warnings)


def test_a_ceiling_at_the_cap_gets_its_profile_interval_not_the_whole_range():
    """Issue 14: a free ceiling whose estimate sits at the 100 % cap used to get [0, 100]. Its
    interval is now the profile's: from where the F test starts to reject lower ceilings up to
    the cap, never below the largest observation, and the ceiling is still not identifiable
    (the interval runs into the cap)."""
    years = np.arange(2015, 2028)  # up to 82 %, of a curve heading for 130 %
    y = logistic.evaluate(years, base_year=2015, start=1.0, ceiling=130.0, rate=0.45)
    cal = calibrate(
        mapping("logistic", "%", dict(start=1, ceiling=60, rate=0.3), base_year=2015),
        indicator="x",
        history=history(years, y),
        params=["start", "ceiling", "rate"],
    )
    assert cal.estimates["ceiling"] == pytest.approx(100.0)
    assert not cal.identifiable["ceiling"]
    low, high = cal.intervals["ceiling"]
    assert high == 100.0
    assert max(y) < low < 100.0


def test_a_ceiling_is_never_below_the_largest_observation():
    """Early, noisy years: the Wald interval of the ceiling runs far below zero; the reported
    interval stops at the profile's edge, which is never below the largest observation."""
    years = np.arange(2010, 2025)
    truth = logistic.evaluate(years, base_year=2025, start=20.0, ceiling=60.0, rate=0.5)
    noisy = truth + np.random.default_rng(0).normal(0.0, 1.5, years.size)
    cal = calibrate(
        mapping("logistic", "%", dict(start=15, ceiling=50, rate=0.4), base_year=2025),
        indicator="x",
        history=history(years, noisy),
        params=["start", "ceiling", "rate"],
    )
    low, high = cal.intervals["ceiling"]
    se = cal.std_errors["ceiling"]
    assert cal.estimates["ceiling"] - 2 * se < 0  # the Wald interval would start below 0
    assert low >= noisy.max() and high == 100.0
    assert not cal.identifiable["ceiling"]


def test_any_parameter_at_a_bound_gets_its_profile_interval():
    """A rate held above its true value by the user's bounds sits on the bound: its interval
    runs from the bound to where the profile is rejected, not over the whole range, and it is
    not identifiable (the interval runs into the bound)."""
    years = np.arange(2015, 2036)
    values = logistic.evaluate(years, base_year=2020, start=10.0, ceiling=60.0, rate=0.5)
    noisy = values + np.random.default_rng(1).normal(0, 0.5, years.size)
    cal = calibrate(
        mapping("logistic", "%", dict(start=8, ceiling=60, rate=0.7), base_year=2020),
        indicator="x",
        history=history(years, noisy),
        params=["start", "ceiling", "rate"],
        bounds={"rate": (0.6, 2.0)},
    )
    low, high = cal.intervals["rate"]
    assert cal.estimates["rate"] == pytest.approx(0.6)
    assert low == 0.6 and 0.6 < high < 0.7
    assert not cal.identifiable["rate"]


def test_a_wald_interval_clipped_at_the_range_gets_the_profiles_edge():
    """A small start observed with noise: its Wald interval runs below 0 (the end of its
    allowed range) and used to be clipped to 0; the profile says where the data reject it,
    above 0."""
    years = np.arange(2015, 2022)
    values = logistic.evaluate(years, base_year=2015, start=0.2, ceiling=60.0, rate=0.7)
    noisy = values + np.random.default_rng(2).normal(0, 1.0, years.size)
    cal = calibrate(
        mapping("logistic", "%", dict(start=1, ceiling=60, rate=0.3), base_year=2015),
        indicator="x",
        history=history(years, noisy),
        params=["start", "rate"],
    )
    est, se = cal.estimates["start"], cal.std_errors["start"]
    low, high = cal.intervals["start"]
    t = stats.t.ppf(0.975, cal.n - 2)
    assert est - t * se < 0  # the Wald interval would start below the range
    assert 0 < low < est and high == pytest.approx(est + t * se)
