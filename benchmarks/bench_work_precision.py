"""(c) Work-precision: error against a tight libRoadRunner reference vs time, for each
method over a range of tolerances (Brännmark 2013 workload, 500 patients); libRoadRunner
at the same tolerances for comparison.

    python benchmarks/bench_work_precision.py [--patients 500]
"""

import argparse

from _common import save, table
from pathjax.bench import machine, roadrunner_loop, run_pathjax, scaled_errors, workload

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=500)
    args = ap.parse_args()
    w = workload(args.patients)
    ref, _ = roadrunner_loop(w, 1e-11, 1e-15)
    rows, records = [], []
    for rtol in (1e-4, 1e-5, 1e-6, 1e-7, 1e-8):
        atol = rtol * 1e-3
        for solver in ("rodas5p", "rodas4", "rosenbrock23"):
            if solver == "rosenbrock23" and rtol < 1e-6:
                continue
            ys, _, warm, ds = run_pathjax(w, rtol=rtol, atol=atol, solver=solver)
            err = scaled_errors(ys, ref)
            records.append(dict(tool=solver, rtol=rtol, atol=atol, ms_per_patient=1e3 * warm / w.n,
                                max_error=float(err.max()), median_error=float(err.mean()),
                                steps_mean=float(ds["n_steps"].mean())))  # fmt: skip
        rr, t_rr = roadrunner_loop(w, rtol, atol)
        err = scaled_errors(rr, ref)
        records.append(dict(tool="libRoadRunner (1 core)", rtol=rtol, atol=atol,
                            ms_per_patient=1e3 * t_rr / w.n, max_error=float(err.max()),
                            median_error=float(err.mean())))  # fmt: skip
    for r in records:
        rows.append([r["tool"], r["rtol"], r["ms_per_patient"], r["max_error"], r["median_error"]])
    table(
        "work-precision (Brännmark 2013)",
        ["tool", "rtol", "ms/patient", "max err", "mean err"],
        rows,
    )
    save("work_precision", {"benchmark": "work_precision", "machine": machine(), "rows": records})
