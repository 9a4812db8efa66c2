"""Test oracles and comparisons: libRoadRunner on the SBML files of tests/data.

libRoadRunner is a *test oracle* only; pathjax never calls it.
"""

import os
from pathlib import Path

import numpy as np

# BioModels SBML files and their libRoadRunner reference trajectories, kept with the
# tests (provenance in tests/data/README.md).
DATA_DIR = Path(__file__).resolve().parent / "data"
SBML_DIR = DATA_DIR / "sbml"
REF_DIR = DATA_DIR / "reference"


def scaled_error(ours: np.ndarray, ref: np.ndarray, axis=None) -> float:
    """max |ours - ref| / max |ref| (over `axis`, default the whole array); the measure
    the reference tolerances (<= 1e-4) are stated in. A reference that stays at zero is
    scaled by 1 instead."""
    ours = np.asarray(ours, dtype=float)
    ref = np.asarray(ref, dtype=float)
    scale = np.max(np.abs(ref), axis=axis, keepdims=axis is not None)
    scale = np.where(scale > 0, scale, 1.0)
    return float(np.max(np.abs(ours - ref) / scale))


def read_reference(name: str):
    """A reference CSV as (time array, {column: array})."""
    import csv

    with open(REF_DIR / name) as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    return body[:, 0], {h: body[:, i] for i, h in enumerate(header) if i > 0}


def roadrunner_model(sbml_file: str, fast_off: bool = True):
    """A RoadRunner instance for an SBML file of tests/data (with `fast` reactions made
    ordinary, in memory only, as tests/data/README.md describes)."""
    import libsbml
    import roadrunner

    doc = libsbml.readSBMLFromFile(str(SBML_DIR / sbml_file))
    if fast_off:
        for r in doc.getModel().getListOfReactions():
            if r.isSetFast() and r.getFast():
                r.setFast(False)
    rr = roadrunner.RoadRunner(libsbml.writeSBMLToString(doc))
    rr.integrator.setValue("stiff", True)
    return rr


def roadrunner_batch(
    sbml_file: str,
    t: np.ndarray,
    selections: list[str],
    params: list[dict[str, float]],
    *,
    rtol: float = 1e-10,
    atol: float = 1e-14,
    init: list[dict[str, float]] | None = None,
    fast_off: bool = True,
) -> np.ndarray:
    """Simulate each parameter set with libRoadRunner; returns (patient, time, selection).

    `params` and `init` are keyed by SBML id; `init` sets initial concentrations.
    """
    rr = roadrunner_model(sbml_file, fast_off=fast_off)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.setValue("maximum_num_steps", 200000)
    out = np.empty((len(params), len(t), len(selections)))
    for i, p in enumerate(params):
        rr.resetAll()
        # Initial values first: assigning init([S]) in libRoadRunner 2.x puts the global
        # parameters back to their SBML values.
        if init:
            for k, v in init[i].items():
                rr[f"init([{k}])"] = v
            rr.reset()
        for k, v in p.items():
            rr[k] = v
        res = rr.simulate(times=list(map(float, t)), selections=["time"] + selections)
        out[i] = np.asarray(res)[:, 1:]
    return out


def lognormal_perturbations(
    defaults: dict[str, float], names: list[str], n: int, cv: float, seed: int
):
    """n parameter dictionaries with `names` multiplied by log-normal factors of CV `cv`."""
    rng = np.random.default_rng(seed)
    s = np.sqrt(np.log1p(cv**2))
    out = []
    for _ in range(n):
        d = dict(defaults)
        for k in names:
            d[k] = defaults[k] * float(np.exp(rng.normal(-0.5 * s**2, s)))
        out.append(d)
    return out


def kinetic_parameters(model, exclude=()) -> list[str]:
    """Names of `model`'s kinetic parameters that have an SBML id (perturbable in both
    pathjax and libRoadRunner), minus `exclude`."""
    return [
        p.name
        for p in model.param_specs
        if p.kind == "kinetic" and p.name in model.sbml_ids and p.name not in exclude
    ]


def perturbed_batch(model, names: list[str], n: int, cv: float, seed: int):
    """Defaults plus `n` log-normal perturbations (CV `cv`) of `names`, as one batch.

    A parameter bounded above (a fraction) is perturbed on the logit scale of its range
    instead, with the same spread, so that it stays inside its bounds.

    Returns:
        ``(params, sbml_sets)``: ``params`` maps each name to a ``(n + 1,)`` array for
        `pathjax.simulate` (patient 0 keeps the defaults, so the reference comparison can
        share the batch and its compiled solve); ``sbml_sets`` holds the ``n`` perturbed
        sets keyed by SBML id, for `roadrunner_batch`.
    """
    defaults = model.default_params()
    sets = lognormal_perturbations(defaults, names, n=n, cv=cv, seed=seed)
    for k in names:
        spec = model.param_spec(k)
        if np.isfinite(spec.upper):
            lo, width = spec.lower, spec.upper - spec.lower
            x = (defaults[k] - lo) / width
            for s in sets:
                # reuse the log-normal factor's draw as the logit-scale step
                z = np.log(x / (1.0 - x)) + np.log(s[k] / defaults[k])
                s[k] = lo + width / (1.0 + np.exp(-z))
    params = {k: np.array([defaults[k]] + [s[k] for s in sets]) for k in names}
    sbml_sets = [{model.sbml_ids[k]: s[k] for k in names} for s in sets]
    return params, sbml_sets


def _tight_roadrunner(sbml_file: str, rtol: float, atol: float):
    rr = roadrunner_model(sbml_file)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.setValue("maximum_num_steps", 200000)
    return rr


def _set_initial_then_params(rr, init: dict[str, float], params: dict[str, float]) -> None:
    """Reset, set initial concentrations, then parameters (see `roadrunner_scenarios`)."""
    rr.resetAll()
    for k, v in init.items():
        rr[f"init([{k}])"] = v
    rr.reset()
    for k, v in params.items():
        rr[k] = v


def roadrunner_scenarios(
    sbml_file: str,
    t: np.ndarray,
    selections: list[str],
    params: list[dict[str, float]],
    init: list[dict[str, float]],
    *,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> np.ndarray:
    """As `roadrunner_batch` with initial concentrations, but setting them *before* the
    parameters: in libRoadRunner 2.x assigning ``init([S])`` regenerates the model and
    puts every global parameter back to its SBML value, so parameters set first are lost.
    Returns (patient, time, selection)."""
    rr = _tight_roadrunner(sbml_file, rtol, atol)
    out = np.empty((len(params), len(t), len(selections)))
    for i, (p, y0) in enumerate(zip(params, init, strict=True)):
        _set_initial_then_params(rr, y0, p)
        res = rr.simulate(times=list(map(float, t)), selections=["time"] + selections)
        out[i] = np.asarray(res)[:, 1:]
    return out


def roadrunner_sensitivities(
    sbml_file: str,
    t: np.ndarray,
    selections: list[str],
    params: list[dict[str, float]],
    wrt: list[str],
    *,
    rel_step: float = 1e-4,
    rtol: float = 1e-12,
    atol: float = 1e-16,
) -> np.ndarray:
    """Central finite differences with libRoadRunner of d selection / d ln p.

    Each parameter in `wrt` (SBML ids) is moved to ``p * (1 +- rel_step)`` on top of
    each patient's set `params`; the difference of the two solves divided by
    ``2 * rel_step`` is the derivative with respect to ln p (multiply by 1/p for
    d y / d p). Truncation error O(rel_step^2), solver noise about rtol / rel_step.
    Returns (patient, time, selection, parameter).
    """
    rr = roadrunner_model(sbml_file)
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.setValue("maximum_num_steps", 500000)
    times = list(map(float, t))
    out = np.empty((len(params), len(t), len(selections), len(wrt)))
    for i, base in enumerate(params):
        for j, k in enumerate(wrt):
            ys = []
            for sign in (1.0, -1.0):
                rr.resetAll()
                for name, v in base.items():
                    rr[name] = v
                rr[k] = base[k] * (1.0 + sign * rel_step)
                res = rr.simulate(times=times, selections=["time"] + selections)
                ys.append(np.asarray(res)[:, 1:])
            out[i, :, :, j] = (ys[0] - ys[1]) / (2.0 * rel_step)
    return out


def roadrunner_documents(
    sbml_file: str,
    t: np.ndarray,
    selections: list[str],
    params: list[dict[str, float]],
    *,
    init: list[dict[str, float]] | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> np.ndarray:
    """Simulate each parameter set with libRoadRunner, writing the values into the SBML
    document first (a fresh RoadRunner per set).

    Unlike ``rr[k] = v``, this makes initial assignments that read the parameters see
    the new values (libRoadRunner re-evaluates them only from the document; setting
    ``init(k)`` instead regenerates the model on every call, ~0.5 s each). Keys of
    `params` are global parameter or compartment ids, or ``"reaction.parameter"`` for
    kinetic-law parameters; `init` maps species ids to initial concentrations. `fast`
    reactions are made ordinary, as in `roadrunner_model`. Returns (patient, time,
    selection).
    """
    import libsbml
    import roadrunner

    out = np.empty((len(params), len(t), len(selections)))
    for i, p in enumerate(params):
        doc = libsbml.readSBMLFromFile(str(SBML_DIR / sbml_file))
        m = doc.getModel()
        for r in m.getListOfReactions():
            if r.isSetFast() and r.getFast():
                r.setFast(False)
        for k, v in p.items():
            if "." in k:
                rid, lid = k.split(".", 1)
                kl = m.getReaction(rid).getKineticLaw()
                el = kl.getParameter(lid) or kl.getLocalParameter(lid)
                assert el.setValue(float(v)) == libsbml.LIBSBML_OPERATION_SUCCESS, k
            elif m.getParameter(k) is not None:
                m.getParameter(k).setValue(float(v))
            elif m.getCompartment(k) is not None:
                m.getCompartment(k).setSize(float(v))
            else:
                raise KeyError(k)
        for k, v in (init[i] if init else {}).items():
            s = m.getSpecies(k)
            s.unsetInitialAmount()
            s.setInitialConcentration(float(v))
            if m.getInitialAssignment(k) is not None:
                m.removeInitialAssignment(k)
        rr = roadrunner.RoadRunner(libsbml.writeSBMLToString(doc))
        rr.integrator.setValue("stiff", True)
        rr.integrator.relative_tolerance = rtol
        rr.integrator.absolute_tolerance = atol
        rr.integrator.setValue("maximum_num_steps", 200000)
        res = rr.simulate(times=list(map(float, t)), selections=["time"] + selections)
        out[i] = np.asarray(res)[:, 1:]
    return out


def pathjax_command(*args: str, env: dict | None = None, wait: bool = True, cwd=None):
    """Run ``pathjax ARGS`` in a fresh Python process (the installed entry point's code).

    Returns the `subprocess.CompletedProcess` (``wait=True``) or the running `Popen`.
    `env` adds to the current environment.
    """
    import subprocess
    import sys

    cmd = [sys.executable, "-c", "from pathjax.cli import main; main()", *args]
    full_env = {**os.environ, **(env or {})}
    if wait:
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=cwd)
    return subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=full_env, cwd=cwd
    )


def store_bytes(root: Path, skip: tuple[str, ...] = ("pathjax_manifest.json",)) -> dict[str, bytes]:
    """Every file under `root` (relative path -> bytes), except the names in `skip`."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and path.name not in skip:
            out[str(path.relative_to(root))] = path.read_bytes()
    return out


def make_sbml(
    *,
    level: int = 2,
    version: int = 4,
    compartments=(("c", 1.0, True),),
    species=(),
    parameters=(),
    reactions=(),
    rules=(),
    initial=(),
    events=(),
    functions=(),
    time_units=None,
) -> str:
    """SBML text from compact specs (maths in libsbml's L3 infix syntax).

    species: (id, compartment, value, {"amount": bool, "hosu": bool, "boundary": bool,
    "constant": bool}); parameters: (id, value, constant); reactions: (id, {reactant:
    stoich}, {product: stoich}, formula, {local: value}, fast); rules: (kind, variable,
    formula) with kind "assignment", "rate" or "algebraic"; initial: (symbol, formula);
    events: (id, trigger, [(variable, formula)], delay or None).
    """
    import libsbml

    doc = libsbml.SBMLDocument(level, version)
    m = doc.createModel()
    m.setId("toy")

    def math(formula):
        # The infix parser reads "time" as the time csymbol; "time_id" stands for an
        # ordinary symbol whose id is "time".
        node = libsbml.parseL3Formula(formula)
        assert node is not None, libsbml.getLastParseL3Error()
        node.renameSIdRefs("time_id", "time")
        return node

    for fid, formula in functions:
        f = m.createFunctionDefinition()
        f.setId(fid)
        f.setMath(math(formula))
    for cid, size, constant in compartments:
        c = m.createCompartment()
        c.setId(cid)
        c.setSize(size)
        c.setConstant(constant)
        if level == 3:
            c.setSpatialDimensions(3)
    for sid, comp, value, *opts in species:
        o = opts[0] if opts else {}
        s = m.createSpecies()
        s.setId(sid)
        s.setCompartment(comp)
        if o.get("amount"):
            s.setInitialAmount(value)
        else:
            s.setInitialConcentration(value)
        s.setHasOnlySubstanceUnits(o.get("hosu", False))
        s.setBoundaryCondition(o.get("boundary", False))
        s.setConstant(o.get("constant", False))
    for pid, value, *opts in parameters:
        p = m.createParameter()
        p.setId(pid)
        if value is not None:
            p.setValue(value)
        p.setConstant(opts[0] if opts else True)
    for rid, reactants, products, formula, *opts in reactions:
        local = opts[0] if opts else {}
        fast = opts[1] if len(opts) > 1 else False
        r = m.createReaction()
        r.setId(rid)
        r.setReversible(False)
        if level < 3 or version == 1 or fast:
            r.setFast(fast)
        for sid, st in reactants.items():
            sr = r.createReactant()
            sr.setSpecies(sid)
            sr.setStoichiometry(st)
            if level == 3:
                sr.setConstant(True)
        for sid, st in products.items():
            sr = r.createProduct()
            sr.setSpecies(sid)
            sr.setStoichiometry(st)
            if level == 3:
                sr.setConstant(True)
        kl = r.createKineticLaw()
        for lid, v in local.items():
            lp = kl.createLocalParameter() if level == 3 else kl.createParameter()
            lp.setId(lid)
            lp.setValue(v)
        kl.setMath(math(formula))
    for kind, var, formula in rules:
        r = {
            "assignment": m.createAssignmentRule,
            "rate": m.createRateRule,
            "algebraic": m.createAlgebraicRule,
        }[kind]()
        if var:
            r.setVariable(var)
        r.setMath(math(formula))
    for sym, formula in initial:
        ia = m.createInitialAssignment()
        ia.setSymbol(sym)
        ia.setMath(math(formula))
    for eid, trigger, assigns, *rest in events:
        e = m.createEvent()
        e.setId(eid)
        if level == 3:
            e.setUseValuesFromTriggerTime(True)
        tr = e.createTrigger()
        tr.setMath(math(trigger))
        if level == 3:
            tr.setPersistent(True)
            tr.setInitialValue(rest[1] if len(rest) > 1 else True)
        for var, formula in assigns:
            ea = e.createEventAssignment()
            ea.setVariable(var)
            ea.setMath(math(formula))
        if rest and rest[0] is not None:
            d = e.createDelay()
            d.setMath(math(rest[0]))
    if time_units is not None:
        kind_mult = time_units
        if level == 3:
            m.setTimeUnits("time_unit")
            ud = m.createUnitDefinition()
            ud.setId("time_unit")
        else:
            ud = m.createUnitDefinition()
            ud.setId("time")
        u = ud.createUnit()
        u.setKind(libsbml.UnitKind_forName(kind_mult[0]))
        u.setMultiplier(kind_mult[1])
        u.setExponent(1)
        u.setScale(0)
    return libsbml.writeSBMLToString(doc)


def roadrunner_basal_then_insulin(
    sbml_file: str,
    params: dict[str, float],
    init: dict[str, float],
    insulin: float,
    t: np.ndarray,
    selections: list[str],
    *,
    basal_time: float = 1000.0,
    rtol: float = 1e-10,
    atol: float = 1e-14,
) -> np.ndarray:
    """One patient as a calibration row means it: initial concentrations `init` (SBML
    ids, set first, see `roadrunner_scenarios`), parameters `params` (SBML ids), then
    `basal_time` at insulin 0 (the basal steady state), then insulin held at `insulin`
    (nM) from t = 0. Returns (time, selection) at the times `t` (>= 0) after the step."""
    rr = _tight_roadrunner(sbml_file, rtol, atol)
    _set_initial_then_params(rr, init, params)
    rr["insulin"] = 0.0
    rr.simulate(0.0, basal_time, 2)
    rr["insulin"] = float(insulin)
    times = [basal_time + float(x) for x in np.asarray(t)]
    if times[0] > basal_time:
        times = [basal_time] + times
        res = np.asarray(rr.simulate(times=times, selections=["time"] + selections))[1:, 1:]
    else:
        res = np.asarray(rr.simulate(times=times, selections=["time"] + selections))[:, 1:]
    return res
