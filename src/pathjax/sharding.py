"""Splitting a batch of patients over several devices.

`simulate(..., devices=jax.devices())` (and `sensitivity.local`, `population.run`) runs
each chunk of patients as one SPMD program over a 1-D device mesh: the patient axis is
sharded, everything else is replicated, and each device runs its own integration loop
over its patients (`jax.shard_map`, set up by `pathjax.driver`), so a device never
waits for the slowest patient of another.

On a CPU, several host devices exist only if requested before JAX starts, e.g.
``XLA_FLAGS=--xla_force_host_platform_device_count=2`` (pathjax asks for one per core
by default, see `pathjax._devices`); each then runs on its own thread. For several
hosts, start every process with `jax.distributed.initialize()` and pass
``devices=jax.devices()`` (all global devices): the same code shards patients across
hosts, and every process receives the gathered result.
"""

from .driver._split import resolve_devices as resolve_devices

__all__ = ["resolve_devices"]
