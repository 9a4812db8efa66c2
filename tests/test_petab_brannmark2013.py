"""The Brännmark 2013 calibration as one PEtab problem (src/pathjax/data/petab/
brannmark2013, written by benchmarks/make_brannmark2013_petab.py) against the dedicated
code path of `pathjax.calibrate`.

At the published parameters (BIOMD0000000448's kinetics; the T2D conditions at the
catalogue's published diabetes values) both are evaluated here: the existing path's χ²
of each arm (scales in closed form; for the T2D arm the scales shared with the normal
arm fixed at the normal arm's, as `calibrate.fit` does) and the PEtab problem's
simulation table with every scale at 1, to which the same closed-form scales are
applied. Per arm the χ² agree, every scaled model value agrees (which checks the
baseline subtraction by the frozen ``<readout>_basal`` species point by point), and the
PEtab likelihood at those scales is the χ² up to its constant.
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pathjax
from pathjax import calibrate
from pathjax.calibrate._objective import Problem, make_design, pack

FOLDER = Path(pathjax.__file__).resolve().parent / "data" / "petab" / "brannmark2013"
MODEL = pathjax.models.load("brannmark2013")
DIABETES = list(calibrate.DIABETES_PARAMETERS)
ARMS = {"normal": "n", "t2d": "d"}
TOL = dict(rtol=1e-8, atol=1e-12)  # the existing path's final tolerances = PEtab's defaults


@pytest.fixture(scope="module")
def existing():
    """The existing path at the published parameters: per arm the observations, χ²,
    scaled model values and scales."""
    tables = {c: calibrate.load_observations(None, c).table for c in ARMS}
    design = make_design(MODEL, list(tables.values()))
    problem = Problem(MODEL, design, DIABETES, MODEL.default_params())
    published = MODEL.default_params()
    diabetic = {**published, **MODEL.companions.calibration().disease_values}
    out = {}
    normal = pack(design, tables["normal"])
    ev = problem.evaluate(problem.log_params(published)[None], normal, "value", **TOL)
    scales = dict(zip(normal.groups, ev.scales[:, 0].tolist(), strict=True))
    out["normal"] = (tables["normal"], float(ev.chi2[0]), ev.model[:, 0], scales)
    t2d = tables["t2d"]
    shared = set(t2d.loc[t2d["shared"], "group"])
    packed = pack(design, t2d, {g: v for g, v in scales.items() if g in shared})
    ev = problem.evaluate(problem.log_params(diabetic)[None], packed, "value", **TOL)
    scales_d = dict(zip(packed.groups, ev.scales[:, 0].tolist(), strict=True))
    out["t2d"] = (t2d, float(ev.chi2[0]), ev.model[:, 0], scales_d)
    assert ev.ok.all()
    return out


@pytest.fixture(scope="module")
def problem():
    return pathjax.petab.load(FOLDER / "problem.yaml")


@pytest.fixture(scope="module")
def unscaled(problem):
    """The measurement table with the simulation at the published parameters with every
    scale factor 1 beside the measurements."""
    ones = {p: 1.0 for p in problem.parameter_ids if p.startswith("scale_")}
    table = problem.spec.measurement_df.reset_index(drop=True).copy()
    table["simulation"] = problem.simulation_table(ones)["simulation"].to_numpy()
    assert np.isfinite(table["simulation"]).all()
    return table


def _arm(table: pd.DataFrame) -> np.ndarray:
    return table["preequilibrationConditionId"].str.removesuffix("_basal").to_numpy()


def closed_form_scales(table: pd.DataFrame, x: np.ndarray) -> dict[str, float]:
    """argmin_s Σ ((s x - y) / sem)^2, s >= 0, per scale parameter: over the normal
    arm's points where the group has any (the T2D arm then uses the normal arm's scale,
    as the existing path does), else over the group's own points."""
    y = table["measurement"].to_numpy(float)
    w = 1.0 / table["noiseParameters"].astype(float).to_numpy() ** 2
    arm = _arm(table)
    out = {}
    for g in dict.fromkeys(table["observableParameters"]):
        sel = (table["observableParameters"] == g).to_numpy()
        if (sel & (arm == "normal")).any():
            sel = sel & (arm == "normal")
        out[g] = max(float(np.sum(w[sel] * x[sel] * y[sel]) / np.sum(w[sel] * x[sel] ** 2)), 0.0)
    return out


def test_the_problem_loads(problem):
    cond = pd.read_csv(FOLDER / "conditions.tsv", sep="\t", index_col=0)
    params = pd.read_csv(FOLDER / "parameters.tsv", sep="\t", index_col=0)
    # one condition per (arm, insulin concentration); the basal one tracks the readouts
    assert problem.n_experiments == 16 and len(cond) == 16
    assert (cond.loc[["normal_basal", "t2d_basal"], "tracking"] == 1).all()
    assert (cond.drop(index=["normal_basal", "t2d_basal"])["tracking"] == 0).all()
    # the diabetes parameters: estimated in the T2D conditions only
    for p in DIABETES:
        assert set(cond.loc[cond.index.str.startswith("normal"), p]) == {f"{p}_normal"}
        assert set(cond.loc[cond.index.str.startswith("t2d"), p]) == {f"{p}_t2d"}
        assert f"{p}_t2d" in problem.parameter_ids and f"{p}_normal" not in problem.parameter_ids
        assert problem.nominal[f"{p}_normal"] == MODEL.default_params()[p]
    # every rate constant and Hill exponent that calibrate.fit fits is estimated, shared
    fitted = calibrate.default_parameters(MODEL, "normal")
    assert len(fitted) == 41
    sbml = MODEL.sbml_ids
    assert {sbml[p] for p in fitted} <= set(problem.parameter_ids)
    assert params.loc[sbml["k_glucose_uptake_GLUT1"], "estimate"] == 0
    # scale factors: log10, one per group of the catalogue
    groups = {g for c in ARMS for g in calibrate.load_observations(None, c).table["group"]}
    scales = {p for p in problem.parameter_ids if p.startswith("scale_")}
    assert scales == {f"scale_{g}" for g in groups}
    assert set(params.loc[sorted(scales), "parameterScale"]) == {"log10"}
    assert problem.n_measurements == 131 + 124


def test_the_measurements_are_the_catalogues_data(problem, existing):
    m = problem.spec.measurement_df.reset_index(drop=True)
    cond = pd.read_csv(FOLDER / "conditions.tsv", sep="\t", index_col=0)
    obs = pd.concat([existing[c][0] for c in ARMS], ignore_index=True)
    assert m["datasetId"].tolist() == obs["dataset"].tolist()
    np.testing.assert_array_equal(m["measurement"].to_numpy(float), obs["data"].to_numpy())
    np.testing.assert_array_equal(m["noiseParameters"].astype(float), obs["sem"].to_numpy())
    np.testing.assert_array_equal(m["time"].to_numpy(float), obs["time"].to_numpy())
    insulin = cond.loc[m["simulationConditionId"], "insulin"].to_numpy(float)
    np.testing.assert_array_equal(insulin, obs["insulin_nM"].to_numpy())
    assert (m["observableParameters"] == "scale_" + obs["group"]).all()
    assert (_arm(m) == np.where(obs["arm"] == "n", "normal", "t2d")).all()
    # baseline-subtracted data read the readout minus its frozen basal value
    formulas = pd.read_csv(FOLDER / "observables.tsv", sep="\t", index_col=0)["observableFormula"]
    for spec in calibrate.BRANNMARK2013:
        assert (f"{spec.readout}_basal" in formulas[spec.name]) == spec.baseline


def test_chi2_per_arm_matches_the_existing_path(problem, existing, unscaled):
    x = unscaled["simulation"].to_numpy()
    scales = closed_form_scales(unscaled, x)
    s = unscaled["observableParameters"].map(scales).to_numpy()
    y = unscaled["measurement"].to_numpy(float)
    sem = unscaled["noiseParameters"].astype(float).to_numpy()
    arm = _arm(unscaled)
    for condition in ARMS:
        table, chi2, model_values, existing_scales = existing[condition]
        sel = arm == condition
        ours = float(np.sum(((s[sel] * x[sel] - y[sel]) / sem[sel]) ** 2))
        print(f"{condition}: χ² PEtab {ours:.6f}, calibrate {chi2:.6f}")
        assert ours == pytest.approx(chi2, rel=1e-3)
        # point by point (the baseline subtraction is exact): within 1e-6 of each data
        # set's largest model value
        ours_values = s[sel] * x[sel]
        for name in dict.fromkeys(table["dataset"]):
            d = (table["dataset"] == name).to_numpy()
            span = np.max(np.abs(model_values[d]))
            assert np.max(np.abs(ours_values[d] - model_values[d])) <= 1e-6 * span, name
        # the same scales; glucose uptake is 30 min x the rate here, the rate there
        for g, v in existing_scales.items():
            factor = 30.0 if g.startswith("GLUCOSE") else 1.0
            assert scales[f"scale_{g}"] * factor == pytest.approx(v, rel=1e-6), g


def test_nllh_is_the_chi2_up_to_its_constant(problem, existing, unscaled):
    """Normal noise with the SEM as σ: 2 nllh - Σ log(2π σ²) = χ² of both arms, at the
    closed-form scales and at the nominal ones (those scales rounded to 6 digits)."""
    x = unscaled["simulation"].to_numpy()
    scales = closed_form_scales(unscaled, x)
    sem = unscaled["noiseParameters"].astype(float).to_numpy()
    const = float(np.sum(np.log(2 * math.pi * sem**2)))
    total = existing["normal"][1] + existing["t2d"][1]
    assert 2 * problem.nllh(scales) - const == pytest.approx(total, rel=1e-6)
    for g, v in scales.items():
        assert problem.nominal[g] == pytest.approx(v, rel=1e-5), g
    assert 2 * problem.nllh() - const == pytest.approx(total, rel=1e-5)
