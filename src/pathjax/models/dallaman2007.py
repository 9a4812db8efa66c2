"""Dalla Man, Rizza & Cobelli (2007): meal simulation model of the glucose-insulin system.

Reference:
    Dalla Man C., Rizza R.A., Cobelli C. (2007). Meal simulation model of the
    glucose-insulin system. IEEE Trans Biomed Eng 54:1740-1749.
    doi:10.1109/TBME.2007.893506. BioModels BIOMD0000000379.

Whole-body glucose and insulin of a normal adult after an oral glucose meal. Glucose
passes from the stomach (solid, then liquid phase) to the gut and appears in plasma
(Ra); the liver produces glucose (EGP), suppressed by glucose, delayed insulin and portal
insulin; tissues take glucose up independently of insulin and, in the slowly equilibrating
compartment, with a Michaelis-Menten rate raised by remote insulin action X. The
beta-cells secrete insulin into the portal vein in proportion to glucose and its rate of
change; the liver extracts part of it before it reaches plasma.

Units (per kg body weight as in the paper): glucose masses in mg/kg, insulin masses in
pmol/kg, the stomach and gut contents in mg (whole body), concentrations in mg/dL
(glucose) and pmol/L (insulin), fluxes in mg/kg/min or pmol/kg/min, time in min.

Equations (names as in the paper; the code uses the readable names listed below)::

    dGp/dt   = EGP + Ra - U_ii - k1 Gp + k2 Gt               Gp: glucose_mass_plasma
    dGt/dt   = -U_id + k1 Gp - k2 Gt                         Gt: glucose_mass_tissue
    dIl/dt   = -(m1 + m3) Il + m2 Ip + S                     Il: insulin_mass_liver
    dIp/dt   = -(m2 + m4) Ip + m1 Il                         Ip: insulin_mass_plasma
    dQsto1/dt = -k_gri Qsto1                                 Qsto1: stomach_solid
    dQsto2/dt = -k_empt Qsto2 + k_gri Qsto1                  Qsto2: stomach_liquid
    dQgut/dt = -k_abs Qgut + k_empt Qsto2                    Qgut: gut_glucose
    dI1/dt   = -k_i (I1 - I)                                 I1: insulin_delayed_1
    dId/dt   = -k_i (Id - I1)                                Id: insulin_delayed
    dX/dt    = -p2U X + p2U (I - Ib)                         X: insulin_action
    dIpo/dt  = -gamma Ipo + Spo                              Ipo: portal_insulin
    dY/dt    = -alpha (Y - beta (G - Gb))                    Y: secretion_provision

    G = Gp / V_G,  I = Ip / V_I
    EGP = kp1 - kp2 Gp - kp3 Id - kp4 Ipo
    Ra = f k_abs Qgut / BW
    k_empt = k_min + (k_max - k_min)/2 * (tanh(a (Qsto - b D)) - tanh(c (Qsto - d D)) + 2),
        Qsto = Qsto1 + Qsto2,  a = 5 / (2 D (1 - b)),  c = 5 / (2 D d)
    U_id = (1 - part) (V_m0 + V_mX X) Gt / (K_m0 + Gt),  U = U_ii + U_id
    S = gamma Ipo,  HE = m6 - m5 S,  m3 = HE m1 / (1 - HE)
    Spo = Y + K dG/dt + S_b,  dG/dt = dGp/dt / V_G

This is the BioModels entry, which simplifies the paper in three places, all kept here so
that its simulation is reproduced: renal excretion E is 0 (the paper's
E = k_e1 (Gp - k_e2) above the threshold is not encoded), Spo has no max(dG/dt, 0)
switch, and Y has no lower bound (it dips slightly below zero early on). ``V_mmax``
carries the entry's factor (1 - part). The SBML parameters HE_b, S_b_minus, k_e1 and
k_e2 are used by no equation and are left out. Parameter kinds: rate constants and
gains are "kinetic" (spread in virtual populations); the fractions f, b and d (bounded by
1) are "structural", since a mean-one log-normal spread would push them past 1; volumes,
body weight, basal values and part are "condition".

The meal. In the SBML the meal is the initial stomach content, Qsto1(0) = D = 78 g,
and D also shapes the gastric emptying rate. Here the meal is a dose: the fasting
initial state has an empty stomach and the default protocol is ``meal(78000.0, at=0.0)``,
which adds the glucose to `stomach_solid` *and* sets the state `meal_size` (D, a
state with zero derivative) to the same amount, so the two never disagree. To change
the meal, pass another protocol, e.g. ``meal(50000.0)`` or ``meal([45e3, 78e3, 90e3])``
(one size per patient), and add further meals with ``+``: ``meal(45e3) + meal(70e3,
at=240.0)``; each meal resets D, as in the paper's multiple-meal simulations. A bare
``Protocol.dose("stomach_solid", ...)`` leaves D at its previous value. Because the
stomach is empty until the meal, ``with_preequilibration`` finds the fasting steady state
of changed parameters before the meal.

Changed parameters. The fasting initial state is the entry's (G = 94.7 mg/dL, I = 25
pmol/L), which is close to the steady state of the published parameters only. With other
parameters it is not, glucose starts to move at once, and without the paper's
max(dG/dt, 0) a falling glucose makes Spo, and from it portal, liver and plasma insulin,
negative (libRoadRunner on the entry does the same). For virtual patients, start from
their own fasting state: ``meal(...).with_preequilibration(3000.0)``. Even then, a meal
with parameters far from the published ones (e.g. a much larger K) can make the falling
phase drive the insulin compartments below zero, so those states are not declared
non-negative: it is a property of the entry's equations, not of the solver.
"""

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp

from ..model import Companions, Model, Observable, Param, State
from ..protocol import Protocol
from . import dallaman2007_companions as _companions

SOURCE = (
    "Dalla Man C., Rizza R.A., Cobelli C. (2007). Meal simulation model of the glucose-insulin "
    "system. IEEE Trans Biomed Eng 54:1740-1749. doi:10.1109/TBME.2007.893506. "
    "BioModels BIOMD0000000379."
)

#: glucose in the BioModels meal (mg): 78 g for the 78 kg subject, 1 g/kg.
DEFAULT_MEAL = 78000.0

# (name, unit, initial value, SBML id, description, non-negative)
_STATE_INFO = (
    ("glucose_mass_plasma", "mg/kg", 178.0, "G_p", "glucose in plasma and rapidly equilibrating tissues", True),
    ("glucose_mass_tissue", "mg/kg", 135.0, "G_t", "glucose in slowly equilibrating tissues", True),
    ("insulin_mass_liver", "pmol/kg", 4.5, "I_l", "insulin in the liver", False),
    ("insulin_mass_plasma", "pmol/kg", 1.25, "I_p", "insulin in plasma", False),
    ("stomach_solid", "mg", 0.0, "Q_sto1", "glucose in the stomach, solid phase", True),
    ("stomach_liquid", "mg", 0.0, "Q_sto2", "glucose in the stomach, liquid (triturated) phase", True),
    ("gut_glucose", "mg", 0.0, "Q_gut", "glucose in the intestine", True),
    ("insulin_delayed_1", "pmol/L", 25.0, "I_1", "first delay compartment of insulin on EGP", False),
    ("insulin_delayed", "pmol/L", 25.0, "I_d", "delayed insulin acting on EGP", False),
    ("insulin_action", "pmol/L", 0.0, "X", "remote insulin action on utilisation (above basal)", False),
    ("portal_insulin", "pmol/kg", 3.6, "I_po", "insulin in the portal vein", False),
    ("secretion_provision", "pmol/kg/min", 0.0, "Y", "glucose-driven provision of new insulin", False),
    ("meal_size", "mg", DEFAULT_MEAL, "D", "glucose of the current meal, D (set by meal())", True),
)  # fmt: skip

# (name, unit, value, SBML id, description, kind, upper bound)
_PARAM_INFO = (
    ("V_glucose", "dL/kg", 1.88, "V_G", "glucose distribution volume", "condition", None),
    ("k_glucose_plasma_to_tissue", "1/min", 0.065, "k_1", "glucose transfer plasma -> tissue", "kinetic", None),
    ("k_glucose_tissue_to_plasma", "1/min", 0.079, "k_2", "glucose transfer tissue -> plasma", "kinetic", None),
    ("basal_glucose", "mg/dL", 95.0, "G_b", "basal plasma glucose", "condition", None),
    ("V_insulin", "L/kg", 0.05, "V_I", "insulin distribution volume", "condition", None),
    ("k_insulin_liver_to_plasma", "1/min", 0.19, "m_1", "insulin transfer liver -> plasma", "kinetic", None),
    ("k_insulin_plasma_to_liver", "1/min", 0.484, "m_2", "insulin transfer plasma -> liver", "kinetic", None),
    ("k_insulin_peripheral_clearance", "1/min", 0.194, "m_4", "peripheral insulin degradation", "kinetic", None),
    ("HE_secretion_slope", "kg*min/pmol", 0.0304, "m_5", "fall of hepatic extraction with secretion", "kinetic", None),
    ("HE_intercept", "1", 0.6471, "m_6", "hepatic extraction at zero secretion", "kinetic", 1.0),
    ("basal_insulin", "pmol/L", 25.0, "I_b", "basal plasma insulin", "condition", None),
    ("basal_insulin_secretion", "pmol/kg/min", 1.8, "S_b", "basal insulin secretion", "condition", None),
    ("k_emptying_max", "1/min", 0.0558, "k_max", "maximal gastric emptying rate", "kinetic", None),
    ("k_emptying_min", "1/min", 0.008, "k_min", "minimal gastric emptying rate", "kinetic", None),
    ("k_absorption", "1/min", 0.057, "k_abs", "intestinal absorption", "kinetic", None),
    ("k_grinding", "1/min", 0.0558, "k_gri", "grinding, solid -> liquid phase", "kinetic", None),
    ("absorbed_fraction", "1", 0.9, "f", "fraction of absorbed glucose appearing in plasma", "structural", 1.0),
    ("emptying_fraction_b", "1", 0.82, "b", "share of the meal left when emptying slows to mid-range", "structural", 1.0),
    ("emptying_fraction_d", "1", 0.01, "d", "share of the meal left when emptying recovers to mid-range", "structural", 1.0),
    ("body_weight", "kg", 78.0, "BW", "body weight", "condition", None),
    ("EGP_extrapolated", "mg/kg/min", 2.7, "k_p1", "EGP at zero glucose and insulin", "kinetic", None),
    ("k_EGP_glucose", "1/min", 0.0021, "k_p2", "liver glucose effectiveness", "kinetic", None),
    ("k_EGP_insulin", "mg/kg/min per pmol/L", 0.009, "k_p3", "EGP suppression by delayed insulin", "kinetic", None),
    ("k_EGP_portal_insulin", "mg/kg/min per pmol/kg", 0.0618, "k_p4", "EGP suppression by portal insulin", "kinetic", None),
    ("k_insulin_delay", "1/min", 0.0079, "k_i", "delay of insulin action on EGP", "kinetic", None),
    ("insulin_independent_utilization", "mg/kg/min", 1.0, "U_ii", "insulin-independent utilisation (brain, erythrocytes)", "kinetic", None),
    ("V_max_basal", "mg/kg/min", 2.5, "V_m0", "basal maximal insulin-dependent utilisation", "kinetic", None),
    ("V_max_insulin", "mg/kg/min per pmol/L", 0.047, "V_mX", "rise of maximal utilisation with insulin action", "kinetic", None),
    ("K_utilization", "mg/kg", 225.59, "K_m0", "half-saturating tissue glucose of utilisation", "kinetic", None),
    ("k_insulin_action", "1/min", 0.0331, "p_2U", "rate of insulin action on utilisation", "kinetic", None),
    ("utilization_reduction", "1", 0.2, "part", "share removed from maximal utilisation in the entry", "condition", 1.0),
    ("K_secretion_derivative", "pmol/kg per mg/dL", 2.3, "K", "secretion responsiveness to dG/dt", "kinetic", None),
    ("k_secretion_provision", "1/min", 0.05, "alpha", "delay of the static secretion", "kinetic", None),
    ("beta_secretion_glucose", "pmol/kg/min per mg/dL", 0.11, "beta", "static secretion responsiveness to glucose", "kinetic", None),
    ("k_portal_transfer", "1/min", 0.5, "gamma", "transfer of insulin from the portal vein to the liver", "kinetic", None),
)  # fmt: skip

# deviations that are negative by meaning (insulin action below basal, provision below
# the glucose threshold); the other states are masses and concentrations
_SIGNED = ("insulin_action", "secretion_provision")
STATES = tuple(
    State(n, unit, v, desc, nonnegative=nonneg, signed=n in _SIGNED)
    for n, unit, v, _, desc, nonneg in _STATE_INFO
)
PARAMS = tuple(
    Param(n, unit, v, desc, 0.0, upper if upper is not None else float("inf"), kind=kind)
    for n, unit, v, _, desc, kind, upper in _PARAM_INFO
)

# (name, unit, SBML id, description)
_OBSERVABLE_INFO = (
    ("plasma_glucose", "mg/dL", "G", "plasma glucose concentration"),
    ("plasma_insulin", "pmol/L", "I", "plasma insulin concentration"),
    (
        "endogenous_glucose_production",
        "mg/kg/min",
        "EGP",
        "endogenous (hepatic) glucose production",
    ),
    ("glucose_appearance", "mg/kg/min", "Ra", "rate of appearance of meal glucose in plasma"),
    ("glucose_utilization", "mg/kg/min", "U", "total glucose utilisation"),
    ("insulin_dependent_utilization", "mg/kg/min", "U_id", "insulin-dependent utilisation"),
    ("utilization_vmax", "mg/kg/min", "V_mmax", "maximal insulin-dependent utilisation"),
    ("insulin_secretion", "pmol/kg/min", "S", "insulin secretion into plasma via the liver"),
    ("portal_insulin_inflow", "pmol/kg/min", "S_po", "beta-cell secretion into the portal vein"),
    ("hepatic_extraction", "1", "HE", "hepatic insulin extraction"),
    ("k_insulin_liver_clearance", "1/min", "m_3", "hepatic insulin clearance rate m3"),
    ("stomach_glucose", "mg", "Q_sto", "glucose in the stomach"),
    ("gastric_emptying_rate", "1/min", "k_empt", "gastric emptying rate"),
    ("emptying_shape_a", "1/mg", "aa", "slope of the fall of emptying, 5/(2 D (1 - b))"),
    ("emptying_shape_c", "1/mg", "cc", "slope of the recovery of emptying, 5/(2 D d)"),
)
OBSERVABLES = tuple(Observable(n, unit, desc) for n, unit, _, desc in _OBSERVABLE_INFO)


def _fluxes(y, p):
    """Algebraic quantities (the SBML assignment rules), in dependency order."""
    meal = y.meal_size
    # An empty stomach (no meal yet) gives D = 0; the emptying rate then multiplies zero
    # content, and any positive stand-in keeps it finite.
    meal = jnp.where(meal > 0, meal, 1.0)
    b = p.emptying_fraction_b
    d = p.emptying_fraction_d
    aa = 5.0 / 2.0 / (1.0 - b) / meal
    cc = 5.0 / 2.0 / d / meal
    stomach = y.stomach_solid + y.stomach_liquid
    k_empt = p.k_emptying_min + (p.k_emptying_max - p.k_emptying_min) / 2.0 * (
        jnp.tanh(aa * (stomach - b * meal)) - jnp.tanh(cc * (stomach - d * meal)) + 2.0
    )
    egp = (
        p.EGP_extrapolated
        - p.k_EGP_glucose * y.glucose_mass_plasma
        - p.k_EGP_insulin * y.insulin_delayed
        - p.k_EGP_portal_insulin * y.portal_insulin
    )
    ra = p.absorbed_fraction * p.k_absorption * y.gut_glucose / p.body_weight
    vmax = (1.0 - p.utilization_reduction) * (p.V_max_basal + p.V_max_insulin * y.insulin_action)
    u_id = vmax * y.glucose_mass_tissue / (p.K_utilization + y.glucose_mass_tissue)
    secretion = p.k_portal_transfer * y.portal_insulin
    he = p.HE_intercept - p.HE_secretion_slope * secretion
    m3 = he * p.k_insulin_liver_to_plasma / (1.0 - he)
    # renal excretion E = 0 in the BioModels entry
    d_glucose_plasma = (
        egp
        + ra
        - p.insulin_independent_utilization
        - p.k_glucose_plasma_to_tissue * y.glucose_mass_plasma
        + p.k_glucose_tissue_to_plasma * y.glucose_mass_tissue
    )
    s_po = (
        y.secretion_provision
        + p.K_secretion_derivative * d_glucose_plasma / p.V_glucose
        + p.basal_insulin_secretion
    )
    return {
        "plasma_glucose": y.glucose_mass_plasma / p.V_glucose,
        "plasma_insulin": y.insulin_mass_plasma / p.V_insulin,
        "endogenous_glucose_production": egp,
        "glucose_appearance": ra,
        "glucose_utilization": p.insulin_independent_utilization + u_id,
        "insulin_dependent_utilization": u_id,
        "utilization_vmax": vmax,
        "insulin_secretion": secretion,
        "portal_insulin_inflow": s_po,
        "hepatic_extraction": he,
        "k_insulin_liver_clearance": m3,
        "stomach_glucose": stomach,
        "gastric_emptying_rate": k_empt,
        "emptying_shape_a": aa,
        "emptying_shape_c": cc,
        "d_glucose_plasma": d_glucose_plasma,
    }


def rhs(t, y, p, u):
    """Right-hand side: d state / d t for one subject (the meal_size state is constant)."""
    f = _fluxes(y, p)
    glucose = f["plasma_glucose"]
    insulin = f["plasma_insulin"]
    k_empt = f["gastric_emptying_rate"]
    return {
        "glucose_mass_plasma": f["d_glucose_plasma"],
        "glucose_mass_tissue": -f["insulin_dependent_utilization"]
        + p.k_glucose_plasma_to_tissue * y.glucose_mass_plasma
        - p.k_glucose_tissue_to_plasma * y.glucose_mass_tissue,
        "insulin_mass_liver": -(p.k_insulin_liver_to_plasma + f["k_insulin_liver_clearance"])
        * y.insulin_mass_liver
        + p.k_insulin_plasma_to_liver * y.insulin_mass_plasma
        + f["insulin_secretion"],
        "insulin_mass_plasma": -(p.k_insulin_plasma_to_liver + p.k_insulin_peripheral_clearance)
        * y.insulin_mass_plasma
        + p.k_insulin_liver_to_plasma * y.insulin_mass_liver,
        "stomach_solid": -p.k_grinding * y.stomach_solid,
        "stomach_liquid": -k_empt * y.stomach_liquid + p.k_grinding * y.stomach_solid,
        "gut_glucose": -p.k_absorption * y.gut_glucose + k_empt * y.stomach_liquid,
        "insulin_delayed_1": -p.k_insulin_delay * (y.insulin_delayed_1 - insulin),
        "insulin_delayed": -p.k_insulin_delay * (y.insulin_delayed - y.insulin_delayed_1),
        "insulin_action": -p.k_insulin_action * y.insulin_action
        + p.k_insulin_action * (insulin - p.basal_insulin),
        "portal_insulin": -p.k_portal_transfer * y.portal_insulin + f["portal_insulin_inflow"],
        "secretion_provision": -p.k_secretion_provision
        * (y.secretion_provision - p.beta_secretion_glucose * (glucose - p.basal_glucose)),
        "meal_size": 0.0,  # constant between meals; a meal sets it (Protocol.set_state)
    }


def observables(t, y, p, u):
    """Plasma glucose and insulin, the fluxes and the other SBML assignment rules."""
    f = _fluxes(y, p)
    return {o.name: f[o.name] for o in OBSERVABLES}


def meal(amount: Any = DEFAULT_MEAL, at: float = 0.0) -> Protocol:
    """An oral glucose meal: `amount` added to the stomach and D set to it, at `at`.

    Args:
        amount: glucose in the meal, mg (whole body); a scalar or one value per patient.
        at: time of the meal, min.

    Returns:
        A `Protocol` (combine several meals with ``+``).

    Examples:
        >>> from pathjax.models.dallaman2007 import meal
        >>> (meal(45000.0) + meal(70000.0, at=240.0)).switching_times()
        (0.0, 240.0)
    """
    return (
        Protocol.dose("stomach_solid", amount, at) + Protocol.set_state("meal_size", amount, at)
    ).named("meal")


def meals(amounts: Sequence[Any], times: Sequence[float]) -> Protocol:
    """Several meals: ``amounts[i]`` mg of glucose at ``times[i]`` min."""
    out = Protocol()
    for a, t in zip(amounts, times, strict=True):
        out = out + meal(a, t)
    return out


DEFAULT_PROTOCOL = meal(DEFAULT_MEAL, 0.0).named("78 g oral glucose at t = 0 (BioModels entry)")


def build() -> Model:
    """The Dalla Man 2007 meal model of a normal subject (BIOMD0000000379).

    Returns:
        The model `dallaman2007`; its default protocol is the entry's 78 g meal at t = 0.
    """
    sbml = tuple((n, sid) for n, _, _, sid, _, _ in _STATE_INFO)
    sbml += tuple((n, sid) for n, _, _, sid, _, _, _ in _PARAM_INFO)
    sbml += tuple((n, sid) for n, _, sid, _ in _OBSERVABLE_INFO)
    return Model(
        name="dallaman2007",
        state_specs=STATES,
        param_specs=PARAMS,
        observable_specs=OBSERVABLES,
        rhs_fn=rhs,
        observables_fn=observables,
        time_unit="min",
        source=SOURCE,
        description=(
            "Glucose-insulin system of a normal adult after an oral glucose meal: gastric "
            "emptying and absorption, hepatic glucose production, utilisation, insulin "
            "secretion and hepatic extraction."
        ),
        sbml_id_pairs=sbml,
        default_protocol=DEFAULT_PROTOCOL,
        t_end=420.0,
        companions=Companions(_companions.therapies, _companions.cohorts),
    )
