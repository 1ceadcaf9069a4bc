"""Workloads shared by the benchmarks: scenario mappings and the hand-written numpy references.

Kept apart from ``run.py`` so that the memory probe (``_memory_child.py``), which runs in a
fresh interpreter, builds exactly the same scenarios.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, logit

#: The projected years: 27 of them, 2024 to 2050.
START, END = 2024, 2050
YEARS = np.arange(START, END + 1)
#: Quantiles every benchmark asks for.
QUANTILES = (0.05, 0.5, 0.95)

#: The one logistic indicator of figure 1 and 2 (and of the EMA model): uniform ranges, in %
#: for start and ceiling, 1/yr for rate. Uniform on purpose: numpy then needs no scipy ppf.
LOGISTIC_RANGES = {"start": (1.0, 5.0), "ceiling": (30.0, 90.0), "rate": (0.1, 1.0)}
#: Its target: at least 30 % in 2030.
TARGET_YEAR, TARGET_REQUIRED = 2030, 30.0


def _p(value: float, unit: str | None = None, dist: dict | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "source": "assumption: benchmark workload"}
    if unit:
        out["unit"] = unit
    if dist:
        out["distribution"] = dist
    return out


def _uniform(lo: float, hi: float) -> dict[str, Any]:
    return {"type": "uniform", "lower": lo, "upper": hi}


def logistic_mapping() -> dict[str, Any]:
    """One logistic indicator over 27 years, distributions on start, ceiling and rate."""
    r = LOGISTIC_RANGES
    return {
        "name": "bench-logistic",
        "description": "benchmark: one logistic indicator",
        "horizon": {"start": START, "end": END},
        "indicators": {
            "share": {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": _p(3.0, "%", _uniform(*r["start"])),
                    "ceiling": _p(60.0, "%", _uniform(*r["ceiling"])),
                    "rate": _p(0.5, "1/yr", _uniform(*r["rate"])),
                },
            }
        },
        "targets": {
            "T1": {
                "indicator": "share",
                "year": TARGET_YEAR,
                "at_least": f"{TARGET_REQUIRED:g} %",
                "source": "assumption: benchmark target",
            }
        },
    }


def _group(g: int) -> list[tuple[str, dict[str, Any]]]:
    """Four indicators like the shipped scenarios': logistic, gompertz, exponential, derived."""
    return [
        (
            f"ev_share_{g}",
            {
                "unit": "%",
                "model": "logistic",
                "params": {
                    "start": _p(
                        2.0, "%", {"type": "triangular", "lower": 1, "mode": 2, "upper": 4}
                    ),
                    "ceiling": _p(60.0, "%", _uniform(40, 80)),
                    "rate": _p(
                        0.35,
                        "1/yr",
                        {
                            "type": "truncnormal",
                            "mean": 0.35,
                            "sd": 0.1,
                            "lower": 0.1,
                            "upper": 0.8,
                        },
                    ),
                },
            },
        ),
        (
            f"solar_gw_{g}",
            {
                "unit": "GW",
                "model": "gompertz",
                "params": {
                    "start": _p(39.0, "GW"),
                    "ceiling": _p(150.0, "GW", _uniform(100, 200)),
                    "rate": _p(
                        0.31,
                        "1/yr",
                        {
                            "type": "truncnormal",
                            "mean": 0.31,
                            "sd": 0.06,
                            "lower": 0.15,
                            "upper": 0.5,
                        },
                    ),
                },
            },
        ),
        (
            f"demand_twh_{g}",
            {
                "unit": "TWh",
                "model": "exponential",
                "params": {
                    "start": _p(300.0, "TWh"),
                    "rate": _p(0.03, "1/yr", _uniform(0.01, 0.05)),
                },
            },
        ),
        (
            f"solar_share_{g}",
            {
                "unit": "%",
                "model": "derived",
                "expression": f"solar_gw_{g} * capacity_factor * hours / demand_twh_{g}",
                "params": {
                    "capacity_factor": _p(
                        0.10,
                        None,
                        {"type": "triangular", "lower": 0.08, "mode": 0.10, "upper": 0.16},
                    ),
                    "hours": _p(8760.0, "h"),
                },
            },
        ),
    ]


def synthetic_mapping(indicators: int = 4) -> dict[str, Any]:
    """``indicators`` indicators cycling logistic, gompertz, exponential, derived ratio.

    4 is the memory workload (one of each, two targets); 8 is two such groups. Targets:
    ``T1`` (EV share >= 30 % in 2030) and, from 2 indicators, ``T2`` (solar >= 100 GW in 2040).
    """
    if indicators < 1:
        raise ValueError("at least one indicator")
    found: list[tuple[str, dict[str, Any]]] = []
    g = 1
    while len(found) < indicators:
        found.extend(_group(g))
        g += 1
    found = found[:indicators]
    targets: dict[str, Any] = {
        "T1": {
            "indicator": "ev_share_1",
            "year": 2030,
            "at_least": "30 %",
            "source": "assumption: benchmark target",
        }
    }
    if indicators >= 2:
        targets["T2"] = {
            "indicator": "solar_gw_1",
            "year": 2040,
            "at_least": "100 GW",
            "source": "assumption: benchmark target",
        }
    return {
        "name": f"bench-{indicators}",
        "description": f"benchmark: {indicators} indicators",
        "horizon": {"start": START, "end": END},
        "indicators": dict(found),
        "targets": targets,
    }


# --- numpy references -------------------------------------------------------------------------


def numpy_logistic(years, base_year, start, ceiling, rate):
    """The bare formula C * expit(rate * d + logit(start / C)), vectorised by hand."""
    d = np.asarray(years, dtype=float) - base_year
    return ceiling[:, None] * expit(rate[:, None] * d + logit(start / ceiling)[:, None])


def numpy_logistic_inplace(years, base_year, start, ceiling, rate):
    """The same formula written for speed: one (N, T) buffer, every pass in place."""
    d = np.asarray(years, dtype=float) - base_year
    out = np.multiply.outer(rate, d)
    out += logit(start / ceiling)[:, None]
    expit(out, out=out)
    out *= ceiling[:, None]
    return out


def numpy_lhs(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """A Latin hypercube by hand: in each dimension one point in each of the n strata."""
    strata = rng.permuted(np.tile(np.arange(n), (d, 1)), axis=1).T
    return (strata + rng.random((n, d))) / n


def numpy_draws(u: np.ndarray) -> dict[str, np.ndarray]:
    """Uniform numbers in [0, 1) -> start, ceiling, rate (uniform distributions: affine)."""
    out = {}
    for j, name in enumerate(("start", "ceiling", "rate")):
        lo, hi = LOGISTIC_RANGES[name]
        out[name] = lo + (hi - lo) * u[:, j]
    return out


def numpy_summary(members: np.ndarray, qs=QUANTILES, stride: int = 1) -> dict[str, Any]:
    """Quantile bands (over every ``stride``-th member), mean and P(target met)."""
    col = int(np.searchsorted(YEARS, TARGET_YEAR))
    sub = members[::stride]
    # one partition per year along contiguous memory: the faster way to call np.quantile here
    bands = np.quantile(np.ascontiguousarray(sub.T), qs, axis=1, method="inverted_cdf")
    return {
        "bands": bands,
        "mean": members.mean(axis=0),
        "p_met": float(np.mean(members[:, col] >= TARGET_REQUIRED)),
    }


def numpy_ensemble(n: int, seed: int = 1, qs=QUANTILES, stride: int = 1) -> dict[str, Any]:
    """The same work as ``projection.run(logistic_mapping(), samples=n, seed=seed)``, by hand:
    Latin hypercube draws, the kernel, quantile bands, means and the target probability."""
    rng = np.random.default_rng(seed)
    draws = numpy_draws(numpy_lhs(n, 3, rng))
    members = numpy_logistic(YEARS, START, draws["start"], draws["ceiling"], draws["rate"])
    return numpy_summary(members, qs, stride)


def probability(ensemble: Any, tid: str) -> float:
    """P(target met) from an Ensemble, whichever form ``target_met`` has (count or booleans)."""
    met = ensemble.target_met[tid]
    if np.ndim(met) == 0:
        return float(met) / ensemble.n
    return float(np.mean(met))
