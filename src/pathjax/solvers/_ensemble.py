"""Batch-native Rosenbrock integration of many patients at once.

Why not ``jax.vmap(diffrax.diffeqsolve)``: under `vmap` the while loop of every patient
becomes one loop whose carry (including the whole output buffer) is re-selected every
step, and the dense LU of each 27 x 27 Jacobian goes through LAPACK one matrix at a
time. Here the loop is written for the batch from the start:

* every array is batch-last, ``(..., patient)``; the model's right-hand side is
  evaluated on rows ``y[i]`` of shape ``(patient,)``;
* the Jacobian is built column by column with forward-mode derivatives that only touch
  the structural non-zeros (`JacobianStructure`), and factorised with an unrolled
  sparse LU (`SparseLU`);
* each patient keeps its own time, step size, error control and status; a patient
  that has finished, or failed, simply stops changing;
* outputs are written with a scatter into a ``(time, state, patient)`` buffer; each
  step may cover at most `out_slots` output times (the step is shortened otherwise), so
  the writes are a fixed, small amount of work;
* switching times of the protocol are hit exactly; at each, inputs change and doses
  are added, and the step restarts from the new state.

The loop runs until every patient is done; the cost is set by the slowest patient
(lockstep). `EnsembleStats` reports steps per patient so that waste can be measured.
"""

import functools
from typing import NamedTuple

import equinox.internal as eqxi
import jax
import jax.numpy as jnp

from .._errors import Status
from ._batch import batch_jacobian, batch_rhs, model_structure
from ._batch import rows as _rows
from ._problem import Problem
from ._tableau import RosenbrockTableau

__all__ = ["DEFAULT_MAX_STEPS", "EnsembleResult", "ensemble_solve", "model_structure"]

DEFAULT_MAX_STEPS = 50_000
"""Attempted steps allowed per patient unless the caller says otherwise (every path:
the engine, the Diffrax backend, `simulate`, sensitivities, calibration)."""


class EnsembleResult(NamedTuple):
    """Raw output of `ensemble_solve` (batch-last).

    Attributes:
        ys: (time, state, patient) states at the output times; NaN for failed patients.
        status: (patient,) `Status` codes.
        n_steps: (patient,) attempted steps.
        n_accepted: (patient,) accepted steps.
        iterations: number of lockstep iterations of the batch loop.
    """

    ys: jax.Array
    status: jax.Array
    n_steps: jax.Array
    n_accepted: jax.Array
    iterations: jax.Array


def ensemble_solve(
    problem: Problem,
    tableau: RosenbrockTableau,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    out_slots: int = 4,
    unroll_stages: bool = False,
    checkpoints: int | None = None,
) -> EnsembleResult:
    """Integrate every patient of a resolved `Problem` from ``t0`` to ``ts[-1]``.

    The problem must be resolved by the driver (`pathjax.driver.resolve`): ``y0`` is
    the start state (initial doses applied) and any pre-equilibration is the first
    interval of the protocol.

    Args:
        problem: the resolved `Problem` (times, states, parameters, protocol arrays,
            tolerances and step-size controller).
        tableau: the Rosenbrock method.
        max_steps: attempted steps allowed per patient.
        out_slots: output times one step may cover.
        unroll_stages: emit the stages as straight-line code (faster run, slower
            compile) instead of a loop.
        checkpoints: None: the loop is a `jax.lax.while_loop` (forward-mode
            differentiable). An integer: an `equinox.internal.while_loop` that stores
            the loop state at that many iterations and recomputes the others, so that
            the solve can be differentiated in reverse mode (``jax.vjp``); the output
            buffer is write-only inside the loop, not stored per checkpoint. A single
            patient is then solved as two copies: alone, its recomputed steps moved the
            reverse-mode derivative by up to 1.4e-7 relative (Sedaghat 2002, rtol
            1e-10, 256 checkpoints) while storing every step gives 3e-15 and two
            identical copies 6e-15; forward-mode derivatives move by under 4e-13 when
            the parameters move by 1-16 ulp, so it is not ill-conditioning but a
            different discrete decision of the one-patient program's recomputation.

    Returns:
        `EnsembleResult`.
    """
    if not problem.resolved:
        raise ValueError("ensemble_solve needs a resolved problem (pathjax.driver.resolve)")
    if checkpoints is not None and problem.n_patients == 1:
        two = functools.partial(jnp.repeat, repeats=2, axis=-1)
        res = ensemble_solve(
            problem.map_patients(two), tableau, max_steps=max_steps, out_slots=out_slots,
            unroll_stages=unroll_stages, checkpoints=checkpoints,
        )  # fmt: skip
        return EnsembleResult(res.ys[..., :1], res.status[:1], res.n_steps[:1],
                              res.n_accepted[:1], res.iterations)  # fmt: skip
    model = problem.model
    ts, t0, y0, P = problem.ts, problem.t0, problem.y0, problem.P
    stops, U, D, R = problem.stops, problem.U, problem.D, problem.R
    rtol, atol = problem.rtol, problem.atol
    ctrl = problem.controller
    st = model_structure(model)
    n = st.n
    lu = st.lu
    dtype = y0.dtype
    B = y0.shape[1]
    K = ts.shape[0]
    S = stops.shape[0]
    s_count = tableau.stages
    gamma = tableau.gamma
    ps = _rows(P)
    t_end = ts[-1]
    hermite = tableau.H is None
    a_mat = jnp.asarray(tableau.a, dtype)
    c_mat = jnp.asarray(tableau.C, dtype)
    c_vec = jnp.asarray(tableau.c, dtype)
    d_vec = jnp.asarray(tableau.d, dtype)
    b_vec = jnp.asarray(tableau.b, dtype)
    e_vec = jnp.asarray(tableau.e, dtype)
    eps = jnp.finfo(dtype).eps
    q = tableau.error_order + 1

    def fun(t, y, u):
        return batch_rhs(model, t, y, ps, u)

    def rosenbrock_step(t, y, h, fy, u):
        J, dT = batch_jacobian(model, t, y, ps, u, with_time=True)
        W = {key: -v for key, v in J.items()}
        inv_hg = 1.0 / (h * gamma)
        for i in range(n):
            W[(i, i)] = W.get((i, i), 0.0) + inv_hg
        factors = lu.factor(W)

        def lsolve(r):
            return jnp.stack(lu.solve(factors, _rows(r)))

        r0 = fy if dT is None else fy + (h * tableau.d[0])[None] * dT
        ks = jnp.zeros((s_count, n, B), dtype).at[0].set(lsolve(r0))

        def stage(s, ks):
            u_arg = y + jnp.einsum("j,jnb->nb", a_mat[s], ks)
            fu = fun(t + c_vec[s] * h, u_arg, u)
            r = fu + jnp.einsum("j,jnb->nb", c_mat[s], ks) / h[None]
            if dT is not None:
                r = r + (h * d_vec[s])[None] * dT
            return ks.at[s].set(lsolve(r))

        if unroll_stages:
            for s in range(1, s_count):
                ks = stage(s, ks)
        else:
            ks = jax.lax.fori_loop(1, s_count, stage, ks)
        y_new = y + jnp.einsum("j,jnb->nb", b_vec, ks)
        # Step-size control is not differentiated (as in Diffrax): derivatives are those
        # of the numerical solution on the steps taken, which converge to the
        # sensitivities as the tolerance shrinks, and an exact steady state (error 0,
        # sqrt'(0) = inf) does not give NaN tangents.
        sg = jax.lax.stop_gradient
        err_vec = sg(jnp.einsum("j,jnb->nb", e_vec, ks))
        scale = atol + rtol * jnp.maximum(jnp.abs(sg(y)), jnp.abs(sg(y_new)))
        err = jnp.sqrt(jnp.mean((err_vec / scale) ** 2, axis=0))
        dense = None if hermite else jnp.einsum("mj,jnb->mnb", jnp.asarray(tableau.H, dtype), ks)
        return y_new, err, dense

    def interpolate(th, y_a, y_b, dense, h, f_a, f_b):
        th = th[None]
        t1m = 1.0 - th
        if hermite:
            delta = y_b - y_a
            q1 = h[None] * f_a - delta
            q2 = 2.0 * delta - h[None] * f_a - h[None] * f_b
            return t1m * y_a + th * (y_b + t1m * (q1 + th * q2))
        return t1m * y_a + th * (y_b + t1m * (dense[0] + th * (dense[1] + th * dense[2])))

    events = model.event_specs
    E = len(events)
    bisections = 60 if dtype == jnp.float64 else 30

    def triggers(tt, yy, uu):
        vals = model.triggers_tuple(tt, _rows(yy), ps, _rows(uu))
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, bool), (B,)) for v in vals])

    def apply_assignments(firing, tt, yy, uu):
        # Every assignment is evaluated at the event, before any of them is applied.
        ys_ = _rows(yy)
        us_ = _rows(uu)
        new = list(ys_)
        for e in range(E):
            for i, v in model.assignments(e, tt, ys_, ps, us_).items():
                v = jnp.broadcast_to(jnp.asarray(v, dtype), (B,))
                new[i] = jnp.where(firing[e], v, new[i])
        return jnp.stack(new)

    def inputs_at(seg):
        # U: (S+1, n_u, B); gather each patient's interval
        return jnp.take_along_axis(U, seg[None, None, :], axis=0)[0]

    bidx = jnp.arange(B)
    t = jnp.full((B,), t0, dtype)
    seg0 = jnp.zeros((B,), jnp.int32)
    u0 = inputs_at(seg0)
    f0 = fun(t, y0, u0)
    finite0 = jnp.all(jnp.isfinite(y0), axis=0) & jnp.all(jnp.isfinite(P), axis=0)
    finite0 = finite0 & jnp.all(jnp.isfinite(f0), axis=0)

    # Initial step size (Hairer, Norsett & Wanner I, II.4), per patient.
    span = jnp.maximum(t_end - t0, eps)

    def first_step(y, f):
        """The first guess of the step from `y` and its slope `f` (``0.01 |y| / |f|``
        in the scaled norm)."""
        sc = atol + rtol * jnp.abs(y)
        d0 = jnp.sqrt(jnp.mean((y / sc) ** 2, axis=0))
        d1 = jnp.sqrt(jnp.mean((f / sc) ** 2, axis=0))
        h = jnp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6 * span, 0.01 * d0 / jnp.maximum(d1, 1e-300))
        return jax.lax.stop_gradient(jnp.clip(h, 1e-12 * span, span))

    h0 = first_step(y0, f0)
    sc = atol + rtol * jnp.abs(y0)
    d1 = jnp.sqrt(jnp.mean((f0 / sc) ** 2, axis=0))
    f1 = fun(t + h0, y0 + h0[None] * f0, u0)
    d2 = jnp.sqrt(jnp.mean(((f1 - f0) / sc) ** 2, axis=0)) / h0
    dmax = jnp.maximum(d1, d2)
    h1 = jnp.where(
        dmax <= 1e-15,
        jnp.maximum(1e-6 * span, h0 * 1e-3),
        (0.01 / jnp.maximum(dmax, 1e-300)) ** (1.0 / q),
    )
    h_init = jnp.minimum(jnp.minimum(100.0 * h0, h1), span)
    h_init = jax.lax.stop_gradient(jnp.where(jnp.isfinite(h_init), h_init, 1e-6 * span))

    # One extra slot, K, takes the writes of patients that have nothing to write this
    # step, so that every real slot is written once and never read inside the loop.
    out = jnp.full((K + 1, n, B), jnp.nan, dtype)
    at_start = jnp.concatenate([ts <= t0, jnp.zeros((1,), bool)])
    out = jnp.where(at_start[:, None, None], y0[None], out)
    nxt = jnp.full((B,), jnp.sum(at_start).astype(jnp.int32))

    carry = dict(
        t=t,
        y=y0,
        h=h_init,
        fy=f0,
        seg=seg0,
        out=out,
        nxt=nxt,
        status=jnp.where(finite0, Status.SUCCESS, Status.INVALID_INPUT).astype(jnp.int32),
        done=(t >= t_end) | ~finite0,
        n_steps=jnp.zeros((B,), jnp.int32),
        n_acc=jnp.zeros((B,), jnp.int32),
        rejected=jnp.zeros((B,), bool),
        it=jnp.zeros((), jnp.int32),
    )
    if E:
        carry["trig"] = triggers(t, y0, u0)

    def cond(c):
        return jnp.any(~c["done"]) & (c["it"] < max_steps + 1)

    def body(c):
        t, y, seg = c["t"], c["y"], c["seg"]
        active = ~c["done"]
        u = inputs_at(seg)
        t_stop = stops[jnp.minimum(seg, S - 1)] if S > 0 else t_end
        t_stop = jnp.where(seg < S, t_stop, t_end)
        lim_out = ts[jnp.minimum(c["nxt"] + out_slots - 1, K - 1)]
        h = jnp.minimum(c["h"], lim_out - t)
        hit_stop = (t_stop - t) <= h * (1.0 + 1e-10)
        h = jnp.where(hit_stop, t_stop - t, h)
        h = jnp.where(active, jnp.maximum(h, eps), 1.0)

        y_new, err, dense = rosenbrock_step(t, y, h, c["fy"], u)
        finite = jnp.isfinite(err) & jnp.all(jnp.isfinite(y_new), axis=0)
        accept = active & finite & (err <= 1.0)
        t_full = jnp.where(hit_stop, t_stop, t + h)
        # Hermite interpolation needs f at the end of the full step, before any switch.
        f_b = fun(t_full, y_new, u) if hermite else None

        if E:
            # State events: find the first trigger crossing inside the step by bisection
            # on the dense output, stop there and apply the assignments.
            fired = accept[None] & ~c["trig"] & triggers(t_full, y_new, u)

            def locate(_):
                def bisect(_, bounds):
                    lo, hi = bounds
                    mid = 0.5 * (lo + hi)
                    rows = []
                    for e in range(E):
                        ym = interpolate(mid[e], y, y_new, dense, h, c["fy"], f_b)
                        rows.append(triggers(t + mid[e] * h, ym, u)[e])
                    g = jnp.stack(rows)
                    return jnp.where(g, lo, mid), jnp.where(g, mid, hi)

                zeros = jnp.zeros((E, B), dtype)
                _, hi = jax.lax.fori_loop(0, bisections, bisect, (zeros, zeros + 1.0))
                th_e = jnp.where(fired, hi, 2.0)
                return jnp.minimum(jnp.min(th_e, axis=0), 1.0), th_e

            def none(_):
                return jnp.ones((B,), dtype), jnp.full((E, B), 2.0, dtype)

            theta, th_e = jax.lax.cond(jnp.any(fired), locate, none, None)
            event_hit = jnp.any(fired, axis=0)
            truncated = event_hit & (theta < 1.0)
            t_new = jnp.where(truncated, t + theta * h, t_full)
            y_ev = jnp.where(
                truncated[None], interpolate(theta, y, y_new, dense, h, c["fy"], f_b), y_new
            )
            firing = fired & (th_e <= theta[None] * (1.0 + 1e-12))
            y_ev = apply_assignments(firing, t_new, y_ev, u)
            hit_stop = hit_stop & ~truncated
        else:
            t_new = t_full
            y_ev = y_new

        # Step-size proposal (I-controller, growth limited after a rejection).
        err_safe = jnp.where(finite, jnp.maximum(err, 1e-10), 1e10)
        fac = jnp.clip(ctrl.safety * err_safe ** (-1.0 / q), ctrl.factormin, ctrl.factormax)
        fac = jnp.where(finite, fac, 0.25)
        fac = jnp.where(~accept | c["rejected"], jnp.minimum(fac, 1.0), fac)
        h_next = h * fac
        # A step shortened to meet an output or a switching time does not shrink the
        # next proposal.
        h_next = jnp.where(accept & (h < c["h"]), jnp.maximum(h_next, c["h"]), h_next)

        # Switching time reached: add doses, move to the next interval.
        at_stop = accept & hit_stop & (seg < S)
        if S > 0:
            which = jnp.minimum(seg, S - 1)[None, None, :]
            dose = jnp.take_along_axis(D, which, axis=0)[0]
            reset = jnp.take_along_axis(R, which, axis=0)[0]
            y_post = jnp.where(at_stop[None], y_ev + dose, y_ev)
            y_post = jnp.where(at_stop[None] & ~jnp.isnan(reset), reset, y_post)
        else:
            y_post = y_ev
        seg_new = jnp.where(at_stop, seg + 1, seg)
        u_new = inputs_at(seg_new) if S > 0 else u
        # First-same-as-last: f at the start of the next step (after any dose/switch).
        f_post = fun(t_new, y_post, u_new)
        if S > 0:
            # After a switch the solution moves on a new time scale: restart no longer
            # than the start of a solve may (100x the first-step estimate from the new
            # state and slope), so that a long step carried out of a steady
            # pre-equilibration is not rejected down step by step.
            h_restart = 100.0 * first_step(y_post, f_post)
            h_next = jnp.where(at_stop, jnp.minimum(h_next, h_restart), h_next)

        out, nxt = c["out"], c["nxt"]
        for _ in range(out_slots):
            idx = jnp.minimum(nxt, K - 1)
            tm = ts[idx]
            write = accept & (nxt < K) & (tm <= t_new)
            th = (tm - t) / h
            val = interpolate(th, y, y_new, dense, h, c["fy"], f_b)
            val = jnp.where((tm >= t_new)[None], y_post, val)
            # Each patient writes its own column: the indices are unique, which keeps
            # the forward-mode derivative of the write a plain scatter (otherwise JAX
            # masks the whole tangent buffer at every write).
            out = out.at[jnp.where(write, idx, K), :, bidx].set(val.T, unique_indices=True)
            nxt = nxt + write.astype(jnp.int32)

        n_steps = c["n_steps"] + active.astype(jnp.int32)
        t_out = jnp.where(accept, t_new, t)
        done_ok = accept & (t_new >= t_end)
        too_small = active & ~accept & (h_next < 16.0 * eps * jnp.maximum(jnp.abs(t), 1.0))
        out_of_steps = active & ~done_ok & (n_steps >= max_steps)
        status = c["status"]
        status = jnp.where(too_small & finite, Status.STEP_SIZE_UNDERFLOW, status)
        status = jnp.where(too_small & ~finite, Status.NONFINITE, status)
        status = jnp.where(out_of_steps & ~too_small, Status.MAX_STEPS, status)
        return dict(
            t=t_out,
            y=jnp.where(accept[None], y_post, y),
            h=jnp.where(active, h_next, c["h"]),
            fy=jnp.where(accept[None], f_post, c["fy"]),
            seg=seg_new,
            out=out,
            nxt=nxt,
            status=status.astype(jnp.int32),
            done=c["done"] | done_ok | too_small | out_of_steps,
            n_steps=n_steps,
            n_acc=c["n_acc"] + accept.astype(jnp.int32),
            rejected=jnp.where(active, ~accept, c["rejected"]),
            it=c["it"] + 1,
            **(
                {"trig": jnp.where(accept[None], triggers(t_new, y_post, u_new), c["trig"])}
                if E
                else {}
            ),
        )

    if checkpoints is None:
        c = jax.lax.while_loop(cond, body, carry)
    else:
        # never more checkpoints than the loop can take iterations
        checkpoints = min(checkpoints, max_steps + 1)
        c = eqxi.while_loop(
            cond,
            body,
            carry,
            max_steps=max_steps + 1,
            buffers=lambda c: c["out"],
            kind="checkpointed",
            checkpoints=checkpoints,
        )
    failed = c["status"] != Status.SUCCESS
    ys = jnp.where(failed[None, None, :], jnp.nan, c["out"][:K])
    return EnsembleResult(ys, c["status"], c["n_steps"], c["n_acc"], c["it"])
