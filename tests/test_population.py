"""pathjax.population: distributions, copula, covariates, cohorts, seeded sampling,
plausibility filters and population runs.

Every simulated test uses Brännmark 2013 in chunks of 8 patients and the output times
``T`` below, so they share the compiled programs (and the persistent cache)."""

import math

import numpy as np
import pytest
from scipy import stats

import pathjax
from pathjax import population as pop
from pathjax.population import (
    Cohort,
    Correlation,
    Covariate,
    Effect,
    Fixed,
    LogitNormal,
    LogNormal,
    Plausibility,
    Range,
    TruncatedNormal,
    Uniform,
)

T = np.linspace(0.0, 30.0, 7)
CHUNK = 8
MODEL = "brannmark2013"


# ---- distributions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dist, mean, sd",
    [
        (LogNormal(100.0, 0.2), 100.0, 20.0),
        (Uniform(2.0, 4.0), 3.0, 2.0 / math.sqrt(12)),
        (
            TruncatedNormal(0.1, 0.3, lower=0.0),
            stats.truncnorm(-1 / 3, np.inf, 0.1, 0.3).mean(),
            stats.truncnorm(-1 / 3, np.inf, 0.1, 0.3).std(),
        ),
    ],
)
def test_distribution_moments(dist, mean, sd):
    # 20,000 draws: the sample mean is within ~4 standard errors (sd / 141) and the sample
    # SD within 5 % of the exact values.
    x = dist.sample(20_000, seed=3)
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(x.size)
    assert abs(x.std() - sd) < 0.05 * sd
    lo, hi = dist.support
    assert np.all((x >= lo) & (x <= hi))


@pytest.mark.parametrize(
    "dist",
    [
        LogNormal(2.0, 0.5),
        TruncatedNormal(0.0, 1.0, -0.5, 2.0),
        Uniform(-1.0, 3.0),
        LogitNormal(0.3, 0.8, 0.0, 1.0),
    ],
)
def test_log_prob_is_a_normalised_density_matching_the_draws(dist):
    lo, hi = dist.support
    grid = np.linspace(max(lo, -10.0), min(hi, 40.0), 200_001)
    p = np.exp(dist.log_prob(grid))
    assert abs(np.trapezoid(p, grid) - 1.0) < 2e-3  # quadrature error of the grid
    # the density at the median of the draws matches the derivative of their CDF
    x = np.sort(dist.sample(40_000, seed=0))
    med = x[x.size // 2]
    dens = 0.02 / (x[int(0.51 * x.size)] - x[int(0.49 * x.size)])
    assert abs(np.exp(dist.log_prob(med)) / dens - 1) < 0.1


def test_fixed_and_bad_distributions():
    assert Fixed(0.15).sample(3, seed=0).tolist() == [0.15] * 3
    assert not Fixed(1.0).random and not LogNormal(1.0, 0.0).random
    for bad in (
        lambda: LogNormal(-1.0, 0.2),
        lambda: LogNormal(1.0, float("nan")),
        lambda: Uniform(2.0, 1.0),
        lambda: TruncatedNormal(0.0, 1.0, 50.0, 60.0),
        lambda: TruncatedNormal(0.0, -1.0),
        lambda: Fixed(float("inf")),
    ):
        with pytest.raises(pathjax.InputError):
            bad()


# ---- seeded sampling ---------------------------------------------------------------------


def test_same_seed_identical_different_seed_different():
    a = pop.sample(MODEL, "t2d", 50, seed=7, filter=False)
    b = pop.sample(MODEL, "t2d", 50, seed=7, filter=False)
    c = pop.sample(MODEL, "t2d", 50, seed=8, filter=False)
    model = pathjax.models.load(MODEL)
    assert list(a) == list(model.param_names)  # every parameter, in model order
    for k in a:
        assert a[k].tobytes() == b[k].tobytes()  # bitwise
    assert a.covariates["BMI"].tobytes() == b.covariates["BMI"].tobytes()
    assert not np.array_equal(a["IR_total"], c["IR_total"])
    assert not np.array_equal(a["k_IR_autophos"], c["k_IR_autophos"])


def test_patients_do_not_depend_on_chunking():
    whole = pop.sample(MODEL, "healthy", 2 * CHUNK, seed=2, batch=CHUNK)
    first = pop.sample(MODEL, "healthy", CHUNK, seed=2, batch=CHUNK)
    second = pop.sample(MODEL, "healthy", CHUNK, seed=2, batch=CHUNK, first=CHUNK)
    for k in whole:
        assert whole[k].tobytes() == np.concatenate([first[k], second[k]]).tobytes(), k
    assert np.array_equal(whole.attempts, np.concatenate([first.attempts, second.attempts]))


def test_cohort_values_follow_their_definition():
    s = pop.sample(MODEL, "t2d", 4000, seed=0, filter=False)
    # medians of log-normal CV 15 % (x BMI effect, median-preserving) within 3 %
    assert abs(np.median(s["IR_total"]) / 55.0 - 1) < 0.03
    assert abs(np.median(s["GLUT4_total"]) / 50.0 - 1) < 0.03
    assert abs(np.median(s["diabetes"]) / 0.15 - 1) < 0.03
    # kinetic parameters: mean-one log-normal CV 15 % around the published value
    k = s["k_IR_autophos"] / 0.8768
    assert abs(k.mean() - 1) < 0.01 and abs(k.std() - 0.15) < 0.01
    # non-kinetic parameters without a distribution keep their value
    assert np.all(s["scale_IR_pY"] == 5.2022)
    # the BMI covariate lowers GLUT4 (power -1 around the cohort mean)
    assert stats.spearmanr(s.covariates["BMI"], s["GLUT4_total"])[0] < -0.2


def test_gaussian_copula_gives_the_rank_correlation():
    rho = 0.8
    c = Cohort(
        "corr",
        "test",
        "test",
        parameters={"IR_total": LogNormal(100.0, 0.3), "GLUT4_total": Uniform(20.0, 80.0)},
        kinetic_cv=0.0,
        correlation=Correlation(("IR_total", "GLUT4_total"), [[1.0, rho], [rho, 1.0]]),
    )
    s = pop.sample(MODEL, c, 5000, seed=1, filter=False)
    expected = 6 / np.pi * np.arcsin(rho / 2)  # Spearman rho of a Gaussian copula
    assert abs(stats.spearmanr(s["IR_total"], s["GLUT4_total"])[0] - expected) < 0.03
    assert np.all((s["GLUT4_total"] >= 20) & (s["GLUT4_total"] <= 80))


def test_linear_covariate_effect():
    c = Cohort(
        "cov",
        "test",
        "test",
        kinetic_cv=0.0,
        covariates=(
            Covariate(
                "age", "year", Uniform(30.0, 70.0), (Effect("diabetes", -0.01, "linear", 50.0),)
            ),
        ),
    )
    s = pop.sample(MODEL, c, 100, seed=0, filter=False)
    assert np.allclose(s["diabetes"], 1.0 - 0.01 * (s.covariates["age"] - 50.0), rtol=0, atol=1e-14)


# ---- cohorts -----------------------------------------------------------------------------


def test_every_bundled_model_has_cohorts_that_sample():
    for name in pathjax.models.available():
        model = pathjax.models.load(name)
        names = pop.cohorts(model)
        assert "reference" in names
        for c in names:
            cohort = pop.cohort(model, c)
            assert cohort.description and cohort.source
            s = pop.sample(model, c, 3, seed=0, filter=False)
            for spec in model.param_specs:
                assert np.all((s[spec.name] >= spec.lower) & (s[spec.name] <= spec.upper))


@pytest.mark.parametrize("model", ["brannmark2013", "brannmark2013_diabetic", "insulin_resistance"])
def test_required_cohorts(model):
    if model not in pathjax.models.available():
        pytest.skip(f"{model} is not bundled yet")
    assert {"healthy", "insulin_resistant", "t2d"} <= set(pop.cohorts(model))


def test_unknown_names_and_bad_numbers_are_rejected_with_the_valid_choices():
    with pytest.raises(pathjax.InputError, match="healthy, insulin_resistant, t2d"):
        pop.sample(MODEL, "diabetic", 3, seed=0)
    with pytest.raises(pathjax.InputError, match="Did you mean 't2d'"):
        pop.cohort(MODEL, "t2")
    with pytest.raises(ValueError, match="Valid models"):
        pop.sample("brannmark", "t2d", 3, seed=0)
    for n in (0, -1, 2.5, True, "3"):
        with pytest.raises(pathjax.InputError, match="n"):
            pop.sample(MODEL, "t2d", n, seed=0)
    for seed in (-1, 1.5, float("nan"), None):
        with pytest.raises(pathjax.InputError, match="seed"):
            pop.sample(MODEL, "t2d", 3, seed=seed)
    bad = Cohort("x", "x", "x", parameters={"IR_totl": Fixed(1.0)})
    with pytest.raises(pathjax.InputError, match="IR_total"):
        pop.sample(MODEL, bad, 3, seed=0)
    if "insulin_resistance" in pathjax.models.available():  # therapies are not cohorts
        with pytest.raises(pathjax.InputError, match="intervention"):
            pop.sample(
                "insulin_resistance",
                Cohort("x", "x", "x", parameters={"antioxidant": Fixed(0.5)}),
                3,
                0,
            )
    with pytest.raises(pathjax.InputError, match="positive definite"):
        Correlation(("a", "b", "c"), [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]])
    with pytest.raises(pathjax.InputError, match="random parameter"):
        pop.sample(
            MODEL,
            Cohort("x", "x", "x", correlation=Correlation(("IR_total", "diabetes"), np.eye(2))),
            3,
            0,
        )


# ---- plausibility --------------------------------------------------------------------------


def test_plausibility_filter_resamples_and_reports_the_acceptance_rate():
    narrow = Cohort(
        "narrow",
        "basal surface GLUT4 held to 20-32 %",
        "test",
        kinetic_cv=0.15,
        plausibility=Plausibility(
            (Range("GLUT4_surface", 20.0, 32.0, at="basal"),),
            time=10.0,
            protocol=pathjax.Protocol.constant(insulin=10.0),
        ),
        preequilibrate=1000.0,
    )
    s = pop.sample(MODEL, narrow, CHUNK, seed=4, batch=CHUNK)
    assert s.plausible.all()
    assert s.attempts.max() > 1 and 0 < s.acceptance_rate < 1
    assert s.acceptance_rate == CHUNK / s.attempts.sum()
    ds = pathjax.simulate(pathjax.models.load(MODEL), [0.0, 10.0], dict(s),
                          narrow.challenge(pathjax.models.load(MODEL)), chunk_size=CHUNK)  # fmt: skip
    basal = ds["GLUT4_surface"].values[:, 0]
    assert np.all((basal >= 20.0) & (basal <= 32.0))
    # the unfiltered draw of the rejected patients was outside the range
    raw = pop.sample(MODEL, narrow, CHUNK, seed=4, filter=False)
    assert not all(np.array_equal(raw[k], s[k]) for k in ("k_IR_autophos", "k_AS160_dephos"))


def test_t2d_cohort_takes_up_less_glucose_than_healthy():
    out = {}
    for c in ("healthy", "t2d"):
        ds = pop.run(MODEL, c, 2 * CHUNK, seed=5, t=T, chunk_size=CHUNK)
        assert int(ds.attrs["n_failed"]) == 0
        assert 0 < ds.attrs["acceptance_rate"] <= 1
        out[c] = ds
    h, d = out["healthy"], out["t2d"]
    # medians at 30 min of 10 nM insulin; the published cells differ ~2-fold in uptake
    assert d["glucose_uptake"][:, -1].median() < 0.8 * h["glucose_uptake"][:, -1].median()
    assert d["GLUT4_surface"][:, -1].median() < h["GLUT4_surface"][:, -1].median()
    # and the basal surface GLUT4 is lower too
    assert d["GLUT4_surface"][:, 0].median() < h["GLUT4_surface"][:, 0].median()
    # per-patient summaries are there
    assert set(h["final"]["output"].values) >= {"glucose_uptake", "GLUT4_surface"}


def test_run_rejects_bad_input_before_compiling(tmp_path):
    with pytest.raises(pathjax.InputError, match="output"):
        pop.run(MODEL, "t2d", 4, 0, T, outputs=["GLUT4"])
    with pytest.raises(pathjax.InputError, match="chunk_size"):
        pop.run(MODEL, "t2d", 4, 0, T, chunk_size=0)
    with pytest.raises(pathjax.InputError, match=".nc"):
        pop.run(MODEL, "t2d", 4, 0, T, out=tmp_path / "x.csv")
    with pytest.raises(pathjax.InputError, match="strictly increasing"):
        pop.run(MODEL, "t2d", 4, 0, [0.0, 10.0, 5.0])
    with pytest.raises(pathjax.InputError, match="Valid therapies"):
        pop.run(MODEL, "t2d", 4, 0, T, therapies="antioxidant")
    with pytest.raises(pathjax.InputError, match="not 4"):
        pop.run(MODEL, "t2d", 4, 0, T, therapies=("irs_modulator", [1.0, 2.0]))


def test_composite_t2d_cohort_is_less_insulin_sensitive_than_healthy():
    """The composite's T2D cohort against its healthy one: higher fasting HOMA-IR and 2-h
    OGTT glucose (the body, closed loop), and lower glucose uptake and surface GLUT4 of
    the adipocytes at fixed insulin (the ``assay`` protocol: 10 min of 1 nM ex vivo)."""
    if "insulin_resistance" not in pathjax.models.available():
        pytest.skip("insulin_resistance is not bundled yet")
    from pathjax.models import insulin_resistance as ir

    out = {}
    for c in ("healthy", "t2d"):
        ds = pop.run("insulin_resistance", c, CHUNK, seed=1, t=[0.0, 120.0], chunk_size=CHUNK)
        cell = pop.run("insulin_resistance", c, CHUNK, seed=1, t=[0.0, 10.0],
                       protocol=ir.assay(1.0), chunk_size=CHUNK)  # fmt: skip
        assert int(ds.attrs["n_failed"]) == 0 and int(cell.attrs["n_failed"]) == 0
        out[c] = ds, cell
    (h, hc), (d, dc) = out["healthy"], out["t2d"]
    for v in ("glucose_uptake", "GLUT4_surface"):
        print(v, hc[v][:, -1].values.round(1), dc[v][:, -1].values.round(1))
        assert float(dc[v][:, -1].median()) < 0.9 * float(hc[v][:, -1].median()), v
    assert d["HOMA_IR"][:, 0].median() > 1.5 * h["HOMA_IR"][:, 0].median()
    assert d["plasma_glucose"][:, -1].median() > h["plasma_glucose"][:, -1].median() + 20.0
