"""PEtab problems: any SBML model and data set, evaluated and calibrated as one batch.

`load` reads a PEtab v1 or v2 problem (YAML + SBML + condition/experiment, observable,
measurement and parameter tables) with the `petab` library, imports the SBML model with
`pathjax.sbml.load`, and returns a `PetabProblem`:

* ``problem.nllh(x=None)``: the negative log-likelihood at the nominal parameters or at
  ``x`` (PEtab parameter id -> linear value); ``problem.nllh_batch(X)`` for many
  parameter vectors as one batched solve (the starts of a multi-start, a profile, a
  sample);
* ``problem.gradient(x=None)``: its gradient by autodiff through the engine (forward mode
  up to `FORWARD_UP_TO` estimated parameters, reverse mode above);
* ``problem.simulation_table(x=None)``: PEtab's simulation table (a pandas DataFrame);
* `pathjax.calibrate.fit(problem, starts=N, seed=S)` (= `fit`): every start of a
  multi-start fit as one batch, returning a `PetabFit` (best point, every start's
  trace, ``save(folder)``); `pathjax.calibrate.profile(problem, fit, parameters=...)`
  (= `profile`): profile likelihoods, all profiles advanced as one batch, with
  confidence intervals at the χ² threshold.

What is supported (everything the PEtab benchmark collection's problems use):

* observable and noise formulas with ``observableParameter``/``noiseParameter``
  placeholders and per-measurement overrides (numbers or parameter ids); formulas may
  read species, parameters, compartments, assignment-rule targets, parameter-table
  ids and ``time``;
* noise models normal and Laplace, observable transformations lin/log/log10 (v2:
  ``normal``, ``laplace``, ``log-normal``, ``log-laplace``);
* condition-table overrides of parameters, compartments and initial species values
  (a species with ``hasOnlySubstanceUnits`` is set as an amount); NaN keeps the value
  the species has (after pre-equilibration, or the model's initial value);
* pre-equilibration conditions: the steady state by the driver's Newton solve
  (integration where Newton fails; a condition without steady state flags the
  parameter vector, ``nllh = inf``), each distinct pre-equilibration solved once;
* measurement times including ``inf`` (the simulation condition's steady state);
* parameter scales lin/log/log10 (v2: log10 for parameters with a positive lower
  bound, else linear), estimate flags and bounds;
* priors (v1 ``objectivePriorType``: uniform, normal, laplace, logNormal, logLaplace,
  parameterScaleUniform/Normal/Laplace; v2 ``priorDistribution``: uniform, normal,
  laplace, log-normal, log-laplace, log-uniform): `PetabProblem.neg_log_prior`, added
  to the objective that `calibrate.fit` minimises; ``nllh`` stays the likelihood.

Not supported, each an `pathjax.InputError` naming the table, column and value:
mapping tables, several models or sub-problems, v2 experiments with more than one
period after the pre-equilibration or periods starting at different times, other
noise or prior distributions, and the SBML constructs `pathjax.sbml` refuses.

Examples:
    >>> import pathjax
    >>> problem = pathjax.petab.load(pathjax.petab.example())
    >>> problem.parameter_ids
    ('k1', 'k2', 'scale', 'sigma')
"""

from pathlib import Path

from ._fit import PetabFit as PetabFit
from ._fit import fit as fit
from ._problem import FORWARD_UP_TO as FORWARD_UP_TO
from ._problem import UNDERFLOW_RETRY as UNDERFLOW_RETRY
from ._problem import PetabProblem as PetabProblem
from ._problem import load as load
from ._profile import Profiles as Profiles
from ._profile import profile as profile

__all__ = [
    "FORWARD_UP_TO",
    "PetabFit",
    "PetabProblem",
    "UNDERFLOW_RETRY",
    "Profiles",
    "example",
    "fit",
    "load",
    "profile",
]


BUNDLED = ("brannmark2013", "conversion")
"""The PEtab problems shipped with pathjax (`bundled`)."""


def bundled(name: str) -> Path:
    """The YAML file of a PEtab problem shipped with pathjax:

    * ``"brannmark2013"``: Brännmark 2013 against the human adipocyte data, normal and
      type 2 diabetic arms in one problem (the diabetes parameters estimated in the T2D
      conditions only); see the README in its folder;
    * ``"conversion"``: `example`.
    """
    from .._errors import unknown_name

    if name not in BUNDLED:
        raise unknown_name("bundled PEtab problem", name, BUNDLED)
    return Path(__file__).resolve().parent.parent / "data" / "petab" / name / "problem.yaml"


def example() -> Path:
    """The YAML file of a small PEtab v1 problem shipped with pathjax (a conversion
    reaction A <-> B observed through a scaled B, pre-equilibrated, with a
    steady-state measurement)."""
    return bundled("conversion")
