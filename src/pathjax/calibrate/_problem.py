"""Which PEtab problem a calibration fits: given as a problem, its YAML file, the name of
a problem shipped with pathjax, or a model whose calibration companion names one."""

import os
from pathlib import Path
from typing import Any

from .._errors import InputError, unknown_name
from ..model import Model

__all__ = ["calibrated_models", "load_problem"]


def calibrated_models() -> list[str]:
    """The bundled models whose calibration companion names a PEtab problem.

    Examples:
        >>> from pathjax.calibrate import calibrated_models
        >>> calibrated_models()
        ['brannmark2013', 'brannmark2013_diabetic']
    """
    from .. import models

    return [n for n in models.available() if models.load(n).companions.calibration is not None]


def _choices() -> list[str]:
    from ..petab import BUNDLED

    return list(dict.fromkeys([*BUNDLED, *calibrated_models()]))


def _from_model(model: Model) -> Any:
    """What `model`'s calibration companion names: a `PetabProblem` or a YAML path."""
    factory = model.companions.calibration
    if factory is None:
        raise InputError(
            f"model {model.name!r} has no calibration problem (model.companions.calibration "
            f"is None); give a PEtab problem, its YAML file, or one of: {', '.join(_choices())}"
        )
    return factory()


def _source(model: Any) -> Any:
    """A `PetabProblem` or the path of a YAML file, without reading it."""
    from .. import models
    from ..petab import BUNDLED, PetabProblem, bundled

    if isinstance(model, PetabProblem):
        return model
    if isinstance(model, Model):
        return _from_model(model)
    if isinstance(model, os.PathLike):
        return Path(model)
    if isinstance(model, str):
        if model.endswith((".yaml", ".yml")) or os.sep in model or "/" in model:
            return Path(model)
        if model in BUNDLED:
            return bundled(model)
        if model in models.available():
            return _from_model(models.load(model))
        raise unknown_name("calibration problem", model, _choices())
    raise InputError(
        "model must be a PetabProblem, a PEtab YAML path, a bundled problem's name or a "
        f"pathjax.Model with a calibration companion, got {type(model).__name__}"
    )


def load_problem(model: Any, *, rtol: float | None = None, atol: float | None = None) -> Any:
    """The PEtab problem that `model` names, loaded (`pathjax.petab.load`).

    Args:
        model: a `pathjax.petab.PetabProblem`; the path of a PEtab YAML file; the name
            of a PEtab problem shipped with pathjax (`pathjax.petab.BUNDLED`:
            ``"brannmark2013"``, ``"conversion"``); or a `pathjax.Model` or bundled
            model's name whose calibration companion
            (``model.companions.calibration()``, see `pathjax.model.Companions`)
            returns a problem or its YAML path (`calibrated_models`).
        rtol, atol: the solver tolerances of the problem (None: `pathjax.petab.load`'s
            defaults, 1e-8 and 1e-12); a problem given as a `PetabProblem` keeps its
            own, so these must be None then.

    Returns:
        The `pathjax.petab.PetabProblem`. The same problem with the same tolerances is
        the same object (its compiled programs are reused).

    Raises:
        InputError: an unknown name (with the valid ones), a model without a
            calibration companion, a companion that names no problem, a missing or
            invalid YAML file, tolerances for a problem that is already loaded; all
            before anything is compiled.

    Examples:
        >>> import pathjax
        >>> problem = pathjax.calibrate.load_problem("brannmark2013")
        >>> problem is pathjax.calibrate.load_problem(pathjax.models.load("brannmark2013"))
        True
        >>> problem.n_measurements
        255
    """
    from ..petab import PetabProblem, load

    source = _source(model)
    if isinstance(source, PetabProblem):
        if rtol is not None or atol is not None:
            raise InputError(
                "rtol, atol: a loaded PetabProblem keeps its tolerances; set them when "
                "loading it (pathjax.petab.load(path, rtol=..., atol=...))"
            )
        return source
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"the calibration companion of {getattr(model, 'name', model)!r} must return a "
            f"PetabProblem or a YAML path, got {type(source).__name__}"
        )
    tolerances = {k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None}
    return load(source, **tolerances)
