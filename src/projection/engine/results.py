"""Results: a point projection or an ensemble, behind one interface.

:func:`projection.run` returns a :class:`Result`: a :class:`Projection` (every parameter at
its written value) or, with ``samples``, an :class:`Ensemble` (``n`` members drawn from the
parameters' distributions). Everything that reads results (targets, constraint checks, tables,
plots, the report, IAMC exports, the command line) uses only what :class:`Result` declares, so
none of it asks which of the two it was given:

==========================  ==================================================================
``central``                 each indicator's central trajectory: the projection, or the
                            ensemble's median
``bands``, ``quantiles``    quantile bands (an ensemble's; a projection has none)
``samples``                 members (0 for a projection); ``seed``, ``sampler``
``point``                   the point projection (a projection is its own)
``value(ind, year)``        one central value; ``table(years)`` a wide table; both refuse a
                            year that is not projected
``columns()``,              the tidy table: plain arrays (pandas-free), or a pandas frame
``to_frame()``
``targets()``               met? when? by how much? (how likely, for an ensemble)
``violations``,             constraints that fail, per year (for an ensemble: in which share of
``check_constraints()``     members, and the worst member's margin)
``notes``, ``warnings()``   what the run did to values or found in them; one wording for both
``plot()``, ``to_iamc()``   a figure (fan charts for an ensemble), the IAMC layout
==========================  ==================================================================
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ProjectionError
from .compiled import CompiledScenario, year_index
from .constraints import Violation, check_constraints, violation_warning
from .tables import Columns, ensemble_columns, projection_columns, tidy_frame
from .targets import evaluate_targets, probabilities

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..scenario import Scenario

__all__ = ["Result", "Projection", "Ensemble"]


class Result:
    """What :func:`projection.run` returns; see the module docstring for the interface."""

    scenario: Scenario
    years: np.ndarray
    notes: list[str]
    violations: list[Violation]
    compiled: CompiledScenario
    central: dict[str, np.ndarray]
    bands: dict[str, np.ndarray]
    quantiles: tuple[float, ...]
    samples: int
    seed: int | None
    sampler: str | None
    point: Projection

    def target_probabilities(self, target: str) -> dict[str, Any]:
        """An ensemble's probability columns for ``target`` (empty for a point projection)."""
        return {}

    def columns(self, *, samples: bool = False) -> Columns:
        """The tidy table as plain arrays, one per column (see :mod:`projection.engine.tables`);
        ``samples``: also an ensemble's members (run with ``keep_samples=True``)."""
        raise NotImplementedError

    def to_frame(self, *, samples: bool = False) -> pd.DataFrame:
        """The tidy table (:meth:`columns`) as a pandas frame, labels as categoricals."""
        return tidy_frame(self.columns(samples=samples))

    # What differs between a projection and an ensemble, each implements (as a property or
    # a field): central, bands, quantiles, samples, seed, sampler, point, columns() and
    # target_probabilities().

    # ---------------------------------------------------------------- shared
    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def indicators(self) -> list[str]:
        """Indicator names, sorted."""
        return list(self.central)

    @property
    def units(self) -> dict[str, str]:
        """Unit of each indicator."""
        return {k: self.compiled.units[k] for k in self.central}

    def column(self, year: Any) -> int:
        """Index of ``year`` among :attr:`years`; a year that is not projected is refused."""
        return year_index(self.years, year, self.scenario)

    def __getitem__(self, indicator: str) -> pd.Series:
        """One indicator's central trajectory as a Series indexed by year."""
        import pandas as pd

        central = self.central
        if indicator not in central:
            raise KeyError(f"no indicator {indicator!r} (have: {', '.join(central)})")
        return pd.Series(
            central[indicator], index=pd.Index(self.years, name="year"), name=indicator
        )

    def __iter__(self):
        return iter(self.central)

    def value(self, indicator: str, year: int) -> float:
        """The central value of ``indicator`` in ``year``, in the indicator's unit."""
        central = self.central
        if indicator not in central:
            raise KeyError(f"no indicator {indicator!r} (have: {', '.join(central)})")
        return float(central[indicator][self.column(year)])

    def report_years(self, years: Iterable[int] | None = None) -> list[int]:
        """``years`` checked against the grid, or the years that matter (the scenario's
        ``report_years``, else start, end, targets' years and every fifth year)."""
        wanted = list(years) if years is not None else self.scenario.milestone_years()
        for y in wanted:
            self.column(y)
        return [int(y) for y in wanted]

    def table(self, years: Iterable[int] | None = None) -> pd.DataFrame:
        """Wide table: one row per indicator (and quantile, for an ensemble), a ``unit``
        column, then one column per year (default :meth:`report_years`).

        Raises
        ------
        ProjectionError
            A year that is not projected (a 2027 on a five-year grid is not rounded to 2030).
        """
        import pandas as pd

        wanted = self.report_years(years)
        cols = [self.column(y) for y in wanted]
        names = self.indicators
        qs = self.quantiles
        if not qs:
            index = pd.Index(names, name="indicator")
            data = {y: [self.central[n][c] for n in names] for y, c in zip(wanted, cols)}
            units = [self.units[n] for n in names]
        else:
            index = pd.MultiIndex.from_product([names, list(qs)], names=["indicator", "quantile"])
            data = {
                y: [self.bands[n][k, c] for n in names for k in range(len(qs))]
                for y, c in zip(wanted, cols)
            }
            units = [self.units[n] for n in names for _ in qs]
        frame = pd.DataFrame(data, index=index)
        frame.insert(0, "unit", units)
        return frame

    def targets(self) -> pd.DataFrame:
        """Status of every target (see :func:`projection.evaluate_targets`)."""
        return evaluate_targets(self)

    def check_constraints(self) -> pd.DataFrame:
        """Every violated constraint, one row per failing year (see
        :func:`projection.check_constraints`)."""
        return check_constraints(self)

    def warnings(self) -> list[str]:
        """The run's warnings, one line each: the scenario's likely mistakes
        (:meth:`Scenario.warnings`), then the constraints that fail (empty when there are none)."""
        line = violation_warning(self.name, self.violations)
        return self.scenario.warnings() + ([line] if line else [])

    def to_iamc(self) -> pd.DataFrame:
        """The result in the IAMC wide layout (see :mod:`projection.io.iamc`)."""
        from ..io.iamc import to_iamc

        return to_iamc([self])

    def plot(self, **kwargs: Any) -> Any:
        """Draw every indicator, one panel each, targets and milestones marked; an ensemble as
        fan charts. Keyword arguments go to :func:`projection.render.plot.plot_projections`.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ..render.plot import plot_projections

        return plot_projections([self], **kwargs)

    def _repr_html_(self) -> str:
        """A notebook shows the scenario, the indicators at the years that matter and the
        notes."""
        s = self.scenario
        first = s.description.strip().splitlines()[0] if s.description.strip() else ""
        what = f": {html.escape(first)}" if first else ""
        if self.samples:
            what = (
                f": ensemble of {self.samples:,} members ({html.escape(str(self.sampler))}, "
                f"seed {self.seed})"
            )
        head = f"<p><b>{html.escape(s.name)}</b>{what}</p>"
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in [*self.notes, *self.warnings()])
        return (
            head
            + self.table().to_html(float_format=lambda v: f"{v:,.4g}")
            + (f"<ul>{notes}</ul>" if notes else "")
        )


@dataclass(frozen=True, eq=False)
class Projection(Result):
    """Projected trajectories of one scenario, every parameter at its written value.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario that produced the result.
    years : ndarray of int, shape (T,)
        Projected years.
    values : dict of str to ndarray, shape (T,)
        Trajectory per indicator, in the indicator's unit.
    notes : list of str
        What the run did to values (clipped to a share's bounds) or found in them.
    violations : list of Violation
        Declared constraints that fail in some year.
    compiled : CompiledScenario
        What was evaluated.
    """

    scenario: Scenario
    years: np.ndarray
    values: dict[str, np.ndarray]
    notes: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    compiled: CompiledScenario = field(default=None, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.compiled is None:
            from .compiled import compile_scenario

            object.__setattr__(self, "compiled", compile_scenario(self.scenario))

    @property
    def central(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """The trajectories (:attr:`values`)."""
        return self.values

    @property
    def bands(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """None: a point projection has no bands."""
        return {}

    @property
    def quantiles(self) -> tuple[float, ...]:  # type: ignore[override]
        return ()

    @property
    def samples(self) -> int:  # type: ignore[override]
        """0: a point projection is no ensemble."""
        return 0

    @property
    def seed(self) -> None:  # type: ignore[override]
        return None

    @property
    def sampler(self) -> None:  # type: ignore[override]
        return None

    @property
    def point(self) -> Projection:  # type: ignore[override]
        """Itself."""
        return self

    def to_frame(self, *, samples: bool = False) -> pd.DataFrame:
        """Tidy frame: one row per scenario, indicator and year.

        Columns are ``scenario, indicator, year, value, unit``; ``value`` is in ``unit``.
        (``samples`` is for an ensemble's members; a projection has one, this.)

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
        return tidy_frame(self.columns())

    def columns(self, *, samples: bool = False) -> Columns:
        """The tidy table as plain arrays, one per column (see :mod:`projection.engine.tables`).

        Examples
        --------
        >>> import projection
        >>> p = projection.run("scenarios/paper-targets.yaml")
        >>> cols = p.columns()
        >>> list(cols), len(cols["value"]) == len(p.years) * len(p.indicators)
        (['scenario', 'indicator', 'year', 'value', 'unit'], True)
        """
        return projection_columns(self.name, self.years, self.values, self.units)

    def __repr__(self) -> str:
        return (
            f"Projection(scenario={self.name!r}, years={int(self.years[0])}..{int(self.years[-1])}, "
            f"indicators={list(self.values)})"
        )


@dataclass(frozen=True, eq=False)
class Ensemble(Result):
    """The result of an ensemble run (see :mod:`projection.engine.ensemble`).

    Attributes
    ----------
    scenario : Scenario
    years : ndarray of int, shape (T,)
    n : int
        Number of members.
    sampler : str
    seed : int or None
    quantiles : tuple of float
    bands : dict of str to ndarray, shape (Q, T)
        Quantiles of each indicator, in its unit, one row per entry of ``quantiles``.
    mean : dict of str to ndarray, shape (T,)
    median : dict of str to ndarray, shape (T,)
        Always computed (targets are judged on it), whatever ``quantiles`` holds.
    draws : dict of str to ndarray, shape (n,), or None
        The drawn inputs, by dotted path, in each parameter's written unit (only with
        ``keep_samples=True``).
    members : dict of str to ndarray, shape (n, T), or None
        Every member's trajectory (only with ``keep_samples=True``).
    target_met : dict of str to int
        Number of members that meet each target in its year.
    first_year_counts : dict of str to ndarray of int, shape (T + 1,)
        For each target, how many members first reach it in each projected year; the last
        entry counts those that never do within the horizon.
    violation_share : dict of str to ndarray, shape (T,)
        Share of members violating each constraint, by year.
    violations : list of Violation
        The constraints some member violates, with the share per year and the worst margin.
    stride : int
        Quantiles were read from every ``stride``-th member (1: from all of them).
    notes : list of str
    point : Projection
        The point projection of the same scenario.
    compiled : CompiledScenario
    """

    scenario: Scenario
    years: np.ndarray
    n: int
    sampler: str
    seed: int | None
    quantiles: tuple[float, ...]
    bands: dict[str, np.ndarray]
    mean: dict[str, np.ndarray]
    median: dict[str, np.ndarray]
    draws: dict[str, np.ndarray] | None = None
    members: dict[str, np.ndarray] | None = None
    target_met: dict[str, int] = field(default_factory=dict)
    first_year_counts: dict[str, np.ndarray] = field(default_factory=dict)
    violation_share: dict[str, np.ndarray] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)
    stride: int = 1
    notes: list[str] = field(default_factory=list)
    point: Projection = field(default=None, repr=False)  # type: ignore[assignment]
    compiled: CompiledScenario = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def central(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """The medians (:attr:`median`)."""
        return self.median

    @property
    def samples(self) -> int:  # type: ignore[override]
        """The number of members, :attr:`n`."""
        return self.n

    def target_probabilities(self, target: str) -> dict[str, Any]:
        return probabilities(
            self.target_met[target], self.first_year_counts[target], self.years, self.n
        )

    def quantile(self, indicator: str, q: float) -> pd.Series:
        """One quantile band of one indicator, as a Series indexed by year."""
        import pandas as pd

        try:
            row = self.quantiles.index(q)
        except ValueError:
            raise KeyError(f"quantile {q} was not computed (have {self.quantiles})") from None
        return pd.Series(
            self.bands[indicator][row], index=pd.Index(self.years, name="year"), name=indicator
        )

    def to_frame(self, *, samples: bool = False) -> pd.DataFrame:
        """Tidy quantile bands: ``scenario, indicator, year, quantile, value, unit``.

        With ``samples=True`` (and members kept) each member's values follow, with the member's
        number in a ``sample`` column and ``quantile`` empty; quantile rows have ``sample`` empty.
        """
        return tidy_frame(self.columns(samples=samples))

    def columns(self, *, samples: bool = False) -> Columns:
        """The tidy table as plain arrays (see :mod:`projection.engine.tables`); ``samples``
        as for :meth:`to_frame`."""
        if samples and self.members is None:
            raise ProjectionError("members were not kept: run the ensemble with keep_samples=True")
        return ensemble_columns(
            self.name,
            self.years,
            self.quantiles,
            self.bands,
            self.units,
            self.members if samples else None,
        )

    def __repr__(self) -> str:
        return (
            f"Ensemble(scenario={self.name!r}, n={self.n}, sampler={self.sampler!r}, "
            f"seed={self.seed!r}, indicators={list(self.bands)})"
        )
