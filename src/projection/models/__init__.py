"""Growth families: one module per family, and the registry that names them.

Every family is a :class:`~projection.models.family.Family` instance with the same entry point::

    family.evaluate(years, *, base_year, **params) -> numpy.ndarray

============  ===========================================  ====================================
family        parameters                                   shape of the curve
============  ===========================================  ====================================
linear        start, slope [unit/yr]                       straight line
exponential   start, rate [1/yr], optional ceiling         constant growth rate, bent under C
logistic      start, ceiling, rate [1/yr]                  symmetric S-curve
gompertz      start, ceiling, rate [1/yr]                  asymmetric S-curve
bass          start, market, p [1/yr], q [1/yr]            cumulative Bass diffusion
staged        start, milestone_years, milestone_values     through dated milestones
============  ===========================================  ====================================

``derived`` indicators (an expression of other indicators) are not a growth family; the
engine evaluates them. :data:`DERIVED` names that model so callers can check for it.

Examples
--------
>>> from projection.models import FAMILIES, get_family
>>> sorted(FAMILIES)
['bass', 'exponential', 'gompertz', 'linear', 'logistic', 'staged']
>>> get_family("logistic").param_names
('start', 'ceiling', 'rate')
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ParameterError
from .bass import bass
from .exponential import exponential
from .family import Family
from .gompertz import gompertz
from .linear import linear
from .logistic import logistic
from .params import KINDS, MAX_ABS, MAX_HORIZON, Domain, ParamSpec
from .staged import staged

__all__ = [
    "DERIVED",
    "Domain",
    "FAMILIES",
    "Family",
    "KINDS",
    "MAX_ABS",
    "MAX_HORIZON",
    "ParamSpec",
    "bass",
    "exponential",
    "get_family",
    "gompertz",
    "linear",
    "logistic",
    "staged",
]

#: Model name of indicators computed from an expression (not a growth family).
DERIVED = "derived"

#: Registry of the growth families by name.
FAMILIES: dict[str, Family] = {
    family.name: family for family in (bass, exponential, gompertz, linear, logistic, staged)
}


def get_family(name: Any) -> Family:
    """Return the growth family called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`FAMILIES`.

    Returns
    -------
    Family

    Raises
    ------
    ParameterError
        Naming ``model``, for an unknown name or for ``"derived"`` (not a growth family).

    Examples
    --------
    >>> get_family("bass").param_names
    ('start', 'market', 'p', 'q')
    >>> get_family("sigmoid")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    projection.exceptions.ParameterError: model: unknown growth family 'sigmoid' (expected ...)
    """
    if isinstance(name, str) and name in FAMILIES:
        return FAMILIES[name]
    expected = ", ".join(sorted([*FAMILIES, DERIVED]))
    if name == DERIVED:
        raise ParameterError(
            "model",
            f"{DERIVED!r} is not a growth family: derived indicators are computed from their "
            f"expression (growth families: {', '.join(sorted(FAMILIES))})",
        )
    raise ParameterError("model", f"unknown growth family {name!r} (expected one of: {expected})")
