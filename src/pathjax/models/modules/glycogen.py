"""Glycogen synthesis: Akt -> GSK3β -> glycogen synthase.

Source (rate law and values taken unchanged):
    Kubota H., Noguchi R., Toyoshima Y., Ozaki Y., Uda S., Watanabe K., Ogawa W.,
    Kuroda S. (2012). Temporal coding of insulin action through multiplexing of the AKT
    pathway. Mol Cell 46:820-832. doi:10.1016/j.molcel.2012.04.018. BioModels
    MODEL1204060000 (reactions GSK3b_phosphorylation, pGSK3b_dephosphorylation).

Active Akt phosphorylates (inactivates) GSK3β; a phosphatase reverses it. The source's
GSK3β total is constant (10.56 a.u.), so the inactive share is the state, in %::

    dGSK3_inactive/dt = k_GSK3_phos * pAKT * (100 - GSK3_inactive) - k_GSK3_dephos * GSK3_inactive

with pAKT in the source's arbitrary units (its AKT total is 4.338 a.u.) and time in min.
`standalone` replays the source's pAKT trajectory.

Joined / chosen in the composite:
    * pAKT = AKT_total_kubota * AKT_active / 100, where AKT_active is the adipocyte core's
      doubly phosphorylated PKB (% of PKB): the core's active Akt read on the source's
      scale.
    * Glycogen synthase is active when GSK3β is inhibited. No source in the set links
      GS activity to glycogen flux in this network (Noguchi 2013 models hepatic
      glycogen through G6P/G1P metabolism), so the readout is chosen as::

          glycogen_synthesis = insulin_dependent_utilization * GSK3_inactive / 100

      (mg/kg/min): the insulin-dependent glucose disposal times the share of glycogen
      synthase released from GSK3β, i.e. the non-oxidative (glycogen) part of disposal.
"""

from typing import Any

from ...model import Model, Param, State
from ._replay import drivers_at

__all__ = ["PARAMS", "SOURCE", "STATES", "derivatives", "standalone"]

SOURCE = (
    "Kubota H., Noguchi R., Toyoshima Y., Ozaki Y., Uda S., Watanabe K., Ogawa W., Kuroda S. "
    "(2012). Temporal coding of insulin action through multiplexing of the AKT pathway. "
    "Mol Cell 46:820-832. doi:10.1016/j.molcel.2012.04.018. BioModels MODEL1204060000."
)

PARAMS: tuple[Param, ...] = (
    Param("k_GSK3_phos_by_AKT", "1/(a.u.*min)", 2.97538, "GSK3β phosphorylation by active AKT"),
    Param("k_GSK3_dephos", "1/min", 0.9246, "dephosphorylation of GSK3β-p"),
    Param(
        "AKT_total_kubota",
        "a.u.",
        4.33812,
        "AKT total on the source's scale (its initial amount)",
        kind="structural",
    ),
)

SBML_IDS = {
    "k_GSK3_phos_by_AKT": "GSK3b_phosphorylation.k1",
    "k_GSK3_dephos": "pGSK3b_dephosphorylation.k1",
}

STATES: tuple[State, ...] = (
    State("GSK3_inactive", "% of GSK3β", 0.0, "Akt-phosphorylated (inactive) GSK3β"),
)


def derivatives(y: Any, p: Any, pakt: Any) -> dict:
    """d GSK3_inactive / d t (%/min) for active AKT `pakt` (source's a.u.)."""
    return {
        "GSK3_inactive": p.k_GSK3_phos_by_AKT * pakt * (100.0 - y.GSK3_inactive)
        - p.k_GSK3_dephos * y.GSK3_inactive
    }


def standalone(times: Any, drivers: dict) -> Model:
    """The module alone, driven by the source's own pAKT trajectory.

    Args:
        times: (K,) recording times, min.
        drivers: ``{"pAKT": (K,)}`` in the source's a.u. (libRoadRunner on
            MODEL1204060000).

    Returns:
        A `Model` (time in min) from the source's initial state (no GSK3β-p).
    """
    at = drivers_at(times, drivers, ("pAKT",))
    return Model(
        name="glycogen_module",
        state_specs=STATES,
        param_specs=PARAMS,
        rhs_fn=lambda t, y, p, u: derivatives(y, p, at(t)["pAKT"]),
        time_unit="min",
        source=SOURCE,
        description="AKT -> GSK3β module of the composite model, with replayed pAKT.",
        sbml_id_pairs=tuple(SBML_IDS.items()),
        t_end=float(times[-1]),
    )
