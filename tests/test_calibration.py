"""The overall risk band against what the authorities did, over the precedent cases in cases/.

The real band follows the definition in rules/overall.yaml:

* high: a prohibition, abandonment under review, an unwinding, or remedies after an in-depth review;
* medium: an in-depth review or second request, or remedies in phase 1;
* low: phase-1 clearance, no review, or no jurisdiction.

The outcome labels (``actual_outcomes``) say what each authority decided; whether it got there
after an in-depth review is in the precedent record (``phase_reached``), carried into the case
files as ``in_depth_reviews`` with their sources. Neither is used by the rules; the band is
``antitrust.precedents.outcome_band``, which also labels the nearest precedents in reports. The table is kept in
tests/golden/calibration_table.md. Calibration is on the evidence structure and the stated
parameters, never on a case: the overall-risk table and the theories are the same for every deal.
"""

from __future__ import annotations

from typing import Any

import pytest

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.precedents import outcome_band
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT, TODAY

CASES = sorted((ROOT / "cases").glob("*.yaml"))

LEVEL = {"low": 0, "medium": 1, "high": 2}


def real_band(deal: Deal) -> str:
    return outcome_band(deal)


@pytest.fixture(scope="module")
def rows(rulebook: Rulebook) -> list[tuple[Deal, Report, str]]:
    out = []
    for path in CASES:
        deal = load_deal(path)
        report = build_report(evaluate(deal, rulebook, today=TODAY), TODAY, near_miss_band=None)
        out.append((deal, report, real_band(deal)))
    return out


def table(rows: list[tuple[Deal, Report, str]]) -> str:
    exact = sum(1 for _d, r, real in rows if r.overall is not None and r.overall.band == real)
    inversions = sum(1 for _d, r, real in rows if r.overall is not None
                     and abs(LEVEL[r.overall.band] - LEVEL[real]) == 2)
    lines = [
        "# Calibration: overall risk against what the authorities did",
        "",
        (f"{len(rows)} precedents: {exact} exact ({100 * exact / len(rows):.0f}%), "
        f"{len(rows) - exact - inversions} one band apart, {inversions} low/high inversions."),
        "",
        "| deal | predicted | real | what the authorities did | why (overall-risk table) |",
        "|---|---|---|---|---|",
    ]
    for deal, report, real in rows:
        assert report.overall is not None
        did = ", ".join(f"{k}: {v}" for k, v in sorted(deal.actual_outcomes.items()))
        mark = "" if report.overall.band == real else " ≠"
        lines.append(f"| {deal.id} | {report.overall.band}{mark} | {real} | {did} | {report.overall.reasons[0]} |")
    return "\n".join(lines) + "\n"


def test_calibration_table(rows: list[tuple[Deal, Report, str]], golden: Any) -> None:
    text = table(rows)
    print("\n" + text)
    golden("calibration_table.md", text)


def test_at_least_seventy_percent_exact_and_no_inversion(rows: list[tuple[Deal, Report, str]]) -> None:
    bands = [(d.id, r.overall.band if r.overall else None, real) for d, r, real in rows]
    exact = [b for b in bands if b[1] == b[2]]
    assert len(exact) / len(bands) >= 0.70, bands
    assert not [b for b in bands if {b[1], b[2]} == {"low", "high"}], bands


def test_no_deal_without_an_indicator_gets_medium_or_high(rows: list[tuple[Deal, Report, str]]) -> None:
    for deal, report, _real in rows:
        assert report.overall is not None
        if all(t.band in {"none", "low"} for t in report.theories):
            assert report.overall.band == "low", deal.id


def test_overall_risk_comes_first_in_the_summary(rows: list[tuple[Deal, Report, str]]) -> None:
    for _deal, report, _real in rows:
        assert report.summary[0].startswith("Overall risk: ")


def test_real_band_definition() -> None:
    base = {"schema_version": 1, "id": "x", "title": "x", "transaction": {"types": ["share_acquisition"]},
            "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}]}
    phase1 = Deal.model_validate({**base, "actual_outcomes": {"EU": "cleared_unconditionally"}})
    abandoned = Deal.model_validate({**base, "actual_outcomes": {"EU": "abandoned_during_review"}})
    remedies_phase1 = Deal.model_validate({**base, "actual_outcomes": {"EU": "cleared_with_remedies"}})
    assert (real_band(phase1), real_band(abandoned), real_band(remedies_phase1)) == ("low", "high", "medium")



def test_the_overall_reason_never_denies_a_concern_the_report_shows(rows: list[tuple[Deal, Report, str]],
                                                                    rulebook: Rulebook) -> None:
    """'No established concern meets a mandatory or open review' is said only when no substantive
    theory at medium or above meets a filing or a route that holds; theories are named by title."""
    titles = {t.title[:1].lower() + t.title[1:] for _d, r, _real in rows for t in r.theories}
    for deal, report, _real in rows:
        assert report.overall is not None
        reasons = " ".join(report.overall.reasons)
        taking = {"call_in", "referral", "post_closing_challenge", "own_initiative"}
        open_route = any(route.status == "holds" and route.route in taking
                         for j in report.jurisdictions for route in j.reach)
        assert rulebook.overall is not None
        concern = any(t.band in {"medium", "high"} and t.theory in rulebook.overall.substantive
                      for t in report.theories)
        if "no established concern" in reasons:
            assert not (open_route and concern), deal.id
        if ": " in reasons and "high: " in reasons:
            named = reasons.split("high: ", 1)[1].split(";")[0]
            assert named.split(", ")[0] in titles or any(named.startswith(t) for t in titles), (deal.id, named)
