"""`PetabProblem`: a loaded PEtab problem, its likelihood, gradient and simulations."""

import functools
import math
import numbers
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import InputError
from ..model import Model
from ..solvers import DEFAULT_MAX_STEPS
from ._objective import Compiled, build_layout, scale
from ._tables import Spec, read

__all__ = ["PetabProblem", "load"]

FORWARD_UP_TO = 10
"""Up to this many estimated parameters the gradient is taken in forward mode (one
tangent per parameter through the engine), above it in reverse mode."""
UNDERFLOW_RETRY = 100.0
"""A parameter vector whose solve stops on a step-size underflow (its states' round-off
above the absolute tolerance, as in Isensee_JCB2018 at atol 1e-12) is solved again at
this many times atol; only if that fails too is its nllh ``inf``."""


def load(path: str | Path, *, rtol: float = 1e-8, atol: float = 1e-12,
         max_steps: int = DEFAULT_MAX_STEPS) -> "PetabProblem":  # fmt: skip
    """Load a PEtab v1 or v2 problem.

    The tables are read and validated by the `petab` library (its linter for v1, its
    validator for v2); the SBML model is imported by `pathjax.sbml.load`. Everything
    pathjax cannot simulate raises here, naming the table, column and value.

    Args:
        path: the problem's YAML file.
        rtol, atol: tolerances of every solve (relative, absolute on the states). A
            parameter vector whose solve underflows its step size is solved again at
            `UNDERFLOW_RETRY` x atol.
        max_steps: attempted steps allowed per experiment and parameter vector.

    Returns:
        A `PetabProblem`. Loading the same unchanged problem with the same settings
        again returns the same object (its compiled programs are reused).

    Raises:
        InputError: the file is missing or invalid, or uses something not supported.

    Examples:
        >>> import pathjax
        >>> problem = pathjax.petab.load(pathjax.petab.example())
        >>> round(problem.nllh(), 4)
        -43.8743
    """
    from ..simulate import check_tolerance

    rtol, atol = check_tolerance("rtol", rtol), check_tolerance("atol", atol)
    if not isinstance(max_steps, numbers.Integral) or max_steps < 1:
        raise InputError(f"max_steps must be a positive integer, got {max_steps!r}")
    p = Path(path).resolve()
    if not p.is_file():
        raise InputError(f"PEtab problem: no such file {str(path)!r}")
    stamp = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(p.parent.iterdir())
                  if f.is_file())  # fmt: skip
    return _load(p, stamp, rtol, atol, int(max_steps))


@functools.lru_cache(maxsize=8)
def _load(path: Path, stamp: tuple, rtol: float, atol: float, max_steps: int) -> "PetabProblem":
    """One problem object (and so one set of compiled programs) per problem folder
    state and settings."""
    return PetabProblem(read(path), rtol=rtol, atol=atol, max_steps=max_steps)


def _bucket(n: int) -> int:
    """Batch sizes are padded to a power of two, so fits, profiles and batches of
    nearby sizes share one compiled program."""
    return 1 << max(0, (n - 1).bit_length())


def _padded(a: np.ndarray) -> np.ndarray:
    """`a` (n, ...) padded to `_bucket(n)` rows by repeating its first row."""
    n = a.shape[0]
    extra = _bucket(n) - n
    return np.concatenate([a, np.repeat(a[:1], extra, axis=0)]) if extra else a


def _import_model(spec: Spec) -> Model:
    """The SBML model, without the initial assignments of the ids that conditions set
    (PEtab: a condition's value replaces the target's initial assignment)."""
    import libsbml

    from .. import sbml

    targets = set()
    for exp in spec.experiments:
        targets.update(exp.changes, exp.pre or ())
    doc = libsbml.readSBMLFromFile(str(spec.sbml))
    model = doc.getModel()
    replaced = [t for t in targets if model is not None and model.getInitialAssignment(t)]
    if not replaced:
        return sbml.load(spec.sbml)
    for t in replaced:
        model.removeInitialAssignment(t)
    return sbml.load(libsbml.writeSBMLToString(doc))


class PetabProblem:
    """A PEtab problem ready to evaluate: every parameter vector and experiment is one
    patient of a single batched solve.

    Attributes:
        name: the YAML file's stem.
        version: the PEtab format version (1 or 2).
        model: the imported `pathjax.Model`.
        parameter_ids: the estimated parameters (the columns of `nllh_batch`'s X).
        nominal: every parameter of the parameter table -> its nominal value (linear).
        lower, upper: (n,) bounds of the estimated parameters (linear scale).
        scales: (n,) the estimated parameters' scales (``lin``, ``log``, ``log10``).
        n_measurements, n_experiments: sizes of the problem.
        has_priors: whether the parameter table declares priors (`calibrate.fit`
            then minimises the negative log-posterior).
    """

    def __init__(self, spec: Spec, *, rtol: float, atol: float, max_steps: int):
        self.spec = spec
        self.name = spec.name
        self.version = spec.version
        self.model = _import_model(spec)
        self.layout = build_layout(spec, self.model)
        self.rtol, self.atol = float(rtol), float(atol)
        free = self.layout.free
        pars = spec.parameters
        self.parameter_ids = tuple(pars[i].id for i in free)
        self.nominal = {p.id: p.nominal for p in pars}
        self.lower = np.array([pars[i].lower for i in free])
        self.upper = np.array([pars[i].upper for i in free])
        self.scales = tuple(pars[i].scale for i in free)
        self.n_measurements = self.layout.n_measurements
        self.n_experiments = self.layout.n_experiments
        priors = tuple((i, p.prior[0], p.prior[1]) for i, p in enumerate(pars) if p.prior)
        self.has_priors = bool(priors)
        self._compiled = Compiled(self.layout, priors, max_steps)

    def __repr__(self) -> str:
        return (f"PetabProblem({self.name!r}, v{self.version}: {len(self.model.state_names)} "
                f"states, {len(self.parameter_ids)} estimated parameters, "
                f"{self.n_experiments} experiments, {self.n_measurements} measurements)")  # fmt: skip

    # ------------------------------------------------------------------ parameters

    def full_vector(self, x: Mapping[str, float] | None = None) -> np.ndarray:
        """(n_par,) every parameter-table value (linear), `x` applied to the nominal."""
        values = dict(self.nominal)
        if x is not None:
            if not isinstance(x, Mapping):
                raise InputError(
                    f"x must be a dict (parameter id -> value), got {type(x).__name__}"
                )
            for k, v in x.items():
                if k not in values:
                    raise InputError(f"x: {k!r} is not a parameter of the parameter table")
                if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                    raise InputError(f"x[{k!r}] must be a finite number, got {v!r}")
                values[k] = float(v)
        full = np.array([values[p] for p in self.layout.par_ids], dtype=np.float64)
        if np.isnan(full).any():
            missing = [p for p, v in zip(self.layout.par_ids, full) if np.isnan(v)]
            raise InputError(f"no nominal value for {missing}: give them in x")
        return full

    def _matrix(self, X: Any) -> np.ndarray:
        """(n_x, n_par) full vectors from X: (n_x, n_estimated) values or dicts."""
        if isinstance(X, np.ndarray | list | tuple) and len(X) and isinstance(X[0], Mapping):
            return np.stack([self.full_vector(x) for x in X])
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != len(self.parameter_ids) or arr.shape[0] == 0:
            raise InputError(
                f"X must have shape (n, {len(self.parameter_ids)}) (columns: parameter_ids) "
                f"or be a list of dicts; got shape {arr.shape}"
            )
        if not np.isfinite(arr).all():
            raise InputError("X holds non-finite values")
        full = np.tile(self.full_vector(), (arr.shape[0], 1))
        full[:, self.layout.free] = arr
        return full

    def to_scale(self, X: np.ndarray) -> np.ndarray:
        """(n, n_estimated) linear values -> values on each parameter's scale."""
        return scale(X, self.scales)

    def from_scale(self, theta: np.ndarray) -> np.ndarray:
        """(n, n_estimated) values on the scale -> linear values."""
        out = np.array(theta, dtype=np.float64)
        for i, s in enumerate(self.scales):
            if s == "log":
                out[..., i] = np.exp(out[..., i])
            elif s == "log10":
                out[..., i] = 10.0 ** out[..., i]
        return out

    # ------------------------------------------------------------------ likelihood

    def nllh(self, x: Mapping[str, float] | None = None) -> float:
        """Negative log-likelihood at the nominal parameters, or with `x` (parameter id
        -> linear value) applied to them; ``inf`` where a solve fails."""
        return float(self._values(self.full_vector(x)[None])[0])

    def nllh_batch(self, X: Any) -> np.ndarray:
        """(n,) negative log-likelihoods of many parameter vectors as one batch: `X` is
        (n, len(parameter_ids)) linear values or a list of dicts (as `nllh`'s `x`)."""
        return self._values(self._matrix(X))

    def _values(self, full: np.ndarray) -> np.ndarray:
        n = full.shape[0]
        sim, sigma, ok, _ = self._run("simulate", full)
        return self._nllh_from(sim[:n], sigma[:n], ok[:n])

    def _run(self, kind: str, arg: np.ndarray, *extra: float) -> list[np.ndarray]:
        """One compiled program on the batch `arg` (padded to a power of two), its
        outputs as NumPy arrays. Parameter vectors whose solve underflowed its step size
        are solved again at `UNDERFLOW_RETRY` x atol (same program, no recompilation)."""
        import jax.numpy as jnp

        from ._objective import underflowed

        fn = self._compiled.program(kind)
        padded = jnp.asarray(_padded(arg))

        def call(atol: float) -> list[np.ndarray]:
            out = [np.asarray(a) for a in fn(padded, self.rtol, atol, *extra)]
            under = np.asarray(underflowed(out[3])) if kind == "simulate" else out[3]
            return [*out, under]

        out = call(self.atol)
        if out[-1].any():
            again = call(self.atol * UNDERFLOW_RETRY)
            rows = out[-1]
            out = [np.where(rows.reshape((-1,) + (1,) * (a.ndim - 1)), b, a)
                   for a, b in zip(out, again)]  # fmt: skip
        return out[:-1]

    def _nllh_from(self, sim: np.ndarray, sigma: np.ndarray, ok: np.ndarray) -> np.ndarray:
        from ._objective import _neg_llh

        total = np.zeros(sim.shape[0])
        for g in self.layout.groups:
            terms = np.asarray(_neg_llh(sim[:, g.rows], g.data[None], sigma[:, g.rows],
                                        g.distribution, g.transform))  # fmt: skip
            total += terms.sum(axis=1)
        return np.where(ok & np.isfinite(total), total, np.inf)

    def gradient(self, x: Mapping[str, float] | None = None, *, mode: str | None = None
                 ) -> dict[str, float]:  # fmt: skip
        """d nllh / d parameter (linear scale) of every estimated parameter, by autodiff
        through the engine: ``mode`` ``"forward"`` or ``"reverse"`` (default: forward up
        to `FORWARD_UP_TO` parameters)."""
        full = self.full_vector(x)
        theta = self.to_scale(full[self.layout.free][None])
        _, g, ok = self.value_and_grad(theta, mode=mode, with_prior=False)
        if not ok[0]:
            return dict.fromkeys(self.parameter_ids, math.nan)
        # d/dx = d/dθ · dθ/dx
        xs = full[self.layout.free]
        dtheta = np.array([1.0 if s == "lin" else 1 / v if s == "log" else 1 / (v * math.log(10))
                           for s, v in zip(self.scales, xs)])  # fmt: skip
        return dict(zip(self.parameter_ids, (g[0] * dtheta).tolist()))

    def value_and_grad(self, theta: np.ndarray, *, mode: str | None = None,
                       with_prior: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """Objective and gradient on the parameter scale for (n, n_estimated) `theta`:
        (f (n,), grad (n, n_estimated), ok (n,)). The objective is the nllh plus, where
        the table declares priors and `with_prior`, the negative log prior."""
        mode = mode or ("forward" if len(self.parameter_ids) <= FORWARD_UP_TO else "reverse")
        if mode not in ("value", "forward", "reverse"):
            raise InputError(f"mode must be 'forward', 'reverse' or 'value', got {mode!r}")
        theta = np.asarray(theta, dtype=np.float64)
        n = theta.shape[0]
        f, ok, g, _ = self._run(mode, theta, float(with_prior))
        ok = ok[:n]
        return np.where(ok, f[:n], np.inf), g[:n], ok

    def neg_log_prior(self, x: Mapping[str, float] | None = None) -> float:
        """Negative log prior density at `x` (0 without priors)."""
        import jax.numpy as jnp

        from ._objective import neg_log_prior

        if not self.has_priors:
            return 0.0
        full = self.full_vector(x)[None]
        with np.errstate(divide="ignore", invalid="ignore"):  # a fixed 0 on a log scale
            th = scale(full, self.layout.scales)  # every parameter on its own scale
        return float(neg_log_prior(jnp.asarray(full), jnp.asarray(th), self._compiled.priors)[0])

    # ------------------------------------------------------------------ simulations

    def simulation_table(self, x: Mapping[str, float] | None = None):
        """The measurement table with a ``simulation`` column in place of
        ``measurement`` (PEtab's simulation-table format); NaN where a solve failed."""
        sim, _, ok, status = self._run("simulate", self.full_vector(x)[None])
        sim, st = sim[0], status[0]
        exps = np.empty(self.n_measurements, dtype=np.int64)
        for g in self.layout.groups:
            exps[g.rows] = g.exp
        sim = np.where(st[exps] == 0, sim, np.nan)
        df = self.spec.measurement_df.copy().reset_index(drop=True)
        df = df.rename(columns={"measurement": "simulation"})
        df["simulation"] = sim
        return df

    def experiment_status(self, x: Mapping[str, float] | None = None) -> dict[str, int]:
        """Experiment id -> `pathjax.Status` code of its solve at `x`."""
        *_, status = self._run("simulate", self.full_vector(x)[None])
        return {e.id: int(s) for e, s in zip(self.spec.experiments, status[0])}

    def bounds_scaled(self) -> tuple[np.ndarray, np.ndarray]:
        """The estimated parameters' bounds on their scales."""
        return self.to_scale(self.lower[None])[0], self.to_scale(self.upper[None])[0]

    def sample_starts(self, n: int, seed: int) -> np.ndarray:
        """(n, n_estimated) start points, uniform on each parameter's scale within its
        bounds (infinite bounds: ±3 around the nominal value on the scale)."""
        rng = np.random.default_rng(seed)
        lo, hi = self.bounds_scaled()
        nom = self.to_scale(self.full_vector()[self.layout.free][None])[0]
        lo = np.where(np.isfinite(lo), lo, nom - 3)
        hi = np.where(np.isfinite(hi), hi, nom + 3)
        return rng.uniform(lo, hi, size=(n, len(lo)))

    @property
    def x_nominal(self) -> np.ndarray:
        """(n_estimated,) the estimated parameters' nominal values (linear)."""
        return self.full_vector()[self.layout.free]
