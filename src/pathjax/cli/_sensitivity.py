"""``pathjax sensitivity``: local, Sobol, Morris or DGSM sensitivities to NetCDF + PNG."""

import math
from pathlib import Path

import numpy as np
import typer

from .. import io as _io
from .._errors import InputError
from .._sampling import lognormal_spread
from . import app, check_number, guarded, interactive, out, split_names
from ._simulate import _load, _summary_vars

METHODS = ("local", "sobol", "morris", "dgsm")


def _parse_bounds(items: list[str] | None) -> dict[str, tuple[float, float]]:
    parsed: dict[str, tuple[float, float]] = {}
    for item in items or []:
        name, sep, rng = item.partition("=")
        lo, sep2, hi = rng.partition(":")
        try:
            if not (sep and sep2 and name.strip()):
                raise ValueError
            low, high = float(lo), float(hi)
            if not (math.isfinite(low) and math.isfinite(high)):
                raise ValueError
            parsed[name.strip()] = (low, high)
        except ValueError:
            raise InputError(f"--bounds must look like NAME=LOW:HIGH, got {item!r}") from None
    return parsed


def _global_bounds(model, names: list[str], spread: float, explicit: dict) -> dict:
    """[default / spread, default * spread] (clipped to the admissible range) for every
    name without explicit bounds."""
    if not (math.isfinite(spread) and spread > 1.0):
        raise InputError(f"--spread must be a number > 1, got {spread}")
    bounds = {}
    for name in names:
        if name in explicit:
            bounds[name] = explicit[name]
            continue
        spec = model.param_spec(name)
        if spec.default <= 0:
            raise InputError(
                f"parameter {name!r} has default {spec.default}; give its range with "
                f"--bounds {name}=LOW:HIGH"
            )
        lo = max(spec.default / spread, spec.lower)
        hi = min(spec.default * spread, spec.upper)
        bounds[name] = (lo, hi)
    for name in explicit:
        if name not in bounds:
            bounds[name] = explicit[name]
    return bounds


def figure(method: str, result, time: float | None, title: str):
    """The figure of `pathjax sensitivity --plot`: for local, a tornado chart and a
    heatmap per output (one row each); otherwise the index bars."""
    # A pyplot-free figure: no backend switch, nothing left open.
    from matplotlib.figure import Figure

    from .. import sensitivity as sa

    if method == "local":
        n_par = result.sizes["parameter"]
        names = [str(o) for o in result["output"].values]
        height = 0.3 * min(n_par, 20) + 2.0
        fig = Figure(figsize=(12, height * len(names)))
        axes = fig.subplots(len(names), 2, squeeze=False)
        for row, name in zip(axes, names):  # one row per output
            sa.tornado(result, output=name, time=time, ax=row[0])
            sa.heatmap(result, output=name, ax=row[1])
    else:
        fig = Figure(figsize=(max(4.5, 0.45 * min(result.sizes["parameter"], 15) + 1.5), 4.0))
        ax = fig.subplots()
        draw = {"sobol": sa.sobol_bars, "morris": sa.morris_bars, "dgsm": sa.dgsm_bars}[method]
        draw(result, time=time, ax=ax)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _save_plot(method: str, result, path: Path, time: float | None, title: str) -> None:
    figure(method, result, time, title).savefig(path, dpi=110)


@app.command("sensitivity")
@guarded
def sensitivity_command(
    out_file: Path = typer.Option(..., "--out", help="result file, .nc (NetCDF) or .zarr"),
    model: str = typer.Option(None, "--model", help="bundled model name (see `pathjax models`)"),
    sbml: Path = typer.Option(None, "--sbml", help="an SBML file to import instead"),
    time_unit: str = typer.Option(None, "--time-unit", help="time unit of an SBML model"),
    method: str = typer.Option("local", "--method", help="local, sobol, morris or dgsm"),
    params: str = typer.Option(
        None, "--params", help="comma-separated parameters (default: every kinetic parameter)"
    ),
    outputs: str = typer.Option(
        None, "--outputs", help="comma-separated states/observables (global methods: one)"
    ),
    bounds: list[str] = typer.Option(
        None, "--bounds", help="global methods: NAME=LOW:HIGH, repeatable (overrides --spread)"
    ),
    spread: float = typer.Option(
        2.0, "--spread", help="global methods: each parameter from default/S to default*S"
    ),
    n: int = typer.Option(
        64, "--n", help="sobol: base sample (power of 2); morris: trajectories; dgsm: sample"
    ),
    seed: int = typer.Option(0, "--seed", help="random seed of the sample or population"),
    absolute: bool = typer.Option(
        False, "--absolute", help="local: d y / d p instead of d ln y / d ln p"
    ),
    mode: str = typer.Option("auto", "--mode", help="local/dgsm: auto, forward or reverse"),
    patients: int = typer.Option(1, "--patients", help="local: virtual patients"),
    cv: float = typer.Option(0.2, "--cv", help="local: coefficient of variation of kinetics"),
    t_end: float = typer.Option(None, "--t-end", help="end time (model time unit)"),
    points: int = typer.Option(61, "--points", help="number of output times"),
    protocol: str = typer.Option(None, "--protocol", help="a named protocol of the model"),
    rtol: float = typer.Option(None, "--rtol", help="default 1e-8 (local, dgsm), 1e-6"),
    atol: float = typer.Option(None, "--atol", help="default 1e-12 (local, dgsm), 1e-9"),
    time: float = typer.Option(None, "--time", help="time of the tornado/bar plot (last)"),
    plot: Path = typer.Option(None, "--plot", help="also write a PNG here"),
) -> None:
    """Sensitivity of model outputs to parameters: local (autodiff, normalised by
    default), Sobol, Morris or DGSM; writes the result and optionally a figure."""
    from .. import sensitivity as sa

    _io.check_out_path(out_file, "--out")
    if plot is not None:
        _io.check_plot_path(plot)
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    if absolute and method != "local":
        raise InputError(f"--absolute applies to --method local only, got --method {method}")
    check_number(t_end, "--t-end", positive=True)
    check_number(time, "--time", minimum=0.0)
    check_number(cv, "--cv", minimum=0.0)
    check_number(spread, "--spread")
    check_number(rtol, "--rtol", positive=True)
    check_number(atol, "--atol", positive=True)
    if points < 1:
        raise InputError(f"--points must be at least 1, got {points}")
    if patients < 1:
        raise InputError(f"--patients must be at least 1, got {patients}")
    m = _load(model, sbml, time_unit)
    t_end = m.t_end if t_end is None else t_end
    if not t_end > 0:
        raise InputError(f"--t-end must be positive, got {t_end}")
    if time is not None and time > t_end:
        raise InputError(f"--time {time:g} is after the end time {t_end:g} (--t-end)")
    t = np.linspace(0.0, t_end, points)
    names = split_names(params, "--params") or [
        p.name for p in m.param_specs if p.kind == "kinetic"
    ]
    outs = split_names(outputs, "--outputs") or _summary_vars(m)
    tight = method in ("local", "dgsm")
    rtol = rtol if rtol is not None else (1e-8 if tight else 1e-6)
    atol = atol if atol is not None else (1e-12 if tight else 1e-9)
    mode_arg = None if mode == "auto" else mode
    if method == "local":
        pop = lognormal_spread(m, patients, cv, seed) if patients > 1 else None
        result = sa.local(m, t, pop, wrt=names, outputs=outs, normalized=not absolute,
                          mode=mode_arg, protocol=protocol, rtol=rtol, atol=atol,
                          progress=interactive())  # fmt: skip
        attrs = dict(result.attrs)
        result = result.to_dataset()
        result.attrs.update(attrs)
        summary = f"{patients} patients x {len(names)} parameters x {len(outs)} outputs"
    else:
        if split_names(outputs, "--outputs") is not None and len(outs) != 1:
            raise InputError(f"--method {method} takes one output, got {len(outs)}")
        output = outs[0]
        box = _global_bounds(m, names, spread, _parse_bounds(bounds))
        if method == "sobol":
            result = sa.sobol(m, t, box, output, n, seed, protocol=protocol, rtol=rtol,
                              atol=atol, progress=interactive())  # fmt: skip
        elif method == "morris":
            result = sa.morris(m, t, box, output, n, seed, protocol=protocol, rtol=rtol,
                               atol=atol, progress=interactive())  # fmt: skip
        else:
            result = sa.dgsm(m, t, box, output, n, seed, protocol=protocol, mode=mode_arg,
                             rtol=rtol, atol=atol)  # fmt: skip
        summary = f"{result.attrs['n_evaluations']} evaluations, {len(box)} parameters"
    result.attrs["command_method"] = method
    if "time" in result.coords:
        result["time"].attrs["units"] = m.time_unit
    _io.write(result, out_file)
    out.print(f"wrote {out_file} ({method}: {summary})")
    if plot is not None:
        source = result["sensitivity"] if method == "local" else result
        _save_plot(method, source, plot, time, f"{m.name}: {method} sensitivity")
        out.print(f"wrote {plot}")
