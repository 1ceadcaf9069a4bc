"""Benchmarks: ratios measured side by side in one run.

The machines are shared and noisy, so absolute times drift; what this prints are ratios of
timings taken in the same process, interleaved, best of several repeats.

    python benchmarks/run.py [--quick]

Measured now
------------
* ``logistic``: evaluating an ensemble of N logistic trajectories over 27 years with
  ``projection.models.logistic.evaluate`` (validation, broadcasting, anchoring included)
  against a hand-written vectorised numpy kernel of the same formula, at N = 1e4, 1e5, 1e6.
  The ratio projection/numpy is the overhead of the library over the bare arithmetic.

Results are written to ``benchmarks/results/models.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
from scipy.special import expit, logit

from projection.models import logistic

RESULTS = Path(__file__).parent / "results"


def numpy_logistic(years, base_year, start, ceiling, rate):
    """The bare formula C * expit(rate * d + logit(start / C)), vectorised by hand."""
    d = np.asarray(years, dtype=float) - base_year
    return ceiling[:, None] * expit(rate[:, None] * d + logit(start / ceiling)[:, None])


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_logistic(sizes, repeats):
    rng = np.random.default_rng(0)
    years = np.arange(2024, 2051)  # 27 years
    rows = []
    for n in sizes:
        start = rng.uniform(0.01, 0.05, n)
        ceiling = rng.uniform(0.3, 0.9, n)
        rate = rng.uniform(0.1, 1.0, n)

        def ours():
            return logistic.evaluate(years, base_year=2024, start=start, ceiling=ceiling, rate=rate)

        def bare():
            return numpy_logistic(years, 2024, start, ceiling, rate)

        np.testing.assert_allclose(ours(), bare(), rtol=1e-12)
        # interleave the two so that drift in machine load hits both alike
        t_ours, t_bare = [], []
        for _ in range(repeats):
            t_bare.append(best_of(bare, 1))
            t_ours.append(best_of(ours, 1))
        rows.append(
            {
                "n": n,
                "years": len(years),
                "projection_s": min(t_ours),
                "numpy_s": min(t_bare),
                "ratio": min(t_ours) / min(t_bare),
            }
        )
        print(f"logistic  N={n:>9,}  projection/numpy = {rows[-1]['ratio']:.2f}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    repeats = 3 if args.quick else 7
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "numpy": np.__version__},
        "logistic_vs_numpy": bench_logistic(sizes, repeats),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "models.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
