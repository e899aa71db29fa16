"""`antitrust rules test`: the summary table, failures with a diff of expected and actual,
scenario files, coverage with --min-coverage, --junit, and the exit codes (0 pass, 1 a failure
or coverage below the minimum, 2 invalid files)."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust.cli import app

ROOT = Path(__file__).resolve().parent.parent
TOOLING = ROOT / "tests" / "data" / "tooling"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the tooling rulebook that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(TOOLING, target)
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rules", "test", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_passing_rulebook(book: Path) -> None:
    code, out, err = run(str(book))
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Rule tests"
    assert any(line.startswith(f"│ {book}/rules.yaml") and "│     6 │      6 │      0 │" in line for line in lines)
    assert any(line.startswith(f"│ {book}/deals.tests.yaml") and "│     2 │      2 │      0 │" in line for line in lines)
    assert any(line.startswith("│ total") and "│     8 │      8 │      0 │" in line and "3/3" in line for line in lines)
    assert lines[-2:] == ["8 passed, 0 failed", "rule coverage: 100.0% (3 of 3 rules fire in a test)"]


def test_a_failing_rule_test_shows_expected_actual_and_why(book: Path) -> None:
    text = (book / "rules.yaml").read_text(encoding="utf-8")
    (book / "rules.yaml").write_text(text.replace("consideration: 200m EUR", "consideration: 90m EUR"), encoding="utf-8")
    code, out, err = run(str(book))
    assert code == 1
    lines = err.splitlines()
    test_line = next(i for i, line in enumerate(text.splitlines(), 1) if "name: EUR 200m for voting shares" in line)
    assert lines[0] == f"{book}/rules.yaml:{test_line}:9: FAIL T-BIG [EUR 200m for voting shares]"
    assert lines[1:4] == [
        "    - expected: fires",
        "    + actual:   does_not_fire",
        "      why: deal.consideration_eur > param.t.value is false (deal.consideration_eur = EUR 90m)",
    ]
    assert "7 passed, 1 failed" in out


def test_a_failing_scenario_shows_each_difference(book: Path) -> None:
    path = book / "deals.tests.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("verdicts: {US: mandatory}", "verdicts: {US: voluntary}")
                    .replace("does_not_fire: [T-NONVOTING]", "does_not_fire: [T-BIG]"), encoding="utf-8")
    code, _out, err = run(str(book))
    assert code == 1
    assert err.splitlines() == [
        f"{path}:3:5: FAIL scenario [EUR 200m for voting shares]",
        "    T-BIG:",
        "    - expected: does_not_fire",
        "    + actual:   fires",
        "    verdict US:",
        "    - expected: voluntary",
        "    + actual:   mandatory",
    ]


def test_a_whole_case_file_as_a_scenario(book: Path) -> None:
    (book / "case.tests.yaml").write_text(
        "tests:\n  - name: the seed case\n    case: " + str(ROOT / "cases" / "meta-scale-ai.yaml")
        + "\n    expect: {fires: [T-NONVOTING], verdicts: {US: not_required}}\n", encoding="utf-8")
    code, out, err = run(str(book))
    assert code == 0, err
    assert "9 passed, 0 failed" in out


def test_coverage_below_the_minimum_fails(book: Path) -> None:
    text = (book / "rules.yaml").read_text(encoding="utf-8")
    # Without its firing tests (its own and the scenario's), T-BIG never fires.
    text = text.replace("      - name: EUR 200m for voting shares\n", "      - name: EUR 200m\n").replace(
        "consideration: 200m EUR", "consideration: 20m EUR").replace("        expect: fires\n      - name: EUR 50m",
                                                                      "        expect: does_not_fire\n      - name: EUR 50m")
    (book / "rules.yaml").write_text(text, encoding="utf-8")
    (book / "deals.tests.yaml").unlink()
    code, out, err = run(str(book), "--min-coverage", "95")
    assert code == 1
    assert "rule coverage: 66.7% (2 of 3 rules fire in a test)" in out
    assert "  never fires: T-BIG" in out
    assert "rule coverage 66.7% is below the minimum of 95%" in err
    code, _out, _err = run(str(book), "--min-coverage", "60")
    assert code == 0


def test_junit_report(book: Path, tmp_path: Path) -> None:
    text = (book / "rules.yaml").read_text(encoding="utf-8")
    (book / "rules.yaml").write_text(text.replace("consideration: 200m EUR", "consideration: 90m EUR"), encoding="utf-8")
    junit = tmp_path / "out" / "junit.xml"
    code, _out, _err = run(str(book), "--junit", str(junit), "--min-coverage", "50")
    assert code == 1
    root = ET.parse(junit).getroot()
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "8", "1", "0")
    failures = root.findall(".//testcase/failure")
    assert len(failures) == 1
    assert failures[0].get("message") == "expected fires, got does_not_fire"
    assert "- expected: fires" in (failures[0].text or "")
    coverage = next(s for s in root.findall("testsuite") if s.get("name") == "rule coverage")
    props = {p.get("name"): p.get("value") for p in coverage.iter("property")}
    assert props["rule_coverage_percent"] == "100.0"


def test_junit_never_overwrites_a_rule_file(book: Path) -> None:
    before = (book / "rules.yaml").read_text(encoding="utf-8")
    code, _out, err = run(str(book), "--junit", str(book / "rules.yaml"))
    assert code == 2
    assert "refusing to overwrite an input file" in err
    assert (book / "rules.yaml").read_text(encoding="utf-8") == before


def test_only_some_rules(book: Path) -> None:
    code, out, _err = run(str(book), "--rule", "T-VOTING")
    assert code == 0
    assert "2 passed, 0 failed" in out
    assert "rule coverage: 100.0% (1 of 1 rules fire in a test)" in out
    code, _out, err = run(str(book), "--rule", "T-VOTNG")
    assert code == 2
    assert err.strip() == "--rule T-VOTNG: no such rule; did you mean 'T-VOTING'?"


def test_an_invalid_test_deal_is_an_error_not_a_crash(book: Path) -> None:
    text = (book / "rules.yaml").read_text(encoding="utf-8")
    (book / "rules.yaml").write_text(text.replace("equity_after: 49, voting_after: 0, share_class: non_voting}]}\n"
                                                  "        expect: fires",
                                                  "equity_after: lots, voting_after: 0, share_class: non_voting}]}\n"
                                                  "        expect: fires"), encoding="utf-8")
    code, _out, err = run(str(book))
    assert code == 1
    assert "FAIL T-NONVOTING [non-voting]: the test's deal is invalid:" in err


def test_invalid_rule_file_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run("tests/broken/rules/condition_typo.yaml")
    assert code == 2
    assert out == ""
    assert err.startswith("tests/broken/rules/condition_typo.yaml:9:17: rule BROKEN-TYPO: unknown field")
