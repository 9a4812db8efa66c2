"""`Model`: a model is data (named, unit-carrying records) plus pure functions.

A model author writes three small functions over *named views* of one patient's
values and never indexes by position::

    def rhs(t, y, p, u):
        binding = p.k_on * u.insulin * y.receptor
        return {"receptor": -binding, "bound_receptor": binding}

`y`, `p` and `u` give attribute (and item) access to the state, parameter and input
values. The same function runs on scalars (one patient) and on arrays of shape
`(patient,)` (the ensemble engine evaluates every patient at once that way), so it
must be elementwise: `jnp.where`, `jnp.maximum`, `**` and friends, never Python `if`
on a value.
"""

import dataclasses
import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ._errors import InputError, closest, unknown_name

__all__ = [
    "Companions",
    "Conservation",
    "Event",
    "Input",
    "Model",
    "NamedValues",
    "Observable",
    "Param",
    "State",
]


class State(NamedTuple):
    """One state variable.

    Attributes:
        name: readable identifier, e.g. ``"IRS1_pY"``.
        unit: unit of the value, e.g. ``"% of total IRS1"``.
        default: initial value used when the model gives no `initial_state` rule.
        description: one line of biology.
        nonnegative: the equations keep the state >= 0 (a claim the tests check).
        signed: the quantity itself may be negative (a deviation from a basal level, a
            velocity, an SBML parameter moved by a rate rule). Otherwise it is a
            concentration, amount or fraction, and a negative initial value is bad
            input, even where the published equations can drive it below zero
            (``nonnegative=False``).
    """

    name: str
    unit: str
    default: float
    description: str = ""
    nonnegative: bool = True
    signed: bool = False


class Param(NamedTuple):
    """One parameter.

    Attributes:
        name: readable identifier.
        unit: unit of the value.
        default: the published value.
        description: one line of biology.
        lower, upper: admissible range (validation and calibration bounds).
            ``lower=0`` means the value may not be negative.
        kind: ``"kinetic"`` (rate constant, spread in virtual populations),
            ``"condition"`` (experimental condition or disease factor),
            ``"scale"`` (readout scaling), ``"exponent"`` (Hill coefficient),
            ``"intervention"`` (therapy target; neutral default), ``"structural"``.
    """

    name: str
    unit: str
    default: float
    description: str = ""
    lower: float = 0.0
    upper: float = math.inf
    kind: str = "kinetic"


class Observable(NamedTuple):
    """A derived output (readout) computed from states, parameters and inputs."""

    name: str
    unit: str
    description: str = ""


class Input(NamedTuple):
    """An external signal set by a `Protocol` (piecewise constant in time).

    `default` is the baseline level wherever the protocol does not set the input.
    """

    name: str
    unit: str
    default: float = 0.0
    description: str = ""
    lower: float = 0.0


class Event(NamedTuple):
    """A state-triggered discontinuity, located by the solver.

    The event fires when ``trigger(t, y, p, u)`` turns from false to true (as in SBML:
    a trigger already true at the start does not fire). The solver finds the crossing
    on the step's dense output by bisection, stops there, replaces the states returned
    by ``assign(t, y, p, u) -> {state name: new value}`` (all evaluated at the event,
    before any assignment), and restarts. Parameters that an event changes must be
    modelled as states with zero derivative.
    """

    name: str
    trigger: Callable[..., Any]
    assign: Callable[..., Mapping[str, Any]]


class Conservation(NamedTuple):
    """A conserved linear combination of states, ``sum(w * y[s]) = const``."""

    name: str
    weights: tuple[tuple[str, float], ...]


class Companions(NamedTuple):
    """What is known about a model besides its equations, each kind as a zero-argument
    factory (None: nothing of that kind), run when asked for: a model's module need not
    import the packages that read them. Copies of a model (`Model.replace`,
    `Model.with_defaults`) keep them; a model read from SBML has none. The bundled ones
    are in ``pathjax/models/*_companions.py``; attach your own the same way.

    Attributes:
        therapies: ``() -> {class name: pathjax.therapy.TherapyClass}``, read by
            `pathjax.therapy.available`, `describe` and `therapy`.
        cohorts: ``() -> {cohort name: pathjax.population.Cohort}``, the cohorts besides
            ``"reference"``, read by `pathjax.population.cohorts` and `cohort`.
        calibration: ``() -> pathjax.petab.PetabProblem | str | os.PathLike``, the PEtab
            problem the model is calibrated by (or its YAML file), read by
            `pathjax.calibrate.fit` and `load_problem` (Brännmark 2013's: the bundled
            problem ``"brannmark2013"``).
        plausibility: ``() -> tuple[pathjax.population.Range, ...]``, physiological
            bounds on outputs (``at="all"``: every output time, ``"basal"``: the first);
            every `pathjax.simulate` of the model flags the patients who leave them in a
            ``plausible`` variable (the solver status is not changed).

    Examples:
        >>> from pathjax import Model, Param, State, therapy
        >>> from pathjax.model import Companions
        >>> def therapies():
        ...     return {"irs_modulator": therapy.TherapyClass(
        ...         "irs_modulator", "slower decay", (therapy.Target("k", -0.5),))}
        >>> decay = Model(name="decay", state_specs=(State("x", "mM", 1.0),),
        ...     param_specs=(Param("k", "1/min", 1.0),), rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x},
        ...     companions=Companions(therapies=therapies))
        >>> therapy.available(decay)
        ['irs_modulator']
    """

    therapies: Callable[[], Mapping[str, Any]] | None = None
    cohorts: Callable[[], Mapping[str, Any]] | None = None
    calibration: Callable[[], Any] | None = None
    plausibility: Callable[[], Any] | None = None


@functools.cache
def _index(names: tuple[str, ...]) -> Mapping[str, int]:
    return MappingProxyType({n: i for i, n in enumerate(names)})


class NamedValues:
    """Read-only named view of a sequence of values (scalars or arrays).

    ``v.k1a`` and ``v["k1a"]`` return the value of ``k1a``.
    """

    __slots__ = ("_index", "_values")

    def __init__(self, names: tuple[str, ...], values: Sequence[Any]):
        object.__setattr__(self, "_index", _index(names))
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise AttributeError(f"no value named {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise KeyError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("named views are read-only; return new values instead")

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def asdict(self) -> dict[str, Any]:
        return {n: self._values[i] for n, i in self._index.items()}


RhsFn = Callable[[Any, NamedValues, NamedValues, NamedValues], Mapping[str, Any]]
ObsFn = Callable[[Any, NamedValues, NamedValues, NamedValues], Mapping[str, Any]]
InitFn = Callable[[NamedValues], Mapping[str, Any]]


@functools.cache
def _output_keys(fn: Callable, states: tuple, params: tuple, inputs: tuple) -> frozenset:
    """The keys `fn` (an rhs or observables function) returns, found by tracing it once on
    abstract scalars (nothing is computed; cached per function and names)."""
    import jax

    def call(y, p, u):
        return fn(0.0, NamedValues(states, y), NamedValues(params, p), NamedValues(inputs, u))

    scalar = jax.ShapeDtypeStruct((), jnp.result_type(float))
    out = jax.eval_shape(call, *([scalar] * len(names) for names in (states, params, inputs)))
    if not isinstance(out, Mapping):
        raise InputError(f"{getattr(fn, '__name__', fn)!r} must return a dict, got {type(out)}")
    return frozenset(out)


def _check_output_keys(model: "Model", fn: Callable, what: str, expected: tuple) -> None:
    """`InputError` unless `fn` returns exactly the names in `expected` (build time)."""
    keys = _output_keys(fn, model.state_names, model.param_names, model.input_names)
    unknown = sorted(map(str, keys - set(expected)))
    if unknown:
        raise InputError(
            f"model {model.name!r}: {what} returns {unknown[0]!r}, which is not one of its "
            f"{'states' if what == 'rhs' else 'observables'}.{closest(unknown[0], expected)}"
        )
    missing = [n for n in expected if n not in keys]
    if missing:
        raise InputError(
            f"model {model.name!r}: {what} returns no value for {', '.join(map(repr, missing))}"
            " (a constant state needs an explicit 0.0)"
        )


def _no_observables(t, y, p, u):
    return {}


class Model(eqx.Module):
    """A simulatable model: named states, parameters, observables and inputs with
    units, the right-hand side, observables and initial state as pure functions, and
    its provenance.

    Build one with the constructor (keyword arguments) or let `pathjax.models.load`
    or `pathjax.sbml.load` do it. Models compare and hash by identity, so the compiled
    programs cached for a model are reused as long as the same object is used.

    Attributes:
        name: short identifier, e.g. ``"sedaghat2002"``.
        state_specs, param_specs, observable_specs, input_specs: the records.
        rhs_fn: ``rhs_fn(t, y, p, u) -> {state name: d state / d t}``; states left out
            have zero derivative.
        observables_fn: ``observables_fn(t, y, p, u) -> {observable name: value}``.
        initial_state_fn: ``initial_state_fn(p) -> {state name: value}``; states left
            out take `State.default`. ``None`` means every state takes its default.
        time_unit: e.g. ``"min"``, ``"day"``.
        source: citation.
        description: a paragraph for humans.
        sbml_id_pairs: ``(pathjax name, SBML id)`` pairs.
        default_protocol: the scenario that reproduces the source (``None``: inputs at
            their defaults, no doses).
        named_protocols: further named scenarios, ``(name, Protocol)`` pairs.
        conservation: conserved totals (checked by the tests).
        t_end: default end time of a simulation, in `time_unit`.
        event_specs: state-triggered events (`Event`), located by the solver.
        companions: its therapy classes, cohorts and calibration problem (`Companions`).
    """

    name: str = eqx.field(static=True)
    state_specs: tuple[State, ...] = eqx.field(static=True)
    param_specs: tuple[Param, ...] = eqx.field(static=True)
    rhs_fn: RhsFn = eqx.field(static=True)
    observable_specs: tuple[Observable, ...] = eqx.field(static=True, default=())
    input_specs: tuple[Input, ...] = eqx.field(static=True, default=())
    observables_fn: ObsFn = eqx.field(static=True, default=_no_observables)
    initial_state_fn: InitFn | None = eqx.field(static=True, default=None)
    time_unit: str = eqx.field(static=True, default="min")
    source: str = eqx.field(static=True, default="")
    description: str = eqx.field(static=True, default="")
    sbml_id_pairs: tuple[tuple[str, str], ...] = eqx.field(static=True, default=())
    default_protocol: Any = eqx.field(static=True, default=None)
    named_protocols: tuple[tuple[str, Any], ...] = eqx.field(static=True, default=())
    conservation: tuple[Conservation, ...] = eqx.field(static=True, default=())
    t_end: float = eqx.field(static=True, default=60.0)
    event_specs: tuple[Event, ...] = eqx.field(static=True, default=())
    companions: Companions = eqx.field(static=True, default=Companions())

    def __check_init__(self):
        names = self.state_names + self.param_names + self.observable_names + self.input_names
        seen: set[str] = set()
        for n in names:
            if not isinstance(n, str) or not n:
                raise InputError(f"model {self.name!r}: every name must be a non-empty string")
            if n in seen:
                raise InputError(f"model {self.name!r}: name {n!r} is used twice")
            seen.add(n)
        for rec in self.state_specs + self.param_specs + self.observable_specs + self.input_specs:
            if not rec.unit:
                raise InputError(f"model {self.name!r}: {rec.name!r} has no unit")
        for prm in self.param_specs:
            if not (prm.lower <= prm.default <= prm.upper):
                raise InputError(
                    f"model {self.name!r}: parameter {prm.name!r} default {prm.default} "
                    f"lies outside its bounds [{prm.lower}, {prm.upper}]"
                )
        for st in self.state_specs:
            if not math.isfinite(st.default):
                raise InputError(f"model {self.name!r}: state {st.name!r} default is not finite")
        for c in self.conservation:
            for s, _ in c.weights:
                if s not in self._state_index:
                    raise unknown_name("state", s, self.state_names)
        if not isinstance(self.companions, Companions) or not all(
            f is None or callable(f) for f in self.companions
        ):
            raise InputError(f"model {self.name!r}: companions must be Companions of functions")
        names = [e.name for e in self.event_specs]
        if len(set(names)) != len(names):
            raise InputError(f"model {self.name!r}: event names must be unique")
        # a misspelt or forgotten key would otherwise be a silent zero derivative
        _check_output_keys(self, self.rhs_fn, "rhs", self.state_names)
        _check_output_keys(self, self.observables_fn, "observables", self.observable_names)

    # ---- identity -----------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return (
            f"Model({self.name!r}: {len(self.state_specs)} states, "
            f"{len(self.param_specs)} parameters, {len(self.observable_specs)} observables, "
            f"{len(self.input_specs)} inputs; time in {self.time_unit})"
        )

    # ---- names and units ------------------------------------------------------------
    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.state_specs)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.param_specs)

    @property
    def observable_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.observable_specs)

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.input_specs)

    @property
    def _state_index(self) -> Mapping[str, int]:
        return _index(self.state_names)

    @property
    def _param_index(self) -> Mapping[str, int]:
        return _index(self.param_names)

    @property
    def units(self) -> Mapping[str, str]:
        """Unit of every state, parameter, observable and input."""
        recs = self.state_specs + self.param_specs + self.observable_specs + self.input_specs
        return MappingProxyType({r.name: r.unit for r in recs})

    @property
    def sbml_ids(self) -> Mapping[str, str]:
        """pathjax name -> SBML id (empty for original models)."""
        return MappingProxyType(dict(self.sbml_id_pairs))

    @property
    def protocols(self) -> Mapping[str, Any]:
        """Named scenarios; ``"default"`` is the one `simulate` uses when given none."""
        out = {"default": self.default_protocol}
        out.update(dict(self.named_protocols))
        return MappingProxyType(out)

    def default_params(self) -> dict[str, float]:
        """The published parameter values, by name."""
        return {p.name: float(p.default) for p in self.param_specs}

    def param_spec(self, name: str) -> Param:
        idx = self._param_index.get(name)
        if idx is None:
            raise unknown_name("parameter", name, self.param_names)
        return self.param_specs[idx]

    # ---- functions over flat vectors (one patient; vmap for more) ---------------------
    def rhs_tuple(self, t, ys: Sequence, ps: Sequence, us: Sequence) -> tuple:
        """d y / d t as a tuple in state order, from tuples of values (any shape)."""
        d = self.rhs_fn(
            t,
            NamedValues(self.state_names, ys),
            NamedValues(self.param_names, ps),
            NamedValues(self.input_names, us),
        )
        return tuple(d[n] for n in self.state_names)

    def observables_tuple(self, t, ys: Sequence, ps: Sequence, us: Sequence) -> tuple:
        d = self.observables_fn(
            t,
            NamedValues(self.state_names, ys),
            NamedValues(self.param_names, ps),
            NamedValues(self.input_names, us),
        )
        return tuple(d[n] for n in self.observable_names)

    def triggers_tuple(self, t, ys: Sequence, ps: Sequence, us: Sequence) -> tuple:
        """Trigger value of every event (booleans), in event order."""
        y = NamedValues(self.state_names, ys)
        p = NamedValues(self.param_names, ps)
        u = NamedValues(self.input_names, us)
        return tuple(ev.trigger(t, y, p, u) for ev in self.event_specs)

    def assignments(self, index: int, t, ys: Sequence, ps: Sequence, us: Sequence) -> dict:
        """{state index: new value} assigned by event `index`."""
        d = self.event_specs[index].assign(
            t,
            NamedValues(self.state_names, ys),
            NamedValues(self.param_names, ps),
            NamedValues(self.input_names, us),
        )
        return {self._state_index[k]: v for k, v in d.items()}

    def initial_state_tuple(self, ps: Sequence) -> tuple:
        if self.initial_state_fn is None:
            return tuple(s.default for s in self.state_specs)
        d = self.initial_state_fn(NamedValues(self.param_names, ps))
        return tuple(d.get(s.name, s.default) for s in self.state_specs)

    def rhs(self, t, y, p, u=None):
        """d y / d t for one patient: `y` (state,), `p` (param,), `u` (input,)."""
        u = self._inputs_or_default(u)
        out = self.rhs_tuple(t, _split(y), _split(p), _split(u))
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=y.dtype), ()) for v in out])

    def observables(self, t, y, p, u=None):
        """Observable values for one patient, shape (observable,)."""
        u = self._inputs_or_default(u)
        out = self.observables_tuple(t, _split(y), _split(p), _split(u))
        if not out:
            return jnp.zeros((0,), dtype=jnp.asarray(y).dtype)
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=y.dtype), ()) for v in out])

    def initial_state(self, p):
        """Initial state for one patient's parameter vector `p`, shape (state,)."""
        p = jnp.asarray(p)
        out = self.initial_state_tuple(_split(p))
        return jnp.stack([jnp.broadcast_to(jnp.asarray(v, dtype=p.dtype), ()) for v in out])

    def param_vector(self, params: Mapping[str, float] | None = None) -> np.ndarray:
        """Defaults overridden by `params`, as a float64 vector in parameter order."""
        vals = self.default_params()
        for k, v in (params or {}).items():
            if k not in vals:
                raise unknown_name("parameter", k, self.param_names)
            vals[k] = float(v)
        return np.array([vals[n] for n in self.param_names], dtype=np.float64)

    def _inputs_or_default(self, u):
        if u is None:
            return jnp.asarray([i.default for i in self.input_specs], dtype=jnp.float64)
        return jnp.asarray(u)

    def replace(self, **changes) -> "Model":
        """A copy with some fields changed (e.g. ``name`` or ``param_specs``)."""
        return dataclasses.replace(self, **changes)

    def with_defaults(self, name: str | None = None, **defaults: float) -> "Model":
        """A copy whose parameter defaults are changed (e.g. a disease variant)."""
        specs = []
        for prm in self.param_specs:
            if prm.name in defaults:
                specs.append(prm._replace(default=float(defaults.pop(prm.name))))
            else:
                specs.append(prm)
        if defaults:
            raise unknown_name("parameter", next(iter(defaults)), self.param_names)
        return self.replace(param_specs=tuple(specs), name=name or self.name)


def _split(v) -> tuple:
    v = jnp.asarray(v)
    return tuple(v[i] for i in range(v.shape[0])) if v.ndim else ()
