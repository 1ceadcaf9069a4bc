"""Scenario discovery: which combinations of uncertain inputs lead to a target being missed.

:func:`discover` draws an ensemble of the scenario, marks the members in which a target is
missed (or met, ``outcome="met"``), and looks for a box, a few ranges of a few inputs, that
holds many of those members (*coverage*: the share of all cases inside the box) and few
others (*density*: the share of the box's members that are cases):

* ``method="prim"``: the Patient Rule Induction Method (Friedman and Fisher 1999) as EMA
  Workbench implements it, through the ``prim`` package (Project Platypus' standalone copy
  of EMA Workbench's code): peel the box a slice (``peel_alpha``) at a time along the input
  that raises the density most, paste back what helps, and keep the whole *peeling
  trajectory* of boxes, from everything (coverage 1) to small dense boxes. The box reported
  is, among those at least ``threshold`` dense, the one nearest the ideal (the largest
  coverage + density; the densest box if none is that dense). For each restricted input a *quasi-p-value* (Bryant and Lempert
  2010: a one-sided binomial test of the box's density against the box without that
  restriction) says whether the restriction matters; above 0.05 it may be noise.
* ``method="cart"``: a classification tree (scikit-learn's ``DecisionTreeClassifier``, at
  most ``max_depth`` splits deep); each leaf is a box, the reported one chosen as for PRIM.

``pip install 'projection[discovery]'`` installs both (``prim`` is GPL-3 licensed; it is
called, not copied, and only when discovery runs).

References
----------
J. H. Friedman and N. I. Fisher, "Bump hunting in high-dimensional data", Statistics and
Computing 9, 123-143, 1999. B. P. Bryant and R. J. Lempert, "Thinking inside the box: a
participatory, computer-assisted approach to scenario discovery", Technological Forecasting
and Social Change 77(1), 34-49, 2010. J. H. Kwakkel, "The Exploratory Modeling Workbench",
Environmental Modelling & Software 96, 239-250, 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..engine.compiled import compile_scenario
from ..engine.sampling import sample
from ..exceptions import ProjectionError
from ..scenario import Scenario, load_scenario
from ..validation import whole_number
from .discovery_result import Box, Discovery, short_name

__all__ = ["discover", "METHODS", "Discovery", "Box"]

METHODS = ("prim", "cart")
OUTCOMES = ("missed", "met")


def discover(
    scenario: Scenario | str | Any,
    target: str,
    *,
    samples: int = 10_000,
    seed: int | None = None,
    sampler: str = "lhs",
    method: str = "prim",
    outcome: str = "missed",
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    max_depth: int = 3,
) -> Discovery:
    """The box of uncertain inputs in which ``target`` is missed (or met).

    Parameters
    ----------
    scenario : Scenario, path or mapping
    target : str
        A target id of the scenario.
    samples, seed, sampler
        The ensemble drawn (as for :func:`projection.run`).
    method : {"prim", "cart"}
    outcome : {"missed", "met"}
        Which members are the cases of interest.
    threshold : float, default 0.8
        The least density of the box reported (of the boxes this dense, the one with the
        largest coverage + density).
    peel_alpha, mass_min : float
        PRIM's share of members peeled per step, and the least mass of a box.
    max_depth : int, default 3
        CART's deepest split.

    Returns
    -------
    Discovery

    Examples
    --------
    >>> import projection
    >>> d = projection.discover("scenarios/paper-targets.yaml", "T1", samples=4000, seed=1)
    >>> d.box.restricted
    ('ev_sales_share.rate', 'ev_sales_share.start')
    """
    if method not in METHODS:
        raise ProjectionError(f"unknown method {method!r} (expected one of: {', '.join(METHODS)})")
    if outcome not in OUTCOMES:
        raise ProjectionError(f"unknown outcome {outcome!r} (expected: missed or met)")
    if not 0 < threshold <= 1:
        raise ProjectionError(f"threshold must be a density in (0, 1] (got {threshold})")
    samples = whole_number("samples", samples, minimum=20)
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    compiled = compile_scenario(s)
    if target not in compiled.targets:
        known = ", ".join(sorted(compiled.targets)) or "the scenario has none"
        raise ProjectionError(f"unknown target {target!r} in {s.name!r} (targets: {known})")
    if not compiled.uncertain:
        raise ProjectionError(f"{s.name!r} has no distributions: nothing to discover")
    t = compiled.targets[target]
    draws = sample(s, samples, sampler=sampler, seed=seed)
    v = compiled.evaluate(draws, only=[t.indicator]).values[t.indicator]
    met = t.holds(np.broadcast_to(v, (samples, len(compiled.years)))[:, t.column])
    y = ~met if outcome == "missed" else met
    cases = int(y.sum())
    if cases == 0 or cases == samples:
        every = "every" if cases == samples else "no"
        raise ProjectionError(
            f"{target} is {outcome} in {every} member of {samples:,}: no box separates "
            "members where it is from those where it is not"
        )
    x = pd.DataFrame({short_name(u.path): draws[u.path] for u in compiled.uncertain})
    units = {short_name(u.path): u.unit for u in compiled.uncertain}
    if method == "prim":
        box, trajectory, chosen = _prim(x, y, threshold, peel_alpha, mass_min)
    else:
        box, trajectory, chosen = _cart(x, y, threshold, max_depth, seed)
    return Discovery(
        scenario=s.name,
        target=target,
        outcome=outcome,
        method=method,
        samples=samples,
        seed=seed,
        cases=cases,
        threshold=threshold,
        inputs=tuple(x.columns),
        units=units,
        box=box,
        trajectory=trajectory,
        chosen=chosen,
        ranges={c: (float(x[c].min()), float(x[c].max())) for c in x.columns},
    )


def _choose(density: np.ndarray, coverage: np.ndarray, threshold: float) -> int:
    """Among the boxes at least ``threshold`` dense, the one nearest the ideal box (coverage
    and density both 1; the largest ``coverage + density``, the first of equals); the densest
    box when none is that dense."""
    dense = np.flatnonzero(density >= threshold)
    if len(dense):
        return int(dense[np.argmax(coverage[dense] + density[dense])])
    return int(np.argmax(density))


def _prim(x: pd.DataFrame, y: np.ndarray, threshold: float, peel_alpha: float, mass_min: float):
    prim = _import("prim")
    import logging

    logging.getLogger("prim").setLevel(logging.WARNING)
    p = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
    found = p.find_box()
    traj = found.peeling_trajectory.rename(columns={"res dim": "restricted"})
    traj = traj[["coverage", "density", "mass", "restricted"]].astype(float)
    traj["restricted"] = traj["restricted"].astype(int)
    chosen = _choose(traj["density"].to_numpy(), traj["coverage"].to_numpy(), threshold)
    found.select(chosen)
    limits = found.limits  # restricted inputs only: min, max, qp values
    lows, highs = x.min(), x.max()
    bounds = {}
    qp = {}
    for name, row in limits.iterrows():
        lo = float(row["min"]) if row["min"] > lows[name] else None
        hi = float(row["max"]) if row["max"] < highs[name] else None
        bounds[str(name)] = (lo, hi)
        qp[str(name)] = float(np.atleast_1d(row["qp values"])[0])
    row = traj.iloc[chosen]
    box = Box(
        bounds=bounds,
        density=float(row["density"]),
        coverage=float(row["coverage"]),
        mass=float(row["mass"]),
        quasi_p=qp,
    )
    return box, traj.reset_index(drop=True), chosen


def _cart(x: pd.DataFrame, y: np.ndarray, threshold: float, max_depth: int, seed: int | None):
    tree_mod = _import("sklearn.tree")
    max_depth = whole_number("max_depth", max_depth, minimum=1, maximum=10)
    leaf = max(10, len(y) // 100)
    clf = tree_mod.DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=leaf, random_state=seed if seed is not None else 0
    )
    clf.fit(x.to_numpy(), y)
    tree = clf.tree_
    leaves = clf.apply(x.to_numpy())
    total = int(y.sum())
    rows = []
    bounds_of: dict[int, dict[str, tuple[float | None, float | None]]] = {}

    def walk(node: int, bounds: dict[str, tuple[float | None, float | None]]) -> None:
        if tree.children_left[node] == -1:
            bounds_of[node] = bounds
            inside = leaves == node
            rows.append(
                {
                    "leaf": node,
                    "coverage": y[inside].sum() / total,
                    "density": y[inside].mean(),
                    "mass": inside.mean(),
                    "restricted": len(bounds),
                }
            )
            return
        name = x.columns[tree.feature[node]]
        cut = float(tree.threshold[node])
        lo, hi = bounds.get(name, (None, None))
        walk(tree.children_left[node], {**bounds, name: (lo, cut if hi is None else min(hi, cut))})
        walk(tree.children_right[node], {**bounds, name: (cut if lo is None else max(lo, cut), hi)})

    walk(0, {})
    table = pd.DataFrame(rows)
    chosen = _choose(table["density"].to_numpy(), table["coverage"].to_numpy(), threshold)
    row = table.iloc[chosen]
    box = Box(
        bounds=bounds_of[int(row["leaf"])],
        density=float(row["density"]),
        coverage=float(row["coverage"]),
        mass=float(row["mass"]),
        quasi_p=None,
    )
    return box, table, chosen


def _import(module: str) -> Any:
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError:
        raise ProjectionError(
            "scenario discovery needs prim and scikit-learn: pip install 'projection[discovery]'"
        ) from None
