"""`fit`: calibrate a PEtab problem, many starts as one batch."""

from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import InputError, check_int
from ._problem import load_problem

__all__ = ["MODES", "chi2_threshold", "fit"]

MODES = ("auto", "forward", "reverse")
"""How `fit` takes the gradient (``"auto"``: by the number of estimated parameters)."""


def fit(
    model: Any,
    *,
    starts: int = 8,
    seed: int = 0,
    include_nominal: bool = False,
    adam_steps: int = 100,
    lbfgs_steps: int = 150,
    learning_rate: float = 0.05,
    mode: str | None = "auto",
    rtol: float | None = None,
    atol: float | None = None,
    progress: bool | Callable[[str, int, np.ndarray], None] = False,
    **removed: Any,
) -> Any:
    """Calibrate a PEtab problem from many starts, every start in one batch.

    The problem is what `model` names (`load_problem`): a PEtab problem, its YAML file,
    a problem shipped with pathjax (``"brannmark2013"``: Brännmark 2013 against the
    human adipocyte data of normal and type 2 diabetic donors, see
    docs/calibration.md), or a model whose calibration companion names one. Its tables
    say what is fitted: the estimated parameters, their scales, bounds and priors.

    Each iteration evaluates the objective (the negative log-likelihood, plus the
    negative log prior where the parameter table declares priors) and its gradient by
    automatic differentiation through the solver for every start in one driver call;
    Adam, then L-BFGS with a line search per start (`minimize`), on the parameters'
    scales within their bounds. A start whose solve fails is masked and never disturbs
    the others. This is `pathjax.petab.fit` on the resolved problem.

    Args:
        model: the problem: a `pathjax.petab.PetabProblem`, the path of a PEtab YAML
            file, a bundled problem's name (`pathjax.petab.BUNDLED`), or a
            `pathjax.Model` (or a bundled model's name) with a calibration companion
            (`calibrated_models`).
        starts: number of starts (>= 1), uniform on each parameter's scale within its
            bounds (seeded).
        seed: seed of the start points (>= 0).
        include_nominal: make the first start the problem's nominal parameters (for
            ``"brannmark2013"``, the published ones).
        adam_steps, lbfgs_steps: iterations of each phase.
        learning_rate: Adam's initial step on the parameter scale (log10 units for a
            log10-scaled parameter).
        mode: the gradient by ``"forward"`` or ``"reverse"`` mode, or ``"auto"`` (or
            None): forward up to `pathjax.petab.FORWARD_UP_TO` estimated parameters.
        rtol, atol: solver tolerances of the problem (None: `pathjax.petab.load`'s,
            1e-8 and 1e-12); only for a problem given by name, path or model.
        progress: print progress, or a callable ``f(phase, iteration, best)`` with
            ``best`` the (starts,) best objective of each start so far.

    Returns:
        A `pathjax.petab.PetabFit`: ``x`` and ``nllh`` of the best start, every
        start's start point, end point, objective and trace; ``save(folder)`` writes
        ``fit.json``, ``simulation.tsv``, ``waterfall.png`` and ``fits.png``.

    Raises:
        InputError: an unknown problem or model (the message lists the valid names), a
            model without a calibration companion, bad options (including options of
            the former Brännmark-only fit such as ``condition`` or ``data``, which the
            problem's tables now say); all before anything is compiled.

    Examples:
        >>> import pathjax
        >>> res = pathjax.calibrate.fit("conversion", starts=4, seed=1,
        ...                             adam_steps=20, lbfgs_steps=30)
        >>> res.nllh < -45
        True
    """
    if removed:
        raise InputError(
            f"{', '.join(sorted(removed))}: not options of calibrate.fit; a PEtab problem's "
            "tables say what is fitted and against which data (the Brännmark 2013 "
            "calibration is the bundled problem 'brannmark2013': normal and type 2 "
            "diabetic arms together)"
        )
    starts = check_int(starts, "starts", 1)
    seed = check_int(seed, "seed", 0)
    check_int(adam_steps, "adam_steps", 0)
    check_int(lbfgs_steps, "lbfgs_steps", 0)
    if isinstance(learning_rate, bool) or not (
        isinstance(learning_rate, int | float) and np.isfinite(learning_rate) and learning_rate > 0
    ):
        raise InputError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if mode is not None and mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if not isinstance(include_nominal, bool | np.bool_):
        raise InputError(f"include_nominal must be True or False, got {include_nominal!r}")
    problem = load_problem(model, rtol=rtol, atol=atol)

    from ..petab import fit as petab_fit

    return petab_fit(
        problem, starts=starts, seed=seed, include_nominal=bool(include_nominal),
        adam_steps=adam_steps, lbfgs_steps=lbfgs_steps, learning_rate=learning_rate,
        mode=None if mode == "auto" else mode, progress=progress,
    )  # fmt: skip


def chi2_threshold(n_data: int, level: float = 0.95) -> float:
    """The χ² test threshold: the `level` quantile of χ²(n_data).

    A weighted sum of squares of `n_data` residuals above it rejects the model at that
    level (for a PEtab problem with normal noise, the χ² is
    ``2 nllh - Σ log(2π σ²)``).

    Raises:
        InputError: `n_data` < 1 or `level` outside (0, 1).

    Examples:
        >>> from pathjax.calibrate import chi2_threshold
        >>> round(chi2_threshold(131), 1)
        158.7
    """
    from scipy.stats import chi2

    n_data = check_int(n_data, "n_data", 1)
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise InputError(f"level must be in (0, 1), got {level!r}")
    return float(chi2.ppf(level, n_data))
