"""Which devices a batch runs on by default.

XLA runs one CPU device on one core. So that a laptop's cores all work on a batch,
pathjax asks JAX, at import and only if JAX has not started yet, for one CPU device
per available core (at most 8), and `simulate` splits patients over all local devices
of the default platform. Set ``PATHJAX_CPU_DEVICES=N`` to choose N (``1`` turns this
off); an explicit ``--xla_force_host_platform_device_count`` in ``XLA_FLAGS`` or a
``jax_num_cpu_devices`` setting made before importing pathjax is left alone.
"""

import os

import jax

__all__ = ["configure_cpu_devices", "default_devices"]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_cpu_devices() -> int | None:
    """Request one CPU device per core (see module docstring); returns the count set."""
    if "xla_force_host_platform_device_count" in os.environ.get("XLA_FLAGS", ""):
        return None
    try:
        if jax.config.jax_num_cpu_devices != -1:
            return None
    except AttributeError:
        return None
    env = os.environ.get("PATHJAX_CPU_DEVICES")
    n = int(env) if env else min(_cores(), 8)
    if n < 1:
        return None
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except Exception:  # the CPU backend has already started: keep what it has
        return None
    return n


def default_devices() -> list:
    """All local devices of the default platform."""
    return list(jax.local_devices())
