"""Helpers shared by the benchmark scripts: where results go, how they are printed."""

import json
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def save(name: str, record: dict) -> Path:
    """Write `record` to results/<name>.json (latest) and print where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    record.setdefault("date", time.strftime("%Y-%m-%d %H:%M"))
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, default=float))
    print(f"wrote {path}")
    return path


def best_of(fn, repeat: int, give_up_after: float = float("inf")):
    """(first call s, best warm call s, result) of `fn`: one first call (compilation
    included), then up to `repeat` warm calls, fewer once one takes `give_up_after` s."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        warm.append(time.perf_counter() - t0)
        if warm[-1] > give_up_after:
            break
    return first, min(warm) if warm else float("nan"), result


def table(title: str, columns: list[str], rows: list[list]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    for c in columns:
        t.add_column(c, justify="left" if c == columns[0] else "right")
    for r in rows:
        t.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in r])
    Console().print(t)
