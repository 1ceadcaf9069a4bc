"""Sampling the uncertain inputs (projection.engine.sampling): shapes and keys, reproducibility,
the stratification of Latin hypercube and Sobol draws, blocks, and the seed policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import projection
from projection.engine.sampling import (
    BLOCK,
    MAX_SAMPLES,
    SAMPLERS,
    check_samples,
    rng_from,
    sample,
    sample_block,
    seed_entropy,
    uncertain_parameters,
)
from projection.exceptions import ProjectionError

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
UNIT_UNIFORM = {"type": "uniform", "lower": 0, "upper": 1}


def param(value, unit, dist=None):
    p = {"value": value, "unit": unit, "source": "assumption: test"}
    if dist is not None:
        p["distribution"] = dist
    return p


def linear(start, slope):
    return {"unit": "GW", "model": "linear", "params": {"start": start, "slope": slope}}


def scenario(indicators: dict):
    return projection.load_scenario(
        {"name": "s", "horizon": {"start": 2025, "end": 2030}, "indicators": indicators}
    )


@pytest.fixture(scope="module")
def unit_cube():
    """Three inputs, each uniform on [0, 1] (so a draw is its uniform number itself); the
    indicators are named so that the file's order is not the sorted order."""
    return scenario(
        {
            "zeta": linear(param(0.5, "GW", UNIT_UNIFORM), param(0.5, "GW/yr", UNIT_UNIFORM)),
            "alpha": linear(param(0.5, "GW", UNIT_UNIFORM), param(0.5, "GW/yr")),
        }
    )


PATHS = [
    "indicators.alpha.params.start",
    "indicators.zeta.params.slope",
    "indicators.zeta.params.start",
]


# --------------------------------------------------------------------------- shape and keys


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_one_array_of_n_values_per_uncertain_input_sorted_by_path(unit_cube, sampler):
    draws = sample(unit_cube, 17, sampler=sampler, seed=1)
    assert list(draws) == PATHS  # sorted, and only the inputs with a distribution
    assert [i.path for i in uncertain_parameters(unit_cube)] == PATHS
    for values in draws.values():
        assert values.shape == (17,) and values.dtype == np.float64
        assert np.all((values >= 0) & (values <= 1))


def test_no_distribution_no_draws(mini):
    assert sample(projection.load_scenario(mini), 10, seed=1) == {}
    assert uncertain_parameters(projection.load_scenario(mini)) == []


def test_sample_takes_a_file_or_a_shipped_name():
    draws = sample(SCENARIOS / "baseline.yaml", 4, seed=1)
    assert draws and all(v.shape == (4,) for v in draws.values())
    shipped = sample("baseline", 4, seed=1)
    assert list(shipped) == list(draws)
    assert all(np.array_equal(shipped[p], draws[p]) for p in draws)


def test_draws_are_in_the_written_unit():
    # written in MW for an indicator in GW: the draws stay in MW
    s = scenario(
        {
            "x": linear(
                param(10_000, "MW", {"type": "uniform", "lower": 8_000, "upper": 12_000}),
                param(2, "GW/yr"),
            )
        }
    )
    draws = sample(s, 64, seed=3)["indicators.x.params.start"]
    assert draws.min() >= 8_000 and draws.max() <= 12_000
    assert draws.mean() == pytest.approx(10_000, rel=0.02)
    (inp,) = uncertain_parameters(s)
    assert (inp.unit, inp.factor) == ("MW", 0.001)


def test_milestone_values_and_years_are_inputs():
    s = projection.load_scenario(SCENARIOS / "paper-targets.yaml")
    draws = sample(s, 200, seed=2)
    years = draws["indicators.ofc_capacity.milestones.1.year"]
    assert set(np.unique(years)) == {2028.0, 2029.0}  # its choice of years, both drawn


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_same_seed_same_numbers_different_seed_different_numbers(unit_cube, sampler):
    a = sample(unit_cube, 64, sampler=sampler, seed=11)
    b = sample(unit_cube, 64, sampler=sampler, seed=11)
    c = sample(unit_cube, 64, sampler=sampler, seed=12)
    for path in PATHS:
        assert np.array_equal(a[path], b[path])  # bit for bit
        assert not np.array_equal(a[path], c[path])


def test_a_generator_seed_is_reproducible_by_its_state(unit_cube):
    a = sample(unit_cube, 32, seed=np.random.default_rng(5))
    b = sample(unit_cube, 32, seed=np.random.default_rng(5))
    assert all(np.array_equal(a[p], b[p]) for p in PATHS)
    gen = np.random.default_rng(5)
    first, second = sample(unit_cube, 32, seed=gen), sample(unit_cube, 32, seed=gen)
    assert not np.array_equal(first[PATHS[0]], second[PATHS[0]])  # the generator moved on


def test_no_seed_gives_fresh_draws(unit_cube):
    a, b = sample(unit_cube, 32, seed=None), sample(unit_cube, 32, seed=None)
    assert not np.array_equal(a[PATHS[0]], b[PATHS[0]])


def test_samplers_differ_from_each_other(unit_cube):
    draws = {name: sample(unit_cube, 32, sampler=name, seed=1)[PATHS[0]] for name in SAMPLERS}
    assert not np.array_equal(draws["lhs"], draws["mc"])
    assert not np.array_equal(draws["lhs"], draws["sobol"])


def test_sample_gives_the_draws_the_ensemble_uses():
    # an ensemble run with keep_samples keeps its members; a linear start drawn by sample()
    # is the first year's value of each member
    s = scenario(
        {
            "x": linear(
                param(10, "GW", {"type": "uniform", "lower": 8, "upper": 12}),
                param(2, "GW/yr"),
            )
        }
    )
    draws = sample(s, 40, seed=9)["indicators.x.params.start"]
    run = projection.run(s, samples=40, seed=9, keep_samples=True)
    np.testing.assert_allclose(run.members["x"][:, 0], draws, rtol=1e-12)


# --------------------------------------------------------------------------- stratification


@pytest.mark.parametrize("n", [1, 2, 7, 100, 1000])
def test_lhs_puts_one_point_in_each_of_n_strata_per_dimension(unit_cube, n):
    draws = sample(unit_cube, n, sampler="lhs", seed=4)
    for values in draws.values():
        strata = np.floor(values * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n))


def test_mc_is_not_stratified(unit_cube):
    # the contrast that gives the LHS test its meaning: 1000 plain Monte Carlo points leave
    # strata empty (the chance of a permutation is 1000! / 1000**1000)
    values = sample(unit_cube, 1000, sampler="mc", seed=4)[PATHS[0]]
    assert len(set(np.floor(values * 1000).astype(int).tolist())) < 1000


@pytest.mark.parametrize("m", [1, 4, 8])
def test_sobol_draws_of_a_power_of_two_are_balanced(unit_cube, m):
    n = 2**m
    draws = sample(unit_cube, n, sampler="sobol", seed=6)
    cols = [draws[p] for p in PATHS]
    # every coordinate: exactly one point in each interval [k / n, (k + 1) / n)
    for values in cols:
        assert sorted(np.floor(values * n).astype(int).tolist()) == list(range(n))
    # the first two coordinates form a (0, m, 2)-net: each elementary box 2^-a x 2^-(m - a)
    # holds exactly one point
    x, y = cols[0], cols[1]
    for a in range(m + 1):
        boxes = np.floor(x * 2**a).astype(int) * 2 ** (m - a) + np.floor(y * 2 ** (m - a)).astype(
            int
        )
        assert sorted(boxes.tolist()) == list(range(n))


def test_sobol_of_other_sizes_draws_without_a_warning(unit_cube):
    # n = 10 is not a power of two: scipy warns, the sampler does not (warnings are errors here)
    draws = sample(unit_cube, 10, sampler="sobol", seed=6)
    assert all(v.shape == (10,) for v in draws.values())


# --------------------------------------------------------------------------- blocks


def test_an_ensemble_larger_than_a_block_is_the_concatenation_of_its_blocks(unit_cube):
    inputs = uncertain_parameters(unit_cube)
    n = BLOCK + 100
    for sampler in sorted(SAMPLERS):
        whole = sample(unit_cube, n, sampler=sampler, seed=21)
        entropy = seed_entropy(21)
        # blocks drawn on their own, the last one first
        last = sample_block(inputs, n, 1, sampler=sampler, entropy=entropy)
        first = sample_block(inputs, n, 0, sampler=sampler, entropy=entropy)
        assert sample_block(inputs, n, 2, sampler=sampler, entropy=entropy) == {}
        for path in PATHS:
            assert first[path].shape == (BLOCK,) and last[path].shape == (100,)
            assert np.array_equal(whole[path], np.concatenate([first[path], last[path]]))
        # a block's draws do not depend on the ensemble it belongs to: the first block of an
        # ensemble of BLOCK + 100 is the whole of an ensemble of BLOCK
        exact = sample(unit_cube, BLOCK, sampler=sampler, seed=21)
        for path in PATHS:
            assert np.array_equal(exact[path], whole[path][:BLOCK])


def test_each_lhs_block_is_a_latin_hypercube(unit_cube):
    inputs = uncertain_parameters(unit_cube)
    n = BLOCK + 100
    last = sample_block(inputs, n, 1, sampler="lhs", entropy=seed_entropy(3))
    for values in last.values():
        assert sorted(np.floor(values * 100).astype(int).tolist()) == list(range(100))


def test_sample_block_without_inputs_is_empty():
    assert sample_block([], 10, 0, sampler="lhs", entropy=1) == {}


# --------------------------------------------------------------------------- check_samples


def test_check_samples_accepts():
    assert check_samples(1, "lhs") == 1
    assert check_samples(MAX_SAMPLES, "mc") == MAX_SAMPLES
    got = check_samples(np.int64(8), "sobol")
    assert got == 8 and type(got) is int


@pytest.mark.parametrize("n", [0, -5, MAX_SAMPLES + 1, True, 2.0, "10", None])
def test_check_samples_refuses_bad_sizes(n):
    with pytest.raises(ProjectionError, match=r"^samples must be a whole number from 1 to"):
        check_samples(n, "lhs")


@pytest.mark.parametrize("sampler", ["random", "LHS", "", "halton"])
def test_check_samples_refuses_unknown_samplers(sampler):
    with pytest.raises(ProjectionError) as info:
        check_samples(10, sampler)
    assert f"unknown sampler {sampler!r}" in str(info.value)
    assert "mc, lhs, sobol" in str(info.value)


def test_sample_checks_before_drawing(unit_cube):
    with pytest.raises(ProjectionError, match="unknown sampler"):
        sample(unit_cube, 10, sampler="halton", seed=1)
    with pytest.raises(ProjectionError, match="samples must be"):
        sample(unit_cube, 0, seed=1)
    with pytest.raises(ProjectionError, match=r"^seed must be .*\(got -1\)"):
        sample(unit_cube, 10, seed=-1)


# --------------------------------------------------------------------------- seeds


def test_rng_from():
    gen = np.random.default_rng(1)
    assert rng_from(gen) is gen  # used as is
    a, b = rng_from(7), rng_from(np.int64(7))
    assert isinstance(a, np.random.Generator)
    assert a.random() == b.random() == np.random.default_rng(7).random()
    assert rng_from(None).random() != rng_from(None).random()
    assert isinstance(rng_from(0), np.random.Generator)


@pytest.mark.parametrize(
    "seed", [-1, -(2**40), True, False, 1.5, 7.0, "7", np.random.RandomState(1)]
)
def test_rng_from_refuses(seed):
    with pytest.raises(ProjectionError) as info:
        rng_from(seed)
    message = str(info.value)
    assert message.startswith("seed must be")
    assert f"(got {seed!r})" in message
    with pytest.raises(ProjectionError, match="^seed must be"):
        seed_entropy(seed)


def test_seed_entropy():
    assert seed_entropy(5) == 5  # an int seed is the root entropy itself
    assert seed_entropy(np.int64(5)) == 5
    fresh = {seed_entropy(None) for _ in range(3)}
    assert len(fresh) == 3 and all(e >= 0 for e in fresh)
    # a generator gives an entropy from its stream: the same state, the same entropy
    assert seed_entropy(np.random.default_rng(3)) == seed_entropy(np.random.default_rng(3))
    assert 0 <= seed_entropy(np.random.default_rng(3)) < 2**63


# --------------------------------------------------------------------------- direct ppf


@pytest.mark.parametrize("sampler", sorted(SAMPLERS))
def test_paper_targets_draws_are_those_of_scipy_stats(sampler, monkeypatch):
    """The direct inverse CDFs (issue 13) draw the same ensemble as scipy.stats did, for the
    same seed: bit for bit where the method is scipy's arithmetic (uniform, triangular,
    choice here), and for the truncated normals (a new inverse CDF) within the documented
    tolerance, 4 eps (|mean| + sd max(1, |a|, |b|)) (measured: at most 3 units in the last
    place)."""
    from projection.scenario import distributions as dists

    s = projection.load_scenario(SCENARIOS / "paper-targets.yaml")
    n = BLOCK + 1000  # two blocks
    new = sample(s, n, sampler=sampler, seed=7)

    def old_ppf(self, u):  # the code before: scipy.stats' frozen distribution
        x = np.asarray(self.frozen().ppf(u), dtype=float)
        return np.clip(x, self.lower, self.upper) if self.type == "truncnormal" else x

    for cls in dists.DISTRIBUTIONS.values():
        if cls is not dists.Choice:
            monkeypatch.setattr(cls, "_ppf", old_ppf)
    old = sample(s, n, sampler=sampler, seed=7)
    kinds = {i.path: i.distribution for i in uncertain_parameters(s)}
    assert {d.type for d in kinds.values()} >= {"uniform", "triangular", "truncnormal", "choice"}
    for path, d in kinds.items():
        if d.type == "truncnormal":
            a, b = (d.lower - d.mean) / d.sd, (d.upper - d.mean) / d.sd
            tol = 4 * np.finfo(float).eps * (abs(d.mean) + d.sd * max(1.0, abs(a), abs(b)))
            np.testing.assert_allclose(new[path], old[path], rtol=0, atol=tol, err_msg=path)
        else:
            np.testing.assert_array_equal(new[path], old[path], err_msg=path)
    # the old path did run: the truncated normals differ in some last digits
    assert any(
        not np.array_equal(new[p], old[p]) for p, d in kinds.items() if d.type == "truncnormal"
    )


@settings(max_examples=40, deadline=None)
@given(
    d=st.integers(1, 12),
    n=st.integers(1, 3000),
    seed=st.integers(0, 2**32),
    block=st.integers(0, 100),
)
def test_own_latin_hypercube_is_scipys_bit_for_bit(d, n, seed, block):
    """Invariant: projection's Latin hypercube (which spares importing scipy.stats) gives the
    same bits as scipy.stats.qmc.LatinHypercube for the generator of any block of any seed,
    so ensembles are what they were."""
    from scipy.stats import qmc

    from projection.engine.sampling import _lhs

    def rng():
        return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))

    ours = _lhs(d, n, rng())
    assert np.array_equal(ours, qmc.LatinHypercube(d=d, rng=rng()).random(n))
    strata = np.floor(ours * n).astype(int)  # one point in each stratum, every dimension
    assert all(sorted(col) == list(range(n)) for col in strata.T.tolist())
