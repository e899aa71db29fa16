"""Each durable_rules pitfall the design depends on: shown on the raw engine where that is safe,
and shown handled by antitrust's adapter, compiler and evaluator."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from durable import engine as durable

from antitrust.deal import Deal
from antitrust.engine import Session, registered_rulesets
from antitrust.errors import EngineError
from antitrust.evaluate import clear_cache, evaluate
from antitrust.rulebook import load_rulebook


class _QuietHost(durable.Host):  # type: ignore[misc]
    def _run(self) -> None:
        pass


def _host_with(rules: dict[str, Any], name: str) -> _QuietHost:
    host = _QuietHost()
    host.register_rulesets({name: rules})
    return host


def test_comma_separated_patterns_are_a_join_of_two_facts() -> None:
    fired: list[str] = []
    host = _host_with({
        "join": {"all": [{"a": {"$and": [{"t": "x"}, {"$gt": {"v": 1}}]}},
                         {"b": {"$and": [{"t": "x"}, {"$lt": {"v": 5}}]}}],
                 "run": lambda c: fired.append("join")},
        "conj": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"v": 10}}, {"$lt": {"v": 5}}]}}],
                 "run": lambda c: fired.append("conj")},
    }, "pitfall-join")
    # Two different facts satisfy the two patterns: the join fires although no single fact has 1 < v < 5.
    host.assert_facts("pitfall-join", [{"sid": "s", "id": "a", "t": "x", "v": 10}, {"sid": "s", "id": "b", "t": "x", "v": 0}])
    assert "join" in fired and "conj" not in fired


def test_the_compiler_keeps_one_kind_of_fact_in_one_pattern(rulebook: Any) -> None:
    from antitrust.compiler import compile_rulebook

    compiled = compile_rulebook(rulebook, date(2025, 6, 13))
    # All stake conditions of DE-GWB37-CAPITAL-25 test the same fact: one pattern.
    body = compiled.definition["DE-GWB37-CAPITAL-25"]["all"]
    assert [next(iter(p)) for p in body] == ["stake"]
    # A condition over a derived fact and deal figures is a join of separate facts.
    body = compiled.definition["DE-GWB35-1A-TRANSACTION-VALUE"]["all"]
    assert [next(iter(p)) for p in body] == ["de_concentration", "world", "de", "deal"]


def test_ruleset_names_cannot_be_registered_twice() -> None:
    host = _host_with({"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}, "pitfall-dup")
    with pytest.raises(Exception, match="already registered"):
        host.register_rulesets({"pitfall-dup": {"r": {"all": [{"m": {"t": "y"}}], "run": lambda c: None}}})


def test_each_session_gets_a_fresh_ruleset_name_and_can_be_unloaded() -> None:
    definition = {"R#T": {"all": [{"stake": {"$and": [{"t": "stake"}, {"$gt": {"v": 1}}]}}]}}
    first, second = Session(definition, "same-base"), Session(definition, "same-base")
    assert first.name != second.name
    assert {first.name, second.name} <= set(registered_rulesets())
    first.close()
    second.close()
    assert first.name not in registered_rulesets()


def test_unmatched_facts_raise_in_the_raw_engine_but_not_through_the_adapter() -> None:
    host = _host_with({"r": {"all": [{"m": {"t": "x"}}], "run": lambda c: None}}, "pitfall-unmatched")
    with pytest.raises(durable.MessageNotHandledException):
        host.assert_fact("pitfall-unmatched", {"sid": "s", "t": "nobody-matches-this"})
    session = Session({"R#T": {"all": [{"x": {"$and": [{"t": "x"}, {"v": 1}]}}]}}, "pitfall-sink")
    try:
        session.run([{"t": "nobody-matches-this", "id": "f0"}], lambda name, bound: [])
    finally:
        session.close()


def test_action_exceptions_are_returned_by_the_raw_engine_and_raised_by_the_adapter() -> None:
    def boom(c: Any) -> None:
        raise ValueError("bad data in action")

    host = _host_with({"r": {"all": [{"m": {"t": "x"}}], "run": boom}}, "pitfall-boom")
    state = host.assert_fact("pitfall-boom", {"sid": "s", "t": "x"})
    assert "bad data in action" in state["exception"]  # returned, not raised

    session = Session({"R#T": {"all": [{"x": {"t": "x"}}]}}, "pitfall-boom-adapter")

    def failing(name: str, bound: dict[str, Any]) -> list[dict[str, Any]]:
        raise ValueError("bad data in action")

    try:
        with pytest.raises(EngineError, match="bad data in action"):
            session.run([{"t": "x", "id": "f0"}], failing)
    finally:
        session.close()


def test_a_fact_matching_more_than_64_rules_fails_the_whole_assertion() -> None:
    fired: list[int] = []
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"t": "x"}, {"$gte": {"v": i}}]}}], "run": lambda c: fired.append(1)}
             for i in range(65)}
    host = _host_with(rules, "pitfall-65")
    with pytest.raises(Exception, match="303"):
        host.assert_facts("pitfall-65", [{"sid": "s", "id": "a", "t": "x", "v": 100}])
    assert fired == []
    # The compiler's fan-out limit keeps the rulebook far from this (see test_compiler).


def test_identical_derived_facts_raise_inside_actions_and_are_deduplicated_by_the_evaluator(rulebook: Any) -> None:
    def derive_twice(c: Any) -> None:
        c.assert_fact({"t": "d", "k": 1})
        c.assert_fact({"t": "d", "k": 1})

    host = _host_with({"r": {"all": [{"m": {"t": "x"}}], "run": derive_twice},
                       "uses": {"all": [{"m": {"t": "d"}}], "run": lambda c: None}}, "pitfall-derive")
    state = host.assert_fact("pitfall-derive", {"sid": "s", "t": "x"})
    assert "MessageObservedException" in state["exception"]

    # Three supply links to rivals make TOH-TARGET-SUPPLIES-RIVALS derive three distinct facts; two
    # structuring rules derive distinct kinds; the same fact derived twice is recorded once.
    deal = Deal.model_validate({
        "schema_version": 1, "id": "dup", "title": "dup",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"]},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 30, "voting_after": 30, "share_class": "voting"}],
        "governance": [{"holder": "a", "issuer": "t", "board_seats": 1, "information_rights": True}],
    })
    ev = evaluate(deal, rulebook, as_of=date(2025, 6, 13))
    factors = [d for d in ev.derived.values() if d.name == "influence_plus_factor"]
    assert sorted(d.fields["kind"] for d in factors) == ["board representation", "information rights"]
    keys = [(d.name, d.status, tuple(sorted(d.fields.items()))) for d in ev.derived.values()]
    assert len(keys) == len(set(keys))


def test_sessions_with_colliding_hashes_never_share_state(rulebook: Any) -> None:
    # 'deal-309876' and 'deal-1122490' have the same 32-bit FNV-1a hash: used as sids they would
    # share one session. The adapter never derives sids from deal ids.
    def deal(deal_id: str, stake: int) -> Deal:
        return Deal.model_validate({
            "schema_version": 1, "id": deal_id, "title": deal_id,
            "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
            "transaction": {"types": ["share_acquisition"]},
            "stakes": [{"holder": "a", "issuer": "t", "equity_after": stake, "voting_after": stake, "share_class": "voting"}],
        })

    high = evaluate(deal("deal-309876", 60), rulebook, as_of=date(2025, 6, 13))
    low = evaluate(deal("deal-1122490", 5), rulebook, as_of=date(2025, 6, 13))
    assert any(f.rule_id == "EU-CONTROL-VOTING-MAJORITY" for f in high.firings)
    assert not any(f.rule_id == "EU-CONTROL-VOTING-MAJORITY" for f in low.firings)


def test_more_evaluations_than_the_engine_allows_live_sessions(tmp_path: Path) -> None:
    # At most 1,024 live sessions per ruleset; the 1,025th corrupts the process. One fixed
    # session is reused (emptied after each evaluation), so 1,100 evaluations are fine. The
    # rule fires for none of these deals, which also covers the engine's crash in delete_state
    # after an assertion in which no action ran.
    (tmp_path / "r.json").write_text(json.dumps({"rules": [{
        "id": "BIG", "title": "t", "jurisdiction": "DE", "basis": {"citation": "cit", "url": "https://x.org"},
        "when": "stake.equity_after > 99", "reason": "a reason"}]}))
    book = load_rulebook(tmp_path)
    deal = Deal.model_validate({
        "schema_version": 1, "id": "n", "title": "n",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"]},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 10, "voting_after": 10, "share_class": "voting"}],
    })
    try:
        for _ in range(1100):
            assert evaluate(deal, book, as_of=date(2025, 1, 1)).firings == []
    finally:
        clear_cache()
