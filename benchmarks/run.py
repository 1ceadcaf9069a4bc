"""Benchmarks: ratios measured side by side in one run.

The machines are shared and noisy, so absolute times drift; what this reports first are ratios
of timings taken in the same process, interleaved (A, B, A, B, ...), best of several repeats.

    python benchmarks/run.py [--quick]

Figures
-------
1. ``models.json``: one logistic indicator over 27 years against a hand-written vectorised
   numpy kernel of the same formula, at N = 1e4, 1e5, 1e6 (quick: 1e4, 1e5), twice:
   the family call ``projection.models.logistic.evaluate`` against the bare kernel, and the
   whole ``projection.run(mapping, samples=N, seed=1)`` (Latin hypercube draws, kernel,
   quantile bands, means, target probability) against numpy doing the same work.
   Goal: projection/numpy <= 1.5 at 1e6.
2. ``ema.json``: the same model through EMA Workbench's ``perform_experiments`` with the
   ``SequentialEvaluator`` against projection on 1e5 and 1e6 members: throughput and ratio
   (wall time). Goal: >= 1000x. Then paper-targets (:mod:`_ema_paper`: EMA's model function
   is :mod:`_paper_numpy`'s hand-written model on one experiment, checked against
   projection's counts), CPU time, interleaved, min/median/max: (a) experiments per
   CPU-second, EMA at 1e4 (quick: 1e3) against ``projection.run(paper-targets, samples=1e6
   (quick: 1e5), seed=1, workers=1)``, goal >= 100x; (b) equal N = 1e5 (quick: 1e4), goal
   >= 50x; (c) a whole answer (ensemble and Sobol' indices with intervals for the five
   targets), EMA + SALib against ``projection.run`` + ``projection.sensitivity``, 1024 base
   samples (quick: 256), goal >= 30x. Skipped, saying so, when ``ema_workbench`` (or SALib)
   is not importable: EMA Workbench 3 needs Python >= 3.12.
3. ``memory.json``: peak resident set size of 10^7 members x 27 years x 4 indicators with
   quantile bands and target probabilities (quick: 10^6), each in a fresh process, beside the
   resident set size of a process that only imports projection. Also: local workers, and how
   ``chunk_size`` trades memory for time. Goal: < 1 GiB. A run is not started when its
   predicted peak exceeds a guard (half the available memory, at most 8 GiB) and is killed if
   it crosses it.
4. ``scaling.json``: time against N (1e4 ... 1e7; quick: up to 1e6) and against the number of
   indicators (1, 2, 4, 8) at fixed N; time per member and a near-linearity check
   (reported, not asserted); time against the number of local workers.
5. ``startup.json``: CPU time of ``projection --version``, ``--help``, ``validate`` and a
   deterministic ``run ... --quiet -o out.csv``, each in a fresh process, as ratios against
   ``python -c "import numpy"`` in the same rounds (:mod:`_startup`). Goals: 1.5, 1.5, 4, 8.
6. ``solve.json``: where solve's speed-up comes from: ``projection.solve`` on the compiled
   scenario against the same algorithm re-loading and re-validating the scenario at every
   evaluation (:mod:`_solve`) with today's loader, same problems, same value found.
7. ``before-after.json``: the code before the redesign (taken out of git) against this
   checkout, in fresh processes, alternating (:mod:`_baseline`): solve (goal: at least 10
   times faster on paper-targets), ensembles of 10^6 members (goal: no slower) and the
   start-up ratios before and after. Skipped, saying so, without git.
8. ``paper.json``: ``projection.run("scenarios/paper-targets.yaml", samples=N, seed=1,
   workers=1)`` against the scenario written out by hand in numpy and scipy (:mod:`_paper_numpy`:
   the same draws, members, bands, means, target and constraint counts), N = 1e6 (quick: 1e5),
   CPU time of this process, contenders interleaved, min/median/max over rounds; members are
   asserted equal to 1e-12 first, and every output after the timing. Also a cProfile breakdown
   of one run by stage. Goal: projection/numpy <= 1.0 at 1e6.
9. ``posterior.json``: ``projection.posterior`` (issue 14: prior draws weighted by a history's
   likelihood, plain and adaptive importance sampling) on paper-targets' EV sales share
   against ``projection.run(paper-targets, samples=N, workers=1)``, N = 1e6 (quick: 1e5), CPU
   time, interleaved (:mod:`_posterior`): members per second of each.
10. ``levers.json``: levers x uncertainties (issue 15, :mod:`_levers`): ``projection.explore
   (paper-targets, samples=N)`` (9 lever settings over the same N members) against the plain
   ensemble, member-settings against members per CPU-second, N = 1e6 (quick: 1e5); then EMA
   ``perform_experiments`` with the 9 settings as policies plus EMA's PRIM against
   ``projection.explore`` + ``projection.discover`` at the same experiment count (10,000
   scenarios x 9; quick: 1,000 x 9), skipped, saying so, without ``ema_workbench``.
11. ``pysd.json``: the EV fleet as a Vensim model run by PySD once per member (step 1/16
   year) against one projection ensemble of its closed form, 10^4 runs (quick: 10^3), CPU
   time (:mod:`_pysd`), and PySD's error against the closed form by step; skipped without
   ``pysd``.

Results are written to ``benchmarks/results/*.json`` (``*-quick.json`` with ``--quick``) with
the machine they were measured on.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import inspect
import io
import json
import logging
import math
import os
import platform
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from _baseline import bench_before_after, describe  # noqa: E402
from _levers import bench_ema_levers, bench_levers  # noqa: E402
from _paper_numpy import SCENARIO as PAPER_SCENARIO  # noqa: E402
from _paper_numpy import bench_paper, profile_run  # noqa: E402
from _paper_numpy import check_same_numbers as check_paper_numbers  # noqa: E402
from _posterior import bench_posterior  # noqa: E402
from _pysd import bench_pysd  # noqa: E402
from _solve import bench_solve  # noqa: E402
from _startup import bench_startup  # noqa: E402
from _workloads import (  # noqa: E402
    LOGISTIC_RANGES,
    QUANTILES,
    START,
    TARGET_REQUIRED,
    TARGET_YEAR,
    YEARS,
    logistic_mapping,
    numpy_ensemble,
    numpy_logistic,
    numpy_logistic_inplace,
    numpy_summary,
    probability,
    synthetic_mapping,
)
from scipy.special import expit, logit  # noqa: E402

import projection  # noqa: E402
from projection.models import logistic  # noqa: E402

RESULTS = HERE / "results"
#: The figures, in the order they run (``--only`` picks some).
FIGURES = [
    "models",
    "ema",
    "memory",
    "scaling",
    "startup",
    "solve",
    "before-after",
    "paper",
    "posterior",
    "levers",
    "pysd",
]
CHILD = HERE / "_memory_child.py"
GiB = 2**30
MiB = 2**20

#: Runs ``argv[1:]`` as its only child and prints that child's peak RSS as the kernel counts it.
LAUNCHER = """\
import json, resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": r.returncode, "maxrss": u.ru_maxrss, "wall_s": time.perf_counter() - t,
                  "stdout": r.stdout, "stderr": r.stderr[-4000:]}))
"""


def say(text: str = "") -> None:
    print(text, flush=True)


# --- machine and engine -------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _meminfo(key: str) -> int | None:
    """A field of /proc/meminfo in bytes (Linux), else None."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _version(module: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return None


def _git() -> dict[str, Any]:
    try:
        root = HERE.parent
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return {"commit": head or None, "src_modified": bool(dirty)}
    except OSError:
        return {"commit": None}


def machine_info() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "processor": _cpu_model(),
        "machine": platform.machine(),
        "system": platform.platform(),
        "memory_total_bytes": _meminfo("MemTotal"),
        "memory_available_bytes": _meminfo("MemAvailable"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "projection": _version("projection"),
        "ema_workbench": _version("ema_workbench"),
        "SALib": _version("SALib"),
        "dask": _version("dask"),
        "git": _git(),
        "load_average_at_start": _loadavg(),
    }


def _loadavg() -> list[float] | None:
    """1, 5 and 15 minute load averages: how busy the (shared) machine was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def engine_info() -> dict[str, Any]:
    """What the installed engine offers (it is being rewritten; the benchmark adapts)."""
    from projection.engine import ensemble, sampling

    accepted = inspect.signature(projection.run).parameters
    return {
        "workers": "workers" in accepted,
        "client": "client" in accepted,
        "streaming": hasattr(sampling, "BLOCK"),
        "block": getattr(sampling, "BLOCK", None),
        "default_chunk": getattr(ensemble, "DEFAULT_CHUNK", None),
        "quantile_subsample": getattr(ensemble, "KEEP", None),
    }


# --- timing -------------------------------------------------------------------------------------


def interleaved(
    fns: dict[str, Callable[[], Any]], repeats: int, *, budget_s: float | None = None
) -> dict[str, float]:
    """Best time of each function, calling them in turn (A, B, A, B, ...) so that drift in the
    machine's load hits all alike. Stops early (after at least two rounds) past ``budget_s``."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    begun = time.perf_counter()
    for r in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
        if budget_s is not None and r >= 1 and time.perf_counter() - begun > budget_s:
            break
    return {k: min(v) for k, v in times.items()}


def run_kwargs(**extra: Any) -> dict[str, Any]:
    """Keywords for projection.run, dropping those the installed engine does not accept."""
    accepted = inspect.signature(projection.run).parameters
    return {k: v for k, v in extra.items() if k in accepted}


# --- formatting ---------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            )
        )
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join("  " + line for line in lines)


def n_label(n: int) -> str:
    e = math.log10(n)
    return f"1e{int(e)}" if e == int(e) else f"{n:,}"


def secs(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.0f} us"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def per_member(s: float, n: int) -> str:
    return f"{s / n * 1e9:.0f} ns"


def mib(b: float | None) -> str:
    return "-" if b is None else f"{b / MiB:,.0f} MiB"


# --- 1. projection against numpy ----------------------------------------------------------------


def bench_family(sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        lo = {k: v[0] for k, v in LOGISTIC_RANGES.items()}
        hi = {k: v[1] for k, v in LOGISTIC_RANGES.items()}
        start, ceiling, rate = (rng.uniform(lo[k], hi[k], n) for k in ("start", "ceiling", "rate"))

        def ours(start=start, ceiling=ceiling, rate=rate):
            return logistic.evaluate(
                YEARS, base_year=START, start=start, ceiling=ceiling, rate=rate
            )

        def bare(start=start, ceiling=ceiling, rate=rate):
            return numpy_logistic(YEARS, START, start, ceiling, rate)

        def inplace(start=start, ceiling=ceiling, rate=rate):
            return numpy_logistic_inplace(YEARS, START, start, ceiling, rate)

        np.testing.assert_allclose(ours(), bare(), rtol=1e-12)
        np.testing.assert_allclose(inplace(), bare(), rtol=1e-12)
        best = interleaved({"numpy": bare, "numpy_inplace": inplace, "projection": ours}, repeats)
        rows.append(
            {
                "n": n,
                "years": len(YEARS),
                "projection_s": best["projection"],
                "numpy_s": best["numpy"],
                "ratio": best["projection"] / best["numpy"],
                "numpy_inplace_s": best["numpy_inplace"],
                "ratio_inplace": best["projection"] / best["numpy_inplace"],
            }
        )
        say(
            f"  family call  N={n_label(n):>5}  projection/numpy = {rows[-1]['ratio']:.2f}"
            f"  (against numpy written in place: {rows[-1]['ratio_inplace']:.2f})"
        )
    return rows


def check_same_numbers(n: int = 10_000) -> dict[str, Any]:
    """On projection's own draws, the numpy reference gives projection's bands, mean and
    probability (so the two timed computations are the same computation)."""
    e = projection.run(logistic_mapping(), samples=n, seed=1, keep_samples=True)
    if not e.draws:
        return {"checked": False, "why": "the ensemble does not expose its draws"}
    d = {k.rsplit(".", 1)[-1]: v for k, v in e.draws.items()}
    members = numpy_logistic(YEARS, START, d["start"], d["ceiling"], d["rate"])
    ref = numpy_summary(members, tuple(e.quantiles))
    out = {
        "checked": True,
        "n": n,
        "bands_max_rel_diff": float(
            np.max(np.abs(ref["bands"] - e.bands["share"]) / np.abs(ref["bands"]))
        ),
        "mean_max_rel_diff": float(
            np.max(np.abs(ref["mean"] - e.mean["share"]) / np.abs(ref["mean"]))
        ),
        "p_met_numpy": ref["p_met"],
        "p_met_projection": probability(e, "T1"),
    }
    return out


def bench_ensemble(sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    mapping = logistic_mapping()
    rows = []
    for n in sizes:
        e = projection.run(mapping, samples=n, seed=1)
        stride = int(getattr(e, "stride", 1))
        fns: dict[str, Callable[[], Any]] = {
            "numpy": lambda n=n: numpy_ensemble(n, seed=1),
            "projection": lambda n=n: projection.run(mapping, samples=n, seed=1),
        }
        if stride > 1:  # projection reads quantiles from a subsample: numpy doing the same
            fns["numpy_subsample"] = lambda n=n, s=stride: numpy_ensemble(n, seed=1, stride=s)
        best = interleaved(fns, repeats, budget_s=60)
        ref = numpy_ensemble(n, seed=1)
        row = {
            "n": n,
            "years": len(YEARS),
            "projection_s": best["projection"],
            "numpy_s": best["numpy"],
            "ratio": best["projection"] / best["numpy"],
            "quantile_stride": stride,
            "p_met_projection": probability(e, "T1"),
            "p_met_numpy": ref["p_met"],
        }
        if stride > 1:
            row["numpy_subsample_s"] = best["numpy_subsample"]
            row["ratio_same_subsample"] = best["projection"] / best["numpy_subsample"]
        rows.append(row)
        extra = (
            f"  (numpy with the same 1-in-{stride} quantile subsample: {row['ratio_same_subsample']:.2f})"
            if stride > 1
            else ""
        )
        say(f"  run(samples) N={n_label(n):>5}  projection/numpy = {row['ratio']:.2f}{extra}")
    return rows


# --- 2. EMA Workbench ---------------------------------------------------------------------------

_D = (YEARS - START).astype(float)

#: How to measure figure 2 where EMA Workbench is not installed.
EMA_HOWTO = (
    "EMA Workbench 3 needs Python >= 3.12: in a Python 3.12 venv with "
    "`pip install -e . ema-workbench SALib` (here /work/venv-ema) run "
    "`/work/venv-ema/bin/python benchmarks/run.py --only ema`"
)


def ema_logistic(start: float = 3.0, ceiling: float = 60.0, rate: float = 0.5) -> dict[str, Any]:
    """The model as EMA Workbench calls it: one parameter set, one trajectory (27 years)."""
    return {"share": ceiling * expit(rate * _D + logit(start / ceiling))}


def bench_ema(n_ema: int, sizes: list[int], repeats: int) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():  # "ipyparallel not installed", and the like
            warnings.simplefilter("ignore")
            from ema_workbench import (
                Model,
                RealParameter,
                SequentialEvaluator,
                TimeSeriesOutcome,
                perform_experiments,
            )
    except ImportError as err:
        msg = f"skipped: ema_workbench is not importable ({err}); {EMA_HOWTO}"
        say(f"  {msg}")
        return {"skipped": msg}
    for name in ("EMA", "ema_workbench"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)

    model = Model("logistic", function=ema_logistic)
    model.uncertainties = [RealParameter(k, lo, hi) for k, (lo, hi) in LOGISTIC_RANGES.items()]
    model.outcomes = [TimeSeriesOutcome("share")]
    col = int(np.searchsorted(YEARS, TARGET_YEAR))
    seen: dict[str, Any] = {}

    def ema():
        # log_progress: progress goes to the (silenced) logger instead of a tqdm bar
        with (
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
            SequentialEvaluator(model) as evaluator,
        ):
            warnings.simplefilter("ignore")
            _, outcomes = perform_experiments(
                model, scenarios=n_ema, evaluator=evaluator, log_progress=True
            )
        seen["p_met"] = float(np.mean(np.asarray(outcomes["share"])[:, col] >= TARGET_REQUIRED))
        seen["shape"] = list(np.asarray(outcomes["share"]).shape)

    mapping = logistic_mapping()
    fns: dict[str, Callable[[], Any]] = {"ema": ema}
    for n in sizes:
        fns[f"projection_{n}"] = lambda n=n: projection.run(mapping, samples=n, seed=1)
    best = interleaved(fns, repeats, budget_s=90)
    ema_rate = n_ema / best["ema"]
    out: dict[str, Any] = {
        "ema_experiments": n_ema,
        "ema_s": best["ema"],
        "ema_per_s": ema_rate,
        "ema_outcome_shape": seen.get("shape"),
        "ema_p_met": seen.get("p_met"),
        "projection": [],
    }
    say(
        f"  EMA Workbench  {n_ema:,} experiments in {secs(best['ema'])}: {ema_rate:,.0f} /s "
        f"(outcomes {tuple(seen.get('shape') or ())}, P(met) {seen.get('p_met', float('nan')):.3f})"
    )
    for n in sizes:
        s = best[f"projection_{n}"]
        rate = n / s
        out["projection"].append({"n": n, "s": s, "members_per_s": rate, "ratio": rate / ema_rate})
        say(
            f"  projection     {n_label(n)} members in {secs(s)}: {rate:,.0f} /s  ->  {rate / ema_rate:,.0f}x"
        )
    return out


def figure_ema_paper(quick: bool) -> dict[str, Any]:
    """Figure 2 on paper-targets (:mod:`_ema_paper`); skipped, saying so, without SALib."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import SALib.analyze.sobol  # noqa: F401
            from _ema_paper import bench_ema_paper
    except ImportError as err:
        msg = f"skipped: SALib is not importable ({err}); `pip install SALib` to measure it"
        say(f"  {msg}")
        return {"skipped": msg}
    return bench_ema_paper(
        n_ema=10**3 if quick else 10**4,
        n_projection=10**5 if quick else 10**6,
        n_equal=10**4 if quick else 10**5,
        n_base=256 if quick else 1024,
        rounds=3 if quick else 5,
        rounds_equal=3,
        say=say,
    )


def ema_paper_summary(paper: dict[str, Any], quick: bool) -> list[str]:
    """Summary lines of figure 2 on paper-targets: each goal met or not (at quick sizes the
    goals' sizes were not measured: said so)."""
    if "skipped" in paper:
        return [f"2. paper-targets against EMA + SALib: {paper['skipped']}"]

    def verdict(part: dict[str, Any], goal: str, sizes_ok: bool) -> str:
        if not sizes_ok:
            return f"goal {goal} (at the goal's sizes; quick sizes: not judged)"
        return f"goal {goal}: {'met' if part['met'] else 'NOT met'}"

    def spread(r: dict[str, Any]) -> str:
        return " / ".join(f"{r['per_round'][k]:,.0f}" for k in ("min", "median", "max"))

    def scalar(part: dict[str, Any]) -> str:
        r = part["ratio_scalar_model"]
        return f"; against EMA with the model in plain floats {r['of_minima']:,.0f}x ({spread(r)})"

    a, b, c = paper["throughput"], paper["equal_n"], paper["whole_answer"]
    ra, rb, rc = a["ratio"], b["ratio"], c["ratio"]
    extra = (
        " (EMA EXTRAPOLATED linearly from " + f"{b['n_ema_timed']:,})" if b["extrapolated"] else ""
    )
    return [
        f"2a. paper-targets per CPU-second: projection {a['per_cpu_s']['projection']:,.0f} "
        f"members/s at N={n_label(a['n_projection'])}, EMA {a['per_cpu_s']['ema']:,.0f} experiments/s at "
        f"{n_label(a['n_ema'])}: {ra['of_minima']:,.0f}x (per round min/median/max {spread(ra)})"
        f"{scalar(a)}   " + verdict(a, ">= 100x", a["counts_for_goal"]),
        f"2b. paper-targets at equal N={n_label(b['n'])}{extra}: EMA / projection CPU "
        f"{rb['of_minima']:,.0f}x ({spread(rb)}){scalar(b)}   "
        + verdict(b, ">= 50x", b["counts_for_goal"]),
        f"2c. whole answer (ensemble + Sobol' indices with intervals, 5 targets), "
        f"{c['n_base']:,} base samples = {c['evaluations']:,} evaluations: EMA + SALib / "
        f"projection CPU {rc['of_minima']:,.0f}x ({spread(rc)}){scalar(c)}   "
        + verdict(c, ">= 30x", not quick),
    ]


# --- 3. memory ----------------------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    """``root``'s descendants (Linux /proc), not ``root`` itself."""
    parent: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parent.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        kids = parent.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found


def _status_kib(pid: int, path: str, key: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def probe(args: list[str], *, guard: int, timeout: float) -> dict[str, Any]:
    """Run ``_memory_child.py ARGS`` in a fresh interpreter under the launcher.

    Returns the child's output, its peak RSS as the kernel counts it (``ru_maxrss`` of the
    largest process that ran: the child or one of its workers), and the peaks of the summed
    RSS and PSS of the whole process tree, sampled every 50 ms. Kills the tree when the summed
    RSS crosses ``guard`` bytes or after ``timeout`` seconds.
    """
    cmd = [sys.executable, "-c", LAUNCHER, sys.executable, str(CHILD), *args]
    p = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    linux = Path("/proc/self/stat").exists()
    peak_rss = peak_pss = 0
    killed = None
    t0 = time.perf_counter()
    while p.poll() is None:
        if linux:
            pids = _tree(p.pid)
            rss = sum(_status_kib(q, "status", "VmRSS:") for q in pids) * 1024
            pss = sum(_status_kib(q, "smaps_rollup", "Pss:") for q in pids) * 1024
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            if rss > guard:
                killed = f"killed: resident memory crossed the guard ({mib(rss)} > {mib(guard)})"
        if time.perf_counter() - t0 > timeout:
            killed = f"killed: still running after {timeout:.0f} s"
        if killed:
            os.killpg(p.pid, signal.SIGKILL)  # the process group this call started
            break
        time.sleep(0.05)
    stdout, stderr = p.communicate()
    out: dict[str, Any] = {
        "args": args,
        "tree_peak_rss": peak_rss or None,
        "tree_peak_pss": peak_pss or None,
    }
    if killed:
        out["error"] = killed
        return out
    try:
        launched = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        out["error"] = f"launcher failed: {stderr.strip()[-1000:]}"
        return out
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    out["maxrss"] = launched["maxrss"] * unit
    out["wall_s"] = launched["wall_s"]
    if launched["rc"] != 0:
        out["error"] = f"exit code {launched['rc']}: {launched['stderr'].strip()[-1000:]}"
        return out
    out.update(json.loads(launched["stdout"].strip().splitlines()[-1]))
    return out


def memory_guard() -> int:
    available = _meminfo("MemAvailable") or 4 * GiB
    return int(min(max(available // 2, 1 * GiB), 8 * GiB))


def bench_memory(
    target_n: int,
    *,
    indicators: int,
    chunks: list[int],
    chunk_n: int,
    chunk_repeats: int,
    workers: int | None,
) -> dict[str, Any]:
    guard = memory_guard()
    timeout = 900.0
    say(f"  guard: a run is not started above a predicted {mib(guard)} and killed past it")
    base_runs = [probe(["import"], guard=guard, timeout=120) for _ in range(3)]
    base = min(r["maxrss"] for r in base_runs if "maxrss" in r)
    say(f"  import projection only: {mib(base)}")
    out: dict[str, Any] = {
        "guard_bytes": guard,
        "indicators": indicators,
        "years": len(YEARS),
        "targets": 2,
        "quantiles": list(QUANTILES),
        "import_only_maxrss": base,
        "runs": [],
        "workers": [],
        "chunks": [],
    }

    def record(where: list, r: dict[str, Any], label: str) -> dict[str, Any]:
        if "maxrss" in r and "error" not in r:
            r["above_import"] = r["maxrss"] - base
            say(
                f"  {label}: peak {mib(r['maxrss'])} ({mib(r['above_import'])} above import), "
                f"run {secs(r['run_s'])}"
            )
        else:
            say(f"  {label}: {r.get('error')}")
        where.append(r)
        return r

    # grow N tenfold at a time, predicting the next peak from the last (linear in N: an upper
    # bound for a streaming engine, the truth for one that holds every member)
    sizes = [n for n in (10**6, 10**7, 10**8) if n <= target_n]
    last: dict[str, Any] | None = None
    for n in sizes:
        if last is not None and "maxrss" in last:
            predicted = base + (last["maxrss"] - base) * n / last["n"]
            if predicted > guard:
                msg = (
                    f"not run: predicted peak {mib(predicted)} (linear from N={n_label(last['n'])}) "
                    f"exceeds the guard {mib(guard)}"
                )
                say(f"  N={n_label(n)}: {msg}")
                out["runs"].append({"args": ["run", "--n", str(n)], "n": n, "skipped": msg})
                break
        last = record(
            out["runs"],
            probe(
                ["run", "--indicators", str(indicators), "--n", str(n)],
                guard=guard,
                timeout=timeout,
            ),
            f"N={n_label(n)}",
        )
        if "error" in last:
            break
    measured = [r for r in out["runs"] if "above_import" in r]
    out["headline"] = measured[-1] if measured else None

    if workers and workers > 1 and out["headline"]:
        n = out["headline"]["n"]
        r = probe(
            ["run", "--indicators", str(indicators), "--n", str(n), "--workers", str(workers)],
            guard=guard,
            timeout=timeout,
        )
        record(out["workers"], r, f"N={n_label(n)} workers={workers}")
        if "tree_peak_pss" in r and r["tree_peak_pss"]:
            say(
                f"    all {workers + 1} processes together (sampled PSS): {mib(r['tree_peak_pss'])}"
            )

    # chunk sizes in turn, `chunk_repeats` rounds: fastest time, highest peak of the rounds
    rounds: dict[int, list[dict[str, Any]]] = {c: [] for c in chunks}
    for _ in range(chunk_repeats):
        for c in chunks:
            rounds[c].append(
                probe(
                    [
                        "run",
                        "--indicators",
                        str(indicators),
                        "--n",
                        str(chunk_n),
                        "--chunk",
                        str(c),
                    ],
                    guard=guard,
                    timeout=timeout,
                )
            )
    for c in chunks:
        ok = [r for r in rounds[c] if "maxrss" in r and "error" not in r]
        r = dict(ok[0] if ok else rounds[c][0])
        if ok:
            r["run_s"] = min(x["run_s"] for x in ok)
            r["maxrss"] = max(x["maxrss"] for x in ok)
            r["maxrss_rounds"] = [x["maxrss"] for x in ok]
        r["chunk_size"] = c
        record(out["chunks"], r, f"N={n_label(chunk_n)} chunk_size={c:,}")
    return out


# --- 4. scaling ---------------------------------------------------------------------------------


def bench_scaling(
    sizes: list[int],
    counts: list[int],
    n_fixed: int,
    repeats: int,
    *,
    bytes_per_value: float | None,
    guard: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {"vs_n": [], "vs_indicators": [], "skipped": []}
    mapping = logistic_mapping()
    runnable = []
    for n in sizes:
        need = None if bytes_per_value is None else bytes_per_value * n * len(YEARS)
        if need is not None and need > guard:
            msg = f"N={n_label(n)} not run: predicted {mib(need)} above the guard {mib(guard)}"
            say(f"  {msg}")
            out["skipped"].append(msg)
            continue
        runnable.append(n)
    # each size on its own, best of `repeats` (the sizes differ 10x: interleaving them gains nothing)
    for n in runnable:
        best = interleaved(
            {"run": lambda n=n: projection.run(mapping, samples=n, seed=1)}, repeats, budget_s=60
        )["run"]
        out["vs_n"].append({"n": n, "indicators": 1, "s": best, "s_per_member": best / n})
    for prev, row in zip(out["vs_n"], out["vs_n"][1:]):
        row["ratio_to_previous"] = row["s"] / prev["s"]
        row["n_ratio"] = row["n"] / prev["n"]
        row["near_linear"] = 5 <= row["ratio_to_previous"] <= 15 if row["n_ratio"] == 10 else None
    say(
        table(
            ["N (1 indicator)", "time", "per member", "t(N)/t(N/10)", "near-linear?"],
            [
                [
                    n_label(r["n"]),
                    secs(r["s"]),
                    per_member(r["s"], r["n"]),
                    f"{r['ratio_to_previous']:.1f}" if "ratio_to_previous" in r else "",
                    {True: "yes", False: "no", None: ""}[r.get("near_linear")],
                ]
                for r in out["vs_n"]
            ],
        )
    )

    fns = {
        k: (lambda m=synthetic_mapping(k): projection.run(m, samples=n_fixed, seed=1))
        for k in counts
    }
    best = interleaved(fns, repeats, budget_s=120)
    for k in counts:
        out["vs_indicators"].append(
            {
                "n": n_fixed,
                "indicators": k,
                "s": best[k],
                "s_per_member": best[k] / n_fixed,
                "s_per_member_indicator": best[k] / n_fixed / k,
            }
        )
    for prev, row in zip(out["vs_indicators"], out["vs_indicators"][1:]):
        row["ratio_to_previous"] = row["s"] / prev["s"]
        row["k_ratio"] = row["indicators"] / prev["indicators"]
        # twice the indicators: near-linear between 1.5x and 3x the time
        row["near_linear"] = (
            0.75 * row["k_ratio"] <= row["ratio_to_previous"] <= 1.5 * row["k_ratio"]
        )
    say("")
    say(
        table(
            [
                f"indicators (N={n_label(n_fixed)})",
                "time",
                "per member",
                "per member-indicator",
                "t(k)/t(k/2)",
                "near-linear?",
            ],
            [
                [
                    r["indicators"],
                    secs(r["s"]),
                    per_member(r["s"], r["n"]),
                    per_member(r["s"], r["n"] * r["indicators"]),
                    f"{r['ratio_to_previous']:.2f}" if "ratio_to_previous" in r else "",
                    {True: "yes", False: "no", None: ""}[r.get("near_linear")],
                ]
                for r in out["vs_indicators"]
            ],
        )
    )
    return out


def bench_workers(
    n: int, indicators: int, repeats: int, scenario: Any = None, label: str | None = None
) -> dict[str, Any]:
    """Local worker processes (``workers=``) and, when dask.distributed is installed, a local
    dask cluster of as many single-threaded worker processes (``client=``), interleaved.
    ``scenario`` (a path) replaces the synthetic one of ``indicators`` logistic indicators."""
    accepted = inspect.signature(projection.run).parameters
    if "workers" not in accepted:
        msg = "skipped: projection.run has no `workers` keyword in this version"
        say(f"  {msg}")
        return {"skipped": msg}
    cpus = os.cpu_count() or 1
    counts = sorted({1, *[w for w in (2, 4, 8, 16) if w <= cpus], cpus})
    mapping = synthetic_mapping(indicators) if scenario is None else scenario
    what = label or f"{indicators} indicators"
    fns: dict[Any, Callable[[], Any]] = {
        w: (lambda w=w: projection.run(mapping, samples=n, seed=1, workers=w)) for w in counts
    }
    out: dict[str, Any] = {"cpu_count": cpus, "n": n, "indicators": indicators, "scenario": what}
    wall: dict[Any, list[float]] = {}
    cpu: dict[Any, list[float]] = {}

    def rounds(fns: dict[Any, Callable[[], Any]]) -> None:
        begun = time.perf_counter()
        for r in range(repeats):  # interleaved; CPU time of this process and reaped workers
            for key, fn in fns.items():
                c0 = _cpu_s()
                t0 = time.perf_counter()
                fn()
                wall.setdefault(key, []).append(time.perf_counter() - t0)
                cpu.setdefault(key, []).append(_cpu_s() - c0)
            if r >= 1 and time.perf_counter() - begun > 180:
                break

    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(cpus) as pool:
        # the machine's ceiling for this work: `cpus` copies of the one-worker run at once, in
        # processes already started; what they lose against one copy alone is what sharing
        # the memory bus and caches costs, which no split of one run can avoid
        copies = [(mapping, n, 1) for _ in range(cpus)]
        list(pool.map(_run_part, [(mapping, 1000, 1)] * cpus))  # warm up
        fns["ceiling"] = lambda: list(pool.map(_run_part, copies))
        rounds(fns)
    if "client" in accepted:  # after the others: an idle cluster still uses some CPU
        with contextlib.ExitStack() as stack:
            client = _local_dask(stack, cpus, out)
            if client is not None:
                one = fns[1]
                dask = {
                    1: one,
                    "dask": lambda: projection.run(mapping, samples=n, seed=1, client=client),
                }
                rounds(dask)
    rows = [
        {
            "workers": w,
            "n": n,
            "indicators": indicators,
            "s": min(wall[w]),
            # the ceiling does `cpus` runs' work in its time
            "speedup": min(wall[1]) / min(wall[w]) * (cpus if w == "ceiling" else 1),
            # dask's and the pool's workers live on: their CPU time is not seen from here
            "cpu_s": None if w in ("dask", "ceiling") else min(cpu[w]),
        }
        for w in wall
    ]
    labels = {
        "dask": f"dask LocalCluster, {cpus} x 1 thread",
        "ceiling": f"ceiling: {cpus} copies of the 1-worker run at once (throughput)",
    }
    say(
        table(
            [
                f"workers (N={n_label(n)}, {what})",
                "time",
                "per member",
                "speedup",
                "CPU time, all processes",
            ],
            [
                [
                    labels.get(r["workers"], r["workers"]),
                    secs(r["s"]),
                    per_member(r["s"], n),
                    f"{r['speedup']:.2f}x",
                    "-" if r["cpu_s"] is None else secs(r["cpu_s"]),
                ]
                for r in rows
            ],
        )
    )
    if "dask_cluster_start_s" in out:
        say(f"  (the dask cluster took {secs(out['dask_cluster_start_s'])} to start; not counted)")
    elif "dask" in out:
        say(f"  dask: {out['dask']}")
    out["rows"] = rows
    return out


def _run_part(args: tuple[Any, int, int]) -> int:
    """One independent run of part of an ensemble (for the ceiling of local workers)."""
    scenario, n, seed = args
    return projection.run(scenario, samples=n, seed=seed, workers=1).n


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    import resource

    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _local_dask(stack: contextlib.ExitStack, workers: int, out: dict[str, Any]) -> Any:
    """A dask.distributed LocalCluster and Client, closed with ``stack``; None without dask."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        out["dask"] = "skipped: dask.distributed is not installed (pip install 'projection[dask]')"
        return None
    for name in ("distributed", "tornado", "bokeh"):
        logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    try:
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
        )
        client = stack.enter_context(Client(cluster))
    except Exception as err:  # a cluster that cannot start is reported, not fatal
        out["dask"] = f"skipped: the local dask cluster did not start ({err})"
        return None
    out["dask_cluster_start_s"] = time.perf_counter() - t0
    return client


# --- 8. paper-targets against numpy -------------------------------------------------------------


def figure_paper(n: int, rounds: int) -> dict[str, Any]:
    check = check_paper_numbers()
    say(
        f"  same numbers, N={check['n']:,}: draws differ by {check['draws_max_rel_diff']:.1e}, "
        f"members by {check['members_max_rel_diff_own_draws']:.1e} relative (asserted <= "
        f"{check['rtol']:g}); bands by {check['summaries_max_rel_diff']['bands']:.1e}, counts equal"
    )
    paper = bench_paper(n, rounds)
    ratios = paper["ratios"]
    say(
        table(
            ["contender", "CPU min", "median", "max", "projection / it: minima", "per round"],
            [
                [
                    k,
                    secs(c["min"]),
                    secs(c["median"]),
                    secs(c["max"]),
                    f"{ratios[k]['of_minima']:.2f}" if k in ratios else "",
                    " / ".join(f"{ratios[k]['per_round'][x]:.2f}" for x in ("min", "median", "max"))
                    if k in ratios
                    else "",
                ]
                for k, c in paper["cpu_s"].items()
            ],
        )
    )
    for k, what in paper["contenders"].items():
        say(f"    {k}: {what}")
    diff = paper["outputs_max_rel_diff"]["numpy"]
    say(
        f"  outputs at N={n_label(n)} agree (every numpy contender): bands to "
        f"{diff['bands']:.1e}, means to {diff['mean']:.1e}, counts exactly"
    )
    profile = profile_run(n)
    say(
        f"  profile of one run (cProfile, {secs(profile['profiled_s'])}; indented stages are part "
        "of the one above)"
    )
    say(
        table(
            ["stage", "cumulative", "share"],
            [[r["stage"], secs(r["s"]), f"{r['share'] * 100:.0f} %"] for r in profile["stages"]],
        )
    )
    say("  most time of their own:")
    say(
        table(
            ["function", "calls", "own", "cumulative"],
            [
                [r["function"], r["calls"], secs(r["own_s"]), secs(r["cumulative_s"])]
                for r in profile["top"]
            ],
        )
    )
    paper.update(
        same_numbers_check=check,
        profile=profile,
        projection_module=projection.__file__,  # which install was measured
    )
    return paper


# --- main ---------------------------------------------------------------------------------------


def write(name: str, payload: dict[str, Any], *, quick: bool, machine: dict, engine: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / (f"{name}-quick.json" if quick else f"{name}.json")
    doc = {"mode": "quick" if quick else "full", "machine": machine, "engine": engine, **payload}
    path.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, fewer repeats (about 4 min on 2 cores)"
    )
    parser.add_argument(
        "--only",
        choices=FIGURES,
        action="append",
        help="run only these figures (repeatable); default: all",
    )
    args = parser.parse_args()
    quick = args.quick
    figures = FIGURES
    only = set(args.only or figures)
    began = time.perf_counter()
    machine, engine = machine_info(), engine_info()
    say(
        f"projection benchmarks ({'quick' if quick else 'full'}): {machine['cpu_count']} CPUs, "
        f"{machine['processor']}, Python {machine['python']}, numpy {machine['numpy']}, "
        f"{mib(machine['memory_total_bytes'])} RAM"
    )
    say("engine: " + ", ".join(f"{k}={v}" for k, v in engine.items() if v is not None))
    repeats = 3 if quick else 7
    written: list[Path] = []
    summary: list[str] = []

    if "models" in only:
        say(
            "\n1. one logistic indicator, 27 years: projection / hand-written numpy (best of "
            f"{repeats}, interleaved)"
        )
        sizes = [10**4, 10**5] if quick else [10**4, 10**5, 10**6]
        family = bench_family(sizes, repeats)
        check = check_same_numbers()
        if check.get("checked"):
            say(
                f"  same numbers: on projection's draws numpy gives its bands to "
                f"{check['bands_max_rel_diff']:.1e} and P(met) {check['p_met_numpy']:.4f} vs "
                f"{check['p_met_projection']:.4f}"
            )
        runs = bench_ensemble(sizes, repeats)
        written.append(
            write(
                "models",
                {
                    "logistic_vs_numpy": family,
                    "ensemble_vs_numpy": runs,
                    "same_numbers_check": check,
                    "goal": "projection/numpy <= 1.5 at N = 1e6",
                },
                quick=quick,
                machine=machine,
                engine=engine,
            )
        )
        top_f, top_r = family[-1], runs[-1]
        line = (
            f"1. projection/numpy at N={n_label(top_f['n'])}: family call {top_f['ratio']:.2f} "
            f"({top_f['ratio_inplace']:.2f} against numpy in place), full run {top_r['ratio']:.2f}"
        )
        if "ratio_same_subsample" in top_r:
            line += f" ({top_r['ratio_same_subsample']:.2f} against numpy on the same quantile subsample)"
        if top_r["n"] >= 10**6:
            ok = max(top_f["ratio"], top_r["ratio"]) <= 1.5
            line += f"   goal <= 1.5: {'met' if ok else 'NOT met'}"
        summary.append(line)

    if "ema" in only:
        n_ema = 1_000 if quick else 5_000
        say(f"\n2. EMA Workbench (SequentialEvaluator, {n_ema:,} experiments) against projection")
        ema = bench_ema(n_ema, [10**5, 10**6], 3)
        if "skipped" in ema:
            summary.append(f"2. EMA Workbench: {ema['skipped']}")
        else:
            top = ema["projection"][-1]
            summary.append(
                f"2. throughput: projection {top['members_per_s']:,.0f} members/s at N={n_label(top['n'])}, "
                f"EMA {ema['ema_per_s']:,.0f} experiments/s: {top['ratio']:,.0f}x   issue 5's goal "
                f">= 1000x (replaced by issue 13's, 2a-2c): "
                f"{'met' if top['ratio'] >= 1000 else 'NOT met'}"
            )
            say(
                "\n2. paper-targets: EMA Workbench (+ SALib) against projection, CPU time, "
                f"one worker, {3 if quick else 5} rounds interleaved"
            )
            ema["paper_targets"] = figure_ema_paper(quick)
            summary.extend(ema_paper_summary(ema["paper_targets"], quick))
        written.append(write("ema", ema, quick=quick, machine=machine, engine=engine))

    memory: dict[str, Any] | None = None
    if "memory" in only:
        target = 10**6 if quick else 10**7
        say(
            f"\n3. peak memory, {n_label(target)} members x {len(YEARS)} years x 4 indicators, "
            "bands and 2 targets, each in a fresh process"
        )
        if "workers" in inspect.signature(projection.run).parameters:
            workers = os.cpu_count() or 1
        else:
            workers = None
        chunks = [1_024, 16_384, 65_536] if quick else [1_024, 4_096, 16_384, 65_536, 262_144]
        memory = bench_memory(
            target,
            indicators=4,
            chunks=chunks,
            chunk_n=10**6,
            chunk_repeats=1 if quick else 2,
            workers=workers,
        )
        memory["target_n"] = target
        written.append(write("memory", memory, quick=quick, machine=machine, engine=engine))
        head = memory["headline"]
        if head:
            line = (
                f"3. peak RSS at N={n_label(head['n'])} x 27 years x 4 indicators: {mib(head['maxrss'])} "
                f"({mib(head['above_import'])} above the {mib(memory['import_only_maxrss'])} of importing)"
            )
            if head["n"] < target:
                line += f"   N={n_label(target)} NOT measured (see above)"
            else:
                line += f"   goal < 1 GiB: {'met' if head['maxrss'] < GiB else 'NOT met'}"
            summary.append(line)
        else:
            summary.append("3. peak memory: no run completed (see above)")

    if "scaling" in only:
        say("\n4. scaling")
        sizes = [10**4, 10**5, 10**6] if quick else [10**4, 10**5, 10**6, 10**7]
        n_fixed = 10**5 if quick else 10**6
        # an engine that holds every member needs memory in proportion to N: guard the
        # largest sizes with what figure 3 measured (or 4 float64 copies per value)
        bytes_per_value = None
        if not engine["streaming"]:
            bytes_per_value = 32.0
            if memory and memory.get("headline"):
                head = memory["headline"]
                bytes_per_value = head["above_import"] / (
                    head["n"] * head["indicators"] * head["years"]
                )
        scaling = bench_scaling(
            sizes,
            [1, 2, 4, 8],
            n_fixed,
            3 if quick else 5,
            bytes_per_value=bytes_per_value,
            guard=memory_guard(),
        )
        say("")
        scaling["workers"] = bench_workers(10**6, 4, 2 if quick else 3)
        say("")
        scaling["workers_paper"] = bench_workers(
            10**6,
            7,
            2 if quick else 3,
            scenario=str(PAPER_SCENARIO),
            label="paper-targets",
        )
        written.append(write("scaling", scaling, quick=quick, machine=machine, engine=engine))
        lin = [r for r in scaling["vs_n"] if r.get("near_linear") is not None]
        rows = scaling["workers"].get("rows", [])
        paper_rows = scaling["workers_paper"].get("rows", [])
        summary.append(
            "4. time(10N)/time(N): "
            + ", ".join(f"{r['ratio_to_previous']:.1f} ({n_label(r['n'])})" for r in lin)
            + f"; per indicator at N={n_label(n_fixed)}: "
            + ", ".join(
                f"{r['s_per_member_indicator'] * 1e9:.0f} ns" for r in scaling["vs_indicators"]
            )
            + " per member-indicator for 1, 2, 4, 8"
            + "".join(
                f"; {'dask' if r['workers'] == 'dask' else str(r['workers']) + ' workers'}: "
                f"{r['speedup']:.2f}x"
                for r in rows
                if r["workers"] not in (1, "ceiling")
            )
            + "".join(
                f"; paper-targets, {r['workers']} workers: {r['speedup']:.2f}x"
                + (
                    f" (goal >= 1.7x on an idle machine: {'met' if r['speedup'] >= 1.7 else 'NOT met'})"
                    if r["workers"] == 2
                    else ""
                )
                for r in paper_rows
                if r["workers"] not in (1, "dask", "ceiling")
            )
            + "".join(
                f" (the machine's ceiling, {scaling['workers_paper'].get('cpu_count')} copies of the one-worker run at once: "
                f"{r['speedup']:.2f}x)"
                for r in paper_rows
                if r["workers"] == "ceiling"
            )
        )

    if "startup" in only:
        rounds = 5 if quick else 9
        say(f"\n5. start-up: CPU time of a fresh process, {rounds} rounds, against import numpy")
        startup = bench_startup(rounds)
        base = startup["rows"][0]
        say(
            table(
                ["command", "CPU min", "median", "max", "ratio (min)", "ratio (median)", "goal"],
                [
                    [
                        r["command"],
                        secs(r["cpu_s_min"]),
                        secs(r["cpu_s_median"]),
                        secs(r["cpu_s_max"]),
                        f"{r['ratio_min']:.2f}" if "goal" in r else "1",
                        f"{r['ratio_median']:.2f}" if "goal" in r else "1",
                        f"<= {r['goal']:g} {'met' if r['met'] else 'NOT met'}"
                        if "goal" in r
                        else "",
                    ]
                    for r in startup["rows"]
                ],
            )
        )
        written.append(write("startup", startup, quick=quick, machine=machine, engine=engine))
        summary.append(
            f"5. start-up / import numpy ({secs(base['cpu_s_min'])} CPU): "
            + ", ".join(
                f"{r['command'].removeprefix('projection ')} {r['ratio_min']:.2f}"
                f" ({'met' if r['met'] else 'NOT met'})"
                for r in startup["rows"][1:]
            )
        )

    if "solve" in only:
        rounds = 2 if quick else 3
        say(f"\n6. solve: compiled scenario against re-loading it at every step ({rounds} rounds)")
        solved = bench_solve(rounds)
        say(
            table(
                ["problem", "compiled", "re-loading", "speed-up", "same value"],
                [
                    [
                        r["problem"],
                        secs(r["compiled_s"]),
                        secs(r["reload_s"]),
                        f"{r['speedup']:.0f}x",
                        "yes" if r["same_value"] else "NO",
                    ]
                    for r in solved["rows"]
                ],
            )
        )
        written.append(write("solve", solved, quick=quick, machine=machine, engine=engine))
        summary.append(
            "6. solve, compiled against re-loading per step (today's loader): "
            + ", ".join(f"{r['problem']} {r['speedup']:.0f}x" for r in solved["rows"])
        )

    if "before-after" in only:
        rounds = 3 if quick else 5
        say(f"\n7. before and after the redesign, fresh processes, alternating ({rounds} rounds)")
        compared = bench_before_after(rounds, members=10**6, repeat=2 if quick else 3)
        text, lines = describe(compared, table, secs)
        say(text)
        written.append(write("before-after", compared, quick=quick, machine=machine, engine=engine))
        summary.extend(lines)

    if "paper" in only:
        n = 10**5 if quick else 10**6
        rounds = 3 if quick else 5
        say(
            f"\n8. paper-targets: projection / hand-written numpy, N={n_label(n)}, CPU time, one "
            f"worker, {rounds} rounds interleaved"
        )
        paper = figure_paper(n, rounds)
        written.append(write("paper", paper, quick=quick, machine=machine, engine=engine))
        r, rb = paper["ratios"]["numpy"], paper["ratios"]["numpy_blocked"]
        line = (
            f"8. paper-targets at N={n_label(n)}, projection / hand-written numpy (CPU, minima; "
            f"per round min/median/max): {r['of_minima']:.2f} ("
            + " / ".join(f"{r['per_round'][x]:.2f}" for x in ("min", "median", "max"))
            + f") against whole arrays, {rb['of_minima']:.2f} ("
            + " / ".join(f"{rb['per_round'][x]:.2f}" for x in ("min", "median", "max"))
            + ") against numpy in blocks"
        )
        if n >= 10**6:
            line += (
                f"   goal <= 1.0: {'met' if paper['met'] else 'NOT met'} (in blocks: "
                f"{'met' if paper['met_against_blocked'] else 'NOT met'})"
            )
        summary.append(line)

    if "posterior" in only:
        n = 10**5 if quick else 10**6
        rounds = 3 if quick else 5
        say(
            f"\n9. the posterior step against the plain ensemble, paper-targets, N={n_label(n)}, "
            f"CPU time, one worker, {rounds} rounds interleaved"
        )
        post = bench_posterior(n, rounds)
        written.append(write("posterior", post, quick=quick, machine=machine, engine=engine))
        rows = [
            [
                k,
                secs(v["min"]),
                secs(v["median"]),
                secs(v["max"]),
                f"{post['members_per_s'][k]:,.0f}",
                f"{post['posterior_over_ensemble'].get(k, 1.0):.2f}",
            ]
            for k, v in post["cpu_s"].items()
        ]
        say(table(["contender", "CPU min", "median", "max", "members/s", "time / ensemble"], rows))
        for k, m in post["methods"].items():
            say(f"  {k}: {m}; effective sample size {post['effective_sample_size'][k]:,.0f}")
        mps = post["members_per_s"]
        summary.append(
            f"9. posterior at N={n_label(n)}: {mps['posterior_prior']:,.0f} draws/s weighted "
            f"from the prior, {mps['posterior_adaptive']:,.0f} with adaptive rounds, against "
            f"{mps['ensemble']:,.0f} members/s of the plain ensemble"
        )

    if "levers" in only:
        n = 10**5 if quick else 10**6
        rounds = 3 if quick else 5
        say(
            f"\n10. levers x uncertainties against the plain ensemble, paper-targets, "
            f"N={n_label(n)}, CPU time, one process, {rounds} rounds interleaved"
        )
        lev = bench_levers(n, rounds)
        rows = [
            [
                k,
                secs(v["min"]),
                secs(v["median"]),
                secs(v["max"]),
                f"{lev['members_per_cpu_s'][k]['median']:,.0f}",
            ]
            for k, v in lev["cpu_s"].items()
        ]
        say(table(["contender", "CPU min", "median", "max", "member-settings/s"], rows))
        thr = lev["explore_vs_ensemble_throughput"]
        say(
            f"  explore ({lev['settings']} settings x {n_label(n)} members) per member-setting: "
            f"{thr['median']:.2f}x the ensemble's members/s (min {thr['min']:.2f}, max "
            f"{thr['max']:.2f}); best setting {lev['best_setting']}"
        )
        n_ema = 1_000 if quick else 10_000
        say(
            f"\n10b. EMA perform_experiments ({n_ema:,} scenarios x 9 policies) + EMA's PRIM "
            "against projection.explore + projection.discover"
        )
        lev["ema"] = bench_ema_levers(n_ema, 3)
        if "skipped" in lev["ema"]:
            say(f"  {lev['ema']['skipped']}; {EMA_HOWTO.replace('--only ema', '--only levers')}")
            ema_line = f"EMA: {lev['ema']['skipped']}"
        else:
            r = lev["ema"]["ratio_ema_over_projection"]
            eps = lev["ema"]["experiments_per_cpu_s"]
            say(
                f"  {lev['ema']['experiments']:,} experiments: EMA + PRIM "
                f"{eps['ema_prim']['median']:,.0f}/CPU-s, projection "
                f"{eps['projection']['median']:,.0f}/CPU-s: {r['median']:.0f}x (min "
                f"{r['min']:.0f}, max {r['max']:.0f})"
            )
            say(f"  projection's box: {lev['ema']['projection_box']}")
            ema_line = f"EMA + PRIM / projection at {lev['ema']['experiments']:,} experiments: {r['median']:.0f}x"
        written.append(write("levers", lev, quick=quick, machine=machine, engine=engine))
        summary.append(
            f"10. levers at N={n_label(n)}: {thr['median']:.2f}x the plain ensemble's "
            f"throughput per member-setting; {ema_line}"
        )

    if "pysd" in only:
        n = 10**3 if quick else 10**4
        rounds = 2 if quick else 3
        say(f"\n11. the EV fleet: PySD ({n:,} runs) against one projection ensemble, CPU time")
        sd = bench_pysd(n, rounds)
        written.append(write("pysd", sd, quick=quick, machine=machine, engine=engine))
        if "skipped" in sd:
            say(f"  {sd['skipped']}")
            summary.append(f"11. PySD: {sd['skipped']}")
        else:
            r = sd["ratio_pysd_over_projection"]
            rps = sd["runs_per_cpu_s"]
            say(
                f"  projection {rps['projection']['median']:,.0f} members/CPU-s, PySD "
                f"{rps['pysd']['median']:,.0f} runs/CPU-s: {r['median']:,.0f}x (min "
                f"{r['min']:,.0f}, max {r['max']:,.0f})"
            )
            say(f"  PySD's largest relative error by step: {sd['largest_relative_error_by_step']}")
            summary.append(f"11. EV fleet, {n:,} runs: PySD / projection {r['median']:,.0f}x")

    took = time.perf_counter() - began
    machine["load_average_at_end"] = _loadavg()
    if len(only) == len(figures):  # a partial run (--only) leaves the last summary alone
        written.append(
            write(
                "summary",
                {"summary": summary, "took_s": took},
                quick=quick,
                machine=machine,
                engine=engine,
            )
        )
    say("\nSummary")
    for line in summary:
        say("  " + line)
    say(
        f"  took {took:.0f} s (load average {machine['load_average_at_start']} at start, "
        f"{machine['load_average_at_end']} at end); wrote "
        + ", ".join(str(p.relative_to(HERE.parent)) for p in written)
    )


if __name__ == "__main__":
    main()
