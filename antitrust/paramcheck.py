"""The parameter analyses of ``antitrust rules check`` (a part of :class:`antitrust.checker._Checker`):
overlapping or gapped date ranges, values that do not fit their unit, placeholder citations,
values past their review date, unused parameters and thresholds compared across currencies with
no exchange rate."""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from typing import Any

from antitrust import expr as ex
from antitrust.errors import Location
from antitrust.literals import _MONEY
from antitrust.params import Parameter
from antitrust.rulebook import Rulebook, placeholders
from antitrust.vocabulary import FACT_TYPES

_PLACEHOLDER = re.compile(r"^\s*(todo|tbd|tba|fixme|xxx|n/?a|none|unknown|citation needed|\?+|-+)\s*\.?\s*$", re.IGNORECASE)
_PLACEHOLDER_URL = re.compile(r"^https?://(www\.)?(example\.(com|org|net)|localhost)(/|$)", re.IGNORECASE)


def _unit_of(ref: ex.Ref, book: Rulebook) -> str | None:
    if ref.fact in FACT_TYPES and ref.field is not None:
        spec = FACT_TYPES[ref.fact].get(ref.field)
        return spec.unit if spec else None
    return None


class ParameterChecks:
    """Mixed into the checker, which provides the rulebook, the findings and positions."""

    book: Rulebook
    today: date
    missing_fx: set[str]

    def emit(self, location: Location, severity: Any, code: str, message: str) -> None:
        raise NotImplementedError

    def param_at(self, name: str, *keys: str | int) -> Location:
        raise NotImplementedError

    # -- parameters ----------------------------------------------------------------------------
    def parameters(self) -> None:
        used = {p.name for r in self.book.rules for p in ex.params(r.condition)}
        for r in self.book.rules:
            with contextlib.suppress(ValueError):
                used |= {n[len("param."):] for n in placeholders(r.spec.reason) if n.startswith("param.")}
            if r.spec.reach is not None and r.spec.reach.window is not None:
                used.add(r.spec.reach.window.param)
            for text in r.spec.exposure.consequences if r.spec.exposure is not None else []:
                with contextlib.suppress(ValueError):
                    used |= {n[len("param."):] for n in placeholders(text) if n.startswith("param.")}
        fields_of: dict[str, set[str | None]] = {}
        for r in self.book.rules:
            for a in ex.atoms(r.condition):
                if isinstance(a, ex.Compare) and isinstance(a.right, ex.Param):
                    fields_of.setdefault(a.right.name, set()).add(_unit_of(a.left, self.book))
        for name, p in sorted(self.book.parameters.items()):
            self.value_ranges(name, p)
            self.value_fit(name, p)
            self.citations(name, p)
            if p.review_by is not None and p.review_by < self.today:
                self.emit(self.param_at(name, "review_by"), "warning", "stale-parameter",
                          f"parameter {name} was due for review by {p.review_by.isoformat()}; check the value "
                          "is still current and move review_by on")
            if name not in used and not name.startswith("fx."):
                self.emit(self.param_at(name, "name"), "info", "unused-parameter",
                          f"parameter {name} is not used by any rule")
            for unit in sorted(u for u in fields_of.get(name, set()) if u):
                self.exchange_rate(name, p, unit)

    def value_ranges(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            nxt = p.values[j + 1] if j + 1 < len(p.values) else None
            if v.until is None:
                continue
            where = self.param_at(name, "values", j, "until")
            if v.until < v.from_:
                self.emit(where, "error", "parameter-dates",
                          f"parameter {name}: value from {v.from_} ends on {v.until}, before it starts")
            elif nxt is not None and v.until >= nxt.from_:
                self.emit(where, "error", "parameter-overlap",
                          f"parameter {name}: value from {v.from_} runs until {v.until}, past the start of the "
                          f"next value ({nxt.from_}); which one applies in between is ambiguous")
            elif nxt is not None and v.until + timedelta(days=1) < nxt.from_:
                self.emit(where, "warning", "parameter-gap",
                          f"parameter {name}: no value is in force from {v.until + timedelta(days=1)} to "
                          f"{nxt.from_ - timedelta(days=1)}; rules that use it do not apply then "
                          "(if the law had no such threshold then, say so in a note)")

    def value_fit(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            if v.value is None:
                if v.status != "unverified":
                    self.emit(self.param_at(name, "values", j, "value"), "warning", "parameter-status",
                              f"parameter {name}: value from {v.from_} is null but marked {v.status}; an unknown "
                              "figure is 'unverified'")
                continue
            x = v.value
            problem = None
            if p.unit == "percent" and not 0 <= x <= 100:
                problem = f"{x:g} is not a percentage (0 to 100)"
            elif p.unit == "hhi" and not 0 <= x <= 10000:
                problem = f"{x:g} is not an HHI (0 to 10,000)"
            elif p.unit == "rate" and x <= 0:
                problem = f"an exchange rate must be positive, not {x:g}"
            elif x < 0:
                problem = f"a threshold in {p.unit} cannot be negative ({x:g})"
            if problem:
                self.emit(self.param_at(name, "values", j, "value"), "error", "parameter-unit",
                          f"parameter {name}: {problem}")
            elif p.unit in {"count", "days", "working_days", "months"} and not float(x).is_integer():
                self.emit(self.param_at(name, "values", j, "value"), "warning", "parameter-unit",
                          f"parameter {name}: {x:g} {p.unit.replace('_', ' ')} is not a whole number")
        if name.startswith("fx.") and p.unit != "rate":
            self.emit(self.param_at(name, "unit"), "error", "parameter-unit",
                      f"parameter {name}: an exchange rate has unit 'rate', not {p.unit!r}")

    def citations(self, name: str, p: Parameter) -> None:
        for j, v in enumerate(p.values):
            if _PLACEHOLDER.match(v.citation):
                self.emit(self.param_at(name, "values", j, "citation"), "error", "parameter-citation",
                          f"parameter {name}: value from {v.from_} has no real citation ({v.citation!r}); "
                          "name the provision or notice it comes from")
            if _PLACEHOLDER_URL.match(v.url):
                self.emit(self.param_at(name, "values", j, "url"), "error", "parameter-citation",
                          f"parameter {name}: value from {v.from_} has a placeholder url ({v.url})")

    def exchange_rate(self, name: str, p: Parameter, field_unit: str) -> None:
        if field_unit not in _MONEY or p.unit == field_unit or not p.is_currency:
            return
        for ccy in (p.unit, field_unit):
            if ccy != "EUR" and f"fx.{ccy.lower()}_per_eur" not in self.book.parameters:
                self.missing_fx.add(name)
                self.emit(self.param_at(name, "unit"), "error", "missing-exchange-rate",
                          f"parameter {name} is in {p.unit} but compared with amounts in {field_unit}, and there "
                          f"is no exchange rate fx.{ccy.lower()}_per_eur to convert it")
                return
