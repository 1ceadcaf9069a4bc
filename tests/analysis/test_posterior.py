"""Priors to posteriors (projection.analysis.calibrate.posterior): importance sampling from the
scenario's distributions, the effective sample size, parameters the data cannot move said
plainly, and predictive bands that cover what they claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import logistic_priors

import projection
from projection.analysis.calibrate import Posterior, posterior
from projection.models import logistic

BASE = 2010


def scenario(rate=(0.2, 0.8), ceiling=(40.0, 100.0), start=(1.0, 4.0)) -> dict:
    """One logistic share with uniform priors on rate, ceiling and start (None: fixed)."""
    return logistic_priors(rate=rate, ceiling=ceiling, start=start)


def history(years, *, start=2.0, ceiling=70.0, rate=0.5, sd=0.0, seed=0) -> pd.DataFrame:
    t = np.asarray(years, dtype=float)
    y = logistic.evaluate(t, base_year=BASE, start=start, ceiling=ceiling, rate=rate)
    y = y + sd * np.random.default_rng(seed).standard_normal(len(t))
    return pd.DataFrame({"year": np.asarray(years, dtype=int), "value": y})


def test_a_long_history_pins_every_parameter_near_the_truth():
    h = history(range(2010, 2031), sd=1.0, seed=3)
    post = posterior(scenario(), indicator="share", history=h, samples=200_000, seed=1)
    s = post.to_frame().set_index("parameter")
    truth = {"rate": 0.5, "ceiling": 70.0, "start": 2.0}
    for name, value in truth.items():
        row = s.loc[f"indicators.share.params.{name}"]
        assert row.updated
        assert row.posterior_sd < 0.5 * row.prior_sd  # learnt a lot
        assert row.q05 <= value <= row.q95
    # the fitted noise is about the true 1.0
    assert 0.6 < float(np.median(post.noise_sd)) < 1.6
    assert post.ess >= 200 and isinstance(post, Posterior)


def test_early_diffusion_data_leave_the_ceiling_at_its_prior():
    """Years well before the inflection, observed with half a point of noise, fix the rate and
    start, not the ceiling: its posterior keeps the prior's width and the message says so.
    (Observed to 0.05 points, the curvature of the same years does narrow the ceiling, from
    17 to 10 points: the posterior says what the data can say, no more and no less.)"""
    h = history(range(2010, 2016), sd=0.5, seed=4)  # 2 % to about 20 %: no inflection yet
    post = posterior(scenario(), indicator="share", history=h, samples=100_000, seed=2)
    s = post.to_frame().set_index("parameter")
    ceiling = s.loc["indicators.share.params.ceiling"]
    assert not ceiling.updated
    assert ceiling.posterior_sd >= 0.9 * ceiling.prior_sd
    assert s.loc["indicators.share.params.rate"].updated
    said = {m.split(":")[0]: m for m in post.messages()}
    assert "NOT updated" in said["indicators.share.params.ceiling"]
    assert "updated by the data" in said["indicators.share.params.rate"]


def test_posterior_keeps_the_correlation_between_parameters():
    """Early data trade a higher rate against a lower ceiling and start: the posterior's
    draws are correlated (the prior's are independent)."""
    h = history(range(2010, 2019), sd=0.3, seed=5)
    post = posterior(scenario(), indicator="share", history=h, samples=100_000, seed=3)
    c = post.correlation()
    assert abs(c.loc["indicators.share.params.rate", "indicators.share.params.start"]) > 0.3
    prior_c = np.corrcoef(post.prior, rowvar=False)
    assert np.abs(prior_c[np.triu_indices(3, 1)]).max() < 0.02


def test_same_seed_same_posterior_and_prior_draws_are_the_ensembles():
    h = history(range(2010, 2020), sd=0.5, seed=6)
    a = posterior(scenario(), indicator="share", history=h, samples=5000, seed=9)
    b = posterior(scenario(), indicator="share", history=h, samples=5000, seed=9)
    assert np.array_equal(a.draws, b.draws) and np.array_equal(a.noise_sd, b.noise_sd)
    e = projection.run(scenario(), samples=5000, seed=9, keep_samples=True)
    for j, path in enumerate(a.params):
        assert np.array_equal(a.prior[:, j], e.draws[path])


def test_too_few_prior_draws_where_the_data_are_is_refused():
    """Precise data and a wide prior: almost all the weight on a few draws; refused with the
    effective sample size and what to do."""
    h = history(range(2010, 2031), sd=0.0)
    with pytest.raises(projection.ProjectionError, match=r"effective sample size \d+ .*samples="):
        posterior(scenario(), indicator="share", history=h, samples=2000, noise=0.01, seed=1)


def test_an_indicator_without_priors_is_refused():
    s = scenario(rate=None, ceiling=None, start=None)
    with pytest.raises(projection.ProjectionError, match="no input with a distribution"):
        posterior(s, indicator="share", history=history(range(2010, 2020)), samples=100)


@pytest.mark.parametrize("noise", ["guess", 0, -1.0, float("nan")])
def test_bad_noise_names_the_parameter(noise):
    with pytest.raises(projection.ParameterError, match="noise"):
        posterior(scenario(), indicator="share", history=history(range(2010, 2020)), noise=noise)


def test_given_noise_is_used_as_is():
    h = history(range(2010, 2025), sd=1.0, seed=8)
    post = posterior(scenario(), indicator="share", history=h, samples=50_000, noise=1.0, seed=1)
    assert np.all(post.noise_sd == 1.0) and "sd 1 %" in post.noise


def test_predictive_bands_cover_held_out_years_as_claimed():
    """Calibration of the whole workflow: true curves drawn from the prior, a noisy history
    up to a split year, the posterior from it, and the 80 % predictive band for the years after
    the split. In aggregate the bands hold between 70 % and 90 % of the held-out observations;
    the band of the curve alone (no observation noise) holds clearly fewer."""
    rng = np.random.default_rng(2026)
    inside = inside_curve = total = 0
    for k in range(12):
        truth = {
            "rate": rng.uniform(0.2, 0.8),
            "ceiling": rng.uniform(40, 100),
            "start": rng.uniform(1, 4),
        }
        sd = 2.0
        h = history(range(2010, 2031), sd=sd, seed=100 + k, **truth)
        fit, held = h[h.year <= 2018], h[h.year > 2018]
        post = posterior(scenario(), indicator="share", history=fit, samples=50_000, seed=k)
        band = post.predict(held.year, quantiles=(0.1, 0.9), seed=k)
        curve = post.predict(held.year, quantiles=(0.1, 0.9), predictive=False)
        y = held.value.to_numpy()
        inside += int(((band.q10 <= y) & (y <= band.q90)).sum())
        inside_curve += int(((curve.q10 <= y) & (y <= curve.q90)).sum())
        total += len(y)
    coverage = inside / total
    assert 0.70 <= coverage <= 0.90, coverage
    assert inside_curve < inside


def test_params_choose_what_is_updated_and_the_rest_stays_at_its_point_value():
    h = history(range(2010, 2020), sd=0.5, seed=7)
    post = posterior(scenario(), indicator="share", history=h, params=["rate"], seed=1)
    assert post.params == ("indicators.share.params.rate",)
    # start and ceiling held at their point values (2 and 70, the truth): rate well pinned
    assert abs(float(np.median(post.draws[:, 0])) - 0.5) < 0.02
    with pytest.raises(projection.ParameterError, match=r"'rat' is not a parameter of share"):
        posterior(scenario(), indicator="share", history=h, params=["rat"])
    # a parameter asked for without a prior keeps least squares: fitted, then held there
    fixed_start = scenario(start=None)
    post = posterior(fixed_start, indicator="share", history=h, params=["rate", "start"], seed=1)
    assert post.params == ("indicators.share.params.rate",)
    ((path, held),) = post.least_squares.items()
    assert path == "indicators.share.params.start" and held.endswith(" %")
    assert abs(float(held.split()[0]) - 2.0) < 0.5  # the true start, from the noisy years
    assert post.messages()[0].startswith(
        "indicators.share.params.start: no prior, so fitted by least squares and held at"
    )
    start = post.to_scenario().indicators["share"].params["start"]
    assert start.distribution is None and start.source.startswith("calibrated: least squares")
