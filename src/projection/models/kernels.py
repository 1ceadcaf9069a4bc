"""Helpers for the families' kernels: one full-size buffer, and fixes on flagged rows only.

Kernels are written for ensembles of ``N`` members over ``T`` years: every full-size
``(N, T)`` pass costs far more than work on the ``(N,)`` parameters, and every fresh
``(N, T)`` array costs page faults on top. So a kernel allocates one buffer (:func:`_full`),
works in it in place (``out=``), decides on the ``(N,)`` parameters whether any edge case
occurs at all, and only then fixes the rows concerned (:func:`_set_rows`, :func:`_patch_rows`),
with the family's careful reference formula where needed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__: list[str] = []


def _log_fraction(s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``log(s / c)`` computed accurately for ``0 < s <= c``, strictly negative when ``s < c``.

    Uses ``log(s) - log(c)`` when ``s`` is far below ``c`` (no underflow of ``s / c``) and
    ``log1p(-(c - s) / c)`` close to ``c`` (no cancellation). Elements outside ``0 < s <= c``
    get a harmless finite placeholder; callers mask them out. Emits no numpy warnings.
    """
    s = np.asarray(s, dtype=float)
    c = np.asarray(c, dtype=float)
    positive = (s > 0) & (c > 0)
    s_safe = np.where(positive, s, 1.0)
    c_safe = np.where(positive, c, 2.0)
    far = s_safe < 0.5 * c_safe
    u = np.where(far, 0.5, (c_safe - s_safe) / c_safe)
    u = np.clip(u, 0.0, 0.5)
    return np.where(far, np.log(s_safe) - np.log(c_safe), np.log1p(-u))


def _flagged_rows(out: np.ndarray, mask: Any) -> Any:
    """Rows of ``out`` flagged by ``mask``, or ``None`` when none is.

    ``mask`` has the shape of a parameter column, ``()``, ``(1, 1)`` or ``(N, 1)``; ``out``
    is ``(N, T)`` (indices of the flagged rows are returned) or ``(T,)`` for scalar
    parameters (``Ellipsis``: the whole trajectory).
    """
    mask = np.asarray(mask, dtype=bool)
    if out.ndim < 2:
        return Ellipsis if mask.any() else None
    rows = np.flatnonzero(np.broadcast_to(mask, (out.shape[0], 1))[:, 0])
    return rows if rows.size else None


def _set_rows(out: np.ndarray, mask: Any, value: Any) -> None:
    """``out[row] = value[row]`` for the rows flagged by ``mask``, in place.

    ``value`` is a number or has the shape of a parameter column; only the flagged rows are
    touched, so the cost is proportional to how many there are (usually none).
    """
    rows = _flagged_rows(out, mask)
    if rows is None:
        return
    if rows is Ellipsis:
        out[...] = value
        return
    out[rows] = np.broadcast_to(value, (out.shape[0], 1))[rows]


def _patch_rows(
    out: np.ndarray,
    mask: Any,
    kernel: Callable[..., np.ndarray],
    d: np.ndarray,
    params: Mapping[str, Any],
) -> None:
    """Overwrite the rows flagged by ``mask`` with ``kernel(d, **params)`` evaluated on those
    rows only (parameter columns of shape ``(N, 1)`` are restricted to them), in place.

    Fast kernels handle the usual rows with few full-size passes and hand the rare rows that
    need care (edge cases, values that must be capped) to the careful reference formula.
    """
    rows = _flagged_rows(out, mask)
    if rows is None:
        return
    if rows is Ellipsis:
        out[...] = kernel(d, **params)
        return
    n = out.shape[0]
    sub = {
        name: value[rows]
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] == n
        else value
        for name, value in params.items()
    }
    out[rows] = kernel(d, **sub)


def _full(d: np.ndarray, *columns: Any) -> np.ndarray:
    """An uninitialised float array of the broadcast shape of ``d`` and the parameter
    ``columns``: the one full-size buffer a fast kernel computes in, in place."""
    return np.empty(np.broadcast_shapes(d.shape, *(np.shape(c) for c in columns)))
