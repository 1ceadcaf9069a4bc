"""Ensembles: many parameter sets drawn from the scenario's distributions, projected at once.

:func:`run_ensemble` draws ``n`` sets of the uncertain inputs (:mod:`projection.sampling`),
evaluates them in chunks of ``chunk_size`` members, each chunk as arrays of shape
(chunk, years) per indicator with no Python work per member, and summarises them:

* quantile bands per indicator and year (``Ensemble.bands``, tidy with a ``quantile`` column
  in :meth:`Ensemble.to_frame`; empirical quantiles, :data:`QUANTILE_METHOD`), medians and
  means;
* per target, the probability that it is met with its Monte Carlo standard error, and the
  distribution of the first year it is reached (:func:`projection.evaluate_targets`);
* per constraint, the share of members that violate it, by year.

Reproducibility: the draws depend only on the scenario, ``n``, the sampler and the seed, and
are made once for the whole ensemble; chunks only split the evaluation, and every statistic is
computed on the assembled members, so results are identical for any ``chunk_size``.

The standard error of a probability is the binomial ``sqrt(p (1 - p) / n)``. For Latin
hypercube and Sobol samples it is conservative (their error is usually smaller).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .constraints import RTOL
from .engine import _evaluate
from .exceptions import ProjectionError
from .sampling import sample, uncertain_parameters
from .units import Quantity

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

__all__ = ["Ensemble", "run_ensemble", "DEFAULT_QUANTILES", "DEFAULT_CHUNK"]

DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
#: How quantiles are read off the members (numpy's ``method``): the empirical quantile,
#: never an interpolation between two members.
QUANTILE_METHOD = "inverted_cdf"
#: Members evaluated at once; bounds the size of the arrays one chunk needs.
DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class Ensemble:
    """The result of an ensemble run.

    Attributes
    ----------
    scenario : Scenario
    years : ndarray of int, shape (T,)
    n : int
        Number of members.
    sampler : str
    seed : int or None
    quantiles : tuple of float
    bands : dict of str to ndarray, shape (Q, T)
        Quantiles of each indicator, in its unit, one row per entry of ``quantiles``.
    mean : dict of str to ndarray, shape (T,)
    median : dict of str to ndarray, shape (T,)
        Always computed (targets are judged on it), whatever ``quantiles`` holds.
    draws : dict of str to ndarray, shape (n,)
        The drawn inputs, by dotted path, in each parameter's written unit.
    members : dict of str to ndarray, shape (n, T), or None
        Every member's trajectory (only with ``keep_samples=True``).
    target_met : dict of str to ndarray of bool, shape (n,)
        Whether each member meets each target in its year.
    first_year : dict of str to ndarray of float, shape (n,)
        The first year each member meets each target (``inf``: not within the horizon).
    violation_share : dict of str to ndarray, shape (T,)
        Share of members violating each constraint, by year.
    notes : list of str
    """

    scenario: Scenario
    years: np.ndarray
    n: int
    sampler: str
    seed: int | None
    quantiles: tuple[float, ...]
    bands: dict[str, np.ndarray]
    mean: dict[str, np.ndarray]
    median: dict[str, np.ndarray]
    draws: dict[str, np.ndarray]
    members: dict[str, np.ndarray] | None = None
    target_met: dict[str, np.ndarray] = field(default_factory=dict)
    first_year: dict[str, np.ndarray] = field(default_factory=dict)
    violation_share: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def units(self) -> dict[str, str]:
        """Unit of each indicator."""
        return {k: self.scenario.indicators[k].unit for k in self.bands}

    def quantile(self, indicator: str, q: float) -> pd.Series:
        """One quantile band of one indicator, as a Series indexed by year."""
        try:
            row = self.quantiles.index(q)
        except ValueError:
            raise KeyError(f"quantile {q} was not computed (have {self.quantiles})") from None
        return pd.Series(
            self.bands[indicator][row], index=pd.Index(self.years, name="year"), name=indicator
        )

    def to_frame(self, *, samples: bool = False) -> pd.DataFrame:
        """Tidy quantile bands: ``scenario, indicator, year, quantile, value, unit``.

        With ``samples=True`` (and members kept) each member's values follow, with the member's
        number in a ``sample`` column and ``quantile`` empty; quantile rows have ``sample`` empty.
        """
        names = list(self.bands)
        q = np.asarray(self.quantiles, dtype=float)
        t = len(self.years)
        frames = []
        for name in names:
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": self.name,
                        "indicator": name,
                        "year": np.tile(self.years.astype(int), len(q)),
                        "quantile": np.repeat(q, t),
                        "value": self.bands[name].reshape(-1),
                        "unit": self.units[name],
                    }
                )
            )
        frame = pd.concat(frames, ignore_index=True)
        if not samples:
            return frame
        if self.members is None:
            raise ProjectionError("members were not kept: run the ensemble with keep_samples=True")
        frame.insert(4, "sample", pd.array([pd.NA] * len(frame), dtype="Int64"))
        member_frames = []
        for name in names:
            values = self.members[name]
            member_frames.append(
                pd.DataFrame(
                    {
                        "scenario": self.name,
                        "indicator": name,
                        "year": np.tile(self.years.astype(int), self.n),
                        "quantile": np.nan,
                        "sample": pd.array(np.repeat(np.arange(self.n), t), dtype="Int64"),
                        "value": values.reshape(-1),
                        "unit": self.units[name],
                    }
                )
            )
        return pd.concat([frame, *member_frames], ignore_index=True)

    def plot(self, **kwargs):
        """Fan chart: median lines with shaded quantile bands and the targets."""
        from .plot import plot_projections

        return plot_projections([self], **kwargs)

    def __repr__(self) -> str:
        return (
            f"Ensemble(scenario={self.name!r}, n={self.n}, sampler={self.sampler!r}, "
            f"seed={self.seed!r}, indicators={list(self.bands)})"
        )


def run_ensemble(
    scenario: Scenario,
    n: int,
    *,
    sampler: str = "lhs",
    seed: int | None = None,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_samples: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
) -> Ensemble:
    """Draw ``n`` parameter sets and project them all.

    Parameters
    ----------
    scenario : Scenario
    n : int
        Number of members.
    sampler : {"lhs", "sobol", "mc"}
    seed : int or None
        Same seed, same result, bit for bit.
    quantiles : sequence of float in [0, 1]
    keep_samples : bool
        Keep every member's trajectory (memory: ``n x years x indicators`` floats).
    chunk_size : int
        Members evaluated at once. Results do not depend on it.

    Returns
    -------
    Ensemble

    Examples
    --------
    >>> import projection
    >>> e = projection.run("scenarios/baseline.yaml", samples=1000, seed=1)
    >>> q05, q50, q95 = e.bands["ev_sales_share"][:, e.scenario.years.index(2030)]
    >>> bool(q05 <= q50 <= q95)
    True
    """
    qs = _check_quantiles(quantiles)
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, (int, np.integer))
        or chunk_size < 1
    ):
        raise ProjectionError(f"chunk_size must be a positive whole number (got {chunk_size!r})")
    draws = sample(scenario, n, sampler=sampler, seed=seed)
    notes: list[str] = []
    if not uncertain_parameters(scenario):
        notes.append("no parameter has a distribution: every member is the point projection")
    years = np.asarray(scenario.years, dtype=float)
    t = len(years)
    members: dict[str, np.ndarray] = {
        name: np.empty((n, t), dtype=float) for name in scenario.indicators
    }
    for lo in range(0, n, chunk_size):
        hi = min(n, lo + chunk_size)
        chunk = {path: values[lo:hi] for path, values in draws.items()}
        values, chunk_notes = _evaluate(scenario, years, chunk)
        for name, v in values.items():
            members[name][lo:hi] = v  # broadcasts (T,) for inputs that do not vary
        for note in chunk_notes:
            if note not in notes:
                notes.append(note)
    names = sorted(members)
    # inverted_cdf: every quantile is a value some member has; a staged capacity that is
    # 1 Tbps in half the members and 4 Tbps in the other half has no "2.5 Tbps" median
    bands = {name: np.quantile(members[name], qs, axis=0, method=QUANTILE_METHOD) for name in names}
    mean = {name: members[name].mean(axis=0) for name in names}
    median = {
        name: np.quantile(members[name], 0.5, axis=0, method=QUANTILE_METHOD) for name in names
    }
    target_met, first_year = _target_statistics(scenario, years, members)
    violation_share = _violation_shares(scenario, members)
    return Ensemble(
        scenario=scenario,
        years=years.astype(int),
        n=int(n),
        sampler=sampler,
        seed=seed,
        quantiles=tuple(float(q) for q in qs),
        bands=bands,
        mean=mean,
        median=median,
        draws=draws,
        members={name: members[name] for name in names} if keep_samples else None,
        target_met=target_met,
        first_year=first_year,
        violation_share=violation_share,
        notes=notes,
    )


def _check_quantiles(quantiles: Sequence[float]) -> np.ndarray:
    try:
        qs = np.asarray([float(q) for q in quantiles], dtype=float)
    except (TypeError, ValueError):
        raise ProjectionError(f"quantiles must be numbers in [0, 1] (got {quantiles!r})") from None
    if qs.size == 0 or not np.all((qs >= 0) & (qs <= 1)):
        raise ProjectionError(f"quantiles must be numbers in [0, 1] (got {list(quantiles)})")
    return np.unique(qs)


def _target_statistics(
    scenario: Scenario, years: np.ndarray, members: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    from .targets import holds

    met: dict[str, np.ndarray] = {}
    first: dict[str, np.ndarray] = {}
    for tid, target in scenario.targets.items():
        unit = scenario.indicators[target.indicator].unit
        values = members[target.indicator]
        ok = holds(values, target.bound[0], target.required(unit))
        col = int(np.searchsorted(years, target.year))
        met[tid] = ok[:, col].copy()
        any_ok = ok.any(axis=1)
        first[tid] = np.where(any_ok, years[np.argmax(ok, axis=1)], np.inf)
    return met, first


def _violation_shares(scenario: Scenario, members: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    shares = {}
    for cid in scenario.constraints:
        comparison = scenario.comparison(cid)
        env = {n: Quantity(members[n], scenario.indicators[n].unit) for n in comparison.names}
        lhs, rhs, margin, _ = comparison.margin(env)
        bad = margin < -RTOL * np.maximum(np.abs(lhs), np.abs(rhs))
        shares[cid] = np.broadcast_to(bad, (len(next(iter(members.values()))), bad.shape[-1])).mean(
            axis=0
        )
    return shares
