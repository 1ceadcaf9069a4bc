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
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import ProjectionError
from ..models import DERIVED
from ..validation import whole_number
from .compiled import CompiledScenario
from .constraints import Violation, violated
from .notes import NO_DISTRIBUTION, bound_notes, subsample_note
from .quantiles import row_quantiles
from .results import Ensemble, Projection
from .sampling import BLOCK, check_samples, sample_block, seed_entropy
from .tolerance import holds

__all__ = ["run_ensemble", "DEFAULT_QUANTILES", "DEFAULT_CHUNK", "KEEP", "QUANTILE_METHOD"]

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
    plan = _Plan(
        n=n,
        sampler=sampler,
        entropy=seed_entropy(seed),
        chunk=chunk,
        stride=max(1, math.ceil(n / KEEP)),
        keep_all=bool(keep_samples),
    )
    n_blocks = -(-n // BLOCK)
    blocks: list[_BlockStats] = [None] * n_blocks  # type: ignore[list-item]
    done = 0

    def store(stats: _BlockStats) -> None:
        blocks[stats.block] = stats

    def record(stats: _BlockStats) -> None:
        nonlocal done
        store(stats)
        done += stats.size
        if progress is not None:
            progress(done, n)

    if client is not None:
        from dask.distributed import as_completed

        remote = client.scatter(compiled, broadcast=True)
        futures = [client.submit(_block, remote, plan, b, pure=False) for b in range(n_blocks)]
        try:
            for future in as_completed(futures):
                record(future.result())
        except BaseException:  # Ctrl-C or an error: do not leave the cluster working
            client.cancel(futures)
            raise
    elif workers > 1 and n_blocks > 1:
        _run_local(compiled, plan, n_blocks, min(workers, n_blocks), store, progress)
    else:
        for b in range(n_blocks):
            record(_block(compiled, plan, b))
    return _combine(compiled, plan, qs, blocks, sampler, seed, point, workers)


def _run_local(
    compiled: CompiledScenario,
    plan: _Plan,
    n_blocks: int,
    workers: int,
    store: Callable[[_BlockStats], None],
    progress: Callable[[int, int], None] | None,
) -> None:
    """Blocks on ``workers`` local processes: this one and ``workers - 1`` children.

    Every process takes the next block from one shared counter until none is left, so the
    work balances itself however busy each core is, and the parent computes too instead of
    waiting (its blocks are never pickled). A child sends each block's summary as soon as it
    has it (pickled by the queue's feeder thread while the child goes on). Ctrl-C in the
    parent moves the counter past the end: the children stop after the block they are on.
    """
    import multiprocessing
    import queue

    context = multiprocessing.get_context()
    counter = context.Value("q", 0)  # the next block to take
    results = context.Queue()
    pool = ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=context,
        initializer=_worker_init,
        initargs=(compiled, counter, results),
    )
    stored = members = 0

    def keep(stats: _BlockStats) -> None:
        nonlocal stored, members
        store(stats)
        stored += 1
        members += stats.size
        if progress is not None:
            progress(members, plan.n)

    try:
        futures = [pool.submit(_worker_loop, plan, n_blocks) for _ in range(workers - 1)]
        while (block := _claim(counter, n_blocks)) is not None:
            keep(_block(compiled, plan, block))
            while True:  # what the children have sent meanwhile
                try:
                    keep(results.get_nowait())
                except queue.Empty:
                    break
        while stored < n_blocks:
            try:
                keep(results.get(timeout=0.05))
            except queue.Empty:
                for future in futures:  # a child that failed sends nothing more: its error
                    if future.done() and future.exception() is not None:
                        raise future.exception() from None  # type: ignore[misc]
    except BaseException:  # Ctrl-C or an error: no more blocks for anyone
        with counter.get_lock():
            counter.value = n_blocks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _claim(counter: Any, n_blocks: int) -> int | None:
    """The next block to compute, or None when every block is taken."""
    with counter.get_lock():
        block = counter.value
        if block >= n_blocks:
            return None
        counter.value = block + 1
    return block


_WORKER: dict[str, Any] = {}


def _worker_init(compiled: CompiledScenario, counter: Any, results: Any) -> None:
    """Worker processes keep the compiled scenario, the shared counter and the result queue,
    and leave Ctrl-C to the main process, which stops the run (no tracebacks from every
    worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a child must be able to exit with a summary still in the pipe (the parent stopped
    # reading after Ctrl-C); when the run completes, the parent has read every one first
    results.cancel_join_thread()
    _WORKER.update(compiled=compiled, counter=counter, results=results)


def _worker_loop(plan: _Plan, n_blocks: int) -> int:
    """A child's share: blocks taken from the shared counter until none is left, each sent
    to the parent as soon as it is summarised; returns how many it ran."""
    count = 0
    while (block := _claim(_WORKER["counter"], n_blocks)) is not None:
        _WORKER["results"].put(_block(_WORKER["compiled"], plan, block))
        count += 1
    return count


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
    #: members kept for quantiles: by year (years, members) or, keeping all, (members, years)
    kept: dict[str, np.ndarray]
    met: dict[str, int]
    first_counts: dict[str, np.ndarray]
    violations: dict[str, np.ndarray]  # members failing, per year
    worst: dict[str, np.ndarray]  # (3, T): lhs, rhs and margin of the worst member per year
    above: dict[str, np.ndarray]
    below: dict[str, np.ndarray]
    draws: dict[str, np.ndarray] | None = None
    #: indicators that did not vary over the members of this block (one row repeated)
    fixed: frozenset[str] = frozenset()


def _block(compiled: CompiledScenario, plan: _Plan, block: int) -> _BlockStats:
    """Draw, evaluate and summarise block ``block`` (runs in a worker process or on dask)."""
    draws = sample_block(
        compiled.uncertain, plan.n, block, sampler=plan.sampler, entropy=plan.entropy
    )
    start = block * BLOCK
    size = min(BLOCK, plan.n - start)
    t = len(compiled.years)
    above: dict[str, np.ndarray] = {}
    below: dict[str, np.ndarray] = {}
    varied: set[str] = set()
    if size <= plan.chunk:  # the whole block at once (the default): its arrays, no copies
        ev = compiled.evaluate(draws)
        members = {
            name: v if v.ndim == 2 else np.broadcast_to(v, (size, t))
            for name, v in ev.values.items()
        }
        varied = {name for name, v in ev.values.items() if v.ndim == 2}
        above = {k: _per_member(c, ev.values[k], size) for k, c in ev.above.items()}
        below = {k: _per_member(c, ev.values[k], size) for k, c in ev.below.items()}
        return _summarise(compiled, plan, block, draws, members, varied, above, below)
    members = {name: np.empty((size, t), dtype=float) for name in compiled.order}
    for lo in range(0, size, plan.chunk):
        hi = min(size, lo + plan.chunk)
        chunk = {p: v[lo:hi] for p, v in draws.items()}
        ev = compiled.evaluate(chunk)
        for name, v in ev.values.items():
            members[name][lo:hi] = v  # broadcasts (T,) for indicators that do not vary
            if v.ndim == 2:
                varied.add(name)
        for counts, found in ((above, ev.above), (below, ev.below)):
            for name, c in found.items():
                c = _per_member(c, ev.values[name], hi - lo)
                counts[name] = counts[name] + c if name in counts else c
    return _summarise(compiled, plan, block, draws, members, varied, above, below)


def _per_member(count: np.ndarray, values: np.ndarray, m: int) -> np.ndarray:
    """A bound count for ``m`` members: an indicator that does not vary (``values`` of one
    row) was counted once, and holds for every member."""
    return count if values.ndim == 2 else count * m


def _summarise(
    compiled: CompiledScenario,
    plan: _Plan,
    block: int,
    draws: dict[str, np.ndarray],
    members: dict[str, np.ndarray],
    varied: set[str],
    above: dict[str, np.ndarray],
    below: dict[str, np.ndarray],
) -> _BlockStats:
    """What block ``block`` keeps of its ``members`` (arrays of shape (size, years))."""
    start = block * BLOCK
    size = len(next(iter(members.values())))
    # members of this block kept for quantiles: global numbers that are multiples of stride
    first_kept = (-start) % plan.stride
    keep = slice(first_kept, size, plan.stride)

    def kept(v: np.ndarray) -> np.ndarray:
        if plan.keep_all:  # every member, as evaluated: (size, years)
            return v
        if plan.stride == 1:  # by year (years, size): a view, gathered when combined
            return v.T
        return np.ascontiguousarray(v[keep].T)  # by year, the subsample copied here

    met, first_counts = _target_counts(compiled, members)
    violations, worst = _constraint_counts(compiled, members)
    return _BlockStats(
        block=block,
        size=size,
        sums={name: v.sum(axis=0) for name, v in members.items()},
        kept={name: kept(v) for name, v in members.items()},
        met=met,
        first_counts=first_counts,
        violations=violations,
        worst=worst,
        above=above,
        below=below,
        draws=draws if plan.keep_all else None,
        fixed=frozenset(members) - varied,
    )


def _target_counts(
    compiled: CompiledScenario, members: dict[str, np.ndarray]
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    met: dict[str, int] = {}
    first: dict[str, np.ndarray] = {}
    t = len(compiled.years)
    for tid, target in compiled.targets.items():
        ok = holds(members[target.indicator], target.bound, target.required)
        met[tid] = int(ok[:, target.column].sum())
        index = np.where(ok.any(axis=1), np.argmax(ok, axis=1), t)  # t: never
        first[tid] = np.bincount(index, minlength=t + 1)
    return met, first


def _constraint_counts(
    compiled: CompiledScenario, members: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    counts: dict[str, np.ndarray] = {}
    worst: dict[str, np.ndarray] = {}
    size = len(next(iter(members.values())))
    for cid in compiled.constraints:
        lhs, rhs, margin = compiled.constraint_sides(cid, members)
        shape = (size, margin.shape[-1])
        lhs, rhs, margin = (np.broadcast_to(a, shape) for a in (lhs, rhs, margin))
        counts[cid] = violated(lhs, rhs, margin).sum(axis=0)
        at = np.argmin(margin, axis=0)  # the worst member of the block, per year
        cols = np.arange(shape[1])
        worst[cid] = np.stack([lhs[at, cols], rhs[at, cols], margin[at, cols]])
    return counts, worst


def _combine(
    compiled: CompiledScenario,
    plan: _Plan,
    qs: np.ndarray,
    blocks: list[_BlockStats],
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


def _summed(blocks: list[_BlockStats], key: str) -> dict[str, np.ndarray]:
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
