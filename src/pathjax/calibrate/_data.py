"""The measurements a model is calibrated against, and how each maps onto a readout.

A model's calibration companion (``model.companions.calibration``, see
`pathjax.model.Companions`) gives a `Calibration`: the data sets of a data folder mapped
onto its readouts (`DataSpec`), the data sets left out, and the parameters each donor
group calibrates. The bundled one is Brännmark 2013's (`BRANNMARK2013`; the data
processing is described in ``pathjax/models/brannmark2013_companions.py``); its data
ship with the package (`bundled_data`).

A data folder holds one CSV per data set with the columns ``response_n``/``sem_n``
(normal donors) and ``response_d``/``sem_d`` (type 2 diabetic donors), and:

* dose responses: ``conc``, the insulin concentration in M (the smallest, 1e-12 M,
  stands for no insulin on a log axis), sampled at `DataSpec.time`;
* time courses: ``time`` in min, at 10 nM insulin;
* two-point data: two rows, basal (no insulin) and stimulated (`DataSpec.stimulus`),
  both read at `DataSpec.time`.
"""

import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .._errors import InputError, unknown_name
from ..models import resolve

__all__ = [
    "ARMS",
    "Calibration",
    "DataSpec",
    "Observations",
    "bundled_data",
    "catalogue",
    "load_observations",
    "observations",
]

ARMS = {"normal": "n", "t2d": "d"}
_STIM_INSULIN = 10.0  # nM, time courses and two-point data
_BASAL_CONC = 1e-12  # M; the concentration axis's stand-in for "no insulin"


class DataSpec(NamedTuple):
    """How one data set maps onto a model readout.

    Attributes:
        name: the CSV file's stem, e.g. ``"IR_dr"``.
        readout: the model observable compared with the data.
        kind: ``"dose"`` (insulin concentrations in the ``conc`` column, M), ``"time"``
            (a time course at 10 nM, ``time`` column in min) or ``"two_point"`` (basal
            and stimulated).
        arms: the donor groups present, ``"n"`` and/or ``"d"``.
        shared_scale: the arms were measured on one scale (one scale factor for both).
        baseline: the data are baseline subtracted (the model's basal readout is
            subtracted too).
        time: when the readout is taken (min); None for time courses.
        stimulus: insulin of the stimulated point of two-point data (nM).
        note: what the data are, in a line.
    """

    name: str
    readout: str
    kind: str
    arms: tuple[str, ...]
    shared_scale: bool
    baseline: bool
    time: float | None
    stimulus: float = _STIM_INSULIN
    note: str = ""


class Calibration(NamedTuple):
    """What a model is calibrated against: its ``companions.calibration()``.

    Attributes:
        datasets: the mapped data sets (`DataSpec`), each a CSV file of the data folder.
        skipped: data sets of the folder that are not used, with the reason.
        not_fitted: parameters a normal fit leaves at their published value unless they
            are named (e.g. one that only a ratio with another makes identifiable).
        disease_parameters: the parameters a ``"t2d"`` fit calibrates, every other at
            the normal fit.
        disease_values: their published values in the disease (the ``"published"``
            start of a ``"t2d"`` fit).
        reported: literature values of the disease parameters, written beside the
            fitted ones in ``fit.json`` under the key `reported_by`.
        reported_by: that key.
    """

    datasets: tuple[DataSpec, ...]
    skipped: Mapping[str, str] = MappingProxyType({})
    not_fitted: tuple[str, ...] = ()
    disease_parameters: tuple[str, ...] = ()
    disease_values: Mapping[str, float] = MappingProxyType({})
    reported: Mapping[str, float] = MappingProxyType({})
    reported_by: str = ""


class Observations(NamedTuple):
    """The data points used, one row each (a `pandas.DataFrame`), plus bookkeeping.

    ``table`` columns: ``dataset`` (CSV stem + ``_n``/``_d``), ``readout``, ``arm``,
    ``time`` (min), ``insulin_nM``, ``data``, ``sem``, ``group`` (rows sharing one scale
    factor), ``shared`` (that scale is shared by the normal and diabetic arms) and
    ``baseline`` (compared baseline subtracted).
    """

    table: pd.DataFrame
    condition: str
    source: str
    excluded: int


def _read(folder: Path, spec: DataSpec) -> pd.DataFrame:
    path = folder / f"{spec.name}.csv"
    if not path.exists():
        raise InputError(f"data set {spec.name!r} is missing: {str(path)!r} does not exist")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise InputError(f"cannot read {str(path)!r}: {exc}") from None


def _column(frame: pd.DataFrame, name: str, spec: DataSpec) -> np.ndarray:
    if name not in frame.columns:
        raise InputError(
            f"data set {spec.name!r} has no column {name!r} (columns: {', '.join(frame.columns)})"
        )
    values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)
    if values.size == 0:
        raise InputError(f"data set {spec.name!r} is empty")
    return values


def _rows(frame: pd.DataFrame, spec: DataSpec, arm: str) -> pd.DataFrame:
    data = _column(frame, f"response_{arm}", spec)
    sem = _column(frame, f"sem_{arm}", spec)
    if spec.kind == "dose":
        conc = _column(frame, "conc", spec)
        insulin = np.where(conc <= _BASAL_CONC, 0.0, conc * 1e9)
        time = np.full_like(insulin, spec.time)
    elif spec.kind == "time":
        time = _column(frame, "time", spec)
        insulin = np.full_like(time, _STIM_INSULIN)
    else:
        if len(data) != 2:
            raise InputError(f"two-point data set {spec.name!r} must have 2 rows, has {len(data)}")
        insulin = np.array([0.0, spec.stimulus])
        time = np.full(2, spec.time)
    return pd.DataFrame(
        {
            "dataset": f"{spec.name}_{arm}",
            "readout": spec.readout,
            "arm": arm,
            "time": time,
            "insulin_nM": insulin,
            "data": data,
            "sem": sem,
            "group": spec.name if spec.shared_scale else f"{spec.name}_{arm}",
            "shared": spec.shared_scale and len(spec.arms) > 1,
            "baseline": spec.baseline,
        }
    )


def bundled_data() -> Path:
    """The human adipocyte data shipped with the package.

    The folder ``pathjax/data/cedersund_adipocyte_signalling``, found through
    `importlib.resources`: one CSV per data set, ``index.json`` (source and a description
    of each data set) and ``README.md`` (the publications to cite).

    Returns:
        The folder as a `pathlib.Path`.

    Raises:
        InputError: the package is installed in a form whose data are not files on disk
            (e.g. imported from a zip archive).

    Examples:
        >>> from pathjax.calibrate import bundled_data
        >>> (bundled_data() / "IR_dr.csv").is_file()
        True
    """
    folder = resources.files("pathjax").joinpath("data", "cedersund_adipocyte_signalling")
    if not isinstance(folder, Path) or not folder.is_dir():
        raise InputError(
            f"the bundled calibration data are not a folder on disk ({folder!s}); "
            "install pathjax from a source tree or wheel, or give the data folder"
        )
    return folder


def catalogue(model: Any) -> Calibration:
    """The `Calibration` of `model` (a `Model` or a bundled model's name), from its
    companions.

    Raises:
        InputError: the model has no calibration data mapped onto it, or is not
            calibrated on its own (the message says how).
    """
    m = resolve(model)
    factory = m.companions.calibration
    if factory is None:
        raise InputError(
            f"unknown calibration model {m.name!r}: no calibration data are mapped onto it "
            "(model.companions.calibration is None)"
        )
    return factory()


def load_observations(
    folder: str | Path | None = None,
    condition: str = "normal",
    datasets: Sequence[str] | None = None,
    model_name: Any = "brannmark2013",
) -> Observations:
    """Read the mapped data sets of one donor group.

    Points with SEM = 0 or not finite (the normalisation's reference points) and the basal
    point of a baseline-subtracted data set (zero by construction) are left out.

    Args:
        folder: the data folder (default: `bundled_data`).
        condition: ``"normal"`` (``_n`` arms) or ``"t2d"`` (``_d`` arms).
        datasets: CSV stems to use (default: every mapped data set with that arm).
        model_name: the model whose data mapping is read: a bundled model's name or a
            `Model` with a calibration companion.

    Returns:
        `Observations`.

    Raises:
        InputError: a missing folder or file, an unknown data set or condition, a data
            set without the requested arm, columns that are not there, a model without
            calibration data.

    Examples:
        >>> from pathjax.calibrate import load_observations
        >>> obs = load_observations(None, "normal", ["IR_dr"])
        >>> [float(x) for x in obs.table["insulin_nM"]]
        [0.01, 0.1, 0.3, 1.0, 10.0, 100.0]
    """
    return observations(catalogue(model_name), folder, condition, datasets)


def observations(
    calibration: Calibration,
    folder: str | Path | None,
    condition: str,
    datasets: Sequence[str] | None = None,
) -> Observations:
    """`load_observations` for the data mapping `calibration` (see there)."""
    if condition not in ARMS:
        raise InputError(f"condition must be one of {', '.join(ARMS)}, got {condition!r}")
    specs = calibration.datasets
    skipped = calibration.skipped
    folder = bundled_data() if folder is None else Path(folder)
    if not folder.is_dir():
        raise InputError(f"data folder {str(folder)!r} does not exist")
    arm = ARMS[condition]
    by_name = {s.name: s for s in specs}
    if datasets is None:
        chosen = [s for s in specs if arm in s.arms]
    else:
        if isinstance(datasets, str) or not len(datasets):
            raise InputError(f"datasets must be a non-empty list of names, got {datasets!r}")
        chosen = []
        for name in datasets:
            if name not in by_name:
                if name in skipped:
                    raise InputError(f"data set {name!r} is not used: {skipped[name]}")
                raise unknown_name("data set", name, list(by_name))
            if arm not in by_name[name].arms:
                raise InputError(f"data set {name!r} has no {condition} ({arm!r}) arm")
            chosen.append(by_name[name])
    frames = []
    excluded = 0
    for spec in chosen:
        rows = _rows(_read(folder, spec), spec, arm)
        keep = np.isfinite(rows["data"]) & np.isfinite(rows["sem"]) & (rows["sem"] > 0)
        if spec.baseline:
            keep &= rows["insulin_nM"] > 0
        excluded += int((~keep).sum())
        frames.append(rows[keep])
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        raise InputError("no usable data points (every SEM is zero or missing)")
    bad = table[(table["time"] < 0) | ~np.isfinite(table["time"])]
    if len(bad):
        raise InputError(f"data set {bad['dataset'].iloc[0]!r} has a negative time")
    return Observations(table, condition, str(folder), excluded)


def provenance(folder: str | Path) -> dict:
    """The data folder's ``index.json`` header (source, commit), or {} if there is none."""
    path = Path(folder) / "index.json"
    if not path.exists():
        return {}
    try:
        info = json.loads(path.read_text())
    except (json.JSONDecodeError, OSError):
        return {}
    return {k: v for k, v in info.items() if k != "datasets" and isinstance(v, str)}


def chi2_threshold(n_data: int, level: float = 0.95) -> float:
    """The χ² test threshold: the `level` quantile of χ²(n_data)."""
    from scipy.stats import chi2

    if n_data < 1 or not math.isfinite(level):
        raise InputError(f"n_data must be >= 1, got {n_data}")
    return float(chi2.ppf(level, n_data))
