"""The ensemble benchmark: pathjax against libRoadRunner and SciPy on the same patients.

Workload (the reference workload of the performance issue): Brännmark 2013 (27
states), N patients whose kinetic parameters are spread log-normally (CV 20 %), 0-60 min
at 10 nM insulin from the published initial state, 200 output times, rtol 1e-6,
atol 1e-9. Accuracy is the scaled error (max |y - ref| / max |ref| per patient and
state) against libRoadRunner at rtol 1e-10, atol 1e-14 on the same patients.

libRoadRunner and SciPy are oracles here, imported only by this module.
"""

import json
import os
import platform
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from . import models
from ._errors import InputError
from ._sampling import lognormal_spread

__all__ = [
    "Workload",
    "compare",
    "machine",
    "print_table",
    "roadrunner_loop",
    "roadrunner_pool",
    "run_pathjax",
    "run_quick",
    "sbml_path",
    "scaled_errors",
    "scipy_solve",
    "workload",
]

SBML_FILE = "brannmark2013_normal.xml"


def sbml_path() -> Path:
    """The SBML file libRoadRunner reads: BioModels BIOMD0000000448, shipped with the
    package as ``pathjax/data/sbml/brannmark2013_normal.xml`` (CC0; provenance in
    ``pathjax/data/sbml/README.md``).

    Returns:
        The file as a `pathlib.Path`.

    Raises:
        InputError: the package's data are not files on disk (e.g. a zip import).
    """
    path = resources.files("pathjax").joinpath("data", "sbml", SBML_FILE)
    if not isinstance(path, Path) or not path.is_file():
        raise InputError(f"the bundled SBML file is not a file on disk ({path!s})")
    return path


class Workload:
    """Patients of the benchmark workload.

    Attributes:
        model: the pathjax model.
        t: (200,) output times in min.
        params: {pathjax parameter name: (n,) values}.
        sbml_params: one {SBML id: value} per patient (for libRoadRunner).
    """

    def __init__(self, n: int, seed: int = 0, cv: float = 0.2, points: int = 200):
        self.model = models.load("brannmark2013")
        self.t = np.linspace(0.0, 60.0, points)
        self.params = lognormal_spread(self.model, n, cv, seed)
        ids = self.model.sbml_ids
        names = list(self.params)
        self.sbml_params = [
            {ids[k]: float(self.params[k][i]) for k in names if k in ids} for i in range(n)
        ]
        self.n = n
        self.species = [ids[s] for s in self.model.state_names]


def workload(n: int, seed: int = 0) -> Workload:
    return Workload(n, seed)


def run_pathjax(w: Workload, rtol=1e-6, atol=1e-9, solver="rodas5p", devices=None, repeats=2):
    """(states (patient, time, state), first-call seconds, best warm seconds)."""
    from .simulate import simulate

    times = []
    ds = None
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        ds = simulate(w.model, w.t, w.params, rtol=rtol, atol=atol, solver=solver, devices=devices)
        times.append(time.perf_counter() - start)
    ys = np.stack([ds[s].values for s in w.model.state_names], axis=-1)
    return ys, times[0], min(times[1:]) if len(times) > 1 else times[0], ds


def _rr_instance(rtol, atol):
    import roadrunner

    rr = roadrunner.RoadRunner(str(sbml_path()))
    rr.integrator.setValue("stiff", True)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.setValue("maximum_num_steps", 100000)
    return rr


def _rr_run(rr, t, species, params_list):
    sel = ["time"] + [f"[{s}]" for s in species]
    out = np.empty((len(params_list), len(t), len(species)))
    for i, p in enumerate(params_list):
        rr.resetAll()
        for k, v in p.items():
            rr[k] = v
        out[i] = np.asarray(rr.simulate(times=list(map(float, t)), selections=sel))[:, 1:]
    return out


def roadrunner_loop(w: Workload, rtol=1e-6, atol=1e-9, n: int | None = None):
    """libRoadRunner (CVODE) in a Python loop on one core: (states, seconds)."""
    rr = _rr_instance(rtol, atol)
    params = w.sbml_params[: n or w.n]
    start = time.perf_counter()
    out = _rr_run(rr, w.t, w.species, params)
    return out, time.perf_counter() - start


_WORKER = {}


def _pool_init(rtol, atol, t, species):
    _WORKER["rr"] = _rr_instance(rtol, atol)
    _WORKER["t"] = t
    _WORKER["species"] = species


def _pool_task(params_list):
    return _rr_run(_WORKER["rr"], _WORKER["t"], _WORKER["species"], params_list)


def roadrunner_pool(w: Workload, rtol=1e-6, atol=1e-9, processes: int | None = None):
    """libRoadRunner over a process pool on all cores: (states, seconds, processes).

    The time excludes starting the pool and loading the model in each worker."""
    import multiprocessing as mp

    procs = processes or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    chunks = np.array_split(np.arange(w.n), procs * 4)
    ctx = mp.get_context("spawn")
    with ctx.Pool(procs, initializer=_pool_init, initargs=(rtol, atol, w.t, w.species)) as pool:
        pool.map(_pool_task, [[w.sbml_params[0]]] * procs)  # warm every worker
        start = time.perf_counter()
        parts = pool.map(_pool_task, [[w.sbml_params[i] for i in c] for c in chunks])
        elapsed = time.perf_counter() - start
    return np.concatenate(parts), elapsed, procs


def scipy_solve(w: Workload, method: str = "LSODA", n: int = 20, rtol=1e-6, atol=1e-9):
    """SciPy `solve_ivp` on the first `n` patients, RHS and Jacobian from the pathjax
    model jitted for one patient: (states, seconds)."""
    import jax
    import jax.numpy as jnp
    from scipy.integrate import solve_ivp

    m = w.model
    u = jnp.asarray([10.0])
    f = jax.jit(lambda t, y, p: m.rhs(t, y, p, u))
    jac = jax.jit(jax.jacfwd(lambda t, y, p: m.rhs(t, y, p, u), argnums=1))
    y0 = np.array([s.default for s in m.state_specs])
    out = np.empty((n, len(w.t), len(y0)))
    P = np.stack([m.param_vector({k: v[i] for k, v in w.params.items()}) for i in range(n)])
    f(0.0, y0, P[0]).block_until_ready()
    jac(0.0, y0, P[0]).block_until_ready()
    start = time.perf_counter()
    for i in range(n):
        p = jnp.asarray(P[i])
        sol = solve_ivp(
            lambda t, y, p=p: np.asarray(f(t, y, p)),
            (w.t[0], w.t[-1]),
            y0,
            method=method,
            t_eval=w.t,
            rtol=rtol,
            atol=atol,
            jac=lambda t, y, p=p: np.asarray(jac(t, y, p)),
        )
        out[i] = sol.y.T
    return out, time.perf_counter() - start


def scaled_errors(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per patient: max over states of max|ours - ref| / max|ref| over time."""
    scale = np.max(np.abs(ref), axis=1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    err = np.max(np.abs(ours - ref) / scale, axis=1)
    return np.max(err, axis=-1)


def machine() -> dict:
    import jax

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "jax": jax.__version__,
        "devices": [str(d) for d in jax.devices()],
        "backend": jax.default_backend(),
    }


def compare(
    n: int = 2000,
    *,
    seed: int = 0,
    scipy_n: int = 20,
    scipy_methods: Sequence[str] = ("LSODA", "BDF"),
    pool: bool = True,
    reference_n: int | None = None,
) -> dict:
    """Run the whole comparison on the same patients and return a result record."""
    try:
        import roadrunner  # noqa: F401
    except ImportError:
        raise InputError(
            "the benchmark needs libroadrunner (pip install 'pathjax[test]')"
        ) from None
    w = workload(n, seed)
    rows = []
    ours, first, warm, ds = run_pathjax(w)
    n_ref = min(n, reference_n or n)
    ref, t_ref = roadrunner_loop(w, 1e-10, 1e-14, n=n_ref)
    rr, t_rr = roadrunner_loop(w)
    err_ours = scaled_errors(ours[:n_ref], ref)
    err_rr = scaled_errors(rr[:n_ref], ref)
    cores = machine()["cores"]
    rows.append(dict(tool="pathjax rodas5p", patients=n, seconds=warm, ms_per_patient=1e3 * warm / n,
                     first_call_s=first, max_error=float(err_ours.max()), median_error=float(np.median(err_ours))))  # fmt: skip
    rows.append(dict(tool="RR loop, 1 core", patients=n, seconds=t_rr, ms_per_patient=1e3 * t_rr / n,
                     max_error=float(err_rr.max()), median_error=float(np.median(err_rr))))  # fmt: skip
    rows.append(dict(tool=f"RR ideal, {cores} cores", patients=n, seconds=t_rr / cores,
                     ms_per_patient=1e3 * t_rr / n / cores, max_error=float(err_rr.max()),
                     median_error=float(np.median(err_rr))))  # fmt: skip
    if pool:
        rp, t_pool, procs = roadrunner_pool(w)
        err = scaled_errors(rp[:n_ref], ref)
        rows.append(dict(tool=f"RR pool, {procs} proc", patients=n, seconds=t_pool,
                         ms_per_patient=1e3 * t_pool / n, max_error=float(err.max()),
                         median_error=float(np.median(err))))  # fmt: skip
    for method in scipy_methods:
        k = min(scipy_n, n)
        sp, t_sp = scipy_solve(w, method, n=k)
        err = scaled_errors(sp, ref[:k])
        rows.append(dict(tool=f"scipy {method}", patients=k, seconds=t_sp,
                         ms_per_patient=1e3 * t_sp / k, max_error=float(err.max()),
                         median_error=float(np.median(err))))  # fmt: skip
    base = rows[0]["ms_per_patient"]
    for r in rows:
        r["time_vs_pathjax"] = r["ms_per_patient"] / base
    ideal = rows[2]["ms_per_patient"]
    return {
        "benchmark": "ensemble",
        "workload": "brannmark2013, kinetics log-normal CV 20%, 0-60 min, 10 nM insulin, "
        "200 points, rtol 1e-6, atol 1e-9",
        "machine": machine(),
        "rows": rows,
        "speedup_vs_roadrunner_all_cores": ideal / base,
        "error_ratio_vs_roadrunner": rows[0]["max_error"] / max(rows[1]["max_error"], 1e-300),
        "steps_mean": float(ds["n_steps"].mean()),
        "steps_max": int(ds["n_steps"].max()),
        "date": time.strftime("%Y-%m-%d"),
    }


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ensemble benchmark: {result['workload']}")
    for col in ("tool", "N", "s", "ms/pt", "x time", "max err", "med err"):
        table.add_column(col, justify="right" if col != "tool" else "left")
    for r in result["rows"]:
        table.add_row(
            r["tool"], str(r["patients"]), f"{r['seconds']:.3f}", f"{r['ms_per_patient']:.3f}",
            f"{r['time_vs_pathjax']:.2f}", f"{r['max_error']:.1e}", f"{r['median_error']:.1e}",
        )  # fmt: skip
    console = Console()
    console.print(table)
    console.print(
        "RR = libRoadRunner (CVODE); x time = time per patient relative to pathjax.\n"
        f"pathjax throughput / libRoadRunner on all cores: "
        f"{result['speedup_vs_roadrunner_all_cores']:.2f}x; max error ratio (pathjax / "
        f"libRoadRunner, same rtol/atol): {result['error_ratio_vs_roadrunner']:.2f}"
    )


def run_quick(patients: int = 500, json_path: str | None = None) -> dict:
    """`pathjax bench`: the comparison on fewer patients, printed as a table."""
    result = compare(patients, scipy_n=5, pool=False, reference_n=min(patients, 200))
    print_table(result)
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=2))
    return result
