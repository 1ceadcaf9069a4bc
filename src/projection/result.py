"""The result of a run: :class:`Projection`, with tidy and wide pandas views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .constraints import Violation

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

__all__ = ["Projection", "TIDY_COLUMNS", "CATEGORICAL", "categorise", "concat_frames"]

#: Columns of the tidy frame, in order.
TIDY_COLUMNS = ("scenario", "indicator", "year", "value", "unit")


@dataclass(frozen=True)
class Projection:
    """Projected trajectories of one scenario.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario that produced the result.
    years : ndarray of int, shape (T,)
        Projected years.
    values : dict of str to ndarray, shape (T,)
        Trajectory per indicator, in the indicator's unit (``scenario.indicators[name].unit``).
    notes : list of str
        Things the run did that a reader should know (values clipped to a share's bounds).
    violations : list of Violation
        Declared constraints that fail in some year (see :mod:`projection.constraints`).
    """

    scenario: Scenario
    years: np.ndarray
    values: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def units(self) -> dict[str, str]:
        """Unit of each indicator."""
        return {k: self.scenario.indicators[k].unit for k in self.values}

    def __getitem__(self, indicator: str) -> pd.Series:
        """One indicator's trajectory as a Series indexed by year."""
        try:
            data = self.values[indicator]
        except KeyError:
            raise KeyError(f"no indicator {indicator!r} (have: {', '.join(self.values)})") from None
        return pd.Series(data, index=pd.Index(self.years, name="year"), name=indicator)

    def __iter__(self):
        return iter(self.values)

    def value(self, indicator: str, year: int) -> float:
        """The projected value of ``indicator`` in ``year``, in the indicator's unit."""
        series = self[indicator]
        if year not in series.index:
            raise KeyError(f"{year} is not a projected year ({self.years[0]}..{self.years[-1]})")
        return float(series.loc[year])

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per scenario, indicator and year.

        Columns are ``scenario, indicator, year, value, unit``; ``value`` is in ``unit``.

        Examples
        --------
        >>> import projection
        >>> p = projection.run({
        ...     "name": "demo", "horizon": {"start": 2025, "end": 2027},
        ...     "indicators": {"x": {"unit": "GW", "model": "linear", "params": {
        ...         "start": {"value": 1, "source": "assumption: example"},
        ...         "slope": {"value": 2, "unit": "GW/yr", "source": "assumption: example"}}}}})
        >>> p.to_frame()
          scenario indicator  year  value unit
        0     demo         x  2025    1.0   GW
        1     demo         x  2026    3.0   GW
        2     demo         x  2027    5.0   GW
        """
        n_years = len(self.years)
        names = list(self.values)
        frame = pd.DataFrame(
            {
                "scenario": [self.name] * (n_years * len(names)),
                "indicator": np.repeat(names, n_years),
                "year": np.tile(self.years.astype(int), len(names)),
                "value": np.concatenate([self.values[n] for n in names]) if names else [],
                "unit": np.repeat([self.units[n] for n in names], n_years),
            },
            columns=list(TIDY_COLUMNS),
        )
        return categorise(frame)

    def to_iamc(self) -> pd.DataFrame:
        """The trajectories in the IAMC wide layout (see :mod:`projection.iamc`)."""
        from .iamc import to_iamc

        return to_iamc([self])

    def table(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """Wide table: one row per indicator, one column per year (default: milestone years)."""
        wanted = list(years) if years is not None else self.scenario.milestone_years()
        idx = [int(np.searchsorted(self.years, y)) for y in wanted]
        data = {y: [self.values[n][i] for n in self.values] for y, i in zip(wanted, idx)}
        frame = pd.DataFrame(data, index=pd.Index(list(self.values), name="indicator"))
        frame.insert(0, "unit", [self.units[n] for n in self.values])
        return frame

    def _repr_html_(self) -> str:
        """A notebook shows the scenario, the indicators at milestone years and the notes."""
        import html

        s = self.scenario
        head = (
            f"<p><b>{html.escape(s.name)}</b>"
            + (
                f": {html.escape(s.description.strip().splitlines()[0])}"
                if s.description.strip()
                else ""
            )
            + "</p>"
        )
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (
            head
            + self.table().to_html(float_format=lambda v: f"{v:,.4g}")
            + (f"<ul>{notes}</ul>" if notes else "")
        )

    def plot(self, **kwargs):
        """Draw every indicator's trajectory, one panel each, targets and milestones marked.

        Keyword arguments go to :func:`projection.plot.plot_projections` (``indicators``,
        ``years``, ``ncols``, ``title``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .plot import plot_projections

        return plot_projections([self], **kwargs)

    def __repr__(self) -> str:
        return (
            f"Projection(scenario={self.name!r}, years={int(self.years[0])}..{int(self.years[-1])}, "
            f"indicators={list(self.values)})"
        )


def concat_frames(projections: Sequence[Projection]) -> pd.DataFrame:
    """Tidy frames of several projections, stacked."""
    frames = [p.to_frame() for p in projections]
    if not frames:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))
    return categorise(pd.concat(frames, ignore_index=True))


#: Columns of tidy frames held as pandas categoricals (few distinct labels, many rows).
CATEGORICAL = ("scenario", "indicator", "unit")


def categorise(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its label columns as categoricals, categories in order of appearance.

    ``pd.concat`` of frames whose categoricals differ falls back to ``object``; calling this
    after a concat restores them.
    """
    for col in CATEGORICAL:
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col], categories=pd.unique(frame[col].astype(object)))
    return frame
