"""The session state of a ruleset is deleted after an evaluation, or, when the caller says the
next evaluation uses the same ruleset, emptied and kept for it: reusing it must give exactly what
a new state gives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from antitrust import engine
from antitrust.deal import Deal
from antitrust.engine import Session, live_states
from antitrust.errors import EngineError
from antitrust.evaluate import Evaluation, clear_cache, compiled_for, evaluate
from antitrust.loading import load_deal
from antitrust.rulebook import Rulebook

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "cases").glob("*.yaml"))
TODAY = date(2026, 11, 23)


def _dump(ev: Evaluation) -> list[Any]:
    return [[f.rule_id, f.status, {a: x["id"] for a, x in f.bound.items()}, f.derived_inputs, f.derived_id]
            for f in ev.firings] + [[k, r.name, r.status, r.fields, r.firings] for k, r in ev.derived.items()]


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def test_every_case_leaves_the_state_empty_and_gives_what_a_new_state_gives(
        rulebook: Rulebook, fresh_cache: None) -> None:
    deals = [load_deal(path) for path in CASES]
    kept = []
    for deal in deals:
        for _ in range(3):  # each deal three times in a row: the second and third reuse the state
            ev = evaluate(deal, rulebook, today=TODAY, next_same=True)
            assert compiled_for(rulebook, ev.as_of)[1].held_facts() == []
            kept.append(_dump(ev))
    assert live_states()
    clear_cache()
    new = []
    for deal in deals:
        ev = evaluate(deal, rulebook, today=TODAY)  # a new state, deleted after
        assert live_states() == [] and compiled_for(rulebook, ev.as_of)[1].held_facts() == []
        new += [_dump(ev)] * 3
    assert kept == new


def test_only_the_last_rulesets_used_keep_their_state(rulebook: Rulebook, fresh_cache: None) -> None:
    deal = load_deal(ROOT / "cases" / "meta-scale-ai.yaml")
    # One deal under the law of many dates: one ruleset per parameter epoch.
    days = [date(year, 7, 1) for year in range(2005, 2027)]
    sessions: list[Session] = []
    for day in days:
        evaluate(deal, rulebook, as_of=day, today=TODAY, next_same=True)
        session = compiled_for(rulebook, day)[1]
        if session not in sessions:
            sessions.append(session)
    assert len(sessions) > engine.LIVE_STATES
    assert live_states() == [s.name for s in sessions[-engine.LIVE_STATES:]]
    # An evicted ruleset gets a new state, and gives the same result.
    first = evaluate(deal, rulebook, as_of=days[0], today=TODAY, next_same=True)
    assert live_states()[-1] == sessions[0].name
    clear_cache()
    assert _dump(first) == _dump(evaluate(deal, rulebook, as_of=days[0], today=TODAY))


def test_a_failed_evaluation_deletes_its_state(fresh_cache: None) -> None:
    session = Session({"r": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"v": 0}}]}}]}}, "states")
    facts = [{"t": "x", "id": "f1", "v": 1}]
    try:
        def fail(_name: str, _bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            raise ValueError("broken action")

        with pytest.raises(EngineError, match="broken action"):
            session.run(facts, fail, keep=True)
        assert session.name not in live_states() and session.held_facts() == []
        fired: list[str] = []
        session.run(facts, lambda name, bound: fired.append(bound["m"]["id"]) or [], keep=True)
        assert fired == ["f1"] and session.name in live_states() and session.held_facts() == []
    finally:
        session.close()
    assert session.name not in live_states()


def test_derived_facts_are_retracted_with_the_input(fresh_cache: None) -> None:
    session = Session({"derive": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"v": 0}}]}}]},
                       "chain": {"all": [{"d": {"t": "y"}}]}}, "states")
    seen: list[str] = []

    def on_fire(name: str, bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(name)
        return [{"t": "y", "id": "d0", "status": "yes"}] if name == "derive" else []

    try:
        for _ in range(3):
            session.run([{"t": "x", "id": "f1", "v": 1}], on_fire, keep=True)
            assert session.held_facts() == []
        assert seen == ["derive", "chain"] * 3
    finally:
        session.close()


def test_a_deal_after_a_kept_state_is_not_mistaken_for_a_duplicate(rulebook: Rulebook, fresh_cache: None) -> None:
    # The same deal twice in a row: its facts are identical to those just retracted.
    deal = Deal.model_validate({
        "schema_version": 1, "id": "n", "title": "n",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"]},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 60, "voting_after": 60, "share_class": "voting"}],
    })
    runs = [_dump(evaluate(deal, rulebook, as_of=date(2025, 6, 13), today=TODAY, next_same=True)) for _ in range(3)]
    assert runs[0] and runs[0] == runs[1] == runs[2]
