"""Notes on a run: what it did to values, or found in them, in one wording.

An evaluation counts, per indicator and year, the members that left the indicator's bounds
(:class:`~projection.engine.compiled.Evaluation`). :func:`bound_notes` turns the counts of a
whole run (one member, or every member of an ensemble) into sentences:

* a growth family's trajectory clipped to a share's 100 % or to 0:
  ``s: trajectory above 100 % from 2028, clipped to 100 %``; for an ensemble, each year with
  the share of members clipped: ``... above 100 % in 2028 (3 % of members), 2029-2040 (5 %),
  clipped to 100 %``;
* a derived value outside the range, which is reported, never clipped (its inputs disagree):
  ``ofc_utilisation: above 100 % in 2025 (100 % of members), 2027 (60 %) (a derived value:
  its inputs disagree there; not clipped)``.

A constraint on the same condition (``ofc_traffic <= ofc_capacity``) is counted with the same
tolerance and written with the same per-year shares
(:meth:`~projection.engine.constraints.Violation.summary`), so a note and a warning about one
thing always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from ..text import format_year_shares

__all__ = ["bound_notes", "NO_DISTRIBUTION", "subsample_note"]

#: The note of an ensemble in which nothing varies.
NO_DISTRIBUTION = "no parameter has a distribution: every member is the point projection"


def bound_notes(
    names: Sequence[str],
    years: Sequence[int],
    above: Mapping[str, np.ndarray],
    below: Mapping[str, np.ndarray],
    n: int,
    *,
    derived: Collection[str],
    step: int = 1,
) -> list[str]:
    """One note per indicator that left its bounds, in the order of ``names``.

    Parameters
    ----------
    names : sequence of str
        Indicators, in the order the notes are wanted.
    years : sequence of int
        The projected years.
    above, below : mapping of str to ndarray of int, shape (T,)
        Members above the cap / below 0, per year (indicators that never were are absent).
    n : int
        Members in all (1 for a point projection).
    derived : collection of str
        The derived indicators (reported, not clipped).

    Examples
    --------
    >>> import numpy as np
    >>> bound_notes(["s"], [2027, 2028, 2029], {"s": np.array([0, 1, 1])}, {}, 1, derived=())
    ['s: trajectory above 100 % from 2028, clipped to 100 %']
    >>> bound_notes(["u"], [2025, 2026], {"u": np.array([4, 2])}, {}, 4, derived=("u",))
    ['u: above 100 % in 2025 (100 % of members), 2026 (50 %) (a derived value: its inputs disagree there; not clipped)']
    """
    notes = []
    for name in names:
        parts = []
        for counts, what, bound in (
            (above.get(name), "above 100 %", "100 %"),
            (below.get(name), "below 0", "0"),
        ):
            if counts is None or not np.any(counts):
                continue
            clipped = name not in derived
            if clipped and n <= 1:
                first = int(years[int(np.argmax(np.asarray(counts) > 0))])
                parts.append(f"{what} from {first}, clipped to {bound}")
                continue
            listed = format_year_shares(years, counts, n, step)
            if clipped:
                parts.append(f"{what} in {listed}, clipped to {bound}")
            else:
                parts.append(
                    f"{what} in {listed} (a derived value: its inputs disagree there; not clipped)"
                )
        if parts:
            lead = "trajectory " if name not in derived else ""
            notes.append(f"{name}: {lead}" + "; ".join(parts))
    return notes


def subsample_note(stride: int, kept: int, n: int) -> str:
    """What a stride above 1 means for an ensemble's quantiles.

    Examples
    --------
    >>> subsample_note(3, 100_000, 300_000)[:46]
    'quantiles read from every 3rd member (100,000 '
    """
    return (
        f"quantiles read from every {_ordinal(stride)} member ({kept:,} of {n:,}): within 0.005 "
        "in rank of the full ensemble's; means and probabilities exact"
    )


def _ordinal(k: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ..., ``11th``, ``12th``, ``13th``, ``21st``, ..."""
    if 10 <= k % 100 <= 20:
        return f"{k}th"
    return f"{k}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th') }"
