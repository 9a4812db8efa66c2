"""Calibration of a model to measurements: many starts optimised as one batch.

* `fit`: Brännmark 2013 against the human adipocyte data (normal donors, or the
  diabetes parameters against the type 2 diabetic donors starting from the normal fit);
  returns a `CalibrationResult`, whose ``save(folder)`` writes ``fit.json``,
  ``predictions.csv`` and ``fit.png``.
* `bundled_data`: the folder of human adipocyte data shipped with the package (the
  default data of `fit` and `load_observations`).
* `load_observations`: the data points used and how each maps onto a model readout
  (`BRANNMARK2013`; data sets not used and why: `SKIPPED`).
* `minimize`: the batched optimiser (Adam, then L-BFGS, per start) on any
  ``theta -> (f, grad, ok)``.
* `plot_fit`: data against model, one panel per data set.

Examples:
    >>> import pathjax
    >>> from pathjax.calibrate import default_parameters
    >>> len(default_parameters(pathjax.models.load("brannmark2013"), "normal"))
    41
"""

from ._data import BRANNMARK2013 as BRANNMARK2013
from ._data import SKIPPED as SKIPPED
from ._data import DataSpec as DataSpec
from ._data import Observations as Observations
from ._data import bundled_data as bundled_data
from ._data import chi2_threshold as chi2_threshold
from ._data import load_observations as load_observations
from ._fit import DIABETES_PARAMETERS as DIABETES_PARAMETERS
from ._fit import PREDICTION_COLUMNS as PREDICTION_COLUMNS
from ._fit import CalibrationResult as CalibrationResult
from ._fit import default_parameters as default_parameters
from ._fit import fit as fit
from ._objective import PREEQUILIBRATION as PREEQUILIBRATION
from ._optimize import OptimizeResult as OptimizeResult
from ._optimize import minimize as minimize
from ._plot import plot_fit as plot_fit

__all__ = [
    "BRANNMARK2013",
    "DIABETES_PARAMETERS",
    "PREDICTION_COLUMNS",
    "PREEQUILIBRATION",
    "SKIPPED",
    "CalibrationResult",
    "DataSpec",
    "Observations",
    "OptimizeResult",
    "bundled_data",
    "chi2_threshold",
    "default_parameters",
    "fit",
    "load_observations",
    "minimize",
    "plot_fit",
]
