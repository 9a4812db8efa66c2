"""`pathjax.simulate`: shapes, protocols, events, failure isolation, bad input."""

import importlib

import numpy as np
import pytest

import pathjax
from pathjax import Protocol, Status
from toys import blowup, decay, harmonic_jnp, robertson, switch

DECAY = decay()


def test_shapes_units_and_params_recorded():
    t = np.linspace(0, 10, 11)
    ds = pathjax.simulate(DECAY, t, {"k": [0.1, 0.2, 0.3]})
    assert ds["y"].dims == ("patient", "time")
    assert ds.sizes == {"patient": 3, "time": 11, "parameter": 1}
    assert ds["y"].attrs["units"] == "mM"
    np.testing.assert_array_equal(ds["params"].sel(parameter="k").values, [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(ds["status"].values, 0)
    # analytic: y = exp(-k t); rtol 1e-10 solve, compared at 1e-8
    ds = pathjax.simulate(DECAY, t, {"k": [0.1, 0.2, 0.3]}, rtol=1e-10, atol=1e-14)
    exact = np.exp(-np.outer([0.1, 0.2, 0.3], t))
    np.testing.assert_allclose(ds["y"].values, exact, rtol=1e-8)
    np.testing.assert_allclose(ds["twice_y"].values, 2 * exact, rtol=1e-8)


def test_one_patient_keeps_patient_dimension():
    ds = pathjax.simulate(DECAY, [0.0, 1.0])
    assert ds["y"].shape == (1, 2)


def test_step_dose_and_reset_protocol_analytic():
    """u = 1 on [0, 4); +2 at t = 6; y set to 0.5 at t = 8; k = 0.5."""
    k = 0.5
    proto = (
        Protocol.step("u", 1.0, start=0.0, stop=4.0)
        + Protocol.dose("y", 2.0, at=6.0)
        + Protocol.set_state("y", 0.5, at=8.0)
    )
    assert proto.switching_times() == (0.0, 4.0, 6.0, 8.0)
    t = np.array([0.0, 2.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0])
    ds = pathjax.simulate(DECAY, t, protocol=proto, rtol=1e-10, atol=1e-14)

    def relax(y0, target, dt):
        return target + (y0 - target) * np.exp(-k * dt)

    y4 = relax(1.0, 2.0, 4.0)
    y6 = relax(y4, 0.0, 2.0) + 2.0
    expected = [
        1.0,
        relax(1.0, 2.0, 2.0),
        y4,
        relax(y4, 0.0, 1.0),
        y6,  # right-continuous: the value after the dose
        relax(y6, 0.0, 1.0),
        0.5,
        relax(0.5, 0.0, 2.0),
    ]
    np.testing.assert_allclose(ds["y"].values[0], expected, rtol=1e-8)
    np.testing.assert_array_equal(ds["u"].values[0], [1, 1, 0, 0, 0, 0, 0, 0])


def test_per_patient_protocol_levels():
    t = np.array([0.0, 50.0])
    ds = pathjax.simulate(
        DECAY, t, {"k": 0.5}, protocol=Protocol.constant(u=np.array([0.0, 1.0, 2.0]))
    )
    np.testing.assert_allclose(ds["y"].values[:, -1], [0.0, 2.0, 4.0], atol=1e-6)


def test_state_event_located_and_assigned():
    m = switch()
    t = np.array([0.0, 1.0, 2.5, 5.0])
    ds = pathjax.simulate(m, t, {"threshold": [2.0, 3.0]}, rtol=1e-10, atol=1e-12)
    # z = high * (t - threshold) after the crossing; the crossing is located to ~1e-12
    np.testing.assert_allclose(ds["z"].values[0], [0, 0, 5.0, 30.0], atol=1e-8)
    np.testing.assert_allclose(ds["z"].values[1], [0, 0, 0, 20.0], atol=1e-8)
    np.testing.assert_array_equal(ds["s"].values[:, -1], [10.0, 10.0])


def test_failing_patient_is_flagged_and_isolated():
    m = blowup()
    t = np.linspace(0, 2, 5)
    ds = pathjax.simulate(m, t, {"a": [1.0, 0.1, 0.2]})
    status = ds["status"].values
    assert status[0] != Status.SUCCESS  # y = 1/(1 - t) blows up at t = 1
    assert np.all(np.isnan(ds["y"].values[0]))
    assert list(status[1:]) == [0, 0]
    exact = 1.0 / (1.0 - np.outer([0.1, 0.2], t))
    np.testing.assert_allclose(ds["y"].values[1:], exact, rtol=1e-5)
    assert ds.attrs["n_failed"] == 1


def test_max_steps_flags_patient():
    ds = pathjax.simulate(robertson(), [0.0, 1e5], max_steps=5)
    assert int(ds["status"][0]) == Status.MAX_STEPS
    assert np.isnan(ds["A"].values).all()


def test_stiff_robertson_conserves_mass():
    t = np.array([0.0, 0.4, 40.0, 400.0, 4e4])
    ds = pathjax.simulate(robertson(), t, rtol=1e-8, atol=1e-12)
    total = ds["A"].values + ds["B"].values + ds["C"].values
    np.testing.assert_allclose(total, 1.0, rtol=1e-9)
    # Hairer & Wanner II, Table IV.1 style values at t = 40: A = 0.7158271
    np.testing.assert_allclose(ds["A"].sel(time=40.0).values, 0.7158271, rtol=1e-6)


def test_time_dependent_rhs_and_chunking_agree():
    m = harmonic_jnp()
    t = np.linspace(0, 6, 13)
    w = np.linspace(0.5, 1.5, 7)
    whole = pathjax.simulate(m, t, {"w": w}, rtol=1e-9, atol=1e-12)
    chunked = pathjax.simulate(m, t, {"w": w}, rtol=1e-9, atol=1e-12, chunk_size=3)
    np.testing.assert_allclose(chunked["q"].values, whole["q"].values, rtol=0, atol=1e-13)
    np.testing.assert_allclose(whole["q"].values, np.cos(np.outer(w, t)), atol=1e-7)


@pytest.mark.parametrize("solver", ["rodas5p", "rodas4", "rosenbrock23"])
def test_every_method_solves_decay(solver):
    t = np.linspace(0, 5, 6)
    ds = pathjax.simulate(DECAY, t, {"k": [0.3, 3.0]}, solver=solver, rtol=1e-8, atol=1e-12)
    # relative 1e-5 where the solution is O(1); the tail decays to 3e-7, where the
    # absolute tolerance governs
    np.testing.assert_allclose(
        ds["y"].values, np.exp(-np.outer([0.3, 3.0], t)), rtol=1e-5, atol=1e-9
    )


def test_ros3p_on_a_nonlinear_problem():
    # Ros3P's error estimate is blind on linear problems (documented); y' = a y^2 is not.
    t = np.linspace(0, 5, 6)
    ds = pathjax.simulate(blowup(), t, {"a": [-0.5, -2.0]}, solver="ros3p", rtol=1e-8, atol=1e-12)
    exact = 1.0 / (1.0 - np.outer([-0.5, -2.0], t))
    np.testing.assert_allclose(ds["y"].values, exact, rtol=1e-5)


# ---- bad input: ValueError naming the problem, before anything compiles -------------------
BAD = [
    (dict(params={"no_such_parameter": 1.0}), "no_such_parameter"),
    (dict(params={"kk": 1.0}), "Did you mean 'k'"),
    (dict(params={"k": np.nan}), "NaN"),
    (dict(params={"k": np.inf}), "inf"),
    (dict(params={"k": -1.0}), "negative"),
    (dict(params={"k": [[1.0, 2.0]]}), "1-D"),
    (dict(params={"k": [1.0, 2.0]}, initial={"y": [1.0, 2.0, 3.0]}), "different lengths"),
    (dict(params={"y": 1.0}), "is a state"),
    (dict(initial={"nope": 1.0}), "nope"),
    (dict(initial={"y": -1.0}), "negative"),
    (dict(t=[0.0, 2.0, 1.0]), "strictly increasing"),
    (dict(t=[]), "empty"),
    (dict(t=[0.0, np.nan]), "non-finite"),
    (dict(protocol=Protocol.step("insulin", 1.0)), "unknown input 'insulin'"),
    (dict(protocol=Protocol.dose("x", 1.0, at=1.0)), "unknown state 'x'"),
    (dict(protocol=Protocol.step("u", -1.0)), "below its lower bound"),
    (dict(protocol="nope"), "unknown protocol"),
    (dict(solver="euler"), "unknown solver"),
    (dict(rtol=0.0), "rtol"),
    (dict(atol=-1.0), "atol"),
    (dict(chunk_size=0), "chunk_size"),
]


def _forbid_solving(monkeypatch) -> None:
    """The driver's one door to a compiled program (one device, sharded, Diffrax)
    raises."""

    def no_compile(*a, **k):
        raise AssertionError("compiled despite bad input")

    monkeypatch.setattr(importlib.import_module("pathjax.driver._run"), "_compiled", no_compile)


def test_the_no_compile_guard_catches_a_good_call(monkeypatch):
    # the guard below must be able to fail: a valid call reaches it
    _forbid_solving(monkeypatch)
    with pytest.raises(AssertionError, match="compiled despite"):
        pathjax.simulate(DECAY, [0.0, 1.0])
    with pytest.raises(AssertionError, match="compiled despite"):
        pathjax.simulate(DECAY, [0.0, 1.0], devices=1)
    with pytest.raises(AssertionError, match="compiled despite"):
        pathjax.simulate(DECAY, [0.0, 1.0], solver=pathjax.solvers.Rodas5P())


@pytest.mark.parametrize("kwargs, message", BAD)
def test_bad_input_raises_before_compiling(kwargs, message, monkeypatch):
    _forbid_solving(monkeypatch)
    args = dict(t=[0.0, 1.0])
    args.update(kwargs)
    t = args.pop("t")
    with pytest.raises(ValueError, match=message):
        pathjax.simulate(DECAY, t, **args)


def test_overlapping_protocol_segments_rejected():
    with pytest.raises(ValueError, match="overlap"):
        Protocol.step("u", 1.0, 0.0, 5.0) + Protocol.step("u", 2.0, 4.0, 6.0)


def test_unknown_model_lists_available():
    with pytest.raises(ValueError, match="sedaghat2002"):
        pathjax.models.load("sedaghat2020")


def test_not_a_model():
    with pytest.raises(ValueError, match="pathjax.Model"):
        pathjax.simulate(42, [0.0, 1.0])
    with pytest.raises(ValueError, match="sedaghat2002"):  # a misspelt name lists them
        pathjax.simulate("sedaghat2020", [0.0, 1.0])


def test_breakpoints_are_hit_exactly():
    proto = Protocol.breaks(1.0, 2.5)
    assert proto.switching_times() == (1.0, 2.5)
    ds = pathjax.simulate(DECAY, [0.0, 2.5, 3.0], protocol=proto, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(
        ds["y"].values[0], np.exp(-0.5 * np.array([0.0, 2.5, 3.0])), rtol=1e-9
    )


def test_diffrax_path_agrees_with_engine():
    """vmap(diffeqsolve) with our Diffrax Rodas5P, through the same protocol handling."""
    from pathjax.solvers import Rodas5P

    proto = Protocol.step("u", 1.0, 0.0, 4.0) + Protocol.dose("y", 2.0, at=6.0)
    t = np.linspace(0, 10, 11)
    a = pathjax.simulate(DECAY, t, {"k": [0.3, 0.5]}, proto, rtol=1e-10, atol=1e-13)
    b = pathjax.simulate(
        DECAY, t, {"k": [0.3, 0.5]}, proto, rtol=1e-10, atol=1e-13, solver=Rodas5P()
    )
    np.testing.assert_allclose(b["y"].values, a["y"].values, rtol=1e-8)
    assert b.attrs["solver"] == "Rodas5P"


def test_memory_mapping_pressure_clears_compiled_programs():
    """Compiled programs hold many memory mappings on a CPU; near the kernel's limit
    pathjax drops JAX's in-memory programs (with a warning) instead of crashing in the
    next compilation."""
    from pathjax._devices import map_count, map_limit, relieve_map_pressure

    if map_limit() is None or map_count() is None:
        pytest.skip("no /proc memory-mapping information on this platform")
    model = pathjax.models.load("sedaghat2002")
    pathjax.simulate(model, [0.0, 1.0], {"k_IRS1_phos": [1.0, 2.0, 3.0]})
    before = map_count()
    assert not relieve_map_pressure(1.0)  # below the limit: nothing happens
    with pytest.warns(RuntimeWarning, match="max_map_count"):
        assert relieve_map_pressure(0.0)
    assert map_count() < before


def test_model_without_states_evaluates_observables_of_time_and_inputs():
    """No state variables: the observables are functions of time, parameters and inputs,
    evaluated at the output times (analytic; 1e-14, one product and one sum)."""
    from pathjax import Input, Model, Observable, Param

    model = Model(
        name="no_states",
        state_specs=(),
        param_specs=(Param("k", "1/min", 2.0),),
        input_specs=(Input("u", "1"),),
        observable_specs=(Observable("y", "1"),),
        rhs_fn=lambda t, y, p, u: {},
        observables_fn=lambda t, y, p, u: {"y": p.k * t + u.u},
    )
    t = np.array([0.0, 1.0, 2.0, 3.0])
    ds = pathjax.simulate(model, t, {"k": [1.0, 3.0]}, Protocol.step("u", [10.0, 20.0], 1.5))
    u = np.array([[0, 0, 10, 10], [0, 0, 20, 20]], dtype=float)
    np.testing.assert_allclose(ds["y"].values, np.outer([1.0, 3.0], t) + u, rtol=1e-14)
    np.testing.assert_array_equal(ds["u"].values, u)
    np.testing.assert_array_equal(ds["status"].values, 0)
