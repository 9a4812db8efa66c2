"""Steady states of a batch: pseudo-transient continuation into Newton's method, on the
system reduced by the model's conservation laws, differentiable by the implicit
function theorem.

Why not only integrate for a long time (what pre-equilibration did before): a
signalling model relaxes over thousands of minutes, so integration costs hundreds of
steps per patient, and its result depends on how long is "long". A steady state is the
root of ``f(y) = 0``; Newton's method finds it in a few iterations with the engine's own
sparse Jacobian and LU.

Two things stand in the way of plain Newton:

* **Conservation laws** (``w . f(y) = 0`` for every y, e.g. a receptor's forms adding
  up to a total) make the Jacobian singular: the steady state is only determined
  together with the totals ``w . y = w . y0``. They are found numerically (the left
  null space of the Jacobians and right-hand sides at random points, so models given
  as code and imported SBML are treated alike) and brought to reduced row echelon
  form; each law replaces the equation of one state (its pivot) by ``c - w . y = 0``.
* **A poor starting point**: Newton from far away diverges. Each iteration solves
  ``(I / tau - J) dy = G(y)`` (pseudo-transient continuation; Kelley & Keyes 1998,
  SIAM J Numer Anal 35:508): a small `tau` is an implicit Euler step of the dynamics
  (robust, and the matrix is diagonally dominant, so the LU needs no pivoting), and
  `tau` grows as the residual falls (switched evolution relaxation), so that the last
  iterations are Newton steps and converge quadratically. A step that raises the
  residual is refused and `tau` shrinks.

What it does not decide: Newton's method converges to unstable equilibria as readily
as to stable ones (Topp 2000's saddle between the healthy and the diabetic state is a
root too), and on a model with slow states (the composite model's beta-cell mass over
weeks) the root moves those states to *their* equilibrium, where a pre-equilibration of
a few days leaves them nearly where they started. A caller that needs the state the
dynamics reach must check stability or hold such states fixed.

Every patient iterates on its own (its own `tau`, its own end); the batch stops when
all are done. The result is judged as AMICI's steady-state check does: the RMS of
``f(y) / (atol + rtol |y|)`` below 1 is a steady state; otherwise the status is
`Status.NO_STEADY_STATE` and the caller falls back to integration.

Derivatives: the root ``y*(p, y0)`` satisfies ``G(y*, p, c) = 0`` with ``c = W y0``,
so ``dy* = M^-1 (dG/dp dp + E W dy0)`` with ``M = -dG/dy`` at the root (``E`` puts the
totals' change on the pivot rows): forward mode solves with `M`, reverse mode with its
transpose (JAX transposes the linear solve), and the iteration itself is never
differentiated.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import Status
from ._batch import batch_jacobian, batch_rhs, model_structure, rows
from ._sparse import LevelLU

__all__ = ["ConservationLaws", "SteadyState", "conservation_laws", "steady_state"]


class ConservationLaws(NamedTuple):
    """Conserved weighted sums of states, ``weights @ y`` constant in time.

    Attributes:
        weights: (law, state) in reduced row echelon form (``weights[k, pivots[k]] == 1``
            and zero in every other pivot column).
        pivots: for each law, the state whose equation the law replaces.
    """

    weights: np.ndarray
    pivots: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.pivots)


def _sample_point(model, rng) -> tuple:
    """A random admissible point (t, y, p, u) around the model's defaults."""
    y = np.array([s.default for s in model.state_specs], dtype=np.float64)
    y = np.abs(y) * np.exp(rng.normal(0.0, 0.5, y.shape)) + rng.uniform(0.1, 1.0, y.shape)
    p = np.array([q.default for q in model.param_specs], dtype=np.float64)
    p = p * np.exp(rng.normal(0.0, 0.3, p.shape))
    u = np.array([i.default for i in model.input_specs], dtype=np.float64)
    u = np.abs(u) * np.exp(rng.normal(0.0, 0.3, u.shape)) + rng.uniform(0.1, 1.0, u.shape)
    return float(rng.uniform(0.0, 1.0)), y, p, u


@functools.lru_cache(maxsize=64)
def conservation_laws(model, samples: int = 3, tol: float = 1e-9) -> ConservationLaws:
    """The conservation laws of `model`, found numerically (cached per model).

    A weight vector ``w`` is conserved when ``w . f(y) = 0`` for all y, hence
    ``w . J(y) = 0`` too. Both are evaluated at `samples` random points; the left null
    space of ``[J_1 .. J_k, f_1 .. f_k]`` (columns scaled to unit length, which leaves
    the null space unchanged) holds the laws. Weights below `tol` are zero.

    Args:
        model: a `pathjax.Model`.
        samples: random points (each adds n + 1 columns).
        tol: relative singular-value threshold of the null space.

    Returns:
        `ConservationLaws` (none for a model without any).

    Examples:
        >>> import pathjax
        >>> from pathjax.solvers import conservation_laws
        >>> laws = conservation_laws(pathjax.models.load("brannmark2013"))
        >>> laws.count  # IR, IRS1, X, PKB, mTORC1, mTORC2, AS160, GLUT4, S6K, S6
        10
    """
    n = len(model.state_specs)
    if n == 0:
        return ConservationLaws(np.zeros((0, 0)), ())

    def f(t, y, p, u):
        return jnp.stack(
            [jnp.asarray(v, jnp.float64) for v in model.rhs_tuple(t, tuple(y), tuple(p), tuple(u))]
        )

    value_and_jac = jax.jit(lambda t, y, p, u: (f(t, y, p, u), jax.jacfwd(f, 1)(t, y, p, u)))
    rng = np.random.default_rng(0)
    cols = []
    # concrete values even when first asked for inside a traced function
    with jax.ensure_compile_time_eval():
        for _ in range(samples):
            fv, jv = value_and_jac(*_sample_point(model, rng))
            cols += [np.asarray(jv), np.asarray(fv)[:, None]]
    M = np.hstack(cols)
    norms = np.linalg.norm(M, axis=0)
    M = M[:, norms > 0] / norms[norms > 0]
    if M.shape[1] == 0:
        null = np.eye(n)
    else:
        U, s, _ = np.linalg.svd(M, full_matrices=True)
        rank = int(np.sum(s > tol * s[0])) if s.size and s[0] > 0 else 0
        null = U[:, rank:].T
    return _row_echelon(null, tol)


def _row_echelon(W: np.ndarray, tol: float) -> ConservationLaws:
    """Gauss-Jordan elimination with the largest remaining entry of each row as pivot."""
    W = np.array(W, dtype=np.float64)
    pivots: list[int] = []
    for k in range(W.shape[0]):
        free = [j for j in range(W.shape[1]) if j not in pivots]
        j = max(free, key=lambda c: abs(W[k, c]))
        W[k] /= W[k, j]
        for r in range(W.shape[0]):
            if r != k:
                W[r] -= W[r, j] * W[k]
        pivots.append(j)
    W[np.abs(W) < tol] = 0.0
    return ConservationLaws(W, tuple(pivots))


class _Reduced:
    """The residual ``G`` (f, with each law's pivot row replaced by ``c - w . y``) and the
    sparse LU of ``I / tau - dG/dy`` over its pattern."""

    def __init__(self, model):
        st = model_structure(model)
        self.laws = conservation_laws(model)
        self.n = st.n
        self.pivots = np.asarray(self.laws.pivots, dtype=np.int32)
        pivot_set = set(self.laws.pivots)
        support = {
            (int(piv), int(j))
            for piv, w in zip(self.laws.pivots, self.laws.weights)
            for j in np.flatnonzero(w)
        }
        self.law_entries = tuple(
            (piv, tuple((int(j), float(w[j])) for j in np.flatnonzero(w)))
            for piv, w in zip(self.laws.pivots, self.laws.weights)
        )
        self.pattern = frozenset({(i, j) for (i, j) in st.pattern if i not in pivot_set} | support)
        self.lu = LevelLU(self.n, self.pattern)
        self.nonnegative = np.array([s.nonnegative for s in model.state_specs], bool)


@functools.lru_cache(maxsize=64)
def _reduced(model) -> _Reduced:
    return _Reduced(model)


def _residual(model, red: _Reduced, y, ps, u, totals):
    """G(y): f(y) with each pivot row replaced by ``total - w . y``, (state, patient)."""
    G = batch_rhs(model, 0.0, y, ps, u)
    if red.laws.count:
        W = jnp.asarray(red.laws.weights, y.dtype)
        G = G.at[red.pivots].set(totals - W @ y, unique_indices=True)
    return G


def _neg_jacobian(model, red: _Reduced, y, ps, u) -> dict:
    """``-dG/dy`` over the reduced pattern, ``{(row, col): (patient,)}``."""
    J, _ = batch_jacobian(model, 0.0, y, ps, u)
    pivots = set(red.laws.pivots)
    M = {key: -v for key, v in J.items() if key[0] not in pivots}
    B = y.shape[1]
    for piv, entries in red.law_entries:
        for j, w in entries:
            M[(piv, j)] = jnp.full((B,), w, y.dtype)
    return M


def _scaled_norm(v, y, rtol, atol):
    return jnp.sqrt(jnp.mean((v / (atol + rtol * jnp.abs(y))) ** 2, axis=0))


def residual(model, y, P, u, rtol, atol) -> jax.Array:
    """(patient,) the scaled residual ``||f(y)||`` (RMS, weights ``1 / (atol + rtol
    |y|)``, as AMICI's steady-state check): below 1 is a steady state."""
    return _scaled_norm(batch_rhs(model, 0.0, y, rows(P), u), y, rtol, atol)


def reached(model, y, y0, P, u, rtol, atol) -> jax.Array:
    """(patient,) `y` is a steady state: finite, scaled `residual` below 1, and not run
    away (a residual scaled by ``|y|`` also falls when a state grows without bound, a
    production that nothing balances: a root a million times beyond every initial
    value is no steady state)."""
    res = residual(model, y, P, u, rtol, atol)
    reach = jnp.maximum(jnp.max(jnp.abs(y0), axis=0), 1.0)
    ok = jnp.isfinite(res) & (res < 1.0) & jnp.all(jnp.isfinite(y), axis=0)
    return ok & (jnp.max(jnp.abs(y), axis=0) <= 1e6 * reach)


class SteadyState(NamedTuple):
    """Result of `steady_state` (batch-last).

    Attributes:
        y: (state, patient) the steady states (NaN where none was found).
        status: (patient,) `Status.SUCCESS` or `Status.NO_STEADY_STATE`.
        residual: (patient,) RMS of ``f(y) / (atol + rtol |y|)`` at `y`.
        iterations: (patient,) iterations taken.
    """

    y: jax.Array
    status: jax.Array
    residual: jax.Array
    iterations: jax.Array


def _iterate(model, red, y0, ps, u, totals, rtol, atol, max_iter, target, patience=10):
    """Pseudo-transient continuation into Newton, per patient; returns (y, iterations)."""
    n = red.n
    B = y0.shape[1]
    dtype = y0.dtype
    keep_nonneg = jnp.asarray(red.nonnegative)[:, None]

    def G(y):
        return _residual(model, red, y, ps, u, totals)

    def norm(g, y):
        return _scaled_norm(g, y, rtol, atol)

    def step(y, tau):
        M = _neg_jacobian(model, red, y, ps, u)
        inv_tau = 1.0 / tau
        for i in range(n):
            M[(i, i)] = M.get((i, i), 0.0) + inv_tau
        factors = red.lu.factor(M)
        g = G(y)
        return jnp.stack(red.lu.solve(factors, rows(g)))

    # the fastest relaxation rate sets the first pseudo-time step
    J0 = _neg_jacobian(model, red, y0, ps, u)
    diag = jnp.stack([jnp.abs(J0.get((i, i), jnp.zeros((B,), dtype))) for i in range(n)])
    tau0 = 0.1 / jnp.maximum(jnp.max(diag, axis=0), 1e-12)
    g0 = norm(G(y0), y0)
    g0 = jnp.where(jnp.isfinite(g0), g0, jnp.inf)
    carry = dict(
        y=y0,
        tau=tau0,
        g=g0,
        best_y=y0,
        best_g=g0,
        stale=jnp.zeros((B,), jnp.int32),
        done=(g0 <= target) | ~jnp.isfinite(g0),
        it=jnp.zeros((B,), jnp.int32),
    )

    def cond(c):
        return jnp.any(~c["done"])

    def body(c):
        y, tau, g = c["y"], c["tau"], c["g"]
        active = ~c["done"]
        dy = step(y, tau)
        y_try = y + dy
        y_try = jnp.where(keep_nonneg & (y_try < 0), 0.0, y_try)
        g_try = norm(G(y_try), y_try)
        # the residual may rise during the transient (a small tau is a step of the
        # dynamics); only a non-finite step is refused
        accept = active & jnp.isfinite(g_try) & jnp.all(jnp.isfinite(y_try), axis=0)
        # switched evolution relaxation, with a floor on the growth so that a residual
        # that stays flat while slow modes relax does not stall the continuation
        ratio = jnp.clip(4.0 * g / jnp.maximum(g_try, 1e-300), 0.25, 1e3)
        tau_new = jnp.where(accept, jnp.minimum(tau * ratio, 1e30), tau * 0.1)
        y_new = jnp.where(accept[None], y_try, y)
        g_new = jnp.where(accept, g_try, g)
        better = accept & (g_new < 0.5 * c["best_g"])
        best_y = jnp.where((accept & (g_new < c["best_g"]))[None], y_new, c["best_y"])
        best_g = jnp.where(accept, jnp.minimum(g_new, c["best_g"]), c["best_g"])
        # patience counts Newton iterations only (tau far past every time scale)
        newton = tau >= 1e8 * tau0
        stale = jnp.where(better, 0, c["stale"] + (active & newton).astype(jnp.int32))
        it = c["it"] + active.astype(jnp.int32)
        # done: at the target, or no halving of the best residual in `patience`
        # iterations (the rounding floor, or no convergence), or out of iterations
        finished = (best_g <= target) | (stale >= patience) | (it >= max_iter)
        finished = finished | (active & (tau_new < 1e-12 * tau0))
        return dict(
            y=y_new,
            tau=jnp.where(active, tau_new, tau),
            g=g_new,
            best_y=best_y,
            best_g=best_g,
            stale=stale,
            done=c["done"] | finished,
            it=it,
        )

    c = jax.lax.while_loop(cond, body, carry)
    return c["best_y"], c["it"]


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _attach_derivatives(model, y_star, y0, P, u):
    """`y_star` unchanged; its derivatives by the implicit function theorem."""
    return y_star


@_attach_derivatives.defjvp
def _attach_derivatives_jvp(model, primals, tangents):
    y_star, y0, P, u = primals
    _, dy0, dP, du = tangents
    red = _reduced(model)
    n, B = y_star.shape
    ps = rows(P)

    def f_of(P_, u_):
        return batch_rhs(model, 0.0, y_star, rows(P_), u_)

    _, b = jax.jvp(f_of, (P, u), (dP, du))  # dG/dp dp + dG/du du on the f rows
    if red.laws.count:
        W = jnp.asarray(red.laws.weights, y_star.dtype)
        b = b.at[red.pivots].set(
            W @ dy0, unique_indices=True
        )  # the totals move with the initial state
    entries = _neg_jacobian(model, red, y_star, ps, u)
    M = jnp.zeros((B, n, n), y_star.dtype)
    keys = sorted(entries)
    if keys:
        r = np.array([k[0] for k in keys])
        col = np.array([k[1] for k in keys])
        M = M.at[:, r, col].set(jnp.stack([entries[k] for k in keys], axis=1))
    M = jax.lax.stop_gradient(M)
    dy = jnp.linalg.solve(M, b.T[..., None])[..., 0].T
    return y_star, dy


def steady_state(
    model,
    y0,
    P,
    u,
    *,
    rtol: float,
    atol: float,
    max_iter: int = 100,
    target: float = 1e-8,
) -> SteadyState:
    """The steady state of every patient of a batch, from its initial state `y0`.

    The totals of the conservation laws are those of `y0`. Differentiable in `y0`, `P`
    and `u` (forward and reverse mode) by the implicit function theorem.

    Args:
        model: a `pathjax.Model`.
        y0: (state, patient) initial states.
        P: (param, patient) parameters.
        u: (input, patient) input levels (held constant).
        rtol, atol: the tolerances the residual is scaled by (as the integrator's).
        max_iter: iterations allowed per patient.
        target: the scaled residual an iteration stops at (well below the acceptance
            threshold 1, so that the root is accurate to far better than the
            tolerances and its derivatives are too).

    Returns:
        `SteadyState`.
    """
    red = _reduced(model)
    sg = jax.lax.stop_gradient
    y0_, P_, u_ = sg(y0), sg(P), sg(u)
    totals = jnp.asarray(red.laws.weights, y0.dtype) @ y0_ if red.laws.count else None
    y, iterations = _iterate(model, red, y0_, rows(P_), u_, totals, rtol, atol, max_iter, target)
    res = residual(model, y, P_, u_, rtol, atol)
    ok = reached(model, y, y0_, P_, u_, rtol, atol)
    status = jnp.where(ok, Status.SUCCESS, Status.NO_STEADY_STATE).astype(jnp.int32)
    y = _attach_derivatives(model, y, y0, P, u)
    y = jnp.where(ok[None], y, jnp.nan)
    return SteadyState(y, status, res, iterations)
