"""What verdicts and bands read of each rule, looked up once per compiled ruleset, not per deal.

Screening reads every regime's verdict and every theory's band of each deal; each of them used to
walk the compiled rules (or the rulebook's parameters) again. These tables hold the same answers,
keyed by the compiled ruleset's name (which names its rulebook and parameter epoch), or by the
rulebook's content hash for what depends on the rulebook alone.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING

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
#: (rulebook hash, regime, date) -> whether the rulebook models the regime's filing law then.
_modelled: dict[tuple[str, str, date], bool] = {}
_MAX = 100_000  # entries per table before it starts again (a long-running service sees many dates)


def _put(table: dict, key: object, value: object) -> None:  # type: ignore[type-arg]
    with _lock:
        if len(table) >= _MAX:
            table.clear()
        table[key] = value


def verdict_rules(compiled: CompiledRulebook) -> dict[str, tuple[str | None, Verdict]]:
    found = _verdicts.get(compiled.name)
    if found is None:
        found = {rule_id: (c.rule.spec.jurisdiction, c.rule.spec.verdict) for rule_id, c in compiled.rules.items()
                 if c.rule.spec.verdict is not None}
        _put(_verdicts, compiled.name, found)
    return found


def band_rules(compiled: CompiledRulebook) -> dict[str, tuple[str | None, Risk]]:
    found = _bands.get(compiled.name)
    if found is None:
        found = {rule_id: (c.rule.spec.theory, c.rule.spec.risk) for rule_id, c in compiled.rules.items()
                 if c.rule.spec.risk is not None}
        _put(_bands, compiled.name, found)
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
    key = (book.content_hash, code, when)
    found = _modelled.get(key)
    if found is None:
        found = book.regime(code).modelled_on(when, book.parameters)
        _put(_modelled, key, found)
    return found


def clear() -> None:
    with _lock:
        for table in (_verdicts, _bands, _theories, _regimes, _modelled):
            table.clear()
