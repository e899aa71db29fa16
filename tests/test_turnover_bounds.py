"""A turnover in one country or in the EU is never above the same party's wider turnover.

A deal file that states a small target's worldwide turnover (or an upper bound of it) and nothing
per country still settles the national tests that need more than that: the engine bounds each
unstated domestic figure by the worldwide one, and each member state's by the EU one. The bound
is logic, not a presumption, so --strict keeps it; the report says where it came from.
"""

from __future__ import annotations

from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import Evaluation, evaluate
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.ruletests import BASE_DEAL, merge

from .conftest import TODAY


def deal(target_turnover: list[dict[str, Any]], **extra: Any) -> Deal:
    fragment: dict[str, Any] = {
        "parties": [
            {"id": "a", "name": "Alpha", "role": "acquirer",
             "turnover": [{"jurisdiction": "WORLD", "amount": "50bn EUR"}, {"jurisdiction": "EU", "amount": "9bn EUR"},
                          {"jurisdiction": "DE", "amount": "2bn EUR"}]},
            {"id": "t", "name": "Tango", "role": "target", "turnover": target_turnover},
        ],
        "transaction": {"types": ["licence", "hiring"], "consideration": "300m EUR"},
        **extra,
    }
    return Deal.model_validate(merge(BASE_DEAL, fragment))


def figure(ev: Evaluation, jurisdiction: str, field: str) -> dict[str, float]:
    fact = next(f for f in ev.flat.facts if f["t"] == jurisdiction)
    return fact[field]


def test_unstated_domestic_turnover_is_bounded_by_the_worldwide_one(rulebook: Rulebook) -> None:
    ev = evaluate(deal([{"jurisdiction": "WORLD", "amount": "12m EUR"}]), rulebook, today=TODAY)
    for code in ("de", "at", "eu", "uk", "it", "jp"):
        assert figure(ev, code, "target_turnover_eur")["hi"] <= 12_000_000 + 1e-6, code
    assert figure(ev, "uk", "target_turnover_gbp")["hi"] < 12_000_000  # converted at the year's rate
    assert figure(ev, "de", "target_turnover_eur")["lo"] == 0


def test_a_member_state_is_bounded_by_the_eu_figure_when_that_is_tighter(rulebook: Rulebook) -> None:
    ev = evaluate(deal([{"jurisdiction": "WORLD", "amount": "900m EUR"}, {"jurisdiction": "EU", "amount": "15m EUR"}]),
                  rulebook, today=TODAY)
    assert figure(ev, "de", "target_turnover_eur")["hi"] <= 15_000_000 + 1e-6
    assert figure(ev, "uk", "target_turnover_eur")["hi"] <= 900_000_000 + 1e-6  # the UK is not a member state


def test_a_stated_bound_or_figure_is_kept(rulebook: Rulebook) -> None:
    ev = evaluate(deal([{"jurisdiction": "WORLD", "amount": "12m EUR"},
                        {"jurisdiction": "DE", "amount": {"at_most": "5m EUR"}},
                        {"jurisdiction": "AT", "amount": "3m EUR"}]), rulebook, today=TODAY)
    assert figure(ev, "de", "target_turnover_eur")["hi"] <= 5_000_000 + 1e-6
    assert figure(ev, "at", "target_turnover_eur") == {"lo": 3_000_000, "hi": 3_000_000}


def test_without_a_wider_figure_nothing_is_bounded(rulebook: Rulebook) -> None:
    ev = evaluate(deal([{"jurisdiction": "WORLD", "amount": "unknown"}]), rulebook, today=TODAY)
    assert "hi" not in figure(ev, "de", "target_turnover_eur") or figure(ev, "de", "target_turnover_eur")["hi"] is None


def test_the_bound_decides_the_eu_verdict_and_says_where_it_came_from(rulebook: Rulebook) -> None:
    for strict in (False, True):
        ev = evaluate(deal([{"jurisdiction": "WORLD", "amount": "12m EUR"}]), rulebook, today=TODAY, strict=strict)
        report = build_report(ev, today=TODAY)
        eu = next(j for j in report.jurisdictions if j.code == "EU")
        assert eu.filing == "not_required", (strict, eu.headline)
        assert "EU-BELOW-EU-EACH-ANY-FORM" in eu.decided_by
    used = [u for f in report.findings if f.rule_id == "EU-BELOW-EU-EACH-ANY-FORM" for u in f.facts
            if u.name == "eu.smaller_party_turnover_eur"]
    assert used and "at most EUR 12m" in used[0].value
    assert "its worldwide turnover" in (used[0].note or ""), used[0]


def test_two_acquirers_keep_the_eu_verdict_open(rulebook: Rulebook) -> None:
    d = deal([{"jurisdiction": "WORLD", "amount": "12m EUR"}])
    second = {"id": "b", "name": "Bravo", "role": "acquirer", "turnover": [{"jurisdiction": "EU", "amount": "800m EUR"}]}
    jv = Deal.model_validate({**d.model_dump(mode="json", exclude_none=True), "parties": [
        *d.model_dump(mode="json", exclude_none=True)["parties"], second]})
    report = build_report(evaluate(jv, rulebook, today=TODAY), today=TODAY)
    eu = next(j for j in report.jurisdictions if j.code == "EU")
    assert "EU-BELOW-EU-EACH-ANY-FORM" not in eu.decided_by
    assert eu.filing != "not_required" or eu.decided_by, eu.headline


def test_with_two_parents_the_smaller_party_is_the_second_largest_undertaking(rulebook: Rulebook) -> None:
    """'At least two undertakings each above X': two large parents meet it whatever the target's size."""
    parties = [
        {"id": "a", "name": "Alpha", "role": "acquirer", "turnover": [{"jurisdiction": "EU", "amount": "900m EUR"}]},
        {"id": "b", "name": "Bravo", "role": "acquirer", "turnover": [{"jurisdiction": "EU", "amount": "800m EUR"}]},
        {"id": "t", "name": "Tango", "role": "target", "turnover": [{"jurisdiction": "EU", "amount": "10m EUR"}]},
    ]
    jv = Deal.model_validate(merge(BASE_DEAL, {"parties": parties}))
    ev = evaluate(jv, rulebook, today=TODAY)
    assert figure(ev, "eu", "smaller_party_turnover_eur") == {"lo": 800_000_000, "hi": 800_000_000}
    one = Deal.model_validate(merge(BASE_DEAL, {"parties": [parties[0], parties[2]]}))
    assert figure(evaluate(one, rulebook, today=TODAY), "eu", "smaller_party_turnover_eur")["hi"] == 10_000_000
