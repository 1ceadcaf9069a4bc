"""Commands that explore policy choices: ``levers`` (and ``--sweep`` of ``run`` and
``targets``), and ``discover``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import check_destinations, guard, load
from .options import (
    FileArg,
    Format,
    FormatOpt,
    OutputOpt,
    PlotOpt,
    QuietOpt,
    Sampler,
    SamplerOpt,
    SamplesOpt,
    SeedOpt,
    SetOpt,
)

__all__ = ["levers", "SweepOpt", "show_sweep"]

SweepOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sweep",
        help="Run at each value of a path instead: PATH=LO:HI:N (N evenly spaced values) or "
        "PATH=V1,V2,...; twice for a grid of two paths (a heat map with --plot).",
        metavar="PATH=LO:HI:N",
    ),
]
TargetsOpt = Annotated[
    list[str] | None,
    typer.Option("--target", "-t", help="Only this target (repeatable; default: all)."),
]


def levers(
    file: FileArg,
    lever: Annotated[
        list[str] | None,
        typer.Option(
            "--lever", "-l", help="Only this lever of the file (repeatable; default: all)."
        ),
    ] = None,
    sweep: SweepOpt = None,
    target: TargetsOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    robustness_plot: Annotated[
        Path | None,
        typer.Option(
            "--robustness-plot",
            help="Draw each setting's satisficing against its largest regret to this figure.",
            metavar="FILE",
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Every lever setting x the uncertainties: P(met), first year and gap of each target,
    and how robust each setting is (satisficing, regret).

    The levers are the file's `levers` section (or --lever NAME of them), and any --sweep;
    every setting is run over the same --samples members.
    """
    with guard():
        check_destinations(output, plot)
        if robustness_plot is not None:
            check_destinations(plot=robustness_plot)
        (scenario,) = load([file], set_)
        x = _explore(scenario, lever, sweep, target, samples, sampler, seed)
        _write(x, output, plot)
        if robustness_plot is not None:
            from ..render.plot import save_figure

            save_figure(x.plot_robustness(), robustness_plot)
        if not quiet:
            show_sweep(x, fmt, output, plot)
            if robustness_plot is not None and fmt == Format.table:
                from ..text import printable

                typer.echo(f"wrote {printable(robustness_plot)}")


def sweep_files(
    files: list[str],
    set_: list[str] | None,
    variant: list[str] | None,
    sweep: list[str],
    *,
    samples: int | None,
    sampler: Sampler,
    seed: int | None,
    fmt: Format,
    output: Path | None,
    plot: Path | None,
    quiet: bool,
) -> None:
    """``run --sweep`` and ``targets --sweep``: each scenario explored over the swept paths."""
    from .. import ProjectionError

    scenarios = load(files, set_, variant)
    if len(scenarios) > 1 and (output is not None or plot is not None):
        raise ProjectionError("--sweep with --output or --plot: give one scenario")
    check_destinations(output, plot)
    for scenario in scenarios:
        x = _explore(scenario, None, sweep, None, samples, sampler, seed)
        _write(x, output, plot)
        if not quiet:
            show_sweep(x, fmt, output, plot)


def _explore(scenario, lever, sweep, target, samples, sampler, seed) -> Any:
    from .. import explore
    from ..analysis.levers import parse_sweep

    paths = dict(parse_sweep(s) for s in sweep or [])
    return explore(
        scenario,
        levers=lever or (None if not paths else []),
        sweep=paths or None,
        samples=samples,
        sampler=sampler.value,
        seed=seed,
        target=target or None,
    )


def _write(x: Any, output: Path | None, plot: Path | None) -> None:
    if output is not None:
        from ..io.output import write_frame

        write_frame(x.to_frame(), output, metadata=x.metadata())
    if plot is not None:
        from ..render.plot import save_figure

        save_figure(x.plot(), plot)


def show_sweep(x: Any, fmt: Format, output: Path | None, plot: Path | None) -> None:
    """An exploration as text (its summary), CSV or JSON (its frame)."""
    if fmt != Format.table:
        from .console import emit

        emit(x.to_frame(), fmt.value)
        return
    from ..text import printable

    typer.echo(x.summary())
    for path in (output, plot):
        if path is not None:
            typer.echo(f"wrote {printable(path)}")
