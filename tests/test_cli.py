"""The command line: exit codes, streams, output safety, and the README's examples."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust.cli import app

from .conftest import ROOT

CASE = str(ROOT / "cases" / "meta-scale-ai.yaml")
RULES = str(ROOT / "rules")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_evaluate_prints_the_report_and_exits_0() -> None:
    code, out, err = run("evaluate", CASE, "--rules", RULES, "--today", "2026-11-23")
    assert code == 0, err
    assert "US   no filing required" in out and err == ""
    assert len(out.splitlines()) <= 80, "the brief is the default"
    code, full, _ = run("evaluate", CASE, "--rules", RULES, "--today", "2026-11-23", "--detail", "full")
    assert code == 0 and "United States (US): not required" in full and "FINDINGS, PER RULE" in full
    code, html, _ = run("evaluate", CASE, "--rules", RULES, "--format", "html")
    assert code == 0 and html.startswith("<!DOCTYPE html>") and 'data-verdict="undetermined"' in html


def test_json_output_is_one_document() -> None:
    code, out, _ = run("evaluate", CASE, "--rules", RULES, "--format", "json")
    assert code == 0
    assert json.loads(out)["meta"]["deal_id"] == "meta-scale-ai"


def test_several_deals_in_json_make_an_array() -> None:
    code, out, _ = run("evaluate", CASE, CASE, "--rules", RULES, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2


@pytest.mark.parametrize(("level", "expected"), [("high", 1), ("medium", 1), ("low", 1)])
def test_fail_on(level: str, expected: int) -> None:
    code, _, _ = run("evaluate", CASE, "--rules", RULES, "--fail-on", level)
    assert code == expected


def test_fail_on_not_reached(tmp_path: Path) -> None:
    deal = tmp_path / "quiet.yaml"
    deal.write_text("""\
schema_version: 1
id: quiet
title: A small passive stake
parties:
  - {id: a, name: A, role: acquirer}
  - {id: t, name: T, role: target}
transaction: {types: [share_acquisition], closing: 2025-06-13}
stakes: [{holder: a, issuer: t, equity_after: 2, voting_after: 2, share_class: voting, solely_for_investment: true}]
governance: [{holder: a, issuer: t, board_seats: 0, information_rights: false, vetoes: []}]
""")
    code, out, err = run("evaluate", str(deal), "--rules", RULES, "--fail-on", "medium")
    assert code == 0, out + err


def test_output_file_is_written_and_inputs_are_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.md"
    code, out, _ = run("evaluate", CASE, "--rules", RULES, "--format", "markdown", "--output", str(target))
    assert code == 0 and out == "" and target.read_text().startswith("# Merger-control risk report")
    before = Path(CASE).read_bytes()
    code, _, err = run("evaluate", CASE, "--rules", RULES, "--output", CASE)
    assert code == 2 and "refusing to overwrite an input file" in err
    assert Path(CASE).read_bytes() == before


def test_bad_deal_file_is_one_line_exit_2_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(CASE).read_text().replace("equity_after: {value: 49", "equity_aftr: {value: 49"))
    code, out, err = run("evaluate", str(bad), "--rules", RULES)
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert re.search(r"bad\.yaml:\d+:\d+: unknown field 'stakes\.0\.equity_aftr'; did you mean 'equity_after'\?", err)


def test_bad_rule_file_exit_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "r.yaml").write_text("""\
rules:
  - id: X-1
    title: Typo
    jurisdiction: DE
    basis: {citation: cit, url: "https://x.org"}
    when: stake.equity_aftr >= 25
    reason: a reason
""")
    code, _, err = run("evaluate", CASE, "--rules", str(rules))
    assert code == 2
    assert "r.yaml:6:17: rule X-1: unknown field 'equity_aftr' of stake; did you mean 'equity_after'?" in err


def test_check_validates_deals_and_rules() -> None:
    code, _, err = run("check", CASE, RULES)
    assert code == 0, err
    assert "deal OK" in err and "rulebook OK" in err


def test_check_reports_an_unknown_source(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "doc.yaml").write_text("id: doc\nfacts: [{locator: p1, statement: x}]\n")
    deal = tmp_path / "d.yaml"
    deal.write_text("""\
schema_version: 1
id: d
title: d
parties:
  - {id: a, name: A, role: acquirer}
  - {id: t, name: T, role: target}
transaction: {types: [share_acquisition], closing: {value: 2025-01-01, source: "doc#p9"}}
""")
    code, _, err = run("check", str(deal), "--rules", RULES)
    assert code == 2 and "digest 'doc' has no locator 'p9'; it lists p1" in err


def test_rules_test_reports_coverage() -> None:
    code, out, _ = run("rules", "test", RULES, "--min-coverage", "95")
    assert code == 0
    assert "0 failed" in out and "rule coverage: 100.0%" in out


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = run("schema", "deal")
    assert code == 0 and json.loads(out)["title"] == "Deal"


def test_python_dash_m_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "antitrust", "evaluate", CASE, "--rules", RULES, "-f", "json"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["meta"]["deal_id"] == "meta-scale-ai"


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, re.DOTALL)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/antitrust evaluate cases/meta-scale-ai.yaml",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text()
    # CI runs the same command on each interpreter, in .venv for the first one.
    assert 'VENV=".venv"' in ci and "/bin/pip\" install --quiet -e '.[dev]'" in ci and '/bin/pytest"\n' in ci


def test_written_reports_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    target = tmp_path / "report.txt"
    code, _, _ = run("evaluate", CASE, "--rules", RULES, "--output", str(target))
    umask = os.umask(0)
    os.umask(umask)
    assert code == 0 and (target.stat().st_mode & 0o777) == (0o666 & ~umask)


def test_one_shot_commands_run_with_fewer_collections_and_long_running_ones_keep_the_defaults(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from antitrust import cli

    seen: list[tuple[int, ...]] = []
    monkeypatch.setattr(cli, "_app_for", lambda args: lambda **kw: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    frozen = []
    try:
        for command in ("evaluate", "check", "serve", "screen"):
            gc.unfreeze()
            cli.main([command])
            assert gc.get_threshold() == before  # restored afterwards
            frozen.append(gc.get_freeze_count() > 0)  # a one-shot command's heap is left to the exit
    finally:
        gc.unfreeze()
    assert [t[0] for t in seen] == [100_000, 100_000, before[0], before[0]]
    assert frozen == [True, True, False, False]
