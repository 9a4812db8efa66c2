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


def test_every_command_has_help():
    for cmd in ("models", "simulate", "demo", "bench"):
        res = run(cmd, "--help")
        assert res.returncode == 0, (cmd, res.stderr)


def test_models_listing_keeps_every_column_when_piped_or_narrow(monkeypatch):
    import io

    from rich.console import Console
    from typer.testing import CliRunner

    from pathjax import models
    from pathjax.cli import _models, app

    rows = models.table()
    # piped (CliRunner is not a terminal), 60 columns: one whole line per model
    res = CliRunner().invoke(app, ["models"], env={"COLUMNS": "60"}, terminal_width=60)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["name", "states", "params", "obs", "inputs", "time", "source"]
    for row in rows:
        line = next(ln for ln in lines if ln.startswith(row["name"] + " "))
        assert line.endswith(row["source"]) and "…" not in line
    # a narrow terminal: records wrapped at words, every id whole
    screen = io.StringIO()
    monkeypatch.setattr(_models, "out", Console(file=screen, width=60, force_terminal=True))
    res = CliRunner().invoke(app, ["models"])
    assert res.exit_code == 0, res.output
    text = screen.getvalue()
    assert "…" not in text
    for row in rows:
        assert row["name"] in text
        for word in row["source"].split():
            assert word in text


def test_models_listing_gives_each_brannmark_cell_its_own_biomodels_id():
    from pathjax import models

    source = {r["name"]: r["source"] for r in models.table()}
    assert source["brannmark2013"].endswith("[BIOMD0000000448]")
    assert source["brannmark2013_diabetic"].endswith("[BIOMD0000000449]")
    assert "composite of 8 models" in source["insulin_resistance"]
