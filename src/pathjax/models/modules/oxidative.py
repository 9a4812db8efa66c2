"""Oxidative stress: cytoplasmic ROS and the oxidation of the phosphatases PTP1B and PTEN.

Source (rate laws and values taken unchanged):
    Smith G.R., Shanley D.P. (2013). Computational modelling of the regulation of insulin
    signalling by oxidative stress. BMC Syst Biol 7:41. doi:10.1186/1752-0509-7-41.
    BioModels BIOMD0000000474 (reactions R30f/r, R31f/r; PIP3 dephosphorylation R14r).

In the source ROS oxidises (inactivates) PTP1B and PTEN by mass action and GSH reduces
them again. Their totals are constant, so each is written as the oxidised share of its
total, in % (the same model)::

    dPTP1B_oxidised/dt = k_PTP1B_ox * ROS * (100 - PTP1B_oxidised) - k_PTP1B_red * GSH * PTP1B_oxidised
    dPTEN_oxidised/dt  = k_PTEN_ox  * ROS * (100 - PTEN_oxidised)  - k_PTEN_red  * GSH * PTEN_oxidised

with ROS and GSH in molecules per cell, time in min.

Joined / chosen (not in the source):
    * ROS level. ``ROS = ROS_basal * (1 + oxidative_stress * (1 - antioxidant))``: the
      condition `oxidative_stress` is ROS above basal in multiples of the source's basal
      cytoplasmic ROS (0 = none; 1 doubles it); `antioxidant` (0..1) removes that share of
      the excess. GSH stays at the source's basal value.
    * PTP1B -> the adipocyte core. The source dephosphorylates the receptor and IRS1
      only by PTP1B. The adipocyte core (Brännmark 2013) has fitted, unidentified
      tyrosine phosphatases instead (rate constants k1g, k2b, k2f); here a share
      `ptp1b_share` of each is attributed to PTP1B and scales with its active fraction
      relative to the basal steady state::

          f_PTP1B = 1 - s + s * (1 - PTP1B_oxidised/100) * (1 - ptp1b_inhibition)
                                / (1 - PTP1B_oxidised_basal/100)

      The share s = `ptp1b_share` = 0.02 is *chosen*; no source gives it (PTP1B is one of
      several PTPs acting on IR and IRS1, with TCPTP, SHP2 and LAR). It is the largest
      round value at which oxidative stress lowers active Akt at every level and time of
      the OGTT (see Signs). `ptp1b_inhibition` (0..1) is the PTP1B-inhibitor
      intervention and acts on the same share, so it is a weak lever here.
    * PTEN -> the adipocyte core. The source's PIP3 is removed at (k_basal + k_PTEN *
      PTEN_active) * PIP3 (R14r), with PTEN dominating (140 against 2.7 per min). The
      adipocyte core lumps PI3K/PIP3 into the IRS1 -> PKB-Thr308 steps, so PIP3 is taken
      at its quasi-steady state and those two rate constants (k4a, k4e) are scaled by::

          f_PTEN = (k_basal + k_PTEN * PTEN_total * (1 - PTEN_oxidised_basal/100))
                   / (k_basal + k_PTEN * PTEN_total * (1 - PTEN_oxidised/100))

Signs. Oxidising PTP1B and PTEN *enhances* insulin signalling (f_PTP1B < 1 slows
tyrosine dephosphorylation, f_PTEN > 1 raises PIP3); ROS also activates JNK/IKK
(`inflammation`), which phosphorylate IRS1 on serines and send it to degradation (`irs`),
which *inhibits* signalling. With the source's kinetics the PTP1B route is the more
sensitive one at low ROS, so with a large PTP1B share the net is hormetic, as in the
source: at s = 0.5 active Akt rises by up to a third for a 10- to 50-fold ROS rise and
falls below healthy only above ~70-fold (Smith 2013 run chronically at 1 nM insulin
crosses between 42- and 83-fold). The composite model is required to show oxidative
stress as net inhibitory, so s is chosen small (0.02): active Akt then falls at every
level (by ~2 % at a 10-fold, ~25 % at a 50-fold and ~98 % at a 100-fold rise, where
IRS1 is lost). Set `ptp1b_share` to 0.5 to study the hormetic regime. Both factors are
exactly 1 at basal ROS.
"""

from typing import Any

from ...model import Model, Param, State
from ._replay import drivers_at
from .inflammation import BASAL_GSH, BASAL_ROS

__all__ = [
    "CONDITION_PARAMS",
    "INTERVENTION_PARAMS",
    "PARAMS",
    "SOURCE",
    "STATES",
    "derivatives",
    "pip3_factor",
    "ptp1b_factor",
    "ros_level",
    "standalone",
]

SOURCE = (
    "Smith G.R., Shanley D.P. (2013). Computational modelling of the regulation of insulin "
    "signalling by oxidative stress. BMC Syst Biol 7:41. doi:10.1186/1752-0509-7-41. "
    "BioModels BIOMD0000000474."
)

_MOL = "1/(molecule*min)"

# (name, unit, value, SBML id, description, kind)
_SMITH = (
    ("k_PTP1B_oxidation", _MOL, 0.08, "k30f", "PTP1B oxidation by ROS", "kinetic"),
    ("k_PTP1B_reduction", _MOL, 0.005, "k30r", "reduction of oxidised PTP1B by GSH", "kinetic"),
    ("k_PTEN_oxidation", _MOL, 0.00027, "k31f", "PTEN oxidation by ROS", "kinetic"),
    ("k_PTEN_reduction", _MOL, 0.002, "k31r", "reduction of oxidised PTEN by GSH", "kinetic"),
    ("k_PIP3_dephos_basal", "1/min", 2.7, "kminus9_basal", "PTEN-independent PIP3 removal", "kinetic"),
    ("k_PIP3_dephos_by_PTEN", _MOL, 0.0014, "kminus9", "PIP3 dephosphorylation by PTEN", "kinetic"),
    ("PTEN_total", "molecules", 100000.0, "PTEN", "PTEN per cell (the source's initial amount)", "structural"),
)  # fmt: skip

PARAMS: tuple[Param, ...] = tuple(Param(n, u, v, d, kind=k) for n, u, v, _, d, k in _SMITH)

SBML_IDS = {n: sid for n, _, _, sid, _, _ in _SMITH}

#: basal ROS/GSH, the PTP1B share (chosen) and the condition `oxidative_stress`
CONDITION_PARAMS: tuple[Param, ...] = (
    Param(
        "basal_ROS",
        "molecules",
        BASAL_ROS,
        "cytoplasmic ROS of the source's basal steady state",
        kind="structural",
    ),
    Param(
        "basal_GSH",
        "molecules",
        BASAL_GSH,
        "reduced glutathione of the source's basal steady state (held constant)",
        kind="structural",
    ),
    Param(
        "ptp1b_share",
        "1",
        0.02,
        "share of the adipocyte core's IR/IRS1 tyrosine dephosphorylation done by PTP1B "
        "(chosen small so that oxidative stress is net inhibitory; 0.5 gives the source's "
        "hormesis)",
        0.0,
        1.0,
        kind="structural",
    ),
    Param(
        "oxidative_stress",
        "1",
        0.0,
        "ROS above basal, in multiples of the basal cytoplasmic ROS (0 = none, 1 = doubled); "
        "drives JNK/IKK activation and PTP1B/PTEN/DUSP oxidation",
        kind="condition",
    ),
)

INTERVENTION_PARAMS: tuple[Param, ...] = (
    Param(
        "antioxidant",
        "1",
        0.0,
        "antioxidant therapy: share of the ROS excess removed (0 = none, 1 = ROS back to "
        "basal); attenuates every effect of `oxidative_stress`",
        0.0,
        1.0,
        kind="intervention",
    ),
    Param(
        "ptp1b_inhibition",
        "1",
        0.0,
        "PTP1B inhibitor (IRS phosphorylation modulator): inhibited share of active PTP1B "
        "(0 = none, 1 = full); slows IR and IRS1 tyrosine dephosphorylation by up to "
        "`ptp1b_share` (2 %), raising signalling slightly",
        0.0,
        1.0,
        kind="intervention",
    ),
)

STATES: tuple[State, ...] = (
    State("PTP1B_oxidised", "% of PTP1B", 0.0, "oxidised (inactive) PTP1B"),
    State("PTEN_oxidised", "% of PTEN", 0.0, "oxidised (inactive) PTEN"),
)


def ros_level(p: Any) -> Any:
    """Cytoplasmic ROS (molecules per cell) from `oxidative_stress` and `antioxidant`."""
    return p.basal_ROS * (1.0 + p.oxidative_stress * (1.0 - p.antioxidant))


def derivatives(y: Any, p: Any, ros: Any, gsh: Any) -> dict:
    """d state / d t (%/min) of the oxidised shares of PTP1B and PTEN.

    Args:
        y: named view with `PTP1B_oxidised` and `PTEN_oxidised` (%).
        p: named view of `PARAMS`.
        ros: cytoplasmic ROS, molecules per cell.
        gsh: reduced glutathione, molecules per cell.

    Returns:
        {state name: derivative}.
    """
    return {
        "PTP1B_oxidised": p.k_PTP1B_oxidation * ros * (100.0 - y.PTP1B_oxidised)
        - p.k_PTP1B_reduction * gsh * y.PTP1B_oxidised,
        "PTEN_oxidised": p.k_PTEN_oxidation * ros * (100.0 - y.PTEN_oxidised)
        - p.k_PTEN_reduction * gsh * y.PTEN_oxidised,
    }


def _basal_share(k_ox, k_red, p):
    """Oxidised share (fraction) at basal ROS and GSH: the steady state of the equation."""
    on = k_ox * p.basal_ROS
    return on / (on + k_red * p.basal_GSH)


def ptp1b_factor(y: Any, p: Any) -> Any:
    """Multiplier of the adipocyte core's tyrosine dephosphorylation rates (1 at basal)."""
    basal = _basal_share(p.k_PTP1B_oxidation, p.k_PTP1B_reduction, p)
    active = (1.0 - y.PTP1B_oxidised / 100.0) * (1.0 - p.ptp1b_inhibition)
    return 1.0 - p.ptp1b_share + p.ptp1b_share * active / (1.0 - basal)


def pip3_factor(y: Any, p: Any) -> Any:
    """Quasi-steady-state PIP3 relative to basal (multiplier of PKB-Thr308 phosphorylation)."""
    basal = _basal_share(p.k_PTEN_oxidation, p.k_PTEN_reduction, p)
    k_pten = p.k_PIP3_dephos_by_PTEN * p.PTEN_total
    return (p.k_PIP3_dephos_basal + k_pten * (1.0 - basal)) / (
        p.k_PIP3_dephos_basal + k_pten * (1.0 - y.PTEN_oxidised / 100.0)
    )


def standalone(times: Any, drivers: dict) -> Model:
    """The module alone, driven by the source's own ROS and GSH trajectories.

    Args:
        times: (K,) recording times of the drivers, min.
        drivers: ``{"ROS": (K,), "GSH": (K,)}`` in molecules per cell.

    Returns:
        A `Model` (time in min) from the source's initial state (nothing oxidised).
    """
    at = drivers_at(times, drivers, ("ROS", "GSH"))

    def rhs(t, y, p, u):
        d = at(t)
        return derivatives(y, p, d["ROS"], d["GSH"])

    return Model(
        name="phosphatase_oxidation_module",
        state_specs=STATES,
        param_specs=PARAMS,
        rhs_fn=rhs,
        time_unit="min",
        source=SOURCE,
        description="PTP1B/PTEN oxidation module of the composite model, replayed ROS/GSH.",
        sbml_id_pairs=tuple(SBML_IDS.items()),
        t_end=float(times[-1]),
    )
