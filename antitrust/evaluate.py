"""Evaluate a deal against a rulebook: a pure function of (deal, rulebook, as-of date).

The deal is flattened into engine facts, asserted into a fresh session of the compiled
ruleset, and every firing is recorded with the facts it matched. Derived facts are asserted
back into the session (so conclusions chain) after de-duplication, and each remembers the
firings that produced it, which is the proof tree the report shows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

from antitrust import lawperiods, leanfacts, reasons, ruletables
from antitrust.compiler import (
    CompiledRule,
    CompiledRulebook,
    clear_shared,
    compile_rulebook,
    parameter_epoch,
)
from antitrust.deal import Deal
from antitrust.engine import Session
from antitrust.engineforms import cond_info, condition_test
from antitrust.facts import FlatDeal, flatten
from antitrust.ordering import Key, canonical_order
from antitrust.presumptions import Presumer
from antitrust.rulebook import Rulebook
from antitrust.shared_work import PerObject
from antitrust.timeline import law_date
from antitrust.truth import atom_truth
from antitrust.vocabulary import FACT_TYPES


@dataclass(frozen=True)
class Unknown:
    """A fact whose value would decide an undetermined conclusion."""

    fact_id: str
    fact: str
    field: str
    needed: str  # e.g. "<= 17500000 (param de.gwb35.domestic_other)"


@dataclass(frozen=True)
class Firing:
    """One rule matched a set of facts: its condition was true (yes) or undetermined (maybe)."""

    rule_id: str
    status: str  # "yes" or "maybe"
    bound: dict[str, dict[str, Any]]
    derived_inputs: tuple[str, ...]
    derived_id: str | None = None
    compiled: CompiledRule | None = field(default=None, compare=False, repr=False)

    @cached_property
    def unknowns(self) -> tuple[Unknown, ...]:
        """The facts whose values would decide an undetermined firing (worked out when first
        read: screening never reads them)."""
        if self.status != "maybe" or self.compiled is None:
            return ()
        return _unknowns(self.compiled, self.bound)


@dataclass
class DerivedRecord:
    id: str
    name: str
    status: str
    fields: dict[str, Any]
    firings: list[int] = field(default_factory=list)


@dataclass
class Evaluation:
    deal: Deal
    as_of: date
    compiled: CompiledRulebook
    flat: FlatDeal
    firings: list[Firing] = field(default_factory=list)
    derived: dict[str, DerivedRecord] = field(default_factory=dict)
    #: The date deadlines are counted to (the law applied is that of ``as_of``).
    today: date | None = None
    #: Warnings about the evaluation itself, e.g. a closing date whose range spans a change in the law.
    warnings: list[str] = field(default_factory=list)
    #: Presumptions and defaults switched off: unknown and unstated fields stay unknown.
    strict: bool = False

    def firings_of(self, rule_id: str) -> list[Firing]:
        return [f for f in self.firings if f.rule_id == rule_id]


_cache: dict[tuple[str, tuple[Any, ...]], tuple[CompiledRulebook, Session]] = {}
#: (rulebook hash, first day of a period of its law) -> key of ``_cache``: finding the parameter
#: epoch walks every parameter, which costs more than a small deal's evaluation, and every date of
#: a period has the same epoch (see :mod:`antitrust.lawperiods`).
_by_period: dict[tuple[str, date], tuple[str, tuple[Any, ...]]] = {}
_BY_DATE_MAX = 100_000
#: Each epoch key once: the dates of one epoch share it.
_epoch_keys: dict[tuple[str, tuple[Any, ...]], tuple[str, tuple[Any, ...]]] = {}
#: (compiled ruleset name, date) -> that ruleset with its dated messages for the date.
_dated: dict[tuple[str, date], CompiledRulebook] = {}
_compile_lock = threading.RLock()


def compiled_for(book: Rulebook, at: date) -> tuple[CompiledRulebook, Session]:
    """The compiled ruleset for the parameters in force on ``at`` (compiled once, then reused).

    Safe under threads: one lock covers the lookup, the compilation and the registration, so
    threads starting on a cold cache share one ruleset instead of each registering its own. Dates
    of one parameter epoch share a ruleset; the messages that name a date (why a rule is not in
    force) are given for ``at`` itself, never for the date that first compiled it."""
    with _compile_lock:
        period = (book.content_hash, lawperiods.period_start(book, at))
        key = _by_period.get(period)
        if key is None:
            key = (book.content_hash, parameter_epoch(book, period[1]))
            key = _epoch_keys.setdefault(key, key)  # one copy per epoch, not one per period
            if len(_by_period) >= _BY_DATE_MAX:
                _by_period.clear()
            _by_period[period] = key
        if key not in _cache:
            compiled = compile_rulebook(book, at)
            _cache[key] = (compiled, Session(compiled.definition, compiled.name))
        compiled, session = _cache[key]
        if compiled.as_of == at:
            return compiled, session
        # The ruleset as of ``at`` (the same frozen object for every deal of that date).
        dated = _dated.get((compiled.name, at))
        if dated is None:
            first, here = compiled.as_of.isoformat(), at.isoformat()
            dated = replace(compiled, as_of=at,
                            inactive={k: v.replace(first, here) for k, v in compiled.inactive.items()})
            if len(_dated) >= _BY_DATE_MAX:
                _dated.clear()
            _dated[(compiled.name, at)] = dated
    return dated, session


def clear_cache() -> None:
    """Unload every compiled ruleset (e.g. after rule files changed in a long-running process)."""
    with _compile_lock:
        for _compiled, session in _cache.values():
            session.close()
        _cache.clear()
        _by_period.clear()
        lawperiods.clear()
        _epoch_keys.clear()
        _dated.clear()
        clear_shared()
        _rule_info.clear()
        _info_of.clear()
        cond_info.clear()
        _tests.clear()
        ruletables.clear()
        leanfacts.clear()


#: What the recorder needs of one durable rule: rule id, compiled rule, derive spec, its fields
#: sorted (name, value, whether the value is a template), the same as items when no field is a
#: template (None otherwise), and the rank of a match (see :func:`_rank_of`).
_RuleInfo = tuple[str, CompiledRule, Any, tuple[tuple[str, Any, bool], ...],
                  tuple[tuple[str, Any], ...] | None, Callable[[dict[str, dict[str, Any]]], int]]
class _RuleInfos(dict[str, _RuleInfo]):
    """Durable rule name -> what the recorder needs of it, looked up on the rule's first firing
    under this ruleset (a deal fires a fraction of a ruleset's rules). The entry itself is built
    once per compiled rule, which the rulesets of several epochs share (:data:`_info_of`).
    Building an entry twice (two threads at once) gives the same entry."""

    def __init__(self, compiled: CompiledRulebook) -> None:
        super().__init__()
        self.compiled = compiled

    def __missing__(self, durable_name: str) -> _RuleInfo:
        info = self[durable_name] = _info_of(self.compiled.rules[self.compiled.by_durable_name[durable_name]])
        return info


def _rule_info_of(crule: CompiledRule) -> _RuleInfo:
    spec = crule.rule.spec.derive
    fields = tuple((name, value, _is_template(value))
                   for name, value in sorted(spec.fields.items())) if spec is not None else ()
    constant = None if any(template for _n, _v, template in fields) else tuple((n, v) for n, v, _t in fields)
    parts = tuple((alias, known_true(cond)) for alias, cond in crule.true_when)
    return (crule.rule.id, crule, spec, fields, constant, _rank_of(parts))


def _rank_of(parts: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...]
             ) -> Callable[[dict[str, dict[str, Any]]], int]:
    """The rank of a rule's match ``{alias: fact}``: 0 when every part of its condition is known
    true (the rule holds), else 1 + the index of the first part that is not (it is undetermined).
    ``parts``: per pattern, its alias and the predicate telling that part known true."""
    if len(parts) == 1:  # most rules: one pattern
        ((alias, test),) = parts

        def rank_one(bound: dict[str, dict[str, Any]]) -> int:
            return 0 if test(bound[alias]) else 1

        return rank_one

    def rank(bound: dict[str, dict[str, Any]]) -> int:
        for part, (alias, test) in enumerate(parts, start=1):
            if not test(bound[alias]):
                return part
        return 0

    return rank


#: What the recorder needs of a compiled rule, once per compiled rule: the rulesets of parameter
#: epochs that compile a rule alike share it (see antitrust.shared_work).
_info_of: PerObject[CompiledRule, _RuleInfo] = PerObject(_rule_info_of)


#: canonical condition -> its generated "known true" predicate, for every ruleset of the process.
_tests: dict[str, Callable[[dict[str, Any]], bool]] = {}


def known_true(cond: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    """The predicate telling whether a fact makes ``cond`` known true, generated once per distinct
    condition in the process (the recorder and the reliance of verdicts on presumptions share it)."""
    key = json.dumps(cond, sort_keys=True)
    test = _tests.get(key)
    if test is None:
        test = _tests[key] = condition_test(cond)
    return test

#: compiled ruleset name -> its rules' info (see _RuleInfos).
_rule_info: dict[str, _RuleInfos] = {}


def _info(compiled: CompiledRulebook) -> _RuleInfos:
    info = _rule_info.get(compiled.name)
    if info is None:
        info = _rule_info.setdefault(compiled.name, _RuleInfos(compiled))
    return info


class _Recorder:
    def __init__(self, evaluation: Evaluation) -> None:
        self.ev = evaluation
        self.seen: set[tuple[str, str, tuple[str, ...]]] = set()
        self.derived_keys: dict[tuple[Any, ...], str] = {}
        self.info = _info(evaluation.compiled)
        #: Per firing, its place in the canonical order (see antitrust.ordering).
        self.keys: list[Key] = []
        #: Derived facts as asserted, by id.
        self.facts: dict[str, dict[str, Any]] = {}

    def __call__(self, durable_name: str, bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        # ``bound`` holds the flattened deal's own dicts (read-only) or derived facts recorded here.
        rule_id, crule, spec, fields, constant, rank_of = self.info[durable_name]
        # The rule matched where its condition is possibly true: it holds if every part is
        # known true, and is undetermined otherwise.
        rank = rank_of(bound)
        status = "maybe" if rank else "yes"
        ids = [f["id"] for f in bound.values()]
        key = (rule_id, status, tuple(sorted(ids)) if len(ids) > 1 else tuple(ids))
        seen = self.seen
        if key in seen:
            return []
        seen.add(key)
        inputs = tuple([i for i in ids if i[0] == "d"])  # derived facts' ids start with "d"
        ev = self.ev
        firings = ev.firings
        index = len(firings)
        self.keys.append((rule_id, rank, index))
        if spec is None:
            firings.append(_firing(rule_id, status, bound, inputs, None, crule))
            return []
        items = constant if constant is not None else tuple(
            (name, _fill(v, bound) if template else v) for name, v, template in fields)
        dkey = (spec.fact, status, items)  # fields are sorted already
        existing = self.derived_keys.get(dkey)
        if existing is not None:
            ev.derived[existing].firings.append(index)
            firings.append(_firing(rule_id, status, bound, inputs, existing, crule))
            return []
        fact_id = f"d{len(ev.derived)}"
        self.derived_keys[dkey] = fact_id
        values = dict(items)
        ev.derived[fact_id] = DerivedRecord(fact_id, spec.fact, status, values, [index])
        firings.append(_firing(rule_id, status, bound, inputs, fact_id, crule))
        fact = self.facts[fact_id] = {"t": spec.fact, "id": fact_id, "status": status, "by": rule_id, **values}
        return [fact]

    def finish(self) -> None:
        canonical_order(self.ev, self.keys, self.facts)


_new = object.__new__


def _firing(rule_id: str, status: str, bound: dict[str, dict[str, Any]], inputs: tuple[str, ...],
            derived_id: str | None, crule: CompiledRule) -> Firing:
    """``Firing(rule_id, status, bound, inputs, derived_id, crule)`` without the frozen
    dataclass's ``__init__``, which sets each field through ``object.__setattr__`` (a third of the
    time of a deal's ~90 firings): the same fields, filled into the instance's ``__dict__``."""
    firing: Firing = _new(Firing)
    state = firing.__dict__
    state["rule_id"] = rule_id
    state["status"] = status
    state["bound"] = bound
    state["derived_inputs"] = inputs
    state["derived_id"] = derived_id
    state["compiled"] = crule
    return firing


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _is_template(value: Any) -> bool:
    """Whether a derived fact's field names fields of the matched facts ('{fact.field}')."""
    return isinstance(value, str) and ("{" in value or "}" in value)


def _fill(value: Any, facts: dict[str, dict[str, Any]]) -> Any:
    """Resolve '{fact.field}' in a derived fact's field from the matched facts."""
    if not _is_template(value):
        return value

    def resolve(parts: tuple[str, ...]) -> str:
        fact, fld = parts[0], ".".join(parts[1:])
        v = facts.get(fact, {}).get(fld, "")
        if isinstance(v, dict):
            exact = v.get("lo") == v.get("hi") and "lo" in v
            spec = FACT_TYPES.get(fact, {}).get(fld)
            unit = "%" if spec is not None and spec.unit == "percent" else ""
            v = f"{v['lo']:g}{unit}" if exact else "an unknown amount"
        return str(v)

    return reasons.render(value, resolve)


def _unknowns(crule: CompiledRule, facts: dict[str, dict[str, Any]]) -> tuple[Unknown, ...]:
    found = []
    for atom in crule.atoms:
        fact = facts.get(atom.fact)
        if atom.field is None or fact is None:
            continue  # derived inputs carry their own unknowns
        if atom_truth(atom, fact) is None:
            needed = f"{atom.op} {atom.threshold}"
            if atom.param:
                needed += f" (param {atom.param})"
            found.append(Unknown(fact["id"], atom.fact, atom.field, needed))
    return tuple(dict.fromkeys(found))


def evaluate(deal: Deal, book: Rulebook, as_of: date | None = None, today: date | None = None, *,
             strict: bool = False) -> Evaluation:
    """Evaluate ``deal`` under the law in force on ``as_of`` (default: the deal's relevant date),
    with deadlines and the deal's state ("has it closed?") counted to ``today`` (default: today).

    The rulebook's presumptions and the deal format's defaults fill unknown and unstated fields
    before the facts reach the engine (recorded in ``flat.presumed``); ``strict`` switches them
    off, so verdicts that needed one stay undetermined."""
    day = today or date.today()
    law = None if as_of is not None else law_date(deal, day, book)
    at = as_of or (law.at if law is not None else day)
    compiled, session = compiled_for(book, at)
    presumer = Presumer(book.presumptions, strict=strict)
    flat = flatten(deal, at, compiled.rates, day, detail=False, presumer=presumer,
                   lean=leanfacts.figure_needs(compiled, session))
    evaluation = Evaluation(deal=deal, as_of=at, compiled=compiled, flat=flat, today=day,
                            warnings=list(law.warnings) if law is not None else [], strict=strict)
    recorder = _Recorder(evaluation)
    session.run(flat.facts, recorder)
    recorder.finish()
    return evaluation
