"""Correlated parameters: a Gaussian copula over some of a scenario's distributions.

Distributions are independent unless the scenario says otherwise::

    correlations:
      parameters: [indicators.ev_sales_share.params.rate, indicators.ev_sales_share.params.ceiling]
      matrix: [[1, -0.8], [-0.8, 1]]
      source: "calibrated: posterior from data/ev.csv ..."

Each listed parameter keeps its own distribution (its marginal); ``matrix`` is the correlation
of their normal scores: an ensemble draws uniform numbers for every input as before, maps the
listed ones to normal scores ``z = ndtri(u)``, correlates them with the Cholesky factor of
``matrix`` and maps them back with ``ndtr`` before each distribution's inverse CDF. That is a
Gaussian copula: rank correlations are kept, the marginals are exactly the distributions
written. ``calibrate --posterior --output`` writes one, from the posterior draws' normal
scores, so the written posterior keeps the correlations between the fitted parameters.

:func:`check_correlations` checks the section's meaning: every listed path is a parameter with a
continuous distribution (not a ``choice``), listed once; the matrix is square, symmetric, has
ones on its diagonal, and is positive definite.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..exceptions import ScenarioError
from ..validation import suggest

__all__ = ["Correlations", "check_correlations", "MAX_CORRELATED"]

#: Most parameters one correlation matrix may list.
MAX_CORRELATED = 50


class Correlations(BaseModel):
    """A Gaussian copula over the listed parameters' distributions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameters: list[str] = Field(
        min_length=2,
        max_length=MAX_CORRELATED,
        description="Dotted paths of parameters with distributions, e.g. indicators.x.params.rate.",
    )
    matrix: list[list[float]] = Field(
        description="Correlations of the parameters' normal scores, in the order listed: "
        "symmetric, ones on the diagonal, positive definite."
    )
    method: Literal["gaussian copula"] = "gaussian copula"
    source: str = Field(min_length=1, description="Where the correlations come from.")


def check_correlations(s: Any) -> None:
    """Refuse a ``correlations`` section whose paths or matrix make no sense (with its path)."""
    c = s.correlations
    if c is None:
        return
    known = []
    for name, ind in s.indicators.items():
        for p, param in (ind.params or {}).items():
            if getattr(param, "distribution", None) is not None:
                known.append(f"indicators.{name}.params.{p}")
    seen: set[str] = set()
    for i, path in enumerate(c.parameters):
        where = f"correlations.parameters.{i}"
        if path in seen:
            raise ScenarioError(f"{path} is listed twice", path=where)
        seen.add(path)
        if path not in known:
            raise ScenarioError(
                f"{path} is not a parameter with a distribution{suggest(path, known)} "
                f"(correlations apply to distributions; with one: {', '.join(known) or 'none'})",
                path=where,
            )
        _, name, _, p = path.split(".")
        if s.indicators[name].params[p].distribution.type == "choice":
            raise ScenarioError(
                f"{path} has a choice distribution: a copula correlates continuous "
                "distributions only",
                path=where,
            )
    k = len(c.parameters)
    m = c.matrix
    if len(m) != k or any(len(row) != k for row in m):
        raise ScenarioError(
            f"matrix must be {k} x {k}, one row and column per parameter listed "
            f"(got {len(m)} rows of {', '.join(str(len(r)) for r in m)})",
            path="correlations.matrix",
        )
    a = np.asarray(m, dtype=float)
    if not np.isfinite(a).all() or np.abs(a).max() > 1:
        raise ScenarioError("correlations must be numbers in [-1, 1]", path="correlations.matrix")
    if not np.allclose(np.diag(a), 1.0, rtol=0, atol=1e-12):
        raise ScenarioError(
            "the diagonal must be 1 (a parameter's correlation with itself)",
            path="correlations.matrix",
        )
    if not np.allclose(a, a.T, rtol=0, atol=1e-9):
        raise ScenarioError(
            "matrix must be symmetric (row i, column j equal to row j, column i)",
            path="correlations.matrix",
        )
    try:
        np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise ScenarioError(
            "matrix is not positive definite: no set of parameters can have these "
            "correlations together (or two are perfectly correlated: keep one)",
            path="correlations.matrix",
        ) from None
