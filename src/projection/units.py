"""Units: the one pint registry the whole package shares.

Scenario files write quantities as people do: ``450 Gbps``, ``4 Tbps``, ``25 %``, ``16.5 GW``,
``140 TWh``, ``0.35 1/yr``. This module parses them with pint and converts between units of the
same dimension. Keeping *kinds* apart is the point: a share of sales (``%``), a capacity
(``Gbps``), an installed power (``GW``) and an energy (``TWh``) have different dimensions, and a
unit that does not fit raises :class:`~projection.exceptions.UnitError`.

All of these are pint's own definitions: ``bps`` (bit per second, so ``Gbps`` and ``Tbps``
through SI prefixes), ``yr``, ``GW``, ``TWh``, ``h`` and ``%`` (0.01, dimensionless). One change:
``bit`` has its own dimension ``[information]`` (see :func:`_make_registry`).

Units are converted here, once, when a scenario is compiled (:mod:`projection.engine.compiled`);
the engine's evaluation works on plain floats and arrays.

Start-up
--------
pint parses its definition file (about a thousand units) when a registry is made. That work is
cached on disk by pint itself (``cache_folder=":auto:"``, the user's cache folder), so a
command starts in a few milliseconds instead of a tenth of a second; where the cache folder
cannot be written, the registry is built without it.

pint also probes, when it is imported, for libraries it can integrate with: it imports dask
(the ``dask`` extra; about a tenth of a second), scipy and babel when they are installed.
projection uses none of those integrations, so while pint is imported they are hidden from the
probe (only those not imported already; they import normally afterwards).
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from typing import Any

from .exceptions import UnitError

#: Libraries pint probes for when it is imported, none of whose integrations projection uses:
#: dask (about 0.1 s), scipy and babel (together about 0.04 s of CPU).
_PROBED = ("dask", "scipy", "babel")


def _import_pint() -> Any:
    hidden = [name for name in _PROBED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import/find_spec -> not found
    try:
        import pint
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    return pint


pint = _import_pint()

__all__ = [
    "ureg",
    "Quantity",
    "parse_unit",
    "parse_quantity",
    "conversion_factor",
    "exact_factor",
    "is_share",
    "share_cap",
    "dimension_text",
]

#: Data rates defined explicitly: "Tbps" would otherwise parse ambiguously (tera-baud or
#: tera-bit-per-second).
_DATA_RATES = (("k", "1e3"), ("M", "1e6"), ("G", "1e9"), ("T", "1e12"), ("P", "1e15"))


def _make_registry() -> pint.UnitRegistry:
    """pint's default registry, with ``bit`` given its own dimension ``[information]``.

    pint defines ``bit`` as dimensionless, which would make ``Gbps`` the same dimension as
    ``1/yr``: a growth rate could then be converted into a cable capacity. Giving information
    its own dimension keeps capacities apart from rates. The redefinition is made before any
    unit is resolved, so every unit defined from ``bit`` (``byte``, ``baud``, ``bps``) follows
    it (tested in ``tests/test_units.py``).
    """
    options: dict[str, Any] = {"autoconvert_offset_to_baseunit": True, "on_redefinition": "ignore"}
    try:
        registry = pint.UnitRegistry(cache_folder=":auto:", **options)
    except Exception:  # pragma: no cover - an unwritable cache folder: build without it
        registry = pint.UnitRegistry(cache_folder=None, **options)
    registry.define("bit = [information]")
    for prefix, scale in _DATA_RATES:
        registry.define(f"{prefix}bps = {scale} * bit / second")
    return registry


ureg = _make_registry()
Quantity = ureg.Quantity

_DIMENSIONLESS = ureg.dimensionless.dimensionality


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string such as ``"Gbps"``, ``"%"``, ``"GW"`` or ``"1/yr"``.

    Parameters
    ----------
    text : str
        The unit. An empty string means dimensionless.

    Returns
    -------
    pint.Unit

    Raises
    ------
    UnitError
        If pint cannot parse ``text`` or it is not a plain unit.

    Examples
    --------
    >>> from projection.units import parse_unit
    >>> parse_unit("Gbps").dimensionality == parse_unit("bit/s").dimensionality
    True
    """
    if not isinstance(text, str):
        raise UnitError(f"unit must be a string, got {type(text).__name__} {text!r}")
    return _parse_unit(text)


@lru_cache(maxsize=512)
def _parse_unit(text: str) -> pint.Unit:
    stripped = text.strip()
    if stripped in ("", "1", "dimensionless"):
        return ureg.dimensionless
    try:
        parsed = ureg.parse_expression(stripped)
    except Exception as err:  # pint raises several unrelated types
        raise UnitError(f"cannot parse unit {text!r} ({_short(err)})") from None
    if isinstance(parsed, (int, float)):
        if parsed == 1:
            return ureg.dimensionless
        raise UnitError(f"{text!r} is a number, not a unit")
    if parsed.magnitude != 1:
        raise UnitError(f"{text!r} is a quantity, not a unit (write the number in `value`)")
    return parsed.units


def parse_quantity(value: object, unit: str | None = None) -> tuple[float, str]:
    """Split a scenario value into a magnitude and a unit string.

    Parameters
    ----------
    value : float, int or str
        A number (then ``unit`` applies) or a string carrying its own unit, ``"4 Tbps"``.
    unit : str, optional
        The unit of a bare number. May not be combined with a string that carries a unit.

    Returns
    -------
    (magnitude, unit) : tuple of (float, str)
        ``unit`` is ``""`` for a dimensionless number without a unit.

    Raises
    ------
    UnitError
        The string cannot be parsed, or units are given twice.

    Examples
    --------
    >>> from projection.units import parse_quantity
    >>> parse_quantity("4 Tbps")
    (4.0, 'Tbps')
    >>> parse_quantity(25, "%")
    (25.0, '%')
    """
    if isinstance(value, bool):
        raise UnitError(f"expected a number or a quantity such as '4 Tbps', got {value!r}")
    if isinstance(value, (int, float)):
        try:
            magnitude = float(value)
        except OverflowError:  # an int such as 10**400
            raise UnitError("number is too large (at most about 1.8e308)") from None
        text_unit = unit or ""
    elif isinstance(value, str):
        magnitude, text_unit = _split_number(value)
        if text_unit and unit:
            raise UnitError(
                f"{value!r} carries a unit and `unit: {unit}` is also given (give the unit once)"
            )
        text_unit = text_unit or (unit or "")
    else:
        raise UnitError(
            f"expected a number or a quantity such as '4 Tbps', got {type(value).__name__}"
        )
    if not math.isfinite(magnitude):
        raise UnitError(f"value must be finite, got {magnitude!r} (expected a finite number)")
    parse_unit(text_unit)  # validate
    return magnitude, text_unit.strip()


def _split_number(text: str) -> tuple[float, str]:
    """``"4 Tbps"`` -> ``(4.0, "Tbps")``; ``"25%"`` -> ``(25.0, "%")``; ``"12"`` -> ``(12.0, "")``."""
    s = text.strip()
    i = 0
    allowed = set("0123456789.+-eE_")
    while i < len(s) and s[i] in allowed:
        # stop before a unit starting with 'e'/'E' that is not an exponent (e.g. "5 EJ")
        if s[i] in "eE" and not (i + 1 < len(s) and (s[i + 1].isdigit() or s[i + 1] in "+-")):
            break
        i += 1
    number, rest = s[:i], s[i:].strip()
    try:
        magnitude = float(number)
    except ValueError:
        raise UnitError(
            f"cannot read a number in {text!r} (expected a number followed by a unit, e.g. '4 Tbps')"
        ) from None
    return magnitude, rest


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that converts a magnitude in ``from_unit`` to ``to_unit``.

    Rounded to 15 significant digits, so that ``Tbps`` to ``Gbps`` is 1000 and not
    1000.0000000000001: this is the factor scenario values are converted with.

    Raises
    ------
    UnitError
        If the two units have different dimensions, e.g. ``Gbps`` and ``%``.

    Examples
    --------
    >>> from projection.units import conversion_factor
    >>> conversion_factor("Tbps", "Gbps")
    1000.0
    >>> conversion_factor("%", "")
    0.01
    """
    return _factor(from_unit.strip(), to_unit.strip(), True)


def exact_factor(from_unit: str | pint.Unit, to_unit: str | pint.Unit) -> float:
    """The factor pint itself multiplies a magnitude by to convert it (not rounded).

    This is what ``Quantity(x, from_unit).to(to_unit).magnitude`` computes for a
    multiplicative unit, ``x * exact_factor(from_unit, to_unit)``, bit for bit: compiled
    derived expressions convert with it, so that they give exactly what pint gives.
    """
    src = from_unit if isinstance(from_unit, str) else str(from_unit)
    dst = to_unit if isinstance(to_unit, str) else str(to_unit)
    return _factor(src.strip(), dst.strip(), False)


@lru_cache(maxsize=2048)
def _factor(from_unit: str, to_unit: str, rounded: bool) -> float:
    src, dst = parse_unit(from_unit), parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"unit {from_unit or 'dimensionless'!r} does not fit "
            f"{to_unit or 'dimensionless'!r} (expected a unit of dimension "
            f"{dimension_text(dst)}, got {dimension_text(src)})"
        )
    factor = float(Quantity(1.0, src).to(dst).magnitude)
    if not rounded:
        return factor
    # 15 significant digits: Tbps -> Gbps is 1000, not 1000.0000000000001
    return float(f"{factor:.15g}")


def is_share(unit: str) -> bool:
    """True when ``unit`` is dimensionless (a share such as ``%``): values then live in [0, 1]."""
    return parse_unit(unit).dimensionality == _DIMENSIONLESS


def share_cap(unit: str) -> float:
    """The largest value an indicator in ``unit`` may take: all of it (``100`` for ``%``,
    ``1`` for a plain ratio) for a share, ``inf`` for anything else.

    Examples
    --------
    >>> share_cap("%"), share_cap(""), share_cap("Gbps")
    (100.0, 1.0, inf)
    """
    return _share_cap(unit.strip())


@lru_cache(maxsize=512)
def _share_cap(unit: str) -> float:
    if not is_share(unit):
        return math.inf
    return 1.0 / conversion_factor(unit, "")


def dimension_text(unit: pint.Unit) -> str:
    """The dimension of a unit in words: ``[information] / [time]``, or ``dimensionless (a
    share)``."""
    d = str(unit.dimensionality)
    return "dimensionless (a share)" if d == "dimensionless" else d


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:120]
