"""The precedent cases in cases/ against what the authorities actually did.

Each case is evaluated under the law of its own date, and each jurisdiction the rulebook covers is
compared with the outcome the precedent record gives (``actual_outcomes``). The outcomes fall into
three kinds:

* the authority took jurisdiction: a notification, a review, a referral or a call-in;
* it examined the deal and found no jurisdiction (or a court held it had none);
* there is no public record of any review.

The engine's answer for a jurisdiction is its filing verdict, and where no filing is required,
whether a route (call-in, referral, own-initiative review, challenge) holds or is possible. The
agreement table is printed (``pytest -s``) and kept in tests/golden/precedents_table.md. The one
thing that must never happen: the engine says no filing is required and no route can reach the deal,
while the authority in fact took jurisdiction. Where the facts do not settle a question the
engine must say "undetermined" instead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from antitrust.brief import voluntary_regime
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.report import JurisdictionReport, Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT, TODAY

CASES = sorted((ROOT / "cases").glob("*.yaml"))

#: Outcome labels of the precedent record, by what they say about jurisdiction.
TOOK_JURISDICTION = "took jurisdiction"
NO_JURISDICTION = "no jurisdiction"
NO_RECORD = "no review recorded"
OUTCOME_KIND = {
    "cleared_unconditionally": TOOK_JURISDICTION,
    "cleared_with_remedies": TOOK_JURISDICTION,
    "prohibited_then_cleared_restructured": TOOK_JURISDICTION,
    "abandoned_during_review": TOOK_JURISDICTION,
    "divestiture_ordered_unwound": TOOK_JURISDICTION,
    "cleared_after_agency_lost_in_court": TOOK_JURISDICTION,
    "notifiability_declared": TOOK_JURISDICTION,
    "referral_to_EC": TOOK_JURISDICTION,
    # An investigation without a public result is still a review.
    "inquiry_no_public_outcome": TOOK_JURISDICTION,
    "not_notifiable": NO_JURISDICTION,
    "no_jurisdiction_found": NO_JURISDICTION,
    "referral_withdrawn_no_decision": NO_JURISDICTION,
    # The Commission took the case on referrals the CJEU annulled for want of national jurisdiction.
    "decisions_withdrawn_after_court_annulment": NO_JURISDICTION,
    "not_reviewed_no_public_record": NO_RECORD,
    "ongoing_or_unknown": NO_RECORD,
    # A market study (FTC Act §6(b)) is not a merger review.
    "study_no_enforcement": NO_RECORD,
}

AGREE, UNDETERMINED, DISAGREE, FALSE_NOT_REQUIRED = "agree", "undetermined", "disagree", "FALSE NOT REQUIRED"
#: Routes by which an authority itself takes a deal up (a duty to inform is not one).
TAKING_ROUTES = {"call_in", "referral", "post_closing_challenge", "own_initiative"}


@dataclass(frozen=True)
class Pair:
    deal: str
    jurisdiction: str
    actual: str
    kind: str
    engine: str
    engine_text: str
    verdict: str
    needed: int
    #: The engine's answer rests only on an authority's own act stated in the case file (rules/acts).
    by_act: bool = False


def engine_answer(j: JurisdictionReport) -> tuple[str, str]:
    """(class, text): the filing verdict, or for 'not required' whether a route reaches the deal.

    In a voluntary regime there is never a duty to file, so an open verdict there is about the
    authority's jurisdiction only: no filing duty, and the deal possibly reachable, which is the
    same answer as 'not required; possibly reachable' elsewhere (and reads so in the report:
    "voluntary regime (CMA), jurisdiction not settled")."""
    if j.filing == "undetermined" and voluntary_regime(j, {}):
        return "route_possible", "voluntary regime, jurisdiction not settled"
    if j.filing != "not_required":
        return j.filing, j.filing.replace("_", " ")
    holds = sorted({r.route for r in j.reach if r.route in TAKING_ROUTES and r.status == "holds"})
    possible = sorted({r.route for r in j.reach if r.route in TAKING_ROUTES and r.status == "undetermined"})
    if holds:
        return "reachable", "not required; reachable by " + ", ".join(r.replace("_", " ") for r in holds)
    if possible:
        return "route_possible", "not required; possibly reachable by " + ", ".join(r.replace("_", " ") for r in possible)
    return "not_required", "not required"


def agreement(kind: str, engine: str) -> str:
    if engine == "undetermined":
        return UNDETERMINED
    if kind == TOOK_JURISDICTION:
        if engine in {"mandatory", "voluntary", "reachable"}:
            return AGREE
        return UNDETERMINED if engine == "route_possible" else FALSE_NOT_REQUIRED
    if kind == NO_JURISDICTION:
        if engine == "not_required":
            return AGREE
        return UNDETERMINED if engine == "route_possible" else DISAGREE
    # No review is recorded: consistent with anything short of a filing duty.
    return DISAGREE if engine == "mandatory" else AGREE


@pytest.fixture(scope="module")
def evaluated(rulebook: Rulebook) -> list[tuple[Path, Deal, Report]]:
    out = []
    for path in CASES:
        deal = load_deal(path, verify_sources=True)
        out.append((path, deal, build_report(evaluate(deal, rulebook, today=TODAY), today=TODAY)))
    return out


@pytest.fixture(scope="module")
def evaluated_without_acts(evaluated: list[tuple[Path, Deal, Report]],
                           rulebook: Rulebook) -> list[tuple[Path, Deal, Report]]:
    """The same cases with every authority act removed: what the rules decide from the deal's own facts.

    A user screening a new deal seldom knows what an authority did, so this is the figure that says
    how far the rulebook alone gets.
    """
    out = []
    for path, deal, _report in evaluated:
        bare = deal.model_copy(update={"authority_acts": []})
        out.append((path, bare, build_report(evaluate(bare, rulebook, today=TODAY), today=TODAY)))
    return out


def _finding_rule(finding: str) -> str:
    return finding.split("#", 1)[0]


def rests_on_act(j: JurisdictionReport, engine: str, act_rules: set[str]) -> bool:
    """Whether the answer comes only from rules that take an authority's act as a fact."""
    if engine == "reachable":
        holding = {_finding_rule(r.finding) for r in j.reach if r.route in TAKING_ROUTES and r.status == "holds"}
        return bool(holding) and holding <= act_rules
    deciding = {_finding_rule(f) for f in j.decided_by}
    return bool(deciding) and deciding <= act_rules


def make_pairs(evaluated: list[tuple[Path, Deal, Report]], rulebook: Rulebook) -> list[Pair]:
    act_rules = {r.spec.id for r in rulebook.rules if "/acts/" in r.location.path.replace("\\", "/")}
    out = []
    for _path, deal, report in evaluated:
        by_code = {j.code: j for j in report.jurisdictions}
        for code, actual in sorted(deal.actual_outcomes.items()):
            j = by_code.get(code)
            if j is None:
                continue
            engine, text = engine_answer(j)
            kind = OUTCOME_KIND[actual]
            by_act = rests_on_act(j, engine, act_rules)
            if by_act:
                text += " (on the authority's own act)"
            out.append(Pair(deal.id, code, actual, kind, engine, text, agreement(kind, engine), len(j.needed), by_act))
    return out


@pytest.fixture(scope="module")
def pairs(evaluated: list[tuple[Path, Deal, Report]], rulebook: Rulebook) -> list[Pair]:
    return make_pairs(evaluated, rulebook)


@pytest.fixture(scope="module")
def pairs_without_acts(evaluated_without_acts: list[tuple[Path, Deal, Report]], rulebook: Rulebook) -> list[Pair]:
    return make_pairs(evaluated_without_acts, rulebook)


def table(pairs: list[Pair], evaluated: list[tuple[Path, Deal, Report]], bare: list[Pair]) -> str:
    counts = Counter(p.verdict for p in pairs)
    bare_counts = Counter(p.verdict for p in bare)
    covered = {(p.deal, p.jurisdiction) for p in pairs}
    uncovered = sorted(f"{deal.id} {code}" for _p, deal, _r in evaluated for code in deal.actual_outcomes
                       if (deal.id, code) not in covered)
    lines = [
        "# Precedents: engine verdicts against what the authorities did",
        "",
        (f"{len(evaluated)} cases, {len(pairs)} (deal, jurisdiction) pairs: {counts[AGREE]} agree "
         f"({sum(p.by_act for p in pairs if p.verdict == AGREE)} of them only on an authority's own act stated in "
         "the case file, such as a declaration that the deal is notifiable or an accepted referral), "
         f"{counts[UNDETERMINED]} undetermined, {counts[DISAGREE]} disagree, "
         f"{counts[FALSE_NOT_REQUIRED]} where the engine says no filing and no route although the authority "
         "took jurisdiction."),
        "",
        ("In a voluntary regime (UK) an open verdict is about jurisdiction only, never a filing duty: it is "
         "counted like 'not required; possibly reachable' elsewhere, so it agrees where no review is recorded "
         "and stays undetermined where the authority took jurisdiction or found it had none."),
        "",
        (f"On the rules alone, with every authority act removed from the case files: {bare_counts[AGREE]} agree, "
         f"{bare_counts[UNDETERMINED]} undetermined, {bare_counts[DISAGREE]} disagree, "
         f"{bare_counts[FALSE_NOT_REQUIRED]} false not-required."),
        "",
        "| deal | law as of | jurisdiction | what the authority did | kind | engine | result |",
        "|---|---|---|---|---|---|---|",
    ]
    dates = {deal.id: report.meta.as_of for _p, deal, report in evaluated}
    for p in pairs:
        lines.append(f"| {p.deal} | {dates[p.deal].isoformat()} | {p.jurisdiction} | {p.actual} | {p.kind} | "
                     f"{p.engine_text} | {p.verdict} |")
    lines += ["", "Not covered by the rulebook: " + (", ".join(uncovered) if uncovered else "none") + "."]
    return "\n".join(lines) + "\n"


def test_every_precedent_case_loads_with_its_sources(evaluated: list[tuple[Path, Deal, Report]]) -> None:
    assert len(evaluated) >= 13
    for path, deal, _report in evaluated:
        assert deal.actual_outcomes, f"{path.name} records no actual outcome"
        digest = ROOT / "seeds" / f"ref-precedent-{deal.id}.yaml"
        assert digest.is_file(), f"{path.name} has no digest {digest.name}"


def test_every_outcome_label_is_classified(evaluated: list[tuple[Path, Deal, Report]]) -> None:
    labels = {label for _p, deal, _r in evaluated for label in deal.actual_outcomes.values()}
    assert labels <= set(OUTCOME_KIND), f"unclassified outcome labels: {sorted(labels - set(OUTCOME_KIND))}"


def test_each_case_is_judged_under_the_law_of_its_own_date(evaluated: list[tuple[Path, Deal, Report]]) -> None:
    for path, _deal, report in evaluated:
        assert report.meta.as_of < TODAY, f"{path.name} has no dated fact, so today's law was applied"


def test_agreement_table(pairs: list[Pair], evaluated: list[tuple[Path, Deal, Report]],
                         pairs_without_acts: list[Pair], golden: Any) -> None:
    text = table(pairs, evaluated, pairs_without_acts)
    print("\n" + text)
    golden("precedents_table.md", text)


@pytest.mark.parametrize("with_acts", [True, False], ids=["with-acts", "rules-alone"])
def test_no_false_not_notifiable(pairs: list[Pair], pairs_without_acts: list[Pair], with_acts: bool) -> None:
    """False comfort is the worst error, with or without the authorities' acts in the case files."""
    wrong = [p for p in (pairs if with_acts else pairs_without_acts) if p.verdict == FALSE_NOT_REQUIRED]
    assert not wrong, "the engine says no filing and no route where the authority took jurisdiction: " + "; ".join(
        f"{p.deal} {p.jurisdiction} ({p.actual})" for p in wrong)


def test_undetermined_filings_name_the_facts_that_would_settle_them(pairs: list[Pair]) -> None:
    for p in pairs:
        if p.engine == "undetermined":
            assert p.needed, f"{p.deal} {p.jurisdiction} is undetermined without naming a missing fact"


def test_the_clear_us_filings_are_found(pairs: list[Pair]) -> None:
    """Every acquisition of all the voting shares above the HSR cap is a mandatory, suspensory filing."""
    us = {p.deal: p for p in pairs if p.jurisdiction == "US" and p.kind == TOOK_JURISDICTION}
    for deal in ("illumina-grail", "facebook-whatsapp", "microsoft-activision", "adobe-figma", "google-fitbit",
                 "broadcom-vmware", "salesforce-slack", "cisco-splunk", "meta-kustomer"):
        assert us[deal].engine == "mandatory", f"{deal}: {us[deal].engine_text}"
    assert us["microsoft-inflection"].engine == "reachable", "a licence-and-hire deal above the threshold is open to 801.90"


def test_a_reason_resting_on_an_authority_act_names_the_act_and_its_date(
        evaluated: list[tuple[Path, Deal, Report]]) -> None:
    """Not "does not meet the German filing test (yes)": the act and its date, as stated."""
    reasons = {(deal.id, j.code): j.reason for _p, deal, report in evaluated for j in report.jurisdictions}
    assert "(stated: thresholds not met on 2024-11-29)" in reasons[("microsoft-inflection", "DE")]
    assert "(stated: thresholds met on 2024-09-04)" in reasons[("microsoft-inflection", "UK")]
    assert not [key for key, text in reasons.items() if text and "(yes)" in text]
