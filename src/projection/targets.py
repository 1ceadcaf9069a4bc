"""Target status: met? when? by how much?

:func:`evaluate_targets` turns each target of a projection into one row that answers the
questions an analyst asks of it:

========================  ===========================================================
column                    meaning
========================  ===========================================================
``scenario``              scenario name
``target``                target id in the scenario file
``indicator``, ``year``   what is required, and when
``bound``                 ``at_least`` or ``at_most``
``required``              the required value, in ``unit``
``projected``             the projected value in ``year``, in ``unit``
``unit``                  the indicator's unit
``status``                ``met``; ``missed`` (not met in ``year``, but met in some other
                          year of the horizon); ``not reached within horizon``
``first_year``            first projected year in which the bound holds (empty if none)
``gap``                   ``projected - required`` in ``unit``: for ``at_least`` a negative
                          gap is the shortfall, for ``at_most`` a positive gap the excess
``gap_relative``          ``gap / |required|`` (empty when ``required`` is 0)
``source``                the target's source
========================  ===========================================================

For an ensemble (:class:`~projection.ensemble.Ensemble`) ``projected``, ``status``,
``first_year`` and ``gap`` describe the **median** trajectory, and five columns follow:

========================  ===========================================================
``probability``           share of members that meet the target in its year
``probability_se``        its Monte Carlo standard error, ``sqrt(p (1 - p) / n)`` (0 when
                          every member or none meets the target; then
                          :func:`format_probability` states the 95 % bound ``3 / n``)
``first_year_median``     median over members of the first year reached
``first_year_p05``,       5 % and 95 % quantiles of it (the 90 % interval); empty
``first_year_p95``        where that quantile of members never reaches it in the horizon
``samples``               the number of members ``n``
========================  ===========================================================

A bound holds when it does within a relative tolerance of :data:`~projection.constraints.RTOL`
(1e-9), so a capacity of exactly 4 Tbps meets "at least 4000 Gbps" despite rounding.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .constraints import RTOL
from .result import Projection

__all__ = [
    "evaluate_targets",
    "TARGET_COLUMNS",
    "ENSEMBLE_COLUMNS",
    "MET",
    "MISSED",
    "NOT_REACHED",
    "holds",
    "format_probability",
]

MET = "met"
MISSED = "missed"
NOT_REACHED = "not reached within horizon"

ENSEMBLE_COLUMNS = (
    "probability",
    "probability_se",
    "first_year_median",
    "first_year_p05",
    "first_year_p95",
    "samples",
)

TARGET_COLUMNS = (
    "scenario",
    "target",
    "indicator",
    "year",
    "bound",
    "required",
    "projected",
    "unit",
    "status",
    "first_year",
    "gap",
    "gap_relative",
    "source",
)


def holds(values: np.ndarray, bound: str, required: float) -> np.ndarray:
    """Whether ``values`` satisfy ``bound`` (``at_least``/``at_most``) ``required``, within RTOL.

    Examples
    --------
    >>> import numpy as np
    >>> holds(np.array([3.9, 4.0, 4.1]), "at_least", 4.0).tolist()
    [False, True, True]
    """
    tol = RTOL * np.maximum(abs(required), np.abs(values))
    if bound == "at_least":
        return values >= required - tol
    return values <= required + tol


def evaluate_targets(projections: Any) -> pd.DataFrame:
    """Status of every target of one or several projections.

    Parameters
    ----------
    projections : Projection or iterable of Projection

    Returns
    -------
    pandas.DataFrame
        One row per scenario and target, with the columns listed in :data:`TARGET_COLUMNS`
        (see the module docstring for their meaning). ``first_year`` is a nullable integer.

    Examples
    --------
    >>> import projection
    >>> p = projection.run("scenarios/baseline.yaml")
    >>> t = projection.evaluate_targets(p).set_index("target")
    >>> float(t.loc["T1", "required"]), t.loc["T1", "status"]
    (30.0, 'missed')
    >>> int(t.loc["T1", "first_year"])
    2035
    """
    from .ensemble import Ensemble

    if isinstance(projections, (Projection, Ensemble)):
        projections = [projections]
    projections = list(projections)
    ensemble = any(isinstance(p, Ensemble) for p in projections)
    rows = []
    for p in projections:
        s = p.scenario
        for tid, target in s.targets.items():
            unit = s.indicators[target.indicator].unit
            required = target.required(unit)
            bound = target.bound[0]
            series = (
                p.median[target.indicator]
                if isinstance(p, Ensemble)
                else p.values[target.indicator]
            )
            ok = holds(series, bound, required)
            projected = float(series[int(np.searchsorted(p.years, target.year))])
            met_then = bool(ok[int(np.searchsorted(p.years, target.year))])
            first = int(p.years[int(np.argmax(ok))]) if ok.any() else None
            status = MET if met_then else (MISSED if first is not None else NOT_REACHED)
            gap = projected - required
            rows.append(
                {
                    "scenario": p.name,
                    "target": tid,
                    "indicator": target.indicator,
                    "year": int(target.year),
                    "bound": bound,
                    "required": required,
                    "projected": projected,
                    "unit": unit,
                    "status": status,
                    "first_year": first,
                    "gap": gap,
                    "gap_relative": gap / abs(required) if required != 0 else np.nan,
                    "source": " ".join(target.source.split()),
                    **(_probabilities(p, tid) if isinstance(p, Ensemble) else {}),
                }
            )
    columns = list(TARGET_COLUMNS) + (list(ENSEMBLE_COLUMNS) if ensemble else [])
    frame = pd.DataFrame(rows, columns=columns)
    frame["first_year"] = frame["first_year"].astype("Int64")
    for col in ENSEMBLE_COLUMNS[2:] if ensemble else ():
        frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["year"].astype("int64")
    return frame


def _probabilities(e: Any, tid: str) -> dict[str, Any]:
    """Probability that target ``tid`` is met, and the spread of the first year reached."""
    p = e.target_met[tid] / e.n
    counts = e.first_year_counts[tid]  # per projected year, then "never"
    cdf = np.cumsum(counts) / e.n

    def year(q: float) -> int | None:
        # the empirical (inverted-cdf) quantile: the first year whose cumulative share >= q
        i = int(np.searchsorted(cdf, q - 1e-12))
        return int(e.years[i]) if i < len(e.years) else None

    return {
        "probability": p,
        "probability_se": float(np.sqrt(p * (1.0 - p) / e.n)),
        "first_year_median": year(0.5),
        "first_year_p05": year(0.05),
        "first_year_p95": year(0.95),
        "samples": int(e.n),
    }


def format_probability(p: float, se: float, n: int) -> str:
    """``p`` with its standard error, or with the 95 % bound when ``p`` is 0 or 1.

    A standard error of 0 would claim certainty that ``n`` members cannot give: when no member
    (or every member) meets a target, the share that would in the population is below ``3 / n``
    (above ``1 - 3 / n``) at 95 % confidence (the "rule of three").

    Examples
    --------
    >>> format_probability(0.594, 0.0156, 1000)
    '0.594 ± 0.016'
    >>> format_probability(1.0, 0.0, 1000), format_probability(0.0, 0.0, 200)
    ('1.000 (> 0.997)', '0.000 (< 0.015)')
    >>> format_probability(1.0, 0.0, 10_000)
    '1.000 (> 0.9997)'
    """
    if n and (p >= 1.0 or p <= 0.0):
        bound = min(3.0 / n, 1.0)
        digits = max(3, math.ceil(-math.log10(bound)))  # enough to show that it is not 0 or 1
        scale = 10**digits
        if p >= 1.0:  # rounded down, towards the conservative side
            return f"1.000 (> {math.floor((1.0 - bound) * scale) / scale:.{digits}f})"
        return f"0.000 (< {math.ceil(bound * scale) / scale:.{digits}f})"
    return f"{p:.3f} ± {se:.3f}"
