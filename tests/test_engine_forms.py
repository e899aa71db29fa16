"""The generated engine form of a fact gives what reading the fact field by field gives, in the same order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.engineforms import SID, form_function

_ABSENT = object()
PLAN = (("id", None, "id"), ("t", None, "t"), ("x", None, "x"), ("x", "hi", "x__hi"), ("x", "lo", "x__lo"),
        ("y", "lo", "y__lo"), ("z", None, "z2"), ("x", "mid", "x__mid"))


def reference(plan: Any, fact: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for outer, inner, name in plan:
        value = fact.get(outer, _ABSENT)
        if inner is None:
            if value is not _ABSENT and not isinstance(value, dict):
                out[name] = value
        elif isinstance(value, dict) and inner in value:
            out[name] = value[inner]
    out["sid"] = SID
    return out


_value = st.none() | st.booleans() | st.integers() | st.text(max_size=3) | st.dictionaries(
    st.sampled_from(["lo", "hi", "mid", "other"]), st.integers() | st.none(), max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "t", "x", "y", "z", "w"]), _value, max_size=6))
def test_generated_form_matches_the_field_by_field_reading(fact: dict[str, Any]) -> None:
    got = form_function(PLAN)(fact)
    want = reference(PLAN, fact)
    assert got == want
    assert list(got) == list(want)  # the same order: the engine receives the same text


def test_names_that_need_quoting() -> None:
    plan = (("a'b", None, "a'b"), ('q"\\', "lo", 'q"\\__lo'))
    fact = {"a'b": 1, 'q"\\': {"lo": 2}}
    assert form_function(plan)(fact) == reference(plan, fact) == {"a'b": 1, 'q"\\__lo': 2, "sid": SID}
