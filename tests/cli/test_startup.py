"""Start-up: each command imports only what it uses.

How fast the commands start is measured in ``benchmarks/`` (figure 5), as ratios against
``import numpy``. These tests pin the reason it is fast, which a timing cannot: which heavy
libraries a fresh process has imported when a command is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
sys.argv = ["projection", *json.loads(sys.argv[1])]
from projection.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(args: list[str], cwd: Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["code"] in (0, None), done.stderr
    return set(out["modules"])


HEAVY = ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "dask", "jinja2", "pint", "rich")


@pytest.mark.parametrize(
    "args, allowed",
    [
        (["--version"], ()),
        (["--help"], ("rich",)),  # typer prints help with rich when it is installed
        (["validate", "scenarios/baseline.yaml"], ("numpy", "pint")),
        (
            ["run", "scenarios/paper-targets.yaml", "--quiet", "-o", "{tmp}/out.csv"],
            ("numpy", "pint"),
        ),
    ],
    ids=["version", "help", "validate", "run-quiet-csv"],
)
def test_a_command_imports_only_what_it_uses(args, allowed, tmp_path):
    """``--version`` and ``--help`` import no numerical library; ``validate`` and a
    deterministic ``run`` written to CSV need numpy and pint, not pandas, scipy, matplotlib,
    dask or jinja2."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    modules = imported_by(args, ROOT)
    loaded = {name for name in HEAVY if name in modules}
    assert loaded <= set(allowed), sorted(loaded - set(allowed))
    assert "projection.cli" in modules


def test_an_ensemble_draws_without_scipy_stats(tmp_path):
    """A Latin hypercube ensemble (the default sampler) draws with projection's own LHS and
    the distributions' inverse CDFs from scipy.special: scipy.stats (about 0.6 s of CPU to
    import) is not imported, nor pandas for a CSV."""
    args = ["run", "scenarios/paper-targets.yaml", "-n", "500", "--seed", "1", "-q", "-o"]
    modules = imported_by([*args, str(tmp_path / "e.csv")], ROOT)
    assert "scipy.special" in modules
    assert "scipy.stats" not in modules and "pandas" not in modules


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "scenarios/baseline.yaml"],
        ["run", "scenarios/paper-targets.yaml", "--quiet", "-o", "{tmp}/out.csv"],
        [
            "run",
            "scenarios/baseline.yaml",
            "--samples",
            "500",
            "--seed",
            "1",
            "-q",
            "-o",
            "{tmp}/e.csv",
        ],
    ],
    ids=["validate", "run", "ensemble"],
)
def test_with_the_unit_facts_remembered_no_pint_is_imported(args, tmp_path, monkeypatch):
    """Once a command has run, the unit facts it needed are on disk
    (projection.units_cache), and the same command in a new process needs no pint."""
    monkeypatch.setenv("PROJECTION_CACHE_DIR", str(tmp_path / "cache"))
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert "pint" in imported_by(args, ROOT)  # the first time: pint answers
    assert list((tmp_path / "cache").glob("units-*.json"))
    assert "pint" not in imported_by(args, ROOT)


def test_pint_is_imported_without_its_optional_integrations():
    """pint probes for dask, scipy and babel when imported; projection hides them (it uses
    none of those integrations), and they import normally afterwards."""
    code = (
        "import sys, json\n"
        "import projection.units as u\n"
        "before = [m for m in ('dask', 'scipy', 'babel') if m in sys.modules]\n"
        "import scipy\n"
        "q = u.conversion_factor('Tbps', 'Gbps')\n"
        "print(json.dumps({'before': before, 'scipy': scipy.__name__, 'q': q}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"before": [], "scipy": "scipy", "q": 1000.0}, done.stderr
