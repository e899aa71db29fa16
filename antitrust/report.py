"""The risk report as data (pydantic). Renderers and the JSON Schema are built from these models.

Nothing here decides anything: every verdict, route and band comes from rule firings.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = 1
Level = Literal["high", "medium", "low"]
FilingVerdict = Literal["mandatory", "voluntary", "not_required", "undetermined"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    status: Literal["holds", "undetermined"]
    finding: str


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


class TheoryReport(_Model):
    theory: str
    title: str
    band: Level | Literal["none"]
    undetermined: bool = Field(description="The band rests on conditions that are only possibly true.")
    confidence: Level
    headline: str
    findings: list[str]


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
