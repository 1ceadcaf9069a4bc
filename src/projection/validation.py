"""Checks of plain arguments, declared once: whole numbers, real numbers, "did you mean".

Every public function that takes a count, a seed or a size checks it here, so the message has
one shape everywhere: it names the argument, says what it must be and what it got::

    samples must be a whole number from 1 to 100,000,000 (got 0)

Booleans are refused where a number is expected (``True`` is an ``int`` to Python, and YAML
reads ``yes``/``no`` as booleans). Messages go into :class:`~projection.exceptions.ProjectionError`
(or the class the caller passes), never into an ``assert``.

Examples
--------
>>> whole_number("workers", 2, minimum=1)
2
>>> whole_number("workers", True, minimum=1)
Traceback (most recent call last):
...
projection.exceptions.ProjectionError: workers must be a positive whole number (got True)
>>> suggest("cieling", ["start", "ceiling", "rate"])
", did you mean 'ceiling'?"
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from typing import Any

from .exceptions import ProjectionError

__all__ = [
    "refuse_boolean",
    "is_whole_number",
    "whole_number",
    "real_number",
    "parse_years",
    "suggest",
    "closest",
]


def refuse_boolean(value: Any, expected: str = "a number") -> Any:
    """``value``, unless it is a boolean: YAML reads ``yes``/``no``/``on``/``off`` as booleans,
    and Python takes ``True`` for 1; a scenario never means either. Raises ``ValueError`` (for
    pydantic validators) saying what was expected.

    Examples
    --------
    >>> refuse_boolean(3)
    3
    >>> refuse_boolean(True)
    Traceback (most recent call last):
    ...
    ValueError: got the boolean true (expected a number; YAML reads yes/no/on/off as booleans)
    """
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise ValueError(
            f"got the boolean {str(value).lower()} (expected {expected}; YAML reads "
            "yes/no/on/off as booleans)"
        )
    return value


def is_whole_number(value: Any) -> bool:
    """True for an ``int`` or numpy integer that is not a boolean."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        return False
    return isinstance(value, np.integer) and not isinstance(value, np.bool_)


def whole_number(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    error: type[Exception] = ProjectionError,
) -> int:
    """``value`` as an ``int`` if it is a whole number within ``[minimum, maximum]``.

    Raises ``error`` naming ``name``, the allowed range and what was given.
    """
    ok = is_whole_number(value)
    if ok:
        value_i = int(value)
        ok = (minimum is None or value_i >= minimum) and (maximum is None or value_i <= maximum)
    if not ok:
        what = (
            "a positive whole number"
            if minimum == 1 and maximum is None
            else f"a whole number{_range(minimum, maximum)}"
        )
        raise error(f"{name} must be {what} (got {value!r})")
    return value_i


def real_number(
    name: str,
    value: Any,
    *,
    positive: bool = False,
    error: type[Exception] = ProjectionError,
) -> float:
    """``value`` as a finite ``float`` (``> 0`` with ``positive``); booleans are refused."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float))
    if not ok and not isinstance(value, bool):
        try:
            import numpy as np

            ok = isinstance(value, (np.integer, np.floating))
        except ImportError:  # pragma: no cover
            ok = False
    if ok:
        number = float(value)
        ok = math.isfinite(number) and (number > 0 or not positive)
    if not ok:
        what = "a positive number" if positive else "a finite number"
        raise error(f"{name} must be {what} (got {value!r})")
    return number


def parse_years(years: Any, *, name: str = "years") -> list[int]:
    """Years from one syntax everywhere: ``2025,2030``, a range ``2025:2040`` (both ends
    included), a range with a step ``2025:2040:5``, or a mix ``2025,2030:2035``; or an
    iterable of whole numbers.

    Examples
    --------
    >>> parse_years("2025,2030:2032"), parse_years("2025:2040:5"), parse_years([2030, 2025])
    ([2025, 2030, 2031, 2032], [2025, 2030, 2035, 2040], [2030, 2025])
    >>> parse_years("2030:2025")
    Traceback (most recent call last):
    ...
    projection.exceptions.ProjectionError: years '2030:2025': the range 2030:2025 runs backwards (expected START:END with START <= END)
    """
    if isinstance(years, str):
        out: list[int] = []
        for part in (p.strip() for p in years.split(",")):
            if not part:
                continue
            try:
                bounds = [int(x) for x in part.split(":")]
            except ValueError:
                raise ProjectionError(
                    f"{name} {years!r}: {part!r} is not a year (expected e.g. 2025,2030 or "
                    "2025:2040 or 2025:2040:5)"
                ) from None
            if len(bounds) == 1:
                out.append(bounds[0])
                continue
            if len(bounds) > 3 or (len(bounds) == 3 and bounds[2] < 1):
                raise ProjectionError(
                    f"{name} {years!r}: {part!r} is not a range (expected START:END or "
                    "START:END:STEP with a positive step)"
                )
            if bounds[0] > bounds[1]:
                raise ProjectionError(
                    f"{name} {years!r}: the range {part} runs backwards (expected START:END "
                    "with START <= END)"
                )
            out.extend(range(bounds[0], bounds[1] + 1, bounds[2] if len(bounds) == 3 else 1))
        if not out:
            raise ProjectionError(f"{name} is empty (give at least one year)")
        return out
    if is_whole_number(years):
        return [int(years)]
    try:
        chosen = list(years)
    except TypeError:
        raise ProjectionError(
            f"{name} must be years: a whole number, a list of them or text such as "
            f"'2025:2040' (got {years!r})"
        ) from None
    if not chosen:
        raise ProjectionError(f"{name} is empty (give at least one year)")
    for y in chosen:
        if not is_whole_number(y):
            raise ProjectionError(f"a year must be a whole number (got {y!r})")
    return [int(y) for y in chosen]


def closest(word: Any, options: Iterable[Any]) -> str | None:
    """The option closest to ``word`` in spelling, or None when none is close."""
    names = [str(o) for o in options]
    found = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return found[0] if found else None


def suggest(word: Any, options: Iterable[Any]) -> str:
    """``", did you mean 'x'?"`` for the closest of ``options``, or ``""``."""
    match = closest(word, options)
    return f", did you mean {match!r}?" if match is not None else ""


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum:,} to {maximum:,}"
    if minimum is not None:
        return f" >= {minimum:,}"
    if maximum is not None:
        return f" <= {maximum:,}"
    return ""
