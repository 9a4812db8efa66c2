"""Profile likelihoods of a PEtab problem, every parameter's profile advanced as one batch.

From the best fit, each profiled parameter is stepped up and down along a grid on its
scale; at every step the other parameters are re-optimised (Adam, then L-BFGS, warm-started from
the previous step of the same branch). All branches (two per parameter) take their
k-th step together, in one batched objective evaluation per iteration.
"""

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from .._optimize import minimize
from ._fit import PetabFit
from ._problem import PetabProblem

__all__ = ["Profiles", "profile"]


@dataclass
class Profiles:
    """Profile likelihoods and confidence intervals.

    Attributes:
        parameters: the profiled parameter ids.
        values: {id: (n,) grid values on the linear scale, increasing}.
        objective: {id: (n,) the re-optimised objective at each value (inf: failed)}.
        best: the best fit's objective.
        threshold: ``best + chi2.ppf(level, 1) / 2``.
        level: the confidence level.
        intervals: {id: (lower, upper)} where the profile crosses the threshold
            (interpolated linearly in ``sqrt(objective - best)``; ±inf: not crossed
            inside the grid or the bounds).
        better: {id: True where the profile found an objective below `best` by more
            than 1e-3 (the fit had not converged)}.
    """

    parameters: tuple[str, ...]
    values: dict[str, np.ndarray]
    objective: dict[str, np.ndarray]
    best: float
    threshold: float
    level: float
    intervals: dict[str, tuple[float, float]]
    better: dict[str, bool]

    def as_dict(self) -> dict:
        """JSON-ready (what ``profiles.json`` holds)."""

        def num(v):
            return float(v) if math.isfinite(v) else None

        return {
            "level": self.level,
            "best": self.best,
            "threshold": self.threshold,
            "profiles": {
                p: {
                    "values": self.values[p].tolist(),
                    "objective": [num(v) for v in self.objective[p]],
                    "interval": [num(v) for v in self.intervals[p]],
                    "found_better": self.better[p],
                }
                for p in self.parameters
            },
        }


def profile(
    problem: PetabProblem,
    fit: PetabFit,
    parameters: Sequence[str] | None = None,
    *,
    points: int = 10,
    span: float | None = None,
    level: float = 0.95,
    adam_steps: int = 15,
    lbfgs_steps: int = 40,
    mode: str | None = None,
) -> Profiles:
    """Profile likelihoods around `fit`'s best point, all profiles as one batch.

    Args:
        problem: the `PetabProblem` that was fitted.
        fit: its `PetabFit` (from `pathjax.calibrate.fit`).
        parameters: ids to profile (default: every estimated parameter).
        points: equal steps per direction.
        span: how far each direction reaches on the parameter's scale (default: 2.5
            times the half-width of the Wald interval from the curvature at the
            optimum, at most 3 on the scale; 3 where the curvature is flat); the grid
            stops at the bounds.
        level: confidence level of the intervals (χ² threshold with 1 degree of
            freedom, on the objective: half of it).
        adam_steps, lbfgs_steps: Adam, then L-BFGS iterations per step.
        mode: the gradient's mode (see `pathjax.calibrate.fit`).

    Returns:
        `Profiles`.
    """
    from scipy.stats import chi2

    if not isinstance(fit, PetabFit) or fit.problem is not problem:
        raise InputError("fit must be the PetabFit of this problem (pathjax.calibrate.fit)")
    ids = problem.parameter_ids
    names = tuple(ids if parameters is None else parameters)
    for n in names:
        if n not in ids:
            raise InputError(f"parameters: {n!r} is not an estimated parameter of {problem.name}")
    if not names:
        raise InputError("parameters: nothing to profile")
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) or points < 1:
        raise InputError(f"points must be a positive integer, got {points!r}")
    if not (0 < level < 1):
        raise InputError(f"level must be in (0, 1), got {level!r}")
    if span is not None and not (isinstance(span, numbers.Real) and span > 0):
        raise InputError(f"span must be positive, got {span!r}")
    lo, hi = problem.bounds_scaled()
    lo_f = np.where(np.isfinite(lo), lo, -np.inf)
    hi_f = np.where(np.isfinite(hi), hi, np.inf)
    theta_hat = fit.theta[fit.best]
    f_hat = fit.objective
    idx = np.array([ids.index(n) for n in names])
    # branch b: parameter idx[b // 2], direction +1 (even) or -1 (odd)
    which = np.repeat(idx, 2)
    sign = np.tile([1.0, -1.0], len(idx))
    reach = _reach(problem, theta_hat, lo, hi, level, mode)[which] if span is None else \
        np.full(which.size, float(span))  # fmt: skip
    S = which.size
    theta = np.tile(theta_hat, (S, 1))
    rows = np.arange(S)
    grid = np.full((S, points), np.nan)
    objective = np.full((S, points), np.inf)

    for k in range(1, points + 1):
        target = theta_hat[which] + sign * reach * k / points
        target = np.clip(target, lo_f[which], hi_f[which])
        grid[:, k - 1] = target
        theta[rows, which] = target
        fixed_values = target.copy()

        def vg(th, fixed_values=fixed_values):
            th = np.array(th)
            th[rows, which] = fixed_values
            f, g, ok = problem.value_and_grad(th, mode=mode)
            g = np.array(g)
            g[rows, which] = 0.0
            return f, g, ok

        # a few scale-free Adam steps first: next to the optimum the first L-BFGS step
        # (the raw gradient) can overshoot every backtracking factor
        res = minimize(vg, np.clip(theta, lo, hi), lo, hi, adam_steps=adam_steps,
                       lbfgs_steps=lbfgs_steps, learning_rate=0.02)  # fmt: skip
        theta = np.where(np.isfinite(res.chi2)[:, None], res.theta, theta)
        theta[rows, which] = fixed_values
        objective[:, k - 1] = res.chi2

    threshold = f_hat + chi2.ppf(level, 1) / 2
    values, objs, intervals, better = {}, {}, {}, {}
    for j, n in enumerate(names):
        i = idx[j]
        up, down = 2 * j, 2 * j + 1
        th = np.concatenate([grid[down][::-1], [theta_hat[i]], grid[up]])
        ob = np.concatenate([objective[down][::-1], [f_hat], objective[up]])
        th, keep = np.unique(th, return_index=True)  # grid points clipped at a bound
        ob = ob[keep]
        x = problem.from_scale(_column(th, i, theta_hat))
        values[n] = x[:, i]
        objs[n] = ob
        intervals[n] = _interval(
            values[n], ob, threshold, int(np.argmin(np.abs(th - theta_hat[i])))
        )
        better[n] = bool(np.any(ob < f_hat - 1e-3))
    return Profiles(names, values, objs, float(f_hat), float(threshold), float(level),
                    intervals, better)  # fmt: skip


MAX_REACH = 3.0
"""The farthest a profile reaches on the parameter's scale by default."""


def _reach(problem, theta, lo, hi, level, mode) -> np.ndarray:
    """(m,) 2.5 times the Wald half-width of each parameter from the Hessian at `theta`
    (central differences of the gradient, all 2m points as one batch), at most
    `MAX_REACH`."""
    from scipy.stats import chi2

    m = theta.size
    h = 1e-4 * np.maximum(1.0, np.abs(theta))
    shifted = np.concatenate([theta + np.diag(h), theta - np.diag(h)])
    _, g, ok = problem.value_and_grad(np.clip(shifted, lo, hi), mode=mode)
    H = (g[:m] - g[m:]) / (2 * h[:, None])
    H = 0.5 * (H + H.T)
    z = math.sqrt(chi2.ppf(level, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            var = np.diag(np.linalg.inv(H)) if ok.all() else np.full(m, np.nan)
        except np.linalg.LinAlgError:
            var = np.full(m, np.nan)
        var = np.where(var > 0, var, 1.0 / np.diag(H))
        width = 2.5 * z * np.sqrt(np.where(var > 0, var, np.inf))
    return np.where(np.isfinite(width), np.minimum(width, MAX_REACH), MAX_REACH)


def _column(th: np.ndarray, i: int, theta_hat: np.ndarray) -> np.ndarray:
    out = np.tile(theta_hat, (th.size, 1))
    out[:, i] = th
    return out


def _interval(x: np.ndarray, f: np.ndarray, threshold: float, centre: int) -> tuple[float, float]:
    """Where the profile first crosses `threshold` on each side of `centre` (±inf: it
    does not inside the grid, or a step failed before it did)."""

    def crossing(order: list[int], unbounded: float) -> float:
        prev = centre
        for j in order:
            if not np.isfinite(f[j]):
                return unbounded
            if f[j] >= threshold:
                # interpolated in sqrt(f - f_best): linear in x where the profile is
                # quadratic (exact for a Gaussian likelihood)
                base = f[centre]
                a, b = (math.sqrt(max(v - base, 0.0)) for v in (f[prev], f[j]))
                w = (math.sqrt(threshold - base) - a) / (b - a) if b != a else 0.0
                return float(x[prev] + w * (x[j] - x[prev]))
            prev = j
        return unbounded

    lower = crossing(list(range(centre - 1, -1, -1)), -math.inf)
    upper = crossing(list(range(centre + 1, len(x))), math.inf)
    return lower, upper
