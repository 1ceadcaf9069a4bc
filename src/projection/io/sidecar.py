"""The metadata sidecar of a CSV or JSON file: a Frictionless tabular data resource descriptor.

CSV and JSON have no standard place for metadata, so the run metadata of ``out.csv`` goes in
``out.csv.resource.json`` beside it, and the data file stays plain: ``pandas.read_csv(path)``,
``pandas.read_json(path)``, ``pyam.IamDataFrame(path)``, R's ``read.csv`` and spreadsheets
open it with no extra arguments.

The sidecar is a `Frictionless Data <https://datapackage.org>`_ *tabular data resource*
descriptor (Data Resource and Table Schema specifications, v1), so standard tools understand
it (``frictionless validate out.csv.resource.json`` checks the data against it):

.. code-block:: json

    {
     "profile": "tabular-data-resource",
     "name": "out",
     "path": "out.csv",
     "format": "csv",
     "mediatype": "text/csv",
     "encoding": "utf-8",
     "hash": "sha256:9f0c...",
     "schema": {"fields": [{"name": "scenario", "type": "string"},
                           {"name": "year", "type": "integer"}, ...]},
     "projection": {"projection_version": "0.1.0", "seed": 1, "scenarios": [...]}
    }

The ``projection`` key holds the run metadata (:func:`projection.io.metadata.run_metadata`)
as JSON, unchanged; ``hash`` is the SHA-256 of the data file, so a sidecar that no longer
describes its file (the file edited, or a pair mixed up when copied) is noticed when it is
read. (There is no ``bytes``: the Frictionless framework cannot count the bytes of a JSON
resource and would report a mismatch.)

Why one sidecar per file, not one ``datapackage.json`` per folder: several outputs are often
written to one folder (a run, its targets, an IAMC export), by separate commands, possibly at
once; a shared descriptor would have to be read, merged and rewritten by each, and could not
be replaced atomically together with the file it describes. A per-file descriptor is written
with its file in one atomic step (:func:`projection.files.atomic_paths`), moves with it, and
its name ends in ``.resource.json``, the suffix by which the Frictionless framework recognises
a resource descriptor.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..exceptions import ScenarioError
from ..files import atomic_paths, file_sha256

__all__ = [
    "SIDECAR_SUFFIX",
    "MEDIATYPES",
    "sidecar_path",
    "field_type",
    "resource_descriptor",
    "write_with_sidecar",
    "read_sidecar",
    "legacy_csv_metadata",
    "decode_text",
]

#: Appended to a data file's name to name its sidecar: ``out.csv`` -> ``out.csv.resource.json``.
SIDECAR_SUFFIX = ".resource.json"

#: Format -> media type, for the formats written with a sidecar.
MEDIATYPES = {"csv": "text/csv", "json": "application/json"}


def sidecar_path(path: str | Path) -> Path:
    """The sidecar of a data file: ``out.csv`` -> ``out.csv.resource.json``, beside it."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def field_type(values: Any) -> str:
    """The Table Schema type of a column (numpy array, masked array or pandas series):
    ``integer``, ``number``, ``boolean``, ``datetime`` or ``string``.

    Examples
    --------
    >>> import numpy as np
    >>> [field_type(np.array(v)) for v in ([2025], [0.5], [True], ["GW"])]
    ['integer', 'number', 'boolean', 'string']
    """
    dtype = getattr(values, "dtype", None)
    categories = getattr(dtype, "categories", None)  # a pandas categorical: its labels' type
    if categories is not None:
        dtype = categories.dtype
    kind = getattr(dtype, "kind", "O")
    if kind in "iu":
        return "integer"
    if kind == "f":
        return "number"
    if kind == "b":
        return "boolean"
    if kind == "M":
        return "datetime"
    if kind == "O" and hasattr(values, "infer_objects"):  # a pandas series of objects
        import pandas as pd

        inferred = pd.api.types.infer_dtype(values, skipna=True)
        return {
            "integer": "integer",
            "floating": "number",
            "mixed-integer-float": "number",
            "decimal": "number",
            "boolean": "boolean",
        }.get(inferred, "string")
    return "string"


def resource_descriptor(
    path: str | Path,
    fmt: str,
    fields: Sequence[tuple[str, str]],
    metadata: Mapping[str, Any],
    *,
    data: str | Path | None = None,
) -> dict[str, Any]:
    """The Frictionless tabular data resource descriptor of a data file.

    Parameters
    ----------
    path : str or Path
        The data file's final path; the descriptor names it relative to its own folder.
    fmt : {"csv", "json"}
    fields : sequence of (name, type)
        The columns, in order, with their Table Schema types (:func:`field_type`).
    metadata : mapping
        The run metadata, kept under the ``projection`` key.
    data : str or Path, optional
        Where the data's bytes are now (a temporary file before the rename), for ``hash``;
        default ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "My Run.csv"
    >>> _ = f.write_text("year,value\\n2025,1.5\\n")
    >>> d = resource_descriptor(f, "csv", [("year", "integer"), ("value", "number")], {"seed": 1})
    >>> d["name"], d["path"], d["mediatype"], d["hash"][:7], d["projection"]
    ('my-run', 'My Run.csv', 'text/csv', 'sha256:', {'seed': 1})
    """
    target = Path(path)
    name = re.sub(r"[^-a-z0-9._]+", "-", target.stem.lower()).strip("-.") or "data"
    digest = file_sha256(Path(data) if data is not None else target)
    return {
        "profile": "tabular-data-resource",
        "name": name,
        "path": target.name,
        "format": fmt,
        "mediatype": MEDIATYPES[fmt],
        "encoding": "utf-8",
        "hash": f"sha256:{digest}",
        "schema": {"fields": [{"name": str(n), "type": t} for n, t in fields]},
        "projection": dict(metadata),
    }


def write_with_sidecar(
    path: str | Path,
    fmt: str,
    fields: Sequence[tuple[str, str]],
    metadata: Mapping[str, Any],
    write: Callable[[Path], None],
) -> Path:
    """Write a data file and its sidecar together, atomically.

    ``write(tmp)`` writes the data to a temporary file; the descriptor is then built from the
    bytes written and both files are renamed into place, the sidecar first. An error or Ctrl-C
    at any point leaves neither new file (and the old pair, if any, as it was).
    """
    target = Path(path)
    with atomic_paths(sidecar_path(target), target) as (tmp_meta, tmp_data):
        write(tmp_data)
        descriptor = resource_descriptor(target, fmt, fields, metadata, data=tmp_data)
        text = json.dumps(descriptor, indent=1, ensure_ascii=False, default=str)
        tmp_meta.write_text(text + "\n", encoding="utf-8")
    return target


def read_sidecar(path: str | Path, *, check: bool = True) -> dict[str, Any] | None:
    """The descriptor of a data file's sidecar, or ``None`` when it has none.

    Parameters
    ----------
    path : str or Path
        The data file (not the sidecar).
    check : bool
        Compare the data file's SHA-256 with the descriptor's ``hash``, and warn (:class:`UserWarning`) when they differ: the file changed after it was
        written, so the metadata may not describe it.

    Raises
    ------
    ScenarioError
        The sidecar is not a JSON object.
    """
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        descriptor = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise ScenarioError(f"cannot read the metadata sidecar: {err}", file=str(side)) from None
    if not isinstance(descriptor, dict):
        raise ScenarioError(
            "the metadata sidecar is not a JSON object (expected a Frictionless resource "
            "descriptor)",
            file=str(side),
        )
    if check and Path(path).is_file() and "hash" in descriptor:
        if descriptor["hash"] != f"sha256:{file_sha256(Path(path))}":
            warnings.warn(
                f"{Path(path).name} changed after it was written: its sidecar {side.name} "
                "describes other bytes, so its metadata may not be of this data",
                UserWarning,
                stacklevel=2,
            )
    return descriptor


def legacy_csv_metadata(path: str | Path) -> tuple[dict[str, Any], int]:
    """The ``# key: value`` lines at the top of a CSV file written by projection 0.1 (before
    the sidecar), and how many lines they take.

    Values are decoded as JSON where they are JSON (``7``, ``null``, ``[...]``), except
    ``projection_version``; other text is kept as it is.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "old.csv"
    >>> _ = f.write_text("# projection_version: 0.1\\n# seed: 7\\nyear,value\\n2025,1\\n")
    >>> legacy_csv_metadata(f)
    ({'projection_version': '0.1', 'seed': 7}, 2)
    """
    meta: dict[str, Any] = {}
    count = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.startswith("#"):
                break
            count += 1
            key, sep, value = line[1:].strip().partition(": ")
            if sep:
                meta[key] = decode_text(key, value)
    return meta, count


def decode_text(key: str, value: Any) -> Any:
    """A metadata value read back from a slot that holds text (a CSV ``#`` line, an Excel
    cell, a netCDF attribute): JSON where it is JSON, else the text; ``projection_version``
    always as text."""
    if key == "projection_version" or not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
