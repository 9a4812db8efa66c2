"""``pathjax calibrate``: fit a PEtab problem (``pathjax calibrate PROBLEM.yaml``) or
Brännmark 2013 to the human adipocyte data, many starts as one batch, and write the fit,
its simulations and plots (and, for a PEtab problem, its profile likelihoods)."""

from pathlib import Path

import typer

from .. import io as _io
from .._errors import InputError
from . import app, check_number, guarded, interactive, out, split_names


@app.command("calibrate")
@guarded
def calibrate_command(
    problem: Path = typer.Argument(
        None, help="a PEtab problem's YAML file (default: Brännmark 2013 and the adipocyte data)"
    ),
    out_dir: Path = typer.Option(..., "--out", help="output folder (created if needed)"),
    data: Path = typer.Option(
        None, "--data", help="data folder (default: the adipocyte data shipped with pathjax)"
    ),
    model: str = typer.Option("brannmark2013", "--model", help="model to calibrate"),
    condition: str = typer.Option("normal", "--condition", help="normal or t2d"),
    starts: int = typer.Option(
        None,
        "--starts",
        help="starts (default 32 for a PEtab problem, else 8: the "
        "published point + a Latin hypercube)",
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
    adam_steps: int = typer.Option(None, "--adam-steps", help="Adam iterations (150; PEtab: 100)"),
    lbfgs_steps: int = typer.Option(
        None, "--lbfgs-steps", help="L-BFGS iterations after Adam (60; PEtab: 150)"
    ),
    profiles: bool = typer.Option(
        True, "--profiles/--no-profiles", help="PEtab: profile likelihoods of every parameter"
    ),
    profile_points: int = typer.Option(10, "--profile-points", help="PEtab: steps per side"),
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
    if problem is not None:
        return _petab(problem, out_dir, locals())
    starts = 8 if starts is None else starts
    adam_steps = 150 if adam_steps is None else adam_steps
    lbfgs_steps = 60 if lbfgs_steps is None else lbfgs_steps
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


def _petab(path: Path, out_dir: Path, opts: dict) -> None:
    """``pathjax calibrate PROBLEM.yaml``: multi-start fit, simulation table, plots and
    profiles of a PEtab problem."""
    from .. import calibrate, petab

    others = [flag for flag, key, default in (
        ("--data", "data", None), ("--model", "model", "brannmark2013"),
        ("--condition", "condition", "normal"), ("--params", "params", None),
        ("--datasets", "datasets", None), ("--from", "base", None), ("--spread", "spread", 100.0),
    ) if opts[key] != default]  # fmt: skip
    if others:
        raise InputError(f"{', '.join(others)}: not options of a PEtab problem (its tables say "
                         "what is fitted)")  # fmt: skip
    if not path.is_file():
        raise InputError(f"PEtab problem {str(path)!r}: no such file")
    starts = 32 if opts["starts"] is None else opts["starts"]
    if starts < 1:
        raise InputError(f"--starts must be at least 1, got {starts}")
    check_number(opts["learning_rate"], "--learning-rate", positive=True)
    if opts["profile_points"] < 1:
        raise InputError(f"--profile-points must be at least 1, got {opts['profile_points']}")
    mode = None if opts["mode"] == "auto" else opts["mode"]
    problem = petab.load(path)
    out.print(f"{problem!r}")
    result = calibrate.fit(
        problem, starts=starts, seed=opts["seed"],
        adam_steps=100 if opts["adam_steps"] is None else opts["adam_steps"],
        lbfgs_steps=150 if opts["lbfgs_steps"] is None else opts["lbfgs_steps"],
        learning_rate=opts["learning_rate"], mode=opts["mode"], progress=interactive(),
    )  # fmt: skip
    out.print(
        f"{problem.name}: best nllh {result.nllh:.4f} (objective {result.objective:.4f}); "
        f"{result.converged(0.1):.0%} of {starts} starts within 0.1; {result.wall_time:.0f} s"
    )
    profiles = None
    if opts["profiles"]:
        profiles = calibrate.profile(problem, result, points=opts["profile_points"], mode=mode)
        for p in profiles.parameters:
            lo, hi = profiles.intervals[p]
            out.print(f"  {p}: {result.x[p]:.4g}  [{lo:.4g}, {hi:.4g}] ({profiles.level:.0%})")
    paths = result.save(out_dir, plot=opts["plot"], profiles=profiles)
    out.print(f"wrote {', '.join(str(p) for p in paths.values())}")
