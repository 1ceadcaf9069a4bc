"""Ctrl-C, SIGTERM and SIGKILL during a run: a prompt exit with one line and code 130 (143 for
SIGTERM), and never a partial output file: the old file stays, or the new one is complete."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import projection_command

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def start(*args, cwd):
    cmd = projection_command()
    return subprocess.Popen(
        cmd + [str(a) for a in args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_temp_file(directory: Path, name: str, proc, min_bytes: int = 1) -> Path:
    """Block until the atomic writer's temporary file exists and holds ``min_bytes``."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for tmp in directory.glob(f".{name}.*.tmp"):
            try:
                if tmp.stat().st_size >= min_bytes:
                    return tmp
            except FileNotFoundError:
                pass
        if proc.poll() is not None:
            pytest.fail(f"the run ended before writing: {proc.communicate()}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no temporary output file appeared")


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def start_writing(out: Path):
    """Start a run whose output (every member of 20,000) takes seconds to write; return once
    the first megabyte of it is in the temporary file."""
    proc = start(
        "run", ROOT / "scenarios/baseline.yaml", "-n", "20000", "--seed", "1",
        "--keep-samples", "-w", "1", "-o", out, "-q", cwd=out.parent,
    )  # fmt: skip
    return proc, wait_for_temp_file(out.parent, out.name, proc, min_bytes=1_000_000)


@pytest.fixture
def old_output(tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("old,complete,file\n")
    return out


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_mid_write_keeps_the_old_file(tmp_path, old_output, sig, code):
    """Interrupted while the output is being written: exit code, one line, old file intact,
    temporary file removed."""
    proc, _ = start_writing(old_output)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, (out, err)
    assert err.count("\n") == 1 and err.startswith("error: interrupted"), err
    assert "Traceback" not in err
    assert old_output.read_text() == "old,complete,file\n"
    assert leftovers(tmp_path) == []


def test_sigkill_mid_write_never_leaves_a_partial_file(tmp_path, old_output):
    """SIGKILL cannot be caught: the old file is still whole (only a hidden temporary file,
    never the destination, holds the partial bytes)."""
    proc, tmp = start_writing(old_output)
    proc.kill()
    proc.communicate(timeout=60)
    assert old_output.read_text() == "old,complete,file\n"
    assert tmp.name.startswith(".out.csv.")


def test_ctrl_c_during_a_parallel_ensemble_stops_promptly(tmp_path):
    """Ctrl-C during the computation (2 worker processes, 10^7 members): exit 130 soon after,
    one line, no output file, no worker left running."""
    out = tmp_path / "out.csv"
    proc = start(
        "run",
        ROOT / "scenarios/paper-targets.yaml",
        "-n",
        "10000000",
        "--seed",
        "1",
        "-w",
        "2",
        "-o",
        out,
        cwd=tmp_path,
    )
    time.sleep(3.0)  # imports done, blocks running
    assert proc.poll() is None, proc.communicate()
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and "interrupted (Ctrl-C)" in err
    assert not out.exists() and leftovers(tmp_path) == []
    # a generous bound that only a run that kept going to the end (tens of seconds) breaks
    assert time.monotonic() - sent < 20
    children = subprocess.run(
        ["pgrep", "-f", f"{out}"], capture_output=True, text=True
    ).stdout.split()
    assert children == []
