"""Observed histories for calibration: a CSV file ``year,value`` or a DataFrame, checked.

:func:`read_history` reads a history, converts its values to the unit asked for, and reports
every problem (a missing column, a year that is not a whole number, a value that is not a
number, a year given twice) with the file and line, as scenario files are reported.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...exceptions import ParameterError, ScenarioError, UnitError
from ...models import MAX_ABS
from ...units import check_unit, conversion_factor
from ...validation import is_whole_number, parse_years

__all__ = ["read_history", "select_years"]

_UNIT_COMMENT = re.compile(r"^#\s*unit\s*:(.*)$", re.IGNORECASE)


def read_history(history: str | Path | pd.DataFrame, *, unit: str | None = None) -> pd.DataFrame:
    """Read an observed history: a CSV file ``year,value`` or a DataFrame.

    Parameters
    ----------
    history : str, Path or pandas.DataFrame
        A CSV file with a header line holding the columns ``year`` and ``value`` (and
        optionally ``unit``; other columns are ignored). Lines starting with ``#`` are comments
        that hold the source of the data; a comment ``# unit: %`` gives the unit of every value.
        Or a DataFrame with ``year`` and ``value`` columns (and optionally ``unit``).
    unit : str, optional
        Convert the values to this unit [e.g. ``"%"``]. Values without a unit are taken to be
        in it already.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int) and ``value`` (float), sorted by year. ``attrs`` holds
        ``unit`` (the unit of ``value``), ``source`` (the comment lines, joined) and ``file``.

    Raises
    ------
    ScenarioError
        With ``file`` and ``line`` set: the file is missing, a column is missing, a year is not
        a whole number, a value is missing or not a number, a year appears twice, there are no
        data, or a unit does not fit ``unit``.

    Examples
    --------
    >>> h = read_history("data/china-nev-sales-share.csv")
    >>> h.attrs["unit"], int(h.year.iloc[0]), float(h.value.iloc[-1])
    ('%', 2015, 40.9)
    >>> "China Association of Automobile Manufacturers" in h.attrs["source"]
    True
    >>> round(float(read_history("data/china-nev-sales-share.csv", unit="").value.iloc[-1]), 3)
    0.409
    """
    if isinstance(history, pd.DataFrame):
        rows, default_unit, source, file = _rows_from_frame(history)
    elif isinstance(history, (str, Path)):
        from ...io.iamc import is_iamc

        if Path(history).is_file() and is_iamc(history):
            raise ScenarioError(
                "an IAMC file holds several series: read one with "
                "projection.io.iamc.history_from_iamc(path, variable) (CLI: --variable)",
                file=str(history),
            )
        rows, default_unit, source, file = _rows_from_csv(Path(history))
    else:
        raise ScenarioError(
            f"history must be a CSV file or a pandas DataFrame (got {type(history).__name__})"
        )
    years: list[int] = []
    values: list[float] = []
    seen: dict[int, int | None] = {}
    first_unit = next((r[3] for r in rows if r[3]), None)
    out_unit = (unit if unit is not None else default_unit or first_unit or "").strip()
    for line, year, value, row_unit in rows:
        if year in seen:
            first = seen[year]
            where = f" (first on line {first})" if first else ""
            raise ScenarioError(
                f"year {year} appears twice{where} (expected one value per year)",
                file=file,
                line=line,
                path=None if file else "history",
            )
        seen[year] = line
        written = (row_unit if row_unit is not None else default_unit).strip()
        if written and written != out_unit:
            try:
                value *= conversion_factor(written, out_unit)
            except UnitError as err:
                raise ScenarioError(
                    f"the history's unit {written!r} does not fit the unit {out_unit!r} "
                    f"({err.message})",
                    file=file,
                    line=line,
                    path=None if file else "history",
                ) from None
            if not abs(value) <= MAX_ABS:
                raise ScenarioError(
                    f"value for {year} is out of range in {out_unit or 'dimensionless'!r} "
                    f"(got {value:g} after converting from {written!r}; expected a magnitude of "
                    f"at most {MAX_ABS:g})",
                    file=file,
                    line=line,
                    path=None if file else "history",
                )
        years.append(year)
        values.append(value)
    if not years:
        raise ScenarioError(
            "the history has no data rows (expected lines 'year,value' after the header)",
            file=file,
        )
    order = np.argsort(years)
    frame = pd.DataFrame(
        {
            "year": np.asarray(years, dtype=int)[order],
            "value": np.asarray(values, dtype=float)[order],
        }
    )
    if isinstance(history, pd.DataFrame) and history.attrs.get("file"):
        file = str(history.attrs["file"])  # a history read by this function, then filtered
    frame.attrs.update({"unit": out_unit, "source": source, "file": file})
    return frame


_Row = tuple[int | None, int, float, str | None]  # line, year, value, unit


def _rows_from_csv(path: Path) -> tuple[list[_Row], str, str, str]:
    file = str(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "not found"
        raise ScenarioError(f"history file {what} (expected a CSV file 'year,value')", file=file)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"cannot read the history file ({err.strerror})", file=file) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(
            f"not a UTF-8 text file: byte {hex(raw[err.start])} "
            "(expected a CSV file 'year,value' in UTF-8; save it as UTF-8)",
            file=file,
            line=raw.count(b"\n", 0, err.start) + 1,
        ) from None
    if "\x00" in text:
        raise ScenarioError(
            "binary file: contains NUL bytes (expected a CSV file 'year,value')",
            file=file,
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    unit = ""
    source: list[str] = []
    header: list[str] | None = None
    rows: list[_Row] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _UNIT_COMMENT.match(line)
            if match:
                unit = match.group(1).strip()
                _check_unit(unit, file, number)
            else:
                source.append(raw.strip()[1:].removeprefix(" ").rstrip())
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if header is None:
            header = [c.lower() for c in cells]
            _check_header(header, file, number)
            continue
        if len(cells) != len(header):
            raise ScenarioError(
                f"{len(cells)} fields but the header has {len(header)} "
                f"(expected: {', '.join(header)})",
                file=file,
                line=number,
            )
        record = dict(zip(header, cells))
        year = _parse_year(record["year"], file, number)
        value = _parse_value(record["value"], year, file, number)
        row_unit = record.get("unit")
        if row_unit:
            _check_unit(row_unit, file, number)
        rows.append((number, year, value, row_unit or None))
    if header is None:
        raise ScenarioError(
            "the history has no header line (expected a first line 'year,value' after the "
            "'#' comments)",
            file=file,
        )
    return rows, unit, "\n".join(source), file


def _rows_from_frame(frame: pd.DataFrame) -> tuple[list[_Row], str, str, None]:
    columns = [str(c).strip().lower() for c in frame.columns]
    _check_header(columns, None, None)
    renamed = frame.set_axis(columns, axis=1)
    unit = str(frame.attrs.get("unit") or "")
    rows: list[_Row] = []
    for i, (year, value) in enumerate(zip(renamed["year"], renamed["value"])):
        where = f"row {i}"
        year_i = _parse_year(year, None, None, where)
        value_f = _parse_value(value, year_i, None, None, where)
        row_unit = renamed["unit"].iloc[i] if "unit" in renamed else None
        if row_unit is not None and isinstance(row_unit, float) and math.isnan(row_unit):
            row_unit = None
        rows.append((None, year_i, value_f, None if row_unit is None else str(row_unit)))
    return rows, unit, str(frame.attrs.get("source") or ""), None


def _check_header(header: list[str], file: str | None, line: int | None) -> None:
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise ScenarioError(
            f"column {dupes[0]!r} appears twice in the header (expected: year, value)",
            file=file,
            line=line,
            path=None if file else "history",
        )
    missing = [c for c in ("year", "value") if c not in header]
    if missing:
        got = ", ".join(repr(c) for c in header) or "nothing"
        raise ScenarioError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"(expected a header 'year,value' and optionally 'unit'; got {got})",
            file=file,
            line=line,
            path=None if file else "history",
        )


def _check_unit(unit: str, file: str | None, line: int | None) -> None:
    try:
        check_unit(unit)  # within the bounds of projection.units_bounds before pint sees it
    except UnitError as err:
        raise ScenarioError(err.message, file=file, line=line) from None


def _parse_year(text: Any, file: str | None, line: int | None, where: str = "") -> int:
    path = None if file else "history"
    prefix = f"{where}: " if where else ""
    if is_whole_number(text):
        return int(text)
    raw = str(text).strip()
    if raw == "" or raw.lower() == "nan":
        raise ScenarioError(
            f"{prefix}missing year (expected a whole year such as 2020)",
            file=file,
            line=line,
            path=path,
        )
    try:
        year = float(raw)
    except ValueError:
        raise ScenarioError(
            f"{prefix}year {raw!r} is not a number (expected a whole year such as 2020)",
            file=file,
            line=line,
            path=path,
        ) from None
    if not math.isfinite(year) or not year.is_integer():
        raise ScenarioError(
            f"{prefix}year {raw!r} is not a whole year (expected an integer such as 2020; "
            "one value per calendar year)",
            file=file,
            line=line,
            path=path,
        )
    return int(year)


def _parse_value(
    text: Any, year: int, file: str | None, line: int | None, where: str = ""
) -> float:
    path = None if file else "history"
    prefix = f"{where}: " if where else ""
    raw = str(text).strip() if not isinstance(text, (int, float, np.number)) else text
    if isinstance(raw, str) and raw == "":
        raise ScenarioError(
            f"{prefix}missing value for {year} (expected a number; leave the year out if "
            "there is no observation)",
            file=file,
            line=line,
            path=path,
        )
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ScenarioError(
            f"{prefix}value {raw!r} for {year} is not a number (expected a plain number such "
            "as 13.4; give the unit in a '# unit: %' line or a 'unit' column)",
            file=file,
            line=line,
            path=path,
        ) from None
    if math.isnan(value):
        raise ScenarioError(
            f"{prefix}missing value for {year} (got {raw!r}; expected a number; leave the year "
            "out if there is no observation)",
            file=file,
            line=line,
            path=path,
        )
    if not math.isfinite(value):
        raise ScenarioError(
            f"{prefix}value {raw!r} for {year} is not finite (expected a finite number)",
            file=file,
            line=line,
            path=path,
        )
    if abs(value) > MAX_ABS:  # the fit squares residuals: 1.7e308 would overflow it
        raise ScenarioError(
            f"{prefix}value {raw!r} for {year} is too large to fit (expected a magnitude of at "
            f"most {MAX_ABS:g}, as for scenario parameters)",
            file=file,
            line=line,
            path=path,
        )
    return value


def select_years(
    frame: pd.DataFrame, years: tuple[int, int] | str | None, file: str | None = None
) -> pd.DataFrame:
    """The observations of ``frame`` in ``years``: ``None`` (all), ``(first, last)`` or the one
    years syntax (``"2015:2020"``, ``"2015,2017,2019"``); an empty selection is an error."""
    if years is None:
        return frame
    if isinstance(years, str):  # the one years syntax: "2015:2020", "2015,2017,2019"
        wanted = parse_years(years)
        frame = frame[frame.year.isin(wanted)].reset_index(drop=True)
        if frame.empty:
            raise ScenarioError(f"no observations in the years {years}", file=file, path=None)
    else:
        try:
            first, last = (int(v) for v in years)
        except (TypeError, ValueError):
            raise ParameterError(
                "years", f"must be two years (first, last) (got {years!r})"
            ) from None
        frame = frame[(frame.year >= first) & (frame.year <= last)].reset_index(drop=True)
        if frame.empty:
            raise ScenarioError(f"no observations between {first} and {last}", file=file, path=None)
    return frame
