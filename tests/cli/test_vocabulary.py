"""The command line speaks one vocabulary, and the behaviours users tripped over stay fixed.

Each test names the symptom it guards against (from the redesign issue).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from helpers import cli

from projection.cli import app

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PAPER = ROOT / "scenarios" / "paper-targets.yaml"
COMMANDS = typer.main.get_command(app).commands


def options(command: str) -> dict[str, object]:
    return {
        opt: p
        for p in COMMANDS[command].params
        for opt in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])
    }


# ---------------------------------------------------------------------------- one vocabulary


def test_format_means_how_results_are_printed_in_every_command():
    """``--format`` is table/csv/json wherever it appears (``run``'s file layout is
    ``--layout``), and no command has another option for it."""
    from projection.cli.options import Format

    for name in COMMANDS:
        opts = options(name)
        if "--format" in opts:
            assert opts["--format"].type_descriptor.annotation is Format, name
    assert {f.value for f in Format} == {"table", "csv", "json"}
    assert "--format" not in options("run") and "--layout" in options("run")


def test_the_output_file_is_output_everywhere():
    for name in COMMANDS:
        assert "--out" not in options(name), name
    for name in ("run", "targets", "check", "compare", "report", "calibrate", "init"):
        assert {"--output", "-o"} <= set(options(name)), name


def test_every_command_that_runs_ensembles_takes_the_same_ensemble_options():
    """Whatever runs a scenario as an ensemble draws, seeds and spreads it the same way."""
    ensemble = {"--samples", "--sampler", "--seed", "--workers", "--scheduler"}
    for name in ("run", "targets", "check", "compare", "report"):
        assert ensemble <= set(options(name)), (name, sorted(ensemble - set(options(name))))


def test_every_command_that_reads_scenario_files_takes_set_and_variant():
    for name in ("run", "targets", "check", "compare", "report", "validate"):
        assert {"--set", "--variant"} <= set(options(name)), name
    out = cli("validate", BASELINE, "--variant", "fast:indicators.ev_sales_share.params.rate=0.7")
    assert out.returncode == 0, out.stderr
    assert "scenario 'baseline'" in out.stdout and "scenario 'fast'" in out.stdout
    assert "1 override" in out.stdout


def test_quiet_is_on_every_command_that_prints_results():
    for name in (
        "run",
        "targets",
        "check",
        "compare",
        "report",
        "solve",
        "sensitivity",
        "calibrate",
        "validate",
        "init",
    ):
        assert {"--quiet", "-q"} <= set(options(name)), name


@pytest.mark.parametrize(
    "args",
    [
        ["run", BASELINE, "--years", "2025:2035:5"],
        ["compare", BASELINE, PAPER, "--years", "2025:2035:5", "-i", "ev_sales_share"],
        ["sensitivity", PAPER, "-i", "ev_sales_share", "--years", "2025:2035:5", "-n", "64"],
    ],
    ids=["run", "compare", "sensitivity"],
)
def test_years_take_one_syntax_in_every_command(args):
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    shown = {int(y) for y in re.findall(r"\b(20\d\d)\b", _years_shown(r.stdout, args[0]))}
    assert shown == {2025, 2030, 2035}, r.stdout


def _years_shown(out: str, command: str) -> str:
    """The line that lists the years asked for: a table's header, or sensitivity's title."""
    if command == "sensitivity":
        return next(line for line in out.splitlines() if line.startswith("parameter"))
    return next(line for line in out.splitlines() if "┃" in line and "2025" in line)


def test_calibrate_takes_the_same_years():
    r = cli(
        "calibrate",
        BASELINE,
        "-i",
        "ev_sales_share",
        "--history",
        ROOT / "data" / "china-nev-sales-share.csv",
        "-p",
        "rate",
        "--years",
        "2015:2020",
    )
    assert r.returncode == 0, r.stderr
    assert "2015-2020" in r.stdout


def test_help_shows_the_dask_extra_and_flags_take_no_value():
    r = cli("run", "--help")
    assert r.returncode == 0
    assert "projection[dask]" in r.stdout
    for flag in ("--quiet", "--keep-samples"):
        line = next(line for line in r.stdout.splitlines() if flag in line)
        assert not re.search(rf"{flag}\s+\S*(BOOL|bool|<)", line), line


def test_usage_mistakes_are_one_line_and_exit_2():
    for args, fragment in (
        (["run", BASELINE, "--sampler", "halton", "-n", "10"], "'halton' is not one of"),
        (["run", BASELINE, "--nope"], "No such option: --nope"),
        (["run", BASELINE, "--years", "2025-2030"], "is not a year"),
    ):
        r = cli(*args)
        assert r.returncode == 2, args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], r.stderr
        assert "Traceback" not in r.stderr


# --------------------------------------------------------------------------------- symptoms


def test_sensitivity_prints_each_note_once():
    r = cli("sensitivity", PAPER, "--target", "T1", "--seed", "1", "-n", "256")
    assert r.returncode == 0, r.stderr
    notes = [line for line in r.stdout.splitlines() if line.startswith("note:")]
    assert notes and len(notes) == len(set(notes))
    assert sum("T1 is met in" in n for n in notes) == 1


def test_a_scenario_is_compared_with_a_variant_of_itself_under_distinct_names(tmp_path):
    out = tmp_path / "cmp.csv"
    r = cli(
        "compare",
        BASELINE,
        "--variant",
        "indicators.ev_sales_share.params.rate=0.7",
        "--variant",
        "slow:indicators.ev_sales_share.params.rate=0.2",
        "-i",
        "ev_sales_share",
        "-o",
        out,
    )
    assert r.returncode == 0, r.stderr
    import pandas as pd

    names = list(dict.fromkeys(pd.read_csv(out)["scenario"]))
    assert names == ["baseline", "baseline with ev_sales_share.rate=0.7", "slow"]


def test_the_same_scenario_twice_is_refused_with_what_to_do():
    r = cli("compare", BASELINE, BASELINE, "-i", "ev_sales_share")
    assert r.returncode == 2
    assert "two scenarios are called 'baseline'" in r.stderr and "--variant" in r.stderr


def test_set_renames_what_it_changes(tmp_path):
    out = tmp_path / "a.csv"
    r = cli("run", BASELINE, "--set", "indicators.ev_sales_share.params.rate=0.7", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert "baseline with ev_sales_share.rate=0.7" in out.read_text()


def test_init_with_a_file_name_writes_that_file(tmp_path):
    r = cli("init", "my-scenario.yaml", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my-scenario.yaml"]
    assert "name: my-scenario\n" in (tmp_path / "my-scenario.yaml").read_text()


def test_a_misspelt_set_path_says_what_there_is(tmp_path):
    r = cli("run", BASELINE, "--set", "indicators.ev_sales_share.params.rte=0.3", "-q")
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"error: {BASELINE}: override 'indicators.ev_sales_share.params.rte'")
    assert "did you mean 'rate'?" in line and "(parameters: start, ceiling, rate)" in line
    r = cli("run", BASELINE, "--set", "indicators.ev_sales_share.params.qq=0.3", "-q")
    assert r.returncode == 2 and "no parameter 'qq' for logistic" in r.stderr


def test_a_misspelt_distribution_type_says_what_there_is(write):
    path = write(
        "unifrom.yaml",
        f"extends: {BASELINE}\nname: u\nindicators:\n  ev_sales_share:\n    params:\n"
        "      rate: {value: 0.35, unit: 1/yr, source: 'assumption: x', "
        "distribution: {type: unifrom, lower: 0.1, upper: 0.5}}\n",
    )
    r = cli("validate", path)
    assert r.returncode == 2
    (line,) = r.stderr.strip().splitlines()
    assert "unknown distribution type 'unifrom', did you mean 'uniform'?" in line
    assert "Input tag" not in line and ":6:" in line


@pytest.mark.parametrize(
    "args",
    [
        ["run", BASELINE],
        ["targets", BASELINE],
        ["check", BASELINE],
        ["compare", BASELINE, PAPER],
        ["solve", BASELINE, "-t", "T1", "-p", "indicators.ev_sales_share.params.rate"],
        ["sensitivity", PAPER, "--target", "T1", "-n", "64"],
        ["validate", BASELINE],
    ],
    ids=lambda a: a[0],
)
def test_quiet_prints_nothing_and_keeps_the_exit_code(args):
    loud, quiet = cli(*args), cli(*args, "--quiet")
    assert loud.stdout.strip() and not quiet.stdout.strip()
    assert quiet.returncode == loud.returncode


def test_report_can_leave_the_figures_out(tmp_path):
    out = tmp_path / "r.html"
    r = cli("report", BASELINE, "-o", out, "--no-figures")
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert 'class="scenario"' in page and "<img" not in page


def test_validate_counts_numbers_by_kind_of_source():
    r = cli(
        "validate",
        ROOT / "scenarios" / "common" / "base.yaml",
        "--set",
        "indicators.ev_sales_share.params.rate=0.5",
    )
    assert r.returncode == 0, r.stderr
    total, kinds = re.search(r"(\d+) numbers: (.*)$", r.stdout.strip()).groups()
    counts = dict(reversed(part.split()) for part in kinds.split(", "))
    assert sum(map(int, counts.values())) == int(total) and "override" in counts


def test_machine_formats_are_valid(tmp_path):
    r = cli(
        "solve", BASELINE, "-t", "T1", "-p", "indicators.ev_sales_share.params.rate", "-f", "json"
    )
    assert r.returncode == 0 and json.loads(r.stdout)["found"] is True
    r = cli(
        "solve", BASELINE, "-t", "T1", "-p", "indicators.ev_sales_share.params.rate", "-f", "csv"
    )
    assert r.returncode == 0 and r.stdout.startswith("target,param,found,value")
