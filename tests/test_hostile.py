"""The hostile-input corpus (tests/hostile/): inputs that once hung, crashed, leaked or lost data.

Each is run through the real entry point (:func:`antitrust.cli.main`, in-process) and pinned to
its exit code and its one-line message: 2 for bad input, never a traceback, never exit 1 (the
--fail-on code). An internal error exits 3 with a hint to report it, and ``--debug`` shows the
traceback. Times are measured by benchmarks/hostile.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from antitrust.cli import main

ROOT = Path(__file__).resolve().parent.parent
H = "tests/hostile"
D = f"{H}/deals"

# (path, command, exit code, the stderr lines expected)
CASES: list[tuple[str, list[str], int, list[str]]] = [
    (f"{D}/a_list.yaml", ["check"], 2, [f"{D}/a_list.yaml:1:1: a deal file must be a mapping (schema_version, id, title, parties, ...)"]),
    (f"{D}/alias_bomb.yaml", ["check"], 2, [f"{D}/alias_bomb.yaml:2:36: the document holds more than 200,000 values once its aliases are expanded; expand fewer aliases or split the file"]),
    (f"{D}/alternative_nan.yaml", ["evaluate"], 2, [f"{D}/alternative_nan.yaml:21:47: stakes.0.equity_after.alternatives.0.value: must be a finite number (got nan)"]),
    (f"{D}/bounds_crossed.yaml", ["evaluate"], 2, [f"{D}/bounds_crossed.yaml:21:5: stakes.0.equity_after: at_least (60.0) is above at_most (40.0)"]),
    (f"{D}/c1_control.yaml", ["check"], 2, [f"{D}/c1_control.yaml:3:16: control character U+009B is not allowed in input files; remove it"]),
    (f"{D}/deep.json", ["check"], 2, [f"{D}/deep.json:1:95: nested too deeply; at most 64 levels are allowed"]),
    (f"{D}/deep.yaml", ["check"], 2, [f"{D}/deep.yaml:2:71: nested too deeply; at most 64 levels are allowed"]),
    (f"{D}/deep_block.yaml", ["check"], 2, [f"{D}/deep_block.yaml:3:129: nested too deeply; at most 64 levels are allowed"]),
    (f"{D}/empty.yaml", ["check"], 2, [f"{D}/empty.yaml:1:1: a deal file must be a mapping (schema_version, id, title, parties, ...)"]),
    (f"{D}/escaped_nul.json", ["check"], 2, [f"{D}/escaped_nul.json:1:34: control character U+0000 is not allowed in text, even as an escape"]),
    (f"{D}/feb_30.yaml", ["evaluate"], 2, [f"{D}/feb_30.yaml:17:3: transaction.closing: expected a valid date or datetime, day value is outside expected range (got '2025-02-30')"]),
    (f"{D}/huge_int.yaml", ["evaluate"], 2, [f"{D}/huge_int.yaml:27:18: a number with 5,001 digits; numbers may have at most 300 digits"]),
    (f"{D}/inf_percent.yaml", ["evaluate"], 2, [f"{D}/inf_percent.yaml:21:5: stakes.0.equity_after: expected a finite number (got inf)"]),
    (f"{D}/lone_surrogate.json", ["check"], 2, [f"{D}/lone_surrogate.json:1:34: a lone surrogate U+D800 is not allowed in text, even as an escape"]),
    (f"{D}/money_huge.yaml", ["evaluate"], 2, [f"{D}/money_huge.yaml:11:9: parties.0.turnover.0.amount: expected less than or equal to 1000000000000000000 (got 1e+299)"]),
    (f"{D}/money_inf.yaml", ["evaluate"], 2, [f"{D}/money_inf.yaml:11:26: parties.0.turnover.0.amount.value.amount: expected a finite number (got inf)"]),
    (f"{D}/month_13.yaml", ["evaluate"], 2, [f"{D}/month_13.yaml:17:3: transaction.closing: expected a valid date or datetime, month value is outside expected range of 1-12 (got '2025-13-01')"]),
    (f"{D}/nan_percent.yaml", ["evaluate"], 2, [f"{D}/nan_percent.yaml:21:5: stakes.0.equity_after: expected a finite number (got nan)"]),
    (f"{D}/negative_count.yaml", ["evaluate"], 2, [f"{D}/negative_count.yaml:27:5: governance.0.board_seats: expected greater than or equal to 0 (got -3)"]),
    (f"{D}/negative_percent.yaml", ["evaluate"], 2, [f"{D}/negative_percent.yaml:21:5: stakes.0.equity_after: expected greater than or equal to 0 (got -5)"]),
    (f"{D}/not_utf8.yaml", ["check"], 2, [f"{D}/not_utf8.yaml: not UTF-8 text (invalid continuation byte)"]),
    (f"{D}/nul.yaml", ["check"], 2, [f"{D}/nul.yaml:3:16: control character U+0000 is not allowed in input files; remove it"]),
    (f"{D}/overflow_percent.yaml", ["evaluate"], 2, [f"{D}/overflow_percent.yaml:21:5: stakes.0.equity_after: expected a finite number (got inf)"]),
    (f"{D}/voting_over_100.yaml", ["evaluate"], 2, [f"{D}/voting_over_100.yaml:22:5: stakes.0.voting_after: expected less than or equal to 100 (got 100.0001)"]),
    (f"{D}/year_far.yaml", ["evaluate"], 2, [f"{D}/year_far.yaml:10:9: parties.0.turnover.0.year: expected less than or equal to 2200 (got 99999)"]),
    (f"{D}/year_zero.yaml", ["evaluate"], 2, [f"{D}/year_zero.yaml:17:3: transaction.closing: expected a valid date in the format YYYY-MM-DD, year 0 is out of range (got '0000-01-01')"]),
]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run the command line as the ``antitrust`` script does; (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _in_root(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ANTITRUST_CACHE_DIR", str(cache / "antitrust"))


@pytest.mark.parametrize(("path", "command", "code", "expected"), CASES, ids=[c[0].removeprefix(H + "/") for c in CASES])
def test_hostile_input(path: str, command: list[str], code: int, expected: list[str],
                       capsys: pytest.CaptureFixture[str]) -> None:
    got, _out, err = run([*command, path], capsys)
    assert "Traceback" not in err
    assert err.splitlines() == expected
    assert got == code


def test_every_corpus_file_has_a_case() -> None:
    files = {str(p.relative_to(ROOT)) for p in (ROOT / H).rglob("*") if p.is_file() and p.name != "README.md"}
    covered = {c[0] for c in CASES}
    folders = {c[0] for c in CASES if (ROOT / c[0]).is_dir()}
    uncovered = {f for f in files - covered if not any(f.startswith(d + "/") for d in folders)}
    assert not uncovered - {f"{D}/valid.yaml"}, f"add a row to CASES for {sorted(uncovered)}"


def test_the_valid_base_deal_evaluates(capsys: pytest.CaptureFixture[str]) -> None:
    # Every hostile deal is this file with one thing broken: the base itself must pass.
    code, out, err = run(["evaluate", f"{D}/valid.yaml"], capsys)
    assert (code, err) == (0, "")
    assert out


def test_an_input_over_the_size_limit_is_refused_before_parsing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("schema_version: 1\ntitle: " + "x" * (3 * 1024 * 1024) + "\n")
    code, _out, err = run(["check", str(big)], capsys)
    assert code == 2
    assert err == f"{big}: input is 3,145,754 bytes, over the limit of 2,097,152 (set ANTITRUST_MAX_INPUT_BYTES to raise it)\n"
    monkeypatch.setenv("ANTITRUST_MAX_INPUT_BYTES", "1000")
    code, _out, err = run(["evaluate", f"{D}/valid.yaml"], capsys)
    assert code == 2 and "over the limit of 1,000" in err


def test_a_crash_exits_3_with_a_hint_and_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import antitrust.reporting

    def boom(*_a: object, **_k: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(antitrust.reporting, "build_report", boom)
    code, out, err = run(["evaluate", f"{D}/valid.yaml", "--fail-on", "low"], capsys)
    assert code == 3  # never 1, the --fail-on code
    assert out == ""
    assert err == ("internal error: KeyError: 'surprise'; this is a bug in antitrust, please report it "
                   "(run again with --debug for the traceback)\n")
    code, _out, err = run(["--debug", "evaluate", f"{D}/valid.yaml"], capsys)
    assert code == 3
    assert "Traceback (most recent call last)" in err and err.rstrip().endswith("internal error: KeyError: 'surprise'")
