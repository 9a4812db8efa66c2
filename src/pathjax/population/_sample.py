"""Seeded sampling of virtual patients with plausibility filtering.

Patient *i*, attempt *a*, draws one standard normal vector over the cohort's random
dimensions from ``fold_in(fold_in(key(seed), STREAM + a), i)``. The correlation is
applied through its Cholesky factor (Gaussian copula), each dimension is turned into a
value by its marginal's quantile transform, covariate effects are applied, and the
candidate is checked: parameter bounds, then the cohort's `Plausibility` challenge
(simulated). A rejected patient moves on to attempt *a* + 1. The accepted draw of patient
*i* is therefore a function of (seed, *i*) alone: a population is the same whether it is
sampled at once, in chunks, or resumed.
"""

import functools
import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from .._errors import InputError, closest
from .._sampling import patient_normals
from ..model import Model
from ..models import resolve as resolve_model
from ._cohort import Cohort, Dim, random_dims, reference_cohort

__all__ = ["Sample", "cohort", "cohorts", "resolve_model", "sample"]

STREAM = 0x706F70  # attempt a draws from stream STREAM + a
MAX_ATTEMPTS = 50
_MAX_PATIENT = 2**32


class Sample(dict):
    """Parameters of a virtual population: ``{parameter name: (patient,) array}`` for
    every parameter of the model, plus what was learnt on the way.

    Attributes:
        covariates: ``{covariate name: (patient,) array}``.
        attempts: (patient,) draws needed until the patient was accepted.
        plausible: (patient,) False where every attempt was rejected (the last draw is
            kept, so the population has `n` patients; see `acceptance_rate`).
        first: the index of the first patient (the population's patient ids are
            ``first .. first + n - 1``).
        cohort: the cohort's name.
        seed: the seed.
    """

    covariates: dict[str, np.ndarray]
    attempts: np.ndarray
    plausible: np.ndarray
    first: int
    cohort: str
    seed: int

    @property
    def acceptance_rate(self) -> float:
        """Accepted patients per draw (1.0 when nothing was rejected)."""
        return float(self.plausible.sum() / max(int(self.attempts.sum()), 1))

    @property
    def n(self) -> int:
        return int(self.attempts.shape[0])


@functools.cache
def _built(factory: Callable[[], Mapping[str, Cohort]]) -> Mapping[str, Cohort]:
    """The cohorts a factory makes, made once: every copy of a model shares them."""
    return MappingProxyType(dict(factory()))


def _defined(model: Model) -> Mapping[str, Cohort]:
    """{cohort name: `Cohort`} of `model`'s companions (``"reference"`` aside)."""
    factory = model.companions.cohorts
    return _built(factory) if factory else {}


def cohorts(model: Any) -> list[str]:
    """Names of the cohorts of `model`: those of its companions (``model.companions``, see
    `pathjax.model.Companions`), then ``"reference"``, which every model has.

    Examples:
        >>> import pathjax
        >>> pathjax.population.cohorts("brannmark2013")
        ['healthy', 'insulin_resistant', 't2d', 'reference']
    """
    m = resolve_model(model)
    return list(_defined(m)) + ["reference"]


def cohort(model: Any, name: "str | Cohort") -> Cohort:
    """The `Cohort` called `name` of `model` (a `Cohort` is checked and returned as is).

    Raises:
        InputError: unknown cohort (the message lists the valid ones).
    """
    m = resolve_model(model)
    if isinstance(name, Cohort):
        name.check(m)
        return name
    if not isinstance(name, str):
        raise InputError(f"cohort must be a name or a pathjax.population.Cohort, got {name!r}")
    if name == "reference":
        c = reference_cohort(m)
    else:
        found = _defined(m).get(name)
        if found is None:
            valid = cohorts(m)
            raise InputError(
                f"unknown cohort {name!r} for model {m.name!r}.{closest(name, valid)} "
                f"Valid cohorts: {', '.join(valid)}"
            )
        c = found
    c.check(m)
    return c


_get_cohort = cohort


def check_count(n: Any, seed: Any, first: Any = 0) -> tuple[int, int, int]:
    """Validate a patient count, a seed and a first patient index."""
    for name, v in (("n", n), ("seed", seed), ("first", first)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            if isinstance(v, float) and v.is_integer():
                continue
            raise InputError(f"{name} must be an integer, got {v!r}")
    n, seed, first = int(n), int(seed), int(first)
    if n < 1:
        raise InputError(f"n (number of patients) must be at least 1, got {n}")
    if not 0 <= seed < 2**63:
        raise InputError(f"seed must be a non-negative integer below 2**63, got {seed}")
    if first < 0 or first + n > _MAX_PATIENT:
        raise InputError(f"patients {first}..{first + n - 1} leave 0..{_MAX_PATIENT - 1}")
    return n, seed, first


def draw(
    model: Model, c: Cohort, dims: tuple[Dim, ...], seed: int, first: int, n: int, attempt: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Attempt `attempt` of patients ``first .. first + n - 1``: (parameters, covariates)."""
    d = len(dims)
    if d:
        z = np.array(patient_normals(seed, first, first + n, d, stream=STREAM + attempt))
    else:
        z = np.zeros((n, 0))
    if c.correlation is not None:
        idx = [next(j for j, dm in enumerate(dims) if dm.name == k) for k in c.correlation.names]
        z[:, idx] = z[:, idx] @ c.correlation.cholesky().T
    values = {dm.name: dm.distribution.from_normal(z[:, j]) for j, dm in enumerate(dims)}
    params = {}
    for spec in model.param_specs:
        if spec.name in values:
            params[spec.name] = values[spec.name]
        elif spec.name in c.parameters:
            params[spec.name] = c.parameters[spec.name].from_normal(np.zeros(n))
        else:
            params[spec.name] = np.full(n, float(spec.default))
    covs = {}
    for cov in c.covariates:
        x = values[cov.name] if cov.name in values else cov.distribution.from_normal(np.zeros(n))
        covs[cov.name] = x
        for e in cov.effects:
            if e.kind == "power":
                params[e.parameter] = params[e.parameter] * (x / e.reference) ** e.coefficient
            else:
                params[e.parameter] = params[e.parameter] + e.coefficient * (x - e.reference)
    return params, covs


def in_bounds(model: Model, params: Mapping[str, np.ndarray]) -> np.ndarray:
    """(patient,) True where every parameter is finite and inside its bounds."""
    n = len(next(iter(params.values())))
    ok = np.ones(n, bool)
    for spec in model.param_specs:
        v = params[spec.name]
        ok &= np.isfinite(v) & (v >= spec.lower) & (v <= spec.upper)
    return ok


def plausible(
    model: Model, c: Cohort, params: Mapping[str, np.ndarray], batch: int, **solve: Any
) -> np.ndarray:
    """(patient,) True where the patient passes the bounds and the cohort's challenge.

    The challenge is simulated in batches of exactly `batch` patients (the list is padded),
    so every call compiles the same program.
    """
    ok = in_bounds(model, params)
    if c.plausibility is None or not ok.any():
        return ok
    from ..simulate import simulate

    n = ok.shape[0]
    size = -(-n // batch) * batch
    defaults = model.default_params()
    run = {}
    for k, v in params.items():
        v = np.where(ok, v, defaults[k])  # out-of-bounds candidates are not simulated
        run[k] = np.concatenate([v, np.repeat(v[:1], size - n)])
    pl = c.plausibility
    ds = simulate(
        model,
        np.array([0.0, pl.time]),
        run,
        c.challenge(model),
        chunk_size=batch,
        **solve,
    )
    good = ok & passes(ds.isel(patient=slice(0, n)), pl)
    if "plausible" in ds:  # the model's own physiological bounds, over the challenge
        good &= ds["plausible"].values[:n] == 1
    if pl.acceptance is not None:
        # Acceptance-rejection (a calibrated cohort): the uniform is a function of the
        # candidate's parameters alone, so a draw is accepted the same way in any batch.
        good &= parameter_uniforms(params) < np.asarray(pl.acceptance(ds.isel(patient=slice(0, n))))
    return good


def parameter_uniforms(params: Mapping[str, np.ndarray]) -> np.ndarray:
    """(patient,) uniforms on [0, 1), each a hash of that patient's parameter values."""
    import hashlib

    names = sorted(params)
    rows = np.ascontiguousarray(np.stack([np.asarray(params[k], np.float64) for k in names], 1))
    out = np.empty(rows.shape[0])
    for i, row in enumerate(rows):
        h = hashlib.blake2b(row.tobytes(), digest_size=8).digest()
        out[i] = int.from_bytes(h, "little") / 2.0**64
    return out


def passes(ds: Any, pl: Any) -> np.ndarray:
    """(patient,) True where a challenge result (times: 0 and `pl.time`) is solved and
    inside every range of the `Plausibility` `pl`."""
    n = ds.sizes["patient"]
    good = ds["status"].values[:n] == 0
    for r in pl.ranges:
        y = ds[r.output].values[:n]
        basal, resp = y[:, 0], y[:, 1]
        if r.at == "all":
            x = np.where((basal >= r.lower) & (basal <= r.upper), resp, np.nan)
        elif r.at == "basal":
            x = basal
        elif r.at == "response":
            x = resp
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.where(basal != 0, resp / basal, np.nan)
        with np.errstate(invalid="ignore"):
            good &= np.isfinite(x) & (x >= r.lower) & (x <= r.upper)
    return good


def retry_batch(batch: int) -> int:
    """Patients per plausibility solve of the redraws: ``batch / 8`` (at least 8)."""
    return batch if batch <= 8 else max(8, -(-batch // 8))


def sample_range(
    model: Model,
    c: Cohort,
    seed: int,
    first: int,
    n: int,
    *,
    batch: int,
    filter: bool = True,
    max_attempts: int = MAX_ATTEMPTS,
    solve: Mapping[str, Any] | None = None,
) -> Sample:
    """Patients ``first .. first + n - 1`` of the cohort (already validated inputs)."""
    solve = dict(solve or {})
    dims = random_dims(model, c)
    # Redraws are few (one patient in ten or fewer): they are checked in smaller solves
    # of a fixed size, so a chunk costs about one plausibility solve, not two.
    retry = retry_batch(batch)

    def check(p, size):
        return plausible(model, c, p, size, **solve) if filter else in_bounds(model, p)

    params, covs = draw(model, c, dims, seed, first, n, 0)
    ok = check(params, batch)
    attempts = np.ones(n, np.int32)
    done = ok.copy()
    a = 1  # attempts made by every pending patient
    while (~done).any() and a < max_attempts and dims:
        pending = np.flatnonzero(~done)
        r = pending.size
        m = max(1, min(retry // r if filter else 8, max_attempts - a))
        cand_p: dict[str, list] = {k: [] for k in params}
        cand_c: dict[str, list] = {k: [] for k in covs}
        for j in range(m):
            p_j, c_j = draw(model, c, dims, seed, first, n, a + j)
            for k in params:
                cand_p[k].append(p_j[k][pending])
            for k in covs:
                cand_c[k].append(c_j[k][pending])
        flat = {k: np.concatenate(v) for k, v in cand_p.items()}  # attempt-major
        good = check(flat, retry).reshape(m, r)
        first_ok = np.where(good.any(0), good.argmax(0), m - 1)
        for k in params:
            params[k][pending] = flat[k].reshape(m, r)[first_ok, np.arange(r)]
        for k in covs:
            covs[k][pending] = np.concatenate(cand_c[k]).reshape(m, r)[first_ok, np.arange(r)]
        accepted = good.any(0)
        attempts[pending] = np.where(accepted, a + first_ok + 1, a + m)
        done[pending] = accepted
        a += m
    out = Sample(params)
    out.covariates = covs
    out.attempts = attempts
    out.plausible = done
    out.first = first
    out.cohort = c.name
    out.seed = seed
    return out


def sample(
    model: Any,
    cohort: "str | Cohort",
    n: int,
    seed: int,
    *,
    first: int = 0,
    filter: bool = True,
    batch: int | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Sample:
    """Draw `n` virtual patients of `cohort`, reproducibly from `seed`.

    Patient *i* depends only on (`seed`, *i*): ``sample(..., n=10)`` equals the
    concatenation of ``sample(..., n=5)`` and ``sample(..., n=5, first=5)``.

    Args:
        model: a `pathjax.Model` or a bundled model name.
        cohort: a cohort name (see `cohorts`) or a `Cohort`.
        n: number of patients.
        seed: non-negative integer.
        first: index of the first patient (to draw a later chunk of a population).
        filter: simulate the cohort's plausibility challenge and redraw rejected patients
            (False: parameter bounds only, nothing is simulated).
        batch: patients per plausibility solve of the first draws (default
            ``min(n, 256)``; redraws go in solves of ``batch / 8``, at least 8); the same
            batch gives bitwise the same population; another batch the same up to
            patients within rounding error of a plausibility bound.
        max_attempts: draws per patient before it is kept as implausible.
        rtol, atol: tolerances of the plausibility solve.

    Returns:
        `Sample`: a dict ``{parameter: (n,) float64 array}`` over every parameter of the
        model (ready for `pathjax.simulate`) with ``covariates``, ``attempts``,
        ``plausible`` and ``acceptance_rate``.

    Raises:
        InputError: unknown model or cohort (the valid names listed), bad `n` or `seed`,
            before anything is compiled.

    Examples:
        >>> import pathjax
        >>> p = pathjax.population.sample("brannmark2013", "t2d", 4, seed=1, filter=False)
        >>> p["IR_total"].shape
        (4,)
    """
    m = resolve_model(model)
    c = _get_cohort(m, cohort)
    n, seed, first = check_count(n, seed, first)
    if isinstance(max_attempts, bool) or int(max_attempts) != max_attempts or max_attempts < 1:
        raise InputError(f"max_attempts must be a positive integer, got {max_attempts!r}")
    if batch is None:
        batch = min(n, 256)
    if isinstance(batch, bool) or int(batch) != batch or batch < 1:
        raise InputError(f"batch must be a positive integer, got {batch!r}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol > 0):
            raise InputError(f"{name} must be a positive finite number, got {tol!r}")
    return sample_range(
        m,
        c,
        seed,
        first,
        n,
        batch=int(batch),
        filter=bool(filter),
        max_attempts=int(max_attempts),
        solve={"rtol": rtol, "atol": atol},
    )
