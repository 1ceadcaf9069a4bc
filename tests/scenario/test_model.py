"""Scenario files: loading, validation errors with file and place, `extends`, overrides."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import projection
from projection import ScenarioError, UnitError, load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_mapping_loads_and_orders_indicators(mini):
    s = load_scenario(mini)
    assert s.name == "mini"
    assert s.years[0] == 2025 and s.years[-1] == 2035 and len(s.years) == 11
    assert set(s.order) == {"share", "cap"}
    assert s.targets["T1"].required("%") == pytest.approx(30.0)


def test_quantity_strings_and_units_convert(mini):
    s = load_scenario(mini)
    resolved = s.indicators["cap"].resolved()
    # "1 Tbps" and 4 Tbps are converted into the indicator's unit, Gbps
    assert resolved["milestone_values"] == [1000.0, 4000.0]
    assert resolved["start"] == 450.0


def test_toml_is_read_like_yaml(tmp_path, mini):
    toml = textwrap.dedent(
        """
        name = "t"
        [horizon]
        start = 2025
        end = 2030
        [indicators.x]
        unit = "GW"
        model = "linear"
        [indicators.x.params.start]
        value = 39
        source = "paper, Analysis I, line 159"
        [indicators.x.params.slope]
        value = "16.5 GW/yr"
        source = "paper, Analysis I, line 159"
        """
    )
    path = tmp_path / "t.toml"
    path.write_text(toml)
    p = projection.run(path)
    assert p.value("x", 2030) == pytest.approx(39 + 5 * 16.5)


def _error(path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def test_misspelt_key_names_file_line_and_suggests(write):
    path = write(
        "bad.yaml",
        textwrap.dedent(
            """\
            name: bad
            horizon: {start: 2025, end: 2030}
            indicators:
              x:
                unit: GW
                model: logistic
                params:
                  start: {value: 1, source: "assumption: t"}
                  cieling: {value: 10, source: "assumption: t"}
                  rate: {value: 0.1, source: "assumption: t"}
            """
        ),
    )
    err = _error(path)
    assert err.file == str(path)
    assert err.line == 9
    assert err.path == "indicators.x.params.cieling"
    assert "did you mean 'ceiling'" in str(err)
    assert str(err).startswith(f"{path}:9:")


def test_unknown_top_level_key_suggests(write):
    path = write("b.yaml", "name: b\nhorizon: {start: 2025, end: 2030}\nindicator: {}\n")
    err = _error(path)
    assert "unknown key 'indicator'" in str(err) and "did you mean 'indicators'" in str(err)
    assert err.line == 3


def test_wrong_unit_for_indicator(write):
    path = write(
        "u.yaml",
        textwrap.dedent(
            """\
            name: u
            horizon: {start: 2025, end: 2030}
            indicators:
              share:
                unit: "%"
                model: linear
                params:
                  start: {value: 450, unit: Gbps, source: "assumption: t"}
                  slope: {value: 1, unit: "%/yr", source: "assumption: t"}
            """
        ),
    )
    err = _error(path)
    assert isinstance(err, UnitError)
    assert err.line == 8 and err.path == "indicators.share.params.start"
    assert "does not fit" in str(err)


def test_unparseable_unit(mini):
    mini["indicators"]["cap"]["unit"] = "Gbpz"
    with pytest.raises(UnitError, match="cannot parse unit 'Gbpz'"):
        load_scenario(mini)


def test_share_above_100_percent_is_refused(mini):
    mini["indicators"]["share"]["params"]["ceiling"]["value"] = 120
    with pytest.raises(ScenarioError, match="between 0 and 100 %"):
        load_scenario(mini)


def test_ceiling_below_start_is_refused(mini):
    mini["indicators"]["share"]["params"]["ceiling"]["value"] = 1
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini)
    assert "indicators.share.params" in (info.value.path or "")


@pytest.mark.parametrize(
    "horizon, message",
    [
        ({"start": 2030, "end": 2025}, "before start"),
        ({"start": 2025, "end": 2030, "step": 0}, "positive"),
    ],
)
def test_bad_horizon(mini, horizon, message):
    mini["horizon"] = horizon
    with pytest.raises(ScenarioError, match=message):
        load_scenario(mini)


def test_target_on_unknown_indicator(mini):
    mini["targets"]["T1"]["indicator"] = "shar"
    with pytest.raises(ScenarioError, match="did you mean 'share'"):
        load_scenario(mini)


def test_target_unit_must_fit(mini):
    mini["targets"]["T1"]["at_least"] = "30 GW"
    with pytest.raises(UnitError):
        load_scenario(mini)


def test_unknown_family_lists_valid_ones(mini):
    mini["indicators"]["share"]["model"] = "logistc"
    with pytest.raises(ScenarioError, match="did you mean 'logistic'") as info:
        load_scenario(mini)
    assert "gompertz" in str(info.value)


def test_missing_parameter(mini):
    del mini["indicators"]["share"]["params"]["rate"]
    with pytest.raises(ScenarioError, match="missing parameter 'rate'"):
        load_scenario(mini)


def test_source_is_required(mini):
    del mini["indicators"]["share"]["params"]["rate"]["source"]
    with pytest.raises(ScenarioError, match="source"):
        load_scenario(mini)


def test_duplicate_keys_are_caught(write):
    path = write(
        "dup.yaml",
        "name: d\nhorizon: {start: 2025, end: 2030}\nindicators:\n  x: {unit: GW, model: linear}\n  x: {unit: GW, model: linear}\n",
    )
    err = _error(path)
    assert "duplicate key 'x'" in str(err) and err.line == 5


def test_python_tags_are_refused_and_not_run(write, tmp_path):
    marker = tmp_path / "pwned"
    path = write("evil.yaml", f"name: !!python/object/apply:os.system ['touch {marker}']\n")
    err = _error(path)
    assert "not allowed" in str(err)
    assert not marker.exists()


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file(write, text):
    err = _error(write("empty.yaml", text))
    assert "empty scenario file" in str(err)


def test_non_finite_numbers(mini):
    mini["indicators"]["share"]["params"]["rate"]["value"] = float("nan")
    with pytest.raises(ScenarioError, match="non-finite"):
        load_scenario(mini)


def test_binary_and_directory(tmp_path):
    b = tmp_path / "b.yaml"
    b.write_bytes(b"\xff\xfe\x00\x01")
    assert "UTF-8" in str(_error(b))
    assert "directory" in str(_error(tmp_path))
    assert "not found" in str(_error(tmp_path / "missing.yaml"))


def test_extends_merges_deeply_and_relative(write):
    write(
        "common/base.yaml",
        textwrap.dedent(
            """\
            name: base
            horizon: {start: 2025, end: 2030}
            indicators:
              x:
                unit: GW
                model: linear
                params:
                  start: {value: 1, source: "assumption: t"}
                  slope: {value: 1, unit: GW/yr, source: "assumption: t"}
            """
        ),
    )
    child = write(
        "child.yaml",
        "extends: common/base.yaml\nindicators:\n  x:\n    params:\n      slope: {value: 2, unit: GW/yr, source: 'assumption: child'}\n",
    )
    s = load_scenario(child)
    assert s.name == "child"  # not inherited
    assert s.indicators["x"].params["slope"].value == 2
    assert s.indicators["x"].params["start"].value == 1  # inherited
    assert projection.run(s).value("x", 2030) == pytest.approx(11.0)


def test_extends_cycle_and_missing(write):
    write("a.yaml", "extends: b.yaml\nname: a\n")
    b = write("b.yaml", "extends: a.yaml\nname: b\n")
    assert "cycle" in str(_error(b))
    c = write("c.yaml", "extends: nowhere.yaml\nname: c\n")
    err = _error(c)
    assert "does not exist" in str(err) and err.line == 1 and err.path == "extends"


def test_error_in_parent_points_to_parent_file(write):
    write(
        "p.yaml",
        "name: p\nhorizon: {start: 2025, end: 2030}\nindicators:\n  x: {unit: GW, model: lineer}\n",
    )
    c = write("c.yaml", "extends: p.yaml\n")
    err = _error(c)
    assert err.file.endswith("p.yaml") and err.line == 4


def test_with_overrides_returns_new_validated_scenario(mini):
    s = load_scenario(mini)
    s2 = s.with_overrides({"indicators.share.params.rate": 0.9})
    assert s.indicators["share"].params["rate"].value == 0.5  # original untouched
    assert s2.indicators["share"].params["rate"].value == 0.9
    assert s2.indicators["share"].params["rate"].source.startswith("override:")
    # the result moves: a faster rate gives a higher share in 2030
    assert projection.run(s2).value("share", 2030) > projection.run(s).value("share", 2030)


def test_with_overrides_units_and_list_items(mini):
    s = load_scenario(mini).with_overrides(
        {"indicators.cap.params.start": "0.5 Tbps", "indicators.cap.milestones.1.year": 2032}
    )
    assert s.indicators["cap"].resolved()["start"] == 500.0
    assert s.indicators["cap"].milestones[1].year == 2032
    # the year was overridden, not the value: year_source says so, source is untouched
    assert s.indicators["cap"].milestones[1].year_source.startswith("override:")
    assert s.indicators["cap"].milestones[1].source == "assumption: test"


def test_an_override_pins_the_value_in_ensembles_too():
    """`--set` on an uncertain parameter drops its distribution: every member uses the set
    value. Changing a distribution marks the parameter's source as overridden."""
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert s.indicators["ev_sales_share"].params["rate"].distribution is not None
    pinned = s.with_overrides(
        {
            "indicators.ev_sales_share.params.rate": 0.5,
            "indicators.ofc_capacity.milestones.0.year": 2027,
            "indicators.ofc_capacity.milestones.1.value": "5 Tbps",
            "indicators.ev_sales_share.params.ceiling.distribution.upper": 90,
        }
    )
    ind = pinned.indicators
    assert ind["ev_sales_share"].params["rate"].distribution is None
    assert ind["ofc_capacity"].milestones[0].year_distribution is None
    assert ind["ofc_capacity"].milestones[1].distribution is None
    assert ind["ofc_capacity"].milestones[1].year_distribution is not None  # year still open
    ceiling = ind["ev_sales_share"].params["ceiling"]
    assert ceiling.distribution.upper == 90
    assert (
        ceiling.source == "override: indicators.ev_sales_share.params.ceiling.distribution.upper=90"
    )
    e = projection.run(pinned, samples=64, seed=1, keep_samples=True)
    assert "indicators.ev_sales_share.params.rate" not in e.draws
    assert "indicators.ofc_capacity.milestones.0.year" not in e.draws
    assert e.draws["indicators.ev_sales_share.params.ceiling"].max() > 80


def test_with_overrides_bad_path_and_bad_value(mini):
    s = load_scenario(mini)
    with pytest.raises(ScenarioError, match="did you mean 'share'"):
        s.with_overrides({"indicators.shar.params.rate": 1})
    with pytest.raises(ScenarioError):
        s.with_overrides({"indicators.share.params.ceiling": "150 %"})


def test_indicator_order_does_not_matter(mini):
    """Results do not depend on the order of indicators in the file."""
    reordered = dict(mini)
    reordered["indicators"] = dict(reversed(list(mini["indicators"].items())))
    a, b = projection.run(mini), projection.run(reordered)
    for name in a.values:
        assert (a.values[name] == b.values[name]).all()
    assert list(a.values) == list(b.values)


def test_literal_error_points_at_the_field(mini):
    mini["indicators"]["cap"]["interpolation"] = "cubic"
    with pytest.raises(ScenarioError) as info:
        load_scenario(mini)
    assert info.value.path == "indicators.cap.interpolation"
    assert "'step', 'linear' or 'log-linear'" in str(info.value)


def test_milestone_before_base_year(mini):
    mini["indicators"]["cap"]["milestones"][0]["year"] = 2024
    with pytest.raises(ScenarioError, match="after base_year=2025") as info:
        load_scenario(mini)
    assert info.value.path == "indicators.cap.milestones"


def test_bare_number_parameter_asks_for_a_source(mini):
    mini["indicators"]["share"]["params"]["rate"] = 0.5
    with pytest.raises(ScenarioError, match="expected a mapping with `value`, `source`") as info:
        load_scenario(mini)
    assert info.value.path == "indicators.share.params.rate"


def test_empty_source_is_refused(mini):
    mini["indicators"]["cap"]["milestones"][1]["source"] = ""
    with pytest.raises(ScenarioError, match="a source may not be empty") as info:
        load_scenario(mini)
    assert info.value.path == "indicators.cap.milestones.1.source"


def test_a_misspelt_distribution_key_names_the_users_path(write):
    """The path is the file's (no pydantic union tag such as `uniform`), with a suggestion."""
    path = write(
        "d.yaml",
        "name: d\nhorizon: {start: 2025, end: 2030}\nindicators:\n  x:\n    unit: GW\n"
        "    model: linear\n    params:\n"
        "      start: {value: 1, source: 'assumption: t'}\n"
        "      slope: {value: 1, unit: GW/yr, source: 'assumption: t',\n"
        "              distribution: {type: uniform, lower: 0, uper: 2}}\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.path == "indicators.x.params.slope.distribution.uper" and err.line == 10
    assert "did you mean 'upper'?" in str(err) and "median," in str(err)


@pytest.mark.parametrize("key", ["[", "function-after[x]", "a[b]"])
def test_unknown_keys_that_look_like_pydantic_tags(mini, key):
    """A key with brackets is the user's key, named in the message (found by the fuzzer: a
    key "[" once emptied the error's path)."""
    mini[key] = None
    with pytest.raises(ScenarioError, match=f"unknown key {key!r}".replace("[", "\\[")) as info:
        load_scenario(mini)
    assert info.value.path == key
