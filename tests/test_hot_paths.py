"""Faster forms of code on every deal's path give exactly what the plain forms give."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust import engine
from antitrust.evaluate import Firing, _firing
from antitrust.memberstates import _unique_top


def _unique_top_plainly(shares: dict[str, tuple[float, float]]) -> str | None:
    """The definition: the first state whose lower bound is above 50% or above every other
    state's upper bound."""
    for state, (lo, _hi) in shares.items():
        if lo > 50 or all(lo > other_hi for other, (_lo, other_hi) in shares.items() if other != state):
            return state
    return None


_share = st.sampled_from([0.0, 10.0, 20.0, 33.3, 50.0, 60.0, 100.0])


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["DE", "FR", "IT", "ES", "NL", "PL", "AT"]), st.tuples(_share, _share),
                       max_size=7))
def test_the_certain_top_member_state_is_found_in_one_pass_as_by_its_definition(
        shares: dict[str, tuple[float, float]]) -> None:
    bounded = {state: (min(a, b), max(a, b)) for state, (a, b) in shares.items()}
    assert _unique_top(bounded) == _unique_top_plainly(bounded)


def test_a_firing_built_without_its_init_equals_one_built_with_it() -> None:
    # Every field of Firing is set (a field added to the class must be added to _firing too).
    args = ("de.filing", "maybe", {"d": {"id": "deal"}}, ("d3",), "d4", None)
    fast, plain = _firing(*args), Firing(*args)  # type: ignore[arg-type]
    assert [f.name for f in dataclasses.fields(Firing)] == list(vars(fast))
    assert fast == plain and vars(fast) == vars(plain)
    assert fast.unknowns == ()  # its lazily worked-out fields work as on any firing


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=12))
def test_the_engine_encoder_writes_what_json_dumps_writes(value: object) -> None:
    assert engine._encode(value) == json.dumps(value, ensure_ascii=False)
