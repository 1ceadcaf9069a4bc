"""The YAML fast path (libyaml's parser) against the reference loader (pure Python).

``read_yaml`` parses with libyaml when it can and falls back to the reference loader for
anything libyaml or the later checks object to, so that the reference's messages are the ones
users see. These tests pin that the two give the same data and the same positions, and that a
file one of them refuses is refused with the reference's message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from projection.exceptions import ScenarioError
from projection.scenario import formats

ROOT = Path(__file__).resolve().parents[2]
YAML_FILES = sorted(
    p
    for folder in ("scenarios", "docs", "tests/data")
    for p in (ROOT / folder).rglob("*.y*ml")
    if p.suffix in (".yaml", ".yml")
)

pytestmark = pytest.mark.skipif(formats.CParser is None, reason="PyYAML without libyaml")


def _outcome(reader, text: str):
    try:
        doc = reader(text, "f.yaml")
    except ScenarioError as err:
        return ("error", str(err))
    return ("ok", doc.data, doc.positions)


def test_every_yaml_file_in_the_repository_reads_the_same_both_ways():
    """Data and positions (line and column of every field) agree for every YAML file shipped
    or used as a test case, good or bad; a bad one fails with the same message."""
    assert len(YAML_FILES) > 50
    for path in YAML_FILES:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:  # a bad-input case for the file reader, not for YAML
            continue
        fast, reference = (
            _outcome(formats.read_yaml, text),
            _outcome(formats._read_yaml_reference, text),
        )
        assert fast == reference, path


def test_the_fast_parser_is_the_one_used(monkeypatch):
    """A well-formed file never reaches the reference loader (else the speed-up is lost)."""

    def refuse(*args):
        raise AssertionError("reference loader called for a well-formed file")

    monkeypatch.setattr(formats, "_read_yaml_reference", refuse)
    doc = formats.read_yaml((ROOT / "scenarios" / "paper-targets.yaml").read_text(), "p.yaml")
    assert doc.data["name"] == "paper-targets"


_KEYS = st.sampled_from(["a", "b", "ça", "ключ", "x y", "1", "true", "<<", "k"])
_SCALARS = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    st.booleans(),
    st.none(),
)


def _render(value, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        return "".join(
            f"{pad}{key}:\n{_render(v, indent + 1)}"
            if isinstance(v, (dict, list)) and v
            else f"{pad}{key}: {_render(v)}\n"
            for key, v in value.items()
        )
    if isinstance(value, list):
        return "".join(
            f"{pad}-\n{_render(v, indent + 1)}"
            if isinstance(v, (dict, list)) and v
            else f"{pad}- {_render(v)}\n"
            for v in value
        )
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        {True: "true", False: "false", None: "null"}.get(value, repr(value))
        if not isinstance(value, (int, float)) or isinstance(value, bool)
        else repr(value)
    )


_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)


@given(tree=st.dictionaries(_KEYS, _TREES, min_size=1, max_size=4))
@example(tree={"ключ": {"ça": [1, "é"]}, "a": "x"})
def test_generated_documents_read_the_same_both_ways(tree):
    """For any nesting of mappings, lists and scalars (non-ASCII keys and text included, so
    that columns count characters, not bytes), the fast path and the reference loader agree
    on the data and on every position, or refuse with the same message."""
    text = _render(tree)
    assert _outcome(formats.read_yaml, text) == _outcome(formats._read_yaml_reference, text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: [1, 2\n",  # syntax error
        "a: !!python/object:os.system {}\n",  # a tag
        "- 1\n- 2\n",  # not a mapping
        "a: 1\n---\nb: 2\n",  # two documents
        "a: .nan\n",  # not finite
        "a:\n\tb: 1\n",  # a tab as indentation
        "",  # empty
    ],
)
def test_refused_documents_get_the_reference_message(text):
    """Whatever the fast path refuses is read again by the reference loader, whose located
    message is the one raised."""
    fast, reference = (
        _outcome(formats.read_yaml, text),
        _outcome(formats._read_yaml_reference, text),
    )
    assert fast[0] == "error"
    assert fast == reference
