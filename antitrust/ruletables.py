"""What verdicts and bands read of each rule, looked up once per compiled ruleset, not per deal.

Screening reads every regime's verdict and every theory's band of each deal; each of them used to
walk the compiled rules (or the rulebook's parameters) again. These tables hold the same answers,
keyed by the compiled ruleset's name (which names its rulebook and parameter epoch), or by the
rulebook's content hash for what depends on the rulebook alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from antitrust.lawperiods import period_start

if TYPE_CHECKING:
    from antitrust.compiler import CompiledRulebook
    from antitrust.rulebook import Rulebook
    from antitrust.rulespec import Risk, Verdict

_lock = threading.Lock()
#: compiled name -> rule id -> (jurisdiction, verdict), for the rules that give a verdict.
_verdicts: dict[str, dict[str, tuple[str | None, Verdict]]] = {}
#: compiled name -> rule id -> (theory, risk), for the rules that give a band.
_bands: dict[str, dict[str, tuple[str | None, Risk]]] = {}
#: compiled name -> theories with a rule in force, in declaration order.
_theories: dict[str, list[str]] = {}
#: rulebook hash -> regimes some rule belongs to, in declaration order.
_regimes: dict[str, list[str]] = {}
#: (rulebook hash, regime, first day of a period of its law) -> whether the rulebook models the
#: regime's filing law in that period (see :mod:`antitrust.lawperiods`).
_modelled: dict[tuple[str, str, date], bool] = {}
_MAX = 100_000  # entries per table before it starts again (a long-running service may load many rulebooks)


def _put(table: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
    with _lock:
        if len(table) >= _MAX:
            table.clear()
        table[key] = value


def verdict_rules(compiled: CompiledRulebook) -> dict[str, tuple[str | None, Verdict]]:
    return _per_rule(_verdicts, compiled, lambda spec: (spec.jurisdiction, spec.verdict) if spec.verdict else None)


def band_rules(compiled: CompiledRulebook) -> dict[str, tuple[str | None, Risk]]:
    return _per_rule(_bands, compiled, lambda spec: (spec.theory, spec.risk) if spec.risk else None)


def _per_rule(table: dict[str, dict[str, Any]], compiled: CompiledRulebook,
              pick: Callable[[Any], Any]) -> dict[str, Any]:
    """``{rule id: pick(spec)}`` for the rules where ``pick`` gives something, once per ruleset."""
    found = table.get(compiled.name)
    if found is None:
        found = {rule_id: got for rule_id, c in compiled.rules.items() if (got := pick(c.rule.spec)) is not None}
        _put(table, compiled.name, found)
    return found


def active_theories(compiled: CompiledRulebook) -> list[str]:
    found = _theories.get(compiled.name)
    if found is None:
        active = {r.rule.spec.theory for r in compiled.rules.values()} - {None}
        found = [t for t in compiled.rulebook.theories if t in active]
        _put(_theories, compiled.name, found)
    return list(found)


def regimes(book: Rulebook) -> list[str]:
    found = _regimes.get(book.content_hash)
    if found is None:
        used = {r.spec.jurisdiction for r in book.rules} - {None}
        found = [code for code in book.regimes if code in used]
        _put(_regimes, book.content_hash, found)
    return list(found)


def modelled_on(book: Rulebook, code: str, when: date) -> bool:
    key = (book.content_hash, code, period_start(book, when))
    found = _modelled.get(key)
    if found is None:
        found = book.regime(code).modelled_on(when, book.parameters)
        _put(_modelled, key, found)
    return found


def clear() -> None:
    with _lock:
        for table in (_verdicts, _bands, _theories, _regimes, _modelled):
            table.clear()
