"""Likely mistakes: numbers a scenario may hold as written but probably does not mean.

Errors (:mod:`projection.scenario.checks`) refuse what can only be wrong. These are warnings:
the scenario is valid, runs, and says what was probably meant. Each is one line that names the
file, line and field, like an error (``FILE:LINE:COL: path: what``), and is shown by
``projection validate``, ``run``, ``targets``, ... on standard error, in the HTML report and
by :meth:`Scenario.warnings() <projection.scenario.model.Scenario.warnings>`.

A fraction written for a percentage
    On an indicator in ``%``, a number written without a unit is read in ``%``: a target
    ``at_least: 0.3`` is 0.3 %, not 30 %. A bare number strictly between 0 and 1 for a target,
    a milestone or a level parameter other than ``start`` (a ceiling, a market) is most likely
    a fraction: "did you mean 30 %?". Writing the unit (``0.3 %`` or ``30 %``) says which is
    meant and silences the warning. ``start`` is left out: small starting shares are common.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import ProjectionError, ScenarioError
from ..models import DERIVED, FAMILIES
from ..units import is_percent, parse_quantity

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = ["likely_mistakes"]


def likely_mistakes(s: Scenario) -> list[str]:
    """The warnings of scenario ``s``, one located line each (empty when there are none).

    Examples
    --------
    >>> from projection import load_scenario
    >>> s = load_scenario({"name": "demo", "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"ev": {"unit": "%", "model": "linear", "params": {
    ...         "start": {"value": 2, "source": "assumption: x"},
    ...         "slope": {"value": 5, "source": "assumption: x"}}}},
    ...     "targets": {"T1": {"indicator": "ev", "year": 2030, "at_least": 0.3,
    ...                        "source": "assumption: x"}}})
    >>> likely_mistakes(s)
    ['targets.T1.at_least: 0.3 on ev, an indicator in %, is read as 0.3 %; did you mean 30 %? (write the unit, `30 %` or `0.3 %`, to say which)']
    """
    found: list[tuple[str, str]] = []  # (path, message)
    for name in sorted(s.indicators):
        ind = s.indicators[name]
        if not is_percent(ind.unit):
            continue
        where = f"indicators.{name}"
        family = FAMILIES.get(ind.model) if ind.model != DERIVED else None
        if family is not None:
            kinds = {spec.name: spec.kind for spec in family.params}
            for pname, param in ind.params.items():
                if kinds.get(pname) == "level" and pname != "start":
                    _fraction(found, f"{where}.params.{pname}", param.value, param.unit, name)
        for i, m in enumerate(ind.milestones or []):
            _fraction(found, f"{where}.milestones.{i}.value", m.value, m.unit, name)
    for tid, t in s.targets.items():
        ind = s.indicators.get(t.indicator)
        if ind is not None and is_percent(ind.unit):
            for field, value in t.bounds:
                _fraction(found, f"targets.{tid}.{field}", value, t.unit, t.indicator)
    return [_located(s, path, message) for path, message in found]


def _fraction(found: list, path: str, value: Any, unit: str | None, indicator: str) -> None:
    if unit or value is None or isinstance(value, bool):
        return
    try:
        number, written = parse_quantity(value)
    except ProjectionError:
        return
    if written or not 0.0 < number < 1.0:
        return
    meant = f"{number * 100:.10g} %"
    found.append(
        (
            path,
            f"{number:g} on {indicator}, an indicator in %, is read as {number:g} %; "
            f"did you mean {meant}? (write the unit, `{meant}` or `{number:g} %`, to say which)",
        )
    )


def _located(s: Scenario, path: str, message: str) -> str:
    return str(s.locate(ScenarioError(message), path))
