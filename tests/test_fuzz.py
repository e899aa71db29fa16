"""Bounded fuzzing: no input, however malformed, may raise anything but the project's own errors.

Four targets, each with hypothesis:

* deal documents: the cases in cases/, mutated where they stand (a value replaced by a hostile
  one, a key dropped or added, a list item repeated), then validated, evaluated and rendered in
  every format;
* YAML and JSON text: parsed as a deal file would be;
* conditions and rule files: conditions built from the language's own tokens and stray
  characters, with fuzzed reason templates, loaded, compiled and run on a deal;
* screening input: JSONL lines and CSV rows, each of which must become one writable JSON record.

CI runs a small budget (``ANTITRUST_FUZZ_EXAMPLES``, default 25 examples per target: about two
minutes on a slow machine). A long run: ``ANTITRUST_FUZZ_EXAMPLES=2500 pytest tests/test_fuzz.py``
(the counts of the last long run are in benchmarks/README.md).
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antitrust import expr as ex
from antitrust.api import evaluate_deal, load_rules, render_formats, render_report
from antitrust.errors import AntitrustError, InputError, InputErrors
from antitrust.loading import parse_deal
from antitrust.screen_inputs import Item
from antitrust.screening import init_worker, screen_item
from antitrust.vocabulary import FACT_TYPES
from antitrust.yamlio import load, parse_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("ANTITRUST_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 25,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
CASES = [load(p).data for p in sorted((ROOT / "cases").glob("*.yaml"))]
VALID = load(ROOT / "tests" / "hostile" / "deals" / "valid.yaml").data

HOSTILE: list[Any] = [
    math.nan, math.inf, -math.inf, -1, -0.0, 0, 10**30, 10**300, 1e-05, 100.0001, 1e308, True, None,
    "", "unknown", "2025-02-30", "0000-01-01", "2025-13-01", "9999-12-31", "2024", "2024-06", "\x00", "\ud800",
    "\x9b", "a" * 5000, "1e-05", "-5", "14.8bn USD", "1e400 USD", "999999999999999999999bn EUR", [], {}, [[[[]]]],
    {"value": math.nan}, {"at_least": 5, "at_most": 1}, {"unknown": True, "value": 1}, {"value": None},
    {"amount": -1, "currency": "USD"}, {"amount": 1, "currency": "XXX"}, "{param.__class__}", "${x}",
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _mutate(data: Any, draw: Any) -> Any:
    data = json.loads(json.dumps(data))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "repeat", "text", "number"]))
        if op == "replace":
            parent[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))  # later mutations must not reach HOSTILE
        elif op == "text":
            parent[key] = draw(st.text(max_size=30))
        elif op == "number":
            parent[key] = draw(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
        elif op == "drop":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = copy.deepcopy(draw(st.sampled_from(HOSTILE)))
        elif op == "repeat" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[key])))
    return data


@pytest.fixture(scope="module")
def rules() -> Any:
    return load_rules(ROOT / "rules")


@FUZZ
@given(st.data())
def test_mutated_deals_validate_evaluate_and_render_or_fail_cleanly(rules: Any, data: st.DataObject) -> None:
    deal = _mutate(data.draw(st.sampled_from(CASES)), data.draw)
    try:
        report = evaluate_deal(deal, rules, today=date(2026, 11, 23))
    except AntitrustError:
        return
    for fmt in render_formats():
        text = render_report(report, fmt)
        text.encode("utf-8")


@FUZZ
@given(st.one_of(
    st.text(alphabet=st.sampled_from([*"{}[]:,-&*!|>'\"# \n\t\\abc019.eE+", "\x00", "\x85", "\ud800", "…"]),
            max_size=200),
    st.text(max_size=200),
    st.builds(lambda d: json.dumps(d, allow_nan=True), st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=30)),
))
def test_any_text_parses_or_fails_with_a_position(text: str) -> None:
    for name in ("fuzz.yaml", "fuzz.json"):
        try:
            parse_text(text, name, cache=False)
            problem = ""
        except InputError as exc:
            problem = str(exc)
        assert problem == "" or problem.startswith(name)
        with contextlib.suppress(InputError, InputErrors):
            parse_deal(text, name)


_REFS = [f"{fact}.{field}" for fact, fields in sorted(FACT_TYPES.items()) for field in sorted(fields)]
_TOKENS = st.one_of(
    st.sampled_from(_REFS),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "and", "or", "not", "(", ")", "[", "]", ",",
                     "true", "false", "'voting'", "param.de.gwb37.capital_low", "param.nope", "1e-05", "1e400",
                     "-1", "0", "25", "100.5", "10" * 200, "nan", "x.y.z", "__import__", "lambda", "+", "*"]),
    st.text(max_size=3),
)


@FUZZ
@given(tokens=st.lists(_TOKENS, min_size=1, max_size=25), reason=st.text(max_size=40), ref=st.sampled_from(_REFS))
def test_fuzzed_conditions_and_rule_files_load_compile_and_run_or_fail_cleanly(
        tokens: list[str], reason: str, ref: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    condition = " ".join(tokens)
    with contextlib.suppress(ex.ConditionSyntaxError):
        ex.parse(condition)
    folder = tmp_path_factory.mktemp("rules")
    rule = {"id": "FUZZ-1", "title": "Fuzzed rule", "jurisdiction": "US",
            "basis": {"citation": "15 U.S.C. §18a", "url": "https://www.law.cornell.edu/uscode/text/15/18a"},
            "when": condition, "reason": reason + " {" + ref + "}", "verdict": {"filing": "mandatory"}}
    (folder / "rules.json").write_text(json.dumps({"rules": [rule]}), encoding="utf-8")
    try:
        book = load_rules(folder)
        report = evaluate_deal(VALID, book, today=date(2026, 11, 23))
    except AntitrustError:
        return
    render_report(report, "text").encode("utf-8")


@pytest.fixture(scope="module")
def worker() -> Any:
    from antitrust import screening

    init_worker(str(ROOT / "rules"), None, date(2026, 11, 23), quiet_interrupts=False)
    return screening._worker


@FUZZ
@given(st.data())
def test_screening_turns_every_line_and_row_into_one_writable_record(worker: Any, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(["json", "json", "csv"]))
    if kind == "json":
        deal = _mutate(data.draw(st.sampled_from(CASES)), data.draw)
        line = data.draw(st.one_of(st.just(json.dumps(deal, allow_nan=True)), st.text(max_size=80)))
        item = Item("fuzz.jsonl", 1, "json", line)
    else:
        header = data.draw(st.lists(st.sampled_from(["id", "title", "schema_version", "parties", "parties.0.id",
                                                     "parties.0", "transaction.types", "stakes.0.equity_after",
                                                     "x..y", ""]), max_size=6))
        cells = data.draw(st.lists(st.sampled_from(["", "1", "[", "{}", "[1,2]", '{"a": NaN}', "\ud800", "x" * 50,
                                                    "-5", "2025-02-30"]), max_size=7))
        item = Item("fuzz.csv", 1, "csv", (header, cells, 2))
    line, summary = screen_item(item, worker)
    record = json.loads(line)
    line.encode("utf-8")
    assert record["status"] in {"ok", "error"} and summary[0] == record["status"]
