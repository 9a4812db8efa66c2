"""How two run settings differ, in words: what a refused resume tells the user.

A streamed run stores its settings (the "spec": model, cohort, protocol, therapies,
times, tolerances, ...) in its manifest; a resume with other settings is refused with
each differing field as ``field: old -> new``. Therapy regimens stored as JSON text are
compared inside; digests are named, never shown by value.
"""

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["describe_differences", "spec_differences"]

#: spec entries that are digests: a change is reported by what they stand for, never
#: by value
DIGESTS = {
    "cohort_definition": "the cohort's definition changed",
    "per_patient_values": "per-patient protocol levels or doses changed",
}
SHOWN_DIFFERENCES = 4


def _decoded(v: Any) -> Any:
    """A JSON text (e.g. a therapy regimen) as its value, anything else unchanged."""
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _leaves(old: Any, new: Any, where: str) -> list[tuple[str, Any, Any]]:
    """``(field, old, new)`` for every leaf in which `old` and `new` differ."""
    old, new = _decoded(old), _decoded(new)
    if old == new:
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = []
        for k in sorted(set(old) | set(new), key=str):
            found += _leaves(old.get(k), new.get(k), f"{where}.{k}" if where else str(k))
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for i, (a, b) in enumerate(zip(old, new)):
            found += _leaves(a, b, f"{where}[{i}]")
        return found
    return [(where, old, new)]


def _times(v: Any) -> str:
    """The output times of a spec (hex floats) as count and range."""
    if not isinstance(v, list) or not v:
        return repr(v)
    try:
        t = [float.fromhex(x) for x in v]
    except (TypeError, ValueError):
        return repr(v)
    return f"{len(t)} times from {t[0]:g} to {t[-1]:g}"


def spec_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Readable ``field: old -> new`` lines for the settings that differ, digests left
    out unless nothing else differs (then named without their value)."""
    lines, digests = [], []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in DIGESTS:
            digests.append(f"{key}: {DIGESTS[key]}")
        elif key == "times":
            lines.append(f"times: {_times(a)} -> {_times(b)}")
        else:
            lines += [f"{k}: {_show(x)} -> {_show(y)}" for k, x, y in _leaves(a, b, key)]
    return lines or digests


def _show(v: Any) -> str:
    return "(none)" if v is None else json.dumps(v, default=str) if not isinstance(v, str) else v


def describe_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """`spec_differences` joined, the first few in full and then ``and N more``.

    Examples:
        >>> old = {"rtol": 1e-6, "therapies": '[{"dose": 1.0}]'}
        >>> describe_differences(old, {"rtol": 1e-8, "therapies": '[{"dose": 2.0}]'})
        'rtol: 1e-06 -> 1e-08; therapies[0].dose: 1.0 -> 2.0'
    """
    lines = spec_differences(old, new) or ["settings changed"]
    shown = "; ".join(lines[:SHOWN_DIFFERENCES])
    rest = len(lines) - SHOWN_DIFFERENCES
    return shown + (f"; and {rest} more" if rest > 0 else "")
