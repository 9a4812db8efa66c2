"""Figures for sensitivity results: tornado chart, heatmap over time, index bars.

Every function draws on `ax` (a new figure when None) and returns the axes; matplotlib
is imported on first use.
"""

from typing import Any

import numpy as np
import xarray as xr

from .._errors import InputError, unknown_name

__all__ = ["dgsm_bars", "heatmap", "morris_bars", "sobol_bars", "tornado"]


def _axes(ax, size=(5.5, 3.6)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def _select_output(sens: xr.DataArray, output: str | None) -> xr.DataArray:
    if not isinstance(sens, xr.DataArray) or "parameter" not in sens.dims:
        raise InputError("expected the DataArray returned by pathjax.sensitivity.local")
    outputs = [str(o) for o in sens["output"].values]
    if output is None:
        output = outputs[0]
    if output not in outputs:
        raise unknown_name("output", output, outputs)
    return sens.sel(output=output)


def _at_time(da: xr.DataArray, time: float | None) -> tuple[xr.DataArray, float | None]:
    if "time" not in da.dims:
        return da, None
    if time is None:
        time = float(da["time"].values[-1])
    picked = da.sel(time=time, method="nearest")
    return picked, float(picked["time"].values)


def _quiet(fn, *args, **kwargs):
    """A NaN-aware NumPy reduction without its RuntimeWarning where every patient is
    NaN (e.g. a normalised sensitivity where the output is 0): the result is NaN."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def _median(vals: np.ndarray) -> np.ndarray:
    """Median over patients (axis 0), NaN where every patient is NaN."""
    return _quiet(np.nanmedian, vals, axis=0)


def _ok(sens: xr.DataArray) -> xr.DataArray:
    if "status" in sens.coords:
        good = sens["status"].values == 0
        if not good.any():
            raise InputError("every patient failed; nothing to plot")
        return sens.isel(patient=np.flatnonzero(good))
    return sens


def tornado(
    sens: xr.DataArray,
    output: str | None = None,
    time: float | None = None,
    ax: Any = None,
    top: int = 15,
):
    """Tornado chart of (normalised) local sensitivities of one output at one time.

    Bars are the median over patients, sorted by magnitude (red: positive, blue:
    negative); with several patients, whiskers span their 5-95 % range. The legend says
    both.

    Args:
        sens: the result of `pathjax.sensitivity.local` (best with ``normalized=True``).
        output: output name (default: the first).
        time: time point (nearest output time; default: the last).
        ax: matplotlib axes to draw on.
        top: show the `top` largest parameters.

    Returns:
        The matplotlib axes.

    Examples:
        >>> import numpy as np, xarray as xr
        >>> s = xr.DataArray(np.ones((1, 1, 1, 2)), dims=("patient", "time", "output",
        ...     "parameter"), coords={"time": [0.0], "output": ["y"], "parameter": ["a", "b"]})
        >>> ax = tornado(s)
    """
    da, t_sel = _at_time(_ok(_select_output(sens, output)), time)
    vals = np.asarray(da.transpose("patient", "parameter").values, dtype=float)
    names = [str(p) for p in da["parameter"].values]
    med = _median(vals) if np.isfinite(vals).any() else np.zeros(len(names))
    order = np.argsort(-np.nan_to_num(np.abs(med)))[:top][::-1]
    ax = _axes(ax, (5.5, 0.3 * len(order) + 1.4))
    y = np.arange(len(order))
    colors = ["tab:blue" if v < 0 else "tab:red" for v in med[order]]
    n_pat = vals.shape[0]
    what = f"median of {n_pat} patients" if n_pat > 1 else "sensitivity"
    ax.barh(y, np.nan_to_num(med[order]), color=colors, label=what)
    if n_pat > 1:
        lo, hi = _quiet(np.nanquantile, vals[:, order], [0.05, 0.95], axis=0)
        ax.errorbar(med[order], y, xerr=[med[order] - lo, hi - med[order]], fmt="none",
                    ecolor="k", lw=0.8, capsize=2, label="5–95 % of patients")  # fmt: skip
    ax.set_yticks(y, [names[i] for i in order], fontsize=8)
    ax.axvline(0.0, color="k", lw=0.6)
    normalized = bool(sens.attrs.get("normalized", 0))
    ax.set_xlabel("d ln y / d ln p" if normalized else "d y / d p")
    unit = sens["time"].attrs.get("units", "") if "time" in sens.coords else ""
    where = f" at t = {t_sel:g} {unit}".rstrip() if t_sel is not None else ""
    ax.set_title(f"{da['output'].values}{where}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return ax


def heatmap(
    sens: xr.DataArray,
    output: str | None = None,
    ax: Any = None,
    top: int = 20,
):
    """Sensitivities of one output over time: parameters x time, median over patients,
    on a symmetric diverging colour scale.

    Args:
        sens: the result of `pathjax.sensitivity.local`.
        output: output name (default: the first).
        ax: matplotlib axes to draw on.
        top: show the `top` parameters with the largest peak magnitude.

    Returns:
        The matplotlib axes.

    Examples:
        >>> import numpy as np, xarray as xr
        >>> s = xr.DataArray(np.ones((1, 3, 1, 2)), dims=("patient", "time", "output",
        ...     "parameter"), coords={"time": [0.0, 1, 2], "output": ["y"], "parameter": ["a", "b"]})
        >>> ax = heatmap(s)
    """
    da = _ok(_select_output(sens, output))
    vals = np.asarray(da.transpose("patient", "parameter", "time").values, dtype=float)
    med = _median(vals) if np.isfinite(vals).any() else np.zeros(vals.shape[1:])
    names = [str(p) for p in da["parameter"].values]
    peak = np.nan_to_num(np.nanmax(np.abs(np.where(np.isfinite(med), med, 0.0)), axis=1))
    order = np.argsort(-peak)[:top]
    t = np.asarray(da["time"].values, dtype=float)
    ax = _axes(ax, (6.5, 0.28 * len(order) + 1.6))
    lim = float(np.nanmax(np.abs(med[order]))) if np.isfinite(med[order]).any() else 1.0
    lim = lim if lim > 0 else 1.0
    edges = _edges(t)
    mesh = ax.pcolormesh(edges, np.arange(len(order) + 1), np.ma.masked_invalid(med[order]),
                         cmap="RdBu_r", vmin=-lim, vmax=lim, shading="flat")  # fmt: skip
    ax.set_yticks(np.arange(len(order)) + 0.5, [names[i] for i in order], fontsize=8)
    ax.invert_yaxis()
    unit = sens["time"].attrs.get("units", "")
    ax.set_xlabel(f"time ({unit})" if unit else "time")
    normalized = bool(sens.attrs.get("normalized", 0))
    ax.figure.colorbar(mesh, ax=ax, label="d ln y / d ln p" if normalized else "d y / d p")
    ax.set_title(str(da["output"].values), fontsize=10)
    return ax


def _edges(t: np.ndarray) -> np.ndarray:
    if t.size == 1:
        return np.array([t[0] - 0.5, t[0] + 0.5])
    mid = 0.5 * (t[1:] + t[:-1])
    return np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])


def _bars(ds: xr.Dataset, pairs, time, ax, ylabel: str, title: str, sort_by: str,
          top: int = 15):  # fmt: skip
    """Grouped bars of `pairs` (variable, its confidence half-width or None) for the
    `top` parameters with the largest `sort_by`, largest first."""
    if not isinstance(ds, xr.Dataset):
        raise InputError("expected the Dataset returned by a pathjax.sensitivity analysis")
    for v, _ in pairs:
        if v not in ds:
            raise InputError(f"the Dataset has no {v!r}; was it made by the matching analysis?")
    extra = [d for d in ds[pairs[0][0]].dims if d != "parameter"]
    t_sel, unit = None, ""
    if extra:
        dim = extra[0]
        unit = ds[dim].attrs.get("units", "") or ds.attrs.get("time_unit", "")
        coord = ds[dim].values
        pick = coord[-1] if time is None else time
        ds = ds.sel({dim: pick}, method="nearest")
        t_sel = float(ds[dim].values)
    names = [str(p) for p in ds["parameter"].values]
    key = np.nan_to_num(np.asarray(ds[sort_by].values, dtype=float), nan=-np.inf)
    order = np.argsort(-key, kind="stable")[:top]
    hidden = len(names) - len(order)
    x = np.arange(len(order))
    width = 0.8 / len(pairs)
    ax = _axes(ax, (max(4.0, 0.45 * len(order) + 1.5), 3.4))
    conf = ds.attrs.get("conf_level")
    for i, (v, c) in enumerate(pairs):
        vals = np.asarray(ds[v].values, dtype=float)[order]
        err = np.asarray(ds[c].values, dtype=float)[order] if c else None
        label = v if err is None else f"{v} ± {f'{conf:.0%} ' if conf else ''}confidence"
        ax.bar(x + (i - (len(pairs) - 1) / 2) * width, np.nan_to_num(vals), width, yerr=err,
               capsize=2, label=label, color=f"C{i}")  # fmt: skip
    ax.set_xticks(x, [names[i] for i in order], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    where = f" at t = {t_sel:g} {unit}".rstrip() if t_sel is not None else ""
    head = f"{title}: {ds.attrs.get('output', '')}{where}"
    if hidden > 0:
        head += f"\ntop {len(order)} of {len(names)} parameters by {sort_by}; {hidden} not shown"
    ax.set_title(head, fontsize=10)
    ax.legend(fontsize=8)
    return ax


def sobol_bars(ds: xr.Dataset, time: float | None = None, ax: Any = None, top: int = 15):
    """First- and total-order Sobol indices per parameter with their confidence
    intervals (error bars: ``S1_conf``, ``ST_conf``), the `top` parameters by ``ST``,
    largest first (the title says how many are not shown).

    Args:
        ds: the result of `pathjax.sensitivity.sobol` or `sobol_function`.
        time: time point of a time-series output (nearest; default: the last).
        ax: matplotlib axes to draw on.
        top: how many parameters to show.

    Returns:
        The matplotlib axes.

    Examples:
        >>> from pathjax.sensitivity import sobol_function
        >>> r = sobol_function(lambda x: x["a"] + 0.5 * x["b"], {"a": (0, 1), "b": (0, 1)}, 64)
        >>> ax = sobol_bars(r)
    """
    return _bars(ds, [("S1", "S1_conf"), ("ST", "ST_conf")], time, ax, "Sobol index", "Sobol",
                 "ST", top)  # fmt: skip


def morris_bars(ds: xr.Dataset, time: float | None = None, ax: Any = None, top: int = 15):
    """Morris ``mu_star`` (with ``mu_star_conf``) and ``sigma`` per parameter, the `top`
    parameters by ``mu_star``, largest first.

    Args:
        ds: the result of `pathjax.sensitivity.morris` or `morris_function`.
        time: time point of a time-series output (nearest; default: the last).
        ax: matplotlib axes to draw on.
        top: how many parameters to show.

    Returns:
        The matplotlib axes.

    Examples:
        >>> from pathjax.sensitivity import morris_function
        >>> r = morris_function(lambda x: x["a"] + 0.5 * x["b"], {"a": (0, 1), "b": (0, 1)}, 4)
        >>> ax = morris_bars(r)
    """
    return _bars(ds, [("mu_star", "mu_star_conf"), ("sigma", None)], time, ax,
                 "elementary effect", "Morris", "mu_star", top)  # fmt: skip


def dgsm_bars(ds: xr.Dataset, time: float | None = None, ax: Any = None, top: int = 15):
    """DGSM upper bounds on the total Sobol indices (``dgsm`` with ``dgsm_conf``), the
    `top` parameters, largest first.

    Args:
        ds: the result of `pathjax.sensitivity.dgsm` or `dgsm_function`.
        time: time point of a time-series output (nearest; default: the last).
        ax: matplotlib axes to draw on.
        top: how many parameters to show.

    Returns:
        The matplotlib axes.

    Examples:
        >>> import jax.numpy as jnp
        >>> from pathjax.sensitivity import dgsm_function
        >>> r = dgsm_function(lambda x: x["a"] + jnp.sin(x["b"]), {"a": (0, 1), "b": (0, 1)}, 16)
        >>> ax = dgsm_bars(r)
    """
    return _bars(ds, [("dgsm", "dgsm_conf")], time, ax, "DGSM (>= total Sobol index)", "DGSM",
                 "dgsm", top)  # fmt: skip
