"""Numbers, years and shares as text: one wording for the terminal, files and the report.

Every sentence the library writes about a result (a note that values were clipped, a warning
that a constraint fails, a probability) is built from these functions, so the command line and
the HTML report say the same thing in the same words.

Examples
--------
>>> format_value(4000.0, "Gbps"), format_years([2025, 2026, 2027, 2030])
('4,000 Gbps', '2025-2027, 2030')
>>> format_year_shares([2025, 2027, 2028], [100, 100, 50], n=100)
'2025 (100 % of members), 2027 (100 %), 2028 (50 %)'
>>> format_year_shares([2025, 2026, 2027], [1, 1, 1], n=1)
'2025-2027'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "count",
    "format_probability",
    "format_share",
    "format_value",
    "format_year_shares",
    "format_years",
    "one_line",
    "printable",
    "unsafe_character",
]


def printable(text: Any) -> str:
    """``text`` with line breaks and other unprintable characters escaped.

    Text from a scenario file (a name, a description, a key) may hold control characters; they
    must not reach a terminal raw (they could clear the screen) or split a one-line message.

    Examples
    --------
    >>> printable("a\\rb\\x1b[2J")
    'a\\\\rb\\\\x1b[2J'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


#: Invisible characters that reorder the text around them ("Trojan source", CVE-2021-42574).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_character(text: str) -> tuple[int, str] | None:
    """The first character of ``text`` that must not reach a terminal or a file, with its
    index; None when there is none.

    Unsafe are control characters (ESC, BEL, carriage return, C1 controls such as U+009B:
    they can clear a screen, retitle a window or hide a line), the line and paragraph
    separators U+2028/U+2029 and the bidirectional controls that reorder what is shown. A
    tab, a line break and a Windows line end (CR LF) are fine.

    Examples
    --------
    >>> unsafe_character("a description\\nover two lines\\r\\n") is None
    True
    >>> unsafe_character("name\\x1b[2J")
    (4, '\\x1b')
    """
    if text.isprintable():
        return None
    import unicodedata

    for i, c in enumerate(text):
        if c in "\t\n" or (c == "\r" and text[i + 1 : i + 2] == "\n"):
            continue
        if c in _BIDI_CONTROLS or unicodedata.category(c) in ("Cc", "Zl", "Zp"):
            return i, c
    return None


def one_line(text: Any) -> str:
    """Whitespace runs (line breaks included) collapsed to one space, then :func:`printable`."""
    return printable(" ".join(str(text or "").split()))


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``count(1, "target") == "1 target"``, ``count(2, "target") == "2 targets"``."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def format_value(value: float, unit: str) -> str:
    """``4000.0, "Gbps"`` -> ``"4,000 Gbps"``; four significant digits, thousands separators.

    Examples
    --------
    >>> format_value(4000.0, "Gbps"), format_value(3.89612, "%"), format_value(0.0, "GW")
    ('4,000 Gbps', '3.896 %', '0 GW')
    """
    if not math.isfinite(value):
        return f"{value} {unit}".strip()
    if value == 0:
        text = "0"
    else:
        magnitude = abs(value)
        decimals = 0 if magnitude >= 1000 else max(0, 3 - int(f"{magnitude:e}".split("e")[1]))
        text = f"{value:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def format_years(years: Iterable[Any], step: int = 1) -> str:
    """``[2025, 2026, 2027, 2030]`` -> ``"2025-2027, 2030"`` (runs of years ``step`` apart).

    Examples
    --------
    >>> format_years([2025, 2026, 2027, 2030]), format_years([2025, 2030, 2035], step=5)
    ('2025-2027, 2030', '2025-2035')
    """
    ys = [int(y) for y in years]
    if not ys:
        return ""
    runs: list[tuple[int, int]] = []
    for y in ys:
        if runs and y - runs[-1][1] == step:
            runs[-1] = (runs[-1][0], y)
        else:
            runs.append((y, y))
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def format_share(k: int, n: int) -> str:
    """The share ``k / n`` as a percentage that never rounds a "some" to "none" or "all".

    Examples
    --------
    >>> format_share(50, 100), format_share(1, 3), format_share(1, 10_000), format_share(9999, 10_000)
    ('50 %', '33.3 %', '< 0.1 %', '> 99.9 %')
    """
    if n <= 0:
        return "n/a"
    if k >= n:
        return "100 %"
    if k <= 0:
        return "0 %"
    pct = 100.0 * k / n
    if pct < 0.1:
        return "< 0.1 %"
    if pct > 99.9:
        return "> 99.9 %"
    return f"{pct:.3g} %"


def format_year_shares(
    years: Sequence[Any], counts: Sequence[Any], n: int, step: int = 1, limit: int = 6
) -> str:
    """Years in which ``counts`` members of ``n`` had some property, with the share per year.

    For one member (a point projection) the years alone, as :func:`format_years`. For an
    ensemble each run of consecutive years with the same share is written once, the first with
    "of members": ``2025 (100 % of members), 2027-2028 (50 %)``. More than ``limit`` runs are
    summed up as the years, the range of shares and where it peaks: ``2028-2040 (0.3-10.8 % of
    members; most in 2034-2035)``. Years with a count of 0 are left out.

    Examples
    --------
    >>> format_year_shares([2025, 2026, 2027], [4, 4, 2], n=4)
    '2025-2026 (100 % of members), 2027 (50 %)'
    >>> format_year_shares(range(2026, 2034), [1, 2, 3, 4, 5, 6, 7, 7], n=100)
    '2026-2033 (1-7 % of members; most in 2032-2033)'
    """
    picked = [(int(y), int(c)) for y, c in zip(years, counts) if c > 0]
    if n <= 1:
        return format_years([y for y, _ in picked], step)
    runs: list[list[Any]] = []  # [first, last, share text]
    for y, c in picked:
        share = format_share(c, n)
        if runs and y - runs[-1][1] == step and runs[-1][2] == share:
            runs[-1][1] = y
        else:
            runs.append([y, y, share])
    if len(runs) > limit:
        top = max(c for _, c in picked)
        low = min(c for _, c in picked)
        most = format_years([y for y, c in picked if c == top], step)
        lowest, highest = format_share(low, n), format_share(top, n)
        span = (
            f"up to {highest}"
            if lowest[0] in "<>" or highest[0] in "<>"
            else f"{lowest[:-2]}-{highest}"
        )
        return f"{format_years([y for y, _ in picked], step)} ({span} of members; most in {most})"
    parts = []
    for i, (a, b, share) in enumerate(runs):
        span = str(a) if a == b else f"{a}-{b}"
        parts.append(f"{span} ({share}{' of members' if i == 0 else ''})")
    return ", ".join(parts)


def format_probability(p: float, se: float, n: int) -> str:
    """``p`` with its standard error, or with the 95 % bound when ``p`` is 0 or 1.

    A standard error of 0 would claim certainty that ``n`` members cannot give: when no member
    (or every member) meets a target, the share that would in the population is below ``3 / n``
    (above ``1 - 3 / n``) at 95 % confidence (the "rule of three").

    Examples
    --------
    >>> format_probability(0.594, 0.0156, 1000)
    '0.594 ± 0.016'
    >>> format_probability(1.0, 0.0, 1000), format_probability(0.0, 0.0, 200)
    ('1.000 (> 0.997)', '0.000 (< 0.015)')
    >>> format_probability(1.0, 0.0, 10_000)
    '1.000 (> 0.9997)'
    """
    if n and (p >= 1.0 or p <= 0.0):
        bound = min(3.0 / n, 1.0)
        digits = max(3, math.ceil(-math.log10(bound)))  # enough to show that it is not 0 or 1
        scale = 10**digits
        if p >= 1.0:  # rounded down, towards the conservative side
            return f"1.000 (> {math.floor((1.0 - bound) * scale) / scale:.{digits}f})"
        return f"0.000 (< {math.ceil(bound * scale) / scale:.{digits}f})"
    return f"{p:.3f} ± {se:.3f}"
