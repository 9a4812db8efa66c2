"""Sedaghat 2002 held against libRoadRunner: the stored reference and perturbed batches."""

import numpy as np
import pytest

import pathjax
from helpers import lognormal_perturbations, read_reference, roadrunner_batch, scaled_error

MODEL = pathjax.models.load("sedaghat2002")
T_REF, REF = read_reference("sedaghat2002_roadrunner.csv")
_, RULES = read_reference("sedaghat2002_roadrunner_rules.csv")
# The reference is libRoadRunner at rtol 1e-10; ours at rtol 1e-8 must agree to 1e-4
# (scaled by each trajectory's maximum), the project's bar for a ported model.
TOL = 1e-4


@pytest.fixture(scope="module")
def reference_run():
    return pathjax.simulate(MODEL, T_REF, rtol=1e-8, atol=1e-12)


def test_every_state_matches_reference(reference_run):
    ds = reference_run
    assert int(ds.status[0]) == 0
    checked = 0
    for name in MODEL.state_names:
        sid = MODEL.sbml_ids[name]
        err = scaled_error(ds[name].values[0], REF[sid])
        assert err <= TOL, f"{name} ({sid}): scaled error {err:.2e}"
        checked += 1
    assert checked == 20  # every state but insulin, which is an input here


def test_rules_match_reference(reference_run):
    ds = reference_run
    for name, sid in [
        ("PI3K_activity", "k9"),
        ("AKT_activation_rate", "k11"),
        ("PKC_activation_rate", "k12"),
        ("AKT_PKC_effect", "Effect"),
        ("GLUT4_exocytosis_stimulated", "k13prime"),
        ("IR_surface_phosphorylated", "x4x5"),
    ]:
        assert scaled_error(ds[name].values[0], RULES[sid]) <= TOL, name
    # k5 is 0 only at the initial instant in the SBML (no event has fired yet).
    assert scaled_error(ds["receptor_synthesis_rate"].values[0, 1:], RULES["k5"][1:]) <= TOL


def test_insulin_input_is_the_washout_protocol(reference_run):
    ins = reference_run["insulin_fM"].values[0]
    np.testing.assert_allclose(ins, REF["x1"])


def test_perturbed_batch_matches_roadrunner():
    """Six patients with every kinetic parameter spread log-normally (CV 20%), as one
    batch, against libRoadRunner run here on the same parameter sets."""
    # At t = 0 the intracellular receptor pool sits exactly on the synthesis set point
    # and rises only because k_endo_free * 900 exceeds k_exo_free * 100 by 6e-9 fM/min.
    # Perturbing the free-receptor cycling can make the pool fall instead and stick to
    # the threshold (a sliding mode of the two SBML events), where CVODE stalls; those
    # three constants are held at their published values.
    fixed = {"k_endo_free", "k_exo_free", "k_receptor_degradation"}
    perturbable = [
        p.name
        for p in MODEL.param_specs
        if p.kind == "kinetic" and p.name in MODEL.sbml_ids and p.name not in fixed
    ]
    sets = lognormal_perturbations(MODEL.default_params(), perturbable, n=6, cv=0.2, seed=7)
    t = np.linspace(0, 60, 61)
    params = {k: np.array([s[k] for s in sets]) for k in perturbable}
    ds = pathjax.simulate(MODEL, t, params, rtol=1e-8, atol=1e-12)
    assert np.all(ds.status.values == 0)
    sids = [MODEL.sbml_ids[n] for n in MODEL.state_names]
    rr_params = [{MODEL.sbml_ids[k]: s[k] for k in perturbable} for s in sets]
    ref = roadrunner_batch("sedaghat2002.xml", t, [f"[{s}]" for s in sids], rr_params)
    for j, name in enumerate(MODEL.state_names):
        err = scaled_error(ds[name].values, ref[:, :, j])
        assert err <= TOL, f"{name}: scaled error {err:.2e}"


def test_conserved_totals_and_nonnegativity(reference_run):
    ds = reference_run
    for law in MODEL.conservation:
        total = sum(w * ds[s].values[0] for s, w in law.weights)
        drift = np.max(np.abs(total - total[0])) / np.max(np.abs(total))
        assert drift < 1e-9, f"{law.name} drifts by {drift:.1e}"
    for name in MODEL.state_names:
        # tolerance: atol of the solve
        assert ds[name].values.min() > -1e-10, name


def test_batch_equals_single_runs():
    t = np.linspace(0, 60, 31)
    k7 = np.array([2.0, 4.16, 8.0])
    batch = pathjax.simulate(MODEL, t, {"k_IRS1_phos": k7}, rtol=1e-8, atol=1e-12)
    for i, v in enumerate(k7):
        single = pathjax.simulate(MODEL, t, {"k_IRS1_phos": float(v)}, rtol=1e-8, atol=1e-12)
        for name in ("GLUT4_surface", "AKT_active", "IRS1_pY"):
            # Each patient has its own step sizes, so batch and single runs take the same
            # steps and agree to rounding.
            np.testing.assert_allclose(
                batch[name].values[i], single[name].values[0], rtol=1e-12, atol=1e-12
            )
