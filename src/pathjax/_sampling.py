"""Counter-based random draws: patient i's numbers depend only on (seed, i).

Each patient draws from ``jax.random.fold_in(key(seed), i)``, so a population is the
same whether it is generated at once, in chunks, or resumed after an interruption.
"""

import jax
import jax.numpy as jnp
import numpy as np

from ._errors import InputError

__all__ = ["lognormal_spread", "patient_normals", "patient_uniforms"]


def _check(n: int, seed: int) -> None:
    if int(n) != n or n < 1:
        raise InputError(f"number of patients must be a positive integer, got {n!r}")
    if int(seed) != seed or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")


@jax.jit
def _normals(key, ids, dim_holder):
    d = dim_holder.shape[0]
    return jax.vmap(lambda i: jax.random.normal(jax.random.fold_in(key, i), (d,)))(ids)


@jax.jit
def _uniforms(key, ids, dim_holder):
    d = dim_holder.shape[0]
    return jax.vmap(lambda i: jax.random.uniform(jax.random.fold_in(key, i), (d,)))(ids)


def patient_normals(seed: int, start: int, stop: int, dim: int, stream: int = 0) -> np.ndarray:
    """(stop - start, dim) standard normals for patients ``start..stop-1``."""
    _check(max(stop - start, 1), seed)
    key = jax.random.fold_in(jax.random.key(int(seed)), int(stream))
    ids = jnp.arange(start, stop, dtype=jnp.uint32)
    return np.asarray(_normals(key, ids, jnp.zeros((dim,))), dtype=np.float64)


def patient_uniforms(seed: int, start: int, stop: int, dim: int, stream: int = 0) -> np.ndarray:
    """(stop - start, dim) uniforms on [0, 1) for patients ``start..stop-1``."""
    _check(max(stop - start, 1), seed)
    key = jax.random.fold_in(jax.random.key(int(seed)), int(stream))
    ids = jnp.arange(start, stop, dtype=jnp.uint32)
    return np.asarray(_uniforms(key, ids, jnp.zeros((dim,))), dtype=np.float64)


def lognormal_spread(
    model, n: int, cv: float, seed: int, kinds: tuple[str, ...] = ("kinetic",)
) -> dict[str, np.ndarray]:
    """Parameters of `kinds` multiplied by mean-one log-normal factors of CV `cv`
    (a parameter bounded above and below is spread on the logit scale of its range
    instead, so that every draw is admissible).

    Returns:
        {parameter name: (n,) values}; other parameters are left to their defaults.
    """
    _check(n, seed)
    if not (cv >= 0 and np.isfinite(cv)):
        raise InputError(f"cv must be a non-negative number, got {cv!r}")
    names = [p.name for p in model.param_specs if p.kind in kinds]
    if not names or cv == 0:
        return {k: np.full(n, model.param_spec(k).default) for k in names}
    s = np.sqrt(np.log1p(cv**2))
    z = patient_normals(seed, 0, n, len(names))
    out = {}
    for j, k in enumerate(names):
        spec = model.param_spec(k)
        if np.isfinite(spec.upper) and spec.lower < spec.default < spec.upper:
            # bounded on both sides: spread on the logit scale of [lower, upper]
            width = spec.upper - spec.lower
            x = (spec.default - spec.lower) / width
            logit = np.log(x / (1 - x)) + s * z[:, j]
            out[k] = spec.lower + width / (1.0 + np.exp(-logit))
        else:
            out[k] = spec.default * np.exp(s * z[:, j] - 0.5 * s**2)
    return out
