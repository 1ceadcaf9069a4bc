"""The ``projection`` command: a thin typer layer over the public API.

Every command catches :class:`~projection.exceptions.ProjectionError`, prints it on one line
(``error: FILE:LINE:COL: path: problem``) and exits with code 2. ``--debug`` shows the
traceback instead. No numerics live here.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .engine import run as run_scenario
from .exceptions import ProjectionError
from .output import check_output_path, write_frame
from .result import Projection, concat_frames
from .scenario import Scenario, load_scenario, parse_override

app = typer.Typer(
    name="projection",
    help="Scenario projections of policy targets: run, validate and inspect scenario files.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_BAD_INPUT = 2


def _console(stderr: bool = False) -> Console:
    width = None if sys.stdout.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


_state = {"debug": False}


@contextmanager
def _guard() -> Iterator[None]:
    """Turn a ProjectionError into one line on stderr and exit code 2."""
    try:
        yield
    except ProjectionError as err:
        if _state["debug"]:
            raise
        msg = str(err).replace("\n", " ")
        typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"projection {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    _state["debug"] = debug


def _load_all(files: list[Path], overrides: list[str]) -> list[Scenario]:
    parsed = dict(parse_override(o) for o in overrides)
    scenarios = []
    for f in files:
        s = load_scenario(f)
        if parsed:
            s = s.with_overrides(parsed)
        scenarios.append(s)
    return scenarios


FilesArg = Annotated[
    list[Path], typer.Argument(help="Scenario files (YAML or TOML).", show_default=False)
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a field: dotted.path=value, e.g. indicators.ev_sales_share.params.rate=0.5. Repeatable.",
    ),
]


@app.command()
def run(
    files: FilesArg,
    set_: SetOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the tidy frame to .csv, .parquet or .json."),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option("--years", help="Years to print, e.g. 2025,2030,2035 (default: milestones)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Project every indicator of each scenario and print them at milestone years."""
    with _guard():
        if output is not None:
            check_output_path(output)
        wanted = _parse_years(years)
        scenarios = _load_all(files, set_ or [])
        results = [run_scenario(s) for s in scenarios]
        if output is not None:
            write_frame(concat_frames(results), output)
        if not quiet:
            console = _console()
            for p in results:
                _print_projection(console, p, wanted)
            if output is not None:
                console.print(
                    f"wrote {output} ({sum(len(p.years) * len(p.values) for p in results)} rows)"
                )


@app.command()
def validate(files: FilesArg, set_: SetOpt = None) -> None:
    """Check scenario files without running them."""
    with _guard():
        for s in _load_all(files, set_ or []):
            kinds = [r["kind"] for r in s.sources()]
            typer.echo(
                f"ok: {s.file or s.name}: scenario {s.name!r}, {len(s.indicators)} indicators, "
                f"{len(s.targets)} targets; {len(kinds)} numbers: {kinds.count('paper')} from the paper, "
                f"{kinds.count('assumption')} assumptions"
            )


def _parse_years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(y) for y in text.split(",") if y.strip()]
    except ValueError:
        raise ProjectionError(
            f"--years {text!r}: expected comma-separated years, e.g. 2025,2030"
        ) from None


def format_value(value: float, unit: str) -> str:
    """``4000.0, "Gbps"`` -> ``"4,000 Gbps"``; four significant digits, thousands separators."""
    if value == 0:
        text = "0"
    else:
        magnitude = abs(value)
        decimals = 0 if magnitude >= 1000 else max(0, 3 - int(f"{magnitude:e}".split("e")[1]))
        text = f"{value:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _print_projection(console: Console, p: Projection, years: list[int] | None) -> None:
    s = p.scenario
    if years is not None:
        bad = [y for y in years if y not in set(p.years.tolist())]
        if bad:
            raise ProjectionError(
                f"--years: {bad[0]} is not a projected year of {s.name!r} ({p.years[0]}..{p.years[-1]})"
            )
    frame = p.table(years)
    title = f"[bold]{s.name}[/bold]" + (
        f": {s.description.strip().splitlines()[0]}" if s.description.strip() else ""
    )
    console.print(title)
    table = Table()
    table.add_column("indicator")
    table.add_column("model")
    for y in frame.columns[1:]:
        table.add_column(str(y), justify="right")
    for name, row in frame.iterrows():
        unit = row["unit"]
        cells = [format_value(float(row[y]), unit) for y in frame.columns[1:]]
        table.add_row(str(name), s.indicators[str(name)].model, *cells)
    console.print(table)
    if s.targets:
        targets = Table(show_header=True, box=None, pad_edge=False, padding=(0, 1, 0, 2))
        for col in ("target", "indicator", "year", "required", "projected", "status", "source"):
            targets.add_column(
                col,
                justify="right" if col in ("required", "projected") else "left",
                overflow="fold",
                max_width=60 if col == "source" else None,
            )
        for tid, t in s.targets.items():
            unit = s.indicators[t.indicator].unit
            need = t.required(unit)
            got = p.value(t.indicator, t.year)
            key, _ = t.bound
            ok = got >= need * (1 - 1e-12) if key == "at_least" else got <= need * (1 + 1e-12)
            sign = ">=" if key == "at_least" else "<="
            status = "[green]met[/green]" if ok else "[red]missed[/red]"
            targets.add_row(
                tid,
                t.indicator,
                str(t.year),
                f"{sign} {format_value(need, unit)}",
                format_value(got, unit),
                status,
                " ".join(t.source.split()),
            )
        console.print(targets)
    for note in p.notes:
        console.print(f"  [yellow]note[/yellow]: {note}")
    console.print()


def main() -> None:
    """Entry point of the ``projection`` console script."""
    app()


__all__ = ["app", "main", "format_value"]
