"""Work kept per shared object of the compiled rules (antitrust.shared_work) and what uses it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from antitrust.compiler import clear_shared, compile_rulebook
from antitrust.engineforms import cond_info, plans, referenced
from antitrust.rulebook import load_rulebook
from antitrust.shared_work import PerObject

RULES = Path(__file__).resolve().parent.parent / "rules"


def test_the_work_is_done_once_per_object_and_not_shared_by_equal_objects() -> None:
    calls: list[object] = []

    def make(obj: dict[str, int]) -> int:
        calls.append(obj)
        return sum(obj.values())

    per = PerObject(make)
    a, b = {"x": 1}, {"x": 1}
    assert per(a) == per(a) == 1
    assert per(b) == 1
    assert calls == [a, b] and calls[0] is a and calls[1] is b
    assert len(per) == 2


def test_entries_hold_their_objects_and_the_limit_starts_again_empty() -> None:
    per = PerObject(lambda obj: id(obj), limit=3)
    objs = [[i] for i in range(3)]
    for o in objs:
        per(o)
    del objs  # the entries keep the lists alive: no identity is reused while they exist
    fresh = [[i] for i in range(10)]
    assert all(per(o) == id(o) for o in fresh)
    assert len(per) <= 3
    per.clear()
    assert len(per) == 0


def test_the_engine_analysis_of_shared_conditions_is_what_a_fresh_one_gives() -> None:
    """Epochs share compiled conditions; the fact types, fields and plans worked out from the
    shared analysis are those worked out from nothing, in every epoch compiled."""
    book = load_rulebook(RULES)
    clear_shared()
    definitions = [compile_rulebook(book, at).definition
                   for at in (date(2019, 6, 1), date(2023, 6, 1), date(2026, 6, 1))]
    cond_info.clear()
    fresh = []
    for definition in definitions:
        cond_info.clear()
        types, fields = referenced(definition)
        assert types is not None and fields is not None
        fresh.append((types, fields, plans(definition, fields)))
    cond_info.clear()
    warm = []
    for definition in definitions:
        types, fields = referenced(definition)
        assert types is not None and fields is not None
        warm.append((types, fields, plans(definition, fields)))
    assert warm == fresh
    assert len(cond_info) > 0
    clear_shared()
