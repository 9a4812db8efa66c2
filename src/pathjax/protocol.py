"""`Protocol`: piecewise-constant input schedules and state doses.

A protocol is a set of *segments* (an input held at a level on ``[start, stop)``),
*doses* (an amount added to a state at an instant) and an optional
pre-equilibration. Outside its segments an input sits at its baseline
(`Input.default`). Every segment boundary and dose time is a *switching time*: the
solver stops exactly there, applies the change and restarts, so discontinuities are
never stepped over.

Levels and dose amounts may be scalars or 1-D arrays with one value per patient
(e.g. a dose-response across a batch); switching times are shared by all patients.

Examples:
    >>> from pathjax import Protocol
    >>> p = Protocol.step("insulin", 100.0, start=0.0, stop=15.0)
    >>> p.switching_times()
    (0.0, 15.0)
    >>> both = p + Protocol.dose("glucose_gut", 75000.0, at=30.0)
    >>> both.switching_times()
    (0.0, 15.0, 30.0)
"""

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from ._errors import InputError, unknown_name

__all__ = ["CompiledProtocol", "Dose", "Protocol", "Reset", "Segment"]


class Segment(NamedTuple):
    """Input `input` held at `level` on ``[start, stop)`` (``stop=inf``: for ever)."""

    input: str
    start: float
    stop: float
    level: Any  # float or (patient,) array


class Dose(NamedTuple):
    """`amount` added to state `state` at time `time` (a bolus)."""

    state: str
    time: float
    amount: Any  # float or (patient,) array


class Reset(NamedTuple):
    """State `state` set to `value` at time `time` (e.g. a washout, a medium change)."""

    state: str
    time: float
    value: Any  # float or (patient,) array


def _level(x: Any, what: str) -> Any:
    if isinstance(x, (int, float, np.floating, np.integer)):
        v = float(x)
        if not math.isfinite(v):
            raise InputError(f"{what} is {v}; it must be finite")
        return v
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 0:
        return _level(float(arr), what)
    if arr.ndim != 1:
        raise InputError(f"{what} must be a scalar or a 1-D array (one value per patient)")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{what} contains NaN or inf")
    return arr


def _time(x: Any, what: str, allow_inf: bool = False) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number, got {x!r}") from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        raise InputError(f"{what} is {v}; it must be finite")
    return v


@dataclasses.dataclass(frozen=True, eq=False)
class Protocol:
    """Piecewise-constant inputs, doses and pre-equilibration for a simulation.

    Build with the class methods and combine with ``+``. Protocols are immutable.

    Attributes:
        segments: input levels on time intervals.
        doses: additions to states at instants.
        resets: states set to a value at instants (applied after doses at the same
            time).
        breakpoints: extra switching times where nothing changes but the right-hand
            side is not smooth (e.g. the kinks of a time-piecewise SBML rule); the solver
            stops exactly there.
        preequilibrate: if set, the patient is first simulated for this long with every
            input at its baseline and no doses, and the end state becomes the initial
            state (a basal steady state for models whose published initial values are
            one only for the published parameters). ``math.inf``: the steady state
            itself, by Newton's method on the system reduced by its conservation laws,
            falling back to integration for a patient where Newton fails; a patient
            that reaches none gets status 5 (`Status.NO_STEADY_STATE`).
        name: label for plots and files.
    """

    segments: tuple[Segment, ...] = ()
    doses: tuple[Dose, ...] = ()
    preequilibrate: float | None = None
    name: str = ""
    resets: tuple[Reset, ...] = ()
    breakpoints: tuple[float, ...] = ()

    def __post_init__(self):
        for s in self.segments:
            if not s.start < s.stop:
                raise InputError(
                    f"protocol segment for input {s.input!r} has start {s.start} not before "
                    f"stop {s.stop}"
                )
        by_input: dict[str, list[Segment]] = {}
        for s in self.segments:
            by_input.setdefault(s.input, []).append(s)
        for name, segs in by_input.items():
            segs = sorted(segs, key=lambda s: s.start)
            for a, b in zip(segs, segs[1:]):
                if b.start < a.stop:
                    raise InputError(
                        f"protocol segments for input {name!r} overlap: [{a.start}, {a.stop}) "
                        f"and [{b.start}, {b.stop})"
                    )
        if self.preequilibrate is not None and not (
            isinstance(self.preequilibrate, numbers.Real)
            and not isinstance(self.preequilibrate, bool)
            and not math.isnan(self.preequilibrate)
            and self.preequilibrate > 0
        ):
            raise InputError(
                f"preequilibrate must be a positive duration or math.inf (the steady "
                f"state), got {self.preequilibrate!r}"
            )

    # ---- constructors ------------------------------------------------------------------
    @classmethod
    def constant(cls, input: str | None = None, level: Any = None, /, **levels: Any) -> "Protocol":
        """Inputs held at the given levels for all time.

        Like `step`, the input and its level may be given positionally,
        ``constant("insulin", 10.0)`` (also ``constant(input="insulin", level=10.0)``);
        several inputs at once by keyword, ``constant(insulin=10.0, glucose=5.0)``.
        """
        if input is None and isinstance(levels.get("input"), str):
            # the keyword spelling of step's (input, level) signature
            input = levels.pop("input")
            if "level" not in levels:
                raise InputError(f"Protocol.constant({input!r}) needs a level")
            level = levels.pop("level")
        if input is not None:
            if not isinstance(input, str):
                raise InputError(f"Protocol.constant: the input must be a name, got {input!r}")
            if level is None:
                raise InputError(f"Protocol.constant({input!r}) needs a level")
            if input in levels:
                raise InputError(f"Protocol.constant: input {input!r} is given twice")
            levels = {input: level, **levels}
        elif level is not None:
            raise InputError(f"Protocol.constant: a level ({level!r}) needs an input name")
        segs = tuple(
            Segment(k, -math.inf, math.inf, _level(v, f"level of {k!r}")) for k, v in levels.items()
        )
        return cls(segments=segs)

    @classmethod
    def step(cls, input: str, level: Any, start: float = 0.0, stop: float = math.inf) -> "Protocol":
        """`input` at `level` from `start` until `stop` (baseline elsewhere)."""
        return cls(
            segments=(
                Segment(
                    input,
                    _time(start, "step start", allow_inf=True),
                    _time(stop, "step stop", allow_inf=True),
                    _level(level, f"level of {input!r}"),
                ),
            )
        )

    @classmethod
    def pulses(
        cls,
        input: str,
        level: Any,
        start: float,
        width: float,
        period: float,
        count: int,
    ) -> "Protocol":
        """`count` rectangular pulses of `level`, each `width` long, every `period`."""
        width = _time(width, "pulse width")
        period = _time(period, "pulse period")
        if width <= 0 or period < width:
            raise InputError(f"pulses need 0 < width <= period, got width {width}, period {period}")
        if int(count) != count or count < 1:
            raise InputError(f"pulse count must be a positive integer, got {count}")
        start = _time(start, "pulse start")
        lev = _level(level, f"level of {input!r}")
        segs = tuple(
            Segment(input, start + i * period, start + i * period + width, lev)
            for i in range(count)
        )
        return cls(segments=segs)

    @classmethod
    def series(
        cls, input: str, times: Sequence[float], levels: Sequence[Any], stop: float = math.inf
    ) -> "Protocol":
        """`input` set to ``levels[i]`` from ``times[i]`` until the next time (or `stop`)."""
        if len(times) != len(levels) or not len(times):
            raise InputError("series needs as many levels as times, at least one")
        ts = [_time(t, "series time") for t in times] + [_time(stop, "series stop", True)]
        if any(b <= a for a, b in zip(ts, ts[1:])):
            raise InputError(f"series times must be strictly increasing, got {list(times)}")
        segs = tuple(
            Segment(input, ts[i], ts[i + 1], _level(levels[i], f"level of {input!r}"))
            for i in range(len(levels))
        )
        return cls(segments=segs)

    @classmethod
    def dose(cls, state: str, amount: Any, at: float) -> "Protocol":
        """Add `amount` to `state` at time `at` (a bolus, e.g. an oral glucose load)."""
        return cls(doses=(Dose(state, _time(at, "dose time"), _level(amount, "dose amount")),))

    @classmethod
    def doses_at(cls, state: str, amounts: Sequence[Any], times: Sequence[float]) -> "Protocol":
        """A dose series: ``amounts[i]`` added to `state` at ``times[i]``."""
        if len(amounts) != len(times):
            raise InputError("dose series needs as many amounts as times")
        return cls(
            doses=tuple(
                Dose(state, _time(t, "dose time"), _level(a, "dose amount"))
                for a, t in zip(amounts, times)
            )
        )

    @classmethod
    def set_state(cls, state: str, value: Any, at: float) -> "Protocol":
        """Set `state` to `value` at time `at` (e.g. a washout: ``value=0``)."""
        return cls(resets=(Reset(state, _time(at, "reset time"), _level(value, "reset value")),))

    @classmethod
    def breaks(cls, *times: float) -> "Protocol":
        """Switching times without any change (kinks of a time-dependent model)."""
        return cls(breakpoints=tuple(_time(t, "breakpoint") for t in times))

    def __add__(self, other: "Protocol") -> "Protocol":
        if not isinstance(other, Protocol):
            return NotImplemented
        pre = [p for p in (self.preequilibrate, other.preequilibrate) if p is not None]
        return Protocol(
            segments=self.segments + other.segments,
            doses=self.doses + other.doses,
            resets=self.resets + other.resets,
            breakpoints=self.breakpoints + other.breakpoints,
            preequilibrate=max(pre) if pre else None,
            name=" + ".join(n for n in (self.name, other.name) if n),
        )

    def with_preequilibration(self, duration: float) -> "Protocol":
        """The same protocol preceded by `duration` at baseline (``math.inf``: the
        steady state; see `preequilibrate`)."""
        return dataclasses.replace(self, preequilibrate=float(duration))

    def named(self, name: str) -> "Protocol":
        return dataclasses.replace(self, name=name)

    # ---- queries -----------------------------------------------------------------------
    def switching_times(self) -> tuple[float, ...]:
        """Sorted finite times at which an input changes or a dose is given."""
        ts = set()
        for s in self.segments:
            for x in (s.start, s.stop):
                if math.isfinite(x):
                    ts.add(float(x))
        for d in self.doses:
            ts.add(float(d.time))
        for r in self.resets:
            ts.add(float(r.time))
        ts.update(float(b) for b in self.breakpoints)
        return tuple(sorted(ts))

    def inputs_used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.input for s in self.segments))

    def n_patients(self) -> int | None:
        """Length of per-patient levels/amounts, or None if all are scalars.

        Raises:
            InputError: if two per-patient arrays have different lengths.
        """
        n = None
        values = [s.level for s in self.segments] + [d.amount for d in self.doses]
        for v in values + [r.value for r in self.resets]:
            if isinstance(v, np.ndarray):
                if n is not None and v.shape[0] != n:
                    raise InputError(
                        f"protocol per-patient values have different lengths ({n} and {v.shape[0]})"
                    )
                n = v.shape[0]
        return n

    def validate(self, model) -> None:
        """Check names and signs against `model`.

        Raises:
            InputError: unknown input or state name, negative level for an input that
                may not be negative.
        """
        specs = {i.name: i for i in model.input_specs}
        for s in self.segments:
            if s.input not in specs:
                raise unknown_name("input", s.input, model.input_names)
            lo = specs[s.input].lower
            if np.any(np.asarray(s.level) < lo):
                raise InputError(
                    f"input {s.input!r} level {np.min(s.level)} is below its lower bound {lo}"
                )
        for d in list(self.doses) + list(self.resets):
            if d.state not in model.state_names:
                raise unknown_name("state", d.state, model.state_names)
        seen = set()
        for r in self.resets:
            if (r.state, r.time) in seen:
                raise InputError(f"state {r.state!r} is reset twice at time {r.time}")
            seen.add((r.state, r.time))
        self.n_patients()

    def input_level(self, model, name: str, t: float) -> Any:
        """Level of input `name` at time `t` (right-continuous)."""
        for s in self.segments:
            if s.input == name and s.start <= t < s.stop:
                return s.level
        return next(i.default for i in model.input_specs if i.name == name)

    def compile(self, model, t0: float, t_end: float, n_patients: int) -> "CompiledProtocol":
        """Arrays the solver consumes (see `CompiledProtocol`)."""
        self.validate(model)
        stops = [t for t in self.switching_times() if t0 < t < t_end]
        n_seg = len(stops) + 1
        seg_starts = [t0] + stops
        n_in = len(model.input_specs)
        U = np.zeros((n_seg, n_in, n_patients))
        for k, spec in enumerate(model.input_specs):
            for j, ts in enumerate(seg_starts):
                U[j, k, :] = self.input_level(model, spec.name, ts)
        n_st = len(model.state_specs)
        D = np.zeros((len(stops), n_st, n_patients))
        D0 = np.zeros((n_st, n_patients))
        R = np.full((len(stops), n_st, n_patients), np.nan)
        R0 = np.full((n_st, n_patients), np.nan)
        sidx = {n: i for i, n in enumerate(model.state_names)}
        for d in self.doses:
            if d.time == t0:
                D0[sidx[d.state]] += d.amount
            elif t0 < d.time < t_end:
                D[stops.index(d.time), sidx[d.state]] += d.amount
        for r in self.resets:
            if r.time == t0:
                R0[sidx[r.state]] = r.value
            elif t0 < r.time < t_end:
                R[stops.index(r.time), sidx[r.state]] = r.value
        return CompiledProtocol(np.asarray(stops, dtype=np.float64), U, D, D0, R, R0)

    def describe(self) -> str:
        parts = []
        for s in self.segments:
            lev = s.level if np.ndim(s.level) == 0 else f"<{len(s.level)} values>"
            parts.append(f"{s.input}={lev} on [{s.start}, {s.stop})")
        for d in self.doses:
            amt = d.amount if np.ndim(d.amount) == 0 else f"<{len(d.amount)} values>"
            parts.append(f"+{amt} {d.state} at {d.time}")
        for r in self.resets:
            val = r.value if np.ndim(r.value) == 0 else f"<{len(r.value)} values>"
            parts.append(f"{r.state}={val} at {r.time}")
        if self.preequilibrate == math.inf:
            parts.append("pre-equilibrated to the steady state")
        elif self.preequilibrate:
            parts.append(f"pre-equilibrated for {self.preequilibrate}")
        return "; ".join(parts) or "inputs at baseline"


class CompiledProtocol(NamedTuple):
    """Solver-facing protocol on ``[t0, t_end]`` for `n` patients.

    Attributes:
        stops: (n_stops,) switching times strictly inside ``(t0, t_end)``.
        inputs: (n_stops + 1, n_inputs, patient) input levels on each interval.
        doses: (n_stops, n_states, patient) additions applied at each stop.
        initial_doses: (n_states, patient) additions applied at ``t0``.
        resets: (n_stops, n_states, patient) values set at each stop (NaN: none),
            applied after the doses.
        initial_resets: (n_states, patient) values set at ``t0`` (NaN: none).
    """

    stops: np.ndarray
    inputs: np.ndarray
    doses: np.ndarray
    initial_doses: np.ndarray
    resets: np.ndarray
    initial_resets: np.ndarray

    def apply_initial(self, y0: np.ndarray) -> np.ndarray:
        """Initial doses and resets applied to (state, patient) initial states."""
        y = y0 + self.initial_doses
        return np.where(np.isnan(self.initial_resets), y, self.initial_resets)


def as_protocol(model, protocol: "Protocol | str | None") -> "Protocol":
    """Resolve None / a protocol name / a Protocol against `model`."""
    if protocol is None:
        return model.default_protocol if model.default_protocol is not None else Protocol()
    if isinstance(protocol, str):
        protos: Mapping[str, Any] = model.protocols
        if protocol not in protos:
            raise unknown_name("protocol", protocol, list(protos))
        p = protos[protocol]
        return p if p is not None else Protocol()
    if not isinstance(protocol, Protocol):
        raise InputError(f"protocol must be a pathjax.Protocol, a name or None, got {protocol!r}")
    return protocol
