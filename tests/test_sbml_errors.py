"""Unsupported constructs and bad input raise `pathjax.InputError` (a ValueError)
naming the construct and the element."""

import libsbml
import pytest

import pathjax
from helpers import make_sbml
from pathjax import InputError

BASE = dict(species=(("A", "c", 1.0), ("B", "c", 0.0)), parameters=(("k", 1.0),))


def _load(**spec):
    merged = {**BASE, **spec}
    return pathjax.sbml.load(make_sbml(**merged))


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)


@pytest.mark.parametrize(
    "text, match",
    [
        ("<sbml><model id='x'><listOfSpecies><species id='A'", "does not parse"),
        ("<?xml version='1.0'?><notsbml/>", "does not parse|no <model>"),
        ("no/such/file.xml", "neither an existing file nor SBML"),
    ],
)
def test_unparsable_input(text, match):
    with pytest.raises(InputError, match=match):
        pathjax.sbml.load(text)


def test_non_text_source():
    with pytest.raises(InputError, match="path or a string"):
        pathjax.sbml.load(42)


def test_algebraic_rule():
    with pytest.raises(InputError, match=r"algebraic rule.*A \+ B - 1.*DAE"):
        _load(rules=(("algebraic", None, "A + B - 1"),))


def test_event_delay():
    with pytest.raises(InputError, match="event 'late' has a delay"):
        _load(events=(("late", "time >= 1", [("A", "0")], "2"),))


def test_delay_csymbol():
    text = make_sbml(**BASE, reactions=(("R", {"A": 1}, {"B": 1}, "k * A"),))
    doc = libsbml.readSBMLFromString(text)
    law = doc.getModel().getReaction("R").getKineticLaw()
    node = libsbml.parseL3Formula("k * delay(A, 1)")
    law.setMath(node)
    with pytest.raises(InputError, match="kinetic law of reaction 'R' uses the delay function"):
        pathjax.sbml.load(libsbml.writeSBMLToString(doc))


def test_rate_of_csymbol():
    text = make_sbml(
        level=3,
        version=2,
        species=BASE["species"],
        parameters=(("k", 1.0), ("d", 0.0, False)),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A"),),
        rules=(("assignment", "d", "rateOf(A)"),),
    )
    with pytest.raises(InputError, match="assignment rule for 'd' uses the rateOf function"):
        pathjax.sbml.load(text)


def test_undefined_symbol():
    with pytest.raises(
        InputError, match="kinetic law of reaction 'R' refers to an undefined symbol 'q'"
    ):
        _load(reactions=(("R", {"A": 1}, {"B": 1}, "q * A"),))


def test_undefined_function():
    with pytest.raises(InputError, match="calls 'mystery'"):
        _load(reactions=(("R", {"A": 1}, {"B": 1}, "mystery(A)"),))


def test_variable_stoichiometry():
    text = make_sbml(
        level=3,
        version=1,
        species=BASE["species"],
        parameters=(("k", 1.0),),
        reactions=(("R", {"A": 1}, {"B": 1}, "k * A"),),
    )
    doc = libsbml.readSBMLFromString(text)
    m = doc.getModel()
    m.getReaction("R").getReactant(0).setId("sA")
    m.getReaction("R").getReactant(0).setConstant(False)
    rule = m.createAssignmentRule()
    rule.setVariable("sA")
    rule.setMath(libsbml.parseL3Formula("2"))
    with pytest.raises(InputError, match="species reference 'sA'.*variable stoichiometry"):
        pathjax.sbml.load(libsbml.writeSBMLToString(doc))


def test_event_changing_a_compartment():
    with pytest.raises(InputError, match="event changes the size of compartment 'c'"):
        _load(
            compartments=(("c", 1.0, False),),
            events=(("grow", "A < 0.5", [("c", "2")]),),
        )


def test_rule_sized_compartment_with_reacting_species():
    with pytest.raises(InputError, match="species 'A' lives in compartment 'c'.*assignment rule"):
        _load(
            compartments=(("c", 1.0, False),),
            reactions=(("R", {"A": 1}, {"B": 1}, "k * A"),),
            rules=(("assignment", "c", "1 + time"),),
        )


def _comp_document(submodel: bool) -> str:
    doc = libsbml.SBMLDocument(libsbml.SBMLNamespaces(3, 1, "comp", 1))
    doc.setPackageRequired("comp", True)
    m = doc.createModel()
    m.setId("composite")
    c = m.createCompartment()
    c.setId("c"), c.setSize(1.0), c.setConstant(True)
    s = m.createSpecies()
    s.setId("A"), s.setCompartment("c"), s.setInitialConcentration(1.0)
    s.setHasOnlySubstanceUnits(False), s.setBoundaryCondition(False), s.setConstant(False)
    if submodel:
        inner = doc.getPlugin("comp").createModelDefinition()
        inner.setId("inner")
        sub = m.getPlugin("comp").createSubmodel()
        sub.setId("part"), sub.setModelRef("inner")
    return libsbml.writeSBMLToString(doc)


def test_required_package():
    with pytest.raises(InputError, match="package 'comp'"):
        pathjax.sbml.load(_comp_document(submodel=True))


def test_comp_declared_but_unused_is_core_sbml():
    # Some tools write the comp namespace (required) into flat models.
    model = pathjax.sbml.load(_comp_document(submodel=False))
    assert model.state_names == ("A",)


def test_non_finite_initial_value():
    with pytest.raises(InputError, match="initial value of species 'A' is not finite"):
        _load(initial=(("A", "1 / 0"),))
