"""Steady states by pseudo-transient continuation and Newton (`solvers._steady`): the
conservation laws it finds, its roots against long integrations and analytic roots, and
its implicit-function-theorem derivatives (forward and reverse) against analytic ones
and against differentiating a long integration."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pathjax
from pathjax import Model, Param, State, driver
from pathjax.solvers._steady import conservation_laws, steady_state

RTOL, ATOL = 1e-6, 1e-9


def _isomerisation() -> Model:
    """A closed A <-> B (k1, k2), and C made at rate v and removed at k3 C: A + B = T is
    conserved, so A* = k2 T / (k1 + k2), B* = k1 T / (k1 + k2), C* = v / k3."""

    def rhs(t, y, p, u):
        flux = p.k1 * y.A - p.k2 * y.B
        return {"A": -flux, "B": flux, "C": p.v - p.k3 * y.C}

    return Model(
        name="isomerisation",
        state_specs=(State("A", "mM", 3.0), State("B", "mM", 1.0), State("C", "mM", 0.0)),
        param_specs=(
            Param("k1", "1/min", 2.0),
            Param("k2", "1/min", 0.5),
            Param("v", "mM/min", 4.0),
            Param("k3", "1/min", 0.25),
        ),
        rhs_fn=rhs,
    )


def _batch(model, n, seed=0):
    rng = np.random.default_rng(seed)
    P = np.stack([p.default * np.exp(rng.normal(0, 0.2, n)) for p in model.param_specs])
    y0 = np.asarray(jax.vmap(model.initial_state, in_axes=1, out_axes=1)(jnp.asarray(P)))
    u = np.array([np.full(n, i.default) for i in model.input_specs]).reshape(-1, n)
    return jnp.asarray(y0), jnp.asarray(P), jnp.asarray(u)


def test_conservation_laws_are_found_for_code_and_declared_laws_lie_in_them():
    toy = conservation_laws(_isomerisation())
    assert toy.count == 1
    np.testing.assert_allclose(np.abs(toy.weights[0]), [1.0, 1.0, 0.0], atol=1e-12)
    model = pathjax.models.load("brannmark2013")
    laws = conservation_laws(model)
    assert laws.count == len(model.conservation) == 10
    index = {name: i for i, name in enumerate(model.state_names)}
    for law in model.conservation:
        w = np.zeros(len(index))
        for name, weight in law.weights:
            w[index[name]] = weight
        # the declared law is a combination of the found ones
        coef, *_ = np.linalg.lstsq(laws.weights.T, w, rcond=None)
        np.testing.assert_allclose(laws.weights.T @ coef, w, atol=1e-9)


def test_root_and_derivatives_match_the_analytic_steady_state():
    model = _isomerisation()
    y0, P, u = _batch(model, 3)

    def root(y0, P):
        return steady_state(model, y0, P, u, rtol=RTOL, atol=ATOL).y

    res = steady_state(model, y0, P, u, rtol=RTOL, atol=ATOL)
    assert np.all(np.asarray(res.status) == 0)
    k1, k2, v, k3 = np.asarray(P)
    total = np.asarray(y0[0] + y0[1])
    expected = np.stack([k2 * total / (k1 + k2), k1 * total / (k1 + k2), v / k3])
    np.testing.assert_allclose(np.asarray(res.y), expected, rtol=1e-12)
    # forward mode: d/dk1 and d/dA0 (the total moves with A0)
    dP = jnp.zeros_like(P).at[0].set(1.0)
    _, dy = jax.jvp(root, (y0, P), (jnp.zeros_like(y0), dP))
    np.testing.assert_allclose(dy[0], -k2 * total / (k1 + k2) ** 2, rtol=1e-10)
    np.testing.assert_allclose(dy[1], k2 * total / (k1 + k2) ** 2, rtol=1e-10)
    np.testing.assert_allclose(dy[2], 0.0, atol=1e-14)
    dy0 = jnp.zeros_like(y0).at[0].set(1.0)
    _, dy = jax.jvp(root, (y0, P), (dy0, jnp.zeros_like(P)))
    np.testing.assert_allclose(dy[0], k2 / (k1 + k2), rtol=1e-10)
    # reverse mode: gradient of sum(C*) by v and k3, of sum(A*) by k2
    gP = jax.grad(lambda P: root(y0, P)[2].sum())(P)
    np.testing.assert_allclose(gP[2], 1 / k3, rtol=1e-10)
    np.testing.assert_allclose(gP[3], -v / k3**2, rtol=1e-10)
    gP = jax.grad(lambda P: root(y0, P)[0].sum())(P)
    np.testing.assert_allclose(gP[1], k1 * total / (k1 + k2) ** 2, rtol=1e-10)


def test_works_when_first_called_inside_jit():
    # the conservation laws are computed (and cached) on first use, which may be in a trace
    model = _isomerisation()
    conservation_laws.cache_clear()
    y0, P, u = _batch(model, 2)
    y = jax.jit(lambda y0, P: steady_state(model, y0, P, u, rtol=RTOL, atol=ATOL).y)(y0, P)
    assert np.all(np.isfinite(np.asarray(y)))


def test_a_state_without_a_steady_state_is_flagged():
    def rhs(t, y, p, u):
        return {"x": p.k - 0.0 * y.x, "y": -y.y}

    model = Model(
        name="runaway",
        state_specs=(State("x", "1", 1.0), State("y", "1", 1.0)),
        param_specs=(Param("k", "1/min", 1.0),),
        rhs_fn=rhs,
    )
    y0, P, u = _batch(model, 2)
    res = steady_state(model, y0, P, u, rtol=RTOL, atol=ATOL)
    assert np.all(np.asarray(res.status) == int(pathjax.Status.NO_STEADY_STATE))
    assert np.all(np.isnan(np.asarray(res.y)))


@pytest.mark.parametrize("name", ["brannmark2013", "dallaman2007"])
def test_root_equals_a_long_integration_and_so_do_its_derivatives(name):
    """The root against 5,000 min of integration at rtol 1e-10, and d root / d p (two
    parameters, forward mode) against the derivative of that integration: 1e-6 of each
    state's range, the issue's bound (the integration's own error is ~1e-9)."""
    model = pathjax.models.load(name)
    n = 3
    y0, P, u = _batch(model, n, seed=1)

    @jax.jit
    def integrated(P):
        problem = driver.Problem.held(model, [5000.0], y0, P, u, 1e-10, 1e-13)
        return driver.solve(problem, with_observables=False).ys[-1]

    def root(P):
        return steady_state(model, y0, P, u, rtol=RTOL, atol=ATOL).y

    kinetic = [i for i, p in enumerate(model.param_specs) if p.kind == "kinetic"][:2]
    scale = jnp.maximum(jnp.max(jnp.abs(integrated(P)), axis=1, keepdims=True), 1e-9)
    np.testing.assert_array_less(np.asarray(jnp.abs(root(P) - integrated(P)) / scale), 1e-6)
    for i in kinetic:
        dP = jnp.zeros_like(P).at[i].set(P[i])  # d / d log p
        _, d_int = jax.jvp(integrated, (P,), (dP,))
        _, d_root = jax.jvp(root, (P,), (dP,))
        d_scale = jnp.maximum(jnp.max(jnp.abs(d_int), axis=1, keepdims=True), 1e-9 * scale)
        err = float(jnp.max(jnp.abs(d_root - d_int) / d_scale))
        assert err < 1e-6, (model.param_specs[i].name, err)
