"""Figure 11: the EV fleet as a system-dynamics model, PySD against projection (issue 16).

``tests/data/pysd/ev_fleet.mdl`` (Vensim: linear EV sales into a stock retiring with a mean
lifetime, Euler integration) is run by PySD once per ensemble member, at that member's
lifetime, with a time step of 1/16 year; projection runs ``tests/data/pysd/ev_fleet.yaml``
(the same model's closed-form solution, and the yearly-cohort stock) as one ensemble,
``projection.run(samples=n, workers=1)``. CPU time, interleaved, min/median/max over rounds;
then the largest relative error of PySD against the closed form at steps of 1, 1/4, 1/16 and
1/64 year.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from _ema_paper import _rounds, _spread

import projection

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "pysd"
STEP = 1 / 16


def bench_pysd(n: int, rounds: int) -> dict[str, Any]:
    try:
        import pysd
    except ImportError as err:
        return {"skipped": f"pysd is not importable ({err}): pip install 'projection[sd]'"}
    folder = Path(tempfile.mkdtemp())
    shutil.copy(DATA / "ev_fleet.mdl", folder / "ev_fleet.mdl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pysd.read_vensim(str(folder / "ev_fleet.mdl"))
    scenario = DATA / "ev_fleet.yaml"
    e = projection.run(scenario, samples=n, seed=1, keep_samples=True, workers=1)
    lifetimes = e.draws["indicators.ev_fleet.params.lifetime"]
    exact = e.members["ev_fleet"]

    def run_pysd(lifetime: float, step: float = STEP) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model.run(
                params={"lifetime": lifetime},
                return_columns=["EV fleet"],
                time_step=step,
                saveper=1,
                progress=False,
            )
        return out["EV fleet"].to_numpy()

    def pysd_all() -> None:
        for life in lifetimes:
            run_pysd(float(life))

    fns = {
        "projection": lambda: projection.run(scenario, samples=n, seed=1, workers=1),
        "pysd": pysd_all,
    }
    times = _rounds(fns, rounds)
    ratio = [p / q for p, q in zip(times["pysd"], times["projection"])]
    errors = {
        f"{step:g}": float(np.max(np.abs(run_pysd(float(lifetimes[0]), step) / exact[0] - 1)))
        for step in (1.0, 0.25, 1 / 16, 1 / 64)
    }
    return {
        "n": n,
        "rounds": rounds,
        "pysd_step_years": STEP,
        "cpu_s": {k: _spread(v) for k, v in times.items()},
        "runs_per_cpu_s": {k: _spread([n / t for t in v]) for k, v in times.items()},
        "ratio_pysd_over_projection": _spread(ratio),
        "largest_relative_error_by_step": errors,
        "pysd_version": pysd.__version__,
    }
