"""The `pathjax` command line: output files, one-line errors, exit codes."""

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from pathjax.io import open_result


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-c", "from pathjax.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_models_lists_bundled_models():
    res = run("models")
    assert res.returncode == 0, res.stderr
    assert "sedaghat2002" in res.stdout


def test_simulate_writes_netcdf_with_spread_parameters(tmp_path):
    out = tmp_path / "pop.nc"
    res = run("simulate", "--model", "sedaghat2002", "--patients", "5", "--seed", "3",
              "--t-end", "30", "--points", "7", "--out", str(out))  # fmt: skip
    assert res.returncode == 0, res.stderr
    ds = open_result(out)
    assert ds.sizes["patient"] == 5 and ds.sizes["time"] == 7
    k = ds["params"].sel(parameter="k_IRS1_phos").values
    assert np.std(k) > 0  # kinetic parameters are spread
    assert np.all(ds["status"].values == 0)
    # same seed -> same population
    out2 = tmp_path / "pop2.zarr"
    res = run("simulate", "--model", "sedaghat2002", "--patients", "5", "--seed", "3",
              "--t-end", "30", "--points", "7", "--out", str(out2))  # fmt: skip
    assert res.returncode == 0, res.stderr
    xr.testing.assert_allclose(open_result(out2)["params"], ds["params"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", "--model", "nope", "--out", "x.nc"], "unknown model 'nope'"),
        (["simulate", "--model", "sedaghat2002", "--out", "x.txt"], ".nc"),
        (["simulate", "--model", "sedaghat2002", "--out", "x.nc", "--patients", "0"], "--patients"),
        (["simulate", "--model", "sedaghat2002", "--out", "x.nc", "--rtol", "-1"], "rtol"),
        (["simulate", "--out", "x.nc"], "--model"),
        (["simulate", "--model", "sedaghat2002", "--out", "x.nc", "--protocol", "zz"], "protocol"),
    ],
)
def test_bad_input_one_line_nonzero_exit(tmp_path, args, message):
    res = run(*args, cwd=tmp_path)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert message in lines[0]
    assert not (tmp_path / "x.nc").exists()


def test_demo_writes_netcdf_and_png(tmp_path):
    res = run("demo", "--out", str(tmp_path / "demo"), "--patients", "20")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "demo" / "sedaghat2002_population.nc").exists()
    assert (tmp_path / "demo" / "sedaghat2002_population.png").stat().st_size > 10_000
    assert "wrote" in res.stdout


def test_every_command_has_help():
    for cmd in ("models", "simulate", "demo", "bench"):
        res = run(cmd, "--help")
        assert res.returncode == 0, (cmd, res.stderr)
