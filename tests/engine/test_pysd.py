"""The EV fleet as a system-dynamics model (Vensim, run by PySD) against projection.

``tests/data/pysd/ev_fleet.mdl`` integrates ``dS/dt = sales(t) - S / lifetime`` with Euler
steps; ``tests/data/pysd/ev_fleet.yaml`` writes its closed-form solution as a derived
indicator (with ``elapsed`` and ``exp``). PySD approaches it as its step shrinks (Euler's
error is first order in the step), and every ensemble member agrees with a PySD run at that
member's lifetime. Skipped without PySD (``pip install 'projection[sd]'``).
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

import projection

pysd = pytest.importorskip("pysd")

HERE = Path(__file__).resolve().parents[1] / "data" / "pysd"
#: Relative agreement asked of PySD at a step of 1/64 year (Euler's error there is ~1e-4).
TOLERANCE = 1e-3


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The Vensim model, translated by PySD in a scratch folder (it writes a .py beside it)."""
    folder = tmp_path_factory.mktemp("pysd")
    shutil.copy(HERE / "ev_fleet.mdl", folder / "ev_fleet.mdl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pysd.read_vensim(str(folder / "ev_fleet.mdl"))


def pysd_fleet(model, lifetime: float, step: float) -> np.ndarray:
    with warnings.catch_warnings():  # PySD's own pandas deprecations, not ours
        warnings.simplefilter("ignore")
        out = model.run(
            params={"lifetime": lifetime},
            return_columns=["EV fleet"],
            time_step=step,
            saveper=1,
            progress=False,
        )
    return out["EV fleet"].to_numpy()


def projected(name: str = "ev_fleet") -> np.ndarray:
    p = projection.run(HERE / "ev_fleet.yaml")
    f = p.to_frame()
    return f[f.indicator == name].value.to_numpy()


def test_pysd_at_a_fine_step_agrees_with_the_closed_form(model):
    exact = projected()
    fine = pysd_fleet(model, 18.0, 1 / 64)
    assert len(fine) == len(exact) == 16
    np.testing.assert_allclose(fine, exact, rtol=TOLERANCE)


def test_euler_at_coarser_steps_drifts_from_the_closed_form_first_order(model):
    """Euler's error shrinks about in proportion to the step: a yearly step is off by more
    than a per cent, a quarter-year step by about a quarter of that."""
    exact = projected()
    errors = {
        step: np.max(np.abs(pysd_fleet(model, 18.0, step) / exact - 1))
        for step in (1.0, 0.25, 1 / 64)
    }
    assert errors[1.0] > 0.01
    assert errors[1.0] / errors[0.25] == pytest.approx(4, rel=0.3)
    assert errors[1 / 64] < TOLERANCE


def test_every_ensemble_member_agrees_with_pysd_at_its_lifetime(model):
    e = projection.run(HERE / "ev_fleet.yaml", samples=64, seed=3, keep_samples=True)
    lifetimes = e.draws["indicators.ev_fleet.params.lifetime"]
    members = e.members["ev_fleet"]
    for i in (0, 17, 63):
        np.testing.assert_allclose(
            pysd_fleet(model, float(lifetimes[i]), 1 / 64), members[i], rtol=TOLERANCE
        )


def test_yearly_cohorts_are_a_different_convention_not_an_error():
    """projection's stock() lets a year's sales enter at once: above the continuous inflow
    of the same sales, by at most one year's sales and the cohorts' earlier start."""
    cohorts, continuous = projected("ev_fleet_cohorts"), projected()
    sales = projected("ev_sales")
    assert np.all(cohorts > continuous)
    assert np.all(cohorts - continuous <= sales * 1.01 + 1e-9)
