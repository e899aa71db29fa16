"""Evaluations leave out what only explanations read, and work it out, the same, when read."""

from __future__ import annotations

from datetime import date
from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import _unknowns, compiled_for, evaluate
from antitrust.facts import flatten, relevant_date
from antitrust.yamlio import load

from .conftest import ROOT, TODAY


def _case(name: str) -> Deal:
    return Deal.model_validate(load(ROOT / "cases" / name).data)


def test_provenance_and_conversions_are_the_same_when_worked_out_later(rulebook: Any) -> None:
    for name in ("meta-scale-ai.yaml", "microsoft-activision.yaml"):
        deal = _case(name)
        at = relevant_date(deal, TODAY)
        rates = compiled_for(rulebook, at)[0].rates
        full, lean = flatten(deal, at, rates), flatten(deal, at, rates, detail=False)
        assert lean.facts == full.facts
        assert lean.provenance == full.provenance and full.provenance
        assert lean.conversions == full.conversions


def test_unknowns_of_undetermined_firings_are_worked_out_when_read(rulebook: Any) -> None:
    ev = evaluate(_case("meta-scale-ai.yaml"), rulebook, today=date(2026, 11, 23))
    maybe = [f for f in ev.firings if f.status == "maybe"]
    assert maybe and any(f.unknowns for f in maybe)
    for f in ev.firings:
        assert f.compiled is not None
        expected = _unknowns(f.compiled, f.bound) if f.status == "maybe" else ()
        assert f.unknowns == expected
