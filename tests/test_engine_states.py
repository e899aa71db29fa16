"""Every evaluation runs in a new session state of its ruleset and deletes it when done. A state is
never emptied by retraction for reuse: the engine's ``retract_facts`` walks past a frame's message
table (``benchmarks/memcheck.py``), so the adapter must not call it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pytest

from antitrust import engine, screening
from antitrust.deal import Deal
from antitrust.engine import Session
from antitrust.errors import EngineError
from antitrust.evaluate import Evaluation, clear_cache, compiled_for, evaluate
from antitrust.loading import load_deal
from antitrust.rulebook import Rulebook
from antitrust.screen_inputs import Item
from antitrust.screening import init_worker, screen_items
from antitrust.yamlio import load

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


@pytest.fixture
def no_retraction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call to the engine's retraction fails the test."""
    def refuse(*_args: Any) -> NoReturn:
        raise AssertionError("the engine adapter called a retraction")

    for name in ("retract_fact", "retract_facts"):
        monkeypatch.setattr(engine._dre, name, refuse)


def test_every_case_leaves_no_state_and_gives_the_same_result_each_time(
        rulebook: Rulebook, fresh_cache: None, no_retraction: None) -> None:
    for path in CASES:
        deal = load_deal(path)
        runs = []
        for _ in range(3):  # the same deal three times in a row, each in a new state
            ev = evaluate(deal, rulebook, today=TODAY)
            assert compiled_for(rulebook, ev.as_of)[1].held_facts() == []
            runs.append(_dump(ev))
        assert runs[0] and runs[0] == runs[1] == runs[2], path.name


def test_a_screen_never_retracts(fresh_cache: None, no_retraction: None) -> None:
    lines = [json.dumps(load(path, cache=False).data) for path in CASES[:4]] * 2
    init_worker(str(ROOT / "rules"), None, TODAY, quiet_interrupts=False, own_process=False)
    assert screening._worker is not None
    records = screen_items([Item("chunk.jsonl", i + 1, "json", line) for i, line in enumerate(lines)],
                           screening._worker)
    assert [summary[0] for _line, summary in records] == ["ok"] * len(lines)


def test_a_failed_evaluation_deletes_its_state(fresh_cache: None, no_retraction: None) -> None:
    session = Session({"r": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"v": 0}}]}}]}}, "states")
    facts = [{"t": "x", "id": "f1", "v": 1}]
    try:
        def fail(_name: str, _bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            raise ValueError("broken action")

        with pytest.raises(EngineError, match="broken action"):
            session.run(facts, fail)
        assert session.held_facts() == []
        fired: list[str] = []
        session.run(facts, lambda name, bound: fired.append(bound["m"]["id"]) or [])
        assert fired == ["f1"] and session.held_facts() == []
    finally:
        session.close()


def test_derived_facts_go_with_the_state(fresh_cache: None, no_retraction: None) -> None:
    session = Session({"derive": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"v": 0}}]}}]},
                       "chain": {"all": [{"d": {"t": "y"}}]}}, "states")
    seen: list[str] = []

    def on_fire(name: str, bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        seen.append(name)
        return [{"t": "y", "id": "d0", "status": "yes"}] if name == "derive" else []

    try:
        for _ in range(3):
            session.run([{"t": "x", "id": "f1", "v": 1}], on_fire)
            assert session.held_facts() == []
        assert seen == ["derive", "chain"] * 3
    finally:
        session.close()


def test_a_deal_after_the_same_deal_is_not_mistaken_for_a_duplicate(rulebook: Rulebook, fresh_cache: None) -> None:
    # The same deal twice in a row: its facts are identical to those of the state just deleted.
    deal = Deal.model_validate({
        "schema_version": 1, "id": "n", "title": "n",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"]},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 60, "voting_after": 60, "share_class": "voting"}],
    })
    runs = [_dump(evaluate(deal, rulebook, as_of=date(2025, 6, 13), today=TODAY)) for _ in range(3)]
    assert runs[0] and runs[0] == runs[1] == runs[2]
