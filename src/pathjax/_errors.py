"""Errors raised at the boundary and the per-patient status codes of a solve."""

import difflib
import enum
import numbers
from collections.abc import Iterable


class InputError(ValueError):
    """Bad input caught before anything is compiled.

    A subclass of `ValueError`, so callers may catch either. The message names the
    offending item, its value and, for names, the valid choices.
    """


class Status(enum.IntEnum):
    """Per-patient outcome of a solve, stored in the `status` variable of a result.

    A non-zero status means the patient's values are NaN from the failure onwards
    (the whole trajectory is set to NaN so that no partial result is mistaken for a
    complete one); every other patient of the batch is unaffected.
    """

    SUCCESS = 0
    """The solve reached the final time within tolerances."""
    MAX_STEPS = 1
    """The step budget (`max_steps`) ran out before the final time."""
    STEP_SIZE_UNDERFLOW = 2
    """The step size shrank below the resolution of the time variable."""
    NONFINITE = 3
    """The right-hand side or the state became NaN/inf and could not be recovered by
    shrinking the step."""
    INVALID_INPUT = 4
    """The patient's parameters or initial state were non-finite (only reachable when
    validation was bypassed, e.g. inside a calibration loop)."""
    NO_STEADY_STATE = 5
    """Pre-equilibration reached no steady state: neither Newton's method nor the
    integration fallback brought the scaled residual ``||f(y)||`` (weights
    ``1 / (atol + rtol |y|)``, RMS) below 1."""


def check_int(value, what: str, minimum: int) -> int:
    """`value` as an int, or `InputError` unless it is an integer (not a bool) >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InputError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


STATUS_DOC: dict[int, str] = {s.value: (s.__doc__ or s.name).strip() for s in Status}


def closest(name: str, choices: Iterable[str], n: int = 3) -> str:
    """A ' Did you mean ...?' suffix for a misspelt name, or an empty string."""
    matches = difflib.get_close_matches(name, list(choices), n=n, cutoff=0.6)
    if not matches:
        return ""
    return " Did you mean " + " or ".join(repr(m) for m in matches) + "?"


def unknown_name(kind: str, name: str, choices: Iterable[str]) -> InputError:
    """An `InputError` for a name that is not among `choices`, listing them."""
    choices = list(choices)
    shown = ", ".join(choices[:60]) + (" ..." if len(choices) > 60 else "")
    return InputError(f"unknown {kind} {name!r}.{closest(name, choices)} Valid {kind}s: {shown}")
