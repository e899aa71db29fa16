"""The law of every date: deals of 2003 and 2012 are judged under the thresholds of their own day,
and the filing parameters have a value in force on every day since their regime's start."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import TODAY

#: Filing thresholds and the first day the rulebook states them (the regime's start or 2000).
FILING_PARAMETERS = {
    "us.hsr.size_of_transaction": date(2001, 2, 1),
    "us.hsr.size_of_transaction_cap": date(2001, 2, 1),
    "us.hsr.size_of_person_larger": date(2000, 1, 1),
    "us.hsr.size_of_person_smaller": date(2000, 1, 1),
    "eu.eumr.art1_2.worldwide_combined": date(1998, 3, 1),
    "eu.eumr.art1_2.eu_each": date(1998, 3, 1),
    "eu.eumr.art1_3.worldwide_combined": date(1998, 3, 1),
    "eu.eumr.art1_3.member_state_combined": date(1998, 3, 1),
    "eu.eumr.art1_3.member_state_each": date(1998, 3, 1),
    "eu.eumr.art1_3.eu_each": date(1998, 3, 1),
    "uk.ea02.target_turnover": date(2003, 6, 20),
    "de.gwb35.worldwide_combined": date(1999, 1, 1),
    "uk.ea02.share_of_supply": date(2003, 6, 20),
}


def _days(start: date, end: date, step: int = 7) -> list[date]:
    out, d = [], start
    while d <= end:
        out.append(d)
        d += timedelta(days=step)
    return out


@pytest.mark.parametrize("name", sorted(FILING_PARAMETERS))
def test_filing_parameters_have_a_value_on_every_day_since_their_start(rulebook: Rulebook, name: str) -> None:
    p = rulebook.parameters[name]
    start = FILING_PARAMETERS[name]
    assert p.values[0].from_ <= start, f"{name} starts {p.values[0].from_}, after {start}"
    # every change day, the day before it, and every week in between
    days = set(_days(start, TODAY))
    for v in p.values:
        days |= {v.from_, v.from_ - timedelta(days=1)}
        if v.until:
            days |= {v.until, v.until + timedelta(days=1)}
    gaps = sorted(d for d in days if start <= d <= TODAY and (p.at(d) is None or p.at(d).value is None))  # type: ignore[union-attr]
    assert not gaps, f"{name} has no value in force on {gaps[0]} (and {len(gaps) - 1} more days)"


def test_the_german_domestic_threshold_has_a_value_on_every_day_since_1999(rulebook: Rulebook) -> None:
    """Before 25 Mar 2009 one party above EUR 25m; from then on two domestic thresholds."""
    old, new = rulebook.parameters["de.gwb35_pre2009.domestic_one"], rulebook.parameters["de.gwb35.domestic_one"]
    gaps = [d for d in _days(date(1999, 1, 1), TODAY, 1) if old.at(d) is None and new.at(d) is None]
    assert not gaps, f"no German domestic threshold in force on {gaps[0]}"
    both = [d for d in _days(date(1999, 1, 1), TODAY, 1) if old.at(d) is not None and new.at(d) is not None]
    assert not both, f"two German domestic tests in force on {both[0]}"


def test_hsr_values_change_every_year_since_2005(rulebook: Rulebook) -> None:
    p = rulebook.parameters["us.hsr.size_of_transaction"]
    years = {v.from_.year for v in p.values}
    assert set(range(2005, 2027)) <= years, sorted(set(range(2005, 2027)) - years)
    assert p.at(date(2004, 6, 30)).value == 50_000_000  # type: ignore[union-attr]
    assert p.at(date(2012, 6, 30)).value == 68_200_000  # type: ignore[union-attr]
    for v in p.values:
        assert "FR" in v.citation or "Federal Register" in v.citation or v.from_ < date(2005, 1, 1), v.citation


def _deal(closing: str, consideration: str, stake: int = 100, target_de: str | None = None) -> Deal:
    target_turnover: list[dict[str, Any]] = [{"jurisdiction": "WORLD", "amount": "400m USD"}]
    if target_de is not None:
        target_turnover.append({"jurisdiction": "DE", "amount": target_de})
    return Deal.model_validate({
        "schema_version": 1, "id": f"deal-{closing}", "title": f"A share purchase closing {closing}",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer",
             "turnover": [{"jurisdiction": "WORLD", "amount": "20bn USD"}, {"jurisdiction": "DE", "amount": "1bn EUR"}]},
            {"id": "t", "name": "Target", "role": "target", "turnover": target_turnover},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": closing, "consideration": consideration},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": stake, "voting_after": stake, "share_class": "voting"}],
    })


def _report(deal: Deal, book: Rulebook) -> Report:
    return build_report(evaluate(deal, book), today=TODAY)


def _filing(report: Report, code: str) -> Any:
    return next(j for j in report.jurisdictions if j.code == code)


def test_a_2012_usd_1bn_share_purchase(rulebook: Rulebook) -> None:
    report = _report(_deal("2012-06-29", "1bn USD"), rulebook)
    assert report.meta.as_of == date(2012, 6, 29)
    us = _filing(report, "US")
    assert us.filing == "mandatory", us
    used = {p.name: p for p in report.parameters}
    assert used["us.hsr.size_of_transaction_cap"].value == "USD 272.8m"
    uk = _filing(report, "UK")
    assert uk.filing != "not_required", uk
    assert "uk.ea02.target_turnover" in used and used["uk.ea02.target_turnover"].value == "GBP 70m"


def test_a_2003_share_purchase(rulebook: Rulebook) -> None:
    report = _report(_deal("2003-09-30", "250m USD"), rulebook)
    us = _filing(report, "US")
    assert us.filing == "mandatory", us
    used = {p.name: p for p in report.parameters}
    assert used["us.hsr.size_of_transaction_cap"].value == "USD 200m"
    assert _filing(report, "UK").filing != "not_required"
    assert _filing(report, "EU").filing != "not_required"


def test_a_2000_deal_is_judged_under_the_pre_2001_test(rulebook: Rulebook) -> None:
    # USD 250m between large parties: reportable then on size of transaction and size of person.
    report = _report(_deal("2000-09-29", "250m USD"), rulebook)
    assert _filing(report, "US").filing == "mandatory"
    # USD 10m for 10% of the votes: under both limbs of the old test.
    small = _deal("2000-09-29", "10m USD", stake=10)
    assert _filing(_report(small, rulebook), "US").filing != "mandatory"
    # USD 10m for all the votes: the 15% limb applies (the 802.20 exemption of the time is not modelled).
    assert _filing(_report(_deal("2000-09-29", "10m USD"), rulebook), "US").filing == "mandatory"


def test_a_2005_german_deal_needs_only_one_party_above_eur_25m(rulebook: Rulebook) -> None:
    # The target has no German turnover: notifiable in 2005, not after the 2009 amendment.
    before = _filing(_report(_deal("2005-06-30", "250m USD", target_de="0 EUR"), rulebook), "DE")
    assert before.filing == "mandatory", before
    assert "DE-GWB35-1-PRE2009" in before.decided_by
    after = _filing(_report(_deal("2010-06-30", "250m USD", target_de="0 EUR"), rulebook), "DE")
    assert after.filing != "mandatory", after


def test_a_2001_austrian_deal_is_judged_under_the_kartgnov_1999(rulebook: Rulebook) -> None:
    """§42a(1) KartG 1988 as amended from 1 Jan 2000: ATS 4.2bn worldwide, ATS 210m in Austria, ATS 28m each."""
    report = _report(_national_deal("2001-06-29", "AT", "50m EUR", "0 EUR"), rulebook)
    at = _filing(report, "AT")
    assert at.filing == "mandatory", at
    assert "AT-KARTG42A-2002-TURNOVER" in at.decided_by, at.decided_by
    used = {p.name: p for p in report.parameters}
    assert used["at.kartg42a.domestic_combined"].citation.startswith("§42a(1) KartG 1988 as amended by the KartGNov 1999")
    # Austrian turnover not stated: the domestic limb leaves the verdict open (the ATS 3.5bn test of 1993 had none).
    open_ = _filing(_report(_deal("2001-06-29", "250m USD"), rulebook), "AT")
    assert open_.filing == "undetermined", open_
    # Below ATS 210m of Austrian turnover the deal was not notifiable.
    small = _filing(_report(_national_deal("2001-06-29", "AT", "10m EUR", "0 EUR"), rulebook), "AT")
    assert small.filing == "not_required" and "AT-KARTG42A-2002-DOMESTIC-FAILED" in small.decided_by, small


def _uk_deal(closing: str, target_assets: str) -> Deal:
    return Deal.model_validate({
        "schema_version": 1, "id": f"uk-{closing}", "title": f"A UK share purchase closing {closing}",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer", "uk_share_of_supply": 5},
            {"id": "t", "name": "Target", "role": "target", "uk_share_of_supply": 5, "assets": target_assets},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": closing},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })


def test_a_2002_uk_deal_is_judged_under_the_fair_trading_act(rulebook: Rulebook) -> None:
    """Before 20 Jun 2003: the GBP 70m assets test and the 25% share of supply test of the 1973 Act."""
    report = _report(_uk_deal("2002-06-28", "100m GBP"), rulebook)
    uk = _filing(report, "UK")
    assert uk.filing == "voluntary" and "UK-FTA-ASSETS" in uk.decided_by, uk
    assert {p.name: p for p in report.parameters}["uk.fta1973.assets_taken_over"].value == "GBP 70m"
    small = _filing(_report(_uk_deal("2002-06-28", "20m GBP"), rulebook), "UK")
    assert small.filing == "not_required" and "UK-FTA-THRESHOLDS-FAILED" in small.decided_by, small


def _national_deal(closing: str, code: str, acquirer: str, target: str, **extra: Any) -> Deal:
    def turnover(amount: str) -> list[dict[str, Any]]:
        return [{"jurisdiction": code, "amount": amount}, {"jurisdiction": "WORLD", "amount": "10bn EUR"}]
    return Deal.model_validate({
        "schema_version": 1, "id": f"{code.lower()}-{closing}", "title": f"A {code} share purchase closing {closing}",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer", "turnover": turnover(acquirer), **extra},
            {"id": "t", "name": "Target", "role": "target", "turnover": turnover(target), **extra},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": closing},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })


def test_an_irish_deal_of_2008_is_judged_under_the_2002_act_as_enacted(rulebook: Rulebook) -> None:
    """EUR 40m world-wide for two parties, business in the island of Ireland, EUR 40m in the State for one."""
    deal = _national_deal("2008-06-30", "IE", "100m EUR", "1m EUR", domestic_activity={"IE": True})
    ie = _filing(_report(deal, rulebook), "IE")
    assert ie.filing == "mandatory" and "IE-CA2002-18-1-2003" in ie.decided_by, ie
    # In 2016 the same target is below the EUR 3m each party needed in the State.
    later = _filing(_report(_national_deal("2016-06-30", "IE", "100m EUR", "1m EUR",
                                           domestic_activity={"IE": True}), rulebook), "IE")
    assert later.filing == "not_required", later


def test_a_danish_deal_of_2005_is_judged_under_the_2000_thresholds(rulebook: Rulebook) -> None:
    """DKK 3.8bn combined and DKK 300m each until 2010: a DKK 2bn / DKK 200m deal was not notifiable."""
    deal = _national_deal("2005-06-30", "DK", "2bn DKK", "200m DKK")
    assert _filing(_report(deal, rulebook), "DK").filing == "not_required"
    assert _filing(_report(_national_deal("2019-06-28", "DK", "2bn DKK", "200m DKK"), rulebook), "DK").filing == "mandatory"


def test_an_italian_deal_of_2010_meets_one_alternative_threshold_and_is_flagged_stale(rulebook: Rulebook) -> None:
    """Before 2013 either Italian threshold sufficed; the 2010 value in force predates that year's March revision."""
    report = _report(_national_deal("2010-04-30", "IT", "600m EUR", "0 EUR"), rulebook)
    it = _filing(report, "IT")
    assert it.filing == "mandatory" and "IT-L287-16-1-1990" in it.decided_by, it
    assert any("it.l287_1990.domestic_combined" in w and "may be stale" in w for w in report.warnings), report.warnings
    # From 2013 the thresholds were cumulative: the target's own Italian turnover had to exceed the second.
    later = _filing(_report(_national_deal("2014-06-30", "IT", "600m EUR", "0 EUR"), rulebook), "IT")
    assert later.filing == "not_required" and "IT-BELOW-THRESHOLDS-2013" in later.decided_by, later


def test_a_swedish_deal_of_2005_is_judged_under_the_1993_act(rulebook: Rulebook) -> None:
    """Until 31 Oct 2008: SEK 4bn combined (not only in Sweden) and SEK 100m in Sweden for each of two parties."""
    report = _report(_national_deal("2005-06-30", "SE", "2bn SEK", "150m SEK"), rulebook)
    se = _filing(report, "SE")
    assert se.filing == "mandatory" and "SE-KL1993-37-NOTIFY" in se.decided_by, se
    assert {p.name: p for p in report.parameters}["se.ca1993.combined"].value == "SEK 4bn"
    # A Swedish target of SEK 50m was below the lower threshold then.
    small = _filing(_report(_national_deal("2005-06-30", "SE", "2bn SEK", "50m SEK"), rulebook), "SE")
    assert small.filing == "not_required" and "SE-KL1993-BELOW-DOMESTIC" in small.decided_by, small
    # From 1 Nov 2008 each of two parties needs SEK 200m in Sweden.
    later = _filing(_report(_national_deal("2010-06-30", "SE", "2bn SEK", "150m SEK"), rulebook), "SE")
    assert later.filing == "not_required" and "SE-BELOW-THRESHOLDS" in later.decided_by, later



def test_an_irish_deal_of_2001_is_judged_under_the_mergers_act_1978(rulebook: Rulebook) -> None:
    """Until 2002: each of two enterprises with IEP 20m of turnover (or IEP 10m of gross assets), notice to the Minister."""
    report = _report(_national_deal("2001-06-29", "IE", "100m EUR", "1m EUR", domestic_activity={"IE": True}), rulebook)
    ie = _filing(report, "IE")
    assert ie.filing == "mandatory" and "IE-MTMCA1978-NOTIFY" in ie.decided_by, ie
    assert {p.name: p for p in report.parameters}["ie.mtmca1978.turnover_each"].citation.startswith("s.2(1)(a) Mergers")
    # A target with EUR 10m of turnover and EUR 5m of assets was below both limbs.
    small = Deal.model_validate({
        "schema_version": 1, "id": "ie-2001-small", "title": "A small Irish target in 2001",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer", "turnover": [{"jurisdiction": "WORLD", "amount": "1bn EUR"}]},
            {"id": "t", "name": "Target", "role": "target", "assets": "5m EUR",
             "turnover": [{"jurisdiction": "WORLD", "amount": "10m EUR"}]},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": "2001-06-29"},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })
    below = _filing(_report(small, rulebook), "IE")
    assert below.filing == "not_required" and "IE-MTMCA1978-BELOW-TARGET" in below.decided_by, below


def test_an_italian_deal_of_2002_is_judged_under_the_2000_revaluation(rulebook: Rulebook) -> None:
    """AGCM decision 8227 of 20 Apr 2000: EUR 368.75m combined or EUR 36.668m for the target, either sufficing."""
    report = _report(_national_deal("2002-06-28", "IT", "100m EUR", "40m EUR"), rulebook)
    it = _filing(report, "IT")
    assert it.filing == "mandatory" and "IT-L287-16-1-1990" in it.decided_by, it
    assert {p.name: p for p in report.parameters}["it.l287_1990.target_domestic"].value == "EUR 36.67m"
    # The 2001-2003 revaluations are missing: the report says the value may be stale.
    assert any("it.l287_1990.target_domestic" in w and "may be stale" in w for w in report.warnings), report.warnings
    small = _filing(_report(_national_deal("2002-06-28", "IT", "100m EUR", "30m EUR"), rulebook), "IT")
    assert small.filing == "not_required" and "IT-BELOW-THRESHOLDS-1990" in small.decided_by, small


def test_italy_in_early_2013_applies_the_cumulative_test_with_the_2012_values(rulebook: Rulebook) -> None:
    """From 1 Jan 2013 both thresholds had to be exceeded; the values of 17 Sep 2012 applied until 2 Apr 2013."""
    report = _report(_national_deal("2013-02-28", "IT", "600m EUR", "0 EUR"), rulebook)
    it = _filing(report, "IT")
    assert it.filing == "not_required" and "IT-BELOW-THRESHOLDS-2013" in it.decided_by, it
    assert {p.name: p for p in report.parameters}["it.l287_2013.domestic_combined"].value == "EUR 474m"

#: National filing thresholds that changed their form: (parameters in date order, first day covered).
SUCCESSIVE_THRESHOLDS = {
    "SE combined": (("se.ca1993.combined", "se.ca.domestic_combined"), date(2000, 1, 1)),
    "SE each": (("se.ca1993.domestic_each", "se.ca.domestic_each"), date(2000, 1, 1)),
    "IT combined": (("it.l287_1990.domestic_combined", "it.l287_2013.domestic_combined", "it.l287.domestic_combined"),
                    date(2000, 4, 20)),
    "IE": (("ie.mtmca1978.turnover_each", "ie.ca2002_2003.worldwide_each", "ie.ca2002.domestic_each"), date(2000, 1, 1)),
}


@pytest.mark.parametrize("label", sorted(SUCCESSIVE_THRESHOLDS))
def test_successive_national_thresholds_cover_every_day_once(rulebook: Rulebook, label: str) -> None:
    names, start = SUCCESSIVE_THRESHOLDS[label]
    params = [rulebook.parameters[n] for n in names]
    for d in _days(start, TODAY, 1):
        in_force = [p.name for p in params if p.at(d) is not None and p.at(d).value is not None]  # type: ignore[union-attr]
        assert len(in_force) == 1, f"{label}: {in_force or 'no parameter'} in force on {d}"
