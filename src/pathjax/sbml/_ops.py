"""Elementwise numerics of compiled SBML maths: the guarded power, the MathML unary
functions and comparisons (each as a `jax.numpy` function and a NumPy one used to fold
constants at compile time)."""

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import libsbml
import numpy as np
from jax.custom_derivatives import SymbolicZero

__all__ = [
    "RELATIONAL",
    "UNARY",
    "div",
    "fold_div",
    "fold_pow",
    "is_integer",
    "log_base",
    "np_fold",
    "pow_",
    "prod",
    "reduce_",
    "safe_pow",
    "sum_",
]


def is_integer(x: Any) -> bool:
    return isinstance(x, (int, float, np.floating, np.integer)) and float(x).is_integer()


@jax.custom_jvp
def safe_pow(base, exponent):
    """``base ** exponent`` for a non-integer exponent, with two guards.

    A negative base (for a concentration, rounding noise around zero) gives
    ``0 ** exponent`` where the exponent is not an integer, instead of NaN; the
    derivative is finite everywhere (zero where the true one is infinite, at a zero
    base with an exponent below one), so Jacobians by automatic differentiation stay
    usable.

    Examples:
        >>> import jax.numpy as jnp
        >>> float(safe_pow(jnp.float64(4.0), 0.5)), float(safe_pow(jnp.float64(-1e-20), 0.5))
        (2.0, 0.0)
    """
    bad = (base < 0) & (exponent != jnp.round(exponent))
    return jnp.power(jnp.where(bad, 0.0, base), exponent)


def _safe_pow_jvp(primals, tangents):
    base, exponent = primals
    db, de = tangents
    bad = (base < 0) & (exponent != jnp.round(exponent))
    b = jnp.where(bad, 0.0, base)
    value = jnp.power(b, exponent)
    nonzero = b != 0
    b_safe = jnp.where(nonzero, b, 1.0)
    # d/d base = exponent * base**(exponent - 1) = exponent * value / base; at a zero
    # base it is 0 (exponent > 1), 1 (exponent == 1) or infinite (exponent < 1, where
    # 0 is reported); at a guarded negative base, 0.
    d_base = jnp.where(nonzero, exponent * value / b_safe, jnp.where(exponent == 1.0, 1.0, 0.0))
    tangent = jnp.where(bad, 0.0, d_base) * _instantiate(db, value)
    if not isinstance(de, SymbolicZero):  # an exponent that varies (rare)
        positive = b > 0
        d_exp = jnp.where(positive, value * jnp.log(jnp.where(positive, b, 1.0)), 0.0)
        tangent = tangent + d_exp * de
    return value, tangent


def _instantiate(t, like):
    return jnp.zeros_like(like) if isinstance(t, SymbolicZero) else t


safe_pow.defjvp(_safe_pow_jvp, symbolic_zeros=True)


def pow_(a: Any, b: Any) -> Any:
    return safe_pow(a, b)


def fold_pow(a: float, b: float) -> float:
    if a < 0 and not float(b).is_integer():
        a = 0.0
    try:
        return math.pow(a, b)
    except (OverflowError, ValueError, ZeroDivisionError):
        return float(np.power(np.float64(a), np.float64(b)))


def div(a, b):
    return a / b


def fold_div(a: float, b: float) -> float:
    if b == 0:
        with np.errstate(all="ignore"):
            return float(np.float64(a) / np.float64(b))
    return a / b


def sum_(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


def prod(*xs):
    out = xs[0]
    for x in xs[1:]:
        out = out * x
    return out


def log_base(base, x):
    return jnp.log(x) / jnp.log(base)


def np_fold(fn: Callable) -> Callable:
    def fold(*xs):
        with np.errstate(all="ignore"):
            return float(fn(*[np.float64(x) for x in xs]))

    return fold


UNARY: dict[int, tuple[Callable, Callable]] = {}


def _register_unary() -> None:
    table = {
        "AST_FUNCTION_ABS": (jnp.abs, np.abs),
        "AST_FUNCTION_EXP": (jnp.exp, np.exp),
        "AST_FUNCTION_LN": (jnp.log, np.log),
        "AST_FUNCTION_FLOOR": (jnp.floor, np.floor),
        "AST_FUNCTION_CEILING": (jnp.ceil, np.ceil),
        "AST_FUNCTION_SIN": (jnp.sin, np.sin),
        "AST_FUNCTION_COS": (jnp.cos, np.cos),
        "AST_FUNCTION_TAN": (jnp.tan, np.tan),
        "AST_FUNCTION_SEC": (lambda x: 1.0 / jnp.cos(x), lambda x: 1.0 / np.cos(x)),
        "AST_FUNCTION_CSC": (lambda x: 1.0 / jnp.sin(x), lambda x: 1.0 / np.sin(x)),
        "AST_FUNCTION_COT": (lambda x: 1.0 / jnp.tan(x), lambda x: 1.0 / np.tan(x)),
        "AST_FUNCTION_SINH": (jnp.sinh, np.sinh),
        "AST_FUNCTION_COSH": (jnp.cosh, np.cosh),
        "AST_FUNCTION_TANH": (jnp.tanh, np.tanh),
        "AST_FUNCTION_SECH": (lambda x: 1.0 / jnp.cosh(x), lambda x: 1.0 / np.cosh(x)),
        "AST_FUNCTION_CSCH": (lambda x: 1.0 / jnp.sinh(x), lambda x: 1.0 / np.sinh(x)),
        "AST_FUNCTION_COTH": (lambda x: 1.0 / jnp.tanh(x), lambda x: 1.0 / np.tanh(x)),
        "AST_FUNCTION_ARCSIN": (jnp.arcsin, np.arcsin),
        "AST_FUNCTION_ARCCOS": (jnp.arccos, np.arccos),
        "AST_FUNCTION_ARCTAN": (jnp.arctan, np.arctan),
        "AST_FUNCTION_ARCSEC": (lambda x: jnp.arccos(1.0 / x), lambda x: np.arccos(1.0 / x)),
        "AST_FUNCTION_ARCCSC": (lambda x: jnp.arcsin(1.0 / x), lambda x: np.arcsin(1.0 / x)),
        "AST_FUNCTION_ARCCOT": (lambda x: jnp.arctan(1.0 / x), lambda x: np.arctan(1.0 / x)),
        "AST_FUNCTION_ARCSINH": (jnp.arcsinh, np.arcsinh),
        "AST_FUNCTION_ARCCOSH": (jnp.arccosh, np.arccosh),
        "AST_FUNCTION_ARCTANH": (jnp.arctanh, np.arctanh),
        "AST_FUNCTION_ARCSECH": (lambda x: jnp.arccosh(1.0 / x), lambda x: np.arccosh(1.0 / x)),
        "AST_FUNCTION_ARCCSCH": (lambda x: jnp.arcsinh(1.0 / x), lambda x: np.arcsinh(1.0 / x)),
        "AST_FUNCTION_ARCCOTH": (lambda x: jnp.arctanh(1.0 / x), lambda x: np.arctanh(1.0 / x)),
        "AST_FUNCTION_FACTORIAL": (
            lambda x: jnp.exp(jsp.gammaln(x + 1.0)),
            lambda x: math.gamma(x + 1.0),
        ),
    }
    for name, fns in table.items():
        code = getattr(libsbml, name, None)
        if code is not None:
            UNARY[code] = fns


_register_unary()

RELATIONAL = {
    libsbml.AST_RELATIONAL_EQ: (jnp.equal, lambda a, b: a == b),
    libsbml.AST_RELATIONAL_NEQ: (jnp.not_equal, lambda a, b: a != b),
    libsbml.AST_RELATIONAL_GEQ: (jnp.greater_equal, lambda a, b: a >= b),
    libsbml.AST_RELATIONAL_GT: (jnp.greater, lambda a, b: a > b),
    libsbml.AST_RELATIONAL_LEQ: (jnp.less_equal, lambda a, b: a <= b),
    libsbml.AST_RELATIONAL_LT: (jnp.less, lambda a, b: a < b),
}


def reduce_(op: Callable) -> Callable:
    def f(*xs):
        out = xs[0]
        for x in xs[1:]:
            out = op(out, x)
        return out

    return f
