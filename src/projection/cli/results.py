"""Commands that run scenarios and show their results: ``run``, ``targets`` and ``check``."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import (
    EXIT_NEGATIVE,
    check_destinations,
    chosen_indicators,
    guard,
    load,
    numbers,
    run_all,
    years,
)
from .explore import SweepOpt, sweep_files
from .options import (
    FilesArg,
    Format,
    FormatOpt,
    IndicatorsOpt,
    Layout,
    OutputOpt,
    PlotOpt,
    QuantilesOpt,
    QuietOpt,
    Sampler,
    SamplerOpt,
    SamplesOpt,
    SchedulerOpt,
    SeedOpt,
    SetOpt,
    VariantOpt,
    WorkersOpt,
    YearsOpt,
)

__all__ = ["run", "targets", "check"]


def run(
    files: FilesArg,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    years_: YearsOpt = None,
    indicators: IndicatorsOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    quantiles: QuantilesOpt = "0.05,0.5,0.95",
    keep_samples: Annotated[
        bool,
        typer.Option("--keep-samples", help="With --output: also write every member's values."),
    ] = False,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    predictive: Annotated[
        bool,
        typer.Option(
            "--predictive",
            help="With --samples: add each indicator's observation_noise, so bands are meant "
            "to hold future observations.",
        ),
    ] = False,
    output: OutputOpt = None,
    layout: Annotated[
        Layout,
        typer.Option(
            "--layout",
            help="Layout of --output: tidy (one row per value) or iamc (one column per year; "
            ".csv or .xlsx).",
        ),
    ] = Layout.tidy,
    plot: PlotOpt = None,
    sweep: SweepOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Project every indicator of each scenario and print them at the years that matter.

    With --samples, run an ensemble: quantile bands and the probability of each target.
    With --sweep, the targets' outcome at each value of a path (as `projection levers`).
    """
    with guard():
        if sweep:
            return sweep_files(
                files,
                set_,
                variant,
                sweep,
                samples=samples,
                sampler=sampler,
                seed=seed,
                fmt=Format.table,
                output=output,
                plot=plot,
                quiet=quiet,
                ignored={
                    "--years": years_ is not None,
                    "--indicators": indicators is not None,
                    "--quantiles": quantiles != "0.05,0.5,0.95",
                    "--keep-samples": keep_samples,
                    "--predictive": predictive,
                    "--layout": layout != Layout.tidy,
                    "--workers": workers is not None,
                    "--scheduler": scheduler is not None,
                },
            )
        if layout == Layout.iamc and output is None:
            from .. import ProjectionError

            raise ProjectionError("--layout iamc: give the file to write with --output")
        check_destinations(output, plot, layout.value)
        wanted = years(years_)
        qs = numbers(quantiles, "--quantiles", "0.05,0.5,0.95")
        results = run_all(
            load(files, set_, variant),
            samples=samples,
            sampler=sampler.value,
            seed=seed,
            quantiles=qs,
            keep_samples=keep_samples,
            workers=workers,
            scheduler=scheduler,
            quiet=quiet,
            predictive=predictive,
        )
        for r in results:
            r.report_years(wanted)  # a year off the grid: refused before anything is written
        shown = chosen_indicators(indicators, results)
        if output is not None:
            from ..io.output import write_results

            write_results(results, output, layout=layout.value, members=keep_samples)
        if plot is not None:
            from ..render.plot import plot_projections, save_figure

            save_figure(plot_projections(results, indicators=shown), plot)
        if quiet:
            return
        from .console import console, markup_text, print_result, print_warnings

        out = console()
        for r in results:
            print_result(out, r, wanted, indicators=shown)
        print_warnings(results)
        if output is not None:
            from ..io.sidecar import sidecar_path

            meta = sidecar_path(output)
            note = f" (run metadata in {markup_text(meta.name)})" if meta.exists() else ""
            out.print(f"wrote {markup_text(output)}{note}")
        if plot is not None:
            out.print(f"wrote {markup_text(plot)}")


def targets(
    files: FilesArg,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    fail_on_miss: Annotated[
        bool,
        typer.Option("--fail-on-miss", help="Exit with code 1 when any target is not met."),
    ] = False,
    sweep: SweepOpt = None,
    plot: PlotOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Status of every target: met? first year reached? by how much? (how likely, with
    --samples; at each value of a path, with --sweep)"""
    with guard():
        if sweep:
            return sweep_files(
                files,
                set_,
                variant,
                sweep,
                samples=samples,
                sampler=sampler,
                seed=seed,
                fmt=fmt,
                output=output,
                plot=plot,
                quiet=quiet,
                ignored={
                    "--fail-on-miss": fail_on_miss,
                    "--workers": workers is not None,
                    "--scheduler": scheduler is not None,
                },
            )
        if plot is not None:
            from .. import ProjectionError

            raise ProjectionError("targets --plot draws a sweep: give --sweep PATH=LO:HI:N")
        check_destinations(output)
        results = run_all(
            load(files, set_, variant),
            samples=samples,
            sampler=sampler.value,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            quiet=quiet or fmt != Format.table,
        )
        from .. import evaluate_targets

        frame = evaluate_targets(results)
        if output is not None:
            from ..io.metadata import run_metadata
            from ..io.output import write_frame

            write_frame(frame, output, metadata=run_metadata(results))
        if not quiet:
            _show_targets(results, frame, fmt)
    if fail_on_miss and (frame["status"] != "met").any():
        raise typer.Exit(EXIT_NEGATIVE)


def _show_targets(results: list, frame, fmt: Format) -> None:
    from .console import console, emit, print_targets, print_title, print_warnings

    if fmt != Format.table:
        emit(frame, fmt.value)
    else:
        out = console()
        for r in results:
            rows = frame[frame["scenario"] == r.name]
            print_title(out, r)
            if rows.empty:
                out.print("  no targets")
            else:
                print_targets(out, rows, with_gap=True)
            out.print()
    print_warnings(results)


def check(
    files: FilesArg,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """List every violated constraint with the years it fails and the margin (exit 1 if any).

    With --samples, check every member: the share of members that violate each constraint in
    each year, and the worst margin among them.
    """
    with guard():
        check_destinations(output)
        results = run_all(
            load(files, set_, variant),
            samples=samples,
            sampler=sampler.value,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            quiet=quiet or fmt != Format.table,
        )
        from .. import check_constraints

        frame = check_constraints(results)
        if output is not None:
            from ..io.metadata import run_metadata
            from ..io.output import write_frame

            write_frame(frame, output, metadata=run_metadata(results))
        if not quiet:
            _show_violations(results, frame, fmt)
    if any(r.violations for r in results):
        raise typer.Exit(EXIT_NEGATIVE)


def _show_violations(results: list, frame, fmt: Format) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..text import format_value, printable
    from .console import console, emit

    if fmt != Format.table:
        emit(frame, fmt.value)
        return
    out = console()
    for r in results:
        n = len(r.scenario.constraints)
        name = escape(printable(r.name))
        if not r.violations:
            members = " in every member" if r.samples else ""
            out.print(f"ok: {name}: all {n} constraints hold in every year{members}")
            continue
        out.print(f"{name}: {len(r.violations)} of {n} constraints violated")
        table = Table(box=None, padding=(0, 1, 0, 2))
        for col in ("constraint", "years", "worst margin", "in", "why it must hold"):
            table.add_column(col, overflow="fold", max_width=60 if col.startswith("why") else None)
        for v in r.violations:
            year, worst = v.worst
            table.add_row(
                escape(f"{v.constraint}: {v.expression}"),
                escape(v.failing_years()),
                escape(format_value(worst, v.unit)),
                str(year),
                escape(printable(v.source)),
            )
        out.print(table)
