"""Faster forms of code on every deal's path give exactly what the plain forms give."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust import engine
from antitrust.evaluate import Firing, _firing
from antitrust.factbase import interval
from antitrust.memberstates import (
    UK_LEFT_EU,
    _state_share,
    _third_highest,
    _two_thirds,
    _unique_top,
    member_state_figures,
)
from antitrust.vocabulary import EU_MEMBER_STATES


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


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["DE", "FR", "IT", "ES", "NL"]), st.tuples(_share, _share), max_size=5),
       _share, st.integers(min_value=2, max_value=4))
def test_the_top_member_state_is_found_with_the_unnamed_states_given_once(
        shares: dict[str, tuple[float, float]], others_hi: float, unnamed: int) -> None:
    bounded = {state: (min(a, b), max(a, b)) for state, (a, b) in shares.items()}
    # Every member state a deal does not name: 27 or 28 less the named ones, so at least two here.
    every = {**bounded, **{f"X{i}": (0.0, others_hi) for i in range(unnamed)}}
    assert _unique_top(bounded, others_hi) == _unique_top_plainly(every)


class _Builder(SimpleNamespace):
    """What member_state_figures reads of a flattening: the parties' turnovers, in euros."""

    def turnovers(self) -> list[dict[str, Any]]:
        return self.by_party  # type: ignore[no-any-return]

    def convert_bounds(self, amount: tuple[float, float | None], _code: str, _what: str,
                       _year: int) -> tuple[float, float | None]:
        return amount

    def turnover_year(self, _t: Any) -> int:
        return 2024


def _member_state_figures_plainly(b: _Builder, acquirer_eu: tuple[float | None, float | None],
                                  target_eu: tuple[float | None, float | None]) -> dict[str, Any]:
    """The definition, state by state over every member state."""
    states = list(EU_MEMBER_STATES) + (["UK"] if b.as_of < UK_LEFT_EU else [])
    per_side: dict[str, dict[str, tuple[float, float | None]]] = {}
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        rows: dict[str, tuple[float, float | None]] = {}
        mine = [pi for pi, p in enumerate(b.deal.parties) if p.role == role]
        for state in states:
            stated = [b.by_party[pi][state].amount for pi in mine if state in b.by_party[pi]]
            lo = sum((x[0] or 0.0 for x in stated), 0.0)
            known = len(stated) == len(mine) and all(x[1] is not None for x in stated)
            rows[state] = (lo, sum((x[1] for x in stated), 0.0) if known else None)
        if eu_total[1] is not None:
            total_lo = sum(lo for lo, _ in rows.values())
            for state, (s_lo, s_hi) in rows.items():
                room = max(s_lo, eu_total[1] - (total_lo - s_lo))
                rows[state] = (s_lo, room if s_hi is None else min(s_hi, room))
        per_side[role] = rows
    out: dict[str, Any] = {}
    tops = {}
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        shares = {s: _state_share(lo, hi, eu_total) for s, (lo, hi) in per_side[role].items()}
        out[f"{role}_top_state_share"] = interval(max(x[0] for x in shares.values()), max(x[1] for x in shares.values()))
        tops[role] = _unique_top_plainly(shares)
    if tops["acquirer"] is not None and tops["target"] is not None:
        out["top_state_same"] = tops["acquirer"] == tops["target"]
    out["two_thirds_same_state"] = _two_thirds(out)
    pairs = [(per_side["acquirer"][s], per_side["target"][s]) for s in states]
    out["third_state_combined_turnover_eur"] = _third_highest(
        [(a[0] + t[0], None if a[1] is None or t[1] is None else a[1] + t[1]) for a, t in pairs])
    out["third_state_smaller_party_turnover_eur"] = _third_highest(
        [(min(a[0], t[0]), None if a[1] is None and t[1] is None else min(x for x in (a[1], t[1]) if x is not None))
         for a, t in pairs])
    return out


_amount = st.sampled_from([0.0, 5.0, 30.0, 250.0, 1000.0])
_bounds = st.tuples(_amount, st.none() | _amount).map(lambda b: (b[0], None if b[1] is None else max(b)))
_party = st.tuples(st.sampled_from(["acquirer", "target"]),
                   st.dictionaries(st.sampled_from(["DE", "FR", "IT", "AT", "UK", "WORLD"]), _bounds, max_size=4))


@settings(max_examples=400, deadline=None)
@given(st.lists(_party, max_size=4), _bounds, _bounds, st.sampled_from([date(2019, 6, 1), date(2024, 6, 1)]))
def test_member_state_figures_name_only_the_stated_states_and_give_what_every_state_gives(
        parties: list[tuple[str, dict[str, tuple[float, float | None]]]],
        acquirer_eu: tuple[float, float | None], target_eu: tuple[float, float | None], as_of: date) -> None:
    b = _Builder(as_of=as_of, detail=False,
                 deal=SimpleNamespace(parties=[SimpleNamespace(role=role, name=f"P{i}")
                                               for i, (role, _t) in enumerate(parties)]),
                 by_party=[{code: SimpleNamespace(amount=amount) for code, amount in t.items()} for _r, t in parties])
    fast, _prov = member_state_figures(b, acquirer_eu, target_eu)  # type: ignore[arg-type]
    plain = _member_state_figures_plainly(b, acquirer_eu, target_eu)
    assert fast == plain


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
