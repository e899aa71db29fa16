"""Conglomerate effects (rules/theories/conglomerate.yaml): the complementary and conglomerate
links of a deal file are read by a theory whose band follows its evidence (premise, ability,
incentive, effect), as the EU Non-Horizontal Merger Guidelines structure it (paras 91-121)."""

from __future__ import annotations

from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.report import Report, TheoryReport
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import TODAY


def _report(book: Rulebook, *, dominant: bool | None = True, bundling: bool | None = True, equity: float = 100,
            markets: list[dict[str, Any]] | None = None, complements: bool = True) -> Report:
    acquirer: dict[str, Any] = {"id": "a", "name": "Platform Inc.", "role": "acquirer"}
    target: dict[str, Any] = {"id": "t", "name": "App Ltd", "role": "target", "dominant": False}
    if dominant is not None:
        acquirer["dominant"] = dominant
    link: dict[str, Any] = {"a": "a", "b": "t", "kind": "complementary"}
    if bundling is not None:
        link["bundling_possible"] = bundling
    deal = Deal.model_validate({
        "schema_version": 1, "id": "cg", "title": "Platform / App",
        "parties": [acquirer, target, {"id": "o", "name": "Rival", "role": "other"}],
        "transaction": {"types": ["share_acquisition"], "closing": "2025-03-01"},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": equity, "voting_after": equity,
                    "share_class": "voting"}],
        "complements": [link] if complements else [],
        "markets": markets or [],
    })
    return build_report(evaluate(deal, book), today=TODAY, near_miss_band=None)


def _theory(report: Report) -> TheoryReport | None:
    return next((t for t in report.theories if t.theory == "conglomerate"), None)


def _steps(t: TheoryReport) -> dict[str, str]:
    return {e.step: e.status for e in t.evidence}


CONCENTRATED = [{"id": "m", "name": "Apps", "rest_max_share": 10,
                 "shares": [{"party": "a", "share": 45}, {"party": "o", "share": 30}]}]


def test_every_step_established_is_high(rulebook: Rulebook) -> None:
    t = _theory(_report(rulebook, markets=CONCENTRATED))
    assert t is not None and (t.band, t.undetermined) == ("high", False)
    assert _steps(t) == {"premise": "holds", "ability": "holds", "incentive": "holds", "effect": "holds"}


def test_ability_and_incentive_without_the_effect_is_medium(rulebook: Rulebook) -> None:
    t = _theory(_report(rulebook))
    assert t is not None and t.band == "medium"
    assert _steps(t)["effect"] == "fails"


def test_a_link_alone_is_low_and_says_what_would_raise_it(rulebook: Rulebook) -> None:
    t = _theory(_report(rulebook, dominant=None, bundling=None))
    assert t is not None and t.band == "low" and not t.undetermined
    assert t.could_reach == "medium"
    needed = {n.fact for n in t.could_reach_if}
    assert "complement.bundling_possible" in needed


def test_no_market_power_or_no_way_to_bundle_stays_low(rulebook: Rulebook) -> None:
    for kwargs in ({"dominant": False}, {"bundling": False}):
        t = _theory(_report(rulebook, **kwargs))  # type: ignore[arg-type]
        assert t is not None and t.band == "low" and t.could_reach is None, kwargs
        assert _steps(t)["ability"] == "fails"


def test_a_minority_stake_gives_no_incentive(rulebook: Rulebook) -> None:
    t = _theory(_report(rulebook, equity=20))
    assert t is not None and t.band == "low"
    assert _steps(t)["incentive"] == "fails"


def test_no_link_no_theory(rulebook: Rulebook) -> None:
    t = _theory(_report(rulebook, complements=False))
    assert t is None or t.band == "none"


def test_the_overall_risk_counts_it_as_a_substantive_concern(rulebook: Rulebook) -> None:
    assert rulebook.overall is not None and "conglomerate" in rulebook.overall.substantive
    assert rulebook.theory_title("conglomerate") == "Conglomerate effects (tying and bundling)"
