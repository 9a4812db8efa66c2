"""The one driver: the problem object, steady-state pre-equilibration, the door every
solve goes through."""

import dataclasses
import importlib
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import pathjax
from pathjax import Input, Model, Param, Protocol, State, driver

SOLVE = importlib.import_module("pathjax.driver._solve")
STEADY = importlib.import_module("pathjax.solvers._steady")


def exchange() -> Model:
    """A <-> B (k1, k2; A + B conserved) and C made at rate p + u, removed at d C.

    Steady state at u = 0: A = tot k2 / (k1 + k2), B = tot k1 / (k1 + k2), C = p / d.
    """

    def rhs(t, y, p, u):
        flux = p.k1 * y.A - p.k2 * y.B
        return {"A": -flux, "B": flux, "C": p.p + u.u - p.d * y.C}

    return Model(
        name="exchange",
        state_specs=(State("A", "mM", 3.0), State("B", "mM", 1.0), State("C", "mM", 0.0)),
        param_specs=(
            Param("k1", "1/min", 0.2),
            Param("k2", "1/min", 0.6),
            Param("p", "mM/min", 0.5),
            Param("d", "1/min", 0.25),
        ),  # fmt: skip
        input_specs=(Input("u", "mM/min", 0.0),),
        rhs_fn=rhs,
    )


EXCHANGE = exchange()
STEADY_PROTOCOL = Protocol(preequilibrate=math.inf)


def _analytic(k1, k2, p, d, total=4.0):
    return np.stack([total * k2 / (k1 + k2), total * k1 / (k1 + k2), p / d + 0 * k1], -1)


def test_steady_preequilibration_is_the_steady_state_and_doses_follow_it():
    k1 = np.array([0.2, 1.5, 0.05])
    proto = STEADY_PROTOCOL + Protocol.dose("C", 1.0, 0.0)
    ds = pathjax.simulate(EXCHANGE, [0.0], {"k1": k1}, proto, rtol=1e-10, atol=1e-12)
    expected = _analytic(k1, 0.6, 0.5, 0.25) + np.array([0.0, 0.0, 1.0])
    got = np.stack([ds[s].values[:, 0] for s in ("A", "B", "C")], -1)
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    assert (ds["status"].values == 0).all()
    assert "steady state" in ds.attrs["protocol"]


def test_steady_equals_a_long_integration_in_values_and_sensitivities():
    t = np.array([1.0, 5.0])
    kw = dict(wrt=["k1", "d"], outputs=["A", "C"], rtol=1e-10, atol=1e-13, mode="forward")
    pulse = Protocol.step("u", 1.0, 0.0, 2.0)
    steady = pathjax.sensitivity.local(EXCHANGE, t, {}, protocol=pulse + STEADY_PROTOCOL, **kw)
    long = pathjax.sensitivity.local(EXCHANGE, t, {}, protocol=pulse.with_preequilibration(400.0),
                                     **kw)  # fmt: skip
    np.testing.assert_allclose(steady["value"].values, long["value"].values, rtol=1e-8)
    np.testing.assert_allclose(steady.values, long.values, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_steady_state_derivatives_are_the_implicit_function_theorem(mode):
    """d A* / d k1 = -tot k2 / (k1 + k2)^2 at t = t0, both modes."""
    s = pathjax.sensitivity.local(EXCHANGE, [0.0], {"k1": [0.2, 0.9]}, wrt=["k1"],
                                  outputs=["A"], protocol=STEADY_PROTOCOL, mode=mode,
                                  rtol=1e-10, atol=1e-13)  # fmt: skip
    k1 = np.array([0.2, 0.9])
    np.testing.assert_allclose(s.values[:, 0, 0, 0], -4.0 * 0.6 / (k1 + 0.6) ** 2, rtol=1e-7)


def test_newton_failure_falls_back_to_integration(monkeypatch):
    """A patient Newton does not solve is integrated to its steady state instead (the
    fallback runs only then: Newton is made to fail for patient 1)."""
    real = STEADY.steady_state

    def failing(model, y0, P, u, **kw):
        res = real(model, y0, P, u, **kw)
        bad = jnp.arange(P.shape[1]) == 1
        return res._replace(y=jnp.where(bad[None], jnp.nan, res.y),
                            status=jnp.where(bad, 5, res.status))  # fmt: skip

    monkeypatch.setattr(STEADY, "steady_state", failing)
    compiled = importlib.import_module("pathjax.driver._run")._compiled
    compiled.cache_clear()  # traced anew, through the failing Newton
    k1 = np.array([0.2, 1.5])
    try:
        ds = pathjax.simulate(EXCHANGE, [0.0], {"k1": k1}, STEADY_PROTOCOL, rtol=1e-10,
                              atol=1e-12)  # fmt: skip
    finally:
        compiled.cache_clear()  # no cached program keeps the failing Newton
    got = np.stack([ds[s].values[:, 0] for s in ("A", "B", "C")], -1)
    np.testing.assert_allclose(got, _analytic(k1, 0.6, 0.5, 0.25), rtol=1e-6)
    assert (ds["status"].values == 0).all()


def test_no_steady_state_is_status_5_and_the_others_are_intact():
    def production() -> Model:
        return Model(
            name="production",
            state_specs=(State("y", "mM", 1.0),),
            param_specs=(Param("k", "1/min", 1.0), Param("s", "mM/min", 0.0)),
            rhs_fn=lambda t, y, p, u: {"y": p.s - p.k * y.y},
        )

    # k = 0, s = 1: dy/dt = 1, nothing balances it
    ds = pathjax.simulate(production(), [0.0, 1.0], {"k": [1.0, 0.0], "s": [2.0, 1.0]},
                          STEADY_PROTOCOL)  # fmt: skip
    assert ds["status"].values.tolist() == [0, int(pathjax.Status.NO_STEADY_STATE)]
    np.testing.assert_allclose(ds["y"].values[0], 2.0, rtol=1e-6)
    assert np.isnan(ds["y"].values[1]).all()


def test_the_problem_is_a_pytree_and_its_controller_is_live():
    """A problem built inside jit solves there; a smaller growth limit of the step-size
    controller takes more steps to the same answer."""
    P = jnp.array([[0.2, 1.5], [0.6, 0.6], [0.5, 0.5], [0.25, 0.25]])
    u = jnp.zeros((1, 2))

    @jax.jit
    def solve(P, factormax):
        y0 = jnp.full((3, 2), jnp.nan)
        problem = driver.Problem.held(EXCHANGE, jnp.array([50.0]), y0, P, u, 1e-8, 1e-11)
        problem = dataclasses.replace(problem, controller=driver.Controller(factormax=factormax))
        sol = driver.solve(problem, with_observables=False)
        return sol.ys[-1], sol.n_steps

    y_fast, steps_fast = solve(P, 6.0)
    y_slow, steps_slow = solve(P, 1.2)
    np.testing.assert_allclose(y_slow, y_fast, rtol=1e-6)
    assert np.all(np.asarray(steps_slow) > np.asarray(steps_fast))


def test_steady_state_protocol_validation():
    with pytest.raises(ValueError, match="preequilibrate"):
        Protocol(preequilibrate=float("nan"))
    with pytest.raises(ValueError, match="preequilibrate"):
        Protocol(preequilibrate="steady")
    assert Protocol(preequilibrate=np.int64(5)).preequilibrate == 5


def test_no_module_outside_the_driver_calls_the_engine_or_shard_map():
    from pathlib import Path

    root = Path(pathjax.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("driver/", "solvers/")):
            continue
        text = path.read_text()
        if "ensemble_solve(" in text or "shard_map(" in text or "diffrax_solve(" in text:
            offenders.append(rel)
    assert offenders == []
