"""The HTML report: its sections, escaping, highlighted assumptions, self-containment, atomic
writing, and the `projection report` command."""

from __future__ import annotations

import base64
import html
import importlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import cli as run_cli

import projection
from projection.exceptions import OutputError, ProjectionError
from projection.io.metadata import run_metadata
from projection.render.text import TARGET_HEADINGS, target_cells

report_module = importlib.import_module("projection.render.report")
report = report_module.report
write_report = report_module.write_report

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PAPER = ROOT / "scenarios" / "paper-targets.yaml"


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each ``<script>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def with_class(tags: _Tags, tag: str, cls: str) -> list[dict[str, str]]:
    return [a for t, a in tags.tags if t == tag and cls in a.get("class", "").split()]


def sections(page: str) -> list[str]:
    """The page cut at each scenario's section."""
    return page.split('<section class="scenario"')[1:]


def text_of(fragment: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def target_rows(section: str) -> dict[str, list[str]]:
    """Each target row of a scenario's section, by its id: the text of its cells."""
    rows = re.findall(r'<tr class="target [^"]*" data-target="([^"]*)">(.*?)</tr>', section)
    return {
        html.unescape(tid): [text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for tid, row in rows
    }


def warnings_of(section: str) -> str:
    return section.split('<section class="warnings"')[1].split("</section>")[0]


@pytest.fixture(scope="module")
def point():
    return projection.run(BASELINE)


@pytest.fixture(scope="module")
def ensemble():
    return projection.run(PAPER, samples=200, seed=1)


@pytest.fixture(scope="module")
def full_page(point, ensemble):
    """A projection and an ensemble, with figures."""
    return report([point, ensemble])


# ---------------------------------------------------------------------------------- sections
def test_every_section_is_present(full_page, point, ensemble):
    tags = parse(full_page)
    assert full_page.startswith("<!DOCTYPE html>")
    assert with_class(tags, "dl", "metadata")
    assert with_class(tags, "table", "overview")
    assert len(with_class(tags, "section", "scenario")) == 2
    for cls in ("indicators", "targets", "provenance"):
        assert len(with_class(tags, "table", cls)) == 2, cls
    assert len(with_class(tags, "section", "warnings")) == 2
    assert len(with_class(tags, "figure", "trajectory")) == 2
    assert len(with_class(tags, "figure", "fan-chart")) == 1  # the ensemble only
    assert len(with_class(tags, "figure", "comparison")) == 1  # two scenarios
    # one row per target, with its status
    rows = with_class(tags, "tr", "target")
    assert [r["data-target"] for r in rows] == list(point.scenario.targets) + list(
        ensemble.scenario.targets
    )
    baseline = sections(full_page)[0]
    assert "status-missed" in baseline and "not reached within horizon" in baseline


def test_metadata_in_the_header_and_as_json(full_page, point, ensemble):
    tags = parse(full_page)
    (data,) = [a for t, a in tags.tags if t == "script" and a.get("id") == "projection-metadata"]
    assert data["type"] == "application/json" and "src" not in data
    (text,) = tags.scripts
    meta = json.loads(text)
    assert meta == json.loads(json.dumps(run_metadata([point, ensemble])))
    assert meta["scenarios"][1]["name"] == "paper-targets"
    header = full_page.split("</header>")[0]
    assert "projection version" in header and projection.__version__ in header
    assert meta["scenarios"][0]["sha256"][:12] in header


def test_metadata_given_is_rendered_as_given(point):
    page = report(point, figures=False, metadata={"run by": "ci", "samples": 0})
    header = page.split("</header>")[0]
    assert "run by" in header and "ci" in header
    assert json.loads(parse(page).scripts[0]) == {"run by": "ci", "samples": 0}


def test_figures_are_embedded_images(full_page):
    tags = parse(full_page)
    images = [a for t, a in tags.tags if t == "img"]
    assert len(images) == 6  # comparison, two pairs (fleet beside sales), two trajectories, a fan
    for img in images:
        head, data = img["src"].split(",", 1)
        assert head == "data:image/png;base64"
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
        assert int(img["width"]) > 0 and int(img["height"]) > 0 and img["alt"]


def test_svg_figures(point):
    page = report(point, figure_format="svg")
    _pairs, img = [a for t, a in parse(page).tags if t == "img"]
    head, data = img["src"].split(",", 1)
    assert head == "data:image/svg+xml;base64"
    assert b"<svg" in base64.b64decode(data)
    with pytest.raises(ProjectionError, match="figure_format"):
        report(point, figure_format="jpeg")


def test_probability_column_only_for_ensembles(full_page):
    baseline, paper = sections(full_page)
    assert "P(met)" not in baseline and 'class="num probability"' not in baseline
    assert "P(met)" in paper
    assert paper.count('<td class="num probability">') == 7  # paper-targets' targets
    assert "0.585 ± 0.035" in paper  # T1 with 200 members, seed 1
    assert '<table class="targets ensemble">' in paper
    assert '<table class="targets">' in baseline


def test_consistency_warnings(full_page, point):
    baseline, paper = sections(full_page)
    warnings = baseline.split('<section class="warnings"')[1].split("</section>")[0]
    assert "traffic_within_capacity" in warnings and "2025-2026" in warnings
    for note in point.notes:
        assert note.split(":")[0] in warnings
    assert "of members" in paper.split('<section class="warnings"')[1]


def test_no_warnings_says_so(mini):
    p = projection.run(mini)
    assert not p.violations and not p.notes
    page = report(p, figures=False)
    assert '<p class="ok">' in page and '<ul class="warnings">' not in page


# ------------------------------------------------------------- the command line's wording
def target_keys(ensemble: bool) -> list[str]:
    """The columns of `projection compare`'s targets table with the gaps (cli.console)."""
    keys = ["target", "indicator", "year", "required", "projected", "status"]
    keys += [] if ensemble else ["first_reached"]
    keys += ["gap", "gap_relative"]
    return keys + (["probability", "first_reached_members"] if ensemble else [])


def test_target_cells_are_the_command_lines(full_page, point, ensemble):
    for section, r in zip(sections(full_page), (point, ensemble)):
        keys = target_keys(bool(r.samples))
        table = section.split('<table class="targets')[1].split("</table>")[0]
        head = re.findall(r"<th[^>]*>(.*?)</th>", table.split("</thead>")[0])
        assert [text_of(h) for h in head] == [TARGET_HEADINGS[k] for k in keys]
        rows = target_rows(section)
        frame = r.targets()
        assert list(rows) == list(frame["target"])
        for _, row in frame.iterrows():
            cells = target_cells(row, ge="≥", le="≤")
            assert rows[row["target"]] == [cells[k] for k in keys], row["target"]


def test_warnings_are_each_violations_summary(full_page, point, ensemble):
    for section, r in zip(sections(full_page), (point, ensemble)):
        text = text_of(warnings_of(section))
        assert r.violations
        for v in r.violations:
            assert v.summary() in text
            assert " ".join(v.source.split()) in text
        for note in r.notes:
            assert note in text
    # for the ensemble, with the share of members in each year
    assert "of members" in ensemble.violations[0].failing_years()


def test_overview_counts_numbers_by_each_kind_of_source_shown(mini):
    plain = projection.run(mini)
    other = dict(mini, name="other")
    other["indicators"] = dict(mini["indicators"])
    other["indicators"]["share"] = {
        **mini["indicators"]["share"],
        "params": {
            **mini["indicators"]["share"]["params"],
            "ceiling": {"value": 60, "unit": "%", "source": "IRENA statistics 2025"},
        },
    }
    both = [plain, projection.run(other)]
    counts = [projection.scenario.source_counts(r.scenario) for r in both]
    assert "other" in counts[1] and "other" not in counts[0]

    def overview(page):
        table = page.split('<table class="overview">')[1].split("</table>")[0]
        head = table.split("</thead>")[0].split("</tr>")[1]  # the second heading row: the kinds
        kinds = [text_of(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
        body = table.split("<tbody>")[1]
        rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>")[:-1]]
        return kinds, [[int(text_of(c)) for c in row[-len(kinds) :]] for row in rows]

    kinds, rows = overview(report(both, figures=False))
    assert kinds == ["paper", "assumption", "other"]
    assert rows == [[c.get(k, 0) for k in kinds] for c in counts]
    # a kind no scenario shown has gets no column
    kinds, rows = overview(report(plain, figures=False))
    assert kinds == list(counts[0]) and rows == [list(counts[0].values())]


# ----------------------------------------------------------------------------- provenance
def test_assumptions_and_overrides_are_highlighted(point):
    scenario = point.scenario.with_overrides({"indicators.ev_sales_share.params.rate": 0.7})
    page = report(projection.run(scenario), figures=False)
    tags = parse(page)
    rows = [a for t, a in tags.tags if t == "tr" and a.get("class")]
    kinds = [r["kind"] for r in scenario.sources()]
    constraint_kinds = [
        projection.scenario.source_kind(c.source) for c in scenario.constraints.values()
    ]
    kinds += constraint_kinds  # a constraint's reason is sourced too
    assert len(with_class(tags, "tr", "assumption")) == kinds.count("assumption")
    assert len(with_class(tags, "tr", "override")) == 1
    assert len(with_class(tags, "tr", "paper")) == kinds.count("paper")
    n = len(kinds)
    provenance = page.split('<table class="provenance">')[1].split("</table>")[0]
    assert provenance.count("<tr class=") == n
    assert "override: indicators.ev_sales_share.params.rate=0.7" in provenance
    assert "constraints.<wbr>traffic_within_capacity" in provenance
    assert "triangular(<wbr>lower=1, mode=2, upper=4)" in provenance
    # the classes are styled, and a legend explains them
    assert "tr.assumption td" in page and "tr.override td" in page
    assert 'class="legend"' in page and "swatch-assumption" in page
    assert rows


# -------------------------------------------------------------------------------- escaping
def test_text_from_the_scenario_is_escaped(mini):
    m = mini
    m["name"] = "<script>alert(1)</script>"
    m["description"] = 'Tom & "Jerry" <b>bold</b>'
    m["indicators"]["share"]["params"]["rate"]["source"] = "assumption: <img src=x onerror=y>"
    p = projection.run(m)
    page = report(p, figures=False, title="</title><script>x()</script>")
    assert "<script>alert" not in page and "<script>x()" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Tom &amp; &quot;Jerry&quot; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=y&gt;" in page
    tags = parse(page)
    assert [t for t, _ in tags.tags].count("script") == 1  # the JSON data block only
    assert [t for t, _ in tags.tags].count("img") == 0
    # the JSON block cannot be closed early, and still reads back as the name
    (text,) = tags.scripts
    assert "</" not in text
    assert json.loads(text)["scenarios"][0]["name"] == m["name"]


# ------------------------------------------------------------------------ self-containment
def test_nothing_outside_the_document_is_referenced(full_page):
    tags = parse(full_page)
    for tag, attrs in tags.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = attrs.get(name)
            if value is None:
                continue
            assert value.startswith(("data:", "#")), (tag, name, value[:60])
        assert tag not in ("link", "iframe", "object", "embed", "base"), tag
        if tag == "script":
            assert attrs.get("type") == "application/json" and "src" not in attrs
    assert "http://" not in full_page and "https://" not in full_page
    assert "url(" not in full_page and "@import" not in full_page
    # every fragment link has its target
    ids = {a["id"] for _, a in tags.tags if "id" in a}
    for _, a in tags.tags:
        if a.get("href", "").startswith("#"):
            assert a["href"][1:] in ids, a["href"]


def test_control_characters_do_not_reach_the_page(mini, tmp_path):
    """A scenario's own text cannot hold control characters (validation refuses them); a
    scenario named after a file whose name holds ESC is named with it escaped, and the page,
    its JSON block included, shows it escaped."""
    mini["description"] = "one\rtwo\x07 three"
    with pytest.raises(ProjectionError, match="control character U\\+000D"):
        projection.load_scenario(mini)
    del mini["description"], mini["name"]
    file = tmp_path / "a\x1b[2Jb.yaml"
    file.write_text(json.dumps(mini))  # JSON is YAML
    page = report(projection.run(file), figures=False)
    assert not [c for c in page if not c.isprintable() and c != "\n"]
    assert "a\\x1b[2Jb" in page
    assert json.loads(parse(page).scripts[0])["scenarios"][0]["name"] == "a\\x1b[2Jb"


def test_without_figures_no_link_to_a_missing_section(point, ensemble):
    page = report([point, ensemble], figures=False)
    tags = parse(page)
    ids = {a["id"] for _, a in tags.tags if "id" in a}
    links = [a["href"] for _, a in tags.tags if a.get("href", "").startswith("#")]
    assert links and all(link[1:] in ids for link in links)
    assert "#comparison" not in links and "<img" not in page


def test_the_ensembles_point_figure_does_not_run_the_engine(ensemble, monkeypatch):
    import projection.engine.runner as runner

    def boom(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("the report ran the engine")

    monkeypatch.setattr(runner, "run", boom)
    monkeypatch.setattr(projection, "run", boom)
    page = report(ensemble, figure_format="svg")
    assert with_class(parse(page), "figure", "trajectory")
    assert with_class(parse(page), "figure", "fan-chart")


def test_importing_the_module_does_not_import_jinja2():
    code = (
        "import sys, projection.render.report\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported'\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr


def test_ids_are_unique(full_page):
    ids = [a["id"] for _, a in parse(full_page).tags if "id" in a]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------------- writing
def test_write_report_writes_the_page(tmp_path, point):
    out = write_report(tmp_path / "r.html", point, figures=False)
    assert out == tmp_path / "r.html"
    assert out.read_text(encoding="utf-8") == report(point, figures=False)
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_bad_destination_is_refused_before_work(tmp_path, point, monkeypatch):
    def boom(*a, **k):  # pragma: no cover - must not be reached
        raise AssertionError("rendered before the destination was checked")

    monkeypatch.setattr(report_module, "report", boom)
    with pytest.raises(OutputError, match="unknown report format '.pdf'"):
        write_report(tmp_path / "r.pdf", point)
    with pytest.raises(OutputError, match="does not exist"):
        write_report(tmp_path / "missing" / "r.html", point)
    (tmp_path / "d.html").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        write_report(tmp_path / "d.html", point)
    assert [p.name for p in tmp_path.iterdir()] == ["d.html"]


def test_a_failure_while_writing_leaves_no_file(tmp_path, point, monkeypatch):
    def half(path, text):
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(report_module, "_write_text", half)
    with pytest.raises(OSError, match="disk full"):
        write_report(tmp_path / "r.html", point, figures=False)
    assert list(tmp_path.iterdir()) == []
    # an existing report survives
    (tmp_path / "r.html").write_text("old", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        write_report(tmp_path / "r.html", point, figures=False)
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "old"


def test_a_failure_while_rendering_leaves_no_file(tmp_path, point):
    with pytest.raises(ProjectionError, match="figure_format"):
        write_report(tmp_path / "r.html", point, figure_format="gif")
    with pytest.raises(ProjectionError, match="at least one"):
        write_report(tmp_path / "r.html", [])
    with pytest.raises(ProjectionError, match="projections and ensembles"):
        write_report(tmp_path / "r.html", [point.scenario])
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------------------------------- CLI
def cli(*args, **kwargs):
    return run_cli(*args, timeout=300, **kwargs)


def test_cli_report_writes_one_file(tmp_path):
    out = tmp_path / "report.html"
    r = cli("report", BASELINE, PAPER, "-o", out, "--samples", "100", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out}"
    page = out.read_text(encoding="utf-8")
    meta = json.loads(parse(page).scripts[0])
    assert (meta["seed"], meta["samples"], meta["sampler"]) == (3, 100, "lhs")
    assert len(sections(page)) == 2 and "P(met)" in page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_cli_report_with_set_marks_the_override(tmp_path):
    out = tmp_path / "r.htm"
    r = cli(
        "report", BASELINE, "--output", out, "--set", "indicators.ev_sales_share.params.rate=0.7"
    )
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<tr class="override">') == 1 and "P(met)" not in page


@pytest.mark.parametrize(
    "name, message",
    [("report.pdf", "unknown report format '.pdf'"), ("missing/report.html", "does not exist")],
)
def test_cli_bad_destination_is_one_line_and_exit_2(tmp_path, name, message):
    r = cli("report", BASELINE, "-o", tmp_path / name)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_scenario_writes_nothing(tmp_path):
    out = tmp_path / "r.html"
    r = cli("report", BASELINE, ROOT / "tests" / "data" / "bad" / "misspelt-key.yaml", "-o", out)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()
