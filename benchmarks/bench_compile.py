"""(d) Compile time: the first `simulate` of the benchmark workload in a new process,
cold (empty persistent cache) and warm (cache filled by the cold run).

    python benchmarks/bench_compile.py
"""

import json
import os
import subprocess
import sys
import tempfile

from _common import save, table

CHILD = """
import time, json
t0 = time.perf_counter()
import pathjax
from pathjax.bench import workload
w = workload(2000)
t1 = time.perf_counter()
ds = pathjax.simulate(w.model, w.t, w.params)
t2 = time.perf_counter()
ds = pathjax.simulate(w.model, w.t, w.params)
t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, first_s=t2 - t1, warm_s=t3 - t2)))
"""

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, PATHJAX_CACHE_DIR=cache)
        runs = {}
        for label in ("cold", "cached"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True
            )
            runs[label] = json.loads(out.stdout.strip().splitlines()[-1])
    rows = [[k, v["first_s"], v["warm_s"], v["first_s"] - v["warm_s"]] for k, v in runs.items()]
    table(
        "compile + first batch (2,000 patients)",
        ["cache", "first call s", "warm call s", "compile s (approx.)"],
        rows,
    )
    save("compile", {"benchmark": "compile", "runs": runs})
