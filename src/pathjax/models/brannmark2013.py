"""Brännmark et al. (2013): insulin signalling in human adipocytes, normal and diabetic.

Reference:
    Brännmark C., Nyman E., Fagerholm S., Bergenholm L., Ekstrand E.-M., Cedersund G.,
    Strålfors P. (2013). Insulin signaling in type 2 diabetes: experimental and
    modeling analyses reveal mechanisms of insulin resistance in human adipocytes.
    J Biol Chem 288:9867-9880. doi:10.1074/jbc.M112.432062. BioModels
    BIOMD0000000448 (normal) and BIOMD0000000449 (diabetic).

Isolated primary human adipocytes. Insulin binds the receptor, which autophosphorylates,
is internalised and recycled after dephosphorylation by an unidentified protein X that
the signal itself activates. The internalised phosphorylated receptor
tyrosine-phosphorylates IRS1 and activates mTORC2; IRS1-pY phosphorylates PKB at T308,
mTORC2 at S473; doubly phosphorylated PKB (and PKB-pS473 through a Hill term) activate
AS160 phosphorylation, which moves GLUT4 to the plasma membrane; PKB activates mTORC1,
which activates S6K and S6 and feeds forward onto IRS1 by Ser307 phosphorylation
(scaled by `diabetes`). In type 2 diabetes the receptor and GLUT4 amounts are lower and
the mTORC1 -> IRS1-Ser307 feedback is weaker (`diabetes` = 0.15).

Units: every protein is in % of its total in a *normal* cell (the SBML values; compartment
1), so the diabetic cell has 50 % of normal receptor and GLUT4. Time in min; insulin is
an input in nM. Rate constants are 1/min for first-order steps and 1/(%*min) for steps
driven by another species. Readouts (``measured*``) are in the arbitrary units of the
fitted data (scale factors ``scale_*``); glucose uptake in arbitrary units.

Equations (v = rate, %/min; [.] the states; ins = insulin input)::

    v1a  = k_IR_insulin_binding * ins * IR                    IR -> IR_insulin
    v1bas= k_IR_basal_autophos * IR                           IR -> IR_pY
    v1c  = k_IR_autophos * IR_insulin                         IR_insulin -> IR_pY
    v1d  = k_IR_internalisation * IR_pY                       IR_pY -> IR_pY_internal
    v1e  = k_IR_dephos_by_X * X_p * IR_pY_internal            IR_pY_internal -> IR_internal
    v1g  = k_IR_dephos_surface * IR_pY                        IR_pY -> IR
    v1r  = k_IR_recycling * IR_internal                       IR_internal -> IR
    v2a  = k_IRS1_tyr_phos * IR_pY_internal * IRS1            IRS1 -> IRS1_pY
    v2b  = k_IRS1_tyr_dephos * IRS1_pY                        IRS1_pY -> IRS1
    v2c  = k_IRS1_S307_phos_by_mTORC1 * diabetes * mTORC1_active * IRS1_pY
                                                              IRS1_pY -> IRS1_pY_pS307
    v2d  = k_IRS1_S307_dephos * IRS1_pY_pS307                 IRS1_pY_pS307 -> IRS1_pY
    v2f  = k_IRS1_tyr_dephos_of_pS307 * IRS1_pY_pS307         IRS1_pY_pS307 -> IRS1_pS307
    v2bas= k_IRS1_S307_basal * IRS1                           IRS1 -> IRS1_pS307
    v2g  = k_IRS1_S307_dephos_basal * IRS1_pS307              IRS1_pS307 -> IRS1
    v3a  = k_X_activation * IRS1_pY * X                       X -> X_p
    v3b  = k_X_deactivation * X_p                             X_p -> X
    v4a  = k_PKB_T308_phos * IRS1_pY * PKB                    PKB -> PKB_pT308
    v4b  = k_PKB_T308_dephos * PKB_pT308                      PKB_pT308 -> PKB
    v4c  = k_PKB_S473_phos_by_mTORC2 * mTORC2_active * PKB_pT308
                                                              PKB_pT308 -> PKB_pT308_pS473
    v4e  = k_PKB_T308_phos_of_pS473 * IRS1_pY_pS307 * PKB_pS473
                                                              PKB_pS473 -> PKB_pT308_pS473
    v4f  = k_PKB_T308_dephos_of_pp * PKB_pT308_pS473          PKB_pT308_pS473 -> PKB_pS473
    v4h  = k_PKB_S473_dephos * PKB_pS473                      PKB_pS473 -> PKB
    v5a  = (k_mTORC1_activation_by_PKB_pp * PKB_pT308_pS473
            + k_mTORC1_activation_by_PKB_pT308 * PKB_pT308) * mTORC1
                                                              mTORC1 -> mTORC1_active
    v5b  = k_mTORC1_deactivation * mTORC1_active              mTORC1_active -> mTORC1
    v5c  = k_mTORC2_activation * IR_pY_internal * mTORC2      mTORC2 -> mTORC2_active
    v5d  = k_mTORC2_deactivation * mTORC2_active              mTORC2_active -> mTORC2
    v6f  = (k_AS160_phos_by_PKB_pp * PKB_pT308_pS473
            + k_AS160_phos_by_PKB_pS473 * PKB_pS473^n6 / (K6^n6 + PKB_pS473^n6)) * AS160
                                                              AS160 -> AS160_p
    v6b  = k_AS160_dephos * AS160_p                           AS160_p -> AS160
    v7f  = k_GLUT4_exocytosis * AS160_p * GLUT4_intracellular GLUT4_intracellular -> GLUT4_membrane
    v7b  = k_GLUT4_endocytosis * GLUT4_membrane               GLUT4_membrane -> GLUT4_intracellular
    v9f1 = k_S6K_phos * mTORC1_active^n9 / (K9^n9 + mTORC1_active^n9) * S6K
                                                              S6K -> S6K_p
    v9b1 = k_S6K_dephos * S6K_p                               S6K_p -> S6K
    v9f2 = k_S6_phos * S6K_p * S6                             S6 -> S6_p
    v9b2 = k_S6_dephos * S6_p                                 S6_p -> S6

    K6 = K_AS160_PKB_pS473, K9 = K_S6K_mTORC1, n6 = n_AS160_PKB_pS473, n9 = n_S6K_mTORC1.
    The fractional powers are taken of max(x, 0), so that a state a rounding error below
    zero does not give NaN.

Observables (SBML assignment rules, under their SBML ids)::

    measuredIRp     = scale_IR_pY * (IR_pY + IR_pY_internal)
    measuredIRint   = IR_internal + IR_pY_internal
    measuredIRS1p   = scale_IRS1_pY * (IRS1_pY + IRS1_pY_pS307)
    measuredIRS1307 = scale_IRS1_pS307 * (IRS1_pY_pS307 + IRS1_pS307)
    measuredPKB308p = scale_PKB_pT308 * (PKB_pT308 + PKB_pT308_pS473)
    measuredPKB473p = scale_PKB_pS473 * (PKB_pS473 + PKB_pT308_pS473)
    measuredAS160p  = scale_AS160_p * AS160_p
    measuredmTORC1a = mTORC1_active
    measuredS6Kp    = scale_S6K_p * S6K_p
    measuredS6p     = scale_S6_p * S6_p
    measuredmTORC2a = mTORC2_active
    glucoseuptake   = (k_glucose_uptake_GLUT4 * GLUT4_membrane + k_glucose_uptake_GLUT1)
                      * glucose

plus `glucose_uptake` (= glucoseuptake) and `GLUT4_surface` = 100 * GLUT4_membrane /
(GLUT4_membrane + GLUT4_intracellular), the share of the cell's own GLUT4 at the plasma
membrane in %.

Initial state and protocol. The SBML initial values are the basal (insulin-free) steady
state of each file's parameters (as stored, to about 1e-3 relative), and the BioModels simulation is a step to 10 nM insulin
at t = 0, so the default protocol is ``Protocol.constant(insulin=10.0)``; the insulin
baseline (``Input.default``) is 0. The condition parameters `IR_total` and `GLUT4_total`
(% of the normal amounts; 100 in the normal file, 50 in the diabetic one) scale the five
receptor states and the two GLUT4 states of the initial state proportionally, so the
defaults give the SBML values exactly. After changing them (or `diabetes`, or any rate
constant) the scaled state is no longer the basal steady state: add a pre-equilibration,
e.g. ``Protocol.constant(insulin=10.0).with_preequilibration(1000.0)``, to start the
stimulation from the new basal steady state (the basal network settles within a few
hundred minutes; 1000 min changes nothing further at rtol 1e-8).

The normal and diabetic entries share the equations; the diabetic file differs in
`diabetes` (0.15 against 1), in the initial values (receptor and GLUT4 totals 50 instead
of 100, and the resulting basal steady state) and in the scale factors, which are the
normal ones rounded to four significant digits (all but scaleAS160, which is the same). The SBML parameter ``km5`` is used by no
reaction and is left out; ``scaleIRS1ds`` and ``scaleGLUCOSE`` are kept (as
`scale_IRS1_pY_dose` and `scale_glucose_uptake`, the factors of the dose-response IRS1 and
glucose-uptake data sets) although no SBML rule uses them.
"""

from collections.abc import Mapping

import jax.numpy as jnp

from ..model import Companions, Conservation, Model, Param, State
from ..protocol import Protocol
from . import brannmark2013_companions as _companions
from ._brannmark2013_tables import (  # the tables (states, values, constants, readouts)
    _DIABETIC_INITIAL,
    _DIABETIC_SCALES,
    _DIABETIC_TOTALS,
    _EXPONENTS,
    _GLUT4_STATES,
    _KINETIC,
    _NORMAL_INITIAL,
    _NORMAL_SCALES,
    _NORMAL_TOTALS,
    _RECEPTOR_STATES,
    _SCALES,
    _STATE_INFO,
    DIABETIC_CONDITION,
    INPUTS,
    OBSERVABLES,
    SBML_OBSERVABLES,
)

SOURCE = (
    "Brännmark C., Nyman E., Fagerholm S., Bergenholm L., Ekstrand E.-M., Cedersund G., "
    "Strålfors P. (2013). Insulin signaling in type 2 diabetes: experimental and modeling "
    "analyses reveal mechanisms of insulin resistance in human adipocytes. J Biol Chem "
    "288:9867-9880. doi:10.1074/jbc.M112.432062. BioModels BIOMD0000000448 (normal), "
    "BIOMD0000000449 (diabetic)."
)


def _params(
    scales: Mapping[str, float], diabetes: float, totals: Mapping[str, float]
) -> tuple[Param, ...]:
    out = [Param(n, u, v, d) for n, u, v, _, d in _KINETIC]
    out += [Param(n, "1", v, d, 0.1, 10.0, kind="exponent") for n, v, _, d in _EXPONENTS]
    out += [Param(n, "a.u./%", scales[n], d, kind="scale") for n, _, d in _SCALES]
    out += [
        Param(
            "diabetes",
            "1",
            diabetes,
            "strength of the mTORC1 -> IRS1-Ser307 feedback (1 normal, 0.15 diabetic)",
            kind="condition",
        ),
        Param("glucose", "mM", 0.05, "glucose (2-deoxyglucose) in the medium", kind="condition"),
        Param(
            "IR_total",
            "% of normal IR",
            totals["IR_total"],
            "receptor amount; scales the initial receptor states",
            kind="condition",
        ),
        Param(
            "GLUT4_total",
            "% of normal GLUT4",
            totals["GLUT4_total"],
            "GLUT4 amount; scales the initial GLUT4 states",
            kind="condition",
        ),
    ]
    return tuple(out)


def _hill(x, k, n):
    # max(x, 0): a fractional power of a state a rounding error below zero is NaN.
    xn = jnp.maximum(x, 0.0) ** n
    return xn / (k**n + xn)


def rhs(t, y, p, u):
    """Right-hand side: d state / d t (%/min) of one cell."""
    v1a = p.k_IR_insulin_binding * u.insulin * y.IR
    v1basal = p.k_IR_basal_autophos * y.IR
    v1c = p.k_IR_autophos * y.IR_insulin
    v1d = p.k_IR_internalisation * y.IR_pY
    v1e = p.k_IR_dephos_by_X * y.X_p * y.IR_pY_internal
    v1g = p.k_IR_dephos_surface * y.IR_pY
    v1r = p.k_IR_recycling * y.IR_internal
    v2a = p.k_IRS1_tyr_phos * y.IR_pY_internal * y.IRS1
    v2b = p.k_IRS1_tyr_dephos * y.IRS1_pY
    v2c = p.k_IRS1_S307_phos_by_mTORC1 * p.diabetes * y.mTORC1_active * y.IRS1_pY
    v2d = p.k_IRS1_S307_dephos * y.IRS1_pY_pS307
    v2f = p.k_IRS1_tyr_dephos_of_pS307 * y.IRS1_pY_pS307
    v2basal = p.k_IRS1_S307_basal * y.IRS1
    v2g = p.k_IRS1_S307_dephos_basal * y.IRS1_pS307
    v3a = p.k_X_activation * y.IRS1_pY * y.X
    v3b = p.k_X_deactivation * y.X_p
    v4a = p.k_PKB_T308_phos * y.IRS1_pY * y.PKB
    v4b = p.k_PKB_T308_dephos * y.PKB_pT308
    v4c = p.k_PKB_S473_phos_by_mTORC2 * y.mTORC2_active * y.PKB_pT308
    v4e = p.k_PKB_T308_phos_of_pS473 * y.IRS1_pY_pS307 * y.PKB_pS473
    v4f = p.k_PKB_T308_dephos_of_pp * y.PKB_pT308_pS473
    v4h = p.k_PKB_S473_dephos * y.PKB_pS473
    v5a = (
        p.k_mTORC1_activation_by_PKB_pp * y.PKB_pT308_pS473
        + p.k_mTORC1_activation_by_PKB_pT308 * y.PKB_pT308
    ) * y.mTORC1
    v5b = p.k_mTORC1_deactivation * y.mTORC1_active
    v5c = p.k_mTORC2_activation * y.IR_pY_internal * y.mTORC2
    v5d = p.k_mTORC2_deactivation * y.mTORC2_active
    v6f = (
        p.k_AS160_phos_by_PKB_pp * y.PKB_pT308_pS473
        + p.k_AS160_phos_by_PKB_pS473 * _hill(y.PKB_pS473, p.K_AS160_PKB_pS473, p.n_AS160_PKB_pS473)
    ) * y.AS160
    v6b = p.k_AS160_dephos * y.AS160_p
    v7f = p.k_GLUT4_exocytosis * y.AS160_p * y.GLUT4_intracellular
    v7b = p.k_GLUT4_endocytosis * y.GLUT4_membrane
    v9f1 = p.k_S6K_phos * _hill(y.mTORC1_active, p.K_S6K_mTORC1, p.n_S6K_mTORC1) * y.S6K
    v9b1 = p.k_S6K_dephos * y.S6K_p
    v9f2 = p.k_S6_phos * y.S6K_p * y.S6
    v9b2 = p.k_S6_dephos * y.S6_p
    return {
        "IR": -v1a - v1basal + v1g + v1r,
        "IR_insulin": v1a - v1c,
        "IR_pY": v1basal + v1c - v1d - v1g,
        "IR_pY_internal": v1d - v1e,
        "IR_internal": v1e - v1r,
        "IRS1": -v2a + v2b - v2basal + v2g,
        "IRS1_pY": v2a - v2b - v2c + v2d,
        "IRS1_pY_pS307": v2c - v2d - v2f,
        "IRS1_pS307": v2f + v2basal - v2g,
        "X": -v3a + v3b,
        "X_p": v3a - v3b,
        "PKB": -v4a + v4b + v4h,
        "PKB_pT308": v4a - v4b - v4c,
        "PKB_pS473": -v4e + v4f - v4h,
        "PKB_pT308_pS473": v4c + v4e - v4f,
        "mTORC1": -v5a + v5b,
        "mTORC1_active": v5a - v5b,
        "mTORC2": -v5c + v5d,
        "mTORC2_active": v5c - v5d,
        "AS160": -v6f + v6b,
        "AS160_p": v6f - v6b,
        "GLUT4_membrane": v7f - v7b,
        "GLUT4_intracellular": -v7f + v7b,
        "S6K": -v9f1 + v9b1,
        "S6K_p": v9f1 - v9b1,
        "S6": -v9f2 + v9b2,
        "S6_p": v9f2 - v9b2,
    }


def observables(t, y, p, u):
    """The SBML assignment rules (under their SBML ids) and readable readouts."""
    uptake = (p.k_glucose_uptake_GLUT4 * y.GLUT4_membrane + p.k_glucose_uptake_GLUT1) * p.glucose
    glut4 = y.GLUT4_membrane + y.GLUT4_intracellular
    safe = jnp.where(glut4 > 0, glut4, 1.0)
    return {
        "measuredIRp": p.scale_IR_pY * (y.IR_pY + y.IR_pY_internal),
        "measuredIRint": y.IR_internal + y.IR_pY_internal,
        "measuredIRS1p": p.scale_IRS1_pY * (y.IRS1_pY + y.IRS1_pY_pS307),
        "measuredIRS1307": p.scale_IRS1_pS307 * (y.IRS1_pY_pS307 + y.IRS1_pS307),
        "measuredPKB308p": p.scale_PKB_pT308 * (y.PKB_pT308 + y.PKB_pT308_pS473),
        "measuredPKB473p": p.scale_PKB_pS473 * (y.PKB_pS473 + y.PKB_pT308_pS473),
        "measuredAS160p": p.scale_AS160_p * y.AS160_p,
        "measuredmTORC1a": y.mTORC1_active,
        "measuredS6Kp": p.scale_S6K_p * y.S6K_p,
        "measuredS6p": p.scale_S6_p * y.S6_p,
        "measuredmTORC2a": y.mTORC2_active,
        "glucoseuptake": uptake,
        "glucose_uptake": uptake,
        "GLUT4_surface": jnp.where(glut4 > 0, 100.0 * y.GLUT4_membrane / safe, 0.0),
    }


def _initial_state_fn(initial: Mapping[str, float], totals: Mapping[str, float]):
    def initial_state(p):
        ir = p.IR_total / totals["IR_total"]
        glut4 = p.GLUT4_total / totals["GLUT4_total"]
        out = {n: initial[n] * ir for n in _RECEPTOR_STATES}
        out.update({n: initial[n] * glut4 for n in _GLUT4_STATES})
        return out

    return initial_state


DEFAULT_PROTOCOL = Protocol.constant(insulin=10.0).named("10 nM insulin from the basal state")

CONSERVATION = (
    Conservation("IR_total", tuple((n, 1.0) for n in _RECEPTOR_STATES)),
    Conservation(
        "IRS1_total",
        (("IRS1", 1.0), ("IRS1_pY", 1.0), ("IRS1_pY_pS307", 1.0), ("IRS1_pS307", 1.0)),
    ),
    Conservation("X_total", (("X", 1.0), ("X_p", 1.0))),
    Conservation(
        "PKB_total",
        (("PKB", 1.0), ("PKB_pT308", 1.0), ("PKB_pS473", 1.0), ("PKB_pT308_pS473", 1.0)),
    ),
    Conservation("mTORC1_total", (("mTORC1", 1.0), ("mTORC1_active", 1.0))),
    Conservation("mTORC2_total", (("mTORC2", 1.0), ("mTORC2_active", 1.0))),
    Conservation("AS160_total", (("AS160", 1.0), ("AS160_p", 1.0))),
    Conservation("GLUT4_total", tuple((n, 1.0) for n in _GLUT4_STATES)),
    Conservation("S6K_total", (("S6K", 1.0), ("S6K_p", 1.0))),
    Conservation("S6_total", (("S6", 1.0), ("S6_p", 1.0))),
)


def _sbml_pairs() -> tuple[tuple[str, str], ...]:
    pairs = [(n, sid) for n, _, sid, _ in _STATE_INFO]
    pairs += [(n, sid) for n, _, _, sid, _ in _KINETIC]
    pairs += [(n, sid) for n, _, sid, _ in _EXPONENTS]
    pairs += [(n, sid) for n, sid, _ in _SCALES]
    pairs += [("diabetes", "diabetes"), ("glucose", "gluc"), ("insulin", "insulin")]
    pairs += [(n, n) for n in SBML_OBSERVABLES]
    return tuple(pairs)


def _build(
    name: str,
    initial: Mapping[str, float],
    scales: Mapping[str, float],
    diabetes: float,
    totals: Mapping[str, float],
    description: str,
) -> Model:
    states = tuple(State(n, unit, initial[n], d) for n, unit, _, d in _STATE_INFO)
    return Model(
        name=name,
        state_specs=states,
        param_specs=_params(scales, diabetes, totals),
        observable_specs=OBSERVABLES,
        input_specs=INPUTS,
        rhs_fn=rhs,
        observables_fn=observables,
        initial_state_fn=_initial_state_fn(initial, totals),
        time_unit="min",
        source=SOURCE,
        description=description,
        sbml_id_pairs=_sbml_pairs(),
        default_protocol=DEFAULT_PROTOCOL,
        conservation=CONSERVATION,
        t_end=60.0,
        companions=Companions(_companions.therapies, _companions.cohorts, _companions.calibration),
    )


def build_normal() -> Model:
    """The normal human adipocyte (BIOMD0000000448).

    Returns:
        The model `brannmark2013`; its default protocol steps insulin to 10 nM at t = 0
        from the basal steady state.
    """
    return _build(
        "brannmark2013",
        _NORMAL_INITIAL,
        _NORMAL_SCALES,
        1.0,
        _NORMAL_TOTALS,
        "Insulin signalling in normal human adipocytes, from the receptor to GLUT4 "
        "translocation and the mTORC1/S6K branch, with the mTORC1 -> IRS1-Ser307 feedback.",
    )


def build_diabetic() -> Model:
    """The type 2 diabetic human adipocyte (BIOMD0000000449).

    Same equations as `build_normal`; receptor and GLUT4 at 50 % of normal, feedback
    strength `diabetes` = 0.15, and the file's own basal steady state.

    Returns:
        The model `brannmark2013_diabetic`.
    """
    return _build(
        "brannmark2013_diabetic",
        _DIABETIC_INITIAL,
        _DIABETIC_SCALES,
        DIABETIC_CONDITION["diabetes"],
        _DIABETIC_TOTALS,
        "Insulin signalling in adipocytes from type 2 diabetic patients: 50 % receptor, "
        "50 % GLUT4 and a weaker mTORC1 -> IRS1-Ser307 feedback.",
    )
