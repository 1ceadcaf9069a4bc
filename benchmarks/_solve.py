"""Figure 6: ``solve`` on the compiled scenario against solving by re-loading the scenario.

Before the redesign, :func:`projection.solve` set the parameter with ``with_overrides`` (which
loads and validates the whole scenario again) and ran it, at every point of its grid and every
step of the root search. :func:`reload_solve` is that algorithm, written here with the public
API: the same grid, bracket moves, root search and tolerances, one ``run(with_overrides(...))``
per evaluation. The benchmark times both on the same problems, interleaved, and checks that
they find the same value. This isolates what compiling once buys; the issue's goal (at least
10 times faster than before the redesign) is measured against the earlier code itself in
figure 7 (:mod:`_baseline`), which also counts the faster loader and the vectorised bracket.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
from scipy.optimize import brentq

import projection
from projection.analysis.solve import GRID
from projection.engine.tolerance import holds

PROBLEMS = [
    ("scenarios/paper-targets.yaml", "T1", "indicators.ev_sales_share.params.rate"),
    ("scenarios/paper-targets.yaml", "T1", "indicators.ev_sales_share.params.start"),
    ("scenarios/baseline.yaml", "T2b", "indicators.ofc_traffic.params.start"),
]


def reload_solve(path: str, target: str, param: str) -> float | None:
    """The previous algorithm: every evaluation re-loads, re-validates and runs the scenario."""
    s = projection.load_scenario(path)
    compiled = projection.compile_scenario(s)
    t = compiled.targets[target]
    inp = compiled.inputs[param]
    lo = inp.domain.lower if math.isfinite(inp.domain.lower) else 0.0
    hi = inp.domain.upper if math.isfinite(inp.domain.upper) else max(10 * abs(inp.value), 1.0)
    sign = 1.0 if t.bound == "at_least" else -1.0

    def projected(x: float) -> float:
        try:
            run = projection.run(s.with_overrides({param: float(x)}, name="candidate"))
            return run.value(t.indicator, t.year)
        except projection.ProjectionError:
            return float("nan")

    def valid_end(end: float) -> float:
        if np.isfinite(projected(end)):
            return end
        bad, good = end, inp.value
        for _ in range(60):
            mid = 0.5 * (bad + good)
            if mid in (bad, good):
                break
            if np.isfinite(projected(mid)):
                good = mid
            else:
                bad = mid
        return good

    lo, hi = valid_end(lo), valid_end(hi)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, GRID), [inp.value]]))
    values = np.array([projected(x) for x in grid])
    margins = sign * (values - t.required)
    met = holds(values, t.bound, t.required)
    change = np.flatnonzero(np.sign(margins[:-1]) != np.sign(margins[1:]))
    if not met.any() or change.size == 0:
        return None
    a, b = float(grid[change[0]]), float(grid[change[0] + 1])
    return brentq(lambda v: sign * (projected(v) - t.required), a, b, xtol=1e-14, rtol=1e-13)


def bench_solve(rounds: int) -> dict[str, Any]:
    rows = []
    for path, target, param in PROBLEMS:
        times: dict[str, list[float]] = {"compiled": [], "reload": []}
        found: dict[str, Any] = {}
        for _ in range(rounds):
            t0 = time.process_time()
            found["compiled"] = projection.solve(path, target=target, param=param).value
            times["compiled"].append(time.process_time() - t0)
            t0 = time.process_time()
            found["reload"] = reload_solve(path, target, param)
            times["reload"].append(time.process_time() - t0)
        best = {k: min(v) for k, v in times.items()}
        rows.append(
            {
                "problem": f"{path.split('/')[-1]} {target} {param.split('.')[-1]}",
                "compiled_s": best["compiled"],
                "reload_s": best["reload"],
                "speedup": best["reload"] / best["compiled"],
                "speedup_median": float(np.median(times["reload"]) / np.median(times["compiled"])),
                "same_value": found["compiled"] is not None
                and found["reload"] is not None
                and abs(found["compiled"] - found["reload"]) <= 1e-9 * abs(found["reload"]),
            }
        )
    return {"rounds": rounds, "rows": rows, "goal": "speedup >= 10 on paper-targets"}
