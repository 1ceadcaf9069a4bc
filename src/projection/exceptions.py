"""Exceptions raised by projection.

The hierarchy is small on purpose::

    ProjectionError                  base of everything the library raises on purpose
    ├── ScenarioError                a scenario file (or mapping) is malformed; carries file, line,
    │   │                            col and the dotted path of the offending field
    │   ├── UnitError                a unit cannot be parsed or does not fit the indicator
    │   └── ExpressionError          a derived expression is unsafe, unknown or cyclic
    ├── ParameterError               a growth-family parameter is outside its domain
    │                                (also a ValueError, so ``except ValueError`` keeps working)
    └── OutputError                  an output file cannot be written there (unknown extension,
                                     missing directory)

Every message has one shape, so the CLI can print it on one line::

    FILE:LINE:COL: path.to.field: what is wrong (what was expected)
"""

from __future__ import annotations

from .text import printable

__all__ = [
    "ProjectionError",
    "ScenarioError",
    "UnitError",
    "ExpressionError",
    "ParameterError",
    "OutputError",
]


class ProjectionError(Exception):
    """Base class of every error projection raises on purpose.

    Its text is always one printable line: control characters from a scenario's text are
    escaped (see :func:`projection.text.printable`).
    """

    def __str__(self) -> str:
        return printable(super().__str__())


class ScenarioError(ProjectionError, ValueError):
    """A scenario file or mapping is malformed.

    Parameters
    ----------
    message : str
        What is wrong, ideally followed by what was expected in parentheses.
    file : str, optional
        The scenario file, when the scenario came from a file.
    line, col : int, optional
        1-based position in ``file`` of the offending field.
    path : str, optional
        Dotted path of the offending field, e.g. ``indicators.ev_sales_share.params.rate``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.path = path
        super().__init__(str(self))

    def located(
        self,
        *,
        file: str | None = None,
        line: int | None = None,
        col: int | None = None,
        path: str | None = None,
    ) -> ScenarioError:
        """Return a copy of this error with missing location fields filled in."""
        new = type(self)(
            self.message,
            file=self.file or file,
            line=self.line or line,
            col=self.col or col,
            path=self.path or path,
        )
        new.__cause__ = self.__cause__ or self
        return new

    def __str__(self) -> str:
        place = ""
        if self.file:
            place = printable(self.file)
            if self.line:
                place += f":{self.line}"
                if self.col:
                    place += f":{self.col}"
            place += ": "
        field = f"{printable(self.path)}: " if self.path else ""
        # file names, keys and values quoted in the message may hold control characters: they
        # are escaped, so the message stays one line and cannot drive a terminal
        return f"{place}{field}{printable(self.message)}"


class UnitError(ScenarioError):
    """A unit cannot be parsed, or does not fit the quantity it is attached to."""


class ExpressionError(ScenarioError):
    """A derived-indicator expression is unsafe, refers to unknown names, or is cyclic."""


class ParameterError(ProjectionError, ValueError):
    """A growth-family parameter is outside its domain.

    Parameters
    ----------
    param : str
        Name of the parameter, e.g. ``"ceiling"``.
    message : str
        What it must be and what it got.
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        self.message = message
        super().__init__(printable(f"{param}: {message}"))


class OutputError(ProjectionError):
    """An output file cannot be written: unknown extension, missing directory, missing extra."""
