"""Local worker processes for an ensemble's blocks (``workers=N``).

:func:`run_local` runs the blocks of one ensemble on this process and ``N - 1`` children,
each taking the next block from a shared counter; see its docstring.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from . import blocks
from .blocks import BlockStats, Plan
from .compiled import CompiledScenario

__all__ = ["run_local"]


def run_local(
    compiled: CompiledScenario,
    plan: Plan,
    n_blocks: int,
    workers: int,
    store: Callable[[BlockStats], None],
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

    def keep(stats: BlockStats) -> None:
        nonlocal stored, members
        store(stats)
        stored += 1
        members += stats.size
        if progress is not None:
            progress(members, plan.n)

    try:
        futures = [pool.submit(_worker_loop, plan, n_blocks) for _ in range(workers - 1)]
        while (block := _claim(counter, n_blocks)) is not None:
            keep(blocks.compute_block(compiled, plan, block))
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


def _worker_loop(plan: Plan, n_blocks: int) -> int:
    """A child's share: blocks taken from the shared counter until none is left, each sent
    to the parent as soon as it is summarised; returns how many it ran."""
    count = 0
    while (block := _claim(_WORKER["counter"], n_blocks)) is not None:
        _WORKER["results"].put(blocks.compute_block(_WORKER["compiled"], plan, block))
        count += 1
    return count
