"""IRS1 serine phosphorylation by the stress kinases, IRS1 turnover and serine feedbacks.

Sources:
    Smith G.R., Shanley D.P. (2013). BMC Syst Biol 7:41 (BIOMD0000000474): IRS1 poly-serine
    phosphorylation by JNK and IKK (R51f, R52f: Michaelis-Menten), its removal by PP2A
    (R12_a_r), IRS1 synthesis and degradation, faster for poly-serine IRS1 (R50f, R50r1-4).
    Huang et al. (2014), MODEL1912090001: serine-phosphorylated IRS1 speeds up the
    tyrosine dephosphorylation of IRS1 (``k__7 = 1.4 PTP + 1e9 a x20``).
    Di Camillo B., Carlon A., Eduati F., Toffolo G.M. (2016). BMC Syst Biol 10:38
    (BIOMD0000000833): IRS1 Ser636 phosphorylation by p70S6K (R19, Hill n = 2).

Equations (IRS1 forms in % of the IRS1 of a normal cell; time in min)::

    v_JNK  = 100 * kcat_JNK * JNK_total * (JNK_active/100) / N * I / (Km_JNK + I) * (1 - inh)
    v_IKK  = 100 * kcat_IKK * IKK_total * (IKK_active/100) / N * I / (Km_IKK + I) * (1 - inh)
             with I = N * IRS1 / 100 (molecules), N = IRS1 of a normal cell (molecules)
    IRS1 -> IRS1_polySer at v_JNK + v_IKK,   IRS1_polySer -> IRS1 at k_PP2A * IRS1_polySer
    synthesis of IRS1 at k_deg * 100; degradation k_deg * (each of the four IRS1 forms of
    the adipocyte core) and k_deg_polySer * IRS1_polySer
    IRS1 -> IRS1_pS307 at k_S6K * S6K_p^2 / (K_S6K^2 + S6K_p^2) * IRS1 * (1 - inh)
    IRS1-pY dephosphorylation (adipocyte k2b) multiplied by
        1 + gain_Huang * IRS1_polySer / 100

``inh`` is the intervention `irs_serine_kinase_inhibition`.

Taken unchanged: the Michaelis-Menten laws and constants of R51f/R52f (kcat 0.87 and
6.95 per min, Km 100 molecules), the PP2A rate (kminus7b * PP2A = 2.8e-6 * 5e5 = 1.4 per
min), the degradation rates (0.001 and 0.01 per min) and N = synthesis / basal
degradation = 260 / 0.001 = 2.6e5 molecules (Smith); the Hill form and constants of the
S6K feedback (Di Camillo: K = sqrt(Kd_p70) / p70S6K_init = 4.886 % of S6K, n = 2,
k15 * Vmax = 12 per min); the Huang gain = 1e9 * a * IRS1_total / 1.4 = 1.667 (a = 0.2,
IRS1_total = 1.167e-8 M).

Joined / chosen:
    * The poly-serine form is a fifth IRS1 state next to the adipocyte core's four; like
      Brännmark's IRS1-pS307 it cannot be tyrosine phosphorylated (in Smith only free
      IRS1 is a substrate of the receptor).
    * Smith's basal degradation (IRS1 and IRS1-pY) is applied to all four forms of the
      core, and synthesis is k_deg * 100 % so that a cell without stress keeps (almost)
      its normal IRS1 (Smith's own synthesis / degradation ratio).
    * The Di Camillo S6K -> IRS1 feedback sends IRS1 to the core's Ser307 pool. Its
      strength `k_IRS1_Ser_by_S6K` defaults to 0: the core's mTORC1 -> IRS1-Ser307
      feedback, fitted to the same human adipocyte data, already carries the mTORC1/S6K
      feedback, and the source's 12 per min would double it (set it to add the S6K route).
    * Huang's acceleration is applied to the stress (poly-serine) form only, so that the
      core's fitted basal Ser307 phosphorylation keeps its published effect.
"""

from typing import Any

from ...model import Param, State

__all__ = [
    "INTERVENTION_PARAMS",
    "PARAMS",
    "SOURCES",
    "STATES",
    "derivatives",
    "tyrosine_dephosphorylation_factor",
]

SOURCES = (
    "Smith G.R., Shanley D.P. (2013). BMC Syst Biol 7:41. doi:10.1186/1752-0509-7-41. "
    "BioModels BIOMD0000000474; Huang et al. (2014), BioModels MODEL1912090001, PMID "
    "24703981; Di Camillo B., Carlon A., Eduati F., Toffolo G.M. (2016). BMC Syst Biol "
    "10:38. doi:10.1186/s12918-016-0281-4. BioModels BIOMD0000000833."
)

_IRS1 = "% of normal IRS1"

# (name, unit, value, description, kind, upper)
_INFO = (
    ("k_IRS1_Ser_by_JNK", "1/min", 6.95, "kcat of IRS1 poly-serine phosphorylation by JNK (Smith kcat52)", "kinetic", None),
    ("K_IRS1_Ser_by_JNK", "molecules", 100.0, "Km of IRS1 phosphorylation by JNK (Smith Km52)", "kinetic", None),
    ("k_IRS1_Ser_by_IKK", "1/min", 0.87, "kcat of IRS1 poly-serine phosphorylation by IKK (Smith kcat51)", "kinetic", None),
    ("K_IRS1_Ser_by_IKK", "molecules", 100.0, "Km of IRS1 phosphorylation by IKK (Smith Km51)", "kinetic", None),
    ("k_IRS1_polySer_dephos", "1/min", 1.4, "poly-serine dephosphorylation by PP2A (Smith kminus7b * PP2A)", "kinetic", None),
    ("k_IRS1_basal_degradation", "1/min", 0.001, "basal IRS1 degradation (Smith k_irs1_basal_degr); synthesis is this times 100 %", "kinetic", None),
    ("k_IRS1_polySer_degradation", "1/min", 0.01, "degradation of poly-serine IRS1 (Smith k_irs1_polyserp_degr)", "kinetic", None),
    ("IRS1_normal_molecules", "molecules", 2.6e5, "IRS1 of a normal cell (Smith synthesis / basal degradation)", "structural", None),
    ("IRS1_serine_dephos_gain", "1", 0.2 * 1.1666666666666667e-8 * 1e9 / 1.4, "speed-up of IRS1-pY dephosphorylation per unit poly-serine IRS1 share (Huang 2014)", "kinetic", None),
    ("k_IRS1_Ser_by_S6K", "1/min", 0.0, "maximal IRS1 serine phosphorylation by S6K (Di Camillo 2016 form; source value 12, default 0: see the module docstring)", "condition", None),
    ("K_IRS1_Ser_by_S6K", "% of S6K", 100.0 * 20000.0 / 409308.921, "half-maximal S6K-p of the S6K feedback (Di Camillo 2016)", "kinetic", None),
)  # fmt: skip

PARAMS: tuple[Param, ...] = tuple(
    Param(n, u, v, d, 0.0, up if up is not None else float("inf"), kind=k)
    for n, u, v, d, k, up in _INFO
)

INTERVENTION_PARAMS: tuple[Param, ...] = (
    Param(
        "irs_serine_kinase_inhibition",
        "1",
        0.0,
        "IRS phosphorylation modulator: inhibited share of IRS1 serine phosphorylation by the "
        "stress kinases JNK and IKK and by S6K (0 = none, 1 = full); protects IRS1 from "
        "inhibitory serine phosphorylation and degradation",
        0.0,
        1.0,
        kind="intervention",
    ),
)

STATES: tuple[State, ...] = (
    State(
        "IRS1_polySer",
        _IRS1,
        0.0,
        "IRS1 phosphorylated on several serines by JNK/IKK (not a receptor substrate; "
        "degraded faster)",
    ),
)


def _mm(kcat, kinase_molecules, K, irs1, p):
    """The source's Michaelis-Menten rate (molecules/min) in % of normal IRS1 per min."""
    molecules = p.IRS1_normal_molecules * irs1 / 100.0
    return 100.0 * kcat * kinase_molecules / p.IRS1_normal_molecules * molecules / (K + molecules)


def derivatives(y: Any, p: Any, jnk_molecules: Any, ikk_molecules: Any) -> dict:
    """Contributions to d state / d t (%/min): IRS1 turnover and serine phosphorylation.

    Args:
        y: named view with the four IRS1 states of the adipocyte core, `IRS1_polySer`
            and `S6K_p` (% of S6K).
        p: named view of `PARAMS` and `INTERVENTION_PARAMS`.
        jnk_molecules: active JNK per cell (molecules).
        ikk_molecules: active IKK per cell (molecules).

    Returns:
        {state name: derivative}, to be added to the adipocyte core's.
    """
    free = 1.0 - p.irs_serine_kinase_inhibition
    to_polyser = free * (
        _mm(p.k_IRS1_Ser_by_JNK, jnk_molecules, p.K_IRS1_Ser_by_JNK, y.IRS1, p)
        + _mm(p.k_IRS1_Ser_by_IKK, ikk_molecules, p.K_IRS1_Ser_by_IKK, y.IRS1, p)
    )
    back = p.k_IRS1_polySer_dephos * y.IRS1_polySer
    s6k = y.S6K_p * y.S6K_p
    by_s6k = free * p.k_IRS1_Ser_by_S6K * s6k / (p.K_IRS1_Ser_by_S6K**2 + s6k) * y.IRS1
    k_deg = p.k_IRS1_basal_degradation
    return {
        "IRS1": k_deg * 100.0 - k_deg * y.IRS1 - to_polyser + back - by_s6k,
        "IRS1_pY": -k_deg * y.IRS1_pY,
        "IRS1_pY_pS307": -k_deg * y.IRS1_pY_pS307,
        "IRS1_pS307": -k_deg * y.IRS1_pS307 + by_s6k,
        "IRS1_polySer": to_polyser - back - p.k_IRS1_polySer_degradation * y.IRS1_polySer,
    }


def tyrosine_dephosphorylation_factor(y: Any, p: Any) -> Any:
    """Huang 2014: multiplier of IRS1-pY dephosphorylation by poly-serine IRS1 (1 at none)."""
    return 1.0 + p.IRS1_serine_dephos_gain * y.IRS1_polySer / 100.0
