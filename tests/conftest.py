"""Shared fixtures: paths of the repository and a small valid scenario mapping."""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Unit facts are remembered on disk (projection.units_cache): the tests, and the commands they
# start, use a folder of their own, empty when the session starts, never the user's.
os.environ["PROJECTION_CACHE_DIR"] = tempfile.mkdtemp(prefix="projection-test-cache-")
sys.path.insert(0, str(Path(__file__).parent))  # `from helpers import cli` in the tests
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def minimal_mapping() -> dict:
    """A small valid scenario: one logistic share, one staged capacity, one target."""
    return copy.deepcopy(
        {
            "name": "mini",
            "horizon": {"start": 2025, "end": 2035, "step": 1},
            "indicators": {
                "share": {
                    "unit": "%",
                    "model": "logistic",
                    "params": {
                        "start": {"value": 2, "unit": "%", "source": "assumption: test"},
                        "ceiling": {"value": 60, "unit": "%", "source": "assumption: test"},
                        "rate": {"value": 0.5, "unit": "1/yr", "source": "assumption: test"},
                    },
                },
                "cap": {
                    "unit": "Gbps",
                    "model": "staged",
                    "interpolation": "step",
                    "params": {
                        "start": {"value": 450, "unit": "Gbps", "source": "paper, x, line 251"}
                    },
                    "milestones": [
                        {"year": 2027, "value": "1 Tbps", "source": "assumption: test"},
                        {"year": 2030, "value": 4, "unit": "Tbps", "source": "assumption: test"},
                    ],
                },
            },
            "targets": {
                "T1": {
                    "indicator": "share",
                    "year": 2030,
                    "at_least": "30 %",
                    "source": "paper, x, line 155",
                }
            },
        }
    )


@pytest.fixture
def mini() -> dict:
    return minimal_mapping()


@pytest.fixture
def write(tmp_path):
    """Write text to a file in tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


# Hypothesis: CI runs a fixed, derandomised set of examples so that a landing never depends on
# luck; locally each run explores new examples (and replays failures from .hypothesis/).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")
