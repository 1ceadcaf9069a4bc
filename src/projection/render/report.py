"""An HTML report of one or several runs: one self-contained file to read, send or archive.

:func:`report` renders projections and ensembles (the results of :func:`projection.run`) as
one HTML page; :func:`write_report` writes it atomically. The page needs nothing but itself:
the style sheet is inline, figures are PNG (or SVG) images embedded as ``data:`` URIs, there
is no script to run, no font, image or style sheet to fetch and no link leaving the page
(only ``#fragment`` links to its own sections). Every text taken from a scenario is escaped.

The page holds, in order:

* a header with the run's metadata (``projection`` version, sampler, seed, members, the
  scenarios), also embedded as JSON in ``<script type="application/json"
  id="projection-metadata">`` for a program to read;
* an overview table of the scenarios (``table.overview``) and, for several scenarios, a
  comparison figure (``figure.comparison``);
* per scenario (``section.scenario``): its description and horizon, the indicators at the
  years that matter (``table.indicators``), the targets (``table.targets``: requirement,
  projected value, status ``met`` / ``missed`` / ``not reached within horizon``, first year,
  gap; for an ensemble also the probability of meeting it with its standard error and the
  median and 90 % interval of the first year reached), the consistency warnings
  (``section.warnings``: violated constraints, for an ensemble the share of members violating
  them, and the run's notes such as clipped values), the trajectories (``figure.trajectory``)
  and for an ensemble its fan chart (``figure.fan-chart``), and the provenance of every number
  (``table.provenance``: each parameter, milestone, target and constraint with its source;
  rows are classed by the source's kind, so ``tr.assumption`` and ``tr.override`` stand out).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.results import Result
from ..engine.targets import MET, MISSED, NOT_REACHED, evaluate_targets
from ..exceptions import ProjectionError
from ..files import atomic_path, check_destination
from ..scenario import Scenario, source_kind
from ..text import format_probability, format_value, format_years

__all__ = ["REPORT_FORMATS", "check_report_path", "report", "write_report"]

#: Extensions a report may be written to.
REPORT_FORMATS = {".html": "html", ".htm": "html"}

#: Figure formats :func:`report` can embed.
FIGURE_FORMATS = ("png", "svg")

_DPI = 130  # PNG resolution: about 1.4x the width the page shows a two-column figure at
_NCOLS = 2  # panels per row: wide enough to read at the page's width


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
) -> str:
    """Render projections and ensembles as one self-contained HTML page.

    Parameters
    ----------
    results : Projection, Ensemble, or a sequence of them
        What :func:`projection.run` returned, one per scenario; projections and ensembles may
        be mixed.
    metadata : mapping, optional
        The run's metadata, shown in the header and embedded as JSON. Default:
        :func:`projection.metadata.run_metadata` of ``results`` (version, seed, sampler,
        members and each resolved scenario's SHA-256).
    title : str, optional
        The page's title. Default: ``"Projection report: <scenario names>"``.
    figures : bool
        Draw the figures (trajectories, fan charts, comparison). ``False`` leaves them out,
        which is much faster.
    figure_format : {"png", "svg"}
        How figures are embedded (both as ``data:`` URIs).

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
    meta = dict(metadata) if metadata is not None else _default_metadata(runs)
    names = [r.name for r in runs]
    title = title if title is not None else "Projection report: " + ", ".join(names)
    draw = _Figures(figure_format) if figures else None

    body = [_header(title, meta, runs), _overview(runs)]
    if len(runs) > 1 and draw is not None:
        body.append(_comparison(runs, draw))
    body += [_scenario_section(i, r, draw) for i, r in enumerate(runs)]
    body.append(_footer())
    return _page(title, "\n".join(body), meta)


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


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------- metadata
def _default_metadata(runs: list[Result]) -> dict[str, Any]:
    from ..io.metadata import run_metadata

    return dict(run_metadata(runs))


def _json_script(meta: Mapping[str, Any]) -> str:
    """The metadata as JSON inside a data block, safe to put in HTML (no ``</script>``)."""
    text = json.dumps(meta, indent=1, default=_json_default, ensure_ascii=False)
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/json" id="projection-metadata">\n{text}\n</script>'


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _meta_value(value: Any) -> str:
    """A metadata value as HTML: scalars as text, lists of records as a small table."""
    if value is None:
        return '<span class="muted">none</span>'
    if isinstance(value, Mapping):
        items = "".join(f"<dt>{_e(k)}</dt><dd>{_meta_value(v)}</dd>" for k, v in value.items())
        return f'<dl class="nested">{items}</dl>'
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(v, Mapping) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{_e(k)}</th>" for k in keys)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_meta_cell(k, v.get(k))}</td>" for k in keys) + "</tr>"
                for v in value
            )
            return f'<table class="meta-records"><tr>{head}</tr>{rows}</table>'
        return _e(", ".join(str(v) for v in value))
    return _e(value)


def _meta_cell(key: str, value: Any) -> str:
    if isinstance(value, str) and len(value) == 64 and key.lower().startswith("sha"):
        return f'<code title="{_e(value)}">{_e(value[:12])}…</code>'
    return _meta_value(value)


# ---------------------------------------------------------------------------------- pieces
def _header(title: str, meta: Mapping[str, Any], runs: list[Result]) -> str:
    rows = "".join(
        f"<dt>{_e(k.replace('_', ' '))}</dt><dd>{_meta_value(v)}</dd>" for k, v in meta.items()
    )
    toc = "".join(f'<li><a href="#scenario-{i}">{_e(r.name)}</a></li>' for i, r in enumerate(runs))
    if len(runs) > 1:
        toc = '<li><a href="#comparison">comparison</a></li>' + toc
    return (
        '<header id="top">\n'
        f"<h1>{_e(title)}</h1>\n"
        f'<dl class="metadata" id="metadata">{rows}</dl>\n'
        f'<nav><span class="muted">Contents:</span> <ul class="toc">{toc}</ul></nav>\n'
        "</header>"
    )


def _overview(runs: list[Result]) -> str:
    rows = []
    for i, r in enumerate(runs):
        s = r.scenario
        frame = evaluate_targets(r)
        met = int((frame["status"] == MET).sum())
        kinds = [row["kind"] for row in _provenance_rows(s)]
        violated = _violated_constraints(r)
        rows.append(
            "<tr>"
            f'<td><a href="#scenario-{i}">{_e(r.name)}</a></td>'
            f"<td>{_e(_run_kind(r))}</td>"
            f'<td class="num">{s.horizon.start}–{s.horizon.end}</td>'
            f'<td class="num">{met} of {len(frame)}</td>'
            f'<td class="num">{len(violated)} of {len(s.constraints)}</td>'
            f'<td class="num">{kinds.count("paper")}</td>'
            f'<td class="num">{kinds.count("assumption")}</td>'
            f'<td class="num">{len(kinds) - kinds.count("paper") - kinds.count("assumption")}</td>'
            "</tr>"
        )
    return (
        '<section id="overview"><h2>Overview</h2>\n<div class="table-wrap">'
        '<table class="overview"><thead><tr><th>scenario</th><th>run</th>'
        '<th class="num">horizon</th><th class="num">targets met</th>'
        '<th class="num">constraints violated</th><th class="num">numbers from the paper</th>'
        '<th class="num">assumptions</th><th class="num">other</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>\n"
        + (
            '<p class="muted">For an ensemble, targets met are counted on the median '
            "trajectory; the probability of meeting each is in the scenario's targets table.</p>"
            if any(r.samples for r in runs)
            else ""
        )
        + "</section>"
    )


def _comparison(runs: list[Result], draw: _Figures) -> str:
    from .plot import plot_projections

    names = ", ".join(r.name for r in runs)
    img = draw(
        plot_projections(runs, ncols=_NCOLS),
        alt=f"Trajectories of every indicator, scenarios {names} side by side",
    )
    return (
        '<section id="comparison"><h2>Comparison</h2>\n'
        f'<figure class="comparison" id="figure-comparison">{img}'
        f"<figcaption>Every scenario's trajectories, one panel per indicator ({_e(names)}); "
        "targets are triangles, milestones dots.</figcaption></figure></section>"
    )


def _scenario_section(i: int, r: Result, draw: _Figures | None) -> str:
    s = r.scenario
    parts = [
        f'<section class="scenario" id="scenario-{i}" data-scenario="{_e(r.name)}">',
        f'<h2>{_e(r.name)} <span class="badge">{_e(_run_kind(r))}</span></h2>',
        _summary(r),
        f'<h3 id="indicators-{i}">Indicators</h3>',
        _indicators_table(r),
        f'<h3 id="targets-{i}">Targets</h3>',
        _targets_table(r),
        _warnings(i, r),
    ]
    if draw is not None:
        parts.append(f'<h3 id="figures-{i}">Figures</h3>')
        parts.append(_figures(r, draw))
    parts += [f'<h3 id="provenance-{i}">Provenance</h3>', _provenance(s), "</section>"]
    return "\n".join(parts)


def _summary(r: Result) -> str:
    s = r.scenario
    h = s.horizon
    items = [("horizon", f"{h.start}–{h.end}" + (f", every {h.step} years" if h.step != 1 else ""))]
    if s.file:
        items.append(("file", s.file))
    items.append(("indicators", ", ".join(sorted(s.indicators))))
    if bool(r.samples):
        quantiles = ", ".join(f"{q:g}" for q in r.quantiles)
        items.append(
            (
                "ensemble",
                f"{r.n:,} members, {r.sampler} sampler, seed {r.seed}; quantiles {quantiles}",
            )
        )
    desc = " ".join(s.description.split())
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return (f'<p class="description">{_e(desc)}</p>' if desc else "") + (
        f'<dl class="summary">{rows}</dl>'
    )


def _indicators_table(r: Result) -> str:
    s = r.scenario
    years = s.milestone_years()
    cols = [int(np.searchsorted(r.years, y)) for y in years]
    ensemble = bool(r.samples)
    lo_row = hi_row = None
    if ensemble:
        lo_row, hi_row = _outer_band(r.quantiles)
    head = "".join(f'<th class="num">{y}</th>' for y in years)
    rows = []
    values = r.median if ensemble else r.values
    for name in sorted(values):
        unit = s.indicators[name].unit
        cells = []
        for c in cols:
            text = _e(format_value(float(values[name][c]), ""))
            if ensemble and lo_row is not None:
                lo = float(r.bands[name][lo_row, c])
                hi = float(r.bands[name][hi_row, c])
                text += (
                    f'<br><span class="interval">{_e(format_value(lo, ""))}'
                    f" – {_e(format_value(hi, ''))}</span>"
                )
            cells.append(f'<td class="num">{text}</td>')
        rows.append(
            f'<tr><th scope="row">{_e(name)}<span class="unit">{_e(unit or "no unit")}, '
            f"{_e(s.indicators[name].model)}</span></th>" + "".join(cells) + "</tr>"
        )
    note = ""
    if ensemble:
        band = (
            f"; below it the {r.quantiles[lo_row]:g}–{r.quantiles[hi_row]:g} quantile band"
            if lo_row is not None
            else ""
        )
        note = f'<p class="muted">Medians of {r.n:,} members{band}.</p>'
    return (
        '<div class="table-wrap"><table class="indicators"><thead><tr>'
        f'<th>indicator <span class="unit">unit, model</span></th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def _outer_band(quantiles: Sequence[float]) -> tuple[int | None, int | None]:
    """Rows of the lowest quantile below 0.5 and the highest above it (None if either lacks)."""
    below = [k for k, q in enumerate(quantiles) if q < 0.5]
    above = [k for k, q in enumerate(quantiles) if q > 0.5]
    if not below or not above:
        return None, None
    return below[0], above[-1]


def _targets_table(r: Result) -> str:
    frame = evaluate_targets(r)
    if frame.empty:
        return '<p class="muted no-targets">This scenario sets no targets.</p>'
    ensemble = bool(r.samples)
    columns = [
        ("target", ""),
        ("indicator", ""),
        ("year", "num"),
        ("requirement", "num"),
        ("projected" + (" median" if ensemble else ""), "num"),
        ("status", ""),
        ("first year", "num"),
        ("gap", "num"),
    ]
    if ensemble:
        columns += [("P(met) ± se", "num probability"), ("first year, members", "num")]
    head = "".join(f'<th class="{cls}">{_e(name)}</th>' for name, cls in columns)
    rows = []
    for t in frame.itertuples(index=False):
        sign = "≥" if t.bound == "at_least" else "≤"
        status_class = {MET: "met", MISSED: "missed", NOT_REACHED: "not-reached"}[t.status]
        gap_rel = "" if pd.isna(t.gap_relative) else f"{t.gap_relative:+.1%}".replace("-", "−")
        cells = [
            f'<th scope="row">{_e(t.target)}</th>',
            f"<td>{_e(t.indicator)}</td>",
            f'<td class="num">{t.year}</td>',
            f'<td class="num">{sign} {_e(format_value(t.required, t.unit))}</td>',
            f'<td class="num">{_e(format_value(t.projected, t.unit))}</td>',
            f'<td class="status status-{status_class}">{_e(t.status)}</td>',
            f'<td class="num">{_year(t.first_year)}</td>',
            f'<td class="num">{_e(_signed(t.gap, t.unit))}'
            + (f'<span class="sub">{_e(gap_rel)}</span>' if gap_rel else "")
            + "</td>",
        ]
        if ensemble:
            cells.append(
                '<td class="num probability">'
                f"{_e(format_probability(t.probability, t.probability_se, t.samples))}</td>"
            )
            cells.append(
                f'<td class="num">{_year(t.first_year_median)}<span class="sub">90 %: '
                f"{_year(t.first_year_p05)}–{_year(t.first_year_p95)}</span></td>"
            )
        rows.append(
            f'<tr class="target status-{status_class}" data-target="{_e(t.target)}">'
            + "".join(cells)
            + "</tr>"
        )
    notes = [
        "Status: <b>met</b> in the target's year; <b>missed</b> then but reached in some other "
        "year of the horizon; <b>not reached within horizon</b> in no year. The gap is projected "
        "minus required, in the indicator's unit, and below it relative to the requirement."
    ]
    if ensemble:
        notes.append(
            f"Status, first year and gap describe the median trajectory. P(met) is the share of "
            f"the {r.n:,} members that meet the target in its year, with its Monte Carlo "
            "standard error (when all or none of them do, the 95 % bound 3/n instead); the "
            "members' first year is their median, with its 90 % interval "
            "(never: not within the horizon)."
        )
    return (
        '<div class="table-wrap"><table class="targets'
        + (" ensemble" if ensemble else "")
        + f'"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
        + "".join(f'<p class="muted">{n}</p>' for n in notes)
    )


def _violated_constraints(r: Result) -> list[str]:
    if bool(r.samples):
        return [cid for cid, share in r.violation_share.items() if share.max() > 0]
    return [v.constraint for v in r.violations]


def _warnings(i: int, r: Result) -> str:
    s = r.scenario
    items = []
    if bool(r.samples):
        for cid, share in r.violation_share.items():
            if not share.max() > 0:
                continue
            c = s.constraints[cid]
            worst = int(np.argmax(share))
            years = _years(r.years[share > 0], s.horizon.step)
            items.append(
                '<li class="violation">'
                f"<b>{_e(cid)}</b> (<code>{_e(s.comparison(cid).text)}</code>) fails in "
                f"{share.max():.0%} of members in {int(r.years[worst])}, its worst year, and in "
                f"some member in {years}."
                f'<br><span class="why">Why it must hold: {_e(" ".join(c.source.split()))}</span>'
                "</li>"
            )
    else:
        for v in r.violations:
            year, worst = v.worst
            items.append(
                '<li class="violation">'
                f"<b>{_e(v.constraint)}</b> (<code>{_e(v.expression)}</code>) fails in "
                f"{_years(v.years, s.horizon.step)}; worst margin "
                f"{_e(format_value(worst, v.unit))} in {year}."
                f'<br><span class="why">Why it must hold: {_e(" ".join(v.source.split()))}</span>'
                "</li>"
            )
    items += [f'<li class="note">{_e(n)}</li>' for n in r.notes]
    n_ok = len(s.constraints) - len(_violated_constraints(r))
    if not items:
        body = (
            f'<p class="ok">No constraint is violated ({len(s.constraints)} checked) and the run '
            "left no notes.</p>"
        )
    else:
        body = (
            f'<ul class="warnings">{"".join(items)}</ul>'
            f'<p class="muted">{n_ok} of {len(s.constraints)} constraints hold in every year'
            + (" in every member" if bool(r.samples) else "")
            + ". Violations are reported, never clipped away; notes say what the run did to "
            "values (clipping to a share's bounds) or found in derived ones.</p>"
        )
    return (
        f'<section class="warnings" id="warnings-{i}"><h3>Consistency warnings</h3>{body}</section>'
    )


def _figures(r: Result, draw: _Figures) -> str:
    from .plot import plot_projections

    point = r.point
    parts = [
        '<figure class="trajectory">'
        + draw(
            plot_projections(point, ncols=_NCOLS),
            alt=f"Trajectories of every indicator of scenario {r.name}",
        )
        + "<figcaption>Trajectories"
        + (
            " of the point projection (every parameter at its written value)"
            if point is not r
            else ""
        )
        + "; targets are triangles, milestones dots.</figcaption></figure>"
    ]
    if bool(r.samples):
        parts.append(
            '<figure class="fan-chart">'
            + draw(
                plot_projections(r, ncols=_NCOLS),
                alt=f"Fan chart of scenario {r.name}: medians and quantile bands",
            )
            + f"<figcaption>Fan chart: the median of {r.n:,} members (line) and the quantile "
            "bands (shaded).</figcaption></figure>"
        )
    return "\n".join(parts)


class _Figures:
    """Turns matplotlib figures into ``<img>`` elements with ``data:`` URIs."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def __call__(self, fig: Any, *, alt: str) -> str:
        buf = io.BytesIO()
        if self.fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
            mime, scale = "image/svg+xml", 72
        else:
            fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
            mime, scale = "image/png", _DPI
        w, h = (int(round(v * scale)) for v in fig.get_size_inches())
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        # the page shows a figure at most at 96 px per inch (CSS), sharper on dense screens
        css_w = int(round(fig.get_size_inches()[0] * 96))
        return (
            f'<img src="data:{mime};base64,{data}" alt="{_e(alt)}" width="{w}" height="{h}" '
            f'style="width:min(100%, {css_w}px)">'
        )


def _provenance_rows(s: Scenario) -> list[dict[str, Any]]:
    """``Scenario.sources()`` with each number's distribution, then the constraints."""
    rows = []
    for rec in s.sources():
        rows.append({**rec, "distribution": _distribution_of(s, rec["path"])})
    for cid, c in s.constraints.items():
        rows.append(
            {
                "path": f"constraints.{cid}",
                "value": c.expression,
                "unit": "",
                "source": " ".join(c.source.split()),
                "kind": source_kind(c.source),
                "distribution": "",
            }
        )
    return rows


def _distribution_of(s: Scenario, path: str) -> str:
    parts = path.split(".")
    try:
        if parts[0] != "indicators":
            return ""
        ind = s.indicators[parts[1]]
        if parts[2] == "params":
            dist = ind.params[parts[3]].distribution
        else:
            m = (ind.milestones or [])[int(parts[3])]
            dist = m.year_distribution if parts[4] == "year" else m.distribution
    except (IndexError, KeyError, ValueError):
        return ""
    if dist is None:
        return ""
    fields = dist.model_dump(exclude={"type"}, exclude_none=True)
    args = ", ".join(f"{k}={_plain(v)}" for k, v in fields.items())
    return f"{dist.type}({args})"


def _provenance(s: Scenario) -> str:
    rows = []
    for rec in _provenance_rows(s):
        kind = rec["kind"]
        value = _plain(rec["value"])
        unit = rec["unit"]
        rows.append(
            f'<tr class="{_e(kind)}"><td class="path"><code>{_path(rec["path"])}</code></td>'
            f'<td class="num value">{_e(value)}{(" " + _e(unit)) if unit else ""}</td>'
            f'<td class="distribution">{_e(rec["distribution"]).replace("(", "(<wbr>", 1)}</td>'
            f'<td><span class="kind kind-{_e(kind)}">{_e(kind)}</span></td>'
            f'<td class="source">{_e(rec["source"])}</td></tr>'
        )
    kinds = [rec["kind"] for rec in _provenance_rows(s)]
    counts = ", ".join(f"{kinds.count(k)} {k}" for k in dict.fromkeys(kinds))
    legend = (
        '<p class="legend"><span class="swatch swatch-assumption"></span> assumption: '
        "a number the paper does not give, chosen by the scenario's author "
        '&nbsp; <span class="swatch swatch-override"></span> override: set on the command '
        "line or in code (<code>--set</code>), not by the file</p>"
    )
    return (
        f'<p class="muted">Every number of the scenario and where it comes from ({_e(counts)}). '
        "Values are as written in the file, in their own unit.</p>"
        + legend
        + '<div class="table-wrap"><table class="provenance"><colgroup><col class="c-path">'
        '<col class="c-value"><col class="c-distribution"><col class="c-kind">'
        '<col class="c-source"></colgroup><thead><tr>'
        '<th>number</th><th class="num">value</th><th>distribution</th><th>kind</th>'
        f"<th>source</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _footer() -> str:
    from .. import __version__

    return (
        f'<footer><p class="muted">Written by projection {_e(__version__)}. This file is '
        'self-contained: it loads nothing from elsewhere. <a href="#top">Back to top</a></p>'
        "</footer>"
    )


def _page(title: str, body: str, meta: Mapping[str, Any]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="projection">\n<title>{_e(title)}</title>\n'
        f"<style>{_CSS}</style>\n{_json_script(meta)}\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------------------ formatting
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _years(years: Any, step: int) -> str:
    """Runs of years (``2025-2027, 2030``), escaped, each kept on one line."""
    runs = format_years(years, step).split(", ")
    return ", ".join(f'<span class="years">{_e(run)}</span>' for run in runs)


def _path(path: str) -> str:
    """A dotted path, escaped, that may wrap after each dot."""
    return ".<wbr>".join(_e(part) for part in path.split("."))


def _signed(value: float, unit: str) -> str:
    return ("+" if value >= 0 else "−") + format_value(abs(value), unit)


def _plain(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return f"{int(v)}" if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _year(value: Any) -> str:
    return "never" if pd.isna(value) else str(int(value))


def _run_kind(r: Result) -> str:
    if bool(r.samples):
        return f"ensemble of {r.n:,} ({r.sampler}, seed {r.seed})"
    return "point projection"


_CSS = """
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d8dee4; --head: #f3f5f7;
  --met: #1a7f37; --missed: #b42318; --not-reached: #8a5a00;
  --assumption: #fff3cd; --assumption-edge: #e0b84c;
  --override: #e3ecfd; --override-edge: #6f95dc;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans",
        "DejaVu Sans", Arial, sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 64px; }
h1 { font-size: 1.65rem; line-height: 1.25; margin: 0 0 .8rem; }
h2 {
  font-size: 1.3rem; margin: 2.6rem 0 .8rem; padding-bottom: .25rem;
  border-bottom: 2px solid var(--line);
}
h3 { font-size: 1.05rem; margin: 1.8rem 0 .5rem; }
a { color: #0b57c2; text-decoration: none; }
a:hover { text-decoration: underline; }
code { font: .86em/1.3 ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
.muted { color: var(--muted); font-size: .85rem; }
p.description { font-size: 1.02rem; margin: .2rem 0 .6rem; }
dl.metadata, dl.summary {
  display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: .4rem 0 1rem; font-size: .9rem;
}
dl.metadata dt, dl.summary dt { color: var(--muted); }
dl.metadata dd, dl.summary dd { margin: 0; }
dl.nested { margin: 0; }
table.meta-records { width: auto; font-size: .85rem; margin: 0; }
table.meta-records th, table.meta-records td { padding: .1rem .6rem .1rem 0; border: 0; background: none; }
nav ul.toc { display: inline; padding: 0; margin: 0; }
nav ul.toc li { display: inline; margin-right: .9rem; }
.badge {
  font-size: .72rem; font-weight: 500; color: var(--muted); border: 1px solid var(--line);
  border-radius: 999px; padding: .05rem .55rem; vertical-align: middle; white-space: nowrap;
}
.table-wrap { overflow-x: auto; margin: .3rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { padding: .3rem .55rem; border-bottom: 1px solid var(--line); text-align: left;
         vertical-align: top; }
thead th { background: var(--head); font-weight: 600; vertical-align: bottom;
           border-bottom: 1px solid #c4ccd4; }
tbody th { font-weight: 600; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
table.indicators td.num { line-height: 1.25; }
.interval, .sub { color: var(--muted); font-size: .78rem; }
.sub { display: block; }
table.targets th, table.targets td { padding: .3rem .45rem; }
td.status { font-weight: 600; }
table.targets td.status { min-width: 7.5rem; }
.years { white-space: nowrap; }
.unit { display: block; font-weight: 400; font-size: .78rem; color: var(--muted); }
table.overview td:nth-child(-n+2) { white-space: nowrap; }
.status-met td.status { color: var(--met); }
.status-missed td.status { color: var(--missed); }
.status-not-reached td.status { color: var(--not-reached); }
section.warnings ul { padding-left: 1.2rem; margin: .3rem 0; }
section.warnings li { margin: .3rem 0; }
li.violation::marker { color: var(--missed); }
li.violation b { color: var(--missed); }
li.note::marker { color: var(--not-reached); }
.why { color: var(--muted); font-size: .85rem; }
p.ok { color: var(--met); }
figure { margin: 1rem 0 1.6rem; }
figure img { display: block; height: auto; max-width: 100%; margin: 0 auto; }
figcaption { color: var(--muted); font-size: .85rem; text-align: center; margin-top: .3rem; }
table.provenance td.path code { overflow-wrap: anywhere; }
table.provenance { table-layout: fixed; min-width: 760px; }
col.c-path { width: 29%; } col.c-value { width: 9%; } col.c-distribution { width: 15%; }
col.c-kind { width: 9%; } col.c-source { width: 38%; }
table.provenance td.path code { font-size: .8rem; }
table.provenance td.value { white-space: normal; }
table.provenance td.distribution { font-size: .8rem; color: var(--muted); overflow-wrap: break-word; }
table.provenance tr.assumption td { background: var(--assumption); }
table.provenance tr.assumption td:first-child { box-shadow: inset 4px 0 var(--assumption-edge); }
table.provenance tr.override td { background: var(--override); }
table.provenance tr.override td:first-child { box-shadow: inset 4px 0 var(--override-edge); }
.kind { font-size: .75rem; white-space: nowrap; }
.kind-assumption { font-weight: 600; color: #7a5300; }
.kind-override { font-weight: 600; color: #1f4fa3; }
p.legend { font-size: .85rem; margin: .3rem 0; }
.swatch { display: inline-block; width: .9rem; height: .9rem; vertical-align: -.12rem;
          border-radius: 2px; }
.swatch-assumption { background: var(--assumption); box-shadow: inset 4px 0 var(--assumption-edge); }
.swatch-override { background: var(--override); box-shadow: inset 4px 0 var(--override-edge); }
section.scenario { margin-top: 3rem; }
footer { margin-top: 3rem; border-top: 1px solid var(--line); padding-top: .6rem; }
@media print {
  main { max-width: none; padding: 0; }
  section.scenario { break-before: page; }
  figure, tr { break-inside: avoid; }
}
"""
