"""Patients split over several devices give the single-device result."""

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import numpy as np, jax, pathjax
    assert len(jax.devices()) == 2, jax.devices()
    m = pathjax.models.load("sedaghat2002")
    t = np.linspace(0, 60, 31)
    rng = np.random.default_rng(0)
    k = m.default_params()["k_IRS1_phos"] * rng.lognormal(0, 0.3, 7)
    one = pathjax.simulate(m, t, {"k_IRS1_phos": k}, devices=1, rtol=1e-8, atol=1e-12)
    two = pathjax.simulate(m, t, {"k_IRS1_phos": k}, devices=2, rtol=1e-8, atol=1e-12)
    default = pathjax.simulate(m, t, {"k_IRS1_phos": k}, rtol=1e-8, atol=1e-12)
    for name in m.state_names:
        # Each patient takes the same steps on any device; only the compiled program's
        # instruction selection for another batch width may differ in the last bits.
        np.testing.assert_allclose(two[name].values, one[name].values, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(default[name].values, two[name].values, rtol=1e-12, atol=1e-15)
    assert (two["status"].values == 0).all()
    print("OK", two.sizes["patient"])
    """
)


def test_two_host_devices_equal_one():
    env = dict(os.environ, PATHJAX_CPU_DEVICES="2")
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "OK 7" in res.stdout


def test_bad_devices_argument():
    import numpy as np

    import pathjax

    m = pathjax.models.load("sedaghat2002")
    with pytest.raises(ValueError, match="devices"):
        pathjax.simulate(m, np.linspace(0, 1, 2), devices=99)
    with pytest.raises(ValueError, match="devices"):
        pathjax.simulate(m, np.linspace(0, 1, 2), devices="some")
