"""The composite's cohorts over the slow time scale: Topp 2000's growth law keeps a
physiological fixed point for every patient, so a year of ``"progression"`` compensates
(Topp's regime below the pathological fixed point) instead of collapsing the beta cells."""

import numpy as np
import pytest

import pathjax
from pathjax.models.insulin_resistance_companions import BETA_CELL_GROWTH, TOPP_SADDLE_GLUCOSE
from pathjax.models.modules import beta_cell


@pytest.mark.parametrize("cohort", ["healthy", "insulin_resistant", "t2d"])
def test_every_patient_has_topps_two_fixed_points(cohort):
    """Spread independently (CV 10 %), 1 draw in 5 had r1^2 < 4 r2 d0: no glucose at
    which replication balances death, and the mass died whatever the glucose. The
    cohorts keep the published rates, whose roots are 100 and 250 mg/dL."""
    p = pathjax.population.sample("insulin_resistance", cohort, 64, seed=0, filter=False)
    for name, value in BETA_CELL_GROWTH.items():
        np.testing.assert_array_equal(p[name], value)
    r1 = p["beta_cell_growth_linear"]
    r2 = p["beta_cell_growth_quadratic"]
    d0 = p["beta_cell_death_rate"]
    roots = np.sort(np.roots([-r2[0], r1[0], -d0[0]]))
    np.testing.assert_allclose(roots, [100.0, 250.0], rtol=1e-12)
    # the saddle in the composite's glucose: Topp's 250 mg/dL through the setpoint map
    setpoint = pathjax.models.load("insulin_resistance").default_params()[
        "beta_cell_glucose_setpoint"
    ]
    assert TOPP_SADDLE_GLUCOSE == pytest.approx(250.0 * setpoint / 100.0, abs=0.05)
    g = np.array([TOPP_SADDLE_GLUCOSE - 1.0, TOPP_SADDLE_GLUCOSE + 1.0])

    class P:
        beta_cell_growth_linear, beta_cell_growth_quadratic = r1[0], r2[0]
        beta_cell_death_rate, beta_cell_glucose_setpoint = d0[0], setpoint

    rate = np.asarray(beta_cell.net_growth_rate(g, P))
    assert rate[0] > 0 > rate[1]


@pytest.mark.slow
def test_a_year_of_progression_of_the_t2d_cohort_compensates():
    """64 t2d patients, a year from onset: no beta-cell collapse (before: 11 of 64 with
    mass 0 and glucose up to 600 mg/dL); the mass grows and fasting glucose returns
    towards the setpoint, Topp's compensation."""
    m = pathjax.models.load("insulin_resistance")
    p = pathjax.population.sample(m, "t2d", 64, seed=0)
    t = np.array([0.0, 1.0, 365.0]) * 1440.0
    ds = pathjax.simulate(m, t, dict(p), protocol="progression")
    assert np.all(ds["status"].values == 0)
    assert np.all(ds["plausible"].values == 1)
    mass = ds["beta_cell_mass"].values
    glucose = ds["plasma_glucose"].values
    assert mass[:, -1].min() > 250.0
    assert np.median(mass[:, -1]) > 400.0
    assert glucose[:, -1].max() < 100.0 < np.median(glucose[:, 1])
