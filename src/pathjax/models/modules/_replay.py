"""Replayed drivers: a source model's upstream trajectories as functions of time.

A module taken unchanged from a larger source model (e.g. the Raf/MEK/ERK cascade of
Borisov 2009) is driven in the source by other species of that model. To check the module
alone against the source, those driver species are recorded from the source's own
simulation (libRoadRunner, on a dense grid) and replayed here by linear interpolation;
with a grid much finer than the drivers' time scales the interpolation error is far
below the comparison tolerance.
"""

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from ..._errors import InputError

__all__ = ["drivers_at"]


def drivers_at(
    times: Any, drivers: Mapping[str, Any], required: tuple[str, ...]
) -> Callable[[Any], dict]:
    """A function ``t -> {driver: value}`` interpolating recorded driver trajectories.

    Args:
        times: (K,) strictly increasing recording times.
        drivers: driver name -> (K,) values.
        required: the driver names the module needs.

    Returns:
        ``at(t)`` giving every required driver at time `t` (scalar or array).

    Raises:
        InputError: a required driver is missing, or the shapes do not match.
    """
    ts = np.asarray(times, dtype=np.float64)
    if ts.ndim != 1 or ts.size < 2 or np.any(np.diff(ts) <= 0):
        raise InputError("driver times must be a strictly increasing 1-D array (>= 2 points)")
    table = {}
    for name in required:
        if name not in drivers:
            raise InputError(f"driver {name!r} is missing; needed: {list(required)}")
        v = np.asarray(drivers[name], dtype=np.float64)
        if v.shape != ts.shape:
            raise InputError(f"driver {name!r} has shape {v.shape}, expected {ts.shape}")
        table[name] = v
    tj = jnp.asarray(ts)
    vals = {k: jnp.asarray(v) for k, v in table.items()}

    def at(t):
        return {k: jnp.interp(t, tj, v) for k, v in vals.items()}

    return at
