"""Figure 2, paper-targets: EMA Workbench (and SALib) against projection on the same model.

EMA Workbench calls its model once per experiment with one value per uncertainty. The model
function here, :func:`ema_paper_targets`, is :mod:`_paper_numpy`'s hand-written numpy version
of ``scenarios/paper-targets.yaml`` (asserted member for member equal to projection's, figure
8) called with arrays of length 1: the same formulas, units and tolerance. Its outcomes are
the five targets met (0/1, in their year) and each constraint's violation per year (0/1, 16
years). EMA's cost per experiment is mostly this function's: numpy on arrays of length 1
pays numpy's per-call overhead some 60 times per experiment, so every comparison also times
:func:`ema_paper_targets_scalar`, the same model in plain Python floats, as the cheaper (for
EMA) variant; the goals are judged on the first, as the issue asks, and both are reported.
:func:`check_same_model` asserts on projection's own draws that summing either function's
outcomes over the members gives projection's target and violation counts exactly.

The nine uncertainties have the scenario's distributions: ``RealParameter`` for the uniforms,
``RealParameter.from_dist`` with the same frozen ``scipy.stats`` truncated normals and
triangulars as :mod:`_paper_numpy` (EMA samples them through their ``ppf``), and
``IntegerParameter`` for the two milestone years, which are choices among equally likely
consecutive years (EMA: a uniform integer in [lower, upper], the same distribution). What
differs is the design: EMA draws one Latin hypercube over all its experiments with
``scipy.stats.qmc`` (seeded ``rng=1``), projection one per block of 65,536 members with its
own seeding and its own inverse CDFs; so the two ensembles are different samples of the same
distribution, and their target probabilities agree to sampling error (reported), not bit for
bit.

Three comparisons, CPU time (``time.process_time``) of this process, contenders interleaved,
min/median/max over rounds:

a. throughput: EMA ``perform_experiments`` (``SequentialEvaluator``) at ``n_ema`` experiments
   against ``projection.run(paper-targets, samples=n_projection, seed=1, workers=1)``;
   experiments (members) per CPU-second. Goal >= 100x.
b. the same at equal N. Goal >= 50x. If EMA's predicted time at that N exceeds a limit, EMA is
   timed at a smaller N and its time scaled linearly (labelled as an extrapolation).
c. a whole answer: EMA's documented Sobol route (``uncertainty_sampling="sobol"``: SALib's
   Saltelli/Sobol' sequence sampling of ``n_base`` base samples, second order off, mapped
   through each uncertainty's ``ppf``; evaluated by ``perform_experiments``) followed by SALib
   ``sobol.analyze`` for each of the five targets (bootstrap intervals, SALib's defaults:
   100 resamples, 95 %), against ``projection.run(samples=n_base * (d + 2))`` (an ensemble of
   as many members as EMA ran experiments) plus ``projection.sensitivity(paper-targets,
   n=n_base, seed=1)`` (every target from one Saltelli design, asymptotic intervals).
   Goal >= 30x.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from _paper_numpy import (
    CONSTRAINTS,
    DEMAND_RATE,
    EV_CEILING,
    EV_RATE,
    EV_START,
    INPUTS,
    OFC_YEAR_4T,
    OFC_YEAR_12T,
    SCENARIO,
    SOLAR_CEILING,
    SOLAR_CF,
    SOLAR_RATE,
    TARGETS,
    T,
    _holds_at_least,
    _triangular,
    _truncnorm,
    _violated,
    members,
)

#: EMA's names for the nine uncertain inputs (identifiers), and the scenario's dotted paths.
SHORT = {
    "demand_rate": DEMAND_RATE,
    "ev_ceiling": EV_CEILING,
    "ev_rate": EV_RATE,
    "ev_start": EV_START,
    "ofc_year_4t": OFC_YEAR_4T,
    "ofc_year_12t": OFC_YEAR_12T,
    "solar_ceiling": SOLAR_CEILING,
    "solar_rate": SOLAR_RATE,
    "solar_cf": SOLAR_CF,
}
assert tuple(SHORT.values()) == INPUTS

#: How each uncertainty is given to EMA, against the scenario (written for the JSON).
UNCERTAINTIES = {
    "demand_rate": "RealParameter(0.01, 0.05): uniform, as the scenario",
    "ev_ceiling": "RealParameter(40, 80): uniform, as the scenario",
    "ev_rate": "RealParameter.from_dist(truncnorm(mean 0.70, sd 0.15, [0.3, 1.2])): as the scenario",
    "ev_start": "RealParameter.from_dist(triang(1, 2, 4)): as the scenario",
    "ofc_year_4t": "IntegerParameter(2028, 2029): uniform integer = the scenario's choice [2028, 2029]",
    "ofc_year_12t": "IntegerParameter(2030, 2033): uniform integer = the scenario's choice [2030..2033]",
    "solar_ceiling": "RealParameter(100, 200): uniform, as the scenario",
    "solar_rate": "RealParameter.from_dist(truncnorm(mean 0.31, sd 0.06, [0.15, 0.5])): as the scenario",
    "solar_cf": "RealParameter.from_dist(triang(0.08, 0.10, 0.16)): as the scenario",
}

#: What each contender counts.
CONTENDERS = {
    "ema": (
        "EMA Workbench perform_experiments, SequentialEvaluator: Latin hypercube over the 9 "
        "uncertainties, one model call per experiment (hand-written numpy on arrays of length "
        "1: every indicator, 16 years), outcomes 5 targets met (0/1) and 2 constraints "
        "violated per year (0/1 x 16), gathered into a DataFrame and arrays"
    ),
    "ema_scalar": (
        "the same with the model written in plain Python floats (math.exp, lists over the 16 "
        "years, every indicator): no numpy call per experiment but the two outcome arrays"
    ),
    "projection": (
        "projection.run(paper-targets.yaml, samples=N, seed=1, workers=1): load, compile, "
        "draw, evaluate every indicator, 5/50/95 % bands, medians and means of 7 indicators "
        "x 16 years, 5 targets met and the first year met, 2 constraints per year with the "
        "worst member, bound notes"
    ),
    "ema_salib": (
        "EMA perform_experiments(uncertainty_sampling='sobol', calc_second_order=False): "
        "SALib Sobol'-sequence Saltelli design of n_base x (9 + 2) experiments mapped through "
        "each uncertainty's ppf, evaluated one by one; then SALib sobol.analyze "
        "(calc_second_order=False, bootstrap: 100 resamples, 95 %) for each of the 5 targets"
    ),
    "ema_scalar_salib": "the same with the plain-float model function",
    "projection_answer": (
        "projection.run(paper-targets, samples=n_base x (9 + 2), seed=1, workers=1) + "
        "projection.sensitivity(paper-targets, n=n_base, seed=1): every target's first and "
        "total Sobol' indices with asymptotic 95 % intervals from one Saltelli design"
    ),
}


def ema_paper_targets(**x: float) -> dict[str, Any]:
    """paper-targets for one experiment: the hand-written numpy model on arrays of length 1."""
    m, _ = members({path: np.array([float(x[short])]) for short, path in SHORT.items()})
    out: dict[str, Any] = {}
    for tid, (name, column, required) in TARGETS.items():
        value = np.broadcast_to(m[name], (1, T))[0, column]
        out[tid] = float(_holds_at_least(value, required))
    for cid, (left, right) in CONSTRAINTS.items():
        lhs = np.broadcast_to(m[left], (1, T))[0]
        rhs = np.broadcast_to(m.get(right, right), (1, T))[0]
        out[cid] = _violated(lhs, rhs, rhs - lhs).astype(float)
    return out


_YEARS = [2025.0 + i for i in range(T)]
_D = [float(i) for i in range(T)]
#: Cable traffic (fixed: no uncertain input), computed as :func:`_paper_numpy.members` does.
_TRAFFIC = members(dict.fromkeys(INPUTS, np.array([1.0])))[0]["ofc_traffic"].ravel().tolist()
_RTOL = 1e-9


def ema_paper_targets_scalar(**x: float) -> dict[str, Any]:
    """The same model in plain Python floats (``math``), every indicator for 16 years: what an
    EMA user would more likely write for one experiment; no numpy call per experiment but the
    two arrays EMA is handed back."""
    exp, log = math.exp, math.log
    rate = x["demand_rate"]
    demand = [140.0 * exp(rate * d) for d in _D]
    s, c, r = x["ev_start"], x["ev_ceiling"], x["ev_rate"]
    shift = log(s / (c - s))
    ev = [min(max(c / (1.0 + exp(-(r * d + shift))), 0.0), 100.0) for d in _D]
    y4, y12 = x["ofc_year_4t"], x["ofc_year_12t"]
    capacity = [
        12000.0 if t >= y12 else 4000.0 if t >= y4 else 1000.0 if t >= 2026.0 else 450.0
        for t in _YEARS
    ]
    utilisation = [q / k * 100.0 for q, k in zip(_TRAFFIC, capacity)]
    c, r, cf = x["solar_ceiling"], x["solar_rate"], x["solar_cf"]
    g = log(39.0 / c)
    solar = [c * exp(g * exp(-r * d)) for d in _D]
    share = [p * cf * 8760.0 / e * 0.1 for p, e in zip(solar, demand)]
    del utilisation  # computed as the scenario does; no outcome reads it

    def at_least(v: float, required: float) -> float:
        return float(v >= required - _RTOL * max(abs(required), abs(v)))

    def violated(lhs: list[float], rhs: list[float]) -> np.ndarray:
        return np.array([float(b - a < -_RTOL * max(abs(a), abs(b))) for a, b in zip(lhs, rhs)])

    return {
        "T1": at_least(ev[5], 30.0),
        "T2a": at_least(capacity[1], 450.0),
        "T2b": at_least(_TRAFFIC[2], 1000.0),
        "T2c": at_least(capacity[3], 4000.0),
        "T2d": at_least(capacity[7], 12000.0),
        "traffic_within_capacity": violated(_TRAFFIC, capacity),
        "solar_within_demand": violated(share, [100.0] * T),
    }


def check_same_model(n: int = 2000, seed: int = 1) -> dict[str, Any]:
    """On projection's own draws, each per-experiment EMA model function (numpy on arrays of
    length 1, and plain floats), summed over the members, gives projection's counts of members
    meeting each target and violating each constraint per year, exactly. Raises
    ``AssertionError`` otherwise."""
    import projection

    e = projection.run(SCENARIO, samples=n, seed=seed, workers=1, keep_samples=True)
    if e.draws is None:
        raise AssertionError("the ensemble did not keep its draws")
    for fn in (ema_paper_targets, ema_paper_targets_scalar):
        met = dict.fromkeys(TARGETS, 0)
        violated = {cid: np.zeros(T, dtype=int) for cid in CONSTRAINTS}
        for i in range(n):
            out = fn(**{s: e.draws[p][i] for s, p in SHORT.items()})
            for tid in TARGETS:
                met[tid] += int(out[tid])
            for cid in CONSTRAINTS:
                violated[cid] += out[cid].astype(int)
        for tid in TARGETS:
            if met[tid] != int(e.target_met[tid]):
                raise AssertionError(
                    f"{tid}: {fn.__name__} meets it {met[tid]} times, projection "
                    f"{e.target_met[tid]}"
                )
        for cid in CONSTRAINTS:
            theirs = np.rint(np.asarray(e.violation_share[cid]) * n).astype(int)
            if not np.array_equal(violated[cid], theirs):
                raise AssertionError(
                    f"{cid}: {fn.__name__} violations {violated[cid]} against {theirs}"
                )
    return {
        "n": n,
        "seed": seed,
        "functions": ["ema_paper_targets", "ema_paper_targets_scalar"],
        "same_target_and_violation_counts": True,
        "members_meeting": met,
        "violations_per_year": {cid: v.tolist() for cid, v in violated.items()},
    }


def _model(function: Callable[..., dict[str, Any]]) -> Any:
    from ema_workbench import (
        ArrayOutcome,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )

    model = Model("paper_targets", function=function)
    model.uncertainties = [
        RealParameter("demand_rate", 0.01, 0.05),
        RealParameter("ev_ceiling", 40.0, 80.0),
        RealParameter.from_dist("ev_rate", _truncnorm(0.70, 0.15, 0.3, 1.2)),
        RealParameter.from_dist("ev_start", _triangular(1.0, 2.0, 4.0)),
        IntegerParameter("ofc_year_4t", 2028, 2029),
        IntegerParameter("ofc_year_12t", 2030, 2033),
        RealParameter("solar_ceiling", 100.0, 200.0),
        RealParameter.from_dist("solar_rate", _truncnorm(0.31, 0.06, 0.15, 0.5)),
        RealParameter.from_dist("solar_cf", _triangular(0.08, 0.10, 0.16)),
    ]
    model.outcomes = [ScalarOutcome(tid) for tid in TARGETS] + [
        ArrayOutcome(cid) for cid in CONSTRAINTS
    ]
    return model


def _quiet() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))  # tqdm, if any
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def _top(indices: dict[str, float]) -> str | None:
    """The input with the largest index; None when there is none (a constant output: no
    variance to explain, projection says NaN, SALib 0)."""
    best = max(indices, key=lambda k: -np.inf if np.isnan(indices[k]) else indices[k])
    return best if indices[best] > 0 else None


def _spread(xs: list[float]) -> dict[str, float]:
    return {"min": min(xs), "median": statistics.median(xs), "max": max(xs)}


def _rounds(
    fns: dict[str, Callable[[], Any]],
    rounds: int,
    budget_s: float | None = None,
    split: dict[str, dict[str, list[float]]] | None = None,
) -> dict[str, list[float]]:
    """CPU seconds of each function, interleaved, ``rounds`` rounds (fewer, but at least two,
    once ``budget_s`` of CPU has gone). ``split``, if given, receives each one's user and
    system (kernel: page faults of fresh memory, mostly) CPU seconds per round."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    if split is not None:
        split.clear()
        split.update({k: {"user": [], "sys": []} for k in fns})
    spent = 0.0
    for r in range(rounds):
        for name, fn in fns.items():
            before = os.times()
            t0 = time.process_time()
            fn()
            dt = time.process_time() - t0
            after = os.times()
            times[name].append(dt)
            if split is not None:
                split[name]["user"].append(after.user - before.user)
                split[name]["sys"].append(after.system - before.system)
            spent += dt
        if budget_s is not None and r >= 1 and spent > budget_s:
            break
    return times


def _user_sys(split: dict[str, dict[str, list[float]]], fast: str, scale: float) -> dict[str, Any]:
    """User and system CPU seconds of each contender (min/median/max), and the ratios of user
    time alone against ``fast`` (information: the goals are on user + system)."""
    return {
        "cpu_user_s": {k: _spread(v["user"]) for k, v in split.items()},
        "cpu_sys_s": {k: _spread(v["sys"]) for k, v in split.items()},
        "ratio_user_time": {
            k: _ratio(v["user"], split[fast]["user"], scale) for k, v in split.items() if k != fast
        },
    }


def _ratio(slow: list[float], fast: list[float], scale: float = 1.0) -> dict[str, Any]:
    """Ratio of per-item CPU time ``slow / fast`` (``scale`` multiplies ``slow``'s times
    to the same N first)."""
    return {
        "of_minima": min(slow) * scale / min(fast),
        "of_medians": statistics.median(slow) * scale / statistics.median(fast),
        "per_round": _spread([s * scale / f for s, f in zip(slow, fast)]),
    }


def bench_ema_paper(
    *,
    n_ema: int,
    n_projection: int,
    n_equal: int,
    n_base: int,
    rounds: int,
    rounds_equal: int = 3,
    equal_limit_s: float = 180.0,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """The three comparisons (see the module's docstring), each with two EMA model functions:
    ``ema`` (the hand-written numpy model on arrays of length 1: the headline) and
    ``ema_scalar`` (the same model in plain floats). Needs ``ema_workbench`` and ``SALib``."""
    from ema_workbench import Samplers, SequentialEvaluator, perform_experiments
    from ema_workbench.em_framework.salib_samplers import get_SALib_problem
    from SALib.analyze import sobol as salib_sobol

    import projection

    for name in ("EMA", "ema_workbench"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    models = {"ema": _model(ema_paper_targets), "ema_scalar": _model(ema_paper_targets_scalar)}
    d = len(models["ema"].uncertainties)
    seen: dict[str, Any] = {}

    def ema(which: str, n: int, **kw: Any) -> tuple[Any, dict[str, np.ndarray]]:
        model = models[which]
        with _quiet(), SequentialEvaluator(model) as evaluator:
            return perform_experiments(
                model, scenarios=n, evaluator=evaluator, log_progress=True, **kw
            )

    def ema_lhs(which: str, n: int) -> None:
        _, outcomes = ema(which, n, uncertainty_sampling_kwargs={"rng": 1})
        seen[f"{which}_{n}"] = {tid: float(np.mean(outcomes[tid])) for tid in TARGETS}

    def run(n: int) -> None:
        e = projection.run(SCENARIO, samples=n, seed=1, workers=1)
        seen[f"projection_{n}"] = {tid: int(e.target_met[tid]) / n for tid in TARGETS}

    def ema_salib(which: str) -> None:
        _, outcomes = ema(
            which,
            n_base,
            uncertainty_sampling=Samplers.SOBOL,
            uncertainty_sampling_kwargs={"calc_second_order": False, "rng": 1},
        )
        problem = get_SALib_problem(models[which].uncertainties)
        with _quiet():
            seen[f"salib_{which}"] = {
                tid: salib_sobol.analyze(
                    problem, np.asarray(outcomes[tid], dtype=float), calc_second_order=False, seed=1
                )
                for tid in TARGETS
            }
        seen["salib_evaluations"] = len(outcomes[next(iter(TARGETS))])

    def answer() -> None:
        run(n_base * (d + 2))
        seen["sobol"] = projection.sensitivity(SCENARIO, n=n_base, seed=1)

    check = check_same_model()
    say(
        f"  same model: on {check['n']:,} of projection's members both EMA model functions give "
        "projection's target and violation counts exactly"
    )
    # warm up: imports, scipy, the unit cache, EMA's machinery
    for which in models:
        ema_lhs(which, 200)
    run(1000)
    projection.sensitivity(SCENARIO, n=64, seed=1)

    out: dict[str, Any] = {
        "rounds": rounds,
        "clock": "time.process_time (CPU time of this process, user + system)",
        "contenders": CONTENDERS,
        "uncertainties": UNCERTAINTIES,
        "same_model_check": check,
    }

    def line(ratios: dict[str, dict[str, Any]]) -> str:
        return "; ".join(
            f"{k}: {r['of_minima']:,.0f}x (per round "
            + " / ".join(f"{r['per_round'][x]:,.0f}" for x in ("min", "median", "max"))
            + ")"
            for k, r in ratios.items()
        )

    # a. throughput
    fns = {k: (lambda k=k: ema_lhs(k, n_ema)) for k in models}
    split: dict[str, dict[str, list[float]]] = {}
    times = _rounds(fns | {"projection": lambda: run(n_projection)}, rounds, split=split)
    ratios = {k: _ratio(times[k], times["projection"], scale=n_projection / n_ema) for k in models}
    out["throughput"] = {
        "n_ema": n_ema,
        "n_projection": n_projection,
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        **_user_sys(split, "projection", n_projection / n_ema),
        "per_cpu_s": {k: n_ema / min(times[k]) for k in models}
        | {"projection": n_projection / min(times["projection"])},
        "ratio": ratios["ema"],
        "ratio_scalar_model": ratios["ema_scalar"],
        "p_met": {k: seen[f"{k}_{n_ema}"] for k in models}
        | {"projection": seen[f"projection_{n_projection}"]},
        "goal": ">= 100x experiments per CPU-second (projection at 1e6, EMA at >= 1e4)",
        "met": ratios["ema"]["of_minima"] >= 100,
        "met_scalar_model": ratios["ema_scalar"]["of_minima"] >= 100,
        "counts_for_goal": n_projection >= 10**6 and n_ema >= 10**4,
    }
    rates = out["throughput"]["per_cpu_s"]
    say(
        f"  a. per CPU-second: EMA {rates['ema']:,.0f} (scalar model {rates['ema_scalar']:,.0f}) "
        f"at {n_ema:,}, projection {rates['projection']:,.0f} at {n_projection:,}: " + line(ratios)
    )

    # b. equal N
    predicted = statistics.median(times["ema"]) * n_equal / n_ema
    n_ema_b = n_equal if predicted <= equal_limit_s else n_ema
    fns = {k: (lambda k=k: ema_lhs(k, n_ema_b)) for k in models}
    times = _rounds(
        fns | {"projection": lambda: run(n_equal)},
        rounds_equal,
        budget_s=2 * equal_limit_s,
        split=split,
    )
    scale = n_equal / n_ema_b
    ratios = {k: _ratio(times[k], times["projection"], scale=scale) for k in models}
    out["equal_n"] = {
        "n": n_equal,
        "n_ema_timed": n_ema_b,
        "extrapolated": n_ema_b != n_equal,
        "extrapolation": (
            f"EMA timed at {n_ema_b:,} experiments (predicted {predicted:.0f} s at {n_equal:,}, "
            f"over the {equal_limit_s:.0f} s limit), its CPU time scaled x{scale:g} linearly "
            "(EMA's cost per experiment is constant)"
            if n_ema_b != n_equal
            else None
        ),
        "rounds_done": len(times["projection"]),
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        **_user_sys(split, "projection", scale),
        "ratio": ratios["ema"],
        "ratio_scalar_model": ratios["ema_scalar"],
        "goal": ">= 50x CPU time at equal N = 1e5",
        "met": ratios["ema"]["of_minima"] >= 50,
        "met_scalar_model": ratios["ema_scalar"]["of_minima"] >= 50,
        "counts_for_goal": n_equal >= 10**5,
    }
    label = f" (EMA timed at {n_ema_b:,}, EXTRAPOLATED linearly x{scale:g})" if scale != 1 else ""
    say(
        f"  b. equal N={n_equal:,}{label}: EMA {min(times['ema']) * scale:.2f} s (scalar model "
        f"{min(times['ema_scalar']) * scale:.2f} s), projection {min(times['projection']):.3f} s "
        "CPU: " + line(ratios)
    )
    user, sys_ = split["projection"]["user"], split["projection"]["sys"]
    i = times["projection"].index(min(times["projection"]))
    say(
        f"     projection's fastest round: {user[i]:.3f} s user + {sys_[i]:.3f} s system (kernel: "
        "page faults of fresh memory); on user time alone: "
        + line(out["equal_n"]["ratio_user_time"])
    )

    # c. a whole answer
    fns = {f"{k}_salib": (lambda k=k: ema_salib(k)) for k in models}
    times = _rounds(fns | {"projection_answer": answer}, rounds, split=split)
    ratios = {k: _ratio(times[f"{k}_salib"], times["projection_answer"]) for k in models}
    sobol = seen["sobol"]
    names = [SHORT_BY_PATH[p] for p in sobol.names]
    agreement = {}
    for j, tid in enumerate(sobol.outputs):
        theirs = seen["salib_ema"][tid]
        st_p = dict(zip(names, sobol.total_order[:, j].tolist()))
        st_s = dict(zip(SHORT, np.asarray(theirs["ST"]).tolist()))
        agreement[tid] = {
            "total_order_projection": st_p,
            "total_order_salib": st_s,
            "total_order_ci_salib": dict(zip(SHORT, np.asarray(theirs["ST_conf"]).tolist())),
            "top_projection": _top(st_p),
            "top_salib": _top(st_s),
        }
    out["whole_answer"] = {
        "n_base": n_base,
        "evaluations": n_base * (d + 2),
        "ema_evaluations": seen["salib_evaluations"],
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        **_user_sys(split, "projection_answer", 1.0),
        "ratio": ratios["ema"],
        "ratio_scalar_model": ratios["ema_scalar"],
        "indices": agreement,
        "goal": ">= 30x CPU time, same base N",
        "met": ratios["ema"]["of_minima"] >= 30,
        "met_scalar_model": ratios["ema_scalar"]["of_minima"] >= 30,
    }
    say(
        f"  c. whole answer, {n_base:,} base samples ({n_base * (d + 2):,} evaluations): EMA + "
        f"SALib {min(times['ema_salib']):.2f} s (scalar model {min(times['ema_scalar_salib']):.2f} "
        f"s), projection {min(times['projection_answer']):.3f} s CPU: " + line(ratios)
    )
    tops = [
        f"{tid} {a['top_projection']}/{a['top_salib']}"
        for tid, a in agreement.items()
        if a["top_projection"] or a["top_salib"]
    ]
    say("     largest total-order index, projection/SALib: " + ", ".join(tops))
    return out


SHORT_BY_PATH = {p: s for s, p in SHORT.items()}
