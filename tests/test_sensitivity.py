"""pathjax.sensitivity: local sensitivities against libRoadRunner finite differences and
analytic derivatives, forward = reverse mode, global indices on the Ishigami function
and on models, bad input, figures and the command line."""

import importlib
import subprocess
import sys

import jax.numpy as jnp
import matplotlib
import numpy as np
import pytest

import pathjax
from helpers import (
    kinetic_parameters,
    perturbed_batch,
    roadrunner_sensitivities,
)
from pathjax import Input, InputError, Model, Observable, Param, Protocol, State
from pathjax.driver import resolve_devices
from pathjax.io import open_result
from pathjax.sensitivity import (
    choose_mode,
    dgsm,
    dgsm_function,
    local,
    morris,
    morris_function,
    sobol,
    sobol_function,
)

matplotlib.use("Agg")

SEDAGHAT = pathjax.models.load("sedaghat2002")
BRANNMARK = pathjax.models.load("brannmark2013")
# Tight solves on both sides: our error is then far below the finite-difference noise.
RTOL, ATOL = 1e-10, 1e-14
# Relative error of a sensitivity (max over patients and times, relative to its own
# maximum) allowed against central differences of libRoadRunner. The differences
# (relative step 1e-4, CVODE at rtol 1e-12) resolve a sensitivity only down to about
# 1e-6 of the output's range, so pairs below FLOOR of the range are checked as
# negligible instead.
TOL = 1e-3
FLOOR = 1e-4


# ---- local sensitivities against libRoadRunner ------------------------------------------
def assert_sensitivities_agree(ours, ref, value, outputs, wrt, tol=TOL, floor=FLOOR):
    """Compare d y / d ln p arrays (patient, time, output, parameter) pair by pair.

    A pair whose reference exceeds `floor` of the output's range (max |y|) must agree
    to `tol` relative to its own maximum; a smaller one must be negligible in both.
    Returns the worst relative error and the number of pairs held to `tol`.
    """
    scale = np.abs(value).max(axis=(0, 1))
    worst, checked = 0.0, 0
    for o, oname in enumerate(outputs):
        for j, pname in enumerate(wrt):
            r, got = ref[:, :, o, j], ours[:, :, o, j]
            peak = np.abs(r).max()
            if peak > floor * scale[o]:
                rel = np.abs(got - r).max() / peak
                assert rel <= tol, f"d {oname} / d {pname}: relative error {rel:.2e}"
                worst, checked = max(worst, rel), checked + 1
            else:
                assert np.abs(got).max() <= 2 * floor * scale[o], f"d {oname} / d {pname}"
    return worst, checked


def _compare_with_roadrunner(model, sbml_file, outputs, wrt, seed):
    params, sbml_sets = perturbed_batch(model, wrt, n=1, cv=0.2, seed=seed)
    sbml_sets = [{model.sbml_ids[k]: params[k][0] for k in wrt}] + sbml_sets  # + defaults
    t = np.linspace(0.0, 60.0, 13)
    s = local(model, t, params, wrt=wrt, outputs=outputs, mode="forward", rtol=RTOL, atol=ATOL)
    assert s.dims == ("patient", "time", "output", "parameter")
    assert s.shape == (2, t.size, len(outputs), len(wrt))
    assert np.all(s["status"].values == 0)
    ours = s.values * s["parameter_value"].values[:, None, None, :]  # d y / d ln p
    sel = [f"[{model.sbml_ids[o]}]" if o in model.state_names else model.sbml_ids[o]
           for o in outputs]  # fmt: skip
    fd = roadrunner_sensitivities(sbml_file, t, sel, sbml_sets, [model.sbml_ids[k] for k in wrt])
    worst, checked = assert_sensitivities_agree(ours, fd, s["value"].values, outputs, wrt)
    # about half of the pairs are structurally zero (no feedback upstream) or tiny
    assert checked > len(outputs) * len(wrt) // 3
    return worst


def test_forward_matches_roadrunner_finite_differences_sedaghat():
    # The three constants of the free-receptor cycle are left out: moving them can make
    # the receptor pool slide along the synthesis set point (see test_sedaghat2002).
    wrt = kinetic_parameters(SEDAGHAT, exclude={"k_endo_free", "k_exo_free",
                                                "k_receptor_degradation"})  # fmt: skip
    outputs = list(SEDAGHAT.state_names) + ["PI3K_activity", "AKT_PKC_effect"]
    worst = _compare_with_roadrunner(SEDAGHAT, "sedaghat2002.xml", outputs, wrt, seed=5)
    print(f"sedaghat2002: worst relative error vs libRoadRunner FD {worst:.1e}")


def test_forward_matches_roadrunner_finite_differences_brannmark():
    wrt = kinetic_parameters(BRANNMARK)
    outputs = list(BRANNMARK.state_names) + ["measuredPKB473p", "glucoseuptake"]
    worst = _compare_with_roadrunner(BRANNMARK, "brannmark2013_normal.xml", outputs, wrt, 6)
    print(f"brannmark2013: worst relative error vs libRoadRunner FD {worst:.1e}")


# ---- analytic derivatives, forward = reverse, on a toy ------------------------------------
def relaxation() -> Model:
    """y' = u - k y with y(0) = y_init, a parameter (so the initial state depends on one)."""

    return Model(
        name="relaxation",
        state_specs=(State("y", "mM", 0.0),),
        param_specs=(Param("k", "1/min", 0.5), Param("y_init", "mM", 3.0)),
        observable_specs=(Observable("twice_y", "mM"),),
        input_specs=(Input("u", "mM/min", 1.0),),
        rhs_fn=lambda t, y, p, u: {"y": u.u - p.k * y.y},
        observables_fn=lambda t, y, p, u: {"twice_y": 2.0 * y.y},
        initial_state_fn=lambda p: {"y": p.y_init},
    )


RELAX = relaxation()
T_TOY = np.array([0.5, 1.0, 2.0, 3.0])
K_TOY = np.array([0.5, 0.8])


def _analytic_dose(k, t):
    """u = 0, dose 0.5 at t = 1: y = y0 e^{-kt} + 0.5 e^{-k(t-1)} [t >= 1]."""
    y0 = 3.0
    after = (t >= 1.0).astype(float)
    y = y0 * np.exp(-k * t) + after * 0.5 * np.exp(-k * (t - 1.0))
    dk = -t * y0 * np.exp(-k * t) - after * 0.5 * (t - 1.0) * np.exp(-k * (t - 1.0))
    return y, dk, np.exp(-k * t)


def _analytic_preequilibrated(k, t):
    """u = 1 for 200 min before t = 0 (y -> 1/k), then u = 0: y = e^{-kt} / k."""
    y = np.exp(-k * t) / k
    return y, -np.exp(-k * t) / k**2 - t * np.exp(-k * t) / k, np.zeros_like(t)


DOSE = Protocol.step("u", 0.0, start=0.0) + Protocol.dose("y", 0.5, at=1.0)
PREEQ = Protocol.step("u", 0.0, start=0.0).with_preequilibration(200.0)


@pytest.mark.parametrize(
    "mode, protocol, analytic",
    [
        ("forward", DOSE, _analytic_dose),
        ("reverse", DOSE, _analytic_dose),
        ("forward", PREEQ, _analytic_preequilibrated),
        # another ~30 s reverse-mode compile for the same code path
        pytest.param("reverse", PREEQ, _analytic_preequilibrated, marks=pytest.mark.slow),
    ],
    ids=["dose-forward", "dose-reverse", "preequilibrated-forward", "preequilibrated-reverse"],
)
def test_derivatives_through_initial_state_doses_and_preequilibration(mode, protocol, analytic):
    """Analytic derivatives of y' = u - k y through a parameter-dependent initial state,
    a dose at t = 1 and a pre-equilibration, in both modes."""
    s = local(RELAX, T_TOY, {"k": K_TOY}, wrt=["k", "y_init"], outputs=["y", "twice_y"],
              mode=mode, protocol=protocol, rtol=1e-10, atol=1e-14)  # fmt: skip
    assert s.attrs["mode"] == mode
    for b, k in enumerate(K_TOY):
        y, dk, dy0 = analytic(k, T_TOY)
        # tolerance: 1e-6 relative to the derivative's scale, against rtol 1e-10 solves
        np.testing.assert_allclose(s["value"].values[b, :, 0], y, rtol=1e-7)
        np.testing.assert_allclose(s.values[b, :, 0, 0], dk, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(s.values[b, :, 0, 1], dy0, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(s.values[b, :, 1], 2.0 * s.values[b, :, 0], rtol=1e-12)


def test_forward_from_an_exact_steady_state():
    """The error norm is sqrt(0) at rest; step-size control is not differentiated, so no
    NaN tangent appears. The steps are chosen for the state alone, which is at rest, so
    they grow quickly and the tangent is only as accurate as those steps allow: 1e-4
    relative here (the same holds for Diffrax's adjoints)."""
    # u = 1 and y(0) = 1/k: y stays at rest, dy/dk = -(1 - e^{-kt}) / k^2
    s = local(RELAX, T_TOY, {"k": 0.5, "y_init": 2.0}, wrt=["k"], outputs=["y"],
              mode="forward", protocol=Protocol(), rtol=1e-10, atol=1e-14)  # fmt: skip
    np.testing.assert_allclose(s.values[0, :, 0, 0], -(1 - np.exp(-0.5 * T_TOY)) / 0.25,
                               rtol=1e-4)  # fmt: skip


def test_normalized_is_the_log_derivative():
    proto = DOSE
    kw = dict(wrt=["k", "y_init"], outputs=["y"], mode="forward", protocol=proto)
    calls = []
    plain = local(RELAX, T_TOY, {"k": K_TOY}, progress=lambda *a: calls.append(a), **kw)
    assert calls[-1] == (2, 2)  # progress over patients
    logs = local(RELAX, T_TOY, {"k": K_TOY}, normalized=True, **kw)
    p = plain["parameter_value"].values[:, None, None, :]
    y = plain["value"].values[..., None]
    np.testing.assert_allclose(logs.values, plain.values * p / y, rtol=1e-12)
    assert logs.attrs["normalized"] == 1 and plain.attrs["normalized"] == 0


@pytest.mark.slow
def test_forward_equals_reverse_sedaghat():
    """Forward and reverse mode differentiate the same steps of the same engine: they
    agree to rounding, not just to the tolerance."""
    wrt = ["k_IRS1_phos", "k_PI3K_bind", "k_PTEN", "k_GLUT4_endo", "k_autophos"]
    outputs = ["IRS1_pY", "GLUT4_surface", "AKT_PKC_effect"]
    t = np.array([2.0, 10.0, 30.0])
    kw = dict(wrt=wrt, outputs=outputs, rtol=RTOL, atol=ATOL)
    params = {"k_IRS1_phos": np.array([4.16, 3.0])}
    fwd = local(SEDAGHAT, t, params, mode="forward", **kw)
    rev = local(SEDAGHAT, t, params, mode="reverse", **kw)
    p = fwd["parameter_value"].values[:, None, None, :]
    worst, checked = assert_sensitivities_agree(fwd.values * p, rev.values * p,
                                                fwd["value"].values, outputs, wrt, tol=1e-9,
                                                floor=1e-5)  # fmt: skip
    assert checked >= 8
    print(f"sedaghat2002: forward vs reverse, worst relative difference {worst:.1e}")


@pytest.fixture
def three_checkpoints(monkeypatch):
    """Reverse mode storing only 3 loop iterations (the rest recomputed), with the
    compiled chunk functions rebuilt for it and dropped afterwards."""
    kernels = importlib.import_module("pathjax.driver._kernels")
    compiled = importlib.import_module("pathjax.driver._run")._compiled
    monkeypatch.setattr(kernels, "REVERSE_CHECKPOINTS", 3)
    compiled.cache_clear()
    yield
    compiled.cache_clear()


def test_forward_equals_reverse_with_recomputed_steps(three_checkpoints):
    """With fewer checkpoints than loop iterations the reverse pass recomputes steps
    from the stored ones; the derivatives are still forward mode's to rounding."""
    kw = dict(wrt=["k", "y_init"], outputs=["y"], protocol=DOSE, rtol=1e-10, atol=1e-14)
    fwd = local(RELAX, T_TOY, {"k": K_TOY}, mode="forward", **kw)
    rev = local(RELAX, T_TOY, {"k": K_TOY}, mode="reverse", **kw)
    np.testing.assert_allclose(rev.values, fwd.values, rtol=1e-10, atol=1e-14)


@pytest.mark.skipif(len(resolve_devices("local")) < 2, reason="needs two devices")
def test_reverse_mode_splits_patients_over_devices(three_checkpoints):
    """Reverse mode traces one device's share outside shard_map (Equinox's loop refuses
    to be traced inside it) and runs it on every device: same derivatives as on one
    device, with steps recomputed from checkpoints and a padded last device."""
    devs = resolve_devices("local")[:2]
    kw = dict(wrt=["k", "y_init"], outputs=["y"], protocol=DOSE, rtol=1e-10, atol=1e-14)
    params = {"k": np.array([0.5, 0.8, 1.1])}
    fwd = local(RELAX, T_TOY, params, mode="forward", devices=devs[:1], **kw)
    one = local(RELAX, T_TOY, params, mode="reverse", devices=devs[:1], **kw)
    two = local(RELAX, T_TOY, params, mode="reverse", devices=devs, **kw)
    np.testing.assert_allclose(two.values, one.values, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(two.values, fwd.values, rtol=1e-10, atol=1e-14)
    assert (two["status"].values == 0).all()


def test_auto_mode_follows_the_shape():
    from pathjax.sensitivity._local import REVERSE_COST_RATIO

    assert choose_mode(3, 2, 4) == "forward"
    assert choose_mode(REVERSE_COST_RATIO * 8, 2, 4) == "forward"
    assert choose_mode(REVERSE_COST_RATIO * 8 + 1, 2, 4) == "reverse"
    s = local(RELAX, T_TOY[:1], {"k": K_TOY}, wrt=["k", "y_init"], outputs=["y"])
    assert s.attrs["mode"] == "forward"


def test_failed_patient_is_nan_and_the_others_are_intact():
    def blowup() -> Model:
        return Model(
            name="blowup",
            state_specs=(State("y", "1", 1.0),),
            param_specs=(Param("a", "1/min", 0.1),),
            rhs_fn=lambda t, y, p, u: {"y": p.a * y.y**2},
        )

    t = np.array([0.5, 2.0])
    s = local(blowup(), t, {"a": [0.1, 1.0]}, wrt=["a"], mode="forward", max_steps=2000)
    assert s["status"].values[0] == 0 and s["status"].values[1] != 0
    assert np.all(np.isnan(s.values[1]))
    # y = 1 / (1 - a t): dy/da = t / (1 - a t)^2
    np.testing.assert_allclose(s.values[0, :, 0, 0], t / (1 - 0.1 * t) ** 2, rtol=1e-5)


def test_compiled_once_per_shape(monkeypatch):
    """A second call with other values of the same shapes traces nothing: the engine
    is entered once per trace, so a counter on it sees every retrace."""
    solve = importlib.import_module("pathjax.driver._solve")
    compiled = importlib.import_module("pathjax.driver._run")._compiled

    traces = []
    engine = solve.ensemble_solve

    def counting(*args, **kwargs):
        traces.append(1)
        return engine(*args, **kwargs)

    monkeypatch.setattr(solve, "ensemble_solve", counting)
    compiled.cache_clear()  # trace anew, through the counter
    kw = dict(wrt=["k"], outputs=["y"], mode="forward", protocol=DOSE)
    try:
        local(RELAX, T_TOY, {"k": K_TOY}, **kw)
        first = len(traces)
        assert first >= 1  # the counter sees the trace
        local(RELAX, T_TOY, {"k": K_TOY * 1.1, "y_init": 4.0}, **kw)
        assert len(traces) == first  # no retrace
    finally:
        compiled.cache_clear()  # no cached program keeps the counter


# ---- bad input: InputError naming the problem, before anything compiles -----------------
BOUNDS = {"k_IRS1_phos": (2.0, 8.0), "k_GLUT4_endo": (0.1, 0.3)}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: local(SEDAGHAT, [1.0], wrt=["k_nope"]), "unknown parameter 'k_nope'"),
        (lambda: local(SEDAGHAT, [1.0], wrt=["IRS1"]), "is a state"),
        (lambda: local(SEDAGHAT, [1.0], outputs=["GLUT4"]), "unknown output 'GLUT4'"),
        (lambda: local(SEDAGHAT, [1.0], outputs=["k_PTEN"]), "is a parameter"),
        (lambda: local(SEDAGHAT, [1.0], wrt=["k_PTEN", "k_PTEN"]), "twice"),
        (lambda: local(SEDAGHAT, [1.0], wrt=[]), "empty"),
        (lambda: local(SEDAGHAT, [1.0], mode="sideways"), "mode"),
        (lambda: local(SEDAGHAT, [1.0], normalized="yes"), "normalized"),
        (lambda: local(SEDAGHAT, [1.0], rtol=-1), "rtol"),
        (lambda: local(SEDAGHAT, [2.0, 1.0]), "strictly increasing"),
        (lambda: local(SEDAGHAT, [1.0], {"k_PTEN": -1.0}), "negative"),
        (lambda: local("sedaghat2002", [1.0]), "pathjax.Model"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_PTEN": (3.0, 1.0)}, "IRS1_pY", 16), "lower < upper"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_PTEN": (1.0, 1.0)}, "IRS1_pY", 16), "lower < upper"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_PTEN": (-1.0, 1.0)}, "IRS1_pY", 16), "admissible"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_PTEN": (1.0, np.inf)}, "IRS1_pY", 16), "finite"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_PTEN": 2.0}, "IRS1_pY", 16), "pair"),
        (lambda: sobol(SEDAGHAT, [1.0], {}, "IRS1_pY", 16), "non-empty"),
        (lambda: sobol(SEDAGHAT, [1.0], {"k_nope": (1, 2)}, "IRS1_pY", 16), "k_nope"),
        (lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pz", 16), "unknown output 'IRS1_pz'"),
        (lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 4), "n must be an integer >= 8"),
        (lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 24), "power of two"),
        (lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 16, seed=-1), "seed"),
        (lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 16, conf_level=1.5), "conf_level"),
        (
            lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 16, params={"k_PTEN": [1, 2]}),
            "scalar",
        ),
        (
            lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 16, params={"k_IRS1_phos": 3.0}),
            "both",
        ),
        (
            lambda: sobol(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 16, protocol="nope"),
            "unknown protocol",
        ),
        (lambda: morris(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 1), "n must be an integer >= 2"),
        (lambda: morris(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 4, num_levels=3), "even"),
        (lambda: dgsm(SEDAGHAT, [1.0], BOUNDS, lambda ds: ds["IRS1_pY"], 8), "name"),
        (lambda: dgsm(SEDAGHAT, [1.0], BOUNDS, "IRS1_pY", 1), "n must be an integer >= 2"),
        (lambda: sobol_function(np.sum, {"a": (0, 1)}, 12), "power of two"),
        (lambda: morris_function(np.sum, {"a": (1, 0)}, 4), "lower < upper"),
        (lambda: dgsm_function(jnp.sum, {"a": (0, 1)}, 0), "n must be"),
    ],  # fmt: skip
)
def test_bad_input_raises_input_error_naming_the_problem(call, message):
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
def test_state_events_are_refused(mode):
    # The engine's bisection gives the event time no derivative: for the switch toy
    # (z = high (t - threshold) after the crossing) forward mode would give
    # dz/dthreshold = 0 where the truth is -high.
    from toys import switch

    with pytest.raises(InputError, match="state events"):
        local(switch(), [1.0, 3.0], mode=mode)
    with pytest.raises(InputError, match="state events"):
        dgsm(switch(), [3.0], {"threshold": (1.0, 2.0)}, "z", 8)


# ---- global indices on the Ishigami function (same estimator path as models) -------------
A_ISH, B_ISH = 7.0, 0.1
ISHIGAMI_BOUNDS = {k: (-np.pi, np.pi) for k in ("x1", "x2", "x3")}


def ishigami(x):
    return (jnp.sin(x["x1"]) + A_ISH * jnp.sin(x["x2"]) ** 2
            + B_ISH * x["x3"] ** 4 * jnp.sin(x["x1"]))  # fmt: skip


def ishigami_exact():
    """Analytic first- and total-order indices (Ishigami & Homma 1990)."""
    a, b, pi = A_ISH, B_ISH, np.pi
    V = a**2 / 8 + b * pi**4 / 5 + b**2 * pi**8 / 18 + 0.5
    V1, V2, VT3 = 0.5 * (1 + b * pi**4 / 5) ** 2, a**2 / 8, 8 * b**2 * pi**8 / 225
    return np.array([V1, V2, 0.0]) / V, np.array([V1 + VT3, V2, VT3]) / V, V


def test_sobol_ishigami_gives_the_known_indices():
    r = sobol_function(ishigami, ISHIGAMI_BOUNDS, 4096, seed=3)
    s1, st, _ = ishigami_exact()
    print("Ishigami S1", r.S1.values, "exact", s1, "ST", r.ST.values, "exact", st)
    # tolerance: 0.02 absolute, about the estimators' bootstrap half-width at n = 4096
    np.testing.assert_allclose(r.S1.values, s1, atol=0.02)
    np.testing.assert_allclose(r.ST.values, st, atol=0.02)
    assert np.all(r.S1_conf.values < 0.05) and np.all(r.ST_conf.values < 0.05)
    assert r.attrs["n_evaluations"] == 4096 * 5


def test_sobol_second_order_ishigami_interaction():
    r = sobol_function(ishigami, ISHIGAMI_BOUNDS, 2048, seed=4, calc_second_order=True)
    _, _, V = ishigami_exact()
    s13 = 8 * B_ISH**2 * np.pi**8 / 225 / V  # the only interaction: x1 with x3
    s2 = r.S2.sel(parameter="x1", parameter_2="x3")
    assert abs(float(s2) - s13) < 0.05
    assert abs(float(r.S2.sel(parameter="x1", parameter_2="x2"))) < 0.05


def test_morris_is_exact_on_a_linear_function():
    r = morris_function(lambda x: 3 * x["a"] - 2 * x["b"] + 0 * x["c"],
                        {"a": (0, 1), "b": (0, 2), "c": (0, 1)}, 10, seed=1)  # fmt: skip
    # SALib measures steps on the unit hypercube: effects are per whole range (b: 2 wide)
    np.testing.assert_allclose(r.mu.values, [3.0, -4.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.mu_star.values, [3.0, 4.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(r.sigma.values, 0.0, atol=1e-12)


def test_dgsm_ishigami_matches_the_analytic_measures_and_bounds_the_total_index():
    r = dgsm_function(ishigami, ISHIGAMI_BOUNDS, 8192, seed=2)
    a, b, pi = A_ISH, B_ISH, np.pi
    vi = np.array([0.5 * (1 + 2 * b * pi**4 / 5 + b**2 * pi**8 / 9), a**2 / 2,
                   8 * b**2 * pi**6 / 7])  # fmt: skip
    # tolerance: 4 %, Monte Carlo error of E[g^2] at n = 8192 (vi_std / sqrt(n) ~ 2 %)
    np.testing.assert_allclose(r.vi.values, vi, rtol=0.04)
    _, st, _ = ishigami_exact()
    assert np.all(r.dgsm.values >= st)  # Sobol & Kucherenko (2009): dgsm_i >= ST_i


# ---- global indices on a model ----------------------------------------------------------
T_GLOBAL = np.array([0.0, 5.0, 10.0, 30.0])
# k_IRS1_phos and k_PI3K_bind act upstream of GLUT4; k_GLUT4_endo acts only downstream of
# IRS-1 and PI3K, so it cannot move IRS1_pY (the model has no feedback).
GLOBAL_BOUNDS = {"k_IRS1_phos": (2.0, 8.0), "k_PI3K_bind": (0.0003, 0.0015),
                 "k_GLUT4_endo": (0.1, 0.3)}  # fmt: skip


@pytest.fixture(scope="module")
def sobol_irs1():
    return sobol(SEDAGHAT, T_GLOBAL, GLOBAL_BOUNDS, "IRS1_pY", 16, seed=1, chunk_size=16)


def test_sobol_downstream_parameter_has_no_effect_upstream_one_dominates(sobol_irs1):
    r = sobol_irs1
    assert set(r.data_vars) >= {"S1", "S1_conf", "ST", "ST_conf"}
    assert r.ST.dims == ("time", "parameter") and r.sizes["time"] == T_GLOBAL.size
    later = r.sel(time=T_GLOBAL[1:])
    # downstream: zero up to the solver's rounding of IRS1_pY (tolerance 1e-6)
    assert np.all(np.abs(later.ST.sel(parameter="k_GLUT4_endo").values) < 1e-6)
    assert np.all(later.ST.sel(parameter="k_IRS1_phos").values > 0.5)
    # at t = 0 no parameter moves IRS1_pY: no variance, indices undefined
    assert np.all(np.isnan(r.ST.sel(time=0.0).values))


def test_sobol_of_a_function_of_the_result_auc():
    def glut4_auc(ds):
        return ds["GLUT4_surface"].integrate("time")

    r = sobol(SEDAGHAT, T_GLOBAL, GLOBAL_BOUNDS, glut4_auc, 16, seed=1, chunk_size=16)
    assert r.ST.dims == ("parameter",) and r.attrs["output"] == "glut4_auc"
    # PI3K recruitment drives GLUT4 over the first 30 min; endocytosis acts on it too
    assert float(r.ST.sel(parameter="k_PI3K_bind")) > 0.5
    assert float(r.ST.sel(parameter="k_GLUT4_endo")) > 1e-4


def test_morris_downstream_parameter_has_zero_effect():
    r = morris(SEDAGHAT, T_GLOBAL, GLOBAL_BOUNDS, "IRS1_pY", 4, seed=2, chunk_size=16)
    assert set(r.data_vars) == {"mu", "mu_star", "sigma", "mu_star_conf"}
    later = r.sel(time=T_GLOBAL[1:])
    scale = float(later.mu_star.max())
    assert np.all(later.mu_star.sel(parameter="k_GLUT4_endo").values < 1e-6 * scale)
    assert np.all(later.mu_star.sel(parameter="k_IRS1_phos").values > 0.1 * scale)


def test_dgsm_model_path_equals_the_analytic_gradient_on_the_same_sample():
    """dgsm(model) on y' = -k y, y(0) = y_init against dgsm_function on the closed form
    y = y_init e^{-kt}: the same seed gives the same sample, so the measures agree to
    the solver tolerance."""
    bounds = {"k": (0.3, 0.9), "y_init": (1.0, 4.0)}
    r = dgsm(RELAX, T_TOY, bounds, "y", 32, seed=3, protocol=Protocol.step("u", 0.0, start=0.0),
             rtol=1e-10, atol=1e-14)  # fmt: skip

    def closed_form(x):
        return x["y_init"][:, None] * jnp.exp(-x["k"][:, None] * jnp.asarray(T_TOY)[None, :])

    ref = dgsm_function(closed_form, bounds, 32, seed=3)
    for v in ("vi", "vi_std", "dgsm", "dgsm_conf"):
        np.testing.assert_allclose(r[v].values, ref[v].values, rtol=1e-6, err_msg=v)
    assert r.vi.dims == ("time", "parameter")


@pytest.mark.slow
def test_dgsm_model_bounds_the_total_sobol_index(sobol_irs1):
    r = dgsm(SEDAGHAT, T_GLOBAL, GLOBAL_BOUNDS, "IRS1_pY", 64, seed=1, chunk_size=32)
    assert set(r.data_vars) == {"vi", "vi_std", "dgsm", "dgsm_conf"}
    later = r.sel(time=T_GLOBAL[1:])
    top = float(later.vi.sel(parameter="k_IRS1_phos").min())
    assert float(later.vi.sel(parameter="k_GLUT4_endo").max()) < 1e-12 * top
    st = sobol_irs1.sel(time=T_GLOBAL[1:]).ST
    # the bound holds up to the Monte Carlo error of both estimates
    assert np.all(later.dgsm.values + later.dgsm_conf.values >= st.values - 0.1)


# ---- figures and the command line -------------------------------------------------------
def test_figures_are_written(tmp_path, sobol_irs1):
    import matplotlib.pyplot as plt

    from pathjax.sensitivity import dgsm_bars, heatmap, morris_bars, sobol_bars, tornado

    proto = DOSE
    s = local(RELAX, T_TOY, {"k": K_TOY}, wrt=["k", "y_init"], outputs=["y", "twice_y"],
              normalized=True, mode="forward", protocol=proto)  # fmt: skip
    fig, axes = plt.subplots(2, 3, figsize=(12, 6))
    tornado(s, "y", time=2.0, ax=axes[0, 0])
    heatmap(s, "twice_y", ax=axes[0, 1])
    sobol_bars(sobol_irs1, time=10.0, ax=axes[0, 2])
    morris_bars(morris_function(ishigami, ISHIGAMI_BOUNDS, 8, seed=1), ax=axes[1, 0])
    dgsm_bars(dgsm_function(ishigami, ISHIGAMI_BOUNDS, 64, seed=1), ax=axes[1, 1])
    path = tmp_path / "figures.png"
    fig.savefig(path)
    plt.close(fig)
    assert path.stat().st_size > 10_000
    assert axes[0, 0].get_title() == "y at t = 2 min"
    with pytest.raises(InputError, match="unknown output"):
        tornado(s, "z")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from pathjax.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)  # fmt: skip


def test_cli_morris_writes_netcdf_and_png(tmp_path):
    out, png = tmp_path / "morris.nc", tmp_path / "morris.png"
    res = _cli("sensitivity", "--model", "sedaghat2002", "--method", "morris", "--n", "4",
               "--params", "k_IRS1_phos,k_GLUT4_endo", "--outputs", "IRS1_pY", "--points", "4",
               "--t-end", "30", "--out", str(out), "--plot", str(png))  # fmt: skip
    assert res.returncode == 0, res.stderr
    ds = open_result(out)
    assert ds.mu_star.dims == ("time", "parameter") and ds.attrs["method"] == "morris"
    assert png.stat().st_size > 5_000


@pytest.mark.slow
def test_cli_local_writes_netcdf_and_png(tmp_path):
    out, png = tmp_path / "local.nc", tmp_path / "local.png"
    res = _cli("sensitivity", "--model", "sedaghat2002", "--method", "local", "--patients", "2",
               "--points", "7", "--out", str(out), "--plot", str(png))  # fmt: skip
    assert res.returncode == 0, res.stderr
    ds = open_result(out)
    assert ds["sensitivity"].dims == ("patient", "time", "output", "parameter")
    assert ds.attrs["normalized"] == 1 and png.stat().st_size > 10_000


@pytest.mark.parametrize(
    "args, message",
    [
        (["--method", "lokal"], "--method"),
        (["--method", "sobol", "--n", "12"], "power of two"),
        (["--method", "sobol", "--bounds", "k_PTEN=3"], "NAME=LOW:HIGH"),
        (["--method", "morris", "--outputs", "IRS1_pY,GLUT4_surface"], "one output"),
        (["--method", "local", "--plot", "x.jpg"], ".png"),
    ],
)
def test_cli_bad_input_one_line_exit_2(tmp_path, args, message):
    res = _cli("sensitivity", "--model", "sedaghat2002", "--out", "x.nc", *args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], res.stderr
