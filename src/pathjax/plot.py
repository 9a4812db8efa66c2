"""Figures for results: fan charts over time, distributions."""

import math
import re
from collections.abc import Sequence

import numpy as np
import xarray as xr

__all__ = ["fan_chart", "fan_chart_figure", "input_marks", "save_fan_charts"]

_SEGMENT = re.compile(r"(\w+)=(<\d+ values>|\S+) on \[([^,\]]+), ([^)\]]+)\)")
_DOSE = re.compile(r"\+(<\d+ values>|\S+) (\w+) at ([-+\w.]+)")


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def input_marks(ds: xr.Dataset) -> list[dict]:
    """The input steps and doses of the protocol a result was simulated with.

    Read from the result's ``protocol`` attribute (as written by `pathjax.simulate`):
    one ``{"kind": "input", "name", "level", "start", "stop"}`` per input segment with
    a non-zero level, one ``{"kind": "dose", "name", "amount", "time"}`` per dose. A
    result without that attribute falls back to its input variables (``kind: input``
    in their attributes): the spans where the median over patients is non-zero.

    Examples:
        >>> import xarray as xr
        >>> ds = xr.Dataset(coords={"time": [0.0, 30.0]},
        ...                 attrs={"protocol": "insulin=100.0 on [0.0, 15.0)"})
        >>> input_marks(ds)[0]["stop"]
        15.0
    """
    text = ds.attrs.get("protocol")
    marks: list[dict] = []
    if isinstance(text, str):
        for name, level, start, stop in _SEGMENT.findall(text):
            if _number(level) == 0.0:
                continue
            level = level if math.isnan(_number(level)) else f"{_number(level):g}"
            marks.append({"kind": "input", "name": name, "level": level,
                          "start": _number(start), "stop": _number(stop)})  # fmt: skip
        for amount, name, time in _DOSE.findall(text):
            marks.append({"kind": "dose", "name": name, "amount": amount, "time": _number(time)})
        return marks
    t = np.asarray(ds["time"].values, dtype=float)
    for name, var in ds.data_vars.items():
        if var.attrs.get("kind") != "input" or "time" not in var.dims:
            continue
        other = [d for d in var.dims if d != "time"]
        on = np.asarray(var.median(other).values if other else var.values) != 0
        edges = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
        for a, b in zip(edges[::2], edges[1::2]):
            level = float(np.asarray(var.median(other).values if other else var.values)[a])
            stop = t[b] if b < t.size else math.inf
            marks.append({"kind": "input", "name": str(name), "level": f"{level:g}",
                          "start": float(t[a]), "stop": float(stop)})  # fmt: skip
    return marks


def _mark_inputs(ax, ds: xr.Dataset, t0: float, t1: float) -> None:
    """Shade where an input is on and draw a dashed line at each dose, labelled for the
    legend; an input on over the whole time axis gets a legend entry only. Marks that an
    earlier call drew on `ax` are not drawn again."""
    seen = set(ax.get_legend_handles_labels()[1])  # (drawn by an earlier call)
    for k, mark in enumerate(input_marks(ds)):
        unit = ds[mark["name"]].attrs.get("units", "") if mark["name"] in ds else ""
        if mark["kind"] == "dose":
            label = f"dose of {mark['name']} ({mark['amount']} {unit}".strip() + ")"
            if t0 <= mark["time"] <= t1 and label not in seen:
                seen.add(label)
                ax.axvline(mark["time"], color="0.35", ls="--", lw=0.9, label=label)
            continue
        start, stop = max(mark["start"], t0), min(mark["stop"], t1)
        what = f"{mark['name']} {mark['level']} {unit}".strip()
        whole = start <= t0 and stop >= t1
        label = f"{what} throughout" if whole else f"{what} on"
        if not start < stop or label in seen:
            continue
        seen.add(label)
        if whole:  # on all the time: an empty span, only for its legend entry
            ax.axvspan(t0, t0, facecolor="none", edgecolor="none", label=label)
        else:
            ax.axvspan(start, stop, color=f"C{(k + 3) % 10}", alpha=0.12, lw=0, label=label)


def fan_chart(
    ds: xr.Dataset,
    var: str,
    ax=None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    color: str = "C0",
    label: str | None = None,
    inputs: bool = True,
    legend: bool = True,
):
    """Median and quantile bands of `var` over patients, against time.

    Failed patients (non-zero ``status``) are left out. The legend names each band
    (e.g. "5-95 % of patients") and, with `inputs`, the input steps of the result's
    protocol: shaded where an input is on, a dashed line at each dose (`input_marks`).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.2))
    da = ds[var]
    if "status" in ds:
        da = da.where(ds["status"] == 0, drop=True)
    t = ds["time"].values
    q = np.nanquantile(da.values, quantiles, axis=0)
    k = len(quantiles)
    for i in range(k // 2):
        alpha = 0.15 + 0.2 * i
        band = f"{100 * quantiles[i]:g}–{100 * quantiles[k - 1 - i]:g} % of patients"
        ax.fill_between(t, q[i], q[k - 1 - i], color=color, alpha=alpha, lw=0, label=band)
    ax.plot(t, q[k // 2], color=color, lw=1.8, label=label or "median")
    if inputs and t.size:
        _mark_inputs(ax, ds, float(t[0]), float(t[-1]))
    unit = da.attrs.get("units", "")
    ax.set_xlabel(f"time ({ds['time'].attrs.get('units', '')})")
    ax.set_ylabel(f"{var} ({unit})" if unit else var)
    ax.set_title(var, fontsize=10)
    if legend:  # one entry per label, also over several calls on one axes
        handles: dict = {}
        for h, text in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(text, h)
        ax.legend(list(handles.values()), list(handles), fontsize=7, loc="best")
    return ax


def save_fan_charts(ds: xr.Dataset, variables: Sequence[str], path, title: str = "") -> None:
    """A grid of fan charts for `variables`, written to `path` (PNG, PDF or SVG)."""
    fig = fan_chart_figure(ds, variables, title)
    fig.savefig(path, dpi=110)


def fan_chart_figure(ds: xr.Dataset, variables: Sequence[str], title: str = ""):
    """The grid of fan charts of `save_fan_charts`, as a `matplotlib.figure.Figure`."""
    # A pyplot-free figure: no backend switch (notebooks keep theirs), nothing left open.
    from matplotlib.figure import Figure

    from ._errors import InputError

    n = len(variables)
    if n == 0:
        raise InputError("fan charts need at least one variable, got none")
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(4.6 * cols, 3.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, var in zip(axes.flat, variables):
        fan_chart(ds, var, ax=ax)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
