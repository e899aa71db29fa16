"""Flips: the smallest changes to a deal's facts that change a verdict or a band.

Candidates come from the comparisons of the deciding rules; each flip reported was found by
evaluating the changed deal and is checked once more by a fresh evaluation."""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field

from antitrust.compiler import CompiledAtom
from antitrust.deal import Deal, Fact, Turnover
from antitrust.evaluate import Evaluation, evaluate
from antitrust.margins import number_text
from antitrust.money import CURRENCIES
from antitrust.rulebook import Rulebook
from antitrust.verdicts import outcomes
from antitrust.vocabulary import FACT_TYPES, ROLES
from antitrust.whatif.compare import deciding_rules
from antitrust.whatif.paths import (
    FrozenModel,
    WhatIfError,
    apply_changes,
    describe,
    is_model,
    parse_path,
    resolve,
    unwrap,
)

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_FLIPS_PER_TARGET = 10


class FlipChange(FrozenModel):
    path: str
    before: str
    after: str
    test: str = Field(description="The comparison this value settles, e.g. 'de.target_turnover_eur > EUR 17.5m'.")
    kind: Literal["resolve", "move", "toggle"] = Field(
        description="resolve: the fact was unknown; move: a known number moves; toggle: a known yes/no or category.")
    value: Any = Field(description="The value set, as deal-file data (what --set PATH=VALUE would take).")


class Flip(FrozenModel):
    before: str
    after: str
    changes: list[FlipChange]
    cost: float = Field(description="Size of the change: 0 per unknown fact resolved, the relative move of a "
                                    "known number, 1 per toggled yes/no or category.")
    decided_by: list[str] = Field(description="Rules that settle the new outcome.")
    verified: bool = Field(description="A fresh evaluation of the changed deal gave this outcome.")


class FlipTarget(FrozenModel):
    key: str = Field(description="Jurisdiction code, or theory:<name>.")
    label: str
    outcome: str
    decided_by: list[str]
    flips: list[Flip]


class Flips(FrozenModel):
    deal_id: str
    deal_title: str
    as_of: date
    max_changes: int
    time_limit: float
    complete: bool = Field(description="False when the time limit cut the search short.")
    evaluations: int
    candidates: int = Field(description="Single changes considered.")
    targets: list[FlipTarget]


@dataclass(frozen=True)
class Edit:
    """One candidate change: deal-file assignments and what they are meant to settle."""

    assignments: tuple[tuple[str, Any], ...]
    changes: tuple[FlipChange, ...]
    cost: float

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((p, json.dumps(v, sort_keys=True, default=str)) for p, v in self.assignments))

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(p for p, _v in self.assignments)


_NEGATE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}
_STEP = {"percent": 0.01, "count": 1.0}
_FIGURE = re.compile(r"^(acquirer|target|combined|smaller_party)_turnover_(eur|usd|gbp)$")
_PARTY_INDEX = re.compile(r"^parties\[(\d+)\]")


def _number_display(x: float, unit: str | None) -> str:
    if unit in CURRENCIES:
        return f"{unit} {x:,.0f}" if float(x).is_integer() else f"{unit} {x:,.2f}"
    if unit == "percent":
        return f"{x:g}%"
    return f"{x:g}"


def _exact(value: Any) -> str:
    """Like describe(), but amounts of money to the unit: a flip may hinge on the last euro."""
    inner = value.get("value") if isinstance(value, dict) and set(value) == {"value"} else value
    if isinstance(inner, dict) and set(inner) >= {"amount", "currency"}:
        return _number_display(float(inner["amount"]), str(inner["currency"]))
    return describe(value)


def _targets_for_number(atom: CompiledAtom, unit: str | None) -> list[tuple[float, bool]]:
    """Engine values just either side of the threshold: (value, makes the comparison true)."""
    c = atom.threshold
    if isinstance(c, bool) or not isinstance(c, int | float):
        return []
    eps = _STEP.get(unit or "", 1.0)
    op = atom.op
    pairs = {">": [(c + eps, True), (c, False)], ">=": [(c, True), (c - eps, False)],
             "<": [(c - eps, True), (c, False)], "<=": [(c, True), (c + eps, False)],
             "==": [(c, True), (c + eps, False), (c - eps, False)],
             "!=": [(c + eps, True), (c - eps, True), (c, False)]}.get(op, [])
    hi = 100.0 if unit == "percent" else math.inf
    return [(round(float(v), 6), t) for v, t in pairs if 0 <= v <= hi]


class _EditMaker:
    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.deal = ev.deal
        self.data = ev.deal.model_dump()
        self.cache: dict[tuple[str, str, str], list[Edit]] = {}

    def node(self, path: str) -> Any:
        try:
            slot = resolve(copy.deepcopy(self.data), parse_path(path), create=True)
        except ValueError:
            return None
        node = slot.value
        tp = unwrap(slot.type)
        if is_model(tp) and issubclass(tp, Turnover) and isinstance(node, dict):
            node = node.get("amount")
        return node

    def wrap(self, path: str, value: Any) -> Any:
        """``{"value": v}`` where the path holds a fact, else ``v`` itself."""
        try:
            slot = resolve(copy.deepcopy(self.data), parse_path(path), create=True)
        except ValueError:
            return {"value": value}
        tp = unwrap(slot.type)
        if is_model(tp) and issubclass(tp, Turnover | Fact):
            return {"value": value}
        return value

    def for_atom(self, atom: CompiledAtom) -> list[Edit]:
        if atom.field is None or atom.fact not in FACT_TYPES:
            return []
        spec = FACT_TYPES[atom.fact].get(atom.field)
        if spec is None or spec.kind == "id" or (spec.kind == "category" and spec.values == ROLES):
            return []
        out: list[Edit] = []
        for fact in self.ev.flat.facts:
            if fact["t"] != atom.fact:
                continue
            key = (str(fact["id"]), atom.field, atom.text)
            if key not in self.cache:
                self.cache[key] = self._edits(atom, fact, spec.kind, spec.unit, spec.values)
            out += self.cache[key]
        return out

    def _edits(self, atom: CompiledAtom, fact: dict[str, Any], kind: str, unit: str | None,
               values: tuple[str, ...]) -> list[Edit]:
        field = atom.field
        assert field is not None
        prov = self.ev.flat.provenance.get((str(fact["id"]), field))
        if prov is None or prov.path.startswith("(") or " (" in prov.path:
            return []
        paths = [p.strip() for p in prov.path.split(" + ")]
        current = fact.get(field)
        name = f"{atom.fact}.{field}"
        thr = self._threshold_text(atom, unit)
        out: list[Edit] = []
        if kind == "number":
            known = isinstance(current, dict) and current.get("lo") is not None and current.get("lo") == current.get("hi")
            for num, truth in _targets_for_number(atom, unit):
                op = atom.op if truth else _NEGATE[atom.op]
                test = f"{name} {op} {thr}"
                for assignments in self._number_assignments(atom.fact, field, fact, paths, num, unit):
                    if known:
                        old = float(current["lo"])  # type: ignore[index]
                        if old == num:
                            continue
                        # relative move; from 0, percentages move relative to 100
                        cost = abs(num - old) / abs(old) if old else (abs(num) / 100 if unit == "percent" else 1.0)
                        kind_ = "move"
                    else:
                        cost, kind_ = 0.0, "resolve"
                    out.append(self._edit(assignments, test, kind_, cost))
        elif kind == "bool":
            for flag in (True, False):
                if current is flag:
                    continue
                kind_ = "resolve" if current is None else "toggle"
                test = f"{name} {'yes' if flag else 'no'}"
                for assignments in self._bool_assignments(atom.fact, field, paths, flag):
                    out.append(self._edit(assignments, test, kind_, 0.0 if current is None else 1.0))
        elif kind == "category" and len(paths) == 1:
            for cat in values:
                if cat == current:
                    continue
                kind_ = "resolve" if current is None else "toggle"
                out.append(self._edit(((paths[0], self.wrap(paths[0], cat)),), f"{name} == {cat!r}", kind_,
                                      0.0 if current is None else 1.0))
        return out

    def _threshold_text(self, atom: CompiledAtom, unit: str | None) -> str:
        c = atom.threshold
        if isinstance(c, bool) or not isinstance(c, int | float):
            return str(c)
        return number_text(float(c), unit) + (f" ({atom.param})" if atom.param else "")

    def _edit(self, assignments: tuple[tuple[str, Any], ...], test: str, kind: str, cost: float) -> Edit:
        changes = []
        for path, value in assignments:
            before = describe(self.node(path))
            after = _exact(value)
            changes.append(FlipChange(path=path, before=before, after=after, test=test, kind=kind, value=value))
        return Edit(assignments, tuple(changes), cost)

    def _money(self, amount: float, unit: str) -> dict[str, Any]:
        return {"value": {"amount": round(amount, 2), "currency": unit}}

    def _number_assignments(self, fact_type: str, field: str, fact: dict[str, Any], paths: list[str],
                            value: float, unit: str | None) -> list[tuple[tuple[str, Any], ...]]:
        if unit in {"EUR", "USD", "GBP"}:
            m = _FIGURE.match(field)
            if m is None or fact_type in {"party", "deal"}:
                return [((paths[0], self._money(value, unit)),)] if len(paths) == 1 else []
            side, ccy = m.group(1), m.group(2)
            return self._figure_assignments(fact, side, ccy, paths, value, unit)
        if field in {"equity_acquired", "voting_acquired"} and len(paths) == 2:
            before = fact.get(field.replace("acquired", "before"))
            if not (isinstance(before, dict) and before.get("lo") == before.get("hi") and before.get("lo") is not None):
                return []
            after = value + float(before["lo"])
            return [((paths[0], self.wrap(paths[0], after)),)] if 0 <= after <= 100 else []
        if len(paths) != 1 or unit not in {"percent", "count"} or field in {"share_of_target_staff", "board_share"}:
            return []
        if paths[0].startswith("markets["):
            return []
        v: float | int = int(value) if unit == "count" else value
        if unit == "count" and v != value:
            return []
        return [((paths[0], self.wrap(paths[0], v)),)]

    def _figure_assignments(self, fact: dict[str, Any], side: str, ccy: str, paths: list[str], value: float,
                            unit: str) -> list[tuple[tuple[str, Any], ...]]:
        if side in {"acquirer", "target"}:
            return [((paths[0], self._money(value, unit)),)] if len(paths) == 1 else []
        out: list[tuple[tuple[str, Any], ...]] = []
        roles = {}
        for p in paths:
            m = _PARTY_INDEX.match(p)
            if m is None or int(m.group(1)) >= len(self.deal.parties):
                return []
            roles[p] = self.deal.parties[int(m.group(1))].role
        for p in paths:
            role = roles[p]
            if sum(1 for q in paths if roles[q] == role) != 1:
                continue  # several parties on this side: no single figure sets it
            other = fact.get(f"{'target' if role == 'acquirer' else 'acquirer'}_turnover_{ccy}", {})
            o_lo = other.get("lo")
            if side == "combined":
                own = value if o_lo is None else value - float(o_lo)
                # the other side counts at its known minimum (0 when unknown); the re-evaluation
                # tells whether that settles the comparison
                if own >= 0:
                    out.append(((p, self._money(own, unit)),))
            else:  # smaller party: min(acquirer, target)
                out.append(((p, self._money(value, unit)),))
        return out

    def _bool_assignments(self, fact_type: str, field: str, paths: list[str],
                          value: bool) -> list[tuple[tuple[str, Any], ...]]:
        if paths == ["transaction.types"] and field.startswith("is_"):
            kind = field[3:]
            types_ = list(self.deal.transaction.types)
            new = [*types_, kind] if value else [t for t in types_ if t != kind]
            return [((paths[0], new),)] if new and new != types_ else []
        if len(paths) == 1 and re.fullmatch(r"governance\[\d+\]\.vetoes", paths[0]) and field.startswith("veto_"):
            kind = field[5:]
            node = self.node(paths[0])
            current = list(node.get("value") or []) if isinstance(node, dict) and not node.get("unknown") else []
            new = sorted({*current, kind}) if value else [v for v in current if v != kind]
            return [((paths[0], self.wrap(paths[0], new)),)]
        if field in {"convertible_into_voting", "completed"}:
            return []
        if len(paths) == 1:
            return [((paths[0], self.wrap(paths[0], value)),)]
        # several parties behind one flag (e.g. two targets): making it true needs one of them
        return [((p, self.wrap(p, True)),) for p in paths] if value else []


def _relevant_rules(ev: Evaluation, key: str) -> dict[str, set[str]]:
    """Deciding rules for a target -> each with the rules producing the derived facts it uses."""
    rules = ev.compiled.rules
    book = ev.compiled.rulebook
    if key.startswith("theory:"):
        seeds = [r for r, c in rules.items() if c.rule.spec.theory == key[7:] and c.rule.spec.risk]
    else:
        seeds = [r for r, c in rules.items() if c.rule.spec.jurisdiction == key and c.rule.spec.verdict]
    out: dict[str, set[str]] = {}
    for seed in seeds:
        closure, queue = {seed}, [seed]
        while queue:
            crule = rules[queue.pop()]
            for pattern in crule.patterns:
                derived = book.derived.get(pattern)
                for producer in derived.producers if derived else ():
                    if producer in rules and producer not in closure:
                        closure.add(producer)
                        queue.append(producer)
        out[seed] = closure
    return out


def _label(book: Rulebook, key: str) -> str:
    if key.startswith("theory:"):
        return f"{book.theory_title(key[7:])} (band)"
    return f"{book.regime(key).name} (filing)"


def find_flips(deal: Deal, book: Rulebook, *, jurisdiction: str | None = None, max_changes: int = 1,
               time_limit: float = DEFAULT_TIME_LIMIT, as_of: date | None = None, today: date | None = None,
               per_target: int = DEFAULT_FLIPS_PER_TARGET) -> Flips:
    """The smallest changes to the deal's facts that change each verdict and each high or medium band.

    Candidates come from the comparisons of the rules that decide each outcome (and the rules
    producing the derived facts those use): numbers moved just across the thresholds they are
    compared with, yes/no facts and categories toggled, unknown facts set to either side. Single
    changes are tried first, then (with ``max_changes=2``) pairs drawn from one deciding rule,
    cheapest first, until ``time_limit`` seconds have passed. Every flip reported was found by
    evaluating the changed deal and is checked once more by a fresh evaluation."""
    if max_changes not in (1, 2):
        raise WhatIfError("--max-changes", "must be 1 or 2")
    if time_limit <= 0:
        raise WhatIfError("--time-limit", "must be more than 0 seconds")
    started = time.monotonic()
    deadline = started + time_limit
    base = evaluate(deal, book, as_of=as_of, today=today)
    at = base.as_of
    base_out = outcomes(base)
    code = jurisdiction.upper() if jurisdiction else None
    if code is not None and code not in base_out:
        known = ", ".join(k for k in base_out if not k.startswith("theory:"))
        raise WhatIfError(f"--jurisdiction {jurisdiction}", f"no rules in force for {code} (known: {known})")
    keys = [code] if code else [k for k, v in base_out.items()
                                if not k.startswith("theory:") or v.split(" ")[0] in {"high", "medium"}]
    maker = _EditMaker(base)
    per_rule: dict[str, dict[str, list[Edit]]] = {}
    singles: dict[tuple[tuple[str, str], ...], Edit] = {}
    for key in keys:
        per_rule[key] = {}
        for seed, closure in _relevant_rules(base, key).items():
            edits: list[Edit] = []
            for rid in sorted(closure):
                for atom in base.compiled.rules[rid].atoms:
                    edits += maker.for_atom(atom)
            uniq = {e.key: e for e in edits}
            per_rule[key][seed] = list(uniq.values())
            for e in uniq.values():
                singles.setdefault(e.key, e)

    results: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], Evaluation] | None] = {}
    evaluations = 0
    complete = True

    def run(edit: Edit) -> tuple[dict[str, str], Evaluation] | None:
        nonlocal evaluations
        if edit.key not in results:
            try:
                changed, _ = apply_changes(deal, edit.assignments, "flip", describe_changes=False)
            except WhatIfError:
                results[edit.key] = None
                return None
            ev = evaluate(changed, book, as_of=at)
            evaluations += 1
            results[edit.key] = (outcomes(ev), ev)
        return results[edit.key]

    found: dict[str, list[tuple[Edit, str, list[str]]]] = {k: [] for k in keys}
    for edit in sorted(singles.values(), key=lambda e: (e.cost, e.key)):
        if time.monotonic() > deadline:
            complete = False
            break
        got = run(edit)
        if got is None:
            continue
        outs, ev = got
        for key in keys:
            if outs.get(key) != base_out[key]:
                found[key].append((edit, outs[key], deciding_rules(ev, key)))

    if max_changes == 2 and complete:
        jobs: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, str, Edit]] = {}
        for key in keys:
            alone = {e.key for e, _o, _d in found[key]}
            for edits in per_rule[key].values():
                usable = [e for e in edits if e.key not in alone]
                for a, b in itertools.combinations(usable, 2):
                    if a.paths & b.paths:
                        continue
                    pair = Edit(a.assignments + b.assignments, a.changes + b.changes, a.cost + b.cost)
                    jobs.setdefault((key, pair.key), (pair.cost, key, pair))
        for cost, key, pair in sorted(jobs.values(), key=lambda j: (j[0], j[1], j[2].key)):
            del cost
            if time.monotonic() > deadline:
                complete = False
                break
            if len({(e.paths, o) for e, o, _d in found[key]}) >= per_target:
                continue  # singles rank first and pairs come cheapest first: the list is full
            got = run(pair)
            if got is None:
                continue
            outs, ev = got
            if outs.get(key) != base_out[key]:
                found[key].append((pair, outs[key], deciding_rules(ev, key)))

    targets = []
    for key in keys:
        ranked = sorted(found[key], key=lambda x: (len(x[0].assignments), x[0].cost, x[0].key))
        flips: list[Flip] = []
        seen: set[tuple[frozenset[str], str]] = set()
        for edit, after, decided in ranked:
            # the cheapest change of the same facts to the same outcome says it all
            if len(flips) >= per_target or (edit.paths, after) in seen:
                continue
            seen.add((edit.paths, after))
            changed, _ = apply_changes(deal, edit.assignments, "flip", describe_changes=False)
            check = outcomes(evaluate(changed, book, as_of=at)).get(key)
            evaluations += 1
            if check != after:  # pragma: no cover - the engine is deterministic
                continue
            flips.append(Flip(before=base_out[key], after=after, changes=list(edit.changes), cost=round(edit.cost, 6),
                              decided_by=decided, verified=True))
        targets.append(FlipTarget(key=key, label=_label(book, key), outcome=base_out[key],
                                  decided_by=deciding_rules(base, key), flips=flips))
    return Flips(deal_id=deal.id, deal_title=deal.title, as_of=at, max_changes=max_changes,
                 time_limit=time_limit, complete=complete, evaluations=evaluations,
                 candidates=len(singles), targets=targets)
