"""Therapy classes: the Emax relation, the `Target` and `TherapyClass` records, and the
classes a model maps (read from ``model.companions.therapies``)."""

import dataclasses
from typing import Any, NamedTuple

import numpy as np

from .._errors import InputError, closest
from ..model import Model
from ..models import resolve

__all__ = ["CLASSES", "Target", "TherapyClass", "available", "describe", "occupancy"]

CLASSES = (
    "receptor_agonist",
    "irs_modulator",
    "anti_inflammatory",
    "antioxidant",
    "insulin_sensitizer",
)
"""The therapy classes pathjax knows (a model maps some of them)."""


class Target(NamedTuple):
    """One parameter a therapy acts on.

    Attributes:
        parameter: the model parameter.
        emax: maximal effect (multiplicative: fraction of change, > -1; additive: in
            the parameter's unit).
        mode: ``"multiply"`` (``p * (1 + emax f)``) or ``"add"`` (``p + emax f``).
        chronic_only: the parameter only enters the initial state, so the therapy can
            only be given chronically (``start=None``).
    """

    parameter: str
    emax: float
    mode: str = "multiply"
    chronic_only: bool = False


@dataclasses.dataclass(frozen=True, eq=False)
class TherapyClass:
    """A therapy class as mapped onto one model.

    Attributes:
        name: one of `CLASSES`.
        description: mechanism, and why these targets.
        targets: the `Target` parameters.
        ec50: dose of half-maximal effect, in `dose_unit`.
        hill: Hill coefficient of the dose -> effect relation.
        dose_unit: unit of the dose.
        source: literature for the mechanism; "assumption" for the numbers chosen here.
    """

    name: str
    description: str
    targets: tuple[Target, ...]
    ec50: float = 1.0
    hill: float = 1.0
    dose_unit: str = "multiples of EC50"
    source: str = ""

    def effects(self, dose: Any) -> dict[str, Any]:
        """{parameter: effect size} at `dose` (scalar or (patient,) array)."""
        f = occupancy(dose, self.ec50, self.hill)
        return {tg.parameter: tg.emax * f for tg in self.targets}


def occupancy(dose: Any, ec50: float, hill: float = 1.0) -> Any:
    """Fractional effect ``d^h / (EC50^h + d^h)`` of the Emax model (0 at dose 0).

    Examples:
        >>> from pathjax.therapy import occupancy
        >>> occupancy(2.0, ec50=2.0)
        0.5
    """
    d = np.asarray(dose, dtype=np.float64)
    dh = d**hill
    out = dh / (ec50**hill + dh)
    return float(out) if out.ndim == 0 else out


def _classes(model: Model) -> dict[str, TherapyClass]:
    """{class name: `TherapyClass`} mapped onto `model` by its companions."""
    factory = model.companions.therapies
    return dict(factory()) if factory else {}


def available(model: Any) -> list[str]:
    """The therapy classes mapped onto `model` (possibly none), in `CLASSES` order.

    Examples:
        >>> import pathjax
        >>> pathjax.therapy.available("sedaghat2002")
        ['irs_modulator']
    """
    found = _classes(resolve(model))
    return [c for c in CLASSES if c in found]


def describe(model: Any, name: str) -> TherapyClass:
    """The `TherapyClass` `name` of `model`.

    Raises:
        InputError: unknown therapy (the message lists those of the model).
    """
    m = resolve(model)
    found = _classes(m)
    if not isinstance(name, str) or name not in found:
        valid = available(m)
        if not valid:
            raise InputError(f"model {m.name!r} has no therapies (no intervention points)")
        raise InputError(
            f"unknown therapy {name!r} for model {m.name!r}.{closest(str(name), valid)} "
            f"Valid therapies: {', '.join(valid)}"
        )
    return found[name]
