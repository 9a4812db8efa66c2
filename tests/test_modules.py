"""Each module of the composite model, run alone with its source model's inputs, against
the source (libRoadRunner on the SBML of tests/data, or its stored reference trajectories).

Modules taken whole from a source (adipocyte core, body, beta-cell growth law) are held
against the source's reference trajectories. Modules that are a *sub-network* of a
larger source (stress kinases and phosphatase oxidation of Smith 2013, the MAPK cascade
of Borisov 2009, GSK3β of Kubota 2012) are driven by the source's own upstream
trajectories, recorded here with libRoadRunner on a dense grid and replayed by linear
interpolation: their equations are unchanged, so they must follow the source.
"""

import numpy as np
import pytest

import pathjax
from helpers import read_reference, roadrunner_model, scaled_error
from pathjax.models import brannmark2013, dallaman2007, topp2000
from pathjax.models.modules import (
    adipocyte,
    beta_cell,
    glycogen,
    inflammation,
    mapk,
    oxidative,
    whole_body,
)
from pathjax.models.modules._views import Values

# The project's bar for a model reproduced from a source: 1e-4 of each trajectory's
# maximum (references at rtol 1e-10 / atol 1e-14; ours at rtol 1e-8).
TOL = 1e-4
RTOL, ATOL = 1e-8, 1e-12
# Replayed drivers add the error of linear interpolation on the recording grid; with the
# grids below (fine where a driver moves fast) it stays under 1e-4 as well.
OUT_T = np.linspace(0.0, 60.0, 61)


def _at(t: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Indices of the recording times `out` in `t`."""
    idx = np.searchsorted(t, out)
    assert np.allclose(t[idx], out, rtol=0, atol=1e-12)
    return idx


def record(sbml_file: str, times: np.ndarray, selections: list[str], setup=None):
    """libRoadRunner on an SBML file of tests/data at `times`: ``(times, {selection: values})``."""
    rr = roadrunner_model(sbml_file)
    rr.integrator.relative_tolerance = 1e-10
    rr.integrator.absolute_tolerance = 1e-14
    rr.integrator.setValue("maximum_num_steps", 500000)
    if setup is not None:
        setup(rr)
    res = np.asarray(rr.simulate(times=list(map(float, times)), selections=["time"] + selections))
    return res[:, 0], {s: res[:, i + 1] for i, s in enumerate(selections)}


def test_adipocyte_module_is_brannmark2013():
    """The cell core with no changes reproduces BIOMD0000000448 (10 nM insulin step)."""
    model = adipocyte.standalone()
    t, ref = read_reference("brannmark2013_normal_roadrunner.csv")
    _, rules = read_reference("brannmark2013_normal_roadrunner_rules.csv")
    ds = pathjax.simulate(model, t, rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    for name in model.state_names:
        err = scaled_error(ds[name].values[0], ref[model.sbml_ids[name]])
        assert err <= TOL, f"{name}: scaled error {err:.2e}"
    err = scaled_error(ds["glucose_uptake"].values[0], rules["glucoseuptake"])
    assert err <= TOL, f"glucose uptake: scaled error {err:.2e}"
    # the same parameter values as the published model
    published = brannmark2013.build_normal().default_params()
    for k, v in model.default_params().items():
        if k in published:
            assert v == published[k], k


def test_whole_body_module_is_dallaman2007():
    """The body with no coupling reproduces BIOMD0000000379 (78 g meal)."""
    model = whole_body.standalone()
    t, ref = read_reference("dallaman2007_roadrunner.csv")
    _, rules = read_reference("dallaman2007_roadrunner_rules.csv")
    ds = pathjax.simulate(model, t, rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    for name in model.state_names:
        if name == "meal_size":  # a parameter (D) in the SBML
            continue
        err = scaled_error(ds[name].values[0], ref[model.sbml_ids[name]])
        assert err <= TOL, f"{name}: scaled error {err:.2e}"
    for name, sid in (
        ("plasma_glucose", "G"),
        ("plasma_insulin", "I"),
        ("insulin_dependent_utilization", "U_id"),
    ):
        err = scaled_error(ds[name].values[0], rules[sid])
        assert err <= TOL, f"{name}: scaled error {err:.2e}"
    # coupling factors of 1 change nothing: the composite's form at the healthy reference
    # (at the source's initial state, where its insulin action X is 0)
    p = Values(dallaman2007.build().default_params())
    y = Values({s.name: s.default for s in dallaman2007.STATES})
    src = whole_body.derivatives(y, p)
    coupled = whole_body.derivatives(y, p, uptake_factor=1.0, secretion_factor=1.0)
    for k in src:
        assert float(coupled[k]) == pytest.approx(float(src[k]), rel=1e-14, abs=1e-14), k


def test_whole_body_paper_bounds_keep_secretion_non_negative():
    """The composite restores the paper's bounds: no derivative term while glucose falls,
    and the provision Y tends to no less than -S_b; with them off, the entry's form."""
    p = Values(dallaman2007.build().default_params())
    base = {s.name: s.default for s in dallaman2007.STATES}
    # falling glucose (plasma glucose 160 mg/dL in a fasting subject)
    y = Values(base | {"glucose_mass_plasma": 300.0})
    assert float(whole_body.derivatives(y, p)["glucose_mass_plasma"]) < 0.0
    bounded = whole_body.observables(y, p, paper_bounds=True)
    entry = whole_body.observables(y, p)
    y_b = base["secretion_provision"] + p.basal_insulin_secretion  # S_po = Y + S_b
    assert float(bounded["portal_insulin_inflow"]) == pytest.approx(y_b, rel=1e-14)
    assert float(entry["portal_insulin_inflow"]) < y_b
    # glucose 53 mg/dL: beta (G - G_b) = -4.6 < -S_b, so Y relaxes towards -S_b
    y = Values(base | {"glucose_mass_plasma": 100.0, "secretion_provision": -1.0})
    expected = -p.k_secretion_provision * (-1.0 + p.basal_insulin_secretion)
    d_bounded = whole_body.derivatives(y, p, paper_bounds=True)["secretion_provision"]
    assert float(d_bounded) == pytest.approx(expected, rel=1e-12)
    assert float(whole_body.derivatives(y, p)["secretion_provision"]) < expected


def test_beta_cell_module_is_topp2000():
    """The growth law is Topp's: the published model reproduces BIOMD0000000341, and the
    composite's growth rate vanishes at the mapped setpoint and equals Topp's elsewhere."""
    model = beta_cell.standalone()
    t, ref = read_reference("topp2000_roadrunner.csv")
    ds = pathjax.simulate(model, t, rtol=RTOL, atol=ATOL)
    for name in model.state_names:
        err = scaled_error(ds[name].values[0], ref[model.sbml_ids[name]])
        assert err <= TOL, f"{name}: scaled error {err:.2e}"
    p = Values(
        {q.name: q.default for q in beta_cell.PARAMS + beta_cell.COUPLING_PARAMS}
        | {"beta_cell_glucose_setpoint": 100.0}
    )
    assert float(beta_cell.physiological_glucose(p)) == pytest.approx(100.0, rel=1e-12)
    topp = topp2000.build().default_params()
    for g in (60.0, 100.0, 180.0, 250.0, 300.0):
        expected = (
            -topp["beta_cell_death_rate"]
            + topp["beta_cell_growth_linear"] * g
            - topp["beta_cell_growth_quadratic"] * g**2
        )
        assert float(beta_cell.net_growth_rate(g, p)) == pytest.approx(expected, abs=1e-15)


@pytest.fixture(scope="module")
def smith_insulin():
    """Smith 2013 with 100 nM insulin (the stored scenario), 0-60 min: insulin activates
    NOX, so ROS rises 20-fold and drives the stress kinases and the phosphatase oxidation.
    ROS starts at 0 and jumps within the first minute, so the grid is 1e-4 min there and
    0.01 min after."""
    sel = ["ROS", "GSH", "JNK_P", "IKK_P", "DUSP_ox", "PTP1B_ox", "PTEN_ox"]

    def setup(rr):
        rr["init(Ins)"] = 4.9966e5
        rr.reset()

    times = np.concatenate([np.linspace(0.0, 1.0, 10001), np.linspace(1.0, 60.0, 5901)[1:]])
    return record("smith2013_oxidative.xml", times, sel, setup)


def test_stress_kinase_module_follows_smith2013(smith_insulin):
    t, rec = smith_insulin
    model = inflammation.standalone(t, {"ROS": rec["ROS"], "GSH": rec["GSH"]})
    out_t = OUT_T
    ds = pathjax.simulate(model, out_t, rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    p = model.default_params()
    for name, sid, total in (
        ("JNK_active", "JNK_P", p["JNK_total"]),
        ("IKK_active", "IKK_P", p["IKK_total"]),
        ("DUSP_oxidised", "DUSP_ox", p["DUSP_total"]),
    ):
        ref = rec[sid][_at(t, OUT_T)]
        assert ref.max() > 0.0
        err = scaled_error(ds[name].values[0] * total / 100.0, ref)
        assert err <= TOL, f"{name}: scaled error {err:.2e}"


def test_phosphatase_oxidation_module_follows_smith2013(smith_insulin):
    t, rec = smith_insulin
    model = oxidative.standalone(t, {"ROS": rec["ROS"], "GSH": rec["GSH"]})
    out_t = OUT_T
    ds = pathjax.simulate(model, out_t, rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    for name, sid in (("PTP1B_oxidised", "PTP1B_ox"), ("PTEN_oxidised", "PTEN_ox")):
        ref = rec[sid][_at(t, OUT_T)]
        err = scaled_error(ds[name].values[0] * 1e5 / 100.0, ref)
        assert err <= TOL, f"{name}: scaled error {err:.2e}"
    # at the source's basal ROS and GSH both effect factors are exactly 1
    pv = Values(
        {q.name: q.default for q in oxidative.PARAMS + oxidative.CONDITION_PARAMS}
        | {q.name: q.default for q in oxidative.INTERVENTION_PARAMS}
    )
    basal = {"PTP1B_oxidised": 0.0, "PTEN_oxidised": 0.0}
    on = pv.k_PTP1B_oxidation * pv.basal_ROS
    basal["PTP1B_oxidised"] = 100.0 * on / (on + pv.k_PTP1B_reduction * pv.basal_GSH)
    on = pv.k_PTEN_oxidation * pv.basal_ROS
    basal["PTEN_oxidised"] = 100.0 * on / (on + pv.k_PTEN_reduction * pv.basal_GSH)
    assert float(oxidative.ptp1b_factor(Values(basal), pv)) == pytest.approx(1.0, rel=1e-14)
    assert float(oxidative.pip3_factor(Values(basal), pv)) == pytest.approx(1.0, rel=1e-14)


def test_mapk_module_follows_borisov2009():
    """Borisov 2009 with 10 nM insulin and no EGF, 0-3600 s (ERK peaks near 15 min);
    drivers on a 1 s grid."""
    gef = ["Rp_GS", "Rp_pShc_GS", "mIRSp_GS", "mGABp_GS", "mGABp_pSHP2_GS"]
    gap = ["bRasGAP", "mGABp_RasGAP", "Rp_RasGAP", "IRp_RasGAP"]
    drivers = ["aSrc", "PKA", "pAkt", "ppAkt"]
    states = [f"[{mapk.SBML_IDS[s.name]}]" for s in mapk.STATES]

    def setup(rr):
        rr["init([I])"] = 10.0
        rr["init([EGF])"] = 0.0
        rr.reset()

    sel = [f"[{s}]" for s in gef + gap + drivers] + states
    t, rec = record("borisov2009.xml", np.linspace(0.0, 3600.0, 3601), sel, setup)
    model = mapk.standalone(
        t,
        {
            "GEF": sum(rec[f"[{s}]"] for s in gef),
            "GAP": sum(rec[f"[{s}]"] for s in gap),
            "Src": rec["[aSrc]"],
            "PKA": rec["[PKA]"],
            "pAkt": rec["[pAkt]"],
            "ppAkt": rec["[ppAkt]"],
        },
    )
    out = slice(None, None, 120)
    ds = pathjax.simulate(model, t[out], rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    for s, sel_id in zip(model.state_names, states):
        err = scaled_error(ds[s].values[0], rec[sel_id][out])
        assert err <= TOL, f"{s}: scaled error {err:.2e}"
    assert rec["[ppErk]"].max() > 10.0  # the insulin scenario does activate ERK


def test_glycogen_module_follows_kubota2012():
    """Kubota 2012's own simulation (1 nM insulin, consumed by the receptor), 0-60 min;
    pAKT replayed on a 0.01 min grid."""
    t, rec = record(
        "kubota2012.xml", np.linspace(0.0, 60.0, 6001), ["[pAKT]", "[pGSK3b]", "[GSK3b]"]
    )
    model = glycogen.standalone(t, {"pAKT": rec["[pAKT]"]})
    ds = pathjax.simulate(model, t[::100], rtol=RTOL, atol=ATOL)
    assert int(ds.status[0]) == 0
    total = rec["[pGSK3b]"][0] + rec["[GSK3b]"][0]
    err = scaled_error(ds["GSK3_inactive"].values[0] * total / 100.0, rec["[pGSK3b]"][::100])
    assert err <= TOL, f"GSK3_inactive: scaled error {err:.2e}"
