"""A screen gives a deal whose input repeats an earlier one the same record without evaluating it
again; the output is byte for byte what evaluating every deal gives (``--no-reuse``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antitrust import evaluate as evaluate_module
from antitrust.screen_inputs import Item
from antitrust.screening import Repeats, Tally, run_batch
from antitrust.yamlio import load

from .conftest import ROOT, TODAY
from .test_screen import records, run, variant, write_jsonl

RULES = str(ROOT / "rules")
CASES = [json.dumps(load(p, cache=False).data, ensure_ascii=False) for p in sorted((ROOT / "cases").glob("*.yaml"))]


def screened(items: list[Item], *, reuse: bool) -> list[str]:
    lines: list[str] = []
    run_batch(iter(items), RULES, lines.append, workers=1, as_of=None, today=TODAY, tally=Tally(), reuse=reuse)
    return lines


def jsonl_items(lines: list[str]) -> list[Item]:
    return [Item("in.jsonl", i + 1, "json", line) for i, line in enumerate(lines)]


class Counting:
    """``evaluate`` that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.inner = evaluate_module.evaluate

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.inner(*args, **kwargs)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Counting:
    counter = Counting()
    monkeypatch.setattr(evaluate_module, "evaluate", counter)
    return counter


def test_copies_of_the_cases_are_evaluated_once_each_and_give_the_same_output(counting: Counting) -> None:
    lines = CASES * 3
    items = jsonl_items(lines)
    every = screened(items, reuse=False)
    assert counting.calls == len(lines)
    counting.calls = 0
    reused = screened(items, reuse=True)
    assert counting.calls == len(CASES)
    assert reused == every
    # Each copy stands at its own row; the rest of its record is the first copy's.
    first = [json.loads(line) for line in reused[: len(CASES)]]
    for i, line in enumerate(reused):
        record = json.loads(line)
        assert record["row"] == i + 1
        assert {**record, "row": 0} == {**first[i % len(CASES)], "row": 0}


def test_a_repeated_error_is_evaluated_again_and_names_its_own_row(counting: Counting) -> None:
    bad = json.dumps({"id": "no-parties", "schema_version": 1})
    lines = [bad, CASES[0], "{broken", bad, "{broken", CASES[0]]
    every = screened(jsonl_items(lines), reuse=False)
    assert counting.calls == 2  # both copies of the case; the others fail before evaluation
    counting.calls = 0
    reused = screened(jsonl_items(lines), reuse=True)
    assert counting.calls == 1
    assert reused == every
    errors = [json.loads(reused[i]) for i in (0, 2, 3, 4)]
    assert [e["status"] for e in errors] == ["error"] * 4
    assert "in.jsonl:4" in " ".join(errors[2]["errors"]) and "in.jsonl:5" in " ".join(errors[3]["errors"])


def test_deals_that_differ_in_anything_are_evaluated_apart(counting: Counting) -> None:
    one = json.loads(CASES[0])
    renamed = {**one, "id": one["id"] + "-b"}
    spaced = json.dumps(one, indent=1).replace("\n", " ")  # the same deal, other text: not matched
    lines = [CASES[0], json.dumps(renamed, ensure_ascii=False), spaced]
    reused = screened(jsonl_items(lines), reuse=True)
    assert counting.calls == 3
    assert [json.loads(line)["id"] for line in reused] == [one["id"], renamed["id"], one["id"]]
    assert reused == screened(jsonl_items(lines), reuse=False)


def test_kept_records_are_bounded_and_the_least_recently_used_goes_first() -> None:
    kept = Repeats(size=2)
    summary: Any = ("ok", None, (), (), ())
    for key in ("a", "b"):
        kept.keep(key, {"id": key}, summary)
    assert kept.get("a") == ({"id": "a"}, summary)  # "a" is now the most recently used
    kept.keep("c", {"id": "c"}, summary)
    assert set(kept.records) == {"a", "c"}
    assert kept.get("b") is None


def test_what_a_record_depends_on_is_the_input_text_alone() -> None:
    assert Repeats.key(Item("a.jsonl", 1, "json", "{}")) == Repeats.key(Item("b.jsonl", 9, "json", "{}"))
    header, cells = ["id", "schema_version"], ["x", "1"]
    assert Repeats.key(Item("a.csv", 1, "csv", (header, cells, 2))) == Repeats.key(Item("b.csv", 7, "csv", (header, cells, 9)))
    assert Repeats.key(Item("a.csv", 1, "csv", (header, cells, 2))) != Repeats.key(Item("a.csv", 1, "csv", (["id", "title"], cells, 2)))
    # Deal files are read in the worker: their path says nothing of their content.
    assert Repeats.key(Item("deal.yaml", 0, "file", "deal.yaml")) is None
    assert Repeats.key(Item("a.jsonl", 1, "json", " " * 70_000)) is None


def test_repeated_csv_rows_and_several_workers(tmp_path: Path) -> None:
    """The command line, with CSV and JSONL inputs and two workers: --no-reuse gives the same bytes."""
    deals = [variant(i) for i in range(6)]
    src = write_jsonl(tmp_path / "in.jsonl", [deals[i % 6] for i in range(40)] + ["{broken", "{broken"])
    header = ["id", "schema_version", "title", "parties.0.id", "parties.0.name", "parties.0.role",
              "parties.1.id", "parties.1.name", "parties.1.role", "transaction.types.0", "transaction.closing"]
    row = ["r", "1", "A / B", "a", "A AG", "acquirer", "b", "B GmbH", "target", "share_acquisition", "2025-06-13"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for _ in range(5):
        writer.writerow(row)
    table = tmp_path / "in.csv"
    table.write_text(text.getvalue(), encoding="utf-8")
    outputs = []
    for flag in ("--reuse", "--no-reuse"):
        out = tmp_path / f"out{flag}.jsonl"
        code, _, err = run(str(src), str(table), "-o", str(out), "-j", "2", flag)
        assert code == 2, err  # the broken lines
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    recs = records(tmp_path / "out--reuse.jsonl")
    assert len(recs) == 47
    assert [r["row"] for r in recs if r["source"].endswith("in.csv")] == [1, 2, 3, 4, 5]
    assert len({json.dumps({**r, "row": 0}) for r in recs if r["source"].endswith("in.csv")}) == 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=24))
def test_any_order_of_repeats_gives_what_evaluating_every_deal_gives(order: list[int]) -> None:
    pool = [json.dumps(variant(i)) for i in range(5)] + ["{broken", json.dumps({"id": "x", "schema_version": 1}),
                                                          CASES[0]]
    items = jsonl_items([pool[i] for i in order])
    assert screened(items, reuse=True) == screened(items, reuse=False)
