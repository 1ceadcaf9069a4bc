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

__all__ = ["levers", "discover", "SweepOpt", "show_sweep", "sweep_files"]

SweepOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sweep",
        help="Run at each value of a path instead: PATH=LO:HI:N (N evenly spaced values) or "
        "PATH=V1,V2,...; twice for a grid of two paths (a heat map with --plot).",
        metavar="PATH=LO:HI:N",
    ),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Also write the scenario's HTML report with this section and its figures.",
        metavar="FILE",
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
    report: ReportOpt = None,
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
        _check_report(report)
        (scenario,) = load([file], set_)
        x = _explore(scenario, lever, sweep, target, samples, sampler, seed)
        _write(x, output, plot)
        _report(report, scenario, samples, seed, explorations=[x])
        if robustness_plot is not None:
            from ..render.plot import save_figure

            save_figure(x.plot_robustness(), robustness_plot)
        if not quiet:
            show_sweep(x, fmt, output, plot)
            if fmt == Format.table:
                from ..text import printable

                for path in (robustness_plot, report):
                    if path is not None:
                        typer.echo(f"wrote {printable(path)}")


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
    ignored: dict[str, bool],
) -> None:
    """``run --sweep`` and ``targets --sweep``: each scenario explored over the swept paths.
    ``ignored``: the command's options a sweep would ignore, and whether each was given."""
    from .. import ProjectionError

    refuse_with_sweep(ignored)
    check_destinations(output, plot)
    scenarios = load(files, set_, variant)
    if len(scenarios) > 1 and (output is not None or plot is not None):
        raise ProjectionError("--sweep with --output or --plot: give one scenario")
    for scenario in scenarios:
        x = _explore(scenario, None, sweep, None, samples, sampler, seed)
        _write(x, output, plot)
        if not quiet:
            show_sweep(x, fmt, output, plot)


def refuse_with_sweep(given: dict[str, bool]) -> None:
    """A sweep prints the targets' outcome per setting in one process: an option it would
    ignore is refused, not dropped silently."""
    from .. import ProjectionError

    ignored = [name for name, on in given.items() if on]
    if ignored:
        raise ProjectionError(
            f"--sweep does not take {', '.join(ignored)}: it prints each setting's target "
            "outcomes (P(met), first year, gap), run in one process"
        )


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


def discover(
    file: FileArg,
    target: Annotated[
        str, typer.Option("--target", "-t", help="The target whose misses (or hits) to explain.")
    ],
    samples: Annotated[
        int, typer.Option("--samples", "-n", help="Ensemble members drawn.", metavar="N")
    ] = 10_000,
    seed: SeedOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    method: Annotated[
        str, typer.Option("--method", "-m", help="prim (peeling trajectory) or cart (a tree).")
    ] = "prim",
    outcome: Annotated[
        str, typer.Option("--outcome", help="Explain where the target is missed, or met.")
    ] = "missed",
    threshold: Annotated[
        float,
        typer.Option("--threshold", help="Least density of the box reported.", metavar="D"),
    ] = 0.8,
    set_: SetOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    report: ReportOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Scenario discovery: which ranges of the uncertain inputs make a target fail (PRIM or
    CART), as a box in plain words with its coverage and density."""
    with guard():
        check_destinations(output, plot)
        _check_report(report)
        from .. import discover as find_box

        (scenario,) = load([file], set_)
        d = find_box(
            scenario,
            target,
            samples=samples,
            seed=seed,
            sampler=sampler.value,
            method=method,
            outcome=outcome,
            threshold=threshold,
        )
        if output is not None:
            from ..io.output import write_frame

            write_frame(d.to_frame(), output, metadata=d.to_dict())
        if plot is not None:
            from ..render.plot import save_figure

            save_figure(d.plot(), plot)
        _report(report, scenario, samples, seed, discoveries=[d])
        if quiet:
            return
        if fmt == Format.json:
            import json

            typer.echo(json.dumps(d.to_dict(), indent=1, default=str))
        elif fmt == Format.csv:
            from .console import emit

            emit(d.to_frame(), "csv")
        else:
            from ..text import printable

            typer.echo(d.summary())
            for path in (output, plot, report):
                if path is not None:
                    typer.echo(f"wrote {printable(path)}")


def _check_report(path: Path | None) -> None:
    if path is not None:
        from ..render.report import check_report_path

        check_report_path(path)


def _report(
    path: Path | None, scenario: Any, samples: int | None, seed: int | None, **sections: Any
) -> None:
    """The scenario's report (an ensemble of ``samples`` members, if given) with ``sections``."""
    if path is None:
        return
    from .. import run
    from ..render.report import write_report

    write_report(path, run(scenario, samples=samples, seed=seed), **sections)
