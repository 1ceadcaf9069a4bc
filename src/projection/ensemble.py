"""Ensembles: many parameter sets drawn from the scenario's distributions, projected at once.

:func:`run_ensemble` draws ``n`` sets of the uncertain inputs (:mod:`projection.sampling`) and
projects them as arrays of shape (members, years) per indicator, with no Python work per
member. It streams: members are drawn and summarised in fixed blocks of
:data:`~projection.sampling.BLOCK` (65,536) members, each evaluated in chunks of at most
``chunk_size``, so memory does not grow with ``n``. Per block it keeps only

* sums per indicator and year (for means), counts of members meeting each target, of the
  first year each target is reached and of constraint violations (all exact);
* the members whose number is a multiple of ``stride = ceil(n / KEEP)`` (a systematic
  subsample of at most :data:`KEEP` members), from which quantile bands and medians are read.

Quantiles are therefore exact (the empirical quantiles of all members, numpy's
:data:`QUANTILE_METHOD`) for ``n <= KEEP`` = 131,072, and above that the empirical quantiles
of the subsample: the reported ``q`` quantile then lies between the ``q - 0.005`` and
``q + 0.005`` quantiles of the whole ensemble (the subsample's rank error is below 0.005 with
probability above 0.99 for every ``q``; tested). Means, target probabilities, first-year
distributions and violation shares are exact for any ``n``.

Reproducibility: block ``b``'s draws depend only on the scenario, ``n``, the sampler, the seed
and ``b``; blocks are summarised on their own and combined in block order, so results are
identical, bit for bit, for any ``chunk_size``, any number of local ``workers`` and on a
dask.distributed cluster (``client``).

The standard error of a probability is the binomial ``sqrt(p (1 - p) / n)``. For Latin
hypercube and Sobol samples it is conservative (their error is usually smaller).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .engine import _evaluate
from .exceptions import ProjectionError
from .result import categorise
from .sampling import BLOCK, _check, sample_block, seed_entropy, uncertain_parameters
from .units import Quantity

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

__all__ = ["Ensemble", "run_ensemble", "DEFAULT_QUANTILES", "DEFAULT_CHUNK", "KEEP"]

DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
#: How quantiles are read off the members (numpy's ``method``): the empirical quantile,
#: never an interpolation between two members (a staged capacity that is 1 Tbps in half the
#: members and 4 Tbps in the other half has no "2.5 Tbps" median).
QUANTILE_METHOD = "inverted_cdf"
#: Members evaluated at once; bounds the size of the arrays one chunk needs. A whole block:
#: 16,384 peaked about 100 MiB higher (glibc heap fragmentation, docs/performance.md) and was
#: no faster.
DEFAULT_CHUNK = 2**16
#: Largest subsample quantiles are read from (all members when ``n <= KEEP``).
KEEP = 2**17
#: Largest ``n * years * indicators`` for which every member may be kept (``keep_samples``).
MAX_KEPT_VALUES = 200_000_000


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
    draws : dict of str to ndarray, shape (n,), or None
        The drawn inputs, by dotted path, in each parameter's written unit (only with
        ``keep_samples=True``).
    members : dict of str to ndarray, shape (n, T), or None
        Every member's trajectory (only with ``keep_samples=True``).
    target_met : dict of str to int
        Number of members that meet each target in its year.
    first_year_counts : dict of str to ndarray of int, shape (T + 1,)
        For each target, how many members first reach it in each projected year; the last
        entry counts those that never do within the horizon.
    violation_share : dict of str to ndarray, shape (T,)
        Share of members violating each constraint, by year.
    stride : int
        Quantiles were read from every ``stride``-th member (1: from all of them).
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
    draws: dict[str, np.ndarray] | None = None
    members: dict[str, np.ndarray] | None = None
    target_met: dict[str, int] = field(default_factory=dict)
    first_year_counts: dict[str, np.ndarray] = field(default_factory=dict)
    violation_share: dict[str, np.ndarray] = field(default_factory=dict)
    stride: int = 1
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
            return categorise(frame)
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
        return categorise(pd.concat([frame, *member_frames], ignore_index=True))

    def to_iamc(self) -> pd.DataFrame:
        """Means and quantile bands in the IAMC wide layout (see :mod:`projection.iamc`)."""
        from .iamc import to_iamc

        return to_iamc([self])

    def _repr_html_(self) -> str:
        """A notebook shows the quantile bands at the scenario's milestone years."""
        import html

        years = self.scenario.milestone_years()
        cols = [int(np.searchsorted(self.years, y)) for y in years]
        rows = {
            (name, q): [self.bands[name][k, c] for c in cols]
            for name in self.bands
            for k, q in enumerate(self.quantiles)
        }
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=years)
        frame.index = pd.MultiIndex.from_tuples(frame.index, names=["indicator", "quantile"])
        head = (
            f"<p><b>{html.escape(self.name)}</b>: ensemble of {self.n:,} members "
            f"({html.escape(self.sampler)}, seed {self.seed})</p>"
        )
        return head + frame.to_html(float_format=lambda v: f"{v:,.4g}")

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
    workers: int | None = 1,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Draw ``n`` parameter sets and project them all, streaming in blocks.

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
        Keep every member's trajectory and draws (memory: ``n x years x indicators`` floats;
        refused above :data:`MAX_KEPT_VALUES` values).
    chunk_size : int
        Members evaluated at once within a block. Results do not depend on it.
    workers : int or None
        Local processes to spread blocks over (None: all cores). Results do not depend on it.
    client : dask.distributed.Client, optional
        Send the blocks to this cluster instead. Results are the same as a local run.
    progress : callable, optional
        Called as ``progress(members_done, n)`` after each block.

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
    n = _check(n, sampler)
    qs = _check_quantiles(quantiles)
    if (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, (int, np.integer))
        or chunk_size < 1
    ):
        raise ProjectionError(f"chunk_size must be a positive whole number (got {chunk_size!r})")
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ProjectionError(f"workers must be a positive whole number (got {workers!r})")
    t, n_ind = len(scenario.years), len(scenario.indicators)
    if keep_samples and n * t * n_ind > MAX_KEPT_VALUES:
        raise ProjectionError(
            f"keep_samples would hold {n * t * n_ind:,} values (at most {MAX_KEPT_VALUES:,}): "
            "use fewer samples, or rely on the quantile bands"
        )
    plan = _Plan(
        n=n,
        sampler=sampler,
        entropy=seed_entropy(seed),
        chunk=int(chunk_size),
        stride=max(1, math.ceil(n / KEEP)),
        keep_all=bool(keep_samples),
    )
    n_blocks = -(-n // BLOCK)
    blocks: list[_BlockStats] = [None] * n_blocks  # type: ignore[list-item]
    done = 0

    def record(stats: _BlockStats) -> None:
        nonlocal done
        blocks[stats.block] = stats
        done += stats.size
        if progress is not None:
            progress(done, n)

    if client is not None:
        from dask.distributed import as_completed

        remote = client.scatter(scenario, broadcast=True)
        futures = [client.submit(_block, remote, plan, b, pure=False) for b in range(n_blocks)]
        try:
            for future in as_completed(futures):
                record(future.result())
        except BaseException:  # Ctrl-C or an error: do not leave the cluster working
            client.cancel(futures)
            raise
    elif workers > 1 and n_blocks > 1:
        pool = ProcessPoolExecutor(max_workers=min(workers, n_blocks), initializer=_worker_init)
        try:
            for stats in pool.map(
                _block, [scenario] * n_blocks, [plan] * n_blocks, range(n_blocks)
            ):
                record(stats)
        except BaseException:  # Ctrl-C: drop the blocks not started; running ones finish
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    else:
        for b in range(n_blocks):
            record(_block(scenario, plan, b))
    return _combine(scenario, plan, qs, blocks, sampler, seed)


def _worker_init() -> None:
    """Worker processes leave Ctrl-C to the main process, which stops the run (no tracebacks
    from every worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(frozen=True)
class _Plan:
    """What every block needs to know about the ensemble (picklable, small)."""

    n: int
    sampler: str
    entropy: int
    chunk: int
    stride: int
    keep_all: bool


@dataclass
class _BlockStats:
    """The summary of one block: exact sums and counts, and the members kept for quantiles."""

    block: int
    size: int
    sums: dict[str, np.ndarray]
    kept: dict[str, np.ndarray]
    met: dict[str, int]
    first_counts: dict[str, np.ndarray]
    violations: dict[str, np.ndarray]
    notes: list[str]
    draws: dict[str, np.ndarray] | None = None


def _block(scenario: Scenario, plan: _Plan, block: int) -> _BlockStats:
    """Draw, evaluate and summarise block ``block`` (runs in a worker process or on dask)."""
    inputs = uncertain_parameters(scenario)
    draws = sample_block(inputs, plan.n, block, sampler=plan.sampler, entropy=plan.entropy)
    start = block * BLOCK
    size = min(BLOCK, plan.n - start)
    years = np.asarray(scenario.years, dtype=float)
    t = len(years)
    members = {name: np.empty((size, t), dtype=float) for name in scenario.indicators}
    notes: list[str] = []
    for lo in range(0, size, plan.chunk):
        hi = min(size, lo + plan.chunk)
        values, chunk_notes = _evaluate(scenario, years, {p: v[lo:hi] for p, v in draws.items()})
        for name, v in values.items():
            members[name][lo:hi] = v  # broadcasts (T,) for indicators that do not vary
        notes.extend(note for note in chunk_notes if note not in notes)
    # members of this block kept for quantiles: global numbers that are multiples of stride
    first_kept = (-start) % plan.stride
    keep = slice(first_kept, size, plan.stride)
    met, first_counts = _target_counts(scenario, years, members)
    return _BlockStats(
        block=block,
        size=size,
        sums={name: v.sum(axis=0) for name, v in members.items()},
        kept={name: (v if plan.keep_all else v[keep].copy()) for name, v in members.items()},
        met=met,
        first_counts=first_counts,
        violations=_violation_counts(scenario, members),
        notes=notes,
        draws=draws if plan.keep_all else None,
    )


def _combine(
    scenario: Scenario,
    plan: _Plan,
    qs: np.ndarray,
    blocks: list[_BlockStats],
    sampler: str,
    seed: int | None,
) -> Ensemble:
    names = sorted(scenario.indicators)
    n = plan.n
    sums = {name: np.zeros(len(scenario.years)) for name in names}
    for b in blocks:  # in block order: the same additions, whatever ran where
        for name in names:
            sums[name] += b.sums[name]
    mean = {name: sums[name] / n for name in names}
    kept = {name: np.concatenate([b.kept[name] for b in blocks]) for name in names}
    sub = kept if not plan.keep_all else {k: v[:: plan.stride] for k, v in kept.items()}
    bands, median = {}, {}
    wanted = np.append(qs, 0.5)
    for name in names:
        # one partition per year, along contiguous memory: (T, members)
        by_year = np.ascontiguousarray(sub[name].T)
        q = np.quantile(by_year, wanted, axis=1, method=QUANTILE_METHOD)
        bands[name], median[name] = q[:-1], q[-1]
    met = {tid: int(sum(b.met[tid] for b in blocks)) for tid in scenario.targets}
    first = {tid: np.sum([b.first_counts[tid] for b in blocks], axis=0) for tid in scenario.targets}
    share = {
        cid: np.sum([b.violations[cid] for b in blocks], axis=0) / n for cid in scenario.constraints
    }
    notes: list[str] = []
    if not uncertain_parameters(scenario):
        notes.append("no parameter has a distribution: every member is the point projection")
    if plan.stride > 1:
        notes.append(
            f"quantiles read from every {plan.stride}th member ({len(next(iter(sub.values()))):,} "
            f"of {n:,}): within 0.005 in rank of the full ensemble's; means and probabilities exact"
        )
    for b in blocks:
        notes.extend(note for note in b.notes if note not in notes)
    draws = None
    if plan.keep_all:
        draws = {p: np.concatenate([b.draws[p] for b in blocks]) for p in blocks[0].draws or {}}
    return Ensemble(
        scenario=scenario,
        years=np.asarray(scenario.years, dtype=int),
        n=n,
        sampler=sampler,
        seed=seed,
        quantiles=tuple(float(q) for q in qs),
        bands=bands,
        mean=mean,
        median=median,
        draws=draws,
        members=kept if plan.keep_all else None,
        target_met=met,
        first_year_counts=first,
        violation_share=share,
        stride=plan.stride,
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


def _target_counts(
    scenario: Scenario, years: np.ndarray, members: dict[str, np.ndarray]
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    from .targets import holds

    met: dict[str, int] = {}
    first: dict[str, np.ndarray] = {}
    t = len(years)
    for tid, target in scenario.targets.items():
        unit = scenario.indicators[target.indicator].unit
        ok = holds(members[target.indicator], target.bound[0], target.required(unit))
        col = int(np.searchsorted(years, target.year))
        met[tid] = int(ok[:, col].sum())
        index = np.where(ok.any(axis=1), np.argmax(ok, axis=1), t)  # t: never
        first[tid] = np.bincount(index, minlength=t + 1)
    return met, first


def _violation_counts(scenario: Scenario, members: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    counts = {}
    size = len(next(iter(members.values())))
    for cid in scenario.constraints:
        comparison = scenario.comparison(cid)
        env = {n: Quantity(members[n], scenario.indicators[n].unit) for n in comparison.names}
        bad = comparison.violated(*comparison.margin(env)[:3])
        counts[cid] = np.broadcast_to(bad, (size, bad.shape[-1])).sum(axis=0)
    return counts
