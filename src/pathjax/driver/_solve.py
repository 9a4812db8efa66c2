"""The traced part of the driver: resolve a `Problem` and solve it (inside `jax.jit`).

`resolve` is where a problem's initial states are computed from its parameters and
where pre-equilibration and initial doses are folded into the protocol: a
pre-equilibration of finite duration becomes the first interval (``[t0 - T_pre, t0]``
at the baseline inputs) and the initial doses its switching time, so pre-equilibration
and protocol run in one integration loop, one compiled program, and every derivative
flows through both; a steady-state pre-equilibration (``T_pre = inf``) is solved by
Newton's method with an integration fallback (`steady_states`).
`solve` runs the engine (or ``vmap(diffeqsolve)`` for a Diffrax solver) on the resolved
problem, evaluates the observables and merges the status. Every caller - `simulate`,
`sensitivity`, `calibrate` - solves through these two functions.
"""

import dataclasses
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .._errors import Status
from ..solvers import TABLEAUX
from ..solvers._ensemble import DEFAULT_MAX_STEPS, ensemble_solve
from ..solvers._problem import Problem

__all__ = [
    "REVERSE_CHECKPOINTS",
    "Options",
    "Solution",
    "initial_states",
    "observables",
    "preequilibrated",
    "resolve",
    "solve",
    "steady_states",
]

REVERSE_CHECKPOINTS = 1024
"""Loop iterations whose state a reverse-mode solve stores; a solve that takes more
recomputes the missing ones from the nearest checkpoint (treeverse); it does not fail."""


class Options(NamedTuple):
    """How a problem is solved (static: each combination is its own program).

    Attributes:
        method: a Rosenbrock method's name (``"rodas5p"``, ...: the batch-native engine)
            or a Diffrax solver instance (``vmap(diffeqsolve)``, one device, no events).
        max_steps: attempted steps allowed per patient.
        checkpoints: None for a forward-mode differentiable loop; an integer to store
            that many loop states for reverse mode (engine only).
    """

    method: Any = "rodas5p"
    max_steps: int = DEFAULT_MAX_STEPS
    checkpoints: int | None = None


DEFAULT = Options()


class Solution(NamedTuple):
    """A solved batch (batch-last; NaN states and observables where status != 0).

    Attributes:
        ys: (time, state, patient) states at the output times.
        obs: (time, observable, patient) observables at the output times.
        status: (patient,) `pathjax.Status` codes.
        n_steps: (patient,) attempted steps (pre-equilibration included).
        iterations: (patient,) lockstep iterations of the loop the patient ran in.
    """

    ys: jax.Array
    obs: jax.Array
    status: jax.Array
    n_steps: jax.Array
    iterations: jax.Array


def initial_states(problem: Problem) -> jax.Array:
    """(state, patient) initial states: ``problem.y0`` where given, the model's initial
    state of each patient's parameters where NaN."""
    model, P = problem.model, problem.P
    B = P.shape[-1]
    vals = model.initial_state_tuple(tuple(P[i] for i in range(P.shape[0])))
    if not vals:
        return jnp.zeros((0, B), P.dtype)
    init = jnp.stack([jnp.broadcast_to(jnp.asarray(v, P.dtype), (B,)) for v in vals])
    return jnp.where(jnp.isnan(problem.y0), init, problem.y0)


def resolve(problem: Problem, options: Options = DEFAULT) -> tuple[Problem, jax.Array]:
    """`problem` ready for the engine, and the (patient,) status so far.

    Initial states are computed; a pre-equilibration of finite duration becomes the
    first interval of the protocol (with the initial doses at its end, ``t0``); a
    steady-state pre-equilibration is solved here (`steady_states`) and the initial
    doses are added to the steady state.
    """
    B = problem.n_patients
    status = jnp.zeros((B,), jnp.int32)
    if problem.resolved:
        return problem, status
    y0 = initial_states(problem)
    n = y0.shape[0]
    fields: dict[str, Any] = {}
    if problem.preequilibrate and not problem.steady_state:
        t0 = problem.t0
        fields = dict(
            t0=t0 - problem.T_pre,
            stops=jnp.concatenate([jnp.reshape(t0, (1,)), problem.stops]),
            U=jnp.concatenate([problem.U_pre[None], problem.U]),
            D=jnp.concatenate([problem.D0[None], problem.D]),
            R=jnp.concatenate([problem.R0[None], problem.R]),
        )
    else:
        if problem.preequilibrate:
            y0, status = steady_states(problem, y0, options)
            y0 = jnp.where(jnp.isfinite(y0), y0, 0.0)  # failed patients: status 5
        y0 = y0 + problem.D0
        y0 = jnp.where(jnp.isnan(problem.R0), y0, problem.R0)
    resolved = dataclasses.replace(
        problem,
        y0=y0,
        D0=jnp.zeros((n, B), y0.dtype),
        R0=jnp.full((n, B), jnp.nan, y0.dtype),
        preequilibrate=False,
        steady_state=False,
        resolved=True,
        **fields,
    )
    return resolved, status


STEADY_STATE_HORIZON = 1e7
"""How long (model time units) the integration fallback of a steady-state
pre-equilibration runs before its residual is checked."""


def steady_states(problem: Problem, y0: jax.Array, options: Options = DEFAULT) -> tuple:
    """The steady state of every patient at the inputs `U_pre`, from `y0`, and its
    status: ((state, patient), (patient,)).

    Newton's method on the system reduced by its conservation laws (totals from `y0`;
    `pathjax.solvers.steady_state`), differentiable by the implicit function theorem.
    Where it fails for any patient the batch is integrated for `STEADY_STATE_HORIZON`
    (the patients Newton solved start at their root, where the steps grow fast) and a
    failed patient takes the end state if it is a steady state
    (`pathjax.solvers.reached`: scaled residual below 1, not run away), else status 5
    (`NO_STEADY_STATE`) and NaN.
    """
    from ..solvers._steady import reached, steady_state

    model, P, u = problem.model, problem.P, problem.U_pre
    rtol, atol = problem.rtol, problem.atol
    ss = steady_state(model, y0, P, u, rtol=rtol, atol=atol)
    ok = ss.status == 0

    def newton(_):
        return ss.y, ss.status

    def integrated(_):
        start = jnp.where(ok[None], ss.y, y0)
        horizon = jnp.full((1,), STEADY_STATE_HORIZON, y0.dtype)
        held = Problem.held(model, horizon, start, P, u, rtol, atol,
                            controller=problem.controller)  # fmt: skip
        sol = solve(held, options, with_observables=False)
        y_end = sol.ys[-1]
        found = (sol.status == 0) & reached(model, y_end, y0, P, u, rtol, atol)
        y = jnp.where(ok[None], ss.y, jnp.where(found[None], y_end, jnp.nan))
        status = jnp.where(ok | found, 0, Status.NO_STEADY_STATE).astype(jnp.int32)
        return y, status

    return jax.lax.cond(jnp.all(ok), newton, integrated, None)


def preequilibrated(problem: Problem, options: Options = DEFAULT) -> tuple:
    """The states at ``t0`` after the pre-equilibration, before the initial doses, and
    its status: ((state, patient), (patient,)). For callers that pre-equilibrate once
    and then solve several protocols from the result."""
    y0 = initial_states(problem)
    if problem.steady_state:
        return steady_states(problem, y0, options)
    pre = Problem.held(problem.model, jnp.reshape(problem.t0, (1,)), y0, problem.P,
                       problem.U_pre, problem.rtol, problem.atol,
                       t0=problem.t0 - problem.T_pre, controller=problem.controller)  # fmt: skip
    sol = solve(pre, options, with_observables=False)
    return sol.ys[-1], sol.status


def observables(problem: Problem, ys: jax.Array) -> jax.Array:
    """(time, observable, patient) observables at the output times, with the inputs in
    effect there (right-continuous at switching times)."""
    model = problem.model
    ts = problem.ts
    K, _, B = ys.shape
    if not model.observable_specs:
        return jnp.zeros((K, 0, B), ys.dtype)
    U = problem.U[jnp.searchsorted(problem.stops, ts, side="right")]  # (K, input, B)
    P = problem.P
    vals = model.observables_tuple(
        jnp.broadcast_to(ts[:, None], (K, B)),
        tuple(ys[:, i] for i in range(ys.shape[1])),
        tuple(jnp.broadcast_to(P[i], (K, B)) for i in range(P.shape[0])),
        tuple(U[:, i] for i in range(U.shape[1])),
    )
    return jnp.stack([jnp.broadcast_to(jnp.asarray(v, ys.dtype), (K, B)) for v in vals], 1)


def solve(problem: Problem, options: Options = DEFAULT, *, with_observables: bool = True
          ) -> Solution:  # fmt: skip
    """Solve `problem` (resolved here if it is not yet): states, observables, status.

    A model without state variables (only rules) is not integrated: its observables
    are evaluated at the output times and every patient succeeds.
    """
    problem, status0 = resolve(problem, options)
    K, B = problem.ts.shape[0], problem.n_patients
    n = problem.y0.shape[0]
    dtype = problem.y0.dtype
    zeros = jnp.zeros((B,), jnp.int32)
    if n == 0:
        ys, status, n_steps, iterations = jnp.zeros((K, 0, B), dtype), zeros, zeros, zeros
    elif isinstance(options.method, str):
        res = ensemble_solve(problem, TABLEAUX[options.method], max_steps=options.max_steps,
                             checkpoints=options.checkpoints)  # fmt: skip
        ys, status, n_steps = res.ys, res.status, res.n_steps
        iterations = jnp.broadcast_to(res.iterations, (B,))
    else:
        from ..solvers._vmap import diffrax_solve

        ys, status = diffrax_solve(problem, options.method, max_steps=options.max_steps)
        n_steps, iterations = zeros, zeros
    status = jnp.where(status0 != 0, status0, status)
    obs = observables(problem, ys) if with_observables else jnp.zeros((K, 0, B), dtype)
    failed = (status != 0)[None, None, :]
    return Solution(jnp.where(failed, jnp.nan, ys), jnp.where(failed, jnp.nan, obs), status,
                    n_steps, iterations)  # fmt: skip
