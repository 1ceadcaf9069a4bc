"""Bounds on unit text, checked before pint sees it (see :mod:`projection.units`).

pint evaluates the arithmetic in a unit string as Python would: ``Gbps**9**9**9`` computes
``9**387420489`` (minutes, and memory that grows) before pint says that anything is wrong.
:func:`check_unit_text` reads the text with a small tokenizer of its own and refuses, in
microseconds, anything whose parsing could take more than a moment:

* more than :data:`MAX_UNIT_LENGTH` characters;
* a character other than letters, digits, ``_ % ‰ °``, spaces, ``. * / ^ ( ) + -``;
* a power of a power (``m**2**3``) or an exponent that is not a plain number;
* an exponent of magnitude above :data:`MAX_EXPONENT`, nested powers multiplied
  (``(m**2)**3`` counts 6);
* parentheses nested deeper than :data:`MAX_UNIT_DEPTH`, or unbalanced.

Unit text pint formatted itself (the unit of a derived expression, with long names and the
expression's exponents) is checked with the looser :data:`MAX_FORMATTED_LENGTH` and
:data:`MAX_FORMATTED_EXPONENT`. Either way the work pint does is bounded: the length bounds the
tokens, and a number (the only thing pint raises to a power as a Python integer) is raised to
at most the exponent bound.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .exceptions import UnitError

__all__ = [
    "check_unit_text",
    "MAX_UNIT_LENGTH",
    "MAX_UNIT_DEPTH",
    "MAX_EXPONENT",
    "MAX_SCALE",
    "MAX_FORMATTED_LENGTH",
    "MAX_FORMATTED_EXPONENT",
]

#: Longest unit a scenario, a value, ``--set`` or a history file may write, in characters.
MAX_UNIT_LENGTH = 100
#: Deepest nesting of parentheses in a unit.
MAX_UNIT_DEPTH = 5
#: Largest magnitude of an exponent in a unit as written (``m**3``, ``s^-2``); nested powers
#: multiply, so ``(m**2)**3`` counts 6.
MAX_EXPONENT = 10
#: A unit's scale, its factor to its SI base unit (``Gbps``: 1e9 bit/s), lies between
#: ``1 / MAX_SCALE`` and ``MAX_SCALE`` (checked by :mod:`projection.units` once pint has parsed
#: it): then every conversion factor between two units, and its inverse, is a finite non-zero
#: float.
MAX_SCALE = 1e100
#: The length and exponent limits for unit text pint formatted itself, the unit of a derived
#: expression such as ``gigabit_per_second ** 2 / terawatt_hour``.
MAX_FORMATTED_LENGTH = 1000
MAX_FORMATTED_EXPONENT = 1000

_DIGITS = "0123456789"
_NAME_SYMBOLS = "_%‰°"  # name characters that are not letters (pint: percent, permille, degree)
_EXPECTED = "expected a unit such as 'Gbps', 'GW/yr', '1/yr' or 'm**2'"


def check_unit_text(text: str, *, formatted: bool = False) -> None:
    """Raise :class:`~projection.exceptions.UnitError` unless ``text`` is within the bounds.

    Parameters
    ----------
    text : str
        A unit, as written: ``"Gbps"``, ``"GW / yr"``, ``"kg*m^2/s**3"``.
    formatted : bool
        ``text`` is pint's own formatting of a unit (looser length and exponent limits).

    Examples
    --------
    >>> from projection.units_bounds import check_unit_text
    >>> check_unit_text("TWh / yr")
    >>> check_unit_text("Gbps**9**9**9")
    Traceback (most recent call last):
      ...
    projection.exceptions.UnitError: unit 'Gbps**9**9**9' raises a power to a power (expected one exponent per name or parenthesis, e.g. 'm**2')
    """
    _check(text, formatted)


@lru_cache(maxsize=2048)
def _check(text: str, formatted: bool) -> None:
    limit = MAX_FORMATTED_LENGTH if formatted else MAX_UNIT_LENGTH
    if len(text) > limit:
        raise UnitError(
            f"unit {_shown(text)} is too long ({len(text)} characters, at most {limit}; "
            f"{_EXPECTED})"
        )
    _Reader(text, MAX_FORMATTED_EXPONENT if formatted else MAX_EXPONENT).read()


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to 40 characters."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _tokens(text: str) -> list[str]:
    """``"kg*m^2/s"`` -> ``["kg", "*", "m", "**", "2", "/", "s"]``; a space between two
    operands is kept as ``" "`` (pint reads it as a product)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            if out and out[-1] != " ":
                out.append(" ")
            continue
        if c in _DIGITS or (c == "." and i + 1 < n and text[i + 1] in _DIGITS):
            j = i
            while j < n and text[j] in _DIGITS + ".":
                j += 1
            # an exponent: e/E, an optional sign and digits (otherwise a name follows: "2eV")
            k = j + 1 + (j + 1 < n and text[j + 1] in "+-")
            if j < n and text[j] in "eE" and k < n and text[k] in _DIGITS:
                j = k
                while j < n and text[j] in _DIGITS:
                    j += 1
            out.append(text[i:j])
            i = j
        elif c.isalpha() or c in _NAME_SYMBOLS:
            j = i + 1
            while j < n and (text[j].isalpha() or text[j] in _DIGITS + _NAME_SYMBOLS):
                j += 1
            out.append(text[i:j])
            i = j
        elif text.startswith("**", i):
            out.append("**")
            i += 2
        elif c in "*/()+-^":
            out.append("**" if c == "^" else c)
            i += 1
        else:
            raise UnitError(
                f"unit {_shown(text)} has the character {c!r}, which a unit cannot hold "
                "(expected letters, digits, spaces and * / ** ^ ( ))"
            )
    if out and out[-1] == " ":
        out.pop()
    return [t for k, t in enumerate(out) if t != " " or _operand_gap(out, k)]


def _operand_gap(tokens: list[str], k: int) -> bool:
    """A space at ``k`` that stands for a product: between the end of one operand and the
    start of the next (``GW h``, ``2 GW``, ``(m) s``)."""
    if k == 0:
        return False
    before, after = tokens[k - 1], tokens[k + 1]
    return (_is_operand(before) or before == ")") and (_is_operand(after) or after == "(")


def _is_operand(token: str) -> bool:
    return token not in ("*", "/", "**", "(", ")", "+", "-", " ")


class _Reader:
    """Recursive descent over the tokens; tracks the largest effective exponent.

    ``unit := factor ((* | / | space) factor)*``, ``factor := atom [** exponent]``,
    ``atom := name | number | ( unit )``, ``exponent := [+|-] number | ( [+|-] number )``.
    """

    def __init__(self, text: str, max_exponent: float) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.max_exponent = max_exponent

    def fail(self, what: str) -> UnitError:
        return UnitError(f"cannot parse unit {_shown(self.text)} ({what}; {_EXPECTED})")

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def read(self) -> None:
        if not self.tokens:
            return
        self.unit(0)
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()!r}")

    def unit(self, depth: int) -> float:
        """The largest effective exponent of any name or number in this product."""
        largest = self.factor(depth)
        while self.peek() in ("*", "/", " "):
            self.take()
            largest = max(largest, self.factor(depth))
        return largest

    def factor(self, depth: int) -> float:
        largest = self.atom(depth)
        if self.peek() != "**":
            return largest
        self.take()
        exponent = abs(self.exponent())
        if self.peek() == "**":
            raise UnitError(
                f"unit {_shown(self.text)} raises a power to a power (expected one exponent "
                "per name or parenthesis, e.g. 'm**2')"
            )
        effective = largest * exponent
        if effective > self.max_exponent:
            raise UnitError(
                f"unit {_shown(self.text)} has an exponent of {effective:g}, too large "
                f"(expected exponents between -{self.max_exponent:g} and "
                f"{self.max_exponent:g}; nested powers multiply)"
            )
        return effective

    def atom(self, depth: int) -> float:
        token = self.peek()
        if token is None:
            raise self.fail("it ends where a name or number is expected")
        if token == "(":
            if depth + 1 > MAX_UNIT_DEPTH:
                raise UnitError(
                    f"unit {_shown(self.text)} nests parentheses more than {MAX_UNIT_DEPTH} "
                    f"deep (expected at most {MAX_UNIT_DEPTH} levels)"
                )
            self.take()
            largest = self.unit(depth + 1)
            if self.peek() != ")":
                raise self.fail("a '(' is not closed")
            self.take()
            return largest
        if not _is_operand(token):
            raise self.fail(f"{token!r} where a name or number is expected")
        self.take()
        return 1.0

    def exponent(self) -> float:
        closing = self.peek() == "("
        if closing:
            self.take()
        sign = self.take() if self.peek() in ("+", "-") else ""
        token = self.peek()
        if token is None or token[0] not in _DIGITS + ".":
            raise self.fail(f"the exponent {token or ''!r} is not a plain number")
        self.take()
        if closing:
            if self.peek() != ")":
                raise self.fail("a '(' is not closed")
            self.take()
        try:
            value = float(sign + token)
        except ValueError:
            raise self.fail(f"the exponent {token!r} is not a plain number") from None
        if not math.isfinite(value):
            raise self.fail(f"the exponent {token!r} is not finite")
        return value
