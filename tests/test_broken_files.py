"""The broken-file corpus (tests/broken/): one small file per mistake the tools must catch, each
pinned to its exact message and position, run through the CLI as a user would.

Rule and parameter files go through ``antitrust rules check`` (exit 2 on errors, 0 with only
warnings or notes), deal files through ``antitrust check`` (exit 2), scenario files through
``antitrust rules test`` (exit 2). Every message is on stderr, one line per problem, with no
traceback. To add a case: add the file, run the command, check the message reads well, and
add a row here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust.cli import app

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"

# (path, command, exit code, the stderr lines expected, without the closing summary line)
CASES: list[tuple[str, list[str], int, list[str]]] = [
    ('tests/broken/deals/bad_money.yaml', ['check'], 2, ["tests/broken/deals/bad_money.yaml:11:3: transaction.consideration: '14.8bn' has no currency; add one, e.g. '14.8bn USD' (got '14.8bn')"]),
    ('tests/broken/deals/bad_month.yaml', ['check'], 2, ["tests/broken/deals/bad_month.yaml:10:3: transaction.announced: month 13 is not 1-12 (write YYYY-MM-DD, or YYYY-MM for a month) (got '2024-13')"]),
    ('tests/broken/deals/combined_share_in_words.yaml', ['check'], 2, ["tests/broken/deals/combined_share_in_words.yaml:12:28: markets.0.combined_share: expected a valid number, unable to parse string as a number (got 'most')"]),
    ('tests/broken/deals/competes_with_target_not_bool.yaml', ['check'], 2, ["tests/broken/deals/competes_with_target_not_bool.yaml:8:39: parties.2.competes_with_target: expected a valid boolean, unable to interpret input (got 'perhaps')"]),
    ('tests/broken/deals/complement_kind.yaml', ['check'], 2, ["tests/broken/deals/complement_kind.yaml:12:18: complements.0.kind: expected 'complementary' or 'conglomerate' (got 'diagonal')"]),
    ('tests/broken/deals/data_access_unknown_party.yaml', ['check'], 2, ["tests/broken/deals/data_access_unknown_party.yaml:12:16: data_access.0.about: no party has id 'x'; parties are a, t"]),
    ('tests/broken/deals/date_range_reversed.yaml', ['check'], 2, ['tests/broken/deals/date_range_reversed.yaml:10:3: transaction.closing: at_least 2024-09-30 is after at_most 2024-06-01']),
    ('tests/broken/deals/duplicate_key.yaml', ['check'], 2, ['tests/broken/deals/duplicate_key.yaml:5:1: duplicate key: found duplicate key "title" with value "Again" (original value: "Broken example"); each key may appear once in a mapping']),
    ('tests/broken/deals/economic_interest_shares.yaml', ['check'], 2, ["tests/broken/deals/economic_interest_shares.yaml:13:28: economic_interests.0.kind: expected 'profit_participation', 'revenue_share', 'tracking_interest' or 'other' (got 'shares')"]),
    ('tests/broken/deals/emerging_rival_not_bool.yaml', ['check'], 2, ["tests/broken/deals/emerging_rival_not_bool.yaml:7:41: parties.1.emerging_rival: expected a valid boolean, unable to interpret input (got 'later')"]),
    ('tests/broken/deals/in_depth_review_without_stage.yaml', ['check'], 2, ["tests/broken/deals/in_depth_review_without_stage.yaml:13:5: missing required field 'in_depth_reviews.0.stage'"]),
    ('tests/broken/deals/malformed_json.json', ['check'], 2, ["tests/broken/deals/malformed_json.json:5:3: invalid JSON: Expecting ',' delimiter"]),
    ('tests/broken/deals/malformed_yaml.yaml', ['check'], 2, ["tests/broken/deals/malformed_yaml.yaml:10:10: invalid YAML: expected ',' or ']', but got ':'"]),
    ('tests/broken/deals/market_dominant_not_bool.yaml', ['check'], 2, ["tests/broken/deals/market_dominant_not_bool.yaml:15:31: markets.0.shares.0.dominant: expected a valid boolean, unable to interpret input (got 'sometimes')"]),
    ('tests/broken/deals/market_share_bounds_reversed.yaml', ['check'], 2, ['tests/broken/deals/market_share_bounds_reversed.yaml:15:20: markets.0.shares.0.share: at_least (80.0) is above at_most (60.0)']),
    ('tests/broken/deals/missing_required.yaml', ['check'], 2, ["tests/broken/deals/missing_required.yaml:8:1: missing required field 'transaction.types'"]),
    ('tests/broken/deals/overlap_size_value.yaml', ['check'], 2, ["tests/broken/deals/overlap_size_value.yaml:12:28: markets.0.overlap_size: expected 'none', 'minor' or 'significant' (got 'large')"]),
    ('tests/broken/deals/rank_not_whole.yaml', ['check'], 2, ['tests/broken/deals/rank_not_whole.yaml:15:31: markets.0.shares.0.rank: expected a valid integer, got a number with a fractional part (got 1.5)']),
    ('tests/broken/deals/rest_max_share_over_100.yaml', ['check'], 2, ['tests/broken/deals/rest_max_share_over_100.yaml:12:28: markets.0.rest_max_share: expected less than or equal to 100 (got 140)']),
    ('tests/broken/deals/share_moved_over_100.yaml', ['check'], 2, ['tests/broken/deals/share_moved_over_100.yaml:12:34: workforce.0.share_moved: expected less than or equal to 100 (got 120)']),
    ('tests/broken/deals/steps_do_not_add_up.yaml', ['check'], 2, ["tests/broken/deals/steps_do_not_add_up.yaml:13:1: steps: the steps' equity for 'a' in 't' adds up to 25% (equity_before 0% plus the steps), but the stake's equity_after is 30%"]),
    ('tests/broken/deals/supply_confidence.yaml', ['check'], 2, ["tests/broken/deals/supply_confidence.yaml:12:32: supply.0.confidence: expected 'high', 'medium' or 'low' (got 'certain')"]),
    ('tests/broken/deals/unknown_authority.yaml', ['check'], 2, ["tests/broken/deals/unknown_authority.yaml:14:6: authority_acts.0.authority: 'CMA' is not a jurisdiction with facts here (one of EU, US, DE, AT, UK, IT, IE, DK, SE, JP, KR, FR, NL) (got 'CMA')"]),
    ('tests/broken/deals/unknown_field.yaml', ['check'], 2, ["tests/broken/deals/unknown_field.yaml:12:28: unknown field 'stakes.0.equity_afer'; did you mean 'equity_after'?"]),
    ('tests/broken/deals/unknown_locator.yaml', ['check'], 2, ["tests/broken/deals/unknown_locator.yaml:14:31: digest 'de-news-meta-scale-bet' has no locator 'p70'; did you mean 'p7'?"]),
    ('tests/broken/deals/unknown_source.yaml', ['check'], 2, ["tests/broken/deals/unknown_source.yaml:14:31: source 'de-news-meta-scale-bets' is not a digest in seeds; did you mean 'de-news-meta-scale-bet'?"]),
    ('tests/broken/deals/users_negative.yaml', ['check'], 2, ['tests/broken/deals/users_negative.yaml:7:41: parties.1.users: expected greater than or equal to 0 (got -5)']),
    ('tests/broken/deals/wrong_type.yaml', ['check'], 2, ["tests/broken/deals/wrong_type.yaml:12:28: stakes.0.equity_after: expected a valid number, unable to parse string as a number (got 'forty-nine')"]),
    ('tests/broken/rules/bad_template.yaml', ['rules', 'check'], 2, ["tests/broken/rules/bad_template.yaml:3:5: error: rule BROKEN-TEMPLATE: reason: unknown field 'deal.considerations_usd'; did you mean 'consideration_usd'?"]),
    ('tests/broken/rules/category_value.yaml', ['rules', 'check'], 2, ["tests/broken/rules/category_value.yaml:7:32: error: rule BROKEN-CATEGORY: 'non-voting' is not a value of stake.share_class; did you mean 'non_voting'?; expected one of voting, non_voting, convertible, mixed"]),
    ('tests/broken/rules/condition_syntax.yaml', ['rules', 'check'], 2, ['tests/broken/rules/condition_syntax.yaml:7:11: error: rule BROKEN-SYNTAX: arithmetic is not supported in conditions; compare a field with a value or parameter']),
    ('tests/broken/rules/condition_typo.yaml', ['rules', 'check'], 2, ["tests/broken/rules/condition_typo.yaml:9:17: error: rule BROKEN-TYPO: unknown field 'equity_afer' of stake; did you mean 'equity_after'?"]),
    ('tests/broken/rules/cycle.yaml', ['rules', 'check'], 2, ['tests/broken/rules/cycle.yaml:8:14: error: derived facts form a cycle: influence_a → influence_b → influence_a (rules BROKEN-CYCLE-B, BROKEN-CYCLE-A); a fact cannot be a reason for itself']),
    ('tests/broken/rules/derived_field_not_set.yaml', ['rules', 'check'], 0, ["tests/broken/rules/derived_field_not_set.yaml:23:11: warning: rule BROKEN-FIELD-USE: signal.kind is not set by BROKEN-FIELD-B, which also derive 'signal'; the comparison stays undetermined for those facts"]),
    ('tests/broken/rules/duplicate_id.yaml', ['rules', 'check'], 2, ["tests/broken/rules/duplicate_id.yaml:10:5: error: duplicate rule id 'BROKEN-TWICE' (first at tests/broken/rules/duplicate_id.yaml:3:5)"]),
    ('tests/broken/rules/duplicate_key.yaml', ['rules', 'check'], 2, ['tests/broken/rules/duplicate_key.yaml:8:5: error: duplicate key: found duplicate key "when" with value "deal.is_hiring" (original value: "deal.is_licence"); each key may appear once in a mapping']),
    ('tests/broken/rules/fanout.yaml', ['rules', 'check'], 2, ["tests/broken/rules/fanout.yaml:63:6: error: 62 compiled rules match facts of kind 'deal'; the engine lets one fact match at most 64 rules (kept here: 60). Rule BROKEN-FAN-60 passes the limit: move shared conditions into a derived fact, or split the rulebook"]),
    ('tests/broken/rules/impossible_alternative.yaml', ['rules', 'check'], 0, ["tests/broken/rules/impossible_alternative.yaml:7:105: warning: rule BROKEN-ALTERNATIVE: this alternative of an 'or' can never be true: stake.voting_after > 60 and stake.voting_after < 40 cannot both hold"]),
    ('tests/broken/rules/impossible_category.yaml', ['rules', 'check'], 2, ["tests/broken/rules/impossible_category.yaml:7:45: error: rule BROKEN-CLASSES: the condition can never be true: stake.share_class == 'voting' and stake.share_class in ['non_voting', 'convertible'] cannot both hold"]),
    ('tests/broken/rules/impossible_condition.yaml', ['rules', 'check'], 2, ['tests/broken/rules/impossible_condition.yaml:7:39: error: rule BROKEN-IMPOSSIBLE: the condition can never be true: stake.equity_after > 50 and stake.equity_after < 10 cannot both hold']),
    ('tests/broken/rules/impossible_percent.yaml', ['rules', 'check'], 2, ['tests/broken/rules/impossible_percent.yaml:7:47: error: rule BROKEN-PERCENT: the condition can never be true: stake.equity_after > 100 can never hold (a percentage lies between 0 and 100)']),
    ('tests/broken/rules/malformed_yaml.yaml', ['rules', 'check'], 2, ['tests/broken/rules/malformed_yaml.yaml:4:18: error: invalid YAML: mapping values are not allowed here']),
    ('tests/broken/rules/missing_exchange_rate', ['rules', 'check'], 2, ['tests/broken/rules/missing_exchange_rate/params.yaml:5:5: error: parameter ex.dkk_threshold is in DKK but compared with amounts in EUR, and there is no exchange rate fx.dkk_per_eur to convert it']),
    ('tests/broken/rules/missing_field.yaml', ['rules', 'check'], 2, ["tests/broken/rules/missing_field.yaml:3:5: error: missing required field 'rules.0.basis'"]),
    ('tests/broken/rules/negated_derived.yaml', ['rules', 'check'], 2, ["tests/broken/rules/negated_derived.yaml:15:15: error: rule BROKEN-NEGATION: cannot negate derived fact 'licence_deal': absence of a derived fact depends on rule order in the engine; derive the opposite fact explicitly"]),
    ('tests/broken/rules/never_in_force', ['rules', 'check'], 0, ['tests/broken/rules/never_in_force/rules.yaml:7:5: warning: rule BROKEN-NULL can never apply: parameter ex.unknown_share has no confirmed value']),
    ('tests/broken/rules/not_a_rulebook.yaml', ['rules', 'check'], 2, ["tests/broken/rules/not_a_rulebook.yaml:1:1: error: expected a rule file (top-level 'rules:'), a parameter file ('parameters:') or a regimes file ('regimes:', 'theories:')"]),
    ('tests/broken/rules/or_across_facts.yaml', ['rules', 'check'], 2, ["tests/broken/rules/or_across_facts.yaml:7:11: error: rule BROKEN-OR: an 'or' may not mix kinds of fact (deal, stake); split it into separate rules"]),
    ('tests/broken/rules/presumption_unknown_field.yaml', ['rules', 'check'], 2, ["tests/broken/rules/presumption_unknown_field.yaml:4:5: error: presumption BROKEN-PRESUMPTION: unknown field 'target_activ' of us; did you mean 'target_active'?"]),
    ('tests/broken/rules/presumption_unknown_rule.yaml', ['rules', 'check'], 2, ["tests/broken/rules/presumption_unknown_rule.yaml:3:5: error: presumption BROKEN-PRESUMPTION: serves unknown rule 'BROKEN-PRESUMD'; did you mean 'BROKEN-PRESUMED'?"]),
    ('tests/broken/rules/presumption_wrong_type.yaml', ['rules', 'check'], 2, ['tests/broken/rules/presumption_wrong_type.yaml:4:5: error: presumption BROKEN-PRESUMPTION: us.target_active is yes/no; presume true or false, not 0.5']),
    ('tests/broken/rules/redundant.yaml', ['rules', 'check'], 0, ['tests/broken/rules/redundant.yaml:15:5: warning: rule BROKEN-SECOND repeats rule BROKEN-FIRST: whenever either condition holds so does the other, and they conclude the same']),
    ('tests/broken/rules/reserved_name.yaml', ['rules', 'check'], 2, ["tests/broken/rules/reserved_name.yaml:3:5: error: rule BROKEN-RESERVED: derived fact name 'stake' is reserved (a base fact type or keyword); choose another name"]),
    ('tests/broken/rules/shadowed.yaml', ['rules', 'check'], 0, ["tests/broken/rules/shadowed.yaml:16:5: warning: rule BROKEN-NOT-REQUIRED: its verdict (not required) can never decide the US filing: whenever its condition holds, so does BROKEN-MANDATORY's, whose verdict (mandatory) takes precedence"]),
    ('tests/broken/rules/template_parameter', ['rules', 'check'], 2, ["tests/broken/rules/template_parameter/rules.yaml:8:5: error: rule BROKEN-REASON-PARAM: reason: {param.ex.share_treshold} names no parameter; did you mean 'ex.share_threshold'?"]),
    ('tests/broken/rules/type_mismatch.yaml', ['rules', 'check'], 2, ['tests/broken/rules/type_mismatch.yaml:7:11: error: rule BROKEN-TYPE: stake.solely_for_investment is a yes/no field; use ==, != or in, not >']),
    ('tests/broken/rules/unit_mismatch', ['rules', 'check'], 2, ['tests/broken/rules/unit_mismatch/rules.yaml:7:33: error: rule BROKEN-UNIT: stake.equity_after is in percent but parameter ex.value_threshold is in EUR; compare like with like']),
    ('tests/broken/rules/unknown_key.yaml', ['rules', 'check'], 2, ["tests/broken/rules/unknown_key.yaml:6:5: error: unknown field 'rules.0.jurisdication'; did you mean 'jurisdiction'?"]),
    ('tests/broken/rules/unknown_name.yaml', ['rules', 'check'], 2, ["tests/broken/rules/unknown_name.yaml:7:11: error: rule BROKEN-UNDERIVED: unknown name 'us_voting_security': no rule derives it and it is not a derived fact or kind of fact"]),
    ('tests/broken/rules/unknown_parameter', ['rules', 'check'], 2, ["tests/broken/rules/unknown_parameter/rules.yaml:7:33: error: rule BROKEN-PARAM: unknown parameter 'ex.share_threshhold'; did you mean 'ex.share_threshold'?"]),
    ('tests/broken/rules/untested.yaml', ['rules', 'check', '--verbose'], 0, ['tests/broken/rules/untested.yaml:3:5: info: rule BROKEN-UNTESTED has no test where it does not fire']),
    ('tests/broken/rules/unused_derived.yaml', ['rules', 'check'], 0, ["tests/broken/rules/unused_derived.yaml:8:14: warning: rule BROKEN-UNUSED: derived fact 'licence_deal' is not used by any rule's condition; use it, or drop the derive"]),
    ('tests/broken/rules/window_unit', ['rules', 'check'], 2, ["tests/broken/rules/window_unit/rules.yaml:3:5: error: rule BROKEN-WINDOW: reach.window parameter 'ex.callin_size' has unit EUR; a period needs months, days or working_days"]),
    ('tests/broken/rules/wrong_type.yaml', ['rules', 'check'], 2, ["tests/broken/rules/wrong_type.yaml:3:5: error: rule BROKEN-JURISDICTION: jurisdiction 'XX' is not declared in a regimes file; declared: US"]),
    ('tests/broken/params/bad_name.yaml', ['rules', 'check'], 2, ["tests/broken/params/bad_name.yaml:3:5: error: parameters.0.name: String should match pattern '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+$' (got 'threshold')"]),
    ('tests/broken/params/bad_url.yaml', ['rules', 'check'], 2, ["tests/broken/params/bad_url.yaml:10:7: error: parameters.0.values.0.url: String should match pattern '^https?://' (got 'example.org/act')"]),
    ('tests/broken/params/duplicate_name.yaml', ['rules', 'check'], 2, ["tests/broken/params/duplicate_name.yaml:12:5: error: parameter 'ex.twice' is defined twice (first at tests/broken/params/duplicate_name.yaml:3:5)"]),
    ('tests/broken/params/ends_before_start.yaml', ['rules', 'check'], 2, ['tests/broken/params/ends_before_start.yaml:8:7: error: parameter ex.backwards: value from 2024-01-01 ends on 2023-12-31, before it starts']),
    ('tests/broken/params/fx_unit.yaml', ['rules', 'check'], 2, ["tests/broken/params/fx_unit.yaml:5:5: error: parameter fx.dkk_per_eur: an exchange rate has unit 'rate', not 'DKK'"]),
    ('tests/broken/params/gap.yaml', ['rules', 'check'], 0, ['tests/broken/params/gap.yaml:8:7: warning: parameter ex.gap: no value is in force from 2024-07-01 to 2024-12-31; rules that use it do not apply then (if the law had no such threshold then, say so in a note)']),
    ('tests/broken/params/missing_citation.yaml', ['rules', 'check'], 2, ["tests/broken/params/missing_citation.yaml:7:7: error: missing required field 'parameters.0.values.0.citation'"]),
    ('tests/broken/params/missing_date.yaml', ['rules', 'check'], 2, ["tests/broken/params/missing_date.yaml:7:7: error: missing required field 'parameters.0.values.0.from'"]),
    ('tests/broken/params/null_verified.yaml', ['rules', 'check'], 0, ["tests/broken/params/null_verified.yaml:8:7: warning: parameter ex.null: value from 2024-01-01 is null but marked verified; an unknown figure is 'unverified'"]),
    ('tests/broken/params/out_of_range.yaml', ['rules', 'check'], 2, ['tests/broken/params/out_of_range.yaml:8:7: error: parameter ex.range: 150 is not a percentage (0 to 100)']),
    ('tests/broken/params/overlap.yaml', ['rules', 'check'], 2, ['tests/broken/params/overlap.yaml:8:7: error: parameter ex.overlap: value from 2024-01-01 runs until 2025-06-30, past the start of the next value (2025-01-01); which one applies in between is ambiguous']),
    ('tests/broken/params/placeholder_citation.yaml', ['rules', 'check'], 2, ["tests/broken/params/placeholder_citation.yaml:9:7: error: parameter ex.todo_citation: value from 2024-01-01 has no real citation ('TODO'); name the provision or notice it comes from"]),
    ('tests/broken/params/placeholder_url.yaml', ['rules', 'check'], 2, ['tests/broken/params/placeholder_url.yaml:10:7: error: parameter ex.placeholder_url: value from 2024-01-01 has a placeholder url (https://example.com/act)']),
    ('tests/broken/params/stale.yaml', ['rules', 'check'], 0, ['tests/broken/params/stale.yaml:6:5: warning: parameter ex.stale was due for review by 2020-02-28; check the value is still current and move review_by on']),
    ('tests/broken/params/unknown_unit.yaml', ['rules', 'check'], 2, ["tests/broken/params/unknown_unit.yaml:3:5: error: parameters.0: unit 'percentage' is not one of EUR, USD, GBP, DKK, SEK, JPY, KRW, CHF, percent, count, days, working_days, months, hhi, rate"]),
    ('tests/broken/params/unsorted_dates.yaml', ['rules', 'check'], 2, ["tests/broken/params/unsorted_dates.yaml:3:5: error: parameters.0: values must be in increasing order of 'from', each date once"]),
    ('tests/broken/params/unused.yaml', ['rules', 'check', '--verbose'], 0, ['tests/broken/params/unused.yaml:3:5: info: parameter ex.unused is not used by any rule']),
    ('tests/broken/scenarios/unknown_expectation', ['rules', 'test'], 2, ["tests/broken/scenarios/unknown_expectation/licence.tests.yaml:6:7: unknown field 'tests.0.expect.fire'; did you mean 'fires'?"]),
    ('tests/broken/scenarios/unknown_rule', ['rules', 'test'], 2, ["tests/broken/scenarios/unknown_rule/licence.tests.yaml:6:15: scenario 'a licence': no rule 'BROKEN-SCENARO' in the rulebook; did you mean 'BROKEN-SCENARIO'?"]),
]


def _problem_lines(stderr: str) -> list[str]:
    """stderr without the summary line of ``rules check`` ('1 error, 0 warnings ...')."""
    return [line.replace(f"{ROOT}/", "") for line in stderr.splitlines()
            if not (line[:1].isdigit() and " error" in line)]


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.mark.parametrize(("path", "command", "code", "expected"), CASES, ids=[c[0].removeprefix("tests/broken/")
                                                                           for c in CASES])
def test_broken_file_is_reported_at_its_line(in_root: Path, path: str, command: list[str], code: int,
                                             expected: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, path])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.stderr
    assert _problem_lines(result.stderr) == expected
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def test_every_corpus_file_is_pinned() -> None:
    pinned = {c[0] for c in CASES}
    entries = set()
    for group in ("deals", "rules", "params", "scenarios"):
        for p in sorted((BROKEN / group).iterdir()):
            if p.name != "regimes.yaml":  # declares the regimes the broken rule files may name
                entries.add(p.relative_to(ROOT).as_posix())
    assert entries == pinned


def test_summary_line_counts_what_was_found(in_root: Path) -> None:
    result = CliRunner().invoke(app, ["rules", "check", "tests/broken/params/gap.yaml"])
    assert result.stderr.splitlines()[-1] == "0 errors, 1 warning, 1 note (shown with --verbose) in 0 rules and 1 parameter"


@pytest.mark.parametrize("args", [
    ["rules", "check", "tests/broken/rules/condition_typo.yaml"],
    ["check", "tests/broken/deals/malformed_yaml.yaml"],
])
def test_installed_command_exits_2_without_traceback(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "antitrust", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("tests/broken/")
