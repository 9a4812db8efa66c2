"""A population streamed to Zarr: 100,000 virtual T2D patients of Brännmark 2013 (default),
plausibility-filtered, on a therapy, in chunks; reports patients/s and peak memory.

Peak memory is the process's peak resident set (``ru_maxrss``: JAX, the compiled
programs and one chunk in flight); a sampler thread also records the resident set after
every chunk, so a growth with the number of chunks would show (the streamed run holds one
chunk at a time).

    python benchmarks/bench_population.py [--patients 100000] [--chunk-size 2048]
        [--model brannmark2013] [--cohort t2d] [--therapy irs_modulator] [--no-filter]
        [--out DIR]
"""

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

import pathjax
from _common import save, table
from pathjax import population as pop
from pathjax.bench import machine


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=100_000)
    ap.add_argument("--chunk-size", type=int, default=2048)
    ap.add_argument("--model", default="brannmark2013")
    ap.add_argument("--cohort", default="t2d")
    ap.add_argument("--therapy", default="irs_modulator", help="'' for none")
    ap.add_argument("--points", type=int, default=31)
    ap.add_argument("--no-filter", action="store_true")
    ap.add_argument("--out", type=Path, default=None, help="folder for the store (default: temp)")
    args = ap.parse_args()

    model = pathjax.models.load(args.model)
    t = np.linspace(0.0, model.t_end, args.points)
    folder = args.out or Path(tempfile.mkdtemp(prefix="pathjax_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "population.zarr"
    proc = psutil.Process()
    marks: list[tuple[int, float, float]] = []  # (patients done, seconds, RSS MiB)
    start = time.perf_counter()

    def after_chunk(done: int, total: int) -> None:
        now = time.perf_counter() - start
        rss = proc.memory_info().rss / 2**20
        if not marks or marks[-1][0] != done:
            marks.append((done, now, rss))
            rate = done / now
            print(f"{done:>8} patients  {now:8.1f} s  {rate:7.1f} patients/s  RSS {rss:7.0f} MiB",
                  flush=True)  # fmt: skip

    ds = pop.run(
        model,
        args.cohort,
        args.patients,
        seed=0,
        t=t,
        therapies=[(args.therapy, 1.0)] if args.therapy else (),
        out=store,
        chunk_size=args.chunk_size,
        overwrite=True,
        filter=not args.no_filter,
        progress=after_chunk,
    )
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB -> MiB on Linux
    first_done, first_s, first_rss = marks[0]
    steady = (args.patients - first_done) / (total - first_s) if len(marks) > 1 else float("nan")
    rss = np.array([m[2] for m in marks])
    record = {
        "benchmark": "population",
        "machine": machine(),
        "model": model.name,
        "cohort": args.cohort,
        "therapy": args.therapy or None,
        "patients": args.patients,
        "chunk_size": args.chunk_size,
        "output_times": args.points,
        "plausibility_filter": not args.no_filter,
        "total_s": total,
        "patients_per_s": args.patients / total,
        "patients_per_s_after_first_chunk": steady,
        "first_chunk_s": first_s,
        "peak_rss_mib": peak,
        "rss_after_first_chunk_mib": first_rss,
        "rss_max_after_chunks_mib": float(rss.max()),
        "rss_growth_per_chunk_mib": float(np.polyfit(np.arange(rss.size), rss, 1)[0])
        if rss.size > 2
        else float("nan"),
        "store_mib": directory_size(store) / 2**20,
        "acceptance_rate": float(ds.attrs["acceptance_rate"]),
        "n_failed": int(ds.attrs["n_failed"]),
    }
    table(
        f"population: {args.patients:,} patients of {model.name}/{args.cohort} streamed to Zarr",
        ["patients", "total s", "patients/s", "after 1st chunk", "peak RSS MiB",
         "RSS growth MiB/chunk", "store MiB", "acceptance", "failed"],
        [[args.patients, total, record["patients_per_s"], steady, peak,
          record["rss_growth_per_chunk_mib"], record["store_mib"], record["acceptance_rate"],
          record["n_failed"]]],
    )  # fmt: skip
    save("population", record)
    if args.out is None:
        shutil.rmtree(folder)
