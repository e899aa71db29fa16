"""Engine facts for the parties' turnovers, one fact per jurisdiction (split from
:mod:`antitrust.facts`, which builds the rest).

Each jurisdiction's fact sums the turnovers of each side (acquirers, targets) in three currencies,
with the combined and the smaller side's figure. A party's turnover in a country or in the EU that
the deal file leaves open is bounded by its wider turnover: a country's by the worldwide figure, a
member state's also by the EU figure (logic, not a presumption, so ``--strict`` keeps it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from antitrust.acts import ACT_FIELDS, act_fields
from antitrust.deal import Fact
from antitrust.factbase import Provenance
from antitrust.factbase import interval as _interval
from antitrust.factbase import join as _join
from antitrust.memberstates import MEMBER_STATE_FIELDS, member_state_figures
from antitrust.money import Money
from antitrust.vocabulary import EU_MEMBER_STATES, FIGURE_JURISDICTIONS

if TYPE_CHECKING:
    from antitrust.facts import _Builder

CURRENCIES = ("EUR", "USD", "GBP")
_SIDES = ("acquirer", "target", "combined", "smaller_party")


def figures(self: _Builder) -> None:
    """One fact per jurisdiction: turnovers by side, summed over parties with that role."""
    turnovers = self.turnovers()
    by_role = {role: [(pi, p) for pi, p in enumerate(self.deal.parties) if p.role == role]
               for role in ("acquirer", "target")}
    detail = self.detail
    lean = self.lean
    for jur in FIGURE_JURISDICTIONS:
        code = jur.upper()
        needed = lean.get(jur, frozenset()) if lean is not None else None
        currencies, wanted, roles, with_stats, target_active, acquirer_active, with_acts, uk_share = (
            _lean_plan(jur, needed) if needed is not None else _WHOLE_PLANS[jur == "eu"])
        sides: dict[str, dict[str, tuple[float | None, float | None]]] = {}
        # Each acquirer on its own (the parents of a joint acquisition are each an undertaking
        # concerned), then the target side: "at least two undertakings each above X" asks about
        # the second largest of these.
        units: dict[str, list[tuple[float | None, float | None]]] = {c: [] for c in currencies}
        provs: dict[str, list[Provenance]] = {"acquirer": [], "target": []}
        for role in ("acquirer", "target"):
            totals: dict[str, tuple[float | None, float | None]] = {}
            for c in currencies:
                totals[c] = (0.0, 0.0)
            for pi, p in (by_role[role] if role in roles or detail else ()):
                t = turnovers[pi].get(code)
                amount = t.amount if t else None
                wider = wider_bound(self, pi, code, amount)
                if detail:
                    prov = self.fact_prov(amount, f"parties[{pi}].turnover[{code}]")
                    provs[role].append(prov if wider is None else bounded_prov(prov, wider[1]))
                if amount is None and wider is None:
                    # No figure: from 0 without upper bound (as convert_bounds gives), in
                    # every currency; adding 0.0 leaves a total's lower bound as it is.
                    for c in currencies:
                        totals[c] = (totals[c][0] or 0.0, None)
                        if role == "acquirer":
                            units[c].append((0.0, None))
                    continue
                for c in currencies:
                    lo: float | None
                    hi: float | None
                    lo, hi = self.convert_bounds(amount, c, f"{p.name} {code} turnover", self.turnover_year(t))
                    if wider is not None and hi is None:
                        hi = wider[0].get(c)
                    if role == "acquirer":
                        units[c].append((lo, hi))
                    tlo, thi = totals[c]
                    totals[c] = (
                        (tlo or 0.0) + (lo or 0.0),
                        None if thi is None or hi is None else thi + hi,
                    )
            sides[role] = totals
        fields: dict[str, Any] = {}
        for c, want in zip(currencies, wanted, strict=True):
            a_lo, a_hi = sides["acquirer"][c]
            t_lo, t_hi = sides["target"][c]
            if "acquirer" in want:
                fields[f"acquirer_turnover_{c.lower()}"] = _interval(a_lo, a_hi)
            if "target" in want:
                fields[f"target_turnover_{c.lower()}"] = _interval(t_lo, t_hi)
            if "combined" in want:
                fields[f"combined_turnover_{c.lower()}"] = _interval(
                    (a_lo or 0) + (t_lo or 0), None if a_hi is None or t_hi is None else a_hi + t_hi
                )
            if "smaller_party" in want:
                fields[f"smaller_party_turnover_{c.lower()}"] = _second_largest([*units[c], (t_lo, t_hi)])
        if target_active:
            fields["target_active"] = self.active("target", code)
        if acquirer_active:
            fields["acquirer_active"] = self.active("acquirer", code)
        acts, act_provs = act_fields(self.deal, code, detail) if jur != "world" and with_acts else ({}, {})
        fields.update(acts)
        state_prov: Provenance | None = None
        if with_stats:
            stats, state_prov = member_state_figures(self, sides["acquirer"]["EUR"], sides["target"]["EUR"])
            fields.update(stats)
        if jur == "uk" and uk_share:
            fields["combined_share_of_supply"] = self.uk_combined_share()
        fact = self.add(jur, fields)
        if needed is not None:
            self.lean_fact(fact, fields, needed)
        if not detail:
            continue
        if jur == "uk":
            self.note(fact, "combined_share_of_supply", _join([
                self.fact_prov(p.uk_share_of_supply, f"parties[{i}].uk_share_of_supply")
                for i, p in enumerate(self.deal.parties) if p.role in ("acquirer", "target")
            ]))
        if state_prov is not None:
            for name in MEMBER_STATE_FIELDS:
                self.note(fact, name, state_prov)
        for role in ("acquirer", "target"):
            joined = _join(provs[role])
            for c in ("eur", "usd", "gbp"):
                self.note(fact, f"{role}_turnover_{c}", joined)
        both = _join(provs["acquirer"] + provs["target"])
        for c in ("eur", "usd", "gbp"):
            self.note(fact, f"combined_turnover_{c}", both)
            self.note(fact, f"smaller_party_turnover_{c}", both)
        for role in ("target", "acquirer"):
            ps = [(i, p) for i, p in enumerate(self.deal.parties) if p.role == role]
            self.note(fact, f"{role}_active", _join([
                self.fact_prov(p.domestic_activity.get(code), f"parties[{i}].domestic_activity.{code}")
                for i, p in ps
            ]))
        for name, prov in act_provs.items():
            self.note(fact, name, prov)

#: (jurisdiction, the fields needed of its figures fact) -> what to compute: the currencies, per
#: currency the sides whose turnover is needed, the roles whose parties' turnovers are read, the
#: member-state statistics, target_active, acquirer_active, the act fields, the UK share of supply.
_LeanPlan = tuple[tuple[str, ...], tuple[frozenset[str], ...], frozenset[str], bool, bool, bool, bool, bool]
_ROLES = frozenset(("acquirer", "target"))


def _whole_plan(eu: bool) -> _LeanPlan:
    """What a whole flattening computes: everything (the member-state statistics for the EU)."""
    return (CURRENCIES, (frozenset(_SIDES),) * len(CURRENCIES), _ROLES, eu, True, True, True, True)


#: The whole plan outside the EU, then for the EU.
_WHOLE_PLANS = (_whole_plan(False), _whole_plan(True))
_lean_plans: dict[tuple[str, frozenset[str]], _LeanPlan] = {}
_ACT_NAMES = frozenset(ACT_FIELDS).union(("notified", "eu_one_stop_shop"))


def _lean_plan(jur: str, needed: frozenset[str]) -> _LeanPlan:
    """What a lean figures fact of ``jur`` computes (see antitrust.leanfacts): the currencies some
    needed field is in and, in each, only the sides needed; the parties of a side only when some
    needed figure reads them; the member-state statistics (in euros) only when one of them is
    needed, and each other group of fields only when one of its fields is. Worked out once per
    ruleset."""
    plan = _lean_plans.get((jur, needed))
    if plan is None:
        stats = jur == "eu" and not needed.isdisjoint(MEMBER_STATE_FIELDS)
        currencies = tuple(c for c in CURRENCIES if (c == "EUR" and stats) or any(
            f"{side}_turnover_{c.lower()}" in needed for side in _SIDES))
        wanted = tuple(frozenset(side for side in _SIDES if f"{side}_turnover_{c.lower()}" in needed)
                       for c in currencies)
        # The member-state statistics read both sides' EU totals in euros; a side's own figure
        # reads its parties, and the combined and smaller-party figures read both sides'.
        roles = set(_ROLES) if stats else set()
        for want in wanted:
            roles.update(want & _ROLES)
            if not want.isdisjoint(("combined", "smaller_party")):
                roles.update(_ROLES)
        plan = _lean_plans[(jur, needed)] = (
            currencies, wanted, frozenset(roles), stats, "target_active" in needed, "acquirer_active" in needed,
            not needed.isdisjoint(_ACT_NAMES), "combined_share_of_supply" in needed)
    return plan


def wider_bound(self: _Builder, pi: int, code: str, amount: Fact[Money] | None) -> tuple[dict[str, float], str] | None:
    """An upper bound on party ``pi``'s turnover in ``code`` that its own statement lacks, from
    the area that contains it: a turnover in one country or in the EU is at most the party's
    worldwide turnover, and one in a member state at most its EU turnover. Per currency, with
    the wider statement in words; None when the statement has its own upper bound or no wider
    one is bounded."""
    if code == "WORLD" or (amount is not None and (amount.known or amount.at_most is not None)):
        return None
    if code not in EU_MEMBER_STATES:
        return area_bound(self, pi, "WORLD")
    bounds = [b for b in (area_bound(self, pi, "EU"), area_bound(self, pi, "WORLD")) if b is not None]
    return min(bounds, key=lambda b: b[0].get("EUR", float("inf"))) if bounds else None

def area_bound(self: _Builder, pi: int, area: str) -> tuple[dict[str, float], str] | None:
    """Party ``pi``'s upper bound in ``area`` (its figure or stated at_most) in each currency,
    worked out once per party and area."""
    key = (pi, area)
    if key in self.area_bounds:
        return self.area_bounds[key]
    t = self.turnovers()[pi].get(area)
    f = t.amount if t else None
    out: tuple[dict[str, float], str] | None = None
    if f is not None and (f.known or f.at_most is not None):
        m = f.value if f.known else f.at_most
        assert m is not None
        year = self.turnover_year(t)
        caps: dict[str, float] = {}
        for c in ("EUR", "USD", "GBP"):
            if m.currency == c:
                caps[c] = m.amount
            elif (done := self.rates.fx.convert(m.amount, m.currency, c, year)) is not None:
                caps[c] = done[0]
        where = "worldwide" if area == "WORLD" else "EU-wide"
        out = (caps, f"at most {m}, its {where} turnover ({'value' if f.known else 'bound'} stated)")
    self.area_bounds[key] = out
    return out


def _second_largest(units: list[tuple[float | None, float | None]]) -> Any:
    """The second largest of several turnovers given as (low, high) bounds (high None: unbounded):
    with two, the smaller one; with no second, nothing."""
    while len(units) < 2:
        units.append((0.0, 0.0))
    lows = sorted((lo or 0.0 for lo, _hi in units), reverse=True)
    highs = sorted((float("inf") if hi is None else hi for _lo, hi in units), reverse=True)
    return _interval(lows[1], None if highs[1] == float("inf") else highs[1])


def bounded_prov(prov: Provenance, words: str) -> Provenance:
    """A turnover bounded only by the party's wider turnover says so."""
    shown = words if prov.display in {"not stated", "unknown"} else f"{prov.display}; {words}"
    note = f"Bounded by the party's wider turnover: {words}." + (f" {prov.note}" if prov.note else "")
    return replace(prov, display=shown, known=False, note=note)
