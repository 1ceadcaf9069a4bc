"""Tidy tables of results: one row per value, as plain arrays first and pandas on request.

:meth:`Result.columns <projection.engine.Result.columns>` gives a result's tidy table as a
mapping of column name to a numpy array (:func:`projection_columns`,
:func:`ensemble_columns`); :meth:`Result.to_frame <projection.engine.Result.to_frame>` turns
that into a pandas frame (:func:`tidy_frame`). Writers that need no pandas (CSV) use the arrays
directly, so a run written to CSV never imports pandas.

Columns
-------
A projection: ``scenario, indicator, year, value, unit``. An ensemble: ``scenario, indicator,
year, quantile, value, unit``, and with its members ``scenario, indicator, year, quantile,
sample, value, unit``: quantile rows have no ``sample``, member rows no ``quantile``. A missing
integer (``sample``) is a masked entry of a :class:`numpy.ma.MaskedArray`; a missing float is
NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ProjectionError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "TIDY_COLUMNS",
    "CATEGORICAL",
    "Columns",
    "projection_columns",
    "ensemble_columns",
    "stack",
    "tidy_frame",
    "categorise",
    "concat_frames",
]

#: Columns of a projection's tidy table, in order.
TIDY_COLUMNS = ("scenario", "indicator", "year", "value", "unit")

#: Columns of tidy frames held as pandas categoricals (few distinct labels, many rows).
CATEGORICAL = ("scenario", "indicator", "unit")

#: A tidy table: column name -> one array per column, all of the same length.
Columns = dict[str, np.ndarray]


def _labels(values: Sequence[str], repeats: int | Sequence[int]) -> np.ndarray:
    return np.repeat(np.asarray(list(values), dtype=object), repeats)


def projection_columns(
    name: str, years: np.ndarray, values: Mapping[str, np.ndarray], units: Mapping[str, str]
) -> Columns:
    """A point projection's tidy table: ``scenario, indicator, year, value, unit``."""
    names = list(values)
    t = len(years)
    return {
        "scenario": _labels([name], t * len(names)),
        "indicator": _labels(names, t),
        "year": np.tile(np.asarray(years, dtype=np.int64), len(names)),
        "value": (
            np.concatenate([np.asarray(values[n], dtype=float) for n in names])
            if names
            else np.empty(0)
        ),
        "unit": _labels([units[n] for n in names], t),
    }


def ensemble_columns(
    name: str,
    years: np.ndarray,
    quantiles: Sequence[float],
    bands: Mapping[str, np.ndarray],
    units: Mapping[str, str],
    members: Mapping[str, np.ndarray] | None = None,
) -> Columns:
    """An ensemble's tidy table: quantile bands, then (with ``members``) every member.

    ``bands[name]`` has shape ``(Q, T)``; ``members[name]`` shape ``(n, T)``.
    """
    names = list(bands)
    q = np.asarray(quantiles, dtype=float)
    t = len(years)
    y = np.asarray(years, dtype=np.int64)
    rows = len(q) * t
    cols: Columns = {
        "scenario": _labels([name], rows * len(names)),
        "indicator": _labels(names, rows),
        "year": np.tile(y, len(q) * len(names)),
        "quantile": np.tile(np.repeat(q, t), len(names)),
        "value": (
            np.concatenate([np.asarray(bands[n], dtype=float).reshape(-1) for n in names])
            if names
            else np.empty(0)
        ),
        "unit": _labels([units[n] for n in names], rows),
    }
    if members is None:
        return cols
    n = len(next(iter(members.values()))) if members else 0
    per = n * t
    quantile_rows = len(cols["value"])
    sample = np.ma.masked_all(quantile_rows + per * len(names), dtype=np.int64)
    sample[quantile_rows:] = np.tile(np.repeat(np.arange(n, dtype=np.int64), t), len(names))
    out: Columns = {
        "scenario": np.concatenate([cols["scenario"], _labels([name], per * len(names))]),
        "indicator": np.concatenate([cols["indicator"], _labels(names, per)]),
        "year": np.concatenate([cols["year"], np.tile(y, n * len(names))]),
        "quantile": np.concatenate([cols["quantile"], np.full(per * len(names), np.nan)]),
        "sample": sample,
        "value": np.concatenate(
            [cols["value"], *(np.asarray(members[m], dtype=float).reshape(-1) for m in names)]
        ),
        "unit": np.concatenate([cols["unit"], _labels([units[m] for m in names], per)]),
    }
    return out


def stack(tables: Sequence[Columns]) -> Columns:
    """Tables with the same columns, one after the other."""
    if not tables:
        return {c: np.empty(0, dtype=object) for c in TIDY_COLUMNS}
    names = list(tables[0])
    if any(list(t) != names for t in tables[1:]):
        raise ProjectionError(
            "cannot stack tables with different columns (a projection and an ensemble?): "
            + " / ".join(", ".join(t) for t in tables)
        )
    if len(tables) == 1:
        return dict(tables[0])
    out: Columns = {}
    for c in names:
        parts = [t[c] for t in tables]
        if any(isinstance(p, np.ma.MaskedArray) for p in parts):
            out[c] = np.ma.concatenate([np.ma.asarray(p) for p in parts])
        else:
            out[c] = np.concatenate(parts)
    return out


def tidy_frame(columns: Columns) -> pd.DataFrame:
    """A tidy table as a pandas frame: labels as categoricals, a masked integer column as
    pandas' nullable ``Int64``."""
    import pandas as pd

    data: dict[str, Any] = {}
    for c, values in columns.items():
        if isinstance(values, np.ma.MaskedArray):
            data[c] = pd.arrays.IntegerArray(
                np.ma.getdata(values).astype(np.int64), np.ma.getmaskarray(values)
            )
        else:
            data[c] = values
    return categorise(pd.DataFrame(data, columns=list(columns)))


def concat_frames(results: Sequence[Any]) -> pd.DataFrame:
    """Tidy frames of several results, stacked (projections and ensembles are not mixed: their
    columns differ)."""
    import pandas as pd

    frames = [r.to_frame() for r in results]
    if not frames:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    return categorise(pd.concat(frames, ignore_index=True))


def categorise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its label columns as categoricals, categories in order of appearance.

    ``pd.concat`` of frames whose categoricals differ falls back to ``object``; calling this
    after a concat restores them.
    """
    import pandas as pd

    for col in CATEGORICAL:
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col], categories=pd.unique(frame[col].astype(object)))
    return frame
