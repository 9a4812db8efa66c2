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

__all__ = ["configure_cpu_devices"]


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


# ---- memory mappings of compiled programs ----------------------------------------------
# On a CPU every compiled XLA program is loaded as machine code in many small memory
# mappings (about 1,000-1,600 for one pathjax solve). Linux caps a process at
# vm.max_map_count mappings (65,530 by default); past it the next compilation crashes
# the process (segmentation fault or abort inside XLA). A long notebook session or test
# run that compiles ~40 different programs reaches it. `relieve_map_pressure` drops
# JAX's in-memory compiled programs before that happens (they are recompiled, or read
# from the persistent cache, when next needed).

_MAP_LIMIT: list[int | None] = []


def map_limit() -> int | None:
    """The kernel's per-process memory-mapping limit, or None where unknown."""
    if not _MAP_LIMIT:
        try:
            with open("/proc/sys/vm/max_map_count") as fh:
                _MAP_LIMIT.append(int(fh.read().strip()))
        except (OSError, ValueError):
            _MAP_LIMIT.append(None)
    return _MAP_LIMIT[0]


def map_count() -> int | None:
    """Memory mappings this process holds now, or None where unknown."""
    try:
        with open("/proc/self/maps", "rb") as fh:
            return fh.read().count(b"\n")
    except OSError:
        return None


def relieve_map_pressure(fraction: float = 0.8, warn: bool = True) -> bool:
    """Clear JAX's compiled-program caches if this process holds more than `fraction`
    of its memory-mapping limit; returns whether it did."""
    import gc
    import warnings

    limit = map_limit()
    count = map_count() if limit else None
    if not limit or count is None or count < fraction * limit:
        return False
    jax.clear_caches()
    gc.collect()
    if warn:
        warnings.warn(
            f"pathjax: this process held {count:,} memory mappings of the {limit:,} the "
            "kernel allows (vm.max_map_count), mostly compiled programs; JAX's in-memory "
            "compiled programs were cleared so the next compilation does not crash. "
            "Raise the limit (sysctl vm.max_map_count=262144) to keep more programs.",
            RuntimeWarning,
            stacklevel=3,
        )
    return True
