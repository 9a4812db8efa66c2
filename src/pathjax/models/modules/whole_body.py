"""Whole body: plasma glucose and insulin after an oral glucose load.

Source (taken unchanged):
    Dalla Man C., Rizza R.A., Cobelli C. (2007). Meal simulation model of the
    glucose-insulin system. IEEE Trans Biomed Eng 54:1740-1749.
    doi:10.1109/TBME.2007.893506. BioModels BIOMD0000000379.

The equations are those of `pathjax.models.dallaman2007` (see its docstring), called
unchanged through `derivatives`: gastric emptying and absorption of the glucose load
(a protocol dose, `meal`), hepatic glucose production suppressed by glucose, delayed and
portal insulin, insulin-independent utilisation, insulin-dependent utilisation in the
slowly equilibrating tissues, glucose-stimulated insulin secretion (static and
derivative) and hepatic insulin extraction. Units: glucose masses mg/kg, insulin masses
pmol/kg, concentrations mg/dL and pmol/L, time in min. `standalone` is the published
model, compared with libRoadRunner on ``dallaman2007.xml``.

Joined in the composite (the source's own values are used wherever the composite does not
replace a term):
    * Insulin-dependent utilisation. The source's maximal rate
      ``(1 - part) (V_m0 + V_mX X)`` is replaced by ``(1 - part) V_m0 r^n`` with
      ``r = GLUT4_membrane / GLUT4_membrane_reference``: the cell model's GLUT4-mediated
      glucose transport relative to its value in the healthy fasting state (the
      reference is that state's GLUT4_membrane, so r = 1 and the source's basal rate
      hold there). The exponent n = `peripheral_uptake_gain` = 4.5 is *chosen*
      (calibrated) so that the healthy 75 g load reproduces the source's own (with the
      bounds below): RMS differences 2.5 mg/dL glucose, 8.2 pmol/L insulin. The
      adipocyte's GLUT4 response stands for all insulin-sensitive tissues (mostly
      muscle), whose response in the source is steeper than one adipocyte's. The
      Michaelis-Menten dependence on tissue glucose, ``G_t / (K_m0 + G_t)``, is kept.
    * The cell sees interstitial insulin: the source's remote insulin, ``X + I_b`` (its
      state X is delayed plasma insulin minus basal), converted pmol/L -> nM (/1000).
    * Secretion. Every term of the source's portal secretion (basal S_b, static
      provision through beta, derivative K) is multiplied by the relative beta-cell mass
      b (`beta_cell`), which is 1 in the healthy state and on the time scale of a test.
      Insulin resistance raises glucose, hence the glucose-driven provision Y and the
      secretion: compensating hyperinsulinaemia, as in the source.
    * The paper's two bounds on secretion, which the BioModels entry leaves out, are
      restored (`paper_bounds=True`): the derivative term acts only while glucose rises,
      ``S_po = Y + K max(dG/dt, 0) + S_b``, and the provision Y tends to
      ``max(beta (G - G_b), -S_b)``, so that secretion never turns negative. The entry
      without them gives negative insulin at the fasting steady state of virtual
      patients whose fasting glucose settles below G_b (about one in ten with a 20 %
      spread of the rate constants). They are applied through the same parameter view:
      K by ``K [dG/dt > 0]`` and G_b by the value that makes ``beta (G - G_b)`` the
      bounded target. Both leave the healthy fasting state unchanged (dG/dt = 0 and
      G > G_b there).
"""

from typing import Any

import jax.numpy as jnp

from ...model import Model, Param, State
from .. import dallaman2007
from ._views import overlay

__all__ = [
    "COUPLING_PARAMS",
    "OBSERVABLES",
    "PARAMS",
    "SOURCE",
    "STATES",
    "derivatives",
    "meal",
    "observables",
    "standalone",
]

SOURCE = dallaman2007.SOURCE
STATES: tuple[State, ...] = dallaman2007.STATES
PARAMS: tuple[Param, ...] = dallaman2007.PARAMS
OBSERVABLES = dallaman2007.OBSERVABLES
SBML_IDS = dict(dallaman2007.build().sbml_id_pairs)

#: the meal helper of the source model (dose to the stomach and meal size D together)
meal = dallaman2007.meal

#: parameters of the coupling; `GLUT4_membrane_reference` is set by the composite model
COUPLING_PARAMS: tuple[Param, ...] = (
    Param(
        "peripheral_uptake_gain",
        "1",
        4.5,
        "exponent n of the cell's relative GLUT4 transport in the maximal insulin-dependent "
        "utilisation, (1 - part) V_m0 r^n (chosen: calibrated to Dalla Man's 75 g OGTT)",
        0.0,
        10.0,
        kind="structural",
    ),
)


def _coupled(y: Any, p: Any, uptake_factor: Any, secretion_factor: Any, paper_bounds: bool) -> Any:
    if uptake_factor is None and secretion_factor is None and not paper_bounds:
        return p
    changes = {}
    if uptake_factor is not None:
        changes.update(V_max_basal=p.V_max_basal * uptake_factor, V_max_insulin=0.0)
    if secretion_factor is not None:
        changes.update(
            basal_insulin_secretion=p.basal_insulin_secretion * secretion_factor,
            beta_secretion_glucose=p.beta_secretion_glucose * secretion_factor,
            K_secretion_derivative=p.K_secretion_derivative * secretion_factor,
        )
    view = overlay(p, **changes)
    if not paper_bounds:
        return view
    rising = dallaman2007.rhs(0.0, y, view, None)["glucose_mass_plasma"] > 0.0
    glucose = y.glucose_mass_plasma / p.V_glucose
    beta = view.beta_secretion_glucose
    target = jnp.maximum(beta * (glucose - p.basal_glucose), -view.basal_insulin_secretion)
    safe_beta = jnp.where(beta > 0.0, beta, 1.0)
    return overlay(
        view,
        K_secretion_derivative=jnp.where(rising, view.K_secretion_derivative, 0.0),
        basal_glucose=jnp.where(beta > 0.0, glucose - target / safe_beta, p.basal_glucose),
    )


def derivatives(
    y: Any,
    p: Any,
    uptake_factor: Any = None,
    secretion_factor: Any = None,
    paper_bounds: bool = False,
) -> dict:
    """d state / d t of the body (source units per min).

    Args:
        y: named view of the 13 states of `STATES`.
        p: named view of the parameters (those of `PARAMS` that the equations use).
        uptake_factor: multiplier of the basal maximal insulin-dependent utilisation,
            replacing the source's insulin action V_mX X; None keeps the source's term.
        secretion_factor: multiplier of all insulin secretion (relative beta-cell mass);
            None keeps the source's.
        paper_bounds: restore the paper's bounds on secretion (see the module
            docstring); False keeps the BioModels entry.

    Returns:
        {state name: derivative}.
    """
    view = _coupled(y, p, uptake_factor, secretion_factor, paper_bounds)
    return dallaman2007.rhs(0.0, y, view, None)


def observables(
    y: Any,
    p: Any,
    uptake_factor: Any = None,
    secretion_factor: Any = None,
    paper_bounds: bool = False,
) -> dict:
    """The source's readouts (plasma glucose and insulin, EGP, Ra, U, secretion, ...)."""
    view = _coupled(y, p, uptake_factor, secretion_factor, paper_bounds)
    return dallaman2007.observables(0.0, y, view, None)


def standalone() -> Model:
    """The module alone: the published model, with its 78 g meal at t = 0.

    Returns:
        A `Model` equal to BIOMD0000000379 (meal as a protocol dose, as `dallaman2007`).
    """
    src = dallaman2007.build()
    return src.replace(
        name="whole_body_module",
        rhs_fn=lambda t, y, p, u: derivatives(y, p),
        observables_fn=lambda t, y, p, u: observables(y, p),
        description="Whole-body module of the composite model, run alone (Dalla Man 2007).",
    )
