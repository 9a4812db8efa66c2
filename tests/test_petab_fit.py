"""Calibration of PEtab problems: the multi-start fit against SciPy on the closed-form
objective, profile intervals against the curvature at the optimum, the saved files and
the command line."""

import json
import math

import numpy as np
import pytest
from scipy.optimize import minimize as scipy_minimize
from typer.testing import CliRunner

import pathjax
from pathjax import InputError
from pathjax.cli import app
from test_petab import analytic_nllh


@pytest.fixture(scope="module")
def problem():
    return pathjax.petab.load(pathjax.petab.example())


@pytest.fixture(scope="module")
def result(problem):
    return pathjax.calibrate.fit(problem, starts=6, seed=1, adam_steps=30, lbfgs_steps=60)


def closed_form_objective(log10_values):
    """The example's objective (nllh + k2's logNormal(-1.2, 0.5) prior) in closed form,
    of the parameters' log10 values."""
    k1, k2, scale, sigma = 10.0 ** np.asarray(log10_values)
    prior = (
        math.log(k2) + 0.5 * math.log(2 * math.pi * 0.25) + 0.5 * ((math.log(k2) + 1.2) / 0.5) ** 2
    )
    return analytic_nllh(k1, k2, scale, sigma) + prior


def test_fit_reaches_the_closed_form_optimum(problem, result):
    lo, hi = problem.bounds_scaled()
    ref = scipy_minimize(closed_form_objective, np.log10([0.8, 0.3, 2.0, 0.05]),
                         method="L-BFGS-B", bounds=list(zip(lo, hi)))  # fmt: skip
    assert result.objective == pytest.approx(ref.fun, abs=1e-4)
    best = problem.to_scale(np.array([[result.x[k] for k in problem.parameter_ids]]))[0]
    np.testing.assert_allclose(best, ref.x, atol=2e-3)
    assert result.nllh == pytest.approx(problem.nllh(result.x), rel=1e-12)
    assert result.nllh < problem.nllh()
    assert result.theta.shape == result.theta_start.shape == (6, 4)
    assert np.all((result.theta >= lo - 1e-12) & (result.theta <= hi + 1e-12))
    assert result.history.shape[1] == 6
    assert np.all(np.diff(result.history, axis=0) <= 1e-12)  # best-so-far never rises
    assert 0 < result.converged(0.1) <= 1


def test_profile_intervals_match_a_brute_force_profile(problem, result):
    """The interval ends where SciPy's profile of the closed-form objective (L-BFGS-B
    over the other parameters, Brent's root of profile - threshold) puts them."""
    from scipy.optimize import brentq

    profiles = pathjax.calibrate.profile(problem, result, ["k1", "scale"], points=6)
    assert profiles.threshold == pytest.approx(result.objective + 3.841458820694124 / 2)
    theta = problem.to_scale(np.array([[result.x[k] for k in problem.parameter_ids]]))[0]
    lo, hi = problem.bounds_scaled()
    for name in ("k1", "scale"):
        i = problem.parameter_ids.index(name)
        rest = [j for j in range(4) if j != i]

        def excess(c, i=i, rest=rest):
            def f(z):
                v = theta.copy()
                v[i], v[rest] = c, z
                return closed_form_objective(v)

            best = scipy_minimize(f, theta[rest], method="L-BFGS-B",
                                  bounds=[(lo[j], hi[j]) for j in rest])  # fmt: skip
            return best.fun - profiles.threshold

        lower = brentq(excess, theta[i] - 0.5, theta[i])
        upper = brentq(excess, theta[i], theta[i] + 0.5)
        got_lo, got_hi = (math.log10(v) for v in profiles.intervals[name])
        width = upper - lower
        assert got_lo == pytest.approx(lower, abs=0.03 * width), name
        assert got_hi == pytest.approx(upper, abs=0.03 * width), name
        assert not profiles.better[name]


def test_fit_saves_its_files(problem, result, tmp_path):
    paths = result.save(tmp_path / "out")
    saved = json.loads(paths["fit"].read_text())
    assert saved["best"]["nllh"] == pytest.approx(result.nllh)
    assert saved["parameter_ids"] == list(problem.parameter_ids)
    assert len(saved["starts"]["objective"]) == 6
    for key in ("simulation", "waterfall", "fits"):
        assert paths[key].stat().st_size > 0


def test_fit_options_are_checked(problem):
    with pytest.raises(InputError, match="condition"):
        pathjax.calibrate.fit(problem, condition="t2d")
    with pytest.raises(InputError, match="starts"):
        pathjax.calibrate.fit(problem, starts=0)
    with pytest.raises(InputError, match="not an estimated parameter"):
        pathjax.calibrate.profile(problem, pathjax.calibrate.fit(problem, starts=6,
                                  adam_steps=0, lbfgs_steps=0), ["u_high"])  # fmt: skip


def test_command_line_fits_a_problem(tmp_path):
    """Batch sizes as in the tests above (8 starts; 4 profiles x 2 directions), so the
    compiled programs of the loaded problem are reused."""
    from pathjax.cli import _calibrate  # noqa: F401  (registers the command)

    runner = CliRunner()
    args = ["calibrate", str(pathjax.petab.example()), "--out", str(tmp_path / "o"),
            "--starts", "8", "--adam-steps", "2", "--lbfgs-steps", "2", "--profile-points", "1"]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "best nllh" in res.output
    for name in ("fit.json", "simulation.tsv", "waterfall.png", "fits.png", "profiles.json"):
        assert (tmp_path / "o" / name).is_file(), name
    bad = runner.invoke(app, [*args[:2], "--model", "sedaghat2002", "--out", str(tmp_path)])
    assert bad.exit_code == 2
    assert "--model" in bad.output
