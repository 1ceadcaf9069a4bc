"""What every command shares: one-line errors, loading scenarios with overrides and variants,
running them with a progress bar, and checking destinations before any work.

The library is imported inside the functions, so that ``projection --help`` and option
parsing load none of it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_NEGATIVE",
    "STATE",
    "ProgressBar",
    "check_destinations",
    "chosen_indicators",
    "executor",
    "guard",
    "load",
    "numbers",
    "run_all",
    "years",
]

EXIT_NEGATIVE = 1
EXIT_BAD_INPUT = 2

#: Global options (``--debug``).
STATE = {"debug": False}


@contextmanager
def guard() -> Iterator[None]:
    """Turn a ProjectionError into one line on standard error and exit code 2."""
    from .. import ProjectionError

    try:
        yield
    except ProjectionError as err:
        if STATE["debug"]:
            raise
        msg = str(err).replace("\n", " ")
        typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def load(
    files: Sequence[str],
    overrides: Sequence[str] | None = None,
    variants: Sequence[str] | None = None,
) -> list[Any]:
    """The scenarios named on the command line, each with ``--set`` overrides applied and
    followed by its ``--variant``\\ s."""
    from ..scenario import load_scenario, parse_override, parse_variant, with_variants

    parsed = dict(parse_override(o) for o in overrides or [])
    scenarios = []
    for f in files:
        s = load_scenario(f)
        scenarios.append(s.with_overrides(parsed) if parsed else s)
    if variants:
        scenarios = with_variants(scenarios, [parse_variant(v) for v in variants])
    return scenarios


def years(text: str | None) -> list[int] | None:
    """``--years``: one syntax everywhere (see :func:`projection.validation.parse_years`)."""
    if not text:
        return None
    from ..validation import parse_years

    return parse_years(text, name="--years")


def chosen_indicators(text: str | None, results: Sequence[Any]) -> list[str] | None:
    """The names of ``--indicators`` (None: all), each one an indicator of some result."""
    if text is None:
        return None
    from .. import ProjectionError
    from ..validation import suggest

    names = [n.strip() for n in text.split(",") if n.strip()]
    known = sorted({n for r in results for n in r.units})
    if not names:
        raise ProjectionError("--indicators: give indicator names, e.g. ev_sales_share")
    for name in names:
        if name not in known:
            raise ProjectionError(
                f"--indicators: unknown indicator {name!r}{suggest(name, known)} "
                f"(expected one of: {', '.join(known)})"
            )
    return names


def numbers(text: str, option: str, example: str) -> list[float]:
    """A comma-separated list of numbers (``--quantiles``, ``--bounds``)."""
    from .. import ProjectionError

    try:
        return [float(q) for q in text.split(",") if q.strip()]
    except ValueError:
        raise ProjectionError(f"{option} {text!r}: expected numbers, e.g. {example}") from None


def check_destinations(
    output: Path | None = None, plot: Path | None = None, layout: str = "tidy"
) -> None:
    """Check output and figure paths before any work, so a typo costs nothing."""
    if output is not None:
        from ..io.output import check_results_path

        check_results_path(output, layout)
    if plot is not None:
        from ..render.plot import check_plot_path

        check_plot_path(plot)


@contextmanager
def executor(address: str | None) -> Iterator[Any]:
    """A dask.distributed client for ``--scheduler``, or None for local runs."""
    from .. import ProjectionError

    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise ProjectionError(
            "--scheduler needs dask.distributed (pip install 'projection[dask]')"
        ) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise ProjectionError(f"--scheduler {address}: cannot connect ({err})") from None
    try:
        yield client
    finally:
        client.close()


def run_all(
    scenarios: Sequence[Any],
    *,
    samples: int | None = None,
    sampler: str = "lhs",
    seed: int | None = None,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    keep_samples: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    quiet: bool = True,
    predictive: bool = False,
) -> list[Any]:
    """:func:`projection.run` for each scenario, with a progress bar on long ensembles."""
    from .. import run

    with executor(scheduler) as client:
        results = []
        for s in scenarios:
            if samples is None:
                results.append(run(s, predictive=predictive))
                continue
            bar = None if quiet else ProgressBar(s.name)
            try:
                results.append(
                    run(
                        s,
                        samples=samples,
                        sampler=sampler,
                        seed=seed,
                        quantiles=quantiles,
                        keep_samples=keep_samples,
                        predictive=predictive,
                        workers=workers,
                        client=client,
                        progress=bar,
                    )
                )
            finally:
                if bar is not None:
                    bar.close()
    return results


class ProgressBar:
    """A rich progress bar on stderr, shown only for runs that take more than a second or two
    (and only on a terminal): members done, members per second, time left."""

    def __init__(self, label: str, *, console: Any = None, delay: float = 1.0) -> None:
        self._time = time.perf_counter
        self._start = self._time()
        self._label = label
        self._delay = delay
        if console is None:
            from rich.console import Console

            console = Console(stderr=True)
        self._console = console
        self._progress: Any = None
        self._task: Any = None
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            elapsed = self._time() - self._start
            expected = elapsed * total / max(done, 1)
            if done >= total or not self._console.is_terminal:
                return
            if elapsed < self._delay and expected < 2 * self._delay:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("members, {task.fields[rate]}/s"),
                TimeRemainingColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._label, total=total, rate="-")
            self.shown = True
        elapsed = max(self._time() - self._start, 1e-9)
        self._progress.update(self._task, completed=done, rate=f"{done / elapsed:,.0f}")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
