"""Assembling a pathjax `Model` from the symbol table of an SBML model.

Each symbol's role (`SymbolTable`) decides what it becomes: a `Param`, a `State`, an
`Observable`, or an intermediate value. Every model function (right-hand side,
observables, event triggers and assignments) fills an environment (SBML id -> value)
from the named views, evaluates the rules and rates it needs in dependency order
(`Program`) and reads its results from it.
"""

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import libsbml
import numpy as np

from .._errors import InputError
from ..model import Event, Model, NamedValues, Observable, Param, State
from ..protocol import Protocol
from ._math import TIME, Expr
from ._program import Program, constant, divided, per_volume, ref, scaled, symbols_of
from ._read import check_supported, citation, parse, read_text, time_unit_of, unit_of, warn
from ._symbols import CONC, Sym, SymbolTable

__all__ = ["build_model", "load"]


def load(
    source: Any,
    *,
    time_unit: str | None = None,
    name: str | None = None,
) -> Model:
    """Import an SBML Level 2/3 ODE model as a pathjax `Model`.

    See `pathjax.sbml` for what is supported and how each construct is mapped.

    Args:
        source: a path to an SBML file, or the SBML text itself.
        time_unit: the model's time unit (e.g. ``"min"``, ``"s"``, ``"day"``). It only
            labels times, the maths are not rescaled. Default: from the SBML time
            units by the rule in `pathjax.sbml` (seconds -> ``"s"``, 60 s -> ``"min"``,
            ...; undeclared -> ``"min"``).
        name: the model's name (default: the SBML model id, else the file name).

    Returns:
        A `Model` whose state, parameter and observable names are the SBML ids. The
        same SBML (and arguments) give the same object again, so the solves compiled
        for it are reused.

    Raises:
        InputError: the input does not parse, or uses a construct pathjax does not
            support; the message names the construct and the element id.

    Examples:
        >>> import pathjax
        >>> m = pathjax.sbml.load(pathjax.sbml.EXAMPLE)
        >>> m.state_names, m.param_names
        (('A', 'B'), ('cell', 'k1'))
    """
    text, stem = read_text(source)
    model, notes = _load_text(text, stem, time_unit, name or None)
    for note in notes:  # again on every load, also when the model comes from the cache
        warn(note)
    return model


@functools.lru_cache(maxsize=16)
def _load_text(
    text: str, stem: str, time_unit: str | None, name: str | None
) -> tuple[Model, tuple[str, ...]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        doc = parse(text)
        check_supported(doc)
        model = build_model(doc, time_unit=time_unit, name=name, stem=stem)
    notes = []
    for w in caught:
        if issubclass(w.category, UserWarning):
            notes.append(str(w.message))
        else:  # pragma: no cover - nothing else is expected while building
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return model, tuple(notes)


def _float(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64))


def build_model(doc: Any, *, time_unit: str | None, name: str | None, stem: str = "") -> Model:
    """Build the `Model` from a checked libsbml document (see `load`)."""
    return _Assembly(SymbolTable(doc)).model(time_unit=time_unit, name=name, stem=stem)


class _Assembly:
    """The pieces of the `Model`, from a `SymbolTable`."""

    def __init__(self, table: SymbolTable):
        self.tab = table
        syms = table.syms
        species = [s for s in syms.values() if s.type == "species"]
        others = [s for s in syms.values() if s.type != "species"]
        self.states = [s for s in species if s.role == "state"]
        self.states += [s for s in others if s.role == "state"]
        self.params = [
            s for s in others if s.type in ("parameter", "compartment") and s.role == "param"
        ]
        self.params += [s for s in others if s.type == "local"]
        self.observed = [s for s in species if s.role == "rule"]
        self.observed += [s for s in others if s.role in ("rule", "derived")]
        # Environment keys filled from the named views; a species whose maths symbol is
        # an amount reads its concentration under CONC + id.
        self.param_leaves = tuple((s.sid, s.name) for s in self.params)
        self.state_keys = tuple((CONC + s.sid) if s.hosu else s.sid for s in self.states)
        self.state_leaves = tuple(zip(self.state_keys, (s.name for s in self.states)))
        self.dyn = self._dynamic_program()
        self.init = self._initial_program()
        self.derivs = self._derivatives()

    # ---- programs --------------------------------------------------------------------
    def _label(self, key: str) -> str:
        if key == TIME:
            return "time"
        if key.startswith(CONC):
            return f"concentration of {key[len(CONC) :]!r}"
        sym = self.tab.syms.get(key)
        if sym is None:
            return repr(key)
        if sym.role == "rule":
            return f"assignment rule for {key!r}"
        if sym.type == "reaction":
            return f"kinetic law of reaction {key!r}"
        if sym.role == "derived":
            return f"initial assignment for {key!r}"
        return f"{sym.type} {key!r}"

    def _dynamic_program(self) -> Program:
        """Time, parameters and states are leaves; rules, rates, derived constants and
        the amounts of amount-valued species are nodes."""
        nodes: dict[str, Expr] = {}
        for s in self.states:
            if s.type == "species" and s.hosu:
                nodes[s.sid] = scaled(CONC + s.sid, s.compartment, multiply=True)
        for sid, sym in self.tab.syms.items():
            if sym.role == "rule":
                nodes[sid] = self.tab.assignment[sid]
            elif sym.role == "derived":
                nodes[sid] = self.tab.initial[sid]
            elif sym.role == "rate":
                nodes[sid] = self.tab.kinetic[sid]
        leaves = {TIME} | {k for k, _ in self.param_leaves} | set(self.state_keys)
        return Program(nodes, leaves, self._label)

    def _initial_program(self) -> Program:
        """Only time (0) and parameters are leaves: the states' initial values are nodes
        (initial assignments or the SBML values), and rules hold at the start too."""
        nodes = {k: v for k, v in self.dyn.nodes.items() if k not in self.state_keys}
        for s in self.states:
            nodes[s.sid] = self._initial_value(s)
            if s.type == "species" and s.hosu:
                nodes[CONC + s.sid] = scaled(s.sid, s.compartment, multiply=False)
        return Program(nodes, {TIME} | {k for k, _ in self.param_leaves}, self._label)

    def _initial_value(self, s: Sym) -> Expr:
        if s.sid in self.tab.initial:
            return self.tab.initial[s.sid]
        value = s.value
        if value is None:
            if s.type == "species":
                warn(f"species {s.sid!r} has no initial value in the SBML; pathjax uses 0")
            value = 1.0 if s.type == "compartment" else 0.0
        if s.type != "species" or s.amount == s.hosu:
            return constant(value)
        # A concentration given for an amount-valued species, or the other way round.
        return scaled(None, s.compartment, multiply=s.hosu, constant=value)

    def _environment(self, t, y, p) -> dict:
        env = {TIME: t}
        for key, pname in self.param_leaves:
            env[key] = p[pname]
        for key, sname in self.state_leaves:
            env[key] = y[sname]
        return env

    # ---- derivatives -------------------------------------------------------------------
    def _dvdt(self, comp: str) -> Expr | None:
        return self.tab.rate_rule.get(comp) if self.tab.syms[comp].role == "state" else None

    def _derivatives(self) -> list[tuple[str, Expr]]:
        out = []
        for s in self.states:
            if s.type != "species":
                if s.sid in self.tab.rate_rule:
                    out.append((s.name, self.tab.rate_rule[s.sid]))
                continue
            dv = self._dvdt(s.compartment)
            conc_key = (CONC + s.sid) if s.hosu else s.sid
            if s.sid in self.tab.rate_rule:
                rule = self.tab.rate_rule[s.sid]
                if not s.hosu:
                    out.append((s.name, rule))  # the rule gives d[S]/dt itself
                else:
                    out.append((s.name, per_volume(rule, conc_key, s.compartment, dv)))
            elif not s.boundary and not s.constant and s.sid in self.tab.stoich:
                flux = self._net_flux(s)
                out.append((s.name, per_volume(flux, conc_key, s.compartment, dv)))
            elif not s.constant and dv is not None:
                # No reaction changes the amount; the concentration follows the volume.
                out.append((s.name, per_volume(constant(0.0), conc_key, s.compartment, dv)))
        return out

    def _net_flux(self, s: Sym) -> Expr:
        """d amount / dt of species `s`: sum of stoichiometry x rate (x conversion factor)."""
        terms = []
        for rid, coef in self.tab.stoich[s.sid]:
            if isinstance(coef, tuple):
                sign, e = coef
                terms.append((rid, sign, e.fn, e.symbols))
            else:
                terms.append((rid, coef, None, frozenset()))
        cf = None
        if self.tab.level >= 3:
            if s.element.isSetConversionFactor():
                cf = s.element.getConversionFactor()
            elif self.tab.m.isSetConversionFactor():
                cf = self.tab.m.getConversionFactor()

        def fn(env):
            total = 0.0
            for rid, c, cfn, _ in terms:
                rate = env[rid]
                if cfn is not None:
                    rate = cfn(env) * rate
                total = total + (rate if c == 1.0 else c * rate)
            return total if cf is None else total * env[cf]

        symbols = frozenset(rid for rid, *_ in terms).union(*[t[3] for t in terms])
        return Expr(fn, "num", symbols | ({cf} if cf is not None else set()))

    # ---- model functions ---------------------------------------------------------------
    def rhs(self) -> Callable:
        plan = self.dyn.plan(symbols_of(e for _, e in self.derivs))
        derivs = tuple(self.derivs)
        # a state no reaction or rate rule changes (set by events or the protocol only)
        constant = {s.name: 0.0 for s in self.states if s.name not in dict(derivs)}
        environment = self._environment

        def rhs(t, y, p, u):
            env = Program.run(plan, environment(t, y, p))
            return {**constant, **{sname: e.fn(env) for sname, e in derivs}}

        return rhs

    def observable_exprs(self) -> list[tuple[str, Expr]]:
        out = []
        for s in self.observed:
            if s.type == "species" and s.hosu:
                out.append((s.name, scaled(s.sid, s.compartment, multiply=False)))
            else:
                out.append((s.name, ref(s.sid)))
        return out

    def observables(self) -> Callable:
        exprs = tuple(self.observable_exprs())
        plan = self.dyn.plan(symbols_of(e for _, e in exprs))
        environment = self._environment

        def observables(t, y, p, u):
            env = Program.run(plan, environment(t, y, p))
            return {name: e.fn(env) for name, e in exprs}

        return observables

    def events(self) -> tuple[list[Event], list[tuple[str, float, float]], list, set[float]]:
        """(solver-located events, protocol resets (state, value, time), start-time
        events (trigger, assignments) of Level 3 ``initialValue="false"``, and the time
        thresholds of the located triggers)."""
        by_sid = {s.sid: s for s in self.states}
        events, resets, at_start, thresholds = [], [], [], set()
        for eid, e, trig, assigns, initial_value in self.tab.events:
            targets = []
            for var, expr in assigns:
                sym = self.tab.syms[var]
                if sym.role != "state":
                    raise InputError(f"event {eid!r} sets {var!r}, which is not a state")
                if sym.type == "species" and sym.hosu:
                    expr = divided(expr, sym.compartment)
                targets.append((by_sid[var].name, expr))
            targets = tuple(targets)
            at = _time_trigger(e.getTrigger().getMath(), trig)
            if at is not None and at > 0 and all(x.const is not None for _, x in targets):
                resets.extend((sname, float(x.const), at) for sname, x in targets)
                continue
            events.append(self._event(eid, trig, targets))
            thresholds |= trig.thresholds
            if not initial_value:
                at_start.append((trig, targets))
        return events, resets, at_start, thresholds

    def _event(self, eid: str, trig: Expr, targets: tuple) -> Event:
        trig_plan = self.dyn.plan(trig.symbols)
        assign_plan = self.dyn.plan(symbols_of(x for _, x in targets))
        environment = self._environment

        def trigger(t, y, p, u):
            return trig.fn(Program.run(trig_plan, environment(t, y, p)))

        def assign(t, y, p, u):
            env = Program.run(assign_plan, environment(t, y, p))
            return {sname: x.fn(env) for sname, x in targets}

        return Event(eid, trigger, assign)

    def initial_state(self, at_start: list) -> Callable:
        wanted = set(self.state_keys) | {s.sid for s in self.states}
        for trig, targets in at_start:
            wanted |= trig.symbols | symbols_of(x for _, x in targets)
        plan = self.init.plan(wanted)
        outputs = tuple((s.name, k) for s, k in zip(self.states, self.state_keys))
        param_leaves = self.param_leaves

        def initial_state(p):
            env = {TIME: 0.0}
            for key, pname in param_leaves:
                env[key] = p[pname]
            Program.run(plan, env)
            values = {name: env[key] for name, key in outputs}
            for trig, targets in at_start:
                fire = trig.fn(env)
                for sname, x in targets:
                    values[sname] = jnp.where(fire, x.fn(env), values[sname])
            return values

        return initial_state

    # ---- specs -------------------------------------------------------------------------
    def param_kinds(self) -> tuple[dict[str, str], set[str]]:
        """kind by environment key, and the keys read directly by kinetic laws."""
        direct: set[str] = set()
        exponents: set[str] = set()
        for e in list(self.tab.kinetic.values()) + list(self.tab.rate_rule.values()):
            exponents |= e.exponent_symbols
        for e in self.tab.kinetic.values():
            direct |= e.symbols
        seen: set[str] = set()
        todo = list(direct) + [k for _, e in self.derivs for k in e.symbols]
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            if k in self.dyn.nodes:
                todo.extend(self.dyn.nodes[k].symbols)
                exponents |= self.dyn.nodes[k].exponent_symbols
        kinds = {k: "kinetic" for k in seen}
        kinds.update({k: "exponent" for k in exponents})
        return kinds, direct

    def param_specs(self) -> tuple[Param, ...]:
        kinds, direct = self.param_kinds()
        specs = []
        for s in self.params:
            if s.value is None:
                warn(f"{s.type} {s.sid!r} has no value in the SBML; pathjax uses 0")
            default = float(s.value) if s.value is not None else 0.0
            if not math.isfinite(default):
                raise InputError(f"{s.type} {s.sid!r} has a non-finite value {default}")
            kind = "structural" if s.type == "compartment" else kinds.get(s.sid, "condition")
            rate_constant = kind == "kinetic" and s.sid in direct and default >= 0
            size = s.type == "compartment" and default > 0
            lower = 0.0 if rate_constant or size else -math.inf
            specs.append(
                Param(s.name, unit_of(s.element), default, _describe(s), lower, math.inf, kind)
            )
        return tuple(specs)

    def state_specs(self, initial_state: Callable, params: tuple[Param, ...]) -> tuple[State, ...]:
        p = NamedValues(tuple(q.name for q in params), tuple(q.default for q in params))
        y0 = {k: _float(v) for k, v in initial_state(p).items()}
        specs = []
        for s in self.states:
            if not math.isfinite(y0[s.name]):
                raise InputError(
                    f"the initial value of {s.type} {s.sid!r} is not finite ({y0[s.name]}) "
                    f"with the SBML's parameter values"
                )
            # a species holds a concentration (non-negative unless the file itself starts
            # it below zero); a parameter or compartment moved by a rule may be signed
            nonnegative = s.type == "species" and y0[s.name] >= 0
            specs.append(
                State(
                    s.name,
                    unit_of(s.element),
                    y0[s.name],
                    _describe(s),
                    nonnegative,
                    signed=not nonnegative,
                )
            )
        return tuple(specs)

    def protocol(self, resets: list, event_thresholds: set[float]) -> Protocol | None:
        """Time events as resets, and every comparison of time with a constant in the
        maths the model evaluates as a breakpoint (the solver stops exactly there)."""
        thresholds = set(event_thresholds)
        for _, e in self.derivs:
            thresholds |= e.thresholds
        for _, e in self.observable_exprs():
            thresholds |= e.thresholds
        used = self.dyn.plan(
            symbols_of(e for _, e in self.derivs)
            | symbols_of(e for _, e in self.observable_exprs())
        )
        for key, _ in used:
            thresholds |= self.dyn.nodes[key].thresholds
        pieces = [Protocol.set_state(name, value, at=at) for name, value, at in resets]
        if thresholds:
            pieces.append(Protocol.breaks(*sorted(thresholds)))
        if not pieces:
            return None
        protocol = pieces[0]
        for piece in pieces[1:]:
            protocol = protocol + piece
        return protocol.named("SBML events and time breakpoints")

    def model(self, *, time_unit: str | None, name: str | None, stem: str) -> Model:
        events, resets, at_start, event_thresholds = self.events()
        initial_state = self.initial_state(at_start)
        params = self.param_specs()
        m = self.tab.m
        model_name = name or m.getId() or stem or "sbml_model"
        return Model(
            name=model_name,
            state_specs=self.state_specs(initial_state, params),
            param_specs=params,
            observable_specs=tuple(
                Observable(s.name, unit_of(s.element), _describe(s)) for s in self.observed
            ),
            rhs_fn=self.rhs(),
            observables_fn=self.observables(),
            initial_state_fn=initial_state,
            time_unit=time_unit or time_unit_of(m),
            source=citation(self.tab.doc),
            description=m.getName() or model_name,
            sbml_id_pairs=tuple((s.name, s.sid) for s in self.states + self.params + self.observed),
            default_protocol=self.protocol(resets, event_thresholds),
            event_specs=tuple(events),
        )


def _describe(s: Sym) -> str:
    el = s.element
    text = el.getName() if el.isSetName() else ""
    if s.type == "local":
        text = (text + " " if text else "") + "(kinetic-law parameter)"
    return text


def _time_trigger(node: Any, trig: Expr) -> float | None:
    """T for a trigger ``time >= T`` / ``time > T`` (or ``T <= time``) with a constant T."""
    if node is None or node.getNumChildren() != 2:
        return None
    t = node.getType()
    a, b = node.getChild(0), node.getChild(1)
    if t in (libsbml.AST_RELATIONAL_GEQ, libsbml.AST_RELATIONAL_GT):
        time_node, other = a, b
    elif t in (libsbml.AST_RELATIONAL_LEQ, libsbml.AST_RELATIONAL_LT):
        time_node, other = b, a
    else:
        return None
    if time_node.getType() != libsbml.AST_NAME_TIME:
        return None
    if trig.symbols != {TIME} or len(trig.thresholds) != 1:
        return None
    del other  # constant, since the trigger reads nothing but time
    return float(next(iter(trig.thresholds)))
