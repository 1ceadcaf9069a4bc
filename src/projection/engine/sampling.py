"""Sampling the uncertain parameters of a scenario.

Every parameter (or milestone value or year) that carries a ``distribution`` is an uncertain
input. :func:`uncertain_parameters` lists them in a fixed order (sorted by dotted path, so the
order of a file never changes a result); :func:`sample` draws ``n`` sets of them.

Samplers share one signature, ``sampler(d, n, rng) -> ndarray (n, d)`` of uniform numbers in
[0, 1), turned into values by each distribution's ``ppf``:

* ``mc``: plain Monte Carlo, ``rng.random``;
* ``lhs``: Latin hypercube (``scipy.stats.qmc.LatinHypercube``): in every dimension, each of
  the ``n`` equal strata of [0, 1) holds exactly one point;
* ``sobol``: scrambled Sobol sequence (``scipy.stats.qmc.Sobol``); balanced when ``n`` is a
  power of two.

One random-number policy: ``seed`` is an ``int``, a :class:`numpy.random.Generator` or
``None`` (fresh entropy), normalised by :func:`rng_from`. The same seed gives the same draws,
bit for bit.

Blocks
------
Large ensembles are drawn in fixed blocks of :data:`BLOCK` members (the last may be shorter),
so that any block can be drawn on its own, on any process or machine, in any order, and the
ensemble is the same whatever the chunking, the number of workers or the scheduler:

* ``lhs`` and ``mc``: block ``b`` uses its own stream, ``SeedSequence(entropy, spawn_key=(b,))``;
  an ensemble of at most :data:`BLOCK` members is one Latin hypercube; a larger one is a
  stack of Latin hypercubes of :data:`BLOCK` members each;
* ``sobol``: one scrambled sequence for the whole ensemble; block ``b`` is its points
  ``b * BLOCK`` onwards (``fast_forward``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..exceptions import ProjectionError
from ..validation import whole_number
from .compiled import Input, compile_scenario

__all__ = [
    "uncertain_parameters",
    "sample",
    "sample_block",
    "uniforms_block",
    "seed_entropy",
    "check_samples",
    "SAMPLERS",
    "rng_from",
    "MAX_SAMPLES",
    "BLOCK",
]

#: Largest ensemble accepted.
MAX_SAMPLES = 100_000_000
#: Members drawn (and summarised) together; the unit of work that workers share.
BLOCK = 2**16


def uncertain_parameters(scenario: Any) -> list[Input]:
    """Every input of ``scenario`` that has a distribution, sorted by path.

    Each is an :class:`~projection.engine.compiled.Input`: its ``path``, ``indicator``,
    ``distribution``, written ``unit`` and the ``factor`` to the engine's unit.

    Examples
    --------
    >>> import projection
    >>> from projection.engine.sampling import uncertain_parameters
    >>> s = projection.load_scenario("scenarios/baseline.yaml")
    >>> [u.path for u in uncertain_parameters(s)][:2]
    ['indicators.china_international_traffic.params.rate', 'indicators.china_international_traffic.params.start']
    """
    return list(compile_scenario(scenario).uncertain)


def rng_from(seed: int | np.random.Generator | None) -> np.random.Generator:
    """The one random-number policy: an int seed, a Generator (used as is) or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        seed = whole_number("seed", seed, minimum=0)
    return np.random.default_rng(seed)


def seed_entropy(seed: int | np.random.Generator | None) -> int:
    """The root entropy of an ensemble: the seed itself, or fresh entropy for ``None``."""
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(2**63))
    rng_from(seed)  # validates
    return int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]


def _mc(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.random((n, d))


def _lhs(d: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Latin hypercube: in each dimension one point in each of the ``n`` strata.

    The algorithm of ``scipy.stats.qmc.LatinHypercube(d, rng=rng).random(n)`` (scrambled, no
    optimisation), step for step, so the same bits from the same generator (tested), without
    importing ``scipy.stats`` (about 0.6 s of CPU at start-up).
    """
    bits = rng.bit_generator  # scipy draws from a child of the generator it is given
    own = np.random.Generator(type(bits)(bits.seed_seq.spawn(1)[0]))
    samples = own.uniform(size=(n, d))
    perms = np.tile(np.arange(1, n + 1), (d, 1))
    for i in range(d):
        own.shuffle(perms[i, :])
    return (perms.T - samples) / n


#: Sampler name -> function ``(d, n, rng) -> (n, d)`` uniforms in [0, 1) for one block.
SAMPLERS: dict[str, Callable[[int, int, np.random.Generator], np.ndarray] | None] = {
    "mc": _mc,
    "lhs": _lhs,
    "sobol": None,  # one sequence across blocks: see _sobol_block
}


def _sobol_block(d: int, start: int, size: int, entropy: int) -> np.ndarray:
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(2**32,)))
    engine = qmc.Sobol(d=d, scramble=True, rng=rng)
    if start:
        engine.fast_forward(start)
    with warnings.catch_warnings():
        # n not a power of two: still a good sample, only not perfectly balanced (documented)
        warnings.simplefilter("ignore", UserWarning)
        return engine.random(size)


def check_samples(n: Any, sampler: str) -> int:
    """``n`` as an int if it is a valid ensemble size and ``sampler`` a known sampler."""
    if sampler not in SAMPLERS:
        raise ProjectionError(
            f"unknown sampler {sampler!r} (expected one of: {', '.join(SAMPLERS)})"
        )
    return whole_number("samples", n, minimum=1, maximum=MAX_SAMPLES)


def sample_block(
    inputs: Sequence[Input],
    n: int,
    block: int,
    *,
    sampler: str,
    entropy: int,
    correlations: Any = None,
) -> dict[str, np.ndarray]:
    """Draws for block ``block`` (members ``block * BLOCK`` up to ``n``) of an ensemble of ``n``.

    ``inputs`` are the uncertain inputs of the compiled scenario, ``entropy`` is
    :func:`seed_entropy` of the seed, ``correlations`` the scenario's ``correlations`` section
    (a Gaussian copula over some of the inputs, :mod:`projection.scenario.correlations`) or
    None. Values are in each parameter's written unit.
    """
    if not inputs:
        return {}
    paths = [inp.path for inp in inputs]
    u = uniforms_block(paths, n, block, sampler=sampler, entropy=entropy, correlations=correlations)
    if not len(u):
        return {}
    return {inp.path: inp.distribution.ppf(u[:, j]) for j, inp in enumerate(inputs)}


def uniforms_block(
    paths: Sequence[str],
    n: int,
    block: int,
    *,
    sampler: str,
    entropy: int,
    correlations: Any = None,
) -> np.ndarray:
    """The uniform numbers behind :func:`sample_block`: shape (members of block ``block``,
    ``len(paths)``), one column per input path (sorted, as :func:`uncertain_parameters`),
    the correlated columns already joined by the copula. Each input's draws are its
    distribution's ``ppf`` of its column, so an exploration can give every lever setting the
    same members (common random numbers) even where a setting changes a distribution."""
    start = block * BLOCK
    size = min(BLOCK, n - start)
    d = len(paths)
    if not d or size <= 0:
        return np.empty((0, d))
    if sampler == "sobol":
        u = _sobol_block(d, start, size, entropy)
    else:
        rng = np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(block,)))
        u = SAMPLERS[sampler](d, size, rng)  # type: ignore[misc]
    return _copula(u, list(paths), correlations)


def _copula(u: np.ndarray, paths: list[str], correlations: Any) -> np.ndarray:
    """``u`` with the columns of correlated inputs made dependent: normal scores, times the
    Cholesky factor of their correlation matrix, back to uniform (a Gaussian copula; each
    column stays uniform, so each input keeps its own distribution)."""
    if correlations is None:
        return u
    keep = [i for i, p in enumerate(correlations.parameters) if p in paths]
    if len(keep) < 2:
        return u
    from scipy.special import ndtr, ndtri

    cols = [paths.index(correlations.parameters[i]) for i in keep]
    r = np.asarray(correlations.matrix, dtype=float)[np.ix_(keep, keep)]
    z = ndtri(np.clip(u[:, cols], 1e-15, 1.0 - 1e-15))
    out = u.copy()
    out[:, cols] = ndtr(z @ np.linalg.cholesky(r).T)
    return out


def sample(
    scenario: Any,
    n: int,
    *,
    sampler: str = "lhs",
    seed: int | np.random.Generator | None = None,
) -> dict[str, np.ndarray]:
    """Draw ``n`` values of every uncertain input, in each parameter's written unit.

    Parameters
    ----------
    scenario : Scenario
    n : int
        Ensemble size, 1 to :data:`MAX_SAMPLES`.
    sampler : {"lhs", "sobol", "mc"}
    seed : int, Generator or None

    Returns
    -------
    dict of str to ndarray of shape (n,)
        Keyed by :attr:`Input.path`. Empty when the scenario has no distribution. The same
        draws, block by block, as an ensemble run with the same arguments uses.

    Examples
    --------
    >>> import projection
    >>> from projection.engine.sampling import sample
    >>> s = projection.load_scenario("scenarios/baseline.yaml")
    >>> draws = sample(s, 8, seed=1)
    >>> draws["indicators.ev_sales_share.params.rate"].shape
    (8,)
    """
    n = check_samples(n, sampler)
    inputs = uncertain_parameters(scenario)
    entropy = seed_entropy(seed)
    if not inputs:
        return {}
    blocks = [
        sample_block(
            inputs,
            n,
            b,
            sampler=sampler,
            entropy=entropy,
            correlations=getattr(scenario, "correlations", None),
        )
        for b in range(-(-n // BLOCK))
    ]
    return {inp.path: np.concatenate([blk[inp.path] for blk in blocks]) for inp in inputs}
