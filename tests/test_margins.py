"""Margins to thresholds and near misses (antitrust.margins), and how reports show them."""

from __future__ import annotations

import json
import operator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust.compiler import CompiledAtom
from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.margins import margin_of, margins, near_misses
from antitrust.params import ParamValue
from antitrust.render import render_json, render_markdown, render_text, with_views
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.truth import atom_truth

from .conftest import ROOT, TODAY

CASE = ROOT / "cases" / "meta-scale-ai.yaml"
_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq,
        "!=": operator.ne}


@pytest.fixture(scope="module")
def meta() -> Deal:
    return load_deal(CASE)


def _with_equity(deal: Deal, equity: float) -> Deal:
    data = deal.model_dump()
    data["stakes"][0]["equity_after"] = {"value": equity}
    return Deal.model_validate(data)


def test_every_margin_is_consistent_with_its_comparison(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(meta, rulebook)
    found = margins(ev)
    assert found, "the Meta case compares known numbers with thresholds"
    for m in found:
        assert m.firing is not None
        firing = ev.firings[m.firing]
        assert firing.rule_id == m.rule_id
        assert m.difference == pytest.approx(m.value - m.threshold.value)
        if m.threshold.value:
            assert m.ratio == pytest.approx(m.value / m.threshold.value)
        if m.bound == "exact":
            assert m.holds == _OPS[m.op](m.value, m.threshold.value), m.text
        atom = next(a for a in ev.compiled.rules[m.rule_id].atoms if a.text == m.comparison)
        assert m.holds == atom_truth(atom, firing.bound[atom.fact])
        assert m.fact == f"{atom.fact}.{atom.field}" and m.text.startswith(m.fact)


def test_transaction_value_margin_cites_the_dated_parameter(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(meta, rulebook)
    ms = [m for m in margins(ev) if m.threshold.param == "de.gwb35.transaction_value"]
    assert ms, "the German transaction-value test is compared on the Meta case"
    m = ms[0]
    in_force = rulebook.parameters["de.gwb35.transaction_value"].at(ev.as_of)
    assert in_force is not None and in_force.value is not None
    consideration = next(f for f in ev.flat.facts if f["t"] == "deal")["consideration_eur"]
    assert m.fact == "deal.consideration_eur" and m.bound == "exact"
    assert m.value == pytest.approx(consideration["lo"])
    assert m.threshold.value == pytest.approx(in_force.value)
    assert m.threshold.effective_from == in_force.from_
    assert m.threshold.citation == in_force.citation and m.threshold.status == in_force.status
    assert m.holds is True and m.difference > 0 and m.ratio is not None and m.ratio > 1
    assert "exceeds the EUR" in m.text and f"×{m.ratio:.3g}" in m.text
    assert m.path == "transaction.consideration"


def test_percentage_margins_read_in_points(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(meta, rulebook)
    crule = ev.compiled.rules["DE-GWB37-CAPITAL-25"]
    stake = next(f for f in ev.flat.facts if f["t"] == "stake")
    atom = CompiledAtom("stake.equity_after < 50", "stake", "equity_after", "<", 50)
    m = margin_of(ev, crule, atom, {**stake, "equity_after": {"lo": 49, "hi": 49}})
    assert m is not None
    assert m.text.startswith("stake.equity_after = 49% is 1 point below the 50% line")
    assert m.difference_display == "1 point" and m.holds is True
    assert m.threshold.param is None and m.relative == pytest.approx(-0.02)


def test_only_a_known_bound_gives_an_at_least_margin(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(meta, rulebook)
    crule = ev.compiled.rules["DE-GWB37-CAPITAL-25"]
    atom = CompiledAtom("de.target_turnover_eur > 17500000", "de", "target_turnover_eur", ">", 17_500_000)
    assert margin_of(ev, crule, atom, {"id": "x", "target_turnover_eur": {"lo": 0}}) is None
    m = margin_of(ev, crule, atom, {"id": "x", "target_turnover_eur": {"lo": 20_000_000}})
    assert m is not None and m.bound == "at_least" and m.holds is True
    assert m.value_display == "at least EUR 20m" and m.difference_display == "at least EUR 2.5m"


def test_converted_threshold_keeps_its_conversion_and_original(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(meta, rulebook)
    crule = ev.compiled.rules["DE-GWB37-CAPITAL-25"]
    pv = ParamValue.model_validate({"from": "2024-01-01", "value": 900_000_000, "citation": "Test Act §1",
                                    "url": "https://example.org/act", "status": "verified"})
    atom = CompiledAtom("dk.combined_turnover_eur > param.x", "dk", "combined_turnover_eur", ">", 120_643_432,
                        "x.test", pv, "DKK", "DKK 900,000,000 at 7.46 per EUR")
    m = margin_of(ev, crule, atom, {"id": "x", "combined_turnover_eur": {"lo": 150e6, "hi": 150e6}})
    assert m is not None
    assert m.threshold.conversion == "DKK 900,000,000 at 7.46 per EUR"
    assert m.threshold.original == "DKK 900m" and m.threshold.unit == "EUR"
    assert m.threshold.effective_from == date(2024, 1, 1)
    assert m.difference == pytest.approx(150e6 - 120_643_432)


def test_a_stake_just_below_25_percent_is_a_german_near_miss(meta: Deal, rulebook: Rulebook) -> None:
    ev = evaluate(_with_equity(meta, 23), rulebook)
    assert not ev.firings_of("DE-GWB37-CAPITAL-25")
    misses = near_misses(ev, jurisdiction="de")
    assert misses and all(n.jurisdiction == "DE" for n in misses)
    capital = [n for n in misses if n.rule_id == "DE-GWB37-CAPITAL-25"]
    assert len(capital) == 1
    (failing,) = capital[0].failing
    assert failing.fact == "stake.equity_after" and failing.holds is False
    assert failing.relative == pytest.approx(-0.08) and failing.threshold.param == "de.gwb37.capital_low"
    assert capital[0].gap == pytest.approx(0.08)
    assert "2 points below the 25% line" in capital[0].text
    assert not [n for n in near_misses(ev, band=0.05) if n.rule_id == "DE-GWB37-CAPITAL-25"]


def test_rules_that_fired_are_never_near_misses(meta: Deal, rulebook: Rulebook) -> None:
    for equity in (10, 23, 49, 51):
        ev = evaluate(_with_equity(meta, equity), rulebook)
        fired = {f.rule_id for f in ev.firings if f.status == "yes"}
        for n in near_misses(ev, band=0.5):
            assert n.rule_id not in fired
            assert n.failing and all(m.holds is False for m in n.failing)
            assert all(abs(m.relative or 0) <= 0.5 for m in n.failing)
            assert n.gap == pytest.approx(max(abs(m.relative or 0) for m in n.failing))


def test_negative_band_is_refused(meta: Deal, rulebook: Rulebook) -> None:
    with pytest.raises(ValueError, match="band"):
        near_misses(evaluate(meta, rulebook), band=-0.1)


@settings(max_examples=25, deadline=None)
@given(equity=st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda x: round(x, 2)))
def test_near_misses_fail_within_the_band_for_any_stake(rulebook: Rulebook, equity: float) -> None:
    ev = evaluate(_with_equity(load_deal(CASE), equity), rulebook)
    for n in near_misses(ev):
        for m in n.failing:
            assert m.holds is False and abs(m.relative or 0) <= 0.10 + 1e-9
    for m in margins(ev):
        if m.bound == "exact":
            assert m.holds == _OPS[m.op](m.value, m.threshold.value)


def test_report_carries_margins_and_near_misses(meta: Deal, rulebook: Rulebook) -> None:
    report = build_report(evaluate(_with_equity(meta, 23), rulebook), today=TODAY)
    with_margins = [f for f in report.findings if f.margins]
    assert with_margins
    for f in with_margins:
        assert all(m.finding == f.id and m.firing is None and m.rule_id == f.rule_id for m in f.margins)
    assert any(n.rule_id == "DE-GWB37-CAPITAL-25" for n in report.near_misses)
    assert report.meta.near_miss_band == pytest.approx(0.10)
    text = render_text(report, "full")
    assert "MARGINS THAT DECIDE SOMETHING OR SIT WITHIN 25% OF THEIR LINE" in text
    assert "NEAR MISSES (WITHIN 10% OF A THRESHOLD)" in text
    markdown = render_markdown(report, "full")
    assert "## Margins that decide something" in markdown and "## Near misses" in markdown
    data = json.loads(render_json(report))
    assert data["near_misses"] and any(f["margins"] for f in data["findings"])


def test_meta_report_shows_its_margins(meta: Deal, rulebook: Rulebook) -> None:
    report = build_report(evaluate(meta, rulebook), today=TODAY)
    margins_shown = {(m.rule_id, m.fact) for f in report.findings for m in f.margins}
    assert ("DE-GWB35-1A-TRANSACTION-VALUE", "deal.consideration_eur") in margins_shown
    assert ("DE-GWB37-CAPITAL-25", "stake.equity_after") in margins_shown
    detail = with_views(report).detail
    assert detail is not None
    shown = {m.text: m.decisive for m in detail.margins}
    assert shown["deal.consideration_eur = EUR 13.1bn, test > EUR 400m (de.gwb35.transaction_value): met, "
                 "32.7 times the line"] is True


def test_margins_can_be_left_out(meta: Deal, rulebook: Rulebook) -> None:
    report = build_report(evaluate(meta, rulebook), today=TODAY, near_miss_band=None)
    assert not report.near_misses and not any(f.margins for f in report.findings)
    full = build_report(evaluate(meta, rulebook), today=TODAY)
    assert [j.filing for j in report.jurisdictions] == [j.filing for j in full.jurisdictions]
