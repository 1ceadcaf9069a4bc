"""Levers x uncertainties: what each policy setting gives, over the same uncertain futures.

:func:`explore` runs a scenario at every combination of its levers' values (the ``levers``
section, :mod:`projection.scenario.levers`) or of a sweep given in code or on the command
line (``--sweep PATH=LO:HI:N``), each over the same ensemble members: one set of uniform
numbers is drawn per member, and every lever setting maps it through its own distributions
(common random numbers), so two settings differ by what the policy changes, never by
sampling noise, and each member's best setting is well defined (regret).

The work is the vectorised engine's: per block of members and per setting, one evaluation
of the indicators the targets need (an indicator no lever touches is evaluated once per
block and reused by every setting); no Python work per member. A setting is built once, as
``--set`` would build it (:meth:`Scenario.with_overrides`), so a lever value the scenario
cannot take is refused with the lever and the value named.

What is computed per setting and target: the members meeting the target in its year, the
first year reached, the gap in the target year (``projected - required``), and the regret:
the target's margin (``projected - required`` for ``at_least``, ``required - projected`` for
``at_most``) in the member's best setting minus the margin in this one. The largest regret is
exact; quantiles of gap and regret come from at most :data:`KEEP` members (every k-th),
as the ensemble's bands do. See :class:`~projection.analysis.exploration.Exploration`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..engine.compiled import compile_scenario
from ..engine.sampling import BLOCK, check_samples, seed_entropy, uniforms_block
from ..exceptions import ProjectionError, ScenarioError
from ..scenario import Scenario, load_scenario
from ..scenario.levers import MAX_LEVER_VALUES, lever_values
from .exploration import Exploration, LeverSpec

__all__ = ["explore", "parse_sweep", "MAX_SETTINGS", "KEEP"]

#: Most lever settings (combinations of values) one exploration may have.
MAX_SETTINGS = 10_000
#: Most members whose gaps and regrets are kept for quantiles.
KEEP = 2**15


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """``PATH=LO:HI:N`` (``N`` evenly spaced values) or ``PATH=V1,V2,...`` into a path and
    its values (a ``--sweep`` option).

    Examples
    --------
    >>> parse_sweep("indicators.ev_sales_share.params.rate=0.5:0.9:5")
    ('indicators.ev_sales_share.params.rate', [0.5, 0.6, 0.7, 0.8, 0.9])
    >>> parse_sweep("indicators.ofc_capacity.milestones.1.year=2027:2030:4")
    ('indicators.ofc_capacity.milestones.1.year', [2027, 2028, 2029, 2030])
    """
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    form = "expected PATH=LO:HI:N or PATH=V1,V2,..."
    if not sep or not path or not spec:
        raise ProjectionError(f"--sweep {text!r}: {form}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise ValueError
            lo, hi = (_number(p) for p in parts[:2])
            n = int(parts[2])
            if str(n) != parts[2].strip():
                raise ValueError
            if n < 2:
                raise ProjectionError(f"--sweep {text!r}: N must be at least 2 (got {n})")
            if n > MAX_LEVER_VALUES:
                raise ProjectionError(f"--sweep {text!r}: N must be at most {MAX_LEVER_VALUES}")
            if not lo < hi:
                raise ProjectionError(f"--sweep {text!r}: LO must be below HI")
            return path, lever_values(lo, hi, n)
        values = [_number(p) for p in spec.split(",") if p.strip()]
    except ValueError:
        raise ProjectionError(f"--sweep {text!r}: {form} (numbers)") from None
    if len(values) < 2 or len(set(values)) != len(values):
        raise ProjectionError(f"--sweep {text!r}: give at least two distinct values")
    return path, values


def _number(text: str) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not np.isfinite(value):
            raise ValueError(text) from None
        return value


def explore(
    scenario: Scenario | str | Any,
    *,
    levers: Sequence[str] | None = None,
    sweep: Mapping[str, Iterable[Any] | str] | None = None,
    samples: int | None = None,
    sampler: str = "lhs",
    seed: int | None = None,
    target: str | Sequence[str] | None = None,
) -> Exploration:
    """Every target's outcome at every lever setting, over the same uncertain futures.

    Parameters
    ----------
    scenario : Scenario, path or mapping
    levers : sequence of str, optional
        Names of the scenario's levers to explore (default: all of them, unless ``sweep`` is
        given).
    sweep : mapping of str to values, optional
        Paths to sweep (any path ``--set`` accepts), each with its values: a list, or a
        string ``"LO:HI:N"``. Combined with the named ``levers``, if any.
    samples : int, optional
        Ensemble members per setting; without, each setting is one run at the point values
        (a lever that sets a distribution then needs ``samples``).
    sampler : {"lhs", "sobol", "mc"}, default "lhs"
    seed : int, optional
    target : str or sequence of str, optional
        Target ids (default: every target).

    Returns
    -------
    Exploration

    Examples
    --------
    >>> import projection
    >>> x = projection.explore(
    ...     "scenarios/paper-targets.yaml",
    ...     sweep={"indicators.ev_sales_share.params.rate": "0.4:1.0:4"}, target="T1")
    >>> x.to_frame()[["ev_sales_share.rate", "probability"]].values.tolist()
    [[0.4, 0.0], [0.6, 0.0], [0.8, 1.0], [1.0, 1.0]]
    """
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    specs = _specs(base, levers, sweep)
    ids = _targets(base, target)
    grid = list(itertools.product(*(s.values for s in specs)))
    if len(grid) > MAX_SETTINGS:
        raise ProjectionError(
            f"{len(grid):,} lever settings: at most {MAX_SETTINGS:,} (fewer values per lever)"
        )
    if samples is None:  # the arguments first: compiling every setting is the slow part
        moving = [s.name for s in specs if ".distribution" in s.path or "_distribution" in s.path]
        if moving:
            raise ProjectionError(
                f"lever {moving[0]!r} sets a distribution: give samples (--samples N) to explore it"
            )
        n, entropy = 1, 0
    else:
        n, entropy = check_samples(samples, sampler), seed_entropy(seed)
    settings = [compile_scenario(_setting(base, specs, combo)) for combo in grid]
    compiled = compile_scenario(base)
    paths = [u.path for u in compiled.uncertain]
    for c, combo in zip(settings, grid):
        extra = [u.path for u in c.uncertain if u.path not in paths]
        if extra:
            raise ProjectionError(
                f"setting {_label(specs, combo)} makes {extra[0]} uncertain, which the "
                "scenario is not: a lever may pin or move a distribution, not add one"
            )
    stride = max(1, -(-n // KEEP))
    acc = _Accumulator(len(grid), ids, len(compiled.years), stride)
    touched = _touched(compiled, specs, ids, settings[0])
    for block in range(-(-n // BLOCK)):
        u = (
            uniforms_block(
                paths,
                n,
                block,
                sampler=sampler,
                entropy=entropy,
                correlations=base.correlations,
            )
            if samples is not None
            else None
        )
        start = block * BLOCK
        size = min(BLOCK, n - start)
        cache: dict[tuple, np.ndarray] = {}
        outcomes: dict[tuple, tuple] = {}
        for i, (c, combo) in enumerate(zip(settings, grid)):
            values: dict[str, np.ndarray] | None = None
            for k, tid in enumerate(ids):
                t = c.targets[tid]
                key = (t.indicator, tuple(combo[j] for j in touched[tid]))
                if key not in cache:
                    if values is None:  # this setting's draws: its ppfs of the shared u
                        values = _draws(c, u, paths)
                    try:
                        v = c.evaluate(values, only=[t.indicator]).values[t.indicator]
                    except ScenarioError as err:
                        raise ProjectionError(f"setting {_label(specs, combo)}: {err}") from None
                    cache[key] = v
                judged = (key, t.bound, t.required, t.upper, t.column)
                if judged not in outcomes:  # the same values judged the same way: once
                    outcomes[judged] = _outcome(cache[key], t, size)
                acc.add(i, k, outcomes[judged], start)
        acc.close_block()
    return acc.result(base, specs, grid, ids, compiled, n, samples, sampler, seed)


def _outcome(v: np.ndarray, t: Any, size: int) -> tuple[np.ndarray, ...]:
    """Of each member: whether target ``t`` is met in its year, the year index it is first
    met (counts per year, then never), the gap (:meth:`CompiledTarget.gap`) and the margin
    (how far inside the target) in its year. An indicator that does not vary (one row) is
    judged once."""
    years = v.shape[-1]
    row = v if v.ndim == 2 else v[None, :]
    ok = t.holds(row)
    index = np.where(ok.any(axis=1), np.argmax(ok, axis=1), years)
    at, gap, margin = ok[:, t.column], t.gap(row[:, t.column]), t.margin(row[:, t.column])
    if v.ndim == 1:
        return (
            np.broadcast_to(at, (size,)),
            np.bincount(index, minlength=years + 1) * size,
            np.broadcast_to(gap, (size,)),
            np.broadcast_to(margin, (size,)),
        )
    return at, np.bincount(index, minlength=years + 1), gap, margin


def _draws(c: Any, u: np.ndarray | None, paths: list[str]) -> dict[str, np.ndarray]:
    if u is None:
        return {}
    return {inp.path: inp.distribution.ppf(u[:, paths.index(inp.path)]) for inp in c.uncertain}


class _Accumulator:
    """Sums, counts and kept members over blocks."""

    def __init__(self, settings: int, ids: list[str], years: int, stride: int) -> None:
        k = len(ids)
        self.stride = stride
        self.met = np.zeros((settings, k), dtype=np.int64)
        self.all_met = np.zeros(settings, dtype=np.int64)
        self.first = np.zeros((settings, k, years + 1), dtype=np.int64)
        self.regret_max = np.zeros((settings, k))
        self.kept_gap: list[np.ndarray] = []  # per block: (settings, kept, k)
        self.kept_regret: list[np.ndarray] = []
        self._ok: np.ndarray | None = None
        self._gap: np.ndarray | None = None
        self._margin: np.ndarray | None = None
        self._keep: np.ndarray | None = None
        self._shape = (settings, k)

    def add(self, i: int, k: int, outcome: tuple, start: int) -> None:
        at, first, gap, margin = outcome
        size = len(at)
        if self._ok is None:
            self._ok = np.ones((self._shape[0], size), dtype=bool)
            self._gap = np.empty((*self._shape, size))
            self._margin = np.empty((*self._shape, size))
            self._keep = np.arange((-start) % self.stride, size, self.stride)
        self.met[i, k] += int(at.sum())
        self._ok[i] &= at
        self.first[i, k] += first
        self._gap[i, k] = gap
        self._margin[i, k] = margin

    def close_block(self) -> None:
        if self._ok is None:
            return
        self.all_met += self._ok.sum(axis=1)
        regret = self._margin.max(axis=0, keepdims=True) - self._margin  # (settings, k, size)
        self.regret_max = np.maximum(self.regret_max, regret.max(axis=2))
        keep = self._keep
        self.kept_gap.append(self._gap[:, :, keep])
        self.kept_regret.append(regret[:, :, keep])
        self._ok = self._gap = self._margin = self._keep = None

    def result(self, base, specs, grid, ids, compiled, n, samples, sampler, seed) -> Exploration:
        return Exploration(
            scenario=base.name,
            levers=tuple(specs),
            settings=tuple(tuple(c) for c in grid),
            targets=tuple(ids),
            target_units=tuple(compiled.targets[t].unit for t in ids),
            years=compiled.years.copy(),
            samples=n if samples is not None else 0,
            sampler=sampler if samples is not None else "",
            seed=seed,
            met=self.met,
            all_met=self.all_met,
            first_counts=self.first,
            regret_max=self.regret_max,
            kept_gap=np.concatenate(self.kept_gap, axis=2),
            kept_regret=np.concatenate(self.kept_regret, axis=2),
        )


def _specs(
    base: Scenario, levers: Sequence[str] | None, sweep: Mapping[str, Any] | None
) -> list[LeverSpec]:
    specs: list[LeverSpec] = []
    if levers is None and not sweep:
        if not base.levers:
            raise ProjectionError(
                f"{base.name!r} declares no levers: add a `levers` section, or sweep a path "
                "(--sweep PATH=LO:HI:N; sweep= in code)"
            )
        levers = list(base.levers)
    for name in levers or ():
        if name not in base.levers:
            known = ", ".join(base.levers) or "the scenario declares none"
            raise ProjectionError(f"unknown lever {name!r} in {base.name!r} (levers: {known})")
        lv = base.levers[name]
        unit = lv.unit or _path_unit(base, lv.path)
        specs.append(LeverSpec(name, lv.path, tuple(lv.settings()), unit, lv.source, True))
    from ..scenario.overrides import variant_name

    for path, values in (sweep or {}).items():
        if isinstance(values, str):
            _, vals = parse_sweep(f"{path}={values}")
        else:
            vals = list(values)
            if len(vals) < 2:
                raise ProjectionError(
                    f"sweep of {path}: give at least two values (got {len(vals)})"
                )
        short = variant_name("", {path: 0}).removeprefix(" with ").rsplit("=", 1)[0]
        unit = _path_unit(base, str(path))
        specs.append(LeverSpec(short, str(path), tuple(vals), unit, f"sweep: {path}", False))
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ProjectionError(f"a lever or path is given twice ({', '.join(names)})")
    return specs


def _path_unit(base: Scenario, path: str) -> str | None:
    """The unit the values at ``path`` are read in: a parameter's (or a field of its
    distribution's) written unit; None for anything else (a year, a count)."""
    parts = path.split(".")
    if len(parts) >= 4 and parts[0] == "indicators" and parts[2] == "params":
        param = (base.indicators.get(parts[1]) and base.indicators[parts[1]].params or {}).get(
            parts[3]
        )
        if param is not None and (len(parts) == 4 or parts[4] == "distribution"):
            return param.written_unit or None
    return None


def _setting(base: Scenario, specs: list[LeverSpec], combo: tuple) -> Scenario:
    overrides = {
        s.path: (f"{v} {s.unit}" if s.unit and s.declared and _explicit(base, s) else v)
        for s, v in zip(specs, combo)
    }
    try:
        return base.with_overrides(overrides, name=base.name)
    except ScenarioError as err:
        lever = next((s for s in specs if err.path and err.path.startswith(s.path)), None)
        what = f"{lever.name} = {combo[specs.index(lever)]}" if lever else _label(specs, combo)
        declared = lever.declared if lever is not None else any(s.declared for s in specs)
        msg = f"{'lever' if declared else 'sweep'} {what}: {err.message}"
        if lever is not None and lever.declared:
            raise base.locate(ScenarioError(msg), f"levers.{lever.name}") from None
        raise ScenarioError(msg, file=base.file) from None


def _explicit(base: Scenario, spec: LeverSpec) -> bool:
    """Whether the lever writes its own unit (values then go with it, as '5 Tbps')."""
    return bool(base.levers[spec.name].unit)


def _label(specs: list[LeverSpec], combo: tuple) -> str:
    return ", ".join(f"{s.name}={v}" for s, v in zip(specs, combo))


def _targets(base: Scenario, target: str | Sequence[str] | None) -> list[str]:
    if not base.targets:
        raise ProjectionError(f"nothing to explore: {base.name!r} has no targets")
    ids = (
        list(base.targets)
        if target is None
        else ([target] if isinstance(target, str) else list(target))
    )
    for t in ids:
        if t not in base.targets:
            raise ProjectionError(
                f"unknown target {t!r} in {base.name!r} (expected one of: "
                f"{', '.join(sorted(base.targets))})"
            )
    if not ids or len(set(ids)) != len(ids):
        raise ProjectionError("target: give each target id once")
    return ids


def _touched(
    compiled: Any, specs: list[LeverSpec], ids: list[str], first: Any
) -> dict[str, list[int]]:
    """For each target, the levers that can change it: those setting a number of an
    indicator it is computed from, or any field outside the indicators (targets, horizon)."""
    out: dict[str, list[int]] = {}
    for tid in ids:
        needs = set(compiled.requires([first.targets[tid].indicator]))
        out[tid] = [
            j
            for j, s in enumerate(specs)
            if not s.path.startswith("indicators.") or s.path.split(".")[1] in needs
        ]
    return out
