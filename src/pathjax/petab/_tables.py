"""PEtab v1 and v2 problems read by the `petab` library into one plain description.

Both format versions become a `Spec`: the parameter table, the experiments (an optional
pre-equilibration and one simulation period, each a set of target -> value changes),
the observables and the measurements. Values are SymPy expressions (a number, a
parameter id, or in v2 any expression). What the two versions mean differently is
kept as data: in v1 a simulation condition replaces the parameters of the
pre-equilibration condition (`Spec.persist` False); in v2 a period's changes apply on top
of the previous period's (`Spec.persist` True).

Anything pathjax cannot simulate is an `InputError` naming the table, the column and the
value, raised here, before a model is built or anything compiles.
"""

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from .._errors import InputError

__all__ = ["Experiment", "Measurement", "ObservableDef", "ParameterDef", "Spec", "read"]

SCALES = ("lin", "log", "log10")
TRANSFORMS = ("lin", "log", "log10")
NOISE = ("normal", "laplace")
PRIORS_V1 = (
    "uniform", "normal", "laplace", "logNormal", "logLaplace",
    "parameterScaleUniform", "parameterScaleNormal", "parameterScaleLaplace",
)  # fmt: skip
# v2 prior names -> the v1 name with the same density
PRIORS_V2 = {
    "uniform": "uniform", "normal": "normal", "laplace": "laplace",
    "log-normal": "logNormal", "log-laplace": "logLaplace", "log-uniform": "logUniform",
}  # fmt: skip


@dataclass(frozen=True)
class ParameterDef:
    """One row of the parameter table (values on the linear scale)."""

    id: str
    scale: str
    lower: float
    upper: float
    nominal: float
    estimate: bool
    prior: tuple[str, tuple[float, ...]] | None = None


@dataclass(frozen=True)
class Experiment:
    """What one simulated unit is: optional pre-equilibration, then one period.

    Attributes:
        id: the experiment (v2) or ``"<preeq>/<sim>"`` condition pair (v1).
        pre: the pre-equilibration's changes (target -> value), None: none.
        pre_key: equal keys mean the same pre-equilibration (solved once).
        t0: the period's start.
        changes: the period's changes (target -> value).
        conditions: the condition ids (pre-equilibration, simulation), for the
            simulation table.
    """

    id: str
    pre: dict[str, sp.Expr] | None
    pre_key: Any
    t0: float
    changes: dict[str, sp.Expr]
    conditions: tuple[str, str]


@dataclass(frozen=True)
class ObservableDef:
    """One observable: formulas, placeholders and noise model."""

    id: str
    formula: sp.Expr
    noise: sp.Expr
    placeholders: tuple[str, ...]
    noise_placeholders: tuple[str, ...]
    distribution: str
    transform: str


@dataclass(frozen=True)
class Measurement:
    """One data point and the values of its observable's placeholders."""

    experiment: int
    observable: str
    time: float
    value: float
    overrides: tuple[sp.Expr, ...]
    noise_overrides: tuple[sp.Expr, ...]


@dataclass
class Spec:
    """A PEtab problem as pathjax reads it (see the module docstring)."""

    version: int
    sbml: Path
    parameters: list[ParameterDef]
    experiments: list[Experiment]
    observables: dict[str, ObservableDef]
    measurements: list[Measurement]
    persist: bool
    measurement_df: Any
    name: str = ""
    notes: list[str] = field(default_factory=list)


def read(path: str | Path) -> Spec:
    """Read and validate the PEtab problem whose YAML file is `path`."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"PEtab problem: no such file {str(p)!r}")
    import yaml

    try:
        config = yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        raise InputError(f"PEtab problem {str(p)!r}: not valid YAML ({e})") from None
    if not isinstance(config, dict) or "format_version" not in config:
        raise InputError(f"PEtab problem {str(p)!r}: no format_version in the YAML file")
    version = str(config["format_version"]).split(".")[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if version == "1":
            return _read_v1(p)
        if version == "2":
            return _read_v2(p)
    raise InputError(
        f"PEtab problem {str(p)!r}: format_version {config['format_version']!r} is not "
        "supported (1 or 2)"
    )


# --------------------------------------------------------------------------- helpers


def _value(x: Any, where: str) -> sp.Expr:
    """A table entry (number or id or expression) as a SymPy expression."""
    from petab.v1.math import sympify_petab

    if isinstance(x, bool | np.bool_):
        raise InputError(f"{where}: {x!r} is not a number or a parameter id")
    if isinstance(x, int | float | np.integer | np.floating):
        return sp.Float(float(x))
    try:
        return sympify_petab(str(x).strip())
    except Exception as e:  # the library raises several kinds for bad maths
        raise InputError(f"{where}: cannot read {x!r} ({e})") from None


def _isnan(x: Any) -> bool:
    return isinstance(x, float | np.floating) and math.isnan(x)


def _check_prior(kind: str, params: tuple[float, ...], where: str) -> None:
    """Every supported prior has two parameters (location/scale or lower/upper)."""
    if len(params) != 2 or not all(math.isfinite(v) for v in params):
        raise InputError(f"{where}: prior {kind!r} needs 2 finite parameters, got {params}")


def _open(loader: Any, path: Path) -> Any:
    """The `petab` library's problem object, its failure as an `InputError`."""
    try:
        return loader(str(path))
    except Exception as e:  # the library raises many kinds for a bad problem
        raise InputError(f"PEtab problem {str(path)!r} does not load: {e}") from None


# --------------------------------------------------------------------------- v1


def _read_v1(path: Path) -> Spec:
    import petab.v1 as v1
    from petab.v1 import measurements as meas
    from petab.v1.observables import get_formula_placeholders

    problem = _open(v1.Problem.from_yaml, path)
    if problem.model is None or problem.model.type_id != "sbml":
        raise InputError(f"PEtab problem {str(path)!r}: pathjax needs an SBML model")
    sbml = Path(path).parent / _v1_sbml_file(path)
    if problem.mapping_df is not None and len(problem.mapping_df):
        raise InputError(f"PEtab problem {str(path)!r}: the mapping table is not supported")

    # parameter table
    pdf = problem.parameter_df
    params = []
    for pid, row in pdf.iterrows():
        where = f"parameter table, row {pid!r}"
        scale = row.get("parameterScale", "lin")
        scale = "lin" if _isnan(scale) else str(scale)
        if scale not in SCALES:
            raise InputError(f"{where}, column parameterScale: {scale!r} (use {SCALES})")
        prior = None
        kind = row.get("objectivePriorType", math.nan)
        if not _isnan(kind) and str(kind).strip():
            kind = str(kind).strip()
            if kind not in PRIORS_V1:
                raise InputError(f"{where}, column objectivePriorType: {kind!r} is not supported")
            raw = row.get("objectivePriorParameters", math.nan)
            if _isnan(raw) and kind == "parameterScaleUniform":
                values = ()
            else:
                values = tuple(float(v) for v in str(raw).split(";"))
                _check_prior(kind, values, f"{where}, column objectivePriorParameters")
            prior = (kind, values)
        params.append(
            ParameterDef(
                id=str(pid),
                scale=scale,
                lower=float(row.get("lowerBound", -math.inf)),
                upper=float(row.get("upperBound", math.inf)),
                nominal=float(row["nominalValue"]),
                estimate=bool(int(row["estimate"])),
                prior=prior,
            )  # fmt: skip
        )

    # observables
    observables = {}
    for oid, row in problem.observable_df.iterrows():
        where = f"observable table, row {oid!r}"
        transform = row.get("observableTransformation", "lin")
        transform = "lin" if _isnan(transform) else str(transform)
        if transform not in TRANSFORMS:
            raise InputError(f"{where}, column observableTransformation: {transform!r}")
        dist = row.get("noiseDistribution", "normal")
        dist = "normal" if _isnan(dist) else str(dist)
        if dist not in NOISE:
            raise InputError(f"{where}, column noiseDistribution: {dist!r} (use {NOISE})")
        formula, noise = str(row["observableFormula"]), row.get("noiseFormula", math.nan)
        if _isnan(noise):
            raise InputError(f"{where}, column noiseFormula: empty")
        observables[str(oid)] = ObservableDef(
            id=str(oid),
            formula=_value(formula, f"{where}, column observableFormula"),
            noise=_value(noise, f"{where}, column noiseFormula"),
            placeholders=tuple(get_formula_placeholders(formula, str(oid), "observable")),
            noise_placeholders=tuple(get_formula_placeholders(str(noise), str(oid), "noise")),
            distribution=dist,
            transform=transform,
        )

    # conditions
    cdf = problem.condition_df
    targets = [c for c in cdf.columns if c != "conditionName"]

    def changes(cid: str) -> dict[str, sp.Expr]:
        if cid not in cdf.index:
            raise InputError(f"condition table: no condition {cid!r} (measurement table)")
        out = {}
        for t in targets:
            x = cdf.loc[cid, t]
            if _isnan(x) or (isinstance(x, str) and not x.strip()):
                continue
            out[t] = _value(x, f"condition table, column {t!r}, row {cid!r}")
        return out

    # experiments: the (pre-equilibration, simulation) condition pairs
    mdf = problem.measurement_df
    pre_col = mdf.get("preequilibrationConditionId")
    experiments: list[Experiment] = []
    index: dict[tuple[str, str], int] = {}
    measurements = []
    for i, row in enumerate(mdf.itertuples(index=False)):
        r = row._asdict()
        where = f"measurement table, row {i}"
        sim = str(r["simulationConditionId"])
        pre = "" if pre_col is None else r["preequilibrationConditionId"]
        pre = "" if _isnan(pre) or pre is None else str(pre)
        key = (pre, sim)
        if key not in index:
            index[key] = len(experiments)
            experiments.append(
                Experiment(
                    id=f"{pre}/{sim}" if pre else sim,
                    pre=changes(pre) if pre else None,
                    pre_key=pre or None,
                    t0=0.0,
                    changes=changes(sim),
                    conditions=key,
                )  # fmt: skip
            )
        oid = str(r["observableId"])
        if oid not in observables:
            raise InputError(f"{where}, column observableId: unknown observable {oid!r}")
        obs = observables[oid]
        over = _overrides(r.get("observableParameters"), obs.placeholders,
                          f"{where}, column observableParameters", meas)  # fmt: skip
        nover = _overrides(r.get("noiseParameters"), obs.noise_placeholders,
                           f"{where}, column noiseParameters", meas)  # fmt: skip
        t = float(r["time"])
        if math.isnan(t) or t == -math.inf:
            raise InputError(f"{where}, column time: {r['time']!r}")
        measurements.append(Measurement(index[key], oid, t, float(r["measurement"]), over, nover))
    _lint(problem, path, v1.lint_problem)  # after the checks above, which name the cell
    return Spec(
        version=1, sbml=sbml, parameters=params, experiments=experiments,
        observables=observables, measurements=measurements, persist=False,
        measurement_df=mdf, name=_problem_name(path),
    )  # fmt: skip


def _problem_name(path: Path) -> str:
    """The YAML file's name, or its folder's where the file has a generic name."""
    path = Path(path)
    return path.parent.name if path.stem.lower() in ("problem", "petab", "") else path.stem


def _v1_sbml_file(path: Path) -> str:
    import yaml

    config = yaml.safe_load(Path(path).read_text())
    problems = config.get("problems") or [{}]
    if len(problems) != 1:
        raise InputError(f"PEtab problem {str(path)!r}: {len(problems)} sub-problems (use one)")
    files = problems[0].get("sbml_files") or problems[0].get("model_files") or []
    if len(files) != 1:
        raise InputError(f"PEtab problem {str(path)!r}: needs exactly one SBML file")
    return str(files[0])


def _overrides(raw: Any, placeholders: tuple[str, ...], where: str, meas) -> tuple:
    """The override values of a measurement's placeholders, in order."""
    if raw is None or _isnan(raw) or (isinstance(raw, str) and not raw.strip()):
        values = []
    else:
        values = meas.split_parameter_replacement_list(raw)
    if len(values) != len(placeholders):
        raise InputError(
            f"{where}: {len(values)} value(s) {raw!r} for the placeholders {list(placeholders)}"
        )
    return tuple(_value(v, where) for v in values)


def _lint(problem: Any, path: Path, lint: Any) -> None:
    import logging

    class Grab(logging.Handler):
        def __init__(self):
            super().__init__(logging.ERROR)
            self.messages: list[str] = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    grab = Grab()
    log = logging.getLogger("petab")
    log.addHandler(grab)
    try:
        failed = lint(problem)
    except Exception as e:  # the linter raises for some problems instead of logging
        raise InputError(f"PEtab problem {str(path)!r} is not valid: {e}") from None
    finally:
        log.removeHandler(grab)
    if failed:
        detail = "; ".join(grab.messages[:5]) or "see the petab linter"
        raise InputError(f"PEtab problem {str(path)!r} is not valid: {detail}")


# --------------------------------------------------------------------------- v2


def _read_v2(path: Path) -> Spec:
    import petab.v2 as v2

    problem = _open(v2.Problem.from_yaml, path)
    if len(problem.models) != 1 or problem.model.type_id != "sbml":
        raise InputError(f"PEtab problem {str(path)!r}: pathjax needs exactly one SBML model")
    if problem.mappings:
        raise InputError(f"PEtab problem {str(path)!r}: the mapping table is not supported")
    _lint_v2(problem, path)
    import yaml

    config = yaml.safe_load(Path(path).read_text())
    (model_entry,) = config["model_files"].values()
    sbml = Path(path).parent / model_entry["location"]

    params = []
    for par in problem.parameters:
        where = f"parameter table, row {par.id!r}"
        prior = None
        if par.prior_distribution is not None:
            kind = str(getattr(par.prior_distribution, "value", par.prior_distribution))
            if kind not in PRIORS_V2:
                raise InputError(f"{where}, column priorDistribution: {kind!r} is not supported")
            values = tuple(float(v) for v in par.prior_parameters)
            _check_prior(PRIORS_V2[kind], values, f"{where}, column priorParameters")
            prior = (PRIORS_V2[kind], values)
        lb = -math.inf if par.lb is None else float(par.lb)
        ub = math.inf if par.ub is None else float(par.ub)
        nominal = math.nan if par.nominal_value is None else float(par.nominal_value)
        # v2 has no parameter scales: positive-bounded parameters are fitted in log10
        scale = "log10" if lb > 0 else "lin"
        params.append(ParameterDef(par.id, scale, lb, ub, nominal, bool(par.estimate), prior))

    observables = {}
    for obs in problem.observables:
        where = f"observable table, row {obs.id!r}"
        dist = str(getattr(obs.noise_distribution, "value", obs.noise_distribution))
        base, transform = {
            "normal": ("normal", "lin"), "laplace": ("laplace", "lin"),
            "log-normal": ("normal", "log"), "log-laplace": ("laplace", "log"),
        }.get(dist, (None, None))  # fmt: skip
        if base is None:
            raise InputError(f"{where}, column noiseDistribution: {dist!r} is not supported")
        observables[obs.id] = ObservableDef(
            id=obs.id, formula=sp.sympify(obs.formula), noise=sp.sympify(obs.noise_formula),
            placeholders=tuple(str(s) for s in obs.observable_placeholders),
            noise_placeholders=tuple(str(s) for s in obs.noise_placeholders),
            distribution=base, transform=transform,
        )  # fmt: skip

    conditions = {c.id: c for c in problem.conditions}

    def changes(ids: list[str], where: str) -> dict[str, sp.Expr]:
        out = {}
        for cid in ids:
            if cid not in conditions:
                raise InputError(f"{where}: unknown condition {cid!r}")
            for ch in conditions[cid].changes:
                out[ch.target_id] = sp.sympify(ch.target_value)
        return out

    experiments, index = [], {}
    for exp in problem.experiments:
        where = f"experiment table, experiment {exp.id!r}"
        periods = sorted(exp.periods, key=lambda q: q.time)
        pre = None
        if periods and periods[0].time == -math.inf:
            pre = changes(periods[0].condition_ids, where)
            pre_ids = tuple(periods[0].condition_ids)
            periods = periods[1:]
        if len(periods) > 1:
            raise InputError(
                f"{where}, column time: {len(periods)} periods after the pre-equilibration; "
                "pathjax simulates one period per experiment"
            )
        t0 = float(periods[0].time) if periods else 0.0
        main = changes(periods[0].condition_ids, where) if periods else {}
        index[exp.id] = len(experiments)
        experiments.append(
            Experiment(
                id=exp.id,
                pre=pre,
                pre_key=pre_ids if pre is not None else None,
                t0=t0,
                changes=main,
                conditions=(
                    ";".join(pre_ids) if pre is not None else "",
                    ";".join(periods[0].condition_ids) if periods else "",
                ),
            )  # fmt: skip
        )

    measurements = []
    for i, m in enumerate(problem.measurements):
        where = f"measurement table, row {i}"
        if m.experiment_id is None:
            if "" not in index:
                index[""] = len(experiments)
                experiments.append(Experiment("", None, None, 0.0, {}, ("", "")))
            e = index[""]
        elif m.experiment_id not in index:
            raise InputError(f"{where}, column experimentId: unknown {m.experiment_id!r}")
        else:
            e = index[m.experiment_id]
        obs = observables.get(m.observable_id)
        if obs is None:
            raise InputError(f"{where}, column observableId: unknown {m.observable_id!r}")
        over = tuple(sp.sympify(v) for v in m.observable_parameters)
        nover = tuple(sp.sympify(v) for v in m.noise_parameters)
        for got, need, col in ((over, obs.placeholders, "observableParameters"),
                               (nover, obs.noise_placeholders, "noiseParameters")):  # fmt: skip
            if len(got) != len(need):
                raise InputError(f"{where}, column {col}: {len(got)} value(s) for {list(need)}")
        measurements.append(
            Measurement(e, m.observable_id, float(m.time), float(m.measurement), over, nover)
        )
    return Spec(
        version=2, sbml=sbml, parameters=params, experiments=experiments,
        observables=observables, measurements=measurements, persist=True,
        measurement_df=problem.measurement_df, name=_problem_name(path),
    )  # fmt: skip


def _lint_v2(problem: Any, path: Path) -> None:
    try:
        result = problem.validate()
    except Exception as e:  # pragma: no cover - the validator itself failing
        raise InputError(f"PEtab problem {str(path)!r} does not validate: {e}") from None
    errors = [str(r) for r in (result or []) if "ERROR" in str(getattr(r, "level", "")).upper()]
    if errors:
        raise InputError(f"PEtab problem {str(path)!r} is not valid: {'; '.join(errors[:5])}")
