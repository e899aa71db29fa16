"""The rulebook checker (antitrust.checker) beyond the broken-file corpus: the analyses on small
rulebooks written for each test, a property test of the impossibility analysis, and the real
rulebook."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from antitrust import expr as ex
from antitrust.checker import check_rulebook, load_code
from antitrust.cli import app
from antitrust.literals import Lit, _dnf, _nnf, _Resolver, conflict_of
from antitrust.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
BASIS = 'basis: {citation: Test fixture rule, url: "https://www.law.cornell.edu/uscode/text/15/18a"}'


def rule(rid: str, when: str, extra: str = "", jurisdiction: str = "US", theory: str | None = None) -> str:
    scope = f"jurisdiction: {jurisdiction}" if theory is None else f"theory: {theory}"
    lines = [f"  - id: {rid}", f"    title: Rule {rid}", f"    {scope}", f"    {BASIS}", f"    when: {when}"]
    lines += [f"    {x}" for x in textwrap.dedent(extra).strip().splitlines()] if extra else []
    lines.append('    reason: "A test rule."')
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, *rules: str, params: str | None = None) -> Path:
    (tmp_path / "rules.yaml").write_text("rules:\n" + "".join(rules), encoding="utf-8")
    if params is not None:
        (tmp_path / "params.yaml").write_text("parameters:\n" + textwrap.dedent(params), encoding="utf-8")
    return tmp_path


def findings(path: Path, code: str | None = None) -> list[str]:
    result = check_rulebook(path, today=TODAY)
    return [f"{d.severity}: {d.message}" for d in result.diagnostics if code is None or d.code == code]


def param(name: str, unit: str, *values: tuple[str, float | None]) -> str:
    out = [f"- name: {name}", f"  title: Test parameter {name}", f"  unit: {unit}", "  values:"]
    for start, value in values:
        out += [f"  - from: {start}", f"    value: {'null' if value is None else value}",
                "    citation: Test fixture, not a real threshold",
                "    url: https://www.law.cornell.edu/uscode/text/15/18a", "    status: verified"]
    return "\n".join(out) + "\n"


# -- the real rulebook ----------------------------------------------------------------------------
def test_the_rulebook_has_no_errors() -> None:
    result = check_rulebook(ROOT / "rules", today=TODAY)
    assert result.book is not None
    assert [str(d) for d in result.errors] == []


def test_json_output_lists_every_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["rules", "check", "tests/broken/rules/unused_derived.yaml", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["counts"] == {"errors": 0, "warnings": 1, "infos": 1}
    warning = next(d for d in data["diagnostics"] if d["severity"] == "warning")
    assert warning == {
        "path": "tests/broken/rules/unused_derived.yaml", "line": 8, "col": 14, "severity": "warning",
        "code": "unused-derived-fact",
        "message": "rule BROKEN-UNUSED: derived fact 'licence_deal' is not used by any rule's condition; "
                   "use it, or drop the derive",
    }


def test_json_output_for_a_rulebook_that_does_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["rules", "check", "tests/broken/rules/condition_typo.yaml", "-f", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["rules"] is None
    assert [(d["line"], d["col"], d["code"]) for d in data["diagnostics"]] == [(9, 17, "unknown-name")]


def test_strict_fails_on_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert CliRunner().invoke(app, ["rules", "check", "tests/broken/params/stale.yaml"]).exit_code == 0
    assert CliRunner().invoke(app, ["rules", "check", "--strict", "tests/broken/params/stale.yaml"]).exit_code == 1
    assert CliRunner().invoke(app, ["rules", "check", "--strict", "tests/data/tooling"]).exit_code == 0


def test_review_dates_are_checked_against_today(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("parameters:\n" + textwrap.indent(
        param("ex.share", "percent", ("2024-01-01", 25)).replace("  unit: percent", "  unit: percent\n  review_by: 2026-02-28"),
        "  "), encoding="utf-8")
    assert findings(tmp_path, "stale-parameter") == [
        ("warning: parameter ex.share was due for review by 2026-02-28; check the value is still current and move "
        "review_by on")]
    assert check_rulebook(tmp_path, today=date(2026, 1, 1)).warnings == []


@pytest.mark.parametrize(("message", "code"), [
    ("invalid YAML: mapping values are not allowed here", "syntax"),
    ("rule X: unknown field 'equity_afer' of stake; did you mean 'equity_after'?", "unknown-name"),
    ("rule X: stake.equity_after is in percent but parameter p.q is in EUR; compare like with like", "unit-mismatch"),
    ("unknown field 'rules.0.jurisdication'; did you mean 'jurisdiction'?", "unknown-key"),
    ("missing required field 'rules.0.basis'", "missing-field"),
    ("duplicate rule id 'X' (first at a.yaml:3:5)", "duplicate-id"),
])
def test_load_problems_get_stable_codes(message: str, code: str) -> None:
    assert load_code(message) == code


# -- impossible conditions --------------------------------------------------------------------------
@pytest.mark.parametrize(("when", "expected"), [
    ("stake.equity_after > 50 and stake.equity_after < 10",
     "stake.equity_after > 50 and stake.equity_after < 10 cannot both hold"),
    ("stake.equity_after >= 25 and stake.equity_after < 25",
     "stake.equity_after >= 25 and stake.equity_after < 25 cannot both hold"),
    ("stake.equity_after == 30 and stake.equity_after != 30",
     "stake.equity_after == 30 and stake.equity_after != 30 cannot both hold"),
    ("stake.equity_after < 0", "stake.equity_after < 0 can never hold (a percentage lies between 0 and 100)"),
    ("deal.consideration_eur < 0",
     "deal.consideration_eur < 0 can never hold (an amount or a count is never negative)"),
    ('stake.share_class == "voting" and stake.share_class != "voting"',
     "stake.share_class == 'voting' and stake.share_class != 'voting' cannot both hold"),
    ("stake.solely_for_investment and not stake.solely_for_investment",
     "stake.solely_for_investment and not stake.solely_for_investment cannot both hold"),
    ('not (stake.equity_after <= 50) and stake.equity_after < 20',
     "not (stake.equity_after <= 50) and stake.equity_after < 20 cannot both hold"),
    ("10 <= stake.voting_after < 5", "stake.voting_after >= 10 and stake.voting_after < 5 cannot both hold"),
])
def test_conditions_that_can_never_be_true(tmp_path: Path, when: str, expected: str) -> None:
    write(tmp_path, rule("X", when))
    assert findings(tmp_path, "impossible-condition") == [f"error: rule X: the condition can never be true: {expected}"]


@pytest.mark.parametrize("when", [
    "stake.equity_after >= 25 and stake.equity_after <= 25",
    "stake.equity_after > 10 and stake.equity_after < 11",
    'stake.share_class in ["voting", "mixed"] and stake.share_class != "voting"',
    "stake.equity_after == 0 or stake.equity_after > 50",
    "deal.months_since_closing < 0",
    "stake.equity_after <= 100 and stake.equity_after >= 100",
])
def test_conditions_that_can_be_true_pass(tmp_path: Path, when: str) -> None:
    write(tmp_path, rule("X", when))
    assert findings(tmp_path, "impossible-condition") == []
    assert findings(tmp_path, "impossible-alternative") == []


def test_parameters_are_compared_on_each_date_they_change(tmp_path: Path) -> None:
    params = param("ex.low", "percent", ("2020-01-01", 10)) + param("ex.high", "percent", ("2020-01-01", 50))
    write(tmp_path, rule("X", "stake.equity_after > param.ex.high and stake.equity_after < param.ex.low"),
          params=params)
    assert findings(tmp_path, "impossible-condition") == [
        ("error: rule X: the condition can never be true: stake.equity_after > param.ex.high and "
        "stake.equity_after < param.ex.low cannot both hold")]
    # The ranges overlap under the first values and no longer once ex.high rises: a warning.
    params = param("ex.low", "percent", ("2020-01-01", 30)) + param("ex.high", "percent", ("2020-01-01", 20),
                                                                      ("2024-01-01", 40))
    write(tmp_path, rule("X", "stake.equity_after > param.ex.high and stake.equity_after < param.ex.low"),
          params=params)
    assert findings(tmp_path, "impossible-condition") == [
        ("warning: rule X: with the parameter values in force from 2024-01-01, the condition can never be true: "
        "stake.equity_after > param.ex.high and stake.equity_after < param.ex.low cannot both hold")]


def test_thresholds_in_another_currency_are_converted_before_comparing(tmp_path: Path) -> None:
    params = (param("ex.floor", "USD", ("2020-01-01", 200_000_000))
              + param("fx.usd_per_eur", "rate", ("2020-01-01", 2)))
    # USD 200m is EUR 100m at 2 USD per EUR: "> EUR 150m and < USD 200m" can never hold.
    write(tmp_path, rule("X", "deal.consideration_eur > 150000000 and deal.consideration_eur < param.ex.floor"),
          params=params)
    assert len(findings(tmp_path, "impossible-condition")) == 1
    write(tmp_path, rule("X", "deal.consideration_eur > 50000000 and deal.consideration_eur < param.ex.floor"),
          params=params)
    assert findings(tmp_path, "impossible-condition") == []


def test_an_impossible_alternative_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, rule("X", "stake.equity_after > 90 or (stake.voting_after > 60 and stake.voting_after < 40)"))
    assert findings(tmp_path, "impossible-alternative") == [
        ("warning: rule X: this alternative of an 'or' can never be true: stake.voting_after > 60 and "
        "stake.voting_after < 40 cannot both hold")]


_OPS = ["<", "<=", ">", ">=", "==", "!="]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_OPS), st.integers(-5, 105)), min_size=1, max_size=4))
def test_impossibility_agrees_with_brute_force(atoms: list[tuple[str, int]]) -> None:
    """On one percentage field, 'can never be true' holds exactly when no value in [0, 100]
    (searched on a half-point grid, which suffices for integer thresholds) satisfies every test."""
    term = [Lit("stake", "equity_after", op, c, f"stake.equity_after {op} {c}", i) for i, (op, c) in enumerate(atoms)]
    tests = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__,
             "==": float.__eq__, "!=": float.__ne__}
    grid = [x / 2 for x in range(201)]
    possible = any(all(tests[op](x, float(c)) for op, c in atoms) for x in grid)
    book = load_rulebook(ROOT / "tests" / "data" / "tooling")
    conflict = conflict_of(term, _Resolver(book, None))
    assert (conflict is None) == possible


def test_not_is_pushed_inwards() -> None:
    tree = _nnf(ex.parse("not (stake.equity_after > 5 and stake.share_class in ['voting'])"))
    terms = _dnf(tree)
    assert terms is not None
    assert [[(lit.op, lit.value) for lit in t] for t in terms] == [[("<=", 5)], [("notin", ("voting",))]]


# -- derived facts ----------------------------------------------------------------------------------
def test_a_rule_that_derives_what_it_uses_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, rule("SEED", "deal.is_licence", "derive: {fact: signal}"),
          rule("LOOP", "signal and deal.is_hiring", "derive: {fact: signal}"))
    assert findings(tmp_path, "derivation-cycle") == [
        "error: derived facts form a cycle: signal → signal (rules LOOP); a fact cannot be a reason for itself"]


def test_a_three_step_cycle_names_every_rule(tmp_path: Path) -> None:
    write(tmp_path,
          rule("A", "deal.is_licence and c_fact", "derive: {fact: a_fact}"),
          rule("B", "a_fact", "derive: {fact: b_fact}"),
          rule("C", "b_fact", "derive: {fact: c_fact}"))
    assert findings(tmp_path, "derivation-cycle") == [
        ("error: derived facts form a cycle: a_fact → b_fact → c_fact → a_fact (rules B, C, A); a fact cannot be "
        "a reason for itself")]


def test_derived_facts_used_by_a_rule_are_not_reported(tmp_path: Path) -> None:
    write(tmp_path, rule("A", "deal.is_licence", "derive: {fact: licence_deal}"),
          rule("B", "licence_deal", "verdict: {filing: voluntary}"))
    assert findings(tmp_path, "unused-derived-fact") == []


# -- shadowed and repeated rules --------------------------------------------------------------------
def test_a_verdict_always_overridden_is_reported(tmp_path: Path) -> None:
    write(tmp_path,
          rule("STRONG", "stake.voting_after >= 25", "verdict: {filing: mandatory}"),
          rule("WEAK", 'stake.voting_after >= 50 and stake.share_class == "voting"', "verdict: {filing: voluntary}"),
          rule("OTHER", "stake.voting_after < 25", "verdict: {filing: not_required}"))
    assert findings(tmp_path, "shadowed-rule") == [
        ("warning: rule WEAK: its verdict (voluntary) can never decide the US filing: whenever its condition "
        "holds, so does STRONG's, whose verdict (mandatory) takes precedence")]


def test_verdicts_of_other_jurisdictions_do_not_shadow(tmp_path: Path) -> None:
    write(tmp_path,
          rule("US-STRONG", "stake.voting_after >= 25", "verdict: {filing: mandatory}"),
          rule("DE-WEAK", "stake.voting_after >= 50", "verdict: {filing: not_required}", jurisdiction="DE"))
    assert findings(tmp_path, "shadowed-rule") == []


def test_a_lower_band_always_overridden_is_reported(tmp_path: Path) -> None:
    write(tmp_path,
          rule("HIGH", "supply.share_of_supplier_revenue >= 10", "risk: {band: high}", theory="vertical_foreclosure"),
          rule("LOW", "supply.share_of_supplier_revenue >= 15", "risk: {band: low}", theory="vertical_foreclosure"))
    assert findings(tmp_path, "shadowed-rule") == [
        ("warning: rule LOW: its low band can never decide the vertical_foreclosure theory: whenever its "
        "condition holds, so does HIGH's, which raises it to high")]


def test_a_rule_whose_stronger_rival_needs_another_fact_is_not_shadowed(tmp_path: Path) -> None:
    write(tmp_path,
          rule("STRONG", "stake.voting_after >= 25 and deal.is_share_acquisition", "verdict: {filing: mandatory}"),
          rule("WEAK", "stake.voting_after >= 50", "verdict: {filing: not_required}"))
    assert findings(tmp_path, "shadowed-rule") == []


# -- parameters -------------------------------------------------------------------------------------
def test_values_that_follow_each_other_have_no_gap(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(textwrap.dedent("""\
        parameters:
          - name: ex.share
            title: Test
            unit: percent
            values:
              - {from: 2024-01-01, until: 2024-12-31, value: 25, citation: Test fixture value, status: verified,
                 url: "https://www.law.cornell.edu/uscode/text/15/18a"}
              - {from: 2025-01-01, value: 30, citation: Test fixture value, status: verified,
                 url: "https://www.law.cornell.edu/uscode/text/15/18a"}
        """), encoding="utf-8")
    assert [d for d in check_rulebook(tmp_path, today=TODAY).diagnostics if d.severity != "info"] == []


def test_a_lapsed_value_is_not_in_force(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(textwrap.dedent("""\
        parameters:
          - name: ex.share
            title: Test
            unit: percent
            values:
              - {from: 2024-01-01, until: 2024-06-30, value: 25, citation: Test fixture value, status: verified,
                 url: "https://www.law.cornell.edu/uscode/text/15/18a"}
        """), encoding="utf-8")
    p = load_rulebook(tmp_path).parameters["ex.share"]
    assert p.at(date(2024, 6, 30)) is not None
    assert p.at(date(2024, 7, 1)) is None


def test_unused_parameters_are_notes(tmp_path: Path) -> None:
    write(tmp_path, rule("X", "deal.is_licence"), params=param("ex.share", "percent", ("2024-01-01", 25)))
    result = check_rulebook(tmp_path, today=TODAY)
    assert [(d.severity, d.code) for d in result.diagnostics if d.code == "unused-parameter"] == [
        ("info", "unused-parameter")]


def test_parameters_named_in_reasons_count_as_used(tmp_path: Path) -> None:
    write(tmp_path, rule("X", "deal.is_licence").replace("A test rule.", "Above {param.ex.share}."),
          params=param("ex.share", "percent", ("2024-01-01", 25)))
    assert findings(tmp_path, "unused-parameter") == []


# -- fan-out ----------------------------------------------------------------------------------------
def test_fanout_close_to_the_limit_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path, *(rule(f"R{i:02d}", f"deal.months_since_closing == {i}") for i in range(50)))
    assert findings(tmp_path, "fanout") == [
        ("warning: 50 compiled rules match facts of kind 'deal', close to the limit of 60; consider moving shared "
        "conditions into a derived fact")]
    write(tmp_path, *(rule(f"R{i:02d}", f"deal.months_since_closing == {i}") for i in range(40)))
    assert findings(tmp_path, "fanout") == []


def test_fanout_counts_only_rules_in_force_together(tmp_path: Path) -> None:
    params = param("ex.old", "count", ("2000-01-01", 1), ("2010-01-01", None)) + param("ex.new", "count",
                                                                                        ("2010-01-01", 1))
    old = [rule(f"OLD{i:02d}", f"deal.months_since_closing == param.ex.old and deal.valuation_eur == {i}")
           for i in range(32)]
    new = [rule(f"NEW{i:02d}", f"deal.months_since_closing == param.ex.new and deal.valuation_eur == {i}")
           for i in range(32)]
    write(tmp_path, *old, *new, params=params)
    # 64 rules would pass the limit, but never more than 32 rules are in force at once.
    assert findings(tmp_path, "fanout") == []


# -- `antitrust check` runs the same analysis on rule paths -------------------------------------------
def test_check_command_reports_checker_errors_for_rule_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["check", "tests/broken/rules/cycle.yaml"])
    assert result.exit_code == 2
    assert result.stderr.startswith("tests/broken/rules/cycle.yaml:8:14: error: derived facts form a cycle")
    ok = CliRunner().invoke(app, ["check", "tests/data/tooling", "cases/meta-scale-ai.yaml"])
    assert ok.exit_code == 0, ok.stderr
    assert ok.stderr.splitlines() == [
        "tests/data/tooling: rulebook OK (3 rules, 1 parameters, 0 warnings)", "cases/meta-scale-ai.yaml: deal OK"]


def test_the_same_rule_for_two_periods_is_not_a_repeat(tmp_path: Path) -> None:
    """Two rules with the same condition and conclusion state the law of two periods when their
    in_force spans never meet (a gap between them is a third period with other law)."""
    verdict = "verdict: {filing: not_required}"
    (tmp_path / "apart").mkdir()
    (tmp_path / "overlapping").mkdir()
    apart = write(tmp_path / "apart",
                  rule("R-OLD", "deal.consideration_usd < 1000", f"in_force: {{until: 2018-06-10}}\n{verdict}"),
                  rule("R-NEW", "deal.consideration_usd < 1000", f"in_force: {{from: 2022-01-04}}\n{verdict}"))
    assert not findings(apart, "redundant-rule")
    overlapping = write(tmp_path / "overlapping",
                        rule("R-OLD", "deal.consideration_usd < 1000", f"in_force: {{until: 2022-06-10}}\n{verdict}"),
                        rule("R-NEW", "deal.consideration_usd < 1000", f"in_force: {{from: 2022-01-04}}\n{verdict}"))
    assert findings(overlapping, "redundant-rule")
