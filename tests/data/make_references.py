"""Regenerate (or check) the libRoadRunner reference trajectories in ``reference/``.

Every model of ``sbml/`` is simulated with libRoadRunner (CVODE, stiff) on the grid
``numpy.linspace(0, 60, 200)`` in model time units, with the settings that
``reference/index.json`` records per model: tolerances, a dense grid subsampled to the
200 points (``dense``), integration in segments that end 1e-9 before each breakpoint,
the next one starting at the breakpoint from that state (``breaks``), reactions marked
``fast`` made ordinary in memory (``fast_off``), and the scenarios (initial amounts or
concentrations set before the run). Per model it writes

* ``<model>_roadrunner.csv``: ``time`` and the species concentrations (floating species
  in libRoadRunner's order, then boundary species), SBML ids as column names;
* ``<model>_roadrunner_amounts.csv``: the same in amounts (the models of ``index.json``
  that list this file: some compartment is not of size 1);
* ``<model>_roadrunner_rules.csv``: the global parameters set by assignment rules, rate
  rules or events;
* ``<model>_<scenario>_roadrunner.csv``: concentrations under a scenario.

Values are written with 12 significant digits. ``index.json`` itself (settings, timings
and the independent LSODA check of the original run) is not rewritten.

Usage (from the repository root, with the test extras installed)::

    python tests/data/make_references.py --check      # compare, write nothing
    python tests/data/make_references.py              # rewrite every file
    python tests/data/make_references.py topp2000     # rewrite one model's files
"""

import argparse
import csv
import json
import sys
from pathlib import Path

import libsbml
import numpy as np
import roadrunner

HERE = Path(__file__).resolve().parent
SBML_DIR = HERE / "sbml"
REF_DIR = HERE / "reference"
GRID = np.linspace(0.0, 60.0, 200)
BREAK_GAP = 1e-9  # segments end this far before a breakpoint


def _document(name: str, fast_off: bool) -> libsbml.SBMLDocument:
    doc = libsbml.readSBMLFromFile(str(SBML_DIR / f"{name}.xml"))
    if doc.getModel() is None:
        raise SystemExit(f"{name}.xml: not readable as SBML")
    if fast_off:
        for r in doc.getModel().getListOfReactions():
            if r.isSetFast() and r.getFast():
                r.setFast(False)
    return doc


def _rule_parameters(model: libsbml.Model) -> list[str]:
    """Global parameters set by assignment rules, rate rules or event assignments."""
    params = {p.getId() for p in model.getListOfParameters()}
    out: list[str] = []
    for rule in model.getListOfRules():
        var = rule.getVariable()
        if var in params and var not in out:
            out.append(var)
    for event in model.getListOfEvents():
        for ea in event.getListOfEventAssignments():
            var = ea.getVariable()
            if var in params and var not in out:
                out.append(var)
    return out


def _runner(doc: libsbml.SBMLDocument, settings: dict) -> roadrunner.RoadRunner:
    special = settings.get("special_handling", {})
    rr = roadrunner.RoadRunner(libsbml.writeSBMLToString(doc))
    rr.integrator.setValue("stiff", True)
    rr.integrator.relative_tolerance = special.get("rtol", settings["rtol"])
    rr.integrator.absolute_tolerance = special.get("atol", settings["atol"])
    if "max_steps" in special:
        rr.integrator.setValue("maximum_num_steps", int(special["max_steps"]))
    return rr


def _simulate(rr: roadrunner.RoadRunner, selections: list[str], special: dict) -> np.ndarray:
    """(200, selection) values on `GRID`."""
    rr.timeCourseSelections = ["time", *selections]
    if "dense" in special:
        k = int(special["dense"])
        fine = np.linspace(GRID[0], GRID[-1], (len(GRID) - 1) * k + 1)
        out = np.asarray(rr.simulate(times=fine))[::k]
    elif "breaks" in special:
        edges = [float(GRID[0]), *map(float, special["breaks"]), float(GRID[-1])]
        pieces = []
        for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
            last = i == len(edges) - 2
            end = hi if last else hi - BREAK_GAP
            inside = GRID[(GRID >= lo) & ((GRID <= hi) if last else (GRID < hi))]
            start = lo
            times = np.unique(np.concatenate([[start], inside, [end]]))
            res = np.asarray(rr.simulate(times=times))
            pieces.append(res[np.isin(times, inside)])
        out = np.concatenate(pieces)
    else:
        out = np.asarray(rr.simulate(times=GRID))
    if out.shape[0] != len(GRID) or not np.allclose(out[:, 0], GRID, rtol=0, atol=1e-9):
        raise RuntimeError("libRoadRunner did not return the 200-point grid")
    out[:, 0] = GRID
    return out


def _apply_scenario(rr: roadrunner.RoadRunner, scenario: dict) -> None:
    for sid, v in scenario.get("init_amount", {}).items():
        rr[f"init({sid})"] = float(v)
    for sid, v in scenario.get("init_conc", {}).items():
        rr[f"init([{sid}])"] = float(v)
    rr.reset()


def compute(name: str, settings: dict) -> dict[str, tuple[list[str], np.ndarray]]:
    """{file name: (header, values)} for one model of ``index.json``."""
    special = settings.get("special_handling", {})
    doc = _document(name, bool(special.get("fast_off", False)))
    rr = _runner(doc, settings)
    species = list(rr.model.getFloatingSpeciesIds()) + list(rr.model.getBoundarySpeciesIds())
    files = set(settings["files"])
    out: dict[str, tuple[list[str], np.ndarray]] = {}

    def run(selection: list[str], scenario: dict | None = None) -> np.ndarray:
        rr.resetToOrigin()
        if scenario:
            _apply_scenario(rr, scenario)
        return _simulate(rr, selection, special)

    main = f"{name}_roadrunner.csv"
    out[main] = (["time", *species], run([f"[{s}]" for s in species]))
    if f"{name}_roadrunner_amounts.csv" in files:
        out[f"{name}_roadrunner_amounts.csv"] = (["time", *species], run(species))
    rules = f"{name}_roadrunner_rules.csv"
    if rules in files:
        ids = _rule_parameters(doc.getModel())
        ref = REF_DIR / rules
        if ref.exists():  # keep the column order of the file being replaced
            old = _read(ref)[0][1:]
            if set(old) == set(ids):
                ids = old
        out[rules] = (["time", *ids], run(ids))
    for scenario, spec in settings.get("scenarios", {}).items():
        out[f"{name}_{scenario}_roadrunner.csv"] = (
            ["time", *species],
            run([f"[{s}]" for s in species], spec),
        )
    missing = files - set(out)
    if missing:
        raise RuntimeError(f"{name}: index.json lists files not produced: {sorted(missing)}")
    return out


def _read(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=float)


def _write(path: Path, header: list[str], values: np.ndarray) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in values:
            w.writerow([f"{v:.12g}" for v in row])


def scaled_difference(header, values, ref_header, ref_values) -> float:
    """max over columns of max|new - old| / max|old| (columns matched by name)."""
    if set(header) != set(ref_header):
        return float("inf")
    worst = 0.0
    for j, h in enumerate(header):
        old = ref_values[:, ref_header.index(h)]
        scale = np.max(np.abs(old)) or 1.0
        worst = max(worst, float(np.max(np.abs(values[:, j] - old)) / scale))
    return worst


def main(argv: list[str] | None = None) -> int:
    """Regenerate the reference files, or with ``--check`` compare them; returns 1 if a
    checked file differs by more than ``--tol`` (scaled), else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="models of index.json (default: all)")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--tol", type=float, default=1e-8, help="--check: scaled tolerance")
    args = parser.parse_args(argv)
    index = json.loads((REF_DIR / "index.json").read_text())["models"]
    names = args.models or list(index)
    unknown = [n for n in names if n not in index]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; index.json has {list(index)}")
    status = 0
    for name in names:
        for fname, (header, values) in compute(name, index[name]).items():
            path = REF_DIR / fname
            if args.check:
                diff = scaled_difference(header, values, *_read(path))
                ok = diff <= args.tol
                status |= not ok
                print(f"{fname:48s} {diff:9.2e} {'ok' if ok else 'DIFFERS'}")
            else:
                _write(path, header, values)
                print(f"wrote {path.relative_to(HERE)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
