"""Brännmark et al. (2013), the data of the model: states, initial values of both SBML
files, rate constants, Hill exponents, readout scales, observables and the inputs (the
equations and the builders are in `pathjax.models.brannmark2013`)."""

from ..model import Input, Observable

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
