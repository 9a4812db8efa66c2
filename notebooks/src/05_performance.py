# %% [markdown]
# # Performance: pathjax against libRoadRunner and SciPy
#
# pathjax solves a whole population as one batch: a Rosenbrock integrator (Rodas5P by
# default) written for ensembles of small stiff systems, where every patient keeps its
# own step size and error control, the Jacobian comes from forward-mode differentiation
# over its structural non-zeros, and the linear algebra is a sparse LU over the batch
# (`docs/solvers.md`). The references are the tools a modeller would otherwise use:
# libRoadRunner (CVODE, compiled C++), one patient after another, and SciPy's
# `solve_ivp` (LSODA and BDF) with the model's right-hand side and Jacobian.
#
# **The workload** (`pathjax.bench`): the Brännmark 2013 adipocyte (27 states), patients
# whose rate constants are spread log-normally (CV 20 %), 10 nM insulin for 60 min, 200
# output times, rtol 1e-6 and atol 1e-9 for every tool. Accuracy is the scaled error
# against libRoadRunner at rtol 1e-10 on the same patients.
#
# The scripts in `benchmarks/` measure at full size and write JSON into
# `benchmarks/results/`; this notebook renders the latest results found there. Where a
# result is missing (and always with `PATHJAX_NOTEBOOK_SMALL=1`), it runs a smaller live
# comparison on the machine that executes the notebook instead; such a run measures the
# machine as it is at that moment (other work on it slows every tool).

# %%
import json
import os
import time
from pathlib import Path

import jax
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import pathjax
from pathjax import bench

SMALL = os.environ.get("PATHJAX_NOTEBOOK_SMALL") == "1"
LIVE_N = 64 if SMALL else 1_000  # patients of a live comparison
LIVE_SCIPY = 3 if SMALL else 10  # patients for the (slow) SciPy rows
LIVE_CHUNK = 64  # patients per compiled solve in the live scaling run

ROOT = Path.cwd().resolve().parent
RESULTS = ROOT / "benchmarks" / "results"


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def describe(path):
    rec = json.loads(path.read_text())
    machine = rec.get("machine") if isinstance(rec.get("machine"), dict) else {}
    return {"result": path.stem, "date": rec.get("date", ""),
            "backend": machine.get("backend", ""), "cores": machine.get("cores", "")}  # fmt: skip


found = sorted(RESULTS.glob("*.json")) if RESULTS.exists() else []
print(f"{len(found)} results in benchmarks/results")
pd.DataFrame([describe(p) for p in found], columns=["result", "date", "backend", "cores"])

# %%
print(f"this machine: {bench.machine()['cores']} cores, JAX {jax.__version__}, "
      f"devices {[str(d) for d in jax.devices()]}")  # fmt: skip

# %% [markdown]
# ## pathjax vs libRoadRunner vs SciPy
#
# Time per patient with a warm (compiled) program, and the worst scaled error over
# patients and states. libRoadRunner runs one patient at a time on one core; "ideal, all
# cores" divides its time by the number of cores (perfect parallel scaling, which a
# process pool approaches).

# %%
ensemble = None if SMALL else load("ensemble")
if ensemble is None:
    print(f"live comparison: {LIVE_N} patients (SciPy: {LIVE_SCIPY})")
    start = time.perf_counter()
    ensemble = bench.compare(LIVE_N, scipy_n=LIVE_SCIPY, pool=False, reference_n=LIVE_N)
    print(f"ran in {time.perf_counter() - start:.0f} s")
    source = "live run in this notebook"
else:
    source = f"benchmarks/results/ensemble.json ({ensemble.get('date', '')})"
rows = pd.DataFrame(ensemble["rows"]).set_index("tool")
print(f"source: {source}; {ensemble['workload']}")
rows[["patients", "seconds", "ms_per_patient", "time_vs_pathjax", "max_error", "median_error"]]

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
colors = ["tab:blue" if t.startswith("pathjax") else "tab:gray" for t in rows.index]
axes[0].barh(rows.index, rows["ms_per_patient"], color=colors)
axes[0].set_xscale("log")
axes[0].set_xlabel("ms per patient (warm)")
axes[0].invert_yaxis()
axes[1].barh(rows.index, rows["max_error"], color=colors)
axes[1].set_xscale("log")
axes[1].set_xlabel("max scaled error vs libRoadRunner at rtol 1e-10")
axes[1].invert_yaxis()
axes[1].set_yticks([])
fig.suptitle(f"Brännmark 2013, {int(rows['patients'].max()):,} patients ({source})", fontsize=10)
fig.tight_layout()
plt.show()

ours = rows.iloc[0]
rr = rows.loc[[t for t in rows.index if t.startswith("RR loop")][0]]
print(f"pathjax: {ours['ms_per_patient']:.3f} ms/patient; libRoadRunner on one core is "
      f"{rr['ms_per_patient'] / ours['ms_per_patient']:.2f}x the time per patient, and "
      f"{ensemble['speedup_vs_roadrunner_all_cores']:.2f}x with ideal use of every core")  # fmt: skip
for tool in [t for t in rows.index if t.startswith("scipy")]:
    print(f"{tool}: {rows.loc[tool, 'time_vs_pathjax']:.0f}x the time per patient of pathjax")
print(f"max error, pathjax / libRoadRunner at the same tolerances: "
      f"{ensemble['error_ratio_vs_roadrunner']:.2f}")  # fmt: skip

# %% [markdown]
# The first call of pathjax includes compiling the solver for this model and batch
# shape (seconds to tens of seconds); JAX's persistent cache (`~/.cache/pathjax`) makes
# later processes reuse it. The comparison above is warm.
#
# ## Scaling in the number of patients
#
# On a CPU the batch is split over the cores; once they are busy, the time should grow
# linearly with the number of patients and the time per patient level off (the table
# shows how close each run comes; very large batches also pay for memory traffic). On a
# GPU the batch runs in parallel until the device is full.

# %%
scaling = None if SMALL else load("scaling")
if scaling is None:
    sizes = [LIVE_CHUNK, 4 * LIVE_CHUNK, 16 * LIVE_CHUNK]
    records = []
    for n in sizes:
        w = bench.workload(n)
        times = []
        for _ in range(2):  # the first call of the first size compiles
            start = time.perf_counter()
            ds = pathjax.simulate(w.model, w.t, w.params, chunk_size=LIVE_CHUNK)
            times.append(time.perf_counter() - start)
        records.append({"patients": n, "first_s": times[0], "warm_s": times[1],
                        "patients_per_s": n / times[1], "ms_per_patient": 1e3 * times[1] / n,
                        "failed": int((ds["status"] != 0).sum())})  # fmt: skip
    scaling = {"rows": records, "date": "live run in this notebook"}
    scaling_source = f"live run, chunks of {LIVE_CHUNK}"
else:
    scaling_source = f"benchmarks/results/scaling.json ({scaling.get('date', '')})"
sc = pd.DataFrame(scaling["rows"]).set_index("patients")
gpus = {p.stem: json.loads(p.read_text()) for p in found if p.stem.startswith("gpu_")}

fig, ax = plt.subplots(figsize=(6.5, 4.0))
ax.loglog(sc.index, sc["patients_per_s"], "o-", label=f"CPU ({scaling_source})")
for name, rec in gpus.items():
    g = pd.DataFrame(rec["rows"]).set_index("patients")
    ax.loglog(g.index, g["patients_per_s"], "s-", label=f"GPU: {rec.get('device', name)}")
ax.set_xlabel("patients")
ax.set_ylabel("patients per second (warm)")
ax.legend(fontsize=8)
ax.grid(True, which="both", alpha=0.3)
plt.show()
if not gpus:
    print("No GPU result in benchmarks/results: no GPU was measured "
          "(benchmarks/bench_gpu.py writes gpu_<device>.json when run on a GPU).")  # fmt: skip
sc.round(3)

# %% [markdown]
# ## Work–precision
#
# Error against the tight reference versus time per patient, over tolerances from 1e-4
# to 1e-8, for each of pathjax's Rosenbrock methods and libRoadRunner at the same
# tolerances. Down and to the left is better.

# %%
wp = load("work_precision")
if wp is None:
    print("No work-precision result in benchmarks/results (benchmarks/bench_work_precision.py "
          "writes it); nothing to show here.")  # fmt: skip
else:
    d = pd.DataFrame(wp["rows"])
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, (tool, g) in enumerate(d.groupby("tool", sort=False)):
        g = g.sort_values("rtol")
        ax.loglog(g["ms_per_patient"], g["max_error"], "o-", color=f"C{i}", label=tool)
    ax.set_xlabel("ms per patient")
    ax.set_ylabel("max scaled error")
    ax.set_title(f"work–precision ({wp.get('date', '')})", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    plt.show()

# %% [markdown]
# ## Design choices, compile time, populations and sensitivities
#
# The remaining results, where present: how the batch-native engine compares with
# `vmap` over Diffrax, compile time cold and cached, a streamed population of 100,000
# virtual patients, and the cost of forward sensitivities relative to a solve.

# %%
design = load("design")
if design is not None and "vmap_vs_engine" in design:
    d = pd.DataFrame(design["vmap_vs_engine"]).set_index("design")
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    ax.barh(d.index, d["ms_per_patient"], color="tab:blue")
    ax.set_xscale("log")
    ax.set_xlabel("ms per patient")
    ax.invert_yaxis()
    ax.set_title(f"one solver, three designs ({int(d['patients'].iloc[0])} patients, "
                 f"{design.get('date', '')})", fontsize=10)  # fmt: skip
    plt.show()
    extra = {k: design[k] for k in ("devices", "precision") if k in design}
    for k, v in extra.items():
        print(k)
        print(pd.DataFrame(v).to_string(index=False), "\n")
else:
    print("No design result in benchmarks/results.")

compile_ = load("compile")
if compile_ is not None:
    print("first simulate in a new process (2,000 patients), seconds; cold: empty cache")
    print(pd.DataFrame(compile_["runs"]).T.round(2).to_string(), "\n")
else:
    print("No compile-time result in benchmarks/results (benchmarks/bench_compile.py).")

population = load("population")
if population is not None:
    keys = ["model", "cohort", "therapy", "patients", "chunk_size", "total_s", "patients_per_s",
            "peak_rss_mib", "rss_growth_per_chunk_mib", "store_mib", "acceptance_rate"]  # fmt: skip
    print("streamed population:")
    print(pd.Series({k: population.get(k) for k in keys}).to_string(), "\n")

for p in found:
    if p.stem.startswith("sensitivity_"):
        s = json.loads(p.read_text())
        f = pd.DataFrame(s["forward"])[["parameters", "forward_over_solve", "fd_over_solve",
                                        "ad_vs_fd_scaled_difference"]]  # fmt: skip
        print(f"sensitivities, {s['model']}, {s['patients']} patients: time relative to one solve")
        print(f.to_string(index=False))

# %% [markdown]
# ## Summary
#
# The tables and figures above are read from the benchmark results (or measured live in
# this notebook, as stated under each). To measure on another machine run the scripts in
# `benchmarks/` (`python benchmarks/bench_ensemble.py`, `bench_scaling.py`,
# `bench_work_precision.py`, `bench_gpu.py` on a GPU) and rebuild this notebook with
# `python notebooks/build.py 05_performance`.
