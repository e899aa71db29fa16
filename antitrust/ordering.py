"""One order of firings for every way of running the engine.

The engine fires the matches of its agenda in an order of its own, which depends on how the
rules are laid out in durable rules (one per analyst rule, or one per truth value) and on
what else is in the session. Reports list findings in firing order and number derived facts
by it, so an evaluation puts its firings in a canonical order before anyone reads them:

    repeatedly fire, among the firings whose derived inputs already exist, the first by
    (rule id, true before undetermined, undetermined by its first part not known true,
    the engine's order)

which is the order in which an agenda that always takes the first enabled rule fires them.
Derived facts are then numbered ``d0, d1, ...`` in the order they are first derived, and each
names the rule that derived it first.
"""

from __future__ import annotations

import heapq
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from antitrust.evaluate import Evaluation

#: Per firing: (rule id, 0 when true or 1 + index of the first part not known true, its index in
#: the engine's order).
Key = tuple[str, int, int]


def canonical_order(ev: Evaluation, keys: list[Key], facts: dict[str, dict[str, Any]]) -> None:
    """Reorder ``ev.firings`` in place (``keys`` parallel to them) and renumber derived facts;
    ``facts`` maps each derived fact's id to the dict that was asserted (its id and first
    deriving rule are updated in place, so every firing that matched it sees the new id)."""
    firings = ev.firings
    n = len(firings)
    # Firings that wait for derived facts: how many distinct ones each still misses, and who waits
    # for each fact (a fact is made once here: its waiters are taken when it first is).
    missing: dict[int, int] = {}
    waiting: dict[str, list[int]] = {}
    heap: list[tuple[str, int, int]] = []
    for i, f in enumerate(firings):
        inputs = f.derived_inputs
        if not inputs:
            heap.append(keys[i])
            continue
        distinct = set(inputs)
        missing[i] = len(distinct)
        for d in distinct:
            waiting.setdefault(d, []).append(i)
    heapq.heapify(heap)
    order: list[int] = []
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        i = pop(heap)[2]
        order.append(i)
        made = firings[i].derived_id
        if made is not None and made in waiting:
            for j in waiting.pop(made):
                missing[j] -= 1
                if not missing[j]:
                    push(heap, keys[j])
    if len(order) != n:  # pragma: no cover - a derived input always has a producer that fired
        raise AssertionError("a firing waits for a derived fact that was never derived")
    if order == list(range(n)):
        return
    mapping: dict[str, str] = {}
    first_by: dict[str, str] = {}
    for i in order:
        made = firings[i].derived_id
        if made is not None and made not in mapping:
            mapping[made] = f"d{len(mapping)}"
            first_by[made] = firings[i].rule_id
    new = []
    for i in order:
        f = firings[i]
        # Unknowns are worked out from the matched facts when first read, after the renumbering.
        inputs = f.derived_inputs
        renamed = tuple([mapping[x] for x in inputs]) if inputs else inputs
        made = mapping[f.derived_id] if f.derived_id is not None else None
        new.append(f if renamed == inputs and made == f.derived_id
                   else replace(f, derived_inputs=renamed, derived_id=made))
    firings[:] = new
    # New ids are given in order (d0, d1, ...), so the records come out in the order of their ids.
    records = {}
    for old, fresh in mapping.items():
        record = ev.derived[old]
        record.id = fresh
        record.firings = []
        records[fresh] = record
        fact = facts[old]
        fact["id"] = fresh
        fact["by"] = first_by[old]
    for index, f in enumerate(new):
        if f.derived_id is not None:
            records[f.derived_id].firings.append(index)
    ev.derived = records
