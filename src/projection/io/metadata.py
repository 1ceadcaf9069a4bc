"""Run metadata: what produced a result, recorded in every file the tool writes.

A result can be traced to exactly what produced it: the tool's version, the seed, the sampler,
the number of ensemble members and a SHA-256 hash of each *resolved* scenario (after
``extends``, defaults and ``--set`` overrides). Two runs with equal metadata give the same
numbers, bit for bit.

The hash is taken over the scenario's canonical JSON (:meth:`pydantic.BaseModel.model_dump` in
JSON mode, keys sorted, no whitespace), so it does not depend on the file's path, its comments,
its key order or whether values came from a parent file.

:func:`read_metadata` reads the metadata back from any file the tool wrote: from the sidecar of
a CSV or JSON file (:mod:`projection.io.sidecar`), from inside the other formats, and from the
``#`` lines of CSV files written before the sidecar.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario

__all__ = ["scenario_hash", "run_metadata", "read_metadata", "METADATA_KEYS"]

#: Top-level keys of :func:`run_metadata`, in order.
METADATA_KEYS = ("projection_version", "seed", "sampler", "samples", "scenarios")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of a resolved scenario's canonical JSON, as 64 hex digits.

    Examples
    --------
    >>> import projection
    >>> from projection.io.metadata import scenario_hash
    >>> a = projection.load_scenario("scenarios/paper-targets.yaml")
    >>> b = a.with_overrides({"name": "other"})
    >>> len(scenario_hash(a)), scenario_hash(a) == scenario_hash(b)
    (64, False)
    """
    text = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_metadata(results: Sequence[Any]) -> dict[str, Any]:
    """Metadata of one run of one or more scenarios.

    Parameters
    ----------
    results : sequence of Result
        What :func:`projection.run` returned for each scenario of the run.

    Returns
    -------
    dict
        ``projection_version``; ``seed``, ``sampler`` and ``samples`` (``None``, ``None`` and
        ``0`` for a deterministic run; when scenarios were run with different settings, the
        per-scenario entries say which); ``scenarios``: one ``{"name", "sha256", "seed",
        "sampler", "samples"}`` per result, in order. Every value is JSON-serialisable.

    Examples
    --------
    >>> import projection
    >>> from projection.io.metadata import run_metadata
    >>> e = projection.run("scenarios/baseline.yaml", samples=100, seed=7)
    >>> m = run_metadata([e])
    >>> m["seed"], m["sampler"], m["samples"], m["scenarios"][0]["name"]
    (7, 'lhs', 100, 'baseline')
    """
    from .. import __version__

    entries = []
    for r in results:
        n = int(r.samples)
        entries.append(
            {
                "name": r.scenario.name,
                "sha256": scenario_hash(r.scenario),
                "seed": r.seed if n else None,
                "sampler": r.sampler if n else None,
                "samples": n,
            }
        )

    def common(key: str) -> Any:
        values = {json.dumps(e[key]) for e in entries}
        return entries[0][key] if len(values) == 1 else None

    return {
        "projection_version": __version__,
        "seed": common("seed") if entries else None,
        "sampler": common("sampler") if entries else None,
        "samples": common("samples") if entries else 0,
        "scenarios": entries,
    }


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The run metadata recorded with a file the tool wrote (``-o``, :func:`write_results
    <projection.io.output.write_results>`, :func:`write_iamc <projection.io.iamc.write_iamc>`).

    Parameters
    ----------
    path : str or Path
        The data file: ``.csv`` or ``.json`` (metadata in the sidecar ``<file>.resource.json``,
        or, for files written before the sidecar, in leading ``#`` lines / a ``metadata``
        key), ``.parquet``/``.pq`` (schema metadata), ``.xlsx`` (``meta`` sheet) or ``.nc``
        (attributes).

    Returns
    -------
    dict
        What was written (for a CSV or JSON file, exactly); ``{}`` when the file records
        none. From the text-only slots (Excel cells, netCDF attributes, old ``#`` lines)
        values are decoded as JSON where they are JSON. An IAMC ``.xlsx`` file's ``meta``
        sheet (one row per scenario) gives ``projection_version`` and ``scenarios``.

    Raises
    ------
    ScenarioError
        The file is missing, or its sidecar is not a JSON object.

    Warns
    -----
    UserWarning
        The sidecar describes other bytes than the file holds: the file was changed after it
        was written.

    Examples
    --------
    >>> import projection, tempfile, pathlib
    >>> from projection.io.output import write_results
    >>> e = projection.run("scenarios/baseline.yaml", samples=100, seed=7)
    >>> out = write_results(e, pathlib.Path(tempfile.mkdtemp()) / "bands.csv")
    >>> read_metadata(out) == run_metadata([e])
    True
    """
    from ..exceptions import ScenarioError
    from .sidecar import read_sidecar

    p = Path(path)
    if not p.is_file():
        raise ScenarioError("no such file" if not p.exists() else "is not a file", file=str(p))
    descriptor = read_sidecar(p)
    if descriptor is not None:
        meta = descriptor.get("projection", {})
        return dict(meta) if isinstance(meta, dict) else {}
    reader = _READERS.get(p.suffix.lower())
    return reader(p) if reader is not None else {}


def _csv_metadata(path: Path) -> dict[str, Any]:
    from .sidecar import legacy_csv_metadata

    return legacy_csv_metadata(path)[0]


def _json_metadata(path: Path) -> dict[str, Any]:
    try:  # written before the sidecar: {"metadata": {...}, "data": [...]}
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    return dict(meta) if isinstance(meta, dict) else {}


def _parquet_metadata(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(b"projection")
    return json.loads(raw) if raw else {}


def _xlsx_metadata(path: Path) -> dict[str, Any]:
    import pandas as pd

    from .sidecar import decode_text

    try:  # cells as written: 'null' stays text (pandas would read it as NaN), empty is ''
        meta = pd.read_excel(path, sheet_name="meta", keep_default_na=False)
    except ValueError:  # no meta sheet
        return {}
    if {"key", "value"} <= set(meta.columns):
        return {str(k): decode_text(str(k), v) for k, v in zip(meta["key"], meta["value"])}
    if "scenario_sha256" not in meta.columns:
        return {}

    def plain(v: Any) -> Any:  # a cell: empty -> None, numpy scalars -> Python
        return None if v == "" else v.item() if hasattr(v, "item") else v

    rows = meta.to_dict(orient="records")
    return {  # an IAMC meta sheet: one row per scenario
        "projection_version": str(rows[0]["projection_version"]) if rows else None,
        "scenarios": [
            {
                "name": str(r["scenario"]),
                "sha256": r["scenario_sha256"],
                "seed": plain(r["seed"]),
                "sampler": plain(r["sampler"]),
                "samples": plain(r["samples"]),
            }
            for r in rows
        ],
    }


def _netcdf_metadata(path: Path) -> dict[str, Any]:
    import xarray as xr

    from .sidecar import decode_text

    with xr.open_dataset(path) as ds:
        return {str(k): decode_text(str(k), v) for k, v in ds.attrs.items()}


_READERS = {
    ".csv": _csv_metadata,
    ".json": _json_metadata,
    ".parquet": _parquet_metadata,
    ".pq": _parquet_metadata,
    ".xlsx": _xlsx_metadata,
    ".nc": _netcdf_metadata,
}
