"""Rough edges of the command line: every output path is checked before any work (a
file in the way, a missing or read-only folder, a folder where a file should go, a
wrong extension), non-finite numbers and contradictory options are refused, and the
model listing stays whole when piped. Each refusal is one line with exit code 2, and
the solve entry point of the command is replaced by one that raises, so a test fails
if the work started."""

import math

import pytest
import xarray as xr
from typer.testing import CliRunner

import pathjax
from pathjax.cli import app

READ_ONLY = "/proc"  # refuses new files even to root


class WorkStarted(Exception):
    pass


def _refuse(*args, **kwargs):
    raise WorkStarted("the command started its work before checking its input")


@pytest.fixture
def no_work(monkeypatch):
    """Every command's solve entry point raises."""
    import pathjax.bench
    import pathjax.calibrate
    import pathjax.population
    import pathjax.sensitivity
    from pathjax.cli import _simulate

    monkeypatch.setattr(_simulate, "simulate", _refuse)
    monkeypatch.setattr(pathjax.population, "run", _refuse)
    for name in ("local", "sobol", "morris", "dgsm"):
        monkeypatch.setattr(pathjax.sensitivity, name, _refuse)
    monkeypatch.setattr(pathjax.calibrate, "fit", _refuse)
    monkeypatch.setattr(pathjax.bench, "run_quick", _refuse)


def _one_line_exit_2(args: list[str], message: str) -> str:
    res = CliRunner().invoke(app, args)
    assert not isinstance(res.exception, WorkStarted), "work started before the check"
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1, res.output
    assert message in lines[0], lines[0]
    return lines[0]


SIM = ["simulate", "--model", "sedaghat2002", "--t-end", "10", "--points", "3"]
POP = ["population", "--model", "sedaghat2002", "--cohort", "healthy", "--patients", "2",
       "--t-end", "10", "--points", "3"]  # fmt: skip
SENS = ["sensitivity", "--model", "sedaghat2002", "--t-end", "10", "--points", "3",
        "--params", "k_IRS1_phos"]  # fmt: skip


def _bad_outputs(tmp_path):
    """(where, message) pairs: a file where a folder is expected, a folder that is not
    there, a folder that cannot be written, a folder where a file is expected."""
    (tmp_path / "afile").write_text("in the way")
    (tmp_path / "adir.nc").mkdir()
    return [
        (tmp_path / "afile" / "x.nc", "is a file, not a folder"),
        (tmp_path / "missing" / "x.nc", "does not exist"),
        (f"{READ_ONLY}/x.nc", "is not writable"),
        (tmp_path / "adir.nc", "is a folder"),
    ]


@pytest.mark.parametrize("command", [SIM, POP, SENS], ids=["simulate", "population", "sensitivity"])
def test_result_paths_are_checked_before_any_work(no_work, tmp_path, command):
    for where, message in _bad_outputs(tmp_path):
        line = _one_line_exit_2(command + ["--out", str(where)], message)
        assert str(where) in line


@pytest.mark.parametrize("command", [SIM, SENS], ids=["simulate", "sensitivity"])
def test_plot_paths_are_checked_before_any_work(no_work, tmp_path, command):
    out = ["--out", str(tmp_path / "r.nc")]
    (tmp_path / "afile").write_text("in the way")
    (tmp_path / "adir.png").mkdir()
    for where, message in [
        (f"{READ_ONLY}/x.png", "is not writable"),
        (tmp_path / "afile" / "x.png", "is a file, not a folder"),
        (tmp_path / "adir.png", "is a folder"),
        (tmp_path / "x.jpg", ".png or .pdf or .svg"),
    ]:
        _one_line_exit_2(command + out + ["--plot", str(where)], message)
    assert not (tmp_path / "r.nc").exists()


def test_population_zarr_in_a_read_only_folder_fails_fast(no_work):
    _one_line_exit_2(POP + ["--out", f"{READ_ONLY}/x.zarr"], "is not writable")


def test_calibrate_folder_is_checked_before_the_fit(no_work, tmp_path):
    (tmp_path / "afile").write_text("in the way")
    cal = ["calibrate", "brannmark2013", "--out"]
    _one_line_exit_2(cal + [f"{READ_ONLY}/fitx"], "is not writable")
    _one_line_exit_2(cal + [str(tmp_path / "afile")], "is a file, not a folder")
    _one_line_exit_2(cal + [str(tmp_path / "afile" / "deeper")], "is a file, not a folder")


def test_bench_json_is_checked_before_the_benchmark(no_work, tmp_path):
    _one_line_exit_2(["bench", "--json", f"{READ_ONLY}/b.json"], "is not writable")
    _one_line_exit_2(["bench", "--json", str(tmp_path / "b.txt")], ".json")


def test_library_population_run_checks_its_output_before_work(monkeypatch):
    from pathjax.population import _run

    monkeypatch.setattr(_run, "resolve_model", _refuse)  # the first step of the work
    with pytest.raises(pathjax.InputError, match="is not writable"):
        pathjax.population.run("sedaghat2002", "healthy", 2, 0, out=f"{READ_ONLY}/x.zarr")


def test_library_population_run_refuses_resume_with_overwrite(monkeypatch, tmp_path):
    from pathjax.population import _run

    monkeypatch.setattr(_run, "resolve_model", _refuse)
    with pytest.raises(pathjax.InputError, match="not both"):
        pathjax.population.run("sedaghat2002", "healthy", 2, 0, out=tmp_path / "x.zarr",
                               resume=True, overwrite=True)  # fmt: skip


def test_fan_charts_of_no_variable_are_refused():
    with pytest.raises(pathjax.InputError, match="at least one variable"):
        pathjax.plot.fan_chart_figure(xr.Dataset(coords={"time": [0.0, 1.0]}), [])


def test_calibration_save_refuses_a_read_only_folder():
    from pathjax.petab import PetabFit  # what pathjax.calibrate.fit returns

    with pytest.raises(pathjax.InputError, match="is not writable"):
        PetabFit.save(None, f"{READ_ONLY}/fitx")


@pytest.mark.parametrize(
    "args, message",
    [
        (SIM[:-4] + ["--t-end", "inf"], "--t-end must be a finite number, got inf"),
        (SIM + ["--cv", "nan"], "--cv must be a finite number, got NaN"),
        (SIM + ["--rtol", "inf"], "--rtol must be a finite number"),
        (SIM + ["--atol", "-inf"], "--atol must be a finite number"),
        (POP + ["--therapy", "irs_modulator", "--dose", "inf"], "--dose must be a finite"),
        (POP + ["--therapy", "irs_modulator", "--start", "nan"], "--start must be a finite"),
        (POP + ["--resume", "--overwrite"], "not both"),
        (SENS + ["--time", "500"], "--time 500 is after the end time 10"),
        (SENS + ["--time", "inf"], "--time must be a finite number"),
        (SENS + ["--method", "morris", "--absolute"], "--absolute applies to --method local"),
        (SENS + ["--method", "sobol", "--bounds", "k_IRS1_phos=1:inf"], "--bounds"),
    ],
)
def test_non_finite_numbers_and_contradictions_are_refused(no_work, tmp_path, args, message):
    suffix = ".zarr" if args[0] == "population" else ".nc"
    _one_line_exit_2(args + ["--out", str(tmp_path / f"r{suffix}")], message)


def test_simulate_outputs_unknown_name_lists_close_matches(no_work, tmp_path):
    line = _one_line_exit_2(
        SIM + ["--out", str(tmp_path / "r.nc"), "--outputs", "GLUT4_surfac"], "unknown output"
    )
    assert "GLUT4_surface" in line


def test_check_number_passes_finite_values():
    from pathjax.cli import check_number

    assert check_number(None, "--x") is None
    assert check_number(2.5, "--x", positive=True) == 2.5
    with pytest.raises(pathjax.InputError, match="--x must be positive"):
        check_number(0.0, "--x", positive=True)
    with pytest.raises(pathjax.InputError, match="finite"):
        check_number(math.inf, "--x")


def test_normalised_sensitivity_warns_about_parameters_at_zero():
    from toys import decay

    with pytest.warns(UserWarning, match=r"value is 0 are 0 .*: k; use normalized=False"):
        s = pathjax.sensitivity.local(decay(), [0.5, 1.0], {"k": 0.0}, wrt=["k"],
                                      outputs=["y"], normalized=True)  # fmt: skip
    assert float(abs(s).max()) == 0.0
