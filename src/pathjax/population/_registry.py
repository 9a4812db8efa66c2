"""Cohorts of the bundled models, as data, keyed by model name.

Every number states where it comes from. "Assumption" marks a value chosen here (an
inter-individual spread, a band of plausibility) where the literature gives no number
for this model; docs/populations.md collects them.
"""

import math
from collections.abc import Callable

from ..protocol import Protocol
from ._cohort import Cohort, Correlation, Covariate, Effect, Plausibility, Range
from ._distributions import Fixed, LogNormal, TruncatedNormal

__all__ = ["REGISTRY", "reference_cohort"]

BRANNMARK = (
    "Brännmark C. et al. (2013) J Biol Chem 288:9867-9880, doi:10.1074/jbc.M112.432062 "
    "(BIOMD0000000448/449)"
)
INSYSBIO = (
    "InSysBio insulin-signaling-t2d scenario table (data/insysbio_brannmark2013_scenarios: "
    "IR_total 55 %, GLUT4_total 50 %, diabetes 0.15)"
)

# ---- Brännmark 2013 (normal and diabetic files share the cohorts) ---------------------

_BRANNMARK_PLAUSIBILITY = Plausibility(
    ranges=(
        Range("GLUT4_surface", 1.0, 50.0, at="basal"),
        Range("GLUT4_surface", 15.0, 95.0, at="response"),
        Range("glucose_uptake", 1.1, 15.0, at="fold"),
    ),
    time=10.0,
    protocol=Protocol.constant(insulin=10.0),
    description=(
        "10 nM insulin for 10 min from the basal steady state. Basal surface GLUT4 1-50 % "
        "of the cell's GLUT4 (published model: 26.5 % normal, 9.2 % diabetic), 15-95 % "
        "after insulin (61 % normal), and glucose uptake rising 1.1- to 15-fold "
        "(assumption: wide bands around the published cells; a non-responder is rejected)."
    ),
)


def _bmi(mean: float, sd: float, glut4_exponent: float = -1.0) -> Covariate:
    return Covariate(
        "BMI",
        "kg/m^2",
        TruncatedNormal(mean, sd, 18.5, 50.0),
        effects=(Effect("GLUT4_total", glut4_exponent, "power", mean),),
        description=(
            "body-mass index; adipocyte GLUT4 falls with obesity (Garvey W.T. et al. 1991, "
            "J Clin Invest 87:1072-1081), here GLUT4_total ~ BMI^-1 around the cohort's "
            "mean BMI (exponent: assumption), so the cohort median stays the published one"
        ),
    )


def _brannmark(name: str, ir: float, glut4: float, feedback: float, bmi: float, **kw) -> Cohort:
    return Cohort(
        name=name,
        parameters={
            "IR_total": LogNormal(ir, 0.15),
            "GLUT4_total": LogNormal(glut4, 0.15),
            "diabetes": LogNormal(feedback, 0.15) if feedback != 1.0 else Fixed(1.0),
        },
        kinetic_cv=0.15,
        covariates=(_bmi(bmi, 3.0 if bmi < 27 else 4.5),),
        correlation=Correlation(("IR_total", "GLUT4_total"), [[1.0, 0.5], [0.5, 1.0]]),
        plausibility=_BRANNMARK_PLAUSIBILITY,
        preequilibrate=1000.0,
        **kw,
    )


def _brannmark_cohorts() -> dict[str, Cohort]:
    spread = (
        "Spreads (assumption): IR_total and GLUT4_total log-normal CV 15 %, correlated "
        "0.5 (both follow adipocyte differentiation); every rate constant log-normal CV "
        "15 %. Pre-equilibrated 1000 min, as the model's docstring asks after changing "
        "totals or rates."
    )
    return {
        "healthy": _brannmark(
            "healthy",
            100.0,
            100.0,
            1.0,
            24.0,
            description="Adipocytes of non-diabetic subjects: the normal cell of "
            "BIOMD0000000448 (receptor and GLUT4 at 100 %, full mTORC1 -> IRS1-Ser307 "
            "feedback). " + spread,
            source=BRANNMARK + ", normal cell.",
        ),
        "insulin_resistant": _brannmark(
            "insulin_resistant",
            math.sqrt(100.0 * 55.0),
            math.sqrt(100.0 * 50.0),
            math.sqrt(1.0 * 0.15),
            28.0,
            description="Insulin resistance without overt diabetes: each of the three "
            "diabetic changes of Brännmark 2013 halfway on the log scale (receptor 74 %, "
            "GLUT4 71 %, feedback 0.39). " + spread,
            source="Assumption: geometric midpoint of the healthy and t2d cohorts "
            "(" + BRANNMARK + ").",
        ),
        "t2d": _brannmark(
            "t2d",
            55.0,
            50.0,
            0.15,
            31.0,
            description="Adipocytes of type 2 diabetic subjects: fewer receptors (55 %), "
            "less GLUT4 (50 %) and a weaker mTORC1 -> IRS1-Ser307 feedback (0.15), the "
            "three mechanisms Brännmark 2013 found necessary to explain the diabetic data. "
            + spread,
            source=BRANNMARK
            + ", diabetic parameters; "
            + INSYSBIO
            + ". BIOMD0000000449 stores 50 % receptor; the paper's and InSysBio's 55 % "
            "is used.",
        ),
    }


# ---- Sedaghat 2002 --------------------------------------------------------------------

_SEDAGHAT_PLAUSIBILITY = Plausibility(
    ranges=(Range("GLUT4_surface", 10.0, 80.0, at="response"),),
    time=15.0,
    description="The published 100 nM insulin step; surface GLUT4 10-80 % after 15 min "
    "(published model: 44 %; band: assumption).",
)

SEDAGHAT = (
    "Sedaghat A.R., Sherman A., Quon M.J. (2002) Am J Physiol Endocrinol Metab "
    "283:E1084-E1101, doi:10.1152/ajpendo.00571.2001"
)


def _sedaghat_cohorts() -> dict[str, Cohort]:
    return {
        "healthy": Cohort(
            "healthy",
            "The published parameters with every rate constant spread log-normally "
            "(CV 15 %, assumption). No pre-equilibration: the published initial state is "
            "the model's basal state.",
            SEDAGHAT + "; spread: assumption.",
            kinetic_cv=0.15,
            plausibility=_SEDAGHAT_PLAUSIBILITY,
        ),
        "insulin_resistant": Cohort(
            "insulin_resistant",
            "Raised activity of the negative regulators the model carries: tyrosine "
            "phosphatase (PTP1B) doubled, PTEN and SHIP 1.5-fold, each log-normal CV 20 %.",
            "Assumption: PTP1B, PTEN and SHIP are the negative regulators Sedaghat 2002 "
            "varies; their raised activity in insulin resistance is qualitative "
            "(Goldstein B.J. 2002 J Clin Endocrinol Metab 87:2474-2480).",
            parameters={
                "PTP_activity": LogNormal(2.0, 0.2),
                "PTEN_activity": LogNormal(1.5, 0.2),
                "SHIP_activity": LogNormal(1.5, 0.2),
            },
            kinetic_cv=0.15,
            plausibility=Plausibility(
                ranges=(Range("GLUT4_surface", 5.0, 80.0, at="response"),),
                time=15.0,
                description="As healthy, with a lower floor of 5 %.",
            ),
        ),
    }


# ---- Dalla Man 2007 -------------------------------------------------------------------

DALLAMAN = (
    "Dalla Man C., Rizza R.A., Cobelli C. (2007) IEEE Trans Biomed Eng 54:1740-1749, "
    "doi:10.1109/TBME.2007.893506 (BIOMD0000000379)"
)


def _dallaman_cohorts() -> dict[str, Cohort]:
    from ..models.dallaman2007 import meal

    return {
        "healthy": Cohort(
            "healthy",
            "The normal subject of the BioModels entry, every rate constant and gain "
            "log-normal CV 15 % (assumption), pre-equilibrated 3000 min to each patient's "
            "own fasting state (as the model's docstring advises).",
            DALLAMAN + "; ranges: American Diabetes Association (2024) Diabetes Care "
            "47(Suppl 1):S20 (fasting < 100 mg/dL normal, 2-h glucose >= 200 mg/dL "
            "diabetic).",
            kinetic_cv=0.15,
            plausibility=Plausibility(
                ranges=(
                    Range("plasma_glucose", 65.0, 110.0, at="basal"),
                    Range("plasma_insulin", 5.0, 150.0, at="basal"),
                    Range("plasma_glucose", 60.0, 200.0, at="response"),
                ),
                time=120.0,
                protocol=meal(),
                description="Fasting glucose 65-110 mg/dL, fasting insulin 5-150 pmol/L, "
                "glucose 2 h after the 78 g meal 60-200 mg/dL.",
            ),
            preequilibrate=3000.0,
        ),
    }


# ---- the composite insulin_resistance model ----------------------------------------------

_ADA = (
    "American Diabetes Association (2024) Diabetes Care 47(Suppl 1):S20 (fasting glucose "
    "< 100 mg/dL normal, 2-h glucose >= 200 mg/dL diabetic)"
)


def _composite_plausibility(healthy: bool) -> Plausibility:
    fasting_max, two_hour_max = (110.0, 200.0) if healthy else (300.0, 500.0)
    return Plausibility(
        ranges=(
            Range("plasma_glucose", 60.0, fasting_max, at="basal"),
            Range("plasma_insulin", 5.0, 500.0, at="basal"),
            Range("plasma_glucose", 60.0, two_hour_max, at="response"),
        ),
        time=120.0,
        description=f"The model's 75 g OGTT from the fasting steady state: fasting glucose "
        f"60-{fasting_max:g} mg/dL, fasting insulin 5-500 pmol/L, 2-h glucose "
        f"60-{two_hour_max:g} mg/dL (healthy: below the diagnostic thresholds of {_ADA}; "
        "otherwise physiological bounds, assumption).",
    )


def _composite(
    name: str,
    receptor: float,
    feedback: float,
    inflammation: float,
    oxidative: float,
    bmi: float,
    **kw,
) -> Cohort:
    return Cohort(
        name=name,
        parameters={
            "receptor_density": LogNormal(receptor, 0.15),
            "diabetes": LogNormal(feedback, 0.15) if feedback != 1.0 else Fixed(1.0),
            "inflammation": TruncatedNormal(inflammation, 0.5 * inflammation + 0.05, 0.0),
            "oxidative_stress": TruncatedNormal(oxidative, 0.3 * oxidative + 0.05, 0.0),
        },
        kinetic_cv=0.1,
        covariates=(
            Covariate(
                "BMI",
                "kg/m^2",
                TruncatedNormal(bmi, 3.0 if bmi < 27 else 4.5, 18.5, 50.0),
                effects=(
                    Effect("inflammation", 2.0, "power", bmi),
                    Effect("oxidative_stress", 2.0, "power", bmi),
                ),
                description="body-mass index; adipose TNF-alpha (Hotamisligil G.S. et al. "
                "1993, Science 259:87-91) and systemic oxidative stress (Furukawa S. et al. "
                "2004, J Clin Invest 114:1752-1761) rise with obesity; here inflammation and "
                "oxidative stress ~ BMI^2 around the cohort mean (exponent: assumption)",
            ),
        ),
        correlation=Correlation(("inflammation", "oxidative_stress"), [[1.0, 0.5], [0.5, 1.0]]),
        plausibility=_composite_plausibility(name == "healthy"),
        **kw,
    )


def _composite_cohorts() -> dict[str, Cohort]:
    spread = (
        "Spreads (assumption): receptor density and feedback log-normal CV 15 %, "
        "inflammation and oxidative stress truncated normal, correlated 0.5, every rate "
        "constant log-normal CV 10 %. The model's protocols pre-equilibrate each patient to "
        "its own fasting state."
    )
    return {
        "healthy": _composite(
            "healthy",
            1.0,
            1.0,
            0.05,
            0.1,
            24.0,
            description="Healthy adults: full receptor density and feedback, little "
            "inflammation or oxidative stress. " + spread,
            source="The composite model's healthy defaults (docs/insulin_resistance.md).",
        ),
        "insulin_resistant": _composite(
            "insulin_resistant",
            math.sqrt(0.55),
            math.sqrt(0.15),
            0.5,
            10.0,
            29.0,
            description="Insulin resistance before diabetes: receptor density and feedback "
            "halfway (log scale) to the T2D values, moderate inflammation (TNF-alpha 0.5) and "
            "a 10-fold ROS excess, where the model's IRS1 loss begins. " + spread,
            source="Assumption: geometric midpoint of healthy and t2d for the receptor and "
            "feedback (" + BRANNMARK + "); inflammation and oxidative stress chosen at the "
            "low end of the model's effective ranges (docs/insulin_resistance.md).",
        ),
        "t2d": _composite(
            "t2d",
            0.55,
            0.15,
            1.0,
            30.0,
            32.0,
            description="Type 2 diabetes: receptor density 55 % and mTORC1 -> IRS1 feedback "
            "0.15 as in the diabetic adipocytes of Brännmark 2013, strong chronic "
            "inflammation (TNF-alpha 1) and a 30-fold ROS excess, which together remove "
            "about two thirds of the cell's IRS1. The mean patient has fasting glucose "
            "111 mg/dL, 2-h OGTT glucose 199 mg/dL and HOMA-IR 3.5. The model has no "
            "GLUT4-expression condition, so the 50 % GLUT4 of diabetic adipocytes is not "
            "part of this cohort. " + spread,
            source=BRANNMARK + "; " + INSYSBIO + "; inflammation and oxidative stress "
            "levels: assumption, chosen inside the model's effective ranges (inflammation "
            "0.5-2, oxidative stress 10-100; docs/insulin_resistance.md).",
        ),
    }


# name -> {cohort name -> Cohort}, built on first use (Dalla Man imports its model).
REGISTRY: dict[str, Callable[[], dict[str, Cohort]]] = {
    "brannmark2013": _brannmark_cohorts,
    "brannmark2013_diabetic": _brannmark_cohorts,
    "sedaghat2002": _sedaghat_cohorts,
    "dallaman2007": _dallaman_cohorts,
    "insulin_resistance": _composite_cohorts,
}


def reference_cohort(model) -> Cohort:
    """The cohort every model has: its published parameters, every kinetic parameter
    spread log-normally with CV 20 % (as ``pathjax simulate --cv 0.2``), no plausibility
    simulation (parameter bounds only)."""
    return Cohort(
        "reference",
        f"The published parameters of {model.name}, kinetic parameters log-normal CV 20 %.",
        model.source or "the model's own parameters",
        kinetic_cv=0.2,
    )
