"""Engine facts for the relations between the parties: people and workforce moves, licences,
supply links and markets (split from :mod:`antitrust.facts`, which builds the rest)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from antitrust.deal import Fact
from antitrust.factbase import Interval, Provenance
from antitrust.factbase import interval as _interval
from antitrust.factbase import join as _join
from antitrust.facts import _bool, _fact_interval

if TYPE_CHECKING:
    from antitrust.facts import _Builder

def people(self: _Builder) -> None:
    for i, m in enumerate(self.deal.people):
        fact = self.add("person", {
            "person": m.person,
            "from_role": self.roles[m.from_party],
            "to_role": self.roles[m.to_party],
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
        elif w.share_moved is not None:
            share = _fact_interval(w.share_moved, 0, 100)
        fact = self.add("workforce", {
            "from_role": self.roles[w.from_party],
            "to_role": self.roles[w.to_party],
            "employees_moved": _fact_interval(w.employees_moved),
            "share_of_target_staff": share,
            "with_licence": _bool(w.with_licence),
            "with_waiver": _bool(w.with_waiver),
            "target_pivots_or_winds_down": _bool(w.target_pivots_or_winds_down),
        })
        for name in ("employees_moved", "with_licence", "with_waiver", "target_pivots_or_winds_down"):
            self.note(fact, name, self.fact_prov(getattr(w, name), f"{base}.{name}"))
        counted = w.employees_moved.known and w.target_headcount is not None and w.target_headcount.known
        self.note(fact, "share_of_target_staff", _join([
            self.fact_prov(w.employees_moved, f"{base}.employees_moved"),
            self.fact_prov(w.target_headcount, f"{base}.target_headcount")])
            if counted or w.share_moved is None else self.fact_prov(w.share_moved, f"{base}.share_moved", "%"))

def links(self: _Builder) -> None:
    for i, lic in enumerate(self.deal.licences):
        fact = self.add("licence", {
            "licensor_role": self.roles[lic.licensor],
            "licensee_role": self.roles[lic.licensee],
            "exclusive": _bool(lic.exclusive),
        })
        self.note(fact, "exclusive", self.fact_prov(lic.exclusive, f"licences[{i}].exclusive"))
    for i, s in enumerate(self.deal.supply):
        base = f"supply[{i}]"
        customer = self.deal.party(s.customer)
        competes = customer.competes_with_acquirer
        rival_of_target = customer.competes_with_target
        fact = self.add("supply", {
            "supplier": s.supplier,
            "customer": s.customer,
            "supplier_role": self.roles[s.supplier],
            "customer_role": self.roles[s.customer],
            "customer_competes_with_acquirer": _bool(competes),
            "customer_competes_with_target": _bool(rival_of_target),
            "share_of_supplier_revenue": _fact_interval(s.share_of_supplier_revenue, 0, 100),
            "input_importance": s.input_importance.value if s.input_importance and s.input_importance.known else None,
            # A customer that switches shows that alternatives exist.
            "alternatives_available": True if _bool(s.customer_switching) else _bool(s.alternatives_available),
            "customer_switching": _bool(s.customer_switching),
            "link_confidence": s.confidence or "high",
        })
        ci = self.deal.parties.index(customer)
        self.note(fact, "customer", Provenance(f"{base}.customer", customer.name))
        self.note(fact, "supplier", Provenance(f"{base}.supplier", self.deal.party(s.supplier).name))
        self.note(fact, "customer_competes_with_acquirer",
                  self.fact_prov(competes, f"parties[{ci}].competes_with_acquirer"))
        self.note(fact, "customer_competes_with_target",
                  self.fact_prov(rival_of_target, f"parties[{ci}].competes_with_target"))
        for name in ("share_of_supplier_revenue", "input_importance", "alternatives_available", "customer_switching"):
            self.note(fact, name, self.fact_prov(getattr(s, name), f"{base}.{name}"))
        self.note(fact, "link_confidence", Provenance(f"{base}.confidence", s.confidence or "high (not stated)"))
    for i, d in enumerate(self.deal.data_access):
        fact = self.add("data_link", {
            "party_role": self.roles[d.party],
            "about_role": self.roles[d.about],
            "competitively_sensitive": _bool(d.competitively_sensitive),
        })
        self.note(fact, "competitively_sensitive",
                  self.fact_prov(d.competitively_sensitive, f"data_access[{i}].competitively_sensitive"))
    for i, c in enumerate(self.deal.complements):
        fact = self.add("complement", {
            "a_role": self.roles[c.a],
            "b_role": self.roles[c.b],
            "kind": c.kind,
            "bundling_possible": _bool(c.bundling_possible),
        })
        self.note(fact, "bundling_possible", self.fact_prov(c.bundling_possible, f"complements[{i}].bundling_possible"))
        self.note(fact, "kind", Provenance(f"complements[{i}].kind", c.kind))


Bounds = tuple[float, float]


def share_bounds(f: Fact[float] | None) -> Bounds:
    """A market share as (lowest, highest) percent: a value, its bounds, or 0 to 100."""
    if f is None:
        return 0.0, 0.0
    if f.known:
        v = float(f.value or 0.0)
        return v, v
    return float(f.at_least or 0.0), float(100.0 if f.at_most is None else f.at_most)


def _side(bounds: list[Bounds]) -> Bounds:
    return min(100.0, sum(b[0] for b in bounds)), min(100.0, sum(b[1] for b in bounds))


def _rest_hhi(rest: float, largest: float) -> float:
    """The most HHI a remainder of ``rest`` points can add when no firm in it exceeds ``largest``."""
    if largest <= 0:
        return 0.0
    whole = int(rest // largest)
    return whole * largest ** 2 + (rest - whole * largest) ** 2


def hhi_bounds(acquirer: Bounds, target: Bounds, others: list[Bounds],
               rest_max: float = 100.0) -> tuple[Bounds, Bounds]:
    """(post-merger HHI, HHI increase) as intervals, by interval arithmetic over the shares.

    The share no listed firm accounts for (100 minus the listed shares) is unknown: at best it
    is spread over many small firms (adds nothing), at worst it is one firm (adds its square).
    The increase is twice the product of the two sides' shares."""
    listed_lo = acquirer[0] + target[0] + sum(o[0] for o in others)
    listed_hi = acquirer[1] + target[1] + sum(o[1] for o in others)
    rest = max(0.0, 100.0 - listed_lo)
    del listed_hi  # a remainder spread thin adds nothing to the lower bound
    post_lo = sum(o[0] ** 2 for o in others) + (acquirer[0] + target[0]) ** 2
    post_hi = sum(o[1] ** 2 for o in others) + (acquirer[1] + target[1]) ** 2 + _rest_hhi(rest, rest_max)
    delta = (2 * acquirer[0] * target[0], 2 * acquirer[1] * target[1])
    return (post_lo, min(10000.0, post_hi)), delta


def markets(self: _Builder) -> None:
    for i, m in enumerate(self.deal.markets):
        base = f"markets[{i}]"
        roles = self.roles
        acq = [share_bounds(ms.share) for ms in m.shares if roles[ms.party] == "acquirer"]
        tgt = [share_bounds(ms.share) for ms in m.shares if roles[ms.party] == "target"]
        others = [share_bounds(ms.share) for ms in m.shares if roles[ms.party] not in {"acquirer", "target"}]
        a, t = _side(acq), _side(tgt)
        combined = (min(100.0, a[0] + t[0]), min(100.0, a[1] + t[1]))
        if m.combined_share is not None:
            c = share_bounds(m.combined_share)
            combined = (max(combined[0], c[0]), min(combined[1], c[1]))
        fields: dict[str, Any] = {"market": m.id, "geography": m.geography}
        fields["acquirer_share"] = _interval(*a)
        fields["target_share"] = _interval(*t)
        fields["combined_share"] = _interval(*combined)
        if a[0] > 0 and t[0] > 0:
            fields["overlap"] = True
        elif a[1] == 0 or t[1] == 0:
            fields["overlap"] = False
        if m.overlap_size is not None and m.overlap_size.known:
            fields["overlap_size"] = m.overlap_size.value
            # A stated overlap, minor or significant, means both sides are active in the market.
            fields["overlap"] = m.overlap_size.value != "none"
        rest_max = 100.0
        if m.rest_max_share is not None:
            rest_max = share_bounds(m.rest_max_share)[1]
        (post_lo, post_hi), (d_lo, d_hi) = hhi_bounds(a, t, others, rest_max)
        fields["hhi_post"] = _interval(post_lo, post_hi)
        fields["hhi_delta"] = _interval(d_lo, d_hi)
        for role in ("acquirer", "target"):
            mine = [ms for ms in m.shares if roles[ms.party] == role]
            ranks = [ms.rank.value for ms in mine if ms.rank is not None and ms.rank.known and ms.rank.value]
            if ranks:
                fields[f"{role}_rank"] = _interval(min(ranks), min(ranks))
            flags = [ms.dominant for ms in mine if ms.dominant is not None]
            if any(f.known and f.value for f in flags):
                fields[f"{role}_dominant"] = True
            elif flags and all(f.known and not f.value for f in flags):
                fields[f"{role}_dominant"] = False
        fact = self.add("market", fields)
        provs = [self.fact_prov(ms.share, f"{base}.shares[{j}]", "%") for j, ms in enumerate(m.shares)]
        if m.combined_share is not None:
            provs.append(self.fact_prov(m.combined_share, f"{base}.combined_share", "%"))
        if m.rest_max_share is not None:
            provs.append(self.fact_prov(m.rest_max_share, f"{base}.rest_max_share", "%"))
        joined = _join(provs)
        for name in ("acquirer_share", "target_share", "combined_share", "hhi_post", "hhi_delta", "overlap"):
            self.note(fact, name, joined)
        self.note(fact, "overlap_size", self.fact_prov(m.overlap_size, f"{base}.overlap_size"))
        for role in ("acquirer", "target"):
            for j, ms in enumerate(m.shares):
                if roles[ms.party] == role:
                    self.note(fact, f"{role}_rank", self.fact_prov(ms.rank, f"{base}.shares[{j}].rank"))
                    self.note(fact, f"{role}_dominant", self.fact_prov(ms.dominant, f"{base}.shares[{j}].dominant"))
        self.note(fact, "market", Provenance(f"{base}.name", m.name))
