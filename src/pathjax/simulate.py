"""`simulate`: validate, batch, chunk, solve, assemble an `xarray.Dataset`.

Everything the user passes is checked here, before anything is traced or compiled;
the compiled solve is cached per (model, method, options) and reused for every chunk
and every later call with the same shapes.
"""

import functools
import math
import os
import time as _time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from ._errors import STATUS_DOC, InputError, Status, unknown_name
from .model import Model
from .protocol import CompiledProtocol, Protocol, as_protocol
from .solvers import TABLEAUX
from .solvers._ensemble import DEFAULT_MAX_STEPS, compiled_ensemble_solve

__all__ = ["Batch", "check_memory", "estimate_memory", "prepare", "simulate"]

_RESERVED = ("status", "params", "n_steps", "patient", "time", "parameter")
_OUTPUT_BYTES_PER_CHUNK = 256 * 2**20
# Share of the available memory one simulation may plan to fill: the rest is left to
# XLA's own scratch space, the Python heap and whatever writes the result to disk.
MEMORY_FRACTION = 0.75


class Batch(NamedTuple):
    """A validated batch: everything the solver needs, as NumPy arrays.

    Attributes:
        model: the model.
        t: (K,) output times.
        t0: start of integration.
        P: (param, patient) parameter matrix.
        y0_override: {state index: (patient,) values} initial states set by the caller.
        protocol: the resolved `Protocol`.
        compiled: its arrays on ``[t0, t[-1]]``.
        n: number of patients.
    """

    model: Model
    t: np.ndarray
    t0: float
    P: np.ndarray
    y0_override: dict
    protocol: Protocol
    compiled: CompiledProtocol
    n: int


def _check_model(model: Any) -> Model:
    if isinstance(model, str):
        from . import models

        # an unknown name raises InputError listing the bundled models
        model = models.load(model)
    if not isinstance(model, Model):
        raise InputError(
            f"model must be a pathjax.Model or a bundled model's name (e.g. "
            f"'sedaghat2002'), got {type(model).__name__}"
        )
    for name in model.state_names + model.observable_names + model.input_names:
        if name in _RESERVED:
            raise InputError(f"model {model.name!r} uses the reserved name {name!r}")
    return model


def _misplaced(model: Model, name: str, value: Any, expected: str) -> InputError:
    """The error for `name` given as a `expected` ("parameter" or "state") that is not
    one: where it belongs instead (a state, a parameter or an input), or close matches."""
    where = {
        "parameter": (model._param_index, f"params={{{name!r}: {_short(value)}}}"),
        "state": (model._state_index, f"initial={{{name!r}: {_short(value)}}}"),
        "input": (
            model.input_names,
            f"a protocol, e.g. protocol=pathjax.Protocol.constant({name!r}, {_short(value)})",
        ),
    }
    for kind, (names, how) in where.items():
        if kind != expected and name in names:
            return InputError(
                f"{name!r} = {_short(value)} is {'an' if kind == 'input' else 'a'} {kind} of "
                f"{model.name!r}, not {'an' if expected == 'input' else 'a'} {expected}; "
                f"set it with {how}"
            )
    names = model.param_names if expected == "parameter" else model.state_names
    return unknown_name(expected, name, names)


def check_times(t: Any, name: str = "t") -> np.ndarray:
    """Validate output times: 1-D, finite, non-empty, strictly increasing."""
    try:
        arr = np.asarray(t, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a 1-D array of numbers, got {t!r}") from None
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim != 1:
        raise InputError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{name} is empty; give at least one output time")
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)][0]
        raise InputError(f"{name} contains a non-finite value ({bad})")
    if arr.size > 1 and not np.all(np.diff(arr) > 0):
        i = int(np.argmax(~(np.diff(arr) > 0)))
        raise InputError(
            f"{name} must be strictly increasing; {name}[{i}] = {arr[i]} is followed by "
            f"{name}[{i + 1}] = {arr[i + 1]}"
        )
    return arr


def _values(name: str, value: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"{what} {name!r} must be a number or a 1-D array, got {value!r}"
        ) from None
    if arr.ndim > 1:
        raise InputError(
            f"{what} {name!r} must be a scalar or a 1-D array (one value per patient), "
            f"got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{what} {name!r} contains NaN or inf")
    return arr


def _short(value: Any) -> str:
    """`value` as it would be typed, or ``...`` for an array too long to show."""
    text = repr(value)
    return text if len(text) <= 40 and "\n" not in text else "..."


def _batch_size(sizes: dict[str, int]) -> int:
    lengths = set(sizes.values())
    if len(lengths) > 1:
        detail = ", ".join(f"{k}: {v}" for k, v in sizes.items())
        raise InputError(f"per-patient arrays have different lengths ({detail})")
    return lengths.pop() if lengths else 1


def prepare(
    model: Model,
    t: Any,
    params: Mapping[str, Any] | None = None,
    protocol: Protocol | str | None = None,
    *,
    initial: Mapping[str, Any] | None = None,
    check_bounds: bool = True,
    memory_check: bool = False,
) -> Batch:
    """Validate everything and build the solver's arrays (no compilation).

    `model` may be a bundled model's name. With `memory_check`, a batch whose result
    would not fit in the available memory is refused (see `check_memory`) before any
    per-patient array is built.

    Raises:
        InputError: unknown names, NaN/inf, values outside bounds, ragged arrays,
            bad times or protocols, a result too large for memory.
    """
    model = _check_model(model)
    t = check_times(t)
    if params is not None and not isinstance(params, Mapping):
        raise InputError(f"params must be a mapping of parameter name to value(s), got {params!r}")
    if initial is not None and not isinstance(initial, Mapping):
        raise InputError(f"initial must be a mapping of state name to value(s), got {initial!r}")
    params = dict(params or {})
    initial = dict(initial or {})
    sizes: dict[str, int] = {}
    pvals: dict[str, np.ndarray] = {}
    for k, v in params.items():
        if k not in model._param_index:
            raise _misplaced(model, k, v, "parameter")
        arr = _values(k, v, "parameter")
        if check_bounds:
            spec = model.param_spec(k)
            if np.any(arr < spec.lower):
                bad = float(arr[arr < spec.lower].flat[0])
                what = "negative" if bad < 0 <= spec.lower else "below its lower bound"
                raise InputError(
                    f"parameter {k!r} = {bad} is {what} (allowed range "
                    f"[{spec.lower}, {spec.upper}], unit {spec.unit})"
                )
            if np.any(arr > spec.upper):
                bad = float(arr[arr > spec.upper].flat[0])
                raise InputError(
                    f"parameter {k!r} = {bad} is above its upper bound {spec.upper} "
                    f"(unit {spec.unit})"
                )
        if arr.ndim == 1:
            sizes[f"parameter {k!r}"] = arr.shape[0]
        pvals[k] = arr
    ivals: dict[int, np.ndarray] = {}
    for k, v in initial.items():
        if k not in model._state_index:
            raise _misplaced(model, k, v, "state")
        arr = _values(k, v, "initial state")
        spec = model.state_specs[model._state_index[k]]
        if not spec.signed and np.any(arr < 0):
            raise InputError(
                f"initial state {k!r} = {float(arr.min())} is negative; it is a "
                f"non-negative quantity (unit {spec.unit})"
            )
        if arr.ndim == 1:
            sizes[f"initial {k!r}"] = arr.shape[0]
        ivals[model._state_index[k]] = arr
    proto = as_protocol(model, protocol)
    proto.validate(model)
    n_proto = proto.n_patients()
    if n_proto is not None:
        sizes["protocol"] = n_proto
    n = _batch_size(sizes)
    if n == 0:
        raise InputError("per-patient arrays are empty; give at least one patient")
    if memory_check:
        check_memory(model, n, t.shape[0])
    P = np.empty((len(model.param_specs), n), dtype=np.float64)
    for i, spec in enumerate(model.param_specs):
        P[i] = pvals.get(spec.name, spec.default)
    y0_override = {i: np.broadcast_to(v, (n,)).astype(np.float64) for i, v in ivals.items()}
    t0 = min(0.0, float(t[0]))
    compiled = proto.compile(model, t0, float(t[-1]), n)
    return Batch(model, t, t0, P, y0_override, proto, compiled, n)


def _method(solver: Any) -> Any:
    if solver is None:
        return "rodas5p"
    import diffrax

    if isinstance(solver, diffrax.AbstractSolver):
        return solver
    if isinstance(solver, str):
        key = solver.lower()
        if key not in TABLEAUX:
            raise unknown_name("solver", solver, list(TABLEAUX))
        return key
    raise InputError(
        f"solver must be one of {list(TABLEAUX)}, a Diffrax solver instance, or None "
        f"(for 'rodas5p'), got {solver!r}"
    )


def _check_tol(name: str, v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a positive number, got {v!r}") from None
    if not (math.isfinite(f) and f > 0):
        raise InputError(f"{name} must be a positive finite number, got {v!r}")
    return f


@functools.lru_cache(maxsize=64)
def _initial_state_fn(model: Model) -> Callable:
    def init(P):
        vals = model.initial_state_tuple(tuple(P[i] for i in range(P.shape[0])))
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, P.dtype), P.shape[1:]) for v in vals])

    return jax.jit(init)


@functools.lru_cache(maxsize=64)
def _observables_fn(model: Model) -> Callable:
    def obs(ts, ys, P, U):
        # ys: (K, n, B); P: (n_p, B); U: (K, n_u, B)
        K, _, B = ys.shape
        tt = jnp.broadcast_to(ts[:, None], (K, B))
        vals = model.observables_tuple(
            tt,
            tuple(ys[:, i] for i in range(ys.shape[1])),
            tuple(jnp.broadcast_to(P[i], (K, B)) for i in range(P.shape[0])),
            tuple(U[:, i] for i in range(U.shape[1])),
        )
        if not vals:
            return jnp.zeros((K, 0, B), ys.dtype)
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, ys.dtype), (K, B)) for v in vals], 1)

    return jax.jit(obs)


def initial_states(batch: Batch) -> np.ndarray:
    """(state, patient) initial states before pre-equilibration and doses."""
    model = batch.model
    y0 = np.asarray(_initial_state_fn(model)(jnp.asarray(batch.P)))
    y0 = np.array(y0, dtype=np.float64)
    for i, v in batch.y0_override.items():
        y0[i] = v
    return y0


def _default_chunk(model: Model, K: int, n: int, n_devices: int = 1) -> int:
    """Patients per compiled solve: bounded by output memory and, on CPU, by what
    stays in cache (about 2,048 patients per device measured best on Brännmark 2013)."""
    per_patient = max(1, K * (len(model.state_specs) + 1) * 8)
    per_device = 2048 if jax.default_backend() == "cpu" else 65536
    return max(1, min(n, _OUTPUT_BYTES_PER_CHUNK // per_patient, per_device * n_devices))


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
    model = _check_model(model)
    n = int(n_patients)
    K = int(n_times)
    n_s, n_o = len(model.state_specs), len(model.observable_specs)
    n_u, n_p = len(model.input_specs), len(model.param_specs)
    # the inputs are held twice: the levels at the output times and the result's copy
    result = n * K * (n_s + n_o + 2 * n_u) * 8
    params = 3 * n * n_p * 8
    chunk = _default_chunk(model, K, n) if n and K else 0
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
    model = _check_model(model)
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


def _pad(x: np.ndarray, size: int) -> np.ndarray:
    """Pad the last (patient) axis to `size` by repeating the first patient."""
    b = x.shape[-1]
    if b == size:
        return x
    reps = np.repeat(x[..., :1], size - b, axis=-1)
    return np.concatenate([x, reps], axis=-1)


class RawSolve(NamedTuple):
    ys: np.ndarray  # (K, n, B)
    status: np.ndarray
    n_steps: np.ndarray
    n_accepted: np.ndarray
    iterations: int


def solve_arrays(
    model: Model,
    method: str,
    t: np.ndarray,
    t0: float,
    y0: np.ndarray,
    P: np.ndarray,
    compiled: CompiledProtocol,
    rtol: float,
    atol: float,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    dtype=np.float64,
) -> RawSolve:
    """One compiled ensemble solve on prepared arrays (no validation, no chunking)."""
    fn = compiled_ensemble_solve(model, TABLEAUX[method], max_steps=int(max_steps))
    res = fn(
        jnp.asarray(t, dtype),
        jnp.asarray(t0, dtype),
        jnp.asarray(y0, dtype),
        jnp.asarray(P, dtype),
        jnp.asarray(compiled.stops, dtype),
        jnp.asarray(compiled.inputs, dtype),
        jnp.asarray(compiled.doses, dtype),
        jnp.asarray(compiled.resets, dtype),
        jnp.asarray(rtol, dtype),
        jnp.asarray(atol, dtype),
    )
    return RawSolve(
        np.asarray(res.ys),
        np.asarray(res.status),
        np.asarray(res.n_steps),
        np.asarray(res.n_accepted),
        int(res.iterations),
    )


@functools.lru_cache(maxsize=32)
def _jitted_diffrax(model: Model, solver: Any, max_steps: int) -> Callable:
    from .solvers._vmap import diffrax_solve

    return jax.jit(functools.partial(diffrax_solve, model, solver, max_steps=max_steps))


def solve_arrays_diffrax(
    model: Model,
    solver: Any,
    t: np.ndarray,
    t0: float,
    y0: np.ndarray,
    P: np.ndarray,
    compiled: CompiledProtocol,
    rtol: float,
    atol: float,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    dtype=np.float64,
) -> RawSolve:
    """`solve_arrays` through ``vmap(diffrax.diffeqsolve)`` with a Diffrax solver."""
    fn = _jitted_diffrax(model, solver, int(max_steps))
    ys, status = fn(
        jnp.asarray(t, dtype),
        jnp.asarray(t0, dtype),
        jnp.asarray(y0, dtype),
        jnp.asarray(P, dtype),
        jnp.asarray(compiled.stops, dtype),
        jnp.asarray(compiled.inputs, dtype),
        jnp.asarray(compiled.doses, dtype),
        jnp.asarray(compiled.resets, dtype),
        jnp.asarray(rtol, dtype),
        jnp.asarray(atol, dtype),
    )
    status = np.asarray(status)
    B = status.shape[0]
    return RawSolve(np.asarray(ys), status, np.zeros(B, np.int32), np.zeros(B, np.int32), 0)


def _preequilibrate(batch: Batch, y0, method, rtol, atol, max_steps, dtype, solve) -> tuple:
    model = batch.model
    T = float(batch.protocol.preequilibrate)
    B = y0.shape[1]
    base = np.array([i.default for i in model.input_specs], dtype=np.float64)
    U = np.broadcast_to(base[None, :, None], (1, len(base), B)).copy()
    n_st = y0.shape[0]
    cp = CompiledProtocol(
        np.zeros((0,)),
        U,
        np.zeros((0, n_st, B)),
        np.zeros((n_st, B)),
        np.zeros((0, n_st, B)),
        np.full((n_st, B), np.nan),
    )
    raw = solve(
        model,
        method,
        np.array([batch.t0 - T, batch.t0]),
        batch.t0 - T,
        y0,
        batch.P,
        cp,
        rtol,
        atol,
        max_steps=max_steps,
        dtype=dtype,
    )
    return raw.ys[-1], raw.status


def _slice_protocol(cp: CompiledProtocol, sl: slice, size: int) -> CompiledProtocol:
    return CompiledProtocol(
        cp.stops,
        _pad(cp.inputs[..., sl], size),
        _pad(cp.doses[..., sl], size),
        _pad(cp.initial_doses[..., sl], size),
        _pad(cp.resets[..., sl], size),
        _pad(cp.initial_resets[..., sl], size),
    )


def run_batch(
    batch: Batch,
    *,
    rtol: float,
    atol: float,
    method: str,
    chunk_size: int | None,
    max_steps: int,
    progress: bool | Callable[[int, int], None] = False,
    dtype=np.float64,
    solve: Callable | None = None,
    multiple_of: int = 1,
) -> dict:
    """Solve a prepared batch in chunks; returns NumPy arrays (patient-first).

    `solve` replaces `solve_arrays` (e.g. a sharded solve); chunks are padded to a
    multiple of `multiple_of` patients.
    """
    from ._devices import relieve_map_pressure

    relieve_map_pressure()
    solve = solve or solve_arrays
    model = batch.model
    n, K = batch.n, batch.t.shape[0]
    chunk = chunk_size or _default_chunk(model, K, n, multiple_of)
    if not model.state_specs:
        return _observables_only(batch, chunk, progress)
    chunk = -(-chunk // multiple_of) * multiple_of
    y0_all = initial_states(batch)
    ys = np.empty((n, K, len(model.state_specs)), dtype=np.float64)
    obs = np.empty((n, K, len(model.observable_specs)), dtype=np.float64)
    status = np.empty((n,), dtype=np.int32)
    n_steps = np.empty((n,), dtype=np.int32)
    iterations = 0
    bar = _progress(progress, n)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        sl = slice(start, stop)
        size = chunk if n > chunk else -(-(stop - start) // multiple_of) * multiple_of
        P = _pad(batch.P[:, sl], size)
        y0 = _pad(y0_all[:, sl], size)
        cp = _slice_protocol(batch.compiled, sl, size)
        pre_status = np.zeros((size,), np.int32)
        if batch.protocol.preequilibrate:
            sub = batch._replace(P=P)
            y0, pre_status = _preequilibrate(sub, y0, method, rtol, atol, max_steps, dtype, solve)
            y0 = np.where(np.isfinite(y0), y0, 0.0)
        y0 = cp.apply_initial(y0)
        raw = solve(
            model,
            method,
            batch.t,
            batch.t0,
            y0,
            P,
            cp,
            rtol,
            atol,
            max_steps=max_steps,
            dtype=dtype,
        )
        m = stop - start
        st = np.where(pre_status[:m] != 0, pre_status[:m], raw.status[:m])
        yv = np.moveaxis(raw.ys[..., :m], -1, 0)
        yv = np.where((st != 0)[:, None, None], np.nan, yv)
        ys[sl] = yv
        if model.observable_specs:
            # per chunk, at the chunk's (fixed) shape: compiled once, memory bounded
            ov = _observables_fn(model)(
                jnp.asarray(batch.t),
                jnp.asarray(raw.ys),
                jnp.asarray(P),
                jnp.asarray(inputs_at_outputs(batch, cp)),
            )
            ov = np.moveaxis(np.asarray(ov)[..., :m], -1, 0)
            obs[sl] = np.where((st != 0)[:, None, None], np.nan, ov)
        status[sl] = st
        n_steps[sl] = raw.n_steps[:m]
        iterations += raw.iterations
        bar(stop)
    bar(None)
    return dict(ys=ys, obs=obs, status=status, n_steps=n_steps, iterations=iterations)


def _observables_only(
    batch: Batch, chunk: int, progress: bool | Callable[[int, int], None]
) -> dict:
    """`run_batch` for a model without state variables (e.g. an SBML model of rules
    only): nothing to integrate, so the observables are evaluated at the output times
    from the parameters and inputs, chunk by chunk, and every patient succeeds."""
    model = batch.model
    n, K = batch.n, batch.t.shape[0]
    obs = np.empty((n, K, len(model.observable_specs)), dtype=np.float64)
    bar = _progress(progress, n)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        sl = slice(start, stop)
        # padded to the chunk's size, so that every chunk reuses one compiled program
        size = chunk if n > chunk else stop - start
        cp = _slice_protocol(batch.compiled, sl, size)
        if model.observable_specs:
            ov = _observables_fn(model)(
                jnp.asarray(batch.t),
                jnp.zeros((K, 0, size)),
                jnp.asarray(_pad(batch.P[:, sl], size)),
                jnp.asarray(inputs_at_outputs(batch, cp)),
            )
            obs[sl] = np.moveaxis(np.asarray(ov)[..., : stop - start], -1, 0)
        bar(stop)
    bar(None)
    return dict(
        ys=np.empty((n, K, 0)),
        obs=obs,
        status=np.zeros((n,), np.int32),
        n_steps=np.zeros((n,), np.int32),
        iterations=0,
    )


def _progress(progress, total: int) -> Callable[[int | None], None]:
    if callable(progress):
        return lambda done: progress(done if done is not None else total, total)
    if not progress:
        return lambda done: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("[bold]simulate"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("patients"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )
    task = bar.add_task("simulate", total=total, rate="")
    bar.start()
    t_start = _time.perf_counter()

    def update(done):
        if done is None:
            bar.stop()
            return
        rate = done / max(_time.perf_counter() - t_start, 1e-9)
        bar.update(task, completed=done, rate=f"{rate:,.0f} patients/s")

    return update


def inputs_at_outputs(batch: Batch, compiled: CompiledProtocol | None = None) -> np.ndarray:
    """(time, input, patient) input levels at the output times (right-continuous), of
    `compiled` (e.g. one chunk's slice) or of the whole batch."""
    cp = batch.compiled if compiled is None else compiled
    seg = np.searchsorted(cp.stops, batch.t, side="right")
    return cp.inputs[seg]


def to_dataset(batch: Batch, solved: dict, *, attrs: Mapping[str, Any] | None = None) -> xr.Dataset:
    """Assemble the result `xarray.Dataset` (see `simulate`)."""
    model = batch.model
    ys = solved["ys"]
    obs = solved["obs"]  # computed per chunk by `run_batch` (NaN for failed patients)
    status = solved["status"]
    failed = status != 0
    coords = {
        "patient": np.arange(batch.n),
        "time": batch.t,
        "parameter": list(model.param_names),
    }
    data: dict[str, Any] = {}
    for i, spec in enumerate(model.state_specs):
        data[spec.name] = (
            ("patient", "time"),
            ys[:, :, i],
            {"units": spec.unit, "long_name": spec.description or spec.name, "kind": "state"},
        )
    for i, spec in enumerate(model.observable_specs):
        data[spec.name] = (
            ("patient", "time"),
            obs[:, :, i],
            {"units": spec.unit, "long_name": spec.description or spec.name, "kind": "observable"},
        )
    if model.input_specs:
        U = inputs_at_outputs(batch)  # (K, n_u, B)
        for i, spec in enumerate(model.input_specs):
            data[spec.name] = (
                ("patient", "time"),
                np.ascontiguousarray(U[:, i, :].T),
                {"units": spec.unit, "long_name": spec.description or spec.name, "kind": "input"},
            )
    data["status"] = (
        ("patient",),
        status.astype(np.int32),
        {"long_name": "solver status (0 = success)", "flag_meanings": _status_meanings()},
    )
    data["params"] = (("patient", "parameter"), batch.P.T.copy(), {"long_name": "parameters used"})
    if "n_steps" in solved:
        data["n_steps"] = (
            ("patient",),
            solved["n_steps"].astype(np.int32),
            {"long_name": "solver steps attempted (accepted + rejected)"},
        )
    ds = xr.Dataset(data, coords=coords)
    ds["time"].attrs["units"] = model.time_unit
    ds.attrs.update(
        {
            "model": model.name,
            "source": model.source,
            "time_unit": model.time_unit,
            "protocol": batch.protocol.describe(),
            "n_failed": int(failed.sum()),
            "lockstep_iterations": int(solved.get("iterations", 0)),
        }
    )
    if attrs:
        ds.attrs.update(dict(attrs))
    return ds


def _status_meanings() -> str:
    return "; ".join(f"{k}: {v.splitlines()[0]}" for k, v in STATUS_DOC.items())


def simulate(
    model: Model | str,
    t: Sequence[float] | np.ndarray,
    params: Mapping[str, Any] | None = None,
    protocol: Protocol | str | None = None,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solver: str | None = None,
    chunk_size: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
    initial: Mapping[str, Any] | None = None,
    max_steps: int = DEFAULT_MAX_STEPS,
    devices: Sequence[Any] | None = None,
) -> xr.Dataset:
    """Simulate one or many virtual patients of `model`.

    Args:
        model: a `pathjax.Model` (`pathjax.models.load(...)`, `pathjax.sbml.load(...)`)
            or a bundled model's name (``"sedaghat2002"``). A model without state
            variables (only rules) has its observables evaluated at the output times.
        t: (time,) strictly increasing output times in ``model.time_unit``. Integration
            starts at ``min(0, t[0])``, the time origin of the model's initial state.
        params: parameter name -> scalar or (patient,) array. Arrays of length N make N
            patients; scalars broadcast; parameters not given take their defaults.
        protocol: None (the model's default scenario, which reproduces the source's own
            simulation), the name of one of ``model.protocols``, or a `Protocol`.
        rtol, atol: relative and absolute tolerance of the scaled RMS error norm (the
            same meaning as in CVODE/libRoadRunner).
        solver: ``"rodas5p"`` (default), ``"rodas4"``, ``"rosenbrock23"`` (loose
            tolerances) or ``"ros3p"`` for the batch-native engine; or a Diffrax solver
            instance (e.g. ``pathjax.solvers.Rodas5P()``, ``diffrax.Kvaerno5()``) to run
            ``vmap(diffrax.diffeqsolve)`` instead (slower; no state events).
        chunk_size: patients per compiled solve (bounds memory; default: what keeps a
            chunk's output under 256 MiB, at most 2,048 patients per device on a CPU and
            65,536 on an accelerator).
        progress: show a progress bar (or a callable ``f(done, total)``).
        initial: state name -> scalar or (patient,) array overriding initial states.
        max_steps: attempted steps allowed per patient before it is marked failed.
        devices: split patients over these devices (a list, a count or ``"all"``; see
            `pathjax.sharding`). None: every local device of the default platform (on a
            CPU, one device per core; see `pathjax._devices`).

    Returns:
        `xarray.Dataset` with dims ``(patient, time)``: one variable per state,
        observable and input (with ``units`` attributes), ``status`` (patient; 0 is
        success, see `pathjax.Status`; failed patients are NaN) and ``params``
        (patient, parameter).

    Raises:
        ValueError: (`pathjax.InputError`) for bad input, before anything is compiled:
            an unknown model, parameter, state or input name, NaN/inf, a negative
            value for a non-negative quantity, ragged arrays, bad times, or a result
            that would not fit in memory (see `estimate_memory`).

    Examples:
        >>> import numpy as np, pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> ds = pathjax.simulate(m, np.linspace(0, 60, 7), params={"k_IRS1_phos": [4.16, 2.0]})
        >>> ds["GLUT4_surface"].sizes["patient"]
        2
    """
    rtol = _check_tol("rtol", rtol)
    atol = _check_tol("atol", atol)
    method = _method(solver)
    if chunk_size is not None and (int(chunk_size) != chunk_size or chunk_size < 1):
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if int(max_steps) != max_steps or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    batch = prepare(model, t, params, protocol, initial=initial, memory_check=True)
    from .sharding import resolve_devices, run_sharded

    devs = resolve_devices("local" if devices is None else devices)
    if not isinstance(method, str):  # a Diffrax solver: vmap(diffeqsolve), one device
        solved = run_batch(
            batch,
            rtol=rtol,
            atol=atol,
            method=method,
            chunk_size=chunk_size,
            max_steps=int(max_steps),
            progress=progress,
            solve=solve_arrays_diffrax,
        )
    elif len(devs) > 1:
        solved = run_sharded(
            batch,
            rtol=rtol,
            atol=atol,
            method=method,
            chunk_size=chunk_size,
            max_steps=int(max_steps),
            progress=progress,
            devices=devs,
        )
    else:
        solved = run_batch(
            batch,
            rtol=rtol,
            atol=atol,
            method=method,
            chunk_size=chunk_size,
            max_steps=int(max_steps),
            progress=progress,
        )
    return to_dataset(
        batch,
        solved,
        attrs={
            "rtol": rtol,
            "atol": atol,
            "solver": method if isinstance(method, str) else type(method).__name__,
        },
    )


__all__ += ["Status", "check_times", "initial_states", "run_batch", "solve_arrays", "to_dataset"]
