"""Fuzzing: scenario documents and expressions that hypothesis breaks on purpose.

The contract under test: loading anything (a mutated shipped scenario, as a mapping or as a
file; random bytes in a ``.yaml`` or ``.toml`` file) either succeeds, and then running it
succeeds or raises :class:`~projection.ProjectionError`, or raises ``ProjectionError`` with a
non-empty one-line message that names the file when there is one. Never any other exception
(``KeyError``, ``TypeError``, ``ValueError``, ``AttributeError``, ``RecursionError``,
``OverflowError``, a pydantic ``ValidationError``, a YAML error ...), and never a numpy warning.

Expressions are fuzzed on the parser directly as well: hostile text is refused with an
``ExpressionError`` and nothing in it is ever executed (sentinels prove it).

Each property test states its invariant in its docstring.
"""

from __future__ import annotations

import copy
import itertools
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from subprocess import PIPE

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

import projection
from projection import ProjectionError
from projection.exceptions import ExpressionError, ScenarioError
from projection.scenario.expressions import parse_expression
from projection.scenario.loading import load_document
from projection.units import Quantity

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED_FILES = sorted(p.relative_to(SCENARIOS).as_posix() for p in SCENARIOS.glob("*.yaml"))
ALL_FILES = [*SHIPPED_FILES, "common/base.yaml"]
RAW = {name: yaml.safe_load((SCENARIOS / name).read_text(encoding="utf-8")) for name in ALL_FILES}
MERGED = {name: load_document(SCENARIOS / name).data for name in ALL_FILES}

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------------------ strategies

UNITS = [
    "%", "", "GW", "TWh", "Gbps", "Tbps", "1/yr", "%/yr", "GW/yr", "h", "yr", "m", "kg",
    "degC", "delta_degC", "dimensionless", "1", "0", "-1", "2 GW", "GW**2", "GW ** 1e308",
    "1/0", "bit", "bps", "Tbps/yr", "percent", "ppm", "nonsense", "GW GW", "GW/", "/GW", "**",
    "()", "(", "GW)", "__import__('os')", "exp(1)", "1e400 GW", "nan", "inf", "1e-400",
    # bounded before pint sees them (projection.units_bounds): towers, huge exponents, scales
    "GW**9**9**9", "Gbps^9^9^9", "((((9**9)**9)**9)**9)", "%**200", "%**-200", "GW**11",
    "(Ybit/ybit)**7*GW", "Ybit**5/s", "%**10*%**10*%**10*%**10*%**10*%**10", "m²", "9,999",
    "GW" + "*h/h" * 30, "5e GW", "5e", "ppm**-10", "(Ybit/bit)**4*GW",
]  # fmt: skip

HOSTILE = [
    "__import__('os').system('x')",
    "__import__('os').system('touch SENTINEL')",
    "open('SENTINEL', 'w').write('1')",
    'exec(\'open("SENTINEL", "w")\')',
    "eval('1')",
    "globals()",
    "locals()['x']",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.__dict__",
    "x.real",
    "(lambda: 1)()",
    "lambda: open('SENTINEL', 'w')",
    "[open('SENTINEL', 'w') for _ in 'a']",
    "setattr(projection, 'PWNED', 1)",
    "__builtins__",
    "_x",
    "breakpoint()",
    "min(*[1, 2])",
    "max(x=1, y=2)",
    "f'{1}'",
    "'a' * 10 ** 9",
    "10 ** 10 ** 10",
    "9 ** 9 ** 9",
    "10 ** 1e308",
    "x ** 1e308",
    "x ** -1e308",
    "1e309",
    "1" + "0" * 400,
    "(" * 1000 + ")" * 1000,
    "(" * 60 + "x" + ")" * 60,
    "-" * 999 + "x",
    "+".join(["x"] * 300),
    "x if x else x",
    "x := 1",
    "x; x",
    "x\nx",
    "x # comment",
    "\x00",
    "\ufeffx",
    "x\u200b",
    "ｘ",
    "yield x",
    "await x",
    "x[0]",
    "x[::]",
    "{x}",
    "{x: x}",
    "(x, x)",
    "[x]",
    "...",
    "None",
    "True + x",
    "b'x'",
    "1j",
    "x @ x",
    "x // x",
    "x % x",
    "not x",
    "~x",
    "x < x",
    "x and x",
    "log(0)",
    "sqrt(-1)",
    "exp(1000)",
    "clip(x, 1, 0)",
    "min(x)",
    "abs()",
    "max()",
    "foo(x)",
    "x(1)",
    "(x)(1)",
    "min(1, 2)(3)",
]

_NAMES = [
    "x", "y", "ofc_traffic", "ofc_capacity", "solar_capacity", "hours", "capacity_factor",
    "electricity_demand", "__import__", "__class__", "_x", "open", "os", "exp", "log", "min",
    "max", "clip", "sqrt", "abs", "nan", "inf", "None", "True", "lambda", "print",
]  # fmt: skip
_NUMBERS = ["0", "1", "2", "-1", "0.5", "1e308", "1e-308", "5e-324", "1e309", "0x10", "1_0", "08"]
_OPS = ["+", "-", "*", "/", "**", "//", "%", "@", "<", "==", "and", "or", ",", ":=", "|", "^"]


def _grammar():
    atom = st.sampled_from(_NAMES + _NUMBERS)

    def extend(inner):
        return st.one_of(
            st.builds(lambda a: f"({a})", inner),
            st.builds(lambda a, o, b: f"{a} {o} {b}", inner, st.sampled_from(_OPS), inner),
            st.builds(lambda o, a: f"{o}{a}", st.sampled_from(["-", "+", "~", "not "]), inner),
            st.builds(
                lambda f, a: f"{f}({', '.join(a)})",
                st.sampled_from(_NAMES),
                st.lists(inner, max_size=3),
            ),
            st.builds(
                lambda a, n: f"{a}.{n}",
                inner,
                st.sampled_from(["real", "__class__", "__dict__", "system", "x"]),
            ),
            st.builds(lambda a, b: f"{a}[{b}]", inner, inner),
            st.builds(lambda a: f"lambda: {a}", inner),
            st.builds(lambda a: f"[{a} for x in y]", inner),
        )

    return st.recursive(atom, extend, max_leaves=12)


EXPRESSIONS = st.one_of(
    st.sampled_from(HOSTILE),
    _grammar(),
    st.text(max_size=60),
    st.text(alphabet="xy()+-*/ .,_0123456789e", max_size=40),
)

SPECIAL_NUMBERS = [
    10**400, -(10**400), 2**63, 2**64, -1, 0, -0.0, 1e308, -1e308, 5e-324, 1e150, 1e151,
    float("nan"), float("inf"), float("-inf"), 999999, -2025,
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(SPECIAL_NUMBERS),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(UNITS),
    EXPRESSIONS,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8) | st.integers(-3, 3), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, path=()):
    """Every path into ``node``: (path, is_dict) for the node itself and all its children."""
    yield path, isinstance(node, dict)
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, path + (i,))


def _get(node, path):
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated(draw, doc: dict, max_mutations: int = 3) -> dict:
    """``doc`` with 1..max_mutations random edits: a key deleted, a value replaced by another
    type, a random unit, an expression replaced by random text, a random key added."""
    doc = copy.deepcopy(doc)
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = list(_paths(doc))
        kind = draw(st.sampled_from(["delete", "replace", "number", "unit", "expression", "add"]))
        leaves = [p for p, _ in paths if p]
        numbers = [
            p
            for p in leaves
            if isinstance(_get(doc, p), (int, float)) and not isinstance(_get(doc, p), bool)
        ]
        if kind == "number" and numbers:  # another number: the document often stays valid
            path = draw(st.sampled_from(numbers))
            try:
                old = float(_get(doc, path))
            except OverflowError:  # an int such as 10**400 put there by an earlier edit
                old = 1.0
            new = draw(
                st.sampled_from(SPECIAL_NUMBERS)
                | st.floats()
                | st.integers()
                | st.sampled_from([old * 10, old / 10, -old, old + 1, old * 1e100, old * 1e-100])
            )
            _get(doc, path[:-1])[path[-1]] = new
            continue
        dicts = [p for p, is_dict in paths if is_dict]
        if kind in ("delete", "replace") and leaves:
            path = draw(st.sampled_from(leaves))
            parent = _get(doc, path[:-1])
            if kind == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(VALUES)
        elif kind == "unit" and dicts:
            target = _get(doc, draw(st.sampled_from(dicts)))
            target["unit"] = draw(st.sampled_from(UNITS) | st.text(max_size=12))
        elif kind == "expression":
            exprs = [p for p, _ in paths if p and p[-1] == "expression"]
            if exprs:
                path = draw(st.sampled_from(exprs))
                _get(doc, path[:-1])[path[-1]] = draw(EXPRESSIONS)
            elif dicts:
                _get(doc, draw(st.sampled_from(dicts)))["expression"] = draw(EXPRESSIONS)
        elif dicts:
            target = _get(doc, draw(st.sampled_from(dicts)))
            target[draw(st.text(max_size=10) | st.sampled_from(["unit", "value", "source"]))] = (
                draw(VALUES)
            )
    return doc


# ------------------------------------------------------------------------------ the contract


def check_error(err: BaseException, file: Path | None = None) -> None:
    """A ProjectionError with a non-empty one-line message naming the file (when there is
    one)."""
    assert isinstance(err, ProjectionError), f"{type(err).__name__}: {err}"
    message = str(err)
    assert message.strip(), f"empty message from {type(err).__name__}"
    assert len(message.splitlines()) == 1, f"multi-line message: {message!r}"
    if file is not None:
        assert str(file.parent) in message, f"the file is not named: {message}"


def note(text: str) -> None:
    """Count an outcome in hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(text)


def load_and_run(source, file: Path | None = None):
    """Load ``source``; if it validates, run it. Check the contract either way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            scenario = projection.load_scenario(source)
        except ProjectionError as err:
            check_error(err, file)
            note(f"refused: {type(err).__name__}")
            return None
        try:
            result = projection.run(scenario)
        except ProjectionError as err:
            check_error(err)
            note("loaded, run refused")
            return None
        note("loaded and ran")
        for values in result.values.values():
            assert np.all(np.isfinite(values))
        projection.evaluate_targets([result])
        return result


def dump(doc, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def fresh_dir(root: Path) -> Path:
    path = root / f"case{next(_counter)}"
    path.mkdir()
    return path


# ------------------------------------------------------------------------------ (a) mutations


@settings(SETTINGS, max_examples=300)
@given(data=st.data(), name=st.sampled_from(ALL_FILES))
def test_mutated_mapping_loads_or_raises_projection_error(data, name):
    """A shipped scenario (``extends`` resolved) with random edits, passed as a mapping, loads
    and runs or raises a ProjectionError with a one-line message; nothing else escapes."""
    load_and_run(data.draw(mutated(MERGED[name])))


@SETTINGS
@given(data=st.data(), name=st.sampled_from(ALL_FILES))
def test_mutated_file_loads_or_raises_projection_error_naming_it(workdir, data, name):
    """A shipped file with random edits, written as YAML beside an intact copy of the folder
    (so ``extends`` resolves; or a mutated common/base.yaml under an intact child), loads and
    runs or raises a one-line ProjectionError that names a file of the folder."""
    folder = fresh_dir(workdir)
    shutil.copytree(SCENARIOS, folder, dirs_exist_ok=True)
    doc = data.draw(mutated(RAW[name]))
    dump(doc, folder / name)
    load_and_run(folder / name, folder / name)
    if name == "common/base.yaml":  # and through a child that extends it
        load_and_run(folder / "baseline.yaml", folder / "baseline.yaml")


@settings(SETTINGS, max_examples=60)
@given(data=st.data(), name=st.sampled_from(ALL_FILES))
def test_mutated_merged_file_as_yaml(workdir, data, name):
    """The merged mapping, mutated and written as a stand-alone YAML file, loads and runs or
    raises a one-line ProjectionError naming the file."""
    folder = fresh_dir(workdir)
    doc = data.draw(mutated(MERGED[name]))
    dump(doc, folder / "s.yaml")
    load_and_run(folder / "s.yaml", folder / "s.yaml")


EVERY_LEAF_VALUES = [
    10**400, -(10**400), 2**64, float("nan"), float("inf"), None, True, "x", "1e400 GW", [], {},
    [1], {"a": 1}, -1, 0, 1e308, -1e308, "DELETE",
]  # fmt: skip


def test_every_field_replaced_or_deleted():
    """Exhaustively: every field of the merged paper-targets scenario, deleted or replaced by
    each awkward value (huge ints, nan, None, a bool, a string, a list, a mapping ...), loads
    and runs or raises a one-line ProjectionError. (Found: a milestone year of -10**400 raised
    OverflowError, a horizon of 2**63 a numpy cast warning.)"""
    doc = MERGED["paper-targets.yaml"]
    for path, _ in _paths(doc):
        if not path:
            continue
        for value in EVERY_LEAF_VALUES:
            mutant = copy.deepcopy(doc)
            parent = _get(mutant, path[:-1])
            if value == "DELETE":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
            load_and_run(mutant)


@pytest.mark.parametrize(
    "name, text",
    [
        ("big.yaml", "name: x\nhorizon: {start: %s, end: 2030}\n" % ("1" * 5000)),
        ("big.toml", 'name = "x"\n[horizon]\nstart = %s\n' % ("1" * 5000)),
        ("big2.yaml", "name: x\nhorizon: {start: 1%s, end: 2030}\n" % ("0" * 400)),
        ("year.yaml", "name: x\nhorizon: {start: 9223372036854775808, end: 9223372036854775810}\n"),
        ("ctrl.yaml", "name: x\x1f\n"),
    ],
)
def test_huge_integers_and_control_characters_in_files(tmp_path, name, text):
    """Regressions: an integer of more than 4300 digits (ValueError from yaml and tomllib), one
    beyond float range, a year beyond 2**63 and a control character (yaml's ReaderError) are
    all one-line ProjectionErrors naming the file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectionError) as info:
        projection.load_scenario(path)
    check_error(info.value, path)


@pytest.mark.parametrize("key", ["\r", "a\nb", "\x1f", "\u2028", "\x85"])
def test_keys_with_line_breaks_give_one_line_messages(key):
    """Regression: an unknown key holding a carriage return was copied raw into the error's
    field path, splitting the message over two lines."""
    doc = copy.deepcopy(MERGED["baseline.yaml"])
    doc[key] = 1
    with pytest.raises(ProjectionError) as info:
        projection.load_scenario(doc)
    check_error(info.value)
    doc = copy.deepcopy(MERGED["baseline.yaml"])
    doc["indicators"]["ev_sales_share"]["params"][key] = {"value": 1, "source": "x"}
    with pytest.raises(ProjectionError) as info:
        projection.load_scenario(doc)
    check_error(info.value)


# ------------------------------------------------------------------------------ (b) raw text

YAMLISH = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.lists(
        st.sampled_from(
            [
                "name: x\n", "horizon: {start: 2025, end: 2030}\n", "indicators:\n",
                "  a:\n", "    unit: '%'\n", "    model: logistic\n", "    params:\n",
                "      start: {value: 1, source: 'assumption: x'}\n", "extends: x.yaml\n",
                "extends: .\n", "extends: /dev/zero\n", "&a [*a]\n", "!!python/object:os.system\n",
                "a: &x 1\nb: *x\n", "? [1]\n: 1\n", "- 1\n", "---\n", "...\n", "%YAML 1.1\n",
                "a: !!binary aGk=\n", "a: !!timestamp 2001-12-14\n", "a: .nan\n", "a: 1e400\n",
                "\t", ":", "{", "[", "'", '"', "\\", "\x00", "\ufeff", "  ", "\n", "#",
            ]
        ),
        max_size=12,
    ).map("".join),
)  # fmt: skip

TOMLISH = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                'name = "x"\n', "[horizon]\n", "start = 2025\n", "end = 2030\n",
                "[indicators.a]\n", 'unit = "%"\n', 'model = "linear"\n',
                "[indicators.a.params.start]\n", "value = 1\n", 'source = "assumption: x"\n',
                "value = nan\n", "value = inf\n", "start = 1979-05-27\n", "a = [1, 'x']\n",
                "a.b.c = 1\n", "[[x]]\n", "=", "[", '"', "\x00", "\n", "x = {a = 1}\n",
            ]
        ),
        max_size=12,
    ).map("".join),
)  # fmt: skip


@settings(SETTINGS, max_examples=200)
@given(text=YAMLISH)
@example(text="\x1f")  # regression: yaml's ReaderError escaped from the loader
@example(text="a: 1\nb: x\x85\x1f")
@example(text="a: " + "[" * 500 + "]" * 500)
@example(text="a: &a [" + "*a, " * 50 + "]\n")
@example(text="name: x\nhorizon: {start: 2025, end: 2030}\nindicators: {a: 1}\n")
def test_random_yaml_text(workdir, text):
    """Any text in a .yaml file loads or raises a one-line ProjectionError naming the file."""
    path = fresh_dir(workdir) / "s.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_and_run(path, path)


@settings(SETTINGS, max_examples=150)
@given(text=TOMLISH)
def test_random_toml_text(workdir, text):
    """Any text in a .toml file loads or raises a one-line ProjectionError naming the file."""
    path = fresh_dir(workdir) / "s.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    load_and_run(path, path)


@settings(SETTINGS, max_examples=100)
@given(raw=st.binary(max_size=300))
def test_random_bytes(workdir, raw):
    """Random bytes in a .yaml or .toml file load or raise a ProjectionError naming the file."""
    folder = fresh_dir(workdir)
    for suffix in (".yaml", ".toml"):
        path = folder / f"s{suffix}"
        path.write_bytes(raw)
        load_and_run(path, path)


# ------------------------------------------------------------------------------ (c) expressions


@pytest.fixture(scope="module")
def sentinel_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sentinel")


def _sentinels(text: str, folder: Path) -> tuple[str, Path]:
    target = folder / "SENTINEL"
    return text.replace("SENTINEL", str(target).replace("\\", "/")), target


def _env(names, shape):
    rng = np.random.default_rng(0)
    units = ["GW", "%", "", "TWh", "h"]
    return {
        n: Quantity(rng.uniform(-2, 2, shape), units[i % len(units)])
        for i, n in enumerate(sorted(names))
    }


@settings(SETTINGS, max_examples=300)
@given(text=EXPRESSIONS, shape=st.sampled_from([(), (3,), (2, 3)]))
@example(text="__import__('os').system('touch SENTINEL')", shape=())
@example(text="open('SENTINEL', 'w').write('1')", shape=())
@example(text="setattr(projection, 'PWNED', 1)", shape=())
def test_expression_parser_never_executes_and_raises_expression_error(sentinel_dir, text, shape):
    """Any text given to the expression parser is parsed or refused with an ExpressionError;
    a parsed one evaluates, and computes its unit, or raises a ScenarioError (ExpressionError or
    UnitError). Nothing in the text is ever executed: no sentinel file appears, no attribute
    is set."""
    text, target = _sentinels(text, sentinel_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            expr = parse_expression(text)
        except ExpressionError as err:
            assert str(err).strip()
        else:
            try:
                result = expr.evaluate(_env(expr.names, shape))
                assert np.all(np.isfinite(result.magnitude))
            except ExpressionError as err:
                assert str(err).strip()
            try:
                expr.unit(dict.fromkeys(expr.names, "GW"))
            except ScenarioError as err:
                assert str(err).strip()
    assert not target.exists(), f"{text!r} created a file"
    assert not hasattr(projection, "PWNED")
    assert not hasattr(sys.modules["builtins"], "PWNED")


REFUSED = [t for t in HOSTILE[:18]]  # calls, imports, opens, attributes, lambdas, dunders


@pytest.mark.parametrize("text", REFUSED)
def test_hostile_expressions_are_refused(sentinel_dir, text):
    """Expressions that import, open, exec, reach attributes or define lambdas are refused at
    parse time with an ExpressionError, and nothing runs."""
    text, target = _sentinels(text, sentinel_dir)
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert str(info.value).strip() and "\n" not in str(info.value)
    assert not target.exists()


# ------------------------------------------------------------------------------ the CLI


def _cli_cases() -> list[tuple[str, dict]]:
    """A handful of mutated shipped files, fixed (not drawn), for the real CLI."""
    base = RAW["common/base.yaml"]
    cases = []

    def edit(name, fn):
        doc = copy.deepcopy(RAW[name])
        fn(doc)
        cases.append((name, doc))

    ind = base["indicators"]
    edit("baseline.yaml", lambda d: d.update(horizon={"start": "2025", "end": 2040}))
    edit("baseline.yaml", lambda d: d.update(extends=["common/base.yaml"]))
    edit("common/base.yaml", lambda d: d["indicators"]["ev_sales_share"].pop("params"))
    edit(
        "common/base.yaml",
        lambda d: d["indicators"]["ofc_utilisation"].update(
            expression="__import__('os').system('x')"
        ),
    )
    edit(
        "common/base.yaml",
        lambda d: d["indicators"]["solar_capacity"]["params"]["rate"].update(value=10**400),
    )
    edit("common/base.yaml", lambda d: d["indicators"]["ofc_capacity"].update(unit="nonsense"))
    edit("common/base.yaml", lambda d: d["targets"]["T1"].update(at_least=float("nan")))
    edit("common/base.yaml", lambda d: d.update(indicators=list(ind)))
    edit("paper-targets.yaml", lambda d: d["indicators"]["ofc_capacity"].update(milestones={}))
    edit("delayed.yaml", lambda d: d.update(name="renamed"))  # still valid
    return cases


def test_cli_validate_on_mutated_files(tmp_path):
    """`projection validate` on mutated shipped files exits 0, or 2 with exactly one line on
    stderr; never a traceback."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    procs = []
    for i, (name, doc) in enumerate(_cli_cases()):
        folder = tmp_path / f"c{i}"
        shutil.copytree(SCENARIOS, folder)
        dump(doc, folder / name)
        command = [sys.executable, "-m", "projection", "validate", str(folder / name)]
        procs.append((folder, subprocess.Popen(command, env=env, stdout=PIPE, stderr=PIPE)))
    codes = []
    for folder, proc in procs:  # started together, so the interpreter start-ups overlap
        out, err = (b.decode() for b in proc.communicate(timeout=120))
        assert "Traceback" not in out + err, err
        assert proc.returncode in (0, 2), (folder, proc.returncode, err)
        codes.append(proc.returncode)
        if proc.returncode == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), err
            assert str(folder) in lines[0], lines[0]
    assert 0 in codes and 2 in codes
