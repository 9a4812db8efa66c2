"""MAPK branch: Ras -> Raf -> MEK -> ERK.

Source (rate laws and values taken unchanged):
    Borisov N., Aksamitiene E., Kiyatkin A., Legewie S., Berkhout J., Maiwald T.,
    Kaimachnikov N.P., Timmer J., Hoek J.B., Kholodenko B.N. (2009). Systems-level
    interactions between insulin-EGF networks amplify mitogenic signaling. Mol Syst Biol
    5:256. doi:10.1038/msb.2009.19. BioModels BIOMD0000000223 (reactions 62-73).

Equations (concentrations in nM, time in **s**, as in the source)::

    v62 = kcat62 * Ras_GDP * GEF / (Km62 + Ras_GDP)                 Ras_GDP -> Ras_GTP
    v63 = kcat63 * Ras_GTP * GAP / (Km63 + Ras_GTP)                 Ras_GTP -> Ras_GDP
    v65 = kcat65 * Ras_GTP * Raf / (Km65 + Raf)                     Raf -> Raf_active
    v66 = kcat66 * Src * Raf_active / (Km66 + Raf_active)           Raf_active -> Raf_active_Src
    v67 = kcat67 * Raf_active_Src * PKA / (Km67 + Raf_active_Src)
          + alpha67 * Raf_active_Src * (pAkt + beta67 * ppAkt)      Raf_active_Src -> Raf
    v68 = kcat68 * Raf_active_Src * MEK / (Km68 + MEK)              MEK -> MEK_pp
    v69 = V69 * MEK_pp / (Km69 + MEK_pp)                            MEK_pp -> MEK
    v70 = kcat70 * ERK * MEK_pp / (Km70 + ERK + ERK_p Km70/Km71)    ERK -> ERK_p
    v71 = kcat71 * ERK_p * MEK_pp / (Km71 + ERK_p + ERK Km71/Km70)  ERK_p -> ERK_pp
    v72 = V72 * ERK_pp / (Km72 + ERK_pp + ERK_p Km72/Km73)          ERK_pp -> ERK_p
    v73 = V73 * ERK_p / (Km73 + ERK_p + ERK_pp Km73/Km72)           ERK_p -> ERK

The drivers come from the rest of the source network: GEF (the Grb2/SOS complexes,
Rp_GS + Rp_pShc_GS + mIRSp_GS + mGABp_GS + mGABp_pSHP2_GS), GAP (bRasGAP + the bound
RasGAP complexes), active Src, PKA, and singly/doubly phosphorylated Akt. The source's
reaction 64 (Ras-GTP binding PI3K) has k64 = 0 and never runs. `standalone` replays the
drivers from the source's own simulation; `derivatives` is used unchanged by the
composite model, which multiplies it by 60 s/min.

Joined / chosen in the composite (the adipocyte core has no Grb2/SOS, Src or PKA):
    * GEF = `GEF_per_IRS1_pY` * (IRS1_pY + IRS1_pY_pS307): the Grb2/SOS docked on
      tyrosine-phosphorylated IRS1; the factor is *chosen* so that 10 nM insulin gives the
      source's GEF at 5 min (0.0144 nM against the core's 4.4 % IRS1-pY).
    * GAP = 5e-5 nM and Src = 0.0167 nM: the source's values under insulin (bRasGAP 1e-5
      plus receptor-bound RasGAP 4e-5; its active-Src plateau), held constant.
    * PKA = 100 nM (the source's constant). pAkt and ppAkt: the core's PKB forms, in % of
      PKB, read as nM of the source's 100 nM Akt (pAkt = PKB_pT308 + PKB_pS473, ppAkt =
      PKB_pT308_pS473).
    * The source's ERK feedbacks onto Grb2/SOS and GAB1 (reactions 79, 80, 117) act on
      species that are not modelled, so ERK activity is sustained rather than transient.
"""

from typing import Any

from ...model import Model, Param, State
from ._replay import drivers_at

__all__ = ["DRIVERS", "PARAMS", "SOURCE", "STATES", "derivatives", "standalone"]

SOURCE = (
    "Borisov N., Aksamitiene E., Kiyatkin A., Legewie S., Berkhout J., Maiwald T., "
    "Kaimachnikov N.P., Timmer J., Hoek J.B., Kholodenko B.N. (2009). Systems-level "
    "interactions between insulin-EGF networks amplify mitogenic signaling. Mol Syst Biol "
    "5:256. doi:10.1038/msb.2009.19. BioModels BIOMD0000000223."
)

DRIVERS = ("GEF", "GAP", "Src", "PKA", "pAkt", "ppAkt")

# (name, SBML id, initial nM, description)
_STATE_INFO = (
    ("Ras_GDP", "dRas", 150.0, "Ras-GDP (inactive)"),
    ("Ras_GTP", "tRas", 0.0, "Ras-GTP (active)"),
    ("Raf", "Raf", 100.0, "Raf, inactive"),
    ("Raf_active", "aRaf", 0.0, "Raf activated by Ras-GTP"),
    ("Raf_active_Src", "aaRaf", 0.0, "Raf activated by Ras-GTP and phosphorylated by Src"),
    ("MEK", "Mek", 200.0, "MEK, unphosphorylated"),
    ("MEK_pp", "ppMek", 0.0, "doubly phosphorylated (active) MEK"),
    ("ERK", "Erk", 400.0, "ERK, unphosphorylated"),
    ("ERK_p", "pErk", 0.0, "singly phosphorylated ERK"),
    ("ERK_pp", "ppErk", 0.0, "doubly phosphorylated (active) ERK"),
)

STATES: tuple[State, ...] = tuple(State(n, "nM", v, d) for n, _, v, d in _STATE_INFO)

_PS = "1/s"
# (name, unit, value, SBML id, description)
_PARAM_INFO = (
    ("kcat_Ras_activation", _PS, 5.33, "kcat62", "Ras activation by Grb2/SOS"),
    ("Km_Ras_activation", "nM", 50.0, "Km62", "Km of Ras activation"),
    ("kcat_Ras_inactivation", _PS, 20000.0, "kcat63", "Ras-GTP hydrolysis by RasGAP"),
    ("Km_Ras_inactivation", "nM", 50.0, "Km63", "Km of Ras inactivation"),
    ("kcat_Raf_activation", _PS, 0.1, "kcat65", "Raf activation by Ras-GTP"),
    ("Km_Raf_activation", "nM", 400.0, "Km65", "Km of Raf activation"),
    ("kcat_Raf_Src", _PS, 3.33, "kcat66", "Raf phosphorylation by Src"),
    ("Km_Raf_Src", "nM", 10.0, "Km66", "Km of Raf phosphorylation by Src"),
    ("kcat_Raf_inactivation_PKA", _PS, 0.666, "kcat67", "Raf inactivation by PKA"),
    ("Km_Raf_inactivation_PKA", "nM", 10000.0, "Km67", "Km of Raf inactivation by PKA"),
    ("k_Raf_inactivation_Akt", "1/(nM*s)", 1e-06, "alpha67", "Raf inactivation by Akt"),
    ("ppAkt_Raf_factor", "1", 2.0, "beta67", "relative strength of doubly phosphorylated Akt"),
    ("kcat_MEK_phos", _PS, 0.133, "kcat68", "MEK phosphorylation by Raf"),
    ("Km_MEK_phos", "nM", 50.0, "Km68", "Km of MEK phosphorylation"),
    ("V_MEK_dephos", "nM/s", 16.6, "V69", "maximal MEK dephosphorylation"),
    ("Km_MEK_dephos", "nM", 675.299, "Km69", "Km of MEK dephosphorylation"),
    ("kcat_ERK_phos_1", _PS, 0.333, "kcat70", "first ERK phosphorylation by MEK"),
    ("Km_ERK_phos_1", "nM", 500.0, "Km70", "Km of the first ERK phosphorylation"),
    ("kcat_ERK_phos_2", _PS, 0.666, "kcat71", "second ERK phosphorylation by MEK"),
    ("Km_ERK_phos_2", "nM", 500.0, "Km71", "Km of the second ERK phosphorylation"),
    ("V_ERK_dephos_2", "nM/s", 33.3, "V72", "maximal dephosphorylation of ERK-pp"),
    ("Km_ERK_dephos_2", "nM", 500.0, "Km72", "Km of ERK-pp dephosphorylation"),
    ("V_ERK_dephos_1", "nM/s", 23.33, "V73", "maximal dephosphorylation of ERK-p"),
    ("Km_ERK_dephos_1", "nM", 500.0, "Km73", "Km of ERK-p dephosphorylation"),
)

PARAMS: tuple[Param, ...] = tuple(
    Param(n, u, v, d, kind="structural" if n == "ppAkt_Raf_factor" else "kinetic")
    for n, u, v, _, d in _PARAM_INFO
)

SBML_IDS = {n: sid for n, sid, _, _ in _STATE_INFO} | {n: sid for n, _, _, sid, _ in _PARAM_INFO}


def derivatives(y: Any, p: Any, d: Any) -> dict:
    """d state / d t in nM/s (the source's time unit).

    Args:
        y: named view of `STATES` (nM).
        p: named view of `PARAMS`.
        d: mapping of the drivers `DRIVERS` (nM).

    Returns:
        {state name: derivative}.
    """
    v62 = p.kcat_Ras_activation * y.Ras_GDP * d["GEF"] / (p.Km_Ras_activation + y.Ras_GDP)
    v63 = p.kcat_Ras_inactivation * y.Ras_GTP * d["GAP"] / (p.Km_Ras_inactivation + y.Ras_GTP)
    v65 = p.kcat_Raf_activation * y.Ras_GTP * y.Raf / (p.Km_Raf_activation + y.Raf)
    v66 = p.kcat_Raf_Src * d["Src"] * y.Raf_active / (p.Km_Raf_Src + y.Raf_active)
    v67 = p.kcat_Raf_inactivation_PKA * y.Raf_active_Src * d["PKA"] / (
        p.Km_Raf_inactivation_PKA + y.Raf_active_Src
    ) + p.k_Raf_inactivation_Akt * y.Raf_active_Src * (d["pAkt"] + p.ppAkt_Raf_factor * d["ppAkt"])
    v68 = p.kcat_MEK_phos * y.Raf_active_Src * y.MEK / (p.Km_MEK_phos + y.MEK)
    v69 = p.V_MEK_dephos * y.MEK_pp / (p.Km_MEK_dephos + y.MEK_pp)
    k70, k71, k72, k73 = p.Km_ERK_phos_1, p.Km_ERK_phos_2, p.Km_ERK_dephos_2, p.Km_ERK_dephos_1
    v70 = p.kcat_ERK_phos_1 * y.ERK * y.MEK_pp / (k70 + y.ERK + y.ERK_p * (k70 / k71))
    v71 = p.kcat_ERK_phos_2 * y.ERK_p * y.MEK_pp / (k71 + y.ERK_p + y.ERK * (k71 / k70))
    v72 = p.V_ERK_dephos_2 * y.ERK_pp / (k72 + y.ERK_pp + y.ERK_p * (k72 / k73))
    v73 = p.V_ERK_dephos_1 * y.ERK_p / (k73 + y.ERK_p + y.ERK_pp * (k73 / k72))
    return {
        "Ras_GDP": -v62 + v63,
        "Ras_GTP": v62 - v63,
        "Raf": -v65 + v67,
        "Raf_active": v65 - v66,
        "Raf_active_Src": v66 - v67,
        "MEK": -v68 + v69,
        "MEK_pp": v68 - v69,
        "ERK": -v70 + v73,
        "ERK_p": v70 - v71 + v72 - v73,
        "ERK_pp": v71 - v72,
    }


def standalone(times: Any, drivers: dict) -> Model:
    """The module alone, driven by the source's own driver trajectories.

    Args:
        times: (K,) recording times of the drivers, **s**.
        drivers: every name of `DRIVERS` -> (K,) values in nM, e.g. recorded from
            libRoadRunner on BIOMD0000000223 (GEF and GAP as the sums above).

    Returns:
        A `Model` (time in s) from the source's initial state.
    """
    at = drivers_at(times, drivers, DRIVERS)
    return Model(
        name="mapk_module",
        state_specs=STATES,
        param_specs=PARAMS,
        rhs_fn=lambda t, y, p, u: derivatives(y, p, at(t)),
        time_unit="s",
        source=SOURCE,
        description="Ras/Raf/MEK/ERK module of the composite model, with replayed drivers.",
        sbml_id_pairs=tuple(SBML_IDS.items()),
        t_end=float(times[-1]),
    )
