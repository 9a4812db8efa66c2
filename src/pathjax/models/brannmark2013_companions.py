"""Companions of Brännmark 2013 (see `pathjax.model.Companions`): the therapy classes
mapped onto its parameters, its cohorts, and the PEtab problem it is calibrated by.
`brannmark2013` and `brannmark2013_diabetic` share all three.

The records belong to the packages that read them, which import the models: each
factory imports them when called, so importing a model imports none of those packages.

Calibration. Brännmark et al. (2013) measured insulin signalling in isolated human
adipocytes from normal and type 2 diabetic donors. Those data (shipped in
``pathjax/data/cedersund_adipocyte_signalling``) against the model form the PEtab
problem shipped as ``pathjax/data/petab/brannmark2013`` (`pathjax.petab.bundled`; its
README says where every row comes from): both donor groups in one problem, the rate
constants shared, the diabetes parameters (``diabetes``, ``IR_total``,
``GLUT4_total``) ``<name>_normal`` (fixed) in the normal conditions and ``<name>_t2d``
(estimated) in the diabetic ones. The diabetic cell is that problem's diabetic arm, so
both models name the same problem.
"""

import math
from pathlib import Path
from typing import TYPE_CHECKING

from ..protocol import Protocol
from ._notes import EMAX_NOTE

if TYPE_CHECKING:
    from ..population import Cohort, Covariate, Plausibility
    from ..therapy import TherapyClass

__all__ = [
    "BRANNMARK",
    "INSYSBIO",
    "calibration",
    "cohorts",
    "therapies",
]

BRANNMARK = (
    "Brännmark C. et al. (2013) J Biol Chem 288:9867-9880, doi:10.1074/jbc.M112.432062 "
    "(BIOMD0000000448/449)"
)
INSYSBIO = (
    "InSysBio insulin-signaling-t2d scenario table (data/insysbio_brannmark2013_scenarios: "
    "IR_total 55 %, GLUT4_total 50 %, diabetes 0.15)"
)
_BRANNMARK_SHORT = "Brännmark C. et al. (2013) J Biol Chem 288:9867-9880"

# ---- therapies ---------------------------------------------------------------------------


def therapies() -> dict[str, "TherapyClass"]:
    """The therapy classes mapped onto Brännmark 2013 (`pathjax.therapy`)."""
    from ..therapy import Target, TherapyClass

    return {
        "receptor_agonist": TherapyClass(
            "receptor_agonist",
            "Insulin-mimetic receptor activator: raises the insulin-independent receptor "
            "autophosphorylation (k_IR_basal_autophos) up to 21-fold, so the receptor "
            "signals without insulin (at full effect, basal glucose uptake close to that "
            "of 10 nM insulin).",
            (Target("k_IR_basal_autophos", 20.0),),
            source="Zhang B. et al. (1999) Science 284:974-977 (orally active small-molecule "
            "insulin receptor activator). " + EMAX_NOTE,
        ),
        "irs_modulator": TherapyClass(
            "irs_modulator",
            "PTP1B inhibition: slows the tyrosine dephosphorylation of the receptor at the "
            "membrane (k_IR_dephos_surface), of the internalised receptor "
            "(k_IR_dephos_by_X; X is the unidentified phosphatase of the model) and of "
            "IRS1 (k_IRS1_tyr_dephos), each by up to 80 %. In this model the "
            "mTORC1 -> IRS1-Ser307 feedback is positive for signalling, so a serine-kinase "
            "inhibitor would lower glucose uptake; the IRS modulator here is the "
            "phosphatase inhibitor.",
            (
                Target("k_IR_dephos_surface", -0.8),
                Target("k_IR_dephos_by_X", -0.8),
                Target("k_IRS1_tyr_dephos", -0.8),
            ),
            source="Elchebly M. et al. (1999) Science 283:1544-1548 (PTP1B knockout raises "
            "IR and IRS1 tyrosine phosphorylation); " + _BRANNMARK_SHORT + ". " + EMAX_NOTE,
        ),
        "insulin_sensitizer": TherapyClass(
            "insulin_sensitizer",
            "Thiazolidinedione (PPAR-gamma agonist): raises adipocyte GLUT4 expression "
            "(GLUT4_total) up to 2-fold. An expression level only sets the initial amount, "
            "so this therapy is chronic only.",
            (Target("GLUT4_total", 1.0, chronic_only=True),),
            source="Yki-Järvinen H. (2004) N Engl J Med 351:1106-1118 (thiazolidinediones); "
            "Shepherd P.R., Kahn B.B. (1999) N Engl J Med 341:248-257 (adipocyte GLUT4 in "
            "insulin resistance). " + EMAX_NOTE,
        ),
    }


# ---- cohorts ------------------------------------------------------------------------------


def _plausibility() -> "Plausibility":
    from ..population import Plausibility, Range

    return Plausibility(
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


def _bmi(mean: float, sd: float, glut4_exponent: float = -1.0) -> "Covariate":
    from ..population import Covariate, Effect, TruncatedNormal

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


def _cohort(name: str, ir: float, glut4: float, feedback: float, bmi: float, **kw) -> "Cohort":
    from ..population import Cohort, Correlation, Fixed, LogNormal

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
        preequilibrate=1000.0,
        **kw,
    )


def cohorts() -> dict[str, "Cohort"]:
    """The cohorts of Brännmark 2013 besides ``"reference"`` (`pathjax.population`)."""
    plausibility = _plausibility()
    spread = (
        "Spreads (assumption): IR_total and GLUT4_total log-normal CV 15 %, correlated "
        "0.5 (both follow adipocyte differentiation); every rate constant log-normal CV "
        "15 %. Pre-equilibrated 1000 min, as the model's docstring asks after changing "
        "totals or rates."
    )
    return {
        "healthy": _cohort(
            "healthy",
            100.0,
            100.0,
            1.0,
            24.0,
            plausibility=plausibility,
            description="Adipocytes of non-diabetic subjects: the normal cell of "
            "BIOMD0000000448 (receptor and GLUT4 at 100 %, full mTORC1 -> IRS1-Ser307 "
            "feedback). " + spread,
            source=BRANNMARK + ", normal cell.",
        ),
        "insulin_resistant": _cohort(
            "insulin_resistant",
            math.sqrt(100.0 * 55.0),
            math.sqrt(100.0 * 50.0),
            math.sqrt(1.0 * 0.15),
            28.0,
            plausibility=plausibility,
            description="Insulin resistance without overt diabetes: each of the three "
            "diabetic changes of Brännmark 2013 halfway on the log scale (receptor 74 %, "
            "GLUT4 71 %, feedback 0.39). " + spread,
            source="Assumption: geometric midpoint of the healthy and t2d cohorts "
            "(" + BRANNMARK + ").",
        ),
        "t2d": _cohort(
            "t2d",
            55.0,
            50.0,
            0.15,
            31.0,
            plausibility=plausibility,
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


# ---- calibration --------------------------------------------------------------------------


def calibration() -> Path:
    """The PEtab problem Brännmark 2013 is calibrated by (`pathjax.calibrate.fit`): the
    YAML file of the bundled problem ``"brannmark2013"`` (`pathjax.petab.bundled`)."""
    from ..petab import bundled

    return bundled("brannmark2013")
