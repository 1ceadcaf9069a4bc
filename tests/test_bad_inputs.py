"""The bad-input corpus (tests/data/bad/): every malformed input gives one located line.

Each case is a small file; ``tests/data/bad/expected.yaml`` says what its error must contain
(message, and line and dotted path where the place is known). For every case:

* ``projection validate FILE`` and ``projection run FILE`` exit with code 2 and print exactly
  one line on stderr, ``error: FILE:LINE:COL: path: what is wrong (what was expected)``, and no
  traceback; ``projection --debug validate FILE`` shows the traceback;
* ``projection.load_scenario(FILE)`` raises a :class:`~projection.ProjectionError` whose
  ``file``, ``line`` and ``path`` are set;
* the ``history/*.csv`` cases go through ``projection calibrate`` and
  :func:`projection.calibrate.read_history` instead.

A missing file, directories and an oversized file are made here rather than committed.

Speed: the CLI imports numpy, pandas, scipy and pint (about 1.5 s), and there are some 200
commands to run. So the commands run in processes forked from one driver process that has
imported ``projection.cli`` once: each is a real process calling the console script's entry
point (``projection.cli:main``) with its own argv, stdout, stderr and exit status.
``test_forked_cli_matches_the_installed_script`` checks on a sample of cases that this gives
byte for byte what the installed ``projection`` script gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import projection_command

import projection
from projection.analysis.calibrate import read_history
from projection.scenario.loading import MAX_FILE_BYTES, load_document
from projection.text import printable

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
REL = BAD.relative_to(ROOT)  # the CLI runs in ROOT and is given paths relative to it
MANIFEST: dict[str, dict] = load_document(BAD / "expected.yaml").data  # duplicate keys refused
SCENARIOS = sorted(k for k in MANIFEST if not k.startswith("history/"))
HISTORIES = sorted(k for k in MANIFEST if k.startswith("history/"))
CALIBRATE = ["calibrate", str(REL / "support" / "calibrate.yaml"), "-i", "share", "-p", "rate"]
GOOD_HISTORY = str(REL / "support" / "history-ok.csv")

# Inputs made at test time: name -> (argv after `projection`, message, whether to try `run` too)
GENERATED = {
    "missing-file": (["{tmp}/no-such-file.yaml"], "file not found (expected a scenario file"),
    "directory": (["{tmp}/a-directory.yaml"], "is a directory, not a scenario file"),
    "oversized": (["{tmp}/big.yaml"], f"scenario files are limited to {MAX_FILE_BYTES} bytes"),
    # loop-a.yaml -> loop-b.yaml -> loop-a.yaml, as the file given and as a parent in `extends`
    "symlink-loop": (["{tmp}/loop-a.yaml"], "cannot read file (Too many levels of symbolic"),
    "extends-symlink-loop": (
        ["{tmp}/extends-loop.yaml"],
        "`extends` file 'loop-a.yaml' is a symbolic link that leads back to itself",
    ),
}
GENERATED_HISTORY = {
    "history-missing": ("{tmp}/no-such-history.csv", "history file not found"),
    "history-directory": ("{tmp}/a-directory.yaml", "history file is a directory"),
}

DRIVER = r"""
import json, os, sys, traceback
from projection.cli import main

results = []
for argv, out, err in json.load(sys.stdin):
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: one `projection ...` command
        for fd, name in ((1, out), (2, err)):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv = ["projection", *argv]
        code = 0
        try:
            main()
        except SystemExit as stop:  # what the interpreter does with an uncaught exception
            if stop.code is None or isinstance(stop.code, int):
                code = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
                code = 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    results.append(os.waitstatus_to_exitcode(status))
json.dump(results, sys.stdout)
"""


class Result:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = code, stdout, stderr


def run_forked(commands: list[list[str]], workdir: Path) -> list[Result]:
    """Run ``projection ARGS`` for each ARGS, in ROOT, each in a process of its own."""
    jobs = [
        [argv, str(workdir / f"{i}.out"), str(workdir / f"{i}.err")]
        for i, argv in enumerate(commands)
    ]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(jobs),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert done.returncode == 0, done.stderr
    codes = json.loads(done.stdout)
    return [
        Result(code, Path(out).read_text(errors="replace"), Path(err).read_text(errors="replace"))
        for code, (_, out, err) in zip(codes, jobs)
    ]


def run_script(argv: list[str]) -> Result:
    """The installed ``projection`` script (or ``python -m projection``), as tests/helpers.py runs it."""
    cmd = projection_command()
    r = subprocess.run(
        cmd + argv,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "160"},
    )
    return Result(r.returncode, r.stdout, r.stderr)


def scenario_commands(case: str, out: Path | None = None) -> dict[str, list[str]]:
    """The commands run for a scenario case; with ``out``, ``run`` writes there (it must not)."""
    file = str(REL / case)
    written = ["-o", str(out / f"{Path(case).stem}.csv")] if out is not None else []
    return {
        "validate": ["validate", file],
        "run": ["run", file, *written],
        "debug": ["--debug", "validate", file],
    }


def history_commands(case: str, out: Path | None = None) -> dict[str, list[str]]:
    written = ["-o", str(out / f"{Path(case).stem}.yaml")] if out is not None else []
    return {
        "calibrate": [*CALIBRATE, "--history", str(REL / case), *written],
        "debug": ["--debug", *CALIBRATE, "--history", str(REL / case)],
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("generated")
    (tmp / "a-directory.yaml").mkdir()
    (tmp / "big.yaml").write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    (tmp / "loop-a.yaml").symlink_to("loop-b.yaml")
    (tmp / "loop-b.yaml").symlink_to("loop-a.yaml")
    (tmp / "extends-loop.yaml").write_text("name: child\nextends: loop-a.yaml\n")
    return tmp


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Where every `run` and `calibrate` of a bad case is told to write: it must stay empty."""
    return tmp_path_factory.mktemp("outputs")


@pytest.fixture(scope="module")
def results(tmp_path_factory, generated, outputs) -> dict[tuple[str, str], Result]:
    """Every command of every case, run once: ``(case, command) -> Result``."""
    commands: dict[tuple[str, str], list[str]] = {}
    for case in SCENARIOS:
        for command, argv in scenario_commands(case, outputs).items():
            commands[case, command] = argv
    for case in HISTORIES:
        for command, argv in history_commands(case, outputs).items():
            commands[case, command] = argv
    for case, (argv, _) in GENERATED.items():
        args = [a.format(tmp=generated) for a in argv]
        commands[case, "validate"] = ["validate", *args]
        commands[case, "run"] = ["run", *args]
    for case, (history, _) in GENERATED_HISTORY.items():
        commands[case, "calibrate"] = [*CALIBRATE, "--history", history.format(tmp=generated)]
    workdir = tmp_path_factory.mktemp("forked")
    return dict(zip(commands, run_forked(list(commands.values()), workdir)))


def check_one_line(r: Result, *, file: str, message: str, line=None, path=None) -> str:
    """``r`` failed with code 2 and one line ``error: FILE[:LINE[:COL]]: [path: ]...message...``."""
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert r.stdout == "", r.stdout
    assert r.stderr.endswith("\n") and r.stderr.count("\n") == 1, f"not one line: {r.stderr!r}"
    text = r.stderr.rstrip("\n")
    assert text.startswith(f"error: {file}:"), f"does not name {file}: {text}"
    place = text[len(f"error: {file}") :]
    if line is not None:
        assert place.startswith(f":{line}:"), f"not at line {line}: {text}"
    if path is not None:
        assert f": {printable(path)}: " in place, f"does not name {path}: {text}"
    assert message in place, f"{message!r} not in {text}"
    return text


def named_file(case: str) -> str:
    """The file the error must name: the case as the CLI was given it, or a parent file."""
    spec = MANIFEST[case]
    if "file" in spec:  # a parent in `extends`: named by its resolved path
        return str((BAD / spec["file"]).resolve())
    return str(REL / case)


# ----------------------------------------------------------------------------- the corpus


def test_a_refused_input_writes_nothing(results, outputs):
    """`run -o FILE` and `calibrate -o FILE` of every bad case leave no file behind: no
    output, no metadata sidecar, no temporary file."""
    assert {r.returncode for r in results.values()} <= {1, 2}  # they all ran, and failed
    assert sorted(p.name for p in outputs.iterdir()) == []


def test_manifest_names_every_case_and_nothing_else():
    on_disk = {
        p.relative_to(BAD).as_posix()
        for p in BAD.rglob("*")
        if p.is_file() and p.name != "expected.yaml" and "support" not in p.relative_to(BAD).parts
    }
    assert on_disk == set(MANIFEST)
    for case, spec in MANIFEST.items():
        assert isinstance(spec.get("message"), str) and spec["message"], case
        assert set(spec) <= {"message", "line", "path", "file"}, case


def test_support_files_are_valid():
    """The helpers are fine on their own: each case fails for its own reason only."""
    assert projection.load_scenario(BAD / "support" / "base.yaml").name == "base"
    assert projection.load_scenario(BAD / "support" / "calibrate.yaml").name == "calibrate"
    assert len(read_history(BAD / "support" / "history-ok.csv", unit="%")) == 4


# ------------------------------------------------------------------------- scenario files


@pytest.mark.parametrize("case", SCENARIOS)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_gives_one_located_line(results, case, command):
    spec = MANIFEST[case]
    check_one_line(
        results[case, command],
        file=named_file(case),
        message=spec["message"],
        line=spec.get("line"),
        path=spec.get("path"),
    )


@pytest.mark.parametrize("case", SCENARIOS)
def test_debug_shows_the_traceback(results, case):
    r = results[case, "debug"]
    assert r.returncode not in (0, 2), r.stderr
    assert "Traceback (most recent call last)" in r.stderr
    assert MANIFEST[case]["message"] in r.stderr


@pytest.mark.parametrize("case", SCENARIOS)
def test_library_raises_a_located_projection_error(case):
    """Every case is refused with a located ScenarioError, and well within a second: a hang
    guard (pint once took minutes on a unit), not a speed test."""
    spec = MANIFEST[case]
    start = time.monotonic()
    with pytest.raises(projection.ProjectionError) as info:
        projection.load_scenario(BAD / case)
    assert time.monotonic() - start < 1.0
    err = info.value
    assert isinstance(err, projection.ScenarioError), type(err)
    expected_file = BAD / spec.get("file", case)
    assert err.file is not None and Path(err.file).resolve() == expected_file.resolve()
    assert err.line == spec.get("line", err.line), str(err)
    assert err.path == spec.get("path"), str(err)
    assert spec["message"] in str(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize("case", sorted(GENERATED))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_cli_rejects_what_is_not_a_scenario_file(results, generated, case, command):
    argv, message = GENERATED[case]
    check_one_line(results[case, command], file=argv[0].format(tmp=generated), message=message)


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_library_rejects_what_is_not_a_scenario_file(generated, case):
    argv, message = GENERATED[case]
    with pytest.raises(projection.ScenarioError, match=message.split(" (")[0]) as info:
        projection.load_scenario(argv[0].format(tmp=generated))
    assert info.value.file == argv[0].format(tmp=generated)


# -------------------------------------------------------------------------- history files


@pytest.mark.parametrize("case", HISTORIES)
def test_calibrate_gives_one_located_line(results, case):
    spec = MANIFEST[case]
    r = results[case, "calibrate"]
    check_one_line(r, file=str(REL / case), message=spec["message"], line=spec.get("line"))
    if spec.get("line") is not None:  # a CSV line has no column
        assert r.stderr.startswith(f"error: {REL / case}:{spec['line']}: ")


@pytest.mark.parametrize("case", HISTORIES)
def test_calibrate_debug_shows_the_traceback(results, case):
    r = results[case, "debug"]
    assert r.returncode not in (0, 2) and "Traceback (most recent call last)" in r.stderr


@pytest.mark.parametrize("case", HISTORIES)
def test_read_history_raises_a_located_error(case):
    spec = MANIFEST[case]
    with pytest.raises(projection.ScenarioError) as info:
        read_history(BAD / case, unit="%")
    err = info.value
    assert err.file == str(BAD / case)
    assert err.line == spec.get("line")
    assert spec["message"] in str(err) and "\n" not in str(err)


@pytest.mark.parametrize("case", sorted(GENERATED_HISTORY))
def test_calibrate_rejects_a_missing_or_directory_history(results, generated, case):
    history, message = GENERATED_HISTORY[case]
    check_one_line(results[case, "calibrate"], file=history.format(tmp=generated), message=message)


def test_calibrate_works_with_the_good_history(tmp_path):
    """The calibrate command line used above is right: with a good history it succeeds."""
    (r,) = run_forked([[*CALIBRATE, "--history", GOOD_HISTORY]], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "rate" in r.stdout


# ------------------------------------------------------- the forked CLI is the real one

SAMPLE = [
    "yaml-syntax.yaml",
    "binary.yaml",
    "toml-unknown-key.toml",
    "unknown-key-param.yaml",
    "unit-mismatch.yaml",
    "share-above-100-target.yaml",
    "duplicate-indicator.yaml",
    "extends-broken-parent.yaml",
    "expr-cycle.yaml",
    "history/duplicate-year.csv",
]


def test_forked_cli_matches_the_installed_script(results):
    """On a sample of cases, the installed ``projection`` script prints exactly what the
    forked entry point printed, with the same exit code."""
    jobs = []
    for case in SAMPLE:
        if case.startswith("history/"):
            jobs.append(((case, "calibrate"), history_commands(case)["calibrate"]))
        else:
            jobs += [((case, c), scenario_commands(case)[c]) for c in ("validate", "run")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        real = list(pool.map(run_script, [argv for _, argv in jobs]))
    for (key, argv), r in zip(jobs, real):
        forked = results[key]
        assert (r.returncode, r.stdout, r.stderr) == (
            forked.returncode,
            forked.stdout,
            forked.stderr,
        ), argv
