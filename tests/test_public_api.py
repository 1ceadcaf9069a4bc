"""The public API is what `projection.__all__` says, and it works from a plain `python -c`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import projection

ROOT = Path(__file__).resolve().parents[1]


def test_public_names_are_pinned():
    assert sorted(projection.__all__) == sorted(
        [
            "__version__",
            "load_scenario",
            "compile_scenario",
            "run",
            "evaluate_targets",
            "solve",
            "sensitivity",
            "screening",
            "explore",
            "discover",
            "calibrate",
            "posterior",
            "backtest",
            "check_constraints",
            "compare",
            "diff",
            "report",
            "write_report",
            "Scenario",
            "CompiledScenario",
            "Result",
            "Projection",
            "Ensemble",
            "Solution",
            "Calibration",
            "Posterior",
            "Backtest",
            "MorrisResult",
            "Exploration",
            "Discovery",
            "FAMILIES",
            "get_family",
            "ProjectionError",
            "ScenarioError",
            "UnitError",
            "ExpressionError",
            "ParameterError",
        ]
    )
    for name in projection.__all__:
        assert hasattr(projection, name), name


def test_exception_hierarchy():
    assert issubclass(projection.ScenarioError, projection.ProjectionError)
    assert issubclass(projection.UnitError, projection.ScenarioError)
    assert issubclass(projection.ExpressionError, projection.ScenarioError)
    assert issubclass(projection.ParameterError, ValueError)
    assert issubclass(projection.ScenarioError, ValueError)


def test_families_registry():
    assert set(projection.FAMILIES) == {
        "linear",
        "exponential",
        "logistic",
        "gompertz",
        "bass",
        "staged",
    }


def test_library_api_from_plain_python_c():
    code = (
        "import projection;"
        "s = projection.load_scenario('scenarios/baseline.yaml');"
        "s2 = s.with_overrides({'indicators.ev_sales_share.params.rate': 0.5}, name='faster');"
        "f = projection.run(s2).to_frame();"
        "print(list(f.columns), len(f), f.scenario.iloc[0])"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert "['scenario', 'indicator', 'year', 'value', 'unit']" in r.stdout
    assert r.stdout.split()[-1] == "faster"
