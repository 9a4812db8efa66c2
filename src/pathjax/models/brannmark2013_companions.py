"""Companions of Brännmark 2013 (see `pathjax.model.Companions`): the therapy classes
mapped onto its parameters, its cohorts, and the human adipocyte data it is calibrated
against. `brannmark2013` and `brannmark2013_diabetic` share the therapies and cohorts;
the diabetic cell is calibrated through the normal one (condition ``"t2d"``).

The records belong to the packages that read them, which import the models: each
factory imports them when called, so importing a model imports none of those packages.

Calibration data. Brännmark et al. (2013) measured insulin signalling in isolated human
adipocytes from normal (``_n``) and type 2 diabetic (``_d``) donors. The package ships
those data as compiled for a later model, in
``pathjax/data/cedersund_adipocyte_signalling`` (one CSV per data set; ``index.json``
gives the provenance, ``README.md`` the publications); see
`pathjax.calibrate.bundled_data`. Each data set is mapped here onto one of the model's
measured-variable observables and onto the protocol of the experiment, as the data were
processed in the original analysis:

* **dose responses** (``*_dr``): 10 min of insulin at each concentration (``conc`` in M;
  the smallest, 1e-12 M, stands for no insulin on a log axis), baseline subtracted and
  given in % of the largest response of each donor group. The model value is
  ``scale * (readout(dose) - readout(no insulin))``, one scale per group.
* **glucose uptake** (``GLUCOSE_dr``, ``GLUCOSE_2p``): insulin for 15 min, then
  2-deoxyglucose for 30 min in the continued presence of insulin; the data are the
  amount taken up. The model's ``glucoseuptake`` is a rate, so the amount is taken as
  30 min times the rate at the middle of the uptake window, t = 30 min (at the published
  parameters this differs from the mean rate over 15-45 min by at most 0.3 %).
* **time courses** at 10 nM insulin (``*_time``): the normal and diabetic arms were
  measured on one scale (``PKB473_time`` excepted: % of the maximum of each arm), so they
  share one scale factor.
* **two-point data** (``*_2p``): basal and stimulated (10 nM for 10 min; glucose:
  100 nM), normal and diabetic on one scale. A basal point is written as no insulin at
  the time of the stimulated point.

Data sets of the folder that are not mapped are listed, each with the reason, in the
calibration's ``skipped`` (`pathjax.calibrate.SKIPPED`).
"""

import math
from typing import TYPE_CHECKING

from .._errors import InputError
from ..protocol import Protocol
from ._brannmark2013_tables import DIABETIC_CONDITION
from ._notes import EMAX_NOTE

if TYPE_CHECKING:
    from ..calibrate import Calibration
    from ..population import Cohort, Covariate, Plausibility
    from ..therapy import TherapyClass

__all__ = [
    "BRANNMARK",
    "DIABETES_PARAMETERS",
    "INSYSBIO",
    "calibration",
    "cohorts",
    "diabetic_calibration",
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

DIABETES_PARAMETERS = ("diabetes", "IR_total", "GLUT4_total")
"""The parameters that differ in type 2 diabetes: the ones a ``"t2d"`` fit calibrates."""

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

_DOSE_TIME = 10.0  # min of insulin before the dose-response samples were taken
_UPTAKE_TIME = 30.0  # middle of the 15-45 min 2-deoxyglucose window


def calibration() -> "Calibration":
    """The human adipocyte data of Brännmark 2013 mapped onto the normal cell's readouts
    (`pathjax.calibrate`), and which parameters each donor group calibrates."""
    from ..calibrate._data import Calibration, DataSpec

    def dose(name, readout, arms=("n", "d"), time=_DOSE_TIME, note=""):
        return DataSpec(name, readout, "dose", arms, False, True, time, note=note)

    def course(name, readout, shared=True, note=""):
        return DataSpec(name, readout, "time", ("n", "d"), shared, False, None, note=note)

    def two(name, readout, time=_DOSE_TIME, note="", **stimulus):
        return DataSpec(name, readout, "two_point", ("n", "d"), True, False, time, note=note,
                        **stimulus)  # fmt: skip

    datasets = (
        dose("IR_dr", "measuredIRp", note="IR-Tyr1146 phosphorylation, 10-min dose response"),
        dose("IRS1_dr", "measuredIRS1p", note="IRS1-Tyr612 phosphorylation, 10-min dose response"),
        dose("IRS1307_dr", "measuredIRS1307", note="IRS1-Ser307 (human Ser312), 10-min dose response"),
        dose("PKB308_dr", "measuredPKB308p", note="PKB-Thr308, 10-min dose response"),
        dose("PKB473_dr", "measuredPKB473p", note="PKB-Ser473, 10-min dose response"),
        dose("AS160_dr", "measuredAS160p", note="AS160-Thr642, 10-min dose response"),
        dose("S6_dr", "measuredS6p", arms=("n",), note="S6-Ser235/236, 10-min dose response"),
        dose("GLUCOSE_dr", "glucoseuptake", time=_UPTAKE_TIME,
             note="2-deoxyglucose uptake after 15 min of insulin, 30-min uptake"),
        course("IRS1307_time", "measuredIRS1307", note="IRS1-Ser307, 10 nM, 0-60 min"),
        course("PKB308_time", "measuredPKB308p", note="PKB-Thr308, 10 nM, 0-60 min"),
        course("PKB473_time", "measuredPKB473p", shared=False,
               note="PKB-Ser473, 10 nM, 0-60 min, % of each arm's maximum"),
        course("AS160_time", "measuredAS160p", note="AS160-Thr642, 10 nM, 0-60 min"),
        course("S6K_time", "measuredS6Kp", note="S6K-Thr389, 10 nM, 0-60 min"),
        course("S6_time", "measuredS6p", note="S6-Ser235/236, 10 nM, 0-60 min"),
        two("IR_2p", "measuredIRp", note="IR phosphorylation, basal and 10 nM for 10 min"),
        two("IRS1_2p", "measuredIRS1p", note="IRS1 phosphorylation, basal and 10 nM for 10 min"),
        two("PKB473_2p", "measuredPKB473p", note="PKB-Ser473, basal and 10 nM for 10 min"),
        two("GLUCOSE_2p", "glucoseuptake", time=_UPTAKE_TIME, stimulus=100.0,
            note="2-deoxyglucose uptake, basal and 100 nM insulin"),
    )  # fmt: skip

    skipped = (
        (("PKB473_time_renorm",), "derived from PKB473_time and PKB473_2p (both used); it would "
         "count the same measurements twice"),
        (("PKB_dr",), "a PKB dose response without the phosphorylation site; a near copy of "
         "PKB308_dr (used)"),
        (("PKB_time",), "a PKB time course without the phosphorylation site and without "
         "per-point SEM"),
        (("S6K_2p",), "its basal/insulin columns and times cannot be mapped onto a protocol"),
        (("EC50",), "EC50s are derived from the dose responses (used); it would count them twice"),
        (("GLU_time",), "glucose uptake over time in two unnamed conditions, source unknown"),
        (("IR_time", "IR_30", "IR_DOSE", "IR_int", "IRS1_30", "IRS1_DOSE", "IRS1_DOSE_2",
          "IRS1_time_3", "IRS1_time_30", "IRS1_time_180"), "earlier studies of the receptor and "
         "IRS1 overshoot (Cedersund 2008, Brännmark 2010), not the normal/T2D data of Brännmark "
         "2013; the insulin dose of IR_int and IRS1_time_180 is not recorded"),
        (("IRS1_ds", "IRS1_DOUBLE"), "a two-step protocol (1.2 nM, then 10 nM at 4 min), which a "
         "row of constant insulin from t = 0 cannot express; earlier study (Brännmark 2010)"),
        (("ERK_dr", "ERK_time", "Elk1_dr", "Elk1_time", "Foxo_dr", "Foxo_raw_dr", "Foxo_time"),
         "ERK, Elk1 and FOXO1 are not in the Brännmark 2013 model"),
        (("IRS1307_mitinhib", "LC3", "lipofuscin_mi", "lipofuscin_nd", "lipofuscin_rc",
          "mitdens_DNP", "mitvol_nd", "AllTimes"), "not an insulin-signalling measurement of this "
         "model (mitochondrial inhibition, autophagy, lipofuscin, mitochondria; a time list)"),
    )  # fmt: skip

    return Calibration(
        datasets=datasets,
        skipped={name: why for names, why in skipped for name in names},
        # With a free glucose-uptake scale only the ratio of the GLUT4 and GLUT1 uptake
        # constants is identifiable; the GLUT1 constant stays at its published value.
        not_fitted=("k_glucose_uptake_GLUT1",),
        disease_parameters=DIABETES_PARAMETERS,
        disease_values={k: DIABETIC_CONDITION[k] for k in DIABETES_PARAMETERS},
        # the diabetic cell of the study, with the receptor amount measured there (about
        # 55 % of normal; the SBML file uses 50 %)
        reported={"diabetes": 0.15, "IR_total": 55.0, "GLUT4_total": 50.0},
        reported_by="brannmark2013",
    )


def diabetic_calibration() -> "Calibration":
    """The diabetic cell has no calibration of its own: its diabetes parameters are
    fitted on top of the normal cell's fit.

    Raises:
        InputError: always, saying how to fit it.
    """
    raise InputError(
        "fit the diabetic cell with model 'brannmark2013' and condition 't2d' (the "
        "diabetes parameters are fitted from the normal fit)"
    )
