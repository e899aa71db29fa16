"""Changing a deal by path: ``PATH=VALUE`` assignments applied to a copy of the deal's data.

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
import json
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from io import StringIO
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from typing_extensions import TypeAliasType

from antitrust.deal import Deal, Fact, Turnover
from antitrust.errors import InputError, Location
from antitrust.money import Money, format_money
from antitrust.validation import did_you_mean

#: Lists whose items ``[key]`` picks by one identifying field.
LIST_KEYS = {"parties": "id", "turnover": "jurisdiction", "markets": "id", "shares": "party"}
#: Mappings keyed by jurisdiction codes, which the engine reads in upper case.
UPPER_KEYS = frozenset({"domestic_activity"})


class WhatIfError(InputError):
    """A --set, --vary or other what-if argument is wrong (bad path, wrong type, bad range)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(Location(option), message)


class FrozenModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


def unwrap(tp: Any) -> Any:
    """The plain type behind Optional, a named alias (``Pct``) and ``Annotated`` constraints."""
    if isinstance(tp, TypeAliasType):
        return unwrap(tp.__value__)
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return unwrap(args[0])
    return tp


def is_model(tp: Any) -> bool:
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
    tp = unwrap(tp)
    if is_model(tp):
        if issubclass(tp, Fact):
            return "a fact"
        return f"a {tp.__name__.lower()} record"
    origin = typing.get_origin(tp)
    if origin is list:
        return "a list"
    if origin is dict:
        return "a mapping"
    return "a single value"


def resolve(data: dict[str, Any], steps: Sequence[Step], *, create: bool) -> _Slot:
    """Walk ``steps`` through the deal's data alongside the Deal model's field types."""
    cur: Any = data
    tp: Any = Deal
    slot: _Slot | None = None
    label = ""
    last_name = ""
    for i, step in enumerate(steps):
        final = i == len(steps) - 1
        tp = unwrap(tp)
        where = label or "the deal"
        if cur is None:
            if create and slot is not None and (is_model(tp) or typing.get_origin(tp) is dict):
                slot.parent[slot.key] = {}
                cur = slot.parent[slot.key]
            else:
                raise ValueError(f"{where} is not stated, so it has no {step}")
        origin = typing.get_origin(tp)
        if is_model(tp):
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
    slot = resolve(data, steps, create=True)
    tp = unwrap(slot.type)
    if is_model(tp) and issubclass(tp, Turnover) and not (
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


class Assignment(FrozenModel):
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
                before = describe(resolve(data, steps, create=False).value)
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
        slot = resolve(after_data, steps, create=False)
        node = slot.value
        if is_model(unwrap(slot.type)) and issubclass(unwrap(slot.type), Turnover):
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
        resolve(copy.deepcopy(data), steps, create=False)
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
        return copy.deepcopy(resolve(deal.model_dump(), parse_path(path), create=False).value)
    except ValueError as exc:
        raise WhatIfError(path, str(exc)) from None
