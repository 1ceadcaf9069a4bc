"""Reading scenario files (projection.scenario.loading): YAML and TOML with positions, the
safety rules (duplicate keys, tags, non-finite numbers, depth, size) and ``extends``."""

from __future__ import annotations

from pathlib import Path

import pytest

from projection.exceptions import ScenarioError
from projection.scenario.loading import (
    MAX_DEPTH,
    MAX_EXTENDS_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Document,
    dotted,
    load_document,
    merge,
)

YAML = """\
name: located
horizon: {start: 2025, end: 2035}
indicators:
  x:
    unit: GW
    params:
      rate: {value: 0.3, unit: 1/yr, source: "assumption: t"}
      start:
        value: 2
        source: "assumption: t"
targets:
  - id: T1
    year: 2030
"""

TOML = """\
name = "located"

[horizon]
start = 2025
end = 2035

[indicators.x]
unit = "GW"

[indicators.x.params]
rate = { value = 0.3, unit = "1/yr", source = "assumption: t" }
start.value = 2

[[targets]]
id = "T1"

[[targets]]
id = "T2"
"""


def fails(path_or_mapping) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_document(path_or_mapping)
    return info.value


# --------------------------------------------------------------------------- YAML and TOML


def place(text: str, line: int, token: str) -> tuple[int, int]:
    """1-based line and column of the first ``token`` on line ``line`` of ``text``."""
    return line, text.splitlines()[line - 1].index(token) + 1


def test_yaml_data_and_positions(write):
    path = write("s.yaml", YAML)
    doc = load_document(path)
    assert isinstance(doc, Document)
    assert doc.data["indicators"]["x"]["params"]["rate"] == {
        "value": 0.3,
        "unit": "1/yr",
        "source": "assumption: t",
    }
    assert doc.file == str(path) and doc.chain == [str(path)]
    # lines and columns are 1-based and point at the key
    name = str(path)
    assert doc.locate(("indicators", "x", "params", "rate")) == (name, *place(YAML, 7, "rate"))
    assert doc.locate(("indicators", "x", "params", "rate")) == (name, 7, 7)
    assert doc.locate(("indicators", "x", "params", "rate", "unit")) == (
        name,
        *place(YAML, 7, "unit"),
    )
    assert doc.locate(("indicators", "x", "params", "start", "value")) == (
        name,
        *place(YAML, 9, "value"),
    )
    assert doc.locate(("targets", 0, "year")) == (name, *place(YAML, 13, "year"))


def test_locate_falls_back_to_the_nearest_ancestor(write):
    path = write("s.yaml", YAML)
    doc = load_document(path)
    # no such field: the nearest field that exists
    assert doc.locate(("indicators", "x", "params", "rate", "nope", 3)) == (str(path), 7, 7)
    assert doc.locate(("nope",)) == (str(path), 1, 1)  # the document itself
    assert Document(data={}).locate(("a",)) is None


def test_document_error_is_located(write):
    path = write("s.yaml", YAML)
    doc = load_document(path)
    err = doc.error("rate too high", ("indicators", "x", "params", "rate"))
    assert isinstance(err, ScenarioError)
    assert (err.file, err.line, err.col, err.path) == (
        str(path),
        7,
        7,
        "indicators.x.params.rate",
    )
    assert dotted(("targets", 0, "year")) == "targets.0.year"


def test_toml_data_and_positions(write):
    path = write("s.toml", TOML)
    doc = load_document(path)
    assert doc.data["horizon"] == {"start": 2025, "end": 2035}
    assert doc.data["indicators"]["x"]["params"]["start"] == {"value": 2}
    assert [t["id"] for t in doc.data["targets"]] == ["T1", "T2"]
    name = str(path)
    assert doc.locate(("indicators", "x", "params", "rate")) == (name, 11, 1)
    assert doc.locate(("indicators", "x", "params", "rate", "unit")) == (
        name,
        *place(TOML, 11, "unit"),
    )
    assert doc.locate(("horizon", "end")) == (name, 5, 1)
    assert doc.locate(("indicators", "x", "params", "start", "value")) == (name, 12, 1)
    assert doc.locate(("targets", 1, "id")) == (name, 18, 1)


def test_yaml_and_toml_give_the_same_data(write):
    yaml_doc = load_document(write("c.yaml", YAML)).data
    toml_doc = load_document(write("c.toml", TOML)).data
    assert yaml_doc["name"] == toml_doc["name"]
    assert yaml_doc["horizon"] == toml_doc["horizon"]
    assert (
        yaml_doc["indicators"]["x"]["params"]["rate"]
        == (toml_doc["indicators"]["x"]["params"]["rate"])
    )


def test_a_mapping_is_taken_as_is(mini):
    doc = load_document(mini)
    assert doc.data == mini
    assert doc.file is None and doc.positions == {}
    assert doc.locate(("indicators",)) is None


def test_toml_syntax_error_is_located(write):
    err = fails(write("bad.toml", 'name = "a"\nx = = 1\n'))
    assert "TOML syntax error" in err.message
    assert err.line == 2


def test_yaml_syntax_error_is_located(write):
    err = fails(write("bad.yaml", "name: a\nx: [1, 2\ny: 3\n"))
    assert err.message.startswith("YAML:")
    assert err.line is not None and err.line >= 2


# --------------------------------------------------------------------------- safety


def test_duplicate_yaml_key_is_refused_with_the_line_of_the_first(write):
    path = write("dup.yaml", "name: a\nindicators:\n  x: 1\n  y: 2\n  x: 3\n")
    err = fails(path)
    assert "duplicate key 'x'" in err.message
    assert "first defined on line 3" in err.message
    assert (err.line, err.col, err.path) == (5, 3, "indicators.x")


def test_duplicate_top_level_key_is_refused(write):
    err = fails(write("dup.yaml", "name: a\nname: b\n"))
    assert "duplicate key 'name' (first defined on line 1" in err.message
    assert err.line == 2


def test_same_key_in_different_mappings_is_fine(write):
    doc = load_document(write("ok.yaml", "a: {x: 1}\nb: {x: 2}\n"))
    assert doc.data == {"a": {"x": 1}, "b": {"x": 2}}


def test_duplicate_toml_key_is_refused(write):
    err = fails(write("dup.toml", 'name = "a"\n[x]\nb = 1\nb = 2\n'))
    assert err.line == 4


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system {}\n",
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 3\n",
    ],
)
def test_python_and_custom_tags_are_refused(write, text):
    err = fails(write("tag.yaml", text))
    assert "is not allowed" in err.message
    assert (err.line, err.col) == (1, 4)


@pytest.mark.parametrize(
    "text, path, line",
    [
        ("a: 1\nb: .nan\n", "b", 2),
        ("a: 1\nb: .inf\n", "b", 2),
        ("a: 1\nb:\n  c: [1, -.inf]\n", "b.c.1", 3),
        ("a: 1\nb: .NaN\n", "b", 2),
    ],
)
def test_non_finite_yaml_numbers_are_refused(write, text, path, line):
    err = fails(write("nan.yaml", text))
    assert "non-finite number" in err.message
    assert (err.path, err.line) == (path, line)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_non_finite_toml_numbers_are_refused(write, value):
    err = fails(write("nan.toml", f'name = "a"\n[x]\nb = {value}\n'))
    assert "non-finite number" in err.message
    assert (err.path, err.line) == ("x.b", 3)


def test_non_finite_numbers_in_a_mapping_are_refused():
    err = fails({"name": "a", "x": {"b": [1.0, float("nan")]}})
    assert err.path == "x.b.1"


def test_a_string_nan_is_only_text(write):
    # quoted, it is a string: the loader does not refuse it (the schema decides later)
    doc = load_document(write("s.yaml", 'a: ".nan"\nb: nan\n'))
    assert doc.data == {"a": ".nan", "b": "nan"}


def nested_mapping(levels: int) -> dict:
    data: object = 1
    for _ in range(levels):
        data = {"a": data}
    return data  # type: ignore[return-value]


def nested_yaml(levels: int) -> str:
    lines = ["  " * i + "a:" for i in range(levels)]
    lines[-1] += " 1"
    return "\n".join(lines) + "\n"


def test_nesting_up_to_max_depth_is_accepted(write):
    assert load_document(nested_mapping(MAX_DEPTH)).data == nested_mapping(MAX_DEPTH)
    assert load_document(write("ok.yaml", nested_yaml(MAX_DEPTH))).data == nested_mapping(MAX_DEPTH)


def test_nesting_deeper_than_max_depth_is_refused(write):
    for err in (
        fails(nested_mapping(MAX_DEPTH + 1)),
        fails(write("deep.yaml", nested_yaml(MAX_DEPTH + 1))),
        fails(write("list.yaml", "a: " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n")),
        fails(write("list.toml", "a = " + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "\n")),
    ):
        assert f"nested deeper than {MAX_DEPTH} levels" in err.message
    # the block mapping's innermost value stands on its last line
    assert fails(write("deep2.yaml", nested_yaml(MAX_DEPTH + 1))).line == MAX_DEPTH + 1


@pytest.mark.parametrize("suffix, key", [(".yaml", "a: "), (".toml", "a = ")])
def test_very_deep_nesting_fails_cleanly(write, suffix, key):
    # far beyond Python's recursion limit: a ScenarioError, never a RecursionError
    err = fails(write("deep" + suffix, key + "[" * 2000 + "1" + "]" * 2000 + "\n"))
    assert "nested deeper" in err.message


def test_billion_laughs_is_refused_without_expanding(write):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    err = fails(write("lol.yaml", "\n".join(lines) + "\n"))
    assert f"more than {MAX_NODES} values" in err.message


def test_aliases_are_plain_data(write):
    text = "base: &b {unit: GW, model: linear}\nx: *b\ny: [*b, *b]\n"
    doc = load_document(write("alias.yaml", text))
    assert doc.data["x"] == {"unit": "GW", "model": "linear"}
    assert doc.data["y"] == [doc.data["x"], doc.data["x"]]


def test_yaml_merge_keys_are_plain_data(write):
    text = "base: &b {unit: GW, model: linear}\nx:\n  <<: *b\n  unit: MW\n"
    doc = load_document(write("merge.yaml", text))
    assert doc.data["x"] == {"unit": "MW", "model": "linear"}


def test_oversized_file_is_refused(write):
    path = write("big.yaml", "a: 1\n" + "#" * MAX_FILE_BYTES + "\n")
    err = fails(path)
    assert f"limited to {MAX_FILE_BYTES} bytes" in err.message


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "empty scenario file"),
        ("# only a comment\n", "empty scenario file"),
        ("- a\n- b\n", "must be a mapping, got list"),
        ("just text\n", "must be a mapping, got str"),
    ],
)
def test_empty_or_non_mapping_yaml_is_refused(write, content, fragment):
    assert fragment in fails(write("e.yaml", content)).message


def test_unreadable_inputs(tmp_path, write):
    assert "file not found" in fails(tmp_path / "missing.yaml").message
    (tmp_path / "dir.yaml").mkdir()
    assert "is a directory" in fails(tmp_path / "dir.yaml").message
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"a: 1\nb: \x00\n")
    err = fails(nul)
    assert "NUL" in err.message and err.line == 2
    utf16 = tmp_path / "u16.yaml"
    utf16.write_bytes("a: 1\n".encode("utf-16"))
    assert "UTF-16" in fails(utf16).message
    assert "empty scenario file" in fails(write("e.toml", "# nothing\n")).message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: ü\n".encode())
    assert load_document(path).data == {"name": "ü"}


def test_control_character_is_refused_with_its_place(write):
    err = fails(write("ctl.yaml", "name: a\nb: x\x1by\n"))
    assert "#x001b" in err.message
    assert (err.line, err.col) == (2, 5)


# --------------------------------------------------------------------------- extends

BASE = """\
name: base
description: the base scenario
horizon: {start: 2025, end: 2035, step: 1}
indicators:
  x:
    unit: GW
    model: linear
    params:
      start: {value: 10, unit: GW, distribution: {type: uniform, lower: 8, upper: 12}, source: a}
      slope: {value: 2, unit: GW/yr, source: b}
tags: [a, b]
"""

CHILD = """\
extends: base.yaml
indicators:
  x:
    unit: MW
    params:
      start: {value: 11, source: c}
tags: [c]
"""


def test_extends_merges_onto_the_parent(write):
    write("base.yaml", BASE)
    child = write("child.yaml", CHILD)
    doc = load_document(child)
    x = doc.data["indicators"]["x"]
    # mappings merge key by key: the model comes from the parent, the unit from the child
    assert x["model"] == "linear" and x["unit"] == "MW"
    # a record with a source is replaced whole: no inherited unit or distribution
    assert x["params"]["start"] == {"value": 11, "source": "c"}
    assert x["params"]["slope"] == {"value": 2, "unit": "GW/yr", "source": "b"}
    # lists are replaced whole
    assert doc.data["tags"] == ["c"]
    assert doc.data["horizon"] == {"start": 2025, "end": 2035, "step": 1}
    assert "extends" not in doc.data


def test_name_and_description_are_not_inherited(write):
    write("base.yaml", BASE)
    doc = load_document(write("child.yaml", CHILD))
    assert doc.data["name"] == "child"  # named after its file
    assert "description" not in doc.data
    named = load_document(write("named.yaml", CHILD + "name: mine\ndescription: own\n"))
    assert (named.data["name"], named.data["description"]) == ("mine", "own")


def test_extends_positions_point_into_the_file_that_gave_the_field(write):
    base = write("base.yaml", BASE)
    child = write("child.yaml", CHILD)
    doc = load_document(child)
    assert doc.file == str(child)
    assert [Path(f).name for f in doc.chain] == ["child.yaml", "base.yaml"]
    file, line, _ = doc.locate(("indicators", "x", "params", "slope"))
    assert (Path(file).resolve(), line) == (base.resolve(), 10)
    assert doc.locate(("indicators", "x", "params", "start"))[:2] == (str(child), 6)
    assert doc.locate(("indicators", "x", "unit"))[:2] == (str(child), 4)
    # the parent's name and description are not located either
    assert doc.locate(("description",)) == doc.locate(())


def test_extends_is_relative_to_the_child(write):
    write("common/base.yaml", BASE)
    doc = load_document(write("sub/child.yaml", CHILD.replace("base.yaml", "../common/base.yaml")))
    assert doc.data["indicators"]["x"]["model"] == "linear"


def test_extends_chains_over_several_files(write):
    write("base.yaml", BASE)
    write("middle.yaml", "extends: base.yaml\nname: middle\nhorizon: {end: 2040}\n")
    doc = load_document(write("leaf.yaml", "extends: middle.yaml\nhorizon: {step: 5}\n"))
    assert doc.data["horizon"] == {"start": 2025, "end": 2040, "step": 5}
    assert doc.data["name"] == "leaf"
    assert [Path(f).name for f in doc.chain] == ["leaf.yaml", "middle.yaml", "base.yaml"]


def test_toml_can_extend_yaml(write):
    write("base.yaml", BASE)
    doc = load_document(write("child.toml", 'extends = "base.yaml"\n[horizon]\nend = 2050\n'))
    assert doc.data["horizon"]["end"] == 2050
    assert doc.data["indicators"]["x"]["unit"] == "GW"


def test_a_mapping_extends_relative_to_the_current_directory(tmp_path, monkeypatch, write):
    write("base.yaml", BASE)
    monkeypatch.chdir(tmp_path)
    doc = load_document({"extends": "base.yaml", "name": "m"})
    assert doc.data["name"] == "m"
    assert doc.data["indicators"]["x"]["model"] == "linear"


def test_extends_cycle_is_refused(write):
    write("a.yaml", "extends: b.yaml\n")
    write("b.yaml", "extends: a.yaml\n")
    err = fails(write("start.yaml", "extends: a.yaml\n"))
    assert "`extends` cycle: a.yaml -> b.yaml -> a.yaml" in err.message
    self_err = fails(write("self.yaml", "extends: self.yaml\n"))
    assert "cycle: self.yaml -> self.yaml" in self_err.message
    assert self_err.path == "extends" and self_err.line == 1


@pytest.mark.parametrize(
    "extends, fragment",
    [
        ("missing.yaml", "`extends` file 'missing.yaml' does not exist"),
        ("adir", "`extends` file 'adir' is a directory"),
        ("3", "`extends` must be a file name, got 3"),
        ("''", "`extends` must be a file name"),
        ("[a.yaml]", "`extends` must be a file name"),
    ],
)
def test_bad_extends_is_refused(tmp_path, write, extends, fragment):
    (tmp_path / "adir").mkdir()
    err = fails(write("child.yaml", f"name: c\nextends: {extends}\n"))
    assert fragment in err.message
    assert (err.path, err.line) == ("extends", 2)


def test_a_broken_parent_is_reported_in_the_parent(write):
    parent = write("base.yaml", "name: b\nx: .nan\n")
    err = fails(write("child.yaml", "extends: base.yaml\n"))
    assert Path(err.file).resolve() == parent.resolve()
    assert err.line == 2


def test_extends_chain_depth_is_limited(write):
    for i in range(MAX_EXTENDS_DEPTH + 1):
        write(f"f{i}.yaml", f"extends: f{i + 1}.yaml\n")
    write(f"f{MAX_EXTENDS_DEPTH + 1}.yaml", "name: root\n")
    err = fails(write("start.yaml", "extends: f0.yaml\n"))
    assert f"deeper than {MAX_EXTENDS_DEPTH} files" in err.message
    # a chain within the limit loads
    doc = load_document(write("short.yaml", f"extends: f{MAX_EXTENDS_DEPTH - 3}.yaml\n"))
    assert doc.data["name"] == "short"


# --------------------------------------------------------------------------- merge


def test_merge_examples():
    assert merge({"a": {"x": 1, "y": 2}, "b": [1]}, {"a": {"y": 3}, "b": [2]}) == {
        "a": {"x": 1, "y": 3},
        "b": [2],
    }
    # deep: only the leaf given changes
    assert merge({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"d": 3}}}) == {
        "a": {"b": {"c": 1, "d": 3}}
    }
    # new keys are added
    assert merge({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}
    # a mapping replaces a scalar and a scalar replaces a mapping
    assert merge({"a": 1}, {"a": {"x": 1}}) == {"a": {"x": 1}}
    assert merge({"a": {"x": 1}}, {"a": 2}) == {"a": 2}
    # None is a value like any other
    assert merge({"a": {"x": 1}}, {"a": None}) == {"a": None}


def test_merge_replaces_a_sourced_record_whole():
    base = {"p": {"value": 1, "unit": "GW", "distribution": {"type": "normal"}, "source": "a"}}
    assert merge(base, {"p": {"value": 2, "source": "b"}}) == {"p": {"value": 2, "source": "b"}}
    # a record without a source in the override merges (a partial edit of the mapping)
    assert merge({"p": {"value": 1, "source": "a"}}, {"p": {"value": 2}}) == {
        "p": {"value": 2, "source": "a"}
    }


def test_merge_does_not_change_its_arguments():
    base = {"a": {"x": 1, "y": {"z": 1}}}
    override = {"a": {"y": {"z": 2}}}
    merge(base, override)
    assert base == {"a": {"x": 1, "y": {"z": 1}}}
    assert override == {"a": {"y": {"z": 2}}}
