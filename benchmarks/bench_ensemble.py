"""(a) The reference workload: pathjax vs libRoadRunner (loop and process pool) and SciPy
solve_ivp (LSODA, BDF) on the same patients, in one run; prints a table, writes JSON.

    python benchmarks/bench_ensemble.py [--patients 2000] [--scipy 20]
"""

import argparse

from _common import save
from pathjax.bench import compare, print_table

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=2000)
    ap.add_argument("--scipy", type=int, default=20, help="patients for the SciPy rows")
    ap.add_argument("--no-pool", action="store_true")
    args = ap.parse_args()
    result = compare(args.patients, scipy_n=args.scipy, pool=not args.no_pool)
    print_table(result)
    save("ensemble", result)
