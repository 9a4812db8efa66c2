"""GLUT4: expression, translocation readouts and the cell's transport relative to health.

GLUT4 translocation itself (AS160 -> GLUT4 exocytosis, endocytosis) is the adipocyte
core's, unchanged (Brännmark 2013, `adipocyte`). This module holds the composite's
handles on the GLUT4 pool; both are joins, no source gives them:

* `insulin_sensitizer` (intervention, 1 = none): fold GLUT4 expression, e.g. a
  thiazolidinedione raising GLUT4 and peripheral insulin sensitivity. It scales the two
  GLUT4 states of the initial state (as the source's diabetic variant scales its GLUT4
  total, 50 % there), so the membrane GLUT4 and the cell's transport scale with it at any
  insulin level; `GLUT4_surface` (a share) does not change.
* `relative_transport`: the cell's GLUT4-mediated glucose transport relative to the
  healthy fasting state, ``GLUT4_membrane / GLUT4_membrane_reference`` (the source's
  uptake rule is linear in membrane GLUT4, so the ratio of the GLUT4 parts of the uptake
  is this ratio). The body (`whole_body`) scales insulin-dependent utilisation with it.
"""

from typing import Any

import jax.numpy as jnp

from ...model import Param

__all__ = ["COUPLING_PARAMS", "INTERVENTION_PARAMS", "relative_transport"]

INTERVENTION_PARAMS: tuple[Param, ...] = (
    Param(
        "insulin_sensitizer",
        "1",
        1.0,
        "insulin sensitiser: fold GLUT4 expression (1 = none, 1.5 = +50 %); raises the cell's "
        "glucose transport and the body's insulin-dependent utilisation at every insulin "
        "level",
        0.0,
        10.0,
        kind="intervention",
    ),
)

COUPLING_PARAMS: tuple[Param, ...] = (
    Param(
        "GLUT4_membrane_reference",
        "% of normal GLUT4",
        39.48835711,
        "membrane GLUT4 of the healthy fasting state (the composite's steady state), the "
        "reference of the cell's relative transport",
        kind="structural",
    ),
)


def relative_transport(y: Any, p: Any) -> Any:
    """GLUT4-mediated transport relative to the healthy fasting state (1 there)."""
    return jnp.maximum(y.GLUT4_membrane, 0.0) / p.GLUT4_membrane_reference
