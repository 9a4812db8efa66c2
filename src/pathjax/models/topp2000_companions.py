"""Companions of Topp 2000 (see `pathjax.model.Companions`): the therapy class mapped
onto its parameters. Its only cohort is ``"reference"``, which every model has.

The records belong to the package that reads them, which imports the models: the
factory imports them when called, so importing a model does not import that package.
"""

from typing import TYPE_CHECKING

from ._notes import EMAX_NOTE

if TYPE_CHECKING:
    from ..therapy import TherapyClass

__all__ = ["therapies"]


def therapies() -> dict[str, "TherapyClass"]:
    """The therapy classes mapped onto Topp 2000 (`pathjax.therapy`)."""
    from ..therapy import Target, TherapyClass

    return {
        "insulin_sensitizer": TherapyClass(
            "insulin_sensitizer",
            "Insulin sensitiser: insulin_sensitivity (S_I) up to 2-fold.",
            (Target("insulin_sensitivity", 1.0),),
            source="Topp B. et al. (2000) J Theor Biol 206:605-619 (S_I as the route "
            "of insulin resistance). " + EMAX_NOTE,
        ),
    }
