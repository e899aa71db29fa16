"""The audit trail and the bundled rulebook, through the command line."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from antitrust.audit import AuditLog
from antitrust.cli import app

from .conftest import ROOT

CASE = ROOT / "cases" / "meta-scale-ai.yaml"
runner = CliRunner()


def test_evaluate_appends_one_audit_record_per_decision(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    for _ in range(2):
        result = runner.invoke(app, ["evaluate", str(CASE), "--format", "json", "--today", "2026-11-23",
                                     "--audit-log", str(log)])
        assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2
    rec = records[-1]
    assert rec["input_sha256"] == hashlib.sha256(CASE.read_bytes()).hexdigest() == report["meta"]["input_sha256"]
    assert rec["rulebook_hash"] == report["meta"]["rulebook_hash"]
    assert rec["rulebook_source"] == report["meta"]["rulebook_source"] == "bundled"
    assert rec["versions"] == report["meta"]["versions"]
    assert set(rec["versions"]) == {"antitrust", "durable-rules", "python"}
    assert rec["as_of"] == report["meta"]["as_of"] and rec["today"] == "2026-11-23"
    assert rec["verdicts"] == {j["code"]: j["filing"] for j in report["jurisdictions"]}
    assert rec["bands"] == {t["theory"]: t["band"] for t in report["theories"]}
    assert rec["duration_ms"] > 0 and rec["time"].endswith("Z") and rec["via"] == "cli evaluate"


def test_rules_option_is_named_in_the_report(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CASE), "--format", "json", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["meta"]["rulebook_source"] == str(ROOT / "rules")


def test_an_unwritable_audit_log_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["evaluate", str(CASE), "--audit-log", str(tmp_path / "no" / "dir" / "a.jsonl")])
    assert result.exit_code == 2
    assert "cannot append to the audit log" in result.stderr and "Traceback" not in result.stderr


def test_the_audit_log_is_never_the_output(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["evaluate", str(CASE), "--audit-log", str(log), "--output", str(log)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr


def _append_many(path: str, tag: int, n: int) -> None:
    log = AuditLog(path)
    for i in range(n):
        log.append({"writer": tag, "i": i, "pad": "x" * (tag * 997 % 5000)})


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    path = str(tmp_path / "audit.jsonl")
    threads = [threading.Thread(target=_append_many, args=(path, t, 50)) for t in range(4)]
    script = ("import sys\nfrom antitrust.audit import AuditLog\nlog = AuditLog(sys.argv[1]); tag = int(sys.argv[2])\n"
              "for i in range(50): log.append({'writer': tag, 'i': i, 'pad': 'x' * (tag * 997 % 5000)})\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, path, str(10 + p)]) for p in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(p.wait(timeout=120) == 0 for p in procs)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 300
    for tag in [0, 1, 2, 3, 10, 11]:
        assert [r["i"] for r in records if r["writer"] == tag] == list(range(50))


def test_evaluate_works_from_any_folder_with_the_bundled_rulebook(tmp_path: Path) -> None:
    deal = tmp_path / "deal.yaml"
    deal.write_bytes(CASE.read_bytes())
    result = subprocess.run([sys.executable, "-m", "antitrust", "evaluate", "deal.yaml", "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    meta = json.loads(result.stdout)["meta"]
    assert meta["deal_id"] == "meta-scale-ai" and meta["rulebook_source"] == "bundled"


def test_the_engine_in_use_is_the_vendored_build() -> None:
    # setup.py builds durable-rules from vendor/ on every Python (optimised, with the changes
    # vendor/README.md lists); PyPI's copy, left over in an older environment, would shadow it.
    from antitrust.audit import VENDORED_DURABLE, engine_release

    assert engine_release() == VENDORED_DURABLE


def test_a_shadowing_copy_of_the_engine_is_reported_by_its_own_version(monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    from antitrust import audit, engine

    fake = tmp_path / "durable_rules_engine.so"
    fake.write_bytes(b"")

    class _Dist:
        version = "2.0.28"
        files = ("durable_rules_engine.so",)

        @staticmethod
        def locate_file(name: str) -> Path:
            return tmp_path / name

    monkeypatch.setattr(audit, "distribution", lambda name: _Dist())
    monkeypatch.setattr(engine, "engine_file", lambda: str(fake))
    assert audit.engine_release() == "2.0.28"
    monkeypatch.setattr(engine, "engine_file", lambda: str(tmp_path / "elsewhere.so"))
    assert audit.engine_release() == audit.VENDORED_DURABLE
