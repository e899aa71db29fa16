"""Compile a checked :class:`Rulebook` into durable_rules ruleset definitions (plain dicts).

Three-valued logic. For every atom we build four tests over the interval fields:

    T  known true        F  known false        P = not F (possibly true)     NT = not T

and combine them with Kleene's rules (and: T=∧T, P=∧P; or: T=∨T, P=∨P; not swaps T/F and P/NT).
A field that is absent is unknown, so missing data can never look like "below the threshold".

Each rule compiles into one durable rule whose patterns are the P tests: it fires on every
combination of facts on which the condition is possibly true, and the engine does all the
matching and chaining. The T tests of the same compiled condition are kept beside it
(:attr:`CompiledRule.true_when`); the engine adapter turns them into Python predicates
(:func:`antitrust.engineforms.condition_test`) that tell, for each match, whether the condition is
true (every part known true) or undetermined (possibly true, not known to be true).

Parameters are resolved to the values in force on the evaluation date and written into the
conditions as constants; a rule whose parameter is not yet in force is inactive on that date.
The compiler is pure: the same rulebook and date give the same definition (golden-tested).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from antitrust import expr as ex
from antitrust.engineforms import engine_hash
from antitrust.errors import RulebookError
from antitrust.facts import RateTable
from antitrust.fxyears import FxYears
from antitrust.params import Parameter, ParamValue
from antitrust.rulebook import LoadedRule, Rulebook
from antitrust.vocabulary import FACT_TYPES, FieldSpec

Cond = dict[str, Any]
#: Rules that can match one fact type, at most. durable_rules fails a whole assertion (error
#: 303) when one fact matches more than 64 rules; we keep a margin for the sink rule.
FANOUT_LIMIT = 60
#: $and/$or groups one pattern may hold: the engine keeps 32 expression slots per pattern, two
#: per group, and fails with error 113 when they are all taken (measured: 15 work, 16 fail).
MAX_GROUPS = 15
#: Kinds of fact (base and derived) one ruleset may match. The engine hashes the first test of
#: every pattern into a 512-slot table with no stop condition on lookup: once it is full,
#: create_ruleset loops for ever and cannot be interrupted (measured: a chain of 508 derived
#: facts compiles, 509 hangs; with our two internal kinds that is 511 and 512 slots).
MAX_FACT_KINDS = 500


@dataclass(frozen=True)
class CompiledAtom:
    """One comparison as compiled: enough to explain it and to compute margins."""

    text: str
    fact: str
    field: str | None
    op: str
    threshold: float | bool | str | tuple[Any, ...] | None
    param: str | None = None
    param_value: ParamValue | None = None
    param_unit: str | None = None
    #: When a threshold was converted to the field's currency: "DKK 50m at 7.46 DKK/EUR".
    conversion: str | None = None


@dataclass(frozen=True)
class CompiledRule:
    rule: LoadedRule
    #: The one durable rule of this rule: it matches wherever the condition is possibly true.
    durable_name: str
    patterns: tuple[str, ...]
    atoms: tuple[CompiledAtom, ...]
    #: Per pattern (fact kind), the condition under which that part is known true. A match in
    #: which every part is known true is a finding ("yes"); any other match is undetermined.
    true_when: tuple[tuple[str, Cond], ...] = ()


@dataclass(frozen=True)
class CompiledRulebook:
    name: str
    as_of: date
    definition: dict[str, Any]
    rules: dict[str, CompiledRule]
    #: durable rule name -> rule id
    by_durable_name: dict[str, str]
    params_used: dict[str, ParamValue]
    inactive: dict[str, str]
    fanout: dict[str, int]
    rates: RateTable
    rulebook: Rulebook = field(repr=False)


def rate_table(parameters: dict[str, Parameter], at: date) -> RateTable:
    """FX rates (units per EUR) for the year of ``at``, from the ``fx.<ccy>_per_eur`` annual averages;
    turnovers convert at the average of their own financial year (see :mod:`antitrust.fxyears`)."""
    return RateTable(FxYears(parameters), at.year)


def parameter_epoch(rulebook: Rulebook, at: date) -> tuple[tuple[str, date | bool | None], ...]:
    """Identifies which parameter values and dated rules are in force on ``at`` (dates with the
    same epoch share one compiled ruleset)."""
    out: list[tuple[str, date | bool | None]] = []
    for name, p in sorted(rulebook.parameters.items()):
        v = p.at(at)
        out.append((name, v.from_ if v else None))
    for rule in rulebook.rules:
        if rule.spec.in_force is not None:
            out.append((rule.id, rule.spec.in_force.covers(at)))
    return tuple(out)


class _RuleCompiler:
    def __init__(self, rule: LoadedRule, book: Rulebook, at: date, rates: RateTable) -> None:
        self.rule = rule
        self.book = book
        self.at = at
        self.rates = rates
        self.atoms: list[CompiledAtom] = []
        self.params_used: dict[str, ParamValue] = {}
        self.inactive: str | None = None
        self.true_when: tuple[tuple[str, Cond], ...] = ()

    # -- field kinds -------------------------------------------------------------------------
    def spec(self, ref: ex.Ref) -> FieldSpec:
        if ref.fact in FACT_TYPES:
            assert ref.field is not None
            return FACT_TYPES[ref.fact][ref.field]
        if ref.field is None:
            return FieldSpec("bool")
        return self.book.derived[ref.fact].fields[ref.field]

    def threshold(self, atom: ex.Compare, spec: FieldSpec) -> tuple[Any, CompiledAtom]:
        right = atom.right
        if isinstance(right, ex.Const):
            return right.value, CompiledAtom(str(atom), atom.left.fact, atom.left.field, atom.op, right.value)
        p = self.book.parameters[right.name]
        v = p.at(self.at)
        if v is None:
            lapsed = [x.until for x in p.values if x.until is not None and x.from_ <= self.at]
            when = (f"(lapsed after {lapsed[-1].isoformat()})" if lapsed
                    else f"(first value from {p.values[0].from_.isoformat()})")
            self.inactive = f"parameter {right.name} is not in force on {self.at.isoformat()} {when}"
            return 0, CompiledAtom(str(atom), atom.left.fact, atom.left.field, atom.op, None, right.name)
        if v.value is None:
            self.inactive = f"parameter {right.name} has no confirmed value from {v.from_.isoformat()}"
            return 0, CompiledAtom(str(atom), atom.left.fact, atom.left.field, atom.op, None, right.name)
        self.params_used[right.name] = v
        raw: float = v.value
        conversion = None
        if spec.unit in {"EUR", "USD", "GBP"} and p.unit != spec.unit:
            src, dst = self.rates.rate(p.unit), self.rates.rate(spec.unit)
            if src is None or dst is None:
                raise RulebookError(
                    self.book.parameter_locations.get(right.name, self.rule.location),
                    f"no exchange rate to convert parameter {right.name} from {p.unit} to {spec.unit}; "
                    f"add fx.{p.unit.lower()}_per_eur",
                )
            raw = v.value / src[0] * dst[0]
            conversion = f"{v.value:,.0f} {p.unit} at {src[0] if p.unit != 'EUR' else dst[0]} per EUR"
        value = _clean(raw)
        return value, CompiledAtom(str(atom), atom.left.fact, atom.left.field, atom.op, value,
                                   right.name, v, p.unit, conversion)

    # -- T / F / P / NT per atom -------------------------------------------------------------
    def atom(self, a: ex.Atom) -> tuple[Cond, Cond | None, Cond, Cond]:
        """(T, F, P, NT) for one atom; F is None where falsity cannot be observed."""
        if isinstance(a, ex.Exists):
            ref = a.ref
            if ref.field is None:  # derived fact holds
                self.atoms.append(CompiledAtom(str(a), ref.fact, None, "holds", True))
                return {"status": "yes"}, None, {}, {"status": "maybe"}
            info = CompiledAtom(str(a), ref.fact, ref.field, "==", True)
            self.atoms.append(info)
            return self.scalar(ref, "==", True, info)
        spec = self.spec(a.left)
        value, info = self.threshold(a, spec)
        self.atoms.append(info)
        if spec.kind == "number" and a.left.fact in FACT_TYPES:
            return self.interval(a.left, a.op, value)
        return self.scalar(a.left, a.op, value, info)

    def interval(self, ref: ex.Ref, op: str, c: Any) -> tuple[Cond, Cond, Cond, Cond]:
        # The engine adapter flattens interval fields: {"x": {"lo": ..}} enters as "x__lo".
        lo, hi = f"{ref.field}__lo", f"{ref.field}__hi"
        nex_lo, nex_hi = {"$nex": {lo: 1}}, {"$nex": {hi: 1}}
        if op in {">=", ">"}:
            t_op, f_op = ("$gte", "$lt") if op == ">=" else ("$gt", "$lte")
            t, f = {t_op: {lo: c}}, {f_op: {hi: c}}
            p, nt = _or({t_op: {hi: c}}, nex_hi), _or({f_op: {lo: c}}, nex_lo)
        elif op in {"<=", "<"}:
            t_op, f_op = ("$lte", "$gt") if op == "<=" else ("$lt", "$gte")
            t, f = {t_op: {hi: c}}, {f_op: {lo: c}}
            p, nt = _or({t_op: {lo: c}}, nex_lo), _or({f_op: {hi: c}}, nex_hi)
        else:  # == or !=
            t = _and({lo: c}, {hi: c})
            f = _or({"$gt": {lo: c}}, {"$lt": {hi: c}})
            p = _and(_or({"$lte": {lo: c}}, nex_lo), _or({"$gte": {hi: c}}, nex_hi))
            nt = _or({"$neq": {lo: c}}, {"$neq": {hi: c}}, nex_lo, nex_hi)
            if op == "!=":
                t, f, p, nt = f, t, nt, p
        return t, f, p, nt

    def scalar(self, ref: ex.Ref, op: str, value: Any, info: CompiledAtom) -> tuple[Cond, Cond, Cond, Cond]:
        assert ref.field is not None
        name = ref.field
        values = value if isinstance(value, tuple) else (value,)
        t = _or(*({name: v} for v in values))
        f = _and({"$ex": {name: 1}}, *({"$neq": {name: v}} for v in values))
        nex = {"$nex": {name: 1}}
        p, nt = _or(t, nex), _or(f, nex)
        if op == "!=":
            t, f, p, nt = f, t, nt, p
        return t, f, p, nt

    # -- whole expressions -------------------------------------------------------------------
    def tfpn(self, e: ex.Expr) -> tuple[Cond, Cond | None, Cond, Cond]:
        if isinstance(e, ex.Compare | ex.Exists):
            return self.atom(e)
        if isinstance(e, ex.Not):
            t, f, p, nt = self.tfpn(e.item)
            assert f is not None  # the checker forbids negating derived facts
            return f, t, nt, p
        parts = [self.tfpn(i) for i in e.items]
        fs = [x[1] for x in parts]
        if isinstance(e, ex.And):
            return (_and(*(x[0] for x in parts)), None if None in fs else _or(*fs),  # type: ignore[arg-type]
                    _and(*(x[2] for x in parts)), _or(*(x[3] for x in parts)))
        return (_or(*(x[0] for x in parts)), None if None in fs else _and(*fs),  # type: ignore[arg-type]
                _or(*(x[2] for x in parts)), _and(*(x[3] for x in parts)))

    def compile(self) -> tuple[dict[str, Any], list[str]]:
        """The durable rule for this rule, {name: {"all": [...]}}, and the fact types used."""
        groups: dict[str, list[ex.Expr]] = {}
        for conjunct in _conjuncts(self.rule.condition):
            facts = {r.fact for r in ex.refs(conjunct)}
            assert len(facts) == 1, "the checker keeps each conjunct within one kind of fact"
            groups.setdefault(facts.pop(), []).append(conjunct)
        for fact, items in groups.items():
            # Matching a derived fact always tests its status (yes = true, maybe = undetermined).
            if fact in self.book.derived and not any(isinstance(i, ex.Exists) and i.ref.field is None for i in items):
                items.insert(0, ex.Exists(ex.Ref(fact, None, 0)))
        patterns = list(groups)
        compiled = {k: self.tfpn(ex.And(tuple(v)) if len(v) > 1 else v[0]) for k, v in groups.items()}
        # One durable rule: every part possibly true (P). The Rete network does all the matching
        # and chaining; whether a match is a finding or undetermined is told from the T part of
        # the same compiled condition (see CompiledRule.true_when).
        body = {"all": [{k: _and({"t": k}, compiled[k][2])} for k in patterns]}
        self.true_when = tuple((k, compiled[k][0]) for k in patterns)
        return {self.rule.id: body}, patterns


def _conjuncts(e: ex.Expr) -> list[ex.Expr]:
    if isinstance(e, ex.And):
        return [c for item in e.items for c in _conjuncts(item)]
    return [e]


#: The canonical text of a condition (as json.dumps(..., sort_keys=True), built once, not per call).
_canonical = json.JSONEncoder(sort_keys=True).encode


def _unique(items: list[Cond]) -> list[Cond]:
    """Drop repeated terms: durable_rules crashes (double free, segfault) when one $and or $or
    holds two identical sub-conditions with $nex, as in ``not (x >= 25) and x < 25``."""
    if len(items) < 2:
        return list(items)
    seen: set[str] = set()
    out = []
    for item in items:
        key = _canonical(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _and(*items: Cond) -> Cond:
    flat: list[Cond] = []
    for i in items:
        if not i:
            continue
        flat += i["$and"] if set(i) == {"$and"} else [i]
    flat = _unique(flat)
    if not flat:
        return {}
    return flat[0] if len(flat) == 1 else {"$and": flat}


def _or(*items: Cond) -> Cond:
    flat: list[Cond] = []
    for i in items:
        if not i:
            return {}  # "always true" absorbs the disjunction
        flat += i["$or"] if set(i) == {"$or"} else [i]
    flat = _unique(flat)
    return flat[0] if len(flat) == 1 else {"$or": flat}


def property_names(definition: dict[str, Any]) -> set[str]:
    """Every fact property the compiled conditions name (the engine also adds t, id and sid)."""
    names = {"t", "id", "sid"}
    stack: list[Any] = [definition]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            names.update(k for k in node if not k.startswith("$") and node is not definition and k != "all")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def hash_collisions(names: set[str]) -> list[tuple[str, str]]:
    """Pairs of property names with one 32-bit hash in the engine. Not an error: the engine session
    gives the second a name of its own (:func:`antitrust.engineforms.engine_names`)."""
    by_hash: dict[int, str] = {}
    out = []
    for name in sorted(names):
        other = by_hash.setdefault(engine_hash(name), name)
        if other != name:
            out.append((other, name))
    return out


def _groups(cond: Any) -> int:
    """How many $and/$or groups a compiled pattern holds (each takes two of the engine's 32
    expression slots per pattern: error 113 beyond them)."""
    if isinstance(cond, list):
        return sum(_groups(c) for c in cond)
    if not isinstance(cond, dict):
        return 0
    return sum((1 if k in {"$and", "$or"} else 0) + _groups(v) for k, v in cond.items())


def _clean(value: float) -> float | int:
    """A threshold as the engine gets it: whole numbers as integers, others rounded to four
    decimals (conversion noise), small ones to four significant digits (never to zero)."""
    if float(value).is_integer():
        return int(value)
    return round(value, 4) if abs(value) >= 1 else float(f"{value:.4g}")


@dataclass(frozen=True)
class _RuleOutput:
    """One rule compiled for the parameter values it reads: its durable body, the kinds of fact
    its patterns match (in order), the compiled rule and the parameter values used."""

    body: dict[str, Any]
    fact_types: tuple[str, ...]
    compiled: CompiledRule
    params_used: dict[str, ParamValue]


#: Rules compiled once per distinct input in the process. A rule compiles alike on every date on
#: which the parameters it reads have the same values in force (and, when it reads a money
#: threshold, the exchange rates are the same): most rules read no parameter that changes between
#: two parameter epochs, so the epochs of a batch share one compiled copy of each. Keyed by
#: :func:`_rule_key`; the entry holds the rule, so the rule's identity in the key stays its own.
_memo: dict[tuple[Any, ...], _RuleOutput] = {}
#: Compiled rules shared by equal compilations under different keys (a parameter value that
#: changed its citation but not its figure): one copy of each durable body in the process.
_shared: dict[tuple[int, str, str], _RuleOutput] = {}
_MEMO_MAX = 50_000


def _rule_key(rule: LoadedRule, book: Rulebook, at: date, rates: RateTable) -> tuple[Any, ...] | None:
    """What compiling ``rule`` on ``at`` depends on besides the rule itself: the rulebook's
    content (its derived facts' fields), the value in force of each parameter the rule reads,
    and the year's exchange rates when one of them is a money amount. None when a parameter is
    missing (the compilation reports it)."""
    values: list[tuple[str, ParamValue | None]] = []
    money = False
    for ref in ex.params(rule.condition):
        p = book.parameters.get(ref.name)
        if p is None:
            return None
        values.append((ref.name, p.at(at)))
        money = money or p.is_currency
    rate_key = tuple(rates.rate(c) for c in ("EUR", "USD", "GBP")) if money else ()
    return (book.content_hash, id(rule), tuple(values), rate_key)


def _compile_rule(rule: LoadedRule, book: Rulebook, at: date, rates: RateTable) -> _RuleOutput | str:
    """``rule`` compiled for the parameters in force on ``at`` (reused from an earlier epoch
    that reads the same values), or why it is not in force on ``at``."""
    key = _rule_key(rule, book, at, rates)
    found = _memo.get(key) if key is not None else None
    if found is not None:
        return found
    rc = _RuleCompiler(rule, book, at, rates)
    durable, patterns = rc.compile()
    if rc.inactive:
        return rc.inactive  # names ``at``: not reused
    ((name, body),) = durable.items()
    fact_types = []
    for pat in body["all"]:
        fact_type, cond = next(iter(pat.items()))
        fact_types.append(fact_type)
        groups = _groups(cond)
        if groups > MAX_GROUPS:
            raise RulebookError(
                rule.when_location,
                f"rule {rule.id}: the condition on {fact_type!r} compiles into {groups} and/or groups "
                f"(three-valued logic expands each 'or' and 'not'); the engine takes at most {MAX_GROUPS} "
                "in one pattern. Split the 'or' into separate rules, or move part of it into a derived fact")
    compiled = CompiledRule(rule, name, tuple(patterns), tuple(rc.atoms), rc.true_when)
    out = _RuleOutput(body, tuple(fact_types), compiled, dict(rc.params_used))
    shared_key = (id(rule), _canonical(body), repr((compiled.patterns, compiled.atoms, compiled.true_when)))
    shared = _shared.get(shared_key)
    if shared is not None:
        # Equal to an earlier compilation: its copy, with this one's parameter values.
        out = _RuleOutput(shared.body, shared.fact_types, shared.compiled, out.params_used)
    elif len(_shared) < _MEMO_MAX:
        _shared[shared_key] = out
    if key is not None:
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        _memo[key] = out
    return out


def clear_shared() -> None:
    """Forget the rules compiled so far (with the compiled rulesets that use them)."""
    _memo.clear()
    _shared.clear()


def compile_rulebook(book: Rulebook, at: date) -> CompiledRulebook:
    """Compile every rule active on ``at`` into one ruleset definition."""
    rates = rate_table(book.parameters, at)
    definition: dict[str, Any] = {}
    rules: dict[str, CompiledRule] = {}
    by_name: dict[str, str] = {}
    params_used: dict[str, ParamValue] = {}
    inactive: dict[str, str] = {}
    fanout: dict[str, int] = {}
    for rule in book.rules:
        span = rule.spec.in_force
        if span is not None and not span.covers(at):
            inactive[rule.id] = (f"the provision applies from {span.from_ or 'its origin'} until "
                                 f"{span.until or 'today'}, not on {at.isoformat()}")
            continue
        done = _compile_rule(rule, book, at, rates)
        if isinstance(done, str):
            inactive[rule.id] = done
            continue
        params_used.update(done.params_used)
        definition[done.compiled.durable_name] = done.body
        by_name[done.compiled.durable_name] = rule.id
        for fact_type in done.fact_types:
            fanout[fact_type] = fanout.get(fact_type, 0) + 1
        rules[rule.id] = done.compiled
    if len(fanout) > MAX_FACT_KINDS:
        raise RulebookError(
            book.rules[0].location,
            f"the rules match {len(fanout)} kinds of fact (base and derived) on {at.isoformat()}; the engine takes "
            f"at most {MAX_FACT_KINDS} in one rulebook (it hangs from 510 on). Merge derived facts that differ only "
            "in name into one with a field, or split the rulebook")
    for fact_type, count in sorted(fanout.items()):
        if count > FANOUT_LIMIT:
            raise RulebookError(
                book.rules[0].location,
                f"{count} compiled rules match facts of kind {fact_type!r}; the engine allows one fact "
                f"to match at most 64 rules (limit kept here: {FANOUT_LIMIT}). Split these rules across "
                "derived facts, or into separate rulebooks",
            )
    key = json.dumps([parameter_epoch(book, at), book.content_hash], default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return CompiledRulebook(
        name=f"antitrust-{book.content_hash[:12]}-{digest}",
        as_of=at,
        definition=definition,
        rules=rules,
        by_durable_name=by_name,
        params_used=params_used,
        inactive=inactive,
        fanout=fanout,
        rates=rates,
        rulebook=book,
    )
