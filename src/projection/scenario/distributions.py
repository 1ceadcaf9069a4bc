"""Distributions on parameters: the uncertainty a scenario states, and their inverse CDFs.

A parameter may carry a ``distribution`` beside (or instead of) its point ``value``::

    rate:
      value: 0.35                      # the point value a deterministic run uses
      unit: 1/yr
      distribution: {type: truncnormal, mean: 0.35, sd: 0.1, lower: 0.05, upper: 1.0}
      source: "assumption: ..."

Every number of a distribution is in the parameter's unit (its ``unit``, or the family's
default for a bare number). Without a ``value`` the point value is the distribution's median.

======================  ======================================  ===========================
type                    fields                                  scipy.stats
======================  ======================================  ===========================
``uniform``             ``lower < upper``                       ``uniform``
``normal``              ``mean``, ``sd > 0``                    ``norm``
``truncnormal``         ``mean``, ``sd > 0``, ``lower < upper`` ``truncnorm``
``lognormal``           ``median > 0``, ``sigma > 0`` (of log)  ``lognorm(s=sigma,
                                                                scale=median)``
``triangular``          ``lower <= mode <= upper``, lower<upper ``triang``
``beta``                ``alpha > 0``, ``beta > 0``, optional   ``beta`` on [lower, upper]
                        ``lower < upper`` (default 0, 1)
``choice``              ``values`` (distinct), optional         a discrete distribution
                        ``weights`` (>= 0, summing to > 0)
``empirical``           ``quantiles``: values at probabilities  ``rv_histogram`` (equal
                        0, 1/K, ..., 1, not decreasing          mass between knots)
======================  ======================================  ===========================

``empirical`` is how ``calibrate --posterior --output`` writes a posterior: its quantiles, with
linear interpolation between them (the inverse CDF of a histogram of equal-mass bins).

Each model's :meth:`~Distribution.ppf` maps uniform numbers in [0, 1) to values, which is how
every sampler (Monte Carlo, Latin hypercube, Sobol) draws: one policy for all of them.

Drawing
-------
``ppf`` is a direct inverse CDF with :mod:`scipy.special` (``frozen()`` still gives the
scipy.stats distribution of the table, for densities and moments; drawing does not import
scipy.stats). Uniform ``u (upper - lower) + lower``, normal ``ndtri(u) sd + mean``,
lognormal ``exp(sigma ndtri(u)) median``, the triangular's closed form and beta's
``betaincinv`` are the arithmetic scipy.stats itself does: the same values, bit for bit, as
before, for the same seed. The truncated normal has its own inverse (see
``_truncnorm_ppf``: reflected into the lower tail, each quantile solved in its own tail, in
log space beyond 35 sd, narrow windows as a fraction of the window). It is within
``4 eps (|mean| + sd max(1, |a|, |b|))`` of the exact quantile (``a, b`` the bounds in sd
from the mean, ``eps`` = 2.2e-16), for every window the validator accepts, up to
:data:`MAX_TAIL_SD` sd from the mean and down to :data:`MIN_WINDOW_SD` sd wide. That is a few
units in the last place; the shipped scenarios' draws moved by at most 22 of them
(2.4e-15), where scipy.stats' ``truncnorm`` was the less accurate of the two (it is off by up
to 6.8e-11 of the window on ``truncnormal(0.35, 0.1, 0.05, 1)`` at ``u = 1 - 1e-15``, by 2e-4
on a 2e-12 sd wide window). For 10^6 draws the truncated normal's ``ppf`` is 5 to 10
times faster than scipy.stats', the others' 1.6 to 9 times (beta's is as fast: the work
is ``betaincinv``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..validation import refuse_boolean
from .truncnorm import truncnorm_ppf as _truncnorm_ppf

__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "Uniform",
    "Normal",
    "TruncNormal",
    "LogNormal",
    "Triangular",
    "Beta",
    "Choice",
    "Empirical",
]


_U_MIN = 1e-15


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans(cls, data: Any) -> Any:
        """YAML reads ``yes``/``no``/``on``/``off`` as booleans: never take one for 1 or 0."""
        if isinstance(data, dict):
            fields = {i.alias or f for f, i in cls.model_fields.items()}
            for key, value in data.items():
                if key not in fields:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    try:
                        refuse_boolean(v)
                    except ValueError as err:
                        raise ValueError(f"{key}: {err}") from None
        return data

    def frozen(self):  # pragma: no cover - every subclass overrides
        """The equivalent frozen ``scipy.stats`` distribution (for pdf, cdf, moments: the
        draws do not use it)."""
        raise NotImplementedError

    def _ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` (uniform numbers in [0, 1)).

        ``u`` is kept within [1e-15, 1 - 1e-15] so that an unbounded distribution never
        gives an infinite value (a normal's ppf(0) is -inf). The inverse CDF is computed
        directly with :mod:`scipy.special` (see the module's *Drawing*), not through
        ``scipy.stats``.
        """
        u = np.clip(np.asarray(u, dtype=float), _U_MIN, 1.0 - _U_MIN)
        with np.errstate(all="ignore"):
            # a value too large for a float (a lognormal with sigma 1000) comes back as inf,
            # without a warning; the family's domain check then refuses it, by name
            return np.asarray(self._ppf(u), dtype=float)

    def median(self) -> float:
        """The median: the point value when a parameter gives no ``value``."""
        return float(self.ppf(np.array(0.5)))

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can give (from its fields: checking a
        scenario needs no scipy)."""
        return float(getattr(self, "lower", -math.inf)), float(getattr(self, "upper", math.inf))

    def arguments(self) -> str:
        """Its fields in a few words, as written: ``lower=20, upper=100``."""
        fields = self.model_dump(mode="json", by_alias=True, exclude={"type"}, exclude_none=True)
        return ", ".join(f"{k}={_number_text(v)}" for k, v in fields.items())

    def describe(self, unit: str = "") -> str:
        """The distribution in a few words, with ``unit``: ``uniform(lower=20, upper=100) %``."""
        return f"{self.type}({self.arguments()}){' ' + unit if unit else ''}"


def _number_text(value: Any) -> str:
    """A number as a person writes it: whole numbers without a point, else 6 digits."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        v = float(value)
        return f"{int(v)}" if v.is_integer() and abs(v) < 1e15 else f"{v:.6g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_number_text(v) for v in value) + "]"
    return str(value)


def _finite(*pairs: tuple[str, float]) -> None:
    for name, value in pairs:
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite (got {value})")


def _ordered(low: float, high: float, what: str = "lower < upper") -> None:
    if not low < high:
        raise ValueError(f"bounds must be ordered, {what} (got lower={low:g}, upper={high:g})")
    if not math.isfinite(high - low):  # e.g. -1e308 .. 1e308: the width overflows
        raise ValueError(
            f"bounds are too far apart: upper - lower must be a finite number "
            f"(got lower={low:g}, upper={high:g})"
        )


class Uniform(_Dist):
    """Uniform on [lower, upper]."""

    type: Literal["uniform"]
    lower: float
    upper: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        _finite(("lower", self.lower), ("upper", self.upper))
        _ordered(self.lower, self.upper)
        return self

    def frozen(self):
        from scipy import stats

        return stats.uniform(loc=self.lower, scale=self.upper - self.lower)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        # scipy.stats.uniform's own arithmetic (u * scale + loc): the same bits
        return u * (self.upper - self.lower) + self.lower


class Normal(_Dist):
    """Normal with ``mean`` and standard deviation ``sd``."""

    type: Literal["normal"]
    mean: float
    sd: float

    @model_validator(mode="after")
    def _check(self) -> Normal:
        _finite(("mean", self.mean), ("sd", self.sd))
        if not self.sd > 0:
            raise ValueError(f"sd must be positive (got {self.sd:g})")
        return self

    def frozen(self):
        from scipy import stats

        return stats.norm(loc=self.mean, scale=self.sd)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri

        return ndtri(u) * self.sd + self.mean  # as scipy.stats.norm: the same bits


#: How far (in sd) a truncnormal's window may lie from its mean: the range over which its
#: inverse CDF (:mod:`projection.scenario.truncnorm`) is tested accurate; far beyond it the
#: window's probability is not representable (1e20 sd gave nan in scipy).
MAX_TAIL_SD = 1000.0
#: The narrowest window (in sd) of a truncnormal over which its inverse CDF is tested.
MIN_WINDOW_SD = 1e-12


class TruncNormal(_Dist):
    """Normal with ``mean`` and ``sd``, truncated to [lower, upper]."""

    type: Literal["truncnormal"]
    mean: float
    sd: float
    lower: float
    upper: float

    @model_validator(mode="after")
    def _check(self) -> TruncNormal:
        _finite(("mean", self.mean), ("sd", self.sd), ("lower", self.lower), ("upper", self.upper))
        if not self.sd > 0:
            raise ValueError(f"sd must be positive (got {self.sd:g})")
        _ordered(self.lower, self.upper)
        a, b = ((x - self.mean) / self.sd for x in (self.lower, self.upper))
        if not (math.isfinite(a) and math.isfinite(b)):
            raise ValueError(
                f"bounds are too many sd from the mean: (bound - mean) / sd must be finite "
                f"(got mean={self.mean:g}, sd={self.sd:g}, lower={self.lower:g}, "
                f"upper={self.upper:g})"
            )
        if not b - a >= MIN_WINDOW_SD:
            raise ValueError(
                f"[lower, upper] is {b - a:.3g} sd wide, narrower than {MIN_WINDOW_SD:g} "
                "(expected a window that a normal of this sd can be drawn in; for a fixed "
                "value give no distribution, for a narrow range use a uniform)"
            )
        if a > MAX_TAIL_SD or b < -MAX_TAIL_SD:
            raise ValueError(
                f"[lower, upper] lies {min(abs(a), abs(b)):.3g} sd from the mean, more than "
                f"{MAX_TAIL_SD:g} (expected a window near the mean: that far in the tail the "
                "distribution cannot be computed; use a uniform on [lower, upper])"
            )
        return self

    def frozen(self):
        from scipy import stats

        a = (self.lower - self.mean) / self.sd
        b = (self.upper - self.mean) / self.sd
        return stats.truncnorm(a, b, loc=self.mean, scale=self.sd)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        return _truncnorm_ppf(u, self.mean, self.sd, self.lower, self.upper)


class LogNormal(_Dist):
    """Log-normal: ``log(x)`` is normal with median ``log(median)`` and sd ``sigma``."""

    type: Literal["lognormal"]
    median_: float = Field(alias="median")
    sigma: float

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> LogNormal:
        _finite(("median", self.median_), ("sigma", self.sigma))
        if not self.median_ > 0:
            raise ValueError(f"median must be positive (got {self.median_:g})")
        if not self.sigma > 0:
            raise ValueError(f"sigma must be positive (got {self.sigma:g})")
        return self

    def frozen(self):
        from scipy import stats

        return stats.lognorm(s=self.sigma, scale=self.median_)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri

        return np.exp(self.sigma * ndtri(u)) * self.median_  # as scipy.stats.lognorm

    def support(self) -> tuple[float, float]:
        return 0.0, math.inf


class Triangular(_Dist):
    """Triangular on [lower, upper] with its peak at ``mode``."""

    type: Literal["triangular"]
    lower: float
    mode: float
    upper: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        _finite(("lower", self.lower), ("mode", self.mode), ("upper", self.upper))
        _ordered(self.lower, self.upper)
        if not self.lower <= self.mode <= self.upper:
            raise ValueError(
                f"mode must lie in [lower, upper] (got lower={self.lower:g}, "
                f"mode={self.mode:g}, upper={self.upper:g})"
            )
        return self

    def frozen(self):
        from scipy import stats

        width = self.upper - self.lower
        return stats.triang((self.mode - self.lower) / width, loc=self.lower, scale=width)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        # the closed form, written as scipy.stats.triang writes it (the same bits)
        width = self.upper - self.lower
        c = (self.mode - self.lower) / width
        return np.where(u < c, np.sqrt(c * u), 1 - np.sqrt((1 - c) * (1 - u))) * width + self.lower


class Beta(_Dist):
    """Beta(alpha, beta) stretched onto [lower, upper] (default [0, 1])."""

    type: Literal["beta"]
    alpha: float
    beta: float
    lower: float = 0.0
    upper: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Beta:
        _finite(
            ("alpha", self.alpha), ("beta", self.beta), ("lower", self.lower), ("upper", self.upper)
        )
        for name in ("alpha", "beta"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive (got {getattr(self, name):g})")
        _ordered(self.lower, self.upper)
        return self

    def frozen(self):
        from scipy import stats

        return stats.beta(self.alpha, self.beta, loc=self.lower, scale=self.upper - self.lower)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import betaincinv

        # the inverse regularised incomplete beta function: what scipy.stats.beta calls (Boost)
        return betaincinv(self.alpha, self.beta, u) * (self.upper - self.lower) + self.lower


class Choice(_Dist):
    """One of ``values``, with probabilities proportional to ``weights`` (default equal)."""

    type: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Choice:
        _finite(*(("values", v) for v in self.values))
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must be distinct")
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights must match values in length ({len(self.weights)} weights, "
                    f"{len(self.values)} values)"
                )
            _finite(*(("weights", w) for w in self.weights))
            if any(w < 0 for w in self.weights) or not sum(self.weights) > 0:
                raise ValueError("weights must be >= 0 and not all 0")
        return self

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.values)
        values = np.asarray(self.values, dtype=float)[order]
        weights = (
            np.ones(len(values)) if self.weights is None else np.asarray(self.weights, float)[order]
        )
        weights = weights / weights.max()  # 1e308 + 1e308 would overflow
        drawable = weights > 0  # a value of weight 0 is never drawn, even at u = 1 - 2**-53
        values, weights = values[drawable], weights[drawable]
        cdf = np.cumsum(weights) / weights.sum()
        cdf[-1] = 1.0  # the sum may round to just below 1
        return values, cdf

    def frozen(self):
        """An object with ``ppf`` (all that samplers and ``scipy.stats.sobol_indices`` use)."""
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        values, cdf = self._table()
        idx = np.searchsorted(cdf, np.asarray(u, dtype=float), side="right")
        return values[np.minimum(idx, len(values) - 1)]

    def support(self) -> tuple[float, float]:
        return float(min(self.values)), float(max(self.values))


class Empirical(_Dist):
    """Values at the probabilities ``0, 1/K, ..., 1`` (``K + 1`` quantiles), linear between
    them: equal probability mass between consecutive quantiles."""

    type: Literal["empirical"]
    quantiles: list[float] = Field(min_length=2, max_length=1001)

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        _finite(*(("quantiles", v) for v in self.quantiles))
        q = self.quantiles
        if any(b < a for a, b in zip(q, q[1:])):
            raise ValueError("quantiles must not decrease (values at probabilities 0, 1/K, ..., 1)")
        _ordered(q[0], q[-1], "the first quantile below the last (else give a value)")
        return self

    def frozen(self):
        """A ``scipy.stats.rv_histogram`` of equal-mass bins between the quantiles (bins of
        zero width, repeated quantiles, are point masses it cannot hold: left out)."""
        from scipy import stats

        q = np.asarray(self.quantiles, dtype=float)
        wide = np.diff(q) > 0
        edges = np.concatenate([q[:-1][wide], q[-1:]])
        return stats.rv_histogram((np.ones(int(wide.sum())), edges), density=False)

    def _ppf(self, u: np.ndarray) -> np.ndarray:
        q = np.asarray(self.quantiles, dtype=float)
        return np.interp(u, np.linspace(0.0, 1.0, len(q)), q)

    def support(self) -> tuple[float, float]:
        return float(self.quantiles[0]), float(self.quantiles[-1])

    def arguments(self) -> str:
        """Its 5, 50 and 95 % quantiles, not every one of them."""
        q05, q50, q95 = (float(v) for v in self.ppf(np.array([0.05, 0.5, 0.95])))
        return f"5/50/95 % at {q05:.4g}, {q50:.4g}, {q95:.4g}"

    def describe(self, unit: str = "") -> str:
        return f"empirical: {self.arguments()}{' ' + unit if unit else ''}"


#: The distribution types by name: the one list that the scenario file's ``type:``, its JSON
#: Schema, error messages and documentation all read.
DISTRIBUTIONS: dict[str, type[_Dist]] = {
    cls.model_fields["type"].annotation.__args__[0]: cls  # type: ignore[union-attr]
    for cls in (Uniform, Normal, TruncNormal, LogNormal, Triangular, Beta, Choice, Empirical)
}

Distribution = Annotated[
    Uniform | Normal | TruncNormal | LogNormal | Triangular | Beta | Choice | Empirical,
    Field(discriminator="type"),
]


def field_names() -> list[str]:
    """Every key any distribution type takes (for "did you mean" hints)."""
    return sorted(
        {i.alias or f for cls in DISTRIBUTIONS.values() for f, i in cls.model_fields.items()}
    )
