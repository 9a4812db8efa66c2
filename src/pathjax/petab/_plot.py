"""Figures of a PEtab fit: waterfall, simulations against data, profiles."""

import math
from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_waterfall(fit, path: Path) -> Path:
    """The starts' final objectives, sorted (a plateau at the left: converged starts)."""
    plt = _plt()
    f = fit.waterfall()
    finite = np.isfinite(f)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(1, f.size + 1)[finite], f[finite] - f[0] + 1, "o-", ms=4)
    ax.set_yscale("log")
    ax.set_xlabel("start (sorted)")
    ax.set_ylabel("objective - best + 1")
    ax.set_title(f"{fit.problem.name}: {fit.converged(0.1):.0%} of {f.size} starts within 0.1")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


_LEGEND_ROWS = 16
"""Experiments named in each panel's legend (the rest counted)."""


def plot_fits(problem, table, path: Path) -> Path:
    """Simulation (lines) against data (points), one panel per observable, one colour
    per experiment; steady-state points (t = inf) drawn at the right edge."""
    plt = _plt()
    data = problem.spec.measurement_df.reset_index(drop=True)
    obs_ids = list(dict.fromkeys(data["observableId"]))
    n = len(obs_ids)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.5 * cols, 3.8 * rows), squeeze=False)
    exp_of = np.empty(len(data), dtype=np.int64)
    for g in problem.layout.groups:
        exp_of[g.rows] = g.exp
    names = [e.id for e in problem.spec.experiments]
    colours = plt.get_cmap("turbo")
    for ax, oid in zip(axes.flat, obs_ids):
        rows_o = np.flatnonzero(data["observableId"].to_numpy() == oid)
        t = data["time"].to_numpy(dtype=float)[rows_o]
        tmax = np.max(t[np.isfinite(t)], initial=1.0)
        t_plot = np.where(np.isfinite(t), t, tmax * 1.1)
        panel = np.unique(exp_of[rows_o])
        y_data = data["measurement"].to_numpy()[rows_o]
        y_sim = table["simulation"].to_numpy()[rows_o]
        ax.set_title(oid, fontsize=9)
        ax.set_ylabel(f"{oid} (points: data, lines/crosses: model)", fontsize=7)
        if np.unique(t_plot).size == 1:  # one time (a dose response): one column per experiment
            for k, e in enumerate(panel):
                sel = exp_of[rows_o] == e
                colour = colours(e / max(len(names) - 1, 1))
                ax.plot(np.full(sel.sum(), k), y_data[sel], "o", ms=3, color=colour)
                ax.plot(np.full(sel.sum(), k), y_sim[sel], "x", ms=6, color=colour)
            ax.set_xticks(range(len(panel)), [names[e] for e in panel], rotation=90, fontsize=5)
            ax.set_xlabel(f"experiment (t = {t[0]:g})", fontsize=7)
            continue
        for k, e in enumerate(panel):
            sel = exp_of[rows_o] == e
            order = np.argsort(t_plot[sel])
            colour = colours(e / max(len(names) - 1, 1))  # one colour per experiment
            ax.plot(t_plot[sel], y_data[sel], "o", ms=3, color=colour,
                    label=names[e] if k < _LEGEND_ROWS else None)  # fmt: skip
            ax.plot(t_plot[sel][order], y_sim[sel][order], "-" if sel.sum() > 1 else "x",
                    color=colour, lw=1)  # fmt: skip
        ax.set_xlabel("time (t = inf at the right edge)" if np.isinf(t).any() else "time")
        more = len(panel) - _LEGEND_ROWS
        ax.legend(fontsize=5, title=f"+{more} more" if more > 0 else None, title_fontsize=5)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_profiles(profiles, path: Path) -> Path:
    """Each profile with the threshold and its interval."""
    plt = _plt()
    n = len(profiles.parameters)
    cols = min(4, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3 * rows), squeeze=False)
    for ax, p in zip(axes.flat, profiles.parameters):
        x, f = profiles.values[p], profiles.objective[p]
        ok = np.isfinite(f)
        ax.plot(x[ok], f[ok] - profiles.best, "o-", ms=3)
        ax.axhline(profiles.threshold - profiles.best, color="grey", ls="--", lw=1)
        if np.all(x > 0):
            ax.set_xscale("log")
        ax.set_title(p, fontsize=9)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.supylabel("objective - best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
