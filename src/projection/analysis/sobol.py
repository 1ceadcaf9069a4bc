"""Sobol' indices of any vectorised model: the generic core of the sensitivity analysis.

:func:`sobol` takes a vectorised function of ``d`` independent inputs with known
distributions, with one or several outputs, and returns Sobol' first- and total-order indices
with confidence intervals (a :class:`~projection.analysis.sobol_result.SobolResult`).
It knows nothing of scenarios: :func:`projection.analysis.sensitivity.sensitivity` applies it
to one.

Confidence intervals
--------------------
By default (``interval="asymptotic"``) the intervals come from the central limit theorem and
the delta method: each estimator is a ratio of means over the ``n`` rows of the design, so
its standard error follows from the per-row contributions in ``O(n d s)``, with no resampling.
``interval="bca"`` keeps the bias-corrected and accelerated bootstrap, whose jackknife costs
``O(n^2 d s)``. The two agree (widths within a few %, same coverage: see :func:`sobol`'s
Notes); on the five targets of ``scenarios/paper-targets.yaml`` (before the fleet, T3 and T4
were added: ``tests/data/frozen``) the whole analysis takes
about 50 times less CPU time (warm process) with the default at n = 1024, 260 times at
n = 4096.

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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..engine.sampling import rng_from
from ..exceptions import ProjectionError
from ..validation import is_whole_number, real_number, whole_number
from .sobol_estimators import _asymptotic, _bootstrap
from .sobol_result import SobolResult, span

__all__ = ["sobol", "MAX_N", "CONSTANT_RTOL", "INTERVALS"]

#: Largest number of base samples accepted (the model is evaluated ``n * (d + 2)`` times).
MAX_N = 2**20

#: An output whose spread over every evaluation is at most this times its largest magnitude
#: is constant: its variance is rounding noise, so its indices are undefined.
CONSTANT_RTOL = 1e-12

#: Methods of confidence interval :func:`sobol` offers (the first is the default).
INTERVALS = ("asymptotic", "bca")


def sobol(
    func: Callable[[np.ndarray], np.ndarray],
    dists: Sequence[Any],
    names: Sequence[str],
    *,
    n: int = 1024,
    seed: int | np.random.Generator | None = None,
    confidence: float | None = 0.95,
    interval: str = "asymptotic",
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
        One per input, each with ``ppf`` (a :mod:`projection.scenario.distributions` model or a frozen
        ``scipy.stats`` distribution).
    names : sequence of str
        One distinct name per input.
    n : int, default 1024
        Base samples, a power of two (the balance of Sobol' points needs it), 2 to
        :data:`MAX_N`.
    seed : int, numpy.random.Generator or None
        The one random-number policy (:func:`projection.engine.sampling.rng_from`): the same seed
        gives identical indices and intervals.
    confidence : float or None, default 0.95
        Level of the confidence intervals, in (0, 1); None computes none (intervals NaN).
    interval : {"asymptotic", "bca"}, default "asymptotic"
        How the intervals are formed: ``"asymptotic"``, normal intervals with the delta-method
        standard error of each estimator (``O(n d s)``, [4]_); ``"bca"``, bias-corrected and
        accelerated bootstrap intervals (``O(n^2 d s)`` for the jackknife, [5]_). See Notes.
    n_resamples : int, default 200
        Bootstrap resamples (``interval="bca"`` only).
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
        finite, a bad seed, confidence level or interval method.

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

    The first-order estimator is Saltelli's [2]_, the total-order one Jansen's [3]_.

    Both are ratios of means over the ``n`` rows ``j`` of the design: ``S_i = mean(u) / V``
    and ``S_Ti = mean(t) / V`` with ``u_j = f(B)_j (f(AB_i)_j - f(A)_j)``,
    ``t_j = (f(A)_j - f(AB_i)_j)^2 / 2`` and ``V = mean(w)``,
    ``w_j = (f(A)_j^2 + f(B)_j^2) / 2`` (outputs centred on their mean over ``A`` and ``B``).
    The asymptotic intervals (the default) are ``S +/- z SE`` with ``z`` the normal quantile
    of the level and ``SE`` the delta-method standard error of the ratio [4]_: the standard
    deviation of the per-row influence values ``(u_j - S w_j) / V`` (for ``S_i``, plus the
    term of the estimated mean, ``-mean(f(AB_i) - f(A)) (f(A)_j + f(B)_j) / (2V)``) or
    ``(t_j - S_T w_j) / V``, over ``sqrt(n)``. They cost ``O(n d s)`` and draw no random
    numbers. The BCa intervals (``interval="bca"``) resample the ``n`` rows, as
    ``SobolResult.bootstrap`` of scipy does, but drawn with ``seed`` so that they too are
    reproducible (scipy's method takes no random generator); their jackknife costs
    ``O(n^2 d s)``.

    Both kinds treat the rows as independent. Measured coverage of nominal 95 % intervals
    of the Ishigami function's six indices, 400 repetitions with independent (Monte Carlo)
    rows at n = 128, 256, 1024 and 4096: on average 94.4, 93.0, 94.6 and 95.0 %
    (asymptotic; each index 91 to 96 %) against 93.9 and 92.4 % for BCa at n = 128 and 256
    (each index 90 to 95 %), a little below nominal at small n, as for any normal or
    bootstrap approximation. With this function's scrambled Sobol' design, which estimates
    more precisely than independent rows, both are conservative: 95 to 100 % per index
    over 200 seeds at n = 256, 100 % at n = 1024. The test suite checks both facts
    (``tests/analysis/test_sobol.py``). The intervals are not clipped to [0, 1]. The point
    estimates do not depend on the interval method.

    References
    ----------
    .. [1] Sobol', I. M. "Global sensitivity indices for nonlinear mathematical models and
       their Monte Carlo estimates." Mathematics and Computers in Simulation 55 (2001) 271-280.
    .. [2] Saltelli, A., et al. "Variance based sensitivity analysis of model output. Design
       and estimator for the total sensitivity index." Computer Physics Communications 181
       (2010) 259-270.
    .. [3] Jansen, M. J. W. "Analysis of variance designs for model output." Computer
       Physics Communications 117 (1999) 35-43.
    .. [4] Janon, A., Klein, T., Lagnoux, A., Nodet, M. and Prieur, C. "Asymptotic
       normality and efficiency of two Sobol index estimators." ESAIM: Probability and
       Statistics 18 (2014) 342-364 (the delta method for these ratio estimators).
    .. [5] Efron, B. "Better bootstrap confidence intervals." Journal of the American
       Statistical Association 82 (1987) 171-185.

    Examples
    --------
    An additive model ``y = a + 2 b`` with ``a``, ``b`` uniform on [0, 1]: ``b`` explains
    4/5 of the variance, ``a`` 1/5, and there is no interaction (S1 = ST).

    >>> from scipy import stats
    >>> from projection.analysis.sensitivity import sobol
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
    interval = _check_interval(interval)
    whole_number("n_resamples", n_resamples, minimum=1)
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
            f"{span([o for o, r in zip(outputs, rare) if r])} to estimate its indices (no "
            f"variance among the {2 * n} base samples A and B): reported as NaN; a larger n helps"
        )
    constant = constant | constant_base

    # scipy's estimator on the evaluations (its dict form); it sets 0/0 to 0, we to NaN.
    # It squeezes its result, which with one input and one output leaves scalars it then
    # fails to write to (TypeError, scipy 1.17): give it that output twice.
    reps = 2 if d == s == 1 else 1
    from scipy import stats

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
        centred = (f_a[keep] - mean, f_b[keep] - mean, f_ab[:, keep] - mean)
        estimate = np.stack([first[:, keep], total[:, keep]])
        if interval == "asymptotic":
            low, high, failed = _asymptotic(*centred, estimate, confidence=confidence)
        else:
            low, high, failed = _bootstrap(
                *centred,
                estimate,
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
                f"no confidence interval for some indices at {output_name} "
                f"{span(bad)} (their bootstrap distribution is degenerate or undefined, as "
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
        interval=interval,
        n_resamples=int(n_resamples) if interval == "bca" else 0,
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
    if not is_whole_number(n):
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
    try:
        real_number("confidence", confidence)
    except ProjectionError:
        raise ProjectionError(
            f"confidence must be a number in (0, 1), e.g. 0.95 (got {confidence!r})"
        ) from None
    if not 0 < float(confidence) < 1:
        raise ProjectionError(f"confidence must be in (0, 1), e.g. 0.95 (got {confidence})")
    return float(confidence)


def _check_interval(interval: Any) -> str:
    if not isinstance(interval, str) or interval.lower() not in INTERVALS:
        raise ProjectionError(
            f"interval must be one of {', '.join(repr(m) for m in INTERVALS)} (got {interval!r})"
        )
    return interval.lower()


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
    return int(seed) if is_whole_number(seed) else None


def _design(
    dists: Sequence[Any], names: tuple[str, ...], n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``A`` and ``B``, each ``(d, n)``: scipy's design (one Sobol' sequence of dimension 2d)."""
    d = len(names)
    from scipy.stats import qmc

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
        f"{what} does not vary at {output_name}s {span([outputs[k] for k in which])} "
        f"(each constant over {m} evaluations): their Sobol' indices are undefined, "
        "reported as NaN"
    ]
