"""Figure 8: ``projection.run(paper-targets, samples=N)`` against hand-written numpy.

The reference is the shipped scenario ``scenarios/paper-targets.yaml`` (which extends
``scenarios/common/base.yaml``) written out by hand in plain numpy and scipy: every number,
unit conversion, formula and check typed in below, nothing read from projection. It produces
what an :class:`~projection.engine.Ensemble` reports:

* per indicator and year the 5/50/95 % quantiles (numpy's ``inverted_cdf``, read from every
  ``ceil(N / 131072)``-th member, the engine's systematic subsample), the median and the mean
  over all members;
* per target the number of members meeting it in its year and the histogram of the first year
  each member meets it (``T`` for never);
* per constraint the number of members violating it in each year, and the worst member's
  left side, right side and margin per year;
* per indicator and year the members above its cap (a share's 100 %, within the tolerance) and
  below 0 (what the engine's notes say), shares of a growth family clipped to [0, 100 %].

Every comparison allows the engine's relative tolerance ``RTOL = 1e-9``, written as the
formulas of ``projection.engine.tolerance`` state it.

Two ways in:

* :func:`reference` draws for itself: a Latin hypercube from ``scipy.stats.qmc`` per block of
  65,536 members, each seeded ``SeedSequence(seed, spawn_key=(block,))`` as projection seeds
  its blocks, turned into values with ``scipy.stats`` ``ppf`` (truncated normal, triangular),
  by hand (uniform, choice). So its draws are projection's numbers and every output can be
  compared with projection's, at any N. This is the contender of the headline ratio.
* :func:`reference_given` takes the draws (projection's own, from
  ``projection.engine.sampling.sample``) and only evaluates and summarises: the timing of the
  numpy side without sampling.

:func:`check_same_numbers` asserts on a small ensemble that the draws and every member agree
with projection's to 1e-12 relative, and :func:`compare` that every output does; both raise
``AssertionError`` on a disagreement, so the benchmark fails loudly rather than time two
different computations.
"""

from __future__ import annotations

import cProfile
import math
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

ROOT = Path(__file__).resolve().parents[1]
#: paper-targets as it stood before issue 16 added the fleet, solar imports, T3 and T4 (7
#: indicators, 5 targets, 2 constraints): the model written out below. A frozen copy (tests use
#: it too), so the shipped scenario can grow without the hand-written side falling behind.
SCENARIO = ROOT / "tests" / "data" / "frozen" / "paper-targets.yaml"

#: 2025 to 2040, one year apart; every family's base year is 2025.
YEARS = np.arange(2025, 2041)
T = len(YEARS)
D = (YEARS - 2025).astype(float)
#: Members drawn per block, and the largest quantile subsample (projection's BLOCK and KEEP).
BLOCK = 2**16
KEEP = 2**17
QUANTILES = (0.05, 0.5, 0.95)
#: Relative tolerance of every comparison with a bound.
RTOL = 1e-9
#: Smallest and largest uniform number handed to a continuous ppf.
U_MIN = 1e-15

# The uncertain inputs in the order of the hypercube's columns (their dotted paths, sorted).
DEMAND_RATE = "indicators.electricity_demand.params.rate"
EV_CEILING = "indicators.ev_sales_share.params.ceiling"
EV_RATE = "indicators.ev_sales_share.params.rate"
EV_START = "indicators.ev_sales_share.params.start"
OFC_YEAR_4T = "indicators.ofc_capacity.milestones.1.year"
OFC_YEAR_12T = "indicators.ofc_capacity.milestones.2.year"
SOLAR_CEILING = "indicators.solar_capacity.params.ceiling"
SOLAR_RATE = "indicators.solar_capacity.params.rate"
SOLAR_CF = "indicators.solar_share.params.capacity_factor"
INPUTS = (
    DEMAND_RATE,
    EV_CEILING,
    EV_RATE,
    EV_START,
    OFC_YEAR_4T,
    OFC_YEAR_12T,
    SOLAR_CEILING,
    SOLAR_RATE,
    SOLAR_CF,
)

#: Indicator -> its upper bound: 100 for a share in %, inf otherwise.
CAPS = {
    "electricity_demand": math.inf,
    "ev_sales_share": 100.0,
    "ofc_capacity": math.inf,
    "ofc_traffic": math.inf,
    "ofc_utilisation": 100.0,
    "solar_capacity": math.inf,
    "solar_share": 100.0,
}
NAMES = sorted(CAPS)
#: Target -> (indicator, column of its year, required "at least" value in the indicator's unit).
TARGETS = {
    "T1": ("ev_sales_share", 2030 - 2025, 30.0),  # 30 %
    "T2a": ("ofc_capacity", 2026 - 2025, 450.0),  # 450 Gbps
    "T2b": ("ofc_traffic", 2027 - 2025, 1000.0),  # 1 Tbps
    "T2c": ("ofc_capacity", 2028 - 2025, 4000.0),  # 4 Tbps
    "T2d": ("ofc_capacity", 2032 - 2025, 12000.0),  # 12 Tbps
}

#: Constraint -> (left side, right side) of ``left <= right``: indicators, or a number in the
#: left side's unit.
CONSTRAINTS: dict[str, tuple[str, Any]] = {
    "traffic_within_capacity": ("ofc_traffic", "ofc_capacity"),  # Gbps <= Gbps
    "solar_within_demand": ("solar_share", 100.0),  # % <= 100 %
}


# --- draws --------------------------------------------------------------------------------------


def _truncnorm(mean: float, sd: float, lower: float, upper: float) -> Any:
    return stats.truncnorm((lower - mean) / sd, (upper - mean) / sd, loc=mean, scale=sd)


def _triangular(lower: float, mode: float, upper: float) -> Any:
    return stats.triang((mode - lower) / (upper - lower), loc=lower, scale=upper - lower)


def values_from_uniforms(u: np.ndarray) -> dict[str, np.ndarray]:
    """Uniform numbers (n, 9) -> the nine inputs, each by its distribution's ppf."""
    c = np.clip(u, U_MIN, 1.0 - U_MIN)  # a continuous ppf never sees 0 or 1
    return {
        DEMAND_RATE: c[:, 0] * (0.05 - 0.01) + 0.01,  # uniform 1-5 %/yr
        EV_CEILING: c[:, 1] * (80.0 - 40.0) + 40.0,  # uniform 40-80 %
        EV_RATE: np.clip(_truncnorm(0.70, 0.15, 0.3, 1.2).ppf(c[:, 2]), 0.3, 1.2),
        EV_START: _triangular(1.0, 2.0, 4.0).ppf(c[:, 3]),  # %
        OFC_YEAR_4T: np.array([2028.0, 2029.0])[np.minimum((u[:, 4] * 2).astype(int), 1)],
        OFC_YEAR_12T: np.array([2030.0, 2031.0, 2032.0, 2033.0])[
            np.minimum((u[:, 5] * 4).astype(int), 3)
        ],
        SOLAR_CEILING: c[:, 6] * (200.0 - 100.0) + 100.0,  # uniform 100-200 GW
        SOLAR_RATE: np.clip(_truncnorm(0.31, 0.06, 0.15, 0.5).ppf(c[:, 7]), 0.15, 0.5),
        SOLAR_CF: _triangular(0.08, 0.10, 0.16).ppf(c[:, 8]),
    }


def uniforms(n: int, seed: int) -> np.ndarray:
    """(n, 9) uniform numbers: a Latin hypercube per block of 65,536 members, seeded per block."""
    blocks = []
    for b in range(-(-n // BLOCK)):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        blocks.append(qmc.LatinHypercube(d=len(INPUTS), rng=rng).random(min(BLOCK, n - b * BLOCK)))
    return np.concatenate(blocks)


# --- members ------------------------------------------------------------------------------------


def _counts(x: np.ndarray, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Members per year above ``cap`` (beyond the tolerance) and below 0."""
    above = (x - cap > RTOL * np.maximum(abs(cap), np.abs(x))).sum(axis=0)
    return above, (x < 0).sum(axis=0)


def members(draws: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Every indicator, (n, T) (``ofc_traffic``, fixed, (T,)), and the out-of-bounds counts."""
    col = {k: np.asarray(v, dtype=float)[:, None] for k, v in draws.items()}
    d = D
    out: dict[str, np.ndarray] = {}
    bounds: dict[str, Any] = {}
    # electricity demand, TWh: exponential from 140 TWh
    out["electricity_demand"] = 140.0 * np.exp(col[DEMAND_RATE] * d)
    # EV share of sales, %: logistic, clipped to [0, 100 %]
    s, c, r = col[EV_START], col[EV_CEILING], col[EV_RATE]
    ev = c / (1.0 + np.exp(-(r * d + np.log(s / (c - s)))))
    bounds["ev_sales_share"] = _counts(ev, 100.0)
    out["ev_sales_share"] = np.clip(ev, 0.0, 100.0)
    # cable capacity, Gbps: steps 450 Gbps -> 1 Tbps (2026) -> 4 Tbps -> 12 Tbps
    t = YEARS.astype(float)
    out["ofc_capacity"] = np.where(
        t >= col[OFC_YEAR_12T],
        12.0 * 1000.0,
        np.where(t >= col[OFC_YEAR_4T], 4.0 * 1000.0, np.where(t >= 2026.0, 1.0 * 1000.0, 450.0)),
    )
    # cable traffic, Gbps: exponential from 480 Gbps at 0.37/yr bent under 12 Tbps (k = 4)
    k, y0, cap = 4.0, 480.0, 12.0 * 1000.0
    x0 = y0 / (1.0 - (y0 / cap) ** k) ** (1.0 / k)
    out["ofc_traffic"] = cap * (1.0 + (cap / (x0 * np.exp(0.37 * d))) ** k) ** (-1.0 / k)
    # utilisation, %: traffic / capacity (not clipped)
    out["ofc_utilisation"] = out["ofc_traffic"] / out["ofc_capacity"] * 100.0
    # solar capacity, GW: Gompertz from 39 GW
    c, r = col[SOLAR_CEILING], col[SOLAR_RATE]
    out["solar_capacity"] = c * np.exp(np.log(39.0 / c) * np.exp(-r * d))
    # solar share, %: GW x capacity factor x 8760 h / TWh = 1e-3, times 100 for % (not clipped)
    out["solar_share"] = (
        out["solar_capacity"] * col[SOLAR_CF] * 8760.0 / out["electricity_demand"] * 0.1
    )
    for name in NAMES:
        if name not in bounds:
            bounds[name] = _counts(out[name], CAPS[name])
    return out, bounds


# --- summaries ----------------------------------------------------------------------------------


def _holds_at_least(x: np.ndarray, required: float) -> np.ndarray:
    return x >= required - RTOL * np.maximum(abs(required), np.abs(x))


def _violated(lhs: np.ndarray, rhs: np.ndarray, margin: np.ndarray) -> np.ndarray:
    return margin < -RTOL * np.maximum(np.abs(lhs), np.abs(rhs))


def summarise(m: dict[str, np.ndarray], bounds: dict[str, Any], n: int) -> dict[str, Any]:
    """What the Ensemble reports, from every member (see the module's docstring)."""
    stride = max(1, -(-n // KEEP))
    full = {name: np.broadcast_to(x, (n, T)) for name, x in m.items()}
    bands, mean = {}, {}
    for name in NAMES:
        x = full[name]
        mean[name] = x.mean(axis=0)
        # one partition per year along contiguous memory (as figure 1's numpy reference does)
        sub = np.ascontiguousarray(x[::stride].T)
        bands[name] = np.quantile(sub, QUANTILES, axis=1, method="inverted_cdf")
    met, first = {}, {}
    for tid, (name, column, required) in TARGETS.items():
        ok = _holds_at_least(full[name], required)
        met[tid] = int(ok[:, column].sum())
        index = np.where(ok.any(axis=1), ok.argmax(axis=1), T)
        first[tid] = np.bincount(index, minlength=T + 1)
    violations, worst = {}, {}
    cols = np.arange(T)
    for cid, (left, right) in CONSTRAINTS.items():
        lhs, rhs = full[left], np.broadcast_to(full.get(right, right), (n, T))
        margin = rhs - lhs
        violations[cid] = _violated(lhs, rhs, margin).sum(axis=0)
        at = margin.argmin(axis=0)
        worst[cid] = np.stack([lhs[at, cols], rhs[at, cols], margin[at, cols]])
    return {
        "n": n,
        "stride": stride,
        "bands": bands,
        "median": {name: q[1] for name, q in bands.items()},
        "mean": mean,
        "met": met,
        "first": first,
        "violations": violations,
        "worst": worst,
        "above": {name: bounds[name][0] for name in NAMES},
        "below": {name: bounds[name][1] for name in NAMES},
    }


def reference(n: int, seed: int) -> dict[str, Any]:
    """The whole computation by hand: draws, members, summaries."""
    m, bounds = members(values_from_uniforms(uniforms(n, seed)))
    return summarise(m, bounds, n)


def reference_given(draws: dict[str, np.ndarray]) -> dict[str, Any]:
    """Members and summaries from given draws (no sampling)."""
    n = len(draws[INPUTS[0]])
    m, bounds = members(draws)
    return summarise(m, bounds, n)


def reference_blocked(
    n: int, seed: int, draws: dict[str, np.ndarray] | None = None
) -> dict[str, Any]:
    """The same computation one block of 65,536 members at a time (drawn by hand, or cut from
    ``draws``): per block the members, then sums and counts, the worst constraint member and the
    members of the quantile subsample; combined at the end. Memory stays at a block's arrays
    instead of every member's."""
    stride = max(1, -(-n // KEEP))
    sums = {name: np.zeros(T) for name in NAMES}
    kept: dict[str, list[np.ndarray]] = {name: [] for name in NAMES}
    met = dict.fromkeys(TARGETS, 0)
    first = {tid: np.zeros(T + 1, dtype=np.int64) for tid in TARGETS}
    violations = {cid: np.zeros(T, dtype=np.int64) for cid in CONSTRAINTS}
    worst = {cid: np.full((3, T), np.inf) for cid in CONSTRAINTS}
    above = {name: np.zeros(T, dtype=np.int64) for name in NAMES}
    below = {name: np.zeros(T, dtype=np.int64) for name in NAMES}
    cols = np.arange(T)
    for b in range(-(-n // BLOCK)):
        lo, hi = b * BLOCK, min(n, (b + 1) * BLOCK)
        if draws is None:
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
            u = qmc.LatinHypercube(d=len(INPUTS), rng=rng).random(hi - lo)
            block = values_from_uniforms(u)
        else:
            block = {k: v[lo:hi] for k, v in draws.items()}
        m, bounds = members(block)
        full = {name: np.broadcast_to(x, (hi - lo, T)) for name, x in m.items()}
        keep = slice((-lo) % stride, hi - lo, stride)  # members lo + i with (lo + i) % stride == 0
        for name in NAMES:
            sums[name] += full[name].sum(axis=0)
            kept[name].append(full[name][keep])
            above[name] += bounds[name][0]
            below[name] += bounds[name][1]
        for tid, (name, column, required) in TARGETS.items():
            ok = _holds_at_least(full[name], required)
            met[tid] += int(ok[:, column].sum())
            first[tid] += np.bincount(
                np.where(ok.any(axis=1), ok.argmax(axis=1), T), minlength=T + 1
            )
        for cid, (left, right) in CONSTRAINTS.items():
            lhs, rhs = full[left], np.broadcast_to(full.get(right, right), (hi - lo, T))
            margin = rhs - lhs
            violations[cid] += _violated(lhs, rhs, margin).sum(axis=0)
            at = margin.argmin(axis=0)
            better = margin[at, cols] < worst[cid][2]  # ties: the earlier block's member
            candidate = np.stack([lhs[at, cols], rhs[at, cols], margin[at, cols]])
            worst[cid][:, better] = candidate[:, better]
    bands = {}
    for name in NAMES:
        sub = np.ascontiguousarray(np.concatenate(kept[name]).T)
        bands[name] = np.quantile(sub, QUANTILES, axis=1, method="inverted_cdf")
    return {
        "n": n,
        "stride": stride,
        "bands": bands,
        "median": {name: q[1] for name, q in bands.items()},
        "mean": {name: sums[name] / n for name in NAMES},
        "met": met,
        "first": first,
        "violations": violations,
        "worst": worst,
        "above": above,
        "below": below,
    }


# --- checks -------------------------------------------------------------------------------------


def _rel(a: Any, b: Any, scale: Any = None) -> float:
    """Largest ``|a - b| / |scale|`` (``scale``: ``b`` itself unless given)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise AssertionError(f"shapes differ: {a.shape} against {b.shape}")
    if a.size == 0:
        return 0.0
    scale = np.abs(b if scale is None else np.asarray(scale, dtype=float))
    return float(np.max(np.abs(a - b) / np.maximum(scale, np.finfo(float).tiny)))


def _close(what: str, a: Any, b: Any, rtol: float, scale: Any = None) -> float:
    r = _rel(a, b, scale)
    if not r <= rtol:
        raise AssertionError(
            f"hand-written numpy and projection disagree: {what} differs by {r:.3g} relative "
            f"(allowed {rtol:g})\n  numpy:      {np.asarray(a)!r}\n  projection: {np.asarray(b)!r}"
        )
    return r


def _equal(what: str, a: Any, b: Any) -> None:
    if not np.array_equal(np.asarray(a), np.asarray(b)):
        raise AssertionError(
            f"hand-written numpy and projection disagree: {what}\n  numpy:      {a!r}\n"
            f"  projection: {b!r}"
        )


def compare(ref: dict[str, Any], e: Any, rtol: float = 1e-12) -> dict[str, float]:
    """Every output of :func:`summarise` against the Ensemble ``e``; raises on a disagreement.
    Quantiles, medians and the worst constraint members to ``rtol`` relative (they are members),
    means to ``max(rtol, n eps)``, counts exactly. Returns the largest differences found."""
    from projection.engine.notes import bound_notes

    n = ref["n"]
    _equal("ensemble size", n, e.n)
    _equal("quantile subsample stride", ref["stride"], e.stride)
    _equal("quantiles", QUANTILES, tuple(e.quantiles))
    # a mean sums n members: summed in another order it moves by up to about n ulps (numpy sums
    # axis 0 of an (n, T) array row by row, projection block by block)
    mean_rtol = max(rtol, n * np.finfo(float).eps)
    worst: dict[str, float] = {"bands": 0.0, "median": 0.0, "mean": 0.0, "constraint_worst": 0.0}
    for name in NAMES:
        worst["bands"] = max(
            worst["bands"], _close(f"{name} bands", ref["bands"][name], e.bands[name], rtol)
        )
        worst["median"] = max(
            worst["median"], _close(f"{name} median", ref["median"][name], e.median[name], rtol)
        )
        worst["mean"] = max(
            worst["mean"], _close(f"{name} mean", ref["mean"][name], e.mean[name], mean_rtol)
        )
    for tid in TARGETS:
        _equal(f"members meeting {tid}", ref["met"][tid], int(e.target_met[tid]))
        _equal(f"first year {tid} is met", ref["first"][tid], e.first_year_counts[tid])
    found = {v.constraint: v for v in e.violations}
    for cid, counts in ref["violations"].items():
        _equal(f"members violating {cid}", counts, np.rint(e.violation_share[cid] * n).astype(int))
        bad = counts > 0
        if bad.any():
            v = found[cid]
            _equal(f"years {cid} fails", YEARS[bad], v.years)
            # a margin is a difference: its rounding is relative to the larger side
            size = np.maximum(np.abs(v.lhs), np.abs(v.rhs))
            for i, side in enumerate(("lhs", "rhs", "margin")):
                worst["constraint_worst"] = max(
                    worst["constraint_worst"],
                    _close(
                        f"{cid} worst {side}",
                        ref["worst"][cid][i][bad],
                        getattr(v, side),
                        rtol,
                        size if side == "margin" else None,
                    ),
                )
        else:
            _equal(f"{cid} listed as violated", cid in found, False)
    above = {k: v for k, v in ref["above"].items() if v.any()}
    below = {k: v for k, v in ref["below"].items() if v.any()}
    derived = {"ofc_utilisation", "solar_share"}
    notes = bound_notes(NAMES, YEARS, above, below, n, derived=derived, step=1)
    theirs = [x for x in e.notes if not x.startswith("quantiles read from")]
    _equal("notes on values out of bounds", notes, theirs)
    return worst


def check_same_numbers(n: int = 2000, seed: int = 1, rtol: float = 1e-12) -> dict[str, Any]:
    """On ``n`` members: the hand-drawn inputs are projection's draws, and every member of every
    indicator (from them, and from projection's own draws) equals projection's to ``rtol``
    relative; then every summary agrees. Raises ``AssertionError`` otherwise."""
    import projection

    e = projection.run(SCENARIO, samples=n, seed=seed, workers=1, keep_samples=True)
    if e.draws is None or e.members is None:
        raise AssertionError("the ensemble kept neither its draws nor its members")
    _equal("uncertain inputs", sorted(e.draws), list(INPUTS))
    ours = values_from_uniforms(uniforms(n, seed))
    draws_diff = max(_close(f"draws of {p}", ours[p], e.draws[p], rtol) for p in INPUTS)
    diff: dict[str, float] = {}
    for label, draws in (("own draws", ours), ("projection's draws", e.draws)):
        m, _ = members(draws)
        diff[label] = max(
            _close(
                f"members of {name} ({label})",
                np.broadcast_to(m[name], (n, T)),
                e.members[name],
                rtol,
            )
            for name in NAMES
        )
    summaries = compare(reference(n, seed), e, rtol)
    return {
        "n": n,
        "seed": seed,
        "rtol": rtol,
        "draws_max_rel_diff": draws_diff,
        "members_max_rel_diff_own_draws": diff["own draws"],
        "members_max_rel_diff_projection_draws": diff["projection's draws"],
        "summaries_max_rel_diff": summaries,
    }


# --- timing -------------------------------------------------------------------------------------


def _spread(xs: list[float]) -> dict[str, float]:
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}


#: What each contender of :func:`bench_paper` counts.
CONTENDERS = {
    "projection": "projection.run(path, workers=1): load, compile, draw, evaluate, summarise",
    "numpy": "by hand, whole (N, T) arrays: draw (LHS + scipy ppf), evaluate, summarise",
    "numpy_blocked": "by hand, 65,536 members at a time: draw, evaluate, summarise",
    "numpy_blocked_given_draws": "by hand, in blocks, on projection's draws: evaluate, summarise",
}


def bench_paper(n: int, rounds: int, seed: int = 1) -> dict[str, Any]:
    """CPU time (``time.process_time``, this process) of each contender, interleaved, ``rounds``
    rounds, one worker; the outputs of the last round compared with projection's."""
    import projection
    from projection.engine.sampling import sample

    scenario = projection.load_scenario(SCENARIO)
    given = sample(scenario, n, seed=seed)  # projection's draws, not timed

    def contenders(n: int, draws: dict[str, np.ndarray]) -> dict[str, Callable[[], Any]]:
        return {
            "projection": lambda: projection.run(SCENARIO, samples=n, seed=seed, workers=1),
            "numpy": lambda: reference(n, seed),
            "numpy_blocked": lambda: reference_blocked(n, seed),
            "numpy_blocked_given_draws": lambda: reference_blocked(n, seed, draws),
        }

    small = sample(scenario, 10_000, seed=seed)
    for fn in contenders(10_000, small).values():  # warm up: imports, scipy, the unit cache
        fn()
    fns = contenders(n, given)
    seen: dict[str, Any] = {}
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t0 = time.process_time()
            seen[name] = fn()
            times[name].append(time.process_time() - t0)
    same = {k: compare(seen[k], seen["projection"]) for k in fns if k != "projection"}
    ratios = {
        k: {
            "of_minima": min(times["projection"]) / min(times[k]),
            "of_medians": statistics.median(times["projection"]) / statistics.median(times[k]),
            "per_round": _spread([p / q for p, q in zip(times["projection"], times[k])]),
        }
        for k in fns
        if k != "projection"
    }
    return {
        "n": n,
        "rounds": rounds,
        "seed": seed,
        "workers": 1,
        "clock": "time.process_time (CPU time of this process, user + system)",
        "contenders": CONTENDERS,
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        "ratios": ratios,
        "outputs_max_rel_diff": same,
        "goal": "projection / hand-written numpy <= 1.0 at N = 1e6, one worker",
        "met": ratios["numpy"]["of_minima"] <= 1.0,
        "met_against_blocked": ratios["numpy_blocked"]["of_minima"] <= 1.0,
    }


def _stages() -> list[tuple[str, Any]]:
    """Stages of a run: (label, which profiled functions' cumulative time it is). Functions of
    projection are recognised by their code object (file, first line, name). A pair (match,
    file) counts only the time of the calls made from code in ``file`` (the ppf calls of the
    sampler, not those of a subclass's ppf calling its base's, nor of validation)."""
    from projection.engine import blocks, compiled, ensemble, nodes, runner, sampling
    from projection.models import family
    from projection.scenario import distributions

    def code(*fns: Any) -> Callable[[str, int, str], bool]:
        keys = {
            (f.__code__.co_filename, f.__code__.co_firstlineno, f.__code__.co_name) for f in fns
        }
        return lambda f, line, name: (f, line, name) in keys

    ppfs = {
        cls.ppf
        for cls in vars(distributions).values()
        if isinstance(cls, type) and "ppf" in vars(cls)
    }
    return [
        ("load and compile the scenario", code(compiled.compile_scenario)),
        ("point projection (the run without samples)", code(runner.project)),
        ("sampling", code(sampling.sample_block)),
        ("  Latin hypercube (scipy.stats.qmc)", code(sampling._lhs)),
        ("  ppf of the distributions (scipy.stats)", (code(*ppfs), "engine/sampling.py")),
        (
            "evaluate every indicator (CompiledScenario.evaluate)",
            code(compiled.CompiledScenario.evaluate),
        ),
        ("  input domain checks (check_domain)", code(compiled.check_domain)),
        ("  growth families (Family.evaluate)", code(family.Family.evaluate)),
        ("    parameter checks (Family._prepare)", code(family.Family._prepare)),
        (
            "    kernels (_kernel)",
            lambda f, line, name: "/projection/models/" in f and name == "_kernel",
        ),
        ("  derived indicators (DerivedNode.evaluate)", code(nodes.DerivedNode.evaluate)),
        ("  bounds: count and clip (bound)", code(nodes.bound)),
        ("targets (_target_counts)", code(blocks._target_counts)),
        ("constraints (_constraint_counts)", code(blocks._constraint_counts)),
        ("combine blocks, quantiles, notes (_combine)", code(ensemble._combine)),
        ("  quantiles (row_quantiles)", lambda f, line, name: name == "row_quantiles"),
    ]


def profile_run(n: int, seed: int = 1) -> dict[str, Any]:
    """One ``projection.run(paper-targets, samples=n, workers=1)`` under cProfile: cumulative
    time per stage (indented stages are part of the one above; the rest of a block, summing and
    keeping members, is not listed), and the functions with the most time of their own."""
    import projection

    projection.run(SCENARIO, samples=min(n, 1000), seed=seed, workers=1)  # imports
    prof = cProfile.Profile()
    t0 = time.process_time()
    prof.enable()
    projection.run(SCENARIO, samples=n, seed=seed, workers=1)
    prof.disable()
    cpu = time.process_time() - t0
    raw = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = max(v[3] for v in raw.values())
    stages = []
    for label, match in _stages():
        if isinstance(match, tuple):
            match, caller = match
            s = sum(
                ct
                for key, v in raw.items()
                if match(*key)
                for where, (_, _, _, ct) in v[4].items()
                if where[0].endswith(caller)
            )
        else:
            s = sum(v[3] for key, v in raw.items() if match(*key))
        stages.append({"stage": label, "s": s, "share": s / total if total else 0.0})
    own = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:10]
    top = [
        {
            "function": f"{Path(f).parent.name}/{Path(f).name}:{line}({name})"
            if f.startswith(("/", ".")) or "/" in f
            else name,
            "calls": v[1],
            "own_s": v[2],
            "cumulative_s": v[3],
        }
        for (f, line, name), v in own
    ]
    return {"n": n, "profiled_s": total, "cpu_s_under_profile": cpu, "stages": stages, "top": top}
