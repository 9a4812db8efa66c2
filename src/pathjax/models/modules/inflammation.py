"""Stress kinases: JNK and IKK activated by ROS and TNFα, inactivated by DUSP.

Source (rate laws and values taken unchanged):
    Smith G.R., Shanley D.P. (2013). Computational modelling of the regulation of insulin
    signalling by oxidative stress. BMC Syst Biol 7:41. doi:10.1186/1752-0509-7-41.
    BioModels BIOMD0000000474 (reactions R42f/r, R43f/r, R32f/r).

In the source, cytoplasmic ROS activates JNK and IKK (mass action), the dual-specificity
phosphatase DUSP inactivates both, and ROS oxidises DUSP (reversibly, reduced by GSH).
The source counts molecules per cell; the totals of JNK, IKK and DUSP do not change (no
other reaction of the source produces or consumes them), so here each is written as the
active (or oxidised) share of its total, in %, which is the same model::

    dJNK_active/dt    = k_JNK_ROS * alpha * ROS * (100 - JNK_active)
                        - k_JNK_DUSP * DUSP_total * (1 - DUSP_oxidised/100) * JNK_active
    dIKK_active/dt    = k_IKK_ROS * ROS * (100 - IKK_active)
                        - k_IKK_DUSP * DUSP_total * (1 - DUSP_oxidised/100) * IKK_active
    dDUSP_oxidised/dt = k_DUSP_ox * ROS * (100 - DUSP_oxidised) - k_DUSP_red * GSH * DUSP_oxidised

with ROS and GSH in molecules per cell and time in min (the source's units).

Joined / chosen (not in the source):
    * TNFα. No curated model couples TNFα to JNK/IKK and insulin signalling (see
      SOURCES.md §7). Inflammation enters as a second activation term with the source's
      mass-action form, ``+ k_JNK_TNF * TNF * (100 - JNK_active)`` and the same for IKK,
      where TNF is the composite's `inflammation` (dimensionless, 0 = none) attenuated by
      `anti_inflammatory`. The gains are *chosen* so that ``inflammation = 1`` activates
      JNK and IKK as strongly as a 50-fold rise of cytoplasmic ROS above its basal level
      does in the source (k_JNK_TNF = 50 * k_JNK_ROS * alpha * ROS_basal, and likewise for
      IKK): a strong, chronic inflammatory state.
    * In the composite, GSH is held at the source's basal steady state (the
      glutathione redox buffer is not modelled), ROS is set by `oxidative` from the
      condition `oxidative_stress`.

Outputs used downstream: `JNK_active` and `IKK_active` drive IRS1 poly-serine
phosphorylation (`irs`).
"""

from typing import Any

from ...model import Model, Param, State
from ._replay import drivers_at

__all__ = [
    "BASAL_GSH",
    "BASAL_ROS",
    "CONDITION_PARAMS",
    "INTERVENTION_PARAMS",
    "PARAMS",
    "SOURCE",
    "STATES",
    "TNF_PARAMS",
    "derivatives",
    "effective_inflammation",
    "standalone",
]

SOURCE = (
    "Smith G.R., Shanley D.P. (2013). Computational modelling of the regulation of insulin "
    "signalling by oxidative stress. BMC Syst Biol 7:41. doi:10.1186/1752-0509-7-41. "
    "BioModels BIOMD0000000474."
)

#: cytoplasmic ROS and GSH of the source's basal (insulin-free) steady state, molecules
BASAL_ROS = 0.5825223073
BASAL_GSH = 98.56459807

_MOL = "1/(molecule*min)"

# (name, unit, value, SBML id, description, kind)
_SMITH = (
    ("k_JNK_activation_by_ROS", _MOL, 5e-05, "k42f", "JNK activation by cytoplasmic ROS", "kinetic"),
    ("ROS_JNK_factor", "1", 5.0, "alpha_ox", "extra factor of ROS on JNK activation", "structural"),
    ("k_JNK_inactivation_by_DUSP", _MOL, 5e-07, "k42r", "JNK dephosphorylation by DUSP", "kinetic"),
    ("k_IKK_activation_by_ROS", _MOL, 5e-05, "k43f", "IKK activation by cytoplasmic ROS", "kinetic"),
    ("k_IKK_inactivation_by_DUSP", _MOL, 5e-07, "k43r", "IKK dephosphorylation by DUSP", "kinetic"),
    ("k_DUSP_oxidation", _MOL, 0.0006, "k32f", "DUSP oxidation by ROS", "kinetic"),
    ("k_DUSP_reduction", _MOL, 0.0004, "k32r", "reduction of oxidised DUSP by GSH", "kinetic"),
)  # fmt: skip
_TOTALS = (
    ("JNK_total", 16000.0, "JNK", "JNK per cell (the source's initial amount)"),
    ("IKK_total", 2000.0, "IKK", "IKK per cell (the source's initial amount)"),
    ("DUSP_total", 100000.0, "DUSP", "DUSP per cell (the source's initial amount)"),
)

PARAMS: tuple[Param, ...] = tuple(
    Param(n, u, v, d, kind=kind) for n, u, v, _, d, kind in _SMITH
) + tuple(Param(n, "molecules", v, d, kind="structural") for n, v, _, d in _TOTALS)

#: the chosen TNFα gains (see the module docstring)
TNF_PARAMS: tuple[Param, ...] = (
    Param(
        "k_JNK_activation_by_TNF",
        "1/min",
        50.0 * 5e-05 * 5.0 * BASAL_ROS,
        "JNK activation per unit of `inflammation` (chosen: inflammation 1 acts as a "
        "50-fold ROS rise does in Smith 2013)",
    ),
    Param(
        "k_IKK_activation_by_TNF",
        "1/min",
        50.0 * 5e-05 * BASAL_ROS,
        "IKK activation per unit of `inflammation` (chosen as for JNK)",
    ),
)

SBML_IDS = {n: sid for n, _, _, sid, _, _ in _SMITH} | {n: sid for n, _, sid, _ in _TOTALS}

STATES: tuple[State, ...] = (
    State("JNK_active", "% of JNK", 0.0, "phosphorylated (active) JNK"),
    State("IKK_active", "% of IKK", 0.0, "phosphorylated (active) IKK"),
    State("DUSP_oxidised", "% of DUSP", 0.0, "oxidised (inactive) DUSP"),
)


def derivatives(y: Any, p: Any, ros: Any, gsh: Any, tnf: Any = None) -> dict:
    """d state / d t (%/min).

    Args:
        y: named view with `JNK_active`, `IKK_active`, `DUSP_oxidised` (%).
        p: named view of `PARAMS` (and `TNF_PARAMS` when `tnf` is given).
        ros: cytoplasmic ROS, molecules per cell.
        gsh: reduced glutathione, molecules per cell.
        tnf: effective inflammation (dimensionless); None (no TNF terms) gives the
            source's equations.

    Returns:
        {state name: derivative}.
    """
    dusp_active = p.DUSP_total * (1.0 - y.DUSP_oxidised / 100.0)
    jnk_on = p.k_JNK_activation_by_ROS * p.ROS_JNK_factor * ros
    ikk_on = p.k_IKK_activation_by_ROS * ros
    if tnf is not None:
        jnk_on = jnk_on + p.k_JNK_activation_by_TNF * tnf
        ikk_on = ikk_on + p.k_IKK_activation_by_TNF * tnf
    return {
        "JNK_active": jnk_on * (100.0 - y.JNK_active)
        - p.k_JNK_inactivation_by_DUSP * dusp_active * y.JNK_active,
        "IKK_active": ikk_on * (100.0 - y.IKK_active)
        - p.k_IKK_inactivation_by_DUSP * dusp_active * y.IKK_active,
        "DUSP_oxidised": p.k_DUSP_oxidation * ros * (100.0 - y.DUSP_oxidised)
        - p.k_DUSP_reduction * gsh * y.DUSP_oxidised,
    }


def standalone(times: Any, drivers: dict) -> Model:
    """The module alone, driven by the source's own ROS and GSH trajectories.

    Args:
        times: (K,) recording times of the drivers, min.
        drivers: ``{"ROS": (K,), "GSH": (K,)}`` in molecules per cell, e.g. recorded
            from libRoadRunner on BIOMD0000000474.

    Returns:
        A `Model` (time in min) starting from the source's initial state (nothing active,
        nothing oxidised).
    """
    at = drivers_at(times, drivers, ("ROS", "GSH"))

    def rhs(t, y, p, u):
        d = at(t)
        return derivatives(y, p, d["ROS"], d["GSH"])

    return Model(
        name="stress_kinase_module",
        state_specs=STATES,
        param_specs=PARAMS,
        rhs_fn=rhs,
        time_unit="min",
        source=SOURCE,
        description="JNK/IKK/DUSP module of the composite model, with replayed ROS and GSH.",
        sbml_id_pairs=tuple(SBML_IDS.items()),
        t_end=float(times[-1]),
    )


#: the condition `inflammation` and the intervention `anti_inflammatory`
CONDITION_PARAMS: tuple[Param, ...] = (
    Param(
        "inflammation",
        "1",
        0.0,
        "TNFα above basal (0 = none; 1 = strong chronic inflammation, activating JNK and IKK "
        "as a 50-fold ROS rise does in Smith 2013)",
        kind="condition",
    ),
)

INTERVENTION_PARAMS: tuple[Param, ...] = (
    Param(
        "anti_inflammatory",
        "1",
        0.0,
        "anti-inflammatory therapy: share of the inflammation (TNFα) effect removed "
        "(0 = none, 1 = all)",
        0.0,
        1.0,
        kind="intervention",
    ),
)


def effective_inflammation(p: Any) -> Any:
    """TNFα above basal after the anti-inflammatory attenuation (dimensionless)."""
    return p.inflammation * (1.0 - p.anti_inflammatory)
