"""Where every number of a scenario comes from.

Every number in a scenario file carries a ``source``: ``paper, <section>, line N`` for a figure
from the paper, ``assumption: <reason>`` for anything else (also ``definition:``, ``data:``;
``override:`` and ``calibrated:`` are written by the tool). The first word says what kind of
source it is; :func:`source_kind` reads it, :func:`sources` lists every number with its source,
and :func:`source_counts` counts them by kind.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .model import Scenario

__all__ = ["SOURCE_KINDS", "source_kind", "sources", "source_counts"]

#: The kinds of source, as the first word of a source names them.
SOURCE_KINDS = ("paper", "assumption", "definition", "calibrated", "override", "data")


def source_kind(source: str) -> str:
    """Classify a source string: ``paper``, ``assumption``, ..., or ``other``.

    Examples
    --------
    >>> source_kind("paper, Analysis I, line 155")
    'paper'
    >>> source_kind("assumption: the paper gives no date")
    'assumption'
    >>> source_kind("IRENA Renewable Capacity Statistics 2025")
    'other'
    """
    head = source.strip().lower()
    for kind in SOURCE_KINDS:
        if head.startswith(kind) and head[len(kind) : len(kind) + 1] in (",", ":", " ", ""):
            return kind
    return "other"


def sources(scenario: Scenario) -> list[dict[str, Any]]:
    """Every number of the scenario with where it comes from.

    One record per parameter, milestone value, milestone year, target and lever, with keys
    ``path`` (dotted), ``value``, ``unit``, ``source`` and ``kind`` (``paper``,
    ``assumption``, ``definition``, ``override``, ... see :func:`source_kind`).

    Examples
    --------
    >>> from projection import load_scenario
    >>> s = load_scenario("scenarios/paper-targets.yaml")
    >>> [r["kind"] for r in s.sources() if r["path"] == "targets.T1.at_least"]
    ['paper']
    """
    rows: list[dict[str, Any]] = []

    def add(path: str, value: Any, unit: str | None, source: str) -> None:
        rows.append(
            {
                "path": path,
                "value": value,
                "unit": unit or "",
                "source": " ".join(source.split()),
                "kind": source_kind(source),
            }
        )

    for name in sorted(scenario.indicators):
        ind = scenario.indicators[name]
        for pname, p in ind.params.items():
            add(f"indicators.{name}.params.{pname}", p.value, p.unit, p.source)
        for i, m in enumerate(ind.milestones or []):
            add(f"indicators.{name}.milestones.{i}.value", m.value, m.unit, m.source)
            add(f"indicators.{name}.milestones.{i}.year", m.year, "", m.year_source or m.source)
        noise = ind.observation_noise
        if noise is not None:
            add(f"indicators.{name}.observation_noise", noise.value, noise.unit, noise.source)
    for tid, t in scenario.targets.items():
        for key, value in t.bounds:
            add(f"targets.{tid}.{key}", value, t.unit, t.source)
    for lname, lever in scenario.levers.items():
        values = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in lever.settings())
        add(f"levers.{lname}", f"{lever.path} in ({values})", lever.unit, lever.source)
    if scenario.correlations is not None:
        c = scenario.correlations
        add("correlations", f"{len(c.parameters)} x {len(c.parameters)} matrix", "", c.source)
    return rows


def source_counts(scenario: Scenario) -> dict[str, int]:
    """How many numbers of ``scenario`` come from each kind of source, in the order of
    :data:`SOURCE_KINDS` (then ``other``), leaving out kinds with none.

    Examples
    --------
    >>> from projection import load_scenario
    >>> source_counts(load_scenario("scenarios/baseline.yaml"))
    {'paper': 15, 'assumption': 23, 'definition': 1}
    """
    counted = Counter(row["kind"] for row in sources(scenario))
    order = [*SOURCE_KINDS, "other"]
    return {kind: counted[kind] for kind in order if counted[kind]}
