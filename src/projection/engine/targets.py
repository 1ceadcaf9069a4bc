"""Target status: met? when? by how much?

:func:`evaluate_targets` turns each target of a projection into one row that answers the
questions an analyst asks of it:

========================  ===========================================================
column                    meaning
========================  ===========================================================
``scenario``              scenario name
``target``                target id in the scenario file
``indicator``, ``year``   what is required, and when
``bound``                 ``at_least``, ``at_most`` or ``between`` (a range target, both
                          written)
``required``              the required value, in ``unit`` (a range's lower end)
``required_upper``        a range's upper end (empty for ``at_least`` and ``at_most``)
``projected``             the projected value in ``year``, in ``unit``
``unit``                  the indicator's unit
``status``                ``met``; ``missed`` (not met in ``year``, but met in some other
                          year of the horizon); ``not reached within horizon``
``first_year``            first projected year in which the bound holds (empty if none)
``gap``                   ``projected - required`` in ``unit``: for ``at_least`` a negative
                          gap is the shortfall, for ``at_most`` a positive gap the excess;
                          for a range, the distance outside it (0 inside)
``gap_relative``          ``gap`` over the bound it is measured from (empty when that is 0)
``source``                the target's source
========================  ===========================================================

For an ensemble (:class:`~projection.engine.Ensemble`) ``projected``, ``status``,
``first_year`` and ``gap`` describe the **median** trajectory, and six columns follow:

========================  ===========================================================
``probability``           share of members that meet the target in its year
``probability_se``        its Monte Carlo standard error, ``sqrt(p (1 - p) / n)`` (0 when
                          every member or none meets the target; then
                          :func:`projection.text.format_probability` states the 95 % bound
                          ``3 / n``)
``first_year_median``     median over members of the first year reached
``first_year_p05``,       5 % and 95 % quantiles of it (the 90 % interval); empty
``first_year_p95``        where that quantile of members never reaches it in the horizon
``samples``               the number of members ``n``
========================  ===========================================================

A bound holds when it does within a relative tolerance of
:data:`~projection.engine.tolerance.RTOL` (1e-9), so a capacity of exactly 4 Tbps meets "at
least 4000 Gbps" despite rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tolerance import holds

__all__ = [
    "evaluate_targets",
    "target_rows",
    "TARGET_COLUMNS",
    "ENSEMBLE_COLUMNS",
    "MET",
    "MISSED",
    "NOT_REACHED",
    "holds",
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
    "required_upper",
    "projected",
    "unit",
    "status",
    "first_year",
    "gap",
    "gap_relative",
    "source",
)


def target_rows(result: Any) -> list[dict[str, Any]]:
    """One record per target of ``result`` (the columns of :data:`TARGET_COLUMNS`, and for an
    ensemble those of :data:`ENSEMBLE_COLUMNS`), judged on its central trajectory."""
    rows = []
    years = result.years
    for tid, target in result.compiled.targets.items():
        series = result.central[target.indicator]
        ok = target.holds(series)
        projected = float(series[target.column])
        first = int(years[int(np.argmax(ok))]) if ok.any() else None
        status = MET if bool(ok[target.column]) else (MISSED if first is not None else NOT_REACHED)
        rows.append(
            {
                "scenario": result.name,
                "target": tid,
                "indicator": target.indicator,
                "year": target.year,
                "bound": target.bound,
                "required": target.required,
                "required_upper": np.nan if target.upper is None else target.upper,
                "projected": projected,
                "unit": target.unit,
                "status": status,
                "first_year": first,
                "gap": float(target.gap(projected)),
                "gap_relative": float(target.relative_gap(projected)),
                "source": target.source,
                **result.target_probabilities(tid),
            }
        )
    return rows


def evaluate_targets(results: Any) -> Any:
    """Status of every target of one or several results.

    Parameters
    ----------
    results : Result or iterable of Result
        Point projections and ensembles (what :func:`projection.run` returns), mixed freely.

    Returns
    -------
    pandas.DataFrame
        One row per scenario and target, with the columns listed in :data:`TARGET_COLUMNS`
        (see the module docstring for their meaning), and :data:`ENSEMBLE_COLUMNS` when any
        result is an ensemble. ``first_year`` is a nullable integer.

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
    import pandas as pd

    if hasattr(results, "central"):  # one result
        results = [results]
    results = list(results)
    ensemble = any(r.samples for r in results)
    rows = [row for r in results for row in target_rows(r)]
    columns = list(TARGET_COLUMNS) + (list(ENSEMBLE_COLUMNS) if ensemble else [])
    frame = pd.DataFrame(rows, columns=columns)
    frame["first_year"] = frame["first_year"].astype("Int64")
    for col in ENSEMBLE_COLUMNS[2:] if ensemble else ():
        frame[col] = frame[col].astype("Int64")
    frame["year"] = frame["year"].astype("int64")
    return frame


def probabilities(met: int, first_counts: np.ndarray, years: np.ndarray, n: int) -> dict[str, Any]:
    """The probability that a target is met (``met`` members of ``n``), its standard error,
    and the spread of the first year reached (``first_counts``: members first reaching it in
    each year, then those that never do)."""
    p = met / n
    cdf = np.cumsum(first_counts) / n

    def year(q: float) -> int | None:
        # the empirical (inverted-cdf) quantile: the first year whose cumulative share >= q
        i = int(np.searchsorted(cdf, q - 1e-12))
        return int(years[i]) if i < len(years) else None

    return {
        "probability": p,
        "probability_se": float(np.sqrt(p * (1.0 - p) / n)),
        "first_year_median": year(0.5),
        "first_year_p05": year(0.05),
        "first_year_p95": year(0.95),
        "samples": int(n),
    }
