"""Helpers shared by the test modules (importable because conftest.py puts tests/ on the path).

The command line is always run through its real entry point: the installed ``projection``
script when there is one, else ``python -m projection``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def projection_command() -> list[str]:
    """The argv prefix that runs the ``projection`` command."""
    exe = shutil.which("projection")
    return [exe] if exe else [sys.executable, "-m", "projection"]


def cli(*args, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``projection ARGS`` in ``cwd``; text output captured, never raises on exit code."""
    return subprocess.run(
        projection_command() + [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def logistic_priors(
    *,
    rate: tuple[float, float] | None = (0.2, 0.8),
    ceiling: tuple[float, float] | None = (40.0, 100.0),
    start: tuple[float, float] | None = (1.0, 4.0),
    end: int = 2040,
) -> dict:
    """A scenario of one logistic share, base year 2010, point values start 2 %, ceiling
    70 %, rate 0.5/yr, each with a uniform prior over the given range (None: fixed)."""

    def param(value: float, unit: str, prior: tuple[float, float] | None) -> dict:
        p: dict = {"value": value, "unit": unit, "source": "assumption: test"}
        if prior is not None:
            p["distribution"] = {"type": "uniform", "lower": prior[0], "upper": prior[1]}
        return p

    return {
        "name": "synthetic",
        "horizon": {"start": 2010, "end": end},
        "indicators": {
            "share": {
                "model": "logistic",
                "unit": "%",
                "base_year": 2010,
                "params": {
                    "start": param(2.0, "%", start),
                    "ceiling": param(70.0, "%", ceiling),
                    "rate": param(0.5, "1/yr", rate),
                },
            }
        },
    }
