"""The deal file: what is known about one transaction, with sources.

Every fact may carry a ``source`` (a seeds/ digest id and a locator), a ``confidence`` and
conflicting ``alternatives``; any fact may be stated as ``unknown``, which is never the same as
false or zero. Shorthand is accepted so files stay readable::

    equity_after: 49                                   # a plain value
    equity_after: {value: 49, source: "seed-000#p3"}   # with its source
    domestic_activity: unknown                         # explicitly unknown
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from typing_extensions import TypeAliasType

from antitrust.datefacts import period, range_text
from antitrust.money import Money
from antitrust.vocabulary import FIGURE_JURISDICTIONS

SCHEMA_VERSION = 1
T = TypeVar("T")
Confidence = Literal["high", "medium", "low"]
#: Years a deal's dates and financial years may fall in.
FIRST_YEAR, LAST_YEAR = 1900, 2200

#: A percentage: a finite number from 0 to 100.
Pct = TypeAliasType("Pct", Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)])
#: A count of seats, people or observers: a whole number from 0 to a billion.
Count = TypeAliasType("Count", Annotated[int, Field(ge=0, le=10**9)])


def _plausible_date(d: date) -> date:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise ValueError(f"year {d.year} is outside {FIRST_YEAR} to {LAST_YEAR}")
    return d


Day = TypeAliasType("Day", Annotated[date, AfterValidator(_plausible_date)])


def _finite(value: object) -> object:
    """Numbers anywhere in a value (alternatives are untyped) must be finite."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    if isinstance(value, dict):
        for v in value.values():
            _finite(v)
    elif isinstance(value, list):
        for v in value:
            _finite(v)
    return value


class _Strict(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Source(_Strict):
    """Where a fact comes from: a seeds/ digest id and a locator inside it (e.g. ``p3``)."""

    doc: str = Field(description="Id of a digest in seeds/ (or another cited document).")
    locator: str | None = Field(None, description="Paragraph or section, e.g. 'p3'.")
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        # "meta-scale-de-2025#p3" is shorthand for {doc: ..., locator: p3}
        if isinstance(data, str):
            doc, _, locator = data.partition("#")
            return {"doc": doc, "locator": locator or None}
        return data

    def __str__(self) -> str:
        return f"{self.doc}#{self.locator}" if self.locator else self.doc


class Alternative(_Strict):
    """A value another source reports for the same fact (sources disagree)."""

    value: Annotated[Any, AfterValidator(_finite)]
    source: Source | None = None
    note: str | None = None


class Fact(_Strict, Generic[T]):
    """A value with provenance, or an explicit ``unknown``; bounds allow partial knowledge."""

    value: T | None = None
    unknown: bool = False
    at_least: T | None = Field(None, description="Known lower bound when the value is unknown.")
    at_most: T | None = Field(None, description="Known upper bound when the value is unknown.")
    source: Source | None = None
    confidence: Confidence = "high"
    alternatives: list[Alternative] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        return _fact_shorthand(data)

    @model_validator(mode="after")
    def _value_or_unknown(self) -> Fact[T]:
        if self.unknown and self.value is not None:
            raise ValueError("a fact is either given a value or marked unknown, not both")
        if not self.unknown and self.value is None:
            raise ValueError("give a value, or write 'unknown'")
        lo, hi = self.at_least, self.at_most
        if isinstance(lo, int | float) and isinstance(hi, int | float) and lo > hi:
            raise ValueError(f"at_least ({lo}) is above at_most ({hi})")
        return self

    @property
    def known(self) -> bool:
        return not self.unknown


def _fact_shorthand(data: object) -> object:
    if data is None or data == "unknown":
        return {"unknown": True}
    if isinstance(data, dict):
        if ("at_least" in data or "at_most" in data) and "value" not in data:
            return {**data, "unknown": True}
        return data
    return {"value": data}


Percent = Fact[Pct]
_ISO_DAY = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


class DateFact(Fact[Day]):
    """A date: ``2025-06-13``; a month ``2024-06`` or a year ``2024`` (any day of it); or a range
    ``{at_least: 2024-06-01, at_most: 2024-09-30}``; or ``unknown``. A month or year is stored
    as a range."""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        value: Any = data.get("value") if isinstance(data, dict) else data
        span = period(value)
        if span is not None:
            given = value if isinstance(value, str) else str(value)
            rest = {k: v for k, v in data.items() if k != "value"} if isinstance(data, dict) else {}
            note = rest.get("note") or f"given as {given.strip()}"
            return {**rest, "unknown": True, "at_least": span[0], "at_most": span[1], "note": note}
        if isinstance(value, str) and value.strip() != "unknown" and not _ISO_DAY.match(value):
            raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM for a month or YYYY for a year")
        return _fact_shorthand(data)

    @model_validator(mode="after")
    def _ordered(self) -> DateFact:
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least {self.at_least} is after at_most {self.at_most}")
        return self

    @property
    def span(self) -> tuple[date | None, date | None]:
        """(first, last) possible day; both None when nothing is known."""
        if self.known:
            return self.value, self.value
        return self.at_least, self.at_most

    @property
    def display(self) -> str:
        return range_text(*self.span)


class Turnover(_Strict):
    """A party's turnover in one jurisdiction (ISO country code, EU, or WORLD)."""

    jurisdiction: str = Field(description="WORLD, EU, or a country code such as DE, US, UK.")
    amount: Fact[Money]
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="Financial year the figure belongs to.")

    @field_validator("jurisdiction")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class Party(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Short id used elsewhere in the file.")
    name: str
    role: Literal["acquirer", "target", "seller", "other"]
    ultimate_parent: str | None = None
    corporate_form: Literal["corporation", "llc", "partnership", "other"] | None = None
    sectors: list[str] = Field(default_factory=list)
    turnover: list[Turnover] = Field(default_factory=list)
    assets: Fact[Money] | None = None
    #: Jurisdictions (codes) where the party is active to a substantial extent.
    domestic_activity: dict[str, Fact[bool]] = Field(default_factory=dict)
    #: Designations under digital-markets regimes, e.g. EU DMA gatekeeper, UK SMS.
    eu_gatekeeper: Fact[bool] | None = None
    uk_sms: Fact[bool] | None = None
    #: Whether the party competes with the acquirer (for customers, rivals, targets).
    competes_with_acquirer: Fact[bool] | None = None
    competes_with_target: Fact[bool] | None = Field(
        None, description="Whether the party competes with the target (a customer of the acquirer that is the "
                          "target's rival).")
    emerging_rival: Fact[bool] | None = Field(
        None, description="Evidence that the party could grow into a significant rival of the acquirer: fast "
                          "growth, a new product that wins customers, a pipeline, investors backing its entry.")
    users: Fact[Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]] | None = Field(
        None, description="Number of users or customers (monthly active users).")
    dominant: Fact[bool] | None = Field(None, description="Holds a dominant or durable leading position.")
    #: UK share of supply of any reasonable description (percent), where one is known.
    uk_share_of_supply: Fact[Pct] | None = None


TransactionType = Literal[
    "share_acquisition", "asset_acquisition", "licence", "hiring", "joint_venture", "partnership"
]


class Transaction(_Strict):
    types: list[TransactionType] = Field(min_length=1)
    announced: DateFact | None = Field(None, description="Public announcement: a date, a month (2024-06) or a range.")
    signed: DateFact | None = Field(None, description="Signing: a date, a month or a range.")
    closing: DateFact | None = Field(
        None, description="Closing (completion): a date, a month or a range. Decides the law date; a range "
        "that spans a change in the law is warned about.")
    consideration: Fact[Money] | None = None
    target_valuation: Fact[Money] | None = None
    #: Money paid out to the target's holders instead of buying shares from them.
    payout_to_holders: Fact[bool] | None = None
    #: The parties themselves said the structure was chosen with merger control in mind.
    structured_to_avoid_review: Fact[bool] | None = None
    description: str | None = None


class Conversion(_Strict):
    into: Literal["voting", "non_voting"] = "voting"
    conditions: str | None = None


class Stake(_Strict):
    holder: str
    issuer: str
    equity_before: Fact[Pct] | None = Field(
        None, description="Share of the capital held before the deal. Left out, it is taken as 0 and the report "
                          "says so wherever a verdict relies on it ('assumed, please confirm'); --strict leaves it "
                          "unknown.")
    equity_after: Fact[Pct]
    voting_before: Fact[Pct] | None = Field(
        None, description="Share of the votes held before the deal; left out, taken as 0 and stated as an "
                          "assumption (see equity_before).")
    voting_after: Fact[Pct]
    share_class: Fact[Literal["voting", "non_voting", "convertible", "mixed"]]
    conversion: Conversion | None = None
    #: Held solely for investment, with no intention to take part in business decisions.
    solely_for_investment: Fact[bool] | None = None


class StepStake(_Strict):
    """What one step of a staged deal acquires: percentage points of equity and of votes."""

    holder: str
    issuer: str
    equity: Fact[float] = Field(description="Equity acquired in this step (percentage points).")
    voting: Fact[float] = Field(description="Votes acquired in this step (percentage points).")
    share_class: Fact[Literal["voting", "non_voting", "convertible", "mixed"]] | None = Field(
        None, description="Class of the shares acquired in this step (default: the stake's class).")


class Step(_Strict):
    """One dated step of a staged transaction (e.g. a 2019, a 2023 and a 2025 investment).

    The steps add up to the stakes: for each holder and issuer, ``equity_before`` plus the equity
    of every step is ``equity_after`` (the same for votes). Each step is evaluated under the law
    of its own date with the position built up so far; the deal as a whole is the cumulative
    position."""

    label: str = Field(min_length=1, description="E.g. 'Series F investment'.")
    on: DateFact = Field(description="Closing of this step: a date, a month or a range.")
    acquired: list[StepStake] = Field(min_length=1)
    consideration: Fact[Money] | None = None
    source: Source | None = None
    note: str | None = None


class EconomicInterest(_Strict):
    """A right to a share of the issuer's profits or value that is not a shareholding: a profit
    participation (a silent partnership, profit-participation rights, a profit-sharing loan), a
    revenue share, a tracking or phantom interest. It carries no votes and is not counted as shares."""

    holder: str
    issuer: str
    kind: Fact[Literal["profit_participation", "revenue_share", "tracking_interest", "other"]] = Field(
        description="profit_participation, revenue_share, tracking_interest or other.")
    profit_share: Fact[Pct] = Field(
        description="Share of the issuer's profits (or, for a tracking interest, of its value) the holder is "
                    "entitled to, in percent; bounds where only a range is known.")
    note: str | None = None


VetoKind = Literal["budget", "business_plan", "senior_management", "major_investments", "other"]


class Governance(_Strict):
    holder: str
    issuer: str
    board_seats: Fact[Count] | None = Field(
        None, description="Seats the holder has on the issuer's board. Left out, it is taken as 0 and the report "
                          "says so wherever a verdict relies on it; --strict leaves it unknown.")
    board_size: Fact[Count] | None = None
    board_observers: Fact[Count] | None = Field(
        None, description="Board observers; left out, taken as 0 and stated as an assumption.")
    vetoes: Fact[list[VetoKind]] | None = Field(
        None, description="Veto rights over strategic decisions; left out, taken as none and stated as an "
                          "assumption.")
    information_rights: Fact[bool] | None = None
    exclusivity: Fact[bool] | None = None
    other_rights: list[str] = Field(default_factory=list)


class PersonMove(_Strict):
    person: str
    from_party: str
    to_party: str
    role_before: str | None = None
    role_after: str | None = None
    seniority: Literal["founder", "executive", "senior", "staff"] = "staff"
    #: Keeps a board seat at the party they leave (an interlock).
    keeps_board_seat: Fact[bool] | None = None


class Workforce(_Strict):
    """The people who move from the target, as a whole."""

    from_party: str
    to_party: str
    employees_moved: Fact[Count] = Field(default_factory=lambda: Fact[Count](unknown=True))
    target_headcount: Fact[Count] | None = None
    share_moved: Fact[Pct] | None = Field(
        None, description="Share of the target's staff that moves, in percent, where head counts are not known "
                          "('about 90%': 90; 'the whole team': 100; or bounds {at_least: 50}).")
    with_licence: Fact[bool] | None = None
    with_waiver: Fact[bool] | None = Field(None, description="Waiver of non-solicit or other claims.")
    target_pivots_or_winds_down: Fact[bool] | None = None


class Licence(_Strict):
    licensor: str
    licensee: str
    exclusive: Fact[bool]
    subject: str | None = None


class SupplyLink(_Strict):
    """``supplier`` supplies ``product`` to ``customer``."""

    supplier: str
    customer: str
    product: str | None = None
    #: Customer's purchases as a percentage of the supplier's revenue.
    share_of_supplier_revenue: Fact[Pct] | None = None
    #: How important the input is to the customer's competitiveness.
    input_importance: Fact[Literal["low", "medium", "high"]] | None = None
    alternatives_available: Fact[bool] | None = None
    customer_switching: Fact[bool] | None = Field(
        None, description="The customer has switched, or is switching, to other suppliers (evidence that "
                          "alternatives exist).")
    confidence: Confidence | None = Field(
        None, description="How far the link as a whole is established (low: reported or alleged only).")


class DataLink(_Strict):
    """``party`` gains access to data about ``about``'s users or customers through the deal."""

    party: str = Field(description="Who gains access (usually the acquirer).")
    about: str = Field(description="Whose data (usually the target, or rivals supplied by the target).")
    description: str | None = None
    competitively_sensitive: Fact[bool] | None = Field(
        None, description="Rivals' confidential data (specifications, volumes, roadmaps) or data that "
                          "strengthens a dominant position (e.g. health data for advertising).")
    used_in: str | None = Field(None, description="Where the data could be used, e.g. 'online advertising'.")


class ComplementLink(_Strict):
    """Products of ``a`` and ``b`` that are complements or sold to the same customers."""

    a: str = Field(description="Party id of one side (usually the acquirer).")
    b: str = Field(description="Party id of the other side (usually the target).")
    kind: Literal["complementary", "conglomerate"] = Field(
        "complementary", description="complementary: used together (a printer and its ink); conglomerate: "
                                     "neighbouring products bought by the same customers.")
    description: str | None = Field(None, description="The products, e.g. 'CRM software and workplace messaging'.")
    bundling_possible: Fact[bool] | None = Field(
        None, description="The merged firm could tie, bundle or degrade interoperability.")


class MarketShare(_Strict):
    party: str = Field(description="Party id of the holder of the share.")
    share: Fact[Pct] = Field(description="Percent; bounds allowed ({at_least: 80}).")
    rank: Fact[Count] | None = Field(None, description="Rank in the market (1: the largest).")
    dominant: Fact[bool] | None = Field(None, description="Holds a dominant position or durable market power "
                                                         "in this market.")


class Market(_Strict):
    id: str
    name: str
    geography: str = "WORLD"
    shares: list[MarketShare] = Field(default_factory=list)
    combined_share: Fact[Pct] | None = Field(
        None, description="The parties' combined share where only that is reported (percent, bounds allowed).")
    rest_max_share: Fact[Pct] | None = Field(
        None, description="The largest share any firm not listed holds (percent): bounds the HHI of the rest of "
                          "the market (without it, the rest may be one firm).")
    overlap_size: Fact[Literal["none", "minor", "significant"]] | None = Field(
        None, description="How much the parties' activities overlap in this market.")


ActKind = Literal["notified", "not_notified", "call_in", "referral_request", "referral_accepted",
                  "art4_5_referral", "thresholds_met", "thresholds_not_met", "review_opened", "cleared"]


class AuthorityAct(_Strict):
    """Something an authority did (or the parties did before it), as a fact that decides routes.

    ``notified``/``not_notified``: the parties notified this authority, or state that they did not;
    ``call_in``: the authority required notification of, or opened an investigation into, a deal
    below its thresholds; ``referral_request``: a member state asked the Commission to examine the
    deal (Art. 22 EUMR), ``referral_accepted``: the Commission accepted it; ``art4_5_referral``: the
    deal was referred to the Commission before notification at the parties' request (Art. 4(5)
    EUMR) and no competent member state objected; ``thresholds_met``: the authority stated that its
    filing test is met (e.g. a decision declaring a notification obligation, or a clearance it
    gives only to a notifiable deal); ``thresholds_not_met``: the authority found that its filing
    or jurisdiction test is not met (e.g. a CMA finding of no relevant merger situation);
    ``review_opened``, ``cleared``: a review opened or ended in clearance."""

    authority: str = Field(description="Jurisdiction code of the authority: EU, US, DE, AT, UK, IT, IE, ...")
    act: ActKind
    on: date | None = Field(None, description="Date of the act, where known.")
    source: Source | None = None
    note: str | None = None

    @field_validator("authority")
    @classmethod
    def _known_authority(cls, v: str) -> str:
        code = v.upper()
        codes = [c.upper() for c in FIGURE_JURISDICTIONS if c != "world"]
        if code not in codes:
            raise ValueError(f"{v!r} is not a jurisdiction with facts here (one of {', '.join(codes)})")
        return code


class InDepthReview(_Strict):
    """An authority's review of a decided case that went beyond a first phase: a Phase 2, a
    second request, an administrative trial or a court challenge. Like ``actual_outcomes`` it
    describes what happened to a precedent case; no rule reads it."""

    authority: str = Field(pattern=r"^[A-Za-z]{2}$", description="Jurisdiction code: US, EU, UK, DE, CN, ...")
    stage: str = Field(min_length=1, description="What the review reached, e.g. 'Phase 2', 'second request'.")
    source: Source | None = None
    note: str | None = None

    @field_validator("authority")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class Deal(_Strict):
    """One transaction as stated in a deal file."""

    schema_version: Literal[1] = Field(description="Version of the deal-file format.")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    summary: str | None = None
    parties: list[Party] = Field(min_length=2)
    transaction: Transaction
    stakes: list[Stake] = Field(default_factory=list)
    governance: list[Governance] = Field(default_factory=list)
    economic_interests: list[EconomicInterest] = Field(
        default_factory=list, description="Profit participations and other economic interests that are not "
        "shares: who holds what share of whose profits or value.")
    people: list[PersonMove] = Field(default_factory=list)
    workforce: list[Workforce] = Field(default_factory=list)
    licences: list[Licence] = Field(default_factory=list)
    supply: list[SupplyLink] = Field(default_factory=list)
    data_access: list[DataLink] = Field(default_factory=list)
    complements: list[ComplementLink] = Field(default_factory=list)
    markets: list[Market] = Field(default_factory=list)
    #: Outcomes authorities actually reached, for precedent cases (not used by the rules).
    actual_outcomes: dict[str, str] = Field(default_factory=dict)
    in_depth_reviews: list[InDepthReview] = Field(
        default_factory=list, description="For precedent cases: the authorities whose review went in depth "
        "(Phase 2, second request, trial). With actual_outcomes it gives a precedent's outcome band; no rule "
        "reads it.")
    steps: list[Step] = Field(default_factory=list, description="A staged transaction's dated steps, in order; "
                              "they add up to the stakes.")
    #: Acts of authorities (and notifications by the parties) that rules take as facts.
    authority_acts: list[AuthorityAct] = Field(
        default_factory=list, description="Notifications, call-ins, referral requests and acceptances, an "
        "authority's statement that its thresholds are met: facts that decide routes and verdicts.")
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_exist(self) -> Deal:
        ids = {p.id for p in self.parties}
        if len(ids) != len(self.parties):
            raise ValueError("party ids must be unique")
        refs: list[tuple[str, str]] = []
        refs += [(s.holder, "stakes.holder") for s in self.stakes]
        refs += [(s.issuer, "stakes.issuer") for s in self.stakes]
        refs += [(g.holder, "governance.holder") for g in self.governance]
        refs += [(g.issuer, "governance.issuer") for g in self.governance]
        refs += [(e.holder, "economic_interests.holder") for e in self.economic_interests]
        refs += [(e.issuer, "economic_interests.issuer") for e in self.economic_interests]
        refs += [(p.from_party, "people.from_party") for p in self.people]
        refs += [(p.to_party, "people.to_party") for p in self.people]
        refs += [(w.from_party, "workforce.from_party") for w in self.workforce]
        refs += [(w.to_party, "workforce.to_party") for w in self.workforce]
        refs += [(lic.licensor, "licences.licensor") for lic in self.licences]
        refs += [(lic.licensee, "licences.licensee") for lic in self.licences]
        refs += [(s.supplier, "supply.supplier") for s in self.supply]
        refs += [(s.customer, "supply.customer") for s in self.supply]
        refs += [(d.party, "data_access.party") for d in self.data_access]
        refs += [(d.about, "data_access.about") for d in self.data_access]
        refs += [(c.a, "complements.a") for c in self.complements]
        refs += [(c.b, "complements.b") for c in self.complements]
        refs += [(ms.party, "markets.shares.party") for m in self.markets for ms in m.shares]
        refs += [(x.holder, "steps.acquired.holder") for st in self.steps for x in st.acquired]
        refs += [(x.issuer, "steps.acquired.issuer") for st in self.steps for x in st.acquired]
        for ref, where in refs:
            if ref not in ids:
                raise ValueError(
                    f"{where} names party {ref!r}, which is not in parties "
                    f"(known: {', '.join(sorted(ids))})"
                )
        if not any(p.role == "acquirer" for p in self.parties):
            raise ValueError("no party has role 'acquirer'")
        if not any(p.role == "target" for p in self.parties):
            raise ValueError("no party has role 'target'")
        return self

    @field_validator("steps")
    @classmethod
    def _steps_add_up(cls, steps: list[Step], info: ValidationInfo) -> list[Step]:
        if steps and "stakes" in info.data:
            check_steps(steps, info.data["stakes"])
        return steps

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)


def check_steps(steps: list[Step], stakes: list[Stake]) -> None:
    """The steps are in date order and add up to the stakes (where the figures are known)."""
    firsts = [st.on.span[0] or st.on.span[1] for st in steps]
    known = [d for d in firsts if d is not None]
    if known != sorted(known):
        raise ValueError("steps must be in date order")
    for x in sorted({(a.holder, a.issuer) for st in steps for a in st.acquired}):
        stake = next((s for s in stakes if (s.holder, s.issuer) == x), None)
        if stake is None:
            raise ValueError(f"steps acquire shares of {x[1]!r} for {x[0]!r}, but stakes has no such holding; "
                             "add the stake the steps add up to")
        for what, before, after in (("equity", stake.equity_before, stake.equity_after),
                                    ("voting", stake.voting_before, stake.voting_after)):
            parts = [getattr(a, what) for st in steps for a in st.acquired if (a.holder, a.issuer) == x]
            # A staged deal's steps build the position up from what was held before: left out, that is 0.
            start = 0.0 if before is None else before.value
            if all(p.known for p in parts) and start is not None and after.known:
                total = start + sum(p.value or 0.0 for p in parts)
                if abs(total - (after.value or 0.0)) > 0.01:
                    raise ValueError(
                        f"the steps' {what} for {x[0]!r} in {x[1]!r} adds up to {total:g}% "
                        f"({what}_before {start:g}% plus the steps), but the stake's {what}_after is "
                        f"{after.value:g}%")

