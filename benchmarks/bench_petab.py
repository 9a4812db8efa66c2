"""PEtab benchmark collection: pathjax's negative log-likelihood at each problem's
nominal parameters against the reference values of AMICI's benchmark table
(`petab_reference.json`) and against the collection's own simulation tables, the times
of its first (compile) and warm calls and of its gradient's, then batched multi-start
fits of Brannmark_JBC2010 and Boehm_JProteomeRes2014 by `pathjax.calibrate.fit`
(optionally the same fits by pyPESTO + AMICI from a separate Python environment).

Every problem runs in its own subprocess (fresh compile times; a crash or a timeout
costs that problem only). The collection is not part of pathjax: give its
``Benchmark-Models`` folder with ``--collection`` or the environment variable
PATHJAX_PETAB_COLLECTION; without one, the five problems vendored in tests/data/petab
are used.

    python benchmarks/bench_petab.py [--collection DIR] [--problems A,B] [--timeout 300]
        [--no-gradient] [--no-fit] [--starts 32] [--amici-python PATH]

``--amici-python`` names the Python of a separate environment with ``amici`` and
``pypesto`` (never pathjax's own): the same fits then run there from the same starts
(pyPESTO's default L-BFGS-B, AMICI's forward sensitivities, one start after another).
AMICI compiles each model with that environment's swig and a CBLAS; with Debian's
OpenBLAS, set BLAS_LIBS=-lopenblas and
BLAS_CFLAGS=-I/usr/include/x86_64-linux-gnu/openblas-pthread for both its install and
this run.

Prints two tables and writes results/petab.json.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDORED = HERE.parent / "tests" / "data" / "petab"
REFERENCE = HERE / "petab_reference.json"
FIT_PROBLEMS = ("Brannmark_JBC2010", "Boehm_JProteomeRes2014")
KEEP_CACHE = False  # --cache: let the workers use pathjax's persistent compilation cache
CONVERGED = 0.1  # a start has converged when its nllh is within this of the optimum


# --------------------------------------------------------------------------- discovery


def problem_yaml(folder: Path) -> Path | None:
    """The problem's YAML file in its collection folder (None: none)."""
    own = folder / f"{folder.name}.yaml"
    if own.is_file():
        return own
    found = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("petab_test"))
    return found[0] if found else None


def collection(arg: str | None) -> tuple[Path, str]:
    """The folder of problems and where it came from."""
    if arg:
        return Path(arg), "--collection"
    env = os.environ.get("PATHJAX_PETAB_COLLECTION")
    if env:
        return Path(env), "PATHJAX_PETAB_COLLECTION"
    print("no PEtab benchmark collection given (--collection DIR or PATHJAX_PETAB_COLLECTION):"
          f" using the five problems vendored in {VENDORED}")  # fmt: skip
    return VENDORED, "vendored"


def references() -> dict:
    return json.loads(REFERENCE.read_text())


# --------------------------------------------------------------------------- workers


def _row_order(mdf, sim):
    """Row i of the measurement table is row order[i] of the simulation table (None:
    the tables do not have the same rows): matched on observable, conditions and time,
    replicates in their order."""
    import numpy as np

    if len(sim) != len(mdf):
        return None
    cols = [c for c in ("observableId", "simulationConditionId", "preequilibrationConditionId")
            if c in mdf.columns and c in sim.columns]  # fmt: skip

    def keys(df):
        k = [df[c].fillna("").astype(str).to_numpy() for c in cols]
        return [*k, df["time"].astype(float).to_numpy()]

    km, ks = keys(mdf), keys(sim)
    om = np.lexsort(km[::-1])
    os_ = np.lexsort(ks[::-1])
    for a, b in zip(km, ks):
        same = np.isclose(a[om], b[os_]) if a.dtype.kind == "f" else a[om] == b[os_]
        if not same.all():
            return None
    order = np.empty(len(mdf), dtype=np.int64)
    order[om] = os_
    return order


def _collection_llh(yaml_path: Path):
    """The log-likelihood of the collection's own simulation table at the nominal
    parameters (None: no table, or it does not evaluate), the table aligned with the
    measurement table (None: it cannot be), and why not."""
    import warnings

    import pandas as pd
    import petab.v1 as petab

    folder = yaml_path.parent
    tables = sorted(folder.glob("simulatedData*.tsv")) + sorted(folder.glob("simulations.tsv"))
    if not tables:
        return None, None, "no simulation table in the collection"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problem = petab.Problem.from_yaml(str(yaml_path))
        mdf = problem.measurement_df.reset_index(drop=True)
        sim = pd.read_csv(tables[0], sep="\t")
        sim.columns = [str(c).strip() for c in sim.columns]
        if "measurement" in sim.columns and "simulation" not in sim.columns:
            sim = sim.rename(columns={"measurement": "simulation"})
        sim = sim.rename(
            columns={
                "simulationCondition": "simulationConditionId",
                "preequilibrationCondition": "preequilibrationConditionId",
            }
        )
        aligned = None
        order = _row_order(mdf, sim)
        if order is not None:
            # the rows are the measurement table's: take its keys (the tables of
            # some problems write noise parameters as numbers, not as their ids)
            aligned = mdf.drop(columns=["measurement"]).assign(
                simulation=sim["simulation"].to_numpy(float)[order]
            )
        if aligned is None:
            keys = [
                c
                for c in (
                    "observableId",
                    "simulationConditionId",
                    "preequilibrationConditionId",
                    "time",
                )
                if c in sim.columns
            ]
            sim_df = sim.loc[:, [*keys, "simulation"]]
            why = "simulation table not row-aligned with the measurement table"
        else:
            sim_df, why = aligned, None
        try:
            llh = petab.calculate_llh(mdf, sim_df, problem.observable_df, problem.parameter_df)
            return float(llh), aligned, why
        except Exception as e:  # the tables of some problems do not line up
            return None, aligned, f"{why or ''} {type(e).__name__}: {e}".strip()[:300]


def _simulation_diff(problem, table) -> dict | None:
    """Largest |pathjax - collection| simulated value, overall and per observable, where
    the collection's table has the measurement table's rows in its order."""
    import numpy as np

    ours = problem.simulation_table()
    if table is None:
        return None
    d = np.abs(ours["simulation"].to_numpy(float) - table["simulation"].to_numpy(float))
    scale = np.maximum(np.abs(table["simulation"].to_numpy(float)), 1e-12)
    per = {}
    for oid in sorted(set(ours["observableId"])):
        m = (ours["observableId"] == oid).to_numpy()
        per[oid] = float(np.nanmax(d[m] / scale[m])) if np.isfinite(d[m]).any() else math.nan
    return {
        "max_abs": float(np.nanmax(d)) if np.isfinite(d).any() else math.nan,
        "max_rel": float(np.nanmax(d / scale)) if np.isfinite(d).any() else math.nan,
        "nan": int(np.isnan(d).sum()),
        "worst_observables": dict(
            sorted(per.items(), key=lambda kv: -np.nan_to_num(kv[1], nan=np.inf))[:3]
        ),
    }


def worker_problem(yaml_path: Path, gradient: bool) -> dict:
    """Load, nllh (first and warm), gradient (first and warm) of one problem."""
    sys.path.insert(0, str(HERE.parent / "src"))
    import numpy as np

    import _common
    import pathjax

    out: dict = {"yaml": str(yaml_path)}
    t = time.perf_counter()
    try:
        problem = pathjax.petab.load(yaml_path)
    except Exception as e:
        out.update(status="InputError" if isinstance(e, pathjax.InputError) else "load crash",
                   error=f"{type(e).__name__}: {e}"[:600],
                   load_s=time.perf_counter() - t)  # fmt: skip
        return out
    out["load_s"] = time.perf_counter() - t
    out.update(
        states=len(problem.model.state_names), estimated=len(problem.parameter_ids),
        experiments=problem.n_experiments, measurements=problem.n_measurements,
    )  # fmt: skip
    print(f"loaded {problem!r} in {out['load_s']:.1f} s", file=sys.stderr, flush=True)
    try:
        first, warm, nllh = _common.best_of(problem.nllh, 3, give_up_after=10.0)
    except Exception as e:
        out.update(status="nllh crash", error=f"{type(e).__name__}: {e}"[:600])
        return out
    out.update(status="ok", nllh=nllh, nllh_first_s=first, nllh_warm_s=warm)
    if not math.isfinite(nllh):
        status = problem.experiment_status()
        out["failed_experiments"] = {k: v for k, v in status.items() if v != 0}
        out["status"] = "nllh not finite"
    print(f"nllh {nllh:.6f} first {first:.1f} s warm {warm:.3f} s", file=sys.stderr, flush=True)
    llh_bm, table, why = _collection_llh(yaml_path)
    out["collection_llh"] = llh_bm
    if why:
        out["collection_llh_error"] = why
    try:
        out["simulation_diff"] = _simulation_diff(problem, table)
    except Exception as e:
        out["simulation_diff"] = f"{type(e).__name__}: {e}"[:300]
    if gradient and math.isfinite(nllh):
        try:
            gfirst, gwarm, g = _common.best_of(problem.gradient, 2, give_up_after=10.0)
            v = np.array(list(g.values()))
            out.update(gradient_first_s=gfirst, gradient_warm_s=gwarm,
                       gradient_mode="forward" if len(v) <= pathjax.petab.FORWARD_UP_TO else "reverse",
                       gradient_finite=bool(np.isfinite(v).all()),
                       gradient_norm=float(np.linalg.norm(v)))  # fmt: skip
        except Exception as e:
            out["gradient_error"] = f"{type(e).__name__}: {e}"[:600]
    return out


def worker_fit(yaml_path: Path, starts: int, nllh_opt: float, starts_file: Path) -> dict:
    """A multi-start fit by `pathjax.calibrate.fit` (unavailable: said so)."""
    sys.path.insert(0, str(HERE.parent / "src"))
    import numpy as np

    import pathjax

    problem = pathjax.petab.load(yaml_path)
    fit = getattr(pathjax.calibrate, "fit", None)
    if fit is None:
        return {"status": "unavailable", "why": "pathjax.calibrate.fit does not exist"}
    t = time.perf_counter()
    try:
        result = fit(problem, starts=starts, seed=0)
    except (TypeError, ValueError) as e:
        return {"status": "unavailable",
                "why": f"pathjax.calibrate.fit does not take a PetabProblem: "
                       f"{type(e).__name__}: {e}"[:400]}  # fmt: skip
    wall = time.perf_counter() - t
    f = np.asarray(result.f, dtype=float)
    # the objective may include a prior; the optimum is the likelihood's
    out = {
        "status": "ok",
        "starts": int(f.size),
        "best_nllh": float(result.nllh),
        "nllh_opt": nllh_opt,
        "gap": float(result.nllh) - nllh_opt,
        "converged": int(np.sum(f <= nllh_opt + CONVERGED)),
        "failed": int(np.sum(~np.isfinite(f))),
        "wall_s": float(getattr(result, "wall_time", wall)),
        "wall_s_outside": wall,
        "evaluations": int(getattr(result, "evaluations", -1)),
        "best_x": {k: float(v) for k, v in result.x.items()},
    }
    out["converged_fraction"] = out["converged"] / out["starts"]
    theta0 = getattr(result, "theta_start", None)
    if theta0 is None:
        theta0 = problem.sample_starts(starts, 0)
    starts_file.write_text(json.dumps({
        "parameter_ids": list(problem.parameter_ids),
        "theta_start": np.asarray(theta0, dtype=float).tolist(),
    }))  # fmt: skip
    return out


def worker_amici(yaml_path: Path, nllh_opt: float, starts_file: Path) -> dict:
    """The same multi-start by pyPESTO + AMICI (run with the AMICI environment's
    Python): the same start points, pyPESTO's default optimiser (SciPy L-BFGS-B) with
    AMICI's forward sensitivities, one start after another."""
    import warnings

    import numpy as np

    warnings.simplefilter("ignore")
    import amici
    import petab.v1 as petab
    import pypesto
    import pypesto.optimize
    import pypesto.petab

    versions = {"amici": amici.__version__, "pypesto": pypesto.__version__,
                "petab": petab.__version__}  # fmt: skip
    starts = json.loads(starts_file.read_text())
    t = time.perf_counter()
    importer = pypesto.petab.PetabImporter.from_yaml(str(yaml_path))
    problem = importer.create_problem()
    build = time.perf_counter() - t
    ids = [problem.x_names[i] for i in problem.x_free_indices]
    order = [starts["parameter_ids"].index(i) for i in ids]
    x0 = np.asarray(starts["theta_start"])[:, order]
    problem.set_x_guesses([problem.get_full_vector(x, problem.x_fixed_vals) for x in x0])
    t = time.perf_counter()
    f0 = problem.objective(x0[0])
    first_eval = time.perf_counter() - t
    t = time.perf_counter()
    result = pypesto.optimize.minimize(
        problem, optimizer=pypesto.optimize.ScipyOptimizer(), n_starts=len(x0),
        progress_bar=False,
    )  # fmt: skip
    wall = time.perf_counter() - t
    f = np.array([r.fval for r in result.optimize_result.list])
    return {
        "status": "ok", "versions": versions, "starts": int(f.size),
        "import_compile_s": build, "first_eval_s": first_eval, "f_first_start": float(f0),
        "best_nllh": float(np.nanmin(f)), "gap": float(np.nanmin(f)) - nllh_opt,
        "converged": int(np.sum(f <= nllh_opt + CONVERGED)),
        "converged_fraction": float(np.mean(f <= nllh_opt + CONVERGED)),
        "failed": int(np.sum(~np.isfinite(f))), "wall_s": wall,
    }  # fmt: skip


# --------------------------------------------------------------------------- driver


def _subprocess(args: list[str], timeout: float, python: str = sys.executable,
                cwd: str | None = None) -> dict:  # fmt: skip
    cmd = [python, str(Path(__file__).resolve()), *args]
    # the other environment's executables (AMICI needs its swig) come first
    env = dict(os.environ, PATH=f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not KEEP_CACHE:  # fresh compiles: no persistent compilation cache
        env["PATHJAX_NO_CACHE"] = "1"
    t = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                              cwd=cwd)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"over {timeout:.0f} s", "wall_s": timeout}
    wall = time.perf_counter() - t
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"status": "crash", "error": f"exit {done.returncode}: " + " | ".join(tail)[-600:],
                "wall_s": wall}  # fmt: skip
    out = json.loads(lines[-1])
    out["process_s"] = wall
    return out


def compare(out: dict, ref: dict, name: str) -> None:
    """Add the reference values and differences to a problem's record."""
    llh = ref["llh"].get(name)
    if llh is not None:
        out["reference_nllh"] = -llh
        if "nllh" in out and math.isfinite(out["nllh"]):
            out["abs_diff"] = abs(out["nllh"] - (-llh))
    bm = out.get("collection_llh")
    if bm is not None and "nllh" in out and math.isfinite(out["nllh"]):
        out["abs_diff_collection"] = abs(out["nllh"] - (-bm))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--collection", help="the collection's Benchmark-Models folder")
    ap.add_argument("--problems", help="comma-separated problem names (default: all)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per problem")
    ap.add_argument("--no-gradient", action="store_true")
    ap.add_argument("--no-fit", action="store_true")
    ap.add_argument("--starts", type=int, default=32)
    ap.add_argument("--fit-timeout", type=float, default=1800.0)
    ap.add_argument("--amici-python", default=os.environ.get("PATHJAX_AMICI_PYTHON"),
                    help="a Python with amici and pypesto for the comparison fits")  # fmt: skip
    ap.add_argument("--name", default="petab", help="results/<name>.json")
    ap.add_argument("--cache", action="store_true",
                    help="use pathjax's persistent compilation cache (default: off, so "
                         "first calls include the compile)")  # fmt: skip
    ap.add_argument("--worker", choices=["problem", "fit", "amici"], help=argparse.SUPPRESS)
    ap.add_argument("--yaml", help=argparse.SUPPRESS)
    ap.add_argument("--nllh-opt", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--starts-file", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker == "problem":
        print(json.dumps(worker_problem(Path(args.yaml), not args.no_gradient), default=float))
        return
    if args.worker == "fit":
        out = worker_fit(Path(args.yaml), args.starts, args.nllh_opt, Path(args.starts_file))
        print(json.dumps(out, default=float))
        return
    if args.worker == "amici":
        print(json.dumps(worker_amici(Path(args.yaml), args.nllh_opt, Path(args.starts_file)),
                         default=float))  # fmt: skip
        return

    import _common

    global KEEP_CACHE
    KEEP_CACHE = args.cache
    root, source = collection(args.collection)
    if not root.is_dir():
        sys.exit(f"no such folder: {root}")
    ref = references()
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    if args.problems:
        wanted = [s.strip() for s in args.problems.split(",") if s.strip()]
        missing = sorted(set(wanted) - {p.name for p in folders})
        if missing:
            sys.exit(f"not in {root}: {missing}")
        folders = [p for p in folders if p.name in wanted]
    record: dict = {
        "collection": str(root), "collection_source": source,
        "reference": {k: ref[k] for k in ("source", "commit", "licence")},
        "timeout_s": args.timeout, "converged_within": CONVERGED,
        "compilation_cache": args.cache, "problems": {},
    }  # fmt: skip
    rows = []
    for folder in folders:
        name = folder.name
        y = problem_yaml(folder)
        if y is None:
            out = {"status": "no yaml"}
        else:
            print(f"{name} ...", flush=True)
            wargs = ["--worker", "problem", "--yaml", str(y)]
            out = _subprocess(wargs + (["--no-gradient"] if args.no_gradient else []),
                              args.timeout)  # fmt: skip
        compare(out, ref, name)
        record["problems"][name] = out
        rows.append([
            name, out.get("status"), out.get("states", ""), out.get("nllh", ""),
            out.get("abs_diff", ""), out.get("abs_diff_collection", ""),
            out.get("nllh_first_s", ""), 1e3 * out["nllh_warm_s"] if "nllh_warm_s" in out else "",
            out.get("gradient_first_s", ""),
            1e3 * out["gradient_warm_s"] if "gradient_warm_s" in out else "",
        ])  # fmt: skip
        if out.get("error"):
            print(f"  {out['error'][:300]}")
    _common.table(
        "PEtab collection: nllh at the nominal parameters (|Δ| vs AMICI's table and vs the "
        "collection's simulation table), first (compile) and warm calls",
        ["problem", "status", "states", "nllh", "|Δ| AMICI", "|Δ| sim. table", "nllh first s",
         "nllh warm ms", "grad first s", "grad warm ms"], rows,
    )  # fmt: skip

    if not args.no_fit:
        record["fits"] = fits(root, ref, args)
    _common.save(args.name, record)


def fits(root: Path, ref: dict, args) -> dict:
    import tempfile

    import _common

    out, rows = {}, []
    for name in FIT_PROBLEMS:
        folder = root / name
        y = problem_yaml(folder) if folder.is_dir() else None
        if y is None:
            out[name] = {"status": "not in the collection"}
            continue
        nllh_opt = -ref["llh"][name]
        starts_file = Path(tempfile.mkstemp(suffix=".json")[1])
        common = ["--yaml", str(y), "--nllh-opt", repr(nllh_opt), "--starts-file", str(starts_file)]
        print(f"fit {name}: {args.starts} starts ...", flush=True)
        res = {"pathjax": _subprocess(["--worker", "fit", "--starts", str(args.starts), *common],
                                      args.fit_timeout)}  # fmt: skip
        if args.amici_python and res["pathjax"].get("status") == "ok":
            print(f"fit {name}: pyPESTO + AMICI ...", flush=True)
            with tempfile.TemporaryDirectory() as build:  # AMICI compiles the model here
                res["amici"] = _subprocess(["--worker", "amici", *common], args.fit_timeout,
                                           python=args.amici_python, cwd=build)  # fmt: skip
            a, p = res["amici"], res["pathjax"]
            if a.get("status") == "ok":
                res["wall_ratio_amici_over_pathjax"] = a["wall_s"] / p["wall_s"]
        elif not args.amici_python:
            res["amici"] = {"status": "not run", "why": "no --amici-python given"}
        starts_file.unlink(missing_ok=True)
        out[name] = res
        for tool in ("pathjax", "amici"):
            r = res.get(tool, {})
            rows.append([name, tool, r.get("status", ""), r.get("starts", ""),
                         r.get("best_nllh", ""), r.get("converged_fraction", ""),
                         r.get("wall_s", "")])  # fmt: skip
            if r.get("status") not in ("ok", None):
                print(f"  {tool}: {r.get('why') or r.get('error')}")
    _common.table(
        f"Multi-start fits (converged: nllh within {CONVERGED} of the optimum)",
        ["problem", "tool", "status", "starts", "best nllh", "converged", "wall s"], rows,
    )  # fmt: skip
    return out


if __name__ == "__main__":
    main()
