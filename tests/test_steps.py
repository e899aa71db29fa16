"""Staged transactions: each dated step under its own law, and the cumulative position."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.loading import load_deal
from antitrust.render import render_markdown, render_text, with_views
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.steps import step_deal

from .conftest import ROOT

STAGED = ROOT / "tests" / "data" / "staged-deal.yaml"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def staged() -> Deal:
    return load_deal(STAGED, verify_sources=False)


def test_each_step_carries_the_position_built_so_far(staged: Deal) -> None:
    second = step_deal(staged, 1)
    (stake,) = second.stakes
    assert (stake.equity_before.value, stake.equity_after.value) == (10, 25)
    assert (stake.voting_before.value, stake.voting_after.value) == (10, 25)
    assert second.transaction.closing is not None and second.transaction.closing.value == date(2023, 6, 1)
    assert second.transaction.consideration is not None and second.transaction.consideration.value is not None
    assert second.transaction.consideration.value.amount == 80e6
    first = step_deal(staged, 0)
    assert first.transaction.closing is not None and first.transaction.closing.span == (date(2019, 3, 1),
                                                                                       date(2019, 3, 31))
    assert first.steps == []


def test_each_step_is_evaluated_under_its_own_law(staged: Deal, rulebook: Rulebook) -> None:
    report = build_report(evaluate(staged, rulebook, today=TODAY), today=TODAY, near_miss_band=None)
    assert report.meta.as_of == date(2025, 6, 13)  # the deal as a whole: the cumulative position
    first, second, third = report.steps
    assert [s.as_of for s in report.steps] == [date(2019, 3, 31), date(2023, 6, 1), date(2025, 6, 13)]
    assert first.on == "2019-03 (month only)" and first.label == "Series C"
    assert first.position == ["Acquirer in Target: equity 0% → 10%, votes 0% → 10%"]
    # Reaching 25% of the capital in 2023 is a German concentration meeting the §35(1) turnovers.
    assert second.verdicts["DE"] == "mandatory"
    assert first.verdicts["DE"] != "mandatory" and third.verdicts["DE"] != "mandatory"
    assert any(h.startswith("Germany: filing mandatory") for h in second.headlines)
    # The Irish call-in power did not exist in 2019 or June 2023.
    assert not any(h.startswith("Ireland") and "call-in" in h for h in first.headlines + second.headlines)


def test_steps_are_rendered(staged: Deal, rulebook: Rulebook) -> None:
    report = with_views(build_report(evaluate(staged, rulebook, today=TODAY), today=TODAY, near_miss_band=None))
    md = render_markdown(report, "full")
    assert "## Steps" in md and "Series E (2023-06-01, law of 2023-06-01)" in md
    full = render_text(report, "full")
    assert "STEPS" in full and "equity 10% → 25%" in full


def _data(**changes: Any) -> dict[str, Any]:
    from antitrust.yamlio import load

    data: dict[str, Any] = load(STAGED).data
    data.update(changes)
    return data


def test_steps_must_add_up_to_the_stake() -> None:
    data = _data()
    data["stakes"][0]["equity_after"] = 50
    with pytest.raises(ValueError, match=r"adds up to 49%.*equity_after is 50%"):
        Deal.model_validate(data)


def test_steps_must_be_in_date_order() -> None:
    data = _data()
    data["steps"] = list(reversed(data["steps"]))
    with pytest.raises(ValueError, match="date order"):
        Deal.model_validate(data)
