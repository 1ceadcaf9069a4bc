"""projection: scenario projections of policy targets.

Growth models (logistic, Gompertz, Bass, exponential, linear, staged capacity, derived
indicators) project the indicators a policy target is set on, under scenario files a person
writes and reads; every number in a scenario carries its source.

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

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("projection")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+unknown"

from .calibrate import Calibration, calibrate
from .compare import compare, diff
from .constraints import check_constraints
from .engine import run
from .exceptions import (
    ExpressionError,
    ParameterError,
    ProjectionError,
    ScenarioError,
    UnitError,
)
from .models import FAMILIES, get_family
from .report import report, write_report
from .result import Projection
from .scenario import Scenario, load_scenario
from .solve import Solution, solve
from .targets import evaluate_targets

__all__ = [
    "__version__",
    "load_scenario",
    "run",
    "evaluate_targets",
    "solve",
    "calibrate",
    "check_constraints",
    "compare",
    "diff",
    "report",
    "write_report",
    "Scenario",
    "Projection",
    "Solution",
    "Calibration",
    "FAMILIES",
    "get_family",
    "ProjectionError",
    "ScenarioError",
    "UnitError",
    "ExpressionError",
    "ParameterError",
]
