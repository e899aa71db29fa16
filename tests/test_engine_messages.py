"""The engine adapter reads action messages without decoding their JSON where it can
(``Session._bound``); it must bind exactly what decoding them would, and decode anything else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.engine import Session

_RULES = {
    "pair": {"all": [{"a": {"$and": [{"t": "x"}, {"$gte": {"v": 0}}]}},
                     {"b": {"$and": [{"t": "y"}, {"$ex": {"s": 1}}]}}]},
    "one": {"all": [{"m": {"$and": [{"t": "x"}, {"$lt": {"v": 5}}]}}]},
}


def _fired(facts: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
    session = Session(_RULES, "messages")
    fired: list[tuple[str, dict[str, str]]] = []
    try:
        session.run(facts, lambda name, bound: fired.append((name, {a: f["id"] for a, f in bound.items()})) or [])
    finally:
        session.close()
    return sorted(fired, key=lambda x: json.dumps(x))


def _decoded(session: Session, message: str, known: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    rule, matched = next(iter(json.loads(message).items()))
    return rule, {alias: known[fact["id"]] for alias, fact in matched.items()}


def test_matched_facts_are_read_from_the_message_as_decoding_would() -> None:
    session = Session(_RULES, "messages")
    try:
        known = {"f1": {"t": "x", "id": "f1", "v": 1}, "f2": {"t": "y", "id": "f2", "s": 'a{"id": "f1"}'}}
        message = ('{"pair":{"a":' + json.dumps(session.engine_form(known["f1"])) + ',"b":'
                   + json.dumps(session.engine_form(known["f2"]), ensure_ascii=False) + "}}")
        fast = session._bound(message, known)
        assert fast is not None
        assert fast == _decoded(session, message, known)
        assert list(fast[1]) == ["a", "b"]
    finally:
        session.close()


def test_messages_in_another_form_are_left_to_the_decoder() -> None:
    session = Session(_RULES, "messages")
    try:
        known = {"f1": {"t": "x", "id": "f1", "v": 1}}
        fact = json.dumps(session.engine_form(known["f1"]))
        for message in (
            '{"_start":{"m":{"t": "__start__", "id": "start", "sid": "s0"}}}',  # id not first
            '{"nope":{"m":' + fact + "}}",  # a rule the session does not have
            '{"pair":{"a":' + fact + "}}",  # an alias missing
            '{"one":{"m":' + fact + ',"m":' + fact + "}}",  # an alias twice
            '{"one":{"m":{"id": "f9", "t": "x"}}}',  # a fact the session does not know
            '{"one":{"m":{"t": "x", "id": "f1"}}}',  # id not first
        ):
            assert session._bound(message, known) is None, message
    finally:
        session.close()


_text = st.text(alphabet=st.sampled_from(['"', "\\", "{", "}", ":", " ", "i", "d", "f", "1", "é", ","]), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 8), _text), min_size=1, max_size=3), st.lists(_text, max_size=3))
def test_firings_with_awkward_strings_match_a_decoding_run(xs: list[tuple[int, str]], ys: list[str]) -> None:
    facts: list[dict[str, Any]] = [{"t": "x", "id": f"f{i}", "v": v, "note": note} for i, (v, note) in enumerate(xs)]
    facts += [{"t": "y", "id": f"g{i}", "s": s} for i, s in enumerate(ys)]
    got = _fired(facts)
    # The reference: the same run with every message decoded.
    original = Session._bound
    Session._bound = lambda self, message, known: None  # type: ignore[method-assign,assignment,return-value]
    try:
        want = _fired(facts)
    finally:
        Session._bound = original  # type: ignore[method-assign]
    assert got == want
    assert {name for name, _ in got} >= ({"one"} if any(v < 5 for v, _ in xs) else set())
