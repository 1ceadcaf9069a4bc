"""Running a scenario: :func:`run`, a point projection or an ensemble, one result interface.

The scenario is compiled once (:func:`~projection.engine.compiled.compile_scenario`), then
evaluated: at its written values for a :class:`~projection.engine.results.Projection`, or for
``samples`` parameter sets drawn from its distributions for an
:class:`~projection.engine.results.Ensemble` (:mod:`projection.engine.ensemble`). Both are
:class:`~projection.engine.results.Result`\\ s: whatever reads them needs no switch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import ProjectionError
from ..models import DERIVED
from ..scenario import Scenario
from .compiled import CompiledScenario, compile_scenario
from .constraints import Violation, violated
from .notes import bound_notes
from .results import Projection, Result

__all__ = ["run", "project"]


def run(
    scenario: Scenario | CompiledScenario | str | Path | Mapping[str, Any],
    *,
    samples: int | None = None,
    sampler: str = "lhs",
    seed: int | np.random.Generator | None = None,
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    keep_samples: bool = False,
    chunk_size: int | None = None,
    workers: int | None = 1,
    client: Any = None,
    progress: Any = None,
    predictive: bool = False,
) -> Result:
    """Project every indicator of a scenario over its horizon.

    Parameters
    ----------
    scenario : Scenario, CompiledScenario, path or mapping
        A scenario, a compiled one, or anything :func:`~projection.load_scenario` accepts (a
        file, a shipped scenario's name, a mapping).
    samples : int, optional
        Run an ensemble of this many members drawn from the parameters' distributions; the
        keywords below apply to it.
    sampler : {"lhs", "sobol", "mc"}
        Latin hypercube, scrambled Sobol' or plain Monte Carlo (see
        :mod:`projection.engine.sampling`).
    seed : int or numpy.random.Generator, optional
        Same seed, same numbers, bit for bit.
    quantiles : sequence of float
        The quantile bands to compute (the median is always computed).
    keep_samples : bool
        Keep every member's trajectory and draws (``Ensemble.members``, ``Ensemble.draws``).
    chunk_size : int, optional
        Members evaluated at once. Results do not depend on it.
    workers : int or None
        Local processes for an ensemble (None: all cores). Results do not depend on it.
    client : dask.distributed.Client, optional
        Run an ensemble's blocks on this cluster; results identical to a local run.
    progress : callable, optional
        ``progress(members_done, n)``, called as an ensemble's blocks finish.
    predictive : bool
        With ``samples``: add each indicator's ``observation_noise`` to its members, so that
        its bands are meant to hold future observations (a posterior predictive ensemble of
        a file written by ``calibrate --posterior --output``).

    Returns
    -------
    Result
        A :class:`~projection.engine.Projection` (every parameter at its written value), or
        with ``samples`` an :class:`~projection.engine.Ensemble`. Both offer the same
        interface: ``central``, ``value()``, ``table()``, ``to_frame()``, ``targets()``,
        ``check_constraints()``, ``notes``, ``plot()``, ...

    Examples
    --------
    >>> import projection
    >>> s = projection.load_scenario({
    ...     "name": "demo",
    ...     "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"solar": {"unit": "GW", "model": "linear", "params": {
    ...         "start": {"value": 39, "source": "paper, Analysis I, line 159"},
    ...         "slope": {"value": 16.5, "unit": "GW/yr", "source": "paper, Analysis I, line 159"}}}},
    ... })
    >>> p = projection.run(s)
    >>> float(p["solar"][2027])
    72.0
    """
    compiled = scenario if isinstance(scenario, CompiledScenario) else compile_scenario(scenario)
    point = project(compiled)
    if samples is None:
        if predictive:
            raise ProjectionError(
                "predictive needs an ensemble (samples=N): the point projection has no "
                "observation noise to add"
            )
        return point
    from .ensemble import DEFAULT_CHUNK, run_ensemble

    return run_ensemble(
        compiled,
        samples,
        point=point,
        sampler=sampler,
        seed=seed,
        quantiles=quantiles,
        keep_samples=keep_samples,
        chunk_size=DEFAULT_CHUNK if chunk_size is None else chunk_size,
        workers=workers,
        client=client,
        progress=progress,
        predictive=predictive,
    )


def project(compiled: CompiledScenario) -> Projection:
    """The point projection of a compiled scenario: every parameter at its written value."""
    ev = compiled.evaluate()
    years = compiled.years
    names = compiled.indicators
    values = {name: ev.values[name] for name in names}
    derived = {n for n in names if compiled.scenario.indicators[n].model == DERIVED}
    step = compiled.scenario.horizon.step
    notes = bound_notes(names, years, ev.above, ev.below, 1, derived=derived, step=step)
    return Projection(
        scenario=compiled.scenario,
        years=years.astype(int),
        values=values,
        notes=notes,
        violations=_violations(compiled, values),
        compiled=compiled,
    )


def _violations(compiled: CompiledScenario, values: Mapping[str, np.ndarray]) -> list[Violation]:
    """Every declared constraint that fails in some year."""
    found = []
    years = compiled.years
    for cid, c in compiled.constraints.items():
        lhs, rhs, margin = compiled.constraint_sides(cid, values)
        lhs, rhs, margin = (np.broadcast_to(a, years.shape) for a in (lhs, rhs, margin))
        bad = violated(lhs, rhs, margin)
        if bad.any():
            found.append(
                Violation(
                    constraint=cid,
                    expression=c.text,
                    years=years[bad].astype(int),
                    lhs=lhs[bad],
                    rhs=rhs[bad],
                    margin=margin[bad],
                    unit=c.unit,
                    source=c.source,
                    step=compiled.scenario.horizon.step,
                )
            )
    return found
