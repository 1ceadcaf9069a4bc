"""Ensembles: many parameter sets drawn from the scenario's distributions, projected at once.

:func:`run_ensemble` draws ``n`` sets of the uncertain inputs (:mod:`projection.engine.sampling`)
and projects them with the compiled scenario as arrays of shape (members, years) per
indicator, with no Python work per member. It streams: members are drawn and summarised in
fixed blocks of :data:`~projection.engine.sampling.BLOCK` (65,536) members, each evaluated in
chunks of at most ``chunk_size``, so memory does not grow with ``n``. Per block it keeps only

* sums per indicator and year (for means); counts of members meeting each target, of the first
  year each target is reached, of constraint violations and of values outside an indicator's
  bounds, per year; the worst constraint margin per year (all exact);
* the members whose number is a multiple of ``stride = ceil(n / KEEP)`` (a systematic
  subsample of at most :data:`KEEP` members), from which quantile bands and medians are read.

Quantiles are therefore exact (the empirical quantiles of all members, numpy's
:data:`QUANTILE_METHOD`) for ``n <= KEEP`` = 131,072, and above that the empirical quantiles
of the subsample: the reported ``q`` quantile then lies between the ``q - 0.005`` and
``q + 0.005`` quantiles of the whole ensemble (the subsample's rank error is below 0.005 with
probability above 0.99 for every ``q``; tested). Means, target probabilities, first-year
distributions, violation shares and clipping counts are exact for any ``n``.

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
from typing import Any

import numpy as np

from ..exceptions import ProjectionError
from ..models import DERIVED
from ..validation import whole_number
from .blocks import BlockStats, Plan, compute_block
from .compiled import CompiledScenario
from .constraints import Violation
from .notes import NO_DISTRIBUTION, bound_notes, subsample_note
from .quantiles import METHOD, row_quantiles
from .results import Ensemble, Projection
from .sampling import BLOCK, check_samples, seed_entropy
from .workers import run_local

__all__ = ["run_ensemble", "DEFAULT_QUANTILES", "DEFAULT_CHUNK", "KEEP", "QUANTILE_METHOD"]

DEFAULT_QUANTILES = (0.05, 0.5, 0.95)
#: How quantiles are read off the members (see :data:`projection.engine.quantiles.METHOD`).
QUANTILE_METHOD = METHOD
#: Members evaluated at once; bounds the size of the arrays one chunk needs. A whole block:
#: 16,384 peaked about 100 MiB higher (glibc heap fragmentation, docs/performance.md) and was
#: no faster.
DEFAULT_CHUNK = 2**16
#: Largest subsample quantiles are read from (all members when ``n <= KEEP``).
KEEP = 2**17
#: Largest ``n * years * indicators`` for which every member may be kept (``keep_samples``).
MAX_KEPT_VALUES = 200_000_000


def run_ensemble(
    compiled: CompiledScenario,
    n: int,
    *,
    point: Projection,
    sampler: str = "lhs",
    seed: int | np.random.Generator | None = None,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    keep_samples: bool = False,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = 1,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    predictive: bool = False,
) -> Ensemble:
    """Draw ``n`` parameter sets and project them all, streaming in blocks.

    Called by :func:`projection.run` with ``samples=n``; see it for the parameters.

    Examples
    --------
    >>> import projection
    >>> e = projection.run("scenarios/baseline.yaml", samples=1000, seed=1)
    >>> q05, q50, q95 = e.bands["ev_sales_share"][:, e.column(2030)]
    >>> bool(q05 <= q50 <= q95)
    True
    """
    n = check_samples(n, sampler)
    qs = _check_quantiles(quantiles)
    chunk = whole_number("chunk_size", chunk_size, minimum=1)
    workers = whole_number(
        "workers", os.cpu_count() or 1 if workers is None else workers, minimum=1
    )
    t, n_ind = len(compiled.years), len(compiled.order)
    if keep_samples and n * t * n_ind > MAX_KEPT_VALUES:
        raise ProjectionError(
            f"keep_samples would hold {n * t * n_ind:,} values (at most {MAX_KEPT_VALUES:,}): "
            "use fewer samples, or rely on the quantile bands"
        )
    plan = Plan(
        n=n,
        sampler=sampler,
        entropy=seed_entropy(seed),
        chunk=chunk,
        stride=max(1, math.ceil(n / KEEP)),
        keep_all=bool(keep_samples),
        predictive=bool(predictive),
    )
    if predictive and not compiled.noise:
        raise ProjectionError(
            f"predictive: no indicator of {compiled.scenario.name!r} has an observation_noise "
            "(calibrate --posterior --output writes one, or give it in the scenario)"
        )
    n_blocks = -(-n // BLOCK)
    blocks: list[BlockStats] = [None] * n_blocks  # type: ignore[list-item]
    done = 0

    def store(stats: BlockStats) -> None:
        blocks[stats.block] = stats

    def record(stats: BlockStats) -> None:
        nonlocal done
        store(stats)
        done += stats.size
        if progress is not None:
            progress(done, n)

    if client is not None:
        from dask.distributed import as_completed

        remote = client.scatter(compiled, broadcast=True)
        futures = [
            client.submit(compute_block, remote, plan, b, pure=False) for b in range(n_blocks)
        ]
        try:
            for future in as_completed(futures):
                record(future.result())
        except BaseException:  # Ctrl-C or an error: do not leave the cluster working
            client.cancel(futures)
            raise
    elif workers > 1 and n_blocks > 1:
        run_local(compiled, plan, n_blocks, min(workers, n_blocks), store, progress)
    else:
        for b in range(n_blocks):
            record(compute_block(compiled, plan, b))
    return _combine(compiled, plan, qs, blocks, sampler, seed, point, workers)


def _combine(
    compiled: CompiledScenario,
    plan: Plan,
    qs: np.ndarray,
    blocks: list[BlockStats],
    sampler: str,
    seed: Any,
    point: Projection,
    workers: int = 1,
) -> Ensemble:
    names = compiled.indicators
    years = compiled.years
    n = plan.n
    sums = {name: np.zeros(len(years)) for name in names}
    for b in blocks:  # in block order: the same additions, whatever ran where
        for name in names:
            sums[name] += b.sums[name]
    mean = {name: sums[name] / n for name in names}
    kept = (
        {name: np.concatenate([b.kept[name] for b in blocks]) for name in names}
        if plan.keep_all
        else None
    )
    wanted = np.append(qs, 0.5)

    fixed = frozenset.intersection(*(b.fixed for b in blocks))

    def quantiles(name: str) -> np.ndarray:
        # one partition per year, along contiguous memory: (T, members), gathered from the
        # blocks in one copy
        if name in fixed:  # the same values in every member: every quantile is that value
            row = kept[name][0] if kept is not None else blocks[0].kept[name][:, 0]
            return np.repeat(row[None, :], len(wanted), axis=0)
        if kept is not None:
            by_year = np.ascontiguousarray(kept[name][:: plan.stride].T)
        else:
            by_year = np.concatenate([b.kept[name] for b in blocks], axis=1)
        return row_quantiles(by_year, wanted)  # numpy's inverted_cdf quantiles, bit for bit

    if workers > 1 and len(names) > 1:  # numpy's partition releases the GIL: use the cores
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(workers, len(names))) as threads:
            found = dict(zip(names, threads.map(quantiles, names)))
    else:
        found = {name: quantiles(name) for name in names}
    bands = {name: found[name][:-1] for name in names}
    median = {name: found[name][-1] for name in names}
    met = {tid: int(sum(b.met[tid] for b in blocks)) for tid in compiled.targets}
    first = {tid: np.sum([b.first_counts[tid] for b in blocks], axis=0) for tid in compiled.targets}
    step = compiled.scenario.horizon.step
    failing = {
        cid: np.sum([b.violations[cid] for b in blocks], axis=0) for cid in compiled.constraints
    }
    violations = []
    for cid, c in compiled.constraints.items():
        if not failing[cid].any():
            continue
        stacked = np.stack([b.worst[cid] for b in blocks])  # (blocks, 3, T)
        at = np.argmin(stacked[:, 2, :], axis=0)  # the first block holding the worst member
        worst = stacked[at, :, np.arange(len(years))].T  # (3, T)
        bad = failing[cid] > 0
        violations.append(
            Violation(
                constraint=cid,
                expression=c.text,
                years=years[bad].astype(int),
                lhs=worst[0][bad],
                rhs=worst[1][bad],
                margin=worst[2][bad],
                unit=c.unit,
                source=c.source,
                share=failing[cid][bad] / n,
                members=n,
                step=step,
            )
        )
    notes: list[str] = []
    if not compiled.uncertain:
        notes.append(NO_DISTRIBUTION)
    if plan.predictive:
        noisy = ", ".join(sorted(compiled.noise))
        notes.append(
            f"predictive: {noisy} include{'s' if len(compiled.noise) == 1 else ''} "
            "observation noise (bands, means and targets are of observed values, meant to hold "
            "future observations); indicators derived from them do not"
        )
    if plan.stride > 1:
        subsample = (
            len(range(0, n, plan.stride))
            if plan.keep_all
            else sum(b.kept[names[0]].shape[1] for b in blocks)
        )
        notes.append(subsample_note(plan.stride, subsample, n))
    above = _summed(blocks, "above")
    below = _summed(blocks, "below")
    derived = {name for name in names if compiled.scenario.indicators[name].model == DERIVED}
    notes += bound_notes(names, years, above, below, n, derived=derived, step=step)
    draws = None
    if plan.keep_all:
        draws = {p: np.concatenate([b.draws[p] for b in blocks]) for p in blocks[0].draws or {}}
    return Ensemble(
        scenario=compiled.scenario,
        years=years.astype(int),
        n=n,
        sampler=sampler,
        seed=seed if not isinstance(seed, np.random.Generator) else None,
        quantiles=tuple(float(q) for q in qs),
        bands=bands,
        mean=mean,
        median=median,
        draws=draws,
        members=kept if plan.keep_all else None,
        target_met=met,
        first_year_counts=first,
        violation_share={cid: failing[cid] / n for cid in compiled.constraints},
        violations=violations,
        stride=plan.stride,
        notes=notes,
        point=point,
        compiled=compiled,
    )


def _summed(blocks: list[BlockStats], key: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for b in blocks:
        for name, c in getattr(b, key).items():
            out[name] = out[name] + c if name in out else np.asarray(c, dtype=np.int64)
    return out


def _check_quantiles(quantiles: Sequence[float]) -> np.ndarray:
    try:
        qs = np.asarray([float(q) for q in quantiles], dtype=float)
    except (TypeError, ValueError):
        raise ProjectionError(f"quantiles must be numbers in [0, 1] (got {quantiles!r})") from None
    if qs.size == 0 or not np.all((qs >= 0) & (qs <= 1)):
        raise ProjectionError(f"quantiles must be numbers in [0, 1] (got {list(quantiles)})")
    return np.unique(qs)
