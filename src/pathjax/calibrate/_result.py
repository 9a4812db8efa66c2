"""`CalibrationResult`: what `fit` found, and how it is written (``fit.json``,
``predictions.csv``, ``fit.png``)."""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PREDICTION_COLUMNS", "CalibrationResult"]

PREDICTION_COLUMNS = ["dataset", "readout", "time", "insulin_nM", "model", "data", "sem"]


class CalibrationResult:
    """The outcome of `fit` (write it with `save`).

    Attributes:
        model: model name.
        sbml_ids: the model's ``sbml_ids`` (name -> SBML id), for ``fit.json``.
        condition: ``"normal"`` or ``"t2d"``.
        params: every parameter of the model at the fit (fitted ones and the base).
        fitted: names of the fitted parameters.
        bounds: (lower, upper) of each fitted parameter.
        chi2: weighted χ² of the fit (= the sum over `predictions`).
        chi2_published: the same objective at the published (BioModels) parameters.
        n_data: data points used.
        threshold: χ² test threshold, the 95 % quantile of χ²(n_data).
        scales: scale factor of each scale group.
        scales_fixed: groups whose scale was fixed (from the normal fit) rather than solved.
        predictions: one row per data point (columns `PREDICTION_COLUMNS`).
        starts: one row per start: origin, initial and final χ², success.
        info: everything else that goes into ``fit.json``.
    """

    def __init__(self, **fields: Any):
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return (
            f"CalibrationResult({self.model!r}, {self.condition!r}: chi2 {self.chi2:.4g} "
            f"(published {self.chi2_published:.4g}), n_data {self.n_data}, "
            f"threshold {self.threshold:.4g}, {len(self.fitted)} fitted)"
        )

    @property
    def passes_chi2_test(self) -> bool:
        """χ² at or below the 95 % threshold (the model is not rejected by the data)."""
        return bool(self.chi2 <= self.threshold)

    def to_json(self) -> dict:
        """The content of ``fit.json``."""
        sbml = self.sbml_ids
        out = {
            "model": self.model,
            "condition": self.condition,
            "params": dict(self.params),
            "params_sbml": {sbml[k]: v for k, v in self.params.items() if k in sbml},
            "sbml_ids": {k: sbml[k] for k in self.params if k in sbml},
            "fitted": list(self.fitted),
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "chi2": self.chi2,
            "chi2_published": self.chi2_published,
            "n_data": self.n_data,
            "chi2_threshold": self.threshold,
            "chi2_threshold_level": 0.95,
            "passes_chi2_test": self.passes_chi2_test,
            "scales": dict(self.scales),
            "scales_fixed": list(self.scales_fixed),
            "starts": self.starts.to_dict(orient="list"),
        }
        out.update(self.info)
        return out

    def save(self, out_dir: str | Path, plot: bool = True) -> dict[str, Path]:
        """Write ``fit.json``, ``predictions.csv`` and (optionally) ``fit.png``."""
        from ..io import check_out_dir

        out = check_out_dir(out_dir, "out_dir")
        out.mkdir(parents=True, exist_ok=True)
        paths = {"fit": out / "fit.json", "predictions": out / "predictions.csv"}
        paths["fit"].write_text(json.dumps(_jsonable(self.to_json()), indent=1) + "\n")
        self.predictions.to_csv(paths["predictions"], index=False, float_format="%.17g")
        if plot:
            from ._plot import plot_fit

            paths["plot"] = out / "fit.png"
            plot_fit(self.predictions, paths["plot"], title=self._title())
        return paths

    def _title(self) -> str:
        return (
            f"{self.model}, {self.condition}: χ² {self.chi2:.1f} (published "
            f"{self.chi2_published:.1f}), n = {self.n_data}, threshold {self.threshold:.1f}"
        )


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    return x
