"""What scenario discovery found: the box, in plain words, and the trajectory it was chosen
from (:func:`projection.discover`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["Box", "Discovery", "short_name"]


def short_name(path: str) -> str:
    """An input's name in tables and sentences: ``ev_sales_share.rate`` for
    ``indicators.ev_sales_share.params.rate``, ``ofc_capacity.milestones.2.year`` for a
    milestone's year."""
    parts = path.split(".")
    if len(parts) == 4 and parts[0] == "indicators" and parts[2] == "params":
        return f"{parts[1]}.{parts[3]}"
    return path.removeprefix("indicators.")


@dataclass(frozen=True)
class Box:
    """Ranges of some inputs (``bounds``: name -> (lower or None, upper or None)), the share
    of the box's members that are cases (``density``), the share of all cases in it
    (``coverage``), the share of all members in it (``mass``), and per restriction its
    quasi-p-value (PRIM only)."""

    bounds: dict[str, tuple[float | None, float | None]]
    density: float
    coverage: float
    mass: float
    quasi_p: dict[str, float] | None

    @property
    def restricted(self) -> tuple[str, ...]:
        """The inputs the box restricts, sorted."""
        return tuple(sorted(self.bounds))


@dataclass(frozen=True, eq=False)
class Discovery:
    """A box of uncertain inputs in which ``target`` is ``outcome`` (``missed`` or ``met``)
    in most members (see :mod:`projection.analysis.discovery`)."""

    scenario: str
    target: str
    outcome: str
    method: str
    samples: int
    seed: int | None
    #: members in which the target is ``outcome``
    cases: int
    threshold: float
    inputs: tuple[str, ...]
    units: dict[str, str]
    box: Box
    #: PRIM: the peeling trajectory (coverage, density, mass, restricted); CART: the leaves
    trajectory: pd.DataFrame
    #: the row of :attr:`trajectory` reported as :attr:`box`
    chosen: int
    #: each input's smallest and largest drawn value
    ranges: dict[str, tuple[float, float]]

    def condition(self) -> str:
        """The box's restrictions in words: ``ev_sales_share.rate < 0.55 1/yr and ...``."""
        parts = []
        for name in self.box.restricted:
            lo, hi = self.box.bounds[name]
            unit = self.units.get(name, "")
            unit = f" {unit}" if unit and unit != "dimensionless" else ""
            if lo is not None and hi is not None:
                parts.append(f"{_num(lo)}{unit} < {name} <= {_num(hi)}{unit}")
            elif hi is not None:
                parts.append(f"{name} <= {_num(hi)}{unit}")
            else:
                parts.append(f"{name} > {_num(lo)}{unit}")
        return " and ".join(parts) if parts else "anywhere (no restriction)"

    def sentence(self) -> str:
        """The box in one sentence: where the target is missed, how often, and how many of
        all the misses it holds."""
        b = self.box
        cases = "misses" if self.outcome == "missed" else "members meeting it"
        return (
            f"{self.target} is {self.outcome} in {_pct(b.density)} of members where "
            f"{self.condition()}; this box holds {_pct(b.coverage)} of all {cases} "
            f"({_pct(b.mass)} of members)."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per restricted input: ``input``, ``lower``, ``upper`` (empty: not
        restricted on that side), ``unit``, ``quasi_p`` (PRIM), and the box's ``density``,
        ``coverage`` and ``mass``."""
        rows = []
        for name in self.box.restricted:
            lo, hi = self.box.bounds[name]
            rows.append(
                {
                    "scenario": self.scenario,
                    "target": self.target,
                    "outcome": self.outcome,
                    "method": self.method,
                    "input": name,
                    "lower": lo,
                    "upper": hi,
                    "unit": self.units.get(name, ""),
                    "quasi_p": (self.box.quasi_p or {}).get(name),
                    "density": self.box.density,
                    "coverage": self.box.coverage,
                    "mass": self.box.mass,
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The box, its restrictions with their quasi-p-values, and what it rests on."""
        what = "PRIM (peeling trajectory)" if self.method == "prim" else "CART (decision tree)"
        lines = [
            f"Scenario discovery for {self.target} {self.outcome} in {self.scenario}: {what}, "
            f"{self.samples:,} members (seed {self.seed}), {self.target} {self.outcome} in "
            f"{self.cases:,} ({_pct(self.cases / self.samples)})",
            f"  {self.sentence()}",
        ]
        if self.box.quasi_p is not None:
            lines.append("  restriction  quasi-p  (above 0.05: the restriction may be noise)")
            for name in self.box.restricted:
                qp = self.box.quasi_p[name]
                lines.append(f"    {name}  {qp:.2g}" if qp > 0 else f"    {name}  < 1e-300")
        free = [n for n in self.inputs if n not in self.box.bounds]
        if free:
            lines.append(f"  not restricted: {', '.join(free)}")
        steps = "boxes on the peeling trajectory" if self.method == "prim" else "leaves"
        lines.append(
            f"  chosen: the largest coverage + density among {steps} at least "
            f"{_pct(self.threshold)} dense "
            f"(row {self.chosen} of {len(self.trajectory)})"
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The box and how it was found (JSON-serialisable)."""
        return {
            "scenario": self.scenario,
            "target": self.target,
            "outcome": self.outcome,
            "method": self.method,
            "samples": self.samples,
            "seed": self.seed,
            "cases": self.cases,
            "sentence": self.sentence(),
            "box": self.to_frame().to_dict(orient="records"),
        }

    def plot(self) -> Any:
        """A matplotlib figure: the peeling trajectory (PRIM) or the leaves (CART), coverage
        against density, the chosen box marked
        (:func:`projection.render.discovery_plot.plot_discovery`)."""
        from ..render.discovery_plot import plot_discovery

        return plot_discovery(self)


def _num(v: float) -> str:
    return f"{v:.3g}"


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"
