"""The symbol table of an SBML model: every id with its role, its compiled maths and
its pathjax name.

Roles:

* ``param`` — a constant parameter, a constant compartment size or a kinetic-law
  (local) parameter: a pathjax `Param`.
* ``state`` — a species (concentration), or a parameter/compartment changed by a rate
  rule or an event: a pathjax `State`.
* ``rule`` — defined by an assignment rule: an `Observable` (and an intermediate value
  of the right-hand side).
* ``derived`` — a constant set by an initial assignment from parameters: recomputed from
  the parameters wherever it is used, and reported as an `Observable`.
* ``rate`` — a reaction id (its rate, usable in maths).
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from .._errors import InputError
from ._math import Expr, MathContext, compile_math, to_bool
from ._read import warn

__all__ = ["CONC", "RESERVED", "Sym", "SymbolTable"]

CONC = "\x00conc:"  # environment key prefix: concentration of an amount-valued species
RESERVED = frozenset({"status", "params", "patient", "time", "parameter"})


@dataclasses.dataclass
class Sym:
    """One SBML symbol: its id (``"reaction.parameter"`` for a kinetic-law parameter),
    element type, role, literal value, species attributes and pathjax name."""

    sid: str
    type: str  # species | parameter | compartment | local | reaction
    element: Any
    role: str = "param"
    value: float | None = None
    compartment: str | None = None
    hosu: bool = False
    boundary: bool = False
    constant: bool = False
    amount: bool = False
    name: str = ""


class SymbolTable:
    """Everything `load` needs from an SBML model, compiled (see the module docstring).

    Raises:
        InputError: unsupported or inconsistent constructs, naming the element.
    """

    def __init__(self, doc: Any):
        self.doc = doc
        self.m = m = doc.getModel()
        self.level = doc.getLevel()
        self.syms: dict[str, Sym] = {}
        self.functions = {
            f.getId(): f.getMath() for f in m.getListOfFunctionDefinitions() if f.isSetMath()
        }
        self.species_refs: set[str] = set()
        self._collect()
        self._compile()
        self._assign_roles()
        self._name()

    # ---- symbols -----------------------------------------------------------------------
    def _collect(self) -> None:
        m = self.m
        for c in m.getListOfCompartments():
            size = c.getSize() if c.isSetSize() else None
            if size is None and c.getSpatialDimensions() == 0:
                size = 1.0
            self.syms[c.getId()] = Sym(
                c.getId(), "compartment", c, value=size, constant=c.getConstant()
            )
        for s in m.getListOfSpecies():
            sym = Sym(
                s.getId(),
                "species",
                s,
                compartment=s.getCompartment(),
                hosu=s.getHasOnlySubstanceUnits(),
                boundary=s.getBoundaryCondition(),
                constant=s.getConstant(),
            )
            if s.isSetInitialConcentration():
                sym.value = s.getInitialConcentration()
            elif s.isSetInitialAmount():
                sym.value, sym.amount = s.getInitialAmount(), True
            self.syms[s.getId()] = sym
        for p in m.getListOfParameters():
            self.syms[p.getId()] = Sym(
                p.getId(),
                "parameter",
                p,
                value=p.getValue() if p.isSetValue() else None,
                constant=p.getConstant(),
            )
        for r in m.getListOfReactions():
            self.syms[r.getId()] = Sym(r.getId(), "reaction", r, role="rate")
            kl = r.getKineticLaw()
            params = kl.getListOfLocalParameters() if self.level >= 3 else kl.getListOfParameters()
            for lp in params:
                key = f"{r.getId()}.{lp.getId()}"
                self.syms[key] = Sym(
                    key, "local", lp, value=lp.getValue() if lp.isSetValue() else None
                )
            for sr in list(r.getListOfReactants()) + list(r.getListOfProducts()):
                if sr.isSetId():
                    self.species_refs.add(sr.getId())
            if r.isSetFast() and r.getFast():
                warn(
                    f"reaction {r.getId()!r} is marked fast; pathjax integrates it as an "
                    f"ordinary reaction (no quasi-steady-state constraint)"
                )

    def _resolver(self, reaction: Any = None) -> Callable[[str], str]:
        local = set()
        if reaction is not None:
            kl = reaction.getKineticLaw()
            params = kl.getListOfLocalParameters() if self.level >= 3 else kl.getListOfParameters()
            local = {lp.getId() for lp in params}
        rid = reaction.getId() if reaction is not None else ""

        def resolve(symbol: str) -> str:
            if symbol in local:
                return f"{rid}.{symbol}"
            if symbol in self.syms and self.syms[symbol].type != "local":
                return symbol
            if symbol in self.species_refs:
                raise InputError(
                    f"species reference {symbol!r} is used as a variable (variable "
                    f"stoichiometry), which pathjax does not support"
                )
            raise KeyError(symbol)

        return resolve

    def _math(self, node: Any, where: str, reaction: Any = None) -> Expr:
        ctx = MathContext(self._resolver(reaction), self.functions, where)
        return compile_math(node, ctx)

    def _compile(self) -> None:
        m = self.m
        self.assignment: dict[str, Expr] = {}
        self.rate_rule: dict[str, Expr] = {}
        for r in m.getListOfRules():
            var = r.getVariable()
            kind = "assignment rule" if r.isAssignment() else "rate rule"
            self._check_target(var, kind)
            expr = self._math(r.getMath(), f"{kind} for {var!r}")
            (self.assignment if r.isAssignment() else self.rate_rule)[var] = expr
        self.initial: dict[str, Expr] = {}
        for ia in m.getListOfInitialAssignments():
            var = ia.getSymbol()
            self._check_target(var, "initial assignment")
            self.initial[var] = self._math(ia.getMath(), f"initial assignment for {var!r}")
        self.kinetic: dict[str, Expr] = {}
        self.stoich: dict[str, list[tuple[str, Any]]] = {}  # species -> [(reaction, coef)]
        for r in m.getListOfReactions():
            rid = r.getId()
            self.kinetic[rid] = self._math(
                r.getKineticLaw().getMath(), f"kinetic law of reaction {rid!r}", r
            )
            for sign, refs in ((-1.0, r.getListOfReactants()), (1.0, r.getListOfProducts())):
                for sr in refs:
                    coef: Any
                    if self.level < 3 and sr.isSetStoichiometryMath():
                        e = self._math(
                            sr.getStoichiometryMath().getMath(),
                            f"stoichiometry of {sr.getSpecies()!r} in reaction {rid!r}",
                        )
                        coef = e.const * sign if e.const is not None else (sign, e)
                    else:
                        st = sr.getStoichiometry() if sr.isSetStoichiometry() else 1.0
                        if self.level >= 3 and not sr.isSetStoichiometry():
                            st = 1.0
                        coef = sign * st
                    if sr.getSpecies() not in self.syms:
                        raise InputError(
                            f"reaction {rid!r} refers to an unknown species {sr.getSpecies()!r}"
                        )
                    self.stoich.setdefault(sr.getSpecies(), []).append((rid, coef))
        self.events = []
        for k, e in enumerate(m.getListOfEvents()):
            eid = e.getId() if e.isSetId() else f"event_{k + 1}"
            if not e.isSetTrigger() or not e.getTrigger().isSetMath():
                raise InputError(f"event {eid!r} has no trigger")
            trig = to_bool(self._math(e.getTrigger().getMath(), f"trigger of event {eid!r}"))
            assigns = []
            for ea in e.getListOfEventAssignments():
                var = ea.getVariable()
                self._check_target(var, f"event {eid!r}")
                assigns.append(
                    (var, self._math(ea.getMath(), f"assignment to {var!r} in event {eid!r}"))
                )
            initial_value = (
                e.getTrigger().getInitialValue()
                if self.level >= 3 and e.getTrigger().isSetInitialValue()
                else True
            )
            self.events.append((eid, e, trig, assigns, initial_value))

    def _check_target(self, var: str, what: str) -> None:
        if var in self.species_refs:
            raise InputError(
                f"{what} sets species reference {var!r} (variable stoichiometry), which "
                f"pathjax does not support"
            )
        if var not in self.syms or self.syms[var].type in ("local", "reaction"):
            raise InputError(
                f"{what} sets {var!r}, which is not a species, parameter or compartment"
            )

    # ---- roles -------------------------------------------------------------------------
    def _assign_roles(self) -> None:
        event_targets = {v for *_, assigns, _ in self.events for v, _ in assigns}
        for sid, sym in self.syms.items():
            if sym.type in ("reaction", "local"):
                continue
            if sid in self.assignment:
                sym.role = "rule"
            elif sid in self.rate_rule or sym.type == "species":
                sym.role = "state"
            elif sid in event_targets:
                if sym.type == "compartment":
                    raise InputError(
                        f"an event changes the size of compartment {sid!r}, which pathjax "
                        f"does not support"
                    )
                sym.role = "state"
            elif sid in self.initial:
                sym.role = "initial"  # resolved below
            else:
                sym.role = "param"
        # An initially assigned constant is *derived* (recomputed from parameters) when
        # everything it reads is; otherwise it is a state that never changes, set once
        # by the initial state.
        changed = True
        while changed:
            changed = False
            for sid, sym in self.syms.items():
                if sym.role != "initial":
                    continue
                deps = {
                    self.syms[d].role if d in self.syms else "time"
                    for d in self.initial[sid].symbols
                }
                if deps <= {"param", "derived"}:
                    sym.role, changed = "derived", True
                elif deps & {"state", "rule", "rate", "time"}:
                    sym.role, changed = "state", True
        for sym in self.syms.values():
            if sym.role == "initial":  # cycle among initial assignments
                sym.role = "state"
        for sid, sym in self.syms.items():
            if sym.type == "species" and sym.compartment not in self.syms:
                raise InputError(
                    f"species {sid!r} is in an unknown compartment {sym.compartment!r}"
                )
            if sym.type == "species" and sym.role == "state" and not sym.constant:
                comp = self.syms[sym.compartment]
                if comp.role == "rule":
                    raise InputError(
                        f"species {sid!r} lives in compartment {comp.sid!r}, whose size is set "
                        f"by an assignment rule; pathjax needs a constant size or a rate rule"
                    )
        for sid in self.species_refs:
            if sid in self.initial:
                raise InputError(
                    f"initial assignment to species reference {sid!r} is not supported"
                )

    def _name(self) -> None:
        used: set[str] = set()
        for sid, sym in self.syms.items():
            name = sid
            while name in RESERVED or name in used:
                name += "_"
            sym.name = name
            used.add(name)
