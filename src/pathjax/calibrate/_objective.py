"""The weighted χ² of a batch of parameter sets, and its gradient through the solver.

Every start of a calibration and every insulin concentration of the experiments is one
patient of a single batch: start ``b`` at concentration ``d`` is patient ``b * D + d``.
Each patient starts from the initial state of its parameters, is pre-equilibrated at no
insulin (the basal steady state; `pathjax.Protocol.with_preequilibration`) and then held
at its insulin concentration from t = 0. The readouts at the experiments' sampling times
are gathered into one value per data point, each data set's scale factor is solved in
closed form (weighted least squares, non-negative) unless it is fixed, and

    χ² = Σ_i ((scale_g(i) * x_i - data_i) / sem_i)^2,

with ``x_i`` the readout, minus the basal readout for baseline-subtracted data.

The compiled functions depend only on the shapes (starts, fitted parameters, the
catalogue's concentrations, times and readouts, and the padded number of data points
and scale groups); data, bounds, base parameters and tolerances are arguments, so one
compilation serves every data subset, condition and start set of the same size.

The batch is built as the driver's `pathjax.driver.Problem` inside the compiled
function (from the fitted parameters) and solved by `pathjax.driver.solve`: one
integration loop from the pre-equilibration through the stimulation. Gradients:
``"forward"`` pushes one tangent per fitted parameter through it (as
`pathjax.sensitivity.local`'s forward mode); ``"reverse"`` pulls the χ² back through
the engine's checkpointed loop (as `pathjax.sensitivity.local`'s reverse mode),
pre-equilibrating once per start (`pathjax.driver.preequilibrated`).
Starts are independent, so one tangent (cotangent) serves every start at once.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from .. import driver
from ..model import Model
from ..solvers import DEFAULT_MAX_STEPS

__all__ = ["Design", "Evaluation", "PackedData", "Problem", "choose_mode", "pack"]

PREEQUILIBRATION = 1000.0  # min at no insulin: the basal network settles within a few hundred
# Below this many fitted parameters forward mode is cheaper than reverse mode: a tangent
# costs about one solve of the engine, a reverse pass about 9 (Brännmark 2013, 8 starts
# x 8 concentrations, rtol 1e-6 on this project's CPU).
FORWARD_UP_TO = 10


def choose_mode(n_fitted: int) -> str:
    """``"forward"`` for up to `FORWARD_UP_TO` fitted parameters, else ``"reverse"``.

    Examples:
        >>> choose_mode(3), choose_mode(41)
        ('forward', 'reverse')
    """
    return "forward" if n_fitted <= FORWARD_UP_TO else "reverse"


class Design(NamedTuple):
    """What is simulated for every start: the catalogue's union of experiments.

    Attributes:
        doses: (D,) insulin concentrations (nM), 0 included.
        times: (K,) sampling times (min), 0 included.
        readouts: the observables compared with data.
        n_points: data points after padding (every subset pads to this).
        n_groups: scale groups after padding.
    """

    doses: np.ndarray
    times: np.ndarray
    readouts: tuple[str, ...]
    n_points: int
    n_groups: int


class PackedData(NamedTuple):
    """One condition's data as padded arrays (rows past the data have weight 0).

    Attributes:
        k, r, d: (N,) indices of each point's time, readout and concentration.
        baseline: (N,) 1 where the basal readout is subtracted, else 0.
        weight: (N,) 1 / sem^2.
        data: (N,) the measurements.
        group: (N,) index of the point's scale group.
        fixed: (G,) True where a group's scale is fixed.
        fixed_value: (G,) the fixed scales.
        groups: names of the (unpadded) groups.
        n: number of real points.
    """

    k: np.ndarray
    r: np.ndarray
    d: np.ndarray
    baseline: np.ndarray
    weight: np.ndarray
    data: np.ndarray
    group: np.ndarray
    fixed: np.ndarray
    fixed_value: np.ndarray
    groups: tuple[str, ...]
    n: int


def make_design(model: Model, tables: list[pd.DataFrame]) -> Design:
    """The union of concentrations, times and readouts over `tables`, with room for the
    largest of them."""
    doses = np.unique(np.concatenate([[0.0]] + [t["insulin_nM"].to_numpy() for t in tables]))
    times = np.unique(np.concatenate([[0.0]] + [t["time"].to_numpy() for t in tables]))
    readouts = tuple(
        sorted({r for t in tables for r in t["readout"]}, key=model.observable_names.index)
    )
    n_points = max(len(t) for t in tables)
    n_groups = max(t["group"].nunique() for t in tables)
    return Design(doses, times, readouts, int(n_points), int(n_groups))


def pack(design: Design, table: pd.DataFrame, fixed: dict[str, float] | None = None) -> PackedData:
    """Index `table`'s points into the design and pad them to its size."""
    fixed = fixed or {}
    n = len(table)
    N, G = design.n_points, design.n_groups
    groups = tuple(dict.fromkeys(table["group"]))
    if n > N or len(groups) > G:
        raise ValueError(f"{n} points / {len(groups)} groups exceed the design ({N} / {G})")
    gidx = {g: i for i, g in enumerate(groups)}

    def pad(values, fill, dtype):
        out = np.full(N, fill, dtype=dtype)
        out[:n] = values
        return out

    k = pad(np.searchsorted(design.times, table["time"].to_numpy()), 0, np.int32)
    r = pad([design.readouts.index(x) for x in table["readout"]], 0, np.int32)
    d = pad(np.searchsorted(design.doses, table["insulin_nM"].to_numpy()), 0, np.int32)
    fixed_mask = np.zeros(G, bool)
    fixed_value = np.zeros(G)
    for name, value in fixed.items():
        if name in gidx:
            fixed_mask[gidx[name]] = True
            fixed_value[gidx[name]] = value
    return PackedData(
        k=k,
        r=r,
        d=d,
        baseline=pad(table["baseline"].to_numpy(dtype=np.float64), 0.0, np.float64),
        weight=pad(1.0 / table["sem"].to_numpy() ** 2, 0.0, np.float64),
        data=pad(table["data"].to_numpy(), 0.0, np.float64),
        group=pad([gidx[g] for g in table["group"]], 0, np.int32),
        fixed=fixed_mask,
        fixed_value=fixed_value,
        groups=groups,
        n=n,
    )


class Evaluation(NamedTuple):
    """The objective at a batch of parameter sets (NumPy arrays).

    Attributes:
        chi2: (S,) χ² of each start (inf where its solve failed).
        grad: (S, m) d χ² / d log p (zeros where failed); None when not computed.
        ok: (S,) the solve succeeded for every concentration.
        model: (N, S) scaled model values at the data points.
        scales: (G, S) scale factor of each group.
    """

    chi2: np.ndarray
    grad: np.ndarray | None
    ok: np.ndarray
    model: np.ndarray
    scales: np.ndarray


_ARRAYS = ("k", "r", "d", "baseline", "weight", "data", "group", "fixed", "fixed_value")


def _chi2(R, a: dict, d0):
    """R: (K, n_r, S, D) readouts; `a` the arrays of a `PackedData`. Returns (χ² (S,),
    model values (N, S), scales (G, S))."""
    x = R[a["k"], a["r"], :, a["d"]]  # (N, S)
    basal = R[a["k"], a["r"], :, d0]
    x = x - a["baseline"][:, None] * basal
    w = a["weight"][:, None]
    y = a["data"][:, None]
    G = a["fixed"].shape[0]
    num = jax.ops.segment_sum(w * x * y, a["group"], num_segments=G)
    den = jax.ops.segment_sum(w * x * x, a["group"], num_segments=G)
    safe = jnp.where(den > 0, den, 1.0)
    free = jnp.where(den > 0, jnp.maximum(num / safe, 0.0), 0.0)
    scales = jnp.where(a["fixed"][:, None], a["fixed_value"][:, None], free)
    model = scales[a["group"]] * x
    chi2 = jnp.sum(w * (model - y) ** 2, axis=0)
    return chi2, model, scales


def _params(theta, base, fidx):
    """(n_p, S) parameters: `base` with the fitted ones set to exp(theta)."""
    S = theta.shape[0]
    P = jnp.broadcast_to(base[:, None], (base.shape[0], S))
    return P.at[fidx].set(jnp.exp(theta.T))


def _baseline(model, dtype):
    """(input,) the model's baseline input levels."""
    return jnp.asarray([spec.default for spec in model.input_specs], dtype)


def _problem(model, P, U, ts, rtol, atol, T, y0=None) -> driver.Problem:
    """The driver's problem for patients with parameters `P` and inputs `U` (input,
    patient) held from t = 0: pre-equilibrated for `T` at the baseline inputs from the
    model's initial states, or started from `y0`."""
    n, B = len(model.state_specs), P.shape[1]
    u_base = _baseline(model, P.dtype)
    return driver.Problem.held(
        model, ts, jnp.full((n, B), jnp.nan, P.dtype) if y0 is None else y0, P, U, rtol, atol,
        preequilibration=T if y0 is None else None,
        u_pre=jnp.broadcast_to(u_base[:, None], (u_base.shape[0], B)),
    )  # fmt: skip


def _inputs(model, doses, S):
    """(n_u, S * D) input levels: baselines, insulin at each patient's concentration."""
    u_base = _baseline(model, doses.dtype)
    B = S * doses.shape[0]
    U = jnp.broadcast_to(u_base[:, None], (u_base.shape[0], B))
    return U.at[model.input_names.index("insulin")].set(jnp.tile(doses, S))


def _score(obs, status, obs_idx, S, D, a, d0):
    """χ² of every start from the observables (time, observable, S * D) of its solves
    (inf where `status`, one per start, is not 0), and (ok, model values, scales)."""
    R = obs[:, np.asarray(obs_idx)]
    chi2, model_values, scales = _chi2(R.reshape(R.shape[0], R.shape[1], S, D), a, d0)
    ok = (status == 0) & jnp.isfinite(chi2)
    return jnp.where(ok, chi2, jnp.inf), (ok, model_values, scales)


def _objective(model, obs_idx, max_steps, theta, base, fidx, doses, times, rtol, atol, T, a,
               d0):  # fmt: skip
    """χ² of every start (inf where a solve failed) and (ok, model values, scales): one
    driver solve of all starts x concentrations, pre-equilibration included."""
    S, D = theta.shape[0], doses.shape[0]
    P = jnp.repeat(_params(theta, base, fidx), D, axis=1)
    sol = driver.solve(_problem(model, P, _inputs(model, doses, S), times, rtol, atol, T),
                       driver.Options("rodas5p", max_steps))  # fmt: skip
    return _score(sol.obs, jnp.max(sol.status.reshape(S, D), axis=1), obs_idx, S, D, a, d0)


def _reverse_objective(model, obs_idx, max_steps, theta, base, fidx, doses, times, rtol,
                       atol, T, a, d0):  # fmt: skip
    """`_objective` for reverse mode: the engine's checkpointed loop, and the
    pre-equilibration run once per start (`driver.preequilibrated`), not once per
    concentration."""
    S, D = theta.shape[0], doses.shape[0]
    options = driver.Options("rodas5p", max_steps, driver.REVERSE_CHECKPOINTS)
    P = _params(theta, base, fidx)
    U = _inputs(model, doses, S)
    y_ss, status_pre = driver.preequilibrated(_problem(model, P, U[:, ::D], times, rtol, atol,
                                                       T), options)  # fmt: skip
    # a failed start (its status says so) must not hand NaN on: a NaN initial state
    # tells the driver to compute it from the parameters
    y_ss = jnp.where(jnp.isfinite(y_ss), y_ss, 0.0)
    Pt = jnp.repeat(P, D, axis=1)
    sol = driver.solve(_problem(model, Pt, U, times, rtol, atol, T, y0=jnp.repeat(y_ss, D, 1)),
                       options)  # fmt: skip
    status = jnp.maximum(status_pre, jnp.max(sol.status.reshape(S, D), axis=1))
    return _score(sol.obs, status, obs_idx, S, D, a, d0)


@functools.lru_cache(maxsize=16)
def _compiled(model: Model, obs_idx: tuple[int, ...], max_steps: int, kind: str) -> Callable:
    """The jitted objective: value only, or with the gradient by forward mode (one
    tangent per fitted parameter, all starts at once) or reverse mode."""
    if kind == "reverse":
        objective = functools.partial(_reverse_objective, model, obs_idx, max_steps)

        def evaluate(theta, *rest):
            def total(th):
                chi2, aux = objective(th, *rest)
                return jnp.sum(jnp.where(aux[0], chi2, 0.0)), (chi2, aux)

            (_, (chi2, aux)), grad = jax.value_and_grad(total, has_aux=True)(theta)
            return chi2, grad, aux

    else:
        objective = functools.partial(_objective, model, obs_idx, max_steps)

        def evaluate(theta, *rest):
            if kind == "value":
                chi2, aux = objective(theta, *rest)
                return chi2, jnp.zeros_like(theta), aux
            S, m = theta.shape
            basis = jnp.eye(m, dtype=theta.dtype)[:, None, :] * jnp.ones((1, S, 1), theta.dtype)

            def one(v):
                return jax.jvp(lambda th: objective(th, *rest), (theta,), (v,), has_aux=True)

            chi2, dchi2, aux = jax.vmap(one, out_axes=(None, 0, None))(basis)
            return chi2, dchi2.T, aux

    def checked(theta, *rest):
        chi2, grad, (ok, model_values, scales) = evaluate(theta, *rest)
        grad = jnp.where(ok[:, None] & jnp.isfinite(grad), grad, 0.0)
        return chi2, grad, ok, model_values, scales

    return jax.jit(checked)


class Problem:
    """A calibration problem: a model, a design, the fitted parameters and their base.

    Call `evaluate` with log-parameters of shape (S, m) and packed data; the kind of
    derivative (`"value"`, `"forward"`, `"reverse"`) is chosen per call.
    """

    def __init__(self, model: Model, design: Design, fitted: list[str], base: dict[str, float],
                 preequilibration: float = PREEQUILIBRATION):  # fmt: skip
        self.model = model
        self.design = design
        self.fitted = list(fitted)
        self.fidx = np.array([model.param_names.index(p) for p in fitted], dtype=np.int32)
        self.base = np.array([base[p] for p in model.param_names], dtype=np.float64)
        self.obs_idx = tuple(model.observable_names.index(r) for r in design.readouts)
        self.d0 = int(np.searchsorted(design.doses, 0.0))
        self.T = float(preequilibration)

    def with_base(self, base: dict[str, float]) -> "Problem":
        """The same problem around other base parameter values."""
        return Problem(self.model, self.design, self.fitted, base, self.T)

    def log_params(self, values: dict[str, float]) -> np.ndarray:
        """(m,) log of the fitted parameters' values in `values`."""
        return np.log(np.array([values[p] for p in self.fitted], dtype=np.float64))

    def evaluate(self, theta: np.ndarray, data: PackedData, kind: str = "value", *,
                 rtol: float = 1e-6, atol: float = 1e-9) -> Evaluation:  # fmt: skip
        """χ², gradient (for ``"forward"``/``"reverse"``), model values and scales."""
        f64 = jnp.float64
        a = {name: jnp.asarray(getattr(data, name)) for name in _ARRAYS}
        args = (
            jnp.asarray(theta, f64), jnp.asarray(self.base, f64), jnp.asarray(self.fidx),
            jnp.asarray(self.design.doses, f64), jnp.asarray(self.design.times, f64),
            jnp.asarray(rtol, f64), jnp.asarray(atol, f64), jnp.asarray(self.T, f64), a,
            self.d0,
        )  # fmt: skip
        if kind not in ("value", "forward", "reverse"):
            raise ValueError(f"kind must be 'value', 'forward' or 'reverse', got {kind!r}")
        chi2, grad, ok, mv, sc = _compiled(self.model, self.obs_idx, DEFAULT_MAX_STEPS,
                                           kind)(*args)  # fmt: skip
        return Evaluation(
            np.asarray(chi2),
            None if kind == "value" else np.asarray(grad),
            np.asarray(ok),
            np.asarray(mv)[: data.n],
            np.asarray(sc)[: len(data.groups)],
        )
