"""Probing a scenario: validation runs it once, at its point values and at the corners of its
uncertainty, so that whatever ``run`` would refuse, ``validate`` refuses first.

The checks of :mod:`projection.scenario.checks` look at each number on its own and against its
family's domain. Some problems only show when the numbers meet: a derived expression that
divides by a capacity of 0, a ceiling whose distribution reaches below the start, a milestone
year drawn after the next milestone's, a trajectory that grows beyond any float. The engine
refuses these when it meets them, in a run or in one member of an ensemble. :func:`probe`
evaluates the compiled scenario (:meth:`CompiledScenario.evaluate`, the engine's own checks)
on a small batch:

* the point values (what ``projection run`` computes);
* the corners of the box spanned by the uncertain inputs: each at the low or the high end of
  its distribution (the smallest and largest choice; for a normal or log-normal, 6 standard
  deviations out, a probability of about 1e-9 per draw). All ``2**k`` corners when there are at
  most :data:`MAX_CORNERS`, else those of each indicator's own inputs (the others at their
  point values) and the two where every input is low or every input is high.

The relations the engine checks (``start <= ceiling``, milestone years increasing, a share
within 100 %, a denominator not 0) are monotone in each input, so a member that breaks one lies
in the box only if a corner breaks it too. A non-monotone expression (``1 / (x - 5)``) can
still fail between corners; the engine then refuses it in the run, as before.

Any value beyond :data:`MAX_VALUE` (about 1.8e300) is refused too: an ensemble sums up to
:data:`~projection.engine.sampling.MAX_SAMPLES` (1e8) members, and larger values overflow
there.
"""

from __future__ import annotations

import itertools
import math
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ScenarioError
from .sampling import MAX_SAMPLES

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario
    from .compiled import CompiledScenario, Input

__all__ = ["probe", "MAX_CORNERS", "MAX_VALUE", "TAIL_SD"]

#: Most corners evaluated at once: all of them up to 12 uncertain inputs.
MAX_CORNERS = 4096
#: How far out an unbounded distribution's ends are taken, in standard deviations.
TAIL_SD = 6.0
#: The largest magnitude an indicator may reach: the sum of the most members an ensemble may
#: have stays finite.
MAX_VALUE = sys.float_info.max / MAX_SAMPLES


def probe(scenario: Scenario) -> None:
    """Evaluate ``scenario`` at its point values and at the corners of its uncertainty.

    Raises
    ------
    ScenarioError
        Located at the input or indicator concerned; for a corner, the message names the
        values of the inputs that differ from their point values.
    """
    from .compiled import compile_scenario

    compiled = compile_scenario(scenario)
    _evaluate(compiled, {}, None)
    inputs = list(compiled.uncertain)
    if not inputs:
        return
    ends = {inp.path: _ends(inp) for inp in inputs}

    def at(row: tuple, j: int) -> float:
        inp = inputs[j]
        return inp.value if row[j] < 0 else ends[inp.path][row[j]]

    rows = list(_corners(inputs))
    values = {
        inp.path: np.array([at(row, j) for row in rows], dtype=float)
        for j, inp in enumerate(inputs)
    }
    try:
        _evaluate(compiled, values, None)
    except ScenarioError:
        # the first corner that fails, with every input that need not move for it to fail
        # back at its point value: the message names only the values that break it
        def fails(row: tuple) -> bool:
            try:
                _evaluate(compiled, {inp.path: at(row, j) for j, inp in enumerate(inputs)}, None)
            except ScenarioError:
                return True
            return False

        row = next((r for r in rows if fails(r)), None)
        if row is None:  # only the batch as a whole fails: its own error says why
            raise
        for j in range(len(inputs)):
            fewer = row[:j] + (-1,) + row[j + 1 :]
            if row[j] >= 0 and fails(fewer):
                row = fewer
        one = {inp.path: at(row, j) for j, inp in enumerate(inputs)}
        _evaluate(compiled, one, _describe(inputs, row, ends))
        raise  # pragma: no cover - the row fails, so the line above raises


def _evaluate(compiled: CompiledScenario, values: dict, corner: str | None) -> None:
    try:
        evaluation = compiled.evaluate(values)
    except ScenarioError as err:
        if corner is None:
            raise
        raise _at_corner(err, corner) from None
    for name, array in evaluation.values.items():
        big = np.abs(array) > MAX_VALUE
        if big.any():
            index = np.unravel_index(int(np.argmax(big)), array.shape)
            year = int(compiled.years[index[-1]])
            unit = compiled.units[name]
            err = ScenarioError(
                f"{name} reaches {float(array[index]):.3g}{' ' + unit if unit else ''} in {year}, "
                f"beyond {MAX_VALUE:.2g} (expected magnitudes that an ensemble can sum over its "
                "members without overflowing; check the magnitudes and units of its inputs)",
                path=f"indicators.{name}",
            )
            err = compiled.scenario.locate(err, err.path)
            raise err if corner is None else _at_corner(err, corner)


def _at_corner(err: ScenarioError, corner: str) -> ScenarioError:
    message = err.message
    head = "an ensemble member is invalid: "
    if message.startswith(head):
        message = message[len(head) :]
    return type(err)(
        f"{message}, for members of an ensemble with {corner} (expected distributions whose "
        "every draw is a valid scenario)",
        file=err.file,
        line=err.line,
        col=err.col,
        path=err.path,
    )


def _ends(inp: Input) -> tuple[float, float]:
    """The low and high end of an input's distribution, in the input's written unit."""
    dist = inp.distribution
    if dist.type == "choice":
        return float(min(dist.values)), float(max(dist.values))
    low, high = dist.support()
    if math.isfinite(low) and math.isfinite(high):
        return float(low), float(high)
    if dist.type == "normal":
        return dist.mean - TAIL_SD * dist.sd, dist.mean + TAIL_SD * dist.sd
    if dist.type == "lognormal":
        spread = math.exp(min(TAIL_SD * dist.sigma, 700.0))
        return dist.median_ / spread, dist.median_ * spread
    return float(low), float(high)  # pragma: no cover - every unbounded type is listed above


def _corners(inputs: list[Input]):
    """Rows of 0 (low end) and 1 (high end), one per input."""
    k = len(inputs)
    if 2**k <= MAX_CORNERS:
        yield from itertools.product((0, 1), repeat=k)
        return
    for indicator in sorted({inp.indicator for inp in inputs}):
        own = [j for j, inp in enumerate(inputs) if inp.indicator == indicator]
        for bits in itertools.islice(itertools.product((0, 1), repeat=len(own)), MAX_CORNERS):
            row = [-1] * k  # -1: the point value
            for j, b in zip(own, bits):
                row[j] = b
            yield tuple(row)
    yield (0,) * k
    yield (1,) * k


def _describe(inputs: list[Input], row: tuple, ends: dict[str, Any]) -> str:
    parts = []
    for j, inp in enumerate(inputs):
        if row[j] < 0:
            continue
        unit = f" {inp.unit}" if inp.unit else ""
        where = "low" if row[j] == 0 else "high"
        parts.append(f"{_short(inp.path)} = {ends[inp.path][row[j]]:g}{unit} (its {where} end)")
    return ", ".join(parts)


def _short(path: str) -> str:
    parts = path.split(".")
    return ".".join(p for p in parts[1:] if p not in ("params",))
