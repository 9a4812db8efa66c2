"""Insulin receptor: amount, activation defect and an insulin-independent agonist.

The receptor's kinetics (insulin binding, autophosphorylation, internalisation,
dephosphorylation by X, recycling) are the adipocyte core's, unchanged (Brännmark 2013,
see `adipocyte`). This module adds the composite model's handles on it; none of them is
in a source, so all are joins:

* `receptor_density` (condition, 1 = healthy): the receptor amount relative to a normal
  cell. It scales the five receptor states of the initial state (as the source's
  diabetic variant scales its receptor total, 50 % there), so receptor downregulation is
  ``receptor_density < 1``.
* `receptor_activation` (condition, 1 = healthy): impaired receptor kinase activation;
  multiplies the autophosphorylation rate of the insulin-bound receptor (k1c).
* `receptor_agonist` (intervention, 0 = none): an insulin-independent receptor activator
  (e.g. a small-molecule or antibody agonist), in nM insulin equivalents. It occupies
  free receptors as that much insulin would (the source's binding constant k1a), and the
  occupied receptors enter the insulin-bound pool::

      IR -> IR_insulin at k_IR_insulin_binding * receptor_agonist * IR
"""

from typing import Any

from ...model import Param

__all__ = ["CONDITION_PARAMS", "INTERVENTION_PARAMS", "derivatives", "rate_changes"]

CONDITION_PARAMS: tuple[Param, ...] = (
    Param(
        "receptor_density",
        "1",
        1.0,
        "insulin receptor amount relative to a healthy cell (1 = healthy; lower = "
        "downregulation); scales the receptor states of the initial state",
        0.0,
        10.0,
        kind="condition",
    ),
    Param(
        "receptor_activation",
        "1",
        1.0,
        "receptor kinase activation relative to healthy (1 = healthy; lower = impaired "
        "autophosphorylation of the insulin-bound receptor)",
        0.0,
        10.0,
        kind="condition",
    ),
)

INTERVENTION_PARAMS: tuple[Param, ...] = (
    Param(
        "receptor_agonist",
        "nM insulin equivalent",
        0.0,
        "insulin receptor agonist: insulin-independent receptor activation, expressed as the "
        "insulin concentration that would occupy as many receptors (0 = none; 0.1-1 is the "
        "range of post-meal insulin)",
        0.0,
        1000.0,
        kind="intervention",
    ),
)


def rate_changes(p: Any) -> dict:
    """Rate constants of the adipocyte core that this module changes."""
    return {"k_IR_autophos": p.k_IR_autophos * p.receptor_activation}


def derivatives(y: Any, p: Any) -> dict:
    """Contributions to d state / d t (%/min): receptor occupancy by the agonist."""
    v = p.k_IR_insulin_binding * p.receptor_agonist * y.IR
    return {"IR": -v, "IR_insulin": v}
