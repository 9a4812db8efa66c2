"""Write the Brännmark 2013 calibration as one PEtab v1 problem.

    python benchmarks/make_brannmark2013_petab.py [--out DIR]

Writes ``src/pathjax/data/petab/brannmark2013/`` (or DIR): ``model.xml`` (the bundled
BIOMD0000000448 with three additions, below), ``conditions.tsv``, ``observables.tsv``,
``measurements.tsv``, ``parameters.tsv`` and ``problem.yaml``. The README next to them
says where every row comes from. Re-running it rewrites the same files (the data
points are copied, not computed; the nominal scale factors are computed and rounded to
6 significant digits).

The data points come from the human adipocyte data shipped with pathjax
(``src/pathjax/data/cedersund_adipocyte_signalling``, one CSV per data set; provenance in
its README and ``index.json``): the catalogue below (`DATASETS`) maps 18 data sets onto
the model's readouts and the protocol of each experiment, `SKIPPED` says why every other
data set of the folder is left out, and `observations` reads the data points of both
donor groups, one measurement row each.

Additions to the SBML model (everything else is the BioModels file unchanged):

* ``IR_total``, ``GLUT4_total`` (100, % of normal): initial assignments scale the five
  receptor species and the two GLUT4 species by them, as the Python model's
  ``initial_state`` does, so the T2D conditions can set the receptor and GLUT4 amounts;
* ``tracking`` (1) and, for every readout the dose responses are baseline-subtracted
  from, a species ``<readout>_basal`` with the rate rule
  ``tracking * (<readout> - <readout>_basal)``. The basal conditions (the
  pre-equilibration) have ``tracking = 1``, so at their steady state
  ``<readout>_basal`` equals the basal readout; every stimulation condition has
  ``tracking = 0``, so it stays frozen there and ``<readout> - <readout>_basal`` is the
  readout minus its basal value, exactly.

The nominal values of the scale factors are their weighted least-squares optima at
the published parameters (the normal arm's data for a scale shared by both arms, each
arm's own data otherwise), so ``nllh`` at the nominal parameters gives the published
parameters' χ² of both arms (up to the scales' rounding).
"""

import argparse
import math
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pathjax  # noqa: E402

OUT = ROOT / "src" / "pathjax" / "data" / "petab" / "brannmark2013"
SBML = ROOT / "src" / "pathjax" / "data" / "sbml" / "brannmark2013_normal.xml"
DATA = ROOT / "src" / "pathjax" / "data" / "cedersund_adipocyte_signalling"

ARMS = {"normal": "n", "t2d": "d"}
UPTAKE_WINDOW = 30.0  # min of 2-deoxyglucose uptake: the amount is 30 min x the rate
SPREAD = 100.0  # kinetic bounds: published / SPREAD .. published * SPREAD
SCALE_SPREAD = 1000.0  # scale factor bounds around their nominal values
RECEPTOR = ("IR", "IRins", "IRp", "IRip", "IRi")  # SBML ids of the receptor species
GLUT4 = ("GLUT4m", "GLUT4")
DIABETES_PARAMETERS = ("diabetes", "IR_total", "GLUT4_total")
"""The parameters that differ in type 2 diabetes: estimated in the T2D conditions only."""
# With a free glucose-uptake scale only the ratio of the GLUT4 and GLUT1 uptake constants
# is identifiable; the GLUT1 constant stays at its published value.
NOT_FITTED = ("k_glucose_uptake_GLUT1",)


def _sig(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits - 1}e}")


def _fmt(x: float) -> str:
    """Shortest round-trip text of a float (integers without the trailing .0)."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _bound(x: float) -> str:
    """A bound: 10 significant digits (published * 100 is not exact in binary)."""
    return _fmt(_sig(x, 10))


def _dose_id(nM: float) -> str:
    return _fmt(nM).replace(".", "p") + "nM"


# --------------------------------------------------------------------------- data
#
# Brännmark et al. (2013) measured insulin signalling in isolated human adipocytes from
# normal (``_n``) and type 2 diabetic (``_d``) donors. Each data set is mapped onto one of
# the model's measured-variable observables and onto the protocol of the experiment, as
# the data were processed in the original analysis:
#
# * dose responses (``*_dr``): 10 min of insulin at each concentration (``conc`` in M;
#   the smallest, 1e-12 M, stands for no insulin on a log axis), baseline subtracted and
#   given in % of the largest response of each donor group: the model value is
#   ``scale * (readout(dose) - readout(no insulin))``, one scale per group;
# * glucose uptake (``GLUCOSE_dr``, ``GLUCOSE_2p``): insulin for 15 min, then
#   2-deoxyglucose for 30 min in the continued presence of insulin; the data are the
#   amount taken up, taken as 30 min times the rate at the middle of the uptake window,
#   t = 30 min (at the published parameters this differs from the mean rate over
#   15-45 min by at most 0.3 %);
# * time courses at 10 nM insulin (``*_time``): the normal and diabetic arms were
#   measured on one scale (``PKB473_time`` excepted: % of the maximum of each arm), so
#   they share one scale factor;
# * two-point data (``*_2p``): basal and stimulated (10 nM for 10 min; glucose: 100 nM),
#   normal and diabetic on one scale; a basal point is no insulin at the time of the
#   stimulated point.

STIM_INSULIN = 10.0  # nM, time courses and two-point data
BASAL_CONC = 1e-12  # M; the concentration axis's stand-in for "no insulin"
DOSE_TIME = 10.0  # min of insulin before the dose-response samples were taken
UPTAKE_TIME = 30.0  # middle of the 15-45 min 2-deoxyglucose window


class DataSpec(NamedTuple):
    """How one data set (``<name>.csv`` of `DATA`) maps onto a model readout.

    ``kind``: ``"dose"`` (concentrations in the ``conc`` column, M), ``"time"`` (a time
    course at 10 nM, ``time`` column in min) or ``"two_point"`` (basal and stimulated);
    ``arms``: the donor groups present (``"n"``, ``"d"``); ``shared_scale``: both arms
    measured on one scale; ``baseline``: baseline subtracted; ``time``: when the readout
    is taken (min; None for time courses); ``stimulus``: insulin of the stimulated point
    of two-point data (nM).
    """

    name: str
    readout: str
    kind: str
    arms: tuple[str, ...]
    shared_scale: bool
    baseline: bool
    time: float | None
    stimulus: float = STIM_INSULIN
    note: str = ""


def _dose(name, readout, arms=("n", "d"), time=DOSE_TIME, note=""):
    return DataSpec(name, readout, "dose", arms, False, True, time, note=note)


def _course(name, readout, shared=True, note=""):
    return DataSpec(name, readout, "time", ("n", "d"), shared, False, None, note=note)


def _two(name, readout, time=DOSE_TIME, note="", **stimulus):
    return DataSpec(name, readout, "two_point", ("n", "d"), True, False, time, note=note,
                    **stimulus)  # fmt: skip


DATASETS = (
    _dose("IR_dr", "measuredIRp", note="IR-Tyr1146 phosphorylation, 10-min dose response"),
    _dose("IRS1_dr", "measuredIRS1p", note="IRS1-Tyr612 phosphorylation, 10-min dose response"),
    _dose("IRS1307_dr", "measuredIRS1307", note="IRS1-Ser307 (human Ser312), 10-min dose response"),
    _dose("PKB308_dr", "measuredPKB308p", note="PKB-Thr308, 10-min dose response"),
    _dose("PKB473_dr", "measuredPKB473p", note="PKB-Ser473, 10-min dose response"),
    _dose("AS160_dr", "measuredAS160p", note="AS160-Thr642, 10-min dose response"),
    _dose("S6_dr", "measuredS6p", arms=("n",), note="S6-Ser235/236, 10-min dose response"),
    _dose("GLUCOSE_dr", "glucoseuptake", time=UPTAKE_TIME,
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
    _two("GLUCOSE_2p", "glucoseuptake", time=UPTAKE_TIME, stimulus=100.0,
         note="2-deoxyglucose uptake, basal and 100 nM insulin"),
)  # fmt: skip
"""The data sets mapped onto Brännmark 2013's readouts."""

_SKIPPED = (
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
SKIPPED = {name: why for names, why in _SKIPPED for name in names}
"""Data sets of `DATA` that are not used, with the reason."""


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=np.float64)


def _rows(frame: pd.DataFrame, spec: DataSpec, arm: str) -> pd.DataFrame:
    """One row per data point of one arm of a data set."""
    data = _column(frame, f"response_{arm}")
    sem = _column(frame, f"sem_{arm}")
    if spec.kind == "dose":
        conc = _column(frame, "conc")
        insulin = np.where(conc <= BASAL_CONC, 0.0, conc * 1e9)
        time = np.full_like(insulin, spec.time)
    elif spec.kind == "time":
        time = _column(frame, "time")
        insulin = np.full_like(time, STIM_INSULIN)
    else:
        if len(data) != 2:
            raise SystemExit(f"two-point data set {spec.name} must have 2 rows, has {len(data)}")
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
            "baseline": spec.baseline,
        }
    )


def observations(folder: Path = DATA) -> pd.DataFrame:
    """The data points of both donor groups (``condition`` ``"normal"``, then ``"t2d"``),
    one row each, in the order of `DATASETS`.

    Points with SEM = 0 or not finite (the normalisation's reference points) and the
    basal point of a baseline-subtracted data set (zero by construction) are left out.
    Columns: ``dataset`` (CSV stem + ``_n``/``_d``), ``readout``, ``arm``, ``time`` (min),
    ``insulin_nM``, ``data``, ``sem``, ``group`` (rows sharing one scale factor),
    ``baseline`` and ``condition``.
    """
    used = {s.name for s in DATASETS}
    if used & set(SKIPPED):
        raise SystemExit(f"data sets both used and skipped: {sorted(used & set(SKIPPED))}")
    frames = []
    for condition, arm in ARMS.items():
        for spec in DATASETS:
            if arm not in spec.arms:
                continue
            rows = _rows(pd.read_csv(folder / f"{spec.name}.csv"), spec, arm)
            keep = np.isfinite(rows["data"]) & np.isfinite(rows["sem"]) & (rows["sem"] > 0)
            if spec.baseline:
                keep &= rows["insulin_nM"] > 0
            frames.append(rows[keep].assign(condition=condition))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- model


def write_model(path: Path, readouts: list[str]) -> None:
    """The bundled SBML with IR_total/GLUT4_total and the basal trackers (module doc)."""
    import libsbml

    doc = libsbml.readSBMLFromFile(str(SBML))
    if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise SystemExit(f"cannot read {SBML}")
    m = doc.getModel()
    m.setId("brannmark2013_petab")
    m.setName(
        "Brännmark2013 - Insulin signalling in human adipocytes (normal condition), "
        "with receptor/GLUT4 totals and basal-readout trackers for the PEtab problem of pathjax"
    )
    compartment = m.getSpecies(0).getCompartment()

    def parameter(pid: str, value: float) -> None:
        p = m.createParameter()
        p.setId(pid)
        p.setName(pid)
        p.setValue(value)
        p.setConstant(True)

    def assign(symbol: str, formula: str) -> None:
        ia = m.createInitialAssignment()
        ia.setSymbol(symbol)
        ia.setMath(libsbml.parseL3Formula(formula))

    parameter("IR_total", 100.0)
    parameter("GLUT4_total", 100.0)
    parameter("tracking", 1.0)
    for total, species in (("IR_total", RECEPTOR), ("GLUT4_total", GLUT4)):
        for sid in species:
            value = m.getSpecies(sid).getInitialConcentration()
            assign(sid, f"{_fmt(value)} * {total} / 100")
    for r in readouts:
        s = m.createSpecies()
        s.setId(f"{r}_basal")
        s.setName(f"{r} at the basal steady state (frozen while tracking = 0)")
        s.setCompartment(compartment)
        s.setInitialConcentration(0.0)
        s.setHasOnlySubstanceUnits(False)
        s.setBoundaryCondition(False)
        s.setConstant(False)
        rule = m.createRateRule()
        rule.setVariable(f"{r}_basal")
        rule.setMath(libsbml.parseL3Formula(f"tracking * ({r} - {r}_basal)"))
    n_err = doc.checkInternalConsistency()
    errors = [doc.getError(i) for i in range(n_err)]
    errors = [e for e in errors if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR]
    if errors:
        raise SystemExit("; ".join(e.getMessage() for e in errors))
    libsbml.writeSBMLToFile(doc, str(path))


# --------------------------------------------------------------------------- tables


def build(out: Path) -> None:
    specs = {s.name: s for s in DATASETS}
    model = pathjax.models.load("brannmark2013")
    sid = model.sbml_ids
    obs = observations()
    obs["name"] = [d.rsplit("_", 1)[0] for d in obs["dataset"]]
    unknown = set(obs["name"]) - set(specs)
    if unknown:
        raise SystemExit(f"data sets without a catalogue entry: {unknown}")
    out.mkdir(parents=True, exist_ok=True)

    # model: trackers for the readouts of baseline-subtracted data
    tracked = sorted({specs[n].readout for n in obs["name"] if specs[n].baseline})
    write_model(out / "model.xml", tracked)

    # observables: one per data set
    rows = []
    for name in dict.fromkeys(obs["name"]):
        s = specs[name]
        value = f"{s.readout} - {s.readout}_basal" if s.baseline else s.readout
        factor = f"{_fmt(UPTAKE_WINDOW)} * " if s.readout == "glucoseuptake" else ""
        inner = f"({value})" if s.baseline else value
        rows.append(
            {
                "observableId": name,
                "observableName": s.note,
                "observableFormula": f"observableParameter1_{name} * {factor}{inner}",
                "observableTransformation": "lin",
                "noiseFormula": f"noiseParameter1_{name}",
                "noiseDistribution": "normal",
            }
        )
    pd.DataFrame(rows).to_csv(out / "observables.tsv", sep="\t", index=False)

    # conditions: (arm, insulin); the basal one of each arm is the pre-equilibration
    doses = sorted(set(obs["insulin_nM"]) - {0.0})
    conditions = []
    for condition in ARMS:
        disease = {p: f"{p}_{condition}" for p in DIABETES_PARAMETERS}
        conditions.append(
            {
                "conditionId": f"{condition}_basal",
                "conditionName": f"{condition} donors, no insulin (basal steady state)",
                "insulin": 0,
                "tracking": 1,
                **disease,
            }
        )
        for d in doses:
            conditions.append(
                {
                    "conditionId": f"{condition}_insulin_{_dose_id(d)}",
                    "conditionName": f"{condition} donors, {_fmt(d)} nM insulin from t = 0",
                    "insulin": _fmt(d),
                    "tracking": 0,
                    **disease,
                }
            )
    pd.DataFrame(conditions).to_csv(out / "conditions.tsv", sep="\t", index=False)

    # measurements: one per data point
    def sim_condition(row) -> str:
        if row.insulin_nM == 0.0:
            return f"{row.condition}_basal"
        return f"{row.condition}_insulin_{_dose_id(row.insulin_nM)}"

    meas = pd.DataFrame(
        {
            "observableId": obs["name"],
            "preequilibrationConditionId": [f"{c}_basal" for c in obs["condition"]],
            "simulationConditionId": [sim_condition(r) for r in obs.itertuples()],
            "measurement": [_fmt(v) for v in obs["data"]],
            "time": [_fmt(v) for v in obs["time"]],
            "observableParameters": [f"scale_{g}" for g in obs["group"]],
            "noiseParameters": [_fmt(v) for v in obs["sem"]],
            "datasetId": obs["dataset"],
        }
    )
    meas.to_csv(out / "measurements.tsv", sep="\t", index=False)

    # parameters: kinetic rates and exponents (shared), disease parameters, scales
    groups = list(dict.fromkeys(obs["group"]))
    params = _kinetic_rows(model, sid)
    defaults = model.default_params()
    diabetic = pathjax.models.load("brannmark2013_diabetic").default_params()
    for p in DIABETES_PARAMETERS:
        lo, hi = 0.01 * defaults[p], 2.0 * defaults[p]
        for which, value, estimate in (("normal", defaults[p], 0), ("t2d", diabetic[p], 1)):
            params.append(
                {
                    "parameterId": f"{p}_{which}",
                    "parameterName": f"{p} in the {which} conditions",
                    "parameterScale": "log10",
                    "lowerBound": _bound(lo),
                    "upperBound": _bound(hi),
                    "nominalValue": _fmt(value),
                    "estimate": estimate,
                }
            )
    for g in groups:  # nominal 1 for now; set below
        params.append(
            {
                "parameterId": f"scale_{g}",
                "parameterName": f"scale factor of group {g}",
                "parameterScale": "log10",
                "lowerBound": "1e-6",
                "upperBound": "1e6",
                "nominalValue": "1",
                "estimate": 1,
            }
        )
    par = pd.DataFrame(params)
    par.to_csv(out / "parameters.tsv", sep="\t", index=False)
    (out / "problem.yaml").write_text(
        "format_version: 1\n"
        "parameter_file: parameters.tsv\n"
        "problems:\n"
        "- condition_files: [conditions.tsv]\n"
        "  measurement_files: [measurements.tsv]\n"
        "  observable_files: [observables.tsv]\n"
        "  sbml_files: [model.xml]\n"
    )

    # nominal scale factors: weighted least squares at the published parameters
    scales = optimal_scales(out / "problem.yaml", obs)
    for g, s in scales.items():
        i = par.index[par["parameterId"] == f"scale_{g}"][0]
        v = _sig(s)
        par.loc[i, ["lowerBound", "upperBound", "nominalValue"]] = [
            _fmt(_sig(v / SCALE_SPREAD)), _fmt(_sig(v * SCALE_SPREAD)), _fmt(v)
        ]  # fmt: skip
    par.to_csv(out / "parameters.tsv", sep="\t", index=False)
    print(f"wrote {out}: {len(meas)} measurements, {len(conditions)} conditions, "
          f"{len(groups)} scale factors, {int(par['estimate'].sum())} estimated parameters")  # fmt: skip


def _kinetic_rows(model, sid) -> list[dict]:
    """Every rate constant and Hill exponent: estimated on a log10 scale within
    [published / 100, published * 100] (clipped to the admissible range); those in
    `NOT_FITTED` fixed."""
    rows = []
    for spec in model.param_specs:
        if spec.kind not in ("kinetic", "exponent"):
            continue
        v = spec.default
        lo, hi = max(v / SPREAD, spec.lower), min(v * SPREAD, spec.upper)
        rows.append(
            {
                "parameterId": sid[spec.name],
                "parameterName": spec.name,
                "parameterScale": "log10",
                "lowerBound": _bound(lo),
                "upperBound": _bound(hi),
                "nominalValue": _fmt(v),
                "estimate": 0 if spec.name in NOT_FITTED else 1,
            }
        )
    return rows


def optimal_scales(yaml: Path, obs: pd.DataFrame) -> dict[str, float]:
    """Closed-form scales (non-negative weighted least squares) from the PEtab problem's
    own simulation with every scale at 1: shared scales from the normal arm."""
    problem = pathjax.petab.load(yaml)
    sim = problem.simulation_table()["simulation"].to_numpy()
    if not np.isfinite(sim).all():
        raise SystemExit("the simulation at the published parameters failed")
    return closed_form(obs, sim)


def closed_form(obs: pd.DataFrame, sim: np.ndarray) -> dict[str, float]:
    """Per scale group, argmin_s Σ ((s x - y) / sem)^2, s >= 0: over the normal arm's
    points for a group with normal points, else over its (diabetic) points."""
    w = 1.0 / obs["sem"].to_numpy() ** 2
    y = obs["data"].to_numpy()
    out = {}
    for g in dict.fromkeys(obs["group"]):
        sel = (obs["group"] == g).to_numpy()
        normal = sel & (obs["condition"] == "normal").to_numpy()
        if normal.any():
            sel = normal
        den = float(np.sum(w[sel] * sim[sel] ** 2))
        out[g] = max(float(np.sum(w[sel] * sim[sel] * y[sel])) / den, 0.0) if den > 0 else 0.0
        if not (out[g] > 0 and math.isfinite(out[g])):
            raise SystemExit(f"scale of group {g} is {out[g]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    build(args.out)


if __name__ == "__main__":
    main()
