"""Sedaghat, Sherman & Quon (2002): metabolic insulin signalling, no-feedback variant.

Reference:
    Sedaghat A.R., Sherman A., Quon M.J. (2002). A mathematical model of metabolic
    insulin signaling pathways. Am J Physiol Endocrinol Metab 283:E1084-E1101.
    doi:10.1152/ajpendo.00571.2001. BioModels BIOMD0000000137.

A generic insulin-sensitive cell. Insulin binds the surface receptor (one or two
molecules), the bound receptor autophosphorylates and is internalised, dephosphorylated
and recycled; a set-point mechanism keeps the intracellular receptor pool near its
basal size. The phosphorylated receptor tyrosine-phosphorylates IRS-1, which binds
PI3K; PI3K converts PI(4,5)P2 to PI(3,4,5)P3 (opposed by PTEN, and by SHIP towards
PI(3,4)P2); PIP3 activates Akt and PKC-zeta, which drive GLUT4 translocation to the
surface.

Units (the SBML declares fmol and a 60 s time unit; compartments are 1 L):
receptor, IRS-1 and PI3K species in fM (1e-15 mol/L; 900 fM = 0.9 pM of receptor);
phosphoinositides, Akt, PKC-zeta and GLUT4 in % of their totals; time in min.
Insulin is an input in nM (the SBML species x1 in fM: 100 nM = 1e8 fM).

Equations (v = reaction rate, fM/min or %/min)::

    v1  = k_bind_1 * ins * IR_free - k_unbind_1 * IR_b1            (x2 -> x3)
    v2  = k_autophos * IR_b1                                       (x3 -> x5)
    v3  = k_bind_2 * ins * IR_b1p - k_unbind_2 * IR_b2p            (x5 -> x4)
    v4  = k_dephos_surface * PTP * IR_b1p                          (x5 -> x2)
    v5  = k_endo_free * IR_free - k_exo_free * IR_int_free         (x2 -> x6)
    v6  = k_endo_bound * IR_b2p - k_exo_bound * IR_int_b2p         (x4 -> x7)
    v7  = k_endo_bound * IR_b1p - k_exo_bound * IR_int_b1p         (x5 -> x8)
    v8  = k5 (receptor synthesis, set-point switch, below)         (-> x6)
    v9  = k_receptor_degradation * IR_int_free                     (x6 ->)
    v10 = k_dephos_internal * PTP * IR_int_b2p                     (x7 -> x6)
    v11 = k_dephos_internal * PTP * IR_int_b1p                     (x8 -> x6)
    v12 = k_IRS1_phos * IRS1 * (IR_b2p + IR_b1p) / IR_p_reference
          - k_IRS1_dephos * PTP * IRS1_pY                          (x9 -> x10)
    v13 = k_PI3K_bind * IRS1_pY * PI3K - k_PI3K_unbind * IRS1_PI3K (x10 + x11 -> x12)
    v14 = k9 * PIP2 - k_PTEN * PTEN * PIP3                         (x14 -> x13)
    v15 = k_SHIP_reverse * PI34P2 - k_SHIP * SHIP * PIP3           (x15 -> x13)
    v16 = k11 * AKT - k_AKT_deactivation * AKT_active              (x16 -> x17)
    v17 = k12 * PKCzeta - k_PKC_deactivation * PKCzeta_active      (x18 -> x19)
    v18 = k_GLUT4_synthesis                                        (-> x20)
    v19 = k_GLUT4_degradation * GLUT4_intracellular                (x20 ->)
    v20 = (k_GLUT4_exo_basal + k13') * GLUT4_intracellular
          - k_GLUT4_endo * GLUT4_surface                           (x20 -> x21)

    k9   = (k_PI3K_stimulated + k_PI3K_basal) * IRS1_PI3K / PI3K_reference + k_PI3K_basal
    k11  = 0.1 * k_AKT_deactivation * (PIP3 - 0.31) / (3.1 - 0.31)
    k12  = 0.1 * k_PKC_deactivation * (PIP3 - 0.31) / (3.1 - 0.31)
    k13' = (40/60 - 4/96) * k_GLUT4_endo * (0.2 * AKT_active + 0.8 * PKCzeta_active) / AP_equilibrium

Akt and PKC-zeta activation rates k11 and k12 are proportional to PIP3 - 0.31 %, the
published basal PIP3; they turn negative when PIP3 falls below it (which happens after
insulin washout whenever the parameters move the basal PIP3 away from 0.31 %), and the
published equations then drive the active fractions below zero; a negative Akt/PKC
effect in turn makes GLUT4 exocytosis negative, which can push surface GLUT4 below zero.
pathjax reproduces the equations as published, so these three states are not declared
non-negative.

Receptor synthesis (SBML events 2 and 3, both on x6 + x7 + x8 against 100 fM): the
rate is `k_synthesis_low` while the intracellular receptor pool exceeds its set point
and `k_synthesis_high` otherwise. Both events share the threshold, so the switch has no
memory and is a function of the state. The SBML starts with k5 = 0 because at t = 0
the pool equals the set point exactly and only the upward crossing, immediately after
t = 0, fires an event; an integrator never uses that instant, so the published
trajectories are reproduced (see the tests).

Insulin washout (SBML event 1: x1 = 0 at t >= 15 min) is the default protocol:
100 nM on [0, 15) min. The SBML marks the IRS-1 reaction `fast`; the paper's equations
have no quasi-steady-state constraint and it is integrated as an ordinary reaction.
"""

from ..model import Companions, Conservation, Input, Model, Observable, Param, State
from ..protocol import Protocol
from . import sedaghat2002_companions as _companions

SOURCE = (
    "Sedaghat A.R., Sherman A., Quon M.J. (2002). A mathematical model of metabolic insulin "
    "signaling pathways. Am J Physiol Endocrinol Metab 283:E1084-E1101. "
    "doi:10.1152/ajpendo.00571.2001. BioModels BIOMD0000000137."
)

FM_PER_NM = 1e6

STATES = (
    State("IR_surface_free", "fM", 900.0, "unbound insulin receptor at the cell surface"),
    State("IR_surface_bound1", "fM", 0.0, "surface receptor with one insulin, unphosphorylated"),
    State("IR_surface_bound1_p", "fM", 0.0, "surface receptor with one insulin, phosphorylated"),
    State("IR_surface_bound2_p", "fM", 0.0, "surface receptor with two insulins, phosphorylated"),
    State("IR_internal_free", "fM", 100.0, "unbound unphosphorylated intracellular receptor"),
    State(
        "IR_internal_bound2_p", "fM", 0.0, "intracellular receptor, two insulins, phosphorylated"
    ),
    State("IR_internal_bound1_p", "fM", 0.0, "intracellular receptor, one insulin, phosphorylated"),
    State("IRS1", "fM", 1000.0, "IRS-1, not tyrosine-phosphorylated"),
    State("IRS1_pY", "fM", 0.0, "tyrosine-phosphorylated IRS-1"),
    State("PI3K", "fM", 100.0, "free PI 3-kinase"),
    State("IRS1_PI3K", "fM", 0.0, "IRS-1/PI3K complex"),
    State("PIP3", "% of total", 0.31, "PI(3,4,5)P3"),
    State("PIP2", "% of total", 99.4, "PI(4,5)P2"),
    State("PI34P2", "% of total", 0.29, "PI(3,4)P2"),
    State("AKT", "% of total", 100.0, "inactive Akt"),
    State("AKT_active", "% of total", 0.0, "activated Akt", nonnegative=False),
    State("PKCzeta", "% of total", 100.0, "inactive PKC-zeta"),
    State("PKCzeta_active", "% of total", 0.0, "activated PKC-zeta", nonnegative=False),
    State("GLUT4_intracellular", "% of total", 96.0, "GLUT4 in intracellular vesicles"),
    State("GLUT4_surface", "% of total", 4.0, "GLUT4 at the cell surface", nonnegative=False),
)

_STATE_IDS = (
    "x2", "x3", "x5", "x4", "x6", "x7", "x8", "x9", "x10", "x11",
    "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
)  # fmt: skip

PARAMS = (
    Param("k_bind_1", "1/(fM*min)", 6e-8, "insulin binding to the free surface receptor"),
    Param("k_unbind_1", "1/min", 0.2, "dissociation of the once-bound receptor"),
    Param("k_bind_2", "1/(fM*min)", 6e-8, "second insulin binding"),
    Param("k_unbind_2", "1/min", 20.0, "dissociation of the second insulin"),
    Param("k_autophos", "1/min", 2500.0, "receptor autophosphorylation"),
    Param("k_dephos_surface", "1/min", 0.2, "surface receptor dephosphorylation"),
    Param("k_endo_free", "1/min", 0.00033333334, "endocytosis of the free receptor"),
    Param("k_exo_free", "1/min", 0.003, "recycling of the free receptor"),
    Param("k_endo_bound", "1/min", 0.0021, "endocytosis of the bound receptor"),
    Param("k_exo_bound", "1/min", 0.00021, "recycling of the bound receptor"),
    Param("k_synthesis_low", "fM/min", 1.67e-2, "receptor synthesis above the set point"),
    Param("k_synthesis_high", "fM/min", 0.1002, "receptor synthesis at or below the set point"),
    Param("receptor_setpoint", "fM", 100.0, "intracellular receptor set point", kind="structural"),
    Param("k_receptor_degradation", "1/min", 1.67e-18, "intracellular receptor degradation"),
    Param("k_dephos_internal", "1/min", 0.461, "intracellular receptor dephosphorylation"),
    Param("k_IRS1_phos", "1/min", 4.16, "IRS-1 tyrosine phosphorylation by the receptor"),
    Param("k_IRS1_dephos", "1/min", 1.396, "IRS-1 dephosphorylation"),
    Param("k_PI3K_bind", "1/(fM*min)", 0.000706, "PI3K binding to IRS-1 pY"),
    Param("k_PI3K_unbind", "1/min", 10.0, "IRS-1/PI3K dissociation"),
    Param("k_PI3K_stimulated", "1/min", 1.39, "PIP3 synthesis, stimulated"),
    Param("k_PI3K_basal", "1/min", 0.13145, "PIP3 synthesis, basal"),
    Param("k_PTEN", "1/min", 42.15, "PIP3 dephosphorylation to PIP2 (PTEN)"),
    Param("k_SHIP_reverse", "1/min", 2.961, "PI(3,4)P2 to PIP3"),
    Param("k_SHIP", "1/min", 2.77, "PIP3 dephosphorylation to PI(3,4)P2 (SHIP)"),
    Param("k_AKT_deactivation", "1/min", 6.9315, "Akt deactivation"),
    Param("k_PKC_deactivation", "1/min", 6.9315, "PKC-zeta deactivation"),
    Param("k_GLUT4_exo_basal", "1/min", 0.00696, "basal GLUT4 exocytosis"),
    Param("k_GLUT4_endo", "1/min", 0.167, "GLUT4 endocytosis"),
    Param("k_GLUT4_synthesis", "%/min", 0.11088, "GLUT4 synthesis"),
    Param("k_GLUT4_degradation", "1/min", 0.001155, "GLUT4 degradation"),
    Param("IR_p_reference", "fM", 897.0, "receptor scale of IRS-1 phosphorylation", 1e-12, kind="structural"),
    Param("SHIP_activity", "1", 1.0, "SHIP activity (1 = normal)", kind="condition"),
    Param("PTEN_activity", "1", 1.0, "PTEN activity (1 = normal)", kind="condition"),
    Param("PTP_activity", "1", 1.0, "tyrosine phosphatase (PTP1B) activity (1 = normal)", kind="condition"),
    Param("AP_equilibrium", "%", 9.09091, "Akt/PKC effect normaliser", 1e-12, kind="structural"),
    Param("PI3K_reference", "fM", 5.0, "IRS-1/PI3K normaliser of PI3K activity", 1e-12, kind="structural"),
)  # fmt: skip

_PARAM_IDS = (
    "k1", "kminus1", "k2", "kminus2", "k3", "kminus3", "k4", "kminus4", "k4prime",
    "kminus4prime", None, None, None, "kminus5", "k6", "k7", "kminus7", "k8", "kminus8",
    "k9_stimulated", "k9_basal", "kminus9", "k10", "kminus10", "kminus11", "kminus12", "k13",
    "kminus13", "k14", "kminus14", "IRp", "SHIP", "PTEN", "PTP", "APequil", "PI3K",
)  # fmt: skip

OBSERVABLES = (
    Observable("IR_surface_phosphorylated", "fM", "phosphorylated surface receptor (x4 + x5)"),
    Observable("IR_phosphorylated_total", "fM", "all phosphorylated receptor"),
    Observable("insulin_fM", "fM", "extracellular insulin (SBML species x1)"),
    Observable("PI3K_activity", "1/min", "PIP3 synthesis rate constant k9"),
    Observable("AKT_activation_rate", "1/min", "Akt activation rate constant k11"),
    Observable("PKC_activation_rate", "1/min", "PKC-zeta activation rate constant k12"),
    Observable("AKT_PKC_effect", "1", "combined Akt/PKC-zeta effect on GLUT4 (Effect)"),
    Observable("GLUT4_exocytosis_stimulated", "1/min", "insulin-stimulated GLUT4 exocytosis k13'"),
    Observable("receptor_synthesis_rate", "fM/min", "receptor synthesis k5"),
)

INPUTS = (Input("insulin", "nM", 0.0, "extracellular insulin concentration"),)


def _pip3_fraction(y):
    return (y.PIP3 - 0.31) / (3.1 - 0.31)


def _rules(y, p):
    k9 = (p.k_PI3K_stimulated + p.k_PI3K_basal) * (y.IRS1_PI3K / p.PI3K_reference) + p.k_PI3K_basal
    k11 = 0.1 * p.k_AKT_deactivation * _pip3_fraction(y)
    k12 = 0.1 * p.k_PKC_deactivation * _pip3_fraction(y)
    effect = (0.2 * y.AKT_active + 0.8 * y.PKCzeta_active) / p.AP_equilibrium
    k13_stim = (40.0 / 60.0 - 4.0 / 96.0) * p.k_GLUT4_endo * effect
    pool = y.IR_internal_free + y.IR_internal_bound2_p + y.IR_internal_bound1_p
    k5 = p.k_synthesis_high + (p.k_synthesis_low - p.k_synthesis_high) * (
        pool > p.receptor_setpoint
    )
    return k9, k11, k12, effect, k13_stim, k5


def rhs(t, y, p, u):
    ins = u.insulin * FM_PER_NM
    k9, k11, k12, _, k13_stim, k5 = _rules(y, p)
    ptp = p.PTP_activity
    v1 = p.k_bind_1 * ins * y.IR_surface_free - p.k_unbind_1 * y.IR_surface_bound1
    v2 = p.k_autophos * y.IR_surface_bound1
    v3 = p.k_bind_2 * ins * y.IR_surface_bound1_p - p.k_unbind_2 * y.IR_surface_bound2_p
    v4 = p.k_dephos_surface * ptp * y.IR_surface_bound1_p
    v5 = p.k_endo_free * y.IR_surface_free - p.k_exo_free * y.IR_internal_free
    v6 = p.k_endo_bound * y.IR_surface_bound2_p - p.k_exo_bound * y.IR_internal_bound2_p
    v7 = p.k_endo_bound * y.IR_surface_bound1_p - p.k_exo_bound * y.IR_internal_bound1_p
    v8 = k5
    v9 = p.k_receptor_degradation * y.IR_internal_free
    v10 = p.k_dephos_internal * ptp * y.IR_internal_bound2_p
    v11 = p.k_dephos_internal * ptp * y.IR_internal_bound1_p
    receptor_p = y.IR_surface_bound2_p + y.IR_surface_bound1_p
    v12 = p.k_IRS1_phos * y.IRS1 * receptor_p / p.IR_p_reference - p.k_IRS1_dephos * ptp * y.IRS1_pY
    v13 = p.k_PI3K_bind * y.IRS1_pY * y.PI3K - p.k_PI3K_unbind * y.IRS1_PI3K
    v14 = k9 * y.PIP2 - p.k_PTEN * p.PTEN_activity * y.PIP3
    v15 = p.k_SHIP_reverse * y.PI34P2 - p.k_SHIP * p.SHIP_activity * y.PIP3
    v16 = k11 * y.AKT - p.k_AKT_deactivation * y.AKT_active
    v17 = k12 * y.PKCzeta - p.k_PKC_deactivation * y.PKCzeta_active
    v18 = p.k_GLUT4_synthesis
    v19 = p.k_GLUT4_degradation * y.GLUT4_intracellular
    v20 = (
        p.k_GLUT4_exo_basal + k13_stim
    ) * y.GLUT4_intracellular - p.k_GLUT4_endo * y.GLUT4_surface
    return {
        "IR_surface_free": -v1 + v4 - v5,
        "IR_surface_bound1": v1 - v2,
        "IR_surface_bound1_p": v2 - v3 - v4 - v7,
        "IR_surface_bound2_p": v3 - v6,
        "IR_internal_free": v5 + v8 - v9 + v10 + v11,
        "IR_internal_bound2_p": v6 - v10,
        "IR_internal_bound1_p": v7 - v11,
        "IRS1": -v12,
        "IRS1_pY": v12 - v13,
        "PI3K": -v13,
        "IRS1_PI3K": v13,
        "PIP3": v14 + v15,
        "PIP2": -v14,
        "PI34P2": -v15,
        "AKT": -v16,
        "AKT_active": v16,
        "PKCzeta": -v17,
        "PKCzeta_active": v17,
        "GLUT4_intracellular": v18 - v19 - v20,
        "GLUT4_surface": v20,
    }


def observables(t, y, p, u):
    k9, k11, k12, effect, k13_stim, k5 = _rules(y, p)
    surface_p = y.IR_surface_bound2_p + y.IR_surface_bound1_p
    return {
        "IR_surface_phosphorylated": surface_p,
        "IR_phosphorylated_total": surface_p + y.IR_internal_bound2_p + y.IR_internal_bound1_p,
        "insulin_fM": u.insulin * FM_PER_NM,
        "PI3K_activity": k9,
        "AKT_activation_rate": k11,
        "PKC_activation_rate": k12,
        "AKT_PKC_effect": effect,
        "GLUT4_exocytosis_stimulated": k13_stim,
        "receptor_synthesis_rate": k5,
    }


DEFAULT_PROTOCOL = Protocol.step("insulin", 100.0, start=0.0, stop=15.0).named(
    "100 nM insulin for 15 min, then washout"
)


def build() -> Model:
    sbml = tuple(zip([s.name for s in STATES], _STATE_IDS)) + tuple(
        (prm.name, sid) for prm, sid in zip(PARAMS, _PARAM_IDS) if sid is not None
    )
    sbml += (("insulin", "x1"), ("receptor_synthesis_rate", "k5"), ("PI3K_activity", "k9"),
             ("AKT_activation_rate", "k11"), ("PKC_activation_rate", "k12"),
             ("AKT_PKC_effect", "Effect"), ("GLUT4_exocytosis_stimulated", "k13prime"),
             ("IR_surface_phosphorylated", "x4x5"))  # fmt: skip
    return Model(
        name="sedaghat2002",
        state_specs=STATES,
        param_specs=PARAMS,
        observable_specs=OBSERVABLES,
        input_specs=INPUTS,
        rhs_fn=rhs,
        observables_fn=observables,
        time_unit="min",
        source=SOURCE,
        description=__doc__.split("\n\n")[2].replace("\n", " "),
        sbml_id_pairs=sbml,
        default_protocol=DEFAULT_PROTOCOL,
        conservation=(
            Conservation("IRS1_total", (("IRS1", 1.0), ("IRS1_pY", 1.0), ("IRS1_PI3K", 1.0))),
            Conservation("PI3K_total", (("PI3K", 1.0), ("IRS1_PI3K", 1.0))),
            Conservation("phosphoinositides", (("PIP3", 1.0), ("PIP2", 1.0), ("PI34P2", 1.0))),
            Conservation("AKT_total", (("AKT", 1.0), ("AKT_active", 1.0))),
            Conservation("PKCzeta_total", (("PKCzeta", 1.0), ("PKCzeta_active", 1.0))),
        ),
        t_end=60.0,
        companions=Companions(_companions.therapies, _companions.cohorts),
    )
