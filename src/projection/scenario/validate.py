"""Loading a scenario: read the file, check structure and meaning, locate the first problem.

:func:`load_scenario` reads a file (or takes a mapping), resolves ``extends``
(:mod:`projection.scenario.loading`), refuses text holding control characters, validates
structure with pydantic (``extra="forbid"``: unknown keys are errors) and then meaning
(:mod:`projection.scenario.checks`), evaluates the scenario once at its point values and at the
corners of its distributions (:mod:`projection.engine.probe`: what a run would refuse is
refused here), and reports the first problem as a
:class:`~projection.exceptions.ScenarioError` that names the file, line, column and dotted
field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..exceptions import ScenarioError
from ..text import printable, unsafe_character
from . import catalog
from .checks import check
from .errors import from_pydantic
from .loading import Document, load_document
from .model import Scenario, split_path

__all__ = ["load_scenario", "validate_document"]


def load_scenario(source: str | Path | Mapping[str, Any] | Scenario) -> Scenario:
    """Read, merge and validate a scenario.

    Parameters
    ----------
    source : str, Path, mapping or Scenario
        A YAML/TOML file, a mapping with the same structure, or a Scenario (returned as is).
        A bare name such as ``"paper-targets"``, when no file of that name exists, is the
        shipped scenario of that name (see :mod:`projection.scenario.catalog`).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        With ``file``, ``line``, ``col`` and ``path`` set as far as they are known.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, str | Path) and not Path(source).exists():
        if catalog.is_name(str(source)):
            source = catalog.find(str(source))
    doc = load_document(source)
    if doc.file is not None and "name" not in doc.data:
        doc.data["name"] = printable(Path(doc.file).stem)
    return validate_document(doc)


def validate_document(doc: Document) -> Scenario:
    """A scenario from a document read by :mod:`projection.scenario.loading`, checked."""
    _check_text(doc, doc.data, ())
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as err:
        raise from_pydantic(err, doc) from None
    scenario._document = doc
    try:
        check(scenario)
        # what the engine refuses when the numbers meet (engine.probe): run it once, at the
        # point values and at the corners of the distributions
        from ..engine.probe import probe

        probe(scenario)
    except ScenarioError as err:
        path = tuple(split_path(err.path)) if err.path else ()
        pos = doc.locate(path)
        if pos and not err.line:
            raise err.located(file=pos[0], line=pos[1], col=pos[2]) from None
        raise err.located(file=doc.file) from None
    return scenario


def _check_text(doc: Document, data: Any, path: tuple) -> None:
    """Refuse a key or a text holding a control character (see
    :func:`projection.text.unsafe_character`): a scenario's names, descriptions and sources are
    printed and written to files, where an escape sequence could clear a terminal, retitle a
    window or hide a line. Checked on the whole document, overrides included, before anything
    else reads it."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str):
                _refuse_unsafe(doc, key, path + (key,), "name")
            _check_text(doc, value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_text(doc, value, path + (i,))
    elif isinstance(data, str):
        _refuse_unsafe(doc, data, path, "text")


def _refuse_unsafe(doc: Document, text: str, path: tuple, what: str) -> None:
    found = unsafe_character(text)
    if found is not None:
        i, c = found
        raise doc.error(
            f"{what} holds the control character U+{ord(c):04X} ({printable(c)}) at character "
            f"{i + 1} (expected printable text: control characters could rewrite the terminal "
            "or hide text in the files written)",
            path,
        )
