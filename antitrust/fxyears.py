"""Exchange rates by year: a figure converts at the average rate of its own financial year.

The ``fx.<ccy>_per_eur`` parameters hold one annual average per calendar year (``from: YYYY-01-01``
marks the year whose average it is). The Commission converts turnover at the average rate of the
financial year the turnover belongs to (Consolidated Jurisdictional Notice, Part C, conversion of
turnover), not at the rate of the day the law is applied; the other regimes follow the same
practice. So a 2012 turnover converts at the 2012 average, whatever the deal's date.

Where the year asked for has no average yet (the current year) or predates the series, the nearest
year's average is used and the result says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from antitrust.params import Parameter

FX_PREFIX = "fx."
FX_SUFFIX = "_per_eur"


@dataclass(frozen=True)
class YearRate:
    """Units of ``currency`` per 1 EUR: the average of ``year``."""

    currency: str
    per_eur: float
    year: int
    status: str
    #: The year that was asked for, when no average for it exists and ``year`` stands in.
    wanted: int | None = None

    @property
    def name(self) -> str:
        return f"{FX_PREFIX}{self.currency.lower()}{FX_SUFFIX}"

    def label(self) -> str:
        """``2012 average`` or ``2025 average (latest available for 2026)``."""
        if self.wanted is None:
            return f"{self.year} average"
        side = "latest" if self.wanted > self.year else "earliest"
        return f"{self.year} average ({side} available for {self.wanted})"


EURO = "EUR"


class FxYears:
    """Annual average rates per currency, read from the ``fx.<ccy>_per_eur`` parameters."""

    def __init__(self, parameters: Mapping[str, Parameter]) -> None:
        self._years: dict[str, dict[int, tuple[float, str]]] = {}
        for name, p in parameters.items():
            if not (name.startswith(FX_PREFIX) and name.endswith(FX_SUFFIX)):
                continue
            ccy = name[len(FX_PREFIX):-len(FX_SUFFIX)].upper()
            years: dict[int, tuple[float, str]] = {
                v.from_.year: (v.value, v.status) for v in p.values if v.value is not None
            }
            if years:
                self._years[ccy] = years
        #: (currency as asked, year) -> rate: a deal asks for the same few rates many times.
        self._asked: dict[tuple[str, int], YearRate | None] = {}

    def currencies(self) -> list[str]:
        return sorted(self._years)

    def years(self, currency: str) -> list[int]:
        return sorted(self._years.get(currency.upper(), {}))

    def rate(self, currency: str, year: int) -> YearRate | None:
        """The average of ``year`` (else the nearest year's), or None for an unknown currency."""
        key = (currency, year)
        if key in self._asked:
            return self._asked[key]
        found = self._asked[key] = self._rate(currency, year)
        return found

    def _rate(self, currency: str, year: int) -> YearRate | None:
        ccy = currency.upper()
        if ccy == EURO:
            return YearRate(EURO, 1.0, year, "verified")
        table = self._years.get(ccy)
        if not table:
            return None
        if year in table:
            value, status = table[year]
            return YearRate(ccy, value, year, status)
        nearest = max(table) if year > max(table) else min(table)
        value, status = table[nearest]
        return YearRate(ccy, value, nearest, status, wanted=year)

    def convert(self, amount: float, src: str, dst: str, year: int) -> tuple[float, YearRate] | None:
        """``amount`` in ``src`` expressed in ``dst`` at ``year``'s rates, with the rate that did it
        (the non-euro side's; for a cross rate, the source currency's)."""
        a, b = self.rate(src, year), self.rate(dst, year)
        if a is None or b is None:
            return None
        shown = a if src.upper() != EURO else b
        return amount / a.per_eur * b.per_eur, shown


__all__ = ["FxYears", "YearRate"]
