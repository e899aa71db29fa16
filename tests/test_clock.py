"""The clock after closing: the law of the deal's date, periods counted to 'today'."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from antitrust.clock import add_months, add_working_days, period_end
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.report import JurisdictionReport, Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT

META = ROOT / "cases" / "meta-scale-ai.yaml"


def report(deal: Deal, book: Rulebook, today: date) -> Report:
    return build_report(evaluate(deal, book, today=today), today=today, near_miss_band=None)


def jurisdiction(r: Report, code: str) -> JurisdictionReport:
    return next(j for j in r.jurisdictions if j.code == code)


def small_deal(**transaction: Any) -> dict[str, Any]:
    """A full acquisition by a large acquirer of a target active in Italy and Ireland."""
    return {
        "schema_version": 1, "id": "clock-test", "title": "Clock test",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer",
             "turnover": [{"jurisdiction": "WORLD", "amount": "100bn EUR"}]},
            {"id": "t", "name": "Target", "role": "target", "domestic_activity": {"IT": True, "IE": True}},
        ],
        "transaction": {"types": ["share_acquisition"], **transaction},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    }


def test_calendar_arithmetic() -> None:
    assert add_months(date(2025, 6, 13), 4) == date(2025, 10, 13)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    # Friday 13 June 2025 + 15 working days (weekends skipped) = Friday 4 July 2025.
    assert add_working_days(date(2025, 6, 13), 15) == date(2025, 7, 4)
    assert add_working_days(date(2025, 6, 14), 1) == date(2025, 6, 16)
    assert period_end(date(2025, 6, 13), 30, "days") == date(2025, 7, 13)


def test_meta_uk_call_in_window_expired_after_four_months(rulebook: Rulebook) -> None:
    r = report(load_deal(META), rulebook, date(2026, 11, 23))
    uk = jurisdiction(r, "UK")
    assert [w.status for w in uk.windows] == ["expired"]
    w = uk.windows[0]
    assert (w.starts, w.ends) == (date(2025, 6, 13), date(2025, 10, 13))
    assert "expired on 2025-10-13" in w.text and "4 months" in w.text
    assert w.basis.startswith("Enterprise Act 2002 s.24")
    calls = [x for x in uk.reach if x.route == "call_in"]
    assert calls and all(x.status == "expired" and x.until == date(2025, 10, 13) for x in calls)
    assert "call-in expired on 2025-10-13" in uk.headline
    assert "still reachable by call-in" not in uk.headline
    assert not any("months since" in f.reason or "0 months" in f.reason for f in r.findings)


def test_meta_uk_call_in_window_open_before_it_ends(rulebook: Rulebook) -> None:
    r = report(load_deal(META), rulebook, date(2025, 7, 1))
    uk = jurisdiction(r, "UK")
    assert [(w.status, w.ends) for w in uk.windows] == [("open", date(2025, 10, 13))]
    assert "open until 2025-10-13" in uk.windows[0].text
    assert all(x.status == "possible" and x.until == date(2025, 10, 13) for x in uk.reach if x.route == "call_in")
    # The law applied is still that of the closing date, whatever 'today' is.
    assert r.meta.as_of == date(2025, 6, 13)
    assert report(load_deal(META), rulebook, date(2026, 11, 23)).meta.as_of == date(2025, 6, 13)


def test_last_day_of_the_period_is_still_open(rulebook: Rulebook) -> None:
    assert jurisdiction(report(load_deal(META), rulebook, date(2025, 10, 13)), "UK").windows[0].status == "open"
    assert jurisdiction(report(load_deal(META), rulebook, date(2025, 10, 14)), "UK").windows[0].status == "expired"


@pytest.mark.parametrize(("today", "status", "ends"), [
    (date(2025, 9, 1), "open", date(2025, 12, 1)),
    (date(2026, 1, 15), "expired", date(2025, 12, 1)),
])
def test_italian_call_in_runs_six_months_from_closing(rulebook: Rulebook, today: date, status: str,
                                                      ends: date) -> None:
    deal = Deal.model_validate(small_deal(closing="2025-06-01"))
    it = jurisdiction(report(deal, rulebook, today), "IT")
    windows = [w for w in it.windows if w.route == "call_in"]
    assert [(w.status, w.ends, w.length) for w in windows] == [(status, ends, "6 months")]
    calls = [x for x in it.reach if x.route == "call_in"]
    assert calls and all((x.status == "expired") == (status == "expired") for x in calls)


def test_irish_call_in_runs_from_the_earliest_of_announcement_and_closing(rulebook: Rulebook) -> None:
    deal = Deal.model_validate(small_deal(announced="2025-03-03", closing="2025-06-02"))
    ie = jurisdiction(report(deal, rulebook, date(2025, 5, 1)), "IE")
    (w,) = ie.windows
    # 60 working days from Monday 3 March 2025 (weekdays only) = Monday 26 May 2025.
    assert (w.starts, w.ends, w.status) == (date(2025, 3, 3), date(2025, 5, 26), "open")
    assert w.starts_on == "public announcement"
    assert "public holidays" in w.text and "aware of the agreement" in w.text


def test_referral_expires_with_the_only_national_route_it_rests_on(rulebook: Rulebook) -> None:
    deal = Deal.model_validate(small_deal(closing="2025-06-01"))
    later = report(deal, rulebook, date(2026, 3, 1))
    eu = jurisdiction(later, "EU")
    by_id = {f.id: f for f in later.findings}
    it_ie = {j.code: j for j in later.jurisdictions if j.code in {"IT", "IE"}}
    assert all(x.status == "expired" for j in it_ie.values() for x in j.reach if x.route == "call_in")
    via_call_in = [x for x in eu.reach if x.route == "referral"
                   and by_id[x.finding].reason.startswith(("IT has jurisdiction", "IE has jurisdiction"))
                   and "(call-in power)" in by_id[x.finding].reason]
    via_duty = [x for x in eu.reach if x.route == "referral" and "(notification duty)" in by_id[x.finding].reason]
    assert via_call_in and all(x.status == "expired" for x in via_call_in)
    assert {x.until for x in via_call_in} == {date(2025, 8, 22), date(2025, 12, 1)}
    # A member state whose notification duty may apply can still refer: no period runs without a notification.
    assert via_duty and all(x.status == "possible" for x in via_duty)


def test_a_route_still_open_on_one_ground_is_not_shown_with_the_lapsed_window_of_another(
        rulebook: Rulebook) -> None:
    """The referral above is open through a national notification duty and lapsed through the
    call-ins: the summary says it is open, with the notification's window, never "open; expired"."""
    from antitrust.brief import route_texts

    deal = Deal.model_validate(small_deal(closing="2025-06-01"))
    eu = jurisdiction(report(deal, rulebook, date(2026, 3, 1)), "EU")
    assert any(w.route == "referral" and w.status == "expired" for w in eu.windows)
    still, _closed = route_texts(eu)
    referral = [t for t in still if t.startswith("referral")]
    assert referral == [("referral (possible; 15 working days from a national notification "
                         "(not dated))")]
    assert not any("expired" in t for t in still)


def test_period_of_unverified_length_is_not_counted(rulebook: Rulebook) -> None:
    data = small_deal(closing="2025-06-01")
    data["parties"][0]["turnover"].append({"jurisdiction": "DK", "amount": "90m DKK"})
    data["parties"][1].update(turnover=[{"jurisdiction": "DK", "amount": "10m DKK"}],
                              domestic_activity={"DK": True})
    dk = jurisdiction(report(Deal.model_validate(data), rulebook, date(2027, 1, 1)), "DK")
    assert [w.status for w in dk.windows] == ["unknown"]
    assert "not verified" in dk.windows[0].text
    assert all(x.status != "expired" for x in dk.reach)


def test_month_only_closing_gives_a_range_of_end_dates(rulebook: Rulebook) -> None:
    deal = Deal.model_validate(small_deal(closing="2025-06"))
    it = jurisdiction(report(deal, rulebook, date(2025, 12, 15)), "IT")
    (w,) = it.windows
    assert w.status == "unknown"
    assert "between 2025-12-01 and 2025-12-30" in w.text
    assert jurisdiction(report(deal, rulebook, date(2026, 1, 2)), "IT").windows[0].status == "expired"
    assert jurisdiction(report(deal, rulebook, date(2025, 11, 30)), "IT").windows[0].status == "open"


def test_period_not_started_before_closing(rulebook: Rulebook) -> None:
    deal = Deal.model_validate(small_deal(signed="2025-05-01", closing="2025-09-01"))
    it = jurisdiction(report(deal, rulebook, date(2025, 6, 1)), "IT")
    (w,) = it.windows
    assert w.status == "open" and w.ends is None and "has not started" in w.text


def test_cli_today_counts_the_period(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from antitrust.cli import app

    out = CliRunner().invoke(app, ["evaluate", str(META), "--rules", str(ROOT / "rules"), "--today", "2026-11-23",
                                   "--format", "markdown"])
    assert out.exit_code == 0, out.output
    assert "expired on 2025-10-13" in out.output
    later = CliRunner().invoke(app, ["what-if", str(META), "--rules", str(ROOT / "rules"), "--today", "2025-07-01",
                                     "--set", "stakes[0].equity_after=49", "--format", "json"])
    assert later.exit_code == 0, later.output
