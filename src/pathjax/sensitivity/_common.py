"""Checks shared by the local and global analyses (all before anything compiles)."""

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._errors import InputError, check_int, unknown_name
from ..model import Model

__all__ = ["check_bounds", "check_names", "check_output_names", "check_parameter_names"]


def check_names(value: Any, what: str) -> list[str]:
    """A name or a sequence of names as a list of unique strings."""
    if isinstance(value, str):
        names = [value]
    else:
        try:
            names = list(value)
        except TypeError:
            raise InputError(f"{what} must be a name or a list of names, got {value!r}") from None
    if not names:
        raise InputError(f"{what} is empty; give at least one name")
    for name in names:
        if not isinstance(name, str):
            raise InputError(f"{what} must hold names (strings), got {name!r}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"{what} names {name!r} twice")
        seen.add(name)
    return names


def check_parameter_names(model: Model, value: Any, what: str = "wrt") -> list[str]:
    """Parameter names of `model` (None: every parameter)."""
    if value is None:
        return list(model.param_names)
    names = check_names(value, what)
    for name in names:
        if name not in model.param_names:
            if name in model.state_names:
                raise InputError(
                    f"{what}: {name!r} is a state of {model.name!r}, not a parameter; "
                    "sensitivities are taken with respect to parameters"
                )
            raise unknown_name("parameter", name, model.param_names)
    return names


def check_output_names(model: Model, value: Any, what: str = "outputs") -> list[str]:
    """State or observable names of `model` (None: every state and observable)."""
    valid = model.state_names + model.observable_names
    if value is None:
        return list(valid)
    names = check_names(value, what)
    for name in names:
        if name not in valid:
            if name in model.param_names:
                raise InputError(
                    f"{what}: {name!r} is a parameter of {model.name!r}; outputs are states "
                    "or observables"
                )
            raise unknown_name("output", name, valid)
    return names


def check_bounds(model: Model | None, bounds: Any) -> tuple[list[str], list[tuple[float, float]]]:
    """``{name: (lower, upper)}`` as names and finite float pairs with lower < upper.

    For a model the names must be parameters and the ranges inside the parameters'
    admissible ranges.
    """
    if not isinstance(bounds, Mapping) or not bounds:
        raise InputError(
            "bounds must be a non-empty mapping of parameter name to (lower, upper), "
            f"got {bounds!r}"
        )
    names = [str(k) for k in bounds]
    if model is not None:
        check_parameter_names(model, names, what="bounds")
    pairs: list[tuple[float, float]] = []
    for name, pair in bounds.items():
        try:
            if isinstance(pair, str) or len(pair) != 2:
                raise TypeError
            lo, hi = float(pair[0]), float(pair[1])
        except (TypeError, ValueError):
            raise InputError(
                f"bounds of {name!r} must be a pair (lower, upper) of numbers, got {pair!r}"
            ) from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError(f"bounds of {name!r} must be finite, got ({lo}, {hi})")
        if not lo < hi:
            raise InputError(f"bounds of {name!r} must have lower < upper, got ({lo}, {hi})")
        if model is not None:
            spec = model.param_spec(name)
            if lo < spec.lower or hi > spec.upper:
                raise InputError(
                    f"bounds of {name!r} ({lo}, {hi}) leave the parameter's admissible range "
                    f"[{spec.lower}, {spec.upper}] (unit {spec.unit})"
                )
        pairs.append((lo, hi))
    return names, pairs


def check_positive_int(value: Any, what: str, minimum: int = 1) -> int:
    return check_int(value, what, minimum)


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def check_fraction(value: Any, what: str) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number in (0, 1), got {value!r}") from None
    if not 0.0 < f < 1.0:
        raise InputError(f"{what} must lie in (0, 1), got {value!r}")
    return f


def scalar_params(model: Model, params: Any, varied: Sequence[str]) -> dict[str, float]:
    """Fixed values for the parameters that a global analysis does not vary."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InputError(f"params must be a mapping of parameter name to value, got {params!r}")
    out: dict[str, float] = {}
    for k, v in params.items():
        if k not in model.param_names:
            raise unknown_name("parameter", k, model.param_names)
        if np.ndim(v) != 0:
            raise InputError(
                f"params[{k!r}] must be a scalar in a global analysis (the sample sets the "
                "patients), got an array"
            )
        if k in varied:
            raise InputError(f"parameter {k!r} is given both in params and in bounds")
        out[k] = float(v)
    return out
