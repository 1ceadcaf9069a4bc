"""Packaging: `python -m build` gives a wheel and an sdist that install into a clean virtual
environment and run from a directory outside the repository, shipped scenarios included.

This is the slowest test (a build and a dependency install, about a minute with a warm pip
cache); it needs the package registry that `pip install '.[test]'` itself needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import projection

ROOT = Path(__file__).resolve().parents[1]


def sh(*args, cwd, timeout=900, env=None):
    r = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )
    assert r.returncode == 0, f"{' '.join(map(str, args))}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, ROOT, cwd=ROOT)
    wheel = next(out.glob("projection-*.whl"))
    sdist = next(out.glob("projection-*.tar.gz"))
    return wheel, sdist


def test_wheel_holds_the_package_data(dists):
    import tarfile
    import zipfile

    wheel, sdist = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in (ROOT / "scenarios").rglob("*.yaml"):
        rel = shipped.relative_to(ROOT / "scenarios").as_posix()
        assert f"projection/scenarios/{rel}" in names, rel
    source = ROOT / "src" / "projection"
    for path in source.rglob("*"):  # every module, template and data file of the package
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(source.parent).as_posix()
            assert rel in names, f"{rel} is missing from the wheel (pyproject: packages)"
    assert {"projection/py.typed", "projection/data/scenario.schema.json"} <= names
    assert "projection/data/starter.yaml" in names
    assert wheel.name.startswith(f"projection-{projection.__version__}-")
    members = tarfile.open(sdist).getnames()
    assert any(m.endswith("scenarios/paper-targets.yaml") for m in members)
    assert any(m.endswith("README.md") for m in members)


def test_wheel_and_sdist_install_and_run_in_a_clean_venv(dists, tmp_path):
    wheel, sdist = dists
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    exe = env_dir / "bin" / "projection"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    work = tmp_path / "elsewhere"  # not the repository: nothing to find by relative path
    work.mkdir()
    for dist, how in ((wheel, []), (sdist, ["--force-reinstall", "--no-deps"])):
        sh(py, "-m", "pip", "install", "--quiet", *how, dist, cwd=work, env=env)
        where = sh(py, "-c", "import projection; print(projection.__file__)", cwd=work, env=env)
        assert str(env_dir) in where.stdout  # the installed copy, not the source tree
        version = sh(exe, "--version", cwd=work, env=env).stdout.strip()
        assert version == f"projection {projection.__version__}"
        listed = sh(exe, "list", "--format", "csv", cwd=work, env=env).stdout
        assert "paper-targets" in listed and str(env_dir) in listed
        run = sh(exe, "run", "paper-targets", cwd=work, env=env).stdout
        assert "T1" in run and "ev_sales_share" in run
        sh(exe, "init", "mine", "--force", cwd=work, env=env)
        sh(exe, "validate", "mine.yaml", cwd=work, env=env)
        assert '"$schema"' in sh(exe, "schema", cwd=work, env=env).stdout
        # the subpackages and templates the commands above do not touch
        sh(exe, "report", "paper-targets", "-o", "r.html", "--no-figures", cwd=work, env=env)
        assert "<html" in (work / "r.html").read_text(encoding="utf-8").lower()
        history = ROOT / "data" / "china-nev-sales-share.csv"
        args = ["-i", "ev_sales_share", "--history", history, "--params", "start,rate"]
        assert "rate" in sh(exe, "calibrate", "baseline", *args, cwd=work, env=env).stdout
