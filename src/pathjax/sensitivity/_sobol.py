"""Sobol indices: SALib's Saltelli sample and estimators, the sample evaluated as one
batch (`sobol`) or by a plain function (`sobol_function`)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._errors import InputError
from ..model import Model
from ..protocol import Protocol
from ._common import check_bounds, check_positive_int
from ._sampled import (
    PER_PARAMETER,
    Evaluate,
    Layout,
    Samples,
    analysis_seed,
    check_common,
    check_function,
    estimate,
    half_width,
    model_evaluator,
    model_setup,
    problem,
)

__all__ = ["sobol", "sobol_function"]


def _check_sobol_n(n: Any) -> int:
    n = check_positive_int(n, "n", 8)
    if n & (n - 1):
        raise InputError(
            f"n must be a power of two for SALib's Sobol sequence (e.g. {1 << n.bit_length()}), "
            f"got {n}"
        )
    return n


def _layout(conf_level: float, calc_second_order: bool) -> Layout:
    layout = {
        "S1": (PER_PARAMETER, "first-order Sobol index"),
        "S1_conf": (PER_PARAMETER, half_width(conf_level, "S1")),
        "ST": (PER_PARAMETER, "total-order Sobol index"),
        "ST_conf": (PER_PARAMETER, half_width(conf_level, "ST")),
    }
    if calc_second_order:
        pair = ("parameter", "parameter_2")
        layout["S2"] = (pair, "second-order Sobol index (upper triangle)")
        layout["S2_conf"] = (pair, half_width(conf_level, "S2"))
    return layout


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

    box = problem(names, pairs)
    X = sobol_sample.sample(box, n, calc_second_order=calc_second_order, seed=seed)
    a_seed = analysis_seed(seed)

    def analyze(y):
        return sobol_analyze.analyze(
            box, y, calc_second_order=calc_second_order, num_resamples=num_resamples,
            conf_level=conf_level, seed=a_seed,
        )  # fmt: skip

    attrs = dict(
        attrs,
        method="sobol",
        estimator="Saltelli et al. (2010) / Sobol (2001) via SALib",
        n=n,
        n_evaluations=int(X.shape[0]),
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )
    # An output that does not vary over the sample has no variance to apportion: NaN.
    layout = _layout(conf_level, calc_second_order)
    return estimate(evaluate, names, pairs, X, t, analyze, layout, np.nan, attrs)


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
    _, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 8)
    attrs = check_function(fn)
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
    t, names, pairs, fixed, output = model_setup(model, t, bounds, output, params, protocol)
    n = _check_sobol_n(n)
    _, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 8)
    evaluate, attrs = model_evaluator(model, t, output, fixed, protocol, rtol, atol, solver,
                                      chunk_size, devices, progress)  # fmt: skip
    return _sobol(evaluate, names, pairs, n, seed, bool(calc_second_order), num_resamples,
                  conf_level, t, attrs)  # fmt: skip
