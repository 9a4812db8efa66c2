"""The composite insulin-resistance model: cell signalling, inflammation, oxidative
stress, glucose-insulin dynamics of the body and beta-cell adaptation.

No published model covers the whole story, so this one is assembled from cited modules
in `pathjax.models.modules`, each taking its equations and values from a published
model and saying where it was joined to the others or where a value had to be chosen
(module docstrings, and the provenance table in ``docs/insulin_resistance.md``):

==============  ==================================================  =====================
module          content                                             source
==============  ==================================================  =====================
adipocyte       receptor (binding, autophosphorylation,             Brännmark 2013
                internalisation, recycling), IRS1 Tyr/Ser307,       (BIOMD0000000448)
                PKB/Akt, mTORC1/2, S6K/S6, AS160, GLUT4
receptor        receptor density, activation defect, agonist        joins (chosen)
irs             IRS1 poly-serine phosphorylation by JNK/IKK,        Smith 2013, Huang 2014,
                IRS1 turnover, S6K feedback, Ser -> Tyr-dephos.     Di Camillo 2016
inflammation    JNK, IKK, DUSP driven by ROS (and TNFα)             Smith 2013 (+ TNFα)
oxidative       ROS, PTP1B and PTEN oxidation                       Smith 2013
glycogen        Akt -> GSK3β -> glycogen synthase                   Kubota 2012
mapk            Ras -> Raf -> MEK -> ERK                            Borisov 2009
glut4           GLUT4 expression, relative transport                joins (chosen)
whole_body      gut, plasma glucose and insulin, EGP, secretion     Dalla Man 2007
beta_cell       beta-cell mass (days to months)                     Topp 2000
==============  ==================================================  =====================

Coupling (all documented in the modules):

* The cell sees interstitial insulin, Dalla Man's remote insulin ``X + I_b`` (pmol/L)
  converted to nM (/1000).
* The body's insulin-dependent utilisation is ``(1 - part) V_m0 r^n G_t / (K_m0 + G_t)``
  with ``r = GLUT4_membrane / GLUT4_membrane_reference`` (the cell's GLUT4 transport
  relative to the healthy fasting state) replacing Dalla Man's insulin action ``V_mX X``;
  n = `peripheral_uptake_gain` is calibrated to Dalla Man's OGTT.
* Insulin secretion is Dalla Man's with the paper's bounds (no negative secretion), which
  the BioModels entry leaves out, multiplied by the relative beta-cell mass (Topp 2000:
  secretion proportional to the mass), so it stays non-negative whatever the mass does;
  with insulin resistance glucose rises and so does secretion (compensating
  hyperinsulinaemia).
* ROS and TNFα act through JNK/IKK on IRS1 (serine phosphorylation, degradation) and ROS
  through PTP1B/PTEN oxidation on tyrosine dephosphorylation and PIP3.

Disease conditions (kind "condition", healthy defaults): `receptor_density` (1),
`receptor_activation` (1), `inflammation` (0), `oxidative_stress` (0), `diabetes` (the
core's mTORC1 -> IRS1 feedback, 1). Therapy targets (kind "intervention", neutral
defaults): `receptor_agonist` (0, nM insulin equivalents), `irs_serine_kinase_inhibition`
(0..1, 0) and `ptp1b_inhibition` (0..1, 0) (IRS phosphorylation modulators),
`anti_inflammatory` (0..1, 0), `antioxidant` (0..1, 0), `insulin_sensitizer` (fold GLUT4,
1).

Time scales and protocols (time in min). Signalling settles within minutes, plasma
glucose and insulin within hours, IRS1 turnover within a day, the beta-cell mass over
weeks to months. The default protocol (also named ``"ogtt"``) is a 75 g oral glucose load
at t = 0 (Dalla Man's meal, `whole_body.meal`) after a pre-equilibration of
`PREEQUILIBRATION` min at the patient's own parameters, so every patient starts from
its own fasting steady state (the stored initial state is the healthy one, where the
pre-equilibration changes nothing); simulate 0-240 min. ``"fasting"`` is the same without
the load. ``"progression"`` is the slow time scale: no load and no pre-equilibration, so
the patient starts from the healthy fasting state and the disease conditions act from
t = 0; simulate over days to months (e.g. ``t = np.linspace(0, 180 * 1440, 91)``) to see
the beta-cell mass adapt (Topp 2000) to the fasting glucose set by the cell and body at
their quasi-steady state.

HOMA-IR = fasting glucose (mmol/L) x fasting insulin (microU/mL) / 22.5, with 18 mg/dL per
mmol/L and 6 pmol/L per microU/mL, evaluated on the current state: it is the index only
in the fasting state (e.g. at t = 0 of the OGTT, or along ``"progression"``).
"""

from typing import Any

import jax.numpy as jnp

from ..model import Companions, Input, Model, Observable, Param, State
from ..protocol import Protocol
from . import insulin_resistance_companions as _companions
from .modules import (
    adipocyte,
    beta_cell,
    glut4,
    glycogen,
    inflammation,
    irs,
    mapk,
    oxidative,
    receptor,
    whole_body,
)
from .modules._views import overlay

__all__ = ["FASTING_STATE", "OGTT_GLUCOSE", "PREEQUILIBRATION", "SOURCE", "build", "ogtt"]

#: glucose of the oral glucose tolerance test, mg
OGTT_GLUCOSE = 75000.0
#: pre-equilibration before the load, min (IRS1 turnover, 1000 min, is the slowest fast part)
PREEQUILIBRATION = 6000.0

MG_DL_PER_MMOL_L = 18.0
PMOL_L_PER_MICROU_ML = 6.0
S_PER_MIN = 60.0

SOURCE = (
    "Composite model (pathjax), assembled from: Brännmark C. et al. (2013) J Biol Chem "
    "288:9867 (BIOMD0000000448); Smith G.R., Shanley D.P. (2013) BMC Syst Biol 7:41 "
    "(BIOMD0000000474); Huang et al. (2014) (MODEL1912090001); Di Camillo B. et al. (2016) "
    "BMC Syst Biol 10:38 (BIOMD0000000833); Borisov N. et al. (2009) Mol Syst Biol 5:256 "
    "(BIOMD0000000223); Kubota H. et al. (2012) Mol Cell 46:820 (MODEL1204060000); Dalla "
    "Man C., Rizza R.A., Cobelli C. (2007) IEEE Trans Biomed Eng 54:1740 (BIOMD0000000379); "
    "Topp B. et al. (2000) J Theor Biol 206:605 (BIOMD0000000341)."
)

# The adipocyte core's state IRS1_pY (tyrosine-phosphorylated, no Ser307) is renamed here,
# because `IRS1_pY` is the public observable (all tyrosine-phosphorylated IRS1).
_RENAMED = {"IRS1_pY": "IRS1_pY_only"}
_BACK = {v: k for k, v in _RENAMED.items()}

# Healthy fasting steady state of the default parameters, stored so that the default
# simulation starts there (pre-equilibration then changes nothing). Computed by solving
# for the fixed point of the GLUT4 reference: integrate the fasting model for 1e5 min,
# set `GLUT4_membrane_reference` to the membrane GLUT4 reached and
# `beta_cell_glucose_setpoint` to the glucose reached, and repeat (secant) until both
# agree to 1e-8; the tests check that every derivative vanishes here.
FASTING_STATE: dict[str, float] = {
    "IR": 97.3979513537,
    "IR_insulin": 2.40868547414,
    "IR_pY": 0.00288560664102,
    "IR_pY_internal": 0.0269194075795,
    "IR_internal": 0.163558146478,
    "IRS1": 77.542618993,
    "IRS1_pY_only": 0.00129571820561,
    "IRS1_pY_pS307": 0.786861770067,
    "IRS1_pS307": 20.7781807804,
    "X": 99.9981934268,
    "X_p": 0.0018065732444,
    "PKB": 59.5623901757,
    "PKB_pT308": 12.4929029952,
    "PKB_pS473": 22.5637759536,
    "PKB_pT308_pS473": 5.38093547469,
    "mTORC1": 70.0827567311,
    "mTORC1_active": 29.9172432666,
    "mTORC2": 99.7827053488,
    "mTORC2_active": 0.217294651163,
    "AS160": 70.7378308088,
    "AS160_p": 29.2621691903,
    "GLUT4_membrane": 39.4883571173,
    "GLUT4_intracellular": 60.5116427995,
    "S6K": 98.4266190641,
    "S6K_p": 1.57338093589,
    "S6": 85.5460671357,
    "S6_p": 14.4539328661,
    "IRS1_polySer": 0.0891042738278,
    "JNK_active": 0.292982299712,
    "IKK_active": 0.0587341244131,
    "DUSP_oxidised": 0.878718506373,
    "PTP1B_oxidised": 8.63916281741,
    "PTEN_oxidised": 0.0797221508705,
    "GSK3_inactive": 42.8958663114,
    "Ras_GDP": 149.526480754,
    "Ras_GTP": 0.473519245977,
    "Raf": 96.6398422932,
    "Raf_active": 1.98592663773,
    "Raf_active_Src": 1.37423106905,
    "MEK": 194.03587749,
    "MEK_pp": 5.96412251049,
    "ERK": 379.990927919,
    "ERK_p": 18.717227387,
    "ERK_pp": 1.29184469353,
    "glucose_mass_plasma": 181.702337016,
    "glucose_mass_tissue": 139.815078189,
    "insulin_mass_liver": 6.11089183086,
    "insulin_mass_plasma": 1.71249181101,
    "stomach_solid": 0.0,
    "stomach_liquid": 0.0,
    "gut_glucose": 0.0,
    "insulin_delayed_1": 34.2498362203,
    "insulin_delayed": 34.2498362198,
    "insulin_action": 9.2498362203,
    "portal_insulin": 3.96303943723,
    "secretion_provision": 0.181519718966,
    "meal_size": 75000.0,
    "beta_cell_mass": 300.0,
}

_MAPK_COUPLING: tuple[Param, ...] = (
    Param(
        "GEF_per_IRS1_pY",
        "nM/%",
        0.00298,
        "Grb2/SOS (Ras GEF) per % tyrosine-phosphorylated IRS1 (chosen: 10 nM insulin gives "
        "Borisov's GEF, 0.0144 nM, at 5 min)",
        kind="structural",
    ),
    Param("RasGAP_level", "nM", 5e-05, "Ras GAP activity (Borisov under insulin)", kind="structural"),
    Param("Src_active_level", "nM", 0.0167, "active Src (Borisov's plateau under insulin)", kind="structural"),
    Param("PKA_level", "nM", 100.0, "PKA (Borisov's constant)", kind="structural"),
    Param("Akt_total_borisov", "nM", 100.0, "Akt total of Borisov 2009 (reads PKB % as nM)", kind="structural"),
)  # fmt: skip


def _params() -> tuple[Param, ...]:
    body = tuple(p for p in whole_body.PARAMS if p.name != "V_max_insulin")
    return (
        adipocyte.PARAMS
        + receptor.CONDITION_PARAMS
        + irs.PARAMS
        + inflammation.PARAMS
        + inflammation.TNF_PARAMS
        + inflammation.CONDITION_PARAMS
        + oxidative.PARAMS
        + oxidative.CONDITION_PARAMS
        + glycogen.PARAMS
        + mapk.PARAMS
        + _MAPK_COUPLING
        + body
        + whole_body.COUPLING_PARAMS
        + glut4.COUPLING_PARAMS
        + beta_cell.PARAMS
        + beta_cell.COUPLING_PARAMS
        + receptor.INTERVENTION_PARAMS
        + irs.INTERVENTION_PARAMS
        + oxidative.INTERVENTION_PARAMS
        + inflammation.INTERVENTION_PARAMS
        + glut4.INTERVENTION_PARAMS
    )


def _states() -> tuple[State, ...]:
    cell = tuple(s._replace(name=_RENAMED.get(s.name, s.name)) for s in adipocyte.STATES)
    body = tuple(
        s._replace(default=OGTT_GLUCOSE) if s.name == "meal_size" else s for s in whole_body.STATES
    )
    return (
        cell
        + irs.STATES
        + inflammation.STATES
        + oxidative.STATES
        + glycogen.STATES
        + mapk.STATES
        + body
        + beta_cell.STATES
    )


def _cell_view(y: Any) -> Any:
    """The states under the adipocyte core's own names."""
    return overlay(y, **{old: y[new] for old, new in _RENAMED.items()})


def _mapk_drivers(y: Any, p: Any) -> dict:
    scale = p.Akt_total_borisov / 100.0
    return {
        "GEF": p.GEF_per_IRS1_pY * (y.IRS1_pY_only + y.IRS1_pY_pS307),
        "GAP": p.RasGAP_level,
        "Src": p.Src_active_level,
        "PKA": p.PKA_level,
        "pAkt": scale * (y.PKB_pT308 + y.PKB_pS473),
        "ppAkt": scale * y.PKB_pT308_pS473,
    }


def _cell_insulin(y: Any, p: Any, u: Any) -> Any:
    """Insulin seen by the cell, nM: Dalla Man's remote (interstitial) insulin X + I_b,
    or, while the input ``assay`` is on, the assay's ``assay_insulin``."""
    body = jnp.maximum(y.insulin_action + p.basal_insulin, 0.0) / 1000.0
    return jnp.where(u.assay > 0.5, u.assay_insulin, body)


def _couplings(y: Any, p: Any) -> tuple:
    uptake = glut4.relative_transport(y, p) ** p.peripheral_uptake_gain
    secretion = y.beta_cell_mass / p.beta_cell_mass_reference
    return uptake, secretion


def rhs(t, y, p, u):
    """Right-hand side of the composite model (per min)."""
    cell = _cell_view(y)
    ros = oxidative.ros_level(p)
    gsh = p.basal_GSH
    f_ptp1b = oxidative.ptp1b_factor(y, p)
    f_pip3 = oxidative.pip3_factor(y, p)
    changes = receptor.rate_changes(p)
    changes.update(
        k_IR_dephos_surface=p.k_IR_dephos_surface * f_ptp1b,
        k_IRS1_tyr_dephos=p.k_IRS1_tyr_dephos
        * f_ptp1b
        * irs.tyrosine_dephosphorylation_factor(y, p),
        k_IRS1_tyr_dephos_of_pS307=p.k_IRS1_tyr_dephos_of_pS307 * f_ptp1b,
        k_PKB_T308_phos=p.k_PKB_T308_phos * f_pip3,
        k_PKB_T308_phos_of_pS473=p.k_PKB_T308_phos_of_pS473 * f_pip3,
    )
    d = dict(adipocyte.derivatives(cell, p, _cell_insulin(y, p, u), changes))
    extra = [
        receptor.derivatives(cell, p),
        irs.derivatives(
            cell,
            p,
            p.JNK_total * y.JNK_active / 100.0,
            p.IKK_total * y.IKK_active / 100.0,
        ),
    ]
    for part in extra:
        for k, v in part.items():
            d[k] = d.get(k, 0.0) + v
    d = {_RENAMED.get(k, k): v for k, v in d.items()}
    d.update(inflammation.derivatives(y, p, ros, gsh, inflammation.effective_inflammation(p)))
    d.update(oxidative.derivatives(y, p, ros, gsh))
    d.update(glycogen.derivatives(y, p, p.AKT_total_kubota * y.PKB_pT308_pS473 / 100.0))
    for k, v in mapk.derivatives(y, p, _mapk_drivers(y, p)).items():
        d[k] = S_PER_MIN * v
    uptake, secretion = _couplings(y, p)
    d.update(whole_body.derivatives(y, p, uptake, secretion, paper_bounds=True))
    d.update(beta_cell.derivatives(y, p, y.glucose_mass_plasma / p.V_glucose))
    return d


_BODY_OBSERVABLES = (
    "endogenous_glucose_production",
    "glucose_appearance",
    "glucose_utilization",
    "insulin_dependent_utilization",
    "insulin_secretion",
)

OBSERVABLES: tuple[Observable, ...] = (
    Observable("IRS1_pY", "% of normal IRS1", "tyrosine-phosphorylated IRS1 (with or without Ser307)"),
    Observable("IRS1_pS", "% of the cell's IRS1", "serine-phosphorylated IRS1 (Ser307 and poly-serine), share of the cell's IRS1"),
    Observable("IRS1_total", "% of normal IRS1", "all IRS1 of the cell"),
    Observable("AKT_active", "% of PKB", "active Akt: PKB phosphorylated at Thr308 and Ser473"),
    Observable("ERK_active", "% of ERK", "doubly phosphorylated (active) ERK"),
    Observable("GLUT4_surface", "% of the cell's GLUT4", "share of the cell's GLUT4 in the plasma membrane"),
    Observable("glucose_uptake", "a.u.", "the cell's glucose transport (GLUT4 + GLUT1) at the assay glucose, Brännmark's readout"),
    Observable("glycogen_synthesis", "mg/kg/min", "glucose disposal into glycogen: insulin-dependent utilisation x GSK3β-inhibited share"),
    Observable("protein_synthesis", "% of S6", "S6 phosphorylation by mTORC1/S6K, the protein-synthesis readout"),
    Observable("plasma_glucose", "mg/dL", "plasma glucose"),
    Observable("plasma_insulin", "pmol/L", "plasma insulin"),
    Observable("HOMA_IR", "1", "HOMA-IR of the current state (the index itself only in the fasting state)"),
    Observable("cell_insulin", "nM", "insulin seen by the cell: interstitial, or the assay's while `assay` is on"),
    Observable("peripheral_uptake_factor", "1", "insulin-dependent utilisation capacity relative to healthy fasting, r^n"),
    Observable("insulin_sensitivity_index", "mL/(microU*day)", "quasi-steady-state insulin sensitivity in Topp's units: U_id / (V_G G I)"),
    Observable("beta_cell_net_growth_rate", "1/day", "net beta-cell replication minus death (Topp 2000)"),
    Observable("ROS_level", "1", "cytoplasmic ROS relative to basal"),
) + tuple(o for o in whole_body.OBSERVABLES if o.name in _BODY_OBSERVABLES)  # fmt: skip


def observables(t, y, p, u):
    """The public readouts (see `OBSERVABLES`)."""
    uptake, secretion = _couplings(y, p)
    body = whole_body.observables(y, p, uptake, secretion, paper_bounds=True)
    g = body["plasma_glucose"]
    ins = body["plasma_insulin"]
    irs1 = y.IRS1 + y.IRS1_pY_only + y.IRS1_pY_pS307 + y.IRS1_pS307 + y.IRS1_polySer
    safe_irs1 = jnp.where(irs1 > 0, irs1, 1.0)
    pser = y.IRS1_pY_pS307 + y.IRS1_pS307 + y.IRS1_polySer
    erk = y.ERK + y.ERK_p + y.ERK_pp
    ins_microu = ins / PMOL_L_PER_MICROU_ML
    safe_gi = jnp.where(g * ins_microu > 0, g * ins_microu, 1.0)
    u_id = body["insulin_dependent_utilization"]
    out = {
        "IRS1_pY": y.IRS1_pY_only + y.IRS1_pY_pS307,
        "IRS1_pS": jnp.where(irs1 > 0, 100.0 * pser / safe_irs1, 0.0),
        "IRS1_total": irs1,
        "AKT_active": y.PKB_pT308_pS473,
        "ERK_active": 100.0 * y.ERK_pp / jnp.where(erk > 0, erk, 1.0),
        "GLUT4_surface": adipocyte.glut4_surface(y),
        "glucose_uptake": adipocyte.glucose_uptake(y, p),
        "glycogen_synthesis": u_id * y.GSK3_inactive / 100.0,
        "protein_synthesis": y.S6_p,
        "plasma_glucose": g,
        "plasma_insulin": ins,
        "HOMA_IR": g / MG_DL_PER_MMOL_L * ins_microu / 22.5,
        "cell_insulin": _cell_insulin(y, p, u),
        "peripheral_uptake_factor": uptake,
        "insulin_sensitivity_index": jnp.where(
            g * ins_microu > 0,
            u_id / p.V_glucose * beta_cell.MIN_PER_DAY / safe_gi,
            0.0,
        ),
        "beta_cell_net_growth_rate": beta_cell.net_growth_rate(g, p),
        "ROS_level": oxidative.ros_level(p) / p.basal_ROS,
    }
    out.update({k: body[k] for k in _BODY_OBSERVABLES})
    return out


_RECEPTOR = tuple(_RENAMED.get(n, n) for n in adipocyte.RECEPTOR_STATES)


def _initial_state(p):
    out = {n: FASTING_STATE[n] * p.receptor_density for n in _RECEPTOR if n in FASTING_STATE}
    out.update(
        {
            n: FASTING_STATE[n] * p.insulin_sensitizer
            for n in adipocyte.GLUT4_STATES
            if n in FASTING_STATE
        }
    )
    return out


def ogtt(glucose: Any = OGTT_GLUCOSE, at: float = 0.0) -> Protocol:
    """An oral glucose load from each patient's own fasting steady state.

    Args:
        glucose: glucose of the load, mg (75 g for the standard OGTT); a scalar or one
            value per patient.
        at: time of the load, min.

    Returns:
        A `Protocol`: Dalla Man's meal dose, pre-equilibrated for `PREEQUILIBRATION` min.
    """
    return (
        whole_body.meal(glucose, at)
        .with_preequilibration(PREEQUILIBRATION)
        .named("oral glucose load from the fasting steady state")
    )


INPUTS = (
    Input(
        "assay",
        "1",
        0.0,
        "1: the cell sees `assay_insulin` instead of the body's "
        "interstitial insulin (ex-vivo adipocyte assay); 0: the closed loop",
    ),
    Input("assay_insulin", "nM", 0.0, "insulin applied to the cell while `assay` is on"),
)


def assay(insulin: Any = 1.0, at: float = 0.0) -> Protocol:
    """The patient's adipocytes stimulated ex vivo at a fixed insulin concentration.

    The experiment of Brännmark 2013 (and of the adipocyte data): cells carrying the
    patient's chronic state (its own fasting steady state, after `PREEQUILIBRATION` min of
    the closed loop) are exposed to `insulin` nM from `at` on. The cell's readouts
    (``glucose_uptake``, ``GLUT4_surface``, ``AKT_active``, ...) then measure its insulin
    sensitivity free of the body's compensation (more insulin secretion), which in the
    closed loop hides much of a cellular defect. The body keeps running but is not part
    of the experiment: read only the cell's observables.

    Args:
        insulin: insulin applied to the cell, nM; a scalar or one value per patient.
        at: start of the stimulation, min.

    Returns:
        A `Protocol` with the inputs ``assay`` = 1 and ``assay_insulin`` from `at`.
    """
    return (
        (Protocol.step("assay", 1.0, start=at) + Protocol.step("assay_insulin", insulin, start=at))
        .with_preequilibration(PREEQUILIBRATION)
        .named(
            f"adipocytes from the fasting steady state stimulated ex vivo with insulin from t = {at:g}"
        )
    )


def build() -> Model:
    """The composite insulin-resistance model.

    Returns:
        The model `insulin_resistance` (time in min); default protocol: a 75 g OGTT at
        t = 0 from the fasting steady state; named protocols ``"ogtt"``, ``"fasting"``
        and ``"progression"`` (days to months, beta-cell adaptation).
    """
    states = tuple(s._replace(default=FASTING_STATE.get(s.name, s.default)) for s in _states())
    default = ogtt()
    return Model(
        name="insulin_resistance",
        state_specs=states,
        param_specs=_params(),
        observable_specs=OBSERVABLES,
        rhs_fn=rhs,
        observables_fn=observables,
        input_specs=INPUTS,
        initial_state_fn=_initial_state,
        time_unit="min",
        source=SOURCE,
        description=(
            "Insulin resistance from the receptor to the body: adipocyte insulin signalling "
            "with inflammation (TNFα -> JNK/IKK) and oxidative stress (ROS -> JNK/IKK, "
            "PTP1B/PTEN oxidation) acting on IRS1, MAPK and glycogen branches, coupled to "
            "whole-body glucose-insulin dynamics and beta-cell mass adaptation."
        ),
        default_protocol=default,
        named_protocols=(
            ("ogtt", default),
            (
                "fasting",
                Protocol(preequilibrate=PREEQUILIBRATION, name="fasting steady state"),
            ),
            ("assay", assay()),
            (
                "progression",
                Protocol(name="onset at t = 0 from the healthy fasting state (days-months)"),
            ),
        ),
        t_end=240.0,
        companions=Companions(
            _companions.therapies,
            _companions.cohorts,
            plausibility=_companions.plausibility,
        ),
    )
