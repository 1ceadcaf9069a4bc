"""Figure 9: the posterior step (issue 14) against the plain ensemble, members per second.

:func:`projection.posterior` draws ``N`` prior sets of the inputs an indicator depends on,
evaluates the indicator at the observed years for all of them in one call, and weights them by
the history's likelihood; when the prior draws are too few where the data are, it repeats that
with a multivariate t proposal (adaptive importance sampling). This figure times it on
``paper-targets``' EV sales share (3 uncertain inputs: rate, ceiling, start), with a history
of nine noisy years from the scenario's own curve, against ``projection.run(paper-targets,
samples=N, workers=1)`` (every indicator, 16 years, bands, targets, constraints), CPU time,
interleaved, min/median/max over rounds:

* ``posterior_prior``: a noisy history (sd 2 points) that the prior draws cover: one pass;
* ``posterior_adaptive``: a precise history (sd 0.3) for which the prior draws are too few, so
  the adaptive rounds run: two or more passes plus the proposal's density.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import projection

# the 7-indicator paper-targets of docs/performance.md's figure 9 (the ensemble it is compared
# with evaluates every indicator; the shipped file has grown to 19 since)
SCENARIO = Path(__file__).resolve().parents[1] / "tests" / "data" / "frozen" / "paper-targets.yaml"
INDICATOR = "ev_sales_share"


def _history(sd: float) -> pd.DataFrame:
    point = projection.run(SCENARIO)
    years = np.arange(2025, 2034)
    y = point.to_frame().pipe(lambda f: f[f.indicator == INDICATOR]).set_index("year").value
    y = y.reindex(years).to_numpy() + np.random.default_rng(0).normal(0, sd, len(years))
    return pd.DataFrame({"year": years, "value": y})


def bench_posterior(n: int, rounds: int) -> dict[str, Any]:
    histories = {"posterior_prior": _history(2.0), "posterior_adaptive": _history(0.3)}
    seen: dict[str, Any] = {}

    def post(key: str) -> None:
        seen[key] = projection.posterior(
            SCENARIO, indicator=INDICATOR, history=histories[key], samples=n, seed=1
        )

    fns = {
        "ensemble": lambda: projection.run(SCENARIO, samples=n, seed=1, workers=1),
        "posterior_prior": lambda: post("posterior_prior"),
        "posterior_adaptive": lambda: post("posterior_adaptive"),
    }
    for fn in fns.values():  # warm up
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for key, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[key].append(time.process_time() - t0)
    out: dict[str, Any] = {
        "n": n,
        "rounds": rounds,
        "clock": "time.process_time (CPU time of this process)",
        "scenario": "paper-targets",
        "indicator": INDICATOR,
        "cpu_s": {
            k: {"min": min(v), "median": statistics.median(v), "max": max(v)}
            for k, v in times.items()
        },
        "members_per_s": {k: n / min(v) for k, v in times.items()},
        "posterior_over_ensemble": {
            k: min(times[k]) / min(times["ensemble"]) for k in fns if k != "ensemble"
        },
        "methods": {k: seen[k].method for k in seen},
        "effective_sample_size": {k: seen[k].ess for k in seen},
    }
    return out
