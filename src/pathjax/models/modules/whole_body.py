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
    * Secretion. The source's portal secretion per unit of beta-cell mass, with the
      paper's bounds (below), is multiplied by the relative beta-cell mass b
      (`beta_cell`), which is 1 in the healthy state and on the time scale of a test:
      ``S_po = b (max(Y + S_b, 0) + K max(dG/dt, 0))``. Secretion proportional to the
      mass is Topp 2000's form (``sigma B G^2 / (alpha + G^2)``); the provision Y stays
      the source's, per reference mass. Insulin resistance raises glucose, hence the
      glucose-driven provision Y and the secretion: compensating hyperinsulinaemia, as
      in the source.
    * The paper's two bounds on secretion, which the BioModels entry leaves out, are
      restored (`paper_bounds=True`): the derivative term acts only while glucose rises,
      ``K max(dG/dt, 0)``, and the provision Y tends to ``max(beta (G - G_b), -S_b)``, so
      that ``Y + S_b`` never turns negative. The entry without them gives negative
      insulin at the fasting steady state of virtual patients whose fasting glucose
      settles below G_b (about one in ten with a 20 % spread of the rate constants).
      They are applied through the same parameter view: K by ``K [dG/dt > 0]`` and G_b
      by the value that makes ``beta (G - G_b)`` the bounded target. Both leave the
      healthy fasting state unchanged (dG/dt = 0 and G > G_b there).
    * Why b multiplies the bounded secretion and not S_b, beta and K inside it (the
      composite's first form): then Y tends to ``max(b beta (G - G_b), -b S_b)``, a
      target that moves with the mass. When the mass falls (Topp's death rate at low or
      high glucose) while Y sits at its floor, Y lags below the new floor ``-b S_b`` by
      up to ``S_b db/dt / alpha`` and secretion, then portal, liver and plasma insulin,
      turn negative (seen in 4 of 64 patients of a default ``pathjax simulate``, CV 0.2:
      plasma insulin down to -0.02 pmol/L). With the floor on the unscaled Y, ``Y + S_b``
      is non-negative whatever the mass does, and so is ``S_po``; the ``max(., 0)``
      keeps it so under rounding. At b = 1 both forms are the same equations.
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


def _coupled(y: Any, p: Any, uptake_factor: Any, paper_bounds: bool) -> Any:
    """The parameter view of the source's equations: uptake replaced, secretion bounded
    (per reference beta-cell mass; `_secretion` scales it)."""
    if uptake_factor is None and not paper_bounds:
        return p
    view = p
    if uptake_factor is not None:
        view = overlay(p, V_max_basal=p.V_max_basal * uptake_factor, V_max_insulin=0.0)
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


def _secretion(y: Any, view: Any, d_glucose: Any, factor: Any, paper_bounds: bool) -> Any:
    """Portal secretion S_po (pmol/kg/min) of `factor` times the reference beta-cell mass."""
    provision = y.secretion_provision + view.basal_insulin_secretion
    if paper_bounds:
        provision = jnp.maximum(provision, 0.0)
    return factor * (provision + view.K_secretion_derivative * d_glucose / view.V_glucose)


def _evaluate(y, p, uptake_factor, secretion_factor, paper_bounds):
    view = _coupled(y, p, uptake_factor, paper_bounds)
    d = dallaman2007.rhs(0.0, y, view, None)
    obs = dallaman2007.observables(0.0, y, view, None)
    if secretion_factor is not None or paper_bounds:
        factor = 1.0 if secretion_factor is None else secretion_factor
        s_po = _secretion(y, view, d["glucose_mass_plasma"], factor, paper_bounds)
        d = dict(d)
        d["portal_insulin"] = -view.k_portal_transfer * y.portal_insulin + s_po
        obs = dict(obs)
        obs["portal_insulin_inflow"] = s_po
    return d, obs


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
    return _evaluate(y, p, uptake_factor, secretion_factor, paper_bounds)[0]


def observables(
    y: Any,
    p: Any,
    uptake_factor: Any = None,
    secretion_factor: Any = None,
    paper_bounds: bool = False,
) -> dict:
    """The source's readouts (plasma glucose and insulin, EGP, Ra, U, secretion, ...)."""
    return _evaluate(y, p, uptake_factor, secretion_factor, paper_bounds)[1]


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
