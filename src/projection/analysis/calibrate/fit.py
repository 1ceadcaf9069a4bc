"""Fitting growth parameters to a history: bounded least squares on the compiled scenario.

:func:`calibrate` fits parameters of one indicator by :func:`scipy.optimize.least_squares`,
with the model evaluated by the compiled scenario exactly as the engine evaluates it (anchored
at ``(base_year, start)``, clipped as the engine clips), at the observed years.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...engine.compiled import compile_scenario
from ...exceptions import ParameterError, ProjectionError, ScenarioError
from ...models import DERIVED, get_family
from ...scenario import Scenario
from ...text import one_line, printable
from ...units import share_cap
from ...validation import suggest
from .history import read_history, select_years
from .identify import (
    MAX_CONDITION,
    fraction_hint,
    judge,
    profile_cap,
    profile_clipped,
    profile_from_bound,
    std_errors,
    too_early,
)
from .result import Calibration, _fmt, _fmt_pct

__all__ = ["calibrate"]


def calibrate(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    indicator: str,
    history: str | Path | pd.DataFrame,
    params: Sequence[str],
    bounds: Mapping[str, tuple[float, float]] | None = None,
    confidence: float = 0.95,
    years: tuple[int, int] | str | None = None,
) -> Calibration:
    """Fit parameters of one indicator's growth family to an observed history.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario (anything :func:`~projection.load_scenario` accepts). Its current values
        are the starting point of the fit and the fixed values of the parameters not fitted.
    indicator : str
        The indicator to calibrate; its model must be a growth family (not ``derived`` or
        ``staged``).
    history : str, Path or pandas.DataFrame
        Observed values by year: see :func:`read_history`. Values are in the indicator's unit
        unless the history gives its own (``# unit: %`` or a ``unit`` column).
    params : sequence of str
        Names of the family's parameters to fit, e.g. ``["start", "rate", "ceiling"]``.
    bounds : mapping of str to (float, float), optional
        Bounds of fitted parameters in their canonical unit (the indicator's unit for levels,
        [1/yr] for rates). They are intersected with the family's domain, the share cap
        (a level of a share is at most 100 %) and the cross constraint ``start <= ceiling``
        (``market`` for bass).
    confidence : float, default 0.95
        Level of the confidence intervals, in (0, 1).
    years : (int, int) or str, optional
        Use only observations from ``years[0]`` to ``years[1]`` inclusive; or, as text, the
        years named (``"2015:2020"``, ``"2015,2017,2019"``; see
        :func:`projection.validation.parse_years`).

    Returns
    -------
    Calibration

    Raises
    ------
    ScenarioError
        A bad history (naming the file and line), an unknown indicator or parameter, an
        unsupported model, fewer observations than parameters, or empty bounds.
    ParameterError
        ``confidence`` outside (0, 1).

    Notes
    -----
    Minimises :math:`\\sum_i (y(t_i;\\theta) - y_i)^2` with
    :func:`scipy.optimize.least_squares` (trust-region reflective, bounded, central
    differences). At the estimate :math:`\\hat\\theta`, with :math:`J` the Jacobian of the
    residuals, :math:`s^2 = SSR/(n-p)` and

    .. math:: \\mathrm{Cov}(\\hat\\theta) = s^2 (J^T J)^{-1},

    the interval is :math:`\\hat\\theta_j \\pm t_{(1+c)/2,\\,n-p}\\,\\mathrm{se}_j`. This is
    the usual linearised (Wald) interval; it is trustworthy for identifiable parameters and
    is replaced by the allowed range where the linearisation says nothing (see the module
    notes on identifiability). When ``start`` is not fitted the curve passes through the
    scenario's ``(base_year, start)``; the Calibration says so in ``warnings``.

    Examples
    --------
    Noise-free data from a logistic curve are recovered:

    >>> import numpy as np, pandas as pd
    >>> from projection.models import logistic
    >>> yrs = np.arange(2010, 2031)
    >>> obs = logistic.evaluate(yrs, base_year=2020, start=10.0, ceiling=80.0, rate=0.5)
    >>> s = {"name": "demo", "horizon": {"start": 2020, "end": 2035}, "indicators": {
    ...     "share": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 5, "source": "assumption: a guess"},
    ...         "ceiling": {"value": 60, "source": "assumption: a guess"},
    ...         "rate": {"value": 0.3, "unit": "1/yr", "source": "assumption: a guess"}}}}}
    >>> cal = calibrate(s, indicator="share", params=["start", "ceiling", "rate"],
    ...                 history=pd.DataFrame({"year": yrs, "value": obs}))
    >>> {k: round(v, 6) for k, v in cal.estimates.items()}
    {'start': 10.0, 'ceiling': 80.0, 'rate': 0.5}
    >>> all(cal.identifiable.values())
    True
    """
    if not (isinstance(confidence, (int, float)) and 0.0 < confidence < 1.0):
        raise ParameterError("confidence", f"must be between 0 and 1 (got {confidence!r})")
    compiled = compile_scenario(scenario)
    scen = compiled.scenario
    ind, family = _indicator(scen, indicator)
    where = f"indicators.{indicator}"
    names = _param_names(ind, family, indicator, params)
    frame = read_history(history, unit=ind.unit)
    file = frame.attrs.get("file")
    source = one_line(frame.attrs.get("source") or "")  # written into a scenario file
    frame = select_years(frame, years, file)
    n, p = len(frame), len(names)
    t = frame.year.to_numpy(dtype=float)
    y = frame.value.to_numpy(dtype=float)
    span = f"{int(t[0])}-{int(t[-1])}"
    if n < p:
        raise ScenarioError(
            f"{n} observation{'s' if n != 1 else ''} ({span}) but {p} parameters to fit "
            f"({', '.join(names)}): give at least {p} observations or fit fewer parameters",
            file=file,
        )
    base_year = ind.base_year if ind.base_year is not None else scen.horizon.start
    resolved = dict(ind.resolved())
    for name in names:
        if name not in resolved:
            raise ScenarioError(
                f"cannot fit {name!r}: the scenario gives it no value ({ind.model} without a "
                f"{name}); add a value to the scenario first",
                path=f"{where}.params.{name}",
            )
    canon = {nm: family.spec(nm).unit_for(ind.unit) for nm in names}
    written = {}
    for nm in names:
        param = ind.params.get(nm)
        written[nm] = (param.written_unit if param is not None else "") or canon[nm]
    box = _bounds(family, names, resolved, ind.unit, bounds, where)

    # an excluded lower end (ceiling > 0) is approached, never reached
    lb = np.array(
        [
            box[nm][0] if family.spec(nm).lower_inclusive else np.nextafter(box[nm][0], np.inf)
            for nm in names
        ]
    )
    ub = np.array([box[nm][1] for nm in names])
    x0 = np.array([_inside(resolved[nm], box[nm]) for nm in names])
    cap = family.cap
    problem = _Problem(compiled, indicator, t, y, names, resolved, cap, lb, ub)
    fit = problem.fit(x0)
    x = np.clip(fit.x, lb, ub)
    if cap in names and "start" in names:
        # above the ceiling start has no effect (the model uses min(start, ceiling)): report
        # the value that acts
        s_, c_ = names.index("start"), names.index(cap)
        x[s_] = min(x[s_], x[c_])
    res = problem.residuals(x)
    ssr = float(res @ res)
    sst = float(((y - y.mean()) ** 2).sum())
    rmse = math.sqrt(ssr / n)
    r2 = 1.0 - ssr / sst if sst > 0 else float("nan")
    se, singular, weak, cond = std_errors(problem.jacobian(x), ssr, n, p)

    from scipy import stats

    dof = n - p
    tq = float(stats.t.ppf(0.5 + confidence / 2.0, dof)) if dof > 0 else float("nan")
    j_cap = names.index(cap) if cap in names else 0
    early = too_early(ind.model, problem, x, cap, ind.unit) if cap in names else None
    probes = profile_cap(problem, x, float(se[j_cap]), tq, ssr, dof, confidence, ind.unit, early)
    pct = _fmt_pct(confidence)
    estimates = dict(zip(names, map(float, x)))
    errors = dict(zip(names, map(float, se)))
    intervals: dict[str, tuple[float, float]] = {}
    identifiable: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    warns: list[str] = []
    for j, nm in enumerate(names):
        unit = canon[nm]
        ci, why = judge(
            j,
            nm,
            names,
            estimates[nm],
            errors[nm],
            box[nm],
            unit,
            tq,
            dof,
            bool(singular[j]),
            probes,
            cap,
            pct,
        )
        if why is not None and why.startswith("the estimate is at") and nm != cap and dof > 0:
            # the profile from the bound inward, not the whole allowed range (issue 14)
            ci = profile_from_bound(problem, x, j, ssr, dof, confidence, box[nm])
        elif nm != cap and dof > 0 and math.isfinite(errors[nm]):
            # a Wald end clipped at the allowed range: the profile says where the data stop
            ci, open_end = profile_clipped(
                problem, x, j, ssr, dof, confidence, box[nm], ci, tq, errors[nm], unit
            )
            why = why or open_end
        intervals[nm] = ci
        identifiable[nm] = why is None
        if why is not None:
            reasons[nm] = why
            warns.append(
                f"{nm} is not identifiable from these data: {why}. Its {pct} interval is "
                f"[{_fmt(ci[0])}, {_fmt(ci[1])}]{' ' + unit if unit else ''}."
            )
    if cond > MAX_CONDITION and not singular.any():
        warns.append(
            f"The fit is ill-conditioned (condition number of the scaled J^T J {cond:.1e}): "
            f"the data hardly separate {', '.join(n_ for n_, w in zip(names, weak) if w)}; "
            "their standard errors rest on a near-singular matrix."
        )
    open_above = any(pr.at_end and pr.side == "upper" for pr in probes)
    if cap in names and not identifiable[cap] and (open_above or early):
        warns.append(
            f"A {cap} fitted to the early, near-exponential part of a diffusion history is "
            f"usually not identifiable: those years fix the growth rate, not where growth "
            f"stops. Treat the {cap} as an assumption and state its source, or fit it to a "
            "longer history."
        )
    if "start" not in names:
        warns.append(
            f"start is not fitted: the curve is anchored at the scenario's value "
            f"{_fmt(resolved['start'])} {ind.unit} in {base_year}, which the data cannot move; "
            "fit start too unless that value is known."
        )
    hint = fraction_hint(history, ind.unit, y)
    if hint:
        warns.append(hint)
    if not (r2 >= 0.5) and sst > 0:
        warns.append(
            f"The model explains little of the history (R^2 {r2:.3f}): check the family, "
            "the base year and the parameters held fixed."
        )
    if fit.status == 0:
        warns.append(
            "The optimiser stopped at its evaluation limit before converging; the estimates "
            "may not be the least-squares solution."
        )
    data = pd.DataFrame(
        {"year": frame.year.to_numpy(), "observed": y, "fitted": res + y, "residual": res}
    )
    history_path = str(file) if file else None
    return Calibration(
        scenario=scen,
        indicator=indicator,
        model=ind.model,
        base_year=int(base_year),
        unit=ind.unit,
        params=tuple(names),
        estimates=estimates,
        units=canon,
        written_units=written,
        std_errors=errors,
        intervals=intervals,
        bounds={nm: (float(box[nm][0]), float(box[nm][1])) for nm in names},
        initial=dict(zip(names, map(float, x0))),
        identifiable=identifiable,
        confidence=float(confidence),
        n=n,
        years=(int(t[0]), int(t[-1])),
        rmse=rmse,
        r_squared=r2,
        warnings=warns,
        history=printable(Path(file).name) if file else "a DataFrame",
        history_path=history_path,
        history_source=source,
        data=data,
        reasons=reasons,
    )


def _indicator(scen: Scenario, indicator: str):
    if indicator not in scen.indicators:
        known = sorted(scen.indicators)
        raise ScenarioError(
            f"unknown indicator {indicator!r}{suggest(indicator, known)} "
            f"(expected one of: {', '.join(known)})",
            file=scen.file,
            path="indicators",
        )
    ind = scen.indicators[indicator]
    if ind.model in (DERIVED, "staged"):
        why = (
            "it is computed from other indicators; calibrate those instead"
            if ind.model == DERIVED
            else "its milestones are dated values, not a curve to fit"
        )
        raise ScenarioError(
            f"cannot calibrate a {ind.model!r} indicator: {why} (calibration supports the "
            "growth families bass, exponential, gompertz, linear and logistic)",
            file=scen.file,
            path=f"indicators.{indicator}.model",
        )
    return ind, get_family(ind.model)


def _param_names(ind, family, indicator: str, params: Sequence[str]) -> list[str]:
    valid = [nm for nm in family.param_names if nm not in ("milestone_years", "milestone_values")]
    if isinstance(params, str):
        params = [params]
    names = list(params)
    where = f"indicators.{indicator}.params"
    if not names:
        raise ScenarioError(
            f"no parameters to fit (expected some of: {', '.join(valid)})", path=where
        )
    for nm in names:
        if nm not in valid:
            raise ScenarioError(
                f"unknown parameter {nm!r} for {ind.model}{suggest(nm, valid)} "
                f"(expected: {', '.join(valid)})",
                path=f"{where}.{nm}",
            )
    dupes = sorted({nm for nm in names if names.count(nm) > 1})
    if dupes:
        raise ScenarioError(f"parameter {dupes[0]!r} is listed twice", path=f"{where}.{dupes[0]}")
    return names


def _bounds(
    family: Any,
    names: list[str],
    resolved: dict[str, float],
    unit: str,
    user: Mapping[str, tuple[float, float]] | None,
    where: str,
) -> dict[str, tuple[float, float]]:
    """The box each fitted parameter is searched in: its effective domain
    (:meth:`~projection.models.Family.domain`, with the parameters not fitted at their values)
    intersected with the bounds the user gave."""
    user = dict(user or {})
    for nm in user:
        if nm not in names:
            raise ScenarioError(
                f"bounds given for {nm!r}, which is not fitted (fitted: {', '.join(names)})",
                path=f"{where}.params.{nm}",
            )
    cap = family.cap
    full = share_cap(unit)
    fixed = {k: v for k, v in resolved.items() if k not in names}
    out: dict[str, tuple[float, float]] = {}
    for nm in names:
        spec = family.spec(nm)
        domain = family.domain(nm, share_cap=full, values=fixed)
        low, high = domain.lower, domain.upper
        own_low = -math.inf if spec.lower is None else float(spec.lower)
        own_high = math.inf if spec.upper is None else float(spec.upper)
        why = [f"domain [{_fmt(own_low)}, {_fmt(own_high)}]"]
        if spec.kind == "level" and math.isfinite(full):
            why.append(f"a share lies in [0, {_fmt(full)}] {unit}")
        # not ">= the largest observation" for a cap: noisy data near saturation exceed the
        # true ceiling about half the time, and such a bound would exclude the truth
        if nm == cap and "start" in fixed and low == fixed["start"]:
            why.append(f"{cap} >= start ({_fmt(low)} {unit})")
        if nm == "start" and cap in fixed and high == fixed[cap]:
            why.append(f"start <= {cap} ({_fmt(high)} {unit})")
        if nm in user:
            try:
                u_low, u_high = (float(v) for v in user[nm])
            except (TypeError, ValueError):
                raise ScenarioError(
                    f"bounds for {nm!r} must be two numbers (low, high) (got {user[nm]!r})",
                    path=f"{where}.params.{nm}",
                ) from None
            if not u_low < u_high:
                raise ScenarioError(
                    f"bounds for {nm!r} must have low < high (got {u_low:g}, {u_high:g})",
                    path=f"{where}.params.{nm}",
                )
            low, high = max(low, u_low), min(high, u_high)
            why.append(f"the bounds given [{_fmt(u_low)}, {_fmt(u_high)}]")
        if not low < high:
            raise ScenarioError(
                f"no value of {nm!r} is allowed: {'; '.join(why)} leave nothing",
                path=f"{where}.params.{nm}",
            )
        out[nm] = (low, high)
    return out


def _inside(value: float, box: tuple[float, float]) -> float:
    """``value`` clipped strictly inside ``box`` (a start on a bound can stall the fit)."""
    low, high = box
    if math.isfinite(low) and math.isfinite(high):
        pad = 1e-3 * (high - low)
    else:
        pad = 1e-3 * max(1.0, abs(value))
    return float(min(max(value, low + pad), high - pad))


class _Problem:
    """The least-squares problem: residuals, a vectorised Jacobian and the bounded fits.

    The model is the compiled scenario's indicator at the observed years, evaluated for one or
    many parameter sets at once (:meth:`~projection.engine.compiled.CompiledScenario.evaluate`,
    canonical units): the same curve, anchoring and clipping as a run.
    """

    def __init__(self, compiled, indicator, t, y, names, resolved, cap, lb, ub) -> None:
        self.compiled, self.indicator, self.t, self.y = compiled, indicator, t, y
        self.names, self.cap, self.lb, self.ub = names, cap, lb, ub
        self.paths = [f"indicators.{indicator}.params.{name}" for name in names]
        self.fixed = {k: v for k, v in resolved.items() if k not in names}

    def model(self, x: np.ndarray) -> np.ndarray:
        """The trajectory at the observed years: ``(T,)`` for ``x`` of shape ``(p,)``, ``(m, T)``
        for ``m`` parameter sets of shape ``(m, p)`` (one vectorised evaluation)."""
        x = np.asarray(x, dtype=float)
        sets = np.atleast_2d(x)
        values = {path: sets[:, k] for k, path in enumerate(self.paths)}
        if self.cap in self.names and "start" in self.names:  # start <= ceiling
            start, cap = (
                self.paths[self.names.index("start")],
                self.paths[self.names.index(self.cap)],
            )
            values[start] = np.minimum(values[start], values[cap])
        try:
            ev = self.compiled.evaluate(values, years=self.t, only=[self.indicator], written=False)
        except ProjectionError as err:  # pragma: no cover - the bounds keep x in the domain
            raise ProjectionError(f"calibration left the parameter domain: {err}") from None
        out = ev.full(self.indicator)
        return out[0] if x.ndim == 1 else out

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return self.model(x) - self.y

    def jacobian(self, x: np.ndarray, cols: Sequence[int] | None = None) -> np.ndarray:
        """Central differences in the columns ``cols`` (default all), one-sided at a bound."""
        cols = np.arange(x.size) if cols is None else np.asarray(cols, dtype=int)
        k = cols.size
        rows = np.arange(k)
        h = 1e-6 * np.maximum(np.abs(x[cols]), 1e-3)
        up = np.tile(x, (k, 1))
        down = np.tile(x, (k, 1))
        up[rows, cols] = np.minimum(x[cols] + h, self.ub[cols])
        down[rows, cols] = np.maximum(x[cols] - h, self.lb[cols])
        values = self.model(np.vstack([up, down])).reshape(2 * k, -1)
        width = up[rows, cols] - down[rows, cols]
        safe = np.where(width > 0, width, 1.0)
        return np.where(width > 0, (values[:k] - values[k:]).T / safe, 0.0)

    def fit(self, x0: np.ndarray, hold: int | None = None, tol: float = 1e-14):
        """Least squares from ``x0``; with ``hold`` the parameter of that index stays at
        ``x0[hold]`` (a profile). Returns the scipy result with ``x`` of full length."""
        free = [k for k in range(x0.size) if k != hold]
        full = np.array(x0, dtype=float)

        def expand(z: np.ndarray) -> np.ndarray:
            full[free] = z
            return full

        from scipy import optimize

        result = optimize.least_squares(
            lambda z: self.residuals(expand(z)),
            np.clip(full[free], self.lb[free], self.ub[free]),
            jac=lambda z: self.jacobian(expand(z), free),
            bounds=(self.lb[free], self.ub[free]),
            method="trf",
            x_scale="jac",
            ftol=tol,
            xtol=tol,
            gtol=tol,
            max_nfev=2000,
        )
        result.x = expand(result.x).copy()
        return result
