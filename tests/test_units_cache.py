"""Unit facts remembered on disk (projection.units_cache): the same answers as pint, bit for
bit; errors never kept; a damaged or unwritable cache is only slower."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import projection
from projection import units, units_cache
from projection.engine.derived import compile_expression
from projection.exceptions import UnitError
from projection.scenario.expressions import parse_expression

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A fresh cache folder, nothing remembered in memory; forgotten again afterwards."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PROJECTION_CACHE_DIR", str(folder))
    units_cache.clear_memory()
    units._share_cap.cache_clear()
    yield folder
    units_cache.clear_memory()
    units._share_cap.cache_clear()


def _forget() -> None:
    """Write what was learnt, then forget it: the next question reads the file."""
    units_cache.clear_memory()
    units._share_cap.cache_clear()


def _fingerprint_of(result) -> dict:
    c = result.compiled
    return {
        "inputs": {p: (i.value, i.factor, i.canonical) for p, i in c.inputs.items()},
        "caps": dict(c.caps),
        "constraints": {k: (v.rhs_factor, v.unit) for k, v in c.constraints.items()},
        "values": {k: v.tobytes() for k, v in result.central.items()},
        "notes": list(result.notes),
        "warnings": result.warnings(),
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_scenario_gives_the_same_bits_from_pint_and_from_the_file(path, cache_dir):
    """Validating, compiling and running a shipped scenario with every unit fact from pint,
    then again with every fact read back from the file, gives the same factors, caps,
    constraint units, values (bit for bit), notes and warnings."""
    cold = projection.run(path)
    _forget()
    (file,) = cache_dir.glob("units-*.json")
    assert json.loads(file.read_text())  # the facts were written
    warm = projection.run(path)
    assert _fingerprint_of(warm) == _fingerprint_of(cold)


def test_a_compiled_expression_read_back_gives_the_same_bits(cache_dir):
    """A derived expression's compiled plan (with its conversion factors) survives the file
    exactly: the same magnitudes, bit for bit, and the same unit."""
    units_map = {"a": "GW", "b": "h", "c": "TWh", "d": "%"}
    expr = parse_expression("min(a * b / c, d) + exp(d) - sqrt(a * a) / a * 1e-3 + clip(d, 0, 1)")
    env = {"a": np.array([1.5, 2.5]), "b": 8760.0, "c": np.array([120.0, 7.0]), "d": 12.0}
    cold = compile_expression(expr, units_map)
    _forget()
    warm = compile_expression(expr, units_map)
    assert warm.unit == cold.unit
    assert warm.root == cold.root  # the same tree, the same factors
    np.testing.assert_array_equal(warm(env), cold(env))


def test_errors_are_raised_every_time_and_never_kept(cache_dir):
    for _ in range(2):
        with pytest.raises(UnitError, match="cannot parse unit"):
            units.dimension_of("qqqx")
        with pytest.raises(UnitError, match="does not fit"):
            units.conversion_factor("GW", "%")
    _forget()
    text = "".join(p.read_text() for p in cache_dir.glob("units-*.json"))
    assert "qqqx" not in text and '"GW","%"' not in text


def test_the_answers_are_pints(cache_dir):
    """What the file holds is what pint says, to the last digit."""
    pairs = [("Tbps", "Gbps"), ("%", ""), ("GW", "MW"), ("TWh", "GWh"), ("1/yr", "1/yr")]
    cold = {p: units.exact_factor(*p) for p in pairs}
    _forget()
    warm = {p: units.exact_factor(*p) for p in pairs}
    assert warm == cold
    ureg = units.registry()
    for (a, b), f in warm.items():
        assert f == float(ureg.Quantity(1.0, units.parse_unit(a)).to(units.parse_unit(b)).m)
    assert units.dimension_of("Gbps") == str(units.parse_unit("Gbps").dimensionality)
    assert units.unit_label("gigawatt / hour") == "GW/h"


@pytest.mark.parametrize("damage", ["{not json", "[1, 2]", '{"x": ' * 1 + "1}", ""])
def test_a_damaged_file_is_ignored(cache_dir, damage):
    units.conversion_factor("Tbps", "Gbps")
    _forget()
    (file,) = cache_dir.glob("units-*.json")
    file.write_text(damage)
    assert units.conversion_factor("Tbps", "Gbps") == 1000.0
    _forget()
    data = json.loads(file.read_text())  # rewritten whole
    assert any("Tbps" in key for key in data)


def test_an_unwritable_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setenv("PROJECTION_CACHE_DIR", str(blocker / "cache"))
    _forget()
    assert projection.run(ROOT / "scenarios" / "paper-targets.yaml").value(
        "ofc_capacity", 2030
    ) == pytest.approx(4000.0)
    _forget()  # flushing fails quietly
    assert not (blocker / "cache").exists()


def test_an_empty_setting_turns_the_disk_cache_off(monkeypatch):
    monkeypatch.setenv("PROJECTION_CACHE_DIR", "")
    _forget()
    assert units_cache.cache_file() is None
    assert units.share_cap("%") == 100.0
    _forget()


def test_the_file_is_named_after_what_the_answers_depend_on(cache_dir, monkeypatch):
    """Other unit definitions, other code (an edit, an upgrade) or another pint: another
    file."""
    first = units_cache.cache_file()
    monkeypatch.setattr(units, "DEFINITIONS", (*units.DEFINITIONS, "widget = 3 * bit"))
    assert units_cache.cache_file() != first
    monkeypatch.undo()
    monkeypatch.setenv("PROJECTION_CACHE_DIR", str(cache_dir))
    assert units_cache.cache_file() == first
    monkeypatch.setattr(units_cache, "_MODULES", (*units_cache._MODULES, "edited.py"))
    assert units_cache.cache_file() != first  # the code that computes answers changed


def test_a_file_too_large_is_started_afresh(cache_dir, monkeypatch):
    monkeypatch.setattr(units_cache, "MAX_ENTRIES", 2)
    for pair in [("Tbps", "Gbps"), ("GW", "MW"), ("TWh", "GWh")]:
        units.conversion_factor(*pair)
    _forget()
    assert units.conversion_factor("GW", "MW") == 1000.0  # the file was refused, pint asked
    assert math.isinf(units.share_cap("GW"))
