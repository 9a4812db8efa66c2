"""`simulate` with therapies at their start times: the run is split at each start."""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..model import Model
from ..models import resolve
from ..protocol import Dose, Protocol, Reset, Segment, as_protocol
from ._regimen import Regimen, regimen

__all__ = ["simulate"]


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
    split the run at each start (see `pathjax.therapy`); the pieces use the same
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
    from ..simulate import check_times
    from ..simulate import simulate as _simulate

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
        # untreated basal state first (the driver's pre-equilibration, of the protocol's
        # duration or to the steady state); the therapy starts at t0
        untreated = Protocol(preequilibrate=proto.preequilibrate)
        pre = _simulate(m, np.array([0.0]), base, untreated, initial=initial, **options)
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
