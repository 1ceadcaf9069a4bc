"""Writing results (projection.io.output): every format read back with its standard reader and
no extra arguments, the run metadata with each, checked destinations, and the tidy and IAMC
layouts of results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import projection
from projection.exceptions import OutputError
from projection.io.metadata import read_metadata, run_metadata
from projection.io.output import (
    FORMATS,
    LAYOUTS,
    check_output_path,
    check_results_path,
    metadata_text,
    write_frame,
    write_results,
)
from projection.io.sidecar import sidecar_path

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"

META = {
    "seed": 7,
    "sampler": "lhs",
    "note": "a: b",  # a colon inside a value
    "nested": [1, {"b": 2, "a": 1}],
    "none": None,
}


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["a", "a", "b"],
            "indicator": ["x", "y", "x"],
            "year": [2025, 2026, 2027],
            "value": [1.0, 0.1 + 0.2, 12345.678],
            "unit": ["GW", "%", "GW"],
        }
    )


def plain(df: pd.DataFrame) -> pd.DataFrame:
    """Labels as plain objects, so frames read by different readers compare by value."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(object)
    return out.reset_index(drop=True)


def same(read: pd.DataFrame, written: pd.DataFrame, rtol: float = 0.0) -> None:
    pd.testing.assert_frame_equal(
        plain(read), plain(written), check_dtype=False, check_exact=rtol == 0.0, rtol=rtol or 1e-5
    )


def sidecar(path) -> dict:
    """The sidecar descriptor of a CSV or JSON file, read as plain JSON."""
    return json.loads(sidecar_path(path).read_text(encoding="utf-8"))


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --------------------------------------------------------------------------- write_frame


def test_metadata_text():
    assert metadata_text("lhs") == "lhs"  # strings as they are
    assert metadata_text(7) == "7"
    assert metadata_text(None) == "null"
    assert metadata_text({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'  # compact, sorted


def test_csv_is_plain_with_the_metadata_in_a_sidecar(tmp_path, frame):
    path = write_frame(frame, tmp_path / "out.csv", metadata=META)
    assert path == tmp_path / "out.csv"
    assert names(tmp_path) == ["out.csv", "out.csv.resource.json"]
    lines = path.read_text().splitlines()
    assert lines[0] == "scenario,indicator,year,value,unit"  # the header first
    assert not any(line.startswith("#") for line in lines)
    same(pd.read_csv(path), frame)  # no extra arguments
    doc = sidecar(path)
    assert doc["projection"] == META  # as JSON, unchanged: a colon, a list, a null
    assert doc["path"] == "out.csv" and doc["format"] == "csv"
    assert read_metadata(path) == META


def test_csv_keeps_every_digit(tmp_path):
    values = [0.1 + 0.2, 140.12345678901234, 1.2345678901234e-12, -3e300]
    path = write_frame(pd.DataFrame({"value": values}), tmp_path / "v.csv")
    assert pd.read_csv(path)["value"].tolist() == values


def test_json_is_a_list_of_records_with_the_metadata_in_a_sidecar(tmp_path, frame):
    path = write_frame(frame, tmp_path / "out.json", metadata=META)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(doc, list) and len(doc) == len(frame)
    assert doc[0] == {"scenario": "a", "indicator": "x", "year": 2025, "value": 1.0, "unit": "GW"}
    same(pd.read_json(path), frame, rtol=1e-9)  # no extra arguments
    assert sidecar(path)["projection"] == META
    assert sidecar(path)["mediatype"] == "application/json"
    assert read_metadata(path) == META


def test_json_keeps_every_digit(tmp_path):
    values = [0.1 + 0.2, 140.12345678901234, 1.2345678901234e-12]
    path = write_frame(pd.DataFrame({"value": values}), tmp_path / "v.json")
    assert [r["value"] for r in json.loads(path.read_text())] == values


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_parquet_reads_back_equal_with_the_metadata(tmp_path, frame, suffix):
    path = write_frame(frame, tmp_path / f"out{suffix}", metadata=META)
    read = pd.read_parquet(path)
    same(read, frame)
    assert read["value"].tolist() == frame["value"].tolist()  # bit for bit
    schema_meta = pq.read_schema(path).metadata
    assert json.loads(schema_meta[b"projection"]) == META
    assert b"pandas" in schema_meta  # pandas' own metadata is kept beside it
    assert read_metadata(path) == META
    assert names(tmp_path) == [f"out{suffix}"]  # inside the file: no sidecar


def test_xlsx_reads_back_equal_with_a_meta_sheet(tmp_path, frame):
    path = write_frame(frame, tmp_path / "out.xlsx", metadata=META)
    same(pd.read_excel(path), frame, rtol=1e-15)  # no extra arguments: the data sheet
    assert read_metadata(path) == META
    assert names(tmp_path) == ["out.xlsx"]
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["data", "meta"]
    # Excel keeps about 16 significant digits: 0.30000000000000004 reads back as 0.3
    same(sheets["data"], frame, rtol=1e-15)
    meta = sheets["meta"]
    assert meta.columns.tolist() == ["key", "value"]
    assert meta["key"].tolist() == list(META)
    assert meta.set_index("key")["value"]["sampler"] == "lhs"
    assert json.loads(meta.set_index("key")["value"]["nested"]) == META["nested"]


def test_xlsx_reads_the_same_through_calamine(tmp_path, frame):
    """pandas will read .xlsx with calamine by default where python-calamine is installed
    (PySD brings it): the file reads the same through it as through openpyxl."""
    pytest.importorskip("python_calamine")
    path = write_frame(frame, tmp_path / "out.xlsx", metadata=META)
    pd.testing.assert_frame_equal(
        pd.read_excel(path, engine="calamine"), pd.read_excel(path, engine="openpyxl")
    )


def test_netcdf_has_one_variable_per_indicator(tmp_path, frame):
    xr = pytest.importorskip("xarray")
    path = write_frame(frame, tmp_path / "out.nc", metadata={"seed": 7, "sampler": "lhs"})
    with xr.open_dataset(path) as ds:
        assert sorted(ds.data_vars) == ["x", "y"]
        assert ds["x"].attrs["units"] == "GW" and ds["y"].attrs["units"] == "%"
        assert float(ds["x"].sel(scenario="b", year=2027)) == 12345.678
        assert np.isnan(float(ds["y"].sel(scenario="b", year=2027)))  # not projected
        assert ds.attrs["seed"] == "7" and ds.attrs["sampler"] == "lhs"
    assert read_metadata(path) == {"seed": 7, "sampler": "lhs"}
    assert names(tmp_path) == ["out.nc"]


def test_netcdf_needs_the_tidy_layout(tmp_path):
    pytest.importorskip("xarray")
    with pytest.raises(OutputError, match="netCDF needs the tidy layout"):
        write_frame(pd.DataFrame({"a": [1]}), tmp_path / "out.nc")
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_write_frame_without_metadata(tmp_path, frame):
    path = write_frame(frame, tmp_path / "out.csv")
    assert path.read_text().startswith("scenario,indicator,year,value,unit\n")
    assert sidecar(path)["projection"] == {}
    assert read_metadata(write_frame(frame, tmp_path / "out.json")) == {}


def test_write_frame_replaces_a_file_and_its_sidecar(tmp_path, frame):
    path = tmp_path / "out.csv"
    path.write_text("old")
    sidecar_path(path).write_text("old")
    write_frame(frame, path, metadata={"seed": 1})
    assert pd.read_csv(path).shape == (3, 5)
    assert read_metadata(path) == {"seed": 1}
    assert names(tmp_path) == ["out.csv", "out.csv.resource.json"]


def test_a_metadata_value_with_a_line_break_reads_back(tmp_path, frame):
    path = write_frame(frame, tmp_path / "out.csv", metadata={"note": "two\nlines"})
    same(pd.read_csv(path), frame)
    assert read_metadata(path) == {"note": "two\nlines"}


# --------------------------------------------------------------------------- check_output_path


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_check_output_path_knows_every_format(tmp_path, suffix):
    assert check_output_path(tmp_path / f"out{suffix}") == FORMATS[suffix]
    assert check_output_path(tmp_path / f"OUT{suffix.upper()}") == FORMATS[suffix]


@pytest.mark.parametrize("name", ["out.txt", "out.xls", "out.csv.gz", "out"])
def test_unknown_extensions_are_refused_before_any_work(tmp_path, frame, name):
    with pytest.raises(OutputError) as info:
        check_output_path(tmp_path / name)
    assert "unknown output format" in str(info.value)
    assert ".csv" in str(info.value) and ".parquet" in str(info.value)
    with pytest.raises(OutputError, match="unknown output format"):
        write_frame(frame, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_refused(tmp_path, frame):
    with pytest.raises(OutputError, match="does not exist"):
        write_frame(frame, tmp_path / "missing" / "out.csv")


def test_a_missing_library_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    with pytest.raises(OutputError, match=r"writing xlsx needs openpyxl \(pip install"):
        check_output_path(tmp_path / "out.xlsx")
    assert check_output_path(tmp_path / "out.csv") == "csv"


# --------------------------------------------------------------------------- write_results


@pytest.fixture(scope="module")
def point():
    return projection.run(BASELINE)


@pytest.fixture(scope="module")
def ensemble():
    return projection.run(BASELINE, samples=50, seed=1)


def test_results_tidy_csv_of_a_point_projection(tmp_path, point):
    path = write_results(point, tmp_path / "r.csv")
    read = pd.read_csv(path)
    assert read.columns.tolist() == ["scenario", "indicator", "year", "value", "unit"]
    same(read, point.to_frame())
    assert sidecar(path)["projection"] == run_metadata([point])
    assert read_metadata(path) == run_metadata([point])
    # one row per indicator and year
    assert len(read) == len(point.central) * len(point.years)
    for name in point.central:
        rows = read[read["indicator"] == name].sort_values("year")
        np.testing.assert_array_equal(rows["value"].to_numpy(), point.central[name])


def test_results_tidy_of_an_ensemble_has_a_quantile_column(tmp_path, ensemble):
    path = write_results(ensemble, tmp_path / "e.csv")
    read = pd.read_csv(path)
    assert read.columns.tolist() == ["scenario", "indicator", "year", "quantile", "value", "unit"]
    assert sorted(read["quantile"].unique()) == [0.05, 0.5, 0.95]
    same(read, ensemble.to_frame())
    meta = read_metadata(path)
    assert (meta["seed"], meta["sampler"], meta["samples"]) == (1, "lhs", 50)
    # quantiles are ordered within every indicator and year
    wide = read.pivot_table(index=["indicator", "year"], columns="quantile", values="value")
    assert (wide[0.05] <= wide[0.5]).all() and (wide[0.5] <= wide[0.95]).all()


@pytest.mark.parametrize("suffix", [".json", ".parquet", ".xlsx"])
def test_results_tidy_in_other_formats(tmp_path, ensemble, suffix):
    path = write_results(ensemble, tmp_path / f"e{suffix}")
    expected = ensemble.to_frame()
    if suffix == ".json":
        read = pd.read_json(path)
        assert read_metadata(path) == json.loads(json.dumps(run_metadata([ensemble])))
        same(read, expected, rtol=1e-9)
    elif suffix == ".parquet":
        read = pd.read_parquet(path)
        assert json.loads(pq.read_schema(path).metadata[b"projection"]) == json.loads(
            json.dumps(run_metadata([ensemble]))
        )
        same(read, expected)
        assert isinstance(read["indicator"].dtype, pd.CategoricalDtype)  # kept as written
    else:
        read = pd.read_excel(path, sheet_name="data")
        same(read, expected, rtol=1e-15)
    assert "quantile" in read.columns


def test_results_of_several_runs_in_one_file(tmp_path, point, ensemble):
    path = write_results([point, ensemble], tmp_path / "both.csv")
    read = pd.read_csv(path)
    assert len(read) == len(point.to_frame()) + len(ensemble.to_frame())
    # the point projection has no quantile
    assert read["quantile"].isna().sum() == len(point.to_frame())
    meta = read_metadata(path)
    assert meta["seed"] is None and len(meta["scenarios"]) == 2  # the two runs differ


def test_results_with_every_member(tmp_path):
    e = projection.run(BASELINE, samples=8, seed=2, keep_samples=True)
    read = pd.read_parquet(write_results(e, tmp_path / "m.parquet", members=True))
    assert "sample" in read.columns
    members = read[read["sample"].notna()]
    assert sorted(members["sample"].unique().astype(int).tolist()) == list(range(8))


def test_results_with_given_metadata(tmp_path, point):
    path = write_results(point, tmp_path / "r.json", metadata={"who": "test"})
    assert read_metadata(path) == {"who": "test"}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_results_iamc_layout(tmp_path, point, ensemble, suffix):
    path = write_results([point, ensemble], tmp_path / f"iamc{suffix}", layout="iamc")
    if suffix == ".csv":
        read = pd.read_csv(path)
    else:
        read = pd.read_excel(path)
    columns = [str(c) for c in read.columns]
    years = [str(int(y)) for y in point.years]
    assert columns == ["model", "scenario", "region", "variable", "unit", *years]
    assert set(read["model"]) == {f"projection {projection.__version__}"}
    # the point projection: one row per indicator; the ensemble: |Mean and one per quantile
    n = len(point.central)
    assert len(read) == n + n * (1 + 3)
    assert read["variable"].str.endswith("|Mean").sum() == n
    assert read["variable"].str.endswith("|50th Percentile").sum() == n
    # the values are the run's
    name = next(iter(point.central))
    variable = point.scenario.indicators[name].variable or name
    row = read[read["variable"] == variable].iloc[0]
    np.testing.assert_allclose(
        row[[c for c in read.columns if str(c) in years]].to_numpy(float),
        point.central[name],
        rtol=1e-15,
    )


def test_iamc_csv_carries_the_metadata(tmp_path, point):
    path = write_results(point, tmp_path / "iamc.csv", layout="iamc")
    assert path.read_text().startswith("model,scenario,region,variable,unit,")
    assert sidecar(path)["projection"] == run_metadata([point])
    assert read_metadata(path) == run_metadata([point])


# --------------------------------------------------------------------------- check_results_path


def test_check_results_path(tmp_path):
    assert LAYOUTS == ("tidy", "iamc")
    assert check_results_path(tmp_path / "r.parquet") == "parquet"
    assert check_results_path(tmp_path / "r.csv", "iamc") == "csv"
    assert check_results_path(tmp_path / "r.xlsx", "iamc") == "xlsx"


@pytest.mark.parametrize("suffix", [".parquet", ".json", ".nc"])
def test_an_iamc_file_must_be_csv_or_xlsx(tmp_path, point, suffix):
    with pytest.raises(OutputError) as info:
        check_results_path(tmp_path / f"r{suffix}", "iamc")
    assert f"unknown IAMC format '{suffix}'" in str(info.value)
    assert "(expected one of: .csv, .xlsx)" in str(info.value)
    with pytest.raises(OutputError, match="unknown IAMC format"):
        write_results(point, tmp_path / f"r{suffix}", layout="iamc")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("layout", ["wide", "IAMC", ""])
def test_an_unknown_layout_is_refused(tmp_path, point, layout):
    with pytest.raises(
        OutputError, match=rf"unknown layout {layout!r} \(expected one of: tidy, iamc\)"
    ):
        check_results_path(tmp_path / "r.csv", layout)
    with pytest.raises(OutputError, match="unknown layout"):
        write_results(point, tmp_path / "r.csv", layout=layout)
    assert list(tmp_path.iterdir()) == []
