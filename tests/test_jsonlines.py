"""The text-based checks of a JSONL deal refuse exactly what the full walk refuses, with the same message."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.errors import DealFileError, Location
from antitrust.jsonlines import _shape_ok, check_line
from antitrust.yamlio import MAX_DEPTH, MAX_NODES, check_data

WHERE = Location("deals.jsonl", 7, 1)


def _outcome(check, data, line):  # type: ignore[no-untyped-def]
    try:
        check(data, line) if line is not None else check(data)
    except DealFileError as exc:
        return str(exc)
    return None


def _both(line: str) -> tuple[str | None, str | None]:
    data = json.loads(line)
    full = _outcome(lambda d: check_data(d, WHERE), data, None)
    fast = _outcome(lambda d, text: check_line(d, text, WHERE), data, line)
    return full, fast


def _nested(depth: int, leaf: object = 1) -> object:
    node = leaf
    for i in range(depth):
        node = [node] if i % 2 else {"k": node}
    return node


@pytest.mark.parametrize("line", [
    '{"id": "a", "parties": [{"id": "p", "turnover": [{"amount": "EUR 5m"}]}]}',
    '{"x": "\\u0000"}', '{"x": "\\ud800"}', '{"x": "a\\nb"}', '{"x": "\ufffe"}', '{"x": "\x7f"}', '{"x": "\x85"}',
    '{"x": NaN}', '{"x": -Infinity}', '{"x": 1e400}', '{"x": 1.5e3}', '{"x": "3e4 units"}',
    '{"x": ' + "9" * 400 + ".0}", '{"x": ' + "9" * 299 + ".5}", '{"x": ' + "9" * 400 + "}",
    '{"\\u0001": 1}', "[]", "{}", '"text"', "3", "null", '[[], {}, [[]]]',
])
def test_same_verdict_as_the_full_walk(line: str) -> None:
    full, fast = _both(line)
    assert fast == full


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2])
@pytest.mark.parametrize("leaf", [1, [], {}, "s"])
def test_depth_at_the_limit(depth: int, leaf: object) -> None:
    line = json.dumps(_nested(depth, leaf))
    full, fast = _both(line)
    assert fast == full
    assert _shape_ok(json.loads(line)) is (full is None)


@pytest.mark.parametrize("n", [MAX_NODES // 2 - 2, MAX_NODES // 2 - 1, MAX_NODES // 2, MAX_NODES - 1, MAX_NODES])
def test_number_of_values_at_the_limit(n: int) -> None:
    for line in (json.dumps({f"k{i}": 0 for i in range(n)}), json.dumps(list(range(n)))):
        full, fast = _both(line)
        assert fast == full


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_json, st.booleans())
def test_any_json(value: object, ascii_only: bool) -> None:
    line = json.dumps(value, ensure_ascii=ascii_only)
    full, fast = _both(line)
    assert fast == full
