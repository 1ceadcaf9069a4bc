"""Policy levers: the numbers a policy controls, as opposed to the uncertainties it faces.

A scenario's ``distribution``\\ s say what nobody controls (how fast buyers adopt EVs, when a
cable is finished). A ``levers`` section names what a policy *chooses*, each with the values
to explore::

    levers:
      ev_incentives:
        path: indicators.ev_sales_share.params.rate.distribution.mean
        values: [0.55, 0.70, 0.85]
        unit: 1/yr
        source: "assumption: what incentives could do to the expected adoption rate"
      cable_upgrade:
        path: indicators.ofc_capacity.milestones.1.year
        lower: 2027
        upper: 2030
        n: 4
        source: "assumption: the year the 4 Tbps upgrade is commissioned"

``path`` is any dotted path ``--set`` accepts (:meth:`Scenario.with_overrides`): setting a
parameter pins it (its distribution is dropped, as the policy fixes it), setting a field of
a distribution (``...rate.distribution.mean``) moves the uncertainty without removing it.
The values are ``values`` (a list) or ``n`` evenly spaced numbers from ``lower`` to ``upper``;
``unit`` is the unit they are written in (default: the unit the path already has). A run
of the scenario on its own keeps every number as written: levers are only explored, by
:func:`projection.explore` (``projection levers``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, model_validator

__all__ = ["Lever", "MAX_LEVER_VALUES", "lever_values", "check_levers"]

from ..models.params import MAX_ABS

#: Most values one lever may take (a sweep of one path too).
MAX_LEVER_VALUES = 1001


class Lever(BaseModel):
    """A number the policy controls, and the values of it to explore."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(
        min_length=1,
        description="Dotted path of the number the policy sets, as for --set, e.g. "
        "indicators.ev_sales_share.params.rate or "
        "indicators.ofc_capacity.milestones.1.year.",
    )
    values: list[StrictInt | StrictFloat] | None = Field(
        None,
        min_length=2,
        max_length=MAX_LEVER_VALUES,
        description="The values to explore (distinct; at least two). Or give lower, upper, n.",
    )
    lower: StrictInt | StrictFloat | None = Field(
        None, description="Smallest value explored (with upper and n)."
    )
    upper: StrictInt | StrictFloat | None = Field(
        None, description="Largest value explored (with lower and n)."
    )
    n: StrictInt | None = Field(
        None,
        ge=2,
        le=MAX_LEVER_VALUES,
        description="How many evenly spaced values from lower to upper (at least 2).",
    )
    unit: str | None = Field(
        None, description="Unit of the values (default: the unit the path already has)."
    )
    source: str = Field(
        min_length=1,
        description="Why these values: 'paper, <section>, line N' or 'assumption: <reason>'.",
    )
    description: str = Field("", description="What the lever stands for, in words.")

    @model_validator(mode="after")
    def _values_or_range(self):
        spaced = (self.lower, self.upper, self.n)
        if self.values is not None:
            if any(v is not None for v in spaced):
                raise ValueError("give `values` or `lower`, `upper` and `n`, not both")
            if len(set(self.values)) != len(self.values):
                raise ValueError("`values` must be distinct")
            if not all(_finite(v) for v in self.values):
                raise ValueError(f"`values` must be finite numbers of at most {MAX_ABS:g}")
        elif any(v is None for v in spaced):
            raise ValueError("give `values`, or all three of `lower`, `upper` and `n`")
        elif not (_finite(self.lower) and _finite(self.upper)):
            raise ValueError(f"`lower` and `upper` must be finite numbers of at most {MAX_ABS:g}")
        elif not self.lower < self.upper:
            raise ValueError(f"`lower` ({self.lower}) must be below `upper` ({self.upper})")
        return self

    def settings(self) -> list[Any]:
        """The values explored, in order: ``values``, or ``n`` evenly spaced numbers (whole
        numbers stay whole when ``lower``, ``upper`` and the step are)."""
        if self.values is not None:
            return list(self.values)
        return lever_values(self.lower, self.upper, self.n)  # type: ignore[arg-type]


def _finite(v: Any) -> bool:
    """A number a scenario can hold: finite and within the engine's range."""
    try:
        return math.isfinite(float(v)) and abs(float(v)) <= MAX_ABS
    except OverflowError:  # an int too large for a float
        return False


def lever_values(lower: float, upper: float, n: int) -> list[Any]:
    """``n`` evenly spaced values from ``lower`` to ``upper``, as ints when they all are whole
    and the ends were written as whole numbers (years stay years)."""
    grid = np.linspace(float(lower), float(upper), int(n))
    if isinstance(lower, int) and isinstance(upper, int) and np.all(grid == np.round(grid)):
        return [int(v) for v in np.round(grid)]
    return [float(v) for v in grid]


def check_levers(s: Any) -> None:
    """Refuse a lever whose ``path`` is not a field ``--set`` can set (located at the path)."""
    if not s.levers:
        return
    from ..exceptions import ScenarioError
    from .overrides import _apply_override

    data = s.to_dict()
    for name, lever in s.levers.items():
        try:
            _apply_override(data, lever.path, lever.settings()[0])
        except ScenarioError as err:
            raise ScenarioError(
                f"lever {name!r}: {err.message}", path=f"levers.{name}.path"
            ) from None
        data = s.to_dict()  # each lever checked on the scenario as written
