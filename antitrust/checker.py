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

import contextlib
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from antitrust import expr as ex
from antitrust.coverage import fraction_checks, regime_checks
from antitrust.errors import InputError, InputErrors, Location
from antitrust.params import Parameter
from antitrust.rulebook import LoadedRule, Rulebook, load_rulebook, placeholders
from antitrust.validation import did_you_mean
from antitrust.vocabulary import FACT_TYPES, FieldSpec
from antitrust.yamlio import Document, load

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
#: Share of the engine's fan-out limit above which a kind of fact gets a warning.
FANOUT_WARN_SHARE = 0.8
_MONEY = {"EUR", "USD", "GBP"}
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
        book = load_rulebook(paths)
    except (InputError, InputErrors) as exc:
        errors = exc.errors if isinstance(exc, InputErrors) else [exc]
        return CheckResult([Diagnostic(e.location, "error", load_code(e.message), e.message) for e in errors])
    checker = _Checker(book, today or date.today())
    checker.run()
    return CheckResult(sorted(checker.out, key=_sort_key), book)


def _sort_key(d: Diagnostic) -> tuple[Any, ...]:
    return (d.location.path, d.location.line, d.location.col, SEVERITIES.index(d.severity), d.message)


# -- literals: a condition in negation normal form -------------------------------------------------
@dataclass(frozen=True)
class Lit:
    """One comparison after pushing ``not`` inwards: ``fact.field op value``."""

    fact: str
    field: str | None  # None: the derived fact itself holds (op "holds") or not ("absent")
    op: str  # == != < <= > >= in notin holds absent
    value: Any  # a constant, a tuple for in/notin, or a Param to resolve
    text: str
    col: int


_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<", "in": "notin", "notin": "in",
           "holds": "absent", "absent": "holds"}


def _nnf(e: ex.Expr, negated: bool = False) -> Any:
    """("and"|"or", [...]) trees whose leaves are :class:`Lit`, with every ``not`` pushed inwards."""
    if isinstance(e, ex.Not):
        return _nnf(e.item, not negated)
    if isinstance(e, ex.And | ex.Or):
        kind = "and" if isinstance(e, ex.And) != negated else "or"
        return (kind, [_nnf(i, negated) for i in e.items])
    if isinstance(e, ex.Exists):
        ref = e.ref
        text = f"not {e}" if negated else str(e)
        if ref.field is None:
            return Lit(ref.fact, None, "absent" if negated else "holds", True, text, ref.col)
        return Lit(ref.fact, ref.field, "==", not negated, text, ref.col)
    op = _NEGATE[e.op] if negated else e.op
    value = e.right if isinstance(e.right, ex.Param) else e.right.value
    text = f"not ({e})" if negated else str(e)
    return Lit(e.left.fact, e.left.field, op, value, text, e.col)


_MAX_TERMS = 512


def _dnf(tree: Any) -> list[list[Lit]] | None:
    """Disjunctive normal form (None when it would grow too large to be worth it)."""
    if isinstance(tree, Lit):
        return [[tree]]
    kind, items = tree
    parts = [_dnf(i) for i in items]
    if any(p is None for p in parts):
        return None
    if kind == "or":
        out = [t for p in parts for t in p]  # type: ignore[union-attr]
        return out if len(out) <= _MAX_TERMS else None
    terms: list[list[Lit]] = [[]]
    for p in parts:
        assert p is not None
        if len(terms) * len(p) > _MAX_TERMS:
            return None
        terms = [a + b for a in terms for b in p]
    return terms


@dataclass
class _Bounds:
    lo: float = -math.inf
    lo_open: bool = False
    hi: float = math.inf
    hi_open: bool = False
    lo_by: Lit | None = None
    hi_by: Lit | None = None
    excluded: dict[float, Lit] = field(default_factory=dict)

    def lower(self, v: float, strict: bool, by: Lit) -> None:
        if v > self.lo or (v == self.lo and strict and not self.lo_open):
            self.lo, self.lo_open, self.lo_by = v, strict, by

    def upper(self, v: float, strict: bool, by: Lit) -> None:
        if v < self.hi or (v == self.hi and strict and not self.hi_open):
            self.hi, self.hi_open, self.hi_by = v, strict, by

    def conflict(self) -> tuple[Lit | None, Lit | None] | None:
        if self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open)):
            return self.lo_by, self.hi_by
        if self.lo == self.hi and self.lo in self.excluded:
            return self.lo_by or self.hi_by, self.excluded[self.lo]
        return None


def _domain(spec: FieldSpec) -> tuple[float, float, str]:
    """The values a numeric field can take, and how to say so."""
    if spec.unit == "percent":
        return 0.0, 100.0, "a percentage lies between 0 and 100"
    if spec.unit == "hhi":
        return 0.0, 10000.0, "an HHI lies between 0 and 10,000"
    if spec.unit in _MONEY or spec.unit == "count":
        return 0.0, math.inf, "an amount or a count is never negative"
    return -math.inf, math.inf, ""


@dataclass(frozen=True)
class Conflict:
    """Why a conjunction of literals can never be true."""

    lits: tuple[Lit, ...]
    why: str

    def describe(self) -> str:
        if len(self.lits) == 1:
            return f"{self.lits[0].text} can never hold ({self.why})" if self.why else f"{self.lits[0].text} can never hold"
        texts = " and ".join(dict.fromkeys(lit.text for lit in self.lits))
        return f"{texts} cannot both hold" + (f" ({self.why})" if self.why else "")

    @property
    def col(self) -> int:
        return max(lit.col for lit in self.lits)


class _Resolver:
    """Field kinds, and parameter values (converted to the field's currency) on one date."""

    def __init__(self, book: Rulebook, at: date | None) -> None:
        self.book = book
        self.at = at
        self._rates: Any = None

    def spec(self, fact: str, name: str | None) -> FieldSpec:
        if name is None:
            return FieldSpec("bool")
        if fact in FACT_TYPES:
            return FACT_TYPES[fact][name]
        return self.book.derived[fact].fields[name]

    def value(self, lit: Lit, spec: FieldSpec) -> Any:
        """The constant a literal compares with; None when it cannot be known statically."""
        if not isinstance(lit.value, ex.Param):
            return lit.value
        p = self.book.parameters.get(lit.value.name)
        if p is None or self.at is None:
            return None
        v = p.at(self.at)
        if v is None or v.value is None:
            return None
        if spec.unit in _MONEY and p.unit != spec.unit:
            if self._rates is None:
                from antitrust.compiler import rate_table

                self._rates = rate_table(self.book.parameters, self.at)
            src, dst = self._rates.rate(p.unit), self._rates.rate(spec.unit)
            if src is None or dst is None:
                return None
            return v.value / src[0] * dst[0]
        return v.value


def conflict_of(term: list[Lit], res: _Resolver) -> Conflict | None:
    """Why ``term`` (literals joined by 'and', all about one fact per kind) can never be true."""
    groups: dict[tuple[str, str | None], list[Lit]] = {}
    for lit in term:
        groups.setdefault((lit.fact, lit.field), []).append(lit)
    for (fact, name), lits in groups.items():
        spec = res.spec(fact, name)
        found = (_numeric_conflict(lits, spec, res) if spec.kind == "number" and fact in FACT_TYPES
                 else _set_conflict(lits, spec, res))
        if found is not None:
            return found
    return None


def _numeric_conflict(lits: list[Lit], spec: FieldSpec, res: _Resolver) -> Conflict | None:
    lo, hi, why = _domain(spec)
    b = _Bounds(lo=lo, hi=hi)  # the field's own range: a percentage is 0 to 100
    for lit in lits:
        v = res.value(lit, spec)
        if v is None or isinstance(v, bool) or not isinstance(v, int | float):
            continue
        v = float(v)
        if lit.op in {">", ">="}:
            b.lower(v, lit.op == ">", lit)
        elif lit.op in {"<", "<="}:
            b.upper(v, lit.op == "<", lit)
        elif lit.op == "==":
            b.lower(v, False, lit)
            b.upper(v, False, lit)
        elif lit.op == "!=":
            b.excluded.setdefault(v, lit)
        found = b.conflict()
        if found is not None:
            culprits = tuple(dict.fromkeys(x for x in found if x is not None))
            # A bound that is still the field's own range means the field's range is to blame.
            return Conflict(culprits, why if None in found else "")
    return None


def _set_conflict(lits: list[Lit], spec: FieldSpec, res: _Resolver) -> Conflict | None:
    if spec.kind == "bool":
        domain: frozenset[Any] | None = frozenset({True, False})
    elif spec.kind == "category":
        domain = frozenset(spec.values)
    else:
        domain = None  # names and derived text: any value
    allowed = domain
    excluded: set[Any] = set()
    used: list[Lit] = []
    holds: Lit | None = None
    for lit in lits:
        if lit.op in {"holds", "absent"}:
            if holds is not None and holds.op != lit.op:
                return Conflict((holds, lit), "")
            holds = lit
            continue
        v = res.value(lit, spec)
        if v is None:
            continue
        values = frozenset(v) if isinstance(v, tuple) else frozenset({v})
        used.append(lit)
        if lit.op in {"==", "in"}:
            allowed = values if allowed is None else allowed & values
        elif lit.op in {"!=", "notin"}:
            excluded |= values
        if allowed is not None and not (allowed - excluded):
            return Conflict(tuple(used), "")
    return None


# -- the checker ------------------------------------------------------------------------------------
class _Checker:
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
        for component in _strongly_connected(edges):
            cycle = _cycle_in(component, edges)
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
            if p is None:
                continue
            for v in p.values:
                dates.add(v.from_)
                if v.until is not None:
                    dates.add(v.until + timedelta(days=1))
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
        rank = {"mandatory": 3, "voluntary": 2, "not_required": 1}
        bands = {"high": 3, "medium": 2, "low": 1}
        rules = self.in_file_order
        for a in rules:
            sa = a.spec
            for b in rules:
                if a is b:
                    continue
                sb = b.spec
                if (sa.verdict and sb.verdict and sa.jurisdiction == sb.jurisdiction
                        and rank[sb.verdict.filing] > rank[sa.verdict.filing] and self.implies(a, b)):
                    self.emit(self.rule_at(a, "verdict"), "warning", "shadowed-rule",
                              f"rule {a.id}: its verdict ({sa.verdict.filing.replace('_', ' ')}) can never decide "
                              f"the {sa.jurisdiction} filing: whenever its condition holds, so does {b.id}'s, "
                              f"whose verdict ({sb.verdict.filing}) takes precedence")
                if (sa.risk and sb.risk and sa.theory == sb.theory
                        and bands[sb.risk.band] > bands[sa.risk.band] and self.implies(a, b)):
                    self.emit(self.rule_at(a, "risk"), "warning", "shadowed-rule",
                              f"rule {a.id}: its {sa.risk.band} band can never decide the {sa.theory} theory: "
                              f"whenever its condition holds, so does {b.id}'s, which raises it to {sb.risk.band}")
        for a, b in itertools.combinations(rules, 2):
            # Only exact repeats: a narrower rule with the same conclusion still gives its own reason.
            if _conclusion(a) == _conclusion(b) and self.implies(b, a) and self.implies(a, b):
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

    # -- parameters ----------------------------------------------------------------------------
    def parameters(self) -> None:
        used = {p.name for r in self.book.rules for p in ex.params(r.condition)}
        for r in self.book.rules:
            with contextlib.suppress(ValueError):
                used |= {n[len("param."):] for n in placeholders(r.spec.reason) if n.startswith("param.")}
            if r.spec.reach is not None and r.spec.reach.window is not None:
                used.add(r.spec.reach.window.param)
            for text in r.spec.exposure.consequences if r.spec.exposure is not None else []:
                with contextlib.suppress(ValueError):
                    used |= {n[len("param."):] for n in placeholders(text) if n.startswith("param.")}
        fields_of: dict[str, set[str | None]] = {}
        for r in self.book.rules:
            for a in ex.atoms(r.condition):
                if isinstance(a, ex.Compare) and isinstance(a.right, ex.Param):
                    fields_of.setdefault(a.right.name, set()).add(_unit_of(a.left, self.book))
        for name, p in sorted(self.book.parameters.items()):
            self.value_ranges(name, p)
            self.value_fit(name, p)
            self.citations(name, p)
            if p.review_by is not None and p.review_by < self.today:
                self.emit(self.param_at(name, "review_by"), "warning", "stale-parameter",
                          f"parameter {name} was due for review by {p.review_by.isoformat()}; check the value "
                          "is still current and move review_by on")
            if name not in used and not name.startswith("fx."):
                self.emit(self.param_at(name, "name"), "info", "unused-parameter",
                          f"parameter {name} is not used by any rule")
            for unit in sorted(u for u in fields_of.get(name, set()) if u):
                self.exchange_rate(name, p, unit)

    def value_ranges(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            nxt = p.values[j + 1] if j + 1 < len(p.values) else None
            if v.until is None:
                continue
            where = self.param_at(name, "values", j, "until")
            if v.until < v.from_:
                self.emit(where, "error", "parameter-dates",
                          f"parameter {name}: value from {v.from_} ends on {v.until}, before it starts")
            elif nxt is not None and v.until >= nxt.from_:
                self.emit(where, "error", "parameter-overlap",
                          f"parameter {name}: value from {v.from_} runs until {v.until}, past the start of the "
                          f"next value ({nxt.from_}); which one applies in between is ambiguous")
            elif nxt is not None and v.until + timedelta(days=1) < nxt.from_:
                self.emit(where, "warning", "parameter-gap",
                          f"parameter {name}: no value is in force from {v.until + timedelta(days=1)} to "
                          f"{nxt.from_ - timedelta(days=1)}; rules that use it do not apply then "
                          "(if the law had no such threshold then, say so in a note)")

    def value_fit(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            where = self.param_at(name, "values", j, "value")
            if v.value is None:
                if v.status != "unverified":
                    self.emit(where, "warning", "parameter-status",
                              f"parameter {name}: value from {v.from_} is null but marked {v.status}; an unknown "
                              "figure is 'unverified'")
                continue
            x = v.value
            problem = None
            if p.unit == "percent" and not 0 <= x <= 100:
                problem = f"{x:g} is not a percentage (0 to 100)"
            elif p.unit == "hhi" and not 0 <= x <= 10000:
                problem = f"{x:g} is not an HHI (0 to 10,000)"
            elif p.unit == "rate" and x <= 0:
                problem = f"an exchange rate must be positive, not {x:g}"
            elif x < 0:
                problem = f"a threshold in {p.unit} cannot be negative ({x:g})"
            if problem:
                self.emit(where, "error", "parameter-unit", f"parameter {name}: {problem}")
            elif p.unit in {"count", "days", "working_days", "months"} and not float(x).is_integer():
                self.emit(where, "warning", "parameter-unit",
                          f"parameter {name}: {x:g} {p.unit.replace('_', ' ')} is not a whole number")
        if name.startswith("fx.") and p.unit != "rate":
            self.emit(self.param_at(name, "unit"), "error", "parameter-unit",
                      f"parameter {name}: an exchange rate has unit 'rate', not {p.unit!r}")

    def citations(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            if _PLACEHOLDER.match(v.citation):
                self.emit(self.param_at(name, "values", j, "citation"), "error", "parameter-citation",
                          f"parameter {name}: value from {v.from_} has no real citation ({v.citation!r}); "
                          "name the provision or notice it comes from")
            if _PLACEHOLDER_URL.match(v.url):
                self.emit(self.param_at(name, "values", j, "url"), "error", "parameter-citation",
                          f"parameter {name}: value from {v.from_} has a placeholder url ({v.url})")

    def exchange_rate(self, name: str, p: Parameter, field_unit: str) -> None:
        if field_unit not in _MONEY or p.unit == field_unit or not p.is_currency:
            return
        for ccy in (p.unit, field_unit):
            if ccy != "EUR" and f"fx.{ccy.lower()}_per_eur" not in self.book.parameters:
                self.missing_fx.add(name)
                self.emit(self.param_at(name, "unit"), "error", "missing-exchange-rate",
                          f"parameter {name} is in {p.unit} but compared with amounts in {field_unit}, and there "
                          f"is no exchange rate fx.{ccy.lower()}_per_eur to convert it")
                return

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
        from antitrust.compiler import FANOUT_LIMIT, compile_rulebook
        from antitrust.errors import RulebookError

        contribution: dict[str, dict[str, int]] = {}
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
        all_dates = sorted({d for d in self.dates_for(self.book.rules) if d is not None} | {self.today})
        worst: dict[str, tuple[int, date]] = {}
        counts: dict[str, set[int]] = {}
        for at in all_dates:
            totals: dict[str, int] = {}
            for rule in self.book.rules:
                if rule.id in contribution and self.active(rule, at):
                    for fact, n in contribution[rule.id].items():
                        totals[fact] = totals.get(fact, 0) + n
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


def _unit_of(ref: ex.Ref, book: Rulebook) -> str | None:
    if ref.fact in FACT_TYPES and ref.field is not None:
        spec = FACT_TYPES[ref.fact].get(ref.field)
        return spec.unit if spec else None
    return None


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


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Components of the derivation graph that contain a cycle (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = itertools.count()

    def visit(v: str) -> None:
        index[v] = low[v] = next(counter)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def _cycle_in(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest cycle through the component's first node, as a closed path [a, b, ..., a]."""
    start = component[0]
    members = set(component)
    parent: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for w in sorted(edges.get(node, ())):
            if w == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if w in members and w not in parent and w != start:
                parent[w] = node
                queue.append(w)
    return [start, start]  # pragma: no cover - a strongly connected component always closes
