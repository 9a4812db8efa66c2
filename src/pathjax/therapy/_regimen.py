"""`Therapy` (one class at a dose from a start time) and `Regimen` (several given
together), the pure transforms ``(params, protocol) -> (params, protocol)``, and the
functions that build them from names."""

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._errors import InputError
from ..model import Model
from ..models import resolve
from ..protocol import Protocol
from ._classes import TherapyClass, describe, occupancy

__all__ = ["Regimen", "Therapy", "apply", "regimen", "therapy"]


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
    """Several therapies given together; applied in order (see `pathjax.therapy`)."""

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
