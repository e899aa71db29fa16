"""Presumptions and defaults are stated: each verdict that relies on one lists it as "assumed,
please confirm", and --strict switches them off so that the verdict is undetermined and names
the fact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from antitrust.api import evaluate_deal
from antitrust.cli import app
from antitrust.deal import Deal
from antitrust.errors import InputError, InputErrors
from antitrust.evaluate import evaluate
from antitrust.report import JurisdictionReport, Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook, load_rulebook
from antitrust.ruletests import BASE_DEAL, merge

from .conftest import ROOT, TODAY


def deal(**fragment: Any) -> Deal:
    return Deal.model_validate(merge(BASE_DEAL, fragment))


def report(d: Deal, book: Rulebook, *, strict: bool = False) -> Report:
    return build_report(evaluate(d, book, today=TODAY, strict=strict), today=TODAY)


def jurisdiction(r: Report, code: str) -> JurisdictionReport:
    return next(j for j in r.jurisdictions if j.code == code)


def large_eu(*member_states: dict[str, Any]) -> Deal:
    """A full acquisition by parties each well above EUR 250m in the EU."""
    acquirer = [{"jurisdiction": "WORLD", "amount": "20bn EUR"}, {"jurisdiction": "EU", "amount": "3bn EUR"}]
    target = [{"jurisdiction": "WORLD", "amount": "2bn EUR"}, {"jurisdiction": "EU", "amount": "400m EUR"}]
    for extra in member_states:
        (acquirer if extra["side"] == "a" else target).append(
            {"jurisdiction": extra["state"], "amount": extra["amount"]})
    return deal(
        parties=[{"id": "a", "name": "Alpha", "role": "acquirer", "turnover": acquirer},
                 {"id": "t", "name": "Tango", "role": "target", "turnover": target}],
        stakes=[{"holder": "a", "issuer": "t", "equity_before": 0, "voting_before": 0, "equity_after": 100,
                 "voting_after": 100, "share_class": "voting"}],
        governance=[{"holder": "a", "issuer": "t", "board_seats": 5, "board_observers": 0, "vetoes": []}],
    )


# -- the EUMR two-thirds rule ----------------------------------------------------------------------
def test_two_thirds_presumed_gives_mandatory_with_the_assumption_stated(rulebook: Rulebook) -> None:
    r = report(large_eu(), rulebook)
    eu = jurisdiction(r, "EU")
    assert eu.filing == "mandatory"
    assert [p.id for p in eu.presumptions] == ["EU-NO-TWO-THIRDS"]
    p = eu.presumptions[0]
    assert p.kind == "presumption" and p.fact == "eu.two_thirds_same_state" and p.value == "no"
    assert "Art. 1(2) and 1(3) EUMR" in (p.citation or "")
    assert "EU-EUMR-NOTIFY" in p.findings
    assert "filing mandatory, assuming the two-thirds rule does not apply" in eu.headline
    assert r.brief is None or "assuming the two-thirds rule does not apply" in next(
        j.verdict_text for j in r.brief.jurisdictions if "EU" in j.codes)
    assert r.meta.strict is False


def test_two_thirds_strict_is_undetermined_and_names_the_fact(rulebook: Rulebook) -> None:
    r = report(large_eu(), rulebook, strict=True)
    eu = jurisdiction(r, "EU")
    assert eu.filing == "undetermined"
    assert eu.presumptions == []
    assert "eu.two_thirds_same_state" in {n.fact for n in eu.needed}
    assert r.meta.strict is True


def test_member_state_figures_decide_without_a_presumption(rulebook: Rulebook) -> None:
    both_in_germany = large_eu({"side": "a", "state": "DE", "amount": "2.9bn EUR"},
                               {"side": "t", "state": "DE", "amount": "390m EUR"})
    eu = jurisdiction(report(both_in_germany, rulebook), "EU")
    assert eu.filing == "not_required" and "EU-TWO-THIRDS" in eu.decided_by
    assert eu.presumptions == []
    spread = large_eu({"side": "a", "state": "DE", "amount": "1bn EUR"},
                      {"side": "a", "state": "FR", "amount": "1bn EUR"},
                      {"side": "t", "state": "IT", "amount": "200m EUR"},
                      {"side": "t", "state": "ES", "amount": "200m EUR"})
    for strict in (False, True):
        eu = jurisdiction(report(spread, rulebook, strict=strict), "EU")
        assert eu.filing == "mandatory" and eu.presumptions == []


# -- the deal format's defaults --------------------------------------------------------------------
def small_uk_stake(**governance: Any) -> Deal:
    return deal(
        parties=[{"id": "a", "name": "Alpha", "role": "acquirer"},
                 {"id": "t", "name": "Tango", "role": "target", "domestic_activity": {"UK": True}}],
        stakes=[{"holder": "a", "issuer": "t", "equity_before": 0, "voting_before": 0, "equity_after": 5,
                 "voting_after": 5, "share_class": "voting"}],
        governance=[{"holder": "a", "issuer": "t", "vetoes": [], "board_observers": 0, **governance}],
    )


def test_uk_not_required_from_a_left_out_board_seat_says_so(rulebook: Rulebook) -> None:
    uk = jurisdiction(report(small_uk_stake(), rulebook), "UK")
    assert uk.filing == "not_required" and "UK-NO-MATERIAL-INFLUENCE" in uk.decided_by
    assert [(p.id, p.kind, p.path) for p in uk.presumptions] == [
        ("default:governance.board_seats", "default", "governance[0].board_seats")]
    assert uk.presumptions[0].findings == ["UK-NO-MATERIAL-INFLUENCE"]
    assert "no filing required, assuming no board seat" in uk.headline


def test_uk_board_seat_left_out_read_strictly_is_undetermined(rulebook: Rulebook) -> None:
    uk = jurisdiction(report(small_uk_stake(), rulebook, strict=True), "UK")
    assert uk.filing == "undetermined"
    assert uk.presumptions == []
    assert any(n.fact == "governance.board_seats" and n.path == "governance[0].board_seats" for n in uk.needed)


def test_a_stated_board_seat_count_is_no_assumption(rulebook: Rulebook) -> None:
    for strict in (False, True):
        uk = jurisdiction(report(small_uk_stake(board_seats=0), rulebook, strict=strict), "UK")
        assert uk.filing == "not_required" and uk.presumptions == []


def test_an_explicit_unknown_is_never_defaulted(rulebook: Rulebook) -> None:
    ev = evaluate(small_uk_stake(board_seats="unknown"), rulebook, today=TODAY)
    assert not any(a.field == "board_seats" for a in ev.flat.presumed)
    assert jurisdiction(build_report(ev, today=TODAY), "UK").filing == "undetermined"


def test_stake_before_the_deal_defaults_to_zero_and_is_stated(rulebook: Rulebook) -> None:
    d = deal(stakes=[{"holder": "a", "issuer": "t", "equity_after": 30, "voting_after": 30,
                      "share_class": "voting"}])
    ev = evaluate(d, rulebook, today=TODAY)
    stake = next(f for f in ev.flat.facts if f["t"] == "stake")
    assert stake["equity_before"] == {"lo": 0, "hi": 0} and stake["equity_acquired"] == {"lo": 30, "hi": 30}
    assert {a.id for a in ev.flat.presumed} >= {"default:stake.equity_before", "default:stake.voting_before"}
    prov = ev.flat.provenance[(stake["id"], "equity_before")]
    assert prov.path == "stakes[0].equity_before" and "assumed, please confirm" in (prov.note or "")
    strict = evaluate(d, rulebook, today=TODAY, strict=True)
    stake = next(f for f in strict.flat.facts if f["t"] == "stake")
    assert stake["equity_before"] == {"lo": 0, "hi": 100} and strict.flat.presumed == []


def test_a_verdict_that_does_not_turn_on_a_default_does_not_list_it(rulebook: Rulebook) -> None:
    # Votes after the deal (30%) decide nothing about board seats: the US verdict lists no board default.
    d = deal(stakes=[{"holder": "a", "issuer": "t", "equity_after": 30, "voting_after": 30,
                      "share_class": "voting"}],
             governance=[{"holder": "a", "issuer": "t"}])
    r = report(d, rulebook)
    for j in r.jurisdictions:
        for p in j.presumptions:
            assert p.findings, p
            assert all(f in {x.id for x in r.findings} for f in p.findings)


# -- declaring presumptions in rule files ----------------------------------------------------------
RULE = """\
rules:
  - id: T-FLAG
    title: A flag
    jurisdiction: EU
    basis: {citation: Art. 1 Test, url: https://example.org}
    when: eu.two_thirds_same_state == false
    verdict: {filing: mandatory}
    reason: Test.
"""


def _load(tmp_path: Path, presumption: str) -> Rulebook:
    (tmp_path / "r.yaml").write_text(RULE + "presumptions:\n" + presumption, encoding="utf-8")
    return load_rulebook(tmp_path)


GOOD = """\
  - id: T-PRESUMED
    fact: eu.two_thirds_same_state
    value: false
    statement: the flag is down
    why: Because.
    basis: {citation: Art. 2 Test, url: https://example.org}
    serves: [T-FLAG]
"""


def test_a_declared_presumption_loads_and_applies(tmp_path: Path) -> None:
    book = _load(tmp_path, GOOD)
    assert [p.id for p in book.presumptions] == ["T-PRESUMED"]
    r = report(deal(), book)
    eu = jurisdiction(r, "EU")
    assert eu.filing == "mandatory" and [p.id for p in eu.presumptions] == ["T-PRESUMED"]
    assert jurisdiction(report(deal(), book, strict=True), "EU").filing == "undetermined"


@pytest.mark.parametrize(("change", "message", "line"), [
    (("eu.two_thirds_same_state", "eu.two_thirds_same_sate"), "unknown field 'two_thirds_same_sate' of eu", 11),
    (("eu.two_thirds_same_state", "europe.flag"), "unknown kind of fact 'europe'", 11),
    (("value: false", "value: 3"), "is yes/no; presume true or false, not 3", 11),
    (("serves: [T-FLAG]", "serves: [T-FLAGG]"), "serves unknown rule 'T-FLAGG'", 10),
    (("serves: [T-FLAG]", "serves: [EU-X]"), "serves unknown rule 'EU-X'", 10),
])
def test_a_bad_presumption_is_one_line_with_its_place(tmp_path: Path, change: tuple[str, str], message: str,
                                                      line: int) -> None:
    with pytest.raises((InputError, InputErrors)) as info:
        _load(tmp_path, GOOD.replace(*change))
    text = str(info.value)
    assert message in text and "\n" not in text
    assert f"r.yaml:{line}:" in text


def test_a_presumption_must_serve_a_rule_that_reads_its_fact(tmp_path: Path) -> None:
    other = GOOD.replace("eu.two_thirds_same_state", "eu.top_state_same")
    with pytest.raises((InputError, InputErrors), match=r"rule T-FLAG does not read eu\.top_state_same"):
        _load(tmp_path, other)


# -- strict on every surface -----------------------------------------------------------------------
def test_strict_through_the_api_and_the_command_line(tmp_path: Path) -> None:
    case = ROOT / "cases" / "meta-scale-ai.yaml"
    assert evaluate_deal(case, today=TODAY, strict=True).meta.strict is True
    assert evaluate_deal(case, today=TODAY).meta.strict is False
    result = CliRunner().invoke(app, ["evaluate", str(case), "--today", "2026-11-23", "--strict"])
    assert result.exit_code == 0, result.output
    assert "read strictly: no presumptions or defaults" in result.output.splitlines()[1]
    plain = CliRunner().invoke(app, ["evaluate", str(case), "--today", "2026-11-23"])
    assert "read strictly" not in plain.output


def test_strict_screening(tmp_path: Path) -> None:
    src = tmp_path / "deals.jsonl"
    src.write_text(large_eu().model_dump_json(exclude_none=True) + "\n", encoding="utf-8")
    verdicts = {}
    for flag in ([], ["--strict"]):
        out = tmp_path / f"out{len(flag)}.jsonl"
        result = CliRunner().invoke(app, ["screen", str(src), "--rules", str(ROOT / "rules"), "--workers", "1",
                                          "--today", "2026-11-23", "--output", str(out), *flag])
        assert result.exit_code == 0, result.output
        verdicts[bool(flag)] = json.loads(out.read_text(encoding="utf-8").splitlines()[0])["jurisdictions"]["EU"]["filing"]
    assert verdicts == {False: "mandatory", True: "undetermined"}
