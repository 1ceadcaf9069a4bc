"""An HTML report of one or several runs: one self-contained file to read, send or archive.

:func:`report` renders projections and ensembles (the results of :func:`projection.run`) as
one HTML page; :func:`write_report` writes it atomically. The page needs nothing but itself:
the style sheet is inline, figures are PNG (or SVG) images embedded as ``data:`` URIs, there
is no script to run, no font, image or style sheet to fetch and no link leaving the page
(only ``#fragment`` links to its own sections). Every text taken from a scenario is escaped,
and its control characters are shown escaped (:func:`projection.text.printable`).

The page holds, in order:

* a header with the run's metadata (``projection`` version, sampler, seed, members, the
  scenarios), also embedded as JSON in ``<script type="application/json"
  id="projection-metadata">`` for a program to read;
* an overview table of the scenarios (``table.overview``: run, horizon, targets met,
  constraints violated and the scenario's numbers counted by kind of source) and, for several
  scenarios, a comparison figure (``figure.comparison``);
* per scenario (``section.scenario``): its description and horizon, the indicators at the
  years that matter (``table.indicators``), the targets (``table.targets``: the columns and
  wording of ``projection run``'s targets table, :func:`projection.render.text.target_cells`;
  for an ensemble also the probability of meeting each target with its standard error and the
  members' first year reached), the consistency warnings (``section.warnings``: each violated
  constraint as :meth:`~projection.engine.constraints.Violation.summary` writes it, for an
  ensemble with the share of members failing, and the run's notes such as clipped values),
  the trajectories (``figure.trajectory``) and for an ensemble its fan chart
  (``figure.fan-chart``), and the provenance of every number (``table.provenance``: each
  parameter, milestone, target and constraint with its source; rows are classed by the
  source's kind, so ``tr.assumption`` and ``tr.override`` stand out).

The HTML comes from Jinja2 templates (``projection/render/templates``), autoescaped; this
module gathers what the page shows around the scenarios (metadata, overview),
:mod:`projection.render.report_sections` what each scenario's section shows, and
:mod:`projection.render.report_figures` draws the figures.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.results import Result
from ..engine.targets import MET
from ..exceptions import ProjectionError
from ..files import atomic_path, check_destination
from ..scenario import SOURCE_KINDS, source_counts
from ..text import printable
from .report_explore import discovery_section, exploration_section
from .report_figures import FIGURE_FORMATS, backtest_figure, comparison_figure
from .report_sections import scenario_section
from .text import names, run_label

__all__ = ["REPORT_FORMATS", "check_report_path", "report", "write_report"]

#: Extensions a report may be written to.
REPORT_FORMATS = {".html": "html", ".htm": "html"}


# ---------------------------------------------------------------------------------- public API
def check_report_path(path: str | Path) -> None:
    """Check a report's destination before any work: ``.html``/``.htm`` in an existing directory.

    Raises
    ------
    OutputError
        Another extension, a directory that does not exist, or a path that is a directory.

    Examples
    --------
    >>> check_report_path("report.html")
    >>> check_report_path("report.pdf")
    Traceback (most recent call last):
    ...
    projection.exceptions.OutputError: report.pdf: unknown report format '.pdf' (expected one of: .htm, .html)
    """
    check_destination(path, REPORT_FORMATS, "report format")


def report(
    results: Result | Sequence[Result],
    *,
    metadata: Mapping[str, Any] | None = None,
    title: str | None = None,
    figures: bool = True,
    figure_format: str = "png",
    backtests: Sequence[Any] = (),
    explorations: Sequence[Any] = (),
    discoveries: Sequence[Any] = (),
) -> str:
    """Render projections and ensembles as one self-contained HTML page.

    Parameters
    ----------
    results : Projection, Ensemble, or a sequence of them
        What :func:`projection.run` returned, one per scenario; projections and ensembles may
        be mixed.
    metadata : mapping, optional
        The run's metadata, shown in the header and embedded as JSON. Default:
        :func:`projection.io.metadata.run_metadata` of ``results`` (version, seed, sampler,
        members and each resolved scenario's SHA-256).
    title : str, optional
        The page's title. Default: ``"Projection report: <scenario names>"``.
    figures : bool
        Draw the figures (trajectories, fan charts, comparison). ``False`` leaves them out,
        which is much faster.
    figure_format : {"png", "svg"}
        How figures are embedded (both as ``data:`` URIs).
    backtests : sequence of Backtest
        Back-tests (:func:`projection.backtest`) to show after the scenarios: their scores
        and, with ``figures``, their figure.
    explorations : sequence of Exploration
        Lever explorations (:func:`projection.explore`): each setting's probabilities, the
        robust choices and, with ``figures``, the heat map and the robustness figure.
    discoveries : sequence of Discovery
        Scenario discoveries (:func:`projection.discover`): the box in words, its
        restrictions and, with ``figures``, the peeling trajectory.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    ProjectionError
        No results, or a bad ``figure_format``.

    Examples
    --------
    >>> import projection
    >>> from projection.render.report import report
    >>> src = {"source": "assumption: example"}
    >>> p = projection.run({
    ...     "name": "demo", "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"solar": {"unit": "GW", "model": "linear", "params": {
    ...         "start": {"value": 39, "source": "paper, Analysis I, line 159"},
    ...         "slope": {"value": 5, "unit": "GW/yr", **src}}}},
    ...     "targets": {"T": {"indicator": "solar", "year": 2030, "at_least": "60 GW", **src}}})
    >>> page = report(p, figures=False)
    >>> page.startswith("<!DOCTYPE html>"), '<table class="targets"' in page
    (True, True)
    >>> page.count('<tr class="assumption"'), page.count('<tr class="paper"')
    (2, 1)
    """
    runs = [results] if isinstance(results, Result) else list(results)
    if not runs:
        raise ProjectionError("a report needs at least one projection or ensemble")
    for r in runs:
        if not isinstance(r, Result):
            raise ProjectionError(
                f"a report is made of projections and ensembles (got {type(r).__name__})"
            )
    if figure_format not in FIGURE_FORMATS:
        raise ProjectionError(
            f"figure_format {figure_format!r}: expected {' or '.join(FIGURE_FORMATS)}"
        )
    from markupsafe import Markup

    from .. import __version__

    meta = dict(metadata) if metadata is not None else _default_metadata(runs)
    fmt = figure_format if figures else None
    comparison = comparison_figure(runs, fmt) if fmt and len(runs) > 1 else None
    context = {
        "title": printable(title) if title is not None else "Projection report: " + names(runs),
        "metadata": [(printable(k).replace("_", " "), _meta_node(v)) for k, v in meta.items()],
        "metadata_json": Markup(_json_text(meta)),
        "comparison": comparison,
        "overview": _overview(runs),
        "scenarios": [scenario_section(i, r, fmt) for i, r in enumerate(runs)],
        "backtests": [_backtest_section(bt, fmt) for bt in backtests],
        "explorations": [exploration_section(x, fmt) for x in explorations],
        "discoveries": [discovery_section(d, fmt) for d in discoveries],
        "version": __version__,
    }
    return _templates().get_template("report.html.j2").render(context)


def write_report(
    path: str | Path,
    results: Result | Sequence[Result],
    **kwargs: Any,
) -> Path:
    """Write :func:`report`'s page to ``path`` (``.html`` or ``.htm``), atomically.

    The destination is checked first and the page rendered before anything is written; the
    file then appears complete or not at all (an existing file is left as it was on error).
    Keyword arguments go to :func:`report`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile, projection
    >>> from projection.render.report import write_report
    >>> p = projection.run({
    ...     "name": "demo", "horizon": {"start": 2025, "end": 2027},
    ...     "indicators": {"x": {"unit": "GW", "model": "linear", "params": {
    ...         "start": {"value": 1, "source": "assumption: example"},
    ...         "slope": {"value": 2, "unit": "GW/yr", "source": "assumption: example"}}}}})
    >>> out = write_report(pathlib.Path(tempfile.mkdtemp()) / "r.html", p, figures=False)
    >>> out.read_text(encoding="utf-8").count('class="scenario"')
    1
    """
    check_report_path(path)
    page = report(results, **kwargs)
    with atomic_path(path) as tmp:
        _write_text(tmp, page)
    return Path(path)


def _backtest_section(bt: Any, fmt: str | None) -> dict[str, Any]:
    """A back-test's scores as table rows (text), its coverage lines and its figure."""
    rows = [cells + [""] * (8 - len(cells)) for cells in bt.cells()]
    return {
        "title": f"Back-test of {bt.indicator} on {printable(bt.history)} ({bt.unit})",
        "rows": rows,
        "coverage": bt.coverage(),
        "figure": backtest_figure(bt, fmt) if fmt else None,
    }


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@functools.cache
def _templates() -> Any:
    """The Jinja2 environment of the page's templates (made on first use: importing this
    module does not import Jinja2)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("projection.render", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        finalize=_escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _escape(value: Any) -> Any:
    """Every ``{{ value }}`` escaped as :func:`html.escape` does (``&quot;``, ``&#x27;``: the
    entities the page has always used; autoescaping leaves the result as it is). Markup (what
    a macro returns) is kept."""
    import html

    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


# ------------------------------------------------------------------------------- metadata
def _default_metadata(runs: list[Result]) -> dict[str, Any]:
    from ..io.metadata import run_metadata

    return dict(run_metadata(runs))


def _json_text(meta: Mapping[str, Any]) -> str:
    """The metadata as JSON, safe inside a ``<script>`` data block (no ``</script>``, no
    ``<!--``: ``<``, ``>`` and ``&`` are written as ``\\u`` escapes)."""
    text = json.dumps(meta, indent=1, default=_json_default, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _meta_node(value: Any, key: str = "") -> dict[str, Any]:
    """A metadata value as a node the template draws: ``none``, ``text``, ``hash`` (a SHA-256,
    shortened), ``map`` (a nested mapping) or ``records`` (a list of mappings, as a table)."""
    if value is None:
        return {"kind": "none"}
    if isinstance(value, str) and len(value) == 64 and key.lower().startswith("sha"):
        return {"kind": "hash", "full": printable(value), "short": printable(value[:12])}
    if isinstance(value, Mapping):
        items = [(printable(k), _meta_node(v)) for k, v in value.items()]
        return {"kind": "map", "items": items}
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Mapping) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            rows = [[_meta_node(v.get(k), str(k)) for k in keys] for v in value]
            return {"kind": "records", "keys": [printable(k) for k in keys], "rows": rows}
        return {"kind": "text", "text": printable(", ".join(str(v) for v in value))}
    return {"kind": "text", "text": printable(value)}


# ---------------------------------------------------------------------------------- overview
def _overview(runs: list[Result]) -> dict[str, Any]:
    """One row per scenario; its numbers counted by kind of source, a column per kind that
    occurs among the scenarios shown (:func:`projection.scenario.source_counts`)."""
    counts = [source_counts(r.scenario) for r in runs]
    order = [*SOURCE_KINDS, "other"]
    kinds = [k for k in order if any(k in c for c in counts)]
    rows = []
    for i, (r, numbers) in enumerate(zip(runs, counts)):
        s = r.scenario
        frame = r.targets()
        rows.append(
            {
                "index": i,
                "name": printable(r.name),
                "run": run_label(r),
                "horizon": f"{s.horizon.start}–{s.horizon.end}",
                "met": f"{int((frame['status'] == MET).sum())} of {len(frame)}",
                "violated": f"{len(r.violations)} of {len(s.constraints)}",
                "numbers": [numbers.get(k, 0) for k in kinds],
            }
        )
    return {"kinds": kinds, "rows": rows, "samples": any(r.samples for r in runs)}
