"""PEtab formulas (observables, noise) as functions of JAX arrays.

The `petab` library parses a formula into a SymPy expression (`sympify_petab`); this
module walks that expression once and returns a closure ``env -> array`` that computes
with `jax.numpy` (so it is traced, batched and differentiated like the model itself).
No source code is generated.
"""

from collections.abc import Callable, Mapping
from typing import Any

import jax.numpy as jnp
import sympy as sp

from .._errors import InputError

__all__ = ["compile_formula", "symbols_of"]

Env = Mapping[str, Any]
Fn = Callable[[Env], Any]

_UNARY: dict[type, Callable] = {
    sp.exp: jnp.exp,
    sp.log: jnp.log,
    sp.sin: jnp.sin,
    sp.cos: jnp.cos,
    sp.tan: jnp.tan,
    sp.asin: jnp.arcsin,
    sp.acos: jnp.arccos,
    sp.atan: jnp.arctan,
    sp.sinh: jnp.sinh,
    sp.cosh: jnp.cosh,
    sp.tanh: jnp.tanh,
    sp.asinh: jnp.arcsinh,
    sp.acosh: jnp.arccosh,
    sp.atanh: jnp.arctanh,
    sp.Abs: jnp.abs,
    sp.sign: jnp.sign,
    sp.floor: jnp.floor,
    sp.ceiling: jnp.ceil,
    sp.Not: jnp.logical_not,
}
_COMPARE: dict[type, Callable] = {
    sp.StrictGreaterThan: jnp.greater,
    sp.GreaterThan: jnp.greater_equal,
    sp.StrictLessThan: jnp.less,
    sp.LessThan: jnp.less_equal,
    sp.Equality: jnp.equal,
    sp.Unequality: jnp.not_equal,
}
_FOLD: dict[type, Callable] = {
    sp.Add: jnp.add,
    sp.Mul: jnp.multiply,
    sp.Max: jnp.maximum,
    sp.Min: jnp.minimum,
    sp.And: jnp.logical_and,
    sp.Or: jnp.logical_or,
    sp.Xor: jnp.logical_xor,
}


def symbols_of(expr: sp.Expr) -> set[str]:
    """Names of the free symbols of `expr`."""
    return {s.name for s in expr.free_symbols}


def compile_formula(expr: sp.Expr, where: str) -> Fn:
    """A closure computing `expr` from an environment (symbol name -> array).

    Args:
        expr: a SymPy expression as `petab` parses a formula.
        where: the table, column and row, named in errors.

    Raises:
        InputError: the formula uses a function pathjax cannot compute.
    """
    return _compile(sp.sympify(expr), where)


def _constant(value: float) -> Fn:
    return lambda env: value


def _compile(e: Any, where: str) -> Fn:
    if e is sp.true or e is sp.S.true:
        return _constant(True)
    if e is sp.false or e is sp.S.false:
        return _constant(False)
    if isinstance(e, sp.Symbol):
        name = e.name
        return lambda env: env[name]
    if e.is_Number or e in (sp.pi, sp.E):
        return _constant(float(e))
    args = [_compile(a, where) for a in e.args]
    if isinstance(e, sp.Pow):
        base, power = args
        if e.exp == sp.Rational(1, 2):
            return lambda env: jnp.sqrt(base(env))
        return lambda env: jnp.power(base(env), power(env))
    if isinstance(e, sp.log) and len(args) == 2:  # log(x, base)
        x, b = args
        return lambda env: jnp.log(x(env)) / jnp.log(b(env))
    if isinstance(e, sp.Piecewise):
        pieces = [(_compile(p.expr, where), _compile(p.cond, where)) for p in e.args]

        def piecewise(env):
            out = jnp.nan
            for value, cond in reversed(pieces):
                out = jnp.where(cond(env), value(env), out)
            return out

        return piecewise
    for kind, fn in _FOLD.items():
        if isinstance(e, kind):
            return _fold(fn, args)
    for kind, fn in _COMPARE.items():
        if isinstance(e, kind):
            a, b = args
            return lambda env, fn=fn: fn(a(env), b(env))
    for kind, fn in _UNARY.items():
        if isinstance(e, kind) and len(args) == 1:
            (a,) = args
            return lambda env, fn=fn: fn(a(env))
    raise InputError(f"{where}: the function {type(e).__name__!r} is not supported in formulas")


def _fold(fn: Callable, args: list[Fn]) -> Fn:
    first, rest = args[0], args[1:]

    def folded(env):
        out = first(env)
        for a in rest:
            out = fn(out, a(env))
        return out

    return folded
