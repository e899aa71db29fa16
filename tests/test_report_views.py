"""The brief and the detail view: golden reports in every format, the seed brief's line budget,
reasons instead of rule ids, every report field rendered when present, next steps, information
requests, and HTML escaping (the browser check is in test_html_browser.py)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from antitrust.brief import LINE_BUDGET
from antitrust.evaluate import evaluate
from antitrust.info_requests import build_info_requests, condition_words, question_for
from antitrust.loading import load_deal
from antitrust.next_steps import build_next_steps
from antitrust.render import render_html, render_json, render_markdown, render_text, with_views
from antitrust.report import (
    EvidenceStep,
    Exposure,
    InfoRequest,
    Needed,
    OverallRisk,
    PrecedentMatch,
    Presumption,
    ReachRoute,
    Report,
    Window,
)
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT, TODAY

CASES = sorted(p.stem for p in (ROOT / "cases").glob("*.yaml"))
GOLDEN_CASES = ["meta-scale-ai", "illumina-grail", "microsoft-inflection"]


@pytest.fixture(scope="module")
def reports(rulebook: Rulebook) -> dict[str, Report]:
    return {c: with_views(build_report(evaluate(load_deal(ROOT / "cases" / f"{c}.yaml"), rulebook), today=TODAY))
            for c in CASES}


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden_reports(case: str, reports: dict[str, Report], golden: Any) -> None:
    r = reports[case]
    golden(f"reports/{case}.brief.txt", render_text(r))
    golden(f"reports/{case}.full.txt", render_text(r, "full"))
    golden(f"reports/{case}.md", render_markdown(r, "full"))
    golden(f"reports/{case}.html", render_html(r))
    golden(f"reports/{case}.json", render_json(r))


def test_the_seed_brief_fits_on_one_screen(reports: dict[str, Report]) -> None:
    lines = render_text(reports["meta-scale-ai"]).splitlines()
    assert len(lines) <= LINE_BUDGET == 80
    assert max(len(line) for line in lines) <= 100


def test_every_brief_stays_within_100_columns(reports: dict[str, Report]) -> None:
    for case, r in reports.items():
        assert max(len(line) for line in render_text(r).splitlines()) <= 100, case


def test_no_rule_id_appears_in_a_brief(reports: dict[str, Report], rulebook: Rulebook) -> None:
    ids = {r.spec.id for r in rulebook.rules}
    pattern = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?:#\d+)?\b")
    for case, r in reports.items():
        for fmt in (render_text(r), render_markdown(r)):
            leaked = {m.split("#")[0] for m in pattern.findall(fmt)} & ids
            assert not leaked, f"{case}: rule ids in the brief without their reason: {leaked}"
        assert r.brief is not None
        assert all(j.reason for j in r.brief.jurisdictions), f"{case}: every verdict has its reason in words"


def test_the_seed_brief_says_what_a_partner_needs(reports: dict[str, Report]) -> None:
    text = render_text(reports["meta-scale-ai"])
    assert "Law as of 2025-06-13" in text and "2026-11-23" in text
    assert "filing undetermined" in text and "no filing required" in text
    uk = next(line for line in text.splitlines() if line.startswith("  UK"))
    assert "voluntary regime" in uk and "filing undetermined" not in uk, "UK: say what the regime is"
    assert "INFORMATION REQUESTS" in text and "Scale AI, Inc.'s turnover in Germany" in text
    assert "NEXT STEPS" in text
    assert "do not close before clearance" not in text, "the deal closed on 2025-06-13"


def test_same_brief_in_every_format(reports: dict[str, Report]) -> None:
    r = reports["meta-scale-ai"]
    assert r.brief is not None
    data = json.loads(render_json(r))
    assert data["brief"] == json.loads(r.brief.model_dump_json())
    assert data["detail"]["groups"] and data["meta"]["report_schema_version"] == 2
    markdown, html = render_markdown(r), render_html(r)
    for j in r.brief.jurisdictions:
        assert j.verdict_text in markdown and j.verdict_text in html
    for q in r.brief.requests:
        assert q.path in markdown and q.path in html


# == a hand-built report: every field the brief must render ======================================
def _dressed(r: Report) -> Report:
    """The seed report with every optional field other modules fill, set by hand."""
    uk = next(j for j in r.jurisdictions if j.code == "UK")
    de = next(j for j in r.jurisdictions if j.code == "DE")
    uk2 = uk.model_copy(update={
        "reach": [ReachRoute(route="call_in", status="expired", finding=uk.reach[0].finding, until=date(2025, 10, 13))],
        "windows": [Window(route="call_in", authority="CMA", starts=date(2025, 6, 13), starts_on="completion",
                           length="4 months", ends=date(2025, 10, 13), status="expired", basis="EA02 s.24",
                           text="CMA call-in expired on 2025-10-13")],
        "regime": "voluntary and non-suspensory (CMA)", "authority": "CMA",
    })
    de2 = de.model_copy(update={
        "presumptions": [Presumption(id="de.target-active", kind="presumption", fact="de.target_active",
                                     value="yes", statement="Scale AI is active in Germany to a substantial extent",
                                     why="it sells to German customers", path="parties[1].domestic_activity.DE")],
        "exposure": [Exposure(kind="gun_jumping", jurisdiction="DE", status="possible",
                              text="the deal closed without a filing that may have been due",
                              consequences=["invalid under §41(1) GWB", "fines under §81 GWB"],
                              citations=["§41(1) GWB"])],
        "basis_status": "secondary",
    })
    theories = []
    for t in r.theories:
        if t.theory == "confidential_information":  # a theory the brief shows (high)
            t = t.model_copy(update={
                "evidence": [EvidenceStep(step="ability", status="holds", text="Scale supplies three of Meta's rivals."),
                             EvidenceStep(step="incentive", status="unknown", text="Switching costs are not stated.")],
                "could_reach": "high",
                "could_reach_if": [Needed(fact="supply.input_importance", path="supply[0].input_importance",
                                          test="yes", finding=t.findings[0])],
            })
        theories.append(t)
    jurisdictions = [uk2 if j.code == "UK" else de2 if j.code == "DE" else j for j in r.jurisdictions]
    return r.model_copy(update={
        "jurisdictions": jurisdictions, "theories": theories, "brief": None, "detail": None,
        "overall": OverallRisk(band="high", reasons=["two theories of harm hold at high"]),
        "info_requests": [InfoRequest(fact="de.target_turnover_eur", path="parties[1].turnover[DE]",
                                      question="Scale AI, Inc.'s turnover in Germany", decides=["DE filing"],
                                      alternatives=["above EUR 17.5m → §35(1) GWB", "at most EUR 17.5m → §35(1a) GWB"])],
        "next_steps": ["Assess the gun-jumping exposure in Germany."],
        "precedents": [PrecedentMatch(case_id="microsoft-inflection", title="Microsoft / Inflection", similarity=0.71,
                                      outcome="UK: cleared; US: inquiry, no public outcome", outcome_band="low",
                                      why=["structure: both hire, licence"])],
    })


def test_the_brief_renders_every_field_when_present(reports: dict[str, Report]) -> None:
    r = with_views(_dressed(reports["meta-scale-ai"]))
    text, markdown, html = (" ".join(x.split()) for x in (render_text(r), render_markdown(r), render_html(r)))
    data = json.loads(render_json(r))
    expected = [
        "two theories of harm hold at high",                           # overall risk
        "assumed, please confirm: Scale AI is active in Germany",       # presumption
        "closed: call-in expired on 2025-10-13",                        # route with its date
        "the deal closed without a filing that may have been due",      # exposure
        "Scale supplies three of Meta's rivals.",                       # evidence
        "could reach high if",                                          # could reach
        "above EUR 17.5m → §35(1) GWB; at most EUR 17.5m → §35(1a) GWB",  # alternatives
        "Assess the gun-jumping exposure in Germany.",                  # next step
        "Microsoft / Inflection (71%): low, UK: cleared; alike in structure",  # precedent
        "voluntary regime (CMA), jurisdiction not settled",             # regime in words
        "law secondary",                                                # basis status
    ]
    for fragment in expected:
        assert fragment in text, fragment
        assert fragment in markdown, fragment
        assert fragment.replace("'", "&#39;") in html, fragment
    assert data["brief"]["overall"].startswith("high")
    full = render_text(r, "full")
    assert "CMA call-in expired on 2025-10-13" in full and "invalid under §41(1) GWB" in full


# == next steps and information requests =========================================================
def test_a_closed_deal_leads_with_exposure_and_is_never_told_to_wait(reports: dict[str, Report]) -> None:
    r = _dressed(reports["meta-scale-ai"]).model_copy(update={"next_steps": []})
    steps = build_next_steps(r, closing=date(2025, 6, 13))
    assert steps[0].startswith("Assess the exposure in Germany")
    assert not any("before clearance" in s or "before closing" in s for s in steps)


def test_a_deal_not_yet_closed_waits_for_clearance(reports: dict[str, Report]) -> None:
    r = reports["meta-scale-ai"]
    us = next(j for j in r.jurisdictions if j.code == "US").model_copy(update={"filing": "mandatory", "suspensory": True})
    r2 = r.model_copy(update={"jurisdictions": [us if j.code == "US" else j for j in r.jurisdictions],
                              "meta": r.meta.model_copy(update={"checked_on": date(2025, 6, 1)})})
    steps = build_next_steps(r2, closing=date(2025, 6, 13))
    assert any("do not close before clearance in United States" in s for s in steps)
    assert any("before closing" in s for s in steps)


def test_each_missing_fact_is_asked_once_with_its_alternatives(reports: dict[str, Report]) -> None:
    r = reports["meta-scale-ai"]
    paths = [q.path for q in r.info_requests]
    assert len(paths) == len(set(paths)) and all(" + " not in p for p in paths)
    scale_de = next(q for q in r.info_requests if q.path == "parties[1].turnover[DE]")
    assert scale_de.question == "Scale AI, Inc.'s turnover in Germany"
    assert "DE filing" in scale_de.decides
    assert any(a.startswith("at most EUR 17.5m → §35(1a) GWB") for a in scale_de.alternatives)
    assert any(a.startswith("above EUR 50m → ") for a in scale_de.alternatives)
    assert r.info_requests[0].decides[0].endswith("filing"), "facts that decide an open verdict come first"


def test_request_wording() -> None:
    assert condition_words("> EUR 50m (de.gwb35.domestic_one)") == "above EUR 50m"
    assert condition_words("<= 66.67% (eu.eumr.two_thirds)") == "at most 66.67%"
    assert condition_words("yes") == "yes"
    parties = ["Meta Platforms, Inc.", "Scale AI, Inc."]
    assert question_for("parties[1].domestic_activity.AT", parties) == "whether Scale AI, Inc. is active in Austria"
    assert question_for("parties[0].uk_share_of_supply", parties) == \
        "Meta Platforms, Inc.'s share of supply in the United Kingdom"
    assert build_info_requests(Report.model_construct(findings=[], jurisdictions=[], theories=[]), parties) == []


# == the detail view ===========================================================================
def test_full_detail_groups_findings_per_rule_and_lists_each_conversion_once(reports: dict[str, Report]) -> None:
    r = reports["meta-scale-ai"]
    assert r.detail is not None
    rules = [g.rule_id for g in r.detail.groups]
    assert len(rules) == len(set(rules)) == len({f.rule_id for f in r.findings})
    csi = next(g for g in r.detail.groups if g.rule_id == "TOH-CSI-BOARD-CHANNEL")
    assert len(csi.findings) > 1 and len(csi.counterparts) == len(csi.findings)
    assert any("Google" in c for c in csi.counterparts) and any("Microsoft" in c for c in csi.counterparts)
    originals = [c.split(" at ")[0] for c in r.detail.conversions]
    assert len(originals) == len(set(originals))
    for m in r.detail.margins:
        assert "×" not in m.text and "e+0" not in m.text, "readable multiples"
        assert "the 0% line" not in m.text and "(100.0% below)" not in m.text, "no trivial margins"
    findings_part = render_text(r, "full").split("FINDINGS, PER RULE")[1].split("MARGINS")[0]
    assert "TOH-CSI-BOARD-CHANNEL#2" not in findings_part.split("because of")[0], "one entry per rule"


def test_every_case_brief_has_a_line_count(reports: dict[str, Report]) -> None:
    counts = {c: len(render_text(r).splitlines()) for c, r in reports.items()}
    assert all(n > 10 for n in counts.values()), counts


def test_html_escapes_what_deal_and_rule_files_say(reports: dict[str, Report]) -> None:
    r = reports["meta-scale-ai"]
    evil = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
    r2 = r.model_copy(update={"meta": r.meta.model_copy(update={"deal_title": evil}), "brief": None})
    html = render_html(with_views(r2))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "http://" not in html.split("<body>")[0] and "<link" not in html, "self-contained"
