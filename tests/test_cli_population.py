"""``pathjax population``: a streamed run end to end, and one-line errors (exit code 2)
for bad input, before anything is compiled."""

import numpy as np
import pytest
import xarray as xr
from typer.testing import CliRunner

from helpers import pathjax_command
from pathjax.cli import _bench, _models, _population, _simulate, app  # noqa: F401  (register)
from pathjax.io import open_result

BASE = ["population", "--model", "brannmark2013", "--cohort", "t2d", "--patients", "10",
        "--seed", "4", "--chunk-size", "8", "--points", "7", "--t-end", "30"]  # fmt: skip


def test_population_writes_a_streamed_zarr_and_same_seed_gives_same_patients(tmp_path):
    out = tmp_path / "pop.zarr"
    res = pathjax_command(*BASE, "--therapy", "insulin_sensitizer", "--dose", "2",
                          "--out", str(out))  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "wrote" in res.stdout and "acceptance" in res.stdout and "glucose_uptake" in res.stdout
    ds = open_result(out)
    assert ds.sizes["patient"] == 10 and ds.sizes["time"] == 7
    assert ds.attrs["cohort"] == "t2d" and ds.attrs["seed"] == 4
    assert np.all(ds["dose"].values == 2.0) and list(ds["therapy"].values) == ["insulin_sensitizer"]
    assert np.all(ds["status"].values == 0)
    # the same command again, in this process, to NetCDF: the same patients, bitwise
    res = CliRunner().invoke(app, [*BASE, "--therapy", "insulin_sensitizer", "--dose", "2",
                                   "--out", str(tmp_path / "pop.nc")])  # fmt: skip
    assert res.exit_code == 0, res.output
    nc = open_result(tmp_path / "pop.nc")
    assert nc["params"].values.tobytes() == ds["params"].values.tobytes()
    xr.testing.assert_allclose(nc["glucose_uptake"], ds["glucose_uptake"], rtol=1e-12)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--cohort", "prediabetic"], "unknown cohort 'prediabetic'"),
        (["--model", "brannmark"], "unknown model 'brannmark'"),
        (["--therapy", "antioxidant"], "Valid therapies: receptor_agonist, irs_modulator"),
        (["--therapy", "irs_modulator", "--dose", "-1"], "negative"),
        (["--therapy", "irs_modulator", "--dose", "nan"], "NaN"),
        (["--therapy", "irs_modulator", "--dose", "1", "--dose", "2"], "one per --therapy"),
        (["--dose", "1"], "need a --therapy"),
        (["--therapy", "insulin_sensitizer", "--start", "10"], "chronically"),
        (["--patients", "0"], "--patients"),
        (["--chunk-size", "0"], "chunk_size"),
        (["--outputs", "GLUT4"], "unknown output 'GLUT4'"),
        (["--protocol", "ogtt"], "unknown protocol 'ogtt'"),
        (["--t-end", "inf"], "--t-end"),
        (["--rtol", "0"], "rtol"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(tmp_path, extra, message):
    args = list(BASE)
    for i in range(0, len(extra), 1):
        if (
            extra[i] in args
            and extra[i].startswith("--")
            and extra[i] not in ("--therapy", "--dose")
        ):
            j = args.index(extra[i])
            del args[j : j + 2]
    res = CliRunner().invoke(app, [*args, *extra, "--out", str(tmp_path / "x.zarr")])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], res.stderr
    assert not (tmp_path / "x.zarr").exists()


def test_existing_output_needs_resume_or_overwrite(tmp_path):
    out = tmp_path / "x.zarr"
    out.mkdir()
    res = CliRunner().invoke(app, [*BASE, "--out", str(out)])
    assert res.exit_code == 2 and "--resume" in res.stderr
    res = CliRunner().invoke(app, [*BASE, "--out", str(out), "--resume"])
    assert res.exit_code == 2 and "not a pathjax streamed run" in res.stderr
    res = CliRunner().invoke(app, [*BASE, "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and ".nc" in res.stderr


def test_help():
    res = CliRunner().invoke(app, ["population", "--help"])
    assert res.exit_code == 0 and "--resume" in res.output and "--chunk-size" in res.output


def _ogtt_like() -> xr.Dataset:
    """Two patients' glucose and HOMA-IR over 0-240 min (no solve)."""
    t = np.array([0.0, 60.0, 240.0])
    return xr.Dataset(
        {"plasma_glucose": (("patient", "time"), [[90.0, 180.0, 100.0], [95.0, 170.0, 110.0]],
                            {"units": "mg/dL"}),
         "HOMA_IR": (("patient", "time"), [[1.0, 5.0, 2.0], [2.0, 6.0, 3.0]], {"units": "1"})},
        coords={"time": ("time", t, {"units": "min"}), "patient": [0, 1]},
    )  # fmt: skip


def test_summaries_name_the_last_value_final_and_keep_only_the_fasting_homa_ir():
    from pathjax.summaries import STATISTICS, cohort_table, per_patient

    assert "steady_state" not in STATISTICS
    s = per_patient(_ogtt_like())
    assert s["final"].attrs["long_name"] == "value at the last output time (t = 240 min)"
    assert s["final"].sel(output="plasma_glucose").values.tolist() == [100.0, 110.0]
    assert s["initial"].sel(output="HOMA_IR").values.tolist() == [1.0, 2.0]
    assert np.isnan(s["peak"].sel(output="HOMA_IR").values).all()  # no "peak" of a fasting index
    table = cohort_table(s, quantiles=(0.5,))
    assert table.loc["HOMA_IR"].index.tolist() == ["initial"]
    assert table.loc[("plasma_glucose", "auc"), "units"] == "mg/dL x min"
    assert table.loc[("plasma_glucose", "time_to_peak"), "units"] == "min"
    assert table.loc[("plasma_glucose", "final"), "units"] == "mg/dL"


def test_the_cli_summary_table_has_units_and_final_values(monkeypatch, tmp_path):
    import pathjax.population
    from pathjax.summaries import per_patient

    def fake_run(model, cohort, n, seed, t, **kw):
        ds = _ogtt_like()
        ds = ds.merge(per_patient(ds))
        ds.attrs.update(cohort=cohort, acceptance_rate=1.0, n_failed=0)
        return ds

    monkeypatch.setattr(pathjax.population, "run", fake_run)
    res = CliRunner().invoke(app, [*BASE, "--out", str(tmp_path / "x.zarr")])
    assert res.exit_code == 0, res.output
    header = next(line for line in res.output.splitlines() if "units" in line)
    assert header.split()[:2] == ["units", "n"]
    rows = [line.split() for line in res.output.splitlines()]
    assert ["HOMA_IR", "initial", "1"] == [r for r in rows if r and r[0] == "HOMA_IR"][0][:3]
    assert not any("HOMA_IR" in r and "peak" in r for r in rows)
    assert any(r[:3] == ["final", "mg/dL", "2"] for r in rows)
    assert "steady_state" not in res.output
