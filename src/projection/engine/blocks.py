"""One block of an ensemble: draw its members, evaluate them, and summarise them.

A block is :data:`~projection.engine.sampling.BLOCK` members whose draws depend only on the
scenario, ``n``, the sampler, the seed and the block's number (:class:`Plan`), so it can be
computed anywhere: in this process, a local worker (:mod:`projection.engine.workers`) or a dask
worker. :func:`compute_block` returns a :class:`BlockStats`: exact sums and counts, and the
members kept for the quantile bands; :mod:`projection.engine.ensemble` combines them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compiled import CompiledScenario
from .constraints import violated
from .sampling import BLOCK, sample_block

__all__ = ["Plan", "BlockStats", "compute_block"]


@dataclass(frozen=True)
class Plan:
    """What every block needs to know about the ensemble (picklable, small)."""

    n: int
    sampler: str
    entropy: int
    chunk: int
    stride: int
    keep_all: bool
    #: add each noisy indicator's observation noise to its members (``run --predictive``)
    predictive: bool = False


@dataclass
class BlockStats:
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


def compute_block(compiled: CompiledScenario, plan: Plan, block: int) -> BlockStats:
    """Draw, evaluate and summarise block ``block`` (runs in a worker process or on dask)."""
    draws = sample_block(
        compiled.uncertain,
        plan.n,
        block,
        sampler=plan.sampler,
        entropy=plan.entropy,
        correlations=compiled.scenario.correlations,
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
    plan: Plan,
    block: int,
    draws: dict[str, np.ndarray],
    members: dict[str, np.ndarray],
    varied: set[str],
    above: dict[str, np.ndarray],
    below: dict[str, np.ndarray],
) -> BlockStats:
    """What block ``block`` keeps of its ``members`` (arrays of shape (size, years))."""
    start = block * BLOCK
    size = len(next(iter(members.values())))
    if plan.predictive:
        members = _observed(compiled, plan, block, members, size)
        varied = varied | set(compiled.noise)
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
    return BlockStats(
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
        ok = target.holds(members[target.indicator])
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


def _observed(
    compiled: CompiledScenario, plan: Plan, block: int, members: dict[str, np.ndarray], size: int
) -> dict[str, np.ndarray]:
    """``members`` with each noisy indicator observed: plus a normal error of its
    ``observation_noise`` standard deviation (one draw of the sd per member, from its
    distribution if it has one), from a stream of its own per block (seed and block number:
    reproducible, independent of workers and chunks)."""
    out = dict(members)
    rng = np.random.default_rng(np.random.SeedSequence(plan.entropy, spawn_key=(block, 1)))
    for name in sorted(compiled.noise):
        dist, value, factor = compiled.noise[name]
        sd = (dist.ppf(rng.random(size)) if dist is not None else np.full(size, value)) * factor
        v = np.broadcast_to(members[name], (size, len(compiled.years)))
        out[name] = v + sd[:, None] * rng.standard_normal(v.shape)
    return out
