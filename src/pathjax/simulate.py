"""`simulate`: validate, hand the batch to the driver, assemble an `xarray.Dataset`.

Everything the user passes is checked here (`prepare`), before anything is traced or
compiled; the validated `Batch` becomes the driver's `pathjax.driver.Problem`, which
`pathjax.driver.run` solves chunk by chunk (one compiled program per model, method and
shapes, reused for every chunk and every later call), and `to_dataset` turns the
arrays it returns into the result.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from . import driver
from ._errors import STATUS_DOC, InputError, Status, unknown_name
from ._memory import MEMORY_FRACTION, available_memory, check_memory, estimate_memory
from .model import Model
from .protocol import CompiledProtocol, Protocol, as_protocol
from .solvers import TABLEAUX
from .solvers._ensemble import DEFAULT_MAX_STEPS
from .summaries import model_bounds, within_bounds

__all__ = [
    "MEMORY_FRACTION",
    "Batch",
    "available_memory",
    "check_memory",
    "estimate_memory",
    "prepare",
    "simulate",
]

_RESERVED = ("status", "params", "n_steps", "patient", "time", "parameter")


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

    def problem(self, rtol: float, atol: float) -> driver.Problem:
        """The batch as the driver's `Problem` (NumPy leaves): initial states not set
        by the caller are NaN, i.e. computed from each patient's parameters."""
        model, n = self.model, self.n
        y0 = np.full((len(model.state_specs), n), np.nan)
        for i, v in self.y0_override.items():
            y0[i] = v
        baseline = np.array([spec.default for spec in model.input_specs], dtype=np.float64)
        cp = self.compiled
        T = self.protocol.preequilibrate
        return driver.Problem(
            model=model, ts=self.t, t0=np.asarray(self.t0), y0=y0, P=self.P,
            stops=cp.stops, U=cp.inputs, D=cp.doses, R=cp.resets, D0=cp.initial_doses,
            R0=cp.initial_resets, U_pre=np.broadcast_to(baseline[:, None], (len(baseline), n)),
            T_pre=np.asarray(float(T or 0.0)), rtol=np.asarray(rtol),
            atol=np.asarray(atol), preequilibrate=bool(T), steady_state=T == math.inf,
        )  # fmt: skip


def _check_model(model: Any) -> Model:
    from . import models

    model = models.resolve(model)  # an unknown name: InputError listing the models
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


def check_solver(solver: Any) -> Any:
    """A solver name (lower case), a Diffrax solver instance, or "rodas5p" for None."""
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


def check_tolerance(name: str, v: Any) -> float:
    """A tolerance as a positive finite float."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a positive number, got {v!r}") from None
    if not (math.isfinite(f) and f > 0):
        raise InputError(f"{name} must be a positive finite number, got {v!r}")
    return f


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
    obs = solved["obs"]  # computed per chunk by the driver (NaN for failed patients)
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
    bounds = model_bounds(model)
    if bounds:
        ds["plausible"] = (
            ("patient",),
            within_bounds(ds, bounds).astype(np.int8),
            {"long_name": "1: solved and inside the model's physiological bounds; 0: not "
             "(the status still says whether the solve succeeded)"},
        )  # fmt: skip
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
        success, see `pathjax.Status`; failed patients are NaN), ``params``
        (patient, parameter) and, for a model that declares physiological bounds
        (`pathjax.model.Companions.plausibility`), ``plausible`` (patient; 1 inside
        them, 0 outside or failed).

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
    rtol = check_tolerance("rtol", rtol)
    atol = check_tolerance("atol", atol)
    method = check_solver(solver)
    if chunk_size is not None and (int(chunk_size) != chunk_size or chunk_size < 1):
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    if int(max_steps) != max_steps or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    batch = prepare(model, t, params, protocol, initial=initial, memory_check=True)
    solved = driver.run(
        batch.problem(rtol, atol),
        options=driver.Options(method, int(max_steps)),
        devices=tuple(driver.resolve_devices("local" if devices is None else devices)),
        chunk_size=chunk_size,
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


__all__ += ["Status", "check_solver", "check_times", "check_tolerance", "to_dataset"]
