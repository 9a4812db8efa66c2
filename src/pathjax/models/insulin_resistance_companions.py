"""Companions of the composite `insulin_resistance` model (see
`pathjax.model.Companions`): the five therapy classes mapped onto its intervention
parameters and its cohorts.

The records belong to the packages that read them, which import the models: each
factory imports them when called, so importing a model imports none of those packages.
"""

import math
from typing import TYPE_CHECKING

from .brannmark2013_companions import BRANNMARK, INSYSBIO

if TYPE_CHECKING:
    from ..population import Cohort, Plausibility, Range
    from ..therapy import TherapyClass

__all__ = ["cohorts", "plausibility", "therapies"]


def therapies() -> dict[str, "TherapyClass"]:
    """The therapy classes mapped onto the composite model's intervention parameters
    (`pathjax.therapy`)."""
    from ..therapy import Target, TherapyClass

    share = "Dose in multiples of the EC50; Emax (the share reached at full effect): assumption."
    return {
        "receptor_agonist": TherapyClass(
            "receptor_agonist",
            "Insulin-mimetic receptor activator on the model's intervention point "
            "`receptor_agonist` (insulin-independent receptor activation in nM insulin "
            "equivalents): up to 1 nM, the upper end of post-meal insulin.",
            (Target("receptor_agonist", 1.0, mode="add"),),
            source="Zhang B. et al. (1999) Science 284:974-977. " + share,
        ),
        "irs_modulator": TherapyClass(
            "irs_modulator",
            "IRS phosphorylation modulator: inhibits IRS1 serine phosphorylation by JNK, IKK "
            "and S6K (`irs_serine_kinase_inhibition`) and PTP1B (`ptp1b_inhibition`), each up "
            "to 80 %, protecting IRS1 tyrosine phosphorylation.",
            (
                Target("irs_serine_kinase_inhibition", 0.8, mode="add"),
                Target("ptp1b_inhibition", 0.8, mode="add"),
            ),
            source="Hirosumi J. et al. (2002) Nature 420:333-336 (JNK in insulin resistance); "
            "Elchebly M. et al. (1999) Science 283:1544-1548 (PTP1B). " + share,
        ),
        "anti_inflammatory": TherapyClass(
            "anti_inflammatory",
            "Anti-inflammatory (e.g. salicylate/IKK-beta inhibition, TNF-alpha blockade): "
            "removes up to 90 % of the inflammation effect (`anti_inflammatory`).",
            (Target("anti_inflammatory", 0.9, mode="add"),),
            source="Yuan M. et al. (2001) Science 293:1673-1677 (salicylate reverses "
            "insulin resistance through IKK-beta). " + share,
        ),
        "antioxidant": TherapyClass(
            "antioxidant",
            "Antioxidant: removes up to 90 % of the ROS excess (`antioxidant`).",
            (Target("antioxidant", 0.9, mode="add"),),
            source="Houstis N., Rosen E.D., Lander E.S. (2006) Nature 440:944-948 (ROS as a "
            "cause of insulin resistance; antioxidants improve it). " + share,
        ),
        "insulin_sensitizer": TherapyClass(
            "insulin_sensitizer",
            "Thiazolidinedione: GLUT4 expression (`insulin_sensitizer`, fold) up to 2-fold. "
            "It scales the GLUT4 of the initial state, so it is chronic only.",
            (Target("insulin_sensitizer", 1.0, chronic_only=True),),
            source="Yki-Järvinen H. (2004) N Engl J Med 351:1106-1118. " + share,
        ),
    }


_ADA = (
    "American Diabetes Association (2024) Diabetes Care 47(Suppl 1):S20 (fasting glucose "
    "< 100 mg/dL normal, 2-h glucose >= 200 mg/dL diabetic)"
)


_BUTLER = (
    "Butler A.E. et al. (2003) Diabetes 52:102-110 (beta-cell volume in type 2 diabetes "
    "40-63 % below that of weight-matched non-diabetic subjects)"
)

#: the composite's physiological bounds, checked on every run (`plausibility`)
BOUNDS_DESCRIPTION = (
    "Physiological bounds of the composite model, checked at every output time of every "
    "run: plasma glucose 54-600 mg/dL (below 54: level-2 hypoglycaemia; above 600: the "
    "hyperosmolar range; " + _ADA + "), and at the first output time (the fasting state "
    "of the default protocols) fasting glucose 60-400 mg/dL and fasting insulin "
    "5-1000 pmol/L (outside: not seen in adults without insulin-secreting tumours or "
    "absolute insulin deficiency; assumption); insulin concentrations, masses and "
    "secretion never negative; beta-cell mass at least 10 % of the healthy reference "
    "(30 mg; below it is absolute insulin deficiency, not type 2 diabetes: " + _BUTLER + ")."
)


def plausibility() -> tuple["Range", ...]:
    """Physiological bounds of the composite model (`BOUNDS_DESCRIPTION`): every
    `pathjax.simulate` of it flags the patients who leave them (``plausible``)."""
    from ..population import Range

    inf = float("inf")
    nonnegative = ("plasma_insulin", "insulin_secretion", "insulin_mass_liver",
                   "insulin_mass_plasma", "portal_insulin", "glucose_mass_plasma",
                   "glucose_mass_tissue")  # fmt: skip
    return (
        Range("plasma_glucose", 54.0, 600.0, at="all"),
        Range("plasma_glucose", 60.0, 400.0, at="basal"),
        Range("plasma_insulin", 5.0, 1000.0, at="basal"),
        Range("beta_cell_mass", 30.0, inf, at="all"),
    ) + tuple(Range(name, 0.0, inf, at="all") for name in nonnegative)


#: Topp 2000's pathological fixed point (250 mg/dL) as the composite's fasting glucose
#: (the growth law sees G * 100 / `beta_cell_glucose_setpoint`, 96.65 mg/dL): above it the
#: beta-cell mass dies and glucose rises further, the collapse Topp's law predicts
TOPP_SADDLE_GLUCOSE = 241.6

#: Topp's growth-law parameters (per day), kept at their values in every cohort (see
#: `cohorts`): spread independently, 1 draw in 5 has r1^2 < 4 r2 d0 (no fixed point)
BETA_CELL_GROWTH = {
    "beta_cell_death_rate": 0.06,
    "beta_cell_growth_linear": 0.00084,
    "beta_cell_growth_quadratic": 2.4e-06,
}


def _plausibility(healthy: bool) -> "Plausibility":
    from ..population import Plausibility, Range

    fasting_max, two_hour_max = (110.0, 200.0) if healthy else (TOPP_SADDLE_GLUCOSE, 500.0)
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
        "otherwise fasting glucose below Topp 2000's pathological fixed point, above which "
        "the beta-cell mass collapses within months, and a physiological 2-h bound, "
        "assumption).",
    )


def _cohort(
    name: str,
    receptor: float,
    feedback: float,
    inflammation: float,
    oxidative: float,
    bmi: float,
    **kw,
) -> "Cohort":
    from ..population import (
        Cohort,
        Correlation,
        Covariate,
        Effect,
        Fixed,
        LogNormal,
        TruncatedNormal,
    )

    return Cohort(
        name=name,
        parameters={
            "receptor_density": LogNormal(receptor, 0.15),
            "diabetes": LogNormal(feedback, 0.15) if feedback != 1.0 else Fixed(1.0),
            "inflammation": TruncatedNormal(inflammation, 0.5 * inflammation + 0.05, 0.0),
            "oxidative_stress": TruncatedNormal(oxidative, 0.3 * oxidative + 0.05, 0.0),
            **{k: Fixed(v) for k, v in BETA_CELL_GROWTH.items()},
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
        plausibility=_plausibility(name == "healthy"),
        **kw,
    )


def cohorts() -> dict[str, "Cohort"]:
    """The cohorts of the composite model besides ``"reference"`` (`pathjax.population`)."""
    spread = (
        "Spreads (assumption): receptor density and feedback log-normal CV 15 %, "
        "inflammation and oxidative stress truncated normal, correlated 0.5, every rate "
        "constant log-normal CV 10 %, except Topp's three beta-cell growth-law rates, kept "
        "at their values: spread independently, one draw in five has no physiological "
        "fixed point (r1^2 < 4 r2 d0) and its beta-cell mass dies at every glucose, within "
        "months. The model's protocols pre-equilibrate each patient to its own fasting "
        "state."
    )
    return {
        "healthy": _cohort(
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
        "insulin_resistant": _cohort(
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
        "t2d": _cohort(
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
