"""What the global analyses share: a function of the sample, its outputs, the result.

Samples and estimators of `sobol` and `morris` are SALib's; pathjax only evaluates the
model on the sample, as one batch of virtual patients. The estimator path takes any
function of the sample (``{parameter name: (sample,) array} -> (sample,) or (sample,
time) outputs``): the model path is such a function (`model_evaluator`), and
`sobol_function` / `morris_function` hand a plain one (e.g. the Ishigami function) to
exactly the same code (`estimate`). DGSM (`_dgsm`) computes its measures from exact
autodiff gradients instead, and shares only the outputs and the result Dataset.
"""

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._errors import InputError
from ..model import Model
from ..protocol import Protocol
from ..simulate import check_times, prepare, simulate
from ._common import (
    check_bounds,
    check_fraction,
    check_output_names,
    check_positive_int,
    check_seed,
    scalar_params,
)

__all__ = [
    "Evaluate",
    "Layout",
    "Outputs",
    "PER_PARAMETER",
    "Samples",
    "analysis_seed",
    "check_common",
    "check_function",
    "columns",
    "estimate",
    "half_width",
    "model_evaluator",
    "model_setup",
    "problem",
    "result",
]

Samples = dict[str, np.ndarray]
Evaluate = Callable[[Samples], Any]
# variable name -> (its dimensions after the output's own, its long_name)
Layout = dict[str, tuple[tuple[str, ...], str]]
PER_PARAMETER = ("parameter",)


def half_width(conf_level: float, of: str) -> str:
    """The long_name of the bootstrap confidence half-width of variable `of`."""
    return f"{conf_level:.0%} confidence half-width of {of} (bootstrap)"


def problem(names: list[str], pairs: list[tuple[float, float]]) -> dict:
    """SALib's description of the parameter box."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(p) for p in pairs]}


def analysis_seed(seed: int) -> int:
    """The bootstrap's seed, derived from the caller's.

    SALib's Sobol analysis treats a seed of 0 as "no seed" (global NumPy state), so
    the bootstrap gets its own positive seed.
    """
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1


def columns(names: Sequence[str], X: np.ndarray) -> Samples:
    """The (sample, D) matrix as one contiguous (sample,) array per parameter."""
    return {name: np.ascontiguousarray(X[:, j]) for j, name in enumerate(names)}


class Outputs:
    """Model outputs on the sample as a (sample, L) matrix and the name and coordinate
    of the second dimension (None for a scalar output)."""

    def __init__(self, y: Any, n: int, t: np.ndarray | None = None):
        self.dim: str | None = None
        self.coord: np.ndarray | None = None
        self.attrs: dict[str, Any] = {}
        if isinstance(y, xr.DataArray):
            if y.ndim not in (1, 2):
                raise InputError(
                    f"the output must have one or two dimensions (sample first), got {y.dims}"
                )
            first = "patient" if "patient" in y.dims else y.dims[0]
            y = y.transpose(first, ...)
            if y.ndim == 2:
                self.dim = str(y.dims[1])
                self.coord = np.asarray(y[self.dim].values) if self.dim in y.coords else None
            self.attrs = {k: v for k, v in y.attrs.items() if k in ("units", "long_name")}
            arr = np.asarray(y.values, dtype=np.float64)
        else:
            arr = np.asarray(y, dtype=np.float64)
            if arr.ndim == 2:
                is_time = t is not None and arr.shape[1] == t.shape[0]
                self.dim = "time" if is_time else "index"
                self.coord = t if is_time else None
        if arr.ndim == 0 or arr.shape[0] != n or arr.ndim > 2:
            raise InputError(
                f"the output must have shape (sample,) or (sample, L) with {n} samples, "
                f"got shape {arr.shape}"
            )
        self.Y = arr.reshape(n, -1)
        if self.coord is None and self.dim is not None:
            self.coord = np.arange(self.Y.shape[1])

    def dims(self, *rest: str) -> tuple[str, ...]:
        return ((self.dim,) if self.dim else ()) + rest

    def squeeze(self, a: np.ndarray) -> np.ndarray:
        """`a` (L, ...) without its first axis for a scalar output."""
        return a if self.dim else a[0]


def result(
    out: Outputs,
    names: list[str],
    pairs: list[tuple[float, float]],
    values: Mapping[str, np.ndarray],
    layout: Layout,
    attrs: dict[str, Any],
) -> xr.Dataset:
    """The Dataset of an analysis: `values` (L, D[, D]) laid out as `layout` says, the
    bounds as ``lower``/``upper`` coordinates."""
    coords: dict[str, Any] = {
        "parameter": list(names),
        "lower": (("parameter",), np.array([p[0] for p in pairs])),
        "upper": (("parameter",), np.array([p[1] for p in pairs])),
    }
    if out.dim:
        coords[out.dim] = out.coord
    data = {
        k: (out.dims(*dims), out.squeeze(values[k]), {"long_name": desc})
        for k, (dims, desc) in layout.items()
    }
    ds = xr.Dataset(data, coords=coords)
    if "parameter_2" in ds.dims:
        ds = ds.assign_coords(parameter_2=list(names))
    ds.attrs.update(attrs)
    if out.attrs.get("units"):
        ds.attrs["output_units"] = out.attrs["units"]
    return ds


def _per_column(Y: np.ndarray, analyze: Callable, shapes: dict[str, tuple], constant: float):
    """Run `analyze` on every output column; NaN where the column has NaN/inf, and
    `constant` where it does not vary."""
    L = Y.shape[1]
    res = {k: np.full((L,) + shape, np.nan) for k, shape in shapes.items()}
    for k in range(L):
        y = Y[:, k]
        if not np.all(np.isfinite(y)):
            continue
        if np.ptp(y) == 0.0:
            for key in shapes:
                res[key][k] = constant
            continue
        r = analyze(np.ascontiguousarray(y))
        for key in shapes:
            res[key][k] = np.asarray(r[key], dtype=np.float64)
    return res


def estimate(
    evaluate: Evaluate,
    names: list[str],
    pairs: list[tuple[float, float]],
    X: np.ndarray,
    t: np.ndarray | None,
    analyze: Callable[[np.ndarray], Mapping[str, Any]],
    layout: Layout,
    constant: float,
    attrs: dict[str, Any],
) -> xr.Dataset:
    """Evaluate the sample `X` and run a SALib estimator on every output column.

    Args:
        evaluate: the function of the sample; it may return ``(outputs, n_failed)``.
        names, pairs: the parameters and their bounds (the columns of `X`).
        X: (sample, D) sample.
        t: output times, to recognise a (sample, time) array output; None for a plain
            function.
        analyze: SALib's analysis of one (sample,) output column.
        layout: the variables of the result, with the parameter dimensions of each.
        constant: every variable's value for an output that does not vary.
        attrs: the method's attributes; ``n_failed`` is added.

    Returns:
        The `result` Dataset.
    """
    raw = evaluate(columns(names, X))
    n_failed = 0
    if isinstance(raw, tuple):
        raw, n_failed = raw
    out = Outputs(raw, X.shape[0], t)
    bad = ~np.all(np.isfinite(out.Y), axis=1)
    n_failed = max(int(bad.sum()), n_failed)
    if n_failed:
        warnings.warn(
            f"{n_failed} of {X.shape[0]} model evaluations failed or gave NaN/inf; the "
            "indices of the affected outputs are NaN",
            RuntimeWarning,
            stacklevel=3,  # the public function (sobol, morris, ...) that was called
        )
    D = len(names)
    shapes = {k: (D,) * len(dims) for k, (dims, _) in layout.items()}
    values = _per_column(out.Y, analyze, shapes, constant)
    return result(out, names, pairs, values, layout, dict(attrs, n_failed=n_failed))


def check_common(n: Any, seed: Any, num_resamples: Any, conf_level: Any, minimum: int):
    """`n`, `seed`, `num_resamples` and `conf_level` checked, in that order."""
    n = check_positive_int(n, "n", minimum)
    seed = check_seed(seed)
    num_resamples = check_positive_int(num_resamples, "num_resamples", 2)
    conf_level = check_fraction(conf_level, "conf_level")
    return n, seed, num_resamples, conf_level


def check_function(fn: Any) -> dict[str, Any]:
    """The result attributes of a plain function of the sample, once it is one."""
    if not callable(fn):
        raise InputError(f"fn must be a function of the sample, got {fn!r}")
    return {"output": getattr(fn, "__name__", "function")}


def _check_output(model: Model, output: Any) -> str | Callable:
    if callable(output) and not isinstance(output, str):
        return output
    if not isinstance(output, str):
        raise InputError(
            "output must be a state or observable name or a function of the result "
            f"Dataset, got {output!r}"
        )
    check_output_names(model, [output], "output")
    return output


def model_setup(model, t, bounds, output, params, protocol):
    """Validate a model analysis before anything is sampled or compiled."""
    if not isinstance(model, Model):
        raise InputError(f"model must be a pathjax.Model, got {type(model).__name__}")
    t = check_times(t)
    names, pairs = check_bounds(model, bounds)
    fixed = scalar_params(model, params, names)
    output = _check_output(model, output)
    prepare(model, t, fixed, protocol)  # names, values and the protocol, one patient
    return t, names, pairs, fixed, output


def model_evaluator(
    model: Model,
    t: np.ndarray,
    output: str | Callable,
    fixed: dict[str, float],
    protocol: Protocol | str | None,
    rtol: float,
    atol: float,
    solver: str | None,
    chunk_size: int | None,
    devices: Any,
    progress: bool,
) -> tuple[Evaluate, dict[str, Any]]:
    """The model as a function of the sample (one pathjax batch, one patient per row),
    and the result attributes that describe it; the settings are `simulate`'s."""
    options = dict(rtol=rtol, atol=atol, solver=solver, chunk_size=chunk_size, devices=devices,
                   progress=progress)  # fmt: skip

    def evaluate(cols: Samples):
        params = dict(fixed)
        params.update(cols)
        ds = simulate(model, t, params, protocol, **options)
        y = ds[output] if isinstance(output, str) else output(ds)
        n_failed = int((ds["status"].values != 0).sum())
        if isinstance(y, xr.DataArray) and "patient" not in y.dims:
            raise InputError(
                f"the output function must keep the 'patient' dimension, got dims {y.dims}"
            )
        return y, n_failed

    label = output if isinstance(output, str) else getattr(output, "__name__", "function")
    return evaluate, {"model": model.name, "output": label, "rtol": rtol, "atol": atol}
