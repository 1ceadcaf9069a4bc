"""Run metadata: what produced a result, recorded in every file the tool writes.

A result can be traced to exactly what produced it: the tool's version, the seed, the sampler,
the number of ensemble members and a SHA-256 hash of each *resolved* scenario (after
``extends``, defaults and ``--set`` overrides). Two runs with equal metadata give the same
numbers, bit for bit.

The hash is taken over the scenario's canonical JSON (:meth:`pydantic.BaseModel.model_dump` in
JSON mode, keys sorted, no whitespace), so it does not depend on the file's path, its comments,
its key order or whether values came from a parent file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..scenario import Scenario

__all__ = ["scenario_hash", "run_metadata", "METADATA_KEYS"]

#: Top-level keys of :func:`run_metadata`, in order.
METADATA_KEYS = ("projection_version", "seed", "sampler", "samples", "scenarios")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of a resolved scenario's canonical JSON, as 64 hex digits.

    Examples
    --------
    >>> import projection
    >>> from projection.io.metadata import scenario_hash
    >>> a = projection.load_scenario("scenarios/paper-targets.yaml")
    >>> b = a.with_overrides({"name": "other"})
    >>> len(scenario_hash(a)), scenario_hash(a) == scenario_hash(b)
    (64, False)
    """
    text = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_metadata(results: Sequence[Any]) -> dict[str, Any]:
    """Metadata of one run of one or more scenarios.

    Parameters
    ----------
    results : sequence of Result
        What :func:`projection.run` returned for each scenario of the run.

    Returns
    -------
    dict
        ``projection_version``; ``seed``, ``sampler`` and ``samples`` (``None``, ``None`` and
        ``0`` for a deterministic run; when scenarios were run with different settings, the
        per-scenario entries say which); ``scenarios``: one ``{"name", "sha256", "seed",
        "sampler", "samples"}`` per result, in order. Every value is JSON-serialisable.

    Examples
    --------
    >>> import projection
    >>> from projection.io.metadata import run_metadata
    >>> e = projection.run("scenarios/baseline.yaml", samples=100, seed=7)
    >>> m = run_metadata([e])
    >>> m["seed"], m["sampler"], m["samples"], m["scenarios"][0]["name"]
    (7, 'lhs', 100, 'baseline')
    """
    from .. import __version__

    entries = []
    for r in results:
        n = int(r.samples)
        entries.append(
            {
                "name": r.scenario.name,
                "sha256": scenario_hash(r.scenario),
                "seed": r.seed if n else None,
                "sampler": r.sampler if n else None,
                "samples": n,
            }
        )

    def common(key: str) -> Any:
        values = {json.dumps(e[key]) for e in entries}
        return entries[0][key] if len(values) == 1 else None

    return {
        "projection_version": __version__,
        "seed": common("seed") if entries else None,
        "sampler": common("sampler") if entries else None,
        "samples": common("samples") if entries else 0,
        "scenarios": entries,
    }
