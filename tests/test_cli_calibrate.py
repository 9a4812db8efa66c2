"""``pathjax calibrate``: one-line errors with exit code 2 before any work, and a small
normal fit followed by the diabetic fit from it, written as fit.json, predictions.csv and
fit.png. The fits use the shapes of tests/test_calibrate.py (2 starts, 3 parameters), so
in one pytest process the compiled objective is shared."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from pathjax.calibrate import bundled_data
from pathjax.cli import app

DATA = bundled_data()
CI_PARAMS = "k_IRS1_S307_phos_by_mTORC1,k_PKB_S473_dephos,k_AS160_dephos"
SMALL = ["--starts", "2", "--seed", "1", "--adam-steps", "3", "--lbfgs-steps", "2"]


@pytest.fixture(scope="module")
def runner():
    from pathjax.cli import _calibrate  # noqa: F401  (registers the command)

    return CliRunner()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "sedaghat2002"], "unknown calibration model"),
        (["--condition", "prediabetic"], "condition must be one of"),
        (["--starts", "0"], "--starts must be at least 1"),
        (["--data", "/nonexistent/folder"], "is not a folder"),
        (["--params", "k_nonsense"], "unknown parameter"),
        (["--datasets", "EC50"], "is not used"),
        (["--from", "somewhere"], "--from applies to --condition t2d only"),
        (["--condition", "t2d", "--from", "/nonexistent/fit"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(runner, tmp_path, args, message):
    base = ["calibrate", "--data", str(DATA), "--out", str(tmp_path / "out")]
    res = runner.invoke(app, base + args)
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], res.output


def test_help_lists_the_options(runner):
    res = runner.invoke(app, ["calibrate", "--help"])
    assert res.exit_code == 0
    for option in ("--model", "--data", "--condition", "--starts", "--seed", "--out"):
        assert option in res.output


def test_normal_then_t2d_writes_the_outputs(runner, tmp_path):
    normal, t2d = tmp_path / "normal", tmp_path / "t2d"
    res = runner.invoke(
        app,
        ["calibrate", "--model", "brannmark2013", "--data", str(DATA), "--condition", "normal",
         "--params", CI_PARAMS, "--out", str(normal)] + SMALL,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        ["calibrate", "--model", "brannmark2013", "--condition", "t2d",  # bundled data
         "--from", str(normal), "--out", str(t2d)] + SMALL,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "diabetes:" in res.output
    for folder, condition in ((normal, "normal"), (t2d, "t2d")):
        info = json.loads((folder / "fit.json").read_text())
        pred = pd.read_csv(folder / "predictions.csv")
        assert info["condition"] == condition
        assert info["chi2"] <= info["chi2_published"]
        total = (((pred["model"] - pred["data"]) / pred["sem"]) ** 2).sum()
        assert info["chi2"] == pytest.approx(total, rel=1e-10)
        assert (folder / "fit.png").exists()
    assert json.loads((t2d / "fit.json").read_text())["base"] == str(normal / "fit.json")
    # without --data the t2d fit read the data shipped with the package
    source = json.loads((t2d / "fit.json").read_text())["data_source"]
    assert source == json.loads((normal / "fit.json").read_text())["data_source"]
    assert source["commit"] == "511fef316d594447523cd54f766205d3e6379b30"
