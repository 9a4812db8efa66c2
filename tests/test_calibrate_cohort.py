"""`calibrate_cohort`: a cohort matched to target distributions, with a KS report that is
recomputable from the population it returns.

The fast tests use a one-state decay (x(1) = exp(-k), k log-normal CV 20 %), whose pool
is far from the target (KS about 0.25), so a report of KS <= 0.1 can only come from the
selection. The composite model's cases are slow (three compiled solves of 58 states, 2-3 min each).
"""

import numpy as np
import pytest
import scipy.stats

import pathjax
from pathjax.population import (
    Target,
    Targets,
    available_targets,
    calibrate_cohort,
    ks_distance,
    ks_report,
    marker_values,
    targets,
)

DECAY = pathjax.Model(
    name="decay_for_calibration",
    state_specs=(pathjax.State("x", "mM", 1.0),),
    param_specs=(pathjax.Param("k", "1/min", 1.0),),
    rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x},
)
LOW = Targets("low", "x(1) near 0.35", "test", (Target("x_at_1", "x", 1.0, "mM", 0.35, 0.04),))


@pytest.fixture(scope="module")
def calibrated():
    return calibrate_cohort(DECAY, LOW, n=256, seed=3)


def test_reported_ks_is_recomputed_from_the_returned_population(calibrated):
    """The report equals `ks_report` of the returned population, and both equal scipy's
    one-sample KS statistic of the plausible patients' x(1) (to rounding)."""
    res = calibrated
    assert res.ks == ks_report(res.population, LOW)
    x = marker_values(res.population, LOW)["x_at_1"]
    assert x.size == int((res.population["plausible"].values == 1).sum()) > 200
    direct = np.exp(-res.population["params"].sel(parameter="k").values)
    np.testing.assert_allclose(np.sort(x), np.sort(direct[res.population["plausible"] == 1]),
                               rtol=1e-5)  # fmt: skip
    ref = scipy.stats.kstest(x, scipy.stats.norm(0.35, 0.04).cdf).statistic
    assert res.ks["x_at_1"] == pytest.approx(ref, abs=1e-12)


def test_selection_brings_ks_below_0_1_from_a_distant_pool(calibrated):
    res = calibrated
    assert res.pool_ks["x_at_1"] > 0.2
    assert res.ks["x_at_1"] <= 0.1
    assert 0.2 < res.acceptance_rate < 0.9
    assert "KS" in res.table()


def test_population_run_draws_the_same_calibrated_patients(calibrated):
    """The cohort is usable by `population.run`: a run of its first 32 patients with the
    same seed draws exactly those patients (patient i depends on (seed, i) alone)."""
    res = calibrated
    again = pathjax.population.run(DECAY, res.cohort, 32, seed=3, t=np.array([0.0, 1.0]),
                                   summaries=[], outputs=["x"])  # fmt: skip
    np.testing.assert_array_equal(again["params"].values, res.population["params"].values[:32])


def test_gradient_fit_of_the_distribution_keeps_most_draws():
    """A target far down the pool's tail (x(1) ~ 0.25 where the pool sits at ~0.37): by
    selection alone 3 % of the draws are kept; the fitted shift of k's distribution (up,
    so x falls) brings the pool's KS from 0.75 to about 0.3 and keeps about half."""
    far = Targets("far", "", "", (Target("x_at_1", "x", 1.0, "mM", 0.25, 0.05),))
    plain = calibrate_cohort(DECAY, far, n=128, seed=1, fit=False)
    fitted = calibrate_cohort(DECAY, far, n=128, seed=1)
    assert plain.shift == {"k": 0.0} and plain.acceptance_rate < 0.1
    assert fitted.shift["k"] > 0.5
    assert fitted.fitted_ks["x_at_1"] < 0.5 * fitted.pool_ks["x_at_1"]
    assert fitted.acceptance_rate > 0.3
    for res in (plain, fitted):
        assert res.ks["x_at_1"] <= 0.1


def test_ks_distance_of_known_samples():
    t = Target("x", "x", 0.0, "1", 0.0, 1.0)
    assert ks_distance([0.0], t) == pytest.approx(0.5)
    assert ks_distance([-50.0, 50.0], t) == pytest.approx(0.5)
    assert ks_distance([], t) == 1.0


def test_bundled_targets_and_bad_input():
    assert available_targets() == ["igt", "normoglycaemia"]
    ngt = targets("normoglycaemia")
    assert [(t.marker, t.output, t.time) for t in ngt.markers] == [
        ("fasting_glucose", "plasma_glucose", 0.0),
        ("glucose_2h", "plasma_glucose", 120.0),
    ]
    assert "Diabetes Care 47(5):858" in ngt.source
    with pytest.raises(ValueError, match="unknown targets 'ngt'"):
        targets("ngt")
    with pytest.raises(ValueError, match="sd positive"):
        Target("x", "x", 0.0, "1", 1.0, 0.0)
    with pytest.raises(ValueError, match="one other time"):
        Targets("t", "", "", (Target("a", "x", 1.0, "1", 0, 1), Target("b", "x", 2.0, "1", 0, 1)))
    with pytest.raises(ValueError, match="unknown output 'y'"):
        calibrate_cohort(DECAY, Targets("t", "", "", (Target("a", "y", 1.0, "1", 0, 1),)), n=4)


@pytest.mark.slow
def test_composite_igt_cohort_matches_the_published_distributions():
    """The composite model (reference cohort, CV 20 %) calibrated to the CARRS IGT group:
    every marker within KS 0.1 (measured 0.072 and 0.070, acceptance 17 %), every one of
    the 200 patients plausible."""
    res = calibrate_cohort("insulin_resistance", "igt", n=200, seed=0)
    assert res.ks == ks_report(res.population, "igt")
    assert int(res.population["plausible"].sum()) == 200
    for marker, ks in res.ks.items():
        assert ks <= 0.1, (marker, res.table())


@pytest.fixture(scope="module")
def composite_normoglycaemia():
    return calibrate_cohort("insulin_resistance", "normoglycaemia", n=200, seed=0)


@pytest.mark.slow
def test_composite_calibration_report_and_improvement(composite_normoglycaemia):
    """The composite model (reference cohort, CV 20 %) calibrated to the CARRS
    normoglycaemia group: the report is recomputable and the selection brings every
    marker far closer than the plausible pool (pool KS 0.40 and 0.79)."""
    res = composite_normoglycaemia
    assert res.ks == ks_report(res.population, "normoglycaemia")
    for marker, ks in res.ks.items():
        assert ks < 0.5 * res.pool_ks[marker], (marker, res.table())


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="goal not reached: KS 0.126 (fasting) and 0.124 (2-h glucose) at n = 200; the "
    "composite's 2-h OGTT glucose lies above the CARRS normoglycaemia distribution for "
    "most of the pool, so selection keeps 1.2 % of the draws and 110 of 200 patients stay "
    "implausible after 50 draws",
)
def test_composite_normoglycaemia_within_ks_0_1(composite_normoglycaemia):
    for marker, ks in composite_normoglycaemia.ks.items():
        assert ks <= 0.1, (marker, composite_normoglycaemia.table())
