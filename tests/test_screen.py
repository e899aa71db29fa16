"""`antitrust screen`: inputs (JSONL, CSV, folders), error records, the summary, --resume,
the same results with one and several workers, and exit codes."""

from __future__ import annotations

import copy
import csv
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from antitrust.cli import app
from antitrust.csvdeals import check_columns, nest_row
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.yamlio import load

from .conftest import ROOT, TODAY

RULES = str(ROOT / "rules")
runner = CliRunner()

BASE: dict[str, Any] = {
    "schema_version": 1,
    "id": "base",
    "title": "Acquirer / Target",
    "parties": [
        {"id": "acq", "name": "Acquirer AG", "role": "acquirer",
         "turnover": [{"jurisdiction": "WORLD", "amount": "12bn EUR"}, {"jurisdiction": "DE", "amount": "900m EUR"},
                      {"jurisdiction": "EU", "amount": "3bn EUR"}, {"jurisdiction": "US", "amount": "2bn USD"}]},
        {"id": "tgt", "name": "Target GmbH", "role": "target",
         "turnover": [{"jurisdiction": "WORLD", "amount": "300m EUR"}, {"jurisdiction": "DE", "amount": "60m EUR"},
                      {"jurisdiction": "EU", "amount": "280m EUR"}, {"jurisdiction": "US", "amount": "20m USD"}]},
    ],
    "transaction": {"types": ["share_acquisition"], "closing": "2025-06-13", "consideration": "1.2bn EUR"},
    "stakes": [{"holder": "acq", "issuer": "tgt", "equity_after": 60, "voting_after": 60, "share_class": "voting"}],
}


def variant(i: int) -> dict[str, Any]:
    """Deals that differ in stake, size and date, so verdicts differ from one to the next."""
    d = copy.deepcopy(BASE)
    d["id"] = f"deal-{i:03d}"
    stake = (5, 20, 30, 49, 60, 100)[i % 6]
    d["stakes"][0].update(equity_after=stake, voting_after=0 if i % 4 == 3 else stake,
                          share_class="non_voting" if i % 4 == 3 else "voting")
    d["parties"][1]["turnover"][1]["amount"] = ("2m EUR", "20m EUR", "60m EUR", "unknown")[i % 4]
    d["transaction"]["closing"] = f"{2021 + i % 5}-0{1 + i % 9}-15"
    if i % 5 == 2:
        d["people"] = [{"person": "Founder", "from_party": "tgt", "to_party": "acq", "seniority": "founder"}]
    return d


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["screen", *args, "--rules", RULES, "--today", TODAY.isoformat()])
    return result.exit_code, result.stdout, result.stderr


def write_jsonl(path: Path, deals: list[Any]) -> Path:
    path.write_text("".join((d if isinstance(d, str) else json.dumps(d)) + "\n" for d in deals), encoding="utf-8")
    return path


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- JSONL ------------------------------------------------------------------------------------------

def test_jsonl_gives_one_record_per_deal_that_agrees_with_the_report(tmp_path: Path, rulebook: Rulebook) -> None:
    deals = [variant(i) for i in range(8)]
    out = tmp_path / "out.jsonl"
    code, _, err = run(str(write_jsonl(tmp_path / "in.jsonl", deals)), "-o", str(out), "-j", "1")
    assert code == 0, err
    recs = records(out)
    assert [r["id"] for r in recs] == [d["id"] for d in deals]
    assert [r["row"] for r in recs] == list(range(1, 9))
    for rec, data in zip(recs, deals, strict=True):
        assert rec["status"] == "ok"
        report = build_report(evaluate(Deal.model_validate(data), rulebook, today=TODAY), today=TODAY,
                              near_miss_band=None)
        assert rec["as_of"] == report.meta.as_of.isoformat()
        assert {c: j["filing"] for c, j in rec["jurisdictions"].items()} == {j.code: j.filing for j in report.jurisdictions}
        assert {c: j["suspensory"] for c, j in rec["jurisdictions"].items()} == {
            j.code: j.suspensory for j in report.jurisdictions}
        assert {t: (v["band"], v["undetermined"]) for t, v in rec["theories"].items()} == {
            t.theory: (t.band, t.undetermined) for t in report.theories}
        held = {f.rule_id for f in report.findings if f.status == "holds"}
        assert set(rec["findings"]) == held
        assert set(rec["undetermined"]) == {f.rule_id for f in report.findings} - held
    # The verdicts are not all alike: the variants reach different branches.
    assert len({json.dumps(r["jurisdictions"], sort_keys=True) for r in recs}) > 1


def test_the_seed_case_screens_like_it_evaluates(tmp_path: Path, rulebook: Rulebook) -> None:
    data = load(ROOT / "cases" / "meta-scale-ai.yaml").data
    out = tmp_path / "out.jsonl"
    code, _, err = run(str(write_jsonl(tmp_path / "seed.jsonl", [data])), "-o", str(out), "-j", "1")
    assert code == 0, err
    (rec,) = records(out)
    report = build_report(evaluate(Deal.model_validate(data), rulebook, today=TODAY), today=TODAY)
    assert {c: j["filing"] for c, j in rec["jurisdictions"].items()} == {j.code: j.filing for j in report.jurisdictions}
    assert rec["jurisdictions"]["US"]["decided_by"] == sorted(
        {d.split("#")[0] for j in report.jurisdictions if j.code == "US" for d in j.decided_by})


def test_a_settled_verdict_resting_on_a_default_says_so_as_the_report_does(tmp_path: Path,
                                                                           rulebook: Rulebook) -> None:
    """Meta/Kustomer leaves the stake held before the deal out: the German verdict rests on the
    default 'no capital held before', which the record lists; --strict applies none."""
    data = load(ROOT / "cases" / "meta-kustomer.yaml").data
    src = write_jsonl(tmp_path / "mk.jsonl", [data])
    out = tmp_path / "out.jsonl"
    code, _, err = run(str(src), "-o", str(out), "-j", "1")
    assert code == 0, err
    (rec,) = records(out)
    report = build_report(evaluate(Deal.model_validate(data), rulebook, today=TODAY), today=TODAY)
    settled = {j.code: sorted({p.id for p in j.presumptions}) for j in report.jurisdictions
               if j.filing in {"mandatory", "voluntary", "not_required"} and j.presumptions}
    assert settled.get("DE") == ["default:stake.equity_before", "default:stake.voting_before"]
    assert {c: j["assumed"] for c, j in rec["jurisdictions"].items() if "assumed" in j} == settled
    strict = tmp_path / "strict.jsonl"
    code, _, err = run(str(src), "-o", str(strict), "-j", "1", "--strict")
    assert code == 0, err
    (rec,) = records(strict)
    assert not any("assumed" in j for j in rec["jurisdictions"].values())


def test_bad_rows_become_error_records_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad_model = dict(variant(1), parties=[])            # row 2: fails validation
    bad_ref = copy.deepcopy(variant(2))
    bad_ref["stakes"][0]["holder"] = "nobody"            # row 4: names an unknown party
    lines = [variant(0), bad_model, "{not json", bad_ref, "", variant(5)]
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    code, _, err = run(str(write_jsonl(tmp_path / "in.jsonl", lines)), "-o", str(out), "--summary", str(summary),
                       "-j", "1")
    assert code == 2
    recs = records(out)
    assert [(r["row"], r["status"]) for r in recs] == [(1, "ok"), (2, "error"), (3, "error"), (4, "error"), (6, "ok")]
    src = str(tmp_path / "in.jsonl")
    assert recs[1]["id"] == "deal-001" and recs[1]["error_kind"] == "input"
    assert any(e.startswith(f"{src}:2:1: ") and "parties" in e for e in recs[1]["errors"])
    assert recs[2]["id"] is None and recs[2]["errors"][0].startswith(f"{src}:3:2: invalid JSON")
    assert "nobody" in recs[3]["errors"][0]
    s = json.loads(summary.read_text())
    assert (s["deals"], s["ok"], s["failed"], s["input_errors"]) == (5, 2, 3, 3)
    assert f"{src}:2:1:" in err and "3 failed" in err


def test_an_unexpected_failure_on_one_deal_is_an_engine_error_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import antitrust.evaluate

    real = antitrust.evaluate.evaluate

    def flaky(deal: Deal, *args: Any, **kwargs: Any) -> Any:
        if deal.id == "deal-001":
            raise KeyError("a bug")
        return real(deal, *args, **kwargs)

    monkeypatch.setattr(antitrust.evaluate, "evaluate", flaky)
    out = tmp_path / "out.jsonl"
    code, _, _ = run(str(write_jsonl(tmp_path / "in.jsonl", [variant(0), variant(1), variant(2)])), "-o", str(out),
                     "-j", "1")
    assert code == 3
    recs = records(out)
    assert [r["status"] for r in recs] == ["ok", "error", "ok"]
    assert recs[1]["error_kind"] == "engine" and "internal error: KeyError('a bug')" in recs[1]["errors"][0]


# -- CSV --------------------------------------------------------------------------------------------

def flatten_for_csv(data: Any, prefix: str = "") -> dict[str, str]:
    """A deal dict as dotted CSV columns (the layout docs/screening.md describes)."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten_for_csv(v, f"{prefix}{k}."))
    elif isinstance(data, list) and data and all(isinstance(x, str) for x in data):
        out[prefix[:-1]] = json.dumps(data)  # a list of words goes in one cell, as JSON
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.update(flatten_for_csv(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = str(data).lower() if isinstance(data, bool) else str(data)
    return out


def test_csv_with_dotted_columns_gives_the_same_results_as_jsonl(tmp_path: Path) -> None:
    deals = [variant(i) for i in range(6)]
    rows = [flatten_for_csv({k: v for k, v in d.items() if k != "schema_version"}) for d in deals]
    header = sorted({c for r in rows for c in r}, reverse=True)  # column order does not matter
    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, header)
        w.writeheader()
        w.writerows(rows)
    code, _, err = run(str(tmp_path / "in.csv"), "-o", str(tmp_path / "csv.jsonl"), "-j", "1")
    assert code == 0, err
    code, _, err = run(str(write_jsonl(tmp_path / "in.jsonl", deals)), "-o", str(tmp_path / "json.jsonl"), "-j", "1")
    assert code == 0, err

    def strip(rs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "source"} for r in rs]

    assert strip(records(tmp_path / "csv.jsonl")) == strip(records(tmp_path / "json.jsonl"))


def test_nest_row_builds_lists_and_dicts_from_dotted_names() -> None:
    header = ["id", "parties.1.id", "parties.0.id", "parties.0.turnover.0.amount", "transaction.types", "title"]
    row = ["x", "t", "a", "EUR 5m", '["hiring"]', ""]
    assert nest_row(header, row) == {
        "id": "x", "parties": [{"id": "a", "turnover": [{"amount": "EUR 5m"}]}, {"id": "t"}],
        "transaction": {"types": ["hiring"]}, "schema_version": 1,
    }
    with pytest.raises(ValueError, match="position 0 is missing"):
        nest_row(["parties.1.id"], ["t"])
    with pytest.raises(ValueError, match="both as a list and as a group of fields"):
        nest_row(["parties.0.id", "parties.name"], ["a", "b"])
    with pytest.raises(ValueError, match="0 is a list position where a field name is expected"):
        nest_row(["0"], ["a"])
    with pytest.raises(ValueError, match="invalid JSON"):
        nest_row(["transaction.types"], ["[oops"])
    assert check_columns(["id", "id", "parties.0", "parties.0.id", ""]) == [
        "column 'id' appears twice", "column 'parties.0' is also the prefix of nested columns (parties.0.…)",
        "column 5 has no name"]


def test_a_bad_csv_row_is_an_error_record_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,title,parties.0.id,parties.2.id\nx,T,a,c\n", encoding="utf-8")
    code, _, _ = run(str(path), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert code == 2
    (rec,) = records(tmp_path / "out.jsonl")
    assert rec["status"] == "error" and rec["row"] == 1
    assert rec["errors"] == [f"{path}:2:1: row 1: parties: list positions must run 0, 1, 2, ...; position 1 is missing"]


def test_the_csv_example_in_the_docs_screens(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.csv").write_text(example, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run(str(tmp_path / "example.csv"), "-o", str(out), "-j", "1")
    assert code == 0, err
    recs = records(out)
    assert [(r["id"], r["row"], r["status"]) for r in recs] == [("d1", 1, "ok"), ("d2", 2, "ok")]
    assert "DE-GWB37-CONTROL" in recs[0]["findings"]


def test_a_csv_saved_with_a_byte_order_mark(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "screening.md").read_text(encoding="utf-8")
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    (tmp_path / "bom.csv").write_text(example, encoding="utf-8-sig")
    code, _, err = run(str(tmp_path / "bom.csv"), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert code == 0, err
    assert [r["id"] for r in records(tmp_path / "out.jsonl")] == ["d1", "d2"]


def test_a_malformed_csv_header_stops_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,id\nx,y\n", encoding="utf-8")
    code, _, err = run(str(path), "-o", str(tmp_path / "out.jsonl"), "-j", "1")
    assert code == 2 and f"{path}:1: column 'id' appears twice" in err


# -- folders --------------------------------------------------------------------------------------

def test_a_folder_of_deal_files(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(variant(0)), encoding="utf-8")
    (folder / "sub" / "b.yaml").write_text(
        "schema_version: 1\nid: b\ntitle: B\nparties:\n  - {id: a, name: A, role: acquirer}\n"
        "  - {id: t, name: T, role: target}\ntransaction: {types: [hiring]}\n", encoding="utf-8")
    (folder / "c.yaml").write_text("schema_version: 1\nid: c\ntitle: C\nparties: []\ntransaction: {types: [hiring]}\n",
                                   encoding="utf-8")
    (folder / "notes.txt").write_text("not a deal", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, _ = run(str(folder), "-o", str(out), "-j", "1")
    assert code == 2
    recs = records(out)
    assert [(Path(r["source"]).name, r["status"]) for r in recs] == [("a.json", "ok"), ("c.yaml", "error"), ("b.yaml", "ok")]
    assert recs[1]["errors"][0].startswith(f"{folder / 'c.yaml'}:4:1: parties")  # the line in the YAML file
    assert all(r["row"] == 0 for r in recs)


# -- summary, workers, resume -----------------------------------------------------------------------

def test_summary_counts_verdicts_bands_and_top_findings(tmp_path: Path) -> None:
    deals = [variant(i) for i in range(12)]
    out, summary = tmp_path / "out.jsonl", tmp_path / "s.json"
    code, _, err = run(str(write_jsonl(tmp_path / "in.jsonl", deals)), "-o", str(out), "--summary", str(summary),
                       "-j", "1")
    assert code == 0, err
    s, recs = json.loads(summary.read_text()), records(out)
    assert (s["deals"], s["ok"], s["failed"]) == (12, 12, 0)
    for code_, counts in s["jurisdictions"].items():
        assert sum(counts.values()) == 12
        for verdict, n in counts.items():
            assert n == sum(r["jurisdictions"][code_]["filing"] == verdict for r in recs)
    top = s["top_findings"][0]
    assert top["deals"] == max(sum(rule in r["findings"] for r in recs) for rule in {f for r in recs for f in r["findings"]})
    assert "filing verdicts (deals):" in err and "top findings" in err


def test_one_and_several_workers_give_identical_output(tmp_path: Path) -> None:
    deals = [variant(i) for i in range(70)] + ["{broken"]
    src = write_jsonl(tmp_path / "in.jsonl", deals)
    code1, _, _ = run(str(src), "-o", str(tmp_path / "one.jsonl"), "-j", "1")
    code2, _, _ = run(str(src), "-o", str(tmp_path / "two.jsonl"), "-j", "2")
    code3, _, _ = run(str(src), "-o", str(tmp_path / "three.jsonl"), "-j", "3")
    assert code1 == code2 == code3 == 2
    one = (tmp_path / "one.jsonl").read_bytes()
    assert one == (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "three.jsonl").read_bytes()
    assert one.count(b"\n") == 71


def test_resume_skips_what_is_in_the_output_and_mends_a_cut_line(tmp_path: Path) -> None:
    deals = [variant(i) for i in range(10)]
    src = write_jsonl(tmp_path / "in.jsonl", deals)
    full = tmp_path / "full.jsonl"
    assert run(str(src), "-o", str(full), "-j", "1")[0] == 0
    lines = full.read_text().splitlines(keepends=True)
    part = tmp_path / "part.jsonl"
    # As if interrupted: four whole records, then half of the fifth.
    part.write_text("".join(lines[:4]) + lines[4][: len(lines[4]) // 2])
    summary = tmp_path / "s.json"
    code, _, err = run(str(src), "-o", str(part), "--resume", "--summary", str(summary), "-j", "2")
    assert code == 0, err
    assert part.read_text() == full.read_text()
    s = json.loads(summary.read_text())
    assert (s["deals"], s["skipped_already_in_output"], s["from_previous_runs"]) == (10, 4, 4)
    # A second resume has nothing left to do.
    code, _, err = run(str(src), "-o", str(part), "--resume", "-j", "1")
    assert code == 0 and part.read_text() == full.read_text()
    assert "screened 0 deals" in err


def test_interrupting_leaves_whole_records_and_resume_completes(tmp_path: Path) -> None:
    deals = [variant(i) for i in range(600)]
    src = write_jsonl(tmp_path / "in.jsonl", deals)
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "antitrust", "screen", str(src), "-o", str(out), "--rules", RULES,
           "--today", TODAY.isoformat(), "-j", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > 0:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in {130, 0}, err.decode()
    if proc.returncode == 130:
        assert b"--resume" in err
    done = records(out)  # every line is a whole record
    assert [r["row"] for r in done] == list(range(1, len(done) + 1))
    code, _, _ = run(str(src), "-o", str(out), "--resume", "-j", "2")
    assert code == 0
    assert [r["row"] for r in records(out)] == list(range(1, 601))


# -- exit codes -------------------------------------------------------------------------------------

def test_exit_codes_for_unusable_inputs(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "missing.jsonl"))
    assert code == 2 and "file not found" in err
    (tmp_path / "deals.txt").write_text("x")
    code, _, err = run(str(tmp_path / "deals.txt"))
    assert code == 2 and "unknown kind of input" in err
    src = write_jsonl(tmp_path / "in.jsonl", [variant(0)])
    code, _, err = run(str(src), "--resume")
    assert code == 2 and "--resume needs --output" in err
    code, _, err = run(str(src), "-o", str(src))
    assert code == 2 and "refusing to overwrite an input" in err
    assert src.read_text().count("\n") == 1  # untouched
    bad_rules = tmp_path / "rules"
    bad_rules.mkdir()
    (bad_rules / "r.yaml").write_text("rules:\n  - id: X\n    when: stake.nope > 1\n")
    result = runner.invoke(app, ["screen", str(src), "--rules", str(bad_rules)])
    assert result.exit_code == 2 and str(bad_rules / "r.yaml") in result.stderr


def test_records_go_to_stdout_without_output(tmp_path: Path) -> None:
    code, out, err = run(str(write_jsonl(tmp_path / "in.jsonl", [variant(0), variant(1)])), "-j", "1")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["deal-000", "deal-001"]
    assert "screened 2 deals" in err


def test_as_of_applies_one_date_to_every_deal(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, _, _ = run(str(write_jsonl(tmp_path / "in.jsonl", [variant(0), variant(1)])), "-o", str(out),
                     "--as-of", "2024-01-01", "-j", "1")
    assert code == 0
    assert {r["as_of"] for r in records(out)} == {date(2024, 1, 1).isoformat()}


def test_workers_started_without_fork_load_the_rulebook_themselves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from antitrust import screening

    src = write_jsonl(tmp_path / "in.jsonl", [variant(i) for i in range(4)])
    code, _, _ = run(str(src), "-o", str(tmp_path / "fork.jsonl"), "-j", "2")
    assert code == 0
    monkeypatch.setattr(screening, "start_method", lambda: "spawn")
    code, _, err = run(str(src), "-o", str(tmp_path / "spawn.jsonl"), "-j", "2")
    assert code == 0, err
    assert (tmp_path / "spawn.jsonl").read_bytes() == (tmp_path / "fork.jsonl").read_bytes()


def test_a_separate_process_with_the_parse_cache_off(tmp_path: Path) -> None:
    env = dict(os.environ, ANTITRUST_CACHE_DIR="off")
    src = write_jsonl(tmp_path / "in.jsonl", [variant(i) for i in range(3)])
    proc = subprocess.run([sys.executable, "-m", "antitrust", "screen", str(src), "--rules", RULES,
                           "--today", TODAY.isoformat(), "-j", "2"], capture_output=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(proc.stdout.decode().splitlines()) == 3


def test_a_chunk_gives_each_deal_its_own_result_in_input_order() -> None:
    """Each record of a chunk is what the item alone gives, in input order, errors included."""
    from antitrust import screening
    from antitrust.screen_inputs import Item
    from antitrust.screening import init_worker, screen_item, screen_items
    from antitrust.yamlio import load

    root = Path(__file__).resolve().parent.parent
    init_worker(str(root / "rules"), None, date(2026, 11, 23), quiet_interrupts=False)
    worker = screening._worker
    assert worker is not None
    lines = [json.dumps(load(path, cache=False).data) for path in sorted((root / "cases").glob("*.yaml"))]
    items = [Item("chunk.jsonl", i + 1, "json", line) for i, line in enumerate(lines * 2)]
    items.insert(3, Item("chunk.jsonl", 90, "json", "{not json"))
    items.insert(7, Item("chunk.jsonl", 91, "json", json.dumps({"id": "x", "schema_version": 1})))
    items.insert(9, Item("chunk.jsonl", 92, "error", "unreadable row"))
    chunk = screen_items(items, worker)
    assert chunk == [screen_item(item, worker) for item in items]
    statuses = [json.loads(line)["status"] for line, _summary in chunk]
    assert statuses.count("error") == 3 and statuses.count("ok") == len(lines) * 2
    assert [json.loads(line)["row"] for line, _summary in chunk] == [item.row for item in items]


def test_chunks_grow_with_the_batch_and_still_share_it_out() -> None:
    from antitrust.screening import CHUNK, CHUNK_MAX, WINDOW_PER_WORKER, chunk_size_for

    assert chunk_size_for(None, 2) == CHUNK  # size not known: as before
    assert chunk_size_for(10, 1) == CHUNK_MAX  # one process: nothing to share out
    assert chunk_size_for(100, 2) == CHUNK  # small batch: every worker gets chunks
    assert chunk_size_for(100_000, 2) == CHUNK_MAX
    for total in (0, 1, 255, 256, 2_000, 10**6):
        for workers in (2, 3, 8):
            size = chunk_size_for(total, workers)
            assert CHUNK <= size <= CHUNK_MAX
            if size > CHUNK:  # every worker still has a full window of chunks
                assert total >= size * workers * WINDOW_PER_WORKER


def test_the_chunk_size_does_not_change_a_record(tmp_path: Path) -> None:
    from antitrust.screen_inputs import Item
    from antitrust.screening import Tally, run_batch

    root = Path(__file__).resolve().parent.parent
    deals = [variant(i) for i in range(40)] + ["{broken"]
    items = [Item("in.jsonl", i + 1, "json", json.dumps(d) if isinstance(d, dict) else d) for i, d in enumerate(deals)]
    outputs = []
    for size in (1, 7, 128):
        lines: list[str] = []
        run_batch(iter(items), str(root / "rules"), lines.append, workers=1, as_of=None, today=TODAY,
                  tally=Tally(), chunk_size=size)
        outputs.append(lines)
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 41


def test_settling_the_heap_collects_cycles_first_and_freezes_what_lives() -> None:
    import gc
    import weakref

    from antitrust.screening import settle_heap

    class Node:
        pass

    kept, lost = Node(), Node()
    lost.self = lost  # type: ignore[attr-defined]  # a reference cycle that only the collector frees
    gone = weakref.ref(lost)
    del lost
    before = gc.get_freeze_count()
    try:
        settle_heap()
        assert gone() is None  # collected before the freeze, so not kept for ever
        assert gc.get_freeze_count() > before
        assert not gc.is_finalized(kept)
    finally:
        gc.unfreeze()


def test_a_batch_process_collects_cycles_once_per_chunk_and_records_do_not_change(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from antitrust import screening
    from antitrust.evaluate import clear_cache
    from antitrust.screen_inputs import Item

    root = Path(__file__).resolve().parent.parent
    items = [Item("in.jsonl", i + 1, "json", json.dumps(variant(i))) for i in range(12)]
    real = screening.settle_heap
    settled: list[int] = []

    def settle() -> None:
        settled.append(1)
        real()

    records = {}
    try:
        for own in (False, True):
            clear_cache()
            gc.unfreeze()
            gc.enable()
            screening.init_worker(str(root / "rules"), None, TODAY, quiet_interrupts=False, own_process=own)
            w = screening._worker
            assert w is not None
            # A batch's own process: automatic collection off, the loaded rulebook settled.
            assert gc.isenabled() is not own
            assert (gc.get_freeze_count() > 0) is own
            settled.clear()
            monkeypatch.setattr(screening, "settle_heap", settle)
            records[own] = [line for line, _ in screening.screen_items(items[:5], w)]
            records[own] += [line for line, _ in screening.screen_items(items[5:], w)]
            monkeypatch.undo()
            assert len(settled) == (2 if own else 0)  # once at the end of each chunk
    finally:
        gc.enable()
        gc.unfreeze()
        screening._worker = None
    assert records[True] == records[False]
    assert len(records[True]) == 12


def test_a_screen_in_this_process_turns_the_automatic_collection_back_on() -> None:
    import gc

    from antitrust.screen_inputs import Item
    from antitrust.screening import Tally, run_batch

    root = Path(__file__).resolve().parent.parent
    items = [Item("in.jsonl", i + 1, "json", json.dumps(variant(i))) for i in range(3)]
    lines: list[str] = []
    try:
        run_batch(iter(items), str(root / "rules"), lines.append, workers=1, as_of=None, today=TODAY,
                  tally=Tally(), own_process=True)
        assert gc.isenabled()
        assert len(lines) == 3
    finally:
        gc.enable()
        gc.unfreeze()
