"""Bundled models: `available()` lists them, `load(name)` builds one.

Every bundled model is built by a ``build() -> Model`` function in its own module; the
module docstring gives the equations, units and reference. What pathjax knows about it
besides its equations (therapy classes, cohorts, calibration data) is in the companion
module beside it, ``<module>_companions``, and reaches the model as
``model.companions`` (`pathjax.model.Companions`). `load` returns the same object for the
same name, so compiled solves are reused across calls.
"""

import functools
import importlib
from typing import Any

from .._errors import InputError, unknown_name
from ..model import Model

__all__ = ["available", "load", "resolve", "table"]

# name -> (module, builder function)
_REGISTRY: dict[str, tuple[str, str]] = {
    "sedaghat2002": ("pathjax.models.sedaghat2002", "build"),
    "brannmark2013": ("pathjax.models.brannmark2013", "build_normal"),
    "brannmark2013_diabetic": ("pathjax.models.brannmark2013", "build_diabetic"),
    "dallaman2007": ("pathjax.models.dallaman2007", "build"),
    "topp2000": ("pathjax.models.topp2000", "build"),
    "insulin_resistance": ("pathjax.models.insulin_resistance", "build"),
}


def available() -> list[str]:
    """Names of the bundled models."""
    return list(_REGISTRY)


@functools.cache
def load(name: str) -> Model:
    """Build (once) and return the bundled model `name`.

    Raises:
        ValueError: unknown name (the message lists the available ones).

    Examples:
        >>> import pathjax
        >>> pathjax.models.load("sedaghat2002").time_unit
        'min'
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise unknown_name("model", str(name), available())
    module, fn = _REGISTRY[name]
    return getattr(importlib.import_module(module), fn)()


def resolve(model: Any) -> Model:
    """`model` itself if it is a `Model`, else the bundled model of that name.

    Raises:
        InputError: neither a `Model` nor a bundled model's name (the message lists
            the bundled models for a misspelt name).

    Examples:
        >>> import pathjax
        >>> pathjax.models.resolve("topp2000") is pathjax.models.load("topp2000")
        True
    """
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        return load(model)
    raise InputError(
        f"model must be a pathjax.Model or a bundled model's name, got {type(model).__name__}"
    )


def table() -> list[dict[str, str]]:
    """One row per bundled model: name, sizes, time unit and source."""
    rows = []
    for name in available():
        m = load(name)
        rows.append(
            {
                "name": name,
                "states": str(len(m.state_specs)),
                "parameters": str(len(m.param_specs)),
                "observables": str(len(m.observable_specs)),
                "inputs": ", ".join(m.input_names) or "-",
                "time": m.time_unit,
                "source": _short_citation(m.source, name),
            }
        )
    return rows


def _short_citation(source: str, name: str = "") -> str:
    """Authors (year) and the BioModels id of the model `name`, from a full citation.

    A citation that lists several ids with a qualifier each (``BIOMD0000000448
    (normal), BIOMD0000000449 (diabetic)``) gives the id whose qualifier is part of
    `name`, else the first; a composite model lists every id it was assembled from.
    """
    import re

    ids = re.findall(r"(BIOMD\d+|MODEL\d+)(?:\s*\(([^)]*)\))?", source)
    if source.startswith("Composite"):
        return f"composite of {len(ids)} models: " + ", ".join(i for i, _ in ids)
    head = source.split(").")[0] + ")" if ")." in source else source[:60]
    named = [i for i, q in ids if q and any(w in name.lower() for w in q.lower().split())]
    pick = named[0] if named else ids[0][0] if ids else None
    return head + (f" [{pick}]" if pick else "")
