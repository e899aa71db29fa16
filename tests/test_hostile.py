"""The hostile-input corpus (tests/hostile/): inputs that once hung, crashed, leaked or lost data.

Each is run through the real entry point (:func:`antitrust.cli.main`, in-process) and pinned to
its exit code and its one-line message: 2 for bad input, never a traceback, never exit 1 (the
--fail-on code). An internal error exits 3 with a hint to report it, and ``--debug`` shows the
traceback. Times are measured by benchmarks/hostile.py, not asserted here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from antitrust.yamlio import load

from .conftest import run_main as run

ROOT = Path(__file__).resolve().parent.parent
H = "tests/hostile"
D = f"{H}/deals"

# (path, command, exit code, the stderr lines expected)
CASES: list[tuple[str, list[str], int, list[str]]] = [
    (f"{D}/a_list.yaml", ["check"], 2, [f"{D}/a_list.yaml:1:1: a deal file must be a mapping (schema_version, id, title, parties, ...)"]),
    (f"{D}/alias_bomb.yaml", ["check"], 2, [f"{D}/alias_bomb.yaml:1:1: the document holds 490,329,056 values once its aliases are expanded, more than 200,000; expand fewer aliases or split the file"]),
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
    ('tests/hostile/rules/cycle.yaml', ['rules', 'check'], 2, ['tests/hostile/rules/cycle.yaml:8:14: error: derived facts form a cycle: influence_a → influence_b → influence_a (rules BROKEN-CYCLE-B, BROKEN-CYCLE-A); a fact cannot be a reason for itself', '1 error, 0 warnings, 3 notes (shown with --verbose) in 3 rules and 0 parameters']),
    ('tests/hostile/rules/cycle.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/cycle.yaml:8:14: derived facts form a cycle: influence_a → influence_b → influence_a (rules BROKEN-CYCLE-B, BROKEN-CYCLE-A); a fact cannot be a reason for itself']),
    ('tests/hostile/rules/fx_zero', ['rules', 'check'], 2, ['tests/hostile/rules/fx_zero/params.yaml:8:7: error: parameter fx.usd_per_eur: an exchange rate must be positive, not 0', '1 error, 0 warnings, 1 note (shown with --verbose) in 1 rule and 1 parameter']),
    ('tests/hostile/rules/fx_zero', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/fx_zero/params.yaml:8:7: parameter fx.usd_per_eur: an exchange rate must be positive, not 0']),
    ('tests/hostile/rules/huge_constant.yaml', ['rules', 'check'], 2, ['tests/hostile/rules/huge_constant.yaml:7:32: error: rule HOSTILE-HUGE: stake.equity_after is compared with inf; a constant must be a finite number of at most 1e+18 in size', '1 error, 0 warnings']),
    ('tests/hostile/rules/huge_constant.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/huge_constant.yaml:7:32: rule HOSTILE-HUGE: stake.equity_after is compared with inf; a constant must be a finite number of at most 1e+18 in size']),
    ('tests/hostile/rules/long_not.yaml', ['rules', 'check'], 2, ['tests/hostile/rules/long_not.yaml:7:11: error: rule HOSTILE-LONG: the condition is 40,027 characters long; at most 20,000 are allowed (split it into derived facts)', '1 error, 0 warnings']),
    ('tests/hostile/rules/long_not.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/long_not.yaml:7:11: rule HOSTILE-LONG: the condition is 40,027 characters long; at most 20,000 are allowed (split it into derived facts)']),
    ('tests/hostile/rules/nested_not.yaml', ['rules', 'check'], 2, ['tests/hostile/rules/nested_not.yaml:7:143: error: rule HOSTILE-NESTED: the condition nests too deeply; at most 32 levels of and, or and not are allowed', '1 error, 0 warnings']),
    ('tests/hostile/rules/nested_not.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/nested_not.yaml:7:143: rule HOSTILE-NESTED: the condition nests too deeply; at most 32 levels of and, or and not are allowed']),
    ('tests/hostile/rules/param_nan', ['rules', 'check'], 2, ['tests/hostile/rules/param_nan/params.yaml:8:7: error: parameters.0.values.0.value: expected a finite number (got nan)', "tests/hostile/rules/param_nan/rules.yaml:7:33: error: rule HOSTILE-NAN: unknown parameter 'ex.share'", '2 errors, 0 warnings']),
    ('tests/hostile/rules/param_nan', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/param_nan/params.yaml:8:7: parameters.0.values.0.value: expected a finite number (got nan)', "tests/hostile/rules/param_nan/rules.yaml:7:33: rule HOSTILE-NAN: unknown parameter 'ex.share'"]),
    ('tests/hostile/rules/param_overflow', ['rules', 'check'], 2, ['tests/hostile/rules/param_overflow/params.yaml:8:7: error: parameters.0.values.0.value: expected a finite number (got inf)', "tests/hostile/rules/param_overflow/rules.yaml:7:37: error: rule HOSTILE-OVERFLOW: unknown parameter 'ex.amount'", '2 errors, 0 warnings']),
    ('tests/hostile/rules/param_overflow', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ['tests/hostile/rules/param_overflow/params.yaml:8:7: parameters.0.values.0.value: expected a finite number (got inf)', "tests/hostile/rules/param_overflow/rules.yaml:7:37: rule HOSTILE-OVERFLOW: unknown parameter 'ex.amount'"]),
    ('tests/hostile/rules/template_format.yaml', ['rules', 'check'], 2, ["tests/hostile/rules/template_format.yaml:3:5: error: rule HOSTILE-FORMAT: reason: bad template ({stake.equity_after:>999999999} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)", '1 error, 0 warnings']),
    ('tests/hostile/rules/template_format.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ["tests/hostile/rules/template_format.yaml:3:5: rule HOSTILE-FORMAT: reason: bad template ({stake.equity_after:>999999999} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)"]),
    ('tests/hostile/rules/template_index.yaml', ['rules', 'check'], 2, ["tests/hostile/rules/template_index.yaml:3:5: error: rule HOSTILE-INDEX: reason: bad template ({stake.equity_after[0]} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)", '1 error, 0 warnings']),
    ('tests/hostile/rules/template_index.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ["tests/hostile/rules/template_index.yaml:3:5: rule HOSTILE-INDEX: reason: bad template ({stake.equity_after[0]} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)"]),
    ('tests/hostile/rules/template_leak.yaml', ['rules', 'check'], 2, ["tests/hostile/rules/template_leak.yaml:3:5: error: rule HOSTILE-LEAK: reason: bad template ({param.__class__.__init__.__globals__[sys].modules[os].environ[SECRET_TOKEN]} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)", '1 error, 0 warnings']),
    ('tests/hostile/rules/template_leak.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ["tests/hostile/rules/template_leak.yaml:3:5: rule HOSTILE-LEAK: reason: bad template ({param.__class__.__init__.__globals__[sys].modules[os].environ[SECRET_TOKEN]} is not a reference: write a fact's field ({stake.equity_after}) or a parameter ({param.name}); no formatting, indexing or other attributes)"]),
    ('tests/hostile/rules/wide_or.yaml', ['rules', 'check'], 2, ["tests/hostile/rules/wide_or.yaml:7:11: error: rule HOSTILE-WIDE: the condition on 'stake' compiles into 182 and/or groups (three-valued logic expands each 'or' and 'not'); the engine takes at most 15 in one pattern. Split the 'or' into separate rules, or move part of it into a derived fact", '1 error, 0 warnings, 1 note (shown with --verbose) in 1 rule and 0 parameters']),
    ('tests/hostile/rules/wide_or.yaml', ['evaluate', 'tests/hostile/deals/valid.yaml', '--rules'], 2, ["tests/hostile/rules/wide_or.yaml:7:11: rule HOSTILE-WIDE: the condition on 'stake' compiles into 182 and/or groups (three-valued logic expands each 'or' and 'not'); the engine takes at most 15 in one pattern. Split the 'or' into separate rules, or move part of it into a derived fact"]),
]


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
    assert "SECRET" not in _out


def test_every_corpus_file_has_a_case() -> None:
    files = {str(p.relative_to(ROOT)) for p in (ROOT / H).rglob("*") if p.is_file() and p.name != "README.md"}
    covered = {c[0] for c in CASES}
    folders = {c[0] for c in CASES if (ROOT / c[0]).is_dir()}
    uncovered = {f for f in files - covered if not any(f.startswith(d + "/") for d in folders)}
    # Inputs that must work are covered by the tests below.
    works = {f"{D}/valid.yaml", f"{H}/rules/tiny_constant.yaml", f"{H}/rules/param_tiny/params.yaml",
             f"{H}/rules/param_tiny/rules.yaml", f"{H}/rules/hash_collision.yaml"}
    assert not uncovered - works, f"add a row to CASES for {sorted(uncovered - works)}"


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
    monkeypatch.setenv("ANTITRUST_MAX_INPUT_BYTES", "200")
    code, _out, err = run(["evaluate", f"{D}/valid.yaml"], capsys)
    assert code == 2 and "over the limit of 200" in err


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


@pytest.mark.parametrize("rules", ["tests/hostile/rules/tiny_constant.yaml", "tests/hostile/rules/param_tiny"])
def test_numbers_in_exponent_form_reach_the_engine_and_fire(rules: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Python writes 1e-05; the engine's parser needs a decimal point (1.0e-05) or fails with 204.
    code, out, err = run(["evaluate", f"{D}/valid.yaml", "--rules", rules, "-f", "json"], capsys)
    assert (code, err) == (0, "")
    assert '"HOSTILE-TINY' in out


@pytest.mark.parametrize(("second", "fires"), [("false", False), ("true", True)])
def test_field_names_with_one_engine_hash_keep_their_own_values(second: str, fires: bool, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """'f_loczw' and 'f_vfbpa' have one 32-bit hash in the engine; the second goes in renamed, so a
    rule that needs both true fires only when both are."""
    from antitrust.engineforms import engine_hash, engine_names

    assert engine_hash("f_loczw") == engine_hash("f_vfbpa")
    renamed = engine_names({"f_loczw", "f_vfbpa", "t"})
    assert set(renamed) == {"f_vfbpa"} and engine_hash(renamed["f_vfbpa"]) != engine_hash("f_loczw")
    text = (ROOT / H / "rules" / "hash_collision.yaml").read_text()
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace("f_vfbpa: false", f"f_vfbpa: {second}"))
    code, out, err = run(["evaluate", f"{D}/valid.yaml", "--rules", str(rules), "-f", "json"], capsys)
    assert (code, err) == (0, "")
    findings = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "HOSTILE-SIGNAL" in findings
    assert ("HOSTILE-COLLISION" in findings) is fires
    code, out, err = run(["rules", "check", str(rules), "--verbose"], capsys)
    assert code == 0 and "goes into the engine under a name of its own" in out + err


def _chain(folder: Path, n: int) -> Path:
    """A rulebook of ``n`` derived facts, each derived from the one before."""
    head = ('    jurisdiction: US\n    basis: {citation: 15 U.S.C. §18a, url: "https://www.law.cornell.edu/uscode/text/15/18a"}\n'
            '    reason: "Example."\n')
    rules = ["rules:"]
    for i in range(n):
        when = "stake.equity_after > 10" if i == 0 else f"d{i - 1}"
        rules.append(f"  - id: CHAIN-{i}\n    title: Chain {i}\n{head}    when: {when}\n    derive: {{fact: d{i}, fields: {{}}}}")
    rules.append(f"  - id: CHAIN-END\n    title: Chain end\n{head}    when: d{n - 1}\n    verdict: {{filing: mandatory}}")
    folder.mkdir()
    (folder / "rules.yaml").write_text("\n".join(rules) + "\n", encoding="utf-8")
    return folder


def test_a_rulebook_with_more_kinds_of_fact_than_the_engine_takes_is_refused(tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # 509 derived facts made durable's create_ruleset loop for ever; 499 still work.
    code, out, err = run(["evaluate", f"{D}/valid.yaml", "--rules", str(_chain(tmp_path / "ok", 499)), "-f", "json"], capsys)
    assert (code, err) == (0, "") and '"CHAIN-END"' in out
    big = _chain(tmp_path / "big", 520)
    code, _out, err = run(["evaluate", f"{D}/valid.yaml", "--rules", str(big)], capsys)
    assert code == 2
    assert err == (f"{big}/rules.yaml:2:5: the rules match 521 kinds of fact (base and derived) on 2025-06-30; the engine "
                   "takes at most 500 in one rulebook (it hangs from 510 on). Merge derived facts that differ only in name "
                   "into one with a field, or split the rulebook\n")


def test_a_report_does_not_depend_on_the_deals_evaluated_before_it(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # Two dates in one parameter epoch share a compiled ruleset; B's "not in force on" messages
    # once carried A's date.
    import json

    later = tmp_path / "later.yaml"
    later.write_text((ROOT / D / "valid.yaml").read_text().replace("closing: 2025-06-30", "closing: 2025-07-01"))
    code, both, err = run(["evaluate", f"{D}/valid.yaml", str(later), "-f", "json"], capsys)
    assert (code, err) == (0, "")
    code, alone, err = run(["evaluate", str(later), "-f", "json"], capsys)
    assert (code, err) == (0, "")
    inactive = json.loads(both)[1]["meta"]["rules_inactive"]
    assert inactive == json.loads(alone)["meta"]["rules_inactive"]
    assert inactive and all("2025-06-30" not in why for why in inactive.values())


def test_threads_on_a_cold_cache_agree_and_register_one_ruleset_per_epoch() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from antitrust import evaluate as ev_module
    from antitrust.api import evaluate_deal, load_rules

    rules = load_rules(ROOT / "rules")
    deals = [load(ROOT / p).data for p in sorted((ROOT / "cases").glob("*.yaml"))[:4]]
    expected = [evaluate_deal(d, rules, today=date(2026, 11, 23)).model_dump_json() for d in deals]
    ev_module.clear_cache()
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda d: evaluate_deal(d, rules, today=date(2026, 11, 23)).model_dump_json(), deals * 4))
    assert got == expected * 4
    assert len(ev_module._cache) == len({key for key in ev_module._by_period.values()})


def test_the_parse_cache_is_private_and_never_trusted_blindly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import marshal

    from antitrust import yamlio

    monkeypatch.setenv("ANTITRUST_CACHE_DIR", str(tmp_path / "cache"))
    text = (ROOT / D / "valid.yaml").read_text()
    yamlio.parse_text(text, "deal.yaml")
    entries = list((tmp_path / "cache" / "parsed").iterdir())
    assert len(entries) == 1
    assert (tmp_path / "cache" / "parsed").stat().st_mode & 0o777 == 0o700
    entry = entries[0]
    digest, data, positions = marshal.loads(entry.read_bytes())
    # A wrong-shaped entry, or one made for another text, is ignored: the file is parsed again.
    for bad in (b"not marshal", marshal.dumps(("x", 1)), marshal.dumps((digest, {"id": object.__name__},
                                                                        {("id",): (0, -1)})),
                marshal.dumps(("0" * 64, {**data, "title": "tampered"}, positions))):
        entry.write_bytes(bad)
        assert yamlio.parse_text(text, "deal.yaml").data == data
    # A cache folder others can write is not read at all, even with a well-formed entry.
    entry.write_bytes(marshal.dumps((digest, {**data, "title": "tampered"}, positions)))
    assert yamlio.parse_text(text, "deal.yaml").data["title"] == "tampered"  # ours, private: trusted
    (tmp_path / "cache" / "parsed").chmod(0o777)
    assert yamlio.parse_text(text, "deal.yaml").data == data


def test_a_cache_entry_holds_plain_data_nested_no_deeper_than_a_file_may() -> None:
    from antitrust.parsecache import valid_data
    from antitrust.yamlio import MAX_DEPTH

    def nested(levels: int, leaf: object) -> object:
        for _ in range(levels):
            leaf = [leaf]
        return leaf

    for good in (None, "a", 1, 1.5, True, [], {}, {"a": [1, {"b": None}, "c"]}, nested(MAX_DEPTH, 1),
                 nested(MAX_DEPTH, []), {"a": nested(MAX_DEPTH - 1, {})}):
        assert valid_data(good, MAX_DEPTH)
    for bad in ((1,), b"x", {1: "a"}, [1, [2, [{3}]]], {"a": (1,)}, complex(1, 2), nested(MAX_DEPTH + 1, 1),
                nested(MAX_DEPTH, [1]), nested(MAX_DEPTH, {"a": 1}), {"a": nested(MAX_DEPTH, 1)}):
        assert not valid_data(bad, MAX_DEPTH)


def test_a_cache_folder_readable_by_others_is_made_private_and_used(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders left at 0755 (an older version, a lax umask) would turn the cache off for good; nobody
    else could have written them, so they are tightened to 0700 and the cache works again. A folder
    others could write stays as it is and is never read."""
    import marshal

    from antitrust import yamlio

    root = tmp_path / "cache"
    monkeypatch.setenv("ANTITRUST_CACHE_DIR", str(root))
    (root / "parsed").mkdir(parents=True)
    root.chmod(0o755)
    (root / "parsed").chmod(0o755)
    text = (ROOT / D / "valid.yaml").read_text()
    data = yamlio.parse_text(text, "deal.yaml").data
    assert root.stat().st_mode & 0o777 == 0o700
    assert (root / "parsed").stat().st_mode & 0o777 == 0o700
    [entry] = list((root / "parsed").iterdir())
    digest, _data, positions = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps((digest, {**data, "title": "from the cache"}, positions)))
    assert yamlio.parse_text(text, "deal.yaml").data["title"] == "from the cache"
    (root / "parsed").chmod(0o775)  # group-writable: someone else may have planted the entry
    assert yamlio.parse_text(text, "deal.yaml").data == data
    assert (root / "parsed").stat().st_mode & 0o777 == 0o775


def test_deep_flow_nesting_is_found_before_the_parser_and_text_brackets_do_not_count() -> None:
    from antitrust.yamlio import MAX_DEPTH, _deep_flow_at, parse_text

    deep = "a: " + "[" * (MAX_DEPTH + 5)
    assert _deep_flow_at(deep) == 3 + MAX_DEPTH  # the bracket past the limit
    many = "[" * (MAX_DEPTH + 5)
    # Brackets in quotes, comments and plain text are text; the scan skips the first two.
    for text in (f"a: '{many}'\n", f'a: "{many}"\n', f"a: 1  # {many}\n", f"a: 'it''s {many}'\n"):
        assert _deep_flow_at(text) == -1
        assert parse_text(text, "t.yaml", cache=False).data["a"] in {many, 1, f"it's {many}"}
    # A block scalar is not followed by the scan: its hint is wrong, and the file still parses.
    literal = f"a: |\n  {many}\nb: 2\n"
    assert _deep_flow_at(literal) >= 0
    assert parse_text(literal, "t.yaml", cache=False).data == {"a": many + "\n", "b": 2}
