"""PEtab problems: likelihoods against analytic and published reference values,
gradients against finite differences, the simulation table against the `petab` library's
own likelihood, v1 against its v2 conversion, and bad input."""

import contextlib
import functools
import math
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pathjax
from pathjax import InputError

DATA = Path(__file__).parent / "data" / "petab"
REFERENCE_LLH = {
    "Boehm_JProteomeRes2014": -138.22199693517703,
    "Brannmark_JBC2010": -141.889113770537,
    "Fujita_SciSignal2010": 53.08377736998929,
    "Weber_BMC2015": -296.2017922646865,
    "Zheng_PNAS2012": 278.33353271001477,
}


# --------------------------------------------------------------------------- the example


@functools.cache
def _measurements() -> pd.DataFrame:
    return pd.read_csv(pathjax.petab.example().parent / "measurements.tsv", sep="\t")


def analytic_nllh(k1=0.8, k2=0.3, scale=2.0, sigma=0.05, u_high=2.0):
    """The example's nllh from the closed-form solution of A <-> B (A + B = 1)."""
    m = _measurements()
    b0 = k1 * 0.2 / (k1 * 0.2 + k2)
    total = 0.0
    for row in m.itertuples():
        u = 1.0 if row.simulationConditionId == "stim1" else u_high
        rate, bss = k1 * u + k2, k1 * u / (k1 * u + k2)
        b = bss if math.isinf(row.time) else bss + (b0 - bss) * math.exp(-rate * row.time)
        if row.observableId == "B_scaled":
            s = scale if row.observableParameters == "scale" else float(row.observableParameters)
            r = (s * b - row.measurement) / sigma
            total += 0.5 * math.log(2 * math.pi * sigma**2) + 0.5 * r**2
        else:
            y = row.measurement
            total += math.log(2 * 0.1 * y) + abs(math.log(1 - b) - math.log(y)) / 0.1
    return total


@contextlib.contextmanager
def _quiet():
    """The `petab` library's own deprecation warnings (pandas) are not ours to fix."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.fixture(scope="module")
def example():
    return pathjax.petab.load(pathjax.petab.example())


def test_example_matches_the_closed_form(example):
    assert example.parameter_ids == ("k1", "k2", "scale", "sigma")
    assert example.nllh() == pytest.approx(analytic_nllh(), rel=1e-7)
    x = {"k1": 1.3, "k2": 0.2, "scale": 1.7, "sigma": 0.08, "u_high": 3.0}
    assert example.nllh(x) == pytest.approx(analytic_nllh(**x), rel=1e-7)


def test_batch_equals_single_evaluations(example):
    X = np.array([[0.8, 0.3, 2.0, 0.05], [1.1, 0.25, 1.8, 0.07], [0.5, 0.5, 2.2, 0.04]])
    batch = example.nllh_batch(X)
    single = [example.nllh(dict(zip(example.parameter_ids, x))) for x in X]
    np.testing.assert_allclose(batch, single, rtol=1e-10)
    as_dicts = example.nllh_batch([dict(zip(example.parameter_ids, x)) for x in X])
    np.testing.assert_allclose(as_dicts, batch, rtol=1e-12)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_gradient_equals_finite_differences_of_the_closed_form(example, mode):
    x = {"k1": 1.1, "k2": 0.25, "scale": 1.8, "sigma": 0.07}
    g = example.gradient(x, mode=mode)
    for k, v in x.items():
        h = 1e-6 * v
        fd = (analytic_nllh(**{**x, k: v + h}) - analytic_nllh(**{**x, k: v - h})) / (2 * h)
        assert g[k] == pytest.approx(fd, rel=1e-4), k


def test_simulation_table_gives_the_petab_library_likelihood(example):
    import petab.v1 as v1

    sim = example.simulation_table()
    assert "simulation" in sim and "measurement" not in sim
    assert len(sim) == example.n_measurements
    folder = pathjax.petab.example().parent
    with _quiet():
        problem = v1.Problem.from_yaml(str(folder / "problem.yaml"))
        llh = v1.calculate_llh(problem.measurement_df, sim, problem.observable_df,
                               problem.parameter_df)  # fmt: skip
    assert -llh == pytest.approx(example.nllh(), rel=1e-10)


def test_prior_matches_the_petab_library(example):
    from petab.v1.priors import Prior

    row = example.spec.parameters[1]
    assert row.prior == ("logNormal", (-1.2, 0.5))
    prior = Prior.from_par_dict(
        {"objectivePriorType": "logNormal", "objectivePriorParameters": "-1.2;0.5",
         "parameterScale": "log10", "lowerBound": 1e-3, "upperBound": 100},
        type_="objective",
    )  # fmt: skip
    expected = prior.neglogprior(0.3)
    assert example.neg_log_prior() == pytest.approx(expected, rel=1e-10)


def test_v2_conversion_gives_the_same_likelihood(example, tmp_path):
    from petab.v2.petab1to2 import petab1to2

    folder = _copy(tmp_path)  # the converter does not know v1's logNormal prior name
    _edit(folder / "parameters.tsv", "logNormal\t-1.2;0.5", "\t")
    with _quiet():
        petab1to2(folder / "problem.yaml", tmp_path / "v2")
    # the converter leaves noiseDistribution empty (normal): say what v1 meant
    obs = tmp_path / "v2" / "observables.tsv"
    obs.write_text(obs.read_text().replace("0.1\t\t", "0.1\tlog-laplace\t"))
    (yaml_file,) = (tmp_path / "v2").glob("*.yaml")
    v2 = pathjax.petab.load(yaml_file)
    assert v2.version == 2
    assert v2.nllh() == pytest.approx(example.nllh(), rel=1e-9)


# --------------------------------------------------------------------------- bad input


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    shutil.copytree(pathjax.petab.example().parent, folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_bad_input_is_named(example, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        pathjax.petab.load(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="'k9' is not a parameter"):
        example.nllh({"k9": 1.0})
    with pytest.raises(InputError, match="finite number"):
        example.nllh({"k1": float("nan")})
    with pytest.raises(InputError, match="shape"):
        example.nllh_batch(np.ones((2, 3)))
    with pytest.raises(InputError, match="mode"):
        example.gradient(mode="sideways")


def test_unsupported_tables_are_refused_before_compiling(tmp_path):
    folder = _copy(tmp_path)
    _edit(folder / "observables.tsv", "laplace", "cauchy")
    with pytest.raises(InputError, match=r"observable table, row 'A_log', column noiseDistrib"):
        pathjax.petab.load(folder / "problem.yaml")
    folder = _copy(tmp_path / "b")
    _edit(folder / "observables.tsv", "observableParameter1_B_scaled * B",
          "observableParameter1_B_scaled * besseli(B, 1)")  # fmt: skip
    with pytest.raises(InputError, match="observable table"):
        pathjax.petab.load(folder / "problem.yaml")


def _simulated(problem) -> np.ndarray:
    with _quiet():
        return problem.simulation_table()["simulation"].to_numpy()


@pytest.mark.parametrize("symbol", ["B", "Bamount"])
def test_amount_species_mean_amounts_in_formulas(example, tmp_path, symbol):
    # B as an amount (hasOnlySubstanceUnits) in a compartment of size 2, with the same
    # concentration dynamics as the example; "Bamount" is an amount-valued species set
    # by an assignment rule. PEtab formulas read both as amounts (SBML semantics).
    folder = _copy(tmp_path)
    model = folder / "model.xml"
    _edit(model, '<compartment id="cell" size="1"', '<compartment id="cell" size="2"')
    _edit(model, 'id="B" compartment="cell" initialConcentration="0" hasOnlySubstanceUnits="false"',
          'id="B" compartment="cell" initialConcentration="0" hasOnlySubstanceUnits="true"')  # fmt: skip
    _edit(model, "<ci>cell</ci><ci>k2</ci><ci>B</ci>", "<ci>k2</ci><ci>B</ci>")
    _edit(model, "</listOfSpecies>", '<species id="Bamount" compartment="cell" '
          'hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>'
          "</listOfSpecies>")  # fmt: skip
    _edit(model, "<listOfReactions>", '<listOfRules><assignmentRule variable="Bamount">'
          '<math xmlns="http://www.w3.org/1998/Math/MathML"><ci>B</ci></math>'
          "</assignmentRule></listOfRules><listOfReactions>")  # fmt: skip
    _edit(folder / "observables.tsv", "observableParameter1_B_scaled * B",
          f"observableParameter1_B_scaled * {symbol}")  # fmt: skip
    problem = pathjax.petab.load(folder / "problem.yaml")
    rows = _measurements()["observableId"].to_numpy() == "B_scaled"
    got, want = _simulated(problem), _simulated(example)
    np.testing.assert_allclose(got[rows], 2.0 * want[rows], rtol=1e-6)
    np.testing.assert_allclose(got[~rows], want[~rows], rtol=1e-6)


def test_condition_values_replace_initial_assignments(example, tmp_path):
    # Every condition sets u; an initial assignment to u in the model must not win.
    folder = _copy(tmp_path)
    _edit(folder / "model.xml", "<listOfReactions>", '<listOfInitialAssignments>'
          '<initialAssignment symbol="u"><math xmlns="http://www.w3.org/1998/Math/MathML">'
          "<apply><times/><cn>5</cn><ci>k1</ci></apply></math></initialAssignment>"
          "</listOfInitialAssignments><listOfReactions>")  # fmt: skip
    problem = pathjax.petab.load(folder / "problem.yaml")
    assert problem.nllh() == pytest.approx(example.nllh(), rel=1e-10)


def test_step_size_underflow_is_solved_again_at_a_looser_atol(example, monkeypatch):
    # Vector 1 of 2 "underflows" at the problem's atol: only it is taken from the
    # second call, made at UNDERFLOW_RETRY x atol.
    calls = []
    real = example._compiled.program("value")

    def fake(kind):
        def run(theta, rtol, atol, wp):
            calls.append(atol)
            f, ok, g, _ = real(theta, rtol, atol, wp)
            first = atol == example.atol
            under = np.arange(theta.shape[0]) == 1
            f = np.where(under & first, np.inf, np.asarray(f) + (0.0 if first else 1.0))
            return f, np.asarray(ok) & ~(under & first), g, under & first

        return run

    monkeypatch.setattr(example._compiled, "program", fake)
    theta = example.to_scale(np.array([[0.8, 0.3, 2.0, 0.05], [0.7, 0.3, 2.0, 0.05]]))
    f, _, ok = example.value_and_grad(theta, mode="value")
    retry = pathjax.petab.UNDERFLOW_RETRY
    assert calls == [example.atol, example.atol * retry]
    assert ok.all() and np.isfinite(f).all()
    assert f[1] == pytest.approx(real(theta, example.rtol, example.atol * retry, 1.0)[0][1] + 1)
    assert f[0] == pytest.approx(example.value_and_grad(theta[:1], mode="value")[0][0])


# --------------------------------------------------------------------------- the collection


@pytest.mark.parametrize("name", sorted(REFERENCE_LLH))
def test_benchmark_collection_reference_likelihoods(name):
    problem = pathjax.petab.load(DATA / name / f"{name}.yaml")
    assert problem.nllh() == pytest.approx(-REFERENCE_LLH[name], abs=1e-3)


@pytest.mark.slow
def test_benchmark_gradient_equals_finite_differences():
    """Boehm 2014 (no pre-equilibration, 9 parameters): forward and reverse mode against
    central differences on the log scale."""
    name = "Boehm_JProteomeRes2014"
    problem = pathjax.petab.load(DATA / name / f"{name}.yaml", rtol=1e-10, atol=1e-14)
    fwd = problem.gradient(mode="forward")
    rev = problem.gradient(mode="reverse")
    x0 = {k: problem.nominal[k] for k in problem.parameter_ids}
    rel = 1e-4
    X = [{**x0, k: x0[k] * f} for k in x0 for f in (1 + rel, 1 - rel)]
    f = problem.nllh_batch(X)
    fd = np.array([(f[2 * i] - f[2 * i + 1]) / (2 * rel * x0[k]) for i, k in enumerate(x0)])
    scale = np.max(np.abs(fd))
    for i, k in enumerate(x0):
        assert abs(fwd[k] - fd[i]) <= 1e-4 * max(abs(fd[i]), 1e-3 * scale), k
        assert rev[k] == pytest.approx(fwd[k], rel=1e-8, abs=1e-12 * scale), k
