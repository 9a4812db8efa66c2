"""``pathjax calibrate``: one-line errors with exit code 2 before anything is fitted, and
a bundled problem fitted by two routes (name and YAML file; the Brännmark 2013 problem by
name and through ``--model``, slow) by the same code, writing fit.json, simulation.tsv,
waterfall.png and fits.png. The fits use the batch size of tests/test_calibrate.py (2
starts), so in one pytest process the compiled objective is shared; profiles are tested
on the small example problem (tests/test_petab_fit.py)."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import pathjax
from pathjax.cli import app

SMALL = ["--starts", "2", "--seed", "3", "--adam-steps", "1", "--lbfgs-steps", "1"]


@pytest.fixture(scope="module")
def runner():
    from pathjax.cli import _calibrate  # noqa: F401  (registers the command)

    return CliRunner()


@pytest.fixture
def no_fit(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("fitted before rejecting the input")

    monkeypatch.setattr(pathjax.calibrate, "fit", boom)


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "give a PEtab problem (a YAML file or one of: brannmark2013"),
        (["brannmark2013", "--model", "brannmark2013"], "not both"),
        (["--model", "sedaghat2002"], "'sedaghat2002' has no calibration problem"),
        (["brannmark2031"], "unknown calibration problem 'brannmark2031'"),
        (["/nonexistent/problem.yaml"], "no such file"),
        (["brannmark2013", "--starts", "0"], "--starts must be at least 1"),
        (["brannmark2013", "--seed", "-1"], "--seed must be at least 0"),
        (["brannmark2013", "--adam-steps", "-1"], "--adam-steps must be at least 0"),
        (["brannmark2013", "--learning-rate", "0"], "--learning-rate must be positive"),
        (["brannmark2013", "--rtol", "nan"], "--rtol must be a finite number"),
        (["brannmark2013", "--mode", "sideways"], "--mode must be auto, forward or reverse"),
        (["brannmark2013", "--profile-points", "0"], "--profile-points must be at least 1"),
        (["brannmark2013", "--profile-parameters", "k1a", "--no-profiles"], "not both"),
        (["brannmark2013", "--profile-parameters", "diabetes"], "'diabetes' is not an estimated"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, no_fit, args, message):
    res = runner.invoke(app, ["calibrate", *args, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], res.output
    assert not (tmp_path / "out").exists()


def test_help_lists_the_options(runner):
    res = runner.invoke(app, ["calibrate", "--help"])
    assert res.exit_code == 0
    for option in ("--model", "--starts", "--seed", "--include-nominal", "--out", "--rtol",
                   "--no-profiles", "--profile-parameters"):  # fmt: skip
        assert option in res.output


@pytest.mark.parametrize(
    "name, second",
    [
        ("conversion", [str(pathjax.petab.example())]),  # by name and by its YAML file
        pytest.param("brannmark2013", ["--model", "brannmark2013"], marks=pytest.mark.slow),
    ],
)
def test_a_bundled_problem_by_two_routes_writes_the_same_fit(runner, tmp_path, name, second):
    first, other = tmp_path / "first", tmp_path / "second"
    for how, folder in (([name], first), (second, other)):
        res = runner.invoke(app, ["calibrate", *how, "--out", str(folder), "--no-profiles", *SMALL])
        assert res.exit_code == 0, res.output
        assert "best nllh" in res.output
        for file in ("fit.json", "simulation.tsv", "waterfall.png", "fits.png"):
            assert (folder / file).stat().st_size > 0, file
        assert not (folder / "profiles.json").exists()
    fits = [json.loads((f / "fit.json").read_text()) for f in (first, other)]
    # one code path: the same starts, the same end points and objectives
    for key in ("theta_start", "theta", "objective"):
        assert fits[0]["starts"][key] == fits[1]["starts"][key], key
    problem = pathjax.calibrate.load_problem(name)
    info = fits[0]
    assert info["parameter_ids"] == list(problem.parameter_ids)
    assert len(info["starts"]["objective"]) == 2
    assert info["settings"]["starts"] == 2 and info["settings"]["lbfgs_steps"] == 1
    # the simulation table: the measurement table with the simulation at the best point
    sim = pd.read_csv(first / "simulation.tsv", sep="\t")
    assert len(sim) == problem.n_measurements and sim["simulation"].notna().all()
    best = dict(zip(problem.parameter_ids, problem.from_scale(np.array(info["starts"]["theta"]))[
        int(np.argmin(info["starts"]["objective"]))].tolist()))  # fmt: skip
    assert info["best"]["nllh"] == pytest.approx(problem.nllh(best), rel=1e-6)
