"""`pathjax.sbml.load` construct by construct, on tiny SBML documents built here.

Each test states what it checks and its tolerance. Most evaluate the imported model's
right-hand side, observables or initial state directly (no solve to compile); the
dynamic ones have analytic solutions.
"""

import math

import jax
import jax.numpy as jnp
import libsbml
import numpy as np
import pytest

import pathjax
from helpers import make_sbml
from pathjax import InputError
from pathjax.sbml._math import MathContext, compile_math


def evaluate(model, t=0.0, y=None, params=None):
    """(rhs, observables) for one patient, as dicts, at defaults unless given."""
    p = model.param_vector(params)
    y0 = np.asarray(model.initial_state(p)) if y is None else np.asarray(y, float)
    dy = dict(zip(model.state_names, np.asarray(model.rhs(t, jnp.asarray(y0), jnp.asarray(p)))))
    obs = dict(
        zip(
            model.observable_names,
            np.asarray(model.observables(t, jnp.asarray(y0), jnp.asarray(p))),
        )
    )
    return dy, obs


def initial(model, params=None) -> dict:
    return dict(zip(model.state_names, np.asarray(model.initial_state(model.param_vector(params)))))


# ---- species, compartments, amounts and concentrations ---------------------------------


def test_concentration_and_amount_semantics_in_a_non_unit_compartment():
    """V = 2. A (concentration semantics) starts from an amount of 4, so [A] = 2;
    B (hasOnlySubstanceUnits) starts at [B] = 3, i.e. 6 in amount, and its symbol in
    maths means the amount. The rate k*A*B is in amount/time; states are
    concentrations, so d[A]/dt = -k*[A]*amount(B)/V. Exact arithmetic: 1e-12."""
    text = make_sbml(
        compartments=(("c", 2.0, True),),
        species=(("A", "c", 4.0, {"amount": True}), ("B", "c", 3.0, {"hosu": True})),
        parameters=(("k", 0.5), ("B_symbol", 0.0, False)),
        reactions=(("R", {"A": 1}, {"B": 2}, "k * A * B"),),
        rules=(("assignment", "B_symbol", "B"),),
    )
    m = pathjax.sbml.load(text)
    y0 = initial(m)
    assert y0 == pytest.approx({"A": 2.0, "B": 3.0}, rel=1e-12)
    dy, obs = evaluate(m)
    rate = 0.5 * 2.0 * 6.0  # k * [A] * amount(B)
    assert dy["A"] == pytest.approx(-rate / 2.0, rel=1e-12)
    assert dy["B"] == pytest.approx(2 * rate / 2.0, rel=1e-12)
    assert obs["B_symbol"] == pytest.approx(6.0, rel=1e-12)
    # A larger compartment dilutes the amount-given initial value: [A] = 4 / 8.
    assert initial(m, {"c": 8.0})["A"] == pytest.approx(0.5, rel=1e-12)


def test_variable_compartment_keeps_amounts_and_dilutes_concentrations():
    """dV/dt = r (rate rule). A is degraded, amount(A)' = -kd * amount(A); B takes no
    part in any reaction, so its amount is constant and [B] = n_B / V(t). Analytic:
    [A] = nA0 exp(-kd t) / V(t), V = V0 + r t. Solved at rtol 1e-10, compared at 1e-7."""
    text = make_sbml(
        compartments=(("c", 1.0, False),),
        species=(("A", "c", 2.0, {"amount": True}), ("B", "c", 3.0, {"amount": True})),
        parameters=(("r", 0.25), ("kd", 0.3)),
        reactions=(("deg", {"A": 1}, {}, "kd * A * c"),),
        rules=(("rate", "c", "r"),),
    )
    m = pathjax.sbml.load(text)
    assert set(m.state_names) == {"A", "B", "c"}
    t = np.linspace(0.0, 8.0, 9)
    ds = pathjax.simulate(m, t, {"r": [0.25, 0.5]}, rtol=1e-10, atol=1e-14)
    r = np.array([0.25, 0.5])[:, None]
    volume = 1.0 + r * t
    np.testing.assert_allclose(ds["c"].values, volume, rtol=1e-7)
    np.testing.assert_allclose(ds["A"].values, 2.0 * np.exp(-0.3 * t) / volume, rtol=1e-7)
    np.testing.assert_allclose(ds["B"].values, 3.0 / volume, rtol=1e-7)


def test_boundary_and_constant_species():
    """A boundary species is not changed by reactions but is by a rate rule; a constant
    species never changes; both stay states (settable with ``initial=``)."""
    text = make_sbml(
        species=(
            ("S", "c", 1.0, {"boundary": True}),
            ("E", "c", 2.0, {"boundary": True, "constant": True}),
            ("P", "c", 0.0),
            ("Q", "c", 5.0, {"boundary": True}),
        ),
        parameters=(("k", 0.5), ("g", 0.1)),
        reactions=(("R", {"S": 1}, {"P": 1}, "k * S * E"),),
        rules=(("rate", "Q", "-g * Q"),),
    )
    m = pathjax.sbml.load(text)
    dy, _ = evaluate(m)
    assert dy == pytest.approx({"S": 0.0, "E": 0.0, "P": 1.0, "Q": -0.5}, abs=1e-15)


def test_species_defined_by_an_assignment_rule_is_an_observable():
    """As Borisov 2009's phosphorylated_Akt: not a state, reported as an observable."""
    text = make_sbml(
        compartments=(("c", 2.0, True),),
        species=(("A", "c", 1.0), ("B", "c", 2.0), ("total", "c", 0.0)),
        parameters=(("k", 1.0),),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A * c"),),
        rules=(("assignment", "total", "A + B"),),
    )
    m = pathjax.sbml.load(text)
    assert m.state_names == ("A", "B")
    assert "total" in m.observable_names
    _, obs = evaluate(m)
    assert obs["total"] == pytest.approx(3.0, rel=1e-12)


# ---- parameters, rules, initial assignments ---------------------------------------------


def test_local_parameters_are_scoped_per_reaction():
    """Two reactions each with a local k (1 and 10) shadow a global k (100), as in
    Kubota 2012; they are the parameters "R1.k" and "R2.k"."""
    text = make_sbml(
        species=(("A", "c", 1.0), ("B", "c", 0.0), ("C", "c", 0.0)),
        parameters=(("k", 100.0),),
        reactions=(
            ("R1", {"A": 1}, {"B": 1}, "k * A", {"k": 1.0}),
            ("R2", {"A": 1}, {"C": 1}, "k * A", {"k": 10.0}),
        ),
    )
    m = pathjax.sbml.load(text)
    assert m.param_names == ("c", "k", "R1.k", "R2.k")
    assert m.sbml_ids["R1.k"] == "R1.k"
    dy, _ = evaluate(m, params={"R2.k": 20.0})
    assert dy == pytest.approx({"A": -21.0, "B": 1.0, "C": 20.0}, rel=1e-12)


def test_assignment_rules_are_sorted_and_rate_rules_drive_parameters():
    """Rules listed out of dependency order (b reads a, listed first); x has a rate
    rule reading b, so it is a state."""
    text = make_sbml(
        parameters=(("a", 0.0, False), ("b", 0.0, False), ("x", 1.0, False), ("s", 3.0)),
        rules=(
            ("assignment", "b", "a + 1"),
            ("assignment", "a", "s * x"),
            ("rate", "x", "-b"),
        ),
    )
    m = pathjax.sbml.load(text)
    assert m.state_names == ("x",)
    assert m.param_names == ("c", "s")
    assert set(m.observable_names) == {"a", "b"}
    dy, obs = evaluate(m)
    assert dy["x"] == pytest.approx(-4.0)
    assert obs == pytest.approx({"a": 3.0, "b": 4.0})


def test_circular_rules_are_rejected():
    text = make_sbml(
        parameters=(("a", 0.0, False), ("b", 0.0, False)),
        rules=(("assignment", "a", "b"), ("assignment", "b", "a")),
    )
    with pytest.raises(InputError, match="circular.*'a'.*'b'|circular.*'b'.*'a'"):
        pathjax.sbml.load(text)


def test_initial_assignments_are_re_evaluated_for_each_patient():
    """total = 2 * base (initial assignment of a constant) sets S0 = total / V, as Di
    Camillo 2016's ``u = NA * V * nM``; a batch over `base` changes the initial states
    patient by patient, and `total` is reported. ref0 = S (reads the species' initial
    value) is a state that never changes."""
    text = make_sbml(
        compartments=(("c", 2.0, True),),
        species=(("S", "c", 0.0), ("P", "c", 0.0)),
        parameters=(("base", 3.0), ("total", 0.0), ("ref0", 0.0), ("k", 0.1)),
        initial=(("total", "2 * base"), ("S", "total / c"), ("ref0", "S")),
        reactions=(("R", {"S": 1}, {"P": 1}, "k * S * c"),),
    )
    m = pathjax.sbml.load(text)
    assert "total" not in m.param_names and "total" in m.observable_names
    assert "ref0" in m.state_names
    assert initial(m)["S"] == pytest.approx(3.0)
    assert initial(m, {"base": 5.0}) == pytest.approx({"S": 5.0, "P": 0.0, "ref0": 5.0})
    ds = pathjax.simulate(m, [0.0, 1.0], {"base": [1.0, 2.0, 4.0]}, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ds["S"].values[:, 0], [1.0, 2.0, 4.0], rtol=1e-12)
    np.testing.assert_allclose(ds["total"].values[:, 1], [2.0, 4.0, 8.0], rtol=1e-12)
    np.testing.assert_allclose(
        ds["S"].values[:, 1], np.array([1, 2, 4]) * math.exp(-0.1), rtol=1e-8
    )


def test_parameter_kinds_and_bounds():
    """kinetic (rate constant, lower bound 0), exponent, structural (compartment),
    condition (read by an observable only); a negative constant is unbounded."""
    text = make_sbml(
        species=(("A", "c", 1.0), ("B", "c", 0.0)),
        parameters=(
            ("k", 2.0),
            ("n", 1.5),
            ("K", 0.5),
            ("offset", -1.0),
            ("scale", 3.0),
            ("obs", 0.0, False),
        ),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A^n / (K + A) + offset * 0"),),
        rules=(("assignment", "obs", "scale * B"),),
    )
    m = pathjax.sbml.load(text)
    specs = {p.name: p for p in m.param_specs}
    assert (specs["k"].kind, specs["k"].lower) == ("kinetic", 0.0)
    assert specs["n"].kind == "exponent"
    assert specs["c"].kind == "structural" and specs["c"].lower == 0.0
    assert specs["offset"].lower == -math.inf
    assert specs["scale"].kind == "condition" and specs["scale"].lower == -math.inf
    assert all(p.upper == math.inf for p in m.param_specs)
    with pytest.raises(InputError, match="'k'"):
        pathjax.simulate(m, [0.0, 1.0], {"k": -1.0})


# ---- maths ------------------------------------------------------------------------------


def _eval(formula, env=None, functions=None):
    fns = {}
    for fid, text in (functions or {}).items():
        fns[fid] = libsbml.parseL3Formula(text)
    ctx = MathContext(
        lambda s: s if s in (env or {}) else (_ for _ in ()).throw(KeyError(s)), fns, "test"
    )
    e = compile_math(libsbml.parseL3Formula(formula), ctx)
    return float(e.fn(dict(env or {}))), e


@pytest.mark.parametrize(
    "formula, env, expected",
    [
        ("piecewise(1, x > 2, 3)", {"x": 5.0}, 1.0),
        ("piecewise(1, x > 2, 3)", {"x": 1.0}, 3.0),
        ("piecewise(1, x > 2, 2, x > 0, 3)", {"x": 1.0}, 2.0),
        ("(x > 2) + 1", {"x": 5.0}, 2.0),  # a boolean used as a number
        ("piecewise(4, x, 5)", {"x": 0.0}, 5.0),  # a number used as a condition
        ("log(2, 8)", {}, 3.0),
        ("log10(1000)", {}, 3.0),
        ("ln(exp(2))", {}, 2.0),
        ("root(3, 27)", {}, 3.0),
        ("sqrt(16)", {}, 4.0),
        ("min(3, x, 7)", {"x": 5.0}, 3.0),
        ("max(3, x, 7)", {"x": 9.0}, 9.0),
        ("x^2", {"x": -3.0}, 9.0),  # integer exponent: negative base is fine
        ("x^0.5", {"x": -1e-20}, 0.0),  # fractional exponent: guarded
        ("abs(x) + floor(2.5) + ceil(2.5)", {"x": -1.0}, 6.0),
        ("factorial(4)", {}, 24.0),
        ("1 < x < 3", {"x": 2.0}, 1.0),
        ("(x > 1) && !(x > 3) || false", {"x": 2.0}, 1.0),
        ("xor(x > 1, x > 3)", {"x": 4.0}, 0.0),
        ("rem(7, 3) + quotient(7, 3)", {}, 3.0),
        ("hill(x, 2, 1)", {"x": 1.0}, 0.5),
        ("twice(hill(x, 1, 1))", {"x": 1.0}, 1.0),
        ("pi + exponentiale - pi", {}, math.e),
    ],
)
def test_math_compiler(formula, env, expected):
    functions = {
        "hill": "lambda(s, n, K, s^n / (K^n + s^n))",
        "twice": "lambda(v, 2 * v)",
    }
    value, _ = _eval(formula, env, functions)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_constants_are_folded_and_time_thresholds_recorded():
    ctx = MathContext(lambda s: s, {}, "test")
    e = compile_math(libsbml.parseL3Formula("1e-8 / 3 * 2"), ctx)
    assert e.const == pytest.approx(2e-8 / 3)
    node = libsbml.parseL3Formula("piecewise(1, (time >= 15) && (time <= 20), 0)")
    e = compile_math(node, ctx)
    assert e.thresholds == {15.0, 20.0}


def test_safe_pow_value_and_derivative():
    """Fractional powers of tiny negative bases give 0 (not NaN) and the derivative is
    finite at 0, so Jacobians by automatic differentiation stay usable."""
    f = pathjax.sbml.safe_pow
    x = jnp.array([-1e-18, 0.0, 4.0])
    np.testing.assert_allclose(f(x, 0.5), [0.0, 0.0, 2.0])
    d = jax.vmap(jax.grad(f), in_axes=(0, None))(x, 0.5)
    assert np.all(np.isfinite(d))
    assert float(d[2]) == pytest.approx(0.25)
    # exponent 1 at a zero base: derivative 1; d/dn at a positive base: x^n ln x
    assert float(jax.grad(f)(0.0, 1.0)) == 1.0
    assert float(jax.grad(f, argnums=1)(4.0, 0.5)) == pytest.approx(2.0 * math.log(4.0))


def test_function_definitions_are_inlined_in_kinetic_laws():
    text = make_sbml(
        species=(("A", "c", 2.0), ("B", "c", 0.0)),
        parameters=(("V", 3.0), ("Km", 2.0)),
        functions=(("mm", "lambda(s, v, k, v * s / (k + s))"),),
        reactions=(("R", {"A": 1}, {"B": 1}, "c * mm(A, V, Km)"),),
    )
    dy, _ = evaluate(pathjax.sbml.load(text))
    assert dy["B"] == pytest.approx(1.5, rel=1e-12)


def test_rhs_derivatives_match_finite_differences():
    """The imported right-hand side is differentiable in the parameters (the basis of
    sensitivities and calibration): forward-mode Jacobian against central differences
    (step 1e-6 relative), agreeing to 1e-6 relative."""
    text = make_sbml(
        compartments=(("c", 2.0, True),),
        species=(("A", "c", 2.0), ("B", "c", 0.5)),
        parameters=(("k", 0.7), ("n", 1.7), ("K", 0.4)),
        reactions=(("R", {"A": 1}, {"B": 1}, "c * k * A^n / (K^n + A^n)"),),
    )
    m = pathjax.sbml.load(text)
    p = jnp.asarray(m.param_vector())
    y = m.initial_state(p)
    jac = np.asarray(jax.jacfwd(lambda q: m.rhs(0.0, y, q))(p))
    for j in range(p.shape[0]):
        h = 1e-6 * float(p[j])
        up = np.asarray(m.rhs(0.0, y, p.at[j].add(h)))
        down = np.asarray(m.rhs(0.0, y, p.at[j].add(-h)))
        # atol: rounding of the differences (d/dc of c * rate / c is exactly zero)
        np.testing.assert_allclose(jac[:, j], (up - down) / (2 * h), rtol=1e-6, atol=1e-9)


# ---- events and time -------------------------------------------------------------------


def test_time_event_becomes_a_protocol_reset():
    """``time >= 5`` setting a state to a constant: a reset at t = 5 in the default
    protocol; no solver-located event. Analytic: x = t until 5, then 0 + (t - 5)."""
    text = make_sbml(
        species=(("x", "c", 0.0),),
        parameters=(("one", 1.0),),
        rules=(("rate", "x", "one"),),
        events=(("washout", "time >= 5", [("x", "0")]),),
    )
    m = pathjax.sbml.load(text)
    assert m.event_specs == ()
    assert [(r.state, r.time, r.value) for r in m.default_protocol.resets] == [("x", 5.0, 0.0)]
    ds = pathjax.simulate(m, [0.0, 4.0, 5.0, 7.0], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ds["x"].values[0], [0.0, 4.0, 0.0, 2.0], atol=1e-10)


def test_state_events_are_located_by_the_solver():
    """Threshold and hysteresis as in Sedaghat 2002: x' = 1; when x > 2 the rate
    parameter s (an event target, so a state) jumps to 3; z' = s. The trigger
    ``x <= 2`` is already true at t0 and must not fire. Analytic z = 3 (t - 2) after
    the crossing; located by bisection, so 1e-8."""
    text = make_sbml(
        species=(("x", "c", 0.0), ("z", "c", 0.0)),
        parameters=(("s", 0.0, False),),
        rules=(("rate", "x", "1"), ("rate", "z", "s")),
        events=(
            ("up", "x > 2", [("s", "3")]),
            ("down", "x <= 2", [("s", "-100")]),
        ),
    )
    m = pathjax.sbml.load(text)
    assert "s" in m.state_names
    assert [e.name for e in m.event_specs] == ["up", "down"]
    t = np.array([0.0, 1.0, 2.5, 4.0])
    ds = pathjax.simulate(m, t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ds["z"].values[0], [0.0, 0.0, 1.5, 6.0], atol=1e-8)
    np.testing.assert_allclose(ds["s"].values[0], [0.0, 0.0, 3.0, 3.0])


def test_level3_trigger_with_initial_value_false_fires_at_the_start():
    text = make_sbml(
        level=3,
        version=1,
        parameters=(("s", 0.0, False), ("x", 5.0, False)),
        rules=(("rate", "x", "-1"),),
        events=(("start", "x > 1", [("s", "7")], None, False),),
    )
    m = pathjax.sbml.load(text)
    assert initial(m)["s"] == 7.0


def test_time_piecewise_kinks_become_breakpoints():
    """huang2014-style input: piecewise in time, with kinks at 15, 20 and 65."""
    text = make_sbml(
        species=(("x", "c", 0.0),),
        parameters=(("ins", 0.0, False),),
        rules=(
            (
                "assignment",
                "ins",
                "piecewise(1, (time >= 15) && (time <= 20), "
                "piecewise(1 - (time - 20) / 45, (time > 20) && (time <= 65), 0))",
            ),
            ("rate", "x", "ins"),
        ),
    )
    m = pathjax.sbml.load(text)
    assert sorted(m.default_protocol.breakpoints) == [15.0, 20.0, 65.0]
    ds = pathjax.simulate(m, [0.0, 15.0, 20.0, 65.0, 70.0], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(
        ds["x"].values[0], [0.0, 0.0, 5.0, 27.5, 27.5], rtol=1e-8, atol=1e-10
    )


def test_fast_reaction_warns_and_is_integrated_as_ordinary():
    text = make_sbml(
        species=(("A", "c", 1.0), ("B", "c", 0.0)),
        parameters=(("k", 2.0),),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A", {}, True),),
    )
    with pytest.warns(UserWarning, match="'R' is marked fast"):
        m = pathjax.sbml.load(text)
    assert evaluate(m)[0]["B"] == pytest.approx(2.0)


# ---- names -------------------------------------------------------------------------------


def test_reserved_names_and_python_keywords():
    """Ids that are pathjax reserved names get a trailing underscore (sbml_ids maps
    back); Python keywords work as they are (values are read by item access)."""
    text = make_sbml(
        species=(("time", "c", 1.0), ("lambda", "c", 0.0)),
        parameters=(("status", 0.5), ("class", 2.0), ("params", 0.0, False)),
        reactions=(("R", {"time": 1}, {"lambda": 1}, "status * class * time_id"),),
        rules=(("assignment", "params", "lambda + 1"),),
    )
    m = pathjax.sbml.load(text)
    assert m.state_names == ("time_", "lambda")
    assert "status_" in m.param_names and "class" in m.param_names
    assert m.observable_names == ("params_",)
    assert m.sbml_ids["time_"] == "time" and m.sbml_ids["params_"] == "params"
    ds = pathjax.simulate(m, [0.0, 1.0], {"status_": [0.5, 1.0]}, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ds["time_"].values[:, 1], np.exp(-np.array([1.0, 2.0])), rtol=1e-8)
    np.testing.assert_allclose(ds["params_"].values, ds["lambda"].values + 1.0, rtol=1e-12)


def test_model_metadata():
    m = pathjax.sbml.load(pathjax.sbml.EXAMPLE)
    assert m.name == "decay_example"
    assert pathjax.sbml.load(pathjax.sbml.EXAMPLE, name="other").name == "other"
    assert "Imported with pathjax.sbml" in m.source
    assert m.units["A"] == "mole * litre^-1"
    assert dict(m.sbml_ids) == {"A": "A", "B": "B", "cell": "cell", "k1": "k1"}


def test_loading_again_returns_the_same_model():
    """So that compiled solves are reused; warnings are repeated on every load."""
    text = make_sbml(
        species=(("A", "c", 1.0), ("B", "c", 0.0)),
        parameters=(("k", 2.0),),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A", {}, True),),
    )
    with pytest.warns(UserWarning, match="marked fast"):
        first = pathjax.sbml.load(text)
    with pytest.warns(UserWarning, match="marked fast"):
        assert pathjax.sbml.load(text) is first
    with pytest.warns(UserWarning, match="marked fast"):
        assert pathjax.sbml.load(text, time_unit="s") is not first


# ---- models without state variables ------------------------------------------------------


RULES_ONLY = make_sbml(
    parameters=(("k", 2.0, True), ("y", 0.0, False), ("z", 0.0, False)),
    rules=(("assignment", "y", "k * time"), ("assignment", "z", "y * y + 1")),
)


def test_rules_only_model_is_evaluated_without_a_solve():
    """No species, only parameters and assignment rules: nothing to integrate, the rules
    are evaluated at the output times (analytic y = k t, z = (k t)^2 + 1; 1e-14, the
    arithmetic of two products)."""
    m = pathjax.sbml.load(RULES_ONLY)
    assert m.state_names == () and m.observable_names == ("y", "z")
    t = np.array([0.0, 0.5, 1.0, 3.0])
    ds = pathjax.simulate(m, t, {"k": [2.0, -1.0, 0.5]})
    assert ds.sizes == {"patient": 3, "time": 4, "parameter": 2}
    exact = np.outer([2.0, -1.0, 0.5], t)
    np.testing.assert_allclose(ds["y"].values, exact, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(ds["z"].values, exact**2 + 1, rtol=1e-14)
    np.testing.assert_array_equal(ds["status"].values, 0)
    # chunks of two patients (one padded) give the same values
    chunked = pathjax.simulate(m, t, {"k": [2.0, -1.0, 0.5]}, chunk_size=2)
    np.testing.assert_array_equal(chunked["z"].values, ds["z"].values)


def test_rules_only_model_from_the_command_line(tmp_path):
    import subprocess
    import sys

    from pathjax.io import open_result

    path = tmp_path / "rules.xml"
    path.write_text(RULES_ONLY)
    out, png = tmp_path / "rules.nc", tmp_path / "rules.png"
    res = subprocess.run(
        [sys.executable, "-c", "from pathjax.cli import main; main()", "simulate", "--sbml",
         str(path), "--t-end", "4", "--points", "5", "--patients", "2", "--out", str(out),
         "--plot", str(png)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert png.stat().st_size > 0  # the fan charts show the observables
    ds = open_result(out)
    k = ds["params"].sel(parameter="k").values
    # y = k t exactly (the only arithmetic is one product)
    np.testing.assert_allclose(ds["y"].values, np.outer(k, [0, 1, 2, 3, 4]), rtol=1e-14)
    np.testing.assert_array_equal(ds["status"].values, 0)
