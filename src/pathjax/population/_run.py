"""`run`: a population simulated chunk by chunk, in memory or streamed to disk.

For every chunk of patients: sample them (`sample_range`, with plausibility), apply the
therapies, simulate (`pathjax.therapy.simulate`), summarise, and hand the chunk to a
sink (`pathjax._stream`) that commits it atomically. Every chunk, the last included, is
padded to the same size, so one compiled program serves the whole run; patient *i*'s
parameters depend only on (seed, *i*). A resumed run therefore recomputes exactly the
chunks an unbroken run would have computed, with the same programs.
"""

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import __version__
from .._errors import InputError, unknown_name
from ..driver import progress_display
from ..protocol import Dose, Protocol, Reset, Segment, as_protocol
from ._cohort import Cohort, random_dims
from ._sample import check_count, resolve_model, sample_range
from ._sample import cohort as get_cohort

__all__ = ["default_summary_outputs", "dose_response", "run"]

_PREFERRED = ("glucose_uptake", "GLUT4_surface", "AKT_active", "IRS1_pY", "plasma_glucose",
              "plasma_insulin", "HOMA_IR")  # fmt: skip
_CHUNK_ATTRS = ("n_failed", "lockstep_iterations")


def default_summary_outputs(model) -> list[str]:
    """Outputs summarised per patient unless told otherwise."""
    names = model.observable_names + model.state_names
    chosen = [n for n in _PREFERRED if n in names]
    return chosen or list((model.observable_names or model.state_names)[:1])


def _pad(x: np.ndarray, size: int) -> np.ndarray:
    """Pad the leading (patient) axis to `size` by repeating the first patient."""
    if x.shape[0] == size:
        return x
    return np.concatenate([x, np.repeat(x[:1], size - x.shape[0], axis=0)])


def _per_patient(v: Any, sl: slice, size: int) -> Any:
    return _pad(np.asarray(v)[sl], size) if isinstance(v, np.ndarray) else v


def _slice_protocol(p: Protocol, sl: slice, size: int) -> Protocol:
    return dataclasses.replace(
        p,
        segments=tuple(Segment(s.input, s.start, s.stop, _per_patient(s.level, sl, size))
                       for s in p.segments),
        doses=tuple(Dose(d.state, d.time, _per_patient(d.amount, sl, size)) for d in p.doses),
        resets=tuple(Reset(r.state, r.time, _per_patient(r.value, sl, size)) for r in p.resets),
    )  # fmt: skip


def _therapy_labels(reg) -> list[str]:
    labels, seen = [], {}
    for tx in reg:
        seen[tx.name] = seen.get(tx.name, 0) + 1
        labels.append(tx.name if seen[tx.name] == 1 else f"{tx.name}#{seen[tx.name]}")
    return labels


def _check_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise InputError(f"{name} must be a positive integer, got {v!r}")
    return int(v)


def run(
    model: Any,
    cohort: "str | Cohort",
    n: int,
    seed: int,
    t: Sequence[float] | np.ndarray | None = None,
    *,
    protocol: Protocol | str | None = None,
    therapies: Any = (),
    out: str | Path | None = None,
    chunk_size: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    outputs: Sequence[str] | None = None,
    summaries: Sequence[str] | None = None,
    filter: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    solver: str | None = None,
    max_steps: int | None = None,
    progress: bool | Callable[[int, int], None] = False,
) -> xr.Dataset:
    """Simulate `n` patients of `cohort` in chunks, in memory or streamed to `out`.

    Args:
        model: a `pathjax.Model` or a bundled model name.
        cohort: a cohort name (`cohorts`) or a `Cohort`.
        n: number of patients; seed: non-negative integer.
        t: (time,) output times (default: 31 points on ``[0, model.t_end]``).
        protocol: as for `pathjax.simulate` (default: the model's); the cohort's
            pre-equilibration is added. Per-patient levels have length `n`.
        therapies: anything `pathjax.therapy.regimen` reads (per-patient doses: length n).
        out: None (return the Dataset in memory) or a ``.zarr`` (streamed; memory bounded
            by one chunk) or ``.nc`` (parts joined at the end; for small runs) path.
        chunk_size: patients per chunk (default ``min(n, 1024)``); part of the run's
            identity (a resumed run must use the same).
        resume: continue an interrupted run at `out` (its settings must match); an
            absent `out` starts afresh.
        overwrite: replace an existing `out`.
        outputs: states/observables/inputs to keep (default: all).
        summaries: outputs summarised per patient (``auc``, ``peak``, ``time_to_peak``,
            ``initial``, ``final`` over ``output``); default `default_summary_outputs`; ``[]``
            for none.
        filter: apply the cohort's plausibility filter (else parameter bounds only).
        rtol, atol, solver, max_steps: as for `pathjax.simulate`.
        progress: a rich progress bar (patients/s, ETA), or a callable ``f(done, total)``.

    Returns:
        `xarray.Dataset` over ``(patient, time)``: the outputs, ``status``, ``params``,
        ``n_steps``, ``attempts`` and ``plausible`` (sampling), ``covariates``
        (patient, covariate) and ``dose`` (patient, therapy) where there are any, the
        per-patient summaries, and attributes describing the run (``acceptance_rate``,
        ``n_failed``, ...). For a ``.zarr`` output it is opened lazily from disk.

    Raises:
        InputError: bad input (unknown names with the valid ones, bad numbers, an
            existing output without ``resume``/``overwrite``, a resume with other
            settings), before anything is compiled.

    Examples:
        >>> import numpy as np, pathjax
        >>> ds = pathjax.population.run("sedaghat2002", "healthy", 4, seed=0,
        ...                             t=np.linspace(0, 30, 4), filter=False)
        >>> ds.sizes["patient"], ds.attrs["cohort"]
        (4, 'healthy')
    """
    from .. import therapy as _therapy
    from .._stream import open_sink
    from ..io import check_out_path
    from ..simulate import check_solver, check_times, check_tolerance

    out = None if out is None else check_out_path(out)  # before any work
    if resume and overwrite:
        raise InputError("give resume=True (continue the run) or overwrite=True, not both")
    m = resolve_model(model)
    c = get_cohort(m, cohort)
    n, seed, _ = check_count(n, seed)
    t = check_times(np.linspace(0.0, m.t_end, 31) if t is None else t)
    rtol, atol = check_tolerance("rtol", rtol), check_tolerance("atol", atol)
    method = check_solver(solver)
    if not isinstance(method, str):
        raise InputError("population runs use the batch-native solvers (give a name)")
    proto = c.with_preequilibration(as_protocol(m, protocol))
    proto.validate(m)
    if proto.n_patients() not in (None, n):
        raise InputError(
            f"protocol has per-patient values for {proto.n_patients()} patients, not {n}"
        )
    reg = _therapy.regimen(m, therapies)
    for tx in reg:
        if np.ndim(tx.dose) and np.shape(tx.dose)[0] != n:
            raise InputError(f"dose of {tx.name!r} has {np.shape(tx.dose)[0]} values, not {n}")
    valid = m.state_names + m.observable_names + m.input_names
    keep = list(valid) if outputs is None else list(outputs)
    for o in keep:
        if o not in valid:
            raise unknown_name("output", o, valid)
    summ = default_summary_outputs(m) if summaries is None else list(summaries)
    for o in summ:
        if o not in valid:
            raise unknown_name("output", o, valid)
    chunk = min(n, 1024) if chunk_size is None else _check_int("chunk_size", chunk_size)
    chunk = min(chunk, n)
    options: dict[str, Any] = {"rtol": rtol, "atol": atol, "solver": method}
    if max_steps is not None:
        options["max_steps"] = _check_int("max_steps", max_steps)
    spec = {
        "model": m.name,
        "cohort": c.name,
        "cohort_dims": [f"{d.name}:{d.distribution!r}" for d in random_dims(m, c)],
        "cohort_definition": _cohort_digest(c),
        "n": n,
        "seed": seed,
        "chunk_size": chunk,
        "times": [float(x).hex() for x in t],
        "protocol": proto.describe(),
        "therapies": reg.describe(),
        "per_patient_values": _values_digest(proto, reg),
        "outputs": keep,
        "summaries": summ,
        "filter": bool(filter),
        "rtol": rtol,
        "atol": atol,
        "solver": method,
        "max_steps": options.get("max_steps"),
        "pathjax": __version__,
    }
    sink = None
    if out is not None:
        sink = open_sink(out, spec, n, chunk, resume=bool(resume), overwrite=bool(overwrite))
        pending = sink.pending()
        done = n - sum(min(n, (i + 1) * chunk) - i * chunk for i in pending)
    else:
        pending = list(range(-(-n // chunk)))
        done = 0
    labels = _therapy_labels(reg)
    run_attrs = {
        "cohort": c.name,
        "cohort_description": c.description,
        "cohort_source": c.source,
        "seed": seed,
        "n_patients": n,
        "chunk_size": chunk,
        "plausibility_filter": int(bool(filter)),
    }
    bar = progress_display(progress, n, "population", done)
    pieces: list[xr.Dataset] = []
    try:
        for index in pending:
            start, stop = index * chunk, min(n, (index + 1) * chunk)
            nc = stop - start
            sl = slice(start, stop)
            smp = sample_range(m, c, seed, start, nc, batch=chunk, filter=filter,
                               solve={"rtol": rtol, "atol": atol})  # fmt: skip
            params = {k: _pad(v, chunk) for k, v in smp.items()}
            reg_c = _therapy.Regimen(tuple(
                dataclasses.replace(tx, dose=_per_patient(tx.dose, sl, chunk)) for tx in reg
            ))  # fmt: skip
            ds = _therapy.simulate(m, t, params, _slice_protocol(proto, sl, chunk), reg_c,
                                   chunk_size=chunk, **options)  # fmt: skip
            ds = ds.isel(patient=slice(0, nc))
            piece = _assemble(m, ds, smp, reg, labels, keep, summ, sl, run_attrs)
            extra = {
                "n_failed": int((piece["status"].values != 0).sum()),
                "attempts": int(smp.attempts.sum()),
                "plausible": int(smp.plausible.sum()),
                "outside_bounds": int(piece.attrs.pop("_outside_bounds")),
            }
            if sink is not None:
                sink.commit(index, piece, extra)
            else:
                piece.attrs["_extra"] = extra
                pieces.append(piece)
            done += nc
            bar(done)
    finally:
        bar(None)
    if sink is not None:
        recs = sink.committed.values()
        final = _final_attrs(
            n,
            sum(r.get("n_failed", 0) for r in recs),
            sum(r.get("attempts", 0) for r in recs),
            sum(r.get("plausible", 0) for r in recs),
            sum(r.get("outside_bounds", 0) for r in recs),
        )
        return sink.finish(final)
    extras = [p.attrs.pop("_extra") for p in pieces]
    ds = pieces[0] if len(pieces) == 1 else xr.concat(
        pieces, dim="patient", data_vars="minimal", coords="minimal", compat="override",
        join="override", combine_attrs="override",
    )  # fmt: skip
    ds.attrs.update(_final_attrs(
        n, sum(e["n_failed"] for e in extras), sum(e["attempts"] for e in extras),
        sum(e["plausible"] for e in extras), sum(e["outside_bounds"] for e in extras),
    ))  # fmt: skip
    return ds


def _cohort_digest(c: Cohort) -> str:
    """A hash of what defines a cohort beyond its random dimensions."""
    from .._stream import fingerprint

    pl = c.plausibility
    return fingerprint({
        "kinetic_cv": c.kinetic_cv,
        "preequilibrate": c.preequilibrate,
        "fixed": {k: repr(d) for k, d in c.parameters.items()},
        "covariates": [(cv.name, repr(cv.distribution), [tuple(e) for e in cv.effects])
                       for cv in c.covariates],
        "correlation": None if c.correlation is None
        else [list(c.correlation.names), c.correlation.matrix.tolist()],
        "plausibility": None if pl is None else [
            [tuple(r) for r in pl.ranges], pl.time,
            pl.protocol.describe() if pl.protocol is not None else None,
        ] + ([repr(pl.acceptance)] if pl.acceptance is not None else []),
    })[:16]  # fmt: skip


def _values_digest(proto: Protocol, reg) -> str:
    """A hash of the per-patient protocol levels and doses (described only by count)."""
    import hashlib

    h = hashlib.sha256()
    for v in (
        [s.level for s in proto.segments]
        + [d.amount for d in proto.doses]
        + [r.value for r in proto.resets]
        + [tx.dose for tx in reg]
    ):
        h.update(np.ascontiguousarray(np.asarray(v, np.float64)).tobytes())
    return h.hexdigest()[:16]


def _final_attrs(
    n: int, n_failed: int, attempts: int, plausible: int, outside: int = 0
) -> dict[str, Any]:
    return {
        "n_failed": int(n_failed),
        "n_outside_bounds": int(outside),
        "n_implausible": int(n - plausible),
        "n_plausible": int(plausible),
        "draws": int(attempts),
        "acceptance_rate": float(plausible / max(attempts, 1)),
    }


def _assemble(m, ds, smp, reg, labels, keep, summ, sl, run_attrs) -> xr.Dataset:
    from ..summaries import model_bounds, per_patient, within_bounds

    nc = ds.sizes["patient"]
    fixed = ["status", "params"] + (["n_steps"] if "n_steps" in ds else [])
    piece = ds[keep + fixed]
    piece = piece.assign_coords(patient=np.arange(sl.start, sl.start + nc))
    piece["attempts"] = (
        "patient",
        smp.attempts.astype(np.int32),
        {"long_name": "draws until the patient passed the plausibility checks"},
    )
    bounds = model_bounds(m)
    inside = within_bounds(ds, bounds) if bounds else np.ones(nc, bool)
    piece["plausible"] = ("patient", (smp.plausible & inside).astype(np.int8),
                          {"long_name": "1: passed the cohort's plausibility checks and "
                           "stayed inside the model's physiological bounds over the run; 0: "
                           "kept after the maximal number of draws, or left the bounds"})  # fmt: skip
    piece.attrs["_outside_bounds"] = int((~inside).sum())
    if smp.covariates:
        names = list(smp.covariates)
        piece["covariates"] = (
            ("patient", "covariate"),
            np.stack([smp.covariates[k] for k in names], axis=1),
        )
        piece = piece.assign_coords(covariate=names)
    if len(reg):
        doses = np.stack([np.broadcast_to(np.asarray(tx.dose, np.float64)[sl]
                                          if np.ndim(tx.dose) else tx.dose, (nc,))
                          for tx in reg], axis=1)  # fmt: skip
        piece["dose"] = (("patient", "therapy"), doses, {"long_name": "therapy dose"})
        piece = piece.assign_coords(therapy=labels)
    if summ:
        s = per_patient(ds.assign_coords(patient=piece["patient"].values), summ)
        for k in s.data_vars:
            piece[k] = s[k]
    outside = piece.attrs.pop("_outside_bounds")
    attrs = {k: v for k, v in ds.attrs.items() if k not in _CHUNK_ATTRS}
    attrs.update(run_attrs)
    piece.attrs = attrs
    piece.attrs["_outside_bounds"] = outside
    return piece


def dose_response(
    model: Any,
    cohort: "str | Cohort",
    therapy: str,
    doses: Sequence[float],
    n: int,
    seed: int,
    *,
    output: str,
    statistic: str = "final",
    t: Sequence[float] | np.ndarray | None = None,
    protocol: Protocol | str | None = None,
    start: float | None = None,
    filter: bool = True,
    chunk_size: int | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> xr.Dataset:
    """The same `n` patients at every dose of `therapy`, in one batch.

    The ``n * len(doses)`` simulations run in chunks of `chunk_size` (default: all at
    once); the plausibility solves of the `n` patients too.

    Returns:
        Dataset with ``response`` (patient, dose): `statistic` of `output` per patient
        and dose; ``median`` (dose); and the attribute ``ec50`` fitted to the median
        (NaN when the median does not change with dose).

    Examples:
        >>> import numpy as np, pathjax
        >>> dr = pathjax.population.dose_response("sedaghat2002", "healthy", "irs_modulator",
        ...     [0.0, 0.3, 1.0, 3.0], 2, seed=0, output="GLUT4_surface", filter=False,
        ...     t=np.linspace(0, 15, 4))
        >>> dr["response"].dims
        ('patient', 'dose')
    """
    from .. import therapy as _therapy
    from ..simulate import check_times
    from ..summaries import STATISTICS, ec50, per_patient

    m = resolve_model(model)
    c = get_cohort(m, cohort)
    n, seed, _ = check_count(n, seed)
    if statistic not in STATISTICS:
        raise unknown_name("statistic", statistic, STATISTICS)
    valid = m.state_names + m.observable_names
    if output not in valid:
        raise unknown_name("output", output, valid)
    d = np.asarray(doses, np.float64)
    if d.ndim != 1 or d.size < 1:
        raise InputError("doses must be a non-empty 1-D sequence")
    _therapy.therapy(m, therapy, d, start)  # validates name, doses and start
    t = check_times(np.linspace(0.0, m.t_end, 31) if t is None else t)
    k = d.size
    chunk = n * k if chunk_size is None else _check_int("chunk_size", chunk_size)
    batch = n if chunk_size is None else chunk
    smp = sample_range(m, c, seed, 0, n, batch=batch, filter=filter,
                       solve={"rtol": rtol, "atol": atol})  # fmt: skip
    params = {name: np.tile(v, k) for name, v in smp.items()}
    tx = _therapy.therapy(m, therapy, np.repeat(d, n), start)
    proto = c.with_preequilibration(as_protocol(m, protocol))
    ds = _therapy.simulate(m, t, params, proto, tx, rtol=rtol, atol=atol, chunk_size=chunk)
    stat = per_patient(ds, [output])[statistic].values[:, 0].reshape(k, n).T
    med = np.nanmedian(stat, axis=0)
    try:
        fit = ec50(d, med)["ec50"]
    except InputError:
        fit = float("nan")
    return xr.Dataset(
        {"response": (("patient", "dose"), stat), "median": (("dose",), med)},
        coords={"patient": np.arange(n), "dose": d},
        attrs={
            "model": m.name,
            "cohort": c.name,
            "therapy": therapy,
            "output": output,
            "statistic": statistic,
            "ec50": fit,
            "acceptance_rate": smp.acceptance_rate,
        },  # fmt: skip
    )
