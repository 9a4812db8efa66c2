"""Which devices a chunk runs on, and the split of its patients over them.

A chunk over several devices is one SPMD program over a 1-D device mesh: the patient
axis of every per-patient leaf of the `Problem` (and of every output) is sharded, the
rest replicated, and each device runs its own integration loop over its patients
(`jax.shard_map`), so a device never waits for the slowest patient of another.

On a CPU, several host devices exist only if requested before JAX starts (pathjax asks
for one per core, see `pathjax._devices`). For several hosts, start every process with
`jax.distributed.initialize()` and pass ``devices=jax.devices()``.
"""

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, PartitionSpec

from .._errors import InputError

__all__ = ["over_devices", "resolve_devices"]


def resolve_devices(devices: Sequence[Any] | int | str | None) -> list:
    """Accept a list of devices, a count, ``"all"``, ``"local"`` or None (the first
    device)."""
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


def _last(ndim: int) -> PartitionSpec:
    return PartitionSpec(*([None] * (ndim - 1) + ["patient"]))


def _specs(problem) -> Any:
    """PartitionSpecs of the problem's leaves: the patient axis (last) of the
    per-patient fields sharded, everything else replicated."""
    sharded = problem.map_patients(lambda a: _last(a.ndim))
    spec = PartitionSpec

    def replicated(x):
        return x if isinstance(x, spec) else spec()

    return jax.tree.map(replicated, sharded, is_leaf=lambda x: isinstance(x, spec))


def over_devices(fn: Callable, devices: tuple, ranks: dict, outside_trace: bool) -> Callable:
    """``fn(problem) -> dict of batch-last arrays`` (of the given `ranks`) with the
    patients split over `devices` (the chunk size must be a multiple of their number).

    With `outside_trace`, one device's share is traced first and the finished program
    is evaluated on every device: Equinox's checkpointed loop (reverse mode) refuses to
    be traced inside `jax.shard_map`, whose avals its closure conversion compares with
    its own.
    """
    mesh = Mesh(np.array(devices), ("patient",))
    nd = len(devices)

    def split(problem):
        in_specs = (_specs(problem),)
        out_specs = {key: _last(rank) for key, rank in ranks.items()}
        if not outside_trace:
            return jax.shard_map(fn, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                                 check_vma=False)(problem)  # fmt: skip
        # one device's share: the patient axis divided by the number of devices
        share = jax.tree.map(
            lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype),
            problem.map_patients(
                lambda a: jax.ShapeDtypeStruct(a.shape[:-1] + (a.shape[-1] // nd,), a.dtype)
            ),
        )
        closed, shapes = jax.make_jaxpr(fn, return_shape=True)(share)
        tree = jax.tree_util.tree_structure(shapes)

        def body(p):
            leaves = jax.tree_util.tree_leaves(p)
            return jax.tree_util.tree_unflatten(
                tree, jax.core.eval_jaxpr(closed.jaxpr, closed.consts, *leaves)
            )

        return jax.shard_map(body, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                             check_vma=False)(problem)  # fmt: skip

    return split
