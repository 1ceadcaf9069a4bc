"""Back-testing: fit on the years up to a split, project the years after it, and score.

:func:`backtest` asks of a history what an analyst in the split year could have known: for
each split year it fits on the observations up to it and projects the observed years after
it, with

* ``naive``: the last fitted value, carried forward (no band);
* ``linear trend``: an ordinary least-squares line through the fitted years, with its
  Student-t prediction intervals;
* the scenario's own family for the indicator, as a posterior predictive
  (:func:`~projection.analysis.calibrate.posterior`: the scenario's distributions are the
  priors, updated with the fitted years; the bands include the observation noise).

and scores each on the held-out years: mean absolute error, the largest error and its year,
and the share of observations inside the central 50 % and 80 % bands (the coverage: about 0.5
and 0.8 for honest bands). A method that cannot run on a split (a posterior with too few
effective draws, say) is reported with the reason instead of numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.compiled import compile_scenario
from ..exceptions import ParameterError, ProjectionError, ScenarioError
from ..scenario import Scenario
from ..validation import parse_years, whole_number
from .calibrate.bayes import posterior
from .calibrate.history import read_history

__all__ = ["backtest", "Backtest", "MIN_FIT_YEARS"]

#: Fewest observed years a split must leave to fit on.
MIN_FIT_YEARS = 3
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True)
class Backtest:
    """Scores of each method on each split (:attr:`table`) and its projections
    (:attr:`predictions`: split, method, year, observed, q10, q25, q50, q75, q90)."""

    indicator: str
    unit: str
    history: str
    splits: tuple[int, ...]
    table: pd.DataFrame
    predictions: pd.DataFrame
    #: the whole history (``year``, ``value``)
    observed: pd.DataFrame

    def plot(self) -> Any:
        """A matplotlib figure: one panel per split, the history, each method's projection
        and the bands (see :func:`projection.render.backtest_plot.plot_backtest`)."""
        from ..render.backtest_plot import plot_backtest

        return plot_backtest(self)

    def to_frame(self) -> pd.DataFrame:
        """The scores, one row per split and method."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "unit": self.unit,
            "history": self.history,
            "splits": list(self.splits),
            "scores": self.table.replace({np.nan: None}).to_dict(orient="records"),
        }

    def cells(self) -> list[list[str]]:
        """The scores as text, one row per split and method: split, method, fit, held, MAE,
        largest error (and its year), 50 % band, 80 % band; a method that did not run has
        its reason in the third cell and nothing after it."""
        rows = []
        for r in self.table.itertuples():
            if isinstance(r.failed, str) and r.failed:
                rows.append([str(r.split), r.method, f"not run: {r.failed}"])
                continue
            rows.append(
                [
                    str(r.split),
                    r.method,
                    str(r.n_fit),
                    str(r.n_held),
                    f"{r.mae:.3g}",
                    f"{r.max_error:.3g} in {int(r.worst_year)}",
                    _share(r.coverage_50),
                    _share(r.coverage_80),
                ]
            )
        return rows

    def coverage(self) -> list[str]:
        """Each method's coverage over all splits (held-out years inside its bands), a
        sentence each."""
        lines = []
        for method, rows in self.table[self.table.failed == ""].groupby("method", sort=False):
            held = rows.n_held.sum()
            if rows.coverage_80.isna().all():
                lines.append(f"{method}: no band")
                continue
            c50 = (rows.coverage_50 * rows.n_held).sum() / held
            c80 = (rows.coverage_80 * rows.n_held).sum() / held
            lines.append(
                f"{method}: 50 % band {_share(c50)}, 80 % band {_share(c80)} of {held} "
                "held-out years"
            )
        return lines

    def summary(self) -> str:
        """The scores as a text table, and the coverage of each method over all splits."""
        lines = [
            f"back-test of {self.indicator} on {self.history}: fit up to each split, project "
            f"the years after it ({self.unit})",
            f"  {'split':<6} {'method':<24} {'fit':>4} {'held':>4} {'MAE':>9} "
            f"{'largest error':>19} {'50 % band':>9} {'80 % band':>9}",
        ]
        widths = (-6, -24, 4, 4, 9, 19, 9, 9)  # negative: left-aligned
        for cells in self.cells():
            shown = [f"{c:<{-w}}" if w < 0 else f"{c:>{w}}" for c, w in zip(cells, widths)]
            lines.append("  " + " ".join(shown))
        lines.append("coverage over all splits (held-out years inside the band):")
        lines += [f"  {line}" for line in self.coverage()]
        return "\n".join(lines)


def backtest(
    scenario: Scenario | str | Path | Mapping[str, Any],
    *,
    indicator: str,
    history: str | Path | pd.DataFrame,
    splits: Sequence[int] | str,
    samples: int = 20_000,
    noise: str | float = "fit",
    seed: int | None = None,
    families: Sequence[str] | str | None = None,
) -> Backtest:
    """Fit on the years up to each split, project the years after it, and score each method.

    Parameters
    ----------
    scenario : Scenario, path or mapping
        Its distributions for ``indicator``'s inputs are the priors of the family's posterior.
    indicator : str
        The indicator the history observes.
    history : path or DataFrame
        ``year,value`` observations.
    splits : sequence of int or str
        The last year of each fit (``"2018,2020"`` or ``[2018, 2020]``).
    samples, noise, seed
        Passed to :func:`~projection.analysis.calibrate.posterior`.
    families : sequence of str or str, optional
        Growth families to score side by side (``"logistic,gompertz"``), each with the
        scenario's priors for the parameters they share; default: the scenario's own.

    Returns
    -------
    Backtest

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from projection.analysis.backtest import backtest
    >>> from projection.models import logistic
    >>> yrs = np.arange(2015, 2031)
    >>> obs = logistic.evaluate(yrs, base_year=2015, start=2.0, ceiling=60.0, rate=0.5)
    >>> obs = obs + np.random.default_rng(0).normal(0, 0.5, len(yrs))  # observation noise
    >>> s = {"name": "demo", "horizon": {"start": 2015, "end": 2035}, "indicators": {
    ...     "share": {"unit": "%", "model": "logistic", "params": {
    ...         "start": {"value": 2, "source": "assumption: known"},
    ...         "ceiling": {"value": 60, "source": "assumption: known"},
    ...         "rate": {"value": 0.3, "unit": "1/yr", "source": "assumption: a guess",
    ...                  "distribution": {"type": "uniform", "lower": 0.1, "upper": 1.0}}}}}}
    >>> bt = backtest(s, indicator="share", splits=[2020],
    ...               history=pd.DataFrame({"year": yrs, "value": obs}), seed=1)
    >>> list(bt.table.method)
    ['naive', 'linear trend', 'logistic (posterior)']
    >>> mae = bt.table.set_index("method").mae
    >>> bool(mae["logistic (posterior)"] < 1.0 < mae["linear trend"] < mae["naive"])
    True
    """
    compiled = compile_scenario(scenario)
    scen = compiled.scenario
    if indicator not in scen.indicators:
        compiled.requires([indicator])  # the one "unknown indicator" error
    ind = scen.indicators[indicator]
    variants = {ind.model: compiled}
    for family in _families(families, ind.model):
        if family not in variants:  # the same priors under another family (checked now)
            variants[family] = compile_scenario(
                scen.with_overrides({f"indicators.{indicator}.model": family})
            )
    frame = read_history(history, unit=ind.unit)
    file = frame.attrs.get("file")
    name = str(file) if file else "a DataFrame"
    wanted = _splits(splits)
    years = frame.year.to_numpy(dtype=int)
    rows: list[dict[str, Any]] = []
    predicted: list[pd.DataFrame] = []
    for split in wanted:
        fit, held = frame[frame.year <= split], frame[frame.year > split]
        if len(held) == 0:
            raise ScenarioError(
                f"split {split}: no observed year after it (the history runs "
                f"{years.min()}-{years.max()}); split earlier",
                file=file,
            )
        if len(fit) < MIN_FIT_YEARS:
            raise ScenarioError(
                f"split {split}: {len(fit)} observed year{'s' if len(fit) != 1 else ''} up to "
                f"it, at least {MIN_FIT_YEARS} needed to fit (the history starts in "
                f"{years.min()}); split later",
                file=file,
            )
        t, y = held.year.to_numpy(dtype=float), held.value.to_numpy(dtype=float)
        methods: dict[str, Any] = {
            "naive": lambda fit=fit, t=t: _naive(fit, t),
            "linear trend": lambda fit=fit, t=t: _linear(fit, t),
        }
        for family, variant in variants.items():
            methods[f"{family} (posterior)"] = lambda fit=fit, t=t, v=variant: _posterior(
                v, indicator, fit, t, samples, noise, seed
            )
        for method, run in methods.items():
            base = {"split": split, "method": method, "n_fit": len(fit), "n_held": len(held)}
            try:
                q = run()
            except ProjectionError as err:
                rows.append({**base, **_empty(), "failed": str(err)})
                continue
            rows.append({**base, **_scores(q, t, y), "failed": ""})
            predicted.append(
                pd.DataFrame(
                    {
                        "split": split,
                        "method": method,
                        "year": t.astype(int),
                        "observed": y,
                        **{f"q{round(100 * p):02d}": q[k] for k, p in enumerate(QUANTILES)},
                    }
                )
            )
    return Backtest(
        indicator=indicator,
        unit=ind.unit,
        history=name,
        splits=tuple(wanted),
        table=pd.DataFrame(rows),
        predictions=pd.concat(predicted, ignore_index=True) if predicted else pd.DataFrame(),
        observed=frame[["year", "value"]].reset_index(drop=True),
    )


def _families(families: Sequence[str] | str | None, own: str) -> list[str]:
    if families is None:
        return [own]
    names = families.split(",") if isinstance(families, str) else list(families)
    names = [str(n).strip() for n in names if str(n).strip()]
    if not names:
        raise ParameterError("families", "give at least one growth family")
    return names


def _splits(splits: Sequence[int] | str) -> list[int]:
    if isinstance(splits, str):
        found = parse_years(splits)
    else:
        try:
            found = [whole_number("splits", s) for s in splits]
        except (TypeError, ValueError, ProjectionError):
            raise ParameterError("splits", f"must be years (got {splits!r})") from None
    if not found:
        raise ParameterError("splits", "give at least one year")
    return sorted(set(int(v) for v in found))


def _naive(fit: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    last = float(fit.value.iloc[-1])
    q = np.full((len(QUANTILES), len(t)), np.nan)
    q[QUANTILES.index(0.5)] = last
    return q


def _linear(fit: pd.DataFrame, t: np.ndarray) -> np.ndarray:
    """Ordinary least squares and its Student-t prediction intervals."""
    from scipy import stats

    x, y = fit.year.to_numpy(dtype=float), fit.value.to_numpy(dtype=float)
    n = len(x)
    xbar = x.mean()
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xbar)
    resid = y - (intercept + slope * x)
    s = float(np.sqrt((resid @ resid) / (n - 2))) if n > 2 else 0.0
    centre = intercept + slope * t
    se = s * np.sqrt(1.0 + 1.0 / n + (t - xbar) ** 2 / sxx)
    return np.stack([centre + stats.t.ppf(p, n - 2) * se for p in QUANTILES])


def _posterior(compiled, indicator, fit, t, samples, noise, seed) -> np.ndarray:
    post = posterior(
        compiled.scenario,
        indicator=indicator,
        history=fit.reset_index(drop=True),
        samples=samples,
        noise=noise,
        seed=seed,
    )
    band = post.predict(t, quantiles=QUANTILES, seed=seed)
    return np.stack([band[f"q{round(100 * p):02d}"].to_numpy() for p in QUANTILES])


def _scores(q: np.ndarray, t: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    err = np.abs(q[QUANTILES.index(0.5)] - y)
    k = int(np.argmax(err))

    def inside(lo: float, hi: float) -> float:
        a, b = q[QUANTILES.index(lo)], q[QUANTILES.index(hi)]
        if np.isnan(a).any():
            return float("nan")
        return float(np.mean((a <= y) & (y <= b)))

    return {
        "mae": float(err.mean()),
        "max_error": float(err[k]),
        "worst_year": int(t[k]),
        "coverage_50": inside(0.25, 0.75),
        "coverage_80": inside(0.1, 0.9),
    }


def _empty() -> dict[str, Any]:
    nan = float("nan")
    return {
        "mae": nan,
        "max_error": nan,
        "worst_year": None,
        "coverage_50": nan,
        "coverage_80": nan,
    }


def _share(x: float) -> str:
    return "-" if x != x else f"{100 * x:.0f} %"
