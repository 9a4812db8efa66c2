"""The Brännmark 2013 calibration as one PEtab problem (src/pathjax/data/petab/
brannmark2013, written by benchmarks/make_brannmark2013_petab.py) against the data it
was made from and against the hand-written Python model `brannmark2013`.

* The measurement table is the generator's catalogue read from the shipped CSV files
  (values, SEMs, times, insulin concentrations, scale groups, arms).
* At the published parameters (BIOMD0000000448's kinetics; the T2D conditions at
  BIOMD0000000449's diabetes values) the problem's simulation table with every scale at
  1 equals, point by point, the Python model simulated by `pathjax.simulate`: 1000 min at
  no insulin by integration (the problem pre-equilibrates by Newton's method), then the
  point's insulin from t = 0, the readout minus the basal simulation's for
  baseline-subtracted data (the problem: its frozen ``<readout>_basal`` species), 30 x the
  rate for glucose uptake.
* With the closed-form scale factors (over the normal arm's points for a scale shared by
  both arms) the χ² of each arm is the published one (295.957 normal, 841.944 T2D), the
  nominal scale factors are those scales, and the PEtab likelihood is the χ² up to its
  constant.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pathjax

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(pathjax.__file__).resolve().parent / "data" / "petab" / "brannmark2013"
MODEL = pathjax.models.load("brannmark2013")
DIABETIC = pathjax.models.load("brannmark2013_diabetic")
ARMS = {"normal": "n", "t2d": "d"}
PUBLISHED_CHI2 = {"normal": 295.957, "t2d": 841.944}
# The reference solve: rtol 1e-10 against the problem's 1e-8 (pathjax.petab.load's
# default); every model value agrees to 1e-6 of its data set's largest (6e-9 measured).
REFERENCE_TOL = dict(rtol=1e-10, atol=1e-12)


def _load_generator():
    path = ROOT / "benchmarks" / "make_brannmark2013_petab.py"
    spec = importlib.util.spec_from_file_location("make_brannmark2013_petab", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()
SPECS = {s.name: s for s in GENERATOR.DATASETS}


@pytest.fixture(scope="module")
def problem():
    return pathjax.petab.load(pathjax.petab.bundled("brannmark2013"))


@pytest.fixture(scope="module")
def table(problem):
    """The measurement table with the insulin of each row's condition, its arm, and the
    problem's simulation at the published parameters with every scale factor 1."""
    ones = {p: 1.0 for p in problem.parameter_ids if p.startswith("scale_")}
    cond = pd.read_csv(FOLDER / "conditions.tsv", sep="\t", index_col=0)
    out = problem.spec.measurement_df.reset_index(drop=True).copy()
    out["insulin"] = cond.loc[out["simulationConditionId"], "insulin"].to_numpy(float)
    out["arm"] = out["preequilibrationConditionId"].str.removesuffix("_basal")
    out["simulation"] = problem.simulation_table(ones)["simulation"].to_numpy()
    assert np.isfinite(out["simulation"]).all()
    return out


@pytest.fixture(scope="module")
def reference(table):
    """The Python model's value of every row, unscaled (one batch: arm x insulin)."""
    doses = np.unique(np.concatenate([[0.0], table["insulin"].to_numpy()]))
    times = np.unique(table["time"].to_numpy(float))
    published = MODEL.default_params()
    diabetic = {
        **published,
        **{k: DIABETIC.default_params()[k] for k in GENERATOR.DIABETES_PARAMETERS},
    }
    cells = [(arm, dose) for arm in ARMS for dose in doses]
    params = {k: np.array([(published if a == "normal" else diabetic)[k] for a, _ in cells])
              for k in published}  # fmt: skip
    protocol = pathjax.Protocol.constant(insulin=np.array([d for _, d in cells]))
    ds = pathjax.simulate(MODEL, times, params, protocol.with_preequilibration(1000.0),
                          **REFERENCE_TOL)  # fmt: skip
    assert int((ds["status"] != 0).sum()) == 0

    def value(readout: str, arm: str, dose: float, t: float) -> float:
        patient = cells.index((arm, dose))
        return float(ds[readout].values[patient, np.searchsorted(times, t)])

    out = []
    for row in table.itertuples():
        spec = SPECS[row.observableId]
        x = value(spec.readout, row.arm, row.insulin, row.time)
        if spec.baseline:
            x -= value(spec.readout, row.arm, 0.0, row.time)
        out.append(GENERATOR.UPTAKE_WINDOW * x if spec.readout == "glucoseuptake" else x)
    return np.array(out)


def closed_form_scales(table: pd.DataFrame, x: np.ndarray) -> dict[str, float]:
    """argmin_s Σ ((s x - y) / sem)^2, s >= 0, per scale parameter: over the normal
    arm's points where the group has any (a scale shared by both arms is the normal
    arm's), else over the group's own points."""
    y = table["measurement"].to_numpy(float)
    w = 1.0 / table["noiseParameters"].astype(float).to_numpy() ** 2
    normal = (table["arm"] == "normal").to_numpy()
    out = {}
    for g in dict.fromkeys(table["observableParameters"]):
        sel = (table["observableParameters"] == g).to_numpy()
        if (sel & normal).any():
            sel = sel & normal
        out[g] = max(float(np.sum(w[sel] * x[sel] * y[sel]) / np.sum(w[sel] * x[sel] ** 2)), 0.0)
    return out


def chi2_per_arm(table: pd.DataFrame, x: np.ndarray, scales: dict) -> dict[str, float]:
    s = table["observableParameters"].map(scales).to_numpy()
    r = (s * x - table["measurement"].to_numpy(float)) / table["noiseParameters"].astype(
        float
    ).to_numpy()
    return {arm: float(np.sum(r[(table["arm"] == arm).to_numpy()] ** 2)) for arm in ARMS}


def test_the_problem_loads(problem):
    cond = pd.read_csv(FOLDER / "conditions.tsv", sep="\t", index_col=0)
    params = pd.read_csv(FOLDER / "parameters.tsv", sep="\t", index_col=0)
    # one condition per (arm, insulin concentration); the basal one tracks the readouts
    assert problem.n_experiments == 16 and len(cond) == 16
    assert (cond.loc[["normal_basal", "t2d_basal"], "tracking"] == 1).all()
    assert (cond.drop(index=["normal_basal", "t2d_basal"])["tracking"] == 0).all()
    # the diabetes parameters: estimated in the T2D conditions only
    for p in GENERATOR.DIABETES_PARAMETERS:
        assert set(cond.loc[cond.index.str.startswith("normal"), p]) == {f"{p}_normal"}
        assert set(cond.loc[cond.index.str.startswith("t2d"), p]) == {f"{p}_t2d"}
        assert f"{p}_t2d" in problem.parameter_ids and f"{p}_normal" not in problem.parameter_ids
        assert problem.nominal[f"{p}_normal"] == MODEL.default_params()[p]
        assert problem.nominal[f"{p}_t2d"] == DIABETIC.default_params()[p]
    # every rate constant and Hill exponent is estimated and shared, but the GLUT1 uptake
    # constant (only its ratio with GLUT4's is identifiable with a free uptake scale)
    kinetic = [p.name for p in MODEL.param_specs if p.kind in ("kinetic", "exponent")]
    sbml = MODEL.sbml_ids
    estimated = {p for p in kinetic if sbml[p] in problem.parameter_ids}
    assert estimated == set(kinetic) - {"k_glucose_uptake_GLUT1"} and len(estimated) == 41
    assert params.loc[sbml["k_glucose_uptake_GLUT1"], "estimate"] == 0
    # scale factors: log10, one per scale group of the catalogue
    groups = set(GENERATOR.observations()["group"])
    scales = {p for p in problem.parameter_ids if p.startswith("scale_")}
    assert scales == {f"scale_{g}" for g in groups} and len(scales) == 26
    assert set(params.loc[sorted(scales), "parameterScale"]) == {"log10"}
    assert problem.n_measurements == 131 + 124


def test_the_measurements_are_the_catalogues_data(table):
    """Row by row the catalogue's points, read from the shipped CSV files."""
    obs = GENERATOR.observations()
    assert table["datasetId"].tolist() == obs["dataset"].tolist()
    np.testing.assert_array_equal(table["measurement"].to_numpy(float), obs["data"].to_numpy())
    np.testing.assert_array_equal(table["noiseParameters"].astype(float), obs["sem"].to_numpy())
    np.testing.assert_array_equal(table["time"].to_numpy(float), obs["time"].to_numpy())
    np.testing.assert_array_equal(table["insulin"].to_numpy(), obs["insulin_nM"].to_numpy())
    assert (table["observableParameters"] == "scale_" + obs["group"]).all()
    assert (table["arm"] == obs["condition"]).all()
    # baseline-subtracted data read the readout minus its frozen basal value
    formulas = pd.read_csv(FOLDER / "observables.tsv", sep="\t", index_col=0)["observableFormula"]
    for spec in GENERATOR.DATASETS:
        assert (f"{spec.readout}_basal" in formulas[spec.name]) == spec.baseline


def test_every_point_is_the_python_models(table, reference):
    x = table["simulation"].to_numpy()
    worst = 0.0
    for name in dict.fromkeys(table["datasetId"]):
        d = (table["datasetId"] == name).to_numpy()
        span = np.max(np.abs(reference[d]))
        error = np.max(np.abs(x[d] - reference[d])) / span
        assert error <= 1e-6, (name, error)
        worst = max(worst, error)
    print(f"largest difference {worst:.1e} of the data set's largest value")


def test_chi2_per_arm_is_the_published_one(table, reference):
    x = table["simulation"].to_numpy()
    ours = chi2_per_arm(table, x, closed_form_scales(table, x))
    python = chi2_per_arm(table, reference, closed_form_scales(table, reference))
    for arm in ARMS:
        print(f"{arm}: χ² PEtab {ours[arm]:.6f}, Python model {python[arm]:.6f}")
        assert ours[arm] == pytest.approx(python[arm], rel=1e-6)
        assert ours[arm] == pytest.approx(PUBLISHED_CHI2[arm], abs=1e-3)


def test_nllh_is_the_chi2_up_to_its_constant(problem, table):
    """Normal noise with the SEM as σ: 2 nllh - Σ log(2π σ²) = χ² of both arms, at the
    closed-form scales and at the nominal ones (those scales rounded to 6 digits)."""
    x = table["simulation"].to_numpy()
    scales = closed_form_scales(table, x)
    total = sum(chi2_per_arm(table, x, scales).values())
    sem = table["noiseParameters"].astype(float).to_numpy()
    const = float(np.sum(np.log(2 * math.pi * sem**2)))
    assert 2 * problem.nllh(scales) - const == pytest.approx(total, rel=1e-6)
    for g, v in scales.items():
        assert problem.nominal[g] == pytest.approx(v, rel=1e-5), g
    assert 2 * problem.nllh() - const == pytest.approx(total, rel=1e-5)
