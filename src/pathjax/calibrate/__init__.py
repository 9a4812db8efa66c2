"""Calibration of a model to measurements: many starts optimised as one batch.

A calibration problem is a PEtab problem (`pathjax.petab`): an SBML model plus tables of
conditions, observables, measurements and parameters, which say what is fitted and
against which data. pathjax ships Brännmark 2013 against the human adipocyte data of
normal and type 2 diabetic donors as one (``"brannmark2013"``; docs/calibration.md).

* `fit`: a multi-start fit, every start one parameter vector of a single batch
  (returns a `pathjax.petab.PetabFit`, whose ``save(folder)`` writes ``fit.json``,
  ``simulation.tsv`` and figures).
* `load_problem`: the `pathjax.petab.PetabProblem` that `fit` calibrates, from a
  problem, its YAML file, a bundled problem's name, or a model whose calibration
  companion (``model.companions.calibration``, see `pathjax.model.Companions`) names
  one; `calibrated_models`: the bundled models with one.
* `profile`: profile likelihoods of a fit, every profile advanced as one batch
  (`pathjax.petab.profile`).
* `minimize`: the batched optimiser (Adam, then L-BFGS, per start) on any
  ``theta -> (f, grad, ok)``.
* `chi2_threshold`: the χ² test's threshold for a number of data points.

Examples:
    >>> import pathjax
    >>> problem = pathjax.calibrate.load_problem("brannmark2013")
    >>> len(problem.parameter_ids)  # 41 kinetic, 3 diabetes parameters, 26 scales
    70
"""

from .._optimize import OptimizeResult as OptimizeResult
from .._optimize import minimize as minimize
from ..petab import profile as profile
from ._fit import chi2_threshold as chi2_threshold
from ._fit import fit as fit
from ._problem import calibrated_models as calibrated_models
from ._problem import load_problem as load_problem

__all__ = [
    "OptimizeResult",
    "calibrated_models",
    "chi2_threshold",
    "fit",
    "load_problem",
    "minimize",
    "profile",
]
