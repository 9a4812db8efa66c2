"""Plausible by default: a model's physiological bounds are checked on every run, and the
composite model's insulin secretion cannot turn negative."""

import numpy as np
import pytest
import xarray as xr

import pathjax
from helpers import pathjax_command
from pathjax import Model, Param, State
from pathjax.model import Companions
from pathjax.models.modules import whole_body
from pathjax.models.modules._views import Values
from pathjax.population import Range
from pathjax.summaries import within_bounds

# concentrations, masses and fluxes of the composite that are never negative
NONNEGATIVE = ("plasma_glucose", "plasma_insulin", "insulin_secretion", "insulin_mass_liver",
               "insulin_mass_plasma", "portal_insulin", "glucose_mass_plasma",
               "glucose_mass_tissue", "beta_cell_mass")  # fmt: skip


def _decay_with_bounds() -> Model:
    def bounds():
        return (Range("x", 0.5, 2.0, at="all"), Range("x", 0.9, 1.1, at="basal"))

    return Model(
        name="bounded_decay",
        state_specs=(State("x", "mM", 1.0),),
        param_specs=(Param("k", "1/min", 0.1),),
        rhs_fn=lambda t, y, p, u: {"x": -p.k * y.x},
        companions=Companions(plausibility=bounds),
    )


def test_within_bounds_flags_values_outside_nan_and_failed_solves():
    """Each way out of the bounds flags exactly its patient."""
    y = np.array([[1.0, 1.5], [1.0, -1e-12], [1.0, np.nan], [1.0, 1.0], [3.0, 1.0]])
    ds = xr.Dataset({"x": (("patient", "time"), y), "status": ("patient", [0, 0, 0, 1, 0])})
    ok = within_bounds(ds, [Range("x", 0.0, 2.0, at="all")])
    assert ok.tolist() == [True, False, False, False, False]
    basal = within_bounds(ds, [Range("x", 0.0, 2.0, at="basal")])
    assert basal.tolist() == [True, True, True, False, False]
    with pytest.raises(ValueError, match="unknown output 'z'"):
        within_bounds(ds, [Range("z", 0.0, 1.0, at="all")])


def test_a_patient_forced_out_of_bounds_is_flagged_not_failed():
    """A fast decay leaves the declared range (x >= 0.5 by t = 60 needs k <= ln 2 / 60):
    the solve succeeds (status 0) and the patient is flagged in ``plausible``."""
    ds = pathjax.simulate(_decay_with_bounds(), np.linspace(0, 60, 7), {"k": [0.001, 0.05]})
    assert ds["status"].values.tolist() == [0, 0]
    assert ds["plausible"].values.tolist() == [1, 0]
    assert ds["plausible"].dtype == np.int8


def test_a_model_without_bounds_has_no_plausible_variable():
    ds = pathjax.simulate(_decay_with_bounds().replace(companions=Companions()), [0.0, 1.0])
    assert "plausible" not in ds


def test_secretion_non_negative_while_the_beta_cell_mass_falls():
    """Provision at its floor (Y = -S_b: glucose far below G_b) and a falling mass: the
    composite's first form (S_b, beta, K scaled by b inside the bounds) drove Y below
    the moving floor -b S_b; now the floor is on the unscaled Y and S_po = b (Y + S_b)
    = 0, and Y's derivative does not depend on b."""
    p = pathjax.models.load("dallaman2007").default_params()
    base = {s.name: s.default for s in whole_body.STATES}
    y = Values(base | {"glucose_mass_plasma": 60.0, "secretion_provision": -1.8})
    pv = Values(p | {"K_secretion_derivative": 0.0})  # glucose rises here: no K term
    for b in (1.0, 0.8, 0.3):
        obs = whole_body.observables(y, pv, 1.0, b, paper_bounds=True)
        d = whole_body.derivatives(y, pv, 1.0, b, paper_bounds=True)
        assert float(obs["portal_insulin_inflow"]) == pytest.approx(0.0, abs=1e-15)
        assert float(d["secretion_provision"]) == pytest.approx(0.0, abs=1e-15)
    # rounding below the floor does not make secretion negative
    y = Values(base | {"glucose_mass_plasma": 60.0, "secretion_provision": -1.8 - 1e-9})
    assert float(whole_body.observables(y, pv, 1.0, 0.5, True)["portal_insulin_inflow"]) >= 0.0


def test_default_simulate_of_the_composite_has_no_negative_concentration(tmp_path):
    """``pathjax simulate --model insulin_resistance`` with its default spread (CV 0.2):
    every solved patient keeps its concentrations non-negative (before the fix 3 of these
    32 had negative plasma insulin and secretion), the patients with fasting glucose
    below 60 mg/dL are flagged, and the command prints how many were flagged."""
    out = tmp_path / "ir.nc"
    res = pathjax_command("simulate", "--model", "insulin_resistance", "--patients", "32",
                          "--seed", "0", "--t-end", "240", "--points", "25",
                          "--out", str(out))  # fmt: skip
    assert res.returncode == 0, res.stderr
    ds = xr.open_dataset(out).load()
    solved = ds["status"].values == 0
    assert solved.all()
    for name in NONNEGATIVE:
        assert np.all(ds[name].values[solved] >= 0.0), name
    plausible = ds["plausible"].values == 1
    hypo = ds["plasma_glucose"].values[:, 0] < 60.0
    assert hypo.any() and not plausible[hypo].any()
    assert plausible.sum() >= 16  # most of the spread is physiological
    assert f"{int((~plausible & solved).sum())} outside the model's physiological bounds" in (
        res.stdout
    )
