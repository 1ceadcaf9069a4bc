"""The IAMC timeseries layout used by integrated-assessment tools (pyam, the IIASA databases).

One row per ``model, scenario, region, variable, unit`` and one column per year:

* ``model`` is ``projection <version>``;
* ``scenario`` is the scenario's ``name``;
* ``region`` is the scenario's ``region`` (default ``World``);
* ``variable`` is the indicator's ``variable`` (e.g. ``Transport|EV Sales Share``), or its key
  when the scenario gives none;
* for an ensemble, each indicator gives a ``|Mean`` row and one row per quantile band, named
  as in the IPCC AR6 scenario database (``|5th Percentile``, ``|50th Percentile``, ...).

:func:`write_iamc` writes CSV or Excel that ``pyam.IamDataFrame(path)`` and
``pandas.read_csv(path)`` / ``pandas.read_excel(path)`` read with no extra arguments. A CSV is
plain (header row first) with the run's metadata in its sidecar ``<file>.resource.json``
(:mod:`projection.io.sidecar`); an Excel file has ``data`` and ``meta`` sheets, which pyam
reads as data and meta indicators. :func:`read_iamc` reads either back into a long frame, e.g.
a history for :func:`projection.calibrate`, with the metadata in its ``attrs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ScenarioError
from ..files import atomic_path, check_destination
from .output import check_output_path, write_csv, write_xlsx
from .sidecar import field_type, legacy_csv_metadata, write_with_sidecar

__all__ = [
    "IAMC_COLUMNS",
    "IAMC_FORMATS",
    "to_iamc",
    "write_iamc",
    "read_iamc",
    "history_from_iamc",
    "is_iamc",
    "percentile_name",
]

#: The index columns of the IAMC layout, in order.
IAMC_COLUMNS = ("model", "scenario", "region", "variable", "unit")

#: Extensions an IAMC file can be written to.
IAMC_FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


def percentile_name(q: float) -> str:
    """``0.05`` -> ``'5th Percentile'``, ``0.5`` -> ``'50th Percentile'``, as in IPCC AR6.

    Examples
    --------
    >>> [percentile_name(q) for q in (0.01, 0.025, 0.5, 0.95)]
    ['1st Percentile', '2.5th Percentile', '50th Percentile', '95th Percentile']
    """
    p = round(q * 100, 10)
    if p == int(p):
        n = int(p)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix} Percentile"
    return f"{p:g}th Percentile"


def _model() -> str:
    from .. import __version__

    return f"projection {__version__}"


def to_iamc(results: Sequence[Any]) -> pd.DataFrame:
    """Projections and ensembles in the IAMC wide layout.

    Parameters
    ----------
    results : sequence of Result

    Returns
    -------
    DataFrame
        Columns ``model, scenario, region, variable, unit`` then one integer column per year
        (years a scenario does not project are NaN).

    Examples
    --------
    >>> import projection
    >>> p = projection.run("scenarios/paper-targets.yaml")
    >>> df = p.to_iamc()
    >>> df.loc[0, ["scenario", "region", "variable", "unit"]].tolist()
    ['paper-targets', 'Pakistan', 'Transport|EV Sales Share', '%']
    >>> round(float(df.loc[0, 2030]), 2) == round(p.value("ev_sales_share", 2030), 2)
    True
    """
    rows: list[dict[Any, Any]] = []
    for r in results:
        s = r.scenario
        years = [int(y) for y in r.years]
        ensemble = bool(r.samples)
        for name in [n for n in s.indicators if n in r.central]:  # the file's order
            ind = s.indicators[name]
            head = {
                "model": _model(),
                "scenario": s.name,
                "region": s.region,
                "unit": ind.unit,
            }
            variable = ind.variable or name
            if not ensemble:
                rows.append({**head, "variable": variable, **dict(zip(years, r.central[name]))})
                continue
            rows.append({**head, "variable": f"{variable}|Mean", **dict(zip(years, r.mean[name]))})
            for k, q in enumerate(r.quantiles):
                rows.append(
                    {
                        **head,
                        "variable": f"{variable}|{percentile_name(q)}",
                        **dict(zip(years, r.bands[name][k])),
                    }
                )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=list(IAMC_COLUMNS))
    year_cols = sorted(c for c in frame.columns if isinstance(c, int))
    return frame[[*IAMC_COLUMNS, *year_cols]]


def _meta_frame(meta: Mapping[str, Any]) -> pd.DataFrame:
    """One row per scenario of :func:`~projection.io.metadata.run_metadata` (pyam's ``meta``
    table): how each was produced."""
    return pd.DataFrame(
        [
            {
                "model": _model(),
                "scenario": e["name"],
                "projection_version": meta["projection_version"],
                "seed": e["seed"],
                "sampler": e["sampler"],
                "samples": e["samples"],
                "scenario_sha256": e["sha256"],
            }
            for e in meta["scenarios"]
        ]
    )


def write_iamc(
    results: Sequence[Any], path: str | Path, *, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write results as an IAMC file (``.csv`` or ``.xlsx``), atomically.

    Parameters
    ----------
    results : sequence of Result
    path : str or Path
    metadata : mapping, optional
        Run metadata; default :func:`projection.io.metadata.run_metadata` of ``results``.

    Examples
    --------
    >>> import projection, pandas as pd, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "results.csv"
    >>> _ = write_iamc([projection.run("scenarios/baseline.yaml")], out)
    >>> pd.read_csv(out).columns[:6].tolist()
    ['model', 'scenario', 'region', 'variable', 'unit', '2025']
    >>> read_iamc(out).attrs["metadata"]["scenarios"][0]["name"]
    'baseline'
    """
    from .metadata import run_metadata

    check_iamc_path(path)
    meta = dict(metadata) if metadata is not None else run_metadata(results)
    frame = to_iamc(results)
    fmt = IAMC_FORMATS[Path(path).suffix.lower()]
    if fmt == "csv":
        fields = [(str(c), field_type(frame[c])) for c in frame.columns]
        return write_with_sidecar(path, "csv", fields, meta, lambda tmp: write_csv(frame, tmp))
    with atomic_path(path) as tmp:
        runs = meta if "scenarios" in meta else run_metadata(results)
        write_xlsx(frame, tmp, meta, meta_frame=_meta_frame(runs))
    return Path(path)


def check_iamc_path(path: str | Path) -> str:
    """Check an IAMC destination before any work: ``.csv`` or ``.xlsx``, directory exists."""
    fmt = check_destination(path, IAMC_FORMATS, "IAMC format")
    check_output_path(path)  # the library the format needs
    return fmt


def read_iamc(path: str | Path) -> pd.DataFrame:
    """Read an IAMC file (``.csv`` or ``.xlsx``, wide layout) into a long frame.

    Returns
    -------
    DataFrame
        Columns ``model, scenario, region, variable, unit, year, value``; rows with no value
        are dropped. ``attrs["metadata"]`` holds the run metadata recorded with the file
        (:func:`projection.io.metadata.read_metadata`: from a CSV's sidecar, the ``#`` lines
        of a CSV written before the sidecar, or an Excel file's ``meta`` sheet), ``{}`` for a
        file from another tool.

    Raises
    ------
    ScenarioError
        The file is missing, unreadable or lacks the IAMC columns; a year column that is not
        a year or a value that is not a number, naming the row.
    """
    from .metadata import read_metadata

    p = Path(path)
    if not p.is_file():
        raise ScenarioError("no such file" if not p.exists() else "is not a file", file=str(p))
    try:
        if p.suffix.lower() == ".xlsx":
            wide = pd.read_excel(p, sheet_name="data")
        else:  # leading '#' lines: the metadata of a file written before the sidecar
            wide = pd.read_csv(p, skiprows=legacy_csv_metadata(p)[1])
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise ScenarioError(f"cannot read as an IAMC file: {err}", file=str(p)) from None
    wide.columns = [str(c).strip() for c in wide.columns]
    lower = {c.lower(): c for c in wide.columns}
    missing = [c for c in IAMC_COLUMNS if c not in lower]
    if missing:
        raise ScenarioError(
            f"not an IAMC file: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(IAMC_COLUMNS)}, then one column per year)",
            file=str(p),
        )
    wide = wide.rename(columns={lower[c]: c for c in IAMC_COLUMNS})
    others = [c for c in wide.columns if c not in IAMC_COLUMNS]
    bad = [c for c in others if not c.isdigit()]
    if bad:
        raise ScenarioError(
            f"column {bad[0]!r} is not a year (expected {', '.join(IAMC_COLUMNS)}, "
            "then one column per year)",
            file=str(p),
            line=1,
        )
    long = wide.melt(id_vars=list(IAMC_COLUMNS), var_name="year", value_name="value")
    long["year"] = long["year"].astype(int)
    values = pd.to_numeric(long["value"], errors="coerce")
    wrong = values.isna() & long["value"].notna()
    if wrong.any():
        i = int(np.flatnonzero(wrong.to_numpy())[0])
        row = long.iloc[i]
        raise ScenarioError(
            f"{row['variable']}, {row['year']}: {row['value']!r} is not a number",
            file=str(p),
        )
    long["value"] = values
    long = long.dropna(subset=["value"]).reset_index(drop=True)
    long.attrs["metadata"] = read_metadata(p)
    return long


def is_iamc(path: str | Path) -> bool:
    """Whether ``path`` looks like an IAMC file: ``.xlsx``, or a CSV whose header (after any
    ``#`` lines) holds the IAMC columns."""
    p = Path(path)
    if p.suffix.lower() == ".xlsx":
        return True
    try:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip() and not line.lstrip().startswith("#"):
                    header = {c.strip().lower() for c in line.split(",")}
                    return set(IAMC_COLUMNS) <= header
    except OSError:
        return False
    return False


def history_from_iamc(
    path: str | Path, variable: str, *, region: str | None = None, scenario: str | None = None
) -> pd.DataFrame:
    """One series of an IAMC file as a history for :func:`projection.calibrate`.

    Parameters
    ----------
    path : str or Path
        IAMC ``.csv`` or ``.xlsx`` file.
    variable : str
        The series' ``variable``, e.g. ``"Transport|EV Sales Share"``.
    region, scenario : str, optional
        Its ``region`` and ``scenario``, when the file holds the variable for several.

    Returns
    -------
    DataFrame
        ``year``, ``value`` and ``unit`` columns; ``attrs`` name the file and the series, which
        a calibration records as the source.

    Raises
    ------
    ScenarioError
        No series or several series match (the message lists what the file has).

    Examples
    --------
    >>> import projection, tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "results.csv"
    >>> _ = write_iamc([projection.run("scenarios/paper-targets.yaml")], out)
    >>> h = history_from_iamc(out, "Transport|EV Sales Share")
    >>> h.columns.tolist(), int(h.year.iloc[0]), float(h.value.iloc[0])
    (['year', 'value', 'unit'], 2025, 2.0)
    """
    long = read_iamc(path)
    name = str(path)
    sel = long[long["variable"] == variable]
    if sel.empty:
        # the variables holding what was asked come first: with many, they are the ones shown
        have = sorted(set(long["variable"]), key=lambda v: (variable.lower() not in v.lower(), v))
        shown = ", ".join(repr(v) for v in have[:8]) + (", ..." if len(have) > 8 else "")
        raise ScenarioError(f"no variable {variable!r} in the file (it has: {shown})", file=name)
    for column, wanted in (("region", region), ("scenario", scenario)):
        if wanted is None:
            continue
        have = sorted(set(sel[column].astype(str)))
        sel = sel[sel[column].astype(str) == wanted]
        if sel.empty:
            raise ScenarioError(
                f"{variable!r} has no {column} {wanted!r} (it has: {', '.join(have)})", file=name
            )
    series = sel[["model", "scenario", "region"]].drop_duplicates()
    if len(series) > 1:
        listed = "; ".join(" / ".join(map(str, row)) for row in series.itertuples(index=False))
        raise ScenarioError(
            f"{len(series)} series of {variable!r} (model / scenario / region: {listed}); "
            "choose one by region and scenario (CLI: --region, --iamc-scenario)",
            file=name,
        )
    units = sorted(set(sel["unit"]))
    if len(units) > 1:
        raise ScenarioError(f"{variable!r} is given in several units: {units}", file=name)
    model, scen, reg = series.iloc[0]
    frame = pd.DataFrame(
        {"year": sel["year"].to_numpy(), "value": sel["value"].to_numpy(), "unit": units[0]}
    )
    frame.attrs["file"] = name
    frame.attrs["unit"] = units[0]
    frame.attrs["source"] = (
        f"IAMC file {Path(path).name}: model {model}, scenario {scen}, region {reg}, "
        f"variable {variable}"
    )
    return frame
