"""What-if analysis: paths, counterfactual deals, sweeps and flips (antitrust.whatif and its commands)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.render.whatif import render
from antitrust.reporting import build_report, outcomes
from antitrust.rulebook import Rulebook
from antitrust.whatif import (
    WhatIfError,
    apply_changes,
    find_flips,
    parse_path,
    parse_range,
    parse_set,
    read_value,
    sweep,
    value_at,
    what_if,
)

from .conftest import ROOT, TODAY

CASE = str(ROOT / "cases" / "meta-scale-ai.yaml")
RULES = str(ROOT / "rules")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def meta() -> Deal:
    return load_deal(CASE)


# -- paths ---------------------------------------------------------------------------------------
def test_bracket_and_dotted_indices_are_the_same_path() -> None:
    assert parse_path("stakes[0].voting_after") == parse_path("stakes.0.voting_after")
    steps = parse_path("parties[id=scale].turnover[DE]")
    assert [str(s) for s in steps] == ["parties", "[id=scale]", "turnover", "[DE]"]


@pytest.mark.parametrize("bad", ["", "stakes[0].", "stakes[", "stakes[]", "stakes..x", "stakes[=x]", "a b"])
def test_malformed_paths_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_path(bad)


def test_values_are_read_as_yaml() -> None:
    assert read_value("49") == 49 and read_value("true") is True and read_value("non_voting") == "non_voting"
    assert read_value("EUR 20m") == "EUR 20m" and read_value("2026-03-01") == date(2026, 3, 1)
    assert read_value("[share_acquisition, hiring]") == ["share_acquisition", "hiring"]
    assert read_value("") == "unknown"


def test_setting_by_index_by_id_and_by_key(meta: Deal) -> None:
    changed, changes = apply_changes(meta, [
        ("stakes.0.voting_after", 10),
        ("parties[scale].turnover[DE]", "EUR 20m"),
        ("parties[id=scale].domestic_activity.DE", True),
        ("parties[meta].turnover[IT]", "EUR 1bn"),
    ])
    assert changed.stakes[0].voting_after.value == 10
    assert changed.stakes[0].voting_after.source is None  # a hypothetical value has no source
    scale = changed.party("scale")
    de = next(t for t in scale.turnover if t.jurisdiction == "DE")
    assert de.amount.value is not None and de.amount.value.amount == 20e6 and de.amount.value.currency == "EUR"
    assert scale.domestic_activity["DE"].value is True
    assert any(t.jurisdiction == "IT" and t.amount.known for t in changed.party("meta").turnover)
    assert [(c.path, c.before, c.after) for c in changes] == [
        ("stakes.0.voting_after", "0", "10"),
        ("parties[scale].turnover[DE]", "unknown", "EUR 20m"),
        ("parties[id=scale].domestic_activity.DE", "unknown", "true"),
        ("parties[meta].turnover[IT]", "not stated", "EUR 1bn"),
    ]
    assert meta.stakes[0].voting_after.value == 0  # the original deal is untouched


def test_setting_only_the_value_keeps_the_source(meta: Deal) -> None:
    changed, _ = apply_changes(meta, [("stakes[0].equity_after.value", 30)])
    assert changed.stakes[0].equity_after.value == 30
    assert changed.stakes[0].equity_after.source == meta.stakes[0].equity_after.source


@pytest.mark.parametrize(("path", "value", "message"), [
    ("stakes[3].voting_after", 49, "stakes has 1 item; index 3 is out of range"),
    ("stakes[0].votng_after", 1, "did you mean 'voting_after'"),
    ("parties[nobody].name", "x", "no item of parties has id 'nobody'"),
    ("governance[meta].board_seats", 1, "items of governance have no id"),
    ("stakes[0].voting_after", "abc", "Input should be a valid number"),
    ("stakes[0].share_class", "golden", "Input should be 'voting'"),
    ("transaction.consideration", "lots", "cannot read 'lots' as money"),
    ("title.x", 1, "title is a single value"),
])
def test_bad_paths_and_wrong_types_are_one_clear_error(meta: Deal, path: str, value: Any, message: str) -> None:
    with pytest.raises(WhatIfError) as info:
        apply_changes(meta, [(path, value)])
    text = str(info.value)
    assert message in text and "\n" not in text and text.startswith(f"--set {path}")


# -- what-if -------------------------------------------------------------------------------------
def test_voting_shares_flip_the_hsr_verdict_with_the_rule_that_caused_it(meta: Deal, rulebook: Rulebook) -> None:
    w = what_if(meta, rulebook, [parse_set("stakes[0].voting_after=49"), parse_set("stakes[0].share_class=voting")],
                today=TODAY)
    us = next(v for v in w.verdicts if v.code == "US")
    assert us.changed and us.before == "not required" and us.after.startswith("mandatory")
    for rid in us.decided_after:
        spec = rulebook.rule(rid).spec
        assert spec.jurisdiction == "US" and spec.verdict is not None and spec.verdict.filing == "mandatory"
    assert all(rulebook.rule(r).spec.verdict.filing == "not_required" for r in us.decided_before)  # type: ignore[union-attr]
    appeared = {f.rule_id for f in w.appeared}
    assert set(us.decided_after) <= appeared
    assert set(us.decided_before) <= {f.rule_id for f in w.disappeared}
    text = render(w, "text")
    assert "* US  not required → mandatory" in text and us.decided_after[0] in text
    assert json.loads(render(w, "json"))["verdicts"][0]["code"] == "US"
    assert "| **changed** | United States (US) |" in render(w, "markdown")


def test_as_of_alone_compares_two_dates(meta: Deal, rulebook: Rulebook) -> None:
    w = what_if(meta, rulebook, [], as_of=date(2026, 3, 1), today=TODAY)
    assert w.base.as_of == date(2025, 6, 13) and w.changed.as_of == date(2026, 3, 1) and not w.changed.changes
    hsr = {p.name: p for p in w.parameters}["us.hsr.size_of_transaction"]
    assert hsr.before != hsr.after and hsr.after_from is not None and hsr.after_from > date(2025, 6, 13)


def test_nothing_to_compare_is_an_error(meta: Deal, rulebook: Rulebook) -> None:
    with pytest.raises(WhatIfError, match="nothing to compare"):
        what_if(meta, rulebook, [])


def test_no_change_reports_no_change(meta: Deal, rulebook: Rulebook) -> None:
    w = what_if(meta, rulebook, [parse_set("stakes[0].equity_after=49")], today=TODAY)
    assert not any(v.changed for v in w.verdicts) and not any(b.changed for b in w.bands)
    assert not w.appeared and not w.disappeared


@settings(max_examples=20, deadline=None)
@given(path=st.sampled_from(["stakes[0].equity_after", "stakes[0].voting_after", "parties[scale].turnover[DE]",
                             "parties[1].domestic_activity.DE", "stakes[0].share_class",
                             "people[0].keeps_board_seat"]),
       number=st.integers(min_value=0, max_value=100))
def test_applying_then_reverting_a_set_gives_the_original_report(rulebook: Rulebook, path: str, number: int) -> None:
    deal = load_deal(CASE)
    value: Any = {
        "stakes[0].equity_after": number, "stakes[0].voting_after": number,
        "parties[scale].turnover[DE]": f"EUR {number}m", "parties[1].domestic_activity.DE": number % 2 == 0,
        "stakes[0].share_class": ["voting", "non_voting", "mixed"][number % 3],
        "people[0].keeps_board_seat": number % 2 == 1,
    }[path]
    original = value_at(deal, path)
    changed, _ = apply_changes(deal, [(path, value)])
    reverted, _ = apply_changes(changed, [(path, original)])
    assert reverted == deal
    before = build_report(evaluate(deal, rulebook), today=TODAY).model_dump_json()
    after = build_report(evaluate(reverted, rulebook), today=TODAY).model_dump_json()
    assert before == after


# -- sweep ---------------------------------------------------------------------------------------
def test_sweep_over_the_equity_stake_shows_the_german_concentration_at_25(meta: Deal, rulebook: Rulebook) -> None:
    s = sweep(meta, rulebook, "stakes[0].equity_after=0:100:5")
    assert [r.value for r in s.rows] == [float(x) for x in range(0, 101, 5)]
    at = {r.value: r for r in s.rows}
    assert "DE-GWB37-CAPITAL-25" in at[25.0].appeared
    assert all("DE-GWB37-CAPITAL-25" not in r.appeared for r in s.rows if r.value != 25.0)
    for prev, row in zip(s.rows, s.rows[1:], strict=False):
        assert row.flips == [k for k in row.outcomes if row.outcomes[k] != prev.outcomes[k]]
    assert all(len({r.outcomes[k] for r in s.rows}) == 1 for k in s.constant)
    text = render(s, "text")
    assert "at 25:" in text and "DE-GWB37-CAPITAL-25" in text


def test_sweep_after_a_set_finds_the_25_percent_capital_test(meta: Deal, rulebook: Rulebook) -> None:
    s = sweep(meta, rulebook, "stakes[0].equity_after=20:30:1", sets=[parse_set("people[0].keeps_board_seat=false")])
    assert [(c.path, c.before, c.after) for c in s.changes] == [("people[0].keeps_board_seat", "true", "false")]
    firing = [r.value for r in s.rows if "DE-GWB37-CAPITAL-25" in r.appeared]
    assert firing == [25.0]
    evaluated = evaluate(apply_changes(meta, [("people[0].keeps_board_seat", False),
                                              ("stakes[0].equity_after", 24.99)])[0], rulebook)
    assert not evaluated.firings_of("DE-GWB37-CAPITAL-25")


def test_sweep_over_money_uses_the_currency(meta: Deal, rulebook: Rulebook) -> None:
    s = sweep(meta, rulebook, "parties[scale].turnover[DE]=EUR 15m:EUR 20m:EUR 2.5m",
              sets=[parse_set("parties[meta].turnover[DE]=EUR 3bn")])
    assert [r.display for r in s.rows] == ["EUR 15m", "EUR 17.5m", "EUR 20m"] and s.unit == "EUR"
    assert s.rows[-1].outcomes["DE"].startswith("mandatory") and "DE" in s.rows[-1].flips
    assert "DE-GWB35-1-TURNOVER" in s.rows[-1].appeared


@pytest.mark.parametrize(("vary", "message"), [
    ("stakes[0].equity_after=0:100:0", "STEP must not be 0"),
    ("stakes[0].equity_after=0:100:-5", "STEP goes away from STOP"),
    ("stakes[0].equity_after=0:100000:1", "at most 1000"),
    ("stakes[0].equity_after=0:100", "START:STOP:STEP"),
    ("stakes[0].share_class=0:1:1", "not a number"),
    ("parties[scale].turnover[DE]=0:10:1", "name the currency"),
    ("stakes[0].equity_after=EUR 1m:EUR 2m:EUR 1m", "not an amount of money"),
    ("stakes[9].equity_after=0:1:1", "out of range"),
    ("governance[0].board_seats=0:2:0.5", "whole numbers"),
])
def test_bad_sweeps_are_one_clear_error(meta: Deal, rulebook: Rulebook, vary: str, message: str) -> None:
    with pytest.raises(WhatIfError) as info:
        sweep(meta, rulebook, vary)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_parse_range_includes_stop() -> None:
    values, currency = parse_range("EUR 1m:EUR 2m:EUR 0.5m")
    assert [float(v) for v in values] == [1e6, 1.5e6, 2e6] and currency == "EUR"
    down, _ = parse_range("10:0:-5")
    assert [int(v) for v in down] == [10, 5, 0]


# -- flips ---------------------------------------------------------------------------------------
def _reevaluate(deal: Deal, book: Rulebook, changes: list[tuple[str, Any]], at: date) -> dict[str, str]:
    changed, _ = apply_changes(deal, changes)
    return outcomes(evaluate(changed, book, as_of=at))


def test_every_reported_flip_re_evaluates_as_claimed(meta: Deal, rulebook: Rulebook) -> None:
    result = find_flips(meta, rulebook, max_changes=1, time_limit=120)
    assert result.complete and result.targets
    base = outcomes(evaluate(meta, rulebook))
    for target in result.targets:
        assert target.outcome == base[target.key]
        ranked = [(len(f.changes), f.cost) for f in target.flips]
        assert ranked == sorted(ranked)
        for flip in target.flips:
            assert flip.verified and flip.before == target.outcome != flip.after
            got = _reevaluate(meta, rulebook, [(c.path, c.value) for c in flip.changes], result.as_of)
            assert got[target.key] == flip.after, (target.key, flip)


def test_german_flips_name_the_domestic_facts_that_decide_it(meta: Deal, rulebook: Rulebook) -> None:
    # The twelve cheapest distinct flips: single changes rank before pairs; among pairs, resolving
    # unknown facts costs nothing, so the German turnover and activity pairs lead them.
    result = find_flips(meta, rulebook, jurisdiction="de", max_changes=2, time_limit=600, per_target=12)
    assert result.complete
    (de,) = result.targets
    assert de.key == "DE" and de.outcome == "undetermined"
    paths = {c.path for f in de.flips for c in f.changes}
    assert {"parties[0].turnover[DE]", "parties[1].turnover[DE]", "parties[1].domestic_activity.DE"} <= paths
    mandatory = [f for f in de.flips if f.after.startswith("mandatory")]
    assert mandatory and all(len(f.changes) == 2 for f in mandatory)
    assert all(c.kind == "resolve" for f in mandatory for c in f.changes)
    for flip in de.flips:
        got = _reevaluate(meta, rulebook, [(c.path, c.value) for c in flip.changes], result.as_of)
        assert got["DE"] == flip.after
        if len(flip.changes) == 2:  # minimal: neither change alone flips it
            for c in flip.changes:
                assert _reevaluate(meta, rulebook, [(c.path, c.value)], result.as_of)["DE"] == "undetermined"


def test_flips_arguments_are_checked(meta: Deal, rulebook: Rulebook) -> None:
    with pytest.raises(WhatIfError, match="no rules in force for XX"):
        find_flips(meta, rulebook, jurisdiction="XX")
    with pytest.raises(WhatIfError, match="1 or 2"):
        find_flips(meta, rulebook, max_changes=3)
    with pytest.raises(WhatIfError, match="more than 0"):
        find_flips(meta, rulebook, time_limit=0)


def test_a_short_time_limit_says_the_search_is_incomplete(meta: Deal, rulebook: Rulebook) -> None:
    result = find_flips(meta, rulebook, max_changes=2, time_limit=1e-6)
    assert result.complete is False
    assert "stopped at the time limit" in " ".join(render(result, "text").split())


# -- commands ------------------------------------------------------------------------------------
def test_what_if_command_shows_the_hsr_flip() -> None:
    code, out, err = run("what-if", CASE, "--rules", RULES, "--set", "stakes[0].voting_after=49",
                         "--set", "stakes[0].share_class=voting", "--today", "2026-11-23")
    assert code == 0, err
    assert "* US  not required → mandatory, suspensory" in out and err == ""


@pytest.mark.parametrize(("setting", "message"), [
    ("stakes[3].voting_after=49", "--set stakes[3].voting_after: stakes has 1 item"),
    ("stakes[0].voting_after=abc", "--set stakes[0].voting_after=abc: Input should be a valid number"),
    ("stakes[0]voting_after=1", "--set stakes[0]voting_after=1: unexpected 'v'"),
    ("no-equals-sign", "write PATH=VALUE"),
])
def test_what_if_command_bad_input_exits_2_with_one_line(setting: str, message: str) -> None:
    code, out, err = run("what-if", CASE, "--rules", RULES, "--set", setting)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_sweep_command_formats(fmt: str) -> None:
    code, out, err = run("sweep", CASE, "--rules", RULES, "--vary", "stakes[0].equity_after=20:30:5", "--format", fmt)
    assert code == 0, err
    if fmt == "json":
        assert [r["value"] for r in json.loads(out)["rows"]] == [20.0, 25.0, 30.0]
    else:
        assert "DE-GWB37-CAPITAL-25" in out


def test_sweep_command_bad_range_exits_2() -> None:
    code, _out, err = run("sweep", CASE, "--rules", RULES, "--vary", "stakes[0].equity_after=0:10:0")
    assert code == 2 and "STEP must not be 0" in err and err.count("\n") == 1


def test_flips_command_output_re_evaluates_through_what_if() -> None:
    code, out, err = run("flips", CASE, "--rules", RULES, "--jurisdiction", "US", "--format", "json",
                         "--time-limit", "120")
    assert code == 0, err
    data = json.loads(out)
    (us,) = data["targets"]
    assert us["flips"]
    for flip in us["flips"]:
        args = ["what-if", CASE, "--rules", RULES]
        for c in flip["changes"]:
            args += ["--set", f"{c['path']}={json.dumps(c['value'])}"]
        code, again, err = run(*args, "--format", "json")
        assert code == 0, err
        row = next(v for v in json.loads(again)["verdicts"] if v["code"] == "US")
        assert row["after"] == flip["after"].replace("_", " ")


def test_flips_command_text_and_markdown() -> None:
    code, out, err = run("flips", CASE, "--rules", RULES, "--jurisdiction", "DE", "--time-limit", "120")
    assert code == 0, err
    assert "Germany (filing): undetermined" in out and "verified by re-evaluation" in out
    code, md, _ = run("flips", CASE, "--rules", RULES, "--jurisdiction", "DE", "--format", "markdown",
                      "--time-limit", "120")
    assert code == 0 and "## Germany (filing): undetermined" in md and "| # | becomes |" in md
