"""Comparing scenarios: trajectories side by side (:func:`compare`) and the assumptions that
differ (:func:`diff`).

Analysts compare scenarios more than they read one. :func:`compare` puts every scenario's
trajectory on the first scenario's units and reports the difference against it;
:func:`diff` lists every number or setting that differs between two scenarios after
``extends`` is resolved, each with its source on both sides, so a difference in results can be
traced to the assumption behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.results import Result
from ..engine.runner import run
from ..exceptions import ProjectionError
from ..models import DERIVED, get_family
from ..scenario import Scenario, load_scenario
from ..scenario.model import convert
from ..units import Quantity, conversion_factor, parse_quantity

__all__ = ["compare", "diff", "COMPARE_COLUMNS", "DIFF_COLUMNS"]

COMPARE_COLUMNS = (
    "scenario",
    "indicator",
    "year",
    "value",
    "unit",
    "difference",
    "relative_difference",
)
DIFF_COLUMNS = ("path", "change", "a", "b", "source_a", "source_b")

Runnable = Result | Scenario | str | Path | Mapping[str, Any]


def _as_result(item: Runnable) -> Result:
    return item if isinstance(item, Result) else run(item)


def compare(
    items: Sequence[Runnable],
    *,
    indicators: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Trajectories of several scenarios side by side, with differences against the first.

    Parameters
    ----------
    items : sequence of Result, Scenario, path or mapping
        The first one is the reference. An ensemble is compared through its median
        trajectory (its :attr:`~projection.engine.Result.central` one). Scenarios must have
        distinct names: compare a scenario with a variant of itself through
        :meth:`~projection.scenario.Scenario.with_overrides`, which names the variant.
    indicators : iterable of str, optional
        Indicators to keep (default: every indicator of any scenario).
    years : iterable of int, optional
        Years to keep (default: every projected year).

    Returns
    -------
    pandas.DataFrame
        Tidy, columns :data:`COMPARE_COLUMNS`. Values are in the reference scenario's unit of
        each indicator; ``difference`` is ``value - reference value`` in that unit and
        ``relative_difference`` is that over ``|reference value|`` (NaN where the reference
        lacks the indicator or year, or is 0).

    Examples
    --------
    >>> import projection
    >>> c = projection.compare(["scenarios/baseline.yaml", "scenarios/paper-targets.yaml"],
    ...                        indicators=["ev_sales_share"], years=[2030])
    >>> c[["scenario", "value", "difference"]].round(2).to_string(index=False)
    '     scenario  value  difference\\n     baseline   9.93        0.00\\npaper-targets  31.99       22.05'
    """
    projections = [_as_result(i) for i in items]
    if not projections:
        raise ProjectionError("compare needs at least one scenario")
    names = [p.name for p in projections]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ProjectionError(
            f"two scenarios are called {twice[0]!r}: name them apart to compare them (a "
            "variant of a scenario: scenario.with_overrides(..., name=...), or --variant on "
            "the command line)"
        )
    known = sorted({n for p in projections for n in p.central})
    wanted = list(indicators) if indicators is not None else known
    for name in wanted:
        if name not in known:
            raise ProjectionError(f"unknown indicator {name!r} (known: {', '.join(known)})")
    year_filter = None if years is None else {int(y) for y in years}
    units: dict[str, str] = {}
    for name in wanted:
        units[name] = next(p.units[name] for p in projections if name in p.central)
    frames = []
    reference = projections[0]
    for p in projections:
        for name in wanted:
            if name not in p.central:
                continue
            factor = conversion_factor(p.units[name], units[name])
            keep = (
                np.ones(len(p.years), bool)
                if year_filter is None
                else np.isin(p.years, list(year_filter))
            )
            values = p.central[name][keep] * factor
            yrs = p.years[keep]
            if name in reference.central:
                ref = pd.Series(
                    reference.central[name] * conversion_factor(reference.units[name], units[name]),
                    index=reference.years,
                )
                ref_values = ref.reindex(yrs).to_numpy(dtype=float)
            else:
                ref_values = np.full(len(yrs), np.nan)
            diff_values = values - ref_values
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(ref_values != 0, diff_values / np.abs(ref_values), np.nan)
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": p.name,
                        "indicator": name,
                        "year": yrs.astype(int),
                        "value": values,
                        "unit": units[name],
                        "difference": diff_values,
                        "relative_difference": rel,
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=list(COMPARE_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(COMPARE_COLUMNS)]


def diff(
    a: Scenario | str | Path | Mapping[str, Any], b: Scenario | str | Path | Mapping[str, Any]
) -> pd.DataFrame:
    """Every setting and number that differs between two scenarios, with sources.

    ``extends`` is resolved first, so a difference inherited from a base file shows. Numbers
    are compared after unit conversion (``1 Tbps`` equals ``1000 Gbps``); a number whose value
    agrees but whose source differs is listed with ``change == "source"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DIFF_COLUMNS`: the dotted ``path``; ``change`` (``value``, ``source``,
        ``only in a``, ``only in b``); the value in each scenario (as written, with its unit);
        and the source of each.

    Examples
    --------
    >>> import projection
    >>> d = projection.diff("scenarios/baseline.yaml", "scenarios/paper-targets.yaml")
    >>> d.set_index("path").loc["indicators.ev_sales_share.params.rate", ["a", "b"]].tolist()
    ['0.35 1/yr', '0.7 1/yr']
    """
    sa, sb = load_scenario(a), load_scenario(b)
    ra, rb = _records(sa), _records(sb)
    rows = []
    for path in sorted(set(ra) | set(rb), key=_sort_key):
        if path in ("name", "description"):
            continue
        if path not in rb:
            shown, _, source = ra[path]
            rows.append((path, "only in a", shown, "", source, ""))
        elif path not in ra:
            shown, _, source = rb[path]
            rows.append((path, "only in b", "", shown, "", source))
        else:
            (sh_a, cmp_a, src_a), (sh_b, cmp_b, src_b) = ra[path], rb[path]
            if not _same(cmp_a, cmp_b):
                rows.append((path, "value", sh_a, sh_b, src_a, src_b))
            elif src_a != src_b:
                rows.append((path, "source", sh_a, sh_b, src_a, src_b))
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y) == 2:
        return _same(x[0], y[0]) and x[1] == y[1]
    if isinstance(x, float) and isinstance(y, float):
        return bool(np.isclose(x, y, rtol=1e-12, atol=0.0))
    return x == y


def _sort_key(path: str) -> list:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in path.split(".")]


def _shown(value: Any, unit: str | None) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}" if unit else text


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _records(s: Scenario) -> dict[str, tuple[str, Any, str]]:
    """``path -> (value as shown, value to compare, source)`` for everything in a scenario."""
    out: dict[str, tuple[str, Any, str]] = {}
    h = s.horizon
    for key in ("start", "end", "step"):
        out[f"horizon.{key}"] = (str(getattr(h, key)), getattr(h, key), "")
    if s.report_years:
        out["report_years"] = (", ".join(map(str, s.report_years)), tuple(s.report_years), "")
    for name, ind in s.indicators.items():
        base = f"indicators.{name}"
        for key in ("unit", "model", "base_year", "interpolation", "expression"):
            value = getattr(ind, key)
            if value is not None:
                out[f"{base}.{key}"] = (str(value), value, "")
        specs = {} if ind.model == DERIVED else {p.name: p for p in get_family(ind.model).params}
        for pname, p in ind.params.items():
            magnitude, unit = p.quantity()
            if pname in specs:
                comparable = convert((magnitude, unit), specs[pname].unit_for(ind.unit))
            else:  # a derived indicator's constant: compare in base units
                q = Quantity(magnitude, unit).to_base_units()
                comparable = (float(q.magnitude), str(q.dimensionality))
            out[f"{base}.params.{pname}"] = (
                _shown(magnitude, unit),
                comparable,
                _one_line(p.source),
            )
            if p.distribution is not None:  # the prior against the posterior, say
                d = p.distribution
                out[f"{base}.params.{pname}.distribution"] = (
                    d.describe(unit or ""),
                    d.model_dump(mode="json"),
                    _one_line(p.source),
                )
        for i, m in enumerate(ind.milestones or []):
            magnitude, unit = m.quantity()
            out[f"{base}.milestones.{i}.year"] = (
                str(m.year),
                m.year,
                _one_line(m.year_source or m.source),
            )
            out[f"{base}.milestones.{i}.value"] = (
                _shown(magnitude, unit),
                convert((magnitude, unit), ind.unit),
                _one_line(m.source),
            )
    for tid, t in s.targets.items():
        base = f"targets.{tid}"
        unit = s.indicators[t.indicator].unit
        out[f"{base}.indicator"] = (t.indicator, t.indicator, "")
        out[f"{base}.year"] = (str(t.year), t.year, _one_line(t.source))
        for key, value in t.bounds:
            magnitude, vunit = parse_quantity(value, t.unit)
            shown = _shown(magnitude, vunit)
            out[f"{base}.{key}"] = (shown, t.required(unit, key), _one_line(t.source))
    for cid, c in s.constraints.items():
        out[f"constraints.{cid}.expression"] = (c.expression, c.expression, _one_line(c.source))
    if s.correlations is not None:
        c = s.correlations
        short = [p.rsplit(".", 1)[-1] for p in c.parameters]
        pairs = [
            f"{short[i]}/{short[j]} {c.matrix[i][j]:+.2f}"
            for i in range(len(short))
            for j in range(i + 1, len(short))
        ]
        out["correlations"] = (
            ", ".join(pairs),
            (tuple(c.parameters), tuple(map(tuple, c.matrix))),
            _one_line(c.source),
        )
    return out
