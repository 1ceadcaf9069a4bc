"""Writing files safely: atomically, to a checked destination.

Every file the tool writes is first written to a temporary file in the destination directory
and then renamed into place (:func:`os.replace`, atomic on POSIX and Windows), so an error or
Ctrl-C part-way leaves either the old file or the complete new one, never a half-written one.
:func:`atomic_paths` does the same for files that belong together (a data file and its
metadata sidecar): all of them are renamed into place, or none is.
:func:`check_destination` checks a destination before any work is done, so a typo costs
nothing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .exceptions import OutputError

__all__ = ["atomic_path", "atomic_paths", "check_destination", "file_sha256", "write_text"]


def check_destination(path: str | Path, formats: Mapping[str, str], what: str) -> str:
    """Check a file to be written: a known extension and an existing directory.

    Returns the format name ``formats`` gives the extension; raises :class:`OutputError`
    naming the path and what was expected.
    """
    p = Path(path)
    fmt = formats.get(p.suffix.lower())
    if fmt is None:
        raise OutputError(
            f"{p}: unknown {what} {p.suffix or '(no extension)'!r} "
            f"(expected one of: {', '.join(sorted(formats))})"
        )
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{p}: directory {str(parent)!r} does not exist")
    if p.is_dir():
        raise OutputError(f"{p}: is a directory (expected a file name)")
    return fmt


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success.

    The new file gets the permissions a plain ``open()`` would give it (an existing file's
    own, else 0o666 less the umask), not the temporary file's 0600.
    """
    with atomic_paths(path) as (tmp,):
        yield tmp


@contextmanager
def atomic_paths(*paths: str | Path) -> Iterator[tuple[Path, ...]]:
    """Yield one temporary path beside each of ``paths``; on success rename each onto its
    path, in the order given.

    Files that belong together are replaced together: an error or Ctrl-C while they are
    written leaves every old file as it was and no temporary file. Should the renaming itself
    fail part-way (a disk error, or Ctrl-C in the microseconds between two renames), the
    files already renamed are removed, so a later file is never left without the earlier
    ones: give a data file last, after its metadata.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_paths(d / "a.json", d / "a.csv") as (meta, data):
    ...     _ = meta.write_text("{}")
    ...     _ = data.write_text("x\\n1\\n")
    >>> sorted(p.name for p in d.iterdir())
    ['a.csv', 'a.json']
    """
    targets = [Path(p) for p in paths]
    tmps: list[Path] = []
    try:
        for target in targets:
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
            )
            os.close(fd)
            tmps.append(Path(tmp))
        yield tuple(tmps)
        for tmp, target in zip(tmps, targets):
            os.chmod(tmp, _file_mode(target))
        done: list[Path] = []
        try:
            for tmp, target in zip(tmps, targets):
                os.replace(tmp, target)
                done.append(target)
        except BaseException:
            for target in done:
                target.unlink(missing_ok=True)
            raise
    except BaseException:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)
        raise


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex (read in blocks of 1 MiB)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``, atomically."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def _file_mode(target: Path) -> int:
    """Mode for the new file: an existing file's, else 0o666 less the process umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        pass
    umask = 0o022
    try:  # Linux: read the umask without changing it (os.umask is not thread-safe)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
                break
    except (OSError, ValueError):
        pass
    return 0o666 & ~umask
