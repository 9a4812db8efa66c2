"""A model's companions (therapy classes, cohorts, calibration problem) travel with the
`Model` object: copies keep them, whatever their name; a model read from SBML has none,
even under a bundled model's name; a model built here carries its own; and importing the
bundled models imports none of the packages that read the companions."""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import pathjax
from pathjax import calibrate, population, therapy
from pathjax.model import Companions
from pathjax.population import Cohort, LogNormal
from pathjax.therapy import Target, TherapyClass

BRANNMARK = pathjax.models.load("brannmark2013")
BRANNMARK_THERAPIES = ["receptor_agonist", "irs_modulator", "insulin_sensitizer"]
BRANNMARK_COHORTS = ["healthy", "insulin_resistant", "t2d", "reference"]


@pytest.mark.parametrize(
    "copy",
    [
        dataclasses.replace(BRANNMARK, name="renamed"),
        BRANNMARK.replace(name="mine"),
        BRANNMARK.with_defaults(name="obese_donor", GLUT4_total=40.0),
    ],
    ids=["dataclasses.replace", "Model.replace", "with_defaults"],
)
def test_a_renamed_copy_keeps_therapies_cohorts_and_calibration(copy):
    assert copy.name != BRANNMARK.name
    assert therapy.available(copy) == BRANNMARK_THERAPIES
    assert population.cohorts(copy) == BRANNMARK_COHORTS
    assert population.cohort(copy, "t2d").name == "t2d"
    assert calibrate.load_problem(copy) is calibrate.load_problem("brannmark2013")
    # a therapy acts on the copy's own defaults: GLUT4_total 40 -> 40 * (1 + 1.0 * 0.5)
    params, _ = therapy.therapy(copy, "insulin_sensitizer", dose=1.0)({}, None)
    expected = 1.5 * copy.default_params()["GLUT4_total"]
    assert float(params["GLUT4_total"]) == pytest.approx(expected, rel=1e-15)


def test_the_diabetic_cell_shares_the_normal_cells_companions():
    normal = BRANNMARK.companions
    diabetic = pathjax.models.load("brannmark2013_diabetic").companions
    assert diabetic.therapies is normal.therapies
    assert diabetic.cohorts is normal.cohorts
    # one calibration problem for both cells: the diabetic cell is its T2D arm
    assert diabetic.calibration is normal.calibration
    assert diabetic.calibration() == pathjax.petab.bundled("brannmark2013")


def test_an_sbml_model_under_a_bundled_name_has_no_companions():
    imported = pathjax.sbml.load(pathjax.bench.sbml_path(), name="brannmark2013")
    assert imported.companions == Companions()
    assert therapy.available(imported) == []
    assert population.cohorts(imported) == ["reference"]
    with pytest.raises(pathjax.InputError, match="no therapies"):
        therapy.therapy(imported, "irs_modulator")
    with pytest.raises(pathjax.InputError, match="has no calibration problem"):
        calibrate.fit(imported)


def test_companions_can_be_removed_from_a_copy():
    bare = BRANNMARK.replace(companions=Companions())
    assert therapy.available(bare) == []
    assert population.cohorts(bare) == ["reference"]
    assert therapy.available(BRANNMARK) == BRANNMARK_THERAPIES  # the original keeps them


def _decay_therapies() -> dict[str, TherapyClass]:
    return {
        "irs_modulator": TherapyClass(
            "irs_modulator", "halves the decay rate at full effect", (Target("k", -0.5),)
        )
    }


def _decay_cohorts() -> dict[str, Cohort]:
    return {"slow": Cohort("slow", "slow decay", "assumption", {"k": LogNormal(0.5, 0.1)})}


def _decay(**companions) -> pathjax.Model:
    return pathjax.Model(
        name="own_decay",
        state_specs=(pathjax.State("x", "mM", 1.0),),
        param_specs=(pathjax.Param("k", "1/min", 1.0),),
        rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x},
        companions=Companions(**companions),
    )


def test_a_model_built_here_carries_its_own_therapies_cohorts_and_calibration():
    model = _decay(therapies=_decay_therapies, cohorts=_decay_cohorts)
    assert therapy.available(model) == ["irs_modulator"]
    assert population.cohorts(model) == ["slow", "reference"]
    patients = population.sample(model, "slow", 4, seed=0, filter=False)
    assert patients["k"].shape == (4,)
    # chronic at full effect (dose 1e9 EC50): k = 0.5, so x(t) = exp(-0.5 t)
    t = np.array([0.0, 1.0, 2.0])
    ds = therapy.simulate(model, t, therapies=("irs_modulator", 1e9), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ds["x"].values[0], np.exp(-0.5 * t), rtol=1e-7)
    assert '"therapy": "irs_modulator"' in ds.attrs["therapies"]
    own = _decay(calibration=pathjax.petab.example)
    assert calibrate.load_problem(own) is pathjax.petab.load(pathjax.petab.example())


def test_companions_must_be_functions():
    with pytest.raises(pathjax.InputError, match="companions"):
        _decay(therapies=_decay_therapies())  # the mapping itself, not its factory
    with pytest.raises(pathjax.InputError, match="companions"):
        BRANNMARK.replace(companions={"therapies": _decay_therapies})


def test_loading_the_models_imports_no_reader_of_the_companions():
    code = (
        "import sys, pathjax\n"
        "for name in pathjax.models.available():\n"
        "    pathjax.models.load(name)\n"
        "readers = ('pathjax.therapy', 'pathjax.population', 'pathjax.calibrate')\n"
        "print(sorted(m for m in sys.modules if m.startswith(readers)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"
