"""``pathjax demo``: healthy, insulin-resistant and T2D cohorts and a therapy, one OGTT."""

import time
from pathlib import Path

import typer

from . import app, console, guarded, interactive, out


def _progress_plain():
    """Progress as lines on stderr (not a terminal: logs, tests)."""
    state = {"label": None, "t0": time.perf_counter(), "done": 0}

    def update(done: int, total: int, note: str) -> None:
        if note == "compiling":
            console.print(
                "compiling… (the first run compiles the solver; later runs reuse it)",
                soft_wrap=True,
            )
            return
        if done == state["done"]:
            return
        now = time.perf_counter()
        console.print(
            f"  {note}: {done}/{total} patients ({now - state['t0']:.1f} s)", soft_wrap=True
        )
        state["done"] = done

    return update, lambda: None


def _progress_bar():
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("patients"), TimeElapsedColumn(), console=console, transient=False,
    )  # fmt: skip
    task = bar.add_task("compiling…", total=1)
    bar.start()

    def update(done: int, total: int, note: str) -> None:
        if note == "compiling":
            bar.update(task, total=total, description="compiling… (first run only)")
        else:
            bar.update(task, completed=done, description=note)

    return update, bar.stop


@app.command("demo")
@guarded
def demo_command(
    out_dir: Path = typer.Option(Path("pathjax_demo"), "--out", help="output folder"),
    patients: int = typer.Option(200, "--patients", help="virtual patients per cohort"),
    seed: int = typer.Option(0, "--seed", help="random seed of the cohorts"),
) -> None:
    """Healthy, insulin-resistant and T2D cohorts through an OGTT, and a therapy on T2D:
    a figure (PNG), a table of clinical markers (CSV) and every trajectory (NetCDF)."""
    from .. import demo
    from .. import io as _io

    _io.check_out_dir(out_dir)  # before anything is compiled
    if patients < 1:
        raise ValueError(f"--patients must be at least 1, got {patients}")
    if seed < 0:
        raise ValueError(f"--seed must be non-negative, got {seed}")
    console.print(
        f"pathjax demo: {patients} virtual patients in each of {len(demo.ARMS)} arms "
        f"(model {demo.MODEL}), a 75 g oral glucose tolerance test each",
        soft_wrap=True,
    )
    update, stop = _progress_bar() if interactive() else _progress_plain()
    try:
        res = demo.run_demo(out_dir, patients, seed, progress=update)
    finally:
        stop()

    first, *rest = demo.ARMS
    solve = sum(res.seconds[a.name] for a in rest) / max(len(rest), 1)
    console.print(
        f"done in {res.total_seconds:.0f} s: the first arm took {res.seconds[first.name]:.0f} s "
        f"(compiling included), each other arm about {solve:.1f} s",
        soft_wrap=True,
        highlight=False,
    )
    _print_table(res.table)
    _print_story(res)


def _number(v) -> str:
    """A marker value for people: 3 significant digits, no exponent."""
    if not isinstance(v, float):
        return str(v)
    if v != v:
        return "n/a"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) >= 1 else f"{v:.2g}"


def _print_table(table) -> None:
    """The markers as rows, the arms as columns (narrow enough for a terminal)."""
    from .. import demo

    rows = ["patients", *demo.MARKERS]
    width = max(len(r) for r in rows)
    cols = [max(len(a.short), 8) for a in demo.ARMS]
    out.print("Clinical markers (medians over each arm's patients):", highlight=False)
    head = " " * width + "".join(f"  {a.short:>{w}}" for a, w in zip(demo.ARMS, cols))
    out.print(head, highlight=False, soft_wrap=True)
    for r in rows:
        cells = "".join(f"  {_number(table.loc[a.name, r]):>{w}}" for a, w in zip(demo.ARMS, cols))
        out.print(f"{r:<{width}}{cells}", highlight=False, soft_wrap=True)


def _print_story(res) -> None:
    from .. import demo

    tab = res.table
    h, r, d, tx = (tab.loc[a.name] for a in demo.ARMS)
    fg, g2, fi, homa = ("fasting glucose (mg/dL)", "2-h glucose (mg/dL)",
                        "fasting insulin (pmol/L)", "HOMA-IR")  # fmt: skip
    akt, up = "peak active AKT (% of PKB)", "peak glucose uptake (a.u.)"
    arms = " / ".join(a.label for a in demo.ARMS[:3])
    n = _number
    lines = [
        "",
        f"What you see ({arms}; medians):",
        f"  the cell: insulin's signal fades down the chain; peak active AKT {n(h[akt])} / "
        f"{n(r[akt])} / {n(d[akt])} % of PKB, peak glucose uptake {n(h[up])} / {n(r[up])} / "
        f"{n(d[up])} a.u.",
        f"  the body: the beta cells compensate with more insulin (fasting {n(h[fi])} / "
        f"{n(r[fi])} / {n(d[fi])} pmol/L, HOMA-IR {n(h[homa])} / {n(r[homa])} / "
        f"{n(d[homa])}), yet glucose rises: fasting {n(h[fg])} / {n(r[fg])} / {n(d[fg])}, "
        f"2 h after the load {n(h[g2])} / {n(r[g2])} / {n(d[g2])} mg/dL",
        f"  the therapy: the same T2D patients on {demo.ARMS[-1].therapies[0][0]} (dose "
        f"{demo.ARMS[-1].therapies[0][1]:g} x EC50): 2-h glucose {n(d[g2])} -> {n(tx[g2])} "
        f"mg/dL, HOMA-IR {n(d[homa])} -> {n(tx[homa])}",
        "",
        f"Files in {res.out_dir}/:",
        f"  {res.figure.name}  the figure: the cell (top) and the body (bottom) through the "
        "OGTT, each arm's median and 25-75 % band",
        f"  {res.table_file.name}  the table above, one row per arm",
        f"  {', '.join(p.name for p in res.data_files.values())}  every patient's "
        "trajectories, parameters and summaries (open with pathjax.io.open_result)",
    ]
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
