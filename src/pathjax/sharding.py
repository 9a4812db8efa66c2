"""Splitting a batch of patients over several devices.

`simulate(..., devices=jax.devices())` runs each chunk of patients as one SPMD program
over a 1-D device mesh: the patient axis is sharded, everything else is replicated,
and each device runs its own integration loop over its patients (`jax.shard_map`), so
a device never waits for the slowest patient of another.

On a CPU, several host devices exist only if requested before JAX starts, e.g.
``XLA_FLAGS=--xla_force_host_platform_device_count=2``; each then runs on its own
thread. For several hosts, start every process with `jax.distributed.initialize()`
and pass ``devices=jax.devices()`` (all global devices): the same code shards patients
across hosts, and every process receives the gathered result.
"""

import functools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from ._errors import InputError
from .solvers import TABLEAUX
from .solvers._ensemble import ensemble_solve

__all__ = ["resolve_devices", "run_sharded", "sharded_solve"]


def resolve_devices(devices: Sequence[Any] | int | str | None) -> list:
    """Accept a list of devices, a count, or ``"all"``."""
    available = jax.devices()
    if devices is None:
        return [available[0]]
    if isinstance(devices, str):
        if devices == "local":
            return list(jax.local_devices())
        if devices != "all":
            raise InputError(
                f"devices must be a list of devices, a count, 'all' or 'local', got {devices!r}"
            )
        return list(available)
    if isinstance(devices, int):
        if not 1 <= devices <= len(available):
            raise InputError(
                f"devices={devices} but {len(available)} are available ({available[0].platform}); "
                "on CPU set XLA_FLAGS=--xla_force_host_platform_device_count=N before starting"
            )
        return list(available[:devices])
    devs = list(devices)
    if not devs:
        raise InputError("devices is empty")
    for d in devs:
        if d not in available:
            raise InputError(f"device {d} is not among jax.devices(): {available}")
    return devs


@functools.lru_cache(maxsize=32)
def _sharded_fn(model, method: str, devices: tuple, max_steps: int):
    tableau = TABLEAUX[method]
    mesh = Mesh(np.array(devices), ("patient",))
    rep = PartitionSpec()
    last = PartitionSpec(None, "patient")
    last3 = PartitionSpec(None, None, "patient")
    vec = PartitionSpec("patient")

    def local(ts, t0, y0, P, stops, U, D, R, rtol, atol):
        res = ensemble_solve(
            model, tableau, ts, t0, y0, P, stops, U, D, R, rtol, atol, max_steps=max_steps
        )
        return res.ys, res.status, res.n_steps, res.n_accepted, res.iterations[None]

    fn = jax.shard_map(
        local,
        mesh=mesh,
        in_specs=(rep, rep, last, last, rep, last3, last3, last3, rep, rep),
        out_specs=(last3, vec, vec, vec, vec),
        check_vma=False,
    )
    return jax.jit(fn), len(devices)


def sharded_solve(model, method, t, t0, y0, P, compiled, rtol, atol, *, devices, max_steps):
    """One chunk over `devices`; the chunk size must be a multiple of len(devices)."""
    from .simulate import RawSolve

    fn, nd = _sharded_fn(model, method, tuple(devices), int(max_steps))
    f64 = jnp.float64
    ys, status, n_steps, n_acc, iters = fn(
        jnp.asarray(t, f64),
        jnp.asarray(t0, f64),
        jnp.asarray(y0, f64),
        jnp.asarray(P, f64),
        jnp.asarray(compiled.stops, f64),
        jnp.asarray(compiled.inputs, f64),
        jnp.asarray(compiled.doses, f64),
        jnp.asarray(compiled.resets, f64),
        jnp.asarray(rtol, f64),
        jnp.asarray(atol, f64),
    )
    return RawSolve(
        np.asarray(ys), np.asarray(status), np.asarray(n_steps), np.asarray(n_acc),
        int(np.max(np.asarray(iters))),
    )  # fmt: skip


def run_sharded(batch, *, rtol, atol, method, chunk_size, max_steps, progress, devices):
    """`simulate.run_batch` with every chunk split over `devices`."""
    from .simulate import run_batch

    devs = resolve_devices(devices)
    nd = len(devs)
    if nd == 1:
        return run_batch(
            batch, rtol=rtol, atol=atol, method=method, chunk_size=chunk_size,
            max_steps=max_steps, progress=progress,
        )  # fmt: skip

    def solve(model, method_, t, t0, y0, P, compiled, rtol_, atol_, *, max_steps, dtype):
        return sharded_solve(
            model, method_, t, t0, y0, P, compiled, rtol_, atol_, devices=devs,
            max_steps=max_steps,
        )  # fmt: skip

    return run_batch(
        batch, rtol=rtol, atol=atol, method=method, chunk_size=chunk_size,
        max_steps=max_steps, progress=progress, solve=solve, multiple_of=nd,
    )  # fmt: skip
