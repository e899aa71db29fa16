"""Conditions as literals: a rule's condition in negation and disjunctive normal form, and why a
conjunction of literals can never be true (bounds on numbers, sets of categories).

Used by :mod:`antitrust.checker` for impossible conditions, dead alternatives, shadowed and
repeated rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from antitrust import expr as ex
from antitrust.rulebook import Rulebook
from antitrust.vocabulary import FACT_TYPES, FieldSpec

_MONEY = {"EUR", "USD", "GBP"}


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
