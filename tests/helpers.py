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
