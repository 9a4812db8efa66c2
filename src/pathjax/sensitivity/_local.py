"""Local sensitivities: d output / d parameter through the ODE solve, for every patient.

Forward mode pushes one tangent per parameter through the batch-native engine (its
integration loop is a `jax.lax.while_loop`, which `jax.jvp` differentiates); the tangents
are evaluated together with `jax.vmap`, so the solve itself runs once. Reverse mode runs
the same engine with a checkpointed loop (`equinox.internal.while_loop`, which
`jax.vjp` differentiates: the loop state is stored at `REVERSE_CHECKPOINTS` iterations
and the others are recomputed) and pulls back one cotangent per output value, a few at
a time. Both differentiate the same numerical solution (the steps taken), initial states
that depend on parameters, pre-equilibration and the protocol's doses included, so they
agree with each other to rounding and with finite differences to the solver tolerance.

Patients are independent, so one tangent (or cotangent) that is 1 for every patient of a
chunk gives every patient's derivative at once: the cost does not grow with the square
of the batch.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from jax.sharding import Mesh, PartitionSpec

from .._errors import InputError
from ..model import Model
from ..protocol import Protocol
from ..simulate import (
    DEFAULT_MAX_STEPS,
    _check_tol,
    _initial_state_fn,
    _observables_fn,
    _pad,
    _slice_protocol,
    inputs_at_outputs,
    prepare,
)
from ..solvers import TABLEAUX
from ..solvers._ensemble import ensemble_solve
from ._common import check_output_names, check_parameter_names

__all__ = ["choose_mode", "local"]

_MODES = ("forward", "reverse")
# Patients per compiled call: bounded by the memory of the tangents (forward: the
# output buffer of the loop carries one tangent per parameter) and, for reverse mode,
# of the checkpoints and the cotangents pulled back together.
_CHUNK_BYTES = 256 * 2**20
_MAX_CHUNK = {"forward": 1024, "reverse": 256}
# Loop iterations whose state the reverse pass stores (per solve); a solve that takes
# more iterations recomputes the missing ones from the nearest checkpoint (treeverse),
# it does not fail.
REVERSE_CHECKPOINTS = 1024
# Cotangents pulled back together (vmapped) in reverse mode.
_COTANGENT_BATCH = 8


# Measured cost of one reverse-mode cotangent over one forward-mode tangent (Sedaghat
# 2002, 64 patients, 2-core CPU; benchmarks/bench_sensitivity.py, marginal costs): on
# two devices a tangent through the engine costs 0.055 s (0.7 forward solves) and a
# cotangent 0.32 s (ratio 5.8); on one device 0.10 s and 0.70 s (ratio 7.0).
REVERSE_COST_RATIO = 6


def choose_mode(n_parameters: int, n_outputs: int, n_times: int) -> str:
    """The cheaper mode for a Jacobian of ``n_outputs * n_times`` rows and
    ``n_parameters`` columns.

    Forward mode costs one tangent per parameter, reverse mode one cotangent per output
    value; a cotangent costs about `REVERSE_COST_RATIO` tangents here, so forward mode
    is chosen when ``n_parameters <= REVERSE_COST_RATIO * n_outputs * n_times``.

    Examples:
        >>> choose_mode(36, 1, 61), choose_mode(36, 1, 1), choose_mode(56, 1, 2)
        ('forward', 'reverse', 'reverse')
    """
    cheaper = n_parameters <= REVERSE_COST_RATIO * n_outputs * n_times
    return "forward" if cheaper else "reverse"


def _check_mode(mode: Any, model: Model, m: int, n_out: int, K: int) -> str:
    if mode is not None and mode != "auto" and mode not in _MODES:
        raise InputError(f"mode must be 'forward', 'reverse', 'auto' or None, got {mode!r}")
    if model.event_specs:
        # The engine locates an event by bisection, which carries no derivative of the
        # event time, and the Diffrax path has no events at all: the result would be
        # silently wrong for every parameter that moves an event.
        raise InputError(
            f"model {model.name!r} has state events "
            f"({', '.join(e.name for e in model.event_specs)}); local sensitivities "
            "through event times are not supported (the solver does not differentiate "
            "the event time). Use sobol or morris, which need no derivatives"
        )
    if mode is None or mode == "auto":
        return choose_mode(m, n_out, K)
    return mode


def _last(ndim: int) -> PartitionSpec:
    return PartitionSpec(*([None] * (ndim - 1) + ["patient"]))


# ranks of the arguments of the chunk function, in order (see `_chunk_fn`)
_ARG_RANKS = (2, 2, 2, 2, 1, 0, 1, 3, 3, 3, 2, 2, 3, 3, 0, 0, 0)
_PATIENT_ARGS = (0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13)


@functools.lru_cache(maxsize=32)
def _chunk_fn(
    model: Model,
    mode: str,
    w_idx: tuple[int, ...],
    state_idx: tuple[int, ...],
    obs_idx: tuple[int, ...],
    order: tuple[int, ...],
    preequilibrate: bool,
    max_steps: int,
    devices: tuple,
) -> Callable:
    """The compiled sensitivity of one chunk of patients (cached per model and options;
    reused for every chunk and every later call with the same shapes)."""
    init = _initial_state_fn(model)
    observe = _observables_fn(model)
    tableau = TABLEAUX["rodas5p"]
    w = np.asarray(w_idx)

    checkpoints = None if mode == "forward" else REVERSE_CHECKPOINTS

    def solve(ts, t0, y0, P, stops, U, D, R, rtol, atol):
        res = ensemble_solve(
            model, tableau, ts, t0, y0, P, stops, U, D, R, rtol, atol, max_steps=max_steps,
            checkpoints=checkpoints,
        )  # fmt: skip
        return res.ys, res.status

    def outputs(Pw, P, y0_fixed, fixed, ts, t0, stops, U, D, R, D0, R0, U_out, U_base, T,
                rtol, atol):  # fmt: skip
        # Everything that depends on the parameters is recomputed here, so that the
        # derivative flows through initial states, pre-equilibration and doses alike.
        P = P.at[w].set(Pw)
        y0 = jnp.where(fixed, y0_fixed, init(P))
        status0 = jnp.zeros(P.shape[1:], jnp.int32)
        if preequilibrate:
            n_st, B = y0.shape
            ys_pre, status0 = solve(
                jnp.stack([t0 - T, t0]), t0 - T, y0, P, jnp.zeros((0,), y0.dtype), U_base,
                jnp.zeros((0, n_st, B), y0.dtype), jnp.full((0, n_st, B), jnp.nan, y0.dtype),
                rtol, atol,
            )  # fmt: skip
            y0 = jnp.where(jnp.isfinite(ys_pre[-1]), ys_pre[-1], 0.0)
        y0 = y0 + D0
        y0 = jnp.where(jnp.isnan(R0), y0, R0)
        ys, status = solve(ts, t0, y0, P, stops, U, D, R, rtol, atol)
        status = jnp.where(status0 != 0, status0, status)
        parts = []
        if state_idx:
            parts.append(ys[:, np.asarray(state_idx)])
        if obs_idx:
            parts.append(observe(ts, ys, P, U_out)[:, np.asarray(obs_idx)])
        out = jnp.concatenate(parts, axis=1)[:, np.asarray(order)]
        return out, status

    def forward(Pw, *rest):
        m, B = Pw.shape
        basis = jnp.eye(m, dtype=Pw.dtype)[:, :, None] * jnp.ones((1, 1, B), Pw.dtype)

        def one(v):
            return jax.jvp(lambda x: outputs(x, *rest), (Pw,), (v,), has_aux=True)

        out, dout, status = jax.vmap(one, out_axes=(None, 0, None))(basis)
        return out, jnp.transpose(dout, (3, 1, 2, 0)), status  # (B, K, n_out, m)

    def reverse(Pw, *rest):
        out, pullback, status = jax.vjp(lambda x: outputs(x, *rest), Pw, has_aux=True)
        K, n_out, B = out.shape

        def one(i):
            ct = jnp.zeros((K * n_out, B), out.dtype).at[i].set(1.0)
            return pullback(ct.reshape(K, n_out, B))[0]  # (m, B)

        # A few cotangents at a time (vmapped): 1.4x faster than one by one for 5,
        # and the memory of the backward pass stays bounded (measured, Sedaghat 2002).
        grads = jax.lax.map(one, jnp.arange(K * n_out), batch_size=_COTANGENT_BATCH)
        grads = grads.reshape(K, n_out, Pw.shape[0], B)
        return out, jnp.transpose(grads, (3, 0, 1, 2)), status

    fn = forward if mode == "forward" else reverse
    if len(devices) > 1:
        fn = _over_devices(fn, devices, trace_outside=mode == "reverse")
    return jax.jit(fn)


def _over_devices(fn: Callable, devices: tuple, trace_outside: bool) -> Callable:
    """`fn` with the patients split over `devices` (patients are independent: each
    device differentiates its own share)."""
    mesh = Mesh(np.array(devices), ("patient",))
    in_specs = tuple(
        _last(r) if i in _PATIENT_ARGS else PartitionSpec() for i, r in enumerate(_ARG_RANKS)
    )
    out_specs = (_last(3), PartitionSpec("patient"), PartitionSpec("patient"))
    if not trace_outside:
        return jax.shard_map(fn, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                             check_vma=False)  # fmt: skip
    nd = len(devices)

    def split(*args):
        # Equinox's checkpointed loop (reverse mode) refuses to be traced inside
        # shard_map: its closure conversion compares the avals it was built with
        # against shard_map's. So one device's share is traced here, outside, and the
        # finished program is evaluated on every device.
        share = [
            jax.ShapeDtypeStruct(a.shape[:-1] + (a.shape[-1] // nd,), a.dtype)
            if i in _PATIENT_ARGS
            else jax.ShapeDtypeStruct(a.shape, a.dtype)
            for i, a in enumerate(args)
        ]
        closed, shapes = jax.make_jaxpr(fn, return_shape=True)(*share)
        tree = jax.tree_util.tree_structure(shapes)

        def body(*a):
            return jax.tree_util.tree_unflatten(
                tree, jax.core.eval_jaxpr(closed.jaxpr, closed.consts, *a)
            )

        return jax.shard_map(body, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                             check_vma=False)(*args)  # fmt: skip

    return split


def _resolve_devices(devices: Any) -> tuple:
    from ..sharding import resolve_devices

    return tuple(resolve_devices("local" if devices is None else devices))


def _default_chunk(mode: str, n: int, K: int, n_state: int, n_out: int, m: int, nd: int) -> int:
    per_patient = 8 * K * (n_state + n_out) * (m + 1)
    if mode == "reverse":
        # checkpoints of the loop state (~4 state vectors) and the cotangents in flight
        batch = min(K * n_out, _COTANGENT_BATCH)
        per_patient = 8 * (REVERSE_CHECKPOINTS * n_state * 4 + K * n_out * m
                           + batch * (K + 8) * n_state)  # fmt: skip
    chunk = max(1, min(n, _CHUNK_BYTES // max(per_patient, 1), _MAX_CHUNK[mode] * nd))
    return -(-chunk // nd) * nd


def local(
    model: Model,
    t: Sequence[float] | np.ndarray,
    params: Mapping[str, Any] | None = None,
    wrt: Sequence[str] | str | None = None,
    outputs: Sequence[str] | str | None = None,
    normalized: bool = False,
    mode: str | None = None,
    protocol: Protocol | str | None = None,
    *,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    initial: Mapping[str, Any] | None = None,
    max_steps: int | None = None,
    chunk_size: int | None = None,
    devices: Sequence[Any] | int | str | None = None,
    progress: bool | Callable[[int, int], None] = False,
) -> xr.DataArray:
    """Local sensitivities d output / d parameter of every patient of a batch.

    The derivative is taken through the ODE solve by automatic differentiation (no
    finite differences), including initial states that depend on parameters,
    pre-equilibration and the protocol's doses.

    Mode (``mode=None`` or ``"auto"``): forward mode costs one tangent per parameter in
    `wrt`, reverse mode one cotangent per output value (``len(outputs) * len(t)``); a
    cotangent costs about `REVERSE_COST_RATIO` (6) tangents here, so the default is
    ``"forward"`` when ``len(wrt) <= 6 * len(outputs) * len(t)`` and ``"reverse"``
    otherwise, e.g. for a single scalar output and many parameters (see
    `choose_mode`). Both differentiate the batch-native engine (Rodas5P):
    ``"forward"`` with `jax.jvp`/`jax.vmap`, ``"reverse"`` with `jax.vjp` through a
    checkpointed loop (`REVERSE_CHECKPOINTS` stored iterations, the rest recomputed).
    They differentiate the same steps, so they agree to rounding.

    Args:
        model: a `pathjax.Model`.
        t: (time,) strictly increasing output times in ``model.time_unit``.
        params: parameter name -> scalar or (patient,) array, as in `pathjax.simulate`.
        wrt: parameter names to differentiate with respect to (None: every parameter).
        outputs: state and observable names (None: every state and observable).
        normalized: give log-sensitivities ``d ln y / d ln p = (p / y) dy/dp``
            (dimensionless; NaN where the output is exactly zero).
        mode: ``"forward"``, ``"reverse"``, or None/``"auto"`` (see above).
        protocol: None (the model's default scenario), a protocol name or a `Protocol`.
        rtol, atol: solver tolerances. Sensitivities are as accurate as the solution, so
            the defaults are tighter than `pathjax.simulate`'s.
        initial: state name -> scalar or (patient,) array overriding initial states
            (such a state's initial value then does not depend on parameters).
        max_steps: steps allowed per patient (default: the engine's).
        chunk_size: patients per compiled call (default: from the memory of the
            tangents).
        devices: split patients over these devices (see `pathjax.simulate`).
        progress: show a progress bar over patients (or call ``f(done, total)``).

    Returns:
        `xarray.DataArray` ``sensitivity`` with dims ``(patient, time, output,
        parameter)``, unit ``output unit / parameter unit`` (or 1 when normalized) and
        coordinates ``value`` (patient, time, output: the outputs themselves),
        ``parameter_value`` (patient, parameter), ``status`` (patient; non-zero: the
        solve failed and that patient's sensitivities are NaN), ``output_unit`` and
        ``parameter_unit``.

    Raises:
        ValueError: (`pathjax.InputError`) unknown parameter or output names, a bad mode
            or tolerance, a model with state events (event times are not
            differentiated), and everything
            `pathjax.simulate` rejects; before anything is compiled.

    Examples:
        >>> import numpy as np, pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> s = pathjax.sensitivity.local(m, [5.0, 10.0], params={"k_IRS1_phos": [4.16, 3.0]},
        ...     wrt=["k_IRS1_phos", "k_GLUT4_endo"], outputs=["IRS1_pY"], normalized=True)
        >>> s.dims, s.shape
        (('patient', 'time', 'output', 'parameter'), (2, 2, 1, 2))
        >>> bool(abs(s.sel(parameter="k_GLUT4_endo")).max() < 1e-6)  # acts downstream only
        True
    """
    if not isinstance(model, Model):
        raise InputError(f"model must be a pathjax.Model, got {type(model).__name__}")
    rtol = _check_tol("rtol", rtol)
    atol = _check_tol("atol", atol)
    if not isinstance(normalized, (bool, np.bool_)):
        raise InputError(f"normalized must be True or False, got {normalized!r}")
    wrt_names = check_parameter_names(model, wrt, "wrt")
    out_names = check_output_names(model, outputs, "outputs")
    if max_steps is not None and (int(max_steps) != max_steps or max_steps < 1):
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    if chunk_size is not None and (int(chunk_size) != chunk_size or chunk_size < 1):
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    batch = prepare(model, t, params, protocol, initial=initial)
    K = batch.t.shape[0]
    mode = _check_mode(mode, model, len(wrt_names), len(out_names), K)
    devs = _resolve_devices(devices)
    steps = int(max_steps) if max_steps is not None else DEFAULT_MAX_STEPS

    sidx = model._state_index
    obs_names = model.observable_names
    state_idx = tuple(sidx[o] for o in out_names if o in sidx)
    obs_idx = tuple(obs_names.index(o) for o in out_names if o not in sidx)
    # outputs come out as [states..., observables...]; `order` restores the caller's
    stacked = [o for o in out_names if o in sidx] + [o for o in out_names if o not in sidx]
    order = tuple(stacked.index(o) for o in out_names)
    w_idx = tuple(model._param_index[p] for p in wrt_names)
    preeq = bool(batch.protocol.preequilibrate)
    fn = _chunk_fn(model, mode, w_idx, state_idx, obs_idx, order, preeq, steps, devs)

    n, n_st, m, n_out = batch.n, len(model.state_specs), len(wrt_names), len(out_names)
    nd = len(devs)
    chunk = chunk_size or _default_chunk(mode, n, K, n_st, n_out, m, nd)
    chunk = -(-int(chunk) // nd) * nd
    fixed_rows = np.zeros((n_st, 1), bool)
    y0_fixed = np.zeros((n_st, n))
    for i, v in batch.y0_override.items():
        fixed_rows[i] = True
        y0_fixed[i] = v
    U_out_all = inputs_at_outputs(batch)
    base = np.array([i.default for i in model.input_specs], dtype=np.float64)
    T = float(batch.protocol.preequilibrate or 0.0)
    f64 = jnp.float64

    sens = np.empty((n, K, n_out, m))
    values = np.empty((n, K, n_out))
    status = np.empty((n,), np.int32)
    bar = _progress(progress, n)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        sl = slice(start, stop)
        size = chunk if n > chunk else -(-(stop - start) // nd) * nd
        P = _pad(batch.P[:, sl], size)
        cp = _slice_protocol(batch.compiled, sl, size)
        args = (
            P[np.asarray(w_idx)],
            P,
            _pad(y0_fixed[:, sl], size),
            np.broadcast_to(fixed_rows, (n_st, size)),
            batch.t,
            batch.t0,
            cp.stops,
            cp.inputs,
            cp.doses,
            cp.resets,
            cp.initial_doses,
            cp.initial_resets,
            _pad(U_out_all[..., sl], size),
            np.broadcast_to(base[None, :, None], (1, len(base), size)),
            T,
            rtol,
            atol,
        )
        args = tuple(
            jnp.asarray(a) if np.asarray(a).dtype == bool else jnp.asarray(a, f64) for a in args
        )
        out, ds, st = fn(*args)
        k = stop - start
        values[sl] = np.moveaxis(np.asarray(out)[..., :k], -1, 0)
        sens[sl] = np.asarray(ds)[:k]
        status[sl] = np.asarray(st)[:k]
        bar(stop)
    bar(None)
    failed = status != 0
    sens[failed] = np.nan
    values[failed] = np.nan
    pvals = batch.P[np.asarray(w_idx)].T  # (patient, parameter)
    if normalized:
        zero = [n for j, n in enumerate(wrt_names) if np.any(pvals[:, j] == 0)]
        if zero:
            import warnings

            warnings.warn(
                f"normalised sensitivities to parameters whose value is 0 are 0 "
                f"(p / y * dy/dp with p = 0): {', '.join(zero)}; use normalized=False "
                "for their absolute sensitivity",
                UserWarning,
                stacklevel=2,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            sens = sens * pvals[:, None, None, :] / values[..., None]
        sens[np.broadcast_to((values == 0)[..., None], sens.shape)] = np.nan
    return _assemble(model, batch.t, out_names, wrt_names, sens, values, pvals, status,
                     normalized, mode, rtol, atol, batch.protocol.describe())  # fmt: skip


def _progress(progress: Any, total: int) -> Callable[[int | None], None]:
    if callable(progress):
        return lambda done: progress(total if done is None else done, total)
    if not progress:
        return lambda done: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("[bold]sensitivity"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("patients"))  # fmt: skip
    task = bar.add_task("sensitivity", total=total)
    bar.start()

    def update(done: int | None) -> None:
        if done is None:
            bar.stop()
        else:
            bar.update(task, completed=done)

    return update


def _assemble(model, t, out_names, wrt_names, sens, values, pvals, status, normalized, mode,
              rtol, atol, protocol) -> xr.DataArray:  # fmt: skip
    units = model.units
    out_units = [units[o] for o in out_names]
    par_units = [units[p] for p in wrt_names]
    da = xr.DataArray(
        sens,
        dims=("patient", "time", "output", "parameter"),
        coords={
            "patient": np.arange(sens.shape[0]),
            "time": np.asarray(t),
            "output": list(out_names),
            "parameter": list(wrt_names),
            "value": (("patient", "time", "output"), values),
            "parameter_value": (("patient", "parameter"), pvals),
            "status": (("patient",), status),
            "output_unit": (("output",), out_units),
            "parameter_unit": (("parameter",), par_units),
        },
        name="sensitivity",
        attrs={
            "long_name": "d ln output / d ln parameter" if normalized else "d output / d parameter",
            "units": "1" if normalized else "output_unit / parameter_unit",
            "normalized": int(bool(normalized)),
            "mode": mode,
            "model": model.name,
            "protocol": protocol,
            "rtol": rtol,
            "atol": atol,
            "n_failed": int((status != 0).sum()),
        },
    )
    da["time"].attrs["units"] = model.time_unit
    return da
