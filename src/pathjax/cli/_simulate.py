"""``pathjax simulate``."""

from pathlib import Path

import numpy as np
import typer

from .. import io as _io
from .. import models as _models
from .._errors import InputError, unknown_name
from .._sampling import lognormal_spread
from ..simulate import check_memory, simulate
from . import app, check_number, guarded, interactive, out, split_names


def _load(model: str | None, sbml: Path | None, time_unit: str | None):
    if (model is None) == (sbml is None):
        raise InputError("give exactly one of --model NAME or --sbml FILE")
    if sbml is not None:
        from .. import sbml as _sbml

        if not sbml.exists():
            raise InputError(f"SBML file {str(sbml)!r} does not exist")
        return _sbml.load(sbml, time_unit=time_unit)
    return _models.load(model)


def run_population(
    model, patients, seed, cv, t, rtol, atol, solver, chunk_size, protocol, progress
):
    params = lognormal_spread(model, patients, cv, seed)
    return simulate(
        model, t, params, protocol, rtol=rtol, atol=atol, solver=solver,
        chunk_size=chunk_size, progress=progress,
    )  # fmt: skip


def _summary_vars(model) -> list[str]:
    preferred = ["GLUT4_surface", "glucose_uptake", "AKT_active", "IRS1_pY", "plasma_glucose",
                 "plasma_insulin", "ERK_active"]  # fmt: skip
    names = set(model.state_names + model.observable_names)
    chosen = [v for v in preferred if v in names]
    if not chosen:
        chosen = list((model.state_names + model.observable_names)[:3])
    return chosen[:6]


def _plot_vars(model, names: list[str] | None) -> list[str]:
    """The variables of the fan charts: `names` (checked) or `_summary_vars`."""
    if names is None:
        return _summary_vars(model)
    valid = model.state_names + model.observable_names + model.input_names
    for name in names:
        if name not in valid:
            raise unknown_name("output", name, valid)
    return names


@app.command("simulate")
@guarded
def simulate_command(
    out_file: Path = typer.Option(..., "--out", help="result file, .nc (NetCDF) or .zarr"),
    model: str = typer.Option(None, "--model", help="bundled model name (see `pathjax models`)"),
    sbml: Path = typer.Option(None, "--sbml", help="an SBML file to import instead"),
    time_unit: str = typer.Option(None, "--time-unit", help="time unit of an SBML model"),
    patients: int = typer.Option(1, "--patients", help="number of virtual patients"),
    seed: int = typer.Option(0, "--seed", help="random seed of the parameter spread"),
    cv: float = typer.Option(0.2, "--cv", help="coefficient of variation of kinetic parameters"),
    t_end: float = typer.Option(None, "--t-end", help="end time (model time unit)"),
    points: int = typer.Option(200, "--points", help="number of output times"),
    protocol: str = typer.Option(None, "--protocol", help="a named protocol of the model"),
    rtol: float = typer.Option(1e-6, "--rtol"),
    atol: float = typer.Option(1e-9, "--atol"),
    solver: str = typer.Option("rodas5p", "--solver"),
    chunk_size: int = typer.Option(None, "--chunk-size", help="patients per compiled batch"),
    plot: Path = typer.Option(
        None, "--plot", help="also write fan charts here (.png, .pdf or .svg)"
    ),
    outputs: str = typer.Option(
        None, "--outputs", help="comma-separated states/observables to plot (default: a few)"
    ),
) -> None:
    """Simulate a population: kinetic parameters spread log-normally (--cv), seeded."""
    _io.check_out_path(out_file, "--out")
    if plot is not None:
        _io.check_plot_path(plot)
    check_number(t_end, "--t-end", positive=True)
    check_number(cv, "--cv", minimum=0.0)
    check_number(rtol, "--rtol", positive=True)
    check_number(atol, "--atol", positive=True)
    if points < 1:
        raise InputError(f"--points must be at least 1, got {points}")
    if patients < 1:
        raise InputError(f"--patients must be at least 1, got {patients}")
    m = _load(model, sbml, time_unit)
    shown = _plot_vars(m, split_names(outputs, "--outputs"))
    t_end = m.t_end if t_end is None else t_end
    if not t_end > 0:
        raise InputError(f"--t-end must be positive, got {t_end}")
    t = np.linspace(0.0, t_end, points)
    check_memory(m, patients, t.size)
    ds = run_population(
        m, patients, seed, cv, t, rtol, atol, solver, chunk_size, protocol, interactive()
    )
    ds.attrs.update({"seed": seed, "cv": cv})
    _io.write(ds, out_file)
    failed = int((ds["status"] != 0).sum())
    flagged = ""
    if "plausible" in ds:
        outside = int(((ds["plausible"] == 0) & (ds["status"] == 0)).sum())
        flagged = f", {outside} outside the model's physiological bounds"
    out.print(f"wrote {out_file} ({patients} patients, {points} times, {failed} failed{flagged})")
    if plot is not None:
        from ..plot import save_fan_charts

        save_fan_charts(ds, shown, plot, title=f"{m.name}: {patients} patients")
        out.print(f"wrote {plot}")
