"""The engine: compile a scenario once, evaluate it on arrays, judge targets and constraints.

============================  ==============================================================
module                        holds
============================  ==============================================================
:mod:`.compiled`              :func:`compile_scenario`, :class:`CompiledScenario` and its one
                              evaluation entry point, ``evaluate(values)``
:mod:`.derived`               derived expressions compiled to numpy (units resolved once)
:mod:`.runner`                :func:`run`: a point projection, or an ensemble
:mod:`.ensemble`              streaming ensembles in blocks, on local workers or dask
:mod:`.sampling`              Latin hypercube / Sobol' / Monte Carlo draws, one seed policy
:mod:`.results`               :class:`Result`, :class:`Projection`, :class:`Ensemble`
:mod:`.targets`               met? when? by how much? how likely?
:mod:`.constraints`           violations of declared constraints
:mod:`.notes`                 notes on clipped or out-of-range values, one wording
:mod:`.tolerance`             the one relative tolerance of every comparison
============================  ==============================================================
"""

from .compiled import CompiledScenario, Evaluation, Input, compile_scenario
from .constraints import Violation, check_constraints
from .results import Ensemble, Projection, Result
from .runner import run
from .targets import evaluate_targets

__all__ = [
    "CompiledScenario",
    "Ensemble",
    "Evaluation",
    "Input",
    "Projection",
    "Result",
    "Violation",
    "check_constraints",
    "compile_scenario",
    "evaluate_targets",
    "run",
]
