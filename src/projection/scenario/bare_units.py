"""Bare numbers keep the unit they were written in when an indicator's unit changes.

A bare number (``value: 450``, no ``unit``) means the unit the indicator declares: 450 on an
indicator in ``Gbps`` is 450 Gbps. When that unit is changed afterwards, by
``--set indicators.cap.unit=Tbps`` or by a child file that ``extends`` a parent and gives the
indicator another ``unit``, the number must still mean 450 Gbps (and be reported as 0.45 Tbps),
not become 450 Tbps. :func:`pin_bare_units` writes the unit in effect next to every such number
before the unit is changed, so that the change converts instead of relabelling.

The numbers concerned are those read in the indicator's unit: its level parameters (``start``,
``ceiling``, ``market``, ...), its level-rate parameters (``slope``, in unit per year), its
milestones' values, and the targets on it. Rates (``1/yr``), years and the parameters of a
``derived`` indicator (constants of its expression, in their own units) do not depend on the
indicator's unit and are left alone.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ProjectionError
from ..models import FAMILIES
from ..units import parse_quantity

__all__ = ["pin_bare_units"]


def pin_bare_units(data: dict[str, Any], name: str, unit: str) -> None:
    """Give each bare number of indicator ``name`` in the raw scenario mapping ``data`` the
    explicit ``unit`` it is read in today (in place).

    Parameters
    ----------
    data : dict
        A scenario as a plain mapping (before validation).
    name : str
        The indicator whose unit is about to change.
    unit : str
        Its unit before the change.

    Examples
    --------
    >>> data = {"indicators": {"cap": {"unit": "Gbps", "model": "staged",
    ...     "params": {"start": {"value": 450, "source": "s"}},
    ...     "milestones": [{"year": 2027, "value": "1 Tbps", "source": "s"}]}},
    ...     "targets": {"T": {"indicator": "cap", "year": 2030, "at_least": 900, "source": "s"}}}
    >>> pin_bare_units(data, "cap", "Gbps")
    >>> data["indicators"]["cap"]["params"]["start"]["unit"], data["targets"]["T"]["unit"]
    ('Gbps', 'Gbps')
    >>> "unit" in data["indicators"]["cap"]["milestones"][0]  # "1 Tbps" carries its own
    False
    """
    written = unit.strip() or "dimensionless"
    indicator = (data.get("indicators") or {}).get(name)
    if not isinstance(indicator, dict):
        return
    family = (
        FAMILIES.get(indicator.get("model")) if isinstance(indicator.get("model"), str) else None
    )
    params = indicator.get("params")
    if family is not None and isinstance(params, dict):
        kinds = {spec.name: spec.kind for spec in family.params}
        for pname, record in params.items():
            kind = kinds.get(pname)
            if kind == "level":
                _pin(record, "value", written)
            elif kind == "level_rate":
                _pin(record, "value", f"({written})/yr")
    milestones = indicator.get("milestones")
    if isinstance(milestones, list):
        for record in milestones:
            _pin(record, "value", written)
    targets = data.get("targets")
    if isinstance(targets, dict):
        for target in targets.values():
            if isinstance(target, dict) and target.get("indicator") == name:
                for field in ("at_least", "at_most"):
                    if field in target:
                        _pin(target, field, written)


def _pin(record: Any, field: str, unit: str) -> None:
    """Set ``record["unit"] = unit`` when the number in ``record[field]`` is bare."""
    if not isinstance(record, dict) or record.get("unit") not in (None, ""):
        return
    value = record.get(field)
    if value is None and "distribution" not in record:
        return
    if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
        return  # not a number: validation reports it
    if isinstance(value, str):
        try:
            if parse_quantity(value)[1]:
                return  # "1 Tbps" carries its own unit
        except ProjectionError:
            return  # unparseable: validation reports it
    record["unit"] = unit
