"""The layout shows the design: stages that import only downwards, small modules, a command
line that uses only public names, and each domain fact declared once.

Read from the source (``ast``), not by importing: what is checked is what a newcomer reads.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "projection"
MODULES = sorted(p for p in SRC.rglob("*.py"))

# stages, lowest first: a module imports (at module level) only from its own stage or below
LAYERS = [
    {"exceptions", "text", "validation", "units", "units_bounds", "units_cache", "files", "models"},
    {"scenario"},
    {"engine"},
    {"analysis", "io", "render"},
    {"cli", "__main__"},
]
#: The longest a module may be, in lines.
MAX_LINES = 500


def dotted(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def stage(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # the package itself
    for level, names in enumerate(LAYERS):
        if parts[1] in names:
            return level
    raise AssertionError(f"{module}: in no stage of LAYERS (add it there)")


def imports(path: Path, *, module_level: bool) -> list[tuple[str, list[str]]]:
    """``(imported module, names)`` of every import of a projection module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    nodes = tree.body if module_level else list(ast.walk(tree))
    for node in nodes:
        if module_level and isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks are not run
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] == "projection":
                found.append((target, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "projection":
                    found.append((a.name, []))
    return found


def resolve(target: str, names: list[str]) -> list[str]:
    """The modules an import brings in: ``from projection.engine import compiled`` imports the
    submodule ``projection.engine.compiled``."""
    subs = []
    for n in names:
        candidate = SRC.parent / Path(*f"{target}.{n}".split("."))
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            subs.append(f"{target}.{n}")
    # `from . import sibling` imports the sibling, not the package again
    return subs if names and len(subs) == len(names) else [target, *subs]


def test_stages_import_only_downwards():
    """A module imports, at module level, only modules of its own stage or of a lower one:
    scenario files know nothing of the engine, the engine nothing of rendering, and nothing
    imports the command line."""
    wrong = []
    for path in MODULES:
        me = dotted(path)
        mine = stage(me)
        for target, names in imports(path, module_level=True):
            for module in resolve(target, names):
                theirs = stage(module)
                if mine is not None and theirs is not None and theirs > mine:
                    wrong.append(f"{me} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_nothing_below_the_command_line_imports_it_even_lazily():
    wrong = [
        f"{dotted(p)} imports {t}"
        for p in MODULES
        if stage(dotted(p)) != 4
        for t, _ in imports(p, module_level=False)
        if t.startswith("projection.cli")
    ]
    assert not wrong, "\n".join(wrong)


def test_module_level_imports_have_no_cycles():
    """Following module-level imports from any module never leads back to it."""
    graph = {
        dotted(p): {m for t, n in imports(p, module_level=True) for m in resolve(t, n)}
        for p in MODULES
    }
    # a package's __init__ importing its own submodules is how re-exports work: not a cycle
    # back into the package from those submodules unless they import the package itself

    def visit(node, trail):
        for nxt in sorted(graph.get(node, ())):
            if nxt == trail[0] and not trail[0].startswith(nxt + ".") and len(trail) > 1:
                raise AssertionError(" -> ".join([*trail, nxt]))
            if nxt in trail or nxt not in graph:
                continue
            if nxt.startswith(node + "."):  # a package importing its submodule
                continue
            visit(nxt, [*trail, nxt])

    for start in graph:
        visit(start, [start])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: dotted(p))
def test_no_module_is_long(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{dotted(path)} has {lines} lines (at most {MAX_LINES})"


def test_the_command_line_uses_only_public_names():
    """Every name ``projection.cli`` imports from the library is public: a module without a
    leading underscore anywhere in its path, a name in that module's ``__all__``."""
    import importlib

    wrong = []
    for path in sorted((SRC / "cli").glob("*.py")):
        for target, names in imports(path, module_level=False):
            if target.startswith("projection.cli"):
                continue
            if any(part.startswith("_") for part in target.split(".")):
                wrong.append(f"{dotted(path)}: private module {target}")
                continue
            module = importlib.import_module(target)
            public = set(getattr(module, "__all__", ()))
            for name in names:
                is_module = resolve(target, [name]) == [f"{target}.{name}"]
                private = name.startswith("_") and not name.startswith("__")
                if private or (name not in public and not is_module):
                    wrong.append(f"{dotted(path)}: {target}.{name} is not public")
    assert not wrong, "\n".join(wrong)


# modules that read results: none of them may ask which kind of result it was given
READERS = [
    "engine/targets.py",
    "engine/constraints.py",
    "analysis/compare.py",
    "io/iamc.py",
    "io/metadata.py",
    "io/output.py",
    *(str(p.relative_to(SRC)) for p in sorted((SRC / "render").glob("*.py"))),
    *(str(p.relative_to(SRC)) for p in sorted((SRC / "cli").glob("*.py"))),
]
TYPE_SWITCH = re.compile(
    r"isinstance\([^)]*\b(Projection|Ensemble)\b|hasattr\([^)]*[\"'](bands|median|values|"
    r"violation_share|n|target_met)[\"']"
)


@pytest.mark.parametrize("relative", READERS)
def test_readers_of_results_do_not_switch_on_their_kind(relative):
    """Targets, constraints, plots, the report, exports and the command line use the one
    result interface (``central``, ``bands``, ``samples``, ...), never the result's type."""
    text = (SRC / relative).read_text(encoding="utf-8")
    hits = [m.group(0) for m in TYPE_SWITCH.finditer(text)]
    assert not hits, f"{relative}: {hits}"


FACTS = [
    # (what, pattern, the one module allowed to hold it)
    ("the share cap", r"1(\.0)? / conversion_factor\(", "units.py"),
    ("'did you mean' (difflib)", r"\bdifflib\b", "validation.py"),
    ("the whole-number check", r"isinstance\(\w+, bool\) or not isinstance\(", "validation.py"),
    ("the YAML-boolean refusal", r"YAML reads yes/no/on/off", "validation.py"),
    (
        "the list of distribution types",
        r"\"truncnormal\",\s*\"lognormal\"",
        "scenario/distributions.py",
    ),
    ("a family's cap", r"\"logistic\":\s*\"ceiling\"", "models/"),
]


@pytest.mark.parametrize("what, pattern, home", FACTS, ids=[f[0] for f in FACTS])
def test_each_domain_fact_is_declared_once(what, pattern, home):
    places = [
        str(p.relative_to(SRC))
        for p in MODULES
        if re.search(pattern, p.read_text(encoding="utf-8"))
    ]
    assert all(p.startswith(home) for p in places), (
        f"{what} is written in {places}, not only {home}"
    )
