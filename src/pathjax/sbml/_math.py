"""SBML math (libsbml ASTs) compiled into Python closures over an environment.

`compile_math` turns one AST into an `Expr`: a closure ``fn(env) -> value`` that reads
symbol values from a dictionary ``env`` (SBML id -> scalar or ``(patient,)`` array)
and computes with `jax.numpy`, so JAX traces it once into the model's program. Nothing
is generated as source text.

* Function definitions are inlined: the arguments are compiled in the caller's scope
  and bound to the lambda's parameters while its body is compiled.
* Constant sub-expressions are folded at compile time (``1e-8 / 3`` is one number).
* Booleans and numbers are kept apart: a comparison used as a number becomes 0/1, a
  number used as a condition means ``!= 0`` (as libRoadRunner reads them).
* Powers with a non-integer exponent go through `safe_pow`, which maps the tiny negative
  bases that an integrator produces around zero to zero instead of NaN and keeps the
  derivative finite at zero.
* Comparisons of ``time`` with a constant record the constant as a *time threshold*, so
  that the model's default protocol can make the solver stop there.
"""

import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax.numpy as jnp
import libsbml
import numpy as np

from .._errors import InputError
from ._ops import (
    RELATIONAL,
    UNARY,
    div,
    fold_div,
    fold_pow,
    is_integer,
    log_base,
    np_fold,
    pow_,
    prod,
    reduce_,
    sum_,
)
from ._ops import safe_pow as safe_pow

__all__ = ["TIME", "Expr", "MathContext", "compile_math", "safe_pow", "to_bool", "to_num"]

TIME = "\x00time"
"""Environment key of the model time (not a valid SBML id, so it never clashes)."""

AVOGADRO = 6.02214179e23  # the value the SBML Level 3 Version 1 specification fixes

_MAX_INLINE_DEPTH = 64


class Expr(NamedTuple):
    """A compiled SBML expression.

    Attributes:
        fn: ``fn(env) -> value``; ``env`` maps environment keys to values.
        kind: ``"num"`` or ``"bool"``.
        symbols: environment keys the value depends on (after inlining).
        const: the value, when it is a compile-time constant (else None).
        is_time: the expression is the bare model time.
        thresholds: constants that ``time`` is compared with inside the expression.
        exponent_symbols: keys used directly as the exponent of a power.
    """

    fn: Callable[[Mapping[str, Any]], Any]
    kind: str
    symbols: frozenset
    const: Any = None
    is_time: bool = False
    thresholds: frozenset = frozenset()
    exponent_symbols: frozenset = frozenset()


class MathContext(NamedTuple):
    """What `compile_math` needs to know about the model.

    Attributes:
        resolve: SBML symbol -> environment key; raises `KeyError` when the symbol is
            not defined in this scope.
        functions: function definition id -> its lambda AST.
        where: the element being compiled, for error messages (e.g.
            ``"kinetic law of reaction 'R1'"``).
    """

    resolve: Callable[[str], str]
    functions: Mapping[str, Any]
    where: str


def _const(value: Any, kind: str = "num") -> Expr:
    return Expr(lambda env, v=value: v, kind, frozenset(), const=value)


def _merge(children: list[Expr], kind: str, fn: Callable, folder: Callable | None) -> Expr:
    if folder is not None and all(c.const is not None for c in children):
        return _const(folder(*[c.const for c in children]), kind)
    fns = tuple(c.fn for c in children)
    return Expr(
        lambda env: fn(*[f(env) for f in fns]),
        kind,
        frozenset().union(*[c.symbols for c in children]) if children else frozenset(),
        thresholds=frozenset().union(*[c.thresholds for c in children])
        if children
        else frozenset(),
        exponent_symbols=frozenset().union(*[c.exponent_symbols for c in children])
        if children
        else frozenset(),
    )


def to_num(e: Expr) -> Expr:
    """A boolean expression as 0.0/1.0 (numbers pass through)."""
    if e.kind == "num":
        return e
    if e.const is not None:
        return _const(1.0 if e.const else 0.0)
    f = e.fn
    return e._replace(fn=lambda env: jnp.where(f(env), 1.0, 0.0), kind="num")


def to_bool(e: Expr) -> Expr:
    """A numeric expression as a condition (``!= 0``; booleans pass through)."""
    if e.kind == "bool":
        return e
    if e.const is not None:
        return _const(bool(e.const != 0), "bool")
    f = e.fn
    return e._replace(fn=lambda env: f(env) != 0, kind="bool")


_UNSUPPORTED = {
    libsbml.AST_FUNCTION_DELAY: "the delay function (csymbol delay)",
    libsbml.AST_LAMBDA: "a lambda outside a function definition",
}
for _name, _what in (
    ("AST_FUNCTION_RATE_OF", "the rateOf function (csymbol rateOf)"),
    ("AST_CSYMBOL_FUNCTION", "a csymbol function"),
):
    if hasattr(libsbml, _name):
        _UNSUPPORTED[getattr(libsbml, _name)] = _what


def _formula(node: Any) -> str:
    try:
        text = libsbml.formulaToL3String(node) or "?"
    except Exception:  # pragma: no cover - libsbml cannot print some package maths
        text = "?"
    return text if len(text) <= 120 else text[:117] + "..."


def compile_math(node: Any, ctx: MathContext, scope: Mapping[str, Expr] | None = None) -> Expr:
    """Compile a libsbml AST into an `Expr`.

    Args:
        node: a libsbml ``ASTNode``.
        ctx: symbol resolution, function definitions and the element's name.
        scope: lambda arguments bound while a function definition is inlined.

    Returns:
        The compiled expression.

    Raises:
        InputError: an unknown symbol or function, or a construct pathjax does not
            support (delay, rateOf, stochastic distributions, ...), naming `ctx.where`.

    Examples:
        >>> import libsbml
        >>> ctx = MathContext(lambda s: s, {}, "example")
        >>> e = compile_math(libsbml.parseL3Formula("2 * k * x"), ctx)
        >>> float(e.fn({"k": 3.0, "x": 0.5})), sorted(e.symbols)
        (3.0, ['k', 'x'])
    """
    return _compile(node, ctx, dict(scope or {}), 0)


def _compile(node: Any, ctx: MathContext, scope: dict[str, Expr], depth: int) -> Expr:
    if node is None:
        raise InputError(f"{ctx.where}: missing math")
    t = node.getType()
    if t in _UNSUPPORTED:
        raise InputError(
            f"{ctx.where} uses {_UNSUPPORTED[t]}, which pathjax does not support "
            f"(math: {_formula(node)})"
        )
    kids = [node.getChild(i) for i in range(node.getNumChildren())]

    def sub(n: Any) -> Expr:
        return _compile(n, ctx, scope, depth)

    if t == libsbml.AST_INTEGER:
        return _const(float(node.getInteger()))
    if t in (libsbml.AST_REAL, libsbml.AST_REAL_E, libsbml.AST_RATIONAL):
        return _const(float(node.getReal()))
    if t == libsbml.AST_CONSTANT_E:
        return _const(math.e)
    if t == libsbml.AST_CONSTANT_PI:
        return _const(math.pi)
    if t == libsbml.AST_CONSTANT_TRUE:
        return _const(True, "bool")
    if t == libsbml.AST_CONSTANT_FALSE:
        return _const(False, "bool")
    if t == libsbml.AST_NAME_AVOGADRO:
        return _const(AVOGADRO)
    if t == libsbml.AST_NAME_TIME:
        return Expr(lambda env: env[TIME], "num", frozenset({TIME}), is_time=True)
    if t == libsbml.AST_NAME:
        name = node.getName()
        if name in scope:
            return scope[name]
        if name in ("INF", "inf", "infinity") and _not_defined(ctx, name):
            return _const(math.inf)
        if name in ("NaN", "nan", "notanumber") and _not_defined(ctx, name):
            return _const(math.nan)
        try:
            key = ctx.resolve(name)
        except KeyError:
            raise InputError(f"{ctx.where} refers to an undefined symbol {name!r}") from None
        return Expr(lambda env, k=key: env[k], "num", frozenset({key}))
    if t == libsbml.AST_PLUS:
        if not kids:
            return _const(0.0)
        return _merge([to_num(sub(k)) for k in kids], "num", sum_, sum_)
    if t == libsbml.AST_MINUS:
        cs = [to_num(sub(k)) for k in kids]
        if len(cs) == 1:
            return _merge(cs, "num", lambda a: -a, lambda a: -a)
        if len(cs) != 2:
            raise InputError(f"{ctx.where}: minus with {len(cs)} arguments ({_formula(node)})")
        return _merge(cs, "num", lambda a, b: a - b, lambda a, b: a - b)
    if t == libsbml.AST_TIMES:
        if not kids:
            return _const(1.0)
        return _merge([to_num(sub(k)) for k in kids], "num", prod, prod)
    if t == libsbml.AST_DIVIDE:
        cs = [to_num(sub(k)) for k in kids]
        if len(cs) != 2:
            raise InputError(f"{ctx.where}: divide with {len(cs)} arguments ({_formula(node)})")
        return _merge(cs, "num", div, fold_div)
    if t in (libsbml.AST_POWER, libsbml.AST_FUNCTION_POWER):
        if len(kids) != 2:
            raise InputError(f"{ctx.where}: power with {len(kids)} arguments ({_formula(node)})")
        return _power(to_num(sub(kids[0])), to_num(sub(kids[1])))
    if t == libsbml.AST_FUNCTION_ROOT:
        if len(kids) == 1:
            degree, x = _const(2.0), to_num(sub(kids[0]))
        else:
            degree, x = to_num(sub(kids[0])), to_num(sub(kids[1]))
        inv = _merge([degree], "num", lambda d: 1.0 / d, lambda d: 1.0 / d)
        return _power(x, inv)
    if t == libsbml.AST_FUNCTION_LOG:
        if len(kids) == 1:
            return _merge([to_num(sub(kids[0]))], "num", jnp.log10, np_fold(np.log10))
        base, x = to_num(sub(kids[0])), to_num(sub(kids[1]))
        return _merge([base, x], "num", log_base, np_fold(lambda b, v: np.log(v) / np.log(b)))
    if t in UNARY:
        if len(kids) != 1:
            raise InputError(
                f"{ctx.where}: {node.getName()} takes one argument, got {len(kids)} "
                f"({_formula(node)})"
            )
        jfn, nfn = UNARY[t]
        return _merge([to_num(sub(kids[0]))], "num", jfn, np_fold(nfn))
    if t == getattr(libsbml, "AST_FUNCTION_MAX", None):
        cs = [to_num(sub(k)) for k in kids]
        return _merge(cs, "num", reduce_(jnp.maximum), np_fold(lambda *x: np.max(x)))
    if t == getattr(libsbml, "AST_FUNCTION_MIN", None):
        cs = [to_num(sub(k)) for k in kids]
        return _merge(cs, "num", reduce_(jnp.minimum), np_fold(lambda *x: np.min(x)))
    if t == getattr(libsbml, "AST_FUNCTION_REM", None):
        cs = [to_num(sub(k)) for k in kids]
        return _merge(cs, "num", jnp.fmod, np_fold(np.fmod))
    if t == getattr(libsbml, "AST_FUNCTION_QUOTIENT", None):
        cs = [to_num(sub(k)) for k in kids]
        return _merge(
            cs, "num", lambda a, b: jnp.trunc(a / b), np_fold(lambda a, b: np.trunc(a / b))
        )
    if t in RELATIONAL:
        return _relational(t, [to_num(sub(k)) for k in kids], ctx, node)
    if t == libsbml.AST_LOGICAL_AND:
        cs = [to_bool(sub(k)) for k in kids] or [_const(True, "bool")]
        return _merge(cs, "bool", reduce_(jnp.logical_and), lambda *x: all(x))
    if t == libsbml.AST_LOGICAL_OR:
        cs = [to_bool(sub(k)) for k in kids] or [_const(False, "bool")]
        return _merge(cs, "bool", reduce_(jnp.logical_or), lambda *x: any(x))
    if t == libsbml.AST_LOGICAL_XOR:
        cs = [to_bool(sub(k)) for k in kids] or [_const(False, "bool")]
        return _merge(cs, "bool", reduce_(jnp.logical_xor), lambda *x: sum(map(bool, x)) % 2 == 1)
    if t == libsbml.AST_LOGICAL_NOT:
        if len(kids) != 1:
            raise InputError(f"{ctx.where}: not with {len(kids)} arguments ({_formula(node)})")
        return _merge([to_bool(sub(kids[0]))], "bool", jnp.logical_not, lambda a: not a)
    if t == getattr(libsbml, "AST_LOGICAL_IMPLIES", None):
        cs = [to_bool(sub(k)) for k in kids]
        return _merge(
            cs, "bool", lambda a, b: jnp.logical_or(jnp.logical_not(a), b), lambda a, b: b or not a
        )
    if t == libsbml.AST_FUNCTION_PIECEWISE:
        return _piecewise([sub(k) for k in kids], ctx, node)
    if t == libsbml.AST_FUNCTION:
        return _call(node, kids, ctx, scope, depth)
    what = node.getName()
    raise InputError(
        f"{ctx.where} uses the MathML construct {what or t!r}, which pathjax does not "
        f"support (math: {_formula(node)})"
    )


def _not_defined(ctx: MathContext, name: str) -> bool:
    try:
        ctx.resolve(name)
    except KeyError:
        return True
    return False


def _power(base: Expr, exponent: Expr) -> Expr:
    exp_syms = exponent.symbols if exponent.const is None else frozenset()
    if exponent.const is not None and is_integer(exponent.const) and abs(exponent.const) < 64:
        # An integer exponent needs no guard: x**2 of a negative x is fine.
        n = int(exponent.const)
        out = _merge([base], "num", lambda a: a**n, lambda a: fold_pow(a, n))
    else:
        out = _merge([base, exponent], "num", pow_, fold_pow)
    return out._replace(exponent_symbols=out.exponent_symbols | exp_syms)


def _relational(t: int, cs: list[Expr], ctx: MathContext, node: Any) -> Expr:
    if len(cs) < 2:
        raise InputError(f"{ctx.where}: comparison with {len(cs)} arguments ({_formula(node)})")
    jop, fold = RELATIONAL[t]
    thresholds = set()
    for a, b in zip(cs, cs[1:]):
        for x, y in ((a, b), (b, a)):
            if x.is_time and y.const is not None and math.isfinite(float(y.const)):
                thresholds.add(float(y.const))
    pairs = [
        _merge([a, b], "bool", jop, lambda p, q, fold=fold: bool(fold(p, q)))
        for a, b in zip(cs, cs[1:])
    ]
    out = (
        pairs[0]
        if len(pairs) == 1
        else _merge(pairs, "bool", reduce_(jnp.logical_and), lambda *x: all(x))
    )
    return out._replace(thresholds=out.thresholds | frozenset(thresholds))


def _piecewise(cs: list[Expr], ctx: MathContext, node: Any) -> Expr:
    pieces = [(cs[i], cs[i + 1]) for i in range(0, len(cs) - 1, 2)]
    otherwise = cs[-1] if len(cs) % 2 == 1 else None
    values = [v for v, _ in pieces] + ([otherwise] if otherwise is not None else [])
    kind = "bool" if values and all(v.kind == "bool" for v in values) else "num"
    conv = to_bool if kind == "bool" else to_num
    pieces = [(conv(v), to_bool(c)) for v, c in pieces]
    if otherwise is None:
        # Undefined when no condition holds (SBML); NaN makes that visible.
        otherwise = _const(False, "bool") if kind == "bool" else _const(math.nan)
    result = conv(otherwise)
    # Constant conditions select at compile time.
    for value, cond in reversed(pieces):
        if cond.const is not None:
            result = value if cond.const else result
            continue
        result = _merge([cond, value, result], kind, jnp.where, None)
    return result


def _call(node: Any, kids: list, ctx: MathContext, scope: dict[str, Expr], depth: int) -> Expr:
    name = node.getName()
    lam = ctx.functions.get(name)
    if lam is None:
        raise InputError(
            f"{ctx.where} calls {name!r}, which is neither a function definition of the "
            f"model nor a supported MathML function (math: {_formula(node)})"
        )
    if depth >= _MAX_INLINE_DEPTH:
        raise InputError(f"{ctx.where}: function definitions nest too deeply (at {name!r})")
    n_args = lam.getNumChildren() - 1
    if n_args != len(kids):
        raise InputError(
            f"{ctx.where} calls function definition {name!r} with {len(kids)} arguments; "
            f"it takes {n_args}"
        )
    args = [_compile(k, ctx, scope, depth) for k in kids]
    bound = {lam.getChild(i).getName(): args[i] for i in range(n_args)}
    # SBML forbids free symbols in a function body; files that have them anyway are
    # read as libRoadRunner reads them, from the model's scope.
    inner = ctx._replace(where=f"{ctx.where} (in function {name!r})")
    return _compile(lam.getChild(n_args), inner, bound, depth + 1)
