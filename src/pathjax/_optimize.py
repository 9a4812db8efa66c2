"""Many starts minimised together: Adam, then L-BFGS with a line search per start.

Each iteration evaluates every start in one batched call (``value_and_grad(theta)`` with
``theta`` of shape (start, parameter)); the optimisers are optax's, applied to every start
at once (Adam acts per coordinate; the L-BFGS memory is kept per start with `jax.vmap`).
Starts never influence each other:

* a start whose solve fails (``ok`` False) goes back to its best point so far, with its
  step halved; a start that fails at its initial point is dropped;
* Adam does not decrease the objective monotonically, so the best point of each start is
  kept;
* the L-BFGS phase backtracks each start's step on its own (Armijo condition); a start
  whose step cannot be accepted restarts its memory, and stops after two such failures in
  a row; with an empty memory (first step, restarts) the step is at most of unit length;
* parameters live on their scales (a PEtab problem's lin/log/log10) and are projected
  onto their bounds after every step.
"""

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

__all__ = ["OptimizeResult", "minimize"]

ValueAndGrad = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
_ARMIJO = 1e-4
_BACKTRACK = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 1e-3, 3e-4, 1e-4)


class OptimizeResult(NamedTuple):
    """Outcome of `minimize`.

    Attributes:
        theta: (S, m) best point of each start.
        chi2: (S,) objective there (inf for a dropped start).
        chi2_initial: (S,) objective at the initial points.
        history: (iterations + 1, S) best objective of each start after each iteration.
        evaluations: batched evaluations made.
    """

    theta: np.ndarray
    chi2: np.ndarray
    chi2_initial: np.ndarray
    history: np.ndarray
    evaluations: int


def _checked(vg: ValueAndGrad, theta: np.ndarray):
    f, g, ok = vg(theta)
    f = np.asarray(f, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    ok = np.asarray(ok, bool) & np.isfinite(f) & np.all(np.isfinite(g), axis=1)
    return np.where(ok, f, np.inf), np.where(ok[:, None], g, 0.0), ok


def _select(mask: np.ndarray, new, old):
    """Per start (leading axis): `new` where `mask`, else `old`."""
    keep = jnp.asarray(mask)
    return jax.tree.map(
        lambda a, b: jnp.where(keep.reshape((-1,) + (1,) * (a.ndim - 1)), a, b), new, old
    )


def minimize(
    value_and_grad: ValueAndGrad,
    theta0: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    adam_steps: int = 100,
    lbfgs_steps: int = 50,
    learning_rate: float = 0.05,
    memory: int = 10,
    callback: Callable[[str, int, np.ndarray], None] | None = None,
) -> OptimizeResult:
    """Minimise S independent objectives at once, Adam first and L-BFGS after.

    Args:
        value_and_grad: ``theta (S, m) -> (f (S,), grad (S, m), ok (S,))``; one batched
            call evaluates every start.
        theta0: (S, m) initial points, inside the bounds.
        lower, upper: (m,) bounds of theta.
        adam_steps: Adam iterations (learning rate cosine-decayed to a tenth).
        lbfgs_steps: L-BFGS iterations after Adam.
        learning_rate: Adam's initial step (in units of theta, e.g. log10 parameters).
        memory: L-BFGS memory size.
        callback: called as ``callback(phase, iteration, best_f)`` after each iteration.

    Returns:
        `OptimizeResult`.

    Examples:
        >>> import numpy as np
        >>> def vg(th):  # two independent quadratics with minima at 1 and -1
        ...     target = np.array([[1.0], [-1.0]])
        ...     return ((th - target) ** 2).sum(1), 2 * (th - target), np.ones(2, bool)
        >>> res = minimize(vg, np.zeros((2, 1)), np.array([-5.0]), np.array([5.0]),
        ...                adam_steps=20, lbfgs_steps=10)
        >>> np.round(res.theta.ravel(), 6).tolist()
        [1.0, -1.0]
    """
    theta = np.clip(np.array(theta0, dtype=np.float64), lower, upper)
    S = theta.shape[0]
    evaluations = 0

    f, g, ok = _checked(value_and_grad, theta)
    evaluations += 1
    chi2_initial = f.copy()
    alive = ok.copy()
    best_f = f.copy()
    best_theta = theta.copy()
    history = [best_f.copy()]

    if adam_steps > 0:
        schedule = optax.cosine_decay_schedule(learning_rate, adam_steps, alpha=0.1)
        adam = optax.adam(schedule)
        state = adam.init(jnp.asarray(theta))
        adam_update = jax.jit(adam.update)
        mult = np.ones(S)
        for it in range(adam_steps):
            if it > 0:
                f, g, ok = _checked(value_and_grad, theta)
                evaluations += 1
                better = ok & (f < best_f)
                best_f = np.where(better, f, best_f)
                best_theta[better] = theta[better]
            step, state = adam_update(jnp.asarray(np.where(alive[:, None], g, 0.0)), state)
            step = np.asarray(step) * mult[:, None]
            moved = np.clip(theta + step, lower, upper)
            failed = alive & ~ok
            mult = np.where(failed, 0.5 * mult, mult)
            theta = np.where((alive & ok)[:, None], moved, best_theta)
            history.append(best_f.copy())
            if callback:
                callback("adam", it, best_f)

    if lbfgs_steps > 0:
        theta = best_theta.copy()
        f, g, ok = _checked(value_and_grad, theta)
        evaluations += 1
        lbfgs = optax.scale_by_lbfgs(memory_size=memory)
        init = jax.jit(jax.vmap(lbfgs.init))
        direction_fn = jax.jit(jax.vmap(lbfgs.update))
        fresh = init(jnp.asarray(theta))
        state = fresh
        active = alive & ok
        stalls = np.zeros(S, int)
        fresh_memory = np.ones(S, bool)
        for it in range(lbfgs_steps):
            if not active.any():
                break
            d, new_state = direction_fn(jnp.asarray(g), state, jnp.asarray(theta))
            d = -np.asarray(d)
            # with an empty memory the direction is the raw gradient, whose length has
            # no relation to a good step: at most unit length, as after a restart below
            d[fresh_memory] /= np.maximum(
                1.0, np.linalg.norm(d[fresh_memory], axis=1, keepdims=True)
            )
            blocked = ((theta <= lower) & (d < 0)) | ((theta >= upper) & (d > 0))
            d = np.where(blocked, 0.0, d)
            descent = np.sum(d * g, axis=1) < 0
            # not a descent direction (e.g. negative curvature in the memory): restart
            restart = active & ~descent
            if restart.any():
                d[restart] = -g[restart] / np.maximum(
                    1.0, np.linalg.norm(g[restart], axis=1, keepdims=True)
                )
            accepted = ~active
            new_theta, new_f, new_g = theta.copy(), f.copy(), g.copy()
            alpha = np.ones(S)
            for factor in _BACKTRACK:
                alpha = np.where(accepted, alpha, factor)
                trial = np.where(
                    accepted[:, None], new_theta, np.clip(theta + alpha[:, None] * d, lower, upper)
                )
                ft, gt, okt = _checked(value_and_grad, trial)
                evaluations += 1
                decrease = np.sum(g * (trial - theta), axis=1)
                good = ~accepted & okt & (ft <= f + _ARMIJO * decrease) & (ft < f)
                new_theta[good], new_f[good], new_g[good] = trial[good], ft[good], gt[good]
                accepted |= good
                if accepted.all():
                    break
            moved = active & accepted
            stuck = active & ~accepted
            theta, f, g = new_theta, new_f, new_g
            state = _select(moved & ~restart, new_state, fresh)
            fresh_memory = ~(moved & ~restart)
            stalls = np.where(stuck, stalls + 1, 0)
            active = active & (stalls < 2)
            better = f < best_f
            best_f = np.where(better, f, best_f)
            best_theta[better] = theta[better]
            history.append(best_f.copy())
            if callback:
                callback("lbfgs", it, best_f)

    best_f = np.where(alive, best_f, np.inf)
    return OptimizeResult(best_theta, best_f, chi2_initial, np.array(history), evaluations)
