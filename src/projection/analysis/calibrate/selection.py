"""Which inputs a posterior updates (:mod:`projection.analysis.calibrate.bayes`): the named
parameters with a prior, and least squares first for the named ones without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ...engine.compiled import CompiledScenario, compile_scenario
from ...exceptions import ParameterError, ProjectionError
from ...validation import suggest

__all__ = ["chosen_inputs", "least_squares_first", "param_path"]


def param_path(indicator: str, name: str) -> str:
    return name if "." in name else f"indicators.{indicator}.params.{name}"


def least_squares_first(
    compiled: CompiledScenario, indicator: str, frame: pd.DataFrame, params: Sequence[str]
) -> tuple[CompiledScenario, dict[str, str]]:
    """Parameters asked for that have no distribution keep least squares: all the asked ones
    are fitted by :func:`~projection.analysis.calibrate.calibrate` together, those without a
    prior are held at their estimates, and the posterior is of the others given them.
    Returns the scenario with them held, and what each was held at."""
    no_prior = [
        p
        for p in params
        if param_path(indicator, p) in compiled.inputs
        and compiled.inputs[param_path(indicator, p)].distribution is None
    ]
    if not no_prior:
        return compiled, {}
    from .fit import calibrate

    names = [param_path(indicator, p).rsplit(".", 1)[-1] for p in params]
    cal = calibrate(compiled.scenario, indicator=indicator, history=frame, params=names)
    overrides: dict[str, Any] = {}
    held: dict[str, str] = {}
    for p in no_prior:
        path = param_path(indicator, p)
        name = path.rsplit(".", 1)[-1]
        unit = cal.units[name]
        value = f"{cal.estimates[name]:.10g} {unit}" if unit else float(cal.estimates[name])
        overrides[path] = value
        overrides[f"{path}.source"] = (
            f"calibrated: least squares on {cal.history}, years {cal.years[0]}-{cal.years[1]}, "
            "held there for the posterior of the parameters with priors"
        )
        held[path] = f"{cal.estimates[name]:.4g}{' ' + unit if unit else ''}"
    return compile_scenario(compiled.scenario.with_overrides(overrides)), held


def chosen_inputs(
    compiled: CompiledScenario, indicator: str, inputs: list[Any], params: Sequence[str]
) -> list[Any]:
    """The inputs named by ``params`` (``rate`` or a dotted path), each with a distribution."""
    by_path = {inp.path: inp for inp in compiled.inputs.values()}
    out = []
    for name in params:
        path = param_path(indicator, name)
        if path not in by_path:
            known = sorted(
                p.rsplit(".", 1)[-1]
                for p in by_path
                if p.startswith(f"indicators.{indicator}.params.")
            )
            raise ParameterError(
                "params", f"{name!r} is not a parameter of {indicator}{suggest(name, known)}"
            )
        inp = by_path[path]
        if inp.distribution is None:
            raise ProjectionError(
                f"{path} has no distribution, so no prior to update: give it one in the "
                "scenario, or fit it by least squares (calibrate without --posterior)"
            )
        if inp not in out:
            out.append(inp)
    return out
