"""Small named views used to call a published model's functions with changed values.

The modules reuse the hand-written published models' right-hand sides unchanged
(`pathjax.models.brannmark2013.rhs`, `pathjax.models.dallaman2007.rhs`, ...). Where the
composite model changes a rate constant (e.g. a disease factor scaling the receptor's
autophosphorylation), the published function is called with a view whose value for that
name is replaced, so the equations themselves are never retyped.
"""

from collections.abc import Mapping
from typing import Any

__all__ = ["Values", "overlay"]


class Values:
    """Read-only attribute view of a mapping (``v.name`` and ``v["name"]``).

    Args:
        values: name -> value (scalars or arrays).
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no value named {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("views are read-only")


class _Overlay:
    __slots__ = ("_base", "_changes")

    def __init__(self, base: Any, changes: Mapping[str, Any]):
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_changes", dict(changes))

    def __getattr__(self, name: str) -> Any:
        changes = object.__getattribute__(self, "_changes")
        if name in changes:
            return changes[name]
        return getattr(object.__getattribute__(self, "_base"), name)

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("views are read-only")


def overlay(base: Any, **changes: Any) -> Any:
    """A view that reads `changes` first and `base` (any named view) otherwise.

    Args:
        base: a named view (``NamedValues``, `Values` or another overlay).
        **changes: name -> replacement value.

    Returns:
        A read-only view with attribute access.

    Examples:
        >>> v = overlay(Values({"k": 1.0, "K": 2.0}), k=3.0)
        >>> (v.k, v.K)
        (3.0, 2.0)
    """
    return _Overlay(base, changes)
