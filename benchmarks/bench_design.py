"""(f) The design choices of the batched solver, measured on the benchmark workload
(Brännmark 2013, kinetics log-normal CV 20 %, 0-60 min at 10 nM, 200 points, rtol 1e-6,
atol 1e-9): what wins is what `simulate` does by default.

1. ``vmap(diffrax.diffeqsolve)`` (Diffrax's Kvaerno5, and pathjax's Rodas5P as a Diffrax
   solver) against the batch-native Rosenbrock loop, on the same patients, one device.
2. Lockstep waste of the batch-native loop: every patient keeps its own step size, but
   the loop runs until the slowest patient is done (iterations vs mean steps).
3. Chunk size (patients per compiled solve), one device.
4. Devices: one device against all host devices (one per core, `pathjax.sharding`).
5. float32 against float64 (CPU here; the loop is the same code on a GPU).

    python benchmarks/bench_design.py [--patients 2000] [--vmap-patients 64]
"""

import argparse
import time

import numpy as np

from _common import save, table
from pathjax.bench import machine, roadrunner_loop, run_pathjax, scaled_errors, workload


def timed(fn, repeats=2):
    """(result, first-call s, best warm s)."""
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return out, times[0], min(times[1:]) if len(times) > 1 else times[0]


def states(w, ds):
    return np.stack([ds[s].values for s in w.model.state_names], axis=-1)


def vmap_vs_engine(n):
    import diffrax

    import pathjax
    from pathjax.solvers import Rodas5P

    w = workload(n)
    ref, _ = roadrunner_loop(w, 1e-10, 1e-14)
    rows = []
    for label, solver in (
        ("vmap(diffeqsolve(Kvaerno5))", diffrax.Kvaerno5()),
        ("vmap(diffeqsolve(pathjax Rodas5P))", Rodas5P()),
        ("batch-native Rodas5P (default)", "rodas5p"),
    ):
        ds, first, warm = timed(
            lambda solver=solver: pathjax.simulate(w.model, w.t, w.params, solver=solver, devices=1)
        )
        err = scaled_errors(states(w, ds), ref)
        rows.append(dict(design=label, patients=n, first_call_s=first,
                         ms_per_patient=1e3 * warm / n, max_error=float(err.max()),
                         failed=int((ds["status"] != 0).sum())))  # fmt: skip
    return rows


def lockstep(n):
    import pathjax

    w = workload(n)
    ds = pathjax.simulate(w.model, w.t, w.params, devices=1)
    steps = ds["n_steps"].values
    it = int(ds.attrs["lockstep_iterations"])
    return dict(patients=n, chunks=int(ds.attrs.get("chunks", 1)), iterations=it,
                steps_mean=float(steps.mean()), steps_median=float(np.median(steps)),
                steps_max=int(steps.max()), waste=1.0 - float(steps.mean()) / it)  # fmt: skip


def chunks(n, sizes):
    import pathjax

    w = workload(n)
    rows = []
    for size in sizes:
        _, first, warm = timed(
            lambda size=size: pathjax.simulate(w.model, w.t, w.params, chunk_size=size, devices=1)
        )
        rows.append(dict(chunk_size=size, patients=n, first_call_s=first,
                         ms_per_patient=1e3 * warm / n))  # fmt: skip
    return rows


def devices(n):
    import jax

    w = workload(n)
    rows = []
    for d in sorted({1, len(jax.devices())}):
        _, first, warm, _ = run_pathjax(w, devices=d)
        rows.append(dict(devices=d, patients=n, first_call_s=first, ms_per_patient=1e3 * warm / n))
    return rows


def precision(n):
    """float32 vs float64 through the same driver (`pathjax.driver.run`, dtype)."""
    from pathjax import driver
    from pathjax.simulate import prepare

    w = workload(n)
    ref, _ = roadrunner_loop(w, 1e-10, 1e-14)
    batch = prepare(w.model, w.t, w.params)
    rows = []
    for dtype, rtol, atol in (
        (np.float64, 1e-6, 1e-9),
        (np.float64, 1e-4, 1e-7),
        (np.float32, 1e-4, 1e-7),
        (np.float32, 1e-3, 1e-6),
    ):
        raw, first, warm = timed(
            lambda dtype=dtype, rtol=rtol, atol=atol: driver.run(
                batch.problem(rtol, atol), dtype=dtype
            )
        )  # fmt: skip
        ok = raw["status"] == 0
        ys = raw["ys"].astype(np.float64)  # (patient, time, state)
        err = scaled_errors(ys[ok], ref[ok]) if ok.any() else np.array([np.nan])
        rows.append(dict(dtype=np.dtype(dtype).name, rtol=rtol, atol=atol, patients=n,
                         first_call_s=first, ms_per_patient=1e3 * warm / n,
                         max_error=float(np.nanmax(err)), failed=int((~ok).sum()),
                         steps_mean=float(raw["n_steps"].mean())))  # fmt: skip
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=2000)
    ap.add_argument("--vmap-patients", type=int, default=64)
    args = ap.parse_args()
    n = args.patients
    record = {"benchmark": "design", "machine": machine()}

    record["vmap_vs_engine"] = rows = vmap_vs_engine(args.vmap_patients)
    table(
        f"1. vmap of diffeqsolve vs batch-native loop ({args.vmap_patients} patients, 1 device)",
        ["design", "first call s", "ms/patient", "max err", "failed"],
        [[r["design"], r["first_call_s"], r["ms_per_patient"], r["max_error"], r["failed"]]
         for r in rows],
    )  # fmt: skip

    record["lockstep"] = r = lockstep(n)
    table(
        f"2. lockstep waste ({n} patients, 1 device)",
        ["chunks", "iterations", "mean steps", "max steps", "waste"],
        [[r["chunks"], r["iterations"], r["steps_mean"], r["steps_max"], r["waste"]]],
    )

    record["chunk_size"] = rows = chunks(n, sorted({s for s in (128, 512, 2048) if s < n} | {n}))
    table(
        f"3. chunk size ({n} patients, 1 device)",
        ["chunk", "first call s", "ms/patient"],
        [[r["chunk_size"], r["first_call_s"], r["ms_per_patient"]] for r in rows],
    )

    record["devices"] = rows = devices(n)
    table(
        f"4. devices ({n} patients)",
        ["devices", "first call s", "ms/patient"],
        [[r["devices"], r["first_call_s"], r["ms_per_patient"]] for r in rows],
    )

    record["precision"] = rows = precision(min(n, 500))
    table(
        f"5. float32 vs float64 ({min(n, 500)} patients, {machine()['backend']})",
        ["dtype", "rtol", "ms/patient", "max err", "failed", "mean steps"],
        [[r["dtype"], r["rtol"], r["ms_per_patient"], r["max_error"], r["failed"],
          r["steps_mean"]] for r in rows],
    )  # fmt: skip
    save("design", record)
