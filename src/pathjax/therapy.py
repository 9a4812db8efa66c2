"""Therapies: named interventions on a model's targets, with dose, start time and an
Emax dose -> effect relation; combinable; pure transforms ``(params, protocol) ->
(params, protocol)``.

A therapy *class* (``receptor_agonist``, ``irs_modulator``, ``anti_inflammatory``,
``antioxidant``, ``insulin_sensitizer``) is mapped, per model, onto parameters
(`Target`); the mapping is one of the model's companions
(``model.companions.therapies``, see `pathjax.model.Companions`). A dose `d` gives the
fractional occupancy

    f(d) = d^h / (EC50^h + d^h)

and each target's effect is ``Emax * f(d)``, applied multiplicatively
(``p * (1 + Emax f)``, an inhibitor has -1 < Emax < 0) or additively (``p + Emax f``,
for an intervention parameter whose neutral value is 0). Two therapies on the same
parameter compose: multiplicative effects multiply (independent action), additive
ones add.

Start times. A parameter cannot change inside one solve, so `simulate` honours a start
time by splitting: the patient is integrated untreated up to `start` (including any
pre-equilibration: the untreated basal state), and the solve continues from the state
at `start` with the treated parameters (outputs at ``t >= start`` are treated;
right-continuous). ``start=None`` (the default) means chronic treatment: the patient
has been on the therapy long enough to sit at the treated steady state, so the effect
also acts during pre-equilibration. A target that sets an amount which only enters the
initial state (e.g. Brännmark's ``GLUT4_total``, a protein expression level) is
``chronic_only``: giving it a start time raises `InputError`, since changing it mid-run
would do nothing.

Examples:
    >>> import pathjax
    >>> pathjax.therapy.available("brannmark2013")
    ['receptor_agonist', 'irs_modulator', 'insulin_sensitizer']
    >>> tx = pathjax.therapy.therapy("brannmark2013", "insulin_sensitizer", dose=1.0)
    >>> params, protocol = tx({"GLUT4_total": 50.0}, None)
    >>> float(params["GLUT4_total"])
    75.0
"""

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import xarray as xr

from ._errors import InputError, closest
from .model import Model
from .models import resolve
from .protocol import Dose, Protocol, Reset, Segment, as_protocol

__all__ = [
    "CLASSES",
    "Regimen",
    "Target",
    "Therapy",
    "TherapyClass",
    "apply",
    "available",
    "describe",
    "occupancy",
    "regimen",
    "simulate",
    "therapy",
]

CLASSES = (
    "receptor_agonist",
    "irs_modulator",
    "anti_inflammatory",
    "antioxidant",
    "insulin_sensitizer",
)
"""The therapy classes pathjax knows (a model maps some of them)."""


class Target(NamedTuple):
    """One parameter a therapy acts on.

    Attributes:
        parameter: the model parameter.
        emax: maximal effect (multiplicative: fraction of change, > -1; additive: in
            the parameter's unit).
        mode: ``"multiply"`` (``p * (1 + emax f)``) or ``"add"`` (``p + emax f``).
        chronic_only: the parameter only enters the initial state, so the therapy can
            only be given chronically (``start=None``).
    """

    parameter: str
    emax: float
    mode: str = "multiply"
    chronic_only: bool = False


@dataclasses.dataclass(frozen=True, eq=False)
class TherapyClass:
    """A therapy class as mapped onto one model.

    Attributes:
        name: one of `CLASSES`.
        description: mechanism, and why these targets.
        targets: the `Target` parameters.
        ec50: dose of half-maximal effect, in `dose_unit`.
        hill: Hill coefficient of the dose -> effect relation.
        dose_unit: unit of the dose.
        source: literature for the mechanism; "assumption" for the numbers chosen here.
    """

    name: str
    description: str
    targets: tuple[Target, ...]
    ec50: float = 1.0
    hill: float = 1.0
    dose_unit: str = "multiples of EC50"
    source: str = ""

    def effects(self, dose: Any) -> dict[str, Any]:
        """{parameter: effect size} at `dose` (scalar or (patient,) array)."""
        f = occupancy(dose, self.ec50, self.hill)
        return {tg.parameter: tg.emax * f for tg in self.targets}


def occupancy(dose: Any, ec50: float, hill: float = 1.0) -> Any:
    """Fractional effect ``d^h / (EC50^h + d^h)`` of the Emax model (0 at dose 0).

    Examples:
        >>> from pathjax.therapy import occupancy
        >>> occupancy(2.0, ec50=2.0)
        0.5
    """
    d = np.asarray(dose, dtype=np.float64)
    dh = d**hill
    out = dh / (ec50**hill + dh)
    return float(out) if out.ndim == 0 else out


def _classes(model: Model) -> dict[str, TherapyClass]:
    """{class name: `TherapyClass`} mapped onto `model` by its companions."""
    factory = model.companions.therapies
    return dict(factory()) if factory else {}


def available(model: Any) -> list[str]:
    """The therapy classes mapped onto `model` (possibly none), in `CLASSES` order.

    Examples:
        >>> import pathjax
        >>> pathjax.therapy.available("sedaghat2002")
        ['irs_modulator']
    """
    found = _classes(resolve(model))
    return [c for c in CLASSES if c in found]


def describe(model: Any, name: str) -> TherapyClass:
    """The `TherapyClass` `name` of `model`.

    Raises:
        InputError: unknown therapy (the message lists those of the model).
    """
    m = resolve(model)
    found = _classes(m)
    if not isinstance(name, str) or name not in found:
        valid = available(m)
        if not valid:
            raise InputError(f"model {m.name!r} has no therapies (no intervention points)")
        raise InputError(
            f"unknown therapy {name!r} for model {m.name!r}.{closest(str(name), valid)} "
            f"Valid therapies: {', '.join(valid)}"
        )
    return found[name]


def _dose(dose: Any, name: str) -> Any:
    if isinstance(dose, bool):
        raise InputError(f"dose of {name!r} must be a number, got {dose!r}")
    try:
        arr = np.asarray(dose, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(
            f"dose of {name!r} must be a number or a 1-D array, got {dose!r}"
        ) from None
    if arr.ndim > 1:
        raise InputError(f"dose of {name!r} must be a scalar or a 1-D array (one per patient)")
    if arr.ndim == 1 and arr.size == 0:
        raise InputError(f"dose of {name!r} is an empty array")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"dose of {name!r} contains NaN or inf")
    if np.any(arr < 0):
        raise InputError(f"dose of {name!r} = {float(arr.min())} is negative")
    return float(arr) if arr.ndim == 0 else arr


def _start(start: Any, name: str) -> float | None:
    if start is None:
        return None
    try:
        s = float(start)
    except (TypeError, ValueError):
        raise InputError(f"start of {name!r} must be a number or None, got {start!r}") from None
    if not math.isfinite(s):
        raise InputError(f"start of {name!r} must be finite, got {s}")
    return s


@dataclasses.dataclass(frozen=True, eq=False)
class Therapy:
    """One therapy class of one model at a dose from a start time; call it as the pure
    transform ``(params, protocol) -> (params, protocol)`` (the effect as if it acted
    from the beginning; `simulate` handles `start`). Combine with ``+``.

    Attributes:
        model: the `Model` it was made for; the base values of its targets are that
            model's defaults (so a modified model, e.g. ``with_defaults(...)``, keeps its
            own values).
        cls: the `TherapyClass`.
        dose: scalar or (patient,) array, in ``cls.dose_unit``.
        start: time it starts (model time unit) or None (chronic).
    """

    model: Model
    cls: TherapyClass
    dose: Any
    start: float | None = None

    @property
    def name(self) -> str:
        return self.cls.name

    def __call__(
        self, params: Mapping[str, Any] | None, protocol: Protocol | None
    ) -> tuple[dict[str, Any], Protocol | None]:
        m = self.model
        out = dict(params or {})
        f = occupancy(self.dose, self.cls.ec50, self.cls.hill)
        for tg in self.cls.targets:
            base = out.get(tg.parameter, m.param_spec(tg.parameter).default)
            base = np.asarray(base, np.float64) if np.ndim(base) else float(base)
            if tg.mode == "multiply":
                out[tg.parameter] = base * (1.0 + tg.emax * f)
            else:
                out[tg.parameter] = base + tg.emax * f
        return out, protocol

    def __add__(self, other: "Therapy | Regimen") -> "Regimen":
        return Regimen((self,)) + other

    def describe(self) -> dict[str, Any]:
        """JSON-ready record: name, dose (or its range), start."""
        dose = (
            self.dose
            if np.ndim(self.dose) == 0
            else [float(np.min(self.dose)), float(np.max(self.dose))]
        )
        return {
            "therapy": self.name,
            "dose": dose,
            "dose_unit": self.cls.dose_unit,
            "start": self.start,
        }


@dataclasses.dataclass(frozen=True, eq=False)
class Regimen:
    """Several therapies given together; applied in order (see module docstring)."""

    therapies: tuple[Therapy, ...] = ()

    def __iter__(self):
        return iter(self.therapies)

    def __len__(self) -> int:
        return len(self.therapies)

    def __add__(self, other: "Therapy | Regimen") -> "Regimen":
        if isinstance(other, Therapy):
            return Regimen(self.therapies + (other,))
        if isinstance(other, Regimen):
            return Regimen(self.therapies + other.therapies)
        return NotImplemented

    def __call__(self, params, protocol):
        for tx in self.therapies:
            params, protocol = tx(params, protocol)
        return dict(params or {}), protocol

    def describe(self) -> str:
        return json.dumps([tx.describe() for tx in self.therapies], default=float)


def therapy(model: Any, name: str, dose: Any = 1.0, start: float | None = None) -> Therapy:
    """A `Therapy` of class `name` for `model` at `dose` from `start`.

    Args:
        model: a `pathjax.Model` or a bundled model name.
        name: a therapy class of the model (see `available`).
        dose: non-negative scalar or (patient,) array, in the class's ``dose_unit``
            (bundled mappings: multiples of the EC50, so 1 gives half the maximal effect).
        start: start time in the model's time unit, or None for chronic treatment.

    Raises:
        InputError: unknown therapy, NaN/inf or negative dose, non-finite start, or a
            start time for a chronic-only therapy.

    Examples:
        >>> import pathjax
        >>> tx = pathjax.therapy.therapy("brannmark2013", "irs_modulator", dose=3.0, start=5.0)
        >>> tx.start
        5.0
    """
    m = resolve(model)
    cls = describe(m, name)
    d = _dose(dose, name)
    s = _start(start, name)
    if s is not None and any(tg.chronic_only for tg in cls.targets):
        raise InputError(
            f"therapy {name!r} of {m.name!r} changes "
            f"{', '.join(tg.parameter for tg in cls.targets if tg.chronic_only)}, which only "
            "sets the initial amount; give it chronically (start=None)"
        )
    return Therapy(m, cls, d, s)


def regimen(model: Any, therapies: Any) -> Regimen:
    """Normalise `therapies` into a `Regimen` for `model`.

    Accepts a `Therapy`, a `Regimen`, a class name, ``(name, dose)``,
    ``(name, dose, start)``, a mapping ``{"therapy": name, "dose": d, "start": s}``, or a
    sequence of these; None or ``()`` is no therapy.
    """
    m = resolve(model)
    if therapies is None:
        return Regimen()
    if isinstance(therapies, (Therapy, Regimen, str, Mapping)) or (
        isinstance(therapies, tuple) and therapies and isinstance(therapies[0], str)
    ):
        therapies = [therapies]
    out: list[Therapy] = []
    for item in therapies:
        if isinstance(item, Regimen):
            out.extend(item.therapies)
        elif isinstance(item, Therapy):
            if item.model.name != m.name:
                raise InputError(
                    f"therapy {item.name!r} was made for {item.model.name!r}, not {m.name!r}"
                )
            # the same class on the model being run: base values are its defaults
            out.append(item if item.model is m else dataclasses.replace(item, model=m))
        elif isinstance(item, str):
            out.append(therapy(m, item))
        elif isinstance(item, Mapping):
            extra = set(item) - {"therapy", "dose", "start"}
            if extra or "therapy" not in item:
                raise InputError(
                    f"a therapy mapping has the keys therapy, dose, start; got {sorted(item)}"
                )
            out.append(therapy(m, item["therapy"], item.get("dose", 1.0), item.get("start")))
        elif isinstance(item, Sequence) and 1 <= len(item) <= 3 and isinstance(item[0], str):
            out.append(therapy(m, *item))
        else:
            raise InputError(f"cannot read {item!r} as a therapy")
    return Regimen(tuple(out))


def apply(
    model: Any,
    params: Mapping[str, Any] | None,
    protocol: Protocol | None,
    therapies: Any,
) -> tuple[dict[str, Any], Protocol | None]:
    """Apply `therapies` (as if acting from the beginning) to ``(params, protocol)``.

    Examples:
        >>> import pathjax
        >>> p, _ = pathjax.therapy.apply("brannmark2013", {}, None, ("irs_modulator", 1e9))
        >>> round(float(p["k_IRS1_tyr_dephos"]) / 3424.0, 3)
        0.2
    """
    return regimen(model, therapies)(params, protocol)


# ---- simulation with start times (a split) ---------------------------------------------


def _shift(protocol: Protocol, by: float) -> Protocol:
    """`protocol` with every time moved by ``-by`` and no pre-equilibration."""
    return Protocol(
        segments=tuple(
            Segment(s.input, s.start - by, s.stop - by, s.level) for s in protocol.segments
        ),
        doses=tuple(Dose(d.state, d.time - by, d.amount) for d in protocol.doses),
        resets=tuple(Reset(r.state, r.time - by, r.value) for r in protocol.resets),
        breakpoints=tuple(b - by for b in protocol.breakpoints),
        preequilibrate=None,
        name=protocol.name,
    )


def _end_states(model: Model, ds: xr.Dataset) -> dict[str, np.ndarray]:
    """States at the last output time as an admissible initial state (a failed patient
    restarts from the defaults; its status is carried by the caller)."""
    y = {}
    for spec in model.state_specs:
        v = ds[spec.name].values[:, -1].astype(np.float64)
        v = np.where(np.isfinite(v), v, spec.default)
        y[spec.name] = v if spec.signed else np.maximum(v, 0.0)
    return y


def simulate(
    model: Any,
    t: Sequence[float] | np.ndarray,
    params: Mapping[str, Any] | None = None,
    protocol: Protocol | str | None = None,
    therapies: Any = (),
    **options: Any,
) -> xr.Dataset:
    """`pathjax.simulate` with `therapies` given at their doses and start times.

    Chronic therapies (``start=None``) change the parameters of the whole run. Timed ones
    split the run at each start (see the module docstring); the pieces use the same
    solver options, and the result has the same layout as `pathjax.simulate`
    (``params`` are those in effect at the end) plus the attribute ``therapies``.

    Args:
        model: a `pathjax.Model` or a bundled model name.
        t: (time,) output times.
        params: parameter name -> scalar or (patient,) array.
        protocol: as for `pathjax.simulate`.
        therapies: anything `regimen` reads.
        **options: passed to `pathjax.simulate` (rtol, atol, solver, chunk_size, ...).

    Raises:
        InputError: bad input, before anything is compiled.

    Examples:
        >>> import numpy as np, pathjax
        >>> ds = pathjax.therapy.simulate("sedaghat2002", np.linspace(0, 30, 4),
        ...     therapies=("irs_modulator", 2.0, 10.0))
        >>> ds.attrs["therapies"][:30]
        '[{"therapy": "irs_modulator", '
    """
    from .simulate import check_times
    from .simulate import simulate as _simulate

    m = resolve(model)
    reg = regimen(m, therapies)
    t = check_times(t)
    proto = as_protocol(m, protocol)
    proto.validate(m)
    chronic = Regimen(tuple(tx for tx in reg if tx.start is None))
    base, proto = chronic(params, proto)
    timed = [tx for tx in reg if tx.start is not None]
    attrs = {"therapies": reg.describe()}
    if not timed:
        ds = _simulate(m, t, base, proto, **options)
        ds.attrs.update(attrs)
        return ds
    t0, t_end = min(0.0, float(t[0])), float(t[-1])
    initial = options.pop("initial", None)
    early = Regimen(tuple(tx for tx in timed if tx.start <= t0))
    if len(early) and proto.preequilibrate:
        # untreated basal state first; the therapy starts at t0
        T = float(proto.preequilibrate)
        pre = _simulate(m, np.array([-T, 0.0]), base, Protocol(), initial=initial, **options)
        initial = _end_states(m, pre)
        status = pre["status"].values.copy()
        proto = dataclasses.replace(proto, preequilibrate=None)
    else:
        status = None
    stage_params, _ = early(base, proto)
    starts = sorted({tx.start for tx in timed if t0 < tx.start < t_end})
    edges = [t0] + starts + [t_end]
    parts: list[xr.Dataset] = []
    for k in range(len(edges) - 1):
        a, b = edges[k], edges[k + 1]
        last = k == len(edges) - 2
        keep = t[(t >= a) & ((t <= b) if last else (t < b))]
        run_t = keep if last else np.append(keep, b)
        shift = a if k else 0.0
        proto_k = proto if k == 0 else _shift(proto, a)
        ds = _simulate(m, run_t - shift, stage_params, proto_k, initial=initial, **options)
        # a patient keeps the code of its first failing stage (later stages restart it
        # from the defaults, so their own code would hide the cause)
        st = ds["status"].values
        status = st.copy() if status is None else np.where(status != 0, status, st)
        if keep.size:
            parts.append(ds.isel(time=slice(0, keep.size)).assign_coords(time=keep))
        if not last:
            initial = _end_states(m, ds)
            stage_params, _ = Regimen(tuple(tx for tx in timed if tx.start == b))(
                stage_params, None
            )
    final = parts[-1]
    timevars = [v for v in final.data_vars if "time" in final[v].dims]
    out = (
        xr.concat(
            [p[timevars] for p in parts],
            dim="time",
            data_vars="all",
            coords="minimal",
            compat="override",
            join="override",
        )
        if len(parts) > 1
        else final[timevars]
    )
    for v in final.data_vars:
        if v not in timevars:
            out[v] = final[v]
    bad = status != 0
    out["status"] = ("patient", status.astype(np.int32), final["status"].attrs)
    for v in timevars:
        if out[v].dtype.kind == "f" and out[v].attrs.get("kind") in ("state", "observable"):
            out[v] = out[v].where(~xr.DataArray(bad, dims="patient"))
    if "n_steps" in out:
        out["n_steps"] = ("patient", sum(p["n_steps"].values for p in parts).astype(np.int32))
    out.attrs.update(final.attrs)
    out.attrs["n_failed"] = int(bad.sum())
    out.attrs.update(attrs)
    return out
