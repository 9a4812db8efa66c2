"""pathjax: ensembles of insulin-signalling and insulin-resistance models on JAX.

Quick start::

    import numpy as np, pathjax
    model = pathjax.models.load("sedaghat2002")
    ds = pathjax.simulate(model, np.linspace(0, 60, 121))
    ds["GLUT4_surface"].plot.line(x="time")
"""

import jax as _jax

from ._devices import configure_cpu_devices as _configure_cpu_devices

# pathjax computes in float64 unless a caller asks for less.
_jax.config.update("jax_enable_x64", True)
# One CPU device per core, so that batches are split over all cores (see _devices).
_configure_cpu_devices()

from . import models as models  # noqa: E402
from ._cache import enable_compilation_cache as enable_compilation_cache  # noqa: E402
from ._errors import InputError as InputError  # noqa: E402
from ._errors import Status as Status  # noqa: E402
from .model import Conservation as Conservation  # noqa: E402
from .model import Event as Event  # noqa: E402
from .model import Input as Input  # noqa: E402
from .model import Model as Model  # noqa: E402
from .model import Observable as Observable  # noqa: E402
from .model import Param as Param  # noqa: E402
from .model import State as State  # noqa: E402
from .protocol import Protocol as Protocol  # noqa: E402
from .simulate import estimate_memory as estimate_memory  # noqa: E402
from .simulate import simulate as simulate  # noqa: E402

__version__ = "0.1.0"

enable_compilation_cache()

# Public submodules that load on first use (PEP 562): ``import pathjax`` stays light,
# and ``pathjax.summaries.cohort_table`` works without importing the submodule first.
# (`model`, `protocol`, `models` and `solvers` are imported above anyway; the name
# `pathjax.simulate` is the function, its module is ``pathjax.simulate`` in imports.)
_SUBMODULES = (
    "bench",
    "calibrate",
    "cli",
    "demo",
    "driver",
    "io",
    "model",
    "models",
    "petab",
    "plot",
    "population",
    "protocol",
    "sbml",
    "sensitivity",
    "sharding",
    "solvers",
    "summaries",
    "therapy",
)

__all__ = [
    "Conservation",
    "Event",
    "Input",
    "InputError",
    "Model",
    "Observable",
    "Param",
    "Protocol",
    "State",
    "Status",
    "enable_compilation_cache",
    "estimate_memory",
    "simulate",
    *_SUBMODULES,
]


def __getattr__(name: str):
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
