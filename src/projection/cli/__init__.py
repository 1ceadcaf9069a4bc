"""The ``projection`` command: a thin layer over the public API.

=====================  =============================================================
module                 holds
=====================  =============================================================
:mod:`.commands`       the typer app: its commands, global options, exit codes
:mod:`.options`        the vocabulary: one meaning per option name
:mod:`.common`         one-line errors, loading with overrides and variants, progress
:mod:`.results`        ``run``, ``targets``, ``check``
:mod:`.scenarios`      ``compare``, ``diff``, ``report``, ``validate``, ``list``,
                       ``init``, ``schema``
:mod:`.analysis`       ``solve``, ``sensitivity``, ``screen``, ``calibrate``, ``backtest``
:mod:`.console`        rich tables of the text :mod:`projection.render.text` makes
=====================  =============================================================

The command imports only what it runs: ``projection --version`` answers before anything
else is imported, ``--help`` loads no numerics, and each command loads the parts of the
library it calls.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["app", "main"]

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


def __getattr__(name: str) -> Any:
    if name == "app":
        from .commands import app

        return app
    raise AttributeError(f"module 'projection.cli' has no attribute {name!r}")


class _Interrupted(BaseException):
    """Raised by the signal handler; a BaseException, so that click does not turn it into its
    own "Aborted!" and every ``except Exception`` lets it through. Cleanup on the way out
    (``finally`` blocks, :func:`projection.files.atomic_path`) removes temporary files."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    raise _Interrupted(signum)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``projection`` console script.

    Ctrl-C (SIGINT) and SIGTERM stop a run promptly with one line on stderr and exit code
    130 (143 for SIGTERM); no output file is left half-written. A mistake in the command line
    (an unknown option, a value that is not a choice) is one line and exit code 2, as bad input
    is everywhere.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:  # the quickest answer: nothing else to import
        from .. import __version__

        sys.stdout.write(f"projection {__version__}\n")
        return
    import signal

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        _run(args)
    except _Interrupted as stop:
        from .common import STATE

        if STATE["debug"]:
            raise
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while we print
        sys.stderr.write(
            ("\n" if sys.stderr.isatty() else "")  # after the terminal's "^C"
            + "error: interrupted"
            + (" (Ctrl-C)" if stop.signum == signal.SIGINT else " (SIGTERM)")
            + "; no partial output file was left\n"
        )
        sys.exit(EXIT_INTERRUPTED if stop.signum == signal.SIGINT else EXIT_TERMINATED)


def _run(args: list[str]) -> None:
    """Run the click command built from the app; usage errors as one line, exit code 2."""
    import typer
    import typer.main

    from .commands import app

    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name="projection", standalone_mode=False)
    except typer.Exit as stop:
        code = stop.exit_code
    except typer.Abort:
        sys.stderr.write("error: aborted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as err:
        # click's UsageError (typer ships its own copy of click, so it is told by name): an
        # unknown option, a value that is not one of the choices, a missing argument. It is
        # raised before the command runs, so nothing was written.
        kinds = {cls.__name__ for cls in type(err).__mro__}
        if "NoArgsIsHelpError" in kinds:  # `projection` alone: the help, as click shows it
            sys.stdout.write(err.format_message() + "\n")  # type: ignore[attr-defined]
            sys.exit(EXIT_BAD_INPUT)
        if "UsageError" not in kinds:
            raise
        ctx = getattr(err, "ctx", None)
        where = ctx.command_path if ctx is not None else "projection"
        message = " ".join(err.format_message().replace("Value error, ", "").split())  # type: ignore[attr-defined]
        sys.stderr.write(f"error: {message} (see: {where} --help)\n")
        sys.exit(EXIT_BAD_INPUT)
    if isinstance(code, int) and code:  # typer.Exit(n) inside a command comes back as n
        sys.exit(code)
