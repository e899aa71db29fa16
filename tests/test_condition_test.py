"""The Python predicate generated from a compiled condition decides it exactly as the engine does.

The evaluator classifies each match of a rule as true or undetermined with predicates generated
from the T part of the compiled condition (``engineforms.condition_test``); here the same conditions go
to the engine, and the engine's answer must be the predicate's on every fact."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antitrust.compiler import _and, _or
from antitrust.engine import Session
from antitrust.engineforms import condition_test
from antitrust.errors import EngineError

FIELDS = ["x", "share__lo", "share__hi"]
VALUES = [0, 10, 25, 25.5, 50]

leaf = st.one_of(
    st.builds(lambda op, f, c: {op: {f: c}}, st.sampled_from(["$gt", "$gte", "$lt", "$lte", "$neq"]),
              st.sampled_from(FIELDS), st.sampled_from(VALUES)),
    st.builds(lambda f, c: {f: c}, st.sampled_from(FIELDS), st.sampled_from(VALUES)),
    st.builds(lambda op, f: {op: {f: 1}}, st.sampled_from(["$ex", "$nex"]), st.sampled_from(FIELDS)),
)
conditions = st.recursive(leaf, lambda kids: st.one_of(
    st.lists(kids, min_size=2, max_size=3).map(lambda xs: _and(*xs)),
    st.lists(kids, min_size=2, max_size=3).map(lambda xs: _or(*xs)),
), max_leaves=5)
facts = st.fixed_dictionaries({}, optional={
    "x": st.sampled_from(VALUES),
    "share": st.fixed_dictionaries({}, optional={"lo": st.sampled_from(VALUES), "hi": st.sampled_from(VALUES)}),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions, st.lists(facts, min_size=1, max_size=4))
def test_generated_predicate_agrees_with_the_engine(cond: dict[str, Any], given_facts: list[dict[str, Any]]) -> None:
    if not cond:
        return
    session = Session({"R": {"all": [{"m": _and({"t": "f"}, cond)}]}}, "condition-test")
    try:
        fired: set[str] = set()

        def on_fire(_name: str, bound: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            fired.add(bound["m"]["id"])
            return []

        run = [{"t": "f", "id": f"f{i}", **fact} for i, fact in enumerate(given_facts)]
        session.run(run, on_fire)
    finally:
        session.close()
    test = condition_test(cond)
    assert fired == {f["id"] for f in run if test(f)}, cond


def test_empty_condition_holds_and_unknown_operators_are_refused() -> None:
    assert condition_test({})({"t": "f"}) is True
    with pytest.raises(EngineError, match=r"\$m"):
        condition_test({"$m": {"x": 1}})
