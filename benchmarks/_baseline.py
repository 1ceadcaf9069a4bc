"""Figure 7: before and after the redesign, measured side by side in the same run.

The package as it was before the redesign (commit :data:`BEFORE`, the last one before it) is
taken out of git into a temporary folder, this checkout's ``src`` is copied beside it, and both
are byte-compiled. Every measurement runs in a fresh Python process whose ``PYTHONPATH`` points
at one of the two; they alternate round by round, so both see the same machine load. Both run
the scenario files as they were at :data:`BEFORE`, taken out of git beside its ``src`` (the
earlier code cannot read sections added since, such as paper-targets' ``levers``).

What is compared (the redesign issue's "done when"):

* ``solve`` on paper-targets (and one baseline problem): CPU time of one call, after a first
  call in the same process has paid for the imports. Goal: at least 10 times faster.
* Ensembles of 10^6 members (paper-targets, baseline; one worker, seed 1): CPU time of
  ``run(..., samples=10**6)``. Goal: no slower.
* Start-up: CPU time of ``python -m projection ...`` (``--version``, ``--help``, ``validate``,
  a deterministic ``run``) as ratios against ``python -c "import numpy"`` in the same rounds.

Without git, or outside a clone that has :data:`BEFORE`, the figure is skipped with a note.
"""

from __future__ import annotations

import compileall
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "4ef2a7d3ce3c7f0182521651e554a34fa880fb71"

SOLVE_PROBLEMS = [
    ("scenarios/paper-targets.yaml", "T1", "indicators.ev_sales_share.params.rate"),
    ("scenarios/paper-targets.yaml", "T1", "indicators.ev_sales_share.params.start"),
    ("scenarios/baseline.yaml", "T2b", "indicators.ofc_traffic.params.start"),
]
ENSEMBLES = ["scenarios/paper-targets.yaml", "scenarios/baseline.yaml"]

_SOLVE_CHILD = """
import json, sys, time
import projection
path, target, param, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
first = projection.solve(path, target=target, param=param).value  # pays for the imports
times = []
for _ in range(repeat):
    t0 = time.process_time()
    value = projection.solve(path, target=target, param=param).value
    times.append(time.process_time() - t0)
print(json.dumps({"times": times, "value": value, "file": projection.__file__}))
"""

_ENSEMBLE_CHILD = """
import json, sys, time
import projection
path, n = sys.argv[1], int(sys.argv[2])
projection.run(path, samples=1000, seed=1)  # pays for the imports
t0, w0 = time.process_time(), time.perf_counter()
result = projection.run(path, samples=n, seed=1, workers=1)
cpu, wall = time.process_time() - t0, time.perf_counter() - w0
print(json.dumps({"cpu": cpu, "wall": wall, "file": projection.__file__}))
"""


def checkout(commit: str = BEFORE) -> Path | None:
    """Extract ``src/`` and ``scenarios/`` of ``commit`` into a temporary folder and return
    its ``src``; None without git or the commit."""
    if shutil.which("git") is None:
        return None
    done = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "scenarios"],
        capture_output=True,
    )
    if done.returncode != 0:
        return None
    where = Path(tempfile.mkdtemp(prefix="projection-before-"))
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tar:
        tar.extractall(where, filter="data")
    return where / "src"


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(src)
    env.pop("PYTHONSTARTUP", None)
    return env


def _child(src: Path, cwd: Path, code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=_env(src), capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"child process failed ({src}): {done.stderr.strip()[-500:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    if not Path(out["file"]).resolve().is_relative_to(src.resolve()):  # the right copy ran
        raise RuntimeError(f"expected projection from {src}, got {out['file']}")
    return out


def _cpu(cmd: list[str], src: Path, cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=cwd, env=_env(src), capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({src}): {done.stderr.strip()[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _spread(xs: list[float]) -> dict[str, float]:
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}


def bench_solve(
    before: Path, after: Path, rounds: int, repeat: int, cwd: Path
) -> list[dict[str, Any]]:
    rows = []
    for path, target, param in SOLVE_PROBLEMS:
        times: dict[str, list[float]] = {"before": [], "after": []}
        values: dict[str, Any] = {}
        for _ in range(rounds):
            for label, src in (("before", before), ("after", after)):
                out = _child(src, cwd, _SOLVE_CHILD, path, target, param, str(repeat))
                times[label].extend(out["times"])
                values[label] = out["value"]
        ratios = [b / a for b, a in zip(times["before"], times["after"])]
        rows.append(
            {
                "problem": f"{Path(path).stem} {target} {param.split('.')[-1]}",
                "before_s": _spread(times["before"]),
                "after_s": _spread(times["after"]),
                "speedup_of_minima": min(times["before"]) / min(times["after"]),
                "speedup_per_round": _spread(ratios),
                "same_value": values["before"] is not None
                and values["after"] is not None
                and abs(values["before"] - values["after"]) <= 1e-9 * abs(values["before"]),
            }
        )
    return rows


def bench_ensembles(
    before: Path, after: Path, rounds: int, n: int, cwd: Path
) -> list[dict[str, Any]]:
    rows = []
    for path in ENSEMBLES:
        cpu: dict[str, list[float]] = {"before": [], "after": []}
        wall: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(rounds):
            for label, src in (("before", before), ("after", after)):
                out = _child(src, cwd, _ENSEMBLE_CHILD, path, str(n))
                cpu[label].append(out["cpu"])
                wall[label].append(out["wall"])
        ratios = [a / b for a, b in zip(cpu["after"], cpu["before"])]
        rows.append(
            {
                "scenario": Path(path).stem,
                "members": n,
                "before_cpu_s": _spread(cpu["before"]),
                "after_cpu_s": _spread(cpu["after"]),
                "before_wall_s": _spread(wall["before"]),
                "after_wall_s": _spread(wall["after"]),
                "after_over_before_of_minima": min(cpu["after"]) / min(cpu["before"]),
                "after_over_before_per_round": _spread(ratios),
            }
        )
    return rows


def bench_startup(before: Path, after: Path, rounds: int, cwd: Path) -> list[dict[str, Any]]:
    out = Path(tempfile.mkdtemp()) / "out.csv"
    py = [sys.executable, "-m", "projection"]
    commands = {
        "--version": [*py, "--version"],
        "--help": [*py, "--help"],
        "validate baseline": [*py, "validate", "scenarios/baseline.yaml"],
        "run paper-targets -q -o out.csv": [
            *py,
            "run",
            "scenarios/paper-targets.yaml",
            "--quiet",
            "-o",
            str(out),
        ],
    }
    numpy = [sys.executable, "-c", "import numpy"]
    for src in (before, after):  # warm the disk cache (and any cache either version keeps)
        for cmd in (numpy, *commands.values()):
            _cpu(cmd, src, cwd)
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for label, src in (("before", before), ("after", after)):
            times.setdefault(("import numpy", label), []).append(_cpu(numpy, src, cwd))
            for name, cmd in commands.items():
                times.setdefault((name, label), []).append(_cpu(cmd, src, cwd))
    rows = []
    for name in commands:
        row: dict[str, Any] = {"command": f"projection {name}"}
        for label in ("before", "after"):
            ts, base = times[name, label], times["import numpy", label]
            row[f"{label}_cpu_s"] = _spread(ts)
            row[f"{label}_ratio"] = min(ts) / min(base)
            row[f"{label}_ratio_median"] = statistics.median(ts) / statistics.median(base)
        rows.append(row)
    return rows


def bench_before_after(rounds: int, *, members: int = 10**6, repeat: int = 3) -> dict[str, Any]:
    """All three comparisons; ``{"skipped": reason}`` when the earlier code is not available."""
    before = checkout()
    if before is None:
        return {"skipped": f"git or commit {BEFORE[:7]} not available"}
    # this checkout's src, copied beside it, so that both are byte-compiled alike: a process
    # that finds no .pyc compiles the modules it imports from source (PYTHONDONTWRITEBYTECODE,
    # or a tree never imported before), and that would be timed as start-up for one side only
    after = Path(tempfile.mkdtemp(prefix="projection-after-")) / "src"
    shutil.copytree(ROOT / "src", after, ignore=shutil.ignore_patterns("__pycache__"))
    for tree in (before, after):
        compileall.compile_dir(tree, quiet=1)
    try:
        return {
            "before_commit": BEFORE,
            "rounds": rounds,
            "solve": bench_solve(before, after, rounds, repeat, before.parent),
            "ensembles": bench_ensembles(before, after, rounds, members, before.parent),
            "startup": bench_startup(before, after, max(rounds, 5), before.parent),
        }
    finally:
        shutil.rmtree(before.parent, ignore_errors=True)
        shutil.rmtree(after.parent, ignore_errors=True)


def describe(data: dict[str, Any], table, secs) -> tuple[str, list[str]]:
    """The printed tables and the summary lines for figure 7 (``table``, ``secs`` from run.py)."""
    if "skipped" in data:
        return f"skipped: {data['skipped']}", [
            f"7. before/after the redesign: skipped ({data['skipped']})"
        ]

    def spread(d: dict[str, float]) -> str:
        return f"{secs(d['min'])} / {secs(d['median'])} / {secs(d['max'])}"

    solve = table(
        [
            "solve problem",
            "before min/med/max",
            "after min/med/max",
            "speed-up",
            "per round",
            "same value",
        ],
        [
            [
                r["problem"],
                spread(r["before_s"]),
                spread(r["after_s"]),
                f"{r['speedup_of_minima']:.0f}x",
                "{min:.0f}x / {median:.0f}x / {max:.0f}x".format(**r["speedup_per_round"]),
                "yes" if r["same_value"] else "NO",
            ]
            for r in data["solve"]
        ],
    )
    ensembles = table(
        [
            "ensemble",
            "before CPU min/med/max",
            "after CPU min/med/max",
            "after/before",
            "per round",
        ],
        [
            [
                f"{r['scenario']} N={r['members']:.0e}",
                spread(r["before_cpu_s"]),
                spread(r["after_cpu_s"]),
                f"{r['after_over_before_of_minima']:.2f}",
                "{min:.2f} / {median:.2f} / {max:.2f}".format(**r["after_over_before_per_round"]),
            ]
            for r in data["ensembles"]
        ],
    )
    startup = table(
        ["command (/ import numpy)", "before", "after", "before (median)", "after (median)"],
        [
            [
                r["command"],
                f"{r['before_ratio']:.2f}",
                f"{r['after_ratio']:.2f}",
                f"{r['before_ratio_median']:.2f}",
                f"{r['after_ratio_median']:.2f}",
            ]
            for r in data["startup"]
        ],
    )
    paper = [r for r in data["solve"] if r["problem"].startswith("paper-targets")]
    solve_met = all(r["speedup_of_minima"] >= 10 and r["same_value"] for r in paper)
    ens_met = all(r["after_over_before_of_minima"] <= 1.0 for r in data["ensembles"])
    summary = [
        "7. solve after/before the redesign: "
        + ", ".join(f"{r['problem']} {r['speedup_of_minima']:.0f}x faster" for r in data["solve"])
        + f"   goal >= 10x on paper-targets: {'met' if solve_met else 'NOT met'}",
        "7. ensembles after/before (CPU): "
        + ", ".join(
            f"{r['scenario']} {r['after_over_before_of_minima']:.2f}" for r in data["ensembles"]
        )
        + f"   goal no slower (<= 1): {'met' if ens_met else 'NOT met'}",
        "7. start-up / import numpy, before -> after: "
        + ", ".join(
            f"{r['command'].removeprefix('projection ')} {r['before_ratio']:.1f} -> "
            f"{r['after_ratio']:.2f}"
            for r in data["startup"]
        ),
    ]
    return "\n\n".join([solve, ensembles, startup]), summary
