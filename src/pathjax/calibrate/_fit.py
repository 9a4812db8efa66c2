"""`fit`: calibrate a model to the adipocyte data, many starts as one batch."""

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import InputError, check_int
from ..simulate import check_tolerance
from . import _data, _setup
from ._objective import PREEQUILIBRATION, Design, Problem, choose_mode, make_design, pack
from ._optimize import minimize
from ._result import PREDICTION_COLUMNS, CalibrationResult

__all__ = ["fit"]


def fit(
    model: Any = "brannmark2013",
    data: str | Path | None = None,
    condition: str = "normal",
    *,
    starts: int = 8,
    seed: int = 0,
    params: Sequence[str] | None = None,
    datasets: Sequence[str] | None = None,
    observations: _data.Observations | None = None,
    base: Any = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    spread: float = 100.0,
    adam_steps: int = 150,
    lbfgs_steps: int = 60,
    learning_rate: float = 0.05,
    mode: str = "auto",
    rtol: float = 1e-6,
    atol: float = 1e-9,
    final_rtol: float = 1e-8,
    final_atol: float = 1e-12,
    progress: bool | Callable[[str, int, float], None] = False,
) -> Any:
    """Calibrate a model to data, every start in one batch.

    Given a PEtab problem (a `pathjax.petab.PetabProblem` or the path of its YAML
    file) as `model`, this is `pathjax.petab.fit` (its starts, seed, adam_steps,
    lbfgs_steps, learning_rate, mode and progress apply; the options below that
    describe the bundled adipocyte data do not) and returns a `pathjax.petab.PetabFit`.

    Otherwise it calibrates Brännmark 2013 to the human adipocyte data:

    The objective is the weighted χ² of the data points of one donor group (see
    `pathjax.calibrate.load_observations` for the data mapping): residuals
    ``(scale * readout - data) / sem`` with one scale factor per data set (per arm where
    the arms were normalised separately, shared by normal and diabetic arms measured on
    one scale) solved in closed form (weighted least squares, non-negative), so the
    model's own ``scale_*`` parameters are not fitted. Each readout is the model's
    observable at the sampling time after insulin held at the data point's
    concentration from t = 0, starting from the basal steady state (pre-equilibrated
    at no insulin for 1000 min).

    Parameters are fitted in log space within bounds; ``starts - 1`` starts come from a
    seeded Latin hypercube over the bounds, plus the published point. All starts are
    optimised simultaneously (Adam, then L-BFGS; optax), with the gradient by
    automatic differentiation through the solver.

    ``condition="t2d"`` fits only the diabetes parameters (``diabetes``,
    ``IR_total``, ``GLUT4_total``) to the diabetic arms, every other parameter at the
    normal fit (`base`), and the scales of data measured on one scale for both arms
    fixed at the normal fit's.

    The data mapping and the parameters each condition fits are the model's calibration
    companion (`pathjax.calibrate.Calibration`, see `pathjax.model.Companions`).

    Args:
        model: a `pathjax.Model` with a calibration companion or a bundled model's name
            (``"brannmark2013"`` is the bundled model with mapped data).
        data: the data folder (default: the bundled adipocyte data,
            `pathjax.calibrate.bundled_data`).
        condition: ``"normal"`` or ``"t2d"``.
        starts: number of starts (>= 1; the first is the published point).
        seed: seed of the Latin hypercube.
        params: names to fit (default: `default_parameters`).
        datasets: data sets (CSV stems) to use (default: every mapped one).
        observations: use these points instead of reading `data` (e.g. synthetic data
            in the shape `load_observations` returns); `data` still sets what is
            simulated.
        base: t2d only: the normal fit (a `CalibrationResult`, or a folder/``fit.json``
            written by one), ``"published"`` for the BioModels parameters, or None to run
            the normal fit first with the same options.
        bounds: ``{name: (lower, upper)}`` overriding the default bounds:
            [published / spread, published * spread] for rates and exponents (within
            their admissible range), [1 %, 200 %] of normal for condition parameters.
        spread: see `bounds`.
        adam_steps, lbfgs_steps: iterations of each phase.
        learning_rate: Adam's initial step in log-parameter units.
        mode: gradient by ``"forward"`` or ``"reverse"`` mode, or ``"auto"`` (forward
            up to 10 fitted parameters).
        rtol, atol: solver tolerances during the optimisation.
        final_rtol, final_atol: tolerances of the final evaluation (predictions, χ²).
        progress: print progress, or a callable ``f(phase, iteration, best_chi2)``.

    Returns:
        `CalibrationResult`; ``result.save(folder)`` writes ``fit.json``,
        ``predictions.csv`` and ``fit.png``.

    Raises:
        InputError: an unknown model, condition, parameter or data set, a missing data
            folder, starts < 1, bad bounds or settings; before anything is compiled.

    Examples:
        A short fit of two rates (the defaults fit 41 parameters from 8 starts):

        >>> import pathjax
        >>> res = pathjax.calibrate.fit("brannmark2013", starts=2, seed=0,
        ...     params=["k_IR_autophos", "k_GLUT4_exocytosis"], adam_steps=2, lbfgs_steps=2)
        >>> bool(res.chi2 < res.chi2_published)
        True
    """
    if _is_petab(model):
        from .. import petab

        given = {k: v for k, v in dict(data=data, condition=condition, params=params,
                 datasets=datasets, observations=observations, base=base, bounds=bounds).items()
                 if v not in (None, "normal")}  # fmt: skip
        if given or spread != 100.0:
            raise InputError(
                f"{', '.join(given) or 'spread'}: not options of a PEtab problem's fit "
                "(the problem's tables say what is fitted)"
            )
        return petab.fit(model, starts=starts, seed=seed, adam_steps=adam_steps,
                         lbfgs_steps=lbfgs_steps, learning_rate=learning_rate,
                         mode=None if mode == "auto" else mode, progress=progress)  # fmt: skip
    t_start = time.perf_counter()
    m, calibration = _setup.calibrated_model(model)
    if condition not in _data.ARMS:
        raise InputError(f"condition must be one of {', '.join(_data.ARMS)}, got {condition!r}")
    if data is None:
        data = _data.bundled_data()
    starts = check_int(starts, "starts", 1)
    seed = check_int(seed, "seed", 0)
    adam_steps = check_int(adam_steps, "adam_steps", 0)
    lbfgs_steps = check_int(lbfgs_steps, "lbfgs_steps", 0)
    learning_rate = check_tolerance("learning_rate", learning_rate)
    spread = check_tolerance("spread", spread)
    if spread <= 1:
        raise InputError(f"spread must be > 1, got {spread}")
    for name, v in (("rtol", rtol), ("atol", atol), ("final_rtol", final_rtol),
                    ("final_atol", final_atol)):  # fmt: skip
        check_tolerance(name, v)
    if mode not in _setup.MODES:
        raise InputError(f"mode must be one of {', '.join(_setup.MODES)}, got {mode!r}")
    if observations is None:
        obs = _data.observations(calibration, data, condition, datasets)
    else:
        if datasets is not None:
            raise InputError("give datasets or observations, not both")
        if not isinstance(observations, _data.Observations):
            raise InputError(f"observations must be an Observations, got {observations!r}")
        if observations.condition != condition:
            raise InputError(
                f"observations are of condition {observations.condition!r}, not {condition!r}"
            )
        _data.observations(calibration, data, condition)  # the folder must hold the catalogue
        obs = observations
    fitted = list(params) if params is not None else _setup.default_parameters(m, condition)
    if isinstance(params, str) or not fitted:
        raise InputError(f"params must be a non-empty list of parameter names, got {params!r}")
    for name in fitted:
        spec = m.param_spec(name)  # unknown names raise here
        if spec.kind not in _setup.FITTABLE_KINDS:
            raise InputError(
                f"parameter {name!r} is a {spec.kind} parameter; scale factors are solved in "
                "closed form and structural parameters are not fitted"
            )
    if len(set(fitted)) != len(fitted):
        raise InputError(f"params names a parameter twice: {fitted}")
    normal_defaults = m.default_params()
    bnds = _setup.bounds(m, fitted, spread, bounds, normal_defaults)
    if condition == "normal" and base is not None:
        raise InputError("base applies to condition 't2d' only")
    published = dict(normal_defaults)
    if condition == "t2d":
        published.update(calibration.disease_values)
        if base is not None and not isinstance(base, (str, Path, CalibrationResult)):
            raise InputError(
                f"base must be a normal fit, a path to one, 'published' or None, got {base!r}"
            )
        if isinstance(base, (str, Path)) and str(base) != "published":
            base_params, base_scales, base_from = _setup.read_base(base)
        elif isinstance(base, CalibrationResult):
            base_params, base_scales, base_from = _setup.read_base(base)
        else:
            base_params = base_scales = None
            base_from = "published" if base is not None else "normal fit (run first)"
    mode = choose_mode(len(fitted)) if mode == "auto" else mode
    report = _progress(progress)

    # ---- everything is checked; from here on things compile and run ----------------
    both = [obs.table] + [
        _data.observations(calibration, data, c).table for c in _data.ARMS if c != condition
    ]
    full_own = _data.observations(calibration, data, condition).table
    design = make_design(m, both + [full_own])
    normal_table = _data.observations(calibration, data, "normal").table
    info: dict[str, Any] = {}
    if condition == "t2d":
        if base_params is None and base_from.startswith("normal fit"):
            normal_sets = None
            if datasets is not None:
                arms = {s.name: s.arms for s in calibration.datasets}
                normal_sets = [d for d in datasets if "n" in arms[d]] or None
            normal_fit = fit(
                m, data, "normal", starts=starts, seed=seed, datasets=normal_sets,
                adam_steps=adam_steps, lbfgs_steps=lbfgs_steps, learning_rate=learning_rate,
                mode="auto", rtol=rtol, atol=atol, final_rtol=final_rtol,
                final_atol=final_atol, progress=progress,
            )  # fmt: skip
            base_params, base_scales = dict(normal_fit.params), dict(normal_fit.scales)
            info["normal_fit"] = {"chi2": normal_fit.chi2, "chi2_published": normal_fit.chi2_published,
                                  "n_data": normal_fit.n_data}  # fmt: skip
            info["_normal_result"] = normal_fit
        elif base_params is None:
            base_params = dict(normal_defaults)
            base_scales = _published_scales(m, design, normal_table, fitted, mode, starts,
                                            final_rtol, final_atol)  # fmt: skip
        fixed = {g: base_scales[g] for g in set(obs.table["group"]) if g in base_scales}
    else:
        base_from = None
        base_params = dict(normal_defaults)
        fixed = {}
    # only groups measured on one scale with the normal arm are fixed
    shared_groups = set(obs.table.loc[obs.table["shared"], "group"])
    fixed = {g: v for g, v in fixed.items() if g in shared_groups}
    packed = pack(design, obs.table, fixed)
    problem = Problem(m, design, fitted, base_params, PREEQUILIBRATION)
    lo = np.log([bnds[p][0] for p in fitted])
    hi = np.log([bnds[p][1] for p in fitted])
    theta_pub = problem.log_params(published)
    theta0, origin = _setup.start_points(problem, theta_pub, lo, hi, starts, seed)

    timings = {"setup_s": time.perf_counter() - t_start}
    evaluations = {"n": 0}

    def value_and_grad(theta):
        evaluations["n"] += 1
        ev = problem.evaluate(theta, packed, mode, rtol=rtol, atol=atol)
        return ev.chi2, ev.grad, ev.ok

    t0 = time.perf_counter()
    res = minimize(
        value_and_grad, theta0, lo, hi, adam_steps=adam_steps, lbfgs_steps=lbfgs_steps,
        learning_rate=learning_rate, callback=report,
    )  # fmt: skip
    timings["optimise_s"] = time.perf_counter() - t0

    # Final evaluation at tight tolerances: every start's best point and the published
    # point; the fit is the best of them (so it is never worse than the published point).
    t0 = time.perf_counter()
    kind = "forward" if mode == "forward" else "value"
    final = problem.evaluate(res.theta, packed, kind, rtol=final_rtol, atol=final_atol)
    pub = _at_point(problem, published, packed, starts, mode, final_rtol, final_atol)
    chi2_final = np.where(np.isfinite(res.chi2), final.chi2, np.inf)
    best = int(np.argmin(chi2_final))
    use_published = not (chi2_final[best] <= pub.chi2[0])
    chosen = pub if use_published else final
    col = 0 if use_published else best
    theta_best = theta_pub if use_published else res.theta[best]
    timings["final_s"] = time.perf_counter() - t0

    fitted_values = dict(zip(fitted, np.exp(theta_best).tolist(), strict=True))
    all_params = {**base_params, **fitted_values}
    table = obs.table
    predictions = pd.DataFrame(
        {
            "dataset": table["dataset"],
            "readout": table["readout"],
            "time": table["time"],
            "insulin_nM": table["insulin_nM"],
            "model": chosen.model[:, col],
            "data": table["data"],
            "sem": table["sem"],
        }
    )[PREDICTION_COLUMNS]
    chi2 = float(np.sum(((predictions["model"] - predictions["data"]) / predictions["sem"]) ** 2))
    n_data = len(predictions)
    scales = dict(zip(packed.groups, chosen.scales[:, col].tolist(), strict=True))
    starts_table = pd.DataFrame(
        {
            "origin": origin,
            "chi2_initial": res.chi2_initial,
            "chi2": chi2_final,
            "ok": np.isfinite(chi2_final),
        }
    )
    info.update(
        {
            "datasets": sorted(set(table["dataset"])),
            "skipped": dict(calibration.skipped),
            "excluded_points": obs.excluded,
            "readout_times": "dose responses 10 min (glucose uptake 30 min, the middle of the "
            "15-45 min uptake window); time courses at 10 nM",
            "preequilibration_min": PREEQUILIBRATION,
            "gradient": mode,
            "optimizer": {
                "adam_steps": adam_steps,
                "lbfgs_steps": lbfgs_steps,
                "learning_rate": learning_rate,
                "evaluations": evaluations["n"],
                "best_start": "published" if use_published else best,
                "best_chi2_per_iteration": np.min(res.history, axis=1).tolist(),
            },
            "seed": seed,
            "rtol": rtol,
            "atol": atol,
            "final_rtol": final_rtol,
            "final_atol": final_atol,
            "data_source": _data.provenance(data),
            "published": {k: published[k] for k in fitted},
        }
    )
    if condition == "t2d":
        info["base"] = base_from
        reported = {k: {calibration.reported_by: v} for k, v in calibration.reported.items()}
        info["diabetes_comparison"] = {
            k: {
                "fitted": all_params[k],
                "normal": normal_defaults[k],
                "fitted_relative_to_normal": all_params[k] / normal_defaults[k],
                **reported.get(k, {}),
            }
            for k in calibration.disease_parameters
            if k in fitted
        }
        info["chi2_published_model"] = _published_model_chi2(
            m, design, normal_table, obs.table, fitted, published, mode, starts, final_rtol,
            final_atol,
        )  # fmt: skip
    timings["total_s"] = time.perf_counter() - t_start
    info["timing_s"] = timings
    normal_result = info.pop("_normal_result", None)
    result = CalibrationResult(
        model=m.name,
        sbml_ids=dict(m.sbml_ids),
        condition=condition,
        params=all_params,
        fitted=fitted,
        bounds=bnds,
        chi2=chi2,
        chi2_published=float(pub.chi2[0]),
        n_data=n_data,
        threshold=_data.chi2_threshold(n_data),
        scales=scales,
        scales_fixed=sorted(fixed),
        predictions=predictions,
        starts=starts_table,
        info=info,
        history=res.history,
        normal_fit=normal_result,
    )
    return result


def _is_petab(model: Any) -> bool:
    """A PEtab problem, or the path of a YAML file (a PEtab problem's)."""
    from ..petab import PetabProblem

    if isinstance(model, PetabProblem):
        return True
    return isinstance(model, str | Path) and str(model).endswith((".yaml", ".yml"))


def _at_point(problem: Problem, values: Mapping[str, float], packed, n_starts: int, mode: str,
              rtol: float, atol: float):  # fmt: skip
    """The objective at one parameter point, evaluated as a batch of `n_starts` copies so
    that the optimisation's compiled function is reused."""
    theta = np.tile(problem.log_params(values), (n_starts, 1))
    kind = "forward" if mode == "forward" else "value"
    return problem.evaluate(theta, packed, kind, rtol=rtol, atol=atol)


def _published_scales(m, design: Design, normal_table, fitted, mode, n_starts, rtol,
                      atol) -> dict:  # fmt: skip
    """Scales of the normal data at the published parameters."""
    problem = Problem(m, design, fitted, m.default_params())
    packed = pack(design, normal_table)
    ev = _at_point(problem, m.default_params(), packed, n_starts, mode, rtol, atol)
    return dict(zip(packed.groups, ev.scales[:, 0].tolist(), strict=True))


def _published_model_chi2(m, design, normal_table, table, fitted, published, mode, n_starts,
                          rtol, atol) -> float:  # fmt: skip
    """χ² of the diabetic data with every parameter at its BioModels value and the shared
    scales from the normal data at the published parameters."""
    scales = _published_scales(m, design, normal_table, fitted, mode, n_starts, rtol, atol)
    shared = set(table.loc[table["shared"], "group"])
    packed = pack(design, table, {g: v for g, v in scales.items() if g in shared})
    problem = Problem(m, design, fitted, m.default_params())
    return float(_at_point(problem, published, packed, n_starts, mode, rtol, atol).chi2[0])


def _progress(progress) -> Callable[[str, int, np.ndarray], None] | None:
    if callable(progress):
        return lambda phase, it, best: progress(phase, it, float(np.min(best)))
    if not progress:
        return None
    from rich.console import Console

    console = Console(stderr=True)

    def show(phase, it, best):
        if it % 10 == 0:
            console.print(f"{phase} {it:4d}: best chi2 {float(np.min(best)):.4g}", highlight=False)

    return show
