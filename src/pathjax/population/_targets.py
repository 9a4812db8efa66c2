"""Population targets: published distributions of clinical markers that a calibrated
cohort must reproduce, and the Kolmogorov-Smirnov distance that measures how well it does.

A `Target` is one marker of one group (e.g. the fasting plasma glucose of adults with
normal glucose tolerance): the model output and time it is read at (``plasma_glucose`` at
t = 0 of the OGTT is the fasting glucose, at t = 120 min the 2-h glucose), and the
distribution the source reports. `Targets` is one group's markers with its source. The
bundled ones are package data (``pathjax/data/population_targets/*.json``, with a README
that gives every number's source); `targets` loads them.
"""

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np
import xarray as xr

from .._errors import InputError, unknown_name

__all__ = [
    "MARKERS",
    "Target",
    "Targets",
    "available_targets",
    "ks_distance",
    "ks_report",
    "marker_values",
    "targets",
]

#: marker name -> (model output, time after the glucose load in min) for OGTT markers
MARKERS: Mapping[str, tuple[str, float]] = {
    "fasting_glucose": ("plasma_glucose", 0.0),
    "glucose_2h": ("plasma_glucose", 120.0),
    "fasting_insulin": ("plasma_insulin", 0.0),
    "insulin_2h": ("plasma_insulin", 120.0),
    "HOMA_IR": ("HOMA_IR", 0.0),
}


@dataclasses.dataclass(frozen=True)
class Target:
    """The distribution of one marker in one group: normal with `mean` and `sd`.

    Attributes:
        marker: e.g. ``"fasting_glucose"``.
        output: the model output it is read from.
        time: when (model time unit; 0: the fasting state before the challenge).
        unit: unit of the values.
        mean, sd: the normal distribution's mean and standard deviation (the source's).
        source: where the numbers come from.
    """

    marker: str
    output: str
    time: float
    unit: str
    mean: float
    sd: float
    source: str = ""

    def __post_init__(self):
        if not (math.isfinite(self.mean) and math.isfinite(self.sd) and self.sd > 0):
            raise InputError(
                f"target {self.marker!r}: mean must be finite and sd positive, "
                f"got mean={self.mean!r}, sd={self.sd!r}"
            )
        if not (math.isfinite(self.time) and self.time >= 0):
            raise InputError(f"target {self.marker!r}: time must be >= 0, got {self.time!r}")

    def cdf(self, x: Any) -> np.ndarray:
        """The target's cumulative distribution function at `x`."""
        from scipy.special import ndtr

        return ndtr((np.asarray(x, np.float64) - self.mean) / self.sd)

    def pdf(self, x: Any) -> np.ndarray:
        """The target's density at `x`."""
        z = (np.asarray(x, np.float64) - self.mean) / self.sd
        return np.exp(-0.5 * z * z) / (self.sd * math.sqrt(2.0 * math.pi))


@dataclasses.dataclass(frozen=True)
class Targets:
    """The markers of one group of patients, with their source.

    Attributes:
        name: e.g. ``"normoglycaemia"``.
        description: who the patients are.
        source: full citation of the table the numbers come from.
        markers: the `Target` records (unique marker names; the times read must be 0
            and at most one other time, that of the challenge).
    """

    name: str
    description: str
    source: str
    markers: tuple[Target, ...]

    def __post_init__(self):
        object.__setattr__(self, "markers", tuple(self.markers))
        names = [t.marker for t in self.markers]
        if not names or len(set(names)) != len(names):
            raise InputError(f"targets {self.name!r}: marker names must be unique, got {names}")
        if len(self.times) > 1:
            raise InputError(
                f"targets {self.name!r}: markers are read at t = 0 and one other time, "
                f"got {sorted({t.time for t in self.markers})}"
            )

    @property
    def times(self) -> tuple[float, ...]:
        """The non-zero times the markers are read at (at most one)."""
        return tuple(sorted({t.time for t in self.markers if t.time > 0}))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.marker for t in self.markers)


def _data_dir():
    return resources.files("pathjax") / "data" / "population_targets"


def available_targets() -> list[str]:
    """Names of the bundled targets.

    Examples:
        >>> from pathjax.population import available_targets
        >>> available_targets()
        ['igt', 'normoglycaemia']
    """
    out = []
    for f in _data_dir().iterdir():
        if f.name.endswith(".json"):
            out.extend(json.loads(f.read_text())["groups"])
    return sorted(out)


def targets(name: "str | Targets") -> Targets:
    """The bundled `Targets` called `name` (a `Targets` is returned as is).

    Raises:
        InputError: unknown name (the valid ones listed).

    Examples:
        >>> from pathjax.population import targets
        >>> t = targets("normoglycaemia")
        >>> t.names, t.markers[0].mean
        (('fasting_glucose', 'glucose_2h'), 90.0)
    """
    if isinstance(name, Targets):
        return name
    if not isinstance(name, str):
        raise InputError(f"targets must be a name or a pathjax.population.Targets, got {name!r}")
    for f in _data_dir().iterdir():
        if not f.name.endswith(".json"):
            continue
        doc = json.loads(f.read_text())
        group = doc["groups"].get(name)
        if group is None:
            continue
        recs = []
        for marker, v in group["markers"].items():
            output, time = MARKERS[marker]
            recs.append(
                Target(
                    marker,
                    output,
                    time,
                    v["unit"],
                    float(v["mean"]),
                    float(v["sd"]),
                    source=f"{doc['source']} ({v.get('table', 'Table 1')})",
                )  # fmt: skip
            )
        return Targets(name, group["description"], doc["source"], tuple(recs))
    raise unknown_name("targets", name, available_targets())


def marker_values(population: xr.Dataset, tgt: "str | Targets") -> dict[str, np.ndarray]:
    """{marker: (patient,) values} read from a population result at each marker's time.

    Only patients that solved (``status`` 0) and are plausible (``plausible`` 1, where the
    result has it) are kept: the distribution of a cohort is that of its plausible
    patients.

    Raises:
        InputError: an output or time the population does not hold.
    """
    tg = targets(tgt)
    keep = population["status"].values == 0
    if "plausible" in population:
        keep &= population["plausible"].values == 1
    times = np.asarray(population["time"].values, np.float64)
    out = {}
    for t in tg.markers:
        if t.output not in population.data_vars:
            raise unknown_name("output", t.output, list(population.data_vars))
        hit = np.flatnonzero(np.isclose(times, t.time, rtol=0.0, atol=1e-9))
        if hit.size == 0:
            raise InputError(
                f"marker {t.marker!r} is read at t = {t.time:g}, which the population's "
                f"times {times.tolist()} do not hold"
            )
        out[t.marker] = np.asarray(population[t.output].values[:, hit[0]], np.float64)[keep]
    return out


def ks_distance(values: Sequence[float] | np.ndarray, target: Target) -> float:
    """Kolmogorov-Smirnov distance sup |F_n(x) - F(x)| between the empirical distribution
    of `values` and the target's.

    Examples:
        >>> from pathjax.population import Target, ks_distance
        >>> t = Target("x", "x", 0.0, "1", 0.0, 1.0)
        >>> round(ks_distance([0.0], t), 3)
        0.5
    """
    x = np.sort(np.asarray(values, np.float64))
    x = x[np.isfinite(x)]
    if x.size == 0:
        return 1.0
    f = target.cdf(x)
    n = x.size
    upper = np.arange(1, n + 1) / n - f
    lower = f - np.arange(0, n) / n
    return float(max(upper.max(), lower.max()))


def ks_report(population: xr.Dataset, tgt: "str | Targets") -> dict[str, float]:
    """{marker: Kolmogorov-Smirnov distance to the target} of a population result (its
    plausible, solved patients, `marker_values`)."""
    tg = targets(tgt)
    vals = marker_values(population, tg)
    return {t.marker: ks_distance(vals[t.marker], t) for t in tg.markers}
