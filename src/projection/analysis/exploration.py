"""The result of exploring levers: outcomes per lever setting, and how robust each setting is.

:class:`Exploration` holds, per lever setting and target, what :func:`projection.explore`
counted over the ensemble members, and answers the robustness questions:

* **satisficing**: the share of members in which *every* explored target is met (the
  setting that maximises it is the most robust in the satisficing sense);
* **regret**: in each member, a target's margin (how far beyond the requirement it lands) in
  that member's best setting minus the margin in this setting, in the target's unit; the
  largest regret over members (minimax regret picks the setting whose largest regret is
  smallest) and its 90th percentile (a less pessimistic reading).

References
----------
R. J. Lempert, S. W. Popper and S. C. Bankes, *Shaping the Next One Hundred Years*, RAND,
2003 (regret). M. Herman, J. Reed, P. Zeff and G. Characklis, "How should robustness be
defined for water systems planning under change?", J. Water Resour. Plann. Manage. 141(10),
2015 (satisficing and regret measures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..engine.targets import probabilities
from ..text import format_probability

__all__ = ["Exploration", "LeverSpec", "REGRET_QUANTILE"]

#: The percentile regret reported beside the largest.
REGRET_QUANTILE = 0.9


@dataclass(frozen=True)
class LeverSpec:
    """One explored lever: its ``name``, ``path``, ``values``, their ``unit`` (None: the
    path's own), ``source``, and whether the scenario file ``declared`` it (or a sweep did)."""

    name: str
    path: str
    values: tuple[Any, ...]
    unit: str | None
    source: str
    declared: bool


@dataclass(frozen=True, eq=False)
class Exploration:
    """Outcomes of every lever setting (rows of :attr:`settings`) for every target.

    Counts are over ``samples`` members per setting (0: one run at the point values, a
    deterministic sweep); the members are the same in every setting.
    """

    scenario: str
    levers: tuple[LeverSpec, ...]
    settings: tuple[tuple[Any, ...], ...]
    targets: tuple[str, ...]
    target_units: tuple[str, ...]
    years: np.ndarray
    samples: int
    sampler: str
    seed: int | None
    #: members meeting each target in its year, (settings, targets)
    met: np.ndarray
    #: members meeting every explored target, (settings,)
    all_met: np.ndarray
    #: members first meeting each target in each year, then never, (settings, targets, T+1)
    first_counts: np.ndarray
    #: the largest regret over all members, (settings, targets)
    regret_max: np.ndarray
    #: gap and regret of the kept members, (settings, targets, kept)
    kept_gap: np.ndarray
    kept_regret: np.ndarray

    @property
    def members(self) -> int:
        """Members per setting (1 for a deterministic sweep)."""
        return max(self.samples, 1)

    @property
    def names(self) -> list[str]:
        """The levers' names, in the order of each setting's values."""
        return [lv.name for lv in self.levers]

    def _setting_columns(self) -> dict[str, list[Any]]:
        return {name: [s[j] for s in self.settings] for j, name in enumerate(self.names)}

    def to_frame(self) -> pd.DataFrame:
        """One row per setting and target: the levers' values, ``probability`` (of meeting
        the target in its year) and its standard error, the first year reached (median, 5 %
        and 95 %), the gap ``projected - required`` (median, 5 %, 95 %) in ``unit``, the
        largest and the 90th-percentile regret, and ``samples``."""
        rows = []
        n = self.members
        for i, setting in enumerate(self.settings):
            for k, tid in enumerate(self.targets):
                p = probabilities(int(self.met[i, k]), self.first_counts[i, k], self.years, n)
                gaps = np.quantile(self.kept_gap[i, k], [0.5, 0.05, 0.95], method="inverted_cdf")
                regret = np.quantile(self.kept_regret[i, k], REGRET_QUANTILE, method="inverted_cdf")
                rows.append(
                    {
                        "scenario": self.scenario,
                        **dict(zip(self.names, setting)),
                        "target": tid,
                        "probability": p["probability"],
                        "probability_se": p["probability_se"],
                        "first_year_median": p["first_year_median"],
                        "first_year_p05": p["first_year_p05"],
                        "first_year_p95": p["first_year_p95"],
                        "gap_median": float(gaps[0]),
                        "gap_p05": float(gaps[1]),
                        "gap_p95": float(gaps[2]),
                        "unit": self.target_units[k],
                        "regret_max": float(self.regret_max[i, k]),
                        "regret_p90": float(regret),
                        "samples": self.samples,
                    }
                )
        frame = pd.DataFrame(rows)
        for col in ("first_year_median", "first_year_p05", "first_year_p95"):
            frame[col] = frame[col].astype("Int64")
        return frame

    def probability_table(self) -> pd.DataFrame:
        """One row per setting: the levers' values, the probability of each target, and of
        all of them (``all``)."""
        out = pd.DataFrame(self._setting_columns())
        for k, tid in enumerate(self.targets):
            out[tid] = self.met[:, k] / self.members
        out["all"] = self.all_met / self.members
        return out

    def robustness(self) -> pd.DataFrame:
        """One row per setting: ``satisficing`` (the share of members meeting every explored
        target) and its standard error, its ``rank`` (1: the most robust), and per target
        the largest and the 90th-percentile regret (in the target's unit), ``regret_max_T``
        and ``regret_p90_T``; sorted by rank."""
        out = pd.DataFrame(self._setting_columns())
        p = self.all_met / self.members
        out["satisficing"] = p
        out["satisficing_se"] = np.sqrt(p * (1 - p) / self.members)
        for k, tid in enumerate(self.targets):
            out[f"regret_max_{tid}"] = self.regret_max[:, k]
            out[f"regret_p90_{tid}"] = np.quantile(
                self.kept_regret[:, k], REGRET_QUANTILE, axis=1, method="inverted_cdf"
            )
        out["rank"] = out["satisficing"].rank(ascending=False, method="min").astype(int)
        return out.sort_values(["rank"], kind="stable").reset_index(drop=True)

    def best(self) -> dict[str, Any]:
        """The most robust setting in the satisficing sense (the first of equals), as a
        mapping of lever name to value."""
        i = int(np.argmax(self.all_met))
        return dict(zip(self.names, self.settings[i]))

    def minimax_regret(self, target: str) -> dict[str, Any]:
        """The setting whose largest regret on ``target`` is smallest."""
        k = self._target(target)
        i = int(np.argmin(self.regret_max[:, k]))
        return dict(zip(self.names, self.settings[i]))

    def _target(self, target: str) -> int:
        if target not in self.targets:
            raise KeyError(f"{target!r} was not explored (targets: {', '.join(self.targets)})")
        return self.targets.index(target)

    def summary(self) -> str:
        """The settings' probabilities and the robust choices, as text."""
        members = (
            f"{self.samples:,} members each ({self.sampler}, seed {self.seed})"
            if self.samples
            else "one run at the point values each"
        )
        lines = [
            f"Levers of {self.scenario}: {len(self.settings)} settings x {members}",
        ]
        for lv in self.levers:
            unit = f" {lv.unit}" if lv.unit else ""
            values = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in lv.values)
            lines.append(f"  {lv.name}: {lv.path} in ({values}){unit}  [{lv.source}]")
        table = self.probability_table()
        lines.append("  probability of meeting each target, and all of them:")
        lines += [
            "    " + row for row in table.to_string(index=False, float_format=_pct).splitlines()
        ]
        i = int(np.argmax(self.all_met))
        p = self.all_met[i] / self.members
        tied = np.flatnonzero(self.all_met == self.all_met[i])
        if self.samples:
            se = float(np.sqrt(p * (1 - p) / self.members))
            met = f"every target met with probability {format_probability(p, se, self.samples)}"
        else:
            met = "every target met" if p else "no setting meets every target"
        lines.append(f"  most robust (satisficing): {self._describe(tied)}: {met}")
        for tid in self.targets:
            k = self._target(tid)
            regret = self.regret_max[:, k]
            if not regret.any():
                lines.append(f"  {tid}: the same in every setting (no regret)")
                continue
            least = np.flatnonzero(regret == regret.min())
            lines.append(
                f"  least regret on {tid}: {self._describe(least)} (largest regret "
                f"{regret.min():.3g} {self.target_units[k]})"
            )
        return "\n".join(lines)

    def metadata(self) -> dict[str, Any]:
        """What produced the exploration (JSON-serialisable; written beside its table)."""
        from .. import __version__

        return {
            "projection_version": __version__,
            "scenario": self.scenario,
            "samples": self.samples,
            "sampler": self.sampler or None,
            "seed": self.seed,
            "levers": [
                {
                    "name": lv.name,
                    "path": lv.path,
                    "values": list(lv.values),
                    "unit": lv.unit,
                    "source": lv.source,
                }
                for lv in self.levers
            ],
        }

    def _describe(self, rows: np.ndarray) -> str:
        """Settings ``rows`` in words: one setting, or each lever's values where the rows
        are every combination of them (``cable_upgrade = 2027 or 2028``), or a count."""
        chosen = [self.settings[int(r)] for r in rows]
        if len(chosen) == 1:
            return _words(dict(zip(self.names, chosen[0])))
        values = [sorted({c[j] for c in chosen}) for j in range(len(self.names))]
        if int(np.prod([len(v) for v in values])) != len(chosen):
            return f"{len(chosen)} settings tie, e.g. {_words(dict(zip(self.names, chosen[0])))}"
        if all(len(v) == len(lv.values) for v, lv in zip(values, self.levers)):
            return "every setting alike"
        return ", ".join(
            f"{name} = {' or '.join(_value(x) for x in v)}"
            if len(v) < len(lv.values)
            else f"any {name}"
            for name, v, lv in zip(self.names, values, self.levers)
        )

    def plot(self, target: str | None = None) -> Any:
        """A matplotlib figure of the probabilities per setting: lines for one lever, heat
        maps for two, bars otherwise (:func:`projection.render.levers_plot.plot_exploration`)."""
        from ..render.levers_plot import plot_exploration

        return plot_exploration(self, target)

    def plot_robustness(self) -> Any:
        """A matplotlib figure: each setting's satisficing against its largest regret, per
        target (:func:`projection.render.levers_plot.plot_robustness`)."""
        from ..render.levers_plot import plot_robustness

        return plot_robustness(self)


def _pct(p: float) -> str:
    return f"{p:.3f}"


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _words(setting: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_value(v)}" for k, v in setting.items())
