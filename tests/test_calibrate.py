"""`pathjax.calibrate`: which PEtab problem a name, path or model gives (the bundled
Brännmark 2013 problem by every route, a model's calibration companion), a short fit of
that problem (better than its starts, inside the bounds, the reported objective the
problem's own at the reported points), bad input refused before anything loads or
compiles, and the batched optimiser on its own.

The fit machinery is tested on problems with known optima in tests/test_petab_fit.py and
the bundled problem's tables in tests/test_petab_brannmark2013.py. In CI the short fits
run on the small bundled problem (``"conversion"``, forward mode); the same checks on
Brännmark 2013 (70 parameters: compiling its reverse-mode objective alone takes minutes
on a 2-core machine) are slow tests, with 2 starts, so one compiled objective serves
all of them (and tests/test_cli_calibrate.py's).
"""

import numpy as np
import pytest

import pathjax
from pathjax import InputError, calibrate
from pathjax.model import Companions

MODEL = pathjax.models.load("brannmark2013")
SHORT = dict(starts=2, seed=3, adam_steps=3, lbfgs_steps=3)


@pytest.fixture(scope="module")
def problem():
    return calibrate.load_problem("brannmark2013")


@pytest.fixture(scope="module")
def small():
    return calibrate.load_problem("conversion")


@pytest.fixture(
    scope="module", params=["conversion", pytest.param("brannmark2013", marks=pytest.mark.slow)]
)
def fitted(request):
    """(problem, a short fit of it)."""
    return calibrate.load_problem(request.param), calibrate.fit(request.param, **SHORT)


# ---- which problem -----------------------------------------------------------------------


def test_every_route_to_the_bundled_problem_gives_the_same_object(problem):
    yaml = pathjax.petab.bundled("brannmark2013")
    assert problem.n_measurements == 255 and len(problem.parameter_ids) == 70
    routes = [
        yaml,
        str(yaml),
        MODEL,  # its calibration companion names the bundled problem
        "brannmark2013_diabetic",  # the diabetic cell is that problem's T2D arm
        MODEL.replace(name="renamed"),  # companions travel with copies
        problem,
    ]
    for route in routes:
        assert calibrate.load_problem(route) is problem, route
    assert MODEL.companions.calibration() == yaml
    assert calibrate.calibrated_models() == ["brannmark2013", "brannmark2013_diabetic"]


def test_tolerances_load_the_problem_with_them(problem):
    loose = calibrate.load_problem("brannmark2013", rtol=1e-6, atol=1e-9)
    assert loose is not problem and (loose.rtol, loose.atol) == (1e-6, 1e-9)
    assert (problem.rtol, problem.atol) == (1e-8, 1e-12)  # pathjax.petab.load's defaults
    with pytest.raises(InputError, match="keeps its tolerances"):
        calibrate.load_problem(problem, rtol=1e-6)


def test_a_model_of_ones_own_names_its_problem():
    decay = pathjax.Model(
        name="own_decay",
        state_specs=(pathjax.State("x", "mM", 1.0),),
        param_specs=(pathjax.Param("k", "1/min", 1.0),),
        rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x},
        companions=Companions(calibration=pathjax.petab.example),
    )
    assert calibrate.load_problem(decay) is pathjax.petab.load(pathjax.petab.example())
    nothing = decay.replace(companions=Companions(calibration=lambda: 42))
    with pytest.raises(InputError, match="must return a PetabProblem or a YAML path"):
        calibrate.load_problem(nothing)


# ---- a short fit of the bundled problem ------------------------------------------------------


def test_short_fit_improves_every_start_within_the_bounds(fitted):
    problem, res = fitted
    print(res.f_start, res.f, res.evaluations, f"{res.wall_time:.0f} s")
    assert res.problem is problem
    assert res.theta.shape == res.theta_start.shape == (2, len(problem.parameter_ids))
    lo, hi = problem.bounds_scaled()
    assert np.all(res.theta >= lo) and np.all(res.theta <= hi)
    assert np.all(res.theta_start >= lo) and np.all(res.theta_start <= hi)
    # uniform starts sit far from the data; even 6 iterations lower both by more than 1 %
    gain = np.abs(res.f_start - res.f)
    assert np.all(np.isfinite(res.f)) and np.all(res.f < res.f_start)
    assert np.all(gain > 0.01 * np.abs(res.f_start))
    # the best-so-far trace never rises and ends at the reported objective
    assert np.all(np.diff(res.history, axis=0) <= 0)
    np.testing.assert_array_equal(res.history[-1], res.f)


def test_reported_objectives_are_the_problems_at_the_reported_points(fitted):
    """Every start's end point re-evaluated by ``nllh`` plus the prior: the optimiser's
    bookkeeping pairs each point with its value. The optimiser evaluated it by the
    gradient's program, ``nllh`` by the simulation's, both at rtol 1e-8, so to 1e-6
    relative."""
    problem, res = fitted
    X = problem.from_scale(res.theta)
    for i in range(X.shape[0]):
        x = dict(zip(problem.parameter_ids, X[i].tolist()))
        objective = problem.nllh(x) + problem.neg_log_prior(x)
        assert objective == pytest.approx(res.f[i], rel=1e-6), i
    best = dict(zip(problem.parameter_ids, X[res.best].tolist()))
    assert res.x == best and res.nllh == pytest.approx(problem.nllh(best), rel=1e-6)


def test_the_nominal_start_is_the_problems_nominal_point(small):
    """With include_nominal, start 0 is the nominal parameters (the other start the
    same uniform draw as without it); no iterations, one batched evaluation."""
    res = calibrate.fit("conversion", starts=2, seed=3, include_nominal=True, adam_steps=0,
                        lbfgs_steps=0)  # fmt: skip
    nominal = small.to_scale(small.x_nominal[None])[0]
    np.testing.assert_array_equal(res.theta_start[0], nominal)
    np.testing.assert_array_equal(res.theta_start[1], small.sample_starts(2, 3)[1])
    assert res.f_start[0] == pytest.approx(small.nllh() + small.neg_log_prior(), rel=1e-8)


@pytest.mark.slow
def test_the_nominal_start_of_brannmark2013_is_the_published_point(problem):
    res = calibrate.fit(MODEL, starts=2, seed=3, include_nominal=True, adam_steps=0,
                        lbfgs_steps=0)  # fmt: skip
    nominal = problem.to_scale(problem.x_nominal[None])[0]
    np.testing.assert_array_equal(res.theta_start[0], nominal)
    # at the published point 2 nllh - Σ log(2π SEM²) is the published χ² of both arms
    # (295.96 normal + 841.94 T2D; tests/test_petab_brannmark2013.py checks it per arm)
    sem = problem.spec.measurement_df["noiseParameters"].astype(float).to_numpy()
    chi2 = 2 * res.f_start[0] - np.sum(np.log(2 * np.pi * sem**2))
    assert chi2 == pytest.approx(295.957 + 841.944, rel=1e-4)


# ---- bad input ---------------------------------------------------------------------------


@pytest.fixture
def nothing_loads(monkeypatch):
    """Fail if a PEtab problem is read or a fit starts, so errors come before both."""

    def boom(*args, **kwargs):
        raise AssertionError("loaded or fitted before rejecting the input")

    monkeypatch.setattr(pathjax.petab, "load", boom)
    monkeypatch.setattr(pathjax.petab, "fit", boom)


@pytest.mark.parametrize(
    "model, kwargs, match",
    [
        ("brannmark2031", {}, r"unknown calibration problem 'brannmark2031'\. Did you mean"),
        ("sedaghat2002", {}, "model 'sedaghat2002' has no calibration problem"),
        (MODEL.replace(companions=Companions()), {}, "'brannmark2013' has no calibration"),
        (42, {}, "model must be a PetabProblem"),
        ("brannmark2013", dict(starts=0), "starts must be an integer >= 1"),
        ("brannmark2013", dict(starts=2.5), "starts must be an integer"),
        ("brannmark2013", dict(seed=-1), "seed must be an integer >= 0"),
        ("brannmark2013", dict(adam_steps=-1), "adam_steps"),
        ("brannmark2013", dict(lbfgs_steps=1.5), "lbfgs_steps"),
        ("brannmark2013", dict(learning_rate=0.0), "learning_rate must be a positive"),
        ("brannmark2013", dict(learning_rate=float("nan")), "learning_rate"),
        ("brannmark2013", dict(mode="sideways"), "mode must be one of"),
        ("brannmark2013", dict(include_nominal="yes"), "include_nominal"),
        ("brannmark2013", dict(condition="t2d", data="."), "condition, data: not options"),
        ("brannmark2013", dict(params=["k1a"]), "params: not options"),
    ],
)
def test_bad_input_is_rejected_before_loading_or_fitting(model, kwargs, match, nothing_loads):
    with pytest.raises(InputError, match=match):
        calibrate.fit(model, **kwargs)


def test_an_imported_model_has_no_calibration_problem(nothing_loads):
    # the same equations read from SBML, even under the bundled name, have no companions
    imported = pathjax.sbml.load(pathjax.bench.sbml_path(), name="brannmark2013")
    with pytest.raises(InputError, match="brannmark2013, conversion, brannmark2013_diabetic"):
        calibrate.fit(imported)


def test_chi2_threshold():
    # the 95 % quantiles of χ²(131) and χ²(124), the two arms' numbers of data points
    assert calibrate.chi2_threshold(131) == pytest.approx(158.7119, abs=1e-4)
    assert calibrate.chi2_threshold(124, 0.95) == pytest.approx(150.9894, abs=1e-4)
    for bad in (dict(n_data=0), dict(n_data=10, level=1.0)):
        with pytest.raises(InputError):
            calibrate.chi2_threshold(**bad)


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
