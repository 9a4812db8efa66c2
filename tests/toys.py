"""Small models with analytic solutions, for testing the machinery."""

import jax.numpy as jnp
import numpy as np

from pathjax import Event, Input, Model, Observable, Param, State


def decay() -> Model:
    """dy/dt = -k y + u, y(0) = y0: exponential relaxation towards u / k."""

    def rhs(t, y, p, u):
        return {"y": -p.k * y.y + u.u}

    def obs(t, y, p, u):
        return {"twice_y": 2.0 * y.y}

    return Model(
        name="decay",
        state_specs=(State("y", "mM", 1.0, "decaying species"),),
        param_specs=(Param("k", "1/min", 0.5, "decay rate"),),
        observable_specs=(Observable("twice_y", "mM"),),
        input_specs=(Input("u", "mM/min", 0.0, "production"),),
        rhs_fn=rhs,
        observables_fn=obs,
    )


def blowup() -> Model:
    """dy/dt = a y^2, y(0) = 1: y = 1 / (1 - a t), infinite at t = 1/a."""

    def rhs(t, y, p, u):
        return {"y": p.a * y.y**2}

    return Model(
        name="blowup",
        state_specs=(State("y", "1", 1.0),),
        param_specs=(Param("a", "1/min", 0.1, lower=-np.inf),),
        rhs_fn=rhs,
    )


def switch() -> Model:
    """A clock x' = 1 from 0; when x exceeds `threshold` the rate s jumps to `high`;
    z' = s, so z(t) = high * (t - threshold) after the crossing."""

    def rhs(t, y, p, u):
        return {"x": 1.0, "z": y.s, "s": 0.0}

    return Model(
        name="switch",
        state_specs=(State("x", "1", 0.0), State("z", "1", 0.0), State("s", "1/min", 0.0)),
        param_specs=(Param("threshold", "1", 2.0), Param("high", "1/min", 10.0)),
        rhs_fn=rhs,
        event_specs=(
            Event("on", lambda t, y, p, u: y.x > p.threshold, lambda t, y, p, u: {"s": p.high}),
        ),
    )


def robertson() -> Model:
    """Robertson's stiff chemical kinetics (Hairer & Wanner II, IV.1)."""

    def rhs(t, y, p, u):
        r1 = p.k1 * y.A
        r2 = p.k2 * y.B**2
        r3 = p.k3 * y.B * y.C
        return {"A": -r1 + r3, "B": r1 - r2 - r3, "C": r2}

    return Model(
        name="robertson",
        state_specs=(State("A", "1", 1.0), State("B", "1", 0.0), State("C", "1", 0.0)),
        param_specs=(
            Param("k1", "1/s", 0.04),
            Param("k2", "1/s", 3e7),
            Param("k3", "1/s", 1e4),
        ),
        rhs_fn=rhs,
        time_unit="s",
    )


def harmonic_jnp() -> Model:
    """y'' = -w^2 y as a first-order system, with an explicit time dependence."""

    def rhs(t, y, p, u):
        return {"q": y.v, "v": -(p.w**2) * y.q + 0.0 * jnp.sin(t)}

    return Model(
        name="harmonic",
        state_specs=(
            State("q", "1", 1.0, nonnegative=False),
            State("v", "1", 0.0, nonnegative=False),
        ),
        param_specs=(Param("w", "1/min", 1.0),),
        rhs_fn=rhs,
    )
