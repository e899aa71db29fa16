"""Exchange rates by financial year: a turnover converts at the average of its own year."""

from __future__ import annotations

from datetime import date
from typing import Any

from antitrust.deal import Deal
from antitrust.evaluate import evaluate
from antitrust.fxyears import FxYears
from antitrust.money import CURRENCIES
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook

from .conftest import TODAY

FIRST, LAST = 1999, 2025


def test_every_currency_has_an_average_for_every_year_since_1999(rulebook: Rulebook) -> None:
    fx = FxYears(rulebook.parameters)
    for ccy in CURRENCIES:
        if ccy == "EUR":
            continue
        years = fx.years(ccy)
        assert years, f"no exchange rate for {ccy}"
        assert years[0] <= FIRST and years[-1] >= LAST, f"{ccy}: {years[0]}-{years[-1]}"
        assert years == list(range(years[0], years[-1] + 1)), f"{ccy}: a year is missing"
        for y in years:
            v = rulebook.parameters[f"fx.{ccy.lower()}_per_eur"].at(date(y, 6, 30))
            assert v is not None and v.citation.endswith(str(y)), f"{ccy} {y} cites another year"


def test_a_year_without_an_average_uses_the_nearest_and_says_so(rulebook: Rulebook) -> None:
    fx = FxYears(rulebook.parameters)
    last = fx.years("USD")[-1]
    own = fx.rate("USD", 2012)
    assert own is not None and own.year == 2012 and own.label() == "2012 average"
    later = fx.rate("USD", last + 3)
    assert later is not None and later.year == last
    assert later.label() == f"{last} average (latest available for {last + 3})"
    earlier = fx.rate("USD", 1990)
    assert earlier is not None and earlier.year == fx.years("USD")[0] and "earliest" in earlier.label()
    assert fx.rate("EUR", 2012) is not None and fx.rate("XYZ", 2012) is None


def _deal(turnover_year: int | None) -> Deal:
    world: dict[str, Any] = {"jurisdiction": "WORLD", "amount": "10bn USD"}
    if turnover_year is not None:
        world["year"] = turnover_year
    return Deal.model_validate({
        "schema_version": 1, "id": "fx", "title": "fx",
        "parties": [
            {"id": "a", "name": "Acquirer", "role": "acquirer", "turnover": [world]},
            {"id": "t", "name": "Target", "role": "target"},
        ],
        "transaction": {"types": ["share_acquisition"], "closing": "2014-10-06", "consideration": "1bn USD"},
        "stakes": [{"holder": "a", "issuer": "t", "equity_after": 100, "voting_after": 100, "share_class": "voting"}],
    })


def _conversion(deal: Deal, book: Rulebook, what: str) -> str:
    report = build_report(evaluate(deal, book), today=TODAY)
    found = [c for c in report.conversions if c.what == what and c.result.startswith("EUR")]
    assert len(found) == 1, [c.what for c in report.conversions]
    c = found[0]
    return f"{c.original} -> {c.result} at {c.rate}"


def test_a_turnover_converts_at_its_own_financial_year(rulebook: Rulebook) -> None:
    fx = FxYears(rulebook.parameters)
    r2012 = fx.rate("USD", 2012)
    assert r2012 is not None
    text = _conversion(_deal(2012), rulebook, "Acquirer worldwide turnover")
    # 10bn USD at the 2012 average, not at the 2014 rate of the law date.
    assert "(2012 average)" in text, text
    assert f"EUR {10 / r2012.per_eur:.4g}bn" in text, text


def test_without_a_year_the_turnover_is_taken_as_the_year_before_the_law_date(rulebook: Rulebook) -> None:
    text = _conversion(_deal(None), rulebook, "Acquirer worldwide turnover")
    assert "(2013 average)" in text, text


def test_the_consideration_converts_at_the_law_dates_year(rulebook: Rulebook) -> None:
    text = _conversion(_deal(2012), rulebook, "consideration")
    assert "(2014 average)" in text, text
