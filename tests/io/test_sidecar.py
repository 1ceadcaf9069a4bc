"""The metadata sidecar of CSV and JSON outputs (projection.io.sidecar): plain data files that
every standard reader opens with no arguments, a Frictionless resource descriptor beside each,
written atomically with its file, and read back (also from files written before it)."""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import cli

import projection
from projection.exceptions import ScenarioError
from projection.io.metadata import read_metadata, run_metadata, scenario_hash
from projection.io.output import write_frame, write_results
from projection.io.sidecar import SIDECAR_SUFFIX, field_type, sidecar_path

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "scenarios" / "paper-targets.yaml"
TYPES = {"string", "number", "integer", "boolean", "datetime"}


def names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def descriptor(path: Path) -> dict:
    return json.loads(sidecar_path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ensemble():
    return projection.run(PAPER, samples=40, seed=3, keep_samples=True)


# ------------------------------------------------------------------------ the descriptor


@pytest.mark.parametrize(
    "name, layout, members",
    [
        ("tidy.csv", "tidy", False),
        ("members.csv", "tidy", True),
        ("iamc.csv", "iamc", False),
        ("tidy.json", "tidy", False),
        ("members.json", "tidy", True),
    ],
)
def test_the_sidecar_is_a_frictionless_tabular_data_resource(
    tmp_path, ensemble, name, layout, members
):
    path = write_results(ensemble, tmp_path / name, layout=layout, members=members)
    assert sidecar_path(path).name == name + SIDECAR_SUFFIX
    assert names(tmp_path) == [name, name + SIDECAR_SUFFIX]  # no temporary file left
    d = descriptor(path)
    fmt = path.suffix[1:]
    assert d["profile"] == "tabular-data-resource"
    assert re.fullmatch(r"[-a-z0-9._/]+", d["name"])  # the Data Resource name pattern
    assert d["path"] == name  # relative to the descriptor: the pair can be moved together
    assert (d["format"], d["encoding"]) == (fmt, "utf-8")
    assert d["mediatype"] == {"csv": "text/csv", "json": "application/json"}[fmt]
    assert d["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert d["projection"] == run_metadata([ensemble])
    read = pd.read_csv(path) if fmt == "csv" else pd.read_json(path)
    fields = d["schema"]["fields"]
    assert [f["name"] for f in fields] == [str(c) for c in read.columns]  # the header, in order
    for f in fields:
        assert f["type"] in TYPES
        column = read[f["name"]]
        if f["type"] == "string":
            assert not pd.api.types.is_numeric_dtype(column), f
        else:  # numbers read as numbers (integers with gaps, e.g. `sample`, as floats)
            assert pd.api.types.is_numeric_dtype(column), f
    types = {f["name"]: f["type"] for f in fields}
    if layout == "tidy":
        assert (types["year"], types["value"], types["quantile"]) == ("integer", "number", "number")
        assert types["sample" if members else "unit"] == ("integer" if members else "string")
    else:
        assert types["2030"] == "number" and types["variable"] == "string"


def test_field_types_of_pandas_columns():
    frame = pd.DataFrame(
        {
            "label": pd.Categorical(["a", "b"]),
            "code": pd.Categorical([1, 2]),
            "n": pd.array([1, None], dtype="Int64"),
            "x": [0.5, np.nan],
            "ok": [True, False],
            "mixed": pd.Series([1, 2.5], dtype=object),
            "text": ["a", None],
            "when": pd.to_datetime(["2025-01-01", "2026-01-01"]),
        }
    )
    assert [field_type(frame[c]) for c in frame] == [
        "string",
        "integer",
        "integer",
        "number",
        "boolean",
        "number",
        "string",
        "datetime",
    ]
    assert field_type(np.ma.masked_all(3, dtype=np.int64)) == "integer"


def test_frictionless_validates_the_files_against_their_sidecars(tmp_path, ensemble):
    frictionless = pytest.importorskip("frictionless")
    for name, layout in (("t.csv", "tidy"), ("i.csv", "iamc")):
        path = write_results(ensemble, tmp_path / name, layout=layout)
        report = frictionless.validate(str(sidecar_path(path)))
        assert report.valid, report.flatten(["type", "note"])


# ------------------------------------------------------- the command line: no reader arguments


@pytest.mark.parametrize(
    "args, name",
    [
        ([], "out.csv"),
        (["--layout", "iamc"], "iamc.csv"),
        (["-n", "200", "--seed", "1"], "ensemble.csv"),
        (["-n", "200", "--seed", "1", "--layout", "iamc"], "ensemble-iamc.csv"),
        (["-n", "200", "--seed", "1"], "ensemble.json"),
    ],
)
def test_cli_outputs_open_in_pandas_with_no_arguments(tmp_path, args, name):
    out = tmp_path / name
    r = cli("run", PAPER, "-q", "-o", out, *args)
    assert r.returncode == 0, r.stderr
    assert names(tmp_path) == [name, name + SIDECAR_SUFFIX]
    read = pd.read_csv(out) if out.suffix == ".csv" else pd.read_json(out)
    iamc = "iamc" in args
    first = ["model", "scenario", "region", "variable", "unit"] if iamc else ["scenario"]
    assert [str(c) for c in read.columns[: len(first)]] == first
    assert set(read["scenario"]) == {"paper-targets"}
    samples = 200 if "-n" in args else 0
    rows = (1 + 3 if samples else 1) if iamc else 16 * (3 if samples else 1)  # |Mean, 3 bands
    indicators = len(projection.load_scenario(PAPER).indicators)
    assert len(read) == indicators * rows  # IAMC: one column per year, tidy: 16 rows
    meta = read_metadata(out)
    assert meta["projection_version"] == projection.__version__
    assert (meta["seed"], meta["samples"]) == ((1, 200) if samples else (None, 0))
    assert meta["scenarios"][0]["sha256"] == scenario_hash(projection.load_scenario(PAPER))


# ------------------------------------------------------------- nothing left behind on failure


def _old_pair(tmp_path: Path, name: str) -> dict[str, bytes]:
    (tmp_path / name).write_text("old data\n")
    sidecar_path(tmp_path / name).write_text("{}\n")
    return {p.name: p.read_bytes() for p in tmp_path.iterdir()}


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_or_interrupted_csv_write_leaves_neither_file(
    tmp_path, monkeypatch, ensemble, existing
):
    import projection.io.output as output

    before = _old_pair(tmp_path, "r.csv") if existing else {}

    def interrupted(columns, path):
        path.write_text("scenario,indicator\npaper-targets,")  # part of the file, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(output, "write_csv_columns", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_results(ensemble, tmp_path / "r.csv")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_sidecar_leaves_no_csv_either(tmp_path, monkeypatch, ensemble, existing):
    import projection.io.sidecar as sidecar

    before = _old_pair(tmp_path, "r.csv") if existing else {}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sidecar, "resource_descriptor", full_disk)
    with pytest.raises(OSError, match="No space left"):
        write_results(ensemble, tmp_path / "r.csv")
    with pytest.raises(OSError, match="No space left"):
        write_results(ensemble, tmp_path / "r.csv", layout="iamc")
    with pytest.raises(OSError, match="No space left"):
        write_frame(ensemble.to_frame(), tmp_path / "r.csv")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_failed_json_or_iamc_write_leaves_neither_file(tmp_path, monkeypatch, ensemble):
    import projection.io.iamc as iamc
    import projection.io.output as output

    def broken(*args, **kwargs):
        raise ValueError("cannot write")

    monkeypatch.setitem(output._WRITERS, "json", broken)
    monkeypatch.setattr(iamc, "write_csv", broken)
    with pytest.raises(ValueError, match="cannot write"):
        write_results(ensemble, tmp_path / "r.json")
    with pytest.raises(ValueError, match="cannot write"):
        write_results(ensemble, tmp_path / "r.csv", layout="iamc")
    assert names(tmp_path) == []


def test_a_rename_failing_between_the_two_files_removes_the_first(tmp_path, monkeypatch, ensemble):
    import projection.files as files

    replace = files.os.replace
    calls = []

    def second_fails(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C between the two renames
        replace(src, dst)

    monkeypatch.setattr(files.os, "replace", second_fails)
    with pytest.raises(KeyboardInterrupt):
        write_results(ensemble, tmp_path / "r.csv")
    assert calls == ["r.csv.resource.json", "r.csv"]  # the sidecar first, the data last
    assert names(tmp_path) == []  # the sidecar renamed first was removed


# ------------------------------------------------------------------------- reading it back


def test_metadata_round_trip_through_the_sidecar(tmp_path, ensemble):
    meta = {**run_metadata([ensemble]), "overrides": ["a.b=1"], "note": 'é, "quoted"\nnext'}
    path = write_results(ensemble, tmp_path / "r.csv", metadata=meta)
    assert read_metadata(path) == meta
    path = write_frame(ensemble.to_frame(), tmp_path / "r.json", metadata=meta)
    assert read_metadata(path) == meta


def test_a_file_changed_after_writing_warns_that_its_metadata_may_be_stale(tmp_path, ensemble):
    path = write_results(ensemble, tmp_path / "r.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_metadata(path)["seed"] == 3  # unchanged: no warning
    path.write_text(path.read_text().replace("paper-targets", "edited"))
    with pytest.warns(UserWarning, match=r"r\.csv changed after it was written"):
        meta = read_metadata(path)
    assert meta["seed"] == 3  # still given


def test_a_broken_sidecar_is_an_error_naming_it(tmp_path, ensemble):
    path = write_results(ensemble, tmp_path / "r.csv")
    sidecar_path(path).write_text("{not json")
    with pytest.raises(ScenarioError, match="cannot read the metadata sidecar") as info:
        read_metadata(path)
    assert "r.csv.resource.json" in str(info.value)
    sidecar_path(path).write_text("[1, 2]")
    with pytest.raises(ScenarioError, match="not a JSON object"):
        read_metadata(path)


def test_files_without_metadata_and_missing_files(tmp_path):
    plain = tmp_path / "other.csv"
    plain.write_text("year,value\n2025,1\n")
    assert read_metadata(plain) == {}
    with pytest.raises(ScenarioError, match="no such file"):
        read_metadata(tmp_path / "missing.csv")


def test_files_written_before_the_sidecar_still_read(tmp_path, ensemble):
    """projection 0.1 wrote CSV metadata as leading ``# key: value`` lines and JSON as
    ``{"metadata": ..., "data": ...}``: their metadata reads back."""
    meta = run_metadata([ensemble])
    old_csv = tmp_path / "old.csv"
    lines = [
        f"# {k}: {v if isinstance(v, str) else json.dumps(v, separators=(',', ':'))}"
        for k, v in meta.items()
    ]
    body = ensemble.to_frame().to_csv(index=False)
    old_csv.write_text("\n".join(lines) + "\n" + body)
    assert read_metadata(old_csv) == meta
    old_json = tmp_path / "old.json"
    records = json.loads(ensemble.to_frame().to_json(orient="records"))
    old_json.write_text(json.dumps({"metadata": meta, "data": records}))
    assert read_metadata(old_json) == meta
