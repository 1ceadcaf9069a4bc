"""The ``projection`` command: a thin typer layer over the public API.

Every command catches :class:`~projection.exceptions.ProjectionError`, prints it on one line
(``error: FILE:LINE:COL: path: problem``) and exits with code 2. ``--debug`` shows the
traceback instead. No numerics live here.

Exit codes: 0 success; 1 the question asked has a negative answer (``targets --fail-on-miss``
with a missed target, ``check`` with a violated constraint, ``solve`` with no solution);
2 bad input.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .compare import compare as compare_frames
from .compare import diff as diff_frames
from .constraints import check_constraints, format_years
from .engine import run as run_scenario
from .exceptions import ProjectionError
from .iamc import check_iamc_path, write_iamc
from .metadata import run_metadata
from .output import check_output_path, write_frame
from .result import Projection, categorise, concat_frames
from .scenario import Scenario, load_scenario, parse_override
from .solve import solve as solve_target
from .targets import MET, evaluate_targets, format_probability
from .units import format_value

app = typer.Typer(
    name="projection",
    help="Scenario projections of policy targets: run, compare and check scenario files.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

EXIT_NEGATIVE = 1
EXIT_BAD_INPUT = 2


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)
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
FileArg = Annotated[Path, typer.Argument(help="Scenario file.", show_default=False)]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a field: dotted.path=value, e.g. "
        "indicators.ev_sales_share.params.rate=0.5. Repeatable.",
    ),
]
YearsOpt = Annotated[
    str | None,
    typer.Option("--years", help="Years to print, e.g. 2025,2030,2035 (default: milestones)."),
]
SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples", "-n", help="Run an ensemble of N members drawn from the distributions."
    ),
]
SamplerOpt = Annotated[str, typer.Option("--sampler", help="lhs, sobol or mc.")]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", "-w", help="Local processes for an ensemble (default: all cores)."),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run an ensemble on this dask.distributed scheduler, e.g. tcp://host:8786 "
        "(pip install 'projection[dask]').",
    ),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Random seed: the same seed gives the same numbers.")
]
FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table, csv or json.", show_default=True)
]


# ----------------------------------------------------------------------------------- run


@app.command()
def run(
    files: FilesArg,
    set_: SetOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the results to .csv, .parquet, .json, .xlsx or .nc (netCDF), with the "
            "run's metadata.",
        ),
    ] = None,
    layout: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Layout of --output: tidy (one row per value) or iamc (one column per year; "
            ".csv or .xlsx).",
        ),
    ] = "tidy",
    years: YearsOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = "lhs",
    seed: SeedOpt = None,
    quantiles: Annotated[
        str, typer.Option("--quantiles", help="Quantile bands of an ensemble, e.g. 0.05,0.5,0.95.")
    ] = "0.05,0.5,0.95",
    keep_samples: Annotated[
        bool, typer.Option("--keep-samples", help="With --output: also write every member.")
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", help="Draw the trajectories (fan charts for ensembles) to .png/.svg/.pdf."
        ),
    ] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing but errors (no progress bar).")
    ] = False,
) -> None:
    """Project every indicator of each scenario and print them at milestone years.

    With --samples, run an ensemble and print quantile bands and target probabilities.
    """
    with _guard():
        _check_format(layout, ("tidy", "iamc"), what="--format")
        if layout == "iamc" and output is None:
            raise ProjectionError("--format iamc: give the file to write with --output")
        if layout == "iamc":
            check_iamc_path(output)
        _check_destinations(output, plot)
        wanted = _parse_years(years)
        qs = _parse_quantiles(quantiles)
        scenarios = _load_all(files, set_ or [])
        with _executor(scheduler) as client:
            results = [
                _run_one(s, samples, sampler, seed, qs, keep_samples, workers, client, quiet)
                for s in scenarios
            ]
        for p in results:
            _check_years(p, wanted)
        if output is not None:
            metadata = run_metadata(results)
            if layout == "iamc":
                write_iamc(results, output, metadata=metadata)
            elif samples is None:
                write_frame(concat_frames(results), output, metadata=metadata)
            else:
                frames = [e.to_frame(samples=keep_samples) for e in results]
                write_frame(
                    categorise(pd.concat(frames, ignore_index=True)), output, metadata=metadata
                )
        if plot is not None:
            from .plot import plot_projections, save_figure

            save_figure(plot_projections(results), plot)
        if quiet:
            return
        console = _console()
        for p in results:
            if samples is None:
                _print_projection(console, p, wanted)
            else:
                _print_ensemble(console, p, wanted)
        _warn_violations(results)
        if output is not None:
            console.print(f"wrote {output}")
        if plot is not None:
            console.print(f"wrote {plot}")


def _run_one(
    scenario: Scenario,
    samples,
    sampler,
    seed,
    quantiles,
    keep_samples,
    workers=None,
    client=None,
    quiet=True,
):
    if samples is None:
        return run_scenario(scenario)
    bar = None if quiet else _ProgressBar(scenario.name)
    try:
        return run_scenario(
            scenario,
            samples=samples,
            sampler=sampler,
            seed=seed,
            quantiles=quantiles,
            keep_samples=keep_samples,
            workers=workers,
            client=client,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()


class _ProgressBar:
    """A rich progress bar on stderr, shown only for runs that take more than a second or two
    (and only on a terminal): members done, members per second, time left."""

    def __init__(self, label: str, *, console: Console | None = None, delay: float = 1.0) -> None:
        import time

        self._time = time.perf_counter
        self._start = self._time()
        self._label = label
        self._delay = delay
        self._console = console or Console(stderr=True)
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


@contextmanager
def _executor(address: str | None) -> Iterator[Any]:
    """A dask.distributed client for ``--scheduler``, or None for local runs."""
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


def _median_projection(e: Any) -> Projection:
    """An ensemble's median trajectories as a Projection (for side-by-side tables)."""
    return Projection(
        scenario=e.scenario, years=e.years, values=dict(e.median), notes=list(e.notes)
    )


def _check_destinations(output: Path | None, plot: Path | None) -> None:
    """Check output and figure paths before any work, so a typo costs nothing."""
    if output is not None:
        check_output_path(output)
    if plot is not None:
        from .plot import check_plot_path

        check_plot_path(plot)


def _parse_quantiles(text: str) -> list[float]:
    try:
        return [float(q) for q in text.split(",") if q.strip()]
    except ValueError:
        raise ProjectionError(
            f"--quantiles {text!r}: expected numbers in [0, 1], e.g. 0.05,0.5,0.95"
        ) from None


@app.command()
def validate(files: FilesArg, set_: SetOpt = None) -> None:
    """Check scenario files without running them."""
    with _guard():
        for s in _load_all(files, set_ or []):
            kinds = [r["kind"] for r in s.sources()]
            typer.echo(
                f"ok: {s.file or s.name}: scenario {s.name!r}, "
                f"{_count(len(s.indicators), 'indicator')}, {_count(len(s.targets), 'target')}; "
                f"{_count(len(kinds), 'number')}: {kinds.count('paper')} from the paper, "
                f"{_count(kinds.count('assumption'), 'assumption')}"
            )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


# ------------------------------------------------------------------------------- targets


@app.command()
def targets(
    files: FilesArg,
    set_: SetOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = "lhs",
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = "table",
    fail_on_miss: Annotated[
        bool,
        typer.Option("--fail-on-miss", help="Exit with code 1 when any target is not met."),
    ] = False,
) -> None:
    """Status of every target: met? first year reached? by how much? (how likely, with --samples)"""
    with _guard():
        _check_format(fmt)
        with _executor(scheduler) as client:
            results = [
                _run_one(
                    s,
                    samples,
                    sampler,
                    seed,
                    [0.05, 0.5, 0.95],
                    False,
                    workers,
                    client,
                    fmt != "table",
                )
                for s in _load_all(files, set_ or [])
            ]
        frame = evaluate_targets(results)
        if fmt == "table":
            console = _console()
            for p in results:
                rows = frame[frame["scenario"] == p.name]
                console.print(_title(p.scenario) + _ensemble_note(p))
                if rows.empty:
                    console.print("  no targets")
                else:
                    _print_targets(console, rows, with_gap=True)
                console.print()
        else:
            _emit(frame, fmt)
        _warn_violations(results)
    if fail_on_miss and (frame["status"] != MET).any():
        raise typer.Exit(EXIT_NEGATIVE)


# --------------------------------------------------------------------------------- solve


@app.command()
def solve(
    file: FileArg,
    target: Annotated[str, typer.Option("--target", "-t", help="Target id, e.g. T1.")],
    param: Annotated[
        str,
        typer.Option(
            "--param",
            "-p",
            help="Parameter to solve for, e.g. indicators.ev_sales_share.params.rate.",
        ),
    ],
    bounds: Annotated[
        str | None,
        typer.Option("--bounds", help="Bracket to search, LOW,HIGH in the parameter's unit."),
    ] = None,
    set_: SetOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Find the parameter value at which a target is met exactly."""
    with _guard():
        _check_format(fmt, ("text", "json"))
        bracket = _parse_bounds(bounds)
        (scenario,) = _load_all([file], set_ or [])
        sol = solve_target(scenario, target=target, param=param, bounds=bracket)
        if fmt == "json":
            import json

            typer.echo(json.dumps(sol.to_dict(), indent=1))
        else:
            typer.echo(sol.message)
            if sol.found:
                typer.echo(
                    f"  {sol.target}: required {_num(sol.required)} {sol.target_unit}, "
                    f"projected {_num(sol.achieved)} {sol.target_unit} at the solved value; "
                    f"searched [{_num(sol.bounds[0])}, {_num(sol.bounds[1])}] {sol.unit}"
                )
    if not sol.found:
        raise typer.Exit(EXIT_NEGATIVE)


def _parse_bounds(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise ProjectionError(f"--bounds {text!r}: expected LOW,HIGH, e.g. 0,2") from None
    return low, high


# --------------------------------------------------------------------------------- check


@app.command()
def check(files: FilesArg, set_: SetOpt = None, fmt: FormatOpt = "table") -> None:
    """List every violated constraint with the years it fails and the margin (exit 1 if any)."""
    with _guard():
        _check_format(fmt)
        results = [run_scenario(s) for s in _load_all(files, set_ or [])]
        if fmt != "table":
            _emit(check_constraints(results), fmt)
        else:
            console = _console()
            for p in results:
                n = len(p.scenario.constraints)
                if not p.violations:
                    console.print(f"ok: {p.name}: all {n} constraints hold in every year")
                    continue
                console.print(f"{p.name}: {len(p.violations)} of {n} constraints violated")
                table = Table(box=None, padding=(0, 1, 0, 2))
                for col in ("constraint", "years", "worst margin", "in", "why it must hold"):
                    table.add_column(
                        col, overflow="fold", max_width=60 if col.startswith("why") else None
                    )
                for v in p.violations:
                    year, worst = v.worst
                    table.add_row(
                        f"{v.constraint}: {v.expression}",
                        format_years(v.years, p.scenario.horizon.step),
                        format_value(worst, v.unit),
                        str(year),
                        v.source,
                    )
                console.print(table)
    if any(p.violations for p in results):
        raise typer.Exit(EXIT_NEGATIVE)


# ------------------------------------------------------------------------------- compare


@app.command()
def compare(
    files: FilesArg,
    indicator: Annotated[
        list[str] | None,
        typer.Option("--indicator", "-i", help="Indicator to compare (repeatable; default all)."),
    ] = None,
    years: YearsOpt = None,
    set_: SetOpt = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Draw the trajectories to a .png, .svg or .pdf file."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the comparison frame to .csv/.parquet/.json/.xlsx."
        ),
    ] = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = "lhs",
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Indicators of several scenarios side by side, with differences against the first.

    With --samples, each scenario runs as an ensemble: the table compares medians and --plot
    draws fan charts.
    """
    with _guard():
        _check_destinations(output, plot)
        wanted = _parse_years(years)
        runs = [
            _run_one(s, samples, sampler, seed, [0.05, 0.5, 0.95], False, workers, None, False)
            for s in _load_all(files, set_ or [])
        ]
        # an ensemble is compared through its median trajectory
        results = [_median_projection(r) if hasattr(r, "bands") else r for r in runs]
        for p in results:
            _check_years(p, wanted)
        shown = wanted or results[0].scenario.milestone_years()
        frame = compare_frames(results, indicators=indicator)
        if output is not None:
            write_frame(frame, output, metadata=run_metadata(runs))
        if plot is not None:
            from .plot import plot_projections, save_figure

            save_figure(plot_projections(runs, indicators=indicator), plot)
        console = _console()
        reference = results[0].name
        for name in dict.fromkeys(frame["indicator"]):
            rows = frame[(frame["indicator"] == name) & frame["year"].isin(shown)]
            unit = rows["unit"].iloc[0]
            what = "medians of ensembles, " if samples is not None else ""
            console.print(f"[bold]{name}[/bold] ({unit}; {what}differences against {reference})")
            table = Table()
            table.add_column("scenario")
            for y in shown:
                table.add_column(str(y), justify="right")
            for scen in dict.fromkeys(rows["scenario"]):
                cells = []
                sub = rows[rows["scenario"] == scen].set_index("year")
                for y in shown:
                    if y not in sub.index:
                        cells.append("")
                        continue
                    text = format_value(float(sub.loc[y, "value"]), unit)
                    d = sub.loc[y, "difference"]
                    if scen != reference and pd.notna(d):
                        value = float(sub.loc[y, "value"])
                        if abs(d) < 5e-4 * max(abs(value), abs(value - d)):
                            text += " (±0)"  # below the precision shown
                        else:
                            text += f" ({'+' if d >= 0 else '-'}{format_value(abs(float(d)), '')})"
                    cells.append(text)
                table.add_row(scen, *cells)
            console.print(table)
        if plot is not None:
            console.print(f"wrote {plot}")
        if output is not None:
            console.print(f"wrote {output} ({len(frame)} rows)")


# -------------------------------------------------------------------------------- report


@app.command()
def report(
    files: FilesArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The HTML file to write (.html or .htm)."),
    ],
    set_: SetOpt = None,
    samples: SamplesOpt = None,
    sampler: SamplerOpt = "lhs",
    seed: SeedOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Write one self-contained HTML report: summaries, targets, warnings, figures, sources.

    With --samples, each scenario runs as an ensemble: the report adds target probabilities
    and fan charts.
    """
    from .report import check_report_path, write_report

    with _guard():
        check_report_path(output)
        results = [
            _run_one(s, samples, sampler, seed, [0.05, 0.5, 0.95], False, workers, None, False)
            for s in _load_all(files, set_ or [])
        ]
        write_report(output, results)  # with the run's metadata in its header
        typer.echo(f"wrote {output}")


# ----------------------------------------------------------------------------- calibrate


@app.command()
def calibrate(
    file: FileArg,
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="Indicator to fit.")],
    history: Annotated[
        Path,
        typer.Option(
            "--history",
            help="CSV of observed year,value (# lines: source), or an IAMC .csv/.xlsx with "
            "--variable.",
        ),
    ],
    params: Annotated[
        str, typer.Option("--params", "-p", help="Parameters to fit, e.g. rate,ceiling.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the calibrated scenario (YAML).")
    ] = None,
    distributions: Annotated[
        bool,
        typer.Option(
            "--distributions",
            help="With --out: give identifiable fitted parameters their estimated uncertainty.",
        ),
    ] = False,
    years: Annotated[
        str | None, typer.Option("--years", help="Fit only these years of the history: 2015:2020.")
    ] = None,
    variable: Annotated[
        str | None,
        typer.Option(
            "--variable", help="IAMC history: the series' variable, e.g. 'Transport|...'."
        ),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="IAMC history: the series' region.")
    ] = None,
    iamc_scenario: Annotated[
        str | None, typer.Option("--iamc-scenario", help="IAMC history: the series' scenario.")
    ] = None,
    set_: SetOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Fit parameters to observed history by bounded least squares."""
    from .calibrate import calibrate as fit

    with _guard():
        _check_format(fmt, ("text", "json"))
        if out is not None and out.suffix.lower() not in (".yaml", ".yml"):
            raise ProjectionError(f"--out {out}: the calibrated scenario is written as .yaml")
        if out is not None and not (out.parent if str(out.parent) else Path(".")).is_dir():
            raise ProjectionError(f"--out {out}: directory {str(out.parent)!r} does not exist")
        span = None
        if years:
            try:
                first, last = (int(y) for y in years.split(":"))
            except ValueError:
                raise ProjectionError(
                    f"--years {years!r}: expected FIRST:LAST, e.g. 2015:2020"
                ) from None
            span = (first, last)
        names = [p.strip() for p in params.split(",") if p.strip()]
        observed: Any = history
        if variable is not None:
            from .iamc import history_from_iamc

            observed = history_from_iamc(history, variable, region=region, scenario=iamc_scenario)
        elif region is not None or iamc_scenario is not None:
            raise ProjectionError(
                "--region and --iamc-scenario select a series of an IAMC file: give --variable too"
            )
        (scenario,) = _load_all([file], set_ or [])
        result = fit(scenario, indicator=indicator, history=observed, params=names, years=span)
        if out is not None:
            result.write(out, distributions=distributions)
        if fmt == "json":
            import json

            typer.echo(json.dumps(result.to_dict(), indent=1))
        else:
            typer.echo(result.summary())
            if out is not None:
                typer.echo(f"wrote {out}")


# --------------------------------------------------------------------------- sensitivity


@app.command()
def sensitivity(
    file: FileArg,
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Indicator whose value is explained.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="The year of that value.")] = None,
    years: Annotated[
        str | None, typer.Option("--years", help="Year by year instead: 2025:2040 or 2025,2030.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="Explain whether this target is met.")
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", "-n", help="Base sample size (a power of two).")
    ] = 1024,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """First-order and total Sobol indices of every uncertain parameter, ranked."""
    from .sensitivity import sensitivity as sobol_sensitivity
    from .sensitivity import summary

    with _guard():
        _check_format(fmt)
        (scenario,) = _load_all([file], set_ or [])
        result = sobol_sensitivity(
            scenario,
            indicator=indicator,
            year=year,
            years=years,
            target=target,
            n=samples,
            seed=seed,
        )
        if fmt == "table":
            typer.echo(summary(result))
            for note in result.notes:
                typer.echo(f"  note: {note}")
        else:
            _emit(result.to_frame(), fmt)


# -------------------------------------------------------------------------------- schema


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors that validate YAML)."""
    import json

    from .scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=1, sort_keys=True))


# ------------------------------------------------------------------------ list, init


@app.command("list")
def list_(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv or json.", show_default=True)
    ] = "table",
) -> None:
    """List the scenarios installed with projection; run one by name: projection run NAME."""
    from .catalog import shipped

    with _guard():
        _check_format(fmt)
        rows = pd.DataFrame(
            [(s.name, s.description, str(s.path)) for s in shipped()],
            columns=["name", "description", "file"],
        )
        if fmt != "table":
            _emit(rows, fmt)
            return
        table = Table()
        for col in ("name", "description", "file"):
            table.add_column(col, overflow="fold")
        for row in rows.itertuples(index=False):
            table.add_row(*row)
        console = _console()
        console.print(table)
        console.print("run one by name, e.g.: projection run paper-targets")


@app.command()
def init(
    name: Annotated[str, typer.Argument(help="Name of the new scenario.", show_default=False)],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default NAME.yaml).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter scenario to NAME.yaml, ready to edit, validate and run."""
    from .catalog import write_starter

    with _guard():
        path = write_starter(name, output, force=force)
        typer.echo(f"wrote {path}; next: projection validate {path} && projection run {path}")


# ---------------------------------------------------------------------------------- diff


@app.command()
def diff(
    a: Annotated[Path, typer.Argument(help="First scenario file.", show_default=False)],
    b: Annotated[Path, typer.Argument(help="Second scenario file.", show_default=False)],
    fmt: FormatOpt = "table",
) -> None:
    """Parameters and settings that differ between two scenarios, with their sources."""
    with _guard():
        _check_format(fmt)
        sa, sb = load_scenario(a), load_scenario(b)
        frame = diff_frames(sa, sb)
        if fmt != "table":
            _emit(frame, fmt)
            return
        console = _console()
        if frame.empty:
            console.print(f"{sa.name} and {sb.name} do not differ (after `extends` is resolved)")
            return
        console.print(
            f"{len(frame)} differences between [bold]{sa.name}[/bold] (a) and "
            f"[bold]{sb.name}[/bold] (b), after `extends` is resolved"
        )
        table = Table(box=None, padding=(0, 1, 0, 0))
        for col, width in (
            ("path", None),
            ("change", None),
            (sa.name, 14),
            (sb.name, 14),
            ("source a", 45),
            ("source b", 45),
        ):
            table.add_column(col, overflow="fold", max_width=width, no_wrap=col == "path")
        for row in frame.itertuples(index=False):
            table.add_row(row.path, row.change, row.a, row.b, row.source_a, row.source_b)
        console.print(table)


# ------------------------------------------------------------------------------- helpers


def _parse_years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(y) for y in text.split(",") if y.strip()]
    except ValueError:
        raise ProjectionError(
            f"--years {text!r}: expected comma-separated years, e.g. 2025,2030"
        ) from None


def _check_years(p: Projection, years: list[int] | None) -> None:
    if years is None:
        return
    have = set(p.years.tolist())
    for y in years:
        if y not in have:
            raise ProjectionError(
                f"--years: {y} is not a projected year of {p.name!r} "
                f"({p.years[0]}..{p.years[-1]} step {p.scenario.horizon.step})"
            )


def _check_format(
    fmt: str, allowed: tuple[str, ...] = ("table", "csv", "json"), what: str = "--format"
) -> None:
    if fmt not in allowed:
        raise ProjectionError(
            f"{what} {fmt!r}: expected {', '.join(allowed[:-1])} or {allowed[-1]}"
        )


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        import json

        sys.stdout.write(json.dumps(json.loads(frame.to_json(orient="records")), indent=1) + "\n")


def _num(x: float) -> str:
    return f"{x:.6g}"


def _title(s: Scenario) -> str:
    desc = s.description.strip().splitlines()[0] if s.description.strip() else ""
    return f"[bold]{s.name}[/bold]" + (f": {desc}" if desc else "")


def _targets_table(rows: pd.DataFrame, *, with_gap: bool) -> Table:
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 2))
    ensemble = "probability" in rows.columns
    # an ensemble's first year is shown as median [90 % interval] instead of one year
    columns = ["target", "indicator", "year", "required", "projected", "status"]
    columns += [] if ensemble else ["first reached"]
    if with_gap:
        columns += ["gap", "gap %"]
    if ensemble:
        columns += ["P(met)", "first reached [90 %]"]
    for col in columns:
        right = col in ("required", "projected", "gap", "gap %", "first reached")
        table.add_column(col, justify="right" if right else "left", no_wrap=True)
    for r in rows.itertuples(index=False):
        sign = ">=" if r.bound == "at_least" else "<="
        colour = "green" if r.status == MET else "red"
        cells: list[Any] = [
            r.target,
            r.indicator,
            str(r.year),
            f"{sign} {format_value(r.required, r.unit)}",
            format_value(r.projected, r.unit),
            f"[{colour}]{r.status}[/{colour}]",
        ]
        if not ensemble:
            cells.append(_year(r.first_year))
        if with_gap:
            cells += [
                f"{'+' if r.gap >= 0 else '-'}{format_value(abs(r.gap), r.unit)}",
                "" if pd.isna(r.gap_relative) else f"{r.gap_relative:+.1%}",
            ]
        if ensemble:
            cells += [
                format_probability(r.probability, r.probability_se, r.samples),
                f"{_year(r.first_year_median)} [{_year(r.first_year_p05)}, {_year(r.first_year_p95)}]",
            ]
        table.add_row(*cells)
    return table


def _print_targets(console: Console, rows: pd.DataFrame, *, with_gap: bool) -> None:
    """The targets table, then each target's source on a line of its own."""
    console.print(_targets_table(rows, with_gap=with_gap))
    for r in rows.itertuples(index=False):
        console.print(f"  [dim]{r.target}: {r.source}[/dim]", soft_wrap=True)


def _year(value: Any) -> str:
    return "never" if pd.isna(value) else str(int(value))


def _ensemble_note(p: Any) -> str:
    if not hasattr(p, "bands"):
        return ""
    return f" [dim](ensemble: {p.n:,} members, {p.sampler} sampler, seed {p.seed})[/dim]"


def _print_ensemble(console: Console, e: Any, years: list[int] | None) -> None:
    s = e.scenario
    wanted = years if years is not None else s.milestone_years()
    cols = [int(np.searchsorted(e.years, y)) for y in wanted]
    console.print(_title(s) + _ensemble_note(e))
    table = Table()
    table.add_column("indicator")
    table.add_column("quantile", justify="right")
    for y in wanted:
        table.add_column(str(y), justify="right")
    for name in e.bands:
        unit = e.units[name]
        for k, q in enumerate(e.quantiles):
            label = name if k == 0 else ""
            cells = [format_value(float(e.bands[name][k, c]), unit) for c in cols]
            table.add_row(label, f"{q:g}", *cells, end_section=k == len(e.quantiles) - 1)
    console.print(table)
    if s.targets:
        _print_targets(console, evaluate_targets(e), with_gap=False)
    for note in e.notes:
        console.print(f"  [yellow]note[/yellow]: {note}")
    console.print()


def _print_projection(console: Console, p: Projection, years: list[int] | None) -> None:
    s = p.scenario
    frame = p.table(years)
    console.print(_title(s))
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
        _print_targets(console, evaluate_targets(p), with_gap=False)
    for note in p.notes:
        console.print(f"  [yellow]note[/yellow]: {note}")
    console.print()


def _warn_violations(results: list[Projection]) -> None:
    """One line on stderr per scenario that violates a constraint."""
    err = _console(stderr=True)
    for p in results:
        if hasattr(p, "violation_share"):
            for cid, share in p.violation_share.items():
                if share.max() > 0:
                    worst = int(np.argmax(share))
                    err.print(
                        f"[yellow]warning[/yellow]: {p.name}: constraint {cid} "
                        f"({p.scenario.comparison(cid).text}) fails in {share.max():.0%} of members "
                        f"in {int(p.years[worst])} (details: projection check)",
                        soft_wrap=True,
                    )
            continue
        if p.violations:
            listed = "; ".join(v.summary() for v in p.violations)
            err.print(
                f"[yellow]warning[/yellow]: {p.name} violates {len(p.violations)} constraint"
                f"{'s' if len(p.violations) > 1 else ''}: {listed} (details: projection check)",
                soft_wrap=True,
            )


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class _Interrupted(BaseException):
    """Raised by the signal handler; a BaseException, so that click does not turn it into its
    own "Aborted!" and every ``except Exception`` lets it through. Cleanup on the way out
    (``finally`` blocks, :func:`projection.output.atomic_path`) removes temporary files."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


def main() -> None:
    """Entry point of the ``projection`` console script.

    Ctrl-C (SIGINT) and SIGTERM stop a run promptly with one line on stderr and exit code
    130 (143 for SIGTERM); no output file is left half-written.
    """
    import signal

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        app()
    except _Interrupted as stop:
        if _state["debug"]:
            raise
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while we print
        sys.stderr.write(
            ("\n" if sys.stderr.isatty() else "")  # after the terminal's "^C"
            + "error: interrupted"
            + (" (Ctrl-C)" if stop.signum == signal.SIGINT else " (SIGTERM)")
            + "; no partial output file was left\n"
        )
        sys.exit(EXIT_INTERRUPTED if stop.signum == signal.SIGINT else EXIT_TERMINATED)


__all__ = ["app", "main", "format_value"]
