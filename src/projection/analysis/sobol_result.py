"""The result of a Sobol' analysis, as arrays, tidy pandas and a readable table.

:class:`SobolResult` holds first- and total-order indices with their confidence intervals,
one row per input and one column per output; :meth:`SobolResult.to_frame` is tidy, with one
row per output and parameter::

    output, parameter, first_order, first_order_low, first_order_high,
    total_order, total_order_low, total_order_high, rank

``rank`` orders the parameters by total-order index within each output (1 = most influential).
:func:`summary` prints it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ProjectionError

__all__ = ["SobolResult", "summary", "span", "FRAME_COLUMNS"]

#: Columns of :meth:`SobolResult.to_frame`, in order.
FRAME_COLUMNS = (
    "output",
    "parameter",
    "first_order",
    "first_order_low",
    "first_order_high",
    "total_order",
    "total_order_low",
    "total_order_high",
    "rank",
)


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol' indices of one or several outputs, with confidence intervals.

    Attributes
    ----------
    names : tuple of str
        The ``d`` inputs, in the order of the rows of every index array.
    outputs : tuple
        The ``s`` output labels (years, for a scenario), in the order of the columns.
    first_order, total_order : ndarray, shape (d, s)
        First-order (S1) and total-order (ST) indices. NaN where the output is constant.
    first_order_low, first_order_high, total_order_low, total_order_high : ndarray, shape (d, s)
        Bounds of the confidence intervals at level ``confidence``, formed as
        :attr:`interval` says. NaN where the index is undefined, where no interval was asked
        for (``confidence=None``), or where the bootstrap could not form one (a note then
        says so).
    n : int
        Base samples; the model was evaluated ``n * (d + 2)`` times (:attr:`evaluations`).
    seed : int or None
        The integer seed given, or None (fresh entropy, or a Generator passed in).
    confidence : float or None
        Level of the intervals.
    interval : str
        How the intervals were formed: ``"asymptotic"`` (delta method, normal quantiles) or
        ``"bca"`` (bias-corrected and accelerated bootstrap); see
        :func:`projection.analysis.sobol.sobol`.
    n_resamples : int
        Bootstrap resamples behind the intervals (0 for asymptotic intervals).
    notes : tuple of str
        What a reader must know: undefined indices, intervals that could not be formed.
    label : str
        What the output is, e.g. ``"ev_sales_share [%]"``.
    output_name : str
        What the output labels are, e.g. ``"year"``.
    """

    names: tuple[str, ...]
    outputs: tuple[Any, ...]
    first_order: np.ndarray
    total_order: np.ndarray
    first_order_low: np.ndarray
    first_order_high: np.ndarray
    total_order_low: np.ndarray
    total_order_high: np.ndarray
    n: int
    seed: int | None = None
    confidence: float | None = 0.95
    n_resamples: int = 0
    interval: str = "asymptotic"
    notes: tuple[str, ...] = ()
    label: str = ""
    output_name: str = "output"

    @property
    def evaluations(self) -> int:
        """Number of points at which the model was evaluated, ``n * (d + 2)``."""
        return self.n * (len(self.names) + 2)

    def to_frame(self) -> pd.DataFrame:
        """One row per output and parameter (outputs outer, parameters in ``names`` order).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`FRAME_COLUMNS`. ``rank`` (nullable integer) orders the parameters by
            total-order index within each output, 1 = largest; equal indices share a rank;
            it is missing where the index is undefined.
        """
        d, s = len(self.names), len(self.outputs)
        frame = pd.DataFrame(
            {
                "output": np.repeat(np.array(self.outputs, dtype=object), d),
                "parameter": np.tile(np.array(self.names, dtype=object), s),
                "first_order": self.first_order.T.ravel(),
                "first_order_low": self.first_order_low.T.ravel(),
                "first_order_high": self.first_order_high.T.ravel(),
                "total_order": self.total_order.T.ravel(),
                "total_order_low": self.total_order_low.T.ravel(),
                "total_order_high": self.total_order_high.T.ravel(),
            }
        )
        frame["output"] = frame["output"].infer_objects()
        frame["parameter"] = frame["parameter"].astype(str)
        rank = np.full(d * s, np.nan)
        for k in range(s):
            column = pd.Series(self.total_order[:, k])
            rank[k * d : (k + 1) * d] = column.rank(method="min", ascending=False).to_numpy()
        frame["rank"] = pd.array([pd.NA if math.isnan(r) else int(r) for r in rank], dtype="Int64")
        return frame[list(FRAME_COLUMNS)]

    def ranked(self, output: Any = None) -> pd.DataFrame:
        """The rows of :meth:`to_frame` ranked: by output, then rank (undefined last).

        Parameters
        ----------
        output : optional
            One of :attr:`outputs` (a year, for a scenario); default every output.
        """
        frame = self.to_frame()
        if output is not None:
            self._column(output)  # raises with the valid choices
            frame = frame[frame["output"] == output]
        position = {o: k for k, o in enumerate(self.outputs)}
        order = frame.assign(
            _out=frame["output"].map(position),
            _rank=frame["rank"].astype("Float64").fillna(np.inf).astype(float),
            _par=np.arange(len(frame)),
        ).sort_values(["_out", "_rank", "_par"], kind="stable")
        return frame.loc[order.index].reset_index(drop=True)

    def summary(self, output: Any = None) -> str:
        """A readable table (see :func:`summary`)."""
        return summary(self, output=output)

    def _column(self, output: Any) -> int:
        for k, o in enumerate(self.outputs):
            if o == output:
                return k
        raise ProjectionError(
            f"unknown {self.output_name} {output!r} (expected one of: "
            f"{', '.join(str(o) for o in self.outputs)})"
        )

    def __repr__(self) -> str:
        outputs = span(self.outputs)
        return (
            f"SobolResult({self.label or 'output'}; {len(self.names)} parameters, "
            f"{self.output_name} {outputs}, n={self.n}, seed={self.seed})"
        )


def summary(result: SobolResult, output: Any = None) -> str:
    """A readable table of a :class:`SobolResult`.

    With one output (or ``output`` given): the parameters ranked by total-order index, each
    index with its confidence interval. With several: the total-order index of every parameter
    in every output, the most influential parameter first.

    Examples
    --------
    >>> from scipy import stats
    >>> from projection.analysis.sensitivity import sobol, summary
    >>> r = sobol(lambda x: x[0] + 2 * x[1], [stats.uniform(), stats.uniform()], ["a", "b"],
    ...           n=256, seed=1, confidence=None)
    >>> print(summary(r))
    Sobol' indices, output 0 (n = 256, 1024 evaluations, seed 1)
    rank  parameter  total order  first order
       1  b                 0.80         0.80
       2  a                 0.20         0.20
    """
    if output is None and len(result.outputs) > 1:
        return _summary_matrix(result)
    k = 0 if output is None else result._column(output)
    o = result.outputs[k]
    ci = result.confidence is not None
    level = f"{100 * result.confidence:g} % CI" if ci else ""
    rows = []
    for _, row in result.ranked(o).iterrows():
        rows.append(
            [
                "-" if pd.isna(row["rank"]) else str(int(row["rank"])),
                row["parameter"],
                _index(row["total_order"], row["total_order_low"], row["total_order_high"], ci),
                _index(row["first_order"], row["first_order_low"], row["first_order_high"], ci),
            ]
        )
    head = [
        "rank",
        "parameter",
        "total order" + (f" ({level})" if ci else ""),
        "first order" + (f" ({level})" if ci else ""),
    ]
    lines = [_title(result, f"{result.output_name} {o}"), *_table(head, rows, right=(0, 2, 3))]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _summary_matrix(result: SobolResult) -> str:
    total = result.total_order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: nanmax warns
        peak = np.nanmax(np.where(np.isnan(total), -np.inf, total), axis=1)
    order = np.argsort(-peak, kind="stable")
    head = ["parameter", *(str(o) for o in result.outputs)]
    rows = [[result.names[i], *(_number(v) for v in total[i])] for i in order]
    where = f"{result.output_name}s {span(result.outputs)}"
    lines = [
        _title(result, where),
        f"total-order indices by {result.output_name} (intervals: to_frame(), or --format csv "
        "on the command line)",
        *_table(head, rows, right=tuple(range(1, len(head)))),
    ]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _title(result: SobolResult, where: str) -> str:
    what = f" of {result.label}" if result.label else ""
    seed = "" if result.seed is None else f", seed {result.seed}"
    return f"Sobol' indices{what}, {where} (n = {result.n}, {result.evaluations} evaluations{seed})"


def _number(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.2f}"


def _index(v: float, low: float, high: float, ci: bool) -> str:
    if not np.isfinite(v):
        return "n/a"
    if not ci:
        return f"{v:.2f}"
    interval = f"[{low:.2f}, {high:.2f}]" if np.isfinite(low) and np.isfinite(high) else "[n/a]"
    return f"{v:.2f} {interval}"


def _table(head: list[str], rows: list[list[str]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(str(r[j])) for r in [head, *rows]) for j in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if j in right else str(c).ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return [line(head), *(line(r) for r in rows)]


def span(labels: Sequence[Any]) -> str:
    """``2025-2030`` for consecutive integer years, else a comma-separated list."""
    labels = list(labels)
    if (
        len(labels) > 2
        and all(isinstance(v, (int, np.integer)) for v in labels)
        and all(b - a == 1 for a, b in zip(labels, labels[1:]))
    ):
        return f"{labels[0]}-{labels[-1]}"
    return ", ".join(str(v) for v in labels)
