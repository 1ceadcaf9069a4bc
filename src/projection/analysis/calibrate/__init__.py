"""Calibration: fit an indicator's growth parameters to an observed history.

:func:`calibrate` takes a scenario, one of its indicators, a history of observed values
(a CSV file ``year,value`` or a DataFrame) and the names of the parameters to fit. It fits them
by bounded nonlinear least squares (:func:`scipy.optimize.least_squares`) on the residuals

.. math:: r_i = y(t_i; \\theta) - y_i^{obs},

where :math:`y(t; \\theta)` is the indicator's growth family evaluated exactly as the engine
does (anchored so that :math:`y = ` ``start`` at the indicator's ``base_year``), in the
indicator's unit. It returns a :class:`Calibration`: estimates, standard errors, confidence
intervals, goodness of fit and, above all, whether each parameter is *identifiable* from the
data at all.

Identifiability
---------------
A logistic ceiling fitted to the early, near-exponential years of a diffusion history is
usually not identifiable: those years fix the growth rate, not where growth stops. A parameter
is reported as not identifiable, with a plain-sentence warning, when

* ``J^T J`` is singular in its direction (the data cannot tell it apart from the others;
  a merely ill-conditioned ``J^T J``, condition number above :data:`MAX_CONDITION`, gets a
  warning of its own);
* its estimate is at an end of its allowed range (the Jacobian interval is invalid there);
* its relative standard error is above :data:`MAX_RELATIVE_SE` (50 %);
* its interval covers more than :data:`MAX_RANGE_SHARE` (half) of its allowed range;
* for a ceiling (``market`` for bass): an end of its allowed range fits about as well (the
  profile: hold the ceiling there, refit the rest, and an F test does not reject it), or
  fewer than :data:`MIN_PAST_INFLECTION` observations lie beyond the inflection point of the
  fitted curve (the history stops before growth visibly slows);
* for any other parameter: it moves outside its interval when the ceiling is held at such an
  end (it depends on a ceiling the data do not determine).

Intervals are never narrower than the data justify: the whole allowed range for an estimate
at a bound or a singular direction; for a ceiling the interval reaches the end of the range
the data cannot exclude, and where its profile is wider than the Wald interval
``estimate +/- t se`` the interval follows the profile (F test at the same level).

``start`` is special: the families are anchored at ``(base_year, start)``. When ``start`` is
not among the fitted parameters it stays at the scenario's value and the fitted curve is forced
through it, however far ``base_year`` lies from the history. Fit ``start`` too unless its value
is known.

Examples
--------
>>> from projection.analysis.calibrate import calibrate
>>> cal = calibrate("scenarios/baseline.yaml", indicator="ev_sales_share",
...                 history="data/china-nev-sales-share.csv",
...                 params=["start", "rate", "ceiling"])
>>> cal.n, cal.years
(10, (2015, 2024))
>>> sorted(cal.estimates)
['ceiling', 'rate', 'start']
"""

from .bayes import Posterior, posterior
from .fit import calibrate
from .history import read_history
from .identify import MAX_CONDITION, MAX_RANGE_SHARE, MAX_RELATIVE_SE, MIN_PAST_INFLECTION
from .result import Calibration

__all__ = [
    "Calibration",
    "calibrate",
    "posterior",
    "Posterior",
    "read_history",
    "MAX_RELATIVE_SE",
    "MAX_RANGE_SHARE",
    "MAX_CONDITION",
    "MIN_PAST_INFLECTION",
]
