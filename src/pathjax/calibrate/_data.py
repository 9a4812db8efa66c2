"""The measurements a model is calibrated against, and how each maps onto a readout.

Brännmark et al. (2013) measured insulin signalling in isolated human adipocytes from
normal (``_n``) and type 2 diabetic (``_d``) donors. The package ships those data as
compiled for a later model, in ``pathjax/data/cedersund_adipocyte_signalling`` (one CSV
per data set; ``index.json`` gives the provenance, ``README.md`` the publications); see
`bundled_data`. Each data set is mapped here
onto one of the model's measured-variable observables and onto the protocol of the
experiment, as the data were processed in the original analysis:

* **dose responses** (``*_dr``): 10 min of insulin at each concentration (``conc`` in M;
  the smallest, 1e-12 M, stands for no insulin on a log axis), baseline subtracted and
  given in % of the largest response of each donor group. The model value is
  ``scale * (readout(dose) - readout(no insulin))``, one scale per group.
* **glucose uptake** (``GLUCOSE_dr``, ``GLUCOSE_2p``): insulin for 15 min, then
  2-deoxyglucose for 30 min in the continued presence of insulin; the data are the
  amount taken up. The model's ``glucoseuptake`` is a rate, so the amount is taken as
  30 min times the rate at the middle of the uptake window, t = 30 min (at the published
  parameters this differs from the mean rate over 15-45 min by at most 0.3 %).
* **time courses** at 10 nM insulin (``*_time``): the normal and diabetic arms were
  measured on one scale (``PKB473_time`` excepted: % of the maximum of each arm), so they
  share one scale factor.
* **two-point data** (``*_2p``): basal and stimulated (10 nM for 10 min; glucose:
  100 nM), normal and diabetic on one scale. A basal point is written as no insulin at
  the time of the stimulated point.

Data sets not listed in `BRANNMARK2013` are not used; `SKIPPED` says why for each.
"""

import json
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .._errors import InputError, unknown_name

__all__ = [
    "ARMS",
    "BRANNMARK2013",
    "SKIPPED",
    "DataSpec",
    "Observations",
    "bundled_data",
    "load_observations",
]

ARMS = {"normal": "n", "t2d": "d"}
_DOSE_TIME = 10.0  # min of insulin before the dose-response samples were taken
_UPTAKE_TIME = 30.0  # middle of the 15-45 min 2-deoxyglucose window
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


def _dose(name, readout, arms=("n", "d"), time=_DOSE_TIME, note=""):
    return DataSpec(name, readout, "dose", arms, False, True, time, note=note)


def _course(name, readout, shared=True, note=""):
    return DataSpec(name, readout, "time", ("n", "d"), shared, False, None, note=note)


def _two(name, readout, time=_DOSE_TIME, stimulus=_STIM_INSULIN, note=""):
    return DataSpec(name, readout, "two_point", ("n", "d"), True, False, time, stimulus, note)


BRANNMARK2013: tuple[DataSpec, ...] = (
    _dose("IR_dr", "measuredIRp", note="IR-Tyr1146 phosphorylation, 10-min dose response"),
    _dose("IRS1_dr", "measuredIRS1p", note="IRS1-Tyr612 phosphorylation, 10-min dose response"),
    _dose("IRS1307_dr", "measuredIRS1307", note="IRS1-Ser307 (human Ser312), 10-min dose response"),
    _dose("PKB308_dr", "measuredPKB308p", note="PKB-Thr308, 10-min dose response"),
    _dose("PKB473_dr", "measuredPKB473p", note="PKB-Ser473, 10-min dose response"),
    _dose("AS160_dr", "measuredAS160p", note="AS160-Thr642, 10-min dose response"),
    _dose("S6_dr", "measuredS6p", arms=("n",), note="S6-Ser235/236, 10-min dose response"),
    _dose("GLUCOSE_dr", "glucoseuptake", time=_UPTAKE_TIME,
          note="2-deoxyglucose uptake after 15 min of insulin, 30-min uptake"),
    _course("IRS1307_time", "measuredIRS1307", note="IRS1-Ser307, 10 nM, 0-60 min"),
    _course("PKB308_time", "measuredPKB308p", note="PKB-Thr308, 10 nM, 0-60 min"),
    _course("PKB473_time", "measuredPKB473p", shared=False,
            note="PKB-Ser473, 10 nM, 0-60 min, % of each arm's maximum"),
    _course("AS160_time", "measuredAS160p", note="AS160-Thr642, 10 nM, 0-60 min"),
    _course("S6K_time", "measuredS6Kp", note="S6K-Thr389, 10 nM, 0-60 min"),
    _course("S6_time", "measuredS6p", note="S6-Ser235/236, 10 nM, 0-60 min"),
    _two("IR_2p", "measuredIRp", note="IR phosphorylation, basal and 10 nM for 10 min"),
    _two("IRS1_2p", "measuredIRS1p", note="IRS1 phosphorylation, basal and 10 nM for 10 min"),
    _two("PKB473_2p", "measuredPKB473p", note="PKB-Ser473, basal and 10 nM for 10 min"),
    _two("GLUCOSE_2p", "glucoseuptake", time=_UPTAKE_TIME, stimulus=100.0,
         note="2-deoxyglucose uptake, basal and 100 nM insulin"),
)  # fmt: skip

_SKIPPED_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("PKB473_time_renorm",), "derived from PKB473_time and PKB473_2p (both used); it would "
     "count the same measurements twice"),
    (("PKB_dr",), "a PKB dose response without the phosphorylation site; a near copy of "
     "PKB308_dr (used)"),
    (("PKB_time",), "a PKB time course without the phosphorylation site and without "
     "per-point SEM"),
    (("S6K_2p",), "its basal/insulin columns and times cannot be mapped onto a protocol"),
    (("EC50",), "EC50s are derived from the dose responses (used); it would count them twice"),
    (("GLU_time",), "glucose uptake over time in two unnamed conditions, source unknown"),
    (("IR_time", "IR_30", "IR_DOSE", "IR_int", "IRS1_30", "IRS1_DOSE", "IRS1_DOSE_2",
      "IRS1_time_3", "IRS1_time_30", "IRS1_time_180"), "earlier studies of the receptor and "
     "IRS1 overshoot (Cedersund 2008, Brännmark 2010), not the normal/T2D data of Brännmark "
     "2013; the insulin dose of IR_int and IRS1_time_180 is not recorded"),
    (("IRS1_ds", "IRS1_DOUBLE"), "a two-step protocol (1.2 nM, then 10 nM at 4 min), which a "
     "row of constant insulin from t = 0 cannot express; earlier study (Brännmark 2010)"),
    (("ERK_dr", "ERK_time", "Elk1_dr", "Elk1_time", "Foxo_dr", "Foxo_raw_dr", "Foxo_time"),
     "ERK, Elk1 and FOXO1 are not in the Brännmark 2013 model"),
    (("IRS1307_mitinhib", "LC3", "lipofuscin_mi", "lipofuscin_nd", "lipofuscin_rc",
      "mitdens_DNP", "mitvol_nd", "AllTimes"), "not an insulin-signalling measurement of this "
     "model (mitochondrial inhibition, autophagy, lipofuscin, mitochondria; a time list)"),
)  # fmt: skip
SKIPPED: dict[str, str] = {name: why for names, why in _SKIPPED_GROUPS for name in names}
"""Data sets of the folder that are not used, with the reason."""


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


def catalogue(model_name: str) -> tuple[DataSpec, ...]:
    """The data sets mapped for a model (see `BRANNMARK2013`)."""
    if model_name != "brannmark2013":
        raise InputError(
            f"calibration data are mapped for model 'brannmark2013' only, got {model_name!r}"
        )
    return BRANNMARK2013


def load_observations(
    folder: str | Path | None = None,
    condition: str = "normal",
    datasets: Sequence[str] | None = None,
    model_name: str = "brannmark2013",
) -> Observations:
    """Read the mapped data sets of one donor group.

    Points with SEM = 0 or not finite (the normalisation's reference points) and the basal
    point of a baseline-subtracted data set (zero by construction) are left out.

    Args:
        folder: the data folder (default: `bundled_data`).
        condition: ``"normal"`` (``_n`` arms) or ``"t2d"`` (``_d`` arms).
        datasets: CSV stems to use (default: every mapped data set with that arm).
        model_name: the model the catalogue is for.

    Returns:
        `Observations`.

    Raises:
        InputError: a missing folder or file, an unknown data set or condition, a data
            set without the requested arm, columns that are not there.

    Examples:
        >>> from pathjax.calibrate import load_observations
        >>> obs = load_observations(None, "normal", ["IR_dr"])
        >>> [float(x) for x in obs.table["insulin_nM"]]
        [0.01, 0.1, 0.3, 1.0, 10.0, 100.0]
    """
    if condition not in ARMS:
        raise InputError(f"condition must be one of {', '.join(ARMS)}, got {condition!r}")
    specs = catalogue(model_name)
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
                if name in SKIPPED:
                    raise InputError(f"data set {name!r} is not used: {SKIPPED[name]}")
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
