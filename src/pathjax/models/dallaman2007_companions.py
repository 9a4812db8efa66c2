"""Companions of Dalla Man 2007 (see `pathjax.model.Companions`): the therapy class
mapped onto its parameters and its cohort.

The records belong to the packages that read them, which import the models: each
factory imports them when called, so importing a model imports none of those packages.
"""

from typing import TYPE_CHECKING

from ._notes import EMAX_NOTE

if TYPE_CHECKING:
    from ..population import Cohort
    from ..therapy import TherapyClass

__all__ = ["DALLAMAN", "cohorts", "therapies"]

DALLAMAN = (
    "Dalla Man C., Rizza R.A., Cobelli C. (2007) IEEE Trans Biomed Eng 54:1740-1749, "
    "doi:10.1109/TBME.2007.893506 (BIOMD0000000379)"
)


def therapies() -> dict[str, "TherapyClass"]:
    """The therapy classes mapped onto Dalla Man 2007 (`pathjax.therapy`)."""
    from ..therapy import Target, TherapyClass

    return {
        "insulin_sensitizer": TherapyClass(
            "insulin_sensitizer",
            "Insulin sensitiser (thiazolidinedione): insulin-stimulated peripheral glucose "
            "utilisation (V_max_insulin) up to 2-fold and hepatic insulin action on "
            "glucose production (k_EGP_insulin) up to 1.5-fold.",
            (Target("V_max_insulin", 1.0), Target("k_EGP_insulin", 0.5)),
            source="Yki-Järvinen H. (2004) N Engl J Med 351:1106-1118 (thiazolidinediones "
            "raise peripheral and hepatic insulin sensitivity). " + EMAX_NOTE,
        ),
    }


def cohorts() -> dict[str, "Cohort"]:
    """The cohorts of Dalla Man 2007 besides ``"reference"`` (`pathjax.population`)."""
    from ..population import Cohort, Plausibility, Range
    from .dallaman2007 import meal

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
