"""Static analysis of a rulebook: the mistakes an analyst can make that loading alone does not catch.

Loading (:mod:`antitrust.rulebook`) already rejects malformed files, unknown keys, duplicate ids,
unknown names, type and unit mismatches, negated derived facts and an ``or`` across kinds of
fact. On a rulebook that loads, this module looks further:

* derived facts no rule uses, fields of a derived fact that some producers leave unset, and
  cycles among derivations (a fact that is, through other rules, a reason for itself);
* conditions that can never be true (``x > 50 and x < 10``, ``x == "a" and x == "b"``, a
  percentage above 100), alternatives of an ``or`` that can never be true, rules whose verdict
  or band can never decide because another rule always fires with a stronger one, and rules
  that repeat another;
* parameters: overlapping or gapped date ranges where a value declares ``until``, values that do
  not fit their unit (a percentage of 150, a negative amount), currency thresholds with no
  exchange rate to the field they are compared with, placeholder citations, values past their
  ``review_by`` date, rules that can never apply because a parameter has no confirmed value,
  parameters no rule uses, and ``{param.x}`` in a reason naming no parameter;
* rules without a test where they fire and one where they do not;
* how many compiled rules match each kind of fact, against the engine's limit.

Every finding is ``path:line:col: severity: message``. Errors make ``antitrust rules check``
exit 2; warnings are reported but do not fail the check unless ``--strict`` is given; notes
(severity ``info``: unused parameters, rules missing a firing or non-firing test) are shown
with ``--verbose`` and always in ``--format json``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from antitrust import expr as ex
from antitrust.coverage import fraction_checks, regime_checks
from antitrust.errors import InputError, InputErrors, Location
from antitrust.graph import cycle_in, strongly_connected
from antitrust.lawperiods import change_days
from antitrust.literals import Conflict, _dnf, _nnf, _Resolver, conflict_of
from antitrust.paramcheck import ParameterChecks
from antitrust.rulebook import LoadedRule, Rulebook, load_rulebook, placeholders
from antitrust.validation import did_you_mean
from antitrust.yamlio import Document, load

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
#: Share of the engine's fan-out limit above which a kind of fact gets a warning.
FANOUT_WARN_SHARE = 0.8
_PLACEHOLDER = re.compile(r"^\s*(todo|tbd|tba|fixme|xxx|n/?a|none|unknown|citation needed|\?+|-+)\s*\.?\s*$", re.IGNORECASE)
_PLACEHOLDER_URL = re.compile(r"^https?://(www\.)?(example\.(com|org|net)|localhost)(/|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Diagnostic:
    """One finding of the checker."""

    location: Location
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class CheckResult:
    diagnostics: list[Diagnostic]
    book: Rulebook | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def infos(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "info"]

    def counts(self) -> dict[str, int]:
        return {"errors": len(self.errors), "warnings": len(self.warnings), "infos": len(self.infos)}


# -- load-time problems get a code too (for --format json and editors) ---------------------------
_LOAD_CODES: tuple[tuple[str, str], ...] = (
    (r"^invalid (YAML|JSON)|^duplicate key|^not UTF-8|^file not found|^is a directory", "syntax"),
    (r"duplicate rule id", "duplicate-id"),
    (r"is defined twice", "duplicate-parameter"),
    (r"unknown parameter", "unknown-parameter"),
    (r"compare like with like", "unit-mismatch"),
    (r"cannot negate derived fact", "negated-derived-fact"),
    (r"an 'or' may not mix", "or-across-facts"),
    ((r"cannot parse the condition|not supported|not allowed|is not a condition|too many parts|needs a list"
      r"|holds plain values|name a parameter|field on one side|with the field on the left"), "condition-syntax"),
    (r"no rule derives it", "unknown-name"),
    (r"has no field|unknown field '[^']*' of |is a kind of fact", "unknown-name"),
    (r"is a (number|yes/no|category|name)|is yes/no|is not a value of|parameters are numbers", "type-mismatch"),
    (r"missing required field", "missing-field"),
    (r"^unknown field", "unknown-key"),
    (r"reserved", "reserved-name"),
    (r"template|must name a field", "template"),
    (r"no rule files found|expected a rule file", "not-a-rulebook"),
)


def load_code(message: str) -> str:
    """A stable code for a problem the loader reports (classified by its message)."""
    text = message.split(": ", 1)[1] if message.startswith("rule ") else message
    for pattern, code in _LOAD_CODES:
        if re.search(pattern, text):
            return code
    return "schema"


def check_rulebook(paths: Sequence[str | Path] | str | Path = "rules", *, today: date | None = None) -> CheckResult:
    """Load the rulebook under ``paths`` and analyse it; never raises on bad input."""
    try:
        book = load_rulebook(paths, check=False)
    except (InputError, InputErrors) as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        return CheckResult([Diagnostic(e.location, "error", load_code(e.message), e.message) for e in errors])
    checker = _Checker(book, today or date.today())
    checker.run()
    return CheckResult(sorted(checker.out, key=_sort_key), book)


def _sort_key(d: Diagnostic) -> tuple[Any, ...]:
    return (d.location.path, d.location.line, d.location.col, SEVERITIES.index(d.severity), d.message)



# -- the checker ------------------------------------------------------------------------------------
class _Checker(ParameterChecks):
    def __init__(self, book: Rulebook, today: date) -> None:
        self.book = book
        self.today = today
        self.out: list[Diagnostic] = []
        self.docs: dict[str, Document | None] = {}
        # Where each rule and parameter stands in its file (files are re-read only to report).
        self.rule_index: dict[str, tuple[str, int]] = {}
        self.param_index: dict[str, tuple[str, int]] = {}
        by_file: dict[str, list[tuple[int, str]]] = {}
        for r in book.rules:
            by_file.setdefault(r.location.path, []).append((r.location.line, r.id))
        for path, items in by_file.items():
            for i, (_line, rid) in enumerate(sorted(items)):
                self.rule_index.setdefault(rid, (path, i))
        by_file = {}
        for name, loc in book.parameter_locations.items():
            by_file.setdefault(loc.path, []).append((loc.line, name))
        for path, items in by_file.items():
            for i, (_line, name) in enumerate(sorted(items)):
                self.param_index.setdefault(name, (path, i))
        self.by_id = {r.id: r for r in book.rules}
        #: Parameters compared across currencies with no exchange rate (reported once, not compiled).
        self.missing_fx: set[str] = set()
        # Rules in the order they are written (book.rules is sorted by id).
        self.in_file_order = sorted(book.rules, key=lambda r: (r.location.path, r.location.line))

    def emit(self, location: Location, severity: Severity, code: str, message: str) -> None:
        self.out.append(Diagnostic(location, severity, code, message))

    def doc(self, path: str) -> Document | None:
        if path not in self.docs:
            try:
                self.docs[path] = load(path)
            except InputError:
                self.docs[path] = None
        return self.docs[path]

    def rule_at(self, rule: LoadedRule, *keys: str | int) -> Location:
        path, i = self.rule_index.get(rule.id, (rule.location.path, -1))
        doc = self.doc(path)
        if doc is None or i < 0:
            return rule.location
        return doc.locate(("rules", i, *keys))

    def param_at(self, name: str, *keys: str | int) -> Location:
        path, i = self.param_index.get(name, ("", -1))
        doc = self.doc(path) if path else None
        if doc is None or i < 0:
            return self.book.parameter_locations.get(name, Location(path or "rules"))
        return doc.locate(("parameters", i, *keys))

    def run(self) -> None:
        self.derived_facts()
        self.cycles()
        self.conditions()
        self.shadowing()
        self.templates()
        self.parameters()
        self.never_in_force()
        self.tests()
        self.fanout()
        for location, code, message in [*regime_checks(self.book, self.today), *fraction_checks(self.book)]:
            self.emit(location, "warning", code, message)
        for pr in self.book.presumptions:  # listed, so that an analyst sees what the rulebook presumes
            self.emit(self.book.presumption_locations[pr.id], "info", "presumption",
                      f"presumption {pr.id}: where {pr.fact} is unknown it is presumed {json.dumps(pr.value)} "
                      f"({pr.statement}; {pr.basis.citation}); read by {', '.join(pr.serves)}; off with --strict")

    # -- derived facts -------------------------------------------------------------------------
    def uses(self) -> dict[str, list[tuple[LoadedRule, ex.Ref]]]:
        out: dict[str, list[tuple[LoadedRule, ex.Ref]]] = {}
        for rule in self.book.rules:
            for ref in ex.refs(rule.condition):
                if ref.fact in self.book.derived:
                    out.setdefault(ref.fact, []).append((rule, ref))
        return out

    def derived_facts(self) -> None:
        uses = self.uses()
        for name, d in sorted(self.book.derived.items()):
            producers = [self.by_id[p] for p in d.producers]
            first = min(producers, key=lambda r: (r.location.path, r.location.line))
            if name not in uses:
                others = f" (also derived by {', '.join(p.id for p in producers if p is not first)})" \
                    if len(producers) > 1 else ""
                self.emit(self.rule_at(first, "derive", "fact"), "warning", "unused-derived-fact",
                          f"rule {first.id}: derived fact {name!r} is not used by any rule's condition{others}; "
                          "use it, or drop the derive")
                continue
            for rule, ref in uses[name]:
                if ref.field is None:
                    continue
                missing = [p.id for p in producers if ref.field not in (p.spec.derive.fields if p.spec.derive else {})]
                if missing:
                    self.emit(rule.at(ref.col), "warning", "derived-field-not-set",
                              f"rule {rule.id}: {ref} is not set by {', '.join(missing)}, which also derive "
                              f"{name!r}; the comparison stays undetermined for those facts")

    def cycles(self) -> None:
        edges: dict[str, set[str]] = {}
        via: dict[tuple[str, str], str] = {}
        for rule in self.book.rules:
            if rule.spec.derive is None:
                continue
            target = rule.spec.derive.fact
            for ref in ex.refs(rule.condition):
                if ref.fact in self.book.derived:
                    edges.setdefault(ref.fact, set()).add(target)
                    via.setdefault((ref.fact, target), rule.id)
        for component in strongly_connected(edges):
            cycle = cycle_in(component, edges)
            rules = [via[(a, b)] for a, b in itertools.pairwise(cycle)]
            first = min((self.by_id[r] for r in rules), key=lambda r: (r.location.path, r.location.line))
            self.emit(self.rule_at(first, "derive", "fact"), "error", "derivation-cycle",
                      f"derived facts form a cycle: {' → '.join(cycle)} (rules {', '.join(dict.fromkeys(rules))}); "
                      "a fact cannot be a reason for itself")

    # -- conditions ----------------------------------------------------------------------------
    def dates_for(self, rules: Iterable[LoadedRule]) -> list[date | None]:
        """The dates on which the parameters these rules use change value (None: no parameter)."""
        names = {p.name for r in rules for p in ex.params(r.condition)}
        if not names:
            return [None]
        fx = [n for n in self.book.parameters if n.startswith("fx.")]
        dates: set[date] = set()
        for n in [*names, *fx]:
            p = self.book.parameters.get(n)
            if p is not None:
                dates.update(change_days(p))
        return [*sorted(dates)]

    def active(self, rule: LoadedRule, at: date | None) -> bool:
        if at is None:
            return True
        for p in ex.params(rule.condition):
            param = self.book.parameters.get(p.name)
            v = param.at(at) if param else None
            if v is None or v.value is None:
                return False
        return True

    def conditions(self) -> None:
        for rule in self.book.rules:
            dates = [d for d in self.dates_for([rule]) if self.active(rule, d)]
            if not dates:
                continue  # never in force: reported by never_in_force()
            tree = _nnf(rule.condition)
            terms = _dnf(tree)
            if terms is None:
                continue
            conflicts = []
            for at in dates:
                res = _Resolver(self.book, at)
                found = [conflict_of(t, res) for t in terms]
                conflicts.append((at, found))
            always = [c for c in conflicts if all(x is not None for x in c[1])]
            if len(always) == len(conflicts):
                first = next(x for x in conflicts[0][1] if x is not None)
                many = " (none of its alternatives can be true; the first:" if len(terms) > 1 else ""
                text = first.describe() + (")" if many else "")
                self.emit(rule.at(first.col), "error", "impossible-condition",
                          f"rule {rule.id}: the condition can never be true:{many} {text}")
                continue
            if always:
                at, found = always[0]
                first = next(x for x in found if x is not None)
                self.emit(rule.at(first.col), "warning", "impossible-condition",
                          f"rule {rule.id}: with the parameter values in force from {at}, the condition can "
                          f"never be true: {first.describe()}")
                continue
            self.dead_alternatives(rule, dates)

    def dead_alternatives(self, rule: LoadedRule, dates: list[date | None]) -> None:
        for node in _ors(rule.condition):
            for item in node.items:
                terms = _dnf(_nnf(item))
                if not terms:
                    continue
                found: Conflict | None = None
                for at in dates:
                    res = _Resolver(self.book, at)
                    here = [conflict_of(t, res) for t in terms]
                    if any(x is None for x in here):
                        found = None
                        break
                    found = found or here[0]
                if found is not None:
                    self.emit(rule.at(found.col), "warning", "impossible-alternative",
                              f"rule {rule.id}: this alternative of an 'or' can never be true: {found.describe()}")

    # -- shadowing and repeats -----------------------------------------------------------------
    def implies(self, a: LoadedRule, b: LoadedRule) -> bool:
        """Whenever ``a``'s condition is true, ``b``'s is true too (on every date ``a`` applies)."""
        ga, gb = _groups(a.condition), _groups(b.condition)
        if not set(gb) <= set(ga):
            return False
        dates = [d for d in self.dates_for([a, b]) if self.active(a, d)]
        if not dates:
            return False
        for at in dates:
            if not self.active(b, at):
                return False
            res = _Resolver(self.book, at)
            for fact, b_expr in gb.items():
                # a ⇒ b  iff  a ∧ ¬b can never be true
                terms = _dnf(("and", [_nnf(ga[fact]), _nnf(b_expr, negated=True)]))
                if terms is None or any(conflict_of(t, res) is None for t in terms):
                    return False
        return True

    def shadowing(self) -> None:
        """Rules whose verdict or band can never decide, and exact repeats. Only rules that could
        interact are compared (same jurisdiction, theory or conclusion), so this stays close to
        linear on large rulebooks."""
        rank = {"mandatory": 3, "voluntary": 2, "not_required": 1}
        bands = {"high": 3, "medium": 2, "low": 1}
        by_jurisdiction: dict[Any, list[LoadedRule]] = {}
        by_theory: dict[Any, list[LoadedRule]] = {}
        by_conclusion: dict[str, list[LoadedRule]] = {}
        for r in self.in_file_order:
            if r.spec.verdict:
                by_jurisdiction.setdefault(r.spec.jurisdiction, []).append(r)
            if r.spec.risk:
                by_theory.setdefault(r.spec.theory, []).append(r)
            by_conclusion.setdefault(repr(_conclusion(r)), []).append(r)
        for group in by_jurisdiction.values():
            for a in group:
                for b in group:
                    sa, sb = a.spec, b.spec
                    assert sa.verdict is not None and sb.verdict is not None
                    if a is not b and rank[sb.verdict.filing] > rank[sa.verdict.filing] and self.implies(a, b):
                        self.emit(self.rule_at(a, "verdict"), "warning", "shadowed-rule",
                                  f"rule {a.id}: its verdict ({sa.verdict.filing.replace('_', ' ')}) can never "
                                  f"decide the {sa.jurisdiction} filing: whenever its condition holds, so does "
                                  f"{b.id}'s, whose verdict ({sb.verdict.filing}) takes precedence")
        for group in by_theory.values():
            for a in group:
                for b in group:
                    sa, sb = a.spec, b.spec
                    assert sa.risk is not None and sb.risk is not None
                    if a is not b and bands[sb.risk.band] > bands[sa.risk.band] and self.implies(a, b):
                        self.emit(self.rule_at(a, "risk"), "warning", "shadowed-rule",
                                  f"rule {a.id}: its {sa.risk.band} band can never decide the {sa.theory} theory: "
                                  f"whenever its condition holds, so does {b.id}'s, which raises it to {sb.risk.band}")
        for group in by_conclusion.values():
            for a, b in itertools.combinations(group, 2):
                # Only exact repeats: a narrower rule with the same conclusion still gives its own reason.
                # Rules in force on dates that never meet state the law of different periods.
                if _spans_meet(a, b) and self.implies(b, a) and self.implies(a, b):
                    self.emit(self.rule_at(b, "when"), "warning", "redundant-rule",
                              f"rule {b.id} repeats rule {a.id}: whenever either condition holds so does the other, "
                              "and they conclude the same")

    # -- reason templates ----------------------------------------------------------------------
    def templates(self) -> None:
        for rule in self.book.rules:
            texts = [("reason", rule.spec.reason)]
            if rule.spec.derive:
                texts += [(f"derive.fields.{k}", v) for k, v in rule.spec.derive.fields.items() if isinstance(v, str)]
            if rule.spec.exposure:
                texts += [(f"exposure.consequences.{k}", v) for k, v in enumerate(rule.spec.exposure.consequences)]
            for where, text in texts:
                try:
                    names = placeholders(text)
                except ValueError:
                    continue  # reported by the loader
                for name in names:
                    if not name.startswith("param."):
                        continue
                    pname = name[len("param."):]
                    if pname not in self.book.parameters:
                        self.emit(self.rule_at(rule, *where.split(".")), "error", "unknown-parameter",
                                  f"rule {rule.id}: {where}: {{{name}}} names no parameter"
                                  f"{did_you_mean(pname, self.book.parameters)}")

    def never_in_force(self) -> None:
        for rule in self.book.rules:
            names = [p.name for p in ex.params(rule.condition)]
            if not names:
                continue
            dates = self.dates_for([rule])
            if any(self.active(rule, d) for d in dates):
                continue
            nulls = [n for n in dict.fromkeys(names) if all(v.value is None for v in self.book.parameters[n].values)]
            why = (f"parameter {', '.join(nulls)} has no confirmed value" if nulls
                   else f"parameters {', '.join(dict.fromkeys(names))} are never in force on the same date")
            self.emit(self.rule_at(rule, "when"), "warning", "never-in-force",
                      f"rule {rule.id} can never apply: {why}")

    # -- tests ---------------------------------------------------------------------------------
    def tests(self) -> None:
        for rule in self.book.rules:
            expects = {t.expect for t in rule.spec.tests}
            missing = [e.replace("_", " ") for e in ("fires", "does_not_fire") if e not in expects]
            if missing:
                self.emit(rule.location, "info", "untested-rule",
                          f"rule {rule.id} has no test where it {' and none where it '.join(missing)}")

    # -- fan-out -------------------------------------------------------------------------------
    def fanout(self) -> None:
        from antitrust.compiler import (
            FANOUT_LIMIT,
            MAX_FACT_KINDS,
            compile_rulebook,
            hash_collisions,
            property_names,
        )
        from antitrust.errors import RulebookError

        contribution: dict[str, dict[str, int]] = {}
        names: set[str] = set()
        for rule in self.book.rules:
            dates = [d for d in self.dates_for([rule]) if self.active(rule, d)]
            if not dates or any(p.name in self.missing_fx for p in ex.params(rule.condition)):
                continue
            at = dates[-1] or self.today
            try:
                compiled = compile_rulebook(replace(self.book, rules=(rule,)), at)
            except RulebookError as exc:
                self.emit(exc.location, "error", "compile", exc.message)
                continue
            contribution[rule.id] = dict(compiled.fanout)
            names |= property_names(compiled.definition)
        for first, second in hash_collisions(names):
            self.emit(self.in_file_order[0].location, "info", "hash-collision",
                      f"field names {first!r} and {second!r} have the same 32-bit hash in the engine, which finds "
                      f"fields by that hash alone; {second!r} goes into the engine under a name of its own, so each "
                      "keeps its value")
        all_dates = sorted({d for d in self.dates_for(self.book.rules) if d is not None} | {self.today})
        worst: dict[str, tuple[int, date]] = {}
        too_many = False
        counts: dict[str, set[int]] = {}
        for at in all_dates:
            totals: dict[str, int] = {}
            for rule in self.book.rules:
                if rule.id in contribution and self.active(rule, at):
                    for fact, n in contribution[rule.id].items():
                        totals[fact] = totals.get(fact, 0) + n
            if len(totals) > MAX_FACT_KINDS and not too_many:
                too_many = True
                self.emit(self.in_file_order[0].location, "error", "fact-kinds",
                          f"the rules match {len(totals)} kinds of fact (base and derived); the engine takes "
                          f"at most {MAX_FACT_KINDS} in one rulebook (it hangs from 510 on). Merge derived facts "
                          "that differ only in name into one with a field, or split the rulebook")
            for fact, n in totals.items():
                counts.setdefault(fact, set()).add(n)
                if n > worst.get(fact, (-1, at))[0]:
                    worst[fact] = (n, at)
        for fact, (n, at) in sorted(worst.items()):
            if n <= FANOUT_LIMIT * FANOUT_WARN_SHARE:
                continue
            running = 0
            culprit = self.in_file_order[-1]
            for rule in self.in_file_order:
                if rule.id in contribution and self.active(rule, at):
                    running += contribution[rule.id].get(fact, 0)
                    culprit = rule
                    if running > FANOUT_LIMIT:
                        break
            when = f" (with the parameters in force from {at})" if len(counts[fact]) > 1 else ""
            if n > FANOUT_LIMIT:
                self.emit(culprit.location, "error", "fanout",
                          f"{n} compiled rules match facts of kind {fact!r}{when}; the engine lets one fact "
                          f"match at most 64 rules (kept here: {FANOUT_LIMIT}). Rule {culprit.id} passes the limit: "
                          "move shared conditions into a derived fact, or split the rulebook")
            else:
                self.emit(culprit.location, "warning", "fanout",
                          f"{n} compiled rules match facts of kind {fact!r}{when}, close to the limit of "
                          f"{FANOUT_LIMIT}; consider moving shared conditions into a derived fact")


def _ors(e: ex.Expr) -> list[ex.Or]:
    if isinstance(e, ex.Or):
        return [e, *(o for i in e.items for o in _ors(i))]
    if isinstance(e, ex.And):
        return [o for i in e.items for o in _ors(i)]
    if isinstance(e, ex.Not):
        return _ors(e.item)
    return []


def _groups(e: ex.Expr) -> dict[str, ex.Expr]:
    """The condition split by kind of fact, as the compiler matches it (one fact per kind)."""
    parts: dict[str, list[ex.Expr]] = {}
    items = [c for c in (e.items if isinstance(e, ex.And) else (e,))]
    flat: list[ex.Expr] = []
    while items:
        c = items.pop(0)
        if isinstance(c, ex.And):
            items = list(c.items) + items
        else:
            flat.append(c)
    for c in flat:
        facts = {r.fact for r in ex.refs(c)}
        if len(facts) != 1:
            return {}
        parts.setdefault(facts.pop(), []).append(c)
    return {k: (v[0] if len(v) == 1 else ex.And(tuple(v))) for k, v in parts.items()}


def _conclusion(rule: LoadedRule) -> tuple[Any, ...]:
    s = rule.spec
    return (s.jurisdiction, s.theory, s.verdict, s.reach, s.exposure, s.risk, s.derive)


def _spans_meet(a: Any, b: Any) -> bool:
    """Whether two rules' ``in_force`` spans share a day (a rule without one is always in force)."""
    sa, sb = a.spec.in_force, b.spec.in_force
    if sa is None or sb is None:
        return True
    starts = [d for d in (sa.from_, sb.from_) if d is not None]
    ends = [d for d in (sa.until, sb.until) if d is not None]
    return not starts or not ends or max(starts) <= min(ends)
