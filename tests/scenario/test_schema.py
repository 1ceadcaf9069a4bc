"""The scenario JSON Schema: generated from the pydantic models, shipped in the package, and
accepting the shipped scenario files while flagging misspelt keys."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from projection.scenario import json_schema

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "scenarios").rglob("*.yaml"))


def test_shipped_schema_is_the_generated_one():
    shipped = json.loads((files("projection") / "data" / "scenario.schema.json").read_text())
    assert shipped == json_schema(), (
        "regenerate: projection schema > src/projection/data/scenario.schema.json"
    )


def test_schema_command_prints_it():
    r = subprocess.run(
        [sys.executable, "-m", "projection", "schema"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and json.loads(r.stdout) == json_schema()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shipped_files_validate(path):
    jsonschema.validate(yaml.safe_load(path.read_text()), json_schema())


def test_misspelt_key_and_wrong_type_are_flagged():
    doc = yaml.safe_load((ROOT / "scenarios" / "common" / "base.yaml").read_text())
    validator = jsonschema.Draft202012Validator(json_schema())
    doc["indicators"]["ev_sales_share"]["params"]["rate"]["distribution"]["sdd"] = 1
    doc["horizon"]["start"] = "2025"
    messages = [e.message for e in validator.iter_errors(doc)]
    assert any("2025" in m for m in messages)
    assert len(messages) >= 2


def test_a_file_without_extends_must_have_horizon_and_indicators():
    validator = jsonschema.Draft202012Validator(json_schema())
    assert list(validator.iter_errors({"name": "x"}))
    assert not list(validator.iter_errors({"extends": "common/base.yaml", "name": "x"}))
