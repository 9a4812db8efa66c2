"""`pathjax demo`: three cohorts and a therapy through an OGTT, at a tiny size."""

import subprocess
import sys

import numpy as np
import pandas as pd

from pathjax.demo import ARMS, MARKERS
from pathjax.io import open_result


def run(*args):
    return subprocess.run(
        [sys.executable, "-c", "from pathjax.cli import main; main()", *args],
        capture_output=True,
        text=True,
    )


def test_demo_writes_figure_table_and_data(tmp_path):
    out = tmp_path / "new" / "demo"  # a folder that does not exist yet, two levels deep
    res = run("demo", "--out", str(out), "--patients", "4", "--seed", "0")
    assert res.returncode == 0, res.stderr
    assert "compiling" in res.stderr
    assert "Files in" in res.stdout and "markers.csv" in res.stdout

    png = out / "ogtt_cohorts.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 50_000

    table = pd.read_csv(out / "markers.csv").set_index("arm")
    assert list(table.index) == [a.name for a in ARMS]  # one row per cohort + therapy arm
    assert set(MARKERS) <= set(table.columns)
    assert (table["patients"] == 4).all()
    assert np.isfinite(table[list(MARKERS)].to_numpy(float)).all()
    fpg, g2h = "fasting glucose (mg/dL)", "2-h glucose (mg/dL)"
    assert table.loc["t2d", fpg] > table.loc["healthy", fpg]
    assert table.loc["t2d", g2h] > table.loc["healthy", g2h]
    assert table.loc["t2d_insulin_sensitizer", g2h] < table.loc["t2d", g2h]

    data = {a.name: open_result(out / f"{a.name}.nc") for a in ARMS}
    for ds in data.values():
        assert ds.sizes["patient"] == 4 and "plasma_glucose" in ds
        assert np.all(ds["status"].values == 0)
    # the treated arm holds the untreated T2D patients: the same disease, another GLUT4
    treated, untreated = data["t2d_insulin_sensitizer"]["params"], data["t2d"]["params"]
    for name in ("receptor_density", "inflammation", "oxidative_stress"):
        np.testing.assert_array_equal(
            treated.sel(parameter=name).values, untreated.sel(parameter=name).values
        )
    assert np.all(treated.sel(parameter="insulin_sensitizer").values > 1.0)


def test_demo_refuses_a_file_in_the_way(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for out in (taken, taken / "demo"):
        res = run("demo", "--out", str(out), "--patients", "4")
        assert res.returncode == 2
        lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1, res.stderr
        assert "file" in lines[0] and "taken" in lines[0]
    assert taken.read_text() == "not a folder"
