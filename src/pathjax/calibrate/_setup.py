"""What a fit starts from, checked before anything is compiled: the model and its data
mapping, the fitted parameters and their bounds, the normal fit a t2d fit builds on, and
the starting points."""

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import InputError
from ..model import Model
from ..models import resolve
from ._data import Calibration, catalogue
from ._objective import Problem
from ._result import CalibrationResult

__all__ = [
    "FITTABLE_KINDS",
    "MODES",
    "bounds",
    "calibrated_model",
    "default_parameters",
    "read_base",
    "start_points",
]

FITTABLE_KINDS = ("kinetic", "exponent", "condition")
MODES = ("auto", "forward", "reverse")


def calibrated_model(model: Any) -> tuple[Model, Calibration]:
    """`model` (a `Model` or a bundled model's name) and its `Calibration`.

    Raises:
        InputError: neither a model nor a bundled model's name, or a model without
            calibration data (or, for the diabetic Brännmark cell, how to fit it instead).
    """
    m = resolve(model)
    return m, catalogue(m)


def default_parameters(model: Model, condition: str) -> list[str]:
    """The parameters `fit` calibrates unless told otherwise: every kinetic rate and Hill
    exponent but those the model's calibration leaves out (normal; for Brännmark 2013
    the GLUT1 uptake constant), or its disease parameters (t2d).

    Raises:
        InputError: the model has no calibration data (see `calibrated_model`).

    Examples:
        >>> import pathjax
        >>> from pathjax.calibrate import default_parameters
        >>> default_parameters(pathjax.models.load("brannmark2013"), "t2d")
        ['diabetes', 'IR_total', 'GLUT4_total']
    """
    calibration = catalogue(model)
    if condition == "t2d":
        return list(calibration.disease_parameters)
    return [
        p.name
        for p in model.param_specs
        if p.kind in ("kinetic", "exponent") and p.name not in calibration.not_fitted
    ]


def bounds(model: Model, names: list[str], spread: float, explicit: Mapping | None,
            normal: Mapping[str, float]) -> dict[str, tuple[float, float]]:  # fmt: skip
    """[published / spread, published * spread] within the parameter's admissible range
    (kinetic rates, exponents); [1 %, 200 %] of the normal value (condition parameters)."""
    explicit = dict(explicit or {})
    for k in explicit:
        if k not in names:
            raise InputError(f"bounds given for {k!r}, which is not fitted (fitted: {names})")
    out = {}
    for name in names:
        spec = model.param_spec(name)
        if name in explicit:
            try:
                lo, hi = (float(v) for v in explicit[name])
            except (TypeError, ValueError):
                raise InputError(
                    f"bounds of {name!r} must be a pair (lower, upper), got {explicit[name]!r}"
                ) from None
        elif spec.kind == "condition":
            lo, hi = 0.01 * normal[name], 2.0 * normal[name]
        else:
            lo, hi = spec.default / spread, spec.default * spread
            lo, hi = max(lo, spec.lower), min(hi, spec.upper)
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo < hi):
            raise InputError(
                f"bounds of {name!r} must satisfy 0 < lower < upper (fitted in log space), "
                f"got ({lo}, {hi})"
            )
        if lo < spec.lower or hi > spec.upper:
            raise InputError(
                f"bounds of {name!r} ({lo}, {hi}) leave its admissible range "
                f"[{spec.lower}, {spec.upper}]"
            )
        out[name] = (lo, hi)
    return out


def read_base(base: Any) -> tuple[dict[str, float], dict[str, float], str]:
    """(params, scales, description) of a normal fit given as a result or a path."""
    if isinstance(base, CalibrationResult):
        if base.condition != "normal":
            raise InputError(f"base must be a normal fit, got a {base.condition!r} fit")
        return dict(base.params), dict(base.scales), "normal fit (in memory)"
    path = Path(base)
    if path.is_dir():
        path = path / "fit.json"
    if not path.exists():
        raise InputError(f"normal fit {str(path)!r} does not exist")
    try:
        info = json.loads(path.read_text())
        params, scales, condition = info["params"], info["scales"], info["condition"]
    except (json.JSONDecodeError, KeyError, OSError) as exc:
        raise InputError(f"{str(path)!r} is not a fit.json of pathjax calibrate ({exc})") from None
    if condition != "normal":
        raise InputError(f"{str(path)!r} is a {condition!r} fit; the base must be a normal fit")
    return (
        {k: float(v) for k, v in params.items()},
        {k: float(v) for k, v in scales.items()},
        (str(path)),
    )


def start_points(problem: Problem, published: np.ndarray, lo: np.ndarray, hi: np.ndarray,
            n: int, seed: int) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """The published point and n - 1 points of a Latin hypercube in log space."""
    from scipy.stats import qmc

    theta = [np.clip(published, lo, hi)]
    origin = ["published"]
    if n > 1:
        sample = qmc.LatinHypercube(d=len(lo), rng=np.random.default_rng(seed)).random(n - 1)
        theta.extend(lo + sample * (hi - lo))
        origin += ["latin_hypercube"] * (n - 1)
    return np.array(theta), origin
