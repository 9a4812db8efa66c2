"""Write the Brännmark 2013 calibration as one PEtab v1 problem.

    python benchmarks/make_brannmark2013_petab.py [--out DIR]

Writes ``src/pathjax/data/petab/brannmark2013/`` (or DIR): ``model.xml`` (the bundled
BIOMD0000000448 with three additions, below), ``conditions.tsv``, ``observables.tsv``,
``measurements.tsv``, ``parameters.tsv`` and ``problem.yaml``. The README next to them
says where every row comes from. Re-running it rewrites the same files (the data
points are copied, not computed; the nominal scale factors are computed and rounded to
6 significant digits).

The data points, their SEMs, sampling times, insulin concentrations and scale groups
are exactly those of `pathjax.calibrate.load_observations` for the two donor groups
(the catalogue of `pathjax.models.brannmark2013_companions`): one measurement row per
data point the existing calibration uses.

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
the published parameters, as the existing calibration solves them (the normal arm's
data for a scale shared by both arms, each arm's own data otherwise), so ``nllh`` at
the nominal parameters gives the published χ² of both arms.
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pathjax  # noqa: E402
from pathjax import calibrate  # noqa: E402
from pathjax.models.brannmark2013_companions import DIABETES_PARAMETERS  # noqa: E402

OUT = ROOT / "src" / "pathjax" / "data" / "petab" / "brannmark2013"
SBML = ROOT / "src" / "pathjax" / "data" / "sbml" / "brannmark2013_normal.xml"

ARMS = {"normal": "n", "t2d": "d"}
UPTAKE_WINDOW = 30.0  # min of 2-deoxyglucose uptake: the amount is 30 min x the rate
SPREAD = 100.0  # kinetic bounds: published / SPREAD .. published * SPREAD (as calibrate.fit)
SCALE_SPREAD = 1000.0  # scale factor bounds around their nominal values
RECEPTOR = ("IR", "IRins", "IRp", "IRip", "IRi")  # SBML ids of the receptor species
GLUT4 = ("GLUT4m", "GLUT4")


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


def observations() -> pd.DataFrame:
    """Both arms' data points as the existing calibration reads them."""
    frames = []
    for condition in ARMS:
        t = calibrate.load_observations(None, condition).table.copy()
        t["condition"] = condition
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


def build(out: Path) -> None:
    cat = calibrate.BRANNMARK2013
    specs = {s.name: s for s in cat}
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
    diabetic = dict(model.companions.calibration().disease_values)
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
    [published / 100, published * 100] (clipped to the admissible range), as
    `pathjax.calibrate.fit`'s defaults; those the catalogue leaves out fixed."""
    not_fitted = set(model.companions.calibration().not_fitted)
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
                "estimate": 0 if spec.name in not_fitted else 1,
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
