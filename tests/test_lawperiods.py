"""Every date of a period of the rulebook's law has the same parameter epoch and the same regimes
modelled, so both are worked out once per period (antitrust.lawperiods)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antitrust import ruletables
from antitrust.compiler import parameter_epoch
from antitrust.evaluate import compiled_for
from antitrust.lawperiods import period_start, period_starts
from antitrust.params import Parameter
from antitrust.regimes import Regime
from antitrust.rulebook import Rulebook

SOURCE = {"citation": "Test Act s. 1", "url": "https://example.invalid/", "status": "verified"}


@pytest.fixture(scope="module")
def with_gaps(rulebook: Rulebook) -> Rulebook:
    """The rulebook with a regime whose law starts on a day of its own and whose one threshold
    lapses for a while: dates where nothing else in the rulebook changes."""
    threshold = Parameter.model_validate({
        "name": "zz.threshold", "title": "Test threshold", "unit": "EUR", "values": [
            {"from": "2001-03-07", "until": "2003-06-30", "value": 5e6, **SOURCE},
            {"from": "2005-02-09", "value": 7e6, **SOURCE}]})
    regime = Regime(code="ZZ", name="Testland", filing="mandatory", suspensory=True, authority="Test Authority",
                    citation="Test Act", url="https://example.invalid/", since=date(2002, 2, 2), params=["zz."])
    return dataclasses.replace(rulebook, parameters={**rulebook.parameters, threshold.name: threshold},
                               regimes={**rulebook.regimes, "ZZ": regime}, content_hash=rulebook.content_hash + "-gaps")


def law_on(book: Rulebook, day: date) -> tuple[object, ...]:
    """Everything the rulebook applies on ``day`` that depends on the date."""
    modelled = tuple(book.regime(code).modelled_on(day, book.parameters) for code in book.regimes)
    return parameter_epoch(book, day), modelled


def test_the_periods_begin_where_values_rules_and_regimes_begin_or_end(rulebook: Rulebook) -> None:
    starts = period_starts(rulebook)
    assert starts[0] == date.min and starts == sorted(set(starts))
    for parameter in rulebook.parameters.values():
        for value in parameter.values:
            assert value.from_ in starts
            if value.until is not None:
                assert value.until + timedelta(days=1) in starts
    for rule in rulebook.rules:
        if rule.spec.in_force is not None and rule.spec.in_force.until is not None:
            assert rule.spec.in_force.until + timedelta(days=1) in starts
    assert all(r.since in starts for r in rulebook.regimes.values() if r.since is not None)


@pytest.mark.parametrize("book", ["rulebook", "with_gaps"])
def test_the_law_changes_only_where_a_period_begins(book: str, request: pytest.FixtureRequest) -> None:
    """On the day before each period, its first day and the day after: the law is that of the
    period's first day; and it does change from one period to the next somewhere."""
    rulebook: Rulebook = request.getfixturevalue(book)
    starts = period_starts(rulebook)
    changes = 0
    for start in starts[1:]:
        before = start - timedelta(days=1)
        assert period_start(rulebook, before) < start == period_start(rulebook, start)
        for day in (before, start, start + timedelta(days=1)):
            assert law_on(rulebook, day) == law_on(rulebook, period_start(rulebook, day))
        changes += law_on(rulebook, before) != law_on(rulebook, start)
    assert changes > len(starts) // 2  # the periods are not cut finer than the law needs, mostly


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2060, 12, 31)))
def test_any_date_has_the_law_of_its_period(rulebook: Rulebook, with_gaps: Rulebook, day: date) -> None:
    for book in (rulebook, with_gaps):
        assert law_on(book, day) == law_on(book, period_start(book, day))
        for code in book.regimes:
            assert ruletables.modelled_on(book, code, day) == book.regime(code).modelled_on(day, book.parameters)


def test_a_lapsed_threshold_and_a_late_regime_start_periods_of_their_own(with_gaps: Rulebook) -> None:
    modelled = {day: ruletables.modelled_on(with_gaps, "ZZ", day) for day in (
        date(2002, 2, 1), date(2002, 2, 2), date(2003, 6, 30), date(2003, 7, 1), date(2005, 2, 8), date(2005, 2, 9))}
    assert list(modelled.values()) == [False, True, True, False, False, True]


def test_dates_of_one_period_share_a_compiled_ruleset_dated_for_each(rulebook: Rulebook) -> None:
    start = period_starts(rulebook)[-2]
    first, session = compiled_for(rulebook, start)
    later, same_session = compiled_for(rulebook, start + timedelta(days=3))
    assert same_session is session and later.name == first.name
    assert later.as_of == start + timedelta(days=3)
