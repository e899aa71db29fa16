"""Deal dates known only to the month, or as a range, still decide the law date."""

from __future__ import annotations

from datetime import date
from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.timeline import closed_by, law_date

TODAY = date(2026, 11, 23)


def deal(**transaction: Any) -> Deal:
    return Deal.model_validate({
        "schema_version": 1, "id": "dates", "title": "Dates",
        "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}],
        "transaction": {"types": ["share_acquisition"], **transaction},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })


def test_month_only_dates_become_ranges() -> None:
    tx = deal(announced="2024-06", signed={"value": "2024-02", "note": "press release"}, closing=2024).transaction
    assert tx.announced is not None and tx.announced.unknown
    assert (tx.announced.at_least, tx.announced.at_most) == (date(2024, 6, 1), date(2024, 6, 30))
    assert tx.announced.display == "2024-06 (month only)"
    assert tx.signed is not None and tx.signed.span == (date(2024, 2, 1), date(2024, 2, 29))
    assert tx.signed.note == "press release"
    assert tx.closing is not None and tx.closing.display == "2024 (year only)"


def test_a_month_only_closing_decides_the_law_date(rulebook: Rulebook) -> None:
    law = law_date(deal(closing="2023-09", announced="2023-05-02"), TODAY, rulebook)
    assert law.at == date(2023, 9, 30) and law.source == "transaction.closing"
    assert law.warnings and "2023-09 (month only)" in law.warnings[0]
    ev = evaluate(deal(closing="2023-09"), rulebook, today=TODAY)
    assert ev.as_of == date(2023, 9, 30)  # not today's law
    report = build_report(ev, today=TODAY, near_miss_band=None)
    assert any("transaction.closing is given as 2023-09 (month only)" in w for w in report.warnings)


def test_a_range_that_spans_a_change_in_the_law_is_warned_about(rulebook: Rulebook) -> None:
    # The HSR thresholds changed on 21 February 2025; a closing "some time in February 2025" straddles it.
    law = law_date(deal(closing="2025-02"), TODAY, rulebook)
    assert law.at == date(2025, 2, 28)
    (warning,) = law.warnings
    assert "the law changed within that range" in warning
    assert "2025-02-21" in warning and "us.hsr" in warning
    assert "state the exact date" in warning


def test_a_range_within_one_state_of_the_law_only_notes_the_date(rulebook: Rulebook) -> None:
    law = law_date(deal(closing={"at_least": "2025-07-01", "at_most": "2025-07-20"}), TODAY, rulebook)
    assert law.at == date(2025, 7, 20)
    (warning,) = law.warnings
    assert "between 2025-07-01 and 2025-07-20" in warning and "changed" not in warning


def test_a_range_reaching_past_today_uses_today() -> None:
    law = law_date(deal(closing={"at_least": "2026-11-01", "at_most": "2027-03-31"}), TODAY)
    assert law.at == TODAY
    assert law_date(deal(closing="2027-02"), TODAY).at == date(2027, 2, 1)


def test_exact_dates_win_in_order_closing_signing_announcement() -> None:
    assert law_date(deal(announced="2024-01-10", signed="2024-02-10"), TODAY).at == date(2024, 2, 10)
    assert law_date(deal(announced="2024-01-10"), TODAY).source == "transaction.announced"
    assert law_date(deal(), TODAY).source == "today"


def test_closed_by_today() -> None:
    assert closed_by(deal(closing="2025-06-13"), TODAY) is True
    assert closed_by(deal(closing="2027-01-15"), TODAY) is False
    assert closed_by(deal(closing="2026-11"), TODAY) is None
    assert closed_by(deal(), TODAY) is None
