"""Writing results: CSV, Parquet, JSON, Excel or netCDF, chosen by the file extension, atomically.

Every file opens in its format's standard reader with no extra arguments
(``pandas.read_csv(path)``, ``pandas.read_json(path)``, ``pandas.read_parquet(path)``,
``pandas.read_excel(path)``, ``xarray.open_dataset(path)``), and every file records the run's
metadata (:func:`projection.io.metadata.run_metadata`: the tool's version, the seed, the
sampler, the sample count and a hash of each resolved scenario) in the standard place its
format has for it:

* CSV and JSON, which have none: a sidecar ``<file>.resource.json`` beside the file (e.g.
  ``out.csv.resource.json``), a Frictionless tabular data resource descriptor with the
  metadata under its ``projection`` key (:mod:`projection.io.sidecar`); the CSV is a header
  row then the data, the JSON a list of records (``[{"scenario": ..., "value": ...}, ...]``);
* Parquet: the ``projection`` key of the file's schema metadata, as JSON;
* Excel: a ``meta`` sheet after the ``data`` sheet;
* netCDF (through xarray, ``pip install 'projection[netcdf]'``): the dataset's attributes.

:func:`projection.io.metadata.read_metadata` reads the metadata back from any of them.

Every file is written atomically (:func:`projection.files.atomic_path`): an error or Ctrl-C
part-way leaves either the old file or the complete new one, never a half-written one. A CSV
or JSON file and its sidecar are replaced together (:func:`projection.files.atomic_paths`):
neither is left without the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import OutputError
from ..files import atomic_path, check_destination
from .sidecar import MEDIATYPES, field_type, write_with_sidecar

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FORMATS",
    "LAYOUTS",
    "check_output_path",
    "check_results_path",
    "write_results",
    "json_records",
    "metadata_text",
    "write_csv",
    "write_csv_columns",
    "write_frame",
    "write_xlsx",
]

#: Extension -> format name.
FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".xlsx": "xlsx",
    ".nc": "netcdf",
}

#: Layouts of a results file: one row per value, or the IAMC wide layout.
LAYOUTS = ("tidy", "iamc")

#: Format name -> (module it needs, how to install it).
_NEEDS = {
    "parquet": ("pyarrow", "pip install pyarrow"),
    "xlsx": ("openpyxl", "pip install 'projection[excel]'"),
    "netcdf": ("xarray", "pip install 'projection[netcdf]'"),
}


def check_output_path(path: str | Path) -> str:
    """Check an output path before any work is done; return its format name.

    Raises
    ------
    OutputError
        Unknown extension, a directory that does not exist, or a format whose library is
        missing (Parquet without pyarrow, Excel without openpyxl, netCDF without xarray).
    """
    p = Path(path)
    fmt = check_destination(p, FORMATS, "output format")
    if fmt in _NEEDS:
        module, hint = _NEEDS[fmt]
        try:
            __import__(module)
        except ImportError:
            raise OutputError(f"{p}: writing {fmt} needs {module} ({hint})") from None
    return fmt


def check_results_path(path: str | Path, layout: str = "tidy") -> str:
    """Check where :func:`write_results` will write, before any work: the extension fits the
    layout and the directory exists. Returns the format name."""
    if layout not in LAYOUTS:
        raise OutputError(f"unknown layout {layout!r} (expected one of: {', '.join(LAYOUTS)})")
    if layout == "iamc":
        from .iamc import check_iamc_path

        return check_iamc_path(path)
    return check_output_path(path)


def write_results(
    results: Any,
    path: str | Path,
    *,
    layout: str = "tidy",
    members: bool = False,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write results (what :func:`projection.run` returns) to ``path``, atomically, with the
    run's metadata.

    Parameters
    ----------
    results : Result or sequence of Result
    path : str or Path
        Its extension picks the format (see :data:`FORMATS`; ``.csv``/``.xlsx`` for IAMC).
    layout : {"tidy", "iamc"}
        ``tidy``: one row per value (:meth:`~projection.engine.Result.to_frame`: ``scenario,
        indicator, year, value, unit``, with ``quantile`` for an ensemble); ``iamc``: the IAMC
        layout (:func:`projection.io.iamc.to_iamc`).
    members : bool
        Also every member of an ensemble run with ``keep_samples``.
    metadata : mapping, optional
        Default: :func:`projection.io.metadata.run_metadata` of ``results``.
    """
    from .metadata import run_metadata

    results = [results] if hasattr(results, "central") else list(results)
    check_results_path(path, layout)
    meta = dict(metadata) if metadata is not None else run_metadata(results)
    if layout == "iamc":
        from .iamc import write_iamc

        return write_iamc(results, path, metadata=meta)
    from ..engine.tables import stack

    tables = [r.columns(samples=members) for r in results]
    if check_output_path(path) == "csv" and len({tuple(t) for t in tables}) == 1:
        columns = stack(tables)  # plain arrays to text: no pandas needed
        fields = [(name, field_type(values)) for name, values in columns.items()]
        return write_with_sidecar(
            path, "csv", fields, meta, lambda tmp: write_csv_columns(columns, tmp)
        )
    import pandas as pd

    from ..engine.tables import categorise

    frames = [r.to_frame(samples=members) for r in results]
    return write_frame(categorise(pd.concat(frames, ignore_index=True)), path, metadata=meta)


def write_frame(
    frame: pd.DataFrame, path: str | Path, *, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write a frame to ``path`` in the format its extension names, atomically.

    Parameters
    ----------
    frame : DataFrame
        Tidy (``scenario, indicator, year, ..., value, unit``) or any other flat frame; netCDF
        needs the tidy layout.
    path : str or Path
        ``.csv``, ``.parquet``/``.pq``, ``.json``, ``.xlsx`` or ``.nc``.
    metadata : mapping, optional
        Run metadata to record with the file (see the module docstring for where it goes).

    Examples
    --------
    >>> import json, pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> f = pd.DataFrame({"scenario": ["a"], "indicator": ["x"], "year": [2025], "value": [1.0], "unit": ["GW"]})
    >>> write_frame(f, d / "out.csv", metadata={"seed": 1}).read_text().splitlines()
    ['scenario,indicator,year,value,unit', 'a,x,2025,1.0,GW']
    >>> pd.read_csv(d / "out.csv").shape
    (1, 5)
    >>> json.loads((d / "out.csv.resource.json").read_text())["projection"]
    {'seed': 1}
    """
    fmt = check_output_path(path)
    meta = dict(metadata or {})
    if fmt in MEDIATYPES:  # CSV, JSON: the metadata in a sidecar
        fields = [(str(name), field_type(frame[name])) for name in frame.columns]
        return write_with_sidecar(path, fmt, fields, meta, lambda tmp: _WRITERS[fmt](frame, tmp))
    with atomic_path(path) as tmp:
        _WRITERS[fmt](frame, tmp, meta)
    return Path(path)


def metadata_text(value: Any) -> str:
    """A metadata value for a slot that holds text (an Excel cell, a netCDF attribute):
    strings as they are (as a JSON string when they hold a line break), the rest as compact
    JSON (``null``, ``7``, ``[{"name":...}]``)."""
    if isinstance(value, str) and not any(c in value for c in "\r\n"):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON-ready records, every float to its last digit (pandas' own
    ``to_json`` rounds to 10 decimals: 1.2e-12 would be written as 0)."""
    import math

    import numpy as np
    import pandas as pd

    def plain(v: Any) -> Any:
        if v is None or v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, (np.integer,)):
            return int(v)
        if isinstance(v, (float, np.floating)):
            v = float(v)
            return v if math.isfinite(v) else None
        if isinstance(v, np.bool_):
            return bool(v)
        return v

    return [
        {str(k): plain(v) for k, v in row.items()}
        for row in frame.astype(object).to_dict(orient="records")
    ]


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Plain CSV: the header row, then the data (the metadata goes in the sidecar:
    :func:`write_frame`)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        frame.to_csv(f, index=False)


def write_csv_columns(columns: Mapping[str, Any], path: Path) -> None:
    """Plain CSV of a tidy table given as arrays (:mod:`projection.engine.tables`): the same
    text ``pandas.DataFrame.to_csv`` writes for the same table (tested), without importing
    pandas. Floats are written to their last digit (numpy's shortest repr), missing values as
    empty fields. The metadata goes in the sidecar (:func:`write_results`)."""
    import csv
    import os

    import numpy as np

    def text(values: Any) -> list[str]:
        if isinstance(values, np.ma.MaskedArray):
            out = np.ma.getdata(values).astype(str).astype(object)
            out[np.ma.getmaskarray(values)] = ""
            return out.tolist()
        arr = np.asarray(values)
        if arr.dtype.kind == "f":
            out = arr.astype(str).astype(object)
            out[np.isnan(arr)] = ""
            return out.tolist()
        if arr.dtype.kind in "iub":
            return arr.astype(str).tolist()
        return ["" if v is None else str(v) for v in arr.tolist()]

    names = list(columns)
    n = len(columns[names[0]]) if names else 0
    block = 65_536
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator=os.linesep)
        writer.writerow(names)
        for start in range(0, n, block):
            cols = [text(columns[c][start : start + block]) for c in names]
            writer.writerows(zip(*cols))


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: Mapping[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    extra = {b"projection": json.dumps(dict(metadata), sort_keys=True).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    pq.write_table(table, path)


def _write_json(frame: pd.DataFrame, path: Path) -> None:
    """A JSON list of records, one object per row (``pandas.read_json`` reads it as it is)."""
    path.write_text(json.dumps(json_records(frame), indent=1) + "\n", encoding="utf-8")


def write_xlsx(
    frame: pd.DataFrame,
    path: Path,
    metadata: Mapping[str, Any],
    meta_frame: pd.DataFrame | None = None,
) -> None:
    """Excel: a ``data`` sheet and a ``meta`` sheet (``meta_frame``, or key/value rows)."""
    import pandas as pd

    if meta_frame is None:
        meta_frame = pd.DataFrame(
            {"key": list(metadata), "value": [metadata_text(v) for v in metadata.values()]}
        )
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        frame.to_excel(xl, sheet_name="data", index=False)
        meta_frame.to_excel(xl, sheet_name="meta", index=False)


def _write_netcdf(frame: pd.DataFrame, path: Path, metadata: Mapping[str, Any]) -> None:
    import xarray as xr

    if not {"indicator", "year", "value", "unit"} <= set(frame.columns):
        raise OutputError(f"{path}: netCDF needs the tidy layout (indicator, year, value, unit)")
    dims = [c for c in frame.columns if c not in ("indicator", "value", "unit")]
    data = frame.astype({c: str for c in ("scenario", "indicator") if c in frame.columns})
    units = data.groupby("indicator", sort=False)["unit"].first()
    array = data.set_index(["indicator", *dims])["value"].to_xarray()
    ds = xr.Dataset({name: array.sel(indicator=name, drop=True) for name in units.index})
    for name, unit in units.items():
        ds[name].attrs["units"] = unit
    ds.attrs.update({k: metadata_text(v) for k, v in metadata.items()})
    ds.to_netcdf(path)


_WRITERS: dict[str, Callable[..., None]] = {
    "csv": write_csv,
    "parquet": _write_parquet,
    "json": _write_json,
    "xlsx": write_xlsx,
    "netcdf": _write_netcdf,
}
