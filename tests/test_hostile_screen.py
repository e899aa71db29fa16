"""Hostile inputs to ``antitrust screen``: every case once lost data silently (an emptied input,
records replaced or written twice, a batch aborted with the valid rows before it lost). Each is
refused with a one-line message or handled as an error record, and the batch goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from antitrust import screening
from antitrust.screening import screen_chunk as _screen_chunk
from antitrust.yamlio import load

from .conftest import run_main as run

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "hostile" / "deals" / "valid.yaml"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTITRUST_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache" / "antitrust"))


def deal_line(i: int, **changes: object) -> str:
    data = load(VALID).data
    data["id"] = f"deal-{i}"
    data.update(changes)
    return json.dumps(data)


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_output_hard_linked_to_the_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(deal_line(1) + "\n")
    link = tmp_path / "out.jsonl"
    os.link(src, link)
    code, _out, err = run(["screen", str(src), "-o", str(link), "--workers", "1"], capsys)
    assert (code, err) == (2, f"{link}: refusing to overwrite an input; choose another --output\n")
    assert src.read_text() == deal_line(1) + "\n"


def test_summary_equal_to_output_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(deal_line(1) + "\n")
    out = tmp_path / "out.jsonl"
    code, _out, err = run(["screen", str(src), "-o", str(out), "--summary", str(tmp_path / "." / "out.jsonl"),
                           "--workers", "1"], capsys)
    assert code == 2
    assert err == f"{tmp_path / '.' / 'out.jsonl'}: --summary and --output are the same file; choose another --summary\n"


def test_resume_with_another_spelling_of_the_input_writes_each_record_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text("".join(deal_line(i) + "\n" for i in range(3)))
    out = tmp_path / "out.jsonl"
    assert run(["screen", "in.jsonl", "-o", str(out), "--workers", "1"], capsys)[0] == 0
    code, _o, err = run(["screen", str(tmp_path / "in.jsonl"), "-o", str(out), "--resume", "--workers", "1"], capsys)
    assert code == 0, err
    assert [r["id"] for r in records(out)] == ["deal-0", "deal-1", "deal-2"]


def test_a_lone_surrogate_in_a_jsonl_line_is_an_error_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    bad = deal_line(1).replace('"deal-1"', '"deal-\\ud800"')
    src.write_text(deal_line(0) + "\n" + bad + "\n" + deal_line(2) + "\n")
    out = tmp_path / "out.jsonl"
    summary = tmp_path / "summary.json"
    code, _o, _err = run(["screen", str(src), "-o", str(out), "--summary", str(summary), "--workers", "1"], capsys)
    assert code == 2
    got = records(out)
    assert [r["status"] for r in got] == ["ok", "error", "ok"]
    assert got[1]["errors"] == [f"{src}:2:1: a lone surrogate U+D800 is not allowed in text, even as an escape"]
    assert json.loads(summary.read_text())["deals"] == 3


def test_a_huge_csv_cell_does_not_lose_the_rows_before_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.csv"
    rows = ["schema_version,id,title,parties,transaction"]
    parties = json.dumps(load(VALID).data["parties"]).replace('"', '""')
    for i in range(3):
        title = "x" * (200 * 1024) if i == 1 else f"Deal {i}"
        rows.append(f'1,deal-{i},{title},"{parties}","{{""types"": [""share_acquisition""]}}"')
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    code, _o, err = run(["screen", str(src), "-o", str(out), "--workers", "1"], capsys)
    assert code == 0, err
    assert [r["id"] for r in records(out)] == ["deal-0", "deal-1", "deal-2"]


def test_a_file_name_that_is_not_utf8_does_not_abort_the_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / "a.yaml").write_text(VALID.read_text())
    with open(os.path.join(os.fsencode(folder), b"caf\xe9.yaml"), "wb") as fh:
        fh.write(VALID.read_bytes())
    out = tmp_path / "out.jsonl"
    code, _o, err = run(["screen", str(folder), "-o", str(out), "--workers", "1"], capsys)
    assert code == 0, err
    got = records(out)
    assert [r["status"] for r in got] == ["ok", "ok"]
    assert got[1]["source"].endswith("caf\udce9.yaml")  # escaped in the JSON line, not lost


def _die_once(items: list[object]) -> object:
    """Stands in for a crash in the C engine: the first worker to get a chunk is killed."""
    marker = Path(os.environ["ANTITRUST_TEST_DIE_ONCE"])
    try:
        with marker.open("x"):
            pass
    except FileExistsError:
        return _screen_chunk(items)  # type: ignore[arg-type]
    os.kill(os.getpid(), 9)
    raise AssertionError("unreachable")


def test_a_dead_worker_neither_hangs_nor_loses_records(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if screening.start_method() != "fork":
        pytest.skip("the stand-in crash reaches workers through fork")
    monkeypatch.setenv("ANTITRUST_TEST_DIE_ONCE", str(tmp_path / "died"))
    monkeypatch.setattr(screening, "screen_chunk", _die_once)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(deal_line(i) + "\n" for i in range(6)))
    out = tmp_path / "out.jsonl"
    code, _o, err = run(["screen", str(src), "-o", str(out), "--workers", "2"], capsys)
    assert (tmp_path / "died").exists()
    assert code == 3
    assert [r["id"] for r in records(out)] == [f"deal-{i}" for i in range(6)]
    assert all(r["status"] == "ok" for r in records(out))
    assert "1 worker process(es) died during the batch" in err
