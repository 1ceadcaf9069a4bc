"""One measured run in a fresh interpreter (started by ``run.py`` through a small launcher).

    python benchmarks/_memory_child.py import
    python benchmarks/_memory_child.py run --indicators 4 --n 1000000 [--workers W] [--chunk C]

``import`` only imports projection (the baseline resident set size); ``run`` also runs the
synthetic ensemble of ``_workloads.synthetic_mapping`` with quantile bands and target
probabilities. Prints one JSON line: the time of the run and a few results (so that the run
cannot be optimised away and the figures can be checked). The peak memory is read by the
launcher, which waits for this process: ``getrusage(RUSAGE_CHILDREN).ru_maxrss``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["import", "run"])
    parser.add_argument("--indicators", type=int, default=4)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=None)
    args = parser.parse_args()

    t0 = time.perf_counter()
    import projection

    out: dict = {"import_s": time.perf_counter() - t0}
    if args.what == "run":
        from _workloads import probability, synthetic_mapping

        kwargs: dict = {"samples": args.n, "seed": 1}
        accepted = inspect.signature(projection.run).parameters
        if args.workers is not None:
            if "workers" not in accepted:
                raise SystemExit("projection.run has no `workers` keyword")
            kwargs["workers"] = args.workers
        if args.chunk is not None:
            kwargs["chunk_size"] = args.chunk
        mapping = synthetic_mapping(args.indicators)
        t0 = time.perf_counter()
        e = projection.run(mapping, **kwargs)
        out["run_s"] = time.perf_counter() - t0
        out["n"] = e.n
        out["indicators"] = len(e.bands)
        out["years"] = len(e.years)
        out["p_met"] = {tid: probability(e, tid) for tid in e.target_met}
        out["stride"] = int(getattr(e, "stride", 1))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
