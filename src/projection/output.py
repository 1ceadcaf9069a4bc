"""Writing results: tidy CSV, Parquet or JSON, chosen by the file extension, written atomically.

Every file is first written to a temporary file in the destination directory and then renamed
into place (:func:`os.replace`, atomic on POSIX and Windows), so an error or Ctrl-C part-way
leaves either the old file or the complete new one, never a half-written one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .exceptions import OutputError

__all__ = [
    "FORMATS",
    "OutputError",
    "check_output_path",
    "check_destination",
    "write_frame",
    "atomic_path",
]

#: Extension -> format name.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".json": "json"}


def check_output_path(path: str | Path) -> str:
    """Check an output path before any work is done; return its format name.

    Raises
    ------
    OutputError
        Unknown extension, a directory that does not exist, or Parquet without pyarrow.
    """
    p = Path(path)
    fmt = check_destination(p, FORMATS, "output format")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OutputError(f"{p}: writing Parquet needs pyarrow (pip install pyarrow)") from None
    return fmt


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
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, _file_mode(target))
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_frame(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a tidy frame to ``path`` in the format its extension names, atomically.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> f = pd.DataFrame({"scenario": ["a"], "indicator": ["x"], "year": [2025], "value": [1.0], "unit": ["GW"]})
    >>> write_frame(f, d / "out.csv").read_text().splitlines()[0]
    'scenario,indicator,year,value,unit'
    """
    fmt = check_output_path(path)
    writers: dict[str, Callable[[Path], None]] = {
        "csv": lambda p: frame.to_csv(p, index=False),
        "parquet": lambda p: frame.to_parquet(p, index=False),
        "json": lambda p: p.write_text(
            json.dumps(json.loads(frame.to_json(orient="records")), indent=1) + "\n",
            encoding="utf-8",
        ),
    }
    with atomic_path(path) as tmp:
        writers[fmt](tmp)
    return Path(path)


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
