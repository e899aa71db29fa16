"""EU member-state statistics for EUMR Art. 1(3) and the two-thirds rule.

The rule language cannot count member states or divide, so the EU figures fact carries these
statistics, computed here from the parties' member-state turnovers.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

from antitrust.factbase import Interval, Provenance, join
from antitrust.factbase import interval as _interval
from antitrust.vocabulary import EU_MEMBER_STATES

if TYPE_CHECKING:
    from antitrust.facts import _Builder

#: The United Kingdom left the EU on 31 January 2020; before that it counts as a member state.
UK_LEFT_EU = date(2020, 2, 1)
#: "More than two-thirds" of an undertaking's EU turnover (Art. 1(2) and 1(3) EUMR, last subparagraphs), in percent.
TWO_THIRDS = 200.0 / 3.0
MEMBER_STATE_FIELDS = (
    "acquirer_top_state_share", "target_top_state_share", "top_state_same", "two_thirds_same_state",
    "third_state_combined_turnover_eur", "third_state_smaller_party_turnover_eur",
)


def _state_share(lo: float, hi: float | None, eu_total: tuple[float | None, float | None]) -> tuple[float, float]:
    """Bounds (percent) on a member state's share of a side's EU turnover."""
    eu_lo, eu_hi = eu_total
    share_lo = 100.0 * lo / eu_hi if eu_hi else 0.0
    share_hi = min(100.0, 100.0 * hi / eu_lo) if hi is not None and eu_lo else 100.0
    return min(share_lo, 100.0), max(share_hi, min(share_lo, 100.0))


def _unique_top(shares: dict[str, tuple[float, float]], others_hi: float | None = None) -> str | None:
    """The member state that certainly has the largest share, if the bounds tell: the first state
    (in the order given) whose lower bound is above 50% or above every other state's upper bound.
    ``others_hi``: the upper bound shared by the member states not in ``shares`` (None: there are
    none); their lower bound is 0, so none of them is ever the top."""
    # The largest upper bound among the others is the largest overall, except for the state that
    # holds it, for which it is the second largest (one pass instead of one per state).
    first = second = -math.inf
    holder = None
    for state, (_lo, hi) in shares.items():
        if hi > first:
            first, second, holder = hi, first, state
        elif hi > second:
            second = hi
    if others_hi is not None:
        if others_hi > first:
            first, second, holder = others_hi, first, None
        elif others_hi > second:
            second = others_hi
    for state, (lo, _hi) in shares.items():
        if lo > 50 or lo > (second if state == holder else first):
            return state
    return None


def _min_upper(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _third_highest(rows: list[tuple[float, float | None]]) -> Interval:
    """Bounds on the third-highest value over the member states."""
    los = sorted((lo for lo, _ in rows), reverse=True)
    his = sorted((math.inf if hi is None else hi for _, hi in rows), reverse=True)
    if len(rows) < 3:
        return _interval(0.0, 0.0)
    hi3 = his[2]
    return _interval(los[2], None if math.isinf(hi3) else hi3)



def _two_thirds(stats: dict[str, Any]) -> bool | None:
    """Whether each side earns more than two-thirds of its EU turnover in one and the same member
    state: yes or no where the member-state figures tell, None (unknown) where they do not."""
    acq, tgt, same = stats["acquirer_top_state_share"], stats["target_top_state_share"], stats.get("top_state_same")
    if same is False or any(s.get("hi") is not None and s["hi"] <= TWO_THIRDS for s in (acq, tgt)):
        return False
    if same is True and all(s.get("lo", 0) > TWO_THIRDS for s in (acq, tgt)):
        return True
    return None


def member_state_figures(
b: _Builder, acquirer_eu: tuple[float | None, float | None], target_eu: tuple[float | None, float | None]
) -> tuple[dict[str, Any], Provenance]:
    """Statistics over the member states for EUMR Art. 1(3) and the two-thirds rule.

    Every member state's turnover is an interval (unknown: from 0, without upper bound, but
    never above the side's EU turnover). From them: each side's largest share of its EU
    turnover in one state, whether both sides' largest state is the same, and the third
    highest combined and smaller-party turnover over the states. Intervals keep each
    statistic sound: its lower bound is certain, its upper bound is the most it can be.
    """
    states = list(EU_MEMBER_STATES)
    if b.as_of < UK_LEFT_EU:
        states.append("UK")  # a member state until 31 January 2020
    # Per side: the member states some party of the side states a turnover for, with their bounds,
    # and the bounds all the other member states share (most deals state few or none).
    per_side: dict[str, tuple[dict[str, tuple[float, float | None]], tuple[float, float | None]]] = {}
    turnovers = b.turnovers()
    stated: list[Provenance] = []
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        rows: dict[str, tuple[float, float | None]] = {}
        mine = [(pi, p) for pi, p in enumerate(b.deal.parties) if p.role == role]
        codes = set().union(*(turnovers[pi].keys() for pi, _p in mine))
        for state in states:
            if state not in codes:
                continue
            lo, hi = 0.0, 0.0
            hi_known = True
            for pi, p in mine:
                t = turnovers[pi].get(state)
                if t is None:
                    hi_known = False  # no figure: from 0, without upper bound
                    continue
                if b.detail:
                    stated.append(b.fact_prov(t.amount, f"parties[{pi}].turnover[{state}]"))
                plo, phi = b.convert_bounds(t.amount, "EUR", f"{p.name} {state} turnover", b.turnover_year(t))
                lo += plo or 0.0
                if phi is None:
                    hi_known = False
                else:
                    hi += phi
            rows[state] = (lo, hi if hi_known else None)
        # A state no party of the side states: from 0, without upper bound (0 if the side has no party).
        others: tuple[float, float | None] = (0.0, None) if mine else (0.0, 0.0)
        # A state holds at most what the side's EU turnover leaves after the others' known part.
        cap = eu_total[1]
        if cap is not None:
            total_lo = sum((lo for lo, _ in rows.values()), 0.0)
            for state, (s_lo, s_hi) in rows.items():
                room = max(s_lo, cap - (total_lo - s_lo))
                rows[state] = (s_lo, room if s_hi is None else min(s_hi, room))
            room = max(0.0, cap - total_lo)
            others = (0.0, room if others[1] is None else min(others[1], room))
        per_side[role] = (rows, others)
    out: dict[str, Any] = {}
    tops: dict[str, str | None] = {}
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        rows, others = per_side[role]
        shares = {s: _state_share(lo, hi, eu_total) for s, (lo, hi) in rows.items()}
        others_share = _state_share(*others, eu_total) if len(rows) < len(states) else None
        every = [*shares.values(), *([others_share] if others_share is not None else [])]
        out[f"{role}_top_state_share"] = _interval(max(x[0] for x in every), max(x[1] for x in every))
        tops[role] = _unique_top(shares, others_share[1] if others_share is not None else None)
    if tops["acquirer"] is not None and tops["target"] is not None:
        out["top_state_same"] = tops["acquirer"] == tops["target"]
    out["two_thirds_same_state"] = _two_thirds(out)
    (acq_rows, acq_others), (tgt_rows, tgt_others) = per_side["acquirer"], per_side["target"]
    named = [s for s in states if s in acq_rows or s in tgt_rows]
    pairs = [(acq_rows.get(s, acq_others), tgt_rows.get(s, tgt_others)) for s in named]
    pairs += [(acq_others, tgt_others)] * (len(states) - len(named))
    combined = [(a[0] + t[0], None if a[1] is None or t[1] is None else a[1] + t[1]) for a, t in pairs]
    smaller = [(min(a[0], t[0]), _min_upper(a[1], t[1])) for a, t in pairs]
    out["third_state_combined_turnover_eur"] = _third_highest(combined)
    out["third_state_smaller_party_turnover_eur"] = _third_highest(smaller)
    prov = join(stated) if stated else Provenance(
        path="parties[*].turnover[member states]", display="no member-state turnover stated", known=False)
    return out, prov

