"""The ``pathjax`` command: typer application and shared helpers.

Each command lives in its own module and registers itself on `app`. Bad input gives a
one-line error on stderr and exit code 2; nothing is compiled before the input is
checked.
"""

import functools
import math
import sys

import typer
from rich.console import Console

from .._errors import InputError

app = typer.Typer(
    name="pathjax",
    help="Ensemble simulation of insulin signalling and insulin resistance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error and exit."""
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def guarded(fn):
    """Turn `ValueError` (bad input) into a one-line error and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (InputError, ValueError, FileNotFoundError) as exc:
            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    return wrapper


def split_names(text: str | None, what: str) -> list[str] | None:
    """A comma-separated option (None when not given)."""
    if text is None:
        return None
    names = [s.strip() for s in text.split(",") if s.strip()]
    if not names:
        raise InputError(f"{what} must be comma-separated names, got {text!r}")
    return names


def check_number(
    value: float | None,
    what: str,
    *,
    positive: bool = False,
    minimum: float | None = None,
) -> float | None:
    """A float option: `InputError` unless finite (and positive / >= `minimum` when
    asked); None (option not given) passes through."""
    if value is None:
        return None
    if not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else value
        raise InputError(f"{what} must be a finite number, got {shown}")
    if positive and not value > 0:
        raise InputError(f"{what} must be positive, got {value:g}")
    if minimum is not None and value < minimum:
        raise InputError(f"{what} must be at least {minimum:g}, got {value:g}")
    return value


def interactive() -> bool:
    return sys.stderr.isatty()


def main() -> None:
    app()


# Every command registers itself on `app` when its module is imported; importing them
# here means `app` is complete however the package is entered (console script, tests).
from . import _bench, _calibrate, _demo, _models, _population, _sensitivity, _simulate  # noqa: E402, F401, I001
