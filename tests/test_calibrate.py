"""Calibration of Brännmark 2013 to the human adipocyte data: the data mapping, the
batched optimiser, the objective's gradient, fits no worse than the published parameters,
fit.json/predictions.csv consistency, libRoadRunner re-simulation of the fitted rows,
recovery of known parameters from synthetic data, and bad input.

Every fit here uses 2 starts and 3 fitted parameters, so that one compiled objective
(forward mode) serves all of them; full fits are for the CLI (see docs/calibration.md).
"""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2 as chi2_dist

import pathjax
from helpers import roadrunner_basal_then_insulin, scaled_error
from pathjax import InputError, calibrate
from pathjax.calibrate import _fit
from pathjax.calibrate._objective import Problem, make_design, pack

DATA = calibrate.bundled_data()
MODEL = pathjax.models.load("brannmark2013")
STARTS = 2
CI_PARAMS = ["k_IRS1_S307_phos_by_mTORC1", "k_PKB_S473_dephos", "k_AS160_dephos"]
CI = dict(starts=STARTS, seed=1, adam_steps=6, lbfgs_steps=4)
# libRoadRunner at rtol 1e-10 against our final evaluation at rtol 1e-8: the project's
# bar for a ported model, scaled by each data set's largest model value.
RR_TOL = 1e-4


@pytest.fixture(scope="module")
def normal_fit():
    return calibrate.fit("brannmark2013", DATA, "normal", params=CI_PARAMS, **CI)


@pytest.fixture(scope="module")
def t2d_fit(normal_fit):
    return calibrate.fit("brannmark2013", DATA, "t2d", base=normal_fit, **CI)


# ---- data mapping --------------------------------------------------------------------


def test_observations_map_the_data():
    obs = calibrate.load_observations(DATA, "normal")
    t = obs.table
    # 10-min dose responses: the 1e-12 M stand-in for "no insulin" is the baseline, which
    # is zero by construction and left out; concentrations are converted from M to nM
    ir = t[t["dataset"] == "IR_dr_n"]
    assert ir["insulin_nM"].tolist() == pytest.approx([0.01, 0.1, 0.3, 1.0, 10.0, 100.0])
    assert set(ir["time"]) == {10.0} and ir["baseline"].all()
    # glucose uptake is read at 30 min (middle of the 15-45 min 2-DG window)
    assert set(t.loc[t["readout"] == "glucoseuptake", "time"]) == {30.0}
    # time courses at 10 nM, one scale shared by both arms
    s6k = t[t["dataset"] == "S6K_time_n"]
    assert set(s6k["insulin_nM"]) == {10.0} and s6k["shared"].all()
    assert (s6k["group"] == "S6K_time").all()
    # PKB-Ser473 time courses are % of each arm's maximum: own scale
    assert set(t.loc[t["dataset"] == "PKB473_time_n", "group"]) == {"PKB473_time_n"}
    # two-point data: basal (no insulin) and 10 nM at 10 min
    assert t.loc[t["dataset"] == "IR_2p_n", "insulin_nM"].tolist() == [0.0, 10.0]
    assert (t["sem"] > 0).all() and len(t) == 131
    d = calibrate.load_observations(DATA, "t2d").table
    assert set(d["arm"]) == {"d"} and "S6_dr_d" not in set(d["dataset"])
    # the SEM = 0 reference point (100 % at 100 nM) of the diabetic IRS1 dose response
    assert d.loc[d["dataset"] == "IRS1_dr_d", "insulin_nM"].max() == 10.0


def test_the_bundled_data_are_the_default():
    # no folder given: the data shipped with the package, read through importlib.resources
    default = calibrate.load_observations(condition="normal")
    assert default.source == str(DATA)
    pd.testing.assert_frame_equal(default.table, calibrate.load_observations(DATA).table)
    assert len(default.table) == 131
    assert _fit._data.provenance(DATA)["commit"] == "511fef316d594447523cd54f766205d3e6379b30"


def test_skipped_datasets_are_explained():
    for name in ("EC50", "IRS1_ds", "PKB473_time_renorm", "ERK_time", "GLU_time"):
        assert name in calibrate.SKIPPED
        with pytest.raises(InputError, match="is not used"):
            calibrate.load_observations(DATA, "normal", [name])
    mapped = {s.name for s in calibrate.BRANNMARK2013}
    assert not mapped & set(calibrate.SKIPPED)


# ---- the optimiser on its own ---------------------------------------------------------


def test_minimize_batches_independent_starts_and_masks_failures():
    """Three shifted Rosenbrock functions at once; start 2 always fails and must neither
    move nor disturb the others."""
    target = np.array([[1.0, 1.0], [0.5, 0.25], [0.0, 0.0]])

    def vg(theta):
        x, y = theta[:, 0] - target[:, 0] + 1, theta[:, 1] - target[:, 1] + 1
        f = (1 - x) ** 2 + 10 * (y - x**2) ** 2
        g = np.stack([-2 * (1 - x) - 40 * x * (y - x**2), 20 * (y - x**2)], axis=1)
        ok = np.array([True, True, False])
        return np.where(ok, f, np.nan), g, ok

    theta0 = np.array([[-1.0, 2.0], [2.0, -1.0], [0.3, 0.3]])
    res = calibrate.minimize(vg, theta0, np.array([-3.0, -3.0]), np.array([3.0, 3.0]),
                             adam_steps=100, lbfgs_steps=100, learning_rate=0.05)  # fmt: skip
    assert np.allclose(res.theta[:2], target[:2], atol=1e-4), res.theta
    assert np.isinf(res.chi2[2]) and np.array_equal(res.theta[2], theta0[2])
    assert np.all(np.diff(res.history[:, :2], axis=0) <= 0)  # best-so-far never rises


# ---- the objective --------------------------------------------------------------------


def test_gradient_matches_finite_differences(normal_fit):
    """Forward-mode gradient of the χ² through the solver against central differences
    of the same objective (step 1e-4 in log space; agreement to 1e-5 relative, set by
    the solver tolerance of this check, rtol 1e-11: at 1e-10 the step sequences of the
    shifted solves differ enough to move the differences by 3e-5)."""
    obs = calibrate.load_observations(DATA, "normal")
    design = make_design(MODEL, [obs.table, calibrate.load_observations(DATA, "t2d").table])
    problem = Problem(MODEL, design, CI_PARAMS, MODEL.default_params())
    packed = pack(design, obs.table)
    theta = np.tile(problem.log_params(MODEL.default_params()), (STARTS, 1))
    theta[1] += np.array([0.3, -0.2, 0.1])
    kw = dict(rtol=1e-11, atol=1e-15)
    ev = problem.evaluate(theta, packed, "forward", **kw)
    h = 1e-4
    for j in range(len(CI_PARAMS)):
        up, down = theta.copy(), theta.copy()
        up[:, j] += h
        down[:, j] -= h
        fd = (
            problem.evaluate(up, packed, "forward", **kw).chi2
            - problem.evaluate(down, packed, "forward", **kw).chi2
        ) / (2 * h)
        assert np.allclose(ev.grad[:, j], fd, rtol=1e-5, atol=1e-6), (j, ev.grad[:, j], fd)


def test_reverse_gradient_equals_forward():
    """The reverse-mode gradient (the engine's checkpointed loop, pre-equilibrated once
    per start) equals the forward-mode one (pre-equilibrated per patient): the same
    method on different steps, so to the solver tolerance."""
    obs = calibrate.load_observations(DATA, "normal")
    design = make_design(MODEL, [obs.table])
    problem = Problem(MODEL, design, CI_PARAMS, MODEL.default_params())
    packed = pack(design, obs.table)
    theta = np.tile(problem.log_params(MODEL.default_params()), (2, 1))
    theta[1] += np.array([0.3, -0.2, 0.1])
    kw = dict(rtol=1e-10, atol=1e-14)
    fwd = problem.evaluate(theta, packed, "forward", **kw)
    rev = problem.evaluate(theta, packed, "reverse", **kw)
    assert np.all(fwd.ok) and np.all(rev.ok)
    np.testing.assert_allclose(rev.chi2, fwd.chi2, rtol=1e-7)
    np.testing.assert_allclose(rev.grad, fwd.grad, rtol=1e-5, atol=1e-6)


# ---- fits ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["normal", "t2d"])
def test_fit_is_no_worse_than_published(which, normal_fit, t2d_fit):
    res = normal_fit if which == "normal" else t2d_fit
    print(res)
    assert res.chi2 <= res.chi2_published
    assert res.chi2 < res.chi2_published - 1.0  # the few iterations here do improve it
    assert res.threshold == pytest.approx(chi2_dist.ppf(0.95, res.n_data))


def test_t2d_changes_only_the_diabetes_parameters(normal_fit, t2d_fit):
    assert t2d_fit.fitted == list(calibrate.DIABETES_PARAMETERS)
    for k, v in t2d_fit.params.items():
        if k not in calibrate.DIABETES_PARAMETERS:
            assert v == normal_fit.params[k], k
    # data measured on one scale for both arms keep the normal fit's scale
    assert "IRS1307_time" in t2d_fit.scales_fixed
    for g in t2d_fit.scales_fixed:
        assert t2d_fit.scales[g] == pytest.approx(normal_fit.scales[g], rel=1e-12)
    assert "IR_dr_d" not in t2d_fit.scales_fixed  # % of the diabetic arm's maximum
    cmp = t2d_fit.info["diabetes_comparison"]
    assert cmp["diabetes"]["brannmark2013"] == 0.15
    assert math.isfinite(t2d_fit.info["chi2_published_model"])


@pytest.mark.parametrize("which", ["normal", "t2d"])
def test_saved_chi2_is_the_sum_over_predictions(which, normal_fit, t2d_fit, tmp_path):
    res = normal_fit if which == "normal" else t2d_fit
    paths = res.save(tmp_path)
    info = json.loads(paths["fit"].read_text())
    pred = pd.read_csv(paths["predictions"])
    assert list(pred.columns) == ["dataset", "readout", "time", "insulin_nM", "model", "data",
                                  "sem"]  # fmt: skip
    total = float((((pred["model"] - pred["data"]) / pred["sem"]) ** 2).sum())
    assert info["chi2"] == pytest.approx(total, rel=1e-10)
    assert info["n_data"] == len(pred)
    assert info["chi2_published"] >= info["chi2"]
    assert info["chi2_threshold"] == pytest.approx(chi2_dist.ppf(0.95, len(pred)))
    assert set(info["params"]) == set(MODEL.param_names)
    for name, sid in info["sbml_ids"].items():
        assert info["params_sbml"][sid] == info["params"][name]
    assert paths["plot"].stat().st_size > 10_000


@pytest.mark.parametrize("which", ["normal", "t2d"])
def test_predictions_match_roadrunner(which, normal_fit, t2d_fit):
    """Every fitted row re-simulated in libRoadRunner (BIOMD0000000448 with the fitted
    parameters set by SBML id, receptor and GLUT4 initial amounts scaled by IR_total and
    GLUT4_total, 1000 min at no insulin, then the row's insulin from t = 0), times the
    row's scale, minus the basal readout for baseline-subtracted data."""
    res = normal_fit if which == "normal" else t2d_fit
    table = calibrate.load_observations(DATA, which).table
    pred = res.predictions
    assert (pred["dataset"].to_numpy() == table["dataset"].to_numpy()).all()
    sbml = MODEL.sbml_ids
    params = {sbml[k]: v for k, v in res.params.items() if k in sbml}
    init = {}
    for spec in MODEL.state_specs:
        if spec.name.startswith("IR") and not spec.name.startswith("IRS1"):
            init[sbml[spec.name]] = spec.default * res.params["IR_total"] / 100.0
        elif spec.name.startswith("GLUT4"):
            init[sbml[spec.name]] = spec.default * res.params["GLUT4_total"] / 100.0
    readouts = sorted(set(table["readout"]))
    times = np.unique(table["time"])
    sims = {
        dose: roadrunner_basal_then_insulin(
            "brannmark2013_normal.xml", params, init, dose, times, readouts
        )
        for dose in np.unique(np.concatenate([[0.0], table["insulin_nM"]]))
    }

    def value(dose, t, readout):
        return sims[dose][np.searchsorted(times, t), readouts.index(readout)]

    ours = []
    for row in table.itertuples():
        x = value(row.insulin_nM, row.time, row.readout)
        if row.baseline:
            x -= value(0.0, row.time, row.readout)
        ours.append(res.scales[row.group] * x)
    ours = np.array(ours)
    worst = 0.0
    for name in dict.fromkeys(table["dataset"]):
        sel = (table["dataset"] == name).to_numpy()
        worst = max(worst, scaled_error(pred["model"].to_numpy()[sel], ours[sel]))
    print(f"{which}: worst scaled error vs libRoadRunner {worst:.1e}")
    assert worst <= RR_TOL


def test_recovers_known_parameters_from_synthetic_data():
    """Data made by the model itself at known parameters (published values times 2, 0.5
    and 1.5), SEM 2 % of each data set's range plus 5 % of the value; fitting those three
    parameters from the published point and a Latin-hypercube start recovers them to
    1 % and brings χ² near 0."""
    obs = calibrate.load_observations(DATA, "normal")
    table = obs.table
    design = make_design(MODEL, [table, calibrate.load_observations(DATA, "t2d").table])
    truth = dict(MODEL.default_params())
    for name, factor in zip(CI_PARAMS, (2.0, 0.5, 1.5), strict=True):
        truth[name] *= factor
    problem = Problem(MODEL, design, CI_PARAMS, MODEL.default_params())
    ones = pack(design, table, {g: 1.0 for g in set(table["group"])})
    theta = np.tile(problem.log_params(truth), (STARTS, 1))
    x = problem.evaluate(theta, ones, "forward", rtol=1e-10, atol=1e-14).model[:, 0]
    spans = pd.Series(np.abs(x)).groupby(table["dataset"].to_numpy()).transform("max")
    synthetic = table.assign(data=x, sem=0.02 * spans.to_numpy() + 0.05 * np.abs(x))
    bounds = {k: (truth[k] / 10, truth[k] * 10) for k in CI_PARAMS}
    res = calibrate.fit(
        "brannmark2013", DATA, "normal", params=CI_PARAMS, bounds=bounds,
        observations=obs._replace(table=synthetic), starts=STARTS, seed=1, adam_steps=10,
        lbfgs_steps=25, learning_rate=0.1,
    )  # fmt: skip
    print(res, res.starts, sep="\n")
    for name in CI_PARAMS:
        assert res.params[name] == pytest.approx(truth[name], rel=1e-2), name
    assert res.chi2 < 1e-2 * res.chi2_published


# ---- bad input -------------------------------------------------------------------------


@pytest.fixture
def no_compile(monkeypatch):
    """Fail if anything is evaluated (so the error comes before compiling)."""

    def boom(*args, **kwargs):
        raise AssertionError("evaluated the objective before rejecting the input")

    monkeypatch.setattr(_fit.Problem, "evaluate", boom)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(model="sedaghat2002"), "unknown calibration model"),
        (dict(model="brannmark2013_diabetic"), "condition 't2d'"),
        (dict(condition="prediabetic"), "condition must be one of"),
        (dict(data="/nonexistent/folder"), "does not exist"),
        (dict(starts=0), "starts must be an integer >= 1"),
        (dict(starts=2.5), "starts must be an integer"),
        (dict(seed=-1), "seed must be"),
        (dict(params=["k_nonsense"]), "unknown parameter"),
        (dict(params=["scale_IR_pY"]), "closed form"),
        (dict(params=["k_AS160_dephos", "k_AS160_dephos"]), "twice"),
        (dict(datasets=["IR_drr"]), "unknown data set"),
        (dict(datasets=["S6_dr"], condition="t2d"), "no t2d"),
        (dict(bounds={"k_AS160_dephos": (5.0, 1.0)}, params=["k_AS160_dephos"]), "lower < upper"),
        (dict(bounds={"k_glucose_uptake_GLUT1": (1.0, 2.0)}), "not fitted"),
        (dict(base="published"), "t2d' only"),
        (dict(condition="t2d", base="/nonexistent/fit.json"), "does not exist"),
        (dict(mode="sideways"), "mode must be"),
        (dict(adam_steps=-1), "adam_steps"),
        (dict(rtol=0.0), "rtol"),
    ],
)
def test_bad_input_is_rejected_before_compiling(kwargs, match, no_compile):
    args = dict(model="brannmark2013", data=DATA, condition="normal")
    args.update(kwargs)
    with pytest.raises(InputError, match=match):
        calibrate.fit(args.pop("model"), args.pop("data"), args.pop("condition"), **args)


def test_the_data_mapping_is_read_from_the_model_object(no_compile):
    # a renamed copy keeps Brännmark's calibration companion and gets past the model check
    renamed = MODEL.replace(name="renamed")
    with pytest.raises(InputError, match="unknown parameter 'k_nonsense'"):
        calibrate.fit(renamed, DATA, params=["k_nonsense"])
    # the same equations without it have nothing to be calibrated against
    bare = MODEL.replace(companions=pathjax.model.Companions())
    with pytest.raises(InputError, match="unknown calibration model 'brannmark2013'"):
        calibrate.fit(bare, DATA)
