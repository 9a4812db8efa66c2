"""The demo: what pathjax is for, in about a minute.

Three virtual cohorts of the composite model ``insulin_resistance`` (healthy, insulin
resistant, type 2 diabetes) undergo a 75 g oral glucose tolerance test (OGTT) from each
patient's own fasting steady state, and the T2D patients do it once more on an insulin
sensitiser (a thiazolidinedione, which raises GLUT4 expression). The four arms are
followed from the adipocyte (IRS1 tyrosine phosphorylation, active AKT, surface GLUT4,
glucose uptake) to the body (plasma glucose and insulin), and summarised as clinical
markers.

`run_demo` writes into one folder: a NetCDF per arm (every patient's trajectories,
parameters and summaries; open with `pathjax.io.open_result`), a figure (PNG) and the
marker table (CSV). It reuses the population machinery (`pathjax.population.run`:
sampling, plausibility, chunked solves) with one chunk size for every arm, so every arm
runs the same compiled programs; the cohort solve is compiled in a background thread
while the first cohort's sampling compiles the plausibility solves.

Examples:
    >>> from pathjax.demo import ARMS
    >>> [a.name for a in ARMS]
    ['healthy', 'insulin_resistant', 't2d', 't2d_insulin_sensitizer']
"""

import dataclasses
import math
import threading
import time as _time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import InputError

__all__ = ["ARMS", "MARKERS", "MODEL", "Arm", "DemoResult", "run_demo"]

MODEL = "insulin_resistance"
"""The bundled model the demo simulates."""

TIMES = np.linspace(0.0, 240.0, 25)
"""Output times of the OGTT, min (every 10 min; 0 is fasting, 120 the 2-h value)."""

SENSITIZER_DOSE = 1.0
"""Dose of the insulin sensitiser, in multiples of its EC50: half its maximal effect,
GLUT4 expression 1.5-fold (HOMA-IR of the T2D cohort about 30 % lower, as with a
thiazolidinedione in the clinic)."""

MAX_CHUNK = 256
"""Patients per compiled solve: solves of a few hundred patients cost hardly more than
one of a few, so a default-size arm is one chunk."""


@dataclasses.dataclass(frozen=True)
class Arm:
    """One arm of the demo: a cohort, optionally on a therapy.

    Attributes:
        name: file-name stem (``<name>.nc``).
        label: for people (figure, table).
        short: the label for a narrow column (table, box plot).
        cohort: a cohort of the model (`pathjax.population.cohorts`).
        seed_offset: the arm's seed is ``3 * seed + seed_offset``; the treated arm shares
            the untreated T2D arm's, so it holds the same patients.
        therapies: anything `pathjax.therapy.regimen` reads.
        color: matplotlib colour.
    """

    name: str
    label: str
    short: str
    cohort: str
    seed_offset: int
    therapies: tuple = ()
    color: str = "C0"


ARMS: tuple[Arm, ...] = (
    Arm("healthy", "healthy", "healthy", "healthy", 0, color="tab:green"),
    Arm(
        "insulin_resistant",
        "insulin resistant",
        "insulin resistant",
        "insulin_resistant",
        1,
        color="tab:orange",
    ),  # fmt: skip
    Arm("t2d", "T2D", "T2D", "t2d", 2, color="tab:red"),
    Arm(
        "t2d_insulin_sensitizer",
        "T2D + insulin sensitiser",
        "T2D + sensitiser",
        "t2d",
        2,
        therapies=(("insulin_sensitizer", SENSITIZER_DOSE),),
        color="tab:blue",
    ),
)
"""The arms, in the order they are run, plotted and tabled."""

MARKERS: dict[str, str] = {
    "fasting glucose (mg/dL)": "median plasma glucose at t = 0 (fasting steady state)",
    "2-h glucose (mg/dL)": "median plasma glucose 120 min after the 75 g load",
    "fasting insulin (pmol/L)": "median plasma insulin at t = 0",
    "HOMA-IR": "median HOMA-IR of the fasting state",
    "peak glucose uptake (a.u.)": "median of each patient's highest adipocyte glucose uptake",
    "peak active AKT (% of PKB)": "median of each patient's highest active AKT",
    "diabetic by glucose (%)": "share of patients with fasting glucose >= 126 mg/dL or 2-h "
    "glucose >= 200 mg/dL (American Diabetes Association criteria)",
}
"""The table's marker columns and what each one is."""

# (output, title) of the fan charts: the cell, then the body
_CELL = [
    ("IRS1_pY", "IRS1 tyrosine-phosphorylated"),
    ("AKT_active", "active AKT"),
    ("GLUT4_surface", "GLUT4 at the cell surface"),
    ("glucose_uptake", "adipocyte glucose uptake"),
]
_BODY = [("plasma_glucose", "plasma glucose"), ("plasma_insulin", "plasma insulin")]
_SUMMARIES = ["glucose_uptake", "AKT_active", "plasma_glucose", "plasma_insulin"]


@dataclasses.dataclass
class DemoResult:
    """What `run_demo` made.

    Attributes:
        out_dir: the output folder.
        datasets: arm name -> the arm's result (`pathjax.population.run`).
        table: `pandas.DataFrame`, one row per arm (index ``arm``: `Arm.name`), the
            `MARKERS` columns plus ``label``, ``cohort``, ``therapy`` and ``patients``
            (those whose solve succeeded).
        data_files: arm name -> its NetCDF file.
        figure: the PNG.
        table_file: the CSV.
        seconds: arm name -> wall time of its run (the first includes compiling).
        total_seconds: wall time of `run_demo`.
    """

    out_dir: Path
    datasets: dict[str, Any]
    table: Any
    data_files: dict[str, Path]
    figure: Path
    table_file: Path
    seconds: dict[str, float]
    total_seconds: float


def _check_patients(patients: Any) -> int:
    if isinstance(patients, bool) or not isinstance(patients, (int, np.integer)) or patients < 1:
        raise InputError(f"patients must be a positive integer, got {patients!r}")
    return int(patients)


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _warm_up(model, protocol, chunk: int) -> threading.Thread:
    """Compile the cohort solve (`chunk` patients, `TIMES`) in a background thread.

    The first cohort's sampling meanwhile compiles the plausibility solves; XLA compiles
    one program on one core, so on two cores the two compilations overlap. The warm-up
    solves the default patient without pre-equilibration: the same program as the
    cohort solve (the same shapes), for a fraction of its time. Should it ever not be
    the same program, the demo is only slower, not different.
    """
    from . import therapy

    params = {k: np.full(chunk, v) for k, v in model.default_params().items()}
    proto = dataclasses.replace(protocol, preequilibrate=None)

    def work():
        try:
            therapy.simulate(model, TIMES, params, proto, (), chunk_size=chunk, rtol=1e-6,
                             atol=1e-9, solver="rodas5p")  # fmt: skip
        except Exception:  # noqa: BLE001 - a failed warm-up only costs time
            pass

    thread = threading.Thread(target=work, name="pathjax-demo-warm-up", daemon=True)
    thread.start()
    return thread


def _legend(arm: Arm) -> str:
    doses = ", ".join(f"dose {dose:g} × EC50" for _, dose in arm.therapies)
    return f"{arm.label} ({doses})" if doses else arm.label


def _markers(ds) -> dict[str, float]:
    ok = ds["status"].values == 0
    glucose = ds["plasma_glucose"].sel(time=[0.0, 120.0]).values[ok]
    fpg, g2h = glucose[:, 0], glucose[:, 1]
    peak = ds["peak"]

    def med(x):
        x = np.asarray(x, np.float64)
        x = x[np.isfinite(x)]
        return float(np.median(x)) if x.size else math.nan

    diabetic = (fpg >= 126.0) | (g2h >= 200.0)
    return {
        "fasting glucose (mg/dL)": med(fpg),
        "2-h glucose (mg/dL)": med(g2h),
        "fasting insulin (pmol/L)": med(ds["plasma_insulin"].sel(time=0.0).values[ok]),
        "HOMA-IR": med(ds["HOMA_IR"].sel(time=0.0).values[ok]),
        "peak glucose uptake (a.u.)": med(peak.sel(output="glucose_uptake").values[ok]),
        "peak active AKT (% of PKB)": med(peak.sel(output="AKT_active").values[ok]),
        "diabetic by glucose (%)": 100.0 * float(diabetic.mean()) if ok.any() else math.nan,
    }


def _table(datasets: dict[str, Any]):
    import pandas as pd

    rows = []
    for arm in ARMS:
        ds = datasets[arm.name]
        therapy = ", ".join(f"{name} (dose {dose:g} x EC50)" for name, dose in arm.therapies)
        row = {"label": arm.label, "cohort": arm.cohort, "therapy": therapy or "none",
               "patients": int((ds["status"].values == 0).sum())}  # fmt: skip
        row.update(_markers(ds))
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index([a.name for a in ARMS], name="arm"))


def _figure(datasets: dict[str, Any], path: Path, patients: int) -> None:
    # pyplot-free (no backend switch, nothing left open), as `pathjax.plot.save_fan_charts`
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .plot import fan_chart

    fig = Figure(figsize=(17, 8.6))
    axes = fig.subplots(2, 4)
    for ax, (var, title) in zip(list(axes[0]) + list(axes[1][:2]), _CELL + _BODY):
        for arm in ARMS:
            fan_chart(datasets[arm.name], var, ax=ax, quantiles=(0.25, 0.5, 0.75),
                      color=arm.color, label=arm.label, inputs=False, legend=False)  # fmt: skip
        unit = datasets[ARMS[0].name][var].attrs.get("units", "")
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
        ax.set_xlabel("time after the glucose load (min)")
        ax.set_xlim(TIMES[0], TIMES[-1])
        ax.grid(alpha=0.3)
    ax_g = axes[1][0]
    for level, text in ((140.0, "IGT"), (200.0, "diabetes")):
        ax_g.axhline(level, color="0.4", ls="--", lw=0.8)
        ax_g.text(TIMES[-1], level, f"{text} (2-h) ", ha="right", va="bottom", fontsize=8,
                  color="0.3")  # fmt: skip

    # clinical markers per arm: box plots over patients
    for ax, (var, at, title, unit) in zip(
        axes[1][2:],
        [("plasma_glucose", 120.0, "2-h OGTT glucose", "mg/dL"),
         ("HOMA_IR", 0.0, "HOMA-IR (fasting)", "no unit")],
    ):  # fmt: skip
        data = []
        for arm in ARMS:
            ds = datasets[arm.name]
            x = ds[var].sel(time=at).values[ds["status"].values == 0]
            data.append(x[np.isfinite(x)])
        box = ax.boxplot(data, widths=0.6, whis=(5, 95), patch_artist=True, showfliers=False)
        for patch, arm in zip(box["boxes"], ARMS):
            patch.set(facecolor=arm.color, alpha=0.35, edgecolor=arm.color)
        for med, arm in zip(box["medians"], ARMS):
            med.set(color=arm.color, lw=2)
        ax.set_xticks(
            range(1, len(ARMS) + 1), [a.short.replace(" + ", "\n+ ") for a in ARMS], fontsize=9
        )
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3, axis="y")
    for level, text in ((140.0, "IGT"), (200.0, "diabetes")):
        axes[1][2].axhline(level, color="0.4", ls="--", lw=0.8)
        axes[1][2].text(len(ARMS) + 0.45, level, f"{text} ", ha="right", va="bottom",
                        fontsize=8, color="0.3")  # fmt: skip

    fig.text(0.005, 0.74, "the cell (adipocyte)", rotation=90, va="center", fontsize=12,
             fontweight="bold")  # fmt: skip
    fig.text(0.005, 0.28, "the body", rotation=90, va="center", fontsize=12, fontweight="bold")
    handles = [Patch(facecolor=a.color, alpha=0.35, edgecolor=a.color, label=_legend(a))
               for a in ARMS]  # fmt: skip
    handles += [
        Line2D([], [], color="0.2", lw=1.8, label="line: median of the patients"),
        Patch(facecolor="0.2", alpha=0.15, label="band, box: 25–75 % of the patients"),
        Line2D([], [], color="0.2", lw=1, marker="_", ms=8, label="whiskers: 5–95 %"),
    ]
    fig.legend(handles=handles, loc="upper center", ncol=7, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.955))  # fmt: skip
    fig.suptitle(
        f"{patients} virtual patients per cohort (model {MODEL}), 75 g oral glucose "
        "tolerance test from each patient's fasting steady state",
        fontsize=13,
    )
    fig.tight_layout(rect=(0.015, 0, 1, 0.93))
    fig.savefig(path, dpi=100)


def run_demo(
    out_dir: str | Path = "pathjax_demo",
    patients: int = 200,
    seed: int = 0,
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> DemoResult:
    """Run the demo into `out_dir`: the `ARMS` through a 75 g OGTT, figure and table.

    Args:
        out_dir: output folder (created; files of an earlier demo are replaced).
        patients: virtual patients per arm.
        seed: the arms' seeds derive from it (`Arm.seed_offset`).
        progress: optional ``f(done, total, note)``: called with ``(0, total,
            "compiling")`` before the first chunk and ``(done, total, arm label)`` after
            each chunk (``total`` counts the patients of every arm).

    Returns:
        `DemoResult`: the datasets, the marker table and the paths written
        (``<arm>.nc``, ``ogtt_cohorts.png``, ``markers.csv``).

    Raises:
        InputError: bad input or an unusable output folder, before anything is compiled.
    """
    from . import io as _io
    from . import models as _models
    from . import population as pop
    from .protocol import as_protocol

    start = _time.perf_counter()
    out = _io.check_out_dir(out_dir)
    n = _check_patients(patients)
    seed = _check_seed(seed)
    model = _models.load(MODEL)
    chunk = min(n, MAX_CHUNK)
    total = n * len(ARMS)
    if progress is not None:
        progress(0, total, "compiling")
    out.mkdir(parents=True, exist_ok=True)
    warm = _warm_up(model, pop.cohort(model, "healthy").with_preequilibration(
        as_protocol(model, None)), chunk)  # fmt: skip

    datasets: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for i, arm in enumerate(ARMS):
        offset = i * n

        def report(done, _total, offset=offset, label=arm.label):
            if progress is not None:
                progress(offset + done, total, label)

        t0 = _time.perf_counter()
        datasets[arm.name] = pop.run(
            model, arm.cohort, n, seed=3 * seed + arm.seed_offset, t=TIMES,
            therapies=arm.therapies, chunk_size=chunk, outputs=list(model.observable_names),
            summaries=_SUMMARIES, progress=report,
        )  # fmt: skip
        seconds[arm.name] = _time.perf_counter() - t0
    warm.join()

    data_files = {}
    for arm in ARMS:
        ds = datasets[arm.name]
        ds.attrs.update({"demo_arm": arm.label, "therapy": str(list(arm.therapies))})
        data_files[arm.name] = _io.write(ds, out / f"{arm.name}.nc")
    table = _table(datasets)
    table_file = out / "markers.csv"
    table.to_csv(table_file, float_format="%.4g")
    figure = out / "ogtt_cohorts.png"
    _figure(datasets, figure, n)
    return DemoResult(out, datasets, table, data_files, figure, table_file, seconds,
                      _time.perf_counter() - start)  # fmt: skip
