"""Multi-start calibration of a PEtab problem: every start is one parameter vector of the
batch, so one objective evaluation solves all starts x experiments at once."""

import json
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import InputError
from .._optimize import minimize
from ._problem import PetabProblem

__all__ = ["PetabFit", "fit", "start_points"]


@dataclass
class PetabFit:
    """The outcome of `fit`: the best start and every start's trace.

    Attributes:
        problem: the `PetabProblem`.
        theta_start: (S, m) the starts, on the parameters' scales.
        theta: (S, m) the best point of each start, on the scales.
        f: (S,) the objective there (nllh plus the negative log prior where the
            problem has priors; inf for a start whose solve failed).
        f_start: (S,) the objective at the starts.
        history: (iterations + 1, S) each start's best objective after each iteration.
        evaluations: batched objective evaluations.
        wall_time: seconds for the whole fit.
        nllh: the negative log-likelihood at the best point.
        x: the best point as {parameter id: linear value}.
        settings: the options of the fit.
    """

    problem: PetabProblem
    theta_start: np.ndarray
    theta: np.ndarray
    f: np.ndarray
    f_start: np.ndarray
    history: np.ndarray
    evaluations: int
    wall_time: float
    nllh: float
    x: dict[str, float]
    settings: dict = field(default_factory=dict)

    @property
    def best(self) -> int:
        """Index of the best start."""
        return int(np.argmin(self.f))

    @property
    def objective(self) -> float:
        """The best objective value."""
        return float(self.f[self.best])

    def waterfall(self) -> np.ndarray:
        """The starts' final objectives, sorted (the waterfall plot's values)."""
        return np.sort(self.f)

    def converged(self, tol: float = 0.1) -> float:
        """Fraction of starts within `tol` of the best objective."""
        return float(np.mean(self.f <= self.objective + tol))

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (what ``fit.json`` holds)."""
        p = self.problem
        return {
            "problem": p.name,
            "petab_version": p.version,
            "parameter_ids": list(p.parameter_ids),
            "scales": list(p.scales),
            "best": {"nllh": self.nllh, "objective": self.objective, "x": self.x},
            "starts": {
                "theta_start": self.theta_start.tolist(),
                "theta": self.theta.tolist(),
                "objective": [_num(v) for v in self.f],
                "objective_start": [_num(v) for v in self.f_start],
            },
            "history": [[_num(v) for v in row] for row in self.history],
            "evaluations": self.evaluations,
            "wall_time_s": self.wall_time,
            "converged_fraction_0.1": self.converged(0.1),
            "settings": self.settings,
        }

    def save(self, folder: str | Path, *, plot: bool = True, profiles: Any = None) -> dict:
        """Write ``fit.json``, ``simulation.tsv`` (PEtab simulation table at the best
        point) and, with `plot`, ``waterfall.png`` and ``fits.png``; with `profiles`
        (from `profile`) also ``profiles.json`` and ``profiles.png``. Returns the paths."""
        from ..io import check_out_dir

        folder = check_out_dir(folder, "folder")
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"fit": folder / "fit.json", "simulation": folder / "simulation.tsv"}
        paths["fit"].write_text(json.dumps(self.as_dict(), indent=1))
        table = self.problem.simulation_table(self.x)
        table.to_csv(paths["simulation"], sep="\t", index=False)
        if profiles is not None:
            paths["profiles"] = folder / "profiles.json"
            paths["profiles"].write_text(json.dumps(profiles.as_dict(), indent=1))
        if plot:
            from ._plot import plot_fits, plot_profiles, plot_waterfall

            paths["waterfall"] = plot_waterfall(self, folder / "waterfall.png")
            paths["fits"] = plot_fits(self.problem, table, folder / "fits.png")
            if profiles is not None:
                paths["profiles_plot"] = plot_profiles(profiles, folder / "profiles.png")
        return paths


def _num(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def start_points(problem: PetabProblem, starts: int, seed: int, nominal: bool) -> np.ndarray:
    """(starts, m) start points on the scales: uniform within the bounds (seeded), the
    first one the nominal point when `nominal`."""
    theta = problem.sample_starts(starts, seed)
    if nominal:
        theta[0] = problem.to_scale(problem.x_nominal[None])[0]
    return theta


def fit(
    problem: PetabProblem | str | Path,
    *,
    starts: int = 32,
    seed: int = 0,
    include_nominal: bool = False,
    adam_steps: int = 100,
    lbfgs_steps: int = 150,
    learning_rate: float = 0.05,
    mode: str | None = None,
    progress: bool | Callable[[str, int, np.ndarray], None] = False,
) -> PetabFit:
    """Calibrate a PEtab problem from many starts, all starts as one batch.

    Each iteration evaluates the objective and its gradient (autodiff through the
    engine) for every start in one driver call; Adam then L-BFGS (optax, per start,
    `pathjax.calibrate.minimize`) on the parameters' scales, within their bounds. The
    objective is the negative log-likelihood, plus the negative log prior where the
    parameter table declares priors.

    Args:
        problem: a `PetabProblem` or the path of a PEtab YAML file.
        starts: number of starts, uniform on each parameter's scale within its bounds.
        seed: seed of the start points.
        include_nominal: make the first start the nominal parameters.
        adam_steps, lbfgs_steps: iterations of each phase.
        learning_rate: Adam's initial step on the parameter scale.
        mode: ``"forward"``/``"reverse"`` gradient (default: by the number of
            estimated parameters, `pathjax.petab.FORWARD_UP_TO`).
        progress: print progress, or a callable ``f(phase, iteration, best)``.

    Returns:
        `PetabFit`.

    Examples:
        >>> import pathjax
        >>> res = pathjax.calibrate.fit(pathjax.petab.example(), starts=4, seed=1,
        ...                             adam_steps=20, lbfgs_steps=30)
        >>> res.nllh < -45
        True
    """
    from ._problem import load

    if isinstance(problem, str | Path):
        problem = load(problem)
    if not isinstance(problem, PetabProblem):
        raise InputError(f"problem must be a PetabProblem or a YAML path, got {type(problem)}")
    starts = _check_int(starts, "starts", 1)
    _check_int(seed, "seed", 0)
    _check_int(adam_steps, "adam_steps", 0)
    _check_int(lbfgs_steps, "lbfgs_steps", 0)
    if not (isinstance(learning_rate, numbers.Real) and learning_rate > 0):
        raise InputError(f"learning_rate must be positive, got {learning_rate!r}")
    if mode not in (None, "forward", "reverse"):
        raise InputError(f"mode must be None, 'forward' or 'reverse', got {mode!r}")
    if not problem.parameter_ids:
        raise InputError(f"{problem.name}: no parameter is estimated (estimate = 1)")
    lo, hi = problem.bounds_scaled()
    theta0 = start_points(problem, starts, seed, include_nominal)
    callback = _progress(progress)
    t = time.perf_counter()
    res = minimize(
        lambda th: problem.value_and_grad(th, mode=mode), theta0, lo, hi,
        adam_steps=adam_steps, lbfgs_steps=lbfgs_steps, learning_rate=learning_rate,
        callback=callback,
    )  # fmt: skip
    wall = time.perf_counter() - t
    best = int(np.argmin(res.chi2))
    x_best = dict(zip(problem.parameter_ids, problem.from_scale(res.theta[best]).tolist()))
    nllh = problem.nllh(x_best) if np.isfinite(res.chi2[best]) else float("inf")
    return PetabFit(
        problem=problem, theta_start=theta0, theta=res.theta, f=res.chi2,
        f_start=res.chi2_initial, history=res.history, evaluations=res.evaluations,
        wall_time=wall, nllh=nllh, x=x_best,
        settings=dict(starts=starts, seed=seed, include_nominal=include_nominal,
                      adam_steps=adam_steps, lbfgs_steps=lbfgs_steps,
                      learning_rate=learning_rate, mode=mode, rtol=problem.rtol,
                      atol=problem.atol),
    )  # fmt: skip


def _progress(progress) -> Callable | None:
    if callable(progress):
        return progress
    if not progress:
        return None

    def show(phase: str, it: int, best: np.ndarray) -> None:
        if it % 10 == 0:
            print(f"{phase} {it:4d}: best objective {np.min(best):.6g}", flush=True)

    return show
