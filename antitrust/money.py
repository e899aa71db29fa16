"""Money amounts as analysts write them: ``14.8bn USD``, ``USD 14,800,000,000``, ``€400m``."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Currencies the engine can convert (the FX parameters must cover each of them).
CURRENCIES = ("EUR", "USD", "GBP", "DKK", "SEK", "JPY", "KRW", "CHF")
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₩": "KRW"}
_SCALES = {"": 1, "k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12}
_MONEY = re.compile(
    r"^\s*(?P<pre>[A-Z]{3}|[€$£¥₩])?\s*(?P<num>[0-9][0-9,_]*(?:\.[0-9]+)?)\s*"
    r"(?P<scale>k|m|mn|bn|b|tn)?\s*(?P<post>[A-Z]{3})?\s*$"
)


def parse_money(text: str) -> tuple[float, str]:
    """Parse ``"14.8bn USD"`` into ``(14800000000.0, "USD")``.

    >>> parse_money("€400m")
    (400000000.0, 'EUR')
    >>> parse_money("USD 1,250,000")
    (1250000.0, 'USD')
    """
    m = _MONEY.match(text)
    if not m:
        raise ValueError(
            f"cannot read {text!r} as money; write e.g. '14.8bn USD', 'EUR 400m' or '€17.5m'"
        )
    pre, post = m["pre"], m["post"]
    if pre and post:
        raise ValueError(f"{text!r} names its currency twice")
    code = _SYMBOLS.get(pre or "", pre or post)
    if code is None:
        raise ValueError(f"{text!r} has no currency; add one, e.g. '{text.strip()} USD'")
    if code not in CURRENCIES:
        raise ValueError(f"unsupported currency {code!r}; expected one of {', '.join(CURRENCIES)}")
    try:
        number = Decimal(m["num"].replace(",", "").replace("_", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise ValueError(f"cannot read the number in {text!r}") from None
    return float(number * _SCALES[m["scale"] or ""]), code


class Money(BaseModel):
    """An amount in a currency. Accepts a mapping or a string such as ``'14.8bn USD'``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: float = Field(ge=0, description="Amount in full currency units (not millions).")
    currency: str = Field(description="ISO 4217 code, e.g. USD, EUR, GBP.")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        if isinstance(data, str):
            amount, currency = parse_money(data)
            return {"amount": amount, "currency": currency}
        return data

    @model_validator(mode="after")
    def _known_currency(self) -> Money:
        if self.currency not in CURRENCIES:
            raise ValueError(
                f"unsupported currency {self.currency!r}; expected one of {', '.join(CURRENCIES)}"
            )
        return self

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def format_money(amount: float, currency: str) -> str:
    """``format_money(14.8e9, 'USD') == 'USD 14.8bn'``."""
    if 10**3 <= abs(amount) < 10**6 and amount % 1000:
        return f"{currency} {amount:,.0f}"  # e.g. a daily penalty of USD 53,088: keep every digit
    for suffix, scale in (("bn", 10**9), ("m", 10**6), ("k", 10**3)):
        if abs(amount) >= scale:
            v = amount / scale
            # 4 significant digits, never in exponent form (1.5e+04bn would not read back)
            return f"{currency} {v:,.4g}{suffix}" if v < 1000 else f"{currency} {v:,.0f}{suffix}"
    return f"{currency} {amount:,.0f}"
