"""The nearest precedents: outcome bands from what the authorities did, the library of decided
cases, the top three in every report and every format, and ``antitrust precedents``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.precedents import decided, load_library, outcome_band, outcome_text, rank
from antitrust.render import render_html, render_json, render_markdown, render_text
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import ROOT, TODAY

BASE: dict[str, Any] = {
    "schema_version": 1, "id": "x", "title": "X", "transaction": {"types": ["share_acquisition"]},
    "parties": [{"id": "a", "name": "A", "role": "acquirer"}, {"id": "t", "name": "T", "role": "target"}]}


def _deal(**extra: Any) -> Deal:
    return Deal.model_validate({**BASE, **extra})


def test_outcome_band_follows_what_the_authorities_did() -> None:
    assert outcome_band(_deal(actual_outcomes={"EU": "cleared_unconditionally"})) == "low"
    assert outcome_band(_deal(actual_outcomes={"EU": "cleared_with_remedies"})) == "medium"
    assert outcome_band(_deal(actual_outcomes={"US": "cleared_unconditionally"},
                              in_depth_reviews=[{"authority": "us", "stage": "second request"}])) == "medium"
    assert outcome_band(_deal(actual_outcomes={"EU": "cleared_with_remedies"},
                              in_depth_reviews=[{"authority": "EU", "stage": "Phase 2"}])) == "high"
    assert outcome_band(_deal(actual_outcomes={"UK": "abandoned_during_review", "DE": "referral_to_EC"})) == "high"
    assert outcome_band(_deal(actual_outcomes={"UK": "no_jurisdiction_found"})) == "low"


def test_outcome_text_puts_the_weightiest_decision_first() -> None:
    deal = _deal(actual_outcomes={"DE": "not_reviewed_no_public_record", "EU": "cleared_with_remedies",
                                  "UK": "cleared_unconditionally"},
                 in_depth_reviews=[{"authority": "EU", "stage": "Phase 2"}])
    assert outcome_text(deal) == "EU: cleared with remedies (Phase 2); UK: cleared; DE: no review on record"


def test_only_decided_cases_are_precedents() -> None:
    assert not decided(_deal())
    assert not decided(_deal(actual_outcomes={"DE": "ongoing_or_unknown"}))
    assert decided(_deal(actual_outcomes={"US": "not_reviewed_no_public_record"}))


def test_the_library_holds_every_decided_case() -> None:
    library = load_library(ROOT / "cases")
    assert len(library.cases) == len(list((ROOT / "cases").glob("*.yaml")))
    assert {c.band for c in library.cases} == {"low", "medium", "high"}


def test_a_deal_is_never_its_own_precedent_and_a_copy_comes_first() -> None:
    library = load_library(ROOT / "cases")
    for case in library.cases:
        ranking = rank(case.deal, library)
        assert case.deal.id not in {m.case_id for m in ranking}
        assert [m.similarity for m in ranking] == sorted((m.similarity for m in ranking), reverse=True)
        copy = case.deal.model_copy(update={"id": "copy-of-it"})
        assert rank(copy, library)[0].case_id == case.deal.id
        assert rank(copy, library)[0].similarity == 1.0


@pytest.fixture(scope="module")
def seed_report(rulebook: Rulebook) -> Any:
    return build_report(evaluate(load_deal(ROOT / "cases" / "meta-scale-ai.yaml"), rulebook), today=TODAY)


def test_every_report_names_its_three_nearest_precedents(seed_report: Any) -> None:
    top = seed_report.precedents
    assert len(top) == 3 and "meta-scale-ai" not in {p.case_id for p in top}
    library = load_library(ROOT / "cases")
    by_id = {c.deal.id: c for c in library.cases}
    for p in top:
        assert p.outcome_band == by_id[p.case_id].band and p.outcome == by_id[p.case_id].outcome
        assert p.why and all(":" in w for w in p.why)
        assert set(p.scores) <= {"structure", "stake", "people", "overlaps", "sector", "size"}


def test_every_format_shows_the_precedents(seed_report: Any) -> None:
    first = seed_report.precedents[0]
    name = first.title.split(" — ")[0]
    assert "NEAREST PRECEDENTS" in render_text(seed_report)
    assert name in render_text(seed_report)
    full = render_text(seed_report, "full")
    assert "NEAREST PRECEDENTS: WHAT MAKES THEM SIMILAR" in full and first.why[0] in full
    assert "## Nearest precedents" in render_markdown(seed_report, "full")
    assert first.why[0] in render_markdown(seed_report, "full")
    html = render_html(seed_report)
    assert 'id="precedents"' in html and "Nearest precedents" in html
    assert json.loads(render_json(seed_report))["precedents"][0]["case_id"] == first.case_id


def test_precedents_command_prints_the_full_ranking() -> None:
    result = CliRunner().invoke(app, ["precedents", "cases/meta-scale-ai.yaml"])
    assert result.exit_code == 0, result.output
    others = len(list((ROOT / "cases").glob("*.yaml"))) - 1
    assert f"{others} decided cases" in result.stdout
    assert "similar; outcome" in result.stdout and "scores: structure" in result.stdout
    result = CliRunner().invoke(app, ["precedents", "cases/meta-scale-ai.yaml", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["deal_id"] == "meta-scale-ai" and len(data["ranking"]) == others
    assert "meta-scale-ai" not in {m["case_id"] for m in data["ranking"]}


def test_precedents_command_reads_another_case_folder(tmp_path: Path) -> None:
    for name in ("adobe-figma.yaml", "cisco-splunk.yaml"):
        shutil.copy(ROOT / "cases" / name, tmp_path / name)
    result = CliRunner().invoke(app, ["precedents", "cases/meta-scale-ai.yaml", "--cases", str(tmp_path),
                                      "-f", "json"])
    assert result.exit_code == 0, result.output
    assert {m["case_id"] for m in json.loads(result.stdout)["ranking"]} == {"adobe-figma", "cisco-splunk"}


def test_precedents_command_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["precedents", "cases/meta-scale-ai.yaml", "--cases", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'none'}: not a folder of deal files; pass --cases DIR"
    (tmp_path / "bad.yaml").write_text("schema_version: 1\nid: bad\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["precedents", "cases/meta-scale-ai.yaml", "--cases", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"{tmp_path / 'bad.yaml'}:")
