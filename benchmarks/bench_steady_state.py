"""Steady states by Newton (`solvers.steady_state`) against pre-equilibration by
integration (what `simulate` does today: the engine over the protocol's
pre-equilibration time at rtol 1e-6), on whole cohorts: time and values.

For each case the cohort's patients are sampled (`population.sample`), their initial
states come from the model, inputs are at their basal levels. Values are compared with
an integration at rtol 1e-10 over the same time on the first `--reference` patients
(max over states of |difference| / the state's largest value).

    python benchmarks/bench_steady_state.py [--patients 2000] [--reference 64]

Second, whole pre-equilibrated runs through `pathjax.simulate` (the driver): the
cohort's protocol pre-equilibrated by integration for the cohort's time (today's
default) against ``preequilibrate=math.inf`` (Newton's steady state, integration where
it fails): wall time of the first and of a warm call, and the largest difference of
every observable over the run (scaled by the observable's largest value).

Prints two tables and writes results/steady_state.json.
"""

import argparse
import math
import time

import jax
import jax.numpy as jnp
import numpy as np

import _common
import pathjax
from pathjax import driver, population
from pathjax.solvers import conservation_laws, steady_state

# (model, cohort, pre-equilibration time in the model's unit: the cohort's own)
CASES = [
    ("brannmark2013", "t2d", 1000.0),
    ("dallaman2007", "healthy", 3000.0),
    ("insulin_resistance", "t2d", 6000.0),
]


def _basal_inputs(model, n):
    return np.array([np.full(n, i.default) for i in model.input_specs]).reshape(-1, n)


def _timed(fn, *args, repeats=3):
    t0 = time.perf_counter()
    out = jax.block_until_ready(fn(*args))
    first = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = jax.block_until_ready(fn(*args))
        times.append(time.perf_counter() - t0)
    return out, first, float(np.median(times))


def run_case(name, cohort, T, n, n_ref):
    model = pathjax.models.load(name)
    params = population.sample(model, cohort, n, seed=0, filter=False)
    P = np.stack(
        [np.broadcast_to(np.asarray(params[p.name], float), (n,)) for p in model.param_specs]
    )
    y0 = np.asarray(jax.vmap(model.initial_state, in_axes=1, out_axes=1)(jnp.asarray(P)))
    u = _basal_inputs(model, n)

    newton = jax.jit(lambda y0, P, u: steady_state(model, y0, P, u, rtol=1e-6, atol=1e-9))
    ss, newton_first, newton_warm = _timed(newton, y0, P, u)

    @jax.jit
    def integrate(y0, P, u, rtol, atol):
        sol = driver.solve(driver.Problem.held(model, [T], y0, P, u, rtol, atol),
                           with_observables=False)  # fmt: skip
        return sol.ys[-1], sol.status, sol.n_steps

    (yi, st_i, steps), integ_first, integ_warm = _timed(integrate, y0, P, u, 1e-6, 1e-9)
    ref = slice(0, n_ref)
    (y_ref, st_ref, _), _, _ = _timed(
        integrate, y0[:, ref], P[:, ref], u[:, ref], 1e-10, 1e-13, repeats=0
    )
    y_ref = np.asarray(y_ref)
    scale = np.maximum(np.nanmax(np.abs(y_ref), axis=1, keepdims=True), 1e-12)
    ok = (np.asarray(ss.status)[ref] == 0) & (np.asarray(st_ref) == 0)
    err_newton = np.abs(np.asarray(ss.y)[:, ref] - y_ref) / scale
    err_integ = np.abs(np.asarray(yi)[:, ref] - y_ref) / scale
    worst = np.nanmax(err_newton[:, ok], axis=1) if ok.any() else np.full(len(scale), np.nan)
    order = np.argsort(-np.nan_to_num(worst))[:3]
    return {
        "model": name,
        "cohort": cohort,
        "patients": n,
        "preequilibration_time": T,
        "conservation_laws": conservation_laws(model).count,
        "newton_ms_per_patient": 1e3 * newton_warm / n,
        "newton_first_call_s": newton_first,
        "newton_iterations_median": float(np.median(np.asarray(ss.iterations))),
        "newton_failed": int(np.sum(np.asarray(ss.status) != 0)),
        "integration_ms_per_patient": 1e3 * integ_warm / n,
        "integration_first_call_s": integ_first,
        "integration_steps_median": float(np.median(np.asarray(steps))),
        "integration_failed": int(np.sum(np.asarray(st_i) != 0)),
        "speedup": integ_warm / newton_warm,
        "reference_patients": n_ref,
        "newton_max_scaled_error": float(np.nanmax(err_newton[:, ok])) if ok.any() else None,
        "integration_max_scaled_error": float(np.nanmax(err_integ[:, ok])) if ok.any() else None,
        "newton_worst_states": {
            model.state_names[i]: float(worst[i]) for i in order if np.isfinite(worst[i])
        },
    }


# (model, cohort, protocol) of the whole-run comparison
RUNS = [
    ("brannmark2013", "t2d", "default"),
    ("insulin_resistance", "t2d", "ogtt"),
]


def run_whole(name, cohort, protocol, n):
    model = pathjax.models.load(name)
    c = population.cohort(model, cohort)
    params = population.sample(model, cohort, n, seed=0, filter=False)
    base = c.with_preequilibration(model.protocols[protocol])
    T = base.preequilibrate
    t = np.linspace(0.0, model.t_end, 31)
    out = {}
    for label, pre in (("integration", T), ("newton", math.inf)):
        proto = base.with_preequilibration(pre)
        t0 = time.perf_counter()
        pathjax.simulate(model, t, params, proto)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        ds = pathjax.simulate(model, t, params, proto)
        out[label] = (ds, first, time.perf_counter() - t0)
    a, b = out["integration"][0], out["newton"][0]
    both = (a["status"].values == 0) & (b["status"].values == 0)
    diffs = {}
    for v in model.observable_names:
        x, y = a[v].values[both], b[v].values[both]
        scale = max(float(np.nanmax(np.abs(x))), 1e-12)
        diffs[v] = float(np.nanmax(np.abs(x - y)) / scale)
    worst = sorted(diffs.items(), key=lambda kv: -kv[1])[:3]
    return {
        "model": name,
        "cohort": cohort,
        "protocol": protocol,
        "patients": n,
        "preequilibration_time": T,
        "integration_first_s": out["integration"][1],
        "integration_warm_s": out["integration"][2],
        "newton_first_s": out["newton"][1],
        "newton_warm_s": out["newton"][2],
        "speedup_warm": out["integration"][2] / out["newton"][2],
        "integration_failed": int((a["status"].values != 0).sum()),
        "newton_failed": int((b["status"].values != 0).sum()),
        "max_scaled_difference": max(diffs.values()),
        "largest_differences": dict(worst),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=2000)
    ap.add_argument("--reference", type=int, default=64)
    args = ap.parse_args()
    records = [run_case(*case, args.patients, args.reference) for case in CASES]
    rows = [
        [
            f"{r['model']} {r['cohort']}",
            r["newton_ms_per_patient"],
            r["integration_ms_per_patient"],
            r["speedup"],
            f"{r['newton_failed']}/{r['patients']}",
            r["newton_max_scaled_error"],
            r["integration_max_scaled_error"],
        ]
        for r in records
    ]
    _common.table(
        "Steady states: Newton vs pre-equilibration by integration (warm, 2-core CPU)",
        [
            "case",
            "Newton ms/pt",
            "integration ms/pt",
            "speed-up",
            "Newton failed",
            "Newton error",
            "integration error",
        ],  # fmt: skip
        rows,
    )
    for r in records:
        print(f"{r['model']}: Newton's largest differences by state: {r['newton_worst_states']}")
    runs = [run_whole(*case, args.patients) for case in RUNS]
    _common.table(
        "Whole pre-equilibrated runs through pathjax.simulate: integration vs steady state",
        [
            "case",
            "integration s (first/warm)",
            "steady s (first/warm)",
            "warm speed-up",
            "failed (int/steady)",
            "max scaled diff",
        ],  # fmt: skip
        [
            [
                f"{r['model']} {r['cohort']} {r['protocol']}",
                f"{r['integration_first_s']:.1f} / {r['integration_warm_s']:.2f}",
                f"{r['newton_first_s']:.1f} / {r['newton_warm_s']:.2f}",
                r["speedup_warm"],
                f"{r['integration_failed']} / {r['newton_failed']}",
                r["max_scaled_difference"],
            ]
            for r in runs
        ],
    )
    for r in runs:
        print(f"{r['model']}: largest differences by observable: {r['largest_differences']}")
    _common.save("steady_state", {"cases": records, "runs": runs, "devices": len(jax.devices())})


if __name__ == "__main__":
    main()
