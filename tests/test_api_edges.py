"""Edges of the public API a new user meets first: signs of initial values, results too
large for memory, submodules reachable after ``import pathjax``, model names and
`Protocol` constructors, and the hints given for a misplaced name."""

import importlib.util
import pkgutil
import subprocess
import sys

import numpy as np
import pytest

import pathjax
from helpers import make_sbml
from pathjax import InputError, Protocol
from pathjax.simulate import prepare
from toys import decay

SIMULATE = sys.modules["pathjax.simulate"]  # the module; `pathjax.simulate` is the function


# ---- a negative value for a non-negative quantity ---------------------------------------
def test_initial_sign_follows_the_meaning_of_the_state():
    # Sedaghat's surface GLUT4 is a percentage: never negative at the start, although the
    # published equations can drive it below zero during a run
    sedaghat = pathjax.models.load("sedaghat2002")
    with pytest.raises(InputError, match=r"'GLUT4_surface' = -5\.0 is negative"):
        pathjax.simulate(sedaghat, [0.0, 1.0], initial={"GLUT4_surface": -5.0})
    with pytest.raises(InputError, match=r"'GLUT4_surface' = -1\.0 is negative"):
        prepare(sedaghat, [0.0, 1.0], initial={"GLUT4_surface": [1.0, -1.0]})
    # the same for a parameter (a rate constant) ...
    with pytest.raises(InputError, match=r"'k_bind_1' = -1\.0 is negative"):
        prepare(sedaghat, [0.0, 1.0], params={"k_bind_1": -1.0})
    # ... while a deviation from basal may be negative (Dalla Man's insulin action X)
    dalla_man = pathjax.models.load("dallaman2007")
    batch = prepare(dalla_man, [0.0, 1.0], initial={"insulin_action": -2.0})
    assert batch.y0_override[dalla_man._state_index["insulin_action"]][0] == -2.0
    # SBML: a species is a concentration; a parameter moved by a rate rule is signed
    text = make_sbml(
        species=(("S", "c", 1.0),),
        parameters=(("v", 0.0, False),),
        rules=(("rate", "v", "-1"),),
    )
    model = pathjax.sbml.load(text)
    prepare(model, [0.0, 1.0], initial={"v": -3.0})
    with pytest.raises(InputError, match=r"'S' = -3\.0 is negative"):
        prepare(model, [0.0, 1.0], initial={"S": -3.0})


# ---- results too large for memory ----------------------------------------------------
def test_estimate_memory_counts_every_output():
    m = pathjax.models.load("sedaghat2002")
    per_value = len(m.state_names) + len(m.observable_names) + len(m.input_names)
    need = pathjax.estimate_memory(m, 10_000, 100)
    # at least the result itself, and not more than a few times it (chunk buffers)
    assert 10_000 * 100 * per_value * 8 <= need <= 4 * 10_000 * 100 * per_value * 8
    assert pathjax.estimate_memory("sedaghat2002", 10_000, 100) == need


def test_simulate_refuses_a_result_larger_than_memory(monkeypatch):
    # 1 MiB "available": 1,000 patients x 1,000 times of one state need ~16 MiB
    monkeypatch.setattr(sys.modules["pathjax._memory"], "available_memory", lambda: 2**20)
    with pytest.raises(InputError) as err:
        pathjax.simulate(decay(), np.linspace(0, 1, 1000), {"k": np.ones(1000)})
    message = str(err.value)
    assert "1,000 patients x 1,000 times" in message
    assert "1 MiB is available" in message
    assert "pathjax population --out x.zarr" in message
    # the same size fits when the memory is there
    monkeypatch.setattr(sys.modules["pathjax._memory"], "available_memory", lambda: 2**34)
    SIMULATE.check_memory(decay(), 1000, 1000)


def test_cli_refuses_ten_million_patients_before_sampling(tmp_path):
    # the available memory is fixed (16 GiB) so that the test does not depend on the
    # machine, and sampling is made to fail: the check must come before it
    code = (
        "import sys, pathjax._memory; "
        "sys.modules['pathjax._memory'].available_memory = lambda: 16 * 2**30; "
        "import pathjax.cli._simulate as c; "
        "c.lognormal_spread = lambda *a, **k: sys.exit('sampled before the memory check'); "
        "from pathjax.cli import main; main()"
    )
    args = ["simulate", "--model", "insulin_resistance", "--patients", "10000000"]
    args += ["--points", "2000", "--out", str(tmp_path / "x.nc")]
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "10,000,000 patients x 2,000 times" in lines[0]
    assert "16.0 GiB is available" in lines[0]
    assert "pathjax population --out x.zarr" in lines[0]
    assert not (tmp_path / "x.nc").exists()


# ---- every public submodule after a plain `import pathjax` ------------------------------
def _public_submodules() -> list[str]:
    # found without importing pathjax (the test imports it in a fresh process)
    spec = importlib.util.find_spec("pathjax")
    assert spec is not None and spec.submodule_search_locations
    names = [m.name for m in pkgutil.iter_modules(spec.submodule_search_locations)]
    # `pathjax.simulate` is the function (its module is imported as pathjax.simulate)
    return sorted(n for n in names if not n.startswith("_") and n != "simulate")


@pytest.mark.parametrize("name", _public_submodules())
def test_public_submodule_is_an_attribute_after_import(name):
    code = (
        f"import pathjax, types; m = pathjax.{name}; "
        f"assert isinstance(m, types.ModuleType) and m.__name__ == 'pathjax.{name}'; "
        f"assert {name!r} in dir(pathjax) and {name!r} in pathjax.__all__"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_documented_summaries_call_after_import():
    res = subprocess.run(
        [sys.executable, "-c", "import pathjax; pathjax.summaries.cohort_table"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr


# ---- model names, Protocol constructors, misplaced names ---------------------------------
def test_simulate_accepts_a_bundled_model_name():
    t = [0.0, 5.0]
    by_name = pathjax.simulate("sedaghat2002", t)
    by_model = pathjax.simulate(pathjax.models.load("sedaghat2002"), t)
    assert by_name.attrs["model"] == "sedaghat2002"
    np.testing.assert_array_equal(by_name["GLUT4_surface"], by_model["GLUT4_surface"])
    with pytest.raises(InputError, match=r"unknown model 'sedaghat_2002'.*'sedaghat2002'"):
        pathjax.simulate("sedaghat_2002", t)
    with pytest.raises(InputError, match="brannmark2013"):  # the available names
        pathjax.simulate("no_such_model", t)


def test_protocol_constant_takes_input_and_level_like_step():
    positional = Protocol.constant("insulin", 1.0)
    assert positional.segments == Protocol.constant(insulin=1.0).segments
    assert positional.segments == Protocol.constant(input="insulin", level=1.0).segments
    # the same (input, level) order as step: a step from -inf on
    assert positional.segments == Protocol.step("insulin", 1.0, start=-np.inf).segments
    both = Protocol.constant("insulin", 1.0, glucose=5.0)
    assert [s.input for s in both.segments] == ["insulin", "glucose"]
    with pytest.raises(InputError, match=r"Protocol.constant\('insulin'\) needs a level"):
        Protocol.constant("insulin")
    with pytest.raises(InputError, match="given twice"):
        Protocol.constant("insulin", 1.0, insulin=2.0)


def test_misplaced_names_point_to_the_right_argument():
    m = pathjax.models.load("sedaghat2002")
    t = [0.0, 1.0]
    hint = r"'insulin' = 10 is an input of 'sedaghat2002'.*Protocol.constant\('insulin', 10\)"
    with pytest.raises(InputError, match=hint):
        pathjax.simulate(m, t, params={"insulin": 10})
    with pytest.raises(InputError, match=r"input .*Protocol.constant\('insulin', 10\)"):
        pathjax.simulate(m, t, initial={"insulin": 10})
    with pytest.raises(InputError, match=r"parameter .*params=\{'k_bind_1': 1\.0\}"):
        pathjax.simulate(m, t, initial={"k_bind_1": 1.0})
    with pytest.raises(InputError, match=r"state .*initial=\{'GLUT4_surface': 5\.0\}"):
        pathjax.simulate(m, t, params={"GLUT4_surface": 5.0})
    # the hint's spelling works
    ds = pathjax.simulate(m, t, protocol=pathjax.Protocol.constant("insulin", 10))
    np.testing.assert_array_equal(ds["insulin"].values, 10.0)
