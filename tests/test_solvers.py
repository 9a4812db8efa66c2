"""The Rosenbrock methods: convergence order, dense output, Diffrax interface, gradients."""

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from pathjax.solvers import TABLEAUX, Rodas4, Rodas5P, Ros3P, Rosenbrock23


def vdp(t, y, args):
    mu = args
    return jnp.stack([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0] + 0.1 * jnp.sin(t)])


Y0 = jnp.array([2.0, 0.0])
T1 = 1.0


def reference(ts):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vdp), diffrax.Kvaerno5(), 0.0, T1, 1e-4, Y0, args=1.0,
        saveat=diffrax.SaveAt(ts=ts), max_steps=100000,
        stepsize_controller=diffrax.PIDController(rtol=1e-13, atol=1e-13),
    )  # fmt: skip
    return np.asarray(sol.ys)


def fixed_step(solver, h, ts):
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vdp), solver, 0.0, T1, h, Y0, args=1.0,
        saveat=diffrax.SaveAt(ts=ts), max_steps=100000,
        stepsize_controller=diffrax.ConstantStepSize(),
    )  # fmt: skip
    return np.asarray(sol.ys)


@pytest.mark.parametrize(
    "solver, order, dense_order",
    [(Rodas5P(), 5, 4), (Rodas4(), 4, 3), (Rosenbrock23(), 2, 2), (Ros3P(), 3, 3)],
)
def test_convergence_order(solver, order, dense_order):
    """Global error at the end point shrinks as h^order; at points between steps (dense
    output) at least as h^dense_order. Tolerance 0.35 on the fitted slope."""
    hs = [1 / 16, 1 / 32, 1 / 64]
    end = jnp.array([T1])
    mid = jnp.array([0.5 + 1 / 256])  # never on a step boundary
    ref_end, ref_mid = reference(end), reference(mid)
    e_end = [np.max(np.abs(fixed_step(solver, h, end) - ref_end)) for h in hs]
    e_mid = [np.max(np.abs(fixed_step(solver, h, mid) - ref_mid)) for h in hs]
    slope_end = np.polyfit(np.log(hs), np.log(e_end), 1)[0]
    slope_mid = np.polyfit(np.log(hs), np.log(e_mid), 1)[0]
    assert slope_end > order - 0.35, (slope_end, e_end)
    assert slope_mid > dense_order - 0.35, (slope_mid, e_mid)


def test_stiff_decay_is_stable_with_huge_steps():
    """L-stability: y' = -1e6 (y - cos t) with h = 0.1 (h * lambda = -1e5) stays on the
    slow manifold y ~ cos t instead of oscillating or blowing up; the remaining error is
    the method's own (order 2 for Rosenbrock23: ~4e-4 at this h)."""

    def f(t, y, args):
        return -1e6 * (y - jnp.cos(t))

    for solver in (Rodas5P(), Rodas4(), Rosenbrock23()):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(f), solver, 0.0, 1.0, 0.1, jnp.array([0.0]),
            stepsize_controller=diffrax.ConstantStepSize(),
        )  # fmt: skip
        assert abs(float(sol.ys[-1, 0]) - np.cos(1.0)) < 1e-3


def test_tableau_consistency():
    for name, tab in TABLEAUX.items():
        s = tab.stages
        assert tab.a.shape == (s, s) and tab.C.shape == (s, s)
        assert np.allclose(np.triu(tab.a), 0) and np.allclose(np.triu(tab.C), 0), name
        # linear scalar test: one step reproduces exp(z) to the method's local order
        errs = []
        for z in (-0.1, -0.05):
            ks = []
            W = 1 / tab.gamma - z
            for i in range(s):
                u = 1.0 + sum(tab.a[i, j] * ks[j] for j in range(i))
                ks.append((z * u + sum(tab.C[i, j] * ks[j] for j in range(i))) / W)
            errs.append(abs(1.0 + tab.b @ np.array(ks) - np.exp(z)))
        assert np.log2(errs[0] / errs[1]) > tab.order + 1 - 0.3, name


def test_gradient_through_diffrax_solve_matches_finite_differences():
    """Reverse mode through Diffrax's checkpointed adjoint with our solver."""

    def final(mu):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(vdp), Rodas5P(), 0.0, T1, 0.01, Y0, args=mu,
            stepsize_controller=diffrax.PIDController(rtol=1e-10, atol=1e-10), max_steps=10000,
        )  # fmt: skip
        return sol.ys[-1, 0]

    g = jax.grad(final)(1.0)
    eps = 1e-5
    fd = (final(1.0 + eps) - final(1.0 - eps)) / (2 * eps)
    assert abs(float(g) - float(fd)) < 1e-6 * max(1.0, abs(float(fd)))


def test_zero_length_steps_under_vmap_keep_gradients_finite():
    """A batch element that has finished keeps taking t1 == t0 steps under vmap; they must
    not turn its gradient into NaN."""

    def final(k):
        def one(kk):
            sol = diffrax.diffeqsolve(
                diffrax.ODETerm(lambda t, y, a: -a * y), Rodas5P(), 0.0, 3.0, None,
                jnp.array([3.0]), args=kk, max_steps=4096,
                stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10),
                adjoint=diffrax.RecursiveCheckpointAdjoint(4096),
            )  # fmt: skip
            return sol.ys[-1, 0]

        return jnp.sum(jax.vmap(one)(k))

    k = jnp.array([0.5, 0.8])
    g = jax.grad(final)(k)
    exact = -3.0 * 3.0 * np.exp(-3.0 * np.asarray(k))  # d/dk 3 e^{-3k}
    np.testing.assert_allclose(np.asarray(g), exact, rtol=1e-5)


@pytest.mark.parametrize("n", [12, 45])
def test_level_scheduled_lu_matches_dense_solve(n):
    """The level-scheduled sparse LU (the engine's default) and the unrolled one solve
    W x = b like a dense solver, on a random sparse pattern."""
    from pathjax.solvers._sparse import LevelLU, SparseLU

    rng = np.random.default_rng(n)
    pattern = {(i, i) for i in range(n)}
    for i in range(n):
        for j in rng.choice(np.arange(max(0, i - 5), min(n, i + 6)), 3):
            pattern.add((i, int(j)))
    B = 7
    W = {k: rng.random(B) + (n if k[0] == k[1] else 0.0) for k in pattern}
    dense = np.zeros((B, n, n))
    for (i, j), v in W.items():
        dense[:, i, j] = v
    b = rng.random((n, B))
    expected = np.linalg.solve(dense, b.T[..., None])[..., 0].T
    for cls in (LevelLU, SparseLU):
        lu = cls(n, pattern)
        x = np.stack(
            lu.solve(lu.factor({k: jnp.asarray(v) for k, v in W.items()}), list(jnp.asarray(b)))
        )
        np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-14)


def test_column_groups_share_no_row_and_cover_every_column():
    import pathjax
    from pathjax.solvers import model_structure

    for name in ("sedaghat2002", "brannmark2013"):
        st = model_structure(pathjax.models.load(name))
        seen = set()
        for group in st.column_groups:
            rows = [set(st.columns[j]) for j in group]
            for a in range(len(rows)):
                for b in range(a + 1, len(rows)):
                    assert not rows[a] & rows[b], (name, group)
            seen.update(group)
        assert seen == {j for j in range(st.n) if st.columns[j]}
        assert len(st.column_groups) < st.n / 3  # the point of compressing
