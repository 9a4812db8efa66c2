"""Per-parameter distributions: small `from_normal`/`log_prob` pairs.

Every distribution turns a standard normal draw into a value (`from_normal`), which is
what the Gaussian copula needs: correlated normals go in, correlated values with the
right marginals come out. `sample` is the same with the draws taken from a seed
(patient *i* from ``fold_in(key(seed), i)``), and `log_prob` is the log density.
All arithmetic after the draw is NumPy float64, so a seed gives bitwise-identical values.
"""

import dataclasses
import math

import numpy as np
from scipy import special

from .._errors import InputError
from .._sampling import patient_normals

__all__ = [
    "Distribution",
    "Fixed",
    "LogNormal",
    "LogitNormal",
    "TruncatedNormal",
    "Uniform",
]


def _number(name: str, value, *, positive: bool = False, nonnegative: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"{name} must be finite, got {v}")
    if positive and not v > 0:
        raise InputError(f"{name} must be positive, got {v}")
    if nonnegative and v < 0:
        raise InputError(f"{name} must not be negative, got {v}")
    return v


class Distribution:
    """A one-dimensional distribution of a parameter or covariate (abstract).

    Subclasses define `from_normal` (a standard normal draw -> a value, monotone
    increasing, so that the Gaussian copula keeps the sign of correlations), `log_prob`
    and `support`.
    """

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """Values for standard normal draws `z` (any shape), by the quantile transform."""
        raise NotImplementedError

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        """Log density at `x` (``-inf`` outside the support)."""
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """(lower, upper) bounds of the values."""
        raise NotImplementedError

    @property
    def random(self) -> bool:
        """False for a fixed value (it then takes no random dimension)."""
        return True

    def sample(self, n: int, seed: int) -> np.ndarray:
        """`n` values; value *i* depends only on (`seed`, *i*).

        Examples:
            >>> from pathjax.population import LogNormal
            >>> x = LogNormal(mean=2.0, cv=0.1).sample(4, seed=0)
            >>> x.shape
            (4,)
        """
        return self.from_normal(patient_normals(seed, 0, n, 1)[:, 0])


@dataclasses.dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal with the given arithmetic `mean` and coefficient of variation `cv`.

    ``x = mean * exp(s z - s^2 / 2)`` with ``s^2 = log(1 + cv^2)``; `cv` = 0 gives `mean`.

    Examples:
        >>> import numpy as np
        >>> from pathjax.population import LogNormal
        >>> float(LogNormal(mean=100.0, cv=0.2).from_normal(np.zeros(1))[0]) < 100.0
        True
    """

    mean: float
    cv: float

    def __post_init__(self):
        object.__setattr__(self, "mean", _number("LogNormal mean", self.mean, positive=True))
        object.__setattr__(self, "cv", _number("LogNormal cv", self.cv, nonnegative=True))

    @property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def random(self) -> bool:
        return self.cv > 0

    def from_normal(self, z):
        s = self.sigma
        return self.mean * np.exp(s * np.asarray(z, np.float64) - 0.5 * s * s)

    def log_prob(self, x):
        x = np.asarray(x, np.float64)
        s = self.sigma
        mu = math.log(self.mean) - 0.5 * s * s
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.log(x)
            out = -0.5 * ((lx - mu) / s) ** 2 - lx - math.log(s * math.sqrt(2 * math.pi))
        return np.where(x > 0, out, -np.inf)

    @property
    def support(self):
        return (0.0, math.inf)


@dataclasses.dataclass(frozen=True)
class TruncatedNormal(Distribution):
    """Normal(`mean`, `sd`) restricted to [`lower`, `upper`] (either may be infinite).

    Examples:
        >>> from pathjax.population import TruncatedNormal
        >>> x = TruncatedNormal(mean=0.2, sd=0.3, lower=0.0).sample(100, seed=1)
        >>> bool((x >= 0).all())
        True
    """

    mean: float
    sd: float
    lower: float = -math.inf
    upper: float = math.inf

    def __post_init__(self):
        object.__setattr__(self, "mean", _number("TruncatedNormal mean", self.mean))
        object.__setattr__(self, "sd", _number("TruncatedNormal sd", self.sd, positive=True))
        lo, hi = float(self.lower), float(self.upper)
        if math.isnan(lo) or math.isnan(hi) or not lo < hi:
            raise InputError(f"TruncatedNormal needs lower < upper, got [{lo}, {hi}]")
        a, b = special.ndtr((lo - self.mean) / self.sd), special.ndtr((hi - self.mean) / self.sd)
        if not b - a > 1e-12:
            raise InputError(
                f"TruncatedNormal [{lo}, {hi}] holds no probability for mean {self.mean}, "
                f"sd {self.sd}"
            )
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    def _cdf_bounds(self) -> tuple[float, float]:
        return (
            float(special.ndtr((self.lower - self.mean) / self.sd)),
            float(special.ndtr((self.upper - self.mean) / self.sd)),
        )

    def from_normal(self, z):
        a, b = self._cdf_bounds()
        u = a + special.ndtr(np.asarray(z, np.float64)) * (b - a)
        x = self.mean + self.sd * special.ndtri(np.clip(u, 1e-300, 1 - 1e-16))
        return np.clip(x, self.lower, self.upper)

    def log_prob(self, x):
        x = np.asarray(x, np.float64)
        a, b = self._cdf_bounds()
        zz = (x - self.mean) / self.sd
        out = -0.5 * zz**2 - math.log(self.sd * math.sqrt(2 * math.pi) * (b - a))
        return np.where((x >= self.lower) & (x <= self.upper), out, -np.inf)

    @property
    def support(self):
        return (self.lower, self.upper)


@dataclasses.dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform on [`lower`, `upper`].

    Examples:
        >>> from pathjax.population import Uniform
        >>> x = Uniform(0.5, 1.5).sample(10, seed=0)
        >>> bool(((x >= 0.5) & (x <= 1.5)).all())
        True
    """

    lower: float
    upper: float

    def __post_init__(self):
        lo = _number("Uniform lower", self.lower)
        hi = _number("Uniform upper", self.upper)
        if not lo < hi:
            raise InputError(f"Uniform needs lower < upper, got [{lo}, {hi}]")
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    def from_normal(self, z):
        return self.lower + (self.upper - self.lower) * special.ndtr(np.asarray(z, np.float64))

    def log_prob(self, x):
        x = np.asarray(x, np.float64)
        inside = (x >= self.lower) & (x <= self.upper)
        return np.where(inside, -math.log(self.upper - self.lower), -np.inf)

    @property
    def support(self):
        return (self.lower, self.upper)


@dataclasses.dataclass(frozen=True)
class Fixed(Distribution):
    """Every patient has `value` (no random dimension).

    Examples:
        >>> from pathjax.population import Fixed
        >>> Fixed(0.15).sample(3, seed=0).tolist()
        [0.15, 0.15, 0.15]
    """

    value: float

    def __post_init__(self):
        object.__setattr__(self, "value", _number("Fixed value", self.value))

    @property
    def random(self) -> bool:
        return False

    def from_normal(self, z):
        return np.full(np.shape(z), self.value, dtype=np.float64)

    def log_prob(self, x):
        x = np.asarray(x, np.float64)
        return np.where(x == self.value, 0.0, -np.inf)

    @property
    def support(self):
        return (self.value, self.value)


@dataclasses.dataclass(frozen=True)
class LogitNormal(Distribution):
    """A value in (`lower`, `upper`) whose logit (on that range) is normal around the
    logit of `center` with standard deviation `sigma`.

    The spread used for a kinetic parameter bounded on both sides (the log-normal CV's
    sigma on the logit scale), so every draw is admissible.

    Examples:
        >>> from pathjax.population import LogitNormal
        >>> x = LogitNormal(center=0.9, sigma=0.5, lower=0.0, upper=1.0).sample(50, seed=0)
        >>> bool(((x > 0) & (x < 1)).all())
        True
    """

    center: float
    sigma: float
    lower: float
    upper: float

    def __post_init__(self):
        c = _number("LogitNormal center", self.center)
        s = _number("LogitNormal sigma", self.sigma, nonnegative=True)
        lo = _number("LogitNormal lower", self.lower)
        hi = _number("LogitNormal upper", self.upper)
        if not lo < c < hi:
            raise InputError(f"LogitNormal needs lower < center < upper, got {lo}, {c}, {hi}")
        object.__setattr__(self, "center", c)
        object.__setattr__(self, "sigma", s)
        object.__setattr__(self, "lower", lo)
        object.__setattr__(self, "upper", hi)

    @property
    def random(self) -> bool:
        return self.sigma > 0

    def from_normal(self, z):
        width = self.upper - self.lower
        x = (self.center - self.lower) / width
        logit = math.log(x / (1 - x)) + self.sigma * np.asarray(z, np.float64)
        return self.lower + width * special.expit(logit)

    def log_prob(self, x):
        x = np.asarray(x, np.float64)
        width = self.upper - self.lower
        with np.errstate(divide="ignore", invalid="ignore"):
            y = (x - self.lower) / width
            logit = np.log(y / (1 - y))
            c = (self.center - self.lower) / width
            mu = math.log(c / (1 - c))
            out = (
                -0.5 * ((logit - mu) / self.sigma) ** 2
                - math.log(self.sigma * math.sqrt(2 * math.pi))
                - np.log(y * (1 - y) * width)
            )
        return np.where((x > self.lower) & (x < self.upper), out, -np.inf)

    @property
    def support(self):
        return (self.lower, self.upper)
