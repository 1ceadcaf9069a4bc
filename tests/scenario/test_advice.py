"""Likely mistakes a valid scenario may hold (projection.scenario.advice): warnings, located
like errors, that say what was probably meant."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import cli
from hypothesis import given
from hypothesis import strategies as st

import projection

ROOT = Path(__file__).resolve().parents[2]

PCT = """\
name: pct
horizon: {{start: 2025, end: 2035}}
indicators:
  ev:
    unit: "{unit}"
    model: logistic
    params:
      start: {{value: 0.5, source: "assumption: test"}}
      ceiling: {{value: {ceiling}, source: "assumption: test"}}
      rate: {{value: 0.5, unit: 1/yr, source: "assumption: test"}}
targets:
  T1: {{indicator: ev, year: 2030, at_least: {target}, source: "assumption: test"}}
"""


def load(tmp_path, unit="%", ceiling="60", target="30"):
    (tmp_path / "s.yaml").write_text(PCT.format(unit=unit, ceiling=ceiling, target=target))
    return projection.load_scenario(tmp_path / "s.yaml")


def test_a_fraction_for_a_percent_target_is_flagged_with_what_was_meant(tmp_path):
    (line,) = load(tmp_path, target="0.3").warnings()
    assert line.startswith(f"{tmp_path / 's.yaml'}:12:")  # located like an error
    assert "targets.T1.at_least: 0.3 on ev, an indicator in %, is read as 0.3 %" in line
    assert "did you mean 30 %?" in line


def test_a_fraction_for_a_ceiling_is_flagged_but_a_small_start_is_not(tmp_path):
    (line,) = load(tmp_path, ceiling="0.6").warnings()
    assert "indicators.ev.params.ceiling: 0.6" in line and "did you mean 60 %?" in line


@pytest.mark.parametrize(
    "unit, ceiling, target",
    [
        ("%", "60", "30"),  # percentages
        ("%", "60", "'0.3 %'"),  # the unit written: 0.3 % is meant
        ("%", "60", "1"),  # 1 % may well be meant
        ("dimensionless", "0.6", "0.3"),  # fractions of a fraction indicator
    ],
)
def test_no_warning_when_the_numbers_say_what_they_mean(tmp_path, unit, ceiling, target):
    assert load(tmp_path, unit=unit, ceiling=ceiling, target=target).warnings() == []


@given(st.floats(min_value=1e-6, max_value=10, allow_nan=False))
def test_a_bare_target_on_a_percent_indicator_is_flagged_exactly_below_1(value):
    """Invariant: a bare target value v on an indicator in % gives one warning, suggesting
    100 v %, exactly when 0 < v < 1."""
    s = projection.load_scenario(
        {
            "name": "t",
            "horizon": {"start": 2025, "end": 2030},
            "indicators": {
                "ev": {
                    "unit": "%",
                    "model": "linear",
                    "params": {
                        "start": {"value": 2, "source": "assumption: x"},
                        "slope": {"value": 1, "source": "assumption: x"},
                    },
                }
            },
            "targets": {
                "T": {"indicator": "ev", "year": 2030, "at_most": value, "source": "assumption: x"}
            },
        }
    )
    warnings = s.warnings()
    if value < 1:
        assert len(warnings) == 1 and f"did you mean {value * 100:.10g} %?" in warnings[0]
    else:
        assert warnings == []


@pytest.mark.parametrize("name", ["baseline", "paper-targets", "accelerated", "delayed"])
def test_the_shipped_scenarios_have_no_warnings(name):
    assert projection.load_scenario(ROOT / "scenarios" / f"{name}.yaml").warnings() == []


def test_the_warning_is_shown_by_validate_run_and_the_report(tmp_path):
    load(tmp_path, target="0.3")
    v = cli("validate", "s.yaml", cwd=tmp_path)
    assert v.returncode == 0 and v.stdout.startswith("ok: s.yaml")
    assert v.stderr.startswith("warning: s.yaml:12:") and "did you mean 30 %?" in v.stderr
    r = cli("run", "s.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "did you mean 30 %?" in r.stderr
    q = cli("validate", "s.yaml", "--quiet", cwd=tmp_path)
    assert q.returncode == 0 and q.stdout == q.stderr == ""  # --quiet: nothing but errors
    rep = cli("report", "s.yaml", "-o", "r.html", "--no-figures", cwd=tmp_path)
    assert rep.returncode == 0, rep.stderr
    assert "did you mean 30 %?" in (tmp_path / "r.html").read_text(encoding="utf-8")
