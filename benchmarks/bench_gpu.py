"""(e) GPU scaling: the benchmark workload for N up to 1,000,000 patients on the default
accelerator; records the device and the results in results/gpu_<device>.json whenever it
runs on a GPU (on a CPU it refuses, so no CPU numbers are mistaken for GPU ones).

    python benchmarks/bench_gpu.py [--max 1000000] [--float32]
"""

import argparse
import re
import time

import jax

from _common import save, table
from pathjax.bench import machine, workload
from pathjax.simulate import simulate

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max", type=int, default=1_000_000)
    ap.add_argument("--points", type=int, default=200)
    args = ap.parse_args()
    if jax.default_backend() != "gpu":
        raise SystemExit(f"no GPU: the default backend is {jax.default_backend()!r}")
    dev = jax.devices()[0]
    rows, records = [], []
    for n in [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max]:
        w = workload(n)
        t0 = time.perf_counter()
        ds = simulate(w.model, w.t, w.params)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        ds = simulate(w.model, w.t, w.params)
        warm = time.perf_counter() - t0
        failed = int((ds["status"] != 0).sum())
        records.append(
            dict(patients=n, first_s=first, warm_s=warm, patients_per_s=n / warm, failed=failed)
        )
        rows.append([n, first, warm, n / warm, failed])
    table(
        f"GPU: {dev.device_kind}", ["patients", "first s", "warm s", "patients/s", "failed"], rows
    )
    name = "gpu_" + re.sub(r"[^A-Za-z0-9]+", "_", dev.device_kind).strip("_").lower()
    save(
        name, {"benchmark": "gpu", "device": dev.device_kind, "machine": machine(), "rows": records}
    )
