"""Global sensitivity analysis: which uncertain assumption drives a result.

Two layers:

* :func:`sobol` is generic: a vectorised function of ``d`` independent inputs with known
  distributions, one or several outputs, Sobol' first- and total-order indices with bootstrap
  confidence intervals. It knows nothing of scenarios.
* :func:`sensitivity` applies it to a scenario: the inputs are the parameters that carry a
  ``distribution`` (:func:`projection.sampling.uncertain_parameters`), the output is an
  indicator in one year, an indicator year by year, or whether a target is met (0/1).

Both return a :class:`SobolResult`; :meth:`SobolResult.to_frame` is tidy, with one row per
output and parameter::

    output, parameter, first_order, first_order_low, first_order_high,
    total_order, total_order_low, total_order_high, rank

``rank`` orders the parameters by total-order index within each output (1 = most influential).

Reading the indices
-------------------
``first_order`` (S1) is the share of the output's variance a parameter explains on its own;
``total_order`` (ST) adds every interaction it takes part in, so ST >= S1 up to sampling noise,
and ST near 0 means the parameter can be fixed at any value of its range without changing the
output. Where S1 and ST are close for every parameter the output is nearly additive in them.
Estimates of indices near 0 can come out slightly negative: that is sampling noise, and a
larger ``n`` shrinks it. The indices assume independent inputs, as the scenario's
distributions are.

An output that does not vary over the samples (a year before any uncertain parameter acts, a
target met or missed by every draw) has no variance to share out: its indices are undefined,
reported as NaN, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from . import engine, sampling
from .exceptions import ProjectionError
from .sampling import rng_from
from .scenario import load_scenario
from .targets import holds

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from .scenario import Scenario

__all__ = [
    "SobolResult",
    "sobol",
    "sensitivity",
    "summary",
    "FRAME_COLUMNS",
    "MAX_N",
    "CONSTANT_RTOL",
    "RARE_EVENTS",
]

#: Columns of :meth:`SobolResult.to_frame`, in order.
FRAME_COLUMNS = (
    "output",
    "parameter",
    "first_order",
    "first_order_low",
    "first_order_high",
    "total_order",
    "total_order_low",
    "total_order_high",
    "rank",
)

#: Largest number of base samples accepted (the model is evaluated ``n * (d + 2)`` times).
MAX_N = 2**20

#: An output whose spread over every evaluation is at most this times its largest magnitude
#: is constant: its variance is rounding noise, so its indices are undefined.
CONSTANT_RTOL = 1e-12

#: A target met (or missed) in fewer evaluated parameter sets than this gets a note: the
#: indices of a rare event are imprecise.
RARE_EVENTS = 100

# Elements of the largest array one bootstrap batch gathers (bounds its memory to ~32 MB).
_BATCH_ELEMENTS = 2**22


# ---------------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class SobolResult:
    """Sobol' indices of one or several outputs, with bootstrap confidence intervals.

    Attributes
    ----------
    names : tuple of str
        The ``d`` inputs, in the order of the rows of every index array.
    outputs : tuple
        The ``s`` output labels (years, for a scenario), in the order of the columns.
    first_order, total_order : ndarray, shape (d, s)
        First-order (S1) and total-order (ST) indices. NaN where the output is constant.
    first_order_low, first_order_high, total_order_low, total_order_high : ndarray, shape (d, s)
        Bounds of the bootstrap confidence intervals (BCa) at level ``confidence``. NaN where
        the index is undefined, where no interval was asked for (``confidence=None``), or where
        the bootstrap could not form one (a note then says so).
    n : int
        Base samples; the model was evaluated ``n * (d + 2)`` times (:attr:`evaluations`).
    seed : int or None
        The integer seed given, or None (fresh entropy, or a Generator passed in).
    confidence : float or None
        Level of the intervals.
    n_resamples : int
        Bootstrap resamples behind the intervals.
    notes : tuple of str
        What a reader must know: undefined indices, intervals that could not be formed.
    label : str
        What the output is, e.g. ``"ev_sales_share [%]"``.
    output_name : str
        What the output labels are, e.g. ``"year"``.
    """

    names: tuple[str, ...]
    outputs: tuple[Any, ...]
    first_order: np.ndarray
    total_order: np.ndarray
    first_order_low: np.ndarray
    first_order_high: np.ndarray
    total_order_low: np.ndarray
    total_order_high: np.ndarray
    n: int
    seed: int | None = None
    confidence: float | None = 0.95
    n_resamples: int = 0
    notes: tuple[str, ...] = ()
    label: str = ""
    output_name: str = "output"

    @property
    def evaluations(self) -> int:
        """Number of points at which the model was evaluated, ``n * (d + 2)``."""
        return self.n * (len(self.names) + 2)

    def to_frame(self) -> pd.DataFrame:
        """One row per output and parameter (outputs outer, parameters in ``names`` order).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`FRAME_COLUMNS`. ``rank`` (nullable integer) orders the parameters by
            total-order index within each output, 1 = largest; equal indices share a rank;
            it is missing where the index is undefined.
        """
        d, s = len(self.names), len(self.outputs)
        frame = pd.DataFrame(
            {
                "output": np.repeat(np.array(self.outputs, dtype=object), d),
                "parameter": np.tile(np.array(self.names, dtype=object), s),
                "first_order": self.first_order.T.ravel(),
                "first_order_low": self.first_order_low.T.ravel(),
                "first_order_high": self.first_order_high.T.ravel(),
                "total_order": self.total_order.T.ravel(),
                "total_order_low": self.total_order_low.T.ravel(),
                "total_order_high": self.total_order_high.T.ravel(),
            }
        )
        frame["output"] = frame["output"].infer_objects()
        frame["parameter"] = frame["parameter"].astype(str)
        rank = np.full(d * s, np.nan)
        for k in range(s):
            column = pd.Series(self.total_order[:, k])
            rank[k * d : (k + 1) * d] = column.rank(method="min", ascending=False).to_numpy()
        frame["rank"] = pd.array([pd.NA if math.isnan(r) else int(r) for r in rank], dtype="Int64")
        return frame[list(FRAME_COLUMNS)]

    def ranked(self, output: Any = None) -> pd.DataFrame:
        """The rows of :meth:`to_frame` ranked: by output, then rank (undefined last).

        Parameters
        ----------
        output : optional
            One of :attr:`outputs` (a year, for a scenario); default every output.
        """
        frame = self.to_frame()
        if output is not None:
            self._column(output)  # raises with the valid choices
            frame = frame[frame["output"] == output]
        position = {o: k for k, o in enumerate(self.outputs)}
        order = frame.assign(
            _out=frame["output"].map(position),
            _rank=frame["rank"].astype("Float64").fillna(np.inf).astype(float),
            _par=np.arange(len(frame)),
        ).sort_values(["_out", "_rank", "_par"], kind="stable")
        return frame.loc[order.index].reset_index(drop=True)

    def summary(self, output: Any = None) -> str:
        """A readable table (see :func:`summary`)."""
        return summary(self, output=output)

    def _column(self, output: Any) -> int:
        for k, o in enumerate(self.outputs):
            if o == output:
                return k
        raise ProjectionError(
            f"unknown {self.output_name} {output!r} (expected one of: "
            f"{', '.join(str(o) for o in self.outputs)})"
        )

    def __repr__(self) -> str:
        outputs = _span(self.outputs)
        return (
            f"SobolResult({self.label or 'output'}; {len(self.names)} parameters, "
            f"{self.output_name} {outputs}, n={self.n}, seed={self.seed})"
        )


# ------------------------------------------------------------------------------ generic core


def sobol(
    func: Callable[[np.ndarray], np.ndarray],
    dists: Sequence[Any],
    names: Sequence[str],
    *,
    n: int = 1024,
    seed: int | np.random.Generator | None = None,
    confidence: float | None = 0.95,
    n_resamples: int = 200,
    outputs: Sequence[Any] | None = None,
    label: str = "",
    output_name: str = "output",
) -> SobolResult:
    r"""Sobol' first- and total-order indices of ``func`` over independent inputs.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` of shape ``(d, m)`` (one row per input, in ``names`` order)
        returns shape ``(s, m)`` (``s`` outputs) or ``(m,)`` (one output). Called once, with
        ``m = n * (d + 2)``; it must be vectorised over the columns and return finite values.
    dists : sequence of distributions
        One per input, each with ``ppf`` (a :mod:`projection.distributions` model or a frozen
        ``scipy.stats`` distribution).
    names : sequence of str
        One distinct name per input.
    n : int, default 1024
        Base samples, a power of two (the balance of Sobol' points needs it), 2 to
        :data:`MAX_N`.
    seed : int, numpy.random.Generator or None
        The one random-number policy (:func:`projection.sampling.rng_from`): the same seed
        gives identical indices and intervals.
    confidence : float or None, default 0.95
        Level of the bootstrap confidence intervals, in (0, 1); None skips the bootstrap
        (intervals NaN), which saves its ``O(n^2 d s)`` jackknife on large problems.
    n_resamples : int, default 200
        Bootstrap resamples.
    outputs : sequence, optional
        ``s`` labels of the outputs (default ``0 .. s-1``).
    label, output_name : str
        What the output is and what its labels are, for printing.

    Returns
    -------
    SobolResult

    Raises
    ------
    ProjectionError
        ``n`` not a power of two (the message names the nearest ones), inputs and names of
        different lengths, a distribution without ``ppf``, an output of the wrong shape or not
        finite, a bad seed or confidence level.

    Notes
    -----
    The design is Saltelli's [2]_: two matrices ``A`` and ``B`` of ``n`` points each from one
    scrambled Sobol' sequence of dimension ``2d`` (mapped through each input's ``ppf``), and
    for each input ``i`` the matrix ``AB_i``, ``A`` with row ``i`` from ``B``: exactly the
    design of ``scipy.stats.sobol_indices(func=..., dists=..., rng=rng)``, which then computes
    the indices. With ``V`` the variance of the outputs at ``A`` and ``B``,

    .. math::

        S_i = \frac{1}{nV} \sum_j f(B)_j \left(f(AB_i)_j - f(A)_j\right), \qquad
        S_{T_i} = \frac{1}{2nV} \sum_j \left(f(A)_j - f(AB_i)_j\right)^2 .

    The intervals are bias-corrected and accelerated (BCa) bootstrap intervals over the ``n``
    rows of the design, as ``SobolResult.bootstrap`` of scipy computes them, but drawn with
    ``seed`` so that they too are reproducible (scipy's method takes no random generator).

    References
    ----------
    .. [1] Sobol', I. M. "Global sensitivity indices for nonlinear mathematical models and
       their Monte Carlo estimates." Mathematics and Computers in Simulation 55 (2001) 271-280.
    .. [2] Saltelli, A., et al. "Variance based sensitivity analysis of model output. Design
       and estimator for the total sensitivity index." Computer Physics Communications 181
       (2010) 259-270.

    Examples
    --------
    An additive model ``y = a + 2 b`` with ``a``, ``b`` uniform on [0, 1]: ``b`` explains
    4/5 of the variance, ``a`` 1/5, and there is no interaction (S1 = ST).

    >>> from scipy import stats
    >>> from projection.sensitivity import sobol
    >>> r = sobol(lambda x: x[0] + 2 * x[1], [stats.uniform(), stats.uniform()], ["a", "b"],
    ...           n=512, seed=1)
    >>> r.first_order[:, 0].round(2).tolist(), r.total_order[:, 0].round(2).tolist()
    ([0.2, 0.8], [0.2, 0.8])
    >>> r.ranked()[["parameter", "rank"]].to_dict("list")
    {'parameter': ['b', 'a'], 'rank': [1, 2]}
    """
    names = _check_names(names, dists)
    n = _check_n(n)
    confidence = _check_confidence(confidence)
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 1
    ):
        raise ProjectionError(f"n_resamples must be a whole number >= 1 (got {n_resamples!r})")
    rng = rng_from(seed)
    d = len(names)

    a, b = _design(dists, names, n, rng)
    ab = np.tile(a, (d, 1, 1))  # page i: A with row i from B
    ab[np.arange(d), np.arange(d)] = b
    x = np.concatenate([a, b, *ab], axis=1)  # (d, n (d + 2))
    y = _evaluate(func, x)
    s = y.shape[0]
    outputs = _check_outputs(outputs, s)

    f_a, f_b = y[:, :n], y[:, n : 2 * n]
    f_ab = y[:, 2 * n :].reshape(s, d, n).transpose(1, 0, 2)  # (d, s, n)

    # Undefined indices: an output constant over every evaluation, or over the 2n points of A
    # and B, whose variance the estimators divide by (a rare event seen only in some AB_i).
    scale = CONSTANT_RTOL * np.abs(y).max(axis=1)
    constant = np.ptp(y, axis=1) <= scale
    base = y[:, : 2 * n]
    constant_base = np.ptp(base, axis=1) <= scale
    notes = _constant_notes(y, constant, outputs, label, output_name)
    rare = constant_base & ~constant
    if rare.any():
        notes.append(
            f"{label or 'the output'} varies too rarely at {output_name} "
            f"{_span([o for o, r in zip(outputs, rare) if r])} to estimate its indices (no "
            f"variance among the {2 * n} base samples A and B): reported as NaN; a larger n helps"
        )
    constant = constant | constant_base

    # scipy's estimator on the evaluations (its dict form); it sets 0/0 to 0, we to NaN.
    # It squeezes its result, which with one input and one output leaves scalars it then
    # fails to write to (TypeError, scipy 1.17): give it that output twice.
    reps = 2 if d == s == 1 else 1
    res = stats.sobol_indices(
        func={
            "f_A": np.tile(f_a, (reps, 1)),
            "f_B": np.tile(f_b, (reps, 1)),
            "f_AB": np.tile(f_ab, (1, reps, 1)),
        },
        n=n,
    )
    first = np.reshape(res.first_order, (reps * s, d))[:s].T.copy()
    total = np.reshape(res.total_order, (reps * s, d))[:s].T.copy()
    first[:, constant] = np.nan
    total[:, constant] = np.nan

    bounds = np.full((4, d, s), np.nan)
    keep = ~constant
    if confidence is not None and keep.any():
        mean = np.mean([f_a[keep], f_b[keep]], axis=(0, 2))[:, None]
        low, high, failed = _bootstrap(
            f_a[keep] - mean,
            f_b[keep] - mean,
            f_ab[:, keep] - mean,
            np.stack([first[:, keep], total[:, keep]]),
            confidence=confidence,
            n_resamples=int(n_resamples),
            rng=rng,
        )
        # bounds: first-order low, first-order high, total-order low, total-order high
        bounds[0][:, keep], bounds[1][:, keep] = low[0], high[0]
        bounds[2][:, keep], bounds[3][:, keep] = low[1], high[1]
        bad = [o for o, f in zip(np.array(outputs, dtype=object)[keep], failed) if f]
        if bad:
            notes.append(
                f"no bootstrap confidence interval for some indices at {output_name} "
                f"{_span(bad)} (their bootstrap distribution is degenerate or undefined, as "
                "for a rare event); a larger n helps"
            )

    arrays = [first, total, *bounds]
    for arr in arrays:
        arr.setflags(write=False)
    return SobolResult(
        names=names,
        outputs=outputs,
        first_order=first,
        total_order=total,
        first_order_low=arrays[2],
        first_order_high=arrays[3],
        total_order_low=arrays[4],
        total_order_high=arrays[5],
        n=n,
        seed=_seed_value(seed),
        confidence=confidence,
        n_resamples=int(n_resamples),
        notes=tuple(notes),
        label=label,
        output_name=output_name,
    )


def _check_names(names: Sequence[str], dists: Sequence[Any]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise ProjectionError(f"names must be a sequence of names, one per input (got {names!r})")
    names = tuple(str(x) for x in names)
    dists = list(dists)
    if not names:
        raise ProjectionError("no inputs: give at least one distribution and its name")
    if len(names) != len(dists):
        raise ProjectionError(
            f"names and dists must match in length ({len(names)} names, {len(dists)} dists)"
        )
    dupes = sorted({x for x in names if names.count(x) > 1})
    if dupes:
        raise ProjectionError(f"names must be distinct (repeated: {', '.join(dupes)})")
    for name, dist in zip(names, dists):
        if not callable(getattr(dist, "ppf", None)):
            raise ProjectionError(
                f"{name}: a distribution needs a `ppf` method (got {type(dist).__name__})"
            )
    return names


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ProjectionError(f"n must be a whole number, a power of two such as 1024 (got {n!r})")
    n = int(n)
    if n < 2:
        raise ProjectionError(f"n must be a power of two of at least 2, such as 1024 (got n={n})")
    if n > MAX_N:
        raise ProjectionError(f"n must be at most {MAX_N:,} (2**20) (got n={n:,})")
    if n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise ProjectionError(
            f"n must be a power of two for the balance of Sobol' points (got n={n}; "
            f"the nearest are {lower} = 2**{lower.bit_length() - 1} and "
            f"{2 * lower} = 2**{lower.bit_length()})"
        )
    return n


def _check_confidence(confidence: Any) -> float | None:
    if confidence is None:
        return None
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)):
        raise ProjectionError(
            f"confidence must be a number in (0, 1), e.g. 0.95 (got {confidence!r})"
        )
    if not 0 < float(confidence) < 1:
        raise ProjectionError(f"confidence must be in (0, 1), e.g. 0.95 (got {confidence})")
    return float(confidence)


def _check_outputs(outputs: Sequence[Any] | None, s: int) -> tuple[Any, ...]:
    if outputs is None:
        return tuple(range(s))
    labels = tuple(o.item() if isinstance(o, np.generic) else o for o in outputs)
    if len(labels) != s:
        raise ProjectionError(
            f"outputs must name each of the {s} outputs (got {len(labels)} labels)"
        )
    if len(set(labels)) != len(labels):
        raise ProjectionError("outputs must be distinct labels")
    return labels


def _seed_value(seed: Any) -> int | None:
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return int(seed)
    return None


def _design(
    dists: Sequence[Any], names: tuple[str, ...], n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``B``, each ``(d, n)``: scipy's design (one Sobol' sequence of dimension 2d)."""
    d = len(names)
    u = qmc.Sobol(d=2 * d, scramble=True, bits=64, rng=rng).random(n).T.reshape(2, d, n)
    out = np.empty_like(u)
    for i, (name, dist) in enumerate(zip(names, dists)):
        values = np.asarray(dist.ppf(u[:, i]), dtype=float)
        if values.shape != (2, n):
            raise ProjectionError(
                f"{name}: ppf must return one value per quantile (shape (2, {n}), got {values.shape})"
            )
        if not np.isfinite(values).all():
            raise ProjectionError(
                f"{name}: the distribution gives non-finite values (an unbounded ppf at 0?)"
            )
        out[:, i] = values
    return out[0], out[1]


def _evaluate(func: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    d, m = x.shape
    y = np.asarray(func(x), dtype=float)
    if y.ndim == 1:
        y = y[None, :]
    if y.ndim != 2 or y.shape[1] != m:
        raise ProjectionError(
            f"func must return shape (s, {m}) or ({m},) for x of shape ({d}, {m}) "
            f"(got {np.shape(y)})"
        )
    if y.shape[0] == 0:
        raise ProjectionError("func returned no outputs (shape (0, m))")
    finite = np.isfinite(y)
    if not finite.all():
        rows = np.flatnonzero(~finite.all(axis=1))
        raise ProjectionError(
            f"func returned {int((~finite).sum())} non-finite values (outputs "
            f"{', '.join(str(r) for r in rows[:10])}); Sobol' indices need finite outputs"
        )
    return y


def _constant_notes(
    y: np.ndarray, constant: np.ndarray, outputs: tuple[Any, ...], label: str, output_name: str
) -> list[str]:
    which = np.flatnonzero(constant)
    if not len(which):
        return []
    what = label or "the output"
    m = y.shape[1]
    if len(which) == 1:
        k = which[0]
        return [
            f"{what} does not vary at {output_name} {outputs[k]} (always {y[k, 0]:.6g} in "
            f"{m} evaluations): its Sobol' indices are undefined there, reported as NaN"
        ]
    return [
        f"{what} does not vary at {output_name}s {_span([outputs[k] for k in which])} "
        f"(each constant over {m} evaluations): their Sobol' indices are undefined, "
        "reported as NaN"
    ]


def _saltelli(f_a: np.ndarray, f_b: np.ndarray, f_ab: np.ndarray) -> np.ndarray:
    """Saltelli 2010 estimators, stacked ``(2, d, s, ...)``: [first order, total order].

    ``f_a``, ``f_b`` have shape ``(s, ..., k)`` and ``f_ab`` ``(d, s, ..., k)``, centred; the
    last axis holds the ``k`` rows of the design (``...``: bootstrap or jackknife resamples).
    """
    var = np.var(np.stack([f_a, f_b]), axis=(0, -1))
    first = np.mean(f_b * (f_ab - f_a), axis=-1) / var
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-1) / var
    return np.stack([first, total])


def _bootstrap(
    f_a: np.ndarray,
    f_b: np.ndarray,
    f_ab: np.ndarray,
    estimate: np.ndarray,
    *,
    confidence: float,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BCa intervals of both indices, ``(2, d, s)`` each, and which outputs had none."""
    d, s, n = f_ab.shape

    def statistic(rows: np.ndarray, axis: int = -1) -> np.ndarray:
        return _saltelli(f_a[:, rows], f_b[:, rows], f_ab[:, :, rows])

    batch = max(1, _BATCH_ELEMENTS // ((d + 2) * s * n))
    # A parameter that cannot move an output has the same index (0) in every resample: a
    # degenerate bootstrap distribution, for which BCa divides 0 by 0 and scipy warns. Those
    # intervals are repaired below; nothing here runs user code, so silencing is local.
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        boot = stats.bootstrap(
            (np.arange(n),),
            statistic,
            n_resamples=n_resamples,
            batch=batch,
            vectorized=True,
            method="BCa",
            confidence_level=confidence,
            rng=rng,
        )
    low = np.array(boot.confidence_interval.low, dtype=float).reshape(2, d, s)
    high = np.array(boot.confidence_interval.high, dtype=float).reshape(2, d, s)
    dist = np.asarray(boot.bootstrap_distribution).reshape(2, d, s, -1)
    with np.errstate(invalid="ignore"):
        degenerate = np.isfinite(dist).all(axis=-1) & (np.ptp(dist, axis=-1) == 0)
    fix = degenerate & ~(np.isfinite(low) & np.isfinite(high))
    low[fix] = high[fix] = estimate[fix]
    failed = ~(np.isfinite(low) & np.isfinite(high)).all(axis=(0, 1))
    return low, high, failed


# ---------------------------------------------------------------------------- scenario layer


def sensitivity(
    scenario: Scenario | str | Path | dict,
    *,
    indicator: str | None = None,
    year: int | None = None,
    years: Iterable[int] | str | None = None,
    target: str | None = None,
    n: int = 1024,
    seed: int | np.random.Generator | None = None,
    confidence: float | None = 0.95,
    n_resamples: int = 200,
) -> SobolResult:
    """Which uncertain assumption of a scenario drives an indicator, or decides a target.

    Give exactly one of:

    * ``indicator`` and ``year``: the indicator's value in that year;
    * ``indicator`` and ``years``: its value in each of those years (an iterable of years,
      ``"2025:2040"`` for a range, or ``"2025,2030"``), one output per year;
    * ``target``: whether the target is met in its year (1) or not (0), so the indices say
      which assumption decides it.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        Anything :func:`projection.load_scenario` accepts.
    indicator : str, optional
    year : int, optional
    years : iterable of int or str, optional
    target : str, optional
        A target id of the scenario, e.g. ``"T1"``.
    n, seed, confidence, n_resamples
        As for :func:`sobol`; the engine is evaluated ``n * (d + 2)`` times for ``d``
        uncertain parameters, all at once.

    Returns
    -------
    SobolResult
        Inputs named by dotted path (``indicators.ev_sales_share.params.rate``), outputs
        labelled by year (``output_name="year"``), ``label`` naming the indicator and unit or
        the target. For a target, a note gives the share of evaluated parameter sets that meet
        it.

    Raises
    ------
    ProjectionError
        The selection is not exactly one of the three forms; an unknown indicator, year or
        target (the message lists the valid ones); no parameter has a ``distribution``.

    Notes
    -----
    Only parameters with a ``distribution`` are inputs; every other number keeps its point
    value. Draws are passed to the engine in each parameter's written unit
    (:func:`projection.engine.evaluate`). For a target the output is an indicator function:
    its total-order index is the share of the variance of "met or not" (``p (1 - p)``) that
    goes away once the parameter is known, interactions included.

    Examples
    --------
    >>> import numpy as np
    >>> import projection
    >>> from projection.sensitivity import sensitivity
    >>> s = projection.load_scenario({
    ...     "name": "demo",
    ...     "horizon": {"start": 2025, "end": 2030},
    ...     "indicators": {"ev": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 2, "source": "assumption: example"},
    ...         "ceiling": {"value": 60, "source": "assumption: example",
    ...                     "distribution": {"type": "uniform", "lower": 50, "upper": 70}},
    ...         "rate": {"value": 0.7, "unit": "1/yr", "source": "assumption: example",
    ...                  "distribution": {"type": "uniform", "lower": 0.4, "upper": 1.0}}}}},
    ...     "targets": {"T1": {"indicator": "ev", "year": 2030, "at_least": "30 %",
    ...                        "source": "assumption: example"}},
    ... })
    >>> r = sensitivity(s, target="T1", n=256, seed=1)
    >>> r.ranked()["parameter"].tolist()
    ['indicators.ev.params.rate', 'indicators.ev.params.ceiling']
    >>> r = sensitivity(s, indicator="ev", years="2025:2027", n=256, seed=1)
    >>> r.outputs, bool(np.isnan(r.total_order[:, 0]).all())   # 2025 is the fixed start
    ((2025, 2026, 2027), True)
    """
    scenario = load_scenario(scenario)
    indicator, chosen, tgt = _selection(scenario, indicator, year, years, target)
    inputs = sampling.uncertain_parameters(scenario)
    if not inputs:
        raise ProjectionError(
            f"{scenario.name}: no uncertain parameters: give a parameter a `distribution`"
        )
    paths = [u.path for u in inputs]
    columns = [scenario.years.index(y) for y in chosen]
    unit = scenario.indicators[indicator].unit
    met_share: list[float] = []

    if tgt is None:
        label = f"{indicator} [{unit}] ({scenario.name})"
    else:
        bound = tgt.bound[0]
        required = tgt.required(unit)
        op = ">=" if bound == "at_least" else "<="
        label = (
            f"{target} met ({indicator} {op} {required:.6g} {unit} in {tgt.year}; {scenario.name})"
        )

    def func(x: np.ndarray) -> np.ndarray:
        draws = {path: x[i] for i, path in enumerate(paths)}
        values = np.asarray(engine.evaluate(scenario, draws)[indicator], dtype=float)
        out = values[:, columns].T  # (s, m)
        if tgt is None:
            return out
        met = holds(out[0], bound, required).astype(float)
        met_share.append(float(met.mean()))
        return met

    result = sobol(
        func,
        [u.distribution for u in inputs],
        paths,
        n=n,
        seed=seed,
        confidence=confidence,
        n_resamples=n_resamples,
        outputs=chosen,
        label=label,
        output_name="year",
    )
    if tgt is not None:
        m = result.evaluations
        met = round(met_share[0] * m)
        notes = [
            f"{target} is met in {100 * met_share[0]:.1f} % of the {m} evaluated parameter sets"
        ]
        few = min(met, m - met)
        if 0 < few < RARE_EVENTS:
            verb = ("meet", "meets") if met < m - met else ("miss", "misses")
            notes.append(
                f"only {few} of them {verb[few == 1]} it: indices of so rare an event are "
                "imprecise (see the intervals); a larger n helps"
            )
        result = dataclasses.replace(result, notes=(*notes, *result.notes))
    return result


def _selection(
    scenario: Scenario,
    indicator: str | None,
    year: int | None,
    years: Iterable[int] | str | None,
    target: str | None,
) -> tuple[str, list[int], Any]:
    """Validate the choice of output: ``(indicator, years, target or None)``."""
    forms = "give exactly one of: indicator= with year=, indicator= with years=, or target="
    if target is not None:
        if indicator is not None or year is not None or years is not None:
            raise ProjectionError(f"target= takes no indicator, year or years ({forms})")
        if target not in scenario.targets:
            raise ProjectionError(
                f"unknown target {target!r} in {scenario.name!r} "
                f"({_choices(scenario.targets, 'the scenario has no targets')})"
            )
        tgt = scenario.targets[target]
        return tgt.indicator, [int(tgt.year)], tgt
    if indicator is None:
        raise ProjectionError(f"nothing to analyse ({forms})")
    if indicator not in scenario.indicators:
        raise ProjectionError(
            f"unknown indicator {indicator!r} in {scenario.name!r} "
            f"({_choices(scenario.indicators, 'none')})"
        )
    if (year is None) == (years is None):
        raise ProjectionError(
            f"indicator= needs either year= or years=, not {'both' if year is not None else 'neither'} "
            f"(e.g. years='{scenario.horizon.start}:{scenario.horizon.end}')"
        )
    chosen = [year] if year is not None else _parse_years(years)
    for y in chosen:
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
            raise ProjectionError(f"a year must be a whole number (got {y!r})")
        if int(y) not in scenario.years:
            raise ProjectionError(
                f"{y} is not a projected year of {scenario.name!r} (expected {_horizon(scenario)})"
            )
    return indicator, sorted({int(y) for y in chosen}), None


def _parse_years(years: Iterable[int] | str) -> list[Any]:
    if isinstance(years, str):
        text = years.strip()
        try:
            if ":" in text:
                start, _, end = text.partition(":")
                lo, hi = int(start), int(end)
                if lo > hi:
                    raise ProjectionError(f"years {years!r}: the range runs backwards")
                return list(range(lo, hi + 1))
            return [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise ProjectionError(
                f"years must be 'START:END' or 'Y1,Y2,...', e.g. '2025:2040' (got {years!r})"
            ) from None
    chosen = list(years)
    if not chosen:
        raise ProjectionError("years is empty (give at least one year)")
    return chosen


def _horizon(scenario: Scenario) -> str:
    h = scenario.horizon
    every = "" if h.step == 1 else f" every {h.step} years"
    return f"a year from {h.start} to {h.end}{every}"


def _choices(options: Iterable[str], empty: str) -> str:
    names = sorted(options)
    return f"expected one of: {', '.join(names)}" if names else empty


# -------------------------------------------------------------------------------- printing


def summary(result: SobolResult, output: Any = None) -> str:
    """A readable table of a :class:`SobolResult`.

    With one output (or ``output`` given): the parameters ranked by total-order index, each
    index with its confidence interval. With several: the total-order index of every parameter
    in every output, the most influential parameter first.

    Examples
    --------
    >>> from scipy import stats
    >>> from projection.sensitivity import sobol, summary
    >>> r = sobol(lambda x: x[0] + 2 * x[1], [stats.uniform(), stats.uniform()], ["a", "b"],
    ...           n=256, seed=1, confidence=None)
    >>> print(summary(r))
    Sobol' indices, output 0 (n = 256, 1024 evaluations, seed 1)
    rank  parameter  total order  first order
       1  b                 0.80         0.80
       2  a                 0.20         0.20
    """
    if output is None and len(result.outputs) > 1:
        return _summary_matrix(result)
    k = 0 if output is None else result._column(output)
    o = result.outputs[k]
    ci = result.confidence is not None
    level = f"{100 * result.confidence:g} % CI" if ci else ""
    rows = []
    for _, row in result.ranked(o).iterrows():
        rows.append(
            [
                "-" if pd.isna(row["rank"]) else str(int(row["rank"])),
                row["parameter"],
                _index(row["total_order"], row["total_order_low"], row["total_order_high"], ci),
                _index(row["first_order"], row["first_order_low"], row["first_order_high"], ci),
            ]
        )
    head = [
        "rank",
        "parameter",
        "total order" + (f" ({level})" if ci else ""),
        "first order" + (f" ({level})" if ci else ""),
    ]
    lines = [_title(result, f"{result.output_name} {o}"), *_table(head, rows, right=(0, 2, 3))]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _summary_matrix(result: SobolResult) -> str:
    total = result.total_order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: nanmax warns
        peak = np.nanmax(np.where(np.isnan(total), -np.inf, total), axis=1)
    order = np.argsort(-peak, kind="stable")
    head = ["parameter", *(str(o) for o in result.outputs)]
    rows = [[result.names[i], *(_number(v) for v in total[i])] for i in order]
    span = f"{result.output_name}s {_span(result.outputs)}"
    lines = [
        _title(result, span),
        "total-order indices by year (intervals: to_frame(), or --format csv on the command line)",
        *_table(head, rows, right=tuple(range(1, len(head)))),
    ]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _title(result: SobolResult, where: str) -> str:
    what = f" of {result.label}" if result.label else ""
    seed = "" if result.seed is None else f", seed {result.seed}"
    return f"Sobol' indices{what}, {where} (n = {result.n}, {result.evaluations} evaluations{seed})"


def _number(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.2f}"


def _index(v: float, low: float, high: float, ci: bool) -> str:
    if not np.isfinite(v):
        return "n/a"
    if not ci:
        return f"{v:.2f}"
    interval = f"[{low:.2f}, {high:.2f}]" if np.isfinite(low) and np.isfinite(high) else "[n/a]"
    return f"{v:.2f} {interval}"


def _table(head: list[str], rows: list[list[str]], right: tuple[int, ...]) -> list[str]:
    widths = [max(len(str(r[j])) for r in [head, *rows]) for j in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).rjust(w) if j in right else str(c).ljust(w)
            for j, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return [line(head), *(line(r) for r in rows)]


def _span(labels: Sequence[Any]) -> str:
    """``2025-2030`` for consecutive integer years, else a comma-separated list."""
    labels = list(labels)
    if (
        len(labels) > 2
        and all(isinstance(v, (int, np.integer)) for v in labels)
        and all(b - a == 1 for a, b in zip(labels, labels[1:]))
    ):
        return f"{labels[0]}-{labels[-1]}"
    return ", ".join(str(v) for v in labels)
