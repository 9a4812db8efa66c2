"""Companions of Sedaghat 2002 (see `pathjax.model.Companions`): the therapy class
mapped onto its parameters and its cohorts.

The records belong to the packages that read them, which import the models: each
factory imports them when called, so importing a model imports none of those packages.
"""

from typing import TYPE_CHECKING

from ._notes import EMAX_NOTE

if TYPE_CHECKING:
    from ..population import Cohort
    from ..therapy import TherapyClass

__all__ = ["SEDAGHAT", "cohorts", "therapies"]

SEDAGHAT = (
    "Sedaghat A.R., Sherman A., Quon M.J. (2002) Am J Physiol Endocrinol Metab "
    "283:E1084-E1101, doi:10.1152/ajpendo.00571.2001"
)


def therapies() -> dict[str, "TherapyClass"]:
    """The therapy classes mapped onto Sedaghat 2002 (`pathjax.therapy`)."""
    from ..therapy import Target, TherapyClass

    return {
        "irs_modulator": TherapyClass(
            "irs_modulator",
            "PTP1B inhibition: tyrosine phosphatase activity (PTP_activity, which "
            "dephosphorylates the receptor and IRS-1) lowered by up to 80 %.",
            (Target("PTP_activity", -0.8),),
            source="Elchebly M. et al. (1999) Science 283:1544-1548. " + EMAX_NOTE,
        ),
    }


def cohorts() -> dict[str, "Cohort"]:
    """The cohorts of Sedaghat 2002 besides ``"reference"`` (`pathjax.population`)."""
    from ..population import Cohort, LogNormal, Plausibility, Range

    return {
        "healthy": Cohort(
            "healthy",
            "The published parameters with every rate constant spread log-normally "
            "(CV 15 %, assumption). No pre-equilibration: the published initial state is "
            "the model's basal state.",
            SEDAGHAT + "; spread: assumption.",
            kinetic_cv=0.15,
            plausibility=Plausibility(
                ranges=(Range("GLUT4_surface", 10.0, 80.0, at="response"),),
                time=15.0,
                description="The published 100 nM insulin step; surface GLUT4 10-80 % after "
                "15 min (published model: 44 %; band: assumption).",
            ),
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
