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


class Report(_Model):
    meta: ReportMeta
    summary: list[str]
    jurisdictions: list[JurisdictionReport]
    theories: list[TheoryReport]
    findings: list[Finding]
    conversions: list[Conversion]
    parameters: list[ParamUse]
    warnings: list[str]
