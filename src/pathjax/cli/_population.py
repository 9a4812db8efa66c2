"""``pathjax population``: a cohort of virtual patients, optionally treated, streamed."""

from pathlib import Path

import numpy as np
import typer

from .. import io as _io
from .._errors import InputError
from ..summaries import model_bounds
from . import app, check_number, guarded, interactive, out


def _paired(values: list[float] | None, n: int, what: str) -> list:
    if not values:
        return [None] * n
    if len(values) == 1:
        return list(values) * n
    if len(values) != n:
        raise InputError(f"give one {what} for all therapies or one per --therapy ({n})")
    return list(values)


@app.command("population")
@guarded
def population_command(
    out_file: Path = typer.Option(
        ..., "--out", help="result, .zarr (streamed) or .nc (small runs)"
    ),
    model: str = typer.Option(..., "--model", help="bundled model name (see `pathjax models`)"),
    cohort: str = typer.Option(..., "--cohort", help="cohort of the model, e.g. healthy, t2d"),
    patients: int = typer.Option(..., "--patients", help="number of virtual patients"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed: same patients)"),
    therapy: list[str] = typer.Option(None, "--therapy", help="therapy class (repeatable)"),
    dose: list[float] = typer.Option(None, "--dose", help="dose per --therapy (or one for all)"),
    start: list[float] = typer.Option(None, "--start", help="start time per --therapy"),
    chunk_size: int = typer.Option(None, "--chunk-size", help="patients per chunk"),
    resume: bool = typer.Option(False, "--resume", help="continue an interrupted run"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace an existing --out"),
    t_end: float = typer.Option(None, "--t-end", help="end time (model time unit)"),
    points: int = typer.Option(31, "--points", help="number of output times"),
    protocol: str = typer.Option(None, "--protocol", help="a named protocol of the model"),
    outputs: str = typer.Option(None, "--outputs", help="comma-separated outputs to keep"),
    no_filter: bool = typer.Option(False, "--no-filter", help="skip the plausibility filter"),
    rtol: float = typer.Option(1e-6, "--rtol"),
    atol: float = typer.Option(1e-9, "--atol"),
    solver: str = typer.Option("rodas5p", "--solver"),
) -> None:
    """Sample a cohort (seeded, plausibility-filtered), apply therapies, simulate in
    chunks and write them as they finish (--resume continues a killed run exactly)."""
    from .. import models as _models
    from .. import population as _population
    from .. import therapy as _therapy

    _io.check_out_path(out_file, "--out")
    if resume and overwrite:
        raise InputError("give --resume (continue the run) or --overwrite (start again), not both")
    check_number(t_end, "--t-end", positive=True)
    check_number(rtol, "--rtol", positive=True)
    check_number(atol, "--atol", positive=True)
    for d in dose or []:
        check_number(d, "--dose")  # (negative doses: the therapy says so)
    for s in start or []:
        check_number(s, "--start")
    if points < 1:
        raise InputError(f"--points must be at least 1, got {points}")
    if patients < 1:
        raise InputError(f"--patients must be at least 1, got {patients}")
    m = _models.load(model)
    names = list(therapy or [])
    if (dose or start) and not names:
        raise InputError("--dose and --start need a --therapy")
    doses = [1.0 if d is None else d for d in _paired(dose, len(names), "--dose")]
    starts = _paired(start, len(names), "--start")
    regimen = _therapy.regimen(m, [(k, d, s) for k, d, s in zip(names, doses, starts)])
    t_end = m.t_end if t_end is None else t_end
    if not (np.isfinite(t_end) and t_end > 0):
        raise InputError(f"--t-end must be positive, got {t_end}")
    keep = None if outputs is None else [o.strip() for o in outputs.split(",") if o.strip()]
    ds = _population.run(
        m,
        cohort,
        patients,
        seed,
        np.linspace(0.0, t_end, points),
        protocol=protocol,
        therapies=regimen,
        out=out_file,
        chunk_size=chunk_size,
        resume=resume,
        overwrite=overwrite,
        outputs=keep,
        filter=not no_filter,
        rtol=rtol,
        atol=atol,
        solver=solver,
        progress=interactive(),
    )
    a = ds.attrs
    out.print(
        f"wrote {out_file} ({patients} patients of {m.name}/{a['cohort']}, "
        f"acceptance {a['acceptance_rate']:.1%}, {a['n_failed']} failed"
        + (
            f", {a['n_outside_bounds']} outside the model's physiological bounds"
            if "n_outside_bounds" in a and model_bounds(m)
            else ""
        )
        + ")",
        soft_wrap=True,
    )
    if "final" in ds:
        from ..summaries import cohort_table

        summary = ds[["initial", "final", "peak"]].load()
        table = cohort_table(summary, quantiles=(0.05, 0.5, 0.95))
        out.print(
            table.to_string(float_format=lambda x: f"{x:.4g}"), highlight=False, soft_wrap=True
        )
