"""The negative log-likelihood of a PEtab problem as one batched, differentiable function.

Every parameter vector x and every experiment e is one patient of the driver's batch
(patient ``x * E + e``). One call of `Compiled.__call__` runs, inside `jax.jit`:

1. the full parameter vector of each x (estimated values from θ, on the parameter
   scale; fixed ones at their nominal values);
2. the pre-equilibrations: the steady state of each distinct pre-equilibration
   condition, by the driver's Newton solve (`pathjax.driver.preequilibrated` with a
   steady-state problem), differentiable by the implicit function theorem;
3. one driver solve of every experiment from its initial state (the pre-equilibrated
   state with the simulation condition's species overrides, or the model's own
   initial state), at the union of the finite measurement times;
4. for measurements at ``time = inf``: the steady state of the experiment's simulation
   condition from that initial state;
5. the observable and noise formulas at each data point (with its placeholder
   overrides), and the log-likelihood of the noise model.

A parameter vector whose solve fails (any experiment's status is not 0) gets
``nllh = inf`` and a zero gradient.
"""

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from .. import driver
from .._errors import InputError, Status
from ..model import Model
from ..protocol import Protocol
from ._formula import compile_formula, symbols_of
from ._tables import Spec

__all__ = ["Compiled", "Layout", "build_layout", "neg_log_prior"]

_LN10 = math.log(10.0)


@dataclass(frozen=True, eq=False)
class Slots:
    """A (row, column) table of values filled from the full parameter vector: a
    constant, an index into it, or a formula of it (hashed by identity: static)."""

    const: np.ndarray  # (R, n) float, NaN: unset
    index: np.ndarray  # (R, n) int, -1: use const
    exprs: tuple[tuple[int, int, Callable], ...]

    def fill(self, full: jax.Array, env: dict) -> jax.Array:
        """(n_x, R, n) values for the full parameter vectors `full` (n_x, n_par)."""
        idx = jnp.asarray(np.maximum(self.index, 0))
        vals = jnp.where(
            jnp.asarray(self.index >= 0)[None], full[:, idx], jnp.asarray(self.const)[None]
        )
        for r, j, fn in self.exprs:
            vals = vals.at[:, r, j].set(jnp.broadcast_to(fn(env), (full.shape[0],)))
        return vals


class _SlotBuilder:
    def __init__(self, rows: int, cols: int, fill: float | np.ndarray, par_index: dict):
        self.const = np.empty((rows, cols))
        self.const[:] = fill
        self.index = np.full((rows, cols), -1, dtype=np.int64)
        self.exprs: list = []
        self.par_index = par_index

    def set(self, r: int, j: int, value: sp.Expr, where: str) -> None:
        self.index[r, j] = -1
        self.exprs = [x for x in self.exprs if (x[0], x[1]) != (r, j)]
        if value.is_Number:
            self.const[r, j] = float(value)
        elif isinstance(value, sp.Symbol) and value.name in self.par_index:
            self.index[r, j] = self.par_index[value.name]
        else:
            unknown = symbols_of(value) - set(self.par_index)
            if unknown:
                raise InputError(
                    f"{where}: {sorted(unknown)} not in the parameter table (value {value})"
                )
            self.exprs.append((r, j, compile_formula(value, where)))

    def build(self) -> Slots:
        return Slots(self.const, self.index, tuple(self.exprs))


@dataclass(frozen=True, eq=False)
class Group:
    """The measurements of one observable (static index arrays)."""

    rows: np.ndarray  # (M,) positions in the measurement list
    exp: np.ndarray  # (M,) experiment index
    k: np.ndarray  # (M,) time index (K: the steady state)
    t: np.ndarray  # (M,) times (inf kept)
    data: np.ndarray  # (M,)
    formula: Callable
    noise: Callable
    needs: tuple[tuple[str, str, int], ...]  # (symbol, kind, index) read by the formulas
    # (species, compartment's kind, index): amount-valued species the formulas read,
    # whose model value (a concentration) is multiplied by the compartment size
    amounts: tuple[tuple[str, str, int], ...]
    overrides: Slots  # (M, n_placeholders)
    noise_overrides: Slots
    placeholders: tuple[str, ...]
    noise_placeholders: tuple[str, ...]
    distribution: str
    transform: str


@dataclass(frozen=True, eq=False)
class Layout:
    """Everything static about a problem: the model, index arrays and closures."""

    model: Model
    par_ids: tuple[str, ...]
    scales: tuple[str, ...]
    nominal: np.ndarray
    free: np.ndarray  # indices of the estimated parameters
    P_main: Slots  # (E, n_param)
    Y_main: Slots  # (E, n_state) NaN: not set
    P_pre: Slots | None  # (E_pre, n_param)
    Y_pre: Slots | None
    pre_of: np.ndarray  # (E,) index of the experiment's pre-equilibration, -1: none
    amount_of: np.ndarray  # (n_state,) compartment parameter index for amounts, -1
    ts: np.ndarray  # (K,) finite output times
    t0: float
    inf_exps: np.ndarray  # experiments with steady-state measurements
    groups: tuple[Group, ...]
    n_measurements: int
    n_experiments: int
    protocol: Any  # the model's compiled default protocol on [t0, ts[-1]] for 1 patient


def _model_index(model: Model) -> dict[str, tuple[str, int]]:
    """SBML id -> (kind, index) for states, parameters and observables."""
    sid = model.sbml_ids
    out: dict[str, tuple[str, int]] = {}
    for kind, names in (("obs", model.observable_names), ("param", model.param_names),
                        ("state", model.state_names)):  # fmt: skip
        for i, n in enumerate(names):
            out[sid.get(n, n)] = (kind, i)
    return out


def _amount_species(sbml: Any) -> dict[str, str]:
    """Species whose symbol means an amount (hasOnlySubstanceUnits) -> compartment."""
    import libsbml

    doc = libsbml.readSBMLFromFile(str(sbml))
    m = doc.getModel()
    return {
        s.getId(): s.getCompartment() for s in m.getListOfSpecies() if s.getHasOnlySubstanceUnits()
    }


def build_layout(spec: Spec, model: Model) -> Layout:
    """The static layout of `spec` on `model` (every table value checked here)."""
    par_ids = tuple(p.id for p in spec.parameters)
    par_index = {p: i for i, p in enumerate(par_ids)}
    where_model = _model_index(model)
    n_p, n_s = len(model.param_names), len(model.state_names)
    defaults = np.asarray(model.param_vector(), dtype=np.float64)
    amounts = _amount_species(spec.sbml)
    amount_of = np.full(n_s, -1, dtype=np.int64)
    for sid, comp in amounts.items():
        kind, i = where_model.get(sid, (None, -1))
        if kind == "state" and comp in where_model and where_model[comp][0] == "param":
            amount_of[i] = where_model[comp][1]

    def base(rows: int) -> tuple[_SlotBuilder, _SlotBuilder]:
        P = _SlotBuilder(rows, n_p, defaults, par_index)
        for j, name in enumerate(model.param_names):
            s = model.sbml_ids.get(name, name)
            if s in par_index:
                P.index[:, j] = par_index[s]
        return P, _SlotBuilder(rows, n_s, np.nan, par_index)

    def apply(P, Y, r: int, changes: dict, where: str) -> None:
        for target, value in changes.items():
            w = f"{where}, column/target {target!r}"
            kind, i = where_model.get(target, (None, -1))
            if kind == "param":
                P.set(r, i, value, w)
            elif kind == "state":
                Y.set(r, i, value, w)
            else:
                what = "an assignment-rule or derived quantity" if kind == "obs" else "unknown"
                raise InputError(
                    f"{w}: the target is {what} in the model (targets must be parameters, "
                    "species or compartments)"
                )

    E = len(spec.experiments)
    P_main, Y_main = base(E)
    pre_keys: dict[Any, int] = {}
    pre_of = np.full(E, -1, dtype=np.int64)
    for e, exp in enumerate(spec.experiments):
        if exp.pre is not None:
            pre_of[e] = pre_keys.setdefault(exp.pre_key, len(pre_keys))
    P_pre = Y_pre = None
    if pre_keys:
        P_pre, Y_pre = base(len(pre_keys))
        done = set()
        for e, exp in enumerate(spec.experiments):
            if pre_of[e] >= 0 and pre_of[e] not in done:
                done.add(pre_of[e])
                apply(P_pre, Y_pre, pre_of[e], exp.pre, f"condition {exp.conditions[0]!r}")
    for e, exp in enumerate(spec.experiments):
        if spec.persist and exp.pre is not None:  # v2: the pre-equilibration's parameters
            for target, value in exp.pre.items():  # persist into the period
                if where_model.get(target, ("",))[0] == "param":
                    P_main.set(e, where_model[target][1], value, f"experiment {exp.id!r}")
        apply(P_main, Y_main, e, exp.changes, f"condition {exp.conditions[1]!r}")

    t0s = {exp.t0 for exp in spec.experiments}
    if len(t0s) > 1:
        raise InputError(
            f"experiment table, column time: periods start at {sorted(t0s)}; pathjax "
            "needs one start time for all experiments"
        )
    t0 = t0s.pop() if t0s else 0.0
    times = np.array([m.time for m in spec.measurements], dtype=np.float64)
    early = times[times < t0]
    if early.size:
        raise InputError(f"measurement table, column time: {early[0]} is before the start {t0}")
    finite = np.unique(times[np.isfinite(times)])
    ts = finite if finite.size else np.array([t0])
    K = ts.size
    inf_exps = np.unique([m.experiment for m in spec.measurements if m.time == math.inf])

    groups = []
    for oid, obs in spec.observables.items():
        rows = np.array([i for i, m in enumerate(spec.measurements) if m.observable == oid],
                        dtype=np.int64)  # fmt: skip
        if rows.size == 0:
            continue
        ms = [spec.measurements[i] for i in rows]
        t = np.array([m.time for m in ms])
        k = np.where(np.isfinite(t), np.searchsorted(ts, np.where(np.isfinite(t), t, t0)), K)
        over = _SlotBuilder(len(ms), len(obs.placeholders), np.nan, par_index)
        nover = _SlotBuilder(len(ms), len(obs.noise_placeholders), np.nan, par_index)
        for r, m in enumerate(ms):
            w = f"measurement table, row {rows[r]}"
            for j, v in enumerate(m.overrides):
                over.set(r, j, v, f"{w}, column observableParameters")
            for j, v in enumerate(m.noise_overrides):
                nover.set(r, j, v, f"{w}, column noiseParameters")
        where = f"observable table, row {oid!r}"
        needs = _needs(obs, where_model, par_index, where)
        scaled_by = tuple(
            (name, *where_model[amounts[name]])
            for name, kind, _ in needs
            if kind in ("state", "obs") and amounts.get(name) in where_model
        )
        groups.append(
            Group(
                rows=rows,
                exp=np.array([m.experiment for m in ms], dtype=np.int64),
                k=k,
                t=t,
                data=np.array([m.value for m in ms]),
                formula=compile_formula(obs.formula, f"{where}, column observableFormula"),
                noise=compile_formula(obs.noise, f"{where}, column noiseFormula"),
                needs=needs,
                amounts=scaled_by,
                overrides=over.build(),
                noise_overrides=nover.build(),
                placeholders=obs.placeholders,
                noise_placeholders=obs.noise_placeholders,
                distribution=obs.distribution,
                transform=obs.transform,
            )  # fmt: skip
        )
    free = np.array([i for i, p in enumerate(spec.parameters) if p.estimate], dtype=np.int64)
    proto = model.default_protocol or Protocol()
    compiled = proto.compile(model, t0, float(ts[-1]) if ts[-1] > t0 else t0 + 1.0, 1)
    return Layout(
        model=model, par_ids=par_ids, scales=tuple(p.scale for p in spec.parameters),
        nominal=np.array([p.nominal for p in spec.parameters]), free=free,
        P_main=P_main.build(), Y_main=Y_main.build(),
        P_pre=None if P_pre is None else P_pre.build(),
        Y_pre=None if Y_pre is None else Y_pre.build(), pre_of=pre_of, amount_of=amount_of,
        ts=ts, t0=float(t0), inf_exps=inf_exps, groups=tuple(groups),
        n_measurements=len(spec.measurements), n_experiments=E, protocol=compiled,
    )  # fmt: skip


def _needs(obs, where_model, par_index, where) -> tuple[tuple[str, str, int], ...]:
    """How each symbol of the observable's formulas is read."""
    out = []
    own = set(obs.placeholders) | set(obs.noise_placeholders)
    for s in sorted(symbols_of(obs.formula) | symbols_of(obs.noise)):
        if s in own:
            continue
        if s == "time" or s == "t":
            out.append((s, "time", 0))
        elif s == obs.id:
            out.append((s, "self", 0))
        elif s in where_model:
            out.append((s, *where_model[s]))
        elif s in par_index:
            out.append((s, "table", par_index[s]))
        else:
            raise InputError(f"{where}: the formulas use {s!r}, which is neither in the model "
                             "nor in the parameter table")  # fmt: skip
    return tuple(out)


# --------------------------------------------------------------------------- scales


def unscale(theta, scales):
    """Values on the linear scale from values on each parameter's scale."""
    out = []
    for i, s in enumerate(scales):
        v = theta[..., i]
        out.append(jnp.exp(v) if s == "log" else 10.0**v if s == "log10" else v)
    return jnp.stack(out, -1) if out else theta


def scale(x: np.ndarray, scales) -> np.ndarray:
    """Values on each parameter's scale from linear values (NumPy)."""
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    for i, s in enumerate(scales):
        if s == "log":
            out[..., i] = np.log(x[..., i])
        elif s == "log10":
            out[..., i] = np.log10(x[..., i])
    return out


# --------------------------------------------------------------------------- likelihood


def _neg_llh(sim, data, sigma, distribution: str, transform: str):
    """Negative log-likelihood of each data point (PEtab's noise models)."""
    if transform == "lin":
        r, jac = sim - data, 0.0
    elif transform == "log":
        r, jac = jnp.log(sim) - jnp.log(data), jnp.log(data)
    else:
        r, jac = jnp.log10(sim) - jnp.log10(data), jnp.log(data * _LN10)
    if distribution == "normal":
        return 0.5 * jnp.log(2 * jnp.pi * sigma**2) + jac + 0.5 * (r / sigma) ** 2
    return jnp.log(2 * sigma) + jac + jnp.abs(r / sigma)


def neg_log_prior(x, theta, priors) -> jax.Array:
    """Negative log prior density of the parameter vectors (n_x,): `x` linear values,
    `theta` the same on the parameter scale, `priors` ((index, kind, params), ...)."""
    total = jnp.zeros(x.shape[:-1], x.dtype)
    for i, kind, ps in priors:
        v = theta[..., i] if kind.startswith("parameterScale") else x[..., i]
        kind = kind.removeprefix("parameterScale")
        kind = kind[0].lower() + kind[1:]
        a, b = ps if len(ps) == 2 else (None, None)
        if kind == "uniform":
            if a is None:
                continue
            term = jnp.where((v >= a) & (v <= b), jnp.log(b - a), jnp.inf)
        elif kind == "logUniform":
            term = jnp.where((v >= a) & (v <= b), jnp.log(v) + jnp.log(jnp.log(b / a)), jnp.inf)
        elif kind == "normal":
            term = 0.5 * jnp.log(2 * jnp.pi * b**2) + 0.5 * ((v - a) / b) ** 2
        elif kind == "laplace":
            term = jnp.log(2 * b) + jnp.abs(v - a) / b
        elif kind == "logNormal":
            term = jnp.log(v) + 0.5 * jnp.log(2 * jnp.pi * b**2) + 0.5 * ((jnp.log(v) - a) / b) ** 2
        elif kind == "logLaplace":
            term = jnp.log(2 * b * v) + jnp.abs(jnp.log(v) - a) / b
        else:  # pragma: no cover - refused when the table is read
            raise InputError(f"prior {kind!r} is not supported")
        total = total + term
    return total


# --------------------------------------------------------------------------- the function


def _inputs(model: Model, B: int, dtype) -> jax.Array:
    base = jnp.asarray([s.default for s in model.input_specs], dtype)
    return jnp.broadcast_to(base.reshape(-1, 1), (base.shape[0], B))


def simulate(layout: Layout, full: jax.Array, options: driver.Options, rtol, atol):
    """Simulated values, noise scales and ok flags of every measurement.

    Args:
        full: (n_x, n_par) the full parameter vectors (linear scale).

    Returns:
        sim (n_x, M), sigma (n_x, M), ok (n_x,), status (n_x, E).
    """
    model = layout.model
    nx, E = full.shape[0], layout.n_experiments
    B = nx * E
    dtype = full.dtype
    env = {p: full[:, i] for i, p in enumerate(layout.par_ids)}

    def patients(v):  # (n_x, R, n) -> (n, n_x * R)
        return jnp.moveaxis(v, -1, 0).reshape(v.shape[-1], -1)

    P = layout.P_main.fill(full, env)  # (n_x, E, n_p)
    Y = layout.Y_main.fill(full, env)  # (n_x, E, n_s), NaN: not set
    status = jnp.zeros((nx, E), jnp.int32)
    amounts = layout.amount_of >= 0
    if amounts.any():  # amounts set by the tables -> concentrations
        vol = P[..., np.maximum(layout.amount_of, 0)]
        Y = jnp.where(jnp.asarray(amounts)[None, None], Y / vol, Y)
    if layout.P_pre is not None:
        Pp = layout.P_pre.fill(full, env)
        Yp = layout.Y_pre.fill(full, env)
        if amounts.any():
            Yp = jnp.where(jnp.asarray(amounts)[None, None], Yp / Pp[..., np.maximum(layout.amount_of, 0)],
                           Yp)  # fmt: skip
        Epre = Pp.shape[1]
        pre = driver.Problem.held(
            model, jnp.asarray([layout.t0], dtype), patients(Yp), patients(Pp),
            _inputs(model, nx * Epre, dtype), rtol, atol, t0=layout.t0,
            preequilibration=math.inf,
        )  # fmt: skip
        y_pre, st_pre = driver.preequilibrated(pre, options)
        y_pre = y_pre.reshape(-1, nx, Epre)  # (n_s, n_x, E_pre)
        st_pre = st_pre.reshape(nx, Epre)
        has = layout.pre_of >= 0
        idx = np.maximum(layout.pre_of, 0)
        start = jnp.moveaxis(y_pre[:, :, idx], 0, -1)  # (n_x, E, n_s)
        start = jnp.where(jnp.isfinite(start), start, 0.0)  # failed: flagged by the status
        Y = jnp.where(jnp.isnan(Y) & jnp.asarray(has)[None, :, None], start, Y)
        status = jnp.where(jnp.asarray(has)[None], st_pre[:, idx], status)
    y0, Pb = patients(Y), patients(P)
    cp = layout.protocol

    def per_patient(a):
        return jnp.broadcast_to(jnp.asarray(a, dtype), a.shape[:-1] + (B,))

    main = driver.Problem(
        model=model, ts=jnp.asarray(layout.ts, dtype), t0=jnp.asarray(layout.t0, dtype), y0=y0,
        P=Pb, stops=jnp.asarray(cp.stops, dtype), U=per_patient(cp.inputs),
        D=per_patient(cp.doses), R=per_patient(cp.resets), D0=per_patient(cp.initial_doses),
        R0=per_patient(cp.initial_resets), U_pre=_inputs(model, B, dtype),
        T_pre=jnp.asarray(0.0, dtype), rtol=jnp.asarray(rtol, dtype),
        atol=jnp.asarray(atol, dtype),
    )  # fmt: skip
    sol = driver.solve(main, options)
    K = layout.ts.size
    n_s, n_o = y0.shape[0], sol.obs.shape[1]
    ys = sol.ys.reshape(K, n_s, nx, E)
    obs = sol.obs.reshape(K, n_o, nx, E)
    status = jnp.where(status != 0, status, sol.status.reshape(nx, E))
    if layout.inf_exps.size:
        sel = layout.inf_exps
        Ysel = Y[:, sel]  # (n_x, E_inf, n_s)
        Psel = P[:, sel]
        Bi = nx * sel.size
        held = driver.Problem.held(model, jnp.asarray([layout.t0], dtype), patients(Ysel),
                                   patients(Psel), _inputs(model, Bi, dtype), rtol, atol,
                                   t0=layout.t0, preequilibration=math.inf)  # fmt: skip
        y_inf, st_inf = driver.preequilibrated(held, options)
        o_inf = driver.observables(held, y_inf[None])[0]  # (n_o, Bi)
        fill_s = jnp.zeros((n_s, nx, E), dtype).at[:, :, sel].set(y_inf.reshape(n_s, nx, sel.size))
        fill_o = jnp.zeros((n_o, nx, E), dtype).at[:, :, sel].set(o_inf.reshape(n_o, nx, sel.size))
        ys = jnp.concatenate([ys, fill_s[None]])
        obs = jnp.concatenate([obs, fill_o[None]])
        st_inf = st_inf.reshape(nx, -1)
        status = status.at[:, sel].set(jnp.where(status[:, sel] != 0, status[:, sel], st_inf))
    M = layout.n_measurements
    sim = jnp.zeros((nx, M), dtype)
    sigma = jnp.zeros((nx, M), dtype)
    for g in layout.groups:
        s, n = _evaluate(g, ys, obs, P, full, env)
        sim = sim.at[:, g.rows].set(s)
        sigma = sigma.at[:, g.rows].set(n)
    ok = jnp.all(status == 0, axis=1)
    return sim, sigma, ok, status


def _evaluate(g: Group, ys, obs, P, full, env):
    """(n_x, M) simulated values and noise scales of one observable's measurements."""
    nx = full.shape[0]
    M = g.rows.size

    def read(kind: str, i: int):
        if kind == "state":
            return ys[g.k, i, :, g.exp].T  # (n_x, M)
        if kind == "obs":
            return obs[g.k, i, :, g.exp].T
        if kind == "param":
            return P[:, g.exp, i]
        return full[:, i][:, None]  # "table"

    values: dict[str, Any] = {}
    for name, kind, i in g.needs:
        if kind == "time":
            values[name] = jnp.asarray(g.t)[None]
        elif kind != "self":
            values[name] = read(kind, i)
    # A hasOnlySubstanceUnits species means its amount in PEtab's formulas (SBML
    # semantics); the model holds every species as a concentration.
    for name, kind, i in g.amounts:
        values[name] = values[name] * read(kind, i)
    over = g.overrides.fill(full, env)  # (n_x, M, n_ph)
    for j, ph in enumerate(g.placeholders):
        values[ph] = over[..., j]
    sim = jnp.broadcast_to(g.formula(values), (nx, M))
    values = dict(values)
    for name, kind, _ in g.needs:
        if kind == "self":
            values[name] = sim
    nover = g.noise_overrides.fill(full, env)
    for j, ph in enumerate(g.noise_placeholders):
        values[ph] = nover[..., j]
    sigma = jnp.broadcast_to(g.noise(values), (nx, M))
    return sim, sigma


def nllh_terms(layout: Layout, full, options, rtol, atol):
    """Per parameter vector: nllh (inf where a solve failed), sim, sigma, ok."""
    sim, sigma, ok, status = simulate(layout, full, options, rtol, atol)
    total = jnp.zeros(full.shape[0], full.dtype)
    for g in layout.groups:
        terms = _neg_llh(sim[:, g.rows], jnp.asarray(g.data)[None], sigma[:, g.rows], g.distribution,
                         g.transform)  # fmt: skip
        total = total + jnp.sum(terms, axis=1)
    ok = ok & jnp.isfinite(total)
    return jnp.where(ok, total, jnp.inf), sim, sigma, ok, status


class Compiled:
    """The jitted functions of one problem layout (one per kind, cached)."""

    def __init__(self, layout: Layout, priors: tuple, max_steps: int):
        self.layout = layout
        self.priors = priors
        self.max_steps = max_steps

    def full(self, theta):
        """(n_x, n_par) linear full vectors from (n_x, n_free) values on the scale."""
        L = self.layout
        nominal = jnp.asarray(L.nominal, theta.dtype)
        full = jnp.broadcast_to(nominal, theta.shape[:1] + nominal.shape)
        scales = tuple(L.scales[i] for i in L.free)
        return full.at[:, L.free].set(unscale(theta, scales))

    @functools.cache  # noqa: B019 - one compiled program per kind and instance
    def program(self, kind: str) -> Callable:
        """``kind``: ``"simulate"`` (sim, sigma, ok, status of full vectors),
        ``"value"``, ``"forward"``, ``"reverse"`` (objective, ok, gradient on the scale
        and whether a solve underflowed its step size, of values on the scale)."""
        L = self.layout
        if kind == "simulate":
            opts = driver.Options("rodas5p", self.max_steps)
            return jax.jit(lambda full, rtol, atol: simulate(L, full, opts, rtol, atol))
        checkpoints = driver.REVERSE_CHECKPOINTS if kind == "reverse" else None
        opts = driver.Options("rodas5p", self.max_steps, checkpoints)
        priors = self.priors

        def objective(theta, rtol, atol, with_prior):
            full = self.full(theta)
            f, _, _, ok, status = nllh_terms(L, full, opts, rtol, atol)
            if priors:
                th = _scaled_full(full, L.scales, theta, L.free)
                f = f + with_prior * neg_log_prior(full, th, priors)
            return f, (ok, underflowed(status))

        if kind == "value":
            return jax.jit(lambda th, rtol, atol, wp: _flat(*objective(th, rtol, atol, wp),
                                                             jnp.zeros_like(th)))  # fmt: skip
        if kind == "reverse":

            def vg(theta, rtol, atol, wp):
                def total(th):
                    f, (ok, under) = objective(th, rtol, atol, wp)
                    return jnp.sum(jnp.where(ok, f, 0.0)), (f, (ok, under))

                (_, (f, aux)), g = jax.value_and_grad(total, has_aux=True)(theta)
                return _flat(f, aux, jnp.where(aux[0][:, None] & jnp.isfinite(g), g, 0.0))

            return jax.jit(vg)

        def fwd(theta, rtol, atol, wp):
            S, m = theta.shape
            basis = jnp.eye(m, dtype=theta.dtype)[:, None, :] * jnp.ones((1, S, 1), theta.dtype)

            def one(v):
                return jax.jvp(lambda th: objective(th, rtol, atol, wp), (theta,), (v,),
                               has_aux=True)  # fmt: skip

            f, df, aux = jax.vmap(one, out_axes=(None, 0, None))(basis)
            g = df.T
            return _flat(f, aux, jnp.where(aux[0][:, None] & jnp.isfinite(g), g, 0.0))

        return jax.jit(fwd)


def underflowed(status):
    """(n_x,) whether any experiment of a parameter vector stopped on a step-size
    underflow (the absolute tolerance below the round-off of its states)."""
    return jnp.any(status == int(Status.STEP_SIZE_UNDERFLOW), axis=1)


def _flat(f, aux, g):
    """The objective programs' outputs: (f, ok, grad, underflowed), each (n_x, ...)."""
    return f, aux[0], g, aux[1]


def _scaled_full(full, scales, theta, free):
    """Every parameter on its own scale: the estimated ones are `theta`, the fixed ones
    scaled from their linear values."""
    cols = []
    for i, s in enumerate(scales):
        v = full[:, i]
        cols.append(jnp.log(v) if s == "log" else jnp.log10(v) if s == "log10" else v)
    return jnp.stack(cols, -1).at[:, free].set(theta)
