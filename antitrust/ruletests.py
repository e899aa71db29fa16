"""Run the tests that rules declare: small deal fragments and what each rule must do with them.

A fragment is merged over a minimal two-party deal (acquirer ``a``, target ``t``, a share
acquisition closing on 13 June 2025). Parties merge by id; other lists replace the base list.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from typing import Any

from antitrust.deal import Deal
from antitrust.errors import InputError, InputErrors, Location
from antitrust.evaluate import Evaluation, evaluate
from antitrust.rulebook import Rulebook

BASE_DEAL: dict[str, Any] = {
    "schema_version": 1,
    "id": "rule-test",
    "title": "Rule test",
    "parties": [
        {"id": "a", "name": "Acquirer", "role": "acquirer"},
        {"id": "t", "name": "Target", "role": "target"},
    ],
    "transaction": {"types": ["share_acquisition"], "closing": "2025-06-13"},
}


def merge(base: Any, fragment: Any) -> Any:
    """Deep-merge ``fragment`` over ``base`` (parties by id; other lists are replaced)."""
    if isinstance(base, dict) and isinstance(fragment, dict):
        out = dict(base)
        for key, value in fragment.items():
            if key == "parties" and isinstance(value, list) and isinstance(base.get(key), list):
                by_id = {p["id"]: p for p in base[key] if isinstance(p, dict) and "id" in p}
                merged = []
                for p in value:
                    pid = p.get("id") if isinstance(p, dict) else None
                    merged.append(merge(by_id.pop(pid), p) if pid in by_id else p)
                out[key] = list(by_id.values()) + merged
            else:
                out[key] = merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(fragment)


@dataclass(frozen=True)
class RuleTestResult:
    rule_id: str
    name: str
    expect: str
    actual: str
    location: Location
    error: str | None = None
    fired_rules: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and self.expect == self.actual


def outcome(evaluation: Evaluation, rule_id: str) -> str:
    statuses = {f.status for f in evaluation.firings_of(rule_id)}
    if "yes" in statuses:
        return "fires"
    if "maybe" in statuses:
        return "undetermined"
    return "does_not_fire"


def run_rule_tests(book: Rulebook, rule_ids: set[str] | None = None) -> list[RuleTestResult]:
    results = []
    for rule in book.rules:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        for test in rule.spec.tests:
            data = merge(BASE_DEAL, test.deal)
            try:
                deal = Deal.model_validate(data)
                ev = evaluate(deal, book, as_of=test.as_of or date(2025, 6, 13))
            except (InputError, InputErrors, ValueError) as exc:
                results.append(RuleTestResult(rule.id, test.name, test.expect, "error", rule.location,
                                              error=f"the test's deal is invalid: {exc}"))
                continue
            results.append(RuleTestResult(
                rule.id, test.name, test.expect, outcome(ev, rule.id), rule.location,
                fired_rules=tuple(sorted({f.rule_id for f in ev.firings if f.status == "yes"})),
            ))
    return results


def coverage(book: Rulebook, results: list[RuleTestResult]) -> tuple[float, list[str]]:
    """Share of rules that fired in at least one of their own or another rule's tests."""
    fired = {r for res in results for r in res.fired_rules}
    never = sorted(r.id for r in book.rules if r.id not in fired)
    total = len(book.rules)
    return (100.0 * (total - len(never)) / total if total else 100.0), never
