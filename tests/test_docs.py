"""Code examples in the README and docs/ are executed here.

* fenced ``python`` blocks run in order, one namespace per file, from the repository root;
* fenced ``console`` blocks: each ``$ projection ...`` line is run (in a temporary directory
  holding copies of ``scenarios/``, ``data/`` and ``tests/data/``) and must exit 0 (or the code a shown
  line ``(exit code N ...)`` states, or 2 when an ``error:`` line is shown); when the
  block shows output, every non-blank shown line must appear in the real output (whitespace
  collapsed), so the README's worked example cannot drift from what the tool prints.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import projection_command

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))  # every page of the site
EXIT = re.compile(r"^\(exit code (\d+)")
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(path: Path, lang: str) -> list[str]:
    return [body for kind, body in FENCE.findall(path.read_text(encoding="utf-8")) if kind == lang]


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("path", [p for p in DOCS if blocks(p, "python")], ids=lambda p: p.name)
def test_python_blocks_run(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace: dict = {"__name__": "__docs__"}
    for code in blocks(path, "python"):
        exec(compile(code, str(path), "exec"), namespace)  # noqa: S102 - our own docs


CONSOLE = [(p, i, b) for p in DOCS for i, b in enumerate(blocks(p, "console"))]


@pytest.mark.parametrize(
    "path, index, block", CONSOLE, ids=[f"{p.name}-{i}" for p, i, _ in CONSOLE]
)
def test_console_blocks_run_and_match(path, index, block, tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")  # outputs land in tmp_path
    shutil.copytree(ROOT / "tests" / "data", tmp_path / "tests" / "data")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
    assert commands, f"{path.name} console block {index} has no '$ ' command"
    for command, shown in commands:
        args = shlex.split(command)
        if args[0] != "projection":
            continue  # e.g. pip install: done by the test set-up itself
        cmd = projection_command() + args[1:]
        env = {**os.environ, "COLUMNS": "160"}  # the width the README's output was made at
        r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        codes = [int(m.group(1)) for s in shown if (m := EXIT.match(s))]
        expected = codes[0] if codes else (2 if any(s.startswith("error:") for s in shown) else 0)
        assert r.returncode == expected, f"{command}: exit {r.returncode}: {r.stderr}"
        real = _squash(r.stdout + r.stderr)
        for s in shown:
            if s.strip() and not s.strip().startswith("#") and not EXIT.match(s):
                assert _squash(s) in real, f"{path.name}: `{command}` no longer prints: {s!r}"


DOTTED = re.compile(r"\bprojection(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _resolves(name: str) -> bool:
    """``projection.a.b.c`` names a module, or an attribute (a declared one included) reached
    from a prefix that is a module."""
    import importlib

    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for i, part in enumerate(parts[cut:], start=cut + 1):
            if hasattr(obj, part):
                obj = getattr(obj, part)
            elif part in getattr(obj, "__annotations__", {}) and i == len(parts):
                return True  # a declared attribute of a class
            else:
                break  # try a shorter module prefix (``models.logistic`` is also an object)
        else:
            return True
    return False


def test_every_dotted_name_in_the_docs_and_docstrings_exists():
    """``projection.engine.sampling.BLOCK`` in a page or a docstring names something that is
    there: pages do not drift when modules move."""
    texts = DOCS + sorted((ROOT / "src" / "projection").rglob("*.py"))
    names = {m for p in texts for m in DOTTED.findall(p.read_text(encoding="utf-8"))}
    names = {n.rstrip(".") for n in names if not n.startswith("projection.scenarios")}
    assert len(names) > 50
    missing = sorted(n for n in names if not _resolves(n))
    assert not missing, missing
