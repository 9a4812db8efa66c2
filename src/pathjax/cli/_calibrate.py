"""``pathjax calibrate``: fit Brännmark 2013 to the human adipocyte data (many starts as
one batch) and write ``fit.json``, ``predictions.csv`` and ``fit.png``."""

from pathlib import Path

import typer

from .. import io as _io
from .._errors import InputError
from . import app, check_number, guarded, interactive, out, split_names


@app.command("calibrate")
@guarded
def calibrate_command(
    out_dir: Path = typer.Option(..., "--out", help="output folder (created if needed)"),
    data: Path = typer.Option(
        None, "--data", help="data folder (default: the adipocyte data shipped with pathjax)"
    ),
    model: str = typer.Option("brannmark2013", "--model", help="model to calibrate"),
    condition: str = typer.Option("normal", "--condition", help="normal or t2d"),
    starts: int = typer.Option(
        8, "--starts", help="starts (the published point + a Latin hypercube)"
    ),
    seed: int = typer.Option(0, "--seed", help="seed of the Latin hypercube"),
    params: str = typer.Option(
        None, "--params", help="comma-separated parameters to fit (default: see docs)"
    ),
    datasets: str = typer.Option(
        None, "--datasets", help="comma-separated data sets (default: every mapped one)"
    ),
    base: Path = typer.Option(
        None, "--from", help="t2d: the normal fit (its folder or fit.json); default: fit it first"
    ),
    adam_steps: int = typer.Option(150, "--adam-steps", help="Adam iterations"),
    lbfgs_steps: int = typer.Option(60, "--lbfgs-steps", help="L-BFGS iterations after Adam"),
    learning_rate: float = typer.Option(0.05, "--learning-rate", help="Adam step (log units)"),
    spread: float = typer.Option(100.0, "--spread", help="bounds: published / S ... published * S"),
    mode: str = typer.Option("auto", "--mode", help="gradient: auto, forward or reverse"),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="write fit.png"),
) -> None:
    """Calibrate a model to data: every start optimised at once (Adam, then L-BFGS), the
    gradient by automatic differentiation through the solver; t2d fits the diabetes
    parameters from the normal fit."""
    from .. import calibrate

    _io.check_out_dir(out_dir, "--out")
    check_number(learning_rate, "--learning-rate", positive=True)
    check_number(spread, "--spread", minimum=1.0)
    if starts < 1:
        raise InputError(f"--starts must be at least 1, got {starts}")
    if data is not None and not data.is_dir():
        raise InputError(f"--data {str(data)!r} is not a folder")
    if base is not None and condition != "t2d":
        raise InputError("--from applies to --condition t2d only")
    progress = interactive()
    result = calibrate.fit(
        model, data, condition, starts=starts, seed=seed,
        params=split_names(params, "--params"), datasets=split_names(datasets, "--datasets"),
        base=base, adam_steps=adam_steps, lbfgs_steps=lbfgs_steps,
        learning_rate=learning_rate, spread=spread, mode=mode, progress=progress,
    )  # fmt: skip
    if result.normal_fit is not None:
        paths = result.normal_fit.save(out_dir / "normal", plot=plot)
        out.print(f"wrote the normal fit to {paths['fit'].parent}")
    paths = result.save(out_dir, plot=plot)
    seconds = result.info["timing_s"]["total_s"]
    out.print(
        f"{result.model} {result.condition}: chi2 {result.chi2:.2f} (published "
        f"{result.chi2_published:.2f}), n_data {result.n_data}, threshold "
        f"{result.threshold:.2f}; {starts} starts in {seconds:.0f} s"
    )
    for k, v in result.info.get("diabetes_comparison", {}).items():
        out.print(
            f"  {k}: {v['fitted']:.4g} ({100 * v['fitted_relative_to_normal']:.0f} % of normal; "
            f"Brännmark 2013: {v['brannmark2013']:g})"
        )
    out.print(f"wrote {', '.join(str(p) for p in paths.values())}")
