"""projection: scenario projections of policy targets.

Growth models (logistic, Gompertz, Bass, exponential, linear, staged capacity, derived
indicators) project the indicators a policy target is set on, under scenario files a person
writes and reads; every number in a scenario carries its source.

The public names below are imported when first used, so that ``import projection`` (and the
``projection`` command) starts fast: pandas, scipy and matplotlib load only for the work that
needs them.

Examples
--------
>>> import projection
>>> s = projection.load_scenario({
...     "name": "demo",
...     "horizon": {"start": 2025, "end": 2030},
...     "indicators": {"ev_sales_share": {"unit": "%", "model": "logistic", "params": {
...         "start": {"value": 2, "source": "assumption: example"},
...         "ceiling": {"value": 60, "source": "assumption: example"},
...         "rate": {"value": 0.7, "unit": "1/yr", "source": "assumption: example"}}}},
... })
>>> p = projection.run(s)
>>> round(p.value("ev_sales_share", 2030), 1)
32.0
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .exceptions import (
    ExpressionError,
    ParameterError,
    ProjectionError,
    ScenarioError,
    UnitError,
)

if TYPE_CHECKING:  # for type checkers and documentation tools; at run time see __getattr__
    __version__: str
    """The installed version (from the package metadata; one place: pyproject.toml)."""

    from .analysis.backtest import Backtest, backtest
    from .analysis.calibrate import Calibration, Posterior, calibrate, posterior
    from .analysis.compare import compare, diff
    from .analysis.discovery import Discovery, discover
    from .analysis.exploration import Exploration
    from .analysis.levers import explore
    from .analysis.screening import MorrisResult, screening
    from .analysis.sensitivity import sensitivity
    from .analysis.solve import Solution, solve
    from .engine import (
        CompiledScenario,
        Ensemble,
        Projection,
        Result,
        check_constraints,
        compile_scenario,
        evaluate_targets,
        run,
    )
    from .models import FAMILIES, get_family
    from .render.report import report, write_report
    from .scenario import Scenario, load_scenario

__all__ = [
    "__version__",
    "load_scenario",
    "compile_scenario",
    "run",
    "evaluate_targets",
    "check_constraints",
    "solve",
    "sensitivity",
    "screening",
    "explore",
    "discover",
    "calibrate",
    "posterior",
    "backtest",
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

#: Where each public name lives (imported on first use).
_HOMES = {
    "load_scenario": "projection.scenario",
    "Scenario": "projection.scenario",
    "compile_scenario": "projection.engine",
    "CompiledScenario": "projection.engine",
    "run": "projection.engine",
    "evaluate_targets": "projection.engine",
    "check_constraints": "projection.engine",
    "Result": "projection.engine",
    "Projection": "projection.engine",
    "Ensemble": "projection.engine",
    "solve": "projection.analysis.solve",
    "Solution": "projection.analysis.solve",
    "sensitivity": "projection.analysis.sensitivity",
    "screening": "projection.analysis.screening",
    "MorrisResult": "projection.analysis.screening",
    "explore": "projection.analysis.levers",
    "Exploration": "projection.analysis.exploration",
    "discover": "projection.analysis.discovery",
    "Discovery": "projection.analysis.discovery",
    "calibrate": "projection.analysis.calibrate",
    "Calibration": "projection.analysis.calibrate",
    "posterior": "projection.analysis.calibrate",
    "Posterior": "projection.analysis.calibrate",
    "backtest": "projection.analysis.backtest",
    "Backtest": "projection.analysis.backtest",
    "compare": "projection.analysis.compare",
    "diff": "projection.analysis.compare",
    "report": "projection.render.report",
    "write_report": "projection.render.report",
    "FAMILIES": "projection.models",
    "get_family": "projection.models",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'projection' has no attribute {name!r}")
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _version() -> str:
    """The installed distribution's version (one place: pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("projection")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+unknown"
