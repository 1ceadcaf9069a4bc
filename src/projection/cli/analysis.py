"""Commands that answer a question about one scenario: ``solve``, ``sensitivity``,
``screen``, ``calibrate`` and ``backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..text import printable
from .common import EXIT_NEGATIVE, guard, load, numbers
from .options import (
    FileArg,
    Format,
    FormatOpt,
    NoiseOpt,
    PlotOpt,
    QuietOpt,
    SeedOpt,
    SetOpt,
    YearsOpt,
)

__all__ = ["solve", "sensitivity", "screen", "calibrate", "backtest"]


def solve(
    file: FileArg,
    target: Annotated[str, typer.Option("--target", "-t", help="Target id, e.g. T1.")],
    param: Annotated[
        str,
        typer.Option(
            "--param",
            "-p",
            help="Parameter to solve for, e.g. indicators.ev_sales_share.params.rate.",
            metavar="PATH",
        ),
    ],
    bounds: Annotated[
        str | None,
        typer.Option(
            "--bounds",
            help="Bracket to search, LOW,HIGH in the parameter's unit.",
            metavar="LOW,HIGH",
        ),
    ] = None,
    set_: SetOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
) -> None:
    """Find the parameter value at which a target is met exactly (exit 1 if none does)."""
    with guard():
        bracket = None
        if bounds is not None:
            values = numbers(bounds, "--bounds", "0,2")
            if len(values) != 2:
                from .. import ProjectionError

                raise ProjectionError(f"--bounds {bounds!r}: expected LOW,HIGH, e.g. 0,2")
            bracket = (values[0], values[1])
        from .. import solve as solve_target

        (scenario,) = load([file], set_)
        sol = solve_target(scenario, target=target, param=param, bounds=bracket)
        if not quiet:
            _show_solution(sol, fmt)
    if not sol.found:
        raise typer.Exit(EXIT_NEGATIVE)


def _show_solution(sol: Any, fmt: Format) -> None:
    if fmt == Format.json:
        import json

        typer.echo(json.dumps(sol.to_dict(), indent=1))
        return
    if fmt == Format.csv:
        import pandas as pd

        from .console import emit

        emit(pd.DataFrame([sol.to_dict()]), "csv")
        return
    typer.echo(sol.message)
    for line in sol.details():
        typer.echo(f"  {line}")


def sensitivity(
    file: FileArg,
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Indicator whose value is explained.")
    ] = None,
    years_: YearsOpt = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", "-t", help="Explain whether this target is met (default: every target)."
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option("--samples", "-n", help="Base sample size (a power of two).", metavar="N"),
    ] = 1024,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
) -> None:
    """First-order and total Sobol indices of every uncertain parameter, ranked.

    Explain whether each target is met (the default: every target, from one design), one
    target (--target ID), or an indicator in some years (--indicator NAME --years 2030 or
    --years 2025:2040).
    """
    with guard():
        from .. import ProjectionError
        from .. import sensitivity as sobol_sensitivity

        if target is not None and (years_ is not None or indicator is not None):
            raise ProjectionError(
                "--target explains whether a target is met in its own year: give no "
                "--indicator or --years with it"
            )
        if indicator is not None and years_ is None:
            raise ProjectionError("--indicator needs --years, e.g. --years 2030 or 2025:2040")
        (scenario,) = load([file], set_)
        result = sobol_sensitivity(
            scenario, indicator=indicator, years=years_, target=target, n=samples, seed=seed
        )
        if not quiet:
            _print(result, fmt)  # the notes are part of the summary


def screen(
    file: FileArg,
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Indicator whose value is screened.")
    ] = None,
    years_: YearsOpt = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="Screen whether this target is met (default: all)."),
    ] = None,
    trajectories: Annotated[
        int,
        typer.Option(
            "--trajectories", "-r", help="Morris trajectories (r (d + 1) runs).", metavar="R"
        ),
    ] = 50,
    levels: Annotated[
        int, typer.Option("--levels", help="Grid levels per input (even).", metavar="P")
    ] = 4,
    seed: SeedOpt = None,
    set_: SetOpt = None,
    plot: PlotOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
) -> None:
    """Morris screening: which uncertain parameters matter at all, ranked by mu* (SALib).

    Screen whether each target is met (the default), one target (--target ID), or an
    indicator in some years (--indicator NAME --years 2030).
    """
    with guard():
        from .. import ProjectionError, screening

        if target is not None and (years_ is not None or indicator is not None):
            raise ProjectionError("--target takes no --indicator or --years")
        if indicator is not None and years_ is None:
            raise ProjectionError("--indicator needs --years, e.g. --years 2030 or 2025:2040")
        if plot is not None:
            from ..render.plot import check_plot_path

            check_plot_path(plot)
        (scenario,) = load([file], set_)
        result = screening(
            scenario,
            indicator=indicator,
            years=years_,
            target=target,
            trajectories=trajectories,
            levels=levels,
            seed=seed,
        )
        if plot is not None:
            from ..render.plot import save_figure

            save_figure(result.plot(), plot)
        if not quiet:
            _print(result, fmt)


def calibrate(
    file: FileArg,
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="Indicator to fit.")],
    history: Annotated[
        Path,
        typer.Option(
            "--history",
            help="CSV of observed year,value (# lines: source), or an IAMC .csv/.xlsx with "
            "--variable.",
            metavar="FILE",
        ),
    ],
    params: Annotated[
        str,
        typer.Option(
            "--params", "-p", help="Parameters to fit, e.g. rate,ceiling.", metavar="P,..."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the calibrated scenario (.yaml).", metavar="FILE"
        ),
    ] = None,
    distributions: Annotated[
        bool,
        typer.Option(
            "--distributions",
            help="With --output: give identifiable fitted parameters their estimated uncertainty "
            "(least squares; --posterior always writes the posterior).",
        ),
    ] = False,
    years_: YearsOpt = None,
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
    bayes: Annotated[
        bool,
        typer.Option(
            "--posterior",
            help="Update the parameters' distributions (priors) with the history instead: "
            "importance sampling on the compiled scenario.",
        ),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples", "-n", help="With --posterior: prior draws to weight.", metavar="N"
        ),
    ] = 100_000,
    noise: NoiseOpt = "fit",
    seed: SeedOpt = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
) -> None:
    """Fit parameters to an observed history by bounded least squares, or with --posterior
    update their distributions with it (--years: the years of the history to use)."""
    with guard():
        from .. import ProjectionError
        from .. import calibrate as fit

        if output is not None and output.suffix.lower() not in (".yaml", ".yml"):
            raise ProjectionError(f"--output {output}: the calibrated scenario is written as .yaml")
        if output is not None and not (output.parent if str(output.parent) else Path(".")).is_dir():
            raise ProjectionError(
                f"--output {output}: directory {str(output.parent)!r} does not exist"
            )
        names = [p.strip() for p in params.split(",") if p.strip()]
        observed: Any = history
        if variable is not None:
            from ..io.iamc import history_from_iamc

            observed = history_from_iamc(history, variable, region=region, scenario=iamc_scenario)
        elif region is not None or iamc_scenario is not None:
            raise ProjectionError(
                "--region and --iamc-scenario select a series of an IAMC file: give --variable too"
            )
        (scenario,) = load([file], set_)
        if bayes:
            if distributions:
                raise ProjectionError(
                    "--distributions is for least squares: with --posterior the written "
                    "parameters always carry their posterior distributions"
                )
            from .. import posterior

            post = posterior(
                scenario,
                indicator=indicator,
                history=observed,
                params=names,
                samples=samples,
                noise=_noise(noise),
                seed=seed,
                years=years_,
            )
            if output is not None:
                post.write(output)
            if not quiet:
                _print(post, fmt, as_dict=True)
            if output is not None and not quiet and fmt == Format.table:
                typer.echo(f"wrote {printable(output)}")
            return
        result = fit(scenario, indicator=indicator, history=observed, params=names, years=years_)
        if output is not None:
            result.write(output, distributions=distributions)
        if quiet:
            return
        _print(result, fmt, as_dict=True)
        if fmt == Format.table and output is not None:
            typer.echo(f"wrote {printable(output)}")


def _print(result: Any, fmt: Format, *, as_dict: bool = False) -> None:
    """A result as text (its summary), CSV (its frame) or JSON (its ``to_dict()`` with
    ``as_dict``, else its frame)."""
    if fmt == Format.table:
        typer.echo(result.summary())
    elif fmt == Format.json and as_dict:
        import json

        typer.echo(json.dumps(result.to_dict(), indent=1, default=str))
    else:
        from .console import emit

        emit(result.to_frame(), fmt.value)


def _noise(text: str) -> Any:
    """``--noise``: ``fit``, or a number (a one-line error otherwise)."""
    if text == "fit":
        return text
    return (numbers(text, "--noise", "0.5 or fit") or [float("nan")])[0]


def backtest(
    file: FileArg,
    indicator: Annotated[str, typer.Option("--indicator", "-i", help="Indicator observed.")],
    history: Annotated[
        Path,
        typer.Option("--history", help="CSV of observed year,value.", metavar="FILE"),
    ],
    split: Annotated[
        str,
        typer.Option(
            "--split",
            help="Last year of each fit, e.g. 2018 or 2015,2017,2019.",
            metavar="YEARS",
        ),
    ],
    samples: Annotated[
        int,
        typer.Option("--samples", "-n", help="Prior draws for the posterior.", metavar="N"),
    ] = 20_000,
    noise: NoiseOpt = "fit",
    seed: SeedOpt = None,
    families: Annotated[
        str | None,
        typer.Option(
            "--families",
            help="Growth families to score side by side, e.g. logistic,gompertz (default: the "
            "scenario's), each with the scenario's priors.",
            metavar="F,...",
        ),
    ] = None,
    set_: SetOpt = None,
    plot: PlotOpt = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write the scenario's HTML report with the back-test in it (.html).",
            metavar="FILE",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    quiet: QuietOpt = False,
) -> None:
    """Fit on the years up to each split, project the years after it, and score naive, linear
    trend and the scenario's family (posterior predictive): error and band coverage."""
    with guard():
        from .. import backtest as run_backtest

        if plot is not None:
            from ..render.plot import check_plot_path

            check_plot_path(plot)
        if report is not None:
            from ..render.report import check_report_path

            check_report_path(report)

        (scenario,) = load([file], set_)
        bt = run_backtest(
            scenario,
            indicator=indicator,
            history=history,
            splits=split,
            samples=samples,
            noise=_noise(noise),
            seed=seed,
            families=families,
        )
        if plot is not None:
            from ..render.plot import save_figure

            save_figure(bt.plot(), plot)
        if report is not None:
            from .. import run
            from ..render.report import write_report

            write_report(report, run(scenario), backtests=[bt])
        if not quiet:
            _print(bt, fmt, as_dict=True)
