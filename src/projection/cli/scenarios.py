"""Commands about scenarios rather than results: ``compare``, ``diff``, ``report``,
``validate``, ``list``, ``init`` and ``schema``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..text import printable
from .common import check_destinations, guard, load, run_all, years
from .options import (
    FilesArg,
    Format,
    FormatOpt,
    OutputOpt,
    PlotOpt,
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

__all__ = ["compare", "diff", "report", "validate", "list_", "init", "schema"]


def compare(
    files: FilesArg,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", "-i", help="Indicator to compare (repeatable; default all)."),
    ] = None,
    years_: YearsOpt = None,
    set_: SetOpt = None,
    variant: VariantOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    plot: PlotOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Indicators of several scenarios side by side, with differences against the first.

    Compare a scenario with a variant of itself: projection compare baseline --variant
    indicators.ev_sales_share.params.rate=0.7. With --samples, each scenario runs as an
    ensemble: the table compares medians and --plot draws fan charts.
    """
    with guard():
        check_destinations(output, plot)
        wanted = years(years_)
        runs = run_all(
            load(files, set_, variant),
            samples=samples,
            sampler=sampler.value,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            quiet=quiet,
        )
        shown = runs[0].report_years(wanted)
        for r in runs[1:]:
            r.report_years(wanted)
        from .. import compare as compare_results

        frame = compare_results(runs, indicators=indicator)
        if output is not None:
            from ..io.metadata import run_metadata
            from ..io.output import write_frame

            write_frame(frame, output, metadata=run_metadata(runs))
        if plot is not None:
            from ..render.plot import plot_projections, save_figure

            save_figure(plot_projections(runs, indicators=indicator), plot)
        if quiet:
            return
        if fmt != Format.table:
            from .console import emit

            emit(frame[frame["year"].isin(shown)], fmt.value)
            return
        _show_comparison(frame, shown, runs[0].name, medians=samples is not None)
        from .console import console, markup_text

        out = console()
        if plot is not None:
            out.print(f"wrote {markup_text(plot)}")
        if output is not None:
            out.print(f"wrote {markup_text(output)} ({len(frame)} rows)")


def _show_comparison(frame, shown: list[int], reference: str, *, medians: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..render.text import difference_text
    from ..text import format_value, printable
    from .console import console

    out = console()
    for name in dict.fromkeys(frame["indicator"]):
        rows = frame[(frame["indicator"] == name) & frame["year"].isin(shown)]
        unit = rows["unit"].iloc[0]
        what = "medians of ensembles, " if medians else ""
        out.print(
            f"[bold]{escape(name)}[/bold] ({escape(unit)}; {what}differences against "
            f"{escape(printable(reference))})"
        )
        table = Table()
        table.add_column("scenario")
        for y in shown:
            table.add_column(str(y), justify="right")
        for scen in dict.fromkeys(rows["scenario"]):
            sub = rows[rows["scenario"] == scen].set_index("year")
            cells = []
            for y in shown:
                if y not in sub.index:
                    cells.append("")
                    continue
                value, d = float(sub.loc[y, "value"]), sub.loc[y, "difference"]
                text = format_value(value, unit)
                if scen != reference:
                    text += difference_text(value, d)
                cells.append(escape(text))
            table.add_row(escape(printable(scen)), *cells)
        out.print(table)


def diff(
    a: Annotated[str, typer.Argument(help="First scenario.", show_default=False, metavar="A")],
    b: Annotated[str, typer.Argument(help="Second scenario.", show_default=False, metavar="B")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Parameters and settings that differ between two scenarios, with their sources."""
    with guard():
        from .. import diff as diff_scenarios
        from ..scenario import load_scenario

        sa, sb = load_scenario(a), load_scenario(b)
        frame = diff_scenarios(sa, sb)
        if fmt != Format.table:
            from .console import emit

            emit(frame, fmt.value)
            return
        from rich.markup import escape
        from rich.table import Table

        from ..text import printable
        from .console import console

        out = console()
        na, nb = escape(printable(sa.name)), escape(printable(sb.name))
        if frame.empty:
            out.print(f"{na} and {nb} do not differ (after `extends` is resolved)")
            return
        out.print(
            f"{len(frame)} differences between [bold]{na}[/bold] (a) and [bold]{nb}[/bold] "
            "(b), after `extends` is resolved"
        )
        table = Table(box=None, padding=(0, 1, 0, 0))
        for col, width in (
            ("path", None),
            ("change", None),
            (printable(sa.name), 14),
            (printable(sb.name), 14),
            ("source a", 45),
            ("source b", 45),
        ):
            table.add_column(escape(col), overflow="fold", max_width=width, no_wrap=col == "path")
        for row in frame.itertuples(index=False):
            table.add_row(
                *(
                    escape(printable(c))
                    for c in (row.path, row.change, row.a, row.b, row.source_a, row.source_b)
                )
            )
        out.print(table)


def report(
    files: FilesArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The HTML file to write (.html or .htm).", metavar="FILE"
        ),
    ],
    set_: SetOpt = None,
    variant: VariantOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = Sampler.lhs,
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    figures: Annotated[
        bool,
        typer.Option(
            "--figures/--no-figures",
            help="Draw the figures (trajectories, fan charts, comparison); --no-figures is "
            "much faster.",
        ),
    ] = True,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML report: summaries, targets, warnings, figures, sources.

    With --samples, each scenario runs as an ensemble: the report adds target probabilities
    and fan charts.
    """
    with guard():
        from ..render.report import check_report_path, write_report

        check_report_path(output)
        results = run_all(
            load(files, set_, variant),
            samples=samples,
            sampler=sampler.value,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            quiet=quiet,
        )
        write_report(output, results, figures=figures)  # with the run's metadata
        if not quiet:
            typer.echo(f"wrote {printable(output)}")


def validate(
    files: FilesArg, set_: SetOpt = None, variant: VariantOpt = None, quiet: QuietOpt = False
) -> None:
    """Check scenario files (and variants) without running them; count their numbers by
    source."""
    with guard():
        from ..render.text import validation_line

        for s in load(files, set_, variant):
            if not quiet:
                typer.echo(validation_line(s))
                for line in s.warnings():  # likely mistakes, on standard error
                    typer.echo(f"warning: {printable(line)}", err=True)


def list_(fmt: FormatOpt = Format.table) -> None:
    """List the scenarios installed with projection; run one by name: projection run NAME."""
    with guard():
        import pandas as pd

        from ..scenario.catalog import shipped

        rows = pd.DataFrame(
            [(s.name, s.description, str(s.path)) for s in shipped()],
            columns=["name", "description", "file"],
        )
        if fmt != Format.table:
            from .console import emit

            emit(rows, fmt.value)
            return
        from rich.markup import escape
        from rich.table import Table

        from .console import console

        table = Table()
        for col in ("name", "description", "file"):
            table.add_column(col, overflow="fold")
        for row in rows.itertuples(index=False):
            table.add_row(*(escape(c) for c in row))
        out = console()
        out.print(table)
        out.print("run one by name, e.g.: projection run paper-targets")


def init(
    name: Annotated[
        str,
        typer.Argument(
            help="Name of the new scenario, or the file to write (my-scenario.yaml).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default NAME.yaml).", metavar="FILE"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write a commented starter scenario, ready to edit, validate and run."""
    with guard():
        from ..scenario.catalog import write_starter

        path = write_starter(name, output, force=force)
        if not quiet:
            shown = printable(path)
            typer.echo(
                f"wrote {shown}; next: projection validate {shown} && projection run {shown}"
            )


def schema() -> None:
    """Print the JSON Schema of scenario files (for editors that validate YAML)."""
    import json

    from ..scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=1, sort_keys=True))
