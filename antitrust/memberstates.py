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


def _unique_top(shares: dict[str, tuple[float, float]]) -> str | None:
    """The member state that certainly has the largest share, if the bounds tell: the first state
    (in the order given) whose lower bound is above 50% or above every other state's upper bound."""
    # The largest upper bound among the others is the largest overall, except for the state that
    # holds it, for which it is the second largest (one pass instead of one per state).
    first = second = -math.inf
    holder = None
    for state, (_lo, hi) in shares.items():
        if hi > first:
            first, second, holder = hi, first, state
        elif hi > second:
            second = hi
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
    per_side: dict[str, dict[str, tuple[float, float | None]]] = {}
    turnovers = b.turnovers()
    stated: list[Provenance] = []
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        rows: dict[str, tuple[float, float | None]] = {}
        mine = [(pi, p) for pi, p in enumerate(b.deal.parties) if p.role == role]
        for state in states:
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
        # A state holds at most what the side's EU turnover leaves after the others' known part.
        cap = eu_total[1]
        if cap is not None:
            total_lo = sum(lo for lo, _ in rows.values())
            for state, (s_lo, s_hi) in rows.items():
                room = max(s_lo, cap - (total_lo - s_lo))
                rows[state] = (s_lo, room if s_hi is None else min(s_hi, room))
        per_side[role] = rows
    out: dict[str, Any] = {}
    tops: dict[str, str | None] = {}
    for role, eu_total in (("acquirer", acquirer_eu), ("target", target_eu)):
        shares = {s: _state_share(lo, hi, eu_total) for s, (lo, hi) in per_side[role].items()}
        out[f"{role}_top_state_share"] = _interval(max(x[0] for x in shares.values()),
                                                   max(x[1] for x in shares.values()))
        tops[role] = _unique_top(shares)
    if tops["acquirer"] is not None and tops["target"] is not None:
        out["top_state_same"] = tops["acquirer"] == tops["target"]
    out["two_thirds_same_state"] = _two_thirds(out)
    combined = [(a[0] + t[0], None if a[1] is None or t[1] is None else a[1] + t[1])
                for a, t in zip(per_side["acquirer"].values(), per_side["target"].values(), strict=True)]
    smaller = [(min(a[0], t[0]), _min_upper(a[1], t[1]))
               for a, t in zip(per_side["acquirer"].values(), per_side["target"].values(), strict=True)]
    out["third_state_combined_turnover_eur"] = _third_highest(combined)
    out["third_state_smaller_party_turnover_eur"] = _third_highest(smaller)
    prov = join(stated) if stated else Provenance(
        path="parties[*].turnover[member states]", display="no member-state turnover stated", known=False)
    return out, prov

