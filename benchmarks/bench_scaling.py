"""(b) Scaling in N on CPU: wall time and patients/s for N = 10 ... 100,000 (Brännmark
2013 workload, warm compiled program, chunked as `simulate` chooses).

    python benchmarks/bench_scaling.py [--max 100000]
"""

import argparse
import time

from _common import save, table
from pathjax.bench import machine, run_pathjax, workload

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max", type=int, default=100_000)
    args = ap.parse_args()
    sizes = [n for n in (10, 100, 1_000, 10_000, 100_000) if n <= args.max]
    rows, records = [], []
    for n in sizes:
        w = workload(n)
        start = time.perf_counter()
        _, first, warm, ds = run_pathjax(w, repeats=2 if n <= 10_000 else 1)
        rec = dict(patients=n, first_s=first, warm_s=warm, patients_per_s=n / warm,
                   ms_per_patient=1e3 * warm / n, failed=int((ds["status"] != 0).sum()),
                   steps_mean=float(ds["n_steps"].mean()))  # fmt: skip
        records.append(rec)
        rows.append([n, first, warm, n / warm, 1e3 * warm / n, rec["failed"]])
    table(
        "scaling in N (CPU)",
        ["patients", "first call s", "warm s", "patients/s", "ms/patient", "failed"],
        rows,
    )
    save("scaling", {"benchmark": "scaling", "machine": machine(), "rows": records})
