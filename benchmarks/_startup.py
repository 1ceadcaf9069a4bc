"""Figure 5: start-up, as ratios against ``python -c "import numpy"`` measured in the same run.

Each command runs in a fresh process; what is timed is the CPU time of that process (user +
system, from ``getrusage(RUSAGE_CHILDREN)``), which a busy machine disturbs less than the wall
clock. Commands run in turn (numpy, --version, --help, validate, run, numpy, ...), several
rounds, and each ratio is of the minimum over rounds (the median ratio is reported too).

Goals (the redesign issue): ``--version`` and ``--help`` at most 1.5 times ``import numpy``;
``validate scenarios/baseline.yaml`` at most 4 times; a deterministic
``run paper-targets --quiet -o out.csv`` at most 8 times.
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

GOALS = {"--version": 1.5, "--help": 1.5, "validate": 4.0, "run": 8.0}


def projection_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m projection``."""
    script = Path(sys.executable).with_name("projection")
    if script.is_file():
        return [str(script)]
    found = shutil.which("projection")
    return [found] if found else [sys.executable, "-m", "projection"]


def _cpu(cmd: list[str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_startup(rounds: int) -> dict[str, Any]:
    projection = projection_command()
    out = Path(tempfile.mkdtemp()) / "out.csv"
    commands = {
        "import numpy": [sys.executable, "-c", "import numpy"],
        "--version": [*projection, "--version"],
        "--help": [*projection, "--help"],
        "validate": [*projection, "validate", str(ROOT / "scenarios" / "baseline.yaml")],
        "run": [*projection, "run", "paper-targets", "--quiet", "-o", str(out)],
    }
    for cmd in commands.values():  # warm the disk cache and pint's registry cache
        _cpu(cmd, ROOT)
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(_cpu(cmd, ROOT))
    base = times["import numpy"]
    rows = []
    for name, ts in times.items():
        row = {
            "command": name if name == "import numpy" else f"projection {name}",
            "cpu_s_min": min(ts),
            "cpu_s_median": statistics.median(ts),
            "cpu_s_max": max(ts),
        }
        if name in GOALS:
            row["ratio_min"] = min(ts) / min(base)
            row["ratio_median"] = statistics.median(ts) / statistics.median(base)
            row["goal"] = GOALS[name]
            row["met"] = row["ratio_min"] <= GOALS[name]
        rows.append(row)
    return {"rounds": rounds, "rows": rows, "command": " ".join(projection)}
