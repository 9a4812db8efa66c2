"""Figure of a calibration: data (mean ± SEM) and the model, one panel per data set."""

import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["plot_fit"]

#: the data are relative (% of maximum or fold over basal, per data set) and the model
#: readout is scaled to each data set, so both share the data set's own arbitrary unit
YLABEL = "response (a.u. of the data set)"


def plot_fit(predictions: pd.DataFrame, path: str | Path | None = None, title: str = ""):
    """Draw every data set of `predictions` against the model.

    Dose responses are drawn against the insulin concentration (log axis), time courses
    against time, two-point data as basal/stimulated pairs; the y axis is the data set's
    own relative unit (% of maximum or fold over basal), the model scaled to it.

    Args:
        predictions: rows as in ``predictions.csv`` (``dataset, readout, time,
            insulin_nM, model, data, sem``).
        path: write a PNG here (None: only return the figure).
        title: figure title.

    Returns:
        The `matplotlib.figure.Figure`.

    Examples:
        >>> import pandas as pd
        >>> from pathjax.calibrate import plot_fit
        >>> rows = pd.DataFrame({"dataset": ["IR_dr_n"] * 2, "readout": ["measuredIRp"] * 2,
        ...     "time": [10.0, 10.0], "insulin_nM": [1.0, 10.0], "model": [40.0, 90.0],
        ...     "data": [47.0, 88.0], "sem": [10.0, 3.0]})
        >>> len(plot_fit(rows).axes)
        1
    """
    # A pyplot-free figure: no backend switch (notebooks keep theirs); it displays in a
    # notebook as the returned object.
    from matplotlib.figure import Figure

    names = list(dict.fromkeys(predictions["dataset"]))
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(3.6 * cols, 2.8 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        part = predictions[predictions["dataset"] == name]
        if name.split("_")[-2] == "dr":
            x = part["insulin_nM"].to_numpy()
            ax.set_xscale("log")
            ax.set_xlabel("insulin (nM), 10 min")
        elif name.split("_")[-2] == "2p":
            x = np.arange(len(part), dtype=float)
            ax.set_xticks(x, [f"{v:g} nM" for v in part["insulin_nM"]])
            ax.set_xlim(-0.5, len(part) - 0.5)
        else:
            x = part["time"].to_numpy()
            ax.set_xlabel("time (min), 10 nM")
        ax.errorbar(x, part["data"], yerr=part["sem"], fmt="o", color="black", ms=3.5,
                    capsize=2, label="data")  # fmt: skip
        style = "s" if name.split("_")[-2] == "2p" else "-"
        ax.plot(x, part["model"], style, color="tab:red", lw=1.5, ms=5, label="model")
        ax.set_title(f"{name} ({part['readout'].iloc[0]})", fontsize=8)
        ax.set_ylabel(YLABEL, fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
