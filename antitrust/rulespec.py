"""The rule file format (``rules/**/*.yaml``), as pydantic models: data only, no behaviour."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from antitrust.deal import Confidence
from antitrust.params import Status

#: A theory of harm's id, declared in a ``theories:`` list (rules/regimes.yaml).
Theory = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
#: A regime's code, declared in a ``regimes:`` list (rules/regimes.yaml).
Jurisdiction = Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]
Band = Literal["low", "medium", "high"]


class _Strict(BaseModel):
    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class LegalBasis(_Strict):
    citation: str = Field(min_length=3, description="The provision, e.g. '§37(1) Nr. 3 GWB'.")
    url: str = Field(pattern=r"^https?://", description="Where the text can be read.")
    status: Status = "verified"
    note: str | None = None


class Derive(_Strict):
    """A derived fact this rule asserts, for other rules to build on."""

    fact: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Name of the derived fact.")
    #: Extra fields: literals, or '{fact.field}' to copy a matched fact's value.
    fields: dict[str, str | float | bool] = Field(default_factory=dict)


class Verdict(_Strict):
    """The rule concludes the filing position in its jurisdiction."""

    filing: Literal["mandatory", "voluntary", "not_required"]
    suspensory: bool = False


#: Events a review or call-in period can run from (see antitrust/clock.py).
WindowStart = Literal["closing", "announcement", "signing", "notification"]


class ReachWindow(_Strict):
    """The time limit of a route: a dated parameter (months, days or working days) counted from an
    event of the deal. The report counts it to its 'today' and marks the route expired after it."""

    param: str = Field(description="Parameter holding the length (unit months, days or working_days).")
    runs_from: list[WindowStart] = Field(
        min_length=1, description="The events the period runs from; with several, the earliest known one "
        "(or the latest, with pick: latest).")
    pick: Literal["earliest", "latest"] = "earliest"
    authority: str = Field(min_length=2, description="Who must act within the period, e.g. 'CMA'.")
    note: str | None = Field(None, description="What the period does not model, said in the report.")


class Reach(_Strict):
    """The rule concludes a route by which an authority can still reach the deal."""

    route: Literal["call_in", "referral", "post_closing_challenge", "own_initiative", "inform"]
    window: ReachWindow | None = Field(None, description="The time limit of the route, if the law sets one.")


class ExposureSpec(_Strict):
    """The rule concludes an exposure on a deal that has closed (gun-jumping, a review after closing)."""

    kind: Literal["gun_jumping", "post_closing_review", "unwinding"]
    consequences: list[str] = Field(
        default_factory=list, description="What follows, each with its provision; a template like the reason "
        "(e.g. '{param.us.hsr.civil_penalty_per_day} per day')."
    )
    citations: list[str] = Field(default_factory=list, description="Provisions besides the rule's basis.")


class Risk(_Strict):
    """The rule raises a theory of harm to a risk band."""

    band: Band


class RuleTest(_Strict):
    """A small deal fragment and what the rule must do with it."""

    name: str
    deal: dict[str, Any] = Field(
        default_factory=dict,
        description="Merged over a minimal two-party deal (acquirer 'a', target 't').",
    )
    expect: Literal["fires", "does_not_fire", "undetermined"]
    as_of: date | None = None
    today: date | None = Field(None, description="Date deadlines and 'has the deal closed' are counted to "
                               "(default: as_of, else the default test date).")
    strict: bool = Field(False, description="Evaluate with presumptions and defaults switched off (--strict).")


class InForce(_Strict):
    """When the provision a rule encodes applies (for rules without a dated parameter)."""

    from_: date | None = Field(None, alias="from", description="First day the provision applies.")
    until: date | None = Field(None, description="Last day the provision applies.")

    # defer_build: a model's validator is built when first used, not at import (start-up time).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)

    def covers(self, when: date) -> bool:
        return (self.from_ is None or self.from_ <= when) and (self.until is None or when <= self.until)


#: The steps of a theory of harm (EU Non-Horizontal Merger Guidelines, US 2023 Merger Guidelines,
#: CMA Merger Assessment Guidelines): whether its legal premise holds, then ability, incentive and
#: likely effect.
Step = Literal["premise", "ability", "incentive", "effect"]
STEPS: tuple[str, ...] = ("premise", "ability", "incentive", "effect")


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", description="Stable id.")
    title: str
    jurisdiction: Jurisdiction | None = None
    theory: Theory | None = None
    basis: LegalBasis
    when: str = Field(min_length=1, description="Condition over deal and derived facts.")
    derive: Derive | None = None
    verdict: Verdict | None = None
    reach: Reach | None = None
    exposure: ExposureSpec | None = None
    risk: Risk | None = None
    step: Step | None = Field(None, description="The step of its theory this rule gives evidence for.")
    reason: str = Field(min_length=3, description="Template shown in the report, e.g. '{stake.equity_after}%'.")
    #: How far the rule itself can be relied on (a heuristic is 'medium').
    confidence: Confidence = "high"
    #: Dates the provision applies; rules with dated parameters are also inactive before those.
    in_force: InForce | None = None
    tests: list[RuleTest] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Rule:
        if self.jurisdiction is None and self.theory is None:
            raise ValueError("a rule belongs to a jurisdiction, a theory of harm, or both")
        if (self.verdict or self.reach or self.exposure) and self.jurisdiction is None:
            raise ValueError("a rule with a verdict, reach or exposure needs a jurisdiction")
        if self.risk and self.theory is None:
            raise ValueError("a rule with a risk band needs a theory")
        if not (self.derive or self.verdict or self.reach or self.risk):
            # A rule that records only a reason is a plain finding; that is allowed.
            pass
        return self


class BandRow(_Strict):
    """One row of a theory's decision table: the band reached when every listed step holds."""

    band: Band
    needs: list[Step] = Field(min_length=1, description="Steps that must all hold, e.g. [ability, incentive].")
    reason: str = Field(min_length=3, description="Why these steps give this band, in words.")
    tests: list[RuleTest] = Field(default_factory=list)


class BandTable(_Strict):
    """A theory's band as a function of its evidence steps: the first row whose steps all hold.

    Each step is a derived fact that the theory's evidence rules assert (``steps``); each row
    compiles into a rule ``BAND-<THEORY>-<BAND>`` whose condition is the conjunction of its steps,
    so an undetermined step gives an undetermined row: the band the theory could reach."""

    theory: Theory
    basis: LegalBasis
    steps: dict[Step, str] = Field(description="Step -> name of the derived fact that establishes it.")
    rows: list[BandRow] = Field(min_length=1)

    def rules(self) -> list[Rule]:
        out: list[Rule] = []
        name = self.theory.upper().replace("_", "-")
        for n, row in enumerate(self.rows):
            missing = [s for s in row.needs if s not in self.steps]
            if missing:
                raise ValueError(f"row '{row.band}' needs step {missing[0]!r}, which 'steps' does not name")
            held = " and ".join(self.steps[s] for s in row.needs)
            out.append(Rule(
                id=f"BAND-{name}-{row.band.upper()}" + ("" if [r.band for r in self.rows].count(row.band) == 1
                                                        else f"-{n + 1}"), title=f"{row.band.capitalize()} band: "
                f"{', '.join(row.needs)} established", theory=self.theory, basis=self.basis,
                when=held, risk=Risk(band=row.band), reason=row.reason, tests=row.tests,
            ))
        return out


class OverallRow(_Strict):
    """One row of the overall-risk table: the band when every condition stated in the row holds."""

    band: Band
    filing: Literal["mandatory"] | None = Field(
        None, description="'mandatory': a mandatory filing holds in at least one jurisdiction.")
    route: Literal["holds"] | None = Field(
        None, description="'holds': an authority can still take the deal up (call-in, referral, challenge, "
                          "own-initiative review) in at least one jurisdiction.")
    theory_band: Band | None = Field(
        None, description="A substantive theory of harm is established at this band or higher.")
    reason: str = Field(min_length=3, description="Why, in words; {jurisdictions} and {theories} are filled in.")


class OverallTable(_Strict):
    """The deal's overall risk from its verdicts and theory bands: the first row whose conditions hold.

    The bands mean what authorities did: high, a prohibition, abandonment under review, or remedies
    after an in-depth review; medium, an in-depth review or second request, or phase-1 remedies;
    low, phase-1 clearance, no review or no jurisdiction."""

    basis: LegalBasis
    substantive: list[Theory] = Field(
        min_length=1, description="Theories that describe harm to competition (structuring and interlocks "
                                  "are about reach, not effect).")
    rows: list[OverallRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _ends_with_default(self) -> OverallTable:
        last = self.rows[-1]
        if last.filing or last.route or last.theory_band:
            raise ValueError("the last row must have no conditions (the band when no other row holds)")
        return self


class PresumptionSpec(_Strict):
    """A legal element a practitioner presumes unless the facts suggest otherwise.

    The engine applies it only where the fact is unknown, before the facts reach the rules, and
    the report lists it as "assumed, please confirm" next to every verdict that relied on it.
    ``--strict`` switches presumptions off: the fact stays unknown and such verdicts become
    undetermined, naming the fact."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", description="Stable id, e.g. 'EU-NO-TWO-THIRDS'.")
    fact: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
                      description="The deal fact presumed, as fact.field (a base fact, not a derived one).")
    value: bool | float | str = Field(description="The presumed value, of the field's kind.")
    statement: str = Field(min_length=3, description="What is presumed, as it completes 'assuming ...': "
                           "'the two-thirds rule does not apply'.")
    why: str = Field(min_length=3, description="Why a practitioner presumes it unless facts suggest otherwise.")
    basis: LegalBasis
    path: str | None = Field(None, description="Where a deal file states the facts that confirm or rebut it.")
    serves: list[str] = Field(min_length=1, description="Ids of the rules that read the presumed fact.")


class RuleFile(_Strict):
    rules: list[Rule] = Field(default_factory=list)
    presumptions: list[PresumptionSpec] = Field(
        default_factory=list, description="Legal elements presumed where the fact is unknown (switched off by "
                                          "--strict).")
    overall: OverallTable | None = Field(None, description="The overall-risk table (one in a rulebook).")
    bands: list[BandTable] = Field(default_factory=list,
                                   description="Decision tables: a theory's band from its evidence steps.")
