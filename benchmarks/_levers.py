"""Figure 10: levers x uncertainties (issue 15) against the plain ensemble, and against EMA
Workbench's ``perform_experiments`` with policies plus its PRIM.

paper-targets declares two levers (``ev_incentives``: the mean of the EV adoption rate's
distribution, 0.55 / 0.70 / 0.85 per year; ``cable_upgrade``: the year of the 4 Tbps
upgrade, 2027 / 2028 / 2029), nine settings. CPU time of this process, contenders
interleaved, min/median/max over rounds:

a. ``projection.explore(paper-targets, samples=N, seed=1)``: every setting over the same N
   members (9 N member-settings; one process), against ``projection.run(paper-targets,
   samples=N, seed=1, workers=1)`` (N members): member-settings per CPU-second against
   members per CPU-second. N = 1e6 (quick: 1e5).
b. a whole exploratory answer at an equal experiment count, ``n`` scenarios x 9 policies:
   EMA ``perform_experiments(model, scenarios=n, policies=the 9 settings)`` with the
   ``SequentialEvaluator`` followed by EMA's ``prim.Prim(...).find_box()`` on where T1 is
   missed under the scenario's own setting (0.70, 2028), against ``projection.explore`` +
   ``projection.discover(paper-targets, "T1", method="prim")`` on the same counts. The EMA
   model function is figure 2's plain-float paper-targets model (the cheaper of the two for
   EMA) with the EV rate drawn inside it as its lever-dependent truncated normal of the
   uncertainty's quantile (``ev_rate_q``, uniform), and the 4 Tbps year taken from the lever.
   EMA's PRIM gets the uncertainties as floats: EMA 3.0.0's pasting writes a real value
   (2030.5) into the integer column of the 12 Tbps year and fails under pandas 3.
   Skipped, saying so, where ``ema_workbench`` is not importable (it needs Python >= 3.12).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _ema_paper import _rounds, _spread

import projection

# the frozen 7-indicator paper-targets of figures 2 and 8, whose model EMA runs
SCENARIO = Path(__file__).resolve().parents[1] / "tests" / "data" / "frozen" / "paper-targets.yaml"
EV_MEANS = (0.55, 0.70, 0.85)
CABLE_YEARS = (2027, 2028, 2029)


def bench_levers(n: int, rounds: int) -> dict[str, Any]:
    """Figure 10a: explore's member-settings per CPU-second against the plain ensemble's
    members per CPU-second."""
    seen: dict[str, Any] = {}

    def explore() -> None:
        seen["x"] = projection.explore(SCENARIO, samples=n, seed=1)

    fns = {
        "ensemble": lambda: projection.run(SCENARIO, samples=n, seed=1, workers=1),
        "explore": explore,
    }
    for fn in fns.values():  # warm up
        fn()
    times = _rounds(fns, rounds)
    settings = len(seen["x"].settings)
    rate = {
        "ensemble": [n / t for t in times["ensemble"]],
        "explore": [settings * n / t for t in times["explore"]],
    }
    per_round = [e / p for e, p in zip(rate["explore"], rate["ensemble"])]
    return {
        "n": n,
        "settings": settings,
        "rounds": rounds,
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        "members_per_cpu_s": {k: _spread(v) for k, v in rate.items()},
        "explore_vs_ensemble_throughput": _spread(per_round),
        "explore_cpu_vs_ensemble": _spread(
            [x / e for x, e in zip(times["explore"], times["ensemble"])]
        ),
        "best_setting": seen["x"].best(),
        "satisficing_best": float(seen["x"].all_met.max() / n),
    }


def _ema_model() -> Any:
    from _ema_paper import _triangular, _truncnorm, ema_paper_targets_scalar
    from ema_workbench import (
        ArrayOutcome,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )

    from projection.scenario.truncnorm import truncnorm_ppf

    def model(**x: float) -> dict[str, Any]:
        q = min(max(x.pop("ev_rate_q"), 1e-15), 1 - 1e-15)
        x["ev_rate"] = float(
            truncnorm_ppf(np.array([q]), x.pop("ev_incentives"), 0.15, 0.3, 1.2)[0]
        )
        x["ofc_year_4t"] = x.pop("cable_upgrade")
        return ema_paper_targets_scalar(**x)

    m = Model("paper_levers", function=model)
    m.uncertainties = [
        RealParameter("demand_rate", 0.01, 0.05),
        RealParameter("ev_ceiling", 40.0, 80.0),
        RealParameter("ev_rate_q", 0.0, 1.0),
        RealParameter.from_dist("ev_start", _triangular(1.0, 2.0, 4.0)),
        IntegerParameter("ofc_year_12t", 2030, 2033),
        RealParameter("solar_ceiling", 100.0, 200.0),
        RealParameter.from_dist("solar_rate", _truncnorm(0.31, 0.06, 0.15, 0.5)),
        RealParameter.from_dist("solar_cf", _triangular(0.08, 0.10, 0.16)),
    ]
    m.levers = [
        RealParameter("ev_incentives", 0.5, 0.9),
        IntegerParameter("cable_upgrade", 2027, 2029),
    ]
    m.outcomes = [ScalarOutcome(t) for t in ("T1", "T2a", "T2b", "T2c", "T2d")] + [
        ArrayOutcome(c) for c in ("traffic_within_capacity", "solar_within_demand")
    ]
    return m


def bench_ema_levers(n: int, rounds: int) -> dict[str, Any]:
    """Figure 10b: EMA perform_experiments with 9 policies + EMA's PRIM against
    projection.explore + projection.discover, n scenarios each."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import Sample, SequentialEvaluator, perform_experiments
            from ema_workbench.analysis import prim as ema_prim
    except ImportError as err:
        return {"skipped": f"ema_workbench is not importable ({err}); it needs Python >= 3.12"}
    import logging

    logging.getLogger("EMA").setLevel(logging.ERROR)
    model = _ema_model()
    policies = [
        Sample(f"ev{m}_cable{y}", ev_incentives=m, cable_upgrade=y)
        for m in EV_MEANS
        for y in CABLE_YEARS
    ]
    seen: dict[str, Any] = {}

    def ema() -> None:
        with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with SequentialEvaluator(model) as evaluator:
                experiments, outcomes = perform_experiments(
                    model, scenarios=n, policies=policies, evaluator=evaluator
                )
            base = (experiments["policy"] == "ev0.7_cable2028").to_numpy()
            x = experiments.loc[base, [u.name for u in model.uncertainties]].reset_index(drop=True)
            x = x.astype(float)  # EMA 3.0's PRIM pastes 2030.5 into an int column and fails
            y = outcomes["T1"][base] == 0
            box = ema_prim.Prim(x, y).find_box()
        seen["ema"] = (len(experiments), box)

    def ours() -> None:
        x = projection.explore(SCENARIO, samples=n, seed=1)
        d = projection.discover(SCENARIO, "T1", samples=n, seed=1, method="prim")
        seen["projection"] = (x, d)

    fns = {"ema_prim": ema, "projection": ours}
    for fn in fns.values():
        fn()
    times = _rounds(fns, rounds)
    experiments = seen["ema"][0]
    x, d = seen["projection"]
    ratio = [e / p for e, p in zip(times["ema_prim"], times["projection"])]
    ema_t1 = None
    with contextlib.suppress(Exception):
        ema_t1 = seen["ema"][1].box_lims[seen["ema"][1]._cur_box].to_dict()
    return {
        "scenarios": n,
        "policies": len(policies),
        "experiments": experiments,
        "rounds": rounds,
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        "experiments_per_cpu_s": {
            "ema_prim": _spread([experiments / t for t in times["ema_prim"]]),
            "projection": _spread([experiments / t for t in times["projection"]]),
        },
        "ratio_ema_over_projection": _spread(ratio),
        "projection_box": d.sentence(),
        "ema_box_limits": ema_t1,
        "contenders": {
            "ema_prim": "EMA perform_experiments (SequentialEvaluator, LHS over 8 "
            "uncertainties, 9 policies, plain-float model) + ema_workbench.analysis.prim on "
            "T1 missed under the scenario's own setting",
            "projection": "projection.explore(paper-targets, samples=n) (9 settings, same "
            "members) + projection.discover(paper-targets, 'T1', samples=n, method='prim')",
        },
    }
