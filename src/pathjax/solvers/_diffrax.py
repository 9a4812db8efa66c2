"""The Rosenbrock methods as Diffrax solvers.

These follow Diffrax's conventions (``diffeqsolve(ODETerm(f), Rodas5P(), ...)`` with
any step-size controller, `SaveAt` and adjoint; the state is a 1-D array), use one
dense Jacobian (`jax.jacfwd`) and one LU factorisation per step, and give the method's
own dense output. They serve ``simulate(..., solver=Rodas5P())`` and Diffrax users, and
the benchmarks compare them with the batch-native engine (pathjax's own derivatives go
through the engine, in both modes).
"""

from collections.abc import Callable
from typing import ClassVar

import diffrax
import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
from diffrax import AbstractAdaptiveSolver, AbstractLocalInterpolation, AbstractTerm

from ._tableau import RODAS4, RODAS5P, ROS3P, ROSENBROCK23, RosenbrockTableau

__all__ = ["Rodas4", "Rodas5P", "Ros3P", "Rosenbrock23"]


class RosenbrockInterpolation(AbstractLocalInterpolation):
    """Dense output of a Rosenbrock step: the method's own polynomial (Rodas) or cubic
    Hermite from the end-point derivatives (Ros3P)."""

    t0: jax.Array
    t1: jax.Array
    y0: jax.Array
    y1: jax.Array
    q: jax.Array  # (3, n) polynomial corrections

    def evaluate(self, t0, t1=None, left: bool = True):
        del left
        if t1 is not None:
            return jax.tree_util.tree_map(lambda a, b: a - b, self.evaluate(t1), self.evaluate(t0))
        th = (t0 - self.t0) / jnp.where(self.t1 == self.t0, 1.0, self.t1 - self.t0)
        t1m = 1.0 - th
        return t1m * self.y0 + th * (
            self.y1 + t1m * (self.q[0] + th * (self.q[1] + th * self.q[2]))
        )


class _AbstractRosenbrock(AbstractAdaptiveSolver):
    """Shared step of the W-transformed Rosenbrock methods (see `_tableau`)."""

    term_structure: ClassVar = AbstractTerm
    interpolation_cls: ClassVar[Callable[..., RosenbrockInterpolation]] = RosenbrockInterpolation
    tableau: ClassVar[RosenbrockTableau]

    def order(self, terms):
        return self.tableau.order

    def error_order(self, terms):
        return self.tableau.error_order

    def init(self, terms, t0, t1, y0, args):
        return None

    def func(self, terms, t0, y0, args):
        return terms.vf(t0, y0, args)

    def step(self, terms, t0, t1, y0, args, solver_state, made_jump):
        del solver_state, made_jump
        tab = self.tableau
        flat0 = y0
        if not (isinstance(y0, jax.Array) and y0.ndim == 1):
            raise ValueError(f"{type(self).__name__} needs y0 to be a 1-D array")
        dtype = flat0.dtype
        # Under vmap a finished batch element keeps taking steps with t1 == t0; the step
        # is computed with a harmless length and its result replaced by y0, so that no
        # infinity reaches (and poisons) the gradients of that element.
        empty = t1 == t0
        h = jnp.where(empty, 1.0, t1 - t0)

        def f(t, y):
            return terms.vf(t, y, args)

        f0 = f(t0, flat0)
        jac = jax.jacfwd(lambda y: f(t0, y))(flat0)
        dT = jax.jvp(lambda t: f(t, flat0), (t0,), (jnp.ones_like(t0),))[1]
        n = flat0.shape[0]
        W = jnp.eye(n, dtype=dtype) / (h * tab.gamma) - jac
        lu = jsl.lu_factor(W)
        ks = []
        for s in range(tab.stages):
            if s == 0:
                fs = f0
            else:
                arg = flat0 + sum(tab.a[s, j] * ks[j] for j in range(s) if tab.a[s, j] != 0.0)
                fs = f(t0 + tab.c[s] * h, arg)
            r = fs + h * tab.d[s] * dT
            if s > 0:
                r = r + sum(tab.C[s, j] * ks[j] for j in range(s) if tab.C[s, j] != 0.0) / h
            ks.append(jsl.lu_solve(lu, r))
        y1 = flat0 + sum(tab.b[j] * ks[j] for j in range(tab.stages) if tab.b[j] != 0.0)
        err = sum(tab.e[j] * ks[j] for j in range(tab.stages) if tab.e[j] != 0.0)
        if tab.H is None:
            f1 = f(t0 + h, y1)
            delta = y1 - flat0
            q = jnp.stack([h * f0 - delta, 2.0 * delta - h * f0 - h * f1, jnp.zeros_like(f0)])
        else:
            K = jnp.stack(ks)
            q = jnp.einsum("mj,jn->mn", jnp.asarray(tab.H, dtype), K)
            if q.shape[0] < 3:
                q = jnp.concatenate([q, jnp.zeros((3 - q.shape[0], n), dtype)])
        y1 = jnp.where(empty, flat0, y1)
        err = jnp.where(empty, 0.0, err)
        q = jnp.where(empty, 0.0, q)
        dense_info = dict(y0=flat0, y1=y1, q=q)
        return y1, err, dense_info, None, diffrax.RESULTS.successful


class Rodas5P(_AbstractRosenbrock):
    """Rodas5P (Steinebach 2023): 8 stages, order 5 (embedded 4), stiffly accurate,
    order-4 dense output. The default for stiff ensembles at rtol <= 1e-5."""

    tableau: ClassVar[RosenbrockTableau] = RODAS5P


class Rodas4(_AbstractRosenbrock):
    """Rodas4 (Hairer & Wanner): 6 stages, order 4 (embedded 3), stiffly accurate,
    order-3 dense output."""

    tableau: ClassVar[RosenbrockTableau] = RODAS4


class Ros3P(_AbstractRosenbrock):
    """Ros3P (Lang & Verwer 2001): 3 stages, order 3 (embedded 2), cubic Hermite dense
    output. Its error estimate vanishes on linear autonomous problems (see `_tableau`);
    prefer `Rosenbrock23` at loose tolerances."""

    tableau: ClassVar[RosenbrockTableau] = ROS3P


class Rosenbrock23(_AbstractRosenbrock):
    """Rosenbrock23 (Shampine & Reichelt 1997, MATLAB's ode23s): order 2 with an
    order-3 error estimate, L-stable; for loose tolerances. Cubic Hermite dense output."""

    tableau: ClassVar[RosenbrockTableau] = ROSENBROCK23
