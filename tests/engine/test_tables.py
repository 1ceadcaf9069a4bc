"""Tidy tables of results (projection.engine.tables): plain arrays first, pandas on request,
and the pandas-free CSV writer that writes them."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import projection
from projection.engine.tables import (
    ensemble_columns,
    projection_columns,
    stack,
    tidy_frame,
)
from projection.exceptions import ProjectionError
from projection.io.output import write_csv_columns

PAPER = Path(__file__).resolve().parents[2] / "scenarios" / "paper-targets.yaml"


def _to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    return buf.getvalue()


def test_a_projections_columns_hold_every_value_once():
    """One row per indicator and year; each value is the projection's, in its unit."""
    p = projection.run(PAPER)
    cols = p.columns()
    assert list(cols) == ["scenario", "indicator", "year", "value", "unit"]
    n = len(p.years) * len(p.indicators)
    assert all(len(v) == n for v in cols.values())
    for name in p.indicators:
        rows = cols["indicator"] == name
        np.testing.assert_array_equal(cols["year"][rows], p.years)
        np.testing.assert_array_equal(cols["value"][rows], p.central[name])
        assert set(cols["unit"][rows]) == {p.units[name]}


def test_an_ensembles_columns_with_members():
    """Quantile rows have no sample number, member rows no quantile; every member's value is
    there once, after the bands."""
    e = projection.run(PAPER, samples=40, seed=3, keep_samples=True)
    cols = e.columns(samples=True)
    assert list(cols) == ["scenario", "indicator", "year", "quantile", "sample", "value", "unit"]
    sample = cols["sample"]
    quantile_rows = len(e.quantiles) * len(e.years) * len(e.indicators)
    assert np.ma.getmaskarray(sample)[:quantile_rows].all()
    assert not np.ma.getmaskarray(sample)[quantile_rows:].any()
    assert np.isnan(cols["quantile"][quantile_rows:]).all()
    name = e.indicators[0]
    rows = (cols["indicator"] == name) & ~np.ma.getmaskarray(sample)
    np.testing.assert_array_equal(cols["value"][rows], e.members[name].reshape(-1))
    with pytest.raises(ProjectionError, match="keep_samples"):
        projection.run(PAPER, samples=40, seed=3).columns(samples=True)


def test_to_frame_is_the_columns_as_pandas():
    """``to_frame`` holds the same rows as ``columns``, labels as categoricals, the sample
    number as a nullable integer."""
    e = projection.run(PAPER, samples=40, seed=3, keep_samples=True)
    frame = e.to_frame(samples=True)
    cols = e.columns(samples=True)
    assert list(frame.columns) == list(cols)
    assert str(frame["sample"].dtype) == "Int64"
    assert all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in ("scenario", "unit"))
    np.testing.assert_array_equal(frame["value"].to_numpy(), cols["value"])
    assert frame["sample"].isna().sum() == np.ma.getmaskarray(cols["sample"]).sum()


def test_stack_refuses_tables_of_different_kinds():
    p = projection.run(PAPER)
    e = projection.run(PAPER, samples=40, seed=3)
    assert len(stack([p.columns(), p.columns()])["value"]) == 2 * len(p.columns()["value"])
    with pytest.raises(ProjectionError, match="different columns"):
        stack([p.columns(), e.columns()])


_LABELS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=6,
)


@given(
    name=_LABELS,
    names=st.lists(_LABELS, min_size=1, max_size=3, unique=True),
    data=st.data(),
)
@example(name='a,"b"\nc', names=["x\r", ""], data=None)
def test_csv_of_columns_is_what_pandas_writes(name, names, data):
    """For any labels (commas, quotes, line breaks, non-ASCII) and any floats (NaN, infinities,
    -0.0, the largest and smallest), the pandas-free CSV of a table is byte for byte the CSV
    pandas writes for the same table as a frame."""
    t = 3
    years = np.arange(2025, 2025 + t)
    if data is None:
        values = {n: np.array([np.nan, -0.0, 1e-310][:t]) for n in names}
        units = dict.fromkeys(names, "%")
    else:
        values = {
            n: data.draw(
                hnp.arrays(np.float64, t, elements=st.floats(allow_nan=True, allow_infinity=True))
            )
            for n in names
        }
        units = {n: data.draw(_LABELS) for n in names}
    tables = [projection_columns(name, years, values, units)]
    q = (0.05, 0.5)
    bands = {n: np.vstack([v, v]) for n, v in values.items()}
    members = {n: np.vstack([v, v, v]) for n, v in values.items()}
    tables.append(ensemble_columns(name, years, q, bands, units))
    tables.append(ensemble_columns(name, years, q, bands, units, members))
    for cols in tables:
        assert _written(cols) == _to_csv(tidy_frame(cols)), cols


def _written(cols) -> str:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        write_csv_columns(cols, path)
        return path.read_bytes().decode("utf-8")


def test_csv_of_a_run_reads_back_with_pandas(tmp_path):
    """The file ``write_results`` writes for a run opens with ``pandas.read_csv`` and holds the
    run's values to the last digit."""
    from projection.io.output import write_results

    e = projection.run(PAPER, samples=50, seed=2, keep_samples=True)
    out = write_results(e, tmp_path / "e.csv", members=True)
    back = pd.read_csv(out)
    frame = e.to_frame(samples=True)
    assert back.shape == frame.shape
    np.testing.assert_array_equal(back["value"].to_numpy(), frame["value"].to_numpy())
    assert back["sample"].isna().sum() == frame["sample"].isna().sum()
    assert os.linesep in out.read_text(encoding="utf-8")
