"""`Cohort`: what a virtual population of one model looks like, as data.

A cohort says, for one model, which parameters are drawn from which distribution
(disease factors and their inter-individual spread), how much every other kinetic
parameter is spread around its published value, which covariates (patient
characteristics such as BMI) exist and act on which parameters, how these are
correlated (a Gaussian copula), which simulated readouts a plausible patient must show
(`Plausibility`), and how long to pre-equilibrate before any protocol (a changed
parameter moves the basal steady state).
"""

import dataclasses
import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from .._errors import InputError, unknown_name
from ..protocol import Protocol
from ._distributions import Distribution, LogitNormal, LogNormal

__all__ = [
    "Cohort",
    "Correlation",
    "Covariate",
    "Effect",
    "Plausibility",
    "Range",
    "reference_cohort",
]


class Effect(NamedTuple):
    """How a covariate value `c` changes a parameter `p` of a patient.

    ``kind="power"``: ``p *= (c / reference) ** coefficient`` (allometric; keeps the sign);
    ``kind="linear"``: ``p += coefficient * (c - reference)``.
    """

    parameter: str
    coefficient: float
    kind: str = "power"
    reference: float = 1.0


@dataclasses.dataclass(frozen=True, eq=False)
class Covariate:
    """A patient characteristic that is not itself a model parameter (e.g. BMI).

    Attributes:
        name: identifier, stored in results under ``covariate``.
        unit: its unit.
        distribution: its distribution in the cohort.
        effects: the parameters it changes (`Effect`), applied after the parameters are
            drawn, in order.
        description: one line, with the source of the effects.
    """

    name: str
    unit: str
    distribution: Distribution
    effects: tuple[Effect, ...] = ()
    description: str = ""


@dataclasses.dataclass(frozen=True, eq=False)
class Correlation:
    """A correlation matrix over named random parameters and covariates (Gaussian copula).

    Attributes:
        names: the parameters/covariates, in the matrix's order.
        matrix: symmetric, unit diagonal, positive definite.

    Examples:
        >>> from pathjax.population import Correlation
        >>> c = Correlation(("IR_total", "GLUT4_total"), [[1.0, 0.5], [0.5, 1.0]])
        >>> c.cholesky().shape
        (2, 2)
    """

    names: tuple[str, ...]
    matrix: Any

    def __post_init__(self):
        names = tuple(self.names)
        if len(set(names)) != len(names) or not names:
            raise InputError(f"correlation names must be unique and non-empty, got {names}")
        try:
            m = np.array(self.matrix, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("correlation matrix must be a square array of numbers") from None
        if m.shape != (len(names), len(names)):
            raise InputError(
                f"correlation matrix has shape {m.shape}; {len(names)} names need "
                f"({len(names)}, {len(names)})"
            )
        if not np.all(np.isfinite(m)):
            raise InputError("correlation matrix contains NaN or inf")
        if not np.allclose(m, m.T, atol=1e-12):
            raise InputError("correlation matrix must be symmetric")
        if not np.allclose(np.diag(m), 1.0):
            raise InputError("correlation matrix must have ones on its diagonal")
        if np.any(np.abs(m) > 1):
            raise InputError("correlations must lie in [-1, 1]")
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            raise InputError("correlation matrix must be positive definite") from None
        m.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "matrix", m)

    def cholesky(self) -> np.ndarray:
        """Lower-triangular L with ``L @ L.T == matrix``."""
        return np.linalg.cholesky(self.matrix)


class Range(NamedTuple):
    """A readout a plausible patient keeps inside [`lower`, `upper`].

    `at`: ``"basal"`` (value at t = 0, after pre-equilibration, before the challenge acts),
    ``"response"`` (value at `Plausibility.time`), ``"fold"`` (response / basal) or
    ``"all"`` (every time looked at: basal and response in a `Plausibility`, every output
    time in a model's own bounds, `pathjax.summaries.within_bounds`).
    """

    output: str
    lower: float
    upper: float
    at: str = "response"


@dataclasses.dataclass(frozen=True, eq=False)
class Plausibility:
    """Physiological ranges a virtual patient must satisfy, and the challenge that shows
    them: the patient is pre-equilibrated (if the cohort asks for it), `protocol` is
    applied from t = 0 and the readouts are taken at t = 0 and t = `time`.

    A patient outside any range, or whose solve fails, is rejected and redrawn.

    Attributes:
        ranges: the `Range` checks.
        time: when the response is read, in the model's time unit.
        protocol: the challenge (None: the model's default protocol).
        description: what the ranges stand for and where they come from.
        acceptance: None, or a callable ``f(challenge result) -> (patient,)
            probabilities``: a candidate inside the ranges is then accepted with that
            probability (acceptance-rejection to target distributions, as
            `calibrate_cohort` builds), using a uniform that is a hash of its parameters.
    """

    ranges: tuple[Range, ...]
    time: float
    protocol: Protocol | None = None
    description: str = ""
    acceptance: Any = None

    def __post_init__(self):
        if not (math.isfinite(self.time) and self.time > 0):
            raise InputError(f"plausibility time must be positive, got {self.time}")
        for r in self.ranges:
            if r.at not in ("basal", "response", "fold", "all"):
                raise InputError(
                    f"plausibility range at={r.at!r} for {r.output!r}; "
                    "valid: basal, response, fold, all"
                )
            if not r.lower <= r.upper:
                raise InputError(f"plausibility range for {r.output!r} has lower > upper")


@dataclasses.dataclass(frozen=True, eq=False)
class Cohort:
    """A virtual population of one model.

    Attributes:
        name: e.g. ``"t2d"``.
        description: one paragraph: who these patients are.
        source: where the numbers come from (citations, or "assumption" with the reason).
        parameters: parameter name -> `Distribution` (absolute values); parameters not
            named keep their published value, or, if kinetic, are spread by `kinetic_cv`.
        kinetic_cv: coefficient of variation of the mean-one log-normal spread of every
            other ``kind="kinetic"`` parameter (inter-individual variability); a kinetic
            parameter bounded on both sides is spread on the logit scale of its range.
        covariates: patient characteristics with effects on parameters.
        correlation: Gaussian copula over random parameters and covariates.
        plausibility: ranges a patient must satisfy (None: parameter bounds only).
        preequilibrate: duration of the basal pre-equilibration added to every protocol
            run with this cohort (model time unit), or None.

    Examples:
        >>> import pathjax
        >>> c = pathjax.population.cohort("brannmark2013", "t2d")
        >>> sorted(c.parameters)
        ['GLUT4_total', 'IR_total', 'diabetes']
    """

    name: str
    description: str
    source: str
    parameters: Mapping[str, Distribution] = dataclasses.field(default_factory=dict)
    kinetic_cv: float = 0.2
    covariates: tuple[Covariate, ...] = ()
    correlation: Correlation | None = None
    plausibility: Plausibility | None = None
    preequilibrate: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "covariates", tuple(self.covariates))
        for k, d in self.parameters.items():
            if not isinstance(d, Distribution):
                raise InputError(f"cohort {self.name!r}: parameter {k!r} needs a Distribution")
        if not (math.isfinite(self.kinetic_cv) and self.kinetic_cv >= 0):
            raise InputError(f"cohort {self.name!r}: kinetic_cv must be >= 0")
        if self.preequilibrate is not None and not (
            math.isfinite(self.preequilibrate) and self.preequilibrate > 0
        ):
            raise InputError(f"cohort {self.name!r}: preequilibrate must be positive")

    def check(self, model) -> None:
        """Check every name against `model`.

        Raises:
            InputError: unknown parameter/output name, a cohort that sets a therapy
                (``kind="intervention"``) parameter, or a correlation over a name that is
                not drawn at random.
        """
        for k in self.parameters:
            spec = model.param_spec(k)
            if spec.kind == "intervention":
                raise InputError(
                    f"cohort {self.name!r} sets {k!r}, an intervention parameter; "
                    "interventions belong to pathjax.therapy"
                )
        random_names = {k for k, d in self.parameters.items() if d.random}
        cov_names = [c.name for c in self.covariates]
        if len(set(cov_names)) != len(cov_names):
            raise InputError(f"cohort {self.name!r}: covariate names must be unique")
        for c in self.covariates:
            if c.name in model.param_names:
                raise InputError(f"covariate {c.name!r} has the name of a model parameter")
            if c.distribution.random:
                random_names.add(c.name)
            for e in c.effects:
                model.param_spec(e.parameter)
                if e.kind not in ("power", "linear"):
                    raise InputError(f"covariate effect kind {e.kind!r}; valid: power, linear")
        if self.correlation is not None:
            for k in self.correlation.names:
                if k not in random_names:
                    raise unknown_name("random parameter or covariate", k, sorted(random_names))
        if self.plausibility is not None:
            outputs = model.state_names + model.observable_names
            for r in self.plausibility.ranges:
                if r.output not in outputs:
                    raise unknown_name("output", r.output, outputs)

    def challenge(self, model) -> Protocol:
        """The plausibility challenge protocol, with the cohort's pre-equilibration."""
        from ..protocol import as_protocol

        proto = as_protocol(model, self.plausibility.protocol if self.plausibility else None)
        return self.with_preequilibration(proto)

    def with_preequilibration(self, protocol: Protocol) -> Protocol:
        """`protocol` preceded by the cohort's pre-equilibration (if it has none)."""
        if self.preequilibrate and not protocol.preequilibrate:
            return protocol.with_preequilibration(self.preequilibrate)
        return protocol


def reference_cohort(model) -> Cohort:
    """The cohort every model has: its published parameters, every kinetic parameter
    spread log-normally with CV 20 % (as ``pathjax simulate --cv 0.2``), no plausibility
    simulation (parameter bounds only)."""
    return Cohort(
        "reference",
        f"The published parameters of {model.name}, kinetic parameters log-normal CV 20 %.",
        model.source or "the model's own parameters",
        kinetic_cv=0.2,
    )


class Dim(NamedTuple):
    """One random dimension of a cohort: which name, which distribution, which role."""

    name: str
    distribution: Distribution
    role: str  # "covariate" | "parameter" | "kinetic"


def random_dims(model, cohort: Cohort) -> tuple[Dim, ...]:
    """The cohort's random dimensions, in a fixed order: covariates, named parameters
    (model order), spread kinetic parameters (model order). Patient *i*'s draws are one
    normal vector over these dimensions."""
    dims = [Dim(c.name, c.distribution, "covariate") for c in cohort.covariates]
    dims = [d for d in dims if d.distribution.random]
    for spec in model.param_specs:
        d = cohort.parameters.get(spec.name)
        if d is not None:
            if d.random:
                dims.append(Dim(spec.name, d, "parameter"))
            continue
        if spec.kind != "kinetic" or cohort.kinetic_cv == 0 or spec.default <= 0:
            continue
        if math.isfinite(spec.upper) and spec.lower < spec.default < spec.upper:
            s = math.sqrt(math.log1p(cohort.kinetic_cv**2))
            dist: Distribution = LogitNormal(spec.default, s, spec.lower, spec.upper)
        else:
            dist = LogNormal(spec.default, cohort.kinetic_cv)
        dims.append(Dim(spec.name, dist, "kinetic"))
    return tuple(dims)


def check_names(values: Sequence[str], valid: Sequence[str], kind: str) -> None:
    for v in values:
        if v not in valid:
            raise unknown_name(kind, v, valid)
