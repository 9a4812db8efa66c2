"""``jax.vmap`` of ``diffrax.diffeqsolve``: the per-patient path.

Slower than the batch-native engine for ensembles (see benchmarks/bench_design.py);
it is here for `simulate(..., solver=<a Diffrax solver>)`, which accepts any Diffrax
solver, ours included. (Reverse-mode derivatives go through the engine's checkpointed
loop, not through this path.)

Protocols are handled as in the engine: the solve is split at every switching time,
doses and resets are applied between segments, outputs are right-continuous. State
events are not supported on this path.
"""

import diffrax
import jax
import jax.numpy as jnp

from .._errors import InputError, Status
from ._ensemble import DEFAULT_MAX_STEPS
from ._problem import Problem

__all__ = ["diffrax_solve"]


def _status(result) -> jax.Array:
    ok = result == diffrax.RESULTS.successful
    steps = result == diffrax.RESULTS.max_steps_reached
    return jnp.where(ok, Status.SUCCESS, jnp.where(steps, Status.MAX_STEPS, Status.NONFINITE))


def diffrax_solve(problem: Problem, solver, *, max_steps: int = DEFAULT_MAX_STEPS):
    """Solve every patient of a resolved `Problem` with ``vmap(diffeqsolve)`` (Diffrax's
    own PID controller at the problem's tolerances). Returns (ys (K, n, B), status (B,))."""
    model = problem.model
    if model.event_specs:
        raise InputError(
            f"model {model.name!r} has state events, which the Diffrax path does not "
            "support; use the ensemble engine (forward mode) instead"
        )
    if not problem.resolved:
        raise ValueError("diffrax_solve needs a resolved problem (pathjax.driver.resolve)")
    ts, t0, stops = problem.ts, problem.t0, problem.stops
    rtol, atol = problem.rtol, problem.atol
    S = stops.shape[0]
    K = ts.shape[0]
    t_end = ts[-1]
    controller = diffrax.PIDController(rtol=rtol, atol=atol)

    def one(y_init, p, u_seg, d_seg, r_seg):
        y = y_init
        out = jnp.zeros((K, y_init.shape[0]), y_init.dtype)
        status = jnp.asarray(Status.SUCCESS, jnp.int32)
        for j in range(S + 1):
            a = t0 if j == 0 else stops[j - 1]
            b = stops[j] if j < S else t_end
            u = u_seg[j]
            term = diffrax.ODETerm(lambda t, yy, args, u=u: model.rhs(t, yy, p, u))
            sol = diffrax.diffeqsolve(
                term,
                solver,
                a,
                b,
                None,
                y,
                saveat=diffrax.SaveAt(ts=jnp.clip(ts, a, b), t1=True),
                stepsize_controller=controller,
                max_steps=max_steps,
                throw=False,
            )
            inside = (ts >= a) & ((ts < b) | (j == S))
            out = jnp.where(inside[:, None], sol.ys[:K], out)
            y = sol.ys[K]
            if j < S:
                y = y + d_seg[j]
                y = jnp.where(jnp.isnan(r_seg[j]), y, r_seg[j])
            status = jnp.where(status == 0, _status(sol.result), status).astype(jnp.int32)
        return out, status

    ys, status = jax.vmap(one, in_axes=(1, 1, 2, 2, 2), out_axes=(2, 0))(
        problem.y0, problem.P, problem.U, problem.D, problem.R
    )
    ys = jnp.where((status != 0)[None, None, :], jnp.nan, ys)
    return ys, status
