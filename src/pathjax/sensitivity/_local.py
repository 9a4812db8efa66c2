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

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import driver
from .._errors import InputError
from ..model import Model
from ..protocol import Protocol
from ..simulate import DEFAULT_MAX_STEPS, check_tolerance, prepare
from ._common import check_output_names, check_parameter_names

__all__ = ["choose_mode", "local"]

_MODES = ("forward", "reverse")


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
    rtol = check_tolerance("rtol", rtol)
    atol = check_tolerance("atol", atol)
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
    devs = tuple(driver.resolve_devices("local" if devices is None else devices))
    steps = int(max_steps) if max_steps is not None else DEFAULT_MAX_STEPS

    sidx = model._state_index
    obs_names = model.observable_names
    # outputs come out as [states..., observables...]; `order` restores the caller's
    stacked = [o for o in out_names if o in sidx] + [o for o in out_names if o not in sidx]
    kernel = driver.Sensitivities(
        mode=mode,
        wrt=tuple(model._param_index[p] for p in wrt_names),
        states=tuple(sidx[o] for o in out_names if o in sidx),
        observables=tuple(obs_names.index(o) for o in out_names if o not in sidx),
        order=tuple(stacked.index(o) for o in out_names),
    )
    solved = driver.run(
        batch.problem(rtol, atol),
        kernel,
        options=driver.Options("rodas5p", steps),
        devices=devs,
        chunk_size=chunk_size,
        progress=progress,
        label="sensitivity",
    )
    values = solved["values"]  # (patient, time, output)
    sens = solved["sens"]  # (patient, time, output, parameter)
    status = solved["status"]
    failed = status != 0
    sens[failed] = np.nan
    values[failed] = np.nan
    pvals = batch.P[np.asarray(kernel.wrt)].T  # (patient, parameter)
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
