"""Engine facts for the relations between the parties: people and workforce moves, licences,
supply links and markets (split from :mod:`antitrust.facts`, which builds the rest)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from antitrust.deal import Fact
from antitrust.facts import Interval, Provenance, _bool, _fact_interval, _interval, _join

if TYPE_CHECKING:
    from antitrust.facts import _Builder

def people(self: _Builder) -> None:
    for i, m in enumerate(self.deal.people):
        fact = self.add("person", {
            "person": m.person,
            "from_role": self._roles[m.from_party],
            "to_role": self._roles[m.to_party],
            "seniority": m.seniority,
            "keeps_board_seat": _bool(m.keeps_board_seat),
        })
        base = f"people[{i}]"
        self.note(fact, "person", Provenance(f"{base}.person", m.person))
        self.note(fact, "seniority", Provenance(f"{base}.seniority", m.seniority))
        self.note(fact, "keeps_board_seat", self.fact_prov(m.keeps_board_seat, f"{base}.keeps_board_seat"))
    for i, w in enumerate(self.deal.workforce):
        base = f"workforce[{i}]"
        share: Interval = {"lo": 0, "hi": 100}
        if w.employees_moved.known and w.target_headcount is not None and w.target_headcount.known:
            head = w.target_headcount.value or 0
            pct = 100.0 * w.employees_moved.value / head if head else 0.0  # type: ignore[operator]
            share = _interval(min(pct, 100.0), min(pct, 100.0))
        fact = self.add("workforce", {
            "from_role": self._roles[w.from_party],
            "to_role": self._roles[w.to_party],
            "employees_moved": _fact_interval(w.employees_moved),
            "share_of_target_staff": share,
            "with_licence": _bool(w.with_licence),
            "with_waiver": _bool(w.with_waiver),
            "target_pivots_or_winds_down": _bool(w.target_pivots_or_winds_down),
        })
        for name in ("employees_moved", "with_licence", "with_waiver", "target_pivots_or_winds_down"):
            self.note(fact, name, self.fact_prov(getattr(w, name), f"{base}.{name}"))
        self.note(fact, "share_of_target_staff", _join([
            self.fact_prov(w.employees_moved, f"{base}.employees_moved"),
            self.fact_prov(w.target_headcount, f"{base}.target_headcount")]))

def links(self: _Builder) -> None:
    for i, lic in enumerate(self.deal.licences):
        fact = self.add("licence", {
            "licensor_role": self._roles[lic.licensor],
            "licensee_role": self._roles[lic.licensee],
            "exclusive": _bool(lic.exclusive),
        })
        self.note(fact, "exclusive", self.fact_prov(lic.exclusive, f"licences[{i}].exclusive"))
    for i, s in enumerate(self.deal.supply):
        base = f"supply[{i}]"
        customer = self.deal.party(s.customer)
        competes = customer.competes_with_acquirer
        fact = self.add("supply", {
            "supplier": s.supplier,
            "customer": s.customer,
            "supplier_role": self._roles[s.supplier],
            "customer_role": self._roles[s.customer],
            "customer_competes_with_acquirer": _bool(competes),
            "share_of_supplier_revenue": _fact_interval(s.share_of_supplier_revenue, 0, 100),
            "input_importance": s.input_importance.value if s.input_importance and s.input_importance.known else None,
            "alternatives_available": _bool(s.alternatives_available),
        })
        ci = self.deal.parties.index(customer)
        self.note(fact, "customer", Provenance(f"{base}.customer", customer.name))
        self.note(fact, "supplier", Provenance(f"{base}.supplier", self.deal.party(s.supplier).name))
        self.note(fact, "customer_competes_with_acquirer",
                  self.fact_prov(competes, f"parties[{ci}].competes_with_acquirer"))
        for name in ("share_of_supplier_revenue", "input_importance", "alternatives_available"):
            self.note(fact, name, self.fact_prov(getattr(s, name), f"{base}.{name}"))

def markets(self: _Builder) -> None:
    for i, m in enumerate(self.deal.markets):
        base = f"markets[{i}]"
        shares = {ms.party: ms.share for ms in m.shares}
        acq = [shares[p.id] for p in self.deal.parties if p.role == "acquirer" and p.id in shares]
        tgt = [shares[p.id] for p in self.deal.parties if p.role == "target" and p.id in shares]
        all_known = all(s.known for s in shares.values())
        fields: dict[str, Any] = {"market": m.id, "geography": m.geography}
        a = sum(_share(s) for s in acq) if all(s.known for s in acq) else None
        t = sum(_share(s) for s in tgt) if all(s.known for s in tgt) else None
        fields["acquirer_share"] = _interval(a, a) if a is not None else {"lo": 0, "hi": 100}
        fields["target_share"] = _interval(t, t) if t is not None else {"lo": 0, "hi": 100}
        if a is not None and t is not None:
            fields["combined_share"] = _interval(a + t, a + t)
            fields["overlap"] = a > 0 and t > 0
        if all_known and a is not None and t is not None:
            others = sum(_share(s) ** 2 for p, s in shares.items()
                         if self._roles[p] not in {"acquirer", "target"})
            pre = others + sum(_share(s) ** 2 for s in acq + tgt)
            post = others + (a + t) ** 2
            fields["hhi_post"] = _interval(post, post)
            fields["hhi_delta"] = _interval(post - pre, post - pre)
        fact = self.add("market", fields)
        joined = _join([self.fact_prov(ms.share, f"{base}.shares[{j}]", "%") for j, ms in enumerate(m.shares)])
        for name in ("acquirer_share", "target_share", "combined_share", "hhi_post", "hhi_delta", "overlap"):
            self.note(fact, name, joined)
        self.note(fact, "market", Provenance(f"{base}.name", m.name))


def _share(f: Fact[float]) -> float:
    """A known market share (callers check ``known`` first)."""
    return float(f.value or 0.0)
