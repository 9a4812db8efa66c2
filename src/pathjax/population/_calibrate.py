"""`calibrate_cohort`: a cohort whose markers match published population distributions.

Method (a plausible pool, a gradient fit of the parameter distributions, then
acceptance-rejection after Allen R.J., Rieger T.R., Musante C.J. (2016) Efficient
generation and selection of virtual populations in quantitative systems pharmacology
models. CPT Pharmacometrics Syst Pharmacol 5:140-146):

1. **Pool.** Draw a pilot pool of the base cohort (``pool`` patients), simulate the
   challenge that shows the markers (the model's default protocol, e.g. the 75 g OGTT,
   read at t = 0 and at the markers' time) and keep the patients inside the base cohort's
   plausibility ranges and the model's physiological bounds.
2. **Fit (``fit=True``).** Shift the location of every log-normal and logit-normal
   parameter distribution of the base cohort by ``delta_j`` standard deviations (on the
   normal scale of the draws) so that the pool's marker marginals approach the targets:
   the pool reweighted by the likelihood ratio of the shifted distributions,
   ``exp(delta . z_i)`` (self-normalised), is the population of the shifted cohort, and
   ``delta`` is fitted by Adam (optax) through that differentiable population, to the
   squared differences between the smoothed weighted marker CDFs and the targets' at 19
   of their quantiles plus ``ridge |delta|^2`` (it keeps the weights from collapsing on
   a few patients). The simulations are not differentiated: the pool's markers are data,
   the distributions are what is fitted. A fresh pool is then drawn from the shifted
   cohort, which needs much less selection.
3. **Weights.** Find weights w(x) = prod_m R_m(x_m) over the markers x of a patient
   such that the weighted marginal of every marker equals its target (raking, iterative
   proportional fitting of the marginals: Deming W.E., Stephan F.F. (1940) Ann Math Stat
   11:427-444), the pool's marginal densities estimated by Gaussian kernels. Each R_m is
   a function of one marker, tabulated on a grid, so any new candidate has a weight.
4. **Selection.** The calibrated cohort is the (shifted) base cohort whose plausibility
   check also accepts a candidate with probability w(x) / max_pool w (Allen et al.'s
   acceptance step), with a uniform that is a hash of the candidate's parameters:
   patient *i* is a function of (seed, *i*) as for every cohort, and `population.run`
   draws it anew.

The report's Kolmogorov-Smirnov distances are those of the population `calibrate_cohort`
returns, recomputable with `ks_report(result.population, targets)`.
"""

import dataclasses
import hashlib
import math
from typing import Any

import numpy as np
import xarray as xr

from .._errors import InputError, unknown_name
from .._sampling import patient_normals
from ..summaries import model_bounds
from ._cohort import Cohort, Plausibility, Range, random_dims
from ._distributions import LogitNormal, LogNormal
from ._sample import STREAM, check_count, draw, in_bounds, passes, resolve_model
from ._sample import cohort as get_cohort
from ._targets import Targets, ks_distance, ks_report
from ._targets import targets as load_targets

__all__ = ["CalibratedCohort", "TargetAcceptance", "calibrate_cohort"]

_GRID = 401
_RAKING_SWEEPS = 30


@dataclasses.dataclass(frozen=True, eq=False)
class TargetAcceptance:
    """Acceptance probability of a candidate from its markers: ``prod_m R_m(x_m) / c``,
    each ``log R_m`` tabulated on a grid (0 outside it: rejected).

    Attributes:
        markers: ``(marker, output, time)`` triples.
        grids: one increasing grid per marker.
        log_ratios: ``log R_m`` on each grid.
        log_scale: ``log c``, the largest log-weight of the pool.
    """

    markers: tuple[tuple[str, str, float], ...]
    grids: tuple[np.ndarray, ...]
    log_ratios: tuple[np.ndarray, ...]
    log_scale: float

    def log_weight(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """log w of candidates with marker values `values` ({marker: (patient,)})."""
        total = 0.0
        for (name, _, _), grid, lr in zip(self.markers, self.grids, self.log_ratios, strict=True):
            x = np.asarray(values[name], np.float64)
            inside = np.isfinite(x) & (x >= grid[0]) & (x <= grid[-1])
            total = total + np.where(inside, np.interp(np.where(inside, x, grid[0]), grid, lr),
                                     -np.inf)  # fmt: skip
        return np.asarray(total, np.float64)

    def __call__(self, challenge: xr.Dataset) -> np.ndarray:
        """(patient,) acceptance probabilities of a challenge result (times 0 and T)."""
        values = {}
        for name, output, time in self.markers:
            values[name] = challenge[output].values[:, 0 if time == 0 else -1]
        with np.errstate(invalid="ignore", over="ignore"):
            p = np.exp(np.minimum(self.log_weight(values) - self.log_scale, 0.0))
        return np.where(np.isfinite(p), p, 0.0)

    def __repr__(self) -> str:
        h = hashlib.sha256()
        for a in self.grids + self.log_ratios:
            h.update(np.ascontiguousarray(a, np.float64).tobytes())
        h.update(np.float64(self.log_scale).tobytes())
        return f"TargetAcceptance({[m[0] for m in self.markers]}, {h.hexdigest()[:16]})"


@dataclasses.dataclass(frozen=True, eq=False)
class CalibratedCohort:
    """What `calibrate_cohort` returns.

    Attributes:
        cohort: the calibrated `Cohort` (give it to `population.run` or `sample`).
        population: the calibrated population it drew (``n`` patients, `population.run`'s
            Dataset, read at t = 0 and the markers' time).
        targets: the `Targets`.
        ks: {marker: Kolmogorov-Smirnov distance of the population's plausible patients
            to the target}; equals ``ks_report(population, targets)``.
        acceptance_rate: accepted patients per draw when the population was drawn
            (the pool's plausibility and the target selection together).
        pool_ks: {marker: KS distance of the plausible pool before selection}.
        pool_plausible: share of the pilot pool inside the physiological bounds.
        expected_acceptance: mean pool weight over its largest (the share of plausible
            candidates the selection step keeps).
        fitted_ks: {marker: KS distance of the pool drawn from the fitted cohort}
            (`pool_ks` when nothing was fitted).
        shift: {parameter: delta, the fitted shift in standard deviations}.
        fit_effective_share: effective sample size of the fit's weights / pool size.
    """

    cohort: Cohort
    population: xr.Dataset
    targets: Targets
    ks: dict[str, float]
    acceptance_rate: float
    pool_ks: dict[str, float]
    pool_plausible: float
    expected_acceptance: float
    fitted_ks: dict[str, float] = dataclasses.field(default_factory=dict)
    shift: dict[str, float] = dataclasses.field(default_factory=dict)
    fit_effective_share: float = 1.0

    def table(self) -> str:
        """The report as text: one line per marker."""
        lines = [f"{'marker':<18}{'pool KS':>9}{'fitted':>8}{'KS':>8}   target"]
        for t in self.targets.markers:
            fitted = self.fitted_ks.get(t.marker, self.pool_ks[t.marker])
            lines.append(
                f"{t.marker:<18}{self.pool_ks[t.marker]:>9.3f}{fitted:>8.3f}"
                f"{self.ks[t.marker]:>8.3f}   normal({t.mean:g}, {t.sd:g}) {t.unit}"
            )
        lines.append(
            f"acceptance rate {self.acceptance_rate:.1%} (pool inside the bounds "
            f"{self.pool_plausible:.1%}, selection {self.expected_acceptance:.1%})"
        )
        return "\n".join(lines)


def _bounds_as_ranges(model) -> tuple[Range, ...]:
    """The model's physiological bounds as challenge ranges (at t = 0 and at T)."""
    return tuple(Range(r.output, r.lower, r.upper, r.at) for r in model_bounds(model))


def _kde(x: np.ndarray, w: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Weighted Gaussian kernel density of `x` on `grid` (Silverman's bandwidth)."""
    w = w / w.sum()
    mean = float(np.sum(w * x))
    sd = math.sqrt(max(float(np.sum(w * (x - mean) ** 2)), 1e-300))
    n_eff = 1.0 / float(np.sum(w * w))
    h = max(1.06 * sd * n_eff ** (-0.2), 1e-12 * max(abs(mean), 1.0))
    z = (grid[:, None] - x[None, :]) / h
    return np.exp(-0.5 * z * z) @ w / (h * math.sqrt(2.0 * math.pi))


def _rake(values: np.ndarray, tg: Targets) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Grids and log R_m such that the pool weighted by prod_m R_m(x_m) has the targets'
    marginals (iterative proportional fitting on kernel densities)."""
    grids, log_r = [], []
    for j, t in enumerate(tg.markers):
        x = values[:, j]
        lo = min(float(x.min()), t.mean - 5.0 * t.sd)
        hi = max(float(x.max()), t.mean + 5.0 * t.sd)
        grids.append(np.linspace(lo, hi, _GRID))
        log_r.append(np.zeros(_GRID))
    at = [np.clip(np.searchsorted(g, values[:, j]), 0, _GRID - 1) for j, g in enumerate(grids)]
    for _ in range(_RAKING_SWEEPS):
        for j, t in enumerate(tg.markers):
            lw = sum(np.interp(values[:, k], grids[k], log_r[k]) for k in range(len(grids)))
            w = np.exp(lw - lw.max())
            q = _kde(values[:, j], w, grids[j])
            p = t.pdf(grids[j])
            floor = 1e-3 * q.max()
            log_r[j] = log_r[j] + np.log(np.maximum(p, 1e-300)) - np.log(np.maximum(q, floor))
            # no candidate may weigh more than the most weighted pool patient there: the
            # ratio is only known where the pool has patients
            top = float(np.max(log_r[j][at[j]]))
            log_r[j] = np.minimum(log_r[j] - top, 0.0)
    return grids, log_r


def _plausible_pool(m, c, checks, tg, seed, n, solve, what: str, advice: str):
    """`_pool`, or `InputError` (naming `what`, with `advice`) where fewer than 10 of
    its patients are plausible."""
    dims, z, values, ok = _pool(m, c, checks, tg, seed, n, solve)
    if ok.sum() < 10:
        raise InputError(
            f"only {int(ok.sum())} of {n} pool patients of {what} are plausible: {advice}"
        )
    return dims, z, values, ok


def _pool(m, c: Cohort, checks: Plausibility, tg: Targets, seed: int, size: int, solve: dict):
    """The pool: (z, marker values, plausible mask) of `size` first draws of cohort `c`."""
    from ..simulate import simulate

    dims = random_dims(m, c)
    bare = dataclasses.replace(c, plausibility=None)
    params, _ = draw(m, bare, dims, seed, 0, size, 0)
    z = np.array(patient_normals(seed, 0, size, len(dims), stream=STREAM)) if dims else None
    ok = in_bounds(m, params)
    defaults = m.default_params()
    run = {k: np.where(ok, v, defaults[k]) for k, v in params.items()}
    ds = simulate(m, np.array([0.0, checks.time]), run,
                  dataclasses.replace(c, plausibility=checks).challenge(m), **solve)  # fmt: skip
    ok &= passes(ds, checks)
    if "plausible" in ds:
        ok &= ds["plausible"].values == 1
    values = np.stack(
        [ds[t.output].values[:, 0 if t.time == 0 else -1] for t in tg.markers], axis=1
    )
    return dims, z, values, ok


def _shiftable(dims, c: Cohort) -> np.ndarray:
    """(dim,) True for the dimensions whose distribution `_shifted` can move."""
    corr = set(c.correlation.names) if c.correlation is not None else set()
    return np.array([
        d.role != "covariate" and d.name not in corr
        and isinstance(d.distribution, (LogNormal, LogitNormal))
        for d in dims
    ], bool)  # fmt: skip


def _fit_shift(z: np.ndarray, values: np.ndarray, tg: Targets, mask: np.ndarray,
               ridge: float, steps: int = 300) -> tuple[np.ndarray, float]:  # fmt: skip
    """delta (dim,) minimising the weighted pool's CDF misfit to the targets (Adam), and
    the effective sample size of the final weights (as a share of the pool)."""
    import jax
    import jax.numpy as jnp
    import optax
    from scipy.special import ndtri

    q = np.linspace(0.05, 0.95, 19)
    xq = jnp.asarray(np.stack([t.mean + t.sd * ndtri(q) for t in tg.markers]))  # (m, 19)
    h = jnp.asarray([[0.15 * t.sd] for t in tg.markers])  # (m, 1)
    zj = jnp.asarray(z * mask[None, :])
    xs = jnp.asarray(values.T)  # (m, pool)
    qj = jnp.asarray(q)[None, :]

    def loss(delta):
        w = jax.nn.softmax(zj @ delta)  # (pool,)
        cdf = jax.nn.sigmoid((xq[:, :, None] - xs[:, None, :]) / h[:, :, None]) @ w
        return jnp.sum(jnp.mean((cdf - qj) ** 2, axis=1)) + ridge * jnp.sum(delta**2)

    opt = optax.adam(0.05)
    delta = jnp.zeros(z.shape[1])
    state = opt.init(delta)

    @jax.jit
    def step(delta, state):
        g = jax.grad(loss)(delta)
        upd, state = opt.update(g, state)
        return optax.apply_updates(delta, upd), state

    for _ in range(steps):
        delta, state = step(delta, state)
    w = np.asarray(jax.nn.softmax(zj @ delta))
    return np.asarray(delta) * mask, float(1.0 / np.sum(w * w) / w.size)


def _shifted(c: Cohort, dims, delta: np.ndarray) -> Cohort:
    """Cohort `c` with distribution j drawn at ``z_j + delta_j`` (same family)."""
    params = dict(c.parameters)
    for d, dj in zip(dims, delta, strict=True):
        if dj == 0.0:
            continue
        dist = d.distribution
        if isinstance(dist, LogNormal):
            params[d.name] = LogNormal(dist.mean * math.exp(dist.sigma * dj), dist.cv)
        else:
            width = dist.upper - dist.lower
            x = (dist.center - dist.lower) / width
            logit = math.log(x / (1 - x)) + dist.sigma * dj
            center = dist.lower + width / (1.0 + math.exp(-logit))
            params[d.name] = LogitNormal(center, dist.sigma, dist.lower, dist.upper)
    return dataclasses.replace(c, parameters=params)


def calibrate_cohort(
    model: Any,
    targets: "str | Targets",
    n: int = 256,
    seed: int = 0,
    *,
    base: "str | Cohort" = "reference",
    pool: int | None = None,
    fit: bool = True,
    ridge: float = 0.05,
    chunk_size: int | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> CalibratedCohort:
    """A cohort of `model` whose marker distributions match `targets`, with its report.

    A plausible pool of the `base` cohort is weighted to the targets' marginals and the
    weights become an acceptance-rejection step of the cohort's plausibility check (see
    the module docstring). Then `n` patients are drawn from the calibrated cohort with
    `population.run` (seed `seed`, read at t = 0 and the markers' time) and their
    Kolmogorov-Smirnov distances to the targets reported.

    Args:
        model: a `pathjax.Model` or a bundled model name.
        targets: a bundled targets name (`available_targets`) or a `Targets`.
        n: patients of the calibrated population.
        seed: non-negative integer; the pool uses ``seed + 1``.
        base: the cohort whose distributions are the pool's (default ``"reference"``:
            the published parameters, kinetic parameters log-normal CV 20 %).
        pool: size of the pilot pool (default ``max(4 n, 256)``).
        fit: fit the location of the base cohort's log-normal and logit-normal
            distributions to the targets before the selection (step 2).
        ridge: weight of ``|delta|^2`` in that fit.
        chunk_size: patients per compiled solve of the population run.
        rtol, atol: solver tolerances.

    Returns:
        `CalibratedCohort`: ``cohort``, ``population``, ``ks`` and ``acceptance_rate``
        (and the pool's KS for comparison).

    Raises:
        InputError: unknown model, cohort, targets or marker outputs, bad counts, or a
            pool with fewer than 10 plausible patients, before the population is drawn.

    Examples:
        >>> import numpy as np, pathjax
        >>> from pathjax.population import Target, Targets, calibrate_cohort, ks_report
        >>> m = pathjax.Model(name="decay", state_specs=(pathjax.State("x", "mM", 1.0),),
        ...     param_specs=(pathjax.Param("k", "1/min", 1.0),),
        ...     rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x})
        >>> tg = Targets("low", "x(1) near 0.35", "example",
        ...              (Target("x_at_1", "x", 1.0, "mM", 0.35, 0.04),))
        >>> res = calibrate_cohort(m, tg, n=16, seed=0, pool=64)
        >>> res.ks == ks_report(res.population, tg)
        True
    """
    from ._run import run

    m = resolve_model(model)
    tg = load_targets(targets)
    n, seed, _ = check_count(n, seed)
    pool_n = max(4 * n, 256) if pool is None else check_count(pool, seed)[0]
    c = get_cohort(m, base)
    valid = m.state_names + m.observable_names
    for t in tg.markers:
        if t.output not in valid:
            raise unknown_name("output", t.output, valid)
    time = tg.times[0] if tg.times else float(m.t_end)
    base_pl = c.plausibility
    if base_pl is not None and base_pl.time != time:
        raise InputError(
            f"cohort {c.name!r} checks plausibility at t = {base_pl.time:g}, the targets "
            f"are read at t = {time:g}"
        )
    ranges = (base_pl.ranges if base_pl else ()) + _bounds_as_ranges(m)
    checks = Plausibility(
        ranges=ranges,
        time=time,
        protocol=base_pl.protocol if base_pl else None,
        description=(base_pl.description + " " if base_pl else "")
        + "Inside the model's physiological bounds.",
    )
    solve = {"rtol": rtol, "atol": atol, "chunk_size": chunk_size}
    dims, z, values, ok = _plausible_pool(
        m, c, checks, tg, seed + 1, pool_n, solve,
        f"cohort {c.name!r}", "widen the base cohort or the pool",
    )  # fmt: skip
    pool_ks = {t.marker: ks_distance(values[ok, j], t) for j, t in enumerate(tg.markers)}
    pool_plausible = float(ok.mean())
    delta = np.zeros(len(dims))
    ess = 1.0
    fitted_ks = pool_ks
    if fit and z is not None and _shiftable(dims, c).any():
        delta, ess = _fit_shift(z[ok], values[ok], tg, _shiftable(dims, c), float(ridge))
        c = _shifted(c, dims, delta)
        dims, z, values, ok = _plausible_pool(
            m, c, checks, tg, seed + 2, pool_n, solve,
            "the fitted cohort", "raise `ridge` or give fit=False",
        )  # fmt: skip
        fitted_ks = {t.marker: ks_distance(values[ok, j], t) for j, t in enumerate(tg.markers)}
    pooled = dataclasses.replace(c, plausibility=checks)
    values = values[ok]

    # 2. raking weights, 3. the acceptance step
    grids, log_r = _rake(values, tg)
    acc = TargetAcceptance(
        tuple((t.marker, t.output, t.time) for t in tg.markers),
        tuple(grids),
        tuple(log_r),
        0.0,
    )
    lw = acc.log_weight({t.marker: values[:, j] for j, t in enumerate(tg.markers)})
    acc = dataclasses.replace(acc, log_scale=float(lw.max()))
    expected = float(np.mean(np.exp(lw - lw.max())))
    cohort = dataclasses.replace(
        pooled,
        name=f"{c.name}_to_{tg.name}",
        description=f"{c.description} Calibrated to {tg.name} ({tg.description}) by "
        "a fit of its distributions and acceptance-rejection of a plausible pool "
        "(pathjax.population.calibrate_cohort).",
        source=f"{c.source}; targets: {tg.source}",
        plausibility=dataclasses.replace(checks, acceptance=acc),
    )
    population = run(m, cohort, n, seed, t=np.array([0.0, time]), summaries=[],
                     outputs=sorted({t.output for t in tg.markers}), chunk_size=chunk_size,
                     rtol=rtol, atol=atol)  # fmt: skip
    return CalibratedCohort(
        cohort=cohort,
        population=population,
        targets=tg,
        ks=ks_report(population, tg),
        acceptance_rate=float(population.attrs["acceptance_rate"]),
        pool_ks=pool_ks,
        pool_plausible=pool_plausible,
        expected_acceptance=expected,
        fitted_ks=fitted_ks,
        shift=dict(zip([d.name for d in dims], delta.tolist(), strict=True)),
        fit_effective_share=ess,
    )
