"""Screening: which of many uncertain inputs matter at all (Morris elementary effects).

:func:`screening` runs the method of Morris on a scenario with SALib (``pip install
'projection[screening]'``): ``trajectories`` one-at-a-time paths through a grid of ``levels``
values of every uncertain input, ``trajectories x (d + 1)`` evaluations of the compiled
scenario in one pass. Each input moves on the quantiles of its own distribution, at the
centres of ``levels`` equal-probability strata (``(k + 1/2) / levels``, so an unbounded
distribution never contributes an infinite value), and its elementary effect is the change
of the output per unit of that quantile scale. The outputs are chosen as for
:func:`~projection.analysis.sensitivity.sensitivity`: an indicator in one or several years,
or whether each target is met (0/1).

For each input and output it reports ``mu_star`` (the mean absolute elementary effect: how
much the input matters), ``sigma`` (their spread: interactions or non-linearity), ``mu`` and
the bootstrap confidence half-width of ``mu_star``, and ranks the inputs by ``mu_star``.
Morris screens; it does not apportion variance: for the shares of variance use Sobol' indices
(``projection sensitivity``), at about ``d + 2`` times the cost per base sample.

References
----------
M. D. Morris, "Factorial sampling plans for preliminary computational experiments",
Technometrics 33(2), 161-174, 1991. F. Campolongo, J. Cariboni and A. Saltelli, "An effective
screening design for sensitivity analysis of large models", Environmental Modelling &
Software 22(10), 1509-1518, 2007 (``mu_star``). J. Herman and W. Usher, "SALib: an
open-source Python library for sensitivity analysis", JOSS 2(9), 2017.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..engine.compiled import CompiledScenario, compile_scenario
from ..exceptions import ProjectionError
from ..validation import whole_number
from .sensitivity import independent_inputs, output_values, select_outputs

__all__ = ["screening", "MorrisResult"]


@dataclass(frozen=True)
class MorrisResult:
    """Morris statistics of each input (rows) for each output (columns)."""

    names: tuple[str, ...]
    outputs: tuple[Any, ...]
    mu_star: np.ndarray
    sigma: np.ndarray
    mu: np.ndarray
    mu_star_conf: np.ndarray
    trajectories: int
    levels: int
    evaluations: int
    label: str

    def ranking(self, output: Any = None) -> list[str]:
        """Inputs from the most to the least influential (by ``mu_star``) for ``output``
        (default: the first)."""
        k = 0 if output is None else list(self.outputs).index(output)
        order = np.argsort(-self.mu_star[:, k], kind="stable")
        return [self.names[i] for i in order]

    def to_frame(self) -> pd.DataFrame:
        """One row per input and output: ``mu_star``, its confidence, ``sigma``, ``mu``, rank."""
        rows = []
        for k, out in enumerate(self.outputs):
            rank = {name: r + 1 for r, name in enumerate(self.ranking(out))}
            for i, name in enumerate(self.names):
                rows.append(
                    {
                        "output": out,
                        "input": name,
                        "mu_star": float(self.mu_star[i, k]),
                        "mu_star_conf": float(self.mu_star_conf[i, k]),
                        "sigma": float(self.sigma[i, k]),
                        "mu": float(self.mu[i, k]),
                        "rank": rank[name],
                    }
                )
        return pd.DataFrame(rows)

    def plot(self) -> Any:
        """A matplotlib figure: ``mu*`` against ``sigma`` per output (see
        :func:`projection.render.screening_plot.plot_screening`)."""
        from ..render.screening_plot import plot_screening

        return plot_screening(self)

    def summary(self) -> str:
        """The ranking of the inputs for each output, as text."""
        lines = [
            f"Morris screening of {self.label}: {self.trajectories} trajectories, "
            f"{self.levels} levels, {self.evaluations:,} evaluations",
        ]
        for k, out in enumerate(self.outputs):
            lines.append(f"  {out}:  rank  input  mu*  (+/- 95 %)  sigma")
            for r, name in enumerate(self.ranking(out)):
                i = self.names.index(name)
                lines.append(
                    f"    {r + 1:>3}  {name}  {self.mu_star[i, k]:.4g} "
                    f"(+/- {self.mu_star_conf[i, k]:.2g})  {self.sigma[i, k]:.4g}"
                )
        return "\n".join(lines)


def screening(
    scenario: Any,
    *,
    indicator: str | None = None,
    year: int | None = None,
    years: Iterable[int] | str | None = None,
    target: str | Sequence[str] | None = None,
    trajectories: int = 50,
    levels: int = 4,
    seed: int | None = None,
) -> MorrisResult:
    """Morris elementary effects of every uncertain input of a scenario.

    Parameters
    ----------
    scenario : Scenario, CompiledScenario, path or mapping
    indicator, year, years, target
        The outputs, as for :func:`~projection.analysis.sensitivity.sensitivity` (nothing:
        every target).
    trajectories : int, default 50
        Number of one-at-a-time paths (``r``); ``r (d + 1)`` evaluations.
    levels : int, default 4
        Grid levels per input (an even number; the step is ``levels / (2 (levels - 1))``).
    seed : int, optional

    Returns
    -------
    MorrisResult

    Examples
    --------
    >>> import projection
    >>> m = projection.screening("scenarios/paper-targets.yaml", target="T1", seed=1)
    >>> m.ranking()[0]
    'indicators.ev_sales_share.params.rate'
    """
    try:
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample
    except ImportError:
        raise ProjectionError(
            "screening needs SALib: pip install 'projection[screening]'"
        ) from None
    trajectories = whole_number("trajectories", trajectories, minimum=2)
    levels = whole_number("levels", levels, minimum=2)
    if levels % 2:
        raise ProjectionError(f"levels must be even (got {levels}): Morris' step needs it")
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    scen = compiled.scenario
    indicator, chosen, ids = select_outputs(scen, indicator, year, years, target)
    inputs = independent_inputs(compiled, "Morris' one-at-a-time steps")
    paths = [u.path for u in inputs]
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    grid = sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    u = 0.5 / levels + grid * (levels - 1) / levels  # centres of equal-probability strata
    draws = {p: inp.distribution.ppf(u[:, j]) for j, (p, inp) in enumerate(zip(paths, inputs))}
    columns = [compiled.column(v) for v in chosen]
    targets = None if ids is None else [compiled.targets[t] for t in ids]
    y = output_values(compiled, draws, indicator, columns, targets)
    if targets is None:
        outputs: list[Any] = list(chosen)
        label = f"{indicator} [{compiled.units[indicator]}] ({scen.name})"
    else:
        outputs, label = list(ids), f"whether each target is met ({scen.name})"
    stats = {k: np.empty((len(paths), len(outputs))) for k in ("mu_star", "sigma", "mu", "c")}
    for k in range(len(outputs)):
        res = analyze.analyze(problem, grid, y[:, k], num_levels=levels, seed=seed)
        stats["mu_star"][:, k] = res["mu_star"]
        stats["sigma"][:, k] = res["sigma"]
        stats["mu"][:, k] = res["mu"]
        stats["c"][:, k] = res["mu_star_conf"]
    return MorrisResult(
        names=tuple(paths),
        outputs=tuple(outputs),
        mu_star=stats["mu_star"],
        sigma=stats["sigma"],
        mu=stats["mu"],
        mu_star_conf=stats["c"],
        trajectories=trajectories,
        levels=levels,
        evaluations=len(grid),
        label=label,
    )
