"""Structural sparsity of a model's Jacobian and a sparse LU unrolled over it.

Biochemical networks couple each species to a handful of others: Brännmark 2013 has
91 Jacobian non-zeros out of 27 x 27 = 729. Working on the structural non-zeros only,
with an elimination order chosen once per model (minimum degree), turns a dense
27 x 27 LU (~6,500 multiply-adds) into ~100. The factorisation and the triangular
solves are emitted as straight-line code over *batch vectors* (one value per patient),
which XLA fuses into a few loops over the patient axis on CPU and GPU alike.

The pattern is read off the traced program (which state each derivative can depend
on), so it is exact for the code as written and never misses a dependency.
"""

import functools
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["JacobianStructure", "SparseLU", "jacobian_structure"]


def _var_deps(jaxpr, in_deps: Sequence[frozenset]) -> list[frozenset]:
    """Which input indices each output of `jaxpr` can depend on."""
    deps: dict = {}
    for v, d in zip(jaxpr.invars, in_deps):
        deps[v] = d
    for v in jaxpr.constvars:
        deps[v] = frozenset()

    def get(a) -> frozenset:
        if type(a).__name__ == "Literal":
            return frozenset()
        return deps.get(a, frozenset())

    for eqn in jaxpr.eqns:
        ins = [get(a) for a in eqn.invars]
        sub = None
        for key in ("jaxpr", "call_jaxpr", "fun_jaxpr"):
            cand = eqn.params.get(key)
            if cand is not None:
                sub = cand
                break
        if sub is not None and eqn.primitive.name in (
            "pjit",
            "jit",
            "closed_call",
            "core_call",
            "custom_jvp_call",
            "remat",
            "checkpoint",
        ):
            inner = getattr(sub, "jaxpr", sub)
            if len(inner.invars) == len(ins):
                outs = _var_deps(inner, ins)
                for o, d in zip(eqn.outvars, outs):
                    deps[o] = d
                continue
        union = frozenset().union(*ins) if ins else frozenset()
        for o in eqn.outvars:
            deps[o] = union
    return [get(o) for o in jaxpr.outvars]


class JacobianStructure:
    """Which entries of d f / d y (and d f / d t) can be non-zero.

    Attributes:
        n: number of states.
        pattern: frozenset of (row, col) pairs.
        columns: for each column j, the rows i with (i, j) in `pattern`.
        time_dependent: rows whose derivative depends explicitly on t.
    """

    def __init__(self, n: int, pattern: frozenset, time_rows: frozenset):
        self.n = n
        self.pattern = pattern
        self.columns = tuple(tuple(sorted(i for (i, j) in pattern if j == c)) for c in range(n))
        self.time_dependent = tuple(sorted(time_rows))

    @property
    def nnz(self) -> int:
        return len(self.pattern)

    @functools.cached_property
    def column_groups(self) -> tuple[tuple[int, ...], ...]:
        """Columns partitioned so that no two in a group share a row (greedy colouring,
        densest columns first): one JVP per group recovers all their entries."""
        groups: list[list[int]] = []
        rows_of: list[set[int]] = []
        order = sorted(range(self.n), key=lambda c: (-len(self.columns[c]), c))
        for c in order:
            rows = set(self.columns[c])
            if not rows:
                continue
            for g, used in zip(groups, rows_of):
                if not (used & rows):
                    g.append(c)
                    used |= rows
                    break
            else:
                groups.append([c])
                rows_of.append(set(rows))
        return tuple(tuple(sorted(g)) for g in groups)

    @functools.cached_property
    def lu(self) -> "SparseLU":
        import os

        if os.environ.get("PATHJAX_LU") == "unrolled":
            return SparseLU(self.n, self.pattern)
        return LevelLU(self.n, self.pattern)


def jacobian_structure(f: Callable, n: int, n_p: int, n_u: int) -> JacobianStructure:
    """Trace ``f(t, ys, ps, us) -> tuple`` with scalar arguments and read the pattern."""

    def flat(t, *args):
        ys = args[:n]
        ps = args[n : n + n_p]
        us = args[n + n_p :]
        out = f(t, ys, ps, us)
        return tuple(jnp.asarray(v, dtype=jnp.float64) for v in out)

    args = [0.5] * (n + n_p + n_u)
    closed = jax.make_jaxpr(flat)(0.5, *args)
    in_deps = [frozenset({"t"})] + [frozenset({i}) for i in range(n)] + [frozenset()] * (n_p + n_u)
    outs = _var_deps(closed.jaxpr, in_deps)
    pattern = frozenset((i, j) for i, d in enumerate(outs) for j in d if j != "t")
    time_rows = frozenset(i for i, d in enumerate(outs) if "t" in d)
    return JacobianStructure(n, pattern, time_rows)


def _min_degree_order(n: int, pattern) -> list[int]:
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    for i, j in pattern:
        if i != j:
            adj[i].add(j)
            adj[j].add(i)
    order: list[int] = []
    remaining = set(range(n))
    while remaining:
        k = min(remaining, key=lambda v: (len(adj[v]), v))
        nb = adj[k]
        for a in nb:
            adj[a] |= nb - {a}
            adj[a].discard(k)
        order.append(k)
        remaining.remove(k)
        adj[k] = set()
    return order


class SparseLU:
    """LU factorisation without pivoting over a fixed pattern, as unrolled code.

    The matrices factorised are ``W = I/(h gamma) - J``. For small enough steps W is
    diagonally dominant, so diagonal pivots are safe; a step whose factorisation or
    solve produces a non-finite value is rejected and retried with a smaller step,
    which restores that dominance.

    Values are dictionaries ``{(i, j): batch vector}`` in the original numbering.
    """

    def __init__(self, n: int, pattern):
        full = set(pattern) | {(i, i) for i in range(n)}
        self.n = n
        self.order = _min_degree_order(n, full)
        pos = {v: k for k, v in enumerate(self.order)}
        P = {(pos[i], pos[j]) for (i, j) in full}
        self.rows: list[list[int]] = []
        self.cols: list[list[int]] = []
        for k in range(n):
            rows = sorted(i for i in range(k + 1, n) if (i, k) in P)
            cols = sorted(j for j in range(k + 1, n) if (k, j) in P)
            for i in rows:
                for j in cols:
                    P.add((i, j))
            self.rows.append(rows)
            self.cols.append(cols)
        self.filled = frozenset(P)
        self.lower = [sorted(j for j in range(i) if (i, j) in P) for i in range(n)]
        self.upper = [sorted(j for j in range(i + 1, n) if (i, j) in P) for i in range(n)]

    @property
    def nnz(self) -> int:
        return len(self.filled)

    @property
    def flops(self) -> int:
        return sum(len(r) * (1 + len(c)) for r, c in zip(self.rows, self.cols))

    def factor(self, W: dict) -> tuple[dict, list]:
        o = self.order
        a = {(i, j): W.get((o[i], o[j]), 0.0) for (i, j) in self.filled}
        inv: list = [None] * self.n
        for k in range(self.n):
            inv[k] = 1.0 / a[(k, k)]
            for i in self.rows[k]:
                lik = a[(i, k)] * inv[k]
                a[(i, k)] = lik
                for j in self.cols[k]:
                    a[(i, j)] = a[(i, j)] - lik * a[(k, j)]
        return a, inv

    def solve(self, factors: tuple[dict, list], b: Sequence) -> list:
        a, inv = factors
        o = self.order
        x = [b[o[i]] for i in range(self.n)]
        for i in range(self.n):
            s = x[i]
            for j in self.lower[i]:
                s = s - a[(i, j)] * x[j]
            x[i] = s
        for i in reversed(range(self.n)):
            s = x[i]
            for j in self.upper[i]:
                s = s - a[(i, j)] * x[j]
            x[i] = s * inv[i]
        out: list = [None] * self.n
        for i in range(self.n):
            out[o[i]] = x[i]
        return out


def dense_pattern_fraction(structure: JacobianStructure) -> float:
    return structure.nnz / max(1, structure.n**2)


def check_pattern(structure: JacobianStructure, jac: np.ndarray, tol: float = 0.0) -> list:
    """Entries of a numerically evaluated Jacobian that fall outside the pattern."""
    bad = []
    for i in range(jac.shape[0]):
        for j in range(jac.shape[1]):
            if abs(jac[i, j]) > tol and (i, j) not in structure.pattern:
                bad.append((i, j))
    return bad


class LevelLU(SparseLU):
    """The same factorisation, scheduled by levels and written with gathers/scatters.

    The straight-line code of `SparseLU` is fastest for small systems, but XLA duplicates
    the long chains of the triangular solves into every fusion that reads them, so its
    compile time grows steeply past a few hundred operations (minutes for 80-100
    states). Here the factors live in one array ``(nnz, patient)``; pivots whose
    eliminations are independent (one level of the elimination dependency graph) are
    processed together, and so are the rows of a triangular solve that depend only on
    earlier levels. The program has O(levels) operations instead of O(non-zeros).
    """

    def __init__(self, n: int, pattern):
        super().__init__(n, pattern)
        P = self.filled
        keys = sorted(P)
        self.keys = keys
        pos = {k: i for i, k in enumerate(keys)}
        self.pos = pos
        lev = [0] * n
        for k in range(n):
            deps = [j for j in range(k) if (k, j) in P or (j, k) in P]
            lev[k] = 1 + max((lev[j] for j in deps), default=0)
        self.factor_levels = []
        for level in range(1, max(lev, default=0) + 1):
            K = [k for k in range(n) if lev[k] == level]
            owner = {k: i for i, k in enumerate(K)}
            lpos, lown, tpos, lsrc, usrc = [], [], [], [], []
            for k in K:
                for i in self.rows[k]:
                    lpos.append(pos[(i, k)])
                    lown.append(owner[k])
                    for j in self.cols[k]:
                        tpos.append(pos[(i, j)])
                        lsrc.append(pos[(i, k)])
                        usrc.append(pos[(k, j)])
            self.factor_levels.append(
                tuple(
                    np.asarray(v, dtype=np.int32)
                    for v in (K, [pos[(k, k)] for k in K], lpos, lown, tpos, lsrc, usrc)
                )
            )
        self.forward_levels = self._solve_levels(self.lower, range(n))
        self.backward_levels = self._solve_levels(self.upper, reversed(range(n)))
        self.inverse_order = np.argsort(np.asarray(self.order))

    def _solve_levels(self, deps, sequence):
        lev: dict[int, int] = {}
        for i in sequence:
            lev[i] = 1 + max((lev[j] for j in deps[i]), default=0)
        out = []
        for level in range(1, max(lev.values(), default=0) + 1):
            R = [i for i in sorted(lev) if lev[i] == level]
            local = {i: r for r, i in enumerate(R)}
            epos, ecol, erow = [], [], []
            for i in R:
                for j in deps[i]:
                    epos.append(self.pos[(i, j)])
                    ecol.append(j)
                    erow.append(local[i])
            out.append(tuple(np.asarray(v, dtype=np.int32) for v in (R, epos, ecol, erow)))
        return out

    def factor(self, W: dict):
        o = self.order
        some = next(v for v in W.values() if hasattr(v, "shape") and v.shape)
        zero = jnp.zeros_like(some)
        A = jnp.stack(
            [jnp.broadcast_to(W.get((o[i], o[j]), zero), some.shape) for (i, j) in self.keys]
        )
        inv_all = jnp.zeros((self.n,) + some.shape, some.dtype)
        for K, piv, lpos, lown, tpos, lsrc, usrc in self.factor_levels:
            inv = 1.0 / A[piv]
            inv_all = inv_all.at[K].set(inv, unique_indices=True)
            if lpos.size:
                A = A.at[lpos].multiply(inv[lown], unique_indices=True)
            if tpos.size:
                A = A.at[tpos].add(-A[lsrc] * A[usrc])
        return A, inv_all

    def solve(self, factors, b: Sequence) -> list:
        A, inv_all = factors
        x = jnp.stack([jnp.broadcast_to(b[k], A.shape[1:]) for k in self.order])
        for R, epos, ecol, erow in self.forward_levels:
            if epos.size:
                sums = jax.ops.segment_sum(A[epos] * x[ecol], erow, num_segments=R.size)
                x = x.at[R].add(-sums, unique_indices=True)
        for R, epos, ecol, erow in self.backward_levels:
            if epos.size:
                sums = jax.ops.segment_sum(A[epos] * x[ecol], erow, num_segments=R.size)
                x = x.at[R].set((x[R] - sums) * inv_all[R], unique_indices=True)
            else:
                x = x.at[R].multiply(inv_all[R], unique_indices=True)
        x = x[self.inverse_order]
        return [x[i] for i in range(self.n)]
