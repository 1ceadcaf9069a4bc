"""Is a fitted parameter identifiable? Standard errors, profiles and plain reasons.

The least-squares estimate always exists; whether the data determine it is another matter.
:func:`judge` decides, parameter by parameter, with the reasons listed in
:mod:`projection.analysis.calibrate`: a singular or ill-conditioned ``J^T J``, an estimate at
an end of its range, a large relative standard error, an interval covering most of the range,
and for a ceiling its profile (:func:`profile_cap`) and whether the history reaches beyond the
fitted curve's inflection (:func:`too_early`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...models.exponential import SHARPNESS
from ...units import is_percent
from .history import read_history
from .result import _fmt, _fmt_pct

__all__ = [
    "fraction_hint",
    "judge",
    "inflection_level",
    "profile_cap",
    "profile_from_bound",
    "profile_clipped",
    "std_errors",
    "too_early",
    "Probe",
] + [
    "MAX_RELATIVE_SE",
    "MAX_RANGE_SHARE",
    "MAX_CONDITION",
    "MIN_PAST_INFLECTION",
]

#: A parameter whose standard error exceeds this share of its estimate is not identifiable.
MAX_RELATIVE_SE: float = 0.5
#: A parameter whose confidence interval covers more than this share of its allowed (finite)
#: range is not identifiable.
MAX_RANGE_SHARE: float = 0.5
#: Largest condition number of the column-scaled ``J^T J`` before the fit is called
#: ill-conditioned.
MAX_CONDITION: float = 1e10
#: A ceiling (or Bass market) is identifiable only when at least this many observations lie
#: beyond the inflection point of the fitted curve: before it, the data show growth, not where
#: it stops, and a low ceiling "found" there is usually noise.
MIN_PAST_INFLECTION: int = 3


def judge(
    j: int,
    nm: str,
    names: list[str],
    est: float,
    s: float,
    box: tuple[float, float],
    unit: str,
    tq: float,
    dof: int,
    singular: bool,
    probes: list[Probe],
    cap: str | None,
    pct: str,
) -> tuple[tuple[float, float], str | None]:
    """The interval of one parameter and, when it is not identifiable, why not."""
    low, high = box
    u = f" {unit}" if unit else ""
    width = high - low
    tol = 1e-6 * (width if math.isfinite(width) else max(1.0, abs(est)))
    why: str | None = None
    if dof == 0:
        why = "there are as many parameters as observations, so the fit is exact and says nothing about uncertainty"
    elif singular:
        why = "J^T J is singular in its direction (the data cannot tell it apart from the others)"
    elif est - low <= tol or high - est <= tol:
        side, end = ("lower", low) if est - low <= tol else ("upper", high)
        why = f"the estimate is at the {side} end of its allowed range, {_fmt(end)}{u}"
    if why is not None:
        if nm == cap and why.startswith("the estimate is at"):
            # the profile from the bound inward: where the data start to reject the ceiling
            other = "upper" if est - low <= tol else "lower"
            edge = next((p for p in probes if p.side == other and not p.at_end), None)
            if edge is not None:
                alt = float(edge.x[j])
                return ((float(low), alt) if other == "upper" else (alt, float(high))), why
        return (float(low), float(high)), why
    ci = (max(low, est - tq * s), min(high, est + tq * s))
    for probe in probes:
        # parameters that fit about as well with the ceiling held elsewhere on its profile
        alt = float(probe.x[j])
        if not probe.at_end:
            if nm == cap and probe.replaces_wald:  # the Wald end ran past the range: profile
                ci = (alt, ci[1]) if probe.side == "lower" else (ci[0], alt)
            else:
                ci = (min(ci[0], alt), max(ci[1], alt))
            continue
        if why is None and nm == cap:
            why = probe.reason
        elif why is None and not ci[0] <= alt <= ci[1]:
            why = (
                f"it depends on the {cap}, which these data do not determine: with the {cap} "
                f"held at {_fmt(probe.x[names.index(cap)])}{u} it is {_fmt(alt)}{u}"
            )
        ci = (min(ci[0], alt), max(ci[1], alt))
        if probe.side == "upper" and probe.unbounded and nm == cap:
            ci = (ci[0], high)
    if why is None and est != 0 and s / abs(est) > MAX_RELATIVE_SE:
        why = (
            f"its relative standard error is {_fmt(100 * s / abs(est), 3)} % "
            f"(above {_fmt(100 * MAX_RELATIVE_SE)} %)"
        )
    if why is None and math.isfinite(width) and width > 0:
        share_of_range = (ci[1] - ci[0]) / width
        if share_of_range > MAX_RANGE_SHARE:
            why = (
                f"its {pct} interval covers {_fmt(100 * share_of_range, 3)} % of its allowed "
                f"range [{_fmt(low)}, {_fmt(high)}]{u}"
            )
    return (float(ci[0]), float(ci[1])), why


def inflection_level(model: str, values: Mapping[str, float]) -> float:
    """Level [indicator unit] at which the family's curve turns from speeding up to slowing
    down: ``C/2`` (logistic), ``C/e`` (Gompertz), ``m (q - p) / (2 q)`` (Bass, 0 when
    ``q <= p``), ``C (k + 1)^(-1/k)`` (exponential with a ceiling, sharpness ``k``)."""
    if model == "logistic":
        return values["ceiling"] / 2.0
    if model == "gompertz":
        return values["ceiling"] / math.e
    if model == "bass":
        p, q, m = values["p"], values["q"], values["market"]
        return m * max(0.0, (q - p) / (2.0 * q)) if q > 0 else 0.0
    k = SHARPNESS  # exponential with a ceiling
    return values["ceiling"] * (k + 1.0) ** (-1.0 / k)


def too_early(model: str, problem: Any, x: np.ndarray, cap: str, unit: str) -> str | None:
    """Why the ceiling cannot be identified when fewer than :data:`MIN_PAST_INFLECTION`
    observations lie beyond the fitted curve's inflection, else ``None``."""
    values = {**problem.fixed, **dict(zip(problem.names, map(float, x)))}
    level = inflection_level(model, values)
    past = int(np.sum(problem.model(x) >= level))
    if past >= MIN_PAST_INFLECTION:
        return None
    return (
        f"only {past} of the {problem.y.size} observations lie beyond the inflection point of "
        f"the fitted curve ({_fmt(level)}{' ' + unit if unit else ''}, where growth starts to "
        f"slow); at least {MIN_PAST_INFLECTION} are needed before the data can show where "
        "growth stops"
    )


@dataclass(frozen=True)
class Probe:
    """A parameter set on the profile of the ceiling that the data do not reject."""

    side: str  # "lower" or "upper"
    x: np.ndarray  # all fitted parameters, the ceiling held at x[j] and the others refitted
    ssr: float
    at_end: bool  # True: the end of the allowed range (or 10x the estimate when unbounded)
    unbounded: bool = False  # the upper end probed stands for an unbounded range
    reason: str | None = None  # at an end: why the ceiling is not identifiable
    #: the Wald interval ran past the end of the range on this side: the profile's edge (or
    #: the largest observation) is the interval's end there, not the clipped Wald end
    replaces_wald: bool = False


def profile_cap(
    problem: Any,
    x: np.ndarray,
    se: float,
    tq: float,
    ssr: float,
    dof: int,
    confidence: float,
    unit: str,
    too_early: str | None,
) -> list[Probe]:
    """Check the ceiling's interval against its profile.

    Holding the ceiling at a value ``c`` and refitting the other parameters gives the profile
    sum of squares ``SSR(c)``; the F test keeps ``c`` when
    ``SSR(c) <= SSR (1 + F(conf; 1, n-p) / (n-p))``. For each side: if the end of the allowed
    range (ten times the estimate when unbounded) is kept, the data cannot bound the ceiling
    on that side; otherwise, if the Wald end ``estimate +/- t se`` is kept, the profile
    interval reaches further and its end is found by root finding. Returns the parameter sets
    at those places (empty when the Wald interval is consistent with the profile).

    ``too_early`` (the history ends before the curve's inflection) keeps the upper end
    whatever the F test says, with that reason.
    """
    names, cap, lb, ub = problem.names, problem.cap, problem.lb, problem.ub
    if cap not in names or dof <= 0:
        return []
    j = names.index(cap)
    from scipy import optimize

    limit = _f_limit(ssr, dof, confidence)
    at = _profile(problem, x, j)

    out: list[Probe] = []
    unbounded = not math.isfinite(ub[j])
    # no curve that approaches its ceiling from below sits under the largest observation: the
    # data bound the ceiling from below (unless the fit itself puts it lower)
    top = float(np.max(problem.y)) if problem.y.size else -math.inf
    floor = top if lb[j] < top < x[j] else lb[j]
    ends = {"lower": floor, "upper": 10.0 * max(x[j], 1e-300) if unbounded else ub[j]}
    span = ub[j] - lb[j] if not unbounded else max(1.0, abs(x[j]))
    at_bound = min(x[j] - lb[j], ub[j] - x[j]) <= 1e-6 * span
    for side, end in ends.items():
        sign = -1.0 if side == "lower" else 1.0
        if abs(end - x[j]) <= 1e-9 * max(1.0, abs(x[j])):
            continue  # at the end already: reported as such
        end_ssr, end_x = at(end)
        wald = x[j] + sign * tq * se if math.isfinite(se) else end
        past_end = not (min(x[j], end) < wald < max(x[j], end))
        if side == "lower" and end > lb[j] and end_ssr <= limit:
            # the data cannot reject a ceiling down to their largest value: it closes there
            out.append(Probe(side, end_x, end_ssr, False, replaces_wald=past_end))
            continue
        if end_ssr <= limit or (too_early and side == "upper"):
            u = f" {unit}" if unit else ""
            reason = (
                too_early
                if end_ssr > limit
                else (
                    f"with the {cap} held at {_fmt(end)}{u} (the {side} end of its allowed range) "
                    f"the other parameters fit about as well (sum of squares {_fmt(end_ssr)} against "
                    f"{_fmt(ssr)}; an F test does not reject it at the {_fmt_pct(confidence)} level)"
                )
            )
            out.append(Probe(side, end_x, end_ssr, True, unbounded and side == "upper", reason))
            continue
        if past_end:  # the Wald interval runs past the end: the profile's edge is inside
            edge = optimize.brentq(
                lambda c: at(c)[0] - limit,
                end,
                x[j],
                xtol=1e-4 * max(1.0, abs(x[j])),
                rtol=1e-4,
                maxiter=60,
            )
            edge_ssr, edge_x = at(edge)
            out.append(Probe(side, edge_x, edge_ssr, False, replaces_wald=True))
            continue
        wald_ssr, wald_x = at(wald)
        if wald_ssr > limit:
            if at_bound:  # from a bound, the profile's edge is the interval's other end
                edge = optimize.brentq(
                    lambda c: at(c)[0] - limit,
                    x[j],
                    wald,
                    xtol=1e-4 * max(1.0, abs(x[j])),
                    rtol=1e-4,
                    maxiter=60,
                )
                out.append(Probe(side, at(edge)[1], at(edge)[0], False))
            continue  # the Wald end is rejected: the profile interval is inside it
        edge = optimize.brentq(
            lambda c: at(c)[0] - limit, wald, end, xtol=0.01 * se, rtol=1e-4, maxiter=60
        )
        edge_ssr, edge_x = at(edge)
        out.append(Probe(side, edge_x, edge_ssr, False))
    return out


def profile_from_bound(
    problem: Any,
    x: np.ndarray,
    j: int,
    ssr: float,
    dof: int,
    confidence: float,
    box: tuple[float, float],
) -> tuple[float, float]:
    """The interval of parameter ``j`` whose estimate sits at an end of ``box``: from that
    end to where its profile (the parameter held, the others refitted) crosses the F test's
    limit, or the whole range when the profile never does."""
    from scipy import optimize

    low, high = box
    at_low = abs(x[j] - low) <= abs(high - x[j])
    far = high if at_low else low
    if not math.isfinite(far):
        far = x[j] + (1 if at_low else -1) * 10.0 * max(1.0, abs(x[j]))
    excess = _excess(problem, x, j, _f_limit(ssr, dof, confidence))

    if excess(far) <= 0:  # the data cannot reject the other end either
        return float(low), float(high)
    edge = optimize.brentq(excess, x[j], far, xtol=1e-6 * max(1.0, abs(far - x[j])), maxiter=60)
    return (float(low), float(edge)) if at_low else (float(edge), float(high))


def profile_clipped(
    problem: Any,
    x: np.ndarray,
    j: int,
    ssr: float,
    dof: int,
    confidence: float,
    box: tuple[float, float],
    ci: tuple[float, float],
    tq: float,
    se: float,
    unit: str = "",
) -> tuple[tuple[float, float], str | None]:
    """Where the Wald interval ``est +/- t se`` of parameter ``j`` runs past an end of its
    allowed range (and was clipped there), the profile's edge on that side instead, or the
    end itself when the data do not reject it; then also why the parameter is not
    identifiable (its interval is open there), else ``None``."""
    from scipy import optimize

    low, high = box
    excess = _excess(problem, x, j, _f_limit(ssr, dof, confidence))

    out = list(ci)
    reached = None
    for k, (wald, end) in enumerate(((x[j] - tq * se, low), (x[j] + tq * se, high))):
        if not (math.isfinite(end) and (wald < end if k == 0 else wald > end)):
            continue  # not clipped on this side
        inner = np.nextafter(end, x[j])  # an excluded end (a ceiling > 0) is never reached
        if excess(inner) <= 0:
            reached = "lower" if k == 0 else "upper"
            continue
        span = max(1.0, abs(inner - x[j]))
        out[k] = float(optimize.brentq(excess, x[j], inner, xtol=1e-6 * span, maxiter=60))
    why = None
    if reached:
        end = low if reached == "lower" else high
        why = (
            f"its profile interval runs into the {reached} end of its allowed range "
            f"({_fmt(end)}{' ' + unit if unit else ''}): the data do not bound it on that side"
        )
    return (out[0], out[1]), why


def _f_limit(ssr: float, dof: int, confidence: float) -> float:
    """The largest profile sum of squares the F test keeps: ``SSR (1 + F(conf; 1, dof) / dof)``."""
    from scipy import stats

    return ssr * (1.0 + stats.f.ppf(confidence, 1, dof) / dof)


def _profile(problem: Any, x: np.ndarray, j: int) -> Callable[[float], tuple[float, np.ndarray]]:
    """``at(value)``: parameter ``j`` held at ``value``, the others refitted from ``x``; the
    sum of squares and the parameters found."""

    def at(value: float) -> tuple[float, np.ndarray]:
        start = x.copy()
        start[j] = value
        trial = problem.fit(start, hold=j, tol=1e-8).x
        r = problem.residuals(trial)
        return float(r @ r), trial

    return at


def _excess(problem: Any, x: np.ndarray, j: int, limit: float) -> Callable[[float], float]:
    """How far the profile sum of squares at a value of parameter ``j`` is above ``limit``."""
    at = _profile(problem, x, j)
    return lambda value: at(value)[0] - limit


def std_errors(
    jac: np.ndarray, ssr: float, n: int, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standard errors from ``s^2 (J^T J)^-1``.

    Returns the standard errors, which parameters lie in a singular direction of ``J^T J``
    (their standard error is ``inf``), which load on its weakest direction, and the condition
    number of ``J^T J`` after scaling each column of ``J`` to unit length (so that units do not
    matter).
    """
    norms = np.linalg.norm(jac, axis=0)
    singular = norms == 0
    scale = np.where(singular, 1.0, norms)
    _, sv, vt = np.linalg.svd(jac / scale, full_matrices=False)
    top = sv.max() if sv.size else 0.0
    tiny = sv <= top * 1e-10 if top > 0 else np.ones(sv.shape, dtype=bool)
    for k in np.flatnonzero(tiny):
        singular |= np.abs(vt[k]) > 0.05
    weak = np.abs(vt[-1]) > 0.3 if sv.size else np.zeros(p, dtype=bool)
    cond = float((top / sv.min()) ** 2) if sv.size and sv.min() > 0 else math.inf
    if n == p:
        return np.full(p, np.nan), singular, weak, cond
    keep = ~tiny
    inv = (vt[keep].T / sv[keep] ** 2) @ vt[keep]
    var = ssr / (n - p) * np.diag(inv) / scale**2
    se = np.sqrt(np.maximum(var, 0.0))
    se[singular] = math.inf
    return se, singular, weak, cond


def fraction_hint(history: Any, unit: str, observed: np.ndarray) -> str | None:
    """A warning when a history of fractions was probably fitted to an indicator in %.

    Values without a unit are read in the indicator's unit: 0.3 on an indicator in % is 0.3 %.
    When every observed value lies in [0, 1] and the history names no unit of its own, the
    values may be fractions (0.3 for 30 %) or small percentages; the warning says how to
    declare either, which also silences it.
    """
    if not is_percent(unit):
        return None
    top = float(np.max(observed)) if observed.size else 0.0
    if not (top > 0 and float(np.min(observed)) >= 0 and top <= 1):
        return None
    if read_history(history, unit=None).attrs.get("unit"):
        return None  # the history says its unit: the values are what it says
    return (
        f"Every value of the history lies between 0 and 1 and has no unit, so it was read in "
        f"% (at most {_fmt(top)} %). If the values are fractions (0.3 for 30 %), declare them "
        "with a line `# unit: dimensionless` in the file (or a `unit` column) and they are "
        "converted; if they are percentages, `# unit: %` says so."
    )
