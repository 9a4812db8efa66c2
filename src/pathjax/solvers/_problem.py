"""`Problem`: everything one ensemble solve needs, as one pytree.

A problem holds arrays only (batch-last, ``(..., patient)``) and the model as static
data, so it can be built inside `jax.jit` (calibration builds it from the fitted
parameters), sliced into chunks, split over devices by its patient axis and
differentiated leaf by leaf. The step-size controller's constants are named fields of
`Controller`, as in Diffrax's ``PIDController``.
"""

import dataclasses
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["PATIENT_FIELDS", "Controller", "Problem"]


class Controller(eqx.Module):
    """Step-size control of the engine (an integral controller, as CVODE's).

    After a step with scaled error ``err`` the next step is ``h * clip(safety *
    err ** (-1 / q), factormin, factormax)`` with ``q`` the order of the error
    estimate plus one; after a rejection the step does not grow.

    Attributes:
        safety: safety factor (< 1).
        factormin: the most a step shrinks at once.
        factormax: the most a step grows at once.
    """

    safety: float = 0.9
    factormin: float = 0.2
    factormax: float = 6.0


class Problem(eqx.Module):
    """One batch of patients to solve (arrays batch-last).

    Attributes:
        model: the `pathjax.Model` (static).
        ts: (time,) increasing output times, ``ts[0] >= t0``.
        t0: start of the protocol (scalar).
        y0: (state, patient) initial states; NaN: the model's initial state computed
            from the patient's parameters (so that its derivative flows through).
        P: (param, patient) parameters.
        stops: (stop,) switching times strictly inside ``(t0, ts[-1])``.
        U: (stop + 1, input, patient) input levels on each interval.
        D: (stop, state, patient) additions applied at each switching time.
        R: (stop, state, patient) values set at each switching time (NaN: none).
        D0: (state, patient) additions applied at ``t0``.
        R0: (state, patient) values set at ``t0`` (NaN: none).
        U_pre: (input, patient) input levels held during pre-equilibration.
        T_pre: duration of the pre-equilibration before ``t0`` (scalar; used when
            `preequilibrate`).
        rtol, atol: tolerances of the scaled RMS error norm (as CVODE).
        controller: the step-size `Controller`.
        preequilibrate: whether the patients are first held at `U_pre` for `T_pre`
            (static: it changes the program).
        steady_state: pre-equilibrate to the steady state instead (Newton's method,
            integration where it fails; static).
        resolved: True once the driver has resolved the initial states and folded
            the pre-equilibration and the initial doses into the protocol (static;
            the engine solves resolved problems only).
    """

    model: object = eqx.field(static=True)
    ts: jax.Array
    t0: jax.Array
    y0: jax.Array
    P: jax.Array
    stops: jax.Array
    U: jax.Array
    D: jax.Array
    R: jax.Array
    D0: jax.Array
    R0: jax.Array
    U_pre: jax.Array
    T_pre: jax.Array
    rtol: jax.Array
    atol: jax.Array
    controller: Controller = Controller()
    preequilibrate: bool = eqx.field(static=True, default=False)
    steady_state: bool = eqx.field(static=True, default=False)
    resolved: bool = eqx.field(static=True, default=False)

    @classmethod
    def held(cls, model, ts, y0, P, u, rtol, atol, *, preequilibration=None, u_pre=None,
             t0=0.0, controller=None) -> "Problem":  # fmt: skip
        """A problem whose inputs are held from `t0` on: no switching times, doses or
        resets (JAX arrays, so it can be built inside `jax.jit`).

        Args:
            model: the `pathjax.Model`.
            ts: (time,) output times, ``>= t0``.
            y0: (state, patient) initial states (NaN: the model's, from `P`).
            P: (param, patient) parameters.
            u: (input, patient) input levels.
            rtol, atol: tolerances.
            preequilibration: None, or the duration held at `u_pre` before ``t0``
                (the Python float ``math.inf``: the steady state).
            u_pre: (input, patient) input levels of the pre-equilibration.
            t0: the start time.
            controller: the step-size `Controller` (None: the default one).
        """
        P = jnp.asarray(P)
        dtype = P.dtype
        n, B = len(model.state_specs), P.shape[-1]
        u = jnp.asarray(u, dtype)
        empty = jnp.zeros((0, n, B), dtype)
        return cls(
            model=model, ts=jnp.asarray(ts, dtype), t0=jnp.asarray(t0, dtype),
            y0=jnp.asarray(y0, dtype), P=P, stops=jnp.zeros((0,), dtype), U=u[None], D=empty,
            R=empty, D0=jnp.zeros((n, B), dtype), R0=jnp.full((n, B), jnp.nan, dtype),
            U_pre=u if u_pre is None else jnp.asarray(u_pre, dtype),
            T_pre=jnp.asarray(0.0 if preequilibration is None else preequilibration, dtype),
            rtol=jnp.asarray(rtol, dtype), atol=jnp.asarray(atol, dtype),
            controller=Controller() if controller is None else controller,
            preequilibrate=preequilibration is not None,
            # a traced duration is finite: the steady state is asked for by math.inf
            steady_state=isinstance(preequilibration, float) and preequilibration == math.inf,
        )  # fmt: skip

    @property
    def n_patients(self) -> int:
        """Patients in the batch."""
        return self.P.shape[-1]

    def map_patients(self, fn) -> "Problem":
        """A copy with `fn` applied to every per-patient leaf (`PATIENT_FIELDS`, patient
        axis last); the other leaves are kept."""
        return dataclasses.replace(self, **{f: fn(getattr(self, f)) for f in PATIENT_FIELDS})

    def take(self, sl: slice, size: int) -> "Problem":
        """The patients `sl` (NumPy leaves), padded to `size` by repeating the first
        patient of the slice (padding keeps one compiled shape for every chunk)."""
        return self.map_patients(lambda x: _pad(np.asarray(x)[..., sl], size))

    def as_arrays(self, dtype=jnp.float64) -> "Problem":
        """Every leaf as a JAX array of `dtype`."""
        return jax.tree.map(lambda x: jnp.asarray(x, dtype), self)


PATIENT_FIELDS = ("y0", "P", "U", "D", "R", "D0", "R0", "U_pre")
"""The fields of `Problem` with a patient axis (the last)."""


def _pad(x: np.ndarray, size: int) -> np.ndarray:
    """Pad the last (patient) axis to `size` by repeating the first patient."""
    b = x.shape[-1]
    if b == size:
        return x
    return np.concatenate([x, np.repeat(x[..., :1], size - b, axis=-1)], axis=-1)
