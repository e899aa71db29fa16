"""The risk report as data (pydantic). Renderers and the JSON Schema are built from these models.

Nothing here decides anything: every verdict, route and band comes from rule firings.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from antitrust.views import Brief, Detail

#: 2: verdict "not_assessed"; presumptions, windows and exposure per jurisdiction; evidence and
#: "could reach" per theory; overall risk, information requests, next steps, nearest precedents,
#: the brief; audit fields in meta. See docs/report-format.md.
REPORT_SCHEMA_VERSION = 2
Level = Literal["high", "medium", "low"]
#: not_assessed: the rulebook models no law of this jurisdiction in force on the law date.
FilingVerdict = Literal["mandatory", "voluntary", "not_required", "undetermined", "not_assessed"]
#: One vocabulary for the status of a route, a window or an exposure, everywhere in a report.
RouteStatus = Literal["holds", "possible", "expired"]


class _Model(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FactUse(_Model):
    """A deal fact a rule used, with its value and where it came from."""

    name: str = Field(description="fact.field as named in the rule, e.g. stake.equity_after")
    value: str
    path: str = Field(description="Where the value stands in the deal file.")
    sources: list[str] = Field(default_factory=list, description="seeds/ digest id#locator")
    confidence: Level
    known: bool
    note: str | None = None
    alternatives: list[str] = Field(default_factory=list)


class ParamUse(_Model):
    name: str
    value: str
    effective_from: date
    citation: str
    url: str
    status: Literal["verified", "secondary", "unverified"]
    conversion: str | None = None


class Needed(_Model):
    """A fact that is unknown and would decide an undetermined conclusion."""

    fact: str
    path: str
    test: str = Field(description="What the fact must satisfy, e.g. '> EUR 50m'.")
    finding: str = Field(description="The undetermined finding (route) this fact would decide.")


class ThresholdRef(_Model):
    """The line a fact is compared with: a dated parameter, or a constant written in the rule."""

    value: float = Field(description="In the compared field's unit, after any currency conversion.")
    display: str = Field(description="E.g. 'EUR 400m', '25%'.")
    unit: str | None = Field(description="EUR, USD, GBP, percent, count, months, hhi (the field's unit).")
    param: str | None = Field(None, description="Parameter name; None for a constant written in the rule.")
    title: str | None = None
    original: str | None = Field(None, description="The parameter's own value before conversion, e.g. 'DKK 900m'.")
    effective_from: date | None = None
    citation: str | None = None
    url: str | None = None
    status: Literal["verified", "secondary", "unverified"] | None = None
    conversion: str | None = Field(None, description="How the threshold was converted into the field's currency.")


class Margin(_Model):
    """How far one numeric fact stands from the threshold one rule compares it with."""

    rule_id: str
    finding: str | None = Field(None, description="Id of the finding in a report (None outside a report).")
    firing: int | None = Field(None, description="Index into Evaluation.firings (None in reports and near misses).")
    jurisdiction: str | None = None
    theory: str | None = None
    comparison: str = Field(description="The comparison as written in the rule.")
    fact: str = Field(description="fact.field, e.g. deal.consideration_eur")
    fact_id: str
    path: str = Field(description="Where the value stands in the deal file.")
    value: float = Field(description="The fact's value (or the bound nearest the threshold), in the threshold's unit.")
    value_display: str
    bound: Literal["exact", "at_least", "at_most"] = Field(
        description="exact: the value is known; at_least/at_most: only that bound is known.")
    op: str
    threshold: ThresholdRef
    holds: bool | None = Field(description="Whether the comparison is met (None: cannot be told).")
    difference: float = Field(description="value - threshold, in the threshold's unit.")
    difference_display: str
    ratio: float | None = Field(None, description="value / threshold (None when the threshold is 0).")
    relative: float | None = Field(
        None, description="(value - threshold) / |threshold|; for a percentage line at 0, in points / 100.")
    text: str


class NearMiss(_Model):
    """A rule that did not fire although every other condition held, and the comparisons it missed."""

    rule_id: str
    title: str
    jurisdiction: str | None = None
    theory: str | None = None
    would_conclude: str = Field(description="What the rule concludes when it fires.")
    bound: dict[str, str] = Field(description="Fact pattern -> id of the engine fact it was tried on.")
    failing: list[Margin] = Field(description="The comparisons that failed, each within the band.")
    unknown: list[str] = Field(default_factory=list,
                               description="Other conditions that are unknown (the rule would be undetermined).")
    gap: float = Field(description="The largest relative gap among the failing comparisons.")
    text: str


class LegalBasisOut(_Model):
    citation: str
    url: str
    status: Literal["verified", "secondary", "unverified"]


class Finding(_Model):
    id: str = Field(description="Stable within a report: RULE-ID, or RULE-ID#n for repeats.")
    rule_id: str
    title: str
    jurisdiction: str | None
    theory: str | None
    status: Literal["holds", "undetermined"]
    conclusion: str
    reason: str
    basis: LegalBasisOut
    confidence: Level
    facts: list[FactUse]
    parameters: list[ParamUse]
    derived: str | None = Field(None, description="The derived fact this finding asserted.")
    because: list[str] = Field(default_factory=list, description="Ids of findings whose derived facts it used.")
    needed: list[Needed] = Field(default_factory=list)
    margins: list[Margin] = Field(default_factory=list, description="Margins of the numeric comparisons it used.")


class ReachRoute(_Model):
    route: Literal["call_in", "referral", "post_closing_challenge", "own_initiative", "inform"]
    status: RouteStatus = Field(description="holds; possible (rests on unknown facts); expired (its window closed).")
    finding: str
    until: date | None = Field(None, description="Last day the route is open, where a window applies.")


class Presumption(_Model):
    """A legal element or value the verdict relies on without the deal file stating it.

    kind "presumption": declared in a rule file and applied only because the fact is unknown
    (switched off by --strict). kind "default": a value the deal format fills in when a field is
    left out (equity_before 0, board seats 0)."""

    id: str = Field(description="Presumption id from the rule file, or 'default:<path>'.")
    kind: Literal["presumption", "default"]
    fact: str = Field(description="fact.field presumed, e.g. eu_figures.two_thirds_same_state.")
    value: str = Field(description="The presumed value as text.")
    statement: str = Field(description="What is assumed, in words: 'no party earns more than two-thirds ...'.")
    why: str = Field(description="Why a practitioner presumes it.")
    citation: str | None = None
    url: str | None = None
    path: str | None = Field(None, description="Where in the deal file to confirm it.")
    findings: list[str] = Field(default_factory=list, description="Findings that relied on it.")


class Window(_Model):
    """A review, call-in or waiting period, counted from its start to the report's 'today'."""

    route: str = Field(description="call_in, referral, waiting_period, ...")
    authority: str
    starts: date | None = Field(None, description="The event the window runs from (e.g. completion).")
    starts_on: str = Field("", description="What that event is, e.g. 'completion'.")
    length: str = Field(description="E.g. '4 months'.")
    ends: date | None = None
    status: Literal["open", "expired", "unknown"]
    basis: str = Field(description="Citation of the window.")
    text: str = Field(description="E.g. 'CMA call-in open until 2025-10-13' or 'expired on 2025-10-13'.")


class Exposure(_Model):
    """Exposure on a deal that has closed: gun-jumping under a suspensory regime, a review after closing."""

    kind: Literal["gun_jumping", "post_closing_review", "unwinding"]
    jurisdiction: str
    status: RouteStatus
    text: str
    consequences: list[str] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)
    findings: list[str] = Field(default_factory=list)


#: Joins the opening of an undetermined verdict's reason ("Possibly notifiable") to the reason the
#: deciding rule would give if the facts nobody stated fell its way.
OPEN_SEPARATOR = ", depending on facts not stated: "


class JurisdictionReport(_Model):
    code: str
    name: str
    filing: FilingVerdict
    suspensory: bool
    headline: str
    decided_by: list[str] = Field(description="Findings that settle the filing verdict.")
    reach: list[ReachRoute]
    needed: list[Needed] = Field(description="Unknown facts that would settle an undetermined verdict.")
    findings: list[str]
    regime: str = Field("", description="The regime in words: 'mandatory and suspensory (Bundeskartellamt)'.")
    authority: str | None = None
    reason: str = Field("", description="Why, in words: the reason of the rule that settles the verdict.")
    basis_status: Literal["verified", "secondary", "unverified"] = Field(
        "verified", description="Weakest verification status of the law the verdict rests on.")
    presumptions: list[Presumption] = Field(default_factory=list,
                                            description="Assumed, please confirm: what the verdict relies on.")
    windows: list[Window] = Field(default_factory=list)
    exposure: list[Exposure] = Field(default_factory=list)


class TheoryReport(_Model):
    theory: str
    title: str
    band: Level | Literal["none"]
    undetermined: bool = Field(description="The band rests on conditions that are only possibly true.")
    confidence: Level
    headline: str
    findings: list[str]
    evidence: list[EvidenceStep] = Field(default_factory=list,
                                         description="Ability, incentive, effect: what the facts establish.")
    could_reach: Level | None = Field(None, description="Higher band reachable if unknown facts turn out so.")
    could_reach_if: list[Needed] = Field(default_factory=list, description="The facts that would raise it.")
    checked: list[str] = Field(default_factory=list,
                               description="For 'none': the indicators that were checked and not found.")


class EvidenceStep(_Model):
    """One step of a theory of harm: ability, incentive or likely effect, and what decides it."""

    step: Literal["premise", "ability", "incentive", "effect"]
    status: Literal["holds", "fails", "unknown"]
    text: str
    findings: list[str] = Field(default_factory=list)


class OverallRisk(_Model):
    """The deal's overall risk, computed by rules from the verdicts and the theory bands.

    high: an authority would likely prohibit, or clear only with remedies after an in-depth review;
    medium: an in-depth review or second request is likely, or phase-1 remedies;
    low: phase-1 clearance, no review, or no jurisdiction."""

    band: Level
    reasons: list[str]
    findings: list[str] = Field(default_factory=list)


class InfoRequest(_Model):
    """A missing fact, asked once, with the verdicts and bands it would decide."""

    fact: str = Field(description="fact.field")
    path: str
    question: str = Field(description="In words: 'Scale's German turnover'.")
    decides: list[str] = Field(description="Jurisdiction codes and theories it would decide.")
    alternatives: list[str] = Field(default_factory=list,
                                    description="'above EUR 17.5m -> §35(1); at most EUR 17.5m -> §35(1a)'.")


class PrecedentMatch(_Model):
    """A decided case in cases/ like this deal, with what the authorities did."""

    case_id: str
    title: str
    similarity: float = Field(ge=0, le=1)
    outcome: str
    outcome_band: Level
    why: list[str] = Field(description="What makes it similar: structure, stake, people, overlaps, sector, size.")
    scores: dict[str, float] = Field(default_factory=dict,
                                     description="Similarity per feature (0-1): structure, stake, people, "
                                                 "overlaps, sector, size; features either deal cannot state are "
                                                 "left out.")


class Conversion(_Model):
    what: str
    original: str
    rate: str
    result: str
    status: str


class ReportMeta(_Model):
    tool: str = "antitrust"
    tool_version: str
    report_schema_version: int = REPORT_SCHEMA_VERSION
    deal_id: str
    deal_title: str
    as_of: date = Field(description="Date whose law was applied.")
    checked_on: date = Field(description="Date the parameters' review dates were checked against.")
    rulebook_hash: str
    rules_loaded: int
    rules_inactive: dict[str, str] = Field(default_factory=dict, description="Rules not in force on as_of, and why.")
    near_miss_band: float = Field(0.10, description="Relative distance within which a failed comparison is a near miss.")
    strict: bool = Field(False, description="Presumptions switched off (--strict).")
    rulebook_source: str = Field("", description="'bundled' or the rules folder given.")
    input_sha256: str | None = Field(None, description="SHA-256 of the deal file's bytes (or of the canonical JSON).")
    versions: dict[str, str] = Field(default_factory=dict, description="antitrust, durable-rules, python.")


class StepReport(_Model):
    """One step of a staged deal, evaluated under the law of its own date with the position so far."""

    label: str
    on: str = Field(description="The step's date as given: a date, a month or a range.")
    as_of: date = Field(description="Date whose law was applied to this step.")
    position: list[str] = Field(description="Each holding before and after the step, in words.")
    verdicts: dict[str, str] = Field(description="Jurisdiction code -> filing verdict for this step.")
    headlines: list[str] = Field(default_factory=list,
                                 description="Jurisdictions where this step is or may be notifiable or reviewable.")
    warnings: list[str] = Field(default_factory=list)


class Report(_Model):
    meta: ReportMeta
    summary: list[str]
    jurisdictions: list[JurisdictionReport]
    theories: list[TheoryReport]
    findings: list[Finding]
    conversions: list[Conversion]
    parameters: list[ParamUse]
    warnings: list[str]
    near_misses: list[NearMiss] = Field(default_factory=list,
                                        description="Rules that came within the band of firing.")
    overall: OverallRisk | None = None
    info_requests: list[InfoRequest] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    precedents: list[PrecedentMatch] = Field(default_factory=list)
    steps: list[StepReport] = Field(default_factory=list, description="A staged deal's steps, each under its "
                                    "own law; the report itself is the cumulative position.")
    brief: Brief | None = Field(None, description="The one-page brief: the same in every format.")
    detail: Detail | None = Field(None, description="The detail view: findings per rule, margins that matter, "
                                                    "each conversion once, alternatives per question.")
