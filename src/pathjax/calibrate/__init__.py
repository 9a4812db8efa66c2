"""Calibration of a model to measurements: many starts optimised as one batch.

* `fit`: a PEtab problem (`pathjax.petab`; every start as one batch, returns a
  `pathjax.petab.PetabFit`), or Brännmark 2013 against the human adipocyte data (normal donors, or the
  diabetes parameters against the type 2 diabetic donors starting from the normal fit);
  returns a `CalibrationResult`, whose ``save(folder)`` writes ``fit.json``,
  ``predictions.csv`` and ``fit.png``.
* `bundled_data`: the folder of human adipocyte data shipped with the package (the
  default data of `fit` and `load_observations`).
* `load_observations`: the data points used and how each maps onto a model readout
  (`BRANNMARK2013`; data sets not used and why: `SKIPPED`).
* `Calibration`: what a model is calibrated against, one of its companions
  (``model.companions.calibration``, see `pathjax.model.Companions`); Brännmark 2013's
  gives `BRANNMARK2013`, `SKIPPED` and `DIABETES_PARAMETERS`.
* `profile`: profile likelihoods of a PEtab problem's fit, every profile advanced as
  one batch (`pathjax.petab.profile`).
* `minimize`: the batched optimiser (Adam, then L-BFGS, per start) on any
  ``theta -> (f, grad, ok)``.
* `plot_fit`: data against model, one panel per data set.

Examples:
    >>> import pathjax
    >>> from pathjax.calibrate import default_parameters
    >>> len(default_parameters(pathjax.models.load("brannmark2013"), "normal"))
    41
"""

from ..models import brannmark2013_companions as _brannmark2013
from ..petab import profile as profile
from ._data import Calibration as Calibration
from ._data import DataSpec as DataSpec
from ._data import Observations as Observations
from ._data import bundled_data as bundled_data
from ._data import chi2_threshold as chi2_threshold
from ._data import load_observations as load_observations
from ._fit import fit as fit
from ._objective import PREEQUILIBRATION as PREEQUILIBRATION
from ._optimize import OptimizeResult as OptimizeResult
from ._optimize import minimize as minimize
from ._plot import plot_fit as plot_fit
from ._result import PREDICTION_COLUMNS as PREDICTION_COLUMNS
from ._result import CalibrationResult as CalibrationResult
from ._setup import default_parameters as default_parameters

# The bundled calibration's parts under their public names (the factory only builds
# records, so calling it here is cheap).
_BRANNMARK = _brannmark2013.calibration()
BRANNMARK2013: tuple[DataSpec, ...] = _BRANNMARK.datasets
"""The data sets mapped onto Brännmark 2013's readouts."""
SKIPPED: dict[str, str] = dict(_BRANNMARK.skipped)
"""Data sets of the bundled folder that are not used, with the reason."""
DIABETES_PARAMETERS: tuple[str, ...] = _BRANNMARK.disease_parameters
"""The parameters a ``"t2d"`` fit of Brännmark 2013 calibrates."""

__all__ = [
    "BRANNMARK2013",
    "DIABETES_PARAMETERS",
    "PREDICTION_COLUMNS",
    "PREEQUILIBRATION",
    "SKIPPED",
    "Calibration",
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
    "profile",
]
