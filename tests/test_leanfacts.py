"""Lean figures facts: the engine path computes only what the rules read; any other reader sees the
whole facts, the same as a whole flattening gives, in the same order."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from antitrust import leanfacts
from antitrust.deal import Deal
from antitrust.evaluate import compiled_for, evaluate
from antitrust.facts import flatten, relevant_date
from antitrust.leanfacts import Completion, LeanFact
from antitrust.presumptions import Presumer
from antitrust.screening import _result
from antitrust.yamlio import load

from .conftest import ROOT, TODAY

CASES = sorted((ROOT / "cases").glob("*.yaml"))


def _deal(path: Path) -> Deal:
    return Deal.model_validate(load(path).data)


def _lean_pair() -> tuple[LeanFact, dict[str, Any], list[int]]:
    whole = {"t": "de", "id": "f3", "a": {"lo": 1, "hi": 2}, "b": True, "c": "x"}
    built: list[int] = []

    def build() -> list[dict[str, Any]]:
        built.append(1)
        return [{}, {}, {}, dict(whole)]

    lean = LeanFact({"t": "de", "id": "f3", "b": True}, frozenset({"t", "id", "b", "gone"}), Completion(build), 3)
    return lean, whole, built


def test_a_field_held_is_read_without_completing() -> None:
    lean, _whole, built = _lean_pair()
    assert lean["b"] is True and lean.get("b") is True and "b" in lean
    assert lean.get("gone") is None and "gone" not in lean and lean["id"] == "f3"
    assert not built and not lean.completed


@pytest.mark.parametrize("read", [
    lambda f: f["a"], lambda f: f.get("c"), lambda f: "a" in f, lambda f: list(f), lambda f: len(f),
    lambda f: list(f.items()), lambda f: list(f.keys()), lambda f: list(f.values()), lambda f: repr(f),
    lambda f: json.dumps(f), lambda f: dict(f), lambda f: {**f}, lambda f: f == {}, lambda f: f.copy(),
    lambda f: copy.deepcopy(f), lambda f: pickle.dumps(f), lambda f: sorted(f), lambda f: f | {},
])
def test_any_other_reading_sees_the_whole_fact(read: Any) -> None:
    lean, whole, built = _lean_pair()
    read(lean)
    assert built == [1] and lean.completed
    assert lean == whole and whole == lean and (lean != whole) is False
    assert list(lean.items()) == list(whole.items())  # the whole flattening's order
    assert json.dumps(lean) == json.dumps(whole)
    assert pickle.loads(pickle.dumps(lean)) == whole and type(copy.deepcopy(lean)) is dict
    assert dict.__len__(lean) == len(whole)  # the dict itself holds every field now
    read(lean)
    assert built == [1]  # completed once


def test_a_change_is_made_to_the_whole_fact() -> None:
    lean, whole, _built = _lean_pair()
    lean["z"] = 1
    assert list(lean) == [*whole, "z"] and lean["z"] == 1 and dict.get(lean, "z") == 1
    del lean["a"]
    assert "a" not in lean and lean.pop("c") == "x" and lean.setdefault("y", 2) == 2


def test_the_whole_flattening_is_built_once_per_deal(rulebook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ev = evaluate(_deal(ROOT / "cases" / "meta-scale-ai.yaml"), rulebook, today=TODAY)
    leans = [f for f in ev.flat.facts if isinstance(f, LeanFact)]
    assert len(leans) > 1 and not any(f.completed for f in leans)
    built: list[int] = []
    real = Completion.whole

    def counted(self: Completion) -> list[dict[str, Any]]:
        built.append(self._whole is None)
        return real(self)

    monkeypatch.setattr(Completion, "whole", counted)
    len(leans[0])
    assert leans[0].completed and not leans[1].completed
    assert all(len(f) == len(f.whole()) for f in leans)
    assert all(f.completed for f in leans) and built.count(True) == 1


def _whole_facts(deal: Deal, rulebook: Any) -> tuple[date, list[dict[str, Any]]]:
    at = relevant_date(deal, TODAY)
    return at, flatten(deal, at, compiled_for(rulebook, at)[0].rates, TODAY, detail=False,
                       presumer=Presumer(rulebook.presumptions)).facts


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_case_gives_the_facts_and_findings_of_a_whole_flattening(
        path: Path, rulebook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    deal = _deal(path)
    at, whole = _whole_facts(deal, rulebook)
    ev = evaluate(deal, rulebook, as_of=at, today=TODAY)
    assert any(isinstance(f, LeanFact) for f in ev.flat.facts)
    record = _result(ev)
    firings = [(f.rule_id, f.status, sorted((a, dict.get(x, "id")) for a, x in f.bound.items()), f.derived_id)
               for f in ev.firings]
    derived = {k: (r.name, r.status, r.fields, r.firings) for k, r in ev.derived.items()}
    # The engine path and the screening record read no field the lean facts leave out.
    assert not any(f.completed for f in ev.flat.facts if isinstance(f, LeanFact))
    assert json.dumps(ev.flat.facts) == json.dumps(whole)

    monkeypatch.setattr(leanfacts, "figure_needs", lambda compiled, session: None)
    plain = evaluate(deal, rulebook, as_of=at, today=TODAY)
    assert not any(isinstance(f, LeanFact) for f in plain.flat.facts)
    assert json.dumps(plain.flat.facts) == json.dumps(whole)
    assert firings == [(f.rule_id, f.status, sorted((a, x["id"]) for a, x in f.bound.items()), f.derived_id)
                       for f in plain.firings]
    assert derived == {k: (r.name, r.status, r.fields, r.firings) for k, r in plain.derived.items()}
    assert record == _result(plain)
    assert [asdict(a) for a in ev.flat.presumed] == [asdict(a) for a in plain.flat.presumed]


def test_needs_cover_every_field_the_engine_patterns_test(rulebook: Any) -> None:
    compiled, session = compiled_for(rulebook, TODAY)
    needs = leanfacts.figure_needs(compiled, session)
    by_type = session.fields_by_type()
    assert needs is not None and by_type is not None
    for t, fields in needs.items():
        assert by_type.get(t, frozenset()) <= fields
    # Euros are read in most jurisdictions; other currencies in few.
    assert "combined_turnover_eur" in needs["world"]
    assert any("turnover_usd" not in " ".join(fields) for fields in needs.values())
