"""Printing results on the terminal: rich tables of the text :mod:`projection.render.text` makes.

Nothing here computes: results come from the library, their text from
:mod:`projection.render.text`; this module only lays the text out (tables on standard output,
warnings on standard error) and writes machine formats (``--format csv|json``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..render.text import (
    TARGET_HEADINGS,
    ensemble_label,
    indicator_rows,
    scenario_title,
    sources_lines,
    target_cells,
    target_keys,
)
from ..text import printable

__all__ = [
    "console",
    "emit",
    "print_result",
    "print_targets",
    "print_title",
    "print_warnings",
]


def markup_text(text: Any) -> str:
    """``text`` (a path, a name) ready for :meth:`Console.print`: control characters escaped
    (:func:`projection.text.printable`) and brackets not read as rich markup."""
    return escape(printable(text))


def console(stderr: bool = False) -> Console:
    """A console 160 columns wide when not writing to a terminal (files, pipes, tests)."""
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else max(shutil.get_terminal_size((160, 24)).columns, 160)
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


def emit(frame: Any, fmt: str) -> None:
    """A frame on standard output as CSV or JSON records."""
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        from ..io.output import json_records

        sys.stdout.write(json.dumps(json_records(frame), indent=1) + "\n")


def print_title(out: Console, result: Any) -> None:
    """``name: description`` and, for an ensemble, what it is."""
    label = ensemble_label(result)
    out.print(
        f"[bold]{escape(scenario_title(result.scenario))}[/bold]"
        + (f" [dim]({escape(label)})[/dim]" if label else ""),
        soft_wrap=True,
    )


def print_result(
    out: Console,
    result: Any,
    years: Sequence[int] | None,
    *,
    indicators: Sequence[str] | None = None,
) -> None:
    """A result at the years that matter: the indicators (those of ``indicators`` it has,
    when given), the targets, the notes."""
    print_title(out, result)
    head, rows, ends = indicator_rows(result, years, indicators)
    table = Table()
    for i, col in enumerate(head):
        table.add_column(
            col, justify="left" if i == 0 or (i == 1 and not result.samples) else "right"
        )
    for i, row in enumerate(rows):
        table.add_row(*(escape(c) for c in row), end_section=i in ends)
    out.print(table)
    frame = result.targets()
    if not frame.empty:
        print_targets(out, frame, with_gap=False)
    for note in result.notes:
        out.print(f"  [yellow]note[/yellow]: {escape(printable(note))}", soft_wrap=True)
    out.print()


def print_targets(out: Console, frame: Any, *, with_gap: bool) -> None:
    """The targets table, then each target's source on a line of its own."""
    keys = target_keys(frame, with_gap=with_gap)
    right = {"required", "projected", "gap", "gap_relative", "first_reached"}
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 2))
    for key in keys:
        table.add_column(  # on a narrow terminal the words wrap; numbers are never cut
            TARGET_HEADINGS[key],
            justify="right" if key in right else "left",
            no_wrap=key not in ("indicator", "status"),
            overflow="fold" if key == "indicator" else "ellipsis",
        )
    for _, row in frame.iterrows():
        cells = target_cells(row)
        colour = "green" if cells["status"] == "met" else "red"
        texts = [escape(cells[k]) for k in keys]
        texts[keys.index("status")] = f"[{colour}]{escape(cells['status'])}[/{colour}]"
        table.add_row(*texts)
    out.print(table)
    for line in sources_lines(frame):
        out.print(f"  [dim]{escape(line)}[/dim]", soft_wrap=True)


def print_warnings(results: Sequence[Any]) -> None:
    """Each result's warnings (constraints that fail), one line each, on standard error."""
    err = console(stderr=True)
    for r in results:
        for line in r.warnings():
            err.print(f"[yellow]warning[/yellow]: {escape(printable(line))}", soft_wrap=True)
