"""Constraint violations of a result: which relation fails, in which years, by how much.

A scenario may declare constraints that must hold in every projected year (``ofc_traffic <=
ofc_capacity``, see :mod:`projection.scenario.constraints`). A violation is never hidden or
clipped. For a point projection a :class:`Violation` lists the years a constraint fails with
both sides and the margin there; for an ensemble it lists the years in which *some* member
fails, the share of members that do in each, and the worst member's margin (exact at any size:
counted and compared block by block).

The margin is the room left, in the left side's unit: ``rhs - lhs`` for ``<=``/``<`` and
``lhs - rhs`` for ``>=``/``>``. It is negative where the constraint is violated beyond the
relative tolerance :data:`~projection.engine.tolerance.RTOL`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..text import count, format_value, format_year_shares, format_years
from .tolerance import violated

__all__ = ["CHECK_COLUMNS", "Violation", "check_constraints", "violated", "violation_warning"]

#: Columns of :func:`check_constraints`.
CHECK_COLUMNS = (
    "scenario",
    "constraint",
    "expression",
    "year",
    "lhs",
    "rhs",
    "margin",
    "unit",
    "source",
    "share",
)


@dataclass(frozen=True)
class Violation:
    """A constraint that fails in some projected years.

    Attributes
    ----------
    constraint : str
        The constraint's id in the scenario file.
    expression : str
        Its text, e.g. ``ofc_traffic <= ofc_capacity``.
    years : ndarray of int
        Years in which it fails (in some member, for an ensemble).
    lhs, rhs, margin : ndarray
        Both sides and the margin (negative: by how much it fails) in those years, in
        ``unit``; for an ensemble, those of the member with the worst margin each year.
    unit : str
        Unit of the left side.
    source : str
        Why the constraint should hold.
    share : ndarray
        Share of members that fail in each of those years (1 for a point projection).
    members : int
        Members the shares are of (1 for a point projection).
    step : int
        Years between projected years (to write runs of years).
    """

    constraint: str
    expression: str
    years: np.ndarray
    lhs: np.ndarray
    rhs: np.ndarray
    margin: np.ndarray
    unit: str
    source: str
    share: np.ndarray | None = None
    members: int = 1
    step: int = 1

    @property
    def worst(self) -> tuple[int, float]:
        """``(year, margin)`` of the largest violation."""
        i = int(np.argmin(self.margin))
        return int(self.years[i]), float(self.margin[i])

    @property
    def shares(self) -> np.ndarray:
        """Share of members failing in each of :attr:`years`."""
        return np.ones(len(self.years)) if self.share is None else self.share

    def failing_years(self) -> str:
        """The years it fails in, as text: ``2025, 2027`` (with each year's share of members,
        for an ensemble)."""
        if self.members <= 1:
            return format_years(self.years, self.step)
        counts = np.rint(self.shares * self.members).astype(int)
        return format_year_shares(self.years, counts, self.members, self.step)

    def summary(self) -> str:
        """One line: ``id (expression) fails in 2025, 2027; worst margin -30 Gbps in 2025``."""
        year, worst = self.worst
        return (
            f"{self.constraint} ({self.expression}) fails in {self.failing_years()}; "
            f"worst margin {format_value(worst, self.unit)} in {year}"
        )


def violation_warning(name: str, violations: list[Violation]) -> str | None:
    """The one-line warning for a result that violates constraints (None if it does not):
    ``baseline violates 1 constraint: ...; ... (details: projection check)``."""
    if not violations:
        return None
    listed = "; ".join(v.summary() for v in violations)
    return (
        f"{name} violates {count(len(violations), 'constraint')}: {listed} "
        "(details: projection check)"
    )


def check_constraints(results: Any) -> Any:
    """Every violated constraint of one or several results, one row per failing year.

    Parameters
    ----------
    results : Result or iterable of Result
        Point projections and ensembles alike (what :func:`projection.run` returns).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHECK_COLUMNS`; ``margin`` is negative (the amount by which the
        constraint fails) and is in ``unit``, the unit of the left side; ``share`` is the
        share of members that fail that year (1 for a point projection), and for an ensemble
        ``lhs``, ``rhs`` and ``margin`` are those of the worst member. Empty when every
        constraint holds.

    Examples
    --------
    >>> import projection
    >>> v = projection.check_constraints(projection.run("scenarios/baseline.yaml"))
    >>> v[["constraint", "year", "margin", "unit"]].head(1).values.tolist()
    [['traffic_within_capacity', 2025, -30.0, 'Gbps']]
    """
    import pandas as pd

    if hasattr(results, "violations"):  # one result
        results = [results]
    rows = []
    for r in results:
        for v in r.violations:
            for i, year in enumerate(v.years):
                rows.append(
                    (
                        r.name,
                        v.constraint,
                        v.expression,
                        int(year),
                        float(v.lhs[i]),
                        float(v.rhs[i]),
                        float(v.margin[i]),
                        v.unit,
                        v.source,
                        float(v.shares[i]),
                    )
                )
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))
