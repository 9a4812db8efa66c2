"""A model's right-hand side and sparse Jacobian on a batch (arrays batch-last).

Shared by the integrator (`_ensemble`) and the steady-state solver (`_steady`): the
model's functions are evaluated on rows ``y[i]`` of shape ``(patient,)``, and the
Jacobian is built by compressed forward mode over its structural non-zeros.
"""

import functools

import jax
import jax.numpy as jnp

from ._sparse import JacobianStructure, jacobian_structure

__all__ = ["batch_jacobian", "batch_rhs", "model_structure", "rows"]


@functools.lru_cache(maxsize=64)
def model_structure(model) -> JacobianStructure:
    """Jacobian structure of `model` (cached per model object)."""
    return jacobian_structure(
        model.rhs_tuple, len(model.state_specs), len(model.param_specs), len(model.input_specs)
    )


def rows(x) -> tuple:
    """The rows of a batch-last array, as a tuple of ``(patient,)`` arrays."""
    return tuple(x[i] for i in range(x.shape[0]))


def _stack(values, size: int, dtype) -> jax.Array:
    return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype), (size,)) for v in values])


def batch_rhs(model, t, y, ps: tuple, u) -> jax.Array:
    """d y / d t, (state, patient), for states `y` (state, patient), parameter rows `ps`
    and inputs `u` (input, patient)."""
    out = model.rhs_tuple(t, rows(y), ps, rows(u))
    return _stack(out, y.shape[1], y.dtype)


def batch_jacobian(model, t, y, ps: tuple, u, *, with_time: bool = False) -> tuple:
    """The structural non-zeros of d f / d y, ``{(row, col): (patient,)}``, and d f / d t
    ((state, patient), or None unless `with_time` and f depends on t explicitly).

    Compressed forward mode (Curtis, Powell & Reid 1974): columns that share no row are
    seeded together in one JVP; only the group's states carry tangents, so the other
    states' contributions are pruned while tracing.
    """
    st = model_structure(model)
    B, dtype = y.shape[1], y.dtype
    ys = rows(y)
    us = rows(u)
    J = {}
    for group in st.column_groups:

        def seeded(*yg, group=group):
            full = list(ys)
            for j, v in zip(group, yg):
                full[j] = v
            return model.rhs_tuple(t, tuple(full), ps, us)

        prim = tuple(ys[j] for j in group)
        _, tang = jax.jvp(seeded, prim, tuple(jnp.ones_like(v) for v in prim))
        for j in group:
            for i in st.columns[j]:
                J[(i, j)] = jnp.broadcast_to(jnp.asarray(tang[i], dtype), (B,))
    if with_time and st.time_dependent:
        _, dt_ = jax.jvp(lambda tt: model.rhs_tuple(tt, ys, ps, us), (t,), (jnp.ones_like(t),))
        return J, _stack(dt_, B, dtype)
    return J, None
