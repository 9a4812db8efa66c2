"""Topp, Promislow, deVries, Miura & Finegood (2000): beta-cell mass, insulin and glucose.

Reference:
    Topp B., Promislow K., deVries G., Miura R.M., Finegood D.T. (2000). A model of
    beta-cell mass, insulin, and glucose kinetics: pathways to diabetes. J Theor Biol
    206:605-619. doi:10.1006/jtbi.2000.2150. BioModels BIOMD0000000341.

Fasting plasma glucose, plasma insulin and the beta-cell mass over days to years. Glucose
comes from the liver at a constant rate and is cleared with insulin-independent
effectiveness and insulin sensitivity; beta-cells secrete insulin as a sigmoidal
(Hill 2) function of glucose; the beta-cell mass grows under mild hyperglycaemia and dies
under strong hyperglycaemia (and at low glucose), which gives a physiological and a
pathological fixed point separated by a saddle. Glucose and insulin are fast (hours),
the mass slow (weeks).

Units: glucose in mg/dL, insulin in microU/mL, beta-cell mass in mg, time in days.

Equations::

    dG/dt    = R0 - (EG0 + SI * I) * G
    dI/dt    = beta * sigma * G^2 / (alpha + G^2) - k * I
    dbeta/dt = (-d0 + r1 * G - r2 * G^2) * beta

with G = plasma_glucose, I = plasma_insulin, beta = beta_cell_mass, R0 =
glucose_production, EG0 = glucose_effectiveness, SI = insulin_sensitivity, sigma =
max_secretion_per_mass, alpha = secretion_half_glucose_sq, k = k_insulin_clearance,
d0, r1, r2 = beta_cell_death_rate, beta_cell_growth_linear, beta_cell_growth_quadratic.

The BioModels entry starts from G = 250 mg/dL, I = 2.8 microU/mL, beta = 37 mg with no
external input, so the default protocol is the empty one. That state sits next to the
saddle point (G = 250 mg/dL is where beta-cell growth and death balance, and glucose and
insulin are at their quasi-steady state); the beta-cell mass slowly grows and the system
leaves the saddle for the physiological fixed point (G = 100 mg/dL, I = 10 microU/mL,
beta = 300 mg) in about a year, hence the default end time of 600 days (the reference
trajectory covers the first 60, where G falls only to 248.6 mg/dL). The SBML writes the three equations as rate rules on
boundary species; here they are ordinary states. Observables: insulin secretion, the net
beta-cell growth rate and the HOMA-IR index (G in mmol/L times I over 22.5, with
1 mmol/L = 18 mg/dL).
"""

from ..model import Companions, Model, Observable, Param, State
from . import topp2000_companions as _companions

SOURCE = (
    "Topp B., Promislow K., deVries G., Miura R.M., Finegood D.T. (2000). A model of beta-cell "
    "mass, insulin, and glucose kinetics: pathways to diabetes. J Theor Biol 206:605-619. "
    "doi:10.1006/jtbi.2000.2150. BioModels BIOMD0000000341."
)

STATES = (
    State("plasma_glucose", "mg/dL", 250.0, "fasting plasma glucose"),
    State("plasma_insulin", "microU/mL", 2.8, "fasting plasma insulin"),
    State("beta_cell_mass", "mg", 37.0, "pancreatic beta-cell mass"),
)

_STATE_IDS = ("G", "I", "B")

PARAMS = (
    Param("glucose_production", "mg/dL/day", 864.0, "glucose production at zero glucose (liver, kidney)"),
    Param("glucose_effectiveness", "1/day", 1.44, "insulin-independent glucose clearance"),
    Param("insulin_sensitivity", "mL/(microU*day)", 0.72, "insulin-dependent glucose clearance"),
    Param("max_secretion_per_mass", "microU/(mL*day*mg)", 43.2, "maximal insulin secretion per beta-cell mass"),
    Param("secretion_half_glucose_sq", "mg^2/dL^2", 20000.0, "glucose^2 of half-maximal secretion"),
    Param("k_insulin_clearance", "1/day", 432.0, "insulin clearance (liver, kidney, receptors)"),
    Param("beta_cell_death_rate", "1/day", 0.06, "beta-cell death rate at zero glucose"),
    Param("beta_cell_growth_linear", "dL/(mg*day)", 0.00084, "glucose-driven beta-cell replication"),
    Param("beta_cell_growth_quadratic", "dL^2/(mg^2*day)", 2.4e-06, "glucotoxic beta-cell loss"),
)  # fmt: skip

_PARAM_IDS = ("R0", "Eg0", "si", "sigma", "alpha", "k", "d0", "r1", "r2")

OBSERVABLES = (
    Observable("insulin_secretion", "microU/mL/day", "beta-cell insulin secretion"),
    Observable("beta_cell_net_growth_rate", "1/day", "net replication minus death of beta-cells"),
    Observable("HOMA_IR", "1", "homeostasis model assessment of insulin resistance"),
)

MG_DL_PER_MMOL_L = 18.0


def _secretion(y, p):
    g2 = y.plasma_glucose**2
    return y.beta_cell_mass * p.max_secretion_per_mass * g2 / (p.secretion_half_glucose_sq + g2)


def _growth(y, p):
    g = y.plasma_glucose
    return (
        -p.beta_cell_death_rate
        + p.beta_cell_growth_linear * g
        - p.beta_cell_growth_quadratic * g**2
    )


def rhs(t, y, p, u):
    """Right-hand side: d state / d t per day."""
    clearance = p.glucose_effectiveness + p.insulin_sensitivity * y.plasma_insulin
    return {
        "plasma_glucose": p.glucose_production - clearance * y.plasma_glucose,
        "plasma_insulin": _secretion(y, p) - p.k_insulin_clearance * y.plasma_insulin,
        "beta_cell_mass": _growth(y, p) * y.beta_cell_mass,
    }


def observables(t, y, p, u):
    """Insulin secretion, net beta-cell growth rate and HOMA-IR."""
    return {
        "insulin_secretion": _secretion(y, p),
        "beta_cell_net_growth_rate": _growth(y, p),
        "HOMA_IR": y.plasma_glucose / MG_DL_PER_MMOL_L * y.plasma_insulin / 22.5,
    }


def build() -> Model:
    """The Topp 2000 beta-cell mass model (BIOMD0000000341).

    Returns:
        The model `topp2000` (time in days); its default protocol is the entry's free
        run from G = 250 mg/dL, I = 2.8 microU/mL, beta-cell mass 37 mg.
    """
    sbml = tuple(zip([s.name for s in STATES], _STATE_IDS))
    sbml += tuple(zip([p.name for p in PARAMS], _PARAM_IDS))
    return Model(
        name="topp2000",
        state_specs=STATES,
        param_specs=PARAMS,
        observable_specs=OBSERVABLES,
        rhs_fn=rhs,
        observables_fn=observables,
        time_unit="day",
        source=SOURCE,
        description=(
            "Fasting glucose, insulin and beta-cell mass over days to years: beta-cell "
            "compensation for insulin resistance and the pathways to diabetes."
        ),
        sbml_id_pairs=sbml,
        t_end=600.0,
        companions=Companions(therapies=_companions.therapies),
    )
