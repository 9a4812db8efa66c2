"""Global sensitivity: Sobol indices, Morris elementary effects, DGSM.

Samples and estimators of `sobol` and `morris` are SALib's; pathjax only evaluates the
model on the sample, as one batch of virtual patients. The estimator path takes any
function of the sample (``{parameter name: (sample,) array} -> (sample,) or (sample,
time) outputs``): the model path is such a function, and `sobol_function` /
`morris_function` hand a plain one (e.g. the Ishigami function) to exactly the same
code. DGSM is computed here from exact autodiff gradients, not from SALib's finite
differences.
"""

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr
from scipy.stats import norm

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

__all__ = ["dgsm", "dgsm_function", "morris", "morris_function", "sobol", "sobol_function"]

Samples = dict[str, np.ndarray]
Evaluate = Callable[[Samples], Any]


# ---- shared machinery -----------------------------------------------------------------
def _problem(names: list[str], pairs: list[tuple[float, float]]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(p) for p in pairs]}


def _analysis_seed(seed: int) -> int:
    # SALib's Sobol analysis treats a seed of 0 as "no seed" (global NumPy state), so
    # the bootstrap gets its own positive seed derived from the caller's.
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) | 1


def _columns(names: Sequence[str], X: np.ndarray) -> Samples:
    return {name: np.ascontiguousarray(X[:, j]) for j, name in enumerate(names)}


class _Outputs:
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


def _dims(out: _Outputs, *rest: str) -> tuple[str, ...]:
    return ((out.dim,) if out.dim else ()) + rest


def _squeeze(out: _Outputs, a: np.ndarray) -> np.ndarray:
    return a if out.dim else a[0]


def _result(
    out: _Outputs,
    names: list[str],
    pairs: list[tuple[float, float]],
    variables: dict[str, tuple[tuple[str, ...], np.ndarray, str]],
    attrs: dict[str, Any],
) -> xr.Dataset:
    coords: dict[str, Any] = {
        "parameter": list(names),
        "lower": (("parameter",), np.array([p[0] for p in pairs])),
        "upper": (("parameter",), np.array([p[1] for p in pairs])),
    }
    if out.dim:
        coords[out.dim] = out.coord
    data = {
        k: (dims, _squeeze(out, v), {"long_name": desc}) for k, (dims, v, desc) in variables.items()
    }
    ds = xr.Dataset(data, coords=coords)
    if "parameter_2" in ds.dims:
        ds = ds.assign_coords(parameter_2=list(names))
    ds.attrs.update(attrs)
    if out.attrs.get("units"):
        ds.attrs["output_units"] = out.attrs["units"]
    return ds


def _evaluate(evaluate: Evaluate, names: list[str], X: np.ndarray, t) -> tuple[_Outputs, int]:
    raw = evaluate(_columns(names, X))
    n_failed = 0
    if isinstance(raw, tuple):
        raw, n_failed = raw
    out = _Outputs(raw, X.shape[0], t)
    bad = ~np.all(np.isfinite(out.Y), axis=1)
    if bad.any() or n_failed:
        warnings.warn(
            f"{max(int(bad.sum()), n_failed)} of {X.shape[0]} model evaluations failed or "
            "gave NaN/inf; the indices of the affected outputs are NaN",
            RuntimeWarning,
            stacklevel=3,
        )
    return out, max(int(bad.sum()), n_failed)


def _per_column(Y: np.ndarray, analyze: Callable, keys: Sequence[str], shapes: dict, constant):
    """Run `analyze` on every output column; NaN where the column has NaN/inf, and
    `constant(key)` where it does not vary."""
    L = Y.shape[1]
    res = {k: np.full((L,) + shapes[k], np.nan) for k in keys}
    for k in range(L):
        y = Y[:, k]
        if not np.all(np.isfinite(y)):
            continue
        if np.ptp(y) == 0.0:
            for key in keys:
                res[key][k] = constant(key)
            continue
        r = analyze(np.ascontiguousarray(y))
        for key in keys:
            res[key][k] = np.asarray(r[key], dtype=np.float64)
    return res


def _check_common(n: Any, seed: Any, num_resamples: Any, conf_level: Any, minimum: int):
    n = check_positive_int(n, "n", minimum)
    seed = check_seed(seed)
    num_resamples = check_positive_int(num_resamples, "num_resamples", 2)
    conf_level = check_fraction(conf_level, "conf_level")
    return n, seed, num_resamples, conf_level


def _check_sobol_n(n: Any) -> int:
    n = check_positive_int(n, "n", 8)
    if n & (n - 1):
        raise InputError(
            f"n must be a power of two for SALib's Sobol sequence (e.g. {1 << n.bit_length()}), "
            f"got {n}"
        )
    return n


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


def _model_evaluator(
    model: Model,
    t: np.ndarray,
    output: str | Callable,
    fixed: dict[str, float],
    protocol: Protocol | str | None,
    options: dict[str, Any],
) -> Evaluate:
    """The model as a function of the sample: one pathjax batch, one patient per row."""

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

    return evaluate


def _model_setup(model, t, bounds, output, params, protocol):
    """Validate a model analysis before anything is sampled or compiled."""
    if not isinstance(model, Model):
        raise InputError(f"model must be a pathjax.Model, got {type(model).__name__}")
    t = check_times(t)
    names, pairs = check_bounds(model, bounds)
    fixed = scalar_params(model, params, names)
    output = _check_output(model, output)
    prepare(model, t, fixed, protocol)  # names, values and the protocol, one patient
    return t, names, pairs, fixed, output


def _output_label(output: str | Callable) -> str:
    return output if isinstance(output, str) else getattr(output, "__name__", "function")


# ---- Sobol --------------------------------------------------------------------------------
def _sobol(
    evaluate: Evaluate,
    names: list[str],
    pairs: list[tuple[float, float]],
    n: int,
    seed: int,
    calc_second_order: bool,
    num_resamples: int,
    conf_level: float,
    t: np.ndarray | None,
    attrs: dict[str, Any],
) -> xr.Dataset:
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    problem = _problem(names, pairs)
    X = sobol_sample.sample(problem, n, calc_second_order=calc_second_order, seed=seed)
    out, n_failed = _evaluate(evaluate, names, X, t)
    D = len(names)
    keys = ["S1", "S1_conf", "ST", "ST_conf"] + (["S2", "S2_conf"] if calc_second_order else [])
    shapes = {k: (D, D) if k.startswith("S2") else (D,) for k in keys}
    a_seed = _analysis_seed(seed)

    def analyze(y):
        return sobol_analyze.analyze(
            problem, y, calc_second_order=calc_second_order, num_resamples=num_resamples,
            conf_level=conf_level, seed=a_seed,
        )  # fmt: skip

    # An output that does not vary over the sample has no variance to apportion.
    res = _per_column(out.Y, analyze, keys, shapes, constant=lambda key: np.nan)
    desc = {
        "S1": "first-order Sobol index",
        "S1_conf": f"{conf_level:.0%} confidence half-width of S1 (bootstrap)",
        "ST": "total-order Sobol index",
        "ST_conf": f"{conf_level:.0%} confidence half-width of ST (bootstrap)",
        "S2": "second-order Sobol index (upper triangle)",
        "S2_conf": f"{conf_level:.0%} confidence half-width of S2 (bootstrap)",
    }
    variables = {
        k: (
            _dims(out, "parameter", "parameter_2")
            if k.startswith("S2")
            else _dims(out, "parameter"),
            res[k],
            desc[k],
        )
        for k in keys
    }
    attrs = dict(attrs)
    attrs.update(
        method="sobol",
        estimator="Saltelli et al. (2010) / Sobol (2001) via SALib",
        n=n,
        n_evaluations=int(X.shape[0]),
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
        n_failed=n_failed,
    )
    return _result(out, names, pairs, variables, attrs)


def sobol_function(
    fn: Callable[[Samples], Any],
    bounds: Mapping[str, tuple[float, float]],
    n: int,
    seed: int = 0,
    *,
    calc_second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> xr.Dataset:
    """Sobol indices of a plain function, through the estimator path of `sobol`.

    Args:
        fn: ``fn({name: (sample,) array}) -> (sample,) or (sample, L)`` outputs (a NumPy
            array, or an `xarray.DataArray` whose first dimension is the sample).
        bounds: name -> (lower, upper); inputs are uniform on these ranges.
        n: base sample size, a power of two >= 8; the function is evaluated on
            ``n * (D + 2)`` rows (``n * (2 D + 2)`` with `calc_second_order`).
        seed: seed of the scrambled Sobol sequence and of the bootstrap.
        calc_second_order: also give ``S2`` and ``S2_conf``.
        num_resamples: bootstrap resamples for the confidence intervals.
        conf_level: confidence level of the ``*_conf`` half-widths.

    Returns:
        `xarray.Dataset` with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` over
        ``parameter`` (and the output's second dimension); NaN where the output does not
        vary over the sample or is not finite.

    Raises:
        ValueError: (`pathjax.InputError`) bad bounds, `n`, `seed` or levels.

    Examples:
        >>> import numpy as np
        >>> from pathjax.sensitivity import sobol_function
        >>> r = sobol_function(lambda x: x["a"] + 0.1 * x["b"], {"a": (0, 1), "b": (0, 1)}, 256)
        >>> bool(r.ST.sel(parameter="a") > 0.9)
        True
    """
    names, pairs = check_bounds(None, bounds)
    n = _check_sobol_n(n)
    _, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 8)
    if not callable(fn):
        raise InputError(f"fn must be a function of the sample, got {fn!r}")
    attrs = {"output": getattr(fn, "__name__", "function")}
    return _sobol(fn, names, pairs, n, seed, bool(calc_second_order), num_resamples,
                  conf_level, None, attrs)  # fmt: skip


def sobol(
    model: Model,
    t: Sequence[float] | np.ndarray,
    bounds: Mapping[str, tuple[float, float]],
    output: str | Callable[[xr.Dataset], Any],
    n: int,
    seed: int = 0,
    *,
    params: Mapping[str, float] | None = None,
    protocol: Protocol | str | None = None,
    calc_second_order: bool = False,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solver: str | None = None,
    chunk_size: int | None = None,
    devices: Sequence[Any] | int | str | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """Sobol first- and total-order indices of a model output over a parameter box.

    SALib draws the sample (scrambled Sobol sequence with Saltelli's cross-sampling) and
    estimates the indices (Saltelli et al. 2010 estimators, bootstrap confidence
    intervals); pathjax evaluates the model on the whole sample as one batch of
    ``n * (D + 2)`` virtual patients.

    Args:
        model: a `pathjax.Model`.
        t: (time,) output times in ``model.time_unit``.
        bounds: parameter name -> (lower, upper); each is uniform on its range, which
            must lie inside the parameter's admissible range.
        output: a state or observable name (indices per time point), or a function of
            the result `xarray.Dataset` returning a DataArray with a ``patient``
            dimension (and at most one more), e.g. an AUC
            ``lambda ds: ds["GLUT4_surface"].integrate("time")``.
        n: base sample size, a power of two >= 8.
        seed: seed of the sample and of the bootstrap.
        params: scalar values of parameters that are not varied (others: defaults).
        protocol: None (the model's default scenario), a name or a `Protocol`.
        calc_second_order: also give ``S2``/``S2_conf`` (``n * (2 D + 2)`` patients).
        num_resamples, conf_level: bootstrap of the confidence intervals.
        rtol, atol, solver, chunk_size, devices, progress: as for `pathjax.simulate`.

    Returns:
        `xarray.Dataset` with ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` over
        ``parameter`` (and ``time`` for a time-series output), the bounds as
        ``lower``/``upper`` coordinates. Where the output does not vary over the sample
        (e.g. an initial state that no parameter moves) the indices are NaN; if some
        patients fail, a `RuntimeWarning` is issued and the affected indices are NaN.

    Raises:
        ValueError: (`pathjax.InputError`) unknown names, bounds that are not
            lower < upper or leave a parameter's range, `n` not a power of two >= 8,
            bad times or protocol; before anything is compiled.

    Examples:
        >>> import pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> r = pathjax.sensitivity.sobol(m, [10.0], {"k_IRS1_phos": (2.0, 8.0),
        ...     "k_GLUT4_endo": (0.1, 0.3)}, "IRS1_pY", n=16)
        >>> bool(r.ST.sel(parameter="k_GLUT4_endo", time=10.0) < 1e-6)  # acts downstream only
        True

    References:
        Saltelli A., Annoni P., Azzini I., Campolongo F., Ratto M., Tarantola S. (2010).
        Variance based sensitivity analysis of model output. Comput Phys Commun
        181:259-270. doi:10.1016/j.cpc.2009.09.018.
    """
    t, names, pairs, fixed, output = _model_setup(model, t, bounds, output, params, protocol)
    n = _check_sobol_n(n)
    _, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 8)
    options = dict(rtol=rtol, atol=atol, solver=solver, chunk_size=chunk_size, devices=devices,
                   progress=progress)  # fmt: skip
    evaluate = _model_evaluator(model, t, output, fixed, protocol, options)
    attrs = {"model": model.name, "output": _output_label(output), "rtol": rtol, "atol": atol}
    return _sobol(evaluate, names, pairs, n, seed, bool(calc_second_order), num_resamples,
                  conf_level, t, attrs)  # fmt: skip


# ---- Morris -------------------------------------------------------------------------------
def _check_levels(num_levels: Any) -> int:
    levels = check_positive_int(num_levels, "num_levels", 2)
    if levels % 2:
        raise InputError(f"num_levels must be even (SALib's Morris design), got {levels}")
    return levels


def _morris(evaluate, names, pairs, n, seed, num_levels, num_resamples, conf_level, t, attrs):
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    problem = _problem(names, pairs)
    X = morris_sample.sample(problem, n, num_levels=num_levels, seed=seed)
    out, n_failed = _evaluate(evaluate, names, X, t)
    keys = ["mu", "mu_star", "sigma", "mu_star_conf"]
    a_seed = _analysis_seed(seed)

    def analyze(y):
        return morris_analyze.analyze(
            problem, X, y, num_resamples=num_resamples, conf_level=conf_level,
            num_levels=num_levels, seed=a_seed,
        )  # fmt: skip

    # An output that no parameter moves has zero elementary effects.
    res = _per_column(out.Y, analyze, keys, {k: (len(names),) for k in keys}, lambda key: 0.0)
    desc = {
        "mu": "mean elementary effect",
        "mu_star": "mean absolute elementary effect",
        "sigma": "standard deviation of the elementary effects",
        "mu_star_conf": f"{conf_level:.0%} confidence half-width of mu_star (bootstrap)",
    }
    variables = {k: (_dims(out, "parameter"), res[k], desc[k]) for k in keys}
    attrs = dict(attrs)
    attrs.update(
        method="morris",
        estimator="Morris (1991), Campolongo et al. (2007) via SALib",
        n_trajectories=n,
        num_levels=num_levels,
        n_evaluations=int(X.shape[0]),
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
        n_failed=n_failed,
    )
    return _result(out, names, pairs, variables, attrs)


def morris_function(
    fn: Callable[[Samples], Any],
    bounds: Mapping[str, tuple[float, float]],
    n: int,
    seed: int = 0,
    *,
    num_levels: int = 4,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> xr.Dataset:
    """Morris elementary effects of a plain function, through the path of `morris`.

    Args:
        fn: ``fn({name: (sample,) array}) -> (sample,) or (sample, L)`` outputs.
        bounds: name -> (lower, upper).
        n: number of trajectories (>= 2); ``n * (D + 1)`` evaluations.
        seed: seed of the design and of the bootstrap.
        num_levels: grid levels of the design (even).
        num_resamples, conf_level: bootstrap of ``mu_star_conf``.

    Returns:
        `xarray.Dataset` with ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` over
        ``parameter`` (and the output's second dimension).

    Raises:
        ValueError: (`pathjax.InputError`) bad bounds, `n`, `seed` or levels.

    Examples:
        >>> from pathjax.sensitivity import morris_function
        >>> r = morris_function(lambda x: 3 * x["a"] + 0 * x["b"], {"a": (0, 1), "b": (0, 1)}, 8)
        >>> [round(float(v), 6) for v in r.mu_star]
        [3.0, 0.0]
    """
    names, pairs = check_bounds(None, bounds)
    n, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 2)
    num_levels = _check_levels(num_levels)
    if not callable(fn):
        raise InputError(f"fn must be a function of the sample, got {fn!r}")
    attrs = {"output": getattr(fn, "__name__", "function")}
    return _morris(fn, names, pairs, n, seed, num_levels, num_resamples, conf_level, None, attrs)


def morris(
    model: Model,
    t: Sequence[float] | np.ndarray,
    bounds: Mapping[str, tuple[float, float]],
    output: str | Callable[[xr.Dataset], Any],
    n: int,
    seed: int = 0,
    *,
    params: Mapping[str, float] | None = None,
    protocol: Protocol | str | None = None,
    num_levels: int = 4,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solver: str | None = None,
    chunk_size: int | None = None,
    devices: Sequence[Any] | int | str | None = None,
    progress: bool = False,
) -> xr.Dataset:
    """Morris elementary-effects screening of a model output over a parameter box.

    SALib draws the trajectories and computes ``mu``, ``mu_star``, ``sigma`` and the
    bootstrap ``mu_star_conf``; pathjax evaluates all ``n * (D + 1)`` points as one
    batch of virtual patients. Arguments as `sobol`, except:

    Args:
        model, t, bounds, output, seed, params, protocol: as `sobol`.
        n: number of trajectories (>= 2).
        num_levels: grid levels of the design (even).
        num_resamples, conf_level: bootstrap of ``mu_star_conf``.
        rtol, atol, solver, chunk_size, devices, progress: as for `pathjax.simulate`.

    Returns:
        `xarray.Dataset` with ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` over
        ``parameter`` (and ``time`` for a time-series output), in output units: as in
        SALib, a step is measured on the unit hypercube, so an effect is the change of
        the output per whole range of the parameter.

    Raises:
        ValueError: (`pathjax.InputError`) as `sobol`; `n` < 2, odd `num_levels`.

    Examples:
        >>> import pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> r = pathjax.sensitivity.morris(m, [10.0], {"k_IRS1_phos": (2.0, 8.0),
        ...     "k_GLUT4_endo": (0.1, 0.3)}, "IRS1_pY", n=4)
        >>> bool(r.mu_star.sel(parameter="k_GLUT4_endo", time=10.0) < 1e-6)
        True

    References:
        Morris M.D. (1991). Factorial sampling plans for preliminary computational
        experiments. Technometrics 33:161-174. doi:10.1080/00401706.1991.10484804.
    """
    t, names, pairs, fixed, output = _model_setup(model, t, bounds, output, params, protocol)
    n, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 2)
    num_levels = _check_levels(num_levels)
    options = dict(rtol=rtol, atol=atol, solver=solver, chunk_size=chunk_size, devices=devices,
                   progress=progress)  # fmt: skip
    evaluate = _model_evaluator(model, t, output, fixed, protocol, options)
    attrs = {"model": model.name, "output": _output_label(output), "rtol": rtol, "atol": atol}
    return _morris(evaluate, names, pairs, n, seed, num_levels, num_resamples, conf_level, t,
                   attrs)  # fmt: skip


# ---- DGSM ---------------------------------------------------------------------------------
def _dgsm_measures(
    Y: np.ndarray,
    G: np.ndarray,
    pairs: list[tuple[float, float]],
    num_resamples: int,
    conf_level: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """vi = E[(df/dx_i)^2] and the Sobol-Kucherenko bound on the total index,
    ``dgsm_i = (b_i - a_i)^2 vi / (pi^2 Var f) >= ST_i``, for Y (N, L), G (N, L, D)."""
    width2 = np.array([(b - a) ** 2 for a, b in pairs])

    def measures(Yr, Gr):
        g2 = Gr**2
        vi = g2.mean(axis=0)  # (L, D)
        var = Yr.var(axis=0)  # (L,)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = vi * width2[None, :] / (math.pi**2 * var[:, None])
        bound = np.where(var[:, None] > 0, bound, np.nan)
        return vi, g2.std(axis=0), bound

    vi, vi_std, bound = measures(Y, G)
    rng = np.random.default_rng(seed)
    N = Y.shape[0]
    boot = np.empty((num_resamples,) + bound.shape)
    for r in range(num_resamples):
        idx = rng.integers(N, size=N)
        boot[r] = measures(Y[idx], G[idx])[2]
    z = norm.ppf(0.5 + conf_level / 2.0)
    conf = z * boot.std(axis=0, ddof=1)
    return {"vi": vi, "vi_std": vi_std, "dgsm": bound, "dgsm_conf": conf}


def _dgsm_dataset(out: _Outputs, G, names, pairs, num_resamples, conf_level, seed, n, attrs):
    res = _dgsm_measures(out.Y, G, pairs, num_resamples, conf_level, _analysis_seed(seed))
    desc = {
        "vi": "mean squared partial derivative E[(d output / d parameter)^2]",
        "vi_std": "standard deviation of the squared partial derivative",
        "dgsm": "upper bound on the total Sobol index, (b - a)^2 vi / (pi^2 Var output)",
        "dgsm_conf": f"{conf_level:.0%} confidence half-width of dgsm (bootstrap)",
    }
    variables = {k: (_dims(out, "parameter"), res[k], desc[k]) for k in res}
    attrs = dict(attrs)
    attrs.update(
        method="dgsm",
        estimator="Sobol & Kucherenko (2009) from autodiff gradients",
        n=n,
        n_evaluations=n,
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )
    return _result(out, names, pairs, variables, attrs)


def _latin(names, pairs, n, seed) -> np.ndarray:
    from SALib.sample import latin

    return latin.sample(_problem(names, pairs), n, seed=seed)


def dgsm_function(
    fn: Callable[[dict[str, jax.Array]], Any],
    bounds: Mapping[str, tuple[float, float]],
    n: int,
    seed: int = 0,
    *,
    num_resamples: int = 100,
    conf_level: float = 0.95,
) -> xr.Dataset:
    """Derivative-based global sensitivity measures of a JAX function, from exact
    gradients (`jax.jvp`), over a Latin hypercube sample (SALib).

    Args:
        fn: JAX-traceable ``fn({name: (sample,) array}) -> (sample,) or (sample, L)``
            that treats each sample row independently (as a model does each patient).
        bounds: name -> (lower, upper); inputs uniform on these ranges.
        n: sample size (>= 2).
        seed: seed of the sample and of the bootstrap.
        num_resamples, conf_level: bootstrap of ``dgsm_conf``.

    Returns:
        `xarray.Dataset` with ``vi``, ``vi_std``, ``dgsm`` and ``dgsm_conf`` over
        ``parameter`` (see `dgsm`).

    Raises:
        ValueError: (`pathjax.InputError`) bad bounds, `n` or `seed`.

    Examples:
        >>> import jax.numpy as jnp
        >>> from pathjax.sensitivity import dgsm_function
        >>> r = dgsm_function(lambda x: 2.0 * x["a"] + jnp.sin(x["b"]), {"a": (0, 1), "b": (0, 1)}, 64)
        >>> float(r.vi.sel(parameter="a"))
        4.0

    References:
        Sobol I.M., Kucherenko S. (2009). Derivative based global sensitivity measures
        and their link with global sensitivity indices. Math Comput Simul
        79:3009-3017. doi:10.1016/j.matcom.2009.01.023.
    """
    names, pairs = check_bounds(None, bounds)
    n, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 2)
    if not callable(fn):
        raise InputError(f"fn must be a function of the sample, got {fn!r}")
    X = _latin(names, pairs, n, seed)
    cols = {k: jnp.asarray(v) for k, v in _columns(names, X).items()}

    def flat(c):
        y = jnp.asarray(fn(c), jnp.float64)
        return y.reshape(n, -1)

    def tangent(name):
        v = {k: jnp.ones_like(x) if k == name else jnp.zeros_like(x) for k, x in cols.items()}
        return jax.jvp(flat, (cols,), (v,))

    Y, _ = tangent(names[0])
    G = np.stack([np.asarray(tangent(k)[1]) for k in names], axis=-1)  # (N, L, D)
    y = np.asarray(Y)
    out = _Outputs(y[:, 0] if y.shape[1] == 1 else y, n)
    attrs = {"output": getattr(fn, "__name__", "function")}
    return _dgsm_dataset(out, G, names, pairs, num_resamples, conf_level, seed, n, attrs)


def dgsm(
    model: Model,
    t: Sequence[float] | np.ndarray,
    bounds: Mapping[str, tuple[float, float]],
    output: str,
    n: int,
    seed: int = 0,
    *,
    params: Mapping[str, float] | None = None,
    protocol: Protocol | str | None = None,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    mode: str | None = None,
    rtol: float = 1e-8,
    atol: float = 1e-12,
    chunk_size: int | None = None,
    devices: Sequence[Any] | int | str | None = None,
) -> xr.Dataset:
    """Derivative-based global sensitivity measures (DGSM) of a model output.

    The gradients are exact: `local` differentiates the ODE solve of every patient of
    a Latin hypercube sample (SALib) by automatic differentiation. (SALib's own
    ``dgsm`` uses finite differences; only its sampler is used here.) For each
    parameter x_i uniform on [a_i, b_i] the measure is ``vi = E[(df/dx_i)^2]`` and
    ``dgsm_i = (b_i - a_i)^2 vi / (pi^2 Var f)``, an upper bound on the total Sobol
    index ST_i (Sobol & Kucherenko 2009, Theorem 3), cheap to estimate because one
    gradient per sample point gives every parameter's measure.

    Args:
        model, t, bounds, seed, params, protocol: as `sobol`.
        output: a state or observable name (a function of the result Dataset cannot be
            differentiated here).
        n: sample size (>= 2); the sample is ``n`` patients.
        num_resamples, conf_level: bootstrap of ``dgsm_conf``.
        mode, rtol, atol, chunk_size, devices: as for `local`.

    Returns:
        `xarray.Dataset` with ``vi`` ((output unit / parameter unit)^2), ``vi_std``,
        ``dgsm`` (dimensionless, >= ST) and ``dgsm_conf`` over ``parameter`` (and
        ``time``); NaN where the output does not vary over the sample.

    Raises:
        ValueError: (`pathjax.InputError`) as `sobol`, and for an `output` that is not
            a name; before anything is compiled.

    Examples:
        >>> import pathjax
        >>> m = pathjax.models.load("sedaghat2002")
        >>> r = pathjax.sensitivity.dgsm(m, [10.0], {"k_IRS1_phos": (2.0, 8.0),
        ...     "k_GLUT4_endo": (0.1, 0.3)}, "IRS1_pY", n=8)
        >>> bool(r.vi.sel(parameter="k_GLUT4_endo", time=10.0) < 1e-12)
        True

    References:
        Sobol I.M., Kucherenko S. (2009). Derivative based global sensitivity measures
        and their link with global sensitivity indices. Math Comput Simul
        79:3009-3017. doi:10.1016/j.matcom.2009.01.023.
    """
    from ._local import local

    if callable(output) and not isinstance(output, str):
        raise InputError(
            "dgsm needs a state or observable name as output (its gradient is taken "
            "through the solve); a function of the result Dataset cannot be differentiated"
        )
    t, names, pairs, fixed, output = _model_setup(model, t, bounds, output, params, protocol)
    n, seed, num_resamples, conf_level = _check_common(n, seed, num_resamples, conf_level, 2)
    X = _latin(names, pairs, n, seed)
    p = dict(fixed)
    p.update(_columns(names, X))
    s = local(model, t, p, wrt=names, outputs=[output], mode=mode, protocol=protocol, rtol=rtol,
              atol=atol, chunk_size=chunk_size, devices=devices)  # fmt: skip
    value = s["value"].isel(output=0)
    value.attrs["units"] = model.units[output]
    out = _Outputs(value, n, t)
    G = np.asarray(s.isel(output=0).transpose("patient", "time", "parameter").values)
    n_failed = int((s["status"].values != 0).sum())
    if n_failed:
        warnings.warn(
            f"{n_failed} of {n} patients failed; the measures are NaN", RuntimeWarning, stacklevel=2
        )
    attrs = {"model": model.name, "output": output, "rtol": rtol, "atol": atol,
             "mode": s.attrs["mode"], "n_failed": n_failed}  # fmt: skip
    return _dgsm_dataset(out, G, names, pairs, num_resamples, conf_level, seed, n, attrs)
