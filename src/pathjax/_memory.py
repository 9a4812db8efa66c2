"""How much memory a simulation needs, and the refusal of one that would not fit.

`simulate` asks before it allocates anything; `pathjax.estimate_memory` lets a user
plan a population run (and choose streaming to disk) beforehand.
"""

import os

from . import models
from ._errors import InputError
from .driver import Trajectories
from .model import Model

__all__ = ["MEMORY_FRACTION", "available_memory", "check_memory", "estimate_memory"]

MEMORY_FRACTION = 0.75
"""Share of the available memory one simulation may plan to fill: the rest is left to
XLA's own scratch space, the Python heap and whatever writes the result to disk."""


def estimate_memory(model: Model | str, n_patients: int, n_times: int) -> int:
    """Bytes of memory a `simulate` run of this size needs at its peak (an estimate).

    The result in memory (``n_patients * n_times * (states + observables + inputs)``
    float64 values), the parameters (the sampled values, the solver's matrix and the
    result's copy) and one chunk's working buffers (the solver's output on the device,
    its host copy and the observables computed from it).

    Args:
        model: a `Model` or a bundled model's name.
        n_patients: number of virtual patients.
        n_times: number of output times.

    Returns:
        The estimate in bytes.

    Examples:
        >>> import pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> pathjax.estimate_memory(m, 1000, 100) < 2**30
        True
    """
    model = models.resolve(model)
    n = int(n_patients)
    K = int(n_times)
    n_s, n_o = len(model.state_specs), len(model.observable_specs)
    n_u, n_p = len(model.input_specs), len(model.param_specs)
    # the inputs are held twice: the levels at the output times and the result's copy
    result = n * K * (n_s + n_o + 2 * n_u) * 8
    params = 3 * n * n_p * 8
    chunk = min(n, Trajectories().chunk(model, K, 1)) if n and K else 0
    buffers = 3 * chunk * K * (n_s + n_o + n_u) * 8
    return result + params + buffers


def available_memory() -> int | None:
    """Bytes of memory available to this process now (``MemAvailable`` of
    ``/proc/meminfo``, else the free physical pages), or None where neither is known."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**28 else f"{n_bytes / 2**20:,.0f} MiB"


def check_memory(model: Model | str, n_patients: int, n_times: int) -> None:
    """Refuse a run whose result would not fit in memory, before anything is allocated.

    Args:
        model: a `Model` or a bundled model's name.
        n_patients: number of virtual patients.
        n_times: number of output times.

    Raises:
        InputError: `estimate_memory` exceeds `MEMORY_FRACTION` of `available_memory`;
            the message gives both and the ways out (stream to disk, fewer patients or
            output times).
    """
    model = models.resolve(model)
    available = available_memory()
    if available is None:
        return
    need = estimate_memory(model, n_patients, n_times)
    if need > MEMORY_FRACTION * available:
        raise InputError(
            f"{n_patients:,} patients x {n_times:,} times of {model.name!r} need about "
            f"{_gib(need)} of memory, but only {_gib(available)} is available (at most "
            f"{MEMORY_FRACTION:.0%} of it is used); stream the population to disk in chunks "
            f"with `pathjax population --out x.zarr` (or pathjax.population.run(..., "
            f"out='x.zarr')), or simulate fewer patients or output times"
        )
