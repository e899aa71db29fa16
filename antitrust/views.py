"""Reader's views of a report (pydantic): the one-page brief and the reorganised detail.

Both are arrangements of a :class:`~antitrust.report.Report`, built by ``antitrust.brief`` and
``antitrust.detail``; they decide nothing. Every format (text, Markdown, HTML, JSON) renders the
same view, so a reader sees the same brief whichever format they asked for.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

#: Shown after the dates in a report read with --strict.
STRICT_NOTE = " · read strictly: no presumptions or defaults"


class _View(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class BriefJurisdiction(_View):
    """One jurisdiction in a line or three: the verdict, why, what is still open, what is assumed."""

    codes: list[str] = Field(description="One code, or several that share the same verdict and reason.")
    names: list[str]
    verdict: str = Field(description="The filing verdict (mandatory, voluntary, not_required, undetermined, not_assessed).")
    verdict_text: str = Field(description="The verdict in words, with the regime where it matters.")
    reason: str = Field(description="Why, in words: the deciding rule's reason, first sentence.")
    basis_status: str = "verified"
    routes: list[str] = Field(default_factory=list,
                              description="Routes by which an authority can still act, with status and dates.")
    closed: list[str] = Field(default_factory=list, description="Routes whose time ran out: 'call-in expired on DATE'.")
    presumptions: list[str] = Field(default_factory=list, description="Assumed, please confirm.")
    open_facts: int = Field(0, description="Information requests that would decide this verdict.")


class BriefTheory(_View):
    theory: str
    title: str
    band: str
    undetermined: bool
    evidence: list[str] = Field(description="The decisive evidence: ability, incentive, effect, or the reason.")
    could_reach: str | None = Field(None, description="'high if ...' where unknown facts could raise the band.")


class BriefRequest(_View):
    """A missing fact, asked once."""

    question: str
    path: str
    decides: list[str]
    alternatives: list[str]


class Brief(_View):
    """What a partner reads first: one screen."""

    deal: str = Field(description="The deal in one line.")
    law_date: date
    today: date
    strict: bool = Field(False, description="Read strictly: presumptions and the deal format's defaults off.")
    overall: str | None = Field(None, description="Overall risk band and why.")
    jurisdictions: list[BriefJurisdiction]
    exposure: list[str] = Field(default_factory=list, description="Exposure on a deal that has closed.")
    theories: list[BriefTheory] = Field(description="Theories of harm at medium or high.")
    theories_left: list[str] = Field(default_factory=list,
                                     description="Theories at low or with no indicator, by title and band.")
    requests: list[BriefRequest] = Field(description="The facts to ask for, most decisive first.")
    requests_more: int = Field(0, description="Further requests listed in the detail view.")
    next_steps: list[str]
    precedents: list[str] = Field(default_factory=list)
    warnings: int = Field(0, description="Warnings on parameters, listed in the detail view.")


class RuleGroup(_View):
    """The findings of one rule, with the counterparts they are about."""

    rule_id: str
    title: str
    jurisdiction: str | None
    theory: str | None
    statuses: list[str] = Field(description="holds / undetermined, per finding, in finding order.")
    conclusion: str
    citation: str
    url: str
    basis_status: str
    findings: list[str] = Field(description="The finding ids grouped here.")
    counterparts: list[str] = Field(default_factory=list,
                                    description="What differs between the findings (a customer, a person).")
    reasons: list[str] = Field(description="Each distinct reason once.")
    facts: list[str] = Field(default_factory=list, description="Known facts used, 'name = value (path; source)'.")
    because: list[str] = Field(default_factory=list)


class DetailMargin(_View):
    fact: str
    text: str = Field(description="Readable: value, line and distance.")
    decisive: bool = Field(description="Whether the comparison decided a verdict or band that holds.")
    findings: list[str]
    source: str


class Question(_View):
    """Undetermined alternatives grouped under the question they answer."""

    question: str
    path: str
    alternatives: list[str] = Field(description="'above EUR 50m -> DE-GWB35-1-TURNOVER (§35(1) GWB)'.")


class Detail(_View):
    """Everything, reorganised: findings per rule, margins that matter, each conversion once."""

    groups: list[RuleGroup]
    margins: list[DetailMargin]
    margins_left_out: int = Field(0, description="Margins far from their line and not decisive.")
    questions: list[Question]
    conversions: list[str]
