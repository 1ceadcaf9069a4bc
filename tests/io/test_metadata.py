"""Run metadata (version, seed, sampler, sample count, scenario hash) in every output format,
and the pandas conventions of result frames."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import cli

import projection
from projection.engine.tables import CATEGORICAL, concat_frames
from projection.io.metadata import METADATA_KEYS, read_metadata, run_metadata, scenario_hash
from projection.io.output import write_frame
from projection.io.sidecar import sidecar_path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


# --------------------------------------------------------------------------- scenario hash


def test_hash_ignores_where_the_file_lives_and_how_it_is_written(tmp_path, mini):
    copy = tmp_path / "elsewhere"
    shutil.copytree(SCENARIOS, copy)
    a = projection.load_scenario(SCENARIOS / "baseline.yaml")
    b = projection.load_scenario(copy / "baseline.yaml")
    assert scenario_hash(a) == scenario_hash(b)
    # same content, other key order and comments, written out flat: same hash
    flat = tmp_path / "flat.yaml"
    dumped = a.model_dump(mode="json")
    flat.write_text("# a comment\n" + yaml.safe_dump(dict(reversed(list(dumped.items())))))
    assert scenario_hash(projection.load_scenario(flat)) == scenario_hash(a)


def test_hash_changes_with_any_value(mini):
    s = projection.load_scenario(mini)
    h = scenario_hash(s)
    assert scenario_hash(s.with_overrides({"indicators.share.params.rate": 0.5000001})) != h
    assert scenario_hash(s.with_overrides({"description": "x"})) != h


def test_run_metadata_deterministic_and_ensemble(mini):
    p = projection.run(mini)
    m = run_metadata([p])
    assert list(m) == list(METADATA_KEYS)
    assert (m["seed"], m["sampler"], m["samples"]) == (None, None, 0)
    assert m["projection_version"] == projection.__version__
    e = projection.run(mini, samples=16, seed=4, sampler="sobol")
    m = run_metadata([p, e])
    assert (m["seed"], m["sampler"], m["samples"]) == (None, None, None)  # they differ
    assert m["scenarios"][1] == {
        "name": "mini",
        "sha256": scenario_hash(e.scenario),
        "seed": 4,
        "sampler": "sobol",
        "samples": 16,
    }
    json.dumps(m)  # serialisable


# ----------------------------------------------------------------------- every output format


def _decode(value):
    """Strings are written as they are, everything else as JSON."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def _metadata_of(path: Path) -> dict:
    """Read the run metadata back from a file written by `projection run -o`, with each
    format's own tools (not projection's reader)."""
    ext = path.suffix
    if ext in (".csv", ".json"):  # the sidecar: a Frictionless resource descriptor
        return json.loads(sidecar_path(path).read_text(encoding="utf-8"))["projection"]
    if ext == ".parquet":
        import pyarrow.parquet as pq

        return json.loads(pq.read_schema(path).metadata[b"projection"])
    if ext == ".xlsx":
        kv = pd.read_excel(path, sheet_name="meta").set_index("key")["value"]
        return {k: (v if k == "projection_version" else _decode(v)) for k, v in kv.items()}
    if ext == ".nc":
        xr = pytest.importorskip("xarray")
        with xr.open_dataset(path) as ds:
            attrs = dict(ds.attrs)
        return {k: (v if k == "projection_version" else _decode(v)) for k, v in attrs.items()}
    raise AssertionError(ext)


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".json", ".xlsx", ".nc"])
def test_every_output_records_version_seed_sampler_samples_and_hashes(tmp_path, ext):
    out = tmp_path / f"r{ext}"
    files = [SCENARIOS / "baseline.yaml", SCENARIOS / "delayed.yaml"]
    r = cli("run", *files, "-n", "40", "--seed", "9", "--sampler", "mc", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    m = _metadata_of(out)
    assert read_metadata(out) == m  # the library reads back what the format's tools see
    assert m["projection_version"] == projection.__version__
    assert (m["seed"], m["sampler"], m["samples"]) == (9, "mc", 40)
    hashes = {e["name"]: e["sha256"] for e in m["scenarios"]}
    assert hashes == {s.name: scenario_hash(s) for s in map(projection.load_scenario, files)}


def test_same_run_same_bytes_other_seed_other_metadata(tmp_path):
    a, b, c = (tmp_path / f"{k}.csv" for k in "abc")
    args = ["run", SCENARIOS / "baseline.yaml", "-n", "30"]
    for path, seed in ((a, 1), (b, 1), (c, 2)):
        assert cli(*args, "--seed", seed, "-o", path, "-q").returncode == 0
    assert a.read_bytes() == b.read_bytes()
    da, db = (json.loads(sidecar_path(f).read_text()) for f in (a, b))
    assert (da.pop("name"), da.pop("path"), db.pop("name"), db.pop("path")) == (
        "a",
        "a.csv",
        "b",
        "b.csv",
    )
    assert da == db  # no time stamp: the same run, the same sidecar
    assert _metadata_of(c)["seed"] == 2


def test_compare_output_records_metadata(tmp_path):
    out = tmp_path / "cmp.json"
    r = cli("compare", SCENARIOS / "baseline.yaml", SCENARIOS / "accelerated.yaml", "-o", out)
    assert r.returncode == 0, r.stderr
    m = _metadata_of(out)
    assert [e["name"] for e in m["scenarios"]] == ["baseline", "accelerated"]


def test_netcdf_holds_the_tidy_values(tmp_path):
    xr = pytest.importorskip("xarray")
    runs = [projection.run(SCENARIOS / n) for n in ("baseline.yaml", "accelerated.yaml")]
    out = write_frame(concat_frames(runs), tmp_path / "r.nc", metadata=run_metadata(runs))
    with xr.open_dataset(out) as ds:
        for p in runs:
            for name, values in p.values.items():
                got = ds[name].sel(scenario=p.name).to_numpy()
                np.testing.assert_array_equal(got, values)
                assert ds[name].attrs["units"] == p.units[name]


def test_write_frame_leaves_no_file_when_the_writer_fails(tmp_path):
    out = tmp_path / "r.nc"
    with pytest.raises(projection.ProjectionError, match="tidy layout"):
        write_frame(pd.DataFrame({"a": [1]}), out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ext", [".csv", ".parquet", ".json", ".xlsx", ".nc"])
def test_every_format_opens_in_its_standard_reader_with_no_arguments(tmp_path, ext):
    """pandas.read_csv / read_parquet / read_json / read_excel and xarray.open_dataset, with
    nothing but the path, give the run's values."""
    out = tmp_path / f"r{ext}"
    e = projection.run(SCENARIOS / "paper-targets.yaml", samples=200, seed=1)
    r = cli("run", SCENARIOS / "paper-targets.yaml", "-n", "200", "--seed", "1", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    expected = e.to_frame()
    if ext == ".nc":
        xr = pytest.importorskip("xarray")
        with xr.open_dataset(out) as ds:
            got = ds["ev_sales_share"].sel(scenario="paper-targets", quantile=0.5).to_numpy()
        np.testing.assert_array_equal(got, e.bands["ev_sales_share"][1])
        return
    reader = {
        ".csv": pd.read_csv,
        ".parquet": pd.read_parquet,
        ".json": pd.read_json,
        ".xlsx": pd.read_excel,
    }[ext]
    got = reader(out)
    assert list(got.columns) == list(expected.columns)
    # the files hold every float exactly; pandas.read_json's default (fast, not precise) float
    # parser may be off in the last digit
    np.testing.assert_allclose(got["value"].to_numpy(float), expected["value"], rtol=1e-14)
    assert got["indicator"].astype(str).tolist() == expected["indicator"].astype(str).tolist()


# ---------------------------------------------------------------------------- pandas frames


def test_label_columns_are_categoricals_in_order_of_appearance():
    runs = [projection.run(SCENARIOS / n) for n in ("delayed.yaml", "baseline.yaml")]
    frame = concat_frames(runs)
    for col in CATEGORICAL:
        assert isinstance(frame[col].dtype, pd.CategoricalDtype), col
    assert list(frame["scenario"].cat.categories) == ["delayed", "baseline"]
    e = projection.run(SCENARIOS / "baseline.yaml", samples=8, seed=1, keep_samples=True)
    tidy = e.to_frame(samples=True)
    assert isinstance(tidy["indicator"].dtype, pd.CategoricalDtype)
    assert tidy["year"].dtype.kind == "i" and tidy["value"].dtype == float
