"""What the driver computes for one chunk of patients: a *kernel*.

A kernel is a small hashable record (it keys the compiled program) that, called on a
chunk's `Problem`, returns a dict of batch-last arrays. `Trajectories` gives states,
observables and status (`simulate`); `Sensitivities` gives selected outputs and their
derivatives with respect to selected parameters in forward mode (one tangent per
parameter, `jax.jvp` under `jax.vmap`) or reverse mode (one cotangent per output
value through the engine's checkpointed loop). Each kernel also says how many patients
fit in one chunk and whether it must be traced outside `jax.shard_map`.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..solvers._problem import Problem
from ._solve import REVERSE_CHECKPOINTS, Options, solve

__all__ = ["Sensitivities", "Trajectories"]

_CHUNK_BYTES = 256 * 2**20
# Cotangents pulled back together (vmapped) in reverse mode: 1.4x faster than one by
# one for 5, and the memory of the backward pass stays bounded (Sedaghat 2002).
_COTANGENT_BATCH = 8


@dataclasses.dataclass(frozen=True)
class Trajectories:
    """States, observables, status, steps and lockstep iterations of every patient."""

    outside_trace = False
    ranks = {"ys": 3, "obs": 3, "status": 1, "n_steps": 1, "iterations": 1}

    def __call__(self, problem: Problem, options: Options) -> dict:
        return solve(problem, options)._asdict()

    def chunk(self, model, K: int, n_devices: int) -> int:
        """Patients per compiled solve of `K` output times: bounded by output memory
        and, on a CPU, by what stays in cache (about 2,048 patients per device measured
        best on Brännmark 2013; 65,536 per accelerator)."""
        per_patient = max(1, K * (len(model.state_specs) + len(model.observable_specs) + 1) * 8)
        per_device = 2048 if jax.default_backend() == "cpu" else 65536
        return max(1, min(_CHUNK_BYTES // per_patient, per_device * n_devices))


@dataclasses.dataclass(frozen=True)
class Sensitivities:
    """Selected outputs and d output / d parameter for every patient.

    Attributes:
        mode: ``"forward"`` or ``"reverse"``.
        wrt: indices of the parameters differentiated with respect to.
        states: indices of the states among the outputs.
        observables: indices of the observables among the outputs.
        order: the outputs come as [states..., observables...]; ``order`` gives the
            caller's order.

    The kernel returns ``values`` (time, output, patient), ``sens`` (time, output,
    parameter, patient) and ``status`` (patient).
    """

    mode: str
    wrt: tuple[int, ...]
    states: tuple[int, ...]
    observables: tuple[int, ...]
    order: tuple[int, ...]
    ranks = {"values": 3, "sens": 4, "status": 1}

    @property
    def outside_trace(self) -> bool:
        # Equinox's checkpointed loop refuses to be traced inside shard_map (its closure
        # conversion compares avals): reverse mode is traced outside (see _devices).
        return self.mode == "reverse"

    def outputs(self, problem: Problem, options: Options) -> tuple:
        """(time, output, patient) selected outputs and (patient,) status."""
        sol = solve(problem, options, with_observables=bool(self.observables))
        parts = []
        if self.states:
            parts.append(sol.ys[:, np.asarray(self.states)])
        if self.observables:
            parts.append(sol.obs[:, np.asarray(self.observables)])
        return jnp.concatenate(parts, axis=1)[:, np.asarray(self.order)], sol.status

    def __call__(self, problem: Problem, options: Options) -> dict:
        w = np.asarray(self.wrt)

        def f(Pw):
            # the parameters are set here, so that the derivative flows through
            # initial states, pre-equilibration and doses alike
            return self.outputs(dataclasses.replace(problem, P=problem.P.at[w].set(Pw)), options)

        Pw = problem.P[w]
        m, B = Pw.shape
        if self.mode == "forward":
            basis = jnp.eye(m, dtype=Pw.dtype)[:, :, None] * jnp.ones((1, 1, B), Pw.dtype)

            def one(v):
                return jax.jvp(f, (Pw,), (v,), has_aux=True)

            out, dout, status = jax.vmap(one, out_axes=(None, 0, None))(basis)
            return dict(values=out, sens=jnp.moveaxis(dout, 0, 2), status=status)
        options = options._replace(checkpoints=REVERSE_CHECKPOINTS)
        out, pullback, status = jax.vjp(f, Pw, has_aux=True)
        K, n_out, _ = out.shape

        def back(i):
            ct = jnp.zeros((K * n_out, B), out.dtype).at[i].set(1.0)
            return pullback(ct.reshape(K, n_out, B))[0]  # (m, B)

        grads = jax.lax.map(back, jnp.arange(K * n_out), batch_size=_COTANGENT_BATCH)
        return dict(values=out, sens=grads.reshape(K, n_out, m, B), status=status)

    def chunk(self, model, K: int, n_devices: int) -> int:
        """Patients per compiled call: bounded by the memory of the tangents (forward:
        the loop carries one tangent per parameter) or of the checkpoints and the
        cotangents in flight (reverse)."""
        n_state = len(model.state_specs)
        n_out, m = len(self.order), len(self.wrt)
        if self.mode == "forward":
            per_patient = 8 * K * (n_state + n_out) * (m + 1)
            most = 1024
        else:
            batch = min(K * n_out, _COTANGENT_BATCH)
            per_patient = 8 * (REVERSE_CHECKPOINTS * n_state * 4 + K * n_out * m
                               + batch * (K + 8) * n_state)  # fmt: skip
            most = 256
        return max(1, min(_CHUNK_BYTES // max(per_patient, 1), most * n_devices))
