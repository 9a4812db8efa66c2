"""``pathjax calibrate``: fit a PEtab problem (``pathjax calibrate PROBLEM.yaml``, a problem
shipped with pathjax such as ``brannmark2013``, or ``--model NAME`` for the problem a
model's calibration companion names), many starts as one batch, and write the fit, its
simulation table, plots and profile likelihoods."""

from pathlib import Path

import typer

from .. import io as _io
from .._errors import InputError
from . import app, check_number, guarded, interactive, out, split_names


@app.command("calibrate")
@guarded
def calibrate_command(
    problem: str = typer.Argument(
        None,
        help="a PEtab problem's YAML file, or the name of a problem shipped with pathjax "
        "(brannmark2013: Brännmark 2013 against the human adipocyte data)",
    ),
    out_dir: Path = typer.Option(..., "--out", help="output folder (created if needed)"),
    model: str = typer.Option(
        None, "--model", help="a bundled model whose calibration problem to fit (brannmark2013)"
    ),
    starts: int = typer.Option(8, "--starts", help="starts, uniform within the bounds"),
    seed: int = typer.Option(0, "--seed", help="seed of the start points"),
    include_nominal: bool = typer.Option(
        False, "--include-nominal", help="make the first start the nominal (published) point"
    ),
    adam_steps: int = typer.Option(100, "--adam-steps", help="Adam iterations"),
    lbfgs_steps: int = typer.Option(150, "--lbfgs-steps", help="L-BFGS iterations after Adam"),
    learning_rate: float = typer.Option(
        0.05, "--learning-rate", help="Adam step (units of the parameter scales)"
    ),
    mode: str = typer.Option("auto", "--mode", help="gradient: auto, forward or reverse"),
    rtol: float = typer.Option(None, "--rtol", help="solver rtol (default 1e-8)"),
    atol: float = typer.Option(None, "--atol", help="solver atol (default 1e-12)"),
    profiles: bool = typer.Option(
        True, "--profiles/--no-profiles", help="profile likelihoods after the fit"
    ),
    profile_parameters: str = typer.Option(
        None, "--profile-parameters", help="comma-separated ids to profile (default: every one)"
    ),
    profile_points: int = typer.Option(10, "--profile-points", help="profile steps per side"),
    plot: bool = typer.Option(
        True, "--plot/--no-plot", help="write waterfall.png, fits.png (and profiles.png)"
    ),
) -> None:
    """Calibrate a PEtab problem: every start optimised at once (Adam, then L-BFGS), the
    gradient by automatic differentiation through the solver; then profile likelihoods.
    Writes fit.json, simulation.tsv, waterfall.png, fits.png, profiles.json and
    profiles.png."""
    from .. import calibrate
    from ..petab import BUNDLED

    _io.check_out_dir(out_dir, "--out")
    if problem is not None and model is not None:
        raise InputError("give a PEtab problem or --model, not both")
    if problem is None and model is None:
        choices = ", ".join(dict.fromkeys([*BUNDLED, *calibrate.calibrated_models()]))
        raise InputError(f"give a PEtab problem (a YAML file or one of: {choices}) or --model")
    if starts < 1:
        raise InputError(f"--starts must be at least 1, got {starts}")
    if seed < 0:
        raise InputError(f"--seed must be at least 0, got {seed}")
    for flag, steps in (("--adam-steps", adam_steps), ("--lbfgs-steps", lbfgs_steps)):
        if steps < 0:
            raise InputError(f"{flag} must be at least 0, got {steps}")
    check_number(learning_rate, "--learning-rate", positive=True)
    check_number(rtol, "--rtol", positive=True)
    check_number(atol, "--atol", positive=True)
    if mode not in ("auto", "forward", "reverse"):
        raise InputError(f"--mode must be auto, forward or reverse, got {mode!r}")
    if profile_points < 1:
        raise InputError(f"--profile-points must be at least 1, got {profile_points}")
    names = split_names(profile_parameters, "--profile-parameters")
    if names is not None and not profiles:
        raise InputError("--profile-parameters and --no-profiles: not both")
    petab_problem = calibrate.load_problem(model or problem, rtol=rtol, atol=atol)
    for name in names or ():
        if name not in petab_problem.parameter_ids:
            raise InputError(
                f"--profile-parameters: {name!r} is not an estimated parameter of "
                f"{petab_problem.name}"
            )
    out.print(f"{petab_problem!r}")
    result = calibrate.fit(
        petab_problem, starts=starts, seed=seed, include_nominal=include_nominal,
        adam_steps=adam_steps, lbfgs_steps=lbfgs_steps, learning_rate=learning_rate,
        mode=mode, progress=interactive(),
    )  # fmt: skip
    out.print(
        f"{petab_problem.name}: best nllh {result.nllh:.4f} (objective {result.objective:.4f}); "
        f"{result.converged(0.1):.0%} of {starts} starts within 0.1; {result.wall_time:.0f} s"
    )
    found = None
    if profiles:
        found = calibrate.profile(
            petab_problem, result, names, points=profile_points,
            mode=None if mode == "auto" else mode,
        )  # fmt: skip
        for p in found.parameters:
            lo, hi = found.intervals[p]
            out.print(f"  {p}: {result.x[p]:.4g}  [{lo:.4g}, {hi:.4g}] ({found.level:.0%})")
    paths = result.save(out_dir, plot=plot, profiles=found)
    out.print(f"wrote {', '.join(str(p) for p in paths.values())}")
