"""The composite insulin-resistance model: interface, healthy fasting state, and the
disease and therapy responses, all from one batch (one compiled solve).

The batch runs the default scenario, a 75 g OGTT from each patient's own fasting steady
state. The default protocol reaches that state by a pre-equilibration of
`PREEQUILIBRATION` min; here the same is done by starting the integration at
``-PREEQUILIBRATION`` (the inputs stay at their baseline, so the two are the same
computation) so
that one compiled solve serves every check.
"""

import numpy as np
import pytest

import pathjax
from pathjax.models import insulin_resistance as ir
from pathjax.models.modules import whole_body

MODEL = pathjax.models.load("insulin_resistance")
RTOL, ATOL = 1e-7, 1e-9
T = np.array([-ir.PREEQUILIBRATION, 0.0, 10, 20, 30, 45, 60, 90, 120, 150, 180, 210, 240])
OGTT = slice(1, None)  # t >= 0

API_OBSERVABLES = (
    "IRS1_pY",
    "IRS1_pS",
    "AKT_active",
    "ERK_active",
    "GLUT4_surface",
    "glucose_uptake",
    "glycogen_synthesis",
    "plasma_glucose",
    "plasma_insulin",
    "HOMA_IR",
)
CONDITIONS = ("receptor_density", "receptor_activation", "inflammation", "oxidative_stress")
INTERVENTIONS = {
    "receptor_agonist": 0.0,
    "irs_serine_kinase_inhibition": 0.0,
    "ptp1b_inhibition": 0.0,
    "anti_inflammatory": 0.0,
    "antioxidant": 0.0,
    "insulin_sensitizer": 1.0,
}

# One patient per row: (label, {parameter: value}); unnamed parameters are healthy.
PATIENTS = (
    ("healthy", {}),
    ("inflammation 0.5", {"inflammation": 0.5}),
    ("inflammation 1", {"inflammation": 1.0}),
    ("inflammation 2", {"inflammation": 2.0}),
    ("oxidative stress 10", {"oxidative_stress": 10.0}),
    ("oxidative stress 100", {"oxidative_stress": 100.0}),
    ("receptor density 0.5", {"receptor_density": 0.5}),
    ("receptor activation 0.3", {"receptor_activation": 0.3}),
    ("inflammation 1 + anti-inflammatory 1", {"inflammation": 1.0, "anti_inflammatory": 1.0}),
    ("oxidative stress 100 + antioxidant 1", {"oxidative_stress": 100.0, "antioxidant": 1.0}),
    ("inflammation 1 + IRS serine-kinase inhibitor", {"inflammation": 1.0, "irs_serine_kinase_inhibition": 1.0}),
    ("inflammation 1 + PTP1B inhibitor", {"inflammation": 1.0, "ptp1b_inhibition": 0.5}),
    ("receptor density 0.5 + agonist", {"receptor_density": 0.5, "receptor_agonist": 0.1}),
    ("receptor density 0.5 + sensitiser", {"receptor_density": 0.5, "insulin_sensitizer": 1.5}),
)  # fmt: skip
ROW = {label: i for i, (label, _) in enumerate(PATIENTS)}


@pytest.fixture(scope="module")
def batch():
    defaults = MODEL.default_params()
    names = sorted({k for _, d in PATIENTS for k in d})
    params = {k: np.array([d.get(k, defaults[k]) for _, d in PATIENTS]) for k in names}
    ds = pathjax.simulate(
        MODEL, T, params, protocol=whole_body.meal(ir.OGTT_GLUCOSE), rtol=RTOL, atol=ATOL
    )
    return ds


def values(ds, name: str, label: str) -> np.ndarray:
    """Trajectory of `name` for patient `label` over the OGTT (t >= 0)."""
    return ds[name].values[ROW[label], OGTT]


def test_model_interface():
    assert MODEL.time_unit == "min"
    assert set(API_OBSERVABLES) <= set(MODEL.observable_names)
    assert set(CONDITIONS) <= set(MODEL.param_names)
    units = MODEL.units
    for name in MODEL.state_names + MODEL.param_names + MODEL.observable_names:
        assert units[name], name
    assert units["plasma_glucose"] == "mg/dL" and units["plasma_insulin"] == "pmol/L"
    defaults = MODEL.default_params()
    assert defaults["receptor_density"] == 1.0
    assert defaults["inflammation"] == 0.0 and defaults["oxidative_stress"] == 0.0
    for name in CONDITIONS:
        assert MODEL.param_spec(name).kind == "condition", name
    # every therapy target is an intervention parameter with a neutral default, described
    interventions = {p.name for p in MODEL.param_specs if p.kind == "intervention"}
    assert interventions == set(INTERVENTIONS)
    for name, neutral in INTERVENTIONS.items():
        spec = MODEL.param_spec(name)
        assert spec.default == neutral and len(spec.description) > 40, name
    assert dict(MODEL.sbml_ids) == {}
    for cited in (
        "Brännmark",
        "Smith",
        "Huang",
        "Di Camillo",
        "Borisov",
        "Kubota",
        "Dalla Man",
        "Topp",
    ):
        assert cited in MODEL.source, cited
    # the default scenario: 75 g oral glucose at t = 0 after pre-equilibration
    proto = MODEL.default_protocol
    assert proto.preequilibrate == ir.PREEQUILIBRATION
    assert [(d.state, d.time, d.amount) for d in proto.doses] == [
        ("stomach_solid", 0.0, ir.OGTT_GLUCOSE)
    ]
    assert [(r.state, r.time, r.value) for r in proto.resets] == [
        ("meal_size", 0.0, ir.OGTT_GLUCOSE)
    ]
    assert {"ogtt", "fasting", "progression"} <= set(MODEL.protocols)
    assert MODEL.protocols["progression"].preequilibrate is None
    assert 50 <= len(MODEL.state_names) <= 64


def test_stored_fasting_state_is_steady():
    """Every derivative at the stored healthy fasting state is below 1e-6 of its state per
    minute (the stored values carry 12 digits)."""
    p = MODEL.param_vector()
    y0 = np.asarray(MODEL.initial_state(p))
    d = np.asarray(MODEL.rhs(0.0, y0, p))
    scale = np.maximum(np.abs(y0), 1e-3)
    worst = int(np.argmax(np.abs(d) / scale))
    assert np.abs(d[worst]) / scale[worst] < 1e-6, MODEL.state_names[worst]


def test_everything_finite_and_nonnegative(batch):
    ds = batch
    assert np.all(ds.status.values == 0)
    for name in MODEL.state_names + MODEL.observable_names:
        assert np.all(np.isfinite(ds[name].values)), name
    for spec in MODEL.state_specs:
        if spec.nonnegative:
            # tolerance: the solve's atol (a state at rest near zero may round below it)
            assert ds[spec.name].values.min() > -10 * ATOL, spec.name
    for name in API_OBSERVABLES:
        assert ds[name].values.min() >= -10 * ATOL, name


def test_healthy_fasting_state(batch):
    """Physiological fasting values, and the stored state is the fasting steady state: the
    pre-equilibration changes nothing for the healthy defaults."""
    ds = batch
    i = ROW["healthy"]
    g, ins, homa = (ds[k].values[i, 1] for k in ("plasma_glucose", "plasma_insulin", "HOMA_IR"))
    assert 85.0 <= g <= 100.0 and 25.0 <= ins <= 60.0 and 1.0 <= homa <= 2.0
    for name in MODEL.state_names:
        if name in ("stomach_solid", "meal_size"):  # the load is dosed at t = 0
            continue
        before, after = ds[name].values[i, :2]
        # tolerance: the drift over 6000 min at rtol 1e-7 from a state stored to 12 digits
        assert abs(after - before) <= 1e-6 * max(abs(before), 1e-3), name
    # a normal OGTT: glucose peaks below 200 mg/dL and returns near fasting by 240 min
    glucose = values(ds, "plasma_glucose", "healthy")
    assert 130.0 < glucose.max() < 200.0 and glucose[-1] < 115.0


def test_inflammation_raises_irs1_serine_and_lowers_tyrosine_and_uptake(batch):
    """Dose dependence: inflammation 0, 0.5, 1, 2 give monotone responses, fasting and
    after the load."""
    ds = batch
    rows = [ROW[k] for k in ("healthy", "inflammation 0.5", "inflammation 1", "inflammation 2")]
    for t_index in (1, 6):  # t = 0 (fasting) and t = 60 min (after the load)
        ps = ds["IRS1_pS"].values[rows, t_index]
        py = ds["IRS1_pY"].values[rows, t_index]
        uptake = ds["glucose_uptake"].values[rows, t_index]
        assert np.all(np.diff(ps) > 0), ps
        assert np.all(np.diff(py) < 0), py
        assert np.all(np.diff(uptake) < 0), uptake
    # the route: JNK activity up, IRS1 degraded (Smith 2013)
    jnk = ds["JNK_active"].values[rows, 1]
    irs1 = ds["IRS1_total"].values[rows, 1]
    assert np.all(np.diff(jnk) > 0) and np.all(np.diff(irs1) < 0)


def test_oxidative_stress_lowers_akt(batch):
    """Oxidative stress (ROS 10- and 100-fold basal) lowers active Akt throughout, more at
    the higher level: the JNK/IKK -> IRS1 serine phosphorylation and degradation route
    outweighs the sensitising PTP1B and PTEN oxidation (with the chosen PTP1B share)."""
    ds = batch
    healthy = values(ds, "AKT_active", "healthy")
    moderate = values(ds, "AKT_active", "oxidative stress 10")
    stressed = values(ds, "AKT_active", "oxidative stress 100")
    assert np.all(moderate < healthy)
    assert np.all(stressed < 0.5 * moderate)
    assert values(ds, "PTP1B_oxidised", "oxidative stress 100")[0] > 50.0
    assert values(ds, "IRS1_total", "oxidative stress 100")[0] < 50.0


def test_receptor_downregulation_lowers_akt_and_surface_glut4(batch):
    """Half the receptors: lower active Akt and surface GLUT4 throughout the OGTT, despite
    the higher insulin. An activation defect lowers them fasting and on average, though
    the compensating late hyperinsulinaemia lifts Akt above healthy at 240 min."""
    ds = batch
    for name in ("AKT_active", "GLUT4_surface"):
        healthy = values(ds, name, "healthy")
        assert np.all(values(ds, name, "receptor density 0.5") < healthy), name
        impaired = values(ds, name, "receptor activation 0.3")
        assert impaired[0] < healthy[0] and impaired.mean() < healthy.mean(), name


def test_insulin_resistance_raises_glucose_and_insulin_response(batch):
    """Resistance raises the plasma glucose and, by compensation, the plasma insulin
    response to the load (peak and area), and fasting HOMA-IR."""
    ds = batch

    def area(name, label):
        return np.trapezoid(values(ds, name, label), T[OGTT])

    for label in ("inflammation 1", "inflammation 2", "receptor density 0.5"):
        for name in ("plasma_glucose", "plasma_insulin"):
            assert values(ds, name, label).max() > values(ds, name, "healthy").max(), (label, name)
            assert area(name, label) > area(name, "healthy"), (label, name)
        assert values(ds, "HOMA_IR", label)[0] > values(ds, "HOMA_IR", "healthy")[0]


def test_mapk_branch_responds_to_the_load(batch):
    """Qualitative check of the MAPK sub-network (Borisov 2009): insulin after the load
    activates ERK; inflammation, removing IRS1, lowers it."""
    ds = batch
    erk = values(ds, "ERK_active", "healthy")
    assert erk.max() > 2.0 * erk[0]
    assert values(ds, "ERK_active", "inflammation 1").max() < erk.max()


def test_interventions_act_in_their_documented_direction(batch):
    ds = batch

    def close(a, b):
        for name in API_OBSERVABLES:
            np.testing.assert_allclose(values(ds, name, a), values(ds, name, b), rtol=1e-9)

    close("inflammation 1 + anti-inflammatory 1", "healthy")
    close("oxidative stress 100 + antioxidant 1", "healthy")
    for label in (
        "inflammation 1 + IRS serine-kinase inhibitor",
        "inflammation 1 + PTP1B inhibitor",
    ):
        assert np.all(values(ds, "IRS1_pY", label) > values(ds, "IRS1_pY", "inflammation 1"))
    agonist = values(ds, "AKT_active", "receptor density 0.5 + agonist")
    assert np.all(agonist > values(ds, "AKT_active", "receptor density 0.5"))
    for label in ("receptor density 0.5 + agonist", "receptor density 0.5 + sensitiser"):
        treated = values(ds, "plasma_glucose", label).max()
        assert treated < values(ds, "plasma_glucose", "receptor density 0.5").max(), label


@pytest.mark.slow
def test_progression_beta_cells_compensate():
    """Slow time scale: from the healthy fasting state, inflammation from t = 0 raises
    fasting glucose at once; over a year the beta-cell mass grows (Topp 2000) and brings
    glucose back toward the setpoint with higher insulin."""
    t = np.linspace(0.0, 365 * 1440.0, 5)
    ds = pathjax.simulate(
        MODEL, t, {"inflammation": np.array([0.0, 1.0])}, protocol="progression", rtol=1e-6
    )
    assert np.all(ds.status.values == 0)
    mass = ds["beta_cell_mass"].values
    glucose = ds["plasma_glucose"].values
    np.testing.assert_allclose(mass[0], mass[0, 0], rtol=1e-6)
    assert np.all(np.diff(mass[1]) > 0)
    assert glucose[1, 1] > glucose[1, -1] > glucose[0, -1]
    assert ds["plasma_insulin"].values[1, -1] > ds["plasma_insulin"].values[0, -1]


def test_assay_stimulates_the_cell_at_fixed_insulin():
    """The ``assay`` protocol: from each patient's fasting state the cell sees the assay's
    insulin (not the body's); more insulin, more glucose uptake; a resistant cell (half
    the receptors, strong inflammation) takes up less at every insulin, and the
    anti-inflammatory restores it to the healthy cell."""
    doses = np.array([0.0, 0.1, 1.0, 10.0])
    rows = [({}, d) for d in doses] + [({"receptor_density": 0.5, "inflammation": 1.0}, d)
                                       for d in doses]  # fmt: skip
    rows += [({"inflammation": 1.0, "anti_inflammatory": 1.0}, 1.0)]
    defaults = MODEL.default_params()
    params = {k: np.array([p.get(k, defaults[k]) for p, _ in rows])
              for k in ("receptor_density", "inflammation", "anti_inflammatory")}  # fmt: skip
    insulin = np.array([d for _, d in rows])
    ds = pathjax.simulate(MODEL, [0.0, 10.0], params, protocol=ir.assay(insulin),
                          rtol=RTOL, atol=ATOL)  # fmt: skip
    assert np.all(ds["status"].values == 0)
    np.testing.assert_allclose(ds["cell_insulin"].values[:, -1], insulin, rtol=0, atol=0)
    up = ds["glucose_uptake"].values[:, -1]
    healthy, resistant = up[:4], up[4:8]
    assert np.all(np.diff(healthy) > 0) and np.all(np.diff(resistant) > 0)
    assert np.all(resistant[1:] < healthy[1:])
    np.testing.assert_allclose(up[8], healthy[2], rtol=1e-6)
