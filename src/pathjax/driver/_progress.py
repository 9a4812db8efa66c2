"""One progress display for every long run (simulate, sensitivities, populations)."""

import time as _time
from collections.abc import Callable
from typing import Any

__all__ = ["progress_display"]


def progress_display(progress: Any, total: int, label: str, done: int = 0
                     ) -> Callable[[int | None], None]:  # fmt: skip
    """An ``update(done)`` function (``update(None)`` ends the display).

    Args:
        progress: True for a bar ("compiling…" until the first update, then patients
            done, rate, elapsed and remaining time), False for none, or a callable
            ``f(done, total)`` called at each update.
        total: patients in the run.
        label: the bar's title.
        done: patients already done (a resumed run); the rate counts from here.
    """
    if callable(progress):
        return lambda d: progress(d if d is not None else total, total)
    if not progress:
        return lambda d: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("patients"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        transient=False,
    )
    task = bar.add_task(label, total=total, completed=done, rate="compiling…")
    bar.start()
    t_start, d_start = _time.perf_counter(), done

    def update(d: int | None) -> None:
        if d is None:
            bar.stop()
            return
        rate = (d - d_start) / max(_time.perf_counter() - t_start, 1e-9)
        bar.update(task, completed=d, rate=f"{rate:,.0f} patients/s")

    return update
