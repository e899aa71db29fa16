"""Flatten a :class:`Deal` into the small, typed facts the Rete network matches on.

Why many small facts: durable_rules lets one asserted fact match at most 64 rules, so a deal
is asserted as parties, stakes, rights, people, links, markets and per-jurisdiction figures.
Numbers become intervals ``{"lo": .., "hi": ..}``: an unknown turnover is ``{"lo": 0}`` (it
cannot be negative, nothing more is known), so "above €500m" can still be decided from the
other party's figure while "at most €17.5m" stays undetermined. Every field keeps its
provenance (deal-file path, source, confidence) for the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from antitrust.deal import DateFact, Deal, Fact, Party, Source, Turnover
from antitrust.factbase import Interval, Provenance
from antitrust.factbase import interval as _interval
from antitrust.factbase import join as _join
from antitrust.fxyears import FxYears, YearRate
from antitrust.leanfacts import Completion, LeanFact, Needs
from antitrust.money import Money, format_money
from antitrust.presumptions import Applied, Presumer
from antitrust.timeline import closed_by, law_date, months_since_closing
from antitrust.vocabulary import EU_MEMBER_STATES, FACT_TYPES


@dataclass(frozen=True)
class ConversionRecord:
    """A currency conversion made while flattening (shown in the report)."""

    what: str
    original: str
    rate_name: str
    rate: float
    rate_from: date
    result: str
    status: str
    #: Which year's average the rate is, e.g. "2012 average".
    rate_label: str = ""


class FlatDeal:
    """The engine facts of one deal and what the report needs to explain them.

    ``provenance`` and ``conversions`` only serve explanations (reports, margins, what-if). A
    flat deal built without them (``flatten(..., detail=False)``, as every evaluation does)
    works them out the first time they are read, by flattening the same deal again with
    them; flattening is deterministic, so fact ids and values are the same."""

    def __init__(self, facts: list[dict[str, Any]],
                 provenance: dict[tuple[str, str], Provenance] | None = None,
                 conversions: list[ConversionRecord] | None = None,
                 detail: Callable[[], FlatDeal] | None = None,
                 presumed: list[Applied] | None = None) -> None:
        self.facts = facts
        #: The presumptions and defaults applied to unknown or unstated fields, in order.
        self.presumed: list[Applied] = presumed if presumed is not None else []
        self._provenance = provenance if provenance is not None or detail is not None else {}
        self._conversions = conversions if conversions is not None or detail is not None else []
        self._detail = detail

    def _load(self) -> None:
        assert self._detail is not None
        full = self._detail()
        self._provenance, self._conversions, self._detail = full.provenance, full.conversions, None

    @property
    def provenance(self) -> dict[tuple[str, str], Provenance]:
        if self._provenance is None:
            self._load()
        assert self._provenance is not None
        return self._provenance

    @property
    def conversions(self) -> list[ConversionRecord]:
        if self._conversions is None:
            self._load()
        assert self._conversions is not None
        return self._conversions


class RateTable:
    """Converts money to EUR, USD and GBP with the annual FX averages (units per 1 EUR).

    ``rate`` gives the rate for the law date's year (parameter thresholds, the consideration);
    ``for_year`` the average of a given year: a turnover converts at its own financial year's rate.
    """

    def __init__(self, fx: FxYears, year: int) -> None:
        self.fx = fx
        #: The calendar year of the law date.
        self.year = year

    def rate(self, currency: str) -> tuple[float, date, str] | None:
        r = self.fx.rate(currency, self.year)
        if r is None:
            return None
        return (r.per_eur, date(r.year, 1, 1), r.status)

    def for_year(self, currency: str, year: int) -> YearRate | None:
        return self.fx.rate(currency, year)


def _fact_interval(f: Fact[Any] | None, floor: float | None = 0.0, ceiling: float | None = None) -> Interval:
    if f is None or f.unknown:
        lo = f.at_least if f is not None and f.at_least is not None else floor
        hi = f.at_most if f is not None and f.at_most is not None else ceiling
        return _interval(lo, hi)
    value = float(f.value)  # type: ignore[arg-type]  # known facts have a value
    return _interval(value, value)


def _display(f: Fact[Any] | None, unit: str = "") -> str:
    if isinstance(f, DateFact) and f.unknown:
        return f.display
    if f is None or f.unknown:
        if f is not None and (f.at_least is not None or f.at_most is not None):
            parts = []
            if f.at_least is not None:
                parts.append(f"at least {f.at_least}{unit}")
            if f.at_most is not None:
                parts.append(f"at most {f.at_most}{unit}")
            return "unknown (" + ", ".join(parts) + ")"
        return "unknown"
    v = f.value
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v}{unit}" if not isinstance(v, bool) else ("yes" if v else "no")


def _sources(f: Fact[Any] | None) -> tuple[str, ...]:
    if f is None or f.source is None:
        return ()
    return (str(f.source),)


#: What a flat deal built without detail records where provenance would be.
_NO_PROVENANCE = Provenance("", "")


class _Builder:
    def __init__(self, deal: Deal, as_of: date, rates: RateTable, today: date | None = None,
                 detail: bool = True, presumer: Presumer | None = None,
                 lean: Needs | None = None, completion: Completion | None = None) -> None:
        self.deal = deal
        #: Per figures fact type, the fields to compute (None: all; see antitrust.leanfacts).
        self.lean = lean
        self.completion = completion
        self.presumer = presumer or Presumer()
        self.as_of = as_of
        #: The date deadlines and "has the deal closed" are counted to (the law is that of as_of).
        self.today = today or as_of
        self.rates = rates
        self.detail = detail
        self.flat = FlatDeal(facts=[], provenance={}, conversions=[])
        #: (fact id, field) -> provenance of a presumed value (notes of that field use it).
        self._presumed_prov: dict[tuple[str, str], Provenance] = {}
        #: Party id -> its role (read by the builders of the other facts, facts_*.py).
        self.roles = {p.id: p.role for p in deal.parties}
        self._turnovers: list[dict[str, Turnover]] | None = None
        #: (party index, area) -> the party's turnover bounds there (memo of facts_figures.area_bound).
        self.area_bounds: dict[tuple[int, str], tuple[dict[str, float], str] | None] = {}
        #: Per side, whether any of its parties states where it is active (or not).
        self._states_activity = {role: any(p.domestic_activity for p in deal.parties if p.role == role)
                                 for role in ("acquirer", "target")}

    # -- helpers -----------------------------------------------------------------------------
    def presume(self, t: str, fields: dict[str, Any], unstated: dict[str, str] | None = None) -> None:
        """Apply presumptions and defaults to the fact about to be added (``fields``, in place).
        ``unstated``: deal-file fields the deal file left out -> their paths."""
        if not unstated and t not in self.presumer.by_type:
            return  # no default (they fill unstated fields) and no presumption about this type
        applied = self.presumer.fill(t, f"f{len(self.flat.facts)}", fields, unstated or {})
        self.flat.presumed += applied
        for a in applied:
            self._presumed_prov[(a.fact_id, a.field)] = Provenance(
                path=a.path or "(not stated)", display=a.value_text, confidence="medium", known=True,
                note=f"assumed, please confirm: {a.statement}")

    def add(self, t: str, fields: dict[str, Any], unstated: dict[str, str] | None = None) -> dict[str, Any]:
        # Explicit, collision-free ids: durable_rules identifies facts by a 32-bit hash otherwise.
        self.presume(t, fields, unstated)
        fact = {"t": t, "id": f"f{len(self.flat.facts)}"}
        vocabulary = FACT_TYPES[t]
        for name, value in fields.items():
            if value is None or value == {}:
                continue  # absent means unknown to the compiled conditions
            assert name in vocabulary, f"{t}.{name} is not in the vocabulary"
            fact[name] = value
        self.flat.facts.append(fact)
        return fact

    def lean_fact(self, fact: dict[str, Any], fields: dict[str, Any], needed: frozenset[str]) -> None:
        """Make the fact just added a lean fact, completed on demand. It holds ``fields`` (as
        computed, presumptions applied) exactly as a whole flattening does, and every ``needed``
        field (the lean flattening computes each of them, so one it left out is absent from the
        whole fact too)."""
        assert self.completion is not None and self.flat.facts[-1] is fact
        index = len(self.flat.facts) - 1
        self.flat.facts[index] = LeanFact(fact, needed.union(fields, ("t", "id")), self.completion, index)

    def note(self, fact: dict[str, Any], name: str, prov: Provenance) -> None:
        if self.detail:
            # A presumed value says so, and where to confirm it.
            prov = self._presumed_prov.get((fact["id"], name), prov)
            self.flat.provenance[(fact["id"], name)] = prov

    def fact_prov(self, f: Fact[Any] | None, path: str, unit: str = "") -> Provenance:
        if not self.detail:
            return _NO_PROVENANCE
        return Provenance(
            path=path,
            display=_display(f, unit),
            sources=_sources(f),
            confidence=f.confidence if f is not None else "high",
            known=f is not None and f.known,
            note=f.note if f is not None else None,
            alternatives=tuple(
                f"{a.value}" + (f" ({a.source})" if a.source else "") for a in (f.alternatives if f else [])
            ),
        )

    def money(self, f: Fact[Money] | None, what: str, year: int | None) -> dict[str, Interval]:
        """Convert a money fact into EUR, USD and GBP intervals, recording each conversion."""
        out: dict[str, Interval] = {}
        for code in ("EUR", "USD", "GBP"):
            lo, hi = self.convert_bounds(f, code, what, year)
            out[code] = _interval(lo, hi)
        return out

    def convert_bounds(
        self, f: Fact[Money] | None, code: str, what: str, year: int | None
    ) -> tuple[float | None, float | None]:
        if f is None:
            return 0.0, None
        candidates: list[tuple[str, Money | None]] = (
            [("value", f.value)] if f.known else [("at_least", f.at_least), ("at_most", f.at_most)]
        )
        lo: float | None = 0.0
        hi: float | None = None
        for which, m in candidates:
            if m is None:
                continue
            converted = self.convert(m, code, what, year)
            if converted is None:
                # No rate: nothing can be said in this currency beyond "not negative".
                return 0.0, None
            if which in {"value", "at_least"}:
                lo = converted
            if which in {"value", "at_most"}:
                hi = converted
        return lo, hi

    def turnover_year(self, t: Turnover | None) -> int:
        """The financial year a turnover belongs to: as stated, else the last full year before the law
        date (the thresholds look at the preceding financial year)."""
        return t.year if t is not None and t.year is not None else self.as_of.year - 1

    def convert(self, m: Money, code: str, what: str, year: int | None) -> float | None:
        """``m`` in ``code`` at the average rate of ``year`` (the financial year a turnover belongs
        to); without a year, at the law date's year."""
        if m.currency == code:
            return m.amount
        done = self.rates.fx.convert(m.amount, m.currency, code, year if year is not None else self.rates.year)
        if done is None:
            return None
        result, used = done
        if not self.detail:
            return result
        self.flat.conversions.append(
            ConversionRecord(
                what=what,
                original=str(m),
                rate_name=used.name,
                rate=used.per_eur,
                rate_from=date(used.year, 1, 1),
                result=format_money(result, code),
                status=used.status,
                rate_label=used.label(),
            )
        )
        return result

    # -- facts -------------------------------------------------------------------------------
    def build(self) -> FlatDeal:
        from antitrust import facts_figures as figures  # imports this module's helpers
        from antitrust import facts_interests as interests
        from antitrust import facts_relations as relations

        self.deal_fact()
        for i, p in enumerate(self.deal.parties):
            self.party_fact(i, p)
        figures.figures(self)
        self.stakes()
        self.governance()
        interests.economic_interests(self)
        relations.people(self)
        relations.links(self)
        relations.markets(self)
        return self.flat

    def deal_fact(self) -> None:
        tx = self.deal.transaction
        year = None
        fields: dict[str, Any] = {f"is_{k}": (k in tx.types) for k in (
            "share_acquisition", "asset_acquisition", "licence", "hiring", "joint_venture", "partnership"
        )}
        cons = self.money(tx.consideration, "consideration", year) if tx.consideration else {}
        val = self.money(tx.target_valuation, "target valuation", year) if tx.target_valuation else {}
        for code in ("EUR", "USD", "GBP"):
            fields[f"consideration_{code.lower()}"] = cons.get(code, {"lo": 0})
            fields[f"valuation_{code.lower()}"] = val.get(code, {"lo": 0})
        fields["payout_to_holders"] = _bool(tx.payout_to_holders)
        fields["structured_to_avoid_review"] = _bool(tx.structured_to_avoid_review)
        fields["completed"] = closed_by(self.deal, self.today)
        fields["closing_date"] = tx.closing.display if tx.closing is not None else None
        fields["months_since_closing"] = months_since_closing(self.deal, self.today)
        acquirers = sum(1 for p in self.deal.parties if p.role == "acquirer")
        fields["acquirers"] = _interval(acquirers, acquirers)
        fact = self.add("deal", fields)
        targets = [p.id for p in self.deal.parties if p.role == "target"]
        owned = self.add("ownership", {"target_equity": self._acquirer_equity(targets[0])})
        stakes = [j for j, s in enumerate(self.deal.stakes)
                  if s.issuer == targets[0] and self.roles[s.holder] == "acquirer"]
        self.note(owned, "target_equity", _join(
            [self.fact_prov(self.deal.stakes[j].equity_after, f"stakes[{j}].equity_after", "%") for j in stakes])
            if stakes else Provenance("stakes", "0% (no stake of the acquirer stated)"))
        base = "transaction"
        for code in ("eur", "usd", "gbp"):
            self.note(fact, f"consideration_{code}", self.fact_prov(tx.consideration, f"{base}.consideration"))
            self.note(fact, f"valuation_{code}", self.fact_prov(tx.target_valuation, f"{base}.target_valuation"))
        self.note(fact, "payout_to_holders", self.fact_prov(tx.payout_to_holders, f"{base}.payout_to_holders"))
        self.note(fact, "structured_to_avoid_review",
                  self.fact_prov(tx.structured_to_avoid_review, f"{base}.structured_to_avoid_review"))
        for k in ("share_acquisition", "asset_acquisition", "licence", "hiring", "joint_venture", "partnership"):
            self.note(fact, f"is_{k}", Provenance(f"{base}.types", "yes" if k in tx.types else "no"))
        self.note(fact, "completed", self.fact_prov(tx.closing, f"{base}.closing"))
        self.note(fact, "closing_date", self.fact_prov(tx.closing, f"{base}.closing"))
        self.note(fact, "months_since_closing", self.fact_prov(tx.closing, f"{base}.closing"))
        self.note(fact, "acquirers", Provenance("(parties with the role acquirer)", str(acquirers)))

    def party_fact(self, i: int, p: Party) -> None:
        world = next((t for t in p.turnover if t.jurisdiction == "WORLD"), None)
        wt = self.money(world.amount if world else None, f"{p.name} worldwide turnover", self.turnover_year(world))
        assets = self.money(p.assets, f"{p.name} assets", None)
        fields: dict[str, Any] = {
            "party": p.id,
            "role": p.role,
            "corporate_form": p.corporate_form,
            "eu_gatekeeper": _bool(p.eu_gatekeeper),
            "uk_sms": _bool(p.uk_sms),
            "competes_with_acquirer": _bool(p.competes_with_acquirer),
            "dominant": _bool(p.dominant),
            "uk_share_of_supply": _fact_interval(p.uk_share_of_supply, 0.0, 100.0),
            "competes_with_target": _bool(p.competes_with_target),
            "emerging_rival": _bool(p.emerging_rival),
            "users": _fact_interval(p.users),
        }
        for code in ("EUR", "USD", "GBP"):
            fields[f"worldwide_turnover_{code.lower()}"] = wt[code]
            fields[f"assets_{code.lower()}"] = assets[code]
        fact = self.add("party", fields)
        base = f"parties[{i}]"
        for name in ("eu_gatekeeper", "uk_sms", "competes_with_acquirer", "dominant", "uk_share_of_supply",
                     "competes_with_target", "emerging_rival", "users"):
            self.note(fact, name, self.fact_prov(getattr(p, name), f"{base}.{name}"))
        for code in ("eur", "usd", "gbp"):
            self.note(fact, f"worldwide_turnover_{code}",
                      self.fact_prov(world.amount if world else None, f"{base}.turnover[WORLD]"))
            self.note(fact, f"assets_{code}", self.fact_prov(p.assets, f"{base}.assets"))

    def _acquirer_equity(self, party_id: str) -> Interval:
        """The acquiring side's share of a party's capital after the deal (0 without a stake)."""
        lo = hi = 0.0
        for s in self.deal.stakes:
            if s.issuer == party_id and self.roles[s.holder] == "acquirer":
                b = _fact_interval(s.equity_after, 0, 100)
                lo, hi = lo + b.get("lo", 0), hi + b.get("hi", 100)
        return _interval(min(lo, 100.0), min(hi, 100.0))

    def turnovers(self) -> list[dict[str, Turnover]]:
        """Per party (in deal order), its turnover statements by jurisdiction code (the first
        statement of a jurisdiction counts, as everywhere else)."""
        if self._turnovers is None:
            self._turnovers = []
            for p in self.deal.parties:
                by_code: dict[str, Turnover] = {}
                for t in p.turnover:
                    by_code.setdefault(t.jurisdiction, t)
                self._turnovers.append(by_code)
        return self._turnovers

    def uk_combined_share(self) -> Any:
        """Bounds on the parties' combined UK share of supply of any one description. Each party's
        ``uk_share_of_supply`` is its largest share of any description, so in any one description
        the two together hold at most the sum of those, and at least the larger of them."""
        lows, highs = [], []
        for p in self.deal.parties:
            if p.role not in ("acquirer", "target"):
                continue
            b = _fact_interval(p.uk_share_of_supply, 0.0, 100.0)
            lows.append(b.get("lo", 0.0))
            highs.append(b.get("hi", 100.0))
        if not highs:
            return _interval(0.0, 100.0)
        return _interval(max(lows), min(100.0, sum(highs)))

    def active(self, role: str, code: str) -> bool | None:
        if not self._states_activity[role]:
            return None  # no party of this side states where it is active
        values = [p.domestic_activity.get(code) for p in self.deal.parties if p.role == role]
        if any(v is not None and v.known and v.value for v in values):
            return True
        if values and all(v is not None and v.known and not v.value for v in values):
            return False
        if code == "EU":
            # Active in the EU if active in any member state.
            states = [p.domestic_activity.get(s) for p in self.deal.parties if p.role == role for s in EU_MEMBER_STATES]
            if any(v is not None and v.known and v.value for v in states):
                return True
        return None

    def stakes(self) -> None:
        for i, s in enumerate(self.deal.stakes):
            base = f"stakes[{i}]"
            eq_b, eq_a = _fact_interval(s.equity_before, 0, 100), _fact_interval(s.equity_after, 0, 100)
            vo_b, vo_a = _fact_interval(s.voting_before, 0, 100), _fact_interval(s.voting_after, 0, 100)
            cls = s.share_class.value if s.share_class.known else None
            convertible = None
            if cls is not None:
                convertible = cls == "convertible" and (s.conversion is None or s.conversion.into == "voting")
            fields: dict[str, Any] = {
                "holder": s.holder,
                "issuer": s.issuer,
                "holder_role": self.roles[s.holder],
                "issuer_role": self.roles[s.issuer],
                "equity_before": eq_b,
                "equity_after": eq_a,
                "voting_before": vo_b,
                "voting_after": vo_a,
                "share_class": cls,
                "convertible_into_voting": convertible,
                "solely_for_investment": _bool(s.solely_for_investment),
            }
            # Presumed before the differences are taken, so "acquired" follows what was presumed.
            self.presume("stake", fields, {name: f"{base}.{name}" for name in ("equity_before", "voting_before")
                                           if getattr(s, name) is None})
            fields["equity_acquired"] = _difference(fields["equity_after"], fields["equity_before"])
            fields["voting_acquired"] = _difference(fields["voting_after"], fields["voting_before"])
            fact = self.add("stake", fields)
            for name in ("equity_before", "equity_after", "voting_before", "voting_after"):
                self.note(fact, name, self.fact_prov(getattr(s, name), f"{base}.{name}", "%"))
            self.note(fact, "equity_acquired", _join([
                self.fact_prov(s.equity_after, f"{base}.equity_after", "%"),
                self.fact_prov(s.equity_before, f"{base}.equity_before", "%")]))
            self.note(fact, "voting_acquired", _join([
                self.fact_prov(s.voting_after, f"{base}.voting_after", "%"),
                self.fact_prov(s.voting_before, f"{base}.voting_before", "%")]))
            self.note(fact, "share_class", self.fact_prov(s.share_class, f"{base}.share_class"))
            self.note(fact, "convertible_into_voting", self.fact_prov(s.share_class, f"{base}.share_class"))
            self.note(fact, "solely_for_investment",
                      self.fact_prov(s.solely_for_investment, f"{base}.solely_for_investment"))

    def governance(self) -> None:
        for i, g in enumerate(self.deal.governance):
            base = f"governance[{i}]"
            fields: dict[str, Any] = {
                "holder": g.holder,
                "issuer": g.issuer,
                "holder_role": self.roles[g.holder],
                "issuer_role": self.roles[g.issuer],
                "board_seats": _fact_interval(g.board_seats),
                "board_observers": _fact_interval(g.board_observers),
                "information_rights": _bool(g.information_rights),
                "exclusivity": _bool(g.exclusivity),
            }
            vetoes = g.vetoes.value if g.vetoes is not None and g.vetoes.known else None
            for veto in ("budget", "business_plan", "senior_management", "major_investments", "other"):
                fields[f"veto_{veto}"] = None if vetoes is None else veto in vetoes
            # Presumed before the board share is worked out from the seats.
            self.presume("governance", fields, {name: f"{base}.{name}" for name in
                                                ("board_seats", "board_observers", "vetoes")
                                                if getattr(g, name) is None})
            seats = fields["board_seats"]
            share: Interval = {"lo": 0, "hi": 100}
            if (g.board_size is not None and g.board_size.known and g.board_size.value
                    and "lo" in seats and seats.get("lo") == seats.get("hi")):
                pct = 100.0 * seats["lo"] / g.board_size.value
                share = _interval(pct, pct)
            fields["board_share"] = share
            fact = self.add("governance", fields)
            for name in ("board_seats", "board_observers", "information_rights", "exclusivity"):
                self.note(fact, name, self.fact_prov(getattr(g, name), f"{base}.{name}"))
            self.note(fact, "board_share", self.fact_prov(g.board_size, f"{base}.board_size"))
            for veto in ("budget", "business_plan", "senior_management", "major_investments", "other"):
                self.note(fact, f"veto_{veto}", self.fact_prov(g.vetoes, f"{base}.vetoes"))

        # A stake whose governance the deal file does not describe: its rights are unknown, not
        # absent, so control and influence tests stay open instead of failing silently.
        described = {(g.holder, g.issuer) for g in self.deal.governance}
        for i, s in enumerate(self.deal.stakes):
            if (s.holder, s.issuer) in described:
                continue
            described.add((s.holder, s.issuer))
            fact = self.add("governance", {
                "holder": s.holder,
                "issuer": s.issuer,
                "holder_role": self.roles[s.holder],
                "issuer_role": self.roles[s.issuer],
                "board_seats": {"lo": 0},
                "board_observers": {"lo": 0},
                "board_share": {"lo": 0, "hi": 100},
            })
            unstated = Provenance(f"governance (not stated for stakes[{i}])", "unknown", known=False)
            for name in FACT_TYPES["governance"]:
                self.note(fact, name, unstated)


def _bool(f: Fact[bool] | None) -> bool | None:
    return None if f is None or f.unknown else bool(f.value)


def _difference(after: Interval, before: Interval) -> Interval:
    lo = after["lo"] - before["hi"] if "lo" in after and "hi" in before else None
    hi = after["hi"] - before["lo"] if "hi" in after and "lo" in before else None
    return _interval(lo, hi)


def flatten(deal: Deal, as_of: date, rates: RateTable, today: date | None = None, *,
            detail: bool = True, presumer: Presumer | None = None, lean: Needs | None = None) -> FlatDeal:
    """The engine facts for ``deal`` under the law of ``as_of``, with the deal's state on ``today``.

    ``presumer`` applies presumptions and the deal format's defaults to unknown and unstated
    fields (without one, only the defaults apply). Without ``detail``, provenance and conversion
    records are left out and worked out when first read (see :class:`FlatDeal`); with ``lean``
    as well, the figures facts hold only the fields it names and are completed when first read
    otherwise (see :mod:`antitrust.leanfacts`)."""
    if detail:
        return _Builder(deal, as_of, rates, today, presumer=presumer).build()
    completion = None
    if lean is not None:
        completion = Completion(
            lambda: _Builder(deal, as_of, rates, today, detail=False, presumer=presumer).build().facts)
    flat = _Builder(deal, as_of, rates, today, detail=False, presumer=presumer, lean=lean,
                    completion=completion).build()
    return FlatDeal(flat.facts, presumed=flat.presumed,
                    detail=lambda: _Builder(deal, as_of, rates, today, presumer=presumer).build())


def relevant_date(deal: Deal, today: date) -> date:
    """The date whose law applies: closing, else signing, else announcement (see timeline.law_date)."""
    return law_date(deal, today).at


__all__ = ["ConversionRecord", "FlatDeal", "Provenance", "RateTable", "Source", "flatten", "relevant_date"]
