"""What-if analysis: counterfactual facts, sweeps, and the smallest changes that flip a verdict.

Every answer here comes from real evaluations: a changed deal is a new :class:`Deal` (the
original's data with the change applied, validated again), evaluated by the same pure
``evaluate(deal, rulebook, as_of)``. Nothing edits a file and nothing is inferred.

Paths
-----
A PATH names a field of the deal file the way the report prints it::

    stakes[0].voting_after               a list item by index ...
    stakes.0.voting_after                ... or by a dotted index
    parties[scale].turnover[DE]          a party by id, a turnover by jurisdiction (its amount)
    parties[id=scale].competes_with_acquirer
                                         any list item by field=value
    parties[1].domestic_activity.DE      a key of a mapping (codes as in the file, e.g. DE)
    transaction.consideration

``[key]`` picks parties, markets and sources of supply by ``id``, turnovers by ``jurisdiction``
and market shares by ``party``; other lists take an index or ``[field=value]``. Setting a
turnover, or a mapping key, that the file does not state adds it.

A VALUE is read as YAML: ``49``, ``true``, ``non_voting``, ``EUR 20m``, ``unknown``,
``[share_acquisition, hiring]``, ``{value: 49, source: "doc#p3"}``. A plain value replaces the
whole fact, source included (the value is hypothetical); ``...voting_after.value=49`` changes
the value only and keeps the rest.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import time
import types
import typing
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from io import StringIO
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from typing_extensions import TypeAliasType

from antitrust.compiler import CompiledAtom
from antitrust.deal import Deal, Fact, Turnover
from antitrust.errors import InputError, Location
from antitrust.evaluate import Evaluation, evaluate
from antitrust.margins import number_text
from antitrust.money import CURRENCIES, Money, format_money, parse_money
from antitrust.report import Report
from antitrust.reporting import build_report
from antitrust.rulebook import Rulebook
from antitrust.validation import did_you_mean
from antitrust.verdicts import jurisdiction_verdict, outcomes, theory_band
from antitrust.vocabulary import FACT_TYPES, ROLES

#: Lists whose items ``[key]`` picks by one identifying field.
LIST_KEYS = {"parties": "id", "turnover": "jurisdiction", "markets": "id", "shares": "party"}
#: Mappings keyed by jurisdiction codes, which the engine reads in upper case.
UPPER_KEYS = frozenset({"domestic_activity"})
MAX_SWEEP_POINTS = 1000
DEFAULT_TIME_LIMIT = 10.0
DEFAULT_FLIPS_PER_TARGET = 10


class WhatIfError(InputError):
    """A --set, --vary or other what-if argument is wrong (bad path, wrong type, bad range)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(Location(option), message)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# == paths ======================================================================================
@dataclass(frozen=True)
class Step:
    kind: Literal["key", "index", "match"]
    key: str | int
    field: str | None = None  # for "match": the item field compared; None = the list's own key

    def __str__(self) -> str:
        if self.kind == "key":
            return str(self.key)
        if self.kind == "index":
            return f"[{self.key}]"
        return f"[{self.field}={self.key}]" if self.field else f"[{self.key}]"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*|\d+")


def parse_path(text: str) -> tuple[Step, ...]:
    """Parse ``stakes[0].voting_after``, ``stakes.0.voting_after``, ``parties[id=x].turnover[DE]``."""
    steps: list[Step] = []
    pos, want_name = 0, True
    text = text.strip()
    while pos < len(text):
        ch = text[pos]
        if want_name:
            m = _NAME.match(text, pos)
            if m is None:
                raise ValueError(f"expected a field name or index at character {pos + 1}")
            tok = m.group()
            steps.append(Step("index", int(tok)) if tok.isdigit() else Step("key", tok))
            pos, want_name = m.end(), False
        elif ch == ".":
            pos, want_name = pos + 1, True
        elif ch == "[":
            end = text.find("]", pos)
            if end < 0:
                raise ValueError(f"'[' at character {pos + 1} is not closed")
            inner = text[pos + 1:end].strip()
            if not inner:
                raise ValueError(f"empty [] at character {pos + 1}")
            if inner.isdigit():
                steps.append(Step("index", int(inner)))
            elif "=" in inner:
                fld, _, val = inner.partition("=")
                if not fld.strip() or not val.strip():
                    raise ValueError(f"write [field=value], not [{inner}]")
                steps.append(Step("match", val.strip(), fld.strip()))
            else:
                steps.append(Step("match", inner))
            pos = end + 1
        else:
            raise ValueError(f"unexpected {ch!r} at character {pos + 1}")
    if want_name:
        raise ValueError("the path is empty or ends with '.'")
    return tuple(steps)


def _unwrap(tp: Any) -> Any:
    """The plain type behind Optional, a named alias (``Pct``) and ``Annotated`` constraints."""
    if isinstance(tp, TypeAliasType):
        return _unwrap(tp.__value__)
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _unwrap(args[0])
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


@dataclass
class _Slot:
    parent: Any  # dict or list
    key: str | int
    type: Any
    label: str

    @property
    def value(self) -> Any:
        if isinstance(self.parent, list):
            return self.parent[self.key]  # type: ignore[index]
        return self.parent.get(self.key)


def _describe_type(tp: Any) -> str:
    tp = _unwrap(tp)
    if _is_model(tp):
        if issubclass(tp, Fact):
            return "a fact"
        return f"a {tp.__name__.lower()} record"
    origin = typing.get_origin(tp)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    return "a single value"


def _resolve(data: dict[str, Any], steps: Sequence[Step], *, create: bool) -> _Slot:
    """Walk ``steps`` through the deal's data alongside the Deal model's field types."""
    cur: Any = data
    tp: Any = Deal
    slot: _Slot | None = None
    label = ""
    last_name = ""
    for i, step in enumerate(steps):
        final = i == len(steps) - 1
        tp = _unwrap(tp)
        where = label or "the deal"
        if cur is None:
            if create and slot is not None and (_is_model(tp) or typing.get_origin(tp) is dict):
                slot.parent[slot.key] = {}
                cur = slot.parent[slot.key]
            else:
                raise ValueError(f"{where} is not stated, so it has no {step}")
        origin = typing.get_origin(tp)
        if _is_model(tp):
            if step.kind != "key":
                raise ValueError(f"{where} is {_describe_type(tp)}, not a list; name one of its fields")
            fields = tp.model_fields
            name = str(step.key)
            if name not in fields:
                raise ValueError(f"{where} has no field {name!r}{did_you_mean(name, fields)}"
                                 f" (fields: {', '.join(fields)})")
            slot = _Slot(cur, name, fields[name].annotation, f"{label}.{name}" if label else name)
            cur, tp, last_name = cur.get(name), fields[name].annotation, name
        elif origin is list:
            item_type = typing.get_args(tp)[0]
            if step.kind == "key":
                raise ValueError(f"{where} is a list; pick an item with {where}[0] or {where}[key]")
            if step.kind == "index":
                idx = int(step.key)
                if not 0 <= idx < len(cur):
                    count = f"{len(cur)} item" + ("" if len(cur) == 1 else "s")
                    raise ValueError(f"{where} has {count}; index {idx} is out of range")
            else:
                fld = step.field or LIST_KEYS.get(last_name)
                if fld is None:
                    raise ValueError(f"items of {where} have no id; use an index ({where}[0]) or [field=value]")
                wanted = str(step.key).lower()
                found = [j for j, item in enumerate(cur)
                         if isinstance(item, dict) and str(item.get(fld)).lower() == wanted]
                if found:
                    idx = found[0]
                elif create and final and last_name == "turnover" and fld == "jurisdiction":
                    cur.append({"jurisdiction": str(step.key).upper(), "amount": "unknown"})
                    idx = len(cur) - 1
                else:
                    known = ", ".join(str(item.get(fld)) for item in cur if isinstance(item, dict))
                    raise ValueError(f"no item of {where} has {fld} {step.key!r}"
                                     f"{did_you_mean(str(step.key), [str(x.get(fld)) for x in cur])}"
                                     f" (known: {known or 'none'})")
            slot = _Slot(cur, idx, item_type, f"{where}[{idx}]" if step.kind == "index" or step.field
                         else f"{where}[{step.key}]")
            cur, tp = cur[idx], item_type
        elif origin is dict:
            value_type = typing.get_args(tp)[1]
            key = str(step.key)
            same = [k for k in cur if k.lower() == key.lower()]
            if key not in cur and same:
                key = same[0]  # DE and de name the same jurisdiction
            elif key not in cur and last_name in UPPER_KEYS:
                key = key.upper()
            if key not in cur and not (create and final):
                known = ", ".join(cur) or "none"
                raise ValueError(f"{where} has no key {key!r} (known: {known})")
            slot = _Slot(cur, key, value_type, f"{where}.{key}")
            cur, tp = cur.get(key), value_type
        else:
            raise ValueError(f"{where} is {_describe_type(tp)}; it has no {step}")
        label = slot.label
    assert slot is not None
    return slot


def read_value(text: str) -> Any:
    """A --set value as YAML: numbers, booleans, dates, words, lists and mappings."""
    try:
        value = YAML(typ="safe", pure=True).load(StringIO(text))
    except YAMLError as exc:
        first = str(exc).strip().splitlines()[0]
        raise ValueError(f"cannot read the value {text!r} ({first})") from None
    return "unknown" if value is None and text.strip() == "" else value


def _set(data: dict[str, Any], steps: Sequence[Step], value: Any) -> _Slot:
    slot = _resolve(data, steps, create=True)
    tp = _unwrap(slot.type)
    if _is_model(tp) and issubclass(tp, Turnover) and not (
            isinstance(value, dict) and ({"jurisdiction", "amount"} & set(value))):
        item = slot.value
        slot = _Slot(item, "amount", Turnover.model_fields["amount"].annotation, f"{slot.label}.amount")
    slot.parent[slot.key] = copy.deepcopy(value)
    return slot


def describe(node: Any) -> str:
    """A deal-file value as a person reads it: 'unknown', 'USD 14.8bn', '49', 'non_voting'."""
    if node is None:
        return "not stated"
    if isinstance(node, dict):
        if set(node) == {"value"}:  # a fact given as {value: ...}
            return describe(node["value"])
        if "unknown" in node and "value" in node:  # a fact
            if node.get("unknown"):
                bounds = [f"{k.replace('_', ' ')} {describe(node[k])}" for k in ("at_least", "at_most")
                          if node.get(k) is not None]
                return "unknown" + (f" ({', '.join(bounds)})" if bounds else "")
            return describe(node.get("value"))
        if set(node) >= {"amount", "currency"}:
            return format_money(float(node["amount"]), str(node["currency"]))
        if "jurisdiction" in node and "amount" in node:
            return describe(node["amount"])
        return "{" + ", ".join(f"{k}: {describe(v)}" for k, v in node.items() if v not in (None, [], {})) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(describe(v) for v in node) + "]"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, float) and node.is_integer():
        return str(int(node))
    if isinstance(node, Money):
        return str(node)
    return str(node)


def _validate(data: dict[str, Any], option: str) -> Deal:
    try:
        return Deal.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        raise WhatIfError(option, f"{msg} (at {loc})" if loc else msg) from None


class Assignment(_Model):
    path: str
    before: str
    after: str


def apply_changes(deal: Deal, sets: Iterable[tuple[str, Any]], option: str = "--set", *,
                  describe_changes: bool = True) -> tuple[Deal, list[Assignment]]:
    """``deal`` with each (path, value) applied (values already parsed), validated again; and,
    unless ``describe_changes`` is off, each change as 'before -> after'."""
    data = deal.model_dump()
    done: list[tuple[str, tuple[Step, ...], str]] = []
    sets = list(sets)
    for path, value in sets:
        where = f"{option} {path}"
        try:
            steps = parse_path(path)
            before = "not stated"
            if describe_changes and _exists(data, steps):
                before = describe(_resolve(data, steps, create=False).value)
            _set(data, steps, value)
        except ValueError as exc:
            raise WhatIfError(where, str(exc)) from None
        done.append((path, steps, before))
    changed = _validate(data, option + " " + ", ".join(f"{p}={_short(v)}" for p, v in sets))
    if not describe_changes:
        return changed, []
    after_data = changed.model_dump()
    out = []
    for path, steps, before in done:
        slot = _resolve(after_data, steps, create=False)
        node = slot.value
        if _is_model(_unwrap(slot.type)) and issubclass(_unwrap(slot.type), Turnover):
            node = node.get("amount")
        out.append(Assignment(path=path, before=before, after=describe(node)))
    return changed, out


def _short(value: Any) -> str:
    """A value as the user could have typed it (for messages)."""
    if isinstance(value, str | int | float | bool | date):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return json.dumps(value, default=str)


def _exists(data: dict[str, Any], steps: Sequence[Step]) -> bool:
    try:
        _resolve(copy.deepcopy(data), steps, create=False)
    except ValueError:
        return False
    return True


def parse_set(text: str, option: str = "--set") -> tuple[str, Any]:
    """'PATH=VALUE' -> (path, parsed value); the path is checked for syntax."""
    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        raise WhatIfError(f"{option} {text}", "write PATH=VALUE, e.g. stakes[0].voting_after=49")
    try:
        parse_path(path)
        value = read_value(raw)
    except ValueError as exc:
        raise WhatIfError(f"{option} {text}", str(exc)) from None
    return path.strip(), value


def value_at(deal: Deal, path: str) -> Any:
    """The deal-file data at ``path`` (as dumped by the model), for showing and reverting."""
    try:
        return copy.deepcopy(_resolve(deal.model_dump(), parse_path(path), create=False).value)
    except ValueError as exc:
        raise WhatIfError(path, str(exc)) from None


# == what-if ===================================================================================
class Scenario(_Model):
    as_of: date
    changes: list[Assignment]


class VerdictRow(_Model):
    code: str
    name: str
    before: str
    after: str
    changed: bool
    decided_before: list[str] = Field(description="Rules that settle the verdict as given.")
    decided_after: list[str] = Field(description="Rules that settle the verdict as changed.")


class BandRow(_Model):
    theory: str
    title: str
    before: str
    after: str
    changed: bool
    decided_before: list[str]
    decided_after: list[str]


class FindingChange(_Model):
    rule_id: str
    title: str
    status: Literal["holds", "undetermined"]
    conclusion: str
    reason: str


class ParamChange(_Model):
    """A parameter whose value in force differs between the two dates."""

    name: str
    before: str
    after: str
    before_from: date | None
    after_from: date | None
    citation: str | None = Field(description="Citation of the value in force as changed.")


class WhatIf(_Model):
    deal_id: str
    deal_title: str
    base: Scenario
    changed: Scenario
    verdicts: list[VerdictRow]
    bands: list[BandRow]
    appeared: list[FindingChange]
    disappeared: list[FindingChange]
    parameters: list[ParamChange] = Field(default_factory=list,
                                          description="Parameters in force with different values (when the dates differ).")


def _verdict_text(filing: str, suspensory: bool) -> str:
    return filing.replace("_", " ") + (", suspensory" if suspensory and filing == "mandatory" else "")


def compare(ev0: Evaluation, before: Report, ev1: Evaluation, after: Report, base: Scenario,
            changed: Scenario) -> WhatIf:
    """What differs between two evaluations (and their reports) of a deal: verdicts, bands, findings."""
    jb = {j.code: j for j in before.jurisdictions}
    ja = {j.code: j for j in after.jurisdictions}
    verdicts = []
    for code in list(dict.fromkeys([*jb, *ja])):
        b, a = jb.get(code), ja.get(code)
        tb = _verdict_text(b.filing, b.suspensory) if b else "no rules in force"
        ta = _verdict_text(a.filing, a.suspensory) if a else "no rules in force"
        verdicts.append(VerdictRow(
            code=code, name=ev0.compiled.rulebook.regime(code).name, before=tb, after=ta, changed=tb != ta,
            decided_before=_decided(ev0, code) if b else [],
            decided_after=_decided(ev1, code) if a else [],
        ))
    tb_ = {t.theory: t for t in before.theories}
    ta_ = {t.theory: t for t in after.theories}
    bands = []
    for theory in list(dict.fromkeys([*tb_, *ta_])):
        b2, a2 = tb_.get(theory), ta_.get(theory)
        sb = (b2.band + (" (undetermined)" if b2.undetermined else "")) if b2 else "none"
        sa = (a2.band + (" (undetermined)" if a2.undetermined else "")) if a2 else "none"
        bands.append(BandRow(
            theory=theory, title=ev0.compiled.rulebook.theory_title(theory), before=sb, after=sa, changed=sb != sa,
            decided_before=_decided(ev0, f"theory:{theory}") if b2 else [],
            decided_after=_decided(ev1, f"theory:{theory}") if a2 else [],
        ))

    def bag(r: Report) -> Counter[tuple[str, str]]:
        return Counter((f.rule_id, f.status) for f in r.findings)

    def pick(r: Report, keys: Counter[tuple[str, str]]) -> list[FindingChange]:
        out = []
        for f in r.findings:
            k = (f.rule_id, f.status)
            if keys[k] > 0:
                keys[k] -= 1
                out.append(FindingChange(rule_id=f.rule_id, title=f.title, status=f.status,
                                         conclusion=f.conclusion, reason=f.reason))
        return out

    pb = {p.name: p for p in before.parameters}
    pa = {p.name: p for p in after.parameters}
    params = []
    for name in sorted({*pb, *pa}):
        x, y = pb.get(name), pa.get(name)
        if x is not None and y is not None and (x.value, x.effective_from) == (y.value, y.effective_from):
            continue
        params.append(ParamChange(
            name=name, before=x.value if x else "not in force", after=y.value if y else "not in force",
            before_from=x.effective_from if x else None, after_from=y.effective_from if y else None,
            citation=y.citation if y else None,
        ))
    return WhatIf(
        deal_id=after.meta.deal_id, deal_title=after.meta.deal_title, base=base, changed=changed,
        verdicts=verdicts, bands=bands,
        appeared=pick(after, bag(after) - bag(before)),
        disappeared=pick(before, bag(before) - bag(after)),
        parameters=params,
    )


def what_if(deal: Deal, book: Rulebook, sets: Sequence[tuple[str, Any]], as_of: date | None = None,
            today: date | None = None, strict: bool = False) -> WhatIf:
    """Evaluate ``deal`` as given (under its own date) and as changed by ``sets`` (under ``as_of``,
    or the changed deal's own date), and say what changed (``strict``: presumptions off)."""
    if not sets and as_of is None:
        raise WhatIfError("what-if", "nothing to compare: give --set PATH=VALUE, --as-of DATE, or both")
    changed_deal, assignments = apply_changes(deal, sets) if sets else (deal, [])
    ev0 = evaluate(deal, book, today=today, strict=strict)
    r0 = build_report(ev0, today, near_miss_band=None)
    ev1 = evaluate(changed_deal, book, as_of=as_of, today=today, strict=strict)
    r1 = build_report(ev1, today, near_miss_band=None)
    return compare(ev0, r0, ev1, r1, Scenario(as_of=ev0.as_of, changes=[]),
                   Scenario(as_of=ev1.as_of, changes=assignments))


# == sweep =====================================================================================
class SweepColumn(_Model):
    key: str = Field(description="Jurisdiction code, or theory:<name>.")
    label: str


class SweepRow(_Model):
    value: float
    display: str
    outcomes: dict[str, str]
    flips: list[str] = Field(description="Columns whose outcome differs from the previous row.")
    appeared: list[str] = Field(description="Rules firing here that did not fire at the previous value.")
    disappeared: list[str]


class Sweep(_Model):
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
    slot = _resolve(deal.model_dump(), parse_path(path), create=True)
    tp = _unwrap(slot.type)
    node = slot.value
    if _is_model(tp) and issubclass(tp, Turnover):
        tp = _unwrap(Turnover.model_fields["amount"].annotation)
        node = node.get("amount") if isinstance(node, dict) else None
    fact = _is_model(tp) and issubclass(tp, Fact)
    inner = _unwrap(tp.model_fields["value"].annotation) if fact else tp
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


# == flips =====================================================================================
class FlipChange(_Model):
    path: str
    before: str
    after: str
    test: str = Field(description="The comparison this value settles, e.g. 'de.target_turnover_eur > EUR 17.5m'.")
    kind: Literal["resolve", "move", "toggle"] = Field(
        description="resolve: the fact was unknown; move: a known number moves; toggle: a known yes/no or category.")
    value: Any = Field(description="The value set, as deal-file data (what --set PATH=VALUE would take).")


class Flip(_Model):
    before: str
    after: str
    changes: list[FlipChange]
    cost: float = Field(description="Size of the change: 0 per unknown fact resolved, the relative move of a "
                                    "known number, 1 per toggled yes/no or category.")
    decided_by: list[str] = Field(description="Rules that settle the new outcome.")
    verified: bool = Field(description="A fresh evaluation of the changed deal gave this outcome.")


class FlipTarget(_Model):
    key: str = Field(description="Jurisdiction code, or theory:<name>.")
    label: str
    outcome: str
    decided_by: list[str]
    flips: list[Flip]


class Flips(_Model):
    deal_id: str
    deal_title: str
    as_of: date
    max_changes: int
    time_limit: float
    complete: bool = Field(description="False when the time limit cut the search short.")
    evaluations: int
    candidates: int = Field(description="Single changes considered.")
    targets: list[FlipTarget]


@dataclass(frozen=True)
class Edit:
    """One candidate change: deal-file assignments and what they are meant to settle."""

    assignments: tuple[tuple[str, Any], ...]
    changes: tuple[FlipChange, ...]
    cost: float

    @property
    def key(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((p, json.dumps(v, sort_keys=True, default=str)) for p, v in self.assignments))

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(p for p, _v in self.assignments)


_NEGATE = {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}
_STEP = {"percent": 0.01, "count": 1.0}
_FIGURE = re.compile(r"^(acquirer|target|combined|smaller_party)_turnover_(eur|usd|gbp)$")
_PARTY_INDEX = re.compile(r"^parties\[(\d+)\]")


def _number_display(x: float, unit: str | None) -> str:
    if unit in CURRENCIES:
        return f"{unit} {x:,.0f}" if float(x).is_integer() else f"{unit} {x:,.2f}"
    if unit == "percent":
        return f"{x:g}%"
    return f"{x:g}"


def _exact(value: Any) -> str:
    """Like describe(), but amounts of money to the unit: a flip may hinge on the last euro."""
    inner = value.get("value") if isinstance(value, dict) and set(value) == {"value"} else value
    if isinstance(inner, dict) and set(inner) >= {"amount", "currency"}:
        return _number_display(float(inner["amount"]), str(inner["currency"]))
    return describe(value)


def _targets_for_number(atom: CompiledAtom, unit: str | None) -> list[tuple[float, bool]]:
    """Engine values just either side of the threshold: (value, makes the comparison true)."""
    c = atom.threshold
    if isinstance(c, bool) or not isinstance(c, int | float):
        return []
    eps = _STEP.get(unit or "", 1.0)
    op = atom.op
    pairs = {">": [(c + eps, True), (c, False)], ">=": [(c, True), (c - eps, False)],
             "<": [(c - eps, True), (c, False)], "<=": [(c, True), (c + eps, False)],
             "==": [(c, True), (c + eps, False), (c - eps, False)],
             "!=": [(c + eps, True), (c - eps, True), (c, False)]}.get(op, [])
    hi = 100.0 if unit == "percent" else math.inf
    return [(round(float(v), 6), t) for v, t in pairs if 0 <= v <= hi]


class _EditMaker:
    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev
        self.deal = ev.deal
        self.data = ev.deal.model_dump()
        self.cache: dict[tuple[str, str, str], list[Edit]] = {}

    def node(self, path: str) -> Any:
        try:
            slot = _resolve(copy.deepcopy(self.data), parse_path(path), create=True)
        except ValueError:
            return None
        node = slot.value
        tp = _unwrap(slot.type)
        if _is_model(tp) and issubclass(tp, Turnover) and isinstance(node, dict):
            node = node.get("amount")
        return node

    def wrap(self, path: str, value: Any) -> Any:
        """``{"value": v}`` where the path holds a fact, else ``v`` itself."""
        try:
            slot = _resolve(copy.deepcopy(self.data), parse_path(path), create=True)
        except ValueError:
            return {"value": value}
        tp = _unwrap(slot.type)
        if _is_model(tp) and issubclass(tp, Turnover | Fact):
            return {"value": value}
        return value

    def for_atom(self, atom: CompiledAtom) -> list[Edit]:
        if atom.field is None or atom.fact not in FACT_TYPES:
            return []
        spec = FACT_TYPES[atom.fact].get(atom.field)
        if spec is None or spec.kind == "id" or (spec.kind == "category" and spec.values == ROLES):
            return []
        out: list[Edit] = []
        for fact in self.ev.flat.facts:
            if fact["t"] != atom.fact:
                continue
            key = (str(fact["id"]), atom.field, atom.text)
            if key not in self.cache:
                self.cache[key] = self._edits(atom, fact, spec.kind, spec.unit, spec.values)
            out += self.cache[key]
        return out

    def _edits(self, atom: CompiledAtom, fact: dict[str, Any], kind: str, unit: str | None,
               values: tuple[str, ...]) -> list[Edit]:
        field = atom.field
        assert field is not None
        prov = self.ev.flat.provenance.get((str(fact["id"]), field))
        if prov is None or prov.path.startswith("(") or " (" in prov.path:
            return []
        paths = [p.strip() for p in prov.path.split(" + ")]
        current = fact.get(field)
        name = f"{atom.fact}.{field}"
        thr = self._threshold_text(atom, unit)
        out: list[Edit] = []
        if kind == "number":
            known = isinstance(current, dict) and current.get("lo") is not None and current.get("lo") == current.get("hi")
            for num, truth in _targets_for_number(atom, unit):
                op = atom.op if truth else _NEGATE[atom.op]
                test = f"{name} {op} {thr}"
                for assignments in self._number_assignments(atom.fact, field, fact, paths, num, unit):
                    if known:
                        old = float(current["lo"])  # type: ignore[index]
                        if old == num:
                            continue
                        # relative move; from 0, percentages move relative to 100
                        cost = abs(num - old) / abs(old) if old else (abs(num) / 100 if unit == "percent" else 1.0)
                        kind_ = "move"
                    else:
                        cost, kind_ = 0.0, "resolve"
                    out.append(self._edit(assignments, test, kind_, cost))
        elif kind == "bool":
            for flag in (True, False):
                if current is flag:
                    continue
                kind_ = "resolve" if current is None else "toggle"
                test = f"{name} {'yes' if flag else 'no'}"
                for assignments in self._bool_assignments(atom.fact, field, paths, flag):
                    out.append(self._edit(assignments, test, kind_, 0.0 if current is None else 1.0))
        elif kind == "category" and len(paths) == 1:
            for cat in values:
                if cat == current:
                    continue
                kind_ = "resolve" if current is None else "toggle"
                out.append(self._edit(((paths[0], self.wrap(paths[0], cat)),), f"{name} == {cat!r}", kind_,
                                      0.0 if current is None else 1.0))
        return out

    def _threshold_text(self, atom: CompiledAtom, unit: str | None) -> str:
        c = atom.threshold
        if isinstance(c, bool) or not isinstance(c, int | float):
            return str(c)
        return number_text(float(c), unit) + (f" ({atom.param})" if atom.param else "")

    def _edit(self, assignments: tuple[tuple[str, Any], ...], test: str, kind: str, cost: float) -> Edit:
        changes = []
        for path, value in assignments:
            before = describe(self.node(path))
            after = _exact(value)
            changes.append(FlipChange(path=path, before=before, after=after, test=test, kind=kind, value=value))
        return Edit(assignments, tuple(changes), cost)

    def _money(self, amount: float, unit: str) -> dict[str, Any]:
        return {"value": {"amount": round(amount, 2), "currency": unit}}

    def _number_assignments(self, fact_type: str, field: str, fact: dict[str, Any], paths: list[str],
                            value: float, unit: str | None) -> list[tuple[tuple[str, Any], ...]]:
        if unit in {"EUR", "USD", "GBP"}:
            m = _FIGURE.match(field)
            if m is None or fact_type in {"party", "deal"}:
                return [((paths[0], self._money(value, unit)),)] if len(paths) == 1 else []
            side, ccy = m.group(1), m.group(2)
            return self._figure_assignments(fact, side, ccy, paths, value, unit)
        if field in {"equity_acquired", "voting_acquired"} and len(paths) == 2:
            before = fact.get(field.replace("acquired", "before"))
            if not (isinstance(before, dict) and before.get("lo") == before.get("hi") and before.get("lo") is not None):
                return []
            after = value + float(before["lo"])
            return [((paths[0], self.wrap(paths[0], after)),)] if 0 <= after <= 100 else []
        if len(paths) != 1 or unit not in {"percent", "count"} or field in {"share_of_target_staff", "board_share"}:
            return []
        if paths[0].startswith("markets["):
            return []
        v: float | int = int(value) if unit == "count" else value
        if unit == "count" and v != value:
            return []
        return [((paths[0], self.wrap(paths[0], v)),)]

    def _figure_assignments(self, fact: dict[str, Any], side: str, ccy: str, paths: list[str], value: float,
                            unit: str) -> list[tuple[tuple[str, Any], ...]]:
        if side in {"acquirer", "target"}:
            return [((paths[0], self._money(value, unit)),)] if len(paths) == 1 else []
        out: list[tuple[tuple[str, Any], ...]] = []
        roles = {}
        for p in paths:
            m = _PARTY_INDEX.match(p)
            if m is None or int(m.group(1)) >= len(self.deal.parties):
                return []
            roles[p] = self.deal.parties[int(m.group(1))].role
        for p in paths:
            role = roles[p]
            if sum(1 for q in paths if roles[q] == role) != 1:
                continue  # several parties on this side: no single figure sets it
            other = fact.get(f"{'target' if role == 'acquirer' else 'acquirer'}_turnover_{ccy}", {})
            o_lo = other.get("lo")
            if side == "combined":
                own = value if o_lo is None else value - float(o_lo)
                # the other side counts at its known minimum (0 when unknown); the re-evaluation
                # tells whether that settles the comparison
                if own >= 0:
                    out.append(((p, self._money(own, unit)),))
            else:  # smaller party: min(acquirer, target)
                out.append(((p, self._money(value, unit)),))
        return out

    def _bool_assignments(self, fact_type: str, field: str, paths: list[str],
                          value: bool) -> list[tuple[tuple[str, Any], ...]]:
        if paths == ["transaction.types"] and field.startswith("is_"):
            kind = field[3:]
            types_ = list(self.deal.transaction.types)
            new = [*types_, kind] if value else [t for t in types_ if t != kind]
            return [((paths[0], new),)] if new and new != types_ else []
        if len(paths) == 1 and re.fullmatch(r"governance\[\d+\]\.vetoes", paths[0]) and field.startswith("veto_"):
            kind = field[5:]
            node = self.node(paths[0])
            current = list(node.get("value") or []) if isinstance(node, dict) and not node.get("unknown") else []
            new = sorted({*current, kind}) if value else [v for v in current if v != kind]
            return [((paths[0], self.wrap(paths[0], new)),)]
        if field in {"convertible_into_voting", "completed"}:
            return []
        if len(paths) == 1:
            return [((paths[0], self.wrap(paths[0], value)),)]
        # several parties behind one flag (e.g. two targets): making it true needs one of them
        return [((p, self.wrap(p, True)),) for p in paths] if value else []


def _relevant_rules(ev: Evaluation, key: str) -> dict[str, set[str]]:
    """Deciding rules for a target -> each with the rules producing the derived facts it uses."""
    rules = ev.compiled.rules
    book = ev.compiled.rulebook
    if key.startswith("theory:"):
        seeds = [r for r, c in rules.items() if c.rule.spec.theory == key[7:] and c.rule.spec.risk]
    else:
        seeds = [r for r, c in rules.items() if c.rule.spec.jurisdiction == key and c.rule.spec.verdict]
    out: dict[str, set[str]] = {}
    for seed in seeds:
        closure, queue = {seed}, [seed]
        while queue:
            crule = rules[queue.pop()]
            for pattern in crule.patterns:
                derived = book.derived.get(pattern)
                for producer in derived.producers if derived else ():
                    if producer in rules and producer not in closure:
                        closure.add(producer)
                        queue.append(producer)
        out[seed] = closure
    return out


def _label(book: Rulebook, key: str) -> str:
    if key.startswith("theory:"):
        return f"{book.theory_title(key[7:])} (band)"
    return f"{book.regime(key).name} (filing)"


def _decided(ev: Evaluation, key: str) -> list[str]:
    if key.startswith("theory:"):
        ids = theory_band(ev, key[7:])[2]
    else:
        ids = jurisdiction_verdict(ev, key)[1]
    return sorted(dict.fromkeys(ev.firings[i].rule_id for i in ids))


def find_flips(deal: Deal, book: Rulebook, *, jurisdiction: str | None = None, max_changes: int = 1,
               time_limit: float = DEFAULT_TIME_LIMIT, as_of: date | None = None, today: date | None = None,
               per_target: int = DEFAULT_FLIPS_PER_TARGET) -> Flips:
    """The smallest changes to the deal's facts that change each verdict and each high or medium band.

    Candidates come from the comparisons of the rules that decide each outcome (and the rules
    producing the derived facts those use): numbers moved just across the thresholds they are
    compared with, yes/no facts and categories toggled, unknown facts set to either side. Single
    changes are tried first, then (with ``max_changes=2``) pairs drawn from one deciding rule,
    cheapest first, until ``time_limit`` seconds have passed. Every flip reported was found by
    evaluating the changed deal and is checked once more by a fresh evaluation."""
    if max_changes not in (1, 2):
        raise WhatIfError("--max-changes", "must be 1 or 2")
    if time_limit <= 0:
        raise WhatIfError("--time-limit", "must be more than 0 seconds")
    started = time.monotonic()
    deadline = started + time_limit
    base = evaluate(deal, book, as_of=as_of, today=today)
    at = base.as_of
    base_out = outcomes(base)
    code = jurisdiction.upper() if jurisdiction else None
    if code is not None and code not in base_out:
        known = ", ".join(k for k in base_out if not k.startswith("theory:"))
        raise WhatIfError(f"--jurisdiction {jurisdiction}", f"no rules in force for {code} (known: {known})")
    keys = [code] if code else [k for k, v in base_out.items()
                                if not k.startswith("theory:") or v.split(" ")[0] in {"high", "medium"}]
    maker = _EditMaker(base)
    per_rule: dict[str, dict[str, list[Edit]]] = {}
    singles: dict[tuple[tuple[str, str], ...], Edit] = {}
    for key in keys:
        per_rule[key] = {}
        for seed, closure in _relevant_rules(base, key).items():
            edits: list[Edit] = []
            for rid in sorted(closure):
                for atom in base.compiled.rules[rid].atoms:
                    edits += maker.for_atom(atom)
            uniq = {e.key: e for e in edits}
            per_rule[key][seed] = list(uniq.values())
            for e in uniq.values():
                singles.setdefault(e.key, e)

    results: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], Evaluation] | None] = {}
    evaluations = 0
    complete = True

    def run(edit: Edit) -> tuple[dict[str, str], Evaluation] | None:
        nonlocal evaluations
        if edit.key not in results:
            try:
                changed, _ = apply_changes(deal, edit.assignments, "flip", describe_changes=False)
            except WhatIfError:
                results[edit.key] = None
                return None
            ev = evaluate(changed, book, as_of=at)
            evaluations += 1
            results[edit.key] = (outcomes(ev), ev)
        return results[edit.key]

    found: dict[str, list[tuple[Edit, str, list[str]]]] = {k: [] for k in keys}
    for edit in sorted(singles.values(), key=lambda e: (e.cost, e.key)):
        if time.monotonic() > deadline:
            complete = False
            break
        got = run(edit)
        if got is None:
            continue
        outs, ev = got
        for key in keys:
            if outs.get(key) != base_out[key]:
                found[key].append((edit, outs[key], _decided(ev, key)))

    if max_changes == 2 and complete:
        jobs: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[float, str, Edit]] = {}
        for key in keys:
            alone = {e.key for e, _o, _d in found[key]}
            for edits in per_rule[key].values():
                usable = [e for e in edits if e.key not in alone]
                for a, b in itertools.combinations(usable, 2):
                    if a.paths & b.paths:
                        continue
                    pair = Edit(a.assignments + b.assignments, a.changes + b.changes, a.cost + b.cost)
                    jobs.setdefault((key, pair.key), (pair.cost, key, pair))
        for cost, key, pair in sorted(jobs.values(), key=lambda j: (j[0], j[1], j[2].key)):
            del cost
            if time.monotonic() > deadline:
                complete = False
                break
            if len({(e.paths, o) for e, o, _d in found[key]}) >= per_target:
                continue  # singles rank first and pairs come cheapest first: the list is full
            got = run(pair)
            if got is None:
                continue
            outs, ev = got
            if outs.get(key) != base_out[key]:
                found[key].append((pair, outs[key], _decided(ev, key)))

    targets = []
    for key in keys:
        ranked = sorted(found[key], key=lambda x: (len(x[0].assignments), x[0].cost, x[0].key))
        flips: list[Flip] = []
        seen: set[tuple[frozenset[str], str]] = set()
        for edit, after, decided in ranked:
            # the cheapest change of the same facts to the same outcome says it all
            if len(flips) >= per_target or (edit.paths, after) in seen:
                continue
            seen.add((edit.paths, after))
            changed, _ = apply_changes(deal, edit.assignments, "flip", describe_changes=False)
            check = outcomes(evaluate(changed, book, as_of=at)).get(key)
            evaluations += 1
            if check != after:  # pragma: no cover - the engine is deterministic
                continue
            flips.append(Flip(before=base_out[key], after=after, changes=list(edit.changes), cost=round(edit.cost, 6),
                              decided_by=decided, verified=True))
        targets.append(FlipTarget(key=key, label=_label(book, key), outcome=base_out[key],
                                  decided_by=_decided(base, key), flips=flips))
    return Flips(deal_id=deal.id, deal_title=deal.title, as_of=at, max_changes=max_changes,
                 time_limit=time_limit, complete=complete, evaluations=evaluations,
                 candidates=len(singles), targets=targets)
