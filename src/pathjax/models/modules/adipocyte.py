"""Adipocyte core: receptor, IRS1, PKB/Akt, mTORC1/2, S6K/S6, AS160 and GLUT4.

Source (taken unchanged):
    Brännmark C., Nyman E., Fagerholm S., Bergenholm L., Ekstrand E.-M., Cedersund G.,
    Strålfors P. (2013). Insulin signaling in type 2 diabetes: experimental and modeling
    analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol Chem
    288:9867-9880. doi:10.1074/jbc.M112.432062. BioModels BIOMD0000000448 (normal cell).

This module is the cell of the composite model. It covers what the architecture lists
as the *receptor*, *irs*, *pi3k_akt* and *glut4* modules, because in the source these
are one fitted network (PI3K and PIP3 are lumped into the IRS1-pY -> PKB-Thr308 step):

* receptor: insulin binding, autophosphorylation, internalisation, dephosphorylation by
  the feedback protein X and recycling (IR, IR_insulin, IR_pY, IR_pY_internal,
  IR_internal);
* IRS1: tyrosine phosphorylation by the internalised receptor, Ser307 phosphorylation
  by mTORC1 (IRS1, IRS1_pY, IRS1_pY_pS307, IRS1_pS307);
* PKB/Akt at Thr308 and Ser473 (mTORC2), mTORC1 -> S6K -> S6 (protein synthesis);
* AS160 -> GLUT4 translocation.

The equations are those of `pathjax.models.brannmark2013` (see its docstring for the
full list), called unchanged: `derivatives` evaluates `brannmark2013.rhs` with a view
of the parameters in which the composite model may replace single rate constants
(`changes`), e.g. the receptor's autophosphorylation scaled by an activation defect.
With no changes the module *is* the published model, which `standalone` exposes for the
comparison with libRoadRunner on ``brannmark2013_normal.xml``.

Units: proteins in % of their total in a normal cell, time in min, insulin in nM, rate
constants in 1/min or 1/(% min); glucose uptake in the arbitrary units of the source
(its 2-deoxyglucose assay at `assay_glucose` = 0.05 mM).

Parameters: the 40 rate constants and 2 Hill exponents of BIOMD0000000448 (names and
values from `brannmark2013`), the feedback strength `diabetes` (1 normal, 0.15 in the
source's diabetic cells) and `assay_glucose`. Initial state: the source's basal steady
state (normal cell).
"""

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp

from ...model import Input, Model, Observable, Param, State
from ...protocol import Protocol
from .. import brannmark2013
from ._views import Values, overlay

__all__ = [
    "GLUT4_STATES",
    "IRS1_STATES",
    "PARAMS",
    "RECEPTOR_STATES",
    "SOURCE",
    "STATES",
    "derivatives",
    "glucose_uptake",
    "glut4_surface",
    "standalone",
]

SOURCE = brannmark2013.SOURCE

_NORMAL = brannmark2013.build_normal()

#: the 27 states of BIOMD0000000448 (readable names, % units, basal steady state)
STATES: tuple[State, ...] = _NORMAL.state_specs

RECEPTOR_STATES = ("IR", "IR_insulin", "IR_pY", "IR_pY_internal", "IR_internal")
IRS1_STATES = ("IRS1", "IRS1_pY", "IRS1_pY_pS307", "IRS1_pS307")
GLUT4_STATES = ("GLUT4_membrane", "GLUT4_intracellular")

#: rate constants, Hill exponents and the feedback strength, as in the source
PARAMS: tuple[Param, ...] = tuple(
    prm for prm in _NORMAL.param_specs if prm.kind in ("kinetic", "exponent")
) + (
    _NORMAL.param_spec("diabetes")._replace(
        description="strength of the mTORC1 -> IRS1-Ser307 feedback relative to the normal "
        "cell (1 normal; 0.15 in the source's type 2 diabetic cells)"
    ),
    Param(
        "assay_glucose",
        "mM",
        0.05,
        "glucose of the source's uptake assay, at which `glucose_uptake` is read out",
        kind="structural",
    ),
)

SBML_IDS: Mapping[str, str] = {
    n: sid
    for n, sid in _NORMAL.sbml_id_pairs
    if n in {s.name for s in STATES} | {p.name for p in PARAMS}
}


def derivatives(y: Any, p: Any, insulin: Any, changes: Mapping[str, Any] | None = None) -> dict:
    """d state / d t (%/min) of the 27 source states.

    Args:
        y: named view of the states (at least the 27 of `STATES`).
        p: named view of the parameters (at least those of `PARAMS`).
        insulin: insulin seen by the cell, nM.
        changes: parameter name -> replacement value (e.g. a scaled rate constant);
            None keeps the source's equations exactly.

    Returns:
        {state name: derivative}.
    """
    prm = overlay(p, **changes) if changes else p
    return brannmark2013.rhs(0.0, y, prm, Values({"insulin": insulin}))


def glucose_uptake(y: Any, p: Any) -> Any:
    """The source's glucose-uptake rule (GLUT4 + GLUT1) at the assay glucose, a.u."""
    return (
        p.k_glucose_uptake_GLUT4 * y.GLUT4_membrane + p.k_glucose_uptake_GLUT1
    ) * p.assay_glucose


def glut4_surface(y: Any) -> Any:
    """Share of the cell's GLUT4 in the plasma membrane, %."""
    total = y.GLUT4_membrane + y.GLUT4_intracellular
    safe = jnp.where(total > 0, total, 1.0)
    return jnp.where(total > 0, 100.0 * y.GLUT4_membrane / safe, 0.0)


def _observables(t, y, p, u):
    return {
        "glucose_uptake": glucose_uptake(y, p),
        "GLUT4_surface": glut4_surface(y),
    }


def standalone() -> Model:
    """The module alone, driven by the source's input (insulin, nM).

    Returns:
        A `Model` equal to BIOMD0000000448; its default protocol is the source's
        simulation, 10 nM insulin from the basal steady state.

    Examples:
        >>> standalone().input_names
        ('insulin',)
    """
    return Model(
        name="adipocyte_module",
        state_specs=STATES,
        param_specs=PARAMS,
        observable_specs=(
            Observable("glucose_uptake", "a.u.", "glucose uptake (GLUT4 + GLUT1)"),
            Observable("GLUT4_surface", "% of total GLUT4", "share of GLUT4 in the membrane"),
        ),
        input_specs=(Input("insulin", "nM", 0.0, "extracellular insulin"),),
        rhs_fn=lambda t, y, p, u: derivatives(y, p, u.insulin),
        observables_fn=_observables,
        time_unit="min",
        source=SOURCE,
        description="Adipocyte module of the composite model, run alone (Brännmark 2013).",
        sbml_id_pairs=tuple(SBML_IDS.items()),
        default_protocol=Protocol.constant(insulin=10.0),
        t_end=60.0,
    )
