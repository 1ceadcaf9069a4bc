"""Writing files safely (projection.files): atomic replacement and checked destinations."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from projection.exceptions import OutputError
from projection.files import atomic_path, atomic_paths, check_destination, write_text

FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def leftovers(directory: Path, name: str) -> list[str]:
    """Temporary files atomic_path may have left beside ``name``."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(f".{name}."))


def umask() -> int:
    """The process umask (set and restored at once: the tests run in one thread)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- atomic_path


def test_atomic_path_writes_beside_the_target_and_renames_on_success(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp != target
        assert tmp.exists() and not target.exists()  # nothing at the target until the end
        tmp.write_text("a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    assert leftovers(tmp_path, "out.csv") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_atomic_path_leaves_nothing_after_an_exception(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target) as tmp:
            tmp.write_text("half a fi")
            raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_cleans_up_on_keyboard_interrupt(tmp_path):
    # Ctrl-C is a BaseException, not an Exception: it must clean up too
    target = tmp_path / "out.csv"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text("x")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_survives_a_failed_write_unchanged(tmp_path):
    target = tmp_path / "results.json"
    target.write_text('{"old": true}\n')
    before = target.stat()
    with pytest.raises(ValueError):
        with atomic_path(target) as tmp:
            tmp.write_text('{"new": ')
            raise ValueError("serialisation failed")
    assert target.read_text() == '{"old": true}\n'
    assert target.stat().st_ino == before.st_ino  # the very same file, not a copy
    assert leftovers(tmp_path, "results.json") == []


def test_an_existing_file_is_replaced_on_success(tmp_path):
    target = tmp_path / "results.json"
    target.write_text("old")
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert leftovers(tmp_path, "results.json") == []


def test_a_new_file_gets_the_mode_open_would_give(tmp_path):
    target = tmp_path / "new.csv"
    with atomic_path(target) as tmp:
        # the temporary file itself is private (mkstemp makes it 0600)...
        assert stat.S_IMODE(tmp.stat().st_mode) == 0o600
        tmp.write_text("x")
    # ...but the result is what open() would have made: 0666 less the umask
    reference = tmp_path / "reference.csv"
    with open(reference, "w") as f:
        f.write("x")
    expected = stat.S_IMODE(reference.stat().st_mode)
    assert expected == 0o666 & ~umask()
    assert stat.S_IMODE(target.stat().st_mode) == expected


def test_the_mode_follows_the_process_umask(tmp_path):
    old = os.umask(0o077)
    try:
        with atomic_path(tmp_path / "private.csv") as tmp:
            tmp.write_text("x")
        os.umask(0o002)
        with atomic_path(tmp_path / "shared.csv") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "shared.csv").stat().st_mode) == 0o664


def test_an_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_path(target) as tmp:
        tmp.write_text("new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text() == "new"


def test_atomic_path_with_a_relative_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with atomic_path("plain.txt") as tmp:
        assert tmp.parent.resolve() == tmp_path.resolve()
        tmp.write_text("x")
    assert (tmp_path / "plain.txt").read_text() == "x"
    assert leftovers(tmp_path, "plain.txt") == []


# --------------------------------------------------------------------------- atomic_paths


def test_atomic_paths_replaces_files_together(tmp_path):
    meta, data = tmp_path / "r.csv.resource.json", tmp_path / "r.csv"
    with atomic_paths(meta, data) as (tmp_meta, tmp_data):
        assert {tmp_meta.parent, tmp_data.parent} == {tmp_path} and tmp_meta != tmp_data
        assert not meta.exists() and not data.exists()  # nothing in place until the end
        tmp_meta.write_text("{}")
        tmp_data.write_text("a\n1\n")
    assert (meta.read_text(), data.read_text()) == ("{}", "a\n1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.csv.resource.json"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_atomic_paths_keeps_the_old_files_after_an_error(tmp_path, error):
    meta, data = tmp_path / "r.csv.resource.json", tmp_path / "r.csv"
    meta.write_text("old meta")
    data.write_text("old data")
    with pytest.raises(type(error)):
        with atomic_paths(meta, data) as (tmp_meta, tmp_data):
            tmp_meta.write_text("new meta")
            tmp_data.write_text("new da")
            raise error
    assert (meta.read_text(), data.read_text()) == ("old meta", "old data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.csv.resource.json"]


def test_atomic_paths_removes_the_files_renamed_before_a_failed_rename(tmp_path, monkeypatch):
    import projection.files as files

    replace = files.os.replace
    done = []

    def fail_on_second(src, dst):
        if done:
            raise OSError(5, "Input/output error")
        replace(src, dst)
        done.append(dst)

    monkeypatch.setattr(files.os, "replace", fail_on_second)
    with pytest.raises(OSError, match="Input/output"):
        with atomic_paths(tmp_path / "a.json", tmp_path / "a.csv") as (one, two):
            one.write_text("{}")
            two.write_text("x")
    assert list(tmp_path.iterdir()) == []  # neither file, no temporary file


# --------------------------------------------------------------------------- check_destination


@pytest.mark.parametrize("name, fmt", [("a.csv", "csv"), ("b.JSON", "json"), ("c.Xlsx", "xlsx")])
def test_check_destination_returns_the_format(tmp_path, name, fmt):
    assert check_destination(tmp_path / name, FORMATS, "output format") == fmt


def test_check_destination_accepts_a_bare_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert check_destination("out.csv", FORMATS, "output format") == "csv"


@pytest.mark.parametrize("name, shown", [("out.txt", "'.txt'"), ("out", "'(no extension)'")])
def test_check_destination_refuses_an_unknown_extension(tmp_path, name, shown):
    with pytest.raises(OutputError) as info:
        check_destination(tmp_path / name, FORMATS, "output format")
    message = str(info.value)
    assert f"unknown output format {shown}" in message
    assert "(expected one of: .csv, .json, .xlsx)" in message
    assert name in message


def test_check_destination_refuses_a_missing_directory(tmp_path):
    path = tmp_path / "no" / "such" / "out.csv"
    with pytest.raises(OutputError, match="does not exist") as info:
        check_destination(path, FORMATS, "output format")
    assert str(tmp_path / "no" / "such") in str(info.value)
    assert not (tmp_path / "no").exists()  # checking creates nothing


def test_check_destination_refuses_a_directory(tmp_path):
    (tmp_path / "results.csv").mkdir()
    with pytest.raises(OutputError, match="is a directory"):
        check_destination(tmp_path / "results.csv", FORMATS, "output format")


def test_check_destination_checks_the_extension_first(tmp_path):
    # a typo in the extension is reported even when the directory is also missing
    with pytest.raises(OutputError, match="unknown IAMC format '.txt'"):
        check_destination(tmp_path / "missing" / "x.txt", FORMATS, "IAMC format")


# --------------------------------------------------------------------------- write_text


def test_write_text_writes_utf8_and_returns_the_path(tmp_path):
    target = tmp_path / "note.txt"
    got = write_text(str(target), "25 % ± 1 — élan\n")
    assert got == target and isinstance(got, Path)
    assert target.read_bytes() == "25 % ± 1 — élan\n".encode()
    assert leftovers(tmp_path, "note.txt") == []


def test_write_text_replaces_an_existing_file(tmp_path):
    target = tmp_path / "note.txt"
    target.write_text("a much longer old text than the new one")
    write_text(target, "short")
    assert target.read_text() == "short"


def test_write_text_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "note.txt"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_text(target, "lone surrogate \ud800")  # cannot be encoded as UTF-8
    assert target.read_text() == "old"
    assert leftovers(tmp_path, "note.txt") == []
