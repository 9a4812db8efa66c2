"""Brännmark et al. (2013): insulin signalling in human adipocytes, normal and diabetic.

Reference:
    Brännmark C., Nyman E., Fagerholm S., Bergenholm L., Ekstrand E.-M., Cedersund G.,
    Strålfors P. (2013). Insulin signaling in type 2 diabetes: experimental and
    modeling analyses reveal mechanisms of insulin resistance in human adipocytes.
    J Biol Chem 288:9867-9880. doi:10.1074/jbc.M112.432062. BioModels
    BIOMD0000000448 (normal) and BIOMD0000000449 (diabetic).

Isolated primary human adipocytes. Insulin binds the receptor, which autophosphorylates,
is internalised and recycled after dephosphorylation by an unidentified protein X that
the signal itself activates. The internalised phosphorylated receptor
tyrosine-phosphorylates IRS1 and activates mTORC2; IRS1-pY phosphorylates PKB at T308,
mTORC2 at S473; doubly phosphorylated PKB (and PKB-pS473 through a Hill term) activate
AS160 phosphorylation, which moves GLUT4 to the plasma membrane; PKB activates mTORC1,
which activates S6K and S6 and feeds forward onto IRS1 by Ser307 phosphorylation
(scaled by `diabetes`). In type 2 diabetes the receptor and GLUT4 amounts are lower and
the mTORC1 -> IRS1-Ser307 feedback is weaker (`diabetes` = 0.15).

Units: every protein is in % of its total in a *normal* cell (the SBML values; compartment
1), so the diabetic cell has 50 % of normal receptor and GLUT4. Time in min; insulin is
an input in nM. Rate constants are 1/min for first-order steps and 1/(%*min) for steps
driven by another species. Readouts (``measured*``) are in the arbitrary units of the
fitted data (scale factors ``scale_*``); glucose uptake in arbitrary units.

Equations (v = rate, %/min; [.] the states; ins = insulin input)::

    v1a  = k_IR_insulin_binding * ins * IR                    IR -> IR_insulin
    v1bas= k_IR_basal_autophos * IR                           IR -> IR_pY
    v1c  = k_IR_autophos * IR_insulin                         IR_insulin -> IR_pY
    v1d  = k_IR_internalisation * IR_pY                       IR_pY -> IR_pY_internal
    v1e  = k_IR_dephos_by_X * X_p * IR_pY_internal            IR_pY_internal -> IR_internal
    v1g  = k_IR_dephos_surface * IR_pY                        IR_pY -> IR
    v1r  = k_IR_recycling * IR_internal                       IR_internal -> IR
    v2a  = k_IRS1_tyr_phos * IR_pY_internal * IRS1            IRS1 -> IRS1_pY
    v2b  = k_IRS1_tyr_dephos * IRS1_pY                        IRS1_pY -> IRS1
    v2c  = k_IRS1_S307_phos_by_mTORC1 * diabetes * mTORC1_active * IRS1_pY
                                                              IRS1_pY -> IRS1_pY_pS307
    v2d  = k_IRS1_S307_dephos * IRS1_pY_pS307                 IRS1_pY_pS307 -> IRS1_pY
    v2f  = k_IRS1_tyr_dephos_of_pS307 * IRS1_pY_pS307         IRS1_pY_pS307 -> IRS1_pS307
    v2bas= k_IRS1_S307_basal * IRS1                           IRS1 -> IRS1_pS307
    v2g  = k_IRS1_S307_dephos_basal * IRS1_pS307              IRS1_pS307 -> IRS1
    v3a  = k_X_activation * IRS1_pY * X                       X -> X_p
    v3b  = k_X_deactivation * X_p                             X_p -> X
    v4a  = k_PKB_T308_phos * IRS1_pY * PKB                    PKB -> PKB_pT308
    v4b  = k_PKB_T308_dephos * PKB_pT308                      PKB_pT308 -> PKB
    v4c  = k_PKB_S473_phos_by_mTORC2 * mTORC2_active * PKB_pT308
                                                              PKB_pT308 -> PKB_pT308_pS473
    v4e  = k_PKB_T308_phos_of_pS473 * IRS1_pY_pS307 * PKB_pS473
                                                              PKB_pS473 -> PKB_pT308_pS473
    v4f  = k_PKB_T308_dephos_of_pp * PKB_pT308_pS473          PKB_pT308_pS473 -> PKB_pS473
    v4h  = k_PKB_S473_dephos * PKB_pS473                      PKB_pS473 -> PKB
    v5a  = (k_mTORC1_activation_by_PKB_pp * PKB_pT308_pS473
            + k_mTORC1_activation_by_PKB_pT308 * PKB_pT308) * mTORC1
                                                              mTORC1 -> mTORC1_active
    v5b  = k_mTORC1_deactivation * mTORC1_active              mTORC1_active -> mTORC1
    v5c  = k_mTORC2_activation * IR_pY_internal * mTORC2      mTORC2 -> mTORC2_active
    v5d  = k_mTORC2_deactivation * mTORC2_active              mTORC2_active -> mTORC2
    v6f  = (k_AS160_phos_by_PKB_pp * PKB_pT308_pS473
            + k_AS160_phos_by_PKB_pS473 * PKB_pS473^n6 / (K6^n6 + PKB_pS473^n6)) * AS160
                                                              AS160 -> AS160_p
    v6b  = k_AS160_dephos * AS160_p                           AS160_p -> AS160
    v7f  = k_GLUT4_exocytosis * AS160_p * GLUT4_intracellular GLUT4_intracellular -> GLUT4_membrane
    v7b  = k_GLUT4_endocytosis * GLUT4_membrane               GLUT4_membrane -> GLUT4_intracellular
    v9f1 = k_S6K_phos * mTORC1_active^n9 / (K9^n9 + mTORC1_active^n9) * S6K
                                                              S6K -> S6K_p
    v9b1 = k_S6K_dephos * S6K_p                               S6K_p -> S6K
    v9f2 = k_S6_phos * S6K_p * S6                             S6 -> S6_p
    v9b2 = k_S6_dephos * S6_p                                 S6_p -> S6

    K6 = K_AS160_PKB_pS473, K9 = K_S6K_mTORC1, n6 = n_AS160_PKB_pS473, n9 = n_S6K_mTORC1.
    The fractional powers are taken of max(x, 0), so that a state a rounding error below
    zero does not give NaN.

Observables (SBML assignment rules, under their SBML ids)::

    measuredIRp     = scale_IR_pY * (IR_pY + IR_pY_internal)
    measuredIRint   = IR_internal + IR_pY_internal
    measuredIRS1p   = scale_IRS1_pY * (IRS1_pY + IRS1_pY_pS307)
    measuredIRS1307 = scale_IRS1_pS307 * (IRS1_pY_pS307 + IRS1_pS307)
    measuredPKB308p = scale_PKB_pT308 * (PKB_pT308 + PKB_pT308_pS473)
    measuredPKB473p = scale_PKB_pS473 * (PKB_pS473 + PKB_pT308_pS473)
    measuredAS160p  = scale_AS160_p * AS160_p
    measuredmTORC1a = mTORC1_active
    measuredS6Kp    = scale_S6K_p * S6K_p
    measuredS6p     = scale_S6_p * S6_p
    measuredmTORC2a = mTORC2_active
    glucoseuptake   = (k_glucose_uptake_GLUT4 * GLUT4_membrane + k_glucose_uptake_GLUT1)
                      * glucose

plus `glucose_uptake` (= glucoseuptake) and `GLUT4_surface` = 100 * GLUT4_membrane /
(GLUT4_membrane + GLUT4_intracellular), the share of the cell's own GLUT4 at the plasma
membrane in %.

Initial state and protocol. The SBML initial values are the basal (insulin-free) steady
state of each file's parameters (as stored, to about 1e-3 relative), and the BioModels simulation is a step to 10 nM insulin
at t = 0, so the default protocol is ``Protocol.constant(insulin=10.0)``; the insulin
baseline (``Input.default``) is 0. The condition parameters `IR_total` and `GLUT4_total`
(% of the normal amounts; 100 in the normal file, 50 in the diabetic one) scale the five
receptor states and the two GLUT4 states of the initial state proportionally, so the
defaults give the SBML values exactly. After changing them (or `diabetes`, or any rate
constant) the scaled state is no longer the basal steady state: add a pre-equilibration,
e.g. ``Protocol.constant(insulin=10.0).with_preequilibration(1000.0)``, to start the
stimulation from the new basal steady state (the basal network settles within a few
hundred minutes; 1000 min changes nothing further at rtol 1e-8).

The normal and diabetic entries share the equations; the diabetic file differs in
`diabetes` (0.15 against 1), in the initial values (receptor and GLUT4 totals 50 instead
of 100, and the resulting basal steady state) and in the scale factors, which are the
normal ones rounded to four significant digits (all but scaleAS160, which is the same). The SBML parameter ``km5`` is used by no
reaction and is left out; ``scaleIRS1ds`` and ``scaleGLUCOSE`` are kept (as
`scale_IRS1_pY_dose` and `scale_glucose_uptake`, the factors of the dose-response IRS1 and
glucose-uptake data sets) although no SBML rule uses them.
"""

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp

from ..model import Companions, Conservation, Input, Model, Observable, Param, State
from ..protocol import Protocol
from . import brannmark2013_companions as _companions

SOURCE = (
    "Brännmark C., Nyman E., Fagerholm S., Bergenholm L., Ekstrand E.-M., Cedersund G., "
    "Strålfors P. (2013). Insulin signaling in type 2 diabetes: experimental and modeling "
    "analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol Chem "
    "288:9867-9880. doi:10.1074/jbc.M112.432062. BioModels BIOMD0000000448 (normal), "
    "BIOMD0000000449 (diabetic)."
)

_IR = "% of normal IR"
_GLUT4 = "% of normal GLUT4"

# (name, unit, SBML id, description); initial values come from the SBML file.
_STATE_INFO = (
    ("IR", _IR, "IR", "insulin receptor at the membrane, free"),
    ("IR_insulin", _IR, "IRins", "insulin-bound receptor, not yet phosphorylated"),
    ("IR_pY", _IR, "IRp", "tyrosine-phosphorylated receptor at the membrane"),
    ("IR_pY_internal", _IR, "IRip", "internalised phosphorylated receptor"),
    ("IR_internal", _IR, "IRi", "internalised dephosphorylated receptor"),
    ("IRS1", "% of IRS1", "IRS1", "IRS1, unphosphorylated"),
    ("IRS1_pY", "% of IRS1", "IRS1p", "tyrosine-phosphorylated IRS1"),
    ("IRS1_pY_pS307", "% of IRS1", "IRS1p307", "IRS1 phosphorylated at Tyr and Ser307"),
    ("IRS1_pS307", "% of IRS1", "IRS1307", "IRS1 phosphorylated at Ser307 only"),
    ("X", "% of X", "X", "receptor-dephosphorylating protein X, inactive"),
    ("X_p", "% of X", "Xp", "protein X, active"),
    ("PKB", "% of PKB", "PKB", "PKB/Akt, unphosphorylated"),
    ("PKB_pT308", "% of PKB", "PKB308p", "PKB phosphorylated at Thr308"),
    ("PKB_pS473", "% of PKB", "PKB473p", "PKB phosphorylated at Ser473"),
    ("PKB_pT308_pS473", "% of PKB", "PKB308p473p", "PKB phosphorylated at Thr308 and Ser473"),
    ("mTORC1", "% of mTORC1", "mTORC1", "mTORC1, inactive"),
    ("mTORC1_active", "% of mTORC1", "mTORC1a", "mTORC1, active"),
    ("mTORC2", "% of mTORC2", "mTORC2", "mTORC2, inactive"),
    ("mTORC2_active", "% of mTORC2", "mTORC2a", "mTORC2, active"),
    ("AS160", "% of AS160", "AS160", "AS160, unphosphorylated"),
    ("AS160_p", "% of AS160", "AS160p", "phosphorylated AS160"),
    ("GLUT4_membrane", _GLUT4, "GLUT4m", "GLUT4 in the plasma membrane"),
    ("GLUT4_intracellular", _GLUT4, "GLUT4", "GLUT4 in intracellular vesicles"),
    ("S6K", "% of S6K", "S6K", "S6 kinase, unphosphorylated"),
    ("S6K_p", "% of S6K", "S6Kp", "phosphorylated S6 kinase"),
    ("S6", "% of S6", "S6", "ribosomal protein S6, unphosphorylated"),
    ("S6_p", "% of S6", "S6p", "phosphorylated S6"),
)

_RECEPTOR_STATES = ("IR", "IR_insulin", "IR_pY", "IR_pY_internal", "IR_internal")
_GLUT4_STATES = ("GLUT4_membrane", "GLUT4_intracellular")

# BIOMD0000000448, species initial concentrations (basal steady state, normal cell).
_NORMAL_INITIAL = {
    "IR": 99.8737104842408,
    "IR_insulin": 0.0,
    "IR_pY": 0.00186253217635894,
    "IR_pY_internal": 0.0188430465801578,
    "IR_internal": 0.105583925473107,
    "IRS1": 82.9671997523599,
    "IRS1_pY": 0.00119481841136737,
    "IRS1_pY_pS307": 0.327454355438396,
    "IRS1_pS307": 16.7041510257561,
    "X": 99.9983336594667,
    "X_p": 0.00166634053318549,
    "PKB": 68.1806649661901,
    "PKB_pT308": 13.2964849666951,
    "PKB_pS473": 16.8171941560617,
    "PKB_pT308_pS473": 1.70566051030056,
    "mTORC1": 86.5002472240273,
    "mTORC1_active": 13.4997527759726,
    "mTORC2": 99.8478148461591,
    "mTORC2_active": 0.152185153840861,
    "AS160": 83.8141018591099,
    "AS160_p": 16.1858981408903,
    "GLUT4_membrane": 26.523878746229,
    "GLUT4_intracellular": 73.476121253771,
    "S6K": 99.2731987219547,
    "S6K_p": 0.72680127804522,
    "S6": 92.7596420796038,
    "S6_p": 7.24035792039603,
}

# BIOMD0000000449, species initial concentrations (basal steady state, diabetic cell).
_DIABETIC_INITIAL = {
    "IR": 49.9344643421136,
    "IR_insulin": 0.0,
    "IR_pY": 0.000931221500588088,
    "IR_pY_internal": 0.011815001204792,
    "IR_internal": 0.0527894351383809,
    "IRS1": 86.2418960059256,
    "IRS1_pY": 0.00095272377217019,
    "IRS1_pY_pS307": 0.00891531075576947,
    "IRS1_pS307": 13.7482359094757,
    "X": 99.9986712896423,
    "X_p": 0.00132871035763352,
    "PKB": 78.0219322115859,
    "PKB_pT308": 12.2197372437326,
    "PKB_pS473": 9.6963389945784,
    "PKB_pT308_pS473": 0.061992532897245,
    "mTORC1": 96.927052256569,
    "mTORC1_active": 3.07294774343092,
    "mTORC2": 99.9045223943705,
    "mTORC2_active": 0.0954776056294795,
    "AS160": 95.4699007486273,
    "AS160_p": 4.53009925137289,
    "GLUT4_membrane": 4.5880858350243,
    "GLUT4_intracellular": 45.4119141649757,
    "S6K": 99.8296860066098,
    "S6K_p": 0.170313993390069,
    "S6": 98.2037625421647,
    "S6_p": 1.79623745783512,
}

_PER_PCT_MIN = "1/(%*min)"

# Rate constants shared by both files: (name, unit, value, SBML id, description).
_KINETIC = (
    ("k_IR_insulin_binding", "1/(nM*min)", 0.6331, "k1a", "insulin binding to the receptor"),
    ("k_IR_basal_autophos", "1/min", 0.03683, "k1basal", "insulin-independent autophosphorylation"),
    ("k_IR_autophos", "1/min", 0.8768, "k1c", "autophosphorylation of the bound receptor"),
    ("k_IR_internalisation", "1/min", 31.01, "k1d", "internalisation of the phosphorylated receptor"),
    ("k_IR_dephos_by_X", _PER_PCT_MIN, 1840.0, "k1f", "dephosphorylation of the internal receptor by X"),
    ("k_IR_dephos_surface", "1/min", 1944.0, "k1g", "dephosphorylation at the membrane"),
    ("k_IR_recycling", "1/min", 0.5471, "k1r", "recycling of the receptor to the membrane"),
    ("k_IRS1_tyr_phos", _PER_PCT_MIN, 3.227, "k2a", "IRS1 Tyr phosphorylation by the receptor"),
    ("k_IRS1_tyr_dephos", "1/min", 3424.0, "k2b", "IRS1-pY dephosphorylation"),
    ("k_IRS1_S307_phos_by_mTORC1", _PER_PCT_MIN, 5759.0, "k2c", "IRS1-Ser307 phosphorylation by mTORC1 (feedback)"),
    ("k_IRS1_S307_dephos", "1/min", 280.8, "k2d", "Ser307 dephosphorylation of IRS1-pY-pS307"),
    ("k_IRS1_tyr_dephos_of_pS307", "1/min", 2.913, "k2f", "Tyr dephosphorylation of IRS1-pY-pS307"),
    ("k_IRS1_S307_basal", "1/min", 0.04228, "k2basal", "basal IRS1-Ser307 phosphorylation"),
    ("k_IRS1_S307_dephos_basal", "1/min", 0.2671, "k2g", "IRS1-pS307 dephosphorylation"),
    ("k_X_activation", _PER_PCT_MIN, 0.001377, "k3a", "activation of X by IRS1-pY"),
    ("k_X_deactivation", "1/min", 0.09876, "k3b", "deactivation of X"),
    ("k_PKB_T308_phos", _PER_PCT_MIN, 5790.0, "k4a", "PKB-Thr308 phosphorylation via IRS1-pY"),
    ("k_PKB_T308_dephos", "1/min", 34.8, "k4b", "PKB-pT308 dephosphorylation"),
    ("k_PKB_S473_phos_by_mTORC2", _PER_PCT_MIN, 4.456, "k4c", "PKB-Ser473 phosphorylation by mTORC2"),
    ("k_PKB_T308_phos_of_pS473", _PER_PCT_MIN, 42.84, "k4e", "Thr308 phosphorylation of PKB-pS473 via IRS1-pY-pS307"),
    ("k_PKB_T308_dephos_of_pp", "1/min", 143.6, "k4f", "Thr308 dephosphorylation of doubly phosphorylated PKB"),
    ("k_PKB_S473_dephos", "1/min", 0.5361, "k4h", "PKB-pS473 dephosphorylation"),
    ("k_mTORC1_activation_by_PKB_pp", _PER_PCT_MIN, 1.842, "k5a1", "mTORC1 activation by PKB-pT308-pS473"),
    ("k_mTORC1_activation_by_PKB_pT308", _PER_PCT_MIN, 0.05506, "k5a2", "mTORC1 activation by PKB-pT308"),
    ("k_mTORC1_deactivation", "1/min", 24.83, "k5b", "mTORC1 deactivation"),
    ("k_mTORC2_activation", _PER_PCT_MIN, 0.08575, "k5c", "mTORC2 activation by the internal receptor"),
    ("k_mTORC2_deactivation", "1/min", 1.06, "k5d", "mTORC2 deactivation"),
    ("k_AS160_phos_by_PKB_pp", _PER_PCT_MIN, 2.652, "k6f1", "AS160 phosphorylation by PKB-pT308-pS473"),
    ("k_AS160_phos_by_PKB_pS473", "1/min", 36.93, "k6f2", "maximal AS160 phosphorylation by PKB-pS473"),
    ("K_AS160_PKB_pS473", "% of PKB", 30.54, "km6", "half-saturating PKB-pS473 for AS160"),
    ("k_AS160_dephos", "1/min", 65.18, "k6b", "AS160 dephosphorylation"),
    ("k_GLUT4_exocytosis", _PER_PCT_MIN, 50.98, "k7f", "GLUT4 translocation driven by AS160-p"),
    ("k_GLUT4_endocytosis", "1/min", 2286.0, "k7b", "GLUT4 endocytosis"),
    ("k_glucose_uptake_GLUT4", "a.u./(% of normal GLUT4*mM)", 724.2, "k8", "glucose uptake per membrane GLUT4"),
    ("k_glucose_uptake_GLUT1", "a.u./mM", 7042.0, "glut1", "GLUT1 (insulin-independent) glucose uptake"),
    ("k_S6K_phos", "1/min", 0.1298, "k9f1", "maximal S6K phosphorylation by mTORC1"),
    ("k_S6K_dephos", "1/min", 0.04441, "k9b1", "S6K dephosphorylation"),
    ("k_S6_phos", _PER_PCT_MIN, 3.329, "k9f2", "S6 phosphorylation by S6K-p"),
    ("k_S6_dephos", "1/min", 31.0, "k9b2", "S6 dephosphorylation"),
    ("K_S6K_mTORC1", "% of mTORC1", 5873.0, "km9", "half-saturating active mTORC1 for S6K"),
)  # fmt: skip

# Hill exponents: (name, value, SBML id, description); bounds (0.1, 10).
_EXPONENTS = (
    ("n_AS160_PKB_pS473", 2.137, "n6", "Hill exponent of AS160 phosphorylation by PKB-pS473"),
    ("n_S6K_mTORC1", 0.9855, "n9", "Hill exponent of S6K phosphorylation by mTORC1"),
)

# Readout scale factors: (name, SBML id, description); the values differ between files.
_SCALES = (
    ("scale_IR_pY", "scaleIR", "scale of measuredIRp"),
    ("scale_IRS1_pY", "scaleIRS1", "scale of measuredIRS1p"),
    ("scale_IRS1_pY_dose", "scaleIRS1ds", "scale of the IRS1 dose-response data (no SBML rule)"),
    ("scale_IRS1_pS307", "scaleIRS1307", "scale of measuredIRS1307"),
    ("scale_PKB_pT308", "scalePKB308", "scale of measuredPKB308p"),
    ("scale_PKB_pS473", "scalePKB473", "scale of measuredPKB473p"),
    ("scale_AS160_p", "scaleAS160", "scale of measuredAS160p"),
    ("scale_glucose_uptake", "scaleGLUCOSE", "scale of the glucose-uptake data (no SBML rule)"),
    ("scale_S6K_p", "scaleS6K", "scale of measuredS6Kp"),
    ("scale_S6_p", "scaleS6", "scale of measuredS6p"),
)

_NORMAL_SCALES = {
    "scale_IR_pY": 5.2022,
    "scale_IRS1_pY": 0.37615,
    "scale_IRS1_pY_dose": 14.892,
    "scale_IRS1_pS307": 0.058663,
    "scale_PKB_pT308": 0.043564,
    "scale_PKB_pS473": 0.012996,
    "scale_AS160_p": 0.026656,
    "scale_glucose_uptake": 0.040513,
    "scale_S6K_p": 0.74654,
    "scale_S6_p": 0.11494,
}

_DIABETIC_SCALES = {
    "scale_IR_pY": 5.202,
    "scale_IRS1_pY": 0.3761,
    "scale_IRS1_pY_dose": 14.89,
    "scale_IRS1_pS307": 0.05866,
    "scale_PKB_pT308": 0.04356,
    "scale_PKB_pS473": 0.013,
    "scale_AS160_p": 0.026656,
    "scale_glucose_uptake": 0.04051,
    "scale_S6K_p": 0.7465,
    "scale_S6_p": 0.1149,
}

SBML_OBSERVABLES = (
    "measuredIRp",
    "measuredIRint",
    "measuredIRS1p",
    "measuredIRS1307",
    "measuredPKB308p",
    "measuredPKB473p",
    "measuredAS160p",
    "measuredmTORC1a",
    "measuredS6Kp",
    "measuredS6p",
    "measuredmTORC2a",
    "glucoseuptake",
)

OBSERVABLES = (
    Observable("measuredIRp", "a.u.", "phosphorylated receptor, scaled as the data"),
    Observable("measuredIRint", _IR, "internalised receptor"),
    Observable("measuredIRS1p", "a.u.", "IRS1 Tyr phosphorylation, scaled as the data"),
    Observable("measuredIRS1307", "a.u.", "IRS1 Ser307 phosphorylation, scaled as the data"),
    Observable("measuredPKB308p", "a.u.", "PKB Thr308 phosphorylation, scaled as the data"),
    Observable("measuredPKB473p", "a.u.", "PKB Ser473 phosphorylation, scaled as the data"),
    Observable("measuredAS160p", "a.u.", "AS160 phosphorylation, scaled as the data"),
    Observable("measuredmTORC1a", "% of mTORC1", "active mTORC1"),
    Observable("measuredS6Kp", "a.u.", "S6K phosphorylation, scaled as the data"),
    Observable("measuredS6p", "a.u.", "S6 phosphorylation, scaled as the data"),
    Observable("measuredmTORC2a", "% of mTORC2", "active mTORC2"),
    Observable("glucoseuptake", "a.u.", "glucose uptake (GLUT4 + GLUT1)"),
    Observable("glucose_uptake", "a.u.", "glucose uptake (GLUT4 + GLUT1), = glucoseuptake"),
    Observable("GLUT4_surface", "% of total GLUT4", "share of the cell's GLUT4 in the membrane"),
)

INPUTS = (Input("insulin", "nM", 0.0, "extracellular insulin concentration"),)

# Totals of the receptor and GLUT4 in each file (% of normal).
_NORMAL_TOTALS = {"IR_total": 100.0, "GLUT4_total": 100.0}
_DIABETIC_TOTALS = {"IR_total": 50.0, "GLUT4_total": 50.0}
# The diabetic file's values of the parameters that differ in type 2 diabetes.
DIABETIC_CONDITION = {"diabetes": 0.15, **_DIABETIC_TOTALS}


def _params(
    scales: Mapping[str, float], diabetes: float, totals: Mapping[str, float]
) -> tuple[Param, ...]:
    out = [Param(n, u, v, d) for n, u, v, _, d in _KINETIC]
    out += [Param(n, "1", v, d, 0.1, 10.0, kind="exponent") for n, v, _, d in _EXPONENTS]
    out += [Param(n, "a.u./%", scales[n], d, kind="scale") for n, _, d in _SCALES]
    out += [
        Param(
            "diabetes",
            "1",
            diabetes,
            "strength of the mTORC1 -> IRS1-Ser307 feedback (1 normal, 0.15 diabetic)",
            kind="condition",
        ),
        Param("glucose", "mM", 0.05, "glucose (2-deoxyglucose) in the medium", kind="condition"),
        Param(
            "IR_total",
            "% of normal IR",
            totals["IR_total"],
            "receptor amount; scales the initial receptor states",
            kind="condition",
        ),
        Param(
            "GLUT4_total",
            "% of normal GLUT4",
            totals["GLUT4_total"],
            "GLUT4 amount; scales the initial GLUT4 states",
            kind="condition",
        ),
    ]
    return tuple(out)


def _hill(x, k, n):
    # max(x, 0): a fractional power of a state a rounding error below zero is NaN.
    xn = jnp.maximum(x, 0.0) ** n
    return xn / (k**n + xn)


def rhs(t, y, p, u):
    """Right-hand side: d state / d t (%/min) of one cell."""
    v1a = p.k_IR_insulin_binding * u.insulin * y.IR
    v1basal = p.k_IR_basal_autophos * y.IR
    v1c = p.k_IR_autophos * y.IR_insulin
    v1d = p.k_IR_internalisation * y.IR_pY
    v1e = p.k_IR_dephos_by_X * y.X_p * y.IR_pY_internal
    v1g = p.k_IR_dephos_surface * y.IR_pY
    v1r = p.k_IR_recycling * y.IR_internal
    v2a = p.k_IRS1_tyr_phos * y.IR_pY_internal * y.IRS1
    v2b = p.k_IRS1_tyr_dephos * y.IRS1_pY
    v2c = p.k_IRS1_S307_phos_by_mTORC1 * p.diabetes * y.mTORC1_active * y.IRS1_pY
    v2d = p.k_IRS1_S307_dephos * y.IRS1_pY_pS307
    v2f = p.k_IRS1_tyr_dephos_of_pS307 * y.IRS1_pY_pS307
    v2basal = p.k_IRS1_S307_basal * y.IRS1
    v2g = p.k_IRS1_S307_dephos_basal * y.IRS1_pS307
    v3a = p.k_X_activation * y.IRS1_pY * y.X
    v3b = p.k_X_deactivation * y.X_p
    v4a = p.k_PKB_T308_phos * y.IRS1_pY * y.PKB
    v4b = p.k_PKB_T308_dephos * y.PKB_pT308
    v4c = p.k_PKB_S473_phos_by_mTORC2 * y.mTORC2_active * y.PKB_pT308
    v4e = p.k_PKB_T308_phos_of_pS473 * y.IRS1_pY_pS307 * y.PKB_pS473
    v4f = p.k_PKB_T308_dephos_of_pp * y.PKB_pT308_pS473
    v4h = p.k_PKB_S473_dephos * y.PKB_pS473
    v5a = (
        p.k_mTORC1_activation_by_PKB_pp * y.PKB_pT308_pS473
        + p.k_mTORC1_activation_by_PKB_pT308 * y.PKB_pT308
    ) * y.mTORC1
    v5b = p.k_mTORC1_deactivation * y.mTORC1_active
    v5c = p.k_mTORC2_activation * y.IR_pY_internal * y.mTORC2
    v5d = p.k_mTORC2_deactivation * y.mTORC2_active
    v6f = (
        p.k_AS160_phos_by_PKB_pp * y.PKB_pT308_pS473
        + p.k_AS160_phos_by_PKB_pS473 * _hill(y.PKB_pS473, p.K_AS160_PKB_pS473, p.n_AS160_PKB_pS473)
    ) * y.AS160
    v6b = p.k_AS160_dephos * y.AS160_p
    v7f = p.k_GLUT4_exocytosis * y.AS160_p * y.GLUT4_intracellular
    v7b = p.k_GLUT4_endocytosis * y.GLUT4_membrane
    v9f1 = p.k_S6K_phos * _hill(y.mTORC1_active, p.K_S6K_mTORC1, p.n_S6K_mTORC1) * y.S6K
    v9b1 = p.k_S6K_dephos * y.S6K_p
    v9f2 = p.k_S6_phos * y.S6K_p * y.S6
    v9b2 = p.k_S6_dephos * y.S6_p
    return {
        "IR": -v1a - v1basal + v1g + v1r,
        "IR_insulin": v1a - v1c,
        "IR_pY": v1basal + v1c - v1d - v1g,
        "IR_pY_internal": v1d - v1e,
        "IR_internal": v1e - v1r,
        "IRS1": -v2a + v2b - v2basal + v2g,
        "IRS1_pY": v2a - v2b - v2c + v2d,
        "IRS1_pY_pS307": v2c - v2d - v2f,
        "IRS1_pS307": v2f + v2basal - v2g,
        "X": -v3a + v3b,
        "X_p": v3a - v3b,
        "PKB": -v4a + v4b + v4h,
        "PKB_pT308": v4a - v4b - v4c,
        "PKB_pS473": -v4e + v4f - v4h,
        "PKB_pT308_pS473": v4c + v4e - v4f,
        "mTORC1": -v5a + v5b,
        "mTORC1_active": v5a - v5b,
        "mTORC2": -v5c + v5d,
        "mTORC2_active": v5c - v5d,
        "AS160": -v6f + v6b,
        "AS160_p": v6f - v6b,
        "GLUT4_membrane": v7f - v7b,
        "GLUT4_intracellular": -v7f + v7b,
        "S6K": -v9f1 + v9b1,
        "S6K_p": v9f1 - v9b1,
        "S6": -v9f2 + v9b2,
        "S6_p": v9f2 - v9b2,
    }


def observables(t, y, p, u):
    """The SBML assignment rules (under their SBML ids) and readable readouts."""
    uptake = (p.k_glucose_uptake_GLUT4 * y.GLUT4_membrane + p.k_glucose_uptake_GLUT1) * p.glucose
    glut4 = y.GLUT4_membrane + y.GLUT4_intracellular
    safe = jnp.where(glut4 > 0, glut4, 1.0)
    return {
        "measuredIRp": p.scale_IR_pY * (y.IR_pY + y.IR_pY_internal),
        "measuredIRint": y.IR_internal + y.IR_pY_internal,
        "measuredIRS1p": p.scale_IRS1_pY * (y.IRS1_pY + y.IRS1_pY_pS307),
        "measuredIRS1307": p.scale_IRS1_pS307 * (y.IRS1_pY_pS307 + y.IRS1_pS307),
        "measuredPKB308p": p.scale_PKB_pT308 * (y.PKB_pT308 + y.PKB_pT308_pS473),
        "measuredPKB473p": p.scale_PKB_pS473 * (y.PKB_pS473 + y.PKB_pT308_pS473),
        "measuredAS160p": p.scale_AS160_p * y.AS160_p,
        "measuredmTORC1a": y.mTORC1_active,
        "measuredS6Kp": p.scale_S6K_p * y.S6K_p,
        "measuredS6p": p.scale_S6_p * y.S6_p,
        "measuredmTORC2a": y.mTORC2_active,
        "glucoseuptake": uptake,
        "glucose_uptake": uptake,
        "GLUT4_surface": jnp.where(glut4 > 0, 100.0 * y.GLUT4_membrane / safe, 0.0),
    }


def _initial_state_fn(initial: Mapping[str, float], totals: Mapping[str, float]):
    def initial_state(p):
        ir = p.IR_total / totals["IR_total"]
        glut4 = p.GLUT4_total / totals["GLUT4_total"]
        out = {n: initial[n] * ir for n in _RECEPTOR_STATES}
        out.update({n: initial[n] * glut4 for n in _GLUT4_STATES})
        return out

    return initial_state


DEFAULT_PROTOCOL = Protocol.constant(insulin=10.0).named("10 nM insulin from the basal state")

CONSERVATION = (
    Conservation("IR_total", tuple((n, 1.0) for n in _RECEPTOR_STATES)),
    Conservation(
        "IRS1_total",
        (("IRS1", 1.0), ("IRS1_pY", 1.0), ("IRS1_pY_pS307", 1.0), ("IRS1_pS307", 1.0)),
    ),
    Conservation("X_total", (("X", 1.0), ("X_p", 1.0))),
    Conservation(
        "PKB_total",
        (("PKB", 1.0), ("PKB_pT308", 1.0), ("PKB_pS473", 1.0), ("PKB_pT308_pS473", 1.0)),
    ),
    Conservation("mTORC1_total", (("mTORC1", 1.0), ("mTORC1_active", 1.0))),
    Conservation("mTORC2_total", (("mTORC2", 1.0), ("mTORC2_active", 1.0))),
    Conservation("AS160_total", (("AS160", 1.0), ("AS160_p", 1.0))),
    Conservation("GLUT4_total", tuple((n, 1.0) for n in _GLUT4_STATES)),
    Conservation("S6K_total", (("S6K", 1.0), ("S6K_p", 1.0))),
    Conservation("S6_total", (("S6", 1.0), ("S6_p", 1.0))),
)


def _sbml_pairs() -> tuple[tuple[str, str], ...]:
    pairs = [(n, sid) for n, _, sid, _ in _STATE_INFO]
    pairs += [(n, sid) for n, _, _, sid, _ in _KINETIC]
    pairs += [(n, sid) for n, _, sid, _ in _EXPONENTS]
    pairs += [(n, sid) for n, sid, _ in _SCALES]
    pairs += [("diabetes", "diabetes"), ("glucose", "gluc"), ("insulin", "insulin")]
    pairs += [(n, n) for n in SBML_OBSERVABLES]
    return tuple(pairs)


def _build(
    name: str,
    initial: Mapping[str, float],
    scales: Mapping[str, float],
    diabetes: float,
    totals: Mapping[str, float],
    description: str,
    calibration: Callable[[], Any],
) -> Model:
    states = tuple(State(n, unit, initial[n], d) for n, unit, _, d in _STATE_INFO)
    return Model(
        name=name,
        state_specs=states,
        param_specs=_params(scales, diabetes, totals),
        observable_specs=OBSERVABLES,
        input_specs=INPUTS,
        rhs_fn=rhs,
        observables_fn=observables,
        initial_state_fn=_initial_state_fn(initial, totals),
        time_unit="min",
        source=SOURCE,
        description=description,
        sbml_id_pairs=_sbml_pairs(),
        default_protocol=DEFAULT_PROTOCOL,
        conservation=CONSERVATION,
        t_end=60.0,
        companions=Companions(_companions.therapies, _companions.cohorts, calibration),
    )


def build_normal() -> Model:
    """The normal human adipocyte (BIOMD0000000448).

    Returns:
        The model `brannmark2013`; its default protocol steps insulin to 10 nM at t = 0
        from the basal steady state.
    """
    return _build(
        "brannmark2013",
        _NORMAL_INITIAL,
        _NORMAL_SCALES,
        1.0,
        _NORMAL_TOTALS,
        "Insulin signalling in normal human adipocytes, from the receptor to GLUT4 "
        "translocation and the mTORC1/S6K branch, with the mTORC1 -> IRS1-Ser307 feedback.",
        _companions.calibration,
    )


def build_diabetic() -> Model:
    """The type 2 diabetic human adipocyte (BIOMD0000000449).

    Same equations as `build_normal`; receptor and GLUT4 at 50 % of normal, feedback
    strength `diabetes` = 0.15, and the file's own basal steady state.

    Returns:
        The model `brannmark2013_diabetic`.
    """
    return _build(
        "brannmark2013_diabetic",
        _DIABETIC_INITIAL,
        _DIABETIC_SCALES,
        DIABETIC_CONDITION["diabetes"],
        _DIABETIC_TOTALS,
        "Insulin signalling in adipocytes from type 2 diabetic patients: 50 % receptor, "
        "50 % GLUT4 and a weaker mTORC1 -> IRS1-Ser307 feedback.",
        _companions.diabetic_calibration,
    )
