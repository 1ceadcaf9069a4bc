"""Priors to posteriors: update a scenario's distributions with an observed history.

A parameter's distribution in the scenario is its **prior**. :func:`posterior` draws ``samples``
sets of every uncertain input that the indicator depends on, exactly as an ensemble of that size
and seed would (the same blocks, the same Latin hypercube), evaluates the indicator at the
observed years for all of them in one vectorised call, and weights each draw by the likelihood
of the history (**importance sampling** from the prior). The observation model is

.. math:: y_i^{obs} = y(t_i; \\theta) + \\varepsilon_i, \\qquad
          \\varepsilon_i \\sim N(0, \\sigma^2) \\text{ independent},

with :math:`\\sigma` either given (``noise=0.5``, in the indicator's unit) or unknown
(``noise="fit"``, the default) with the scale-invariant prior :math:`p(\\sigma) \\propto 1/\\sigma`,
integrated out: the weight of draw :math:`\\theta` is then :math:`SSR(\\theta)^{-n/2}`, and each
posterior draw gets its own :math:`\\sigma^2 = SSR(\\theta) / \\chi^2_n` (its exact conditional
posterior), used by predictive bands.

The weights' **effective sample size** :math:`(\\sum w)^2 / \\sum w^2` says how many equally
weighted draws they are worth. Below ``min_ess`` the prior draws are too few where the data
put the posterior, and :func:`posterior` refuses, saying so, rather than return a posterior
resting on a handful of draws. Above it, ``keep`` draws are resampled (systematic resampling,
seeded) into an equally weighted sample that keeps the correlations between parameters.

A posterior that is its prior (the data say nothing about a parameter, such as a ceiling fitted
to the early years of a diffusion history) is said plainly, parameter by parameter: a parameter
is **not updated** when its posterior standard deviation is at least :data:`UNCHANGED_SD` of its
prior one and its mean moved by less than :data:`UNCHANGED_SHIFT` prior standard deviations.

References
----------
A. Gelman et al., *Bayesian Data Analysis*, 3rd ed., CRC Press, 2013: sections 3.2 (normal
model with unknown variance, the ``1/sigma`` prior) and 10.4 (importance sampling, effective
sample size).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...engine.compiled import CompiledScenario, compile_scenario
from ...engine.sampling import BLOCK, sample_block, seed_entropy
from ...exceptions import ParameterError, ProjectionError, ScenarioError
from ...files import file_sha256
from ...scenario import Scenario
from ...validation import whole_number
from .history import read_history, select_years
from .importance import normalised, proposal, systematic
from .selection import chosen_inputs, least_squares_first, param_path

__all__ = ["posterior", "Posterior", "UNCHANGED_SD", "UNCHANGED_SHIFT", "MIN_ESS"]

#: A posterior standard deviation at least this share of the prior's (and a small shift of the
#: mean) means nothing was learnt about the parameter.
UNCHANGED_SD = 0.9
#: ... the shift of the mean, in prior standard deviations, below which it did not move.
UNCHANGED_SHIFT = 0.25
#: The smallest effective sample size :func:`posterior` accepts by default.
MIN_ESS = 200
#: Most rounds of adaptive importance sampling before giving up.
MAX_ROUNDS = 8


@dataclass(frozen=True)
class Posterior:
    """The posterior of a scenario's uncertain inputs given one indicator's history.

    Attributes
    ----------
    indicator, unit : str
        The indicator the history observes, and its unit.
    params : tuple of str
        Dotted paths of the inputs updated (each uncertain input the indicator depends on).
    units : tuple of str
        Their written units (as in the scenario file and its distributions).
    prior : ndarray, shape (samples, p)
        The prior draws, as an ensemble of this size and seed draws them.
    weights : ndarray, shape (samples,)
        Their normalised importance weights.
    draws : ndarray, shape (keep, p)
        Equally weighted posterior draws (resampled from the weighted prior draws).
    noise_sd : ndarray, shape (keep,)
        The observation-noise standard deviation of each posterior draw, in ``unit``.
    ess : float
        Effective sample size of the weights.
    """

    indicator: str
    unit: str
    params: tuple[str, ...]
    units: tuple[str, ...]
    prior: np.ndarray
    weights: np.ndarray
    draws: np.ndarray
    noise_sd: np.ndarray
    ess: float
    noise: str
    method: str
    years: tuple[int, ...]
    observed: np.ndarray
    history: str
    seed: Any
    compiled: CompiledScenario = field(repr=False)
    history_sha256: str | None = None
    #: parameters asked for without a prior: fitted by least squares and held there
    least_squares: dict[str, str] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        """Number of prior draws weighted."""
        return len(self.weights)

    def to_frame(self) -> pd.DataFrame:
        """Prior and posterior of each parameter: mean, standard deviation, 5/50/95 %
        quantiles of the posterior, and whether the data updated it at all."""
        rows = []
        for j, path in enumerate(self.params):
            pr, po = self.prior[:, j], self.draws[:, j]
            pr_sd, po_sd = float(pr.std()), float(po.std())
            shift = abs(float(po.mean() - pr.mean()))
            updated = not (
                po_sd >= UNCHANGED_SD * pr_sd and shift <= UNCHANGED_SHIFT * max(pr_sd, 1e-300)
            )
            q05, q50, q95 = np.quantile(po, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "parameter": path,
                    "unit": self.units[j],
                    "prior_mean": float(pr.mean()),
                    "prior_sd": pr_sd,
                    "posterior_mean": float(po.mean()),
                    "posterior_sd": po_sd,
                    "q05": float(q05),
                    "q50": float(q50),
                    "q95": float(q95),
                    "updated": updated,
                }
            )
        return pd.DataFrame(rows)

    def messages(self) -> list[str]:
        """One plain sentence per parameter: what the data did to it."""
        out = [
            f"{path}: no prior, so fitted by least squares and held at {value} for the others"
            for path, value in self.least_squares.items()
        ]
        for r in self.to_frame().itertuples():
            unit = f" {r.unit}" if r.unit else ""
            if r.updated:
                out.append(
                    f"{r.parameter}: updated by the data, {_g(r.prior_mean)} +/- {_g(r.prior_sd)}"
                    f"{unit} (prior) -> {_g(r.posterior_mean)} +/- {_g(r.posterior_sd)}{unit} "
                    f"(posterior, 90 % in [{_g(r.q05)}, {_g(r.q95)}])"
                )
            else:
                out.append(
                    f"{r.parameter}: NOT updated: the posterior is the prior "
                    f"({_g(r.posterior_mean)} +/- {_g(r.posterior_sd)}{unit} against "
                    f"{_g(r.prior_mean)} +/- {_g(r.prior_sd)}{unit}); the history says nothing about "
                    "it, so its value rests on the prior's source"
                )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything :meth:`summary` says, as plain values (for JSON)."""
        return {
            "indicator": self.indicator,
            "unit": self.unit,
            "history": self.history,
            "years": list(self.years),
            "samples": self.samples,
            "effective_sample_size": self.ess,
            "method": self.method,
            "noise": self.noise,
            "noise_sd_median": float(np.median(self.noise_sd)),
            "seed": self.seed,
            "parameters": self.to_frame().to_dict(orient="records"),
            "correlation": self.correlation().to_numpy().tolist(),
            "messages": self.messages(),
        }

    def summary(self) -> str:
        """What the history did to each parameter, in plain words, with the method, the
        effective sample size and the noise."""
        lines = [
            f"posterior of {len(self.params)} parameter{'s' if len(self.params) != 1 else ''} "
            f"of {self.indicator} from {self.history} ({len(self.years)} years, "
            f"{self.years[0]}-{self.years[-1]})",
            f"method: {self.method}; effective sample size {self.ess:,.0f}",
            f"observation noise: {self.noise}; median sd {_g(float(np.median(self.noise_sd)))} "
            f"{self.unit}",
        ]
        lines += [f"  {m}" for m in self.messages()]
        if len(self.params) > 1:
            c = self.correlation().to_numpy()
            pairs = [
                f"{self.params[i].rsplit('.', 1)[-1]}/{self.params[j].rsplit('.', 1)[-1]} "
                f"{c[i, j]:+.2f}"
                for i in range(len(self.params))
                for j in range(i + 1, len(self.params))
            ]
            lines.append("posterior correlations: " + ", ".join(pairs))
        return "\n".join(lines)

    def write(self, path: str | Path) -> Path:
        """Write the scenario with these parameters' distributions replaced by the posterior
        (quantiles, ``type: empirical``) and their dependence kept (``correlations``), so that
        ``run --samples`` on it is a posterior predictive ensemble; see
        :mod:`projection.analysis.calibrate.posterior_file`."""
        from .posterior_file import write_posterior

        return write_posterior(self, path)

    def to_scenario(self) -> Scenario:
        """The scenario :meth:`write` writes, validated."""
        from .posterior_file import posterior_scenario

        return posterior_scenario(self)

    def correlation(self) -> pd.DataFrame:
        """Correlations between the parameters in the posterior (the prior's are zero)."""
        c = np.corrcoef(self.draws, rowvar=False) if len(self.params) > 1 else np.ones((1, 1))
        return pd.DataFrame(np.atleast_2d(c), index=list(self.params), columns=list(self.params))

    def predict(
        self,
        years: Any,
        *,
        predictive: bool = True,
        quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """Quantiles of the indicator at ``years`` over the posterior draws.

        With ``predictive=True`` each draw's value gets its own observation noise
        (:math:`N(0, \\sigma^2)`, ``noise_sd``), so that an 80 % band is meant to hold 80 % of
        future observations; ``False`` gives the band of the curve alone.

        Returns
        -------
        DataFrame
            ``year`` and one column per quantile (``q10``, ``q50``, ...), in ``unit``.
        """
        t = np.atleast_1d(np.asarray(years, dtype=float))
        values = {p: self.draws[:, j] for j, p in enumerate(self.params)}
        ev = self.compiled.evaluate(values, years=t, only=[self.indicator])
        y = np.broadcast_to(ev.values[self.indicator], (len(self.draws), len(t))).copy()
        if predictive:
            rng = np.random.default_rng(seed)
            y += self.noise_sd[:, None] * rng.standard_normal(y.shape)
        q = np.quantile(y, quantiles, axis=0)
        out = pd.DataFrame({"year": t.astype(int)})
        for qq, row in zip(quantiles, q):
            out[f"q{round(100 * qq):02d}"] = row
        return out


def posterior(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    indicator: str,
    history: str | Path | pd.DataFrame,
    samples: int = 100_000,
    noise: str | float = "fit",
    seed: int | None = None,
    years: tuple[int, int] | str | None = None,
    params: Sequence[str] | None = None,
    keep: int = 10_000,
    min_ess: float = MIN_ESS,
) -> Posterior:
    """Update the scenario's priors with an observed history of one indicator.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        The scenario; the distributions of the inputs ``indicator`` depends on are the priors.
    indicator : str
        The indicator the history observes.
    history : path or DataFrame
        ``year,value`` observations (as for :func:`~projection.analysis.calibrate.calibrate`).
    samples : int, default 100,000
        Prior draws to weight (an ensemble's draws of this size and seed).
    noise : "fit" or float, default "fit"
        The observation noise's standard deviation in the indicator's unit, or ``"fit"``:
        unknown, with a ``1/sigma`` prior, integrated out.
    seed : int, optional
        Seeds the prior draws, the resampling and nothing else.
    years : (first, last) or str, optional
        Use only these observed years (``"2015:2020"``).
    params : sequence of str, optional
        Update only these parameters of ``indicator`` (names such as ``rate``, or dotted
        paths); every other input stays at its point value. Default: every input with a
        distribution that the indicator depends on, its own and those of the indicators it
        is derived from.
    keep : int, default 10,000
        Equally weighted posterior draws to keep.
    min_ess : float, default 200
        Refuse when the weights' effective sample size is below this.

    Returns
    -------
    Posterior

    Raises
    ------
    ProjectionError
        No uncertain input to update, or an effective sample size below ``min_ess``.

    Examples
    --------
    Eight noisy years of a logistic share, with the rate's prior uniform over 0.1-1.0/yr:

    >>> import numpy as np, pandas as pd
    >>> from projection.analysis.calibrate import posterior
    >>> from projection.models import logistic
    >>> yrs = np.arange(2020, 2028)
    >>> obs = logistic.evaluate(yrs, base_year=2020, start=2.0, ceiling=60.0, rate=0.5)
    >>> obs = obs + np.random.default_rng(0).normal(0, 0.5, len(yrs))
    >>> s = {"name": "demo", "horizon": {"start": 2020, "end": 2035}, "indicators": {
    ...     "share": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 2, "source": "assumption: known"},
    ...         "ceiling": {"value": 60, "source": "assumption: known"},
    ...         "rate": {"value": 0.3, "unit": "1/yr", "source": "assumption: a guess",
    ...                  "distribution": {"type": "uniform", "lower": 0.1, "upper": 1.0}}}}}}
    >>> post = posterior(s, indicator="share", history=pd.DataFrame({"year": yrs, "value": obs}),
    ...                  samples=20_000, seed=1)
    >>> post.params
    ('indicators.share.params.rate',)
    >>> round(float(np.median(post.draws[:, 0])), 2)
    0.5
    >>> post.to_frame().updated.tolist()
    [True]
    """
    samples = whole_number("samples", samples, minimum=2)
    keep = whole_number("keep", keep, minimum=1)
    if isinstance(noise, str):
        if noise != "fit":
            raise ParameterError("noise", f'must be "fit" or a number above 0 (got {noise!r})')
        sd = None
    else:
        sd = float(noise)
        if not (math.isfinite(sd) and sd > 0):
            raise ParameterError("noise", f'must be "fit" or a number above 0 (got {noise!r})')
    compiled = compile_scenario(scenario)
    scen = compiled.scenario
    if indicator not in scen.indicators:
        compiled.requires([indicator])  # the one "unknown indicator" error
    unit = scen.indicators[indicator].unit
    frame = read_history(history, unit=unit)
    file = frame.attrs.get("file")
    frame = select_years(frame, years, file)
    t = frame.year.to_numpy(dtype=float)
    y = frame.value.to_numpy(dtype=float)
    fixed_by_ls: dict[str, str] = {}
    if params is not None:
        compiled, fixed_by_ls = least_squares_first(compiled, indicator, frame, params)
        scen = compiled.scenario
        params = [p for p in params if param_path(indicator, p) not in fixed_by_ls]
    wanted = set(compiled.requires([indicator]))
    inputs = [inp for inp in compiled.uncertain if inp.indicator in wanted]
    if params is not None:
        inputs = chosen_inputs(compiled, indicator, inputs, params)
    if not inputs:
        raise ProjectionError(
            f"{indicator} depends on no input with a distribution: there is no prior to update "
            "(give a parameter a distribution, or use calibrate's least squares)"
        )
    entropy = seed_entropy(seed)
    blocks = [
        sample_block(
            inputs,
            samples,
            b,
            sampler="lhs",
            entropy=entropy,
            correlations=compiled.scenario.correlations,
        )
        for b in range(-(-samples // BLOCK))
    ]
    prior = np.column_stack([np.concatenate([blk[inp.path] for blk in blocks]) for inp in inputs])
    n = len(y)
    if sd is None and n < 2:
        raise ScenarioError(
            "one observation cannot fit the noise as well: give noise= a value, or more years",
            file=file,
        )

    def ssr_of(x: np.ndarray) -> np.ndarray:
        values = {inp.path: x[:, j] for j, inp in enumerate(inputs)}
        ev = compiled.evaluate(values, years=t, only=[indicator])
        fitted = np.broadcast_to(ev.values[indicator], (len(x), len(t)))
        return ((fitted - y) ** 2).sum(axis=1)

    def loglik(ssr: np.ndarray) -> np.ndarray:
        if sd is None:  # sigma integrated out under p(sigma) ~ 1/sigma
            return -0.5 * n * np.log(np.maximum(ssr, np.finfo(float).tiny))
        return -0.5 * ssr / sd**2

    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(2**31,)))
    x, ssr = prior, ssr_of(prior)
    w, ess = normalised(loglik(ssr))
    rounds = 0
    correlated = compiled.scenario.correlations
    while ess < min_ess and rounds < MAX_ROUNDS or 0 < rounds < 2:
        # adaptive importance sampling: a multivariate t around the weighted draws so far
        if correlated is not None and set(correlated.parameters) & {i.path for i in inputs}:
            raise ProjectionError(
                f"the {samples:,} prior draws are too few (effective sample size {ess:.0f}) "
                "and the priors are correlated (`correlations`), which the adaptive rounds "
                "do not handle: draw more (samples=)"
            )
        rounds += 1
        x, log_ratio = proposal(inputs, x, w, prior, samples, rng)
        ssr = ssr_of(x)
        w, ess = normalised(loglik(ssr) + log_ratio)
    if ess < min_ess:
        raise ProjectionError(
            f"the history puts the posterior where {samples:,} draws are too few: effective "
            f"sample size {ess:.0f} (at least {min_ess:g} needed) after {rounds} rounds of "
            "adaptive importance sampling. Draw more (samples=), or narrow the priors toward "
            "the least-squares fit of calibrate"
        )
    method = (
        f"importance sampling from the prior ({samples:,} draws)"
        if rounds == 0
        else f"adaptive importance sampling: {rounds} rounds of {samples:,} draws from a "
        "multivariate t proposal fitted to the weighted draws, weighted by prior x "
        "likelihood / proposal"
    )
    rows = systematic(w, keep, rng)
    draws = x[rows]
    if sd is None:
        noise_sd = np.sqrt(ssr[rows] / rng.chisquare(n, size=keep))
        described = "fitted: normal, unknown sd with a 1/sd prior, integrated out"
    else:
        noise_sd = np.full(keep, sd)
        described = f"given: normal, sd {sd:g} {unit}"
    return Posterior(
        indicator=indicator,
        unit=unit,
        params=tuple(inp.path for inp in inputs),
        units=tuple(inp.unit for inp in inputs),
        prior=prior,
        weights=w,
        draws=draws,
        noise_sd=noise_sd,
        ess=ess,
        noise=described,
        method=method,
        years=tuple(int(v) for v in t),
        observed=y,
        history=str(file) if file else "a DataFrame",
        history_sha256=file_sha256(file) if file else None,
        least_squares=fixed_by_ls,
        seed=seed,
        compiled=compiled,
    )


def _g(x: float) -> str:
    return f"{x:.4g}"
