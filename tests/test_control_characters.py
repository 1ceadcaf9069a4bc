"""Control characters in a scenario's text never reach a terminal or a file raw.

Names, descriptions, sources and keys of a scenario are printed (``run``, ``targets``, ...) and
written (CSV, IAMC, the HTML report, plots). A scenario's own text is checked once, when it is
validated: a control character (ESC, BEL, CR, a C1 control such as U+009B), a line or paragraph
separator or a bidirectional control is refused with one located line. Text the tool makes
itself from outside (a file's name as a scenario's name, a history file's name, an output
path) is shown escaped (:func:`projection.text.printable`).
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest
from helpers import cli
from hypothesis import given
from hypothesis import strategies as st

import projection
from projection.text import printable, unsafe_character

ESC = "\x1b"
SCENARIO = """\
horizon: {start: 2025, end: 2030}
indicators:
  share:
    unit: "%"
    model: linear
    params:
      start: {value: 2, unit: "%", source: "assumption: test"}
      slope: {value: 1, unit: "%/yr", source: "assumption: test"}
"""


def mapping(description: str) -> dict:
    return {
        "name": "t",
        "description": description,
        "horizon": {"start": 2025, "end": 2030},
        "indicators": {
            "share": {
                "unit": "%",
                "model": "linear",
                "params": {
                    "start": {"value": 2, "unit": "%", "source": "assumption: test"},
                    "slope": {"value": 1, "unit": "%/yr", "source": "assumption: test"},
                },
            }
        },
    }


def is_unsafe(c: str) -> bool:
    return (
        unicodedata.category(c) in ("Cc", "Zl", "Zp")
        or 0x202A <= ord(c) <= 0x202E
        or (0x2066 <= ord(c) <= 0x2069)
    )


@given(st.text())
def test_printable_leaves_no_unsafe_character(text):
    """Whatever the text, what printable() makes of it holds no character that
    unsafe_character() would refuse."""
    assert unsafe_character(printable(text)) is None


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_unsafe_character_finds_the_first_one(text):
    """unsafe_character() names the first control, separator or bidi character of the text
    other than a tab, a line break or the CR of a CR LF, and None when there is none."""
    expected = None
    for i, c in enumerate(text):
        if c in "\t\n" or (c == "\r" and text[i + 1 : i + 2] == "\n"):
            continue
        if is_unsafe(c):
            expected = (i, c)
            break
    assert unsafe_character(text) == expected


@given(st.text(max_size=40))
def test_a_description_is_accepted_exactly_when_it_holds_no_unsafe_character(text):
    """A scenario's description is refused, with a ScenarioError at `description`, exactly when
    it holds a character that must not reach a terminal; otherwise it is kept as written."""
    if unsafe_character(text) is None:
        assert projection.load_scenario(mapping(text)).description == text
    else:
        with pytest.raises(projection.ScenarioError) as info:
            projection.load_scenario(mapping(text))
        assert info.value.path == "description"
        assert "control character" in str(info.value)


def test_an_override_cannot_bring_a_control_character_in(tmp_path):
    (tmp_path / "s.yaml").write_text("name: s\n" + SCENARIO)
    r = cli("run", "s.yaml", "--set", 'description="a\\e[2J"', cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and ESC not in r.stderr
    assert "description: text holds the control character U+001B" in r.stderr


def test_a_file_name_with_an_escape_is_shown_escaped_everywhere(tmp_path):
    """A scenario named after its file, whose name holds ESC: every command's output and every
    file written shows it as ``\\x1b``, never raw."""
    name = f"sce{ESC}[2Jnario"
    (tmp_path / f"{name}.yaml").write_text(SCENARIO)  # no `name:`: named after the file
    file = f"{name}.yaml"
    outputs = {
        "csv": f"out{ESC}.csv",
        "iamc": f"iamc{ESC}.csv",
        "html": f"report{ESC}.html",
    }
    runs = [
        cli("validate", file, cwd=tmp_path),
        cli("run", file, "-o", outputs["csv"], cwd=tmp_path),
        cli(
            "run",
            file,
            "-n",
            "50",
            "--seed",
            "1",
            "-o",
            outputs["iamc"],
            "--layout",
            "iamc",
            cwd=tmp_path,
        ),
        cli("targets", file, cwd=tmp_path),
        cli("report", file, "-o", outputs["html"], cwd=tmp_path),
    ]
    for r in runs:
        assert r.returncode == 0, r.stderr
        assert ESC not in r.stdout + r.stderr, (r.args, r.stdout, r.stderr)
    assert "sce\\x1b[2Jnario" in runs[1].stdout  # the name, escaped, heads the table
    assert "out\\x1b.csv" in runs[1].stdout  # "wrote out\x1b.csv"
    for out in tmp_path.iterdir():
        if out.suffix in (".csv", ".html", ".json"):
            assert ESC not in out.read_text(encoding="utf-8"), out.name
    frame = pd.read_csv(tmp_path / outputs["csv"])  # a plain CSV: no comment lines
    assert set(frame["scenario"]) == {"sce\\x1b[2Jnario"}
