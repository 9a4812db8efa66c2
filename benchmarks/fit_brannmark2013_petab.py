"""Joint fit of the bundled Brännmark 2013 PEtab problem (normal and T2D arms in one
problem; pathjax.petab.bundled("brannmark2013")): every start one parameter vector of the
batch. Prints the χ² per arm of the best fit against the published parameters' and writes
benchmarks/results/fit_brannmark2013_petab.json.

    python benchmarks/fit_brannmark2013_petab.py --starts 8 --adam-steps 60 --lbfgs-steps 100
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

import pathjax
from pathjax.calibrate import chi2_threshold


def chi2_per_arm(problem, x=None) -> dict[str, tuple[float, int]]:
    """χ² = Σ ((simulation - measurement) / σ)² of each arm, σ the numeric noise."""
    sim = problem.simulation_table(x)
    data = problem.spec.measurement_df.reset_index(drop=True)
    r = (sim["simulation"].to_numpy() - data["measurement"].to_numpy()) / data[
        "noiseParameters"
    ].astype(float).to_numpy()
    arm = np.where(data["simulationConditionId"].str.startswith("t2d"), "t2d", "normal")
    return {a: (float(np.sum(r[arm == a] ** 2)), int(np.sum(arm == a))) for a in ("normal", "t2d")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--adam-steps", type=int, default=60)
    ap.add_argument("--lbfgs-steps", type=int, default=100)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results"))
    args = ap.parse_args()
    problem = pathjax.petab.load(pathjax.petab.bundled("brannmark2013"), rtol=args.rtol,
                                 atol=1e-9)  # fmt: skip
    published = chi2_per_arm(problem)
    t = time.perf_counter()
    fit = pathjax.petab.fit(problem, starts=args.starts, seed=args.seed,
                                include_nominal=True, adam_steps=args.adam_steps,
                                lbfgs_steps=args.lbfgs_steps, progress=True)  # fmt: skip
    wall = time.perf_counter() - t
    fitted = chi2_per_arm(problem, fit.x)
    rows = []
    print(
        f"{'arm':8s} {'n':>4s} {'chi2 published':>15s} {'chi2 joint fit':>15s} {'threshold':>10s}"
    )
    for arm in ("normal", "t2d"):
        n = published[arm][1]
        rows.append(dict(arm=arm, n=n, published=published[arm][0], fitted=fitted[arm][0],
                         threshold=chi2_threshold(n)))  # fmt: skip
        print(f"{arm:8s} {n:4d} {published[arm][0]:15.1f} {fitted[arm][0]:15.1f} "
              f"{chi2_threshold(n):10.1f}")  # fmt: skip
    print(f"best nllh {fit.nllh:.2f}; {fit.converged(1.0):.0%} of starts within 1; {wall:.0f} s")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "fit_brannmark2013_petab.json").write_text(json.dumps({
        "settings": vars(args), "arms": rows, "nllh": fit.nllh, "wall_s": wall,
        "objective_per_start": [float(v) for v in fit.f], "x": fit.x,
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
