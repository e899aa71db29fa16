"""The facts a deal becomes inside the engine, and the fields rule conditions may name.

A condition such as ``stake.equity_after >= 25`` names a fact type (``stake``) and a field.
Numbers are carried as intervals (``lo``/``hi``) so partial knowledge ("at least €1bn") and
unknown values stay distinct from zero. This table is what the rule checker validates against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["number", "bool", "category", "id"]


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    #: For numbers: percent, count, months, hhi, EUR, USD, GBP.
    unit: str | None = None
    #: For categories: the closed set of values.
    values: tuple[str, ...] = ()
    doc: str = ""


def _money(prefix: str, doc: str) -> dict[str, FieldSpec]:
    return {f"{prefix}_{c.lower()}": FieldSpec("number", c, doc=f"{doc} ({c})") for c in ("EUR", "USD", "GBP")}


ROLES = ("acquirer", "target", "seller", "other")
_ROLE = FieldSpec("category", values=ROLES)
_PCT = "percent"

#: Jurisdictions that get a figures fact (lower-case names are fact types in conditions).
FIGURE_JURISDICTIONS = ("world", "eu", "us", "de", "at", "uk", "it", "ie", "dk", "se", "jp", "kr", "fr", "nl")
EU_MEMBER_STATES = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
)

_FIGURES: dict[str, FieldSpec] = {
    **_money("acquirer_turnover", "Turnover of the acquiring side"),
    **_money("target_turnover", "Turnover of the target"),
    **_money("combined_turnover", "Turnover of acquirer and target together"),
    **_money("smaller_party_turnover", "Turnover of the smaller of acquirer and target"),
    "target_active": FieldSpec("bool", doc="Target is active here to a substantial extent"),
    "acquirer_active": FieldSpec("bool", doc="Acquirer is active here to a substantial extent"),
    # Acts stated in the deal file's authority_acts (antitrust/acts.py).
    "notified": FieldSpec("bool", doc="The deal was notified to this authority (no: the deal file says it was "
                          "not; unknown: not stated)"),
    "called_in": FieldSpec("bool", doc="The authority called the deal in or opened an investigation of its own"),
    "referral_requested": FieldSpec("bool", doc="A referral to the Commission was requested (by this member "
                                    "state; on the EU fact, by any member state)"),
    "referral_accepted": FieldSpec("bool", doc="The Commission accepted a referral of the deal"),
    "art4_5_referred": FieldSpec("bool", doc="The deal was referred to the Commission before notification at the "
                                 "parties' request (Art. 4(5) EUMR) and no competent member state objected"),
    "thresholds_met_stated": FieldSpec("bool", doc="The authority stated that its filing test is met"),
    "thresholds_not_met_stated": FieldSpec("bool", doc="The authority found that its filing or jurisdiction test "
                                           "is not met"),
    "review_opened": FieldSpec("bool", doc="The authority opened a review of the deal"),
}

FACT_TYPES: dict[str, dict[str, FieldSpec]] = {
    "deal": {
        "is_share_acquisition": FieldSpec("bool"),
        "is_asset_acquisition": FieldSpec("bool"),
        "is_licence": FieldSpec("bool"),
        "is_hiring": FieldSpec("bool"),
        "is_joint_venture": FieldSpec("bool"),
        "is_partnership": FieldSpec("bool"),
        **_money("consideration", "Value of the consideration"),
        **_money("valuation", "Valuation of the target"),
        "payout_to_holders": FieldSpec("bool", doc="Proceeds paid out to holders instead of a share purchase"),
        "structured_to_avoid_review": FieldSpec("bool"),
        "closing_date": FieldSpec("id", doc="The closing date as the deal file gives it, for reasons (a date, "
                                  "a month or a range)"),
        "completed": FieldSpec("bool", doc="The deal had closed by the evaluation's 'today' (unknown if the "
                               "closing date is unknown or its range straddles today)"),
        "months_since_closing": FieldSpec("number", "months", doc="Whole months from closing to the evaluation's "
                                          "'today' (periods are counted by the report's clock, not by rules)"),
        "acquirers": FieldSpec("number", "count", doc="Parties with the role acquirer; two or more are the "
                               "parents of a joint acquisition, each an undertaking concerned with its own turnover"),

    },
    "party": {
        "party": FieldSpec("id"),
        "role": _ROLE,
        "corporate_form": FieldSpec("category", values=("corporation", "llc", "partnership", "other")),
        "eu_gatekeeper": FieldSpec("bool"),
        "uk_sms": FieldSpec("bool"),
        "competes_with_acquirer": FieldSpec("bool"),
        "dominant": FieldSpec("bool"),
        "uk_share_of_supply": FieldSpec("number", _PCT),
        "competes_with_target": FieldSpec("bool", doc="Competes with the target"),
        "emerging_rival": FieldSpec("bool", doc="Evidence that the party could grow into a significant rival"),
        "users": FieldSpec("number", "count", doc="Users or customers"),

        **_money("worldwide_turnover", "Worldwide turnover"),
        **_money("assets", "Total assets"),
    },
    **{j: dict(_FIGURES) for j in FIGURE_JURISDICTIONS},
    # EU Merger Regulation Art. 1(3) and the two-thirds rule look at turnover member state by
    # member state; the rule language cannot count states or divide, so the EU figures fact also
    # carries these statistics, computed from the parties' member-state turnovers.
    "eu": {
        **_FIGURES,
        "acquirer_top_state_share": FieldSpec(
            "number", _PCT, doc="Largest share of the acquiring side's EU turnover earned in one member state"),
        "target_top_state_share": FieldSpec(
            "number", _PCT, doc="Largest share of the target's EU turnover earned in one member state"),
        "top_state_same": FieldSpec(
            "bool", doc="The acquiring side and the target earn their largest EU turnover in the same member state"),
        "two_thirds_same_state": FieldSpec(
            "bool", doc="Each side earns more than two-thirds of its EU turnover in one and the same member state "
                        "(the two-thirds rule of Art. 1(2) and 1(3) EUMR)"),
        "third_state_combined_turnover_eur": FieldSpec(
            "number", "EUR", doc="Third-highest combined turnover of the parties in one member state (EUR)"),
        "third_state_smaller_party_turnover_eur": FieldSpec(
            "number", "EUR",
            doc="Third-highest turnover of the smaller party in one member state (EUR)"),
    },
    # The UK share of supply test looks at the parties' combined share in one description of goods or
    # services; each party states its largest share of any description (party.uk_share_of_supply).
    "uk": {
        **_FIGURES,
        "eu_one_stop_shop": FieldSpec(
            "bool", doc="A Commission procedure over the whole deal (a notification, clearance, statement of a "
            "Union dimension or Art. 4(5) referral) began by 31 Dec 2020, while the EUMR applied to the UK"),
        "combined_share_of_supply": FieldSpec(
            "number", _PCT, doc="The parties' combined UK share of supply of any one description: at most the "
            "sum of each party's largest share, at least the larger of them"),
    },
    "stake": {
        "holder": FieldSpec("id"),
        "issuer": FieldSpec("id"),
        "holder_role": _ROLE,
        "issuer_role": _ROLE,
        "equity_before": FieldSpec("number", _PCT),
        "equity_after": FieldSpec("number", _PCT),
        "voting_before": FieldSpec("number", _PCT),
        "voting_after": FieldSpec("number", _PCT),
        "equity_acquired": FieldSpec("number", _PCT),
        "voting_acquired": FieldSpec("number", _PCT),
        "share_class": FieldSpec("category", values=("voting", "non_voting", "convertible", "mixed")),
        "convertible_into_voting": FieldSpec("bool"),
        "solely_for_investment": FieldSpec("bool"),
    },
    "governance": {
        "holder": FieldSpec("id"),
        "issuer": FieldSpec("id"),
        "holder_role": _ROLE,
        "issuer_role": _ROLE,
        "board_seats": FieldSpec("number", "count"),
        "board_observers": FieldSpec("number", "count"),
        "board_share": FieldSpec("number", _PCT, doc="Seats as a share of the board"),
        "veto_budget": FieldSpec("bool"),
        "veto_business_plan": FieldSpec("bool"),
        "veto_senior_management": FieldSpec("bool"),
        "veto_major_investments": FieldSpec("bool"),
        "veto_other": FieldSpec("bool"),
        "information_rights": FieldSpec("bool"),
        "exclusivity": FieldSpec("bool"),
    },
    "economic_interest": {
        "holder": FieldSpec("id"),
        "issuer": FieldSpec("id"),
        "holder_role": _ROLE,
        "issuer_role": _ROLE,
        "kind": FieldSpec("category", values=("profit_participation", "revenue_share", "tracking_interest", "other"),
                          doc="The kind of economic interest"),
        "profit_share": FieldSpec("number", _PCT, doc="Share of the issuer's profits or value the holder is "
                                  "entitled to, other than through shares"),
    },
    "person": {
        "person": FieldSpec("id"),
        "from_role": _ROLE,
        "to_role": _ROLE,
        "seniority": FieldSpec("category", values=("founder", "executive", "senior", "staff")),
        "keeps_board_seat": FieldSpec("bool", doc="Keeps a board seat at the party they leave"),
    },
    "workforce": {
        "from_role": _ROLE,
        "to_role": _ROLE,
        "employees_moved": FieldSpec("number", "count"),
        "share_of_target_staff": FieldSpec("number", _PCT),
        "with_licence": FieldSpec("bool"),
        "with_waiver": FieldSpec("bool"),
        "target_pivots_or_winds_down": FieldSpec("bool"),
    },
    "licence": {
        "licensor_role": _ROLE,
        "licensee_role": _ROLE,
        "exclusive": FieldSpec("bool"),
    },
    "supply": {
        "supplier": FieldSpec("id"),
        "customer": FieldSpec("id"),
        "supplier_role": _ROLE,
        "customer_role": _ROLE,
        "customer_competes_with_acquirer": FieldSpec("bool"),
        "share_of_supplier_revenue": FieldSpec("number", _PCT),
        "input_importance": FieldSpec("category", values=("low", "medium", "high")),
        "alternatives_available": FieldSpec("bool"),
        "customer_competes_with_target": FieldSpec("bool", doc="The customer competes with the target"),
        "customer_switching": FieldSpec("bool", doc="The customer has switched or is switching to other suppliers"),
        "link_confidence": FieldSpec("category", values=("low", "medium", "high"),
                                     doc="How far the supply link as a whole is established"),
    },
    # One fact per deal: how much of the target the acquiring side owns after it (theories of harm
    # ask whether the target stays a firm apart, and who earns its profits).
    "ownership": {
        "target_equity": FieldSpec(
            "number", _PCT, doc="The acquiring side's share of the target's capital after the deal (0 without a stake)"),
    },
    "data_link": {
        "party_role": _ROLE,
        "about_role": _ROLE,
        "competitively_sensitive": FieldSpec("bool", doc="Rivals' confidential data, or data that strengthens "
                                                         "a dominant position"),
    },
    "complement": {
        "a_role": _ROLE,
        "b_role": _ROLE,
        "kind": FieldSpec("category", values=("complementary", "conglomerate")),
        "bundling_possible": FieldSpec("bool", doc="The merged firm could tie, bundle or degrade interoperability"),
    },
    "market": {
        "market": FieldSpec("id"),
        "geography": FieldSpec("id"),
        "acquirer_share": FieldSpec("number", _PCT),
        "target_share": FieldSpec("number", _PCT),
        "combined_share": FieldSpec("number", _PCT),
        "hhi_post": FieldSpec("number", "hhi"),
        "hhi_delta": FieldSpec("number", "hhi"),
        "overlap": FieldSpec("bool", doc="Both acquirer and target hold a share"),
        "overlap_size": FieldSpec("category", values=("none", "minor", "significant"),
                                  doc="How much the parties' activities overlap"),
        "acquirer_rank": FieldSpec("number", "count", doc="The acquirer's rank in the market (1: the largest)"),
        "target_rank": FieldSpec("number", "count", doc="The target's rank in the market (1: the largest)"),
        "acquirer_dominant": FieldSpec("bool", doc="The acquirer is dominant or has durable market power here"),
        "target_dominant": FieldSpec("bool", doc="The target is dominant or has durable market power here"),
    },
}

#: Names a rule may not use for a derived fact (they are base fact types or reserved words).
RESERVED = frozenset({*FACT_TYPES, "param", "derived", "not", "and", "or", "in", "true", "false"})

#: Unit families that may be compared with each other.
def compatible_units(field_unit: str | None, param_unit: str) -> bool:
    if field_unit == param_unit:
        return True
    currencies = {"EUR", "USD", "GBP", "DKK", "SEK", "JPY", "KRW", "CHF"}
    # A threshold in another currency is converted into the field's currency when compiled.
    return field_unit in {"EUR", "USD", "GBP"} and param_unit in currencies
