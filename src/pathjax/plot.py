"""Figures for results: fan charts over time, distributions."""

from collections.abc import Sequence

import numpy as np
import xarray as xr

__all__ = ["fan_chart", "save_fan_charts"]


def fan_chart(
    ds: xr.Dataset,
    var: str,
    ax=None,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    color: str = "C0",
    label: str | None = None,
):
    """Median and quantile bands of `var` over patients, against time.

    Failed patients (non-zero ``status``) are left out.
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
        ax.fill_between(t, q[i], q[k - 1 - i], color=color, alpha=alpha, lw=0)
    ax.plot(t, q[k // 2], color=color, lw=1.8, label=label or "median")
    unit = da.attrs.get("units", "")
    ax.set_xlabel(f"time ({ds['time'].attrs.get('units', '')})")
    ax.set_ylabel(f"{var} ({unit})" if unit else var)
    ax.set_title(var, fontsize=10)
    return ax


def save_fan_charts(ds: xr.Dataset, variables: Sequence[str], path, title: str = "") -> None:
    """A grid of fan charts for `variables`, written to `path` (PNG)."""
    # A pyplot-free figure: no backend switch (notebooks keep theirs), nothing left open.
    from matplotlib.figure import Figure

    n = len(variables)
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
    fig.savefig(path, dpi=110)
