"""Parameters as data: what each growth-family parameter is and the values it may take.

A family declares its parameters as a tuple of :class:`ParamSpec` (name, kind, domain, doc);
validation, the documentation, the JSON Schema, calibration bounds and the bracket of
:func:`projection.solve` all read them. :class:`Domain` is a parameter's effective range, built
by :meth:`projection.models.Family.domain`.

Two global limits keep every kernel's arithmetic finite for every parameter set that passes
validation: :data:`MAX_ABS` bounds the magnitude of every parameter and :data:`MAX_HORIZON`
bounds how far ``years`` may lie from ``base_year``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import ParameterError

__all__ = ["KINDS", "MAX_ABS", "MAX_HORIZON", "Domain", "ParamSpec"]

#: Parameter kinds and the unit each kind is expressed in.
KINDS: dict[str, str] = {
    "level": "indicator unit",
    "rate": "1/yr",
    "level_rate": "indicator unit/yr",
    "year": "calendar year",
}

#: Largest magnitude any parameter may have. Far beyond any physical indicator, small enough
#: that products such as ``slope * d`` can never overflow.
MAX_ABS: float = 1e150

#: Largest distance [yr] between an evaluated year (or a milestone year) and ``base_year``.
MAX_HORIZON: float = 10_000.0


def _fmt(x: Any) -> str:
    """Format one number for an error message: ``20`` rather than ``20.0``, else ``repr``."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _at(mask: np.ndarray) -> tuple[tuple[int, ...], str]:
    """Index of the first True in ``mask`` and its description (empty for a scalar)."""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    if not index:
        return index, ""
    if len(index) == 1:
        return index, f" at index {index[0]}"
    return index, f" at index {index}"


def _as_float_array(name: str, value: Any) -> np.ndarray:
    """Convert ``value`` to a float array, rejecting strings, booleans and complex numbers."""
    if value is None or isinstance(value, (str, bytes)):
        raise ParameterError(name, f"must be a number or an array of numbers (got {value!r})")
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":
            if raw.dtype.kind != "O":
                raise TypeError(raw.dtype)
            raw = raw.astype(float)  # e.g. a list mixing int and Decimal
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            name, f"must be a number or an array of numbers (got {value!r})"
        ) from err


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a growth family, declared as data.

    Parameters
    ----------
    name : str
        Keyword name, the same in code and in scenario files (``start``, ``ceiling``, ...).
    kind : str
        ``"level"`` (the indicator's own unit, e.g. a start value or a ceiling),
        ``"rate"`` [1/yr], ``"level_rate"`` [indicator unit/yr], e.g. a linear slope, or
        ``"year"`` (a calendar year, passed to the kernel as an offset from ``base_year``).
    doc : str
        One-line description, used in docs and error messages.
    required : bool, default True
        Whether the parameter must be given.
    default : float, optional
        Value used when an optional parameter is omitted; ``None`` means "absent" (the family
        then behaves differently, e.g. an exponential without a ceiling).
    lower, upper : float, optional
        Bounds of the domain; ``None`` means unbounded (apart from :data:`MAX_ABS`).
        ``upper`` is inclusive.
    lower_inclusive : bool, default True
        Whether ``lower`` itself is allowed (``ceiling > 0`` has ``lower_inclusive=False``).
    """

    name: str
    kind: str
    doc: str
    required: bool = True
    default: float | None = None
    lower: float | None = None
    upper: float | None = None
    lower_inclusive: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"ParamSpec {self.name!r}: kind must be one of {sorted(KINDS)}")

    def _all_inside(self, value: np.ndarray) -> bool:
        """True when every element passes :meth:`check`, decided from the smallest and largest
        element alone (two reductions, no temporary arrays). NaN propagates into both, and
        fails every comparison."""
        if value.size == 0:
            return True
        lo, hi = value.min(), value.max()
        if not (-MAX_ABS <= lo and hi <= MAX_ABS):
            return False
        if self.lower is not None and not (
            lo >= self.lower if self.lower_inclusive else lo > self.lower
        ):
            return False
        return self.upper is None or bool(hi <= self.upper)

    @property
    def unit(self) -> str:
        """Unit the parameter is expressed in (see :data:`KINDS`)."""
        return KINDS[self.kind]

    def unit_for(self, indicator_unit: str) -> str:
        """The unit this parameter's values are in for an indicator in ``indicator_unit``:
        that unit for a level, ``1/yr`` for a rate, ``(unit)/yr`` for a level rate, and a
        calendar year (no unit) for a year.

        Examples
        --------
        >>> ParamSpec("slope", "level_rate", "change per year").unit_for("GW")
        '(GW)/yr'
        """
        if self.kind == "rate":
            return "1/yr"
        if self.kind == "level_rate":
            return f"({indicator_unit or 'dimensionless'})/yr"
        if self.kind == "year":
            return ""
        return indicator_unit

    def check(self, value: np.ndarray) -> None:
        """Raise :class:`~projection.exceptions.ParameterError` unless every element of ``value``
        is finite and inside this parameter's domain."""
        if self._all_inside(value):
            return
        # something is wrong: find the first offending element, in the order of the checks
        bad = ~np.isfinite(value)
        if bad.any():
            index, where = _at(bad)
            raise ParameterError(self.name, f"must be finite (got {_fmt(value[index])}{where})")
        bad = np.abs(value) > MAX_ABS
        if bad.any():
            index, where = _at(bad)
            raise ParameterError(
                self.name,
                f"must be between -{MAX_ABS:g} and {MAX_ABS:g} (got {_fmt(value[index])}{where})",
            )
        if self.lower is not None:
            bad = value < self.lower if self.lower_inclusive else value <= self.lower
            if bad.any():
                index, where = _at(bad)
                op = ">=" if self.lower_inclusive else ">"
                raise ParameterError(
                    self.name,
                    f"must be {op} {_fmt(self.lower)} (got {_fmt(value[index])}{where})",
                )
        if self.upper is not None:
            bad = value > self.upper
            if bad.any():
                index, where = _at(bad)
                raise ParameterError(
                    self.name,
                    f"must be <= {_fmt(self.upper)} (got {_fmt(value[index])}{where})",
                )


@dataclass(frozen=True)
class Domain:
    """The values a parameter may take: ``lower <= x <= upper`` (``lower < x`` when
    ``lower_inclusive`` is false). Infinite ends are open (apart from :data:`MAX_ABS`).

    Built by :meth:`Family.domain`, the one place where a parameter's own bounds, the share cap
    of a level and the order ``start <= cap`` are combined.
    """

    lower: float = -math.inf
    upper: float = math.inf
    lower_inclusive: bool = True

    def __contains__(self, value: float) -> bool:
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        return bool(above and value <= self.upper and abs(value) <= MAX_ABS)

    @property
    def empty(self) -> bool:
        """True when no value is allowed."""
        return self.lower > self.upper or (self.lower == self.upper and not self.lower_inclusive)
