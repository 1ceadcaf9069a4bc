"""The ``projection`` typer app: the commands, the global options, one-line errors.

Every command is a thin layer over the public API: it parses its options, calls the library
and prints. A :class:`~projection.exceptions.ProjectionError` becomes one line on standard
error, ``error: FILE:LINE:COL: path: problem``, and exit code 2; so does a mistake in the
command line itself (an unknown option, a bad choice). ``--debug`` shows the traceback instead.

Exit codes: 0 success; 1 the question asked has a negative answer (``targets --fail-on-miss``
with a missed target, ``check`` with a violated constraint, ``solve`` with no solution);
2 bad input; 130 / 143 interrupted (Ctrl-C / SIGTERM).
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import analysis, explore, results, scenarios
from .common import STATE

__all__ = ["app"]

app = typer.Typer(
    name="projection",
    help="Scenario projections of policy targets: run, compare and check scenario files.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no markup to swallow "[dask]", and no rich to import
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"projection {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    STATE["debug"] = debug


for command in (
    results.run,
    results.targets,
    results.check,
    scenarios.compare,
    scenarios.diff,
    scenarios.report,
    analysis.solve,
    analysis.sensitivity,
    analysis.screen,
    explore.levers,
    explore.discover,
    analysis.calibrate,
    analysis.backtest,
    scenarios.validate,
    scenarios.list_,
    scenarios.init,
    scenarios.schema,
):
    app.command(command.__name__.rstrip("_"))(command)
