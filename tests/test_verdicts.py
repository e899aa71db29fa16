"""Filing verdicts are findings: 'not required' only when a rule concludes it, 'undetermined' when
no rule decides, 'not assessed' when no law is modelled for the date; regimes are data."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal, parse_deal
from antitrust.report import JurisdictionReport, Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook, load_rulebook

from .conftest import ROOT, TODAY

CASE = ROOT / "cases" / "meta-scale-ai.yaml"


@pytest.fixture(scope="module")
def meta() -> Deal:
    return load_deal(CASE)


def report_for(deal: Deal, book: Rulebook, as_of: date | None = None) -> Report:
    return build_report(evaluate(deal, book, as_of=as_of, today=TODAY), today=TODAY)


def jurisdiction(report: Report, code: str) -> JurisdictionReport:
    return next(j for j in report.jurisdictions if j.code == code)


def with_stake(deal: Deal, **fields: Any) -> Deal:
    data = deal.model_dump(mode="json", exclude_none=True)
    data["stakes"][0].update(fields)
    return Deal.model_validate(data)


def test_every_not_required_verdict_is_decided_by_a_rule(meta: Deal, rulebook: Rulebook) -> None:
    report = report_for(meta, rulebook)
    for j in report.jurisdictions:
        if j.filing == "not_required":
            assert j.decided_by, f"{j.code} is 'not required' without a deciding rule"
            assert "no filing test is met on the stated facts" not in j.headline
            assert j.reason and j.regime and j.authority


def test_italy_says_why_it_is_not_required(meta: Deal, rulebook: Rulebook) -> None:
    it = jurisdiction(report_for(meta, rulebook), "IT")
    assert it.filing == "not_required" and it.decided_by == ["IT-NO-CONCENTRATION"]
    assert it.reason.startswith("No change of control, hence no concentration.")
    assert it.regime == "mandatory, not suspensory (Autorità Garante della Concorrenza e del Mercato)"


def test_a_deal_before_any_modelled_law_is_not_assessed(meta: Deal, rulebook: Rulebook) -> None:
    report = report_for(meta, rulebook, as_of=date(1990, 6, 30))
    us = jurisdiction(report, "US")
    assert us.filing == "not_assessed"
    assert us.headline == "United States: not assessed: no law modelled for 1990-06-30"
    assert "not 'not required'" in us.reason
    assert us.headline in report.summary


def test_undetermined_when_no_rule_decides_names_the_facts_that_would(rulebook: Rulebook) -> None:
    """Votes unknown: the small-stake rule can neither hold nor fail, so the verdict is undetermined
    (never 'not required' by default) and the report asks for the votes."""
    deal = parse_deal("""
schema_version: 1
id: unknown-stake
title: A stake whose size is not known
parties:
  - {id: a, name: A, role: acquirer}
  - {id: t, name: T, role: target}
transaction: {types: [share_acquisition], closing: 2025-06-13}
stakes: [{holder: a, issuer: t, equity_after: 5, voting_after: unknown, share_class: voting}]
governance: [{holder: a, issuer: t, board_seats: 0, vetoes: []}]
""")
    uk = jurisdiction(report_for(deal, rulebook), "UK")
    assert uk.filing == "undetermined"
    assert "stake.voting_after" in {n.fact for n in uk.needed}


def test_a_small_passive_stake_is_not_required_under_the_german_floor(meta: Deal, rulebook: Rulebook) -> None:
    """§37(1) Nr. 4 GWB: half a percent with a founder's board seat is no concentration."""
    de = jurisdiction(report_for(with_stake(meta, equity_after=0.5), rulebook), "DE")
    assert de.filing == "not_required" and de.decided_by == ["DE-NO-CONCENTRATION"]
    assert "DE-GWB37-SIGNIFICANT-INFLUENCE" not in " ".join(de.findings)


def test_austria_shows_that_its_non_voting_reading_is_unverified(meta: Deal, rulebook: Rulebook) -> None:
    at = jurisdiction(report_for(meta, rulebook), "AT")
    assert at.filing == "undetermined" and at.basis_status == "unverified"


FR_REGIME = """
  - code: FR
    name: France
    filing: mandatory
    suspensory: true
    authority: Autorité de la concurrence
    citation: Art. L. 430-2 Code de commerce
    url: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038589773
    params: [fr.cc.]
"""
FR_RULES = """
rules:
  - id: FR-L430-2
    title: French turnover thresholds met
    jurisdiction: FR
    basis:
      citation: Art. L. 430-2 I Code de commerce
      url: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000038589773
    when: control and world.combined_turnover_eur > param.fr.cc.worldwide and fr.smaller_party_turnover_eur > param.fr.cc.each
    verdict: {filing: mandatory, suspensory: true}
    reason: "A concentration with French turnover of {fr.smaller_party_turnover_eur} for the smaller party."
"""
FR_PARAMS = """
parameters:
  - name: fr.cc.worldwide
    title: Combined worldwide turnover
    unit: EUR
    values:
      - {from: 2004-01-01, value: 150000000, citation: Art. L. 430-2 I, url: "https://www.legifrance.gouv.fr/", status: secondary}
  - name: fr.cc.each
    title: French turnover of each of two parties
    unit: EUR
    values:
      - {from: 2004-01-01, value: 50000000, citation: Art. L. 430-2 I, url: "https://www.legifrance.gouv.fr/", status: secondary}
"""


def test_an_analyst_adds_france_with_data_only(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    regimes = rules / "regimes.yaml"
    text = regimes.read_text(encoding="utf-8")
    regimes.write_text(text.replace("\ntheories:", FR_REGIME + "\ntheories:"), encoding="utf-8")
    (rules / "fr").mkdir()
    (rules / "fr" / "cc.yaml").write_text(FR_RULES, encoding="utf-8")
    (rules / "params" / "fr.yaml").write_text(FR_PARAMS, encoding="utf-8")
    book = load_rulebook(rules)
    deal = parse_deal("""
schema_version: 1
id: french-deal
title: A full acquisition with French sales
parties:
  - {id: a, name: A, role: acquirer, turnover: [{jurisdiction: WORLD, amount: 2bn EUR}, {jurisdiction: FR, amount: 300m EUR}]}
  - {id: t, name: T, role: target, turnover: [{jurisdiction: WORLD, amount: 200m EUR}, {jurisdiction: FR, amount: 80m EUR}]}
transaction: {types: [share_acquisition], closing: 2025-06-13}
stakes: [{holder: a, issuer: t, equity_after: 100, voting_after: 100, share_class: voting}]
""")
    fr = jurisdiction(report_for(deal, book), "FR")
    assert (fr.name, fr.filing, fr.suspensory) == ("France", "mandatory", True)
    assert fr.authority == "Autorité de la concurrence"


def test_a_rule_naming_an_undeclared_regime_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "fr").mkdir()
    (rules / "fr" / "cc.yaml").write_text(FR_RULES, encoding="utf-8")
    (rules / "params" / "fr.yaml").write_text(FR_PARAMS, encoding="utf-8")
    with pytest.raises(Exception, match="jurisdiction 'FR' is not declared in a regimes file"):
        load_rulebook(rules)


def test_italy_thresholds_past_their_march_revision_are_flagged(meta: Deal, rulebook: Rulebook) -> None:
    def stale(as_of: date) -> list[str]:
        return [w for w in report_for(meta, rulebook, as_of=as_of).warnings if "revises it every year" in w]

    assert any(w.startswith("it.l287.domestic_combined: the value applied is in force from 2024-03-11")
               for w in stale(date(2025, 6, 13)))
    assert stale(date(2024, 6, 30)) == []


def test_hsr_values_follow_the_january_february_cycle() -> None:
    from antitrust.params import Parameter
    from antitrust.regimes import Regime, Revision, stale_values

    us = Regime(code="US", name="United States", filing="mandatory", suspensory=True, authority="FTC",
                citation="15 U.S.C. §18a", url="https://www.law.cornell.edu/uscode/text/15/18a",
                revision=Revision(month=2, grace_days=45, params=["us.hsr.size_of_transaction"], citation="§18a(a)(2)"))
    sot = Parameter.model_validate({"name": "us.hsr.size_of_transaction", "title": "SOT", "unit": "USD", "values": [
        {"from": "2025-02-21", "value": 126.4e6, "citation": "90 FR 8008", "url": "https://www.ftc.gov/", "status": "verified"}]})
    params = {sot.name: sot}
    assert stale_values(us, params, {sot.name}, date(2025, 6, 13)) == []
    assert stale_values(us, params, {sot.name}, date(2026, 3, 1)) == []  # the 2026 notice may still be pending
    assert "the 2026 revision is missing" in stale_values(us, params, {sot.name}, date(2026, 6, 1))[0]


def test_rules_check_warns_about_regimes_fractions_and_unmodelled_dates(tmp_path: Path) -> None:
    from antitrust.checker import check_rulebook

    (tmp_path / "regimes.yaml").write_text("regimes:" + FR_REGIME, encoding="utf-8")
    (tmp_path / "cc.yaml").write_text(FR_RULES + """
  - id: FR-FRACTION
    title: A stake written as a fraction
    jurisdiction: FR
    basis: {citation: Art. L. 430-1 Code de commerce, url: "https://www.legifrance.gouv.fr/"}
    when: stake.equity_after > 0.25
    reach: {route: own_initiative}
    reason: "A stake of {stake.equity_after}."
""", encoding="utf-8")
    (tmp_path / "fr.yaml").write_text(FR_PARAMS.replace("2004-01-01", "2010-01-01"), encoding="utf-8")
    (tmp_path / "control.yaml").write_text("""
rules:
  - id: FR-CONTROL
    title: Control
    jurisdiction: FR
    basis: {citation: Art. L. 430-1 Code de commerce, url: "https://www.legifrance.gouv.fr/"}
    when: stake.voting_after > 50
    derive: {fact: control}
    reason: "Control."
""", encoding="utf-8")
    result = check_rulebook(tmp_path, today=date(2026, 1, 1))
    codes = {d.code: d.message for d in result.warnings}
    assert "no rule can conclude 'not required'" in codes["no-not-required"]
    assert "2000-01-01 to 2009-07-01" in codes["law-not-modelled"]
    assert "compared with 0.25; write 25" in codes["looks-like-fraction"]


def test_reasons_say_what_is_unknown() -> None:
    from antitrust.reporting import in_sentence

    assert in_sentence("workforce", "share_of_target_staff", None) == \
        "an unknown share (share of target staff not stated)"
    assert in_sentence("stake", "equity_after", {"lo": 5, "hi": None}) == "at least 5%"
    assert in_sentence("stake", "equity_after", {"lo": 49, "hi": 49}) == "49%"
    # A field's unit is not part of what the reader is told is missing.
    assert in_sentence("ie", "combined_turnover_eur", None) == "an unknown amount (combined turnover not stated)"


def test_an_undetermined_verdict_says_which_way_it_leans_before_the_rule_reason(meta: Deal,
                                                                               rulebook: Rulebook) -> None:
    """A rule that matched only on unstated facts wrote its reason for the case where it holds; the
    verdict's reason must not read as settled ("so no notification is due")."""
    from antitrust.brief import jurisdiction_reason
    from antitrust.report import OPEN_SEPARATOR

    report = report_for(meta, rulebook)
    by_id = {f.id: f for f in report.findings}
    de = jurisdiction(report, "DE")
    assert de.filing == "undetermined" and de.decided_by
    rule_reason = by_id[de.decided_by[0]].reason
    assert de.reason == "Possibly notifiable" + OPEN_SEPARATOR + rule_reason[0].lower() + rule_reason[1:]
    assert jurisdiction_reason(de, by_id).startswith("Possibly notifiable, depending on facts not stated: a concentration")

    # Every undetermined verdict with a deciding rule leans the way that rule would decide.
    opening = {"mandatory": "Possibly notifiable", "voluntary": "Possibly reviewable",
               "not_required": "Possibly not required"}
    for j in report.jurisdictions:
        if j.filing == "undetermined" and j.decided_by:
            verdict = rulebook.rule(by_id[j.decided_by[0]].rule_id).spec.verdict
            assert verdict is not None and j.reason.startswith(opening[verdict.filing] + OPEN_SEPARATOR), j.code
    # Settled verdicts keep the rule's own reason.
    for j in report.jurisdictions:
        if j.filing in {"mandatory", "not_required", "voluntary"}:
            assert OPEN_SEPARATOR not in j.reason


def test_a_reason_run_on_after_the_opening_keeps_a_name_capitalised() -> None:
    from antitrust.valuetext import run_on as _run_on

    assert _run_on("The target has at most EUR 17.5m") == "the target has at most EUR 17.5m"
    assert _run_on("Combined turnover in Ireland") == "combined turnover in Ireland"
    assert _run_on("Meta Platforms, Inc.'s 49%") == "Meta Platforms, Inc.'s 49%"
    assert _run_on("EU turnover") == "EU turnover"


def test_an_undetermined_verdict_of_a_full_acquisition_is_explained_by_its_majority_not_by_vetoes(
        rulebook: Rulebook) -> None:
    """With 100% of the votes the concentration holds by majority; the same threshold rule also
    matches through joint control by vetoes nobody stated. The verdict's reason is the better
    supported match."""
    deal = Deal.model_validate({
        "schema_version": 1, "id": "full", "title": "Full acquisition",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer", "turnover": [{"jurisdiction": "WORLD", "amount": "60bn EUR"}]},
            {"id": "t", "name": "Target", "role": "target"},
        ],
        "transaction": {"types": ["share_acquisition"], "announced": "2024-04-24"},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })
    report = report_for(deal, rulebook)
    for code in ("IE", "DK", "SE"):
        j = jurisdiction(report, code)
        assert j.filing == "undetermined"
        assert "(sole control by majority of votes)" in j.reason, (code, j.reason)
        assert "strategic vetoes" not in j.reason
