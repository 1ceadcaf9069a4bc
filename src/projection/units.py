"""Units: the one pint registry the whole package shares, and the unit facts it gives.

Scenario files write quantities as people do: ``450 Gbps``, ``4 Tbps``, ``25 %``, ``16.5 GW``,
``140 TWh``, ``0.35 1/yr``. This module parses them with pint and converts between units of the
same dimension. Keeping *kinds* apart is the point: a share of sales (``%``), a capacity
(``Gbps``), an installed power (``GW``) and an energy (``TWh``) have different dimensions, and a
unit that does not fit raises :class:`~projection.exceptions.UnitError`.

All of these are pint's own definitions: ``bps`` (bit per second, so ``Gbps`` and ``Tbps``
through SI prefixes), ``yr``, ``GW``, ``TWh``, ``h`` and ``%`` (0.01, dimensionless). One change:
``bit`` has its own dimension ``[information]`` (see :data:`DEFINITIONS`).

Units are converted here, once, when a scenario is compiled (:mod:`projection.engine.compiled`);
the engine's evaluation works on plain floats and arrays.

Bounds
------
pint evaluates the arithmetic in a unit string: ``Gbps**9**9**9`` would run for minutes and
fill memory before pint says anything. So every unit string is checked, by a small tokenizer,
before pint sees it (:func:`~projection.units_bounds.check_unit_text`): at most
:data:`MAX_UNIT_LENGTH` characters of names, numbers, ``*``, ``/``, ``**`` (or ``^``) and
parentheses (nested at most :data:`MAX_UNIT_DEPTH` deep), one exponent per name or group, a
plain number of magnitude at most :data:`MAX_EXPONENT` (nested powers multiply: ``(m**2)**3``
counts 6). Unit text that pint formatted itself (the unit of a derived expression,
``gigabit_per_second / terabit_per_second``, given to :func:`exact_factor`, :func:`unit_text`
and :func:`unit_label`) may be longer and carry an expression's exponents
(:data:`MAX_FORMATTED_LENGTH`, :data:`MAX_FORMATTED_EXPONENT`). The check comes before the
disk cache is asked, so text out of bounds never gets an answer. Once parsed, a unit's scale
(its factor to its SI base unit) must lie within a factor :data:`MAX_SCALE` of 1, and a
conversion factor must be finite and non-zero: every refusal is a
:class:`~projection.exceptions.UnitError`, never pint's ``OverflowError`` or
``ZeroDivisionError``.

Start-up
--------
Importing pint and building its registry costs more CPU than everything else a command does.
So the questions the package asks while validating, compiling and running a scenario go
through functions of strings (:func:`conversion_factor`, :func:`exact_factor`,
:func:`dimension_of`, :func:`is_share`, :func:`unit_text`, :func:`unit_label`) whose answers
are remembered on disk (:mod:`projection.units_cache`); pint is imported only when a question
is new. ``ureg``, ``Quantity`` and :func:`parse_unit` give pint's own objects, building the
registry on first use.

pint parses its definition file (about a thousand units) when a registry is made; that work is
cached on disk by pint itself (``cache_folder=":auto:"``); where the cache folder cannot be
written, the registry is built without it. pint also probes, when it is imported, for
libraries it can integrate with: it imports dask (the ``dask`` extra; about a tenth of a
second), scipy and babel when they are installed. projection uses none of those
integrations, so while pint is imported they are hidden from the probe (only those not
imported already; they import normally afterwards).
"""

from __future__ import annotations

import math
import sys
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .exceptions import UnitError
from .units_bounds import (
    MAX_EXPONENT,
    MAX_FORMATTED_EXPONENT,
    MAX_FORMATTED_LENGTH,
    MAX_SCALE,
    MAX_UNIT_DEPTH,
    MAX_UNIT_LENGTH,
    check_unit_text,
)
from .units_cache import cached

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "ureg",  # noqa: F822 - made on first use, by __getattr__
    "Quantity",  # noqa: F822
    "DEFINITIONS",
    "registry",
    "parse_unit",
    "parse_quantity",
    "check_unit",
    "conversion_factor",
    "exact_factor",
    "dimension_of",
    "is_share",
    "is_percent",
    "share_cap",
    "unit_text",
    "unit_label",
    "dimension_text",
    "check_unit_text",
    "MAX_UNIT_LENGTH",
    "MAX_UNIT_DEPTH",
    "MAX_EXPONENT",
    "MAX_SCALE",
    "MAX_FORMATTED_LENGTH",
    "MAX_FORMATTED_EXPONENT",
]


#: Libraries pint probes for when it is imported, none of whose integrations projection uses:
#: dask (about 0.1 s), scipy and babel (together about 0.04 s of CPU).
_PROBED = ("dask", "scipy", "babel")

#: Data rates defined explicitly: "Tbps" would otherwise parse ambiguously (tera-baud or
#: tera-bit-per-second).
_DATA_RATES = (("k", "1e3"), ("M", "1e6"), ("G", "1e9"), ("T", "1e12"), ("P", "1e15"))

#: What projection adds to pint's default registry, in order (and two counts, vehicles and
#: people, each a dimension of its own). pint defines ``bit`` as
#: dimensionless, which would make ``Gbps`` the same dimension as ``1/yr``: a growth rate could
#: then be converted into a cable capacity. Giving information its own dimension keeps
#: capacities apart from rates. The redefinition is made before any unit is resolved, so every
#: unit defined from ``bit`` (``byte``, ``baud``, ``bps``) follows it (tested in
#: ``tests/test_units.py``).
DEFINITIONS = (
    "bit = [information]",
    *(f"{prefix}bps = {scale} * bit / second" for prefix, scale in _DATA_RATES),
    # counts with a dimension of their own, so a fleet is never read as a share (a pure
    # number is a share in [0, 100 %]): vehicles (sold per year, on the road) and people
    "vehicle = [vehicles] = veh",
    "person = [people] = people",
)


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


def _make_registry() -> pint.UnitRegistry:
    """pint's default registry with :data:`DEFINITIONS` added."""
    pint = _import_pint()
    options: dict[str, Any] = {"autoconvert_offset_to_baseunit": True, "on_redefinition": "ignore"}
    try:
        reg = pint.UnitRegistry(cache_folder=":auto:", **options)
    except Exception:  # pragma: no cover - an unwritable cache folder: build without it
        reg = pint.UnitRegistry(cache_folder=None, **options)
    for definition in DEFINITIONS:
        reg.define(definition)
    return reg


_REGISTRY: pint.UnitRegistry | None = None


def registry() -> pint.UnitRegistry:
    """The one pint registry, built (and pint imported) on first use."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = _make_registry()
    return _REGISTRY


def __getattr__(name: str) -> Any:
    # ``ureg`` and ``Quantity`` are pint's objects, made when first asked for
    if name == "ureg":
        return registry()
    if name == "Quantity":
        return registry().Quantity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    return _user_unit(_unit_string(text))


def _unit_string(text: object) -> str:
    if not isinstance(text, str):
        raise UnitError(f"unit must be a string, got {type(text).__name__} {text!r}")
    return text


def _user_unit(text: str) -> pint.Unit:
    """A unit as a user wrote it: within the bounds (:mod:`projection.units_bounds`), parsed,
    its scale within :data:`MAX_SCALE` of its base unit."""
    check_unit_text(text)
    unit = _parse_unit(text)
    _check_scale(text)
    return unit


@lru_cache(maxsize=512)
def _parse_unit(text: str) -> pint.Unit:
    """The one place pint parses unit text; text outside the (looser) bounds of pint's own
    formatting never gets here, whoever calls."""
    check_unit_text(text, formatted=True)
    ureg = registry()
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


@lru_cache(maxsize=512)
def _check_scale(text: str) -> None:
    """Refuse a unit whose factor to its base unit is beyond :data:`MAX_SCALE` either way
    (``%**200`` is 1e-400: 0 in floating point; ``Ybit**5/s`` is 1e120 bit/s)."""
    unit = _parse_unit(text)
    try:
        scale, base = registry().get_base_units(unit)
        scale = float(scale)
    except (ArithmeticError, ValueError):  # OverflowError, ZeroDivisionError
        scale, base = math.inf, None
    if not 1 / MAX_SCALE <= abs(scale) <= MAX_SCALE:
        of = "" if base is None else f" ({base})".replace("(dimensionless)", "(a plain ratio)")
        if 0 < abs(scale) < math.inf:
            size = f"it is about 1e{round(math.log10(abs(scale)))} times its base unit{of}"
        else:
            size = f"its factor to its base unit{of} {'underflows' if scale == 0 else 'overflows'}"
        raise UnitError(
            f"unit {text.strip()!r} is out of range: {size} (expected a unit within a factor "
            f"1e{round(math.log10(MAX_SCALE))} of its base unit)"
        )


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
    check_unit(text_unit)
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
    after = s[i + 1 : i + 2]
    if s[i : i + 1] in ("e", "E") and not (after.isalpha() or after == "_"):
        # "5e GW": an exponent without its digits, not the elementary charge e times GW
        raise UnitError(
            f"cannot read a number in {text!r}: {s[: i + 1]!r} has no exponent digits "
            "(expected e.g. '5e3 GW'; a unit starting with e is written after a space, '5 eV')"
        )
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
    src, dst = _unit_string(from_unit).strip(), _unit_string(to_unit).strip()
    check_unit_text(src)  # both within the bounds before anything else is asked
    check_unit_text(dst)
    _dimension(src)  # each unit's scale
    _dimension(dst)
    return _factor(src, dst, True)


def exact_factor(from_unit: str | pint.Unit, to_unit: str | pint.Unit) -> float:
    """The factor pint itself multiplies a magnitude by to convert it (not rounded).

    This is what ``Quantity(x, from_unit).to(to_unit).magnitude`` computes for a
    multiplicative unit, ``x * exact_factor(from_unit, to_unit)``, bit for bit: compiled
    derived expressions convert with it, so that they give exactly what pint gives.
    """
    src = (from_unit if isinstance(from_unit, str) else str(from_unit)).strip()
    dst = (to_unit if isinstance(to_unit, str) else str(to_unit)).strip()
    check_unit_text(src, formatted=True)  # before the cache: no answer for text out of bounds
    check_unit_text(dst, formatted=True)
    return _factor(src, dst, False)


@cached("factor")
def _factor(from_unit: str, to_unit: str, rounded: bool) -> float:
    src, dst = _parse_unit(from_unit), _parse_unit(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"unit {from_unit or 'dimensionless'!r} does not fit "
            f"{to_unit or 'dimensionless'!r} (expected a unit of dimension "
            f"{dimension_text(dst)}, got {dimension_text(src)})"
        )
    try:
        factor = float(registry().Quantity(1.0, src).to(dst).magnitude)
    except (ArithmeticError, ValueError):  # pint's OverflowError, ZeroDivisionError
        factor = math.nan
    if not math.isfinite(factor) or factor == 0:
        raise UnitError(
            f"converting {from_unit or 'dimensionless'!r} to {to_unit or 'dimensionless'!r} "
            f"is out of range (the factor is {factor:g}; expected a finite, non-zero factor)"
        )
    if not rounded:
        return factor
    # 15 significant digits: Tbps -> Gbps is 1000, not 1000.0000000000001
    return float(f"{factor:.15g}")


def check_unit(text: str) -> None:
    """Raise :class:`UnitError` unless ``text`` is a unit pint can parse, within the bounds
    and the scale of :mod:`projection.units_bounds` (see :func:`parse_unit`)."""
    check_unit_text(_unit_string(text))  # before the cache: no answer for text out of bounds
    _dimension(text)


def dimension_of(unit: str) -> str:
    """The dimension of ``unit`` as text, ``""`` for a dimensionless unit (a share).

    Examples
    --------
    >>> dimension_of("Gbps"), dimension_of("%")
    ('[information] / [time]', '')
    """
    check_unit_text(_unit_string(unit))  # before the cache: no answer for text out of bounds
    return _dimension(unit)


@cached("dimension")
def _dimension(text: str) -> str:
    d = _user_unit(text).dimensionality
    return str(d) if d else ""


def is_share(unit: str) -> bool:
    """True when ``unit`` is dimensionless (a share such as ``%``): values then live in [0, 1]."""
    return dimension_of(unit) == ""


def is_percent(unit: str) -> bool:
    """True when ``unit`` is a share counted in hundredths (``%``, ``percent``): a bare
    number there is read in %, so 0.3 is 0.3 %, not 30 %.

    Examples
    --------
    >>> is_percent("%"), is_percent("percent"), is_percent(""), is_percent("Gbps")
    (True, True, False, False)
    """
    return abs(share_cap(unit) - 100.0) < 1e-9


def share_cap(unit: str) -> float:
    """The largest value an indicator in ``unit`` may take: all of it (``100`` for ``%``,
    ``1`` for a plain ratio) for a share, ``inf`` for anything else.

    Examples
    --------
    >>> share_cap("%"), share_cap(""), share_cap("Gbps")
    (100.0, 1.0, inf)
    """
    return _share_cap(_unit_string(unit).strip())


@lru_cache(maxsize=512)
def _share_cap(unit: str) -> float:
    if not is_share(unit):
        return math.inf
    return 1.0 / conversion_factor(unit, "")


def unit_text(unit: str) -> str:
    """pint's name of ``unit``, as it prints it: ``"Tbps"`` -> ``"terabit_per_second"``."""
    check_unit_text(_unit_string(unit), formatted=True)
    return _unit_text(unit)


@cached("text")
def _unit_text(unit: str) -> str:
    return str(_parse_unit(unit))


def unit_label(unit: str, spec: str = "~P") -> str:
    """``unit`` formatted by pint with ``spec``: ``unit_label("gigawatt / hour")`` is
    ``"GW/h"``."""
    check_unit_text(_unit_string(unit), formatted=True)
    return _unit_label(unit, spec)


@cached("label")
def _unit_label(unit: str, spec: str) -> str:
    return format(_parse_unit(unit), spec)


def dimension_text(unit: pint.Unit) -> str:
    """The dimension of a unit in words: ``[information] / [time]``, or ``dimensionless (a
    share)``."""
    d = str(unit.dimensionality)
    return "dimensionless (a share)" if d == "dimensionless" else d


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:120]
