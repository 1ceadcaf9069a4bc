"""The shipped scenarios, by name, and the starter file ``projection init`` writes.

The scenarios in the repository's ``scenarios/`` folder are installed with the package (as
``projection/scenarios/``), so ``projection list`` shows them and ``projection run
paper-targets`` runs one from any directory. :func:`projection.load_scenario` takes such a
name wherever it takes a file, when no file of that name exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..exceptions import OutputError, ScenarioError

__all__ = ["ShippedScenario", "scenario_dir", "shipped", "find", "starter", "write_starter"]


@dataclass(frozen=True)
class ShippedScenario:
    """A scenario installed with the package."""

    name: str
    path: Path
    description: str


#: The installed package's folder (what ``importlib.resources.files("projection")`` gives for a
#: package on disk, without importing importlib.resources at start-up).
_PACKAGE = Path(__file__).resolve().parents[1]


def scenario_dir() -> Path:
    """The folder of the shipped scenarios.

    In an installed package it is ``projection/scenarios``; in a source checkout installed in
    development mode it is the repository's ``scenarios/``.
    """
    installed = _PACKAGE / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "scenarios"


def shipped() -> list[ShippedScenario]:
    """The shipped scenarios, sorted by name (``common/`` holds only their shared base).

    Examples
    --------
    >>> from projection.scenario.catalog import shipped
    >>> [s.name for s in shipped()]
    ['accelerated', 'baseline', 'delayed', 'paper-targets']
    """
    from .loading import load_document

    out = []
    for path in sorted(scenario_dir().glob("*.yaml")):
        description = str(load_document(path).data.get("description") or "").strip()
        first = description.splitlines()[0] if description else ""
        out.append(ShippedScenario(path.stem, path, first))
    return out


def is_name(text: str) -> bool:
    """Whether ``text`` looks like a bare scenario name (no folder, no extension)."""
    return bool(text) and "/" not in text and "\\" not in text and "." not in text


def find(name: str) -> Path:
    """The file of the shipped scenario ``name``.

    Raises
    ------
    ScenarioError
        No shipped scenario has that name; the message lists those that do.
    """
    path = scenario_dir() / f"{name}.yaml"
    if is_name(name) and path.is_file():
        return path
    names = ", ".join(p.stem for p in sorted(scenario_dir().glob("*.yaml")))
    raise ScenarioError(
        f"no such file, and no shipped scenario of that name (shipped: {names}; "
        "`projection list` shows them)",
        file=name,
    )


def starter(name: str) -> str:
    """The text of a commented starter scenario called ``name``.

    Examples
    --------
    >>> "name: my-scenario" in starter("my-scenario")
    True
    """
    template = (_PACKAGE / "data" / "starter.yaml").read_text("utf-8")
    return template.replace("{name}", name)


def write_starter(name: str, path: str | Path | None = None, *, force: bool = False) -> Path:
    """Write :func:`starter` to ``path`` (default ``NAME.yaml``), atomically.

    ``name`` may also be the file to write (``my-scenario.yaml``): the scenario is then named
    after the file's stem.

    Raises
    ------
    OutputError
        The name is not a plain name, the file exists (and ``force`` is false) or its folder
        does not.
    """
    from ..files import atomic_path

    if path is None and Path(name).suffix.lower() in (".yaml", ".yml"):
        # `projection init my-scenario.yaml`: the file to write, named after its stem
        path, name = name, Path(name).stem
    if not name or any(c in name for c in "/\\:") or name.startswith("."):
        raise OutputError(f"{name!r}: a scenario name is a plain word such as 'my-scenario'")
    target = Path(path) if path is not None else Path(f"{name}.yaml")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError(f"{target}: a scenario file ends in .yaml or .yml")
    if target.exists() and not force:
        raise OutputError(f"{target}: already exists (use --force to overwrite it)")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{target}: directory {str(parent)!r} does not exist")
    with atomic_path(target) as tmp:
        tmp.write_text(starter(name), encoding="utf-8")
    return target
