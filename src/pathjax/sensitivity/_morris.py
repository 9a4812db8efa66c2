"""Morris elementary effects: SALib's trajectories and estimator, the design evaluated
as one batch (`morris`) or by a plain function (`morris_function`)."""

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

__all__ = ["morris", "morris_function"]


def _check_levels(num_levels: Any) -> int:
    levels = check_positive_int(num_levels, "num_levels", 2)
    if levels % 2:
        raise InputError(f"num_levels must be even (SALib's Morris design), got {levels}")
    return levels


def _morris(
    evaluate: Evaluate,
    names: list[str],
    pairs: list[tuple[float, float]],
    n: int,
    seed: int,
    num_levels: int,
    num_resamples: int,
    conf_level: float,
    t: np.ndarray | None,
    attrs: dict[str, Any],
) -> xr.Dataset:
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    box = problem(names, pairs)
    X = morris_sample.sample(box, n, num_levels=num_levels, seed=seed)
    a_seed = analysis_seed(seed)

    def analyze(y):
        return morris_analyze.analyze(
            box, X, y, num_resamples=num_resamples, conf_level=conf_level,
            num_levels=num_levels, seed=a_seed,
        )  # fmt: skip

    attrs = dict(
        attrs,
        method="morris",
        estimator="Morris (1991), Campolongo et al. (2007) via SALib",
        n_trajectories=n,
        num_levels=num_levels,
        n_evaluations=int(X.shape[0]),
        seed=seed,
        num_resamples=num_resamples,
        conf_level=conf_level,
    )
    layout = {
        "mu": (PER_PARAMETER, "mean elementary effect"),
        "mu_star": (PER_PARAMETER, "mean absolute elementary effect"),
        "sigma": (PER_PARAMETER, "standard deviation of the elementary effects"),
        "mu_star_conf": (PER_PARAMETER, half_width(conf_level, "mu_star")),
    }
    # An output that no parameter moves has zero elementary effects.
    return estimate(evaluate, names, pairs, X, t, analyze, layout, 0.0, attrs)


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
    n, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 2)
    num_levels = _check_levels(num_levels)
    attrs = check_function(fn)
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
    t, names, pairs, fixed, output = model_setup(model, t, bounds, output, params, protocol)
    n, seed, num_resamples, conf_level = check_common(n, seed, num_resamples, conf_level, 2)
    num_levels = _check_levels(num_levels)
    evaluate, attrs = model_evaluator(model, t, output, fixed, protocol, rtol, atol, solver,
                                      chunk_size, devices, progress)  # fmt: skip
    return _morris(evaluate, names, pairs, n, seed, num_levels, num_resamples, conf_level, t,
                   attrs)  # fmt: skip
