"""Derivative-based global sensitivity measures (Sobol & Kucherenko 2009) from exact
autodiff gradients over a Latin hypercube sample: of a model (`dgsm`, through `local`)
or of a JAX function (`dgsm_function`, through `jax.jvp`). Only SALib's sampler is
used; its own ``dgsm`` takes finite differences."""

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
from ._common import check_bounds
from ._sampled import (
    PER_PARAMETER,
    Outputs,
    analysis_seed,
    check_common,
    check_function,
    columns,
    half_width,
    model_setup,
    problem,
    result,
)

__all__ = ["dgsm", "dgsm_function"]


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


def _dgsm_dataset(out: Outputs, G, names, pairs, num_resamples, conf_level, seed, n, attrs):
    res = _dgsm_measures(out.Y, G, pairs, num_resamples, conf_level, analysis_seed(seed))
    layout = {
        "vi": (PER_PARAMETER, "mean squared partial derivative E[(d output / d parameter)^2]"),
        "vi_std": (PER_PARAMETER, "standard deviation of the squared partial derivative"),
        "dgsm": (
            PER_PARAMETER,
            "upper bound on the total Sobol index, (b - a)^2 vi / (pi^2 Var output)",
        ),
        "dgsm_conf": (PER_PARAMETER, half_width(conf_level, "dgsm")),
    }
    attrs = dict(
        attrs,
        method="dgsm",
        estimator="Sobol & Kucherenko (2009) from autodiff gradients",
        n=n,
        n_evaluations=n,
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )
    return result(out, names, pairs, res, layout, attrs)


def _latin(names, pairs, n, seed) -> np.ndarray:
    from SALib.sample import latin

    return latin.sample(problem(names, pairs), n, seed=seed)


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
    n, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 2)
    attrs = check_function(fn)
    X = _latin(names, pairs, n, seed)
    cols = {k: jnp.asarray(v) for k, v in columns(names, X).items()}

    def flat(c):
        y = jnp.asarray(fn(c), jnp.float64)
        return y.reshape(n, -1)

    def tangent(name):
        v = {k: jnp.ones_like(x) if k == name else jnp.zeros_like(x) for k, x in cols.items()}
        return jax.jvp(flat, (cols,), (v,))

    Y, _ = tangent(names[0])
    G = np.stack([np.asarray(tangent(k)[1]) for k in names], axis=-1)  # (N, L, D)
    y = np.asarray(Y)
    out = Outputs(y[:, 0] if y.shape[1] == 1 else y, n)
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
    t, names, pairs, fixed, output = model_setup(model, t, bounds, output, params, protocol)
    n, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 2)
    X = _latin(names, pairs, n, seed)
    p = dict(fixed)
    p.update(columns(names, X))
    s = local(model, t, p, wrt=names, outputs=[output], mode=mode, protocol=protocol, rtol=rtol,
              atol=atol, chunk_size=chunk_size, devices=devices)  # fmt: skip
    value = s["value"].isel(output=0)
    value.attrs["units"] = model.units[output]
    out = Outputs(value, n, t)
    G = np.asarray(s.isel(output=0).transpose("patient", "time", "parameter").values)
    n_failed = int((s["status"].values != 0).sum())
    if n_failed:
        warnings.warn(
            f"{n_failed} of {n} patients failed; the measures are NaN", RuntimeWarning, stacklevel=2
        )
    attrs = {"model": model.name, "output": output, "rtol": rtol, "atol": atol,
             "mode": s.attrs["mode"], "n_failed": n_failed}  # fmt: skip
    return _dgsm_dataset(out, G, names, pairs, num_resamples, conf_level, seed, n, attrs)
