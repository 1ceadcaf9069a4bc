"""The result of a calibration: estimates, intervals, identifiability, and the fitted scenario.

:class:`Calibration` holds what :func:`~projection.analysis.calibrate.calibrate` found, prints
it (:meth:`Calibration.summary`), tabulates it (:meth:`Calibration.to_frame`) and turns it into
a scenario whose fitted parameters carry their provenance (:meth:`Calibration.to_scenario`,
:meth:`Calibration.write`).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ...exceptions import ScenarioError
from ...files import write_text
from ...models import get_family
from ...scenario import Scenario, load_scenario
from ...units import conversion_factor

__all__ = ["Calibration"]

_SIG = 10  # significant digits written to a calibrated scenario


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
    >>> from projection import calibrate
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
        return write_text(path, text + body)

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
        cap = get_family(self.model).cap
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
        canonical = get_family(self.model).spec(name).unit_for(ind.unit)
        written = param.written_unit
        factor = conversion_factor(written, canonical) if written else 1.0
        if param.distribution is not None:
            low, high = param.distribution.support()
            return low * factor, high * factor
        value = ind.resolved()[name]
        return value, value


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
