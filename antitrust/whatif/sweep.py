"""Sweeps: one numeric field of a deal set to each value of a range, and the outcomes at each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

from antitrust.deal import Deal, Fact, Turnover
from antitrust.evaluate import evaluate
from antitrust.money import Money, format_money, parse_money
from antitrust.rulebook import Rulebook
from antitrust.verdicts import outcomes
from antitrust.whatif.paths import (
    Assignment,
    FrozenModel,
    WhatIfError,
    apply_changes,
    is_model,
    parse_path,
    resolve,
    unwrap,
)

MAX_SWEEP_POINTS = 1000


class SweepColumn(FrozenModel):
    key: str = Field(description="Jurisdiction code, or theory:<name>.")
    label: str


class SweepRow(FrozenModel):
    value: float
    display: str
    outcomes: dict[str, str]
    flips: list[str] = Field(description="Columns whose outcome differs from the previous row.")
    appeared: list[str] = Field(description="Rules firing here that did not fire at the previous value.")
    disappeared: list[str]


class Sweep(FrozenModel):
    deal_id: str
    deal_title: str
    path: str
    unit: str | None = Field(description="Currency of money values, else None.")
    as_of: date = Field(description="Date whose law was applied.")
    changes: list[Assignment] = Field(default_factory=list, description="Changes made before sweeping (--set).")
    columns: list[SweepColumn]
    rows: list[SweepRow]
    constant: dict[str, str] = Field(description="Columns with one outcome over the whole range.")


def _range_part(text: str) -> tuple[Decimal, str | None]:
    t = text.strip()
    try:
        return Decimal(t), None
    except InvalidOperation:
        pass
    try:
        amount, currency = parse_money(t)
    except ValueError:
        raise ValueError(f"{t!r} is not a number or an amount of money") from None
    return Decimal(str(amount)), currency


def parse_range(text: str) -> tuple[list[Decimal], str | None]:
    """'START:STOP:STEP' (STOP included) -> values, and the currency if amounts named one."""
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError("write START:STOP:STEP, e.g. 0:100:5 or 'EUR 10m:EUR 30m:EUR 1m'")
    (start, c1), (stop, c2), (step, c3) = (_range_part(p) for p in parts)
    currencies = {c for c in (c1, c2, c3) if c is not None}
    if len(currencies) > 1:
        raise ValueError(f"the range mixes currencies ({', '.join(sorted(currencies))})")
    if step == 0:
        raise ValueError("STEP must not be 0")
    if (stop - start) * step < 0:
        raise ValueError("STEP goes away from STOP; use a negative STEP to go down")
    count = int((stop - start) / step) + 1
    if count > MAX_SWEEP_POINTS:
        raise ValueError(f"{count} values; a sweep takes at most {MAX_SWEEP_POINTS}")
    return [start + step * i for i in range(count)], (currencies.pop() if currencies else None)


@dataclass(frozen=True)
class _SweepTarget:
    fact: bool  # the path holds a whole fact (values go in as {value: ...})
    money: bool
    currency: str | None  # the current currency, when money is stated
    integer: bool

    def value(self, v: Decimal, unit: str | None) -> Any:
        number: Any = {"amount": float(v), "currency": unit} if self.money else (
            int(v) if self.integer else float(v))
        return {"value": number} if self.fact else number


def _sweep_target(deal: Deal, path: str) -> _SweepTarget:
    slot = resolve(deal.model_dump(), parse_path(path), create=True)
    tp = unwrap(slot.type)
    node = slot.value
    if is_model(tp) and issubclass(tp, Turnover):
        tp = unwrap(Turnover.model_fields["amount"].annotation)
        node = node.get("amount") if isinstance(node, dict) else None
    fact = is_model(tp) and issubclass(tp, Fact)
    inner = unwrap(tp.model_fields["value"].annotation) if fact else tp
    if inner is not Money and inner not in (int, float):
        raise ValueError(f"{path} is not a number or an amount of money; a sweep varies one of those")
    money_node = node.get("value") if fact and isinstance(node, dict) else node
    currency = money_node.get("currency") if inner is Money and isinstance(money_node, dict) else None
    return _SweepTarget(fact=fact, money=inner is Money, currency=currency, integer=inner is int)


def sweep(deal: Deal, book: Rulebook, vary: str, as_of: date | None = None, today: date | None = None,
          sets: Sequence[tuple[str, Any]] = ()) -> Sweep:
    """Evaluate the deal (first changed by ``sets``, if any) with one numeric field set to each
    value of a range."""
    base: list[Assignment] = []
    if sets:
        deal, base = apply_changes(deal, sets)
    path, sep, spec = vary.partition("=")
    option = f"--vary {vary}"
    if not sep or not path.strip():
        raise WhatIfError(option, "write PATH=START:STOP:STEP, e.g. stakes[0].equity_after=0:100:5")
    path = path.strip()
    try:
        parse_path(path)
        values, currency = parse_range(spec)
        target = _sweep_target(deal, path)
    except ValueError as exc:
        raise WhatIfError(option, str(exc)) from None
    unit = None
    if target.money:
        unit = currency or target.currency
        if unit is None:
            raise WhatIfError(option, "the value is money and currently unknown: name the currency, "
                                      "e.g. 'EUR 10m:EUR 30m:EUR 1m'")
    elif currency is not None:
        raise WhatIfError(option, f"{path} is not an amount of money; give plain numbers")
    if target.integer and any(v != v.to_integral_value() for v in values):
        raise WhatIfError(option, f"{path} takes whole numbers; use a whole START and STEP")
    rows: list[SweepRow] = []
    columns: list[SweepColumn] | None = None
    prev_rules: Counter[tuple[str, str]] | None = None
    applied: date | None = None
    for v in values:
        value = target.value(v, unit)
        changed, _ = apply_changes(deal, [(path, value)], "--vary", describe_changes=False)
        ev = evaluate(changed, book, as_of=as_of, today=today)
        applied = applied or ev.as_of
        outs = outcomes(ev)
        if columns is None:
            columns = [SweepColumn(key=k, label=_column_label(book, k)) for k in outs]
        rules = Counter((f.rule_id, f.status) for f in ev.firings)
        prev = rows[-1].outcomes if rows else None
        flips = [k for k in outs if prev is not None and prev.get(k) != outs[k]]
        appeared = sorted(_rule_text(k) for k in (rules - prev_rules)) if prev_rules is not None else []
        disappeared = sorted(_rule_text(k) for k in (prev_rules - rules)) if prev_rules is not None else []
        rows.append(SweepRow(
            value=float(v),
            display=format_money(float(v), unit) if unit else f"{float(v):g}",
            outcomes=outs, flips=flips, appeared=sorted(set(appeared)), disappeared=sorted(set(disappeared)),
        ))
        prev_rules = rules
    cols = columns or []
    constant = {c.key: rows[0].outcomes[c.key] for c in cols if len({r.outcomes[c.key] for r in rows}) == 1}
    assert applied is not None
    return Sweep(deal_id=deal.id, deal_title=deal.title, path=path, unit=unit, as_of=applied, changes=base,
                 columns=cols, rows=rows, constant=constant)


def _rule_text(key: tuple[str, str]) -> str:
    rule_id, status = key
    return rule_id if status == "yes" else f"{rule_id} (undetermined)"


def _column_label(book: Rulebook, key: str) -> str:
    if key.startswith("theory:"):
        return book.theory_title(key[7:])
    return key
