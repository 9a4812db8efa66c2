"""Sensitivity analysis for whole populations of virtual patients.

* `local`: d output / d parameter through the ODE solve for every patient of a batch,
  by automatic differentiation (forward or reverse mode), optionally normalised to
  log-sensitivities.
* `sobol`, `morris`: variance-based and elementary-effects global indices, with
  SALib's samples and estimators and the model evaluated as pathjax batches;
  `sobol_function` and `morris_function` run the same estimator path on a plain
  function of the sample.
* `dgsm`, `dgsm_function`: derivative-based global sensitivity measures (Sobol &
  Kucherenko 2009) from exact autodiff gradients over the sample.
* `tornado`, `heatmap`, `sobol_bars`, `morris_bars`, `dgsm_bars`: figures.

Examples:
    >>> import numpy as np, pathjax
    >>> m = pathjax.models.load("sedaghat2002")
    >>> s = pathjax.sensitivity.local(m, np.linspace(0, 60, 7), wrt=["k_IRS1_phos"],
    ...                               outputs=["GLUT4_surface"], normalized=True)
    >>> s.sizes["parameter"]
    1
"""

from ._dgsm import dgsm as dgsm
from ._dgsm import dgsm_function as dgsm_function
from ._local import choose_mode as choose_mode
from ._local import local as local
from ._morris import morris as morris
from ._morris import morris_function as morris_function
from ._plots import dgsm_bars as dgsm_bars
from ._plots import heatmap as heatmap
from ._plots import morris_bars as morris_bars
from ._plots import sobol_bars as sobol_bars
from ._plots import tornado as tornado
from ._sobol import sobol as sobol
from ._sobol import sobol_function as sobol_function

__all__ = [
    "choose_mode",
    "dgsm",
    "dgsm_bars",
    "dgsm_function",
    "heatmap",
    "local",
    "morris",
    "morris_bars",
    "morris_function",
    "sobol",
    "sobol_bars",
    "sobol_function",
    "tornado",
]
