"""A straight-line program over an environment: compiled SBML expressions evaluated in
dependency order (assignment rules, reaction rates, derived constants)."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .._errors import InputError
from ._math import Expr

__all__ = ["Program", "constant", "divided", "per_volume", "ref", "scaled", "symbols_of"]


class Program:
    """Nodes ``key -> Expr`` sorted so that every node comes after what it reads.

    Args:
        nodes: environment key -> compiled expression.
        leaves: keys the caller fills in before running (time, parameters, states).
        label: key -> a readable name for error messages (e.g. ``"assignment rule for
            'k9'"``).

    Raises:
        InputError: a cycle among the nodes (e.g. two assignment rules defining each
            other), naming the elements on it, or a node reading a key that is neither
            a node nor a leaf.

    Examples:
        >>> from pathjax.sbml._math import Expr
        >>> a = Expr(lambda env: 2.0 * env["x"], "num", frozenset({"x"}))
        >>> b = Expr(lambda env: env["a"] + 1.0, "num", frozenset({"a"}))
        >>> prog = Program({"b": b, "a": a}, {"x"}, str)
        >>> prog.run(prog.plan(["b"]), {"x": 3.0})["b"]
        7.0
    """

    def __init__(self, nodes: Mapping[str, Expr], leaves: Iterable[str], label: Callable):
        self.nodes = dict(nodes)
        self.leaves = frozenset(leaves)
        for key, expr in self.nodes.items():
            for dep in expr.symbols:
                if dep not in self.nodes and dep not in self.leaves:
                    raise InputError(f"{label(key)} reads {label(dep)}, which has no value here")
        self.order = self._sort(label)
        self._rank = {k: i for i, k in enumerate(self.order)}

    def _sort(self, label: Callable) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1: on the stack, 2: done
        for root in self.nodes:
            if state.get(root) == 2:
                continue
            stack = [(root, iter(sorted(self.nodes[root].symbols)))]
            state[root] = 1
            while stack:
                key, deps = stack[-1]
                for dep in deps:
                    if dep not in self.nodes:
                        continue
                    if state.get(dep) == 1:
                        cycle = [k for k, _ in stack]
                        cycle = cycle[cycle.index(dep) :] + [dep]
                        raise InputError(
                            "circular definitions: " + " -> ".join(label(k) for k in cycle)
                        )
                    if state.get(dep) != 2:
                        state[dep] = 1
                        stack.append((dep, iter(sorted(self.nodes[dep].symbols))))
                        break
                else:
                    stack.pop()
                    state[key] = 2
                    order.append(key)
        return order

    def plan(self, wanted: Iterable[str]) -> tuple[tuple[str, Callable], ...]:
        """The nodes needed for `wanted` keys, in evaluation order."""
        need: set[str] = set()
        todo = [k for k in wanted if k in self.nodes]
        while todo:
            k = todo.pop()
            if k in need:
                continue
            need.add(k)
            todo.extend(d for d in self.nodes[k].symbols if d in self.nodes and d not in need)
        return tuple((k, self.nodes[k].fn) for k in sorted(need, key=self._rank.__getitem__))

    @staticmethod
    def run(plan: tuple[tuple[str, Callable], ...], env: dict[str, Any]) -> dict[str, Any]:
        """Evaluate `plan` into `env` (in place) and return it."""
        for key, fn in plan:
            env[key] = fn(env)
        return env


# ---- small expressions over the environment ------------------------------------------


def symbols_of(exprs: Iterable[Expr]) -> set[str]:
    """Union of the keys the expressions read."""
    out: set[str] = set()
    for e in exprs:
        out |= e.symbols
    return out


def constant(value: float) -> Expr:
    """A compile-time constant."""
    return Expr(lambda env: value, "num", frozenset(), const=value)


def ref(key: str) -> Expr:
    """The value under `key`."""
    return Expr(lambda env: env[key], "num", frozenset({key}))


def scaled(key: str | None, comp: str, *, multiply: bool, constant: float | None = None) -> Expr:
    """``env[key] * V`` or ``env[key] / V`` (or a constant instead of ``env[key]``)."""
    if key is None:
        if multiply:
            return Expr(lambda env: constant * env[comp], "num", frozenset({comp}))
        return Expr(lambda env: constant / env[comp], "num", frozenset({comp}))
    if multiply:
        return Expr(lambda env: env[key] * env[comp], "num", frozenset({key, comp}))
    return Expr(lambda env: env[key] / env[comp], "num", frozenset({key, comp}))


def divided(expr: Expr, comp: str) -> Expr:
    """`expr` divided by the size of compartment `comp`."""
    f = expr.fn
    return Expr(lambda env: f(env) / env[comp], "num", expr.symbols | {comp})


def per_volume(rate: Expr, conc_key: str, comp: str, dv: Expr | None) -> Expr:
    """d concentration / dt from d amount / dt: ``(rate - C dV/dt) / V``."""
    f = rate.fn
    if dv is None:
        return Expr(
            lambda env: f(env) / env[comp], "num", rate.symbols | {comp}, thresholds=rate.thresholds
        )
    g = dv.fn
    return Expr(
        lambda env: (f(env) - env[conc_key] * g(env)) / env[comp],
        "num",
        rate.symbols | dv.symbols | {comp, conc_key},
        thresholds=rate.thresholds | dv.thresholds,
    )
