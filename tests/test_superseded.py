"""Questions that cannot move a verdict are not asked.

A rule that matches once through a derived fact that holds (control by a majority of the votes)
and once through one still open (control through vetoes nobody stated) concludes nothing more by
the second match, so the vetoes are not among the facts the verdict needs, nor among the report's
information requests. Where the same vetoes do decide (a minority stake), they are asked for.
"""

from __future__ import annotations

from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.ruletests import BASE_DEAL, merge
from antitrust.superseded import moot, superseded

from .conftest import TODAY

#: EU turnovers that leave the EU verdict open (the member-state split is not stated).
PARTIES = [
    {"id": "a", "name": "Alpha", "role": "acquirer",
     "turnover": [{"jurisdiction": "WORLD", "amount": "20bn EUR"}, {"jurisdiction": "EU", "amount": "unknown"}]},
    {"id": "t", "name": "Tango", "role": "target",
     "turnover": [{"jurisdiction": "WORLD", "amount": "2bn EUR"}, {"jurisdiction": "EU", "amount": "unknown"}]},
]


def deal(stake: float) -> Deal:
    fragment: dict[str, Any] = {
        "parties": PARTIES,
        "stakes": [{"holder": "a", "issuer": "t", "equity_before": 0, "voting_before": 0,
                    "equity_after": stake, "voting_after": stake, "share_class": "voting"}],
    }
    return Deal.model_validate(merge(BASE_DEAL, fragment))


def report(d: Deal, book: Rulebook) -> Report:
    return build_report(evaluate(d, book, today=TODAY), today=TODAY)


def asks_about_governance(r: Report) -> list[str]:
    return [q.question for q in r.info_requests if q.question.startswith("governance")]


def eu_needs(r: Report) -> set[str]:
    eu = next(j for j in r.jurisdictions if j.code == "EU")
    assert eu.filing == "undetermined"
    return {n.path for n in eu.needed}


def test_a_full_acquisition_is_not_asked_about_vetoes(rulebook: Rulebook) -> None:
    r = report(deal(100), rulebook)
    assert not any(p.startswith("governance") for p in eu_needs(r)), eu_needs(r)
    assert asks_about_governance(r) == []
    # the turnovers that do decide are still asked for
    assert any("turnover[EU]" in p for p in eu_needs(r))


def test_a_minority_stake_is_asked_about_vetoes(rulebook: Rulebook) -> None:
    r = report(deal(20), rulebook)
    assert any(p.startswith("governance") for p in eu_needs(r)), eu_needs(r)
    assert asks_about_governance(r)


def test_superseded_firings_rest_on_an_open_derived_fact_beside_a_settled_match(rulebook: Rulebook) -> None:
    ev = evaluate(deal(100), rulebook, today=TODAY)
    gone = superseded(ev)
    assert gone, "a full acquisition with unstated vetoes has a superseded match"
    for i in gone:
        f = ev.firings[i]
        assert f.status == "maybe"
        assert any(ev.derived[d].status == "maybe" for d in f.derived_inputs)
        twins = [g for j, g in enumerate(ev.firings) if j != i and g.rule_id == f.rule_id]
        assert any(all(ev.derived[d].status == "yes" for d in g.derived_inputs) for g in twins)
    for i in moot(ev, gone):
        assert ev.firings[i].derived_id is not None
        assert ev.derived[ev.firings[i].derived_id].status == "maybe"


def test_nothing_is_superseded_when_the_open_match_is_the_only_one(rulebook: Rulebook) -> None:
    ev = evaluate(deal(20), rulebook, today=TODAY)
    eu_rules = {i for i in superseded(ev) if ev.firings[i].rule_id.startswith("EU-EUMR")}
    assert eu_rules == set()
