"""Reading an SBML document: parsing, rejecting what pathjax cannot simulate, units,
the time unit and the citation."""

import math
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import libsbml

from .._errors import InputError

__all__ = ["citation", "check_supported", "parse", "read_text", "time_unit_of", "unit_of", "warn"]

# Packages whose presence changes the meaning of an ODE model; the others (layout,
# render, annotations) are ignored.
_HARMLESS_PACKAGES = {"layout", "render", "annot"}


def read_text(source: Any) -> tuple[str, str]:
    """The SBML text of `source` (a path, or SBML text itself).

    Returns:
        ``(text, stem)``, where `stem` is the file name without extension (or ``""``
        for text).

    Raises:
        InputError: the file does not exist, or `source` is neither a path nor text.
    """
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    stem = ""
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and not source.lstrip().startswith("<")
    ):
        path = Path(source)
        if not path.is_file():
            raise InputError(
                f"SBML source {str(source)[:200]!r} is neither an existing file nor SBML text "
                f"(which starts with '<')"
            )
        text = path.read_text(encoding="utf-8", errors="replace")
        stem = path.stem
    elif isinstance(source, str):
        text = source
    else:
        raise InputError(
            f"SBML source must be a path or a string of SBML, got {type(source).__name__}"
        )
    return text, stem


def parse(text: str) -> Any:
    """Parse SBML text into a libsbml document.

    Raises:
        InputError: the text is not SBML (the first libsbml error, with its line).
    """
    doc = libsbml.readSBMLFromString(text)
    fatal = [
        doc.getError(i)
        for i in range(doc.getNumErrors())
        if doc.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    if fatal:
        err = fatal[0]
        where = f" (line {err.getLine()})" if err.getLine() else ""
        msg = " ".join(err.getMessage().split())
        raise InputError(f"SBML does not parse{where}: {msg}")
    if doc.getModel() is None:
        raise InputError("SBML document has no <model>")
    return doc


def _element(el: Any) -> str:
    sid = el.getId() if el.isSetId() else ""
    return f"{el.getElementName()} {sid!r}" if sid else el.getElementName()


def _composes(doc: Any) -> bool:
    """Whether the document's ``comp`` declaration is used: model definitions or
    submodels (without them there is nothing to compose, the model is core SBML)."""
    plug, model_plug = doc.getPlugin("comp"), doc.getModel().getPlugin("comp")
    return bool(
        plug is None
        or plug.getNumModelDefinitions()
        or plug.getNumExternalModelDefinitions()
        or model_plug is None
        or model_plug.getNumSubmodels()
    )


def check_supported(doc: Any) -> None:
    """Reject constructs pathjax does not simulate, naming the element.

    Raises:
        InputError: algebraic rules, event delays, reactions without a kinetic law,
            the ``comp`` package with submodels or model definitions, the ``distrib``
            (stochastic) and ``arrays`` packages, and any other package the document
            marks as required.
    """
    model = doc.getModel()
    for i in range(doc.getNumPlugins()):
        plug = doc.getPlugin(i)
        prefix = plug.getPrefix()
        if prefix in _HARMLESS_PACKAGES or (prefix == "comp" and not _composes(doc)):
            continue
        if doc.getPackageRequired(prefix) or prefix in ("comp", "distrib", "arrays"):
            raise InputError(
                f"SBML package {prefix!r} is used by the model; pathjax imports core SBML "
                f"ODE models only"
            )
    for r in model.getListOfRules():
        if r.isAlgebraic():
            formula = libsbml.formulaToL3String(r.getMath()) if r.isSetMath() else "?"
            label = f" {r.getMetaId()!r}" if r.isSetMetaId() else ""
            raise InputError(
                f"algebraic rule{label} (0 = {formula}) is not supported: pathjax integrates "
                f"ODEs, not DAEs"
            )
    for e in model.getListOfEvents():
        if e.isSetDelay():
            raise InputError(f"{_element(e)} has a delay, which pathjax does not support")
    # Constraints only assert; ignoring them does not change the trajectories.
    for r in model.getListOfReactions():
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise InputError(f"{_element(r)} has no kinetic law")


# ---- units ------------------------------------------------------------------------------


def _format_unit_definition(ud: Any) -> str:
    parts = []
    for u in ud.getListOfUnits():
        kind = libsbml.UnitKind_toString(u.getKind())
        factor = u.getMultiplier() * 10.0 ** u.getScale()
        exp = u.getExponentAsDouble()
        if kind == "dimensionless" and factor == 1.0:
            continue
        token = kind if factor == 1.0 else f"({factor:g} {kind})"
        if exp != 1:
            token += f"^{exp:g}"
        parts.append(token)
    return " * ".join(parts) or "1"


def unit_of(element: Any) -> str:
    """A readable unit string for a species, parameter or compartment.

    Uses libsbml's derived unit definition (declared units, or the Level 2 defaults);
    ``"unspecified"`` where the SBML gives none.
    """
    try:
        ud = element.getDerivedUnitDefinition()
    except Exception:  # pragma: no cover - libsbml raises on some malformed units
        ud = None
    if ud is None or ud.getNumUnits() == 0:
        return "unspecified"
    return _format_unit_definition(ud)


_SECONDS = {1.0: "s", 60.0: "min", 3600.0: "h", 86400.0: "day"}


def time_unit_of(model: Any) -> str:
    """The model's time unit by pathjax's rule (SBML declarations are often wrong).

    ``second`` -> ``"s"``; seconds times 60 / 3600 / 86400 -> ``"min"`` / ``"h"`` /
    ``"day"``; nothing declared, or anything else -> ``"min"`` (the unit of most
    signalling models, whatever their files say).
    """
    level = model.getLevel()
    units_id = None
    if level >= 3 and model.isSetTimeUnits():
        units_id = model.getTimeUnits()
    elif level < 3 and model.getUnitDefinition("time") is not None:
        units_id = "time"
    if not units_id:
        return "min"
    if units_id == "second":
        return "s"
    ud = model.getUnitDefinition(units_id)
    if ud is None or ud.getNumUnits() != 1:
        return "min"
    u = ud.getUnit(0)
    if libsbml.UnitKind_toString(u.getKind()) != "second" or u.getExponent() != 1:
        return "min"
    factor = u.getMultiplier() * 10.0 ** u.getScale()
    for seconds, label in _SECONDS.items():
        if math.isclose(factor, seconds, rel_tol=1e-9):
            return label
    return "min"


# ---- provenance -------------------------------------------------------------------------


def _resources(sbase: Any) -> list[tuple[int, str]]:
    out = []
    for i in range(sbase.getNumCVTerms()):
        term = sbase.getCVTerm(i)
        qual = term.getBiologicalQualifierType()
        for j in range(term.getNumResources()):
            out.append((qual, term.getResourceURI(j)))
    return out


def citation(doc: Any) -> str:
    """Model name, SBML level, BioModels id and PubMed id from the annotations."""
    model = doc.getModel()
    title = model.getName() or model.getId() or "SBML model"
    bits = [f"{title} (SBML Level {doc.getLevel()} Version {doc.getVersion()}"]
    biomodels, pubmed = [], []
    for _, uri in _resources(model):
        m = re.search(r"(BIOMD\d{10}|MODEL\d{10})", uri)
        if m and m.group(1) not in biomodels:
            biomodels.append(m.group(1))
        m = re.search(r"pubmed[:/](\d+)", uri)
        if m and m.group(1) not in pubmed:
            pubmed.append(m.group(1))
    if model.getId():
        bits.append(f", model id {model.getId()}")
    if biomodels:
        bits.append(f", BioModels {', '.join(biomodels)}")
    if pubmed:
        bits.append(f", PMID {', '.join(pubmed)}")
    return "".join(bits) + "). Imported with pathjax.sbml."


def warn(message: str) -> None:
    """A `UserWarning` attributed to the caller of `pathjax.sbml.load`."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == here:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)
