"""Money as analysts write it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antitrust.money import CURRENCIES, Money, format_money, parse_money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("14.8bn USD", 14.8e9, "USD"),
        ("USD 14,800,000,000", 14.8e9, "USD"),
        ("€400m", 400e6, "EUR"),
        ("£10m", 10e6, "GBP"),
        ("EUR 17.5m", 17.5e6, "EUR"),
        ("50 DKK", 50.0, "DKK"),
        ("1_000k SEK", 1e6, "SEK"),
    ],
)
def test_parses_common_forms(text: str, amount: float, currency: str) -> None:
    assert parse_money(text) == pytest.approx((amount, currency))


@pytest.mark.parametrize(
    ("text", "message"),
    [("14.8bn", "has no currency"), ("USD 5 EUR", "twice"), ("5 XYZ", "unsupported currency"), ("lots", "cannot read")],
)
def test_rejects_with_a_hint(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(text)


@given(st.decimals(min_value=0, max_value=10**13, places=2, allow_nan=False), st.sampled_from(CURRENCIES))
def test_plain_amounts_round_trip(amount: object, currency: str) -> None:
    text = f"{amount} {currency}"
    parsed, code = parse_money(text)
    assert code == currency
    assert parsed == pytest.approx(float(str(amount)))


@given(st.floats(min_value=0, max_value=1e13, allow_nan=False), st.sampled_from(CURRENCIES))
def test_formatted_amounts_parse_back_close(amount: float, currency: str) -> None:
    text = format_money(amount, currency).replace(",", "")
    parsed, code = parse_money(text)
    assert code == currency
    assert parsed == pytest.approx(amount, rel=1e-3, abs=1)


def test_model_accepts_text_and_mapping() -> None:
    assert Money.model_validate("€1m") == Money(amount=1e6, currency="EUR")
    assert Money.model_validate({"amount": 5, "currency": "GBP"}).currency == "GBP"
    with pytest.raises(ValueError, match="unsupported currency"):
        Money.model_validate({"amount": 5, "currency": "ABC"})
