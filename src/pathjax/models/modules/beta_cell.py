"""Beta-cell mass adaptation on the slow time scale (days to months).

Source (growth law and values taken unchanged):
    Topp B., Promislow K., deVries G., Miura R.M., Finegood D.T. (2000). A model of
    beta-cell mass, insulin, and glucose kinetics: pathways to diabetes. J Theor Biol
    206:605-619. doi:10.1006/jtbi.2000.2150. BioModels BIOMD0000000341.

The beta-cell mass B (mg) replicates under mild hyperglycaemia and dies under strong
hyperglycaemia (and at low glucose)::

    dB/dt = (-d0 + r1 G - r2 G^2) B           (per day; G in mg/dL)

(`pathjax.models.topp2000`, unchanged; its net growth rate vanishes at the physiological
fixed point G* = 100 mg/dL and at the pathological one, 250 mg/dL). `standalone` is the
whole published model (glucose, insulin and mass), compared with libRoadRunner on
``topp2000.xml``.

Joined / chosen in the composite (time in min):
    * Time scales. Signalling settles in minutes, plasma glucose and insulin in hours,
      the beta-cell mass in weeks to months (the net growth rate is at most a few % per
      day). The composite integrates all of them in one system in minutes, the Topp rates
      divided by 1440 min/day. Over an OGTT (4 h) the mass changes by well under 1 %; over
      months the fast parts stay at their quasi-steady state and the mass follows the
      fasting glucose they produce.
    * Topp's glucose and insulin equations, with their insulin sensitivity S_I, are
      replaced by the Dalla Man body driven by the cell model (`whole_body`): on the
      beta-cell time scale the effective S_I is the quasi-steady-state sensitivity of the
      cell and body (the composite's observable `insulin_sensitivity_index`, in Topp's
      units).
    * Glucose seen by the growth law: ``G_topp = G * G* / beta_cell_glucose_setpoint``,
      so that the composite's healthy fasting glucose (the setpoint) is Topp's
      physiological fixed point and a healthy subject keeps the reference mass
      (*chosen*; without it the mass would drift until fasting glucose is 100 mg/dL).
    * Insulin secretion is multiplied by b = B / `beta_cell_mass_reference` (300 mg,
      Topp's physiological fixed point).
"""

from typing import Any

import jax.numpy as jnp

from ...model import Model, Param, State
from .. import topp2000
from ..topp2000 import _growth as _topp_growth

__all__ = ["COUPLING_PARAMS", "PARAMS", "SOURCE", "STATES", "derivatives", "standalone"]

SOURCE = topp2000.SOURCE
MIN_PER_DAY = 1440.0

_GROWTH = ("beta_cell_death_rate", "beta_cell_growth_linear", "beta_cell_growth_quadratic")

#: the three growth-law parameters of Topp 2000 (per day)
PARAMS: tuple[Param, ...] = tuple(p for p in topp2000.PARAMS if p.name in _GROWTH)
SBML_IDS = {n: sid for n, sid in topp2000.build().sbml_id_pairs if n in _GROWTH}

STATES: tuple[State, ...] = (
    State("beta_cell_mass", "mg", 300.0, "pancreatic beta-cell mass (Topp 2000)"),
)

COUPLING_PARAMS: tuple[Param, ...] = (
    Param(
        "beta_cell_mass_reference",
        "mg",
        300.0,
        "beta-cell mass of the healthy state, at which secretion is Dalla Man's (Topp's "
        "physiological fixed point)",
        kind="structural",
    ),
    Param(
        "beta_cell_glucose_setpoint",
        "mg/dL",
        96.65017926,
        "fasting plasma glucose mapped onto Topp's physiological fixed point (the composite's "
        "healthy fasting glucose)",
        kind="structural",
    ),
)


def physiological_glucose(p: Any) -> Any:
    """Topp's physiological fixed point G* (mg/dL): the lower root of the growth law."""
    r1, r2, d0 = p.beta_cell_growth_linear, p.beta_cell_growth_quadratic, p.beta_cell_death_rate
    return (r1 - jnp.sqrt(jnp.maximum(r1 * r1 - 4.0 * r2 * d0, 0.0))) / (2.0 * r2)


def net_growth_rate(glucose: Any, p: Any) -> Any:
    """Net beta-cell growth rate (1/day) at plasma glucose `glucose` (mg/dL, composite)."""
    g = glucose * physiological_glucose(p) / p.beta_cell_glucose_setpoint
    return _topp_growth(_Glucose(g), p)


class _Glucose:
    """The view Topp's growth law reads (only `plasma_glucose`)."""

    __slots__ = ("plasma_glucose",)

    def __init__(self, g):
        self.plasma_glucose = g


def derivatives(y: Any, p: Any, glucose: Any) -> dict:
    """d beta_cell_mass / d t in mg/min, for plasma glucose `glucose` (mg/dL)."""
    return {"beta_cell_mass": net_growth_rate(glucose, p) * y.beta_cell_mass / MIN_PER_DAY}


def standalone() -> Model:
    """The published Topp 2000 model (days), whose growth law this module uses.

    Returns:
        `pathjax.models.topp2000`'s model, renamed.
    """
    return topp2000.build().replace(name="beta_cell_module")
