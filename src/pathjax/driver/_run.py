"""The host side of the driver: chunks, padding, devices, compiled programs, progress.

`run` cuts a validated `Problem` into chunks of patients (padded to one shape, so one
compiled program serves every chunk and every later call of the same size), runs the
kernel on each chunk on one device or split over several, and gathers the results
patient-first as NumPy arrays.
"""

import functools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from ..solvers._problem import Problem
from ._kernels import Trajectories
from ._progress import progress_display
from ._solve import DEFAULT, Options
from ._split import over_devices

__all__ = ["run"]

TRAJECTORIES = Trajectories()


@functools.lru_cache(maxsize=64)
def _compiled(kernel: Any, options: Options, devices: tuple) -> Callable:
    """The jitted kernel (cached per kernel, options and devices; JAX caches the
    programs per model and shapes inside)."""

    def fn(problem):
        return kernel(problem, options)

    if len(devices) > 1:
        fn = over_devices(fn, devices, kernel.ranks, kernel.outside_trace)
    return jax.jit(fn)


def run(
    problem: Problem,
    kernel: Any = TRAJECTORIES,
    *,
    options: Options = DEFAULT,
    devices: tuple = (),
    chunk_size: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
    label: str = "simulate",
    dtype: Any = np.float64,
) -> dict[str, np.ndarray]:
    """Run `kernel` on every patient of `problem` (NumPy leaves, already validated).

    Args:
        problem: the whole batch.
        kernel: what to compute per chunk (`Trajectories`, `Sensitivities`).
        options: method and steps (`Options`).
        devices: the devices to split each chunk over (empty: the default device).
            A Diffrax solver runs on one device.
        chunk_size: patients per compiled call (default: the kernel's, from memory).
        progress: show a progress bar (or call ``f(done, total)``).
        label: the progress bar's title.
        dtype: the floating-point type the chunks are solved in.

    Returns:
        The kernel's outputs, patient-first (``iterations`` summed over chunks).
    """
    from .._devices import relieve_map_pressure

    relieve_map_pressure()
    if not isinstance(options.method, str):
        devices = ()
    devices = tuple(devices) or (jax.devices()[0],)
    nd = len(devices)
    n, K = problem.n_patients, problem.ts.shape[0]
    chunk = min(n, chunk_size or kernel.chunk(problem.model, K, nd))
    chunk = -(-chunk // nd) * nd
    fn = _compiled(kernel, options, devices)
    out: dict[str, Any] = {}
    iterations = 0
    bar = progress_display(progress, n, label)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        size = chunk if n > chunk else -(-m // nd) * nd
        res = fn(problem.take(slice(start, stop), size).as_arrays(dtype))
        for key, value in res.items():
            if key == "iterations":
                # the lockstep iterations of the chunk's slowest device
                iterations += int(np.max(np.asarray(value)))
                continue
            value = np.moveaxis(np.asarray(value)[..., :m], -1, 0)
            if key not in out:
                out[key] = np.empty((n,) + value.shape[1:], value.dtype)
            out[key][start:stop] = value
        bar(stop)
    bar(None)
    if "iterations" in kernel.ranks:
        out["iterations"] = iterations
    return out
