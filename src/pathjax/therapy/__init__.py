"""Therapies: named interventions on a model's targets, with dose, start time and an
Emax dose -> effect relation; combinable; pure transforms ``(params, protocol) ->
(params, protocol)``.

A therapy *class* (``receptor_agonist``, ``irs_modulator``, ``anti_inflammatory``,
``antioxidant``, ``insulin_sensitizer``) is mapped, per model, onto parameters
(`Target`); the mapping is one of the model's companions
(``model.companions.therapies``, see `pathjax.model.Companions`). A dose `d` gives the
fractional occupancy

    f(d) = d^h / (EC50^h + d^h)

and each target's effect is ``Emax * f(d)``, applied multiplicatively
(``p * (1 + Emax f)``, an inhibitor has -1 < Emax < 0) or additively (``p + Emax f``,
for an intervention parameter whose neutral value is 0). Two therapies on the same
parameter compose: multiplicative effects multiply (independent action), additive
ones add.

Start times. A parameter cannot change inside one solve, so `simulate` honours a start
time by splitting: the patient is integrated untreated up to `start` (including any
pre-equilibration: the untreated basal state), and the solve continues from the state
at `start` with the treated parameters (outputs at ``t >= start`` are treated;
right-continuous). ``start=None`` (the default) means chronic treatment: the patient
has been on the therapy long enough to sit at the treated steady state, so the effect
also acts during pre-equilibration. A target that sets an amount which only enters the
initial state (e.g. Brännmark's ``GLUT4_total``, a protein expression level) is
``chronic_only``: giving it a start time raises `InputError`, since changing it mid-run
would do nothing.

Examples:
    >>> import pathjax
    >>> pathjax.therapy.available("brannmark2013")
    ['receptor_agonist', 'irs_modulator', 'insulin_sensitizer']
    >>> tx = pathjax.therapy.therapy("brannmark2013", "insulin_sensitizer", dose=1.0)
    >>> params, protocol = tx({"GLUT4_total": 50.0}, None)
    >>> float(params["GLUT4_total"])
    75.0
"""

from ._classes import CLASSES as CLASSES
from ._classes import Target as Target
from ._classes import TherapyClass as TherapyClass
from ._classes import available as available
from ._classes import describe as describe
from ._classes import occupancy as occupancy
from ._regimen import Regimen as Regimen
from ._regimen import Therapy as Therapy
from ._regimen import apply as apply
from ._regimen import regimen as regimen
from ._regimen import therapy as therapy
from ._simulate import simulate as simulate

__all__ = [
    "CLASSES",
    "Regimen",
    "Target",
    "Therapy",
    "TherapyClass",
    "apply",
    "available",
    "describe",
    "occupancy",
    "regimen",
    "simulate",
    "therapy",
]
