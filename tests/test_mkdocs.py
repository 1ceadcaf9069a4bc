"""The documentation site builds with ``mkdocs build --strict``, and its generated parts are
complete.

* ``mkdocs build --strict`` turns every warning into an error: a broken link or anchor, a
  page missing from the nav, a docstring mkdocstrings cannot read, a scenario field without a
  description (``docs/hooks.py``);
* the generated pages hold what they promise: every command of the CLI, every field of the
  scenario schema, every growth family with its parameters and figure;
* ``docs/gen_figures.py`` runs and draws one figure per growth family (into a temporary
  directory, so the test does not touch the committed PNGs), and a figure is committed for
  every family.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from projection.models import FAMILIES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _hooks():
    spec = importlib.util.spec_from_file_location("projection_docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert r.returncode == 0, f"mkdocs build --strict failed:\n{r.stdout}\n{r.stderr}"
    return out


def _page(site: Path, name: str) -> str:
    path = site / name / "index.html" if name else site / "index.html"
    assert path.is_file(), f"{path.relative_to(site)} was not built"
    return path.read_text(encoding="utf-8")


def test_mkdocs_build_strict_builds_every_page(site):
    assert "projection" in _page(site, "")
    assert "compare" in _page(site, "cli")
    assert "ceiling" in _page(site, "scenario-reference")
    assert "family-logistic.png" in _page(site, "families")
    assert "projection.load_scenario" in _page(site, "api")
    for page in ("tutorial", "sources", "architecture", "calibration", "performance"):
        _page(site, page)


def test_api_page_documents_every_public_name(site):
    import projection

    html = _page(site, "api")
    for name in projection.__all__:
        assert f'id="projection.{name}"' in html or f'id="projection.{name}.{name}"' in html, (
            f"api page: projection.{name} is not documented (docs/api.md)"
        )
    assert 'id="projection.__all__"' not in html


def test_cli_page_lists_every_command_and_option(site):
    import typer

    from projection.cli import app

    html = _page(site, "cli")
    group = typer.main.get_command(app)
    assert group.commands, "the typer app has no commands"
    for name, command in group.commands.items():
        if getattr(command, "hidden", False):
            continue
        assert f'id="projection-{name}"' in html, f"cli page: no section for `{name}`"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in html, f"cli page: `{name}` lacks option {opt}"


def test_scenario_reference_lists_every_field(site):
    from projection.scenario import json_schema

    html = _page(site, "scenario-reference")
    schema = json_schema()
    assert "yaml-language-server: $schema=" in html
    assert "projection schema &gt; scenario.schema.json" in html
    for name, definition in [("Scenario", schema), *schema["$defs"].items()]:
        if name != "Scenario":
            assert f'id="{name.lower()}"' in html, f"scenario reference: no section {name}"
        for field in definition.get("properties", {}):
            assert f"<code>{field}</code>" in html, f"scenario reference: {name}.{field} missing"


def test_schema_reference_describes_every_field():
    """A field with no description in the schema needs one in the hook's FIELD_NOTES (the
    build warns, and --strict fails, otherwise)."""
    hooks = _hooks()
    text = hooks.schema_reference()
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.split(" | ")]
            assert cells[4], f"no description: {line}"


def test_families_page_covers_every_family(site):
    html = _page(site, "families")
    source = (DOCS / "families.md").read_text(encoding="utf-8")
    for name, family in FAMILIES.items():
        assert f"<!-- family-params: {name} -->" in source, f"families.md: no table for {name}"
        assert f"img/family-{name}.png" in source, f"families.md: no figure for {name}"
        assert (DOCS / "img" / f"family-{name}.png").is_file(), (
            f"docs/img/family-{name}.png is not committed: run python docs/gen_figures.py"
        )
        for spec in family.params:
            assert f"<code>{spec.name}</code>" in html, f"families page: {name}.{spec.name}"


def test_gen_figures_draws_every_family(tmp_path):
    r = subprocess.run(
        [sys.executable, str(DOCS / "gen_figures.py"), "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    for name in FAMILIES:
        png = tmp_path / f"family-{name}.png"
        assert png.is_file(), f"gen_figures.py did not write {png.name}"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png.name} is not a PNG"
        assert png.stat().st_size > 5_000, f"{png.name} looks empty"
