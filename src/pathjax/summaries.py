"""Summaries of simulated populations: per-patient statistics, cohort tables, EC50.

* `per_patient`: area under the curve, peak, time to peak and the values at the first
  and last output times (``initial``, ``final``) of chosen outputs, for every patient.
* `cohort_table`: mean, standard deviation and quantiles of those statistics over the
  patients (optionally per group, e.g. per cohort or therapy arm), with their units.

A fasting index (`FASTING_INDICES`, e.g. HOMA-IR) is defined only in the fasting state,
so only its ``initial`` value (the fasting value when a run starts from the fasting or
basal state, as the cohorts do) is a statistic of it: its other statistics are NaN and
`cohort_table` leaves them out.
* `ec50`: the dose of half-maximal response, from a four-parameter Hill fit.
* `within_bounds`: which patients kept a model's physiological bounds
  (`pathjax.model.Companions.plausibility`); `pathjax.simulate` stores it as
  ``plausible``.

Examples:
    >>> import numpy as np, pathjax
    >>> ds = pathjax.simulate(pathjax.models.load("sedaghat2002"), np.linspace(0, 30, 7),
    ...                       params={"k_IRS1_phos": [4.16, 2.0]})
    >>> s = pathjax.summaries.per_patient(ds, ["GLUT4_surface"])
    >>> s["peak"].dims
    ('patient', 'output')
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from ._errors import InputError, unknown_name

__all__ = [
    "FASTING_INDICES",
    "STATISTICS",
    "cohort_table",
    "ec50",
    "hill",
    "model_bounds",
    "per_patient",
    "within_bounds",
]

STATISTICS = ("auc", "peak", "time_to_peak", "initial", "final")

#: outputs defined only in the fasting state: summarised by their ``initial`` value only
FASTING_INDICES = frozenset({"HOMA_IR"})


def _outputs(ds: xr.Dataset, outputs: Sequence[str] | str | None) -> list[str]:
    valid = [v for v in ds.data_vars if ds[v].dims == ("patient", "time")]
    if outputs is None:
        return valid
    if isinstance(outputs, str):
        outputs = [outputs]
    outputs = list(outputs)
    if not outputs:
        raise InputError("give at least one output to summarise")
    for o in outputs:
        if o not in valid:
            raise unknown_name("output", o, valid)
    return outputs


def per_patient(ds: xr.Dataset, outputs: Sequence[str] | str | None = None) -> xr.Dataset:
    """Per-patient statistics of `outputs` (default: every (patient, time) variable).

    Args:
        ds: a result of `pathjax.simulate` (dims ``patient, time``).
        outputs: names of states/observables/inputs.

    Returns:
        Dataset with ``auc`` (trapezoidal, unit x time unit), ``peak`` (maximum over
        time), ``time_to_peak`` (first time of the maximum), ``initial`` and ``final``
        (values at the first and last output times; ``final`` is a steady state only if
        the run has reached one), each with dims ``(patient, output)``, and the unit of
        each output as the coordinate ``output_units``. A patient with any NaN in an
        output has NaN statistics for it; a fasting index (`FASTING_INDICES`) has only
        ``initial``, its other statistics are NaN.

    Raises:
        InputError: unknown output, or a dataset without a ``time`` dimension.

    Examples:
        >>> import numpy as np, xarray as xr
        >>> from pathjax.summaries import per_patient
        >>> ds = xr.Dataset({"y": (("patient", "time"), [[0.0, 2.0, 1.0]])},
        ...                 coords={"time": [0.0, 1.0, 2.0]})
        >>> float(per_patient(ds)["auc"][0, 0]), float(per_patient(ds)["time_to_peak"][0, 0])
        (2.5, 1.0)
    """
    if not isinstance(ds, xr.Dataset) or "time" not in ds.dims or "patient" not in ds.dims:
        raise InputError("per_patient needs a Dataset with dims (patient, time)")
    names = _outputs(ds, outputs)
    t = np.asarray(ds["time"].values, np.float64)
    stats = {k: [] for k in STATISTICS}
    for name in names:
        y = np.asarray(ds[name].values, np.float64)
        bad = ~np.all(np.isfinite(y), axis=1)
        y0 = np.where(np.isfinite(y), y, 0.0)
        auc = np.trapezoid(y0, t, axis=1) if t.size > 1 else np.zeros(y.shape[0])
        idx = np.argmax(y0, axis=1)
        peak = y0[np.arange(y.shape[0]), idx]
        fasting = name in FASTING_INDICES
        for k, v in (("auc", auc), ("peak", peak), ("time_to_peak", t[idx]),
                     ("initial", y0[:, 0]), ("final", y0[:, -1])):  # fmt: skip
            stats[k].append(np.where(bad | (fasting and k != "initial"), np.nan, v))
    unit = ds["time"].attrs.get("units", "") or ds.attrs.get("time_unit", "")
    coords = {"patient": ds["patient"].values, "output": names,
              "output_units": ("output", [str(ds[o].attrs.get("units", "")) for o in names])}  # fmt: skip
    data = {}
    for k, cols in stats.items():
        data[k] = (("patient", "output"), np.stack(cols, axis=1))
    out = xr.Dataset(data, coords=coords)
    out["auc"].attrs["long_name"] = f"area under the curve (output unit x {unit or 'time'})"
    out["peak"].attrs["long_name"] = "maximum over the output times"
    out["time_to_peak"].attrs.update({"long_name": "first time of the maximum", "units": unit})
    at = f" (t = {{:g}} {unit})".replace(" )", ")") if t.size else ""
    out["initial"].attrs["long_name"] = "value at the first output time" + at.format(t[0])
    out["final"].attrs["long_name"] = "value at the last output time" + at.format(t[-1])
    out.attrs["time_unit"] = unit
    return out


def cohort_table(
    summary: xr.Dataset,
    quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
    *,
    by: Any = None,
):
    """Mean, SD and quantiles of each per-patient statistic over the patients.

    Args:
        summary: the output of `per_patient`, or a population result holding the same
            variables (``auc``, ``peak``, ... over ``(patient, output)``).
        quantiles: in [0, 1].
        by: optional (patient,) labels (array or the name of a variable of `summary`,
            e.g. a cohort or arm); one block of rows per label.

    Returns:
        `pandas.DataFrame` indexed by (group,) output and statistic, with columns
        ``units``, ``n`` (finite values), ``mean``, ``sd`` and ``q05``, ``q50``, ....
        A fasting index (`FASTING_INDICES`) has only its ``initial`` row.

    Examples:
        >>> import xarray as xr
        >>> from pathjax.summaries import cohort_table, per_patient
        >>> ds = xr.Dataset({"y": (("patient", "time"), [[0.0, 2.0], [1.0, 3.0]])},
        ...                 coords={"time": [0.0, 1.0]})
        >>> float(cohort_table(per_patient(ds)).loc[("y", "peak"), "mean"])
        2.5
    """
    import pandas as pd

    qs = [float(q) for q in quantiles]
    if any(not 0 <= q <= 1 for q in qs):
        raise InputError(f"quantiles must lie in [0, 1], got {list(quantiles)}")
    stats = [s for s in STATISTICS if s in summary.data_vars]
    if not stats:
        raise InputError(
            f"cohort_table needs the variables of per_patient ({', '.join(STATISTICS)})"
        )
    if isinstance(by, str):
        if by not in summary.variables:
            raise unknown_name("variable", by, list(summary.variables))
        by = summary[by].values
    n = summary.sizes["patient"]
    labels = np.zeros(n, int) if by is None else np.asarray(by)
    if labels.shape != (n,):
        raise InputError(f"by must have one label per patient ({n}), got shape {labels.shape}")
    rows, index = [], []
    for g in pd.unique(labels) if by is not None else [None]:
        sel = np.ones(n, bool) if g is None else labels == g
        for o in summary["output"].values:
            for s in stats:
                if str(o) in FASTING_INDICES and s != "initial":
                    continue
                x = np.asarray(summary[s].sel(output=o).values)[sel]
                x = x[np.isfinite(x)]
                row = {"units": _units(summary, str(o), s), "n": int(x.size),
                       "mean": float(x.mean()) if x.size else math.nan,
                       "sd": float(x.std(ddof=1)) if x.size > 1 else math.nan}  # fmt: skip
                for q in qs:
                    row[f"q{round(q * 100):02d}"] = float(np.quantile(x, q)) if x.size else math.nan
                rows.append(row)
                index.append((o, s) if g is None else (g, o, s))
    names = ["output", "statistic"] if by is None else ["group", "output", "statistic"]
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=names))


def _units(summary: xr.Dataset, output: str, statistic: str) -> str:
    """The unit of `statistic` of `output` (empty when the summary does not say)."""
    unit = ""
    if "output_units" in summary.coords:
        unit = str(summary["output_units"].sel(output=output).values)
    elif output in summary.data_vars:  # a population result holds the outputs too
        unit = str(summary[output].attrs.get("units", ""))
    time = str(summary.attrs.get("time_unit", "")) or (
        str(summary["time"].attrs.get("units", "")) if "time" in summary.coords else ""
    )
    if statistic == "time_to_peak":
        return time
    if statistic == "auc":
        return f"{unit} x {time}" if unit and time else unit or (f"x {time}" if time else "")
    return unit


def hill(dose: Any, bottom: float, top: float, ec50_: float, h: float) -> np.ndarray:
    """The four-parameter Hill curve ``bottom + (top - bottom) d^h / (EC50^h + d^h)``."""
    d = np.asarray(dose, np.float64)
    dh = np.power(np.maximum(d, 0.0), h)
    return bottom + (top - bottom) * dh / (ec50_**h + dh)


def ec50(dose: Sequence[float], response: Sequence[float]) -> dict[str, float]:
    """EC50 of a dose-response by a least-squares four-parameter Hill fit.

    Args:
        dose: (k,) non-negative doses, at least 4 distinct.
        response: (k,) responses (e.g. the median over a cohort at each dose).

    Returns:
        ``{"ec50", "hill", "bottom", "top"}``; the EC50 in the unit of `dose`.

    Raises:
        InputError: ragged, non-finite or negative input, fewer than 4 doses, or a flat
            response (no EC50).

    Examples:
        >>> import numpy as np
        >>> from pathjax.summaries import ec50, hill
        >>> d = np.array([0.0, 0.1, 0.3, 1, 3, 10, 30])
        >>> round(ec50(d, hill(d, 1.0, 3.0, 2.0, 1.5))["ec50"], 3)
        2.0
    """
    from scipy.optimize import least_squares

    d = np.asarray(dose, np.float64)
    r = np.asarray(response, np.float64)
    if d.ndim != 1 or r.shape != d.shape:
        raise InputError(f"dose and response must be 1-D of one length, got {d.shape}, {r.shape}")
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(r))):
        raise InputError("dose and response must be finite")
    if np.any(d < 0):
        raise InputError("doses must not be negative")
    if np.unique(d).size < 4:
        raise InputError("an EC50 fit needs at least 4 distinct doses")
    span = float(r.max() - r.min())
    if not span > 0:
        raise InputError("the response does not change with dose: no EC50")
    pos = d[d > 0]
    order = np.argsort(d)
    bottom0, top0 = float(r[order[0]]), float(r[order[-1]])
    mid = bottom0 + 0.5 * (top0 - bottom0)
    guess = float(pos[np.argmin(np.abs(r[d > 0] - mid))])
    scale = max(abs(top0), abs(bottom0), span)

    def resid(x):
        return (hill(d, x[0], x[1], math.exp(x[2]), x[3]) - r) / scale

    lo, hi = math.log(pos.min()) - 5, math.log(pos.max()) + 5
    fit = least_squares(
        resid,
        [bottom0, top0, math.log(guess), 1.0],
        bounds=([-np.inf, -np.inf, lo, 0.1], [np.inf, np.inf, hi, 10.0]),
        x_scale=[scale, scale, 1.0, 1.0],
    )
    b, t, le, h = fit.x
    return {"ec50": float(math.exp(le)), "hill": float(h), "bottom": float(b), "top": float(t)}


def model_bounds(model: Any) -> tuple:
    """The physiological bounds `model` declares (`pathjax.model.Companions.plausibility`),
    or ``()``."""
    factory = getattr(getattr(model, "companions", None), "plausibility", None)
    return tuple(factory()) if factory is not None else ()


def within_bounds(ds: xr.Dataset, bounds: Sequence[Any]) -> np.ndarray:
    """(patient,) True where a solved patient stays inside every bound.

    Args:
        ds: a result with ``status`` and the bounded outputs over ``(patient, time)``.
        bounds: records with ``output``, ``lower``, ``upper`` and ``at``
            (`pathjax.population.Range`): ``at="all"`` checks every output time,
            ``"basal"`` the first output time (the fasting state of a run that starts
            from it). A NaN, a failed solve (status != 0) or a value outside
            [lower, upper] makes the patient implausible.

    Returns:
        (patient,) bool array.

    Raises:
        InputError: a bound on an output that `ds` does not hold, or an unknown ``at``.

    Examples:
        >>> import numpy as np, xarray as xr
        >>> from pathjax.population import Range
        >>> ds = xr.Dataset({"x": (("patient", "time"), [[1.0, 2.0], [1.0, -0.1]]),
        ...                  "status": ("patient", [0, 0])})
        >>> within_bounds(ds, [Range("x", 0.0, 10.0, at="all")]).tolist()
        [True, False]
    """
    ok = np.asarray(ds["status"].values) == 0
    for r in bounds:
        if r.output not in ds.data_vars or ds[r.output].dims != ("patient", "time"):
            raise unknown_name("output", r.output, _outputs(ds, None))
        y = np.asarray(ds[r.output].values, np.float64)
        if r.at == "all":
            x = y
        elif r.at == "basal":
            x = y[:, :1]
        else:
            raise InputError(f"bound at={r.at!r} for {r.output!r}; valid: all, basal")
        with np.errstate(invalid="ignore"):
            ok &= np.all(np.isfinite(x) & (x >= r.lower) & (x <= r.upper), axis=1)
    return ok
