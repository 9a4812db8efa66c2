"""pathjax.therapy: the Emax relation, the per-model mappings, combination, start times
and the direction and monotonicity of every therapy's effect on a T2D cohort.

Brännmark 2013 in batches of 8 patients, as in test_population (shared programs)."""

import math

import numpy as np
import pytest

import pathjax
from pathjax import population as pop
from pathjax import therapy as tx
from pathjax.model import Companions
from pathjax.summaries import ec50, hill

MODEL = "brannmark2013"
CHUNK = 8
T = np.linspace(0.0, 30.0, 7)
DOSES = [0.0, 0.3, 1.0, 3.0]  # multiples of the EC50
INSULIN = pathjax.Protocol.constant(insulin=1.0)  # submaximal: room for every therapy


def test_occupancy_is_the_emax_relation():
    assert tx.occupancy(0.0, 2.0) == 0.0
    assert tx.occupancy(2.0, 2.0) == 0.5
    assert tx.occupancy(6.0, 2.0, hill=2.0) == pytest.approx(36 / 40, rel=1e-15)
    d = np.array([0.0, 1.0, 1e12])
    np.testing.assert_allclose(tx.occupancy(d, 1.0), [0.0, 0.5, 1.0], rtol=1e-12)


def test_available_and_mappings_point_at_real_parameters():
    assert tx.available(MODEL) == ["receptor_agonist", "irs_modulator", "insulin_sensitizer"]
    for name in pathjax.models.available():
        model = pathjax.models.load(name)
        assert set(tx.available(model)) <= set(tx.CLASSES)
        defaults = model.default_params()
        for cls in tx.available(model):
            info = tx.describe(model, cls)
            assert info.description and info.source and info.targets
            for target in info.targets:
                spec = model.param_spec(target.parameter)  # raises if the name is wrong
                assert spec.kind != "structural"
            # dose 0 is neutral
            p, _ = tx.therapy(model, cls, 0.0)({}, None)
            assert all(float(v) == defaults[k] for k, v in p.items())


def test_composite_model_has_the_five_classes():
    if "insulin_resistance" not in pathjax.models.available():
        pytest.skip("insulin_resistance is not bundled yet")
    assert tx.available("insulin_resistance") == list(tx.CLASSES)
    model = pathjax.models.load("insulin_resistance")
    for cls in tx.CLASSES:
        for target in tx.describe(model, cls).targets:
            assert model.param_spec(target.parameter).kind == "intervention"


def test_transforms_compose_and_keep_per_patient_doses():
    both = tx.therapy(MODEL, "irs_modulator", [0.0, 1.0]) + tx.therapy(
        MODEL, "receptor_agonist", 3.0
    )
    p, proto = both({"k_IR_basal_autophos": 0.5}, "protocol-passes-through")
    assert proto == "protocol-passes-through"
    np.testing.assert_allclose(p["k_IRS1_tyr_dephos"], [3424.0, 3424.0 * (1 - 0.8 * 0.5)])
    assert p["k_IR_basal_autophos"] == pytest.approx(0.5 * (1 + 20.0 * 0.75))
    # two multiplicative effects on one parameter multiply (independent action)
    twice = tx.apply(MODEL, {}, None, [("irs_modulator", 1.0), ("irs_modulator", 1.0)])[0]
    assert twice["k_IRS1_tyr_dephos"] == pytest.approx(3424.0 * 0.6 * 0.6)


def test_bad_therapy_input_is_rejected():
    with pytest.raises(pathjax.InputError, match="Valid therapies: receptor_agonist"):
        tx.therapy(MODEL, "anti_inflammatory")
    with pytest.raises(pathjax.InputError, match="Did you mean 'irs_modulator'"):
        tx.therapy(MODEL, "irs_modulater")
    for dose, msg in ((-1.0, "negative"), (float("nan"), "NaN"), (np.inf, "inf"),
                      ([[1.0]], "1-D"), ("a", "number")):  # fmt: skip
        with pytest.raises(pathjax.InputError, match=msg):
            tx.therapy(MODEL, "irs_modulator", dose)
    with pytest.raises(pathjax.InputError, match="start"):
        tx.therapy(MODEL, "irs_modulator", 1.0, float("nan"))
    with pytest.raises(pathjax.InputError, match="chronically"):
        tx.therapy(MODEL, "insulin_sensitizer", 1.0, start=10.0)
    with pytest.raises(pathjax.InputError, match="no therapies"):
        bare = pathjax.models.load("sedaghat2002").replace(companions=Companions())
        tx.therapy(bare, "irs_modulator")
    with pytest.raises(pathjax.InputError, match="different lengths"):
        tx.simulate(
            MODEL, T, {"IR_total": [50.0, 60.0]}, therapies=("irs_modulator", [1.0, 2.0, 3.0])
        )


@pytest.mark.parametrize("therapy", ["receptor_agonist", "irs_modulator", "insulin_sensitizer"])
def test_each_therapy_raises_t2d_glucose_uptake_monotonically(therapy):
    # 2 T2D patients x 4 doses in one batch of 8; steady state at 30 min of 1 nM insulin.
    dr = pop.dose_response(MODEL, "t2d", therapy, DOSES, 2, seed=11, output="glucose_uptake",
                           t=T, protocol=INSULIN, chunk_size=CHUNK)  # fmt: skip
    r = dr["response"].values  # (patient, dose)
    assert np.all(np.isfinite(r))
    # the physiology: every class raises glucose uptake; more drug, more uptake (strictly,
    # by more than the solver tolerance of ~1e-6 relative)
    assert np.all(np.diff(r, axis=1) > 1e-4 * r[:, :-1])
    assert np.all(r[:, -1] > 1.02 * r[:, 0])
    assert np.isfinite(dr.attrs["ec50"]) and dr.attrs["ec50"] > 0


def test_timed_start_splits_the_run():
    params = pop.sample(MODEL, "t2d", CHUNK, seed=3, filter=False)
    proto = INSULIN.with_preequilibration(1000.0)
    # the split at 15 min solves [0, 15] and [15, 30] with 4 output times each
    off = tx.simulate(MODEL, T, params, proto, chunk_size=CHUNK)
    late = tx.simulate(MODEL, T, params, proto, ("irs_modulator", 3.0, 15.0), chunk_size=CHUNK)
    on = tx.simulate(MODEL, T, params, proto, ("irs_modulator", 3.0), chunk_size=CHUNK)
    g = "glucose_uptake"
    # before the start: untreated (the split reproduces the single solve within rtol 1e-6)
    np.testing.assert_allclose(late[g].values[:, :3], off[g].values[:, :3], rtol=1e-5)
    # at 15 min the state has not moved yet; after it: treated, above untreated
    np.testing.assert_allclose(late[g].values[:, 3], off[g].values[:, 3], rtol=1e-5)
    assert np.all(late[g].values[:, 4:] > 1.05 * off[g].values[:, 4:])
    assert np.all(on[g].values[:, 0] > off[g].values[:, 0])  # chronic: treated basal state
    np.testing.assert_allclose(late["params"].values, on["params"].values)
    assert np.all(late["status"].values == 0)
    assert '"start": 15.0' in late.attrs["therapies"]


def test_therapy_acts_on_the_model_it_was_given_not_the_bundled_one():
    # a modified model keeps its own defaults: GLUT4_total 50 -> 50 * (1 + 1.0 * 0.5)
    modified = pathjax.models.load(MODEL).with_defaults(GLUT4_total=50.0)
    params, _ = tx.therapy(modified, "insulin_sensitizer", dose=1.0)({}, None)
    assert float(params["GLUT4_total"]) == pytest.approx(75.0, rel=1e-15)
    # a therapy made on the bundled model, applied through the modified one, too
    bundled = tx.therapy(MODEL, "insulin_sensitizer", dose=1.0)
    params, _ = tx.apply(modified, {}, None, bundled)
    assert float(params["GLUT4_total"]) == pytest.approx(75.0, rel=1e-15)


def test_a_failed_earlier_stage_keeps_its_own_status_code(monkeypatch):
    import sys

    module = sys.modules["pathjax.simulate"]
    real = module.simulate
    calls = []

    def first_stage_fails_for_patient_0(*args, **kwargs):
        ds = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:  # the pre-equilibration stage
            status = ds["status"].values.copy()
            status[0] = int(pathjax.Status.NONFINITE)
            ds["status"] = ("patient", status, ds["status"].attrs)
        return ds

    monkeypatch.setattr(module, "simulate", first_stage_fails_for_patient_0)
    params = pop.sample(MODEL, "t2d", CHUNK, seed=3, filter=False)
    proto = INSULIN.with_preequilibration(1000.0)
    ds = tx.simulate(MODEL, T, params, proto, ("irs_modulator", 3.0, 0.0), chunk_size=CHUNK)
    assert len(calls) == 2  # pre-equilibration, then the treated run from t = 0
    assert int(ds["status"].values[0]) == int(pathjax.Status.NONFINITE)  # was MAX_STEPS
    assert np.all(ds["status"].values[1:] == 0)
    assert np.all(np.isnan(ds["glucose_uptake"].values[0]))


def test_ec50_fit_recovers_a_known_curve():
    d = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0])
    fit = ec50(d, hill(d, 5.0, 2.0, 0.7, 1.3))  # a falling curve
    assert fit["ec50"] == pytest.approx(0.7, rel=1e-4)
    assert fit["hill"] == pytest.approx(1.3, rel=1e-4)
    with pytest.raises(pathjax.InputError, match="4 distinct"):
        ec50([0, 1, 2], [1, 2, 3])
    with pytest.raises(pathjax.InputError, match="does not change"):
        ec50(d, np.ones_like(d))


COMPOSITE = "insulin_resistance"


@pytest.mark.parametrize("therapy", list(tx.CLASSES))
def test_composite_t2d_glucose_uptake_rises_with_every_therapy(therapy):
    """Every class raises the insulin-stimulated glucose uptake of T2D patients'
    adipocytes (from each patient's chronic fasting state, 1 nM insulin ex vivo for
    10 min: the composite's ``assay`` protocol), more drug more uptake. The cell is
    judged at fixed insulin because in the closed loop compensating insulin secretion
    hides much of a cellular change (docs/insulin_resistance.md)."""
    from pathjax.models import insulin_resistance as ir

    # 2 T2D patients x 4 doses in one batch of 8, one compiled program for every class
    dr = pop.dose_response(COMPOSITE, "t2d", therapy, DOSES, 2, seed=0, output="glucose_uptake",
                           t=[0.0, 10.0], protocol=ir.assay(1.0), chunk_size=CHUNK)  # fmt: skip
    r = dr["response"].values
    assert np.all(np.isfinite(r))
    assert np.all(np.diff(r, axis=1) > 1e-4 * r[:, :-1]), r


def test_an_early_therapy_follows_a_steady_state_preequilibration():
    """A therapy starting at t0 begins from the untreated basal state: the steady state
    (preequilibrate=math.inf) gives what a long integration gives."""
    m = pathjax.models.load("brannmark2013")  # (Sedaghat 2002 has no basal steady state:
    t = np.linspace(0.0, 30.0, 4)  # its receptor is made and never degraded)
    therapy = ("irs_modulator", 2.0, 0.0)
    ds = {
        pre: tx.simulate(
            m,
            t,
            protocol=m.default_protocol.with_preequilibration(pre),
            therapies=therapy,
            rtol=1e-9,
            atol=1e-12,
        )  # fmt: skip
        for pre in (math.inf, 5000.0)
    }
    assert (ds[math.inf]["status"].values == 0).all()
    np.testing.assert_allclose(ds[math.inf]["glucose_uptake"].values,
                               ds[5000.0]["glucose_uptake"].values, rtol=1e-6)  # fmt: skip
