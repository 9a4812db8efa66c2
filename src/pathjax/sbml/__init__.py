"""SBML import: any SBML Level 2/3 ODE model becomes a pathjax `Model`.

`load` parses the file with python-libsbml and builds the right-hand side from the
parsed maths: each libsbml AST is compiled into a Python closure that computes with
`jax.numpy` on the named views of the states and parameters (no source code is
generated); JAX traces the closures once. The model is batched, differentiable and
usable everywhere a bundled model is (`pathjax.simulate`, populations, sensitivities,
calibration).

How SBML maps onto pathjax:

* **Names.** Species ids become `state_names`; global parameter and compartment ids
  become `param_names`; kinetic-law (local) parameters are named
  ``"<reaction id>.<parameter id>"`` (as libRoadRunner names them), so clashing local
  names such as Kubota 2012's ``k1`` stay apart. An id that is a pathjax reserved name
  (``status``, ``params``, ``patient``, ``time``, ``parameter``) gets a trailing
  ``_``; `Model.sbml_ids` maps every name back to its SBML id. Python keywords are
  fine as names (the model reads values by item access, ``y["lambda"]``).
* **Species** are states holding **concentrations** (amount / compartment size, as
  libRoadRunner's ``[id]``), whatever ``hasOnlySubstanceUnits`` says; reactions give
  ``dC/dt = (sum of stoichiometry x rate - C dV/dt) / V``. Boundary and constant species
  are states with zero derivative (set them with ``initial=`` or a protocol's
  doses/resets). A species defined by an assignment rule is an observable, not a state.
* **Parameters and compartments** are `Param` s, except: those defined by assignment
  rules are observables; those changed by rate rules or events are states (events need
  that, see `pathjax.Event`); those set by an initial assignment from other parameters
  are recomputed from the parameters wherever they are used (so perturbing a parameter
  re-evaluates the initial assignments, as libRoadRunner's ``resetAll`` does) and are
  reported as observables. Initial assignments to species go into the model's
  `initial_state`.
* **Parameter kinds and bounds.** ``kind="kinetic"`` for every parameter a reaction
  rate or a rate rule reads (directly or through assignment rules), ``"exponent"`` for
  one used as the exponent of a power, ``"structural"`` for compartment sizes,
  ``"condition"`` for the rest. The lower bound is 0 for a compartment size and for a
  non-negative parameter read directly by a kinetic law (a rate constant); everything
  else is unbounded (SBML parameters may legitimately be negative). Upper bounds are
  infinite.
* **Maths.** Function definitions are inlined; piecewise becomes ``jnp.where``;
  powers with a non-integer exponent guard the tiny negative bases an integrator
  produces near zero (see `safe_pow`); ``fast`` reactions are integrated as ordinary
  ones (with a warning).
* **Events.** A trigger ``time >= T`` (or ``time > T``) with constant assignments
  becomes a reset at ``T`` in the model's `default_protocol` (the solver stops exactly
  there). Any other trigger becomes a `pathjax.Event`, located by the solver. As in
  SBML Level 2, a trigger that is already true at the start does not fire (Level 3
  ``initialValue="false"`` triggers true at the start are applied to the initial
  state). Comparisons of ``time`` with constants anywhere in the maths (time-piecewise
  inputs) are added to the default protocol as breakpoints. Event priorities are
  ignored (simultaneous events see the same pre-event state). A protocol passed to
  `pathjax.simulate` replaces the default one, so add them to keep the SBML's own
  events: ``model.default_protocol + Protocol.dose(...)``.
* **Time unit.** Only a label (the maths are never rescaled). The SBML declarations
  are unreliable, so the rule is: pass ``time_unit=``; otherwise a declared ``second``
  gives ``"s"``, 60 / 3600 / 86400 seconds give ``"min"`` / ``"h"`` / ``"day"``, and
  anything else, including nothing declared, gives ``"min"``.

Not supported (each raises `pathjax.InputError` naming the construct and the element):
algebraic rules, event delays, the ``delay`` and ``rateOf`` csymbols, variable
stoichiometry (Level 3 species references used as variables), compartments whose size
an event changes or an assignment rule sets while species in them react, and the
``comp``, ``distrib`` (stochastic) and ``arrays`` packages or any other required
package. A file or string that does not parse also raises `pathjax.InputError`.

Examples:
    >>> import numpy as np, pathjax
    >>> model = pathjax.sbml.load(pathjax.sbml.EXAMPLE)
    >>> ds = pathjax.simulate(model, np.linspace(0, 10, 3), params={"k1": [0.1, 0.2]})
    >>> ds["A"].shape
    (2, 3)
"""

from ._build import load as load
from ._math import safe_pow as safe_pow

__all__ = ["EXAMPLE", "load", "safe_pow"]

EXAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4">
  <model id="decay_example">
    <listOfCompartments><compartment id="cell" size="1"/></listOfCompartments>
    <listOfSpecies>
      <species id="A" compartment="cell" initialConcentration="10"/>
      <species id="B" compartment="cell" initialConcentration="0"/>
    </listOfSpecies>
    <listOfParameters><parameter id="k1" value="0.1"/></listOfParameters>
    <listOfReactions>
      <reaction id="conversion" reversible="false">
        <listOfReactants><speciesReference species="A"/></listOfReactants>
        <listOfProducts><speciesReference species="B"/></listOfProducts>
        <kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML">
          <apply><times/><ci>cell</ci><ci>k1</ci><ci>A</ci></apply>
        </math></kineticLaw>
      </reaction>
    </listOfReactions>
  </model>
</sbml>
"""
"""A two-species SBML model (A -> B at rate k1), for examples and tests."""
