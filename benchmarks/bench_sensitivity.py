"""(e) Cost of local sensitivities: the full sensitivity matrix of a batch of patients
(every output x every output time x the chosen parameters) by forward-mode autodiff,
relative to one forward ensemble solve of the same batch, and against central finite
differences (one batch of 2 x parameters x patients solves); reverse mode for a scalar
endpoint and for one output at a few times. Timings are warm (compile excluded,
reported separately), best of --repeat.

    python benchmarks/bench_sensitivity.py [--model sedaghat2002] [--patients 64]
        [--points 61] [--sweep 1,4] [--repeat 3]
"""

import argparse
import platform

import numpy as np

import pathjax
from _common import best_of, save, table
from pathjax.sensitivity import local
from pathjax.sharding import resolve_devices

RTOL, ATOL = 1e-8, 1e-12
FD_STEP = 1e-4  # relative step of the central differences (truncation ~1e-8)


def finite_differences(model, t, params, wrt, outputs, n):
    """Central differences of d y / d p from one batch of 2 * len(wrt) * n patients."""
    base = {k: np.broadcast_to(np.asarray(v, float), (n,)) for k, v in params.items()}
    defaults = model.default_params()
    batch = {k: [] for k in set(base) | set(wrt)}
    for name in wrt:
        for sign in (1.0, -1.0):
            for k in batch:
                v = base.get(k, np.full(n, defaults[k]))
                batch[k].append(v * (1.0 + sign * FD_STEP) if k == name else v)
    batch = {k: np.concatenate(v) for k, v in batch.items()}
    ds = pathjax.simulate(model, t, batch, rtol=RTOL, atol=ATOL)
    y = np.stack([ds[o].values for o in outputs], axis=-1)  # (2 m n, K, n_out)
    y = y.reshape(len(wrt), 2, n, len(t), len(outputs))
    p = np.stack([base.get(k, np.full(n, defaults[k])) for k in wrt])  # (m, n)
    d = (y[:, 0] - y[:, 1]) / (2.0 * FD_STEP * p[:, :, None, None])
    return np.moveaxis(d, 0, -1)  # (n, K, n_out, m)


def run(args):
    model = pathjax.models.load(args.model)
    t = np.linspace(0.0, model.t_end, args.points)
    rng = np.random.default_rng(0)
    kinetic = [p.name for p in model.param_specs if p.kind == "kinetic"]
    params = {
        k: model.default_params()[k] * np.exp(rng.normal(0.0, 0.2, args.patients)) for k in kinetic
    }
    outputs = list(model.state_names + model.observable_names)
    n, K, n_out = args.patients, t.size, len(outputs)

    first_sim, solve_s, _ = best_of(
        lambda: pathjax.simulate(model, t, params, rtol=RTOL, atol=ATOL), args.repeat
    )
    rows, records = [], []
    sizes = sorted({int(s) for s in args.sweep.split(",") if s} | {len(kinetic)})
    for m in sizes:
        wrt = kinetic[:m]
        first, warm, sens = best_of(
            lambda wrt=wrt: local(
                model, t, params, wrt=wrt, outputs=outputs, mode="forward", rtol=RTOL, atol=ATOL
            ),  # fmt: skip
            args.repeat,
        )
        fd_first, fd_s, fd = best_of(
            lambda wrt=wrt: finite_differences(model, t, params, wrt, outputs, n), args.repeat
        )
        ad = sens.values
        scale = np.abs(sens["value"].values).max(axis=(0, 1))[None, None, :, None]
        p = sens["parameter_value"].values[:, None, None, :]
        diff = float(np.nanmax(np.abs((ad - fd) * p) / scale))
        rec = dict(
            parameters=m,
            matrix_entries=int(n * K * n_out * m),
            forward_s=warm,
            forward_compile_s=first - warm,
            forward_over_solve=warm / solve_s,
            forward_per_parameter_over_solve=warm / solve_s / m,
            fd_s=fd_s,
            fd_over_solve=fd_s / solve_s,
            forward_over_fd=warm / fd_s,
            ad_vs_fd_scaled_difference=diff,
        )
        records.append(rec)
        rows.append([m, warm, warm / solve_s, warm / solve_s / m, fd_s, fd_s / solve_s,
                     warm / fd_s, first - warm, diff])  # fmt: skip
    table(
        f"{model.name}: {n} patients x {K} times x {n_out} outputs; one forward solve "
        f"{solve_s:.3f} s (warm)",
        [
            "params",
            "forward s",
            "/ solve",
            "/ solve / param",
            "FD s",
            "FD / solve",
            "forward / FD",
            "compile s",
            "|AD - FD| / range",
        ],  # fmt: skip
        rows,
    )

    reverse = []
    if not args.no_reverse:
        # reverse mode: one cotangent per output value: a scalar endpoint (1 output at
        # the last time) and 1 output at a few times, all kinetic parameters
        out_rev = [outputs[-1] if "GLUT4_surface" not in outputs else "GLUT4_surface"]
        rows = []
        for t_rev in (t[-1:], t[:: max(1, (K - 1) // 4)]):
            first, warm, rev = best_of(
                lambda t_rev=t_rev: local(
                    model,
                    t_rev,
                    params,
                    wrt=kinetic,
                    outputs=out_rev,
                    mode="reverse",
                    rtol=RTOL,
                    atol=ATOL,
                ),  # fmt: skip
                max(1, args.repeat - 1),
            )
            fwd = local(model, t_rev, params, wrt=kinetic, outputs=out_rev, mode="forward",
                        rtol=RTOL, atol=ATOL)  # fmt: skip
            _, solve_rev, _ = best_of(
                lambda t_rev=t_rev: pathjax.simulate(model, t_rev, params, rtol=RTOL, atol=ATOL),
                args.repeat,
            )
            p = fwd["parameter_value"].values[:, None, None, :]
            scale = np.abs(fwd.values * p).max()
            rec = dict(
                outputs=out_rev,
                times=int(t_rev.size),
                parameters=len(kinetic),
                reverse_s=warm,
                reverse_compile_s=first - warm,
                reverse_over_solve=warm / solve_rev,
                cotangents=int(t_rev.size * len(out_rev)),
                forward_vs_reverse_scaled_difference=float(
                    np.nanmax(np.abs((fwd.values - rev.values) * p)) / scale
                ),
            )
            reverse.append(rec)
            rows.append([rec["cotangents"], warm, warm / solve_rev, first - warm,
                         rec["forward_vs_reverse_scaled_difference"]])  # fmt: skip
        table(
            f"reverse mode: {out_rev[0]}, {len(kinetic)} parameters",
            ["cotangents", "reverse s", "/ solve", "compile s", "|fwd - rev| / range"],
            rows,
        )
    return dict(
        benchmark="sensitivity",
        model=model.name,
        patients=n,
        times=K,
        outputs=n_out,
        rtol=RTOL,
        atol=ATOL,
        fd_relative_step=FD_STEP,
        devices=[str(d) for d in resolve_devices("local")],
        machine=platform.processor() or platform.machine(),
        solve_s=solve_s,
        solve_first_call_s=first_sim,
        forward=records,
        reverse=reverse,
        goal="full matrix <= 5 x one forward solve",
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", default="sedaghat2002")
    ap.add_argument("--patients", type=int, default=64)
    ap.add_argument("--points", type=int, default=61)
    ap.add_argument("--sweep", default="1,4", help="extra parameter counts (all kinetic too)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-reverse", action="store_true")
    result = run(ap.parse_args())
    save(f"sensitivity_{result['model']}", result)
