"""The HTML report end to end in a real headless browser (Debian's chromium, driven by
playwright): `projection report` writes the page, chromium opens it from a file:// URL with the
network cut off, and the page loads without errors, requests nothing from elsewhere and shows
its targets tables, figures and provenance tables."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import projection_command

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()), None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs Debian's chromium package at /usr/bin/chromium (.ci/run installs it)",
)

# no sandbox (containers), no GPU, and nothing the browser would fetch for itself
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def projection_cli(*args: str) -> subprocess.CompletedProcess:
    cmd = projection_command()
    return subprocess.run(
        cmd + [str(a) for a in args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    r = projection_cli(
        "report",
        "scenarios/baseline.yaml",
        "scenarios/paper-targets.yaml",
        "--samples",
        "200",
        "--seed",
        "1",
        "-o",
        out,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out}"
    return out


def test_report_in_chromium(report_file, tmp_path):
    from playwright.sync_api import sync_playwright  # the test extra installs it

    messages: list[tuple[str, str]] = []
    errors: list[str] = []
    outside: list[str] = []  # requests for anything but the file itself and data: URIs

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    def on_request(request):
        if not request.url.startswith(("file:", "data:")):
            outside.append(request.url)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: messages.append((m.type, m.text)))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", on_request)
            page.goto(report_file.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")

            assert page.title() == "Projection report: baseline, paper-targets"
            # two scenarios, each with a targets table of seven rows and a probability column
            assert page.locator("section.scenario").count() == 2
            assert page.locator("table.targets").count() == 2
            assert page.locator("table.targets tbody tr").count() == 14
            assert page.locator("table.targets td.probability").count() == 14
            assert page.locator("table.targets tr.status-met").count() >= 1
            # figures: comparison, a trajectory and a fan chart per scenario, all decoded
            figures = page.locator("figure")
            assert figures.count() == 7  # + each scenario's compared indicators (fleet, sales)
            for cls in ("comparison", "pairs", "trajectory", "fan-chart"):
                assert page.locator(f"figure.{cls} img").count() >= 1, cls
            sizes = page.eval_on_selector_all(
                "figure img, figure svg",
                """els => els.map(e => {
                    const box = e.getBoundingClientRect();
                    return [e.tagName, e.naturalWidth || 0, e.naturalHeight || 0,
                            e.complete === undefined ? true : e.complete,
                            box.width, box.height];
                })""",
            )
            assert len(sizes) == 7
            for tag, natural_w, natural_h, complete, w, h in sizes:
                assert complete, tag
                if tag == "IMG":
                    assert natural_w > 500 and natural_h > 300
                assert w > 300 and h > 200
            # provenance, with the assumptions highlighted
            assert page.locator("table.provenance").count() == 2
            assert page.locator("table.provenance tr.assumption").count() >= 10
            background = page.eval_on_selector(
                "table.provenance tr.assumption td", "e => getComputedStyle(e).backgroundColor"
            )
            assert background not in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
            # the run's metadata reads back as JSON
            meta = page.evaluate(
                "JSON.parse(document.getElementById('projection-metadata').textContent)"
            )
            assert (meta["seed"], meta["samples"]) == (1, 200)
            # nothing is wider than the page: tables and figures fit the viewport
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0
            clipped = page.eval_on_selector_all(
                ".table-wrap", "els => els.filter(e => e.scrollWidth > e.clientWidth).length"
            )
            assert clipped == 0  # at 1280 px, no table needs its horizontal scroll bar

            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert [m for m in messages if m[0] in ("error", "warning")] == []
    assert outside == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 200_000
