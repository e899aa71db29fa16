"""Exposure after closing (gun-jumping) and authority acts as facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.report import JurisdictionReport, Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT

META = ROOT / "cases" / "meta-scale-ai.yaml"
TODAY = date(2026, 11, 23)


def report(deal: Deal, book: Rulebook, today: date = TODAY) -> Report:
    return build_report(evaluate(deal, book, today=today), today=today, near_miss_band=None)


def jurisdiction(r: Report, code: str) -> JurisdictionReport:
    return next(j for j in r.jurisdictions if j.code == code)


def german_deal(acts: list[dict[str, Any]] | None = None, **transaction: Any) -> Deal:
    """A 30% voting stake meeting the German §35(1) turnover test."""
    return Deal.model_validate({
        "schema_version": 1, "id": "gj", "title": "Gun-jumping test",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer",
             "turnover": [{"jurisdiction": "WORLD", "amount": "2bn EUR"}, {"jurisdiction": "DE", "amount": "200m EUR"}]},
            {"id": "t", "name": "Target", "role": "target",
             "turnover": [{"jurisdiction": "WORLD", "amount": "100m EUR"}, {"jurisdiction": "DE", "amount": "30m EUR"}]},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": "2025-06-13", **transaction},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 30, "voting_after": 30, "share_class": "voting"}],
        "authority_acts": acts or [],
    })


def test_meta_german_and_austrian_findings_speak_of_a_closed_deal(rulebook: Rulebook) -> None:
    r = report(load_deal(META), rulebook)
    for code, law in (("DE", "§41(1) GWB"), ("AT", "§17 KartG")):
        j = jurisdiction(r, code)
        (x,) = j.exposure
        assert x.kind == "gun_jumping" and x.status == "possible"
        assert "Closed on 2025-06-13" in x.text and law in x.text
        assert x.consequences and x.citations
        assert "gun-jumping exposure (possible)" in j.headline
        assert any(f.startswith(f"{code}-") and "CLOSED-WITHOUT-CLEARANCE" in f for f in j.findings)
    # No finding advises against closing a deal that closed on 13 June 2025.
    assert not any("do not close" in f.reason or "do not implement" in f.reason for f in r.findings)
    # Non-voting shares: no HSR filing, so no HSR exposure.
    assert jurisdiction(r, "US").exposure == []


def test_no_exposure_before_closing(rulebook: Rulebook) -> None:
    r = report(load_deal(META), rulebook, today=date(2025, 6, 1))
    assert all(j.exposure == [] for j in r.jurisdictions)


def test_gun_jumping_holds_when_the_duty_holds_and_no_notification_was_made(rulebook: Rulebook) -> None:
    de = jurisdiction(report(german_deal([{"authority": "DE", "act": "not_notified"}]), rulebook), "DE")
    assert de.filing == "mandatory"
    (x,) = de.exposure
    assert x.status == "holds"
    assert any("invalid (§41(1) sentence 2 GWB)" in c for c in x.consequences)
    assert any("10%" in c and "§81c(2) GWB" in c for c in x.consequences)
    assert "§41(1) and (3) GWB" in x.citations


def test_a_stated_notification_removes_the_exposure(rulebook: Rulebook) -> None:
    de = jurisdiction(report(german_deal([{"authority": "DE", "act": "notified", "on": "2025-05-02"}]), rulebook),
                      "DE")
    assert de.exposure == []


def test_next_steps_do_not_ask_to_file_where_the_deal_was_notified(rulebook: Rulebook) -> None:
    """A closed deal that meets a filing test: file without delay, unless the deal file says it was
    notified there (then there is nothing to file)."""
    unfiled = report(german_deal(), rulebook)
    assert any(s.startswith("File in Germany without delay") for s in unfiled.next_steps), unfiled.next_steps
    filed = report(german_deal([{"authority": "DE", "act": "cleared", "on": "2025-06-01"}]), rulebook)
    assert not any("Germany" in s and s.startswith("File in") for s in filed.next_steps), filed.next_steps


def test_hsr_exposure_names_the_daily_penalty_in_force(rulebook: Rulebook) -> None:
    deal = Deal.model_validate({
        "schema_version": 1, "id": "hsr", "title": "HSR",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"], "closing": "2025-06-13", "consideration": "1bn USD"},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 60, "voting_after": 60, "share_class": "voting"}],
        "authority_acts": [{"authority": "US", "act": "not_notified"}],
    })
    (x,) = jurisdiction(report(deal, rulebook), "US").exposure
    assert x.status == "holds"
    assert any("53,088" in c and "for each day" in c for c in x.consequences), x.consequences


def test_authority_statement_that_thresholds_are_met_decides_the_verdict(rulebook: Rulebook) -> None:
    deal = load_deal(META)
    data = deal.model_dump(mode="json", exclude_none=True)
    data["authority_acts"] = [{"authority": "DE", "act": "thresholds_met", "on": "2025-09-01"}]
    de = jurisdiction(report(Deal.model_validate(data), rulebook), "DE")
    assert de.filing == "mandatory" and "DE-BKARTA-NOTIFICATION-REQUIRED" in de.decided_by
    # Closed, notifiable and no notification stated either way: the exposure is possible, not held.
    assert [x.status for x in de.exposure] == ["possible"]


def test_a_call_in_keeps_the_route_open_after_the_period(rulebook: Rulebook) -> None:
    data = load_deal(META).model_dump(mode="json", exclude_none=True)
    data["authority_acts"] = [{"authority": "UK", "act": "call_in", "on": "2025-09-15"},
                              {"authority": "IT", "act": "referral_request", "on": "2025-10-01"}]
    r = report(Deal.model_validate(data), rulebook)
    uk = jurisdiction(r, "UK")
    assert any(x.route == "call_in" and x.status == "holds" for x in uk.reach)
    assert "still reachable by call-in" in uk.headline and "expired" not in uk.headline
    eu = jurisdiction(r, "EU")
    assert any(x.route == "referral" and x.status == "holds" and x.finding == "EU-ART22-REQUESTED" for x in eu.reach)


def test_referral_period_runs_from_a_national_notification(rulebook: Rulebook) -> None:
    deal = german_deal([{"authority": "DE", "act": "notified", "on": "2025-05-02"}])
    eu = jurisdiction(report(deal, rulebook, today=date(2025, 5, 10)), "EU")
    by_id = {f.id: f for f in report(deal, rulebook, today=date(2025, 5, 10)).findings}
    german = [x for x in eu.reach if x.route == "referral" and by_id[x.finding].reason.startswith("DE has")]
    assert german and all(x.until == date(2025, 5, 23) for x in german)
    w = next(w for w in eu.windows if w.route == "referral" and w.starts is not None)
    # 15 working days from Friday 2 May 2025 = Friday 23 May 2025.
    assert (w.status, w.starts, w.ends) == ("open", date(2025, 5, 2), date(2025, 5, 23))
    later = report(deal, rulebook, today=date(2025, 7, 1))
    by_id = {f.id: f for f in later.findings}
    german = [x for x in jurisdiction(later, "EU").reach
              if x.route == "referral" and by_id[x.finding].reason.startswith("DE has")]
    assert german and all(x.status == "expired" for x in german)
    # Another member state's clock runs from its own notification, which is not stated.
    others = [x for x in jurisdiction(later, "EU").reach
              if x.route == "referral" and not by_id[x.finding].reason.startswith("DE has")]
    assert all(x.status != "expired" for x in others)


@pytest.mark.parametrize("authority", ["XX", "WORLD"])
def test_unknown_authority_is_rejected(authority: str) -> None:
    with pytest.raises(ValueError, match="is not a jurisdiction"):
        german_deal([{"authority": authority, "act": "call_in"}])
