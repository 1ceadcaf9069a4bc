"""Calibration: fit an indicator's growth parameters to an observed history.

:func:`calibrate` takes a scenario, one of its indicators, a history of observed values
(a CSV file ``year,value`` or a DataFrame) and the names of the parameters to fit. It fits them
by bounded nonlinear least squares (:func:`scipy.optimize.least_squares`) on the residuals

.. math:: r_i = y(t_i; \\theta) - y_i^{obs},

where :math:`y(t; \\theta)` is the indicator's growth family evaluated exactly as the engine
does (anchored so that :math:`y = ` ``start`` at the indicator's ``base_year``), in the
indicator's unit. It returns a :class:`Calibration`: estimates, standard errors, confidence
intervals, goodness of fit and, above all, whether each parameter is *identifiable* from the
data at all.

Identifiability
---------------
A logistic ceiling fitted to the early, near-exponential years of a diffusion history is
usually not identifiable: those years fix the growth rate, not where growth stops. A parameter
is reported as not identifiable, with a plain-sentence warning, when

* ``J^T J`` is singular in its direction (the data cannot tell it apart from the others;
  a merely ill-conditioned ``J^T J``, condition number above :data:`MAX_CONDITION`, gets a
  warning of its own);
* its estimate is at an end of its allowed range (the Jacobian interval is invalid there);
* its relative standard error is above :data:`MAX_RELATIVE_SE` (50 %);
* its interval covers more than :data:`MAX_RANGE_SHARE` (half) of its allowed range;
* for a ceiling (``market`` for bass): an end of its allowed range fits about as well (the
  profile: hold the ceiling there, refit the rest, and an F test does not reject it), or
  fewer than :data:`MIN_PAST_INFLECTION` observations lie beyond the inflection point of the
  fitted curve (the history stops before growth visibly slows);
* for any other parameter: it moves outside its interval when the ceiling is held at such an
  end (it depends on a ceiling the data do not determine).

Intervals are never narrower than the data justify: the whole allowed range for an estimate
at a bound or a singular direction; for a ceiling the interval reaches the end of the range
the data cannot exclude, and where its profile is wider than the Wald interval
``estimate +/- t se`` the interval follows the profile (F test at the same level).

``start`` is special: the families are anchored at ``(base_year, start)``. When ``start`` is
not among the fitted parameters it stays at the scenario's value and the fitted curve is forced
through it, however far ``base_year`` lies from the history. Fit ``start`` too unless its value
is known.

Examples
--------
>>> from projection.calibrate import calibrate
>>> cal = calibrate("scenarios/baseline.yaml", indicator="ev_sales_share",
...                 history="data/china-nev-sales-share.csv",
...                 params=["start", "rate", "ceiling"])
>>> cal.n, cal.years
(10, (2015, 2024))
>>> sorted(cal.estimates)
['ceiling', 'rate', 'start']
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import optimize, stats

from .exceptions import ParameterError, ProjectionError, ScenarioError, UnitError
from .models import DERIVED, get_family
from .models.exponential import SHARPNESS
from .output import atomic_path
from .scenario import Scenario, _expected_unit, load_scenario
from .units import conversion_factor, is_share, parse_unit

__all__ = [
    "Calibration",
    "calibrate",
    "read_history",
    "MAX_RELATIVE_SE",
    "MAX_RANGE_SHARE",
    "MAX_CONDITION",
    "MIN_PAST_INFLECTION",
]

#: A parameter whose standard error exceeds this share of its estimate is not identifiable.
MAX_RELATIVE_SE: float = 0.5
#: A parameter whose confidence interval covers more than this share of its allowed (finite)
#: range is not identifiable.
MAX_RANGE_SHARE: float = 0.5
#: Largest condition number of the column-scaled ``J^T J`` before the fit is called
#: ill-conditioned.
MAX_CONDITION: float = 1e10
#: A ceiling (or Bass market) is identifiable only when at least this many observations lie
#: beyond the inflection point of the fitted curve: before it, the data show growth, not where
#: it stops, and a low ceiling "found" there is usually noise.
MIN_PAST_INFLECTION: int = 3

#: Parameters that bound the trajectory from above, per family: the curve never exceeds them
#: and ``start`` may not exceed them.
_CAPS = {"logistic": "ceiling", "gompertz": "ceiling", "exponential": "ceiling", "bass": "market"}
_UNIT_COMMENT = re.compile(r"^#\s*unit\s*:(.*)$", re.IGNORECASE)
_SIG = 10  # significant digits written to a calibrated scenario


# ------------------------------------------------------------------------------ history


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
        from .iamc import is_iamc

        if Path(history).is_file() and is_iamc(history):
            raise ScenarioError(
                "an IAMC file holds several series: read one with "
                "projection.iamc.history_from_iamc(path, variable) (CLI: --variable)",
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
        parse_unit(unit)
    except UnitError as err:
        raise ScenarioError(err.message, file=file, line=line) from None


def _parse_year(text: Any, file: str | None, line: int | None, where: str = "") -> int:
    path = None if file else "history"
    prefix = f"{where}: " if where else ""
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
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
    return value


# -------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was calibrated (unchanged).
    indicator, model : str
        The indicator and its growth family.
    base_year : int
        Year [yr] at which the family is anchored (the trajectory equals ``start`` there).
    unit : str
        The indicator's unit: of the history, the fitted values and ``rmse``.
    params : tuple of str
        The fitted parameters, in the order given.
    estimates : dict of str to float
        Least-squares estimates, in each parameter's canonical unit (see ``units``): the
        indicator's unit for levels, [1/yr] for rates, [indicator unit/yr] for slopes.
    units : dict of str to str
        Canonical unit of each parameter.
    written_units : dict of str to str
        Unit the scenario writes each parameter in (used by :meth:`to_scenario`).
    std_errors : dict of str to float
        Standard errors from the Jacobian, ``sqrt(diag(s^2 (J^T J)^-1))``, ``s^2 = SSR/(n-p)``;
        ``inf`` in directions where ``J^T J`` is singular, ``nan`` when ``n == p``.
    intervals : dict of str to (float, float)
        Confidence intervals at ``confidence``: ``estimate +/- t * std_error`` (Student t with
        ``n - p`` degrees of freedom), clipped to ``bounds``; the whole of ``bounds`` for a
        parameter at a bound or in a singular direction.
    bounds : dict of str to (float, float)
        The bounds used in the fit (domain, share cap, cross constraints, user bounds).
    initial : dict of str to float
        The starting values (the scenario's, clipped into ``bounds``).
    identifiable : dict of str to bool
        Whether the data determine each parameter (see the module notes).
    confidence : float
    n : int
        Number of observations used.
    years : (int, int)
        First and last observed year used.
    rmse : float
        Root mean square residual [indicator unit].
    r_squared : float
        ``1 - SSR / SST``.
    warnings : list of str
        Plain sentences: identifiability, fixed ``start``, poor fit, convergence.
    history : str
        Name of the history file (or ``"a DataFrame"``).
    history_path : str or None
    history_source : str
        The history's comment lines (its stated source).
    data : pandas.DataFrame
        ``year``, ``observed``, ``fitted``, ``residual`` [indicator unit].
    reasons : dict of str to str
        For each parameter that is not identifiable, why not (also in ``warnings``).

    Examples
    --------
    >>> cal = calibrate("scenarios/baseline.yaml", indicator="ev_sales_share",
    ...                 history="data/china-nev-sales-share.csv", params=["rate"],
    ...                 years=(2015, 2020))
    >>> cal.to_frame().columns[:7].tolist()
    ['param', 'estimate', 'unit', 'std_error', 'ci_low', 'ci_high', 'identifiable']
    >>> print(cal.summary().splitlines()[0])
    calibration of baseline: ev_sales_share (logistic, base year 2025) to china-nev-sales-share.csv
    """

    scenario: Scenario = field(repr=False)
    indicator: str
    model: str
    base_year: int
    unit: str
    params: tuple[str, ...]
    estimates: dict[str, float]
    units: dict[str, str]
    written_units: dict[str, str]
    std_errors: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    bounds: dict[str, tuple[float, float]]
    initial: dict[str, float]
    identifiable: dict[str, bool]
    confidence: float
    n: int
    years: tuple[int, int]
    rmse: float
    r_squared: float
    warnings: list[str]
    history: str
    history_path: str | None
    history_source: str
    data: pd.DataFrame = field(repr=False)
    reasons: dict[str, str] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """One row per fitted parameter.

        Columns ``param, estimate, unit, std_error, ci_low, ci_high, identifiable, lower,
        upper`` (the last two: the bounds used in the fit), all in the canonical unit.
        """
        rows = []
        for name in self.params:
            low, high = self.intervals[name]
            rows.append(
                {
                    "param": name,
                    "estimate": self.estimates[name],
                    "unit": self.units[name],
                    "std_error": self.std_errors[name],
                    "ci_low": low,
                    "ci_high": high,
                    "identifiable": self.identifiable[name],
                    "lower": self.bounds[name][0],
                    "upper": self.bounds[name][1],
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (non-finite numbers become ``None``)."""
        return {
            "scenario": self.scenario.name,
            "indicator": self.indicator,
            "model": self.model,
            "base_year": self.base_year,
            "unit": self.unit,
            "history": self.history,
            "history_source": self.history_source,
            "years": list(self.years),
            "n": self.n,
            "rmse": _json_float(self.rmse),
            "r_squared": _json_float(self.r_squared),
            "confidence": self.confidence,
            "params": [
                {k: _json_value(v) for k, v in row.items()}
                for row in self.to_frame().to_dict(orient="records")
            ],
            "warnings": list(self.warnings),
        }

    def summary(self) -> str:
        """A readable multi-line report: the fit, one line per parameter, the warnings."""
        pct = _fmt_pct(self.confidence)
        dof = self.n - len(self.params)
        head = [
            f"calibration of {self.scenario.name}: {self.indicator} ({self.model}, base year "
            f"{self.base_year}) to {self.history}",
            f"{self.n} observations, {self.years[0]}-{self.years[1]}; RMSE "
            f"{_fmt(self.rmse)} {self.unit}; R^2 {self.r_squared:.4f}; {pct} intervals "
            f"(Student t, {dof} degrees of freedom)",
        ]
        table = [("param", "estimate", "unit", "std error", f"{pct} interval", "identifiable")]
        for name in self.params:
            low, high = self.intervals[name]
            table.append(
                (
                    name,
                    _fmt(self.estimates[name]),
                    self.units[name],
                    _fmt(self.std_errors[name]),
                    f"[{_fmt(low)}, {_fmt(high)}]",
                    "yes" if self.identifiable[name] else "NO",
                )
            )
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        lines = head + [
            "  " + "   ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
            for row in table
        ]
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    # ------------------------------------------------------------------ scenarios
    def to_scenario(
        self, *, distributions: bool = False, params: Sequence[str] | None = None
    ) -> Scenario:
        """The scenario with the fitted values set, each with its provenance.

        Parameters
        ----------
        distributions : bool, default False
            Give every fitted, identifiable parameter a ``truncnormal`` distribution: mean the
            estimate, sd its standard error, truncated to the bounds used in the fit (an
            infinite bound is replaced by ``estimate +/- 10 sd``). When ``start`` and its
            ceiling (``ceiling`` or ``market``) both get one, they are truncated at a common
            point between the two estimates so that every draw keeps ``start <= ceiling``.
            Parameters that are not identifiable get no distribution.
        params : sequence of str, optional
            Set only these fitted parameters (default: all), e.g. ``["rate"]`` to transfer a
            rate fitted to one country's history into a scenario that keeps its own ``start``.

        Returns
        -------
        Scenario
            Named ``<name>-calibrated``; fully resolved (no ``extends``). Each set parameter is
            written in the unit the scenario wrote it in, and its ``source`` reads
            ``calibrated to <history>, years a-b (least squares; <estimate> +/- <se> <unit>)``,
            followed by why it is not identifiable when it is not.
        """
        chosen = self._chosen(params)
        data = self.scenario.to_dict()
        data["name"] = f"{self.scenario.name}-calibrated"
        note = (
            f"{', '.join(chosen)} of {self.indicator} calibrated to {self.history}, "
            f"{self.years[0]}-{self.years[1]}."
        )
        data["description"] = " ".join(filter(None, [self.scenario.description, note]))
        target = data["indicators"][self.indicator]["params"]
        truncation = self._truncation(chosen) if distributions else {}
        for name in chosen:
            written = self.written_units[name]
            factor = conversion_factor(self.units[name], written)
            value = _round(self.estimates[name] * factor)
            se = self.std_errors[name] * factor
            entry: dict[str, Any] = {"value": value, "unit": written}
            if name in truncation:
                low, high = truncation[name]
                entry["distribution"] = {
                    "type": "truncnormal",
                    "mean": value,
                    "sd": _round(se),
                    "lower": _round(low * factor),
                    "upper": _round(high * factor),
                }
            entry["source"] = self._source(name, value, se, written)
            target[name] = entry
        return load_scenario(data)

    def write(
        self,
        path: str | Path,
        *,
        distributions: bool = False,
        params: Sequence[str] | None = None,
    ) -> Path:
        """Write :meth:`to_scenario` as a YAML scenario file, atomically.

        The file starts with comment lines saying that it was generated, when, from which
        scenario and history; it does not use ``extends``, so it can be moved anywhere.

        Returns
        -------
        Path
            ``path``.
        """
        scenario = self.to_scenario(distributions=distributions, params=params)
        chosen = self._chosen(params)
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        origin = self.scenario.file or "a scenario mapping"
        header = [
            f"Generated by projection.calibrate on {stamp}. Do not edit by hand without "
            "updating the sources.",
            f"The calibration of scenario {self.scenario.name!r} ({origin}): "
            f"{', '.join(chosen)} of {self.indicator} ({self.model}, base year "
            f"{self.base_year}) fitted by least squares to {self.history}, "
            f"{self.years[0]}-{self.years[1]} ({self.n} observations, RMSE {_fmt(self.rmse)} "
            f"{self.unit}, R^2 {self.r_squared:.4f}).",
            "Fully resolved: every indicator is written out (no `extends`).",
        ]
        header += [f"Warning: {w}" for w in self.warnings]
        text = "".join(f"# {line}\n" for h in header for line in _wrap(h, 96))
        body = yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True, width=96)
        target = Path(path)
        with atomic_path(target) as tmp:
            tmp.write_text(text + body, encoding="utf-8")
        return target

    # ------------------------------------------------------------------ helpers
    def _chosen(self, params: Sequence[str] | None) -> list[str]:
        if params is None:
            return list(self.params)
        if isinstance(params, str):
            params = [params]
        for name in params:
            if name not in self.params:
                raise ScenarioError(
                    f"{name!r} was not fitted (fitted: {', '.join(self.params)})",
                    path=f"indicators.{self.indicator}.params.{name}",
                )
        return list(dict.fromkeys(params))

    def _source(self, name: str, value: float, se: float, unit: str) -> str:
        text = (
            f"calibrated to {self.history}, years {self.years[0]}-{self.years[1]} "
            f"(least squares; {_fmt(value)} +/- {_fmt(se)}{' ' + unit if unit else ''})"
        )
        if not self.identifiable[name]:
            factor = conversion_factor(self.units[name], unit or self.units[name])
            low, high = (v * factor for v in self.intervals[name])
            text += (
                f"; not identifiable from these data ({_fmt_pct(self.confidence)} interval "
                f"[{_fmt(low)}, {_fmt(high)}]{' ' + unit if unit else ''}), so no distribution"
            )
        return text

    def _truncation(self, chosen: list[str]) -> dict[str, tuple[float, float]]:
        out: dict[str, tuple[float, float]] = {}
        for name in chosen:
            se = self.std_errors[name]
            if not self.identifiable[name] or not (math.isfinite(se) and se > 0):
                continue
            est = self.estimates[name]
            low, high = self.bounds[name]
            low = low if math.isfinite(low) else est - 10 * se
            high = high if math.isfinite(high) else est + 10 * se
            out[name] = (low, high)
        cap = _CAPS.get(self.model)
        if cap and "start" in out and cap in out:
            # truncate both at the point as many standard errors from each estimate
            s, c = self.estimates["start"], self.estimates[cap]
            ss, sc = self.std_errors["start"], self.std_errors[cap]
            split = _round((s * sc + c * ss) / (ss + sc))
            out["start"] = (out["start"][0], min(out["start"][1], split))
            out[cap] = (max(out[cap][0], split), out[cap][1])
        elif cap and "start" in out:
            low_cap = self._support(cap, chosen)[0]
            if low_cap is not None:
                out["start"] = (out["start"][0], min(out["start"][1], low_cap))
        elif cap and cap in out:
            high_start = self._support("start", chosen)[1]
            if high_start is not None:
                out[cap] = (max(out[cap][0], high_start), out[cap][1])
        return {k: v for k, v in out.items() if v[0] < v[1]}

    def _support(self, name: str, chosen: list[str]) -> tuple[float | None, float | None]:
        """Smallest and largest value ``name`` can take in the calibrated scenario without a
        new distribution [canonical unit]: its estimate if set, else its scenario value or the
        support of its distribution."""
        if name in chosen:
            return self.estimates[name], self.estimates[name]
        ind = self.scenario.indicators[self.indicator]
        param = ind.params.get(name)
        if param is None:
            return None, None
        canonical = _expected_unit(get_family(self.model).spec(name).kind, ind.unit)
        written = param.written_unit
        factor = conversion_factor(written, canonical) if written else 1.0
        if param.distribution is not None:
            low, high = param.distribution.support()
            return low * factor, high * factor
        value = ind.resolved()[name]
        return value, value


# --------------------------------------------------------------------------- the fit


def calibrate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    indicator: str,
    history: str | Path | pd.DataFrame,
    params: Sequence[str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    confidence: float = 0.95,
    years: tuple[int, int] | None = None,
) -> Calibration:
    """Fit parameters of one indicator's growth family to an observed history.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario (anything :func:`~projection.load_scenario` accepts). Its current values
        are the starting point of the fit and the fixed values of the parameters not fitted.
    indicator : str
        The indicator to calibrate; its model must be a growth family (not ``derived`` or
        ``staged``).
    history : str, Path or pandas.DataFrame
        Observed values by year: see :func:`read_history`. Values are in the indicator's unit
        unless the history gives its own (``# unit: %`` or a ``unit`` column).
    params : sequence of str
        Names of the family's parameters to fit, e.g. ``["start", "rate", "ceiling"]``.
    bounds : mapping of str to (float, float), optional
        Bounds of fitted parameters in their canonical unit (the indicator's unit for levels,
        [1/yr] for rates). They are intersected with the family's domain, the share cap
        (a level of a share is at most 100 %) and the cross constraint ``start <= ceiling``
        (``market`` for bass).
    confidence : float, default 0.95
        Level of the confidence intervals, in (0, 1).
    years : (int, int), optional
        Use only observations from ``years[0]`` to ``years[1]`` inclusive.

    Returns
    -------
    Calibration

    Raises
    ------
    ScenarioError
        A bad history (naming the file and line), an unknown indicator or parameter, an
        unsupported model, fewer observations than parameters, or empty bounds.
    ParameterError
        ``confidence`` outside (0, 1).

    Notes
    -----
    Minimises :math:`\\sum_i (y(t_i;\\theta) - y_i)^2` with
    :func:`scipy.optimize.least_squares` (trust-region reflective, bounded, central
    differences). At the estimate :math:`\\hat\\theta`, with :math:`J` the Jacobian of the
    residuals, :math:`s^2 = SSR/(n-p)` and

    .. math:: \\mathrm{Cov}(\\hat\\theta) = s^2 (J^T J)^{-1},

    the interval is :math:`\\hat\\theta_j \\pm t_{(1+c)/2,\\,n-p}\\,\\mathrm{se}_j`. This is
    the usual linearised (Wald) interval; it is trustworthy for identifiable parameters and
    is replaced by the allowed range where the linearisation says nothing (see the module
    notes on identifiability). When ``start`` is not fitted the curve passes through the
    scenario's ``(base_year, start)``; the Calibration says so in ``warnings``.

    Examples
    --------
    Noise-free data from a logistic curve are recovered:

    >>> import numpy as np, pandas as pd
    >>> from projection.models import logistic
    >>> yrs = np.arange(2010, 2031)
    >>> obs = logistic.evaluate(yrs, base_year=2020, start=10.0, ceiling=80.0, rate=0.5)
    >>> s = {"name": "demo", "horizon": {"start": 2020, "end": 2035}, "indicators": {
    ...     "share": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 5, "source": "assumption: a guess"},
    ...         "ceiling": {"value": 60, "source": "assumption: a guess"},
    ...         "rate": {"value": 0.3, "unit": "1/yr", "source": "assumption: a guess"}}}}}
    >>> cal = calibrate(s, indicator="share", params=["start", "ceiling", "rate"],
    ...                 history=pd.DataFrame({"year": yrs, "value": obs}))
    >>> {k: round(v, 6) for k, v in cal.estimates.items()}
    {'start': 10.0, 'ceiling': 80.0, 'rate': 0.5}
    >>> all(cal.identifiable.values())
    True
    """
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise ParameterError("confidence", f"must be between 0 and 1 (got {confidence!r})")
    scen = load_scenario(scenario)
    ind, family = _indicator(scen, indicator)
    where = f"indicators.{indicator}"
    names = _param_names(ind, family, indicator, params)
    frame = read_history(history, unit=ind.unit)
    file = frame.attrs.get("file")
    source = str(frame.attrs.get("source") or "")
    if years is not None:
        try:
            first, last = (int(v) for v in years)
        except (TypeError, ValueError):
            raise ParameterError(
                "years", f"must be two years (first, last) (got {years!r})"
            ) from None
        frame = frame[(frame.year >= first) & (frame.year <= last)].reset_index(drop=True)
        if frame.empty:
            raise ScenarioError(f"no observations between {first} and {last}", file=file, path=None)
    n, p = len(frame), len(names)
    t = frame.year.to_numpy(dtype=float)
    y = frame.value.to_numpy(dtype=float)
    span = f"{int(t[0])}-{int(t[-1])}"
    if n < p:
        raise ScenarioError(
            f"{n} observation{'s' if n != 1 else ''} ({span}) but {p} parameters to fit "
            f"({', '.join(names)}): give at least {p} observations or fit fewer parameters",
            file=file,
        )
    base_year = ind.base_year if ind.base_year is not None else scen.horizon.start
    resolved = dict(ind.resolved())
    for name in names:
        if name not in resolved:
            raise ScenarioError(
                f"cannot fit {name!r}: the scenario gives it no value ({ind.model} without a "
                f"{name}); add a value to the scenario first",
                path=f"{where}.params.{name}",
            )
    share = is_share(ind.unit)
    canon = {nm: _expected_unit(family.spec(nm).kind, ind.unit) for nm in names}
    written = {}
    for nm in names:
        param = ind.params.get(nm)
        written[nm] = (param.written_unit if param is not None else "") or canon[nm]
    box = _bounds(family, ind.model, names, resolved, share, ind.unit, bounds, where)

    # an excluded lower end (ceiling > 0) is approached, never reached
    lb = np.array(
        [
            box[nm][0] if family.spec(nm).lower_inclusive else np.nextafter(box[nm][0], np.inf)
            for nm in names
        ]
    )
    ub = np.array([box[nm][1] for nm in names])
    x0 = np.array([_inside(resolved[nm], box[nm]) for nm in names])
    cap = _CAPS.get(ind.model)
    problem = _Problem(family, t, y, base_year, names, resolved, cap, lb, ub)
    fit = problem.fit(x0)
    x = np.clip(fit.x, lb, ub)
    if cap in names and "start" in names:
        # above the ceiling start has no effect (the model uses min(start, ceiling)): report
        # the value that acts
        s_, c_ = names.index("start"), names.index(cap)
        x[s_] = min(x[s_], x[c_])
    res = problem.residuals(x)
    ssr = float(res @ res)
    sst = float(((y - y.mean()) ** 2).sum())
    rmse = math.sqrt(ssr / n)
    r2 = 1.0 - ssr / sst if sst > 0 else float("nan")
    se, singular, weak, cond = _std_errors(problem.jacobian(x), ssr, n, p)

    dof = n - p
    tq = float(stats.t.ppf(0.5 + confidence / 2.0, dof)) if dof > 0 else float("nan")
    j_cap = names.index(cap) if cap in names else 0
    too_early = _too_early(ind.model, problem, x, cap, ind.unit) if cap in names else None
    probes = _profile_cap(
        problem, x, float(se[j_cap]), tq, ssr, dof, confidence, ind.unit, too_early
    )
    pct = _fmt_pct(confidence)
    estimates = dict(zip(names, map(float, x)))
    std_errors = dict(zip(names, map(float, se)))
    intervals: dict[str, tuple[float, float]] = {}
    identifiable: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    warns: list[str] = []
    for j, nm in enumerate(names):
        unit = canon[nm]
        ci, why = _judge(
            j,
            nm,
            names,
            estimates[nm],
            std_errors[nm],
            box[nm],
            unit,
            tq,
            dof,
            bool(singular[j]),
            probes,
            cap,
            pct,
        )
        intervals[nm] = ci
        identifiable[nm] = why is None
        if why is not None:
            reasons[nm] = why
            warns.append(
                f"{nm} is not identifiable from these data: {why}. Its {pct} interval is "
                f"[{_fmt(ci[0])}, {_fmt(ci[1])}]{' ' + unit if unit else ''}."
            )
    if cond > MAX_CONDITION and not singular.any():
        warns.append(
            f"The fit is ill-conditioned (condition number of the scaled J^T J {cond:.1e}): "
            f"the data hardly separate {', '.join(n_ for n_, w in zip(names, weak) if w)}; "
            "their standard errors rest on a near-singular matrix."
        )
    open_above = any(pr.at_end and pr.side == "upper" for pr in probes)
    if cap in names and not identifiable[cap] and (open_above or too_early):
        warns.append(
            f"A {cap} fitted to the early, near-exponential part of a diffusion history is "
            f"usually not identifiable: those years fix the growth rate, not where growth "
            f"stops. Treat the {cap} as an assumption and state its source, or fit it to a "
            "longer history."
        )
    if "start" not in names:
        warns.append(
            f"start is not fitted: the curve is anchored at the scenario's value "
            f"{_fmt(resolved['start'])} {ind.unit} in {base_year}, which the data cannot move; "
            "fit start too unless that value is known."
        )
    if not (r2 >= 0.5) and sst > 0:
        warns.append(
            f"The model explains little of the history (R^2 {r2:.3f}): check the family, "
            "the base year and the parameters held fixed."
        )
    if fit.status == 0:
        warns.append(
            "The optimiser stopped at its evaluation limit before converging; the estimates "
            "may not be the least-squares solution."
        )
    data = pd.DataFrame(
        {"year": frame.year.to_numpy(), "observed": y, "fitted": res + y, "residual": res}
    )
    history_path = str(file) if file else None
    return Calibration(
        scenario=scen,
        indicator=indicator,
        model=ind.model,
        base_year=int(base_year),
        unit=ind.unit,
        params=tuple(names),
        estimates=estimates,
        units=canon,
        written_units=written,
        std_errors=std_errors,
        intervals=intervals,
        bounds={nm: (float(box[nm][0]), float(box[nm][1])) for nm in names},
        initial=dict(zip(names, map(float, x0))),
        identifiable=identifiable,
        confidence=float(confidence),
        n=n,
        years=(int(t[0]), int(t[-1])),
        rmse=rmse,
        r_squared=r2,
        warnings=warns,
        history=Path(file).name if file else "a DataFrame",
        history_path=history_path,
        history_source=source,
        data=data,
        reasons=reasons,
    )


def _indicator(scen: Scenario, indicator: str):
    if indicator not in scen.indicators:
        known = sorted(scen.indicators)
        close = difflib.get_close_matches(str(indicator), known, n=1, cutoff=0.6)
        hint = f", did you mean {close[0]!r}?" if close else ""
        raise ScenarioError(
            f"unknown indicator {indicator!r}{hint} (expected one of: {', '.join(known)})",
            file=scen.file,
            path="indicators",
        )
    ind = scen.indicators[indicator]
    if ind.model in (DERIVED, "staged"):
        why = (
            "it is computed from other indicators; calibrate those instead"
            if ind.model == DERIVED
            else "its milestones are dated values, not a curve to fit"
        )
        raise ScenarioError(
            f"cannot calibrate a {ind.model!r} indicator: {why} (calibration supports the "
            "growth families bass, exponential, gompertz, linear and logistic)",
            file=scen.file,
            path=f"indicators.{indicator}.model",
        )
    return ind, get_family(ind.model)


def _param_names(ind, family, indicator: str, params: Sequence[str]) -> list[str]:
    valid = [nm for nm in family.param_names if nm not in ("milestone_years", "milestone_values")]
    if isinstance(params, str):
        params = [params]
    names = list(params)
    where = f"indicators.{indicator}.params"
    if not names:
        raise ScenarioError(
            f"no parameters to fit (expected some of: {', '.join(valid)})", path=where
        )
    for nm in names:
        if nm not in valid:
            close = difflib.get_close_matches(str(nm), valid, n=1, cutoff=0.6)
            hint = f", did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(
                f"unknown parameter {nm!r} for {ind.model}{hint} (expected: {', '.join(valid)})",
                path=f"{where}.{nm}",
            )
    dupes = sorted({nm for nm in names if names.count(nm) > 1})
    if dupes:
        raise ScenarioError(f"parameter {dupes[0]!r} is listed twice", path=f"{where}.{dupes[0]}")
    return names


def _bounds(
    family,
    model: str,
    names: list[str],
    resolved: dict[str, float],
    share: bool,
    unit: str,
    user: Mapping[str, tuple[float, float]] | None,
    where: str,
) -> dict[str, tuple[float, float]]:
    user = dict(user or {})
    for nm in user:
        if nm not in names:
            raise ScenarioError(
                f"bounds given for {nm!r}, which is not fitted (fitted: {', '.join(names)})",
                path=f"{where}.params.{nm}",
            )
    cap = _CAPS.get(model)
    out: dict[str, tuple[float, float]] = {}
    for nm in names:
        spec = family.spec(nm)
        low = -math.inf if spec.lower is None else float(spec.lower)
        high = math.inf if spec.upper is None else float(spec.upper)
        why = [f"domain [{_fmt(low)}, {_fmt(high)}]"]
        if share and spec.kind == "level":
            full = 1.0 / conversion_factor(unit, "")
            low, high = max(low, 0.0), min(high, full)
            why.append(f"a share lies in [0, {_fmt(full)}] {unit}")
        if nm == cap:
            # not ">= the largest observation": noisy data near saturation exceed the true
            # ceiling about half the time, and such a bound would exclude the truth
            if "start" not in names and resolved.get("start", -math.inf) > low:
                low = resolved["start"]
                why.append(f"{cap} >= start ({_fmt(low)} {unit})")
        if nm == "start" and cap and cap not in names and cap in resolved:
            if resolved[cap] < high:
                high = resolved[cap]
                why.append(f"start <= {cap} ({_fmt(high)} {unit})")
        if nm in user:
            try:
                u_low, u_high = (float(v) for v in user[nm])
            except (TypeError, ValueError):
                raise ScenarioError(
                    f"bounds for {nm!r} must be two numbers (low, high) (got {user[nm]!r})",
                    path=f"{where}.params.{nm}",
                ) from None
            if not u_low < u_high:
                raise ScenarioError(
                    f"bounds for {nm!r} must have low < high (got {u_low:g}, {u_high:g})",
                    path=f"{where}.params.{nm}",
                )
            low, high = max(low, u_low), min(high, u_high)
            why.append(f"the bounds given [{_fmt(u_low)}, {_fmt(u_high)}]")
        if not low < high:
            raise ScenarioError(
                f"no value of {nm!r} is allowed: {'; '.join(why)} leave nothing",
                path=f"{where}.params.{nm}",
            )
        out[nm] = (low, high)
    return out


def _inside(value: float, box: tuple[float, float]) -> float:
    """``value`` clipped strictly inside ``box`` (a start on a bound can stall the fit)."""
    low, high = box
    if math.isfinite(low) and math.isfinite(high):
        pad = 1e-3 * (high - low)
    else:
        pad = 1e-3 * max(1.0, abs(value))
    return float(min(max(value, low + pad), high - pad))


class _Problem:
    """The least-squares problem: residuals, a vectorised Jacobian and the bounded fits."""

    def __init__(self, family, t, y, base_year, names, resolved, cap, lb, ub) -> None:
        self.family, self.t, self.y, self.base_year = family, t, y, base_year
        self.names, self.cap, self.lb, self.ub = names, cap, lb, ub
        self.fixed = {k: v for k, v in resolved.items() if k not in names}

    def model(self, x: np.ndarray) -> np.ndarray:
        """The trajectory at the observed years: ``(T,)`` for ``x`` of shape ``(p,)``, ``(m, T)``
        for ``m`` parameter sets of shape ``(m, p)`` (one vectorised family call)."""
        x = np.asarray(x, dtype=float)
        values: dict[str, Any] = dict(self.fixed)
        for k, name in enumerate(self.names):
            values[name] = x[..., k]
        if self.cap and self.cap in values and "start" in values:
            values["start"] = np.minimum(values["start"], values[self.cap])  # start <= ceiling
        try:
            return self.family.evaluate(self.t, base_year=self.base_year, **values)
        except ParameterError as err:  # pragma: no cover - the bounds keep x in the domain
            raise ProjectionError(f"calibration left the parameter domain: {err}") from None

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return self.model(x) - self.y

    def jacobian(self, x: np.ndarray, cols: Sequence[int] | None = None) -> np.ndarray:
        """Central differences in the columns ``cols`` (default all), one-sided at a bound."""
        cols = np.arange(x.size) if cols is None else np.asarray(cols, dtype=int)
        k = cols.size
        rows = np.arange(k)
        h = 1e-6 * np.maximum(np.abs(x[cols]), 1e-3)
        up = np.tile(x, (k, 1))
        down = np.tile(x, (k, 1))
        up[rows, cols] = np.minimum(x[cols] + h, self.ub[cols])
        down[rows, cols] = np.maximum(x[cols] - h, self.lb[cols])
        values = self.model(np.vstack([up, down])).reshape(2 * k, -1)
        width = up[rows, cols] - down[rows, cols]
        safe = np.where(width > 0, width, 1.0)
        return np.where(width > 0, (values[:k] - values[k:]).T / safe, 0.0)

    def fit(self, x0: np.ndarray, hold: int | None = None, tol: float = 1e-14):
        """Least squares from ``x0``; with ``hold`` the parameter of that index stays at
        ``x0[hold]`` (a profile). Returns the scipy result with ``x`` of full length."""
        free = [k for k in range(x0.size) if k != hold]
        full = np.array(x0, dtype=float)

        def expand(z: np.ndarray) -> np.ndarray:
            full[free] = z
            return full

        result = optimize.least_squares(
            lambda z: self.residuals(expand(z)),
            np.clip(full[free], self.lb[free], self.ub[free]),
            jac=lambda z: self.jacobian(expand(z), free),
            bounds=(self.lb[free], self.ub[free]),
            method="trf",
            x_scale="jac",
            ftol=tol,
            xtol=tol,
            gtol=tol,
            max_nfev=2000,
        )
        result.x = expand(result.x).copy()
        return result


def _judge(
    j: int,
    nm: str,
    names: list[str],
    est: float,
    s: float,
    box: tuple[float, float],
    unit: str,
    tq: float,
    dof: int,
    singular: bool,
    probes: list[_Probe],
    cap: str | None,
    pct: str,
) -> tuple[tuple[float, float], str | None]:
    """The interval of one parameter and, when it is not identifiable, why not."""
    low, high = box
    u = f" {unit}" if unit else ""
    width = high - low
    tol = 1e-6 * (width if math.isfinite(width) else max(1.0, abs(est)))
    why: str | None = None
    if dof == 0:
        why = "there are as many parameters as observations, so the fit is exact and says nothing about uncertainty"
    elif singular:
        why = "J^T J is singular in its direction (the data cannot tell it apart from the others)"
    elif est - low <= tol or high - est <= tol:
        side, end = ("lower", low) if est - low <= tol else ("upper", high)
        why = f"the estimate is at the {side} end of its allowed range, {_fmt(end)}{u}"
    if why is not None:
        return (float(low), float(high)), why
    ci = (max(low, est - tq * s), min(high, est + tq * s))
    for probe in probes:
        # parameters that fit about as well with the ceiling held elsewhere on its profile
        alt = float(probe.x[j])
        if not probe.at_end:
            ci = (min(ci[0], alt), max(ci[1], alt))
            continue
        if why is None and nm == cap:
            why = probe.reason
        elif why is None and not ci[0] <= alt <= ci[1]:
            why = (
                f"it depends on the {cap}, which these data do not determine: with the {cap} "
                f"held at {_fmt(probe.x[names.index(cap)])}{u} it is {_fmt(alt)}{u}"
            )
        ci = (min(ci[0], alt), max(ci[1], alt))
        if probe.side == "upper" and probe.unbounded and nm == cap:
            ci = (ci[0], high)
    if why is None and est != 0 and s / abs(est) > MAX_RELATIVE_SE:
        why = (
            f"its relative standard error is {_fmt(100 * s / abs(est), 3)} % "
            f"(above {_fmt(100 * MAX_RELATIVE_SE)} %)"
        )
    if why is None and math.isfinite(width) and width > 0:
        share_of_range = (ci[1] - ci[0]) / width
        if share_of_range > MAX_RANGE_SHARE:
            why = (
                f"its {pct} interval covers {_fmt(100 * share_of_range, 3)} % of its allowed "
                f"range [{_fmt(low)}, {_fmt(high)}]{u}"
            )
    return (float(ci[0]), float(ci[1])), why


def _inflection_level(model: str, values: Mapping[str, float]) -> float:
    """Level [indicator unit] at which the family's curve turns from speeding up to slowing
    down: ``C/2`` (logistic), ``C/e`` (Gompertz), ``m (q - p) / (2 q)`` (Bass, 0 when
    ``q <= p``), ``C (k + 1)^(-1/k)`` (exponential with a ceiling, sharpness ``k``)."""
    if model == "logistic":
        return values["ceiling"] / 2.0
    if model == "gompertz":
        return values["ceiling"] / math.e
    if model == "bass":
        p, q, m = values["p"], values["q"], values["market"]
        return m * max(0.0, (q - p) / (2.0 * q)) if q > 0 else 0.0
    k = SHARPNESS  # exponential with a ceiling
    return values["ceiling"] * (k + 1.0) ** (-1.0 / k)


def _too_early(model: str, problem: _Problem, x: np.ndarray, cap: str, unit: str) -> str | None:
    """Why the ceiling cannot be identified when fewer than :data:`MIN_PAST_INFLECTION`
    observations lie beyond the fitted curve's inflection, else ``None``."""
    values = {**problem.fixed, **dict(zip(problem.names, map(float, x)))}
    level = _inflection_level(model, values)
    past = int(np.sum(problem.model(x) >= level))
    if past >= MIN_PAST_INFLECTION:
        return None
    return (
        f"only {past} of the {problem.y.size} observations lie beyond the inflection point of "
        f"the fitted curve ({_fmt(level)}{' ' + unit if unit else ''}, where growth starts to "
        f"slow); at least {MIN_PAST_INFLECTION} are needed before the data can show where "
        "growth stops"
    )


@dataclass(frozen=True)
class _Probe:
    """A parameter set on the profile of the ceiling that the data do not reject."""

    side: str  # "lower" or "upper"
    x: np.ndarray  # all fitted parameters, the ceiling held at x[j] and the others refitted
    ssr: float
    at_end: bool  # True: the end of the allowed range (or 10x the estimate when unbounded)
    unbounded: bool = False  # the upper end probed stands for an unbounded range
    reason: str | None = None  # at an end: why the ceiling is not identifiable


def _profile_cap(
    problem: _Problem,
    x: np.ndarray,
    se: float,
    tq: float,
    ssr: float,
    dof: int,
    confidence: float,
    unit: str,
    too_early: str | None,
) -> list[_Probe]:
    """Check the ceiling's interval against its profile.

    Holding the ceiling at a value ``c`` and refitting the other parameters gives the profile
    sum of squares ``SSR(c)``; the F test keeps ``c`` when
    ``SSR(c) <= SSR (1 + F(conf; 1, n-p) / (n-p))``. For each side: if the end of the allowed
    range (ten times the estimate when unbounded) is kept, the data cannot bound the ceiling
    on that side; otherwise, if the Wald end ``estimate +/- t se`` is kept, the profile
    interval reaches further and its end is found by root finding. Returns the parameter sets
    at those places (empty when the Wald interval is consistent with the profile).

    ``too_early`` (the history ends before the curve's inflection) keeps the upper end
    whatever the F test says, with that reason.
    """
    names, cap, lb, ub = problem.names, problem.cap, problem.lb, problem.ub
    if cap not in names or dof <= 0:
        return []
    j = names.index(cap)
    limit = ssr * (1.0 + stats.f.ppf(confidence, 1, dof) / dof)

    def at(value: float) -> tuple[float, np.ndarray]:
        start = x.copy()
        start[j] = value
        trial = problem.fit(start, hold=j, tol=1e-8).x
        r = problem.residuals(trial)
        return float(r @ r), trial

    out: list[_Probe] = []
    unbounded = not math.isfinite(ub[j])
    ends = {"lower": lb[j], "upper": 10.0 * max(x[j], 1e-300) if unbounded else ub[j]}
    for side, end in ends.items():
        sign = -1.0 if side == "lower" else 1.0
        if abs(end - x[j]) <= 1e-9 * max(1.0, abs(x[j])):
            continue  # at the end already: reported as such
        end_ssr, end_x = at(end)
        if end_ssr <= limit or (too_early and side == "upper"):
            u = f" {unit}" if unit else ""
            reason = (
                too_early
                if end_ssr > limit
                else (
                    f"with the {cap} held at {_fmt(end)}{u} (the {side} end of its allowed range) "
                    f"the other parameters fit about as well (sum of squares {_fmt(end_ssr)} against "
                    f"{_fmt(ssr)}; an F test does not reject it at the {_fmt_pct(confidence)} level)"
                )
            )
            out.append(_Probe(side, end_x, end_ssr, True, unbounded and side == "upper", reason))
            continue
        wald = x[j] + sign * tq * se if math.isfinite(se) else end
        if not (min(x[j], end) < wald < max(x[j], end)):
            continue  # the Wald interval already reaches the end (and is clipped there)
        wald_ssr, wald_x = at(wald)
        if wald_ssr > limit:
            continue  # the Wald end is rejected: the profile interval is inside it
        edge = optimize.brentq(
            lambda c: at(c)[0] - limit, wald, end, xtol=0.01 * se, rtol=1e-4, maxiter=60
        )
        edge_ssr, edge_x = at(edge)
        out.append(_Probe(side, edge_x, edge_ssr, False))
    return out


def _std_errors(
    jac: np.ndarray, ssr: float, n: int, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standard errors from ``s^2 (J^T J)^-1``.

    Returns the standard errors, which parameters lie in a singular direction of ``J^T J``
    (their standard error is ``inf``), which load on its weakest direction, and the condition
    number of ``J^T J`` after scaling each column of ``J`` to unit length (so that units do not
    matter).
    """
    norms = np.linalg.norm(jac, axis=0)
    singular = norms == 0
    scale = np.where(singular, 1.0, norms)
    _, sv, vt = np.linalg.svd(jac / scale, full_matrices=False)
    top = sv.max() if sv.size else 0.0
    tiny = sv <= top * 1e-10 if top > 0 else np.ones(sv.shape, dtype=bool)
    for k in np.flatnonzero(tiny):
        singular |= np.abs(vt[k]) > 0.05
    weak = np.abs(vt[-1]) > 0.3 if sv.size else np.zeros(p, dtype=bool)
    cond = float((top / sv.min()) ** 2) if sv.size and sv.min() > 0 else math.inf
    if n == p:
        return np.full(p, np.nan), singular, weak, cond
    keep = ~tiny
    inv = (vt[keep].T / sv[keep] ** 2) @ vt[keep]
    var = ssr / (n - p) * np.diag(inv) / scale**2
    se = np.sqrt(np.maximum(var, 0.0))
    se[singular] = math.inf
    return se, singular, weak, cond


# ----------------------------------------------------------------------------- helpers


def _fmt(x: float, digits: int = 4) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def _fmt_pct(confidence: float) -> str:
    return f"{100 * confidence:g} %"


def _round(x: float) -> float:
    return float(f"{x:.{_SIG}g}")


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _json_value(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (float, np.floating)):
        return _json_float(float(v))
    return v


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]
